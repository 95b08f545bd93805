/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "rw-keyring.h"
#include "rw-test-reading.h"
#include "rw-test-studies.h"
#include "rw-test-util.h"
#include "rw-webhook.h"

char *
rw_test_reading_store_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "radiweb", "reports.db", NULL);
}

char *
rw_test_reading_store_text (const char *sql,
                            gint64      exam_id)
{
  g_autofree char *path = rw_test_reading_store_path ();
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, exam_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

RwTestServer *
rw_test_reading_server_new (void)
{
  RwTestServer *server = rw_test_server_new ();
  g_autofree char *err = NULL;
  int status;

  status = rw_test_server_run_cli (server, RW_TEST_PASSWORD "\n", NULL, &err, "user", "add", "ana",
                                   "--role", "radiologist", "--name", "Dra. Ana Souza",
                                   "--crm", "CRM/SP 123456", "--rqe", "98765", NULL);
  if (status != 0)
    g_error ("user add ana failed: %s", err);
  rw_test_server_add_user (server, "bruno", "senha-bruno-1", "radiologist", "Dr. Bruno Lima", "CRM/RJ 654321");
  rw_test_server_add_user (server, "admin", "senha-admin-1", "admin", "Administração", NULL);
  rw_test_server_start (server);
  return server;
}

static char *
orthanc_study_id (RwTestOrthanc *orthanc,
                  const char    *study_uid)
{
  g_autoptr(JsonNode) studies = rw_test_orthanc_get_json (orthanc, "/studies?expand");
  JsonArray *array;

  g_assert_nonnull (studies);
  array = json_node_get_array (studies);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *study = json_array_get_object_element (array, i);
      JsonObject *tags = json_object_get_object_member (study, "MainDicomTags");

      if (g_strcmp0 (json_object_get_string_member (tags, "StudyInstanceUID"), study_uid) == 0)
        return g_strdup (json_object_get_string_member (study, "ID"));
    }
  g_error ("Orthanc does not have the study %s", study_uid);
}

static RwTestStudy *
new_study (const char *patient_id,
           const char *patient_name,
           const char *study_date)
{
  g_autoptr(GRand) rand = g_rand_new ();
  RwTestStudy *study = rw_test_study_new_random (rand);

  rw_test_study_set (&study->patient_id, patient_id);
  rw_test_study_set (&study->patient_name, patient_name);
  rw_test_study_set (&study->modality, "CT");
  rw_test_study_set (&study->study_description, "TC ABDOME TOTAL");
  if (study_date != NULL)
    rw_test_study_set (&study->study_date, study_date);
  study->n_series = 1;
  study->n_instances = 2;
  return study;
}

void
rw_test_reading_send_study (RwTestOrthanc  *orthanc,
                            const char     *patient_id,
                            const char     *patient_name,
                            const char     *study_date,
                            char          **study_uid)
{
  g_autoptr(RwTestStudy) study = new_study (patient_id, patient_name, study_date);
  g_autoptr(GError) error = NULL;

  g_assert_true (rw_test_study_send (study, "127.0.0.1", rw_test_orthanc_get_dicom_port (orthanc),
                                     RW_TEST_ORTHANC_AET, &error));
  g_assert_no_error (error);
  if (study_uid != NULL)
    *study_uid = g_strdup (study->study_uid);
}

gint64
rw_test_reading_add_study (RwTestServer   *server,
                           RwTestOrthanc  *orthanc,
                           const char     *patient_id,
                           const char     *patient_name,
                           const char     *study_date,
                           char          **orthanc_id,
                           char          **study_uid)
{
  g_autoptr(RwTestStudy) study = new_study (patient_id, patient_name, study_date);
  g_autoptr(RwWebhookPayload) payload = NULL;
  g_autoptr(GError) error = NULL;
  const char *url = rw_test_orthanc_get_url (orthanc);

  g_assert_true (rw_test_study_send (study, "127.0.0.1", rw_test_orthanc_get_dicom_port (orthanc),
                                     RW_TEST_ORTHANC_AET, &error));
  g_assert_no_error (error);

  payload = rw_test_server_new_payload (server, study->study_uid, patient_id, patient_name);
#define SET(field, value) G_STMT_START { g_free (payload->field); payload->field = (value); } G_STMT_END
  SET (orthanc_url, g_strdup (url));
  SET (orthanc_id, orthanc_study_id (orthanc, study->study_uid));
  SET (study_date, g_strdup (study->study_date));
  SET (study_time, g_strdup (study->study_time));
  SET (accession_number, g_strdup (study->accession_number));
  SET (patient_birth_date, g_strdup (study->patient_birth_date));
  SET (patient_sex, g_strdup (study->patient_sex));
  SET (patient_age, g_strdup (study->patient_age));
  SET (stone_viewer_url, g_strdup_printf ("%s/stone-webviewer/index.html?study=%s", url, study->study_uid));
  SET (dicom_web_url, g_strdup_printf ("%s/dicom-web/studies/%s", url, study->study_uid));
  SET (rest_api_url, g_strdup_printf ("%s/studies/%s", url, payload->orthanc_id));
#undef SET
  payload->series_count = study->n_series;
  payload->instance_count = study->n_series * study->n_instances;
  if (orthanc_id != NULL)
    *orthanc_id = g_strdup (payload->orthanc_id);
  if (study_uid != NULL)
    *study_uid = g_strdup (study->study_uid);
  return rw_test_server_add_exam_from (server, payload);
}

void
rw_test_reading_use_orthanc (RwTestOrthanc *orthanc,
                             const char    *password)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *url = rw_test_orthanc_get_url (orthanc);

  g_settings_set_string (settings, "orthanc-url", url);
  g_settings_set_string (settings, "orthanc-username", rw_test_orthanc_get_username (orthanc));
  rw_keyring_store_async (RW_KEYRING_ORTHANC_PASSWORD, url, rw_test_orthanc_get_username (orthanc),
                          password, NULL, rw_test_async_ready, &result);
  g_assert_true (rw_keyring_store_finish (rw_test_await (&result), &error));
  g_assert_no_error (error);
}

void
rw_test_reading_forget_keyring (RwTestServer  *server,
                                RwTestOrthanc *orthanc)
{
  if (server != NULL)
    rw_test_keyring_forget (RW_KEYRING_TOKEN, rw_test_server_get_url (server));
  if (orthanc != NULL)
    rw_test_keyring_forget (RW_KEYRING_ORTHANC_PASSWORD, rw_test_orthanc_get_url (orthanc));
}

typedef struct {
  RwTestApp *app;
  gint64     exam_id;
} ExamWait;

static gboolean
exam_listed (gpointer data)
{
  ExamWait *w = data;
  return rw_worklist_model_find (rw_test_app_get_worklist (w->app), w->exam_id) != G_MAXUINT;
}

static gboolean
view_open (gpointer data)
{
  ExamWait *w = data;

  return rw_window_get_reading_view (w->app->window, w->exam_id) != NULL;
}

static gboolean
past_loading (gpointer data)
{
  return rw_reading_view_get_mode (data) != RW_READING_LOADING;
}

RwReadingView *
rw_test_reading_open (RwTestApp *app,
                      gint64     exam_id)
{
  RwWorklistModel *model = rw_test_app_get_worklist (app);
  GtkColumnView *column_view = rw_worklist_view_get_column_view (rw_window_get_worklist_view (app->window));
  ExamWait w = { app, exam_id };
  RwReadingView *view;

  /* Every status: an exam someone else took is in progress. */
  rw_test_app_worklist_action (app, "worklist.filter-status", g_variant_new_string ("all"));
  g_assert_true (rw_test_wait_until (exam_listed, &w, RW_TEST_APP_WAIT_MS));
  /* What a double-click on the row, or Enter on it, emits. */
  g_signal_emit_by_name (column_view, "activate", rw_worklist_model_find (model, exam_id));
  g_assert_true (rw_test_wait_until (view_open, &w, RW_TEST_APP_WAIT_MS));
  view = rw_window_get_reading_view (app->window, exam_id);
  rw_test_app_watch (app, view);
  g_assert_true (rw_test_wait_until (past_loading, view, RW_TEST_APP_WAIT_MS));
  return view;
}

typedef struct {
  RwReadingView *view;
  RwReadingMode  mode;
} ModeWait;

static gboolean
mode_is (gpointer data)
{
  ModeWait *w = data;

  return rw_reading_view_get_mode (w->view) == w->mode;
}

void
rw_test_reading_wait_mode (RwReadingView *view,
                           RwReadingMode  mode)
{
  ModeWait w = { view, mode };

  if (!rw_test_wait_until (mode_is, &w, RW_TEST_APP_WAIT_MS))
    g_error ("The view stayed in mode %d (notice: %s)", rw_reading_view_get_mode (view),
             rw_reading_view_get_notice (view));
}

void
rw_test_reading_type (RwReadingView   *view,
                      RwReportSection  section,
                      const char      *text)
{
  RwReportForm *form = rw_reading_view_get_form (view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (rw_report_form_get_text_view (form, section));
  GtkTextIter end;

  rw_report_form_focus_section (form, section);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_text_buffer_begin_user_action (buffer);
  g_assert_true (gtk_text_buffer_insert_interactive_at_cursor (buffer, text, -1, TRUE));
  gtk_text_buffer_end_user_action (buffer);
}

char *
rw_test_reading_dup_section (RwReadingView   *view,
                             RwReportSection  section)
{
  g_auto(GStrv) text = rw_report_form_dup_text (rw_reading_view_get_form (view));

  return g_strdup (text[section]);
}

JsonObject *
rw_test_reading_server_report (RwTestServer *server,
                               const char   *token,
                               gint64        exam_id)
{
  g_autofree char *path = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT, exam_id);
  g_autoptr(JsonNode) node = NULL;
  guint status;

  status = rw_test_server_request (server, "GET", path, token, NULL, NULL, 0, &node);
  if (status == 404)
    return NULL;
  g_assert_cmpuint (status, ==, 200);
  return json_object_ref (json_node_get_object (node));
}
