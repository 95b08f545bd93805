/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "rw-server-users.h"
#include "rw-sqlite.h"

G_BEGIN_DECLS

/* The exam object of docs/radiweb-api.md, read from the store. NULL with
 * RW_SERVER_ERROR_NOT_FOUND for an unknown id. */
JsonNode *rw_server_exams_load_json     (RwSqlite          *db,
                                         gint64             exam_id,
                                         GError           **error);
char     *rw_server_exams_event_frame   (RwSqlite          *db,
                                         const char        *event,
                                         gint64             exam_id,
                                         GError           **error);

/* Who holds an exam, for the checks before a claim or a save. */
typedef struct {
  char   *status;
  gint64  assigned_to;     /* 0: nobody */
  char   *assigned_name;
} RwServerExamState;

gboolean  rw_server_exams_load_state    (RwSqlite                 *db,
                                         gint64                    exam_id,
                                         RwServerExamState        *state,
                                         GError                  **error);
void      rw_server_exam_state_clear    (RwServerExamState        *state);
gboolean  rw_server_exams_check_writable (const RwServerExamState *state,
                                         const RwServerUser       *user,
                                         GError                  **error);
gboolean  rw_server_exams_set_assignment (RwSqlite                *db,
                                         gint64                    exam_id,
                                         const char               *status,
                                         gint64                    assigned_to,
                                         gint64                    now,
                                         GError                  **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RwServerExamState, rw_server_exam_state_clear)

/* Filters of GET /api/exams, as parsed from the query. */
typedef struct {
  char    **statuses;       /* NULL: any */
  char     *modality;
  char    **q_words;        /* folded words; each matches the start of a word */
  char     *from;           /* YYYY-MM-DD, inclusive */
  char     *to;             /* YYYY-MM-DD, inclusive */
  gint64    assigned_to;    /* 0: anyone */
  gint64    updated_since;  /* µs; 0: any */
  gint64    cursor;         /* id; 0: from the newest */
  gint64    limit;
} RwServerExamFilter;

void      rw_server_exam_filter_clear   (RwServerExamFilter *filter);
char     *rw_server_exams_list_sql      (const RwServerExamFilter *filter);
gboolean  rw_server_exams_bind_filter   (sqlite3_stmt       *stmt,
                                         const RwServerExamFilter *filter);

G_END_DECLS
