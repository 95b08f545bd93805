/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-exam-private.h"
#include "rw-viewer-url.h"

/* The JSON forms of an exam: Orthanc's, the webhook payload's and the
 * Radiweb API's. */

/* Orthanc ids are SHA-1 based, "xxxxxxxx-xxxxxxxx-…" in lowercase hex. The
 * id goes into REST paths, so only hex digits and dashes get through. */
static gboolean
get_orthanc_id (JsonObject  *object,
                const char  *member,
                RwJsonFlags  flags,
                char       **out,
                GError     **error)
{
  g_autofree char *value = NULL;

  *out = NULL;
  if (!rw_model_get_text (object, member, flags, &value, error))
    return FALSE;
  if (value != NULL &&
      (strlen (value) > 64 || strspn (value, "0123456789abcdefABCDEF-") != strlen (value)))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” is not an Orthanc id: expected hexadecimal digits and dashes"), member);
      return FALSE;
    }
  *out = g_steal_pointer (&value);
  return TRUE;
}

/* A value a modality wrote, converted when it is well formed and left
 * unknown otherwise: a bad StudyDate must not keep a study off the list. */
static void
lenient_convert (JsonObject  *tags,
                 const char  *member,
                 char      *(*convert) (const char *, GError **),
                 char        *out,
                 gsize        out_len)
{
  const char *value = NULL;
  g_autofree char *converted = NULL;

  out[0] = '\0';
  if (!rw_json_get_string (tags, member, RW_JSON_OPTIONAL, &value, NULL) || value == NULL)
    return;
  {
    g_autofree char *stripped = g_strstrip (g_strdup (value));

    if (stripped[0] == '\0')
      return;
    converted = convert (stripped, NULL);
  }
  if (converted == NULL)
    {
      g_debug ("Ignoring malformed %s in a study", member);
      return;
    }
  g_assert (strlen (converted) < out_len);
  memcpy (out, converted, strlen (converted) + 1);
}

/* The age on the study date, when the modality did not write PatientAge. */
static char *
compute_age (const char *birth_iso,
             const char *study_iso)
{
  g_autofree char *birth_compact = rw_model_iso_to_dicom (birth_iso);
  g_autofree char *study_compact = rw_model_iso_to_dicom (study_iso);
  GDate birth, on;
  RwDicomAge age;

  if (birth_compact[0] == '\0' || study_compact[0] == '\0' ||
      !rw_dicom_parse_date (birth_compact, &birth, NULL) ||
      !rw_dicom_parse_date (study_compact, &on, NULL) ||
      !rw_dicom_age_between (&birth, &on, &age))
    return NULL;
  return rw_dicom_age_to_string (&age);
}

static GPtrArray *
series_from_orthanc (JsonArray   *series,
                     const char  *study_id,
                     GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < json_array_get_length (series); i++)
    {
      JsonNode *node = json_array_get_element (series, i);
      const char *parent = NULL;
      RwSeries *s;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                       _("“%s” must be %s"), "Series", _("an array of objects"));
          return NULL;
        }
      if (!rw_json_get_string (json_node_get_object (node), "ParentStudy", RW_JSON_OPTIONAL,
                               &parent, error))
        return NULL;
      if (parent != NULL && g_strcmp0 (parent, study_id) != 0)
        {
          g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                               _("A series given with the study belongs to another study"));
          return NULL;
        }
      s = rw_series_new_from_orthanc (json_node_get_object (node), error);
      if (s == NULL)
        return NULL;
      g_ptr_array_add (list, s);
    }
  return g_steal_pointer (&list);
}

RwExam *
rw_exam_new_from_orthanc (JsonObject   *study,
                          JsonObject   *patient,
                          JsonArray    *series,
                          JsonObject   *shared_tags,
                          const char   *orthanc_url,
                          GError      **error)
{
  g_autoptr(RwExam) self = NULL;
  g_autoptr(RwPatient) parsed_patient = NULL;
  g_autofree char *computed_age = NULL;
  JsonObject *tags = NULL;
  JsonObject *patient_tags = NULL;
  JsonArray *series_ids = NULL;
  const char *age = NULL;
  const char *parent_patient = NULL;

  g_return_val_if_fail (study != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (orthanc_url != NULL && !rw_viewer_url_check_base (orthanc_url, error))
    return NULL;

  self = g_object_new (RW_TYPE_EXAM, NULL);
  if (!get_orthanc_id (study, "ID", RW_JSON_REQUIRED, &self->orthanc_id, error) ||
      !rw_json_get_object (study, "MainDicomTags", RW_JSON_REQUIRED, &tags, error) ||
      !rw_json_get_array (study, "Series", RW_JSON_REQUIRED, &series_ids, error) ||
      !rw_json_get_string (study, "ParentPatient", RW_JSON_OPTIONAL, &parent_patient, error) ||
      !rw_model_get_uid (tags, "StudyInstanceUID", RW_JSON_REQUIRED, &self->study_uid, error) ||
      !rw_model_get_text (tags, "AccessionNumber", RW_JSON_OPTIONAL, &self->accession_number, error) ||
      !rw_model_get_text (tags, "StudyDescription", RW_JSON_OPTIONAL, &self->description, error) ||
      !rw_model_get_text (tags, "ReferringPhysicianName", RW_JSON_OPTIONAL,
                          &self->referring_physician, error))
    return NULL;

  lenient_convert (tags, "StudyDate", rw_dicom_date_to_iso, self->study_date, sizeof self->study_date);
  lenient_convert (tags, "StudyTime", rw_dicom_time_to_iso, self->study_time, sizeof self->study_time);
  self->series_count = json_array_get_length (series_ids);

  if (patient != NULL)
    {
      const char *patient_id = NULL;

      if (!rw_json_get_string (patient, "ID", RW_JSON_OPTIONAL, &patient_id, error) ||
          !rw_json_get_object (patient, "MainDicomTags", RW_JSON_REQUIRED, &patient_tags, error))
        return NULL;
      if (patient_id != NULL && parent_patient != NULL && strcmp (patient_id, parent_patient) != 0)
        {
          g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                               _("The patient given with the study is not the study’s patient"));
          return NULL;
        }
    }
  else if (!rw_json_get_object (study, "PatientMainDicomTags", RW_JSON_REQUIRED, &patient_tags, error))
    return NULL;

  if (shared_tags != NULL &&
      !rw_json_get_string (shared_tags, "PatientAge", RW_JSON_OPTIONAL, &age, error))
    return NULL;

  parsed_patient = rw_patient_new_from_orthanc (patient_tags, age, error);
  if (parsed_patient == NULL)
    return NULL;
  if (rw_patient_get_age (parsed_patient)[0] == '\0' &&
      (computed_age = compute_age (rw_patient_get_birth_date (parsed_patient), self->study_date)) != NULL)
    self->patient = rw_patient_new (rw_patient_get_patient_id (parsed_patient),
                                    rw_patient_get_name (parsed_patient),
                                    rw_patient_get_birth_date (parsed_patient),
                                    rw_patient_get_sex (parsed_patient),
                                    computed_age);
  else
    self->patient = g_steal_pointer (&parsed_patient);

  if (series != NULL)
    {
      self->series = series_from_orthanc (series, self->orthanc_id, error);
      if (self->series == NULL)
        return NULL;
      self->instance_count = rw_series_list_count_instances (self->series);
      rw_exam_copy_fixed (self->modality, sizeof self->modality,
                          rw_series_list_primary_modality (self->series));
    }

  if (orthanc_url != NULL)
    self->stone_viewer_url = rw_viewer_url_stone (orthanc_url, self->study_uid);

  return g_steal_pointer (&self);
}

RwExam *
rw_exam_new_from_webhook (JsonObject  *payload,
                          GError     **error)
{
  g_autoptr(RwExam) self = NULL;
  JsonObject *study = NULL;
  JsonObject *patient = NULL;
  JsonObject *urls = NULL;

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RW_TYPE_EXAM, NULL);
  if (!rw_json_get_object (payload, "study", RW_JSON_REQUIRED, &study, error) ||
      !rw_json_get_object (payload, "patient", RW_JSON_REQUIRED, &patient, error) ||
      !rw_json_get_object (payload, "urls", RW_JSON_OPTIONAL, &urls, error) ||
      !rw_model_get_uid (study, "study_uid", RW_JSON_REQUIRED, &self->study_uid, error) ||
      !get_orthanc_id (study, "orthanc_id", RW_JSON_OPTIONAL, &self->orthanc_id, error) ||
      !rw_model_get_dicom_date (study, "study_date", self->study_date, error) ||
      !rw_model_get_dicom_time (study, "study_time", self->study_time, error) ||
      !rw_model_get_text (study, "study_description", RW_JSON_OPTIONAL, &self->description, error) ||
      !rw_model_get_text (study, "accession_number", RW_JSON_OPTIONAL, &self->accession_number, error) ||
      !rw_model_get_text (study, "referring_physician", RW_JSON_OPTIONAL,
                          &self->referring_physician, error) ||
      !rw_model_get_code (study, "modality", RW_JSON_OPTIONAL, self->modality, error) ||
      !rw_model_get_count (study, "series_count", RW_JSON_OPTIONAL, &self->series_count, error) ||
      !rw_model_get_count (study, "instance_count", RW_JSON_OPTIONAL, &self->instance_count, error) ||
      !rw_model_get_text (urls, "stone_viewer", RW_JSON_OPTIONAL, &self->stone_viewer_url, error))
    return NULL;

  self->patient = rw_patient_new_from_webhook (patient, error);
  if (self->patient == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/* DICOM JSON (PS3.18 F.2): {"vr": "PN", "Value": [{"Alphabetic": "…"}]}.
 * The first value as text; NULL when the attribute or its value is
 * absent. Numbers (IS, US…) are given back as text too. */
static gboolean
dicom_json_text (JsonObject  *dataset,
                 const char  *tag,
                 RwJsonFlags  flags,
                 char       **out,
                 GError     **error)
{
  JsonObject *attribute = NULL;
  JsonArray *values = NULL;
  JsonNode *first;

  *out = NULL;
  if (!rw_json_get_object (dataset, tag, flags, &attribute, error))
    return FALSE;
  if (attribute != NULL && !rw_json_get_array (attribute, "Value", flags, &values, error))
    return FALSE;
  if (values == NULL || json_array_get_length (values) == 0)
    {
      if (flags & RW_JSON_REQUIRED)
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("“%s” is missing"), tag);
          return FALSE;
        }
      return TRUE;
    }

  first = json_array_get_element (values, 0);
  if (JSON_NODE_HOLDS_OBJECT (first))
    return rw_model_get_text (json_node_get_object (first), "Alphabetic", flags, out, error);
  if (JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_INT64)
    {
      *out = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (first));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_STRING)
    {
      g_autoptr(JsonObject) wrapper = json_object_new ();

      json_object_set_member (wrapper, tag, json_node_copy (first));
      return rw_model_get_text (wrapper, tag, flags, out, error);
    }
  g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("“%s” must be %s"), tag, _("a string"));
  return FALSE;
}

static guint
parse_count (const char *text)
{
  char *end = NULL;
  guint64 n;

  if (text == NULL)
    return 0;
  n = g_ascii_strtoull (text, &end, 10);
  return end != text && *end == '\0' && n <= G_MAXINT32 ? (guint) n : 0;
}

RwExam *
rw_exam_new_from_dicomweb (JsonObject  *study,
                           GError     **error)
{
  g_autoptr(RwExam) self = NULL;
  g_autofree char *date = NULL, *time = NULL, *series = NULL, *instances = NULL;
  g_autofree char *patient_id = NULL, *name = NULL, *birth = NULL, *sex = NULL, *age = NULL;
  g_autofree char *birth_iso = NULL;
  JsonObject *modalities = NULL;
  JsonArray *values = NULL;

  g_return_val_if_fail (study != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RW_TYPE_EXAM, NULL);
  if (!dicom_json_text (study, "0020000D", RW_JSON_REQUIRED, &self->study_uid, error) ||
      !dicom_json_text (study, "00080050", RW_JSON_OPTIONAL, &self->accession_number, error) ||
      !dicom_json_text (study, "00081030", RW_JSON_OPTIONAL, &self->description, error) ||
      !dicom_json_text (study, "00080090", RW_JSON_OPTIONAL, &self->referring_physician, error) ||
      !dicom_json_text (study, "00080020", RW_JSON_OPTIONAL, &date, error) ||
      !dicom_json_text (study, "00080030", RW_JSON_OPTIONAL, &time, error) ||
      !dicom_json_text (study, "00201206", RW_JSON_OPTIONAL, &series, error) ||
      !dicom_json_text (study, "00201208", RW_JSON_OPTIONAL, &instances, error) ||
      !dicom_json_text (study, "00100020", RW_JSON_REQUIRED, &patient_id, error) ||
      !dicom_json_text (study, "00100010", RW_JSON_OPTIONAL, &name, error) ||
      !dicom_json_text (study, "00100030", RW_JSON_OPTIONAL, &birth, error) ||
      !dicom_json_text (study, "00100040", RW_JSON_OPTIONAL, &sex, error) ||
      !dicom_json_text (study, "00101010", RW_JSON_OPTIONAL, &age, error) ||
      !rw_json_get_object (study, "00080061", RW_JSON_OPTIONAL, &modalities, error) ||
      (modalities != NULL && !rw_json_get_array (modalities, "Value", RW_JSON_OPTIONAL, &values, error)))
    return NULL;

  if (strspn (self->study_uid, "0123456789.") != strlen (self->study_uid))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” is not a DICOM UID: expected digits separated by dots, at most 64 characters"),
                   "0020000D");
      return NULL;
    }

  {
    g_autoptr(JsonObject) tags = json_object_new ();

    json_object_set_string_member (tags, "StudyDate", date != NULL ? date : "");
    json_object_set_string_member (tags, "StudyTime", time != NULL ? time : "");
    lenient_convert (tags, "StudyDate", rw_dicom_date_to_iso, self->study_date, sizeof self->study_date);
    lenient_convert (tags, "StudyTime", rw_dicom_time_to_iso, self->study_time, sizeof self->study_time);
  }
  self->series_count = parse_count (series);
  self->instance_count = parse_count (instances);

  for (guint i = 0; values != NULL && i < json_array_get_length (values); i++)
    {
      JsonNode *node = json_array_get_element (values, i);
      const char *modality;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;
      modality = json_node_get_string (node);
      if (strlen (modality) >= sizeof self->modality)
        continue;
      if (self->modality[0] == '\0' ||
          (rw_series_modality_is_auxiliary (self->modality) && !rw_series_modality_is_auxiliary (modality)))
        memcpy (self->modality, modality, strlen (modality) + 1);
    }

  if (birth != NULL)
    birth_iso = rw_dicom_date_to_iso (birth, NULL);
  if (sex != NULL && !rw_model_check_sex ("PatientSex", sex, NULL))
    g_clear_pointer (&sex, g_free);
  if (age != NULL && !rw_model_check_age ("PatientAge", age, NULL))
    g_clear_pointer (&age, g_free);
  if (age == NULL)
    age = compute_age (birth_iso, self->study_date);
  self->patient = rw_patient_new (patient_id, name, birth_iso, sex, age);
  return g_steal_pointer (&self);
}

static gboolean
get_assigned_to (RwExam      *self,
                 JsonObject  *exam,
                 GError     **error)
{
  JsonNode *node = json_object_get_member (exam, "assigned_to");
  gint64 id = 0;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *user = json_node_get_object (node);
      g_autofree char *username = NULL;

      if (!rw_json_get_int (user, "id", RW_JSON_REQUIRED, &id, error) ||
          !rw_model_get_text (user, "display_name", RW_JSON_OPTIONAL, &self->assigned_to_name, error) ||
          !rw_model_get_text (user, "username", RW_JSON_OPTIONAL, &username, error))
        return FALSE;
      if (self->assigned_to_name == NULL)
        self->assigned_to_name = g_steal_pointer (&username);
    }
  /* The server's form: the id, and the name beside it. */
  else if (!rw_json_get_int (exam, "assigned_to", RW_JSON_OPTIONAL, &id, error) ||
           !rw_model_get_text (exam, "assigned_to_name", RW_JSON_OPTIONAL, &self->assigned_to_name, error))
    return FALSE;

  if (id <= 0)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” must be a positive user id"), "assigned_to");
      return FALSE;
    }
  self->assigned_to_id = id;
  return TRUE;
}

RwExam *
rw_exam_new_from_api (JsonObject  *exam,
                      GError     **error)
{
  g_autoptr(RwExam) self = NULL;
  JsonObject *patient = NULL;
  const char *status = NULL;
  const char *priority = NULL;
  RwExamStatus status_value;
  RwExamPriority priority_value;

  g_return_val_if_fail (exam != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RW_TYPE_EXAM, NULL);
  if (!rw_json_get_int (exam, "id", RW_JSON_REQUIRED, &self->id, error))
    return NULL;
  if (self->id <= 0)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” must be a positive id"), "id");
      return NULL;
    }
  if (!rw_model_get_uid (exam, "study_uid", RW_JSON_REQUIRED, &self->study_uid, error) ||
      !get_orthanc_id (exam, "orthanc_id", RW_JSON_OPTIONAL, &self->orthanc_id, error) ||
      !rw_model_get_text (exam, "accession_number", RW_JSON_OPTIONAL, &self->accession_number, error) ||
      !rw_model_get_iso_date (exam, "study_date", self->study_date, error) ||
      !rw_model_get_iso_time (exam, "study_time", self->study_time, error) ||
      !rw_model_get_text (exam, "description", RW_JSON_OPTIONAL, &self->description, error) ||
      !rw_model_get_text (exam, "referring_physician", RW_JSON_OPTIONAL,
                          &self->referring_physician, error) ||
      !rw_model_get_code (exam, "modality", RW_JSON_OPTIONAL, self->modality, error) ||
      !rw_model_get_count (exam, "series_count", RW_JSON_OPTIONAL, &self->series_count, error) ||
      !rw_model_get_count (exam, "instance_count", RW_JSON_OPTIONAL, &self->instance_count, error) ||
      !rw_json_get_string (exam, "status", RW_JSON_REQUIRED, &status, error) ||
      !rw_json_get_string (exam, "priority", RW_JSON_REQUIRED, &priority, error) ||
      !get_assigned_to (self, exam, error) ||
      !rw_model_get_text (exam, "stone_viewer_url", RW_JSON_OPTIONAL, &self->stone_viewer_url, error) ||
      !rw_model_get_timestamp (exam, "received_at", RW_JSON_OPTIONAL, &self->received_at, error) ||
      !rw_model_get_timestamp (exam, "updated_at", RW_JSON_OPTIONAL, &self->updated_at, error) ||
      !rw_json_get_object (exam, "patient", RW_JSON_REQUIRED, &patient, error))
    return NULL;

  if (!rw_exam_status_from_string (status, &status_value))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” must be one of %s"), "status", "pending, in_progress, completed, cancelled");
      return NULL;
    }
  if (!rw_exam_priority_from_string (priority, &priority_value))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” must be one of %s"), "priority", "routine, urgent, stat");
      return NULL;
    }
  self->status = status_value;
  self->priority = priority_value;

  self->patient = rw_patient_new_from_api (patient, error);
  if (self->patient == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

static void
set_string_or_null (JsonObject *object,
                    const char *member,
                    const char *value)
{
  if (value == NULL || value[0] == '\0')
    json_object_set_null_member (object, member);
  else
    json_object_set_string_member (object, member, value);
}

static void
set_timestamp (JsonObject *object,
               const char *member,
               gint64      value)
{
  g_autofree char *text = rw_model_format_timestamp (value);

  set_string_or_null (object, member, text);
}

JsonObject *
rw_exam_to_api_json (RwExam *self)
{
  JsonObject *object;

  g_return_val_if_fail (RW_IS_EXAM (self), NULL);

  object = json_object_new ();
  json_object_set_int_member (object, "id", self->id);
  json_object_set_string_member (object, "study_uid", rw_model_str (self->study_uid));
  json_object_set_string_member (object, "orthanc_id", rw_model_str (self->orthanc_id));
  json_object_set_string_member (object, "accession_number", rw_model_str (self->accession_number));
  set_string_or_null (object, "study_date", self->study_date);
  set_string_or_null (object, "study_time", self->study_time);
  json_object_set_string_member (object, "description", rw_model_str (self->description));
  json_object_set_string_member (object, "referring_physician", rw_model_str (self->referring_physician));
  json_object_set_string_member (object, "modality", self->modality);
  json_object_set_int_member (object, "series_count", self->series_count);
  json_object_set_int_member (object, "instance_count", self->instance_count);
  json_object_set_string_member (object, "status", rw_exam_status_to_string (self->status));
  json_object_set_string_member (object, "priority", rw_exam_priority_to_string (self->priority));
  if (self->assigned_to_id == 0)
    json_object_set_null_member (object, "assigned_to");
  else
    {
      JsonObject *user = json_object_new ();

      json_object_set_int_member (user, "id", self->assigned_to_id);
      json_object_set_string_member (user, "display_name", rw_model_str (self->assigned_to_name));
      json_object_set_object_member (object, "assigned_to", user);
    }
  json_object_set_string_member (object, "stone_viewer_url", rw_model_str (self->stone_viewer_url));
  set_timestamp (object, "received_at", self->received_at);
  set_timestamp (object, "updated_at", self->updated_at);
  json_object_set_object_member (object, "patient", rw_patient_to_api_json (self->patient));
  return object;
}

JsonObject *
rw_exam_to_webhook_payload (RwExam     *self,
                            const char *orthanc_url,
                            GDateTime  *timestamp)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *when = NULL;
  g_autofree char *date = NULL;
  g_autofree char *time = NULL;
  g_autofree char *stone = NULL;
  g_autofree char *dicom_web = NULL;
  g_autofree char *rest = NULL;
  JsonObject *payload;
  JsonObject *study;
  JsonObject *urls;

  g_return_val_if_fail (RW_IS_EXAM (self), NULL);
  g_return_val_if_fail (orthanc_url != NULL, NULL);

  if (timestamp == NULL)
    timestamp = now = g_date_time_new_now_utc ();
  when = rw_model_format_timestamp (g_date_time_to_unix (timestamp));
  date = rw_model_iso_to_dicom (self->study_date);
  time = rw_model_iso_to_dicom (self->study_time);

  study = json_object_new ();
  json_object_set_string_member (study, "orthanc_id", rw_model_str (self->orthanc_id));
  json_object_set_string_member (study, "study_uid", rw_model_str (self->study_uid));
  json_object_set_string_member (study, "study_date", date);
  json_object_set_string_member (study, "study_time", time);
  json_object_set_string_member (study, "study_description", rw_model_str (self->description));
  json_object_set_string_member (study, "accession_number", rw_model_str (self->accession_number));
  json_object_set_string_member (study, "referring_physician", rw_model_str (self->referring_physician));
  json_object_set_string_member (study, "modality", self->modality);
  json_object_set_int_member (study, "series_count", self->series_count);
  json_object_set_int_member (study, "instance_count", self->instance_count);

  stone = rw_viewer_url_stone (orthanc_url, rw_model_str (self->study_uid));
  dicom_web = rw_viewer_url_dicom_web_study (orthanc_url, rw_model_str (self->study_uid));
  rest = rw_viewer_url_rest_study (orthanc_url, rw_model_str (self->orthanc_id));
  urls = json_object_new ();
  json_object_set_string_member (urls, "stone_viewer", stone);
  json_object_set_string_member (urls, "dicom_web", dicom_web);
  json_object_set_string_member (urls, "rest_api", rest);
  payload = json_object_new ();
  json_object_set_string_member (payload, "event", "study_received");
  json_object_set_string_member (payload, "timestamp", when);
  json_object_set_string_member (payload, "orthanc_url", orthanc_url);
  json_object_set_object_member (payload, "study", study);
  json_object_set_object_member (payload, "patient", rw_patient_to_webhook_json (self->patient));
  json_object_set_object_member (payload, "urls", urls);
  return payload;
}
