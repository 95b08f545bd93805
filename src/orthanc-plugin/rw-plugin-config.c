/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-plugin"

#include "config.h"

#include <string.h>

#include "rw-json.h"
#include "rw-plugin-config.h"
#include "rw-viewer-url.h"

/* The plugin's messages are English only: they go to Orthanc's log and
 * REST API, which are English, and a clinic's IT searches them as such. */

G_DEFINE_QUARK (rw-plugin-error-quark, rw_plugin_error)

#define SECTION "Radiweb"
#define QUEUE_FILE "radiweb-webhook-queue.db"
#define DEFAULT_TIMEOUT 10
#define MAX_TIMEOUT 600
#define MAX_SCHEDULE_ENTRIES 100
/* A week: anything longer is surely a typo (milliseconds?). */
#define MAX_DELAY_SECONDS (7 * 24 * 3600.0)
#define JITTER 0.2

/* Standard Webhooks' schedule after the immediate first attempt: 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h, 10 h… */
static const double default_schedule[] = { 5, 300, 1800, 7200, 18000, 36000 };

static gboolean
config_error (GError    **error,
              GError     *cause)
{
  g_set_error (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_CONFIG,
               "In the \"" SECTION "\" section of Orthanc's configuration: %s", cause->message);
  g_error_free (cause);
  return FALSE;
}

static gboolean
config_error_literal (GError     **error,
                      const char  *message)
{
  return config_error (error, g_error_new_literal (RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_CONFIG, message));
}

static gboolean
check_webhook_url (const char  *url,
                   GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL)
    return config_error_literal (error, "\"WebhookUrl\" is not a valid URL");
  scheme = g_uri_get_scheme (uri);
  if ((g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return config_error_literal (error, "\"WebhookUrl\" must start with http:// or https:// and name a host");
  /* The signature is the authentication; a password in the URL would end
   * up in logs. */
  if (g_uri_get_userinfo (uri) != NULL)
    return config_error_literal (error, "\"WebhookUrl\" must not contain a user name or password");
  if (g_uri_get_fragment (uri) != NULL)
    return config_error_literal (error, "\"WebhookUrl\" must not contain \"#\"");
  return TRUE;
}

static gboolean
get_required_text (JsonObject   *section,
                   const char   *member,
                   char        **out,
                   GError      **error)
{
  const char *value = NULL;
  GError *cause = NULL;

  if (!rw_json_get_string (section, member, RW_JSON_REQUIRED, &value, &cause))
    return config_error (error, cause);
  if (value[strspn (value, " \t\r\n")] == '\0')
    {
      g_autofree char *message = g_strdup_printf ("\"%s\" must not be empty", member);
      return config_error_literal (error, message);
    }
  *out = g_strdup (value);
  return TRUE;
}

static gboolean
get_schedule (JsonObject      *section,
              RwPluginConfig  *config,
              GError         **error)
{
  JsonArray *array = NULL;
  GError *cause = NULL;

  if (!rw_json_get_array (section, "RetrySchedule", RW_JSON_OPTIONAL, &array, &cause))
    return config_error (error, cause);
  if (array == NULL)
    {
      g_array_append_vals (config->retry_schedule, default_schedule, G_N_ELEMENTS (default_schedule));
      return TRUE;
    }
  if (json_array_get_length (array) == 0 || json_array_get_length (array) > MAX_SCHEDULE_ENTRIES)
    return config_error_literal (error, "\"RetrySchedule\" must list between 1 and 100 waits, in seconds");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
      double seconds;

      if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
        return config_error_literal (error, "\"RetrySchedule\" must be an array of numbers of seconds");
      seconds = json_node_get_double (node);
      if (!(seconds > 0 && seconds <= MAX_DELAY_SECONDS))
        return config_error_literal (error, "\"RetrySchedule\" waits must be above 0 and at most a week (604800 seconds)");
      g_array_append_val (config->retry_schedule, seconds);
    }
  return TRUE;
}

char *
rw_plugin_config_dup_queue_path (JsonObject  *orthanc_config,
                                 GError     **error)
{
  JsonObject *section = NULL;
  const char *path = NULL;
  const char *dir = NULL;
  GError *cause = NULL;

  if (!rw_json_get_object (orthanc_config, SECTION, RW_JSON_OPTIONAL, &section, &cause))
    {
      config_error (error, cause);
      return NULL;
    }
  if (section != NULL &&
      !rw_json_get_string (section, "QueuePath", RW_JSON_OPTIONAL, &path, &cause))
    {
      config_error (error, cause);
      return NULL;
    }
  if (path != NULL)
    {
      if (path[0] == '\0')
        {
          config_error_literal (error, "\"QueuePath\" must not be empty");
          return NULL;
        }
      return g_strdup (path);
    }

  /* Beside Orthanc's own index, so that it is backed up and moved with
   * it; "OrthancStorage" is Orthanc's own default. With a PostgreSQL index
   * neither directory may be set: then QueuePath should be. */
  if (!rw_json_get_string (orthanc_config, "IndexDirectory", RW_JSON_OPTIONAL, &dir, NULL) || dir == NULL)
    if (!rw_json_get_string (orthanc_config, "StorageDirectory", RW_JSON_OPTIONAL, &dir, NULL) || dir == NULL)
      dir = "OrthancStorage";
  return g_build_filename (dir, QUEUE_FILE, NULL);
}

RwPluginConfig *
rw_plugin_config_new_from_orthanc (JsonObject  *orthanc_config,
                                   GError     **error)
{
  g_autoptr(RwPluginConfig) config = NULL;
  JsonObject *section = NULL;
  GError *cause = NULL;
  gint64 number = 0;

  g_return_val_if_fail (orthanc_config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  config = g_new0 (RwPluginConfig, 1);
  config->retry_schedule = g_array_new (FALSE, FALSE, sizeof (double));
  config->timeout = DEFAULT_TIMEOUT;

  if (!rw_json_get_object (orthanc_config, SECTION, RW_JSON_OPTIONAL, &section, &cause))
    {
      config_error (error, cause);
      return NULL;
    }
  config->enabled = section != NULL;
  if (section != NULL &&
      !rw_json_get_bool (section, "Enabled", RW_JSON_OPTIONAL, &config->enabled, &cause))
    {
      config_error (error, cause);
      return NULL;
    }
  if (section != NULL && json_object_get_member (section, "Enabled") == NULL)
    config->enabled = TRUE;

  config->queue_path = rw_plugin_config_dup_queue_path (orthanc_config, error);
  if (config->queue_path == NULL)
    return NULL;
  if (!config->enabled)
    return g_steal_pointer (&config);

  if (!get_required_text (section, "WebhookUrl", &config->webhook_url, error) ||
      !check_webhook_url (config->webhook_url, error) ||
      !get_required_text (section, "WebhookSecret", &config->webhook_secret, error) ||
      !get_required_text (section, "PublicUrl", &config->public_url, error))
    return NULL;
  if (!rw_viewer_url_check_base (config->public_url, &cause))
    {
      config_error (error, g_error_new (RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_CONFIG,
                                        "\"PublicUrl\": %s", cause->message));
      g_error_free (cause);
      return NULL;
    }

  if (!rw_json_get_int (section, "Timeout", RW_JSON_OPTIONAL, &number, &cause))
    {
      config_error (error, cause);
      return NULL;
    }
  if (json_object_get_member (section, "Timeout") != NULL)
    {
      if (number < 1 || number > MAX_TIMEOUT)
        {
          config_error_literal (error, "\"Timeout\" must be between 1 and 600 seconds");
          return NULL;
        }
      config->timeout = (guint) number;
    }

  if (!get_schedule (section, config, error))
    return NULL;

  if (!rw_json_get_int (section, "MaxAttempts", RW_JSON_OPTIONAL, &number, &cause))
    {
      config_error (error, cause);
      return NULL;
    }
  if (number < 0 || number > G_MAXINT32)
    {
      config_error_literal (error, "\"MaxAttempts\" must be 0 (never give up) or a positive number");
      return NULL;
    }
  config->max_attempts = (guint) number;

  return g_steal_pointer (&config);
}

void
rw_plugin_config_free (RwPluginConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->webhook_url);
  if (config->webhook_secret != NULL)
    memset (config->webhook_secret, 0, strlen (config->webhook_secret));
  g_free (config->webhook_secret);
  g_free (config->public_url);
  g_clear_pointer (&config->retry_schedule, g_array_unref);
  g_free (config->queue_path);
  g_free (config);
}

gint64
rw_plugin_config_retry_delay_ms (const RwPluginConfig *config,
                                 guint                 attempts,
                                 GRand                *rand)
{
  double seconds;

  g_return_val_if_fail (config != NULL && attempts > 0, -1);
  g_return_val_if_fail (config->retry_schedule->len > 0, -1);

  if (config->max_attempts > 0 && attempts >= config->max_attempts)
    return -1;
  seconds = g_array_index (config->retry_schedule, double,
                           MIN (attempts, config->retry_schedule->len) - 1);
  seconds *= g_rand_double_range (rand, 1.0 - JITTER, 1.0 + JITTER);
  return (gint64) (seconds * 1000.0);
}
