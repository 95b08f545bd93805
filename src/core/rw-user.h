/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A Radiweb user as the API describes one: {"id", "username",
 * "display_name", "crm", "rqe", "role"}. The signer of a laudo: CFM asks for
 * the name, CRM/UF and RQE on it. Immutable; strings are never NULL. */
#define RW_TYPE_USER (rw_user_get_type ())
G_DECLARE_FINAL_TYPE (RwUser, rw_user, RW, USER, GObject)

RwUser     *rw_user_new_from_api     (JsonObject  *user,
                                      GError     **error);

gint64      rw_user_get_id           (RwUser      *self);
const char *rw_user_get_username     (RwUser      *self);
const char *rw_user_get_display_name (RwUser      *self);
const char *rw_user_get_crm          (RwUser      *self);
const char *rw_user_get_rqe          (RwUser      *self);
const char *rw_user_get_role         (RwUser      *self);
gboolean    rw_user_is_radiologist   (RwUser      *self);

/* For a signature line: "Dra. Ana Souza — CRM/SP 123456 — RQE 98765", the
 * parts that are known. */
char       *rw_user_dup_signature    (RwUser      *self);

G_END_DECLS
