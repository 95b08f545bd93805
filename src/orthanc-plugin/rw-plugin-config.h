/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RW_PLUGIN_ERROR (rw_plugin_error_quark ())

typedef enum {
  /* The "Radiweb" section of Orthanc's configuration is missing or wrong. */
  RW_PLUGIN_ERROR_CONFIG,
  /* The study of an event is no longer in Orthanc (deleted meanwhile). */
  RW_PLUGIN_ERROR_STUDY_GONE,
  /* Orthanc's REST API failed while the payload was being built. */
  RW_PLUGIN_ERROR_ORTHANC,
  /* The queue file could not be opened, read or written. */
  RW_PLUGIN_ERROR_QUEUE,
} RwPluginError;

GQuark rw_plugin_error_quark (void);

/* The "Radiweb" section of Orthanc's JSON configuration:
 *
 *   "Radiweb": {
 *     "Enabled": true,
 *     "WebhookUrl": "https://radiweb.example/webhook/dicom",
 *     "WebhookSecret": "…",
 *     "PublicUrl": "https://pacs.example",
 *     "Timeout": 10,
 *     "RetrySchedule": [5, 300, 1800, 7200, 18000, 36000],
 *     "MaxAttempts": 0,
 *     "QueuePath": "/var/lib/orthanc/db-v6/radiweb-webhook-queue.db"
 *   }
 *
 * RetrySchedule is the wait in seconds after the first, second… failed
 * attempt (Standard Webhooks' schedule by default); after the last one the
 * last wait repeats. MaxAttempts 0 never gives up on an event the server
 * may still accept: a server down for a weekend loses nothing. */
typedef struct {
  gboolean  enabled;
  char     *webhook_url;
  char     *webhook_secret;
  char     *public_url;
  guint     timeout;           /* seconds */
  GArray   *retry_schedule;    /* double, seconds */
  guint     max_attempts;      /* 0: unlimited */
  char     *queue_path;
} RwPluginConfig;

/* Reads the section from Orthanc's whole configuration (what
 * OrthancPluginGetConfiguration() returns). A missing section, or one with
 * "Enabled": false, gives a disabled configuration. Every wrong member is
 * an RW_PLUGIN_ERROR_CONFIG naming it; the message never contains the
 * secret. */
RwPluginConfig *rw_plugin_config_new_from_orthanc (JsonObject     *orthanc_config,
                                                   GError        **error);
/* Where the queue lives: QueuePath, or a file in Orthanc's index
 * directory. Also for a section that is otherwise wrong, so that events
 * are kept until the configuration is fixed. */
char           *rw_plugin_config_dup_queue_path   (JsonObject     *orthanc_config,
                                                   GError        **error);
void            rw_plugin_config_free             (RwPluginConfig *config);

/* The wait before the next attempt once @attempts attempts have failed
 * (from 1), with ±20 % jitter so that events that failed together do not
 * all come back at the same instant; -1 once MaxAttempts is reached. */
gint64          rw_plugin_config_retry_delay_ms   (const RwPluginConfig *config,
                                                   guint                 attempts,
                                                   GRand                *rand);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwPluginConfig, rw_plugin_config_free)

G_END_DECLS
