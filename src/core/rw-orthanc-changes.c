/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rw-orthanc-client-private.h"

/* GET /changes: Orthanc's change feed, which rw-change-follower.c follows
 * for radiweb-server to catch up on studies whose webhook never arrived. */

void
rw_orthanc_change_free (RwOrthancChange *change)
{
  if (change == NULL)
    return;
  g_free (change->change_type);
  g_free (change->resource_type);
  g_free (change->id);
  g_free (change->date);
  g_free (change);
}

void
rw_orthanc_changes_free (RwOrthancChanges *changes)
{
  if (changes == NULL)
    return;
  g_clear_pointer (&changes->changes, g_ptr_array_unref);
  g_free (changes);
}

static RwOrthancChange *
parse_change (JsonNode  *node,
              GError   **error)
{
  RwOrthancChange *change;
  const char *change_type = NULL, *resource_type = NULL, *id = NULL, *date = NULL;
  gint64 seq = 0;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE, _("“%s” must be %s"),
                   "Changes", _("an array of objects"));
      return NULL;
    }
  object = json_node_get_object (node);
  if (!rw_json_get_int (object, "Seq", RW_JSON_REQUIRED, &seq, error) ||
      !rw_json_get_string (object, "ChangeType", RW_JSON_REQUIRED, &change_type, error) ||
      !rw_json_get_string (object, "ResourceType", RW_JSON_REQUIRED, &resource_type, error) ||
      !rw_json_get_string (object, "ID", RW_JSON_REQUIRED, &id, error) ||
      !rw_json_get_string (object, "Date", RW_JSON_OPTIONAL, &date, error))
    return NULL;

  change = g_new0 (RwOrthancChange, 1);
  change->seq = seq;
  change->change_type = g_strdup (change_type);
  change->resource_type = g_strdup (resource_type);
  change->id = g_strdup (id);
  change->date = g_strdup (date != NULL ? date : "");
  return change;
}

static void
on_changes (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RwOrthancClient *self = RW_ORTHANC_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) cause = NULL;
  g_autoptr(RwOrthancChanges) changes = g_new0 (RwOrthancChanges, 1);
  JsonArray *list = NULL;

  object = rw_orthanc_client_request_object_finish (self, result, &msg, &error);
  if (object == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  changes->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) rw_orthanc_change_free);
  if (!rw_json_get_array (object, "Changes", RW_JSON_REQUIRED, &list, &cause) ||
      !rw_json_get_int (object, "Last", RW_JSON_REQUIRED, &changes->last, &cause) ||
      !rw_json_get_bool (object, "Done", RW_JSON_REQUIRED, &changes->done, &cause))
    goto bad;

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      RwOrthancChange *change = parse_change (json_array_get_element (list, i), &cause);

      if (change == NULL)
        goto bad;
      g_ptr_array_add (changes->changes, change);
    }
  g_task_return_pointer (task, g_steal_pointer (&changes), (GDestroyNotify) rw_orthanc_changes_free);
  return;

bad:
  rw_orthanc_client_return_bad_response (self, task, msg, cause->message);
}

void
rw_orthanc_client_get_changes_async (RwOrthancClient     *self,
                                     gint64               since,
                                     guint                limit,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (RW_IS_ORTHANC_CLIENT (self));
  g_return_if_fail (since >= 0);
  g_return_if_fail (limit > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_orthanc_client_get_changes_async);
  path = g_strdup_printf ("/changes?since=%" G_GINT64_FORMAT "&limit=%u", since, limit);
  rw_orthanc_client_request_async (self, "GET", path, NULL, cancellable, on_changes, task);
}

RwOrthancChanges *
rw_orthanc_client_get_changes_finish (RwOrthancClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
