/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-dicom.h"

G_DEFINE_QUARK (rw-dicom-error-quark, rw_dicom_error)

/* DICOM pads odd-length values with a trailing space (and UIDs with NUL), so
 * every parser works on a copy with the padding removed. */
static char *
strip_padding (const char *value)
{
  char *copy = g_strdup (value != NULL ? value : "");

  return g_strstrip (copy);
}

static gboolean
all_digits (const char *s,
            gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

static guint
digits_to_uint (const char *s,
                gsize       len)
{
  guint v = 0;

  for (gsize i = 0; i < len; i++)
    v = v * 10 + (guint) (s[i] - '0');
  return v;
}

/* Formats a DICOM PN value ("SILVA^JOAO^CARLOS") the way a person writes it
 * in a list: "SILVA, JOAO CARLOS". Only the first component group (the
 * alphabetic one) is used; ideographic and phonetic groups follow '='.
 * One pass and one allocation: the worklist formats the name of each of
 * its 100k exams at start. */
char *
rw_dicom_format_person_name (const char *person_name)
{
  /* Family, given, middle, prefix, suffix; the last takes any '^' left. */
  const char *start[5] = { NULL, };
  const char *end[5] = { NULL, };
  /* Prefix, given, middle, suffix: the order a name is spoken in. */
  static const guint order[] = { 3, 1, 2, 4 };
  const char *stop;
  const char *p;
  GString *out;
  guint n = 0;
  gboolean has_given = FALSE;

  if (person_name == NULL)
    return g_strdup ("");

  stop = strchr (person_name, '=');
  if (stop == NULL)
    stop = person_name + strlen (person_name);

  for (p = person_name; n < G_N_ELEMENTS (start); n++)
    {
      const char *sep = n + 1 < G_N_ELEMENTS (start) ? memchr (p, '^', (gsize) (stop - p)) : NULL;
      const char *s = p;
      const char *e = sep != NULL ? sep : stop;

      while (s < e && g_ascii_isspace (*s))
        s++;
      while (e > s && g_ascii_isspace (e[-1]))
        e--;
      start[n] = s;
      end[n] = e;
      if (sep == NULL)
        break;
      p = sep + 1;
    }

  out = g_string_sized_new ((gsize) (stop - person_name) + 2);
  g_string_append_len (out, start[0], end[0] - start[0]);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      guint c = order[i];

      if (start[c] == NULL || start[c] == end[c])
        continue;
      if (has_given)
        g_string_append_c (out, ' ');
      else if (out->len > 0)
        g_string_append (out, ", ");
      has_given = TRUE;
      g_string_append_len (out, start[c], end[c] - start[c]);
    }
  return g_string_free (out, FALSE);
}

gboolean
rw_dicom_parse_date (const char  *value,
                     GDate       *date,
                     GError     **error)
{
  g_autofree char *v = strip_padding (value);
  guint year, month, day;

  g_return_val_if_fail (date != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strlen (v) != 8 || !all_digits (v, 8))
    {
      g_set_error (error, RW_DICOM_ERROR, RW_DICOM_ERROR_INVALID_DATE,
                   _("“%s” is not a DICOM date: expected eight digits, YYYYMMDD"), v);
      return FALSE;
    }

  year = digits_to_uint (v, 4);
  month = digits_to_uint (v + 4, 2);
  day = digits_to_uint (v + 6, 2);

  if (year < 1 || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    {
      g_set_error (error, RW_DICOM_ERROR, RW_DICOM_ERROR_INVALID_DATE,
                   _("“%s” is not a valid date: there is no day %02u/%02u/%04u"),
                   v, day, month, year);
      return FALSE;
    }

  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return TRUE;
}

/* DICOM TM is HH[MM[SS[.F{1,6}]]]; ACR-NEMA's HH:MM:SS still comes out of
 * old modalities and is accepted too. */
gboolean
rw_dicom_parse_time (const char   *value,
                     RwDicomTime  *time,
                     GError      **error)
{
  g_autofree char *v = strip_padding (value);
  g_autofree char *compact = NULL;
  RwDicomTime t = { 0, };
  const char *frac;
  gsize int_len;

  g_return_val_if_fail (time != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strlen (v) == 8 && v[2] == ':' && v[5] == ':')
    compact = g_strdup_printf ("%.2s%.2s%.2s", v, v + 3, v + 6);
  else
    compact = g_strdup (v);

  frac = strchr (compact, '.');
  int_len = frac != NULL ? (gsize) (frac - compact) : strlen (compact);

  if ((int_len != 2 && int_len != 4 && int_len != 6) ||
      !all_digits (compact, int_len) ||
      (frac != NULL && (int_len != 6 || strlen (frac + 1) < 1 || strlen (frac + 1) > 6 ||
                        !all_digits (frac + 1, strlen (frac + 1)))))
    {
      g_set_error (error, RW_DICOM_ERROR, RW_DICOM_ERROR_INVALID_TIME,
                   _("“%s” is not a DICOM time: expected HHMMSS"), v);
      return FALSE;
    }

  t.hour = digits_to_uint (compact, 2);
  if (int_len >= 4)
    t.minute = digits_to_uint (compact + 2, 2);
  if (int_len >= 6)
    t.second = digits_to_uint (compact + 4, 2);
  if (frac != NULL)
    {
      gsize flen = strlen (frac + 1);

      t.microsecond = digits_to_uint (frac + 1, flen);
      for (gsize i = flen; i < 6; i++)
        t.microsecond *= 10;
    }

  /* 60 is a leap second, which DICOM allows. */
  if (t.hour > 23 || t.minute > 59 || t.second > 60)
    {
      g_set_error (error, RW_DICOM_ERROR, RW_DICOM_ERROR_INVALID_TIME,
                   _("“%s” is not a valid time of day"), v);
      return FALSE;
    }

  *time = t;
  return TRUE;
}

gboolean
rw_dicom_parse_age (const char  *value,
                    RwDicomAge  *age,
                    GError     **error)
{
  g_autofree char *v = strip_padding (value);
  RwDicomAgeUnit unit;

  g_return_val_if_fail (age != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strlen (v) != 4 || !all_digits (v, 3))
    goto invalid;

  switch (v[3])
    {
    case 'D': unit = RW_DICOM_AGE_DAYS; break;
    case 'W': unit = RW_DICOM_AGE_WEEKS; break;
    case 'M': unit = RW_DICOM_AGE_MONTHS; break;
    case 'Y': unit = RW_DICOM_AGE_YEARS; break;
    default: goto invalid;
    }

  age->value = digits_to_uint (v, 3);
  age->unit = unit;
  return TRUE;

invalid:
  g_set_error (error, RW_DICOM_ERROR, RW_DICOM_ERROR_INVALID_AGE,
               _("“%s” is not a DICOM age: expected three digits and D, W, M or Y, as in 043Y"), v);
  return FALSE;
}

/* "20240101" → "2024-01-01", the form the Radiweb API uses. */
char *
rw_dicom_date_to_iso (const char  *value,
                      GError     **error)
{
  GDate date;

  if (!rw_dicom_parse_date (value, &date, error))
    return NULL;
  return g_strdup_printf ("%04u-%02u-%02u",
                          (guint) g_date_get_year (&date),
                          (guint) g_date_get_month (&date),
                          (guint) g_date_get_day (&date));
}

/* "103000.123" → "10:30:00"; fractions of a second do not matter to a
 * worklist. */
char *
rw_dicom_time_to_iso (const char  *value,
                      GError     **error)
{
  RwDicomTime t;

  if (!rw_dicom_parse_time (value, &t, error))
    return NULL;
  return g_strdup_printf ("%02u:%02u:%02u", t.hour, t.minute, MIN (t.second, 59u));
}

char *
rw_dicom_format_age (const RwDicomAge *age)
{
  g_return_val_if_fail (age != NULL, NULL);

  switch (age->unit)
    {
    case RW_DICOM_AGE_DAYS:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", age->value), age->value);
    case RW_DICOM_AGE_WEEKS:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u week", "%u weeks", age->value), age->value);
    case RW_DICOM_AGE_MONTHS:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u month", "%u months", age->value), age->value);
    case RW_DICOM_AGE_YEARS:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u year", "%u years", age->value), age->value);
    }
}

char *
rw_dicom_age_to_string (const RwDicomAge *age)
{
  static const char units[] = { 'D', 'W', 'M', 'Y' };

  g_return_val_if_fail (age != NULL, NULL);
  g_return_val_if_fail (age->value <= 999, NULL);

  return g_strdup_printf ("%03u%c", age->value, units[age->unit]);
}

gboolean
rw_dicom_age_between (const GDate *birth,
                      const GDate *on,
                      RwDicomAge  *age)
{
  int years, months, days;

  g_return_val_if_fail (birth != NULL && g_date_valid (birth), FALSE);
  g_return_val_if_fail (on != NULL && g_date_valid (on), FALSE);
  g_return_val_if_fail (age != NULL, FALSE);

  days = g_date_days_between (birth, on);
  if (days < 0)
    return FALSE;

  /* Whole months, counting a month as complete on the same day of the
   * month (or the month's last day when it is shorter). */
  months = ((int) g_date_get_year (on) - (int) g_date_get_year (birth)) * 12 +
           ((int) g_date_get_month (on) - (int) g_date_get_month (birth));
  if (g_date_get_day (on) < g_date_get_day (birth) &&
      g_date_get_day (on) < g_date_get_days_in_month (g_date_get_month (on), g_date_get_year (on)))
    months--;
  years = months / 12;

  if (years >= 1)
    {
      age->value = (guint) years;
      age->unit = RW_DICOM_AGE_YEARS;
    }
  else if (months >= 1)
    {
      age->value = (guint) months;
      age->unit = RW_DICOM_AGE_MONTHS;
    }
  else
    {
      age->value = (guint) days;
      age->unit = RW_DICOM_AGE_DAYS;
    }
  return age->value <= 999;
}
