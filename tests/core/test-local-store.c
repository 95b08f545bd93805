/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "rw-exam-private.h"
#include "rw-local-store.h"
#include "rw-sqlite.h"
#include "rw-test-exams.h"
#include "rw-test-util.h"

#define SERVER "https://radiweb.example"

typedef struct {
  char         *dir;
  char         *path;
  RwLocalStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = rw_test_make_tmpdir ("rw-local-store");
  /* In a folder that does not exist yet: the store creates it. */
  f->path = g_build_filename (f->dir, "radiweb", "client.db", NULL);
  f->store = rw_local_store_new (f->path);
}

static gboolean
only_ours (gpointer data)
{
  return G_OBJECT (data)->ref_count == 1;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* The worker thread drops its reference on the last task just after the
   * result reached us; wait for that before checking for leaks. */
  g_assert_true (rw_test_wait_until (only_ours, f->store, 5000));
  g_assert_finalize_object (f->store);
  rw_test_rm_rf (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GPtrArray *
load (RwLocalStore  *store,
      const char    *server,
      gint64        *mark,
      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_local_store_load_async (store, server, NULL, on_result, &result);
  return rw_local_store_load_finish (store, wait_for (&result), mark, error);
}

static gboolean
save (RwLocalStore  *store,
      const char    *server,
      GPtrArray     *exams,
      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_local_store_save_async (store, server, exams, NULL, on_result, &result);
  return rw_local_store_save_finish (store, wait_for (&result), error);
}

static gboolean
clear (RwLocalStore  *store,
       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_local_store_clear_async (store, NULL, on_result, &result);
  return rw_local_store_clear_finish (store, wait_for (&result), error);
}

static RwExam *
find (GPtrArray *exams,
      gint64     id)
{
  for (guint i = 0; i < exams->len; i++)
    if (rw_exam_get_id (g_ptr_array_index (exams, i)) == id)
      return g_ptr_array_index (exams, i);
  return NULL;
}

static void
assert_same_exam (RwExam *a,
                  RwExam *b)
{
  RwPatient *pa = rw_exam_get_patient (a);
  RwPatient *pb = rw_exam_get_patient (b);

  g_assert_cmpint (rw_exam_get_id (a), ==, rw_exam_get_id (b));
  g_assert_cmpstr (rw_exam_get_study_uid (a), ==, rw_exam_get_study_uid (b));
  g_assert_cmpstr (rw_exam_get_accession_number (a), ==, rw_exam_get_accession_number (b));
  g_assert_cmpstr (rw_exam_get_study_date (a), ==, rw_exam_get_study_date (b));
  g_assert_cmpstr (rw_exam_get_study_time (a), ==, rw_exam_get_study_time (b));
  g_assert_cmpstr (rw_exam_get_description (a), ==, rw_exam_get_description (b));
  g_assert_cmpstr (rw_exam_get_referring_physician (a), ==, rw_exam_get_referring_physician (b));
  g_assert_cmpstr (rw_exam_get_modality (a), ==, rw_exam_get_modality (b));
  g_assert_cmpuint (rw_exam_get_series_count (a), ==, rw_exam_get_series_count (b));
  g_assert_cmpuint (rw_exam_get_instance_count (a), ==, rw_exam_get_instance_count (b));
  g_assert_cmpint (rw_exam_get_status (a), ==, rw_exam_get_status (b));
  g_assert_cmpint (rw_exam_get_priority (a), ==, rw_exam_get_priority (b));
  g_assert_cmpint (rw_exam_get_received_at (a), ==, rw_exam_get_received_at (b));
  g_assert_cmpint (rw_exam_get_updated_at (a), ==, rw_exam_get_updated_at (b));
  g_assert_true (rw_patient_equal (pa, pb));
}

/* Saves @exams, loads them back and checks that each came back once,
 * whole; returns the high-water mark of the load. */
static gint64
save_and_load_back (Fixture   *f,
                    GPtrArray *exams)
{
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gint64 mark = -1;

  g_assert_true (save (f->store, SERVER, exams, &error));
  g_assert_no_error (error);
  loaded = load (f->store, SERVER, &mark, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, exams->len);
  for (guint i = 0; i < exams->len; i++)
    {
      RwExam *exam = g_ptr_array_index (exams, i);
      RwExam *copy = find (loaded, rw_exam_get_id (exam));

      g_assert_nonnull (copy);
      assert_same_exam (exam, copy);
    }
  return mark;
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) exams = rw_test_exams_new (50, 7);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gint64 mark = -1;
  gint64 newest = 0;

  /* A store that was never written is empty, not an error. */
  loaded = load (f->store, SERVER, &mark, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 0);
  g_assert_cmpint (mark, ==, 0);
  g_clear_pointer (&loaded, g_ptr_array_unref);

  mark = save_and_load_back (f, exams);
  for (guint i = 0; i < exams->len; i++)
    newest = MAX (newest, rw_exam_get_updated_at (g_ptr_array_index (exams, i)));
  g_assert_cmpint (mark, ==, newest);
}

/* Sets the stored search keys of exam @id to @keys (@len bytes, the
 * version byte first), as another version or a damaged disk might. */
static void
store_keys (Fixture    *f,
            gint64      id,
            const char *keys,
            gsize       len)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE worklist SET search_keys = ? WHERE id = ?", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob64 (stmt, 1, keys, len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
assert_keys (RwExam     *exam,
             const char *expected,
             gsize       expected_len)
{
  gsize len = 0;
  g_autofree char *keys = rw_exam_dup_search_keys (exam, &len);

  g_assert_cmpmem (keys, len, expected, expected_len);
}

/* The search keys are saved with the exams and handed over at load, once;
 * keys of another version or of the wrong shape are made again. */
static void
test_search_keys (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(RwExam) exam = rw_test_exam_new_with (41, "CONCEIÇÃO^MARIA", "CT", "2026-12-01",
                                                  RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_URGENT, 100);
  g_autoptr(GPtrArray) exams = g_ptr_array_new_with_free_func (g_object_unref);
  static const char marked[] = "\001mark\0p\0a\0d\0r";
  static const struct {
    const char *keys;
    gsize       len;
  } refused[] = {
    { "\002mark\0p\0a\0d\0r", sizeof marked },   /* another version */
    { "\001mark\0p\0a\0d", sizeof marked - 2 },    /* four keys */
    { "\001mark\0p\0a\0d\0r\0x", sizeof marked + 2 }, /* six */
    { "\001m\xff\xfe\0p\0a\0d\0r", sizeof marked - 1 }, /* not UTF-8 */
    { "\001mark\0p\0a\0d\0r", sizeof marked - 1 },  /* no last '\0' */
    { "", 0 },                                        /* none */
  };
  g_autofree char *expected = NULL;
  gsize expected_len = 0;
  g_autoptr(GError) error = NULL;

  expected = rw_exam_dup_search_keys (exam, &expected_len);
  g_assert_cmpmem (expected, expected_len, "conceicao, maria\0p00041\0acc00041\0tc abdome total\0silva joao dr.",
                   sizeof "conceicao, maria\0p00041\0acc00041\0tc abdome total\0silva joao dr.");
  g_ptr_array_add (exams, g_object_ref (exam));
  g_assert_true (save (f->store, SERVER, exams, &error));
  g_assert_no_error (error);

  {
    g_autoptr(GPtrArray) loaded = load (f->store, SERVER, NULL, &error);

    g_assert_no_error (error);
    assert_keys (g_ptr_array_index (loaded, 0), expected, expected_len);
  }

  /* Keys read from the cache are the ones handed over, not made again. */
  store_keys (f, 41, marked, sizeof marked);
  {
    g_autoptr(GPtrArray) loaded = load (f->store, SERVER, NULL, &error);

    g_assert_no_error (error);
    assert_keys (g_ptr_array_index (loaded, 0), marked + 1, sizeof marked - 1);
    assert_keys (g_ptr_array_index (loaded, 0), expected, expected_len);
  }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GPtrArray) loaded = NULL;

      store_keys (f, 41, refused[i].keys, refused[i].len);
      loaded = load (f->store, SERVER, NULL, &error);
      g_assert_no_error (error);
      assert_keys (g_ptr_array_index (loaded, 0), expected, expected_len);
    }
}

static RwExam *
exam_of (gint64      id,
         const char *patient_id,
         const char *name)
{
  g_autoptr(RwPatient) patient = rw_patient_new (patient_id, name, "1980-05-15", "F", "046Y");
  RwExamFields fields = { .id = id, .study_uid = "1.2.3", .modality = "CT", .patient = patient };

  return rw_exam_new (&fields);
}

/* Exams of one patient share its object once loaded; a patient id that
 * comes with other data (a mistake at the modality) keeps each exam's own. */
static void
test_shared_patients (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) exams = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  static const char *const names[] = { "SOUZA^ANA", "SOUZA^ANA", "LIMA^RUI", "SOUZA^ANA", "LIMA^RUI" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_ptr_array_add (exams, exam_of (i + 1, "P7", names[i]));
  g_ptr_array_add (exams, exam_of (6, "P8", "SOUZA^ANA"));
  g_assert_true (save (f->store, SERVER, exams, &error));
  g_assert_no_error (error);

  loaded = load (f->store, SERVER, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 6);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      RwPatient *patient = rw_exam_get_patient (find (loaded, i + 1));

      g_assert_cmpstr (rw_patient_get_patient_id (patient), ==, "P7");
      g_assert_cmpstr (rw_patient_get_name (patient), ==, names[i]);
    }
  g_assert_true (rw_exam_get_patient (find (loaded, 1)) == rw_exam_get_patient (find (loaded, 2)));
  g_assert_cmpstr (rw_patient_get_patient_id (rw_exam_get_patient (find (loaded, 6))), ==, "P8");
  g_assert_false (rw_exam_get_patient (find (loaded, 6)) == rw_exam_get_patient (find (loaded, 1)));
}

/* Ids far apart: the load reads two halves on two connections, and every
 * exam comes back once, whole. */
static void
test_two_halves (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) exams = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 1; i <= 120; i++)
    {
      g_autofree char *patient_id = g_strdup_printf ("P%u", i % 7);
      g_autofree char *name = g_strdup_printf ("SOUZA^ANA %u", i % 7);

      g_ptr_array_add (exams, exam_of (i * 500, patient_id, name));
    }
  save_and_load_back (f, exams);
}

typedef struct {
  RwLocalStore *store;
  GPtrArray    *loaded;
  gint64        mark;
  GError       *error;
} ThreadLoad;

static gpointer
load_in_thread (gpointer data)
{
  ThreadLoad *t = data;

  t->loaded = rw_local_store_load (t->store, SERVER, NULL, &t->mark, &t->error);
  return NULL;
}

/* The blocking load, from a worker thread, as the desktop app reads its
 * cache at start: it waits its turn, after a save queued before it. */
static void
test_load_from_thread (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) exams = rw_test_exams_new (300, 9);
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GError) error = NULL;
  ThreadLoad t = { f->store, NULL, 0, NULL };
  GThread *thread;
  gint64 newest = 0;

  rw_local_store_save_async (f->store, SERVER, exams, NULL, on_result, &saved);
  thread = g_thread_new ("load", load_in_thread, &t);
  g_thread_join (thread);
  g_assert_no_error (t.error);
  g_assert_nonnull (t.loaded);
  g_assert_cmpuint (t.loaded->len, ==, exams->len);
  for (guint i = 0; i < exams->len; i++)
    {
      RwExam *exam = g_ptr_array_index (exams, i);

      assert_same_exam (exam, find (t.loaded, rw_exam_get_id (exam)));
      newest = MAX (newest, rw_exam_get_updated_at (exam));
    }
  g_assert_cmpint (t.mark, ==, newest);
  g_ptr_array_unref (t.loaded);

  g_assert_true (rw_local_store_save_finish (f->store, wait_for (&saved), &error));
  g_assert_no_error (error);
}

static void
test_update_and_mark (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) second = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) older = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RwLocalStore) reopened = NULL;
  gint64 mark = 0;

  g_ptr_array_add (first, rw_test_exam_new_with (1, "SILVA^JOAO", "CT", "2024-01-01",
                                                 RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_ROUTINE, 1000));
  g_ptr_array_add (first, rw_test_exam_new_with (2, "SOUZA^ANA", "MR", "2024-01-02",
                                                 RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_URGENT, 2000));
  g_assert_true (save (f->store, SERVER, first, &error));

  /* The same exam again, now in progress: replaced, not duplicated. */
  g_ptr_array_add (second, rw_test_exam_new_with (1, "SILVA^JOAO", "CT", "2024-01-01",
                                                  RW_EXAM_STATUS_IN_PROGRESS, RW_EXAM_PRIORITY_ROUTINE, 3000));
  g_assert_true (save (f->store, SERVER, second, &error));

  /* A late answer with older changes never lowers the high-water mark. */
  g_ptr_array_add (older, rw_test_exam_new_with (3, "LIMA^PAULO", "US", "2024-01-03",
                                                 RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_ROUTINE, 500));
  g_assert_true (save (f->store, SERVER, older, &error));
  g_assert_no_error (error);

  /* A second store on the same file sees what the first committed. */
  reopened = rw_local_store_new (f->path);
  loaded = load (reopened, SERVER, &mark, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 3);
  g_assert_cmpint (mark, ==, 3000);
  g_assert_cmpint (rw_exam_get_status (find (loaded, 1)), ==, RW_EXAM_STATUS_IN_PROGRESS);
  g_assert_cmpint (rw_exam_get_priority (find (loaded, 2)), ==, RW_EXAM_PRIORITY_URGENT);
}

static void
test_other_server (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) exams = rw_test_exams_new (5, 1);
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gint64 mark = -1;

  g_assert_true (save (f->store, SERVER, exams, &error));

  /* Another server's cache is never shown. */
  loaded = load (f->store, "https://other.example", &mark, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 0);
  g_assert_cmpint (mark, ==, 0);
  g_clear_pointer (&loaded, g_ptr_array_unref);

  /* Saving for another server replaces the cache instead of mixing. */
  g_ptr_array_add (others, rw_test_exam_new_with (100, "ROCHA^CELIA", "MG", "2024-02-01",
                                                  RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_ROUTINE, 10));
  g_assert_true (save (f->store, "https://other.example", others, &error));
  loaded = load (f->store, "https://other.example", &mark, &error);
  g_assert_cmpuint (loaded->len, ==, 1);
  g_assert_cmpint (mark, ==, 10);
  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = load (f->store, SERVER, &mark, &error);
  g_assert_cmpuint (loaded->len, ==, 0);
}

static void
test_clear (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) exams = rw_test_exams_new (10, 3);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gint64 mark = -1;

  g_assert_true (save (f->store, SERVER, exams, &error));
  g_assert_true (clear (f->store, &error));
  g_assert_no_error (error);
  loaded = load (f->store, SERVER, &mark, &error);
  g_assert_cmpuint (loaded->len, ==, 0);
  g_assert_cmpint (mark, ==, 0);
}

/* A file that is not a database is reported, and left as it was. */
static void
test_not_a_database (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) exams = rw_test_exams_new (3, 2);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_path_get_dirname (f->path);
  g_autofree char *contents = NULL;
  const char *garbage = "this is a text file, not SQLite\n";
  gint64 mark = -1;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, garbage, -1, NULL));

  loaded = load (f->store, SERVER, &mark, &error);
  g_assert_null (loaded);
  g_assert_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);

  g_assert_false (save (f->store, SERVER, exams, &error));
  g_assert_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_OPEN);

  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, garbage);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/local-store/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/local-store/load-from-thread", Fixture, NULL, fixture_setup, test_load_from_thread, fixture_teardown);
  g_test_add ("/local-store/update-and-mark", Fixture, NULL, fixture_setup, test_update_and_mark, fixture_teardown);
  g_test_add ("/local-store/other-server", Fixture, NULL, fixture_setup, test_other_server, fixture_teardown);
  g_test_add ("/local-store/shared-patients", Fixture, NULL, fixture_setup, test_shared_patients, fixture_teardown);
  g_test_add ("/local-store/two-halves", Fixture, NULL, fixture_setup, test_two_halves, fixture_teardown);
  g_test_add ("/local-store/search-keys", Fixture, NULL, fixture_setup, test_search_keys, fixture_teardown);
  g_test_add ("/local-store/clear", Fixture, NULL, fixture_setup, test_clear, fixture_teardown);
  g_test_add ("/local-store/not-a-database", Fixture, NULL, fixture_setup, test_not_a_database, fixture_teardown);

  return g_test_run ();
}
