/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-report.h"

G_BEGIN_DECLS

typedef enum {
  /* The text typed here overwrites the server's: a choice made having seen
   * both. */
  RW_CONFLICT_KEEP_MINE,
  /* The server's text replaces the one typed here. */
  RW_CONFLICT_USE_THEIRS,
} RwConflictChoice;

/* A save found the laudo changed on the server (a colleague, or the same
 * radiologist at another workstation, saved meanwhile). Both texts side by
 * side, the sections that differ marked; nothing happens until the
 * radiologist chooses ("resolved"). A final laudo on the server can only be
 * taken as it is: the typed text can still be copied for an addendum. */
#define RW_TYPE_CONFLICT_DIALOG (rw_conflict_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RwConflictDialog, rw_conflict_dialog, RW, CONFLICT_DIALOG, AdwWindow)

RwConflictDialog *rw_conflict_dialog_new         (const char * const *mine,
                                                  RwReport           *theirs);
RwReport         *rw_conflict_dialog_get_theirs  (RwConflictDialog   *self);
/* The text typed here, as the dialog shows it. */
const char       *rw_conflict_dialog_get_mine    (RwConflictDialog   *self,
                                                  RwReportSection     section);

G_END_DECLS
