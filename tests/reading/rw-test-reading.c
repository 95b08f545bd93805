/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "rw-keyring.h"
#include "rw-test-reading.h"
#include "rw-test-studies.h"
#include "rw-test-util.h"
#include "rw-webhook.h"

static char *test_home;
/* The HOME was given (a child process of a test): not ours to remove. */
static gboolean borrowed_home;
static guint app_serial;
/* Applications that have shut down. GApplication has no public way to
 * leave the bus except through g_application_run(), and finalizing a
 * registered one is an error; so they stay here, stopped, to the end. */
static GPtrArray *retired_apps;
/* Every reading view a test opened, as weak pointers: each must be gone
 * once its window is. */
static GPtrArray *opened_views;

/* WebKit runs its web processes in bubblewrap; where user namespaces are
 * missing that fails, and then only the documented switch lets it run. */
static void
check_webkit_sandbox (void)
{
  const char *argv[] = { "bwrap", "--ro-bind", "/", "/", "--unshare-all", "true", NULL };
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("bubblewrap cannot make a sandbox here: WebKit runs without one");
      g_setenv ("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS", "1", TRUE);
    }
}

void
rw_test_reading_init (int          *argc,
                      char       ***argv,
                      const char   *name)
{
  g_autofree char *prefix = g_strdup_printf ("rw-%s-home", name);
  const char *language = g_getenv ("RW_TEST_LANGUAGE");

  /* Before anything asks GLib where HOME is: it remembers. A child
   * process of a test shares its parent's. */
  borrowed_home = g_getenv ("RW_TEST_READING_HOME") != NULL;
  test_home = borrowed_home ? g_strdup (g_getenv ("RW_TEST_READING_HOME")) : rw_test_make_tmpdir (prefix);
  g_setenv ("HOME", test_home, TRUE);
  g_unsetenv ("XDG_DATA_HOME");
  g_unsetenv ("XDG_CONFIG_HOME");
  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("XDG_STATE_HOME");
  /* Under meson the program name is an absolute path, which WebKit's web
   * process cannot take as an application name. */
  g_set_prgname (name);
  check_webkit_sandbox ();

  /* For screenshots in another language: the catalogue of the build
   * tree (meson's test environment pins LANGUAGE and LC_ALL, so the
   * language comes in a variable of its own). */
  if (language != NULL)
    {
      g_autofree char *locale = g_strdup_printf ("%s.UTF-8", language);
      g_autofree char *localedir = g_build_filename (g_getenv ("RW_TEST_BUILDDIR"), "..", "po", NULL);

      g_setenv ("LANGUAGE", language, TRUE);
      g_setenv ("LC_ALL", locale, TRUE);
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  g_test_init (argc, argv, NULL);
  gtk_init ();
  retired_apps = g_ptr_array_new ();
  opened_views = g_ptr_array_new_with_free_func (g_free);
  /* One Xvfb is shared by the tests running in parallel: a blinking cursor
   * in a window that lost the X focus to another test makes GTK warn. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
}

void
rw_test_reading_cleanup (void)
{
  if (!borrowed_home)
    rw_test_rm_rf (test_home);
  g_clear_pointer (&test_home, g_free);
}

const char *
rw_test_reading_get_home (void)
{
  return test_home;
}

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

void
rw_test_reading_reset (void)
{
  g_autofree char *store = g_build_filename (g_get_user_data_dir (), "radiweb", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  rw_test_rm_rf (store);
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
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

static void
clear_keyring (RwKeyringKind  kind,
               const char    *server)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  rw_keyring_clear_async (kind, server, NULL, NULL, rw_test_async_ready, &result);
  g_assert_true (rw_keyring_clear_finish (rw_test_await (&result), &error));
  g_assert_no_error (error);
}

void
rw_test_reading_forget_keyring (RwTestServer  *server,
                                RwTestOrthanc *orthanc)
{
  if (server != NULL)
    clear_keyring (RW_KEYRING_TOKEN, rw_test_server_get_url (server));
  if (orthanc != NULL)
    clear_keyring (RW_KEYRING_ORTHANC_PASSWORD, rw_test_orthanc_get_url (orthanc));
}

RwApplication *
rw_test_reading_start_app (void)
{
  g_autoptr(GError) error = NULL;
  /* A new id each time: the previous instance's objects may still be on
   * the bus while it finalizes. */
  g_autofree char *id = g_strdup_printf ("br.com.radiweb.LaudosReadingTest.Instance%u", ++app_serial);
  RwApplication *app = rw_application_new (id, G_APPLICATION_NON_UNIQUE);
  GtkWindow *window;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (RW_IS_WINDOW (window));
  gtk_window_set_default_size (window, 1280, 800);
  return app;
}

RwWindow *
rw_test_reading_get_window (RwApplication *app)
{
  return RW_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

typedef struct {
  gpointer       view;
  RwApplication *app;
} Opened;

static gboolean
views_gone (gpointer data)
{
  for (guint i = 0; i < opened_views->len; i++)
    {
      Opened *opened = g_ptr_array_index (opened_views, i);

      if (opened->app == data && opened->view != NULL)
        return FALSE;
    }
  return TRUE;
}

/* Quitting: the windows close (each reading view puts its text away
 * first), then the application shuts down. Nothing of ours may outlive
 * it: the windows, the reading views and the reading context are
 * finalized, which is how these tests find leaks of our objects (see
 * tests/reading/meson.build on why LeakSanitizer cannot here). */
void
rw_test_reading_stop_app (RwApplication *app)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  RwReadingContext *context = rw_application_get_reading_context (app);

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_object_add_weak_pointer (G_OBJECT (context), (gpointer *) &context);
  for (GList *l = g_list_copy (windows); l != NULL; l = g_list_delete_link (l, l))
    {
      /* As when the window is closed by hand: the focused text first
       * loses the focus (GTK warns when a focused text is destroyed). */
      gtk_window_set_focus (l->data, NULL);
      gtk_window_close (l->data);
    }
  g_assert_true (rw_test_wait_until (is_gone, &window, RW_TEST_WAIT_MS));
  g_assert_true (rw_test_wait_until (views_gone, app, RW_TEST_WAIT_MS));
  g_signal_emit_by_name (app, "shutdown");
  g_assert_true (rw_test_wait_until (is_gone, &context, RW_TEST_WAIT_MS));
  g_ptr_array_add (retired_apps, app);
}

typedef struct {
  RwWindow   *window;
  const char *page;
} PageWait;

static gboolean
page_is (gpointer data)
{
  PageWait *w = data;

  return g_strcmp0 (rw_window_get_page (w->window), w->page) == 0;
}

void
rw_test_reading_sign_in (RwApplication *app,
                         RwTestServer  *server,
                         const char    *username,
                         const char    *password)
{
  RwWindow *window = rw_test_reading_get_window (app);
  RwSignInPage *page = rw_window_get_sign_in_page (window);
  PageWait w = { window, "sign-in" };

  g_assert_true (rw_test_wait_until (page_is, &w, RW_TEST_WAIT_MS));
  rw_sign_in_page_fill (page, rw_test_server_get_url (server), username, password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL));
  w.page = "worklist";
  g_assert_true (rw_test_wait_until (page_is, &w, RW_TEST_WAIT_MS));
}

typedef struct {
  RwApplication *app;
  gint64         exam_id;
} ExamWait;

static gboolean
exam_listed (gpointer data)
{
  ExamWait *w = data;
  RwWorklistModel *model = rw_session_get_worklist (rw_application_get_session (w->app));

  return rw_worklist_model_find (model, w->exam_id) != G_MAXUINT;
}

static gboolean
view_open (gpointer data)
{
  ExamWait *w = data;

  return rw_window_get_reading_view (rw_test_reading_get_window (w->app), w->exam_id) != NULL;
}

static gboolean
past_loading (gpointer data)
{
  return rw_reading_view_get_mode (data) != RW_READING_LOADING;
}

RwReadingView *
rw_test_reading_open (RwApplication *app,
                      gint64         exam_id)
{
  RwWindow *window = rw_test_reading_get_window (app);
  RwWorklistModel *model = rw_session_get_worklist (rw_application_get_session (app));
  GtkColumnView *column_view = rw_worklist_view_get_column_view (rw_window_get_worklist_view (window));
  ExamWait w = { app, exam_id };
  RwReadingView *view;

  /* Every status: an exam someone else took is in progress. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (rw_window_get_worklist_view (window)),
                                             "worklist.filter-status", "s", "all"));
  g_assert_true (rw_test_wait_until (exam_listed, &w, RW_TEST_WAIT_MS));
  /* What a double-click on the row, or Enter on it, emits. */
  g_signal_emit_by_name (column_view, "activate", rw_worklist_model_find (model, exam_id));
  g_assert_true (rw_test_wait_until (view_open, &w, RW_TEST_WAIT_MS));
  view = rw_window_get_reading_view (window, exam_id);
  {
    Opened *opened = g_new0 (Opened, 1);

    opened->view = view;
    opened->app = app;
    g_object_add_weak_pointer (G_OBJECT (view), &opened->view);
    g_ptr_array_add (opened_views, opened);
  }
  g_assert_true (rw_test_wait_until (past_loading, view, RW_TEST_WAIT_MS));
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

  if (!rw_test_wait_until (mode_is, &w, RW_TEST_WAIT_MS))
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

GtkWindow *
rw_test_reading_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

void
rw_test_reading_shot (const char *name)
{
  const char *dir = g_getenv ("RW_TEST_SHOTS");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  /* Long enough for the web viewer to draw the images. */
  gint64 settle = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  if (dir == NULL)
    return;
  /* Let what just changed reach the screen. */
  while (g_get_monotonic_time () < settle)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10 * 1000);
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root %s.png", path);
  if (!g_spawn_command_line_sync (command, NULL, NULL, NULL, &error))
    g_test_message ("No screenshot: %s", error->message);
}
