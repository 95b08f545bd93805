/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rw-server-clock.h"
#include "rw-server-handlers.h"

/* The seed's dashboard_metrics.py and productivity_report.py, with the
 * seed's definitions: an exam counts on the day it reached Radiweb
 * (created_at, here received_at); "this week" is from seven days ago and
 * "this month" from thirty, both counted in whole local days; report time
 * is finalized_at minus the report's created_at. Days are the clinic's
 * ([server] timezone), not UTC's. */

/* Runs a count with up to three integer parameters (?1, ?2, ?3). */
static gboolean
count (RwSqlite    *db,
       const char  *sql,
       gint64       a,
       gint64       b,
       gint64       c,
       gint64      *out,
       GError     **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = rw_sqlite_prepare_cached (db, sql, error);
  const gint64 values[] = { a, b, c };
  gboolean has_row = FALSE;

  if (stmt == NULL)
    return FALSE;
  for (int i = 0; i < sqlite3_bind_parameter_count (stmt) && i < 3; i++)
    sqlite3_bind_int64 (stmt, i + 1, values[i]);
  if (!rw_sqlite_step_row (db, stmt, &has_row, error))
    return FALSE;
  *out = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

/* Adds [{"modality", "count"}] from rows of (modality, count), most first. */
static gboolean
add_by_modality (JsonBuilder   *builder,
                 const char    *member,
                 RwSqlite      *db,
                 sqlite3_stmt  *stmt,
                 GError       **error)
{
  gboolean has_row = FALSE;

  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (;;)
    {
      const char *modality;

      if (!rw_sqlite_step_row (db, stmt, &has_row, error))
        return FALSE;
      if (!has_row)
        break;
      modality = (const char *) sqlite3_column_text (stmt, 0);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "modality");
      if (modality != NULL)
        json_builder_add_string_value (builder, modality);
      else
        json_builder_add_null_value (builder);
      add_int (builder, "count", sqlite3_column_int64 (stmt, 1));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return TRUE;
}

/* Adds the average of (finalized_at - created_at) in @unit microseconds,
 * null when there is nothing to average, as Django's Avg gives None. */
static void
add_average (JsonBuilder  *builder,
             const char   *member,
             sqlite3_stmt *stmt,
             double        unit)
{
  json_builder_set_member_name (builder, member);
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, sqlite3_column_double (stmt, 0) / unit);
}

static gint64
local_day_start (GTimeZone   *tz,
                 const GDate *today,
                 int          days_back)
{
  GDate day = *today;

  if (days_back > 0)
    g_date_subtract_days (&day, (guint) days_back);
  else if (days_back < 0)
    g_date_add_days (&day, (guint) -days_back);
  return rw_server_clock_day_start (tz, &day);
}

static gboolean
dashboard_job (RwServerRequest  *req,
               RwSqlite         *db,
               GError          **error)
{
  GTimeZone *tz = rw_server_request_get_config (req)->timezone;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(RwSqliteCachedStmt) modalities = NULL;
  g_autoptr(RwSqliteCachedStmt) average = NULL;
  gint64 today_n, week_n, month_n, pending_n, completed_n;
  gboolean has_row = FALSE;
  GDate today;

  rw_server_clock_local_date (tz, req->now, &today);
  if (!count (db, "SELECT count(*) FROM exams WHERE received_at >= ? AND received_at < ?",
              local_day_start (tz, &today, 0), local_day_start (tz, &today, -1), 0, &today_n, error) ||
      !count (db, "SELECT count(*) FROM exams WHERE received_at >= ?",
              local_day_start (tz, &today, 7), 0, 0, &week_n, error) ||
      !count (db, "SELECT count(*) FROM exams WHERE received_at >= ?",
              local_day_start (tz, &today, 30), 0, 0, &month_n, error) ||
      !count (db, "SELECT count(*) FROM exams WHERE status = 'pending'", 0, 0, 0, &pending_n, error) ||
      !count (db, "SELECT count(*) FROM exams WHERE status = 'completed'", 0, 0, 0, &completed_n, error))
    return FALSE;

  json_builder_begin_object (builder);
  add_int (builder, "exams_today", today_n);
  add_int (builder, "exams_week", week_n);
  add_int (builder, "exams_month", month_n);
  add_int (builder, "pending_exams", pending_n);
  add_int (builder, "completed_exams", completed_n);

  modalities = rw_sqlite_prepare_cached (db,
                                         "SELECT modality, count(*) AS n FROM exams"
                                         " GROUP BY modality ORDER BY n DESC, modality",
                                         error);
  if (modalities == NULL || !add_by_modality (builder, "exams_by_modality", db, modalities, error))
    return FALSE;

  average = rw_sqlite_prepare_cached (db,
                                      "SELECT avg (finalized_at - created_at) FROM reports"
                                      " WHERE is_final AND finalized_at IS NOT NULL",
                                      error);
  if (average == NULL || !rw_sqlite_step_row (db, average, &has_row, error))
    return FALSE;
  add_average (builder, "avg_report_time_hours", average, 3600.0 * G_USEC_PER_SEC);
  json_builder_end_object (builder);

  rw_server_request_set_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
  return TRUE;
}

/* GET /api/metrics/dashboard */
void
rw_server_handle_dashboard (RwServerRequest *req)
{
  rw_server_request_read (req, dashboard_job, NULL);
}

/* Productivity ------------------------------------------------------ */

typedef struct {
  gint64 radiologist_id;
  GDate  start;
  GDate  end;
} Productivity;

static gboolean
productivity_job (RwServerRequest  *req,
                  RwSqlite         *db,
                  GError          **error)
{
  Productivity *p = req->data;
  GTimeZone *tz = rw_server_request_get_config (req)->timezone;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(RwSqliteCachedStmt) user = NULL;
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  g_autofree char *start_text = rw_server_clock_format_date (&p->start);
  g_autofree char *end_text = rw_server_clock_format_date (&p->end);
  gint64 from = rw_server_clock_day_start (tz, &p->start);
  gint64 to = local_day_start (tz, &p->end, -1);
  gboolean has_row = FALSE;
  gint64 total = 0;
  GDate day = { 0, };
  gint64 day_count = 0;

  user = rw_sqlite_prepare_cached (db, "SELECT " RW_SERVER_USER_COLUMNS ("u") " FROM users u WHERE u.id = ?", error);
  if (user == NULL)
    return FALSE;
  sqlite3_bind_int64 (user, 1, p->radiologist_id);
  if (!rw_sqlite_step_row (db, user, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_NOT_FOUND,
                   _("There is no user %lld"), (long long) p->radiologist_id);
      return FALSE;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "radiologist");
  rw_server_user_add_json_row (builder, user, 0);
  json_builder_set_member_name (builder, "start");
  json_builder_add_string_value (builder, start_text);
  json_builder_set_member_name (builder, "end");
  json_builder_add_string_value (builder, end_text);

  if (!count (db, "SELECT count(*) FROM reports WHERE is_final AND radiologist_id = ?3"
              " AND finalized_at >= ?1 AND finalized_at < ?2", from, to, p->radiologist_id, &total, error))
    return FALSE;
  add_int (builder, "total_reports", total);

  stmt = rw_sqlite_prepare_cached (db,
                                   "SELECT e.modality, count(*) AS n FROM reports r JOIN exams e ON e.id = r.exam_id"
                                   " WHERE r.is_final AND r.radiologist_id = ?3 AND r.finalized_at >= ?1 AND r.finalized_at < ?2"
                                   " GROUP BY e.modality ORDER BY n DESC, e.modality",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  sqlite3_bind_int64 (stmt, 3, p->radiologist_id);
  if (!add_by_modality (builder, "reports_by_modality", db, stmt, error))
    return FALSE;
  g_clear_pointer (&stmt, rw_sqlite_cached_stmt_release);

  stmt = rw_sqlite_prepare_cached (db,
                                   "SELECT avg (finalized_at - created_at) FROM reports"
                                   " WHERE is_final AND radiologist_id = ?3 AND finalized_at >= ?1 AND finalized_at < ?2",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  sqlite3_bind_int64 (stmt, 3, p->radiologist_id);
  if (!rw_sqlite_step_row (db, stmt, &has_row, error))
    return FALSE;
  add_average (builder, "avg_time_per_report_minutes", stmt, 60.0 * G_USEC_PER_SEC);
  g_clear_pointer (&stmt, rw_sqlite_cached_stmt_release);

  /* Local days cannot be computed in SQL; the rows come in time order, so
   * equal days are neighbours. */
  stmt = rw_sqlite_prepare_cached (db,
                                   "SELECT finalized_at FROM reports"
                                   " WHERE is_final AND radiologist_id = ?3 AND finalized_at >= ?1 AND finalized_at < ?2"
                                   " ORDER BY finalized_at",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  sqlite3_bind_int64 (stmt, 3, p->radiologist_id);
  json_builder_set_member_name (builder, "reports_by_day");
  json_builder_begin_array (builder);
  for (;;)
    {
      GDate row_day;

      if (!rw_sqlite_step_row (db, stmt, &has_row, error))
        return FALSE;
      if (has_row)
        rw_server_clock_local_date (tz, sqlite3_column_int64 (stmt, 0), &row_day);
      if (day_count > 0 && (!has_row || g_date_compare (&row_day, &day) != 0))
        {
          g_autofree char *text = rw_server_clock_format_date (&day);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "day");
          json_builder_add_string_value (builder, text);
          add_int (builder, "count", day_count);
          json_builder_end_object (builder);
          day_count = 0;
        }
      if (!has_row)
        break;
      day = row_day;
      day_count++;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  rw_server_request_set_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
  return TRUE;
}

/* GET /api/metrics/productivity?radiologist_id=&start=&end=: the reports
 * a radiologist finalized on local days start..end (both included; the
 * last 30 days by default). A radiologist sees their own; an admin anyone's. */
void
rw_server_handle_productivity (RwServerRequest *req)
{
  GTimeZone *tz = rw_server_request_get_config (req)->timezone;
  const char *start = rw_server_request_get_query (req, "start");
  const char *end = rw_server_request_get_query (req, "end");
  g_autoptr(GError) error = NULL;
  Productivity *p = g_new0 (Productivity, 1);
  gint64 id = 0;

  req->data = p;
  req->data_free = g_free;
  if (!rw_server_request_get_query_int (req, "radiologist_id", 1, G_MAXINT64, 0, &id, &error))
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  if (id == 0 && !rw_server_user_is_radiologist (req->user))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("Say whose productivity: “radiologist_id”"));
      return;
    }
  if (id == 0)
    id = req->user->id;
  if (id != req->user->id && !rw_server_user_is_admin (req->user))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_FORBIDDEN,
                                             _("Only an administrator may see another radiologist's productivity"));
      return;
    }
  p->radiologist_id = id;

  if (end != NULL && !rw_server_clock_parse_date (end, &p->end))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("“end” must be a date, as in 2024-01-31"));
      return;
    }
  if (end == NULL)
    rw_server_clock_local_date (tz, req->now, &p->end);
  if (start != NULL && !rw_server_clock_parse_date (start, &p->start))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("“start” must be a date, as in 2024-01-01"));
      return;
    }
  if (start == NULL)
    {
      p->start = p->end;
      g_date_subtract_days (&p->start, 30);
    }
  if (g_date_compare (&p->start, &p->end) > 0)
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("“start” is after “end”"));
      return;
    }
  rw_server_request_read (req, productivity_job, NULL);
}
