/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "rw-server-schema.h"
#include "rw-server-store.h"
#include "rw-test-util.h"

/* The server's store on its own: writes grouped in one transaction, a
 * failing write that leaves nothing behind, the search index brought up to
 * date at commit. */

typedef struct {
  char          *dir;
  RwServerStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = rw_test_make_tmpdir ("rw-store");
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = rw_server_store_new (path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rw_server_store_stop (f->store);
  g_clear_object (&f->store);
  rw_test_rm_rf (f->dir);
  g_free (f->dir);
}

typedef struct {
  const char *name;
  gboolean    write_first;   /* fail after inserting a row */
  gboolean    fail;
  guint       runs;
  gboolean    finished;
  GError     *error;
  /* For the job that holds the writer until released. */
  GMutex     *lock;
  GCond      *cond;
  gboolean   *released;
  gboolean   *holding;
} Job;

static gboolean
insert_patient (RwSqlite    *db,
                const char  *name,
                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = rw_sqlite_prepare (db,
                                                    "INSERT INTO patients (patient_id, name, created_at, updated_at)"
                                                    " VALUES (?, ?, 0, 0)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  return rw_sqlite_step_done (db, stmt, error);
}

static gboolean
run_job (RwSqlite  *db,
         gpointer   data,
         GError   **error)
{
  Job *job = data;

  job->runs++;
  if (job->lock != NULL)
    {
      g_mutex_lock (job->lock);
      *job->holding = TRUE;
      g_cond_broadcast (job->cond);
      while (!*job->released)
        g_cond_wait (job->cond, job->lock);
      g_mutex_unlock (job->lock);
    }
  if (job->write_first && !insert_patient (db, job->name, error))
    return FALSE;
  if (job->fail)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s fails", job->name);
      return FALSE;
    }
  return job->write_first || insert_patient (db, job->name, error);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Job *job = user_data;

  rw_server_store_write_finish (RW_SERVER_STORE (source), result, &job->error);
  job->finished = TRUE;
}

static gboolean
all_finished (gpointer data)
{
  Job **jobs = data;

  for (guint i = 0; jobs[i] != NULL; i++)
    if (!jobs[i]->finished)
      return FALSE;
  return TRUE;
}

typedef struct {
  const char *name;
  gboolean    found;
} Lookup;

static gboolean
find_patient (RwSqlite  *db,
              gpointer   data,
              GError   **error)
{
  Lookup *lookup = data;
  g_autoptr(sqlite3_stmt) stmt = rw_sqlite_prepare (db, "SELECT 1 FROM patients WHERE patient_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, lookup->name, -1, SQLITE_STATIC);
  return rw_sqlite_step_row (db, stmt, &lookup->found, error);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (rw_server_store_read_finish (RW_SERVER_STORE (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
stored (Fixture    *f,
        const char *name)
{
  Lookup lookup = { name, FALSE };
  gboolean done = FALSE;

  rw_server_store_read_async (f->store, find_patient, &lookup, NULL, on_read, &done);
  g_assert_true (rw_test_wait_until (flag_set, &done, 10000));
  return lookup.found;
}

static gboolean
holding (gpointer data)
{
  Job *job = data;
  gboolean held;

  g_mutex_lock (job->lock);
  held = *job->holding;
  g_mutex_unlock (job->lock);
  return held;
}

/* Three writes in one group: the one that fails after writing leaves no
 * row; the others commit (one was run again after the roll-back); a write
 * that fails before writing makes nobody run again. */
static void
test_group_failure (Fixture       *f,
                    gconstpointer  data)
{
  GMutex lock;
  GCond cond;
  gboolean released = FALSE, is_holding = FALSE;
  Job hold = { "hold", FALSE, FALSE, 0, FALSE, NULL, &lock, &cond, &released, &is_holding };
  Job a = { "a", FALSE, FALSE, };
  Job b = { "b", TRUE, TRUE, };
  Job c = { "c", FALSE, FALSE, };
  Job d = { "d", FALSE, TRUE, };
  Job *jobs[] = { &hold, &a, &b, &c, &d, NULL };

  g_mutex_init (&lock);
  g_cond_init (&cond);

  /* The first job holds the writer, so the next four wait and make one
   * group. */
  rw_server_store_write_async (f->store, run_job, &hold, NULL, on_written, &hold);
  g_assert_true (rw_test_wait_until (holding, &hold, 10000));
  for (guint i = 1; jobs[i] != NULL; i++)
    rw_server_store_write_async (f->store, run_job, jobs[i], NULL, on_written, jobs[i]);
  g_mutex_lock (&lock);
  released = TRUE;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);
  g_assert_true (rw_test_wait_until (all_finished, jobs, 10000));

  g_assert_no_error (hold.error);
  g_assert_no_error (a.error);
  g_assert_no_error (c.error);
  g_assert_error (b.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_error (d.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (a.runs, ==, 2);
  g_assert_cmpuint (b.runs, ==, 1);
  g_assert_cmpuint (c.runs, ==, 1);
  g_assert_cmpuint (d.runs, ==, 1);
  g_assert_true (stored (f, "hold"));
  g_assert_true (stored (f, "a"));
  g_assert_false (stored (f, "b"));
  g_assert_true (stored (f, "c"));
  g_assert_false (stored (f, "d"));

  g_clear_error (&b.error);
  g_clear_error (&d.error);
  g_mutex_clear (&lock);
  g_cond_clear (&cond);
}

typedef struct {
  gint64 exam_id;
} Stale;

static gboolean
add_exam (RwSqlite  *db,
          gpointer   data,
          GError   **error)
{
  Stale *stale = data;

  if (!rw_sqlite_exec (db,
                       "INSERT INTO patients (id, patient_id, name, created_at, updated_at)"
                       " VALUES (1, 'P-77', 'CONCEIÇÃO^MARIA', 0, 0);"
                       "INSERT INTO exams (id, patient_ref, study_uid, accession_number, description,"
                       " received_at, updated_at) VALUES (5, 1, '1.2', 'ACC-9', 'RM CRÂNIO', 0, 0);",
                       error))
    return FALSE;
  stale->exam_id = 5;
  return rw_server_schema_mark_exam_stale (db, stale->exam_id, error);
}

typedef struct {
  char *folded;
} Folded;

static gboolean
read_folded (RwSqlite  *db,
             gpointer   data,
             GError   **error)
{
  Folded *out = data;
  g_autoptr(sqlite3_stmt) stmt = rw_sqlite_prepare (db, "SELECT rowid FROM exam_search WHERE exam_search MATCH '\"conceicao\" AND \"cranio\" AND \"p\" AND \"77\"'", error);
  gboolean has_row = FALSE;

  if (stmt == NULL || !rw_sqlite_step_row (db, stmt, &has_row, error))
    return FALSE;
  out->folded = has_row ? g_strdup_printf ("%lld", (long long) sqlite3_column_int64 (stmt, 0)) : NULL;
  return TRUE;
}

static void
test_search_at_commit (Fixture       *f,
                       gconstpointer  data)
{
  Stale stale = { 0 };
  Job done = { "exam", };
  Folded folded = { NULL };
  gboolean read = FALSE;

  rw_server_store_write_async (f->store, add_exam, &stale, NULL, on_written, &done);
  g_assert_true (rw_test_wait_until (flag_set, &done.finished, 10000));
  g_assert_no_error (done.error);

  rw_server_store_read_async (f->store, read_folded, &folded, NULL, on_read, &read);
  g_assert_true (rw_test_wait_until (flag_set, &read, 10000));
  g_assert_cmpstr (folded.folded, ==, "5");
  g_free (folded.folded);
}

typedef struct {
  RwServerStore *store;
  char          *blob;
  guint          submitted;
  guint          wanted;
  guint          written;
  guint          failed;
  gint64         until;
  guint          timer;
} Flood;

typedef struct {
  Flood *flood;
  guint  index;
} Blob;

static gboolean
insert_blob (RwSqlite  *db,
             gpointer   data,
             GError   **error)
{
  Blob *blob = data;
  g_autoptr(sqlite3_stmt) stmt = rw_sqlite_prepare (db,
                                                    "INSERT INTO patients (patient_id, name, created_at, updated_at)"
                                                    " VALUES (?, ?, 0, 0)", error);
  g_autofree char *id = g_strdup_printf ("blob-%u", blob->index);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, blob->flood->blob, -1, SQLITE_STATIC);
  return rw_sqlite_step_done (db, stmt, error);
}

static void
on_blob_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree Blob *blob = user_data;

  if (!rw_server_store_write_finish (RW_SERVER_STORE (source), result, NULL))
    blob->flood->failed++;
  blob->flood->written++;
}

/* Writes every millisecond, more than the writer can take at once, so that
 * it is never idle, as under a busy intake. */
static gboolean
flood_tick (gpointer data)
{
  Flood *flood = data;

  if (g_get_monotonic_time () >= flood->until || flood->submitted >= flood->wanted)
    {
      flood->timer = 0;
      return G_SOURCE_REMOVE;
    }
  for (guint i = 0; i < 30; i++)
    {
      Blob *blob = g_new0 (Blob, 1);

      blob->flood = flood;
      blob->index = flood->submitted++;
      rw_server_store_write_async (flood->store, insert_blob, blob, NULL, on_blob_written, blob);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
flood_done (gpointer data)
{
  Flood *flood = data;

  return flood->timer == 0 && flood->written == flood->submitted;
}

/* Commits that keep coming leave the checkpoint no quiet moment; the log
 * must still start over instead of growing with them. It may hold 16 000
 * pages of 4 KiB (CHECKPOINT_FINISH in rw-server-store.c) and the group
 * that crossed that line; the writes add up to four times that. */
static void
test_log_stays_small (Fixture       *f,
                      gconstpointer  data)
{
  const gsize blob_size = 20000;
  const gint64 log_limit = 80 * 1024 * 1024;
  Flood flood = { f->store, g_strnfill (blob_size, 'x'), 0, 0, 0, 0, 0, 0 };
  g_autofree char *wal = g_build_filename (f->dir, "store.db-wal", NULL);
  GStatBuf st;

  flood.wanted = (guint) (4 * log_limit / blob_size);
  flood.until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  flood.timer = g_timeout_add (1, flood_tick, &flood);
  while (!flood_done (&flood))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (flood.failed, ==, 0);
  g_assert_cmpuint (flood.written, >=, flood.wanted);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_test_message ("%u writes; log: %ld bytes", flood.written, (long) st.st_size);
  g_assert_cmpint (st.st_size, <, log_limit);
  g_free (flood.blob);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/store/group-failure", Fixture, NULL, fixture_setup, test_group_failure, fixture_teardown);
  g_test_add ("/server/store/search-at-commit", Fixture, NULL, fixture_setup, test_search_at_commit, fixture_teardown);
  g_test_add ("/server/store/log-stays-small", Fixture, NULL, fixture_setup, test_log_stays_small, fixture_teardown);

  return g_test_run ();
}
