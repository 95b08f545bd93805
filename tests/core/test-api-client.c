/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rw-api-client.h"
#include "rw-api-events.h"
#include "rw-exam.h"
#include "rw-test-orthanc.h"
#include "rw-test-server.h"
#include "rw-test-util.h"

/* The desktop app's API client against a real radiweb-server. */

typedef struct {
  RwTestServer *server;
  RwApiClient  *client;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = rw_test_server_new ();
  rw_test_server_add_user (f->server, "ana", "senha-certa-1", "radiologist",
                           "Dra. Ana Souza", "CRM/SP 123456");
  rw_test_server_start (f->server);
  f->client = rw_api_client_new (rw_test_server_get_url (f->server));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->client);
  g_clear_pointer (&f->server, rw_test_server_free);
}

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static char *
health (RwApiClient  *client,
        GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_api_client_health_async (client, NULL, on_result, &result);
  return rw_api_client_health_finish (client, wait_for (&result), error);
}

static gboolean
login (RwApiClient  *client,
       const char   *username,
       const char   *password,
       char        **token,
       JsonObject  **user,
       GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_api_client_login_async (client, username, password, NULL, on_result, &result);
  return rw_api_client_login_finish (client, wait_for (&result), token, user, error);
}

static GPtrArray *
list_exams (RwApiClient           *client,
            const RwApiExamQuery  *query,
            char                 **next_cursor,
            GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_api_client_list_exams_async (client, query, NULL, on_result, &result);
  return rw_api_client_list_exams_finish (client, wait_for (&result), next_cursor, error);
}

static void
test_normalize_url (void)
{
  const struct {
    const char *in;
    const char *out;
  } good[] = {
    { "radiweb.clinica.com.br", "https://radiweb.clinica.com.br" },
    { "  http://10.0.0.5:8642/ ", "http://10.0.0.5:8642" },
    { "https://radiweb.example/laudos/", "https://radiweb.example/laudos" },
  };
  const char *bad[] = {
    "", "   ", "ftp://radiweb.example", "https://", "https://ana:senha@radiweb.example",
    "https://radiweb.example/?token=1", "https://radiweb.example/#x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = rw_api_normalize_url (good[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, good[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = rw_api_normalize_url (bad[i], &error);

      g_assert_null (url);
      g_assert_error (error, RW_API_ERROR, RW_API_ERROR_INVALID_URL);
      /* A password typed into the address never comes back in a message. */
      g_assert_null (strstr (error->message, "senha"));
    }
}

static void
test_sign_in (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autofree char *version = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GPtrArray) exams = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  version = health (f->client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (version);

  g_assert_false (login (f->client, "ana", "senha-errada", &token, &user, &error));
  g_assert_error (error, RW_API_ERROR, RW_API_ERROR_UNAUTHORIZED);
  g_assert_null (token);
  g_assert_false (rw_api_client_has_token (f->client));
  g_clear_error (&error);

  /* Without a token the exam list is refused. */
  exams = list_exams (f->client, NULL, NULL, &error);
  g_assert_null (exams);
  g_assert_error (error, RW_API_ERROR, RW_API_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  g_assert_true (login (f->client, "ana", "senha-certa-1", &token, &user, &error));
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_true (rw_api_client_has_token (f->client));
  g_assert_cmpstr (json_object_get_string_member (user, "display_name"), ==, "Dra. Ana Souza");

  exams = list_exams (f->client, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exams->len, ==, 0);
  g_clear_pointer (&exams, g_ptr_array_unref);

  /* Logging out revokes the token on the server, not just here. */
  rw_api_client_logout_async (f->client, NULL, on_result, &result);
  g_assert_true (rw_api_client_logout_finish (f->client, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_false (rw_api_client_has_token (f->client));
  rw_api_client_set_token (f->client, token);
  exams = list_exams (f->client, NULL, NULL, &error);
  g_assert_null (exams);
  g_assert_error (error, RW_API_ERROR, RW_API_ERROR_UNAUTHORIZED);
}

static void
test_exams (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) exams = NULL;
  g_autoptr(GPtrArray) page2 = NULL;
  g_autoptr(GDateTime) since = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *cursor2 = NULL;
  g_autofree char *since_iso = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) details = NULL;
  RwApiExamQuery query = { 0, };
  gint64 first, newest = 0;

  g_assert_true (login (f->client, "ana", "senha-certa-1", NULL, NULL, &error));
  first = rw_test_server_add_exam (f->server, "1.2.3.1", "P1", "SILVA^JOÃO^CARLOS");
  rw_test_server_add_exam (f->server, "1.2.3.2", "P2", "SOUZA^ANA");
  rw_test_server_add_exam (f->server, "1.2.3.3", "P3", "LIMA^PAULO");

  exams = list_exams (f->client, NULL, &cursor, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exams->len, ==, 3);
  g_assert_null (cursor);
  for (guint i = 0; i < exams->len; i++)
    newest = MAX (newest, rw_exam_get_updated_at (g_ptr_array_index (exams, i)));
  g_clear_pointer (&exams, g_ptr_array_unref);

  /* The server searches without accents. */
  query.q = "joao";
  exams = list_exams (f->client, &query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exams->len, ==, 1);
  g_assert_cmpint (rw_exam_get_id (g_ptr_array_index (exams, 0)), ==, first);
  g_assert_cmpstr (rw_patient_get_name (rw_exam_get_patient (g_ptr_array_index (exams, 0))), ==,
                   "SILVA^JOÃO^CARLOS");
  g_clear_pointer (&exams, g_ptr_array_unref);

  /* Pages follow the cursor. */
  query.q = NULL;
  query.limit = 2;
  exams = list_exams (f->client, &query, &cursor, &error);
  g_assert_cmpuint (exams->len, ==, 2);
  g_assert_nonnull (cursor);
  query.cursor = cursor;
  page2 = list_exams (f->client, &query, &cursor2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page2->len, ==, 1);
  g_assert_null (cursor2);
  g_clear_pointer (&exams, g_ptr_array_unref);

  /* updated_since: nothing after the newest change, the claimed exam
   * after a claim. */
  memset (&query, 0, sizeof query);
  since = g_date_time_new_from_unix_utc (newest + 1);
  since_iso = g_date_time_format (since, "%Y-%m-%dT%H:%M:%SZ");
  query.updated_since = since_iso;
  exams = list_exams (f->client, &query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exams->len, ==, 0);
  g_clear_pointer (&exams, g_ptr_array_unref);

  rw_api_client_claim_async (f->client, first, NULL, on_result, &result);
  g_assert_true (rw_api_client_claim_finish (f->client, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  rw_api_client_get_exam_async (f->client, first, NULL, on_result, &result);
  details = rw_api_client_get_exam_finish (f->client, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (details, "status"), ==, "in_progress");
  g_clear_object (&result);

  rw_api_client_get_exam_async (f->client, 999999, NULL, on_result, &result);
  g_assert_null (rw_api_client_get_exam_finish (f->client, wait_for (&result), &error));
  g_assert_error (error, RW_API_ERROR, RW_API_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);

  rw_api_client_release_async (f->client, first, NULL, on_result, &result);
  g_assert_true (rw_api_client_release_finish (f->client, wait_for (&result), &error));
  g_assert_no_error (error);
}

/* A TLS server with a self-signed certificate, as one set up in a hurry
 * has: `openssl s_server`, with a key and certificate made by openssl. */
static GSubprocess *
start_untrusted_tls (const char *dir,
                     guint16     port)
{
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *accept = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) openssl = NULL;
  GSubprocess *server;

  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                              "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                             G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             "openssl", "s_server", "-accept", accept, "-key", key, "-cert", cert,
                             "-www", "-quiet", NULL);
  g_assert_no_error (error);
  g_assert_true (rw_test_wait_for_port (port, 10000));
  return server;
}

/* Each failure a person can meet when typing a server address. */
static void
test_errors (void)
{
  g_autoptr(RwTestOrthanc) orthanc = rw_test_orthanc_new ();
  g_autoptr(GSubprocess) tls_server = NULL;
  g_autoptr(RwApiClient) nobody = NULL;
  g_autoptr(RwApiClient) untrusted = NULL;
  g_autoptr(RwApiClient) pacs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unreachable = g_strdup_printf ("http://127.0.0.1:%u", rw_test_free_port ());
  g_autofree char *dir = rw_test_make_tmpdir ("rw-api-tls");
  guint16 tls_port = rw_test_free_port ();
  g_autofree char *https = NULL;
  g_autofree char *version = NULL;

  rw_test_orthanc_start (orthanc);
  tls_server = start_untrusted_tls (dir, tls_port);

  nobody = rw_api_client_new (unreachable);
  version = health (nobody, &error);
  g_assert_null (version);
  g_assert_error (error, RW_API_ERROR, RW_API_ERROR_UNREACHABLE);
  g_clear_error (&error);

  /* A certificate nobody vouches for. */
  https = g_strdup_printf ("https://127.0.0.1:%u", tls_port);
  untrusted = rw_api_client_new (https);
  version = health (untrusted, &error);
  g_assert_null (version);
  g_assert_error (error, RW_API_ERROR, RW_API_ERROR_TLS);
  g_clear_error (&error);

  /* The PACS answers HTTP, but it is not Radiweb. */
  pacs = rw_api_client_new (rw_test_orthanc_get_url (orthanc));
  version = health (pacs, &error);
  g_assert_null (version);
  g_assert_error (error, RW_API_ERROR, RW_API_ERROR_NOT_RADIWEB);
  g_clear_error (&error);
  g_assert_false (login (pacs, "ana", "x", NULL, NULL, &error));
  g_assert_true (g_error_matches (error, RW_API_ERROR, RW_API_ERROR_NOT_RADIWEB) ||
                 g_error_matches (error, RW_API_ERROR, RW_API_ERROR_UNAUTHORIZED));

  rw_test_stop_process (tls_server);
  rw_test_rm_rf (dir);
}

typedef struct {
  guint   n_created;
  gint64  last_id;
  char   *last_uid;
} Events;

static void
on_event (RwApiEvents *events,
          const char  *event,
          gint64       exam_id,
          JsonObject  *exam,
          Events      *seen)
{
  if (g_strcmp0 (event, "exam_created") != 0)
    return;
  seen->n_created++;
  seen->last_id = exam_id;
  g_free (seen->last_uid);
  seen->last_uid = g_strdup (exam != NULL ? json_object_get_string_member (exam, "study_uid") : NULL);
}

static gboolean
is_connected (gpointer data)
{
  return rw_api_events_get_connected (data);
}

static gboolean
is_disconnected (gpointer data)
{
  return !rw_api_events_get_connected (data);
}

static gboolean
has_created (gpointer data)
{
  return ((Events *) data)->n_created > 0;
}

static void
test_events (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwApiEvents) events = NULL;
  Events seen = { 0, };
  gint64 id;

  g_assert_true (login (f->client, "ana", "senha-certa-1", NULL, NULL, &error));
  events = rw_api_events_new (f->client);
  g_signal_connect (events, "event", G_CALLBACK (on_event), &seen);
  rw_api_events_start (events);
  g_assert_true (rw_test_wait_until (is_connected, events, 10000));

  id = rw_test_server_add_exam (f->server, "1.2.3.9", "P9", "ROCHA^CELIA");
  g_assert_true (rw_test_wait_until (has_created, &seen, 10000));
  g_assert_cmpint (seen.last_id, ==, id);
  g_assert_cmpstr (seen.last_uid, ==, "1.2.3.9");

  /* The server goes away and comes back: the stream says so both times. */
  rw_test_server_stop (f->server);
  g_assert_true (rw_test_wait_until (is_disconnected, events, 10000));
  rw_test_server_start (f->server);
  g_assert_true (rw_test_wait_until (is_connected, events, 20000));

  seen.n_created = 0;
  id = rw_test_server_add_exam (f->server, "1.2.3.10", "P10", "DIAS^MARCOS");
  g_assert_true (rw_test_wait_until (has_created, &seen, 10000));
  g_assert_cmpint (seen.last_id, ==, id);

  rw_api_events_stop (events);
  g_assert_false (rw_api_events_get_connected (events));
  g_free (seen.last_uid);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api-client/normalize-url", test_normalize_url);
  g_test_add ("/api-client/sign-in", Fixture, NULL, fixture_setup, test_sign_in, fixture_teardown);
  g_test_add ("/api-client/exams", Fixture, NULL, fixture_setup, test_exams, fixture_teardown);
  g_test_add_func ("/api-client/errors", test_errors);
  g_test_add ("/api-client/events", Fixture, NULL, fixture_setup, test_events, fixture_teardown);

  return g_test_run ();
}
