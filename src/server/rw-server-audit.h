/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-server-request.h"

G_BEGIN_DECLS

/* Actions in the audit trail (GET /api/audit?action=…). */
#define RW_AUDIT_LOGIN           "login"
#define RW_AUDIT_LOGIN_FAILED    "login_failed"
#define RW_AUDIT_LOGOUT          "logout"
#define RW_AUDIT_OPEN_EXAM       "open_exam"
#define RW_AUDIT_UPDATE_EXAM     "update_exam"
#define RW_AUDIT_CLAIM_EXAM      "claim_exam"
#define RW_AUDIT_RELEASE_EXAM    "release_exam"
#define RW_AUDIT_READ_REPORT     "read_report"
#define RW_AUDIT_SAVE_REPORT     "save_report"
#define RW_AUDIT_FINALIZE_REPORT "finalize_report"
#define RW_AUDIT_ADD_ADDENDUM    "add_addendum"
#define RW_AUDIT_EXPORT          "export"

/* Appends one entry in the caller's transaction, so that the access and
 * its record commit together: who (req->user), from where (address, user
 * agent), when (req->now), what. */
gboolean rw_server_audit_record (RwSqlite         *db,
                                 RwServerRequest  *req,
                                 const char       *action,
                                 const char       *resource_type,
                                 const char       *resource_id,
                                 const char       *detail,
                                 GError          **error);

gboolean rw_server_audit_record_exam (RwSqlite         *db,
                                      RwServerRequest  *req,
                                      const char       *action,
                                      gint64            exam_id,
                                      const char       *detail,
                                      GError          **error);

G_END_DECLS
