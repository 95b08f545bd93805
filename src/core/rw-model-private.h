/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-json.h"

G_BEGIN_DECLS

/* Validation shared by the model constructors (patient, series, exam). Every
 * failure is an RW_JSON_ERROR naming the member, so a server can answer 400
 * with a message the sender can act on. */

/* Longest string accepted from outside. DICOM's own limits are shorter (64
 * for LO and UI), but modalities exceed them and Orthanc keeps what it gets;
 * this cap only stops hostile or broken input from growing without bound. */
#define RW_MODEL_MAX_TEXT 1024

/* "YYYY-MM-DD" plus NUL. */
#define RW_MODEL_DATE_LEN 11
/* "HH:MM:SS" plus NUL. */
#define RW_MODEL_TIME_LEN 9
/* A DICOM CS value is at most 16 characters. */
#define RW_MODEL_CODE_LEN 17

gboolean  rw_model_get_text        (JsonObject   *object,
                                    const char   *member,
                                    RwJsonFlags   flags,
                                    char        **out,
                                    GError      **error);
gboolean  rw_model_get_uid         (JsonObject   *object,
                                    const char   *member,
                                    RwJsonFlags   flags,
                                    char        **out,
                                    GError      **error);
gboolean  rw_model_get_code        (JsonObject   *object,
                                    const char   *member,
                                    RwJsonFlags   flags,
                                    char          out[RW_MODEL_CODE_LEN],
                                    GError      **error);
gboolean  rw_model_get_count       (JsonObject   *object,
                                    const char   *member,
                                    RwJsonFlags   flags,
                                    guint        *out,
                                    GError      **error);

/* DICOM forms ("20240101", "103000") into the API's ("2024-01-01",
 * "10:30:00"); an empty value means unknown and leaves out[0] == '\0'. */
gboolean  rw_model_get_dicom_date  (JsonObject   *object,
                                    const char   *member,
                                    char          out[RW_MODEL_DATE_LEN],
                                    GError      **error);
gboolean  rw_model_get_dicom_time  (JsonObject   *object,
                                    const char   *member,
                                    char          out[RW_MODEL_TIME_LEN],
                                    GError      **error);
/* The API's forms, checked the same way. */
gboolean  rw_model_get_iso_date    (JsonObject   *object,
                                    const char   *member,
                                    char          out[RW_MODEL_DATE_LEN],
                                    GError      **error);
gboolean  rw_model_get_iso_time    (JsonObject   *object,
                                    const char   *member,
                                    char          out[RW_MODEL_TIME_LEN],
                                    GError      **error);
/* ISO 8601 date and time with a zone ("2024-01-01T10:30:00Z") as Unix
 * seconds; missing or null is 0. */
gboolean  rw_model_get_timestamp   (JsonObject   *object,
                                    const char   *member,
                                    RwJsonFlags   flags,
                                    gint64       *out,
                                    GError      **error);

gboolean  rw_model_check_sex       (const char   *member,
                                    const char   *value,
                                    GError      **error);
gboolean  rw_model_check_age       (const char   *member,
                                    const char   *value,
                                    GError      **error);

/* "2024-01-01" → "20240101", "10:30:00" → "103000"; "" stays "". */
char     *rw_model_iso_to_dicom    (const char   *iso);
/* Unix seconds → "2024-01-01T10:30:00Z"; 0 gives NULL. */
char     *rw_model_format_timestamp (gint64       unix_seconds);

/* Getters return "" for an unknown string, never NULL. */
static inline const char *
rw_model_str (const char *s)
{
  return s != NULL ? s : "";
}

/* Replaces *field with a copy of @value; TRUE when it changed. NULL and ""
 * are the same value. */
gboolean  rw_model_set_str         (char       **field,
                                    const char  *value);

G_END_DECLS
