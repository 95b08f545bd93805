/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-api-events.h"
#include "rw-session.h"

G_BEGIN_DECLS

/* What rw-session.c (the object, the worklist's sync and the event
 * stream) and rw-session-sign-in.c (signing in and out) share. */

struct _RwSession
{
  GObject          parent_instance;

  /* Owned references */
  GSettings       *settings;
  RwLocalStore    *store;
  RwWorklistModel *worklist;
  RwApiClient     *client;
  RwApiEvents     *events;
  GCancellable    *cancellable;

  char            *server_url;
  char            *username;
  char            *display_name;

  /* The newest updated_at seen, for updated_since. */
  gint64           high_water_mark;
  /* GTask of each rw_session_restore_async() waiting for the one under
   * way; NULL when none is. */
  GPtrArray       *restore_waiters;

  RwSessionState   state;
  guint            online : 1;
  guint            syncing : 1;
  guint            sync_again : 1;
};

void rw_session_set_state        (RwSession      *self,
                                  RwSessionState  state);
/* The server and user from now on; a new API client if the server is
 * another. */
void rw_session_use_server       (RwSession      *self,
                                  const char     *server_url,
                                  const char     *username);
void rw_session_set_display_name (RwSession      *self,
                                  const char     *display_name);
/* Opens the event stream and brings the worklist up to date. */
void rw_session_go_live          (RwSession      *self);
void rw_session_stop_live        (RwSession      *self);
void rw_session_disconnect       (RwSession      *self);

G_END_DECLS
