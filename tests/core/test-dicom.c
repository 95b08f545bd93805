/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-dicom.h"

static void
test_person_name (void)
{
  static const struct {
    const char *pn;
    const char *display;
  } cases[] = {
    { "SILVA^JOAO^CARLOS", "SILVA, JOAO CARLOS" },
    { "SILVA^JOAO", "SILVA, JOAO" },
    { "SILVA", "SILVA" },
    { "CONCEIÇÃO^MARIA DA", "CONCEIÇÃO, MARIA DA" },
    { "SOUZA^ANA^^DRA.", "SOUZA, DRA. ANA" },
    { "SOUZA^ANA^^^JR ", "SOUZA, ANA JR" },
    { "^JOAO^CARLOS", "JOAO CARLOS" },
    { "YAMADA^TARO=山田^太郎", "YAMADA, TARO" },
    { " SILVA ^ JOAO ^^ DR. ^ NETO^X ", "SILVA, DR. JOAO NETO^X" },
    { "SILVA^^^^", "SILVA" },
    { "^^^DR.", "DR." },
    { "=山田^太郎", "" },
    { "^", "" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *display = rw_dicom_format_person_name (cases[i].pn);

      g_assert_cmpstr (display, ==, cases[i].display);
    }
}

static void
test_date_valid (void)
{
  GDate date;
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = NULL;

  g_assert_true (rw_dicom_parse_date ("20240101", &date, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_date_get_year (&date), ==, 2024);
  g_assert_cmpint (g_date_get_month (&date), ==, 1);
  g_assert_cmpint (g_date_get_day (&date), ==, 1);

  /* Leap day, with DICOM's trailing pad. */
  g_assert_true (rw_dicom_parse_date ("20240229 ", &date, &error));
  g_assert_cmpint (g_date_get_day (&date), ==, 29);

  iso = rw_dicom_date_to_iso ("19800515", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (iso, ==, "1980-05-15");
}

static void
test_date_invalid (void)
{
  static const char *bad[] = {
    "", "2024011", "202401011", "2024-01-01", "2024O101",
    "20230229", "20241301", "20240132", "20240100", "00000101",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      GDate date;

      g_assert_false (rw_dicom_parse_date (bad[i], &date, &error));
      g_assert_error (error, RW_DICOM_ERROR, RW_DICOM_ERROR_INVALID_DATE);
      /* The message names the offending value, so a person can find it. */
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
test_time (void)
{
  static const struct {
    const char *tm;
    guint h, m, s, us;
    const char *iso;
  } good[] = {
    { "103000", 10, 30, 0, 0, "10:30:00" },
    { "1030", 10, 30, 0, 0, "10:30:00" },
    { "10", 10, 0, 0, 0, "10:00:00" },
    { "235959.123456", 23, 59, 59, 123456, "23:59:59" },
    { "070809.5", 7, 8, 9, 500000, "07:08:09" },
    { "10:30:15", 10, 30, 15, 0, "10:30:15" },
    { "103000 ", 10, 30, 0, 0, "10:30:00" },
  };
  static const char *bad[] = {
    "", "1", "103", "10300", "1030000", "240000", "106000", "103061",
    "1030.5", "103000.", "103000.1234567", "10h30", "ab3000",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *iso = NULL;
      RwDicomTime t;

      g_assert_true (rw_dicom_parse_time (good[i].tm, &t, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (t.hour, ==, good[i].h);
      g_assert_cmpuint (t.minute, ==, good[i].m);
      g_assert_cmpuint (t.second, ==, good[i].s);
      g_assert_cmpuint (t.microsecond, ==, good[i].us);
      iso = rw_dicom_time_to_iso (good[i].tm, &error);
      g_assert_cmpstr (iso, ==, good[i].iso);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      RwDicomTime t;

      g_assert_false (rw_dicom_parse_time (bad[i], &t, &error));
      g_assert_error (error, RW_DICOM_ERROR, RW_DICOM_ERROR_INVALID_TIME);
    }
}

static void
test_age (void)
{
  static const struct {
    const char *as;
    guint value;
    RwDicomAgeUnit unit;
    const char *display;
  } good[] = {
    { "043Y", 43, RW_DICOM_AGE_YEARS, "43 years" },
    { "001Y", 1, RW_DICOM_AGE_YEARS, "1 year" },
    { "006M", 6, RW_DICOM_AGE_MONTHS, "6 months" },
    { "002W", 2, RW_DICOM_AGE_WEEKS, "2 weeks" },
    { "010D", 10, RW_DICOM_AGE_DAYS, "10 days" },
  };
  static const char *bad[] = { "", "43Y", "0043Y", "043y", "043A", "O43Y", "-43Y", "043" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *display = NULL;
      RwDicomAge age;

      g_assert_true (rw_dicom_parse_age (good[i].as, &age, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (age.value, ==, good[i].value);
      g_assert_cmpint (age.unit, ==, good[i].unit);
      display = rw_dicom_format_age (&age);
      g_assert_cmpstr (display, ==, good[i].display);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      RwDicomAge age;

      g_assert_false (rw_dicom_parse_age (bad[i], &age, &error));
      g_assert_error (error, RW_DICOM_ERROR, RW_DICOM_ERROR_INVALID_AGE);
    }
}

static void
test_age_between (void)
{
  static const struct {
    const char *birth;
    const char *on;
    const char *expected;
  } cases[] = {
    { "19800515", "20240101", "043Y" },
    { "19800515", "20240515", "044Y" },
    { "19800515", "20240514", "043Y" },
    { "20231201", "20240101", "001M" },
    { "20230201", "20240131", "011M" },
    { "20240115", "20240131", "016D" },
    { "20240131", "20240229", "001M" },   /* the last day of a shorter month completes it */
    { "20240101", "20240101", "000D" },
    { "20200229", "20210228", "001Y" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDate birth, on;
      RwDicomAge age;
      g_autofree char *text = NULL;

      g_assert_true (rw_dicom_parse_date (cases[i].birth, &birth, NULL));
      g_assert_true (rw_dicom_parse_date (cases[i].on, &on, NULL));
      g_assert_true (rw_dicom_age_between (&birth, &on, &age));
      text = rw_dicom_age_to_string (&age);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  {
    GDate birth, on;
    RwDicomAge age;

    g_assert_true (rw_dicom_parse_date ("20240102", &birth, NULL));
    g_assert_true (rw_dicom_parse_date ("20240101", &on, NULL));
    g_assert_false (rw_dicom_age_between (&birth, &on, &age));
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dicom/person-name", test_person_name);
  g_test_add_func ("/dicom/date/valid", test_date_valid);
  g_test_add_func ("/dicom/date/invalid", test_date_invalid);
  g_test_add_func ("/dicom/time", test_time);
  g_test_add_func ("/dicom/age", test_age);
  g_test_add_func ("/dicom/age-between", test_age_between);

  return g_test_run ();
}
