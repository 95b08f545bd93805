/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rw-exam.h"

G_BEGIN_DECLS

/* The keys a worklist sorts by. Each sorts ascending by its natural order;
 * DEFAULT is the reading-room order: stat and urgent first, then the
 * newest received. */
typedef enum {
  RW_WORKLIST_SORT_DEFAULT,
  RW_WORKLIST_SORT_PATIENT_NAME,
  RW_WORKLIST_SORT_PATIENT_ID,
  RW_WORKLIST_SORT_AGE,
  RW_WORKLIST_SORT_MODALITY,
  RW_WORKLIST_SORT_DESCRIPTION,
  RW_WORKLIST_SORT_STUDY_DATE,
  RW_WORKLIST_SORT_ACCESSION,
  RW_WORKLIST_SORT_REFERRING,
  RW_WORKLIST_SORT_PRIORITY,
  RW_WORKLIST_SORT_STATUS,
  RW_WORKLIST_SORT_RECEIVED,
  RW_WORKLIST_N_SORTS,
} RwWorklistSort;

/* Status filter value meaning "every status". */
#define RW_WORKLIST_ANY_STATUS (-1)

/* One position of the list; see rw-worklist-model.c for why the items are
 * positions rather than exams. */
#define RW_TYPE_WORKLIST_SLOT (rw_worklist_slot_get_type ())
G_DECLARE_FINAL_TYPE (RwWorklistSlot, rw_worklist_slot, RW, WORKLIST_SLOT, GObject)

RwExam  *rw_worklist_slot_get_exam        (RwWorklistSlot  *self);

#define RW_TYPE_WORKLIST_MODEL (rw_worklist_model_get_type ())
G_DECLARE_FINAL_TYPE (RwWorklistModel, rw_worklist_model, RW, WORKLIST_MODEL, GObject)

RwWorklistModel *rw_worklist_model_new           (void);

void     rw_worklist_model_set_exams      (RwWorklistModel *self,
                                           GPtrArray       *exams);

/* The rows of a whole list, built on any thread from exams that no other
 * thread uses yet (as when they come from the local store), then given to
 * the model on the main thread: set_exams() in two halves. */
typedef struct _RwWorklistBatch RwWorklistBatch;

RwWorklistBatch *rw_worklist_batch_new        (GPtrArray       *exams);
void             rw_worklist_batch_free       (RwWorklistBatch *batch);
void             rw_worklist_model_set_batch  (RwWorklistModel *self,
                                               RwWorklistBatch *batch);

gboolean rw_worklist_model_upsert         (RwWorklistModel *self,
                                           RwExam          *exam);
void     rw_worklist_model_upsert_many (RwWorklistModel *self,
                                           GPtrArray       *exams);
void     rw_worklist_model_clear          (RwWorklistModel *self);
guint    rw_worklist_model_get_n_total    (RwWorklistModel *self);
RwExam  *rw_worklist_model_lookup         (RwWorklistModel *self,
                                           gint64           exam_id);
/* The exam shown at @position, or NULL past the end. */
RwExam  *rw_worklist_model_get_exam       (RwWorklistModel *self,
                                           guint            position);
/* G_MAXUINT when the exam is not shown (unknown, or filtered out). */
guint    rw_worklist_model_find           (RwWorklistModel *self,
                                           gint64           exam_id);

void     rw_worklist_model_set_status     (RwWorklistModel *self,
                                           int              status);
void     rw_worklist_model_set_modality   (RwWorklistModel *self,
                                           const char      *modality);
/* Study dates, "YYYY-MM-DD", inclusive; NULL leaves that end open. */
void     rw_worklist_model_set_date_range (RwWorklistModel *self,
                                           const char      *from,
                                           const char      *to);
/* Every word must appear in the patient's name or ID, the accession
 * number or the description, ignoring case and accents. */
void     rw_worklist_model_set_search     (RwWorklistModel *self,
                                           const char      *text);
void     rw_worklist_model_set_sort       (RwWorklistModel *self,
                                           RwWorklistSort   sort,
                                           gboolean         descending);
RwWorklistSort rw_worklist_model_get_sort (RwWorklistModel *self,
                                           gboolean        *descending);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwWorklistBatch, rw_worklist_batch_free)

G_END_DECLS
