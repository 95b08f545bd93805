/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-api-client.h"
#include "rw-exam.h"
#include "rw-phrase.h"
#include "rw-report.h"
#include "rw-user.h"

G_BEGIN_DECLS

/* The reading view's part of docs/radiweb-api.md: the signed-in user, one
 * exam with its laudo and priors, laudos, addenda and the phrase bank. */

/* GET /api/auth/me */
void       rw_api_client_get_me_async          (RwApiClient          *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
RwUser    *rw_api_client_get_me_finish         (RwApiClient          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* A prior exam of the patient, with the state of its laudo as the server
 * sees it. */
typedef struct {
  RwExam *exam;
  /* NULL (no laudo), "draft" or "final". */
  char   *report_status;
} RwPrior;

void       rw_prior_free                       (RwPrior              *prior);

/* GET /api/exams/{id}: the exam, its laudo (NULL when none was written)
 * and its priors (RwPrior, newest first). */
typedef struct {
  RwExam    *exam;
  RwReport  *report;
  GPtrArray *priors;
} RwExamRecord;

void       rw_exam_record_free                 (RwExamRecord         *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwExamRecord, rw_exam_record_free)

void          rw_api_client_open_exam_async    (RwApiClient          *self,
                                                gint64                exam_id,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
RwExamRecord *rw_api_client_open_exam_finish   (RwApiClient          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* GET /api/reports/{id}; RW_API_ERROR_NOT_FOUND when there is none yet. */
void       rw_api_client_get_report_async      (RwApiClient          *self,
                                                gint64                exam_id,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
RwReport  *rw_api_client_get_report_finish     (RwApiClient          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* POST /api/reports/{id}/save, or /finalize when @finalize. @version is
 * the version the text was based on (0 before the first save); a negative
 * value leaves it out, which lets the server overwrite whatever it has: the
 * client never does that. */
void       rw_api_client_save_report_async     (RwApiClient          *self,
                                                gint64                exam_id,
                                                gboolean              finalize,
                                                const char           *technique,
                                                const char           *findings,
                                                const char           *conclusion,
                                                gint64                version,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
/* The report as stored. On RW_API_ERROR_CONFLICT, @stored (if not NULL)
 * receives the report the server holds when it sent one (a stale version,
 * an already final laudo), and NULL when the conflict is of another kind
 * (the exam is held by another radiologist). */
RwReport  *rw_api_client_save_report_finish    (RwApiClient          *self,
                                                GAsyncResult         *result,
                                                RwReport            **stored,
                                                GError              **error);

/* POST /api/reports/{id}/addendum */
void       rw_api_client_add_addendum_async    (RwApiClient          *self,
                                                gint64                exam_id,
                                                const char           *text,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
RwReport  *rw_api_client_add_addendum_finish   (RwApiClient          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* GET /api/phrases: every phrase the user may use (shared and own), for
 * every section and modality; the client filters as the radiologist
 * types. A GPtrArray of RwPhrase. */
void       rw_api_client_list_phrases_async    (RwApiClient          *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GPtrArray *rw_api_client_list_phrases_finish   (RwApiClient          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* POST /api/phrases: a new phrase of the user's own. @modality and
 * @abbreviation may be NULL. */
void       rw_api_client_create_phrase_async   (RwApiClient          *self,
                                                RwReportSection       section,
                                                const char           *modality,
                                                const char           *label,
                                                const char           *text,
                                                const char           *abbreviation,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
RwPhrase  *rw_api_client_create_phrase_finish  (RwApiClient          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
