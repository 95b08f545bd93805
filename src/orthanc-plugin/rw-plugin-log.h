/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RW_PLUGIN_LOG_INFO,
  RW_PLUGIN_LOG_WARNING,
  RW_PLUGIN_LOG_ERROR,
} RwPluginLogLevel;

typedef void (*RwPluginLogSink) (RwPluginLogLevel  level,
                                 const char       *message);

/* Where the plugin's messages go: Orthanc's log once the plugin is
 * loaded (OrthancPluginLogInfo/Warning/Error), GLib's log before and in
 * tests. NULL restores GLib's. Messages never carry the webhook secret. */
void rw_plugin_log_set_sink (RwPluginLogSink   sink);
void rw_plugin_log          (RwPluginLogLevel  level,
                             const char       *format,
                             ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
