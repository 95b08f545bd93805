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
  db = rw_sqlite_open (path, RW_SQLITE_DURABLE, migrations, n_migrations, error);
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

/* Runs one group of writes in one transaction. Some errors (a full disk, an
 * I/O error) make SQLite roll back the whole transaction on its own; then
 * every job of the group so far fails, and the rest start a new one. */
static void
run_batch (RwServerStore *self,
           GPtrArray     *batch)
{
  sqlite3 *handle = rw_sqlite_get_handle (self->writer);
  guint first = 0;

  while (first < batch->len)
    {
      g_autoptr(GError) error = NULL;
      guint i;

      if (!rw_sqlite_begin (self->writer, &error))
        {
          g_warning ("Could not start a transaction: %s", error->message);
          for (i = first; i < batch->len; i++)
            fail_job (g_ptr_array_index (batch, i),
                      g_error_new (RW_SERVER_ERROR, RW_SERVER_ERROR_UNAVAILABLE,
                                   _("The database is busy; try again")));
          break;
        }

      for (i = first; i < batch->len; i++)
        {
          WriteJob *job = g_ptr_array_index (batch, i);
          GError *job_error = NULL;

          if (!rw_sqlite_exec (self->writer, "SAVEPOINT job", &job_error))
            {
              fail_job (job, job_error);
              continue;
            }
          if (job->func (self->writer, job->data, &job_error))
            {
              rw_sqlite_exec (self->writer, "RELEASE job", NULL);
              continue;
            }

          fail_job (job, job_error);
          if (sqlite3_get_autocommit (handle))
            {
              /* The transaction is gone with the jobs before this one. */
              for (guint j = first; j < i; j++)
                fail_job (g_ptr_array_index (batch, j),
                          g_error_new (RW_SERVER_ERROR, RW_SERVER_ERROR_UNAVAILABLE,
                                       _("The server could not store the data; try again")));
              break;
            }
          rw_sqlite_exec (self->writer, "ROLLBACK TO job", NULL);
          rw_sqlite_exec (self->writer, "RELEASE job", NULL);
        }

      if (i < batch->len)
        {
          first = i + 1;
          continue;
        }

      if (!rw_sqlite_commit (self->writer, &error))
        {
          g_critical ("Could not commit %u writes: %s", batch->len - first, error->message);
          rw_sqlite_rollback (self->writer);
          for (i = first; i < batch->len; i++)
            fail_job (g_ptr_array_index (batch, i),
                      g_error_new (RW_SERVER_ERROR, RW_SERVER_ERROR_UNAVAILABLE,
                                   _("The server could not store the data; try again")));
        }
      break;
    }

  for (guint i = 0; i < batch->len; i++)
    return_job (g_ptr_array_index (batch, i));
}

static gpointer
writer_main (gpointer user_data)
{
  RwServerStore *self = user_data;
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  gboolean stop = FALSE;

  while (!stop)
    {
      WriteJob *job = g_async_queue_pop (self->jobs);

      if (job == &stop_job)
        break;
      g_ptr_array_add (batch, job);
      while (batch->len < MAX_BATCH && (job = g_async_queue_try_pop (self->jobs)) != NULL)
        {
          if (job == &stop_job)
            {
              stop = TRUE;
              break;
            }
          g_ptr_array_add (batch, job);
        }
      run_batch (self, batch);
      g_ptr_array_set_size (batch, 0);
    }
  return NULL;
}

static void
rw_server_store_finalize (GObject *object)
{
  RwServerStore *self = (RwServerStore *)object;

  rw_server_store_stop (self);
  g_clear_object (&self->writer);
  g_clear_object (&self->main_db);
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
  self->readers = g_async_queue_new_full (g_object_unref);
  self->jobs = g_async_queue_new ();
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
  if (self->writer == NULL)
    return NULL;
  self->main_db = rw_server_store_open_database (path, TRUE, error);
  if (self->main_db == NULL)
    return NULL;
  self->thread = g_thread_new ("rw-store-writer", writer_main, self);
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

  if (self->thread == NULL)
    return;
  g_async_queue_push (self->jobs, &stop_job);
  g_thread_join (g_steal_pointer (&self->thread));
}
