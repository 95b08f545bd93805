/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsecret/secret.h>
#include <locale.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "rw-application.h"
#include "rw-keyring.h"
#include "rw-local-store.h"
#include "rw-test-exams.h"
#include "rw-window.h"

/* How the desktop app copes with a large worklist. build-aux/bench-worklist
 * runs it with a display, a session bus and a keyring, in three ways:
 *
 *   bench-worklist fill N   fills the local cache of $HOME with N synthetic
 *                           exams and puts a session token in the keyring;
 *   bench-worklist start    starts the real application, signed in to a
 *                           server that does not answer (the list comes from
 *                           the cache alone, as on a morning with the network
 *                           down), and prints when its first frame, the
 *                           first frame with the list (its first screen of
 *                           rows) and the first frame that holds all of its
 *                           rows (scrollable to the end) were painted, counted
 *                           from the exec of the process (RW_BENCH_EXEC_NS,
 *                           CLOCK_REALTIME, set by the script just before);
 *   bench-worklist steps    the same, then types a search one key at a time,
 *                           clears it, re-sorts, filters and receives a new
 *                           exam, printing for each how long the list took to
 *                           change (model and the cells on screen) and how
 *                           long until the next frame was painted.
 *
 * Not part of the test suite: the figures depend on the machine. */

#define SERVER "http://127.0.0.1:9"
#define USERNAME "bench"

typedef void (*StepFunc) (RwWindow *window);

typedef struct {
  const char *name;
  StepFunc    run;
} Step;

static gboolean run_steps;
static gint64 exec_time_us;
static gint64 step_start;
static guint step_index;
static gboolean first_frame_seen;
static gboolean list_seen;
static gboolean all_rows_seen;
static RwWindow *bench_window;
static GtkApplication *bench_app;

static void
type_search (RwWindow   *window,
             const char *text)
{
  gtk_widget_activate_action (GTK_WIDGET (rw_window_get_worklist_view (window)),
                              "worklist.search", "s", text);
}

static void
sort_by (RwWindow   *window,
         const char *column,
         gboolean    descending)
{
  gtk_widget_activate_action (GTK_WIDGET (rw_window_get_worklist_view (window)),
                              "worklist.sort", "(sb)", column, descending);
}

/* "silva joao" typed one key at a time. */
static void step_type_1 (RwWindow *w) { type_search (w, "s"); }
static void step_type_2 (RwWindow *w) { type_search (w, "si"); }
static void step_type_3 (RwWindow *w) { type_search (w, "sil"); }
static void step_type_4 (RwWindow *w) { type_search (w, "silv"); }
static void step_type_5 (RwWindow *w) { type_search (w, "silva"); }
static void step_type_6 (RwWindow *w) { type_search (w, "silva "); }
static void step_type_7 (RwWindow *w) { type_search (w, "silva j"); }
static void step_type_8 (RwWindow *w) { type_search (w, "silva jo"); }
static void step_type_9 (RwWindow *w) { type_search (w, "silva joa"); }
static void step_type_10 (RwWindow *w) { type_search (w, "silva joao"); }
static void step_backspace (RwWindow *w) { type_search (w, "silva jo"); }
static void step_clear (RwWindow *w) { type_search (w, ""); }
static void step_paste (RwWindow *w) { type_search (w, "conceicao maria"); }
static void step_sort_name (RwWindow *w) { sort_by (w, "patient", FALSE); }
static void step_sort_name_desc (RwWindow *w) { sort_by (w, "patient", TRUE); }
static void step_sort_date (RwWindow *w) { sort_by (w, "study-date", FALSE); }
static void step_sort_received (RwWindow *w) { sort_by (w, "received", TRUE); }
static void step_sort_default (RwWindow *w) { sort_by (w, "", FALSE); }

static void
step_any_status (RwWindow *window)
{
  gtk_widget_activate_action (GTK_WIDGET (rw_window_get_worklist_view (window)),
                              "worklist.filter-status", "s", "all");
}

static void
step_modality (RwWindow *window)
{
  gtk_widget_activate_action (GTK_WIDGET (rw_window_get_worklist_view (window)),
                              "worklist.filter-modality", "s", "MR");
}

/* What a live event does: a new stat exam goes to the top of the list. */
static void
step_new_exam (RwWindow *window)
{
  RwSession *session = rw_application_get_session (RW_APPLICATION (bench_app));
  g_autoptr(RwExam) exam = rw_test_exam_new_with (10000001, "NASCIMENTO^ANA^CÉLIA", "CT",
                                                  "2026-12-01", RW_EXAM_STATUS_PENDING,
                                                  RW_EXAM_PRIORITY_STAT,
                                                  g_get_real_time () / G_USEC_PER_SEC);

  rw_worklist_model_upsert (rw_session_get_worklist (session), exam);
}

static const Step steps[] = {
  { "type \"s\"", step_type_1 },
  { "type \"si\"", step_type_2 },
  { "type \"sil\"", step_type_3 },
  { "type \"silv\"", step_type_4 },
  { "type \"silva\"", step_type_5 },
  { "type \"silva \"", step_type_6 },
  { "type \"silva j\"", step_type_7 },
  { "type \"silva jo\"", step_type_8 },
  { "type \"silva joa\"", step_type_9 },
  { "type \"silva joao\"", step_type_10 },
  { "backspace twice", step_backspace },
  { "clear the search", step_clear },
  { "paste \"conceicao maria\"", step_paste },
  { "clear the search", step_clear },
  { "sort by patient (first time)", step_sort_name },
  { "sort by patient, descending", step_sort_name_desc },
  { "sort by study date (first time)", step_sort_date },
  { "sort by received, descending", step_sort_received },
  { "back to the reading-room order", step_sort_default },
  { "status: any", step_any_status },
  { "modality: MR", step_modality },
  { "a new stat exam arrives", step_new_exam },
};

static double
ms_between (gint64 from,
            gint64 to)
{
  return (to - from) / 1000.0;
}

static long
resident_mib (void)
{
  long pages = 0, resident = 0;
  FILE *statm = fopen ("/proc/self/statm", "r");

  if (statm == NULL)
    return -1;
  if (fscanf (statm, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  fclose (statm);
  return resident * sysconf (_SC_PAGESIZE) / (1024 * 1024);
}

/* CPU time used so far by @clock_id (the whole process or the calling
 * thread), in milliseconds: unlike the time since the start, it hardly
 * changes with what else the machine is doing. */
static double
cpu_ms (clockid_t clock_id)
{
  struct timespec ts;

  if (clock_gettime (clock_id, &ts) != 0)
    return -1;
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static guint
shown_rows (RwWindow *window)
{
  GtkColumnView *view = rw_worklist_view_get_column_view (rw_window_get_worklist_view (window));
  GtkSelectionModel *model = gtk_column_view_get_model (view);

  return model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;
}

static gboolean
run_step (gpointer data)
{
  const Step *step = &steps[step_index];

  step_start = g_get_monotonic_time ();
  step->run (bench_window);
  g_print ("  %-34s %6.1f ms to change the list, ", step->name,
           ms_between (step_start, g_get_monotonic_time ()));
  /* Every step changes what is on screen; this only makes sure a frame
   * comes even if GTK found nothing to redraw. */
  gtk_widget_queue_draw (GTK_WIDGET (bench_window));
  return G_SOURCE_REMOVE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 since_exec = g_get_real_time () - exec_time_us;

  if (!first_frame_seen)
    {
      first_frame_seen = TRUE;
      g_print ("first-frame %.1f\n", since_exec / 1000.0);
    }

  if (!list_seen)
    {
      if (g_strcmp0 (rw_window_get_page (bench_window), "worklist") != 0 ||
          shown_rows (bench_window) == 0)
        return;
      list_seen = TRUE;
      g_print ("list %.1f rows %u memory %ld cpu %.1f main-cpu %.1f\n", since_exec / 1000.0,
               shown_rows (bench_window), resident_mib (), cpu_ms (CLOCK_PROCESS_CPUTIME_ID),
               cpu_ms (CLOCK_THREAD_CPUTIME_ID));
    }

  if (!all_rows_seen)
    {
      RwSession *session = rw_application_get_session (RW_APPLICATION (bench_app));

      if (shown_rows (bench_window) < g_list_model_get_n_items (G_LIST_MODEL (rw_session_get_worklist (session))))
        return;
      all_rows_seen = TRUE;
      g_print ("all-rows %.1f rows %u\n", since_exec / 1000.0, shown_rows (bench_window));
      if (run_steps)
        g_timeout_add (500, run_step, NULL);
      else
        g_application_quit (G_APPLICATION (bench_app));
      return;
    }

  if (step_start == 0)
    return;
  g_print ("%6.1f ms to the painted frame (%u rows)\n", ms_between (step_start, now),
           shown_rows (bench_window));
  step_start = 0;
  step_index++;
  if (step_index < G_N_ELEMENTS (steps))
    g_timeout_add (300, run_step, NULL);
  else
    {
      g_print ("  %-34s %6ld MiB\n", "resident memory at the end", resident_mib ());
      g_application_quit (G_APPLICATION (bench_app));
    }
}

/* Connected before the window is shown, so that its first frame counts. */
static void
on_window_realize (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_after_paint), NULL);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 gpointer        user_data)
{
  if (!RW_IS_WINDOW (window) || bench_window != NULL)
    return;
  bench_window = RW_WINDOW (window);
  g_signal_connect (window, "realize", G_CALLBACK (on_window_realize), NULL);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rw_local_store_save_finish (RW_LOCAL_STORE (source), result, &error))
    g_error ("Could not fill the cache: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static int
fill (guint count)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "radiweb", "client.db", NULL);
  g_autoptr(RwLocalStore) store = rw_local_store_new (path);
  g_autoptr(GPtrArray) exams = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  exams = rw_test_exams_new (count, 2026);
  rw_local_store_save_async (store, SERVER, exams, NULL, on_saved, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  if (!secret_password_store_sync (rw_keyring_get_schema (), SECRET_COLLECTION_DEFAULT, "bench",
                                   "bench-token", NULL, &error,
                                   "kind", rw_keyring_kind_to_string (RW_KEYRING_TOKEN),
                                   "server", SERVER, "username", USERNAME, NULL))
    g_error ("Could not store the token in the keyring: %s", error->message);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RwApplication) app = NULL;
  g_autoptr(GSettings) settings = NULL;
  const char *exec_ns = g_getenv ("RW_BENCH_EXEC_NS");

  setlocale (LC_ALL, "");
  g_set_prgname ("radiweb-bench");
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  if (argc == 3 && g_str_equal (argv[1], "fill"))
    return fill ((guint) g_ascii_strtoull (argv[2], NULL, 10));
  if (argc != 2 || (!g_str_equal (argv[1], "start") && !g_str_equal (argv[1], "steps")))
    {
      g_printerr ("Usage: bench-worklist fill N | start | steps\n");
      return 2;
    }
  run_steps = g_str_equal (argv[1], "steps");
  exec_time_us = exec_ns != NULL ? g_ascii_strtoll (exec_ns, NULL, 10) / 1000 : g_get_real_time ();

  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "server-url", SERVER);
  g_settings_set_string (settings, "username", USERNAME);

  app = rw_application_new ("br.com.radiweb.Laudos.Bench", G_APPLICATION_NON_UNIQUE);
  bench_app = GTK_APPLICATION (app);
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
