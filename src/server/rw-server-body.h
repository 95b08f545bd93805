/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-server-request.h"

G_BEGIN_DECLS

/* A request body read as flat fields, whichever way it was sent: JSON
 * (strings and integers), application/x-www-form-urlencoded, or
 * multipart/form-data (the seed's FormData). Field name → UTF-8 string. */
GHashTable *rw_server_body_parse_fields  (RwServerRequest  *req,
                                          GError          **error);
JsonObject *rw_server_body_parse_json    (RwServerRequest  *req,
                                          GError          **error);

gboolean    rw_server_body_get_text      (GHashTable       *fields,
                                          const char       *name,
                                          gsize             max_length,
                                          const char      **out,
                                          GError          **error);
gboolean    rw_server_body_get_int       (GHashTable       *fields,
                                          const char       *name,
                                          gint64            min,
                                          gint64            max,
                                          gboolean         *present,
                                          gint64           *out,
                                          GError          **error);

G_END_DECLS
