/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-conflict-dialog.h"

struct _RwConflictDialog
{
  AdwWindow   parent_instance;

  /* Template widgets */
  GtkLabel   *explanation;
  GtkBox     *mine_box;
  GtkBox     *theirs_box;
  GtkWidget  *keep_button;

  /* Owned references */
  RwReport   *theirs;
  char       *mine[RW_REPORT_N_SECTIONS];
};

G_DEFINE_FINAL_TYPE (RwConflictDialog, rw_conflict_dialog, ADW_TYPE_WINDOW)

enum {
  RESOLVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
add_section (GtkBox          *column,
             RwReportSection  section,
             const char      *text,
             gboolean         differs)
{
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *frame = gtk_frame_new (NULL);
  /* A label, not a text view: a wrapped text view reports its height only
   * once it has been laid out, and in this scrolled column it stays
   * collapsed. Not selectable, or the first one takes the focus with its
   * text selected; "Copy My Text" copies. */
  GtkWidget *body = gtk_label_new (text[0] != '\0' ? text : "—");
  g_autofree char *label = NULL;

  if (differs)
    /* Translators: a section of the laudo whose two texts differ,
     * "Findings (differs)". */
    label = g_strdup_printf (_("%s (differs)"), rw_report_section_to_label (section));
  else
    label = g_strdup (rw_report_section_to_label (section));
  gtk_label_set_label (GTK_LABEL (title), label);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, differs ? "conflict-differs" : "dim-label");
  gtk_widget_add_css_class (title, "heading");

  gtk_label_set_wrap (GTK_LABEL (body), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (body), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (body), 0);
  gtk_label_set_yalign (GTK_LABEL (body), 0);
  gtk_widget_add_css_class (body, "conflict-text");
  if (text[0] == '\0')
    gtk_widget_add_css_class (body, "dim-label");
  gtk_frame_set_child (GTK_FRAME (frame), body);

  gtk_box_append (column, title);
  gtk_box_append (column, frame);
}

static void
resolve (RwConflictDialog *self,
         RwConflictChoice  choice)
{
  g_signal_emit (self, signals[RESOLVED], 0, (int) choice);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
keep_mine_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  RwConflictDialog *self = RW_CONFLICT_DIALOG (widget);

  if (!rw_report_get_is_final (self->theirs))
    resolve (self, RW_CONFLICT_KEEP_MINE);
}

static void
use_theirs_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  resolve (RW_CONFLICT_DIALOG (widget), RW_CONFLICT_USE_THEIRS);
}

static void
copy_mine_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  RwConflictDialog *self = RW_CONFLICT_DIALOG (widget);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    {
      if (self->mine[i][0] == '\0')
        continue;
      g_string_append_printf (text, "%s%s:\n%s\n", text->len > 0 ? "\n" : "",
                              rw_report_section_to_label ((RwReportSection) i), self->mine[i]);
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text->str);
}

/* Closing would leave the laudo undecided: one of the buttons it is. */
static gboolean
rw_conflict_dialog_close_request (GtkWindow *window)
{
  return TRUE;
}

static void
rw_conflict_dialog_dispose (GObject *object)
{
  RwConflictDialog *self = (RwConflictDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_CONFLICT_DIALOG);
  g_clear_object (&self->theirs);

  G_OBJECT_CLASS (rw_conflict_dialog_parent_class)->dispose (object);
}

static void
rw_conflict_dialog_finalize (GObject *object)
{
  RwConflictDialog *self = (RwConflictDialog *)object;

  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    g_free (self->mine[i]);

  G_OBJECT_CLASS (rw_conflict_dialog_parent_class)->finalize (object);
}

static void
rw_conflict_dialog_class_init (RwConflictDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rw_conflict_dialog_dispose;
  object_class->finalize = rw_conflict_dialog_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = rw_conflict_dialog_close_request;

  /* (RwConflictChoice) */
  signals[RESOLVED] =
    g_signal_new ("resolved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-conflict-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RwConflictDialog, explanation);
  gtk_widget_class_bind_template_child (widget_class, RwConflictDialog, mine_box);
  gtk_widget_class_bind_template_child (widget_class, RwConflictDialog, theirs_box);
  gtk_widget_class_bind_template_child (widget_class, RwConflictDialog, keep_button);

  gtk_widget_class_install_action (widget_class, "conflict.keep-mine", NULL, keep_mine_action);
  gtk_widget_class_install_action (widget_class, "conflict.use-theirs", NULL, use_theirs_action);
  gtk_widget_class_install_action (widget_class, "conflict.copy-mine", NULL, copy_mine_action);
}

static void
rw_conflict_dialog_init (RwConflictDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

RwConflictDialog *
rw_conflict_dialog_new (const char * const *mine,
                        RwReport           *theirs)
{
  RwConflictDialog *self;
  RwUser *radiologist;
  g_autofree char *when = NULL;
  g_autofree char *explanation = NULL;
  const char *who;

  g_return_val_if_fail (mine != NULL, NULL);
  g_return_val_if_fail (RW_IS_REPORT (theirs), NULL);

  self = g_object_new (RW_TYPE_CONFLICT_DIALOG, NULL);
  self->theirs = g_object_ref (theirs);
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    {
      const char *text = rw_report_get_text (theirs, (RwReportSection) i);
      gboolean differs;

      self->mine[i] = g_strdup (mine[i] != NULL ? mine[i] : "");
      differs = g_strcmp0 (self->mine[i], text) != 0;
      add_section (self->mine_box, (RwReportSection) i, self->mine[i], differs);
      add_section (self->theirs_box, (RwReportSection) i, text, differs);
    }

  radiologist = rw_report_get_radiologist (theirs);
  who = radiologist != NULL ? rw_user_get_display_name (radiologist) : _("someone");
  when = rw_report_format_time (rw_report_get_is_final (theirs) ? rw_report_get_finalized_at (theirs)
                                                                : rw_report_get_updated_at (theirs));
  if (rw_report_get_is_final (theirs))
    /* Translators: who signed, and when. */
    explanation = g_strdup_printf (_("While this text was being written, %s signed the laudo on %s. A signed laudo cannot change: keep the server's text, and copy yours if it should go into an addendum."),
                                   who, when);
  else
    /* Translators: who saved, when, and the version. */
    explanation = g_strdup_printf (_("While this text was being written, %s saved another one on %s (version %lld). Nothing was overwritten. Choose which text stays."),
                                   who, when, (long long) rw_report_get_version (theirs));
  gtk_label_set_label (self->explanation, explanation);
  gtk_widget_set_visible (self->keep_button, !rw_report_get_is_final (theirs));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "conflict.keep-mine", !rw_report_get_is_final (theirs));
  return self;
}

RwReport *
rw_conflict_dialog_get_theirs (RwConflictDialog *self)
{
  g_return_val_if_fail (RW_IS_CONFLICT_DIALOG (self), NULL);
  return self->theirs;
}

const char *
rw_conflict_dialog_get_mine (RwConflictDialog *self,
                             RwReportSection   section)
{
  g_return_val_if_fail (RW_IS_CONFLICT_DIALOG (self), NULL);
  g_return_val_if_fail (section < RW_REPORT_N_SECTIONS, NULL);
  return self->mine[section];
}
