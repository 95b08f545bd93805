/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fixtures other tests stand on: the Orthanc harness (its
 * configuration, extra plugins and members, restart on the same storage
 * and ports) and the synthetic studies (what they contain once Orthanc has
 * them, and the rw-make-studies command). */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-json.h"
#include "rw-test-orthanc.h"
#include "rw-test-studies.h"
#include "rw-test-util.h"

static RwTestOrthanc *orthanc;

static JsonNode *
get_json (const char *path)
{
  return rw_test_orthanc_get_json (orthanc, path);
}

static char *
lookup_study (const char *study_uid)
{
  g_autoptr(JsonNode) node = get_json ("/studies?expand");
  JsonArray *studies = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (studies); i++)
    {
      JsonObject *study = json_array_get_object_element (studies, i);
      JsonObject *tags = json_object_get_object_member (study, "MainDicomTags");

      if (g_strcmp0 (json_object_get_string_member (tags, "StudyInstanceUID"), study_uid) == 0)
        return g_strdup (json_object_get_string_member (study, "ID"));
    }
  return NULL;
}

static void
test_config (void)
{
  g_autofree char *path = g_build_filename (rw_test_orthanc_get_dir (orthanc), "orthanc.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(JsonNode) plugins = NULL;
  g_autoptr(GBytes) denied = NULL;
  JsonObject *radiweb;
  gboolean has_dicomweb = FALSE, has_viewer = FALSE, has_serve = FALSE;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  config = rw_json_parse_object (text, -1, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_get_boolean_member (config, "RemoteAccessAllowed"));
  g_assert_true (json_object_get_boolean_member (config, "AuthenticationEnabled"));
  g_assert_cmpint (json_object_get_int_member (config, "StableAge"), ==, RW_TEST_ORTHANC_STABLE_AGE);
  g_assert_cmpint (json_object_get_int_member (config, "HttpPort"), ==, rw_test_orthanc_get_http_port (orthanc));
  g_assert_cmpint (json_object_get_int_member (config, "DicomPort"), ==, rw_test_orthanc_get_dicom_port (orthanc));
  g_assert_cmpuint (rw_test_orthanc_get_http_port (orthanc), !=, rw_test_orthanc_get_dicom_port (orthanc));
  /* The extra member went in as given. */
  radiweb = json_object_get_object_member (config, "Radiweb");
  g_assert_nonnull (radiweb);
  g_assert_cmpstr (json_object_get_string_member (radiweb, "WebhookUrl"), ==, "http://127.0.0.1:9/webhook/dicom");

  /* Default plugins and the extra one are loaded. */
  plugins = get_json ("/plugins");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (plugins)); i++)
    {
      const char *name = json_array_get_string_element (json_node_get_array (plugins), i);

      has_dicomweb |= g_str_equal (name, "dicom-web");
      has_viewer |= g_str_equal (name, "web-viewer");
      has_serve |= g_str_equal (name, "serve-folders");
    }
  g_assert_true (has_dicomweb);
  g_assert_true (has_viewer);
  g_assert_true (has_serve);

  /* Authentication is on. */
  {
    g_autoptr(GSubprocess) curl = NULL;
    g_autofree char *out = NULL;
    g_autofree char *url = g_strdup_printf ("%s/system", rw_test_orthanc_get_url (orthanc));

    curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "curl", "-s", "-o", "/dev/null",
                             "-w", "%{http_code}", url, NULL);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (curl, NULL, NULL, &out, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (out, ==, "401");
  }
}

static void
assert_study_fields_valid (const RwTestStudy *study)
{
  GDate date;
  RwDicomTime time;
  RwDicomAge age;

  g_assert_true (rw_dicom_parse_date (study->study_date, &date, NULL));
  g_assert_true (rw_dicom_parse_date (study->patient_birth_date, &date, NULL));
  g_assert_true (rw_dicom_parse_time (study->study_time, &time, NULL));
  g_assert_true (rw_dicom_parse_age (study->patient_age, &age, NULL));
  g_assert_cmpuint (strlen (study->study_uid), <=, 64);
  g_assert_cmpuint (strspn (study->study_uid, "0123456789."), ==, strlen (study->study_uid));
  g_assert_true (g_strv_contains ((const char *[]) { "CT", "MR", "CR", "US", NULL }, study->modality));
  g_assert_true (g_str_equal (study->patient_sex, "M") || g_str_equal (study->patient_sex, "F"));
  g_assert_nonnull (strchr (study->patient_name, '^'));
  g_assert_cmpstr (study->study_description, !=, "");
  g_assert_cmpstr (study->accession_number, !=, "");
  g_assert_cmpstr (study->referring_physician, !=, "");
  g_assert_cmpuint (study->n_series, >=, 1);
  g_assert_cmpuint (study->n_instances, >=, 1);
}

static void
test_random_studies (void)
{
  g_autoptr(GRand) a = g_rand_new_with_seed (42);
  g_autoptr(GRand) b = g_rand_new_with_seed (42);
  GHashTable *modalities = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(RwTestStudy) x = rw_test_study_new_random (a);
      g_autoptr(RwTestStudy) y = rw_test_study_new_random (b);

      assert_study_fields_valid (x);
      /* The same seed gives the same studies. */
      g_assert_cmpstr (x->study_uid, ==, y->study_uid);
      g_assert_cmpstr (x->patient_name, ==, y->patient_name);
      g_hash_table_add (modalities, (gpointer) g_intern_string (x->modality));
    }
  g_assert_cmpuint (g_hash_table_size (modalities), ==, 4);
  g_hash_table_unref (modalities);
}

static void
test_sent_study (void)
{
  g_autoptr(GRand) rand = g_rand_new ();
  g_autoptr(RwTestStudy) study = rw_test_study_new_random (rand);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) series = NULL;
  g_autoptr(JsonNode) tags = NULL;
  g_autoptr(GBytes) aet = NULL;
  g_autofree char *id = NULL;
  g_autofree char *series_path = NULL;
  g_autofree char *tags_path = NULL;
  g_autofree char *aet_path = NULL;
  g_autofree char *patient_id = g_strdup_printf ("G%08x", g_random_int ());
  JsonObject *t;
  const char *instance;

  rw_test_study_set (&study->patient_id, patient_id);
  rw_test_study_set (&study->patient_name, "CONCEIÇÃO^JOÃO");
  rw_test_study_set (&study->modality, "MR");
  rw_test_study_set (&study->calling_aet, "RM_SALA2");
  study->n_series = 2;
  study->n_instances = 3;
  g_assert_true (rw_test_study_send (study, "127.0.0.1", rw_test_orthanc_get_dicom_port (orthanc),
                                     RW_TEST_ORTHANC_AET, &error));
  g_assert_no_error (error);

  id = lookup_study (study->study_uid);
  g_assert_nonnull (id);
  series_path = g_strdup_printf ("/studies/%s/series", id);
  series = get_json (series_path);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (series)), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *s = json_array_get_object_element (json_node_get_array (series), i);

      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s, "Instances")), ==, 3);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (s, "MainDicomTags"),
                                                      "Modality"), ==, "MR");
    }

  instance = json_array_get_string_element (
    json_object_get_array_member (json_array_get_object_element (json_node_get_array (series), 0),
                                  "Instances"), 0);
  tags_path = g_strdup_printf ("/instances/%s/simplified-tags", instance);
  tags = get_json (tags_path);
  t = json_node_get_object (tags);
  g_assert_cmpstr (json_object_get_string_member (t, "SpecificCharacterSet"), ==, "ISO_IR 192");
  g_assert_cmpstr (json_object_get_string_member (t, "PatientName"), ==, "CONCEIÇÃO^JOÃO");
  g_assert_cmpstr (json_object_get_string_member (t, "PatientID"), ==, patient_id);
  g_assert_cmpstr (json_object_get_string_member (t, "PatientAge"), ==, study->patient_age);
  g_assert_cmpstr (json_object_get_string_member (t, "AccessionNumber"), ==, study->accession_number);
  g_assert_cmpstr (json_object_get_string_member (t, "StudyDescription"), ==, study->study_description);
  g_assert_cmpstr (json_object_get_string_member (t, "ReferringPhysicianName"), ==, study->referring_physician);
  g_assert_cmpstr (json_object_get_string_member (t, "SOPClassUID"), ==, "1.2.840.10008.5.1.4.1.1.4");
  g_assert_cmpstr (json_object_get_string_member (t, "Rows"), ==, "64");
  g_assert_cmpstr (json_object_get_string_member (t, "Columns"), ==, "64");

  /* Sent under the modality's AE title, as a modality does. */
  aet_path = g_strdup_printf ("/instances/%s/metadata/RemoteAET", instance);
  aet = rw_test_orthanc_get (orthanc, aet_path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (aet, NULL), g_bytes_get_size (aet), "RM_SALA2", 8);
}

static gint64
count_studies (void)
{
  g_autoptr(JsonNode) stats = get_json ("/statistics");

  return json_object_get_int_member (json_node_get_object (stats), "CountStudies");
}

static void
test_make_studies (void)
{
  g_autofree char *program = g_build_filename (g_getenv ("RW_TEST_BUILDDIR"), "fixtures",
                                               "rw-make-studies", NULL);
  g_autofree char *port = g_strdup_printf ("%u", rw_test_orthanc_get_dicom_port (orthanc));
  g_autoptr(GSubprocess) good = NULL;
  g_autoptr(GSubprocess) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gint64 before = count_studies ();

  good = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program, "--count", "3",
                           "--port", port, "--aec", RW_TEST_ORTHANC_AET, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (good, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (good));
  g_assert_cmpint (count_studies (), ==, before + 3);
  {
    g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 3);
  }

  bad = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, program, "--count", "0", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (bad, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (bad), ==, 2);
}

static void
test_restart (void)
{
  g_autoptr(GRand) rand = g_rand_new ();
  g_autoptr(RwTestStudy) study = rw_test_study_new_random (rand);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup (rw_test_orthanc_get_url (orthanc));
  guint16 dicom_port = rw_test_orthanc_get_dicom_port (orthanc);
  g_autofree char *id = NULL;

  study->n_instances = 1;
  rw_test_study_send (study, "127.0.0.1", dicom_port, RW_TEST_ORTHANC_AET, &error);
  g_assert_no_error (error);

  rw_test_orthanc_restart (orthanc);
  g_assert_true (rw_test_orthanc_is_running (orthanc));
  g_assert_cmpstr (rw_test_orthanc_get_url (orthanc), ==, url);
  g_assert_cmpuint (rw_test_orthanc_get_dicom_port (orthanc), ==, dicom_port);
  /* Same storage: the study is still there. */
  id = lookup_study (study->study_uid);
  g_assert_nonnull (id);

  rw_test_orthanc_stop (orthanc);
  g_assert_false (rw_test_orthanc_is_running (orthanc));
  g_assert_false (rw_test_wait_for_port (rw_test_orthanc_get_http_port (orthanc), 100));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(JsonNode) radiweb = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/orthanc-fixture/config", test_config);
  g_test_add_func ("/orthanc-fixture/random-studies", test_random_studies);
  g_test_add_func ("/orthanc-fixture/sent-study", test_sent_study);
  g_test_add_func ("/orthanc-fixture/make-studies", test_make_studies);
  /* Last: it stops Orthanc. */
  g_test_add_func ("/orthanc-fixture/restart", test_restart);

  orthanc = rw_test_orthanc_new ();
  rw_test_orthanc_add_plugin (orthanc, "/usr/share/orthanc/plugins/libServeFolders.so");
  radiweb = rw_json_parse ("{\"WebhookUrl\":\"http://127.0.0.1:9/webhook/dicom\",\"WebhookSecret\":\"s\"}",
                           -1, &error);
  g_assert_no_error (error);
  rw_test_orthanc_set_config (orthanc, "Radiweb", radiweb);
  rw_test_orthanc_start (orthanc);

  status = g_test_run ();

  rw_test_orthanc_free (orthanc);
  return status;
}
