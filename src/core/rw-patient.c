/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-model-private.h"
#include "rw-patient.h"

struct _RwPatient
{
  GObject parent_instance;

  char *patient_id;
  char *name;
  char  birth_date[RW_MODEL_DATE_LEN];
  char  sex[2];
  char  age[5];
};

G_DEFINE_FINAL_TYPE (RwPatient, rw_patient, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATIENT_ID,
  PROP_NAME,
  PROP_BIRTH_DATE,
  PROP_SEX,
  PROP_AGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
copy_fixed (char       *dest,
            gsize       dest_len,
            const char *value)
{
  dest[0] = '\0';
  if (value != NULL && strlen (value) < dest_len)
    memcpy (dest, value, strlen (value) + 1);
}

static void
rw_patient_finalize (GObject *object)
{
  RwPatient *self = RW_PATIENT (object);

  g_free (self->patient_id);
  g_free (self->name);

  G_OBJECT_CLASS (rw_patient_parent_class)->finalize (object);
}

static void
rw_patient_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RwPatient *self = RW_PATIENT (object);

  switch (prop_id)
    {
    case PROP_PATIENT_ID:
      g_value_set_string (value, rw_patient_get_patient_id (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, rw_patient_get_name (self));
      break;
    case PROP_BIRTH_DATE:
      g_value_set_string (value, self->birth_date);
      break;
    case PROP_SEX:
      g_value_set_string (value, self->sex);
      break;
    case PROP_AGE:
      g_value_set_string (value, self->age);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_patient_class_init (RwPatientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rw_patient_finalize;
  object_class->get_property = rw_patient_get_property;

  properties[PROP_PATIENT_ID] =
    g_param_spec_string ("patient-id", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BIRTH_DATE] =
    g_param_spec_string ("birth-date", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEX] =
    g_param_spec_string ("sex", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AGE] =
    g_param_spec_string ("age", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rw_patient_init (RwPatient *self)
{
}

/* Builds the object without going through GObject properties: the worklist
 * creates 100k of these. The values are assumed valid. */
RwPatient *
rw_patient_new (const char *patient_id,
                const char *name,
                const char *birth_date,
                const char *sex,
                const char *age)
{
  RwPatient *self = g_object_new (RW_TYPE_PATIENT, NULL);

  rw_model_set_str (&self->patient_id, patient_id);
  rw_model_set_str (&self->name, name);
  copy_fixed (self->birth_date, sizeof self->birth_date, birth_date);
  copy_fixed (self->sex, sizeof self->sex, sex);
  copy_fixed (self->age, sizeof self->age, age);
  return self;
}

RwPatient *
rw_patient_new_from_orthanc (JsonObject  *tags,
                             const char  *age,
                             GError     **error)
{
  g_autofree char *patient_id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sex = NULL;
  g_autofree char *raw_birth = NULL;
  g_autofree char *birth = NULL;

  g_return_val_if_fail (tags != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!rw_model_get_text (tags, "PatientID", RW_JSON_REQUIRED, &patient_id, error) ||
      !rw_model_get_text (tags, "PatientName", RW_JSON_OPTIONAL, &name, error) ||
      !rw_model_get_text (tags, "PatientSex", RW_JSON_OPTIONAL, &sex, error) ||
      !rw_model_get_text (tags, "PatientBirthDate", RW_JSON_OPTIONAL, &raw_birth, error))
    return NULL;

  /* What a modality got wrong in these stays unknown: the study itself
   * must still reach the worklist. */
  if (raw_birth != NULL)
    birth = rw_dicom_date_to_iso (raw_birth, NULL);
  if (!rw_model_check_sex ("PatientSex", sex, NULL))
    g_clear_pointer (&sex, g_free);
  if (!rw_model_check_age ("PatientAge", age, NULL))
    age = NULL;

  return rw_patient_new (patient_id, name, birth, sex, age);
}

static RwPatient *
new_from_json (JsonObject  *patient,
               const char  *name_member,
               const char  *birth_member,
               const char  *sex_member,
               const char  *age_member,
               gboolean     dicom_forms,
               GError     **error)
{
  g_autofree char *patient_id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sex = NULL;
  g_autofree char *age = NULL;
  char birth[RW_MODEL_DATE_LEN];

  g_return_val_if_fail (patient != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!rw_model_get_text (patient, "patient_id", RW_JSON_REQUIRED, &patient_id, error) ||
      !rw_model_get_text (patient, name_member, RW_JSON_OPTIONAL, &name, error) ||
      !(dicom_forms ? rw_model_get_dicom_date (patient, birth_member, birth, error)
                    : rw_model_get_iso_date (patient, birth_member, birth, error)) ||
      !rw_model_get_text (patient, sex_member, RW_JSON_OPTIONAL, &sex, error) ||
      !rw_model_check_sex (sex_member, sex, error) ||
      !rw_model_get_text (patient, age_member, RW_JSON_OPTIONAL, &age, error) ||
      !rw_model_check_age (age_member, age, error))
    return NULL;

  return rw_patient_new (patient_id, name, birth, sex, age);
}

RwPatient *
rw_patient_new_from_webhook (JsonObject  *patient,
                             GError     **error)
{
  return new_from_json (patient, "patient_name", "patient_birth_date", "patient_sex",
                        "patient_age", TRUE, error);
}

RwPatient *
rw_patient_new_from_api (JsonObject  *patient,
                         GError     **error)
{
  return new_from_json (patient, "name", "birth_date", "sex", "age", FALSE, error);
}

static void
set_optional (JsonObject *object,
              const char *member,
              const char *value)
{
  if (value[0] == '\0')
    json_object_set_null_member (object, member);
  else
    json_object_set_string_member (object, member, value);
}

JsonObject *
rw_patient_to_api_json (RwPatient *self)
{
  JsonObject *object = json_object_new ();

  g_return_val_if_fail (RW_IS_PATIENT (self), NULL);

  json_object_set_string_member (object, "patient_id", rw_patient_get_patient_id (self));
  json_object_set_string_member (object, "name", rw_patient_get_name (self));
  set_optional (object, "birth_date", self->birth_date);
  json_object_set_string_member (object, "sex", self->sex);
  json_object_set_string_member (object, "age", self->age);
  return object;
}

/* The seed's payload keeps DICOM forms, with "" for unknown values. */
JsonObject *
rw_patient_to_webhook_json (RwPatient *self)
{
  JsonObject *object = json_object_new ();
  g_autofree char *birth = NULL;

  g_return_val_if_fail (RW_IS_PATIENT (self), NULL);

  birth = rw_model_iso_to_dicom (self->birth_date);
  json_object_set_string_member (object, "patient_id", rw_patient_get_patient_id (self));
  json_object_set_string_member (object, "patient_name", rw_patient_get_name (self));
  json_object_set_string_member (object, "patient_birth_date", birth);
  json_object_set_string_member (object, "patient_sex", self->sex);
  json_object_set_string_member (object, "patient_age", self->age);
  return object;
}

const char *
rw_patient_get_patient_id (RwPatient *self)
{
  g_return_val_if_fail (RW_IS_PATIENT (self), "");
  return rw_model_str (self->patient_id);
}

const char *
rw_patient_get_name (RwPatient *self)
{
  g_return_val_if_fail (RW_IS_PATIENT (self), "");
  return rw_model_str (self->name);
}

const char *
rw_patient_get_birth_date (RwPatient *self)
{
  g_return_val_if_fail (RW_IS_PATIENT (self), "");
  return self->birth_date;
}

const char *
rw_patient_get_sex (RwPatient *self)
{
  g_return_val_if_fail (RW_IS_PATIENT (self), "");
  return self->sex;
}

const char *
rw_patient_get_age (RwPatient *self)
{
  g_return_val_if_fail (RW_IS_PATIENT (self), "");
  return self->age;
}

gboolean
rw_patient_equal (RwPatient *a,
                  RwPatient *b)
{
  g_return_val_if_fail (RW_IS_PATIENT (a), FALSE);
  g_return_val_if_fail (RW_IS_PATIENT (b), FALSE);

  return g_strcmp0 (a->patient_id, b->patient_id) == 0 &&
         g_strcmp0 (a->name, b->name) == 0 &&
         strcmp (a->birth_date, b->birth_date) == 0 &&
         strcmp (a->sex, b->sex) == 0 &&
         strcmp (a->age, b->age) == 0;
}

char *
rw_patient_dup_display_name (RwPatient *self)
{
  g_return_val_if_fail (RW_IS_PATIENT (self), NULL);
  return rw_dicom_format_person_name (self->name);
}

/* "" when the age is unknown. */
char *
rw_patient_dup_age_label (RwPatient *self)
{
  RwDicomAge age;

  g_return_val_if_fail (RW_IS_PATIENT (self), NULL);

  if (self->age[0] == '\0' || !rw_dicom_parse_age (self->age, &age, NULL))
    return g_strdup ("");
  return rw_dicom_format_age (&age);
}

const char *
rw_patient_sex_to_label (const char *sex)
{
  if (g_strcmp0 (sex, "M") == 0)
    return _("Male");
  if (g_strcmp0 (sex, "F") == 0)
    return _("Female");
  if (g_strcmp0 (sex, "O") == 0)
    return C_("sex", "Other");
  return "";
}
