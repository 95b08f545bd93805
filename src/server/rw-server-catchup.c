/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rw-change-follower.h"
#include "rw-json.h"
#include "rw-orthanc-client.h"
#include "rw-server-catchup.h"
#include "rw-server-error.h"
#include "rw-server-exams.h"
#include "rw-server-request.h"
#include "rw-server-webhook.h"
#include "rw-viewer-url.h"

/* While Orthanc cannot be reached or a study cannot be stored, the head
 * of the queue is tried again after this, doubling up to the maximum. */
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 30000

struct _RwServerCatchup
{
  GObject           parent_instance;

  RwServerConfig   *config;
  RwServerStore    *store;
  RwServerEvents   *events;
  RwOrthancClient  *client;
  RwChangeFollower *follower;
  const char       *public_url;
  GCancellable     *cancellable;

  /* StableStudy changes handed out by the follower, handled one at a time
   * in order: Change*. */
  GQueue            pending;
  gboolean          running;
  gboolean          busy;
  gint64            stored_seq;
  guint             retry_id;
  guint             retry_ms;
  gboolean          failing;
};

G_DEFINE_FINAL_TYPE (RwServerCatchup, rw_server_catchup, G_TYPE_OBJECT)

typedef struct {
  gint64  seq;
  char   *study_id;
} Change;

/* One write: a study and the position after it, or the position alone. */
typedef struct {
  RwServerCatchup  *self;
  gint64            seq;
  RwWebhookPayload *payload;      /* NULL: the position alone */
  gint64            now;
  /* Results, set afresh on every run of the job (the store may run it
   * again when another write of its group fails). */
  gint64            exam_id;
  gboolean          created;
  char             *frame;        /* for /api/events; NULL: nothing stored */
} Job;

static void process_next (RwServerCatchup *self);

static void
change_free (Change *change)
{
  g_free (change->study_id);
  g_free (change);
}

static void
job_free (Job *job)
{
  g_object_unref (job->self);
  g_clear_pointer (&job->payload, rw_webhook_payload_free);
  g_free (job->frame);
  g_free (job);
}

static gboolean
on_retry (gpointer user_data)
{
  RwServerCatchup *self = user_data;

  self->retry_id = 0;
  process_next (self);
  return G_SOURCE_REMOVE;
}

static void
retry_later (RwServerCatchup *self)
{
  self->retry_ms = self->retry_ms == 0 ? RETRY_FIRST_MS : MIN (self->retry_ms * 2, RETRY_MAX_MS);
  if (self->running && self->retry_id == 0)
    self->retry_id = g_timeout_add (self->retry_ms, on_retry, self);
}

/* On the writer. */
static gboolean
already_stored (RwSqlite                *db,
                const RwWebhookPayload  *payload,
                gboolean                *stored,
                GError                 **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare_cached (db, "SELECT series_count, instance_count FROM exams WHERE study_uid = ?",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, payload->study_uid, -1, SQLITE_STATIC);
  if (!rw_sqlite_step_row (db, stmt, &has_row, error))
    return FALSE;
  /* The same counts: the webhook (or an earlier catch-up) brought it. A
   * study that grew since gets its new counts. */
  *stored = has_row &&
            sqlite3_column_int64 (stmt, 0) == payload->series_count &&
            sqlite3_column_int64 (stmt, 1) == payload->instance_count;
  return TRUE;
}

static gboolean
save_position (RwSqlite    *db,
               const char  *orthanc_url,
               gint64       seq,
               GError     **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  stmt = rw_sqlite_prepare_cached (db, "UPDATE orthanc_changes SET orthanc_url = ?, last_seq = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, orthanc_url, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, seq);
  return rw_sqlite_step_done (db, stmt, error);
}

static gboolean
write_job (RwSqlite  *db,
           gpointer   data,
           GError   **error)
{
  Job *job = data;
  gboolean stored = FALSE;

  job->exam_id = 0;
  job->created = FALSE;
  g_clear_pointer (&job->frame, g_free);

  if (job->payload != NULL)
    {
      if (!already_stored (db, job->payload, &stored, error))
        return FALSE;
      if (!stored)
        {
          if (!rw_server_webhook_store (db, job->payload, job->now, &job->exam_id, &job->created, error))
            return FALSE;
          job->frame = rw_server_exams_event_frame (db, job->created ? "exam_created" : "exam_updated",
                                                    job->exam_id, error);
          if (job->frame == NULL)
            return FALSE;
        }
    }
  return save_position (db, job->self->config->orthanc_url, job->seq, error);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Job *job = user_data;
  RwServerCatchup *self = g_object_ref (job->self);
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  if (!rw_server_store_write_finish (RW_SERVER_STORE (source), result, &error))
    {
      g_warning ("Catch-up from Orthanc: could not store change %" G_GINT64_FORMAT ": %s",
                 job->seq, error->message);
      job_free (job);
      retry_later (self);
      g_object_unref (self);
      return;
    }

  self->stored_seq = job->seq;
  self->retry_ms = 0;
  if (job->payload != NULL)
    {
      Change *head = g_queue_pop_head (&self->pending);

      g_assert (head != NULL && head->seq == job->seq);
      if (job->frame != NULL)
        {
          /* Stored here first: the webhook of this study was lost, late,
           * or the plugin is off. */
          g_message ("Catch-up from Orthanc: study %s stored (exam %" G_GINT64_FORMAT ", %s)",
                     head->study_id, job->exam_id, job->created ? "new" : "updated");
          rw_server_events_broadcast (self->events, job->frame);
        }
      change_free (head);
    }
  job_free (job);
  process_next (self);
  g_object_unref (self);
}

static void
store_change (RwServerCatchup  *self,
       gint64            seq,
       RwWebhookPayload *payload)
{
  Job *job = g_new0 (Job, 1);

  job->self = g_object_ref (self);
  job->seq = seq;
  job->payload = payload;
  job->now = g_get_real_time ();
  self->busy = TRUE;
  rw_server_store_write_async (self->store, write_job, job, NULL, on_written, job);
}

static void
set_failing (RwServerCatchup *self,
             const GError    *error)
{
  if (error != NULL && !self->failing)
    g_warning ("Catch-up from Orthanc: %s; trying again", error->message);
  else if (error == NULL && self->failing)
    g_message ("Catch-up from Orthanc: %s answers again", self->config->orthanc_url);
  self->failing = error != NULL;
}

static void
on_study (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RwServerCatchup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(RwWebhookPayload) payload = NULL;
  g_autofree char *body = NULL;
  Change *head = g_queue_peek_head (&self->pending);

  exam = rw_orthanc_client_get_study_finish (RW_ORTHANC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->busy = FALSE;
      return;
    }
  if (exam == NULL && g_error_matches (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND))
    {
      /* Deleted since it became stable: nothing to store, but the change
       * is handled. */
      set_failing (self, NULL);
      g_queue_pop_head (&self->pending);
      store_change (self, head->seq, NULL);
      change_free (head);
      return;
    }
  if (exam == NULL)
    {
      self->busy = FALSE;
      set_failing (self, error);
      retry_later (self);
      return;
    }
  set_failing (self, NULL);

  /* The plugin's payload, through the webhook's own parser: the two ways
   * in cannot drift apart. */
  object = rw_exam_to_webhook_payload (exam, self->public_url, NULL);
  body = rw_json_object_to_string (object);
  payload = rw_webhook_payload_parse (body, strlen (body), &error);
  if (payload == NULL)
    {
      /* Orthanc holds a study the webhook would refuse too (say, without
       * a PatientID): skipped, as the plugin's delivery would fail. */
      g_warning ("Catch-up from Orthanc: study %s cannot be stored: %s", head->study_id, error->message);
      g_queue_pop_head (&self->pending);
      store_change (self, head->seq, NULL);
      change_free (head);
      return;
    }
  store_change (self, head->seq, g_steal_pointer (&payload));
}

static void
process_next (RwServerCatchup *self)
{
  Change *head;

  if (!self->running || self->busy || self->retry_id != 0 || self->follower == NULL)
    return;

  head = g_queue_peek_head (&self->pending);
  if (head == NULL)
    {
      /* Nothing waits: keep up with what else the feed moved past. */
      gint64 seq = rw_change_follower_get_seq (self->follower);

      if (seq != self->stored_seq)
        store_change (self, seq, NULL);
      return;
    }

  self->busy = TRUE;
  rw_orthanc_client_get_study_async (self->client, head->study_id, self->cancellable, on_study,
                                     g_object_ref (self));
}

static void
on_stable_study (RwChangeFollower *follower,
                 gint64            seq,
                 const char       *study_id,
                 RwServerCatchup  *self)
{
  Change *change = g_new0 (Change, 1);

  change->seq = seq;
  change->study_id = g_strdup (study_id);
  g_queue_push_tail (&self->pending, change);
  process_next (self);
}

static void
on_seq_changed (RwChangeFollower *follower,
                GParamSpec       *pspec,
                RwServerCatchup  *self)
{
  process_next (self);
}

static void
on_follower_error (RwChangeFollower *follower,
                   const GError     *error,
                   RwServerCatchup  *self)
{
  set_failing (self, error);
}

/* Startup: where the last run stopped. */

typedef struct {
  RwServerCatchup *self;
  char            *orthanc_url;
  gint64           seq;
} Position;

static gboolean
read_position (RwSqlite  *db,
               gpointer   data,
               GError   **error)
{
  Position *position = data;
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare_cached (db, "SELECT orthanc_url, last_seq FROM orthanc_changes", error);
  if (stmt == NULL || !rw_sqlite_step_row (db, stmt, &has_row, error))
    return FALSE;
  g_assert (has_row);
  position->orthanc_url = rw_sqlite_column_dup (stmt, 0);
  position->seq = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

static void
on_position (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autofree Position *position = user_data;
  g_autoptr(RwServerCatchup) self = position->self;
  g_autofree char *url = position->orthanc_url;
  g_autoptr(GError) error = NULL;
  gint64 since = position->seq;

  if (!rw_server_store_read_finish (RW_SERVER_STORE (source), result, &error))
    {
      g_warning ("Catch-up from Orthanc: could not read where it stopped (%s); it does not run",
                 error->message);
      return;
    }
  if (!self->running)
    return;
  /* Another PACS's sequence numbers mean nothing for this one. */
  if (url != NULL && g_strcmp0 (url, self->config->orthanc_url) != 0)
    {
      g_message ("Catch-up from Orthanc: the PACS address changed from %s; following %s from its start",
                 url, self->config->orthanc_url);
      since = 0;
    }
  self->stored_seq = position->seq;

  self->follower = rw_change_follower_new (self->client, since);
  rw_change_follower_set_interval (self->follower, self->config->orthanc_poll_interval * 1000);
  g_signal_connect (self->follower, "stable-study", G_CALLBACK (on_stable_study), self);
  g_signal_connect (self->follower, "notify::seq", G_CALLBACK (on_seq_changed), self);
  g_signal_connect (self->follower, "error", G_CALLBACK (on_follower_error), self);
  rw_change_follower_start (self->follower);
  g_message ("Catch-up from Orthanc: following %s/changes from %" G_GINT64_FORMAT,
             self->config->orthanc_url, since);
}

static void
rw_server_catchup_dispose (GObject *object)
{
  RwServerCatchup *self = (RwServerCatchup *)object;

  rw_server_catchup_stop (self);
  g_clear_object (&self->follower);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (rw_server_catchup_parent_class)->dispose (object);
}

static void
rw_server_catchup_finalize (GObject *object)
{
  RwServerCatchup *self = (RwServerCatchup *)object;

  g_queue_clear_full (&self->pending, (GDestroyNotify) change_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rw_server_catchup_parent_class)->finalize (object);
}

static void
rw_server_catchup_class_init (RwServerCatchupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rw_server_catchup_dispose;
  object_class->finalize = rw_server_catchup_finalize;
}

static void
rw_server_catchup_init (RwServerCatchup *self)
{
  g_queue_init (&self->pending);
  self->cancellable = g_cancellable_new ();
}

RwServerCatchup *
rw_server_catchup_new (RwServerConfig  *config,
                       RwServerStore   *store,
                       RwServerEvents  *events,
                       GError         **error)
{
  g_autoptr(RwServerCatchup) self = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (config->orthanc_url == NULL)
    return NULL;

  self = g_object_new (RW_TYPE_SERVER_CATCHUP, NULL);
  self->config = config;
  self->store = g_object_ref (store);
  self->events = g_object_ref (events);
  self->public_url = config->orthanc_public_url != NULL ? config->orthanc_public_url : config->orthanc_url;
  self->client = rw_orthanc_client_new (config->orthanc_url, config->orthanc_username,
                                        config->orthanc_password, &local_error);
  if (self->client == NULL)
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFIG, _("%s: [%s] %s: %s"),
                   config->path, "orthanc", "url", local_error->message);
      return NULL;
    }
  if (!rw_viewer_url_check_base (self->public_url, &local_error))
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFIG, _("%s: [%s] %s: %s"),
                   config->path, "orthanc", "public_url", local_error->message);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
rw_server_catchup_start (RwServerCatchup *self)
{
  Position *position;

  g_return_if_fail (RW_IS_SERVER_CATCHUP (self));

  if (self->running)
    return;
  self->running = TRUE;
  position = g_new0 (Position, 1);
  position->self = g_object_ref (self);
  rw_server_store_read_async (self->store, read_position, position, NULL, on_position, position);
}

void
rw_server_catchup_stop (RwServerCatchup *self)
{
  g_return_if_fail (RW_IS_SERVER_CATCHUP (self));

  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->follower != NULL)
    rw_change_follower_stop (self->follower);
}
