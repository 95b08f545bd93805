/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-orthanc-client.h"

G_BEGIN_DECLS

/* Follows Orthanc's change feed (GET /changes) and emits "stable-study"
 * for each StableStudy, in order, with its sequence number.
 *
 * The caller owns the position: it passes the last sequence number it
 * stored to rw_change_follower_new(), and stores the "seq" property when it
 * changes (after the studies up to it are handled), or the seq given with
 * each "stable-study". A restarted program resumes where it stopped, and
 * sees each change once.
 *
 * Orthanc's sequence numbers survive its restarts and have gaps where
 * studies were deleted (their changes go with them); both are fine. While
 * Orthanc cannot be reached, "error" is emitted, "connected" turns FALSE
 * and polling backs off (up to 5 s, or the interval if longer). If Orthanc's
 * last sequence number is below the stored one, its database was replaced:
 * the follower starts again from 0 and warns, and the consumer sees the
 * studies again (its intake must be idempotent, as the webhook's is). */
#define RW_TYPE_CHANGE_FOLLOWER (rw_change_follower_get_type ())
G_DECLARE_FINAL_TYPE (RwChangeFollower, rw_change_follower, RW, CHANGE_FOLLOWER, GObject)

RwChangeFollower *rw_change_follower_new           (RwOrthancClient  *client,
                                                    gint64            since);
/* Polls every @interval_ms while there is nothing new (1000 by default). */
void              rw_change_follower_set_interval  (RwChangeFollower *self,
                                                    guint             interval_ms);
guint             rw_change_follower_get_interval  (RwChangeFollower *self);
/* Starts polling in the thread-default main context. */
void              rw_change_follower_start         (RwChangeFollower *self);
/* Stops at once, also from a "stable-study" handler: no further signal is
 * emitted and "seq" stays at the last change handed out. */
void              rw_change_follower_stop          (RwChangeFollower *self);
gboolean          rw_change_follower_get_running   (RwChangeFollower *self);
gboolean          rw_change_follower_get_connected (RwChangeFollower *self);
/* The sequence number of the last change handled. */
gint64            rw_change_follower_get_seq       (RwChangeFollower *self);

G_END_DECLS
