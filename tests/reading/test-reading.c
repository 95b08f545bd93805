/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-conflict-dialog.h"
#include "rw-worklist-view.h"
#include "rw-test-reading.h"
#include "rw-test-util.h"

/* The reading view as a radiologist uses it: a double-click on the
 * worklist, the study in the Orthanc Web Viewer of a real Orthanc with the
 * password from the keyring, the laudo written with phrases and
 * abbreviations, saved through the outbox while the server comes and goes,
 * a colleague's save in between, and the signature. One Orthanc serves the
 * whole program (each test has its own patients); each test has its own
 * radiweb-server. */

static RwTestOrthanc *orthanc;

typedef struct {
  RwTestServer  *server;
  RwTestApp      a;
  char          *token;
  gint64         exam_id;
  char          *orthanc_id;
  char          *patient_id;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rw_test_app_reset ();
  f->server = rw_test_reading_server_new ();
  f->token = rw_test_server_login (f->server, "ana", RW_TEST_PASSWORD);
  f->patient_id = g_strdup_printf ("RD%08X", g_random_int ());
  f->exam_id = rw_test_reading_add_study (f->server, orthanc, f->patient_id, "SILVA^JOÃO^CARLOS",
                                          NULL, &f->orthanc_id, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->a.app != NULL)
    rw_test_app_stop (&f->a);
  rw_test_reading_forget_keyring (f->server, orthanc);
  g_clear_pointer (&f->server, rw_test_server_free);
  g_free (f->token);
  g_free (f->orthanc_id);
  g_free (f->patient_id);
}

static RwReadingView *
open_as (Fixture    *f,
         const char *username,
         const char *password)
{
  rw_test_app_start (&f->a);
  rw_test_app_sign_in_to_worklist (&f->a, rw_test_server_get_url (f->server), username, password);
  return rw_test_reading_open (&f->a, f->exam_id);
}

typedef struct {
  RwViewerPane      *pane;
  RwViewerPaneState  state;
} ViewerWait;

static gboolean
viewer_settled (gpointer data)
{
  ViewerWait *w = data;
  RwViewerPaneState state = rw_viewer_pane_get_state (w->pane);

  return state == RW_VIEWER_PANE_READY || state == RW_VIEWER_PANE_FAILED;
}

static RwViewerPaneState
wait_viewer (RwReadingView *view)
{
  ViewerWait w = { rw_reading_view_get_viewer (view), 0 };

  g_assert_true (rw_test_wait_until (viewer_settled, &w, RW_TEST_APP_WAIT_MS));
  return rw_viewer_pane_get_state (w.pane);
}

/* The Orthanc Web Viewer's address for the study's first series. */
static char *
expected_viewer_uri (Fixture *f)
{
  g_autofree char *path = g_strdup_printf ("/studies/%s/series", f->orthanc_id);
  g_autoptr(JsonNode) series = rw_test_orthanc_get_json (orthanc, path);
  JsonObject *first = json_array_get_object_element (json_node_get_array (series), 0);

  return g_strdup_printf ("%s/web-viewer/app/viewer.html?series=%s", rw_test_orthanc_get_url (orthanc),
                          json_object_get_string_member (first, "ID"));
}

static void
count_load_starts (WebKitWebView   *web_view,
                   WebKitLoadEvent  event,
                   guint           *starts)
{
  if (event == WEBKIT_LOAD_STARTED)
    (*starts)++;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* A double-click opens the exam in a tab: the images in the Orthanc Web
 * Viewer with the password answered from the keyring (Orthanc refuses the
 * page otherwise), no credentials in any address, and the form beside. */
static void
test_open_viewer (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *expected = expected_viewer_uri (f);
  RwReadingView *view;
  RwViewerPane *pane;
  const char *uri;

  rw_test_reading_use_orthanc (orthanc, rw_test_orthanc_get_password (orthanc));
  g_settings_set_string (settings, "viewer-kind", "orthanc-webviewer");
  view = open_as (f, "ana", RW_TEST_PASSWORD);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
  g_assert_cmpstr (rw_reading_view_get_title (view), ==, "SILVA, JOÃO CARLOS");

  pane = rw_reading_view_get_viewer (view);
  g_assert_cmpint (wait_viewer (view), ==, RW_VIEWER_PANE_READY);
  g_assert_cmpint (rw_viewer_pane_get_kind (pane), ==, RW_VIEWER_ORTHANC_WEB_VIEWER);
  uri = webkit_web_view_get_uri (rw_viewer_pane_get_web_view (pane));
  g_assert_cmpstr (uri, ==, expected);
  g_assert_null (strstr (uri, rw_test_orthanc_get_password (orthanc)));
  g_assert_null (strchr (uri, '@'));

  /* A link out of the PACS is not followed: no load starts (one that is
   * followed starts within milliseconds), and the study stays. */
  {
    WebKitWebView *web_view = rw_viewer_pane_get_web_view (pane);
    /* Radiweb's own server: the same host, another port. */
    g_autofree char *script = g_strdup_printf ("window.location.href = '%s/health';", rw_test_server_get_url (f->server));
    guint starts = 0;
    gulong handler = g_signal_connect (web_view, "load-changed", G_CALLBACK (count_load_starts), &starts);

    webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL, NULL, NULL);
    g_assert_false (rw_test_wait_until (never, NULL, 1500));
    g_signal_handler_disconnect (web_view, handler);
    g_assert_cmpuint (starts, ==, 0);
    g_assert_cmpstr (webkit_web_view_get_uri (web_view), ==, expected);
  }

  /* Opening claimed the exam for ana. */
  {
    g_autofree char *path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT, f->exam_id);
    g_autoptr(JsonNode) exam = NULL;

    g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, f->token, NULL, NULL, 0, &exam), ==, 200);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (exam), "status"), ==, "in_progress");
  }
  rw_test_app_shot ("reading-view");
}

/* The password in the keyring is wrong: the pane says so, names the user,
 * never shows the password. */
static void
test_viewer_wrong_password (Fixture       *f,
                            gconstpointer  data)
{
  RwReadingView *view;
  RwViewerPane *pane;

  rw_test_reading_use_orthanc (orthanc, "senha-errada");
  view = open_as (f, "ana", RW_TEST_PASSWORD);
  pane = rw_reading_view_get_viewer (view);
  g_assert_cmpint (wait_viewer (view), ==, RW_VIEWER_PANE_FAILED);
  g_assert_cmpint (rw_viewer_pane_get_problem (pane), ==, RW_VIEWER_PROBLEM_UNAUTHORIZED);
  g_assert_nonnull (strstr (rw_viewer_pane_get_message (pane), rw_test_orthanc_get_username (orthanc)));
  g_assert_null (strstr (rw_viewer_pane_get_message (pane), "senha-errada"));
  /* The laudo can be written all the same. */
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
}


static GtkWindow *
find_dialog (GType type)
{
  return rw_test_app_find_window (type);
}

static gboolean
has_dialog (gpointer data)
{
  return find_dialog (GPOINTER_TO_SIZE (data)) != NULL;
}

static void
wait_dialog (GType type)
{
  g_assert_true (rw_test_wait_until (has_dialog, GSIZE_TO_POINTER (type), RW_TEST_APP_WAIT_MS));
}

/* The default viewer (Stone) is not on this Orthanc: the pane shows the
 * images with the one it has and says so. A viewer chosen in the
 * preferences that is missing is an error naming it and offering the
 * other; an Orthanc that does not answer is one too. */
static void
test_viewer_missing (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  RwReadingView *view;
  RwViewerPane *pane;
  const char *message;

  rw_test_reading_use_orthanc (orthanc, rw_test_orthanc_get_password (orthanc));
  view = open_as (f, "ana", RW_TEST_PASSWORD);
  pane = rw_reading_view_get_viewer (view);
  g_assert_cmpint (wait_viewer (view), ==, RW_VIEWER_PANE_READY);
  g_assert_cmpint (rw_viewer_pane_get_kind (pane), ==, RW_VIEWER_ORTHANC_WEB_VIEWER);
  g_assert_nonnull (strstr (rw_viewer_pane_get_message (pane), "Stone Web Viewer"));

  g_settings_set_string (settings, "viewer-kind", "ohif");
  rw_viewer_pane_reload (pane);
  g_assert_cmpint (wait_viewer (view), ==, RW_VIEWER_PANE_FAILED);
  g_assert_cmpint (rw_viewer_pane_get_problem (pane), ==, RW_VIEWER_PROBLEM_VIEWER_MISSING);
  g_assert_nonnull (strstr (rw_viewer_pane_get_title (pane), "OHIF"));
  message = rw_viewer_pane_get_message (pane);
  g_assert_nonnull (strstr (message, "Orthanc Web Viewer"));
  g_assert_nonnull (strstr (message, rw_test_orthanc_get_url (orthanc) + strlen ("http://")));

  /* The button the error offers. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "viewer.use-viewer", "s", "orthanc-webviewer"));
  g_assert_cmpint (wait_viewer (view), ==, RW_VIEWER_PANE_READY);
  {
    g_autofree char *kind = g_settings_get_string (settings, "viewer-kind");

    g_assert_cmpstr (kind, ==, "orthanc-webviewer");
  }

  g_settings_set_string (settings, "orthanc-url", "http://127.0.0.1:1");
  rw_viewer_pane_reload (pane);
  g_assert_cmpint (wait_viewer (view), ==, RW_VIEWER_PANE_FAILED);
  g_assert_cmpint (rw_viewer_pane_get_problem (pane), ==, RW_VIEWER_PROBLEM_UNREACHABLE);
  g_assert_nonnull (strstr (rw_viewer_pane_get_message (pane), "127.0.0.1:1"));
}

/* Shared phrases for CT and for any exam, one for MR, as the clinic's
 * administrator keeps them. */
static void
add_phrases (Fixture *f)
{
  g_autofree char *admin = rw_test_server_login (f->server, "admin", "senha-admin-1");
  static const char *phrases[] = {
    "{\"section\": \"findings\", \"label\": \"Normal\", \"text\": \"Exame dentro dos limites da normalidade.\", \"abbreviation\": \"nl\"}",
    "{\"section\": \"findings\", \"modality\": \"CT\", \"label\": \"Fígado normal (TC)\", \"text\": \"Fígado de dimensões normais e densidade homogênea.\", \"abbreviation\": \"fig\"}",
    "{\"section\": \"findings\", \"modality\": \"MR\", \"label\": \"Fígado normal (RM)\", \"text\": \"Fígado com sinal normal.\", \"abbreviation\": \"figrm\"}",
    "{\"section\": \"conclusion\", \"label\": \"Sem alterações\", \"text\": \"Estudo sem alterações significativas.\", \"abbreviation\": \"sa\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (phrases); i++)
    g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", "/api/phrases", admin, phrases[i], NULL), ==, 201);
}

static gboolean
bank_filled (gpointer data)
{
  return rw_phrase_bank_get_n_shown (rw_reading_view_get_phrase_bank (data)) > 0;
}

static char *
draft_findings (gint64 exam_id)
{
  return rw_test_reading_store_text ("SELECT findings FROM drafts WHERE exam_id = ?", exam_id);
}

typedef struct {
  gint64      exam_id;
  const char *text;
} DraftWait;

static gboolean
draft_is (gpointer data)
{
  DraftWait *w = data;
  g_autofree char *text = draft_findings (w->exam_id);

  return g_strcmp0 (text, w->text) == 0;
}

/* Tab as the keyboard gives it to a section: to the form's key
 * controller, which sees it before the text view. TRUE when the form took
 * the key (an abbreviation expanded); FALSE lets it move the focus. */
static gboolean
press_tab (RwReportForm    *form,
           RwReportSection  section)
{
  GtkWidget *text_view = GTK_WIDGET (rw_report_form_get_text_view (form, section));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (text_view);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
      gboolean handled = FALSE;

      if (g_strcmp0 (gtk_event_controller_get_name (controller), "abbreviations") != 0)
        continue;
      g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_Tab, 0, 0, &handled);
      return handled;
    }
  g_assert_not_reached ();
}

/* The seed's insertText: a phrase replaces the selection and the cursor
 * ends after it. An abbreviation before the cursor expands (Tab's action);
 * another word does not. The bank shows the section's phrases for the
 * exam's modality and searches without accents. Every change is in the
 * local draft within a second. */
static void
test_phrases (Fixture       *f,
              gconstpointer  data)
{
  RwReadingView *view;
  RwReportForm *form;
  RwPhraseBank *bank;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *findings = NULL;
  DraftWait w = { f->exam_id, NULL };

  add_phrases (f);
  rw_test_reading_use_orthanc (orthanc, rw_test_orthanc_get_password (orthanc));
  view = open_as (f, "ana", RW_TEST_PASSWORD);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
  form = rw_reading_view_get_form (view);
  bank = rw_reading_view_get_phrase_bank (view);

  rw_test_reading_type (view, RW_REPORT_FINDINGS, "Baço XXX normal.");
  g_assert_true (rw_test_wait_until (bank_filled, view, RW_TEST_APP_WAIT_MS));
  /* Findings of a CT: the shared one and the CT one, not the MR one. */
  g_assert_cmpuint (rw_phrase_bank_get_n_shown (bank), ==, 2);

  /* Select "XXX", open the bank (Ctrl+K), search, and insert the phrase
   * in the selection's place. */
  buffer = gtk_text_view_get_buffer (rw_report_form_get_text_view (form, RW_REPORT_FINDINGS));
  gtk_text_buffer_get_iter_at_offset (buffer, &start, 5);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, 8);
  gtk_text_buffer_select_range (buffer, &start, &end);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reading.phrases", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (bank)));
  rw_test_app_shot ("phrase-bank");
  rw_phrase_bank_set_query (bank, "FIGADO");
  g_assert_cmpuint (rw_phrase_bank_get_n_shown (bank), ==, 1);
  g_assert_cmpstr (rw_phrase_get_abbreviation (rw_phrase_bank_get_shown (bank, 0)), ==, "fig");
  rw_phrase_bank_activate (bank, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (bank)));
  findings = rw_test_reading_dup_section (view, RW_REPORT_FINDINGS);
  g_assert_cmpstr (findings, ==, "Baço Fígado de dimensões normais e densidade homogênea. normal.");
  gtk_text_buffer_get_iter_at_mark (buffer, &end, gtk_text_buffer_get_insert (buffer));
  g_assert_cmpint (gtk_text_iter_get_offset (&end), ==, 5 + g_utf8_strlen ("Fígado de dimensões normais e densidade homogênea.", -1));

  /* Abbreviations: at the end of the section, "nl" then Tab; "xyz" is
   * none, and Tab goes on to move the focus. */
  rw_test_reading_type (view, RW_REPORT_FINDINGS, "\nnl");
  g_assert_true (press_tab (form, RW_REPORT_FINDINGS));
  rw_test_reading_type (view, RW_REPORT_FINDINGS, " xyz");
  g_assert_false (press_tab (form, RW_REPORT_FINDINGS));
  /* The MR phrase does not fit a CT. */
  rw_test_reading_type (view, RW_REPORT_FINDINGS, " figrm");
  g_assert_false (rw_report_form_expand_abbreviation (form));
  g_clear_pointer (&findings, g_free);
  findings = rw_test_reading_dup_section (view, RW_REPORT_FINDINGS);
  g_assert_cmpstr (findings, ==, "Baço Fígado de dimensões normais e densidade homogênea. normal.\n"
                                 "Exame dentro dos limites da normalidade. xyz figrm");

  /* The conclusion has its own phrases. */
  rw_test_reading_type (view, RW_REPORT_CONCLUSION, "sa");
  g_assert_true (rw_report_form_expand_abbreviation (form));
  {
    g_autofree char *conclusion = rw_test_reading_dup_section (view, RW_REPORT_CONCLUSION);

    g_assert_cmpstr (conclusion, ==, "Estudo sem alterações significativas.");
  }

  /* Soon after the last change (250 ms of quiet), with nothing else done,
   * the draft on disk has it all; the deadline only bounds a loaded
   * machine's delays. */
  w.text = findings;
  g_assert_true (rw_test_wait_until (draft_is, &w, 20000));
}

static gboolean
server_has_findings (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  const char *text = ((gpointer *) data)[1];
  g_autoptr(JsonObject) report = rw_test_reading_server_report (f->server, f->token, f->exam_id);

  return report != NULL && g_strcmp0 (json_object_get_string_member (report, "findings"), text) == 0;
}

static gboolean
status_contains (gpointer data)
{
  RwReadingView *view = ((gpointer *) data)[0];
  const char *part = ((gpointer *) data)[1];

  return rw_reading_view_get_status (view) != NULL && strstr (rw_reading_view_get_status (view), part) != NULL;
}

/* The server stops while the radiologist types and saves: nothing is
 * lost, the saves wait in the outbox, and when the server is back they go
 * by themselves and the server ends with exactly what was typed. */
static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  RwReadingView *view;
  g_autofree char *findings = NULL;
  gpointer waiting[2];
  gpointer landed[2];

  view = open_as (f, "ana", RW_TEST_PASSWORD);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
  rw_test_reading_type (view, RW_REPORT_FINDINGS, "Fígado normal.");

  rw_test_server_stop (f->server);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reading.save", NULL));
  waiting[0] = view;
  waiting[1] = (gpointer) "cannot be reached";
  g_assert_true (rw_test_wait_until (status_contains, waiting, RW_TEST_APP_WAIT_MS));
  rw_test_reading_type (view, RW_REPORT_FINDINGS, "\nVesícula biliar sem cálculos.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reading.save", NULL));
  rw_test_reading_type (view, RW_REPORT_FINDINGS, "\nBaço normal.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reading.save", NULL));
  g_assert_cmpuint (rw_reading_view_get_n_sending (view), ==, 3);

  rw_test_server_start (f->server);
  findings = rw_test_reading_dup_section (view, RW_REPORT_FINDINGS);
  g_assert_cmpstr (findings, ==, "Fígado normal.\nVesícula biliar sem cálculos.\nBaço normal.");
  landed[0] = f;
  landed[1] = findings;
  g_assert_true (rw_test_wait_until (server_has_findings, landed, RW_TEST_APP_WAIT_MS));
  waiting[1] = (gpointer) "Saved on the server";
  g_assert_true (rw_test_wait_until (status_contains, waiting, RW_TEST_APP_WAIT_MS));
  g_assert_cmpuint (rw_reading_view_get_n_sending (view), ==, 0);
}

/* A second workstation on the same exam: bruno's client finds it claimed
 * by ana and opens it read-only, saying by whom. */
static void
test_claimed (Fixture       *f,
              gconstpointer  data)
{
  RwReadingView *view;
  RwTestApp second = { 0 };
  RwReadingView *other;

  rw_test_reading_use_orthanc (orthanc, rw_test_orthanc_get_password (orthanc));
  view = open_as (f, "ana", RW_TEST_PASSWORD);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);

  /* The other workstation's last user was bruno, who has no session in
   * this keyring: it asks him to sign in. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_string (settings, "username", "bruno");
  }
  rw_test_app_start (&second);
  rw_test_app_sign_in_to_worklist (&second, rw_test_server_get_url (f->server), "bruno", "senha-bruno-1");
  other = rw_test_reading_open (&second, f->exam_id);
  rw_test_reading_wait_mode (other, RW_READING_READ_ONLY);
  rw_test_app_shot ("claim-refused");
  g_assert_nonnull (strstr (rw_reading_view_get_notice (other), "Dra. Ana Souza"));
  g_assert_false (rw_report_form_get_editable (rw_reading_view_get_form (other)));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (other), "reading.save", NULL) &&
                  rw_reading_view_get_n_sending (other) > 0);
  rw_test_app_stop (&second);
}

static guint
api_save (Fixture    *f,
          const char *token,
          const char *findings,
          gint64      version)
{
  g_autofree char *path = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/save", f->exam_id);
  g_autofree char *body = g_strdup_printf ("{\"technique\": \"\", \"findings\": \"%s\", \"conclusion\": \"\", \"version\": %" G_GINT64_FORMAT "}",
                                           findings, version);

  return rw_test_server_request_json (f->server, "POST", path, token, body, NULL);
}

/* The same radiologist saved at another workstation meanwhile: this
 * client's save is stale. The conflict shows both texts, the server keeps
 * the other one until the radiologist chooses to keep theirs. */
static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *elsewhere = rw_test_server_login (f->server, "ana", RW_TEST_PASSWORD);
  RwConflictDialog *dialog;
  RwReadingView *view;
  RwReport *theirs;
  gpointer landed[2] = { f, (gpointer) "Texto desta estação." };

  rw_test_reading_use_orthanc (orthanc, rw_test_orthanc_get_password (orthanc));
  view = open_as (f, "ana", RW_TEST_PASSWORD);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
  rw_test_reading_type (view, RW_REPORT_FINDINGS, "Texto desta estação.");
  g_assert_cmpuint (api_save (f, elsewhere, "Texto da outra estação.", 0), ==, 200);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reading.save", NULL));
  wait_dialog (RW_TYPE_CONFLICT_DIALOG);
  dialog = RW_CONFLICT_DIALOG (find_dialog (RW_TYPE_CONFLICT_DIALOG));
  theirs = rw_conflict_dialog_get_theirs (dialog);
  g_assert_cmpstr (rw_conflict_dialog_get_mine (dialog, RW_REPORT_FINDINGS), ==, "Texto desta estação.");
  g_assert_cmpstr (rw_report_get_text (theirs, RW_REPORT_FINDINGS), ==, "Texto da outra estação.");
  /* Not overwritten. */
  landed[1] = (gpointer) "Texto da outra estação.";
  g_assert_true (server_has_findings (landed));
  rw_test_app_shot ("conflict");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "conflict.keep-mine", NULL));
  landed[1] = (gpointer) "Texto desta estação.";
  g_assert_true (rw_test_wait_until (server_has_findings, landed, RW_TEST_APP_WAIT_MS));
}

static gboolean
exam_completed (gpointer data)
{
  Fixture *f = data;
  RwExam *exam = rw_worklist_model_lookup (rw_session_get_worklist (rw_application_get_session (f->a.app)), f->exam_id);

  return exam != NULL && rw_exam_get_status (exam) == RW_EXAM_STATUS_COMPLETED;
}

static gboolean
has_addendum (gpointer data)
{
  Fixture *f = data;
  g_autoptr(JsonObject) report = rw_test_reading_server_report (f->server, f->token, f->exam_id);

  return json_array_get_length (json_object_get_array_member (report, "addenda")) == 1;
}

/* Signing: refused without a conclusion; then the dialog names the
 * patient, the signer's CRM and RQE; the server has a final laudo with
 * the radiologist and the time; the exam leaves the pending list; the
 * form shows the date and time, read-only; an addendum follows. */
static void
test_finalize (Fixture       *f,
               gconstpointer  data)
{
  RwReadingView *view;
  AdwMessageDialog *dialog;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonNode) pending = NULL;
  g_autoptr(GDateTime) finalized = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *when = NULL;
  g_autofree char *expected = NULL;
  JsonObject *radiologist;
  JsonArray *array;

  rw_test_reading_use_orthanc (orthanc, rw_test_orthanc_get_password (orthanc));
  view = open_as (f, "ana", RW_TEST_PASSWORD);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
  rw_test_reading_type (view, RW_REPORT_TECHNIQUE, "TC do abdome sem contraste.");
  rw_test_reading_type (view, RW_REPORT_FINDINGS, "Fígado normal.");

  /* Ctrl+Shift+Enter is seen before the text views, which would take it
   * as a new line. */
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
    gboolean found = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

        if (g_strcmp0 (gtk_event_controller_get_name (controller), "finalize-shortcut") != 0)
          continue;
        g_assert_cmpint (gtk_event_controller_get_propagation_phase (controller), ==, GTK_PHASE_CAPTURE);
        found = TRUE;
      }
    g_assert_true (found);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reading.finalize", NULL));
  g_assert_cmpint (rw_report_form_get_section (rw_reading_view_get_form (view)), ==, RW_REPORT_CONCLUSION);
  g_assert_null (find_dialog (ADW_TYPE_MESSAGE_DIALOG));

  rw_test_reading_type (view, RW_REPORT_CONCLUSION, "Exame normal.");
  rw_report_form_focus_section (rw_reading_view_get_form (view), RW_REPORT_CONCLUSION);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->a.window)),
                                         GTK_WIDGET (rw_reading_view_get_form (view))));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reading.finalize", NULL));
  wait_dialog (ADW_TYPE_MESSAGE_DIALOG);
  dialog = ADW_MESSAGE_DIALOG (find_dialog (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Dra. Ana Souza — CRM/SP 123456 — RQE 98765"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "SILVA, JOÃO CARLOS"));
  rw_test_app_shot ("finalize-dialog");
  /* What the button does: the response, then the dialog goes. */
  adw_message_dialog_response (dialog, "finalize");
  gtk_window_destroy (GTK_WINDOW (dialog));
  rw_test_reading_wait_mode (view, RW_READING_FINAL);
  rw_test_app_shot ("final");
  /* The cursor left the text that became read-only (GTK 4.8 aborts on a
   * focused one's next blink). */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->a.window));

    g_assert_true (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (rw_reading_view_get_form (view))));
  }

  report = rw_test_reading_server_report (f->server, f->token, f->exam_id);
  g_assert_true (json_object_get_boolean_member (report, "is_final"));
  g_assert_cmpstr (json_object_get_string_member (report, "conclusion"), ==, "Exame normal.");
  radiologist = json_object_get_object_member (report, "radiologist");
  g_assert_cmpstr (json_object_get_string_member (radiologist, "crm"), ==, "CRM/SP 123456");
  finalized = g_date_time_new_from_iso8601 (json_object_get_string_member (report, "finalized_at"), NULL);
  g_assert_nonnull (finalized);

  /* Local time, in the untranslated form (dd/mm/aaaa HH:MM in pt_BR). */
  local = g_date_time_to_local (finalized);
  when = g_date_time_format (local, "%m/%d/%Y %H:%M");
  expected = g_strdup_printf ("Signed on %s by Dra. Ana Souza — CRM/SP 123456 — RQE 98765", when);
  g_assert_cmpstr (rw_report_form_get_signature_line (rw_reading_view_get_form (view)), ==, expected);
  g_assert_false (rw_report_form_get_editable (rw_reading_view_get_form (view)));

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/exams/pending", f->token, NULL, NULL, 0, &pending), ==, 200);
  array = json_node_get_array (pending);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, i), "id"), !=, f->exam_id);
  g_assert_true (rw_test_wait_until (exam_completed, f, RW_TEST_APP_WAIT_MS));

  g_signal_emit_by_name (rw_reading_view_get_form (view), "add-addendum", "Adendo: comparar com exame anterior.");
  g_assert_true (rw_test_wait_until (has_addendum, f, RW_TEST_APP_WAIT_MS));
}

static gboolean
exam_status_is (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  const char *status = ((gpointer *) data)[1];
  g_autofree char *path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT, f->exam_id);
  g_autoptr(JsonNode) exam = NULL;

  if (rw_test_server_request (f->server, "GET", path, f->token, NULL, NULL, 0, &exam) != 200)
    return FALSE;
  return g_strcmp0 (json_object_get_string_member (json_node_get_object (exam), "status"), status) == 0;
}

static gboolean
no_reading_view (gpointer data)
{
  Fixture *f = data;

  return rw_window_get_reading_view (f->a.window, f->exam_id) == NULL;
}

static gboolean
has_reading_view (gpointer data)
{
  return !no_reading_view (data);
}

/* Opening claims; closing without a word gives the exam back; closing
 * after writing saves what was written. A notification's default action
 * opens the exam again, in its tab. */
static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  RwReadingView *view;
  gpointer status[2] = { f, (gpointer) "pending" };
  gpointer landed[2] = { f, (gpointer) "Escrito antes de fechar." };

  view = open_as (f, "ana", RW_TEST_PASSWORD);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
  status[1] = (gpointer) "in_progress";
  g_assert_true (exam_status_is (status));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->a.window), "win.close-tab", NULL));
  g_assert_true (rw_test_wait_until (no_reading_view, f, RW_TEST_APP_WAIT_MS));
  status[1] = (gpointer) "pending";
  g_assert_true (rw_test_wait_until (exam_status_is, status, RW_TEST_APP_WAIT_MS));

  view = rw_test_reading_open (&f->a, f->exam_id);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
  rw_test_reading_type (view, RW_REPORT_FINDINGS, "Escrito antes de fechar.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->a.window), "win.close-tab", NULL));
  g_assert_true (rw_test_wait_until (server_has_findings, landed, RW_TEST_APP_WAIT_MS));
  status[1] = (gpointer) "in_progress";
  g_assert_true (exam_status_is (status));

  g_assert_true (rw_test_wait_until (no_reading_view, f, RW_TEST_APP_WAIT_MS));
  g_action_group_activate_action (G_ACTION_GROUP (f->a.app), "open-exam", g_variant_new_int64 (f->exam_id));
  g_assert_true (rw_test_wait_until (has_reading_view, f, RW_TEST_APP_WAIT_MS));
  view = rw_window_get_reading_view (f->a.window, f->exam_id);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
  {
    g_autofree char *findings = rw_test_reading_dup_section (view, RW_REPORT_FINDINGS);

    g_assert_cmpstr (findings, ==, "Escrito antes de fechar.");
  }
}

static gboolean
strip_shown (gpointer data)
{
  GtkWidget *bar = data;

  return gtk_widget_get_visible (bar) && gtk_widget_get_mapped (bar) && gtk_widget_get_height (bar) > 0;
}

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* The strip of tabs takes a row of the screen only while an exam is open:
 * hidden with the worklist alone, shown with an exam, hidden again once
 * the exam is closed. The worklist stays the first tab, pinned, and
 * cannot be closed; Ctrl+Page Up from the exam goes back to it. */
static void
test_tab_strip (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *bar;
  AdwTabView *tabs;
  AdwTabPage *worklist;
  RwReadingView *view;

  rw_test_app_start (&f->a);
  rw_test_app_sign_in_to_worklist (&f->a, rw_test_server_get_url (f->server), "ana", RW_TEST_PASSWORD);
  g_assert_true (rw_test_wait_until (window_mapped, f->a.window, RW_TEST_APP_WAIT_MS));
  bar = GTK_WIDGET (rw_window_get_tab_bar (f->a.window));
  tabs = rw_window_get_tab_view (f->a.window);
  worklist = adw_tab_view_get_nth_page (tabs, 0);
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 1);
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_false (gtk_widget_get_mapped (bar));
  rw_test_app_shot ("tab-strip-hidden");

  view = rw_test_reading_open (&f->a, f->exam_id);
  g_assert_true (rw_test_wait_until (strip_shown, bar, RW_TEST_APP_WAIT_MS));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 2);
  g_assert_true (adw_tab_view_get_nth_page (tabs, 0) == worklist);
  g_assert_true (adw_tab_page_get_pinned (worklist));
  g_assert_true (adw_tab_page_get_child (worklist) == GTK_WIDGET (rw_window_get_worklist_view (f->a.window)));
  g_assert_true (adw_tab_page_get_child (adw_tab_view_get_selected_page (tabs)) == GTK_WIDGET (view));
  rw_test_app_shot ("tab-strip-shown");

  /* What Ctrl+Page Up and Ctrl+Page Down do: the strip stays while the
   * exam is open, whichever tab is in front. */
  g_assert_true (adw_tab_view_select_previous_page (tabs));
  g_assert_true (adw_tab_view_get_selected_page (tabs) == worklist);
  g_assert_true (strip_shown (bar));
  g_assert_true (adw_tab_view_select_next_page (tabs));
  g_assert_true (adw_tab_page_get_child (adw_tab_view_get_selected_page (tabs)) == GTK_WIDGET (view));

  /* The worklist's tab refuses to close. */
  adw_tab_view_close_page (tabs, worklist);
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 2);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->a.window), "win.close-tab", NULL));
  g_assert_true (rw_test_wait_until (no_reading_view, f, RW_TEST_APP_WAIT_MS));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 1);
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_false (gtk_widget_get_mapped (bar));
  g_assert_true (adw_tab_view_get_selected_page (tabs) == worklist);
}

static gboolean
priors_listed (gpointer data)
{
  return rw_reading_view_get_priors (data)->len == 2;
}

static gboolean
prior_text_shown (gpointer data)
{
  RwReadingView *view = data;
  g_auto(GStrv) text = rw_report_form_dup_text (rw_reading_view_get_prior_form (view));

  return g_strcmp0 (text[RW_REPORT_FINDINGS], "Achados do exame anterior.") == 0;
}

/* The patient's other exams: one the server knows, with its signed laudo,
 * and one only on the PACS. Opening the first shows its laudo beside the
 * form and its images in the viewer; the other's images come through
 * QIDO-RS and a lookup on Orthanc. */
static void
test_priors (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *prior_uid = NULL;
  g_autofree char *pacs_uid = NULL;
  g_autofree char *path = NULL;
  RwReadingView *view;
  RwViewerPane *pane;
  GPtrArray *priors;
  RwPrior *known = NULL;
  RwPrior *pacs_only = NULL;
  guint known_index = 0, pacs_index = 0;
  gint64 prior_id;

  rw_test_reading_use_orthanc (orthanc, rw_test_orthanc_get_password (orthanc));
  prior_id = rw_test_reading_add_study (f->server, orthanc, f->patient_id, "SILVA^JOÃO^CARLOS", "20230105",
                                        NULL, &prior_uid);
  path = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/finalize", prior_id);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", path, f->token,
                                                 "{\"technique\": \"TC.\", \"findings\": \"Achados do exame anterior.\", \"conclusion\": \"Normal.\"}",
                                                 NULL), ==, 200);
  rw_test_reading_send_study (orthanc, f->patient_id, "SILVA^JOÃO^CARLOS", "20220301", &pacs_uid);

  view = open_as (f, "ana", RW_TEST_PASSWORD);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);
  g_assert_true (rw_test_wait_until (priors_listed, view, RW_TEST_APP_WAIT_MS));
  priors = rw_reading_view_get_priors (view);
  for (guint i = 0; i < priors->len; i++)
    {
      RwPrior *prior = g_ptr_array_index (priors, i);

      if (g_strcmp0 (rw_exam_get_study_uid (prior->exam), prior_uid) == 0)
        known = prior, known_index = i;
      if (g_strcmp0 (rw_exam_get_study_uid (prior->exam), pacs_uid) == 0)
        pacs_only = prior, pacs_index = i;
    }
  g_assert_nonnull (known);
  g_assert_nonnull (pacs_only);
  g_assert_cmpstr (known->report_status, ==, "final");
  g_assert_cmpint (rw_exam_get_id (pacs_only->exam), ==, 0);
  /* Newest first. */
  g_assert_cmpuint (known_index, <, pacs_index);

  rw_reading_view_open_prior (view, known_index);
  g_assert_true (rw_test_wait_until (prior_text_shown, view, RW_TEST_APP_WAIT_MS));
  /* Beside the current laudo, which stays editable; the prior's is not. */
  g_assert_false (rw_report_form_get_editable (rw_reading_view_get_prior_form (view)));
  g_assert_true (rw_report_form_get_editable (rw_reading_view_get_form (view)));
  pane = rw_reading_view_get_viewer (view);
  g_assert_cmpint (wait_viewer (view), ==, RW_VIEWER_PANE_READY);
  g_assert_cmpstr (rw_exam_get_study_uid (rw_viewer_pane_get_exam (pane)), ==, prior_uid);
  rw_test_app_shot ("prior");

  rw_reading_view_open_prior (view, pacs_index);
  g_assert_cmpint (wait_viewer (view), ==, RW_VIEWER_PANE_READY);
  g_assert_cmpstr (rw_exam_get_study_uid (rw_viewer_pane_get_exam (pane)), ==, pacs_uid);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reading.close-prior", NULL));
  g_assert_cmpint (rw_exam_get_id (rw_viewer_pane_get_exam (pane)), ==, f->exam_id);

  /* The prior opened as an exam of its own: a second tab beside the
   * worklist and the first exam, its viewer on the application's one web
   * context and network session. */
  {
    RwWindow *window = f->a.window;
    RwReadingView *second = rw_test_reading_open (&f->a, prior_id);
    WebKitWebView *first_web = rw_viewer_pane_get_web_view (pane);
    WebKitWebView *second_web = rw_viewer_pane_get_web_view (rw_reading_view_get_viewer (second));

    rw_test_reading_wait_mode (second, RW_READING_FINAL);
    g_assert_true (rw_window_get_reading_view (window, f->exam_id) == view);
    g_assert_true (rw_window_get_reading_view (window, prior_id) == second);
    g_assert_cmpint (adw_tab_view_get_n_pages (rw_window_get_tab_view (window)), ==, 3);
    g_assert_true (first_web != second_web);
    g_assert_true (webkit_web_view_get_context (first_web) == webkit_web_view_get_context (second_web));
    g_assert_true (webkit_web_view_get_network_session (first_web) == webkit_web_view_get_network_session (second_web));
  }
}

static gboolean
not_downloading (gpointer data)
{
  return !rw_reading_view_get_downloading (data);
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The study as a ZIP, from Orthanc, into the chosen file, the progress
 * counting every byte. A cancelled download leaves nothing behind. */
static void
test_download (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *dir = rw_test_make_tmpdir ("rw-download");
  g_autofree char *path = g_build_filename (dir, "estudo.zip", NULL);
  g_autofree char *cancelled_path = g_build_filename (dir, "cancelado.zip", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) cancelled = g_file_new_for_path (cancelled_path);
  g_autofree char *contents = NULL;
  gsize length = 0;
  RwReadingView *view;

  rw_test_reading_use_orthanc (orthanc, rw_test_orthanc_get_password (orthanc));
  view = open_as (f, "ana", RW_TEST_PASSWORD);
  rw_reading_view_download_to (view, file);
  g_assert_true (rw_reading_view_get_downloading (view));
  g_assert_true (rw_test_wait_until (not_downloading, view, RW_TEST_APP_WAIT_MS));
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (memcmp (contents, "PK\003\004", 4) == 0);
  g_assert_cmpint (rw_reading_view_get_download_received (view), ==, (goffset) length);

  /* The Cancel button under the progress bar. */
  rw_reading_view_download_to (view, cancelled);
  g_assert_true (rw_reading_view_get_downloading (view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "reading.cancel-download", NULL));
  g_assert_true (rw_test_wait_until (not_downloading, view, RW_TEST_APP_WAIT_MS));
  g_assert_false (g_file_test (cancelled_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (dir), ==, 1);
  rw_test_rm_rf (dir);
}

/* The accelerators the shortcuts window shows, in gtk_accelerator_name()'s
 * spelling. */
static void
collect_listed (GtkWidget  *widget,
                GHashTable *listed)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerator = NULL;
      g_auto(GStrv) parts = NULL;

      g_object_get (widget, "accelerator", &accelerator, NULL);
      parts = g_strsplit (accelerator != NULL ? accelerator : "", " ", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          guint keyval = 0;
          GdkModifierType mods = 0;

          /* "<Alt>1...9" is AdwTabView's, not parsed. */
          if (gtk_accelerator_parse (parts[i], &keyval, &mods))
            g_hash_table_add (listed, gtk_accelerator_name (keyval, mods));
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_listed (child, listed);
}

static void
assert_listed (GHashTable *listed,
               guint       keyval,
               GdkModifierType mods,
               const char *owner)
{
  g_autofree char *name = gtk_accelerator_name (keyval, mods);

  /* The keypad's keys do what the main ones listed do. */
  if (g_str_has_prefix (gdk_keyval_name (keyval), "KP_"))
    return;
  if (!g_hash_table_contains (listed, name))
    g_error ("%s's shortcut %s is not in the shortcuts window", owner, name);
}

static void
assert_trigger_listed (GHashTable         *listed,
                       GtkShortcutTrigger *trigger,
                       const char         *owner)
{
  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    {
      assert_trigger_listed (listed, gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)), owner);
      assert_trigger_listed (listed, gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)), owner);
      return;
    }
  g_assert_true (GTK_IS_KEYVAL_TRIGGER (trigger));
  assert_listed (listed, gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                 gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)), owner);
}

/* The shortcuts of @widget's shortcut controllers (its class's bindings
 * among them) that activate an action; those that emit a signal or call
 * back are GTK's own (focus moves, the inspector). Returns how many. */
static guint
assert_widget_listed (GHashTable *listed,
                      GtkWidget  *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint n_actions = 0;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (!GTK_IS_NAMED_ACTION (gtk_shortcut_get_action (shortcut)))
            continue;
          assert_trigger_listed (listed, gtk_shortcut_get_trigger (shortcut),
                                 gtk_named_action_get_action_name (GTK_NAMED_ACTION (gtk_shortcut_get_action (shortcut))));
          n_actions++;
        }
    }
  return n_actions;
}

/* Ctrl+? shows every shortcut: the application's, the window's, the
 * worklist's, the reading view's and the form's, and the form's Tab. */
static void
test_shortcuts (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) actions = NULL;
  RwReadingView *view;
  RwWindow *window;
  GtkWindow *shortcuts;

  view = open_as (f, "ana", RW_TEST_PASSWORD);
  window = f->a.window;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  wait_dialog (GTK_TYPE_SHORTCUTS_WINDOW);
  shortcuts = find_dialog (GTK_TYPE_SHORTCUTS_WINDOW);
  collect_listed (GTK_WIDGET (shortcuts), listed);
  g_assert_true (g_hash_table_contains (listed, "Tab"));

  actions = gtk_application_list_action_descriptions (GTK_APPLICATION (f->a.app));
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->a.app), actions[i]);

      for (guint j = 0; accels[j] != NULL; j++)
        {
          guint keyval = 0;
          GdkModifierType mods = 0;

          g_assert_true (gtk_accelerator_parse (accels[j], &keyval, &mods));
          assert_listed (listed, keyval, mods, actions[i]);
        }
    }
  /* The window's own include the application's accelerators. */
  g_assert_cmpuint (assert_widget_listed (listed, GTK_WIDGET (window)), >=, 4);
  g_assert_cmpuint (assert_widget_listed (listed, rw_test_app_find_widget (GTK_WIDGET (window), RW_TYPE_WORKLIST_VIEW)), >, 0);
  g_assert_cmpuint (assert_widget_listed (listed, GTK_WIDGET (view)), >=, 5);
  g_assert_cmpuint (assert_widget_listed (listed, GTK_WIDGET (rw_reading_view_get_form (view))), ==, 3);
  gtk_window_destroy (shortcuts);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  rw_test_app_init (&argc, &argv, "test-reading", FALSE);
  orthanc = rw_test_orthanc_new ();
  rw_test_orthanc_start (orthanc);

  g_test_add ("/reading/open-viewer", Fixture, NULL, fixture_setup, test_open_viewer, fixture_teardown);
  g_test_add ("/reading/viewer-wrong-password", Fixture, NULL, fixture_setup, test_viewer_wrong_password, fixture_teardown);
  g_test_add ("/reading/viewer-missing", Fixture, NULL, fixture_setup, test_viewer_missing, fixture_teardown);
  g_test_add ("/reading/phrases", Fixture, NULL, fixture_setup, test_phrases, fixture_teardown);
  g_test_add ("/reading/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/reading/claimed", Fixture, NULL, fixture_setup, test_claimed, fixture_teardown);
  g_test_add ("/reading/conflict", Fixture, NULL, fixture_setup, test_conflict, fixture_teardown);
  g_test_add ("/reading/finalize", Fixture, NULL, fixture_setup, test_finalize, fixture_teardown);
  g_test_add ("/reading/close", Fixture, NULL, fixture_setup, test_close, fixture_teardown);
  g_test_add ("/reading/tab-strip", Fixture, NULL, fixture_setup, test_tab_strip, fixture_teardown);
  g_test_add ("/reading/priors", Fixture, NULL, fixture_setup, test_priors, fixture_teardown);
  g_test_add ("/reading/download", Fixture, NULL, fixture_setup, test_download, fixture_teardown);
  g_test_add ("/reading/shortcuts", Fixture, NULL, fixture_setup, test_shortcuts, fixture_teardown);

  status = g_test_run ();
  rw_test_orthanc_free (orthanc);
  rw_test_app_cleanup ();
  return status;
}
