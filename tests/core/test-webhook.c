/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "rw-test-server.h"
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

  /* RFC 4231 test case 6: a key longer than SHA-256's block. */
  {
    char key[132];
    const char *data = "Test Using Larger Than Block-Size Key - Hash Key First";
    g_autofree char *long_key = NULL;

    memset (key, 0xaa, 131);
    key[131] = '\0';
    long_key = rw_webhook_sign (key, data, strlen (data));
    g_assert_cmpstr (long_key, ==, "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  }
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

static void
assert_refused (const char *body,
                gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwWebhookPayload) p = rw_webhook_payload_parse (body, length, &error);

  g_test_message ("refused? %.*s", (int) MIN (length, 200), body);
  g_assert_null (p);
  g_assert_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "Invalid webhook payload: "));
}

static RwWebhookPayload *
parse_ok (const char *body)
{
  g_autoptr(GError) error = NULL;
  RwWebhookPayload *p = rw_webhook_payload_parse (body, strlen (body), &error);

  g_test_message ("accepted? %s", body);
  g_assert_no_error (error);
  g_assert_nonnull (p);
  return p;
}

/* The body is strict JSON (RFC 8259) all through, the members nobody reads
 * included. */
static void
test_parse_strict_json (void)
{
  const struct {
    const char *from;
    const char *to;
  } cases[] = {
    { "{\"event\"", "/* Orthanc */ {\"event\"" },
    { "\"modality\":\"CT\",", "\"modality\":\"CT\",// x\n" },
    { "\"instance_count\":150}", "\"instance_count\":150,}" },
    { "\"modality\":\"CT\"", "\"modality\":'CT'" },
    { "\"modality\":\"CT\"", "modality:\"CT\"" },
    { "\"modality\":\"CT\"", "\"modality\" \"CT\"" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":\x01" },
    { "\"modality\":\"CT\"", "\"modality\":\"C\\u0000T\"" },
    { "\"modality\":\"CT\"", "\"modality\":\"C\\ud800T\"" },
    { "\"modality\":\"CT\"", "\"modality\":\"C\\udc00\\ud800T\"" },
    { "\"modality\":\"CT\"", "\"modality\":\"C\\xT\"" },
    { "\"modality\":\"CT\"", "\"modality\":\"C\\u12\"" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":[1,2,]" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":01" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":+1" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":.5" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":1." },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":1e" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":NaN" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":tru" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":{\"a\":}" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":{\"a\" 1}" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",\"extra\":[1 2]" },
    { "\"modality\":\"CT\"", "\"modality\":\"CT\",,\"extra\":1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = mutate (cases[i].from, cases[i].to);

      assert_refused (body, strlen (body));
    }

  /* Text after the document, two documents, a NUL, broken UTF-8. */
  {
    g_autofree char *after = g_strconcat (sample, " x", NULL);
    g_autofree char *twice = g_strconcat (sample, sample, NULL);
    g_autofree char *nul = g_strconcat (sample, " ", NULL);
    g_autofree char *latin1 = mutate ("Jo\xc3\xa3o", "Jo\xe3o");

    nul[strlen (sample)] = '\0';
    assert_refused (after, strlen (after));
    assert_refused (twice, strlen (twice));
    assert_refused (nul, strlen (sample) + 1);
    assert_refused (latin1, strlen (latin1));
    assert_refused ("   ", 3);
    assert_refused ("\"a string\"", 10);
  }

  /* Nesting: deep enough for anything real, and a hostile body is refused
   * without exhausting the stack. */
  {
    g_autoptr(GString) deep = g_string_new (NULL);
    g_autofree char *body = NULL;
    g_autoptr(RwWebhookPayload) p = NULL;
    const gsize hostile = 500000;
    char *huge;

    /* 30 arrays and 30 objects, inside the document, "study" and "extra". */
    for (guint i = 0; i < 30; i++)
      g_string_append (deep, "[{\"a\":");
    g_string_append (deep, "1");
    for (guint i = 0; i < 30; i++)
      g_string_append (deep, "}]");
    g_string_prepend (deep, "\"modality\":\"CT\",\"extra\":");
    body = mutate ("\"modality\":\"CT\"", deep->str);
    p = parse_ok (body);
    g_assert_cmpstr (p->modality, ==, "CT");

    huge = g_malloc (hostile * 2);
    memset (huge, '[', hostile);
    memset (huge + hostile, ']', hostile);
    assert_refused (huge, hostile * 2);
    g_free (huge);
  }
}

/* A refusal whose message names @what. */
static void
assert_refused_naming (const char *body,
                       gsize       length,
                       const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwWebhookPayload) p = rw_webhook_payload_parse (body, length, &error);

  g_assert_null (p);
  g_assert_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, what));
}

/* Hostile bodies: the sample cut at every byte, UTF-8 that only looks
 * right, and every member the contract names with each type it cannot
 * have. */
static void
test_parse_hostile (void)
{
  static const char *const bad_utf8[] = {
    "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80",
    "\xf8\x88\x80\x80\x80", "\x80", "\xc3", "\xe2\x82", "\xfe", "\xff",
  };
  static const char *const wrong_types[][5] = {
    [RW_TEST_WEBHOOK_STRING] = { "7", "true", "[]", "{}", "1.5" },
    [RW_TEST_WEBHOOK_COUNT] = { "\"3\"", "true", "[3]", "{}", "1.5" },
    [RW_TEST_WEBHOOK_OBJECT] = { "\"x\"", "7", "[]", "true", "false" },
  };

  for (gsize length = 0; length < strlen (sample); length++)
    assert_refused (sample, length);

  for (guint i = 0; i < G_N_ELEMENTS (bad_utf8); i++)
    {
      g_autofree char *body = mutate ("Jo\xc3\xa3o", bad_utf8[i]);

      assert_refused_naming (body, strlen (body), "UTF-8");
    }

  for (guint i = 0; rw_test_webhook_members[i].member != NULL; i++)
    for (guint j = 0; j < G_N_ELEMENTS (wrong_types[0]); j++)
      {
        const RwTestWebhookMember *m = &rw_test_webhook_members[i];
        g_autofree char *body = rw_test_webhook_with_member (sample, m->section, m->member, wrong_types[m->type][j]);

        assert_refused_naming (body, strlen (body), m->member);
      }
}

/* What the reader keeps: escapes unescaped, other members of any type
 * skipped, the last of repeated members, numbers as json-glib types them. */
static void
test_parse_values (void)
{
  g_autofree char *escaped = mutate ("\"patient_name\":\"SILVA^JOAO^CARLOS\"",
                                     "\"patient_\\u006eame\":\"SILVA^JO\\u00c3O \\\"\\/\\\\\\b\\f\\n\\r\\t \\ud83d\\ude00\"");
  g_autofree char *others = mutate ("\"modality\":\"CT\"",
                                    " \"modality\" : \"CT\" ,\r\n\t\"n\":-0.5e-3,\"t\":true,\"f\":false,\"z\":null,"
                                    "\"o\":{\"study_uid\":\"not this one\",\"a\":[[],{},[{\"b\":[1,2,{}]}]]},\"s\":\"\\u0041\"");
  g_autofree char *twice = mutate ("\"modality\":\"CT\"", "\"modality\":\"MR\",\"modality\":\"CT\"");
  /* As json-glib writes it. */
  g_autofree char *raw_control = mutate ("TC ABDOME TOTAL", "TC\x1f\tABDOME");
  g_autofree char *study_twice = mutate ("\"patient\":{",
                                         "\"study\":{\"study_uid\":\"2.25.1\",\"modality\":\"US\"},\"patient\":{");
  g_autofree char *first_study_only = mutate ("\"study\":{",
                                              "\"study\":{\"study_uid\":\"2.25.9\"},\"study\":{\"x\":1},\"y\":{");
  g_autofree char *float_count = mutate ("\"series_count\":3", "\"series_count\":3.0");
  g_autofree char *big_count = mutate ("\"series_count\":3", "\"series_count\":9223372036854775808");
  g_autofree char *max_count = mutate ("\"series_count\":3", "\"series_count\":9223372036854775807");
  g_autoptr(RwWebhookPayload) p = parse_ok (escaped);
  g_autoptr(RwWebhookPayload) q = parse_ok (others);
  g_autoptr(RwWebhookPayload) r = parse_ok (twice);
  g_autoptr(RwWebhookPayload) s = parse_ok (study_twice);
  g_autoptr(RwWebhookPayload) t = parse_ok (max_count);
  g_autoptr(RwWebhookPayload) u = parse_ok (raw_control);

  g_assert_cmpstr (p->patient_name, ==, "SILVA^JOÃO \"/\\\b\f\n\r\t \xf0\x9f\x98\x80");
  g_assert_cmpstr (q->modality, ==, "CT");
  g_assert_cmpstr (q->study_uid, ==, "1.2.826.0.1.3680043.8.498.1");
  g_assert_cmpstr (r->modality, ==, "CT");
  /* The second "study" replaces the first whole. */
  g_assert_cmpstr (s->study_uid, ==, "2.25.1");
  g_assert_cmpstr (s->modality, ==, "US");
  g_assert_null (s->accession_number);
  g_assert_cmpint (t->series_count, ==, G_MAXINT64);
  g_assert_cmpstr (u->study_description, ==, "TC\x1f\tABDOME");
  assert_refused (first_study_only, strlen (first_study_only));
  assert_refused (float_count, strlen (float_count));
  assert_refused (big_count, strlen (big_count));
}

/* Random payloads with random text, written by json-glib, read here: every
 * member comes out as json-glib itself reads it. */
static void
test_parse_like_json_glib (void)
{
  static const char *const pieces[] = {
    "a", "Z", "0", " ", "^", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "ã", "Ç", "é", "ü",
    "€", "\xe2\x80\xa8", "𝄞", "😀", "'", "{", "}", "[", "]", ":", ",",
  };
  static const char *const members[] = { "study_description", "referring_physician", "accession_number", "orthanc_id" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240101);

  for (guint round = 0; round < 300; round++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(RwWebhookPayload) p = NULL;
      g_autofree char *body = NULL;
      JsonObject *study;
      const char *values[G_N_ELEMENTS (members)];

      g_assert_true (json_parser_load_from_data (parser, sample, -1, NULL));
      study = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "study");
      for (guint i = 0; i < G_N_ELEMENTS (members); i++)
        {
          g_autoptr(GString) text = g_string_new ("x");
          guint n = g_rand_int_range (rand, 0, 12);

          for (guint k = 0; k < n; k++)
            g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
          json_object_set_string_member (study, members[i], text->str);
          values[i] = json_object_get_string_member (study, members[i]);
        }
      json_generator_set_root (generator, json_parser_get_root (parser));
      json_generator_set_pretty (generator, g_rand_boolean (rand));
      body = json_generator_to_data (generator, NULL);

      p = rw_webhook_payload_parse (body, strlen (body), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (p->study_description, ==, values[0]);
      g_assert_cmpstr (p->referring_physician, ==, values[1]);
      g_assert_cmpstr (p->accession_number, ==, values[2]);
      g_assert_cmpstr (p->orthanc_id, ==, values[3]);
      g_assert_cmpint (p->instance_count, ==, 150);
    }
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
  g_test_add_func ("/webhook/parse-strict-json", test_parse_strict_json);
  g_test_add_func ("/webhook/parse-hostile", test_parse_hostile);
  g_test_add_func ("/webhook/parse-values", test_parse_values);
  g_test_add_func ("/webhook/parse-like-json-glib", test_parse_like_json_glib);
  g_test_add_func ("/webhook/timestamp", test_timestamp);

  return g_test_run ();
}
