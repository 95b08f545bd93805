/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rw-report.h"

G_BEGIN_DECLS

/* What a radiologist typed and what is still to be sent, kept on the
 * workstation in a SQLite file of its own: the drafts (one per exam, the
 * text as last typed) and the outbox (saves, finalizations and addenda in
 * the order they were asked for). Rows belong to one user of one server and
 * are only ever read back for them.
 *
 * Every call runs on one worker thread in the order it was made, and every
 * write is committed with synchronous=FULL before its callback runs: the
 * text is the only copy of a radiologist's work until the server confirms
 * it, so neither a killed process nor a power cut may take it. Drafts are
 * written at most about once a second, so the fsync costs nothing anyone
 * notices. */

typedef struct {
  gint64    exam_id;
  char     *text[RW_REPORT_N_SECTIONS];
  /* The server's version the text started from; 0 before the first save. */
  gint64    base_version;
  /* Typed here and not yet confirmed by the server. */
  gboolean  unsent;
  /* The server's laudo when a save was refused as stale, until the
   * radiologist decides; NULL otherwise. */
  RwReport *conflict;
  /* Why the server refused the last send (not a conflict of versions),
   * for the radiologist; NULL otherwise. */
  char     *failure;
  /* Unix microseconds of the last write. */
  gint64    updated_at;
} RwDraft;

void rw_draft_free (RwDraft *draft);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwDraft, rw_draft_free)

typedef enum {
  RW_OUTBOX_SAVE,
  RW_OUTBOX_FINALIZE,
  RW_OUTBOX_ADDENDUM,
} RwOutboxKind;

typedef struct {
  gint64        id;
  gint64        exam_id;
  RwOutboxKind  kind;
  /* For a save or a finalization. */
  char         *text[RW_REPORT_N_SECTIONS];
  /* For an addendum. */
  char         *addendum;
  /* The draft's base version when the entry is read: what the server must
   * still have for the save to apply. */
  gint64        base_version;
  guint         attempts;
  gint64        created_at;   /* Unix microseconds */
} RwOutboxEntry;

void rw_outbox_entry_free (RwOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwOutboxEntry, rw_outbox_entry_free)

#define RW_TYPE_REPORT_STORE (rw_report_store_get_type ())
G_DECLARE_FINAL_TYPE (RwReportStore, rw_report_store, RW, REPORT_STORE, GObject)

/* The file is created (with its folder) on first use. */
RwReportStore *rw_report_store_new               (const char           *path);
const char    *rw_report_store_get_path          (RwReportStore        *self);

/* Every write below finishes with rw_report_store_write_finish(). */
gboolean       rw_report_store_write_finish      (RwReportStore        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* The draft of @exam_id, or NULL without an error when there is none. */
void           rw_report_store_load_draft_async  (RwReportStore        *self,
                                                  const char           *server,
                                                  const char           *username,
                                                  gint64                exam_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RwDraft       *rw_report_store_load_draft_finish (RwReportStore        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Keeps @text (the three sections, as typed) as the draft of @exam_id,
 * marked unsent. A new draft starts from @base_version; an existing one
 * keeps its own, which only the server's answers move. */
void           rw_report_store_write_draft_async (RwReportStore        *self,
                                                  const char           *server,
                                                  const char           *username,
                                                  gint64                exam_id,
                                                  const char * const   *text,
                                                  gint64                base_version,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);

/* Makes the server's @report (NULL: none yet) the draft's starting point:
 * its text, its version, nothing unsent, no conflict or failure. */
void           rw_report_store_adopt_async       (RwReportStore        *self,
                                                  const char           *server,
                                                  const char           *username,
                                                  gint64                exam_id,
                                                  RwReport             *report,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);

/* Keeps the typed text over the server's @report after a conflict: the
 * draft's base becomes @report's version, so the next save overwrites it,
 * as the radiologist chose having seen both. */
void           rw_report_store_rebase_async      (RwReportStore        *self,
                                                  const char           *server,
                                                  const char           *username,
                                                  gint64                exam_id,
                                                  RwReport             *report,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);

void           rw_report_store_delete_draft_async (RwReportStore       *self,
                                                  const char           *server,
                                                  const char           *username,
                                                  gint64                exam_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);

/* Queues a send. For a save or a finalization @text also becomes the
 * draft (in the same transaction); for an addendum @addendum is the text.
 * The finish gives the entry's id. */
void           rw_report_store_enqueue_async     (RwReportStore        *self,
                                                  const char           *server,
                                                  const char           *username,
                                                  gint64                exam_id,
                                                  RwOutboxKind          kind,
                                                  const char * const   *text,
                                                  const char           *addendum,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gint64         rw_report_store_enqueue_finish    (RwReportStore        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* The oldest entry of the user's outbox with its draft's base version, or
 * NULL without an error when it is empty. @n_pending receives the number
 * of entries. */
void           rw_report_store_next_async        (RwReportStore        *self,
                                                  const char           *server,
                                                  const char           *username,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RwOutboxEntry *rw_report_store_next_finish       (RwReportStore        *self,
                                                  GAsyncResult         *result,
                                                  guint                *n_pending,
                                                  GError              **error);

/* The server took entry @entry_id and answered with @report: the entry
 * goes, the draft's base becomes the report's version, it is no longer
 * unsent if its text is the report's, and it goes altogether once the
 * laudo is final. */
void           rw_report_store_delivered_async   (RwReportStore        *self,
                                                  const char           *server,
                                                  const char           *username,
                                                  gint64                entry_id,
                                                  RwReport             *report,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);

/* The server refused entry @entry_id for good: this entry and every later
 * one of the same exam leave the outbox (they were built on it), and the
 * draft, which keeps the text, records the server's @conflict (a laudo) or
 * the @failure message. */
void           rw_report_store_refused_async     (RwReportStore        *self,
                                                  const char           *server,
                                                  const char           *username,
                                                  gint64                entry_id,
                                                  RwReport             *conflict,
                                                  const char           *failure,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);

/* One more failed attempt of entry @entry_id (the server was unreachable). */
void           rw_report_store_count_attempt_async (RwReportStore      *self,
                                                  gint64                entry_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);

/* Blocks until every call made so far has run: at the application's end,
 * so the last draft is on disk before the process exits. */
void           rw_report_store_wait_idle         (RwReportStore        *self);

G_END_DECLS
