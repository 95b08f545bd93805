/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The webhook Orthanc sends to radiweb-server when a study becomes stable
 * (docs/radiweb-api.md, "Webhook"): the seed's payload, signed with
 * X-Webhook-Signature: sha256=<lowercase hex HMAC-SHA256(secret, raw body)>.
 * The plugin signs with rw_webhook_sign(); the server checks with
 * rw_webhook_verify() and rw_webhook_payload_parse(). */

#define RW_WEBHOOK_ERROR (rw_webhook_error_quark ())

typedef enum {
  /* The signature is missing or does not match the body. */
  RW_WEBHOOK_ERROR_SIGNATURE,
  /* The timestamp is outside the tolerance: a replay, or a clock far off. */
  RW_WEBHOOK_ERROR_STALE,
  /* Not JSON, or not the payload's shape: nothing may be stored. */
  RW_WEBHOOK_ERROR_INVALID,
} RwWebhookError;

#define RW_WEBHOOK_EVENT_STUDY_RECEIVED "study_received"
#define RW_WEBHOOK_SIGNATURE_HEADER     "X-Webhook-Signature"
#define RW_WEBHOOK_ID_HEADER            "X-Webhook-Id"

/* One payload, field for field. Strings are NULL when the member is absent,
 * null or empty; dates and times stay in DICOM form (YYYYMMDD, HHMMSS) as
 * they travel. For an event other than study_received only the envelope
 * (event, timestamp, orthanc_url) is read. */
typedef struct {
  char   *event;
  char   *timestamp;
  char   *orthanc_url;

  char   *orthanc_id;
  char   *study_uid;
  char   *study_date;
  char   *study_time;
  char   *study_description;
  char   *accession_number;
  char   *referring_physician;
  char   *modality;
  gint64  series_count;
  gint64  instance_count;

  char   *patient_id;
  char   *patient_name;
  char   *patient_birth_date;
  char   *patient_sex;
  char   *patient_age;

  char   *stone_viewer_url;
  char   *dicom_web_url;
  char   *rest_api_url;
} RwWebhookPayload;

GQuark            rw_webhook_error_quark        (void);

char             *rw_webhook_sign               (const char              *secret,
                                                 const void              *body,
                                                 gsize                    length);
gboolean          rw_webhook_verify             (const char              *secret,
                                                 const void              *body,
                                                 gsize                    length,
                                                 const char              *signature,
                                                 GError                 **error);

RwWebhookPayload *rw_webhook_payload_new        (void);
void              rw_webhook_payload_free       (RwWebhookPayload        *payload);
RwWebhookPayload *rw_webhook_payload_parse      (const char              *data,
                                                 gsize                    length,
                                                 GError                 **error);
gboolean          rw_webhook_payload_is_study_received (const RwWebhookPayload *payload);
gboolean          rw_webhook_payload_check_timestamp (const RwWebhookPayload *payload,
                                                 gint64                   now_unix,
                                                 guint                    tolerance_seconds,
                                                 GError                 **error);
char             *rw_webhook_payload_to_json    (const RwWebhookPayload  *payload);

char             *rw_webhook_format_timestamp   (gint64                   unix_seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwWebhookPayload, rw_webhook_payload_free)

G_END_DECLS
