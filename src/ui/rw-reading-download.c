/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-reading-view-private.h"

/* The study as a ZIP for the radiologist (a second opinion, a teaching
 * file): streamed from Orthanc into the chosen file, with progress and a
 * Cancel button. The core client writes a temporary file beside the
 * destination and renames it only once complete, so a cancelled or failed
 * download leaves nothing behind. GtkFileDialog is GTK 4.10; Debian 12 has
 * 4.8, hence GtkFileChooserNative (the portal inside a Flatpak). */

typedef struct {
  RwReadingView *self;
  GFile         *destination;
  char          *study_id;
} Download;

static void
download_free (Download *download)
{
  g_object_unref (download->self);
  g_clear_object (&download->destination);
  g_free (download->study_id);
  g_free (download);
}

static void
finish (RwReadingView *self)
{
  gtk_widget_set_visible (self->download_box, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reading.download", TRUE);
  g_clear_object (&self->download_cancellable);
}

static void
on_progress (goffset  current,
             goffset  total,
             gpointer user_data)
{
  RwReadingView *self = user_data;
  g_autofree char *size = g_format_size ((guint64) current);
  /* Translators: while the study downloads, "12.3 MB received". */
  g_autofree char *text = g_strdup_printf (_("%s received"), size);

  self->download_received = current;
  /* Orthanc streams the ZIP without a length: the bar can only pulse. */
  if (total > 0)
    gtk_progress_bar_set_fraction (self->download_progress, (double) current / (double) total);
  else
    gtk_progress_bar_pulse (self->download_progress);
  gtk_progress_bar_set_text (self->download_progress, text);
}

static void
on_downloaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Download *download = user_data;
  RwReadingView *self = download->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;

  if (rw_orthanc_client_download_study_finish (RW_ORTHANC_CLIENT (source), result, &error))
    {
      name = g_file_get_parse_name (download->destination);
      /* Translators: %s is a file name. */
      message = g_strdup_printf (_("Study saved to %s"), name);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    message = g_strdup (_("Download cancelled: nothing was saved."));
  else
    message = g_strdup_printf (_("The study could not be downloaded: %s"), error->message);
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      finish (self);
      rw_reading_view_toast (self, message);
    }
  download_free (download);
}

static void
start_download (Download        *download,
                RwOrthancClient *client)
{
  RwReadingView *self = download->self;

  self->download_received = 0;
  gtk_progress_bar_set_fraction (self->download_progress, 0);
  gtk_progress_bar_set_text (self->download_progress, _("Starting the download…"));
  rw_orthanc_client_download_study_async (client, download->study_id, download->destination,
                                          on_progress, self, self->download_cancellable,
                                          on_downloaded, download);
}

static void
fail (Download     *download,
      const GError *error)
{
  RwReadingView *self = download->self;
  g_autofree char *message = g_strdup_printf (_("The study could not be downloaded: %s"), error->message);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    rw_reading_view_toast (self, message);
  finish (self);
  download_free (download);
}

static void
on_study_id (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Download *download = user_data;
  g_autoptr(GError) error = NULL;

  download->study_id = rw_orthanc_client_lookup_study_finish (RW_ORTHANC_CLIENT (source), result, &error);
  if (download->study_id == NULL)
    {
      fail (download, error);
      return;
    }
  start_download (download, RW_ORTHANC_CLIENT (source));
}

static void
on_access (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Download *download = user_data;
  RwReadingView *self = download->self;
  g_autoptr(RwOrthancAccess) access = NULL;
  g_autoptr(GError) error = NULL;

  access = rw_reading_context_get_orthanc_finish (RW_READING_CONTEXT (source), result, &error);
  if (access == NULL)
    {
      fail (download, error);
      return;
    }
  if (rw_exam_get_orthanc_id (self->exam)[0] != '\0')
    {
      download->study_id = g_strdup (rw_exam_get_orthanc_id (self->exam));
      start_download (download, access->client);
    }
  else
    rw_orthanc_client_lookup_study_async (access->client, rw_exam_get_study_uid (self->exam),
                                          self->download_cancellable, on_study_id, download);
}

void
rw_reading_view_download_to (RwReadingView *self,
                             GFile         *destination)
{
  Download *download;

  g_return_if_fail (RW_IS_READING_VIEW (self));
  g_return_if_fail (G_IS_FILE (destination));

  if (self->download_cancellable != NULL)
    return;
  download = g_new0 (Download, 1);
  download->self = g_object_ref (self);
  download->destination = g_object_ref (destination);
  self->download_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (self->download_box, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reading.download", FALSE);
  rw_reading_context_get_orthanc_async (self->context, self->exam, self->download_cancellable,
                                        on_access, download);
}

static void
on_chosen (GtkNativeDialog *chooser,
           int              response,
           gpointer         user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  if (file != NULL && !gtk_widget_in_destruction (GTK_WIDGET (self)))
    rw_reading_view_download_to (self, file);
}

/* "12345-2024-01-01-ACC2024001.zip": no name of the patient in a file
 * name that may end up anywhere. */
static char *
suggested_name (RwExam *exam)
{
  GString *name = g_string_new (rw_patient_get_patient_id (rw_exam_get_patient (exam)));

  if (rw_exam_get_study_date (exam)[0] != '\0')
    g_string_append_printf (name, "-%s", rw_exam_get_study_date (exam));
  if (rw_exam_get_accession_number (exam)[0] != '\0')
    g_string_append_printf (name, "-%s", rw_exam_get_accession_number (exam));
  g_strcanon (name->str, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", '_');
  if (name->len == 0)
    g_string_append (name, "estudo");
  g_string_append (name, ".zip");
  return g_string_free (name, FALSE);
}

void
rw_reading_view_download (RwReadingView *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = suggested_name (self->exam);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->download_cancellable != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Save the Study as ZIP"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
rw_reading_view_cancel_download (RwReadingView *self)
{
  g_cancellable_cancel (self->download_cancellable);
}

gboolean
rw_reading_view_get_downloading (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), FALSE);
  return self->download_cancellable != NULL;
}

goffset
rw_reading_view_get_download_received (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), 0);
  return self->download_received;
}
