/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rw-orthanc-client.h"
#include "rw-test-orthanc.h"
#include "rw-test-studies.h"
#include "rw-test-util.h"

/* What the reading view asks of a real Orthanc besides studies: the
 * plugins it runs (to tell a missing viewer), and the Orthanc id of a
 * study known only by its StudyInstanceUID (a prior found by QIDO-RS). */

static RwTestOrthanc *orthanc;

static RwOrthancClient *
new_client (const char *password)
{
  g_autoptr(GError) error = NULL;
  RwOrthancClient *client = rw_orthanc_client_new (rw_test_orthanc_get_url (orthanc),
                                                   rw_test_orthanc_get_username (orthanc), password, &error);

  g_assert_no_error (error);
  return client;
}

static void
test_plugins (void)
{
  g_autoptr(RwOrthancClient) client = new_client (rw_test_orthanc_get_password (orthanc));
  g_autoptr(RwOrthancClient) wrong = new_client ("senha-errada");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) plugins = NULL;

  rw_orthanc_client_list_plugins_async (client, NULL, rw_test_async_ready, &result);
  plugins = rw_orthanc_client_list_plugins_finish (client, rw_test_await (&result), &error);
  g_assert_no_error (error);
  /* The test Orthanc runs DICOMweb and the Orthanc Web Viewer, not Stone. */
  g_assert_true (g_strv_contains ((const char * const *) plugins, "web-viewer"));
  g_assert_true (g_strv_contains ((const char * const *) plugins, "dicom-web"));
  g_assert_false (g_strv_contains ((const char * const *) plugins, "stone-webviewer"));

  g_clear_object (&result);
  rw_orthanc_client_list_plugins_async (wrong, NULL, rw_test_async_ready, &result);
  g_assert_null (rw_orthanc_client_list_plugins_finish (wrong, rw_test_await (&result), &error));
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_UNAUTHORIZED);
}

static char *
lookup (RwOrthancClient  *client,
        const char       *uid,
        GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_orthanc_client_lookup_study_async (client, uid, NULL, rw_test_async_ready, &result);
  return rw_orthanc_client_lookup_study_finish (client, rw_test_await (&result), error);
}

static void
test_lookup (void)
{
  g_autoptr(RwOrthancClient) client = new_client (rw_test_orthanc_get_password (orthanc));
  g_autoptr(GRand) rand = g_rand_new ();
  g_autoptr(RwTestStudy) study = rw_test_study_new_random (rand);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) found = NULL;

  g_assert_true (rw_test_study_send (study, "127.0.0.1", rw_test_orthanc_get_dicom_port (orthanc),
                                     RW_TEST_ORTHANC_AET, &error));
  g_assert_no_error (error);

  id = lookup (client, study->study_uid, &error);
  g_assert_no_error (error);
  path = g_strdup_printf ("/studies/%s", id);
  found = rw_test_orthanc_get_json (orthanc, path);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (found), "MainDicomTags"),
                                                  "StudyInstanceUID"), ==, study->study_uid);

  /* A UID the PACS does not have; and what cannot be a UID at all never
   * reaches Orthanc. */
  g_assert_null (lookup (client, "1.2.3.4.5.6.7.8.9", &error));
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (lookup (client, "1.2.3\\*", &error));
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  orthanc = rw_test_orthanc_new ();
  rw_test_orthanc_start (orthanc);

  g_test_add_func ("/orthanc-tools/plugins", test_plugins);
  g_test_add_func ("/orthanc-tools/lookup", test_lookup);

  status = g_test_run ();
  rw_test_orthanc_free (orthanc);
  return status;
}
