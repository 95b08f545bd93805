/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RwChangeFollower against a real Orthanc that restarts, loses studies to
 * DELETE and gets replaced. Each test has its own Orthanc: they stop it. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-change-follower.h"
#include "rw-test-orthanc.h"
#include "rw-test-studies.h"
#include "rw-test-util.h"

#define WAIT_MS 20000

typedef struct {
  RwTestOrthanc   *orthanc;
  RwOrthancClient *client;
  GRand           *rand;
} Fixture;

/* What one follower handed out. */
typedef struct {
  GPtrArray  *ids;        /* Orthanc study ids, in order */
  GHashTable *seq_of;     /* id → seq */
  gint64      last_seq;
  guint       errors;
  int         last_error_code;
} Seen;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->orthanc = rw_test_orthanc_new ();
  rw_test_orthanc_start (fixture->orthanc);
  fixture->client = rw_orthanc_client_new (rw_test_orthanc_get_url (fixture->orthanc),
                                           rw_test_orthanc_get_username (fixture->orthanc),
                                           rw_test_orthanc_get_password (fixture->orthanc), &error);
  g_assert_no_error (error);
  rw_orthanc_client_set_timeout (fixture->client, 5);
  fixture->rand = g_rand_new ();
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gpointer client = fixture->client;

  /* Followers that were dropped while polling cancelled their request;
   * its callback, which still holds the client, runs on the next
   * iterations. Then nothing may be left holding the client. */
  g_object_add_weak_pointer (client, &client);
  g_object_unref (fixture->client);
  g_assert_true (rw_test_wait_until (is_null, &client, 5000));
  rw_test_orthanc_free (fixture->orthanc);
  g_rand_free (fixture->rand);
}

static void
seen_init (Seen *seen)
{
  memset (seen, 0, sizeof *seen);
  seen->ids = g_ptr_array_new_with_free_func (g_free);
  seen->seq_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
seen_clear (Seen *seen)
{
  g_ptr_array_unref (seen->ids);
  g_hash_table_unref (seen->seq_of);
}

static guint
seen_count (Seen       *seen,
            const char *id)
{
  guint n = 0;

  for (guint i = 0; i < seen->ids->len; i++)
    if (g_str_equal (g_ptr_array_index (seen->ids, i), id))
      n++;
  return n;
}

static void
on_stable_study (RwChangeFollower *follower,
                 gint64            seq,
                 const char       *id,
                 Seen             *seen)
{
  g_assert_cmpint (seq, >, seen->last_seq);
  seen->last_seq = seq;
  g_ptr_array_add (seen->ids, g_strdup (id));
  g_hash_table_replace (seen->seq_of, g_strdup (id), (gpointer) (gintptr) seq);
}

static void
on_error (RwChangeFollower *follower,
          const GError     *error,
          Seen             *seen)
{
  g_assert_true (error->domain == RW_ORTHANC_ERROR);
  seen->errors++;
  seen->last_error_code = error->code;
}

static RwChangeFollower *
follow (Fixture *fixture,
        gint64   since,
        Seen    *seen)
{
  RwChangeFollower *follower = rw_change_follower_new (fixture->client, since);

  seen_init (seen);
  rw_change_follower_set_interval (follower, 100);
  g_signal_connect (follower, "stable-study", G_CALLBACK (on_stable_study), seen);
  g_signal_connect (follower, "error", G_CALLBACK (on_error), seen);
  rw_change_follower_start (follower);
  return follower;
}

/* Sends a study of a new patient and returns its Orthanc id. */
static char *
send_study (Fixture *fixture)
{
  g_autoptr(RwTestStudy) study = rw_test_study_new_random (fixture->rand);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) exams = NULL;
  g_autofree char *patient_id = g_strdup_printf ("F%08x", g_random_int ());
  RwOrthancQuery query = { .patient_id = patient_id };

  rw_test_study_set (&study->patient_id, patient_id);
  study->n_instances = 1;
  rw_test_study_send (study, "127.0.0.1", rw_test_orthanc_get_dicom_port (fixture->orthanc),
                      RW_TEST_ORTHANC_AET, &error);
  g_assert_no_error (error);
  rw_orthanc_client_find_studies_async (fixture->client, &query, NULL, rw_test_async_ready, &result);
  exams = rw_orthanc_client_find_studies_finish (fixture->client, rw_test_await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exams->len, ==, 1);
  return g_strdup (rw_exam_get_orthanc_id (g_ptr_array_index (exams, 0)));
}

typedef struct {
  Seen       *seen;
  const char *ids[4];
} Expect;

static gboolean
has_all (gpointer data)
{
  Expect *expect = data;

  for (guint i = 0; expect->ids[i] != NULL; i++)
    if (seen_count (expect->seen, expect->ids[i]) == 0)
      return FALSE;
  return TRUE;
}

static void
wait_for (Seen       *seen,
          const char *a,
          const char *b,
          const char *c)
{
  Expect expect = { seen, { a, b, c, NULL } };

  g_assert_true (rw_test_wait_until (has_all, &expect, WAIT_MS));
}

/* Lets a few more polls happen, so that a repeat would show up. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 600 * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10 * 1000);
}

static gboolean
is_disconnected (gpointer data)
{
  return !rw_change_follower_get_connected (data);
}

static void
test_resume_after_restart (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(RwChangeFollower) running = NULL;
  g_autoptr(RwChangeFollower) resumed = NULL;
  g_autofree char *a = NULL, *b = NULL, *c = NULL;
  Seen seen_running, seen_resumed;
  gint64 stored;

  a = send_study (fixture);
  running = follow (fixture, 0, &seen_running);
  wait_for (&seen_running, a, NULL, NULL);
  g_assert_true (rw_change_follower_get_connected (running));
  /* What a consumer persists once it has handled study a. */
  stored = (gint64) (gintptr) g_hash_table_lookup (seen_running.seq_of, a);
  g_assert_cmpint (stored, >, 0);
  g_assert_cmpint (rw_change_follower_get_seq (running), >=, stored);

  /* Orthanc goes away: the follower reports it and keeps trying. */
  rw_test_orthanc_stop (fixture->orthanc);
  g_assert_true (rw_test_wait_until (is_disconnected, running, WAIT_MS));
  g_assert_cmpuint (seen_running.errors, >, 0);
  g_assert_cmpint (seen_running.last_error_code, ==, RW_ORTHANC_ERROR_UNREACHABLE);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(RwOrthancSystem) system = NULL;

    rw_orthanc_client_check_async (fixture->client, NULL, rw_test_async_ready, &result);
    system = rw_orthanc_client_check_finish (fixture->client, rw_test_await (&result), &error);
    g_assert_null (system);
    g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_UNREACHABLE);
  }

  /* Back on the same storage and ports, with new studies. */
  rw_test_orthanc_restart (fixture->orthanc);
  b = send_study (fixture);
  c = send_study (fixture);

  /* A follower resumed from the stored position (a program restarted)
   * and the one that lived through the outage: each sees b and c once,
   * and the resumed one never sees a again. */
  resumed = follow (fixture, stored, &seen_resumed);
  wait_for (&seen_running, a, b, c);
  wait_for (&seen_resumed, b, c, NULL);
  settle ();
  g_assert_true (rw_change_follower_get_connected (running));
  g_assert_cmpuint (seen_count (&seen_running, a), ==, 1);
  g_assert_cmpuint (seen_count (&seen_running, b), ==, 1);
  g_assert_cmpuint (seen_count (&seen_running, c), ==, 1);
  g_assert_cmpuint (seen_running.ids->len, ==, 3);
  g_assert_cmpuint (seen_count (&seen_resumed, a), ==, 0);
  g_assert_cmpuint (seen_count (&seen_resumed, b), ==, 1);
  g_assert_cmpuint (seen_count (&seen_resumed, c), ==, 1);
  g_assert_cmpuint (seen_resumed.ids->len, ==, 2);
  g_assert_cmpint (rw_change_follower_get_seq (resumed), ==, rw_change_follower_get_seq (running));

  rw_change_follower_stop (running);
  rw_change_follower_stop (resumed);
  g_assert_false (rw_change_follower_get_running (running));
  seen_clear (&seen_running);
  seen_clear (&seen_resumed);
}

static void
delete_study (Fixture    *fixture,
              const char *id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  rw_orthanc_client_delete_study_async (fixture->client, id, NULL, rw_test_async_ready, &result);
  g_assert_true (rw_orthanc_client_delete_study_finish (fixture->client, rw_test_await (&result), &error));
  g_assert_no_error (error);
}

static void
test_seq_gap (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(RwChangeFollower) first = NULL;
  g_autoptr(RwChangeFollower) resumed = NULL;
  g_autoptr(RwChangeFollower) replaced = NULL;
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  Seen seen_first, seen_resumed, seen_replaced;
  gint64 stored;

  a = send_study (fixture);
  first = follow (fixture, 0, &seen_first);
  wait_for (&seen_first, a, NULL, NULL);
  rw_change_follower_stop (first);
  stored = rw_change_follower_get_seq (first);

  /* b's changes lie after the stored position; deleting b removes them,
   * leaving a gap in Seq. */
  b = send_study (fixture);
  c = send_study (fixture);
  {
    Seen probe;
    g_autoptr(RwChangeFollower) watcher = follow (fixture, stored, &probe);

    wait_for (&probe, b, c, NULL);
    rw_change_follower_stop (watcher);
    seen_clear (&probe);
  }
  delete_study (fixture, b);

  resumed = follow (fixture, stored, &seen_resumed);
  wait_for (&seen_resumed, c, NULL, NULL);
  d = send_study (fixture);
  wait_for (&seen_resumed, c, d, NULL);
  settle ();
  g_assert_cmpuint (seen_count (&seen_resumed, b), ==, 0);
  g_assert_cmpuint (seen_count (&seen_resumed, c), ==, 1);
  g_assert_cmpuint (seen_count (&seen_resumed, d), ==, 1);
  g_assert_cmpuint (seen_resumed.ids->len, ==, 2);

  /* A position beyond Orthanc's last change: its database was replaced.
   * The follower warns and starts over, so nothing in it is missed. */
  g_test_expect_message ("radiweb-core", G_LOG_LEVEL_WARNING, "*database was replaced*");
  replaced = follow (fixture, rw_change_follower_get_seq (resumed) + 1000000, &seen_replaced);
  wait_for (&seen_replaced, a, c, d);
  settle ();
  g_test_assert_expected_messages ();
  g_assert_cmpuint (seen_replaced.ids->len, ==, 3);
  g_assert_cmpint (rw_change_follower_get_seq (replaced), ==, rw_change_follower_get_seq (resumed));

  seen_clear (&seen_first);
  seen_clear (&seen_resumed);
  seen_clear (&seen_replaced);
}

static gboolean
counted (gpointer data)
{
  return *(guint *) data > 0;
}

static void
on_stable_stop (RwChangeFollower *follower,
                gint64            seq,
                const char       *id,
                guint            *count)
{
  (*count)++;
  rw_change_follower_stop (follower);
}

static void
test_stop_in_handler (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(RwChangeFollower) follower = NULL;
  g_autofree char *a = send_study (fixture);
  g_autofree char *b = send_study (fixture);
  guint count = 0;
  Seen all;
  gint64 after_a;

  /* Both stable before anyone follows: one batch holds both. */
  {
    g_autoptr(RwChangeFollower) watcher = follow (fixture, 0, &all);

    wait_for (&all, a, b, NULL);
    rw_change_follower_stop (watcher);
  }
  after_a = (gint64) (gintptr) g_hash_table_lookup (all.seq_of, a);

  follower = rw_change_follower_new (fixture->client, 0);
  rw_change_follower_set_interval (follower, 100);
  g_signal_connect (follower, "stable-study", G_CALLBACK (on_stable_stop), &count);
  rw_change_follower_start (follower);
  g_assert_true (rw_test_wait_until (counted, &count, WAIT_MS));
  settle ();
  /* Stopped inside the handler: nothing more, and the position is that of
   * the change handed out, not of the end of the batch. */
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpint (rw_change_follower_get_seq (follower), ==, after_a);
  seen_clear (&all);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/change-follower/resume-after-restart", Fixture, NULL, fixture_setup,
              test_resume_after_restart, fixture_teardown);
  g_test_add ("/change-follower/seq-gap", Fixture, NULL, fixture_setup, test_seq_gap, fixture_teardown);
  g_test_add ("/change-follower/stop-in-handler", Fixture, NULL, fixture_setup, test_stop_in_handler,
              fixture_teardown);

  return g_test_run ();
}
