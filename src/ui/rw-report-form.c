/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-dicom.h"
#include "rw-report-form.h"

struct _RwReportForm
{
  GtkWidget        parent_instance;

  /* Template widgets */
  GtkLabel        *patient_label;
  GtkLabel        *patient_details;
  GtkLabel        *exam_label;
  GtkLabel        *exam_details;
  GtkLabel        *status_label;
  GtkLabel        *signature_label;
  GtkTextView     *technique_view;
  GtkTextView     *findings_view;
  GtkTextView     *conclusion_view;
  GtkWidget       *addenda_box;
  GtkListBox      *addenda_list;
  GtkWidget       *addendum_composer;
  GtkTextView     *addendum_view;

  /* Borrowed references */
  GtkTextView     *views[RW_REPORT_N_SECTIONS];

  /* Owned references */
  RwExam          *exam;
  GPtrArray       *phrases;
  char            *signature;

  RwReportSection  section;
  gboolean         editable;
  /* The text is being set by the program, not typed. */
  gboolean         loading;
};

G_DEFINE_FINAL_TYPE (RwReportForm, rw_report_form, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  SECTION_CHANGED,
  ADD_ADDENDUM,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
format_birth_date (const char *iso)
{
  guint y = 0, m = 0, d = 0;

  if (iso == NULL || sscanf (iso, "%4u-%2u-%2u", &y, &m, &d) != 3)
    return NULL;
  return g_strdup_printf ("%02u/%02u/%04u", d, m, y);
}

/* Joins the non-empty parts with " · ". */
static char *
join_parts (const char * const *parts,
            guint               n)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      if (parts[i] == NULL || parts[i][0] == '\0')
        continue;
      if (line->len > 0)
        g_string_append (line, " · ");
      g_string_append (line, parts[i]);
    }
  return g_string_free (line, FALSE);
}

static void
fill_header (RwReportForm *self)
{
  RwExam *exam = self->exam;
  RwPatient *patient;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autofree char *age = NULL;
  g_autofree char *birth = NULL;
  g_autofree char *born = NULL;
  g_autofree char *date = NULL;
  g_autofree char *when = NULL;
  g_autofree char *accession = NULL;
  g_autofree char *referring = NULL;
  g_autofree char *referring_line = NULL;
  g_autofree char *priority = NULL;
  g_autofree char *patient_line = NULL;
  g_autofree char *exam_line = NULL;
  const char *time;

  if (exam == NULL)
    return;
  patient = rw_exam_get_patient (exam);
  name = rw_patient_dup_display_name (patient);
  /* Translators: the patient's id in the laudo's header. */
  id = g_strdup_printf (_("ID %s"), rw_patient_get_patient_id (patient));
  age = rw_patient_dup_age_label (patient);
  birth = format_birth_date (rw_patient_get_birth_date (patient));
  if (birth != NULL)
    /* Translators: the birth date in the laudo's header. */
    born = g_strdup_printf (_("born %s"), birth);
  {
    const char *parts[] = { id, age, rw_patient_sex_to_label (rw_patient_get_sex (patient)), born };

    patient_line = join_parts (parts, G_N_ELEMENTS (parts));
  }

  date = rw_exam_dup_study_date_label (exam);
  time = rw_exam_get_study_time (exam);
  when = time[0] != '\0' && date[0] != '\0' ? g_strdup_printf ("%s %.5s", date, time) : g_strdup (date);
  if (rw_exam_get_accession_number (exam)[0] != '\0')
    /* Translators: the accession number in the laudo's header. */
    accession = g_strdup_printf (_("Accession %s"), rw_exam_get_accession_number (exam));
  referring = rw_dicom_format_person_name (rw_exam_get_referring_physician (exam));
  if (referring != NULL && referring[0] != '\0')
    /* Translators: the referring physician in the laudo's header. */
    referring_line = g_strdup_printf (_("Referred by %s"), referring);
  /* Translators: the exam's priority in the laudo's header, "Priority: Urgent". */
  priority = g_strdup_printf (_("Priority: %s"), rw_exam_priority_to_label (rw_exam_get_priority (exam)));
  {
    const char *parts[] = { rw_exam_get_modality (exam), when, accession, referring_line, priority };

    exam_line = join_parts (parts, G_N_ELEMENTS (parts));
  }

  gtk_label_set_label (self->patient_label, name);
  gtk_label_set_label (self->patient_details, patient_line);
  gtk_label_set_label (self->exam_label, rw_exam_get_description (exam)[0] != '\0'
                                         ? rw_exam_get_description (exam) : _("Exam without description"));
  gtk_label_set_label (self->exam_details, exam_line);
  if (rw_exam_get_priority (exam) != RW_EXAM_PRIORITY_ROUTINE)
    gtk_widget_add_css_class (GTK_WIDGET (self->exam_details), "urgent");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->exam_details), "urgent");
}

static void
on_buffer_changed (RwReportForm *self)
{
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_focus_enter (GtkEventControllerFocus *controller,
                RwReportForm            *self)
{
  GtkWidget *view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    if (GTK_WIDGET (self->views[i]) == view && self->section != i)
      {
        self->section = (RwReportSection) i;
        g_signal_emit (self, signals[SECTION_CHANGED], 0);
      }
}

/* Tab: an abbreviation before the cursor expands; otherwise the key goes
 * on and moves the focus to the next section (the views do not take
 * Tab as text). */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                RwReportForm          *self)
{
  GtkWidget *view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  if ((keyval != GDK_KEY_Tab && keyval != GDK_KEY_KP_Tab) ||
      (state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    if (GTK_WIDGET (self->views[i]) == view)
      {
        self->section = (RwReportSection) i;
        return rw_report_form_expand_abbreviation (self);
      }
  return FALSE;
}

static void
focus_section_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  int section = g_variant_get_int32 (parameter);

  if (section >= 0 && section < RW_REPORT_N_SECTIONS)
    rw_report_form_focus_section (RW_REPORT_FORM (widget), (RwReportSection) section);
}

static void
expand_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  rw_report_form_expand_abbreviation (RW_REPORT_FORM (widget));
}

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
add_addendum_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RwReportForm *self = RW_REPORT_FORM (widget);
  g_autofree char *text = buffer_text (self->addendum_view);

  g_strstrip (text);
  if (text[0] == '\0')
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->addendum_view));
      return;
    }
  g_signal_emit (self, signals[ADD_ADDENDUM], 0, text);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->addendum_view), "", -1);
}

static void
rw_report_form_dispose (GObject *object)
{
  RwReportForm *self = (RwReportForm *)object;
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_REPORT_FORM);
  /* The header and the scrolled sections are not bound to fields, so they
   * are still our children. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->exam);
  g_clear_pointer (&self->phrases, g_ptr_array_unref);

  G_OBJECT_CLASS (rw_report_form_parent_class)->dispose (object);
}

static void
rw_report_form_finalize (GObject *object)
{
  RwReportForm *self = (RwReportForm *)object;

  g_free (self->signature);

  G_OBJECT_CLASS (rw_report_form_parent_class)->finalize (object);
}

static void
rw_report_form_class_init (RwReportFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rw_report_form_dispose;
  object_class->finalize = rw_report_form_finalize;

  /* A change the radiologist made (typing, a phrase, an expansion). */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SECTION_CHANGED] =
    g_signal_new ("section-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (text) */
  signals[ADD_ADDENDUM] =
    g_signal_new ("add-addendum", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-report-form.ui");
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, patient_label);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, patient_details);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, exam_label);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, exam_details);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, status_label);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, signature_label);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, technique_view);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, findings_view);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, conclusion_view);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, addenda_box);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, addenda_list);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, addendum_composer);
  gtk_widget_class_bind_template_child (widget_class, RwReportForm, addendum_view);

  gtk_widget_class_install_action (widget_class, "form.focus-section", "i", focus_section_action);
  gtk_widget_class_install_action (widget_class, "form.expand-abbreviation", NULL, expand_action);
  gtk_widget_class_install_action (widget_class, "form.add-addendum", NULL, add_addendum_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "form.focus-section", "i", 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_CONTROL_MASK, "form.focus-section", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_CONTROL_MASK, "form.focus-section", "i", 2);
}

static void
rw_report_form_init (RwReportForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->views[RW_REPORT_TECHNIQUE] = self->technique_view;
  self->views[RW_REPORT_FINDINGS] = self->findings_view;
  self->views[RW_REPORT_CONCLUSION] = self->conclusion_view;
  self->section = RW_REPORT_FINDINGS;
  self->editable = TRUE;
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    {
      GtkEventController *focus = gtk_event_controller_focus_new ();
      GtkEventController *key = gtk_event_controller_key_new ();

      g_signal_connect (focus, "enter", G_CALLBACK (on_focus_enter), self);
      gtk_widget_add_controller (GTK_WIDGET (self->views[i]), focus);
      /* Before the view's own handling of the key. */
      gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
      gtk_event_controller_set_name (key, "abbreviations");
      g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
      gtk_widget_add_controller (GTK_WIDGET (self->views[i]), key);
      g_signal_connect_object (gtk_text_view_get_buffer (self->views[i]), "changed",
                               G_CALLBACK (on_buffer_changed), self, G_CONNECT_SWAPPED);
    }
}

RwReportForm *
rw_report_form_new (void)
{
  return g_object_new (RW_TYPE_REPORT_FORM, NULL);
}

void
rw_report_form_set_exam (RwReportForm *self,
                         RwExam       *exam)
{
  g_return_if_fail (RW_IS_REPORT_FORM (self));
  g_return_if_fail (RW_IS_EXAM (exam));

  g_set_object (&self->exam, exam);
  fill_header (self);
}

RwExam *
rw_report_form_get_exam (RwReportForm *self)
{
  g_return_val_if_fail (RW_IS_REPORT_FORM (self), NULL);
  return self->exam;
}

void
rw_report_form_set_phrases (RwReportForm *self,
                            GPtrArray    *phrases)
{
  g_return_if_fail (RW_IS_REPORT_FORM (self));

  if (phrases != NULL)
    g_ptr_array_ref (phrases);
  g_clear_pointer (&self->phrases, g_ptr_array_unref);
  self->phrases = phrases;
}

void
rw_report_form_set_text (RwReportForm       *self,
                         const char * const *text)
{
  g_return_if_fail (RW_IS_REPORT_FORM (self));

  self->loading = TRUE;
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->views[i]),
                              text != NULL && text[i] != NULL ? text[i] : "", -1);
  self->loading = FALSE;
}

/* What a paste may bring that a laudo should not hold. */
static char *
clean_text (char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\r')
        {
          if (p[1] != '\n')
            g_string_append_c (out, '\n');
        }
      else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
    }
  g_free (text);
  return g_string_free (out, FALSE);
}

char **
rw_report_form_dup_text (RwReportForm *self)
{
  char **text;

  g_return_val_if_fail (RW_IS_REPORT_FORM (self), NULL);

  text = g_new0 (char *, RW_REPORT_N_SECTIONS + 1);
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    text[i] = clean_text (buffer_text (self->views[i]));
  return text;
}

void
rw_report_form_set_editable (RwReportForm *self,
                             gboolean      editable)
{
  g_return_if_fail (RW_IS_REPORT_FORM (self));

  /* GTK 4.8 aborts (blink_cb: cursor_visible) when a focused text view
   * whose cursor is hidden blinks: signing with the cursor in the
   * conclusion did that. So a read-only section keeps its cursor (which
   * also lets the keyboard move through and select its text), and the
   * focus leaves the text when it becomes read-only. */
  if (!editable)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
        gtk_root_set_focus (root, NULL);
    }

  self->editable = !!editable;
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    {
      gtk_text_view_set_editable (self->views[i], self->editable);
      if (self->editable)
        gtk_widget_remove_css_class (GTK_WIDGET (self->views[i]), "read-only");
      else
        gtk_widget_add_css_class (GTK_WIDGET (self->views[i]), "read-only");
    }
}

gboolean
rw_report_form_get_editable (RwReportForm *self)
{
  g_return_val_if_fail (RW_IS_REPORT_FORM (self), FALSE);
  return self->editable;
}

static GtkWidget *
addendum_row (const RwAddendum *addendum)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *text = gtk_label_new (addendum->text);
  GtkWidget *meta;
  g_autofree char *when = rw_report_format_time (addendum->created_at);
  g_autofree char *who = addendum->author != NULL ? rw_user_dup_signature (addendum->author) : g_strdup ("—");
  /* Translators: under an addendum, "01/01/2024 10:30 — Dra. Ana Souza — CRM/SP 123456". */
  g_autofree char *line = g_strdup_printf (_("%s — %s"), when, who);

  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_selectable (GTK_LABEL (text), TRUE);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  meta = gtk_label_new (line);
  gtk_label_set_xalign (GTK_LABEL (meta), 0);
  gtk_label_set_wrap (GTK_LABEL (meta), TRUE);
  gtk_widget_add_css_class (meta, "dim-label");
  gtk_widget_add_css_class (meta, "caption");
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), meta);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);
  return box;
}

void
rw_report_form_show_report (RwReportForm *self,
                            RwReport     *report,
                            gboolean      can_add_addendum)
{
  const char *text[RW_REPORT_N_SECTIONS + 1] = { NULL, };
  GtkWidget *child;
  gboolean is_final;

  g_return_if_fail (RW_IS_REPORT_FORM (self));
  g_return_if_fail (report == NULL || RW_IS_REPORT (report));

  for (guint i = 0; report != NULL && i < RW_REPORT_N_SECTIONS; i++)
    text[i] = rw_report_get_text (report, (RwReportSection) i);
  rw_report_form_set_text (self, text);

  is_final = report != NULL && rw_report_get_is_final (report);
  g_clear_pointer (&self->signature, g_free);
  if (is_final)
    {
      RwUser *radiologist = rw_report_get_radiologist (report);
      g_autofree char *when = rw_report_format_time (rw_report_get_finalized_at (report));
      g_autofree char *who = radiologist != NULL ? rw_user_dup_signature (radiologist) : g_strdup ("—");

      /* Translators: the signature line of a final laudo, "Signed on
       * 01/01/2024 at 10:30 by Dra. Ana Souza — CRM/SP 123456". */
      self->signature = g_strdup_printf (_("Signed on %s by %s"), when, who);
      rw_report_form_set_editable (self, FALSE);
    }
  gtk_label_set_label (self->signature_label, self->signature != NULL ? self->signature : "");
  gtk_widget_set_visible (GTK_WIDGET (self->signature_label), self->signature != NULL);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->addenda_list))) != NULL)
    gtk_list_box_remove (self->addenda_list, child);
  for (guint i = 0; report != NULL && i < rw_report_get_n_addenda (report); i++)
    gtk_list_box_append (self->addenda_list, addendum_row (rw_report_get_addendum (report, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->addenda_list), report != NULL && rw_report_get_n_addenda (report) > 0);
  gtk_widget_set_visible (self->addendum_composer, is_final && can_add_addendum);
  gtk_widget_set_visible (self->addenda_box,
                          is_final && (can_add_addendum || rw_report_get_n_addenda (report) > 0));
}

const char *
rw_report_form_get_signature_line (RwReportForm *self)
{
  g_return_val_if_fail (RW_IS_REPORT_FORM (self), NULL);
  return self->signature;
}

void
rw_report_form_set_status_line (RwReportForm *self,
                                const char   *line)
{
  g_return_if_fail (RW_IS_REPORT_FORM (self));

  gtk_label_set_label (self->status_label, line != NULL ? line : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), line != NULL && line[0] != '\0');
}

RwReportSection
rw_report_form_get_section (RwReportForm *self)
{
  g_return_val_if_fail (RW_IS_REPORT_FORM (self), RW_REPORT_FINDINGS);
  return self->section;
}

void
rw_report_form_focus_section (RwReportForm    *self,
                              RwReportSection  section)
{
  g_return_if_fail (RW_IS_REPORT_FORM (self));
  g_return_if_fail (section < RW_REPORT_N_SECTIONS);

  if (self->section != section)
    {
      self->section = section;
      g_signal_emit (self, signals[SECTION_CHANGED], 0);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->views[section]));
}

GtkTextView *
rw_report_form_get_text_view (RwReportForm    *self,
                              RwReportSection  section)
{
  g_return_val_if_fail (RW_IS_REPORT_FORM (self), NULL);
  g_return_val_if_fail (section < RW_REPORT_N_SECTIONS, NULL);
  return self->views[section];
}

char *
rw_report_form_dup_selection (RwReportForm *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (RW_IS_REPORT_FORM (self), NULL);

  buffer = gtk_text_view_get_buffer (self->views[self->section]);
  if (!gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    return NULL;
  return clean_text (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

gboolean
rw_report_form_insert_text (RwReportForm *self,
                            const char   *text)
{
  GtkTextView *view;
  GtkTextBuffer *buffer;

  g_return_val_if_fail (RW_IS_REPORT_FORM (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (!self->editable)
    return FALSE;
  view = self->views[self->section];
  buffer = gtk_text_view_get_buffer (view);
  /* One step for undo: the selection goes and the phrase comes in its
   * place. */
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete_selection (buffer, TRUE, TRUE);
  gtk_text_buffer_insert_interactive_at_cursor (buffer, text, -1, TRUE);
  gtk_text_buffer_end_user_action (buffer);
  gtk_widget_grab_focus (GTK_WIDGET (view));
  gtk_text_view_scroll_mark_onscreen (view, gtk_text_buffer_get_insert (buffer));
  return TRUE;
}

gboolean
rw_report_form_expand_abbreviation (RwReportForm *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *word = NULL;
  RwPhrase *phrase;

  g_return_val_if_fail (RW_IS_REPORT_FORM (self), FALSE);

  if (!self->editable || self->phrases == NULL)
    return FALSE;
  buffer = gtk_text_view_get_buffer (self->views[self->section]);
  if (gtk_text_buffer_get_has_selection (buffer))
    return FALSE;

  /* The word before the cursor: everything back to the previous white
   * space or the start of the section. */
  gtk_text_buffer_get_iter_at_mark (buffer, &end, gtk_text_buffer_get_insert (buffer));
  start = end;
  while (!gtk_text_iter_is_start (&start))
    {
      GtkTextIter previous = start;

      gtk_text_iter_backward_char (&previous);
      if (g_unichar_isspace (gtk_text_iter_get_char (&previous)))
        break;
      start = previous;
    }
  word = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  phrase = rw_phrase_list_find_abbreviation (self->phrases, self->section,
                                             self->exam != NULL ? rw_exam_get_modality (self->exam) : NULL,
                                             word);
  if (phrase == NULL)
    return FALSE;

  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_insert (buffer, &start, rw_phrase_get_text (phrase), -1);
  gtk_text_buffer_end_user_action (buffer);
  return TRUE;
}
