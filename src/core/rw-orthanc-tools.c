/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-orthanc-client-private.h"

/* What the reading view asks of Orthanc besides studies: which plugins it
 * runs (to tell a missing viewer from a broken one) and the Orthanc id of
 * a study known only by its StudyInstanceUID (a prior found by QIDO-RS). */

static void
on_plugins (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonArray) array = NULL;
  g_autoptr(GPtrArray) names = NULL;
  GError *error = NULL;

  array = rw_orthanc_client_request_array_finish (self, result, &msg, &error);
  if (array == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          rw_orthanc_client_return_bad_response (self, task, msg,
                                                 _("the list of plugins holds something other than names"));
          return;
        }
      g_ptr_array_add (names, g_strdup (json_node_get_string (node)));
    }
  g_ptr_array_add (names, NULL);
  g_task_return_pointer (task, g_ptr_array_free (g_steal_pointer (&names), FALSE), (GDestroyNotify) g_strfreev);
}

void
rw_orthanc_client_list_plugins_async (RwOrthancClient     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_orthanc_client_list_plugins_async);
  rw_orthanc_client_request_async (self, "GET", "/plugins", NULL, cancellable, on_plugins, task);
}

char **
rw_orthanc_client_list_plugins_finish (RwOrthancClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  const char *uid = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonArray) array = NULL;
  GError *error = NULL;
  JsonNode *first;

  array = rw_orthanc_client_request_array_finish (self, result, &msg, &error);
  if (array == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* ["<orthanc id>"]: a UID names one study. */
  first = json_array_get_length (array) > 0 ? json_array_get_element (array, 0) : NULL;
  if (first == NULL)
    {
      g_task_return_new_error (task, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND,
                               _("The study %s is not on the PACS %s"), uid,
                               rw_orthanc_client_get_base_url (self));
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (first) || json_node_get_value_type (first) != G_TYPE_STRING ||
      !rw_orthanc_client_check_id (self, json_node_get_string (first), NULL))
    {
      rw_orthanc_client_return_bad_response (self, task, msg,
                                             _("the study found is not an Orthanc id"));
      return;
    }
  g_task_return_pointer (task, g_strdup (json_node_get_string (first)), g_free);
}

void
rw_orthanc_client_lookup_study_async (RwOrthancClient     *self,
                                      const char          *study_uid,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonObject) request = NULL;
  JsonObject *query;

  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));
  g_return_if_fail (study_uid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_orthanc_client_lookup_study_async);
  g_task_set_task_data (task, g_strdup (study_uid), g_free);
  /* A UID is digits and dots: anything else cannot name a study. */
  if (study_uid[0] == '\0' || strlen (study_uid) > 64 ||
      strspn (study_uid, "0123456789.") != strlen (study_uid))
    {
      g_task_return_new_error (task, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND,
                               _("“%s” is not a StudyInstanceUID"), study_uid);
      return;
    }
  query = json_object_new ();
  json_object_set_string_member (query, "StudyInstanceUID", study_uid);
  request = json_object_new ();
  json_object_set_string_member (request, "Level", "Study");
  json_object_set_object_member (request, "Query", query);
  body = json_node_init_object (json_node_alloc (), request);
  rw_orthanc_client_request_async (self, "POST", "/tools/find", body, cancellable, on_lookup,
                                   g_steal_pointer (&task));
}

char *
rw_orthanc_client_lookup_study_finish (RwOrthancClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
