/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-exam.h"
#include "rw-json.h"

/* Shapes captured from Orthanc 1.10.1: GET /studies/{id}, /patients/{id},
 * /studies/{id}/series and /studies/{id}/shared-tags?simplify. */
#define STUDY_ID "1b8b448e-a90a62a5-9e01e2ca-02ee1b9a-155fe8d4"
#define PATIENT_ID "bdaf1eca-33d4619e-80e8ca68-9a1b74a4-febbbb29"
#define STUDY_UID "1.2.276.0.7230010.3.1.2.8323328.11838.1796415893.160402"

static const char orthanc_study[] =
  "{\"ID\":\"" STUDY_ID "\",\"IsStable\":true,\"LastUpdate\":\"20240101T103512\","
  "\"MainDicomTags\":{\"AccessionNumber\":\"ACC20240101001\",\"ReferringPhysicianName\":\"SOUZA^ANA^^DRA.\","
  "\"StudyDate\":\"20240101\",\"StudyDescription\":\"TC ABDOME TOTAL\",\"StudyID\":\"1\","
  "\"StudyInstanceUID\":\"" STUDY_UID "\",\"StudyTime\":\"103000.123\"},"
  "\"ParentPatient\":\"" PATIENT_ID "\","
  "\"PatientMainDicomTags\":{\"PatientBirthDate\":\"19800515\",\"PatientID\":\"12345\","
  "\"PatientName\":\"SILVA^JO\\u00c3O^CARLOS\",\"PatientSex\":\"M\"},"
  "\"Series\":[\"s1\",\"s2\"],\"Type\":\"Study\"}";

static const char orthanc_patient[] =
  "{\"ID\":\"" PATIENT_ID "\",\"MainDicomTags\":{\"PatientBirthDate\":\"19800515\","
  "\"PatientID\":\"12345\",\"PatientName\":\"SILVA^JO\\u00c3O^CARLOS\",\"PatientSex\":\"M\"},"
  "\"Studies\":[\"" STUDY_ID "\"],\"Type\":\"Patient\"}";

static const char orthanc_series[] =
  "[{\"ID\":\"s1\",\"Instances\":[\"i1\"],\"MainDicomTags\":{\"Modality\":\"SR\","
  "\"SeriesInstanceUID\":\"1.2.3.1\",\"SeriesNumber\":\"99\"},\"ParentStudy\":\"" STUDY_ID "\"},"
  "{\"ID\":\"s2\",\"Instances\":[\"i2\",\"i3\",\"i4\"],\"MainDicomTags\":{\"Modality\":\"CT\","
  "\"SeriesInstanceUID\":\"1.2.3.2\",\"SeriesNumber\":\"2\",\"SeriesDescription\":\"AXIAL\","
  "\"BodyPartExamined\":\"ABDOMEN\"},\"ParentStudy\":\"" STUDY_ID "\"}]";

/* The seed's payload, with a study UID of the right form. */
static const char seed_payload[] =
  "{\"event\":\"study_received\",\"timestamp\":\"2024-01-01T10:30:00Z\","
  "\"orthanc_url\":\"https://pacs.radiweb.com.br\","
  "\"study\":{\"orthanc_id\":\"12345678-1234-1234-1234-123456789012\","
  "\"study_uid\":\"1.2.826.0.1.3680043.8.498.12345678901234567890\",\"study_date\":\"20240101\","
  "\"study_time\":\"103000\",\"study_description\":\"TC ABDOME TOTAL\","
  "\"accession_number\":\"ACC20240101001\",\"referring_physician\":\"Dr. João Silva\","
  "\"modality\":\"CT\",\"series_count\":3,\"instance_count\":150},"
  "\"patient\":{\"patient_id\":\"12345\",\"patient_name\":\"SILVA^JOAO^CARLOS\","
  "\"patient_birth_date\":\"19800515\",\"patient_sex\":\"M\",\"patient_age\":\"043Y\"},"
  "\"urls\":{\"stone_viewer\":\"https://pacs.radiweb.com.br/stone-webviewer/index.html?study=1.2.826.0.1.3680043.8.498.12345678901234567890\","
  "\"dicom_web\":\"https://pacs.radiweb.com.br/dicom-web/studies/1.2.826.0.1.3680043.8.498.12345678901234567890\","
  "\"rest_api\":\"https://pacs.radiweb.com.br/studies/12345678-1234-1234-1234-123456789012\"}}";

static const char api_exam[] =
  "{\"id\":7,\"study_uid\":\"1.2.3.4\",\"orthanc_id\":\"ab-cd\",\"accession_number\":\"A1\","
  "\"study_date\":\"2024-01-01\",\"study_time\":\"10:30:00\",\"description\":\"RM CRÂNIO\","
  "\"referring_physician\":\"SOUZA^ANA\",\"modality\":\"MR\",\"series_count\":3,"
  "\"instance_count\":150,\"status\":\"in_progress\",\"priority\":\"urgent\","
  "\"assigned_to\":{\"id\":4,\"display_name\":\"Dra. Ana Souza\"},"
  "\"stone_viewer_url\":\"https://pacs/stone-webviewer/index.html?study=1.2.3.4\","
  "\"received_at\":\"2024-01-01T13:30:05Z\",\"updated_at\":\"2024-01-01T13:45:00Z\","
  "\"patient\":{\"patient_id\":\"P9\",\"name\":\"SANTOS^MARIA DA CONCEIÇÃO\","
  "\"birth_date\":\"1975-02-28\",\"sex\":\"F\",\"age\":\"048Y\"}}";

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = rw_json_parse_object (text, -1, &error);

  g_assert_no_error (error);
  return object;
}

static JsonArray *
parse_array (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonArray *array = rw_json_parse_array (text, -1, &error);

  g_assert_no_error (error);
  return array;
}

static void
test_orthanc_full (void)
{
  g_autoptr(JsonObject) study = parse_object (orthanc_study);
  g_autoptr(JsonObject) patient = parse_object (orthanc_patient);
  g_autoptr(JsonArray) series = parse_array (orthanc_series);
  g_autoptr(JsonObject) shared = parse_object ("{\"PatientAge\":\"042Y\",\"Modality\":\"CT\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = NULL;
  RwPatient *p;
  GPtrArray *list;

  exam = rw_exam_new_from_orthanc (study, patient, series, shared, "http://pacs.local:8042/", &error);
  g_assert_no_error (error);

  g_assert_cmpint (rw_exam_get_id (exam), ==, 0);
  g_assert_cmpstr (rw_exam_get_orthanc_id (exam), ==, STUDY_ID);
  g_assert_cmpstr (rw_exam_get_study_uid (exam), ==, STUDY_UID);
  g_assert_cmpstr (rw_exam_get_accession_number (exam), ==, "ACC20240101001");
  g_assert_cmpstr (rw_exam_get_study_date (exam), ==, "2024-01-01");
  g_assert_cmpstr (rw_exam_get_study_time (exam), ==, "10:30:00");
  g_assert_cmpstr (rw_exam_get_description (exam), ==, "TC ABDOME TOTAL");
  g_assert_cmpstr (rw_exam_get_referring_physician (exam), ==, "SOUZA^ANA^^DRA.");
  /* The SR series has fewer instances and is not the exam anyway. */
  g_assert_cmpstr (rw_exam_get_modality (exam), ==, "CT");
  g_assert_cmpuint (rw_exam_get_series_count (exam), ==, 2);
  g_assert_cmpuint (rw_exam_get_instance_count (exam), ==, 4);
  g_assert_cmpint (rw_exam_get_status (exam), ==, RW_EXAM_STATUS_PENDING);
  g_assert_cmpint (rw_exam_get_priority (exam), ==, RW_EXAM_PRIORITY_ROUTINE);
  g_assert_cmpstr (rw_exam_get_stone_viewer_url (exam), ==,
                   "http://pacs.local:8042/stone-webviewer/index.html?study=" STUDY_UID);

  p = rw_exam_get_patient (exam);
  g_assert_cmpstr (rw_patient_get_patient_id (p), ==, "12345");
  g_assert_cmpstr (rw_patient_get_name (p), ==, "SILVA^JOÃO^CARLOS");
  g_assert_cmpstr (rw_patient_get_birth_date (p), ==, "1980-05-15");
  g_assert_cmpstr (rw_patient_get_sex (p), ==, "M");
  /* What the modality wrote wins over a computed age. */
  g_assert_cmpstr (rw_patient_get_age (p), ==, "042Y");

  list = rw_exam_get_series (exam);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (rw_series_get_orthanc_id (g_ptr_array_index (list, 1)), ==, "s2");
  g_assert_cmpstr (rw_series_get_description (g_ptr_array_index (list, 1)), ==, "AXIAL");
  g_assert_cmpstr (rw_series_get_body_part (g_ptr_array_index (list, 1)), ==, "ABDOMEN");
  g_assert_cmpint (rw_series_get_number (g_ptr_array_index (list, 1)), ==, 2);
  g_assert_cmpstr (rw_series_get_first_instance_id (g_ptr_array_index (list, 1)), ==, "i2");
  g_assert_cmpuint (rw_series_get_instance_count (g_ptr_array_index (list, 1)), ==, 3);
  g_assert_true (rw_series_list_has_modality (list, "sr"));
  g_assert_false (rw_series_list_has_modality (list, "MR"));

  g_assert_finalize_object (g_steal_pointer (&exam));
}

static void
test_orthanc_minimal (void)
{
  g_autoptr(JsonObject) study = parse_object (orthanc_study);
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = NULL;

  /* No patient, series or shared tags: the study's own patient tags, an age
   * computed from the dates, modality and instances unknown. */
  exam = rw_exam_new_from_orthanc (study, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rw_patient_get_name (rw_exam_get_patient (exam)), ==, "SILVA^JOÃO^CARLOS");
  g_assert_cmpstr (rw_patient_get_age (rw_exam_get_patient (exam)), ==, "043Y");
  g_assert_cmpstr (rw_exam_get_modality (exam), ==, "");
  g_assert_cmpuint (rw_exam_get_instance_count (exam), ==, 0);
  g_assert_cmpuint (rw_exam_get_series_count (exam), ==, 2);
  g_assert_null (rw_exam_get_series (exam));
  g_assert_cmpstr (rw_exam_get_stone_viewer_url (exam), ==, "");
}

static void
test_orthanc_lenient (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = NULL;
  g_autoptr(JsonObject) study = parse_object (
    "{\"ID\":\"ab\",\"Series\":[],\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2.3\","
    "\"StudyDate\":\"2024.01.01\",\"StudyTime\":\"25\"},"
    "\"PatientMainDicomTags\":{\"PatientID\":\"X\",\"PatientSex\":\"male\","
    "\"PatientBirthDate\":\"19801345\"}}");
  g_autoptr(JsonObject) shared = parse_object ("{\"PatientAge\":\"43 years\"}");

  /* A modality's mistakes become unknown values; the study still counts. */
  exam = rw_exam_new_from_orthanc (study, NULL, NULL, shared, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rw_exam_get_study_date (exam), ==, "");
  g_assert_cmpstr (rw_exam_get_study_time (exam), ==, "");
  g_assert_cmpstr (rw_patient_get_sex (rw_exam_get_patient (exam)), ==, "");
  g_assert_cmpstr (rw_patient_get_birth_date (rw_exam_get_patient (exam)), ==, "");
  g_assert_cmpstr (rw_patient_get_age (rw_exam_get_patient (exam)), ==, "");
}

static void
test_orthanc_errors (void)
{
  static const struct {
    const char *study;
    const char *series;
    int code;
    const char *names;
  } cases[] = {
    { "{\"ID\":\"ab\",\"Series\":[],\"MainDicomTags\":{},\"PatientMainDicomTags\":{\"PatientID\":\"X\"}}",
      NULL, RW_JSON_ERROR_SHAPE, "StudyInstanceUID" },
    { "{\"ID\":\"ab\",\"Series\":[],\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2\"}}",
      NULL, RW_JSON_ERROR_SHAPE, "PatientMainDicomTags" },
    { "{\"ID\":\"ab\",\"Series\":[],\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2\"},\"PatientMainDicomTags\":{}}",
      NULL, RW_JSON_ERROR_SHAPE, "PatientID" },
    { "{\"ID\":\"ab\",\"Series\":{},\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2\"},\"PatientMainDicomTags\":{\"PatientID\":\"X\"}}",
      NULL, RW_JSON_ERROR_SHAPE, "Series" },
    { "{\"ID\":\"../etc\",\"Series\":[],\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2\"},\"PatientMainDicomTags\":{\"PatientID\":\"X\"}}",
      NULL, RW_JSON_ERROR_VALUE, "ID" },
    { "{\"ID\":\"ab\",\"Series\":[],\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2\",\"StudyDescription\":7},\"PatientMainDicomTags\":{\"PatientID\":\"X\"}}",
      NULL, RW_JSON_ERROR_SHAPE, "StudyDescription" },
    { "{\"ID\":\"ab\",\"Series\":[],\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2\"},\"PatientMainDicomTags\":{\"PatientID\":\"X\"}}",
      "[{\"ID\":\"s\",\"Instances\":[],\"MainDicomTags\":{},\"ParentStudy\":\"cd\"}]", RW_JSON_ERROR_VALUE, NULL },
    { "{\"ID\":\"ab\",\"Series\":[],\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2\"},\"PatientMainDicomTags\":{\"PatientID\":\"X\"}}",
      "[{\"ID\":\"s\",\"Instances\":[1],\"MainDicomTags\":{}}]", RW_JSON_ERROR_SHAPE, "Instances" },
    { "{\"ID\":\"ab\",\"Series\":[],\"MainDicomTags\":{\"StudyInstanceUID\":\"1.2\"},\"PatientMainDicomTags\":{\"PatientID\":\"X\"}}",
      "[\"s1\"]", RW_JSON_ERROR_SHAPE, "Series" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) study = parse_object (cases[i].study);
      g_autoptr(JsonArray) series = cases[i].series ? parse_array (cases[i].series) : NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(RwExam) exam = rw_exam_new_from_orthanc (study, NULL, series, NULL, NULL, &error);

      g_test_message ("case %u", i);
      g_assert_null (exam);
      g_assert_error (error, RW_JSON_ERROR, cases[i].code);
      if (cases[i].names != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].names));
    }

  {
    g_autoptr(JsonObject) study = parse_object (orthanc_study);
    g_autoptr(JsonObject) other = parse_object ("{\"ID\":\"ffff\",\"MainDicomTags\":{\"PatientID\":\"Y\"}}");
    g_autoptr(GError) error = NULL;
    g_autoptr(RwExam) exam = rw_exam_new_from_orthanc (study, other, NULL, NULL, NULL, &error);

    g_assert_null (exam);
    g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE);
  }
}

static void
test_webhook_seed (void)
{
  g_autoptr(JsonObject) payload = parse_object (seed_payload);
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = rw_exam_new_from_webhook (payload, &error);
  RwPatient *p;

  g_assert_no_error (error);
  g_assert_cmpstr (rw_exam_get_orthanc_id (exam), ==, "12345678-1234-1234-1234-123456789012");
  g_assert_cmpstr (rw_exam_get_study_uid (exam), ==, "1.2.826.0.1.3680043.8.498.12345678901234567890");
  g_assert_cmpstr (rw_exam_get_study_date (exam), ==, "2024-01-01");
  g_assert_cmpstr (rw_exam_get_study_time (exam), ==, "10:30:00");
  g_assert_cmpstr (rw_exam_get_description (exam), ==, "TC ABDOME TOTAL");
  g_assert_cmpstr (rw_exam_get_accession_number (exam), ==, "ACC20240101001");
  g_assert_cmpstr (rw_exam_get_referring_physician (exam), ==, "Dr. João Silva");
  g_assert_cmpstr (rw_exam_get_modality (exam), ==, "CT");
  g_assert_cmpuint (rw_exam_get_series_count (exam), ==, 3);
  g_assert_cmpuint (rw_exam_get_instance_count (exam), ==, 150);
  g_assert_cmpstr (rw_exam_get_stone_viewer_url (exam), ==,
                   "https://pacs.radiweb.com.br/stone-webviewer/index.html?study=1.2.826.0.1.3680043.8.498.12345678901234567890");
  g_assert_cmpint (rw_exam_get_status (exam), ==, RW_EXAM_STATUS_PENDING);
  p = rw_exam_get_patient (exam);
  g_assert_cmpstr (rw_patient_get_patient_id (p), ==, "12345");
  g_assert_cmpstr (rw_patient_get_name (p), ==, "SILVA^JOAO^CARLOS");
  g_assert_cmpstr (rw_patient_get_birth_date (p), ==, "1980-05-15");
  g_assert_cmpstr (rw_patient_get_sex (p), ==, "M");
  g_assert_cmpstr (rw_patient_get_age (p), ==, "043Y");
}

/* Each case replaces one member of the seed's payload (path "a.b") with a
 * JSON value, or removes it when the value is NULL. */
static void
test_webhook_errors (void)
{
  g_autofree char *long_text = NULL;
  g_autofree char *long_json = NULL;
  struct {
    const char *object;
    const char *member;
    const char *value;
    int code;
  } cases[] = {
    { "study", "study_uid", NULL, RW_JSON_ERROR_SHAPE },
    { "study", "study_uid", "\"\"", RW_JSON_ERROR_VALUE },
    { "study", "study_uid", "\"1.2.abc\"", RW_JSON_ERROR_VALUE },
    { "study", "study_uid", "\"1..2\"", RW_JSON_ERROR_VALUE },
    { "study", "study_uid", "123", RW_JSON_ERROR_SHAPE },
    { "patient", "patient_id", NULL, RW_JSON_ERROR_SHAPE },
    { "patient", "patient_id", "null", RW_JSON_ERROR_SHAPE },
    { "patient", "patient_id", "12345", RW_JSON_ERROR_SHAPE },
    { "study", "study_date", "\"2024-01-01\"", RW_JSON_ERROR_VALUE },
    { "study", "study_date", "\"20240230\"", RW_JSON_ERROR_VALUE },
    { "study", "study_time", "\"256000\"", RW_JSON_ERROR_VALUE },
    { "study", "series_count", "\"3\"", RW_JSON_ERROR_SHAPE },
    { "study", "series_count", "-1", RW_JSON_ERROR_VALUE },
    { "study", "instance_count", "1.5", RW_JSON_ERROR_SHAPE },
    { "study", "modality", "\"C;T\"", RW_JSON_ERROR_VALUE },
    { "study", "orthanc_id", "\"../../system\"", RW_JSON_ERROR_VALUE },
    { "study", "study_description", "\"TC\\nABDOME\"", RW_JSON_ERROR_VALUE },
    { "study", "study_description", NULL /* replaced below by a 2 KiB string */, RW_JSON_ERROR_VALUE },
    { "patient", "patient_sex", "\"X\"", RW_JSON_ERROR_VALUE },
    { "patient", "patient_age", "\"43\"", RW_JSON_ERROR_VALUE },
    { "patient", "patient_birth_date", "\"1980-05-15\"", RW_JSON_ERROR_VALUE },
    { "urls", "stone_viewer", "[]", RW_JSON_ERROR_SHAPE },
    { NULL, "study", NULL, RW_JSON_ERROR_SHAPE },
    { NULL, "patient", "\"12345\"", RW_JSON_ERROR_SHAPE },
  };

  long_text = g_strnfill (2048, 'A');
  long_json = g_strdup_printf ("\"%s\"", long_text);
  cases[17].value = long_json;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) payload = parse_object (seed_payload);
      g_autoptr(GError) error = NULL;
      g_autoptr(RwExam) exam = NULL;
      JsonObject *target = cases[i].object != NULL
                           ? json_object_get_object_member (payload, cases[i].object) : payload;

      if (cases[i].value == NULL)
        json_object_remove_member (target, cases[i].member);
      else
        {
          g_autoptr(GError) parse_error = NULL;
          g_autoptr(JsonNode) node = rw_json_parse (cases[i].value, -1, &parse_error);

          g_assert_no_error (parse_error);
          json_object_set_member (target, cases[i].member, g_steal_pointer (&node));
        }

      exam = rw_exam_new_from_webhook (payload, &error);
      g_test_message ("case %u: %s.%s", i, cases[i].object, cases[i].member);
      g_assert_null (exam);
      g_assert_error (error, RW_JSON_ERROR, cases[i].code);
      /* The message names the member, so the sender knows what to fix. */
      g_assert_nonnull (strstr (error->message, cases[i].member));
    }
}

static void
assert_same_exam (RwExam *a,
                  RwExam *b)
{
  g_autoptr(JsonObject) ja = rw_exam_to_api_json (a);
  g_autoptr(JsonObject) jb = rw_exam_to_api_json (b);
  g_autofree char *sa = rw_json_object_to_string (ja);
  g_autofree char *sb = rw_json_object_to_string (jb);

  g_assert_cmpstr (sa, ==, sb);
}

static void
test_webhook_payload (void)
{
  g_autoptr(JsonObject) study = parse_object (orthanc_study);
  g_autoptr(JsonArray) series = parse_array (orthanc_series);
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = NULL;
  g_autoptr(RwExam) back = NULL;
  g_autoptr(JsonObject) payload = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_utc (2024, 1, 1, 13, 30, 0);
  g_autofree char *text = NULL;

  exam = rw_exam_new_from_orthanc (study, NULL, series, NULL, "https://pacs.example/", &error);
  g_assert_no_error (error);
  payload = rw_exam_to_webhook_payload (exam, "https://pacs.example", when);
  text = rw_json_object_to_string (payload);

  /* Field for field, in the seed's names and DICOM forms. */
  g_assert_cmpstr (text, ==,
    "{\"event\":\"study_received\",\"timestamp\":\"2024-01-01T13:30:00Z\","
    "\"orthanc_url\":\"https://pacs.example\","
    "\"study\":{\"orthanc_id\":\"" STUDY_ID "\",\"study_uid\":\"" STUDY_UID "\","
    "\"study_date\":\"20240101\",\"study_time\":\"103000\",\"study_description\":\"TC ABDOME TOTAL\","
    "\"accession_number\":\"ACC20240101001\",\"referring_physician\":\"SOUZA^ANA^^DRA.\","
    "\"modality\":\"CT\",\"series_count\":2,\"instance_count\":4},"
    "\"patient\":{\"patient_id\":\"12345\",\"patient_name\":\"SILVA^JOÃO^CARLOS\","
    "\"patient_birth_date\":\"19800515\",\"patient_sex\":\"M\",\"patient_age\":\"043Y\"},"
    "\"urls\":{\"stone_viewer\":\"https://pacs.example/stone-webviewer/index.html?study=" STUDY_UID "\","
    "\"dicom_web\":\"https://pacs.example/dicom-web/studies/" STUDY_UID "\","
    "\"rest_api\":\"https://pacs.example/studies/" STUDY_ID "\"}}");

  /* And the receiver reads back the same exam (the series list aside,
   * which the payload does not carry). */
  back = rw_exam_new_from_webhook (payload, &error);
  g_assert_no_error (error);
  g_assert_null (rw_exam_get_series (back));
  rw_exam_set_series (back, rw_exam_get_series (exam));
  assert_same_exam (exam, back);
}

static void
test_api_round_trip (void)
{
  g_autoptr(JsonObject) object = parse_object (api_exam);
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = rw_exam_new_from_api (object, &error);
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(JsonNode) actual = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (rw_exam_get_id (exam), ==, 7);
  g_assert_cmpint (rw_exam_get_status (exam), ==, RW_EXAM_STATUS_IN_PROGRESS);
  g_assert_cmpint (rw_exam_get_priority (exam), ==, RW_EXAM_PRIORITY_URGENT);
  g_assert_cmpint (rw_exam_get_assigned_to_id (exam), ==, 4);
  g_assert_cmpstr (rw_exam_get_assigned_to_name (exam), ==, "Dra. Ana Souza");
  g_assert_cmpint (rw_exam_get_received_at (exam), ==, 1704115805);
  g_assert_cmpstr (rw_patient_get_birth_date (rw_exam_get_patient (exam)), ==, "1975-02-28");

  again = rw_exam_to_api_json (exam);
  expected = json_node_init_object (json_node_alloc (), object);
  actual = json_node_init_object (json_node_alloc (), again);
  g_assert_true (json_node_equal (expected, actual));
}

static void
test_api_variants (void)
{
  g_autoptr(JsonObject) object = parse_object (api_exam);
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) a = NULL;
  g_autoptr(RwExam) b = NULL;
  g_autoptr(RwExam) c = NULL;

  /* A bare user id, nulls for unknown dates and times. */
  json_object_set_int_member (object, "assigned_to", 4);
  json_object_set_null_member (object, "study_date");
  json_object_set_null_member (object, "study_time");
  json_object_set_null_member (object, "received_at");
  a = rw_exam_new_from_api (object, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rw_exam_get_assigned_to_id (a), ==, 4);
  g_assert_cmpstr (rw_exam_get_assigned_to_name (a), ==, "");
  g_assert_cmpstr (rw_exam_get_study_date (a), ==, "");
  g_assert_cmpint (rw_exam_get_received_at (a), ==, 0);

  /* radiweb-server's form: the holder's name beside the id. */
  json_object_set_string_member (object, "assigned_to_name", "Dra. Ana Souza");
  c = rw_exam_new_from_api (object, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rw_exam_get_assigned_to_id (c), ==, 4);
  g_assert_cmpstr (rw_exam_get_assigned_to_name (c), ==, "Dra. Ana Souza");

  json_object_set_null_member (object, "assigned_to");
  json_object_set_string_member (object, "received_at", "2024-01-01T10:30:05-03:00");
  b = rw_exam_new_from_api (object, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rw_exam_get_assigned_to_id (b), ==, 0);
  g_assert_cmpint (rw_exam_get_received_at (b), ==, 1704115805);
}

static void
test_api_errors (void)
{
  static const struct {
    const char *member;
    const char *value;
    int code;
  } cases[] = {
    { "id", NULL, RW_JSON_ERROR_SHAPE },
    { "id", "0", RW_JSON_ERROR_VALUE },
    { "id", "\"7\"", RW_JSON_ERROR_SHAPE },
    { "status", "\"done\"", RW_JSON_ERROR_VALUE },
    { "status", NULL, RW_JSON_ERROR_SHAPE },
    { "priority", "\"low\"", RW_JSON_ERROR_VALUE },
    { "assigned_to", "\"ana\"", RW_JSON_ERROR_SHAPE },
    { "assigned_to", "-2", RW_JSON_ERROR_VALUE },
    { "assigned_to", "{\"display_name\":\"Ana\"}", RW_JSON_ERROR_SHAPE },
    { "study_date", "\"20240101\"", RW_JSON_ERROR_VALUE },
    { "study_date", "\"2024-02-30\"", RW_JSON_ERROR_VALUE },
    { "study_time", "\"10:30\"", RW_JSON_ERROR_VALUE },
    { "received_at", "\"2024-01-01T10:30:00\"", RW_JSON_ERROR_VALUE },
    { "updated_at", "\"yesterday\"", RW_JSON_ERROR_VALUE },
    { "patient", NULL, RW_JSON_ERROR_SHAPE },
    { "patient", "{\"name\":\"X\"}", RW_JSON_ERROR_SHAPE },
    { "patient", "{\"patient_id\":\"X\",\"birth_date\":\"19800515\"}", RW_JSON_ERROR_VALUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) object = parse_object (api_exam);
      g_autoptr(GError) error = NULL;
      g_autoptr(RwExam) exam = NULL;

      if (cases[i].value == NULL)
        json_object_remove_member (object, cases[i].member);
      else
        {
          g_autoptr(JsonNode) node = rw_json_parse (cases[i].value, -1, NULL);
          json_object_set_member (object, cases[i].member, g_steal_pointer (&node));
        }
      exam = rw_exam_new_from_api (object, &error);
      g_test_message ("case %u: %s", i, cases[i].member);
      g_assert_null (exam);
      g_assert_error (error, RW_JSON_ERROR, cases[i].code);
    }
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           GPtrArray  *names)
{
  g_ptr_array_add (names, g_strdup (pspec->name));
}

static void
test_update_from (void)
{
  g_autoptr(JsonObject) object = parse_object (api_exam);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(RwExam) exam = rw_exam_new_from_api (object, NULL);
  g_autoptr(RwExam) same = rw_exam_new_from_api (object, NULL);
  g_autoptr(RwExam) changed = NULL;
  RwPatient *patient = rw_exam_get_patient (exam);

  g_signal_connect (exam, "notify", G_CALLBACK (on_notify), names);

  rw_exam_update_from (exam, same);
  g_assert_cmpuint (names->len, ==, 0);
  /* An equal patient keeps its object: rows bound to it do not churn. */
  g_assert_true (rw_exam_get_patient (exam) == patient);

  json_object_set_string_member (object, "status", "completed");
  json_object_set_string_member (object, "description", "RM CRÂNIO COM CONTRASTE");
  changed = rw_exam_new_from_api (object, NULL);
  rw_exam_update_from (exam, changed);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (g_ptr_array_find_with_equal_func (names, "status", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (names, "description", g_str_equal, NULL));
  g_assert_cmpint (rw_exam_get_status (exam), ==, RW_EXAM_STATUS_COMPLETED);

  g_ptr_array_set_size (names, 0);
  rw_exam_set_assigned_to (exam, 0, "ignored");
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_cmpstr (rw_exam_get_assigned_to_name (exam), ==, "");
  g_object_set (exam, "priority", RW_EXAM_PRIORITY_STAT, NULL);
  g_assert_cmpint (rw_exam_get_priority (exam), ==, RW_EXAM_PRIORITY_STAT);
  g_assert_cmpuint (names->len, ==, 3);
}

/* Keys given with the fields are handed over once; after an update they
 * are made from the new fields. */
static void
test_search_keys (void)
{
  static const char given[] = "given\0a\0b\0c\0d";
  static const char made[] = "souza, conceicao\0p1\0\0us abdome\0";
  g_autoptr(RwPatient) patient = rw_patient_new ("P1", "SOUZA^CONCEIÇÃO", "1950-01-31", "F", "074Y");
  RwExamFields fields = {
    .id = 3, .description = "US  ABDOME", .patient = patient,
    .search_keys = given, .search_keys_len = sizeof given,
  };
  g_autoptr(RwExam) exam = rw_exam_new (&fields);
  g_autoptr(RwExam) stale = rw_exam_new (&fields);
  g_autoptr(RwExam) other = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *updated = NULL;
  gsize len = 0;

  first = rw_exam_dup_search_keys (exam, &len);
  g_assert_cmpmem (first, len, given, sizeof given);
  second = rw_exam_dup_search_keys (exam, &len);
  g_assert_cmpmem (second, len, made, sizeof made);

  fields.description = "RM CRÂNIO";
  other = rw_exam_new (&fields);
  rw_exam_update_from (stale, other);
  updated = rw_exam_dup_search_keys (stale, &len);
  g_assert_cmpmem (updated, len, "souza, conceicao\0p1\0\0rm cranio\0", sizeof "souza, conceicao\0p1\0\0rm cranio\0");
}

static void
test_new_from_fields (void)
{
  g_autoptr(RwPatient) patient = rw_patient_new ("P1", "SOUZA^CONCEIÇÃO", "1950-01-31", "F", "074Y");
  RwExamFields fields = {
    .id = 3, .study_uid = "1.2.3", .study_date = "2024-05-06", .study_time = "07:08:09",
    .modality = "US", .status = RW_EXAM_STATUS_CANCELLED, .priority = RW_EXAM_PRIORITY_STAT,
    .received_at = 10, .patient = patient,
  };
  g_autoptr(RwExam) exam = rw_exam_new (&fields);
  g_autofree char *label = rw_exam_dup_study_date_label (exam);
  g_autoptr(RwExam) unknown = NULL;
  g_autofree char *unknown_label = NULL;

  g_assert_cmpstr (rw_exam_get_modality (exam), ==, "US");
  g_assert_cmpstr (rw_exam_get_description (exam), ==, "");
  g_assert_cmpstr (rw_exam_get_orthanc_id (exam), ==, "");
  g_assert_cmpint (rw_exam_get_status (exam), ==, RW_EXAM_STATUS_CANCELLED);
  g_assert_true (rw_exam_get_patient (exam) == patient);
  /* LANGUAGE=C in tests: the untranslated format. */
  g_assert_cmpstr (label, ==, "05/06/2024");

  fields.study_date = NULL;
  unknown = rw_exam_new (&fields);
  unknown_label = rw_exam_dup_study_date_label (unknown);
  g_assert_cmpstr (unknown_label, ==, "");
}

static void
test_enums (void)
{
  RwExamStatus status;
  RwExamPriority priority;

  for (guint i = RW_EXAM_STATUS_PENDING; i <= RW_EXAM_STATUS_CANCELLED; i++)
    {
      g_assert_true (rw_exam_status_from_string (rw_exam_status_to_string (i), &status));
      g_assert_cmpint (status, ==, i);
      g_assert_cmpstr (rw_exam_status_to_label (i), !=, "");
    }
  for (guint i = RW_EXAM_PRIORITY_ROUTINE; i <= RW_EXAM_PRIORITY_STAT; i++)
    {
      g_assert_true (rw_exam_priority_from_string (rw_exam_priority_to_string (i), &priority));
      g_assert_cmpint (priority, ==, i);
    }
  g_assert_cmpstr (rw_exam_status_to_string (RW_EXAM_STATUS_IN_PROGRESS), ==, "in_progress");
  g_assert_cmpstr (rw_exam_status_to_label (RW_EXAM_STATUS_IN_PROGRESS), ==, "In progress");
  g_assert_cmpstr (rw_exam_priority_to_label (RW_EXAM_PRIORITY_STAT), ==, "Emergency");
  g_assert_false (rw_exam_status_from_string ("Pending", &status));
  g_assert_false (rw_exam_status_from_string (NULL, &status));
  g_assert_false (rw_exam_priority_from_string ("", &priority));
  /* Sorting by priority compares the enum: stat first when descending. */
  g_assert_cmpint (RW_EXAM_PRIORITY_STAT, >, RW_EXAM_PRIORITY_URGENT);
  g_assert_cmpint (RW_EXAM_PRIORITY_URGENT, >, RW_EXAM_PRIORITY_ROUTINE);
}

static void
test_patient_labels (void)
{
  g_autoptr(RwPatient) p = rw_patient_new ("1", "SANTOS^MARIA DA CONCEIÇÃO", "", "F", "003M");
  g_autoptr(RwPatient) q = rw_patient_new ("2", "", "", "", "");
  g_autofree char *name = rw_patient_dup_display_name (p);
  g_autofree char *age = rw_patient_dup_age_label (p);
  g_autofree char *no_age = rw_patient_dup_age_label (q);

  g_assert_cmpstr (name, ==, "SANTOS, MARIA DA CONCEIÇÃO");
  g_assert_cmpstr (age, ==, "3 months");
  g_assert_cmpstr (no_age, ==, "");
  g_assert_cmpstr (rw_patient_sex_to_label ("F"), ==, "Female");
  g_assert_cmpstr (rw_patient_sex_to_label ("M"), ==, "Male");
  g_assert_cmpstr (rw_patient_sex_to_label (""), ==, "");
  g_assert_false (rw_patient_equal (p, q));
}

static void
test_primary_modality (void)
{
  g_autoptr(JsonArray) only_sr = parse_array (
    "[{\"ID\":\"a\",\"Instances\":[\"1\"],\"MainDicomTags\":{\"Modality\":\"SR\"}}]");
  g_autoptr(JsonArray) mixed = parse_array (
    "[{\"ID\":\"a\",\"Instances\":[\"1\",\"2\"],\"MainDicomTags\":{\"Modality\":\"CT\"}},"
    " {\"ID\":\"b\",\"Instances\":[\"3\"],\"MainDicomTags\":{\"Modality\":\"PT\"}},"
    " {\"ID\":\"c\",\"Instances\":[\"4\",\"5\"],\"MainDicomTags\":{\"Modality\":\"PT\"}},"
    " {\"ID\":\"d\",\"Instances\":[\"6\",\"7\",\"8\",\"9\"],\"MainDicomTags\":{\"Modality\":\"SR\"}}]");
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < json_array_get_length (only_sr); i++)
    g_ptr_array_add (a, rw_series_new_from_orthanc (json_array_get_object_element (only_sr, i), NULL));
  for (guint i = 0; i < json_array_get_length (mixed); i++)
    g_ptr_array_add (b, rw_series_new_from_orthanc (json_array_get_object_element (mixed, i), NULL));

  g_assert_cmpstr (rw_series_list_primary_modality (a), ==, "SR");
  /* PT's two series together outnumber CT; the SR does not count. */
  g_assert_cmpstr (rw_series_list_primary_modality (b), ==, "PT");
  g_assert_cmpuint (rw_series_list_count_instances (b), ==, 9);
  g_assert_cmpstr (rw_series_list_primary_modality (NULL), ==, "");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/exam/orthanc/full", test_orthanc_full);
  g_test_add_func ("/exam/orthanc/minimal", test_orthanc_minimal);
  g_test_add_func ("/exam/orthanc/lenient", test_orthanc_lenient);
  g_test_add_func ("/exam/orthanc/errors", test_orthanc_errors);
  g_test_add_func ("/exam/webhook/seed", test_webhook_seed);
  g_test_add_func ("/exam/webhook/errors", test_webhook_errors);
  g_test_add_func ("/exam/webhook/payload", test_webhook_payload);
  g_test_add_func ("/exam/api/round-trip", test_api_round_trip);
  g_test_add_func ("/exam/api/variants", test_api_variants);
  g_test_add_func ("/exam/api/errors", test_api_errors);
  g_test_add_func ("/exam/update-from", test_update_from);
  g_test_add_func ("/exam/new-from-fields", test_new_from_fields);
  g_test_add_func ("/exam/enums", test_enums);
  g_test_add_func ("/exam/search-keys", test_search_keys);
  g_test_add_func ("/exam/patient-labels", test_patient_labels);
  g_test_add_func ("/exam/primary-modality", test_primary_modality);

  return g_test_run ();
}
