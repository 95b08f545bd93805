/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-exam.h"
#include "rw-model-private.h"

G_BEGIN_DECLS

/* Shared by rw-exam.c (the object) and rw-exam-json.c (its JSON forms). */
struct _RwExam
{
  GObject parent_instance;

  gint64          id;
  gint64          assigned_to_id;
  gint64          received_at;
  gint64          updated_at;
  char           *study_uid;
  char           *orthanc_id;
  char           *accession_number;
  char           *description;
  char           *referring_physician;
  char           *assigned_to_name;
  char           *stone_viewer_url;
  RwPatient      *patient;
  GPtrArray      *series;
  guint           series_count;
  guint           instance_count;
  RwExamStatus    status : 8;
  RwExamPriority  priority : 8;
  char            study_date[RW_MODEL_DATE_LEN];
  char            study_time[RW_MODEL_TIME_LEN];
  char            modality[RW_MODEL_CODE_LEN];
  /* Search keys given to rw_exam_new(), handed over (not copied) by the
   * first rw_exam_dup_search_keys(); NULL afterwards. */
  char           *search_keys;
  gsize           search_keys_len;
};

/* The first byte of stored search keys: keys made by another version of
 * the folding are made again. Bump it whenever their content changes. */
#define RW_EXAM_SEARCH_KEYS_VERSION 1

char *rw_exam_fold_search_keys (const char *patient_name,
                                const char *patient_id,
                                const char *accession_number,
                                const char *description,
                                const char *referring_physician,
                                gsize      *len);

void  rw_exam_copy_fixed  (char       *dest,
                           gsize       dest_len,
                           const char *value);

G_END_DECLS
