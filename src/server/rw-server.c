/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-server-catchup.h"
#include "rw-server-clock.h"
#include "rw-server-connections.h"
#include "rw-server-handlers.h"
#include "rw-server-private.h"

/* The HTTP side of radiweb-server: one SoupServer, an early handler that
 * refuses oversized or mistyped bodies before they are read, a dispatcher
 * that authenticates and routes, the /api/events WebSocket, and a shutdown
 * that lets in-flight requests finish. */
struct _RwServer
{
  GObject         parent_instance;

  RwServerConfig *config;
  RwServerStore  *store;
  RwServerEvents *events;
  RwServerCatchup *catchup;       /* NULL without [orthanc] url */
  SoupServer     *soup;
  RwServerConnections *connections;

  /* Requests paused for a job, and paused messages not yet sent. */
  guint           n_detached;
  guint           n_unfinished;

  gboolean        stopping;
  GTask          *stop_task;
  guint           stop_timeout_id;
  guint           stop_idle_id;
  gboolean        log_requests;
};

G_DEFINE_FINAL_TYPE (RwServer, rw_server, G_TYPE_OBJECT)

typedef enum {
  AUTH_NONE,
  AUTH_USER,
  AUTH_ADMIN,
} RouteAuth;

typedef struct {
  const char      *method;
  const char      *pattern;
  RouteAuth        auth;
  RwServerHandler  handler;
} Route;

static void handle_health (RwServerRequest *req);

/* Every route of docs/radiweb-api.md but /api/events (a WebSocket, below).
 * "{id}" stands for a positive integer. */
static const Route routes[] = {
  { "GET",    "/health",                         AUTH_NONE,  handle_health },
  { "POST",   "/webhook/dicom",                  AUTH_NONE,  rw_server_handle_webhook },
  { "GET",    "/exams/pending",                  AUTH_USER,  rw_server_handle_exams_pending },
  { "POST",   "/api/auth/login",                 AUTH_NONE,  rw_server_handle_login },
  { "POST",   "/api/auth/logout",                AUTH_USER,  rw_server_handle_logout },
  { "GET",    "/api/auth/me",                    AUTH_USER,  rw_server_handle_me },
  { "GET",    "/api/users",                      AUTH_USER,  rw_server_handle_users },
  { "GET",    "/api/exams",                      AUTH_USER,  rw_server_handle_exams_list },
  { "GET",    "/api/exams/{id}",                 AUTH_USER,  rw_server_handle_exam_get },
  { "PATCH",  "/api/exams/{id}",                 AUTH_ADMIN, rw_server_handle_exam_patch },
  { "POST",   "/api/exams/{id}/claim",           AUTH_USER,  rw_server_handle_exam_claim },
  { "POST",   "/api/exams/{id}/release",         AUTH_USER,  rw_server_handle_exam_release },
  { "GET",    "/api/reports/{id}",               AUTH_USER,  rw_server_handle_report_get },
  { "POST",   "/api/reports/{id}/save",          AUTH_USER,  rw_server_handle_report_save },
  { "POST",   "/api/reports/{id}/finalize",      AUTH_USER,  rw_server_handle_report_finalize },
  { "POST",   "/api/reports/{id}/addendum",      AUTH_USER,  rw_server_handle_report_addendum },
  { "GET",    "/api/phrases",                    AUTH_USER,  rw_server_handle_phrases_list },
  { "POST",   "/api/phrases",                    AUTH_USER,  rw_server_handle_phrase_create },
  { "PUT",    "/api/phrases/{id}",               AUTH_USER,  rw_server_handle_phrase_update },
  { "DELETE", "/api/phrases/{id}",               AUTH_USER,  rw_server_handle_phrase_delete },
  { "GET",    "/api/metrics/dashboard",          AUTH_USER,  rw_server_handle_dashboard },
  { "GET",    "/api/metrics/productivity",       AUTH_USER,  rw_server_handle_productivity },
  { "GET",    "/api/audit",                      AUTH_ADMIN, rw_server_handle_audit_list },
  { "POST",   "/api/audit/export",               AUTH_USER,  rw_server_handle_audit_export },
};

#define EVENTS_PATH "/api/events"
#define USER_KEY "rw-server-user"

static void
handle_health (RwServerRequest *req)
{
  rw_server_request_reply_json (req, SOUP_STATUS_OK,
                                rw_server_json_object ("status", json_node_init_string (json_node_alloc (), "ok"),
                                                       "version", json_node_init_string (json_node_alloc (), PACKAGE_VERSION),
                                                       NULL));
}

RwServerConfig *
rw_server_get_config (RwServer *self)
{
  return self->config;
}

RwServerStore *
rw_server_get_store (RwServer *self)
{
  return self->store;
}

RwServerEvents *
rw_server_get_events (RwServer *self)
{
  return self->events;
}

RwServerConnections *
rw_server_get_connections (RwServer *self)
{
  return self->connections;
}

/* Answers from an early handler or the WebSocket path, where there is no
 * RwServerRequest yet. */
static void
set_error_response (SoupServerMessage *msg,
                    guint              status,
                    const char        *message)
{
  g_autoptr(JsonNode) node = rw_server_json_object ("error", json_node_init_string (json_node_alloc (), message), NULL);
  char *body = json_to_string (node, FALSE);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
  if (status == SOUP_STATUS_UNAUTHORIZED)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "WWW-Authenticate", "Bearer realm=\"radiweb\"");
}

/* The body will not be used: stop keeping it, and close the connection
 * afterwards rather than read what a misbehaving client sends next. */
static void
refuse_body (SoupServerMessage *msg,
             guint              status,
             const char        *message)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  set_error_response (msg, status, message);
}

static char *
too_large_message (RwServer *self)
{
  return g_strdup_printf (_("The request body is larger than the limit of %zu bytes"),
                          self->config->max_body_size);
}

typedef struct {
  RwServer *server;
  gsize     received;
} ChunkCount;

/* A chunked body announces no length: count as it arrives. */
static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  ChunkCount *count = user_data;
  g_autofree char *message = NULL;

  count->received += g_bytes_get_size (chunk);
  if (count->received <= count->server->config->max_body_size ||
      soup_server_message_get_status (msg) != 0)
    return;
  message = too_large_message (count->server);
  refuse_body (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, message);
}

static gboolean
is_json_content_type (SoupMessageHeaders *headers)
{
  g_autoptr(GHashTable) params = NULL;
  const char *type = soup_message_headers_get_content_type (headers, &params);
  const char *charset;

  if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
    return FALSE;
  charset = params != NULL ? g_hash_table_lookup (params, "charset") : NULL;
  return charset == NULL || g_ascii_strcasecmp (charset, "utf-8") == 0;
}

/* Runs once the headers are in, before the body is read. */
static void
on_early_request (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  RwServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (self->stopping)
    {
      refuse_body (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, _("The server is shutting down; try again in a moment"));
      return;
    }

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      if (soup_message_headers_get_content_length (headers) > (goffset) self->config->max_body_size)
        {
          g_autofree char *message = too_large_message (self);

          refuse_body (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, message);
          return;
        }
      break;
    case SOUP_ENCODING_CHUNKED:
      {
        ChunkCount *count = g_new0 (ChunkCount, 1);

        count->server = self;
        g_signal_connect_data (msg, "got-chunk", G_CALLBACK (on_got_chunk), count,
                               (GClosureNotify) (void (*) (void)) g_free, 0);
      }
      break;
    default:
      break;
    }

  /* The webhook's type is checked before its body is read; the API routes,
   * which take several types, check theirs in their handlers. */
  if (g_strcmp0 (path, "/webhook/dicom") == 0 &&
      g_strcmp0 (soup_server_message_get_method (msg), "POST") == 0 &&
      !is_json_content_type (headers))
    refuse_body (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                 _("The webhook body must be sent as Content-Type: application/json"));
}

static RwServerRequest *
request_new (RwServer          *self,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query)
{
  RwServerRequest *req = g_new0 (RwServerRequest, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  req->server = self;
  req->msg = g_object_ref (msg);
  req->method = soup_server_message_get_method (msg);
  req->path = g_strdup (path);
  req->query = query != NULL ? g_hash_table_ref (query) : NULL;
  req->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  req->remote_address = g_strdup (soup_server_message_get_remote_host (msg));
  req->user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  req->now = rw_server_clock_now ();
  return req;
}

static void
request_free (RwServerRequest *req)
{
  if (req->data_free != NULL)
    req->data_free (req->data);
  g_clear_object (&req->msg);
  g_free (req->path);
  g_clear_pointer (&req->query, g_hash_table_unref);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_free (req->remote_address);
  g_free (req->user_agent);
  g_clear_pointer (&req->user, rw_server_user_free);
  g_free (req->response_body);
  g_clear_pointer (&req->error_detail, json_object_unref);
  g_clear_pointer (&req->events, g_ptr_array_unref);
  g_free (req);
}

static gboolean
finish_stop (gpointer user_data)
{
  RwServer *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->stop_task);

  self->stop_idle_id = 0;
  g_clear_handle_id (&self->stop_timeout_id, g_source_remove);
  if (self->n_detached > 0 || self->n_unfinished > 0)
    g_warning ("Stopping with %u requests still unanswered", self->n_detached);
  rw_server_store_stop (self->store);
  soup_server_disconnect (self->soup);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
check_drained (RwServer *self)
{
  if (self->stop_task == NULL || self->stop_idle_id != 0)
    return;
  if (self->n_detached == 0 && self->n_unfinished == 0)
    self->stop_idle_id = g_idle_add (finish_stop, self);
}

static void
on_message_finished (SoupServerMessage *msg,
                     gpointer           user_data)
{
  RwServer *self = user_data;

  g_signal_handlers_disconnect_by_func (msg, on_message_finished, self);
  g_assert (self->n_unfinished > 0);
  self->n_unfinished--;
  check_drained (self);
}

void
rw_server_request_detach (RwServer        *self,
                          RwServerRequest *req)
{
  self->n_detached++;
  self->n_unfinished++;
  g_signal_connect (req->msg, "finished", G_CALLBACK (on_message_finished), self);
}

void
rw_server_request_done (RwServer        *self,
                        RwServerRequest *req)
{
  g_assert (self->n_detached > 0);
  self->n_detached--;
  request_free (req);
  check_drained (self);
}

/* Reads "Authorization: Bearer <token>" and finds its user with a short
 * indexed read on the main thread's connection. */
static RwServerUser *
lookup_user (RwServer            *self,
             SoupMessageHeaders  *headers,
             GError             **error)
{
  const char *header = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GError) local_error = NULL;
  RwServerUser *user;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_UNAUTHORIZED,
                           _("Authentication required: log in and send the token as “Authorization: Bearer …”"));
      return NULL;
    }
  token = g_strstrip (g_strdup (header + 7));
  hash = rw_server_token_hash (token);
  user = rw_server_tokens_lookup (rw_server_store_get_main_connection (self->store), hash,
                                  rw_server_clock_now (), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (user == NULL)
    g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_UNAUTHORIZED,
                         _("The session has expired or was ended; log in again"));
  return user;
}

static gboolean
match_route (const char *pattern,
             const char *path,
             gint64     *id)
{
  *id = 0;
  while (*pattern != '\0')
    {
      if (g_str_has_prefix (pattern, "{id}"))
        {
          guint64 value = 0;
          gsize digits = 0;

          for (; g_ascii_isdigit (path[digits]) && digits < 18; digits++)
            value = value * 10 + (guint64) (path[digits] - '0');
          if (digits == 0 || value == 0 || g_ascii_isdigit (path[digits]))
            return FALSE;
          *id = (gint64) value;
          pattern += 4;
          path += digits;
          continue;
        }
      if (*pattern != *path)
        return FALSE;
      pattern++;
      path++;
    }
  return *path == '\0';
}

static void
dispatch (RwServer        *self,
          RwServerRequest *req)
{
  const Route *route = NULL;
  g_autoptr(GString) allowed = g_string_new (NULL);
  gboolean needs_user;
  gint64 id = 0;

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      gint64 route_id;

      if (!match_route (routes[i].pattern, req->path, &route_id))
        continue;
      g_string_append_printf (allowed, "%s%s", allowed->len > 0 ? ", " : "", routes[i].method);
      if (route == NULL && g_strcmp0 (routes[i].method, req->method) == 0)
        {
          route = &routes[i];
          id = route_id;
        }
    }

  /* Everything under /api/ but the login needs a token, even a path that
   * does not exist: nothing about the API is told to a stranger. */
  if (route != NULL)
    needs_user = route->auth != AUTH_NONE;
  else
    needs_user = g_str_has_prefix (req->path, "/api/") && g_strcmp0 (req->path, "/api/auth/login") != 0;

  if (needs_user)
    {
      g_autoptr(GError) error = NULL;

      req->user = lookup_user (self, soup_server_message_get_request_headers (req->msg), &error);
      if (req->user == NULL)
        {
          rw_server_request_reply_error (req, error);
          return;
        }
    }

  if (route == NULL && allowed->len > 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Allow", allowed->str);
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_METHOD_NOT_ALLOWED,
                                             _("This method is not allowed here"));
      return;
    }
  if (route == NULL)
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_NOT_FOUND, _("Not found"));
      return;
    }
  if (route->auth == AUTH_ADMIN && !rw_server_user_is_admin (req->user))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_FORBIDDEN,
                                             _("Only an administrator may do this"));
      return;
    }

  req->id = id;
  route->handler (req);
}

static void
on_request (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  RwServer *self = user_data;
  RwServerRequest *req = request_new (self, msg, path, query);

  if (self->stopping)
    rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_UNAVAILABLE,
                                           _("The server is shutting down; try again in a moment"));
  else
    dispatch (self, req);

  if (req->detached)
    return;
  if (!req->replied)
    {
      g_critical ("%s %s: the handler neither replied nor started a job", req->method, req->path);
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_CONFIG, "unanswered");
    }
  request_free (req);
}

static void
on_request_finished (SoupServer        *soup,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  /* Paths carry ids only; queries (which may hold a patient's name) and
   * headers (which hold tokens) are never logged. */
  g_debug ("%s %s %s → %u", soup_server_message_get_remote_host (msg),
           soup_server_message_get_method (msg),
           g_uri_get_path (soup_server_message_get_uri (msg)),
           soup_server_message_get_status (msg));
}

/* /api/events: the token is checked from the upgrade request's headers. */
static void
on_events_early (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  RwServer *self = user_data;
  g_autoptr(GError) error = NULL;
  RwServerUser *user;

  if (self->stopping)
    {
      set_error_response (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, _("The server is shutting down; try again in a moment"));
      return;
    }
  user = lookup_user (self, soup_server_message_get_request_headers (msg), &error);
  if (user == NULL)
    {
      if (error->domain != RW_SERVER_ERROR)
        g_warning ("%s: %s", EVENTS_PATH, error->message);
      set_error_response (msg, rw_server_error_to_status (error),
                          error->domain == RW_SERVER_ERROR ? error->message : _("Internal server error"));
      return;
    }
  g_object_set_data_full (G_OBJECT (msg), USER_KEY, user, (GDestroyNotify) rw_server_user_free);
}

/* A plain GET (no Upgrade) gets a JSON answer rather than libsoup's bare
 * 400. */
static void
on_events_request (SoupServer        *soup,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  g_autoptr(GError) error = NULL;

  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    set_error_response (msg, SOUP_STATUS_BAD_REQUEST, _("/api/events is a WebSocket: send an Upgrade request"));
}

static void
on_events_connected (SoupServer              *soup,
                     SoupServerMessage       *msg,
                     const char              *path,
                     SoupWebsocketConnection *connection,
                     gpointer                 user_data)
{
  RwServer *self = user_data;
  RwServerUser *user = g_object_get_data (G_OBJECT (msg), USER_KEY);

  rw_server_events_add_client (self->events, connection,
                               rw_server_connections_get_socket (self->connections, msg), user);
}

static void
rw_server_dispose (GObject *object)
{
  RwServer *self = (RwServer *)object;

  if (self->connections != NULL)
    rw_server_connections_stop (self->connections);
  if (self->catchup != NULL)
    rw_server_catchup_stop (self->catchup);
  g_clear_object (&self->catchup);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  if (self->events != NULL)
    rw_server_events_close_all (self->events);
  g_clear_object (&self->events);
  if (self->store != NULL)
    rw_server_store_stop (self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->connections);

  G_OBJECT_CLASS (rw_server_parent_class)->dispose (object);
}

static void
rw_server_finalize (GObject *object)
{
  RwServer *self = (RwServer *)object;

  g_clear_handle_id (&self->stop_timeout_id, g_source_remove);
  g_clear_handle_id (&self->stop_idle_id, g_source_remove);
  g_clear_object (&self->stop_task);
  g_clear_pointer (&self->config, rw_server_config_free);

  G_OBJECT_CLASS (rw_server_parent_class)->finalize (object);
}

static void
rw_server_class_init (RwServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rw_server_dispose;
  object_class->finalize = rw_server_finalize;
}

static void
rw_server_init (RwServer *self)
{
}

/* Opens the store (creating or migrating the database); takes @config. */
RwServer *
rw_server_new (RwServerConfig  *config,
               GError         **error)
{
  g_autoptr(RwServer) self = g_object_new (RW_TYPE_SERVER, NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *server_header = g_strdup_printf ("radiweb-server/%s", PACKAGE_VERSION);

  g_return_val_if_fail (config != NULL, NULL);

  self->config = config;
  self->store = rw_server_store_new (config->database, error);
  if (self->store == NULL)
    return NULL;
  self->events = rw_server_events_new (config->events_max_backlog);
  self->catchup = rw_server_catchup_new (config, self->store, self->events, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  self->soup = soup_server_new ("server-header", server_header, NULL);
  self->connections = rw_server_connections_new (self->soup);
  /* Frames are small JSON; compressing them costs more than it saves and
   * would hide from the event hub how much a slow client has queued. */
  soup_server_remove_websocket_extension (self->soup, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_early_handler (self->soup, "/", on_early_request, self, NULL);
  soup_server_add_handler (self->soup, "/", on_request, self, NULL);
  soup_server_add_early_handler (self->soup, EVENTS_PATH, on_events_early, self, NULL);
  soup_server_add_handler (self->soup, EVENTS_PATH, on_events_request, self, NULL);
  soup_server_add_websocket_handler (self->soup, EVENTS_PATH, NULL, NULL, on_events_connected, self, NULL);

  self->log_requests = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
  if (self->log_requests)
    g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_finished), self);

  return g_steal_pointer (&self);
}

gboolean
rw_server_listen (RwServer  *self,
                  GError   **error)
{
  g_return_val_if_fail (RW_IS_SERVER (self), FALSE);

  if (!rw_server_connections_listen (self->connections, self->config->listen_host,
                                     self->config->listen_port, error))
    return FALSE;
  if (self->catchup != NULL)
    rw_server_catchup_start (self->catchup);
  return TRUE;
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  RwServer *self = user_data;

  self->stop_timeout_id = 0;
  if (self->stop_idle_id == 0)
    self->stop_idle_id = g_idle_add (finish_stop, self);
  return G_SOURCE_REMOVE;
}

/* Stops taking connections at once, answers 503 to new requests on open
 * ones, waits (up to 30 s) for the requests already being handled to be
 * answered, lets the writer drain, then closes everything. */
void
rw_server_stop_async (RwServer            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RW_IS_SERVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_server_stop_async);
  if (self->stopping)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "already stopping");
      return;
    }
  self->stopping = TRUE;
  self->stop_task = g_steal_pointer (&task);

  /* No new connections; those already open stay up until their answers
   * are sent. */
  rw_server_connections_stop (self->connections);

  if (self->catchup != NULL)
    rw_server_catchup_stop (self->catchup);
  rw_server_events_close_all (self->events);
  self->stop_timeout_id = g_timeout_add_seconds (30, on_stop_timeout, self);
  check_drained (self);
}

gboolean
rw_server_stop_finish (RwServer      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
