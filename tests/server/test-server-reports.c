/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-test-server.h"
#include "rw-test-util.h"

/* The laudo's life across two radiologists: claims, drafts with versions,
 * the final laudo and its addenda. */

typedef RwTestStaffFixture Fixture;

static guint
post (Fixture     *f,
      const char  *token,
      gint64       id,
      const char  *action,
      const char  *content_type,
      const char  *body,
      JsonNode   **answer)
{
  g_autofree char *path = g_strdup_printf ("/api/%s/%" G_GINT64_FORMAT "/%s",
                                           g_str_equal (action, "claim") || g_str_equal (action, "release") ? "exams" : "reports",
                                           id, action);

  return rw_test_server_request (f->server, "POST", path, token, content_type, body,
                                 body != NULL ? strlen (body) : 0, answer);
}

static JsonObject *
get (Fixture    *f,
     const char *token,
     const char *what,
     gint64      id,
     guint       status,
     JsonNode  **holder)
{
  g_autofree char *path = g_strdup_printf ("/api/%s/%" G_GINT64_FORMAT, what, id);

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, token, NULL, NULL, 0, holder), ==, status);
  return *holder != NULL && JSON_NODE_HOLDS_OBJECT (*holder) ? json_node_get_object (*holder) : NULL;
}

/* A multipart/form-data body, as the seed's FormData sends. */
static char *
form_data (const char *boundary,
           const char *first_name,
           ...)
{
  GString *body = g_string_new (NULL);
  va_list args;

  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    g_string_append_printf (body, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n",
                            boundary, name, va_arg (args, const char *));
  va_end (args);
  g_string_append_printf (body, "--%s--\r\n", boundary);
  return g_string_free (body, FALSE);
}

#define MULTIPART "multipart/form-data; boundary=XyZ"
#define URLENCODED "application/x-www-form-urlencoded"
#define JSON "application/json"

static void
test_lifecycle (Fixture       *f,
                gconstpointer  data)
{
  gint64 id = rw_test_server_add_exam (f->server, "1.1", "P001", "SILVA^JOAO");
  g_autofree char *draft = form_data ("XyZ", "technique", "TC helicoidal sem contraste.",
                                      "findings", "Fígado de dimensões normais.",
                                      "conclusion", "", NULL);
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL, g = NULL, h = NULL, i = NULL, k = NULL;
  g_autoptr(JsonNode) exam_holder = NULL, report_holder = NULL, after_holder = NULL;
  JsonObject *report, *stored, *exam, *addendum;

  /* Ana saves a draft: the exam is hers now. */
  g_assert_cmpuint (post (f, f->ana, id, "save", MULTIPART, draft, &a), ==, 200);
  g_assert_true (json_object_get_boolean_member (rw_test_object (a), "success"));
  report = json_object_get_object_member (rw_test_object (a), "report");
  g_assert_cmpint (json_object_get_int_member (report, "exam_id"), ==, id);
  g_assert_cmpint (json_object_get_int_member (report, "version"), ==, 1);
  g_assert_false (json_object_get_boolean_member (report, "is_final"));
  g_assert_true (json_object_get_null_member (report, "finalized_at"));
  g_assert_cmpstr (json_object_get_string_member (report, "findings"), ==, "Fígado de dimensões normais.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report, "radiologist"), "crm"), ==, "CRM/SP 123456");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "addenda")), ==, 0);
  exam = get (f, f->ana, "exams", id, 200, &exam_holder);
  g_assert_cmpstr (json_object_get_string_member (exam, "status"), ==, "in_progress");
  g_assert_cmpint (json_object_get_int_member (exam, "assigned_to"), ==,
                   json_object_get_int_member (json_object_get_object_member (report, "radiologist"), "id"));

  /* Bruno can neither claim nor write it. */
  g_assert_cmpuint (post (f, f->bruno, id, "claim", NULL, NULL, &b), ==, 409);
  g_assert_true (json_object_has_member (rw_test_object (b), "error"));
  g_assert_cmpuint (post (f, f->bruno, id, "save", JSON, "{\"findings\":\"Outro texto.\"}", NULL), ==, 409);
  g_assert_cmpuint (post (f, f->bruno, id, "finalize", JSON, "{\"conclusion\":\"Outro.\"}", NULL), ==, 409);
  g_assert_cmpuint (post (f, f->bruno, id, "release", NULL, NULL, NULL), ==, 403);

  /* A second save on version 1 goes; another one still on version 1 is
   * stale and gets the stored report back. */
  g_assert_cmpuint (post (f, f->ana, id, "save", URLENCODED, "findings=F%C3%ADgado+normal.&version=1", &c), ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (rw_test_object (c), "report"), "version"), ==, 2);
  g_assert_cmpuint (post (f, f->ana, id, "save", URLENCODED, "findings=Vers%C3%A3o+antiga.&version=1", &d), ==, 409);
  stored = json_object_get_object_member (rw_test_object (d), "report");
  g_assert_nonnull (json_object_get_string_member (rw_test_object (d), "error"));
  g_assert_cmpint (json_object_get_int_member (stored, "version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (stored, "findings"), ==, "Fígado normal.");
  /* The technique of the first save was kept: a missing field is not erased. */
  g_assert_cmpstr (json_object_get_string_member (stored, "technique"), ==, "TC helicoidal sem contraste.");

  /* No conclusion, no final laudo; an administrator signs nothing. */
  g_assert_cmpuint (post (f, f->ana, id, "finalize", JSON, "{\"version\":2}", &e), ==, 400);
  g_assert_true (json_object_has_member (rw_test_object (e), "error"));
  g_assert_cmpuint (post (f, f->ana, id, "finalize", JSON, "{\"conclusion\":\"   \"}", NULL), ==, 400);
  g_assert_cmpuint (post (f, f->chefe, id, "finalize", JSON, "{\"conclusion\":\"Normal.\"}", NULL), ==, 403);
  report = get (f, f->ana, "reports", id, 200, &report_holder);
  g_assert_false (json_object_get_boolean_member (report, "is_final"));
  g_assert_cmpint (json_object_get_int_member (report, "version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (report, "conclusion"), ==, "");

  /* Finalized: signed, completed, and frozen. */
  g_assert_cmpuint (post (f, f->ana, id, "finalize", JSON, "{\"conclusion\":\"Exame dentro da normalidade.\",\"version\":2}", &g), ==, 200);
  report = json_object_get_object_member (rw_test_object (g), "report");
  g_assert_true (json_object_get_boolean_member (report, "is_final"));
  g_assert_cmpint (json_object_get_int_member (report, "version"), ==, 3);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (report, "finalized_at"), "Z"));
  g_assert_cmpstr (json_object_get_string_member (report, "conclusion"), ==, "Exame dentro da normalidade.");
  g_clear_pointer (&exam_holder, json_node_unref);
  exam = get (f, f->ana, "exams", id, 200, &exam_holder);
  g_assert_cmpstr (json_object_get_string_member (exam, "status"), ==, "completed");

  g_assert_cmpuint (post (f, f->ana, id, "save", JSON, "{\"findings\":\"Mudança.\"}", &h), ==, 409);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (rw_test_object (h), "report"), "is_final"));
  g_assert_cmpuint (post (f, f->ana, id, "finalize", JSON, "{\"conclusion\":\"Outra.\"}", NULL), ==, 409);
  g_assert_cmpuint (post (f, f->ana, id, "claim", NULL, NULL, NULL), ==, 409);

  /* Corrections are addenda. */
  g_assert_cmpuint (post (f, f->ana, id, "addendum", JSON, "{\"text\":\"   \"}", NULL), ==, 400);
  g_assert_cmpuint (post (f, f->chefe, id, "addendum", JSON, "{\"text\":\"Nota.\"}", NULL), ==, 403);
  g_assert_cmpuint (post (f, f->bruno, id, "addendum", URLENCODED, "text=Revisado+por+segundo+leitor.", &i), ==, 200);
  addendum = json_array_get_object_element (json_object_get_array_member (json_object_get_object_member (rw_test_object (i), "report"), "addenda"), 0);
  g_assert_cmpstr (json_object_get_string_member (addendum, "text"), ==, "Revisado por segundo leitor.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (addendum, "author"), "username"), ==, "bruno");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (addendum, "created_at"), "Z"));

  report = get (f, f->bruno, "reports", id, 200, &after_holder);
  g_assert_cmpstr (json_object_get_string_member (report, "findings"), ==, "Fígado normal.");
  g_assert_cmpstr (json_object_get_string_member (report, "conclusion"), ==, "Exame dentro da normalidade.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report, "radiologist"), "username"), ==, "ana");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "addenda")), ==, 1);

  /* An addendum needs a final laudo; a report needs an exam. */
  {
    gint64 other = rw_test_server_add_exam (f->server, "1.2", "P002", "LIMA^BIA");
    g_autoptr(JsonNode) none = NULL;

    g_assert_cmpuint (post (f, f->ana, other, "addendum", JSON, "{\"text\":\"Nota.\"}", &k), ==, 409);
    get (f, f->ana, "reports", other, 404, &none);
    g_assert_cmpuint (post (f, f->ana, other, "save", JSON, "{\"findings\":\"x\"}", NULL), ==, 200);
    g_assert_cmpuint (post (f, f->ana, other, "addendum", JSON, "{\"text\":\"Nota.\"}", NULL), ==, 409);
    g_assert_cmpuint (post (f, f->ana, 999, "save", JSON, "{\"findings\":\"x\"}", NULL), ==, 404);
    g_assert_cmpuint (post (f, f->ana, 999, "finalize", JSON, "{\"conclusion\":\"x\"}", NULL), ==, 404);
  }
}

static void
test_release_and_take_over (Fixture       *f,
                            gconstpointer  data)
{
  gint64 id = rw_test_server_add_exam (f->server, "2.1", "P001", "SILVA^JOAO");
  g_autoptr(JsonNode) released = NULL, saved = NULL;

  g_assert_cmpuint (post (f, f->ana, id, "claim", NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (post (f, f->ana, id, "claim", NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (post (f, f->ana, id, "save", JSON, "{\"findings\":\"Rascunho da Ana.\"}", NULL), ==, 200);
  g_assert_cmpuint (post (f, f->ana, id, "release", NULL, NULL, &released), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (rw_test_object (released), "status"), ==, "pending");
  g_assert_true (json_object_get_null_member (rw_test_object (released), "assigned_to"));

  /* Bruno takes over the draft and signs it. */
  g_assert_cmpuint (post (f, f->bruno, id, "claim", NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (post (f, f->bruno, id, "finalize", JSON, "{\"conclusion\":\"Normal.\",\"version\":1}", &saved), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (rw_test_object (saved), "report"), "radiologist"), "username"), ==, "bruno");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (rw_test_object (saved), "report"), "findings"), ==, "Rascunho da Ana.");

  /* An administrator may release someone else's claim. */
  id = rw_test_server_add_exam (f->server, "2.2", "P002", "LIMA^BIA");
  g_assert_cmpuint (post (f, f->bruno, id, "claim", NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (post (f, f->chefe, id, "release", NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (post (f, f->chefe, id, "claim", NULL, NULL, NULL), ==, 403);
  g_assert_cmpuint (post (f, f->ana, id, "claim", NULL, NULL, NULL), ==, 200);
}

typedef struct {
  guint statuses[2];
  guint pending;
} Race;

typedef struct {
  Race  *race;
  guint  index;
} Runner;

static void
on_claimed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Runner *runner = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  runner->race->statuses[runner->index] = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source), result));
  runner->race->pending--;
}

static gboolean
race_done (gpointer data)
{
  return ((Race *) data)->pending == 0;
}

/* Two radiologists claim the same exam at the same moment, each from
 * their own connection: exactly one wins. */
static void
test_claim_race (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns-per-host", 8, NULL);

  for (guint round = 0; round < 10; round++)
    {
      g_autofree char *uid = g_strdup_printf ("3.%u", round);
      gint64 id = rw_test_server_add_exam (f->server, uid, "P003", "ROCHA^RUI");
      g_autofree char *url = g_strdup_printf ("%s/api/exams/%" G_GINT64_FORMAT "/claim", rw_test_server_get_url (f->server), id);
      const char *tokens[] = { f->ana, f->bruno };
      Race race = { { 0, 0 }, 2 };
      Runner runners[2] = { { &race, 0 }, { &race, 1 } };
      g_autoptr(JsonNode) holder = NULL;
      JsonObject *exam;

      for (guint i = 0; i < 2; i++)
        {
          g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
          g_autofree char *header = g_strdup_printf ("Bearer %s", tokens[(i + round) % 2]);

          soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
          soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_claimed, &runners[i]);
        }
      g_assert_true (rw_test_wait_until (race_done, &race, 10000));
      g_assert_true ((race.statuses[0] == 200 && race.statuses[1] == 409) ||
                     (race.statuses[0] == 409 && race.statuses[1] == 200));

      exam = get (f, f->ana, "exams", id, 200, &holder);
      g_assert_cmpstr (json_object_get_string_member (exam, "status"), ==, "in_progress");
      g_assert_false (json_object_get_null_member (exam, "assigned_to"));
    }
}

/* Bodies the save route refuses change nothing. */
static void
test_bad_bodies (Fixture       *f,
                 gconstpointer  data)
{
  gint64 id = rw_test_server_add_exam (f->server, "4.1", "P004", "COSTA^EVA");
  g_autofree char *long_text = g_strnfill (100 * 1000 + 1, 'a');
  g_autofree char *too_long = g_strdup_printf ("{\"findings\":\"%s\"}", long_text);
  const struct {
    const char *type;
    const char *body;
    guint       status;
  } cases[] = {
    { "text/plain", "findings=x", 415 },
    { NULL, "findings=x", 415 },
    { JSON, "{\"findings\":", 400 },
    { JSON, "{\"findings\":[1]}", 400 },
    { JSON, "{\"version\":\"two\"}", 400 },
    { JSON, "{\"version\":-1}", 400 },
    { URLENCODED, "findings=%FF%FE", 400 },
    { URLENCODED, "version=1.5", 400 },
    { MULTIPART, "--XyZ\r\nnot a part", 400 },
    { JSON, too_long, 400 },
  };
  g_autoptr(JsonNode) holder = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) answer = NULL;

      g_test_message ("%s: %.40s", cases[i].type, cases[i].body);
      g_assert_cmpuint (post (f, f->ana, id, "save", cases[i].type, cases[i].body, &answer), ==, cases[i].status);
      g_assert_true (json_object_has_member (rw_test_object (answer), "error"));
    }
  get (f, f->ana, "reports", id, 404, &holder);
  g_clear_pointer (&holder, json_node_unref);
  g_assert_cmpstr (json_object_get_string_member (get (f, f->ana, "exams", id, 200, &holder), "status"), ==, "pending");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/reports/lifecycle", Fixture, NULL, rw_test_staff_fixture_setup, test_lifecycle, rw_test_staff_fixture_teardown);
  g_test_add ("/server/reports/release-and-take-over", Fixture, NULL, rw_test_staff_fixture_setup, test_release_and_take_over, rw_test_staff_fixture_teardown);
  g_test_add ("/server/reports/claim-race", Fixture, NULL, rw_test_staff_fixture_setup, test_claim_race, rw_test_staff_fixture_teardown);
  g_test_add ("/server/reports/bad-bodies", Fixture, NULL, rw_test_staff_fixture_setup, test_bad_bodies, rw_test_staff_fixture_teardown);

  return g_test_run ();
}
