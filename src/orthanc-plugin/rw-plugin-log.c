/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-plugin"

#include "config.h"

#include "rw-plugin-log.h"

/* Set once at load time and cleared at unload, while no other thread of
 * the plugin runs; read by the worker in between. */
static RwPluginLogSink log_sink;

void
rw_plugin_log_set_sink (RwPluginLogSink sink)
{
  g_atomic_pointer_set (&log_sink, sink);
}

void
rw_plugin_log (RwPluginLogLevel  level,
               const char       *format,
               ...)
{
  g_autofree char *message = NULL;
  RwPluginLogSink sink = g_atomic_pointer_get (&log_sink);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (sink != NULL)
    {
      sink (level, message);
      return;
    }
  /* Not g_warning() or g_critical(): tests make those fatal, and a failed
   * delivery is an expected event, not a bug. */
  if (level == RW_PLUGIN_LOG_INFO)
    g_info ("%s", message);
  else
    g_message ("%s: %s", level == RW_PLUGIN_LOG_ERROR ? "error" : "warning", message);
}
