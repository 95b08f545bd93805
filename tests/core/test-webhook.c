/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-webhook.h"

/* The seed's sample payload (docs/radiweb-api.md), with the fixed
 * stone_viewer URL. */
static const char *sample =
  "{\"event\":\"study_received\",\"timestamp\":\"2024-01-01T10:30:00Z\","
  "\"orthanc_url\":\"https://pacs.example.com.br\","
  "\"study\":{\"orthanc_id\":\"12345678-1234\",\"study_uid\":\"1.2.826.0.1.3680043.8.498.1\","
  "\"study_date\":\"20240101\",\"study_time\":\"103000\",\"study_description\":\"TC ABDOME TOTAL\","
  "\"accession_number\":\"ACC20240101001\",\"referring_physician\":\"Dr. João Silva\","
  "\"modality\":\"CT\",\"series_count\":3,\"instance_count\":150},"
  "\"patient\":{\"patient_id\":\"12345\",\"patient_name\":\"SILVA^JOAO^CARLOS\","
  "\"patient_birth_date\":\"19800515\",\"patient_sex\":\"M\",\"patient_age\":\"043Y\"},"
  "\"urls\":{\"stone_viewer\":\"https://pacs/stone-webviewer/index.html?study=1.2\","
  "\"dicom_web\":\"https://pacs/dicom-web/studies/1.2\",\"rest_api\":\"https://pacs/studies/123\"}}";

static void
test_sign (void)
{
  g_autofree char *signature = NULL;
  g_autoptr(GError) error = NULL;

  /* RFC 4231 test case 2: key "Jefe". */
  signature = rw_webhook_sign ("Jefe", "what do ya want for nothing?", 28);
  g_assert_cmpstr (signature, ==, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

  g_assert_true (rw_webhook_verify ("Jefe", "what do ya want for nothing?", 28, signature, &error));
  g_assert_no_error (error);
}

static void
test_verify_refuses (void)
{
  g_autofree char *good = rw_webhook_sign ("secret", sample, strlen (sample));
  g_autofree char *upper = g_ascii_strup (good, -1);
  g_autofree char *bare = g_strdup (good + strlen ("sha256="));
  g_autofree char *other_key = rw_webhook_sign ("secreT", sample, strlen (sample));
  g_autofree char *truncated = g_strndup (good, strlen (good) - 1);
  const char *refused[] = { NULL, "", "sha256=", bare, other_key, truncated, upper };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (rw_webhook_verify ("secret", sample, strlen (sample), refused[i], &error));
      g_assert_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_SIGNATURE);
      g_assert_cmpstr (error->message, ==, "Invalid signature");
    }

  /* One byte more in the body is another signature. */
  {
    g_autofree char *longer = g_strconcat (sample, " ", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_false (rw_webhook_verify ("secret", longer, strlen (longer), good, &error));
  }
}

static void
test_parse_sample (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwWebhookPayload) p = rw_webhook_payload_parse (sample, strlen (sample), &error);

  g_assert_no_error (error);
  g_assert_true (rw_webhook_payload_is_study_received (p));
  g_assert_cmpstr (p->study_uid, ==, "1.2.826.0.1.3680043.8.498.1");
  g_assert_cmpstr (p->study_date, ==, "20240101");
  g_assert_cmpstr (p->referring_physician, ==, "Dr. João Silva");
  g_assert_cmpint (p->series_count, ==, 3);
  g_assert_cmpint (p->instance_count, ==, 150);
  g_assert_cmpstr (p->patient_id, ==, "12345");
  g_assert_cmpstr (p->patient_age, ==, "043Y");
  g_assert_cmpstr (p->stone_viewer_url, ==, "https://pacs/stone-webviewer/index.html?study=1.2");
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwWebhookPayload) p = rw_webhook_payload_parse (sample, strlen (sample), &error);
  g_autofree char *json = rw_webhook_payload_to_json (p);
  g_autoptr(RwWebhookPayload) again = rw_webhook_payload_parse (json, strlen (json), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (again->timestamp, ==, p->timestamp);
  g_assert_cmpstr (again->orthanc_id, ==, p->orthanc_id);
  g_assert_cmpstr (again->patient_name, ==, p->patient_name);
  g_assert_cmpstr (again->rest_api_url, ==, p->rest_api_url);
  g_assert_cmpint (again->instance_count, ==, p->instance_count);
}

/* Replaces the first @from in the sample with @to. */
static char *
mutate (const char *from,
        const char *to)
{
  const char *at = strstr (sample, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - sample), sample, to, at + strlen (from));
}

static void
test_parse_refuses (void)
{
  const struct {
    const char *from;
    const char *to;
  } cases[] = {
    { "\"study_uid\":\"1.2.826.0.1.3680043.8.498.1\",", "" },
    { "\"study_uid\":\"1.2.826.0.1.3680043.8.498.1\"", "\"study_uid\":\"  \"" },
    { "\"study_uid\":\"1.2.826.0.1.3680043.8.498.1\"", "\"study_uid\":12" },
    { "\"patient_id\":\"12345\",", "" },
    { "\"patient_id\":\"12345\"", "\"patient_id\":null" },
    { "\"series_count\":3", "\"series_count\":\"3\"" },
    { "\"series_count\":3", "\"series_count\":-3" },
    { "\"instance_count\":150", "\"instance_count\":1.5" },
    { "\"study_date\":\"20240101\"", "\"study_date\":\"2024-01-01\"" },
    { "\"study_date\":\"20240101\"", "\"study_date\":\"20240231\"" },
    { "\"study_time\":\"103000\"", "\"study_time\":\"253000\"" },
    { "\"patient_age\":\"043Y\"", "\"patient_age\":\"43 anos\"" },
    { "\"patient_sex\":\"M\"", "\"patient_sex\":\"male\"" },
    { "\"timestamp\":\"2024-01-01T10:30:00Z\"", "\"timestamp\":\"2024-01-01T10:30:00\"" },
    { "\"timestamp\":\"2024-01-01T10:30:00Z\",", "" },
    { "\"event\":\"study_received\",", "" },
    { "\"urls\":{", "\"urls\":[{" },
    { "\"patient\":{", "\"patient\":\"x\",\"p\":{" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = mutate (cases[i].from, cases[i].to);
      g_autoptr(GError) error = NULL;
      g_autoptr(RwWebhookPayload) p = rw_webhook_payload_parse (body, strlen (body), &error);

      g_test_message ("case %u: %s", i, body);
      g_assert_null (p);
      g_assert_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID);
    }

  /* Not JSON, truncated, not an object, a NUL inside. */
  {
    const char *bodies[] = { "", "not json", "[1]", "{\"event\":" };

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(RwWebhookPayload) p = rw_webhook_payload_parse (bodies[i], strlen (bodies[i]), &error);

        g_assert_null (p);
        g_assert_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID);
      }
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RwWebhookPayload) p = rw_webhook_payload_parse (sample, strlen (sample) / 2, &error);

      g_assert_null (p);
      g_assert_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID);
    }
  }
}

static void
test_parse_lenient (void)
{
  /* Empty DICOM values are absent values, and other events need no study. */
  g_autofree char *empty = mutate ("\"study_date\":\"20240101\"", "\"study_date\":\"\"");
  const char *other = "{\"event\":\"study_deleted\",\"timestamp\":\"2024-01-01T10:30:00-03:00\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(RwWebhookPayload) p = rw_webhook_payload_parse (empty, strlen (empty), &error);
  g_autoptr(RwWebhookPayload) q = NULL;

  g_assert_no_error (error);
  g_assert_null (p->study_date);

  q = rw_webhook_payload_parse (other, strlen (other), &error);
  g_assert_no_error (error);
  g_assert_false (rw_webhook_payload_is_study_received (q));
}

static void
test_timestamp (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwWebhookPayload) p = rw_webhook_payload_parse (sample, strlen (sample), &error);
  const gint64 sent = 1704105000; /* 2024-01-01T10:30:00Z */
  g_autofree char *formatted = rw_webhook_format_timestamp (sent);

  g_assert_cmpstr (formatted, ==, "2024-01-01T10:30:00Z");
  g_assert_true (rw_webhook_payload_check_timestamp (p, sent, 300, &error));
  g_assert_true (rw_webhook_payload_check_timestamp (p, sent + 300, 300, &error));
  g_assert_true (rw_webhook_payload_check_timestamp (p, sent - 300, 300, &error));
  g_assert_no_error (error);

  g_assert_false (rw_webhook_payload_check_timestamp (p, sent + 301, 300, &error));
  g_assert_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_STALE);
  g_clear_error (&error);
  g_assert_false (rw_webhook_payload_check_timestamp (p, sent - 301, 300, &error));
  g_assert_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_STALE);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/webhook/sign", test_sign);
  g_test_add_func ("/webhook/verify-refuses", test_verify_refuses);
  g_test_add_func ("/webhook/parse-sample", test_parse_sample);
  g_test_add_func ("/webhook/round-trip", test_round_trip);
  g_test_add_func ("/webhook/parse-refuses", test_parse_refuses);
  g_test_add_func ("/webhook/parse-lenient", test_parse_lenient);
  g_test_add_func ("/webhook/timestamp", test_timestamp);

  return g_test_run ();
}
