/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-api-client.h"
#include "rw-report-store.h"

G_BEGIN_DECLS

typedef enum {
  /* Nothing to send. */
  RW_OUTBOX_IDLE,
  /* A request is on its way. */
  RW_OUTBOX_SENDING,
  /* The server could not be reached; the next try is scheduled. */
  RW_OUTBOX_WAITING,
  /* Signed out, or the server refused the session: nothing is sent until
   * a client with a valid token is set. */
  RW_OUTBOX_PAUSED,
} RwOutboxState;

/* Sends what the radiologist saved, finalized or added to the server, in
 * the order it was asked for, from the report store's outbox: an entry
 * leaves the outbox only once the server has answered for it, and a
 * server that cannot be reached is tried again with a growing pause (1 s,
 * 2 s, 4 s … at most a minute) until it answers.
 *
 * Retries are idempotent through the laudo's version: a save carries the
 * version it was based on, so a save the server took but whose answer was
 * lost comes back as a 409 with the server's laudo holding the same text at
 * a newer version, which counts as delivered. A 409 with another text is a
 * real conflict (a colleague saved meanwhile): the entry leaves the outbox,
 * the draft keeps the text, and "refused" carries the server's laudo so
 * both can be shown. Nothing is ever overwritten without the radiologist
 * choosing to. */
#define RW_TYPE_OUTBOX (rw_outbox_get_type ())
G_DECLARE_FINAL_TYPE (RwOutbox, rw_outbox, RW, OUTBOX, GObject)

RwOutbox      *rw_outbox_new            (RwReportStore        *store);
RwReportStore *rw_outbox_get_store      (RwOutbox             *self);

/* The signed-in user's client; NULL pauses (signed out). Entries of other
 * users or servers wait in the store for their owner's next sign-in. */
void           rw_outbox_set_client     (RwOutbox             *self,
                                         RwApiClient          *client,
                                         const char           *server,
                                         const char           *username);

/* Queues a save or finalization of @text (the three sections; it also
 * becomes the draft) or an addendum of @addendum, and starts sending. The
 * callback runs once the entry is committed to disk, not when the server
 * has it: "delivered" says that. */
void           rw_outbox_send_async     (RwOutbox             *self,
                                         gint64                exam_id,
                                         RwOutboxKind          kind,
                                         const char * const   *text,
                                         const char           *addendum,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean       rw_outbox_send_finish    (RwOutbox             *self,
                                         GAsyncResult         *result,
                                         GError              **error);

/* Tries at once instead of waiting out the pause (the server is back). */
void           rw_outbox_retry_now      (RwOutbox             *self);

RwOutboxState  rw_outbox_get_state      (RwOutbox             *self);
/* Entries not yet taken by the server. */
guint          rw_outbox_get_n_pending  (RwOutbox             *self);
/* Why the outbox waits or is paused, for people; NULL otherwise. */
const char    *rw_outbox_get_last_error (RwOutbox             *self);

G_END_DECLS
