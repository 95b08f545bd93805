/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "rw-sqlite.h"

G_BEGIN_DECLS

/* The report object of docs/radiweb-api.md for @exam_id, or a JSON null
 * when the exam has none yet; NULL only on error. */
JsonNode *rw_server_reports_load_json (RwSqlite  *db,
                                       gint64     exam_id,
                                       GError   **error);

G_END_DECLS
