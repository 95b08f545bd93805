/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-json.h"
#include "rw-server-audit.h"
#include "rw-server-body.h"
#include "rw-server-clock.h"
#include "rw-server-exams.h"
#include "rw-server-handlers.h"
#include "rw-server-reports.h"
#include "rw-text.h"

/* The columns of an exam object (see exam_members). */
#define EXAM_COLUMNS \
  "e.id, e.study_uid, e.orthanc_id, e.accession_number, e.study_date, e.study_time," \
  " e.description, e.referring_physician, e.modality, e.series_count, e.instance_count," \
  " e.status, e.priority, e.assigned_to, e.stone_viewer_url, e.received_at, e.updated_at," \
  " p.patient_id, p.name, p.birth_date, p.sex, p.age, a.display_name"
#define EXAM_N_COLUMNS 23
#define EXAM_FROM \
  " FROM exams e JOIN patients p ON p.id = e.patient_ref LEFT JOIN users a ON a.id = e.assigned_to"

typedef struct {
  const char     *name;
  int             column;
  RwServerColumn  kind;
} Member;

/* The members of an exam object and their columns, in the order of
 * docs/radiweb-api.md. Both ways of writing an exam (a JsonBuilder for the
 * answers, plain text for the /api/events frames) read them from here. */
static const Member exam_members[] = {
  { "id",                  0,  RW_SERVER_COLUMN_INT },
  { "study_uid",           1,  RW_SERVER_COLUMN_TEXT },
  { "orthanc_id",          2,  RW_SERVER_COLUMN_TEXT },
  { "accession_number",    3,  RW_SERVER_COLUMN_TEXT },
  { "study_date",          4,  RW_SERVER_COLUMN_TEXT },
  { "study_time",          5,  RW_SERVER_COLUMN_TEXT },
  { "description",         6,  RW_SERVER_COLUMN_TEXT },
  { "referring_physician", 7,  RW_SERVER_COLUMN_TEXT },
  { "modality",            8,  RW_SERVER_COLUMN_TEXT },
  { "series_count",        9,  RW_SERVER_COLUMN_INT },
  { "instance_count",      10, RW_SERVER_COLUMN_INT },
  { "status",              11, RW_SERVER_COLUMN_TEXT },
  { "priority",            12, RW_SERVER_COLUMN_TEXT },
  { "assigned_to",         13, RW_SERVER_COLUMN_INT },
  { "assigned_to_name",    22, RW_SERVER_COLUMN_TEXT },
  { "stone_viewer_url",    14, RW_SERVER_COLUMN_TEXT },
  { "received_at",         15, RW_SERVER_COLUMN_TIME },
  { "updated_at",          16, RW_SERVER_COLUMN_TIME },
};

/* The members of its "patient" object. */
static const Member patient_members[] = {
  { "patient_id",          17, RW_SERVER_COLUMN_TEXT },
  { "name",                18, RW_SERVER_COLUMN_TEXT },
  { "birth_date",          19, RW_SERVER_COLUMN_TEXT },
  { "sex",                 20, RW_SERVER_COLUMN_TEXT },
  { "age",                 21, RW_SERVER_COLUMN_TEXT },
};

/* Adds the members of one exam (without the braces, so callers can add
 * their own members: report, priors, report_status). */
static void
build_exam_members (JsonBuilder  *builder,
                    sqlite3_stmt *stmt)
{
  for (guint i = 0; i < G_N_ELEMENTS (exam_members); i++)
    rw_server_json_add_column (builder, exam_members[i].name, stmt, exam_members[i].column, exam_members[i].kind);
  json_builder_set_member_name (builder, "patient");
  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (patient_members); i++)
    rw_server_json_add_column (builder, patient_members[i].name, stmt, patient_members[i].column,
                               patient_members[i].kind);
  json_builder_end_object (builder);
}

static void
build_exam (JsonBuilder  *builder,
            sqlite3_stmt *stmt)
{
  json_builder_begin_object (builder);
  build_exam_members (builder, stmt);
  json_builder_end_object (builder);
}

static void
append_members (GString      *out,
                const Member *members,
                guint         n_members,
                sqlite3_stmt *stmt)
{
  for (guint i = 0; i < n_members; i++)
    {
      const Member *member = &members[i];
      g_autofree char *time = NULL;

      if (i > 0)
        g_string_append_c (out, ',');
      rw_server_json_append_string (out, member->name);
      g_string_append_c (out, ':');
      if (sqlite3_column_type (stmt, member->column) == SQLITE_NULL)
        g_string_append (out, "null");
      else if (member->kind == RW_SERVER_COLUMN_INT)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, member->column));
      else if (member->kind == RW_SERVER_COLUMN_TEXT)
        rw_server_json_append_string (out, (const char *) sqlite3_column_text (stmt, member->column));
      else
        {
          time = rw_server_clock_format (sqlite3_column_int64 (stmt, member->column));
          rw_server_json_append_string (out, time);
        }
    }
}

/* The exam object as JSON text, without building nodes: the frame of each
 * webhook is written on the writer thread, whose time every write
 * shares. */
static void
append_exam (GString      *out,
             sqlite3_stmt *stmt)
{
  g_string_append_c (out, '{');
  append_members (out, exam_members, G_N_ELEMENTS (exam_members), stmt);
  g_string_append (out, ",\"patient\":{");
  append_members (out, patient_members, G_N_ELEMENTS (patient_members), stmt);
  g_string_append (out, "}}");
}

static gboolean
not_found (gint64   exam_id,
           GError **error)
{
  g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_NOT_FOUND,
               _("There is no exam %lld"), (long long) exam_id);
  return FALSE;
}

JsonNode *
rw_server_exams_load_json (RwSqlite  *db,
                           gint64     exam_id,
                           GError   **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_query_id (db, "SELECT " EXAM_COLUMNS EXAM_FROM " WHERE e.id = ?",
                             exam_id, &has_row, error);
  if (stmt == NULL)
    return NULL;
  if (!has_row)
    {
      not_found (exam_id, error);
      return NULL;
    }
  builder = json_builder_new_immutable ();
  build_exam (builder, stmt);
  return json_builder_get_root (builder);
}

/* The /api/events frame that reports @event about exam @exam_id, as sent:
 * {"event": …, "exam_id": …, "exam": {the exam as it now is}}. */
char *
rw_server_exams_event_frame (RwSqlite    *db,
                             const char  *event,
                             gint64       exam_id,
                             GError     **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;
  GString *frame;

  stmt = rw_sqlite_query_id (db, "SELECT " EXAM_COLUMNS EXAM_FROM " WHERE e.id = ?",
                             exam_id, &has_row, error);
  if (stmt == NULL)
    return NULL;
  if (!has_row)
    {
      not_found (exam_id, error);
      return NULL;
    }
  frame = g_string_sized_new (1024);
  g_string_append (frame, "{\"event\":");
  rw_server_json_append_string (frame, event);
  g_string_append_printf (frame, ",\"exam_id\":%" G_GINT64_FORMAT ",\"exam\":", exam_id);
  append_exam (frame, stmt);
  g_string_append_c (frame, '}');
  return g_string_free (frame, FALSE);
}

/* Listing ------------------------------------------------------------- */

void
rw_server_exam_filter_clear (RwServerExamFilter *filter)
{
  g_clear_pointer (&filter->statuses, g_strfreev);
  g_clear_pointer (&filter->modality, g_free);
  g_clear_pointer (&filter->q_words, g_strfreev);
  g_clear_pointer (&filter->from, g_free);
  g_clear_pointer (&filter->to, g_free);
}

static void
filter_free (gpointer data)
{
  rw_server_exam_filter_clear (data);
  g_free (data);
}

/* The SQL of one page; every filter is a bound parameter (:name). Each
 * filter has an index, and the order is the rowid's, so SQLite can walk an
 * index backwards and stop after :limit rows. The text search goes through
 * the full-text index of exam_search, each word of the query matching the
 * beginning of a word of the exam. */
char *
rw_server_exams_list_sql (const RwServerExamFilter *filter)
{
  GString *sql = g_string_new ("SELECT " EXAM_COLUMNS " FROM exams e");

  /* A catch-up after a reconnection asks for the few exams changed since a
   * recent time, and a date filter for a day or a week of studies. Without
   * statistics SQLite would rather walk the whole table in id order (and
   * find nothing for a while) than sort those few rows, so it is told. */
  if (filter->updated_since > 0)
    g_string_append (sql, " INDEXED BY exams_updated");
  else if (filter->from != NULL || filter->to != NULL)
    g_string_append (sql, " INDEXED BY exams_study_date");
  g_string_append (sql, " JOIN patients p ON p.id = e.patient_ref LEFT JOIN users a ON a.id = e.assigned_to"
                        " WHERE 1");

  if (filter->statuses != NULL)
    {
      g_string_append (sql, " AND e.status IN (");
      for (guint i = 0; filter->statuses[i] != NULL; i++)
        g_string_append_printf (sql, "%s:s%u", i > 0 ? ", " : "", i);
      g_string_append (sql, ")");
    }
  if (filter->modality != NULL)
    g_string_append (sql, " AND e.modality = :modality");
  if (filter->q_words != NULL && filter->q_words[0] == NULL)
    g_string_append (sql, " AND 0");
  else if (filter->q_words != NULL)
    g_string_append (sql, " AND e.id IN (SELECT rowid FROM exam_search WHERE exam_search MATCH :match)");
  if (filter->from != NULL)
    g_string_append (sql, " AND e.study_date >= :from");
  if (filter->to != NULL)
    g_string_append (sql, " AND e.study_date <= :to");
  if (filter->assigned_to > 0)
    g_string_append (sql, " AND e.assigned_to = :assigned");
  if (filter->updated_since > 0)
    g_string_append (sql, " AND e.updated_at >= :updated_since");
  if (filter->cursor > 0)
    g_string_append (sql, " AND e.id < :cursor");
  g_string_append (sql, " ORDER BY e.id DESC LIMIT :limit");
  return g_string_free (sql, FALSE);
}

static void
bind_text (sqlite3_stmt *stmt,
           const char   *name,
           const char   *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  g_assert (index > 0);
  sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT);
}

static void
bind_int (sqlite3_stmt *stmt,
          const char   *name,
          gint64        value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  g_assert (index > 0);
  sqlite3_bind_int64 (stmt, index, value);
}

/* Binds what rw_server_exams_list_sql() asked for; the limit is one more
 * than the page, to learn whether another page follows. */
gboolean
rw_server_exams_bind_filter (sqlite3_stmt             *stmt,
                             const RwServerExamFilter *filter)
{
  for (guint i = 0; filter->statuses != NULL && filter->statuses[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf (":s%u", i);
      bind_text (stmt, name, filter->statuses[i]);
    }
  if (filter->modality != NULL)
    bind_text (stmt, ":modality", filter->modality);
  if (filter->q_words != NULL && filter->q_words[0] != NULL)
    {
      /* Each word a quoted FTS5 prefix query ("joao"*); all must match. */
      g_autoptr(GString) match = g_string_new (NULL);

      for (guint i = 0; filter->q_words[i] != NULL; i++)
        g_string_append_printf (match, "%s\"%s\"*", i > 0 ? " AND " : "", filter->q_words[i]);
      bind_text (stmt, ":match", match->str);
    }
  if (filter->from != NULL)
    bind_text (stmt, ":from", filter->from);
  if (filter->to != NULL)
    bind_text (stmt, ":to", filter->to);
  if (filter->assigned_to > 0)
    bind_int (stmt, ":assigned", filter->assigned_to);
  if (filter->updated_since > 0)
    bind_int (stmt, ":updated_since", filter->updated_since);
  if (filter->cursor > 0)
    bind_int (stmt, ":cursor", filter->cursor);
  bind_int (stmt, ":limit", filter->limit + 1);
  return TRUE;
}

static gboolean
is_status (const char *status)
{
  return g_strcmp0 (status, "pending") == 0 || g_strcmp0 (status, "in_progress") == 0 ||
         g_strcmp0 (status, "completed") == 0 || g_strcmp0 (status, "cancelled") == 0;
}

/* A study date bound: 2024-01-31, or the DICOM form 20240131. */
static gboolean
parse_study_date (RwServerRequest  *req,
                  const char       *name,
                  char            **out,
                  GError          **error)
{
  const char *value = rw_server_request_get_query (req, name);
  GDate date;

  if (value == NULL)
    return TRUE;
  if (rw_server_clock_parse_date (value, &date))
    {
      *out = g_strdup (value);
      return TRUE;
    }
  *out = rw_dicom_date_to_iso (value, NULL);
  if (*out != NULL)
    return TRUE;
  g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
               _("“%s” must be a date, as in 2024-01-31"), name);
  return FALSE;
}

/* The words of a search as the index has them: folded, split where
 * unicode61 splits (at anything but a letter or a digit). A search of
 * punctuation alone has no word and finds nothing. */
static void
split_query (const char          *q,
             RwServerExamFilter  *filter)
{
  g_autofree char *folded = rw_text_fold (q);
  g_autoptr(GStrvBuilder) words = g_strv_builder_new ();
  g_autoptr(GString) word = g_string_new (NULL);

  for (const char *p = folded; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      if (word->len > 0)
        g_strv_builder_add (words, word->str);
      g_string_truncate (word, 0);
      if (c == 0)
        break;
    }
  filter->q_words = g_strv_builder_end (words);
}

static gboolean
parse_filter (RwServerRequest     *req,
              RwServerExamFilter  *filter,
              GError             **error)
{
  const char *status = rw_server_request_get_query (req, "status");
  const char *modality = rw_server_request_get_query (req, "modality");
  const char *q = rw_server_request_get_query (req, "q");
  const char *assigned = rw_server_request_get_query (req, "assigned");
  const char *updated_since = rw_server_request_get_query (req, "updated_since");
  const char *cursor = rw_server_request_get_query (req, "cursor");

  if (status != NULL)
    {
      filter->statuses = g_strsplit (status, ",", 8);
      for (guint i = 0; filter->statuses[i] != NULL; i++)
        if (!is_status (g_strstrip (filter->statuses[i])))
          return rw_server_error_bad_request (error, _("“status” must be pending, in_progress, completed or cancelled (several may be given, separated by commas)"));
    }
  if (modality != NULL)
    filter->modality = g_ascii_strup (modality, -1);
  if (q != NULL)
    split_query (q, filter);
  if (!parse_study_date (req, "from", &filter->from, error) ||
      !parse_study_date (req, "to", &filter->to, error))
    return FALSE;
  if (assigned != NULL)
    {
      if (g_strcmp0 (assigned, "me") != 0)
        return rw_server_error_bad_request (error, _("“assigned” can only be “me”"));
      filter->assigned_to = req->user->id;
    }
  if (updated_since != NULL && !rw_server_clock_parse (updated_since, &filter->updated_since))
    return rw_server_error_bad_request (error, _("“updated_since” must be a time with a zone, as in 2024-01-31T10:30:00Z"));
  if (cursor != NULL && !g_ascii_string_to_signed (cursor, 10, 1, G_MAXINT64, &filter->cursor, NULL))
    return rw_server_error_bad_request (error, _("“cursor” is not a cursor this server gave"));
  return rw_server_request_get_query_int (req, "limit", 1, 1000, 100, &filter->limit, error);
}

/* Runs the filter and builds [exam, …]; *next_cursor is the id to continue
 * from, or 0 on the last page. */
static JsonNode *
list_exams (RwSqlite                  *db,
            const RwServerExamFilter  *filter,
            gint64                    *next_cursor,
            GError                   **error)
{
  g_autofree char *sql = rw_server_exams_list_sql (filter);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gboolean has_row = FALSE;
  gint64 last_id = 0;
  gint64 n = 0;

  *next_cursor = 0;
  stmt = rw_sqlite_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  rw_server_exams_bind_filter (stmt, filter);

  json_builder_begin_array (builder);
  for (;;)
    {
      if (!rw_sqlite_step_row (db, stmt, &has_row, error))
        return NULL;
      if (!has_row)
        break;
      if (n == filter->limit)
        {
          *next_cursor = last_id;
          break;
        }
      build_exam (builder, stmt);
      last_id = sqlite3_column_int64 (stmt, 0);
      n++;
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

static gboolean
list_job (RwServerRequest  *req,
          RwSqlite         *db,
          GError          **error)
{
  RwServerExamFilter *filter = req->data;
  JsonNode *exams;
  JsonNode *cursor;
  gint64 next = 0;

  exams = list_exams (db, filter, &next, error);
  if (exams == NULL)
    return FALSE;
  if (next > 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, next);
      cursor = json_node_init_string (json_node_alloc (), text);
    }
  else
    cursor = json_node_init_null (json_node_alloc ());
  rw_server_request_set_json (req, SOUP_STATUS_OK,
                              rw_server_json_object ("exams", exams, "next_cursor", cursor, NULL));
  return TRUE;
}

/* GET /api/exams?status=&modality=&q=&from=&to=&assigned=me&updated_since=
 * &limit=&cursor= → {"exams": […], "next_cursor": "…" | null} */
void
rw_server_handle_exams_list (RwServerRequest *req)
{
  g_autoptr(GError) error = NULL;
  RwServerExamFilter *filter = g_new0 (RwServerExamFilter, 1);

  req->data = filter;
  req->data_free = filter_free;
  if (!parse_filter (req, filter, &error))
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  rw_server_request_read (req, list_job, NULL);
}

static gboolean
pending_job (RwServerRequest  *req,
             RwSqlite         *db,
             GError          **error)
{
  RwServerExamFilter *filter = req->data;
  JsonNode *exams;
  gint64 next = 0;

  exams = list_exams (db, filter, &next, error);
  if (exams == NULL)
    return FALSE;
  rw_server_request_set_json (req, SOUP_STATUS_OK, exams);
  return TRUE;
}

/* GET /exams/pending: the seed's route, a plain array of pending exams,
 * newest first (at most "limit", 1000 by default and at most). */
void
rw_server_handle_exams_pending (RwServerRequest *req)
{
  g_autoptr(GError) error = NULL;
  RwServerExamFilter *filter = g_new0 (RwServerExamFilter, 1);

  req->data = filter;
  req->data_free = filter_free;
  filter->statuses = g_strsplit ("pending", ",", -1);
  if (!rw_server_request_get_query_int (req, "limit", 1, 1000, 1000, &filter->limit, &error))
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  rw_server_request_read (req, pending_job, NULL);
}

/* One exam ------------------------------------------------------------ */

static JsonNode *
load_priors (RwSqlite  *db,
             gint64     exam_id,
             GError   **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare_cached (db,
                                   "SELECT " EXAM_COLUMNS ","
                                   " CASE WHEN r.exam_id IS NULL THEN NULL WHEN r.is_final THEN 'final' ELSE 'draft' END"
                                   EXAM_FROM " LEFT JOIN reports r ON r.exam_id = e.id"
                                   " WHERE e.patient_ref = (SELECT patient_ref FROM exams WHERE id = ?1)"
                                   " AND e.id != ?1"
                                   " ORDER BY e.study_date DESC, e.study_time DESC, e.id DESC",
                                   error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, exam_id);
  json_builder_begin_array (builder);
  for (;;)
    {
      if (!rw_sqlite_step_row (db, stmt, &has_row, error))
        return NULL;
      if (!has_row)
        break;
      json_builder_begin_object (builder);
      build_exam_members (builder, stmt);
      rw_server_json_add_column (builder, "report_status", stmt, EXAM_N_COLUMNS, RW_SERVER_COLUMN_TEXT);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

/* Opening an exam is audited, so it runs as a write: the record commits
 * with the read. */
static gboolean
get_job (RwServerRequest  *req,
         RwSqlite         *db,
         GError          **error)
{
  g_autoptr(JsonNode) exam = NULL;
  JsonNode *report, *priors;
  JsonObject *object;

  exam = rw_server_exams_load_json (db, req->id, error);
  if (exam == NULL)
    return FALSE;
  report = rw_server_reports_load_json (db, req->id, error);
  if (report == NULL)
    return FALSE;
  priors = load_priors (db, req->id, error);
  if (priors == NULL)
    {
      json_node_unref (report);
      return FALSE;
    }
  if (!rw_server_audit_record_exam (db, req, RW_AUDIT_OPEN_EXAM, req->id, NULL, error))
    {
      json_node_unref (report);
      json_node_unref (priors);
      return FALSE;
    }
  object = json_node_get_object (exam);
  json_object_set_member (object, "report", report);
  json_object_set_member (object, "priors", priors);
  rw_server_request_set_json (req, SOUP_STATUS_OK, g_steal_pointer (&exam));
  return TRUE;
}

/* GET /api/exams/{id} → the exam, its "report" (or null) and its
 * "priors" (the patient's other exams, newest first, each with its
 * "report_status": null, "draft" or "final"). */
void
rw_server_handle_exam_get (RwServerRequest *req)
{
  rw_server_request_write (req, get_job, NULL);
}

/* Claim, release, change -------------------------------------------- */

void
rw_server_exam_state_clear (RwServerExamState *state)
{
  g_clear_pointer (&state->status, g_free);
  g_clear_pointer (&state->assigned_name, g_free);
}

gboolean
rw_server_exams_load_state (RwSqlite           *db,
                            gint64              exam_id,
                            RwServerExamState  *state,
                            GError            **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_query_id (db, "SELECT e.status, e.assigned_to, a.display_name"
                             " FROM exams e LEFT JOIN users a ON a.id = e.assigned_to WHERE e.id = ?",
                             exam_id, &has_row, error);
  if (stmt == NULL)
    return FALSE;
  if (!has_row)
    return not_found (exam_id, error);
  state->status = rw_sqlite_column_dup (stmt, 0);
  state->assigned_to = sqlite3_column_int64 (stmt, 1);
  state->assigned_name = rw_sqlite_column_dup (stmt, 2);
  return TRUE;
}

gboolean
rw_server_exams_set_assignment (RwSqlite    *db,
                                gint64       exam_id,
                                const char  *status,
                                gint64       assigned_to,
                                gint64       now,
                                GError     **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  stmt = rw_sqlite_prepare_cached (db, "UPDATE exams SET status = ?, assigned_to = ?, updated_at = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, status, -1, SQLITE_STATIC);
  if (assigned_to > 0)
    sqlite3_bind_int64 (stmt, 2, assigned_to);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, exam_id);
  return rw_sqlite_step_done (db, stmt, error);
}

/* Answers with the exam as it now is, and tells /api/events. */
static gboolean
reply_exam (RwServerRequest  *req,
            RwSqlite         *db,
            gboolean          changed,
            GError          **error)
{
  JsonNode *exam = NULL;
  char *frame = NULL;

  if (changed)
    {
      frame = rw_server_exams_event_frame (db, "exam_updated", req->id, error);
      if (frame == NULL)
        return FALSE;
      rw_server_request_add_event (req, frame);
    }
  exam = rw_server_exams_load_json (db, req->id, error);
  if (exam == NULL)
    return FALSE;
  rw_server_request_set_json (req, SOUP_STATUS_OK, exam);
  return TRUE;
}

/* Checks that @user may write on the exam in @state (claim it, save or
 * finalize its report): not closed, not held by someone else. */
gboolean
rw_server_exams_check_writable (const RwServerExamState  *state,
                                const RwServerUser       *user,
                                GError                  **error)
{
  if (g_strcmp0 (state->status, "completed") == 0)
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFLICT,
                           _("The exam is completed: its laudo is final"));
      return FALSE;
    }
  if (g_strcmp0 (state->status, "cancelled") == 0)
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFLICT,
                           _("The exam was cancelled"));
      return FALSE;
    }
  if (state->assigned_to != 0 && state->assigned_to != user->id)
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFLICT,
                   _("The exam is being reported by %s"),
                   state->assigned_name != NULL ? state->assigned_name : "?");
      return FALSE;
    }
  return TRUE;
}

static gboolean
claim_job (RwServerRequest  *req,
           RwSqlite         *db,
           GError          **error)
{
  g_auto(RwServerExamState) state = { 0, };
  gboolean changed;

  if (!rw_server_exams_load_state (db, req->id, &state, error) ||
      !rw_server_exams_check_writable (&state, req->user, error))
    return FALSE;
  /* The writer runs one job at a time, so between this check and this
   * update no other claim can come in: of two claims at once, the second
   * finds the first's and gets a 409. */
  changed = state.assigned_to != req->user->id;
  if (changed &&
      (!rw_server_exams_set_assignment (db, req->id, "in_progress", req->user->id, req->now, error) ||
       !rw_server_audit_record_exam (db, req, RW_AUDIT_CLAIM_EXAM, req->id, NULL, error)))
    return FALSE;
  return reply_exam (req, db, changed, error);
}

/* POST /api/exams/{id}/claim (radiologists) → the exam, in_progress and
 * assigned to the caller; 409 if someone else holds it or it is closed. */
void
rw_server_handle_exam_claim (RwServerRequest *req)
{
  if (!rw_server_user_is_radiologist (req->user))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_FORBIDDEN,
                                             _("Only a radiologist may take an exam to report"));
      return;
    }
  rw_server_request_write (req, claim_job, NULL);
}

static gboolean
release_job (RwServerRequest  *req,
             RwSqlite         *db,
             GError          **error)
{
  g_auto(RwServerExamState) state = { 0, };

  if (!rw_server_exams_load_state (db, req->id, &state, error))
    return FALSE;
  if (state.assigned_to == 0)
    return reply_exam (req, db, FALSE, error);
  if (state.assigned_to != req->user->id && !rw_server_user_is_admin (req->user))
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_FORBIDDEN,
                   _("Only %s or an administrator may release this exam"),
                   state.assigned_name != NULL ? state.assigned_name : "?");
      return FALSE;
    }
  if (g_strcmp0 (state.status, "in_progress") != 0)
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFLICT,
                           _("Only an exam being reported can be released"));
      return FALSE;
    }
  if (!rw_server_exams_set_assignment (db, req->id, "pending", 0, req->now, error) ||
      !rw_server_audit_record_exam (db, req, RW_AUDIT_RELEASE_EXAM, req->id, NULL, error))
    return FALSE;
  return reply_exam (req, db, TRUE, error);
}

/* POST /api/exams/{id}/release (the holder or an admin) → back to
 * pending. A draft report stays, for whoever takes the exam next. */
void
rw_server_handle_exam_release (RwServerRequest *req)
{
  rw_server_request_write (req, release_job, NULL);
}

typedef struct {
  char *priority;
  char *status;
} ExamPatch;

static void
exam_patch_free (gpointer data)
{
  ExamPatch *patch = data;

  g_free (patch->priority);
  g_free (patch->status);
  g_free (patch);
}

static gboolean
patch_job (RwServerRequest  *req,
           RwSqlite         *db,
           GError          **error)
{
  ExamPatch *patch = req->data;
  g_auto(RwServerExamState) state = { 0, };
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  g_autofree char *detail = NULL;

  if (!rw_server_exams_load_state (db, req->id, &state, error))
    return FALSE;
  if (patch->status != NULL && g_strcmp0 (state.status, "completed") == 0)
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFLICT,
                           _("A completed exam cannot be cancelled: its laudo is final"));
      return FALSE;
    }
  stmt = rw_sqlite_prepare_cached (db,
                                   "UPDATE exams SET priority = coalesce (?1, priority),"
                                   " status = coalesce (?2, status),"
                                   " assigned_to = CASE WHEN ?2 IS NULL THEN assigned_to END,"
                                   " updated_at = ?3 WHERE id = ?4", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, patch->priority, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, patch->status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, req->now);
  sqlite3_bind_int64 (stmt, 4, req->id);
  if (!rw_sqlite_step_done (db, stmt, error))
    return FALSE;

  detail = g_strdup_printf ("%s%s%s%s", patch->priority != NULL ? "priority=" : "",
                            patch->priority != NULL ? patch->priority : "",
                            patch->status != NULL ? (patch->priority != NULL ? " status=" : "status=") : "",
                            patch->status != NULL ? patch->status : "");
  if (!rw_server_audit_record_exam (db, req, RW_AUDIT_UPDATE_EXAM, req->id, detail, error))
    return FALSE;
  return reply_exam (req, db, TRUE, error);
}

/* PATCH /api/exams/{id} (admin) {"priority": "routine"|"urgent"|"stat"}
 * and/or {"status": "cancelled"} → the exam. */
void
rw_server_handle_exam_patch (RwServerRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = rw_server_body_parse_json (req, &error);
  const char *priority = NULL, *status = NULL;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  ExamPatch *patch;

  if (body == NULL)
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  json_object_iter_init (&iter, body);
  while (json_object_iter_next (&iter, &member, &value))
    if (g_strcmp0 (member, "priority") != 0 && g_strcmp0 (member, "status") != 0)
      {
        g_autofree char *message = g_strdup_printf (_("“%s” cannot be changed here: only “priority” and “status”"), member);
        rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST, message);
        return;
      }
  if (!rw_json_get_string (body, "priority", RW_JSON_OPTIONAL, &priority, &error) ||
      !rw_json_get_string (body, "status", RW_JSON_OPTIONAL, &status, &error))
    {
      rw_server_request_reply_invalid (req, error);
      return;
    }
  if (priority == NULL && status == NULL)
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("Send “priority” or “status”"));
      return;
    }
  if (priority != NULL && g_strcmp0 (priority, "routine") != 0 &&
      g_strcmp0 (priority, "urgent") != 0 && g_strcmp0 (priority, "stat") != 0)
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("“priority” must be routine, urgent or stat"));
      return;
    }
  if (status != NULL && g_strcmp0 (status, "cancelled") != 0)
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("“status” can only be set to cancelled"));
      return;
    }

  patch = g_new0 (ExamPatch, 1);
  patch->priority = g_strdup (priority);
  patch->status = g_strdup (status);
  req->data = patch;
  req->data_free = exam_patch_free;
  rw_server_request_write (req, patch_job, NULL);
}
