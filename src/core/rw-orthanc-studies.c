/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-orthanc-client-private.h"

/* Finding and reading studies: /tools/find, /studies/{id} with its series,
 * and QIDO-RS for priors. */

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  RwExam *x = *(RwExam **) a;
  RwExam *y = *(RwExam **) b;
  int c = strcmp (rw_exam_get_study_date (y), rw_exam_get_study_date (x));

  if (c != 0)
    return c;
  return strcmp (rw_exam_get_study_time (y), rw_exam_get_study_time (x));
}

/* POST /tools/find */

typedef struct {
  JsonArray *studies;
  guint      limit;
} FindData;

static void
find_data_free (FindData *data)
{
  g_clear_pointer (&data->studies, json_array_unref);
  g_free (data);
}

static gboolean
add_criterion (JsonObject  *query,
               const char  *tag,
               const char  *value,
               GError     **error)
{
  if (value == NULL || value[0] == '\0')
    return TRUE;
  /* A backslash separates DICOM values: it would turn one criterion into
   * a list of them. */
  if (strchr (value, '\\') != NULL || strlen (value) > 256)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Search terms cannot contain a backslash or be longer than 256 characters"));
      return FALSE;
    }
  json_object_set_string_member (query, tag, value);
  return TRUE;
}

static char *
search_date (const char  *iso,
             GError     **error)
{
  g_autofree char *compact = NULL;
  g_autofree char *checked = NULL;

  if (iso == NULL || iso[0] == '\0')
    return g_strdup ("");
  if (strlen (iso) == 10 && iso[4] == '-' && iso[7] == '-')
    {
      compact = g_strdup_printf ("%.4s%.2s%.2s", iso, iso + 5, iso + 8);
      checked = rw_dicom_date_to_iso (compact, NULL);
    }
  if (checked == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The search date “%s” is not in the form YYYY-MM-DD"), iso);
      return NULL;
    }
  return g_steal_pointer (&compact);
}

static JsonNode *
build_find_body (const RwOrthancQuery  *q,
                 GError               **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonObject) query = json_object_new ();
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (!add_criterion (query, "PatientID", q->patient_id, error) ||
      !add_criterion (query, "PatientName", q->patient_name, error) ||
      !add_criterion (query, "AccessionNumber", q->accession_number, error) ||
      !add_criterion (query, "ModalitiesInStudy", q->modality, error) ||
      (from = search_date (q->study_date_from, error)) == NULL ||
      (to = search_date (q->study_date_to, error)) == NULL)
    return NULL;
  if (from[0] != '\0' || to[0] != '\0')
    {
      g_autofree char *range = g_strdup_printf ("%s-%s", from, to);
      json_object_set_string_member (query, "StudyDate", range);
    }

  json_object_set_string_member (body, "Level", "Study");
  json_object_set_boolean_member (body, "Expand", TRUE);
  json_object_set_object_member (body, "Query", g_steal_pointer (&query));
  if (q->limit > 0)
    json_object_set_int_member (body, "Limit", q->limit);
  return json_node_init_object (json_node_alloc (), body);
}

static void
on_found_series (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  FindData *data = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) series = NULL;
  g_autoptr(GHashTable) by_study = NULL;
  g_autoptr(GPtrArray) exams = g_ptr_array_new_with_free_func (g_object_unref);

  series = rw_orthanc_client_request_array_finish (self, result, &msg, &error);
  if (series == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Orthanc id of a study → its series. */
  by_study = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_array_unref);
  for (guint i = 0; i < json_array_get_length (series); i++)
    {
      JsonNode *element = json_array_get_element (series, i);
      const char *parent = NULL;
      JsonArray *list;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !rw_json_get_string (json_node_get_object (element), "ParentStudy", RW_JSON_REQUIRED,
                               &parent, NULL))
        {
          rw_orthanc_client_return_bad_response (self, task, msg, _("a series without its study"));
          return;
        }
      list = g_hash_table_lookup (by_study, parent);
      if (list == NULL)
        {
          list = json_array_new ();
          g_hash_table_insert (by_study, g_strdup (parent), list);
        }
      json_array_add_element (list, json_node_copy (element));
    }

  for (guint i = 0; i < json_array_get_length (data->studies); i++)
    {
      JsonObject *study = json_array_get_object_element (data->studies, i);
      g_autoptr(JsonArray) none = json_array_new ();
      const char *id = json_object_get_string_member_with_default (study, "ID", "");
      JsonArray *list = g_hash_table_lookup (by_study, id);
      g_autoptr(GError) cause = NULL;
      RwExam *exam;

      exam = rw_exam_new_from_orthanc (study, NULL, list != NULL ? list : none, NULL,
                                       rw_orthanc_client_get_base_url (self), &cause);
      if (exam == NULL)
        {
          rw_orthanc_client_return_bad_response (self, task, msg, cause->message);
          return;
        }
      g_ptr_array_add (exams, exam);
    }

  g_ptr_array_sort (exams, compare_newest_first);
  g_task_return_pointer (task, g_steal_pointer (&exams), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_found_studies (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  FindData *data = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) query = NULL;
  g_autoptr(GString) uids = g_string_new (NULL);

  data->studies = rw_orthanc_client_request_array_finish (self, result, &msg, &error);
  if (data->studies == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < json_array_get_length (data->studies); i++)
    {
      JsonNode *element = json_array_get_element (data->studies, i);
      JsonObject *tags = NULL;
      const char *uid = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !rw_json_get_object (json_node_get_object (element), "MainDicomTags", RW_JSON_REQUIRED,
                               &tags, NULL) ||
          !rw_json_get_string (tags, "StudyInstanceUID", RW_JSON_REQUIRED, &uid, NULL) ||
          uid[0] == '\0' || strspn (uid, "0123456789.") != strlen (uid))
        {
          rw_orthanc_client_return_bad_response (self, task, msg,
                                                 _("a study without a valid StudyInstanceUID"));
          return;
        }
      if (uids->len > 0)
        g_string_append_c (uids, '\\');
      g_string_append (uids, uid);
    }

  if (uids->len == 0)
    {
      g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_object_unref),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  /* All their series in one request: a list of UIDs separated by
   * backslashes is DICOM's list matching. */
  query = json_object_new ();
  json_object_set_string_member (query, "StudyInstanceUID", uids->str);
  body = json_object_new ();
  json_object_set_string_member (body, "Level", "Series");
  json_object_set_boolean_member (body, "Expand", TRUE);
  json_object_set_object_member (body, "Query", g_steal_pointer (&query));
  {
    g_autoptr(JsonNode) request = json_node_init_object (json_node_alloc (), body);

    rw_orthanc_client_request_async (self, "POST", "/tools/find", request,
                                     g_task_get_cancellable (task), on_found_series,
                                     g_object_ref (task));
  }
}

void
rw_orthanc_client_find_studies_async (RwOrthancClient      *self,
                                      const RwOrthancQuery *query,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) body = NULL;
  RwOrthancQuery empty = { 0, };
  GError *error = NULL;
  FindData *data;

  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_orthanc_client_find_studies_async);
  data = g_new0 (FindData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) find_data_free);

  body = build_find_body (query != NULL ? query : &empty, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rw_orthanc_client_request_async (self, "POST", "/tools/find", body, cancellable,
                                   on_found_studies, g_steal_pointer (&task));
}

GPtrArray *
rw_orthanc_client_find_studies_finish (RwOrthancClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GET /studies/{id}, its series, and the PatientAge of one instance */

typedef struct {
  JsonObject *study;
  JsonArray  *series;
} StudyData;

static void
study_data_free (StudyData *data)
{
  g_clear_pointer (&data->study, json_object_unref);
  g_clear_pointer (&data->series, json_array_unref);
  g_free (data);
}

static void
finish_study (GTask      *task,
              SoupMessage *msg,
              const char *age)
{
  RwOrthancClient *self = g_task_get_source_object (task);
  StudyData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) shared = json_object_new ();
  g_autoptr(GError) cause = NULL;
  RwExam *exam;

  if (age != NULL)
    json_object_set_string_member (shared, "PatientAge", age);
  exam = rw_exam_new_from_orthanc (data->study, NULL, data->series, shared,
                                   rw_orthanc_client_get_base_url (self), &cause);
  if (exam == NULL)
    {
      rw_orthanc_client_return_bad_response (self, task, msg, cause->message);
      return;
    }
  g_task_return_pointer (task, exam, g_object_unref);
}

static void
on_age (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = rw_orthanc_client_request_finish (self, result, &msg, &error);
  g_autofree char *age = NULL;

  /* Not every image carries PatientAge (404): then it is computed from
   * the dates. */
  if (body == NULL && !g_error_matches (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (body != NULL && g_bytes_get_size (body) <= 16)
    {
      age = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      g_strstrip (age);
    }
  finish_study (task, msg, age);
}

static void
on_study_series (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  StudyData *data = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  const char *instance = NULL;

  data->series = rw_orthanc_client_request_array_finish (self, result, &msg, &error);
  if (data->series == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* PatientAge is not among Orthanc's main tags: read it from one image. */
  for (guint i = 0; instance == NULL && i < json_array_get_length (data->series); i++)
    {
      JsonNode *element = json_array_get_element (data->series, i);
      JsonArray *instances = NULL;

      if (JSON_NODE_HOLDS_OBJECT (element) &&
          rw_json_get_array (json_node_get_object (element), "Instances", RW_JSON_REQUIRED,
                             &instances, NULL) &&
          json_array_get_length (instances) > 0)
        {
          JsonNode *first = json_array_get_element (instances, 0);

          if (JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_STRING &&
              rw_orthanc_client_check_id (self, json_node_get_string (first), NULL))
            instance = json_node_get_string (first);
        }
    }
  if (instance == NULL)
    {
      finish_study (task, msg, NULL);
      return;
    }
  {
    g_autofree char *path = g_strconcat ("/instances/", instance, "/content/0010-1010", NULL);

    rw_orthanc_client_request_async (self, "GET", path, NULL, g_task_get_cancellable (task),
                                     on_age, g_object_ref (task));
  }
}

static void
on_study (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  StudyData *data = g_new0 (StudyData, 1);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char *id = NULL;

  /* What the next answers add to, until the exam can be built. */
  g_task_set_task_data (task, data, (GDestroyNotify) study_data_free);
  data->study = rw_orthanc_client_request_object_finish (self, result, &msg, &error);
  if (data->study == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!rw_json_get_string (data->study, "ID", RW_JSON_REQUIRED, &id, NULL) ||
      !rw_orthanc_client_check_id (self, id, NULL))
    {
      rw_orthanc_client_return_bad_response (self, task, msg, _("a study without a valid id"));
      return;
    }
  path = g_strconcat ("/studies/", id, "/series", NULL);
  rw_orthanc_client_request_async (self, "GET", path, NULL, g_task_get_cancellable (task),
                                   on_study_series, g_object_ref (task));
}

void
rw_orthanc_client_get_study_async (RwOrthancClient     *self,
                                   const char          *study_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));

  rw_orthanc_client_request_for_id (self, "GET", "/studies/", study_id, NULL, NULL,
                                    rw_orthanc_client_get_study_async,
                                    cancellable, on_study, callback, user_data);
}

RwExam *
rw_orthanc_client_get_study_finish (RwOrthancClient  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* QIDO-RS: GET /dicom-web/studies?PatientID= */

static void
on_priors (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  const char *patient_id = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) cause = NULL;
  g_autoptr(GPtrArray) exams = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *studies;
  gsize len;
  const char *data;

  body = rw_orthanc_client_request_finish (self, result, &msg, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* QIDO-RS may answer "204 No Content" when nothing matches. */
  data = g_bytes_get_data (body, &len);
  if (len == 0)
    {
      g_task_return_pointer (task, g_steal_pointer (&exams), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  node = rw_json_parse (data, (gssize) len, &cause);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      rw_orthanc_client_return_bad_response (self, task, msg,
                                             cause != NULL ? cause->message : _("Expected a JSON array"));
      return;
    }

  studies = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (studies); i++)
    {
      JsonNode *element = json_array_get_element (studies, i);
      RwExam *exam;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          rw_orthanc_client_return_bad_response (self, task, msg, _("Expected a JSON object"));
          return;
        }
      exam = rw_exam_new_from_dicomweb (json_node_get_object (element), &cause);
      if (exam == NULL)
        {
          rw_orthanc_client_return_bad_response (self, task, msg, cause->message);
          return;
        }
      /* QIDO has no way to escape '*' or '?': compare exactly here. */
      if (g_strcmp0 (rw_patient_get_patient_id (rw_exam_get_patient (exam)), patient_id) == 0)
        g_ptr_array_add (exams, exam);
      else
        g_object_unref (exam);
    }

  g_ptr_array_sort (exams, compare_newest_first);
  g_task_return_pointer (task, g_steal_pointer (&exams), (GDestroyNotify) g_ptr_array_unref);
}

void
rw_orthanc_client_find_priors_async (RwOrthancClient     *self,
                                     const char          *patient_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));
  g_return_if_fail (patient_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_orthanc_client_find_priors_async);
  g_task_set_task_data (task, g_strdup (patient_id), g_free);
  if (patient_id[0] == '\0' || strchr (patient_id, '\\') != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("A patient id is needed to look for prior exams"));
      return;
    }
  escaped = g_uri_escape_string (patient_id, NULL, FALSE);
  /* StudyDescription is not among QIDO-RS's default attributes. */
  path = g_strdup_printf ("/dicom-web/studies?PatientID=%s&includefield=00081030", escaped);
  rw_orthanc_client_request_async (self, "GET", path, NULL, cancellable, on_priors,
                                   g_steal_pointer (&task));
}

GPtrArray *
rw_orthanc_client_find_priors_finish (RwOrthancClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
