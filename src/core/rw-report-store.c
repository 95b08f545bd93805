/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "rw-json.h"
#include "rw-report-store.h"
#include "rw-sqlite.h"

struct _RwReportStore
{
  GObject      parent_instance;

  char        *path;
  GThreadPool *pool;
  /* Touched only on the worker thread. */
  RwSqlite    *db;
};

G_DEFINE_FINAL_TYPE (RwReportStore, rw_report_store, G_TYPE_OBJECT)

/* Released migrations are never edited: a change is a new entry at the end. */
static const RwSqliteMigration migrations[] = {
  /* 1: drafts and the outbox. */
  { "CREATE TABLE drafts ("
    "  server       TEXT NOT NULL,"
    "  username     TEXT NOT NULL,"
    "  exam_id      INTEGER NOT NULL,"
    "  technique    TEXT NOT NULL,"
    "  findings     TEXT NOT NULL,"
    "  conclusion   TEXT NOT NULL,"
    "  base_version INTEGER NOT NULL,"
    "  unsent       INTEGER NOT NULL,"
    "  conflict     TEXT,"
    "  failure      TEXT,"
    "  updated_at   INTEGER NOT NULL,"
    "  PRIMARY KEY (server, username, exam_id)"
    ");"
    "CREATE TABLE outbox ("
    "  id         INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  server     TEXT NOT NULL,"
    "  username   TEXT NOT NULL,"
    "  exam_id    INTEGER NOT NULL,"
    "  kind       TEXT NOT NULL CHECK (kind IN ('save', 'finalize', 'addendum')),"
    "  technique  TEXT,"
    "  findings   TEXT,"
    "  conclusion TEXT,"
    "  addendum   TEXT,"
    "  attempts   INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX outbox_user ON outbox (server, username, id);" },
};

static const char * const kind_names[] = { "save", "finalize", "addendum" };

/* Everything a job needs, copied on the caller's thread: the worker never
 * touches the caller's objects. */
typedef struct {
  char         *server;
  char         *username;
  gint64        exam_id;
  gint64        entry_id;
  char         *text[RW_REPORT_N_SECTIONS];
  gboolean      has_text;
  char         *addendum;
  RwOutboxKind  kind;
  /* A report of the server, reduced to what the store keeps. */
  gboolean      has_report;
  gint64        version;
  gboolean      is_final;
  char         *report_json;
  char         *failure;
  gpointer      barrier;
} Op;

/* A job that answers its task itself; when it fails it sets @error
 * instead, and run_job() answers with that. */
typedef gboolean (*JobFunc) (RwReportStore  *self,
                             GTask          *task,
                             Op             *op,
                             GError        **error);

/* The body of a write: runs inside a transaction that run_job() opens and
 * commits, or rolls back when it fails. */
typedef gboolean (*TxnFunc) (RwReportStore  *self,
                             Op             *op,
                             GError        **error);

/* A job is either a plain @func that answers its task itself, or a @txn. */
typedef struct {
  GTask   *task;
  JobFunc  func;
  TxnFunc  txn;
} Job;

static void
op_free (Op *op)
{
  g_free (op->server);
  g_free (op->username);
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    g_free (op->text[i]);
  g_free (op->addendum);
  g_free (op->report_json);
  g_free (op->failure);
  g_free (op);
}

void
rw_draft_free (RwDraft *draft)
{
  if (draft == NULL)
    return;
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    g_free (draft->text[i]);
  g_clear_object (&draft->conflict);
  g_free (draft->failure);
  g_free (draft);
}

void
rw_outbox_entry_free (RwOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    g_free (entry->text[i]);
  g_free (entry->addendum);
  g_free (entry);
}

static gboolean
ensure_open (RwReportStore  *self,
             GError        **error)
{
  g_autofree char *dir = NULL;

  if (self->db != NULL)
    return TRUE;

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  self->db = rw_sqlite_open (self->path, RW_SQLITE_DURABLE, migrations,
                             G_N_ELEMENTS (migrations), error);
  return self->db != NULL;
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? (const char *) text : "";
}

/* Runs @body in a transaction and answers the task with the op's
 * entry_id (the new outbox entry's, for an enqueue), or rolls back and
 * fails. */
static gboolean
run_in_transaction (RwReportStore  *self,
                    GTask          *task,
                    Op             *op,
                    TxnFunc         body,
                    GError        **error)
{
  if (!ensure_open (self, error) || !rw_sqlite_begin (self->db, error))
    return FALSE;
  if (!body (self, op, error) || !rw_sqlite_commit (self->db, error))
    {
      rw_sqlite_rollback (self->db);
      return FALSE;
    }
  g_task_return_int (task, op->entry_id);
  return TRUE;
}

/* Binds the draft's key (server, user, exam) from parameter @first on. */
static void
bind_key (sqlite3_stmt *stmt,
          int           first,
          Op           *op,
          gint64        exam_id)
{
  sqlite3_bind_text (stmt, first, op->server, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, first + 1, op->username, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, first + 2, exam_id);
}

/* Binds the three sections from parameter @first on; a missing one is
 * empty. */
static void
bind_text (sqlite3_stmt *stmt,
           int           first,
           Op           *op)
{
  for (int i = 0; i < RW_REPORT_N_SECTIONS; i++)
    sqlite3_bind_text (stmt, first + i, op->text[i] != NULL ? op->text[i] : "", -1, SQLITE_STATIC);
}

/* Prepares @sql and binds the key from parameter 1 on; the statement's
 * further parameters are the caller's. */
static sqlite3_stmt *
prepare_for_key (RwReportStore  *self,
                 const char     *sql,
                 Op             *op,
                 gint64          exam_id,
                 GError        **error)
{
  sqlite3_stmt *stmt = rw_sqlite_prepare (self->db, sql, error);

  if (stmt != NULL)
    bind_key (stmt, 1, op, exam_id);
  return stmt;
}

/* Drafts ----------------------------------------------------------------- */

static gboolean
load_draft_job (RwReportStore  *self,
                GTask          *task,
                Op             *op,
                GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(RwDraft) draft = NULL;
  gboolean has_row = FALSE;

  if (!ensure_open (self, error))
    return FALSE;
  stmt = prepare_for_key (self,
                          "SELECT technique, findings, conclusion, base_version, unsent,"
                          " conflict, failure, updated_at FROM drafts"
                          " WHERE server = ? AND username = ? AND exam_id = ?",
                          op, op->exam_id, error);
  if (stmt == NULL || !rw_sqlite_step_row (self->db, stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_task_return_pointer (task, NULL, NULL);
      return TRUE;
    }

  draft = g_new0 (RwDraft, 1);
  draft->exam_id = op->exam_id;
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    draft->text[i] = g_strdup (column_text (stmt, (int) i));
  draft->base_version = sqlite3_column_int64 (stmt, 3);
  draft->unsent = sqlite3_column_int (stmt, 4) != 0;
  if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
    {
      g_autoptr(JsonObject) json = rw_json_parse_object (column_text (stmt, 5), -1, NULL);
      g_autoptr(GError) parse_error = NULL;

      /* The store wrote it from a checked report; if it no longer parses
       * the conflict is shown as a failure rather than lost. */
      if (json != NULL)
        draft->conflict = rw_report_new_from_api (json, &parse_error);
      if (draft->conflict == NULL)
        draft->failure = g_strdup (_("The server refused a save because the laudo had changed there; open the exam again to see its text"));
    }
  if (draft->failure == NULL && sqlite3_column_type (stmt, 6) != SQLITE_NULL)
    draft->failure = g_strdup (column_text (stmt, 6));
  draft->updated_at = sqlite3_column_int64 (stmt, 7);
  g_task_return_pointer (task, g_steal_pointer (&draft), (GDestroyNotify) rw_draft_free);
  return TRUE;
}

/* Writes the op's text as the exam's draft with @sql, an upsert whose
 * parameters are the key (1-3), the sections (4-6), the version (7) and
 * the time (8). */
static gboolean
upsert_draft (RwReportStore  *self,
              const char     *sql,
              Op             *op,
              GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare_for_key (self, sql, op, op->exam_id, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 4, op);
  sqlite3_bind_int64 (stmt, 7, op->version);
  sqlite3_bind_int64 (stmt, 8, g_get_real_time ());
  return rw_sqlite_step_done (self->db, stmt, error);
}

/* The typed text becomes the draft, not yet on the server; a new draft
 * starts at the op's version. */
static gboolean
upsert_text (RwReportStore  *self,
             Op             *op,
             GError        **error)
{
  return upsert_draft (self,
                       "INSERT INTO drafts (server, username, exam_id, technique, findings, conclusion,"
                       " base_version, unsent, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)"
                       " ON CONFLICT (server, username, exam_id) DO UPDATE SET"
                       " technique = excluded.technique, findings = excluded.findings,"
                       " conclusion = excluded.conclusion, unsent = 1, updated_at = excluded.updated_at",
                       op, error);
}

/* The server's laudo becomes the draft, with nothing left to send. */
static gboolean
adopt_txn (RwReportStore  *self,
           Op             *op,
           GError        **error)
{
  return upsert_draft (self,
                       "INSERT INTO drafts (server, username, exam_id, technique, findings, conclusion,"
                       " base_version, unsent, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)"
                       " ON CONFLICT (server, username, exam_id) DO UPDATE SET"
                       " technique = excluded.technique, findings = excluded.findings,"
                       " conclusion = excluded.conclusion, base_version = excluded.base_version,"
                       " unsent = 0, conflict = NULL, failure = NULL, updated_at = excluded.updated_at",
                       op, error);
}

static gboolean
rebase_txn (RwReportStore  *self,
            Op             *op,
            GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare_for_key (self,
                          "UPDATE drafts SET base_version = ?4, conflict = NULL, failure = NULL, unsent = 1"
                          " WHERE server = ?1 AND username = ?2 AND exam_id = ?3",
                          op, op->exam_id, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 4, op->version);
  return rw_sqlite_step_done (self->db, stmt, error);
}

static gboolean
delete_draft (RwReportStore  *self,
              Op             *op,
              gint64          exam_id,
              GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare_for_key (self, "DELETE FROM drafts WHERE server = ? AND username = ? AND exam_id = ?",
                          op, exam_id, error);
  return stmt != NULL && rw_sqlite_step_done (self->db, stmt, error);
}

static gboolean
delete_draft_txn (RwReportStore  *self,
                  Op             *op,
                  GError        **error)
{
  return delete_draft (self, op, op->exam_id, error);
}

/* The outbox -------------------------------------------------------------- */

static gboolean
enqueue_txn (RwReportStore  *self,
             Op             *op,
             GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (op->has_text && !upsert_text (self, op, error))
    return FALSE;
  stmt = prepare_for_key (self,
                          "INSERT INTO outbox (server, username, exam_id, kind, technique, findings,"
                          " conclusion, addendum, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          op, op->exam_id, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 4, kind_names[op->kind], -1, SQLITE_STATIC);
  /* NULL for an addendum, whose entry has no text. */
  for (int i = 0; i < RW_REPORT_N_SECTIONS; i++)
    sqlite3_bind_text (stmt, 5 + i, op->text[i], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, op->addendum, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, g_get_real_time ());
  if (!rw_sqlite_step_done (self->db, stmt, error))
    return FALSE;
  op->entry_id = sqlite3_last_insert_rowid (rw_sqlite_get_handle (self->db));
  return TRUE;
}

typedef struct {
  RwOutboxEntry *entry;
  guint          n_pending;
} Next;

static void
next_free (Next *next)
{
  rw_outbox_entry_free (next->entry);
  g_free (next);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Next, next_free)

static gboolean
next_job (RwReportStore  *self,
          GTask          *task,
          Op             *op,
          GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) count = NULL;
  g_autoptr(Next) next = NULL;
  gboolean has_row = FALSE;
  const char *kind;

  if (!ensure_open (self, error))
    return FALSE;
  /* Both take the user as parameters 1 and 2 (no exam). */
  stmt = prepare_for_key (self,
                          "SELECT o.id, o.exam_id, o.kind, o.technique, o.findings, o.conclusion,"
                          " o.addendum, o.attempts, o.created_at, coalesce (d.base_version, 0)"
                          " FROM outbox o LEFT JOIN drafts d ON d.server = o.server"
                          " AND d.username = o.username AND d.exam_id = o.exam_id"
                          " WHERE o.server = ?1 AND o.username = ?2 ORDER BY o.id LIMIT 1",
                          op, 0, error);
  if (stmt == NULL)
    return FALSE;
  count = prepare_for_key (self, "SELECT count(*) FROM outbox WHERE server = ? AND username = ?",
                           op, 0, error);
  if (count == NULL || !rw_sqlite_step_row (self->db, count, &has_row, error))
    return FALSE;
  next = g_new0 (Next, 1);
  next->n_pending = (guint) sqlite3_column_int (count, 0);
  if (!rw_sqlite_step_row (self->db, stmt, &has_row, error))
    return FALSE;
  if (has_row)
    {
      RwOutboxEntry *entry = g_new0 (RwOutboxEntry, 1);

      entry->id = sqlite3_column_int64 (stmt, 0);
      entry->exam_id = sqlite3_column_int64 (stmt, 1);
      kind = column_text (stmt, 2);
      entry->kind = g_str_equal (kind, "finalize") ? RW_OUTBOX_FINALIZE
                    : g_str_equal (kind, "addendum") ? RW_OUTBOX_ADDENDUM : RW_OUTBOX_SAVE;
      for (int i = 0; i < RW_REPORT_N_SECTIONS; i++)
        entry->text[i] = g_strdup (column_text (stmt, 3 + i));
      entry->addendum = g_strdup (column_text (stmt, 6));
      entry->attempts = (guint) sqlite3_column_int (stmt, 7);
      entry->created_at = sqlite3_column_int64 (stmt, 8);
      entry->base_version = sqlite3_column_int64 (stmt, 9);
      next->entry = entry;
    }
  g_task_return_pointer (task, g_steal_pointer (&next), (GDestroyNotify) next_free);
  return TRUE;
}

/* The exam of entry @id, or 0 when the entry is gone. */
static gboolean
entry_exam (RwReportStore  *self,
            gint64          id,
            gint64         *exam_id,
            GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;

  *exam_id = 0;
  stmt = rw_sqlite_prepare (self->db, "SELECT exam_id FROM outbox WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!rw_sqlite_step_row (self->db, stmt, &has_row, error))
    return FALSE;
  if (has_row)
    *exam_id = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
delivered_txn (RwReportStore  *self,
               Op             *op,
               GError        **error)
{
  g_autoptr(sqlite3_stmt) remove = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  gint64 exam_id;

  if (!entry_exam (self, op->entry_id, &exam_id, error))
    return FALSE;
  if (exam_id == 0)
    return TRUE;
  remove = rw_sqlite_prepare (self->db, "DELETE FROM outbox WHERE id = ?", error);
  if (remove == NULL)
    return FALSE;
  sqlite3_bind_int64 (remove, 1, op->entry_id);
  if (!rw_sqlite_step_done (self->db, remove, error))
    return FALSE;

  /* A final laudo can no longer change: nothing of it stays here. */
  if (op->is_final)
    return delete_draft (self, op, exam_id, error);

  update = prepare_for_key (self,
                            "UPDATE drafts SET base_version = max (base_version, ?4),"
                            " unsent = CASE WHEN technique = ?5 AND findings = ?6 AND conclusion = ?7"
                            " THEN 0 ELSE unsent END"
                            " WHERE server = ?1 AND username = ?2 AND exam_id = ?3",
                            op, exam_id, error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_int64 (update, 4, op->version);
  bind_text (update, 5, op);
  return rw_sqlite_step_done (self->db, update, error);
}

static gboolean
refused_txn (RwReportStore  *self,
             Op             *op,
             GError        **error)
{
  g_autoptr(sqlite3_stmt) remove = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  gint64 exam_id;

  if (!entry_exam (self, op->entry_id, &exam_id, error))
    return FALSE;
  if (exam_id == 0)
    return TRUE;
  remove = prepare_for_key (self,
                            "DELETE FROM outbox WHERE server = ? AND username = ? AND exam_id = ? AND id >= ?",
                            op, exam_id, error);
  if (remove == NULL)
    return FALSE;
  sqlite3_bind_int64 (remove, 4, op->entry_id);
  if (!rw_sqlite_step_done (self->db, remove, error))
    return FALSE;

  update = prepare_for_key (self,
                            "UPDATE drafts SET conflict = ?4, failure = ?5"
                            " WHERE server = ?1 AND username = ?2 AND exam_id = ?3",
                            op, exam_id, error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_text (update, 4, op->report_json, -1, SQLITE_STATIC);
  sqlite3_bind_text (update, 5, op->failure, -1, SQLITE_STATIC);
  return rw_sqlite_step_done (self->db, update, error);
}

static gboolean
count_attempt_txn (RwReportStore  *self,
                   Op             *op,
                   GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = rw_sqlite_prepare (self->db, "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, op->entry_id);
  return rw_sqlite_step_done (self->db, stmt, error);
}

/* Plumbing ---------------------------------------------------------------- */

typedef struct {
  GMutex   mutex;
  GCond    cond;
  gboolean done;
} Barrier;

static gboolean
barrier_job (RwReportStore  *self,
             GTask          *task,
             Op             *op,
             GError        **error)
{
  Barrier *barrier = op->barrier;

  g_mutex_lock (&barrier->mutex);
  barrier->done = TRUE;
  g_cond_signal (&barrier->cond);
  g_mutex_unlock (&barrier->mutex);
  g_task_return_boolean (task, TRUE);
  return TRUE;
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  RwReportStore *self = g_task_get_source_object (job->task);
  Op *op = g_task_get_task_data (job->task);
  g_autoptr(GError) error = NULL;
  gboolean done;

  /* A write that was asked for is done even if its caller went away: the
   * cancellable only spares the caller its callback. */
  if (job->txn != NULL)
    done = run_in_transaction (self, job->task, op, job->txn, &error);
  else
    done = job->func (self, job->task, op, &error);
  if (!done)
    g_task_return_error (job->task, g_steal_pointer (&error));
  g_object_unref (job->task);
  g_free (job);
}

/* The thread pool starts the job at once; filling @op after queue() would
 * race with it. These helpers build the op first. */
static Op *
op_new (const char *server,
        const char *username,
        gint64      exam_id)
{
  Op *op = g_new0 (Op, 1);

  op->server = g_strdup (server);
  op->username = g_strdup (username);
  op->exam_id = exam_id;
  return op;
}

/* Queues @func, or @txn in a transaction (the other one NULL). */
static void
push (RwReportStore        *self,
      Op                   *op,
      JobFunc               func,
      TxnFunc               txn,
      gpointer              source_tag,
      GCancellable         *cancellable,
      GAsyncReadyCallback   callback,
      gpointer              user_data)
{
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->txn = txn;
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);
  g_task_set_task_data (job->task, op, (GDestroyNotify) op_free);
  g_thread_pool_push (self->pool, job, NULL);
}

static void
op_set_text (Op                 *op,
             const char * const *text)
{
  op->has_text = TRUE;
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    op->text[i] = g_strdup (text != NULL && text[i] != NULL ? text[i] : "");
}

static void
op_set_report (Op       *op,
               RwReport *report)
{
  g_autoptr(JsonObject) json = NULL;

  if (report == NULL)
    return;
  op->has_report = TRUE;
  op->version = rw_report_get_version (report);
  op->is_final = rw_report_get_is_final (report);
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    op->text[i] = g_strdup (rw_report_get_text (report, (RwReportSection) i));
  json = rw_report_to_api_json (report);
  op->report_json = rw_json_object_to_string (json);
}

static void
rw_report_store_finalize (GObject *object)
{
  RwReportStore *self = (RwReportStore *)object;

  /* Every queued job holds a reference on its task and so on us: by now
   * the pool is idle. */
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_object (&self->db);
  g_free (self->path);

  G_OBJECT_CLASS (rw_report_store_parent_class)->finalize (object);
}

static void
rw_report_store_class_init (RwReportStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_report_store_finalize;
}

static void
rw_report_store_init (RwReportStore *self)
{
  self->pool = g_thread_pool_new (run_job, NULL, 1, FALSE, NULL);
}

RwReportStore *
rw_report_store_new (const char *path)
{
  RwReportStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (RW_TYPE_REPORT_STORE, NULL);
  self->path = g_strdup (path);
  return self;
}

const char *
rw_report_store_get_path (RwReportStore *self)
{
  g_return_val_if_fail (RW_IS_REPORT_STORE (self), NULL);
  return self->path;
}

gboolean
rw_report_store_write_finish (RwReportStore  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (RW_IS_REPORT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_int (G_TASK (result), error) >= 0;
}

void
rw_report_store_load_draft_async (RwReportStore       *self,
                                  const char          *server,
                                  const char          *username,
                                  gint64               exam_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));
  g_return_if_fail (server != NULL && username != NULL);

  op = op_new (server, username, exam_id);
  push (self, op, load_draft_job, NULL, rw_report_store_load_draft_async, cancellable, callback, user_data);
}

RwDraft *
rw_report_store_load_draft_finish (RwReportStore  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (RW_IS_REPORT_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rw_report_store_write_draft_async (RwReportStore       *self,
                                   const char          *server,
                                   const char          *username,
                                   gint64               exam_id,
                                   const char * const  *text,
                                   gint64               base_version,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));
  g_return_if_fail (server != NULL && username != NULL);
  g_return_if_fail (text != NULL);

  op = op_new (server, username, exam_id);
  op->version = base_version;
  op_set_text (op, text);
  push (self, op, NULL, upsert_text, rw_report_store_write_draft_async, cancellable, callback, user_data);
}

void
rw_report_store_adopt_async (RwReportStore       *self,
                             const char          *server,
                             const char          *username,
                             gint64               exam_id,
                             RwReport            *report,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));
  g_return_if_fail (server != NULL && username != NULL);
  g_return_if_fail (report == NULL || RW_IS_REPORT (report));

  op = op_new (server, username, exam_id);
  op_set_report (op, report);
  push (self, op, NULL, adopt_txn, rw_report_store_adopt_async, cancellable, callback, user_data);
}

void
rw_report_store_rebase_async (RwReportStore       *self,
                              const char          *server,
                              const char          *username,
                              gint64               exam_id,
                              RwReport            *report,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));
  g_return_if_fail (server != NULL && username != NULL);
  g_return_if_fail (RW_IS_REPORT (report));

  op = op_new (server, username, exam_id);
  op->version = rw_report_get_version (report);
  push (self, op, NULL, rebase_txn, rw_report_store_rebase_async, cancellable, callback, user_data);
}

void
rw_report_store_delete_draft_async (RwReportStore       *self,
                                    const char          *server,
                                    const char          *username,
                                    gint64               exam_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));
  g_return_if_fail (server != NULL && username != NULL);

  op = op_new (server, username, exam_id);
  push (self, op, NULL, delete_draft_txn, rw_report_store_delete_draft_async, cancellable, callback, user_data);
}

void
rw_report_store_enqueue_async (RwReportStore       *self,
                               const char          *server,
                               const char          *username,
                               gint64               exam_id,
                               RwOutboxKind         kind,
                               const char * const  *text,
                               const char          *addendum,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));
  g_return_if_fail (server != NULL && username != NULL);
  g_return_if_fail (kind == RW_OUTBOX_ADDENDUM ? addendum != NULL : text != NULL);

  op = op_new (server, username, exam_id);
  op->kind = kind;
  if (kind == RW_OUTBOX_ADDENDUM)
    op->addendum = g_strdup (addendum);
  else
    op_set_text (op, text);
  push (self, op, NULL, enqueue_txn, rw_report_store_enqueue_async, cancellable, callback, user_data);
}

gint64
rw_report_store_enqueue_finish (RwReportStore  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (RW_IS_REPORT_STORE (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return g_task_propagate_int (G_TASK (result), error);
}

void
rw_report_store_next_async (RwReportStore       *self,
                            const char          *server,
                            const char          *username,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (RW_IS_REPORT_STORE (self));
  g_return_if_fail (server != NULL && username != NULL);

  push (self, op_new (server, username, 0), next_job, NULL, rw_report_store_next_async,
        cancellable, callback, user_data);
}

RwOutboxEntry *
rw_report_store_next_finish (RwReportStore  *self,
                             GAsyncResult   *result,
                             guint          *n_pending,
                             GError        **error)
{
  Next *next;
  RwOutboxEntry *entry;

  g_return_val_if_fail (RW_IS_REPORT_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (n_pending != NULL)
    *n_pending = 0;
  next = g_task_propagate_pointer (G_TASK (result), error);
  if (next == NULL)
    return NULL;
  entry = g_steal_pointer (&next->entry);
  if (n_pending != NULL)
    *n_pending = next->n_pending;
  next_free (next);
  return entry;
}

void
rw_report_store_delivered_async (RwReportStore       *self,
                                 const char          *server,
                                 const char          *username,
                                 gint64               entry_id,
                                 RwReport            *report,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));
  g_return_if_fail (server != NULL && username != NULL);
  g_return_if_fail (RW_IS_REPORT (report));

  op = op_new (server, username, 0);
  op->entry_id = entry_id;
  op_set_report (op, report);
  push (self, op, NULL, delivered_txn, rw_report_store_delivered_async, cancellable, callback, user_data);
}

void
rw_report_store_refused_async (RwReportStore       *self,
                               const char          *server,
                               const char          *username,
                               gint64               entry_id,
                               RwReport            *conflict,
                               const char          *failure,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));
  g_return_if_fail (server != NULL && username != NULL);
  g_return_if_fail (conflict == NULL || RW_IS_REPORT (conflict));

  op = op_new (server, username, 0);
  op->entry_id = entry_id;
  op_set_report (op, conflict);
  op->failure = g_strdup (failure);
  push (self, op, NULL, refused_txn, rw_report_store_refused_async, cancellable, callback, user_data);
}

void
rw_report_store_count_attempt_async (RwReportStore       *self,
                                     gint64               entry_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));

  op = op_new ("", "", 0);
  op->entry_id = entry_id;
  push (self, op, NULL, count_attempt_txn, rw_report_store_count_attempt_async, cancellable, callback, user_data);
}

void
rw_report_store_wait_idle (RwReportStore *self)
{
  Barrier barrier = { 0, };
  Op *op;

  g_return_if_fail (RW_IS_REPORT_STORE (self));

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);
  op = op_new ("", "", 0);
  op->barrier = &barrier;
  /* One worker thread takes jobs in order: when this one runs, every
   * earlier one has finished. */
  push (self, op, barrier_job, NULL, rw_report_store_wait_idle, NULL, NULL, NULL);
  g_mutex_lock (&barrier.mutex);
  while (!barrier.done)
    g_cond_wait (&barrier.cond, &barrier.mutex);
  g_mutex_unlock (&barrier.mutex);
  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);
}
