/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Orthanc side of intake: each StableStudy is committed to a durable
 * queue inside Orthanc's change callback, and a worker thread tells
 * radiweb-server about it with the signed study_received webhook of
 * docs/radiweb-api.md, retrying with backoff for as long as it takes.
 * GET /radiweb/status and POST /radiweb/retry, behind Orthanc's own
 * authentication, let a clinic's IT watch and nudge it. */
#define G_LOG_DOMAIN "radiweb-plugin"

#include "config.h"

#include <orthanc/OrthancCPlugin.h>
#include <string.h>

#include "rw-json.h"
#include "rw-plugin-config.h"
#include "rw-plugin-log.h"
#include "rw-plugin-queue.h"
#include "rw-plugin-worker.h"

#define PLUGIN_NAME "radiweb"
/* PatientAge (0010,1010) of one image: not among Orthanc's main tags. */
#define AGE_TAG "0010-1010"

ORTHANC_PLUGINS_API int32_t     OrthancPluginInitialize (OrthancPluginContext *context);
ORTHANC_PLUGINS_API void        OrthancPluginFinalize   (void);
ORTHANC_PLUGINS_API const char *OrthancPluginGetName    (void);
ORTHANC_PLUGINS_API const char *OrthancPluginGetVersion (void);

/* Set up in OrthancPluginInitialize() and torn down in
 * OrthancPluginFinalize(), while Orthanc runs no other thread of ours; in
 * between only the worker's state changes, under its own lock. */
static struct {
  OrthancPluginContext *context;
  RwPluginConfig       *config;
  char                 *config_error;
  char                 *queue_path;
  RwPluginQueue        *queue;
  char                 *queue_error;
  RwPluginWorker       *worker;
  guint                 log_handler;
} plugin;

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
log_to_orthanc (RwPluginLogLevel  level,
                const char       *message)
{
  switch (level)
    {
    case RW_PLUGIN_LOG_ERROR:
      OrthancPluginLogError (plugin.context, message);
      break;
    case RW_PLUGIN_LOG_WARNING:
      OrthancPluginLogWarning (plugin.context, message);
      break;
    case RW_PLUGIN_LOG_INFO:
    default:
      OrthancPluginLogInfo (plugin.context, message);
      break;
    }
}

/* The core library logs through GLib: its warnings belong in Orthanc's
 * log too. */
static void
on_glib_log (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        data)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", domain, message);

  log_to_orthanc ((level & G_LOG_LEVEL_WARNING) ? RW_PLUGIN_LOG_WARNING : RW_PLUGIN_LOG_INFO, text);
}

/* Orthanc's REST API, in-process */

static GBytes *
rest_get (const char              *uri,
          OrthancPluginErrorCode  *code)
{
  OrthancPluginMemoryBuffer buffer = { NULL, 0 };
  GBytes *bytes;

  *code = OrthancPluginRestApiGet (plugin.context, &buffer, uri);
  if (*code != OrthancPluginErrorCode_Success)
    return NULL;
  bytes = g_bytes_new (buffer.data, buffer.size);
  OrthancPluginFreeMemoryBuffer (plugin.context, &buffer);
  return bytes;
}

static JsonNode *
rest_get_json (const char  *uri,
               GError     **error)
{
  g_autoptr(GBytes) body = NULL;
  OrthancPluginErrorCode code;
  JsonNode *node;
  gsize size;
  const char *data;

  body = rest_get (uri, &code);
  if (body == NULL)
    {
      g_set_error (error, RW_PLUGIN_ERROR,
                   code == OrthancPluginErrorCode_UnknownResource ? RW_PLUGIN_ERROR_STUDY_GONE
                                                                  : RW_PLUGIN_ERROR_ORTHANC,
                   "Orthanc's GET %s failed: %s", uri,
                   OrthancPluginGetErrorDescription (plugin.context, code));
      return NULL;
    }
  data = g_bytes_get_data (body, &size);
  node = rw_json_parse (data, (gssize) size, error);
  if (node == NULL)
    g_prefix_error (error, "Orthanc's GET %s: ", uri);
  return node;
}

/* The same choice as the core's Orthanc client (rw-orthanc-studies.c): the
 * first image of the first series that has one. */
static const char *
first_instance (JsonArray *series)
{
  for (guint i = 0; i < json_array_get_length (series); i++)
    {
      JsonNode *element = json_array_get_element (series, i);
      JsonArray *instances = NULL;
      JsonNode *first;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !rw_json_get_array (json_node_get_object (element), "Instances", RW_JSON_REQUIRED,
                              &instances, NULL) ||
          json_array_get_length (instances) == 0)
        continue;
      first = json_array_get_element (instances, 0);
      if (JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_STRING)
        return json_node_get_string (first);
    }
  return NULL;
}

/* The age an image carries; NULL when it has none, and then the core
 * computes it from the birth and study dates. */
static char *
get_patient_age (JsonArray  *series,
                 GError    **error)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *uri = NULL;
  const char *instance = first_instance (series);
  OrthancPluginErrorCode code;
  char *age;

  if (instance == NULL)
    return NULL;
  uri = g_strconcat ("/instances/", instance, "/content/" AGE_TAG, NULL);
  body = rest_get (uri, &code);
  if (body == NULL)
    {
      if (code != OrthancPluginErrorCode_UnknownResource && code != OrthancPluginErrorCode_InexistentTag)
        g_set_error (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_ORTHANC, "Orthanc's GET %s failed: %s",
                     uri, OrthancPluginGetErrorDescription (plugin.context, code));
      return NULL;
    }
  /* An AS is 4 characters; anything much longer is not an age. */
  if (g_bytes_get_size (body) > 16)
    return NULL;
  age = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  return g_strstrip (age);
}

static RwExam *
fetch_study (const char  *study_id,
             gpointer     user_data,
             GError     **error)
{
  g_autofree char *study_uri = g_strconcat ("/studies/", study_id, NULL);
  g_autofree char *series_uri = g_strconcat ("/studies/", study_id, "/series", NULL);
  g_autoptr(JsonNode) study = NULL;
  g_autoptr(JsonNode) series = NULL;
  g_autoptr(JsonObject) shared = json_object_new ();
  g_autofree char *age = NULL;
  GError *cause = NULL;
  RwExam *exam;

  study = rest_get_json (study_uri, error);
  if (study == NULL)
    return NULL;
  series = rest_get_json (series_uri, error);
  if (series == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (study) || !JSON_NODE_HOLDS_ARRAY (series))
    {
      g_set_error (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_ORTHANC,
                   "Orthanc's GET %s gave an unexpected answer", study_uri);
      return NULL;
    }
  age = get_patient_age (json_node_get_array (series), &cause);
  if (cause != NULL)
    {
      g_propagate_error (error, cause);
      return NULL;
    }
  if (age != NULL)
    json_object_set_string_member (shared, "PatientAge", age);

  /* The same function radiweb-server's catch-up builds its exams with, so
   * both paths agree field for field. */
  exam = rw_exam_new_from_orthanc (json_node_get_object (study), NULL, json_node_get_array (series),
                                   shared, plugin.config->public_url, &cause);
  if (exam == NULL)
    {
      g_set_error (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_ORTHANC,
                   "Study %s cannot be described: %s", study_id, cause->message);
      g_error_free (cause);
    }
  return exam;
}

/* Change callback: runs in Orthanc's change thread (StableStudy) or its
 * main thread (OrthancStarted, OrthancStopped). */

static void
enqueue (const char *study_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *webhook_id = NULL;

  if (plugin.config != NULL && !plugin.config->enabled)
    return;
  if (plugin.queue == NULL)
    {
      rw_plugin_log (RW_PLUGIN_LOG_ERROR,
                     "Study %s is stable but the webhook queue is not open (%s); radiweb-server's "
                     "catch-up from /changes will still find it", study_id, plugin.queue_error);
      return;
    }
  webhook_id = rw_plugin_queue_enqueue (plugin.queue, study_id, now_ms (), &error);
  if (webhook_id == NULL)
    {
      rw_plugin_log (RW_PLUGIN_LOG_ERROR,
                     "Study %s is stable but could not be queued: %s; radiweb-server's catch-up "
                     "from /changes will still find it", study_id, error->message);
      return;
    }
  rw_plugin_log (RW_PLUGIN_LOG_INFO, "Study %s is stable: queued as webhook %s", study_id, webhook_id);
  if (plugin.worker != NULL)
    rw_plugin_worker_wake (plugin.worker);
}

static void
start_worker (void)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (plugin.worker == NULL)
    return;
  /* A restart is when a configuration gets fixed: what waits is tried at
   * once rather than at the end of its backoff. */
  if (!rw_plugin_queue_retry_now (plugin.queue, now_ms (), FALSE, &n, &error))
    rw_plugin_log (RW_PLUGIN_LOG_ERROR, "%s", error->message);
  else if (n > 0)
    rw_plugin_log (RW_PLUGIN_LOG_WARNING, "%u studies wait to be delivered to radiweb-server", n);
  rw_plugin_worker_start (plugin.worker);
}

static OrthancPluginErrorCode
on_change (OrthancPluginChangeType   change_type,
           OrthancPluginResourceType resource_type,
           const char               *resource_id)
{
  switch (change_type)
    {
    case OrthancPluginChangeType_OrthancStarted:
      start_worker ();
      break;
    case OrthancPluginChangeType_OrthancStopped:
      /* Before Orthanc tears down the REST API the worker reads. */
      if (plugin.worker != NULL)
        rw_plugin_worker_stop (plugin.worker);
      break;
    case OrthancPluginChangeType_StableStudy:
      if (resource_id != NULL)
        enqueue (resource_id);
      break;
    default:
      break;
    }
  /* Never an error: Orthanc would only log it, and the study is stored
   * either way. */
  return OrthancPluginErrorCode_Success;
}

/* REST routes */

static void
answer_json (OrthancPluginRestOutput *output,
             JsonObject              *object)
{
  g_autofree char *text = rw_json_object_to_string (object);

  OrthancPluginAnswerBuffer (plugin.context, output, text, strlen (text), "application/json");
}

static void
set_nullable (JsonObject *object,
              const char *member,
              const char *value)
{
  if (value == NULL)
    json_object_set_null_member (object, member);
  else
    json_object_set_string_member (object, member, value);
}

static OrthancPluginErrorCode
on_status (OrthancPluginRestOutput        *output,
           const char                     *url,
           const OrthancPluginHttpRequest *request)
{
  g_autoptr(JsonObject) status = json_object_new ();
  g_autoptr(JsonObject) queue = NULL;
  g_autoptr(GError) error = NULL;
  gboolean enabled = plugin.config != NULL ? plugin.config->enabled : plugin.config_error != NULL;
  gboolean healthy;

  if (request->method != OrthancPluginHttpMethod_Get)
    {
      OrthancPluginSendMethodNotAllowed (plugin.context, output, "GET");
      return OrthancPluginErrorCode_Success;
    }

  if (plugin.queue != NULL)
    queue = rw_plugin_queue_dup_status (plugin.queue, now_ms (), &error);
  json_object_set_string_member (status, "version", PACKAGE_VERSION);
  json_object_set_boolean_member (status, "enabled", enabled);
  set_nullable (status, "configuration_error", plugin.config_error);
  set_nullable (status, "webhook_url", plugin.config != NULL ? plugin.config->webhook_url : NULL);
  set_nullable (status, "public_url", plugin.config != NULL ? plugin.config->public_url : NULL);
  set_nullable (status, "queue_path", plugin.queue_path);
  set_nullable (status, "queue_error", error != NULL ? error->message : plugin.queue_error);
  healthy = enabled && plugin.config_error == NULL && queue != NULL &&
            json_object_get_boolean_member (queue, "healthy");
  if (queue != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, queue);
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (status, name, json_node_copy (value));
    }
  /* Configured, delivering, no permanent failure and no failure since
   * the last success: what a monitoring probe checks. */
  json_object_set_boolean_member (status, "healthy", healthy);
  answer_json (output, status);
  return OrthancPluginErrorCode_Success;
}

static OrthancPluginErrorCode
on_retry (OrthancPluginRestOutput        *output,
          const char                     *url,
          const OrthancPluginHttpRequest *request)
{
  g_autoptr(JsonObject) answer = json_object_new ();
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (request->method != OrthancPluginHttpMethod_Post)
    {
      OrthancPluginSendMethodNotAllowed (plugin.context, output, "POST");
      return OrthancPluginErrorCode_Success;
    }
  if (plugin.queue == NULL)
    {
      json_object_set_string_member (answer, "error", plugin.queue_error != NULL
                                                      ? plugin.queue_error
                                                      : "The plugin is disabled");
      answer_json (output, answer);
      return OrthancPluginErrorCode_Success;
    }
  if (!rw_plugin_queue_retry_now (plugin.queue, now_ms (), TRUE, &n, &error))
    {
      rw_plugin_log (RW_PLUGIN_LOG_ERROR, "%s", error->message);
      return OrthancPluginErrorCode_InternalError;
    }
  rw_plugin_log (RW_PLUGIN_LOG_WARNING, "POST /radiweb/retry: %u studies to deliver now", n);
  if (plugin.worker != NULL)
    rw_plugin_worker_wake (plugin.worker);
  json_object_set_int_member (answer, "requeued", n);
  answer_json (output, answer);
  return OrthancPluginErrorCode_Success;
}

/* Loading */

/* Orthanc reads relative paths of its configuration from the
 * configuration file's folder; so does the plugin. */
static char *
resolve_path (const char *path)
{
  g_autofree char *config_path = NULL;
  g_autofree char *base = NULL;
  char *orthanc_string;

  if (g_path_is_absolute (path))
    return g_strdup (path);
  orthanc_string = OrthancPluginGetConfigurationPath (plugin.context);
  if (orthanc_string != NULL)
    {
      config_path = g_strdup (orthanc_string);
      OrthancPluginFreeString (plugin.context, orthanc_string);
    }
  if (config_path == NULL)
    return g_canonicalize_filename (path, NULL);
  base = g_file_test (config_path, G_FILE_TEST_IS_DIR) ? g_strdup (config_path)
                                                       : g_path_get_dirname (config_path);
  return g_canonicalize_filename (path, base);
}

static JsonObject *
read_orthanc_config (GError **error)
{
  char *text = OrthancPluginGetConfiguration (plugin.context);
  JsonObject *object;

  if (text == NULL)
    {
      g_set_error_literal (error, RW_PLUGIN_ERROR, RW_PLUGIN_ERROR_CONFIG,
                           "Orthanc did not give its configuration to the plugin");
      return NULL;
    }
  object = rw_json_parse_object (text, -1, error);
  OrthancPluginFreeString (plugin.context, text);
  return object;
}

static void
configure (void)
{
  g_autoptr(JsonObject) orthanc_config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  orthanc_config = read_orthanc_config (&error);
  if (orthanc_config != NULL)
    plugin.config = rw_plugin_config_new_from_orthanc (orthanc_config, &error);
  if (plugin.config == NULL)
    {
      plugin.config_error = g_strdup (error->message);
      rw_plugin_log (RW_PLUGIN_LOG_ERROR, "%s. Stable studies are kept in the queue but not "
                     "delivered until the configuration is fixed and Orthanc restarted.",
                     error->message);
      g_clear_error (&error);
      if (orthanc_config != NULL)
        path = rw_plugin_config_dup_queue_path (orthanc_config, NULL);
    }
  else if (!plugin.config->enabled)
    {
      rw_plugin_log (RW_PLUGIN_LOG_WARNING,
                     "The webhook is disabled (no \"Radiweb\" section, or \"Enabled\": false): "
                     "radiweb-server learns of studies only from its catch-up of /changes");
      return;
    }
  else
    path = g_strdup (plugin.config->queue_path);

  if (path == NULL)
    {
      plugin.queue_error = g_strdup ("No place for the webhook queue: set Radiweb.QueuePath");
      return;
    }
  plugin.queue_path = resolve_path (path);
  plugin.queue = rw_plugin_queue_open (plugin.queue_path, &error);
  if (plugin.queue == NULL)
    {
      plugin.queue_error = g_strdup (error->message);
      rw_plugin_log (RW_PLUGIN_LOG_ERROR, "%s", error->message);
      return;
    }
  if (plugin.config != NULL)
    {
      plugin.worker = rw_plugin_worker_new (plugin.config, plugin.queue, fetch_study, NULL);
      rw_plugin_log (RW_PLUGIN_LOG_WARNING, "Stable studies are reported to %s (queue %s)",
                     plugin.config->webhook_url, plugin.queue_path);
    }
}

ORTHANC_PLUGINS_API int32_t
OrthancPluginInitialize (OrthancPluginContext *context)
{
  plugin.context = context;
  if (!OrthancPluginCheckVersion (context))
    {
      g_autofree char *message =
        g_strdup_printf ("The Radiweb plugin needs Orthanc %d.%d.%d or newer; this is %s",
                         ORTHANC_PLUGINS_MINIMAL_MAJOR_NUMBER, ORTHANC_PLUGINS_MINIMAL_MINOR_NUMBER,
                         ORTHANC_PLUGINS_MINIMAL_REVISION_NUMBER, context->orthancVersion);

      OrthancPluginLogError (context, message);
      return -1;
    }
  OrthancPluginSetDescription (context, "Tells radiweb-server of every stable study with a "
                               "signed webhook, through a queue that survives restarts.");
  rw_plugin_log_set_sink (log_to_orthanc);
  plugin.log_handler = g_log_set_handler ("radiweb-core",
                                          G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO,
                                          on_glib_log, NULL);

  configure ();

  /* Registered even when disabled or misconfigured: the status route is
   * where IT finds out why nothing arrives. */
  OrthancPluginRegisterOnChangeCallback (context, on_change);
  OrthancPluginRegisterRestCallbackNoLock (context, "/radiweb/status", on_status);
  OrthancPluginRegisterRestCallbackNoLock (context, "/radiweb/retry", on_retry);
  return 0;
}

ORTHANC_PLUGINS_API void
OrthancPluginFinalize (void)
{
  if (plugin.worker != NULL)
    rw_plugin_worker_stop (plugin.worker);
  g_clear_object (&plugin.worker);
  g_clear_object (&plugin.queue);
  g_clear_pointer (&plugin.config, rw_plugin_config_free);
  g_clear_pointer (&plugin.config_error, g_free);
  g_clear_pointer (&plugin.queue_path, g_free);
  g_clear_pointer (&plugin.queue_error, g_free);
  g_log_remove_handler ("radiweb-core", plugin.log_handler);
  rw_plugin_log_set_sink (NULL);
  plugin.context = NULL;
}

ORTHANC_PLUGINS_API const char *
OrthancPluginGetName (void)
{
  return PLUGIN_NAME;
}

ORTHANC_PLUGINS_API const char *
OrthancPluginGetVersion (void)
{
  return PACKAGE_VERSION;
}
