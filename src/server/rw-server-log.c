/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <stdio.h>

#include "rw-server-log.h"

/* syslog priorities, which journald reads from a "<N>" prefix on each line
 * of a service's stderr (SyslogLevelPrefix=, on by default). */
static int
priority_for (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return 2;
  if (level & G_LOG_LEVEL_CRITICAL)
    return 3;
  if (level & G_LOG_LEVEL_WARNING)
    return 4;
  if (level & G_LOG_LEVEL_MESSAGE)
    return 5;
  if (level & G_LOG_LEVEL_INFO)
    return 6;
  return 7;
}

static GLogWriterOutput
write_line (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  /* G_MESSAGES_DEBUG decides about debug and info lines, as usual. */
  if (g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;

  /* One line per message: a newline inside would start a line journald
   * reads with the default priority. */
  {
    g_autoptr(GString) line = g_string_new (NULL);

    g_string_append_printf (line, "<%d>", priority_for (level));
    if (domain != NULL && g_strcmp0 (domain, G_LOG_DOMAIN) != 0)
      g_string_append_printf (line, "%s: ", domain);
    for (const char *p = message != NULL ? message : ""; *p != '\0'; p++)
      g_string_append_c (line, *p == '\n' ? ' ' : *p);
    g_string_append_c (line, '\n');
    fputs (line->str, stderr);
    fflush (stderr);
  }

  return G_LOG_WRITER_HANDLED;
}

void
rw_server_log_init (void)
{
  g_log_set_writer_func (write_line, NULL, NULL);
}
