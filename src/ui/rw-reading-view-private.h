/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-api-reports.h"
#include "rw-conflict-dialog.h"
#include "rw-reading-view.h"

G_BEGIN_DECLS

/* The reading view is four files: rw-reading-view.c (opening, the claim,
 * drafts, saving, signing, closing), rw-reading-priors.c (the patient's
 * other exams), rw-reading-phrases.c (the phrase bank) and
 * rw-reading-download.c (the study's ZIP). */
struct _RwReadingView
{
  GtkWidget          parent_instance;

  /* Template widgets */
  AdwToastOverlay   *toast_overlay;
  GtkInfoBar        *banner;
  GtkLabel          *banner_label;
  GtkPaned          *paned;
  GtkBox            *viewer_box;
  GtkRevealer       *images_revealer;
  GtkLabel          *images_label;
  GtkMenuButton     *priors_button;
  GtkListBox        *priors_list;
  GtkStack          *priors_stack;
  GtkMenuButton     *phrases_button;
  GtkWidget         *download_box;
  GtkProgressBar    *download_progress;
  GtkRevealer       *prior_revealer;
  GtkLabel          *prior_title;
  RwReportForm      *prior_form;
  RwReportForm      *form;
  GtkLabel          *status_label;

  /* Borrowed references */
  RwViewerPane      *viewer;
  RwPhraseBank      *phrase_bank;
  RwConflictDialog  *conflict_dialog;
  AdwMessageDialog  *finalize_dialog;

  /* Owned references */
  RwReadingContext  *context;
  RwExam            *exam;
  RwReport          *report;
  RwDraft           *draft;
  RwExamRecord      *record;
  GError            *open_error;
  GPtrArray         *priors;
  GCancellable      *cancellable;
  GCancellable      *download_cancellable;
  /* Bytes of the running (or last) download written so far. */
  goffset            download_received;
  char              *server;
  char              *username;
  char              *notice;
  char              *status;
  char              *title;

  /* The server's version the text on screen started from. */
  gint64             base_version;
  /* When the first change not yet in the draft was made (monotonic µs). */
  gint64             first_unsaved_change;
  guint              draft_timer;
  guint              pending_loads;
  guint              n_sending;
  RwReadingMode      mode;
  /* The radiologist changed the text during this opening. */
  gboolean           typed;
  /* Changed since the draft was last written. */
  gboolean           dirty;
  /* This opening's claim took a pending exam. */
  gboolean           claimed_here;
  gboolean           showing_prior_images;
  gboolean           can_sign;
};

void rw_reading_view_toast           (RwReadingView *self,
                                      const char    *message);

/* rw-reading-phrases.c */
void rw_reading_view_init_phrases    (RwReadingView *self);
void rw_reading_view_watch_phrases   (RwReadingView *self);
void rw_reading_view_filter_phrases  (RwReadingView *self);
void rw_reading_view_show_phrases    (RwReadingView *self);
void rw_reading_view_new_phrase      (RwReadingView *self);

/* rw-reading-priors.c */
void rw_reading_view_init_priors     (RwReadingView *self);
void rw_reading_view_load_priors     (RwReadingView *self);
void rw_reading_view_show_current_images (RwReadingView *self);
void rw_reading_view_close_prior     (RwReadingView *self);

/* rw-reading-download.c */
void rw_reading_view_download        (RwReadingView *self);
void rw_reading_view_cancel_download (RwReadingView *self);

G_END_DECLS
