/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rw-test-reading.h"
#include "rw-test-util.h"

/* Nothing typed is lost when the client is killed: the client runs as a
 * child process (this program again, in a child mode), types, and is
 * killed with SIGKILL; the draft is on disk within a second of the typing,
 * and the next start restores it. */

#define TEXT "Fígado com dimensões normais.\nVesícula sem cálculos — “ok”."

/* The child ----------------------------------------------------------- */

static int
run_child (const char *mode)
{
  const char *server_url = g_getenv ("RW_CRASH_SERVER");
  gint64 exam_id = g_ascii_strtoll (g_getenv ("RW_CRASH_EXAM"), NULL, 10);
  RwTestApp app = { 0 };
  RwReadingView *view;

  rw_test_app_start (&app);
  rw_test_app_sign_in_to_worklist (&app, server_url, "ana", RW_TEST_PASSWORD);
  view = rw_test_reading_open (&app, exam_id);
  rw_test_reading_wait_mode (view, RW_READING_EDITING);

  if (g_str_equal (mode, "type"))
    {
      rw_test_reading_type (view, RW_REPORT_FINDINGS, TEXT);
      printf ("RW: typed\n");
      fflush (stdout);
      /* Until the parent kills it. */
      for (;;)
        g_main_context_iteration (NULL, TRUE);
    }

  {
    g_autofree char *findings = rw_test_reading_dup_section (view, RW_REPORT_FINDINGS);
    g_autofree char *escaped = g_strescape (findings, "");
    const char *notice = rw_reading_view_get_notice (view);

    printf ("RW: findings %s\n", escaped);
    printf ("RW: notice %s\n", notice != NULL ? notice : "");
    fflush (stdout);
  }
  rw_test_app_stop (&app);
  return 0;
}

/* The parent ---------------------------------------------------------- */

static GSubprocess *
spawn_child (const char   *mode,
             RwTestServer *server,
             gint64        exam_id)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *exam = g_strdup_printf ("%" G_GINT64_FORMAT, exam_id);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  GSubprocess *child;

  g_subprocess_launcher_setenv (launcher, "RW_CRASH_CHILD", mode, TRUE);
  g_subprocess_launcher_setenv (launcher, "RW_CRASH_SERVER", rw_test_server_get_url (server), TRUE);
  g_subprocess_launcher_setenv (launcher, "RW_CRASH_EXAM", exam, TRUE);
  g_subprocess_launcher_setenv (launcher, "RW_TEST_APP_HOME", rw_test_app_get_home (), TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self, NULL);
  g_assert_no_error (error);
  return child;
}

/* The next line the child meant for us (GLib's test machinery prints its
 * own). */
static char *
read_line (GDataInputStream *in)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "RW: "))
        return g_strdup (line + strlen ("RW: "));
    }
}

static char *
draft_findings (gint64 exam_id)
{
  return rw_test_reading_store_text ("SELECT findings FROM drafts WHERE exam_id = ?", exam_id);
}

/* The text of the saves waiting in the outbox for @exam_id. */
static char *
outbox_findings (gint64 exam_id)
{
  return rw_test_reading_store_text ("SELECT findings FROM outbox WHERE exam_id = ? AND kind = 'save'", exam_id);
}

static gboolean
draft_has_text (gpointer data)
{
  g_autofree char *text = draft_findings (*(gint64 *) data);

  return g_strcmp0 (text, TEXT) == 0;
}

static void
test_kill_restore (void)
{
  g_autoptr(RwTestServer) server = rw_test_reading_server_new ();
  g_autofree char *token = rw_test_server_login (server, "ana", RW_TEST_PASSWORD);
  g_autoptr(GSubprocess) typist = NULL;
  g_autoptr(GSubprocess) checker = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *queued = NULL;
  g_autofree char *line = NULL;
  g_autofree char *findings = NULL;
  g_autofree char *notice = NULL;
  g_autofree char *unescaped = NULL;
  gint64 exam_id;

  rw_test_app_reset ();
  exam_id = rw_test_server_add_exam (server, "1.2.76.77.1", "CR001", "ARAÚJO^BEATRIZ");

  typist = spawn_child ("type", server, exam_id);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (typist));
  line = read_line (in);
  g_assert_cmpstr (line, ==, "typed");
  /* On disk soon after the typing stops (250 ms of quiet), with nothing
   * else done; the deadline only bounds a loaded machine's delays. */
  g_assert_true (rw_test_wait_until (draft_has_text, &exam_id, 20000));

  g_subprocess_force_exit (typist);
  g_assert_true (rw_test_wait_for_exit (typist, 10000));
  g_assert_true (g_subprocess_get_if_signaled (typist));
  g_assert_cmpint (g_subprocess_get_term_sig (typist), ==, SIGKILL);
  /* The server never had it: only the draft did. */
  g_assert_null (rw_test_reading_server_report (server, token, exam_id));

  checker = spawn_child ("check", server, exam_id);
  g_clear_object (&in);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (checker));
  findings = read_line (in);
  notice = read_line (in);
  g_assert_true (g_str_has_prefix (findings, "findings "));
  unescaped = g_strcompress (findings + strlen ("findings "));
  g_assert_cmpstr (unescaped, ==, TEXT);
  g_assert_nonnull (strstr (notice, "restored"));
  g_assert_true (rw_test_wait_for_exit (checker, 60000));
  g_assert_true (g_subprocess_get_successful (checker));

  /* Quitting with the restored text open queued it for the server: it goes
   * at the next start, if the quit came before the answer. */
  queued = outbox_findings (exam_id);
  if (queued == NULL)
    {
      g_autoptr(JsonObject) report = rw_test_reading_server_report (server, token, exam_id);

      g_assert_nonnull (report);
      g_assert_cmpstr (json_object_get_string_member (report, "findings"), ==, TEXT);
    }
  else
    g_assert_cmpstr (queued, ==, TEXT);
  rw_test_reading_forget_keyring (server, NULL);
}

int
main (int   argc,
      char *argv[])
{
  const char *child = g_getenv ("RW_CRASH_CHILD");
  int status;

  rw_test_app_init (&argc, &argv, "test-reading-crash", FALSE);
  if (child != NULL)
    return run_child (child);

  g_test_add_func ("/reading/kill-restore", test_kill_restore);
  status = g_test_run ();
  rw_test_app_cleanup ();
  return status;
}
