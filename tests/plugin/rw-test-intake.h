/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-exam.h"
#include "rw-test-orthanc.h"
#include "rw-test-server.h"
#include "rw-test-studies.h"

G_BEGIN_DECLS

/* The whole intake for one test: a real Orthanc with the built webhook
 * plugin (RW_PLUGIN_PATH), a real radiweb-server it reports to, and a
 * radiologist logged in to read the worklist.
 *
 *   g_autoptr(RwTestIntake) intake = rw_test_intake_new (RW_TEST_INTAKE_DEFAULT);
 *   rw_test_intake_send (intake, study);
 *   exam = rw_test_intake_wait_for_exam (intake, study->study_uid, 10000);
 *
 * The plugin retries on a short schedule (0.2, 0.5, 1 s) so that tests
 * that take the server away do not wait for minutes. */
typedef enum {
  RW_TEST_INTAKE_DEFAULT = 0,
  /* The server does not follow Orthanc's /changes: what arrives came
   * through the plugin. */
  RW_TEST_INTAKE_NO_CATCHUP = 1 << 0,
  /* "Enabled": false in the plugin's section. */
  RW_TEST_INTAKE_PLUGIN_DISABLED = 1 << 1,
  /* The plugin signs with another secret than the server's. */
  RW_TEST_INTAKE_WRONG_SECRET = 1 << 2,
  /* Orthanc runs, the server is configured but not started. */
  RW_TEST_INTAKE_SERVER_STOPPED = 1 << 3,
  /* The plugin posts to a path the server does not have (a typo in
   * WebhookUrl): 404. */
  RW_TEST_INTAKE_WRONG_PATH = 1 << 4,
} RwTestIntakeFlags;

#define RW_TEST_INTAKE_PUBLIC_URL "https://pacs.clinica.example.com.br"
/* The radiologist the server knows. */
#define RW_TEST_INTAKE_USERNAME "ana"
#define RW_TEST_INTAKE_PASSWORD "senha-da-ana-1"

typedef struct {
  RwTestOrthanc *orthanc;
  RwTestServer  *server;
  char          *plugin_secret;
  char          *token;
  GRand         *rand;
} RwTestIntake;

RwTestIntake *rw_test_intake_new            (RwTestIntakeFlags  flags);
/* With more members of Orthanc's configuration (replacing the fixture's).
 * A "Radiweb" member is the base of the plugin's section; the test's own
 * WebhookUrl, WebhookSecret, Timeout and RetrySchedule still go in. */
RwTestIntake *rw_test_intake_new_with_config (RwTestIntakeFlags flags,
                                             JsonObject       *orthanc_config);
void          rw_test_intake_free           (RwTestIntake      *self);

/* Starts the server and logs in. */
void          rw_test_intake_start_server   (RwTestIntake      *self);

/* A fresh random study: 1 series of 1 image unless the test changes it. */
RwTestStudy  *rw_test_intake_new_study      (RwTestIntake      *self);
void          rw_test_intake_send           (RwTestIntake      *self,
                                             const RwTestStudy *study);
/* Sends @studies from @n_senders threads at once, each running its own
 * storescu processes. */
void          rw_test_intake_send_parallel  (RwTestIntake      *self,
                                             GPtrArray         *studies,
                                             guint              n_senders);

/* Every exam on the worklist, as the API gives them (JSON objects). */
JsonArray    *rw_test_intake_list_exams     (RwTestIntake      *self);
/* The exam of @study_uid once it is on the worklist; NULL on timeout. */
RwExam       *rw_test_intake_wait_for_exam  (RwTestIntake      *self,
                                             const char        *study_uid,
                                             guint              timeout_ms);
/* Waits until the worklist holds @n exams; FALSE on timeout. */
gboolean      rw_test_intake_wait_for_count (RwTestIntake      *self,
                                             guint              n,
                                             guint              timeout_ms);

/* Checks @exam, as the server lists it, against what Orthanc itself says
 * of the study (through the core's Orthanc client) and against what the
 * modality sent. */
void          rw_test_intake_assert_exam    (RwTestIntake      *self,
                                             RwExam            *exam,
                                             const RwTestStudy *study);

/* A request to Orthanc's REST API, with or without its credentials; the
 * status, and the body as JSON when @response is not NULL. */
guint         rw_test_intake_orthanc_request (RwTestIntake     *self,
                                             const char        *method,
                                             const char        *path,
                                             gboolean           authenticated,
                                             JsonNode         **response);

/* GET /radiweb/status from Orthanc. */
JsonObject   *rw_test_intake_plugin_status  (RwTestIntake      *self);
/* Waits until the status satisfies @check; FALSE on timeout. */
gboolean      rw_test_intake_wait_for_status (RwTestIntake     *self,
                                             gboolean         (*check) (JsonObject *status,
                                                                        gpointer    data),
                                             gpointer           data,
                                             guint              timeout_ms);

/* Orthanc's id of a study: SHA-1 of "PatientID|StudyInstanceUID", in five
 * dash-separated groups, as Orthanc computes it. */
char         *rw_test_intake_orthanc_id     (const RwTestStudy *study);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwTestIntake, rw_test_intake_free)

G_END_DECLS
