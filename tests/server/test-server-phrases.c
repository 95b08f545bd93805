/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-test-server.h"

/* The phrase bank: shared phrases kept by administrators, each
 * radiologist's own, and who may change which. */

typedef RwTestStaffFixture Fixture;

static gint64
create (Fixture    *f,
        const char *token,
        const char *json,
        JsonNode  **answer)
{
  g_autoptr(JsonNode) local = NULL;
  JsonNode **out = answer != NULL ? answer : &local;

  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", "/api/phrases", token, json, out), ==, 201);
  return json_object_get_int_member (json_node_get_object (*out), "id");
}

/* The labels a GET /api/phrases?@query answers, in order. */
static char *
labels (Fixture    *f,
        const char *token,
        const char *query)
{
  g_autofree char *path = g_strdup_printf ("/api/phrases%s", query);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *array;

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, token, NULL, NULL, 0, &answer), ==, 200);
  array = json_node_get_array (answer);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "," : "",
                            json_object_get_string_member (json_array_get_object_element (array, i), "label"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
assert_labels (Fixture    *f,
               const char *token,
               const char *query,
               const char *expected)
{
  g_autofree char *got = labels (f, token, query);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_bank (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonNode) shared = NULL, own = NULL;
  JsonObject *phrase;
  gint64 shared_id, own_id;

  shared_id = create (f, f->chefe, "{\"section\":\"findings\",\"label\":\"Normal\",\"text\":\"Exame dentro dos limites da normalidade.\"}", &shared);
  phrase = json_node_get_object (shared);
  g_assert_cmpuint (json_object_get_size (phrase), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (phrase, "section"), ==, "findings");
  g_assert_true (json_object_get_null_member (phrase, "modality"));
  g_assert_true (json_object_get_null_member (phrase, "abbreviation"));
  g_assert_true (json_object_get_null_member (phrase, "owner"));

  own_id = create (f, f->ana, "{\"section\":\"conclusion\",\"modality\":\"ct\",\"label\":\"Sem alterações\","
                              "\"text\":\"Não há evidências de alterações significativas.\",\"abbreviation\":\".sa\"}", &own);
  phrase = json_node_get_object (own);
  g_assert_cmpstr (json_object_get_string_member (phrase, "modality"), ==, "CT");
  g_assert_cmpstr (json_object_get_string_member (phrase, "abbreviation"), ==, ".sa");
  g_assert_false (json_object_get_null_member (phrase, "owner"));
  create (f, f->bruno, "{\"section\":\"technique\",\"modality\":\"MR\",\"label\":\"RM padrão\",\"text\":\"Sequências ponderadas em T1 e T2.\"}", NULL);
  create (f, f->chefe, "{\"section\":\"technique\",\"modality\":\"CT\",\"label\":\"TC padrão\",\"text\":\"Cortes axiais.\"}", NULL);

  /* Each radiologist sees the shared bank and their own phrases. */
  assert_labels (f, f->ana, "", "Sem alterações,Normal,TC padrão");
  assert_labels (f, f->bruno, "", "Normal,RM padrão,TC padrão");
  assert_labels (f, f->ana, "?section=technique", "TC padrão");
  /* A phrase for no modality in particular fits every modality. */
  assert_labels (f, f->ana, "?modality=CT", "Sem alterações,Normal,TC padrão");
  assert_labels (f, f->ana, "?modality=mr", "Normal");
  assert_labels (f, f->bruno, "?section=technique&modality=MR", "RM padrão");
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/phrases?section=impression", f->ana, NULL, NULL, 0, NULL), ==, 400);

  /* Own phrases by their owner, shared ones by administrators. */
  {
    g_autofree char *shared_path = g_strdup_printf ("/api/phrases/%" G_GINT64_FORMAT, shared_id);
    g_autofree char *own_path = g_strdup_printf ("/api/phrases/%" G_GINT64_FORMAT, own_id);
    g_autoptr(JsonNode) changed = NULL, renamed = NULL;

    g_assert_cmpuint (rw_test_server_request_json (f->server, "PUT", shared_path, f->ana, "{\"label\":\"Meu normal\"}", NULL), ==, 403);
    g_assert_cmpuint (rw_test_server_request (f->server, "DELETE", shared_path, f->ana, NULL, NULL, 0, NULL), ==, 403);
    g_assert_cmpuint (rw_test_server_request_json (f->server, "PUT", own_path, f->bruno, "{\"label\":\"Do Bruno\"}", NULL), ==, 404);
    g_assert_cmpuint (rw_test_server_request (f->server, "DELETE", own_path, f->bruno, NULL, NULL, 0, NULL), ==, 404);

    g_assert_cmpuint (rw_test_server_request_json (f->server, "PUT", own_path, f->ana,
                                                   "{\"label\":\"Sem alterações (TC)\",\"modality\":null}", &changed), ==, 200);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (changed), "label"), ==, "Sem alterações (TC)");
    g_assert_true (json_object_get_null_member (json_node_get_object (changed), "modality"));
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (changed), "abbreviation"), ==, ".sa");
    g_assert_cmpuint (rw_test_server_request_json (f->server, "PUT", shared_path, f->chefe, "{\"text\":\"Exame normal.\"}", &renamed), ==, 200);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (renamed), "label"), ==, "Normal");

    g_assert_cmpuint (rw_test_server_request (f->server, "DELETE", own_path, f->ana, NULL, NULL, 0, NULL), ==, 200);
    g_assert_cmpuint (rw_test_server_request (f->server, "DELETE", own_path, f->ana, NULL, NULL, 0, NULL), ==, 404);
    g_assert_cmpuint (rw_test_server_request (f->server, "DELETE", shared_path, f->chefe, NULL, NULL, 0, NULL), ==, 200);
    assert_labels (f, f->ana, "", "TC padrão");
  }
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  const struct {
    const char *json;
    guint       status;
  } cases[] = {
    { "{\"label\":\"x\",\"text\":\"y\"}", 400 },
    { "{\"section\":\"impression\",\"label\":\"x\",\"text\":\"y\"}", 400 },
    { "{\"section\":\"findings\",\"text\":\"y\"}", 400 },
    { "{\"section\":\"findings\",\"label\":\" \",\"text\":\"y\"}", 400 },
    { "{\"section\":\"findings\",\"label\":\"x\"}", 400 },
    { "{\"section\":\"findings\",\"label\":7,\"text\":\"y\"}", 400 },
    { "{\"section\":\"findings\",\"label\":\"x\",\"text\":\"y\",\"abbreviation\":\"abcdefghijklmnopqrstuvwxyz0123456789\"}", 400 },
    { "{\"section\":\"findings\",\"label\":\"x\",\"text\":\"y\",\"shared\":\"yes\"}", 400 },
    { "{\"section\":\"findings\",\"label\":\"x\",\"text\":\"y\",\"shared\":true}", 403 },
    { "[]", 400 },
  };
  g_autoptr(JsonNode) list = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) answer = NULL;

      g_test_message ("%s", cases[i].json);
      g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", "/api/phrases", f->ana, cases[i].json, &answer), ==, cases[i].status);
      g_assert_true (json_object_has_member (json_node_get_object (answer), "error"));
    }
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/phrases", f->ana, "text/plain", "x", 1, NULL), ==, 415);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "PUT", "/api/phrases/999", f->chefe, "{\"label\":\"x\"}", NULL), ==, 404);

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/phrases", f->ana, NULL, NULL, 0, &list), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 0);

  /* An administrator may keep a phrase of their own. */
  {
    g_autoptr(JsonNode) own = NULL;

    create (f, f->chefe, "{\"section\":\"findings\",\"label\":\"x\",\"text\":\"y\",\"shared\":false}", &own);
    g_assert_false (json_object_get_null_member (json_node_get_object (own), "owner"));
    assert_labels (f, f->ana, "", "");
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/phrases/bank", Fixture, NULL, rw_test_staff_fixture_setup, test_bank, rw_test_staff_fixture_teardown);
  g_test_add ("/server/phrases/refused", Fixture, NULL, rw_test_staff_fixture_setup, test_refused, rw_test_staff_fixture_teardown);

  return g_test_run ();
}
