/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "rw-test-server.h"
#include "rw-webhook.h"

/* POST /webhook/dicom against a real radiweb-server. */

typedef struct {
  RwTestServer *server;
  char         *token;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = rw_test_server_new ();
  rw_test_server_add_staff (f->server, "ana");
  rw_test_server_start (f->server);
  f->token = rw_test_server_login_staff (f->server, "ana");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_free (f->token);
  rw_test_server_free (f->server);
}

/* One number, read from the database file itself. */
static gint64
query_int (Fixture    *f,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (rw_test_server_get_database (f->server), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static gint64
count_rows (Fixture    *f,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);

  return query_int (f, sql);
}

/* No exam, no patient, no delivery id: in the list and in the file. */
static void
assert_nothing_stored (Fixture *f)
{
  g_autoptr(JsonNode) list = NULL;

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/exams", f->token, NULL, NULL, 0, &list), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (rw_test_object (list), "exams")), ==, 0);
  g_assert_cmpint (count_rows (f, "exams"), ==, 0);
  g_assert_cmpint (count_rows (f, "patients"), ==, 0);
  g_assert_cmpint (count_rows (f, "webhook_deliveries"), ==, 0);
}

static void
assert_error_shape (JsonNode *node)
{
  JsonObject *o = rw_test_object (node);

  g_assert_cmpuint (json_object_get_size (o), >=, 1);
  g_assert_true (json_object_has_member (o, "error"));
  g_assert_cmpuint (strlen (json_object_get_string_member (o, "error")), >, 0);
}

static void
test_sample_accepted (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *body = rw_test_server_sample_payload (f->server, "1.2.826.0.1.3680043.8.498.1", "12345", "SILVA^JOAO^CARLOS");
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) pending = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonObject *exam, *patient;
  JsonArray *exams;
  gint64 exam_id;

  g_assert_cmpuint (rw_test_server_post_webhook (f->server, body, NULL, &answer), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (rw_test_object (answer), "status"), ==, "success");
  g_assert_true (json_object_get_boolean_member (rw_test_object (answer), "created"));
  g_assert_nonnull (json_object_get_string_member (rw_test_object (answer), "message"));
  exam_id = json_object_get_int_member (rw_test_object (answer), "exam_id");
  g_assert_cmpint (exam_id, >, 0);

  /* The seed's route: a plain array of pending exams. */
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/exams/pending", f->token, NULL, NULL, 0, &pending), ==, 200);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (pending));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (pending)), ==, 1);

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/exams", f->token, NULL, NULL, 0, &list), ==, 200);
  g_assert_true (json_object_get_null_member (rw_test_object (list), "next_cursor"));
  exams = json_object_get_array_member (rw_test_object (list), "exams");
  g_assert_cmpuint (json_array_get_length (exams), ==, 1);
  exam = json_array_get_object_element (exams, 0);
  g_assert_cmpint (json_object_get_int_member (exam, "id"), ==, exam_id);
  g_assert_cmpstr (json_object_get_string_member (exam, "study_uid"), ==, "1.2.826.0.1.3680043.8.498.1");
  g_assert_cmpstr (json_object_get_string_member (exam, "accession_number"), ==, "ACC20240101001");
  g_assert_cmpstr (json_object_get_string_member (exam, "study_date"), ==, "2024-01-01");
  g_assert_cmpstr (json_object_get_string_member (exam, "study_time"), ==, "10:30:00");
  g_assert_cmpstr (json_object_get_string_member (exam, "description"), ==, "TC ABDOME TOTAL");
  g_assert_cmpstr (json_object_get_string_member (exam, "referring_physician"), ==, "Dr. João Silva");
  g_assert_cmpstr (json_object_get_string_member (exam, "modality"), ==, "CT");
  g_assert_cmpint (json_object_get_int_member (exam, "series_count"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (exam, "instance_count"), ==, 150);
  g_assert_cmpstr (json_object_get_string_member (exam, "status"), ==, "pending");
  g_assert_cmpstr (json_object_get_string_member (exam, "priority"), ==, "routine");
  g_assert_true (json_object_get_null_member (exam, "assigned_to"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (exam, "stone_viewer_url"),
                                   "/stone-webviewer/index.html?study=1.2.826.0.1.3680043.8.498.1"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (exam, "received_at"), "Z"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (exam, "updated_at"), "Z"));
  patient = json_object_get_object_member (exam, "patient");
  g_assert_cmpstr (json_object_get_string_member (patient, "patient_id"), ==, "12345");
  g_assert_cmpstr (json_object_get_string_member (patient, "name"), ==, "SILVA^JOAO^CARLOS");
  g_assert_cmpstr (json_object_get_string_member (patient, "birth_date"), ==, "1980-05-15");
  g_assert_cmpstr (json_object_get_string_member (patient, "sex"), ==, "M");
  g_assert_cmpstr (json_object_get_string_member (patient, "age"), ==, "043Y");
}

static guint
post_raw (Fixture      *f,
          const char   *content_type,
          const char   *signature,
          const char   *delivery_id,
          const char   *body,
          gsize         length,
          gboolean      chunked,
          JsonNode    **answer)
{
  g_autofree char *url = g_strconcat (rw_test_server_get_url (f->server), "/webhook/dicom", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, length);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (signature != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), RW_WEBHOOK_SIGNATURE_HEADER, signature);
  if (delivery_id != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), RW_WEBHOOK_ID_HEADER, delivery_id);
  if (chunked)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

      soup_message_set_request_body (msg, content_type, stream, -1);
    }
  else
    soup_message_set_request_body_from_bytes (msg, content_type, bytes);
  reply = soup_session_send_and_read (rw_test_server_get_session (f->server), msg, NULL, &error);
  g_assert_no_error (error);
  *answer = NULL;
  if (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), (gssize) g_bytes_get_size (reply), NULL))
    *answer = json_node_copy (json_parser_get_root (parser));
  return soup_message_get_status (msg);
}

static char *
replace (const char *text,
         const char *from,
         const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

static char *
payload_at (Fixture *f,
            gint64   offset)
{
  g_autoptr(RwWebhookPayload) p = NULL;
  g_autofree char *body = rw_test_server_sample_payload (f->server, "1.2.3.4", "999", "SOUZA^MARIA");
  g_autofree char *now = NULL;
  g_autofree char *then = NULL;

  p = rw_webhook_payload_parse (body, strlen (body), NULL);
  now = g_strdup_printf ("\"timestamp\":\"%s\"", p->timestamp);
  g_free (p->timestamp);
  p->timestamp = rw_webhook_format_timestamp (rw_test_server_get_now (f->server) + offset);
  then = g_strdup_printf ("\"timestamp\":\"%s\"", p->timestamp);
  return replace (body, now, then);
}

static void
test_rejected (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *good = rw_test_server_sample_payload (f->server, "1.2.3.4", "999", "SOUZA^MARIA");
  g_autofree char *good_signature = rw_test_server_sign (f->server, good, strlen (good));
  g_autofree char *other_key = rw_webhook_sign ("not the secret", good, strlen (good));
  g_autofree char *stale = payload_at (f, -301);
  g_autofree char *future = payload_at (f, +400);
  g_autofree char *no_uid = replace (good, "\"study_uid\":\"1.2.3.4\"", "\"study_uid\":\"\"");
  g_autofree char *no_patient = replace (good, "\"patient_id\":\"999\"", "\"patient_id\":null");
  g_autofree char *wrong_type = replace (good, "\"series_count\":3", "\"series_count\":\"3\"");
  g_autofree char *bad_date = replace (good, "\"study_date\":\"20240101\"", "\"study_date\":\"01/01/2024\"");
  g_autofree char *truncated = g_strndup (good, strlen (good) - 10);
  g_autofree char *tampered = replace (good, "SOUZA^MARIA", "SOUZA^MARIO");
  char *big = g_malloc (1024 * 1024 + 2);
  const struct {
    const char *name;
    const char *content_type;
    const char *body;
    gsize       length;
    const char *signature;   /* NULL: none; "sign": the right one */
    gboolean    chunked;
    guint       status;
  } cases[] = {
    { "unsigned", "application/json", good, strlen (good), NULL, FALSE, 401 },
    { "wrong key", "application/json", good, strlen (good), other_key, FALSE, 401 },
    { "tampered body", "application/json", tampered, strlen (tampered), good_signature, FALSE, 401 },
    { "empty signature", "application/json", good, strlen (good), "", FALSE, 401 },
    { "stale", "application/json", stale, strlen (stale), "sign", FALSE, 401 },
    { "from the future", "application/json", future, strlen (future), "sign", FALSE, 401 },
    { "malformed", "application/json", "{\"event\": study_received}", 25, "sign", FALSE, 400 },
    { "truncated", "application/json", truncated, strlen (truncated), "sign", FALSE, 400 },
    { "no study_uid", "application/json", no_uid, strlen (no_uid), "sign", FALSE, 400 },
    { "no patient_id", "application/json", no_patient, strlen (no_patient), "sign", FALSE, 400 },
    { "wrong type", "application/json", wrong_type, strlen (wrong_type), "sign", FALSE, 400 },
    { "bad DICOM date", "application/json", bad_date, strlen (bad_date), "sign", FALSE, 400 },
    { "not JSON type", "text/plain", good, strlen (good), "sign", FALSE, 415 },
    { "form type", "application/x-www-form-urlencoded", good, strlen (good), "sign", FALSE, 415 },
    { "oversized", "application/json", big, 1024 * 1024 + 1, "sign", FALSE, 413 },
    { "oversized chunked", "application/json", big, 1024 * 1024 + 1, "sign", TRUE, 413 },
  };

  /* A body just over the contract's 1 MiB limit, valid JSON otherwise. */
  memset (big, ' ', 1024 * 1024 + 1);
  memcpy (big, good, strlen (good));
  big[1024 * 1024 + 1] = '\0';

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) answer = NULL;
      g_autofree char *signature = NULL;
      guint status;

      g_test_message ("case: %s", cases[i].name);
      if (g_strcmp0 (cases[i].signature, "sign") == 0)
        signature = rw_test_server_sign (f->server, cases[i].body, cases[i].length);
      else
        signature = g_strdup (cases[i].signature);
      status = post_raw (f, cases[i].content_type, signature, NULL, cases[i].body, cases[i].length,
                         cases[i].chunked, &answer);
      g_assert_cmpuint (status, ==, cases[i].status);
      assert_error_shape (answer);
      if (status == 401 && i < 4)
        g_assert_cmpstr (json_object_get_string_member (rw_test_object (answer), "error"), ==, "Invalid signature");
    }
  g_free (big);

  /* Nothing of any of them was stored. */
  assert_nothing_stored (f);

  /* And the server is still well. */
  {
    g_autoptr(JsonNode) answer = NULL;

    g_assert_cmpuint (rw_test_server_post_webhook (f->server, good, NULL, &answer), ==, 200);
  }
}

static void
test_ignored (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *now = rw_webhook_format_timestamp (rw_test_server_get_now (f->server));
  g_autofree char *body = g_strdup_printf ("{\"event\":\"study_deleted\",\"timestamp\":\"%s\"}", now);
  g_autoptr(JsonNode) answer = NULL;

  g_assert_cmpuint (rw_test_server_post_webhook (f->server, body, NULL, &answer), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (rw_test_object (answer), "status"), ==, "ignored");
  g_assert_cmpint (count_rows (f, "exams"), ==, 0);
}

static JsonObject *
get_exam (Fixture   *f,
          gint64     id,
          JsonNode **holder)
{
  g_autofree char *path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT, id);

  g_assert_cmpuint (rw_test_server_request (f->server, "GET", path, f->token, NULL, NULL, 0, holder), ==, 200);
  return rw_test_object (*holder);
}

static void
test_repeat (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *first = rw_test_server_sample_payload (f->server, "1.2.3.5", "12345", "SILVA^JOAO");
  g_autofree char *more_series = NULL;
  g_autofree char *repeat = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, holder = NULL;
  g_autofree char *claim = NULL, *save = NULL;
  JsonObject *exam, *report;
  gint64 id;

  g_assert_cmpuint (rw_test_server_post_webhook (f->server, first, NULL, &a), ==, 200);
  id = json_object_get_int_member (rw_test_object (a), "exam_id");

  /* The exam is being reported when the PACS sends the study again. */
  claim = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT "/claim", id);
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", claim, f->token, NULL, NULL, 0, NULL), ==, 200);
  save = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/save", id);
  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", save, f->token,
                                                 "{\"technique\":\"TC\",\"findings\":\"Fígado normal.\",\"conclusion\":\"Normal.\"}",
                                                 &b), ==, 200);

  more_series = replace (first, "\"series_count\":3", "\"series_count\":4");
  repeat = replace (more_series, "TC ABDOME TOTAL", "TC ABDOME TOTAL COM CONTRASTE");
  g_assert_cmpuint (rw_test_server_post_webhook (f->server, repeat, NULL, &c), ==, 200);
  g_assert_false (json_object_get_boolean_member (rw_test_object (c), "created"));
  g_assert_cmpint (json_object_get_int_member (rw_test_object (c), "exam_id"), ==, id);

  exam = get_exam (f, id, &holder);
  g_assert_cmpint (json_object_get_int_member (exam, "series_count"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (exam, "description"), ==, "TC ABDOME TOTAL COM CONTRASTE");
  g_assert_cmpstr (json_object_get_string_member (exam, "status"), ==, "in_progress");
  g_assert_false (json_object_get_null_member (exam, "assigned_to"));
  report = json_object_get_object_member (exam, "report");
  g_assert_cmpstr (json_object_get_string_member (report, "findings"), ==, "Fígado normal.");
  g_assert_cmpint (json_object_get_int_member (report, "version"), ==, 1);
  g_assert_cmpint (count_rows (f, "exams"), ==, 1);
}

static void
test_delivery_id (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *body = rw_test_server_sample_payload (f->server, "1.2.3.6", "777", "LIMA^JOSE");
  g_autofree char *retry = replace (body, "\"instance_count\":150", "\"instance_count\":151");
  g_autofree char *first_text = NULL, *second_text = NULL;
  g_autoptr(JsonNode) first = NULL, second = NULL, third = NULL, holder = NULL;
  JsonObject *exam;

  g_assert_cmpuint (rw_test_server_post_webhook (f->server, body, "orthanc-42", &first), ==, 200);
  /* A retry of the same delivery, signed afresh: the same answer, and the
   * exam is not touched a second time. */
  g_assert_cmpuint (rw_test_server_post_webhook (f->server, retry, "orthanc-42", &second), ==, 200);
  first_text = json_to_string (first, FALSE);
  second_text = json_to_string (second, FALSE);
  g_assert_cmpstr (first_text, ==, second_text);
  g_assert_true (json_object_get_boolean_member (rw_test_object (second), "created"));
  exam = get_exam (f, json_object_get_int_member (rw_test_object (first), "exam_id"), &holder);
  g_assert_cmpint (json_object_get_int_member (exam, "instance_count"), ==, 150);

  /* Another delivery of the same study is a repeat. */
  g_assert_cmpuint (rw_test_server_post_webhook (f->server, retry, "orthanc-43", &third), ==, 200);
  g_assert_false (json_object_get_boolean_member (rw_test_object (third), "created"));
  g_assert_cmpint (count_rows (f, "webhook_deliveries"), ==, 2);
}

typedef struct {
  char   *name;
  GBytes *body;
  /* What the error message must name. */
  char   *mentions;
} Hostile;

static void
hostile_free (gpointer data)
{
  Hostile *h = data;

  g_free (h->name);
  g_bytes_unref (h->body);
  g_free (h->mentions);
  g_free (h);
}

/* @body of @length bytes (-1: up to its NUL); takes @body. */
static void
add_hostile (GPtrArray  *cases,
             const char *name,
             char       *body,
             gssize      length,
             const char *mentions)
{
  Hostile *h = g_new0 (Hostile, 1);

  h->name = g_strdup (name);
  h->body = g_bytes_new_take (body, length >= 0 ? (gsize) length : strlen (body));
  h->mentions = g_strdup (mentions);
  g_ptr_array_add (cases, h);
}

/* Hostile bodies, each signed right so that it reaches the reader: every
 * one is a 400 in the contract's error shape whose message says what is
 * wrong, and none leaves anything behind, not even its delivery id. */
static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *good = rw_test_server_sample_payload (f->server, "1.2.3.4", "999", "SOUZA^MARIA");
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (hostile_free);
  gsize len = strlen (good);
  static const char *const bad_utf8[] = {
    "SOUZA^MAR\xcd" "A",       /* Latin-1 */
    "SOUZA\xc0\xaf",           /* an overlong "/" */
    "SOUZA\xed\xa0\x80",       /* a surrogate written as UTF-8 */
    "SOUZA\xf4\x90\x80\x80",   /* past U+10FFFF */
    "SOUZA\x80",               /* a continuation byte alone */
    "SOUZA\xc3",               /* a sequence cut by the quote */
  };
  static const char *const bad_escapes[] = {
    "SOUZA\\u0000MARIA", "SOUZA\\ud800", "SOUZA\\udc00MARIA", "SOUZA\\ud800\\u0041",
    "SOUZA\\udbff\\ud800", "SOUZA\\x41", "SOUZA\\u12", "SOUZA\\U0041",
  };
  static const char *const huge_numbers[] = {
    "1e400", "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809", "1.5", "3e0", "-1",
  };
  /* Each member with a value of a type it cannot have, in turn. */
  static const char *const wrong_types[][5] = {
    [RW_TEST_WEBHOOK_STRING] = { "7", "true", "[]", "{}", "1.5" },
    [RW_TEST_WEBHOOK_COUNT] = { "\"3\"", "true", "[3]", "{}", "1.5" },
    [RW_TEST_WEBHOOK_OBJECT] = { "\"x\"", "7", "[]", "true", "false" },
  };
  const gsize cuts[] = { 1, 2, 17, len / 3, len / 2, len - 40, len - 2, len - 1 };

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    add_hostile (cases, "truncated", g_strndup (good, cuts[i]), -1, "Not valid JSON");
  {
    g_autofree char *escaped = replace (good, "SOUZA^MARIA", "SOUZA\\u00c7A");

    add_hostile (cases, "cut in an escape", g_strndup (escaped, strstr (escaped, "\\u00") + 4 - escaped), -1,
                 "Not valid JSON");
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad_utf8); i++)
    add_hostile (cases, "bad UTF-8", replace (good, "SOUZA^MARIA", bad_utf8[i]), -1, "UTF-8");
  for (guint i = 0; i < G_N_ELEMENTS (bad_escapes); i++)
    add_hostile (cases, "bad escape", replace (good, "SOUZA^MARIA", bad_escapes[i]), -1, "escape");

  {
    g_autofree char *brackets = g_strnfill (65, '[');
    g_autofree char *closing = g_strnfill (65, ']');
    g_autofree char *extra = g_strdup_printf ("\"extra\":%s%s,\"study\":{", brackets, closing);
    char *flood = g_malloc (200000);


    add_hostile (cases, "65 levels", replace (good, "\"study\":{", extra), -1, "nesting");
    memset (flood, '[', 100000);
    memset (flood + 100000, ']', 100000);
    add_hostile (cases, "100 000 levels", flood, 200000, "nesting");
  }

  /* The last of repeated members counts, and it is checked as any. */
  add_hostile (cases, "repeated patient_id", replace (good, "\"patient_id\":\"999\"", "\"patient_id\":\"999\",\"patient_id\":null"),
               -1, "patient_id");
  add_hostile (cases, "repeated series_count", replace (good, "\"series_count\":3", "\"series_count\":3,\"series_count\":\"3\""),
               -1, "series_count");
  add_hostile (cases, "repeated study", g_strdup_printf ("%.*s,\"study\":\"again\"}", (int) len - 1, good), -1, "study");

  for (guint i = 0; i < G_N_ELEMENTS (huge_numbers); i++)
    {
      g_autofree char *number = g_strdup_printf ("\"series_count\":%s", huge_numbers[i]);

      add_hostile (cases, "not a count", replace (good, "\"series_count\":3", number), -1, "series_count");
    }

  for (guint i = 0; rw_test_webhook_members[i].member != NULL; i++)
    {
      const RwTestWebhookMember *m = &rw_test_webhook_members[i];

      add_hostile (cases, "wrong type", rw_test_webhook_with_member (good, m->section, m->member, wrong_types[m->type][i % 5]), -1,
                   m->member);
    }

  add_hostile (cases, "text after", g_strconcat (good, " x", NULL), -1, "Not valid JSON");
  add_hostile (cases, "two documents", g_strconcat (good, "{}", NULL), -1, "Not valid JSON");
  add_hostile (cases, "trailing comma", g_strconcat (good, ",", NULL), -1, "Not valid JSON");
  add_hostile (cases, "stray bracket", g_strconcat (good, "]", NULL), -1, "Not valid JSON");
  add_hostile (cases, "byte order mark", g_strconcat ("\xef\xbb\xbf", good, NULL), -1, "character feff at line 1, column 1");

  {
    char *nul_inside = replace (good, "SOUZA^MARIA", "SOUZA MARIA");

    strstr (nul_inside, "SOUZA MARIA")[5] = '\0';
    add_hostile (cases, "NUL in a string", nul_inside, (gssize) len, "NUL");
    add_hostile (cases, "NUL after", g_strndup (good, len + 1), (gssize) len + 1, "NUL");
    add_hostile (cases, "only NULs", g_malloc0 (64), 64, "NUL");
  }

  add_hostile (cases, "empty", g_strdup (""), 0, "empty");
  add_hostile (cases, "spaces", g_strdup (" \r\n\t"), -1, "empty");
  add_hostile (cases, "array", g_strdup ("[]"), -1, "object");
  add_hostile (cases, "null", g_strdup ("null"), -1, "object");

  for (guint i = 0; i < cases->len; i++)
    {
      Hostile *h = g_ptr_array_index (cases, i);
      g_autoptr(JsonNode) answer = NULL;
      g_autofree char *signature = NULL;
      g_autofree char *delivery = g_strdup_printf ("hostile-%u", i);
      const char *message;
      gsize length;
      const char *body = g_bytes_get_data (h->body, &length);

      g_test_message ("case %u: %s", i, h->name);
      signature = rw_test_server_sign (f->server, body, length);
      g_assert_cmpuint (post_raw (f, "application/json", signature, delivery, body, length, FALSE, &answer), ==, 400);
      assert_error_shape (answer);
      message = json_object_get_string_member (rw_test_object (answer), "error");
      g_test_message ("  %s", message);
      g_assert_true (g_str_has_prefix (message, "Invalid webhook payload: "));
      g_assert_nonnull (strstr (message, h->mentions));
    }

  assert_nothing_stored (f);

  /* The connection and the server are still well. */
  {
    g_autoptr(JsonNode) answer = NULL;

    g_assert_cmpuint (rw_test_server_post_webhook (f->server, good, "hostile-0", &answer), ==, 200);
    g_assert_true (json_object_get_boolean_member (rw_test_object (answer), "created"));
  }
}

static gint64
post_payload (Fixture          *f,
              RwWebhookPayload *p)
{
  g_autofree char *body = rw_webhook_payload_to_json (p);
  g_autoptr(JsonNode) answer = NULL;

  g_assert_cmpuint (rw_test_server_post_webhook (f->server, body, NULL, &answer), ==, 200);
  return json_object_get_int_member (rw_test_object (answer), "exam_id");
}

/* A later study of a patient updates what it brings and keeps what it
 * leaves out, in every exam of that patient and in the search; one that
 * brings nothing new leaves the patient's row as it is. */
static void
test_patient_update (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RwWebhookPayload) p = rw_test_server_new_payload (f->server, "1.2.3.7", "555", "COSTA^ANA");
  g_autoptr(JsonNode) holder = NULL, found = NULL;
  const char *updated = "SELECT updated_at FROM patients WHERE patient_id = '555'";
  gint64 first, written;
  JsonObject *patient;

  first = post_payload (f, p);
  written = query_int (f, updated);

  g_free (p->study_uid);
  p->study_uid = g_strdup ("1.2.3.8");
  post_payload (f, p);
  g_assert_cmpint (query_int (f, updated), ==, written);

  g_free (p->study_uid);
  p->study_uid = g_strdup ("1.2.3.9");
  g_free (p->patient_name);
  p->patient_name = g_strdup ("COSTA^ANA^LÚCIA");
  g_free (p->patient_birth_date);
  p->patient_birth_date = g_strdup ("19810203");
  g_clear_pointer (&p->patient_age, g_free);
  g_clear_pointer (&p->patient_sex, g_free);
  post_payload (f, p);
  g_assert_cmpint (query_int (f, updated), >, written);
  g_assert_cmpint (count_rows (f, "patients"), ==, 1);

  patient = json_object_get_object_member (get_exam (f, first, &holder), "patient");
  g_assert_cmpstr (json_object_get_string_member (patient, "name"), ==, "COSTA^ANA^LÚCIA");
  g_assert_cmpstr (json_object_get_string_member (patient, "birth_date"), ==, "1981-02-03");
  g_assert_cmpstr (json_object_get_string_member (patient, "sex"), ==, "M");
  g_assert_cmpstr (json_object_get_string_member (patient, "age"), ==, "043Y");
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/exams?q=lucia", f->token, NULL, NULL, 0, &found), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (rw_test_object (found), "exams")), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/webhook/sample-accepted", Fixture, NULL, fixture_setup, test_sample_accepted, fixture_teardown);
  g_test_add ("/server/webhook/rejected", Fixture, NULL, fixture_setup, test_rejected, fixture_teardown);
  g_test_add ("/server/webhook/hostile", Fixture, NULL, fixture_setup, test_hostile, fixture_teardown);
  g_test_add ("/server/webhook/ignored", Fixture, NULL, fixture_setup, test_ignored, fixture_teardown);
  g_test_add ("/server/webhook/repeat", Fixture, NULL, fixture_setup, test_repeat, fixture_teardown);
  g_test_add ("/server/webhook/patient-update", Fixture, NULL, fixture_setup, test_patient_update, fixture_teardown);
  g_test_add ("/server/webhook/delivery-id", Fixture, NULL, fixture_setup, test_delivery_id, fixture_teardown);

  return g_test_run ();
}
