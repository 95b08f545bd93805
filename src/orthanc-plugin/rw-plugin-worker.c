/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-plugin"

#include "config.h"

#include <libsoup/soup.h>

#include "rw-json.h"
#include "rw-plugin-log.h"
#include "rw-plugin-worker.h"
#include "rw-webhook.h"

/* Orthanc's own HTTP client (OrthancPluginHttpClient) cannot be
 * interrupted: a POST to a server that accepted the connection and then
 * hangs holds Orthanc's shutdown for the whole timeout. libsoup's is
 * cancelled at once from OrthancStopped, and tells a refused connection
 * from a timeout in its errors. */

/* The longest sleep: a wall-clock change (the queue's times are wall
 * clock, to survive restarts) is noticed within this. */
#define MAX_SLEEP_MS 60000
/* After the queue itself failed (disk full…), before trying it again. */
#define QUEUE_RETRY_MS 5000

struct _RwPluginWorker
{
  GObject               parent_instance;

  const RwPluginConfig *config;
  RwPluginQueue        *queue;
  RwPluginFetchStudy    fetch;
  gpointer              fetch_data;

  GThread              *thread;
  GCancellable         *cancellable;
  GMutex                lock;
  GCond                 cond;
  gboolean              stopping;
  gboolean              woken;

  /* Owned by the thread. */
  SoupSession          *session;
  GRand                *rand;
  gboolean              queue_failing;
};

G_DEFINE_FINAL_TYPE (RwPluginWorker, rw_plugin_worker, G_TYPE_OBJECT)

RwPluginOutcome
rw_plugin_outcome_for_status (guint status)
{
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return RW_PLUGIN_OUTCOME_DELIVERED;
  if (status == SOUP_STATUS_UNAUTHORIZED)
    return RW_PLUGIN_OUTCOME_UNAUTHORIZED;
  if (status == SOUP_STATUS_REQUEST_TIMEOUT || status == 429 /* Too Many Requests, not named in libsoup 3.2 */)
    return RW_PLUGIN_OUTCOME_RETRY;
  if (SOUP_STATUS_IS_CLIENT_ERROR (status))
    return RW_PLUGIN_OUTCOME_REJECTED;
  return RW_PLUGIN_OUTCOME_RETRY;
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* What the server said: its {"error": "…"} when it answers the contract's
 * way, else the status line. */
static char *
describe_answer (SoupMessage *msg,
                 GBytes      *body)
{
  guint status = soup_message_get_status (msg);
  g_autoptr(JsonObject) object = NULL;
  const char *error = NULL;
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

  if (data != NULL && size > 0)
    object = rw_json_parse_object (data, (gssize) size, NULL);
  if (object != NULL && rw_json_get_string (object, "error", RW_JSON_OPTIONAL, &error, NULL) &&
      error != NULL)
    return g_strdup_printf ("HTTP %u: %s", status, error);
  return g_strdup_printf ("HTTP %u %s", status, soup_status_get_phrase (status));
}

/* Sends one signed attempt. Returns FALSE without an answer (*message says
 * why, *cancelled when the worker is stopping). */
static gboolean
post (RwPluginWorker       *self,
      const RwPluginEvent  *event,
      const char           *body,
      guint                *status,
      char                **message,
      gboolean             *cancelled)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", self->config->webhook_url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *signature = rw_webhook_sign (self->config->webhook_secret, body, strlen (body));
  SoupMessageHeaders *headers;

  *status = 0;
  *cancelled = FALSE;
  /* The configuration checked the URL; soup may still refuse it (a port
   * out of range). */
  if (msg == NULL)
    {
      *message = g_strdup ("WebhookUrl cannot be used as an HTTP address");
      return FALSE;
    }
  /* A redirect would turn the POST into a GET on some servers: report it
   * instead, so the address gets fixed. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, RW_WEBHOOK_SIGNATURE_HEADER, signature);
  soup_message_headers_replace (headers, RW_WEBHOOK_ID_HEADER, event->webhook_id);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);

  answer = soup_session_send_and_read (self->session, msg, self->cancellable, &error);
  if (answer == NULL)
    {
      *cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      *message = g_strdup_printf ("Could not reach radiweb-server: %s", error->message);
      return FALSE;
    }
  *status = soup_message_get_status (msg);
  *message = describe_answer (msg, answer);
  return TRUE;
}

static void
record_failure (RwPluginWorker      *self,
                const RwPluginEvent *event,
                gboolean             permanent,
                guint                status,
                const char          *message,
                RwPluginLogLevel     level)
{
  g_autoptr(GError) error = NULL;
  gint64 now = now_ms ();
  guint attempts = event->attempts + 1;
  gint64 delay = permanent ? -1 : rw_plugin_config_retry_delay_ms (self->config, attempts, self->rand);

  if (!rw_plugin_queue_failed (self->queue, event, now, delay < 0 ? -1 : now + delay,
                               status, message, &error))
    {
      rw_plugin_log (RW_PLUGIN_LOG_ERROR, "%s", error->message);
      return;
    }
  if (delay >= 0)
    rw_plugin_log (level, "Study %s not delivered (attempt %u): %s. Next attempt in %.1f s.",
                   event->study_id, attempts, message, (double) delay / 1000.0);
  else if (permanent)
    rw_plugin_log (RW_PLUGIN_LOG_ERROR,
                   "Study %s refused for good by radiweb-server: %s. It is listed in the permanent "
                   "failures of GET /radiweb/status; POST /radiweb/retry sends it again.",
                   event->study_id, message);
  else
    rw_plugin_log (RW_PLUGIN_LOG_ERROR,
                   "Study %s not delivered after %u attempts (MaxAttempts): %s. It is listed in the "
                   "permanent failures of GET /radiweb/status; POST /radiweb/retry sends it again.",
                   event->study_id, attempts, message);
}

static void
deliver (RwPluginWorker *self,
         RwPluginEvent  *event)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = NULL;
  g_autoptr(JsonObject) payload = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  g_autofree char *body = NULL;
  g_autofree char *message = NULL;
  gboolean cancelled = FALSE;
  guint status = 0;

  exam = self->fetch (event->study_id, self->fetch_data, &error);
  if (exam == NULL && g_error_matches (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_STUDY_GONE))
    {
      g_clear_error (&error);
      if (!rw_plugin_queue_drop (self->queue, event, &error))
        rw_plugin_log (RW_PLUGIN_LOG_ERROR, "%s", error->message);
      else
        rw_plugin_log (RW_PLUGIN_LOG_WARNING,
                       "Study %s was deleted from Orthanc before it was delivered; nothing to send.",
                       event->study_id);
      return;
    }
  if (exam == NULL)
    {
      record_failure (self, event, FALSE, 0, error->message, RW_PLUGIN_LOG_WARNING);
      return;
    }

  /* Built and signed afresh for every attempt: the server refuses a
   * timestamp older than its tolerance, so a replayed request cannot be
   * told from a retry otherwise. */
  timestamp = g_date_time_new_now_utc ();
  payload = rw_exam_to_webhook_payload (exam, self->config->public_url, timestamp);
  body = rw_json_object_to_string (payload);

  if (!post (self, event, body, &status, &message, &cancelled))
    {
      /* Stopping: the attempt never completed, the event stays due. */
      if (!cancelled)
        record_failure (self, event, FALSE, 0, message, RW_PLUGIN_LOG_WARNING);
      return;
    }

  switch (rw_plugin_outcome_for_status (status))
    {
    case RW_PLUGIN_OUTCOME_DELIVERED:
      if (!rw_plugin_queue_delivered (self->queue, event, now_ms (), &error))
        rw_plugin_log (RW_PLUGIN_LOG_ERROR, "%s", error->message);
      else
        rw_plugin_log (RW_PLUGIN_LOG_INFO, "Study %s delivered to radiweb-server (webhook %s, %s)",
                       event->study_id, event->webhook_id, message);
      break;
    case RW_PLUGIN_OUTCOME_UNAUTHORIZED:
      {
        g_autofree char *explained =
          g_strdup_printf ("%s. radiweb-server refused the signature: the plugin's WebhookSecret "
                           "differs from the server's [webhook] secret, or the two clocks differ "
                           "by more than the server's tolerance", message);

        record_failure (self, event, FALSE, status, explained, RW_PLUGIN_LOG_ERROR);
      }
      break;
    case RW_PLUGIN_OUTCOME_REJECTED:
      record_failure (self, event, TRUE, status, message, RW_PLUGIN_LOG_ERROR);
      break;
    case RW_PLUGIN_OUTCOME_RETRY:
    default:
      record_failure (self, event, FALSE, status, message, RW_PLUGIN_LOG_WARNING);
      break;
    }
}

static gboolean
is_stopping (RwPluginWorker *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return self->stopping;
}

static void
sleep_until (RwPluginWorker *self,
             gint64          wake_at)
{
  gint64 wait_ms = wake_at == G_MAXINT64 ? MAX_SLEEP_MS : CLAMP (wake_at - now_ms (), 0, MAX_SLEEP_MS);
  gint64 end = g_get_monotonic_time () + wait_ms * 1000;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  while (!self->woken && !self->stopping && g_get_monotonic_time () < end)
    g_cond_wait_until (&self->cond, &self->lock, end);
  self->woken = FALSE;
}

static gpointer
worker_thread (gpointer data)
{
  RwPluginWorker *self = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autofree char *user_agent = g_strdup_printf ("radiweb-orthanc-plugin/%s", PACKAGE_VERSION);

  /* libsoup attaches its sources to the thread-default context; this
   * thread's own keeps them away from any other GLib user in Orthanc. */
  g_main_context_push_thread_default (context);
  self->session = soup_session_new_with_options ("timeout", self->config->timeout,
                                                 "user-agent", user_agent,
                                                 NULL);
  self->rand = g_rand_new ();

  while (!is_stopping (self))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RwPluginEvent) event = NULL;
      gint64 wake_at = G_MAXINT64;

      event = rw_plugin_queue_next_due (self->queue, now_ms (), &wake_at, &error);
      if (error != NULL)
        {
          /* Said once, not every five seconds. */
          if (!self->queue_failing)
            rw_plugin_log (RW_PLUGIN_LOG_ERROR, "%s", error->message);
          self->queue_failing = TRUE;
          sleep_until (self, now_ms () + QUEUE_RETRY_MS);
          continue;
        }
      self->queue_failing = FALSE;
      if (event != NULL)
        deliver (self, event);
      else
        sleep_until (self, wake_at);
    }

  g_clear_object (&self->session);
  g_clear_pointer (&self->rand, g_rand_free);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
rw_plugin_worker_finalize (GObject *object)
{
  RwPluginWorker *self = (RwPluginWorker *)object;

  rw_plugin_worker_stop (self);
  g_clear_object (&self->queue);
  g_clear_object (&self->cancellable);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (rw_plugin_worker_parent_class)->finalize (object);
}

static void
rw_plugin_worker_class_init (RwPluginWorkerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_plugin_worker_finalize;
}

static void
rw_plugin_worker_init (RwPluginWorker *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

RwPluginWorker *
rw_plugin_worker_new (const RwPluginConfig *config,
                      RwPluginQueue        *queue,
                      RwPluginFetchStudy    fetch,
                      gpointer              fetch_data)
{
  RwPluginWorker *self;

  g_return_val_if_fail (config != NULL && config->enabled, NULL);
  g_return_val_if_fail (RW_IS_PLUGIN_QUEUE (queue), NULL);
  g_return_val_if_fail (fetch != NULL, NULL);

  self = g_object_new (RW_TYPE_PLUGIN_WORKER, NULL);
  self->config = config;
  self->queue = g_object_ref (queue);
  self->fetch = fetch;
  self->fetch_data = fetch_data;
  return self;
}

void
rw_plugin_worker_start (RwPluginWorker *self)
{
  g_return_if_fail (RW_IS_PLUGIN_WORKER (self));
  g_return_if_fail (self->thread == NULL);

  self->stopping = FALSE;
  self->woken = FALSE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->thread = g_thread_new ("radiweb-webhook", worker_thread, self);
}

void
rw_plugin_worker_wake (RwPluginWorker *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (RW_IS_PLUGIN_WORKER (self));

  locker = g_mutex_locker_new (&self->lock);
  self->woken = TRUE;
  g_cond_signal (&self->cond);
}

void
rw_plugin_worker_stop (RwPluginWorker *self)
{
  g_return_if_fail (RW_IS_PLUGIN_WORKER (self));

  if (self->thread == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);
  g_thread_join (g_steal_pointer (&self->thread));
}
