/* SPDX-License-Identifier: GPL-3.0-or-later */
/* From storescu to the worklist: a real Orthanc with the webhook plugin
 * tells a real radiweb-server of each study it stores, field for field,
 * and the plugin's status route says so. */
#include "config.h"

#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "rw-json.h"
#include "rw-test-intake.h"
#include "rw-test-util.h"

#define BURST 200
#define SENDERS 4

/* Orthanc 1.10 checks stability every 0.5 s with a clock of whole seconds
 * (ServerIndex.cpp: second_clock, age > StableAge): with StableAge 1 a
 * study turns stable 1 to 2.5 s after its last image, and the plugin's
 * part, from stable to the worklist, takes well under a second. The
 * bounds leave a loaded machine several seconds more (the suite runs tests
 * in parallel, and once under the sanitizers): they are there to catch a
 * delivery that waits for a poll of its own, not a slow run. */
#define ORTHANC_STABLE_SLACK_MS 6500
#define DELIVERY_MS 5000

static gboolean
is_stable (RwTestIntake *intake,
           const char   *orthanc_id)
{
  g_autofree char *path = g_strconcat ("/studies/", orthanc_id, NULL);
  g_autoptr(GBytes) body = rw_test_orthanc_get (intake->orthanc, path, NULL);
  g_autoptr(JsonObject) study = NULL;
  gboolean stable = FALSE;

  /* 404 until the first image is indexed. */
  if (body == NULL)
    return FALSE;
  study = rw_json_parse_object (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL);
  g_assert_nonnull (study);
  g_assert_true (rw_json_get_bool (study, "IsStable", RW_JSON_REQUIRED, &stable, NULL));
  return stable;
}

static void
assert_healthy (JsonObject *status,
                gint64      delivered)
{
  g_autofree char *text = rw_json_object_to_string (status);

  g_test_message ("plugin status: %s", text);
  g_assert_true (json_object_get_boolean_member (status, "enabled"));
  g_assert_true (json_object_get_boolean_member (status, "healthy"));
  g_assert_true (json_object_get_null_member (status, "configuration_error"));
  g_assert_true (json_object_get_null_member (status, "queue_error"));
  g_assert_cmpint (json_object_get_int_member (status, "queue_length"), ==, 0);
  g_assert_true (json_object_get_null_member (status, "oldest_pending_age"));
  g_assert_cmpint (json_object_get_int_member (status, "permanent_failure_count"), ==, 0);
  g_assert_true (json_object_get_null_member (status, "last_error"));
  g_assert_cmpint (json_object_get_int_member (status, "delivered"), ==, delivered);
  g_assert_nonnull (json_object_get_object_member (status, "last_success"));
}

static gboolean
delivered_all (JsonObject *status,
               gpointer    data)
{
  return json_object_get_int_member (status, "queue_length") == 0 &&
         json_object_get_int_member (status, "delivered") == GPOINTER_TO_INT (data);
}

static void
test_fields (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_NO_CATCHUP);
  g_autoptr(RwTestStudy) study = rw_test_intake_new_study (intake);
  g_autoptr(RwExam) exam = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autofree char *orthanc_id = NULL;
  gint64 sent, stable_at = 0, listed_at = 0;

  /* Counts over more than one series and image. */
  study->n_series = 2;
  study->n_instances = 3;
  orthanc_id = rw_test_intake_orthanc_id (study);

  rw_test_intake_send (intake, study);
  sent = g_get_monotonic_time ();
  while (exam == NULL && g_get_monotonic_time () - sent < 30 * G_USEC_PER_SEC)
    {
      if (stable_at == 0 && is_stable (intake, orthanc_id))
        stable_at = g_get_monotonic_time ();
      exam = rw_test_intake_wait_for_exam (intake, study->study_uid, 0);
      if (exam == NULL)
        g_usleep (20 * 1000);
    }
  listed_at = g_get_monotonic_time ();
  g_assert_nonnull (exam);
  if (stable_at == 0)
    stable_at = listed_at;
  g_test_message ("stable %.2f s after sending, on the worklist %.2f s after that",
                  (stable_at - sent) / 1e6, (listed_at - stable_at) / 1e6);
  g_assert_cmpint (listed_at - stable_at, <=, DELIVERY_MS * 1000);
  g_assert_cmpint (listed_at - sent, <=,
                   (RW_TEST_ORTHANC_STABLE_AGE * 1000 + ORTHANC_STABLE_SLACK_MS + DELIVERY_MS) * 1000);

  rw_test_intake_assert_exam (intake, exam, study);
  g_assert_cmpint (rw_exam_get_status (exam), ==, RW_EXAM_STATUS_PENDING);

  g_assert_true (rw_test_intake_wait_for_status (intake, delivered_all, GINT_TO_POINTER (1), 20000));
  status = rw_test_intake_plugin_status (intake);
  assert_healthy (status, 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (status, "last_success"),
                                                  "study"), ==, orthanc_id);
}

/* How far the server's catch-up has followed Orthanc, from its database. */
static gint64
caught_up_to (RwTestIntake *intake)
{
  g_autofree char *uri = g_strconcat ("file:", rw_test_server_get_database (intake->server), "?mode=ro", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 seq = -1;

  g_assert_cmpint (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT last_seq FROM orthanc_changes", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return seq;
}

static gint64
orthanc_last_change (RwTestIntake *intake)
{
  g_autoptr(JsonNode) changes = rw_test_orthanc_get_json (intake->orthanc, "/changes?last");

  return json_object_get_int_member (json_node_get_object (changes), "Last");
}

static void
test_burst (void)
{
  g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_DEFAULT);
  g_autoptr(GPtrArray) studies = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_test_study_free);
  g_autoptr(GHashTable) sent = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonArray) exams = NULL;
  g_autoptr(JsonObject) status = NULL;
  gint64 start, last;

  for (guint i = 0; i < BURST; i++)
    {
      RwTestStudy *study = rw_test_intake_new_study (intake);

      g_ptr_array_add (studies, study);
      g_hash_table_add (sent, study->study_uid);
    }
  g_assert_cmpuint (g_hash_table_size (sent), ==, BURST);

  start = g_get_monotonic_time ();
  rw_test_intake_send_parallel (intake, studies, SENDERS);
  g_test_message ("%d studies sent by %d senders in %.1f s", BURST, SENDERS,
                  (g_get_monotonic_time () - start) / 1e6);

  /* The plugin delivers each event once, whatever the catch-up did. */
  g_assert_true (rw_test_intake_wait_for_status (intake, delivered_all, GINT_TO_POINTER (BURST), 60000));
  g_test_message ("all delivered %.1f s after the first send", (g_get_monotonic_time () - start) / 1e6);
  status = rw_test_intake_plugin_status (intake);
  assert_healthy (status, BURST);

  /* Once the catch-up has seen every change too, still one exam per
   * study. */
  last = orthanc_last_change (intake);
  while (caught_up_to (intake) < last)
    {
      g_assert_cmpint (g_get_monotonic_time () - start, <, 90 * G_USEC_PER_SEC);
      g_usleep (100 * 1000);
    }
  exams = rw_test_intake_list_exams (intake);
  g_assert_cmpuint (json_array_get_length (exams), ==, BURST);
  for (guint i = 0; i < json_array_get_length (exams); i++)
    {
      const char *uid = json_object_get_string_member (json_array_get_object_element (exams, i), "study_uid");

      g_assert_true (g_hash_table_contains (sent, uid));
      g_assert_true (g_hash_table_add (listed, (gpointer) uid));
    }
  g_assert_cmpuint (g_hash_table_size (listed), ==, BURST);
}

/* Orthanc's configuration takes comments, JSON does not: drops line and
 * block comments outside strings. */
static char *
strip_comments (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean in_string = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (in_string)
        {
          g_string_append_c (out, *p);
          if (*p == '\\' && p[1] != '\0')
            g_string_append_c (out, *++p);
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (p[0] == '/' && p[1] == '/')
        {
          while (p[1] != '\0' && p[1] != '\n')
            p++;
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");

          g_assert_nonnull (end);
          p = end + 1;
        }
      else
        {
          in_string = *p == '"';
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

/* docs/orthanc.json.example is what a clinic installs. A real Orthanc
 * takes it, with only what must be the test's own replaced (ports,
 * folders, users, the modalities' addresses, StableAge); a listed
 * modality stores, an unknown one and a wrong called AE title are turned
 * away, and the plugin it configures delivers. */
static void
test_example_config (void)
{
  static const char *const own[] = {
    "HttpPort", "DicomPort", "StorageDirectory", "IndexDirectory", "Plugins", "RegisteredUsers",
    "RemoteAccessAllowed", "WebViewer", "StableAge",
  };
  g_autofree char *path = g_build_filename (g_getenv ("RW_TEST_SRCDIR"), "..", "docs",
                                            "orthanc.json.example", NULL);
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) example = NULL;
  g_autoptr(RwTestIntake) intake = NULL;
  g_autoptr(RwTestStudy) study = NULL;
  g_autoptr(RwTestStudy) stranger = NULL;
  g_autoptr(RwExam) exam = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(JsonObject) config = json_object_new ();
  g_autoptr(JsonObject) modalities = json_object_new ();
  JsonArray *plugins;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;
  guint16 port;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  json = strip_comments (text);
  example = rw_json_parse_object (json, -1, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (json_object_get_string_member (example, "DicomAet"), ==, "RADIWEB_PACS");
  g_assert_cmpint (json_object_get_int_member (example, "DicomPort"), ==, 4242);
  g_assert_true (json_object_get_boolean_member (example, "AuthenticationEnabled"));
  plugins = json_object_get_array_member (example, "Plugins");
  g_assert_cmpuint (json_array_get_length (plugins), ==, 3);
  g_assert_true (g_str_has_suffix (json_array_get_string_element (plugins, 0), "/libOrthancDicomWeb.so"));
  g_assert_true (g_str_has_suffix (json_array_get_string_element (plugins, 1), "/libOrthancWebViewer.so"));
  g_assert_true (g_str_has_suffix (json_array_get_string_element (plugins, 2), "/libRadiwebWebhook.so"));

  for (guint i = 0; i < G_N_ELEMENTS (own); i++)
    g_assert_true (json_object_has_member (example, own[i]));
  json_object_iter_init (&iter, example);
  while (json_object_iter_next (&iter, &name, &value))
    {
      gboolean skip = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (own); i++)
        skip = skip || g_str_equal (name, own[i]);
      if (!skip && !g_str_equal (name, "DicomModalities"))
        json_object_set_member (config, name, json_node_copy (value));
    }

  /* The modalities, as if they all stood on this machine. */
  json_object_iter_init (&iter, json_object_get_object_member (example, "DicomModalities"));
  while (json_object_iter_next (&iter, &name, &value))
    {
      JsonArray *modality = json_node_get_array (value);
      JsonArray *here = json_array_new ();

      g_assert_cmpuint (json_array_get_length (modality), ==, 3);
      json_array_add_string_element (here, json_array_get_string_element (modality, 0));
      json_array_add_string_element (here, "127.0.0.1");
      json_array_add_int_element (here, json_array_get_int_element (modality, 2));
      json_object_set_array_member (modalities, name, here);
    }
  json_object_set_object_member (config, "DicomModalities", json_object_ref (modalities));

  intake = rw_test_intake_new_with_config (RW_TEST_INTAKE_NO_CATCHUP, config);
  port = rw_test_orthanc_get_dicom_port (intake->orthanc);

  /* A CT from TOMOGRAFO1, as the example lists it. */
  study = rw_test_intake_new_study (intake);
  rw_test_study_set (&study->modality, "CT");
  rw_test_study_set (&study->calling_aet, "TOMOGRAFO1");
  g_assert_true (rw_test_study_send (study, "127.0.0.1", port, "RADIWEB_PACS", &error));
  g_assert_no_error (error);

  stranger = rw_test_intake_new_study (intake);
  rw_test_study_set (&stranger->calling_aet, "DESCONHECIDO");
  g_assert_false (rw_test_study_send (stranger, "127.0.0.1", port, "RADIWEB_PACS", &error));
  g_clear_error (&error);
  g_assert_false (rw_test_study_send (study, "127.0.0.1", port, RW_TEST_ORTHANC_AET, &error));
  g_clear_error (&error);

  exam = rw_test_intake_wait_for_exam (intake, study->study_uid, 20000);
  g_assert_nonnull (exam);
  g_assert_true (g_str_has_prefix (rw_exam_get_stone_viewer_url (exam), "https://pacs.clinica.example.com.br/"));
  g_assert_true (rw_test_intake_wait_for_status (intake, delivered_all, GINT_TO_POINTER (1), 20000));
  status = rw_test_intake_plugin_status (intake);
  assert_healthy (status, 1);
  g_assert_true (rw_test_intake_wait_for_count (intake, 1, 0));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin/intake/fields", test_fields);
  g_test_add_func ("/plugin/intake/burst", test_burst);
  g_test_add_func ("/plugin/intake/example-config", test_example_config);
  return g_test_run ();
}
