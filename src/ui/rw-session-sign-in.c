/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rw-keyring.h"
#include "rw-session-private.h"

/* Signing in and out: the silent sign-in at start (a token from the
 * keyring and the cached worklist), the sign-in with a password, and the
 * sign-out that forgets both. */

/* The cached list of a server, read and made into worklist rows on a
 * worker thread: at start the main thread is busy with GTK meanwhile. */
typedef struct {
  RwWorklistBatch *batch;
  gint64           mark;
} CachedList;

static void
cached_list_free (CachedList *cached)
{
  g_clear_pointer (&cached->batch, rw_worklist_batch_free);
  g_free (cached);
}

static void
read_cache_in_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  RwSession *self = source_object;
  const char *server = task_data;
  g_autoptr(GPtrArray) exams = NULL;
  g_autoptr(GError) error = NULL;
  CachedList *cached = g_new0 (CachedList, 1);

  exams = rw_local_store_load (self->store, server, cancellable, &cached->mark, &error);
  if (exams == NULL)
    {
      /* Without a cache the list simply comes from the server. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the worklist cache: %s", error->message);
      cached->mark = 0;
      exams = g_ptr_array_new ();
    }
  cached->batch = rw_worklist_batch_new (exams);
  g_task_return_pointer (task, cached, (GDestroyNotify) cached_list_free);
}

static void
read_cache_async (RwSession           *self,
                  const char          *server_url,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, read_cache_async);
  g_task_set_task_data (task, g_strdup (server_url), g_free);
  g_task_run_in_thread (task, read_cache_in_thread);
}

static CachedList *
read_cache_finish (RwSession     *self,
                   GAsyncResult  *result,
                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Shared by restore and sign-in: once a token is known, show the cached
 * list of this server, then go live. */
static void
show_cache (RwSession  *self,
            CachedList *cached)
{
  self->high_water_mark = cached->mark;
  rw_worklist_model_set_batch (self->worklist, g_steal_pointer (&cached->batch));
  rw_session_set_state (self, RW_SESSION_SIGNED_IN);
  rw_session_go_live (self);
}

/* A silent sign-in reads the keyring and the cache at the same time; the
 * cache is shown only if a token turns up. The application starts it
 * before GTK is initialized, and later calls (the window's) wait for the
 * same answer. */
typedef struct {
  RwSession  *self;
  guint       pending;
  char       *token;
  GError     *error;
  CachedList *cached;
} Restore;

static void
restore_free (Restore *r)
{
  rw_keyring_free_secret (r->token);
  g_clear_error (&r->error);
  g_clear_pointer (&r->cached, cached_list_free);
  g_clear_object (&r->self);
  g_free (r);
}

static void
complete_restore (RwSession    *self,
                  gboolean      signed_in,
                  const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->restore_waiters);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (g_task_return_error_if_cancelled (task))
        continue;
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, signed_in);
    }
}

static void
restore_step_done (Restore *r)
{
  RwSession *self = r->self;

  if (--r->pending > 0)
    return;

  if (r->error != NULL)
    complete_restore (self, FALSE, r->error);
  else if (r->token == NULL || r->cached == NULL)
    complete_restore (self, FALSE, NULL);
  else
    {
      rw_api_client_set_token (self->client, r->token);
      show_cache (self, r->cached);
      complete_restore (self, TRUE, NULL);
    }
  restore_free (r);
}

static void
on_restore_token (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Restore *r = user_data;

  r->token = rw_keyring_lookup_finish (result, &r->error);
  /* Signed out meanwhile (the token was cancelled with the rest). */
  if (g_error_matches (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_clear_error (&r->error);
  restore_step_done (r);
}

static void
on_restore_cache (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Restore *r = user_data;

  /* NULL only when cancelled: then nothing is shown. */
  r->cached = read_cache_finish (r->self, result, NULL);
  restore_step_done (r);
}

void
rw_session_restore_async (RwSession           *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *server_url = NULL;
  g_autofree char *username = NULL;
  Restore *r;

  g_return_if_fail (RW_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_session_restore_async);

  if (self->restore_waiters != NULL)
    {
      g_ptr_array_add (self->restore_waiters, g_steal_pointer (&task));
      return;
    }

  server_url = g_settings_get_string (self->settings, "server-url");
  username = g_settings_get_string (self->settings, "username");
  if (server_url[0] == '\0' || username[0] == '\0' || self->state == RW_SESSION_SIGNED_IN)
    {
      g_task_return_boolean (task, self->state == RW_SESSION_SIGNED_IN);
      return;
    }

  rw_session_use_server (self, server_url, username);
  self->restore_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->restore_waiters, g_steal_pointer (&task));

  r = g_new0 (Restore, 1);
  r->self = g_object_ref (self);
  r->pending = 2;
  rw_keyring_lookup_async (RW_KEYRING_TOKEN, server_url, username, self->cancellable,
                           on_restore_token, r);
  read_cache_async (self, server_url, self->cancellable, on_restore_cache, r);
}

gboolean
rw_session_restore_finish (RwSession     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (RW_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  RwApiClient *client;
  char        *server_url;
  char        *username;
  char        *password;
  char        *token;
  char        *display_name;
} SignIn;

static void
sign_in_free (SignIn *data)
{
  g_clear_object (&data->client);
  g_free (data->server_url);
  g_free (data->username);
  if (data->password != NULL)
    memset (data->password, 0, strlen (data->password));
  g_free (data->password);
  if (data->token != NULL)
    memset (data->token, 0, strlen (data->token));
  g_free (data->token);
  g_free (data->display_name);
  g_free (data);
}

static void
on_sign_in_cache_read (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwSession *self = g_task_get_source_object (task);
  CachedList *cached;
  g_autoptr(GError) error = NULL;

  cached = read_cache_finish (self, result, &error);
  if (cached == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  show_cache (self, cached);
  cached_list_free (cached);
  g_task_return_boolean (task, TRUE);
}

static void
on_sign_in_token_stored (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable;
  RwSession *self = g_task_get_source_object (task);
  SignIn *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* Without a keyring the user is signed in all the same; only the next
   * start will ask for the password again. */
  if (!rw_keyring_store_finish (result, &error))
    g_warning ("Could not keep the session in the keyring: %s", error->message);

  if (g_task_return_error_if_cancelled (task))
    return;

  rw_session_disconnect (self);
  rw_session_use_server (self, data->server_url, data->username);
  /* The client that signed in, with its token, replaces whatever client
   * rw_session_use_server() had. */
  g_clear_object (&self->client);
  self->client = g_steal_pointer (&data->client);
  rw_session_set_display_name (self, data->display_name);
  g_settings_set_string (self->settings, "server-url", data->server_url);
  g_settings_set_string (self->settings, "username", data->username);

  /* Not g_task_get_cancellable() among the arguments: the order in which C
   * evaluates them is unspecified, and the task is stolen in the same call. */
  cancellable = g_task_get_cancellable (task);
  read_cache_async (self, self->server_url, cancellable, on_sign_in_cache_read,
                    g_steal_pointer (&task));
}

static void
on_logged_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable;
  SignIn *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  const char *display_name = NULL;

  if (!rw_api_client_login_finish (data->client, result, &data->token, &user, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (json_object_has_member (user, "display_name") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (user, "display_name")))
    display_name = json_object_get_string_member (user, "display_name");
  data->display_name = g_strdup (display_name);

  cancellable = g_task_get_cancellable (task);
  rw_keyring_store_async (RW_KEYRING_TOKEN, data->server_url, data->username, data->token,
                          cancellable, on_sign_in_token_stored, g_steal_pointer (&task));
}

static void
on_health (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable;
  SignIn *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  version = rw_api_client_health_finish (data->client, result, &error);
  if (version == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("Radiweb server %s at %s", version, data->server_url);

  cancellable = g_task_get_cancellable (task);
  rw_api_client_login_async (data->client, data->username, data->password,
                             cancellable, on_logged_in, g_steal_pointer (&task));
}

void
rw_session_sign_in_async (RwSession           *self,
                          const char          *server_url,
                          const char          *username,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *user = NULL;
  SignIn *data;

  g_return_if_fail (RW_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_session_sign_in_async);

  normalized = rw_api_normalize_url (server_url, &error);
  if (normalized == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  user = g_strstrip (g_strdup (username != NULL ? username : ""));
  if (user[0] == '\0' || password == NULL || password[0] == '\0')
    {
      g_task_return_new_error (task, RW_API_ERROR, RW_API_ERROR_INVALID_INPUT,
                               _("Type your user name and password"));
      return;
    }

  data = g_new0 (SignIn, 1);
  data->server_url = g_steal_pointer (&normalized);
  data->username = g_steal_pointer (&user);
  data->password = g_strdup (password);
  data->client = rw_api_client_new (data->server_url);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_free);

  /* /health first: it tells "nothing there" and "not Radiweb" apart from a
   * wrong password. */
  rw_api_client_health_async (data->client, cancellable, on_health, g_steal_pointer (&task));
}

gboolean
rw_session_sign_in_finish (RwSession     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (RW_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_sign_out_cleared (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint *pending = g_task_get_task_data (task);

  if (G_IS_TASK (result) && g_task_get_source_tag (G_TASK (result)) == rw_keyring_clear_async)
    {
      if (!rw_keyring_clear_finish (result, &error))
        g_warning ("Could not remove a secret from the keyring: %s", error->message);
    }
  else if (!rw_local_store_clear_finish (RW_LOCAL_STORE (source), result, &error))
    {
      g_warning ("Could not clear the worklist cache: %s", error->message);
    }

  if (--(*pending) == 0)
    g_task_return_boolean (task, TRUE);
}

static void
on_logged_out (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *orthanc_url = NULL;
  g_autofree char *orthanc_user = NULL;
  guint *pending;

  /* Offline, the token stays valid on the server until it expires; it is
   * forgotten here all the same. */
  if (!rw_api_client_logout_finish (RW_API_CLIENT (source), result, &error))
    g_debug ("The server did not revoke the token: %s", error->message);

  orthanc_url = g_settings_get_string (self->settings, "orthanc-url");
  orthanc_user = g_settings_get_string (self->settings, "orthanc-username");

  pending = g_new0 (guint, 1);
  *pending = 2;
  g_task_set_task_data (task, pending, g_free);
  rw_keyring_clear_async (RW_KEYRING_TOKEN, self->server_url, self->username,
                          NULL, on_sign_out_cleared, g_object_ref (task));
  if (orthanc_url[0] != '\0')
    {
      (*pending)++;
      rw_keyring_clear_async (RW_KEYRING_ORTHANC_PASSWORD, orthanc_url, NULL,
                              NULL, on_sign_out_cleared, g_object_ref (task));
    }
  rw_local_store_clear_async (self->store, NULL, on_sign_out_cleared, g_object_ref (task));

  rw_worklist_model_clear (self->worklist);
  self->high_water_mark = 0;
  rw_session_set_display_name (self, NULL);
  rw_session_set_state (self, RW_SESSION_SIGNED_OUT);
}

void
rw_session_sign_out_async (RwSession           *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RW_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_session_sign_out_async);

  if (self->client == NULL || self->server_url == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Stop listening first, so nothing arrives after the list is cleared;
   * the logout request still needs the token, which stays with the
   * client until on_logged_out(). */
  rw_session_stop_live (self);
  rw_api_client_logout_async (self->client, NULL, on_logged_out, g_steal_pointer (&task));
}

gboolean
rw_session_sign_out_finish (RwSession     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (RW_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
