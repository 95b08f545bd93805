/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#include "rw-test-server.h"
#include "rw-test-util.h"

/* radiweb-server as a service: what it refuses to start with, how it stops,
 * and that a restart loses nothing it acknowledged. */

typedef struct {
  RwTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = rw_test_server_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rw_test_server_free (f->server);
}

/* The refusal is one line on stderr, with the reason. */
static void
assert_refused (Fixture    *f,
                const char *reason)
{
  g_autofree char *log_path = g_build_filename (rw_test_server_get_dir (f->server), "server.log", NULL);
  g_autofree char *log = NULL;
  int status = 0;

  g_assert_false (rw_test_server_try_start (f->server, &status, &log));
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (log, reason));
  g_assert_true (g_str_has_suffix (log, "\n"));
  g_assert_true (strchr (log, '\n') == log + strlen (log) - 1);
  /* The fixture appends each start's log: start the next case afresh. */
  g_unlink (log_path);
}

static void
test_refuses_missing_secret (Fixture       *f,
                             gconstpointer  data)
{
  rw_test_server_set_config (f->server, "webhook", "secret", "");
  assert_refused (f, "secret");
}

static void
test_refuses_bad_database (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (rw_test_server_get_dir (f->server), "no", "such", "x.db", NULL);
  g_autofree char *file = g_build_filename (rw_test_server_get_dir (f->server), "file", NULL);
  g_autofree char *below_file = g_build_filename (file, "x.db", NULL);

  rw_test_server_set_config (f->server, "server", "database", missing);
  assert_refused (f, "database");

  /* A path whose folder is a file. */
  g_assert_true (g_file_set_contents (file, "# Notes of the clinic's IT, not a database.\n"
                                            "The PACS is on the second floor; the backup runs at 02:00.\n"
                                            "Call extension 2040 when the reading room is down.\n", -1, NULL));
  rw_test_server_set_config (f->server, "server", "database", below_file);
  assert_refused (f, "database");

  /* A file that is not a database, which must be left as it was. */
  rw_test_server_set_config (f->server, "server", "database", file);
  assert_refused (f, "database");
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
    g_assert_true (g_str_has_prefix (contents, "# Notes of the clinic's IT"));
  }
}

static void
test_refuses_port_in_use (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", rw_test_server_get_port (f->server));

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  assert_refused (f, "in use");
}

static void
test_refuses_bad_config (Fixture       *f,
                         gconstpointer  data)
{
  rw_test_server_set_config (f->server, "server", "timezone", "America/Atlantida");
  assert_refused (f, "timezone");
  rw_test_server_set_config (f->server, "server", "timezone", "America/Sao_Paulo");
  rw_test_server_set_config (f->server, "webhook", "tolerance", "five minutes");
  assert_refused (f, "tolerance");
}

static void
test_version_and_help (Fixture       *f,
                       gconstpointer  data)
{
  const char *binary = g_getenv ("RW_SERVER_BIN");
  g_autofree char *out = NULL;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) binary, (char *) "--version", NULL }, NULL,
                               G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (out, "radiweb-server " PACKAGE_VERSION));
  g_clear_pointer (&out, g_free);

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) binary, (char *) "--help", NULL }, NULL,
                               G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "--config"));
  g_assert_nonnull (strstr (out, "user add"));
}

/* The contract's example file, inline comments and all, is a valid
 * configuration. */
static void
test_contract_example (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *config = g_strdup_printf ("[server]\n"
                                             "listen = 127.0.0.1:%u        # host:port\n"
                                             "database = %s\n"
                                             "timezone = America/Sao_Paulo\n\n"
                                             "[webhook]\n"
                                             "secret = %s\n"
                                             "tolerance = 300                # seconds\n\n"
                                             "[orthanc]\n"
                                             "url = http://127.0.0.1:8042\n"
                                             "username = radiweb\n"
                                             "password = x\n",
                                             rw_test_server_get_port (f->server),
                                             rw_test_server_get_database (f->server),
                                             rw_test_server_get_secret (f->server));
  g_autofree char *path = g_build_filename (rw_test_server_get_dir (f->server), "example.conf", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/health", rw_test_server_get_port (f->server));
  gboolean up = FALSE;

  g_assert_true (g_file_set_contents (path, config, -1, NULL));
  g_chmod (path, 0600);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, g_getenv ("RW_SERVER_BIN"), "--config", path, NULL);
  g_assert_no_error (error);
  for (int i = 0; i < 500 && !up; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = soup_session_send_and_read (rw_test_server_get_session (f->server), msg, NULL, NULL);

      up = body != NULL && soup_message_get_status (msg) == 200;
      if (!up)
        g_usleep (20 * 1000);
    }
  g_assert_true (up);
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (rw_test_wait_for_exit (process, 20000));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

/* Webhooks sent at once from several threads, each on fresh connections
 * with plain sockets (an HTTP client library would keep retrying or pooling
 * behind the test's back). */
typedef struct {
  Fixture    *f;
  const char *prefix;
  guint       first;
  guint       n;
  GMutex     *lock;
  GPtrArray  *acknowledged;   /* study UIDs answered 200 */
} Sender;

static gboolean
post_once (Fixture    *f,
           const char *uid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", rw_test_server_get_port (f->server));
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *body = rw_test_server_sample_payload (f->server, uid, "555", "ROCHA^PEDRO");
  g_autofree char *signature = rw_test_server_sign (f->server, body, strlen (body));
  g_autofree char *request = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  char buffer[4096];
  gssize n;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (socket, 20);
  if (!g_socket_connect (socket, address, NULL, NULL))
    return FALSE;
  request = g_strdup_printf ("POST /webhook/dicom HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                             "Content-Type: application/json\r\nX-Webhook-Signature: %s\r\n"
                             "Content-Length: %zu\r\n\r\n%s", signature, strlen (body), body);
  if (g_socket_send (socket, request, strlen (request), NULL, NULL) != (gssize) strlen (request))
    return FALSE;
  while ((n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_string_append_len (answer, buffer, n);
  return g_str_has_prefix (answer->str, "HTTP/1.1 200 ");
}

static gpointer
send_webhooks (gpointer data)
{
  Sender *sender = data;

  for (guint i = sender->first; i < sender->first + sender->n; i++)
    {
      g_autofree char *uid = g_strdup_printf ("%s.%u", sender->prefix, i);

      if (post_once (sender->f, uid))
        {
          g_mutex_lock (sender->lock);
          g_ptr_array_add (sender->acknowledged, g_steal_pointer (&uid));
          g_mutex_unlock (sender->lock);
        }
    }
  return NULL;
}

typedef struct {
  GMutex     lock;
  GPtrArray *acknowledged;
  GThread   *threads[8];
  Sender     senders[8];
} Burst;

/* 8 × @per_thread webhooks, 8 at a time. */
static void
burst_start (Burst      *burst,
             Fixture    *f,
             const char *prefix,
             guint       per_thread)
{
  for (guint t = 0; t < G_N_ELEMENTS (burst->threads); t++)
    {
      burst->senders[t] = (Sender) { f, prefix, t * per_thread, per_thread, &burst->lock, burst->acknowledged };
      burst->threads[t] = g_thread_new ("sender", send_webhooks, &burst->senders[t]);
    }
}

static void
burst_join (Burst *burst)
{
  for (guint t = 0; t < G_N_ELEMENTS (burst->threads); t++)
    g_thread_join (g_steal_pointer (&burst->threads[t]));
}

static guint
burst_acknowledged (Burst *burst)
{
  guint n;

  g_mutex_lock (&burst->lock);
  n = burst->acknowledged->len;
  g_mutex_unlock (&burst->lock);
  return n;
}

static void
assert_all_stored (Fixture   *f,
                   GPtrArray *uids)
{
  g_autofree char *token = rw_test_server_login_staff (f->server, "ana");
  g_autoptr(GHashTable) stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *cursor = NULL;

  do
    {
      g_autofree char *path = cursor != NULL ? g_strdup_printf ("/api/exams?limit=1000&cursor=%s", cursor)
                                             : g_strdup ("/api/exams?limit=1000");
      g_autoptr(JsonNode) page = NULL;
      JsonArray *exams;
      JsonNode *next;

      g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, token, NULL, NULL, 0, &page), ==, 200);
      exams = json_object_get_array_member (json_node_get_object (page), "exams");
      for (guint i = 0; i < json_array_get_length (exams); i++)
        g_hash_table_add (stored, g_strdup (json_object_get_string_member (json_array_get_object_element (exams, i), "study_uid")));
      next = json_object_get_member (json_node_get_object (page), "next_cursor");
      g_clear_pointer (&cursor, g_free);
      if (!JSON_NODE_HOLDS_NULL (next))
        cursor = g_strdup (json_node_get_string (next));
    }
  while (cursor != NULL);

  for (guint i = 0; i < uids->len; i++)
    g_assert_true (g_hash_table_contains (stored, g_ptr_array_index (uids, i)));
}

static void
test_restart_loses_nothing (Fixture       *f,
                            gconstpointer  data)
{
  Burst burst = { 0, };
  g_autofree char *token = NULL;
  g_autofree char *save = NULL;
  g_autoptr(JsonNode) report = NULL;
  gint64 id;

  g_mutex_init (&burst.lock);
  burst.acknowledged = g_ptr_array_new_with_free_func (g_free);
  rw_test_server_add_staff (f->server, "ana");
  rw_test_server_start (f->server);

  /* Acknowledged, then a clean stop. */
  burst_start (&burst, f, "1.2.9.1", 12);
  burst_join (&burst);
  g_assert_cmpuint (burst.acknowledged->len, ==, 96);
  token = rw_test_server_login_staff (f->server, "ana");
  id = rw_test_server_add_exam (f->server, "1.2.9.2", "556", "ROCHA^PAULA");
  save = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/save", id);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", save, token,
                                                 "{\"findings\":\"Achado importante.\"}", NULL), ==, 200);
  rw_test_server_restart (f->server);
  assert_all_stored (f, burst.acknowledged);
  g_clear_pointer (&token, g_free);
  token = rw_test_server_login_staff (f->server, "ana");
  g_clear_pointer (&save, g_free);
  save = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT, id);
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", save, token, NULL, NULL, 0, &report), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (report), "findings"), ==, "Achado importante.");

  /* SIGTERM while a burst is in flight: the server exits cleanly, and
   * everything it answered 200 is there after the restart. */
  g_ptr_array_set_size (burst.acknowledged, 0);
  burst_start (&burst, f, "1.2.9.3", 100);
  while (burst_acknowledged (&burst) < 40)
    g_usleep (1000);
  rw_test_server_stop (f->server);
  burst_join (&burst);
  g_assert_cmpuint (burst.acknowledged->len, >=, 40);
  g_assert_cmpuint (burst.acknowledged->len, <, 800);
  rw_test_server_start (f->server);
  assert_all_stored (f, burst.acknowledged);

  g_ptr_array_unref (burst.acknowledged);
  g_mutex_clear (&burst.lock);
}

static gboolean
log_says_stopping (gpointer data)
{
  g_autofree char *log = rw_test_server_read_log (data);

  return strstr (log, "Stopping: ") != NULL;
}

/* A second SIGTERM while a burst is being answered (a service manager
 * asking again) changes nothing: the server still answers the requests in
 * progress, exits with status 0 after saying it stopped, and keeps
 * everything it acknowledged. Stopping again used to end the main loop at
 * once, under the requests still being answered. */
static void
test_stop_twice (Fixture       *f,
                 gconstpointer  data)
{
  Burst burst = { 0, };
  g_autofree char *log = NULL;

  g_mutex_init (&burst.lock);
  burst.acknowledged = g_ptr_array_new_with_free_func (g_free);
  rw_test_server_add_staff (f->server, "ana");
  rw_test_server_start (f->server);

  burst_start (&burst, f, "1.2.9.5", 100);
  while (burst_acknowledged (&burst) < 40)
    g_usleep (1000);
  rw_test_server_send_signal (f->server, SIGTERM);
  g_assert_true (rw_test_wait_until (log_says_stopping, f->server, 10000));
  rw_test_server_send_signal (f->server, SIGTERM);
  rw_test_server_stop (f->server);
  burst_join (&burst);
  log = rw_test_server_read_log (f->server);
  g_assert_true (g_str_has_suffix (log, "Stopped\n"));
  g_assert_cmpuint (burst.acknowledged->len, >=, 40);
  g_assert_cmpuint (burst.acknowledged->len, <, 800);

  rw_test_server_start (f->server);
  assert_all_stored (f, burst.acknowledged);
  g_ptr_array_unref (burst.acknowledged);
  g_mutex_clear (&burst.lock);
}

/* Fifty clients that each make a request and go away (closing a connection
 * they might have kept) leave the server with no more open files than
 * before. */
static void
test_closed_connections (Fixture       *f,
                         gconstpointer  data)
{
  guint before, after;

  rw_test_server_start (f->server);
  /* The fixture's own session may hold a connection; start without it. */
  soup_session_abort (rw_test_server_get_session (f->server));
  g_usleep (G_USEC_PER_SEC / 10);
  before = rw_test_server_count_fds (f->server);
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autofree char *url = g_strconcat (rw_test_server_get_url (f->server), "/health", NULL);
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
      soup_session_abort (session);
    }
  /* Let the server see the last ones close. */
  {
    gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while ((after = rw_test_server_count_fds (f->server)) > before && g_get_monotonic_time () < until)
      g_usleep (20 * 1000);
  }
  g_assert_cmpuint (after, <=, before);
}

/* One HTTP/1.1 request on @socket (none if @request is empty: it was
 * sent) and its whole answer; returns the answer's status line and
 * headers. */
static char *
exchange (GSocket    *socket,
          const char *request)
{
  g_autoptr(GString) answer = g_string_new (NULL);
  const char *end = NULL;
  gsize wanted = 0;
  char buffer[4096];

  if (request[0] != '\0')
    g_assert_cmpint (g_socket_send (socket, request, strlen (request), NULL, NULL), ==, (gssize) strlen (request));
  while (end == NULL || answer->len < (gsize) (end + 4 - answer->str) + wanted)
    {
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);

      g_assert_cmpint (n, >, 0);
      g_string_append_len (answer, buffer, n);
      if (end == NULL && (end = strstr (answer->str, "\r\n\r\n")) != NULL)
        {
          const char *length = g_strstr_len (answer->str, end - answer->str, "Content-Length: ");

          g_assert_nonnull (length);
          wanted = g_ascii_strtoull (length + strlen ("Content-Length: "), NULL, 10);
        }
    }
  return g_strndup (answer->str, end - answer->str);
}

static GSocket *
connect_to_server (Fixture *f)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", rw_test_server_get_port (f->server));
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 5);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  return socket;
}

#define HEALTH "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/* The server keeps connections open between requests, and a client that
 * closes one while it waits — cleanly, with a reset, or right after a last
 * request — leaves nothing open behind. */
static void
test_idle_connections (Fixture       *f,
                       gconstpointer  data)
{
  GSocket *sockets[30];
  guint before, after;

  rw_test_server_start (f->server);
  soup_session_abort (rw_test_server_get_session (f->server));
  g_usleep (G_USEC_PER_SEC / 10);
  before = rw_test_server_count_fds (f->server);

  for (guint i = 0; i < G_N_ELEMENTS (sockets); i++)
    {
      sockets[i] = connect_to_server (f);
      for (guint round = 0; round < 2; round++)
        {
          g_autofree char *head = exchange (sockets[i], HEALTH);

          g_assert_true (g_str_has_prefix (head, "HTTP/1.1 200 "));
          g_assert_null (strstr (head, "Connection: close"));
        }
    }
  g_assert_cmpuint (rw_test_server_count_fds (f->server), >=, before + G_N_ELEMENTS (sockets));

  for (guint i = 0; i < G_N_ELEMENTS (sockets); i++)
    {
      switch (i % 3)
        {
        case 0:
          g_socket_close (sockets[i], NULL);
          break;
        case 1:
          /* No linger: the kernel sends a reset. */
          {
            struct linger linger = { 1, 0 };

            g_assert_cmpint (setsockopt (g_socket_get_fd (sockets[i]), SOL_SOCKET, SO_LINGER,
                                         &linger, sizeof linger), ==, 0);
          }
          g_socket_close (sockets[i], NULL);
          break;
        default:
          {
            g_autofree char *head = NULL;
            char byte;

            /* A last request and the end of the stream in one go: it is
             * answered, then the server closes. */
            g_assert_true (g_socket_send (sockets[i], HEALTH, strlen (HEALTH), NULL, NULL) > 0);
            g_assert_true (g_socket_shutdown (sockets[i], FALSE, TRUE, NULL));
            head = exchange (sockets[i], "");
            g_assert_true (g_str_has_prefix (head, "HTTP/1.1 200 "));
            g_assert_cmpint (g_socket_receive (sockets[i], &byte, 1, NULL, NULL), ==, 0);
            g_socket_close (sockets[i], NULL);
          }
          break;
        }
      g_object_unref (sockets[i]);
    }

  {
    gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while ((after = rw_test_server_count_fds (f->server)) > before && g_get_monotonic_time () < until)
      g_usleep (20 * 1000);
  }
  g_assert_cmpuint (after, <=, before);
  /* And it still answers. */
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/health", NULL, NULL, NULL, 0, NULL), ==, 200);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/daemon/refuses-missing-secret", Fixture, NULL, fixture_setup, test_refuses_missing_secret, fixture_teardown);
  g_test_add ("/server/daemon/refuses-bad-database", Fixture, NULL, fixture_setup, test_refuses_bad_database, fixture_teardown);
  g_test_add ("/server/daemon/refuses-port-in-use", Fixture, NULL, fixture_setup, test_refuses_port_in_use, fixture_teardown);
  g_test_add ("/server/daemon/refuses-bad-config", Fixture, NULL, fixture_setup, test_refuses_bad_config, fixture_teardown);
  g_test_add ("/server/daemon/version-and-help", Fixture, NULL, fixture_setup, test_version_and_help, fixture_teardown);
  g_test_add ("/server/daemon/contract-example", Fixture, NULL, fixture_setup, test_contract_example, fixture_teardown);
  g_test_add ("/server/daemon/restart-loses-nothing", Fixture, NULL, fixture_setup, test_restart_loses_nothing, fixture_teardown);
  g_test_add ("/server/daemon/stop-twice", Fixture, NULL, fixture_setup, test_stop_twice, fixture_teardown);
  g_test_add ("/server/daemon/closed-connections", Fixture, NULL, fixture_setup, test_closed_connections, fixture_teardown);
  g_test_add ("/server/daemon/idle-connections", Fixture, NULL, fixture_setup, test_idle_connections, fixture_teardown);

  return g_test_run ();
}
