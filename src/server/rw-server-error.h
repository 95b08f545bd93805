/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RW_SERVER_ERROR (rw_server_error_quark ())

/* What went wrong with a request, one code per HTTP status the contract
 * uses; RW_SERVER_ERROR_CONFIG is for the configuration file and the
 * command line. Any other error domain reaching a client is a bug (500). */
typedef enum {
  RW_SERVER_ERROR_CONFIG,
  RW_SERVER_ERROR_BAD_REQUEST,
  RW_SERVER_ERROR_UNAUTHORIZED,
  RW_SERVER_ERROR_FORBIDDEN,
  RW_SERVER_ERROR_NOT_FOUND,
  RW_SERVER_ERROR_METHOD_NOT_ALLOWED,
  RW_SERVER_ERROR_CONFLICT,
  RW_SERVER_ERROR_TOO_LARGE,
  RW_SERVER_ERROR_UNSUPPORTED_MEDIA_TYPE,
  RW_SERVER_ERROR_UNAVAILABLE,
} RwServerError;

GQuark   rw_server_error_quark       (void);
guint    rw_server_error_to_status   (const GError  *error);
gboolean rw_server_error_bad_request (GError       **error,
                                      const char    *message);

G_END_DECLS
