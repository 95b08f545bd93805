/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "rw-server-users.h"

G_BEGIN_DECLS

#define RW_TYPE_SERVER_EVENTS (rw_server_events_get_type ())
G_DECLARE_FINAL_TYPE (RwServerEvents, rw_server_events, RW, SERVER_EVENTS, GObject)

RwServerEvents *rw_server_events_new           (guint                    max_backlog);
void            rw_server_events_add_client    (RwServerEvents          *self,
                                                SoupWebsocketConnection *connection,
                                                GSocket                 *socket,
                                                const RwServerUser      *user);
void            rw_server_events_broadcast     (RwServerEvents          *self,
                                                const char              *frame);
void            rw_server_events_close_all     (RwServerEvents          *self);

G_END_DECLS
