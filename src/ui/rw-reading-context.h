/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <webkit/webkit.h>

#include "rw-orthanc-client.h"
#include "rw-outbox.h"
#include "rw-session.h"
#include "rw-user.h"
#include "rw-viewer-url.h"

G_BEGIN_DECLS

/* How the viewer reaches the PACS for one exam: the address, and the
 * Orthanc user and password from the keyring (NULL when none is set: the
 * PACS may not ask). The client is for the REST calls of the reading view
 * (series, priors, ZIP); the web view answers Orthanc's authentication
 * with the same user and password. */
typedef struct {
  char            *base_url;
  char            *username;
  char            *password;
  RwOrthancClient *client;
} RwOrthancAccess;

void rw_orthanc_access_free (RwOrthancAccess *access);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwOrthancAccess, rw_orthanc_access_free)

/* What every reading view of the app shares, owned by the application next
 * to the session: the one WebKit web context and network session of all
 * viewers, the report store and its outbox, the signed-in user (for the
 * signature) and the phrase bank. It follows the session: the outbox sends
 * with the signed-in user's token and pauses when nobody is signed in. */
#define RW_TYPE_READING_CONTEXT (rw_reading_context_get_type ())
G_DECLARE_FINAL_TYPE (RwReadingContext, rw_reading_context, RW, READING_CONTEXT, GObject)

RwReadingContext     *rw_reading_context_new                 (RwSession            *session,
                                                              const char           *store_path);

RwSession            *rw_reading_context_get_session         (RwReadingContext     *self);
RwReportStore        *rw_reading_context_get_store           (RwReadingContext     *self);
RwOutbox             *rw_reading_context_get_outbox          (RwReadingContext     *self);
WebKitWebContext     *rw_reading_context_get_web_context     (RwReadingContext     *self);
WebKitNetworkSession *rw_reading_context_get_network_session (RwReadingContext     *self);

/* The signed-in user's server and user name: the keys of their drafts. */
const char           *rw_reading_context_get_server          (RwReadingContext     *self);
const char           *rw_reading_context_get_username        (RwReadingContext     *self);

/* The phrase bank as last loaded (RwPhrase; empty before the first load).
 * "phrases-changed" tells when it was reloaded. */
GPtrArray            *rw_reading_context_get_phrases         (RwReadingContext     *self);
void                  rw_reading_context_reload_phrases      (RwReadingContext     *self);
/* Adds a phrase of the user's own and reloads the bank. */
void                  rw_reading_context_create_phrase_async (RwReadingContext     *self,
                                                              RwReportSection       section,
                                                              const char           *modality,
                                                              const char           *label,
                                                              const char           *text,
                                                              const char           *abbreviation,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
gboolean              rw_reading_context_create_phrase_finish (RwReadingContext    *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

/* The signed-in user as the server describes them (name, CRM, RQE), read
 * once per sign-in. */
void                  rw_reading_context_get_user_async      (RwReadingContext     *self,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
RwUser               *rw_reading_context_get_user_finish     (RwReadingContext     *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

/* The viewer of the preferences; @chosen tells whether the user picked it
 * (FALSE: the default, which the reading view may replace by one the PACS
 * has). */
RwViewerKind          rw_reading_context_get_viewer_kind     (RwReadingContext     *self,
                                                              gboolean             *chosen);
void                  rw_reading_context_set_viewer_kind     (RwReadingContext     *self,
                                                              RwViewerKind          kind);
char                 *rw_reading_context_dup_viewer_template (RwReadingContext     *self);
const char           *rw_viewer_kind_to_label                (RwViewerKind          kind);

/* The PACS address for @exam: the one of the preferences, or else the one
 * the server sent with the exam. NULL when neither is known. */
char                 *rw_reading_context_dup_orthanc_url     (RwReadingContext     *self,
                                                              RwExam               *exam);
void                  rw_reading_context_get_orthanc_async   (RwReadingContext     *self,
                                                              RwExam               *exam,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
RwOrthancAccess      *rw_reading_context_get_orthanc_finish  (RwReadingContext     *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

/* Stops sending and lets go of the session (the application's shutdown). */
void                  rw_reading_context_shutdown            (RwReadingContext     *self);

G_END_DECLS
