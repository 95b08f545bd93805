/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "rw-json.h"
#include "rw-orthanc-client.h"

G_BEGIN_DECLS

/* The request machinery shared by the files of the Orthanc client:
 * rw-orthanc-client.c (requests, system, changes, changes to studies),
 * rw-orthanc-studies.c (finding and reading studies) and
 * rw-orthanc-download.c (the streamed ZIP). */

/* Bodies larger than this are refused: a JSON answer of Orthanc for a
 * worklist-sized query is a few MiB at most. */
#define RW_ORTHANC_MAX_BODY (64 * 1024 * 1024)

SoupSession *rw_orthanc_client_get_session     (RwOrthancClient  *self);

/* A message to @path_and_query (starting with '/') with the Authorization
 * header set. */
SoupMessage *rw_orthanc_client_new_message     (RwOrthancClient  *self,
                                                const char       *method,
                                                const char       *path_and_query);

/* Turns a libsoup/GIO failure of @msg into an RW_ORTHANC_ERROR (or passes
 * G_IO_ERROR_CANCELLED through). Takes @cause. */
void         rw_orthanc_client_transport_error (RwOrthancClient  *self,
                                                SoupMessage      *msg,
                                                GError           *cause,
                                                GError          **error);
/* FALSE with the matching RW_ORTHANC_ERROR when @msg's status is not 2xx. */
gboolean     rw_orthanc_client_check_status    (RwOrthancClient  *self,
                                                SoupMessage      *msg,
                                                GError          **error);
/* RW_ORTHANC_ERROR_BAD_RESPONSE for @msg, saying why. */
void         rw_orthanc_client_bad_response    (RwOrthancClient  *self,
                                                SoupMessage      *msg,
                                                const char       *why,
                                                GError          **error);
/* The same as @task's answer. */
void         rw_orthanc_client_return_bad_response (RwOrthancClient *self,
                                                    GTask           *task,
                                                    SoupMessage     *msg,
                                                    const char      *why);

/* Sends a request and reads the whole body of a 2xx answer (at most
 * RW_ORTHANC_MAX_BODY). @body, if not NULL, is sent as JSON. */
void         rw_orthanc_client_request_async   (RwOrthancClient     *self,
                                                const char          *method,
                                                const char          *path_and_query,
                                                JsonNode            *body,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* The body; @msg (optional) receives the message, for its headers. */
GBytes      *rw_orthanc_client_request_finish  (RwOrthancClient     *self,
                                                GAsyncResult        *result,
                                                SoupMessage        **msg,
                                                GError             **error);
/* The body parsed as JSON; BAD_RESPONSE when it is not JSON. */
JsonNode    *rw_orthanc_client_request_json_finish (RwOrthancClient  *self,
                                                    GAsyncResult     *result,
                                                    SoupMessage     **msg,
                                                    GError          **error);

/* The same, but an answer that is not a JSON array or object is
 * BAD_RESPONSE too. */
JsonArray   *rw_orthanc_client_request_array_finish  (RwOrthancClient  *self,
                                                      GAsyncResult     *result,
                                                      SoupMessage     **msg,
                                                      GError          **error);
JsonObject  *rw_orthanc_client_request_object_finish (RwOrthancClient  *self,
                                                      GAsyncResult     *result,
                                                      SoupMessage     **msg,
                                                      GError          **error);

/* A public _async call about one Orthanc resource: sends @method to
 * @prefix @id @suffix (joined) with @body, and @on_answer gets the call's
 * GTask (with @source_tag) as its user data. When @id is not an Orthanc id
 * nothing is sent: the task answers NOT_FOUND. */
void         rw_orthanc_client_request_for_id  (RwOrthancClient     *self,
                                                const char          *method,
                                                const char          *prefix,
                                                const char          *id,
                                                const char          *suffix,
                                                JsonNode            *body,
                                                gpointer             source_tag,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  on_answer,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);

/* Orthanc ids are hexadecimal with dashes; anything else cannot exist and
 * must not reach a URL path. Sets NOT_FOUND when @id is not one. */
gboolean     rw_orthanc_client_check_id        (RwOrthancClient  *self,
                                                const char       *id,
                                                GError          **error);

G_END_DECLS
