/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plugin loses nothing: not while radiweb-server is down, not across
 * an Orthanc restart, not while the secrets differ; and it never holds up
 * Orthanc's shutdown. The server's catch-up is off in these tests, so
 * whatever reaches the worklist came through the plugin. */
#include "config.h"

#include <locale.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rw-json.h"
#include "rw-test-intake.h"
#include "rw-test-util.h"

#define WAIT_MS 20000

static gboolean
queue_has (JsonObject *status,
           gpointer    data)
{
  return json_object_get_int_member (status, "queue_length") == GPOINTER_TO_INT (data) &&
         !json_object_get_null_member (status, "last_error");
}

static gboolean
delivered_all (JsonObject *status,
               gpointer    data)
{
  return json_object_get_int_member (status, "queue_length") == 0 &&
         json_object_get_int_member (status, "delivered") == GPOINTER_TO_INT (data);
}

static void
assert_exams_are (RwTestIntake *intake,
                  GPtrArray    *studies)
{
  g_autoptr(JsonArray) exams = rw_test_intake_list_exams (intake);
  g_autoptr(GHashTable) uids = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (json_array_get_length (exams), ==, studies->len);
  for (guint i = 0; i < json_array_get_length (exams); i++)
    g_assert_true (g_hash_table_add (uids, (gpointer) json_object_get_string_member (
                                       json_array_get_object_element (exams, i), "study_uid")));
  for (guint i = 0; i < studies->len; i++)
    g_assert_true (g_hash_table_contains (uids, ((RwTestStudy *) g_ptr_array_index (studies, i))->study_uid));
}

static void
send_studies (RwTestIntake *intake,
              GPtrArray    *studies,
              guint         n)
{
  for (guint i = 0; i < n; i++)
    {
      RwTestStudy *study = rw_test_intake_new_study (intake);

      rw_test_intake_send (intake, study);
      g_ptr_array_add (studies, study);
    }
}

static void
test_server_down (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_NO_CATCHUP);
  g_autoptr(GPtrArray) studies = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_test_study_free);
  g_autoptr(JsonObject) status = NULL;
  JsonObject *last_error;

  send_studies (intake, studies, 1);
  g_assert_true (rw_test_intake_wait_for_count (intake, 1, WAIT_MS));

  rw_test_server_stop (intake->server);
  send_studies (intake, studies, 3);
  g_assert_true (rw_test_intake_wait_for_status (intake, queue_has, GINT_TO_POINTER (3), WAIT_MS));
  status = rw_test_intake_plugin_status (intake);
  g_assert_false (json_object_get_boolean_member (status, "healthy"));
  last_error = json_object_get_object_member (status, "last_error");
  /* No HTTP answer at all: the server is not there. */
  g_assert_true (json_object_get_null_member (last_error, "http_status"));
  g_assert_nonnull (strstr (json_object_get_string_member (last_error, "message"), "Could not reach"));
  g_assert_cmpint (json_object_get_int_member (status, "permanent_failure_count"), ==, 0);

  rw_test_intake_start_server (intake);
  g_assert_true (rw_test_intake_wait_for_status (intake, delivered_all, GINT_TO_POINTER (4), WAIT_MS));
  assert_exams_are (intake, studies);
  g_clear_pointer (&status, json_object_unref);
  status = rw_test_intake_plugin_status (intake);
  g_assert_true (json_object_get_boolean_member (status, "healthy"));
}

static void
test_orthanc_restart (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_NO_CATCHUP | RW_TEST_INTAKE_SERVER_STOPPED);
  g_autoptr(GPtrArray) studies = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_test_study_free);
  g_autoptr(JsonObject) status = NULL;

  send_studies (intake, studies, 2);
  g_assert_true (rw_test_intake_wait_for_status (intake, queue_has, GINT_TO_POINTER (2), WAIT_MS));

  /* The queue is on disk: Orthanc comes back with both events. */
  rw_test_orthanc_restart (intake->orthanc);
  status = rw_test_intake_plugin_status (intake);
  g_assert_cmpint (json_object_get_int_member (status, "queue_length"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (status, "delivered"), ==, 0);

  rw_test_intake_start_server (intake);
  g_assert_true (rw_test_intake_wait_for_status (intake, delivered_all, GINT_TO_POINTER (2), WAIT_MS));
  assert_exams_are (intake, studies);
}

static gboolean
refused_signature (JsonObject *status,
                   gpointer    data)
{
  JsonObject *last_error = json_object_get_object_member (status, "last_error");

  return last_error != NULL && json_object_get_int_member (status, "queue_length") == 1 &&
         !json_object_get_null_member (last_error, "http_status") &&
         json_object_get_int_member (last_error, "http_status") == 401;
}

static void
test_wrong_secret (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_NO_CATCHUP | RW_TEST_INTAKE_WRONG_SECRET);
  g_autoptr(GPtrArray) studies = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_test_study_free);
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(JsonArray) exams = NULL;
  g_autofree char *log_path = g_build_filename (rw_test_orthanc_get_dir (intake->orthanc), "orthanc.log", NULL);
  g_autofree char *log = NULL;
  JsonObject *last_error;

  send_studies (intake, studies, 1);
  g_assert_true (rw_test_intake_wait_for_status (intake, refused_signature, NULL, WAIT_MS));
  status = rw_test_intake_plugin_status (intake);
  g_assert_false (json_object_get_boolean_member (status, "healthy"));
  /* Kept for retrying, not given up: the configuration will be fixed. */
  g_assert_cmpint (json_object_get_int_member (status, "permanent_failure_count"), ==, 0);
  last_error = json_object_get_object_member (status, "last_error");
  g_assert_nonnull (strstr (json_object_get_string_member (last_error, "message"), "WebhookSecret"));
  exams = rw_test_intake_list_exams (intake);
  g_assert_cmpuint (json_array_get_length (exams), ==, 0);

  /* Said loudly in Orthanc's log, and neither secret written there. */
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "refused the signature"));
  g_assert_null (strstr (log, intake->plugin_secret));
  g_assert_null (strstr (log, rw_test_server_get_secret (intake->server)));
  g_assert_null (strstr (json_object_get_string_member (last_error, "message"), intake->plugin_secret));

  /* Fixed on the server's side, then the same event goes through. */
  rw_test_server_set_config (intake->server, "webhook", "secret", intake->plugin_secret);
  rw_test_server_stop (intake->server);
  rw_test_intake_start_server (intake);
  g_assert_true (rw_test_intake_wait_for_status (intake, delivered_all, GINT_TO_POINTER (1), WAIT_MS));
  assert_exams_are (intake, studies);
  g_clear_pointer (&status, json_object_unref);
  status = rw_test_intake_plugin_status (intake);
  g_assert_true (json_object_get_boolean_member (status, "healthy"));
}

static gboolean
refused_for_good (JsonObject *status,
                  gpointer    data)
{
  return json_object_get_int_member (status, "permanent_failure_count") == 1 &&
         json_object_get_int_member (status, "queue_length") == 0;
}

static guint
count_lines (const char *text,
             const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* A 4xx other than 401, 408 or 429 is the server saying it will never
 * take this payload: listed, not retried on its own, retried on request. */
static void
test_permanent_failure (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_NO_CATCHUP | RW_TEST_INTAKE_WRONG_PATH);
  g_autoptr(GPtrArray) studies = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_test_study_free);
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(JsonArray) exams = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *orthanc_id = NULL;
  g_autofree char *log_path = g_build_filename (rw_test_orthanc_get_dir (intake->orthanc), "orthanc.log", NULL);
  g_autofree char *log = NULL;
  JsonObject *failure;

  send_studies (intake, studies, 1);
  orthanc_id = rw_test_intake_orthanc_id (g_ptr_array_index (studies, 0));
  g_assert_true (rw_test_intake_wait_for_status (intake, refused_for_good, NULL, WAIT_MS));
  status = rw_test_intake_plugin_status (intake);
  g_assert_false (json_object_get_boolean_member (status, "healthy"));
  failure = json_array_get_object_element (json_object_get_array_member (status, "permanent_failures"), 0);
  g_assert_cmpstr (json_object_get_string_member (failure, "study"), ==, orthanc_id);
  g_assert_cmpint (json_object_get_int_member (failure, "http_status"), ==, 404);
  g_assert_cmpint (json_object_get_int_member (failure, "attempts"), ==, 1);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (failure, "webhook_id")));
  exams = rw_test_intake_list_exams (intake);
  g_assert_cmpuint (json_array_get_length (exams), ==, 0);

  /* The status and retry routes are Orthanc's, behind its password. */
  g_assert_cmpuint (rw_test_intake_orthanc_request (intake, "GET", "/radiweb/status", FALSE, NULL), ==, 401);
  g_assert_cmpuint (rw_test_intake_orthanc_request (intake, "POST", "/radiweb/retry", FALSE, NULL), ==, 401);
  g_assert_cmpuint (rw_test_intake_orthanc_request (intake, "GET", "/radiweb/retry", TRUE, NULL), ==, 405);

  g_assert_cmpuint (rw_test_intake_orthanc_request (intake, "POST", "/radiweb/retry", TRUE, &answer), ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (answer), "requeued"), ==, 1);
  /* Sent again, refused again: the log says so twice. */
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  for (gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
       count_lines (log, "refused for good") < 2 && g_get_monotonic_time () < deadline;)
    {
      g_clear_pointer (&log, g_free);
      g_usleep (50 * 1000);
      g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
    }
  g_assert_cmpuint (count_lines (log, "refused for good"), ==, 2);
  g_assert_true (rw_test_intake_wait_for_status (intake, refused_for_good, NULL, WAIT_MS));
}

/* A stand-in for a radiweb-server that takes the request and never
 * answers (the real one always answers): a listening socket whose
 * connection is accepted and read (accept_request()), never answered. */
static int
listen_and_never_answer (guint16 *port)
{
  struct sockaddr_in addr = { 0, };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 16), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  *port = ntohs (addr.sin_port);
  return fd;
}

/* Accepts the plugin's connection on @listener and reads its request up
 * to the end of the headers; the connection stays open, unanswered. */
static int
accept_request (int listener)
{
  g_autoptr(GString) received = g_string_new (NULL);
  struct pollfd pfd = { listener, POLLIN, 0 };
  int fd;

  g_assert_cmpint (poll (&pfd, 1, WAIT_MS), ==, 1);
  fd = accept (listener, NULL, NULL);
  g_assert_cmpint (fd, >=, 0);
  while (strstr (received->str, "\r\n\r\n") == NULL)
    {
      char buffer[1024];
      ssize_t n;

      pfd.fd = fd;
      g_assert_cmpint (poll (&pfd, 1, WAIT_MS), ==, 1);
      n = read (fd, buffer, sizeof buffer);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (received, buffer, n);
    }
  g_assert_true (g_str_has_prefix (received->str, "POST /webhook/dicom "));
  return fd;
}

static gboolean
orthanc_stable (gpointer data)
{
  RwTestOrthanc *orthanc = data;
  g_autoptr(JsonNode) changes = rw_test_orthanc_get_json (orthanc, "/changes?limit=1000");
  JsonArray *list = json_object_get_array_member (json_node_get_object (changes), "Changes");

  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (list, i), "ChangeType"),
                   "StableStudy") == 0)
      return TRUE;
  return FALSE;
}

static void
test_shutdown_while_posting (void)
{
  g_autoptr(RwTestOrthanc) orthanc = rw_test_orthanc_new ();
  g_autoptr(RwTestStudy) study = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) status_node = NULL;
  g_autofree char *section = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *log = NULL;
  guint16 port = 0;
  int fd = listen_and_never_answer (&port);
  int request;
  gint64 start;

  /* A timeout far longer than Orthanc may take to stop. */
  section = g_strdup_printf ("{\"WebhookUrl\": \"http://127.0.0.1:%u/webhook/dicom\","
                             " \"WebhookSecret\": \"s\", \"PublicUrl\": \"%s\", \"Timeout\": 120}",
                             port, RW_TEST_INTAKE_PUBLIC_URL);
  g_assert_true (json_parser_load_from_data (parser, section, -1, &error));
  rw_test_orthanc_add_plugin (orthanc, g_getenv ("RW_PLUGIN_PATH"));
  rw_test_orthanc_set_config (orthanc, "Radiweb", json_parser_get_root (parser));
  rw_test_orthanc_start (orthanc);

  study = rw_test_study_new_random (rand);
  study->n_series = 1;
  study->n_instances = 1;
  g_assert_true (rw_test_study_send (study, "127.0.0.1", rw_test_orthanc_get_dicom_port (orthanc),
                                     RW_TEST_ORTHANC_AET, &error));
  g_assert_no_error (error);
  g_assert_true (rw_test_wait_until (orthanc_stable, orthanc, WAIT_MS));
  /* Orthanc is stopped only once the POST is under way, waiting for an
   * answer that never comes. */
  request = accept_request (fd);

  start = g_get_monotonic_time ();
  rw_test_orthanc_stop (orthanc);
  g_test_message ("Orthanc stopped in %.1f s", (g_get_monotonic_time () - start) / 1e6);
  /* Orthanc alone takes 2–3.5 s; the fixture kills it after 10. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_USEC_PER_SEC);
  log_path = g_build_filename (rw_test_orthanc_get_dir (orthanc), "orthanc.log", NULL);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "Orthanc has stopped"));

  /* The interrupted attempt does not count: the event is still there. */
  rw_test_orthanc_start (orthanc);
  status_node = rw_test_orthanc_get_json (orthanc, "/radiweb/status");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (status_node), "queue_length"), ==, 1);
  close (request);
  close (fd);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin/recovery/server-down", test_server_down);
  g_test_add_func ("/plugin/recovery/orthanc-restart", test_orthanc_restart);
  g_test_add_func ("/plugin/recovery/wrong-secret", test_wrong_secret);
  g_test_add_func ("/plugin/recovery/permanent-failure", test_permanent_failure);
  g_test_add_func ("/plugin/recovery/shutdown-while-posting", test_shutdown_while_posting);
  return g_test_run ();
}
