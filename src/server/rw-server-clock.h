/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The server's notion of now, in microseconds since the Unix epoch (UTC).
 * Every time the server stores or compares (received_at, token expiry,
 * webhook tolerance, "today" in the metrics) comes from here. */
gint64      rw_server_clock_now        (void);

/* ISO 8601 UTC with a Z, second precision: 2024-01-01T10:30:00Z. */
char       *rw_server_clock_format     (gint64      usec);
gboolean    rw_server_clock_parse      (const char *iso8601,
                                        gint64     *usec);

/* Days in the server's time zone ([server] timezone): metrics count
 * "today" as the clinic's today, not UTC's. */
gboolean    rw_server_clock_parse_date (const char *text,
                                        GDate      *date);
gint64      rw_server_clock_day_start  (GTimeZone  *tz,
                                        const GDate *date);
void        rw_server_clock_local_date (GTimeZone  *tz,
                                        gint64      usec,
                                        GDate      *date);
char       *rw_server_clock_format_date (const GDate *date);

G_END_DECLS
