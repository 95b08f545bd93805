/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-sqlite.h"

G_BEGIN_DECLS

const RwSqliteMigration *rw_server_schema_get_migrations (guint *n_migrations);

/* The search index (exam_search) is brought up to date once per write
 * transaction, just before its commit: jobs only mark exams as stale.
 * FTS5 writes its pending index at every statement savepoint, so an index
 * row written by each webhook in turn would cost a flush each. */
gboolean rw_server_schema_prepare_writer     (RwSqlite  *db,
                                              GError   **error);
gboolean rw_server_schema_mark_exam_stale    (RwSqlite  *db,
                                              gint64     exam_id,
                                              GError   **error);
gboolean rw_server_schema_mark_patient_stale (RwSqlite  *db,
                                              gint64     patient_ref,
                                              GError   **error);
gboolean rw_server_schema_before_commit      (RwSqlite  *db,
                                              GError   **error);

G_END_DECLS
