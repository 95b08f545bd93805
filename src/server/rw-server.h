/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rw-server-config.h"

G_BEGIN_DECLS

#define RW_TYPE_SERVER (rw_server_get_type ())
G_DECLARE_FINAL_TYPE (RwServer, rw_server, RW, SERVER, GObject)

RwServer *rw_server_new         (RwServerConfig       *config,
                                 GError              **error);
gboolean  rw_server_listen      (RwServer             *self,
                                 GError              **error);
void      rw_server_stop_async  (RwServer             *self,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
gboolean  rw_server_stop_finish (RwServer             *self,
                                 GAsyncResult         *result,
                                 GError              **error);

G_END_DECLS
