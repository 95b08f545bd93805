/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-exam.h"

G_BEGIN_DECLS

#define RW_VIEWER_URL_ERROR (rw_viewer_url_error_quark ())

typedef enum {
  /* The PACS address is not an http(s) URL, or carries credentials. */
  RW_VIEWER_URL_ERROR_INVALID_BASE,
  /* The user's template is malformed or names an unknown placeholder. */
  RW_VIEWER_URL_ERROR_INVALID_TEMPLATE,
  /* The exam lacks what the viewer needs (e.g. no series known). */
  RW_VIEWER_URL_ERROR_MISSING_VALUE,
} RwViewerUrlError;

typedef enum {
  RW_VIEWER_STONE,
  RW_VIEWER_OHIF,
  RW_VIEWER_ORTHANC_WEB_VIEWER,
  RW_VIEWER_CUSTOM,
} RwViewerKind;

GQuark    rw_viewer_url_error_quark      (void);

/* Checks that @base_url (the PACS address as users reach it, e.g.
 * "https://pacs.example:8042" or "http://host/orthanc/") is an http or
 * https URL without credentials, query or fragment. Credentials go through
 * the viewer's authentication, never into a URL. */
gboolean  rw_viewer_url_check_base       (const char    *base_url,
                                          GError       **error);

/* The builders below take a checked base URL (a trailing slash is fine). */
char     *rw_viewer_url_stone            (const char    *base_url,
                                          const char    *study_uid);
char     *rw_viewer_url_ohif             (const char    *base_url,
                                          const char    *study_uid);
char     *rw_viewer_url_orthanc_web_viewer (const char  *base_url,
                                          const char    *orthanc_series_id);
/* The other addresses of a study that the webhook payload carries:
 * DICOMweb's /dicom-web/studies/<StudyInstanceUID> and Orthanc's REST
 * /studies/<orthanc id>. */
char     *rw_viewer_url_dicom_web_study  (const char    *base_url,
                                          const char    *study_uid);
char     *rw_viewer_url_rest_study       (const char    *base_url,
                                          const char    *orthanc_study_id);

/* Expands a user's template. Placeholders, in braces:
 *
 *   {base}         the PACS address without its trailing slash (not escaped)
 *   {study_uid}    the StudyInstanceUID
 *   {study_id}     Orthanc's id of the study
 *   {series_id}    Orthanc's id of the exam's first series ("" if unknown)
 *   {patient_id}   the PatientID
 *   {accession}    the AccessionNumber
 *
 * Every value but {base} is percent-encoded, so a patient id such as
 * "12/34&x" cannot change the URL's structure. "{{" and "}}" stand for
 * literal braces. The result must be an http(s) URL. */
char     *rw_viewer_url_expand_template  (const char    *template_,
                                          const char    *base_url,
                                          RwExam        *exam,
                                          GError       **error);

/* The URL of @kind for @exam; @template_ is used only by RW_VIEWER_CUSTOM. */
char     *rw_viewer_url_for_exam         (RwViewerKind   kind,
                                          const char    *base_url,
                                          const char    *template_,
                                          RwExam        *exam,
                                          GError       **error);

G_END_DECLS
