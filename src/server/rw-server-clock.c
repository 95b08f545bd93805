/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <string.h>

#include "rw-server-clock.h"

/* This file is compiled twice. The installed radiweb-server reads the
 * system clock only. The test build (radiweb-server-test, never installed)
 * defines RW_SERVER_TEST_CLOCK and honours RADIWEB_TEST_CLOCK_FILE: a file
 * holding an ISO 8601 time that the tests rewrite to move the server's
 * clock, so metrics and expiry can be checked against known instants. */
gint64
rw_server_clock_now (void)
{
#ifdef RW_SERVER_TEST_CLOCK
  const char *file = g_getenv ("RADIWEB_TEST_CLOCK_FILE");
  g_autofree char *contents = NULL;
  gint64 usec;

  if (file != NULL && g_file_get_contents (file, &contents, NULL, NULL) &&
      rw_server_clock_parse (g_strstrip (contents), &usec))
    return usec;
#endif
  return g_get_real_time ();
}

char *
rw_server_clock_format (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  if (dt == NULL)
    return NULL;
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* Accepts any ISO 8601 time with a zone (Z or an offset). */
gboolean
rw_server_clock_parse (const char *iso8601,
                       gint64     *usec)
{
  g_autoptr(GDateTime) dt = NULL;

  dt = iso8601 != NULL ? g_date_time_new_from_iso8601 (iso8601, NULL) : NULL;
  if (dt == NULL)
    return FALSE;
  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

/* Strictly YYYY-MM-DD, a real day. */
gboolean
rw_server_clock_parse_date (const char *text,
                            GDate      *date)
{
  guint y, m, d;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  y = (guint) g_ascii_strtoull (text, NULL, 10);
  m = (guint) g_ascii_strtoull (text + 5, NULL, 10);
  d = (guint) g_ascii_strtoull (text + 8, NULL, 10);
  if (y < 1 || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return TRUE;
}

/* The first instant of @date in @tz. On a day whose midnight a daylight
 * saving change skips (São Paulo until 2019), GLib moves forward to the
 * first time that exists, which is the day's real start. */
gint64
rw_server_clock_day_start (GTimeZone   *tz,
                           const GDate *date)
{
  g_autoptr(GDateTime) dt = g_date_time_new (tz, g_date_get_year (date), g_date_get_month (date),
                                             g_date_get_day (date), 0, 0, 0);

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

void
rw_server_clock_local_date (GTimeZone *tz,
                            gint64     usec,
                            GDate     *date)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) g_date_time_get_day_of_month (local),
                  (GDateMonth) g_date_time_get_month (local),
                  (GDateYear) g_date_time_get_year (local));
}

char *
rw_server_clock_format_date (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", (guint) g_date_get_year (date),
                          (guint) g_date_get_month (date), (guint) g_date_get_day (date));
}
