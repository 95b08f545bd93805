/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-server-request.h"

G_BEGIN_DECLS

/* The route handlers, one file per area of docs/radiweb-api.md. Each runs
 * on the main loop with an authenticated request (where the route needs
 * one) and replies, at once or after a job on the store. */
typedef void (*RwServerHandler) (RwServerRequest *req);

/* rw-server-auth.c */
void rw_server_handle_login            (RwServerRequest *req);
void rw_server_handle_logout           (RwServerRequest *req);
void rw_server_handle_me               (RwServerRequest *req);
void rw_server_handle_users            (RwServerRequest *req);

/* rw-server-webhook.c */
void rw_server_handle_webhook          (RwServerRequest *req);

/* rw-server-exams.c */
void rw_server_handle_exams_pending    (RwServerRequest *req);
void rw_server_handle_exams_list       (RwServerRequest *req);
void rw_server_handle_exam_get         (RwServerRequest *req);
void rw_server_handle_exam_patch       (RwServerRequest *req);
void rw_server_handle_exam_claim       (RwServerRequest *req);
void rw_server_handle_exam_release     (RwServerRequest *req);

/* rw-server-reports.c */
void rw_server_handle_report_get       (RwServerRequest *req);
void rw_server_handle_report_save      (RwServerRequest *req);
void rw_server_handle_report_finalize  (RwServerRequest *req);
void rw_server_handle_report_addendum  (RwServerRequest *req);

/* rw-server-phrases.c */
void rw_server_handle_phrases_list     (RwServerRequest *req);
void rw_server_handle_phrase_create    (RwServerRequest *req);
void rw_server_handle_phrase_update    (RwServerRequest *req);
void rw_server_handle_phrase_delete    (RwServerRequest *req);

/* rw-server-metrics.c */
void rw_server_handle_dashboard        (RwServerRequest *req);
void rw_server_handle_productivity     (RwServerRequest *req);

/* rw-server-audit.c */
void rw_server_handle_audit_list       (RwServerRequest *req);
void rw_server_handle_audit_export     (RwServerRequest *req);

G_END_DECLS
