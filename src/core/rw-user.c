/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rw-model-private.h"
#include "rw-user.h"

struct _RwUser
{
  GObject  parent_instance;

  gint64   id;
  char    *username;
  char    *display_name;
  char    *crm;
  char    *rqe;
  char    *role;
};

G_DEFINE_FINAL_TYPE (RwUser, rw_user, G_TYPE_OBJECT)

static void
rw_user_finalize (GObject *object)
{
  RwUser *self = RW_USER (object);

  g_free (self->username);
  g_free (self->display_name);
  g_free (self->crm);
  g_free (self->rqe);
  g_free (self->role);

  G_OBJECT_CLASS (rw_user_parent_class)->finalize (object);
}

static void
rw_user_class_init (RwUserClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_user_finalize;
}

static void
rw_user_init (RwUser *self)
{
}

/* Strictly: an id and a user name are required, the rest may be null (an
 * administrator has no CRM). */
RwUser *
rw_user_new_from_api (JsonObject  *user,
                      GError     **error)
{
  g_autoptr(RwUser) self = NULL;

  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RW_TYPE_USER, NULL);
  if (!rw_json_get_int (user, "id", RW_JSON_REQUIRED, &self->id, error) ||
      !rw_model_get_text (user, "username", RW_JSON_REQUIRED, &self->username, error) ||
      !rw_model_get_text (user, "display_name", RW_JSON_OPTIONAL, &self->display_name, error) ||
      !rw_model_get_text (user, "crm", RW_JSON_OPTIONAL, &self->crm, error) ||
      !rw_model_get_text (user, "rqe", RW_JSON_OPTIONAL, &self->rqe, error) ||
      !rw_model_get_text (user, "role", RW_JSON_OPTIONAL, &self->role, error))
    return NULL;
  if (self->id <= 0)
    {
      g_set_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE,
                   _("“%s” must be a positive id"), "id");
      return NULL;
    }
  return g_steal_pointer (&self);
}

gint64
rw_user_get_id (RwUser *self)
{
  g_return_val_if_fail (RW_IS_USER (self), 0);
  return self->id;
}

const char *
rw_user_get_username (RwUser *self)
{
  g_return_val_if_fail (RW_IS_USER (self), NULL);
  return rw_model_str (self->username);
}

/* The user name stands in for a missing display name: a signature is never
 * blank. */
const char *
rw_user_get_display_name (RwUser *self)
{
  g_return_val_if_fail (RW_IS_USER (self), NULL);
  return self->display_name != NULL ? self->display_name : rw_model_str (self->username);
}

const char *
rw_user_get_crm (RwUser *self)
{
  g_return_val_if_fail (RW_IS_USER (self), NULL);
  return rw_model_str (self->crm);
}

const char *
rw_user_get_rqe (RwUser *self)
{
  g_return_val_if_fail (RW_IS_USER (self), NULL);
  return rw_model_str (self->rqe);
}

const char *
rw_user_get_role (RwUser *self)
{
  g_return_val_if_fail (RW_IS_USER (self), NULL);
  return rw_model_str (self->role);
}

gboolean
rw_user_is_radiologist (RwUser *self)
{
  g_return_val_if_fail (RW_IS_USER (self), FALSE);
  return g_strcmp0 (self->role, "radiologist") == 0;
}

char *
rw_user_dup_signature (RwUser *self)
{
  GString *line;

  g_return_val_if_fail (RW_IS_USER (self), NULL);

  line = g_string_new (rw_user_get_display_name (self));
  if (self->crm != NULL)
    g_string_append_printf (line, " — %s", self->crm);
  if (self->rqe != NULL)
    /* Translators: the specialist registration (Registro de Qualificação de
     * Especialista) on a signature line, "RQE 98765". */
    g_string_append_printf (line, _(" — RQE %s"), self->rqe);
  return g_string_free (line, FALSE);
}
