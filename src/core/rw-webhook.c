/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <nettle/hmac.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-json.h"
#include "rw-webhook.h"
#include "rw-webhook-private.h"

G_DEFINE_QUARK (rw-webhook-error-quark, rw_webhook_error)

#define SIGNATURE_PREFIX "sha256="

/* DICOM UIs are at most 64 characters and LOs 64; twice that leaves room for
 * odd senders while still refusing a field that is plainly not an id. */
#define MAX_ID_LENGTH 128

/* HMAC-SHA256 with nettle, whose SHA-256 uses the processor's SHA
 * instructions where there are some: a quarter of GHmac's time, and the
 * server checks every webhook on its main thread. */
char *
rw_webhook_sign (const char *secret,
                 const void *body,
                 gsize       length)
{
  struct hmac_sha256_ctx hmac;
  guint8 digest[SHA256_DIGEST_SIZE];
  char *signature;
  char *hex;

  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (body != NULL || length == 0, NULL);

  hmac_sha256_set_key (&hmac, strlen (secret), (const guint8 *) secret);
  hmac_sha256_update (&hmac, length, body);
  hmac_sha256_digest (&hmac, sizeof digest, digest);

  /* Lowercase hex, as the seed's hexdigest(). */
  signature = g_malloc (strlen (SIGNATURE_PREFIX) + 2 * sizeof digest + 1);
  strcpy (signature, SIGNATURE_PREFIX);
  hex = signature + strlen (SIGNATURE_PREFIX);
  for (gsize i = 0; i < sizeof digest; i++)
    {
      hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
      hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 0xf];
    }
  hex[2 * sizeof digest] = '\0';
  memset (&hmac, 0, sizeof hmac);
  return signature;
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

/* Reading the body ------------------------------------------------------
 *
 * rw-webhook-reader.c reads the body in one pass and keeps the members
 * below, one slot each; the payload's rules then apply to them. */

typedef enum {
  SLOT_EVENT,
  SLOT_TIMESTAMP,
  SLOT_ORTHANC_URL,
  SLOT_STUDY,
  SLOT_PATIENT,
  SLOT_URLS,
  SLOT_ORTHANC_ID,
  SLOT_STUDY_UID,
  SLOT_STUDY_DATE,
  SLOT_STUDY_TIME,
  SLOT_STUDY_DESCRIPTION,
  SLOT_ACCESSION_NUMBER,
  SLOT_REFERRING_PHYSICIAN,
  SLOT_MODALITY,
  SLOT_SERIES_COUNT,
  SLOT_INSTANCE_COUNT,
  SLOT_PATIENT_ID,
  SLOT_PATIENT_NAME,
  SLOT_PATIENT_BIRTH_DATE,
  SLOT_PATIENT_SEX,
  SLOT_PATIENT_AGE,
  SLOT_STONE_VIEWER,
  SLOT_DICOM_WEB,
  SLOT_REST_API,
  N_SLOTS
} Slot;

static const RwWebhookMember study_members[] = {
  { "orthanc_id",          SLOT_ORTHANC_ID },
  { "study_uid",           SLOT_STUDY_UID },
  { "study_date",          SLOT_STUDY_DATE },
  { "study_time",          SLOT_STUDY_TIME },
  { "study_description",   SLOT_STUDY_DESCRIPTION },
  { "accession_number",    SLOT_ACCESSION_NUMBER },
  { "referring_physician", SLOT_REFERRING_PHYSICIAN },
  { "modality",            SLOT_MODALITY },
  { "series_count",        SLOT_SERIES_COUNT },
  { "instance_count",      SLOT_INSTANCE_COUNT },
  { NULL },
};

static const RwWebhookMember patient_members[] = {
  { "patient_id",          SLOT_PATIENT_ID },
  { "patient_name",        SLOT_PATIENT_NAME },
  { "patient_birth_date",  SLOT_PATIENT_BIRTH_DATE },
  { "patient_sex",         SLOT_PATIENT_SEX },
  { "patient_age",         SLOT_PATIENT_AGE },
  { NULL },
};

static const RwWebhookMember url_members[] = {
  { "stone_viewer",        SLOT_STONE_VIEWER },
  { "dicom_web",           SLOT_DICOM_WEB },
  { "rest_api",            SLOT_REST_API },
  { NULL },
};

static const RwWebhookMember envelope_members[] = {
  { "event",               SLOT_EVENT },
  { "timestamp",           SLOT_TIMESTAMP },
  { "orthanc_url",         SLOT_ORTHANC_URL },
  { "study",               SLOT_STUDY,   study_members },
  { "patient",             SLOT_PATIENT, patient_members },
  { "urls",                SLOT_URLS,    url_members },
  { NULL },
};

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

/* Missing or null is fine unless @required; another type than @kind is
 * not (the messages of rw_json_get_string() and its siblings). */
static gboolean
check_kind (const RwWebhookValue *value,
            const char   *section,
            const char   *member,
            RwWebhookValueKind    kind,
            gboolean      required,
            gboolean     *present,
            GError      **error)
{
  GError *cause;

  *present = FALSE;
  if (value->kind == RW_WEBHOOK_VALUE_ABSENT || value->kind == RW_WEBHOOK_VALUE_NULL)
    {
      if (!required)
        return TRUE;
      cause = g_error_new (RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("“%s” is missing"), member);
      return invalid (error, section, cause);
    }
  if (value->kind != kind)
    {
      const char *expected = kind == RW_WEBHOOK_VALUE_STRING ? _("a string")
                           : kind == RW_WEBHOOK_VALUE_INTEGER ? _("an integer")
                           : _("an object");

      /* Translators: the second %s is a JSON type: a string, an integer… */
      cause = g_error_new (RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("“%s” must be %s"), member, expected);
      return invalid (error, section, cause);
    }
  *present = TRUE;
  return TRUE;
}

/* Takes a string member; "" counts as absent, as DICOM senders write an
 * empty string for a tag the modality left out. */
static gboolean
take_string (RwWebhookValue *values,
             Slot         slot,
             const char  *section,
             const char  *member,
             gboolean     required,
             char       **out,
             GError     **error)
{
  RwWebhookValue *value = &values[slot];
  gboolean present;

  if (!check_kind (value, section, member, RW_WEBHOOK_VALUE_STRING, required, &present, error))
    return FALSE;
  if (present && value->string[0] == '\0' && required)
    return invalid (error, section,
                    g_error_new (RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("“%s” is empty"), member));
  if (present && value->string[0] != '\0')
    *out = g_steal_pointer (&value->string);
  return TRUE;
}

static gboolean
take_id (RwWebhookValue *values,
         Slot         slot,
         const char  *section,
         const char  *member,
         char       **out,
         GError     **error)
{
  if (!take_string (values, slot, section, member, TRUE, out, error))
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
take_count (RwWebhookValue *values,
            Slot         slot,
            const char  *section,
            const char  *member,
            gint64      *out,
            GError     **error)
{
  gboolean present;

  *out = 0;
  if (!check_kind (&values[slot], section, member, RW_WEBHOOK_VALUE_INTEGER, FALSE, &present, error))
    return FALSE;
  if (present)
    *out = values[slot].integer;
  if (*out < 0)
    return invalid (error, section,
                    g_error_new (RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                                 _("“%s” must not be negative"), member));
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
             RwWebhookValue    *values,
             GError           **error)
{
  const char *s = "study";

  return take_string (values, SLOT_ORTHANC_ID, s, "orthanc_id", FALSE, &payload->orthanc_id, error) &&
         take_id (values, SLOT_STUDY_UID, s, "study_uid", &payload->study_uid, error) &&
         take_string (values, SLOT_STUDY_DATE, s, "study_date", FALSE, &payload->study_date, error) &&
         take_string (values, SLOT_STUDY_TIME, s, "study_time", FALSE, &payload->study_time, error) &&
         take_string (values, SLOT_STUDY_DESCRIPTION, s, "study_description", FALSE, &payload->study_description, error) &&
         take_string (values, SLOT_ACCESSION_NUMBER, s, "accession_number", FALSE, &payload->accession_number, error) &&
         take_string (values, SLOT_REFERRING_PHYSICIAN, s, "referring_physician", FALSE, &payload->referring_physician, error) &&
         take_string (values, SLOT_MODALITY, s, "modality", FALSE, &payload->modality, error) &&
         take_count (values, SLOT_SERIES_COUNT, s, "series_count", &payload->series_count, error) &&
         take_count (values, SLOT_INSTANCE_COUNT, s, "instance_count", &payload->instance_count, error) &&
         check_dicom (s, "study_date", payload->study_date, DICOM_DATE, error) &&
         check_dicom (s, "study_time", payload->study_time, DICOM_TIME, error);
}

static gboolean
parse_patient (RwWebhookPayload  *payload,
               RwWebhookValue    *values,
               GError           **error)
{
  const char *s = "patient";
  const char *sex;

  if (!take_id (values, SLOT_PATIENT_ID, s, "patient_id", &payload->patient_id, error) ||
      !take_string (values, SLOT_PATIENT_NAME, s, "patient_name", FALSE, &payload->patient_name, error) ||
      !take_string (values, SLOT_PATIENT_BIRTH_DATE, s, "patient_birth_date", FALSE, &payload->patient_birth_date, error) ||
      !take_string (values, SLOT_PATIENT_SEX, s, "patient_sex", FALSE, &payload->patient_sex, error) ||
      !take_string (values, SLOT_PATIENT_AGE, s, "patient_age", FALSE, &payload->patient_age, error) ||
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
            RwWebhookValue    *values,
            GError           **error)
{
  const char *s = "urls";

  return take_string (values, SLOT_STONE_VIEWER, s, "stone_viewer", FALSE, &payload->stone_viewer_url, error) &&
         take_string (values, SLOT_DICOM_WEB, s, "dicom_web", FALSE, &payload->dicom_web_url, error) &&
         take_string (values, SLOT_REST_API, s, "rest_api", FALSE, &payload->rest_api_url, error);
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

/* The payload from the values read; NULL if they break its rules. */
static RwWebhookPayload *
parse_values (RwWebhookValue  *values,
              GError         **error)
{
  g_autoptr(RwWebhookPayload) payload = rw_webhook_payload_new ();
  gboolean present, has_urls = FALSE;
  gint64 unused;

  if (!take_string (values, SLOT_EVENT, NULL, "event", TRUE, &payload->event, error) ||
      !take_string (values, SLOT_TIMESTAMP, NULL, "timestamp", TRUE, &payload->timestamp, error) ||
      !take_string (values, SLOT_ORTHANC_URL, NULL, "orthanc_url", FALSE, &payload->orthanc_url, error))
    return NULL;

  if (!parse_timestamp (payload->timestamp, &unused))
    {
      g_set_error (error, RW_WEBHOOK_ERROR, RW_WEBHOOK_ERROR_INVALID,
                   _("Invalid webhook payload: “timestamp” must be an ISO 8601 time with a zone, as in 2024-01-01T10:30:00Z"));
      return NULL;
    }

  if (!rw_webhook_payload_is_study_received (payload))
    return g_steal_pointer (&payload);

  if (!check_kind (&values[SLOT_STUDY], NULL, "study", RW_WEBHOOK_VALUE_OBJECT, TRUE, &present, error) ||
      !check_kind (&values[SLOT_PATIENT], NULL, "patient", RW_WEBHOOK_VALUE_OBJECT, TRUE, &present, error) ||
      !check_kind (&values[SLOT_URLS], NULL, "urls", RW_WEBHOOK_VALUE_OBJECT, FALSE, &has_urls, error))
    return NULL;

  if (!parse_study (payload, values, error) ||
      !parse_patient (payload, values, error) ||
      (has_urls && !parse_urls (payload, values, error)))
    return NULL;

  return g_steal_pointer (&payload);
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
  RwWebhookPayload *payload;
  RwWebhookValue values[N_SLOTS] = { { 0, }, };
  GError *cause = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!rw_webhook_read_members (data != NULL ? data : "", length, envelope_members, values, &cause))
    {
      rw_webhook_values_clear (values, N_SLOTS);
      invalid (error, NULL, cause);
      return NULL;
    }
  payload = parse_values (values, error);
  rw_webhook_values_clear (values, N_SLOTS);
  return payload;
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
