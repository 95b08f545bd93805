/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-server-clock.h"
#include "rw-server-exams.h"
#include "rw-server-handlers.h"
#include "rw-server-schema.h"
#include "rw-server-webhook.h"
#include "rw-webhook.h"

/* POST /webhook/dicom: Orthanc's plugin reports a stable study. By the time
 * the handler runs, the early handler has refused a body over the limit
 * (413) or of another type than JSON (415). */

#define MAX_DELIVERY_ID 128

typedef struct {
  RwWebhookPayload *payload;
  char             *delivery_id;
  /* The payload's DICOM values in the API's form. */
  char             *study_date;
  char             *study_time;
  char             *birth_date;
  char             *modality;
} Intake;

static void
intake_free (gpointer data)
{
  Intake *intake = data;

  rw_webhook_payload_free (intake->payload);
  g_free (intake->delivery_id);
  g_free (intake->study_date);
  g_free (intake->study_time);
  g_free (intake->birth_date);
  g_free (intake->modality);
  g_free (intake);
}

/* A retried delivery gets the answer the first one got. */
static gboolean
find_delivery (RwSqlite         *db,
               RwServerRequest  *req,
               const char       *delivery_id,
               gboolean         *found,
               GError          **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  *found = FALSE;
  stmt = rw_sqlite_prepare_cached (db, "SELECT response FROM webhook_deliveries WHERE delivery_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, delivery_id, -1, SQLITE_STATIC);
  if (!rw_sqlite_step_row (db, stmt, found, error))
    return FALSE;
  if (*found)
    {
      req->status = SOUP_STATUS_OK;
      g_free (req->response_body);
      req->response_body = rw_sqlite_column_dup (stmt, 0);
    }
  return TRUE;
}

/* A value the payload sends that differs from the stored one; what a
 * later study leaves out (NULL) is kept from an earlier one. */
static gboolean
changes (sqlite3_stmt *row,
         int           column,
         const char   *value)
{
  return value != NULL && g_strcmp0 ((const char *) sqlite3_column_text (row, column), value) != 0;
}

/* The patient by patient_id: created, or updated when the study brings
 * something new. Most studies are of a patient the store knows as it
 * is, and leaving that row alone spares the commit a page of the table. */
static gboolean
upsert_patient (RwSqlite          *db,
                gint64             now,
                Intake            *intake,
                gint64            *patient_ref,
                gboolean          *renamed,
                GError           **error)
{
  RwWebhookPayload *p = intake->payload;
  g_autoptr(RwSqliteCachedStmt) select = NULL;
  g_autoptr(RwSqliteCachedStmt) write = NULL;
  gboolean has_row = FALSE;

  select = rw_sqlite_prepare_cached (db, "SELECT id, name, birth_date, sex, age FROM patients WHERE patient_id = ?",
                                     error);
  if (select == NULL)
    return FALSE;
  sqlite3_bind_text (select, 1, p->patient_id, -1, SQLITE_STATIC);
  if (!rw_sqlite_step_row (db, select, &has_row, error))
    return FALSE;

  if (has_row)
    {
      *patient_ref = sqlite3_column_int64 (select, 0);
      *renamed = changes (select, 1, p->patient_name);
      if (!*renamed && !changes (select, 2, intake->birth_date) &&
          !changes (select, 3, p->patient_sex) && !changes (select, 4, p->patient_age))
        return TRUE;
      write = rw_sqlite_prepare_cached (db,
                                        "UPDATE patients SET name = coalesce (?1, name),"
                                        " birth_date = coalesce (?2, birth_date), sex = coalesce (?3, sex),"
                                        " age = coalesce (?4, age), updated_at = ?5 WHERE id = ?6",
                                        error);
      if (write == NULL)
        return FALSE;
      sqlite3_bind_int64 (write, 6, *patient_ref);
    }
  else
    {
      *renamed = FALSE;
      write = rw_sqlite_prepare_cached (db,
                                        "INSERT INTO patients (name, birth_date, sex, age, updated_at, patient_id, created_at)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5)",
                                        error);
      if (write == NULL)
        return FALSE;
      sqlite3_bind_text (write, 6, p->patient_id, -1, SQLITE_STATIC);
    }
  sqlite3_bind_text (write, 1, p->patient_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 2, intake->birth_date, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 3, p->patient_sex, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 4, p->patient_age, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (write, 5, now);
  g_clear_pointer (&select, rw_sqlite_cached_stmt_release);
  if (!rw_sqlite_step_done (db, write, error))
    return FALSE;
  if (!has_row)
    *patient_ref = sqlite3_last_insert_rowid (rw_sqlite_get_handle (db));
  return TRUE;
}

static gboolean
upsert_exam (RwSqlite          *db,
             gint64             now,
             Intake            *intake,
             gint64             patient_ref,
             gint64            *exam_id,
             gboolean          *created,
             GError           **error)
{
  RwWebhookPayload *p = intake->payload;
  g_autoptr(RwSqliteCachedStmt) select = NULL;
  g_autoptr(RwSqliteCachedStmt) write = NULL;
  gboolean has_row = FALSE;

  select = rw_sqlite_prepare_cached (db, "SELECT id FROM exams WHERE study_uid = ?", error);
  if (select == NULL)
    return FALSE;
  sqlite3_bind_text (select, 1, p->study_uid, -1, SQLITE_STATIC);
  if (!rw_sqlite_step_row (db, select, &has_row, error))
    return FALSE;

  *created = !has_row;
  if (has_row)
    {
      *exam_id = sqlite3_column_int64 (select, 0);
      /* A repeat refreshes what the PACS knows (counts grow as series
       * arrive late); status, priority, assignment and report are the
       * reading room's and are never touched here. */
      write = rw_sqlite_prepare_cached (db,
                                        "UPDATE exams SET patient_ref = ?1, orthanc_id = coalesce (?2, orthanc_id),"
                                        " accession_number = coalesce (?3, accession_number),"
                                        " study_date = coalesce (?4, study_date), study_time = coalesce (?5, study_time),"
                                        " description = coalesce (?6, description),"
                                        " referring_physician = coalesce (?7, referring_physician),"
                                        " modality = coalesce (?8, modality), series_count = ?9, instance_count = ?10,"
                                        " stone_viewer_url = coalesce (?11, stone_viewer_url),"
                                        " orthanc_url = coalesce (?12, orthanc_url),"
                                        " dicom_web_url = coalesce (?13, dicom_web_url),"
                                        " rest_api_url = coalesce (?14, rest_api_url), updated_at = ?15"
                                        " WHERE id = ?16",
                                        error);
      if (write == NULL)
        return FALSE;
      sqlite3_bind_int64 (write, 16, *exam_id);
    }
  else
    {
      write = rw_sqlite_prepare_cached (db,
                                        "INSERT INTO exams (patient_ref, orthanc_id, accession_number, study_date,"
                                        " study_time, description, referring_physician, modality, series_count,"
                                        " instance_count, stone_viewer_url, orthanc_url, dicom_web_url, rest_api_url,"
                                        " updated_at, study_uid, received_at)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?15)",
                                        error);
      if (write == NULL)
        return FALSE;
      sqlite3_bind_text (write, 16, p->study_uid, -1, SQLITE_STATIC);
    }
  sqlite3_bind_int64 (write, 1, patient_ref);
  sqlite3_bind_text (write, 2, p->orthanc_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 3, p->accession_number, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 4, intake->study_date, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 5, intake->study_time, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 6, p->study_description, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 7, p->referring_physician, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 8, intake->modality, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (write, 9, p->series_count);
  sqlite3_bind_int64 (write, 10, p->instance_count);
  sqlite3_bind_text (write, 11, p->stone_viewer_url, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 12, p->orthanc_url, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 13, p->dicom_web_url, -1, SQLITE_STATIC);
  sqlite3_bind_text (write, 14, p->rest_api_url, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (write, 15, now);
  g_clear_pointer (&select, rw_sqlite_cached_stmt_release);
  if (!rw_sqlite_step_done (db, write, error))
    return FALSE;
  if (*created)
    *exam_id = sqlite3_last_insert_rowid (rw_sqlite_get_handle (db));
  return TRUE;
}

static gboolean
record_delivery (RwSqlite    *db,
                 const char  *delivery_id,
                 const char  *response,
                 gint64       now,
                 GError     **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  stmt = rw_sqlite_prepare_cached (db,
                                   "INSERT INTO webhook_deliveries (delivery_id, response, received_at) VALUES (?, ?, ?)",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, delivery_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, response, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);
  return rw_sqlite_step_done (db, stmt, error);
}

/* Patient and exam, their search copies marked stale, inside the
 * caller's transaction. */
static gboolean
store_intake (RwSqlite  *db,
              gint64     now,
              Intake    *intake,
              gint64    *exam_id,
              gboolean  *created,
              GError   **error)
{
  gint64 patient_ref = 0;
  gboolean renamed = FALSE;

  return upsert_patient (db, now, intake, &patient_ref, &renamed, error) &&
         upsert_exam (db, now, intake, patient_ref, exam_id, created, error) &&
         rw_server_schema_mark_exam_stale (db, *exam_id, error) &&
         (!renamed || rw_server_schema_mark_patient_stale (db, patient_ref, error));
}

/* On the writer: patient and exam in the webhook's own savepoint of the
 * group's transaction; the answer leaves after the commit. */
static gboolean
intake_job (RwServerRequest  *req,
            RwSqlite         *db,
            GError          **error)
{
  Intake *intake = req->data;
  GString *answer;
  char *frame;
  gint64 exam_id = 0;
  gboolean created = FALSE, found = FALSE;

  if (intake->delivery_id != NULL)
    {
      if (!find_delivery (db, req, intake->delivery_id, &found, error))
        return FALSE;
      if (found)
        return TRUE;
    }

  if (!store_intake (db, req->now, intake, &exam_id, &created, error))
    return FALSE;

  frame = rw_server_exams_event_frame (db, created ? "exam_created" : "exam_updated", exam_id, error);
  if (frame == NULL)
    return FALSE;
  rw_server_request_add_event (req, frame);

  /* {"status": "success", "exam_id": …, "created": …, "message": …},
   * written out: this runs on the writer thread, for every webhook. */
  answer = g_string_sized_new (128);
  g_string_append_printf (answer, "{\"status\":\"success\",\"exam_id\":%" G_GINT64_FORMAT ",\"created\":%s,\"message\":",
                          exam_id, created ? "true" : "false");
  rw_server_json_append_string (answer, created ? _("Exam created") : _("Exam updated"));
  g_string_append_c (answer, '}');
  req->status = SOUP_STATUS_OK;
  g_free (req->response_body);
  req->response_body = g_string_free (answer, FALSE);

  if (intake->delivery_id != NULL &&
      !record_delivery (db, intake->delivery_id, req->response_body, req->now, error))
    return FALSE;
  return TRUE;
}

static gboolean
check_delivery_id (const char *id)
{
  gsize len = strlen (id);

  if (len == 0 || len > MAX_DELIVERY_ID)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p))
      return FALSE;
  return TRUE;
}

/* DICOM forms to the API's; rw_webhook_payload_parse() has checked them. */
static void
convert_values (Intake *intake)
{
  RwWebhookPayload *p = intake->payload;

  if (p->study_date != NULL)
    intake->study_date = rw_dicom_date_to_iso (p->study_date, NULL);
  if (p->study_time != NULL)
    intake->study_time = rw_dicom_time_to_iso (p->study_time, NULL);
  if (p->patient_birth_date != NULL)
    intake->birth_date = rw_dicom_date_to_iso (p->patient_birth_date, NULL);
  if (p->modality != NULL)
    intake->modality = g_ascii_strup (p->modality, -1);
}

gboolean
rw_server_webhook_store (RwSqlite                *db,
                         const RwWebhookPayload  *payload,
                         gint64                   now,
                         gint64                  *exam_id,
                         gboolean                *created,
                         GError                 **error)
{
  Intake intake = { .payload = (RwWebhookPayload *) payload };
  gboolean ok;

  convert_values (&intake);
  ok = store_intake (db, now, &intake, exam_id, created, error);
  g_free (intake.study_date);
  g_free (intake.study_time);
  g_free (intake.birth_date);
  g_free (intake.modality);
  return ok;
}

void
rw_server_handle_webhook (RwServerRequest *req)
{
  RwServerConfig *config = rw_server_request_get_config (req);
  g_autoptr(GError) error = NULL;
  g_autoptr(RwWebhookPayload) payload = NULL;
  const char *signature = rw_server_request_get_header (req, RW_WEBHOOK_SIGNATURE_HEADER);
  const char *delivery_id = rw_server_request_get_header (req, RW_WEBHOOK_ID_HEADER);
  Intake *intake;
  gsize len;
  const char *data = g_bytes_get_data (req->body, &len);

  /* The signature covers the raw bytes, checked before anything is
   * parsed. */
  if (!rw_webhook_verify (config->webhook_secret, data, len, signature, &error))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_UNAUTHORIZED, error->message);
      return;
    }

  payload = rw_webhook_payload_parse (data, len, &error);
  if (payload == NULL)
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST, error->message);
      return;
    }
  if (!rw_webhook_payload_check_timestamp (payload, req->now / G_USEC_PER_SEC, config->webhook_tolerance, &error))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_UNAUTHORIZED, error->message);
      return;
    }
  if (!rw_webhook_payload_is_study_received (payload))
    {
      rw_server_request_reply_json (req, SOUP_STATUS_OK,
                                    rw_server_json_object ("status", json_node_init_string (json_node_alloc (), "ignored"), NULL));
      return;
    }
  if (delivery_id != NULL && !check_delivery_id (delivery_id))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("X-Webhook-Id must be 1 to 128 visible ASCII characters"));
      return;
    }

  intake = g_new0 (Intake, 1);
  intake->payload = g_steal_pointer (&payload);
  intake->delivery_id = g_strdup (delivery_id);
  convert_values (intake);
  req->data = intake;
  req->data_free = intake_free;
  rw_server_request_write (req, intake_job, NULL);
}
