/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-application.h"
#include "rw-preferences-window.h"
#include "rw-resources.h"
#include "rw-window.h"

struct _RwApplication
{
  AdwApplication  parent_instance;

  GSettings        *settings;
  RwSession        *session;
  RwReadingContext *reading;

  /* The first window, until it is shown; see rw_application_activate(). */
  GtkWindow        *first_window;
  guint             first_window_timeout;
};

G_DEFINE_FINAL_TYPE (RwApplication, rw_application, ADW_TYPE_APPLICATION)

void
rw_ui_init (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      rw_register_resource ();
      g_once_init_leave (&initialized, 1);
    }
}

/* Created on first use, so that `radiweb --version` works without the
 * settings schema installed. */
static GSettings *
ensure_settings (RwApplication *self)
{
  if (self->settings == NULL)
    self->settings = g_settings_new (APP_ID);
  return self->settings;
}

static RwWindow *
get_window (RwApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (RW_IS_WINDOW (window))
    return RW_WINDOW (window);
  return rw_window_new (self, self->session);
}

static char *
format_exam_line (RwExam *exam)
{
  g_autofree char *date = rw_exam_dup_study_date_label (exam);
  const char *modality = rw_exam_get_modality (exam);

  if (date[0] == '\0')
    return g_strdup (modality);
  /* Translators: modality and study date of a new exam, e.g. "CT · 01/01/2024". */
  return g_strdup_printf (_("%s · %s"), modality, date);
}

/* A study arrived: tell the radiologist even when the window is hidden. The
 * notification's default action opens the exam through app.open-exam. */
static void
on_exam_created (RwSession     *session,
                 RwExam        *exam,
                 RwApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *patient = rw_patient_dup_display_name (rw_exam_get_patient (exam));
  g_autofree char *line = format_exam_line (exam);
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = g_strdup_printf ("exam-%" G_GINT64_FORMAT, rw_exam_get_id (exam));
  RwExamPriority priority = rw_exam_get_priority (exam);
  const char *description = rw_exam_get_description (exam);

  if (priority != RW_EXAM_PRIORITY_ROUTINE)
    /* Translators: title of a notification; %s is the priority ("Urgente"). */
    title = g_strdup_printf (_("New exam (%s)"), rw_exam_priority_to_label (priority));
  else
    title = g_strdup (_("New exam"));
  body = g_strdup_printf ("%s\n%s%s%s", patient, description,
                          description[0] != '\0' ? " — " : "", line);

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification,
                               priority == RW_EXAM_PRIORITY_ROUTINE ? G_NOTIFICATION_PRIORITY_NORMAL
                                                                    : G_NOTIFICATION_PRIORITY_URGENT);
  g_notification_set_default_action_and_target (notification, "app.open-exam", "x",
                                                rw_exam_get_id (exam));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
open_exam_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  RwApplication *self = user_data;
  RwWindow *window = get_window (self);

  gtk_window_present (GTK_WINDOW (window));
  rw_window_open_exam (window, g_variant_get_int64 (parameter));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  RwApplication *self = user_data;
  RwPreferencesWindow *preferences = rw_preferences_window_new (self->session);

  gtk_window_set_transient_for (GTK_WINDOW (preferences),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  RwApplication *self = user_data;
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application-name", _("Radiweb Laudos"),
                        "application-icon", APP_ID,
                        "developer-name", "Radiweb",
                        "version", PACKAGE_VERSION,
                        "website", "https://radiweb.com.br",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
help_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  RwApplication *self = user_data;

  gtk_show_uri (gtk_application_get_active_window (GTK_APPLICATION (self)),
                "help:radiweb", GDK_CURRENT_TIME);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  RwApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing each window saves its state the same way the close button
   * does. */
  for (GList *l = g_list_copy (windows); l != NULL; l = g_list_delete_link (l, l))
    gtk_window_close (l->data);
  g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { "open-exam", open_exam_action, "x" },
  { "preferences", preferences_action },
  { "about", about_action },
  { "help", help_action },
  { "quit", quit_action },
};

static int
rw_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  RwApplication *self = RW_APPLICATION (app);
  const char *server = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("radiweb %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "server", "&s", &server))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = rw_api_normalize_url (server, &error);
      g_autofree char *current = NULL;

      if (url == NULL)
        {
          g_printerr ("radiweb: %s\n", error->message);
          return 1;
        }
      /* Another server means another sign-in: the token in the keyring
       * belongs to the old one. */
      current = g_settings_get_string (ensure_settings (self), "server-url");
      if (g_strcmp0 (current, url) != 0)
        g_settings_set_string (ensure_settings (self), "server-url", url);
    }

  return G_APPLICATION_CLASS (rw_application_parent_class)->handle_local_options (app, options);
}

static void
rw_application_startup (GApplication *app)
{
  RwApplication *self = RW_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "F1", NULL };
  g_autofree char *store_path = NULL;
  g_autofree char *reports_path = NULL;

  /* The session exists before GTK does: reading the cached worklist on
   * worker threads overlaps the 150–250 ms that initializing GTK takes
   * (the keyring answers once the main loop runs, well before the list is
   * ready), and the window's own restore joins this one. */
  store_path = g_build_filename (g_get_user_data_dir (), "radiweb", "client.db", NULL);
  self->session = rw_session_new (ensure_settings (self), store_path);
  g_signal_connect (self->session, "exam-created", G_CALLBACK (on_exam_created), self);
  rw_session_restore_async (self->session, NULL, NULL, NULL);

  G_APPLICATION_CLASS (rw_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.help", help_accels);

  reports_path = g_build_filename (g_get_user_data_dir (), "radiweb", "reports.db", NULL);
  self->reading = rw_reading_context_new (self->session, reports_path);
}

/* How long the first window waits for the silent sign-in before it shows
 * all the same: a locked keyring asks for its password meanwhile. */
#define FIRST_WINDOW_WAIT_MS 1500

static void
forget_first_window (RwApplication *self)
{
  g_clear_handle_id (&self->first_window_timeout, g_source_remove);
  if (self->first_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->first_window), (gpointer *) &self->first_window);
}

static gboolean
present_first_window (gpointer user_data)
{
  RwApplication *self = user_data;
  GtkWindow *window = self->first_window;

  /* From the timeout, its source is going away by itself. */
  self->first_window_timeout = 0;
  forget_first_window (self);
  self->first_window = NULL;
  if (window != NULL)
    gtk_window_present (window);
  return G_SOURCE_REMOVE;
}

static void
on_first_restore (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RwApplication) self = user_data;

  /* A failure is the window's to tell (it waits for the same answer). */
  rw_session_restore_finish (RW_SESSION (source), result, NULL);
  g_clear_handle_id (&self->first_window_timeout, g_source_remove);
  present_first_window (self);
}

static void
rw_application_activate (GApplication *app)
{
  RwApplication *self = RW_APPLICATION (app);
  gboolean first = gtk_application_get_active_window (GTK_APPLICATION (self)) == NULL;
  RwWindow *window = get_window (self);

  /* The first window is shown once the silent sign-in begun in startup()
   * has put the cached worklist in it: drawing it empty first, then again
   * with the list, would cost the list's frame 100–200 ms at start. */
  if (!first || self->first_window != NULL)
    {
      if (self->first_window == NULL)
        gtk_window_present (GTK_WINDOW (window));
      return;
    }
  /* Realized meanwhile, as a shown window is: its surface and renderer
   * are made while the worker threads read the cache, and it can be
   * closed like any other. */
  gtk_widget_realize (GTK_WIDGET (window));
  self->first_window = GTK_WINDOW (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->first_window);
  self->first_window_timeout = g_timeout_add (FIRST_WINDOW_WAIT_MS, present_first_window, self);
  rw_session_restore_async (self->session, NULL, on_first_restore, g_object_ref (self));
}

static void
rw_application_shutdown (GApplication *app)
{
  RwApplication *self = RW_APPLICATION (app);

  forget_first_window (self);
  self->first_window = NULL;

  if (self->reading != NULL)
    {
      /* The last drafts reach the disk before the process ends. */
      rw_reading_context_shutdown (self->reading);
      rw_report_store_wait_idle (rw_reading_context_get_store (self->reading));
      g_clear_object (&self->reading);
    }
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_object_run_dispose (G_OBJECT (self->session));
      g_clear_object (&self->session);
    }

  G_APPLICATION_CLASS (rw_application_parent_class)->shutdown (app);
}

static void
rw_application_finalize (GObject *object)
{
  RwApplication *self = (RwApplication *)object;

  g_clear_object (&self->reading);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (rw_application_parent_class)->finalize (object);
}

static void
rw_application_class_init (RwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = rw_application_finalize;
  app_class->handle_local_options = rw_application_handle_local_options;
  app_class->startup = rw_application_startup;
  app_class->activate = rw_application_activate;
  app_class->shutdown = rw_application_shutdown;
}

static void
rw_application_init (RwApplication *self)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Use the Radiweb server at URL (asks to sign in when it is another server)"), N_("URL") },
    { NULL },
  };

  rw_ui_init ();
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

RwApplication *
rw_application_new (const char        *application_id,
                    GApplicationFlags  flags)
{
  return g_object_new (RW_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", "/br/com/radiweb/Laudos",
                       NULL);
}

RwSession *
rw_application_get_session (RwApplication *self)
{
  g_return_val_if_fail (RW_IS_APPLICATION (self), NULL);
  return self->session;
}

GSettings *
rw_application_get_settings (RwApplication *self)
{
  g_return_val_if_fail (RW_IS_APPLICATION (self), NULL);
  return ensure_settings (self);
}

RwReadingContext *
rw_application_get_reading_context (RwApplication *self)
{
  g_return_val_if_fail (RW_IS_APPLICATION (self), NULL);
  return self->reading;
}
