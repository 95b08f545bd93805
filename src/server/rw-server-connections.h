/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define RW_TYPE_SERVER_CONNECTIONS (rw_server_connections_get_type ())
G_DECLARE_FINAL_TYPE (RwServerConnections, rw_server_connections, RW, SERVER_CONNECTIONS, GObject)

RwServerConnections *rw_server_connections_new        (SoupServer          *soup);
gboolean             rw_server_connections_listen     (RwServerConnections *self,
                                                       const char          *host,
                                                       guint16              port,
                                                       GError             **error);
void                 rw_server_connections_stop       (RwServerConnections *self);
void                 rw_server_connections_hold_answer (RwServerConnections *self,
                                                        SoupServerMessage   *msg);
GSocket             *rw_server_connections_get_socket (RwServerConnections *self,
                                                       SoupServerMessage   *msg);

G_END_DECLS
