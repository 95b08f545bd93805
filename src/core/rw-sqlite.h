/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define RW_SQLITE_ERROR (rw_sqlite_error_quark ())

typedef enum {
  RW_SQLITE_ERROR_OPEN,
  RW_SQLITE_ERROR_SCHEMA,
  RW_SQLITE_ERROR_QUERY,
  RW_SQLITE_ERROR_CONSTRAINT,
  RW_SQLITE_ERROR_BUSY,
} RwSqliteError;

/* One migration: the SQL that takes the schema from version N-1 to N, where
 * N is its position in the array, counting from 1. Released migrations are
 * never edited; a change of schema is a new one at the end. */
typedef struct {
  const char *sql;
} RwSqliteMigration;

typedef enum {
  /* fsync on every commit: what a webhook or a report save needs before it is
   * acknowledged. */
  RW_SQLITE_DURABLE,
  /* synchronous=NORMAL in WAL: a power cut may lose the last commits, never
   * corrupt; enough for a cache that the server can refill. */
  RW_SQLITE_CACHE,
} RwSqliteDurability;

#define RW_TYPE_SQLITE (rw_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (RwSqlite, rw_sqlite, RW, SQLITE, GObject)

GQuark        rw_sqlite_error_quark   (void);

RwSqlite     *rw_sqlite_open          (const char              *path,
                                       RwSqliteDurability       durability,
                                       const RwSqliteMigration *migrations,
                                       guint                    n_migrations,
                                       GError                 **error);
RwSqlite     *rw_sqlite_open_unshared (const char              *path,
                                       RwSqliteDurability       durability,
                                       const RwSqliteMigration *migrations,
                                       guint                    n_migrations,
                                       GError                 **error);
const char   *rw_sqlite_get_path      (RwSqlite                *self);
sqlite3      *rw_sqlite_get_handle    (RwSqlite                *self);
int           rw_sqlite_get_schema_version (RwSqlite           *self);

gboolean      rw_sqlite_exec          (RwSqlite                *self,
                                       const char              *sql,
                                       GError                 **error);
sqlite3_stmt *rw_sqlite_prepare       (RwSqlite                *self,
                                       const char              *sql,
                                       GError                 **error);
gboolean      rw_sqlite_step_done     (RwSqlite                *self,
                                       sqlite3_stmt            *stmt,
                                       GError                 **error);
gboolean      rw_sqlite_step_row      (RwSqlite                *self,
                                       sqlite3_stmt            *stmt,
                                       gboolean                *has_row,
                                       GError                 **error);

gboolean      rw_sqlite_begin         (RwSqlite                *self,
                                       GError                 **error);
gboolean      rw_sqlite_commit        (RwSqlite                *self,
                                       GError                 **error);
void          rw_sqlite_rollback      (RwSqlite                *self);

void          rw_sqlite_set_error     (RwSqlite                *self,
                                       GError                 **error,
                                       const char              *context);

/* A statement kept prepared in the connection's cache, for SQL that runs
 * often (the webhook's upsert, the token check). The g_autoptr cleanup
 * resets it and clears its bindings, so it is ready for the next caller and
 * holds no read transaction open. Only for constant SQL text: the cache is
 * keyed by the text and never shrinks. */
typedef sqlite3_stmt RwSqliteCachedStmt;

RwSqliteCachedStmt *rw_sqlite_prepare_cached (RwSqlite           *self,
                                              const char         *sql,
                                              GError            **error);
void          rw_sqlite_cached_stmt_release (RwSqliteCachedStmt *stmt);
/* Runs the cached query @sql, whose one parameter is @id, up to its first
 * row: the statement, *has_row saying whether a row is ready to be read,
 * or NULL with @error. */
RwSqliteCachedStmt *rw_sqlite_query_id (RwSqlite           *self,
                                        const char         *sql,
                                        gint64              id,
                                        gboolean           *has_row,
                                        GError            **error);

/* Columns as GLib strings: NULL for SQL NULL. */
char         *rw_sqlite_column_dup    (sqlite3_stmt            *stmt,
                                       int                      column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwSqliteCachedStmt, rw_sqlite_cached_stmt_release)

G_END_DECLS
