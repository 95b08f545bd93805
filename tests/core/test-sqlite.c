/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "rw-sqlite.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static const RwSqliteMigration migrations[] = {
  { "CREATE TABLE patient (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);" },
  { "CREATE TABLE exam (id INTEGER PRIMARY KEY,"
    " patient_id INTEGER NOT NULL REFERENCES patient (id));" },
  /* Replaces a table, as a later schema may. */
  { "CREATE TABLE note (text TEXT);"
    "CREATE TABLE note_new (text TEXT NOT NULL DEFAULT '');"
    "INSERT INTO note_new SELECT coalesce (text, '') FROM note;"
    "DROP TABLE note;"
    "ALTER TABLE note_new RENAME TO note;" },
};

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("rw-sqlite-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
count_rows (RwSqlite   *db,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare (db, sql, &error);
  g_assert_no_error (error);
  g_assert_true (rw_sqlite_step_row (db, stmt, &has_row, &error));
  g_assert_true (has_row);
  return sqlite3_column_int64 (stmt, 0);
}

static void
test_migrations (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = NULL;

  /* Version 1 first, as an older release would have left it. */
  db = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rw_sqlite_get_schema_version (db), ==, 1);
  g_assert_true (rw_sqlite_exec (db, "INSERT INTO patient (name) VALUES ('SILVA^JOAO')", &error));
  g_clear_object (&db);

  db = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rw_sqlite_get_schema_version (db), ==, 2);
  g_assert_cmpint (count_rows (db, "patient"), ==, 1);
  g_assert_cmpint (count_rows (db, "exam"), ==, 0);
  g_clear_object (&db);

  /* Opening again runs nothing twice (a second CREATE TABLE would fail). */
  db = rw_sqlite_open (f->path, RW_SQLITE_CACHE, migrations, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, "patient"), ==, 1);
  g_clear_object (&db);

  /* A migration may drop a table. */
  db = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rw_sqlite_get_schema_version (db), ==, 3);
  g_assert_cmpint (count_rows (db, "note"), ==, 0);
}

static void
test_newer_schema (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = NULL;

  db = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 2, &error);
  g_assert_no_error (error);
  g_clear_object (&db);

  db = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 1, &error);
  g_assert_null (db);
  g_assert_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, f->path));
}

static void
test_not_a_database (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = NULL;
  g_autofree char *missing_dir = g_build_filename (f->dir, "missing", "x.db", NULL);

  g_assert_true (g_file_set_contents (f->path, "this is not sqlite, just text that is long enough"
                                      " to fill a header of one hundred bytes or so..........", -1, NULL));
  db = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 2, &error);
  g_assert_null (db);
  g_assert_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_OPEN);
  g_clear_error (&error);

  db = rw_sqlite_open (missing_dir, RW_SQLITE_DURABLE, migrations, 2, &error);
  g_assert_null (db);
  g_assert_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_OPEN);
}

static void
test_transaction (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = NULL;

  db = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 2, &error);
  g_assert_no_error (error);

  /* A failing statement inside a transaction leaves nothing behind. */
  g_assert_true (rw_sqlite_begin (db, &error));
  g_assert_true (rw_sqlite_exec (db, "INSERT INTO patient (name) VALUES ('A')", &error));
  g_assert_false (rw_sqlite_exec (db, "INSERT INTO exam (patient_id) VALUES (999)", &error));
  g_assert_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_CONSTRAINT);
  rw_sqlite_rollback (db);
  g_assert_cmpint (count_rows (db, "patient"), ==, 0);
  g_clear_error (&error);

  g_assert_true (rw_sqlite_begin (db, &error));
  g_assert_true (rw_sqlite_exec (db, "INSERT INTO patient (name) VALUES ('A')", &error));
  g_assert_true (rw_sqlite_commit (db, &error));
  g_assert_cmpint (count_rows (db, "patient"), ==, 1);

  g_assert_false (rw_sqlite_exec (db, "INSERT INTO patient (name) VALUES ('A')", &error));
  g_assert_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_CONSTRAINT);
}

static void
test_cached (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = NULL;
  g_autoptr(RwSqlite) other = NULL;
  sqlite3_stmt *first = NULL;
  const char *sql = "SELECT count(*) FROM patient WHERE name = ?";

  db = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 2, &error);
  g_assert_no_error (error);
  g_assert_true (rw_sqlite_exec (db, "INSERT INTO patient (name) VALUES ('A'), ('B')", &error));

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(RwSqliteCachedStmt) stmt = rw_sqlite_prepare_cached (db, sql, &error);
      gboolean has_row = FALSE;

      g_assert_no_error (error);
      /* Prepared once, handed out again. */
      if (first == NULL)
        first = stmt;
      g_assert_true (stmt == first);
      /* Released statements come back without the last caller's bindings. */
      g_assert_cmpint (sqlite3_bind_parameter_count (stmt), ==, 1);
      if (i != 1)
        sqlite3_bind_text (stmt, 1, "A", -1, SQLITE_STATIC);
      g_assert_true (rw_sqlite_step_row (db, stmt, &has_row, &error));
      g_assert_true (has_row);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, i != 1 ? 1 : 0);
    }

  /* A released statement holds no read transaction: another connection
   * can write and checkpoint. */
  other = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 2, &error);
  g_assert_no_error (error);
  g_assert_true (rw_sqlite_exec (other, "INSERT INTO patient (name) VALUES ('C')", &error));
  g_assert_true (rw_sqlite_exec (other, "PRAGMA wal_checkpoint(TRUNCATE)", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (db, "patient"), ==, 3);

  /* A bad statement is an error, not a cache entry. */
  g_assert_null (rw_sqlite_prepare_cached (db, "SELECT nothing FROM nowhere", &error));
  g_assert_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_QUERY);
}

/* A query by id stops at its row, says when there is none, and fails
 * cleanly on a bad statement. */
static void
test_query_id (Fixture       *f,
               gconstpointer  data)
{
  const char *sql = "SELECT name FROM patient WHERE id = ?";
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = NULL;

  db = rw_sqlite_open (f->path, RW_SQLITE_DURABLE, migrations, 2, &error);
  g_assert_no_error (error);
  g_assert_true (rw_sqlite_exec (db, "INSERT INTO patient (id, name) VALUES (7, 'A'), (8, 'B')", &error));

  for (gint64 id = 7; id <= 9; id++)
    {
      g_autoptr(RwSqliteCachedStmt) stmt = NULL;
      gboolean has_row = id == 9;

      stmt = rw_sqlite_query_id (db, sql, id, &has_row, &error);
      g_assert_no_error (error);
      g_assert_nonnull (stmt);
      g_assert_true (has_row == (id != 9));
      if (has_row)
        g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, id == 7 ? "A" : "B");
    }

  {
    gboolean has_row = TRUE;

    g_assert_null (rw_sqlite_query_id (db, "SELECT name FROM nowhere WHERE id = ?", 7, &has_row, &error));
    g_assert_error (error, RW_SQLITE_ERROR, RW_SQLITE_ERROR_QUERY);
    g_assert_false (has_row);
  }
}

/* A connection for one thread at a time works as any other, and its cache
 * tells apart statements of the same length that begin and end alike. */
static void
test_unshared (Fixture       *f,
               gconstpointer  data)
{
  const char *equal = "SELECT count(*) FROM patient WHERE name = ? AND length (name) > 0";
  const char *after = "SELECT count(*) FROM patient WHERE name > ? AND length (name) > 0";
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = NULL;

  db = rw_sqlite_open_unshared (f->path, RW_SQLITE_DURABLE, migrations, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rw_sqlite_get_schema_version (db), ==, 2);
  g_assert_true (rw_sqlite_exec (db, "INSERT INTO patient (name) VALUES ('A'), ('B')", &error));

  for (guint i = 0; i < 2; i++)
    {
      const char *sql = i == 0 ? equal : after;
      g_autoptr(RwSqliteCachedStmt) stmt = rw_sqlite_prepare_cached (db, sql, &error);
      gboolean has_row = FALSE;

      g_assert_no_error (error);
      g_assert_cmpstr (sqlite3_sql (stmt), ==, sql);
      sqlite3_bind_text (stmt, 1, "A", -1, SQLITE_STATIC);
      g_assert_true (rw_sqlite_step_row (db, stmt, &has_row, &error));
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sqlite/migrations", Fixture, NULL, fixture_setup, test_migrations, fixture_teardown);
  g_test_add ("/sqlite/newer-schema", Fixture, NULL, fixture_setup, test_newer_schema, fixture_teardown);
  g_test_add ("/sqlite/not-a-database", Fixture, NULL, fixture_setup, test_not_a_database, fixture_teardown);
  g_test_add ("/sqlite/transaction", Fixture, NULL, fixture_setup, test_transaction, fixture_teardown);
  g_test_add ("/sqlite/cached", Fixture, NULL, fixture_setup, test_cached, fixture_teardown);
  g_test_add ("/sqlite/query-id", Fixture, NULL, fixture_setup, test_query_id, fixture_teardown);
  g_test_add ("/sqlite/unshared", Fixture, NULL, fixture_setup, test_unshared, fixture_teardown);

  return g_test_run ();
}
