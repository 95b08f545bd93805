/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-reading-context.h"

G_BEGIN_DECLS

typedef enum {
  RW_VIEWER_PANE_EMPTY,
  /* Reading the keyring and asking Orthanc for the study's series. */
  RW_VIEWER_PANE_PREPARING,
  /* The viewer's page is loading in the web view. */
  RW_VIEWER_PANE_LOADING,
  RW_VIEWER_PANE_READY,
  RW_VIEWER_PANE_FAILED,
} RwViewerPaneState;

typedef enum {
  RW_VIEWER_PROBLEM_NONE,
  /* No PACS address in the preferences nor from the server. */
  RW_VIEWER_PROBLEM_NO_ADDRESS,
  RW_VIEWER_PROBLEM_UNREACHABLE,
  /* Orthanc refused the user and password of the keyring, or asked for
   * some and none are set. */
  RW_VIEWER_PROBLEM_UNAUTHORIZED,
  /* The PACS does not have the study. */
  RW_VIEWER_PROBLEM_STUDY_NOT_FOUND,
  /* The viewer's page is a 404: its plugin is not on that Orthanc. */
  RW_VIEWER_PROBLEM_VIEWER_MISSING,
  RW_VIEWER_PROBLEM_OTHER,
} RwViewerProblem;

/* The images of a study in the web viewer of the PACS: a WebKitWebView of
 * the application's shared web context and network session, Orthanc's
 * HTTP authentication answered from the keyring (never a password in a
 * URL), navigation kept on the PACS, and what went wrong said plainly,
 * with what to do about it. */
#define RW_TYPE_VIEWER_PANE (rw_viewer_pane_get_type ())
G_DECLARE_FINAL_TYPE (RwViewerPane, rw_viewer_pane, RW, VIEWER_PANE, GtkWidget)

RwViewerPane      *rw_viewer_pane_new             (RwReadingContext *context);

/* Shows @exam's images (the viewer of the preferences). */
void               rw_viewer_pane_load            (RwViewerPane     *self,
                                                   RwExam           *exam);
void               rw_viewer_pane_reload          (RwViewerPane     *self);
RwExam            *rw_viewer_pane_get_exam        (RwViewerPane     *self);

RwViewerPaneState  rw_viewer_pane_get_state       (RwViewerPane     *self);
RwViewerProblem    rw_viewer_pane_get_problem     (RwViewerPane     *self);
/* What the pane says: the failure's title and explanation, or a note
 * (another viewer is shown than the preferences name). */
const char        *rw_viewer_pane_get_title       (RwViewerPane     *self);
const char        *rw_viewer_pane_get_message     (RwViewerPane     *self);
/* The viewer actually shown. */
RwViewerKind       rw_viewer_pane_get_kind        (RwViewerPane     *self);
WebKitWebView     *rw_viewer_pane_get_web_view    (RwViewerPane     *self);

G_END_DECLS
