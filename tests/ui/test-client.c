/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-test-app.h"
#include "rw-test-notifications.h"
#include "rw-test-server.h"
#include "rw-test-util.h"

/* The desktop app as a radiologist uses it, in this process, against a
 * real radiweb-server, with the real gnome-keyring of the session bus that
 * build-aux/run-tests provides. Widgets are driven through their actions
 * (tests/ui/rw-test-app.c). */

#define WAIT_MS RW_TEST_APP_WAIT_MS
#define PASSWORD "senha-certa-1"
/* The window's subtitle once ana is signed in to the test's server. */
#define SUBTITLE "Dra. Ana Souza — 127.0.0.1"

typedef struct {
  RwTestServer        *server;
  RwTestNotifications *notifications;
  RwTestApp            a;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rw_test_app_reset ();
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
  if (f->a.app != NULL)
    rw_test_app_stop (&f->a);
  g_clear_pointer (&f->server, rw_test_server_free);
  g_clear_pointer (&f->notifications, rw_test_notifications_free);
}

static char *
keyring_token (const char *server_url)
{
  return rw_test_keyring_lookup (RW_KEYRING_TOKEN, server_url, "ana");
}

static gboolean
keyring_is_empty (gpointer data)
{
  g_autofree char *token = keyring_token (data);

  return token == NULL;
}

static RwWorklistModel *
worklist (Fixture *f)
{
  return rw_test_app_get_worklist (&f->a);
}

static const char *
row_name (Fixture *f,
          guint    position)
{
  RwExam *exam = rw_worklist_model_get_exam (worklist (f), position);

  g_assert_nonnull (exam);
  return rw_patient_get_name (rw_exam_get_patient (exam));
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
  GtkWidget *banner = find_with_class (GTK_WIDGET (f->a.window), "offline-banner");

  g_assert_nonnull (banner);
  return gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_parent (banner)));
}

static const char *
subtitle (Fixture *f)
{
  GtkWidget *title = rw_test_app_find_widget (GTK_WIDGET (f->a.window), ADW_TYPE_WINDOW_TITLE);

  g_assert_nonnull (title);
  return adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title));
}

static gboolean
subtitle_is (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];

  return g_strcmp0 (subtitle (f), ((gpointer *) data)[1]) == 0;
}

static gboolean
is_online (gpointer data)
{
  return rw_session_get_online (rw_application_get_session (((Fixture *) data)->a.app));
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

  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "sign-in");

  rw_test_app_sign_in (&f->a, url, "ana", "senha-errada");
  message = rw_test_app_wait_message (&f->a);
  g_assert_nonnull (strstr (message, "Wrong user name or password"));
  g_assert_cmpstr (rw_window_get_page (f->a.window), ==, "sign-in");
  g_assert_true (keyring_is_empty ((gpointer) url));

  rw_test_app_sign_in (&f->a, url, "ana", PASSWORD);
  rw_test_app_wait_page (&f->a, "worklist");
  token = keyring_token (url);
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), >=, 16);
  /* The window names who is signed in, and where. */
  g_assert_cmpstr (subtitle (f), ==, SUBTITLE);

  /* The token is in the keyring only: not in any file under HOME, not in
   * the settings. */
  g_assert_false (rw_test_found_on_disk (rw_test_app_get_home (), token));
  {
    g_autofree char *server = g_settings_get_string (settings, "server-url");
    g_autofree char *username = g_settings_get_string (settings, "username");

    g_assert_cmpstr (server, ==, url);
    g_assert_cmpstr (username, ==, "ana");
  }

  /* The next start signs in by itself, and the window names the user as
   * a sign-in with the password does (the keyring has the token, not the
   * name: the server tells it). */
  rw_test_app_stop (&f->a);
  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "worklist");
  g_assert_cmpint (rw_session_get_state (rw_application_get_session (f->a.app)), ==, RW_SESSION_SIGNED_IN);
  {
    gpointer named[2] = { f, (gpointer) SUBTITLE };

    g_assert_true (rw_test_wait_until (subtitle_is, named, WAIT_MS));
  }
  g_assert_false (rw_test_found_on_disk (rw_test_app_get_home (), token));

  /* Signing out forgets the token here and on the server. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->a.window), "win.sign-out", NULL));
  rw_test_app_wait_page (&f->a, "sign-in");
  g_assert_true (rw_test_wait_until (keyring_is_empty, (gpointer) url, WAIT_MS));
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/exams", token, NULL, NULL, 0, NULL), ==, 401);

  /* And the next start asks again. */
  rw_test_app_stop (&f->a);
  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "sign-in");
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

  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "sign-in");
  rw_test_app_sign_in (&f->a, rw_test_server_get_url (f->server), "ana", PASSWORD);
  rw_test_app_wait_page (&f->a, "worklist");
  rw_test_app_wait_rows (&f->a, 3);
  view = rw_window_get_worklist_view (f->a.window);

  /* Search without accents or case. */
  rw_test_app_worklist_action (&f->a, "worklist.search", g_variant_new_string ("joao"));
  rw_test_app_wait_rows (&f->a, 1);
  g_assert_cmpint (rw_exam_get_id (rw_worklist_model_get_exam (worklist (f), 0)), ==, joao);
  rw_test_app_worklist_action (&f->a, "worklist.search", g_variant_new_string (""));
  rw_test_app_wait_rows (&f->a, 3);

  /* Sort by the patient column, both ways. */
  rw_test_app_worklist_action (&f->a, "worklist.sort", g_variant_new ("(sb)", "patient", FALSE));
  g_assert_cmpstr (row_name (f, 0), ==, "LIMA^PAULO");
  g_assert_cmpstr (row_name (f, 2), ==, "SOUZA^ANA");
  rw_test_app_worklist_action (&f->a, "worklist.sort", g_variant_new ("(sb)", "patient", TRUE));
  g_assert_cmpstr (row_name (f, 0), ==, "SOUZA^ANA");

  /* Filters: another modality, a date range that excludes the studies
   * (sent with 01/01/2024), then everything again. */
  rw_test_app_worklist_action (&f->a, "worklist.filter-modality", g_variant_new_string ("MR"));
  rw_test_app_wait_rows (&f->a, 0);
  rw_test_app_worklist_action (&f->a, "worklist.filter-modality", g_variant_new_string ("CT"));
  rw_test_app_wait_rows (&f->a, 3);
  rw_test_app_worklist_action (&f->a, "worklist.filter-dates", g_variant_new ("(ss)", "02/01/2024", ""));
  rw_test_app_wait_rows (&f->a, 0);
  rw_test_app_worklist_action (&f->a, "worklist.filter-dates", g_variant_new ("(ss)", "01/01/2024", "01/01/2024"));
  rw_test_app_wait_rows (&f->a, 3);
  rw_test_app_worklist_action (&f->a, "worklist.filter-status", g_variant_new_string ("completed"));
  rw_test_app_wait_rows (&f->a, 0);
  rw_test_app_worklist_action (&f->a, "worklist.filter-status", g_variant_new_string ("pending"));
  rw_test_app_wait_rows (&f->a, 3);

  /* A study arrives while the window is open: it shows up without a
   * reload, the selection stays where it was, and a notification says so. */
  g_assert_true (rw_worklist_view_select_exam (view, joao));
  created = rw_test_server_add_exam (f->server, "1.2.76.4", "P4", "ARAÚJO^BEATRIZ");
  rw_test_app_wait_rows (&f->a, 4);
  g_assert_cmpuint (rw_worklist_model_find (worklist (f), created), !=, G_MAXUINT);
  g_assert_nonnull (rw_worklist_view_get_selected (view));
  g_assert_cmpint (rw_exam_get_id (rw_worklist_view_get_selected (view)), ==, joao);

  g_assert_true (rw_test_wait_until (has_notifications, &nw, WAIT_MS));
  note = rw_test_notifications_get (daemon, 0);
  g_assert_cmpstr (note->summary, ==, "New exam");
  g_assert_nonnull (strstr (note->body, "ARAÚJO, BEATRIZ"));
  g_assert_true (g_strv_contains ((const char * const *) note->actions, "default"));

  /* Clicking it opens that exam in its tab. */
  tw.window = f->a.window;
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

  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "sign-in");
  rw_test_app_sign_in (&f->a, rw_test_server_get_url (f->server), "ana", PASSWORD);
  rw_test_app_wait_page (&f->a, "worklist");
  rw_test_app_wait_rows (&f->a, 2);
  g_assert_true (rw_test_wait_until (is_online, f, WAIT_MS));
  g_assert_false (offline_banner_shown (f));

  rw_test_server_stop (f->server);
  g_assert_true (rw_test_wait_until (is_offline, f, WAIT_MS));
  g_assert_true (offline_banner_shown (f));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (worklist (f))), ==, 2);

  /* A restart while the server is down: the cached list, at once. */
  rw_test_app_stop (&f->a);
  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "worklist");
  rw_test_app_wait_rows (&f->a, 2);
  g_assert_true (offline_banner_shown (f));

  rw_test_server_start (f->server);
  late = rw_test_server_add_exam (f->server, "1.2.76.13", "P13", "NASCIMENTO^LUIZ");
  g_assert_true (rw_test_wait_until (is_online, f, WAIT_MS));
  rw_test_app_wait_rows (&f->a, 3);
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

  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "sign-in");
  rw_test_app_sign_in (&f->a, url, "ana", PASSWORD);
  rw_test_app_wait_page (&f->a, "worklist");
  token = keyring_token (url);
  g_assert_nonnull (token);
  rw_test_app_stop (&f->a);

  /* Revoked elsewhere (another workstation signed this session out). */
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/auth/logout", token,
                                            NULL, NULL, 0, NULL), ==, 200);

  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "sign-in");
  message = rw_test_app_wait_message (&f->a);
  g_assert_nonnull (strstr (message, "Your session has ended"));
  g_assert_true (rw_test_wait_until (keyring_is_empty, (gpointer) url, WAIT_MS));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  rw_test_app_init (&argc, &argv, "test-client", FALSE);

  g_test_add ("/client/sign-in", Fixture, NULL, fixture_setup, test_sign_in, fixture_teardown);
  g_test_add ("/client/worklist", Fixture, NULL, fixture_setup, test_worklist, fixture_teardown);
  g_test_add ("/client/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/client/expired", Fixture, NULL, fixture_setup, test_expired, fixture_teardown);

  status = g_test_run ();
  rw_test_app_cleanup ();
  return status;
}
