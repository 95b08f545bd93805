/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "rw-server-clock.h"
#include "rw-server-events.h"
#include "rw-server-private.h"
#include "rw-server-request.h"

typedef struct {
  RwServerRequest *req;
  RwServerJobFunc  func;
  RwServerJobDone  done;
} Job;

RwServerConfig *
rw_server_request_get_config (RwServerRequest *req)
{
  return rw_server_get_config (req->server);
}

const char *
rw_server_request_get_query (RwServerRequest *req,
                             const char      *name)
{
  const char *value;

  if (req->query == NULL)
    return NULL;
  value = g_hash_table_lookup (req->query, name);
  /* "?status=" means no filter, as a form with an empty field does. */
  return value != NULL && value[0] != '\0' ? value : NULL;
}

/* An integer parameter; a value above @max is clamped to it (a client
 * asking for more than the server gives gets what it gives), anything that
 * is not a whole number from @min is a 400. */
gboolean
rw_server_request_get_query_int (RwServerRequest  *req,
                                 const char       *name,
                                 gint64            min,
                                 gint64            max,
                                 gint64            fallback,
                                 gint64           *out,
                                 GError          **error)
{
  const char *value = rw_server_request_get_query (req, name);

  *out = fallback;
  if (value == NULL)
    return TRUE;
  if (!g_ascii_string_to_signed (value, 10, min, G_MAXINT64, out, NULL))
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                   _("“%s” must be a whole number of at least %lld"), name, (long long) min);
      return FALSE;
    }
  *out = MIN (*out, max);
  return TRUE;
}

const char *
rw_server_request_get_header (RwServerRequest *req,
                              const char      *name)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg), name);
}

/* Serializes at once, so that a job builds its answer on its own thread
 * and the main loop only sends bytes. Takes @node. */
void
rw_server_request_set_json (RwServerRequest *req,
                            guint            status,
                            JsonNode        *node)
{
  req->status = status;
  g_free (req->response_body);
  req->response_body = json_to_string (node, FALSE);
  json_node_unref (node);
}

/* Adds a member to the error answer ({"error": …, member: node}), as a 409
 * on a stale version carries the stored report. Takes @node. */
void
rw_server_request_set_error_detail (RwServerRequest *req,
                                    const char      *member,
                                    JsonNode        *node)
{
  if (req->error_detail == NULL)
    req->error_detail = json_object_new ();
  json_object_set_member (req->error_detail, member, node);
}

/* Queues an /api/events frame (rw_server_exams_event_frame()), sent only
 * if the request ends well, that is after its transaction committed.
 * Takes @frame. */
void
rw_server_request_add_event (RwServerRequest *req,
                             char            *frame)
{
  if (req->events == NULL)
    req->events = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (req->events, frame);
}

static void
send_body (RwServerRequest *req,
           guint            status,
           char            *body)
{
  rw_server_connections_hold_answer (rw_server_get_connections (req->server), req->msg);
  soup_server_message_set_status (req->msg, status, NULL);
  soup_server_message_set_response (req->msg, "application/json",
                                    SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
finish (RwServerRequest *req)
{
  g_assert (!req->replied);
  req->replied = TRUE;
  /* A request answered from its handler is freed by the dispatcher; one
   * answered after a job ends here. */
  if (req->detached)
    {
      soup_server_message_unpause (req->msg);
      rw_server_request_done (req->server, req);
    }
}

/* Sends req->status and req->response_body (200 and {} by default), then
 * the events the request queued. */
void
rw_server_request_reply (RwServerRequest *req)
{
  guint status = req->status != 0 ? req->status : SOUP_STATUS_OK;

  send_body (req, status, req->response_body != NULL ? g_steal_pointer (&req->response_body) : g_strdup ("{}"));
  if (SOUP_STATUS_IS_SUCCESSFUL (status) && req->events != NULL)
    {
      RwServerEvents *events = rw_server_get_events (req->server);

      for (guint i = 0; i < req->events->len; i++)
        rw_server_events_broadcast (events, g_ptr_array_index (req->events, i));
    }
  finish (req);
}

void
rw_server_request_reply_json (RwServerRequest *req,
                              guint            status,
                              JsonNode        *node)
{
  rw_server_request_set_json (req, status, node);
  rw_server_request_reply (req);
}

/* {"error": message} with the status of @error's code. An error from any
 * other domain is a bug: the client gets a plain 500 and the log the
 * details. */
void
rw_server_request_reply_error (RwServerRequest *req,
                               const GError    *error)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  guint status = rw_server_error_to_status (error);
  const char *message = error->message;

  if (status == SOUP_STATUS_INTERNAL_SERVER_ERROR)
    {
      g_warning ("%s %s: %s", req->method, req->path, error->message);
      message = _("Internal server error; the details are in the server's log");
    }
  else if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    g_warning ("%s %s: %s", req->method, req->path, error->message);

  json_object_set_string_member (object, "error", message);
  if (req->error_detail != NULL && status != SOUP_STATUS_INTERNAL_SERVER_ERROR)
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      json_object_iter_init (&iter, req->error_detail);
      while (json_object_iter_next (&iter, &member, &value))
        json_object_set_member (object, member, json_node_ref (value));
    }
  json_node_set_object (node, object);

  if (status == SOUP_STATUS_UNAUTHORIZED)
    soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                  "WWW-Authenticate", "Bearer realm=\"radiweb\"");
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                  "Retry-After", "5");
  send_body (req, status, json_to_string (node, FALSE));
  finish (req);
}

/* For errors of reading the client's input (RW_JSON_ERROR and the like):
 * a 400 carrying their message. */
void
rw_server_request_reply_invalid (RwServerRequest *req,
                                 const GError    *error)
{
  if (error->domain == RW_SERVER_ERROR)
    rw_server_request_reply_error (req, error);
  else
    rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST, error->message);
}

void
rw_server_request_reply_error_literal (RwServerRequest *req,
                                       RwServerError    code,
                                       const char      *message)
{
  g_autoptr(GError) error = g_error_new_literal (RW_SERVER_ERROR, code, message);

  rw_server_request_reply_error (req, error);
}

static gboolean
job_thunk (RwSqlite  *db,
           gpointer   data,
           GError   **error)
{
  Job *job = data;
  RwServerRequest *req = job->req;

  /* A write may run again after its group was rolled back: start from a
   * clean answer. */
  req->status = 0;
  g_clear_pointer (&req->response_body, g_free);
  g_clear_pointer (&req->error_detail, json_object_unref);
  g_clear_pointer (&req->events, g_ptr_array_unref);
  return job->func (req, db, error);
}

static void
job_finished (RwServerRequest *req,
              RwServerJobDone  done,
              GError          *error)
{
  if (error != NULL)
    g_clear_pointer (&req->events, g_ptr_array_unref);

  if (done != NULL)
    done (req, error);
  else if (error != NULL)
    rw_server_request_reply_error (req, error);
  else
    rw_server_request_reply (req);
}

static void
on_read_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree Job *job = user_data;
  g_autoptr(GError) error = NULL;

  rw_server_store_read_finish (RW_SERVER_STORE (source), result, &error);
  job_finished (job->req, job->done, error);
}

static void
on_write_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autofree Job *job = user_data;
  g_autoptr(GError) error = NULL;

  rw_server_store_write_finish (RW_SERVER_STORE (source), result, &error);
  job_finished (job->req, job->done, error);
}

static Job *
start_job (RwServerRequest *req,
           RwServerJobFunc  func,
           RwServerJobDone  done)
{
  Job *job = g_new0 (Job, 1);

  job->req = req;
  job->func = func;
  job->done = done;
  if (!req->detached)
    {
      req->detached = TRUE;
      soup_server_message_pause (req->msg);
      rw_server_request_detach (req->server, req);
    }
  return job;
}

/* Runs @func on a read-only connection in a worker thread, then @done (or
 * the reply) on the main loop. */
void
rw_server_request_read (RwServerRequest *req,
                        RwServerJobFunc  func,
                        RwServerJobDone  done)
{
  Job *job = start_job (req, func, done);

  rw_server_store_read_async (rw_server_get_store (req->server), job_thunk, job,
                              NULL, on_read_done, job);
}

/* Runs @func in the writer's next transaction; @done (or the reply) runs
 * once that transaction is durable. */
void
rw_server_request_write (RwServerRequest *req,
                         RwServerJobFunc  func,
                         RwServerJobDone  done)
{
  Job *job = start_job (req, func, done);

  rw_server_store_write_async (rw_server_get_store (req->server), job_thunk, job,
                               NULL, on_write_done, job);
}

/* @member with the value of @column of the current row of @stmt; null
 * for NULL. */
void
rw_server_json_add_column (JsonBuilder    *builder,
                           const char     *member,
                           sqlite3_stmt   *stmt,
                           int             column,
                           RwServerColumn  kind)
{
  g_autofree char *time = NULL;

  json_builder_set_member_name (builder, member);
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_builder_add_null_value (builder);
  else if (kind == RW_SERVER_COLUMN_INT)
    json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, column));
  else if (kind == RW_SERVER_COLUMN_TEXT)
    json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, column));
  else
    {
      time = rw_server_clock_format (sqlite3_column_int64 (stmt, column));
      json_builder_add_string_value (builder, time);
    }
}

/* @text as a JSON string, quotes included; null for NULL. @text is UTF-8
 * (all the store holds is). */
void
rw_server_json_append_string (GString    *out,
                              const char *text)
{
  const char *run;

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '"');
  run = text;
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, p - run);
      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          g_string_append_printf (out, "\\u%04x", c);
          break;
        }
      run = p + 1;
    }
  g_string_append (out, run);
  g_string_append_c (out, '"');
}

JsonNode *
rw_server_json_success (void)
{
  return rw_server_json_object ("success", json_node_init_boolean (json_node_alloc (), TRUE), NULL);
}

/* An object from (member, JsonNode*) pairs; takes the nodes. */
JsonNode *
rw_server_json_object (const char *first_member,
                       ...)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  va_list args;

  va_start (args, first_member);
  for (const char *member = first_member; member != NULL; member = va_arg (args, const char *))
    json_object_set_member (object, member, va_arg (args, JsonNode *));
  va_end (args);

  json_node_take_object (node, object);
  return node;
}
