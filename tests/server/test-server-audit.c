/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "rw-test-server.h"

/* The audit trail: each access the contract lists is recorded with who,
 * what, which resource, when, from which address and client. */

typedef struct {
  RwTestServer *server;
  char         *ana;
  char         *chefe;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = rw_test_server_new ();
  rw_test_server_set_clock (f->server, "2024-03-10T12:00:00Z");
  rw_test_server_add_staff (f->server, "ana");
  rw_test_server_add_staff (f->server, "chefe");
  rw_test_server_start (f->server);
  /* Every request of this test says who the client is. */
  g_object_set (rw_test_server_get_session (f->server), "user-agent", "Radiweb-Test/1.0", NULL);
  f->ana = rw_test_server_login_staff (f->server, "ana");
  f->chefe = rw_test_server_login_staff (f->server, "chefe");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_free (f->ana);
  g_free (f->chefe);
  rw_test_server_free (f->server);
}

static JsonArray *
audit (Fixture    *f,
       const char *query,
       JsonNode  **holder)
{
  g_autofree char *path = g_strdup_printf ("/api/audit%s", query);

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, f->chefe, NULL, NULL, 0, holder), ==, 200);
  return json_node_get_array (*holder);
}

/* The actions of the entries, newest first. */
static char *
actions (JsonArray *entries)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (entries); i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "," : "",
                            json_object_get_string_member (json_array_get_object_element (entries, i), "action"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
assert_actions (Fixture    *f,
                const char *query,
                const char *expected)
{
  g_autoptr(JsonNode) holder = NULL;
  g_autofree char *got = actions (audit (f, query, &holder));

  g_test_message ("?%s → %s", query, got);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_trail (Fixture       *f,
            gconstpointer  data)
{
  gint64 id = rw_test_server_add_exam (f->server, "1.1", "P001", "SILVA^JOAO");
  g_autofree char *exam = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT, id);
  g_autofree char *report = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT, id);
  g_autofree char *save = g_strdup_printf ("%s/save", report);
  g_autofree char *finalize = g_strdup_printf ("%s/finalize", report);
  g_autofree char *export = g_strdup_printf ("{\"exam_id\":%" G_GINT64_FORMAT ",\"format\":\"pdf\"}", id);
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autoptr(JsonNode) holder = NULL;
  JsonArray *entries;
  JsonObject *entry;

  rw_test_server_set_clock (f->server, "2024-03-10T12:01:00Z");
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", exam, f->ana, NULL, NULL, 0, NULL), ==, 200);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", save, f->ana, "{\"findings\":\"Normal.\"}", NULL), ==, 200);
  rw_test_server_set_clock (f->server, "2024-03-10T12:02:00Z");
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", report, f->ana, NULL, NULL, 0, NULL), ==, 200);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", finalize, f->ana, "{\"conclusion\":\"Normal.\"}", NULL), ==, 200);
  rw_test_server_set_clock (f->server, "2024-03-10T12:03:00Z");
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", "/api/audit/export", f->ana, export, NULL), ==, 200);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", "/api/auth/login", NULL,
                                                 "{\"username\":\"ana\",\"password\":\"errada\"}", NULL), ==, 401);

  assert_actions (f, "?user=ana", "export,finalize_report,read_report,save_report,open_exam,login");
  entries = audit (f, "?user=ana&action=save_report", &holder);
  g_assert_cmpuint (json_array_get_length (entries), ==, 1);
  entry = json_array_get_object_element (entries, 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "user"), "username"), ==, "ana");
  g_assert_cmpstr (json_object_get_string_member (entry, "username"), ==, "ana");
  g_assert_cmpstr (json_object_get_string_member (entry, "resource_type"), ==, "exam");
  g_assert_cmpstr (json_object_get_string_member (entry, "resource_id"), ==, id_text);
  g_assert_cmpstr (json_object_get_string_member (entry, "timestamp"), ==, "2024-03-10T12:01:00Z");
  g_assert_cmpstr (json_object_get_string_member (entry, "ip_address"), ==, "127.0.0.1");
  g_assert_cmpstr (json_object_get_string_member (entry, "user_agent"), ==, "Radiweb-Test/1.0");

  /* A failed login names the user it tried. */
  g_clear_pointer (&holder, json_node_unref);
  entries = audit (f, "?action=login_failed", &holder);
  g_assert_cmpuint (json_array_get_length (entries), ==, 1);
  entry = json_array_get_object_element (entries, 0);
  g_assert_true (json_object_get_null_member (entry, "user"));
  g_assert_cmpstr (json_object_get_string_member (entry, "resource_id"), ==, "ana");

  g_clear_pointer (&holder, json_node_unref);
  entries = audit (f, "?action=export", &holder);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "detail"), ==, "pdf");

  /* From/to: instants, or whole local days. */
  assert_actions (f, "?user=ana&from=2024-03-10T12:02:00Z", "export,finalize_report,read_report");
  assert_actions (f, "?user=ana&from=2024-03-10T12:01:00Z&to=2024-03-10T12:01:59Z", "save_report,open_exam");
  assert_actions (f, "?user=ana&from=2024-03-10&to=2024-03-10", "export,finalize_report,read_report,save_report,open_exam,login");
  assert_actions (f, "?user=ana&to=2024-03-09", "");
  assert_actions (f, "?user=ana&limit=2", "export,finalize_report");

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/audit?from=ontem", f->chefe, NULL, NULL, 0, NULL), ==, 400);
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/audit", f->ana, NULL, NULL, 0, NULL), ==, 403);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", "/api/audit/export", f->ana,
                                                 "{\"exam_id\":999,\"format\":\"pdf\"}", NULL), ==, 404);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", "/api/audit/export", f->ana,
                                                 "{\"exam_id\":\"1\"}", NULL), ==, 400);
}

/* The trail cannot be edited, not even by a bug in the server. */
static void
test_append_only (Fixture       *f,
                  gconstpointer  data)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (rw_test_server_get_database (f->server), &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE audit SET username = 'x'", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM audit", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);
  assert_actions (f, "?user=ana", "login");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/audit/trail", Fixture, NULL, fixture_setup, test_trail, fixture_teardown);
  g_test_add ("/server/audit/append-only", Fixture, NULL, fixture_setup, test_append_only, fixture_teardown);

  return g_test_run ();
}
