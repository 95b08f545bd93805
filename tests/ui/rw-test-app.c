/* SPDX-License-Identifier: GPL-3.0-or-later */
/* memmem() */
#define _GNU_SOURCE
#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <locale.h>
#include <string.h>

#include "rw-test-app.h"
#include "rw-test-util.h"

static char *test_home;
static guint app_serial;
/* Applications that have shut down. GApplication has no public way to
 * leave the bus except through g_application_run(), and finalizing a
 * registered one is an error; so they stay here, stopped, to the end. */
static GPtrArray *retired_apps;

void
rw_test_app_init (int      *argc,
                  char   ***argv,
                  gboolean  translated)
{
  /* Before anything asks GLib where HOME is: it remembers. */
  test_home = rw_test_make_tmpdir ("rw-test-app-home");
  g_setenv ("HOME", test_home, TRUE);
  g_unsetenv ("XDG_DATA_HOME");
  g_unsetenv ("XDG_CONFIG_HOME");
  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("XDG_STATE_HOME");
  g_set_prgname ("radiweb-test-client");

  if (translated)
    {
      const char *localedir = g_getenv ("RW_TEST_LOCALEDIR");

      g_assert_nonnull (localedir);
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  g_test_init (argc, argv, NULL);
  gtk_init ();
  retired_apps = g_ptr_array_new ();
  /* One Xvfb is shared by the tests running in parallel: a blinking cursor
   * in a window that lost the X focus to another test makes GTK warn. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
}

void
rw_test_app_cleanup (void)
{
  rw_test_rm_rf (test_home);
  g_clear_pointer (&test_home, g_free);
}

const char *
rw_test_app_get_home (void)
{
  return test_home;
}

void
rw_test_app_reset (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *store = g_build_filename (g_get_user_data_dir (), "radiweb", NULL);

  rw_test_rm_rf (store);
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

void
rw_test_app_start (RwTestApp *self)
{
  g_autoptr(GError) error = NULL;
  /* A new id each time: the previous instance's objects may still be on
   * the bus while it finalizes. */
  g_autofree char *id = g_strdup_printf ("br.com.radiweb.LaudosTest.Instance%u", ++app_serial);

  self->app = rw_application_new (id, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (self->app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (self->app));
  self->window = RW_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (self->app)));
  g_assert_nonnull (self->window);
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* What quitting does: the window closes (and must be finalized: nothing
 * may keep it alive), and the application's shutdown disposes the
 * session, which closes its connections. */
void
rw_test_app_stop (RwTestApp *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self->app));
  RwWindow *window = self->window;

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  for (GList *l = g_list_copy (windows); l != NULL; l = g_list_delete_link (l, l))
    {
      /* As when the window is closed by hand: the focused entry first
       * loses the focus (GTK warns when a focused text is destroyed). */
      gtk_window_set_focus (l->data, NULL);
      gtk_window_close (l->data);
    }
  self->window = NULL;
  g_assert_true (rw_test_wait_until (is_gone, &window, RW_TEST_APP_WAIT_MS));

  /* g_application_run() is not used here: its "shutdown" is emitted by
   * hand, which also lets GTK drop what it holds on the application. */
  g_signal_emit_by_name (self->app, "shutdown");
  g_ptr_array_add (retired_apps, g_steal_pointer (&self->app));
}

typedef struct {
  RwWindow   *window;
  const char *page;
} PageWait;

static gboolean
page_is (gpointer data)
{
  PageWait *w = data;

  return g_strcmp0 (rw_window_get_page (w->window), w->page) == 0;
}

void
rw_test_app_wait_page (RwTestApp  *self,
                       const char *page)
{
  PageWait w = { self->window, page };

  g_assert_true (rw_test_wait_until (page_is, &w, RW_TEST_APP_WAIT_MS));
}

void
rw_test_app_sign_in (RwTestApp  *self,
                     const char *server_url,
                     const char *username,
                     const char *password)
{
  RwSignInPage *page = rw_window_get_sign_in_page (self->window);

  rw_sign_in_page_fill (page, server_url, username, password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL));
}

static gboolean
has_message (gpointer data)
{
  return rw_sign_in_page_get_message (rw_window_get_sign_in_page (data)) != NULL;
}

const char *
rw_test_app_wait_message (RwTestApp *self)
{
  g_assert_true (rw_test_wait_until (has_message, self->window, RW_TEST_APP_WAIT_MS));
  return rw_sign_in_page_get_message (rw_window_get_sign_in_page (self->window));
}

RwWorklistModel *
rw_test_app_get_worklist (RwTestApp *self)
{
  return rw_session_get_worklist (rw_application_get_session (self->app));
}

typedef struct {
  RwTestApp *app;
  guint      n;
} CountWait;

static gboolean
shows_n (gpointer data)
{
  CountWait *w = data;

  return g_list_model_get_n_items (G_LIST_MODEL (rw_test_app_get_worklist (w->app))) == w->n;
}

void
rw_test_app_wait_rows (RwTestApp *self,
                       guint      n)
{
  CountWait w = { self, n };

  g_assert_true (rw_test_wait_until (shows_n, &w, RW_TEST_APP_WAIT_MS));
}

void
rw_test_app_worklist_action (RwTestApp  *self,
                             const char *action,
                             GVariant   *parameter)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (rw_window_get_worklist_view (self->window)),
                                                     action, parameter));
}

char *
rw_test_keyring_lookup (RwKeyringKind  kind,
                        const char    *server,
                        const char    *username)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  char *secret;
  char *copy;

  g_hash_table_insert (attributes, (gpointer) "kind", (gpointer) rw_keyring_kind_to_string (kind));
  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server);
  if (username != NULL)
    g_hash_table_insert (attributes, (gpointer) "username", (gpointer) username);
  secret = secret_password_lookupv_sync (rw_keyring_get_schema (), attributes, NULL, &error);
  g_assert_no_error (error);
  copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
}

gboolean
rw_test_found_on_disk (const char *path,
                       const char *secret)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return FALSE;
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      return g_file_get_contents (path, &contents, &len, NULL) &&
             memmem (contents, len, secret, strlen (secret)) != NULL;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (rw_test_found_on_disk (child, secret))
        return TRUE;
    }
  return FALSE;
}
