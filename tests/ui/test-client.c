/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include "config.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>

#include "rw-application.h"
#include "rw-keyring.h"
#include "rw-test-notifications.h"
#include "rw-test-server.h"
#include "rw-test-util.h"
#include "rw-window.h"

/* The desktop app as a radiologist uses it, in this process, against a
 * real radiweb-server, with the real gnome-keyring of the session bus that
 * build-aux/run-tests provides. Widgets are driven through their actions.
 * HOME is a fresh temporary folder for the whole program, so whatever the
 * app writes to disk can be searched for secrets. */

#define WAIT_MS 20000
#define PASSWORD "senha-certa-1"

static char *test_home;
static guint app_serial;
/* Applications that have shut down. GApplication has no public way to
 * leave the bus except through g_application_run(), and finalizing a
 * registered one is an error; so they stay here, stopped, to the end. */
static GPtrArray *retired_apps;

typedef struct {
  RwTestServer        *server;
  RwTestNotifications *notifications;
  RwApplication       *app;
  RwWindow            *window;
} Fixture;

static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static void
start_app (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  /* A new id each time: the previous instance's objects may still be on
   * the bus while it finalizes. */
  g_autofree char *id = g_strdup_printf ("br.com.radiweb.LaudosTest.Instance%u", ++app_serial);

  f->app = rw_application_new (id, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));
  f->window = RW_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (f->window);
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* What quitting does: the window closes (and must be finalized: nothing
 * may keep it alive), and the application's shutdown disposes the
 * session, which closes its connections. */
static void
stop_app (Fixture *f)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (f->app));
  RwWindow *window = f->window;

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  for (GList *l = g_list_copy (windows); l != NULL; l = g_list_delete_link (l, l))
    {
      /* As when the window is closed by hand: the focused entry first
       * loses the focus (GTK warns when a focused text is destroyed). */
      gtk_window_set_focus (l->data, NULL);
      gtk_window_close (l->data);
    }
  f->window = NULL;
  g_assert_true (rw_test_wait_until (is_gone, &window, WAIT_MS));

  /* g_application_run() is not used here: its "shutdown" is emitted by
   * hand, which also lets GTK drop what it holds on the application. */
  g_signal_emit_by_name (f->app, "shutdown");
  g_ptr_array_add (retired_apps, g_steal_pointer (&f->app));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *store = g_build_filename (g_get_user_data_dir (), "radiweb", NULL);

  rw_test_rm_rf (store);
  reset_settings ();
  /* Every test: any new exam notifies, and GLib warns without a daemon. */
  f->notifications = rw_test_notifications_new ();
  f->server = rw_test_server_new ();
  rw_test_server_add_user (f->server, "ana", PASSWORD, "radiologist", "Dra. Ana Souza", "CRM/SP 123456");
  rw_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->app != NULL)
    stop_app (f);
  g_clear_pointer (&f->server, rw_test_server_free);
  g_clear_pointer (&f->notifications, rw_test_notifications_free);
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

static void
wait_page (Fixture    *f,
           const char *page)
{
  PageWait w = { f->window, page };

  g_assert_true (rw_test_wait_until (page_is, &w, WAIT_MS));
}

static gboolean
has_message (gpointer data)
{
  return rw_sign_in_page_get_message (rw_window_get_sign_in_page (data)) != NULL;
}

static void
sign_in (Fixture    *f,
         const char *server_url,
         const char *password)
{
  RwSignInPage *page = rw_window_get_sign_in_page (f->window);

  rw_sign_in_page_fill (page, server_url, "ana", password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL));
}

/* What the keyring holds for ana on @server_url, read with libsecret. */
static char *
keyring_token (const char *server_url)
{
  g_autoptr(GError) error = NULL;
  char *secret;
  char *token;

  secret = secret_password_lookup_sync (rw_keyring_get_schema (), NULL, &error,
                                        "kind", rw_keyring_kind_to_string (RW_KEYRING_TOKEN),
                                        "server", server_url, "username", "ana", NULL);
  g_assert_no_error (error);
  token = g_strdup (secret);
  secret_password_free (secret);
  return token;
}

static gboolean
keyring_is_empty (gpointer data)
{
  g_autofree char *token = keyring_token (data);

  return token == NULL;
}

/* Every file the app may have written, searched for @secret. */
static gboolean
found_on_disk (const char *path,
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

      if (found_on_disk (child, secret))
        return TRUE;
    }
  return FALSE;
}

static RwWorklistModel *
worklist (Fixture *f)
{
  return rw_session_get_worklist (rw_application_get_session (f->app));
}

typedef struct {
  Fixture *f;
  guint    n;
} CountWait;

static gboolean
shows_n (gpointer data)
{
  CountWait *w = data;

  return g_list_model_get_n_items (G_LIST_MODEL (worklist (w->f))) == w->n;
}

static void
wait_rows (Fixture *f,
           guint    n)
{
  CountWait w = { f, n };

  g_assert_true (rw_test_wait_until (shows_n, &w, WAIT_MS));
}

static const char *
row_name (Fixture *f,
          guint    position)
{
  RwExam *exam = rw_worklist_model_get_exam (worklist (f), position);

  g_assert_nonnull (exam);
  return rw_patient_get_name (rw_exam_get_patient (exam));
}

static void
worklist_action (Fixture    *f,
                 const char *action,
                 GVariant   *parameter)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (rw_window_get_worklist_view (f->window)),
                                                     action, parameter));
}

static GtkWidget *
find_with_class (GtkWidget  *widget,
                 const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_with_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
offline_banner_shown (Fixture *f)
{
  GtkWidget *banner = find_with_class (GTK_WIDGET (f->window), "offline-banner");

  g_assert_nonnull (banner);
  return gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_parent (banner)));
}

static gboolean
is_online (gpointer data)
{
  return rw_session_get_online (rw_application_get_session (((Fixture *) data)->app));
}

static gboolean
is_offline (gpointer data)
{
  return !is_online (data);
}

/* Wrong password, right password, token in the keyring and nowhere on
 * disk, a restart that signs in by itself, and signing out. */
static void
test_sign_in (Fixture       *f,
              gconstpointer  data)
{
  const char *url = rw_test_server_get_url (f->server);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  const char *message;

  start_app (f);
  wait_page (f, "sign-in");

  sign_in (f, url, "senha-errada");
  g_assert_true (rw_test_wait_until (has_message, f->window, WAIT_MS));
  message = rw_sign_in_page_get_message (rw_window_get_sign_in_page (f->window));
  g_assert_nonnull (strstr (message, "Wrong user name or password"));
  g_assert_cmpstr (rw_window_get_page (f->window), ==, "sign-in");
  g_assert_true (keyring_is_empty ((gpointer) url));

  sign_in (f, url, PASSWORD);
  wait_page (f, "worklist");
  token = keyring_token (url);
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), >=, 16);

  /* The token is in the keyring only: not in any file under HOME, not in
   * the settings. */
  g_assert_false (found_on_disk (test_home, token));
  {
    g_autofree char *server = g_settings_get_string (settings, "server-url");
    g_autofree char *username = g_settings_get_string (settings, "username");

    g_assert_cmpstr (server, ==, url);
    g_assert_cmpstr (username, ==, "ana");
  }

  /* The next start signs in by itself. */
  stop_app (f);
  start_app (f);
  wait_page (f, "worklist");
  g_assert_cmpint (rw_session_get_state (rw_application_get_session (f->app)), ==, RW_SESSION_SIGNED_IN);
  g_assert_false (found_on_disk (test_home, token));

  /* Signing out forgets the token here and on the server. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sign-out", NULL));
  wait_page (f, "sign-in");
  g_assert_true (rw_test_wait_until (keyring_is_empty, (gpointer) url, WAIT_MS));
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/exams", token, NULL, NULL, 0, NULL), ==, 401);

  /* And the next start asks again. */
  stop_app (f);
  start_app (f);
  wait_page (f, "sign-in");
}

static void
test_sign_in_unreachable (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", rw_test_free_port ());
  const char *message;

  start_app (f);
  wait_page (f, "sign-in");
  sign_in (f, url, PASSWORD);
  g_assert_true (rw_test_wait_until (has_message, f->window, WAIT_MS));
  message = rw_sign_in_page_get_message (rw_window_get_sign_in_page (f->window));
  g_assert_nonnull (strstr (message, "Could not connect to"));
  g_assert_nonnull (strstr (message, url));
  g_assert_cmpstr (rw_window_get_page (f->window), ==, "sign-in");
}

typedef struct {
  RwTestNotifications *daemon;
  guint                n;
} NotifyWait;

static gboolean
has_notifications (gpointer data)
{
  NotifyWait *w = data;

  return rw_test_notifications_count (w->daemon) >= w->n;
}

typedef struct {
  RwWindow *window;
  gint64    exam_id;
} TabWait;

static gboolean
tab_open (gpointer data)
{
  TabWait *w = data;

  return rw_window_get_reading_view (w->window, w->exam_id) != NULL;
}

/* The worklist shows what the server has; search, filters and sort work;
 * a new study appears in the open window and raises a notification that
 * opens it. */
static void
test_worklist (Fixture       *f,
               gconstpointer  data)
{
  RwTestNotifications *daemon = f->notifications;
  const RwTestNotification *note;
  RwWorklistView *view;
  TabWait tw = { NULL, 0 };
  NotifyWait nw = { daemon, 1 };
  gint64 joao, created;

  joao = rw_test_server_add_exam (f->server, "1.2.76.1", "P1", "SILVA^JOÃO^CARLOS");
  rw_test_server_add_exam (f->server, "1.2.76.2", "P2", "SOUZA^ANA");
  rw_test_server_add_exam (f->server, "1.2.76.3", "P3", "LIMA^PAULO");

  start_app (f);
  wait_page (f, "sign-in");
  sign_in (f, rw_test_server_get_url (f->server), PASSWORD);
  wait_page (f, "worklist");
  wait_rows (f, 3);
  view = rw_window_get_worklist_view (f->window);

  /* Search without accents or case. */
  worklist_action (f, "worklist.search", g_variant_new_string ("joao"));
  wait_rows (f, 1);
  g_assert_cmpint (rw_exam_get_id (rw_worklist_model_get_exam (worklist (f), 0)), ==, joao);
  worklist_action (f, "worklist.search", g_variant_new_string (""));
  wait_rows (f, 3);

  /* Sort by the patient column, both ways. */
  worklist_action (f, "worklist.sort", g_variant_new ("(sb)", "patient", FALSE));
  g_assert_cmpstr (row_name (f, 0), ==, "LIMA^PAULO");
  g_assert_cmpstr (row_name (f, 2), ==, "SOUZA^ANA");
  worklist_action (f, "worklist.sort", g_variant_new ("(sb)", "patient", TRUE));
  g_assert_cmpstr (row_name (f, 0), ==, "SOUZA^ANA");

  /* Filters: another modality, a date range that excludes the studies
   * (sent with 01/01/2024), then everything again. */
  worklist_action (f, "worklist.filter-modality", g_variant_new_string ("MR"));
  wait_rows (f, 0);
  worklist_action (f, "worklist.filter-modality", g_variant_new_string ("CT"));
  wait_rows (f, 3);
  worklist_action (f, "worklist.filter-dates", g_variant_new ("(ss)", "02/01/2024", ""));
  wait_rows (f, 0);
  worklist_action (f, "worklist.filter-dates", g_variant_new ("(ss)", "01/01/2024", "01/01/2024"));
  wait_rows (f, 3);
  worklist_action (f, "worklist.filter-status", g_variant_new_string ("completed"));
  wait_rows (f, 0);
  worklist_action (f, "worklist.filter-status", g_variant_new_string ("pending"));
  wait_rows (f, 3);

  /* A study arrives while the window is open: it shows up without a
   * reload, the selection stays where it was, and a notification says so. */
  g_assert_true (rw_worklist_view_select_exam (view, joao));
  created = rw_test_server_add_exam (f->server, "1.2.76.4", "P4", "ARAÚJO^BEATRIZ");
  wait_rows (f, 4);
  g_assert_cmpuint (rw_worklist_model_find (worklist (f), created), !=, G_MAXUINT);
  g_assert_nonnull (rw_worklist_view_get_selected (view));
  g_assert_cmpint (rw_exam_get_id (rw_worklist_view_get_selected (view)), ==, joao);

  g_assert_true (rw_test_wait_until (has_notifications, &nw, WAIT_MS));
  note = rw_test_notifications_get (daemon, 0);
  g_assert_cmpstr (note->summary, ==, "New exam");
  g_assert_nonnull (strstr (note->body, "ARAÚJO, BEATRIZ"));
  g_assert_true (g_strv_contains ((const char * const *) note->actions, "default"));

  /* Clicking it opens that exam in its tab. */
  tw.window = f->window;
  tw.exam_id = created;
  g_assert_false (tab_open (&tw));
  rw_test_notifications_click (daemon, note->id);
  g_assert_true (rw_test_wait_until (tab_open, &tw, WAIT_MS));
  g_assert_cmpint (rw_exam_get_id (rw_worklist_view_get_selected (view)), ==, created);

  /* Only new exams notify: a catch-up or an update does not. */
  g_assert_cmpuint (rw_test_notifications_count (daemon), ==, 1);
}

/* The server goes away: the list stays, from the cache even after a
 * restart, with the offline banner; the server comes back: the list
 * catches up by itself. */
static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  gint64 late;

  rw_test_server_add_exam (f->server, "1.2.76.11", "P11", "DIAS^MARCOS");
  rw_test_server_add_exam (f->server, "1.2.76.12", "P12", "ROCHA^CELIA");

  start_app (f);
  wait_page (f, "sign-in");
  sign_in (f, rw_test_server_get_url (f->server), PASSWORD);
  wait_page (f, "worklist");
  wait_rows (f, 2);
  g_assert_true (rw_test_wait_until (is_online, f, WAIT_MS));
  g_assert_false (offline_banner_shown (f));

  rw_test_server_stop (f->server);
  g_assert_true (rw_test_wait_until (is_offline, f, WAIT_MS));
  g_assert_true (offline_banner_shown (f));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (worklist (f))), ==, 2);

  /* A restart while the server is down: the cached list, at once. */
  stop_app (f);
  start_app (f);
  wait_page (f, "worklist");
  wait_rows (f, 2);
  g_assert_true (offline_banner_shown (f));

  rw_test_server_start (f->server);
  late = rw_test_server_add_exam (f->server, "1.2.76.13", "P13", "NASCIMENTO^LUIZ");
  g_assert_true (rw_test_wait_until (is_online, f, WAIT_MS));
  wait_rows (f, 3);
  g_assert_cmpuint (rw_worklist_model_find (worklist (f), late), !=, G_MAXUINT);
  g_assert_false (offline_banner_shown (f));
}

/* A token the server no longer accepts brings back the sign-in page with
 * the reason, and leaves the keyring. */
static void
test_expired (Fixture       *f,
              gconstpointer  data)
{
  const char *url = rw_test_server_get_url (f->server);
  g_autofree char *token = NULL;
  const char *message;

  start_app (f);
  wait_page (f, "sign-in");
  sign_in (f, url, PASSWORD);
  wait_page (f, "worklist");
  token = keyring_token (url);
  g_assert_nonnull (token);
  stop_app (f);

  /* Revoked elsewhere (another workstation signed this session out). */
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/auth/logout", token,
                                            NULL, NULL, 0, NULL), ==, 200);

  start_app (f);
  wait_page (f, "sign-in");
  g_assert_true (rw_test_wait_until (has_message, f->window, WAIT_MS));
  message = rw_sign_in_page_get_message (rw_window_get_sign_in_page (f->window));
  g_assert_nonnull (strstr (message, "Your session has ended"));
  g_assert_true (rw_test_wait_until (keyring_is_empty, (gpointer) url, WAIT_MS));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before anything asks GLib where HOME is: it remembers. */
  test_home = rw_test_make_tmpdir ("rw-test-client-home");
  g_setenv ("HOME", test_home, TRUE);
  g_unsetenv ("XDG_DATA_HOME");
  g_unsetenv ("XDG_CONFIG_HOME");
  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("XDG_STATE_HOME");
  g_set_prgname ("radiweb-test-client");

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  retired_apps = g_ptr_array_new ();
  /* One Xvfb is shared by the tests running in parallel: a blinking cursor
   * in a window that lost the X focus to another test makes GTK warn. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);

  g_test_add ("/client/sign-in", Fixture, NULL, fixture_setup, test_sign_in, fixture_teardown);
  g_test_add ("/client/sign-in-unreachable", Fixture, NULL, fixture_setup, test_sign_in_unreachable, fixture_teardown);
  g_test_add ("/client/worklist", Fixture, NULL, fixture_setup, test_worklist, fixture_teardown);
  g_test_add ("/client/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/client/expired", Fixture, NULL, fixture_setup, test_expired, fixture_teardown);

  status = g_test_run ();
  rw_test_rm_rf (test_home);
  g_free (test_home);
  return status;
}
