/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-session.h"

G_BEGIN_DECLS

#define RW_TYPE_PREFERENCES_WINDOW (rw_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (RwPreferencesWindow, rw_preferences_window, RW, PREFERENCES_WINDOW, AdwPreferencesWindow)

RwPreferencesWindow *rw_preferences_window_new (RwSession *session);

G_END_DECLS
