/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "rw-json.h"
#include "rw-server-audit.h"
#include "rw-server-body.h"
#include "rw-server-clock.h"
#include "rw-server-handlers.h"

gboolean
rw_server_audit_record (RwSqlite         *db,
                        RwServerRequest  *req,
                        const char       *action,
                        const char       *resource_type,
                        const char       *resource_id,
                        const char       *detail,
                        GError          **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  stmt = rw_sqlite_prepare_cached (db,
                                   "INSERT INTO audit (at, user_id, username, action, resource_type,"
                                   " resource_id, remote_address, user_agent, detail)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, req->now);
  if (req->user != NULL)
    {
      sqlite3_bind_int64 (stmt, 2, req->user->id);
      sqlite3_bind_text (stmt, 3, req->user->username, -1, SQLITE_TRANSIENT);
    }
  sqlite3_bind_text (stmt, 4, action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, resource_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, req->remote_address, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, req->user_agent, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, detail, -1, SQLITE_TRANSIENT);
  return rw_sqlite_step_done (db, stmt, error);
}

gboolean
rw_server_audit_record_exam (RwSqlite         *db,
                             RwServerRequest  *req,
                             const char       *action,
                             gint64            exam_id,
                             const char       *detail,
                             GError          **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, exam_id);

  return rw_server_audit_record (db, req, action, "exam", id, detail, error);
}

/* GET /api/audit ------------------------------------------------------ */

typedef struct {
  const char *user;
  const char *action;
  gint64      from;      /* µs, inclusive; G_MININT64 when open */
  gint64      to;        /* µs, exclusive; G_MAXINT64 when open */
  gint64      before;    /* id, exclusive; 0 when open */
  gint64      limit;
} AuditQuery;

/* "from"/"to" take an instant (2024-01-01T10:30:00Z) or a day
 * (2024-01-01), a day meaning the whole local day. */
static gboolean
parse_bound (RwServerRequest  *req,
             const char       *name,
             gboolean          end,
             gint64           *out,
             GError          **error)
{
  const char *value = rw_server_request_get_query (req, name);
  GTimeZone *tz = rw_server_request_get_config (req)->timezone;
  GDate date;

  if (value == NULL)
    return TRUE;
  if (rw_server_clock_parse_date (value, &date))
    {
      if (end)
        g_date_add_days (&date, 1);
      *out = rw_server_clock_day_start (tz, &date);
      return TRUE;
    }
  if (rw_server_clock_parse (value, out))
    {
      if (end)
        *out += 1;
      return TRUE;
    }
  g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
               _("“%s” must be a date (2024-01-31) or a time with a zone (2024-01-31T10:30:00Z)"), name);
  return FALSE;
}

static gboolean
audit_list_job (RwServerRequest  *req,
                RwSqlite         *db,
                GError          **error)
{
  AuditQuery *q = req->data;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;
  int n = 0;

  g_string_append (sql,
                   "SELECT a.id, a.at, a.username, a.action, a.resource_type, a.resource_id,"
                   " a.remote_address, a.user_agent, a.detail, " RW_SERVER_USER_COLUMNS ("u")
                   " FROM audit a LEFT JOIN users u ON u.id = a.user_id"
                   " WHERE a.at >= ?1 AND a.at < ?2");
  if (q->user != NULL)
    g_string_append (sql, " AND a.username = ?3");
  if (q->action != NULL)
    g_string_append (sql, " AND a.action = ?4");
  if (q->before > 0)
    g_string_append (sql, " AND a.id < ?5");
  g_string_append (sql, " ORDER BY a.id DESC LIMIT ?6");

  stmt = rw_sqlite_prepare (db, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, q->from);
  sqlite3_bind_int64 (stmt, 2, q->to);
  sqlite3_bind_text (stmt, 3, q->user, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, q->action, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, q->before);
  sqlite3_bind_int64 (stmt, 6, q->limit);

  json_builder_begin_array (builder);
  for (;; n++)
    {
      if (!rw_sqlite_step_row (db, stmt, &has_row, error))
        return FALSE;
      if (!has_row)
        break;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
      rw_server_json_add_column (builder, "timestamp", stmt, 1, RW_SERVER_COLUMN_TIME);
      json_builder_set_member_name (builder, "user");
      rw_server_user_add_json_row (builder, stmt, 9);
      rw_server_json_add_column (builder, "username", stmt, 2, RW_SERVER_COLUMN_TEXT);
      rw_server_json_add_column (builder, "action", stmt, 3, RW_SERVER_COLUMN_TEXT);
      rw_server_json_add_column (builder, "resource_type", stmt, 4, RW_SERVER_COLUMN_TEXT);
      rw_server_json_add_column (builder, "resource_id", stmt, 5, RW_SERVER_COLUMN_TEXT);
      rw_server_json_add_column (builder, "ip_address", stmt, 6, RW_SERVER_COLUMN_TEXT);
      rw_server_json_add_column (builder, "user_agent", stmt, 7, RW_SERVER_COLUMN_TEXT);
      rw_server_json_add_column (builder, "detail", stmt, 8, RW_SERVER_COLUMN_TEXT);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  rw_server_request_set_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
  return TRUE;
}

/* GET /api/audit?user=&action=&from=&to=&limit=&before= (admin): the
 * newest entries first; "before" is the id of the last entry seen, for the
 * next page. */
void
rw_server_handle_audit_list (RwServerRequest *req)
{
  g_autoptr(GError) error = NULL;
  AuditQuery *q = g_new0 (AuditQuery, 1);

  req->data = q;
  req->data_free = g_free;
  q->user = rw_server_request_get_query (req, "user");
  q->action = rw_server_request_get_query (req, "action");
  q->from = G_MININT64;
  q->to = G_MAXINT64;
  if (!parse_bound (req, "from", FALSE, &q->from, &error) ||
      !parse_bound (req, "to", TRUE, &q->to, &error) ||
      !rw_server_request_get_query_int (req, "before", 1, G_MAXINT64, 0, &q->before, &error) ||
      !rw_server_request_get_query_int (req, "limit", 1, 1000, 100, &q->limit, &error))
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  rw_server_request_read (req, audit_list_job, NULL);
}

/* POST /api/audit/export -------------------------------------------- */

typedef struct {
  gint64  exam_id;
  char   *format;
} ExportRecord;

static void
export_record_free (gpointer data)
{
  ExportRecord *record = data;

  g_free (record->format);
  g_free (record);
}

static gboolean
audit_export_job (RwServerRequest  *req,
                  RwSqlite         *db,
                  GError          **error)
{
  ExportRecord *record = req->data;
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_query_id (db, "SELECT 1 FROM exams WHERE id = ?", record->exam_id, &has_row, error);
  if (stmt == NULL)
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_NOT_FOUND,
                   _("There is no exam %lld"), (long long) record->exam_id);
      return FALSE;
    }
  if (!rw_server_audit_record_exam (db, req, RW_AUDIT_EXPORT, record->exam_id, record->format, error))
    return FALSE;
  rw_server_request_set_json (req, SOUP_STATUS_OK, rw_server_json_success ());
  return TRUE;
}

/* The desktop client exports (prints a laudo to PDF, saves the images)
 * on its own side; it records each export here so the trail is complete.
 * Body {"exam_id": N, "format": "pdf"}. */
void
rw_server_handle_audit_export (RwServerRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = rw_server_body_parse_json (req, &error);
  ExportRecord *record;
  const char *format = NULL;
  gint64 exam_id = 0;

  if (body == NULL ||
      !rw_json_get_int (body, "exam_id", RW_JSON_REQUIRED, &exam_id, &error) ||
      !rw_json_get_string (body, "format", RW_JSON_REQUIRED, &format, &error))
    {
      rw_server_request_reply_invalid (req, error);
      return;
    }
  if (exam_id <= 0 || format[0] == '\0' || strlen (format) > 32)
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("An export needs a positive “exam_id” and a short “format”, as in {\"exam_id\": 1, \"format\": \"pdf\"}"));
      return;
    }
  record = g_new0 (ExportRecord, 1);
  record->exam_id = exam_id;
  record->format = g_strdup (format);
  req->data = record;
  req->data_free = export_record_free;
  rw_server_request_write (req, audit_export_job, NULL);
}
