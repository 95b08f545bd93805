/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-session.h"

G_BEGIN_DECLS

#define RW_TYPE_SIGN_IN_PAGE (rw_sign_in_page_get_type ())
G_DECLARE_FINAL_TYPE (RwSignInPage, rw_sign_in_page, RW, SIGN_IN_PAGE, GtkWidget)

GtkWidget  *rw_sign_in_page_new         (void);
void        rw_sign_in_page_set_session (RwSignInPage *self,
                                         RwSession    *session);
/* Fills the form from the settings and shows @message (may be NULL) above
 * it: why the user has to sign in again. */
void        rw_sign_in_page_reset       (RwSignInPage *self,
                                         const char   *message);
const char *rw_sign_in_page_get_message (RwSignInPage *self);
/* Fills the form as if typed; sign in with the "sign-in.submit" action. */
void        rw_sign_in_page_fill        (RwSignInPage *self,
                                         const char   *server_url,
                                         const char   *username,
                                         const char   *password);
/* The pt_BR sentence for a failed sign-in. */
char       *rw_sign_in_describe_error   (const GError *error,
                                         const char   *server_url);

G_END_DECLS
