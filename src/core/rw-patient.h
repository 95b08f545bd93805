/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A patient as the worklist knows it. Strings are never NULL: an unknown
 * value is "". birth_date is in the API's form ("1980-05-15"), age in
 * DICOM's ("043Y"), sex is "M", "F", "O" or "", name is the DICOM PN value
 * ("SILVA^JOAO^CARLOS"). Immutable: a changed patient is a new object. */
#define RW_TYPE_PATIENT (rw_patient_get_type ())
G_DECLARE_FINAL_TYPE (RwPatient, rw_patient, RW, PATIENT, GObject)

RwPatient  *rw_patient_new                (const char  *patient_id,
                                           const char  *name,
                                           const char  *birth_date,
                                           const char  *sex,
                                           const char  *age);

/* Orthanc's "MainDicomTags" of a patient, or "PatientMainDicomTags" of a
 * study. Orthanc does not keep PatientAge at patient level: pass it from the
 * study's shared tags when known (may be NULL). Dates and sexes that a
 * modality wrote wrongly are kept as unknown rather than refusing the study;
 * a missing PatientID or a wrongly typed member is an error. */
RwPatient  *rw_patient_new_from_orthanc   (JsonObject  *main_dicom_tags,
                                           const char  *age,
                                           GError     **error);
/* The "patient" object of the webhook payload (DICOM forms), strictly. */
RwPatient  *rw_patient_new_from_webhook   (JsonObject  *patient,
                                           GError     **error);
/* The "patient" object of an exam from the Radiweb API, strictly. */
RwPatient  *rw_patient_new_from_api       (JsonObject  *patient,
                                           GError     **error);

JsonObject *rw_patient_to_api_json        (RwPatient   *self);
JsonObject *rw_patient_to_webhook_json    (RwPatient   *self);

const char *rw_patient_get_patient_id     (RwPatient   *self);
const char *rw_patient_get_name           (RwPatient   *self);
const char *rw_patient_get_birth_date     (RwPatient   *self);
const char *rw_patient_get_sex            (RwPatient   *self);
const char *rw_patient_get_age            (RwPatient   *self);

gboolean    rw_patient_equal              (RwPatient   *a,
                                           RwPatient   *b);

/* For people: "SILVA, JOAO CARLOS", "43 anos", "Masculino". */
char       *rw_patient_dup_display_name   (RwPatient   *self);
char       *rw_patient_dup_age_label      (RwPatient   *self);
const char *rw_patient_sex_to_label       (const char  *sex);

G_END_DECLS
