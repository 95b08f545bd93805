/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include "rw-change-follower.h"

#define DEFAULT_INTERVAL_MS 1000
#define BATCH 100
#define MAX_BACKOFF_MS 5000

struct _RwChangeFollower
{
  GObject parent_instance;

  RwOrthancClient *client;
  GCancellable    *cancellable;
  GMainContext    *context;
  GSource         *timer;
  gint64           seq;
  guint            interval_ms;
  guint            failures;
  guint            running : 1;
  guint            connected : 1;
};

G_DEFINE_FINAL_TYPE (RwChangeFollower, rw_change_follower, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_SEQ,
  PROP_INTERVAL,
  PROP_RUNNING,
  PROP_CONNECTED,
  N_PROPS
};

enum {
  STABLE_STUDY,
  ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void poll_changes (RwChangeFollower *self);

static gboolean
on_timer (gpointer user_data)
{
  RwChangeFollower *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  poll_changes (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (RwChangeFollower *self,
          guint             delay_ms)
{
  g_assert (self->timer == NULL);

  self->timer = delay_ms == 0 ? g_idle_source_new () : g_timeout_source_new (delay_ms);
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_attach (self->timer, self->context);
}

static void
set_connected (RwChangeFollower *self,
               gboolean          connected)
{
  if (self->connected == !!connected)
    return;
  self->connected = !!connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static void
on_changes (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RwChangeFollower) self = NULL;
  g_autoptr(RwOrthancChanges) changes = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before;

  changes = rw_orthanc_client_get_changes_finish (RW_ORTHANC_CLIENT (source), result, &error);
  /* A poll cancelled by stop() or by dispose(): @user_data may be gone,
   * and if start() was called again since, the new start has its own poll
   * going. The poll holds no reference, so dropping the last one stops
   * the follower. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Handlers may drop the last reference while a batch is handed out. */
  self = g_object_ref (user_data);
  if (!self->running)
    return;

  if (changes == NULL)
    {
      guint delay = self->interval_ms;

      for (guint i = 0; i < self->failures && delay < MAX_BACKOFF_MS; i++)
        delay *= 2;
      self->failures++;
      set_connected (self, FALSE);
      g_signal_emit (self, signals[ERROR], 0, error);
      if (self->running)
        schedule (self, MIN (delay, MAX (MAX_BACKOFF_MS, self->interval_ms)));
      return;
    }

  self->failures = 0;
  set_connected (self, TRUE);

  if (changes->last < self->seq && changes->changes->len == 0)
    {
      g_warning ("Orthanc's last change is %" G_GINT64_FORMAT ", before the stored %" G_GINT64_FORMAT
                 ": its database was replaced; following it again from the start",
                 changes->last, self->seq);
      self->seq = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
      schedule (self, 0);
      return;
    }

  before = self->seq;
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < changes->changes->len && self->running; i++)
    {
      RwOrthancChange *change = g_ptr_array_index (changes->changes, i);

      if (change->seq <= self->seq)
        continue;
      self->seq = change->seq;
      if (g_strcmp0 (change->change_type, "StableStudy") == 0)
        g_signal_emit (self, signals[STABLE_STUDY], 0, change->seq, change->id);
    }
  /* Everything up to "Last" has been seen, including what a filter on
   * Orthanc's side may have skipped. */
  if (self->running && changes->last > self->seq)
    self->seq = changes->last;
  if (self->seq != before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
  g_object_thaw_notify (G_OBJECT (self));

  if (self->running)
    schedule (self, changes->done ? self->interval_ms : 0);
}

static void
poll_changes (RwChangeFollower *self)
{
  rw_orthanc_client_get_changes_async (self->client, self->seq, BATCH, self->cancellable,
                                       on_changes, self);
}

static void
rw_change_follower_dispose (GObject *object)
{
  RwChangeFollower *self = RW_CHANGE_FOLLOWER (object);

  rw_change_follower_stop (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (rw_change_follower_parent_class)->dispose (object);
}

static void
rw_change_follower_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  RwChangeFollower *self = RW_CHANGE_FOLLOWER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval_ms);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_change_follower_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  RwChangeFollower *self = RW_CHANGE_FOLLOWER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_SEQ:
      self->seq = g_value_get_int64 (value);
      break;
    case PROP_INTERVAL:
      rw_change_follower_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_change_follower_class_init (RwChangeFollowerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rw_change_follower_dispose;
  object_class->get_property = rw_change_follower_get_property;
  object_class->set_property = rw_change_follower_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, RW_TYPE_ORTHANC_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEQ] =
    g_param_spec_int64 ("seq", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 10, 3600 * 1000, DEFAULT_INTERVAL_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RwChangeFollower::stable-study:
   * @seq: the change's sequence number
   * @study_id: Orthanc's id of the study
   */
  signals[STABLE_STUDY] =
    g_signal_new ("stable-study", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
  /**
   * RwChangeFollower::error:
   * @error: why the last poll failed (an RW_ORTHANC_ERROR)
   */
  signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
rw_change_follower_init (RwChangeFollower *self)
{
  self->interval_ms = DEFAULT_INTERVAL_MS;
}

RwChangeFollower *
rw_change_follower_new (RwOrthancClient *client,
                        gint64           since)
{
  g_return_val_if_fail (RW_IS_ORTHANC_CLIENT (client), NULL);
  g_return_val_if_fail (since >= 0, NULL);

  return g_object_new (RW_TYPE_CHANGE_FOLLOWER, "client", client, "seq", since, NULL);
}

void
rw_change_follower_set_interval (RwChangeFollower *self,
                                 guint             interval_ms)
{
  g_return_if_fail (RW_IS_CHANGE_FOLLOWER (self));
  g_return_if_fail (interval_ms >= 10);

  if (self->interval_ms == interval_ms)
    return;
  self->interval_ms = interval_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

guint
rw_change_follower_get_interval (RwChangeFollower *self)
{
  g_return_val_if_fail (RW_IS_CHANGE_FOLLOWER (self), 0);
  return self->interval_ms;
}

void
rw_change_follower_start (RwChangeFollower *self)
{
  g_return_if_fail (RW_IS_CHANGE_FOLLOWER (self));

  if (self->running)
    return;
  self->running = TRUE;
  self->failures = 0;
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  poll_changes (self);
}

void
rw_change_follower_stop (RwChangeFollower *self)
{
  g_return_if_fail (RW_IS_CHANGE_FOLLOWER (self));

  if (!self->running)
    return;
  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  g_clear_pointer (&self->context, g_main_context_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

gboolean
rw_change_follower_get_running (RwChangeFollower *self)
{
  g_return_val_if_fail (RW_IS_CHANGE_FOLLOWER (self), FALSE);
  return self->running;
}

gboolean
rw_change_follower_get_connected (RwChangeFollower *self)
{
  g_return_val_if_fail (RW_IS_CHANGE_FOLLOWER (self), FALSE);
  return self->connected;
}

gint64
rw_change_follower_get_seq (RwChangeFollower *self)
{
  g_return_val_if_fail (RW_IS_CHANGE_FOLLOWER (self), 0);
  return self->seq;
}
