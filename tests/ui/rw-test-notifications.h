/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A test double of the desktop's notification daemon: no real one can run
 * under Xvfb here. It owns org.freedesktop.Notifications on the session
 * bus, as GNOME Shell or dunst do, records every Notify call the
 * application's GNotification makes (GLib's freedesktop backend), and can
 * "click" a notification by emitting ActionInvoked, as the daemon does.
 * Tests that use it must not run in parallel with others on the same bus. */
typedef struct _RwTestNotifications RwTestNotifications;

typedef struct {
  guint32  id;
  char    *app_name;
  char    *summary;
  char    *body;
  char   **actions;
} RwTestNotification;

RwTestNotifications      *rw_test_notifications_new     (void);
void                      rw_test_notifications_free    (RwTestNotifications *self);
guint                     rw_test_notifications_count   (RwTestNotifications *self);
const RwTestNotification *rw_test_notifications_get     (RwTestNotifications *self,
                                                         guint                index);
/* Emits ActionInvoked (id, "default"): the user clicked the notification. */
void                      rw_test_notifications_click   (RwTestNotifications *self,
                                                         guint32              id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwTestNotifications, rw_test_notifications_free)

G_END_DECLS
