/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-json.h"
#include "rw-server-body.h"

static gboolean
unsupported (GError **error)
{
  g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_UNSUPPORTED_MEDIA_TYPE,
                       _("Send the body as application/json, application/x-www-form-urlencoded or multipart/form-data"));
  return FALSE;
}

static const char *
content_type (RwServerRequest *req)
{
  return soup_message_headers_get_content_type (soup_server_message_get_request_headers (req->msg), NULL);
}

/* A JSON object body; 415 for another type, 400 for anything but an
 * object. */
JsonObject *
rw_server_body_parse_json (RwServerRequest  *req,
                           GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *type = content_type (req);
  JsonObject *object;
  gsize len;
  const char *data = g_bytes_get_data (req->body, &len);

  if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_UNSUPPORTED_MEDIA_TYPE,
                           _("Send the body as application/json"));
      return NULL;
    }
  object = rw_json_parse_object (data, (gssize) len, &local_error);
  if (object == NULL)
    g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST, local_error->message);
  return object;
}

static gboolean
fields_from_json (RwServerRequest  *req,
                  GHashTable       *fields,
                  GError          **error)
{
  g_autoptr(JsonObject) object = rw_server_body_parse_json (req, error);
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  if (object == NULL)
    return FALSE;
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &node))
    {
      if (JSON_NODE_HOLDS_NULL (node))
        continue;
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_hash_table_insert (fields, g_strdup (member), g_strdup (json_node_get_string (node)));
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
        g_hash_table_insert (fields, g_strdup (member),
                             g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node)));
      else
        {
          g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                       _("“%s” must be a string"), member);
          return FALSE;
        }
    }
  return TRUE;
}

static void
copy_fields (GHashTable *from,
             GHashTable *to)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, g_strdup (key), g_strdup (value));
}

static gboolean
has_nul (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return len > 0 && memchr (data, '\0', len) != NULL;
}

static gboolean
fields_from_form (RwServerRequest  *req,
                  GHashTable       *fields,
                  GError          **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) form = NULL;
  gsize len;
  const char *data = g_bytes_get_data (req->body, &len);

  /* soup_form_decode() reads a C string: a NUL would cut the body short
   * without anyone noticing. */
  if (has_nul (req->body))
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                           _("The form contains a NUL byte"));
      return FALSE;
    }
  text = g_strndup (data, len);
  form = soup_form_decode (text);
  copy_fields (form, fields);
  return TRUE;
}

/* The seed's FormData. Parts without a form-data name are skipped; a file
 * part is taken as text like any other (no route takes files). */
static gboolean
fields_from_multipart (RwServerRequest  *req,
                       GHashTable       *fields,
                       GError          **error)
{
  g_autoptr(SoupMultipart) multipart = NULL;

  multipart = soup_multipart_new_from_message (soup_server_message_get_request_headers (req->msg), req->body);
  if (multipart == NULL)
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                           _("The multipart/form-data body could not be read"));
      return FALSE;
    }
  for (int i = 0; i < soup_multipart_get_length (multipart); i++)
    {
      g_autofree char *disposition = NULL;
      g_autoptr(GHashTable) params = NULL;
      SoupMessageHeaders *headers;
      GBytes *part;
      const char *name;

      soup_multipart_get_part (multipart, i, &headers, &part);
      if (!soup_message_headers_get_content_disposition (headers, &disposition, &params))
        continue;
      name = g_hash_table_lookup (params, "name");
      if (name == NULL || g_ascii_strcasecmp (disposition, "form-data") != 0)
        continue;
      if (has_nul (part))
        {
          g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                               _("The form contains a NUL byte"));
          return FALSE;
        }
      g_hash_table_insert (fields, g_strdup (name),
                           g_strndup (g_bytes_get_data (part, NULL), g_bytes_get_size (part)));
    }
  return TRUE;
}

GHashTable *
rw_server_body_parse_fields (RwServerRequest  *req,
                             GError          **error)
{
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *type = content_type (req);
  GHashTableIter iter;
  gpointer key, value;
  gboolean ok;

  if (type == NULL)
    ok = unsupported (error);
  else if (g_ascii_strcasecmp (type, "application/json") == 0)
    ok = fields_from_json (req, fields, error);
  else if (g_ascii_strcasecmp (type, SOUP_FORM_MIME_TYPE_URLENCODED) == 0)
    ok = fields_from_form (req, fields, error);
  else if (g_ascii_strcasecmp (type, SOUP_FORM_MIME_TYPE_MULTIPART) == 0)
    ok = fields_from_multipart (req, fields, error);
  else
    ok = unsupported (error);
  if (!ok)
    return NULL;

  /* Forms carry bytes; the store keeps UTF-8 text. */
  g_hash_table_iter_init (&iter, fields);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL))
      {
        g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                             _("The body is not valid UTF-8 text"));
        return NULL;
      }
  return g_steal_pointer (&fields);
}

/* A text field; NULL when absent. @max_length counts characters. */
gboolean
rw_server_body_get_text (GHashTable   *fields,
                         const char   *name,
                         gsize         max_length,
                         const char  **out,
                         GError      **error)
{
  const char *value = g_hash_table_lookup (fields, name);

  *out = NULL;
  if (value == NULL)
    return TRUE;
  if (g_utf8_strlen (value, -1) > (glong) max_length)
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                   _("“%s” is longer than %zu characters"), name, max_length);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

gboolean
rw_server_body_get_int (GHashTable  *fields,
                        const char  *name,
                        gint64       min,
                        gint64       max,
                        gboolean    *present,
                        gint64      *out,
                        GError     **error)
{
  const char *value = g_hash_table_lookup (fields, name);

  *present = FALSE;
  *out = 0;
  if (value == NULL || value[0] == '\0')
    return TRUE;
  if (!g_ascii_string_to_signed (value, 10, min, max, out, NULL))
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                   _("“%s” must be a whole number from %lld to %lld"),
                   name, (long long) min, (long long) max);
      return FALSE;
    }
  *present = TRUE;
  return TRUE;
}
