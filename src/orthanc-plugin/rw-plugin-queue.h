/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One StableStudy waiting to be told to radiweb-server. */
typedef struct {
  gint64  id;
  /* X-Webhook-Id: drawn once when the event is queued and stored with it,
   * so every retry, also after an Orthanc restart, carries the same one
   * and the server answers a repeat as it answered the first. */
  char   *webhook_id;
  char   *study_id;        /* Orthanc's id of the study */
  guint   attempts;        /* failed attempts so far */
  gint64  enqueued_at;     /* ms since the epoch */
} RwPluginEvent;

void rw_plugin_event_free (RwPluginEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwPluginEvent, rw_plugin_event_free)

/* The plugin's durable queue: a small SQLite file (fsync on every commit)
 * holding the events not yet delivered, the permanent failures (kept for
 * the status route until retried) and a summary of the last success and
 * the last error. Every call is thread-safe: Orthanc's change thread
 * enqueues, the worker delivers and the REST threads read the status.
 * Times are milliseconds since the epoch, given by the caller. */
#define RW_TYPE_PLUGIN_QUEUE (rw_plugin_queue_get_type ())
G_DECLARE_FINAL_TYPE (RwPluginQueue, rw_plugin_queue, RW, PLUGIN_QUEUE, GObject)

RwPluginQueue *rw_plugin_queue_open       (const char          *path,
                                           GError             **error);

/* Commits a new event, due at once; returns its webhook id. */
char          *rw_plugin_queue_enqueue    (RwPluginQueue       *self,
                                           const char          *study_id,
                                           gint64               now,
                                           GError             **error);

/* The pending event due first if it is due at @now, else NULL. *wake_at
 * is when the next pending event falls due (G_MAXINT64 when none). */
RwPluginEvent *rw_plugin_queue_next_due   (RwPluginQueue       *self,
                                           gint64               now,
                                           gint64              *wake_at,
                                           GError             **error);

/* Removes a delivered event and records the success. The other pending
 * events fall due at once: the server answers again, so events that
 * waited for it need not wait out their backoff. */
gboolean       rw_plugin_queue_delivered  (RwPluginQueue       *self,
                                           const RwPluginEvent *event,
                                           gint64               now,
                                           GError             **error);

/* Records a failed attempt: with @retry_at ≥ 0 the event stays pending
 * until then; with -1 it becomes a permanent failure. @http_status is 0
 * when there was no HTTP answer. */
gboolean       rw_plugin_queue_failed     (RwPluginQueue       *self,
                                           const RwPluginEvent *event,
                                           gint64               now,
                                           gint64               retry_at,
                                           guint                http_status,
                                           const char          *message,
                                           GError             **error);

/* Removes an event that has nothing left to deliver (its study was
 * deleted from Orthanc meanwhile). */
gboolean       rw_plugin_queue_drop       (RwPluginQueue       *self,
                                           const RwPluginEvent *event,
                                           GError             **error);

/* Makes every pending event due at @now and, with @include_failures,
 * every permanent failure pending again with its attempts reset. */
gboolean       rw_plugin_queue_retry_now  (RwPluginQueue       *self,
                                           gint64               now,
                                           gboolean             include_failures,
                                           guint               *n_events,
                                           GError             **error);

/* {"queue_length", "oldest_pending_age", "next_attempt_in", "delivered",
 *  "last_success", "last_error", "permanent_failure_count",
 *  "permanent_failures": […the latest 50…], "healthy"}; ages in seconds.
 * Healthy: no permanent failure, and no error since the last success. */
JsonObject    *rw_plugin_queue_dup_status (RwPluginQueue       *self,
                                           gint64               now,
                                           GError             **error);

G_END_DECLS
