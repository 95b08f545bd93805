/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-exam.h"
#include "rw-plugin-config.h"
#include "rw-plugin-queue.h"

G_BEGIN_DECLS

/* What one HTTP answer means for the event (the rules). */
typedef enum {
  RW_PLUGIN_OUTCOME_DELIVERED,
  /* No answer, a redirect, 408, 429 or 5xx: retried with backoff. */
  RW_PLUGIN_OUTCOME_RETRY,
  /* 401: the secrets differ (or the clocks): a configuration error that
   * will be fixed, so retried, and logged as an error. */
  RW_PLUGIN_OUTCOME_UNAUTHORIZED,
  /* Any other 4xx: the server will never take this payload. */
  RW_PLUGIN_OUTCOME_REJECTED,
} RwPluginOutcome;

RwPluginOutcome rw_plugin_outcome_for_status (guint status);

/* Builds the exam of Orthanc study @study_id; in the plugin, through
 * Orthanc's REST API in-process. RW_PLUGIN_ERROR_STUDY_GONE when the study
 * was deleted meanwhile. Called on the worker's thread. */
typedef RwExam *(*RwPluginFetchStudy) (const char  *study_id,
                                       gpointer     user_data,
                                       GError     **error);

/* The thread that delivers the queue's events: it builds each payload with
 * @fetch and rw_exam_to_webhook_payload(), signs it afresh for every
 * attempt, POSTs it with libsoup and records the outcome in the queue. */
#define RW_TYPE_PLUGIN_WORKER (rw_plugin_worker_get_type ())
G_DECLARE_FINAL_TYPE (RwPluginWorker, rw_plugin_worker, RW, PLUGIN_WORKER, GObject)

/* @config must outlive the worker. */
RwPluginWorker *rw_plugin_worker_new   (const RwPluginConfig *config,
                                        RwPluginQueue        *queue,
                                        RwPluginFetchStudy    fetch,
                                        gpointer              fetch_data);
void            rw_plugin_worker_start (RwPluginWorker       *self);
/* Something changed in the queue (an event, a retry): look again now. */
void            rw_plugin_worker_wake  (RwPluginWorker       *self);
/* Cancels the request in flight (its event stays due) and joins the
 * thread; returns at once when it is not running. */
void            rw_plugin_worker_stop  (RwPluginWorker       *self);

G_END_DECLS
