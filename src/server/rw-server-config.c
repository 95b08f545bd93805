/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rw-server-config.h"
#include "rw-server-error.h"

typedef struct {
  const char *group;
  const char *key;
} KnownKey;

static const KnownKey known_keys[] = {
  { "server", "listen" },
  { "server", "database" },
  { "server", "timezone" },
  { "server", "token_lifetime" },
  { "server", "max_body_size" },
  { "webhook", "secret" },
  { "webhook", "tolerance" },
  { "events", "max_backlog" },
  { "orthanc", "url" },
  { "orthanc", "username" },
  { "orthanc", "password" },
  { "orthanc", "public_url" },
  { "orthanc", "poll_interval" },
};

void
rw_server_config_free (RwServerConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  g_free (config->listen_host);
  g_free (config->database);
  g_clear_pointer (&config->timezone, g_time_zone_unref);
  /* Secrets are wiped before the memory goes back to the allocator. */
  if (config->webhook_secret != NULL)
    memset (config->webhook_secret, 0, strlen (config->webhook_secret));
  g_free (config->webhook_secret);
  g_free (config->orthanc_url);
  g_free (config->orthanc_username);
  if (config->orthanc_password != NULL)
    memset (config->orthanc_password, 0, strlen (config->orthanc_password));
  g_free (config->orthanc_password);
  g_free (config->orthanc_public_url);
  g_free (config);
}

static gboolean
config_error (GError     **error,
              const char  *path,
              const char  *group,
              const char  *key,
              const char  *reason)
{
  g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFIG,
               /* Translators: %s:[%s] %s is file:[group] key, the last %s the reason */
               _("%s: [%s] %s: %s"), path, group, key, reason);
  return FALSE;
}

/* Returns the value, NULL when absent. The example file of the contract
 * writes comments after values ("listen = 127.0.0.1:8642   # host:port");
 * GKeyFile does not know them, so " #…" is cut here, except from secrets,
 * which are taken as written. */
static char *
get_value (GKeyFile   *file,
           const char *group,
           const char *key,
           gboolean    verbatim)
{
  char *value = g_key_file_get_value (file, group, key, NULL);

  if (value == NULL)
    return NULL;
  if (!verbatim)
    {
      for (char *p = value; *p != '\0'; p++)
        if (*p == '#' && p > value && g_ascii_isspace (p[-1]))
          {
            *p = '\0';
            break;
          }
    }
  g_strstrip (value);
  if (value[0] == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static gboolean
get_uint (GKeyFile    *file,
          const char  *path,
          const char  *group,
          const char  *key,
          guint64      min,
          guint64      max,
          guint64      fallback,
          guint64     *out,
          GError     **error)
{
  g_autofree char *value = get_value (file, group, key, FALSE);
  g_autoptr(GError) local_error = NULL;

  if (value == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (value, 10, min, max, out, &local_error))
    {
      g_autofree char *reason = g_strdup_printf (_("expected a whole number from %llu to %llu, not “%s”"),
                                                 (unsigned long long) min, (unsigned long long) max, value);
      return config_error (error, path, group, key, reason);
    }
  return TRUE;
}

/* "host:port", "[v6]:port" or "host"; the host must be an IP address (or
 * "localhost") so that the server never depends on name resolution to
 * start. */
static gboolean
parse_listen (RwServerConfig  *config,
              const char      *value,
              GError         **error)
{
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  const char *host;
  guint16 port;

  address = g_network_address_parse (value, RW_SERVER_DEFAULT_PORT, &local_error);
  if (address == NULL)
    return config_error (error, config->path, "server", "listen", local_error->message);

  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (address));
  port = g_network_address_get_port (G_NETWORK_ADDRESS (address));
  if (g_strcmp0 (host, "localhost") == 0)
    host = "127.0.0.1";
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL || port == 0)
    return config_error (error, config->path, "server", "listen",
                         _("expected an IP address and a port, as in 127.0.0.1:8642"));

  config->listen_host = g_strdup (host);
  config->listen_port = port;
  return TRUE;
}

static void
warn_unknown_keys (GKeyFile   *file,
                   const char *path)
{
  g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (file, groups[i], NULL, NULL);

      for (guint j = 0; keys != NULL && keys[j] != NULL; j++)
        {
          gboolean known = FALSE;

          for (guint k = 0; k < G_N_ELEMENTS (known_keys) && !known; k++)
            known = g_str_equal (known_keys[k].group, groups[i]) &&
                    g_str_equal (known_keys[k].key, keys[j]);
          if (!known)
            g_warning ("%s: [%s] %s is not a known setting; it is ignored", path, groups[i], keys[j]);
        }
    }
}

RwServerConfig *
rw_server_config_load (const char  *path,
                       GError     **error)
{
  g_autoptr(RwServerConfig) config = g_new0 (RwServerConfig, 1);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  g_autofree char *timezone = NULL;
  guint64 value;

  g_return_val_if_fail (path != NULL, NULL);

  config->path = g_strdup (path);
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_CONFIG,
                   _("Could not read the configuration file %s: %s"), path, local_error->message);
      return NULL;
    }
  warn_unknown_keys (file, path);

  listen = get_value (file, "server", "listen", FALSE);
  if (!parse_listen (config, listen != NULL ? listen : "127.0.0.1:8642", error))
    return NULL;

  /* A relative database path is taken from the configuration file's folder,
   * not from wherever the service happens to be started. */
  database = get_value (file, "server", "database", FALSE);
  if (database == NULL)
    database = g_strdup ("/var/lib/radiweb/radiweb.db");
  if (g_path_is_absolute (database))
    config->database = g_steal_pointer (&database);
  else
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *abs_dir = g_canonicalize_filename (dir, NULL);

      config->database = g_build_filename (abs_dir, database, NULL);
    }

  timezone = get_value (file, "server", "timezone", FALSE);
  config->timezone = g_time_zone_new_identifier (timezone != NULL ? timezone : "America/Sao_Paulo");
  if (config->timezone == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("“%s” is not a time zone this system knows (install tzdata?)"),
                                                 timezone);
      config_error (error, path, "server", "timezone", reason);
      return NULL;
    }

  if (!get_uint (file, path, "server", "token_lifetime", 1, 366 * 24 * 3600, 12 * 3600, &value, error))
    return NULL;
  config->token_lifetime = (guint) value;
  if (!get_uint (file, path, "server", "max_body_size", 1024, 64 * 1024 * 1024, 1024 * 1024, &value, error))
    return NULL;
  config->max_body_size = (gsize) value;

  config->webhook_secret = get_value (file, "webhook", "secret", TRUE);
  if (!get_uint (file, path, "webhook", "tolerance", 1, 7 * 24 * 3600, 300, &value, error))
    return NULL;
  config->webhook_tolerance = (guint) value;

  if (!get_uint (file, path, "events", "max_backlog", 1, 1000000, 256, &value, error))
    return NULL;
  config->events_max_backlog = (guint) value;

  config->orthanc_url = get_value (file, "orthanc", "url", FALSE);
  config->orthanc_username = get_value (file, "orthanc", "username", FALSE);
  config->orthanc_password = get_value (file, "orthanc", "password", TRUE);
  config->orthanc_public_url = get_value (file, "orthanc", "public_url", FALSE);
  if (!get_uint (file, path, "orthanc", "poll_interval", 1, 3600, 1, &value, error))
    return NULL;
  config->orthanc_poll_interval = (guint) value;

  return g_steal_pointer (&config);
}

/* What the daemon needs on top of what the user commands need. */
gboolean
rw_server_config_check_daemon (RwServerConfig  *config,
                               GError         **error)
{
  GStatBuf st;

  if (config->webhook_secret == NULL)
    return config_error (error, config->path, "webhook", "secret",
                         _("missing; set the secret shared with the Orthanc plugin"));

  if (g_stat (config->path, &st) == 0 && (st.st_mode & S_IROTH))
    g_warning ("%s holds the webhook secret and can be read by every user of this machine; "
               "make it readable only by the service (chmod 640)", config->path);
  return TRUE;
}
