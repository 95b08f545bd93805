/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rw-exam.h"

G_BEGIN_DECLS

#define RW_TYPE_LOCAL_STORE (rw_local_store_get_type ())
G_DECLARE_FINAL_TYPE (RwLocalStore, rw_local_store, RW, LOCAL_STORE, GObject)

RwLocalStore *rw_local_store_new          (const char           *path);
const char   *rw_local_store_get_path     (RwLocalStore         *self);

/* The cached worklist of @server (a base URL). A cache of another server is
 * never shown: it yields an empty list and a high-water mark of 0. */
void          rw_local_store_load_async   (RwLocalStore         *self,
                                           const char           *server,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
/* RwExam elements, in no particular order (the worklist sorts them); a
 * SQL ORDER BY would cost a sort of the whole table at every start.
 * @high_water_mark is the newest
 * updated_at (Unix seconds) the cache has seen, for updated_since. */
GPtrArray    *rw_local_store_load_finish  (RwLocalStore         *self,
                                           GAsyncResult         *result,
                                           gint64               *high_water_mark,
                                           GError              **error);

/* rw_local_store_load_async() for a worker thread: waits for the store's
 * thread to read the cache, in turn with the other calls. Never call it
 * on the main thread. */
GPtrArray    *rw_local_store_load         (RwLocalStore         *self,
                                           const char           *server,
                                           GCancellable         *cancellable,
                                           gint64               *high_water_mark,
                                           GError              **error);

/* Inserts or replaces @exams (RwExam) as the cache of @server in one
 * transaction and raises the high-water mark to their newest updated_at.
 * The exams are copied before returning, so the caller may go on changing
 * them. */
void          rw_local_store_save_async   (RwLocalStore         *self,
                                           const char           *server,
                                           GPtrArray            *exams,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean      rw_local_store_save_finish  (RwLocalStore         *self,
                                           GAsyncResult         *result,
                                           GError              **error);

/* Forgets the cached worklist (on sign-out: patient data does not outlive
 * the session on a shared workstation). */
void          rw_local_store_clear_async  (RwLocalStore         *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean      rw_local_store_clear_finish (RwLocalStore         *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
