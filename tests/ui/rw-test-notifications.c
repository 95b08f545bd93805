/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "rw-test-notifications.h"
#include "rw-test-util.h"

#define NAME "org.freedesktop.Notifications"
#define PATH "/org/freedesktop/Notifications"

static const char introspection[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "  </interface>"
  "</node>";

struct _RwTestNotifications
{
  GDBusConnection *connection;
  GDBusNodeInfo   *info;
  guint            registration;
  guint            owner;
  gboolean         owned;
  guint32          next_id;
  GArray          *received;    /* RwTestNotification */
};

static void
notification_clear (gpointer data)
{
  RwTestNotification *n = data;

  g_free (n->app_name);
  g_free (n->summary);
  g_free (n->body);
  g_strfreev (n->actions);
}

static void
on_method_call (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  RwTestNotifications *self = user_data;

  if (g_str_equal (method, "Notify"))
    {
      RwTestNotification n = { 0, };
      const char *app_name, *icon, *summary, *body;
      g_autoptr(GVariant) hints = NULL;
      guint32 replaces = 0;
      gint32 timeout;

      g_variant_get (parameters, "(&su&s&s&s^as@a{sv}i)", &app_name, &replaces, &icon,
                     &summary, &body, &n.actions, &hints, &timeout);
      n.app_name = g_strdup (app_name);
      n.summary = g_strdup (summary);
      n.body = g_strdup (body);
      n.id = replaces != 0 ? replaces : ++self->next_id;
      g_array_append_val (self->received, n);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", n.id));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method, "GetServerInformation"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "rw-test-notifications",
                                                            "Radiweb tests", "1", "1.2"));
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

static const GDBusInterfaceVTable vtable = { on_method_call, NULL, NULL, { 0 } };

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  ((RwTestNotifications *) user_data)->owned = TRUE;
}

static gboolean
is_owned (gpointer data)
{
  return ((RwTestNotifications *) data)->owned;
}

RwTestNotifications *
rw_test_notifications_new (void)
{
  RwTestNotifications *self = g_new0 (RwTestNotifications, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);

  g_assert_no_error (error);
  /* A connection of its own, as a daemon process would have, so the
   * application's calls really travel through the bus. */
  self->connection = g_dbus_connection_new_for_address_sync (address,
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, &error);
  g_assert_no_error (error);
  self->info = g_dbus_node_info_new_for_xml (introspection, &error);
  g_assert_no_error (error);
  self->registration = g_dbus_connection_register_object (self->connection, PATH,
                                                          self->info->interfaces[0], &vtable,
                                                          self, NULL, &error);
  g_assert_no_error (error);
  self->received = g_array_new (FALSE, TRUE, sizeof (RwTestNotification));
  g_array_set_clear_func (self->received, notification_clear);

  self->owner = g_bus_own_name_on_connection (self->connection, NAME,
                                              G_BUS_NAME_OWNER_FLAGS_REPLACE,
                                              on_name_acquired, NULL, self, NULL);
  g_assert_true (rw_test_wait_until (is_owned, self, 5000));
  return self;
}

void
rw_test_notifications_free (RwTestNotifications *self)
{
  if (self == NULL)
    return;
  g_bus_unown_name (self->owner);
  g_dbus_connection_unregister_object (self->connection, self->registration);
  g_dbus_connection_close_sync (self->connection, NULL, NULL);
  g_clear_object (&self->connection);
  g_dbus_node_info_unref (self->info);
  g_array_unref (self->received);
  g_free (self);
}

guint
rw_test_notifications_count (RwTestNotifications *self)
{
  return self->received->len;
}

const RwTestNotification *
rw_test_notifications_get (RwTestNotifications *self,
                           guint                index)
{
  g_assert_cmpuint (index, <, self->received->len);
  return &g_array_index (self->received, RwTestNotification, index);
}

void
rw_test_notifications_click (RwTestNotifications *self,
                             guint32              id)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (self->connection, NULL, PATH, NAME, "ActionInvoked",
                                 g_variant_new ("(us)", id, "default"), &error);
  g_assert_no_error (error);
}
