/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-application.h"
#include "rw-keyring.h"
#include "rw-window.h"

G_BEGIN_DECLS

/* The desktop app as a radiologist uses it, in the test process, driven
 * through its actions. rw_test_app_init() gives the whole program a fresh
 * HOME (so whatever the app writes can be searched for secrets), GTK,
 * WebKit's sandbox where this machine allows one, and the real
 * gnome-keyring of the session bus that build-aux/run-tests provides.
 * Every program that starts the app, the worklist's and the reading
 * view's, does it through these functions. */

/* How long a test waits for the app or a peer before failing: long
 * enough for the sanitizer build on a loaded machine. */
#define RW_TEST_APP_WAIT_MS 30000

typedef struct {
  RwApplication *app;
  RwWindow      *window;
  /* What rw_test_app_stop() requires to be finalized, as weak pointers
   * (see rw_test_app_watch()). */
  GPtrArray     *watched;
} RwTestApp;

/* Before anything else in main(): HOME, program name @name, g_test_init,
 * GTK. With @translated, the UI speaks the language of LANGUAGE; with
 * RW_TEST_LANGUAGE in the environment (for screenshots), that language.
 * Either way from the catalogue built in RW_TEST_LOCALEDIR. A child
 * process of a test shares its parent's HOME, given in RW_TEST_APP_HOME
 * (see rw_test_app_get_home()). */
void           rw_test_app_init           (int          *argc,
                                           char       ***argv,
                                           const char   *name,
                                           gboolean      translated);
/* After g_test_run(): removes HOME unless it was the parent's. */
void           rw_test_app_cleanup        (void);
const char    *rw_test_app_get_home       (void);

/* Settings back to their defaults and none of the client's files (the
 * cached worklist, drafts and outbox), as on a new workstation. */
void           rw_test_app_reset          (void);

/* Registers and activates a new instance, with its window, sized to the
 * tests' X screen. */
void           rw_test_app_start          (RwTestApp    *self);
/* Closes the windows (each reading view puts its text away first) and
 * shuts the app down. The window, the reading context and whatever was
 * watched must be finalized. */
void           rw_test_app_stop           (RwTestApp    *self);
/* Requires @object to be finalized once rw_test_app_stop() has closed the
 * windows. */
void           rw_test_app_watch          (RwTestApp    *self,
                                           gpointer      object);

/* "loading", "sign-in" or "worklist". */
void           rw_test_app_wait_page      (RwTestApp    *self,
                                           const char   *page);
/* Fills the sign-in page and activates sign-in.submit. */
void           rw_test_app_sign_in        (RwTestApp    *self,
                                           const char   *server_url,
                                           const char   *username,
                                           const char   *password);
/* Waits for the sign-in page, signs in and waits for the worklist. */
void           rw_test_app_sign_in_to_worklist (RwTestApp  *self,
                                                const char *server_url,
                                                const char *username,
                                                const char *password);
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

/* @widget or its first descendant of @type, or NULL. */
GtkWidget     *rw_test_app_find_widget    (GtkWidget    *widget,
                                           GType         type);
/* A visible toplevel window of @type, or NULL. */
GtkWindow     *rw_test_app_find_window    (GType         type);

/* With RW_TEST_SHOTS=DIR in the environment, a screenshot of the X screen
 * as DIR/@name.png; nothing otherwise. */
void           rw_test_app_shot           (const char   *name);

/* What the keyring holds, read with libsecret; NULL when nothing. */
char          *rw_test_keyring_lookup     (RwKeyringKind kind,
                                           const char   *server,
                                           const char   *username);
/* Removes the keyring's items of @kind for @server, whoever's: the
 * keyring outlives the test program, and another test may get the same
 * port. */
void           rw_test_keyring_forget     (RwKeyringKind kind,
                                           const char   *server);
/* Whether any file under @path contains @secret. */
gboolean       rw_test_found_on_disk      (const char   *path,
                                           const char   *secret);

G_END_DECLS
