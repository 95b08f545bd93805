/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/random.h>

#include "rw-server-error.h"
#include "rw-server-users.h"

#define TOKEN_BYTES 32

RwServerUser *
rw_server_user_from_row (sqlite3_stmt *stmt,
                         int           first)
{
  RwServerUser *user = g_new0 (RwServerUser, 1);

  user->id = sqlite3_column_int64 (stmt, first);
  user->username = rw_sqlite_column_dup (stmt, first + 1);
  user->display_name = rw_sqlite_column_dup (stmt, first + 2);
  user->crm = rw_sqlite_column_dup (stmt, first + 3);
  user->rqe = rw_sqlite_column_dup (stmt, first + 4);
  user->role = rw_sqlite_column_dup (stmt, first + 5);
  user->disabled = sqlite3_column_int (stmt, first + 6) != 0;
  return user;
}

RwServerUser *
rw_server_user_copy (const RwServerUser *user)
{
  RwServerUser *copy;

  if (user == NULL)
    return NULL;
  copy = g_new0 (RwServerUser, 1);
  copy->id = user->id;
  copy->username = g_strdup (user->username);
  copy->display_name = g_strdup (user->display_name);
  copy->crm = g_strdup (user->crm);
  copy->rqe = g_strdup (user->rqe);
  copy->role = g_strdup (user->role);
  copy->disabled = user->disabled;
  return copy;
}

void
rw_server_user_free (RwServerUser *user)
{
  if (user == NULL)
    return;
  g_free (user->username);
  g_free (user->display_name);
  g_free (user->crm);
  g_free (user->rqe);
  g_free (user->role);
  g_free (user);
}

gboolean
rw_server_user_is_admin (const RwServerUser *user)
{
  return user != NULL && g_strcmp0 (user->role, RW_SERVER_ROLE_ADMIN) == 0;
}

gboolean
rw_server_user_is_radiologist (const RwServerUser *user)
{
  return user != NULL && g_strcmp0 (user->role, RW_SERVER_ROLE_RADIOLOGIST) == 0;
}

static void
add_nullable (JsonBuilder *builder,
              const char  *member,
              const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
build_user (JsonBuilder        *builder,
            const RwServerUser *user)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, user->id);
  add_nullable (builder, "username", user->username);
  add_nullable (builder, "display_name", user->display_name);
  add_nullable (builder, "crm", user->crm);
  add_nullable (builder, "rqe", user->rqe);
  add_nullable (builder, "role", user->role);
  json_builder_end_object (builder);
}

JsonNode *
rw_server_user_to_json (const RwServerUser *user)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  if (user == NULL)
    return json_node_new (JSON_NODE_NULL);
  build_user (builder, user);
  return json_builder_get_root (builder);
}

/* Adds the user read from RW_SERVER_USER_COLUMNS at @first, or null when
 * the row has none (a LEFT JOIN that found no user). */
void
rw_server_user_add_json_row (JsonBuilder  *builder,
                             sqlite3_stmt *stmt,
                             int           first)
{
  g_autoptr(RwServerUser) user = NULL;

  if (sqlite3_column_type (stmt, first) == SQLITE_NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  user = rw_server_user_from_row (stmt, first);
  build_user (builder, user);
}

/* Letters, digits and . _ - @, up to 64: a name that is safe in a log line
 * and in a shell, and that cannot be confused with another by its case. */
gboolean
rw_server_user_check_username (const char  *username,
                               GError     **error)
{
  gsize len = username != NULL ? strlen (username) : 0;

  if (len == 0 || len > 64)
    goto invalid;
  for (const char *p = username; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-@", *p) == NULL)
      goto invalid;
  return TRUE;

invalid:
  g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
               _("A user name has 1 to 64 letters, digits or . _ - @"));
  return FALSE;
}

static char *
hash_with_setting (const char *password,
                   const char *setting)
{
  g_autofree struct crypt_data *data = g_new0 (struct crypt_data, 1);
  const char *result;
  char *copy;

  result = crypt_rn (password, setting, data, sizeof *data);
  /* libxcrypt answers a failure with a string starting with '*'. */
  copy = result != NULL && result[0] != '*' ? g_strdup (result) : NULL;
  explicit_bzero (data, sizeof *data);
  return copy;
}

char *
rw_server_password_hash (const char  *password,
                         GError     **error)
{
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  char *hash;

  g_return_val_if_fail (password != NULL, NULL);

  /* "$y$" is yescrypt; a count of 0 and no random bytes of our own let
   * libxcrypt choose its recommended cost and read the salt from the
   * kernel. */
  if (crypt_gensalt_rn ("$y$", 0, NULL, 0, setting, sizeof setting) == NULL)
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFIG,
                   _("Could not prepare a password hash: %s"), g_strerror (errno));
      return NULL;
    }
  hash = hash_with_setting (password, setting);
  if (hash == NULL)
    g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFIG,
                 _("Could not hash the password: %s"), g_strerror (errno));
  return hash;
}

static gpointer
make_dummy_hash (gpointer data)
{
  guint8 random_bytes[16];
  g_autofree char *password = NULL;

  if (getrandom (random_bytes, sizeof random_bytes, 0) != sizeof random_bytes)
    memset (random_bytes, 0x5a, sizeof random_bytes);
  password = g_compute_checksum_for_data (G_CHECKSUM_SHA256, random_bytes, sizeof random_bytes);
  return rw_server_password_hash (password, NULL);
}

/* With @hash NULL (no such user, or a disabled one) a dummy hash of the same
 * kind is checked instead, and the answer is always FALSE. */
gboolean
rw_server_password_verify (const char *password,
                           const char *hash)
{
  static GOnce dummy_once = G_ONCE_INIT;
  const char *dummy = g_once (&dummy_once, make_dummy_hash, NULL);
  g_autofree char *computed = NULL;
  const char *expected = hash != NULL ? hash : dummy;
  guchar diff;
  gsize len;

  if (password == NULL || expected == NULL)
    return FALSE;
  computed = hash_with_setting (password, expected);
  if (computed == NULL)
    return FALSE;

  len = strlen (expected);
  diff = strlen (computed) != len;
  for (gsize i = 0; i < len; i++)
    diff |= (guchar) computed[i] ^ (guchar) expected[i];
  return diff == 0 && hash != NULL;
}

gboolean
rw_server_users_insert (RwSqlite            *db,
                        const RwServerUser  *user,
                        const char          *password_hash,
                        gint64               now,
                        GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) local_error = NULL;

  stmt = rw_sqlite_prepare (db,
                            "INSERT INTO users (username, display_name, crm, rqe, role, password_hash, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, user->username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, user->display_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, user->crm, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, user->rqe, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, user->role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, password_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, now);
  if (!rw_sqlite_step_done (db, stmt, &local_error))
    {
      if (g_error_matches (local_error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_CONSTRAINT))
        g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFLICT,
                     _("There is already a user called “%s”"), user->username);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* Returns NULL without an error when there is no such user. */
RwServerUser *
rw_server_users_find (RwSqlite     *db,
                      const char   *username,
                      char        **password_hash,
                      GError      **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare_cached (db,
                                   "SELECT " RW_SERVER_USER_COLUMNS ("u") ", u.password_hash"
                                   " FROM users u WHERE u.username = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_TRANSIENT);
  if (!rw_sqlite_step_row (db, stmt, &has_row, error) || !has_row)
    return NULL;
  if (password_hash != NULL)
    *password_hash = rw_sqlite_column_dup (stmt, RW_SERVER_USER_N_COLUMNS);
  return rw_server_user_from_row (stmt, 0);
}

GPtrArray *
rw_server_users_list (RwSqlite  *db,
                      GError   **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_server_user_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare (db, "SELECT " RW_SERVER_USER_COLUMNS ("u") " FROM users u ORDER BY u.username", error);
  if (stmt == NULL)
    return NULL;
  for (;;)
    {
      if (!rw_sqlite_step_row (db, stmt, &has_row, error))
        return NULL;
      if (!has_row)
        break;
      g_ptr_array_add (users, rw_server_user_from_row (stmt, 0));
    }
  return g_steal_pointer (&users);
}

static gboolean
update_user (RwSqlite    *db,
             const char  *sql,
             gint64       user_id,
             const char  *text,
             gint64       number,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = rw_sqlite_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, number);
  sqlite3_bind_int64 (stmt, 2, user_id);
  return rw_sqlite_step_done (db, stmt, error);
}

gboolean
rw_server_users_set_password (RwSqlite    *db,
                              gint64       user_id,
                              const char  *password_hash,
                              GError     **error)
{
  return update_user (db, "UPDATE users SET password_hash = ? WHERE id = ?",
                      user_id, password_hash, 0, error);
}

gboolean
rw_server_users_set_disabled (RwSqlite  *db,
                              gint64     user_id,
                              gboolean   disabled,
                              GError   **error)
{
  return update_user (db, "UPDATE users SET disabled = ? WHERE id = ?",
                      user_id, NULL, disabled ? 1 : 0, error);
}

char *
rw_server_token_new (void)
{
  guint8 bytes[TOKEN_BYTES];
  gsize got = 0;
  GString *hex;

  while (got < sizeof bytes)
    {
      gssize n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      /* The kernel's generator cannot fail once the system has booted;
       * a token that is not random would be worse than stopping. */
      if (n < 0)
        g_error ("getrandom failed: %s", g_strerror (errno));
      got += (gsize) n;
    }

  hex = g_string_sized_new (2 * TOKEN_BYTES);
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  explicit_bzero (bytes, sizeof bytes);
  return g_string_free (hex, FALSE);
}

char *
rw_server_token_hash (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

gboolean
rw_server_tokens_insert (RwSqlite    *db,
                         const char  *token_hash,
                         gint64       user_id,
                         gint64       now,
                         gint64       expires_at,
                         GError     **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  g_autoptr(RwSqliteCachedStmt) purge = NULL;

  stmt = rw_sqlite_prepare_cached (db,
                                   "INSERT INTO tokens (hash, user_id, created_at, expires_at)"
                                   " VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, token_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, user_id);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, expires_at);
  if (!rw_sqlite_step_done (db, stmt, error))
    return FALSE;

  /* Each login sweeps out tokens that expired a day ago or more, so the
   * table stays the size of the logged-in staff. */
  purge = rw_sqlite_prepare_cached (db, "DELETE FROM tokens WHERE expires_at < ?", error);
  if (purge == NULL)
    return FALSE;
  sqlite3_bind_int64 (purge, 1, now - G_TIME_SPAN_DAY);
  return rw_sqlite_step_done (db, purge, error);
}

/* The user behind a token that exists, is neither revoked nor expired, and
 * whose user is not disabled; NULL without an error otherwise. */
RwServerUser *
rw_server_tokens_lookup (RwSqlite    *db,
                         const char  *token_hash,
                         gint64       now,
                         GError     **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare_cached (db,
                                   "SELECT " RW_SERVER_USER_COLUMNS ("u")
                                   " FROM tokens t JOIN users u ON u.id = t.user_id"
                                   " WHERE t.hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?"
                                   " AND u.disabled = 0", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, token_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!rw_sqlite_step_row (db, stmt, &has_row, error) || !has_row)
    return NULL;
  return rw_server_user_from_row (stmt, 0);
}

gboolean
rw_server_tokens_revoke (RwSqlite    *db,
                         const char  *token_hash,
                         gint64       now,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = rw_sqlite_prepare (db, "UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_text (stmt, 2, token_hash, -1, SQLITE_TRANSIENT);
  return rw_sqlite_step_done (db, stmt, error);
}

gboolean
rw_server_tokens_revoke_user (RwSqlite  *db,
                              gint64     user_id,
                              gint64     now,
                              GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = rw_sqlite_prepare (db, "UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, user_id);
  return rw_sqlite_step_done (db, stmt, error);
}
