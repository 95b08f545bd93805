/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plugin's pieces without Orthanc: its configuration section, its
 * durable queue (a real SQLite file, reopened as after a restart) and what
 * each HTTP answer means for an event. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-json.h"
#include "rw-plugin-config.h"
#include "rw-plugin-queue.h"
#include "rw-plugin-worker.h"
#include "rw-test-util.h"

#define SECRET "shh-this-is-the-secret"

static JsonObject *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = rw_json_parse_object (json, -1, &error);

  g_assert_no_error (error);
  return object;
}

static RwPluginConfig *
config_from (const char  *section,
             GError     **error)
{
  g_autofree char *text = g_strdup_printf ("{\"IndexDirectory\": \"/var/lib/orthanc/db\", \"Radiweb\": %s}", section);
  g_autoptr(JsonObject) orthanc = parse (text);

  return rw_plugin_config_new_from_orthanc (orthanc, error);
}

static void
test_config_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwPluginConfig) config = NULL;

  config = config_from ("{\"WebhookUrl\": \"https://radiweb.example/webhook/dicom\","
                        " \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://pacs.example\"}",
                        &error);
  g_assert_no_error (error);
  g_assert_true (config->enabled);
  g_assert_cmpstr (config->webhook_url, ==, "https://radiweb.example/webhook/dicom");
  g_assert_cmpstr (config->webhook_secret, ==, SECRET);
  g_assert_cmpstr (config->public_url, ==, "https://pacs.example");
  g_assert_cmpuint (config->timeout, ==, 10);
  g_assert_cmpuint (config->max_attempts, ==, 0);
  /* Standard Webhooks: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h. */
  g_assert_cmpuint (config->retry_schedule->len, ==, 6);
  g_assert_cmpfloat (g_array_index (config->retry_schedule, double, 0), ==, 5);
  g_assert_cmpfloat (g_array_index (config->retry_schedule, double, 5), ==, 36000);
  /* Beside Orthanc's index. */
  g_assert_cmpstr (config->queue_path, ==, "/var/lib/orthanc/db/radiweb-webhook-queue.db");
}

static void
test_config_all_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwPluginConfig) config = NULL;

  config = config_from ("{\"Enabled\": true, \"WebhookUrl\": \"http://10.0.0.2:8642/webhook/dicom\","
                        " \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://pacs.example/orthanc/\","
                        " \"Timeout\": 30, \"RetrySchedule\": [0.5, 2, 60], \"MaxAttempts\": 12,"
                        " \"QueuePath\": \"/srv/queue.db\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (config->timeout, ==, 30);
  g_assert_cmpuint (config->retry_schedule->len, ==, 3);
  g_assert_cmpfloat (g_array_index (config->retry_schedule, double, 0), ==, 0.5);
  g_assert_cmpuint (config->max_attempts, ==, 12);
  g_assert_cmpstr (config->queue_path, ==, "/srv/queue.db");
}

static void
test_config_disabled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwPluginConfig) off = NULL;
  g_autoptr(RwPluginConfig) missing = NULL;
  g_autoptr(JsonObject) orthanc = parse ("{\"StorageDirectory\": \"/data\"}");

  /* Disabled, the rest is not even read. */
  off = config_from ("{\"Enabled\": false, \"WebhookUrl\": 12}", &error);
  g_assert_no_error (error);
  g_assert_false (off->enabled);

  missing = rw_plugin_config_new_from_orthanc (orthanc, &error);
  g_assert_no_error (error);
  g_assert_false (missing->enabled);
  g_assert_cmpstr (missing->queue_path, ==, "/data/radiweb-webhook-queue.db");
}

static void
test_config_errors (void)
{
  const struct {
    const char *section;
    const char *member;
  } cases[] = {
    { "[]", "Radiweb" },
    { "{\"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\"}", "WebhookUrl" },
    { "{\"WebhookUrl\": \"ftp://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\"}", "WebhookUrl" },
    { "{\"WebhookUrl\": \"https://user:pw@x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\"}", "WebhookUrl" },
    { "{\"WebhookUrl\": \"not a url\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\"}", "WebhookUrl" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"  \", \"PublicUrl\": \"https://p\"}", "WebhookSecret" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": 5, \"PublicUrl\": \"https://p\"}", "WebhookSecret" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\"}", "PublicUrl" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p?x=1\"}", "PublicUrl" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\", \"Timeout\": 0}", "Timeout" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\", \"Timeout\": \"10\"}", "Timeout" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\", \"RetrySchedule\": []}", "RetrySchedule" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\", \"RetrySchedule\": [5, -1]}", "RetrySchedule" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\", \"RetrySchedule\": [\"5\"]}", "RetrySchedule" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\", \"RetrySchedule\": [1e9]}", "RetrySchedule" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\", \"MaxAttempts\": -3}", "MaxAttempts" },
    { "{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\", \"PublicUrl\": \"https://p\", \"QueuePath\": \"\"}", "QueuePath" },
    { "{\"Enabled\": \"yes\"}", "Enabled" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RwPluginConfig) config = config_from (cases[i].section, &error);

      g_test_message ("%s", cases[i].section);
      g_assert_null (config);
      g_assert_error (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, cases[i].member));
      g_assert_nonnull (strstr (error->message, "\"Radiweb\" section"));
      g_assert_null (strstr (error->message, SECRET));
    }
}

static void
test_config_queue_path_of_wrong_section (void)
{
  g_autoptr(JsonObject) orthanc = parse ("{\"IndexDirectory\": \"/idx\", \"StorageDirectory\": \"/st\","
                                         " \"Radiweb\": {\"WebhookUrl\": 3}}");
  g_autoptr(JsonObject) none = parse ("{}");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = rw_plugin_config_dup_queue_path (orthanc, &error);
  g_autofree char *fallback = rw_plugin_config_dup_queue_path (none, &error);

  /* Events are kept even while the section is wrong. */
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, "/idx/radiweb-webhook-queue.db");
  g_assert_cmpstr (fallback, ==, "OrthancStorage/radiweb-webhook-queue.db");
}

static void
test_retry_delay (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwPluginConfig) config = NULL;
  g_autoptr(RwPluginConfig) limited = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gint64 first_min = G_MAXINT64, first_max = 0;

  config = config_from ("{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\","
                        " \"PublicUrl\": \"https://p\", \"RetrySchedule\": [1, 10, 100]}", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 200; i++)
    {
      gint64 first = rw_plugin_config_retry_delay_ms (config, 1, rand);
      gint64 second = rw_plugin_config_retry_delay_ms (config, 2, rand);
      /* After the schedule, its last wait again and again: never given up. */
      gint64 later = rw_plugin_config_retry_delay_ms (config, 50, rand);

      g_assert_cmpint (first, >=, 800);
      g_assert_cmpint (first, <=, 1200);
      g_assert_cmpint (second, >=, 8000);
      g_assert_cmpint (second, <=, 12000);
      g_assert_cmpint (later, >=, 80000);
      g_assert_cmpint (later, <=, 120000);
      first_min = MIN (first_min, first);
      first_max = MAX (first_max, first);
    }
  /* Jittered: events that failed together come back apart. */
  g_assert_cmpint (first_max - first_min, >, 200);

  limited = config_from ("{\"WebhookUrl\": \"https://x/y\", \"WebhookSecret\": \"" SECRET "\","
                         " \"PublicUrl\": \"https://p\", \"RetrySchedule\": [1], \"MaxAttempts\": 3}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (rw_plugin_config_retry_delay_ms (limited, 2, rand), >, 0);
  g_assert_cmpint (rw_plugin_config_retry_delay_ms (limited, 3, rand), ==, -1);
}

static void
test_outcome (void)
{
  g_assert_cmpint (rw_plugin_outcome_for_status (200), ==, RW_PLUGIN_OUTCOME_DELIVERED);
  g_assert_cmpint (rw_plugin_outcome_for_status (204), ==, RW_PLUGIN_OUTCOME_DELIVERED);
  g_assert_cmpint (rw_plugin_outcome_for_status (401), ==, RW_PLUGIN_OUTCOME_UNAUTHORIZED);
  g_assert_cmpint (rw_plugin_outcome_for_status (408), ==, RW_PLUGIN_OUTCOME_RETRY);
  g_assert_cmpint (rw_plugin_outcome_for_status (429), ==, RW_PLUGIN_OUTCOME_RETRY);
  g_assert_cmpint (rw_plugin_outcome_for_status (500), ==, RW_PLUGIN_OUTCOME_RETRY);
  g_assert_cmpint (rw_plugin_outcome_for_status (503), ==, RW_PLUGIN_OUTCOME_RETRY);
  g_assert_cmpint (rw_plugin_outcome_for_status (301), ==, RW_PLUGIN_OUTCOME_RETRY);
  g_assert_cmpint (rw_plugin_outcome_for_status (400), ==, RW_PLUGIN_OUTCOME_REJECTED);
  g_assert_cmpint (rw_plugin_outcome_for_status (404), ==, RW_PLUGIN_OUTCOME_REJECTED);
  g_assert_cmpint (rw_plugin_outcome_for_status (413), ==, RW_PLUGIN_OUTCOME_REJECTED);
  g_assert_cmpint (rw_plugin_outcome_for_status (415), ==, RW_PLUGIN_OUTCOME_REJECTED);
}

/* The queue */

typedef struct {
  char          *dir;
  char          *path;
  RwPluginQueue *queue;
} QueueFixture;

static void
queue_setup (QueueFixture  *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = rw_test_make_tmpdir ("rw-plugin-queue");
  /* A folder that does not exist yet, as Orthanc's index at load time. */
  fixture->path = g_build_filename (fixture->dir, "index", "queue.db", NULL);
  fixture->queue = rw_plugin_queue_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
queue_teardown (QueueFixture  *fixture,
                gconstpointer  data)
{
  g_assert_finalize_object (fixture->queue);
  rw_test_rm_rf (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
reopen (QueueFixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_finalize_object (fixture->queue);
  fixture->queue = rw_plugin_queue_open (fixture->path, &error);
  g_assert_no_error (error);
}

static JsonObject *
status_at (QueueFixture *fixture,
           gint64        now)
{
  g_autoptr(GError) error = NULL;
  JsonObject *status = rw_plugin_queue_dup_status (fixture->queue, now, &error);

  g_assert_no_error (error);
  return status;
}

static RwPluginEvent *
next_due (QueueFixture *fixture,
          gint64        now,
          gint64       *wake_at)
{
  g_autoptr(GError) error = NULL;
  gint64 ignored;
  RwPluginEvent *event = rw_plugin_queue_next_due (fixture->queue, now, wake_at ? wake_at : &ignored, &error);

  g_assert_no_error (error);
  return event;
}

static void
test_queue_order_and_restart (QueueFixture  *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id1 = rw_plugin_queue_enqueue (fixture->queue, "study-1", 1000, &error);
  g_autofree char *id2 = rw_plugin_queue_enqueue (fixture->queue, "study-2", 1500, &error);
  g_autoptr(RwPluginEvent) first = NULL;
  g_autoptr(RwPluginEvent) again = NULL;
  g_autoptr(JsonObject) status = NULL;
  gint64 wake_at = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (id1, !=, id2);
  g_assert_true (g_uuid_string_is_valid (id1));

  /* Not due before it was queued. */
  g_assert_null (next_due (fixture, 999, &wake_at));
  g_assert_cmpint (wake_at, ==, 1000);

  first = next_due (fixture, 2000, NULL);
  g_assert_cmpstr (first->study_id, ==, "study-1");
  g_assert_cmpstr (first->webhook_id, ==, id1);
  g_assert_cmpuint (first->attempts, ==, 0);
  g_assert_true (rw_plugin_queue_failed (fixture->queue, first, 2000, 7000, 503, "HTTP 503", &error));
  g_assert_no_error (error);

  /* The committed queue is what a restarted Orthanc finds, with the same
   * webhook ids and attempts. */
  reopen (fixture);
  again = next_due (fixture, 2000, NULL);
  g_assert_cmpstr (again->study_id, ==, "study-2");
  g_clear_pointer (&again, rw_plugin_event_free);
  again = next_due (fixture, 7000, &wake_at);
  g_assert_cmpstr (again->study_id, ==, "study-2");

  status = status_at (fixture, 3000);
  g_assert_cmpint (json_object_get_int_member (status, "queue_length"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (status, "oldest_pending_age"), ==, 2.0);
  g_assert_cmpfloat (json_object_get_double_member (status, "next_attempt_in"), ==, 0.0);
  g_assert_false (json_object_get_boolean_member (status, "healthy"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (status, "last_error"),
                                               "http_status"), ==, 503);

  g_assert_true (rw_plugin_queue_delivered (fixture->queue, again, 7100, &error));
  g_clear_pointer (&again, rw_plugin_event_free);
  again = next_due (fixture, 7100, NULL);
  /* The server answers again: what waited is due at once. */
  g_assert_nonnull (again);
  g_assert_cmpstr (again->study_id, ==, "study-1");
  g_assert_cmpstr (again->webhook_id, ==, id1);
  g_assert_cmpuint (again->attempts, ==, 1);
}

static void
test_queue_permanent_failure (QueueFixture  *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = rw_plugin_queue_enqueue (fixture->queue, "study-1", 1000, &error);
  g_autoptr(RwPluginEvent) event = next_due (fixture, 1000, NULL);
  g_autoptr(RwPluginEvent) retried = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autofree char *long_message = NULL;
  JsonArray *failures;
  JsonObject *failure;
  gint64 wake_at = 0;
  guint n = 0;

  /* A long answer is cut; it is for the status, not a copy of a page. */
  long_message = g_strnfill (2000, 'x');
  g_assert_true (rw_plugin_queue_failed (fixture->queue, event, 2000, -1, 400, long_message, &error));
  g_assert_no_error (error);
  g_assert_null (next_due (fixture, G_MAXINT64 - 1, &wake_at));
  g_assert_cmpint (wake_at, ==, G_MAXINT64);

  reopen (fixture);
  status = status_at (fixture, 5000);
  g_assert_cmpint (json_object_get_int_member (status, "queue_length"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (status, "permanent_failure_count"), ==, 1);
  g_assert_false (json_object_get_boolean_member (status, "healthy"));
  failures = json_object_get_array_member (status, "permanent_failures");
  g_assert_cmpuint (json_array_get_length (failures), ==, 1);
  failure = json_array_get_object_element (failures, 0);
  g_assert_cmpstr (json_object_get_string_member (failure, "webhook_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (failure, "study"), ==, "study-1");
  g_assert_cmpint (json_object_get_int_member (failure, "http_status"), ==, 400);
  g_assert_cmpint (json_object_get_int_member (failure, "attempts"), ==, 1);
  g_assert_cmpint (strlen (json_object_get_string_member (failure, "message")), ==, 500);

  /* Only an explicit retry brings it back, with a fresh count. */
  g_assert_true (rw_plugin_queue_retry_now (fixture->queue, 6000, FALSE, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (rw_plugin_queue_retry_now (fixture->queue, 6000, TRUE, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  retried = next_due (fixture, 6000, NULL);
  g_assert_cmpstr (retried->webhook_id, ==, id);
  g_assert_cmpuint (retried->attempts, ==, 0);
  g_assert_true (rw_plugin_queue_delivered (fixture->queue, retried, 6500, &error));
  after = status_at (fixture, 7000);
  g_assert_cmpint (json_object_get_int_member (after, "permanent_failure_count"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (after, "delivered"), ==, 1);
  g_assert_true (json_object_get_boolean_member (after, "healthy"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (after, "last_success"), "time"),
                   ==, "1970-01-01T00:00:06Z");
}

static void
test_queue_drop (QueueFixture  *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = rw_plugin_queue_enqueue (fixture->queue, "gone", 1000, &error);
  g_autoptr(RwPluginEvent) event = next_due (fixture, 1000, NULL);
  g_autoptr(JsonObject) status = NULL;

  g_assert_true (rw_plugin_queue_drop (fixture->queue, event, &error));
  g_assert_no_error (error);
  status = status_at (fixture, 2000);
  g_assert_cmpint (json_object_get_int_member (status, "queue_length"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (status, "delivered"), ==, 0);
  g_assert_true (json_object_get_null_member (status, "last_success"));
}

static void
test_queue_unusable_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = rw_test_make_tmpdir ("rw-plugin-queue");
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *below = g_build_filename (file, "queue.db", NULL);
  g_autoptr(RwPluginQueue) queue = NULL;
  g_autofree char *garbage = g_strnfill (4096, '#');
  g_autofree char *contents = NULL;

  g_assert_true (g_file_set_contents (file, garbage, -1, NULL));
  queue = rw_plugin_queue_open (below, &error);
  g_assert_null (queue);
  g_assert_error (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_QUEUE);
  g_assert_nonnull (strstr (error->message, file));

  /* Not a database: said so, and the file is left alone. */
  g_clear_error (&error);
  queue = rw_plugin_queue_open (file, &error);
  g_assert_null (queue);
  g_assert_error (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_QUEUE);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, garbage);
  rw_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin/config/defaults", test_config_defaults);
  g_test_add_func ("/plugin/config/all-keys", test_config_all_keys);
  g_test_add_func ("/plugin/config/disabled", test_config_disabled);
  g_test_add_func ("/plugin/config/errors", test_config_errors);
  g_test_add_func ("/plugin/config/queue-path-of-wrong-section", test_config_queue_path_of_wrong_section);
  g_test_add_func ("/plugin/config/retry-delay", test_retry_delay);
  g_test_add_func ("/plugin/outcome", test_outcome);
  g_test_add ("/plugin/queue/order-and-restart", QueueFixture, NULL,
              queue_setup, test_queue_order_and_restart, queue_teardown);
  g_test_add ("/plugin/queue/permanent-failure", QueueFixture, NULL,
              queue_setup, test_queue_permanent_failure, queue_teardown);
  g_test_add ("/plugin/queue/drop", QueueFixture, NULL, queue_setup, test_queue_drop, queue_teardown);
  g_test_add_func ("/plugin/queue/unusable-path", test_queue_unusable_path);
  return g_test_run ();
}
