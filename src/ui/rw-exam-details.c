/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-dicom.h"
#include "rw-exam-details.h"

/* What win.open-exam shows until the reading view exists: every field the
 * worklist knows of the exam. */
struct _RwExamDetails
{
  AdwWindow             parent_instance;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  AdwPreferencesGroup  *patient_group;
  AdwPreferencesGroup  *exam_group;
  AdwPreferencesGroup  *work_group;

  /* Owned references */
  RwExam               *exam;
};

G_DEFINE_FINAL_TYPE (RwExamDetails, rw_exam_details, ADW_TYPE_WINDOW)

static void
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row;

  if (value == NULL || value[0] == '\0')
    value = "—";
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);
}

static char *
format_timestamp (gint64 unix_seconds)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_seconds == 0)
    return NULL;
  utc = g_date_time_new_from_unix_utc (unix_seconds);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%d/%m/%Y %H:%M");
}

static char *
format_birth_date (const char *iso)
{
  guint y = 0, m = 0, d = 0;

  if (sscanf (iso, "%4u-%2u-%2u", &y, &m, &d) != 3)
    return g_strdup (iso);
  return g_strdup_printf ("%02u/%02u/%04u", d, m, y);
}

static void
fill (RwExamDetails *self)
{
  RwExam *exam = self->exam;
  RwPatient *patient = rw_exam_get_patient (exam);
  g_autofree char *name = rw_patient_dup_display_name (patient);
  g_autofree char *birth = format_birth_date (rw_patient_get_birth_date (patient));
  g_autofree char *age = rw_patient_dup_age_label (patient);
  g_autofree char *date = rw_exam_dup_study_date_label (exam);
  g_autofree char *when = NULL;
  g_autofree char *referring = rw_dicom_format_person_name (rw_exam_get_referring_physician (exam));
  g_autofree char *counts = NULL;
  g_autofree char *received = format_timestamp (rw_exam_get_received_at (exam));
  g_autofree char *updated = format_timestamp (rw_exam_get_updated_at (exam));
  const char *time = rw_exam_get_study_time (exam);

  adw_window_title_set_title (self->window_title, name);
  adw_window_title_set_subtitle (self->window_title, rw_exam_get_description (exam));

  add_row (self->patient_group, _("Name"), name);
  add_row (self->patient_group, _("Patient ID"), rw_patient_get_patient_id (patient));
  add_row (self->patient_group, _("Birth date"), birth);
  add_row (self->patient_group, _("Age"), age);
  add_row (self->patient_group, _("Sex"), rw_patient_sex_to_label (rw_patient_get_sex (patient)));

  when = time[0] != '\0' ? g_strdup_printf ("%s %.5s", date, time) : g_strdup (date);
  /* Translators: "3 series, 150 images". */
  counts = g_strdup_printf (_("%u series, %u images"),
                            rw_exam_get_series_count (exam), rw_exam_get_instance_count (exam));
  add_row (self->exam_group, _("Description"), rw_exam_get_description (exam));
  add_row (self->exam_group, _("Modality"), rw_exam_get_modality (exam));
  add_row (self->exam_group, _("Study date"), when);
  add_row (self->exam_group, _("Accession number"), rw_exam_get_accession_number (exam));
  add_row (self->exam_group, _("Referring physician"), referring);
  add_row (self->exam_group, _("Images"), counts);
  add_row (self->exam_group, _("Study Instance UID"), rw_exam_get_study_uid (exam));

  add_row (self->work_group, _("Priority"), rw_exam_priority_to_label (rw_exam_get_priority (exam)));
  add_row (self->work_group, _("Status"), rw_exam_status_to_label (rw_exam_get_status (exam)));
  add_row (self->work_group, _("Radiologist"), rw_exam_get_assigned_to_name (exam));
  add_row (self->work_group, _("Received"), received);
  add_row (self->work_group, _("Last change"), updated);
}

static void
rw_exam_details_dispose (GObject *object)
{
  RwExamDetails *self = (RwExamDetails *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_EXAM_DETAILS);
  g_clear_object (&self->exam);

  G_OBJECT_CLASS (rw_exam_details_parent_class)->dispose (object);
}

static void
rw_exam_details_class_init (RwExamDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rw_exam_details_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-exam-details.ui");
  gtk_widget_class_bind_template_child (widget_class, RwExamDetails, window_title);
  gtk_widget_class_bind_template_child (widget_class, RwExamDetails, patient_group);
  gtk_widget_class_bind_template_child (widget_class, RwExamDetails, exam_group);
  gtk_widget_class_bind_template_child (widget_class, RwExamDetails, work_group);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rw_exam_details_init (RwExamDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

RwExamDetails *
rw_exam_details_new (RwExam *exam)
{
  RwExamDetails *self;

  g_return_val_if_fail (RW_IS_EXAM (exam), NULL);

  self = g_object_new (RW_TYPE_EXAM_DETAILS, NULL);
  self->exam = g_object_ref (exam);
  fill (self);
  return self;
}

RwExam *
rw_exam_details_get_exam (RwExamDetails *self)
{
  g_return_val_if_fail (RW_IS_EXAM_DETAILS (self), NULL);
  return self->exam;
}
