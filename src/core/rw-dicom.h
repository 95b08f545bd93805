/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RW_DICOM_ERROR (rw_dicom_error_quark ())

typedef enum {
  RW_DICOM_ERROR_INVALID_DATE,
  RW_DICOM_ERROR_INVALID_TIME,
  RW_DICOM_ERROR_INVALID_AGE,
} RwDicomError;

typedef enum {
  RW_DICOM_AGE_DAYS,
  RW_DICOM_AGE_WEEKS,
  RW_DICOM_AGE_MONTHS,
  RW_DICOM_AGE_YEARS,
} RwDicomAgeUnit;

typedef struct {
  guint hour;
  guint minute;
  guint second;
  guint microsecond;
} RwDicomTime;

typedef struct {
  guint          value;
  RwDicomAgeUnit unit;
} RwDicomAge;

GQuark    rw_dicom_error_quark        (void);

char     *rw_dicom_format_person_name (const char   *person_name);

gboolean  rw_dicom_parse_date         (const char   *value,
                                       GDate        *date,
                                       GError      **error);
gboolean  rw_dicom_parse_time         (const char   *value,
                                       RwDicomTime  *time,
                                       GError      **error);
gboolean  rw_dicom_parse_age          (const char   *value,
                                       RwDicomAge   *age,
                                       GError      **error);

char     *rw_dicom_date_to_iso        (const char   *value,
                                       GError      **error);
char     *rw_dicom_time_to_iso        (const char   *value,
                                       GError      **error);
char     *rw_dicom_format_age         (const RwDicomAge *age);
/* The DICOM AS value ("043Y", "011M", "020D"). */
char     *rw_dicom_age_to_string      (const RwDicomAge *age);
/* The age on @on of someone born on @birth, as a modality writes it: years
 * from one year on, months from one month on, days before that. FALSE when
 * @on is before @birth or the age does not fit three digits. */
gboolean  rw_dicom_age_between        (const GDate      *birth,
                                       const GDate      *on,
                                       RwDicomAge       *age);

G_END_DECLS
