/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rw-sqlite.h"

G_BEGIN_DECLS

/* Work on the database, run away from the main loop. A read runs in a
 * thread of GTask's pool on a read-only connection inside one read
 * transaction (a consistent snapshot). A write runs on the single writer
 * thread in a transaction that groups every write waiting at that moment;
 * the callback runs only once that transaction is durably committed
 * (synchronous=FULL). A function that fails leaves nothing behind and the
 * others of its group still commit; for that, a write function may be run
 * more than once (when another of its group fails after writing, the
 * group runs again), so it must set its results afresh on each run. */
typedef gboolean (*RwServerStoreFunc) (RwSqlite  *db,
                                       gpointer   data,
                                       GError   **error);

#define RW_TYPE_SERVER_STORE (rw_server_store_get_type ())
G_DECLARE_FINAL_TYPE (RwServerStore, rw_server_store, RW, SERVER_STORE, GObject)

RwSqlite      *rw_server_store_open_database (const char           *path,
                                              gboolean              read_only,
                                              GError              **error);

RwServerStore *rw_server_store_new           (const char           *path,
                                              GError              **error);
RwSqlite      *rw_server_store_get_main_connection (RwServerStore  *self);
void           rw_server_store_read_async    (RwServerStore        *self,
                                              RwServerStoreFunc     func,
                                              gpointer              data,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean       rw_server_store_read_finish   (RwServerStore        *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void           rw_server_store_write_async   (RwServerStore        *self,
                                              RwServerStoreFunc     func,
                                              gpointer              data,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean       rw_server_store_write_finish  (RwServerStore        *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void           rw_server_store_stop          (RwServerStore        *self);

G_END_DECLS
