/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Orthanc client against a real Orthanc (one for the whole program;
 * each test uses its own patients), and against stand-ins for what a real
 * Orthanc never does: answer garbage, or never answer. */
#include "config.h"

#include <libsoup/soup.h>
#include <locale.h>
#include <string.h>

#include "rw-orthanc-client.h"
#include "rw-viewer-url.h"
#include "rw-test-orthanc.h"
#include "rw-test-studies.h"
#include "rw-test-util.h"

static RwTestOrthanc *orthanc;
static GRand *rand_source;

static RwOrthancClient *
new_client (void)
{
  g_autoptr(GError) error = NULL;
  RwOrthancClient *client = rw_orthanc_client_new (rw_test_orthanc_get_url (orthanc),
                                                   rw_test_orthanc_get_username (orthanc),
                                                   rw_test_orthanc_get_password (orthanc),
                                                   &error);

  g_assert_no_error (error);
  return client;
}

/* A study of a patient no other test uses. */
static RwTestStudy *
new_study (const char *modality)
{
  RwTestStudy *study = rw_test_study_new_random (rand_source);
  g_autofree char *patient_id = g_strdup_printf ("T%08x", g_random_int ());

  rw_test_study_set (&study->patient_id, patient_id);
  if (modality != NULL)
    rw_test_study_set (&study->modality, modality);
  return study;
}

static void
send_study (RwTestStudy *study)
{
  g_autoptr(GError) error = NULL;

  rw_test_study_send (study, "127.0.0.1", rw_test_orthanc_get_dicom_port (orthanc),
                      RW_TEST_ORTHANC_AET, &error);
  g_assert_no_error (error);
}

static GPtrArray *
find (RwOrthancClient      *client,
      const RwOrthancQuery *query,
      GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_orthanc_client_find_studies_async (client, query, NULL, rw_test_async_ready, &result);
  return rw_orthanc_client_find_studies_finish (client, rw_test_await (&result), error);
}

static RwExam *
find_one (RwOrthancClient *client,
          const char      *patient_id)
{
  g_autoptr(GError) error = NULL;
  RwOrthancQuery query = { .patient_id = patient_id };
  g_autoptr(GPtrArray) exams = find (client, &query, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (exams->len, ==, 1);
  return g_object_ref (g_ptr_array_index (exams, 0));
}

static RwExam *
get_study (RwOrthancClient *client,
           const char      *id,
           GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_orthanc_client_get_study_async (client, id, NULL, rw_test_async_ready, &result);
  return rw_orthanc_client_get_study_finish (client, rw_test_await (&result), error);
}

static RwOrthancSystem *
check (RwOrthancClient *client,
       GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_orthanc_client_check_async (client, NULL, rw_test_async_ready, &result);
  return rw_orthanc_client_check_finish (client, rw_test_await (&result), error);
}

/* Every error message names the PACS and the request, and never a
 * password. */
static void
assert_message (const GError *error,
                const char   *host,
                const char   *path)
{
  g_assert_nonnull (strstr (error->message, host));
  if (path != NULL)
    g_assert_nonnull (strstr (error->message, path));
  g_assert_null (strstr (error->message, rw_test_orthanc_get_password (orthanc)));
  g_assert_null (strstr (error->message, "wrong-secret"));
}

static char *
orthanc_host (void)
{
  return g_strdup_printf ("127.0.0.1:%u", rw_test_orthanc_get_http_port (orthanc));
}

/* Tests */

static void
test_check (void)
{
  g_autoptr(RwOrthancClient) client = new_client ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RwOrthancSystem) system = check (client, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (system->version, !=, "");
  g_assert_cmpstr (system->name, ==, "radiweb-test");
  g_assert_cmpstr (system->dicom_aet, ==, RW_TEST_ORTHANC_AET);
  g_assert_cmpuint (system->dicom_port, ==, rw_test_orthanc_get_dicom_port (orthanc));
  g_assert_cmpuint (system->api_version, >, 0);
}

static void
test_wrong_password (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = orthanc_host ();
  g_autoptr(RwOrthancClient) client =
    rw_orthanc_client_new (rw_test_orthanc_get_url (orthanc), rw_test_orthanc_get_username (orthanc),
                           "wrong-secret", &error);
  g_autoptr(RwOrthancSystem) system = NULL;
  g_autoptr(GPtrArray) exams = NULL;
  RwOrthancQuery query = { .patient_id = "X" };

  g_assert_no_error (error);
  system = check (client, &error);
  g_assert_null (system);
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_UNAUTHORIZED);
  assert_message (error, host, "GET /system");
  g_clear_error (&error);

  exams = find (client, &query, &error);
  g_assert_null (exams);
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_UNAUTHORIZED);
  assert_message (error, host, "POST /tools/find");
}

static void
test_unreachable (void)
{
  g_autoptr(GError) error = NULL;
  guint16 port = rw_test_free_port ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr(RwOrthancClient) client = rw_orthanc_client_new (url, "u", "wrong-secret", &error);
  g_autoptr(RwOrthancSystem) system = NULL;

  g_assert_no_error (error);
  system = check (client, &error);
  g_assert_null (system);
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_UNREACHABLE);
  assert_message (error, host, "GET /system");
}

static void
test_bad_url (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwOrthancClient) client = rw_orthanc_client_new ("http://u:wrong-secret@127.0.0.1:1/", "u",
                                                             "p", &error);

  g_assert_null (client);
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, "wrong-secret"));
}

static void
test_find (void)
{
  g_autoptr(RwOrthancClient) client = new_client ();
  g_autoptr(RwTestStudy) ct = new_study ("CT");
  g_autoptr(RwTestStudy) mr = new_study ("MR");
  g_autoptr(RwTestStudy) us = new_study ("US");
  g_autoptr(GError) error = NULL;
  g_autofree char *family = g_strdup_printf ("FAMÍLIA%08X", g_random_int ());
  g_autofree char *name = g_strdup_printf ("%s^MARIA DA CONCEIÇÃO", family);
  g_autofree char *lower = g_ascii_strdown (family, -1);
  g_autofree char *pattern = g_strdup_printf ("%s*", lower);
  g_autofree char *accession = g_strdup_printf ("ACC%08X", g_random_int ());
  g_autoptr(GPtrArray) exams = NULL;
  RwExam *exam;
  RwPatient *patient;

  /* One patient, three studies on three days. */
  rw_test_study_set (&mr->patient_id, ct->patient_id);
  rw_test_study_set (&us->patient_id, ct->patient_id);
  rw_test_study_set (&ct->patient_name, name);
  rw_test_study_set (&mr->patient_name, name);
  rw_test_study_set (&us->patient_name, name);
  rw_test_study_set (&ct->study_date, "20240110");
  rw_test_study_set (&ct->study_time, "101500");
  rw_test_study_set (&mr->study_date, "20240115");
  rw_test_study_set (&us->study_date, "20240120");
  rw_test_study_set (&ct->accession_number, accession);
  rw_test_study_set (&ct->study_description, "TC ABDOME TOTAL");
  rw_test_study_set (&ct->patient_birth_date, "19800515");
  rw_test_study_set (&ct->patient_age, "043Y");
  rw_test_study_set (&ct->patient_sex, "F");
  ct->n_series = 2;
  ct->n_instances = 3;
  send_study (ct);
  send_study (mr);
  send_study (us);

  {
    RwOrthancQuery query = { .patient_id = ct->patient_id };

    exams = find (client, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (exams->len, ==, 3);
    /* Newest first. */
    g_assert_cmpstr (rw_exam_get_modality (g_ptr_array_index (exams, 0)), ==, "US");
    g_assert_cmpstr (rw_exam_get_modality (g_ptr_array_index (exams, 1)), ==, "MR");
    exam = g_ptr_array_index (exams, 2);
    g_assert_cmpstr (rw_exam_get_study_uid (exam), ==, ct->study_uid);
    g_assert_cmpstr (rw_exam_get_modality (exam), ==, "CT");
    g_assert_cmpstr (rw_exam_get_accession_number (exam), ==, accession);
    g_assert_cmpstr (rw_exam_get_description (exam), ==, "TC ABDOME TOTAL");
    g_assert_cmpstr (rw_exam_get_study_date (exam), ==, "2024-01-10");
    g_assert_cmpstr (rw_exam_get_study_time (exam), ==, "10:15:00");
    g_assert_cmpstr (rw_exam_get_referring_physician (exam), ==, ct->referring_physician);
    g_assert_cmpuint (rw_exam_get_series_count (exam), ==, 2);
    g_assert_cmpuint (rw_exam_get_instance_count (exam), ==, 6);
    g_assert_cmpuint (rw_exam_get_series (exam)->len, ==, 2);
    g_assert_cmpuint (strlen (rw_exam_get_orthanc_id (exam)), ==, 44);
    g_assert_true (g_str_has_prefix (rw_exam_get_stone_viewer_url (exam), rw_test_orthanc_get_url (orthanc)));
    patient = rw_exam_get_patient (exam);
    g_assert_cmpstr (rw_patient_get_name (patient), ==, name);
    g_assert_cmpstr (rw_patient_get_patient_id (patient), ==, ct->patient_id);
    g_assert_cmpstr (rw_patient_get_birth_date (patient), ==, "1980-05-15");
    g_assert_cmpstr (rw_patient_get_sex (patient), ==, "F");
    /* /tools/find does not carry PatientAge: computed from the dates. */
    g_assert_cmpstr (rw_patient_get_age (patient), ==, "043Y");
    g_clear_pointer (&exams, g_ptr_array_unref);
  }

  {
    /* Wildcards, and names regardless of case. */
    RwOrthancQuery query = { .patient_name = pattern };

    exams = find (client, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (exams->len, ==, 3);
    g_clear_pointer (&exams, g_ptr_array_unref);
  }

  {
    RwOrthancQuery query = { .accession_number = accession };

    exams = find (client, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (exams->len, ==, 1);
    g_assert_cmpstr (rw_exam_get_study_uid (g_ptr_array_index (exams, 0)), ==, ct->study_uid);
    g_clear_pointer (&exams, g_ptr_array_unref);
  }

  {
    RwOrthancQuery query = { .patient_id = ct->patient_id, .study_date_from = "2024-01-11",
                             .study_date_to = "2024-01-20" };

    exams = find (client, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (exams->len, ==, 2);
    g_clear_pointer (&exams, g_ptr_array_unref);
  }

  {
    RwOrthancQuery query = { .patient_id = ct->patient_id, .study_date_to = "2024-01-15" };

    exams = find (client, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (exams->len, ==, 2);
    g_clear_pointer (&exams, g_ptr_array_unref);
  }

  {
    RwOrthancQuery query = { .patient_id = ct->patient_id, .modality = "MR" };

    exams = find (client, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (exams->len, ==, 1);
    g_assert_cmpstr (rw_exam_get_modality (g_ptr_array_index (exams, 0)), ==, "MR");
    g_clear_pointer (&exams, g_ptr_array_unref);
  }

  {
    RwOrthancQuery query = { .patient_id = ct->patient_id, .limit = 2 };

    exams = find (client, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (exams->len, ==, 2);
    g_clear_pointer (&exams, g_ptr_array_unref);
  }

  {
    RwOrthancQuery query = { .patient_id = ct->patient_id, .modality = "CR" };

    exams = find (client, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (exams->len, ==, 0);
    g_clear_pointer (&exams, g_ptr_array_unref);
  }
}

static void
test_find_bad_criteria (void)
{
  g_autoptr(RwOrthancClient) client = new_client ();
  const RwOrthancQuery queries[] = {
    { .study_date_from = "10/01/2024" },
    { .study_date_to = "2024-02-30" },
    { .patient_id = "A\\B" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) exams = find (client, &queries[i], &error);

      g_assert_null (exams);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_study_details (void)
{
  g_autoptr(RwOrthancClient) client = new_client ();
  g_autoptr(RwTestStudy) study = new_study ("CT");
  g_autoptr(RwExam) found = NULL;
  g_autoptr(RwExam) exam = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) stats_result = NULL;
  g_autoptr(GAsyncResult) preview_result = NULL;
  g_autoptr(GBytes) png = NULL;
  RwOrthancStatistics stats;
  RwSeries *first;
  const guint8 *data;
  gsize len;

  /* An age that the dates would not give: it must come from the image. */
  rw_test_study_set (&study->patient_birth_date, "19800515");
  rw_test_study_set (&study->study_date, "20240101");
  rw_test_study_set (&study->patient_age, "042Y");
  rw_test_study_set (&study->patient_name, "CONCEIÇÃO^JOÃO");
  study->n_series = 2;
  study->n_instances = 2;
  send_study (study);

  found = find_one (client, study->patient_id);
  exam = get_study (client, rw_exam_get_orthanc_id (found), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rw_exam_get_study_uid (exam), ==, study->study_uid);
  g_assert_cmpstr (rw_patient_get_name (rw_exam_get_patient (exam)), ==, "CONCEIÇÃO^JOÃO");
  g_assert_cmpstr (rw_patient_get_age (rw_exam_get_patient (exam)), ==, "042Y");
  g_assert_cmpstr (rw_exam_get_modality (exam), ==, "CT");
  g_assert_cmpuint (rw_exam_get_instance_count (exam), ==, 4);
  g_assert_cmpuint (rw_exam_get_series (exam)->len, ==, 2);
  first = g_ptr_array_index (rw_exam_get_series (exam), 0);
  g_assert_cmpuint (rw_series_get_instance_count (first), ==, 2);
  g_assert_true (g_str_has_prefix (rw_series_get_series_uid (first), study->study_uid));

  rw_orthanc_client_get_statistics_async (client, rw_exam_get_orthanc_id (exam), NULL,
                                          rw_test_async_ready, &stats_result);
  g_assert_true (rw_orthanc_client_get_statistics_finish (client, rw_test_await (&stats_result),
                                                          &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.count_series, ==, 2);
  g_assert_cmpuint (stats.count_instances, ==, 4);
  g_assert_cmpuint (stats.disk_size, >, 4 * 64 * 64 * 2);
  g_assert_cmpuint (stats.uncompressed_size, >=, stats.disk_size);

  rw_orthanc_client_get_preview_async (client, rw_series_get_first_instance_id (first), NULL,
                                       rw_test_async_ready, &preview_result);
  png = rw_orthanc_client_get_preview_finish (client, rw_test_await (&preview_result), &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (png, &len);
  g_assert_cmpuint (len, >, 24);
  /* IHDR: width and height, big-endian, at bytes 16 and 20. */
  g_assert_cmpmem (data + 12, 4, "IHDR", 4);
  g_assert_cmpuint ((data[16] << 24) | (data[17] << 16) | (data[18] << 8) | data[19], ==, 64);
  g_assert_cmpuint ((data[20] << 24) | (data[21] << 16) | (data[22] << 8) | data[23], ==, 64);

  /* The addresses built for this Orthanc lead somewhere real: the Orthanc
   * Web Viewer's page for the first series, and the payload's REST URL. */
  {
    const char *base = rw_test_orthanc_get_url (orthanc);
    g_autofree char *viewer = rw_viewer_url_for_exam (RW_VIEWER_ORTHANC_WEB_VIEWER, base, NULL, exam, &error);
    g_autofree char *rest = rw_viewer_url_rest_study (base, rw_exam_get_orthanc_id (exam));
    g_autoptr(GBytes) page = NULL;
    g_autoptr(GBytes) study_json = NULL;

    g_assert_no_error (error);
    g_assert_true (g_str_has_suffix (viewer, rw_series_get_orthanc_id (first)));
    page = rw_test_orthanc_get (orthanc, viewer + strlen (base), &error);
    g_assert_no_error (error);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (page, NULL), g_bytes_get_size (page), "<html"));
    study_json = rw_test_orthanc_get (orthanc, rest + strlen (base), &error);
    g_assert_no_error (error);
  }
}

static void
test_not_found (void)
{
  g_autoptr(RwOrthancClient) client = new_client ();
  g_autofree char *host = orthanc_host ();
  const char *unknown = "0123abcd-0123abcd-0123abcd-0123abcd-0123abcd";
  const char *malformed[] = { "../system", "", "ABC?x=1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = NULL;

  exam = get_study (client, unknown, &error);
  g_assert_null (exam);
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
  assert_message (error, host, "GET /studies/");
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      exam = get_study (client, malformed[i], &error);
      g_assert_null (exam);
      g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GBytes) png = NULL;

    rw_orthanc_client_get_preview_async (client, unknown, NULL, rw_test_async_ready, &result);
    png = rw_orthanc_client_get_preview_finish (client, rw_test_await (&result), &error);
    g_assert_null (png);
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    RwOrthancStatistics stats;

    rw_orthanc_client_get_statistics_async (client, unknown, NULL, rw_test_async_ready, &result);
    g_assert_false (rw_orthanc_client_get_statistics_finish (client, rw_test_await (&result),
                                                             &stats, &error));
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    rw_orthanc_client_delete_study_async (client, unknown, NULL, rw_test_async_ready, &result);
    g_assert_false (rw_orthanc_client_delete_study_finish (client, rw_test_await (&result), &error));
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *id = NULL;

    rw_orthanc_client_anonymize_study_async (client, unknown, TRUE, NULL, rw_test_async_ready, &result);
    id = rw_orthanc_client_anonymize_study_finish (client, rw_test_await (&result), &error);
    g_assert_null (id);
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
  }
}

static GPtrArray *
priors (RwOrthancClient *client,
        const char      *patient_id,
        GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_orthanc_client_find_priors_async (client, patient_id, NULL, rw_test_async_ready, &result);
  return rw_orthanc_client_find_priors_finish (client, rw_test_await (&result), error);
}

static void
test_priors (void)
{
  g_autoptr(RwOrthancClient) client = new_client ();
  g_autoptr(RwTestStudy) old = new_study ("CR");
  g_autoptr(RwTestStudy) recent = new_study ("MR");
  g_autoptr(GPtrArray) exams = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_strdup_printf ("%s*", old->patient_id);
  RwExam *exam;

  rw_test_study_set (&recent->patient_id, old->patient_id);
  rw_test_study_set (&old->study_date, "20230105");
  rw_test_study_set (&old->study_description, "RX TÓRAX PA E PERFIL");
  rw_test_study_set (&recent->study_date, "20240105");
  rw_test_study_set (&recent->study_description, "RM CRÂNIO");
  send_study (old);
  send_study (recent);

  exams = priors (client, old->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exams->len, ==, 2);
  exam = g_ptr_array_index (exams, 0);
  g_assert_cmpstr (rw_exam_get_study_uid (exam), ==, recent->study_uid);
  /* includefield brings the description, which QIDO-RS leaves out. */
  g_assert_cmpstr (rw_exam_get_description (exam), ==, "RM CRÂNIO");
  g_assert_cmpstr (rw_exam_get_modality (exam), ==, "MR");
  g_assert_cmpstr (rw_exam_get_study_date (exam), ==, "2024-01-05");
  g_assert_cmpuint (rw_exam_get_series_count (exam), ==, recent->n_series);
  g_assert_cmpstr (rw_patient_get_patient_id (rw_exam_get_patient (exam)), ==, old->patient_id);
  exam = g_ptr_array_index (exams, 1);
  g_assert_cmpstr (rw_exam_get_description (exam), ==, "RX TÓRAX PA E PERFIL");
  g_assert_cmpstr (rw_exam_get_modality (exam), ==, "CR");

  /* A wildcard in a patient id is not a wildcard. */
  none = priors (client, other, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_changes (void)
{
  g_autoptr(RwOrthancClient) client = new_client ();
  g_autoptr(RwTestStudy) study = new_study (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(RwOrthancChanges) changes = NULL;
  g_autoptr(GError) error = NULL;
  gint64 previous = 0;

  send_study (study);
  rw_orthanc_client_get_changes_async (client, 0, 3, NULL, rw_test_async_ready, &result);
  changes = rw_orthanc_client_get_changes_finish (client, rw_test_await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->changes->len, ==, 3);
  g_assert_false (changes->done);
  for (guint i = 0; i < changes->changes->len; i++)
    {
      RwOrthancChange *change = g_ptr_array_index (changes->changes, i);

      g_assert_cmpint (change->seq, >, previous);
      previous = change->seq;
      g_assert_cmpstr (change->change_type, !=, "");
      g_assert_cmpstr (change->resource_type, !=, "");
      g_assert_cmpuint (strlen (change->id), ==, 44);
    }
  g_assert_cmpint (changes->last, ==, previous);
}

static void
test_anonymize_and_delete (void)
{
  g_autoptr(RwOrthancClient) client = new_client ();
  g_autoptr(RwTestStudy) keep = new_study ("US");
  g_autoptr(RwTestStudy) replace = new_study ("CR");
  g_autoptr(RwExam) kept = NULL;
  g_autoptr(RwExam) replaced = NULL;
  g_autoptr(RwExam) copy = NULL;
  g_autoptr(RwExam) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *copy_id = NULL;
  g_autofree char *new_id = NULL;

  send_study (keep);
  send_study (replace);
  kept = find_one (client, keep->patient_id);
  replaced = find_one (client, replace->patient_id);

  {
    g_autoptr(GAsyncResult) result = NULL;

    rw_orthanc_client_anonymize_study_async (client, rw_exam_get_orthanc_id (kept), TRUE, NULL,
                                             rw_test_async_ready, &result);
    copy_id = rw_orthanc_client_anonymize_study_finish (client, rw_test_await (&result), &error);
    g_assert_no_error (error);
  }
  g_assert_cmpstr (copy_id, !=, rw_exam_get_orthanc_id (kept));
  copy = get_study (client, copy_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rw_patient_get_patient_id (rw_exam_get_patient (copy)), !=, keep->patient_id);
  g_assert_cmpstr (rw_patient_get_name (rw_exam_get_patient (copy)), !=, keep->patient_name);
  g_assert_cmpstr (rw_exam_get_study_uid (copy), !=, keep->study_uid);
  /* KeepSource: the original is still there. */
  g_clear_object (&gone);
  gone = get_study (client, rw_exam_get_orthanc_id (kept), &error);
  g_assert_no_error (error);

  {
    g_autoptr(GAsyncResult) result = NULL;

    rw_orthanc_client_anonymize_study_async (client, rw_exam_get_orthanc_id (replaced), FALSE, NULL,
                                             rw_test_async_ready, &result);
    new_id = rw_orthanc_client_anonymize_study_finish (client, rw_test_await (&result), &error);
    g_assert_no_error (error);
  }
  g_clear_object (&gone);
  gone = get_study (client, rw_exam_get_orthanc_id (replaced), &error);
  g_assert_null (gone);
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* And delete the anonymized copy. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    rw_orthanc_client_delete_study_async (client, copy_id, NULL, rw_test_async_ready, &result);
    g_assert_true (rw_orthanc_client_delete_study_finish (client, rw_test_await (&result), &error));
    g_assert_no_error (error);
  }
  gone = get_study (client, copy_id, &error);
  g_assert_null (gone);
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/orthanc-client/check", test_check);
  g_test_add_func ("/orthanc-client/wrong-password", test_wrong_password);
  g_test_add_func ("/orthanc-client/unreachable", test_unreachable);
  g_test_add_func ("/orthanc-client/bad-url", test_bad_url);
  g_test_add_func ("/orthanc-client/find", test_find);
  g_test_add_func ("/orthanc-client/find-bad-criteria", test_find_bad_criteria);
  g_test_add_func ("/orthanc-client/study-details", test_study_details);
  g_test_add_func ("/orthanc-client/not-found", test_not_found);
  g_test_add_func ("/orthanc-client/priors", test_priors);
  g_test_add_func ("/orthanc-client/changes", test_changes);
  g_test_add_func ("/orthanc-client/anonymize-and-delete", test_anonymize_and_delete);

  /* One Orthanc for the program: every test works on patients of its
   * own, so they do not see each other's studies. */
  orthanc = rw_test_orthanc_new ();
  rw_test_orthanc_start (orthanc);
  rand_source = g_rand_new ();

  status = g_test_run ();

  g_rand_free (rand_source);
  rw_test_orthanc_free (orthanc);
  return status;
}
