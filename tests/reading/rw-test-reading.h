/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-test-orthanc.h"
#include "rw-test-server.h"
#include "rw-test-app.h"

G_BEGIN_DECLS

/* What the reading view's tests add to the desktop app of
 * tests/ui/rw-test-app.h: a real radiweb-server, studies on a real Orthanc
 * that the server learnt of through its webhook, the Orthanc password in
 * the session's real gnome-keyring, and the reading views and the report
 * store of the app. */

#define RW_TEST_PASSWORD "senha-ana-1"

/* The report store of the app (drafts and outbox), as a path. */
char          *rw_test_reading_store_path  (void);
/* The text that @sql, with @exam_id bound to its one parameter, reads from
 * the first row of the app's report store; NULL when there is none. The
 * store is opened read-only, as another process would. */
char          *rw_test_reading_store_text  (const char     *sql,
                                            gint64          exam_id);

/* A server with ana (radiologist, CRM/SP 123456, RQE 98765), bruno
 * (radiologist) and an administrator, started. */
RwTestServer  *rw_test_reading_server_new  (void);

/* A study of @patient_id/@patient_name sent to @orthanc with storescu, and
 * announced to @server as the Orthanc plugin would: the new exam's id.
 * @orthanc_id (optional) receives Orthanc's id of the study, @study_uid
 * its StudyInstanceUID. */
gint64         rw_test_reading_add_study   (RwTestServer   *server,
                                            RwTestOrthanc  *orthanc,
                                            const char     *patient_id,
                                            const char     *patient_name,
                                            const char     *study_date,
                                            char          **orthanc_id,
                                            char          **study_uid);
/* A study on Orthanc only (no webhook): what QIDO-RS finds as a prior. */
void           rw_test_reading_send_study  (RwTestOrthanc  *orthanc,
                                            const char     *patient_id,
                                            const char     *patient_name,
                                            const char     *study_date,
                                            char          **study_uid);

/* Removes what the app and the tests put in the session's keyring for
 * @server (tokens) and @orthanc (the password): the keyring outlives the
 * test program, and another test may get the same port. */
void           rw_test_reading_forget_keyring (RwTestServer  *server,
                                               RwTestOrthanc *orthanc);

/* The viewer settings and the Orthanc password in the keyring. */
void           rw_test_reading_use_orthanc (RwTestOrthanc  *orthanc,
                                            const char     *password);

/* Opens @exam_id as a double-click on its row does, and waits for the
 * view to be past loading. The view must be finalized when the app
 * stops. */
RwReadingView *rw_test_reading_open        (RwTestApp      *app,
                                            gint64          exam_id);
void           rw_test_reading_wait_mode   (RwReadingView  *view,
                                            RwReadingMode   mode);

/* What typing does: @text at the cursor of @section (at its end). */
void           rw_test_reading_type        (RwReadingView  *view,
                                            RwReportSection section,
                                            const char     *text);
char          *rw_test_reading_dup_section (RwReadingView  *view,
                                            RwReportSection section);

/* The laudo on the server, as JSON; NULL when there is none. */
JsonObject    *rw_test_reading_server_report (RwTestServer *server,
                                              const char   *token,
                                              gint64        exam_id);

G_END_DECLS
