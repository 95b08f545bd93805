/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "rw-exam-private.h"
#include "rw-local-store.h"
#include "rw-sqlite.h"

/* The desktop client's own SQLite file. For now it holds the worklist cache,
 * so the list shows at once at start and while the server is unreachable;
 * the reading view adds drafts and the outbox as further migrations.
 *
 * Every statement runs on one worker thread, in the order the calls were
 * made (a GThreadPool of one thread), and results come back on the caller's
 * main context through GTask. */
struct _RwLocalStore
{
  GObject      parent_instance;

  char        *path;
  GThreadPool *pool;
  /* Touched only on the worker thread. */
  RwSqlite    *db;
};

G_DEFINE_FINAL_TYPE (RwLocalStore, rw_local_store, G_TYPE_OBJECT)

/* Released migrations are never edited: a change is a new entry at the end. */
static const RwSqliteMigration migrations[] = {
  /* 1: the worklist cache. Status and priority are kept in the API's
   * spelling so that a change of the enums cannot scramble the cache. */
  { "CREATE TABLE meta ("
    "  key   TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE worklist ("
    "  id                  INTEGER PRIMARY KEY,"
    "  study_uid           TEXT NOT NULL,"
    "  orthanc_id          TEXT NOT NULL,"
    "  accession_number    TEXT NOT NULL,"
    "  study_date          TEXT NOT NULL,"
    "  study_time          TEXT NOT NULL,"
    "  description         TEXT NOT NULL,"
    "  referring_physician TEXT NOT NULL,"
    "  modality            TEXT NOT NULL,"
    "  series_count        INTEGER NOT NULL,"
    "  instance_count      INTEGER NOT NULL,"
    "  status              TEXT NOT NULL,"
    "  priority            TEXT NOT NULL,"
    "  assigned_to_id      INTEGER NOT NULL,"
    "  assigned_to_name    TEXT NOT NULL,"
    "  stone_viewer_url    TEXT NOT NULL,"
    "  received_at         INTEGER NOT NULL,"
    "  updated_at          INTEGER NOT NULL,"
    "  patient_id          TEXT NOT NULL,"
    "  patient_name        TEXT NOT NULL,"
    "  patient_birth_date  TEXT NOT NULL,"
    "  patient_sex         TEXT NOT NULL,"
    "  patient_age         TEXT NOT NULL"
    ");" },
  /* 2: the exams' search keys (RW_EXAM_SEARCH_KEYS_VERSION, then what
   * rw_exam_fold_search_keys() makes), made while saving so that a start
   * does not fold 100k names again. Empty: made when needed. */
  { "ALTER TABLE worklist ADD COLUMN search_keys BLOB NOT NULL DEFAULT x'';" },
};

#define WORKLIST_COLUMNS \
  "id, study_uid, orthanc_id, accession_number, study_date, study_time, " \
  "description, referring_physician, modality, series_count, instance_count, " \
  "status, priority, assigned_to_id, assigned_to_name, stone_viewer_url, " \
  "received_at, updated_at, patient_id, patient_name, patient_birth_date, " \
  "patient_sex, patient_age, search_keys"

typedef void (*JobFunc) (RwLocalStore *self,
                         GTask        *task);

typedef struct {
  GTask   *task;
  JobFunc  func;
} Job;

/* A plain copy of an exam, safe to read on the worker thread while the UI
 * goes on updating the RwExam it came from. */
typedef struct {
  gint64  id;
  gint64  assigned_to_id;
  gint64  received_at;
  gint64  updated_at;
  guint   series_count;
  guint   instance_count;
  char   *text[17];
} ExamCopy;

enum {
  T_STUDY_UID, T_ORTHANC_ID, T_ACCESSION, T_STUDY_DATE, T_STUDY_TIME,
  T_DESCRIPTION, T_REFERRING, T_MODALITY, T_STATUS, T_PRIORITY,
  T_ASSIGNED_NAME, T_VIEWER_URL, T_PATIENT_ID, T_PATIENT_NAME,
  T_PATIENT_BIRTH, T_PATIENT_SEX, T_PATIENT_AGE,
};

typedef struct {
  char   *server;
  GArray *copies;      /* ExamCopy */
} SaveData;

typedef struct {
  GPtrArray *exams;
  gint64     high_water_mark;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_pointer (&loaded->exams, g_ptr_array_unref);
  g_free (loaded);
}

static void
exam_copy_clear (gpointer data)
{
  ExamCopy *copy = data;

  for (guint i = 0; i < G_N_ELEMENTS (copy->text); i++)
    g_free (copy->text[i]);
}

static void
save_data_free (SaveData *data)
{
  g_free (data->server);
  g_clear_pointer (&data->copies, g_array_unref);
  g_free (data);
}

static gboolean
ensure_open (RwLocalStore  *self,
             GError       **error)
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

  /* A cache: the server can always refill it, so a lost last commit after a
   * power cut is fine and fsync on every page would only slow the sync. */
  self->db = rw_sqlite_open_unshared (self->path, RW_SQLITE_CACHE, migrations,
                             G_N_ELEMENTS (migrations), error);
  return self->db != NULL;
}

static char *
get_meta (RwLocalStore  *self,
          const char    *key,
          GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare (self->db, "SELECT value FROM meta WHERE key = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (!rw_sqlite_step_row (self->db, stmt, &has_row, error))
    return NULL;
  return has_row ? rw_sqlite_column_dup (stmt, 0) : g_strdup ("");
}

static gboolean
set_meta (RwLocalStore  *self,
          const char    *key,
          const char    *value,
          GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = rw_sqlite_prepare (self->db,
                            "INSERT INTO meta (key, value) VALUES (?, ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return rw_sqlite_step_done (self->db, stmt, error);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? (const char *) text : "";
}

/* Keys saved by this version of the folding, without their version byte;
 * others (and damaged ones, which rw_exam_new() checks) are made again. */
static void
stored_keys (sqlite3_stmt *stmt,
             int           column,
             RwExamFields *fields)
{
  const char *blob = sqlite3_column_blob (stmt, column);
  int len = sqlite3_column_bytes (stmt, column);

  if (blob != NULL && len > 1 && blob[0] == RW_EXAM_SEARCH_KEYS_VERSION)
    {
      fields->search_keys = blob + 1;
      fields->search_keys_len = (gsize) len - 1;
    }
}

/* Exams of one patient share one RwPatient: with 100k cached exams that is
 * tens of thousands of objects fewer. @patients maps a patient id to the
 * last patient read with it; one that differs in anything else gets an
 * object of its own (and takes the id's place). */
static RwPatient *
intern_patient (GHashTable   *patients,
                sqlite3_stmt *stmt)
{
  const char *patient_id = column_text (stmt, 18);
  RwPatient *patient = g_hash_table_lookup (patients, patient_id);

  if (patient != NULL &&
      strcmp (rw_patient_get_name (patient), column_text (stmt, 19)) == 0 &&
      strcmp (rw_patient_get_birth_date (patient), column_text (stmt, 20)) == 0 &&
      strcmp (rw_patient_get_sex (patient), column_text (stmt, 21)) == 0 &&
      strcmp (rw_patient_get_age (patient), column_text (stmt, 22)) == 0)
    return patient;

  patient = rw_patient_new (patient_id, column_text (stmt, 19), column_text (stmt, 20),
                            column_text (stmt, 21), column_text (stmt, 22));
  /* The key is the patient's own copy of its id. */
  g_hash_table_replace (patients, (gpointer) rw_patient_get_patient_id (patient), patient);
  return patient;
}

/* Appends to @exams the cached exams whose ids are in [@from, @to]. */
static gboolean
read_exams (RwSqlite   *db,
            gint64      from,
            gint64      to,
            GPtrArray  *exams,
            GError    **error)
{
  g_autoptr(GHashTable) patients = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;
  gboolean ok;

  stmt = rw_sqlite_prepare (db, "SELECT " WORKLIST_COLUMNS " FROM worklist WHERE id BETWEEN ? AND ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);

  patients = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  while ((ok = rw_sqlite_step_row (db, stmt, &has_row, error)) && has_row)
    {
      RwExamFields fields = { 0, };

      fields.id = sqlite3_column_int64 (stmt, 0);
      fields.study_uid = column_text (stmt, 1);
      fields.orthanc_id = column_text (stmt, 2);
      fields.accession_number = column_text (stmt, 3);
      fields.study_date = column_text (stmt, 4);
      fields.study_time = column_text (stmt, 5);
      fields.description = column_text (stmt, 6);
      fields.referring_physician = column_text (stmt, 7);
      fields.modality = column_text (stmt, 8);
      fields.series_count = (guint) sqlite3_column_int64 (stmt, 9);
      fields.instance_count = (guint) sqlite3_column_int64 (stmt, 10);
      if (!rw_exam_status_from_string (column_text (stmt, 11), &fields.status))
        fields.status = RW_EXAM_STATUS_PENDING;
      if (!rw_exam_priority_from_string (column_text (stmt, 12), &fields.priority))
        fields.priority = RW_EXAM_PRIORITY_ROUTINE;
      fields.assigned_to_id = sqlite3_column_int64 (stmt, 13);
      fields.assigned_to_name = column_text (stmt, 14);
      fields.stone_viewer_url = column_text (stmt, 15);
      fields.received_at = sqlite3_column_int64 (stmt, 16);
      fields.updated_at = sqlite3_column_int64 (stmt, 17);
      fields.patient = intern_patient (patients, stmt);
      stored_keys (stmt, 23, &fields);

      g_ptr_array_add (exams, rw_exam_new (&fields));
    }
  return ok;
}

/* Below this span of ids, a second connection and thread for a load cost
 * more than they save. */
#define TWO_THREADS_MIN_SPAN 20000

/* The upper half of a large load, read on a thread and connection of its
 * own while the store's worker reads the lower half: at start, the
 * desktop app waits for both. The worker does nothing else meanwhile, so
 * both halves see the same data. */
typedef struct {
  const char *path;
  gint64      from;
  gint64      to;
  GPtrArray  *exams;
  GError     *error;
} UpperHalf;

static gpointer
read_upper_half (gpointer data)
{
  UpperHalf *half = data;
  g_autoptr(RwSqlite) db = NULL;

  db = rw_sqlite_open_unshared (half->path, RW_SQLITE_CACHE, migrations,
                                G_N_ELEMENTS (migrations), &half->error);
  if (db != NULL)
    read_exams (db, half->from, half->to, half->exams, &half->error);
  return NULL;
}

static gboolean
id_span (RwLocalStore  *self,
         gint64        *first,
         gint64        *last,
         GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare (self->db, "SELECT min(id), max(id) FROM worklist", error);
  if (stmt == NULL || !rw_sqlite_step_row (self->db, stmt, &has_row, error))
    return FALSE;
  *first = sqlite3_column_int64 (stmt, 0);
  *last = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

static gboolean
read_all_exams (RwLocalStore  *self,
                GPtrArray     *exams,
                GError       **error)
{
  UpperHalf upper = { self->path, 0, 0, NULL, NULL };
  GThread *helper = NULL;
  gint64 first, last, middle;
  guint64 span;
  gboolean ok;

  if (!id_span (self, &first, &last, error))
    return FALSE;
  middle = last;
  span = (guint64) last - (guint64) first;
  /* Halving the span of ids roughly halves the rows: a server's ids grow
   * one by one. */
  if (span >= TWO_THREADS_MIN_SPAN)
    {
      middle = (gint64) ((guint64) first + span / 2);
      upper.from = middle + 1;
      upper.to = last;
      upper.exams = g_ptr_array_new_with_free_func (g_object_unref);
      helper = g_thread_new ("rw-local-store-load", read_upper_half, &upper);
    }
  ok = read_exams (self->db, first, middle, exams, error);
  if (helper == NULL)
    return ok;

  g_thread_join (helper);
  if (ok && upper.error == NULL)
    g_ptr_array_extend_and_steal (exams, g_steal_pointer (&upper.exams));
  else if (ok)
    {
      g_propagate_error (error, upper.error);
      ok = FALSE;
    }
  else
    g_clear_error (&upper.error);
  g_clear_pointer (&upper.exams, g_ptr_array_unref);
  return ok;
}

static void
load_job (RwLocalStore *self,
          GTask        *task)
{
  const char *server = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *stored_server = NULL;
  g_autofree char *mark = NULL;
  Loaded *loaded;

  if (!ensure_open (self, &error) ||
      (stored_server = get_meta (self, "server", &error)) == NULL ||
      (mark = get_meta (self, "high_water_mark", &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  loaded = g_new0 (Loaded, 1);
  loaded->exams = g_ptr_array_new_with_free_func (g_object_unref);
  if (g_strcmp0 (stored_server, server) != 0)
    {
      g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
      return;
    }
  loaded->high_water_mark = g_ascii_strtoll (mark, NULL, 10);

  if (!read_all_exams (self, loaded->exams, &error))
    {
      loaded_free (loaded);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

static gboolean
clear_worklist (RwLocalStore  *self,
                GError       **error)
{
  return rw_sqlite_exec (self->db, "DELETE FROM worklist", error) &&
         rw_sqlite_exec (self->db, "DELETE FROM meta WHERE key IN ('server', 'high_water_mark')", error);
}

/* The search keys of an exam as the cache keeps them: the version of the
 * folding, then the keys. */
static char *
stored_form_of_keys (const ExamCopy *c,
                     gsize          *len)
{
  g_autofree char *keys = NULL;
  char *stored;

  keys = rw_exam_fold_search_keys (c->text[T_PATIENT_NAME], c->text[T_PATIENT_ID],
                                   c->text[T_ACCESSION], c->text[T_DESCRIPTION],
                                   c->text[T_REFERRING], len);
  stored = g_malloc (*len + 1);
  stored[0] = RW_EXAM_SEARCH_KEYS_VERSION;
  memcpy (stored + 1, keys, *len);
  *len += 1;
  return stored;
}

static gboolean
save_in_transaction (RwLocalStore  *self,
                     SaveData      *data,
                     GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *stored_server = NULL;
  g_autofree char *mark = NULL;
  g_autofree char *new_mark = NULL;
  gint64 high_water_mark;

  if ((stored_server = get_meta (self, "server", error)) == NULL)
    return FALSE;
  if (g_strcmp0 (stored_server, data->server) != 0)
    {
      if (!clear_worklist (self, error) || !set_meta (self, "server", data->server, error))
        return FALSE;
    }
  if ((mark = get_meta (self, "high_water_mark", error)) == NULL)
    return FALSE;
  high_water_mark = g_ascii_strtoll (mark, NULL, 10);

  stmt = rw_sqlite_prepare (self->db,
                            "INSERT OR REPLACE INTO worklist (" WORKLIST_COLUMNS ") VALUES "
                            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < data->copies->len; i++)
    {
      const ExamCopy *c = &g_array_index (data->copies, ExamCopy, i);
      g_autofree char *keys = NULL;
      gsize keys_len;

      keys = stored_form_of_keys (c, &keys_len);

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, c->id);
      sqlite3_bind_text (stmt, 2, c->text[T_STUDY_UID], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, c->text[T_ORTHANC_ID], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, c->text[T_ACCESSION], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, c->text[T_STUDY_DATE], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, c->text[T_STUDY_TIME], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 7, c->text[T_DESCRIPTION], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 8, c->text[T_REFERRING], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 9, c->text[T_MODALITY], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 10, c->series_count);
      sqlite3_bind_int64 (stmt, 11, c->instance_count);
      sqlite3_bind_text (stmt, 12, c->text[T_STATUS], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 13, c->text[T_PRIORITY], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 14, c->assigned_to_id);
      sqlite3_bind_text (stmt, 15, c->text[T_ASSIGNED_NAME], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 16, c->text[T_VIEWER_URL], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 17, c->received_at);
      sqlite3_bind_int64 (stmt, 18, c->updated_at);
      sqlite3_bind_text (stmt, 19, c->text[T_PATIENT_ID], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 20, c->text[T_PATIENT_NAME], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 21, c->text[T_PATIENT_BIRTH], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 22, c->text[T_PATIENT_SEX], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 23, c->text[T_PATIENT_AGE], -1, SQLITE_STATIC);
      sqlite3_bind_blob64 (stmt, 24, keys, keys_len, SQLITE_STATIC);
      if (!rw_sqlite_step_done (self->db, stmt, error))
        return FALSE;
      high_water_mark = MAX (high_water_mark, c->updated_at);
    }

  new_mark = g_strdup_printf ("%" G_GINT64_FORMAT, high_water_mark);
  return set_meta (self, "high_water_mark", new_mark, error);
}

static void
save_job (RwLocalStore *self,
          GTask        *task)
{
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ensure_open (self, &error) || !rw_sqlite_begin (self->db, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!save_in_transaction (self, data, &error) || !rw_sqlite_commit (self->db, &error))
    {
      rw_sqlite_rollback (self->db);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
clear_job (RwLocalStore *self,
           GTask        *task)
{
  g_autoptr(GError) error = NULL;

  if (!ensure_open (self, &error) || !rw_sqlite_begin (self->db, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!clear_worklist (self, &error) || !rw_sqlite_commit (self->db, &error))
    {
      rw_sqlite_rollback (self->db);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  RwLocalStore *self = g_task_get_source_object (job->task);

  if (!g_task_return_error_if_cancelled (job->task))
    job->func (self, job->task);
  g_object_unref (job->task);
  g_free (job);
}

static void
queue_job (RwLocalStore *self,
           GTask        *task,
           JobFunc       func)
{
  Job *job = g_new0 (Job, 1);

  job->task = task;
  job->func = func;
  g_thread_pool_push (self->pool, job, NULL);
}

static void
rw_local_store_finalize (GObject *object)
{
  RwLocalStore *self = (RwLocalStore *)object;

  /* Every queued job holds a reference on its task and so on us: by now the
   * pool is idle. */
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_object (&self->db);
  g_free (self->path);

  G_OBJECT_CLASS (rw_local_store_parent_class)->finalize (object);
}

static void
rw_local_store_class_init (RwLocalStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_local_store_finalize;
}

static void
rw_local_store_init (RwLocalStore *self)
{
  self->pool = g_thread_pool_new (run_job, NULL, 1, FALSE, NULL);
}

RwLocalStore *
rw_local_store_new (const char *path)
{
  RwLocalStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (RW_TYPE_LOCAL_STORE, NULL);
  self->path = g_strdup (path);
  return self;
}

const char *
rw_local_store_get_path (RwLocalStore *self)
{
  g_return_val_if_fail (RW_IS_LOCAL_STORE (self), NULL);
  return self->path;
}

void
rw_local_store_load_async (RwLocalStore        *self,
                           const char          *server,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RW_IS_LOCAL_STORE (self));
  g_return_if_fail (server != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_local_store_load_async);
  g_task_set_task_data (task, g_strdup (server), g_free);
  queue_job (self, task, load_job);
}

GPtrArray *
rw_local_store_load_finish (RwLocalStore  *self,
                            GAsyncResult  *result,
                            gint64        *high_water_mark,
                            GError       **error)
{
  Loaded *loaded;
  GPtrArray *exams;

  g_return_val_if_fail (RW_IS_LOCAL_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rw_local_store_load_async, NULL);

  if (high_water_mark != NULL)
    *high_water_mark = 0;
  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    return NULL;
  exams = g_steal_pointer (&loaded->exams);
  if (high_water_mark != NULL)
    *high_water_mark = loaded->high_water_mark;
  loaded_free (loaded);
  return exams;
}

static void
on_loaded_here (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GPtrArray *
rw_local_store_load (RwLocalStore  *self,
                     const char    *server,
                     GCancellable  *cancellable,
                     gint64        *high_water_mark,
                     GError       **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (RW_IS_LOCAL_STORE (self), NULL);
  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (!g_main_context_is_owner (g_main_context_default ()), NULL);

  /* The answer comes back on a context of this thread's own. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  rw_local_store_load_async (self, server, cancellable, on_loaded_here, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return rw_local_store_load_finish (self, result, high_water_mark, error);
}

static void
copy_exam (RwExam   *exam,
           ExamCopy *copy)
{
  RwPatient *patient = rw_exam_get_patient (exam);

  copy->id = rw_exam_get_id (exam);
  copy->assigned_to_id = rw_exam_get_assigned_to_id (exam);
  copy->received_at = rw_exam_get_received_at (exam);
  copy->updated_at = rw_exam_get_updated_at (exam);
  copy->series_count = rw_exam_get_series_count (exam);
  copy->instance_count = rw_exam_get_instance_count (exam);
  copy->text[T_STUDY_UID] = g_strdup (rw_exam_get_study_uid (exam));
  copy->text[T_ORTHANC_ID] = g_strdup (rw_exam_get_orthanc_id (exam));
  copy->text[T_ACCESSION] = g_strdup (rw_exam_get_accession_number (exam));
  copy->text[T_STUDY_DATE] = g_strdup (rw_exam_get_study_date (exam));
  copy->text[T_STUDY_TIME] = g_strdup (rw_exam_get_study_time (exam));
  copy->text[T_DESCRIPTION] = g_strdup (rw_exam_get_description (exam));
  copy->text[T_REFERRING] = g_strdup (rw_exam_get_referring_physician (exam));
  copy->text[T_MODALITY] = g_strdup (rw_exam_get_modality (exam));
  copy->text[T_STATUS] = g_strdup (rw_exam_status_to_string (rw_exam_get_status (exam)));
  copy->text[T_PRIORITY] = g_strdup (rw_exam_priority_to_string (rw_exam_get_priority (exam)));
  copy->text[T_ASSIGNED_NAME] = g_strdup (rw_exam_get_assigned_to_name (exam));
  copy->text[T_VIEWER_URL] = g_strdup (rw_exam_get_stone_viewer_url (exam));
  copy->text[T_PATIENT_ID] = g_strdup (rw_patient_get_patient_id (patient));
  copy->text[T_PATIENT_NAME] = g_strdup (rw_patient_get_name (patient));
  copy->text[T_PATIENT_BIRTH] = g_strdup (rw_patient_get_birth_date (patient));
  copy->text[T_PATIENT_SEX] = g_strdup (rw_patient_get_sex (patient));
  copy->text[T_PATIENT_AGE] = g_strdup (rw_patient_get_age (patient));
}

void
rw_local_store_save_async (RwLocalStore        *self,
                           const char          *server,
                           GPtrArray           *exams,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  SaveData *data;
  GTask *task;

  g_return_if_fail (RW_IS_LOCAL_STORE (self));
  g_return_if_fail (server != NULL);
  g_return_if_fail (exams != NULL);

  data = g_new0 (SaveData, 1);
  data->server = g_strdup (server);
  data->copies = g_array_sized_new (FALSE, TRUE, sizeof (ExamCopy), exams->len);
  g_array_set_clear_func (data->copies, exam_copy_clear);
  for (guint i = 0; i < exams->len; i++)
    {
      RwExam *exam = g_ptr_array_index (exams, i);
      ExamCopy copy = { 0, };

      g_return_if_fail (RW_IS_EXAM (exam));
      copy_exam (exam, &copy);
      g_array_append_val (data->copies, copy);
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_local_store_save_async);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  queue_job (self, task, save_job);
}

gboolean
rw_local_store_save_finish (RwLocalStore  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (RW_IS_LOCAL_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rw_local_store_clear_async (RwLocalStore        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RW_IS_LOCAL_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_local_store_clear_async);
  queue_job (self, task, clear_job);
}

gboolean
rw_local_store_clear_finish (RwLocalStore  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (RW_IS_LOCAL_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
