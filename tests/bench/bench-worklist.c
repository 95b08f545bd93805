/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsecret/secret.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include "rw-application.h"
#include "rw-keyring.h"
#include "rw-local-store.h"
#include "rw-test-exams.h"
#include "rw-test-util.h"
#include "rw-window.h"

/* How the desktop app copes with a large worklist: fills the local cache
 * with N synthetic exams (100 000 by default), starts the real application
 * signed in to a server that does not answer (so the list comes from the
 * cache alone, as on a morning with the network down), and measures, each
 * to the first frame painted after it:
 *
 *   - start: from creating the application to the window showing the
 *     list (reading the cache, building the rows, the first frame);
 *   - a search keystroke, a longer search, clearing it;
 *   - a re-sort by patient name, the same descending, by study date;
 *   - a filter change (any status).
 *
 * Run it with build-aux/bench-worklist, which provides the display, the
 * session bus and the keyring. Not part of the test suite. */

#define SERVER "http://127.0.0.1:9"
#define USERNAME "bench"

typedef void (*StepFunc) (RwWindow *window);

typedef struct {
  const char *name;
  StepFunc    run;
} Step;

static gint64 start_time;
static gint64 step_start;
static guint step_index;
static gboolean waiting_for_list = TRUE;
static RwWindow *bench_window;
static GtkApplication *bench_app;

static void
type_search (RwWindow   *window,
             const char *text)
{
  gtk_widget_activate_action (GTK_WIDGET (rw_window_get_worklist_view (window)),
                              "worklist.search", "s", text);
}

static void step_keystroke (RwWindow *w) { type_search (w, "s"); }
static void step_search (RwWindow *w) { type_search (w, "silva joao"); }
static void step_clear_search (RwWindow *w) { type_search (w, ""); }

static void
sort_by (RwWindow   *window,
         const char *column,
         gboolean    descending)
{
  gtk_widget_activate_action (GTK_WIDGET (rw_window_get_worklist_view (window)),
                              "worklist.sort", "(sb)", column, descending);
}

static void step_sort_name (RwWindow *w) { sort_by (w, "patient", FALSE); }
static void step_sort_name_desc (RwWindow *w) { sort_by (w, "patient", TRUE); }
static void step_sort_date (RwWindow *w) { sort_by (w, "study-date", FALSE); }

static void
step_any_status (RwWindow *window)
{
  gtk_widget_activate_action (GTK_WIDGET (rw_window_get_worklist_view (window)),
                              "worklist.filter-status", "s", "all");
}

static const Step steps[] = {
  { "search keystroke (\"s\")", step_keystroke },
  { "search \"silva joao\"", step_search },
  { "clear the search", step_clear_search },
  { "sort by patient name", step_sort_name },
  { "sort by patient name, descending", step_sort_name_desc },
  { "sort by study date", step_sort_date },
  { "status filter: any status", step_any_status },
};

static double
ms_since (gint64 t)
{
  return (g_get_monotonic_time () - t) / 1000.0;
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
  g_print ("  %-36s %7.1f ms to update the model, ", step->name, ms_since (step_start));
  gtk_widget_queue_draw (GTK_WIDGET (bench_window));
  return G_SOURCE_REMOVE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  if (waiting_for_list)
    {
      if (g_strcmp0 (rw_window_get_page (bench_window), "worklist") != 0 ||
          shown_rows (bench_window) == 0)
        return;
      waiting_for_list = FALSE;
      g_print ("  %-36s %7.1f ms (%u rows shown)\n", "start to the list on screen",
               ms_since (start_time), shown_rows (bench_window));
      g_print ("  %-36s %7ld MiB\n", "resident memory", resident_mib ());
      g_timeout_add (300, run_step, NULL);
      return;
    }

  if (step_start == 0)
    return;
  g_print ("%6.1f ms to the painted frame (%u rows)\n", ms_since (step_start), shown_rows (bench_window));
  step_start = 0;
  step_index++;
  if (step_index < G_N_ELEMENTS (steps))
    g_timeout_add (300, run_step, NULL);
  else
    {
      g_print ("  %-36s %7ld MiB\n", "resident memory at the end", resident_mib ());
      g_application_quit (G_APPLICATION (bench_app));
    }
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 gpointer        user_data)
{
  if (!RW_IS_WINDOW (window) || bench_window != NULL)
    return;
  bench_window = RW_WINDOW (window);
}

static gboolean
connect_clock (gpointer data)
{
  GdkFrameClock *clock;

  if (bench_window == NULL || !gtk_widget_get_realized (GTK_WIDGET (bench_window)))
    return G_SOURCE_CONTINUE;
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (bench_window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  gtk_widget_queue_draw (GTK_WIDGET (bench_window));
  return G_SOURCE_REMOVE;
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

static void
fill_cache (guint count)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "radiweb", "client.db", NULL);
  g_autoptr(RwLocalStore) store = rw_local_store_new (path);
  g_autoptr(GPtrArray) exams = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  gint64 t = g_get_monotonic_time ();

  exams = rw_test_exams_new (count, 2026);
  rw_local_store_save_async (store, SERVER, exams, NULL, on_saved, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_print ("  %-36s %7.1f ms (%u exams)\n", "filling the cache (not timed by users)", ms_since (t), count);

  if (!secret_password_store_sync (rw_keyring_get_schema (), SECRET_COLLECTION_DEFAULT, "bench",
                                   "bench-token", NULL, &error,
                                   "kind", rw_keyring_kind_to_string (RW_KEYRING_TOKEN),
                                   "server", SERVER, "username", USERNAME, NULL))
    g_error ("Could not store the token in the keyring: %s", error->message);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RwApplication) app = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *home = NULL;
  guint count = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  int status;

  setlocale (LC_ALL, "");
  g_set_prgname ("radiweb-bench");
  home = rw_test_make_tmpdir ("rw-bench");
  g_setenv ("HOME", home, TRUE);
  g_unsetenv ("XDG_DATA_HOME");
  g_unsetenv ("XDG_CONFIG_HOME");
  g_unsetenv ("XDG_CACHE_HOME");
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  g_print ("Worklist benchmark, %u exams in the local cache\n", count);
  fill_cache (count);

  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "server-url", SERVER);
  g_settings_set_string (settings, "username", USERNAME);

  start_time = g_get_monotonic_time ();
  app = rw_application_new ("br.com.radiweb.Laudos.Bench", G_APPLICATION_NON_UNIQUE);
  bench_app = GTK_APPLICATION (app);
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), NULL);
  g_timeout_add (1, connect_clock, NULL);
  status = g_application_run (G_APPLICATION (app), 1, argv);

  secret_password_clear_sync (rw_keyring_get_schema (), NULL, NULL,
                              "kind", rw_keyring_kind_to_string (RW_KEYRING_TOKEN),
                              "server", SERVER, NULL);
  rw_test_rm_rf (home);
  return status;
}
