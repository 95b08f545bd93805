/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-model-private.h"
#include "rw-phrase.h"
#include "rw-text.h"

/* The server's limits (src/server/rw-server-phrases.c): longer values are
 * not a phrase of ours. */
#define MAX_LABEL 200
#define MAX_ABBREVIATION 32

struct _RwPhrase
{
  GObject          parent_instance;

  gint64           id;
  gint64           owner;
  RwReportSection  section;
  char             modality[RW_MODEL_CODE_LEN];
  char            *label;
  char            *text;
  char            *abbreviation;
  /* Folded once, for searching as the radiologist types. */
  char            *folded_label;
  char            *folded_text;
  char            *folded_abbreviation;
};

G_DEFINE_FINAL_TYPE (RwPhrase, rw_phrase, G_TYPE_OBJECT)

static void
rw_phrase_finalize (GObject *object)
{
  RwPhrase *self = RW_PHRASE (object);

  g_free (self->label);
  g_free (self->text);
  g_free (self->abbreviation);
  g_free (self->folded_label);
  g_free (self->folded_text);
  g_free (self->folded_abbreviation);

  G_OBJECT_CLASS (rw_phrase_parent_class)->finalize (object);
}

static void
rw_phrase_class_init (RwPhraseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_phrase_finalize;
}

static void
rw_phrase_init (RwPhrase *self)
{
}

static gboolean
check_length (const char  *member,
              const char  *value,
              gsize        max,
              GError     **error)
{
  if (value != NULL && strlen (value) > max)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” is too long: at most %u bytes are accepted"), member, (guint) max);
      return FALSE;
    }
  return TRUE;
}

RwPhrase *
rw_phrase_new_from_api (JsonObject  *phrase,
                        GError     **error)
{
  g_autoptr(RwPhrase) self = NULL;
  const char *section = NULL;
  const char *label = NULL;
  const char *text = NULL;
  const char *abbreviation = NULL;

  g_return_val_if_fail (phrase != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RW_TYPE_PHRASE, NULL);
  if (!rw_json_get_int (phrase, "id", RW_JSON_REQUIRED, &self->id, error) ||
      !rw_json_get_string (phrase, "section", RW_JSON_REQUIRED, &section, error) ||
      !rw_model_get_code (phrase, "modality", RW_JSON_OPTIONAL, self->modality, error) ||
      !rw_json_get_string (phrase, "label", RW_JSON_REQUIRED, &label, error) ||
      !rw_json_get_string (phrase, "text", RW_JSON_REQUIRED, &text, error) ||
      !rw_json_get_string (phrase, "abbreviation", RW_JSON_OPTIONAL, &abbreviation, error) ||
      !rw_json_get_int (phrase, "owner", RW_JSON_OPTIONAL, &self->owner, error) ||
      !check_length ("label", label, MAX_LABEL, error) ||
      !check_length ("abbreviation", abbreviation, MAX_ABBREVIATION, error))
    return NULL;
  if (!rw_report_section_from_string (section, &self->section))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” must be one of %s"), "section", "technique, findings, conclusion");
      return NULL;
    }
  if (!rw_report_check_text (self->section, text, error))
    return NULL;
  /* An abbreviation is one word: it is matched against the word before
   * the cursor. */
  if (abbreviation != NULL && (abbreviation[0] == '\0' || strpbrk (abbreviation, " \t\n\r") != NULL ||
                               !g_utf8_validate (abbreviation, -1, NULL)))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” must be a single word"), "abbreviation");
      return NULL;
    }

  self->label = g_strdup (label);
  self->text = g_strdup (text);
  self->abbreviation = g_strdup (abbreviation != NULL ? abbreviation : "");
  self->folded_label = rw_text_fold (self->label);
  self->folded_text = rw_text_fold (self->text);
  self->folded_abbreviation = rw_text_fold (self->abbreviation);
  return g_steal_pointer (&self);
}

GPtrArray *
rw_phrase_list_from_api (JsonNode  *node,
                         GError   **error)
{
  g_autoptr(GPtrArray) phrases = NULL;
  JsonArray *array;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("expected a JSON array of phrases"));
      return NULL;
    }
  array = json_node_get_array (node);
  phrases = g_ptr_array_new_full (json_array_get_length (array), g_object_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      RwPhrase *phrase;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("phrases[%u] is not an object"), i);
          return NULL;
        }
      phrase = rw_phrase_new_from_api (json_node_get_object (element), error);
      if (phrase == NULL)
        {
          g_prefix_error (error, "phrases[%u]: ", i);
          return NULL;
        }
      g_ptr_array_add (phrases, phrase);
    }
  return g_steal_pointer (&phrases);
}

gint64
rw_phrase_get_id (RwPhrase *self)
{
  g_return_val_if_fail (RW_IS_PHRASE (self), 0);
  return self->id;
}

RwReportSection
rw_phrase_get_section (RwPhrase *self)
{
  g_return_val_if_fail (RW_IS_PHRASE (self), RW_REPORT_FINDINGS);
  return self->section;
}

const char *
rw_phrase_get_modality (RwPhrase *self)
{
  g_return_val_if_fail (RW_IS_PHRASE (self), NULL);
  return self->modality;
}

const char *
rw_phrase_get_label (RwPhrase *self)
{
  g_return_val_if_fail (RW_IS_PHRASE (self), NULL);
  return self->label;
}

const char *
rw_phrase_get_text (RwPhrase *self)
{
  g_return_val_if_fail (RW_IS_PHRASE (self), NULL);
  return self->text;
}

const char *
rw_phrase_get_abbreviation (RwPhrase *self)
{
  g_return_val_if_fail (RW_IS_PHRASE (self), NULL);
  return self->abbreviation;
}

gint64
rw_phrase_get_owner (RwPhrase *self)
{
  g_return_val_if_fail (RW_IS_PHRASE (self), 0);
  return self->owner;
}

static gboolean
fits_modality (RwPhrase   *self,
               const char *modality)
{
  return self->modality[0] == '\0' || modality == NULL || modality[0] == '\0' ||
         g_ascii_strcasecmp (self->modality, modality) == 0;
}

gboolean
rw_phrase_matches (RwPhrase        *self,
                   RwReportSection  section,
                   const char      *modality,
                   const char      *folded_query)
{
  g_return_val_if_fail (RW_IS_PHRASE (self), FALSE);

  if (self->section != section || !fits_modality (self, modality))
    return FALSE;
  if (folded_query == NULL || folded_query[0] == '\0')
    return TRUE;
  return strstr (self->folded_label, folded_query) != NULL ||
         strstr (self->folded_abbreviation, folded_query) != NULL ||
         strstr (self->folded_text, folded_query) != NULL;
}

/* Lower is better. */
static int
rank (RwPhrase   *phrase,
      const char *modality)
{
  int r = 0;

  if (phrase->modality[0] == '\0' || modality == NULL || modality[0] == '\0')
    r += 2;
  if (phrase->owner == 0)
    r += 1;
  return r;
}

RwPhrase *
rw_phrase_list_find_abbreviation (GPtrArray       *phrases,
                                  RwReportSection  section,
                                  const char      *modality,
                                  const char      *word)
{
  g_autofree char *folded = NULL;
  RwPhrase *best = NULL;

  g_return_val_if_fail (phrases != NULL, NULL);

  if (word == NULL || word[0] == '\0')
    return NULL;
  folded = rw_text_fold (word);
  for (guint i = 0; i < phrases->len; i++)
    {
      RwPhrase *phrase = g_ptr_array_index (phrases, i);

      if (phrase->abbreviation[0] == '\0' || phrase->section != section ||
          !fits_modality (phrase, modality) || strcmp (phrase->folded_abbreviation, folded) != 0)
        continue;
      if (best == NULL || rank (phrase, modality) < rank (best, modality) ||
          (rank (phrase, modality) == rank (best, modality) && phrase->id < best->id))
        best = phrase;
    }
  return best;
}
