/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rw-api-client.h"
#include "rw-exam.h"
#include "rw-local-store.h"
#include "rw-worklist-model.h"

G_BEGIN_DECLS

typedef enum {
  RW_SESSION_SIGNED_OUT,
  RW_SESSION_SIGNED_IN,
} RwSessionState;

/* The signed-in user's connection to Radiweb, passed to every window (the
 * context object of the desktop app): the API client, the token in the
 * keyring, the local cache, the live event stream and the worklist they
 * keep up to date. */
#define RW_TYPE_SESSION (rw_session_get_type ())
G_DECLARE_FINAL_TYPE (RwSession, rw_session, RW, SESSION, GObject)

RwSession       *rw_session_new                (GSettings            *settings,
                                                const char           *store_path);

RwSessionState   rw_session_get_state          (RwSession            *self);
gboolean         rw_session_get_online         (RwSession            *self);
gboolean         rw_session_get_busy           (RwSession            *self);
const char      *rw_session_get_server_url     (RwSession            *self);
const char      *rw_session_get_username       (RwSession            *self);
const char      *rw_session_get_display_name   (RwSession            *self);
RwWorklistModel *rw_session_get_worklist       (RwSession            *self);
RwApiClient     *rw_session_get_client         (RwSession            *self);
GSettings       *rw_session_get_settings       (RwSession            *self);

/* Silent sign-in at start: the cached worklist and the token stored in the
 * keyring for the saved server and user. FALSE without an error means the
 * user has to sign in; the session then stays signed out. */
void             rw_session_restore_async      (RwSession            *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean         rw_session_restore_finish     (RwSession            *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void             rw_session_sign_in_async      (RwSession            *self,
                                                const char           *server_url,
                                                const char           *username,
                                                const char           *password,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean         rw_session_sign_in_finish     (RwSession            *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* Revokes the token on the server when it can be reached, and always
 * forgets it locally: keyring items, cached worklist. */
void             rw_session_sign_out_async     (RwSession            *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean         rw_session_sign_out_finish    (RwSession            *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* Fetches what changed since the last sync now, and retries the event
 * stream at once instead of waiting out its back-off. */
void             rw_session_refresh            (RwSession            *self);

G_END_DECLS
