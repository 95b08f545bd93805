/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-reading-view.h"
#include "rw-session.h"
#include "rw-sign-in-page.h"
#include "rw-worklist-view.h"

G_BEGIN_DECLS

#define RW_TYPE_WINDOW (rw_window_get_type ())
G_DECLARE_FINAL_TYPE (RwWindow, rw_window, RW, WINDOW, AdwApplicationWindow)

RwWindow       *rw_window_new               (gpointer   application,
                                             RwSession *session);
void            rw_window_open_exam         (RwWindow  *self,
                                             gint64     exam_id);
/* "loading", "sign-in" or "worklist". */
const char     *rw_window_get_page          (RwWindow  *self);
RwSignInPage   *rw_window_get_sign_in_page  (RwWindow  *self);
RwWorklistView *rw_window_get_worklist_view (RwWindow  *self);
/* The open exams are tabs after the pinned worklist. */
AdwTabView     *rw_window_get_tab_view      (RwWindow  *self);
/* The strip of tabs, shown only while an exam is open. */
AdwTabBar      *rw_window_get_tab_bar       (RwWindow  *self);
/* The tab of @exam_id, or NULL when it is not open. */
RwReadingView  *rw_window_get_reading_view  (RwWindow  *self,
                                             gint64     exam_id);

G_END_DECLS
