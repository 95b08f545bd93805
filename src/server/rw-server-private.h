/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-server.h"
#include "rw-server-connections.h"
#include "rw-server-events.h"
#include "rw-server-request.h"
#include "rw-server-store.h"

G_BEGIN_DECLS

/* The server's pieces, for the request and handler files. */
RwServerConfig *rw_server_get_config     (RwServer        *self);
RwServerStore  *rw_server_get_store      (RwServer        *self);
RwServerEvents *rw_server_get_events     (RwServer        *self);
RwServerConnections *rw_server_get_connections (RwServer *self);

/* A request was paused for a job; rw_server_request_done() frees it after
 * its reply. Shutdown waits for every detached request. */
void            rw_server_request_detach (RwServer        *self,
                                          RwServerRequest *req);
void            rw_server_request_done   (RwServer        *self,
                                          RwServerRequest *req);

G_END_DECLS
