/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-model-private.h"
#include "rw-report.h"

struct _RwReport
{
  GObject     parent_instance;

  JsonObject *json;
  gint64      exam_id;
  char       *text[RW_REPORT_N_SECTIONS];
  gint64      version;
  RwUser     *radiologist;
  gint64      created_at;
  gint64      updated_at;
  gint64      finalized_at;
  GArray     *addenda;         /* RwAddendum */
  gboolean    is_final;
};

G_DEFINE_FINAL_TYPE (RwReport, rw_report, G_TYPE_OBJECT)

static const char * const section_names[RW_REPORT_N_SECTIONS] = {
  "technique", "findings", "conclusion",
};

const char *
rw_report_section_to_string (RwReportSection section)
{
  g_return_val_if_fail (section < RW_REPORT_N_SECTIONS, NULL);
  return section_names[section];
}

gboolean
rw_report_section_from_string (const char      *string,
                               RwReportSection *section)
{
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    if (g_strcmp0 (string, section_names[i]) == 0)
      {
        *section = (RwReportSection) i;
        return TRUE;
      }
  return FALSE;
}

const char *
rw_report_section_to_label (RwReportSection section)
{
  switch (section)
    {
    case RW_REPORT_TECHNIQUE:
      return _("Technique");
    case RW_REPORT_FINDINGS:
      return _("Findings");
    case RW_REPORT_CONCLUSION:
      return _("Conclusion");
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
rw_report_check_text (RwReportSection   section,
                      const char       *text,
                      GError          **error)
{
  if (text == NULL)
    return TRUE;
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("The %s section is not valid text (UTF-8)"),
                   rw_report_section_to_label (section));
      return FALSE;
    }
  /* Counted in characters, as the server counts. */
  if (g_utf8_strlen (text, -1) > RW_REPORT_MAX_SECTION)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("The %s section is too long: at most %u characters fit in a laudo section"),
                   rw_report_section_to_label (section), (guint) RW_REPORT_MAX_SECTION);
      return FALSE;
    }
  /* Line breaks (of any system) and tabs are a laudo's own; anything else
   * below a space is noise from a paste that would garble the printout. */
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
      {
        g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                     _("The %s section contains a control character"),
                     rw_report_section_to_label (section));
        return FALSE;
      }
  return TRUE;
}

static void
addendum_clear (gpointer data)
{
  RwAddendum *addendum = data;

  g_free (addendum->text);
  g_clear_object (&addendum->author);
}

static void
rw_report_finalize (GObject *object)
{
  RwReport *self = RW_REPORT (object);

  g_clear_pointer (&self->json, json_object_unref);
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    g_free (self->text[i]);
  g_clear_object (&self->radiologist);
  g_clear_pointer (&self->addenda, g_array_unref);

  G_OBJECT_CLASS (rw_report_parent_class)->finalize (object);
}

static void
rw_report_class_init (RwReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_report_finalize;
}

static void
rw_report_init (RwReport *self)
{
  self->addenda = g_array_new (FALSE, TRUE, sizeof (RwAddendum));
  g_array_set_clear_func (self->addenda, addendum_clear);
}

/* A user member: null, or a user object. */
static gboolean
get_user (JsonObject  *object,
          const char  *member,
          RwUser     **out,
          GError     **error)
{
  JsonObject *user = NULL;

  *out = NULL;
  if (!rw_json_get_object (object, member, RW_JSON_OPTIONAL, &user, error))
    return FALSE;
  if (user == NULL)
    return TRUE;
  *out = rw_user_new_from_api (user, error);
  if (*out == NULL)
    {
      g_prefix_error (error, "%s: ", member);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_section_text (JsonObject       *object,
                  RwReportSection   section,
                  char            **out,
                  GError          **error)
{
  const char *text = NULL;

  if (!rw_json_get_string (object, section_names[section], RW_JSON_OPTIONAL, &text, error) ||
      !rw_report_check_text (section, text, error))
    return FALSE;
  *out = g_strdup (text != NULL ? text : "");
  return TRUE;
}

static gboolean
parse_addenda (RwReport    *self,
               JsonObject  *report,
               GError     **error)
{
  JsonArray *addenda = NULL;

  if (!rw_json_get_array (report, "addenda", RW_JSON_OPTIONAL, &addenda, error))
    return FALSE;
  for (guint i = 0; addenda != NULL && i < json_array_get_length (addenda); i++)
    {
      JsonNode *node = json_array_get_element (addenda, i);
      RwAddendum addendum = { 0, };
      const char *text = NULL;
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("addenda[%u] is not an object"), i);
          return FALSE;
        }
      object = json_node_get_object (node);
      if (!rw_json_get_string (object, "text", RW_JSON_REQUIRED, &text, error) ||
          !rw_report_check_text (RW_REPORT_FINDINGS, text, error) ||
          !get_user (object, "author", &addendum.author, error) ||
          !rw_model_get_timestamp (object, "created_at", RW_JSON_OPTIONAL, &addendum.created_at, error))
        {
          g_clear_object (&addendum.author);
          g_prefix_error (error, "addenda[%u]: ", i);
          return FALSE;
        }
      addendum.text = g_strdup (text);
      g_array_append_val (self->addenda, addendum);
    }
  return TRUE;
}

RwReport *
rw_report_new_from_api (JsonObject  *report,
                        GError     **error)
{
  g_autoptr(RwReport) self = NULL;

  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RW_TYPE_REPORT, NULL);
  if (!rw_json_get_int (report, "exam_id", RW_JSON_REQUIRED, &self->exam_id, error) ||
      !get_section_text (report, RW_REPORT_TECHNIQUE, &self->text[RW_REPORT_TECHNIQUE], error) ||
      !get_section_text (report, RW_REPORT_FINDINGS, &self->text[RW_REPORT_FINDINGS], error) ||
      !get_section_text (report, RW_REPORT_CONCLUSION, &self->text[RW_REPORT_CONCLUSION], error) ||
      !rw_json_get_bool (report, "is_final", RW_JSON_REQUIRED, &self->is_final, error) ||
      !rw_json_get_int (report, "version", RW_JSON_REQUIRED, &self->version, error) ||
      !get_user (report, "radiologist", &self->radiologist, error) ||
      !rw_model_get_timestamp (report, "created_at", RW_JSON_OPTIONAL, &self->created_at, error) ||
      !rw_model_get_timestamp (report, "updated_at", RW_JSON_OPTIONAL, &self->updated_at, error) ||
      !rw_model_get_timestamp (report, "finalized_at", RW_JSON_OPTIONAL, &self->finalized_at, error) ||
      !parse_addenda (self, report, error))
    return NULL;
  if (self->exam_id <= 0 || self->version < 0)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” must be a positive id"), self->exam_id <= 0 ? "exam_id" : "version");
      return NULL;
    }
  if (self->is_final && self->finalized_at == 0)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("A final laudo needs “%s”"), "finalized_at");
      return NULL;
    }
  self->json = json_object_ref (report);
  return g_steal_pointer (&self);
}

JsonObject *
rw_report_to_api_json (RwReport *self)
{
  g_return_val_if_fail (RW_IS_REPORT (self), NULL);
  return json_object_ref (self->json);
}

gint64
rw_report_get_exam_id (RwReport *self)
{
  g_return_val_if_fail (RW_IS_REPORT (self), 0);
  return self->exam_id;
}

const char *
rw_report_get_text (RwReport        *self,
                    RwReportSection  section)
{
  g_return_val_if_fail (RW_IS_REPORT (self), NULL);
  g_return_val_if_fail (section < RW_REPORT_N_SECTIONS, NULL);
  return self->text[section];
}

gboolean
rw_report_get_is_final (RwReport *self)
{
  g_return_val_if_fail (RW_IS_REPORT (self), FALSE);
  return self->is_final;
}

gint64
rw_report_get_version (RwReport *self)
{
  g_return_val_if_fail (RW_IS_REPORT (self), 0);
  return self->version;
}

RwUser *
rw_report_get_radiologist (RwReport *self)
{
  g_return_val_if_fail (RW_IS_REPORT (self), NULL);
  return self->radiologist;
}

gint64
rw_report_get_created_at (RwReport *self)
{
  g_return_val_if_fail (RW_IS_REPORT (self), 0);
  return self->created_at;
}

gint64
rw_report_get_updated_at (RwReport *self)
{
  g_return_val_if_fail (RW_IS_REPORT (self), 0);
  return self->updated_at;
}

gint64
rw_report_get_finalized_at (RwReport *self)
{
  g_return_val_if_fail (RW_IS_REPORT (self), 0);
  return self->finalized_at;
}

guint
rw_report_get_n_addenda (RwReport *self)
{
  g_return_val_if_fail (RW_IS_REPORT (self), 0);
  return self->addenda->len;
}

const RwAddendum *
rw_report_get_addendum (RwReport *self,
                        guint     index)
{
  g_return_val_if_fail (RW_IS_REPORT (self), NULL);
  g_return_val_if_fail (index < self->addenda->len, NULL);
  return &g_array_index (self->addenda, RwAddendum, index);
}

gboolean
rw_report_has_text (RwReport   *self,
                    const char *technique,
                    const char *findings,
                    const char *conclusion)
{
  g_return_val_if_fail (RW_IS_REPORT (self), FALSE);

  return g_strcmp0 (self->text[RW_REPORT_TECHNIQUE], technique != NULL ? technique : "") == 0 &&
         g_strcmp0 (self->text[RW_REPORT_FINDINGS], findings != NULL ? findings : "") == 0 &&
         g_strcmp0 (self->text[RW_REPORT_CONCLUSION], conclusion != NULL ? conclusion : "") == 0;
}

char *
rw_report_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_seconds <= 0)
    return g_strdup ("");
  utc = g_date_time_new_from_unix_utc (unix_seconds);
  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (utc);
  /* Translators: a date and 24-hour time, as in the study date's format */
  return g_date_time_format (local, C_("date and time format", "%m/%d/%Y %H:%M"));
}
