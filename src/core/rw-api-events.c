/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include "rw-api-events.h"
#include "rw-json.h"

/* Holds the /api/events WebSocket open for as long as it is started: when
 * the connection drops or cannot be made it tries again after 1 s, 2 s, 4 s
 * … up to 30 s, so a restarted server is found again quickly without a
 * reading room full of clients hammering it. "connected" turns TRUE each
 * time the stream is (re)established; that is the moment to catch up on
 * what was missed with GET /api/exams?updated_since=. */
struct _RwApiEvents
{
  GObject                  parent_instance;

  RwApiClient             *client;
  SoupWebsocketConnection *connection;
  /* The upgrade request in flight, kept to read its status on failure. */
  SoupMessage             *pending;
  GCancellable            *cancellable;
  guint                    retry_source;
  guint                    backoff_s;
  guint                    started : 1;
  guint                    connected : 1;
};

G_DEFINE_FINAL_TYPE (RwApiEvents, rw_api_events, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTED,
  N_PROPS
};

enum {
  EVENT,
  UNAUTHORIZED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

#define BACKOFF_MAX_S 30

static void connect_now (RwApiEvents *self);

static void
set_connected (RwApiEvents *self,
               gboolean     connected)
{
  if (self->connected == !!connected)
    return;
  self->connected = !!connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static gboolean
on_retry_timeout (gpointer user_data)
{
  RwApiEvents *self = user_data;

  self->retry_source = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (RwApiEvents *self)
{
  guint delay_ms;

  if (!self->started || self->retry_source != 0)
    return;

  /* Up to a quarter of jitter, so clients that lost the server together do
   * not all come back in the same millisecond. */
  delay_ms = self->backoff_s * 1000 + (guint) g_random_int_range (0, (gint32) self->backoff_s * 250 + 1);
  self->backoff_s = MIN (self->backoff_s * 2, BACKOFF_MAX_S);
  g_debug ("events: reconnecting in %u ms", delay_ms);
  self->retry_source = g_timeout_add (delay_ms, on_retry_timeout, self);
}

static void
drop_connection (RwApiEvents *self)
{
  if (self->connection == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->connection, self);
  if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&self->connection);
}

static void
on_message (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            RwApiEvents             *self)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  const char *event = NULL;
  JsonObject *exam = NULL;
  gint64 exam_id = 0;
  gsize len = 0;
  const char *data;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;

  /* A malformed frame is dropped, not fatal: the next catch-up fetches
   * whatever it was about. */
  data = g_bytes_get_data (message, &len);
  object = rw_json_parse_object (data, (gssize) len, &error);
  if (object == NULL ||
      !rw_json_get_string (object, "event", RW_JSON_REQUIRED, &event, &error) ||
      !rw_json_get_int (object, "exam_id", RW_JSON_OPTIONAL, &exam_id, &error) ||
      !rw_json_get_object (object, "exam", RW_JSON_OPTIONAL, &exam, &error))
    {
      g_warning ("events: ignoring a malformed event: %s", error->message);
      return;
    }

  g_signal_emit (self, signals[EVENT], g_quark_try_string (event), event, exam_id, exam);
}

static void
on_closed (SoupWebsocketConnection *connection,
           RwApiEvents             *self)
{
  g_debug ("events: connection closed (code %u)", soup_websocket_connection_get_close_code (connection));
  drop_connection (self);
  set_connected (self, FALSE);
  schedule_retry (self);
}

static void
on_websocket_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RwApiEvents) self = user_data;
  g_autoptr(SoupMessage) message = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  message = g_steal_pointer (&self->pending);

  if (connection == NULL)
    {
      if (message != NULL && soup_message_get_status (message) == SOUP_STATUS_UNAUTHORIZED)
        {
          /* Retrying cannot help: the token was revoked or has expired. */
          self->started = FALSE;
          set_connected (self, FALSE);
          g_signal_emit (self, signals[UNAUTHORIZED], 0);
          return;
        }
      g_debug ("events: could not connect: %s", error->message);
      set_connected (self, FALSE);
      schedule_retry (self);
      return;
    }

  self->connection = g_steal_pointer (&connection);
  self->backoff_s = 1;
  /* Without traffic a dead peer (cable pulled, server host frozen) is only
   * noticed by the keepalive going unanswered. */
  soup_websocket_connection_set_keepalive_interval (self->connection, 20);
  g_signal_connect (self->connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (on_closed), self);
  set_connected (self, TRUE);
}

static void
connect_now (RwApiEvents *self)
{
  g_autoptr(SoupMessage) message = NULL;

  if (!self->started || self->connection != NULL)
    return;

  message = rw_api_client_new_events_message (self->client);
  if (message == NULL)
    return;

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->pending, message);
  soup_session_websocket_connect_async (rw_api_client_get_session (self->client),
                                        message, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, on_websocket_connected,
                                        g_object_ref (self));
}

static void
rw_api_events_dispose (GObject *object)
{
  RwApiEvents *self = (RwApiEvents *)object;

  rw_api_events_stop (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (rw_api_events_parent_class)->dispose (object);
}

static void
rw_api_events_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RwApiEvents *self = RW_API_EVENTS (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_api_events_class_init (RwApiEventsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rw_api_events_dispose;
  object_class->get_property = rw_api_events_get_property;

  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RwApiEvents::event:
   * @event: "exam_created", "exam_updated", "report_saved", "report_finalized", …
   * @exam_id: the exam concerned
   * @exam: (nullable): the exam as it now is, in the API's JSON
   *
   * Detailed by the event name, so a listener may connect to
   * "event::exam_created" only.
   */
  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT64, JSON_TYPE_OBJECT);

  /* The server refused the token on the upgrade request. */
  signals[UNAUTHORIZED] =
    g_signal_new ("unauthorized", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rw_api_events_init (RwApiEvents *self)
{
  self->backoff_s = 1;
}

RwApiEvents *
rw_api_events_new (RwApiClient *client)
{
  RwApiEvents *self;

  g_return_val_if_fail (RW_IS_API_CLIENT (client), NULL);

  self = g_object_new (RW_TYPE_API_EVENTS, NULL);
  self->client = g_object_ref (client);
  return self;
}

void
rw_api_events_start (RwApiEvents *self)
{
  g_return_if_fail (RW_IS_API_EVENTS (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->backoff_s = 1;
  connect_now (self);
}

void
rw_api_events_stop (RwApiEvents *self)
{
  g_return_if_fail (RW_IS_API_EVENTS (self));

  self->started = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_object (&self->pending);
  drop_connection (self);
  set_connected (self, FALSE);
}

gboolean
rw_api_events_get_connected (RwApiEvents *self)
{
  g_return_val_if_fail (RW_IS_API_EVENTS (self), FALSE);
  return self->connected;
}
