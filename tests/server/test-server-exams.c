/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-test-server.h"

/* The worklist: GET /api/exams and its filters, search and pages; one exam
 * with its priors; PATCH by an administrator. */

typedef RwTestStaffFixture Fixture;

static gint64
add_exam (Fixture    *f,
          const char *uid,
          const char *patient_id,
          const char *name,
          const char *date,
          const char *modality,
          const char *accession,
          const char *description)
{
  g_autoptr(RwWebhookPayload) p = rw_test_server_new_payload (f->server, uid, patient_id, name);

  g_free (p->study_date);
  p->study_date = g_strdup (date);
  g_free (p->modality);
  p->modality = g_strdup (modality);
  g_free (p->accession_number);
  p->accession_number = g_strdup (accession);
  g_free (p->study_description);
  p->study_description = g_strdup (description);
  return rw_test_server_add_exam_from (f->server, p);
}

/* The ids of the exams a GET /api/exams?@query answers, in order. */
static char *
list_ids (Fixture    *f,
          const char *token,
          const char *query,
          char      **next_cursor)
{
  g_autofree char *path = g_strdup_printf ("/api/exams%s%s", query[0] != '\0' ? "?" : "", query);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GString) ids = g_string_new (NULL);
  JsonArray *exams;
  JsonNode *next;

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, token, NULL, NULL, 0, &answer), ==, 200);
  exams = json_object_get_array_member (json_node_get_object (answer), "exams");
  for (guint i = 0; i < json_array_get_length (exams); i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            json_object_get_int_member (json_array_get_object_element (exams, i), "id"));
  next = json_object_get_member (json_node_get_object (answer), "next_cursor");
  g_assert_nonnull (next);
  if (next_cursor != NULL)
    *next_cursor = JSON_NODE_HOLDS_NULL (next) ? NULL : g_strdup (json_node_get_string (next));
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static void
assert_ids (Fixture    *f,
            const char *query,
            const char *expected)
{
  g_autofree char *ids = list_ids (f, f->ana, query, NULL);

  g_test_message ("?%s → %s", query, ids);
  g_assert_cmpstr (ids, ==, expected);
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  add_exam (f, "1.1", "P001", "SILVA^JOÃO^CARLOS", "20240101", "CT", "ACC-7781", "TC ABDOME TOTAL");
  add_exam (f, "1.2", "P002", "CONCEIÇÃO^MARIA", "20240102", "MR", "ACC-7782", "RM CRÂNIO");
  add_exam (f, "1.3", "P003", "SOUZA^ANA", "20240103", "CR", "ACC-7783", "RX TÓRAX PA E PERFIL");

  assert_ids (f, "q=joao", "1");
  assert_ids (f, "q=JO%C3%83O", "1");
  assert_ids (f, "q=conceicao", "2");
  assert_ids (f, "q=Concei%C3%A7%C3%A3o", "2");
  assert_ids (f, "q=silva%20joao", "1");
  assert_ids (f, "q=joao%20silva", "1");
  assert_ids (f, "q=P002", "2");
  assert_ids (f, "q=acc-7783", "3");
  assert_ids (f, "q=cranio", "2");
  assert_ids (f, "q=torax", "3");
  assert_ids (f, "q=ACC-77", "3,2,1");
  /* Words are matched from their start: "an" is Ana, not crANio. */
  assert_ids (f, "q=an", "3");
  assert_ids (f, "q=ma%20cr", "2");
  assert_ids (f, "q=ri", "");
  assert_ids (f, "q=7782", "2");
  assert_ids (f, "q=nobody", "");
  assert_ids (f, "q=%22%27%25_", "");
}

static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  const char *bad[] = {
    "status=open", "status=pending,done", "from=2024-13-01", "to=yesterday", "assigned=you",
    "updated_since=2024-01-01", "limit=0", "limit=many", "cursor=abc", "cursor=-1",
  };

  add_exam (f, "2.1", "P001", "SILVA^JOAO", "20240101", "CT", "A1", "TC");
  add_exam (f, "2.2", "P002", "LIMA^BIA", "20240115", "MR", "A2", "RM");
  add_exam (f, "2.3", "P003", "ROCHA^RUI", "20240131", "CT", "A3", "TC");
  add_exam (f, "2.4", "P004", "COSTA^EVA", "20240201", "CR", "A4", "RX");
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/exams/3/claim", f->ana, NULL, NULL, 0, NULL), ==, 200);
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/exams/4/claim", f->bruno, NULL, NULL, 0, NULL), ==, 200);

  assert_ids (f, "", "4,3,2,1");
  assert_ids (f, "status=pending", "2,1");
  assert_ids (f, "status=in_progress", "4,3");
  assert_ids (f, "status=pending,in_progress", "4,3,2,1");
  assert_ids (f, "status=completed", "");
  assert_ids (f, "modality=CT", "3,1");
  assert_ids (f, "modality=ct", "3,1");
  assert_ids (f, "from=2024-01-15", "4,3,2");
  assert_ids (f, "to=2024-01-31", "3,2,1");
  assert_ids (f, "from=2024-01-02&to=2024-01-31", "3,2");
  assert_ids (f, "from=20240102&to=20240131", "3,2");
  assert_ids (f, "assigned=me", "3");
  assert_ids (f, "assigned=me&status=pending", "");
  assert_ids (f, "modality=CT&status=pending", "1");
  assert_ids (f, "status=", "4,3,2,1");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/exams?%s", bad[i]);
      g_autoptr(JsonNode) answer = NULL;

      g_test_message ("?%s", bad[i]);
      g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, f->ana, NULL, NULL, 0, &answer), ==, 400);
      g_assert_true (json_object_has_member (json_node_get_object (answer), "error"));
    }
}

static void
test_pages (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *cursor = NULL;
  guint pages = 0;

  for (guint i = 1; i <= 7; i++)
    {
      g_autofree char *uid = g_strdup_printf ("3.%u", i);
      rw_test_server_add_exam (f->server, uid, "P001", "SILVA^JOAO");
    }

  do
    {
      g_autofree char *query = cursor != NULL ? g_strdup_printf ("limit=3&cursor=%s", cursor) : g_strdup ("limit=3");
      g_autofree char *ids = NULL;

      g_clear_pointer (&cursor, g_free);
      ids = list_ids (f, f->ana, query, &cursor);
      g_string_append_printf (all, "%s%s", all->len > 0 ? "," : "", ids);
      pages++;
    }
  while (cursor != NULL);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpstr (all->str, ==, "7,6,5,4,3,2,1");

  /* Exactly a page's worth: no empty page after it. */
  {
    g_autofree char *ids = list_ids (f, f->ana, "limit=7", &cursor);

    g_assert_cmpstr (ids, ==, "7,6,5,4,3,2,1");
    g_assert_null (cursor);
  }
  /* More than the maximum is the maximum, not an error. */
  {
    g_autofree char *ids = list_ids (f, f->ana, "limit=5000", &cursor);

    g_assert_cmpstr (ids, ==, "7,6,5,4,3,2,1");
  }
}

static void
test_updated_since (Fixture       *f,
                    gconstpointer  data)
{
  rw_test_server_add_exam (f->server, "4.1", "P001", "SILVA^JOAO");
  rw_test_server_add_exam (f->server, "4.2", "P002", "LIMA^BIA");
  rw_test_server_set_clock (f->server, "2024-03-10T12:05:00Z");
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/exams/1/claim", f->ana, NULL, NULL, 0, NULL), ==, 200);
  rw_test_server_set_clock (f->server, "2024-03-10T12:10:00Z");
  rw_test_server_add_exam (f->server, "4.3", "P003", "ROCHA^RUI");

  assert_ids (f, "updated_since=2024-03-10T12:00:00Z", "3,2,1");
  assert_ids (f, "updated_since=2024-03-10T12:05:00Z", "3,1");
  assert_ids (f, "updated_since=2024-03-10T09:05:01-03:00", "3");
  assert_ids (f, "updated_since=2024-03-10T12:10:01Z", "");
}

static JsonObject *
get_exam (Fixture   *f,
          gint64     id,
          JsonNode **holder)
{
  g_autofree char *path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT, id);

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, f->ana, NULL, NULL, 0, holder), ==, 200);
  return json_node_get_object (*holder);
}

static void
test_priors (Fixture       *f,
             gconstpointer  data)
{
  gint64 old = add_exam (f, "5.1", "P001", "SILVA^JOAO", "20200105", "CT", "A1", "TC 2020");
  gint64 other = add_exam (f, "5.2", "P002", "LIMA^BIA", "20230101", "CT", "A2", "TC");
  gint64 mid = add_exam (f, "5.3", "P001", "SILVA^JOAO", "20220610", "MR", "A3", "RM 2022");
  gint64 current = add_exam (f, "5.4", "P001", "SILVA^JOAO", "20240101", "CT", "A4", "TC 2024");
  g_autofree char *finalize = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/finalize", old);
  g_autofree char *save = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/save", mid);
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *exam;
  JsonArray *priors;

  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", finalize, f->ana, "{\"conclusion\":\"Normal.\"}", NULL), ==, 200);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", save, f->ana, "{\"findings\":\"...\"}", NULL), ==, 200);

  exam = get_exam (f, current, &holder);
  g_assert_true (json_object_get_null_member (exam, "report"));
  priors = json_object_get_array_member (exam, "priors");
  g_assert_cmpuint (json_array_get_length (priors), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (priors, 0), "id"), ==, mid);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (priors, 0), "report_status"), ==, "draft");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (priors, 1), "id"), ==, old);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (priors, 1), "report_status"), ==, "final");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (priors, 1), "study_date"), ==, "2020-01-05");

  g_clear_pointer (&holder, json_node_unref);
  exam = get_exam (f, other, &holder);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (exam, "priors")), ==, 0);

  g_clear_pointer (&holder, json_node_unref);
  exam = get_exam (f, old, &holder);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (exam, "report"), "is_final"));
}

static guint
patch (Fixture     *f,
       const char  *token,
       gint64       id,
       const char  *json,
       JsonNode   **answer)
{
  g_autofree char *path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT, id);

  return rw_test_server_request_json (f->server, "PATCH", path, token, json, answer);
}

static void
test_patch (Fixture       *f,
            gconstpointer  data)
{
  gint64 id = rw_test_server_add_exam (f->server, "6.1", "P001", "SILVA^JOAO");
  gint64 done = rw_test_server_add_exam (f->server, "6.2", "P002", "LIMA^BIA");
  g_autofree char *finalize = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/finalize", done);
  g_autoptr(JsonNode) answer = NULL, holder = NULL;
  const char *bad[] = {
    "{\"priority\":\"asap\"}", "{\"status\":\"completed\"}", "{\"status\":\"pending\"}",
    "{\"description\":\"x\"}", "{}", "{\"priority\":3}", "[]", "not json",
  };

  g_assert_cmpuint (patch (f, f->chefe, id, "{\"priority\":\"stat\"}", &answer), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (answer), "priority"), ==, "stat");
  g_assert_cmpstr (json_object_get_string_member (get_exam (f, id, &holder), "priority"), ==, "stat");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) refused = NULL;

      g_test_message ("PATCH %s", bad[i]);
      g_assert_cmpuint (patch (f, f->chefe, id, bad[i], &refused), ==, 400);
      g_assert_true (json_object_has_member (json_node_get_object (refused), "error"));
    }
  g_assert_cmpuint (patch (f, f->ana, id, "{\"priority\":\"routine\"}", NULL), ==, 403);
  g_assert_cmpuint (patch (f, f->chefe, 999, "{\"priority\":\"routine\"}", NULL), ==, 404);

  /* Cancelled: claimable no more. A completed exam cannot be cancelled. */
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/exams/1/claim", f->ana, NULL, NULL, 0, NULL), ==, 200);
  g_assert_cmpuint (patch (f, f->chefe, id, "{\"status\":\"cancelled\",\"priority\":\"urgent\"}", NULL), ==, 200);
  {
    g_autoptr(JsonNode) cancelled = NULL;
    JsonObject *exam = get_exam (f, id, &cancelled);

    g_assert_cmpstr (json_object_get_string_member (exam, "status"), ==, "cancelled");
    g_assert_cmpstr (json_object_get_string_member (exam, "priority"), ==, "urgent");
  }
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/exams/1/claim", f->bruno, NULL, NULL, 0, NULL), ==, 409);

  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", finalize, f->ana, "{\"conclusion\":\"Normal.\"}", NULL), ==, 200);
  g_assert_cmpuint (patch (f, f->chefe, done, "{\"status\":\"cancelled\"}", NULL), ==, 409);
  g_assert_cmpuint (patch (f, f->chefe, done, "{\"priority\":\"stat\"}", NULL), ==, 200);
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  const char *paths[] = { "/api/exams/999", "/api/exams/0", "/api/exams/abc", "/api/exams/1x",
                          "/api/exams/99999999999999999999", "/api/exams/1/nothing" };

  rw_test_server_add_exam (f->server, "7.1", "P001", "SILVA^JOAO");
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(JsonNode) answer = NULL;

      g_test_message ("%s", paths[i]);
      g_assert_cmpuint (rw_test_server_request (f->server, "GET", paths[i], f->ana, NULL, NULL, 0, &answer), ==, 404);
      g_assert_true (json_object_has_member (json_node_get_object (answer), "error"));
    }
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/exams/1", f->ana, NULL, NULL, 0, NULL), ==, 405);
}

static void
test_users (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;
  JsonArray *users;

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/users", f->ana, NULL, NULL, 0, &answer), ==, 200);
  users = json_node_get_array (answer);
  g_assert_cmpuint (json_array_get_length (users), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (json_object_get_size (json_array_get_object_element (users, i)), ==, 6);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/exams/search", Fixture, NULL, rw_test_staff_fixture_setup, test_search, rw_test_staff_fixture_teardown);
  g_test_add ("/server/exams/filters", Fixture, NULL, rw_test_staff_fixture_setup, test_filters, rw_test_staff_fixture_teardown);
  g_test_add ("/server/exams/pages", Fixture, NULL, rw_test_staff_fixture_setup, test_pages, rw_test_staff_fixture_teardown);
  g_test_add ("/server/exams/updated-since", Fixture, "2024-03-10T12:00:00Z", rw_test_staff_fixture_setup, test_updated_since, rw_test_staff_fixture_teardown);
  g_test_add ("/server/exams/priors", Fixture, NULL, rw_test_staff_fixture_setup, test_priors, rw_test_staff_fixture_teardown);
  g_test_add ("/server/exams/patch", Fixture, NULL, rw_test_staff_fixture_setup, test_patch, rw_test_staff_fixture_teardown);
  g_test_add ("/server/exams/not-found", Fixture, NULL, rw_test_staff_fixture_setup, test_not_found, rw_test_staff_fixture_teardown);
  g_test_add ("/server/exams/users", Fixture, NULL, rw_test_staff_fixture_setup, test_users, rw_test_staff_fixture_teardown);

  return g_test_run ();
}
