/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "rw-keyring.h"

/* Secrets live in the user's keyring (the Secret Service: gnome-keyring,
 * KWallet, the Flatpak portal), never in a file or in GSettings. Only the
 * asynchronous libsecret calls are used: the keyring may be locked and ask
 * for a password, and the window must keep drawing meanwhile. */

static const SecretSchema schema = {
  "br.com.radiweb.Laudos.Secret", SECRET_SCHEMA_NONE,
  {
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, 0, 0, 0, 0, 0, 0, 0,
};

gconstpointer
rw_keyring_get_schema (void)
{
  return &schema;
}

const char *
rw_keyring_kind_to_string (RwKeyringKind kind)
{
  switch (kind)
    {
    case RW_KEYRING_TOKEN:
      return "radiweb-token";
    case RW_KEYRING_ORTHANC_PASSWORD:
      return "orthanc-password";
    default:
      g_assert_not_reached ();
    }
}

/* libsecret keeps the table until the call completes, so the values are
 * copies: the caller's strings may be gone by then. */
static GHashTable *
attributes_for (RwKeyringKind  kind,
                const char    *server,
                const char    *username)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "kind", g_strdup (rw_keyring_kind_to_string (kind)));
  g_hash_table_insert (attributes, (gpointer) "server", g_strdup (server));
  if (username != NULL)
    g_hash_table_insert (attributes, (gpointer) "username", g_strdup (username));
  return attributes;
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
rw_keyring_store_async (RwKeyringKind        kind,
                        const char          *server,
                        const char          *username,
                        const char          *secret,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  GTask *task;

  g_return_if_fail (server != NULL);
  g_return_if_fail (username != NULL);
  g_return_if_fail (secret != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_keyring_store_async);

  attributes = attributes_for (kind, server, username);
  label = kind == RW_KEYRING_TOKEN
    ? g_strdup_printf (_("Radiweb Laudos session of %s on %s"), username, server)
    : g_strdup_printf (_("Radiweb Laudos: Orthanc password of %s on %s"), username, server);
  secret_password_storev (&schema, attributes, SECRET_COLLECTION_DEFAULT, label, secret,
                          cancellable, on_stored, task);
}

gboolean
rw_keyring_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

void
rw_keyring_lookup_async (RwKeyringKind        kind,
                         const char          *server,
                         const char          *username,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (server != NULL);
  g_return_if_fail (username != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_keyring_lookup_async);

  attributes = attributes_for (kind, server, username);
  secret_password_lookupv (&schema, attributes, cancellable, on_looked_up, task);
}

char *
rw_keyring_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error only means there was nothing to clear. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
rw_keyring_clear_async (RwKeyringKind        kind,
                        const char          *server,
                        const char          *username,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (server != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_keyring_clear_async);

  attributes = attributes_for (kind, server, username);
  secret_password_clearv (&schema, attributes, cancellable, on_cleared, task);
}

gboolean
rw_keyring_clear_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rw_keyring_free_secret (char *secret)
{
  if (secret != NULL)
    secret_password_free (secret);
}
