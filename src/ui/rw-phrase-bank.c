/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-phrase-bank.h"
#include "rw-text.h"

struct _RwPhraseBank
{
  GtkPopover       parent_instance;

  /* Template widgets */
  GtkLabel        *title_label;
  GtkSearchEntry  *search_entry;
  GtkListBox      *list;
  GtkStack        *stack;

  /* Owned references */
  GPtrArray       *phrases;
  GPtrArray       *shown;
  char            *modality;
  char            *folded_query;

  RwReportSection  section;
};

G_DEFINE_FINAL_TYPE (RwPhraseBank, rw_phrase_bank, GTK_TYPE_POPOVER)

enum {
  PHRASE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
phrase_row (RwPhrase *phrase)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (rw_phrase_get_label (phrase));
  GtkWidget *text = gtk_label_new (rw_phrase_get_text (phrase));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (top), label);
  if (rw_phrase_get_abbreviation (phrase)[0] != '\0')
    {
      GtkWidget *abbreviation = gtk_label_new (rw_phrase_get_abbreviation (phrase));

      gtk_widget_add_css_class (abbreviation, "phrase-abbreviation");
      /* Translators: tooltip of a phrase's abbreviation in the bank. */
      gtk_widget_set_tooltip_text (abbreviation, _("Type this and press Tab to insert the phrase"));
      gtk_box_append (GTK_BOX (top), abbreviation);
    }
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_lines (GTK_LABEL (text), 2);
  gtk_label_set_ellipsize (GTK_LABEL (text), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (text), 48);
  gtk_widget_add_css_class (text, "dim-label");
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), text);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
refilter (RwPhraseBank *self)
{
  GtkWidget *child;
  g_autofree char *title = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_ptr_array_set_size (self->shown, 0);
  for (guint i = 0; self->phrases != NULL && i < self->phrases->len; i++)
    {
      RwPhrase *phrase = g_ptr_array_index (self->phrases, i);

      if (!rw_phrase_matches (phrase, self->section, self->modality, self->folded_query))
        continue;
      g_ptr_array_add (self->shown, g_object_ref (phrase));
      gtk_list_box_append (self->list, phrase_row (phrase));
    }
  gtk_stack_set_visible_child_name (self->stack, self->shown->len > 0 ? "list" : "empty");

  /* Translators: the phrase bank's title, "Phrases — Findings". */
  title = g_strdup_printf (_("Phrases — %s"), rw_report_section_to_label (self->section));
  gtk_label_set_label (self->title_label, title);
}

/* Also called by Down and Enter: GtkSearchEntry tells of a change 150 ms
 * after the last key, and a typist's Down or Enter comes sooner, so the
 * list must first become the one for the text in the entry. */
static void
on_search_changed (RwPhraseBank *self)
{
  rw_phrase_bank_set_query (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_search_activate (RwPhraseBank *self)
{
  on_search_changed (self);
  if (self->shown->len > 0)
    rw_phrase_bank_activate (self, 0);
}

static void
on_stop_search (RwPhraseBank *self)
{
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
on_row_activated (RwPhraseBank  *self,
                  GtkListBoxRow *row)
{
  rw_phrase_bank_activate (self, (guint) gtk_list_box_row_get_index (row));
}

static gboolean
on_search_key (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               RwPhraseBank          *self)
{
  GtkListBoxRow *first;

  if (keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
    return FALSE;
  on_search_changed (self);
  first = gtk_list_box_get_row_at_index (self->list, 0);
  if (first == NULL)
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (first));
  return TRUE;
}

static void
on_show (RwPhraseBank *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
rw_phrase_bank_dispose (GObject *object)
{
  RwPhraseBank *self = (RwPhraseBank *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_PHRASE_BANK);
  g_clear_pointer (&self->phrases, g_ptr_array_unref);
  g_clear_pointer (&self->shown, g_ptr_array_unref);

  G_OBJECT_CLASS (rw_phrase_bank_parent_class)->dispose (object);
}

static void
rw_phrase_bank_finalize (GObject *object)
{
  RwPhraseBank *self = (RwPhraseBank *)object;

  g_free (self->modality);
  g_free (self->folded_query);

  G_OBJECT_CLASS (rw_phrase_bank_parent_class)->finalize (object);
}

static void
rw_phrase_bank_class_init (RwPhraseBankClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rw_phrase_bank_dispose;
  object_class->finalize = rw_phrase_bank_finalize;

  /* (RwPhrase) */
  signals[PHRASE_ACTIVATED] =
    g_signal_new ("phrase-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, RW_TYPE_PHRASE);

  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-phrase-bank.ui");
  gtk_widget_class_bind_template_child (widget_class, RwPhraseBank, title_label);
  gtk_widget_class_bind_template_child (widget_class, RwPhraseBank, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RwPhraseBank, list);
  gtk_widget_class_bind_template_child (widget_class, RwPhraseBank, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_show);
}

static void
rw_phrase_bank_init (RwPhraseBank *self)
{
  GtkEventController *key;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->shown = g_ptr_array_new_with_free_func (g_object_unref);
  self->folded_query = g_strdup ("");
  self->section = RW_REPORT_FINDINGS;

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_search_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), key);
  refilter (self);
}

RwPhraseBank *
rw_phrase_bank_new (void)
{
  return g_object_new (RW_TYPE_PHRASE_BANK, NULL);
}

void
rw_phrase_bank_set_phrases (RwPhraseBank *self,
                            GPtrArray    *phrases)
{
  g_return_if_fail (RW_IS_PHRASE_BANK (self));

  if (phrases != NULL)
    g_ptr_array_ref (phrases);
  g_clear_pointer (&self->phrases, g_ptr_array_unref);
  self->phrases = phrases;
  refilter (self);
}

void
rw_phrase_bank_set_filter (RwPhraseBank    *self,
                           RwReportSection  section,
                           const char      *modality)
{
  g_return_if_fail (RW_IS_PHRASE_BANK (self));

  self->section = section;
  g_free (self->modality);
  self->modality = g_strdup (modality);
  refilter (self);
}

void
rw_phrase_bank_set_query (RwPhraseBank *self,
                          const char   *query)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (RW_IS_PHRASE_BANK (self));

  folded = rw_text_fold (query);
  if (g_strcmp0 (folded, self->folded_query) == 0)
    return;
  g_free (self->folded_query);
  self->folded_query = g_steal_pointer (&folded);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), query != NULL ? query : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), query != NULL ? query : "");
  refilter (self);
}

guint
rw_phrase_bank_get_n_shown (RwPhraseBank *self)
{
  g_return_val_if_fail (RW_IS_PHRASE_BANK (self), 0);
  return self->shown->len;
}

RwPhrase *
rw_phrase_bank_get_shown (RwPhraseBank *self,
                          guint         index)
{
  g_return_val_if_fail (RW_IS_PHRASE_BANK (self), NULL);
  g_return_val_if_fail (index < self->shown->len, NULL);
  return g_ptr_array_index (self->shown, index);
}

void
rw_phrase_bank_activate (RwPhraseBank *self,
                         guint         index)
{
  g_autoptr(RwPhrase) phrase = NULL;

  g_return_if_fail (RW_IS_PHRASE_BANK (self));
  g_return_if_fail (index < self->shown->len);

  /* The popover closes first, so the focus can go back to the text. */
  phrase = g_object_ref (g_ptr_array_index (self->shown, index));
  gtk_popover_popdown (GTK_POPOVER (self));
  g_signal_emit (self, signals[PHRASE_ACTIVATED], 0, phrase);
}
