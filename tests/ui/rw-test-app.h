/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-application.h"
#include "rw-keyring.h"
#include "rw-window.h"

G_BEGIN_DECLS

/* The desktop app as a radiologist uses it, in the test process, driven
 * through its actions. rw_test_app_init() gives the whole program a fresh
 * HOME (so whatever the app writes can be searched for secrets), GTK, and
 * the real gnome-keyring of the session bus that build-aux/run-tests
 * provides. */

/* How long a test waits for the app or a peer before failing. */
#define RW_TEST_APP_WAIT_MS 20000

typedef struct {
  RwApplication *app;
  RwWindow      *window;
} RwTestApp;

/* Before anything else in main(): HOME, program name, g_test_init, GTK.
 * With @translated, the UI speaks the language of LANGUAGE, from the
 * catalogue built in RW_TEST_LOCALEDIR. */
void           rw_test_app_init           (int          *argc,
                                           char       ***argv,
                                           gboolean      translated);
/* After g_test_run(): removes HOME. */
void           rw_test_app_cleanup        (void);
const char    *rw_test_app_get_home       (void);

/* Settings back to their defaults and no cached worklist, as on a new
 * workstation. */
void           rw_test_app_reset          (void);

/* Registers and activates a new instance, with its window. */
void           rw_test_app_start          (RwTestApp    *self);
/* Closes the window (which must be finalized) and shuts the app down. */
void           rw_test_app_stop           (RwTestApp    *self);

/* "loading", "sign-in" or "worklist". */
void           rw_test_app_wait_page      (RwTestApp    *self,
                                           const char   *page);
/* Fills the sign-in page and activates sign-in.submit. */
void           rw_test_app_sign_in        (RwTestApp    *self,
                                           const char   *server_url,
                                           const char   *username,
                                           const char   *password);
/* The sign-in page's message once it shows one; fails the test if none
 * comes. */
const char    *rw_test_app_wait_message   (RwTestApp    *self);

RwWorklistModel *rw_test_app_get_worklist (RwTestApp    *self);
/* Waits until the worklist shows @n rows. */
void           rw_test_app_wait_rows      (RwTestApp    *self,
                                           guint         n);
void           rw_test_app_worklist_action (RwTestApp   *self,
                                            const char  *action,
                                            GVariant    *parameter);

/* What the keyring holds, read with libsecret; NULL when nothing. */
char          *rw_test_keyring_lookup     (RwKeyringKind kind,
                                           const char   *server,
                                           const char   *username);
/* Whether any file under @path contains @secret. */
gboolean       rw_test_found_on_disk      (const char   *path,
                                           const char   *secret);

G_END_DECLS
