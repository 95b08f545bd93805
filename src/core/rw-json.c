/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-json.h"

G_DEFINE_QUARK (rw-json-error-quark, rw_json_error)

JsonNode *
rw_json_parse (const char  *data,
               gssize       length,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL)
    data = "";
  len = length < 0 ? strlen (data) : (gsize) length;

  /* json-glib reads up to a NUL; a NUL inside the body would silently cut
   * the document short. */
  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SYNTAX,
                           _("The JSON document contains a NUL byte"));
      return NULL;
    }
  if (!g_utf8_validate (data, (gssize) len, NULL))
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SYNTAX,
                           _("The JSON document is not valid UTF-8"));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SYNTAX,
                   _("Not valid JSON: %s"), local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SYNTAX,
                           _("The JSON document is empty"));
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

JsonObject *
rw_json_parse_object (const char  *data,
                      gssize       length,
                      GError     **error)
{
  g_autoptr(JsonNode) root = rw_json_parse (data, length, error);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                           _("Expected a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

JsonArray *
rw_json_parse_array (const char  *data,
                     gssize       length,
                     GError     **error)
{
  g_autoptr(JsonNode) root = rw_json_parse (data, length, error);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                           _("Expected a JSON array"));
      return NULL;
    }
  return json_array_ref (json_node_get_array (root));
}

JsonObject *
rw_json_node_get_object (JsonNode  *node,
                         GError   **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("expected a JSON object"));
      return NULL;
    }
  return json_node_get_object (node);
}

/* Returns the member's node, NULL when it is missing or null; sets an error
 * only when it is required. */
static JsonNode *
lookup (JsonObject   *object,
        const char   *member,
        RwJsonFlags   flags,
        gboolean     *failed,
        GError      **error)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  *failed = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (flags & RW_JSON_REQUIRED)
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                       _("“%s” is missing"), member);
          *failed = TRUE;
        }
      return NULL;
    }
  return node;
}

static gboolean
wrong_type (const char  *member,
            const char  *expected,
            GError     **error)
{
  g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
               /* Translators: the second %s is a JSON type: a string, an integer… */
               _("“%s” must be %s"), member, expected);
  return FALSE;
}

gboolean
rw_json_get_string (JsonObject   *object,
                    const char   *member,
                    RwJsonFlags   flags,
                    const char  **out,
                    GError      **error)
{
  gboolean failed;
  JsonNode *node = lookup (object, member, flags, &failed, error);

  *out = NULL;
  if (node == NULL)
    return !failed;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return wrong_type (member, _("a string"), error);
  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
rw_json_get_int (JsonObject   *object,
                 const char   *member,
                 RwJsonFlags   flags,
                 gint64       *out,
                 GError      **error)
{
  gboolean failed;
  JsonNode *node = lookup (object, member, flags, &failed, error);

  *out = 0;
  if (node == NULL)
    return !failed;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return wrong_type (member, _("an integer"), error);
  *out = json_node_get_int (node);
  return TRUE;
}

gboolean
rw_json_get_bool (JsonObject   *object,
                  const char   *member,
                  RwJsonFlags   flags,
                  gboolean     *out,
                  GError      **error)
{
  gboolean failed;
  JsonNode *node = lookup (object, member, flags, &failed, error);

  *out = FALSE;
  if (node == NULL)
    return !failed;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return wrong_type (member, _("true or false"), error);
  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
rw_json_get_object (JsonObject   *object,
                    const char   *member,
                    RwJsonFlags   flags,
                    JsonObject  **out,
                    GError      **error)
{
  gboolean failed;
  JsonNode *node = lookup (object, member, flags, &failed, error);

  *out = NULL;
  if (node == NULL)
    return !failed;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (member, _("an object"), error);
  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
rw_json_get_array (JsonObject   *object,
                   const char   *member,
                   RwJsonFlags   flags,
                   JsonArray   **out,
                   GError      **error)
{
  gboolean failed;
  JsonNode *node = lookup (object, member, flags, &failed, error);

  *out = NULL;
  if (node == NULL)
    return !failed;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (member, _("an array"), error);
  *out = json_node_get_array (node);
  return TRUE;
}

char *
rw_json_to_string (JsonNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return json_to_string (node, FALSE);
}

char *
rw_json_object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}
