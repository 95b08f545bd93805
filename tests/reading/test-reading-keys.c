/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-test-reading.h"
#include "rw-test-util.h"

/* The phrase bank from the keyboard, with keys that come through the X
 * server as a radiologist's do (xdotool's XTest events), so that every
 * controller on their way sees them: the search entry's text, the
 * window's shortcuts, the list's. The X server's keyboard goes to one
 * window, so this program runs alone on the display. */

#define NORMAL_PHRASE "Exame dentro dos limites da normalidade."

typedef struct {
  RwTestServer  *server;
  RwTestApp      a;
  RwReadingView *view;
} Fixture;

static gboolean
bank_filled (gpointer data)
{
  return rw_phrase_bank_get_n_shown (rw_reading_view_get_phrase_bank (data)) > 0;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *admin = NULL;
  gint64 exam_id;
  static const char *phrases[] = {
    "{\"section\": \"findings\", \"label\": \"Normal\", \"text\": \"" NORMAL_PHRASE "\", \"abbreviation\": \"nl\"}",
    "{\"section\": \"findings\", \"modality\": \"CT\", \"label\": \"Fígado normal (TC)\", \"text\": \"Fígado de dimensões normais e densidade homogênea.\", \"abbreviation\": \"fig\"}",
  };

  rw_test_app_reset ();
  f->server = rw_test_reading_server_new ();
  admin = rw_test_server_login (f->server, "admin", "senha-admin-1");
  for (guint i = 0; i < G_N_ELEMENTS (phrases); i++)
    g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", "/api/phrases", admin, phrases[i], NULL), ==, 201);
  exam_id = rw_test_server_add_exam (f->server, "1.2.76.77.2", "KB001", "SOUZA^MARIA");

  rw_test_app_start (&f->a);
  rw_test_app_sign_in_to_worklist (&f->a, rw_test_server_get_url (f->server), "ana", RW_TEST_PASSWORD);
  f->view = rw_test_reading_open (&f->a, exam_id);
  rw_test_reading_wait_mode (f->view, RW_READING_EDITING);
  g_assert_true (rw_test_wait_until (bank_filled, f->view, RW_TEST_APP_WAIT_MS));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->a.app != NULL)
    rw_test_app_stop (&f->a);
  rw_test_reading_forget_keyring (f->server, NULL);
  g_clear_pointer (&f->server, rw_test_server_free);
}

/* xdotool with @args, through the X server of this test (DISPLAY). */
static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "xdotool");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xdotool failed: %s", err);
}

static gboolean
row_focused (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (data));

  return GTK_IS_LIST_BOX_ROW (focus) && gtk_widget_is_ancestor (focus, data);
}

static gboolean
bank_open (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static gboolean
bank_closed (gpointer data)
{
  return !bank_open (data);
}

/* Ctrl+K and the search typed, at a typist's pace: the next key comes
 * before the search entry's own pause (150 ms) is over. */
static void
open_bank_and_type (Fixture    *f,
                    const char *query)
{
  RwPhraseBank *bank = rw_reading_view_get_phrase_bank (f->view);

  /* The phrase searched for is not the first of the bank: what the keys
   * do to a list not yet filtered shows. */
  g_assert_cmpstr (rw_phrase_get_abbreviation (rw_phrase_bank_get_shown (bank, 0)), ==, "fig");
  xdotool ("key", "ctrl+k", NULL);
  g_assert_true (rw_test_wait_until (bank_open, bank, RW_TEST_APP_WAIT_MS));
  xdotool ("type", "--delay", "20", query, NULL);
}

/* The phrase is at the cursor of the section being written (in place of
 * its selection), the cursor after it, and the focus back in the section
 * so that typing goes on. */
static void
assert_inserted (Fixture    *f,
                 const char *expected,
                 int         cursor)
{
  RwReportForm *form = rw_reading_view_get_form (f->view);
  GtkTextView *text_view = rw_report_form_get_text_view (form, RW_REPORT_FINDINGS);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  RwPhraseBank *bank = rw_reading_view_get_phrase_bank (f->view);
  g_autofree char *findings = NULL;
  GtkTextIter iter;

  g_assert_true (rw_test_wait_until (bank_closed, bank, RW_TEST_APP_WAIT_MS));
  findings = rw_test_reading_dup_section (f->view, RW_REPORT_FINDINGS);
  g_assert_cmpstr (findings, ==, expected);
  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  g_assert_cmpint (gtk_text_iter_get_offset (&iter), ==, cursor);
  /* Typing goes on where the phrase ended. */
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->a.window)) == GTK_WIDGET (text_view));
}

/* In the search, Down goes to the first phrase found and Enter inserts
 * it at the cursor, in the middle of the text. */
static void
test_down_enter (Fixture       *f,
                 gconstpointer  data)
{
  RwReportForm *form = rw_reading_view_get_form (f->view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (rw_report_form_get_text_view (form, RW_REPORT_FINDINGS));
  RwPhraseBank *bank = rw_reading_view_get_phrase_bank (f->view);
  GtkWidget *row;
  GtkTextIter iter;

  rw_test_reading_type (f->view, RW_REPORT_FINDINGS, "Baço  normal.");
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, 5);
  gtk_text_buffer_place_cursor (buffer, &iter);
  open_bank_and_type (f, "limites");

  xdotool ("key", "Down", NULL);
  g_assert_true (rw_test_wait_until (row_focused, bank, RW_TEST_APP_WAIT_MS));
  row = gtk_root_get_focus (GTK_ROOT (f->a.window));
  g_assert_cmpint (gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)), ==, 0);
  g_assert_cmpuint (rw_phrase_bank_get_n_shown (bank), ==, 1);
  g_assert_cmpstr (rw_phrase_get_abbreviation (rw_phrase_bank_get_shown (bank, 0)), ==, "nl");

  xdotool ("key", "Return", NULL);
  assert_inserted (f, "Baço " NORMAL_PHRASE " normal.", 5 + g_utf8_strlen (NORMAL_PHRASE, -1));
}

/* Enter in the search inserts the first phrase found, in place of the
 * selection. */
static void
test_enter (Fixture       *f,
            gconstpointer  data)
{
  RwReportForm *form = rw_reading_view_get_form (f->view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (rw_report_form_get_text_view (form, RW_REPORT_FINDINGS));
  GtkTextIter start, end;

  rw_test_reading_type (f->view, RW_REPORT_FINDINGS, "Achados: XXX");
  gtk_text_buffer_get_iter_at_offset (buffer, &start, 9);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_select_range (buffer, &start, &end);
  open_bank_and_type (f, "limites");

  xdotool ("key", "Return", NULL);
  assert_inserted (f, "Achados: " NORMAL_PHRASE, 9 + g_utf8_strlen (NORMAL_PHRASE, -1));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  rw_test_app_init (&argc, &argv, "test-reading-keys", FALSE);
  g_test_add ("/reading-keys/down-enter", Fixture, NULL, fixture_setup, test_down_enter, fixture_teardown);
  g_test_add ("/reading-keys/enter", Fixture, NULL, fixture_setup, test_enter, fixture_teardown);
  status = g_test_run ();
  rw_test_app_cleanup ();
  return status;
}
