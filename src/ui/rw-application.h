/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-reading-context.h"
#include "rw-session.h"

G_BEGIN_DECLS

#define RW_TYPE_APPLICATION (rw_application_get_type ())
G_DECLARE_FINAL_TYPE (RwApplication, rw_application, RW, APPLICATION, AdwApplication)

RwApplication *rw_application_new         (const char        *application_id,
                                           GApplicationFlags  flags);
RwSession     *rw_application_get_session (RwApplication     *self);
GSettings     *rw_application_get_settings (RwApplication    *self);
/* What the reading views share: WebKit, drafts and the outbox, the phrase
 * bank. */
RwReadingContext *rw_application_get_reading_context (RwApplication *self);

/* Registers the compiled-in resources; the application does it itself,
 * widget tests without one call this. */
void           rw_ui_init                 (void);

G_END_DECLS
