/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-application.h"
#include "rw-reading-view.h"
#include "rw-window.h"

struct _RwWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkWidget            *refresh_button;
  GtkStack             *stack;
  RwSignInPage         *sign_in_page;
  AdwTabBar            *tab_bar;
  AdwTabView           *tab_view;

  /* Borrowed references */
  RwWorklistView       *worklist_view;
  AdwTabPage           *worklist_page;

  /* Owned references */
  RwSession            *session;
  RwReadingContext     *reading;
  GCancellable         *cancellable;

  /* Reading views still putting their text away before the window goes. */
  guint                 n_closing;
};

G_DEFINE_FINAL_TYPE (RwWindow, rw_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_sign_in (RwWindow   *self,
              const char *message)
{
  rw_sign_in_page_reset (self->sign_in_page, message);
  gtk_stack_set_visible_child_name (self->stack, "sign-in");
}

static void
update_title (RwWindow *self)
{
  const char *server = rw_session_get_server_url (self->session);
  g_autofree char *subtitle = NULL;

  if (rw_session_get_state (self->session) == RW_SESSION_SIGNED_IN && server != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);

      /* Translators: window subtitle, "Dra. Ana Souza — radiweb.clinica.com.br". */
      subtitle = g_strdup_printf (_("%s — %s"), rw_session_get_display_name (self->session),
                                  uri != NULL ? g_uri_get_host (uri) : server);
    }
  adw_window_title_set_subtitle (self->window_title, subtitle != NULL ? subtitle : "");
}

static void
update_actions (RwWindow *self)
{
  gboolean signed_in = rw_session_get_state (self->session) == RW_SESSION_SIGNED_IN;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-exam", signed_in);
  gtk_widget_set_visible (self->refresh_button, signed_in);
}

/* Every open exam's tab: the pages after the pinned worklist. */
static GPtrArray *
reading_pages (RwWindow *self)
{
  GPtrArray *pages = g_ptr_array_new ();

  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);

      if (RW_IS_READING_VIEW (adw_tab_page_get_child (page)))
        g_ptr_array_add (pages, page);
    }
  return pages;
}

static void
close_reading_tabs (RwWindow *self)
{
  g_autoptr(GPtrArray) pages = reading_pages (self);

  for (guint i = 0; i < pages->len; i++)
    adw_tab_view_close_page (self->tab_view, g_ptr_array_index (pages, i));
}

/* The strip of tabs only while an exam is open: AdwTabBar's own autohide
 * keeps it while the pinned worklist tab is there, which is always, and
 * a row of the screen for one tab that cannot be closed is wasted. */
static gboolean
more_than_one_page (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_int (from) > 1);
  return TRUE;
}

static void
on_state_changed (RwWindow *self)
{
  update_title (self);
  update_actions (self);
  if (rw_session_get_state (self->session) == RW_SESSION_SIGNED_IN)
    gtk_stack_set_visible_child_name (self->stack, "worklist");
  else
    {
      /* Another user must not find the previous one's laudos open; what
       * was typed is in their drafts. */
      close_reading_tabs (self);
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "sign-in") != 0)
        show_sign_in (self, NULL);
    }
}

static void
on_expired (RwWindow *self)
{
  show_sign_in (self, _("Your session has ended: it expired or was closed on the server. Sign in again to go on."));
}

static void
on_restored (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RwWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (rw_session_restore_finish (RW_SESSION (source), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_autofree char *message = NULL;

      /* A keyring that cannot be read is not fatal: the password works too. */
      g_warning ("Could not read the session from the keyring: %s", error->message);
      message = g_strdup_printf (_("The keyring could not be read (%s). Sign in with your password."),
                                 error->message);
      show_sign_in (self, message);
      return;
    }
  show_sign_in (self, NULL);
}

static void
open_exam_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  rw_window_open_exam (RW_WINDOW (widget), g_variant_get_int64 (parameter));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  rw_session_refresh (RW_WINDOW (widget)->session);
}

static void
on_signed_out (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RwWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rw_session_sign_out_finish (RW_SESSION (source), result, &error))
    g_warning ("Signing out did not finish cleanly: %s", error->message);
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RwWindow *self = RW_WINDOW (widget);

  rw_session_sign_out_async (self->session, NULL, on_signed_out, g_object_ref (self));
}

typedef struct {
  RwWindow   *self;
  AdwTabPage *page;
} Closing;

static void
on_view_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Closing *closing = user_data;
  RwWindow *self = closing->self;
  g_autoptr(GError) error = NULL;

  if (!rw_reading_view_close_finish (RW_READING_VIEW (source), result, &error))
    g_warning ("The laudo could not be put away before closing: %s", error->message);
  adw_tab_view_close_page_finish (self->tab_view, closing->page, TRUE);
  g_object_unref (closing->page);
  g_free (closing);
  if (self->n_closing > 0 && --self->n_closing == 0)
    gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

/* A tab closes once its text is safe: the draft written, a save queued. */
static gboolean
on_close_page (RwWindow   *self,
               AdwTabPage *page)
{
  GtkWidget *child = adw_tab_page_get_child (page);
  Closing *closing;

  if (page == self->worklist_page)
    {
      adw_tab_view_close_page_finish (self->tab_view, page, FALSE);
      return GDK_EVENT_STOP;
    }
  if (!RW_IS_READING_VIEW (child))
    return GDK_EVENT_PROPAGATE;
  closing = g_new0 (Closing, 1);
  closing->self = g_object_ref (self);
  closing->page = g_object_ref (page);
  rw_reading_view_close_async (RW_READING_VIEW (child), NULL, on_view_closed, closing);
  return GDK_EVENT_STOP;
}

static void
close_tab_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  RwWindow *self = RW_WINDOW (widget);
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  if (page == NULL || page == self->worklist_page ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "worklist") != 0)
    gtk_window_close (GTK_WINDOW (self));
  else
    adw_tab_view_close_page (self->tab_view, page);
}

static gboolean
rw_window_close_request (GtkWindow *window)
{
  RwWindow *self = RW_WINDOW (window);
  g_autoptr(GPtrArray) pages = reading_pages (self);
  GSettings *settings = rw_session_get_settings (self->session);
  int width = 0, height = 0;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (settings);
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }
  g_settings_apply (settings);

  /* The open exams first: the window goes when the last one has put its
   * text away. */
  if (pages->len > 0)
    {
      if (self->n_closing == 0)
        {
          self->n_closing = pages->len;
          for (guint i = 0; i < pages->len; i++)
            adw_tab_view_close_page (self->tab_view, g_ptr_array_index (pages, i));
        }
      return TRUE;
    }

  return GTK_WINDOW_CLASS (rw_window_parent_class)->close_request (window);
}

static void
rw_window_dispose (GObject *object)
{
  RwWindow *self = (RwWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->reading);

  G_OBJECT_CLASS (rw_window_parent_class)->dispose (object);
}

static void
rw_window_class_init (RwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = rw_window_dispose;
  window_class->close_request = rw_window_close_request;

  g_type_ensure (RW_TYPE_SIGN_IN_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RwWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RwWindow, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, RwWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RwWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, RwWindow, tab_bar);
  gtk_widget_class_bind_template_child (widget_class, RwWindow, tab_view);
  gtk_widget_class_bind_template_callback (widget_class, on_close_page);

  gtk_widget_class_install_action (widget_class, "win.open-exam", "x", open_exam_action);
  gtk_widget_class_install_action (widget_class, "win.close-tab", NULL, close_tab_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.close-tab", NULL);
}

static void
rw_window_init (RwWindow *self)
{
  g_autoptr(GIcon) icon = g_themed_icon_new ("view-list-symbolic");

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  /* The worklist is the first tab, pinned; each open exam is a tab after
   * it (docs in help/: why tabs suit a reading room). */
  self->worklist_view = g_object_new (RW_TYPE_WORKLIST_VIEW, NULL);
  self->worklist_page = adw_tab_view_append_pinned (self->tab_view, GTK_WIDGET (self->worklist_view));
  adw_tab_page_set_title (self->worklist_page, _("Worklist"));
  adw_tab_page_set_icon (self->worklist_page, icon);
  g_object_bind_property_full (self->tab_view, "n-pages", self->tab_bar, "visible", G_BINDING_SYNC_CREATE,
                               more_than_one_page, NULL, NULL, NULL);
}

RwWindow *
rw_window_new (gpointer   application,
               RwSession *session)
{
  RwWindow *self;
  GSettings *settings;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (RW_IS_SESSION (session), NULL);

  settings = rw_session_get_settings (session);
  self = g_object_new (RW_TYPE_WINDOW,
                       "application", application,
                       "default-width", g_settings_get_int (settings, "window-width"),
                       "default-height", g_settings_get_int (settings, "window-height"),
                       "maximized", g_settings_get_boolean (settings, "window-maximized"),
                       NULL);
  self->session = g_object_ref (session);
  self->reading = g_object_ref (rw_application_get_reading_context (RW_APPLICATION (application)));
  rw_sign_in_page_set_session (self->sign_in_page, session);
  rw_worklist_view_set_session (self->worklist_view, session);

  g_signal_connect_swapped (session, "notify::state", G_CALLBACK (on_state_changed), self);
  g_signal_connect_swapped (session, "notify::display-name", G_CALLBACK (update_title), self);
  g_signal_connect_swapped (session, "notify::server-url", G_CALLBACK (update_title), self);
  g_signal_connect_swapped (session, "expired", G_CALLBACK (on_expired), self);
  update_actions (self);

  if (rw_session_get_state (session) == RW_SESSION_SIGNED_IN)
    on_state_changed (self);
  else
    rw_session_restore_async (session, self->cancellable, on_restored, g_object_ref (self));

  return self;
}

static RwReadingView *
find_reading_view (RwWindow   *self,
                   gint64      exam_id,
                   AdwTabPage **page)
{
  g_autoptr(GPtrArray) pages = reading_pages (self);

  for (guint i = 0; i < pages->len; i++)
    {
      RwReadingView *view = RW_READING_VIEW (adw_tab_page_get_child (g_ptr_array_index (pages, i)));

      if (rw_reading_view_get_exam_id (view) == exam_id)
        {
          if (page != NULL)
            *page = g_ptr_array_index (pages, i);
          return view;
        }
    }
  return NULL;
}

static void
on_view_mode (RwReadingView *view,
              GParamSpec    *pspec,
              AdwTabPage    *page)
{
  adw_tab_page_set_loading (page, rw_reading_view_get_mode (view) == RW_READING_LOADING);
}

static void
on_view_title (RwReadingView *view,
               GParamSpec    *pspec,
               AdwTabPage    *page)
{
  adw_tab_page_set_title (page, rw_reading_view_get_title (view));
}

/* Opens @exam_id in a tab of its own, or brings its tab forward. */
void
rw_window_open_exam (RwWindow *self,
                     gint64    exam_id)
{
  RwWorklistModel *model;
  RwExam *exam;
  RwReadingView *view;
  AdwTabPage *page = NULL;
  g_autofree char *date = NULL;
  g_autofree char *tooltip = NULL;

  g_return_if_fail (RW_IS_WINDOW (self));

  if (find_reading_view (self, exam_id, &page) != NULL)
    {
      adw_tab_view_set_selected_page (self->tab_view, page);
      return;
    }

  model = rw_session_get_worklist (self->session);
  exam = rw_worklist_model_lookup (model, exam_id);
  if (exam == NULL)
    {
      g_warning ("Exam %" G_GINT64_FORMAT " is not on the worklist", exam_id);
      return;
    }

  /* A notification may name an exam that the filters hide: the worklist
   * shows it selected for when the tab is closed. */
  if (!rw_worklist_view_select_exam (self->worklist_view, exam_id))
    {
      rw_worklist_view_clear_filters (self->worklist_view);
      gtk_widget_activate_action (GTK_WIDGET (self->worklist_view), "worklist.filter-status", "s",
                                  rw_exam_status_to_string (rw_exam_get_status (exam)));
      rw_worklist_view_select_exam (self->worklist_view, exam_id);
    }

  view = rw_reading_view_new (self->reading, exam);
  page = adw_tab_view_append (self->tab_view, GTK_WIDGET (view));
  adw_tab_page_set_title (page, rw_reading_view_get_title (view));
  date = rw_exam_dup_study_date_label (exam);
  /* Translators: a tab's tooltip, "TC ABDOME TOTAL — 01/01/2024". */
  tooltip = g_strdup_printf (_("%s — %s"), rw_exam_get_description (exam), date);
  adw_tab_page_set_tooltip (page, tooltip);
  if (rw_exam_get_priority (exam) != RW_EXAM_PRIORITY_ROUTINE)
    {
      g_autoptr(GIcon) icon = g_themed_icon_new ("dialog-warning-symbolic");

      adw_tab_page_set_indicator_icon (page, icon);
      adw_tab_page_set_indicator_tooltip (page, rw_exam_priority_to_label (rw_exam_get_priority (exam)));
    }
  adw_tab_page_set_loading (page, TRUE);
  g_signal_connect_object (view, "notify::mode", G_CALLBACK (on_view_mode), page, 0);
  g_signal_connect_object (view, "notify::title", G_CALLBACK (on_view_title), page, 0);
  adw_tab_view_set_selected_page (self->tab_view, page);
}

RwReadingView *
rw_window_get_reading_view (RwWindow *self,
                            gint64    exam_id)
{
  g_return_val_if_fail (RW_IS_WINDOW (self), NULL);
  return find_reading_view (self, exam_id, NULL);
}

AdwTabBar *
rw_window_get_tab_bar (RwWindow *self)
{
  g_return_val_if_fail (RW_IS_WINDOW (self), NULL);
  return self->tab_bar;
}

AdwTabView *
rw_window_get_tab_view (RwWindow *self)
{
  g_return_val_if_fail (RW_IS_WINDOW (self), NULL);
  return self->tab_view;
}

const char *
rw_window_get_page (RwWindow *self)
{
  g_return_val_if_fail (RW_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

RwSignInPage *
rw_window_get_sign_in_page (RwWindow *self)
{
  g_return_val_if_fail (RW_IS_WINDOW (self), NULL);
  return self->sign_in_page;
}

RwWorklistView *
rw_window_get_worklist_view (RwWindow *self)
{
  g_return_val_if_fail (RW_IS_WINDOW (self), NULL);
  return self->worklist_view;
}
