/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-orthanc-client-private.h"

/* GET /studies/{id}/archive, streamed to disk. A study can be gigabytes:
 * the archive never sits in memory, and a download that does not complete
 * leaves nothing behind, so a half-written ZIP is never mistaken for a
 * study. */

#define CHUNK (256 * 1024)

typedef struct {
  SoupMessage           *msg;
  GInputStream          *input;
  GFile                 *destination;
  GFile                 *temp;
  GFileOutputStream     *output;
  GBytes                *chunk;
  GFileProgressCallback  progress;
  gpointer               progress_data;
  goffset                written;
  guint8                 head[4];
  gsize                  head_len;
  GError                *error;
} Download;

static void
download_free (Download *d)
{
  g_clear_object (&d->msg);
  g_clear_object (&d->input);
  g_clear_object (&d->destination);
  g_clear_object (&d->temp);
  g_clear_object (&d->output);
  g_clear_pointer (&d->chunk, g_bytes_unref);
  g_clear_error (&d->error);
  g_free (d);
}

static void
on_cleaned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (source), result, &error))
    g_warning ("Could not remove the incomplete download %s: %s",
               g_file_peek_path (d->temp), error->message);
  g_task_return_error (task, g_steal_pointer (&d->error));
}

static void
on_closed_for_cleanup (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *d = g_task_get_task_data (task);

  g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, NULL);
  /* Not cancellable: the partial file must go whatever happened. */
  g_file_delete_async (d->temp, G_PRIORITY_DEFAULT, NULL, on_cleaned, g_steal_pointer (&task));
}

/* Every failure after the temporary file exists ends here: close it,
 * remove it, then report @error. */
static void
fail (GTask  *task,
      GError *error)
{
  Download *d = g_task_get_task_data (task);

  d->error = error;
  if (d->input != NULL)
    g_input_stream_close_async (d->input, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  if (d->output != NULL && !g_output_stream_is_closed (G_OUTPUT_STREAM (d->output)))
    g_output_stream_close_async (G_OUTPUT_STREAM (d->output), G_PRIORITY_DEFAULT, NULL,
                                 on_closed_for_cleanup, task);
  else if (d->output != NULL)
    g_file_delete_async (d->temp, G_PRIORITY_DEFAULT, NULL, on_cleaned, task);
  else
    {
      g_task_return_error (task, g_steal_pointer (&d->error));
      g_object_unref (task);
    }
}

static void
on_moved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_file_move_finish (G_FILE (source), result, &error))
    {
      fail (g_steal_pointer (&task), error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_output_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *d = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    {
      fail (g_steal_pointer (&task), error);
      return;
    }
  /* Past this point the download is complete: the rename is not
   * cancellable, so a late cancel cannot leave a finished file
   * reported as failed. */
  g_task_set_check_cancellable (task, FALSE);
  g_file_move_async (d->temp, d->destination, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT, NULL,
                     NULL, NULL, on_moved, g_steal_pointer (&task));
}

static void read_next (GTask *task);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *d = g_task_get_task_data (task);
  GError *error = NULL;
  gsize written = 0;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    {
      fail (g_steal_pointer (&task), error);
      return;
    }
  d->written += (goffset) written;
  if (d->progress != NULL)
    d->progress (d->written, -1, d->progress_data);
  read_next (g_steal_pointer (&task));
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwOrthancClient *self = g_task_get_source_object (task);
  Download *d = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *cause = NULL;
  GError *error = NULL;
  gsize len;
  const guint8 *data;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &cause);
  if (chunk == NULL)
    {
      rw_orthanc_client_transport_error (self, d->msg, cause, &error);
      fail (g_steal_pointer (&task), error);
      return;
    }

  data = g_bytes_get_data (chunk, &len);
  if (len == 0)
    {
      if (d->head_len < sizeof d->head)
        {
          rw_orthanc_client_bad_response (self, d->msg, _("the archive is empty"), &error);
          fail (g_steal_pointer (&task), error);
          return;
        }
      g_output_stream_close_async (G_OUTPUT_STREAM (d->output), G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_output_closed,
                                   g_object_ref (task));
      return;
    }

  /* A ZIP starts with a local file header, "PK\3\4"; an HTML page from a
   * proxy does not. */
  if (d->head_len < sizeof d->head)
    {
      gsize n = MIN (len, sizeof d->head - d->head_len);

      memcpy (d->head + d->head_len, data, n);
      d->head_len += n;
      if (memcmp (d->head, "PK\3\4", d->head_len) != 0)
        {
          rw_orthanc_client_bad_response (self, d->msg, _("the archive is not a ZIP file"), &error);
          fail (g_steal_pointer (&task), error);
          return;
        }
    }

  /* write_all keeps a pointer to the data, not a reference to the bytes. */
  g_clear_pointer (&d->chunk, g_bytes_unref);
  d->chunk = g_steal_pointer (&chunk);
  g_output_stream_write_all_async (G_OUTPUT_STREAM (d->output), data, len, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_written, g_object_ref (task));
}

static void
read_next (GTask *task)
{
  Download *d = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (d->input, CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_read, task);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *d = g_task_get_task_data (task);
  GError *error = NULL;

  d->output = g_file_create_finish (G_FILE (source), result, &error);
  if (d->output == NULL)
    {
      fail (g_steal_pointer (&task), error);
      return;
    }
  read_next (g_steal_pointer (&task));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwOrthancClient *self = g_task_get_source_object (task);
  Download *d = g_task_get_task_data (task);
  g_autoptr(GFile) parent = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *temp_name = NULL;
  GError *cause = NULL;
  GError *error = NULL;

  d->input = soup_session_send_finish (SOUP_SESSION (source), result, &cause);
  if (d->input == NULL)
    {
      rw_orthanc_client_transport_error (self, d->msg, cause, &error);
      fail (g_steal_pointer (&task), error);
      return;
    }
  if (!rw_orthanc_client_check_status (self, d->msg, &error))
    {
      fail (g_steal_pointer (&task), error);
      return;
    }

  /* The same directory, so that the final rename is atomic. */
  parent = g_file_get_parent (d->destination);
  basename = g_file_get_basename (d->destination);
  temp_name = g_strdup_printf (".%s.%08x.part", basename, g_random_int ());
  d->temp = g_file_get_child (parent, temp_name);
  g_file_create_async (d->temp, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT,
                       g_task_get_cancellable (task), on_created, g_object_ref (task));
}

void
rw_orthanc_client_download_study_async (RwOrthancClient       *self,
                                        const char            *study_id,
                                        GFile                 *destination,
                                        GFileProgressCallback  progress,
                                        gpointer               progress_data,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) parent = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;
  Download *d;

  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));
  g_return_if_fail (G_IS_FILE (destination));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_orthanc_client_download_study_async);
  d = g_new0 (Download, 1);
  d->destination = g_object_ref (destination);
  d->progress = progress;
  d->progress_data = progress_data;
  g_task_set_task_data (task, d, (GDestroyNotify) download_free);

  parent = g_file_get_parent (destination);
  if (parent == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                               _("The archive needs a file name inside a folder"));
      return;
    }
  if (!rw_orthanc_client_check_id (self, study_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  path = g_strdup_printf ("/studies/%s/archive", study_id);
  d->msg = rw_orthanc_client_new_message (self, "GET", path);
  soup_session_send_async (rw_orthanc_client_get_session (self), d->msg, G_PRIORITY_DEFAULT,
                           cancellable, on_sent, g_steal_pointer (&task));
}

gboolean
rw_orthanc_client_download_study_finish (RwOrthancClient  *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
