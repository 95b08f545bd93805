/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-reading-view-private.h"

/* The phrase bank of the reading view: the clinic's and the radiologist's
 * phrases (GET /api/phrases) for the section being written and the exam's
 * modality, in a popover (Ctrl+K) that inserts at the cursor; the form
 * expands their abbreviations with Tab. A selection of the laudo can
 * become a phrase of one's own. */

static void
on_phrases_changed (RwReadingView *self)
{
  GPtrArray *phrases = rw_reading_context_get_phrases (self->context);

  rw_report_form_set_phrases (self->form, phrases);
  rw_phrase_bank_set_phrases (self->phrase_bank, phrases);
}

/* The bank shows the phrases of the section being written, for the exam's
 * modality. */
void
rw_reading_view_filter_phrases (RwReadingView *self)
{
  rw_phrase_bank_set_filter (self->phrase_bank, rw_report_form_get_section (self->form),
                             rw_exam_get_modality (self->exam));
}

static void
on_phrase_activated (RwReadingView *self,
                     RwPhrase      *phrase)
{
  rw_report_form_insert_text (self->form, rw_phrase_get_text (phrase));
}

/* Ctrl+K: the bank, with its search focused (see rw-phrase-bank.c). */
void
rw_reading_view_show_phrases (RwReadingView *self)
{
  if (self->mode == RW_READING_EDITING)
    gtk_menu_button_popup (self->phrases_button);
}

static void
on_phrase_created (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (rw_reading_context_create_phrase_finish (RW_READING_CONTEXT (source), result, &error))
    rw_reading_view_toast (self, _("Phrase added to your bank"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("The phrase was not added: %s"), error->message);

      rw_reading_view_toast (self, message);
    }
}

typedef struct {
  RwReadingView   *self;
  RwReportSection  section;
  char            *text;
  GtkEditable     *label;
  GtkEditable     *abbreviation;
} NewPhrase;

static void
new_phrase_free (NewPhrase *data)
{
  g_object_unref (data->self);
  g_free (data->text);
  g_free (data);
}

static void
on_new_phrase_response (AdwMessageDialog *dialog,
                        const char       *response,
                        NewPhrase        *data)
{
  RwReadingView *self = data->self;
  g_autofree char *label = NULL;
  g_autofree char *abbreviation = NULL;

  if (g_strcmp0 (response, "add") != 0)
    return;
  label = g_strstrip (g_strdup (gtk_editable_get_text (data->label)));
  abbreviation = g_strstrip (g_strdup (gtk_editable_get_text (data->abbreviation)));
  if (label[0] == '\0')
    {
      g_free (label);
      label = g_utf8_substring (data->text, 0, MIN (g_utf8_strlen (data->text, -1), 40));
    }
  rw_reading_context_create_phrase_async (self->context, data->section, rw_exam_get_modality (self->exam),
                                          label, data->text, abbreviation, self->cancellable,
                                          on_phrase_created, g_object_ref (self));
}

/* The selection becomes a phrase of the radiologist's own, for this
 * section and modality, with an abbreviation if one is given. */
void
rw_reading_view_new_phrase (RwReadingView *self)
{
  g_autofree char *selection = rw_report_form_dup_selection (self->form);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *box, *label, *abbreviation;
  AdwMessageDialog *dialog;
  NewPhrase *data;

  if (selection == NULL || g_strstrip (selection)[0] == '\0')
    {
      rw_reading_view_toast (self, _("Select the text of the phrase in the laudo first."));
      return;
    }
  gtk_menu_button_popdown (self->phrases_button);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("New Phrase"), selection));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  label = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (label), _("Name in the bank"));
  abbreviation = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (abbreviation), _("Abbreviation (one word, optional)"));
  gtk_entry_set_max_length (GTK_ENTRY (abbreviation), 32);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), abbreviation);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "add");
  adw_message_dialog_set_close_response (dialog, "cancel");

  data = g_new0 (NewPhrase, 1);
  data->self = g_object_ref (self);
  data->section = rw_report_form_get_section (self->form);
  data->text = g_steal_pointer (&selection);
  data->label = GTK_EDITABLE (label);
  data->abbreviation = GTK_EDITABLE (abbreviation);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_new_phrase_response), data,
                         (GClosureNotify) (void (*) (void)) new_phrase_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
rw_reading_view_init_phrases (RwReadingView *self)
{
  self->phrase_bank = rw_phrase_bank_new ();
  g_signal_connect_object (self->phrase_bank, "phrase-activated", G_CALLBACK (on_phrase_activated), self,
                           G_CONNECT_SWAPPED);
  gtk_menu_button_set_popover (self->phrases_button, GTK_WIDGET (self->phrase_bank));
  g_signal_connect_object (self->form, "section-changed", G_CALLBACK (rw_reading_view_filter_phrases), self,
                           G_CONNECT_SWAPPED);
}

/* Once the view has its context and exam: the phrases as they are, and
 * again whenever the context reads them anew. */
void
rw_reading_view_watch_phrases (RwReadingView *self)
{
  g_signal_connect_object (self->context, "phrases-changed", G_CALLBACK (on_phrases_changed), self,
                           G_CONNECT_SWAPPED);
  on_phrases_changed (self);
  rw_reading_view_filter_phrases (self);
}
