/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define RW_API_ERROR (rw_api_error_quark ())

typedef enum {
  /* No answer: refused, unknown host, timed out, network down. */
  RW_API_ERROR_UNREACHABLE,
  /* The TLS handshake failed or the certificate is not trusted. */
  RW_API_ERROR_TLS,
  /* 401: wrong credentials, or the token was revoked or expired. */
  RW_API_ERROR_UNAUTHORIZED,
  /* 403: the user's role may not do this. */
  RW_API_ERROR_FORBIDDEN,
  RW_API_ERROR_NOT_FOUND,
  /* 409: claimed by someone else, stale version, already final. */
  RW_API_ERROR_CONFLICT,
  /* Something answered, but not a Radiweb server (no /health of ours). */
  RW_API_ERROR_NOT_RADIWEB,
  /* The server's answer did not have the documented shape. */
  RW_API_ERROR_BAD_RESPONSE,
  /* 5xx, or a 4xx the client never expects (our own bug or the server's). */
  RW_API_ERROR_SERVER_ERROR,
  /* 400, 413, 415: the server refused what was sent, with its reason. */
  RW_API_ERROR_INVALID_INPUT,
  /* The address typed is not an http(s) URL. */
  RW_API_ERROR_INVALID_URL,
} RwApiError;

/* Filters of GET /api/exams; NULL or 0 members are left out of the query. */
typedef struct {
  const char *status;
  const char *modality;
  const char *q;
  const char *from;            /* study date, YYYY-MM-DD */
  const char *to;              /* study date, YYYY-MM-DD */
  const char *updated_since;   /* ISO 8601 UTC */
  const char *cursor;
  guint       limit;
} RwApiExamQuery;

#define RW_TYPE_API_CLIENT (rw_api_client_get_type ())
G_DECLARE_FINAL_TYPE (RwApiClient, rw_api_client, RW, API_CLIENT, GObject)

GQuark       rw_api_error_quark               (void);

char        *rw_api_normalize_url             (const char           *url,
                                               GError              **error);

RwApiClient *rw_api_client_new                (const char           *base_url);
const char  *rw_api_client_get_base_url       (RwApiClient          *self);
void         rw_api_client_set_token          (RwApiClient          *self,
                                               const char           *token);
gboolean     rw_api_client_has_token          (RwApiClient          *self);

void         rw_api_client_health_async       (RwApiClient          *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
char        *rw_api_client_health_finish      (RwApiClient          *self,
                                               GAsyncResult         *result,
                                               GError              **error);

void         rw_api_client_login_async        (RwApiClient          *self,
                                               const char           *username,
                                               const char           *password,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
/* On success the client holds the new token; @user is the server's user
 * object ({"id","username","display_name","crm","rqe","role"}). */
gboolean     rw_api_client_login_finish       (RwApiClient          *self,
                                               GAsyncResult         *result,
                                               char                **token,
                                               JsonObject          **user,
                                               GError              **error);

void         rw_api_client_logout_async       (RwApiClient          *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean     rw_api_client_logout_finish      (RwApiClient          *self,
                                               GAsyncResult         *result,
                                               GError              **error);

void         rw_api_client_list_exams_async   (RwApiClient          *self,
                                               const RwApiExamQuery *query,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
/* Returns the page's exams (RwExam) and, in @next_cursor, the cursor of the
 * next page or NULL on the last one. */
GPtrArray   *rw_api_client_list_exams_finish  (RwApiClient          *self,
                                               GAsyncResult         *result,
                                               char                **next_cursor,
                                               GError              **error);

void         rw_api_client_get_exam_async     (RwApiClient          *self,
                                               gint64                exam_id,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
/* The exam object with its "report" and "priors" members, as the server
 * sends it; RwExam covers the exam itself. */
JsonObject  *rw_api_client_get_exam_finish    (RwApiClient          *self,
                                               GAsyncResult         *result,
                                               GError              **error);

void         rw_api_client_claim_async        (RwApiClient          *self,
                                               gint64                exam_id,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
void         rw_api_client_release_async      (RwApiClient          *self,
                                               gint64                exam_id,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean     rw_api_client_claim_finish       (RwApiClient          *self,
                                               GAsyncResult         *result,
                                               GError              **error);
gboolean     rw_api_client_release_finish     (RwApiClient          *self,
                                               GAsyncResult         *result,
                                               GError              **error);

/* Building blocks for the later parts of the API (reports, phrases,
 * metrics): one JSON request with the session's token, its answer parsed
 * and its errors mapped to RW_API_ERROR. @body may be NULL. */
void         rw_api_client_request_async      (RwApiClient          *self,
                                               const char           *method,
                                               const char           *path,
                                               JsonNode             *body,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
JsonNode    *rw_api_client_request_finish     (RwApiClient          *self,
                                               GAsyncResult         *result,
                                               GError              **error);

/* After a call failed with an HTTP error: the JSON object the server
 * answered with ({"error": …} and details such as a 409's "report"), or
 * NULL. */
JsonObject  *rw_api_client_get_error_details  (RwApiClient          *self,
                                               GAsyncResult         *result);

/* For the event stream: a WebSocket message to /api/events with the token
 * in its Authorization header. */
SoupMessage *rw_api_client_new_events_message (RwApiClient          *self);
SoupSession *rw_api_client_get_session        (RwApiClient          *self);

G_END_DECLS
