/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-session.h"

G_BEGIN_DECLS

#define RW_TYPE_WORKLIST_VIEW (rw_worklist_view_get_type ())
G_DECLARE_FINAL_TYPE (RwWorklistView, rw_worklist_view, RW, WORKLIST_VIEW, GtkWidget)

GtkWidget     *rw_worklist_view_new              (void);
void           rw_worklist_view_set_session      (RwWorklistView *self,
                                                  RwSession      *session);
gboolean       rw_worklist_view_select_exam      (RwWorklistView *self,
                                                  gint64          exam_id);
RwExam        *rw_worklist_view_get_selected     (RwWorklistView *self);
GtkColumnView *rw_worklist_view_get_column_view  (RwWorklistView *self);
/* Shows every exam of the current status: no search, modality or dates. */
void           rw_worklist_view_clear_filters    (RwWorklistView *self);

G_END_DECLS
