/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-server-config.h"
#include "rw-server-events.h"
#include "rw-server-store.h"

G_BEGIN_DECLS

/* The second way in for studies: radiweb-server follows Orthanc's
 * /changes from the last sequence number it stored and stores every
 * StableStudy it has not received yet, with the payload the plugin would
 * have sent (rw_exam_to_webhook_payload() of the same Orthanc JSON) and
 * the webhook's own upsert. The sequence number is committed in the same
 * transaction as the study, so a restart resumes exactly where it stopped;
 * a study already stored with the same counts is left alone, so the
 * webhook and the catch-up together still give one exam, once. */
#define RW_TYPE_SERVER_CATCHUP (rw_server_catchup_get_type ())
G_DECLARE_FINAL_TYPE (RwServerCatchup, rw_server_catchup, RW, SERVER_CATCHUP, GObject)

/* NULL without an error when [orthanc] url is not set: no catch-up. An
 * RW_SERVER_ERROR_CONFIG for a wrong url or public_url. @config must
 * outlive the catch-up. */
RwServerCatchup *rw_server_catchup_new   (RwServerConfig  *config,
                                          RwServerStore   *store,
                                          RwServerEvents  *events,
                                          GError         **error);
/* Reads the stored position, then follows Orthanc from there, in the
 * thread-default main context. */
void             rw_server_catchup_start (RwServerCatchup *self);
/* Stops polling and fetching; a write already queued still commits. */
void             rw_server_catchup_stop  (RwServerCatchup *self);

G_END_DECLS
