/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a real Orthanc never does, played by stand-ins on loopback: a
 * garbage-answering responder (the only test double of an HTTP peer in the
 * project), a port that accepts connections and never answers, and a
 * server that drops an archive halfway. They check that the client turns
 * each into the right RW_ORTHANC_ERROR and leaves nothing behind. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-orthanc-client.h"
#include "rw-test-util.h"

#define STUDY "0123abcd-0123abcd-0123abcd-0123abcd-0123abcd"

typedef struct {
  guint       status;
  const char *content_type;
  const char *body;
} Canned;

/* The garbage-answering stand-in: a tiny HTTP responder on loopback that
 * maps a path to a canned answer. It is written on GThreadedSocketService
 * rather than SoupServer because libsoup 3.2's server leaks the sockets of
 * connections that clients close, which the sanitizer pass reports. */
typedef struct {
  GSocketService  *service;
  GMutex           lock;
  GHashTable      *answers;
  char            *url;
  RwOrthancClient *client;
  char            *dir;
} Fixture;

static const char *
reason (guint status)
{
  switch (status)
    {
    case 200: return "OK";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

static gboolean
on_request (GThreadedSocketService *service,
            GSocketConnection      *connection,
            GObject                *source,
            gpointer                user_data)
{
  Fixture *fixture = user_data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GString) response = g_string_new (NULL);
  g_autofree char *path = NULL;
  const char *end;
  const char *length;
  gsize body_len = 0;
  Canned canned = { 404, "text/plain", "" };
  char buf[4096];

  /* Headers, then as much body as Content-Length says. */
  while ((end = strstr (request->str, "\r\n\r\n")) == NULL ||
         request->len < (gsize) (end - request->str) + 4 + body_len)
    {
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        goto done;
      g_string_append_len (request, buf, n);
      if ((end = strstr (request->str, "\r\n\r\n")) != NULL &&
          (length = g_strstr_len (request->str, end - request->str, "Content-Length: ")) != NULL)
        body_len = (gsize) g_ascii_strtoull (length + 16, NULL, 10);
    }

  /* "GET /path?query HTTP/1.1" */
  {
    const char *start = strchr (request->str, ' ');
    gsize len = start != NULL ? strcspn (start + 1, " ?") : 0;

    path = start != NULL ? g_strndup (start + 1, len) : g_strdup ("");
  }
  g_mutex_lock (&fixture->lock);
  {
    Canned *found = g_hash_table_lookup (fixture->answers, path);

    if (found != NULL)
      canned = *found;
  }
  g_mutex_unlock (&fixture->lock);

  g_string_append_printf (response, "HTTP/1.1 %u %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                          "Connection: close\r\n\r\n%s",
                          canned.status, reason (canned.status), canned.content_type,
                          strlen (canned.body), canned.body);
  g_output_stream_write_all (out, response->str, response->len, NULL, NULL, NULL);

done:
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
answer (Fixture    *fixture,
        const char *path,
        guint       status,
        const char *content_type,
        const char *body)
{
  Canned *canned = g_new0 (Canned, 1);

  canned->status = status;
  canned->content_type = content_type;
  canned->body = body;
  g_mutex_lock (&fixture->lock);
  g_hash_table_replace (fixture->answers, g_strdup (path), canned);
  g_mutex_unlock (&fixture->lock);
}

static void
forget_answers (Fixture *fixture)
{
  g_mutex_lock (&fixture->lock);
  g_hash_table_remove_all (fixture->answers);
  g_mutex_unlock (&fixture->lock);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_mutex_init (&fixture->lock);
  fixture->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fixture->service = g_threaded_socket_service_new (4);
  g_socket_listener_add_address (G_SOCKET_LISTENER (fixture->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->service, "run", G_CALLBACK (on_request), fixture);
  g_socket_service_start (fixture->service);
  fixture->url = g_strdup_printf ("http://127.0.0.1:%u",
                                  g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fixture->client = rw_orthanc_client_new (fixture->url, "radiweb", "wrong-secret", &error);
  g_assert_no_error (error);
  fixture->dir = rw_test_make_tmpdir ("radiweb-standin");
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Stops a threaded stand-in and waits for its threads: their jobs hold
 * the service, so it is finalized once the last one is done. */
static void
stop_service (GSocketService *service)
{
  gpointer alive = service;

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_object_add_weak_pointer (G_OBJECT (service), &alive);
  g_object_unref (service);
  g_assert_true (rw_test_wait_until (is_gone, &alive, 5000));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->client);
  stop_service (fixture->service);
  g_hash_table_unref (fixture->answers);
  g_mutex_clear (&fixture->lock);
  g_free (fixture->url);
  rw_test_rm_rf (fixture->dir);
  g_free (fixture->dir);
}

static void
assert_clean_message (const GError *error)
{
  g_assert_null (strstr (error->message, "wrong-secret"));
  g_assert_nonnull (strstr (error->message, "127.0.0.1:"));
}

static void
assert_check_fails (Fixture *fixture,
                    int      code)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RwOrthancSystem) system = NULL;

  rw_orthanc_client_check_async (fixture->client, NULL, rw_test_async_ready, &result);
  system = rw_orthanc_client_check_finish (fixture->client, rw_test_await (&result), &error);
  g_assert_null (system);
  g_assert_error (error, RW_ORTHANC_ERROR, code);
  assert_clean_message (error);
  g_assert_nonnull (strstr (error->message, "/system"));
}

static void
test_not_orthanc (Fixture       *fixture,
                  gconstpointer  data)
{
  /* A web server that is something else. */
  answer (fixture, "/system", 200, "text/html", "<html><body>Welcome to nginx!</body></html>");
  assert_check_fails (fixture, RW_ORTHANC_ERROR_BAD_RESPONSE);
  answer (fixture, "/system", 200, "application/json", "{\"status\":\"ok\",\"version\":\"1.0\"}");
  assert_check_fails (fixture, RW_ORTHANC_ERROR_BAD_RESPONSE);
  answer (fixture, "/system", 200, "application/json", "[1,2,3]");
  assert_check_fails (fixture, RW_ORTHANC_ERROR_BAD_RESPONSE);
  forget_answers (fixture);
  assert_check_fails (fixture, RW_ORTHANC_ERROR_BAD_RESPONSE);
  answer (fixture, "/system", 503, "text/plain", "down for maintenance");
  assert_check_fails (fixture, RW_ORTHANC_ERROR_SERVER_ERROR);
  answer (fixture, "/system", 403, "text/plain", "forbidden");
  assert_check_fails (fixture, RW_ORTHANC_ERROR_UNAUTHORIZED);
}

static void
assert_find_fails (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) exams = NULL;

  rw_orthanc_client_find_studies_async (fixture->client, NULL, NULL, rw_test_async_ready, &result);
  exams = rw_orthanc_client_find_studies_finish (fixture->client, rw_test_await (&result), &error);
  g_assert_null (exams);
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE);
  assert_clean_message (error);
  g_assert_nonnull (strstr (error->message, "POST /tools/find"));
}

static void
test_garbage_find (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char *const bodies[] = {
    "this is not JSON",
    "{\"studies\":[]}",
    "[{\"ID\":\"ab\",\"MainDicomTags\":{}}]",
    "[{\"ID\":\"ab\",\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2.3\"}}]",
    "[\"ab\"]",
    "\xff\xfe[]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_test_message ("body %u", i);
      answer (fixture, "/tools/find", 200, "application/json", bodies[i]);
      assert_find_fails (fixture);
    }
}

static void
test_garbage_changes (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char *const bodies[] = {
    "{\"Changes\":\"none\",\"Last\":1,\"Done\":true}",
    "{\"Changes\":[],\"Last\":\"1\",\"Done\":true}",
    "{\"Changes\":[],\"Last\":1}",
    "{\"Changes\":[{\"Seq\":\"1\",\"ChangeType\":\"StableStudy\",\"ResourceType\":\"Study\",\"ID\":\"ab\"}],\"Last\":1,\"Done\":true}",
    "{\"Changes\":[{\"Seq\":1,\"ResourceType\":\"Study\",\"ID\":\"ab\"}],\"Last\":1,\"Done\":true}",
    "<html></html>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(RwOrthancChanges) changes = NULL;

      g_test_message ("body %u", i);
      answer (fixture, "/changes", 200, "application/json", bodies[i]);
      rw_orthanc_client_get_changes_async (fixture->client, 0, 10, NULL, rw_test_async_ready, &result);
      changes = rw_orthanc_client_get_changes_finish (fixture->client, rw_test_await (&result), &error);
      g_assert_null (changes);
      g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE);
      /* The query (which can carry patient data elsewhere) stays out. */
      g_assert_null (strstr (error->message, "since="));
    }
}

static void
test_garbage_study (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  answer (fixture, "/studies/" STUDY, 200, "application/json",
          "{\"ID\":\"" STUDY "\",\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2.3\"},"
          "\"PatientMainDicomTags\":{\"PatientID\":\"P\"},\"Series\":[]}");
  answer (fixture, "/studies/" STUDY "/series", 200, "application/json", "{\"not\":\"an array\"}");
  answer (fixture, "/studies/" STUDY "/statistics", 200, "application/json", "{\"CountSeries\":\"two\"}");
  answer (fixture, "/instances/" STUDY "/preview", 200, "image/png", "GIF89a not a png");
  answer (fixture, "/dicom-web/studies", 200, "application/dicom+json",
          "[{\"0020000D\":{\"vr\":\"UI\"},\"00100020\":{\"vr\":\"LO\",\"Value\":[\"P\"]}}]");
  answer (fixture, "/studies/" STUDY "/anonymize", 200, "application/json", "{\"ID\":\"../../system\"}");

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(RwExam) exam = NULL;

    rw_orthanc_client_get_study_async (fixture->client, STUDY, NULL, rw_test_async_ready, &result);
    exam = rw_orthanc_client_get_study_finish (fixture->client, rw_test_await (&result), &error);
    g_assert_null (exam);
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    RwOrthancStatistics stats;

    rw_orthanc_client_get_statistics_async (fixture->client, STUDY, NULL, rw_test_async_ready, &result);
    g_assert_false (rw_orthanc_client_get_statistics_finish (fixture->client, rw_test_await (&result),
                                                             &stats, &error));
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GBytes) png = NULL;

    rw_orthanc_client_get_preview_async (fixture->client, STUDY, NULL, rw_test_async_ready, &result);
    png = rw_orthanc_client_get_preview_finish (fixture->client, rw_test_await (&result), &error);
    g_assert_null (png);
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GPtrArray) priors = NULL;

    rw_orthanc_client_find_priors_async (fixture->client, "P", NULL, rw_test_async_ready, &result);
    priors = rw_orthanc_client_find_priors_finish (fixture->client, rw_test_await (&result), &error);
    g_assert_null (priors);
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *id = NULL;

    rw_orthanc_client_anonymize_study_async (fixture->client, STUDY, TRUE, NULL, rw_test_async_ready,
                                             &result);
    id = rw_orthanc_client_anonymize_study_finish (fixture->client, rw_test_await (&result), &error);
    g_assert_null (id);
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE);
  }
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
assert_download_fails (Fixture    *fixture,
                       const char *url_of_client,
                       int         code)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "study.zip", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RwOrthancClient) client = rw_orthanc_client_new (url_of_client, "u", "wrong-secret", &error);

  g_assert_no_error (error);
  rw_orthanc_client_set_timeout (client, 1);
  rw_orthanc_client_download_study_async (client, STUDY, file, NULL, NULL, NULL,
                                          rw_test_async_ready, &result);
  g_assert_false (rw_orthanc_client_download_study_finish (client, rw_test_await (&result), &error));
  g_assert_error (error, RW_ORTHANC_ERROR, code);
  assert_clean_message (error);
  /* Neither the archive nor its temporary file. */
  g_assert_cmpuint (count_entries (fixture->dir), ==, 0);
}

static void
test_garbage_archive (Fixture       *fixture,
                      gconstpointer  data)
{
  answer (fixture, "/studies/" STUDY "/archive", 200, "text/html",
          "<html><body>Session expired, please log in again</body></html>");
  assert_download_fails (fixture, fixture->url, RW_ORTHANC_ERROR_BAD_RESPONSE);
  answer (fixture, "/studies/" STUDY "/archive", 200, "application/zip", "");
  assert_download_fails (fixture, fixture->url, RW_ORTHANC_ERROR_BAD_RESPONSE);
  answer (fixture, "/studies/" STUDY "/archive", 500, "application/json", "{}");
  assert_download_fails (fixture, fixture->url, RW_ORTHANC_ERROR_SERVER_ERROR);
}

/* The never-answering stand-in: a socket that listens (so the kernel
 * completes connections) but never accepts nor answers. */
static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(RwOrthancClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(RwOrthancSystem) system = NULL;
  g_autofree char *url = NULL;
  gint64 start;

  g_assert_no_error (error);
  g_socket_bind (socket, any_port, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  client = rw_orthanc_client_new (url, "u", "wrong-secret", &error);
  g_assert_no_error (error);
  rw_orthanc_client_set_timeout (client, 1);
  start = g_get_monotonic_time ();
  rw_orthanc_client_check_async (client, NULL, rw_test_async_ready, &result);
  system = rw_orthanc_client_check_finish (client, rw_test_await (&result), &error);
  g_assert_null (system);
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_TIMEOUT);
  assert_clean_message (error);
  /* The timeout, not something else, ended it: at least a second. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);

  g_clear_object (&result);
  g_clear_error (&error);
  assert_download_fails (fixture, url, RW_ORTHANC_ERROR_TIMEOUT);
}

/* The archive-dropping stand-in: announces a long ZIP, sends its first
 * bytes, and closes the connection. */
static gboolean
on_truncating_run (GThreadedSocketService *service,
                   GSocketConnection      *connection,
                   GObject                *source,
                   gpointer                user_data)
{
  static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\n"
                             "Content-Length: 1000000\r\n\r\nPK\003\004";
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GString) request = g_string_new (NULL);
  int *served = user_data;
  char filler[4096];
  char buf[1024];

  while (strstr (request->str, "\r\n\r\n") == NULL)
    {
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        break;
      g_string_append_len (request, buf, n);
    }
  if (strstr (request->str, "\r\n\r\n") != NULL)
    {
      memset (filler, 'x', sizeof filler);
      g_output_stream_write_all (out, head, sizeof head - 1, NULL, NULL, NULL);
      g_output_stream_write_all (out, filler, sizeof filler, NULL, NULL, NULL);
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_atomic_int_inc (served);
  return TRUE;
}

static gboolean
served_one (gpointer data)
{
  return g_atomic_int_get ((int *) data) > 0;
}

static void
test_truncated_archive (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int served = 0;
  GSocketService *service = g_threaded_socket_service_new (2);
  g_autofree char *url = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (on_truncating_run), &served);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  /* Cut off mid-transfer: an error, and no partial archive. */
  assert_download_fails (fixture, url, RW_ORTHANC_ERROR_UNREACHABLE);

  g_assert_true (rw_test_wait_until (served_one, &served, 5000));
  stop_service (service);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/orthanc-standins/not-orthanc", Fixture, NULL, fixture_setup, test_not_orthanc, fixture_teardown);
  g_test_add ("/orthanc-standins/garbage-find", Fixture, NULL, fixture_setup, test_garbage_find, fixture_teardown);
  g_test_add ("/orthanc-standins/garbage-changes", Fixture, NULL, fixture_setup, test_garbage_changes, fixture_teardown);
  g_test_add ("/orthanc-standins/garbage-study", Fixture, NULL, fixture_setup, test_garbage_study, fixture_teardown);
  g_test_add ("/orthanc-standins/garbage-archive", Fixture, NULL, fixture_setup, test_garbage_archive, fixture_teardown);
  g_test_add ("/orthanc-standins/timeout", Fixture, NULL, fixture_setup, test_timeout, fixture_teardown);
  g_test_add ("/orthanc-standins/truncated-archive", Fixture, NULL, fixture_setup, test_truncated_archive, fixture_teardown);

  return g_test_run ();
}
