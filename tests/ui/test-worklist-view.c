/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsecret/secret.h>
#include <string.h>

#include "rw-local-store.h"
#include "rw-test-app.h"
#include "rw-test-exams.h"
#include "rw-test-util.h"

/* The worklist on screen with more exams than GTK keeps row widgets for
 * (200): whatever the search, the order or the scrolling, every row that
 * is painted shows the exam at its position, at every frame. The list
 * comes from the local cache, as on a morning with the server down: a
 * token in the keyring for a server that does not answer. */

#define N_EXAMS 3000
/* The accession number's column (see rw-worklist-view.c). */
#define ACCESSION_COLUMN 6

typedef struct {
  RwTestApp  a;
  char      *server_url;
  guint      frames;
  guint      wrong_frames;
  char      *wrong;
  /* The first frame that showed rows, for the start-up tests. */
  guint      first_rows;
  guint      first_rows_on_screen;
  char      *first_wrong;
  gboolean   select_at_first_rows;
  gint64     selected_at_first_rows;
} Fixture;

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rw_local_store_save_finish (RW_LOCAL_STORE (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* The cached list and a token of a server that does not answer; the
 * application not started yet. */
static void
fixture_setup_cache (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(RwLocalStore) store = NULL;
  g_autoptr(GPtrArray) exams = rw_test_exams_new (N_EXAMS, 7);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  gboolean saved = FALSE;

  rw_test_app_reset ();
  f->server_url = g_strdup_printf ("http://127.0.0.1:%u", rw_test_free_port ());
  path = g_build_filename (g_get_user_data_dir (), "radiweb", "client.db", NULL);
  store = rw_local_store_new (path);
  rw_local_store_save_async (store, f->server_url, exams, NULL, on_saved, &saved);
  g_assert_true (rw_test_wait_until (is_true, &saved, RW_TEST_APP_WAIT_MS));
  g_assert_true (secret_password_store_sync (rw_keyring_get_schema (), SECRET_COLLECTION_DEFAULT,
                                             "test", "token-of-a-server-that-is-down", NULL, &error,
                                             "kind", rw_keyring_kind_to_string (RW_KEYRING_TOKEN),
                                             "server", f->server_url, "username", "ana", NULL));
  g_assert_no_error (error);
  g_settings_set_string (settings, "server-url", f->server_url);
  g_settings_set_string (settings, "username", "ana");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_cache (f, data);
  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "worklist");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rw_test_app_stop (&f->a);
  secret_password_clear_sync (rw_keyring_get_schema (), NULL, NULL,
                              "kind", rw_keyring_kind_to_string (RW_KEYRING_TOKEN),
                              "server", f->server_url, NULL);
  g_free (f->server_url);
  g_free (f->wrong);
  g_free (f->first_wrong);
}

static GtkWidget *
scroller_of (Fixture *f)
{
  GtkWidget *view = GTK_WIDGET (rw_worklist_view_get_column_view (rw_window_get_worklist_view (f->a.window)));

  return gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
}

static GtkWidget *
list_view_of (Fixture *f)
{
  GtkWidget *view = GTK_WIDGET (rw_worklist_view_get_column_view (rw_window_get_worklist_view (f->a.window)));

  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  g_assert_not_reached ();
}

static GtkWidget *
cell_label (GtkWidget *row,
            guint      column)
{
  GtkWidget *cell = gtk_widget_get_first_child (row);

  for (guint i = 0; i < column && cell != NULL; i++)
    cell = gtk_widget_get_next_sibling (cell);
  g_assert_nonnull (cell);
  for (GtkWidget *w = cell; w != NULL; w = gtk_widget_get_first_child (w))
    if (GTK_IS_LABEL (w))
      return w;
  g_assert_not_reached ();
}

static const char *
cell_text (GtkWidget *row,
           guint      column)
{
  return gtk_label_get_label (GTK_LABEL (cell_label (row, column)));
}

typedef struct {
  float       y;
  const char *accession;
} ShownRow;

static int
by_y (gconstpointer a,
      gconstpointer b)
{
  const ShownRow *ra = a;
  const ShownRow *rb = b;

  return ra->y < rb->y ? -1 : ra->y > rb->y;
}

/* NULL when the rows inside the list's visible part show, from the top,
 * the exams at consecutive positions of the model; otherwise what is
 * wrong. */
static char *
check_rows_on_screen (Fixture *f)
{
  RwWorklistModel *model = rw_test_app_get_worklist (&f->a);
  GtkWidget *scroller = scroller_of (f);
  int height = gtk_widget_get_height (scroller);
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (ShownRow));
  guint first = G_MAXUINT;

  for (GtkWidget *row = gtk_widget_get_first_child (list_view_of (f)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      graphene_point_t point;
      ShownRow r;

      if (!gtk_widget_get_child_visible (row) || gtk_widget_get_height (row) <= 0 ||
          !gtk_widget_compute_point (row, scroller, &GRAPHENE_POINT_INIT (0, 0), &point) ||
          point.y + gtk_widget_get_height (row) <= 0 || point.y >= height)
        continue;
      r.y = point.y;
      r.accession = cell_text (row, ACCESSION_COLUMN);
      g_array_append_val (shown, r);
    }
  if (shown->len == 0)
    return g_strdup ("no row on screen");
  g_array_sort (shown, by_y);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)) && first == G_MAXUINT; i++)
    if (g_str_equal (rw_exam_get_accession_number (rw_worklist_model_get_exam (model, i)),
                     g_array_index (shown, ShownRow, 0).accession))
      first = i;
  if (first == G_MAXUINT)
    return g_strdup_printf ("the top row shows %s, which is not on the list",
                            g_array_index (shown, ShownRow, 0).accession);
  for (guint i = 0; i < shown->len; i++)
    {
      RwExam *exam = rw_worklist_model_get_exam (model, first + i);
      const char *expected = exam != NULL ? rw_exam_get_accession_number (exam) : "(nothing)";

      if (!g_str_equal (g_array_index (shown, ShownRow, i).accession, expected))
        return g_strdup_printf ("row %u on screen shows %s instead of %s", i,
                                g_array_index (shown, ShownRow, i).accession, expected);
    }
  return NULL;
}

static void
on_after_paint (GdkFrameClock *clock,
                Fixture       *f)
{
  char *wrong = check_rows_on_screen (f);

  f->frames++;
  if (wrong != NULL)
    {
      f->wrong_frames++;
      g_free (f->wrong);
      f->wrong = wrong;
    }
}

static gboolean
frames_painted (gpointer data)
{
  Fixture *f = data;

  return f->frames >= 3;
}

/* Makes a change, then checks every frame painted after it; with
 * @check_now, also the rows as they are right after the change, before
 * any frame (a search or a re-sort moves no row widget). */
static void
watch_frames (Fixture  *f,
              void    (*change) (Fixture *f, gpointer data),
              gpointer  data,
              gboolean  check_now)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->a.window));
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), f);

  f->frames = 0;
  f->wrong_frames = 0;
  change (f, data);
  if (check_now)
    {
      g_autofree char *wrong = check_rows_on_screen (f);

      if (wrong != NULL)
        g_error ("Right after the change: %s", wrong);
    }
  g_assert_true (rw_test_wait_until (frames_painted, f, RW_TEST_APP_WAIT_MS));
  g_signal_handler_disconnect (clock, handler);
  if (f->wrong_frames > 0)
    g_error ("%u of %u frames were wrong; the last: %s", f->wrong_frames, f->frames, f->wrong);
}

static void
worklist_action (Fixture  *f,
                 gpointer  data)
{
  GVariant **step = data;

  rw_test_app_worklist_action (&f->a, g_variant_get_string (step[0], NULL), step[1]);
  gtk_widget_queue_draw (GTK_WIDGET (f->a.window));
}

static void
scroll_to (Fixture  *f,
           gpointer  data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller_of (f)));
  double fraction = *(double *) data;

  gtk_adjustment_set_value (adjustment, fraction * (gtk_adjustment_get_upper (adjustment) -
                                                    gtk_adjustment_get_page_size (adjustment)));
  gtk_widget_queue_draw (GTK_WIDGET (f->a.window));
}

/* A re-sort, and a page down before anything was painted: the rows that
 * come into view were off screen when their exams changed. */
static void
sort_and_page_down (Fixture  *f,
                    gpointer  data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller_of (f)));

  rw_test_app_worklist_action (&f->a, "worklist.sort", g_variant_new ("(sb)", data, FALSE));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) +
                                        gtk_adjustment_get_page_size (adjustment));
}

static void
step (Fixture    *f,
      const char *action,
      GVariant   *parameter)
{
  GVariant *s[2] = { g_variant_ref_sink (g_variant_new_string (action)), g_variant_ref_sink (parameter) };

  watch_frames (f, worklist_action, s, TRUE);
  g_variant_unref (s[0]);
  g_variant_unref (s[1]);
}

static void
scroll (Fixture *f,
        double   fraction)
{
  watch_frames (f, scroll_to, &fraction, FALSE);
}

static void
test_rows_on_screen (Fixture       *f,
                     gconstpointer  data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller_of (f)));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rw_test_app_get_worklist (&f->a))), >, 1000);
  scroll (f, 0);

  /* Re-sorts and searches at the top, then far down the list. */
  step (f, "worklist.sort", g_variant_new ("(sb)", "patient", FALSE));
  step (f, "worklist.sort", g_variant_new ("(sb)", "patient", TRUE));
  step (f, "worklist.search", g_variant_new_string ("s"));
  step (f, "worklist.search", g_variant_new_string ("silva"));
  step (f, "worklist.search", g_variant_new_string (""));
  scroll (f, 0.5);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
  step (f, "worklist.sort", g_variant_new ("(sb)", "study-date", FALSE));
  scroll (f, 0.52);
  scroll (f, 0.1);
  step (f, "worklist.filter-status", g_variant_new_string ("all"));
  scroll (f, 0.9);
  step (f, "worklist.sort", g_variant_new ("(sb)", "", FALSE));
  scroll (f, 0);
  watch_frames (f, sort_and_page_down, (gpointer) "accession", FALSE);
  watch_frames (f, sort_and_page_down, (gpointer) "patient-id", FALSE);
}

/* The rows painted on screen (whose cells show an exam), top to bottom. */
static GPtrArray *
rows_on_screen (Fixture *f)
{
  GtkWidget *scroller = scroller_of (f);
  int height = gtk_widget_get_height (scroller);
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (list_view_of (f)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      graphene_point_t point;

      if (gtk_widget_get_child_visible (row) && gtk_widget_get_height (row) > 0 &&
          gtk_widget_compute_point (row, scroller, &GRAPHENE_POINT_INIT (0, 0), &point) &&
          point.y + gtk_widget_get_height (row) > 0 && point.y < height)
        g_ptr_array_add (rows, row);
    }
  return rows;
}

static RwExam *
exam_with_accession (Fixture    *f,
                     const char *accession)
{
  RwWorklistModel *model = rw_test_app_get_worklist (&f->a);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    if (g_str_equal (rw_exam_get_accession_number (rw_worklist_model_get_exam (model, i)), accession))
      return rw_worklist_model_get_exam (model, i);
  g_assert_not_reached ();
}

/* Stat and urgent exams stand out on every cell of their rows, routine
 * ones not at all, in the reading-room order and mixed among the others. */
static void
test_urgent_rows (Fixture       *f,
                  gconstpointer  data)
{
  guint seen[3] = { 0, };

  scroll (f, 0);
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GPtrArray) rows = NULL;

      if (pass == 1)
        step (f, "worklist.sort", g_variant_new ("(sb)", "patient", FALSE));
      rows = rows_on_screen (f);
      g_assert_cmpuint (rows->len, >, 5);
      for (guint i = 0; i < rows->len; i++)
        {
          GtkWidget *row = g_ptr_array_index (rows, i);
          RwExam *exam = exam_with_accession (f, cell_text (row, ACCESSION_COLUMN));
          RwExamPriority priority = rw_exam_get_priority (exam);

          seen[priority]++;
          for (guint column = 0; column <= ACCESSION_COLUMN; column++)
            {
              GtkWidget *label = cell_label (row, column);

              g_assert_cmpint (gtk_widget_has_css_class (label, "stat"), ==,
                               priority == RW_EXAM_PRIORITY_STAT);
              g_assert_cmpint (gtk_widget_has_css_class (label, "urgent"), ==,
                               priority == RW_EXAM_PRIORITY_URGENT);
            }
        }
    }
  /* The reading-room order puts stat exams first; sorted by name, the
   * screen mixes routine ones in. */
  g_assert_cmpuint (seen[RW_EXAM_PRIORITY_STAT], >, 0);
  g_assert_cmpuint (seen[RW_EXAM_PRIORITY_ROUTINE], >, 0);
}

typedef struct {
  RwExam *exam;
  gint64  id;
} Arrival;

static void
arrive (Fixture  *f,
        gpointer  data)
{
  Arrival *arrival = data;

  g_assert_true (rw_worklist_model_upsert (rw_test_app_get_worklist (&f->a), arrival->exam));
}

/* Exams arriving while the radiologist is down the list, one at the top
 * and one at the very end: the list does not jump, the selected exam
 * stays selected, and every frame shows the right rows. */
static void
test_live_update_keeps_place (Fixture       *f,
                              gconstpointer  data)
{
  RwWorklistView *view = rw_window_get_worklist_view (f->a.window);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller_of (f)));
  RwWorklistModel *model = rw_test_app_get_worklist (&f->a);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(RwExam) stat = rw_test_exam_new_with (900001, "NASCIMENTO^ANA", "CT", "2026-12-01",
                                                  RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_STAT, now);
  g_autoptr(RwExam) old = rw_test_exam_new_with (900002, "BRAGA^ICARO", "MR", "1999-01-01",
                                                 RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_ROUTINE, 1);
  Arrival arrivals[2] = { { stat, 900001 }, { old, 900002 } };
  g_autoptr(GPtrArray) rows = NULL;
  RwExam *chosen;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  double value;

  scroll (f, 0);
  scroll (f, 0.5);
  value = gtk_adjustment_get_value (adjustment);
  g_assert_cmpfloat (value, >, 0);
  rows = rows_on_screen (f);
  chosen = exam_with_accession (f, cell_text (g_ptr_array_index (rows, rows->len / 2), ACCESSION_COLUMN));
  g_assert_true (rw_worklist_view_select_exam (view, rw_exam_get_id (chosen)));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, value);

  for (guint i = 0; i < G_N_ELEMENTS (arrivals); i++)
    {
      watch_frames (f, arrive, &arrivals[i], TRUE);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n + i + 1);
      g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, value);
      g_assert_nonnull (rw_worklist_view_get_selected (view));
      g_assert_cmpint (rw_exam_get_id (rw_worklist_view_get_selected (view)), ==, rw_exam_get_id (chosen));
    }
  g_assert_cmpuint (rw_worklist_model_find (model, 900001), ==, 0);
  g_assert_cmpuint (rw_worklist_model_find (model, 900002), ==, n + 1);
}

static guint
rows_in_view (Fixture *f)
{
  GtkColumnView *view = rw_worklist_view_get_column_view (rw_window_get_worklist_view (f->a.window));

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view)));
}

static void
on_start_frame (GdkFrameClock *clock,
                Fixture       *f)
{
  RwWorklistModel *model = rw_test_app_get_worklist (&f->a);
  g_autoptr(GPtrArray) rows = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  if (f->first_rows > 0 || rows_in_view (f) == 0)
    return;
  f->first_rows = rows_in_view (f);
  rows = rows_on_screen (f);
  f->first_rows_on_screen = rows->len;
  f->first_wrong = check_rows_on_screen (f);
  if (f->select_at_first_rows)
    {
      RwExam *last = rw_worklist_model_get_exam (model, n - 1);

      f->selected_at_first_rows = rw_exam_get_id (last);
      g_assert_true (rw_worklist_view_select_exam (rw_window_get_worklist_view (f->a.window),
                                                   f->selected_at_first_rows));
    }
}

static gboolean
all_rows_in_view (gpointer data)
{
  Fixture *f = data;

  return f->first_rows > 0 &&
         rows_in_view (f) == g_list_model_get_n_items (G_LIST_MODEL (rw_test_app_get_worklist (&f->a)));
}

/* At start, the list's first frame holds the rows a screen shows (GTK
 * would make 200), right ones; the others come right after, and the end
 * of the list can be scrolled to. With @data, an exam far down the list
 * is selected (as a notification does) before they came. */
static void
test_first_screen (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  RwWorklistView *view;
  GdkFrameClock *clock;
  RwExam *last;
  gulong handler;
  guint n, i;

  f->select_at_first_rows = data != NULL;
  rw_test_app_start (&f->a);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->a.window));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_start_frame), f);
  rw_test_app_wait_page (&f->a, "worklist");
  g_assert_true (rw_test_wait_until (all_rows_in_view, f, RW_TEST_APP_WAIT_MS));
  g_signal_handler_disconnect (clock, handler);

  view = rw_window_get_worklist_view (f->a.window);
  n = g_list_model_get_n_items (G_LIST_MODEL (rw_test_app_get_worklist (&f->a)));
  g_assert_cmpuint (n, >, 1000);
  g_assert_null (f->first_wrong);
  g_assert_cmpuint (f->first_rows_on_screen, >, 5);
  g_assert_cmpuint (f->first_rows, >=, f->first_rows_on_screen);
  g_assert_cmpuint (f->first_rows, <, 200);

  if (f->select_at_first_rows)
    {
      g_assert_nonnull (rw_worklist_view_get_selected (view));
      g_assert_cmpint (rw_exam_get_id (rw_worklist_view_get_selected (view)), ==,
                       f->selected_at_first_rows);
    }
  else
    g_assert_null (rw_worklist_view_get_selected (view));
  /* Frames first, for the scroll range of all the rows. */
  scroll (f, 0);
  scroll (f, 1);
  g_assert_null (check_rows_on_screen (f));
  rows = rows_on_screen (f);
  last = rw_worklist_model_get_exam (rw_test_app_get_worklist (&f->a), n - 1);
  for (i = 0; i < rows->len; i++)
    if (g_str_equal (cell_text (g_ptr_array_index (rows, i), ACCESSION_COLUMN),
                     rw_exam_get_accession_number (last)))
      break;
  g_assert_cmpuint (i, <, rows->len);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  rw_test_app_init (&argc, &argv, "test-worklist-view", FALSE);

  g_test_add ("/worklist-view/rows-on-screen", Fixture, NULL, fixture_setup, test_rows_on_screen,
              fixture_teardown);
  g_test_add ("/worklist-view/urgent-rows", Fixture, NULL, fixture_setup, test_urgent_rows,
              fixture_teardown);
  g_test_add ("/worklist-view/live-update-keeps-place", Fixture, NULL, fixture_setup,
              test_live_update_keeps_place, fixture_teardown);
  g_test_add ("/worklist-view/first-screen", Fixture, NULL, fixture_setup_cache,
              test_first_screen, fixture_teardown);
  g_test_add ("/worklist-view/first-screen-select", Fixture, "select", fixture_setup_cache,
              test_first_screen, fixture_teardown);

  status = g_test_run ();
  rw_test_app_cleanup ();
  return status;
}
