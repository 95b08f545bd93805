/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rw-server-error.h"
#include "rw-server-schema.h"
#include "rw-server-store.h"

/* Writes waiting together are committed together, up to this many: one
 * fsync then acknowledges a whole burst of webhooks. */
#define MAX_BATCH 512

struct _RwServerStore
{
  GObject      parent_instance;

  char        *path;
  /* Owned by the writer thread once it runs. */
  RwSqlite    *writer;
  /* For the main thread's own short reads (token checks). */
  RwSqlite    *main_db;
  /* Idle read-only connections for the read tasks. */
  GAsyncQueue *readers;
  /* WriteJob*, and &stop_job to end the thread. */
  GAsyncQueue *jobs;
  GThread     *thread;
  /* Where the callbacks run: the context the store was made in. */
  GMainContext *context;

  /* Checkpoints copy the WAL into the database file and fsync it; they run
   * on a thread of their own so that the writer mostly only appends (see
   * on_wal_commit()). */
  RwSqlite    *checkpointer;
  GThread     *checkpoint_thread;
  GMutex       checkpoint_lock;
  GCond        checkpoint_cond;
  gboolean     checkpoint_wanted;
  gboolean     checkpoint_stop;
  /* The thread is copying; the writer is finishing the copy (the thread
   * waits). */
  gboolean     checkpoint_running;
  gboolean     checkpoint_finishing;
};

G_DEFINE_FINAL_TYPE (RwServerStore, rw_server_store, G_TYPE_OBJECT)

typedef struct {
  RwServerStoreFunc  func;
  gpointer           data;
  GTask             *task;
  GError            *error;
  gboolean           done;
} WriteJob;

static WriteJob stop_job;

/* Opens @path with the server's schema, creating or migrating it. */
RwSqlite *
rw_server_store_open_database (const char  *path,
                               gboolean     read_only,
                               GError     **error)
{
  g_autoptr(RwSqlite) db = NULL;
  const RwSqliteMigration *migrations;
  guint n_migrations;

  migrations = rw_server_schema_get_migrations (&n_migrations);
  /* Each connection of the store serves one thread at a time (see the
   * struct). */
  db = rw_sqlite_open_unshared (path, RW_SQLITE_DURABLE, migrations, n_migrations, error);
  if (db == NULL)
    return NULL;

  if (read_only)
    {
      if (!rw_sqlite_exec (db, "PRAGMA query_only = ON", error))
        return NULL;
    }
  else if (sqlite3_db_readonly (rw_sqlite_get_handle (db), "main") != 0)
    {
      g_set_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_OPEN,
                   _("Could not open the database %s for writing: check the permissions of the file and of its folder"),
                   path);
      return NULL;
    }
  return g_steal_pointer (&db);
}

static void
fail_job (WriteJob   *job,
          GError     *error)
{
  if (job->done)
    return;
  if (job->error == NULL)
    job->error = error;
  else
    g_error_free (error);
  job->done = TRUE;
}

static void
return_job (WriteJob *job)
{
  if (job->error != NULL)
    g_task_return_error (job->task, g_steal_pointer (&job->error));
  else
    g_task_return_boolean (job->task, TRUE);
  g_object_unref (job->task);
  g_free (job);
}

/* Runs the jobs of the group that are not done yet in one transaction.
 * There is no savepoint per job: a savepoint costs a statement of its own
 * and makes FTS5 write out its pending index, which cost a third of the
 * writer's time. A job that fails before it wrote anything (a 409, a 404:
 * the usual case) simply fails. One that fails after writing cannot be
 * undone alone: the transaction is rolled back, the job fails, and FALSE
 * asks for the others to be run again in a new transaction. SQLite itself
 * rolls back the whole transaction on some errors (a full disk); that is
 * handled the same way. */
static gboolean
run_group (RwServerStore *self,
           GPtrArray     *batch)
{
  sqlite3 *handle = rw_sqlite_get_handle (self->writer);
  g_autoptr(GError) error = NULL;

  if (!rw_sqlite_begin (self->writer, &error))
    {
      g_warning ("Could not start a transaction: %s", error->message);
      for (guint i = 0; i < batch->len; i++)
        fail_job (g_ptr_array_index (batch, i),
                  g_error_new (RW_SERVER_ERROR, RW_SERVER_ERROR_UNAVAILABLE,
                               _("The database is busy; try again")));
      return TRUE;
    }

  for (guint i = 0; i < batch->len; i++)
    {
      WriteJob *job = g_ptr_array_index (batch, i);
      sqlite3_int64 changes = sqlite3_total_changes64 (handle);
      GError *job_error = NULL;

      if (job->done)
        continue;
      if (job->func (self->writer, job->data, &job_error))
        continue;

      fail_job (job, job_error);
      if (sqlite3_total_changes64 (handle) != changes || sqlite3_get_autocommit (handle))
        {
          rw_sqlite_rollback (self->writer);
          return FALSE;
        }
    }

  if (!rw_server_schema_before_commit (self->writer, &error) ||
      !rw_sqlite_commit (self->writer, &error))
    {
      g_critical ("Could not commit %u writes: %s", batch->len, error->message);
      rw_sqlite_rollback (self->writer);
      for (guint i = 0; i < batch->len; i++)
        fail_job (g_ptr_array_index (batch, i),
                  g_error_new (RW_SERVER_ERROR, RW_SERVER_ERROR_UNAVAILABLE,
                               _("The server could not store the data; try again")));
    }
  return TRUE;
}

/* On the main context: one wake-up per group rather than one per job. */
static gboolean
return_jobs (gpointer data)
{
  GPtrArray *done = data;

  for (guint i = 0; i < done->len; i++)
    return_job (g_ptr_array_index (done, i));
  return G_SOURCE_REMOVE;
}

static void
run_batch (RwServerStore *self,
           GPtrArray     *batch)
{
  GPtrArray *done;

  /* Each round that asks for another has failed one more job, so this
   * ends. */
  while (!run_group (self, batch))
    ;
  done = g_ptr_array_new_full (batch->len, NULL);
  for (guint i = 0; i < batch->len; i++)
    g_ptr_array_add (done, g_ptr_array_index (batch, i));
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, return_jobs, done,
                              (GDestroyNotify) g_ptr_array_unref);
}

/* Takes what is waiting, up to MAX_BATCH. Under a burst (the last group
 * had company) it also waits up to COMMIT_DELAY for more: a commit costs
 * about the same for one write as for fifty, and the first write of the
 * group waits at most that long more. A lone write is never held. */
#define COMMIT_DELAY 250 /* µs */

static gpointer
writer_main (gpointer user_data)
{
  RwServerStore *self = user_data;
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  gboolean stop = FALSE;
  guint last_size = 0;

  while (!stop)
    {
      WriteJob *job = g_async_queue_pop (self->jobs);
      gint64 deadline;

      if (job == &stop_job)
        break;
      g_ptr_array_add (batch, job);
      deadline = g_get_monotonic_time () + (last_size > 1 ? COMMIT_DELAY : 0);
      while (batch->len < MAX_BATCH)
        {
          gint64 left = deadline - g_get_monotonic_time ();

          job = left > 0 ? g_async_queue_timeout_pop (self->jobs, (guint64) left)
                         : g_async_queue_try_pop (self->jobs);
          if (job == NULL)
            break;
          if (job == &stop_job)
            {
              stop = TRUE;
              break;
            }
          g_ptr_array_add (batch, job);
        }
      last_size = batch->len;
      run_batch (self, batch);
      g_ptr_array_set_size (batch, 0);
    }
  return NULL;
}

/* The log's length, in pages, past which the checkpoint thread copies it
 * into the database, and past which the writer finishes that copy itself.
 * A checkpoint copies each page once however many commits rewrote it, and
 * every commit rewrites the same few pages (the ends of the indexes, the
 * inner pages, the search index's records): the longer the log that a
 * checkpoint covers, the less it copies per write. Past CHECKPOINT_START
 * the thread runs after every commit, so that little is left when the
 * writer finishes at CHECKPOINT_FINISH: the log holds at most those
 * 64 MB and the group of writes that went past them. With SQLite's default
 * of 1000 pages and a finish at 4000, the checkpoints of the webhook
 * benchmark cost 12 to 17 µs of CPU per webhook; with these, 6 to 9. */
#define CHECKPOINT_START  8000
#define CHECKPOINT_FINISH 16000

/* Called by SQLite on the writer's thread after each commit, in place of
 * its automatic checkpoint. The checkpoint thread copies the log into the
 * database while the writer goes on. But the log can only start over once
 * a checkpoint has caught up with the last commit, which never happens
 * while commits keep coming: past CHECKPOINT_FINISH the writer itself
 * finishes the copy (the little the other thread left), so that the next
 * transaction restarts the log and it stays bounded under any load. Only
 * one checkpoint runs at a time (a second one gives up at once), so the
 * writer first waits for the thread's copy in progress and keeps it from
 * starting another; otherwise, with the thread copying after every
 * commit, the writer's attempts could all fail and the log grow. */
static int
on_wal_commit (gpointer    user_data,
               sqlite3    *db,
               const char *name,
               int         n_frames)
{
  RwServerStore *self = user_data;

  if (n_frames < CHECKPOINT_START)
    return SQLITE_OK;

  g_mutex_lock (&self->checkpoint_lock);
  if (n_frames < CHECKPOINT_FINISH)
    {
      self->checkpoint_wanted = TRUE;
      g_cond_broadcast (&self->checkpoint_cond);
      g_mutex_unlock (&self->checkpoint_lock);
      return SQLITE_OK;
    }
  self->checkpoint_finishing = TRUE;
  while (self->checkpoint_running)
    g_cond_wait (&self->checkpoint_cond, &self->checkpoint_lock);
  g_mutex_unlock (&self->checkpoint_lock);

  sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

  g_mutex_lock (&self->checkpoint_lock);
  self->checkpoint_finishing = FALSE;
  g_cond_broadcast (&self->checkpoint_cond);
  g_mutex_unlock (&self->checkpoint_lock);
  return SQLITE_OK;
}

static gpointer
checkpoint_main (gpointer user_data)
{
  RwServerStore *self = user_data;
  sqlite3 *handle = rw_sqlite_get_handle (self->checkpointer);

  g_mutex_lock (&self->checkpoint_lock);
  while (!self->checkpoint_stop)
    {
      int rc;

      if (!self->checkpoint_wanted || self->checkpoint_finishing)
        {
          g_cond_wait (&self->checkpoint_cond, &self->checkpoint_lock);
          continue;
        }
      self->checkpoint_wanted = FALSE;
      self->checkpoint_running = TRUE;
      g_mutex_unlock (&self->checkpoint_lock);
      /* PASSIVE: copies what no reader still needs, never blocks the
       * writer; the next commit after a complete one restarts the WAL. */
      rc = sqlite3_wal_checkpoint_v2 (handle, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        g_warning ("Checkpoint of %s: %s", self->path, sqlite3_errmsg (handle));
      g_mutex_lock (&self->checkpoint_lock);
      self->checkpoint_running = FALSE;
      g_cond_broadcast (&self->checkpoint_cond);
    }
  g_mutex_unlock (&self->checkpoint_lock);
  return NULL;
}

static void
rw_server_store_finalize (GObject *object)
{
  RwServerStore *self = (RwServerStore *)object;

  rw_server_store_stop (self);
  g_clear_object (&self->writer);
  g_clear_object (&self->checkpointer);
  g_clear_object (&self->main_db);
  g_mutex_clear (&self->checkpoint_lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_cond_clear (&self->checkpoint_cond);
  g_clear_pointer (&self->readers, g_async_queue_unref);
  g_clear_pointer (&self->jobs, g_async_queue_unref);
  g_free (self->path);

  G_OBJECT_CLASS (rw_server_store_parent_class)->finalize (object);
}

static void
rw_server_store_class_init (RwServerStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_server_store_finalize;
}

static void
rw_server_store_init (RwServerStore *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->readers = g_async_queue_new_full (g_object_unref);
  self->jobs = g_async_queue_new ();
  g_mutex_init (&self->checkpoint_lock);
  g_cond_init (&self->checkpoint_cond);
}

/* Opens the database (creating or migrating it) and starts the writer. */
RwServerStore *
rw_server_store_new (const char  *path,
                     GError     **error)
{
  g_autoptr(RwServerStore) self = g_object_new (RW_TYPE_SERVER_STORE, NULL);

  g_return_val_if_fail (path != NULL, NULL);

  self->path = g_strdup (path);
  self->writer = rw_server_store_open_database (path, FALSE, error);
  if (self->writer == NULL || !rw_server_schema_prepare_writer (self->writer, error))
    return NULL;
  self->checkpointer = rw_server_store_open_database (path, FALSE, error);
  if (self->checkpointer == NULL)
    return NULL;
  self->main_db = rw_server_store_open_database (path, TRUE, error);
  if (self->main_db == NULL)
    return NULL;
  sqlite3_wal_hook (rw_sqlite_get_handle (self->writer), on_wal_commit, self);
  self->thread = g_thread_new ("rw-store-writer", writer_main, self);
  self->checkpoint_thread = g_thread_new ("rw-store-checkpoint", checkpoint_main, self);
  return g_steal_pointer (&self);
}

RwSqlite *
rw_server_store_get_main_connection (RwServerStore *self)
{
  g_return_val_if_fail (RW_IS_SERVER_STORE (self), NULL);
  return self->main_db;
}

typedef struct {
  RwServerStoreFunc func;
  gpointer          data;
} ReadJob;

static void
read_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RwServerStore *self = source_object;
  ReadJob *job = task_data;
  g_autoptr(GError) error = NULL;
  RwSqlite *db;
  gboolean ok;

  db = g_async_queue_try_pop (self->readers);
  if (db == NULL)
    db = rw_server_store_open_database (self->path, TRUE, &error);
  if (db == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ok = rw_sqlite_exec (db, "BEGIN", &error) && job->func (db, job->data, &error);
  rw_sqlite_rollback (db);
  g_async_queue_push (self->readers, db);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
rw_server_store_read_async (RwServerStore       *self,
                            RwServerStoreFunc    func,
                            gpointer             data,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadJob *job;

  g_return_if_fail (RW_IS_SERVER_STORE (self));
  g_return_if_fail (func != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_server_store_read_async);
  job = g_new0 (ReadJob, 1);
  job->func = func;
  job->data = data;
  g_task_set_task_data (task, job, g_free);
  g_task_run_in_thread (task, read_in_thread);
}

gboolean
rw_server_store_read_finish (RwServerStore  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rw_server_store_write_async (RwServerStore       *self,
                             RwServerStoreFunc    func,
                             gpointer             data,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  WriteJob *job;

  g_return_if_fail (RW_IS_SERVER_STORE (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (self->thread != NULL);

  job = g_new0 (WriteJob, 1);
  job->func = func;
  job->data = data;
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, rw_server_store_write_async);
  g_async_queue_push (self->jobs, job);
}

gboolean
rw_server_store_write_finish (RwServerStore  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lets the writer finish every write queued so far, then stops it. Their
 * callbacks still run from the main loop afterwards. */
void
rw_server_store_stop (RwServerStore *self)
{
  g_return_if_fail (RW_IS_SERVER_STORE (self));

  if (self->thread != NULL)
    {
      g_async_queue_push (self->jobs, &stop_job);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  if (self->checkpoint_thread != NULL)
    {
      g_mutex_lock (&self->checkpoint_lock);
      self->checkpoint_stop = TRUE;
      g_cond_broadcast (&self->checkpoint_cond);
      g_mutex_unlock (&self->checkpoint_lock);
      g_thread_join (g_steal_pointer (&self->checkpoint_thread));
    }
}
