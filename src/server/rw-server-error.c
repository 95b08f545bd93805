/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <libsoup/soup.h>

#include "rw-server-error.h"

G_DEFINE_QUARK (rw-server-error-quark, rw_server_error)

guint
rw_server_error_to_status (const GError *error)
{
  if (error == NULL || error->domain != RW_SERVER_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;

  switch ((RwServerError) error->code)
    {
    case RW_SERVER_ERROR_BAD_REQUEST:
      return SOUP_STATUS_BAD_REQUEST;
    case RW_SERVER_ERROR_UNAUTHORIZED:
      return SOUP_STATUS_UNAUTHORIZED;
    case RW_SERVER_ERROR_FORBIDDEN:
      return SOUP_STATUS_FORBIDDEN;
    case RW_SERVER_ERROR_NOT_FOUND:
      return SOUP_STATUS_NOT_FOUND;
    case RW_SERVER_ERROR_METHOD_NOT_ALLOWED:
      return SOUP_STATUS_METHOD_NOT_ALLOWED;
    case RW_SERVER_ERROR_CONFLICT:
      return SOUP_STATUS_CONFLICT;
    case RW_SERVER_ERROR_TOO_LARGE:
      return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
    case RW_SERVER_ERROR_UNSUPPORTED_MEDIA_TYPE:
      return SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE;
    case RW_SERVER_ERROR_UNAVAILABLE:
      return SOUP_STATUS_SERVICE_UNAVAILABLE;
    case RW_SERVER_ERROR_CONFIG:
    default:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

/* Sets a 400 with @message; returns FALSE, for "return
 * rw_server_error_bad_request (error, …);". */
gboolean
rw_server_error_bad_request (GError     **error,
                             const char  *message)
{
  g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST, message);
  return FALSE;
}
