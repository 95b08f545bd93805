/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <sys/socket.h>

#include "rw-server-events.h"

/* The /api/events hub: every connected client gets every frame, sent from
 * the main loop right after the commit it reports.
 *
 * libsoup queues outgoing frames without bound and does not say how many
 * it holds, so the hub watches the socket instead: while the kernel's send
 * buffer has room, libsoup's queue is empty. Each frame sent while the
 * buffer is full adds one to the client's backlog; past max_backlog the
 * client is closed (libsoup drops the connection at most 5 s later), so a
 * client that stopped reading costs a bounded amount of memory and never
 * delays the others. The kernel's share is bounded too: event sockets get
 * a fixed send buffer instead of one that grows to megabytes. */

#define SEND_BUFFER (64 * 1024)
struct _RwServerEvents
{
  GObject  parent_instance;

  GList   *clients;   /* Client* */
  guint    max_backlog;
};

G_DEFINE_FINAL_TYPE (RwServerEvents, rw_server_events, G_TYPE_OBJECT)

typedef struct {
  RwServerEvents          *hub;
  SoupWebsocketConnection *connection;
  GSocket                 *socket;
  char                    *username;
  guint                    backlog;
} Client;

static void
client_free (Client *client)
{
  g_signal_handlers_disconnect_by_data (client->connection, client);
  g_object_unref (client->connection);
  g_clear_object (&client->socket);
  g_free (client->username);
  g_free (client);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  Client *client = user_data;
  RwServerEvents *self = client->hub;

  g_debug ("Event client of %s closed (code %u)", client->username,
           soup_websocket_connection_get_close_code (connection));
  self->clients = g_list_remove (self->clients, client);
  client_free (client);
}

static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  Client *client = user_data;

  g_debug ("Event client of %s: %s", client->username, error->message);
}

static void
rw_server_events_finalize (GObject *object)
{
  RwServerEvents *self = (RwServerEvents *)object;

  g_list_free_full (g_steal_pointer (&self->clients), (GDestroyNotify) client_free);

  G_OBJECT_CLASS (rw_server_events_parent_class)->finalize (object);
}

static void
rw_server_events_class_init (RwServerEventsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_server_events_finalize;
}

static void
rw_server_events_init (RwServerEvents *self)
{
}

RwServerEvents *
rw_server_events_new (guint max_backlog)
{
  RwServerEvents *self = g_object_new (RW_TYPE_SERVER_EVENTS, NULL);

  self->max_backlog = MAX (max_backlog, 1);
  return self;
}

void
rw_server_events_add_client (RwServerEvents          *self,
                             SoupWebsocketConnection *connection,
                             GSocket                 *socket,
                             const RwServerUser      *user)
{
  Client *client;

  g_return_if_fail (RW_IS_SERVER_EVENTS (self));
  g_return_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (connection));

  client = g_new0 (Client, 1);
  client->hub = self;
  client->connection = g_object_ref (connection);
  client->socket = socket != NULL ? g_object_ref (socket) : NULL;
  if (socket != NULL)
    g_socket_set_option (socket, SOL_SOCKET, SO_SNDBUF, SEND_BUFFER, NULL);
  client->username = g_strdup (user != NULL ? user->username : NULL);

  /* Clients only listen; anything they send is read and dropped, and
   * a big frame from one is a protocol error. Pings find dead peers. */
  soup_websocket_connection_set_max_incoming_payload_size (connection, 4096);
  soup_websocket_connection_set_keepalive_interval (connection, 30);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), client);
  g_signal_connect (connection, "error", G_CALLBACK (on_error), client);

  self->clients = g_list_prepend (self->clients, client);
  g_debug ("Event client of %s connected (%u connected)", client->username,
           g_list_length (self->clients));
}

void
rw_server_events_broadcast (RwServerEvents *self,
                            const char     *frame)
{
  g_return_if_fail (RW_IS_SERVER_EVENTS (self));
  g_return_if_fail (frame != NULL);

  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (soup_websocket_connection_get_state (client->connection) != SOUP_WEBSOCKET_STATE_OPEN)
        continue;

      if (client->socket != NULL &&
          (g_socket_condition_check (client->socket, G_IO_OUT) & G_IO_OUT) == 0)
        client->backlog++;
      else
        client->backlog = 0;

      if (client->backlog > self->max_backlog)
        {
          g_message ("Closing the event stream of %s: it stopped reading (%u events waiting)",
                     client->username, client->backlog);
          soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                           "not reading");
          continue;
        }
      soup_websocket_connection_send_text (client->connection, frame);
    }
}

/* For shutdown: 1001 Going Away to everyone. */
void
rw_server_events_close_all (RwServerEvents *self)
{
  g_return_if_fail (RW_IS_SERVER_EVENTS (self));

  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    }
}
