/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-exam-private.h"
#include "rw-text.h"

G_DEFINE_FINAL_TYPE (RwExam, rw_exam, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (RwExamStatus, rw_exam_status,
  G_DEFINE_ENUM_VALUE (RW_EXAM_STATUS_PENDING, "pending"),
  G_DEFINE_ENUM_VALUE (RW_EXAM_STATUS_IN_PROGRESS, "in-progress"),
  G_DEFINE_ENUM_VALUE (RW_EXAM_STATUS_COMPLETED, "completed"),
  G_DEFINE_ENUM_VALUE (RW_EXAM_STATUS_CANCELLED, "cancelled"))

G_DEFINE_ENUM_TYPE (RwExamPriority, rw_exam_priority,
  G_DEFINE_ENUM_VALUE (RW_EXAM_PRIORITY_ROUTINE, "routine"),
  G_DEFINE_ENUM_VALUE (RW_EXAM_PRIORITY_URGENT, "urgent"),
  G_DEFINE_ENUM_VALUE (RW_EXAM_PRIORITY_STAT, "stat"))

enum {
  PROP_0,
  PROP_ID,
  PROP_STUDY_UID,
  PROP_ORTHANC_ID,
  PROP_ACCESSION_NUMBER,
  PROP_STUDY_DATE,
  PROP_STUDY_TIME,
  PROP_DESCRIPTION,
  PROP_REFERRING_PHYSICIAN,
  PROP_MODALITY,
  PROP_SERIES_COUNT,
  PROP_INSTANCE_COUNT,
  PROP_STATUS,
  PROP_PRIORITY,
  PROP_ASSIGNED_TO_ID,
  PROP_ASSIGNED_TO_NAME,
  PROP_STONE_VIEWER_URL,
  PROP_RECEIVED_AT,
  PROP_UPDATED_AT,
  PROP_PATIENT,
  PROP_SERIES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const status_strings[] = { "pending", "in_progress", "completed", "cancelled" };
static const char *const priority_strings[] = { "routine", "urgent", "stat" };

const char *
rw_exam_status_to_string (RwExamStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_strings), "pending");
  return status_strings[status];
}

gboolean
rw_exam_status_from_string (const char   *string,
                            RwExamStatus *status)
{
  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (status_strings); i++)
    if (strcmp (string, status_strings[i]) == 0)
      {
        *status = (RwExamStatus) i;
        return TRUE;
      }
  return FALSE;
}

const char *
rw_exam_priority_to_string (RwExamPriority priority)
{
  g_return_val_if_fail ((guint) priority < G_N_ELEMENTS (priority_strings), "routine");
  return priority_strings[priority];
}

gboolean
rw_exam_priority_from_string (const char     *string,
                              RwExamPriority *priority)
{
  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (priority_strings); i++)
    if (strcmp (string, priority_strings[i]) == 0)
      {
        *priority = (RwExamPriority) i;
        return TRUE;
      }
  return FALSE;
}

const char *
rw_exam_status_to_label (RwExamStatus status)
{
  switch (status)
    {
    case RW_EXAM_STATUS_PENDING:
      return C_("exam status", "Pending");
    case RW_EXAM_STATUS_IN_PROGRESS:
      return C_("exam status", "In progress");
    case RW_EXAM_STATUS_COMPLETED:
      return C_("exam status", "Completed");
    case RW_EXAM_STATUS_CANCELLED:
      return C_("exam status", "Cancelled");
    default:
      g_return_val_if_reached ("");
    }
}

const char *
rw_exam_priority_to_label (RwExamPriority priority)
{
  switch (priority)
    {
    case RW_EXAM_PRIORITY_ROUTINE:
      return C_("exam priority", "Routine");
    case RW_EXAM_PRIORITY_URGENT:
      return C_("exam priority", "Urgent");
    case RW_EXAM_PRIORITY_STAT:
      /* Translators: the highest priority, STAT in English reading rooms */
      return C_("exam priority", "Emergency");
    default:
      g_return_val_if_reached ("");
    }
}

void
rw_exam_copy_fixed (char       *dest,
                    gsize       dest_len,
                    const char *value)
{
  gsize len = value != NULL ? strlen (value) : 0;

  g_return_if_fail (len < dest_len);
  memcpy (dest, value != NULL ? value : "", len + 1);
}

static void
rw_exam_finalize (GObject *object)
{
  RwExam *self = RW_EXAM (object);

  g_free (self->study_uid);
  g_free (self->orthanc_id);
  g_free (self->accession_number);
  g_free (self->description);
  g_free (self->referring_physician);
  g_free (self->assigned_to_name);
  g_free (self->stone_viewer_url);
  g_free (self->search_keys);
  g_clear_object (&self->patient);
  g_clear_pointer (&self->series, g_ptr_array_unref);

  G_OBJECT_CLASS (rw_exam_parent_class)->finalize (object);
}

static void
rw_exam_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  RwExam *self = RW_EXAM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_STUDY_UID:
      g_value_set_string (value, rw_exam_get_study_uid (self));
      break;
    case PROP_ORTHANC_ID:
      g_value_set_string (value, rw_exam_get_orthanc_id (self));
      break;
    case PROP_ACCESSION_NUMBER:
      g_value_set_string (value, rw_exam_get_accession_number (self));
      break;
    case PROP_STUDY_DATE:
      g_value_set_string (value, self->study_date);
      break;
    case PROP_STUDY_TIME:
      g_value_set_string (value, self->study_time);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, rw_exam_get_description (self));
      break;
    case PROP_REFERRING_PHYSICIAN:
      g_value_set_string (value, rw_exam_get_referring_physician (self));
      break;
    case PROP_MODALITY:
      g_value_set_string (value, self->modality);
      break;
    case PROP_SERIES_COUNT:
      g_value_set_uint (value, self->series_count);
      break;
    case PROP_INSTANCE_COUNT:
      g_value_set_uint (value, self->instance_count);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_PRIORITY:
      g_value_set_enum (value, self->priority);
      break;
    case PROP_ASSIGNED_TO_ID:
      g_value_set_int64 (value, self->assigned_to_id);
      break;
    case PROP_ASSIGNED_TO_NAME:
      g_value_set_string (value, rw_exam_get_assigned_to_name (self));
      break;
    case PROP_STONE_VIEWER_URL:
      g_value_set_string (value, rw_exam_get_stone_viewer_url (self));
      break;
    case PROP_RECEIVED_AT:
      g_value_set_int64 (value, self->received_at);
      break;
    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;
    case PROP_PATIENT:
      g_value_set_object (value, self->patient);
      break;
    case PROP_SERIES:
      g_value_set_boxed (value, self->series);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_exam_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  RwExam *self = RW_EXAM (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      rw_exam_set_status (self, g_value_get_enum (value));
      break;
    case PROP_PRIORITY:
      rw_exam_set_priority (self, g_value_get_enum (value));
      break;
    case PROP_SERIES:
      rw_exam_set_series (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_exam_class_init (RwExamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = rw_exam_finalize;
  object_class->get_property = rw_exam_get_property;
  object_class->set_property = rw_exam_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_STUDY_UID] = g_param_spec_string ("study-uid", NULL, NULL, "", ro);
  properties[PROP_ORTHANC_ID] = g_param_spec_string ("orthanc-id", NULL, NULL, "", ro);
  properties[PROP_ACCESSION_NUMBER] = g_param_spec_string ("accession-number", NULL, NULL, "", ro);
  properties[PROP_STUDY_DATE] = g_param_spec_string ("study-date", NULL, NULL, "", ro);
  properties[PROP_STUDY_TIME] = g_param_spec_string ("study-time", NULL, NULL, "", ro);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, "", ro);
  properties[PROP_REFERRING_PHYSICIAN] =
    g_param_spec_string ("referring-physician", NULL, NULL, "", ro);
  properties[PROP_MODALITY] = g_param_spec_string ("modality", NULL, NULL, "", ro);
  properties[PROP_SERIES_COUNT] =
    g_param_spec_uint ("series-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_INSTANCE_COUNT] =
    g_param_spec_uint ("instance-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, RW_TYPE_EXAM_STATUS, RW_EXAM_STATUS_PENDING, rw);
  properties[PROP_PRIORITY] =
    g_param_spec_enum ("priority", NULL, NULL, RW_TYPE_EXAM_PRIORITY, RW_EXAM_PRIORITY_ROUTINE, rw);
  properties[PROP_ASSIGNED_TO_ID] =
    g_param_spec_int64 ("assigned-to-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_ASSIGNED_TO_NAME] =
    g_param_spec_string ("assigned-to-name", NULL, NULL, "", ro);
  properties[PROP_STONE_VIEWER_URL] =
    g_param_spec_string ("stone-viewer-url", NULL, NULL, "", ro);
  properties[PROP_RECEIVED_AT] =
    g_param_spec_int64 ("received-at", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_PATIENT] = g_param_spec_object ("patient", NULL, NULL, RW_TYPE_PATIENT, ro);
  properties[PROP_SERIES] = g_param_spec_boxed ("series", NULL, NULL, G_TYPE_PTR_ARRAY, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rw_exam_init (RwExam *self)
{
}

static void
append_key (GString    *keys,
            const char *text)
{
  rw_text_fold_append (keys, text);
  /* The '\0' that ends it. */
  g_string_append_c (keys, '\0');
}

/* The exam's text as a search or a sort by text reads it: folded (lower
 * case, no accents, runs of spaces and '^' as one space) and in one
 * allocation, "name\0patient id\0accession\0description\0referring\0",
 * the name as people read it. Made from plain strings so that a store's
 * worker thread can make them while saving. */
char *
rw_exam_fold_search_keys (const char *patient_name,
                          const char *patient_id,
                          const char *accession_number,
                          const char *description,
                          const char *referring_physician,
                          gsize      *len)
{
  g_autofree char *name = rw_dicom_format_person_name (patient_name);
  GString *keys = g_string_sized_new (128);

  append_key (keys, name);
  append_key (keys, patient_id);
  append_key (keys, accession_number);
  append_key (keys, description);
  append_key (keys, referring_physician);
  *len = keys->len;
  return g_string_free (keys, FALSE);
}

/* Five '\0'-terminated UTF-8 strings and nothing after: what
 * rw_exam_fold_search_keys() makes, so that a damaged cache cannot send a
 * search past the end. */
static gboolean
search_keys_are_valid (const char *keys,
                       gsize       len)
{
  guint n_keys = 0;

  if (keys == NULL || len == 0 || keys[len - 1] != '\0')
    return FALSE;
  for (gsize at = 0; at < len; n_keys++)
    {
      gsize key_len = strlen (keys + at);

      if (!g_utf8_validate_len (keys + at, key_len, NULL))
        return FALSE;
      at += key_len + 1;
    }
  return n_keys == 5;
}

RwExam *
rw_exam_new (const RwExamFields *f)
{
  RwExam *self;

  g_return_val_if_fail (f != NULL, NULL);
  g_return_val_if_fail (RW_IS_PATIENT (f->patient), NULL);

  self = g_object_new (RW_TYPE_EXAM, NULL);
  self->id = f->id;
  rw_model_set_str (&self->study_uid, f->study_uid);
  rw_model_set_str (&self->orthanc_id, f->orthanc_id);
  rw_model_set_str (&self->accession_number, f->accession_number);
  rw_exam_copy_fixed (self->study_date, sizeof self->study_date, f->study_date);
  rw_exam_copy_fixed (self->study_time, sizeof self->study_time, f->study_time);
  rw_model_set_str (&self->description, f->description);
  rw_model_set_str (&self->referring_physician, f->referring_physician);
  rw_exam_copy_fixed (self->modality, sizeof self->modality, f->modality);
  self->series_count = f->series_count;
  self->instance_count = f->instance_count;
  self->status = f->status;
  self->priority = f->priority;
  self->assigned_to_id = f->assigned_to_id;
  rw_model_set_str (&self->assigned_to_name, f->assigned_to_name);
  rw_model_set_str (&self->stone_viewer_url, f->stone_viewer_url);
  self->received_at = f->received_at;
  self->updated_at = f->updated_at;
  self->patient = g_object_ref (f->patient);
  if (search_keys_are_valid (f->search_keys, f->search_keys_len))
    {
      self->search_keys = g_memdup2 (f->search_keys, f->search_keys_len);
      self->search_keys_len = f->search_keys_len;
    }
  return self;
}

/* The exam's search keys (see rw_exam_fold_search_keys()), @len set to
 * their length with the last '\0'. Keys the exam was built with are
 * handed over, once: the caller keeps them, and they are made again from
 * the exam's fields when asked for later. */
char *
rw_exam_dup_search_keys (RwExam *self,
                         gsize  *len)
{
  g_return_val_if_fail (RW_IS_EXAM (self), NULL);
  g_return_val_if_fail (len != NULL, NULL);

  if (self->search_keys != NULL)
    {
      *len = self->search_keys_len;
      self->search_keys_len = 0;
      return g_steal_pointer (&self->search_keys);
    }
  return rw_exam_fold_search_keys (rw_patient_get_name (self->patient),
                                   rw_patient_get_patient_id (self->patient),
                                   self->accession_number, self->description,
                                   self->referring_physician, len);
}

gint64
rw_exam_get_id (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), 0);
  return self->id;
}

const char *
rw_exam_get_study_uid (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return rw_model_str (self->study_uid);
}

const char *
rw_exam_get_orthanc_id (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return rw_model_str (self->orthanc_id);
}

const char *
rw_exam_get_accession_number (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return rw_model_str (self->accession_number);
}

const char *
rw_exam_get_study_date (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return self->study_date;
}

const char *
rw_exam_get_study_time (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return self->study_time;
}

const char *
rw_exam_get_description (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return rw_model_str (self->description);
}

const char *
rw_exam_get_referring_physician (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return rw_model_str (self->referring_physician);
}

const char *
rw_exam_get_modality (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return self->modality;
}

guint
rw_exam_get_series_count (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), 0);
  return self->series_count;
}

guint
rw_exam_get_instance_count (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), 0);
  return self->instance_count;
}

RwExamStatus
rw_exam_get_status (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), RW_EXAM_STATUS_PENDING);
  return self->status;
}

RwExamPriority
rw_exam_get_priority (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), RW_EXAM_PRIORITY_ROUTINE);
  return self->priority;
}

gint64
rw_exam_get_assigned_to_id (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), 0);
  return self->assigned_to_id;
}

const char *
rw_exam_get_assigned_to_name (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return rw_model_str (self->assigned_to_name);
}

const char *
rw_exam_get_stone_viewer_url (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), "");
  return rw_model_str (self->stone_viewer_url);
}

gint64
rw_exam_get_received_at (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), 0);
  return self->received_at;
}

gint64
rw_exam_get_updated_at (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), 0);
  return self->updated_at;
}

RwPatient *
rw_exam_get_patient (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), NULL);
  return self->patient;
}

GPtrArray *
rw_exam_get_series (RwExam *self)
{
  g_return_val_if_fail (RW_IS_EXAM (self), NULL);
  return self->series;
}

void
rw_exam_set_id (RwExam *self,
                gint64  id)
{
  g_return_if_fail (RW_IS_EXAM (self));
  g_return_if_fail (id >= 0);

  if (self->id == id)
    return;
  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

void
rw_exam_set_status (RwExam       *self,
                    RwExamStatus  status)
{
  g_return_if_fail (RW_IS_EXAM (self));
  g_return_if_fail ((guint) status <= RW_EXAM_STATUS_CANCELLED);

  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
rw_exam_set_priority (RwExam         *self,
                      RwExamPriority  priority)
{
  g_return_if_fail (RW_IS_EXAM (self));
  g_return_if_fail ((guint) priority <= RW_EXAM_PRIORITY_STAT);

  if (self->priority == priority)
    return;
  self->priority = priority;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY]);
}

void
rw_exam_set_assigned_to (RwExam     *self,
                         gint64      user_id,
                         const char *display_name)
{
  g_return_if_fail (RW_IS_EXAM (self));
  g_return_if_fail (user_id >= 0);

  if (user_id == 0)
    display_name = NULL;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->assigned_to_id != user_id)
    {
      self->assigned_to_id = user_id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASSIGNED_TO_ID]);
    }
  if (rw_model_set_str (&self->assigned_to_name, display_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASSIGNED_TO_NAME]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
rw_exam_set_series (RwExam    *self,
                    GPtrArray *series)
{
  g_return_if_fail (RW_IS_EXAM (self));

  if (self->series == series)
    return;
  if (series != NULL)
    g_ptr_array_ref (series);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  self->series = series;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERIES]);
}

#define UPDATE_SCALAR(field, prop) \
  G_STMT_START { \
    if (self->field != other->field) \
      { \
        self->field = other->field; \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
      } \
  } G_STMT_END

#define UPDATE_STRING(field, prop) \
  G_STMT_START { \
    if (rw_model_set_str (&self->field, other->field)) \
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
  } G_STMT_END

#define UPDATE_FIXED(field, prop) \
  G_STMT_START { \
    if (strcmp (self->field, other->field) != 0) \
      { \
        memcpy (self->field, other->field, sizeof self->field); \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
      } \
  } G_STMT_END

void
rw_exam_update_from (RwExam *self,
                     RwExam *other)
{
  g_return_if_fail (RW_IS_EXAM (self));
  g_return_if_fail (RW_IS_EXAM (other));

  if (self == other)
    return;

  /* Keys given with the old fields no longer match. */
  g_clear_pointer (&self->search_keys, g_free);
  g_object_freeze_notify (G_OBJECT (self));
  UPDATE_SCALAR (id, PROP_ID);
  UPDATE_STRING (study_uid, PROP_STUDY_UID);
  UPDATE_STRING (orthanc_id, PROP_ORTHANC_ID);
  UPDATE_STRING (accession_number, PROP_ACCESSION_NUMBER);
  UPDATE_FIXED (study_date, PROP_STUDY_DATE);
  UPDATE_FIXED (study_time, PROP_STUDY_TIME);
  UPDATE_STRING (description, PROP_DESCRIPTION);
  UPDATE_STRING (referring_physician, PROP_REFERRING_PHYSICIAN);
  UPDATE_FIXED (modality, PROP_MODALITY);
  UPDATE_SCALAR (series_count, PROP_SERIES_COUNT);
  UPDATE_SCALAR (instance_count, PROP_INSTANCE_COUNT);
  UPDATE_SCALAR (status, PROP_STATUS);
  UPDATE_SCALAR (priority, PROP_PRIORITY);
  UPDATE_SCALAR (assigned_to_id, PROP_ASSIGNED_TO_ID);
  UPDATE_STRING (assigned_to_name, PROP_ASSIGNED_TO_NAME);
  UPDATE_STRING (stone_viewer_url, PROP_STONE_VIEWER_URL);
  UPDATE_SCALAR (received_at, PROP_RECEIVED_AT);
  UPDATE_SCALAR (updated_at, PROP_UPDATED_AT);
  if (!rw_patient_equal (self->patient, other->patient))
    {
      g_set_object (&self->patient, other->patient);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT]);
    }
  if (other->series != NULL)
    rw_exam_set_series (self, other->series);
  g_object_thaw_notify (G_OBJECT (self));
}

char *
rw_exam_dup_study_date_label (RwExam *self)
{
  GDate date;
  char buf[64];
  g_autofree char *compact = NULL;

  g_return_val_if_fail (RW_IS_EXAM (self), NULL);

  compact = rw_model_iso_to_dicom (self->study_date);
  if (compact[0] == '\0' || !rw_dicom_parse_date (compact, &date, NULL))
    return g_strdup ("");
  /* Translators: a date as strftime() writes it; dd/mm/aaaa in Brazil */
  if (g_date_strftime (buf, sizeof buf, C_("date format", "%m/%d/%Y"), &date) == 0)
    return g_strdup ("");
  return g_strdup (buf);
}
