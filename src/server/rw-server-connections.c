/* SPDX-License-Identifier: GPL-3.0-or-later */
/* POLLRDHUP, for the idle watch below. */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "rw-server-connections.h"
#include "rw-server-error.h"

/* The connections of radiweb-server. They are accepted here and handed to
 * libsoup: libsoup 3.2 leaks the GSocket of every connection its own
 * listener accepts (fixed in 3.4), and a listener of our own can be closed
 * at shutdown without touching the connections still being answered.
 *
 * libsoup before 3.3 also loses a kept-alive connection that the client
 * closes while libsoup waits for its next request: it reads the end of the
 * stream before any request has started, so no request finishes and
 * nothing disconnects the connection, whose descriptor and objects stay
 * until the server stops. Clients close idle connections all the time
 * (libsoup's own after a minute, curl in the Orthanc plugin when it is
 * done). So with such a libsoup, each connection is watched here for the
 * peer's close. When the client closes or resets a connection that libsoup
 * keeps after an answer, before its next request starts, the connection is
 * taken back from libsoup through the message just answered
 * (soup_server_message_steal_connection() makes libsoup let go of it) and
 * closed. That must happen before libsoup's own reader reads the end of
 * the stream: once it has, the connection has no message left and taking
 * it back crashes inside libsoup. So the watch runs at a higher priority
 * than that reader and, while the connection is idle, waits for what the
 * reader waits for (G_IO_IN) as well as for the peer's close: whenever the
 * reader could run, the watch runs first. It then looks at what is there
 * (recv() with MSG_PEEK), not at the poll's flags: the kernel may report
 * the end of the stream as readable a moment before it reports the close,
 * and a watch for the close alone (POLLRDHUP) lost that race now and then
 * under load, the server dying of it, at shutdown too, when clients close
 * their connections. When the next request's bytes arrive the watch goes
 * back to the close alone until that request is answered. Its descriptor
 * stays in the main loop's poll set from the connection's first answer to
 * its end, its events changed in place: GLib 2.74 builds a new poll set at
 * every change of that set, which adding and removing it around each
 * answer made a tenth of the main thread's time under load. */

struct _RwServerConnections
{
  GObject         parent_instance;

  SoupServer     *soup;
  GSocketService *service;
  /* Entry*: every connection accepted and not yet finalized. */
  GHashTable     *entries;
  gboolean        watch_idle;
};

G_DEFINE_FINAL_TYPE (RwServerConnections, rw_server_connections, G_TYPE_OBJECT)

typedef struct _Entry Entry;

/* What the watch waits for: while libsoup waits for the next request, and
 * while a request is under way. */
#define IDLE_EVENTS ((GIOCondition) (G_IO_IN | POLLRDHUP | G_IO_HUP | G_IO_ERR))
#define BUSY_EVENTS ((GIOCondition) (POLLRDHUP | G_IO_HUP | G_IO_ERR))

typedef struct {
  GSource  source;
  Entry   *entry;
} IdleWatch;

struct _Entry
{
  RwServerConnections *owner;
  GSocketConnection   *connection;   /* weak */
  /* The address libsoup gives every message of this connection; it
   * carries the entry (entry_quark). */
  GSocketAddress      *remote;

  /* While libsoup waits for the next request: the request answered last,
   * through which the connection can be taken back. */
  SoupServerMessage   *answered;
  gulong               disconnected_id;
  IdleWatch           *watch;
  gpointer             watch_tag;
  GIOCondition         watch_events;

  /* TCP_CORK is set until the answer is written (see
   * rw_server_connections_hold_answer()). */
  gboolean             corked;
};

static G_DEFINE_QUARK (rw-server-connection-entry, entry)

static Entry *
entry_for_message (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return remote != NULL ? g_object_get_qdata (G_OBJECT (remote), entry_quark ()) : NULL;
}

/* Takes the descriptor out of the poll set: libsoup is about to close it,
 * or the peer's close is seen and must not wake the loop again and again
 * while a request is being answered. */
static void
stop_watching (Entry *entry)
{
  if (entry->watch_tag == NULL)
    return;
  g_source_remove_unix_fd ((GSource *) entry->watch, entry->watch_tag);
  entry->watch_tag = NULL;
  entry->watch_events = 0;
}

/* The connection has a request again (or is gone): returns the message
 * that was kept, if any. */
static SoupServerMessage *
take_answered (Entry *entry)
{
  if (entry->answered == NULL)
    return NULL;
  g_clear_signal_handler (&entry->disconnected_id, entry->answered);
  return g_steal_pointer (&entry->answered);
}

static void
forget_answered (Entry *entry)
{
  g_autoptr(SoupServerMessage) answered = take_answered (entry);
}

static void
close_idle (Entry *entry)
{
  g_autoptr(SoupServerMessage) answered = take_answered (entry);
  g_autoptr(GIOStream) stream = NULL;

  if (answered == NULL)
    return;
  stream = soup_server_message_steal_connection (answered);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

/* The peer closed or reset the connection, or sent its next request
 * (along with its close, maybe). */
static gboolean
idle_watch_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  Entry *entry = ((IdleWatch *) source)->entry;
  GSocket *socket = g_socket_connection_get_socket (entry->connection);
  gboolean closing;
  gssize n;
  char byte;

  /* Stopped by another source of this iteration. */
  if (entry->watch_tag == NULL)
    return G_SOURCE_CONTINUE;
  closing = (g_source_query_unix_fd (source, entry->watch_tag) & BUSY_EVENTS) != 0;

  /* Closed by libsoup, or seen closing while a request is under way: the
   * connection is watched again from that request's answer, if it is
   * kept, and closed then (the close's condition stays). */
  if (g_socket_is_closed (socket) || entry->answered == NULL)
    {
      stop_watching (entry);
      forget_answered (entry);
      return G_SOURCE_CONTINUE;
    }

  /* What is there decides, not the poll's flags: the kernel may report the
   * end of the stream as readable a moment before it reports the close. */
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0)
    {
      /* The next request, which libsoup reads once this returns. Until its
       * answer only the peer's close matters; if that is already there,
       * the watch waits for the answer, or it would run again and again
       * ahead of libsoup's reader. */
      if (closing)
        stop_watching (entry);
      else if (entry->watch_events != BUSY_EVENTS)
        {
          g_source_modify_unix_fd (source, entry->watch_tag, BUSY_EVENTS);
          entry->watch_events = BUSY_EVENTS;
        }
      return G_SOURCE_CONTINUE;
    }
  /* Woken a moment early: the poll runs again. */
  if (n < 0 && !closing && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;

  /* The end of the stream, or a reset. */
  stop_watching (entry);
  close_idle (entry);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs idle_watch_funcs = {
  .dispatch = idle_watch_dispatch,
};

static void
on_answered_disconnected (SoupServerMessage *msg,
                          gpointer           user_data)
{
  forget_answered (user_data);
  stop_watching (user_data);
}

/* After an answer that keeps the connection: the message answered is kept
 * until the next request starts, and the descriptor watched (if it is not
 * already). libsoup keeps the connection when the request and the answer
 * are HTTP/1.1 without "Connection: close"; if it does not after all, the
 * message's "disconnected" ends the watch before the descriptor is
 * closed. */
static void
watch_idle (Entry             *entry,
            SoupServerMessage *msg)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  GSocket *socket = g_socket_connection_get_socket (entry->connection);

  forget_answered (entry);
  if (soup_server_message_get_http_version (msg) != SOUP_HTTP_1_1 ||
      soup_message_headers_header_contains (request, "Connection", "close") ||
      soup_message_headers_header_contains (response, "Connection", "close") ||
      g_socket_is_closed (socket))
    {
      stop_watching (entry);
      return;
    }

  entry->answered = g_object_ref (msg);
  entry->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_answered_disconnected), entry);
  if (entry->watch == NULL)
    {
      entry->watch = (IdleWatch *) g_source_new (&idle_watch_funcs, sizeof (IdleWatch));
      entry->watch->entry = entry;
      g_source_set_priority ((GSource *) entry->watch, G_PRIORITY_HIGH);
      g_source_set_static_name ((GSource *) entry->watch, "rw-server idle connection");
      g_source_attach ((GSource *) entry->watch, g_main_context_get_thread_default ());
    }
  if (entry->watch_tag == NULL)
    entry->watch_tag = g_source_add_unix_fd ((GSource *) entry->watch, g_socket_get_fd (socket), IDLE_EVENTS);
  else if (entry->watch_events != IDLE_EVENTS)
    g_source_modify_unix_fd ((GSource *) entry->watch, entry->watch_tag, IDLE_EVENTS);
  entry->watch_events = IDLE_EVENTS;
}

static void
set_cork (Entry    *entry,
          gboolean  cork)
{
  GSocket *socket = g_socket_connection_get_socket (entry->connection);

  entry->corked = cork;
  if (!g_socket_is_closed (socket))
    g_socket_set_option (socket, IPPROTO_TCP, TCP_CORK, cork, NULL);
}

static void
on_request_started (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  Entry *entry = entry_for_message (msg);

  if (entry != NULL)
    forget_answered (entry);
}

/* "request-finished" and "request-aborted": libsoup keeps the connection
 * after both when the exchange was complete (an aborted request is also one
 * answered 500). */
static void
on_request_done (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  RwServerConnections *self = user_data;
  Entry *entry = entry_for_message (msg);

  if (entry == NULL)
    return;
  if (entry->corked)
    set_cork (entry, FALSE);
  if (self->watch_idle)
    watch_idle (entry, msg);
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  forget_answered (entry);
  if (entry->watch != NULL)
    {
      g_source_destroy ((GSource *) entry->watch);
      g_source_unref ((GSource *) entry->watch);
    }
  g_object_set_qdata (G_OBJECT (entry->remote), entry_quark (), NULL);
  g_object_unref (entry->remote);
  g_free (entry);
}

static void
on_connection_gone (gpointer  data,
                    GObject  *where_the_object_was)
{
  Entry *entry = data;

  g_hash_table_remove (entry->owner->entries, entry);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  RwServerConnections *self = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;
  Entry *entry;

  if (local == NULL || remote == NULL)
    return TRUE;
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  entry = g_new0 (Entry, 1);
  entry->owner = self;
  entry->connection = connection;
  entry->remote = g_object_ref (remote);
  g_object_set_qdata (G_OBJECT (remote), entry_quark (), entry);
  g_hash_table_add (self->entries, entry);
  g_object_weak_ref (G_OBJECT (connection), on_connection_gone, entry);

  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (connection), local, remote, &error))
    g_warning ("Could not take a connection: %s", error->message);
  return TRUE;
}

/* libsoup 3.2 keeps a connection open after an answer only while it has a
 * listener of its own (request_finished() checks for one). Ours accept the
 * connections (see on_incoming()), so libsoup is given a listener that can
 * never accept anything: a loopback socket shut down right after listen(),
 * before the main loop could accept on it. */
static gboolean
add_keepalive_listener (RwServerConnections  *self,
                        GError              **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_listen_backlog (socket, 1);
  if (!g_socket_bind (socket, address, FALSE, error) ||
      !g_socket_listen (socket, error) ||
      !soup_server_listen_socket (self->soup, socket, 0, error))
    return FALSE;
  shutdown (g_socket_get_fd (socket), SHUT_RDWR);
  return TRUE;
}

static void
rw_server_connections_dispose (GObject *object)
{
  RwServerConnections *self = (RwServerConnections *)object;
  GHashTableIter iter;
  gpointer entry;

  rw_server_connections_stop (self);
  g_clear_object (&self->service);
  if (self->soup != NULL)
    g_signal_handlers_disconnect_by_data (self->soup, self);
  g_clear_object (&self->soup);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &entry, NULL))
    {
      g_object_weak_unref (G_OBJECT (((Entry *) entry)->connection), on_connection_gone, entry);
      g_hash_table_iter_remove (&iter);
    }

  G_OBJECT_CLASS (rw_server_connections_parent_class)->dispose (object);
}

static void
rw_server_connections_finalize (GObject *object)
{
  RwServerConnections *self = (RwServerConnections *)object;

  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (rw_server_connections_parent_class)->finalize (object);
}

static void
rw_server_connections_class_init (RwServerConnectionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rw_server_connections_dispose;
  object_class->finalize = rw_server_connections_finalize;
}

static void
rw_server_connections_init (RwServerConnections *self)
{
  self->entries = g_hash_table_new_full (NULL, NULL, entry_free, NULL);
}

RwServerConnections *
rw_server_connections_new (SoupServer *soup)
{
  RwServerConnections *self;

  g_return_val_if_fail (SOUP_IS_SERVER (soup), NULL);

  self = g_object_new (RW_TYPE_SERVER_CONNECTIONS, NULL);
  self->soup = g_object_ref (soup);
  self->watch_idle = soup_get_major_version () == 3 && soup_get_minor_version () < 3;
  if (self->watch_idle)
    g_signal_connect (soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (soup, "request-aborted", G_CALLBACK (on_request_done), self);
  return self;
}

/* Starts accepting on @host:@port. */
gboolean
rw_server_connections_listen (RwServerConnections  *self,
                              const char           *host,
                              guint16               port,
                              GError              **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (RW_IS_SERVER_CONNECTIONS (self), FALSE);
  g_return_val_if_fail (self->service == NULL, FALSE);

  address = g_inet_socket_address_new_from_string (host, port);
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, NULL, &local_error))
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFIG,
                   _("Could not listen on %s port %u: %s"), host, port, local_error->message);
      g_clear_object (&self->service);
      return FALSE;
    }
  if (!add_keepalive_listener (self, &local_error))
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFIG,
                   _("Could not prepare a loopback socket: %s"), local_error->message);
      return FALSE;
    }
  g_socket_service_start (self->service);
  return TRUE;
}

/* Stops accepting; the connections already open stay. */
void
rw_server_connections_stop (RwServerConnections *self)
{
  g_return_if_fail (RW_IS_SERVER_CONNECTIONS (self));

  if (self->service == NULL)
    return;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
}

/* libsoup writes an answer's headers and its body with a send each, which
 * on a kept connection makes two TCP segments, and the client two reads,
 * for every answer. Called just before @msg's answer is handed to libsoup:
 * the connection holds back partial segments until the answer is written
 * ("request-finished" or "request-aborted" lets them go), so that a small
 * answer leaves in one segment. The kernel sends what is held after 200 ms
 * in any case. */
void
rw_server_connections_hold_answer (RwServerConnections *self,
                                   SoupServerMessage   *msg)
{
  Entry *entry;

  g_return_if_fail (RW_IS_SERVER_CONNECTIONS (self));

  entry = entry_for_message (msg);
  if (entry != NULL && !entry->corked)
    set_cork (entry, TRUE);
}

/* The socket of @msg's connection, for the event hub. */
GSocket *
rw_server_connections_get_socket (RwServerConnections *self,
                                  SoupServerMessage   *msg)
{
  Entry *entry;

  g_return_val_if_fail (RW_IS_SERVER_CONNECTIONS (self), NULL);

  entry = entry_for_message (msg);
  return entry != NULL ? g_socket_connection_get_socket (entry->connection) : NULL;
}
