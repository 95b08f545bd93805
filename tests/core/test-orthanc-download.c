/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Streaming a study's ZIP from a real Orthanc: complete, cancelled midway,
 * failed; never a partial file left. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-orthanc-client.h"
#include "rw-test-orthanc.h"
#include "rw-test-studies.h"
#include "rw-test-util.h"

static RwTestOrthanc *orthanc;
static RwOrthancClient *client;
/* One study for every test: downloads do not change it. */
static char *study_id;
static guint study_instances;

typedef struct {
  char         *dir;
  char         *path;
  GFile        *file;
  GCancellable *cancellable;
  GArray       *progress;
  gboolean      cancel_on_progress;
  guint         parts_seen;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->dir = rw_test_make_tmpdir ("radiweb-download");
  fixture->path = g_build_filename (fixture->dir, "exam.zip", NULL);
  fixture->file = g_file_new_for_path (fixture->path);
  fixture->cancellable = g_cancellable_new ();
  fixture->progress = g_array_new (FALSE, FALSE, sizeof (goffset));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  rw_test_rm_rf (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_object_unref (fixture->file);
  g_object_unref (fixture->cancellable);
  g_array_unref (fixture->progress);
}

static GPtrArray *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  return names;
}

static void
on_progress (goffset  current,
             goffset  total,
             gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GPtrArray) names = list_dir (fixture->dir);

  g_assert_cmpint (total, ==, -1);
  g_array_append_val (fixture->progress, current);
  /* While it runs, only the temporary file exists, never the archive. */
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (names, 0), ".part"));
  fixture->parts_seen++;
  if (fixture->cancel_on_progress)
    g_cancellable_cancel (fixture->cancellable);
}

static gboolean
download (Fixture     *fixture,
          const char  *id,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rw_orthanc_client_download_study_async (client, id, fixture->file, on_progress, fixture,
                                          fixture->cancellable, rw_test_async_ready, &result);
  return rw_orthanc_client_download_study_finish (client, rw_test_await (&result), error);
}

static void
test_complete (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *eocd = NULL;

  g_assert_true (download (fixture, study_id, &error));
  g_assert_no_error (error);

  names = list_dir (fixture->dir);
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "exam.zip");

  g_assert_true (g_file_get_contents (fixture->path, &contents, &len, NULL));
  g_assert_cmpmem (contents, 4, "PK\3\4", 4);
  /* The end of central directory record counts the files: one per
   * instance. */
  for (gsize i = len - 22; i > 0 && eocd == NULL; i--)
    if (memcmp (contents + i, "PK\5\6", 4) == 0)
      eocd = contents + i;
  g_assert_nonnull (eocd);
  g_assert_cmpuint ((guint8) eocd[10] | ((guint8) eocd[11] << 8), ==, study_instances);

  /* Progress went up to the whole file. */
  g_assert_cmpuint (fixture->progress->len, >=, 1);
  for (guint i = 1; i < fixture->progress->len; i++)
    g_assert_cmpint (g_array_index (fixture->progress, goffset, i), >,
                     g_array_index (fixture->progress, goffset, i - 1));
  g_assert_cmpint (g_array_index (fixture->progress, goffset, fixture->progress->len - 1), ==, (goffset) len);
}

static void
test_cancel_midway (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;

  /* Cancelled after the first chunk is on disk. */
  fixture->cancel_on_progress = TRUE;
  g_assert_false (download (fixture, study_id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->parts_seen, ==, 1);
  names = list_dir (fixture->dir);
  g_assert_cmpuint (names->len, ==, 0);
}

static void
test_cancel_before (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;

  g_cancellable_cancel (fixture->cancellable);
  g_assert_false (download (fixture, study_id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  names = list_dir (fixture->dir);
  g_assert_cmpuint (names->len, ==, 0);
}

static void
test_failure_keeps_existing (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *contents = NULL;

  /* A failed download leaves what was there before untouched. */
  g_assert_true (g_file_set_contents (fixture->path, "earlier download", -1, NULL));
  g_assert_false (download (fixture, "0123abcd-0123abcd-0123abcd-0123abcd-0123abcd", &error));
  g_assert_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND);
  g_assert_cmpuint (fixture->parts_seen, ==, 0);
  names = list_dir (fixture->dir);
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_true (g_file_get_contents (fixture->path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "earlier download");
}

static void
test_missing_folder (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "no-such-folder", "exam.zip", NULL);

  g_object_unref (fixture->file);
  fixture->file = g_file_new_for_path (path);
  g_assert_false (download (fixture, study_id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RwTestStudy) study = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) exams = NULL;
  RwOrthancQuery query = { 0, };
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/orthanc-download/complete", Fixture, NULL, fixture_setup, test_complete, fixture_teardown);
  g_test_add ("/orthanc-download/cancel-midway", Fixture, NULL, fixture_setup, test_cancel_midway, fixture_teardown);
  g_test_add ("/orthanc-download/cancel-before", Fixture, NULL, fixture_setup, test_cancel_before, fixture_teardown);
  g_test_add ("/orthanc-download/failure-keeps-existing", Fixture, NULL, fixture_setup, test_failure_keeps_existing, fixture_teardown);
  g_test_add ("/orthanc-download/missing-folder", Fixture, NULL, fixture_setup, test_missing_folder, fixture_teardown);

  orthanc = rw_test_orthanc_new ();
  rw_test_orthanc_start (orthanc);
  client = rw_orthanc_client_new (rw_test_orthanc_get_url (orthanc), rw_test_orthanc_get_username (orthanc),
                                  rw_test_orthanc_get_password (orthanc), &error);
  g_assert_no_error (error);

  rand = g_rand_new ();
  study = rw_test_study_new_random (rand);
  rw_test_study_set (&study->modality, "CT");
  study->n_series = 3;
  study->n_instances = 4;
  study_instances = study->n_series * study->n_instances;
  rw_test_study_send (study, "127.0.0.1", rw_test_orthanc_get_dicom_port (orthanc), RW_TEST_ORTHANC_AET, &error);
  g_assert_no_error (error);
  query.patient_id = study->patient_id;
  rw_orthanc_client_find_studies_async (client, &query, NULL, rw_test_async_ready, &result);
  exams = rw_orthanc_client_find_studies_finish (client, rw_test_await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exams->len, ==, 1);
  study_id = g_strdup (rw_exam_get_orthanc_id (g_ptr_array_index (exams, 0)));

  status = g_test_run ();

  g_free (study_id);
  g_object_unref (client);
  rw_test_orthanc_free (orthanc);
  return status;
}
