/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rw-api-reports.h"
#include "rw-outbox.h"

/* The pause after the n-th failure in a row is 2^(n-1) seconds, at most
 * this: a reading room's server is usually back within a minute, and a
 * radiologist should not wait longer than that once it is. */
#define MAX_RETRY_SECONDS 60

struct _RwOutbox
{
  GObject         parent_instance;

  /* Owned references */
  RwReportStore  *store;
  RwApiClient    *client;
  GCancellable   *cancellable;
  RwOutboxEntry  *entry;          /* the one being sent */
  char           *server;
  char           *username;
  char           *last_error;

  guint           retry_source;
  guint           failures;       /* in a row */
  /* Bumped by each rw_outbox_set_client(): an answer that comes back for
   * an earlier client is not acted on (its entry is simply sent again). */
  guint           generation;
  guint           step_generation;
  guint           n_pending;
  RwOutboxState   state;
  /* A store read or a request is under way: one at a time keeps the
   * order. */
  gboolean        busy;
  /* Something was queued while busy: look again when done. */
  gboolean        again;
};

G_DEFINE_FINAL_TYPE (RwOutbox, rw_outbox, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_N_PENDING,
  PROP_LAST_ERROR,
  N_PROPS
};

enum {
  DELIVERED,
  REFUSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void kick (RwOutbox *self);

static void
set_state (RwOutbox      *self,
           RwOutboxState  state,
           const char    *error)
{
  if (g_strcmp0 (self->last_error, error) != 0)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
set_n_pending (RwOutbox *self,
               guint     n_pending)
{
  if (self->n_pending == n_pending)
    return;
  self->n_pending = n_pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

/* Ends the current step; goes on with the next entry unless told to stop. */
static void
step_done (RwOutbox *self,
           gboolean  go_on)
{
  g_clear_pointer (&self->entry, rw_outbox_entry_free);
  self->busy = FALSE;
  if (go_on || self->again)
    {
      self->again = FALSE;
      kick (self);
    }
}

static gboolean
on_retry (gpointer user_data)
{
  RwOutbox *self = user_data;

  self->retry_source = 0;
  kick (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (RwOutbox   *self,
                const char *why)
{
  guint delay;

  self->failures++;
  delay = self->failures >= 7 ? MAX_RETRY_SECONDS : MIN (1u << (self->failures - 1), MAX_RETRY_SECONDS);
  g_debug ("Outbox: the server cannot be reached (%s); next try in %u s", why, delay);
  set_state (self, RW_OUTBOX_WAITING, why);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_seconds (delay, on_retry, self);
  step_done (self, FALSE);
}

typedef struct {
  RwOutbox     *self;
  gint64        exam_id;
  RwOutboxKind  kind;
  RwReport     *report;
  char         *message;
  gboolean      delivered;
} Outcome;

static void
outcome_free (Outcome *outcome)
{
  g_object_unref (outcome->self);
  g_clear_object (&outcome->report);
  g_free (outcome->message);
  g_free (outcome);
}

/* The store has recorded what the server said: only now is it announced,
 * so a listener that reads the draft sees the new state. */
static void
on_outcome_stored (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Outcome *outcome = user_data;
  RwOutbox *self = outcome->self;
  g_autoptr(GError) error = NULL;

  if (!rw_report_store_write_finish (RW_REPORT_STORE (source), result, &error))
    {
      /* The entry is still in the outbox: it will be sent again, and the
       * server's version check makes that harmless. */
      g_warning ("Could not record the server's answer in the report store: %s", error->message);
      schedule_retry (self, error->message);
      outcome_free (outcome);
      return;
    }

  self->failures = 0;
  if (outcome->delivered)
    g_signal_emit (self, signals[DELIVERED], 0, outcome->exam_id, (int) outcome->kind, outcome->report);
  else
    g_signal_emit (self, signals[REFUSED], 0, outcome->exam_id, (int) outcome->kind,
                   outcome->report, outcome->message);
  step_done (self, TRUE);
  outcome_free (outcome);
}

static void
deliver (RwOutbox *self,
         RwReport *report)
{
  Outcome *outcome = g_new0 (Outcome, 1);

  outcome->self = g_object_ref (self);
  outcome->exam_id = self->entry->exam_id;
  outcome->kind = self->entry->kind;
  outcome->report = g_object_ref (report);
  outcome->delivered = TRUE;
  rw_report_store_delivered_async (self->store, self->server, self->username, self->entry->id,
                                   report, NULL, on_outcome_stored, outcome);
}

static void
refuse (RwOutbox   *self,
        RwReport   *conflict,
        const char *message)
{
  Outcome *outcome = g_new0 (Outcome, 1);

  g_debug ("Outbox: the server refused entry %" G_GINT64_FORMAT ": %s", self->entry->id, message);
  outcome->self = g_object_ref (self);
  outcome->exam_id = self->entry->exam_id;
  outcome->kind = self->entry->kind;
  outcome->report = conflict != NULL ? g_object_ref (conflict) : NULL;
  outcome->message = g_strdup (message);
  rw_report_store_refused_async (self->store, self->server, self->username, self->entry->id,
                                 conflict, conflict == NULL ? message : NULL,
                                 NULL, on_outcome_stored, outcome);
}

static gboolean
is_mine (RwOutbox *self,
         RwReport *report)
{
  RwUser *radiologist = rw_report_get_radiologist (report);

  return radiologist != NULL && g_strcmp0 (rw_user_get_username (radiologist), self->username) == 0;
}

/* A 409 carrying the server's laudo: is it our own earlier attempt that
 * went through while its answer was lost? */
static gboolean
is_own_echo (RwOutbox      *self,
             RwOutboxEntry *entry,
             RwReport      *stored)
{
  if (!is_mine (self, stored) ||
      !rw_report_has_text (stored, entry->text[RW_REPORT_TECHNIQUE], entry->text[RW_REPORT_FINDINGS],
                           entry->text[RW_REPORT_CONCLUSION]))
    return FALSE;
  if (entry->kind == RW_OUTBOX_FINALIZE)
    return rw_report_get_is_final (stored);
  return !rw_report_get_is_final (stored) && rw_report_get_version (stored) > entry->base_version;
}

static gboolean
is_transient (const GError *error)
{
  return g_error_matches (error, RW_API_ERROR, RW_API_ERROR_UNREACHABLE) ||
         g_error_matches (error, RW_API_ERROR, RW_API_ERROR_TLS) ||
         g_error_matches (error, RW_API_ERROR, RW_API_ERROR_SERVER_ERROR) ||
         g_error_matches (error, RW_API_ERROR, RW_API_ERROR_BAD_RESPONSE) ||
         g_error_matches (error, RW_API_ERROR, RW_API_ERROR_NOT_RADIWEB);
}

/* What every answer but a success goes through. */
static void
handle_error (RwOutbox *self,
              GError   *error,
              RwReport *stored)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The client changed or the outbox is going away: whatever replaced
       * it starts afresh. */
      step_done (self, FALSE);
      return;
    }
  if (g_error_matches (error, RW_API_ERROR, RW_API_ERROR_UNAUTHORIZED))
    {
      set_state (self, RW_OUTBOX_PAUSED, error->message);
      step_done (self, FALSE);
      return;
    }
  if (is_transient (error))
    {
      rw_report_store_count_attempt_async (self->store, self->entry->id, NULL, NULL, NULL);
      schedule_retry (self, error->message);
      return;
    }
  if (stored != NULL && self->entry->kind != RW_OUTBOX_ADDENDUM && is_own_echo (self, self->entry, stored))
    {
      deliver (self, stored);
      return;
    }
  refuse (self, stored, error->message);
}

/* An answer for a client that has since been replaced. */
static gboolean
is_stale (RwOutbox *self)
{
  if (self->step_generation == self->generation)
    return FALSE;
  step_done (self, TRUE);
  return TRUE;
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RwOutbox) self = user_data;
  g_autoptr(RwReport) report = NULL;
  g_autoptr(RwReport) stored = NULL;
  g_autoptr(GError) error = NULL;

  report = rw_api_client_save_report_finish (RW_API_CLIENT (source), result, &stored, &error);
  if (is_stale (self))
    return;
  if (report != NULL)
    deliver (self, report);
  else
    handle_error (self, error, stored);
}

static void
on_addendum (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RwOutbox) self = user_data;
  g_autoptr(RwReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = rw_api_client_add_addendum_finish (RW_API_CLIENT (source), result, &error);
  if (is_stale (self))
    return;
  if (report != NULL)
    deliver (self, report);
  else
    handle_error (self, error, NULL);
}

/* An addendum has no version to make its retry harmless: before sending
 * it again, the laudo is read to see whether the earlier attempt landed. */
static void
on_addendum_checked (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(RwOutbox) self = user_data;
  g_autoptr(RwReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = rw_api_client_get_report_finish (RW_API_CLIENT (source), result, &error);
  if (is_stale (self))
    return;
  if (report == NULL)
    {
      handle_error (self, error, NULL);
      return;
    }
  for (guint i = 0; i < rw_report_get_n_addenda (report); i++)
    {
      const RwAddendum *addendum = rw_report_get_addendum (report, i);

      if (addendum->author != NULL &&
          g_strcmp0 (rw_user_get_username (addendum->author), self->username) == 0 &&
          g_strcmp0 (addendum->text, self->entry->addendum) == 0 &&
          addendum->created_at >= self->entry->created_at / G_USEC_PER_SEC - 1)
        {
          deliver (self, report);
          return;
        }
    }
  rw_api_client_add_addendum_async (self->client, self->entry->exam_id, self->entry->addendum,
                                    self->cancellable, on_addendum, g_object_ref (self));
}

static void
send_entry (RwOutbox *self)
{
  RwOutboxEntry *entry = self->entry;

  set_state (self, RW_OUTBOX_SENDING, self->state == RW_OUTBOX_WAITING ? self->last_error : NULL);
  switch (entry->kind)
    {
    case RW_OUTBOX_SAVE:
    case RW_OUTBOX_FINALIZE:
      rw_api_client_save_report_async (self->client, entry->exam_id, entry->kind == RW_OUTBOX_FINALIZE,
                                       entry->text[RW_REPORT_TECHNIQUE], entry->text[RW_REPORT_FINDINGS],
                                       entry->text[RW_REPORT_CONCLUSION], entry->base_version,
                                       self->cancellable, on_saved, g_object_ref (self));
      break;
    case RW_OUTBOX_ADDENDUM:
      if (entry->attempts > 0)
        rw_api_client_get_report_async (self->client, entry->exam_id, self->cancellable,
                                        on_addendum_checked, g_object_ref (self));
      else
        rw_api_client_add_addendum_async (self->client, entry->exam_id, entry->addendum,
                                          self->cancellable, on_addendum, g_object_ref (self));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
on_next (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(RwOutbox) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_pending = 0;

  self->entry = rw_report_store_next_finish (RW_REPORT_STORE (source), result, &n_pending, &error);
  if (error != NULL)
    {
      g_warning ("Could not read the outbox: %s", error->message);
      schedule_retry (self, error->message);
      return;
    }
  /* Signed out, or another user signed in, while the store was read. */
  if (self->client == NULL || is_stale (self))
    {
      if (self->client == NULL)
        step_done (self, FALSE);
      return;
    }
  set_n_pending (self, n_pending);
  if (self->entry == NULL)
    {
      set_state (self, RW_OUTBOX_IDLE, NULL);
      step_done (self, FALSE);
      return;
    }
  send_entry (self);
}

static void
kick (RwOutbox *self)
{
  if (self->client == NULL || self->state == RW_OUTBOX_PAUSED)
    return;
  if (self->busy)
    {
      self->again = TRUE;
      return;
    }
  if (self->retry_source != 0)
    return;
  self->busy = TRUE;
  self->step_generation = self->generation;
  rw_report_store_next_async (self->store, self->server, self->username, NULL,
                              on_next, g_object_ref (self));
}

static void
rw_outbox_dispose (GObject *object)
{
  RwOutbox *self = (RwOutbox *)object;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (rw_outbox_parent_class)->dispose (object);
}

static void
rw_outbox_finalize (GObject *object)
{
  RwOutbox *self = (RwOutbox *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->entry, rw_outbox_entry_free);
  g_free (self->server);
  g_free (self->username);
  g_free (self->last_error);

  G_OBJECT_CLASS (rw_outbox_parent_class)->finalize (object);
}

static void
rw_outbox_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RwOutbox *self = RW_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_outbox_class_init (RwOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rw_outbox_dispose;
  object_class->finalize = rw_outbox_finalize;
  object_class->get_property = rw_outbox_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, RW_OUTBOX_IDLE, RW_OUTBOX_PAUSED, RW_OUTBOX_PAUSED,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (exam id, RwOutboxKind, the laudo as the server now has it) */
  signals[DELIVERED] =
    g_signal_new ("delivered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT, RW_TYPE_REPORT);
  /* (exam id, RwOutboxKind, the server's laudo on a conflict of versions or
   * NULL, the server's reason) */
  signals[REFUSED] =
    g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_INT64, G_TYPE_INT, RW_TYPE_REPORT, G_TYPE_STRING);
}

static void
rw_outbox_init (RwOutbox *self)
{
  self->cancellable = g_cancellable_new ();
  self->state = RW_OUTBOX_PAUSED;
}

RwOutbox *
rw_outbox_new (RwReportStore *store)
{
  RwOutbox *self;

  g_return_val_if_fail (RW_IS_REPORT_STORE (store), NULL);

  self = g_object_new (RW_TYPE_OUTBOX, NULL);
  self->store = g_object_ref (store);
  return self;
}

RwReportStore *
rw_outbox_get_store (RwOutbox *self)
{
  g_return_val_if_fail (RW_IS_OUTBOX (self), NULL);
  return self->store;
}

void
rw_outbox_set_client (RwOutbox    *self,
                      RwApiClient *client,
                      const char  *server,
                      const char  *username)
{
  g_return_if_fail (RW_IS_OUTBOX (self));
  g_return_if_fail (client == NULL || RW_IS_API_CLIENT (client));
  g_return_if_fail (client == NULL || (server != NULL && username != NULL));

  /* Whatever is in flight belongs to the previous client; its entry stays
   * in the store and is sent again. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->failures = 0;
  self->generation++;

  g_set_object (&self->client, client);
  g_free (self->server);
  g_free (self->username);
  self->server = g_strdup (server);
  self->username = g_strdup (username);

  if (client == NULL)
    {
      set_state (self, RW_OUTBOX_PAUSED, NULL);
      return;
    }
  set_state (self, RW_OUTBOX_IDLE, NULL);
  kick (self);
}

static void
on_enqueued (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwOutbox *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (rw_report_store_enqueue_finish (RW_REPORT_STORE (source), result, &error) == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  set_n_pending (self, self->n_pending + 1);
  kick (self);
  g_task_return_boolean (task, TRUE);
}

void
rw_outbox_send_async (RwOutbox            *self,
                      gint64               exam_id,
                      RwOutboxKind         kind,
                      const char * const  *text,
                      const char          *addendum,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RW_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_outbox_send_async);
  if (self->server == NULL || self->username == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Sign in to save the laudo"));
      return;
    }
  rw_report_store_enqueue_async (self->store, self->server, self->username, exam_id, kind,
                                 text, addendum, NULL, on_enqueued, g_steal_pointer (&task));
}

gboolean
rw_outbox_send_finish (RwOutbox      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (RW_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rw_outbox_retry_now (RwOutbox *self)
{
  g_return_if_fail (RW_IS_OUTBOX (self));

  if (self->client == NULL)
    return;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->failures = 0;
  if (self->state == RW_OUTBOX_PAUSED || self->state == RW_OUTBOX_WAITING)
    set_state (self, RW_OUTBOX_IDLE, self->last_error);
  kick (self);
}

RwOutboxState
rw_outbox_get_state (RwOutbox *self)
{
  g_return_val_if_fail (RW_IS_OUTBOX (self), RW_OUTBOX_PAUSED);
  return self->state;
}

guint
rw_outbox_get_n_pending (RwOutbox *self)
{
  g_return_val_if_fail (RW_IS_OUTBOX (self), 0);
  return self->n_pending;
}

const char *
rw_outbox_get_last_error (RwOutbox *self)
{
  g_return_val_if_fail (RW_IS_OUTBOX (self), NULL);
  return self->last_error;
}
