/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-api-client-private.h"
#include "rw-exam.h"
#include "rw-json.h"

/* The desktop client's side of docs/radiweb-api.md. One SoupSession per
 * server; every call is an _async/_finish pair whose errors are mapped to
 * RW_API_ERROR, so the UI can say precisely what went wrong without knowing
 * HTTP. The token is only ever put in the Authorization header. */
struct _RwApiClient
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;
  char        *token;
};

G_DEFINE_FINAL_TYPE (RwApiClient, rw_api_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (rw-api-error-quark, rw_api_error)

enum {
  PROP_0,
  PROP_BASE_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Turns the JSON of a successful answer into the finish function's result,
 * or fails with RW_API_ERROR_BAD_RESPONSE. */
typedef gpointer (*ParseFunc) (JsonNode  *node,
                               GError   **error);

typedef struct {
  SoupMessage    *message;
  ParseFunc       parse;
  GDestroyNotify  result_free;
  /* A 404 from a route every Radiweb server has means "not Radiweb". */
  gboolean        not_found_is_foreign;
  /* The body of an error answer, for rw_api_client_get_error_details(). */
  GBytes         *error_body;
  /* /health needs no credentials on a Radiweb server: a 401 or 403 there
   * comes from something else (a PACS, a proxy's login page). */
  gboolean        is_health;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->message);
  g_clear_pointer (&request->error_body, g_bytes_unref);
  g_free (request);
}

/* Bodies larger than this are not ours: the server pages its lists. */
#define MAX_RESPONSE_SIZE (64 * 1024 * 1024)

static gboolean
is_transport_tls_error (const GError *error)
{
  return error->domain == G_TLS_ERROR;
}

static GError *
map_transport_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (is_transport_tls_error (error))
    return g_error_new (RW_API_ERROR, RW_API_ERROR_TLS,
                        _("The secure connection to the server failed: its certificate is not trusted or it does not speak HTTPS (%s)"),
                        error->message);
  if (error->domain == SOUP_SESSION_ERROR)
    return g_error_new (RW_API_ERROR, RW_API_ERROR_NOT_RADIWEB,
                        _("The address answered, but not as a Radiweb server does (%s)"),
                        error->message);
  return g_error_new (RW_API_ERROR, RW_API_ERROR_UNREACHABLE,
                      _("The server cannot be reached: %s"), error->message);
}

/* The server's own explanation from {"error": "…"}, if it sent one. */
static char *
server_message (GBytes *body)
{
  g_autoptr(JsonObject) object = NULL;
  const char *message = NULL;
  gsize len = 0;
  const char *data;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  object = rw_json_parse_object (data, (gssize) len, NULL);
  if (object == NULL ||
      !rw_json_get_string (object, "error", RW_JSON_OPTIONAL, &message, NULL) ||
      message == NULL)
    return NULL;
  return g_utf8_make_valid (message, -1);
}

static GError *
map_status (guint     status,
            GBytes   *body,
            gboolean  not_found_is_foreign)
{
  g_autofree char *reason = server_message (body);
  const char *detail = reason != NULL ? reason : soup_status_get_phrase (status);

  if (detail == NULL)
    detail = "";

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return g_error_new (RW_API_ERROR, RW_API_ERROR_UNAUTHORIZED,
                          _("The server did not accept the credentials: %s"), detail);
    case SOUP_STATUS_FORBIDDEN:
      return g_error_new (RW_API_ERROR, RW_API_ERROR_FORBIDDEN,
                          _("Your user may not do this: %s"), detail);
    case SOUP_STATUS_NOT_FOUND:
      if (not_found_is_foreign || reason == NULL)
        return g_error_new_literal (RW_API_ERROR, RW_API_ERROR_NOT_RADIWEB,
                                    _("The address answered, but it is not a Radiweb server"));
      return g_error_new (RW_API_ERROR, RW_API_ERROR_NOT_FOUND,
                          _("Not found on the server: %s"), detail);
    case SOUP_STATUS_CONFLICT:
      return g_error_new (RW_API_ERROR, RW_API_ERROR_CONFLICT,
                          _("The server refused because of a conflict: %s"), detail);
    case SOUP_STATUS_BAD_REQUEST:
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
    case SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE:
      return g_error_new (RW_API_ERROR, RW_API_ERROR_INVALID_INPUT,
                          _("The server refused the request: %s"), detail);
    default:
      return g_error_new (RW_API_ERROR, RW_API_ERROR_SERVER_ERROR,
                          _("The server failed (HTTP %u): %s"), status, detail);
    }
}

static void
on_send_and_read (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *content_type;
  gpointer parsed;
  guint status;
  gsize len = 0;
  const char *data;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, map_transport_error (error));
      return;
    }

  status = soup_message_get_status (request->message);
  if (request->is_health && status >= 400 && status < 500)
    {
      g_task_return_new_error (task, RW_API_ERROR, RW_API_ERROR_NOT_RADIWEB,
                               _("The address answered, but it is not a Radiweb server"));
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      request->error_body = g_bytes_ref (body);
      g_task_return_error (task, map_status (status, body, request->not_found_is_foreign));
      return;
    }

  data = g_bytes_get_data (body, &len);
  if (len > MAX_RESPONSE_SIZE)
    {
      g_task_return_new_error (task, RW_API_ERROR, RW_API_ERROR_BAD_RESPONSE,
                               _("The server's answer is too large (%zu bytes)"), len);
      return;
    }

  if (len == 0)
    {
      node = json_node_new (JSON_NODE_NULL);
    }
  else
    {
      content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (request->message), NULL);
      if (g_strcmp0 (content_type, "application/json") != 0)
        {
          g_task_return_new_error (task, RW_API_ERROR,
                                   request->not_found_is_foreign ? RW_API_ERROR_NOT_RADIWEB
                                                                 : RW_API_ERROR_BAD_RESPONSE,
                                   _("The address answered with %s instead of Radiweb's JSON"),
                                   content_type != NULL ? content_type : "?");
          return;
        }
      node = rw_json_parse (data, (gssize) len, &error);
      if (node == NULL)
        {
          g_task_return_new_error (task, RW_API_ERROR, RW_API_ERROR_BAD_RESPONSE,
                                   _("The server's answer is not valid JSON: %s"), error->message);
          return;
        }
    }

  parsed = request->parse (node, &error);
  if (error != NULL)
    {
      g_task_return_new_error (task, RW_API_ERROR,
                               request->not_found_is_foreign ? RW_API_ERROR_NOT_RADIWEB
                                                             : RW_API_ERROR_BAD_RESPONSE,
                               _("The server's answer has an unexpected shape: %s"), error->message);
      return;
    }
  g_task_return_pointer (task, parsed, request->result_free);
}

static void
send_request (RwApiClient         *self,
              const char          *method,
              const char          *path_and_query,
              JsonNode            *body,
              ParseFunc            parse,
              GDestroyNotify       result_free,
              gboolean             not_found_is_foreign,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  url = g_strconcat (self->base_url, path_and_query, NULL);
  request = g_new0 (Request, 1);
  request->message = soup_message_new (method, url);
  request->parse = parse;
  request->result_free = result_free;
  request->not_found_is_foreign = not_found_is_foreign;
  request->is_health = source_tag == rw_api_client_health_async;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  if (request->message == NULL)
    {
      g_task_return_new_error (task, RW_API_ERROR, RW_API_ERROR_INVALID_URL,
                               _("“%s” is not a valid server address"), self->base_url);
      return;
    }

  soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                "Accept", "application/json");
  if (self->token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                    "Authorization", bearer);
    }
  if (body != NULL)
    {
      g_autofree char *json = rw_json_to_string (body);
      gsize len = strlen (json);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&json), len);

      soup_message_set_request_body_from_bytes (request->message, "application/json", bytes);
    }

  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    cancellable, on_send_and_read, g_steal_pointer (&task));
}

gpointer
rw_api_client_finish_pointer (RwApiClient   *self,
                              GAsyncResult  *result,
                              gpointer       source_tag,
                              GError       **error)
{
  g_return_val_if_fail (RW_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
parse_node (JsonNode  *node,
            GError   **error)
{
  return json_node_ref (node);
}

static gpointer
parse_object (JsonNode  *node,
              GError   **error)
{
  JsonObject *object = rw_json_node_get_object (node, error);

  return object != NULL ? json_object_ref (object) : NULL;
}

static gpointer
parse_health (JsonNode  *node,
              GError   **error)
{
  JsonObject *object = rw_json_node_get_object (node, error);
  const char *status = NULL;
  const char *version = NULL;

  if (object == NULL ||
      !rw_json_get_string (object, "status", RW_JSON_REQUIRED, &status, error) ||
      !rw_json_get_string (object, "version", RW_JSON_REQUIRED, &version, error))
    return NULL;
  if (g_strcmp0 (status, "ok") != 0)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("status is “%s”, not “ok”"), status);
      return NULL;
    }
  return g_strdup (version);
}

typedef struct {
  GPtrArray *exams;
  char      *next_cursor;
} ExamPage;

static void
exam_page_free (ExamPage *page)
{
  g_clear_pointer (&page->exams, g_ptr_array_unref);
  g_free (page->next_cursor);
  g_free (page);
}

static gpointer
parse_exam_page (JsonNode  *node,
                 GError   **error)
{
  JsonObject *object = rw_json_node_get_object (node, error);
  g_autoptr(GPtrArray) exams = NULL;
  JsonArray *array = NULL;
  JsonNode *cursor;
  ExamPage *page;
  guint n;

  if (object == NULL ||
      !rw_json_get_array (object, "exams", RW_JSON_REQUIRED, &array, error))
    return NULL;

  n = json_array_get_length (array);
  exams = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      RwExam *exam;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("exams[%u] is not an object"), i);
          return NULL;
        }
      exam = rw_exam_new_from_api (json_node_get_object (item), error);
      if (exam == NULL)
        {
          g_prefix_error (error, "exams[%u]: ", i);
          return NULL;
        }
      g_ptr_array_add (exams, exam);
    }

  /* The cursor is opaque: a string or a number, null on the last page. */
  cursor = json_object_get_member (object, "next_cursor");
  page = g_new0 (ExamPage, 1);
  page->exams = g_steal_pointer (&exams);
  if (cursor != NULL && JSON_NODE_HOLDS_VALUE (cursor))
    {
      if (json_node_get_value_type (cursor) == G_TYPE_STRING)
        page->next_cursor = g_strdup (json_node_get_string (cursor));
      else if (json_node_get_value_type (cursor) == G_TYPE_INT64)
        page->next_cursor = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (cursor));
    }
  return page;
}

typedef struct {
  char       *token;
  JsonObject *user;
} Login;

static void
login_free (Login *login)
{
  if (login->token != NULL)
    memset (login->token, 0, strlen (login->token));
  g_free (login->token);
  g_clear_pointer (&login->user, json_object_unref);
  g_free (login);
}

static gpointer
parse_login (JsonNode  *node,
             GError   **error)
{
  JsonObject *object = rw_json_node_get_object (node, error);
  JsonObject *user = NULL;
  const char *token = NULL;
  Login *login;

  if (object == NULL ||
      !rw_json_get_string (object, "token", RW_JSON_REQUIRED, &token, error) ||
      !rw_json_get_object (object, "user", RW_JSON_REQUIRED, &user, error))
    return NULL;
  if (token[0] == '\0')
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("the token is empty"));
      return NULL;
    }

  login = g_new0 (Login, 1);
  login->token = g_strdup (token);
  login->user = json_object_ref (user);
  return login;
}

static void
rw_api_client_finalize (GObject *object)
{
  RwApiClient *self = (RwApiClient *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  rw_api_client_set_token (self, NULL);

  G_OBJECT_CLASS (rw_api_client_parent_class)->finalize (object);
}

static void
rw_api_client_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RwApiClient *self = RW_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_api_client_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RwApiClient *self = RW_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len = url != NULL ? strlen (url) : 0;

        /* Paths are appended with their leading slash. */
        while (len > 0 && url[len - 1] == '/')
          len--;
        self->base_url = g_strndup (url != NULL ? url : "", len);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_api_client_class_init (RwApiClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rw_api_client_finalize;
  object_class->get_property = rw_api_client_get_property;
  object_class->set_property = rw_api_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rw_api_client_init (RwApiClient *self)
{
  g_autofree char *user_agent = g_strdup_printf ("radiweb/%s", PACKAGE_VERSION);

  /* A reading room's network is local: 15 s without an answer is an outage,
   * and the worklist should say so rather than wait. */
  self->session = soup_session_new_with_options ("timeout", 15,
                                                 "idle-timeout", 60,
                                                 "user-agent", user_agent,
                                                 NULL);
}

/* Accepts what a person types into the server field: "radiweb.clinica",
 * "http://10.0.0.5:8642/" … and returns the canonical base URL (scheme, host,
 * optional port and path, no trailing slash). No scheme means HTTPS. */
char *
rw_api_normalize_url (const char  *url,
                      GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *with_scheme = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *path;
  gsize len;

  trimmed = g_strstrip (g_strdup (url != NULL ? url : ""));
  if (trimmed[0] == '\0')
    {
      g_set_error_literal (error, RW_API_ERROR, RW_API_ERROR_INVALID_URL,
                           _("Type the address of the Radiweb server"));
      return NULL;
    }

  with_scheme = strstr (trimmed, "://") != NULL ? g_strdup (trimmed)
                                               : g_strconcat ("https://", trimmed, NULL);
  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL ||
      (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, RW_API_ERROR, RW_API_ERROR_INVALID_URL,
                   _("“%s” is not a server address; it should look like https://radiweb.clinica.com.br"),
                   trimmed);
      return NULL;
    }
  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error_literal (error, RW_API_ERROR, RW_API_ERROR_INVALID_URL,
                           _("The server address may not contain a user name, a password, “?” or “#”"));
      return NULL;
    }

  path = g_uri_get_path (uri);
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    len--;
  {
    g_autofree char *trimmed_path = g_strndup (path, len);
    g_autoptr(GUri) canonical = g_uri_build (G_URI_FLAGS_NONE, scheme, NULL,
                                             g_uri_get_host (uri), g_uri_get_port (uri),
                                             trimmed_path, NULL, NULL);

    return g_uri_to_string (canonical);
  }
}

RwApiClient *
rw_api_client_new (const char *base_url)
{
  g_return_val_if_fail (base_url != NULL, NULL);

  return g_object_new (RW_TYPE_API_CLIENT, "base-url", base_url, NULL);
}

const char *
rw_api_client_get_base_url (RwApiClient *self)
{
  g_return_val_if_fail (RW_IS_API_CLIENT (self), NULL);
  return self->base_url;
}

/* The token is wiped from memory when replaced: it is a password in all but
 * name until it expires. */
void
rw_api_client_set_token (RwApiClient *self,
                         const char  *token)
{
  g_return_if_fail (RW_IS_API_CLIENT (self));

  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = token != NULL && token[0] != '\0' ? g_strdup (token) : NULL;
}

gboolean
rw_api_client_has_token (RwApiClient *self)
{
  g_return_val_if_fail (RW_IS_API_CLIENT (self), FALSE);
  return self->token != NULL;
}

SoupSession *
rw_api_client_get_session (RwApiClient *self)
{
  g_return_val_if_fail (RW_IS_API_CLIENT (self), NULL);
  return self->session;
}

SoupMessage *
rw_api_client_new_events_message (RwApiClient *self)
{
  g_autofree char *url = NULL;
  SoupMessage *message;

  g_return_val_if_fail (RW_IS_API_CLIENT (self), NULL);

  url = g_strconcat (self->base_url, "/api/events", NULL);
  message = soup_message_new ("GET", url);
  if (message != NULL && self->token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", bearer);
    }
  return message;
}

void
rw_api_client_health_async (RwApiClient         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (RW_IS_API_CLIENT (self));

  send_request (self, "GET", "/health", NULL, parse_health, g_free, TRUE,
                rw_api_client_health_async, cancellable, callback, user_data);
}

/* Returns the server's version. */
char *
rw_api_client_health_finish (RwApiClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return rw_api_client_finish_pointer (self, result, rw_api_client_health_async, error);
}

void
rw_api_client_login_async (RwApiClient         *self,
                           const char          *username,
                           const char          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (RW_IS_API_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  /* Whatever token the client had belongs to the previous user. */
  rw_api_client_set_token (self, NULL);
  send_request (self, "POST", "/api/auth/login", body, parse_login,
                (GDestroyNotify) login_free, TRUE,
                rw_api_client_login_async, cancellable, callback, user_data);
}

gboolean
rw_api_client_login_finish (RwApiClient   *self,
                            GAsyncResult  *result,
                            char         **token,
                            JsonObject   **user,
                            GError       **error)
{
  Login *login = rw_api_client_finish_pointer (self, result, rw_api_client_login_async, error);

  if (login == NULL)
    return FALSE;

  rw_api_client_set_token (self, login->token);
  if (token != NULL)
    *token = g_strdup (login->token);
  if (user != NULL)
    *user = json_object_ref (login->user);
  login_free (login);
  return TRUE;
}

void
rw_api_client_logout_async (RwApiClient         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (RW_IS_API_CLIENT (self));

  send_request (self, "POST", "/api/auth/logout", NULL, parse_node,
                (GDestroyNotify) json_node_unref, FALSE,
                rw_api_client_logout_async, cancellable, callback, user_data);
}

/* The local token is forgotten whatever the server answered: signing out
 * must work offline too; the server's copy expires on its own. */
gboolean
rw_api_client_logout_finish (RwApiClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_autoptr(JsonNode) node = rw_api_client_finish_pointer (self, result, rw_api_client_logout_async, error);

  rw_api_client_set_token (self, NULL);
  return node != NULL;
}

static void
append_param (GString    *query,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL || value[0] == '\0')
    return;
  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_c (query, query->len == 0 ? '?' : '&');
  g_string_append_printf (query, "%s=%s", name, escaped);
}

void
rw_api_client_list_exams_async (RwApiClient          *self,
                                const RwApiExamQuery *query,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  g_autoptr(GString) params = g_string_new (NULL);
  g_autofree char *path = NULL;

  g_return_if_fail (RW_IS_API_CLIENT (self));

  if (query != NULL)
    {
      append_param (params, "status", query->status);
      append_param (params, "modality", query->modality);
      append_param (params, "q", query->q);
      append_param (params, "from", query->from);
      append_param (params, "to", query->to);
      append_param (params, "updated_since", query->updated_since);
      append_param (params, "cursor", query->cursor);
      if (query->limit > 0)
        g_string_append_printf (params, "%climit=%u", params->len == 0 ? '?' : '&', query->limit);
    }
  path = g_strconcat ("/api/exams", params->str, NULL);

  send_request (self, "GET", path, NULL, parse_exam_page, (GDestroyNotify) exam_page_free, FALSE,
                rw_api_client_list_exams_async, cancellable, callback, user_data);
}

GPtrArray *
rw_api_client_list_exams_finish (RwApiClient   *self,
                                 GAsyncResult  *result,
                                 char         **next_cursor,
                                 GError       **error)
{
  ExamPage *page = rw_api_client_finish_pointer (self, result, rw_api_client_list_exams_async, error);
  GPtrArray *exams;

  if (page == NULL)
    return NULL;
  exams = g_steal_pointer (&page->exams);
  if (next_cursor != NULL)
    *next_cursor = g_steal_pointer (&page->next_cursor);
  exam_page_free (page);
  return exams;
}

void
rw_api_client_get_exam_async (RwApiClient         *self,
                              gint64               exam_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (RW_IS_API_CLIENT (self));

  path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT, exam_id);
  send_request (self, "GET", path, NULL, parse_object, (GDestroyNotify) json_object_unref, FALSE,
                rw_api_client_get_exam_async, cancellable, callback, user_data);
}

JsonObject *
rw_api_client_get_exam_finish (RwApiClient   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return rw_api_client_finish_pointer (self, result, rw_api_client_get_exam_async, error);
}

static void
exam_action_async (RwApiClient         *self,
                   gint64               exam_id,
                   const char          *action,
                   gpointer             source_tag,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT "/%s", exam_id, action);

  send_request (self, "POST", path, NULL, parse_node, (GDestroyNotify) json_node_unref, FALSE,
                source_tag, cancellable, callback, user_data);
}

void
rw_api_client_claim_async (RwApiClient         *self,
                           gint64               exam_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (RW_IS_API_CLIENT (self));
  exam_action_async (self, exam_id, "claim", rw_api_client_claim_async,
                     cancellable, callback, user_data);
}

gboolean
rw_api_client_claim_finish (RwApiClient   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_autoptr(JsonNode) node = rw_api_client_finish_pointer (self, result, rw_api_client_claim_async, error);

  return node != NULL;
}

void
rw_api_client_release_async (RwApiClient         *self,
                             gint64               exam_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (RW_IS_API_CLIENT (self));
  exam_action_async (self, exam_id, "release", rw_api_client_release_async,
                     cancellable, callback, user_data);
}

gboolean
rw_api_client_release_finish (RwApiClient   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_autoptr(JsonNode) node = rw_api_client_finish_pointer (self, result, rw_api_client_release_async, error);

  return node != NULL;
}

void
rw_api_client_request_async (RwApiClient         *self,
                             const char          *method,
                             const char          *path,
                             JsonNode            *body,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (RW_IS_API_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL && path[0] == '/');

  send_request (self, method, path, body, parse_node, (GDestroyNotify) json_node_unref, FALSE,
                rw_api_client_request_async, cancellable, callback, user_data);
}

JsonNode *
rw_api_client_request_finish (RwApiClient   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return rw_api_client_finish_pointer (self, result, rw_api_client_request_async, error);
}

/* The server explains some refusals with more than a message: a 409 on a
 * stale save carries the stored report, so the client can show both texts. */
JsonObject *
rw_api_client_get_error_details (RwApiClient  *self,
                                 GAsyncResult *result)
{
  Request *request;
  const char *data;
  gsize len = 0;

  g_return_val_if_fail (RW_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  request = g_task_get_task_data (G_TASK (result));
  if (request == NULL || request->error_body == NULL)
    return NULL;
  data = g_bytes_get_data (request->error_body, &len);
  return rw_json_parse_object (data, (gssize) len, NULL);
}
