/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-sign-in-page.h"

/* The first thing a radiologist sees on a new workstation, and again when
 * the session ends on the server. Every way a sign-in fails has its own
 * sentence, saying what to check. */
struct _RwSignInPage
{
  GtkWidget     parent_instance;

  /* Template widgets */
  GtkLabel     *message_label;
  AdwEntryRow  *server_row;
  AdwEntryRow  *username_row;
  AdwEntryRow  *password_row;
  GtkSpinner   *spinner;

  /* Owned references */
  RwSession    *session;
  GCancellable *cancellable;

  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (RwSignInPage, rw_sign_in_page, GTK_TYPE_WIDGET)

char *
rw_sign_in_describe_error (const GError *error,
                           const char   *server_url)
{
  if (error->domain != RW_API_ERROR)
    return g_strdup (error->message);

  switch ((RwApiError) error->code)
    {
    case RW_API_ERROR_UNREACHABLE:
      return g_strdup_printf (_("Could not connect to %s. Check the server address and the network connection, or ask the clinic’s IT whether the server is running."),
                              server_url);
    case RW_API_ERROR_TLS:
      return g_strdup_printf (_("The secure connection to %s failed: the server’s certificate is not trusted, or the server does not use HTTPS. If the server uses plain HTTP, type the address with http://."),
                              server_url);
    case RW_API_ERROR_UNAUTHORIZED:
      return g_strdup (_("Wrong user name or password. Check them and try again."));
    case RW_API_ERROR_NOT_RADIWEB:
      return g_strdup_printf (_("%s answered, but it is not a Radiweb server. Check the address: it is the one of the Radiweb server, not of the PACS."),
                              server_url);
    case RW_API_ERROR_FORBIDDEN:
      return g_strdup (_("This user may not use Radiweb Laudos. Ask the clinic’s administrator."));
    case RW_API_ERROR_INVALID_URL:
    case RW_API_ERROR_INVALID_INPUT:
      return g_strdup (error->message);
    case RW_API_ERROR_NOT_FOUND:
    case RW_API_ERROR_CONFLICT:
    case RW_API_ERROR_BAD_RESPONSE:
    case RW_API_ERROR_SERVER_ERROR:
    default:
      return g_strdup_printf (_("The server could not sign you in: %s"), error->message);
    }
}

static void
show_message (RwSignInPage *self,
              const char   *message)
{
  gtk_label_set_label (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL && message[0] != '\0');
}

/* Signing in needs all three fields, and one attempt at a time. */
static void
update_submit (RwSignInPage *self)
{
  gboolean complete =
    gtk_editable_get_text (GTK_EDITABLE (self->server_row))[0] != '\0' &&
    gtk_editable_get_text (GTK_EDITABLE (self->username_row))[0] != '\0' &&
    gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] != '\0';

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit", complete && !self->busy);
}

static void
set_busy (RwSignInPage *self,
          gboolean      busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  /* Read-only rather than insensitive: GTK 4.8 complains when the focused
   * entry turns insensitive, and the focus would be lost. */
  gtk_editable_set_editable (GTK_EDITABLE (self->server_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->username_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), !busy);
  update_submit (self);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RwSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rw_session_sign_in_finish (RW_SESSION (source), result, &error))
    {
      g_autofree char *server = NULL;
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
      message = rw_sign_in_describe_error (error, server);
      set_busy (self, FALSE);
      show_message (self, message);
      if (g_error_matches (error, RW_API_ERROR, RW_API_ERROR_UNAUTHORIZED))
        {
          gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
          gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
        }
      return;
    }

  set_busy (self, FALSE);
  show_message (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RwSignInPage *self = RW_SIGN_IN_PAGE (widget);

  g_return_if_fail (self->session != NULL);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  set_busy (self, TRUE);
  show_message (self, NULL);
  rw_session_sign_in_async (self->session,
                            gtk_editable_get_text (GTK_EDITABLE (self->server_row)),
                            gtk_editable_get_text (GTK_EDITABLE (self->username_row)),
                            gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                            self->cancellable, on_signed_in, g_object_ref (self));
}

static void
on_entry_activated (RwSignInPage *self)
{
  GtkWidget *empty = NULL;

  /* Enter moves on to the next empty field, and signs in from the last. */
  if (gtk_editable_get_text (GTK_EDITABLE (self->server_row))[0] == '\0')
    empty = GTK_WIDGET (self->server_row);
  else if (gtk_editable_get_text (GTK_EDITABLE (self->username_row))[0] == '\0')
    empty = GTK_WIDGET (self->username_row);
  else if (gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] == '\0')
    empty = GTK_WIDGET (self->password_row);

  if (empty != NULL)
    gtk_widget_grab_focus (empty);
  else if (!self->busy)
    gtk_widget_activate_action (GTK_WIDGET (self), "sign-in.submit", NULL);
}

static void
on_changed (RwSignInPage *self)
{
  update_submit (self);
}

static void
rw_sign_in_page_dispose (GObject *object)
{
  RwSignInPage *self = (RwSignInPage *)object;
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_SIGN_IN_PAGE);
  /* The template's top widget is not bound to a field, so it is still our
   * child: a widget with a layout manager unparents its own children. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rw_sign_in_page_parent_class)->dispose (object);
}

static void
rw_sign_in_page_class_init (RwSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rw_sign_in_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RwSignInPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, RwSignInPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, RwSignInPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, RwSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, RwSignInPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL, submit_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "signin");
}

static void
rw_sign_in_page_init (RwSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  on_changed (self);
}

GtkWidget *
rw_sign_in_page_new (void)
{
  return g_object_new (RW_TYPE_SIGN_IN_PAGE, NULL);
}

void
rw_sign_in_page_set_session (RwSignInPage *self,
                             RwSession    *session)
{
  g_return_if_fail (RW_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (RW_IS_SESSION (session));

  g_set_object (&self->session, session);
}

void
rw_sign_in_page_reset (RwSignInPage *self,
                       const char   *message)
{
  GSettings *settings;
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;

  g_return_if_fail (RW_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (self->session != NULL);

  settings = rw_session_get_settings (self->session);
  server = g_settings_get_string (settings, "server-url");
  username = g_settings_get_string (settings, "username");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  set_busy (self, FALSE);
  show_message (self, message);

  if (server[0] == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
  else if (username[0] == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

const char *
rw_sign_in_page_get_message (RwSignInPage *self)
{
  g_return_val_if_fail (RW_IS_SIGN_IN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->message_label)))
    return NULL;
  return gtk_label_get_label (self->message_label);
}

void
rw_sign_in_page_fill (RwSignInPage *self,
                      const char   *server_url,
                      const char   *username,
                      const char   *password)
{
  g_return_if_fail (RW_IS_SIGN_IN_PAGE (self));

  if (server_url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
  if (username != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}
