/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-json.h"
#include "rw-webhook.h"

G_DEFINE_QUARK (rw-webhook-error-quark, rw_webhook_error)

#define SIGNATURE_PREFIX "sha256="

/* DICOM UIs are at most 64 characters and LOs 64; twice that leaves room for
 * odd senders while still refusing a field that is plainly not an id. */
#define MAX_ID_LENGTH 128

char *
rw_webhook_sign (const char *secret,
                 const void *body,
                 gsize       length)
{
  g_autoptr(GHmac) hmac = NULL;

  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (body != NULL || length == 0, NULL);

  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  g_hmac_update (hmac, body, length);
  /* g_hmac_get_string() is lowercase hex, as the seed's hexdigest(). */
  return g_strconcat (SIGNATURE_PREFIX, g_hmac_get_string (hmac), NULL);
}

/* Compares in time that depends only on the length of @expected, so that an
 * attacker cannot learn a correct prefix from how fast a guess is refused. */
static gboolean
equal_constant_time (const char *expected,
                     const char *given)
{
  gsize len = strlen (expected);
  gsize given_len = strlen (given);
  guchar diff = given_len != len;

  for (gsize i = 0; i < len; i++)
    diff |= (guchar) expected[i] ^ (guchar) (i < given_len ? given[i] : 0);
  return diff == 0;
}

gboolean
rw_webhook_verify (const char  *secret,
                   const void  *body,
                   gsize        length,
                   const char  *signature,
                   GError     **error)
{
  g_autofree char *expected = NULL;

  g_return_val_if_fail (secret != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  expected = rw_webhook_sign (secret, body, length);
  if (signature == NULL || !equal_constant_time (expected, signature))
    {
      /* The contract fixes this message; it is the same for a missing and a
       * wrong signature on purpose. */
      g_set_error_literal (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_SIGNATURE,
                           "Invalid signature");
      return FALSE;
    }
  return TRUE;
}

RwWebhookPayload *
rw_webhook_payload_new (void)
{
  return g_new0 (RwWebhookPayload, 1);
}

void
rw_webhook_payload_free (RwWebhookPayload *payload)
{
  if (payload == NULL)
    return;
  g_free (payload->event);
  g_free (payload->timestamp);
  g_free (payload->orthanc_url);
  g_free (payload->orthanc_id);
  g_free (payload->study_uid);
  g_free (payload->study_date);
  g_free (payload->study_time);
  g_free (payload->study_description);
  g_free (payload->accession_number);
  g_free (payload->referring_physician);
  g_free (payload->modality);
  g_free (payload->patient_id);
  g_free (payload->patient_name);
  g_free (payload->patient_birth_date);
  g_free (payload->patient_sex);
  g_free (payload->patient_age);
  g_free (payload->stone_viewer_url);
  g_free (payload->dicom_web_url);
  g_free (payload->rest_api_url);
  g_free (payload);
}

static gboolean
invalid (GError     **error,
         const char  *section,
         GError      *cause)
{
  if (section != NULL)
    g_set_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID,
                 /* Translators: %s is a part of the payload (study, patient, urls) */
                 _("Invalid webhook payload: in “%s”, %s"), section, cause->message);
  else
    g_set_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID,
                 _("Invalid webhook payload: %s"), cause->message);
  g_error_free (cause);
  return FALSE;
}

/* Reads an optional string member; "" counts as absent, as DICOM senders
 * write an empty string for a tag the modality left out. */
static gboolean
take_string (JsonObject  *object,
             const char  *section,
             const char  *member,
             RwJsonFlags  flags,
             char       **out,
             GError     **error)
{
  GError *cause = NULL;
  const char *value = NULL;

  if (!rw_json_get_string (object, member, flags, &value, &cause))
    return invalid (error, section, cause);
  if (value != NULL && value[0] == '\0' && (flags & RW_JSON_REQUIRED))
    {
      cause = g_error_new (RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("“%s” is empty"), member);
      return invalid (error, section, cause);
    }
  *out = value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
  return TRUE;
}

static gboolean
take_id (JsonObject  *object,
         const char  *section,
         const char  *member,
         char       **out,
         GError     **error)
{
  if (!take_string (object, section, member, RW_JSON_REQUIRED, out, error))
    return FALSE;
  g_strstrip (*out);
  if ((*out)[0] == '\0' || strlen (*out) > MAX_ID_LENGTH)
    {
      GError *cause = g_error_new (RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                                   _("“%s” must have between 1 and %d characters"),
                                   member, MAX_ID_LENGTH);
      return invalid (error, section, cause);
    }
  return TRUE;
}

static gboolean
take_count (JsonObject  *object,
            const char  *section,
            const char  *member,
            gint64      *out,
            GError     **error)
{
  GError *cause = NULL;

  if (!rw_json_get_int (object, member, RW_JSON_OPTIONAL, out, &cause))
    return invalid (error, section, cause);
  if (*out < 0)
    {
      cause = g_error_new (RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                           _("“%s” must not be negative"), member);
      return invalid (error, section, cause);
    }
  return TRUE;
}

typedef enum {
  DICOM_DATE,
  DICOM_TIME,
  DICOM_AGE,
} DicomKind;

/* A DICOM value of the wrong form would end up as a wrong date on a laudo,
 * so it is refused like a wrong type; the plugin sends "" for a tag the
 * study does not have. */
static gboolean
check_dicom (const char  *section,
             const char  *member,
             const char  *value,
             DicomKind    kind,
             GError     **error)
{
  GError *cause = NULL;
  GDate date;
  RwDicomTime time;
  RwDicomAge age;
  gboolean ok = FALSE;

  if (value == NULL)
    return TRUE;
  switch (kind)
    {
    case DICOM_DATE:
      ok = rw_dicom_parse_date (value, &date, &cause);
      break;
    case DICOM_TIME:
      ok = rw_dicom_parse_time (value, &time, &cause);
      break;
    case DICOM_AGE:
      ok = rw_dicom_parse_age (value, &age, &cause);
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok)
    return TRUE;
  g_prefix_error (&cause, "“%s”: ", member);
  return invalid (error, section, cause);
}

static gboolean
parse_study (RwWebhookPayload  *payload,
             JsonObject        *study,
             GError           **error)
{
  const char *s = "study";

  return take_string (study, s, "orthanc_id", RW_JSON_OPTIONAL, &payload->orthanc_id, error) &&
         take_id (study, s, "study_uid", &payload->study_uid, error) &&
         take_string (study, s, "study_date", RW_JSON_OPTIONAL, &payload->study_date, error) &&
         take_string (study, s, "study_time", RW_JSON_OPTIONAL, &payload->study_time, error) &&
         take_string (study, s, "study_description", RW_JSON_OPTIONAL, &payload->study_description, error) &&
         take_string (study, s, "accession_number", RW_JSON_OPTIONAL, &payload->accession_number, error) &&
         take_string (study, s, "referring_physician", RW_JSON_OPTIONAL, &payload->referring_physician, error) &&
         take_string (study, s, "modality", RW_JSON_OPTIONAL, &payload->modality, error) &&
         take_count (study, s, "series_count", &payload->series_count, error) &&
         take_count (study, s, "instance_count", &payload->instance_count, error) &&
         check_dicom (s, "study_date", payload->study_date, DICOM_DATE, error) &&
         check_dicom (s, "study_time", payload->study_time, DICOM_TIME, error);
}

static gboolean
parse_patient (RwWebhookPayload  *payload,
               JsonObject        *patient,
               GError           **error)
{
  const char *s = "patient";
  const char *sex;

  if (!take_id (patient, s, "patient_id", &payload->patient_id, error) ||
      !take_string (patient, s, "patient_name", RW_JSON_OPTIONAL, &payload->patient_name, error) ||
      !take_string (patient, s, "patient_birth_date", RW_JSON_OPTIONAL, &payload->patient_birth_date, error) ||
      !take_string (patient, s, "patient_sex", RW_JSON_OPTIONAL, &payload->patient_sex, error) ||
      !take_string (patient, s, "patient_age", RW_JSON_OPTIONAL, &payload->patient_age, error) ||
      !check_dicom (s, "patient_birth_date", payload->patient_birth_date, DICOM_DATE, error) ||
      !check_dicom (s, "patient_age", payload->patient_age, DICOM_AGE, error))
    return FALSE;

  /* DICOM (0010,0040): M, F or O. */
  sex = payload->patient_sex;
  if (sex != NULL && g_strcmp0 (sex, "M") != 0 && g_strcmp0 (sex, "F") != 0 && g_strcmp0 (sex, "O") != 0)
    {
      GError *cause = g_error_new (RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                                   _("“%s” must be M, F, O or empty"), "patient_sex");
      return invalid (error, s, cause);
    }
  return TRUE;
}

static gboolean
parse_urls (RwWebhookPayload  *payload,
            JsonObject        *urls,
            GError           **error)
{
  const char *s = "urls";

  return take_string (urls, s, "stone_viewer", RW_JSON_OPTIONAL, &payload->stone_viewer_url, error) &&
         take_string (urls, s, "dicom_web", RW_JSON_OPTIONAL, &payload->dicom_web_url, error) &&
         take_string (urls, s, "rest_api", RW_JSON_OPTIONAL, &payload->rest_api_url, error);
}

static gboolean
parse_timestamp (const char *timestamp,
                 gint64     *unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  /* A NULL default zone makes a timestamp without Z or an offset invalid:
   * a local time would be ambiguous between the two machines. */
  dt = timestamp != NULL ? g_date_time_new_from_iso8601 (timestamp, NULL) : NULL;
  if (dt == NULL)
    return FALSE;
  *unix_seconds = g_date_time_to_unix (dt);
  return TRUE;
}

/* Parses and validates the raw body strictly: every member the contract
 * names must have its type, study.study_uid and patient.patient_id must be
 * present, DICOM dates, times and ages must be well formed. The caller has
 * already checked the signature over the same bytes. */
RwWebhookPayload *
rw_webhook_payload_parse (const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(RwWebhookPayload) payload = rw_webhook_payload_new ();
  g_autoptr(JsonObject) root = NULL;
  JsonObject *study = NULL, *patient = NULL, *urls = NULL;
  GError *cause = NULL;
  gint64 unused;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = rw_json_parse_object (data != NULL ? data : "", (gssize) length, &cause);
  if (root == NULL)
    {
      invalid (error, NULL, cause);
      return NULL;
    }

  if (!take_string (root, NULL, "event", RW_JSON_REQUIRED, &payload->event, error) ||
      !take_string (root, NULL, "timestamp", RW_JSON_REQUIRED, &payload->timestamp, error) ||
      !take_string (root, NULL, "orthanc_url", RW_JSON_OPTIONAL, &payload->orthanc_url, error))
    return NULL;

  if (!parse_timestamp (payload->timestamp, &unused))
    {
      g_set_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID,
                   _("Invalid webhook payload: “timestamp” must be an ISO 8601 time with a zone, as in 2024-01-01T10:30:00Z"));
      return NULL;
    }

  if (!rw_webhook_payload_is_study_received (payload))
    return g_steal_pointer (&payload);

  if (!rw_json_get_object (root, "study", RW_JSON_REQUIRED, &study, &cause) ||
      !rw_json_get_object (root, "patient", RW_JSON_REQUIRED, &patient, &cause) ||
      !rw_json_get_object (root, "urls", RW_JSON_OPTIONAL, &urls, &cause))
    {
      invalid (error, NULL, cause);
      return NULL;
    }

  if (!parse_study (payload, study, error) ||
      !parse_patient (payload, patient, error) ||
      (urls != NULL && !parse_urls (payload, urls, error)))
    return NULL;

  return g_steal_pointer (&payload);
}

gboolean
rw_webhook_payload_is_study_received (const RwWebhookPayload *payload)
{
  g_return_val_if_fail (payload != NULL, FALSE);
  return g_strcmp0 (payload->event, RW_WEBHOOK_EVENT_STUDY_RECEIVED) == 0;
}

/* A captured request replayed later must fail even though its signature is
 * good: the signature covers the timestamp, and the timestamp must be within
 * @tolerance_seconds of @now_unix either way. */
gboolean
rw_webhook_payload_check_timestamp (const RwWebhookPayload  *payload,
                                    gint64                   now_unix,
                                    guint                    tolerance_seconds,
                                    GError                 **error)
{
  gint64 sent;

  g_return_val_if_fail (payload != NULL, FALSE);

  if (!parse_timestamp (payload->timestamp, &sent))
    {
      g_set_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID,
                   _("Invalid webhook payload: “timestamp” must be an ISO 8601 time with a zone, as in 2024-01-01T10:30:00Z"));
      return FALSE;
    }
  if (ABS (now_unix - sent) > (gint64) tolerance_seconds)
    {
      g_set_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_STALE,
                   _("The webhook timestamp is %lld seconds away from the server's clock (at most %u allowed): a replayed request, or a clock that needs setting"),
                   (long long) ABS (now_unix - sent), tolerance_seconds);
      return FALSE;
    }
  return TRUE;
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  /* The seed's receiver indexes every member, so absent ones go out as "". */
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

/* The body the plugin sends, in the seed's member order. */
char *
rw_webhook_payload_to_json (const RwWebhookPayload *payload)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (payload != NULL, NULL);

  json_builder_begin_object (builder);
  add_string (builder, "event", payload->event);
  add_string (builder, "timestamp", payload->timestamp);
  add_string (builder, "orthanc_url", payload->orthanc_url);

  json_builder_set_member_name (builder, "study");
  json_builder_begin_object (builder);
  add_string (builder, "orthanc_id", payload->orthanc_id);
  add_string (builder, "study_uid", payload->study_uid);
  add_string (builder, "study_date", payload->study_date);
  add_string (builder, "study_time", payload->study_time);
  add_string (builder, "study_description", payload->study_description);
  add_string (builder, "accession_number", payload->accession_number);
  add_string (builder, "referring_physician", payload->referring_physician);
  add_string (builder, "modality", payload->modality);
  add_int (builder, "series_count", payload->series_count);
  add_int (builder, "instance_count", payload->instance_count);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "patient");
  json_builder_begin_object (builder);
  add_string (builder, "patient_id", payload->patient_id);
  add_string (builder, "patient_name", payload->patient_name);
  add_string (builder, "patient_birth_date", payload->patient_birth_date);
  add_string (builder, "patient_sex", payload->patient_sex);
  add_string (builder, "patient_age", payload->patient_age);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "urls");
  json_builder_begin_object (builder);
  add_string (builder, "stone_viewer", payload->stone_viewer_url);
  add_string (builder, "dicom_web", payload->dicom_web_url);
  add_string (builder, "rest_api", payload->rest_api_url);
  json_builder_end_object (builder);

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* The payload's timestamp form: 2024-01-01T10:30:00Z. */
char *
rw_webhook_format_timestamp (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  g_return_val_if_fail (dt != NULL, NULL);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}
