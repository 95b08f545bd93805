/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rw-server-config.h"
#include "rw-server-error.h"
#include "rw-server-users.h"
#include "rw-sqlite.h"

G_BEGIN_DECLS

typedef struct _RwServer RwServer;
typedef struct _RwServerRequest RwServerRequest;

/* One HTTP request on its way through the server. A handler runs on the
 * main loop and either replies at once or hands the request to a job on
 * the store (rw_server_request_read / _write); the message is paused
 * meanwhile and the request belongs to the job until its reply. */
struct _RwServerRequest
{
  RwServer          *server;
  SoupServerMessage *msg;
  const char        *method;
  char              *path;
  GHashTable        *query;           /* may be NULL */
  GBytes            *body;
  char              *remote_address;
  char              *user_agent;
  RwServerUser      *user;            /* NULL on unauthenticated routes */
  gint64             id;              /* the {id} of the route, or 0 */
  gint64             now;             /* the server clock at arrival, µs */

  /* Filled by the handler or its jobs, read by the reply. */
  guint              status;
  char              *response_body;
  JsonObject        *error_detail;    /* extra members of an error answer */
  GPtrArray         *events;          /* frames sent once the reply is a success */

  /* The handler's own state, freed with the request. */
  gpointer           data;
  GDestroyNotify     data_free;

  gboolean           detached;        /* paused, owned by a job */
  gboolean           replied;
};

typedef gboolean (*RwServerJobFunc) (RwServerRequest  *req,
                                     RwSqlite         *db,
                                     GError          **error);
/* Runs on the main loop after the job, with its error or NULL. It either
 * replies or starts another job. */
typedef void     (*RwServerJobDone) (RwServerRequest  *req,
                                     const GError     *error);

RwServerConfig *rw_server_request_get_config   (RwServerRequest *req);

const char *rw_server_request_get_query        (RwServerRequest *req,
                                                const char      *name);
gboolean    rw_server_request_get_query_int    (RwServerRequest *req,
                                                const char      *name,
                                                gint64           min,
                                                gint64           max,
                                                gint64           fallback,
                                                gint64          *out,
                                                GError         **error);
const char *rw_server_request_get_header       (RwServerRequest *req,
                                                const char      *name);

void        rw_server_request_set_json         (RwServerRequest *req,
                                                guint            status,
                                                JsonNode        *node);
void        rw_server_request_set_error_detail (RwServerRequest *req,
                                                const char      *member,
                                                JsonNode        *node);
void        rw_server_request_add_event        (RwServerRequest *req,
                                                char            *frame);

void        rw_server_request_reply            (RwServerRequest *req);
void        rw_server_request_reply_json       (RwServerRequest *req,
                                                guint            status,
                                                JsonNode        *node);
void        rw_server_request_reply_error      (RwServerRequest *req,
                                                const GError    *error);
void        rw_server_request_reply_invalid    (RwServerRequest *req,
                                                const GError    *error);
void        rw_server_request_reply_error_literal (RwServerRequest *req,
                                                RwServerError    code,
                                                const char      *message);

void        rw_server_request_read             (RwServerRequest *req,
                                                RwServerJobFunc  func,
                                                RwServerJobDone  done);
void        rw_server_request_write            (RwServerRequest *req,
                                                RwServerJobFunc  func,
                                                RwServerJobDone  done);

/* Small builders for answers. */
/* How rw_server_json_add_column() writes a column. */
typedef enum {
  RW_SERVER_COLUMN_INT,
  RW_SERVER_COLUMN_TEXT,
  RW_SERVER_COLUMN_TIME,    /* µs since 1970, written as ISO 8601 */
} RwServerColumn;

void        rw_server_json_add_column          (JsonBuilder     *builder,
                                                const char      *member,
                                                sqlite3_stmt    *stmt,
                                                int              column,
                                                RwServerColumn   kind);
void        rw_server_json_append_string       (GString         *out,
                                                const char      *text);
JsonNode   *rw_server_json_success             (void);
JsonNode   *rw_server_json_object              (const char      *first_member,
                                                ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
