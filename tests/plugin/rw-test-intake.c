/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-json.h"
#include "rw-orthanc-client.h"
#include "rw-viewer-url.h"
#include "rw-test-intake.h"
#include "rw-test-util.h"

#define USERNAME RW_TEST_INTAKE_USERNAME
#define PASSWORD RW_TEST_INTAKE_PASSWORD

static JsonNode *
radiweb_section (RwTestIntake      *self,
                 RwTestIntakeFlags  flags,
                 JsonObject        *base)
{
  g_autoptr(JsonObject) section = json_object_new ();
  g_autoptr(JsonArray) schedule = json_array_new ();
  g_autofree char *webhook_url = g_strconcat (rw_test_server_get_url (self->server),
                                              flags & RW_TEST_INTAKE_WRONG_PATH ? "/webhook/dicon"
                                                                                : "/webhook/dicom",
                                              NULL);
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_boolean_member (section, "Enabled", !(flags & RW_TEST_INTAKE_PLUGIN_DISABLED));
  json_object_set_string_member (section, "PublicUrl", RW_TEST_INTAKE_PUBLIC_URL);
  if (base != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, base);
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (section, name, json_node_copy (value));
    }
  json_object_set_string_member (section, "WebhookUrl", webhook_url);
  json_object_set_string_member (section, "WebhookSecret", self->plugin_secret);
  json_object_set_int_member (section, "Timeout", 5);
  json_array_add_double_element (schedule, 0.2);
  json_array_add_double_element (schedule, 0.5);
  json_array_add_double_element (schedule, 1.0);
  json_object_set_array_member (section, "RetrySchedule", g_steal_pointer (&schedule));
  json_node_set_object (node, section);
  return node;
}

RwTestIntake *
rw_test_intake_new (RwTestIntakeFlags flags)
{
  return rw_test_intake_new_with_config (flags, NULL);
}

RwTestIntake *
rw_test_intake_new_with_config (RwTestIntakeFlags  flags,
                                JsonObject        *orthanc_config)
{
  RwTestIntake *self = g_new0 (RwTestIntake, 1);
  const char *plugin = g_getenv ("RW_PLUGIN_PATH");
  g_autoptr(JsonNode) section = NULL;
  JsonObject *base = NULL;

  if (plugin == NULL)
    g_error ("RW_PLUGIN_PATH is not set: run the tests through meson");

  self->rand = g_rand_new ();
  self->server = rw_test_server_new ();
  rw_test_server_add_user (self->server, USERNAME, PASSWORD, "radiologist", "Dra. Ana Souza", "CRM/SP 123456");
  self->plugin_secret = g_strdup (flags & RW_TEST_INTAKE_WRONG_SECRET ? "not-the-server-secret-42"
                                                                      : rw_test_server_get_secret (self->server));

  self->orthanc = rw_test_orthanc_new ();
  rw_test_orthanc_add_plugin (self->orthanc, plugin);
  if (orthanc_config != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, orthanc_config);
      while (json_object_iter_next (&iter, &name, &value))
        if (g_strcmp0 (name, "Radiweb") != 0)
          rw_test_orthanc_set_config (self->orthanc, name, value);
      if (json_object_has_member (orthanc_config, "Radiweb"))
        base = json_object_get_object_member (orthanc_config, "Radiweb");
    }
  section = radiweb_section (self, flags, base);
  rw_test_orthanc_set_config (self->orthanc, "Radiweb", section);

  rw_test_orthanc_start (self->orthanc);
  if (!(flags & RW_TEST_INTAKE_NO_CATCHUP))
    {
      rw_test_server_set_config (self->server, "orthanc", "url", rw_test_orthanc_get_url (self->orthanc));
      rw_test_server_set_config (self->server, "orthanc", "username", rw_test_orthanc_get_username (self->orthanc));
      rw_test_server_set_config (self->server, "orthanc", "password", rw_test_orthanc_get_password (self->orthanc));
      rw_test_server_set_config (self->server, "orthanc", "public_url", RW_TEST_INTAKE_PUBLIC_URL);
      rw_test_server_set_config (self->server, "orthanc", "poll_interval", "1");
    }
  if (!(flags & RW_TEST_INTAKE_SERVER_STOPPED))
    rw_test_intake_start_server (self);
  return self;
}

void
rw_test_intake_start_server (RwTestIntake *self)
{
  rw_test_server_start (self->server);
  g_free (self->token);
  self->token = rw_test_server_login (self->server, USERNAME, PASSWORD);
}

void
rw_test_intake_free (RwTestIntake *self)
{
  if (self == NULL)
    return;
  /* Orthanc first: its plugin would otherwise retry against a server
   * that is going away. */
  rw_test_orthanc_free (self->orthanc);
  rw_test_server_free (self->server);
  g_free (self->plugin_secret);
  g_free (self->token);
  g_rand_free (self->rand);
  g_free (self);
}

RwTestStudy *
rw_test_intake_new_study (RwTestIntake *self)
{
  RwTestStudy *study = rw_test_study_new_random (self->rand);

  study->n_series = 1;
  study->n_instances = 1;
  return study;
}

void
rw_test_intake_send (RwTestIntake      *self,
                     const RwTestStudy *study)
{
  g_autoptr(GError) error = NULL;

  rw_test_study_send (study, "127.0.0.1", rw_test_orthanc_get_dicom_port (self->orthanc),
                      RW_TEST_ORTHANC_AET, &error);
  g_assert_no_error (error);
}

typedef struct {
  RwTestIntake *intake;
  GPtrArray    *studies;
  guint         first;
  guint         step;
  guint         failures;
} Sender;

static gpointer
send_thread (gpointer data)
{
  Sender *sender = data;

  for (guint i = sender->first; i < sender->studies->len; i += sender->step)
    {
      g_autoptr(GError) error = NULL;

      if (!rw_test_study_send (g_ptr_array_index (sender->studies, i), "127.0.0.1",
                               rw_test_orthanc_get_dicom_port (sender->intake->orthanc),
                               RW_TEST_ORTHANC_AET, &error))
        {
          g_printerr ("# study %u not sent: %s\n", i, error->message);
          sender->failures++;
        }
    }
  return NULL;
}

void
rw_test_intake_send_parallel (RwTestIntake *self,
                              GPtrArray    *studies,
                              guint         n_senders)
{
  g_autofree Sender *senders = g_new0 (Sender, n_senders);
  g_autofree GThread **threads = g_new0 (GThread *, n_senders);

  for (guint i = 0; i < n_senders; i++)
    {
      senders[i].intake = self;
      senders[i].studies = studies;
      senders[i].first = i;
      senders[i].step = n_senders;
      threads[i] = g_thread_new ("sender", send_thread, &senders[i]);
    }
  for (guint i = 0; i < n_senders; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (senders[i].failures, ==, 0);
    }
}

JsonArray *
rw_test_intake_list_exams (RwTestIntake *self)
{
  g_autoptr(JsonNode) response = NULL;
  JsonArray *exams = NULL;
  guint status;

  status = rw_test_server_request (self->server, "GET", "/api/exams?limit=1000", self->token,
                                   NULL, NULL, 0, &response);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (rw_json_get_array (json_node_get_object (response), "exams", RW_JSON_REQUIRED,
                                    &exams, NULL));
  return json_array_ref (exams);
}

static RwExam *
find_exam (RwTestIntake *self,
           const char   *study_uid)
{
  g_autoptr(JsonArray) exams = rw_test_intake_list_exams (self);

  for (guint i = 0; i < json_array_get_length (exams); i++)
    {
      JsonObject *object = json_array_get_object_element (exams, i);

      if (g_strcmp0 (json_object_get_string_member (object, "study_uid"), study_uid) == 0)
        {
          g_autoptr(GError) error = NULL;
          RwExam *exam = rw_exam_new_from_api (object, &error);

          g_assert_no_error (error);
          return exam;
        }
    }
  return NULL;
}

RwExam *
rw_test_intake_wait_for_exam (RwTestIntake *self,
                              const char   *study_uid,
                              guint         timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      RwExam *exam = find_exam (self, study_uid);

      if (exam != NULL || g_get_monotonic_time () >= deadline)
        return exam;
      g_usleep (20 * 1000);
    }
}

gboolean
rw_test_intake_wait_for_count (RwTestIntake *self,
                               guint         n,
                               guint         timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(JsonArray) exams = rw_test_intake_list_exams (self);

      if (json_array_get_length (exams) >= n)
        return json_array_get_length (exams) == n;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (50 * 1000);
    }
}

static RwExam *
orthanc_study (RwTestIntake *self,
               const char   *orthanc_id)
{
  g_autoptr(RwOrthancClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RwExam *exam;

  client = rw_orthanc_client_new (rw_test_orthanc_get_url (self->orthanc),
                                  rw_test_orthanc_get_username (self->orthanc),
                                  rw_test_orthanc_get_password (self->orthanc), &error);
  g_assert_no_error (error);
  rw_orthanc_client_get_study_async (client, orthanc_id, NULL, rw_test_async_ready, &result);
  exam = rw_orthanc_client_get_study_finish (client, rw_test_await (&result), &error);
  g_assert_no_error (error);
  return exam;
}

static char *
iso_date (const char *dicom)
{
  return g_strdup_printf ("%.4s-%.2s-%.2s", dicom, dicom + 4, dicom + 6);
}

void
rw_test_intake_assert_exam (RwTestIntake      *self,
                            RwExam            *exam,
                            const RwTestStudy *study)
{
  g_autofree char *orthanc_id = rw_test_intake_orthanc_id (study);
  g_autoptr(RwExam) expected = orthanc_study (self, orthanc_id);
  g_autofree char *study_date = iso_date (study->study_date);
  g_autofree char *birth_date = iso_date (study->patient_birth_date);
  g_autofree char *stone = rw_viewer_url_stone (RW_TEST_INTAKE_PUBLIC_URL, study->study_uid);
  RwPatient *patient = rw_exam_get_patient (exam);
  RwPatient *expected_patient = rw_exam_get_patient (expected);

  /* What Orthanc says. */
  g_assert_cmpstr (rw_exam_get_study_uid (exam), ==, rw_exam_get_study_uid (expected));
  g_assert_cmpstr (rw_exam_get_orthanc_id (exam), ==, rw_exam_get_orthanc_id (expected));
  g_assert_cmpstr (rw_exam_get_accession_number (exam), ==, rw_exam_get_accession_number (expected));
  g_assert_cmpstr (rw_exam_get_study_date (exam), ==, rw_exam_get_study_date (expected));
  g_assert_cmpstr (rw_exam_get_study_time (exam), ==, rw_exam_get_study_time (expected));
  g_assert_cmpstr (rw_exam_get_description (exam), ==, rw_exam_get_description (expected));
  g_assert_cmpstr (rw_exam_get_referring_physician (exam), ==, rw_exam_get_referring_physician (expected));
  g_assert_cmpstr (rw_exam_get_modality (exam), ==, rw_exam_get_modality (expected));
  g_assert_cmpuint (rw_exam_get_series_count (exam), ==, rw_exam_get_series_count (expected));
  g_assert_cmpuint (rw_exam_get_instance_count (exam), ==, rw_exam_get_instance_count (expected));
  g_assert_cmpstr (rw_patient_get_patient_id (patient), ==, rw_patient_get_patient_id (expected_patient));
  g_assert_cmpstr (rw_patient_get_name (patient), ==, rw_patient_get_name (expected_patient));
  g_assert_cmpstr (rw_patient_get_birth_date (patient), ==, rw_patient_get_birth_date (expected_patient));
  g_assert_cmpstr (rw_patient_get_sex (patient), ==, rw_patient_get_sex (expected_patient));
  g_assert_cmpstr (rw_patient_get_age (patient), ==, rw_patient_get_age (expected_patient));

  /* What the modality sent, so that both cannot be wrong alike. */
  g_assert_cmpstr (rw_exam_get_orthanc_id (exam), ==, orthanc_id);
  g_assert_cmpstr (rw_exam_get_study_uid (exam), ==, study->study_uid);
  g_assert_cmpstr (rw_exam_get_accession_number (exam), ==, study->accession_number);
  g_assert_cmpstr (rw_exam_get_study_date (exam), ==, study_date);
  g_assert_cmpstr (rw_exam_get_description (exam), ==, study->study_description);
  g_assert_cmpstr (rw_exam_get_referring_physician (exam), ==, study->referring_physician);
  g_assert_cmpstr (rw_exam_get_modality (exam), ==, study->modality);
  g_assert_cmpuint (rw_exam_get_series_count (exam), ==, study->n_series);
  g_assert_cmpuint (rw_exam_get_instance_count (exam), ==, study->n_series * study->n_instances);
  g_assert_cmpstr (rw_patient_get_patient_id (patient), ==, study->patient_id);
  g_assert_cmpstr (rw_patient_get_name (patient), ==, study->patient_name);
  g_assert_cmpstr (rw_patient_get_birth_date (patient), ==, birth_date);
  g_assert_cmpstr (rw_patient_get_sex (patient), ==, study->patient_sex);
  g_assert_cmpstr (rw_patient_get_age (patient), ==, study->patient_age);

  /* The viewer's address is built on the PACS's public address. */
  g_assert_cmpstr (rw_exam_get_stone_viewer_url (exam), ==, stone);
}

guint
rw_test_intake_orthanc_request (RwTestIntake  *self,
                                const char    *method,
                                const char    *path,
                                gboolean       authenticated,
                                JsonNode     **response)
{
  g_autofree char *uri = g_strconcat (rw_test_orthanc_get_url (self->orthanc), path, NULL);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  if (authenticated)
    {
      g_autofree char *credentials = g_strdup_printf ("%s:%s", rw_test_orthanc_get_username (self->orthanc),
                                                      rw_test_orthanc_get_password (self->orthanc));
      g_autofree char *encoded = g_base64_encode ((const guchar *) credentials, strlen (credentials));
      g_autofree char *header = g_strconcat ("Basic ", encoded, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
    }
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (response != NULL)
    *response = rw_json_parse (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL);
  return soup_message_get_status (msg);
}

JsonObject *
rw_test_intake_plugin_status (RwTestIntake *self)
{
  g_autoptr(JsonNode) node = rw_test_orthanc_get_json (self->orthanc, "/radiweb/status");

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

gboolean
rw_test_intake_wait_for_status (RwTestIntake *self,
                                gboolean    (*check) (JsonObject *status,
                                                      gpointer    data),
                                gpointer      data,
                                guint         timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(JsonObject) status = rw_test_intake_plugin_status (self);

      if (check (status, data))
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_autofree char *text = rw_json_object_to_string (status);

          g_printerr ("# last status: %s\n", text);
          return FALSE;
        }
      g_usleep (50 * 1000);
    }
}

char *
rw_test_intake_orthanc_id (const RwTestStudy *study)
{
  g_autofree char *key = g_strconcat (study->patient_id, "|", study->study_uid, NULL);
  g_autofree char *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);
  GString *id = g_string_new (NULL);

  for (guint i = 0; i < 40; i += 8)
    {
      if (i > 0)
        g_string_append_c (id, '-');
      g_string_append_len (id, sha1 + i, 8);
    }
  return g_string_free (id, FALSE);
}
