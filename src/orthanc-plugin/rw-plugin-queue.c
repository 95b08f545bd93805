/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-plugin"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "rw-plugin-config.h"
#include "rw-plugin-queue.h"
#include "rw-sqlite.h"

#define MAX_LISTED_FAILURES 50
/* A message from a server is shown in the status; a page of HTML is not. */
#define MAX_MESSAGE_LENGTH 500

struct _RwPluginQueue
{
  GObject   parent_instance;

  /* One connection shared by Orthanc's threads: the mutex keeps their
   * transactions from interleaving on it. */
  GMutex    lock;
  RwSqlite *db;
};

G_DEFINE_FINAL_TYPE (RwPluginQueue, rw_plugin_queue, G_TYPE_OBJECT)

/* "failed" = 1 is a permanent failure: kept for the status route and for
 * POST /radiweb/retry, never attempted on its own again. */
static const RwSqliteMigration migrations[] = {
  { "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  webhook_id TEXT NOT NULL UNIQUE,"
    "  study_id TEXT NOT NULL,"
    "  failed INTEGER NOT NULL DEFAULT 0 CHECK (failed IN (0, 1)),"
    "  enqueued_at INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  last_attempt_at INTEGER,"
    "  last_status INTEGER,"
    "  last_error TEXT"
    ");"
    "CREATE INDEX events_due ON events (failed, next_attempt_at, id);"
    "CREATE TABLE summary ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  delivered INTEGER NOT NULL DEFAULT 0,"
    "  last_success_at INTEGER,"
    "  last_success_study TEXT,"
    "  last_error_at INTEGER,"
    "  last_error_status INTEGER,"
    "  last_error_message TEXT,"
    "  last_error_study TEXT"
    ");"
    "INSERT INTO summary (id) VALUES (1);" },
};

void
rw_plugin_event_free (RwPluginEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->webhook_id);
  g_free (event->study_id);
  g_free (event);
}

static void
rw_plugin_queue_finalize (GObject *object)
{
  RwPluginQueue *self = (RwPluginQueue *)object;

  g_clear_object (&self->db);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (rw_plugin_queue_parent_class)->finalize (object);
}

static void
rw_plugin_queue_class_init (RwPluginQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_plugin_queue_finalize;
}

static void
rw_plugin_queue_init (RwPluginQueue *self)
{
  g_mutex_init (&self->lock);
}

static gboolean
queue_error (GError **error,
             GError  *cause)
{
  g_set_error (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_QUEUE,
               "The webhook queue failed: %s", cause->message);
  g_error_free (cause);
  return FALSE;
}

RwPluginQueue *
rw_plugin_queue_open (const char  *path,
                      GError     **error)
{
  g_autoptr(RwPluginQueue) self = NULL;
  g_autofree char *dir = NULL;
  GError *cause = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  /* Orthanc creates its index directory only after loading its plugins. */
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_QUEUE,
                   "The webhook queue failed: could not create the folder %s: %s",
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (RW_TYPE_PLUGIN_QUEUE, NULL);
  self->db = rw_sqlite_open (path, RW_SQLITE_DURABLE, migrations, G_N_ELEMENTS (migrations), &cause);
  if (self->db == NULL)
    {
      queue_error (error, cause);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* Runs one statement that changes rows, inside the caller's lock. @types
 * gives the parameters that follow: 'i' a gint64, 's' a string, 'u' an
 * HTTP status (guint, 0 stored as NULL). */
static gboolean
run (RwPluginQueue  *self,
     const char     *sql,
     GError        **error,
     const char     *types,
     ...)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *cause = NULL;
  va_list args;

  stmt = rw_sqlite_prepare (self->db, sql, &cause);
  if (stmt == NULL)
    return queue_error (error, cause);

  va_start (args, types);
  for (int i = 0; types[i] != '\0'; i++)
    {
      if (types[i] == 'i')
        sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64));
      else if (types[i] == 'u')
        {
          guint value = va_arg (args, guint);

          /* 0 is "no HTTP answer", kept as NULL. */
          if (value != 0)
            sqlite3_bind_int64 (stmt, i + 1, value);
        }
      else
        sqlite3_bind_text (stmt, i + 1, va_arg (args, const char *), -1, SQLITE_TRANSIENT);
    }
  va_end (args);

  if (!rw_sqlite_step_done (self->db, stmt, &cause))
    return queue_error (error, cause);
  return TRUE;
}

char *
rw_plugin_queue_enqueue (RwPluginQueue  *self,
                         const char     *study_id,
                         gint64          now,
                         GError        **error)
{
  g_autofree char *webhook_id = g_uuid_string_random ();
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (RW_IS_PLUGIN_QUEUE (self), NULL);
  g_return_val_if_fail (study_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!run (self,
            "INSERT INTO events (webhook_id, study_id, enqueued_at, next_attempt_at)"
            " VALUES (?, ?, ?, ?)",
            error, "ssii", webhook_id, study_id, now, now))
    return NULL;
  return g_steal_pointer (&webhook_id);
}

RwPluginEvent *
rw_plugin_queue_next_due (RwPluginQueue  *self,
                          gint64          now,
                          gint64         *wake_at,
                          GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  RwPluginEvent *event;
  gboolean has_row = FALSE;
  GError *cause = NULL;

  g_return_val_if_fail (RW_IS_PLUGIN_QUEUE (self), NULL);
  g_return_val_if_fail (wake_at != NULL, NULL);

  *wake_at = G_MAXINT64;
  locker = g_mutex_locker_new (&self->lock);
  stmt = rw_sqlite_prepare (self->db,
                            "SELECT id, webhook_id, study_id, attempts, enqueued_at, next_attempt_at"
                            " FROM events WHERE failed = 0 ORDER BY next_attempt_at, id LIMIT 1",
                            &cause);
  if (stmt == NULL || !rw_sqlite_step_row (self->db, stmt, &has_row, &cause))
    {
      queue_error (error, cause);
      return NULL;
    }
  if (!has_row)
    return NULL;
  *wake_at = sqlite3_column_int64 (stmt, 5);
  if (*wake_at > now)
    return NULL;

  event = g_new0 (RwPluginEvent, 1);
  event->id = sqlite3_column_int64 (stmt, 0);
  event->webhook_id = rw_sqlite_column_dup (stmt, 1);
  event->study_id = rw_sqlite_column_dup (stmt, 2);
  event->attempts = (guint) sqlite3_column_int64 (stmt, 3);
  event->enqueued_at = sqlite3_column_int64 (stmt, 4);
  return event;
}

gboolean
rw_plugin_queue_delivered (RwPluginQueue        *self,
                           const RwPluginEvent  *event,
                           gint64                now,
                           GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  GError *cause = NULL;

  g_return_val_if_fail (RW_IS_PLUGIN_QUEUE (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!rw_sqlite_begin (self->db, &cause))
    return queue_error (error, cause);
  if (!run (self, "DELETE FROM events WHERE id = ?", error, "i", event->id) ||
      !run (self,
            "UPDATE summary SET delivered = delivered + 1, last_success_at = ?, last_success_study = ?",
            error, "is", now, event->study_id) ||
      !run (self, "UPDATE events SET next_attempt_at = ? WHERE failed = 0 AND next_attempt_at > ?",
            error, "ii", now, now))
    {
      rw_sqlite_rollback (self->db);
      return FALSE;
    }
  if (!rw_sqlite_commit (self->db, &cause))
    {
      rw_sqlite_rollback (self->db);
      return queue_error (error, cause);
    }
  return TRUE;
}

gboolean
rw_plugin_queue_failed (RwPluginQueue        *self,
                        const RwPluginEvent  *event,
                        gint64                now,
                        gint64                retry_at,
                        guint                 http_status,
                        const char           *message,
                        GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *shown = NULL;
  GError *cause = NULL;

  g_return_val_if_fail (RW_IS_PLUGIN_QUEUE (self), FALSE);
  g_return_val_if_fail (event != NULL && message != NULL, FALSE);

  shown = g_utf8_make_valid (message, -1);
  if (g_utf8_strlen (shown, -1) > MAX_MESSAGE_LENGTH)
    *g_utf8_offset_to_pointer (shown, MAX_MESSAGE_LENGTH) = '\0';

  locker = g_mutex_locker_new (&self->lock);
  if (!rw_sqlite_begin (self->db, &cause))
    return queue_error (error, cause);
  if (!run (self,
            "UPDATE events SET attempts = attempts + 1, last_attempt_at = ?1, last_status = ?2,"
            " last_error = ?3, failed = ?4, next_attempt_at = ?5 WHERE id = ?6",
            error, "iusiii", now, http_status, shown, (gint64) (retry_at < 0),
            retry_at < 0 ? now : retry_at, event->id) ||
      !run (self,
            "UPDATE summary SET last_error_at = ?1, last_error_status = ?2,"
            " last_error_message = ?3, last_error_study = ?4",
            error, "iuss", now, http_status, shown, event->study_id))
    {
      rw_sqlite_rollback (self->db);
      return FALSE;
    }
  if (!rw_sqlite_commit (self->db, &cause))
    {
      rw_sqlite_rollback (self->db);
      return queue_error (error, cause);
    }
  return TRUE;
}

gboolean
rw_plugin_queue_drop (RwPluginQueue        *self,
                      const RwPluginEvent  *event,
                      GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (RW_IS_PLUGIN_QUEUE (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return run (self, "DELETE FROM events WHERE id = ?", error, "i", event->id);
}

gboolean
rw_plugin_queue_retry_now (RwPluginQueue  *self,
                           gint64          now,
                           gboolean        include_failures,
                           guint          *n_events,
                           GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (RW_IS_PLUGIN_QUEUE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!run (self,
            "UPDATE events SET next_attempt_at = ?1,"
            " attempts = CASE WHEN failed THEN 0 ELSE attempts END, failed = 0"
            " WHERE failed = 0 OR ?2",
            error, "ii", now, (gint64) include_failures))
    return FALSE;
  if (n_events != NULL)
    *n_events = (guint) sqlite3_changes (rw_sqlite_get_handle (self->db));
  return TRUE;
}

static void
set_time (JsonObject *object,
          const char *member,
          gint64      ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *text = dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;

  if (text == NULL)
    json_object_set_null_member (object, member);
  else
    json_object_set_string_member (object, member, text);
}

static void
set_seconds (JsonObject *object,
             const char *member,
             gint64      ms)
{
  /* Tenths of a second: enough to watch a short test schedule. */
  json_object_set_double_member (object, member, (double) (ms / 100) / 10.0);
}

static void
set_status_code (JsonObject   *object,
                 sqlite3_stmt *stmt,
                 int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_object_set_null_member (object, "http_status");
  else
    json_object_set_int_member (object, "http_status", sqlite3_column_int64 (stmt, column));
}

static gboolean
add_queue (RwPluginQueue  *self,
           JsonObject     *status,
           gint64          now,
           GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;
  GError *cause = NULL;

  stmt = rw_sqlite_prepare (self->db,
                            "SELECT count(*), min(enqueued_at), min(next_attempt_at),"
                            " (SELECT count(*) FROM events WHERE failed = 1)"
                            " FROM events WHERE failed = 0",
                            &cause);
  if (stmt == NULL || !rw_sqlite_step_row (self->db, stmt, &has_row, &cause))
    return queue_error (error, cause);
  g_assert (has_row);

  json_object_set_int_member (status, "queue_length", sqlite3_column_int64 (stmt, 0));
  if (sqlite3_column_int64 (stmt, 0) == 0)
    {
      json_object_set_null_member (status, "oldest_pending_age");
      json_object_set_null_member (status, "next_attempt_in");
    }
  else
    {
      set_seconds (status, "oldest_pending_age", MAX (0, now - sqlite3_column_int64 (stmt, 1)));
      set_seconds (status, "next_attempt_in", MAX (0, sqlite3_column_int64 (stmt, 2) - now));
    }
  json_object_set_int_member (status, "permanent_failure_count", sqlite3_column_int64 (stmt, 3));
  return TRUE;
}

static gboolean
add_failures (RwPluginQueue  *self,
              JsonObject     *status,
              GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonArray) failures = json_array_new ();
  GError *cause = NULL;

  stmt = rw_sqlite_prepare (self->db,
                            "SELECT webhook_id, study_id, attempts, enqueued_at, last_attempt_at,"
                            " last_status, last_error FROM events WHERE failed = 1"
                            " ORDER BY last_attempt_at DESC, id DESC LIMIT " G_STRINGIFY (MAX_LISTED_FAILURES),
                            &cause);
  if (stmt == NULL)
    return queue_error (error, cause);
  for (;;)
    {
      gboolean has_row = FALSE;
      JsonObject *failure;

      if (!rw_sqlite_step_row (self->db, stmt, &has_row, &cause))
        return queue_error (error, cause);
      if (!has_row)
        break;
      failure = json_object_new ();
      json_object_set_string_member (failure, "webhook_id", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (failure, "study", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_int_member (failure, "attempts", sqlite3_column_int64 (stmt, 2));
      set_time (failure, "queued_at", sqlite3_column_int64 (stmt, 3));
      set_time (failure, "failed_at", sqlite3_column_int64 (stmt, 4));
      set_status_code (failure, stmt, 5);
      json_object_set_string_member (failure, "message", (const char *) sqlite3_column_text (stmt, 6));
      json_array_add_object_element (failures, failure);
    }
  json_object_set_array_member (status, "permanent_failures", g_steal_pointer (&failures));
  return TRUE;
}

static gboolean
add_summary (RwPluginQueue  *self,
             JsonObject     *status,
             GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;
  GError *cause = NULL;
  gint64 success_at, error_at;

  stmt = rw_sqlite_prepare (self->db,
                            "SELECT delivered, last_success_at, last_success_study, last_error_at,"
                            " last_error_status, last_error_message, last_error_study FROM summary",
                            &cause);
  if (stmt == NULL || !rw_sqlite_step_row (self->db, stmt, &has_row, &cause))
    return queue_error (error, cause);
  g_assert (has_row);

  json_object_set_int_member (status, "delivered", sqlite3_column_int64 (stmt, 0));
  success_at = sqlite3_column_type (stmt, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 1);
  error_at = sqlite3_column_type (stmt, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 3);
  if (success_at < 0)
    json_object_set_null_member (status, "last_success");
  else
    {
      JsonObject *success = json_object_new ();

      set_time (success, "time", success_at);
      json_object_set_string_member (success, "study", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_object_member (status, "last_success", success);
    }
  if (error_at < 0)
    json_object_set_null_member (status, "last_error");
  else
    {
      JsonObject *last = json_object_new ();

      set_time (last, "time", error_at);
      set_status_code (last, stmt, 4);
      json_object_set_string_member (last, "message", (const char *) sqlite3_column_text (stmt, 5));
      json_object_set_string_member (last, "study", (const char *) sqlite3_column_text (stmt, 6));
      json_object_set_object_member (status, "last_error", last);
    }
  json_object_set_boolean_member (status, "healthy",
                                  json_object_get_int_member (status, "permanent_failure_count") == 0 &&
                                  (error_at < 0 || success_at >= error_at));
  return TRUE;
}

JsonObject *
rw_plugin_queue_dup_status (RwPluginQueue  *self,
                            gint64          now,
                            GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(JsonObject) status = json_object_new ();

  g_return_val_if_fail (RW_IS_PLUGIN_QUEUE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!add_queue (self, status, now, error) ||
      !add_failures (self, status, error) ||
      !add_summary (self, status, error))
    return NULL;
  return g_steal_pointer (&status);
}
