/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "rw-sqlite.h"

G_BEGIN_DECLS

/* A user as the API shows it: {"id","username","display_name","crm","rqe",
 * "role"}. The password hash never leaves rw-server-users.c. */
typedef struct {
  gint64    id;
  char     *username;
  char     *display_name;
  char     *crm;
  char     *rqe;
  char     *role;
  gboolean  disabled;
} RwServerUser;

#define RW_SERVER_ROLE_RADIOLOGIST "radiologist"
#define RW_SERVER_ROLE_ADMIN       "admin"

/* Columns for rw_server_user_from_row(), prefixed with a table alias. */
#define RW_SERVER_USER_COLUMNS(t) \
  t ".id, " t ".username, " t ".display_name, " t ".crm, " t ".rqe, " t ".role, " t ".disabled"
#define RW_SERVER_USER_N_COLUMNS 7

RwServerUser *rw_server_user_from_row        (sqlite3_stmt        *stmt,
                                              int                  first);
RwServerUser *rw_server_user_copy            (const RwServerUser  *user);
void          rw_server_user_free            (RwServerUser        *user);
gboolean      rw_server_user_is_admin        (const RwServerUser  *user);
gboolean      rw_server_user_is_radiologist  (const RwServerUser  *user);
JsonNode     *rw_server_user_to_json         (const RwServerUser  *user);
void          rw_server_user_add_json_row    (JsonBuilder         *builder,
                                              sqlite3_stmt        *stmt,
                                              int                  first);

gboolean      rw_server_user_check_username  (const char          *username,
                                              GError             **error);

/* yescrypt through libxcrypt; a verification against a user that does not
 * exist still hashes (rw_server_password_verify (pw, NULL)), so a login
 * takes as long whether or not the name is known. */
char         *rw_server_password_hash        (const char          *password,
                                              GError             **error);
gboolean      rw_server_password_verify      (const char          *password,
                                              const char          *hash);

gboolean      rw_server_users_insert         (RwSqlite            *db,
                                              const RwServerUser  *user,
                                              const char          *password_hash,
                                              gint64               now,
                                              GError             **error);
RwServerUser *rw_server_users_find           (RwSqlite            *db,
                                              const char          *username,
                                              char               **password_hash,
                                              GError             **error);
GPtrArray    *rw_server_users_list           (RwSqlite            *db,
                                              GError             **error);
gboolean      rw_server_users_set_password   (RwSqlite            *db,
                                              gint64               user_id,
                                              const char          *password_hash,
                                              GError             **error);
gboolean      rw_server_users_set_disabled   (RwSqlite            *db,
                                              gint64               user_id,
                                              gboolean             disabled,
                                              GError             **error);

/* Bearer tokens: 32 random bytes in hex; only their SHA-256 is stored. */
char         *rw_server_token_new            (void);
char         *rw_server_token_hash           (const char          *token);
gboolean      rw_server_tokens_insert        (RwSqlite            *db,
                                              const char          *token_hash,
                                              gint64               user_id,
                                              gint64               now,
                                              gint64               expires_at,
                                              GError             **error);
RwServerUser *rw_server_tokens_lookup        (RwSqlite            *db,
                                              const char          *token_hash,
                                              gint64               now,
                                              GError             **error);
gboolean      rw_server_tokens_revoke        (RwSqlite            *db,
                                              const char          *token_hash,
                                              gint64               now,
                                              GError             **error);
gboolean      rw_server_tokens_revoke_user   (RwSqlite            *db,
                                              gint64               user_id,
                                              gint64               now,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwServerUser, rw_server_user_free)

G_END_DECLS
