/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-reading-view-private.h"

/* The patient's other exams: those the server knows, with the state of
 * their laudo, and those only on the PACS (studies from before Radiweb, or
 * from elsewhere), found with QIDO-RS. Opening one shows its laudo beside
 * the one being written and its images in the viewer. */

static const char *
report_status_label (RwPrior *prior)
{
  if (rw_exam_get_id (prior->exam) == 0)
    return _("Only on the PACS");
  if (g_strcmp0 (prior->report_status, "final") == 0)
    return _("Signed laudo");
  if (g_strcmp0 (prior->report_status, "draft") == 0)
    return _("Draft laudo");
  return _("No laudo");
}

static char *
prior_title (RwExam *exam)
{
  g_autofree char *date = rw_exam_dup_study_date_label (exam);
  const char *description = rw_exam_get_description (exam);

  /* Translators: a prior exam, "01/01/2023 — TC ABDOME TOTAL". */
  return g_strdup_printf (_("%s — %s"), date[0] != '\0' ? date : _("no date"),
                          description[0] != '\0' ? description : _("Exam without description"));
}

static void
refill (RwReadingView *self)
{
  GtkWidget *child;
  g_autofree char *label = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->priors_list))) != NULL)
    gtk_list_box_remove (self->priors_list, child);
  for (guint i = 0; i < self->priors->len; i++)
    {
      RwPrior *prior = g_ptr_array_index (self->priors, i);
      g_autofree char *title = prior_title (prior->exam);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", rw_exam_get_modality (prior->exam),
                                                   report_status_label (prior));
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_append (self->priors_list, row);
    }
  gtk_stack_set_visible_child_name (self->priors_stack, self->priors->len > 0 ? "list" : "empty");
  /* Translators: the priors button, "Priors (3)". */
  label = g_strdup_printf (_("Priors (%u)"), self->priors->len);
  gtk_menu_button_set_label (self->priors_button, label);
}

static gboolean
has_study (RwReadingView *self,
           const char    *study_uid)
{
  if (g_strcmp0 (rw_exam_get_study_uid (self->exam), study_uid) == 0)
    return TRUE;
  for (guint i = 0; i < self->priors->len; i++)
    if (g_strcmp0 (rw_exam_get_study_uid (((RwPrior *) g_ptr_array_index (self->priors, i))->exam), study_uid) == 0)
      return TRUE;
  return FALSE;
}

static int
newest_first (gconstpointer a,
              gconstpointer b)
{
  RwExam *x = (*(RwPrior **) a)->exam;
  RwExam *y = (*(RwPrior **) b)->exam;
  int c = g_strcmp0 (rw_exam_get_study_date (y), rw_exam_get_study_date (x));

  return c != 0 ? c : g_strcmp0 (rw_exam_get_study_time (y), rw_exam_get_study_time (x));
}

static void
on_pacs_priors (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(GPtrArray) studies = NULL;
  g_autoptr(GError) error = NULL;
  guint added = 0;

  studies = rw_orthanc_client_find_priors_finish (RW_ORTHANC_CLIENT (source), result, &error);
  if (studies == NULL)
    {
      /* The server's priors are listed all the same. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No priors from the PACS: %s", error->message);
      return;
    }
  for (guint i = 0; i < studies->len; i++)
    {
      RwExam *study = g_ptr_array_index (studies, i);
      RwPrior *prior;

      if (has_study (self, rw_exam_get_study_uid (study)))
        continue;
      prior = g_new0 (RwPrior, 1);
      prior->exam = g_object_ref (study);
      g_ptr_array_add (self->priors, prior);
      added++;
    }
  if (added > 0)
    {
      g_ptr_array_sort (self->priors, newest_first);
      refill (self);
    }
}

static void
on_orthanc (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(RwOrthancAccess) access = NULL;
  g_autoptr(GError) error = NULL;

  access = rw_reading_context_get_orthanc_finish (RW_READING_CONTEXT (source), result, &error);
  if (access == NULL)
    return;
  rw_orthanc_client_find_priors_async (access->client, rw_patient_get_patient_id (rw_exam_get_patient (self->exam)),
                                       self->cancellable, on_pacs_priors, g_object_ref (self));
}

void
rw_reading_view_load_priors (RwReadingView *self)
{
  g_ptr_array_set_size (self->priors, 0);
  for (guint i = 0; self->record != NULL && i < self->record->priors->len; i++)
    {
      RwPrior *known = g_ptr_array_index (self->record->priors, i);
      RwPrior *prior = g_new0 (RwPrior, 1);

      prior->exam = g_object_ref (known->exam);
      prior->report_status = g_strdup (known->report_status);
      g_ptr_array_add (self->priors, prior);
    }
  refill (self);
  rw_reading_context_get_orthanc_async (self->context, self->exam, self->cancellable,
                                        on_orthanc, g_object_ref (self));
}

static void
on_prior_report (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(RwReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = rw_api_client_get_report_finish (RW_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (report == NULL)
    {
      if (g_error_matches (error, RW_API_ERROR, RW_API_ERROR_NOT_FOUND))
        rw_report_form_set_status_line (self->prior_form, _("No laudo was written for this exam."));
      else
        rw_report_form_set_status_line (self->prior_form, error->message);
      rw_report_form_show_report (self->prior_form, NULL, FALSE);
      return;
    }
  rw_report_form_show_report (self->prior_form, report, FALSE);
  rw_report_form_set_status_line (self->prior_form, rw_report_get_is_final (report) ? NULL
                                  : _("Draft: not signed yet."));
}

void
rw_reading_view_open_prior (RwReadingView *self,
                            guint          index)
{
  RwPrior *prior;
  g_autofree char *title = NULL;
  g_autofree char *images = NULL;

  g_return_if_fail (RW_IS_READING_VIEW (self));
  g_return_if_fail (index < self->priors->len);

  prior = g_ptr_array_index (self->priors, index);
  gtk_menu_button_popdown (self->priors_button);
  title = prior_title (prior->exam);
  gtk_label_set_label (self->prior_title, title);
  rw_report_form_set_exam (self->prior_form, prior->exam);
  rw_report_form_show_report (self->prior_form, NULL, FALSE);
  rw_report_form_set_editable (self->prior_form, FALSE);
  /* Hidden, not only folded: a folded revealer still asks for its
   * child's width. */
  gtk_widget_set_visible (GTK_WIDGET (self->prior_revealer), TRUE);
  gtk_revealer_set_reveal_child (self->prior_revealer, TRUE);

  if (rw_exam_get_id (prior->exam) > 0)
    {
      RwApiClient *client = rw_session_get_client (rw_reading_context_get_session (self->context));

      rw_report_form_set_status_line (self->prior_form, _("Reading the laudo…"));
      rw_api_client_get_report_async (client, rw_exam_get_id (prior->exam), self->cancellable,
                                      on_prior_report, g_object_ref (self));
    }
  else
    rw_report_form_set_status_line (self->prior_form,
                                    _("This study is only on the PACS: it has no laudo in Radiweb."));

  /* Translators: above the viewer, "Images of the prior exam 01/01/2023 — TC ABDOME TOTAL". */
  images = g_strdup_printf (_("Images of the prior exam %s"), title);
  gtk_label_set_label (self->images_label, images);
  gtk_revealer_set_reveal_child (self->images_revealer, TRUE);
  self->showing_prior_images = TRUE;
  rw_viewer_pane_load (self->viewer, prior->exam);
}

void
rw_reading_view_show_current_images (RwReadingView *self)
{
  gtk_revealer_set_reveal_child (self->images_revealer, FALSE);
  if (!self->showing_prior_images)
    return;
  self->showing_prior_images = FALSE;
  rw_viewer_pane_load (self->viewer, self->exam);
}

void
rw_reading_view_close_prior (RwReadingView *self)
{
  gtk_revealer_set_reveal_child (self->prior_revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->prior_revealer), FALSE);
  rw_reading_view_show_current_images (self);
}

GPtrArray *
rw_reading_view_get_priors (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), NULL);
  return self->priors;
}

static void
on_prior_activated (RwReadingView *self,
                    GtkListBoxRow *row)
{
  rw_reading_view_open_prior (self, (guint) gtk_list_box_row_get_index (row));
}

void
rw_reading_view_init_priors (RwReadingView *self)
{
  self->priors = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_prior_free);
  g_signal_connect_object (self->priors_list, "row-activated", G_CALLBACK (on_prior_activated), self,
                           G_CONNECT_SWAPPED);
  refill (self);
}
