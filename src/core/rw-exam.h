/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "rw-patient.h"
#include "rw-series.h"

G_BEGIN_DECLS

/* The order is the order of work: sorting by status or priority compares
 * the enum values. */
typedef enum {
  RW_EXAM_STATUS_PENDING,
  RW_EXAM_STATUS_IN_PROGRESS,
  RW_EXAM_STATUS_COMPLETED,
  RW_EXAM_STATUS_CANCELLED,
} RwExamStatus;

typedef enum {
  RW_EXAM_PRIORITY_ROUTINE,
  RW_EXAM_PRIORITY_URGENT,
  RW_EXAM_PRIORITY_STAT,
} RwExamPriority;

#define RW_TYPE_EXAM_STATUS (rw_exam_status_get_type ())
#define RW_TYPE_EXAM_PRIORITY (rw_exam_priority_get_type ())
GType        rw_exam_status_get_type       (void) G_GNUC_CONST;
GType        rw_exam_priority_get_type     (void) G_GNUC_CONST;

/* The API's spelling: "pending", "in_progress", "completed", "cancelled";
 * "routine", "urgent", "stat". */
const char  *rw_exam_status_to_string      (RwExamStatus     status);
gboolean     rw_exam_status_from_string    (const char      *string,
                                            RwExamStatus    *status);
const char  *rw_exam_priority_to_string    (RwExamPriority   priority);
gboolean     rw_exam_priority_from_string  (const char      *string,
                                            RwExamPriority  *priority);
/* For people, translated: "Pendente", "Urgente"… */
const char  *rw_exam_status_to_label       (RwExamStatus     status);
const char  *rw_exam_priority_to_label     (RwExamPriority   priority);

/* An exam: one DICOM study on the worklist, with every field of the API's
 * exam JSON. Strings are never NULL ("" when unknown); study_date is
 * "YYYY-MM-DD" and study_time "HH:MM:SS" (so they sort as text); times are
 * Unix seconds in UTC, 0 when unknown. The getters are plain C so that a
 * list of 100k exams sorts and filters without property lookups. */
#define RW_TYPE_EXAM (rw_exam_get_type ())
G_DECLARE_FINAL_TYPE (RwExam, rw_exam, RW, EXAM, GObject)

/* Everything an exam holds, for building one from a store's row. The
 * strings are borrowed and copied; the values are trusted (they come from
 * the program's own storage, not from outside). */
typedef struct {
  gint64          id;
  const char     *study_uid;
  const char     *orthanc_id;
  const char     *accession_number;
  const char     *study_date;
  const char     *study_time;
  const char     *description;
  const char     *referring_physician;
  const char     *modality;
  guint           series_count;
  guint           instance_count;
  RwExamStatus    status;
  RwExamPriority  priority;
  gint64          assigned_to_id;
  const char     *assigned_to_name;
  const char     *stone_viewer_url;
  gint64          received_at;
  gint64          updated_at;
  RwPatient      *patient;
  /* Search keys rw_exam_dup_search_keys() gave for these same fields
   * earlier (a cache keeps them with the exam), or NULL. Keys of the wrong
   * shape are ignored and made again when asked for. */
  const char     *search_keys;
  gsize           search_keys_len;
} RwExamFields;

RwExam         *rw_exam_new                     (const RwExamFields *fields);
char           *rw_exam_dup_search_keys         (RwExam       *self,
                                                 gsize        *len);

/* From Orthanc's JSON: an expanded study (GET /studies/{id} or an element of
 * /tools/find with Expand), its patient (GET /patients/{id}; NULL to use the
 * study's PatientMainDicomTags), its expanded series (GET
 * /studies/{id}/series; NULL when not fetched: then modality and instance
 * count stay unknown) and its shared tags (GET
 * /studies/{id}/shared-tags?simplify; NULL or without PatientAge: the age is
 * computed from the birth and study dates). @orthanc_url, the PACS address
 * as users reach it, builds stone_viewer_url (NULL leaves it empty).
 * What a modality wrote wrongly (a malformed date) becomes unknown; a wrong
 * shape or a missing StudyInstanceUID is an RW_JSON_ERROR. */
RwExam         *rw_exam_new_from_orthanc        (JsonObject   *study,
                                                 JsonObject   *patient,
                                                 JsonArray    *series,
                                                 JsonObject   *shared_tags,
                                                 const char   *orthanc_url,
                                                 GError      **error);
/* From the webhook payload of docs/radiweb-api.md, strictly: a missing
 * study.study_uid or patient.patient_id, a wrong type, a malformed date,
 * time, age, sex, UID or count is an RW_JSON_ERROR naming the member. The
 * event and timestamp are the receiver's to check. The exam is pending and
 * routine, with no id. */
RwExam         *rw_exam_new_from_webhook        (JsonObject   *payload,
                                                 GError      **error);
/* From an exam of the Radiweb API (GET /api/exams…), strictly. Members the
 * exam does not keep ("report", "priors") are ignored. "assigned_to" is
 * null, a user id, or a user object with at least "id". */
RwExam         *rw_exam_new_from_api            (JsonObject   *exam,
                                                 GError      **error);

/* From a study of a DICOMweb QIDO-RS answer (DICOM JSON, tags as
 * "0020000D"): what a search of priors returns. No Orthanc id, no series;
 * the modality is the first imaging one of ModalitiesInStudy. Malformed
 * dates become unknown, as with Orthanc's JSON. */
RwExam         *rw_exam_new_from_dicomweb       (JsonObject   *study,
                                                 GError      **error);

/* The API's exam JSON; "assigned_to" is null or {"id", "display_name"}. */
JsonObject     *rw_exam_to_api_json             (RwExam       *self);
/* The webhook payload of docs/radiweb-api.md, field for field, with
 * "orthanc_url" and "urls" built from @orthanc_url (the PACS address as
 * users reach it) and "timestamp" from @timestamp (now if NULL). */
JsonObject     *rw_exam_to_webhook_payload      (RwExam       *self,
                                                 const char   *orthanc_url,
                                                 GDateTime    *timestamp);

gint64          rw_exam_get_id                  (RwExam       *self);
const char     *rw_exam_get_study_uid           (RwExam       *self);
const char     *rw_exam_get_orthanc_id          (RwExam       *self);
const char     *rw_exam_get_accession_number    (RwExam       *self);
const char     *rw_exam_get_study_date          (RwExam       *self);
const char     *rw_exam_get_study_time          (RwExam       *self);
const char     *rw_exam_get_description         (RwExam       *self);
const char     *rw_exam_get_referring_physician (RwExam       *self);
const char     *rw_exam_get_modality            (RwExam       *self);
guint           rw_exam_get_series_count        (RwExam       *self);
guint           rw_exam_get_instance_count      (RwExam       *self);
RwExamStatus    rw_exam_get_status              (RwExam       *self);
RwExamPriority  rw_exam_get_priority            (RwExam       *self);
/* 0 when nobody holds the exam. */
gint64          rw_exam_get_assigned_to_id      (RwExam       *self);
const char     *rw_exam_get_assigned_to_name    (RwExam       *self);
const char     *rw_exam_get_stone_viewer_url    (RwExam       *self);
gint64          rw_exam_get_received_at         (RwExam       *self);
gint64          rw_exam_get_updated_at          (RwExam       *self);
RwPatient      *rw_exam_get_patient             (RwExam       *self);
/* RwSeries elements, or NULL when the series are not known. */
GPtrArray      *rw_exam_get_series              (RwExam       *self);

void            rw_exam_set_id                  (RwExam       *self,
                                                 gint64        id);
void            rw_exam_set_status              (RwExam       *self,
                                                 RwExamStatus  status);
void            rw_exam_set_priority            (RwExam       *self,
                                                 RwExamPriority priority);
void            rw_exam_set_assigned_to         (RwExam       *self,
                                                 gint64        user_id,
                                                 const char   *display_name);
void            rw_exam_set_series              (RwExam       *self,
                                                 GPtrArray    *series);
/* Takes every field of @other (an update of the same exam from the server)
 * and notifies only the properties that changed, so a list row updates in
 * place. The series are kept when @other does not know them. */
void            rw_exam_update_from             (RwExam       *self,
                                                 RwExam       *other);

/* For people: "01/01/2024" in pt_BR, "" when unknown. */
char           *rw_exam_dup_study_date_label    (RwExam       *self);

G_END_DECLS
