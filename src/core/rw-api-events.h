/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-api-client.h"

G_BEGIN_DECLS

#define RW_TYPE_API_EVENTS (rw_api_events_get_type ())
G_DECLARE_FINAL_TYPE (RwApiEvents, rw_api_events, RW, API_EVENTS, GObject)

RwApiEvents *rw_api_events_new           (RwApiClient *client);
void         rw_api_events_start         (RwApiEvents *self);
void         rw_api_events_stop          (RwApiEvents *self);
gboolean     rw_api_events_get_connected (RwApiEvents *self);

G_END_DECLS
