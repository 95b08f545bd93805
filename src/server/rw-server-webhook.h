/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-sqlite.h"
#include "rw-webhook.h"

G_BEGIN_DECLS

/* Stores a study_received payload the way POST /webhook/dicom does: the
 * patient upserted by patient_id, the exam by study_uid (a repeat updates
 * what the PACS knows and never the reading room's status, assignment or
 * report), both marked for the search index. On the writer, inside the
 * caller's transaction; @now in µs. The Orthanc catch-up stores with it
 * too, so both ways in give the same exam. */
gboolean rw_server_webhook_store (RwSqlite                *db,
                                  const RwWebhookPayload  *payload,
                                  gint64                   now,
                                  gint64                  *exam_id,
                                  gboolean                *created,
                                  GError                 **error);

G_END_DECLS
