/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-api-reports.h"
#include "rw-json.h"
#include "rw-outbox.h"
#include "rw-report-store.h"
#include "rw-test-server.h"
#include "rw-test-util.h"

/* Drafts and the outbox: the store's rules on a real SQLite file, and the
 * outbox against a real radiweb-server that is stopped and started again,
 * saved over by a colleague, or held by another radiologist. */

#define SERVER "https://radiweb.example"
#define WAIT_MS 30000

static const char *sections_a[] = { "TC de abdome.", "Fígado normal.\nBaço normal.", "Normal.", NULL };
static const char *sections_b[] = { "TC de abdome.", "Fígado com cisto de 1,2 cm.", "Cisto hepático.", NULL };

/* The store alone ---------------------------------------------------------- */

typedef struct {
  char          *dir;
  char          *path;
  RwReportStore *store;
} StoreFixture;

static void
store_setup (StoreFixture  *f,
             gconstpointer  data)
{
  f->dir = rw_test_make_tmpdir ("rw-report-store");
  f->path = g_build_filename (f->dir, "radiweb", "reports.db", NULL);
  f->store = rw_report_store_new (f->path);
}

static gboolean
only_ours (gpointer data)
{
  return G_OBJECT (data)->ref_count == 1;
}

static void
store_teardown (StoreFixture  *f,
                gconstpointer  data)
{
  g_assert_true (rw_test_wait_until (only_ours, f->store, 5000));
  g_assert_finalize_object (f->store);
  rw_test_rm_rf (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static RwDraft *
load_draft_of (RwReportStore *store,
               const char    *server,
               const char    *username,
               gint64         exam_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RwDraft *draft;

  rw_report_store_load_draft_async (store, server, username, exam_id, NULL, rw_test_async_ready, &result);
  draft = rw_report_store_load_draft_finish (store, rw_test_await (&result), &error);
  g_assert_no_error (error);
  return draft;
}

static RwDraft *
load_draft (RwReportStore *store,
            const char    *username,
            gint64         exam_id)
{
  return load_draft_of (store, SERVER, username, exam_id);
}

static void
await_write (RwReportStore  *store,
             GAsyncResult  **slot)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rw_report_store_write_finish (store, rw_test_await (slot), &error));
  g_assert_no_error (error);
  g_clear_object (slot);
}

static void
write_draft (RwReportStore      *store,
             gint64              exam_id,
             const char * const *text,
             gint64              base_version)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_report_store_write_draft_async (store, SERVER, "ana", exam_id, text, base_version,
                                     NULL, rw_test_async_ready, &result);
  await_write (store, &result);
}

static gint64
enqueue (RwReportStore      *store,
         gint64              exam_id,
         RwOutboxKind        kind,
         const char * const *text,
         const char         *addendum)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  rw_report_store_enqueue_async (store, SERVER, "ana", exam_id, kind, text, addendum,
                                 NULL, rw_test_async_ready, &result);
  id = rw_report_store_enqueue_finish (store, rw_test_await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static RwOutboxEntry *
next_entry (RwReportStore *store,
            guint         *n_pending)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RwOutboxEntry *entry;

  rw_report_store_next_async (store, SERVER, "ana", NULL, rw_test_async_ready, &result);
  entry = rw_report_store_next_finish (store, rw_test_await (&result), n_pending, &error);
  g_assert_no_error (error);
  return entry;
}

static RwReport *
make_report (gint64              exam_id,
             const char * const *text,
             gint64              version,
             gboolean            is_final)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  RwReport *report;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "exam_id");
  json_builder_add_int_value (builder, exam_id);
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    {
      json_builder_set_member_name (builder, rw_report_section_to_string (i));
      json_builder_add_string_value (builder, text[i]);
    }
  json_builder_set_member_name (builder, "is_final");
  json_builder_add_boolean_value (builder, is_final);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, version);
  json_builder_set_member_name (builder, "finalized_at");
  if (is_final)
    json_builder_add_string_value (builder, "2024-01-01T11:00:00Z");
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  report = rw_report_new_from_api (json_node_get_object (root), NULL);
  g_assert_nonnull (report);
  return report;
}

static void
assert_text (const RwDraft      *draft,
             const char * const *text)
{
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    g_assert_cmpstr (draft->text[i], ==, text[i]);
}

/* A draft keeps exactly what was typed, survives reopening the file, and
 * only the server's answers move its base version. */
static void
test_store_drafts (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(RwDraft) none = NULL;
  g_autoptr(RwDraft) draft = NULL;
  g_autoptr(RwDraft) again = NULL;
  g_autoptr(RwDraft) adopted = NULL;
  g_autoptr(RwReport) server_report = make_report (7, sections_b, 4, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  RwReportStore *reopened;

  none = load_draft (f->store, "ana", 7);
  g_assert_null (none);

  write_draft (f->store, 7, sections_a, 2);
  write_draft (f->store, 7, sections_a, 9);
  draft = load_draft (f->store, "ana", 7);
  g_assert_nonnull (draft);
  assert_text (draft, sections_a);
  g_assert_cmpint (draft->base_version, ==, 2);
  g_assert_true (draft->unsent);
  g_assert_null (draft->conflict);

  /* Another user of the same workstation sees nothing of it. */
  g_assert_null (load_draft (f->store, "bruno", 7));

  /* A second store on the same file: what a restart after a crash sees. */
  reopened = rw_report_store_new (f->path);
  again = load_draft (reopened, "ana", 7);
  assert_text (again, sections_a);
  g_assert_true (rw_test_wait_until (only_ours, reopened, 5000));
  g_assert_finalize_object (reopened);

  rw_report_store_adopt_async (f->store, SERVER, "ana", 7, server_report, NULL, rw_test_async_ready, &result);
  await_write (f->store, &result);
  adopted = load_draft (f->store, "ana", 7);
  assert_text (adopted, sections_b);
  g_assert_cmpint (adopted->base_version, ==, 4);
  g_assert_false (adopted->unsent);

  rw_report_store_delete_draft_async (f->store, SERVER, "ana", 7, NULL, rw_test_async_ready, &result);
  await_write (f->store, &result);
  g_assert_null (load_draft (f->store, "ana", 7));
}

/* Entries come out oldest first; a delivery moves the draft's base; a
 * refusal takes the entry and the later ones of the same exam, never
 * another exam's, and leaves the text in the draft. */
static void
test_store_outbox (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(RwOutboxEntry) first = NULL;
  g_autoptr(RwOutboxEntry) second = NULL;
  g_autoptr(RwOutboxEntry) third = NULL;
  g_autoptr(RwOutboxEntry) empty = NULL;
  g_autoptr(RwReport) saved = make_report (7, sections_a, 1, FALSE);
  g_autoptr(RwReport) theirs = make_report (7, sections_b, 2, FALSE);
  g_autoptr(RwDraft) draft = NULL;
  g_autoptr(RwDraft) conflicted = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gint64 a, b, c, d;
  guint n = 0;

  a = enqueue (f->store, 7, RW_OUTBOX_SAVE, sections_a, NULL);
  b = enqueue (f->store, 8, RW_OUTBOX_ADDENDUM, NULL, "Adendo: sem mudança.");
  c = enqueue (f->store, 7, RW_OUTBOX_SAVE, sections_b, NULL);
  d = enqueue (f->store, 7, RW_OUTBOX_FINALIZE, sections_b, NULL);
  g_assert_cmpint (a, <, b);
  g_assert_cmpint (c, <, d);

  first = next_entry (f->store, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (first->id, ==, a);
  g_assert_cmpint (first->kind, ==, RW_OUTBOX_SAVE);
  g_assert_cmpstr (first->text[RW_REPORT_FINDINGS], ==, sections_a[RW_REPORT_FINDINGS]);
  g_assert_cmpint (first->base_version, ==, 0);

  rw_report_store_delivered_async (f->store, SERVER, "ana", a, saved, NULL, rw_test_async_ready, &result);
  await_write (f->store, &result);
  /* The draft holds the later text already (enqueued after): it stays
   * unsent, at the server's new version. */
  draft = load_draft (f->store, "ana", 7);
  g_assert_cmpint (draft->base_version, ==, 1);
  g_assert_true (draft->unsent);
  assert_text (draft, sections_b);

  second = next_entry (f->store, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (second->id, ==, b);
  g_assert_cmpint (second->kind, ==, RW_OUTBOX_ADDENDUM);
  g_assert_cmpstr (second->addendum, ==, "Adendo: sem mudança.");

  /* Exam 7's next save is refused: its finalization goes too. */
  rw_report_store_refused_async (f->store, SERVER, "ana", c, theirs, NULL, NULL, rw_test_async_ready, &result);
  await_write (f->store, &result);
  third = next_entry (f->store, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (third->id, ==, b);
  conflicted = load_draft (f->store, "ana", 7);
  assert_text (conflicted, sections_b);
  g_assert_nonnull (conflicted->conflict);
  g_assert_cmpint (rw_report_get_version (conflicted->conflict), ==, 2);
  g_assert_true (rw_report_has_text (conflicted->conflict, sections_b[0], sections_b[1], sections_b[2]));

  rw_report_store_delivered_async (f->store, SERVER, "ana", b, saved, NULL, rw_test_async_ready, &result);
  await_write (f->store, &result);
  empty = next_entry (f->store, &n);
  g_assert_null (empty);
  g_assert_cmpuint (n, ==, 0);
}

/* The outbox against a real server ----------------------------------- */

typedef struct {
  char          *dir;
  RwTestServer  *server;
  RwReportStore *store;
  RwOutbox      *outbox;
  RwApiClient   *client;
  char          *token;
  GPtrArray     *delivered;   /* RwReport, in order */
  GPtrArray     *refused;     /* RwReport or NULL */
  GPtrArray     *messages;
} OutboxFixture;

static void
on_delivered (RwOutbox      *outbox,
              gint64         exam_id,
              int            kind,
              RwReport      *report,
              OutboxFixture *f)
{
  g_assert_cmpint (rw_report_get_exam_id (report), ==, exam_id);
  g_ptr_array_add (f->delivered, g_object_ref (report));
}

static void
on_refused (RwOutbox      *outbox,
            gint64         exam_id,
            int            kind,
            RwReport      *conflict,
            const char    *message,
            OutboxFixture *f)
{
  g_assert_nonnull (message);
  g_ptr_array_add (f->refused, conflict != NULL ? g_object_ref (conflict) : NULL);
  g_ptr_array_add (f->messages, g_strdup (message));
}

static void
outbox_setup (OutboxFixture *f,
              gconstpointer  data)
{
  g_autofree char *path = NULL;

  f->dir = rw_test_make_tmpdir ("rw-outbox");
  path = g_build_filename (f->dir, "reports.db", NULL);
  f->server = rw_test_server_new ();
  rw_test_server_add_user (f->server, "ana", "senha-ana-1", "radiologist", "Dra. Ana Souza", "CRM/SP 123456");
  rw_test_server_add_user (f->server, "bruno", "senha-bruno-1", "radiologist", "Dr. Bruno Lima", "CRM/RJ 654321");
  rw_test_server_start (f->server);
  f->token = rw_test_server_login (f->server, "ana", "senha-ana-1");

  f->store = rw_report_store_new (path);
  f->outbox = rw_outbox_new (f->store);
  f->client = rw_api_client_new (rw_test_server_get_url (f->server));
  rw_api_client_set_token (f->client, f->token);
  f->delivered = g_ptr_array_new_with_free_func (g_object_unref);
  /* Holds NULL for a refusal without a conflict. */
  f->refused = g_ptr_array_new ();
  f->messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->outbox, "delivered", G_CALLBACK (on_delivered), f);
  g_signal_connect (f->outbox, "refused", G_CALLBACK (on_refused), f);
  rw_outbox_set_client (f->outbox, f->client, rw_test_server_get_url (f->server), "ana");
}

static void
outbox_teardown (OutboxFixture *f,
                 gconstpointer  data)
{
  for (guint i = 0; i < f->refused->len; i++)
    g_clear_object ((RwReport **) &f->refused->pdata[i]);
  g_ptr_array_unref (f->refused);
  g_ptr_array_unref (f->delivered);
  g_ptr_array_unref (f->messages);
  rw_outbox_set_client (f->outbox, NULL, NULL, NULL);
  g_assert_true (rw_test_wait_until (only_ours, f->outbox, 5000));
  g_assert_finalize_object (f->outbox);
  g_assert_true (rw_test_wait_until (only_ours, f->store, 5000));
  g_assert_finalize_object (f->store);
  g_assert_finalize_object (f->client);
  g_free (f->token);
  rw_test_server_free (f->server);
  rw_test_rm_rf (f->dir);
  g_free (f->dir);
}

static void
send (OutboxFixture      *f,
      gint64              exam_id,
      RwOutboxKind        kind,
      const char * const *text,
      const char         *addendum)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  rw_outbox_send_async (f->outbox, exam_id, kind, text, addendum, NULL, rw_test_async_ready, &result);
  g_assert_true (rw_outbox_send_finish (f->outbox, rw_test_await (&result), &error));
  g_assert_no_error (error);
}

typedef struct {
  GPtrArray *array;
  guint      n;
} CountWait;

static gboolean
has_count (gpointer data)
{
  CountWait *w = data;

  return w->array->len >= w->n;
}

static void
wait_count (GPtrArray *array,
            guint      n)
{
  CountWait w = { array, n };

  g_assert_true (rw_test_wait_until (has_count, &w, WAIT_MS));
  g_assert_cmpuint (array->len, ==, n);
}

static gboolean
is_idle (gpointer data)
{
  return rw_outbox_get_state (data) == RW_OUTBOX_IDLE && rw_outbox_get_n_pending (data) == 0;
}

/* The server's laudo of @exam_id, read with @token. */
static JsonObject *
server_report (OutboxFixture *f,
               gint64         exam_id)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *path = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT, exam_id);
  guint status;

  status = rw_test_server_request (f->server, "GET", path, f->token, NULL, NULL, 0, &node);
  g_assert_cmpuint (status, ==, 200);
  return json_object_ref (json_node_get_object (node));
}

static void
assert_server_text (OutboxFixture      *f,
                    gint64              exam_id,
                    const char * const *text)
{
  g_autoptr(JsonObject) report = server_report (f, exam_id);

  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    g_assert_cmpstr (json_object_get_string_member (report, rw_report_section_to_string (i)), ==, text[i]);
}

/* A save reaches the server; the next one is based on its answer. */
static void
test_outbox_deliver (OutboxFixture *f,
                     gconstpointer  data)
{
  gint64 exam = rw_test_server_add_exam (f->server, "1.2.76.9.1", "P901", "SILVA^JOÃO");
  g_autoptr(RwDraft) draft = NULL;

  send (f, exam, RW_OUTBOX_SAVE, sections_a, NULL);
  wait_count (f->delivered, 1);
  g_assert_cmpint (rw_report_get_version (g_ptr_array_index (f->delivered, 0)), ==, 1);
  assert_server_text (f, exam, sections_a);

  send (f, exam, RW_OUTBOX_SAVE, sections_b, NULL);
  wait_count (f->delivered, 2);
  g_assert_cmpint (rw_report_get_version (g_ptr_array_index (f->delivered, 1)), ==, 2);
  assert_server_text (f, exam, sections_b);
  g_assert_true (rw_test_wait_until (is_idle, f->outbox, WAIT_MS));

  draft = load_draft_of (f->store, rw_test_server_get_url (f->server), "ana", exam);
  g_assert_cmpint (draft->base_version, ==, 2);
  g_assert_false (draft->unsent);
  g_assert_cmpuint (f->refused->len, ==, 0);
}

static gboolean
is_waiting (gpointer data)
{
  return rw_outbox_get_state (data) == RW_OUTBOX_WAITING;
}

/* The server goes away while saves pile up: nothing is lost, and once it
 * is back they all land, in order, by themselves. */
static void
test_outbox_offline (OutboxFixture *f,
                     gconstpointer  data)
{
  gint64 one = rw_test_server_add_exam (f->server, "1.2.76.9.2", "P902", "SOUZA^ANA");
  gint64 two = rw_test_server_add_exam (f->server, "1.2.76.9.3", "P903", "LIMA^PAULO");

  rw_test_server_stop (f->server);
  send (f, one, RW_OUTBOX_SAVE, sections_a, NULL);
  g_assert_true (rw_test_wait_until (is_waiting, f->outbox, WAIT_MS));
  g_assert_nonnull (rw_outbox_get_last_error (f->outbox));
  send (f, two, RW_OUTBOX_SAVE, sections_a, NULL);
  send (f, one, RW_OUTBOX_SAVE, sections_b, NULL);
  g_assert_cmpuint (rw_outbox_get_n_pending (f->outbox), ==, 3);
  g_assert_cmpuint (f->delivered->len, ==, 0);

  rw_test_server_start (f->server);
  /* No nudge: the outbox's own retry finds the server. */
  wait_count (f->delivered, 3);
  g_assert_cmpint (rw_report_get_exam_id (g_ptr_array_index (f->delivered, 0)), ==, one);
  g_assert_cmpint (rw_report_get_exam_id (g_ptr_array_index (f->delivered, 1)), ==, two);
  g_assert_cmpint (rw_report_get_exam_id (g_ptr_array_index (f->delivered, 2)), ==, one);
  assert_server_text (f, one, sections_b);
  assert_server_text (f, two, sections_a);
  g_assert_true (rw_test_wait_until (is_idle, f->outbox, WAIT_MS));
  g_assert_cmpuint (f->refused->len, ==, 0);
}

static guint
api_save (OutboxFixture      *f,
          const char         *token,
          gint64              exam_id,
          const char * const *text,
          gint64              version)
{
  g_autofree char *path = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/save", exam_id);
  g_autofree char *body = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    {
      json_builder_set_member_name (builder, rw_report_section_to_string (i));
      json_builder_add_string_value (builder, text[i]);
    }
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, version);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = rw_json_to_string (root);
  return rw_test_server_request_json (f->server, "POST", path, token, body, NULL);
}

/* A save that reached the server but whose answer was lost is sent again:
 * the server's 409 shows our own text, so it counts as delivered. */
static void
test_outbox_lost_answer (OutboxFixture *f,
                         gconstpointer  data)
{
  gint64 exam = rw_test_server_add_exam (f->server, "1.2.76.9.4", "P904", "DIAS^MARCOS");
  g_autoptr(JsonObject) report = NULL;

  /* The first attempt, as it reached the server. */
  g_assert_cmpuint (api_save (f, f->token, exam, sections_a, 0), ==, 200);

  send (f, exam, RW_OUTBOX_SAVE, sections_a, NULL);
  wait_count (f->delivered, 1);
  g_assert_cmpuint (f->refused->len, ==, 0);
  report = server_report (f, exam);
  g_assert_cmpint (json_object_get_int_member (report, "version"), ==, 1);
}

/* A colleague's save came in between: the outbox refuses to overwrite,
 * hands over the server's text, keeps ours in the draft; keeping ours
 * afterwards is a deliberate rebase. */
static void
test_outbox_conflict (OutboxFixture *f,
                      gconstpointer  data)
{
  gint64 exam = rw_test_server_add_exam (f->server, "1.2.76.9.5", "P905", "ROCHA^CELIA");
  g_autofree char *other_token = rw_test_server_login (f->server, "ana", "senha-ana-1");
  g_autoptr(RwDraft) draft = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  RwReport *theirs;

  g_assert_cmpuint (api_save (f, other_token, exam, sections_b, 0), ==, 200);

  send (f, exam, RW_OUTBOX_SAVE, sections_a, NULL);
  send (f, exam, RW_OUTBOX_FINALIZE, sections_a, NULL);
  wait_count (f->refused, 1);
  theirs = g_ptr_array_index (f->refused, 0);
  g_assert_nonnull (theirs);
  g_assert_true (rw_report_has_text (theirs, sections_b[0], sections_b[1], sections_b[2]));
  /* The finalization built on the refused save went with it. */
  g_assert_true (rw_test_wait_until (is_idle, f->outbox, WAIT_MS));
  g_assert_cmpuint (f->delivered->len, ==, 0);
  assert_server_text (f, exam, sections_b);

  draft = load_draft_of (f->store, rw_test_server_get_url (f->server), "ana", exam);
  assert_text (draft, sections_a);
  g_assert_nonnull (draft->conflict);

  rw_report_store_rebase_async (f->store, rw_test_server_get_url (f->server), "ana", exam, theirs,
                                NULL, rw_test_async_ready, &result);
  await_write (f->store, &result);
  send (f, exam, RW_OUTBOX_SAVE, sections_a, NULL);
  wait_count (f->delivered, 1);
  assert_server_text (f, exam, sections_a);
}

/* Finalizing signs with the radiologist's CRM; nothing of the laudo stays
 * on the workstation afterwards. */
static void
test_outbox_finalize (OutboxFixture *f,
                      gconstpointer  data)
{
  gint64 exam = rw_test_server_add_exam (f->server, "1.2.76.9.6", "P906", "ALVES^RITA");
  g_autoptr(JsonObject) report = NULL;
  RwReport *final;

  send (f, exam, RW_OUTBOX_SAVE, sections_a, NULL);
  send (f, exam, RW_OUTBOX_FINALIZE, sections_b, NULL);
  wait_count (f->delivered, 2);
  final = g_ptr_array_index (f->delivered, 1);
  g_assert_true (rw_report_get_is_final (final));
  g_assert_cmpint (rw_report_get_finalized_at (final), >, 0);
  g_assert_cmpstr (rw_user_get_crm (rw_report_get_radiologist (final)), ==, "CRM/SP 123456");
  report = server_report (f, exam);
  g_assert_true (json_object_get_boolean_member (report, "is_final"));
  assert_server_text (f, exam, sections_b);
  g_assert_null (load_draft_of (f->store, rw_test_server_get_url (f->server), "ana", exam));

  /* An addendum after the signature. */
  send (f, exam, RW_OUTBOX_ADDENDUM, NULL, "Adendo: comparar com exame anterior.");
  wait_count (f->delivered, 3);
  g_assert_cmpuint (rw_report_get_n_addenda (g_ptr_array_index (f->delivered, 2)), ==, 1);
}

/* Another radiologist holds the exam: refused with their name, the text
 * stays in the draft with the reason. */
static void
test_outbox_claimed (OutboxFixture *f,
                     gconstpointer  data)
{
  gint64 exam = rw_test_server_add_exam (f->server, "1.2.76.9.7", "P907", "MOURA^LUIS");
  g_autofree char *bruno = rw_test_server_login (f->server, "bruno", "senha-bruno-1");
  g_autofree char *path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT "/claim", exam);
  g_autoptr(RwDraft) draft = NULL;

  g_assert_cmpuint (rw_test_server_request (f->server, "POST", path, bruno, NULL, NULL, 0, NULL), ==, 200);
  send (f, exam, RW_OUTBOX_SAVE, sections_a, NULL);
  wait_count (f->refused, 1);
  g_assert_null (g_ptr_array_index (f->refused, 0));
  g_assert_nonnull (strstr (g_ptr_array_index (f->messages, 0), "Dr. Bruno Lima"));
  g_assert_true (rw_test_wait_until (is_idle, f->outbox, WAIT_MS));

  draft = load_draft_of (f->store, rw_test_server_get_url (f->server), "ana", exam);
  g_assert_nonnull (draft);
  g_assert_nonnull (draft->failure);
  g_assert_cmpint (draft->base_version, ==, 0);
}

static gboolean
is_paused (gpointer data)
{
  return rw_outbox_get_state (data) == RW_OUTBOX_PAUSED;
}

/* A revoked session pauses the outbox; the next sign-in sends. */
static void
test_outbox_unauthorized (OutboxFixture *f,
                          gconstpointer  data)
{
  gint64 exam = rw_test_server_add_exam (f->server, "1.2.76.9.8", "P908", "NUNES^EVA");
  g_autofree char *fresh = NULL;

  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/auth/logout", f->token, NULL, NULL, 0, NULL), ==, 200);
  send (f, exam, RW_OUTBOX_SAVE, sections_a, NULL);
  g_assert_true (rw_test_wait_until (is_paused, f->outbox, WAIT_MS));
  g_assert_cmpuint (rw_outbox_get_n_pending (f->outbox), ==, 1);

  fresh = rw_test_server_login (f->server, "ana", "senha-ana-1");
  g_free (f->token);
  f->token = g_strdup (fresh);
  rw_api_client_set_token (f->client, fresh);
  rw_outbox_set_client (f->outbox, f->client, rw_test_server_get_url (f->server), "ana");
  wait_count (f->delivered, 1);
  assert_server_text (f, exam, sections_a);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/report-store/drafts", StoreFixture, NULL, store_setup, test_store_drafts, store_teardown);
  g_test_add ("/report-store/outbox", StoreFixture, NULL, store_setup, test_store_outbox, store_teardown);
  g_test_add ("/outbox/deliver", OutboxFixture, NULL, outbox_setup, test_outbox_deliver, outbox_teardown);
  g_test_add ("/outbox/offline", OutboxFixture, NULL, outbox_setup, test_outbox_offline, outbox_teardown);
  g_test_add ("/outbox/lost-answer", OutboxFixture, NULL, outbox_setup, test_outbox_lost_answer, outbox_teardown);
  g_test_add ("/outbox/conflict", OutboxFixture, NULL, outbox_setup, test_outbox_conflict, outbox_teardown);
  g_test_add ("/outbox/finalize", OutboxFixture, NULL, outbox_setup, test_outbox_finalize, outbox_teardown);
  g_test_add ("/outbox/claimed", OutboxFixture, NULL, outbox_setup, test_outbox_claimed, outbox_teardown);
  g_test_add ("/outbox/unauthorized", OutboxFixture, NULL, outbox_setup, test_outbox_unauthorized, outbox_teardown);

  return g_test_run ();
}
