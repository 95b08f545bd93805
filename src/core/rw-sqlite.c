/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rw-sqlite.h"

/* A thin owner of one SQLite connection: WAL mode, foreign keys, a busy
 * timeout, schema migrations counted in PRAGMA user_version, and errors in
 * RW_SQLITE_ERROR. Callers keep prepared statements and transactions; this
 * file only makes the common steps hard to get wrong. */
struct _RwSqlite
{
  GObject  parent_instance;

  sqlite3    *db;
  char       *path;
  int         schema_version;
  /* SQL text → sqlite3_stmt, see rw_sqlite_prepare_cached(). */
  GHashTable *cache;
};

G_DEFINE_FINAL_TYPE (RwSqlite, rw_sqlite, G_TYPE_OBJECT)

G_DEFINE_QUARK (rw-sqlite-error-quark, rw_sqlite_error)

static int
error_code_for (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CONSTRAINT:
      return RW_SQLITE_ERROR_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return RW_SQLITE_ERROR_BUSY;
    default:
      return RW_SQLITE_ERROR_QUERY;
    }
}

void
rw_sqlite_set_error (RwSqlite    *self,
                     GError     **error,
                     const char  *context)
{
  int rc = sqlite3_extended_errcode (self->db);

  g_set_error (error, RW_SQLITE_ERROR, error_code_for (rc),
               "%s: %s (%s)", context, sqlite3_errmsg (self->db), self->path);
}

static gboolean
migrate (RwSqlite                 *self,
         const RwSqliteMigration  *migrations,
         guint                     n_migrations,
         GError                  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;
  int version;

  stmt = rw_sqlite_prepare (self, "PRAGMA user_version", error);
  if (stmt == NULL || !rw_sqlite_step_row (self, stmt, &has_row, error))
    return FALSE;
  version = has_row ? sqlite3_column_int (stmt, 0) : 0;
  /* A statement still stepping would lock the schema: a migration that
   * drops a table would fail with "database table is locked". */
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (version > (int) n_migrations)
    {
      g_set_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_SCHEMA,
                   _("The database %s was written by a newer version of Radiweb (schema %d, this version knows %u); update Radiweb before using it"),
                   self->path, version, n_migrations);
      return FALSE;
    }

  for (guint i = (guint) version; i < n_migrations; i++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %u", i + 1);

      if (!rw_sqlite_begin (self, error))
        return FALSE;
      if (!rw_sqlite_exec (self, migrations[i].sql, error) ||
          !rw_sqlite_exec (self, bump, error) ||
          !rw_sqlite_commit (self, error))
        {
          rw_sqlite_rollback (self);
          g_prefix_error (error, "schema %u: ", i + 1);
          return FALSE;
        }
      g_debug ("%s: schema migrated to version %u", self->path, i + 1);
    }

  self->schema_version = (int) n_migrations;
  return TRUE;
}

static void
rw_sqlite_finalize (GObject *object)
{
  RwSqlite *self = (RwSqlite *)object;

  /* Cached statements first: sqlite3_close_v2() would otherwise keep the
   * connection alive as a zombie until they are finalized. */
  g_clear_pointer (&self->cache, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->path);

  G_OBJECT_CLASS (rw_sqlite_parent_class)->finalize (object);
}

static void
rw_sqlite_class_init (RwSqliteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_sqlite_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

/* The cache's hash: the length of the SQL and its first and last 16
 * characters, which tell the statements of a connection apart; equality
 * still compares the whole text. g_str_hash() read every character of the
 * longer statements (a webhook's upsert is 700) at each lookup. */
static guint
sql_hash (gconstpointer key)
{
  const char *sql = key;
  gsize len = strlen (sql);
  guint hash = (guint) len;

  for (gsize i = 0; i < MIN (len, 16); i++)
    hash = hash * 31 + (guchar) sql[i];
  for (gsize i = len > 16 ? len - 16 : 0; i < len; i++)
    hash = hash * 31 + (guchar) sql[i];
  return hash;
}

static void
rw_sqlite_init (RwSqlite *self)
{
  self->cache = g_hash_table_new_full (sql_hash, g_str_equal, g_free, finalize_statement);
}

/* Opens (creating if needed) the database at @path and brings its schema up
 * to date. The connection is serialized (SQLITE_OPEN_FULLMUTEX) so it may be
 * shared by a worker thread, though one thread at a time is the norm. */
static RwSqlite *
open_connection (const char               *path,
                 RwSqliteDurability        durability,
                 int                       threading,
                 const RwSqliteMigration  *migrations,
                 guint                     n_migrations,
                 GError                  **error)
{
  g_autoptr(RwSqlite) self = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;
  const char *journal;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RW_TYPE_SQLITE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | threading,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_OPEN,
                   _("Could not open the database %s: %s"), path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  /* Journal mode is the first statement that touches the file, so it is the
   * one that finds out whether the path holds a database at all. */
  stmt = rw_sqlite_prepare (self, "PRAGMA journal_mode = WAL", error);
  if (stmt == NULL || !rw_sqlite_step_row (self, stmt, &has_row, error))
    {
      g_clear_error (error);
      g_set_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_OPEN,
                   _("Could not open the database %s: %s"), path,
                   sqlite3_errmsg (self->db));
      return NULL;
    }
  journal = has_row ? (const char *) sqlite3_column_text (stmt, 0) : NULL;
  if (g_strcmp0 (journal, "wal") != 0)
    {
      g_set_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_OPEN,
                   _("Could not open the database %s: write-ahead logging is not available there"),
                   path);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!rw_sqlite_exec (self, "PRAGMA foreign_keys = ON", error) ||
      !rw_sqlite_exec (self, durability == RW_SQLITE_DURABLE
                               ? "PRAGMA synchronous = FULL"
                               : "PRAGMA synchronous = NORMAL", error))
    return NULL;

  if (!migrate (self, migrations, n_migrations, error))
    return NULL;

  return g_steal_pointer (&self);
}

RwSqlite *
rw_sqlite_open (const char               *path,
                RwSqliteDurability        durability,
                const RwSqliteMigration  *migrations,
                guint                     n_migrations,
                GError                  **error)
{
  return open_connection (path, durability, SQLITE_OPEN_FULLMUTEX, migrations, n_migrations, error);
}

/* As rw_sqlite_open(), for a connection that one thread at a time uses (it
 * may be handed from one thread to another in between): SQLite's own lock
 * around every call, a tenth of the instructions of a small statement, is
 * left out (SQLITE_OPEN_NOMUTEX). */
RwSqlite *
rw_sqlite_open_unshared (const char               *path,
                         RwSqliteDurability        durability,
                         const RwSqliteMigration  *migrations,
                         guint                     n_migrations,
                         GError                  **error)
{
  return open_connection (path, durability, SQLITE_OPEN_NOMUTEX, migrations, n_migrations, error);
}

const char *
rw_sqlite_get_path (RwSqlite *self)
{
  g_return_val_if_fail (RW_IS_SQLITE (self), NULL);
  return self->path;
}

sqlite3 *
rw_sqlite_get_handle (RwSqlite *self)
{
  g_return_val_if_fail (RW_IS_SQLITE (self), NULL);
  return self->db;
}

int
rw_sqlite_get_schema_version (RwSqlite *self)
{
  g_return_val_if_fail (RW_IS_SQLITE (self), 0);
  return self->schema_version;
}

gboolean
rw_sqlite_exec (RwSqlite    *self,
                const char  *sql,
                GError     **error)
{
  g_return_val_if_fail (RW_IS_SQLITE (self), FALSE);

  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      rw_sqlite_set_error (self, error, "exec");
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
rw_sqlite_prepare (RwSqlite    *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (RW_IS_SQLITE (self), NULL);

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      rw_sqlite_set_error (self, error, "prepare");
      return NULL;
    }
  return stmt;
}

RwSqliteCachedStmt *
rw_sqlite_prepare_cached (RwSqlite    *self,
                          const char  *sql,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (RW_IS_SQLITE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  stmt = g_hash_table_lookup (self->cache, sql);
  if (stmt != NULL)
    return stmt;
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      rw_sqlite_set_error (self, error, "prepare");
      return NULL;
    }
  g_hash_table_insert (self->cache, g_strdup (sql), stmt);
  return stmt;
}

void
rw_sqlite_cached_stmt_release (RwSqliteCachedStmt *stmt)
{
  if (stmt == NULL)
    return;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* Steps a statement that returns no rows (INSERT, UPDATE, DELETE). */
gboolean
rw_sqlite_step_done (RwSqlite      *self,
                     sqlite3_stmt  *stmt,
                     GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      rw_sqlite_set_error (self, error, "step");
      sqlite3_reset (stmt);
      return FALSE;
    }
  return TRUE;
}

RwSqliteCachedStmt *
rw_sqlite_query_id (RwSqlite     *self,
                    const char   *sql,
                    gint64        id,
                    gboolean     *has_row,
                    GError      **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  *has_row = FALSE;
  stmt = rw_sqlite_prepare_cached (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!rw_sqlite_step_row (self, stmt, has_row, error))
    return NULL;
  return g_steal_pointer (&stmt);
}

/* Steps a query; *has_row says whether a row is ready to be read. */
gboolean
rw_sqlite_step_row (RwSqlite      *self,
                    sqlite3_stmt  *stmt,
                    gboolean      *has_row,
                    GError       **error)
{
  int rc = sqlite3_step (stmt);

  *has_row = rc == SQLITE_ROW;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      rw_sqlite_set_error (self, error, "step");
      sqlite3_reset (stmt);
      return FALSE;
    }
  return TRUE;
}

/* BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails
 * half-way with SQLITE_BUSY when it first writes. */
gboolean
rw_sqlite_begin (RwSqlite  *self,
                 GError   **error)
{
  return rw_sqlite_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
rw_sqlite_commit (RwSqlite  *self,
                  GError   **error)
{
  return rw_sqlite_exec (self, "COMMIT", error);
}

void
rw_sqlite_rollback (RwSqlite *self)
{
  g_return_if_fail (RW_IS_SQLITE (self));

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

char *
rw_sqlite_column_dup (sqlite3_stmt *stmt,
                      int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}
