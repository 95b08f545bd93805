/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a keyring item holds. */
typedef enum {
  /* The Radiweb session token of a user on a server. */
  RW_KEYRING_TOKEN,
  /* The password of the Orthanc user that the viewer signs in as. */
  RW_KEYRING_ORTHANC_PASSWORD,
} RwKeyringKind;

void      rw_keyring_store_async  (RwKeyringKind         kind,
                                   const char           *server,
                                   const char           *username,
                                   const char           *secret,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean  rw_keyring_store_finish (GAsyncResult         *result,
                                   GError              **error);

void      rw_keyring_lookup_async (RwKeyringKind         kind,
                                   const char           *server,
                                   const char           *username,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
/* NULL without an error when there is no such item. Free with
 * rw_keyring_free_secret(), which wipes it. */
char     *rw_keyring_lookup_finish (GAsyncResult        *result,
                                    GError             **error);

/* Clears every item of @kind on @server; @username NULL means any user. */
void      rw_keyring_clear_async  (RwKeyringKind         kind,
                                   const char           *server,
                                   const char           *username,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean  rw_keyring_clear_finish (GAsyncResult         *result,
                                   GError              **error);

void      rw_keyring_free_secret  (char                 *secret);

/* The schema, for tests that check what landed in the keyring. */
gconstpointer rw_keyring_get_schema (void);
const char   *rw_keyring_kind_to_string (RwKeyringKind kind);

G_END_DECLS
