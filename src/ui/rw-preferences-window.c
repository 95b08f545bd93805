/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-keyring.h"
#include "rw-preferences-window.h"
#include "rw-viewer-url.h"

struct _RwPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwActionRow         *server_row;
  AdwActionRow         *user_row;
  AdwComboRow          *viewer_row;
  AdwEntryRow          *viewer_template_row;
  AdwEntryRow          *orthanc_url_row;
  AdwEntryRow          *orthanc_user_row;
  AdwEntryRow          *orthanc_password_row;

  /* Owned references */
  RwSession            *session;
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (RwPreferencesWindow, rw_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
toast (RwPreferencesWindow *self,
       const char          *message)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

/* The list's positions are the schema's enum values. */
#define VIEWER_CUSTOM 3

static void
on_viewer_selected (RwPreferencesWindow *self)
{
  GSettings *settings;
  guint selected = adw_combo_row_get_selected (self->viewer_row);

  gtk_widget_set_visible (GTK_WIDGET (self->viewer_template_row), selected == VIEWER_CUSTOM);
  if (self->session == NULL)
    return;
  settings = rw_session_get_settings (self->session);
  g_settings_set_enum (settings, "viewer-kind", (int) selected);
}

/* A template is checked against a sample exam, so a typo is caught here
 * and not when a radiologist opens a study. */
static void
on_viewer_template_apply (RwPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwPatient) patient = rw_patient_new ("12345", "SILVA^JOAO", "1980-05-15", "M", "043Y");
  g_autoptr(RwExam) sample = NULL;
  g_autofree char *url = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->viewer_template_row));
  RwExamFields fields = { 0, };

  fields.id = 1;
  fields.study_uid = "1.2.3.4";
  fields.orthanc_id = "6e2c0ec2-5d99ec2b-5c6f1c8b-2b1d3b1f-1a2b3c4d";
  fields.accession_number = "ACC1";
  fields.patient = patient;
  sample = rw_exam_new (&fields);
  url = rw_viewer_url_expand_template (text, "https://pacs.example", sample, &error);
  if (url == NULL)
    {
      toast (self, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->viewer_template_row), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->viewer_template_row), "error");
  g_settings_set_string (rw_session_get_settings (self->session), "viewer-template", text);
}

static void
on_orthanc_url_apply (RwPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->orthanc_url_row));

  if (text[0] == '\0')
    {
      g_settings_set_string (rw_session_get_settings (self->session), "orthanc-url", "");
      return;
    }
  url = rw_api_normalize_url (text, &error);
  if (url == NULL)
    {
      toast (self, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->orthanc_url_row), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->orthanc_url_row), "error");
  gtk_editable_set_text (GTK_EDITABLE (self->orthanc_url_row), url);
  g_settings_set_string (rw_session_get_settings (self->session), "orthanc-url", url);
}

static void
on_orthanc_user_apply (RwPreferencesWindow *self)
{
  g_autofree char *user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->orthanc_user_row))));

  g_settings_set_string (rw_session_get_settings (self->session), "orthanc-username", user);
}

static void
on_password_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(RwPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (rw_keyring_store_finish (result, &error))
    {
      toast (self, _("Orthanc password saved in the keyring"));
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("The password could not be saved in the keyring: %s"),
                                                  error->message);
      toast (self, message);
    }
}

static void
on_orthanc_password_apply (RwPreferencesWindow *self)
{
  GSettings *settings = rw_session_get_settings (self->session);
  g_autofree char *url = g_settings_get_string (settings, "orthanc-url");
  g_autofree char *user = g_settings_get_string (settings, "orthanc-username");
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->orthanc_password_row));

  if (url[0] == '\0' || user[0] == '\0')
    {
      toast (self, _("Set the Orthanc address and user first"));
      return;
    }
  rw_keyring_store_async (RW_KEYRING_ORTHANC_PASSWORD, url, user, password, self->cancellable,
                          on_password_stored, g_object_ref (self));
  /* The field never shows a stored password back. */
  gtk_editable_set_text (GTK_EDITABLE (self->orthanc_password_row), "");
}

static void
rw_preferences_window_dispose (GObject *object)
{
  RwPreferencesWindow *self = (RwPreferencesWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (rw_preferences_window_parent_class)->dispose (object);
}

static void
rw_preferences_window_class_init (RwPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rw_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RwPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, RwPreferencesWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, RwPreferencesWindow, viewer_row);
  gtk_widget_class_bind_template_child (widget_class, RwPreferencesWindow, viewer_template_row);
  gtk_widget_class_bind_template_child (widget_class, RwPreferencesWindow, orthanc_url_row);
  gtk_widget_class_bind_template_child (widget_class, RwPreferencesWindow, orthanc_user_row);
  gtk_widget_class_bind_template_child (widget_class, RwPreferencesWindow, orthanc_password_row);
  gtk_widget_class_bind_template_callback (widget_class, on_viewer_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_viewer_template_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_orthanc_url_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_orthanc_user_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_orthanc_password_apply);
}

static void
rw_preferences_window_init (RwPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

RwPreferencesWindow *
rw_preferences_window_new (RwSession *session)
{
  RwPreferencesWindow *self;
  GSettings *settings;
  g_autofree char *orthanc_url = NULL;
  g_autofree char *orthanc_user = NULL;
  g_autofree char *viewer_template = NULL;
  const char *server;

  g_return_val_if_fail (RW_IS_SESSION (session), NULL);

  self = g_object_new (RW_TYPE_PREFERENCES_WINDOW, NULL);
  settings = rw_session_get_settings (session);
  server = rw_session_get_server_url (session);

  adw_action_row_set_subtitle (self->server_row, server != NULL ? server : "—");
  adw_action_row_set_subtitle (self->user_row, rw_session_get_username (session) != NULL
                                               ? rw_session_get_username (session) : "—");
  adw_combo_row_set_selected (self->viewer_row, (guint) g_settings_get_enum (settings, "viewer-kind"));
  gtk_widget_set_visible (GTK_WIDGET (self->viewer_template_row),
                          g_settings_get_enum (settings, "viewer-kind") == VIEWER_CUSTOM);
  viewer_template = g_settings_get_string (settings, "viewer-template");
  gtk_editable_set_text (GTK_EDITABLE (self->viewer_template_row), viewer_template);
  orthanc_url = g_settings_get_string (settings, "orthanc-url");
  orthanc_user = g_settings_get_string (settings, "orthanc-username");
  gtk_editable_set_text (GTK_EDITABLE (self->orthanc_url_row), orthanc_url);
  gtk_editable_set_text (GTK_EDITABLE (self->orthanc_user_row), orthanc_user);

  /* Set last, so filling the rows above does not write the settings back. */
  self->session = g_object_ref (session);
  return self;
}
