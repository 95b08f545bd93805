/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-dicom.h"
#include "rw-test-app.h"
#include "rw-test-intake.h"
#include "rw-test-notifications.h"
#include "rw-test-util.h"

/* A study that a modality sends reaches the radiologist's open window
 * through the whole product: storescu → a real Orthanc → the webhook
 * plugin built with the project → a real radiweb-server → its
 * /api/events stream → the worklist, without a reload, with a desktop
 * notification. The server does not follow Orthanc's change feed here, so
 * the study can only have come through the plugin. In Portuguese, as a
 * radiologist in Brazil sees it. */

#define WAIT_MS 60000

/* The text of every label in the worklist's rows. */
static void
collect_labels (GtkWidget *widget,
                GPtrArray *texts)
{
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, (gpointer) gtk_label_get_label (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, texts);
}

typedef struct {
  RwTestApp   *app;
  const char **texts;
} CellsWait;

/* Whether one row of the list shows all of @texts. */
static gboolean
row_shows (gpointer data)
{
  CellsWait *w = data;
  GtkColumnView *view = rw_worklist_view_get_column_view (rw_window_get_worklist_view (w->app->window));

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (view));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      /* The list view holds the rows; the header holds the titles. */
      if (!GTK_IS_LIST_VIEW (row))
        continue;
      for (GtkWidget *cells = gtk_widget_get_first_child (row);
           cells != NULL;
           cells = gtk_widget_get_next_sibling (cells))
        {
          g_autoptr(GPtrArray) texts = g_ptr_array_new ();
          gboolean all = TRUE;

          collect_labels (cells, texts);
          for (guint i = 0; w->texts[i] != NULL && all; i++)
            all = g_ptr_array_find_with_equal_func (texts, w->texts[i], g_str_equal, NULL);
          if (all)
            return TRUE;
        }
    }
  return FALSE;
}

typedef struct {
  RwTestNotifications *daemon;
  guint                n;
} NotifyWait;

static gboolean
has_notifications (gpointer data)
{
  NotifyWait *w = data;

  return rw_test_notifications_count (w->daemon) >= w->n;
}

/* "20241201" and "103000" as the list shows them: "01/12/2024 10:30". */
static char *
study_date_label (const RwTestStudy *study)
{
  return g_strdup_printf ("%.2s/%.2s/%.4s %.2s:%.2s", study->study_date + 6, study->study_date + 4,
                          study->study_date, study->study_time, study->study_time + 2);
}

static void
test_study_arrives (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_NO_CATCHUP);
  g_autoptr(RwTestNotifications) daemon = rw_test_notifications_new ();
  g_autoptr(RwTestStudy) study = rw_test_intake_new_study (intake);
  g_autoptr(RwExam) sent = NULL;
  g_autofree char *name = NULL;
  g_autofree char *date = NULL;
  RwTestApp a = { NULL, };
  RwWorklistView *view;
  RwExam *before;
  RwExam *arrived;
  const RwTestNotification *note;
  NotifyWait nw = { daemon, 1 };
  CellsWait cw = { &a, NULL };
  gint64 waiting;

  rw_test_study_set (&study->patient_name, "CONCEIÇÃO^MARIA^DAS DORES");
  name = rw_dicom_format_person_name (study->patient_name);
  date = study_date_label (study);

  /* An exam already waiting when the radiologist signs in, selected. */
  waiting = rw_test_server_add_exam (intake->server, "1.2.76.55.1", "P55", "DIAS^MARCOS");
  rw_test_app_reset ();
  rw_test_app_start (&a);
  rw_test_app_wait_page (&a, "sign-in");
  rw_test_app_sign_in (&a, rw_test_server_get_url (intake->server),
                       RW_TEST_INTAKE_USERNAME, RW_TEST_INTAKE_PASSWORD);
  rw_test_app_wait_page (&a, "worklist");
  rw_test_app_wait_rows (&a, 1);
  view = rw_window_get_worklist_view (a.window);
  g_assert_true (rw_worklist_view_select_exam (view, waiting));
  before = rw_worklist_model_lookup (rw_test_app_get_worklist (&a), waiting);

  /* The modality sends the study. */
  rw_test_intake_send (intake, study);

  rw_test_app_wait_rows (&a, 2);
  arrived = rw_worklist_model_get_exam (rw_test_app_get_worklist (&a), 0);
  g_assert_nonnull (arrived);
  g_assert_cmpstr (rw_exam_get_study_uid (arrived), ==, study->study_uid);

  /* On screen, as people write it, in one row. */
  cw.texts = (const char *[]) {
    name, study->patient_id, study->modality, study->study_description, study->accession_number,
    date, "Pendente", NULL,
  };
  g_assert_true (rw_test_wait_until (row_shows, &cw, WAIT_MS));

  /* Without a reload: the exam that was there is the same object, still
   * selected. */
  g_assert_true (rw_worklist_model_lookup (rw_test_app_get_worklist (&a), waiting) == before);
  g_assert_nonnull (rw_worklist_view_get_selected (view));
  g_assert_cmpint (rw_exam_get_id (rw_worklist_view_get_selected (view)), ==, waiting);

  /* And the desktop said so. */
  g_assert_true (rw_test_wait_until (has_notifications, &nw, WAIT_MS));
  note = rw_test_notifications_get (daemon, 0);
  g_assert_cmpstr (note->summary, ==, "Novo exame");
  g_assert_true (g_str_has_prefix (note->body, name));
  g_assert_nonnull (strstr (note->body, study->study_description));
  g_assert_true (g_strv_contains ((const char * const *) note->actions, "default"));
  g_assert_cmpuint (rw_test_notifications_count (daemon), ==, 1);

  /* It came through the plugin, which delivered it. */
  sent = rw_test_intake_wait_for_exam (intake, study->study_uid, WAIT_MS);
  g_assert_nonnull (sent);
  g_assert_cmpint (rw_exam_get_id (sent), ==, rw_exam_get_id (arrived));

  rw_test_app_stop (&a);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  rw_test_app_init (&argc, &argv, "test-client-live", TRUE);

  g_test_add_func ("/client-live/study-arrives", test_study_arrives);

  status = g_test_run ();
  rw_test_app_cleanup ();
  return status;
}
