/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-orthanc-client-private.h"
#include "rw-viewer-url.h"

G_DEFINE_QUARK (rw-orthanc-error-quark, rw_orthanc_error)

#define DEFAULT_TIMEOUT 30
#define READ_CHUNK (64 * 1024)

struct _RwOrthancClient
{
  GObject parent_instance;

  SoupSession *session;
  char        *base_url;
  /* "host:port", what messages call the PACS. */
  char        *host_label;
  char        *username;
  /* Only between set_property() and constructed(): construct properties
   * come in no defined order, and the header needs the user name. */
  char        *password;
  char        *authorization;
  guint        timeout;
};

G_DEFINE_FINAL_TYPE (RwOrthancClient, rw_orthanc_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_USERNAME,
  PROP_PASSWORD,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct {
  SoupMessage  *msg;
  GInputStream *stream;
  GByteArray   *body;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_free (request);
}

void
rw_orthanc_system_free (RwOrthancSystem *system)
{
  if (system == NULL)
    return;
  g_free (system->name);
  g_free (system->version);
  g_free (system->dicom_aet);
  g_free (system);
}

static const char *
message_path (SoupMessage *msg)
{
  return g_uri_get_path (soup_message_get_uri (msg));
}

void
rw_orthanc_client_transport_error (RwOrthancClient  *self,
                                   SoupMessage      *msg,
                                   GError           *cause,
                                   GError          **error)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, cause);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_set_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_TIMEOUT,
                   _("The PACS at %s did not answer in time (%s %s)"),
                   self->host_label, soup_message_get_method (msg), message_path (msg));
      g_error_free (cause);
    }
  else
    {
      g_set_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_UNREACHABLE,
                   _("Could not connect to the PACS at %s (%s %s): %s"),
                   self->host_label, soup_message_get_method (msg), message_path (msg),
                   cause->message);
      g_error_free (cause);
    }
}

gboolean
rw_orthanc_client_check_status (RwOrthancClient  *self,
                                SoupMessage      *msg,
                                GError          **error)
{
  guint status = soup_message_get_status (msg);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return TRUE;

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    g_set_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_UNAUTHORIZED,
                 _("The PACS at %s refused the user name or password (%s %s)"),
                 self->host_label, soup_message_get_method (msg), message_path (msg));
  else if (status == SOUP_STATUS_NOT_FOUND)
    g_set_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND,
                 _("The PACS at %s has no such item (%s %s)"),
                 self->host_label, soup_message_get_method (msg), message_path (msg));
  else
    g_set_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_SERVER_ERROR,
                 _("The PACS at %s reported an error (%s %s): HTTP %u"),
                 self->host_label, soup_message_get_method (msg), message_path (msg), status);
  return FALSE;
}

void
rw_orthanc_client_bad_response (RwOrthancClient  *self,
                                SoupMessage      *msg,
                                const char       *why,
                                GError          **error)
{
  g_set_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE,
               _("The PACS at %s gave an answer that could not be understood (%s %s): %s"),
               self->host_label, soup_message_get_method (msg), message_path (msg), why);
}

void
rw_orthanc_client_return_bad_response (RwOrthancClient *self,
                                       GTask           *task,
                                       SoupMessage     *msg,
                                       const char      *why)
{
  GError *error = NULL;

  rw_orthanc_client_bad_response (self, msg, why, &error);
  g_task_return_error (task, error);
}

gboolean
rw_orthanc_client_check_id (RwOrthancClient  *self,
                            const char       *id,
                            GError          **error)
{
  if (id != NULL && id[0] != '\0' && strlen (id) <= 64 &&
      strspn (id, "0123456789abcdef-") == strlen (id))
    return TRUE;
  /* The id itself stays out of the message: it may be anything. */
  g_set_error (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND,
               _("The PACS at %s has no such item: the id is not an Orthanc id"),
               self->host_label);
  return FALSE;
}

SoupSession *
rw_orthanc_client_get_session (RwOrthancClient *self)
{
  return self->session;
}

SoupMessage *
rw_orthanc_client_new_message (RwOrthancClient *self,
                               const char      *method,
                               const char      *path_and_query)
{
  g_autofree char *uri = g_strconcat (self->base_url, path_and_query, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  g_assert (msg != NULL);
  /* Sent up front: waiting for a 401 challenge costs a round trip per
   * request, and libsoup would keep the password in its auth cache. */
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Authorization", self->authorization);
  return msg;
}

static void on_read (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_next (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_read, task);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwOrthancClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *cause = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &cause);
  if (chunk == NULL)
    {
      GError *error = NULL;

      rw_orthanc_client_transport_error (self, request->msg, cause, &error);
      g_task_return_error (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&request->body)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }
  if (request->body->len + g_bytes_get_size (chunk) > RW_ORTHANC_MAX_BODY)
    {
      rw_orthanc_client_return_bad_response (self, task, request->msg,
                                             _("the answer is too large"));
      return;
    }
  g_byte_array_append (request->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  read_next (g_steal_pointer (&task));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwOrthancClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  GError *cause = NULL;
  GError *error = NULL;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result, &cause);
  if (request->stream == NULL)
    {
      rw_orthanc_client_transport_error (self, request->msg, cause, &error);
      g_task_return_error (task, error);
      return;
    }
  if (!rw_orthanc_client_check_status (self, request->msg, &error))
    {
      g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_task_return_error (task, error);
      return;
    }
  request->body = g_byte_array_new ();
  read_next (g_steal_pointer (&task));
}

void
rw_orthanc_client_request_async (RwOrthancClient     *self,
                                 const char          *method,
                                 const char          *path_and_query,
                                 JsonNode            *body,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_orthanc_client_request_async);
  request = g_new0 (Request, 1);
  request->msg = rw_orthanc_client_new_message (self, method, path_and_query);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  if (body != NULL)
    {
      g_autofree char *text = rw_json_to_string (body);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), strlen (text));

      soup_message_set_request_body_from_bytes (request->msg, "application/json", bytes);
    }

  soup_session_send_async (self->session, request->msg, G_PRIORITY_DEFAULT, cancellable,
                           on_sent, g_steal_pointer (&task));
}

GBytes *
rw_orthanc_client_request_finish (RwOrthancClient  *self,
                                  GAsyncResult     *result,
                                  SoupMessage     **msg,
                                  GError          **error)
{
  Request *request;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  request = g_task_get_task_data (G_TASK (result));
  if (msg != NULL)
    *msg = g_object_ref (request->msg);
  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonNode *
rw_orthanc_client_request_json_finish (RwOrthancClient  *self,
                                       GAsyncResult     *result,
                                       SoupMessage     **msg_out,
                                       GError          **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) cause = NULL;
  JsonNode *node;
  gsize len;
  const char *data;

  body = rw_orthanc_client_request_finish (self, result, &msg, error);
  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  node = rw_json_parse (data, (gssize) len, &cause);
  if (node == NULL)
    {
      rw_orthanc_client_bad_response (self, msg, cause->message, error);
      return NULL;
    }
  if (msg_out != NULL)
    *msg_out = g_steal_pointer (&msg);
  return node;
}

/* The JSON answer, which must be of @type (an array or an object). */
static JsonNode *
request_typed_finish (RwOrthancClient  *self,
                      GAsyncResult     *result,
                      JsonNodeType      type,
                      SoupMessage     **msg_out,
                      GError          **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) node = rw_orthanc_client_request_json_finish (self, result, &msg, error);

  if (node == NULL)
    return NULL;
  if (JSON_NODE_TYPE (node) != type)
    {
      rw_orthanc_client_bad_response (self, msg,
                                      type == JSON_NODE_ARRAY ? _("Expected a JSON array")
                                                              : _("Expected a JSON object"),
                                      error);
      return NULL;
    }
  if (msg_out != NULL)
    *msg_out = g_steal_pointer (&msg);
  return g_steal_pointer (&node);
}

JsonArray *
rw_orthanc_client_request_array_finish (RwOrthancClient  *self,
                                        GAsyncResult     *result,
                                        SoupMessage     **msg_out,
                                        GError          **error)
{
  g_autoptr(JsonNode) node = request_typed_finish (self, result, JSON_NODE_ARRAY, msg_out, error);

  return node != NULL ? json_array_ref (json_node_get_array (node)) : NULL;
}

JsonObject *
rw_orthanc_client_request_object_finish (RwOrthancClient  *self,
                                         GAsyncResult     *result,
                                         SoupMessage     **msg_out,
                                         GError          **error)
{
  g_autoptr(JsonNode) node = request_typed_finish (self, result, JSON_NODE_OBJECT, msg_out, error);

  return node != NULL ? json_object_ref (json_node_get_object (node)) : NULL;
}

void
rw_orthanc_client_request_for_id (RwOrthancClient     *self,
                                  const char          *method,
                                  const char          *prefix,
                                  const char          *id,
                                  const char          *suffix,
                                  JsonNode            *body,
                                  gpointer             source_tag,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  on_answer,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *path = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  if (!rw_orthanc_client_check_id (self, id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  path = g_strconcat (prefix, id, suffix, NULL);
  rw_orthanc_client_request_async (self, method, path, body, cancellable, on_answer,
                                   g_steal_pointer (&task));
}

static void
rw_orthanc_client_finalize (GObject *object)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (object);

  g_clear_object (&self->session);
  g_free (self->base_url);
  g_free (self->host_label);
  g_free (self->username);
  if (self->authorization != NULL)
    memset (self->authorization, 0, strlen (self->authorization));
  g_free (self->authorization);

  G_OBJECT_CLASS (rw_orthanc_client_parent_class)->finalize (object);
}

static void
rw_orthanc_client_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_credentials (RwOrthancClient *self,
                 const char      *password)
{
  g_autofree char *pair = g_strdup_printf ("%s:%s", self->username != NULL ? self->username : "",
                                           password != NULL ? password : "");
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  self->authorization = g_strdup_printf ("Basic %s", encoded);
  memset (pair, 0, strlen (pair));
}

static void
rw_orthanc_client_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len = url != NULL ? strlen (url) : 0;

        /* Paths are appended as "/…". */
        while (len > 0 && url[len - 1] == '/')
          len--;
        self->base_url = g_strndup (url != NULL ? url : "", len);
      }
      break;
    case PROP_USERNAME:
      self->username = g_value_dup_string (value);
      break;
    case PROP_PASSWORD:
      self->password = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT:
      rw_orthanc_client_set_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_orthanc_client_constructed (GObject *object)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (object);
  g_autoptr(GUri) uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);

  G_OBJECT_CLASS (rw_orthanc_client_parent_class)->constructed (object);

  if (uri != NULL && g_uri_get_port (uri) > 0)
    self->host_label = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  else
    self->host_label = g_strdup (uri != NULL && g_uri_get_host (uri) ? g_uri_get_host (uri) : self->base_url);
  set_credentials (self, self->password);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
}

static void
rw_orthanc_client_class_init (RwOrthancClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rw_orthanc_client_finalize;
  object_class->constructed = rw_orthanc_client_constructed;
  object_class->get_property = rw_orthanc_client_get_property;
  object_class->set_property = rw_orthanc_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Write-only: nothing can read the password back out of the client. */
  properties[PROP_PASSWORD] =
    g_param_spec_string ("password", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 3600, DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rw_orthanc_client_init (RwOrthancClient *self)
{
  self->timeout = DEFAULT_TIMEOUT;
  self->session = soup_session_new_with_options ("timeout", DEFAULT_TIMEOUT,
                                                 "user-agent", "radiweb/" PACKAGE_VERSION,
                                                 NULL);
}

RwOrthancClient *
rw_orthanc_client_new (const char  *base_url,
                       const char  *username,
                       const char  *password,
                       GError     **error)
{
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!rw_viewer_url_check_base (base_url, error))
    return NULL;
  return g_object_new (RW_TYPE_ORTHANC_CLIENT,
                       "base-url", base_url,
                       "username", username,
                       "password", password,
                       NULL);
}

const char *
rw_orthanc_client_get_base_url (RwOrthancClient *self)
{
  g_return_val_if_fail (RW_IS_ORTHANC_CLIENT (self), NULL);
  return self->base_url;
}

guint
rw_orthanc_client_get_timeout (RwOrthancClient *self)
{
  g_return_val_if_fail (RW_IS_ORTHANC_CLIENT (self), 0);
  return self->timeout;
}

void
rw_orthanc_client_set_timeout (RwOrthancClient *self,
                               guint            seconds)
{
  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));
  g_return_if_fail (seconds > 0);

  if (self->timeout == seconds)
    return;
  self->timeout = seconds;
  g_object_set (self->session, "timeout", seconds, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/* GET /system */

static void
on_system (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(RwOrthancSystem) system = g_new0 (RwOrthancSystem, 1);
  const char *name = NULL, *version = NULL, *aet = NULL;
  gint64 api = 0, port = 0;
  JsonObject *object;
  gboolean is_orthanc;

  node = rw_orthanc_client_request_json_finish (self, result, &msg, &error);
  if (node == NULL)
    {
      /* A web server without /system, or whose /system is not JSON, is
       * something other than Orthanc. */
      if (g_error_matches (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND) ||
          g_error_matches (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE))
        {
          g_task_return_new_error (task, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE,
                                   _("The server at %s answered, but it is not an Orthanc PACS (%s %s)"),
                                   self->host_label, "GET", "/system");
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  is_orthanc = object != NULL &&
               rw_json_get_string (object, "Version", RW_JSON_REQUIRED, &version, NULL) &&
               rw_json_get_int (object, "ApiVersion", RW_JSON_REQUIRED, &api, NULL) &&
               rw_json_get_string (object, "Name", RW_JSON_OPTIONAL, &name, NULL) &&
               rw_json_get_string (object, "DicomAet", RW_JSON_OPTIONAL, &aet, NULL) &&
               rw_json_get_int (object, "DicomPort", RW_JSON_OPTIONAL, &port, NULL) &&
               api >= 0 && port >= 0 && port <= 65535;
  if (!is_orthanc)
    {
      g_task_return_new_error (task, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_BAD_RESPONSE,
                               _("The server at %s answered, but it is not an Orthanc PACS (%s %s)"),
                               self->host_label, "GET", "/system");
      return;
    }

  system->name = g_strdup (name != NULL ? name : "");
  system->version = g_strdup (version);
  system->dicom_aet = g_strdup (aet != NULL ? aet : "");
  system->dicom_port = (guint) port;
  system->api_version = (guint) api;
  g_task_return_pointer (task, g_steal_pointer (&system), (GDestroyNotify) rw_orthanc_system_free);
}

void
rw_orthanc_client_check_async (RwOrthancClient     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_orthanc_client_check_async);
  rw_orthanc_client_request_async (self, "GET", "/system", NULL, cancellable, on_system, task);
}

RwOrthancSystem *
rw_orthanc_client_check_finish (RwOrthancClient  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GET /studies/{id}/statistics */

/* Orthanc 1.10 writes sizes as strings ("13150"), counts as numbers. */
static gboolean
get_size (JsonObject *object,
          const char *member,
          guint64    *out)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;
  char *end = NULL;

  *out = 0;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return node == NULL;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      if (json_node_get_int (node) < 0)
        return FALSE;
      *out = (guint64) json_node_get_int (node);
      return TRUE;
    }
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  text = json_node_get_string (node);
  *out = g_ascii_strtoull (text, &end, 10);
  return end != text && *end == '\0';
}

static void
on_statistics (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) cause = NULL;
  g_autoptr(JsonObject) object = NULL;
  RwOrthancStatistics *stats = g_new0 (RwOrthancStatistics, 1);
  gint64 series = 0, instances = 0;

  g_task_set_task_data (task, stats, g_free);
  object = rw_orthanc_client_request_object_finish (self, result, &msg, &error);
  if (object == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!rw_json_get_int (object, "CountSeries", RW_JSON_REQUIRED, &series, &cause) ||
      !rw_json_get_int (object, "CountInstances", RW_JSON_REQUIRED, &instances, &cause) ||
      series < 0 || instances < 0 || series > G_MAXINT32 || instances > G_MAXINT32 ||
      !get_size (object, "DiskSize", &stats->disk_size) ||
      !get_size (object, "UncompressedSize", &stats->uncompressed_size))
    {
      rw_orthanc_client_return_bad_response (self, task, msg,
                                             cause != NULL ? cause->message : _("unexpected statistics"));
      return;
    }
  stats->count_series = (guint) series;
  stats->count_instances = (guint) instances;
  g_task_return_boolean (task, TRUE);
}

void
rw_orthanc_client_get_statistics_async (RwOrthancClient     *self,
                                        const char          *study_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));

  rw_orthanc_client_request_for_id (self, "GET", "/studies/", study_id, "/statistics", NULL,
                                    rw_orthanc_client_get_statistics_async,
                                    cancellable, on_statistics, callback, user_data);
}

gboolean
rw_orthanc_client_get_statistics_finish (RwOrthancClient      *self,
                                         GAsyncResult         *result,
                                         RwOrthancStatistics  *statistics,
                                         GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (statistics != NULL, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  *statistics = *(RwOrthancStatistics *) g_task_get_task_data (G_TASK (result));
  return TRUE;
}

/* GET /instances/{id}/preview */

static void
on_preview (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  static const guint8 png_magic[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  gsize len;
  const guint8 *data;

  body = rw_orthanc_client_request_finish (self, result, &msg, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = g_bytes_get_data (body, &len);
  if (len < sizeof png_magic || memcmp (data, png_magic, sizeof png_magic) != 0)
    {
      rw_orthanc_client_return_bad_response (self, task, msg, _("the preview is not a PNG image"));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
}

void
rw_orthanc_client_get_preview_async (RwOrthancClient     *self,
                                     const char          *instance_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));

  rw_orthanc_client_request_for_id (self, "GET", "/instances/", instance_id, "/preview", NULL,
                                    rw_orthanc_client_get_preview_async,
                                    cancellable, on_preview, callback, user_data);
}

GBytes *
rw_orthanc_client_get_preview_finish (RwOrthancClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* POST /studies/{id}/anonymize, DELETE /studies/{id} */

static void
on_anonymized (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) cause = NULL;
  g_autoptr(JsonObject) object = NULL;
  const char *id = NULL;

  object = rw_orthanc_client_request_object_finish (self, result, &msg, &error);
  if (object == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!rw_json_get_string (object, "ID", RW_JSON_REQUIRED, &id, &cause) ||
      !rw_orthanc_client_check_id (self, id, NULL))
    {
      rw_orthanc_client_return_bad_response (self, task, msg,
                                             cause != NULL ? cause->message : _("the new study has no valid id"));
      return;
    }
  g_task_return_pointer (task, g_strdup (id), g_free);
}

void
rw_orthanc_client_anonymize_study_async (RwOrthancClient     *self,
                                         const char          *study_id,
                                         gboolean             keep_source,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonObject) object = NULL;

  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));

  object = json_object_new ();
  json_object_set_boolean_member (object, "KeepSource", keep_source);
  body = json_node_init_object (json_node_alloc (), object);
  rw_orthanc_client_request_for_id (self, "POST", "/studies/", study_id, "/anonymize", body,
                                    rw_orthanc_client_anonymize_study_async,
                                    cancellable, on_anonymized, callback, user_data);
}

char *
rw_orthanc_client_anonymize_study_finish (RwOrthancClient  *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;

  body = rw_orthanc_client_request_finish (RW_ORTHANC_CLIENT (source), result, NULL, &error);
  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
rw_orthanc_client_delete_study_async (RwOrthancClient     *self,
                                      const char          *study_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));

  rw_orthanc_client_request_for_id (self, "DELETE", "/studies/", study_id, NULL, NULL,
                                    rw_orthanc_client_delete_study_async,
                                    cancellable, on_deleted, callback, user_data);
}

gboolean
rw_orthanc_client_delete_study_finish (RwOrthancClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
