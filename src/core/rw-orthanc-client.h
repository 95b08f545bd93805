/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rw-exam.h"

G_BEGIN_DECLS

#define RW_ORTHANC_ERROR (rw_orthanc_error_quark ())

/* Cancellation is G_IO_ERROR_CANCELLED. Every message names the PACS (host
 * and port) and the request (method and path, without the query, which may
 * carry patient data); none ever contains the password. */
typedef enum {
  /* No connection: unknown host, refused, network down, TLS failure. */
  RW_ORTHANC_ERROR_UNREACHABLE,
  /* HTTP 401 or 403: wrong user name or password. */
  RW_ORTHANC_ERROR_UNAUTHORIZED,
  /* HTTP 404: no such study, series or instance. */
  RW_ORTHANC_ERROR_NOT_FOUND,
  /* An answer that is not what Orthanc gives: not JSON, the wrong shape,
   * not a PNG or ZIP, too large; or, for the connection check, a server
   * that is not Orthanc. */
  RW_ORTHANC_ERROR_BAD_RESPONSE,
  /* Connected, but no answer within the client's timeout. */
  RW_ORTHANC_ERROR_TIMEOUT,
  /* HTTP 5xx, or another status Orthanc uses for its own errors. */
  RW_ORTHANC_ERROR_SERVER_ERROR,
} RwOrthancError;

GQuark rw_orthanc_error_quark (void);

/* What GET /system says. */
typedef struct {
  char  *name;
  char  *version;
  char  *dicom_aet;
  guint  dicom_port;
  guint  api_version;
} RwOrthancSystem;

/* GET /studies/{id}/statistics. */
typedef struct {
  guint   count_series;
  guint   count_instances;
  guint64 disk_size;
  guint64 uncompressed_size;
} RwOrthancStatistics;

/* One entry of GET /changes. */
typedef struct {
  gint64  seq;
  char   *change_type;     /* "StableStudy", "NewInstance", … */
  char   *resource_type;   /* "Study", "Series", … */
  char   *id;              /* Orthanc id of the resource */
  char   *date;            /* Orthanc's "20240101T103000" */
} RwOrthancChange;

typedef struct {
  GPtrArray *changes;      /* RwOrthancChange, in Seq order */
  gint64     last;         /* "Last": where the next call starts */
  gboolean   done;         /* "Done": nothing more after @last for now */
} RwOrthancChanges;

/* Criteria of rw_orthanc_client_find_studies_async(); NULL or 0 is "any".
 * patient_name and the ids accept DICOM wildcards ('*' and '?'); names
 * match regardless of case (Orthanc's rule for names), but accents
 * matter. Dates are "YYYY-MM-DD", both ends included. modality matches a
 * study with at least one series of it. */
typedef struct {
  const char *patient_id;
  const char *patient_name;
  const char *accession_number;
  const char *study_date_from;
  const char *study_date_to;
  const char *modality;
  guint       limit;
} RwOrthancQuery;

void    rw_orthanc_system_free      (RwOrthancSystem  *system);
void    rw_orthanc_changes_free     (RwOrthancChanges *changes);
void    rw_orthanc_change_free      (RwOrthancChange  *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwOrthancSystem, rw_orthanc_system_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwOrthancChanges, rw_orthanc_changes_free)

/* A client of one Orthanc's REST API. It belongs to the thread-default
 * main context it was created in: call it and get its callbacks there. */
#define RW_TYPE_ORTHANC_CLIENT (rw_orthanc_client_get_type ())
G_DECLARE_FINAL_TYPE (RwOrthancClient, rw_orthanc_client, RW, ORTHANC_CLIENT, GObject)

/* @base_url is Orthanc's address ("http://127.0.0.1:8042"); it must not
 * carry credentials. The password is kept only to build each request's
 * Authorization header; it is not a readable property. */
RwOrthancClient *rw_orthanc_client_new              (const char        *base_url,
                                                     const char        *username,
                                                     const char        *password,
                                                     GError           **error);
const char      *rw_orthanc_client_get_base_url     (RwOrthancClient   *self);
/* Seconds without progress before RW_ORTHANC_ERROR_TIMEOUT; 30 by default. */
guint            rw_orthanc_client_get_timeout      (RwOrthancClient   *self);
void             rw_orthanc_client_set_timeout      (RwOrthancClient   *self,
                                                     guint              seconds);

/* GET /system, telling apart an unreachable host, wrong credentials, a
 * server that is not Orthanc (BAD_RESPONSE) and a timeout. */
void             rw_orthanc_client_check_async      (RwOrthancClient   *self,
                                                     GCancellable      *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer           user_data);
RwOrthancSystem *rw_orthanc_client_check_finish     (RwOrthancClient   *self,
                                                     GAsyncResult      *result,
                                                     GError           **error);

/* POST /tools/find at study level, then the studies' series in one more
 * request (Orthanc 1.10 cannot return ModalitiesInStudy, so the modality
 * and the instance counts come from the series). A GPtrArray of RwExam,
 * newest study first. */
void             rw_orthanc_client_find_studies_async  (RwOrthancClient      *self,
                                                        const RwOrthancQuery *query,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
GPtrArray       *rw_orthanc_client_find_studies_finish (RwOrthancClient      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* One study with its patient, its series and the age its images carry:
 * the same RwExam the webhook payload is built from. */
void             rw_orthanc_client_get_study_async   (RwOrthancClient   *self,
                                                      const char        *study_id,
                                                      GCancellable      *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer           user_data);
RwExam          *rw_orthanc_client_get_study_finish  (RwOrthancClient   *self,
                                                      GAsyncResult      *result,
                                                      GError           **error);

void             rw_orthanc_client_get_statistics_async  (RwOrthancClient     *self,
                                                          const char          *study_id,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean         rw_orthanc_client_get_statistics_finish (RwOrthancClient     *self,
                                                          GAsyncResult        *result,
                                                          RwOrthancStatistics *statistics,
                                                          GError             **error);

/* GET /instances/{id}/preview: a PNG. */
void             rw_orthanc_client_get_preview_async  (RwOrthancClient   *self,
                                                       const char        *instance_id,
                                                       GCancellable      *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer           user_data);
GBytes          *rw_orthanc_client_get_preview_finish (RwOrthancClient   *self,
                                                       GAsyncResult      *result,
                                                       GError           **error);

/* A patient's studies through DICOMweb QIDO-RS (the priors a radiologist
 * compares with), newest first, as RwExam without Orthanc ids or series. */
void             rw_orthanc_client_find_priors_async  (RwOrthancClient   *self,
                                                       const char        *patient_id,
                                                       GCancellable      *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer           user_data);
GPtrArray       *rw_orthanc_client_find_priors_finish (RwOrthancClient   *self,
                                                       GAsyncResult      *result,
                                                       GError           **error);

/* GET /plugins: the names of the plugins Orthanc runs ("web-viewer",
 * "stone-webviewer", "dicom-web" …), NULL-terminated. */
void             rw_orthanc_client_list_plugins_async  (RwOrthancClient   *self,
                                                        GCancellable      *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer           user_data);
char           **rw_orthanc_client_list_plugins_finish (RwOrthancClient   *self,
                                                        GAsyncResult      *result,
                                                        GError           **error);

/* The Orthanc id of the study with @study_uid (a prior known from QIDO-RS
 * only); RW_ORTHANC_ERROR_NOT_FOUND when the PACS does not have it. */
void             rw_orthanc_client_lookup_study_async  (RwOrthancClient   *self,
                                                        const char        *study_uid,
                                                        GCancellable      *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer           user_data);
char            *rw_orthanc_client_lookup_study_finish (RwOrthancClient   *self,
                                                        GAsyncResult      *result,
                                                        GError           **error);

/* Streams GET /studies/{id}/archive into @destination through a temporary
 * file in the same directory, renamed over @destination only once complete:
 * on error or cancellation nothing is left behind. @progress gets the bytes
 * written so far and -1 for the total (Orthanc streams the ZIP without a
 * length), in the caller's main context. */
void             rw_orthanc_client_download_study_async  (RwOrthancClient       *self,
                                                          const char            *study_id,
                                                          GFile                 *destination,
                                                          GFileProgressCallback  progress,
                                                          gpointer               progress_data,
                                                          GCancellable          *cancellable,
                                                          GAsyncReadyCallback    callback,
                                                          gpointer               user_data);
gboolean         rw_orthanc_client_download_study_finish (RwOrthancClient       *self,
                                                          GAsyncResult          *result,
                                                          GError               **error);

/* GET /changes?since=&limit= */
void             rw_orthanc_client_get_changes_async  (RwOrthancClient   *self,
                                                       gint64             since,
                                                       guint              limit,
                                                       GCancellable      *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer           user_data);
RwOrthancChanges *rw_orthanc_client_get_changes_finish (RwOrthancClient  *self,
                                                       GAsyncResult      *result,
                                                       GError           **error);

/* POST /studies/{id}/anonymize; the new study's Orthanc id. With
 * @keep_source FALSE the original study is deleted. */
void             rw_orthanc_client_anonymize_study_async  (RwOrthancClient   *self,
                                                           const char        *study_id,
                                                           gboolean           keep_source,
                                                           GCancellable      *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer           user_data);
char            *rw_orthanc_client_anonymize_study_finish (RwOrthancClient   *self,
                                                           GAsyncResult      *result,
                                                           GError           **error);

/* DELETE /studies/{id} */
void             rw_orthanc_client_delete_study_async  (RwOrthancClient   *self,
                                                        const char        *study_id,
                                                        GCancellable      *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer           user_data);
gboolean         rw_orthanc_client_delete_study_finish (RwOrthancClient   *self,
                                                        GAsyncResult      *result,
                                                        GError           **error);

G_END_DECLS
