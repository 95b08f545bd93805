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
/* The HOME was given (a child process of a test): not ours to remove. */
static gboolean borrowed_home;
static guint app_serial;
/* Applications that have shut down. GApplication has no public way to
 * leave the bus except through g_application_run(), and finalizing a
 * registered one is an error; so they stay here, stopped, to the end. */
static GPtrArray *retired_apps;

/* WebKit runs its web processes in bubblewrap; where user namespaces are
 * missing that fails, and then only the documented switch lets it run. */
static void
check_webkit_sandbox (void)
{
  const char *argv[] = { "bwrap", "--ro-bind", "/", "/", "--unshare-all", "true", NULL };
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("bubblewrap cannot make a sandbox here: WebKit runs without one");
      g_setenv ("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS", "1", TRUE);
    }
}

void
rw_test_app_init (int         *argc,
                  char      ***argv,
                  const char  *name,
                  gboolean     translated)
{
  /* meson's test environment pins LANGUAGE and LC_ALL, so a language
   * for screenshots comes in a variable of its own. */
  const char *language = g_getenv ("RW_TEST_LANGUAGE");

  /* Before anything asks GLib where HOME is: it remembers. A child
   * process of a test shares its parent's. */
  borrowed_home = g_getenv ("RW_TEST_APP_HOME") != NULL;
  if (borrowed_home)
    test_home = g_strdup (g_getenv ("RW_TEST_APP_HOME"));
  else
    {
      g_autofree char *prefix = g_strdup_printf ("rw-%s-home", name);

      test_home = rw_test_make_tmpdir (prefix);
    }
  g_setenv ("HOME", test_home, TRUE);
  g_unsetenv ("XDG_DATA_HOME");
  g_unsetenv ("XDG_CONFIG_HOME");
  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("XDG_STATE_HOME");
  /* Under meson the program name is an absolute path, which WebKit's web
   * process cannot take as an application name. */
  g_set_prgname (name);
  check_webkit_sandbox ();

  if (language != NULL)
    {
      g_autofree char *locale = g_strdup_printf ("%s.UTF-8", language);

      g_setenv ("LANGUAGE", language, TRUE);
      g_setenv ("LC_ALL", locale, TRUE);
      translated = TRUE;
    }
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
  if (!borrowed_home)
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

static void
unwatch (gpointer data)
{
  gpointer *weak = data;

  if (*weak != NULL)
    g_object_remove_weak_pointer (*weak, weak);
  g_free (weak);
}

void
rw_test_app_start (RwTestApp *self)
{
  g_autoptr(GError) error = NULL;
  /* A new id each time: the previous instance's objects may still be on
   * the bus while it finalizes. */
  g_autofree char *id = g_strdup_printf ("br.com.radiweb.LaudosTest.Instance%u", ++app_serial);
  GtkWindow *window;

  self->app = rw_application_new (id, G_APPLICATION_NON_UNIQUE);
  self->watched = g_ptr_array_new_with_free_func (unwatch);
  g_assert_true (g_application_register (G_APPLICATION (self->app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (self->app));
  window = gtk_application_get_active_window (GTK_APPLICATION (self->app));
  g_assert_true (RW_IS_WINDOW (window));
  /* The X screen of build-aux/run-tests and of the screenshots. */
  gtk_window_set_default_size (window, 1280, 800);
  self->window = RW_WINDOW (window);
}

void
rw_test_app_watch (RwTestApp *self,
                   gpointer   object)
{
  gpointer *weak = g_new0 (gpointer, 1);

  *weak = object;
  g_object_add_weak_pointer (object, weak);
  g_ptr_array_add (self->watched, weak);
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
all_gone (gpointer data)
{
  GPtrArray *watched = data;

  for (guint i = 0; i < watched->len; i++)
    if (!is_gone (g_ptr_array_index (watched, i)))
      return FALSE;
  return TRUE;
}

/* What quitting does: the windows close (each reading view puts its text
 * away first), then the application's shutdown disposes the session,
 * which closes its connections. Nothing of ours may outlive it: the
 * windows, the reading views and the reading context are finalized,
 * which is how these tests find leaks of our objects (see
 * tests/ui/meson.build on why LeakSanitizer cannot here). */
void
rw_test_app_stop (RwTestApp *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self->app));
  gpointer context = rw_application_get_reading_context (self->app);

  rw_test_app_watch (self, self->window);
  for (GList *l = g_list_copy (windows); l != NULL; l = g_list_delete_link (l, l))
    {
      /* As when the window is closed by hand: the focused entry first
       * loses the focus (GTK warns when a focused text is destroyed). */
      gtk_window_set_focus (l->data, NULL);
      gtk_window_close (l->data);
    }
  self->window = NULL;
  g_assert_true (rw_test_wait_until (all_gone, self->watched, RW_TEST_APP_WAIT_MS));

  /* g_application_run() is not used here: its "shutdown" is emitted by
   * hand, which also lets GTK drop what it holds on the application. */
  g_object_add_weak_pointer (context, &context);
  g_signal_emit_by_name (self->app, "shutdown");
  g_assert_true (rw_test_wait_until (is_gone, &context, RW_TEST_APP_WAIT_MS));
  g_clear_pointer (&self->watched, g_ptr_array_unref);
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

void
rw_test_app_sign_in_to_worklist (RwTestApp  *self,
                                 const char *server_url,
                                 const char *username,
                                 const char *password)
{
  rw_test_app_wait_page (self, "sign-in");
  rw_test_app_sign_in (self, server_url, username, password);
  rw_test_app_wait_page (self, "worklist");
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

GtkWidget *
rw_test_app_find_widget (GtkWidget *widget,
                         GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = rw_test_app_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWindow *
rw_test_app_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

void
rw_test_app_shot (const char *name)
{
  const char *dir = g_getenv ("RW_TEST_SHOTS");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  /* Long enough for the web viewer to draw the images. */
  gint64 settle = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  if (dir == NULL)
    return;
  /* Let what just changed reach the screen. */
  while (g_get_monotonic_time () < settle)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10 * 1000);
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root %s.png", path);
  if (!g_spawn_command_line_sync (command, NULL, NULL, NULL, &error))
    g_test_message ("No screenshot: %s", error->message);
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

void
rw_test_keyring_forget (RwKeyringKind  kind,
                        const char    *server)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  rw_keyring_clear_async (kind, server, NULL, NULL, rw_test_async_ready, &result);
  g_assert_true (rw_keyring_clear_finish (rw_test_await (&result), &error));
  g_assert_no_error (error);
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
