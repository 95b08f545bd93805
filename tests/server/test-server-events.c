/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/socket.h>

#include "rw-test-server.h"
#include "rw-test-util.h"

/* /api/events: real WebSocket clients of a real server. */

typedef struct {
  RwTestServer *server;
  char         *ana;
  char         *bruno;
} Fixture;

static void
setup_with_backlog (Fixture    *f,
                    const char *max_backlog)
{
  f->server = rw_test_server_new ();
  if (max_backlog != NULL)
    rw_test_server_set_config (f->server, "events", "max_backlog", max_backlog);
  rw_test_server_add_staff (f->server, "ana");
  rw_test_server_add_staff (f->server, "bruno");
  rw_test_server_start (f->server);
  f->ana = rw_test_server_login_staff (f->server, "ana");
  f->bruno = rw_test_server_login_staff (f->server, "bruno");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  setup_with_backlog (f, data);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_free (f->ana);
  g_free (f->bruno);
  rw_test_server_free (f->server);
}

typedef struct {
  SoupWebsocketConnection *connection;
  GPtrArray               *frames;   /* JsonObject* */
  gboolean                 done;
  guint                    status;
  gboolean                 closed;
} Client;

static void
client_free (Client *client)
{
  if (client->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (client->connection, client);
      if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (client->connection);
    }
  g_ptr_array_unref (client->frames);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
on_message (SoupWebsocketConnection *connection,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Client *client = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  json_parser_load_from_data (parser, g_bytes_get_data (message, NULL), (gssize) g_bytes_get_size (message), &error);
  g_assert_no_error (error);
  g_ptr_array_add (client->frames, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  Client *client = user_data;

  client->closed = TRUE;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Client *client = user_data;

  client->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);
  client->done = TRUE;
}

static gboolean
client_done (gpointer data)
{
  return ((Client *) data)->done;
}

static Client *
connect_client (Fixture    *f,
                const char *token)
{
  g_autofree char *url = g_strconcat (rw_test_server_get_url (f->server), "/api/events", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  Client *client = g_new0 (Client, 1);

  client->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  if (token != NULL)
    {
      g_autofree char *header = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
    }
  soup_session_websocket_connect_async (rw_test_server_get_session (f->server), msg, NULL, NULL,
                                        G_PRIORITY_DEFAULT, NULL, on_connected, client);
  g_assert_true (rw_test_wait_until (client_done, client, 10000));
  client->status = soup_message_get_status (msg);
  if (client->connection != NULL)
    {
      g_signal_connect (client->connection, "message", G_CALLBACK (on_message), client);
      g_signal_connect (client->connection, "closed", G_CALLBACK (on_closed), client);
    }
  return client;
}

typedef struct {
  Client *client;
  guint   n;
} Wanted;

static gboolean
has_frames (gpointer data)
{
  Wanted *wanted = data;

  return wanted->client->frames->len >= wanted->n;
}

static JsonObject *
wait_frame (Client *client,
            guint   index)
{
  Wanted wanted = { client, index + 1 };

  g_assert_true (rw_test_wait_until (has_frames, &wanted, 10000));
  return g_ptr_array_index (client->frames, index);
}

static void
assert_event (JsonObject *frame,
              const char *event,
              gint64      exam_id)
{
  JsonObject *exam = json_object_get_object_member (frame, "exam");

  g_assert_cmpstr (json_object_get_string_member (frame, "event"), ==, event);
  g_assert_cmpint (json_object_get_int_member (frame, "exam_id"), ==, exam_id);
  g_assert_cmpint (json_object_get_int_member (exam, "id"), ==, exam_id);
  g_assert_true (json_object_has_member (exam, "patient"));
}

static void
test_two_clients (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Client) one = connect_client (f, f->ana);
  g_autoptr(Client) two = connect_client (f, f->bruno);
  g_autofree char *claim = NULL, *save = NULL, *finalize = NULL;
  Client *clients[] = { one, two };
  gint64 id;

  g_assert_nonnull (one->connection);
  g_assert_nonnull (two->connection);

  /* Quotes and a backslash travel through the frames' own JSON writer. */
  id = rw_test_server_add_exam (f->server, "1.2.840.1", "111", "SILVA^JOÃO \"JR\" \\ II");
  claim = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT "/claim", id);
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", claim, f->ana, NULL, NULL, 0, NULL), ==, 200);
  save = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/save", id);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", save, f->ana,
                                                 "{\"technique\":\"TC\",\"findings\":\"Normal.\"}", NULL), ==, 200);
  finalize = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/finalize", id);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", finalize, f->ana,
                                                 "{\"conclusion\":\"Exame normal.\"}", NULL), ==, 200);

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      JsonObject *last;

      assert_event (wait_frame (clients[i], 0), "exam_created", id);
      assert_event (wait_frame (clients[i], 1), "exam_updated", id);
      assert_event (wait_frame (clients[i], 2), "report_saved", id);
      last = wait_frame (clients[i], 3);
      assert_event (last, "report_finalized", id);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (last, "exam"), "status"), ==, "completed");
    }

  /* The frame's exam is the API's exam object, member for member. */
  {
    g_autoptr(JsonNode) list = NULL;
    JsonArray *exams;
    JsonNode *listed = NULL;

    g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/exams", f->ana, NULL, NULL, 0, &list), ==, 200);
    exams = json_object_get_array_member (json_node_get_object (list), "exams");
    for (guint i = 0; i < json_array_get_length (exams); i++)
      if (json_object_get_int_member (json_array_get_object_element (exams, i), "id") == id)
        listed = json_array_get_element (exams, i);
    g_assert_nonnull (listed);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (listed), "patient"), "name"),
                     ==, "SILVA^JOÃO \"JR\" \\ II");
    g_assert_true (json_node_equal (listed, json_object_get_member (wait_frame (one, 3), "exam")));
  }
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(Client) none = connect_client (f, NULL);
  g_autoptr(Client) wrong = connect_client (f, "0000000000000000000000000000000000000000000000000000000000000000");
  g_autoptr(JsonNode) plain = NULL;

  g_assert_null (none->connection);
  g_assert_cmpuint (none->status, ==, 401);
  g_assert_null (wrong->connection);
  g_assert_cmpuint (wrong->status, ==, 401);

  /* A plain GET with a token is a 400 with the contract's error shape. */
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/events", f->ana, NULL, NULL, 0, &plain), ==, 400);
  g_assert_true (json_object_has_member (json_node_get_object (plain), "error"));
}

static void
test_repeat_delivery_one_event (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(Client) client = connect_client (f, f->ana);
  g_autofree char *body = rw_test_server_sample_payload (f->server, "1.2.840.2", "222", "LIMA^ANA");
  g_autoptr(JsonNode) first = NULL, second = NULL;
  gint64 other;

  g_assert_cmpuint (rw_test_server_post_webhook (f->server, body, "delivery-1", &first), ==, 200);
  g_assert_cmpuint (rw_test_server_post_webhook (f->server, body, "delivery-1", &second), ==, 200);
  other = rw_test_server_add_exam (f->server, "1.2.840.3", "333", "LIMA^BIA");

  /* Events come in commit order: had the retry raised one, it would sit
   * between the two. */
  assert_event (wait_frame (client, 0), "exam_created", json_object_get_int_member (json_node_get_object (first), "exam_id"));
  assert_event (wait_frame (client, 1), "exam_created", other);
  g_assert_cmpuint (client->frames->len, ==, 2);
}

/* A client that completed the handshake and then never reads again, with
 * a small receive buffer so that it fills quickly. */
static GSocket *
connect_stalled (Fixture    *f,
                 const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", rw_test_server_get_port (f->server));
  g_autofree char *request = NULL;
  GSocket *socket;
  char buffer[4096];
  gssize n;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 4096, &error);
  g_assert_no_error (error);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);

  request = g_strdup_printf ("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n", token);
  g_assert_cmpint (g_socket_send (socket, request, strlen (request), NULL, &error), ==, (gssize) strlen (request));
  n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  buffer[MAX (n, 0)] = '\0';
  g_assert_true (g_str_has_prefix (buffer, "HTTP/1.1 101"));
  return socket;
}

/* How many events the poster may be ahead of the slower reading client.
 * The reading clients are read by the test's main thread, which a loaded
 * machine may leave behind the poster's thread and the server: unpaced,
 * their socket buffers filled too and the server rightly cut them off as
 * stalled. A few frames never fill a socket buffer, so only the client
 * that does not read at all is cut off. */
#define POSTER_WINDOW 4

typedef struct {
  RwTestServer *server;
  guint         n;
  guint         posted;
  char         *description;
  GMutex        lock;
  GCond         cond;
  guint         delivered;   /* events both reading clients have */
} Poster;

/* Posts from its own thread and session while the main thread reads
 * events, as Orthanc and the radiologists' clients do at the same time. */
static gpointer
post_webhooks (gpointer data)
{
  Poster *poster = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *url = g_strconcat (rw_test_server_get_url (poster->server), "/webhook/dicom", NULL);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_main_context_push_thread_default (context);
  session = soup_session_new ();
  for (guint i = 0; i < poster->n; i++)
    {
      g_autofree char *uid = g_strdup_printf ("1.2.840.99.%u", i);
      g_autofree char *sample = rw_test_server_sample_payload (poster->server, uid, "444", "COSTA^RUI");
      g_auto(GStrv) parts = g_strsplit (sample, "TC ABDOME TOTAL", 2);
      g_autofree char *body = g_strjoin (poster->description, parts[0], parts[1], NULL);
      g_autofree char *signature = rw_test_server_sign (poster->server, body, strlen (body));
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autoptr(GBytes) reply = NULL;
      gboolean behind = FALSE;

      g_mutex_lock (&poster->lock);
      while (poster->delivered + POSTER_WINDOW <= i && !behind)
        behind = !g_cond_wait_until (&poster->cond, &poster->lock, deadline);
      g_mutex_unlock (&poster->lock);
      /* The readers stopped getting events: the main thread's wait fails. */
      if (behind)
        break;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Webhook-Signature", signature);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      reply = soup_session_send_and_read (session, msg, NULL, NULL);
      if (soup_message_get_status (msg) == 200)
        g_atomic_int_inc (&poster->posted);
    }
  g_main_context_pop_thread_default (context);
  return NULL;
}

typedef struct {
  Client *clients[2];
  Poster *poster;
} Readers;

/* Also tells the poster how far the reading clients got. */
static gboolean
all_received (gpointer data)
{
  Readers *readers = data;
  guint delivered = MIN (readers->clients[0]->frames->len, readers->clients[1]->frames->len);

  g_mutex_lock (&readers->poster->lock);
  if (delivered != readers->poster->delivered)
    {
      readers->poster->delivered = delivered;
      g_cond_signal (&readers->poster->cond);
    }
  g_mutex_unlock (&readers->poster->lock);
  return delivered >= readers->poster->n;
}

static void
test_stalled_client (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Client) one = connect_client (f, f->ana);
  g_autoptr(Client) two = connect_client (f, f->bruno);
  g_autoptr(GSocket) stalled = connect_stalled (f, f->ana);
  Client *clients[] = { one, two };
  Poster poster = { f->server, 120, 0, NULL };
  Readers readers = { { one, two }, &poster };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gboolean closed = FALSE;
  gint64 deadline;

  /* Frames of about 4 KB, so that the stalled client's buffers fill after
   * a few dozen events. */
  poster.description = g_strnfill (4000, 'X');
  g_mutex_init (&poster.lock);
  g_cond_init (&poster.cond);
  thread = g_thread_new ("poster", post_webhooks, &poster);
  g_assert_true (rw_test_wait_until (all_received, &readers, 60000));
  g_thread_join (thread);
  g_free (poster.description);
  g_mutex_clear (&poster.lock);
  g_cond_clear (&poster.cond);
  g_assert_cmpuint (poster.posted, ==, 120);

  /* Both reading clients got every event, each exam once. */
  for (guint c = 0; c < G_N_ELEMENTS (clients); c++)
    {
      g_hash_table_remove_all (seen);
      g_assert_cmpuint (clients[c]->frames->len, ==, 120);
      g_assert_false (clients[c]->closed);
      for (guint i = 0; i < clients[c]->frames->len; i++)
        {
          JsonObject *frame = g_ptr_array_index (clients[c]->frames, i);
          gint64 *id = g_new (gint64, 1);

          g_assert_cmpstr (json_object_get_string_member (frame, "event"), ==, "exam_created");
          *id = json_object_get_int_member (frame, "exam_id");
          g_assert_false (g_hash_table_contains (seen, id));
          g_hash_table_add (seen, id);
        }
    }

  /* The stalled client was cut off: reading now drains what the kernel
   * held for it and then meets the end of the stream. */
  g_socket_set_timeout (stalled, 1);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!closed && g_get_monotonic_time () < deadline)
    {
      char buffer[65536];
      gssize n;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      n = g_socket_receive (stalled, buffer, sizeof buffer, NULL, &error);
      if (n == 0 || (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)))
        closed = TRUE;
      g_clear_error (&error);
    }
  g_assert_true (closed);
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/health", NULL, NULL, NULL, 0, NULL), ==, 200);
}

static gboolean
client_closed (gpointer data)
{
  return ((Client *) data)->closed;
}

typedef struct {
  SoupSession *sessions[4];
  Client      *leaving;
} Leavers;

/* Runs as the server starts to stop. */
static gboolean
leave (gpointer data)
{
  Leavers *leavers = data;

  for (guint i = 0; i < G_N_ELEMENTS (leavers->sessions); i++)
    soup_session_abort (leavers->sessions[i]);
  if (soup_websocket_connection_get_state (leavers->leaving->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (leavers->leaving->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  return G_SOURCE_REMOVE;
}

/* SIGTERM while event clients listen (one of them stalled, one leaving)
 * and clients close the connections the server keeps between requests as
 * it stops: the listening client is told Going Away, and the server says
 * it stopped and exits with status 0 (which the fixture checks). Which of
 * these the server sees first varies from stop to stop: a few rounds. */
static void
test_shutdown (Fixture       *f,
               gconstpointer  data)
{
  for (guint round = 0; round < 4; round++)
    {
      g_autoptr(Client) listening = connect_client (f, f->ana);
      g_autoptr(Client) leaving = connect_client (f, f->bruno);
      g_autoptr(GSocket) stalled = connect_stalled (f, f->ana);
      g_autofree char *url = g_strconcat (rw_test_server_get_url (f->server), "/health", NULL);
      g_autofree char *log = NULL;
      Leavers leavers = { { NULL }, leaving };

      g_assert_nonnull (listening->connection);
      g_assert_nonnull (leaving->connection);
      for (guint i = 0; i < G_N_ELEMENTS (leavers.sessions); i++)
        {
          g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
          g_autoptr(GBytes) body = NULL;

          leavers.sessions[i] = soup_session_new ();
          body = soup_session_send_and_read (leavers.sessions[i], msg, NULL, NULL);
          g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
        }

      g_idle_add (leave, &leavers);
      rw_test_server_stop (f->server);
      g_assert_true (rw_test_wait_until (client_closed, listening, 10000));
      g_assert_cmpuint (soup_websocket_connection_get_close_code (listening->connection), ==,
                        SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
      log = rw_test_server_read_log (f->server);
      g_assert_true (g_str_has_suffix (log, "Stopped\n"));

      for (guint i = 0; i < G_N_ELEMENTS (leavers.sessions); i++)
        g_object_unref (leavers.sessions[i]);
      rw_test_server_start (f->server);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/events/two-clients", Fixture, NULL, fixture_setup, test_two_clients, fixture_teardown);
  g_test_add ("/server/events/refused", Fixture, NULL, fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/server/events/repeat-delivery-one-event", Fixture, NULL, fixture_setup,
              test_repeat_delivery_one_event, fixture_teardown);
  g_test_add ("/server/events/stalled-client", Fixture, "8", fixture_setup, test_stalled_client, fixture_teardown);
  g_test_add ("/server/events/shutdown", Fixture, NULL, fixture_setup, test_shutdown, fixture_teardown);

  return g_test_run ();
}
