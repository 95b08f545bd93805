/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rw-api-client-private.h"
#include "rw-api-reports.h"
#include "rw-json.h"

/* Each call is rw_api_client_request_async() underneath: one JSON request
 * with the session's token, errors already mapped to RW_API_ERROR. What is
 * added here is the shape of each answer, checked strictly: a malformed
 * answer is RW_API_ERROR_BAD_RESPONSE, never a half-filled model. */

typedef gpointer (*ParseFunc) (JsonNode  *node,
                               GError   **error);

typedef struct {
  ParseFunc       parse;
  GDestroyNotify  result_free;
  /* On a 409 of a save: the report the server holds. */
  RwReport       *stored;
} Call;

static void
call_free (Call *call)
{
  g_clear_object (&call->stored);
  g_free (call);
}

static GError *
bad_response (GError *cause)
{
  GError *error = g_error_new (RW_API_ERROR, RW_API_ERROR_BAD_RESPONSE,
                               _("The server's answer is not what Radiweb sends: %s"), cause->message);

  g_error_free (cause);
  return error;
}

/* A conflict's details: {"error": …, "report": {…}}. */
static RwReport *
stored_report (RwApiClient  *client,
               GAsyncResult *result)
{
  g_autoptr(JsonObject) details = rw_api_client_get_error_details (client, result);
  JsonObject *report = NULL;

  if (details == NULL ||
      !rw_json_get_object (details, "report", RW_JSON_OPTIONAL, &report, NULL) ||
      report == NULL)
    return NULL;
  return rw_report_new_from_api (report, NULL);
}

static void
on_request (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwApiClient *client = RW_API_CLIENT (source);
  Call *call = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;
  gpointer parsed;

  node = rw_api_client_request_finish (client, result, &error);
  if (node == NULL)
    {
      if (g_error_matches (error, RW_API_ERROR, RW_API_ERROR_CONFLICT))
        call->stored = stored_report (client, result);
      g_task_return_error (task, error);
      return;
    }
  parsed = call->parse (node, &error);
  if (parsed == NULL)
    {
      g_task_return_error (task, bad_response (error));
      return;
    }
  g_task_return_pointer (task, parsed, call->result_free);
}

static void
call_async (RwApiClient         *self,
            const char          *method,
            const char          *path,
            JsonNode            *body,
            ParseFunc            parse,
            GDestroyNotify       result_free,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task;
  Call *call;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  call = g_new0 (Call, 1);
  call->parse = parse;
  call->result_free = result_free;
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  rw_api_client_request_async (self, method, path, body, cancellable, on_request, task);
}

/* The signed-in user -------------------------------------------------- */

static gpointer
parse_user (JsonNode  *node,
            GError   **error)
{
  JsonObject *object = rw_json_node_get_object (node, error);

  return object != NULL ? rw_user_new_from_api (object, error) : NULL;
}

void
rw_api_client_get_me_async (RwApiClient         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (RW_IS_API_CLIENT (self));
  call_async (self, "GET", "/api/auth/me", NULL, parse_user, g_object_unref,
              rw_api_client_get_me_async, cancellable, callback, user_data);
}

RwUser *
rw_api_client_get_me_finish (RwApiClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return rw_api_client_finish_pointer (self, result, rw_api_client_get_me_async, error);
}

/* One exam with its laudo and priors ------------------------------ */

void
rw_prior_free (RwPrior *prior)
{
  if (prior == NULL)
    return;
  g_clear_object (&prior->exam);
  g_free (prior->report_status);
  g_free (prior);
}

void
rw_exam_record_free (RwExamRecord *record)
{
  if (record == NULL)
    return;
  g_clear_object (&record->exam);
  g_clear_object (&record->report);
  g_clear_pointer (&record->priors, g_ptr_array_unref);
  g_free (record);
}

/* "report": null or a report. */
static gboolean
get_report (JsonObject  *object,
            RwReport   **out,
            GError     **error)
{
  JsonObject *report = NULL;

  *out = NULL;
  if (!rw_json_get_object (object, "report", RW_JSON_OPTIONAL, &report, error))
    return FALSE;
  if (report == NULL)
    return TRUE;
  *out = rw_report_new_from_api (report, error);
  if (*out == NULL)
    {
      g_prefix_error (error, "report: ");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_priors (JsonObject  *object,
              GPtrArray   *priors,
              GError     **error)
{
  JsonArray *array = NULL;

  if (!rw_json_get_array (object, "priors", RW_JSON_OPTIONAL, &array, error))
    return FALSE;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *status = NULL;
      RwPrior *prior;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("priors[%u] is not an object"), i);
          return FALSE;
        }
      if (!rw_json_get_string (json_node_get_object (element), "report_status", RW_JSON_OPTIONAL,
                               &status, error))
        {
          g_prefix_error (error, "priors[%u]: ", i);
          return FALSE;
        }
      if (status != NULL && g_strcmp0 (status, "draft") != 0 && g_strcmp0 (status, "final") != 0)
        {
          g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                       _("“%s” must be one of %s"), "report_status", "null, draft, final");
          g_prefix_error (error, "priors[%u]: ", i);
          return FALSE;
        }
      prior = g_new0 (RwPrior, 1);
      prior->report_status = g_strdup (status);
      prior->exam = rw_exam_new_from_api (json_node_get_object (element), error);
      g_ptr_array_add (priors, prior);
      if (prior->exam == NULL)
        {
          g_prefix_error (error, "priors[%u]: ", i);
          return FALSE;
        }
    }
  return TRUE;
}

static gpointer
parse_exam_record (JsonNode  *node,
                   GError   **error)
{
  JsonObject *object = rw_json_node_get_object (node, error);
  g_autoptr(RwExamRecord) record = NULL;

  if (object == NULL)
    return NULL;
  record = g_new0 (RwExamRecord, 1);
  record->priors = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_prior_free);
  record->exam = rw_exam_new_from_api (object, error);
  if (record->exam == NULL ||
      !get_report (object, &record->report, error) ||
      !parse_priors (object, record->priors, error))
    return NULL;
  return g_steal_pointer (&record);
}

void
rw_api_client_open_exam_async (RwApiClient         *self,
                               gint64               exam_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (RW_IS_API_CLIENT (self));

  path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT, exam_id);
  call_async (self, "GET", path, NULL, parse_exam_record, (GDestroyNotify) rw_exam_record_free,
              rw_api_client_open_exam_async, cancellable, callback, user_data);
}

RwExamRecord *
rw_api_client_open_exam_finish (RwApiClient   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return rw_api_client_finish_pointer (self, result, rw_api_client_open_exam_async, error);
}

/* Laudos -------------------------------------------------------------- */

static gpointer
parse_report (JsonNode  *node,
              GError   **error)
{
  JsonObject *object = rw_json_node_get_object (node, error);

  return object != NULL ? rw_report_new_from_api (object, error) : NULL;
}

/* {"success": true, "report": {…}} */
static gpointer
parse_report_answer (JsonNode  *node,
                     GError   **error)
{
  JsonObject *object = rw_json_node_get_object (node, error);
  JsonObject *report = NULL;
  gboolean success = FALSE;

  if (object == NULL ||
      !rw_json_get_bool (object, "success", RW_JSON_REQUIRED, &success, error) ||
      !rw_json_get_object (object, "report", RW_JSON_REQUIRED, &report, error))
    return NULL;
  if (!success)
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE, _("“success” is false"));
      return NULL;
    }
  return rw_report_new_from_api (report, error);
}

void
rw_api_client_get_report_async (RwApiClient         *self,
                                gint64               exam_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (RW_IS_API_CLIENT (self));

  path = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT, exam_id);
  call_async (self, "GET", path, NULL, parse_report, g_object_unref,
              rw_api_client_get_report_async, cancellable, callback, user_data);
}

RwReport *
rw_api_client_get_report_finish (RwApiClient   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return rw_api_client_finish_pointer (self, result, rw_api_client_get_report_async, error);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

void
rw_api_client_save_report_async (RwApiClient         *self,
                                 gint64               exam_id,
                                 gboolean             finalize,
                                 const char          *technique,
                                 const char          *findings,
                                 const char          *conclusion,
                                 gint64               version,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (RW_IS_API_CLIENT (self));

  json_builder_begin_object (builder);
  add_string (builder, "technique", technique);
  add_string (builder, "findings", findings);
  add_string (builder, "conclusion", conclusion);
  if (version >= 0)
    {
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, version);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  path = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/%s", exam_id, finalize ? "finalize" : "save");
  call_async (self, "POST", path, body, parse_report_answer, g_object_unref,
              rw_api_client_save_report_async, cancellable, callback, user_data);
}

RwReport *
rw_api_client_save_report_finish (RwApiClient   *self,
                                  GAsyncResult  *result,
                                  RwReport     **stored,
                                  GError       **error)
{
  RwReport *report = rw_api_client_finish_pointer (self, result, rw_api_client_save_report_async, error);

  if (stored != NULL)
    {
      Call *call = g_task_get_task_data (G_TASK (result));

      *stored = report == NULL && call->stored != NULL ? g_object_ref (call->stored) : NULL;
    }
  return report;
}

void
rw_api_client_add_addendum_async (RwApiClient         *self,
                                  gint64               exam_id,
                                  const char          *text,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (RW_IS_API_CLIENT (self));
  g_return_if_fail (text != NULL);

  json_builder_begin_object (builder);
  add_string (builder, "text", text);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  path = g_strdup_printf ("/api/reports/%" G_GINT64_FORMAT "/addendum", exam_id);
  call_async (self, "POST", path, body, parse_report_answer, g_object_unref,
              rw_api_client_add_addendum_async, cancellable, callback, user_data);
}

RwReport *
rw_api_client_add_addendum_finish (RwApiClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return rw_api_client_finish_pointer (self, result, rw_api_client_add_addendum_async, error);
}

/* The phrase bank ------------------------------------------------------ */

static gpointer
parse_phrases (JsonNode  *node,
               GError   **error)
{
  return rw_phrase_list_from_api (node, error);
}

void
rw_api_client_list_phrases_async (RwApiClient         *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (RW_IS_API_CLIENT (self));
  call_async (self, "GET", "/api/phrases", NULL, parse_phrases, (GDestroyNotify) g_ptr_array_unref,
              rw_api_client_list_phrases_async, cancellable, callback, user_data);
}

GPtrArray *
rw_api_client_list_phrases_finish (RwApiClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return rw_api_client_finish_pointer (self, result, rw_api_client_list_phrases_async, error);
}

static gpointer
parse_phrase (JsonNode  *node,
              GError   **error)
{
  JsonObject *object = rw_json_node_get_object (node, error);

  return object != NULL ? rw_phrase_new_from_api (object, error) : NULL;
}

void
rw_api_client_create_phrase_async (RwApiClient         *self,
                                   RwReportSection      section,
                                   const char          *modality,
                                   const char          *label,
                                   const char          *text,
                                   const char          *abbreviation,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (RW_IS_API_CLIENT (self));
  g_return_if_fail (label != NULL && text != NULL);

  json_builder_begin_object (builder);
  add_string (builder, "section", rw_report_section_to_string (section));
  add_string (builder, "label", label);
  add_string (builder, "text", text);
  if (modality != NULL && modality[0] != '\0')
    add_string (builder, "modality", modality);
  if (abbreviation != NULL && abbreviation[0] != '\0')
    add_string (builder, "abbreviation", abbreviation);
  json_builder_set_member_name (builder, "shared");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  call_async (self, "POST", "/api/phrases", body, parse_phrase, g_object_unref,
              rw_api_client_create_phrase_async, cancellable, callback, user_data);
}

RwPhrase *
rw_api_client_create_phrase_finish (RwApiClient   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return rw_api_client_finish_pointer (self, result, rw_api_client_create_phrase_async, error);
}
