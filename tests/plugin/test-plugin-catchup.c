/* SPDX-License-Identifier: GPL-3.0-or-later */
/* radiweb-server's catch-up from Orthanc's /changes: with the plugin off it
 * alone brings every study in, field for field as the webhook would; it
 * resumes where it stopped after a restart; and together with a webhook
 * that arrives late, the study is still one exam. */
#include "config.h"

#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "rw-json.h"
#include "rw-test-intake.h"
#include "rw-test-util.h"

#define WAIT_MS 20000

static gint64
caught_up_to (RwTestIntake *intake)
{
  g_autofree char *uri = g_strconcat ("file:", rw_test_server_get_database (intake->server), "?mode=ro", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 seq = -1;

  g_assert_cmpint (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT last_seq FROM orthanc_changes", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return seq;
}

static gint64
orthanc_last_change (RwTestIntake *intake)
{
  g_autoptr(JsonNode) changes = rw_test_orthanc_get_json (intake->orthanc, "/changes?last");

  return json_object_get_int_member (json_node_get_object (changes), "Last");
}

static void
wait_caught_up (RwTestIntake *intake)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  gint64 last = orthanc_last_change (intake);

  while (caught_up_to (intake) < last)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
  g_assert_cmpint (caught_up_to (intake), ==, last);
}

static guint
count_stable_studies (RwTestIntake *intake)
{
  g_autoptr(JsonNode) changes = rw_test_orthanc_get_json (intake->orthanc, "/changes?limit=10000");
  JsonArray *list = json_object_get_array_member (json_node_get_object (changes), "Changes");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (list, i), "ChangeType"),
                   "StableStudy") == 0)
      n++;
  return n;
}

static RwTestStudy *
send_study (RwTestIntake *intake,
            guint         n_series,
            guint         n_instances)
{
  RwTestStudy *study = rw_test_intake_new_study (intake);

  study->n_series = n_series;
  study->n_instances = n_instances;
  rw_test_intake_send (intake, study);
  return study;
}

static void
assert_listed_once (RwTestIntake *intake,
                    GPtrArray    *studies)
{
  g_autoptr(JsonArray) exams = rw_test_intake_list_exams (intake);

  g_assert_cmpuint (json_array_get_length (exams), ==, studies->len);
  for (guint i = 0; i < studies->len; i++)
    {
      RwTestStudy *study = g_ptr_array_index (studies, i);
      g_autoptr(RwExam) exam = rw_test_intake_wait_for_exam (intake, study->study_uid, 0);

      g_assert_nonnull (exam);
      rw_test_intake_assert_exam (intake, exam, study);
    }
}

static void
test_plugin_disabled (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_PLUGIN_DISABLED);
  g_autoptr(GPtrArray) studies = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_test_study_free);
  g_autoptr(JsonObject) status = NULL;

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (studies, send_study (intake, 1 + i % 2, 1 + i / 2));
  g_assert_true (rw_test_intake_wait_for_count (intake, studies->len, WAIT_MS));
  wait_caught_up (intake);
  assert_listed_once (intake, studies);

  /* The plugin says why it sent nothing. */
  status = rw_test_intake_plugin_status (intake);
  g_assert_false (json_object_get_boolean_member (status, "enabled"));
  g_assert_false (json_object_get_boolean_member (status, "healthy"));
}

static gboolean
all_stable (gpointer data)
{
  RwTestIntake *intake = ((gpointer *) data)[0];
  guint n = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return count_stable_studies (intake) >= n;
}

static void
test_resume (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_PLUGIN_DISABLED);
  g_autoptr(GPtrArray) studies = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_test_study_free);
  g_autofree char *log = NULL;
  g_autofree char *resumed = NULL;
  gpointer wait_data[2];
  gint64 stopped_at;

  g_ptr_array_add (studies, send_study (intake, 1, 1));
  g_ptr_array_add (studies, send_study (intake, 1, 1));
  g_assert_true (rw_test_intake_wait_for_count (intake, 2, WAIT_MS));
  wait_caught_up (intake);
  rw_test_server_stop (intake->server);
  stopped_at = caught_up_to (intake);
  g_assert_cmpint (stopped_at, >, 0);

  /* Studies that become stable while nobody follows. */
  g_ptr_array_add (studies, send_study (intake, 2, 1));
  g_ptr_array_add (studies, send_study (intake, 1, 2));
  wait_data[0] = intake;
  wait_data[1] = GUINT_TO_POINTER (4);
  g_assert_true (rw_test_wait_until (all_stable, wait_data, WAIT_MS));

  rw_test_intake_start_server (intake);
  g_assert_true (rw_test_intake_wait_for_count (intake, 4, WAIT_MS));
  wait_caught_up (intake);
  assert_listed_once (intake, studies);

  /* It went on from where it had stopped, not from the start. */
  log = rw_test_server_read_log (intake->server);
  resumed = g_strdup_printf ("/changes from %" G_GINT64_FORMAT, stopped_at);
  g_assert_nonnull (strstr (log, resumed));
}

static gboolean
refused_signature (JsonObject *status,
                   gpointer    data)
{
  JsonObject *last_error = json_object_get_object_member (status, "last_error");

  return last_error != NULL && !json_object_get_null_member (last_error, "http_status") &&
         json_object_get_int_member (last_error, "http_status") == 401;
}

static gboolean
delivered_one (JsonObject *status,
               gpointer    data)
{
  return json_object_get_int_member (status, "queue_length") == 0 &&
         json_object_get_int_member (status, "delivered") == 1;
}

/* The catch-up stores the study first, the webhook comes later: still one
 * exam, and the exam keeps what the reading room did in between. */
static void
test_webhook_after_catchup (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_WRONG_SECRET);
  g_autoptr(GPtrArray) studies = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_test_study_free);
  g_autoptr(RwExam) exam = NULL;
  g_autoptr(RwExam) after = NULL;
  g_autofree char *claim = NULL;
  g_autoptr(JsonNode) response = NULL;

  g_ptr_array_add (studies, send_study (intake, 1, 2));
  exam = rw_test_intake_wait_for_exam (intake, ((RwTestStudy *) studies->pdata[0])->study_uid, WAIT_MS);
  g_assert_nonnull (exam);
  g_assert_true (rw_test_intake_wait_for_status (intake, refused_signature, NULL, WAIT_MS));

  claim = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT "/claim", rw_exam_get_id (exam));
  g_assert_cmpuint (rw_test_server_request (intake->server, "POST", claim, intake->token, NULL, NULL, 0,
                                            &response), ==, 200);

  rw_test_server_set_config (intake->server, "webhook", "secret", intake->plugin_secret);
  rw_test_server_stop (intake->server);
  rw_test_intake_start_server (intake);
  g_assert_true (rw_test_intake_wait_for_status (intake, delivered_one, NULL, WAIT_MS));

  assert_listed_once (intake, studies);
  after = rw_test_intake_wait_for_exam (intake, ((RwTestStudy *) studies->pdata[0])->study_uid, 0);
  g_assert_cmpint (rw_exam_get_id (after), ==, rw_exam_get_id (exam));
  g_assert_cmpint (rw_exam_get_status (after), ==, RW_EXAM_STATUS_IN_PROGRESS);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin/catchup/plugin-disabled", test_plugin_disabled);
  g_test_add_func ("/plugin/catchup/resume", test_resume);
  g_test_add_func ("/plugin/catchup/webhook-after-catchup", test_webhook_after_catchup);
  return g_test_run ();
}
