/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "rw-test-server.h"

/* The dashboard and productivity figures against a server whose clock the
 * test sets (the test build of radiweb-server), with exams received and
 * laudos signed at known instants around local midnights of São Paulo
 * (UTC−3; UTC−2 in the summers up to 2019). */

typedef struct {
  RwTestServer *server;
  char         *ana;
  char         *bruno;
  char         *chefe;
  gint64        bruno_id;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonNode) me = NULL;

  f->server = rw_test_server_new ();
  rw_test_server_set_clock (f->server, "2024-01-01T12:00:00Z");
  rw_test_server_add_staff (f->server, "ana");
  rw_test_server_add_staff (f->server, "bruno");
  rw_test_server_add_staff (f->server, "chefe");
  rw_test_server_start (f->server);
  f->ana = rw_test_server_login_staff (f->server, "ana");
  f->bruno = rw_test_server_login_staff (f->server, "bruno");
  f->chefe = rw_test_server_login_staff (f->server, "chefe");
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/auth/me", f->bruno, NULL, NULL, 0, &me), ==, 200);
  f->bruno_id = json_object_get_int_member (json_node_get_object (me), "id");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_free (f->ana);
  g_free (f->bruno);
  g_free (f->chefe);
  rw_test_server_free (f->server);
}

/* Tokens are valid for 12 hours of the server's clock, which these tests
 * move by years: log in again at each new time. */
static char *
token_at (Fixture    *f,
          const char *when,
          const char *user)
{
  g_autofree char *password = g_strdup_printf ("senha-d%s-%s", g_str_equal (user, "ana") ? "a" : "o", user);

  rw_test_server_set_clock (f->server, when);
  return rw_test_server_login (f->server, user, password);
}

static gint64
receive_at (Fixture    *f,
            const char *when,
            const char *uid,
            const char *modality)
{
  g_autoptr(RwWebhookPayload) p = NULL;

  rw_test_server_set_clock (f->server, when);
  p = rw_test_server_new_payload (f->server, uid, uid, "PACIENTE^TESTE");
  g_free (p->modality);
  p->modality = g_strdup (modality);
  return rw_test_server_add_exam_from (f->server, p);
}

static void
report_at (Fixture    *f,
           const char *when,
           gint64      id,
           const char *action)
{
  g_autofree char *token = token_at (f, when, "ana");
  g_autofree char *path = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/%s", id, action);

  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", path, token,
                                                 "{\"findings\":\"Normal.\",\"conclusion\":\"Normal.\"}", NULL), ==, 200);
}

static JsonObject *
metrics (Fixture    *f,
         const char *token,
         const char *path,
         JsonNode  **holder)
{
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, token, NULL, NULL, 0, holder), ==, 200);
  return json_node_get_object (*holder);
}

static void
assert_counts (JsonArray  *array,
               const char *key,
               const char *expected)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      g_string_append_printf (text, "%s%s=%" G_GINT64_FORMAT, i > 0 ? "," : "",
                              json_object_get_string_member (o, key), json_object_get_int_member (o, "count"));
    }
  g_assert_cmpstr (text->str, ==, expected);
}

static void
test_dashboard (Fixture       *f,
                gconstpointer  data)
{
  gint64 e2, e5;
  g_autofree char *token = NULL;
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *m;

  /* Local today is 2024-03-10; the week starts 7 days before (03-03), the
   * month 30 days before (02-09), at local midnight (03:00 UTC). */
  receive_at (f, "2024-03-10T02:59:59Z", "e1", "CT");   /* 03-09 23:59:59 local */
  e2 = receive_at (f, "2024-03-10T03:00:00Z", "e2", "CT");  /* today's first second */
  receive_at (f, "2024-03-11T02:59:59Z", "e3", "CT");   /* today's last second */
  receive_at (f, "2024-03-03T03:00:00Z", "e4", "CT");   /* the week's first second */
  e5 = receive_at (f, "2024-03-03T02:59:59Z", "e5", "MR");  /* just before the week */
  receive_at (f, "2024-02-09T03:00:00Z", "e6", "MR");   /* the month's first second */
  receive_at (f, "2024-02-09T02:59:59Z", "e7", "US");   /* just before the month */

  /* Two laudos: 60 and 90 minutes from the first save to the signature. */
  report_at (f, "2024-03-10T01:30:00Z", e2, "save");
  report_at (f, "2024-03-10T02:00:00Z", e5, "save");
  report_at (f, "2024-03-10T02:30:00Z", e2, "finalize");
  report_at (f, "2024-03-10T03:30:00Z", e5, "finalize");

  token = token_at (f, "2024-03-10T15:00:00Z", "bruno");
  m = metrics (f, token, "/api/metrics/dashboard", &holder);
  g_assert_cmpint (json_object_get_int_member (m, "exams_today"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (m, "exams_week"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (m, "exams_month"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (m, "pending_exams"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (m, "completed_exams"), ==, 2);
  assert_counts (json_object_get_array_member (m, "exams_by_modality"), "modality", "CT=4,MR=2,US=1");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (m, "avg_report_time_hours"), 1.25, 1e-9);
}

static void
test_dashboard_empty (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) holder = NULL;
  JsonObject *m = metrics (f, f->ana, "/api/metrics/dashboard", &holder);

  g_assert_cmpint (json_object_get_int_member (m, "exams_today"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (m, "exams_by_modality")), ==, 0);
  /* No laudo yet: no average, as the seed's Avg() gives None. */
  g_assert_true (json_object_get_null_member (m, "avg_report_time_hours"));
}

/* 2019-02-16 in São Paulo lasted 25 hours: summer time ended at its
 * midnight, so 23:00–24:00 came twice, the second time at UTC−3. */
static void
test_summer_time_day (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autoptr(JsonNode) dashboard = NULL, productivity = NULL;
  JsonObject *m;
  gint64 x2;

  receive_at (f, "2019-02-16T01:00:00Z", "x5", "CT");   /* 02-15 23:00 (UTC−2) */
  receive_at (f, "2019-02-16T01:30:00Z", "x1", "CT");   /* 02-15 23:30 (UTC−2) */
  x2 = receive_at (f, "2019-02-16T02:30:00Z", "x2", "CT");  /* 02-16 00:30 (UTC−2) */
  receive_at (f, "2019-02-17T02:30:00Z", "x3", "CT");   /* 02-16 23:30 (UTC−3) */
  receive_at (f, "2019-02-17T03:30:00Z", "x4", "CT");   /* 02-17 00:30 (UTC−3) */
  report_at (f, "2019-02-16T20:00:00Z", x2, "save");
  report_at (f, "2019-02-17T02:45:00Z", x2, "finalize"); /* 02-16 23:45 (UTC−3) */

  token = token_at (f, "2019-02-16T15:00:00Z", "ana");
  m = metrics (f, token, "/api/metrics/dashboard", &dashboard);
  g_assert_cmpint (json_object_get_int_member (m, "exams_today"), ==, 2);

  m = metrics (f, token, "/api/metrics/productivity?start=2019-02-16&end=2019-02-16", &productivity);
  g_assert_cmpint (json_object_get_int_member (m, "total_reports"), ==, 1);
  assert_counts (json_object_get_array_member (m, "reports_by_day"), "day", "2019-02-16=1");
}

static void
test_productivity (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *token = NULL, *admin = NULL, *path = NULL;
  g_autoptr(JsonNode) one_day = NULL, two_days = NULL, first = NULL, other = NULL;
  JsonObject *m;
  gint64 a, b, c;
  const char *bad[] = {
    "/api/metrics/productivity?start=2024-03-31&end=2024-03-01",
    "/api/metrics/productivity?start=10/03/2024",
    "/api/metrics/productivity?end=2024-02-30",
    "/api/metrics/productivity?radiologist_id=abc",
  };

  a = receive_at (f, "2024-03-09T12:00:00Z", "p1", "CT");
  b = receive_at (f, "2024-03-09T12:00:00Z", "p2", "MR");
  c = receive_at (f, "2024-03-09T12:00:00Z", "p3", "CT");
  report_at (f, "2024-03-10T01:30:00Z", a, "save");
  report_at (f, "2024-03-10T02:00:00Z", b, "save");
  report_at (f, "2024-03-10T02:30:00Z", a, "finalize");   /* 03-09 23:30 local, 60 min */
  report_at (f, "2024-03-10T03:30:00Z", b, "finalize");   /* 03-10 00:30 local, 90 min */
  report_at (f, "2024-03-10T04:00:00Z", c, "save");       /* a draft does not count */

  token = token_at (f, "2024-03-10T15:00:00Z", "ana");
  m = metrics (f, token, "/api/metrics/productivity?start=2024-03-10&end=2024-03-10", &one_day);
  g_assert_cmpint (json_object_get_int_member (m, "total_reports"), ==, 1);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (m, "avg_time_per_report_minutes"), 90.0, 1e-9);
  assert_counts (json_object_get_array_member (m, "reports_by_modality"), "modality", "MR=1");
  assert_counts (json_object_get_array_member (m, "reports_by_day"), "day", "2024-03-10=1");

  m = metrics (f, token, "/api/metrics/productivity?start=2024-03-09&end=2024-03-10", &two_days);
  g_assert_cmpint (json_object_get_int_member (m, "total_reports"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (m, "avg_time_per_report_minutes"), 75.0, 1e-9);
  assert_counts (json_object_get_array_member (m, "reports_by_modality"), "modality", "CT=1,MR=1");
  assert_counts (json_object_get_array_member (m, "reports_by_day"), "day", "2024-03-09=1,2024-03-10=1");

  /* The last 30 days by default, today included. */
  m = metrics (f, token, "/api/metrics/productivity", &first);
  g_assert_cmpint (json_object_get_int_member (m, "total_reports"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (m, "end"), ==, "2024-03-10");

  /* Someone else's figures are for administrators. */
  path = g_strdup_printf ("/api/metrics/productivity?radiologist_id=%" G_GINT64_FORMAT, f->bruno_id);
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, token, NULL, NULL, 0, NULL), ==, 403);
  admin = token_at (f, "2024-03-10T15:00:00Z", "chefe");
  m = metrics (f, admin, path, &other);
  g_assert_cmpint (json_object_get_int_member (m, "total_reports"), ==, 0);
  g_assert_true (json_object_get_null_member (m, "avg_time_per_report_minutes"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (m, "reports_by_day")), ==, 0);
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/metrics/productivity", admin, NULL, NULL, 0, NULL), ==, 400);
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/metrics/productivity?radiologist_id=999", admin, NULL, NULL, 0, NULL), ==, 404);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) answer = NULL;

      g_test_message ("%s", bad[i]);
      g_assert_cmpuint (rw_test_server_request (f->server, "GET", bad[i], token, NULL, NULL, 0, &answer), ==, 400);
      g_assert_true (json_object_has_member (json_node_get_object (answer), "error"));
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/metrics/dashboard", Fixture, NULL, fixture_setup, test_dashboard, fixture_teardown);
  g_test_add ("/server/metrics/dashboard-empty", Fixture, NULL, fixture_setup, test_dashboard_empty, fixture_teardown);
  g_test_add ("/server/metrics/summer-time-day", Fixture, NULL, fixture_setup, test_summer_time_day, fixture_teardown);
  g_test_add ("/server/metrics/productivity", Fixture, NULL, fixture_setup, test_productivity, fixture_teardown);

  return g_test_run ();
}
