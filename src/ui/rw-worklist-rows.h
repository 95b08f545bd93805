/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-exam.h"
#include "rw-worklist-model.h"

G_BEGIN_DECLS

/* The worklist model's rows: what filtering and sorting read, copied out
 * of each exam into one small struct, so that a pass over 100k rows
 * touches neither the RwExam objects nor scattered strings. Private to
 * RwWorklistModel; every function here may run on any thread, on rows
 * that no other thread changes meanwhile. */
typedef struct {
  RwExam  *exam;
  /* The key of the model's index by id; the server's id never changes. */
  gint64   id;
  gint64   received_at;
  /* The exam's search keys (rw_exam_dup_search_keys()), folded (lower
   * case, no accents) in one allocation:
   * "name\0patient id\0accession\0description\0referring\0". A search
   * scans the first `searched_len` bytes (name to description), the
   * '\0's keeping a word from matching across two fields. */
  char    *keys;
  guint32  patient_id_at;
  guint32  accession_at;
  guint32  description_at;
  guint32  referring_at;
  guint32  searched_len;
  /* Age in days, -1 when unknown. */
  int      age_days;
  guint8   status;
  guint8   priority;
  char     study_date[11];
  char     study_time[9];
  char     modality[17];
} RwWorklistRow;

/* What a row must match to be shown. */
typedef struct {
  int          status;       /* RW_WORKLIST_ANY_STATUS or an RwExamStatus */
  const char  *modality;     /* NULL: any */
  const char  *date_from;    /* "YYYY-MM-DD", inclusive; NULL: open */
  const char  *date_to;
  /* Folded words, each to be found in one of the searched fields; NULL
   * or empty: no search. */
  char       **words;
} RwWorklistFilter;

RwWorklistRow *rw_worklist_row_new      (RwExam               *exam);
/* Copies the exam's fields again, after the exam changed. */
void           rw_worklist_row_refresh  (RwWorklistRow        *row);
void           rw_worklist_row_free     (gpointer              row);
int            rw_worklist_row_compare  (const RwWorklistRow  *a,
                                         const RwWorklistRow  *b,
                                         RwWorklistSort        sort);
gboolean       rw_worklist_row_matches  (const RwWorklistRow  *row,
                                         const RwWorklistFilter *filter);

/* Indices of @rows (RwWorklistRow) in ascending order of @sort. */
guint         *rw_worklist_rows_sort    (GPtrArray            *rows,
                                         RwWorklistSort        sort);
/* Writes into @out (room for @n) the elements of @in, read backwards when
 * @backwards, whose rows match @filter; returns how many. @out may be @in
 * when not @backwards. */
guint          rw_worklist_rows_filter  (GPtrArray            *rows,
                                         const guint          *in,
                                         guint                 n,
                                         gboolean              backwards,
                                         const RwWorklistFilter *filter,
                                         guint                *out);

G_END_DECLS
