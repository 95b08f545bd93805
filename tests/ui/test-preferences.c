/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-preferences-window.h"
#include "rw-test-app.h"
#include "rw-test-server.h"
#include "rw-test-util.h"

/* The settings a radiologist changes: the viewer, the PACS the images come
 * from and its user, kept in GSettings; the PACS password, kept in the
 * keyring only, never in GSettings or a file; and the Radiweb server,
 * changed by signing out and in to another one. The preferences window
 * is opened with app.preferences and filled as a person does: a choice in
 * the list, text in a row and its apply button. */

#define PASSWORD "senha-certa-1"
#define ORTHANC_PASSWORD "segredo-do-pacs-9"

typedef struct {
  RwTestServer *server;
  RwTestApp     a;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rw_test_app_reset ();
  f->server = rw_test_server_new ();
  rw_test_server_add_user (f->server, "ana", PASSWORD, "radiologist", "Dra. Ana Souza", "CRM/SP 123456");
  rw_test_server_start (f->server);
  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "sign-in");
  rw_test_app_sign_in (&f->a, rw_test_server_get_url (f->server), "ana", PASSWORD);
  rw_test_app_wait_page (&f->a, "worklist");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->a.app != NULL)
    rw_test_app_stop (&f->a);
  g_clear_pointer (&f->server, rw_test_server_free);
}

static RwPreferencesWindow *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (RW_IS_PREFERENCES_WINDOW (window))
        return RW_PREFERENCES_WINDOW (window);
    }
  return NULL;
}

static RwPreferencesWindow *
open_preferences (Fixture *f)
{
  RwPreferencesWindow *preferences;

  g_action_group_activate_action (G_ACTION_GROUP (f->a.app), "preferences", NULL);
  preferences = find_preferences ();
  g_assert_nonnull (preferences);
  return preferences;
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
close_preferences (RwPreferencesWindow *preferences)
{
  g_object_add_weak_pointer (G_OBJECT (preferences), (gpointer *) &preferences);
  gtk_window_destroy (GTK_WINDOW (preferences));
  g_assert_true (rw_test_wait_until (is_gone, &preferences, RW_TEST_APP_WAIT_MS));
}

static GtkWidget *
row (RwPreferencesWindow *preferences,
     const char          *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (preferences), RW_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* Types @text in an entry row and clicks its apply button. */
static void
apply (RwPreferencesWindow *preferences,
       const char          *name,
       const char          *text)
{
  GtkWidget *entry = row (preferences, name);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_signal_emit_by_name (entry, "apply");
}

static char *
setting (const char *key)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  return g_settings_get_string (settings, key);
}

/* Whether any key of the schema holds @text. */
static gboolean
found_in_settings (const char *text)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *printed = g_variant_print (value, FALSE);

      if (strstr (printed, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

typedef struct {
  const char *server;
  const char *username;
  gboolean    present;
} KeyringWait;

static gboolean
orthanc_password_is (gpointer data)
{
  KeyringWait *w = data;
  g_autofree char *secret = rw_test_keyring_lookup (RW_KEYRING_ORTHANC_PASSWORD, w->server, w->username);

  return w->present ? g_strcmp0 (secret, ORTHANC_PASSWORD) == 0 : secret == NULL;
}

static void
test_viewer_and_pacs (Fixture       *f,
                      gconstpointer  data)
{
  RwPreferencesWindow *preferences = open_preferences (f);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *url = NULL;
  g_autofree char *user = NULL;
  KeyringWait stored = { "http://pacs.clinica.example:8042", "radiweb", TRUE };

  /* The viewer: the list's positions are the schema's values. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (preferences, "viewer_row")), 2);
  g_assert_cmpint (g_settings_get_enum (settings, "viewer-kind"), ==, 2);

  /* An address that is not one changes nothing and marks the row. */
  apply (preferences, "orthanc_url_row", "pacs da clínica");
  url = setting ("orthanc-url");
  g_assert_cmpstr (url, ==, "");
  g_assert_true (gtk_widget_has_css_class (row (preferences, "orthanc_url_row"), "error"));
  g_clear_pointer (&url, g_free);

  /* A password before there is a PACS and a user to keep it for is not
   * kept anywhere. */
  apply (preferences, "orthanc_password_row", ORTHANC_PASSWORD);
  g_assert_false (found_in_settings (ORTHANC_PASSWORD));

  /* A real address is kept as the app writes it. */
  apply (preferences, "orthanc_url_row", " http://pacs.clinica.example:8042/ ");
  url = setting ("orthanc-url");
  g_assert_cmpstr (url, ==, "http://pacs.clinica.example:8042");
  g_assert_false (gtk_widget_has_css_class (row (preferences, "orthanc_url_row"), "error"));
  apply (preferences, "orthanc_user_row", "  radiweb ");
  user = setting ("orthanc-username");
  g_assert_cmpstr (user, ==, "radiweb");

  /* The password goes to the keyring, under that PACS and user, and the
   * row does not show it back. */
  apply (preferences, "orthanc_password_row", ORTHANC_PASSWORD);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (preferences, "orthanc_password_row"))), ==, "");
  g_assert_true (rw_test_wait_until (orthanc_password_is, &stored, RW_TEST_APP_WAIT_MS));
  close_preferences (preferences);

  /* Nowhere else: not in the settings, not in any file. */
  g_assert_false (found_in_settings (ORTHANC_PASSWORD));
  g_assert_false (rw_test_found_on_disk (rw_test_app_get_home (), ORTHANC_PASSWORD));

  /* The next start shows what was chosen. */
  rw_test_app_stop (&f->a);
  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "worklist");
  preferences = open_preferences (f);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row (preferences, "viewer_row"))), ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (preferences, "orthanc_url_row"))), ==,
                   "http://pacs.clinica.example:8042");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (preferences, "orthanc_user_row"))), ==, "radiweb");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (preferences, "orthanc_password_row"))), ==, "");
  close_preferences (preferences);

  /* Signing out takes the PACS password from the keyring with the
   * session. */
  stored.present = FALSE;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->a.window), "win.sign-out", NULL));
  rw_test_app_wait_page (&f->a, "sign-in");
  g_assert_true (rw_test_wait_until (orthanc_password_is, &stored, RW_TEST_APP_WAIT_MS));
}

static gboolean
token_is_gone (gpointer data)
{
  g_autofree char *token = rw_test_keyring_lookup (RW_KEYRING_TOKEN, data, "ana");

  return token == NULL;
}

/* Another Radiweb server: sign out, sign in there. The settings follow,
 * the first server's session leaves the keyring, and the preferences
 * show the new address. */
static void
test_other_server (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RwTestServer) other = rw_test_server_new ();
  const char *first_url = rw_test_server_get_url (f->server);
  g_autofree char *server_url = NULL;
  g_autofree char *token = NULL;
  RwPreferencesWindow *preferences;

  rw_test_server_add_user (other, "ana", "outra-senha-2", "radiologist", "Dra. Ana Souza", "CRM/SP 123456");
  rw_test_server_start (other);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->a.window), "win.sign-out", NULL));
  rw_test_app_wait_page (&f->a, "sign-in");
  g_assert_true (rw_test_wait_until (token_is_gone, (gpointer) first_url, RW_TEST_APP_WAIT_MS));
  rw_test_app_sign_in (&f->a, rw_test_server_get_url (other), "ana", "outra-senha-2");
  rw_test_app_wait_page (&f->a, "worklist");

  server_url = setting ("server-url");
  g_assert_cmpstr (server_url, ==, rw_test_server_get_url (other));
  token = rw_test_keyring_lookup (RW_KEYRING_TOKEN, rw_test_server_get_url (other), "ana");
  g_assert_nonnull (token);
  g_assert_true (token_is_gone ((gpointer) first_url));

  preferences = open_preferences (f);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row (preferences, "server_row"))), ==,
                   rw_test_server_get_url (other));
  close_preferences (preferences);

  rw_test_app_stop (&f->a);
  rw_test_server_stop (other);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  rw_test_app_init (&argc, &argv, "test-preferences", FALSE);

  g_test_add ("/preferences/viewer-and-pacs", Fixture, NULL, fixture_setup, test_viewer_and_pacs, fixture_teardown);
  g_test_add ("/preferences/other-server", Fixture, NULL, fixture_setup, test_other_server, fixture_teardown);

  status = g_test_run ();
  rw_test_app_cleanup ();
  return status;
}
