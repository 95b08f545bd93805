/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-server-audit.h"
#include "rw-server-body.h"
#include "rw-server-clock.h"
#include "rw-server-handlers.h"

typedef struct {
  char         *username;
  char         *password;
  RwServerUser *user;         /* set when the password matched */
  char         *token;
  gint64        expires_at;
} Login;

static void
login_free (gpointer data)
{
  Login *login = data;

  g_free (login->username);
  if (login->password != NULL)
    explicit_bzero (login->password, strlen (login->password));
  g_free (login->password);
  g_clear_pointer (&login->user, rw_server_user_free);
  if (login->token != NULL)
    explicit_bzero (login->token, strlen (login->token));
  g_free (login->token);
  g_free (login);
}

/* On a reader thread: yescrypt takes tens of milliseconds of CPU, which
 * must hold up neither the main loop nor the writer. */
static gboolean
check_password_job (RwServerRequest  *req,
                    RwSqlite         *db,
                    GError          **error)
{
  Login *login = req->data;
  g_autofree char *hash = NULL;
  g_autoptr(RwServerUser) user = NULL;
  g_autoptr(GError) local_error = NULL;

  user = rw_server_users_find (db, login->username, &hash, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* A missing or disabled user still costs one hash, so the answer's
   * timing does not tell which names exist. */
  if (user == NULL || user->disabled)
    g_clear_pointer (&hash, g_free);
  if (rw_server_password_verify (login->password, hash))
    login->user = g_steal_pointer (&user);
  return TRUE;
}

static gboolean
create_token_job (RwServerRequest  *req,
                  RwSqlite         *db,
                  GError          **error)
{
  Login *login = req->data;
  g_autofree char *hash = rw_server_token_hash (login->token);
  g_autofree char *expires = rw_server_clock_format (login->expires_at);

  if (!rw_server_tokens_insert (db, hash, login->user->id, req->now, login->expires_at, error) ||
      !rw_server_audit_record (db, req, RW_AUDIT_LOGIN, "user", login->user->username, NULL, error))
    return FALSE;

  rw_server_request_set_json (req, SOUP_STATUS_OK,
                              rw_server_json_object ("token", json_node_init_string (json_node_alloc (), login->token),
                                                     "expires_at", json_node_init_string (json_node_alloc (), expires),
                                                     "user", rw_server_user_to_json (login->user),
                                                     NULL));
  return TRUE;
}

/* A failed login is recorded too; the 401 goes out once the record is
 * committed (a job that failed would roll its record back). */
static gboolean
record_failed_login_job (RwServerRequest  *req,
                         RwSqlite         *db,
                         GError          **error)
{
  Login *login = req->data;

  return rw_server_audit_record (db, req, RW_AUDIT_LOGIN_FAILED, "user", login->username, NULL, error);
}

static void
failed_login_recorded (RwServerRequest *req,
                       const GError    *error)
{
  if (error != NULL)
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_UNAUTHORIZED,
                                         _("Wrong user name or password"));
}

static void
password_checked (RwServerRequest *req,
                  const GError    *error)
{
  Login *login = req->data;
  RwServerConfig *config = rw_server_request_get_config (req);

  if (error != NULL)
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  if (login->user == NULL)
    {
      rw_server_request_write (req, record_failed_login_job, failed_login_recorded);
      return;
    }
  /* The user is now the caller: the audit entry of the login names them. */
  req->user = rw_server_user_copy (login->user);
  login->token = rw_server_token_new ();
  login->expires_at = req->now + (gint64) config->token_lifetime * G_USEC_PER_SEC;
  rw_server_request_write (req, create_token_job, NULL);
}

/* POST /api/auth/login {"username","password"} */
void
rw_server_handle_login (RwServerRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) fields = rw_server_body_parse_fields (req, &error);
  const char *username, *password;
  Login *login;

  if (fields == NULL)
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  username = g_hash_table_lookup (fields, "username");
  password = g_hash_table_lookup (fields, "password");
  if (username == NULL || password == NULL)
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("Send “username” and “password”"));
      return;
    }

  login = g_new0 (Login, 1);
  login->username = g_strndup (username, 64);
  login->password = g_strdup (password);
  req->data = login;
  req->data_free = login_free;
  rw_server_request_read (req, check_password_job, password_checked);
}

static gboolean
logout_job (RwServerRequest  *req,
            RwSqlite         *db,
            GError          **error)
{
  const char *header = rw_server_request_get_header (req, "Authorization");
  g_autofree char *token = g_strstrip (g_strdup (header + strlen ("Bearer ")));
  g_autofree char *hash = rw_server_token_hash (token);

  if (!rw_server_tokens_revoke (db, hash, req->now, error) ||
      !rw_server_audit_record (db, req, RW_AUDIT_LOGOUT, "user", req->user->username, NULL, error))
    return FALSE;
  rw_server_request_set_json (req, SOUP_STATUS_OK, rw_server_json_success ());
  return TRUE;
}

/* POST /api/auth/logout: the token stops working at once. */
void
rw_server_handle_logout (RwServerRequest *req)
{
  rw_server_request_write (req, logout_job, NULL);
}

/* GET /api/auth/me: who the token belongs to, for a client that kept a
 * token from an earlier session. */
void
rw_server_handle_me (RwServerRequest *req)
{
  rw_server_request_reply_json (req, SOUP_STATUS_OK, rw_server_user_to_json (req->user));
}

static gboolean
users_job (RwServerRequest  *req,
           RwSqlite         *db,
           GError          **error)
{
  g_autoptr(GPtrArray) users = rw_server_users_list (db, error);
  g_autoptr(JsonArray) array = NULL;
  JsonNode *node;

  if (users == NULL)
    return FALSE;
  array = json_array_new ();
  for (guint i = 0; i < users->len; i++)
    {
      RwServerUser *user = g_ptr_array_index (users, i);

      if (!user->disabled)
        json_array_add_element (array, rw_server_user_to_json (user));
    }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  rw_server_request_set_json (req, SOUP_STATUS_OK, node);
  return TRUE;
}

/* GET /api/users: the active users, for the productivity report's choice
 * of radiologist and for showing who holds an exam. */
void
rw_server_handle_users (RwServerRequest *req)
{
  rw_server_request_read (req, users_job, NULL);
}
