/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-model-private.h"
#include "rw-series.h"

struct _RwSeries
{
  GObject parent_instance;

  char *orthanc_id;
  char *series_uid;
  char *description;
  char *body_part;
  char *first_instance_id;
  char  modality[RW_MODEL_CODE_LEN];
  int   number;
  guint instance_count;
};

G_DEFINE_FINAL_TYPE (RwSeries, rw_series, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ORTHANC_ID,
  PROP_SERIES_UID,
  PROP_MODALITY,
  PROP_DESCRIPTION,
  PROP_BODY_PART,
  PROP_NUMBER,
  PROP_INSTANCE_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rw_series_finalize (GObject *object)
{
  RwSeries *self = RW_SERIES (object);

  g_free (self->orthanc_id);
  g_free (self->series_uid);
  g_free (self->description);
  g_free (self->body_part);
  g_free (self->first_instance_id);

  G_OBJECT_CLASS (rw_series_parent_class)->finalize (object);
}

static void
rw_series_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RwSeries *self = RW_SERIES (object);

  switch (prop_id)
    {
    case PROP_ORTHANC_ID:
      g_value_set_string (value, rw_series_get_orthanc_id (self));
      break;
    case PROP_SERIES_UID:
      g_value_set_string (value, rw_series_get_series_uid (self));
      break;
    case PROP_MODALITY:
      g_value_set_string (value, self->modality);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, rw_series_get_description (self));
      break;
    case PROP_BODY_PART:
      g_value_set_string (value, rw_series_get_body_part (self));
      break;
    case PROP_NUMBER:
      g_value_set_int (value, self->number);
      break;
    case PROP_INSTANCE_COUNT:
      g_value_set_uint (value, self->instance_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_series_class_init (RwSeriesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rw_series_finalize;
  object_class->get_property = rw_series_get_property;

  properties[PROP_ORTHANC_ID] =
    g_param_spec_string ("orthanc-id", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERIES_UID] =
    g_param_spec_string ("series-uid", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODALITY] =
    g_param_spec_string ("modality", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BODY_PART] =
    g_param_spec_string ("body-part", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NUMBER] =
    g_param_spec_int ("number", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INSTANCE_COUNT] =
    g_param_spec_uint ("instance-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rw_series_init (RwSeries *self)
{
  self->number = -1;
}

/* SeriesNumber is an IS: a decimal integer as text, possibly padded. */
static int
parse_series_number (const char *text)
{
  char *end = NULL;
  gint64 n;

  if (text == NULL)
    return -1;
  n = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0' || n < 0 || n > G_MAXINT)
    return -1;
  return (int) n;
}

/* An expanded series of Orthanc: {"ID", "MainDicomTags", "Instances", …}. */
RwSeries *
rw_series_new_from_orthanc (JsonObject  *series,
                            GError     **error)
{
  g_autoptr(RwSeries) self = NULL;
  g_autofree char *number = NULL;
  g_autofree char *modality = NULL;
  JsonObject *tags = NULL;
  JsonArray *instances = NULL;

  g_return_val_if_fail (series != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RW_TYPE_SERIES, NULL);
  if (!rw_model_get_text (series, "ID", RW_JSON_REQUIRED, &self->orthanc_id, error) ||
      !rw_json_get_object (series, "MainDicomTags", RW_JSON_REQUIRED, &tags, error) ||
      !rw_json_get_array (series, "Instances", RW_JSON_REQUIRED, &instances, error) ||
      !rw_model_get_text (tags, "SeriesInstanceUID", RW_JSON_OPTIONAL, &self->series_uid, error) ||
      !rw_model_get_text (tags, "Modality", RW_JSON_OPTIONAL, &modality, error) ||
      !rw_model_get_text (tags, "SeriesDescription", RW_JSON_OPTIONAL, &self->description, error) ||
      !rw_model_get_text (tags, "BodyPartExamined", RW_JSON_OPTIONAL, &self->body_part, error) ||
      !rw_model_get_text (tags, "SeriesNumber", RW_JSON_OPTIONAL, &number, error))
    return NULL;

  /* A modality code that is not a code is shown as unknown rather than
   * refusing the series. */
  if (modality != NULL && strlen (modality) < sizeof self->modality)
    memcpy (self->modality, modality, strlen (modality) + 1);
  self->number = parse_series_number (number);
  self->instance_count = json_array_get_length (instances);

  for (guint i = 0; i < json_array_get_length (instances); i++)
    {
      JsonNode *node = json_array_get_element (instances, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                       _("“%s” must be %s"), "Instances", _("an array of strings"));
          return NULL;
        }
    }
  if (self->instance_count > 0)
    self->first_instance_id = g_strdup (json_array_get_string_element (instances, 0));

  return g_steal_pointer (&self);
}

const char *
rw_series_get_orthanc_id (RwSeries *self)
{
  g_return_val_if_fail (RW_IS_SERIES (self), "");
  return rw_model_str (self->orthanc_id);
}

const char *
rw_series_get_series_uid (RwSeries *self)
{
  g_return_val_if_fail (RW_IS_SERIES (self), "");
  return rw_model_str (self->series_uid);
}

const char *
rw_series_get_modality (RwSeries *self)
{
  g_return_val_if_fail (RW_IS_SERIES (self), "");
  return self->modality;
}

const char *
rw_series_get_description (RwSeries *self)
{
  g_return_val_if_fail (RW_IS_SERIES (self), "");
  return rw_model_str (self->description);
}

const char *
rw_series_get_body_part (RwSeries *self)
{
  g_return_val_if_fail (RW_IS_SERIES (self), "");
  return rw_model_str (self->body_part);
}

int
rw_series_get_number (RwSeries *self)
{
  g_return_val_if_fail (RW_IS_SERIES (self), -1);
  return self->number;
}

guint
rw_series_get_instance_count (RwSeries *self)
{
  g_return_val_if_fail (RW_IS_SERIES (self), 0);
  return self->instance_count;
}

const char *
rw_series_get_first_instance_id (RwSeries *self)
{
  g_return_val_if_fail (RW_IS_SERIES (self), "");
  return rw_model_str (self->first_instance_id);
}

gboolean
rw_series_modality_is_auxiliary (const char *modality)
{
  static const char *const auxiliary[] = { "SR", "PR", "KO", "DOC", "OT", "REG", "SEG", "RWV", NULL };

  return modality[0] == '\0' || g_strv_contains (auxiliary, modality);
}

const char *
rw_series_list_primary_modality (GPtrArray *series)
{
  const char *best = "";
  guint best_count = 0;
  gboolean best_auxiliary = TRUE;

  if (series == NULL)
    return "";

  for (guint i = 0; i < series->len; i++)
    {
      RwSeries *s = g_ptr_array_index (series, i);
      gboolean auxiliary = rw_series_modality_is_auxiliary (s->modality);
      guint count = 0;

      if (s->modality[0] == '\0')
        continue;
      /* Instances of all series of the same modality count together. */
      for (guint j = 0; j < series->len; j++)
        {
          RwSeries *t = g_ptr_array_index (series, j);

          if (strcmp (t->modality, s->modality) == 0)
            count += t->instance_count;
        }
      if (best[0] == '\0' ||
          (best_auxiliary && !auxiliary) ||
          (best_auxiliary == auxiliary && count > best_count))
        {
          best = s->modality;
          best_count = count;
          best_auxiliary = auxiliary;
        }
    }
  return best;
}

gboolean
rw_series_list_has_modality (GPtrArray  *series,
                             const char *modality)
{
  g_return_val_if_fail (modality != NULL, FALSE);

  for (guint i = 0; series != NULL && i < series->len; i++)
    {
      RwSeries *s = g_ptr_array_index (series, i);

      if (g_ascii_strcasecmp (s->modality, modality) == 0)
        return TRUE;
    }
  return FALSE;
}

guint
rw_series_list_count_instances (GPtrArray *series)
{
  guint total = 0;

  for (guint i = 0; series != NULL && i < series->len; i++)
    total += ((RwSeries *) g_ptr_array_index (series, i))->instance_count;
  return total;
}
