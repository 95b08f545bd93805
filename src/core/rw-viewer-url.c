/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-viewer-url.h"

G_DEFINE_QUARK (rw-viewer-url-error-quark, rw_viewer_url_error)

gboolean
rw_viewer_url_check_base (const char  *base_url,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (base_url != NULL)
    uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    {
      g_set_error_literal (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_BASE,
                           _("The PACS address is not a valid URL"));
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if ((g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error_literal (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_BASE,
                           _("The PACS address must start with http:// or https:// and name a host"));
      return FALSE;
    }
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_BASE,
                           _("The PACS address must not contain a user name or password"));
      return FALSE;
    }
  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error_literal (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_BASE,
                           _("The PACS address must not contain “?” or “#”"));
      return FALSE;
    }
  return TRUE;
}

static char *
strip_base (const char *base_url)
{
  gsize len = strlen (base_url);

  while (len > 0 && base_url[len - 1] == '/')
    len--;
  return g_strndup (base_url, len);
}

static char *
escape (const char *value)
{
  return g_uri_escape_string (value != NULL ? value : "", NULL, FALSE);
}

static char *
build (const char *base_url,
       const char *path_and_query,
       const char *value)
{
  g_autofree char *base = NULL;
  g_autofree char *escaped = escape (value);

  g_return_val_if_fail (base_url != NULL, NULL);

  base = strip_base (base_url);
  return g_strconcat (base, path_and_query, escaped, NULL);
}

char *
rw_viewer_url_stone (const char *base_url,
                     const char *study_uid)
{
  return build (base_url, "/stone-webviewer/index.html?study=", study_uid);
}

char *
rw_viewer_url_ohif (const char *base_url,
                    const char *study_uid)
{
  return build (base_url, "/ohif/viewer?StudyInstanceUIDs=", study_uid);
}

char *
rw_viewer_url_orthanc_web_viewer (const char *base_url,
                                  const char *orthanc_series_id)
{
  return build (base_url, "/web-viewer/app/viewer.html?series=", orthanc_series_id);
}

char *
rw_viewer_url_dicom_web_study (const char *base_url,
                               const char *study_uid)
{
  return build (base_url, "/dicom-web/studies/", study_uid);
}

char *
rw_viewer_url_rest_study (const char *base_url,
                          const char *orthanc_study_id)
{
  return build (base_url, "/studies/", orthanc_study_id);
}

static const char *
first_series_id (RwExam *exam)
{
  GPtrArray *series = rw_exam_get_series (exam);

  if (series == NULL || series->len == 0)
    return "";
  return rw_series_get_orthanc_id (g_ptr_array_index (series, 0));
}

static gboolean
placeholder_value (const char  *name,
                   gsize        len,
                   RwExam      *exam,
                   const char **value)
{
  static const char *const names[] = {
    "study_uid", "study_id", "series_id", "patient_id", "accession", NULL
  };
  guint i;

  for (i = 0; names[i] != NULL; i++)
    if (strlen (names[i]) == len && strncmp (names[i], name, len) == 0)
      break;

  switch (i)
    {
    case 0: *value = rw_exam_get_study_uid (exam); return TRUE;
    case 1: *value = rw_exam_get_orthanc_id (exam); return TRUE;
    case 2: *value = first_series_id (exam); return TRUE;
    case 3: *value = rw_patient_get_patient_id (rw_exam_get_patient (exam)); return TRUE;
    case 4: *value = rw_exam_get_accession_number (exam); return TRUE;
    default: return FALSE;
    }
}

char *
rw_viewer_url_expand_template (const char  *template_,
                               const char  *base_url,
                               RwExam      *exam,
                               GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *base = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *p;

  g_return_val_if_fail (RW_IS_EXAM (exam), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!rw_viewer_url_check_base (base_url, error))
    return NULL;
  base = strip_base (base_url);

  for (p = template_ != NULL ? template_ : ""; *p != '\0'; p++)
    {
      const char *end;
      const char *value;

      if (p[0] == '{' && p[1] == '{')
        {
          g_string_append_c (out, '{');
          p++;
          continue;
        }
      if (p[0] == '}' && p[1] == '}')
        {
          g_string_append_c (out, '}');
          p++;
          continue;
        }
      if (*p == '}')
        {
          g_set_error_literal (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_TEMPLATE,
                               _("The viewer address template has a “}” without its “{”; write “}}” for a literal brace"));
          return NULL;
        }
      if (*p != '{')
        {
          g_string_append_c (out, *p);
          continue;
        }

      end = strchr (p + 1, '}');
      if (end == NULL)
        {
          g_set_error_literal (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_TEMPLATE,
                               _("The viewer address template has a “{” without its “}”"));
          return NULL;
        }
      if (end - p - 1 == 4 && strncmp (p + 1, "base", 4) == 0)
        g_string_append (out, base);
      else if (placeholder_value (p + 1, (gsize) (end - p - 1), exam, &value))
        {
          g_autofree char *escaped = escape (value);
          g_string_append (out, escaped);
        }
      else
        {
          g_autofree char *name = g_strndup (p + 1, (gsize) (end - p - 1));

          g_set_error (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_TEMPLATE,
                       _("The viewer address template names an unknown placeholder “{%s}”; known ones are {base}, {study_uid}, {study_id}, {series_id}, {patient_id} and {accession}"),
                       name);
          return NULL;
        }
      p = end;
    }

  uri = g_uri_parse (out->str, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL ||
      (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 &&
       g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0))
    {
      g_set_error_literal (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_TEMPLATE,
                           _("The viewer address template does not give an http:// or https:// address; start it with {base}"));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
rw_viewer_url_for_exam (RwViewerKind   kind,
                        const char    *base_url,
                        const char    *template_,
                        RwExam        *exam,
                        GError       **error)
{
  g_return_val_if_fail (RW_IS_EXAM (exam), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (kind == RW_VIEWER_CUSTOM)
    return rw_viewer_url_expand_template (template_, base_url, exam, error);

  if (!rw_viewer_url_check_base (base_url, error))
    return NULL;

  switch (kind)
    {
    case RW_VIEWER_STONE:
      return rw_viewer_url_stone (base_url, rw_exam_get_study_uid (exam));
    case RW_VIEWER_OHIF:
      return rw_viewer_url_ohif (base_url, rw_exam_get_study_uid (exam));
    case RW_VIEWER_ORTHANC_WEB_VIEWER:
      if (first_series_id (exam)[0] == '\0')
        {
          g_set_error_literal (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_MISSING_VALUE,
                               _("The Orthanc Web Viewer opens one series, and this exam’s series are not known yet"));
          return NULL;
        }
      return rw_viewer_url_orthanc_web_viewer (base_url, first_series_id (exam));
    case RW_VIEWER_CUSTOM:
    default:
      g_return_val_if_reached (NULL);
    }
}
