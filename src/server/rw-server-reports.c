/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rw-server-audit.h"
#include "rw-server-body.h"
#include "rw-server-exams.h"
#include "rw-server-handlers.h"
#include "rw-server-reports.h"

/* Laudos: drafts saved with optimistic versions, a final version signed by
 * a radiologist and frozen (the schema's trigger refuses any change to a
 * final row), and addenda after that. */

/* A section of a laudo is free text; this bounds a runaway paste, not a
 * real report. */
#define MAX_SECTION_LENGTH (100 * 1000)

static gboolean
build_addenda (RwSqlite     *db,
               JsonBuilder  *builder,
               gint64        exam_id,
               GError      **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare_cached (db,
                                   "SELECT d.text, d.created_at, " RW_SERVER_USER_COLUMNS ("u")
                                   " FROM addenda d LEFT JOIN users u ON u.id = d.author_id"
                                   " WHERE d.exam_id = ? ORDER BY d.id",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, exam_id);
  json_builder_set_member_name (builder, "addenda");
  json_builder_begin_array (builder);
  for (;;)
    {
      if (!rw_sqlite_step_row (db, stmt, &has_row, error))
        return FALSE;
      if (!has_row)
        break;
      json_builder_begin_object (builder);
      rw_server_json_add_column (builder, "text", stmt, 0, RW_SERVER_COLUMN_TEXT);
      json_builder_set_member_name (builder, "author");
      rw_server_user_add_json_row (builder, stmt, 2);
      rw_server_json_add_column (builder, "created_at", stmt, 1, RW_SERVER_COLUMN_TIME);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return TRUE;
}

JsonNode *
rw_server_reports_load_json (RwSqlite  *db,
                             gint64     exam_id,
                             GError   **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_query_id (db, "SELECT r.exam_id, r.technique, r.findings, r.conclusion, r.is_final,"
                             " r.version, r.created_at, r.updated_at, r.finalized_at, "
                             RW_SERVER_USER_COLUMNS ("u")
                             " FROM reports r LEFT JOIN users u ON u.id = r.radiologist_id"
                             " WHERE r.exam_id = ?",
                             exam_id, &has_row, error);
  if (stmt == NULL)
    return NULL;
  if (!has_row)
    return json_node_init_null (json_node_alloc ());

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "exam_id");
  json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
  rw_server_json_add_column (builder, "technique", stmt, 1, RW_SERVER_COLUMN_TEXT);
  rw_server_json_add_column (builder, "findings", stmt, 2, RW_SERVER_COLUMN_TEXT);
  rw_server_json_add_column (builder, "conclusion", stmt, 3, RW_SERVER_COLUMN_TEXT);
  json_builder_set_member_name (builder, "is_final");
  json_builder_add_boolean_value (builder, sqlite3_column_int (stmt, 4) != 0);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 5));
  json_builder_set_member_name (builder, "radiologist");
  rw_server_user_add_json_row (builder, stmt, 9);
  rw_server_json_add_column (builder, "created_at", stmt, 6, RW_SERVER_COLUMN_TIME);
  rw_server_json_add_column (builder, "updated_at", stmt, 7, RW_SERVER_COLUMN_TIME);
  rw_server_json_add_column (builder, "finalized_at", stmt, 8, RW_SERVER_COLUMN_TIME);
  g_clear_pointer (&stmt, rw_sqlite_cached_stmt_release);
  if (!build_addenda (db, builder, exam_id, error))
    return NULL;
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* GET /api/reports/{id} ----------------------------------------------- */

static gboolean
get_job (RwServerRequest  *req,
         RwSqlite         *db,
         GError          **error)
{
  g_auto(RwServerExamState) state = { 0, };
  JsonNode *report;

  if (!rw_server_exams_load_state (db, req->id, &state, error))
    return FALSE;
  report = rw_server_reports_load_json (db, req->id, error);
  if (report == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (report))
    {
      json_node_unref (report);
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_NOT_FOUND,
                   _("Exam %lld has no report yet"), (long long) req->id);
      return FALSE;
    }
  if (!rw_server_audit_record_exam (db, req, RW_AUDIT_READ_REPORT, req->id, NULL, error))
    {
      json_node_unref (report);
      return FALSE;
    }
  rw_server_request_set_json (req, SOUP_STATUS_OK, report);
  return TRUE;
}

/* GET /api/reports/{exam_id}: audited, so it runs as a write. */
void
rw_server_handle_report_get (RwServerRequest *req)
{
  rw_server_request_write (req, get_job, NULL);
}

/* Save and finalize ------------------------------------------------- */

typedef struct {
  GHashTable *fields;
  const char *technique;
  const char *findings;
  const char *conclusion;
  gboolean    has_version;
  gint64      version;
  gboolean    finalize;
} ReportEdit;

static void
report_edit_free (gpointer data)
{
  ReportEdit *edit = data;

  g_clear_pointer (&edit->fields, g_hash_table_unref);
  g_free (edit);
}

typedef struct {
  gboolean  exists;
  gboolean  is_final;
  gint64    version;
  char     *conclusion;
} StoredReport;

static gboolean
load_stored (RwSqlite      *db,
             gint64         exam_id,
             StoredReport  *stored,
             GError       **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_query_id (db, "SELECT is_final, version, conclusion FROM reports WHERE exam_id = ?",
                             exam_id, &has_row, error);
  if (stmt == NULL)
    return FALSE;
  stored->exists = has_row;
  if (has_row)
    {
      stored->is_final = sqlite3_column_int (stmt, 0) != 0;
      stored->version = sqlite3_column_int64 (stmt, 1);
      stored->conclusion = rw_sqlite_column_dup (stmt, 2);
    }
  return TRUE;
}

/* A 409 that carries the stored report, so the client can show what is
 * there now and let the radiologist merge. */
static gboolean
conflict_with_stored (RwServerRequest  *req,
                      RwSqlite         *db,
                      GError          **error,
                      const char       *message)
{
  JsonNode *report = rw_server_reports_load_json (db, req->id, error);

  if (report == NULL)
    return FALSE;
  rw_server_request_set_error_detail (req, "report", report);
  g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFLICT, message);
  return FALSE;
}

static gboolean
write_report (RwServerRequest     *req,
              RwSqlite            *db,
              ReportEdit          *edit,
              const StoredReport  *stored,
              GError             **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  if (stored->exists)
    stmt = rw_sqlite_prepare_cached (db,
                                     "UPDATE reports SET technique = coalesce (?1, technique),"
                                     " findings = coalesce (?2, findings), conclusion = coalesce (?3, conclusion),"
                                     " radiologist_id = ?4, updated_at = ?5, version = version + 1,"
                                     " is_final = ?6, finalized_at = CASE WHEN ?6 THEN ?5 END"
                                     " WHERE exam_id = ?7",
                                     error);
  else
    stmt = rw_sqlite_prepare_cached (db,
                                     "INSERT INTO reports (technique, findings, conclusion, radiologist_id,"
                                     " updated_at, is_final, finalized_at, exam_id, created_at, version)"
                                     " VALUES (coalesce (?1, ''), coalesce (?2, ''), coalesce (?3, ''), ?4,"
                                     " ?5, ?6, CASE WHEN ?6 THEN ?5 END, ?7, ?5, 1)",
                                     error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, edit->technique, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, edit->findings, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, edit->conclusion, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, req->user->id);
  sqlite3_bind_int64 (stmt, 5, req->now);
  sqlite3_bind_int (stmt, 6, edit->finalize ? 1 : 0);
  sqlite3_bind_int64 (stmt, 7, req->id);
  return rw_sqlite_step_done (db, stmt, error);
}

static gboolean
edit_job (RwServerRequest  *req,
          RwSqlite         *db,
          GError          **error)
{
  ReportEdit *edit = req->data;
  g_auto(RwServerExamState) state = { 0, };
  StoredReport stored = { 0, };
  g_autofree char *stored_conclusion = NULL;
  g_autofree char *conclusion = NULL;
  JsonNode *report;
  char *frame;
  gint64 expected;

  if (!rw_server_exams_load_state (db, req->id, &state, error) ||
      !load_stored (db, req->id, &stored, error))
    return FALSE;
  stored_conclusion = stored.conclusion;

  if (stored.is_final)
    return conflict_with_stored (req, db, error, _("The laudo is final and can no longer change; add an addendum instead"));
  if (!rw_server_exams_check_writable (&state, req->user, error))
    return FALSE;
  expected = stored.exists ? stored.version : 0;
  if (edit->has_version && edit->version != expected)
    {
      g_autofree char *message = g_strdup_printf (_("The report was changed elsewhere (it is now at version %lld, this edit was based on version %lld); reload it and save again"),
                                                  (long long) expected, (long long) edit->version);
      return conflict_with_stored (req, db, error, message);
    }

  if (edit->finalize)
    {
      conclusion = g_strdup (edit->conclusion != NULL ? edit->conclusion : stored_conclusion);
      if (conclusion == NULL || g_strstrip (conclusion)[0] == '\0')
        {
          g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                               _("A laudo cannot be finalized without a conclusion"));
          return FALSE;
        }
    }

  /* Saving takes a pending exam for the caller, as a claim would. */
  if (!write_report (req, db, edit, &stored, error) ||
      !rw_server_exams_set_assignment (db, req->id, edit->finalize ? "completed" : "in_progress",
                                       req->user->id, req->now, error) ||
      !rw_server_audit_record_exam (db, req, edit->finalize ? RW_AUDIT_FINALIZE_REPORT : RW_AUDIT_SAVE_REPORT,
                                    req->id, NULL, error))
    return FALSE;

  frame = rw_server_exams_event_frame (db, edit->finalize ? "report_finalized" : "report_saved", req->id, error);
  if (frame == NULL)
    return FALSE;
  rw_server_request_add_event (req, frame);
  report = rw_server_reports_load_json (db, req->id, error);
  if (report == NULL)
    return FALSE;
  rw_server_request_set_json (req, SOUP_STATUS_OK,
                              rw_server_json_object ("success", json_node_init_boolean (json_node_alloc (), TRUE),
                                                     "report", report,
                                                     NULL));
  return TRUE;
}

static void
start_edit (RwServerRequest *req,
            gboolean         finalize)
{
  g_autoptr(GError) error = NULL;
  ReportEdit *edit;

  if (!rw_server_user_is_radiologist (req->user))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_FORBIDDEN,
                                             _("Only a radiologist may write or sign a laudo"));
      return;
    }

  edit = g_new0 (ReportEdit, 1);
  edit->finalize = finalize;
  req->data = edit;
  req->data_free = report_edit_free;
  edit->fields = rw_server_body_parse_fields (req, &error);
  if (edit->fields == NULL ||
      !rw_server_body_get_text (edit->fields, "technique", MAX_SECTION_LENGTH, &edit->technique, &error) ||
      !rw_server_body_get_text (edit->fields, "findings", MAX_SECTION_LENGTH, &edit->findings, &error) ||
      !rw_server_body_get_text (edit->fields, "conclusion", MAX_SECTION_LENGTH, &edit->conclusion, &error) ||
      !rw_server_body_get_int (edit->fields, "version", 0, G_MAXINT32, &edit->has_version, &edit->version, &error))
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  rw_server_request_write (req, edit_job, NULL);
}

/* POST /api/reports/{id}/save: technique, findings, conclusion, optional
 * version → {"success": true, "report": …}. */
void
rw_server_handle_report_save (RwServerRequest *req)
{
  start_edit (req, FALSE);
}

/* POST /api/reports/{id}/finalize: the same fields, saved then signed. */
void
rw_server_handle_report_finalize (RwServerRequest *req)
{
  start_edit (req, TRUE);
}

/* Addenda ------------------------------------------------------------- */

static gboolean
addendum_job (RwServerRequest  *req,
              RwSqlite         *db,
              GError          **error)
{
  const char *text = req->data;
  g_auto(RwServerExamState) state = { 0, };
  StoredReport stored = { 0, };
  g_autofree char *stored_conclusion = NULL;
  g_autoptr(RwSqliteCachedStmt) insert = NULL;
  g_autoptr(RwSqliteCachedStmt) touch = NULL;
  JsonNode *report;
  char *frame;

  if (!rw_server_exams_load_state (db, req->id, &state, error) ||
      !load_stored (db, req->id, &stored, error))
    return FALSE;
  stored_conclusion = stored.conclusion;
  if (!stored.is_final)
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFLICT,
                           _("An addendum can only be added to a final laudo; edit the draft instead"));
      return FALSE;
    }

  insert = rw_sqlite_prepare_cached (db, "INSERT INTO addenda (exam_id, text, author_id, created_at) VALUES (?, ?, ?, ?)", error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_int64 (insert, 1, req->id);
  sqlite3_bind_text (insert, 2, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 3, req->user->id);
  sqlite3_bind_int64 (insert, 4, req->now);
  if (!rw_sqlite_step_done (db, insert, error))
    return FALSE;
  touch = rw_sqlite_prepare_cached (db, "UPDATE exams SET updated_at = ? WHERE id = ?", error);
  if (touch == NULL)
    return FALSE;
  sqlite3_bind_int64 (touch, 1, req->now);
  sqlite3_bind_int64 (touch, 2, req->id);
  if (!rw_sqlite_step_done (db, touch, error) ||
      !rw_server_audit_record_exam (db, req, RW_AUDIT_ADD_ADDENDUM, req->id, NULL, error))
    return FALSE;

  frame = rw_server_exams_event_frame (db, "exam_updated", req->id, error);
  if (frame == NULL)
    return FALSE;
  rw_server_request_add_event (req, frame);
  report = rw_server_reports_load_json (db, req->id, error);
  if (report == NULL)
    return FALSE;
  rw_server_request_set_json (req, SOUP_STATUS_OK,
                              rw_server_json_object ("success", json_node_init_boolean (json_node_alloc (), TRUE),
                                                     "report", report,
                                                     NULL));
  return TRUE;
}

/* POST /api/reports/{id}/addendum {"text"}: only on a final laudo. */
void
rw_server_handle_report_addendum (RwServerRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autofree char *text = NULL;
  const char *value = NULL;

  if (!rw_server_user_is_radiologist (req->user))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_FORBIDDEN,
                                             _("Only a radiologist may add an addendum to a laudo"));
      return;
    }
  fields = rw_server_body_parse_fields (req, &error);
  if (fields == NULL ||
      !rw_server_body_get_text (fields, "text", MAX_SECTION_LENGTH, &value, &error))
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  text = g_strstrip (g_strdup (value != NULL ? value : ""));
  if (text[0] == '\0')
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("An addendum needs a “text”"));
      return;
    }
  req->data = g_steal_pointer (&text);
  req->data_free = g_free;
  rw_server_request_write (req, addendum_job, NULL);
}
