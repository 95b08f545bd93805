/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-api-reports.h"
#include "rw-phrase-bank.h"
#include "rw-reading-context.h"
#include "rw-report-form.h"
#include "rw-viewer-pane.h"

G_BEGIN_DECLS

typedef enum {
  /* Reading the exam, its laudo and the local draft. */
  RW_READING_LOADING,
  /* The radiologist writes; every change reaches the local draft. */
  RW_READING_EDITING,
  /* Another radiologist holds the exam, it was cancelled, or the user may
   * not write laudos: the text is shown, not editable. */
  RW_READING_READ_ONLY,
  /* The signature is on its way through the outbox. */
  RW_READING_SIGNING,
  /* Signed: read-only, with its date and time; addenda may follow. */
  RW_READING_FINAL,
} RwReadingMode;

/* One exam open for reading: its images in the viewer pane beside the
 * report form, in a resizable split. Opening claims the exam; closing
 * without having written anything gives the claim back. Every change
 * reaches the local draft within about a second; saving, finalizing and
 * addenda go through the outbox. */
#define RW_TYPE_READING_VIEW (rw_reading_view_get_type ())
G_DECLARE_FINAL_TYPE (RwReadingView, rw_reading_view, RW, READING_VIEW, GtkWidget)

RwReadingView *rw_reading_view_new             (RwReadingContext     *context,
                                                RwExam               *exam);

gint64         rw_reading_view_get_exam_id     (RwReadingView        *self);
RwExam        *rw_reading_view_get_exam        (RwReadingView        *self);
RwReadingMode  rw_reading_view_get_mode        (RwReadingView        *self);
/* The patient's name, for the tab. */
const char    *rw_reading_view_get_title       (RwReadingView        *self);
/* The banner above the view (why it is read-only, a restored draft, the
 * server unreachable…), or NULL. */
const char    *rw_reading_view_get_notice      (RwReadingView        *self);
/* The line under the form: where the text is (on this computer, being
 * sent, on the server). */
const char    *rw_reading_view_get_status      (RwReadingView        *self);
/* Outbox entries of this exam not yet answered by the server. */
guint          rw_reading_view_get_n_sending   (RwReadingView        *self);

RwReportForm  *rw_reading_view_get_form        (RwReadingView        *self);
RwReportForm  *rw_reading_view_get_prior_form  (RwReadingView        *self);
RwViewerPane  *rw_reading_view_get_viewer      (RwReadingView        *self);
RwPhraseBank  *rw_reading_view_get_phrase_bank (RwReadingView        *self);
/* The priors listed (RwPrior: the server's, then those only on the PACS). */
GPtrArray     *rw_reading_view_get_priors      (RwReadingView        *self);
void           rw_reading_view_open_prior      (RwReadingView        *self,
                                                guint                 index);

/* Saves the study as a ZIP into @destination (what the file chooser of
 * reading.download leads to), with progress under the toolbar. */
void           rw_reading_view_download_to     (RwReadingView        *self,
                                                GFile                *destination);
/* TRUE while a download runs. */
gboolean       rw_reading_view_get_downloading (RwReadingView        *self);
/* What the progress bar counts: bytes of the running (or last) download
 * received so far. */
goffset        rw_reading_view_get_download_received (RwReadingView  *self);

/* Puts everything typed where it is safe before the view goes: the draft
 * on disk, a save in the outbox when the text differs from the server's;
 * gives the claim back when nothing was written. */
void           rw_reading_view_close_async     (RwReadingView        *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean       rw_reading_view_close_finish    (RwReadingView        *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
