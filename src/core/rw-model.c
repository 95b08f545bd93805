/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-model-private.h"

gboolean
rw_model_set_str (char       **field,
                  const char  *value)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
has_control_char (const char *s)
{
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* The string itself, stripped of DICOM's space padding; NULL when missing,
 * null or empty, so that unknown values cost no allocation. */
gboolean
rw_model_get_text (JsonObject   *object,
                   const char   *member,
                   RwJsonFlags   flags,
                   char        **out,
                   GError      **error)
{
  const char *value = NULL;
  g_autofree char *copy = NULL;

  *out = NULL;
  if (!rw_json_get_string (object, member, flags, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;
  if (strlen (value) > RW_MODEL_MAX_TEXT)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” is too long: at most %u bytes are accepted"),
                   member, (guint) RW_MODEL_MAX_TEXT);
      return FALSE;
    }
  if (has_control_char (value))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” contains a control character"), member);
      return FALSE;
    }
  copy = g_strstrip (g_strdup (value));
  if (copy[0] == '\0')
    {
      if (flags & RW_JSON_REQUIRED)
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                       _("“%s” must not be empty"), member);
          return FALSE;
        }
      return TRUE;
    }
  *out = g_steal_pointer (&copy);
  return TRUE;
}

/* A DICOM UID: digits and dots, at most 64 characters. It also ends up in
 * URLs and file names, which this keeps safe. */
gboolean
rw_model_get_uid (JsonObject   *object,
                  const char   *member,
                  RwJsonFlags   flags,
                  char        **out,
                  GError      **error)
{
  g_autofree char *value = NULL;
  gsize len;

  *out = NULL;
  if (!rw_model_get_text (object, member, flags, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;

  /* UIDs are padded with NUL in DICOM; some writers pad with a space. */
  len = strlen (value);
  if (len > 64 || value[0] == '.' || value[len - 1] == '.' || strstr (value, "..") != NULL ||
      strspn (value, "0123456789.") != len)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” is not a DICOM UID: expected digits separated by dots, at most 64 characters"),
                   member);
      return FALSE;
    }
  *out = g_steal_pointer (&value);
  return TRUE;
}

gboolean
rw_model_get_code (JsonObject   *object,
                   const char   *member,
                   RwJsonFlags   flags,
                   char          out[RW_MODEL_CODE_LEN],
                   GError      **error)
{
  g_autofree char *value = NULL;

  out[0] = '\0';
  if (!rw_model_get_text (object, member, flags, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;
  if (strlen (value) >= RW_MODEL_CODE_LEN ||
      strspn (value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_ ") != strlen (value))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” is not a DICOM code: expected at most 16 letters, digits, spaces or underscores"),
                   member);
      return FALSE;
    }
  memcpy (out, value, strlen (value) + 1);
  return TRUE;
}

gboolean
rw_model_get_count (JsonObject   *object,
                    const char   *member,
                    RwJsonFlags   flags,
                    guint        *out,
                    GError      **error)
{
  gint64 value = 0;

  *out = 0;
  if (!rw_json_get_int (object, member, flags, &value, error))
    return FALSE;
  if (value < 0 || value > G_MAXINT32)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” must be a count between 0 and %d"), member, G_MAXINT32);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

/* Prefixes a parser's message with the member it came from. */
static gboolean
value_error (const char  *member,
             GError      *cause,
             GError     **error)
{
  g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
               /* Translators: a JSON member name, then why its value is wrong */
               _("“%s”: %s"), member, cause->message);
  g_error_free (cause);
  return FALSE;
}

static gboolean
copy_converted (const char  *member,
                char       *(*convert) (const char *, GError **),
                const char  *value,
                char        *out,
                gsize        out_len,
                GError     **error)
{
  GError *cause = NULL;
  g_autofree char *converted = convert (value, &cause);

  if (converted == NULL)
    return value_error (member, cause, error);
  g_assert (strlen (converted) < out_len);
  memcpy (out, converted, strlen (converted) + 1);
  return TRUE;
}

/* An optional DICOM date or time member, through @convert into @out
 * (empty when the member is missing). */
static gboolean
get_converted (JsonObject  *object,
               const char  *member,
               char       *(*convert) (const char *, GError **),
               char        *out,
               gsize        out_len,
               GError     **error)
{
  g_autofree char *value = NULL;

  out[0] = '\0';
  if (!rw_model_get_text (object, member, RW_JSON_OPTIONAL, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;
  return copy_converted (member, convert, value, out, out_len, error);
}

gboolean
rw_model_get_dicom_date (JsonObject  *object,
                         const char  *member,
                         char         out[RW_MODEL_DATE_LEN],
                         GError     **error)
{
  return get_converted (object, member, rw_dicom_date_to_iso, out, RW_MODEL_DATE_LEN, error);
}

gboolean
rw_model_get_dicom_time (JsonObject  *object,
                         const char  *member,
                         char         out[RW_MODEL_TIME_LEN],
                         GError     **error)
{
  return get_converted (object, member, rw_dicom_time_to_iso, out, RW_MODEL_TIME_LEN, error);
}

gboolean
rw_model_get_iso_date (JsonObject  *object,
                       const char  *member,
                       char         out[RW_MODEL_DATE_LEN],
                       GError     **error)
{
  g_autofree char *value = NULL;
  g_autofree char *compact = NULL;

  out[0] = '\0';
  if (!rw_model_get_text (object, member, RW_JSON_OPTIONAL, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;
  if (strlen (value) != 10 || value[4] != '-' || value[7] != '-')
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” is not a date in the form YYYY-MM-DD"), member);
      return FALSE;
    }
  compact = rw_model_iso_to_dicom (value);
  return copy_converted (member, rw_dicom_date_to_iso, compact, out, RW_MODEL_DATE_LEN, error);
}

gboolean
rw_model_get_iso_time (JsonObject  *object,
                       const char  *member,
                       char         out[RW_MODEL_TIME_LEN],
                       GError     **error)
{
  g_autofree char *value = NULL;

  out[0] = '\0';
  if (!rw_model_get_text (object, member, RW_JSON_OPTIONAL, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;
  if (strlen (value) != 8 || value[2] != ':' || value[5] != ':')
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” is not a time in the form HH:MM:SS"), member);
      return FALSE;
    }
  return copy_converted (member, rw_dicom_time_to_iso, value, out, RW_MODEL_TIME_LEN, error);
}

gboolean
rw_model_get_timestamp (JsonObject   *object,
                        const char   *member,
                        RwJsonFlags   flags,
                        gint64       *out,
                        GError      **error)
{
  g_autofree char *value = NULL;
  g_autoptr(GDateTime) dt = NULL;

  *out = 0;
  if (!rw_model_get_text (object, member, flags, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;
  /* No default zone: a time without one is ambiguous and refused. */
  dt = g_date_time_new_from_iso8601 (value, NULL);
  if (dt == NULL)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” is not an ISO 8601 date and time with a time zone, as in 2024-01-01T10:30:00Z"),
                   member);
      return FALSE;
    }
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

gboolean
rw_model_check_sex (const char  *member,
                    const char  *value,
                    GError     **error)
{
  if (value == NULL || value[0] == '\0' ||
      g_str_equal (value, "M") || g_str_equal (value, "F") || g_str_equal (value, "O"))
    return TRUE;
  g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
               _("“%s” must be M, F, O or empty"), member);
  return FALSE;
}

gboolean
rw_model_check_age (const char  *member,
                    const char  *value,
                    GError     **error)
{
  GError *cause = NULL;
  RwDicomAge age;

  if (value == NULL || value[0] == '\0')
    return TRUE;
  if (!rw_dicom_parse_age (value, &age, &cause))
    return value_error (member, cause, error);
  return TRUE;
}

char *
rw_model_iso_to_dicom (const char *iso)
{
  GString *s = g_string_new (NULL);

  for (const char *p = iso != NULL ? iso : ""; *p != '\0'; p++)
    if (*p != '-' && *p != ':')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

char *
rw_model_format_timestamp (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_seconds == 0)
    return NULL;
  dt = g_date_time_new_from_unix_utc (unix_seconds);
  if (dt == NULL)
    return NULL;
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}
