/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RW_JSON_ERROR (rw_json_error_quark ())

typedef enum {
  /* Not JSON at all, or not UTF-8. */
  RW_JSON_ERROR_SYNTAX,
  /* JSON, but not the expected shape: a member missing or of the wrong type. */
  RW_JSON_ERROR_SHAPE,
  /* The right type, but a value that is not allowed: a malformed date, an
   * unknown status, a string too long. */
  RW_JSON_ERROR_VALUE,
} RwJsonError;

typedef enum {
  RW_JSON_OPTIONAL = 0,
  /* Missing or null is an error. */
  RW_JSON_REQUIRED = 1 << 0,
} RwJsonFlags;

GQuark      rw_json_error_quark  (void);

JsonNode   *rw_json_parse        (const char   *data,
                                  gssize        length,
                                  GError      **error);
JsonObject *rw_json_parse_object (const char   *data,
                                  gssize        length,
                                  GError      **error);
JsonArray  *rw_json_parse_array  (const char   *data,
                                  gssize        length,
                                  GError      **error);
/* @node's object (borrowed), or NULL with RW_JSON_ERROR_SHAPE. */
JsonObject *rw_json_node_get_object (JsonNode *node,
                                     GError  **error);

/* Strict accessors. With RW_JSON_OPTIONAL a missing or null member leaves
 * *out as NULL (0 for numbers) and succeeds; a member of the wrong type is
 * always an error naming the member. Borrowed results live as long as @object. */
gboolean    rw_json_get_string   (JsonObject   *object,
                                  const char   *member,
                                  RwJsonFlags   flags,
                                  const char  **out,
                                  GError      **error);
gboolean    rw_json_get_int      (JsonObject   *object,
                                  const char   *member,
                                  RwJsonFlags   flags,
                                  gint64       *out,
                                  GError      **error);
gboolean    rw_json_get_bool     (JsonObject   *object,
                                  const char   *member,
                                  RwJsonFlags   flags,
                                  gboolean     *out,
                                  GError      **error);
gboolean    rw_json_get_object   (JsonObject   *object,
                                  const char   *member,
                                  RwJsonFlags   flags,
                                  JsonObject  **out,
                                  GError      **error);
gboolean    rw_json_get_array    (JsonObject   *object,
                                  const char   *member,
                                  RwJsonFlags   flags,
                                  JsonArray   **out,
                                  GError      **error);

char       *rw_json_to_string    (JsonNode     *node);
char       *rw_json_object_to_string (JsonObject *object);

G_END_DECLS
