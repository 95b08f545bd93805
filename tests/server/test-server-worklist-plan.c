/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-server-exams.h"
#include "rw-server-schema.h"
#include "rw-server-store.h"
#include "rw-test-util.h"

/* The worklist must stay fast with a million exams. Timing it here would
 * be a flaky test; instead each filter's query plan is checked: every
 * filter is answered from an index, never by reading the whole exams
 * table, and the text search uses the full-text index. */

typedef struct {
  const char *name;
  const char *statuses;
  const char *modality;
  const char *q_words;
  const char *from;
  const char *to;
  gint64      assigned_to;
  gint64      updated_since;
  gint64      cursor;
} Case;

static char *
plan_of (RwSqlite                 *db,
         const RwServerExamFilter *filter)
{
  g_autofree char *sql = rw_server_exams_list_sql (filter);
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) plan = g_string_new (NULL);
  gboolean has_row = FALSE;

  stmt = rw_sqlite_prepare (db, explain, &error);
  g_assert_no_error (error);
  rw_server_exams_bind_filter (stmt, filter);
  for (;;)
    {
      g_assert_true (rw_sqlite_step_row (db, stmt, &has_row, &error));
      if (!has_row)
        break;
      g_string_append_printf (plan, "%s\n", sqlite3_column_text (stmt, 3));
    }
  return g_string_free (g_steal_pointer (&plan), FALSE);
}

static gboolean
full_scan_of_exams (const char *plan)
{
  g_auto(GStrv) lines = g_strsplit (plan, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_equal (g_strstrip (lines[i]), "SCAN e"))
      return TRUE;
  return FALSE;
}

static void
test_plans (void)
{
  g_autofree char *dir = rw_test_make_tmpdir ("rw-plan");
  g_autofree char *path = g_build_filename (dir, "plan.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = rw_server_store_open_database (path, FALSE, &error);
  const Case cases[] = {
    { "status", "pending", NULL, NULL, NULL, NULL, 0, 0, 0 },
    { "two statuses", "pending,in_progress", NULL, NULL, NULL, NULL, 0, 0, 0 },
    { "modality", NULL, "CT", NULL, NULL, NULL, 0, 0, 0 },
    { "text", NULL, NULL, "joao", NULL, NULL, 0, 0, 0 },
    { "text and status", "pending", NULL, "joao", NULL, NULL, 0, 0, 0 },
    { "two words", NULL, NULL, "silva jo", NULL, NULL, 0, 0, 0 },
    { "study dates", NULL, NULL, NULL, "2024-01-01", "2024-01-31", 0, 0, 0 },
    { "from", NULL, NULL, NULL, "2024-01-01", NULL, 0, 0, 0 },
    { "assigned", NULL, NULL, NULL, NULL, NULL, 3, 0, 0 },
    { "updated since", NULL, NULL, NULL, NULL, NULL, 0, 1704067200000000, 0 },
    { "status and modality", "completed", "MR", NULL, NULL, NULL, 0, 0, 0 },
    { "next page", NULL, NULL, NULL, NULL, NULL, 0, 0, 5000 },
    { "next page of a status", "pending", NULL, NULL, NULL, NULL, 0, 0, 5000 },
    { "everything", "pending", "CT", "joao", "2024-01-01", "2024-01-31", 3, 1704067200000000, 5000 },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RwServerExamFilter filter = { 0, };
      g_autofree char *plan = NULL;

      filter.statuses = cases[i].statuses != NULL ? g_strsplit (cases[i].statuses, ",", -1) : NULL;
      filter.modality = g_strdup (cases[i].modality);
      filter.q_words = cases[i].q_words != NULL ? g_strsplit (cases[i].q_words, " ", -1) : NULL;
      filter.from = g_strdup (cases[i].from);
      filter.to = g_strdup (cases[i].to);
      filter.assigned_to = cases[i].assigned_to;
      filter.updated_since = cases[i].updated_since;
      filter.cursor = cases[i].cursor;
      filter.limit = 100;

      plan = plan_of (db, &filter);
      g_test_message ("%s:\n%s", cases[i].name, plan);
      g_assert_false (full_scan_of_exams (plan));
      if (cases[i].q_words != NULL)
        g_assert_nonnull (strstr (plan, "VIRTUAL TABLE INDEX 0:M"));
      rw_server_exam_filter_clear (&filter);
    }

  /* With no filter at all, the newest rows come straight from the rowid
   * order, so the LIMIT ends the walk: no sort of the whole table. */
  {
    RwServerExamFilter filter = { 0, };
    g_autofree char *plan = NULL;

    filter.limit = 100;
    plan = plan_of (db, &filter);
    g_assert_null (strstr (plan, "TEMP B-TREE"));
  }

  g_clear_object (&db);
  rw_test_rm_rf (dir);
}

/* A database of the first schema (trigram search) keeps its search copy
 * through the migration to word search. */
static void
test_upgrade (void)
{
  g_autofree char *dir = rw_test_make_tmpdir ("rw-upgrade");
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const RwSqliteMigration *migrations;
  gboolean has_row = FALSE;
  guint n;

  migrations = rw_server_schema_get_migrations (&n);
  g_assert_cmpuint (n, >=, 2);
  db = rw_sqlite_open (path, RW_SQLITE_DURABLE, migrations, 1, &error);
  g_assert_no_error (error);
  g_assert_true (rw_sqlite_exec (db,
                                 "INSERT INTO patients (id, patient_id, name, created_at, updated_at)"
                                 " VALUES (1, 'P1', 'SILVA^JOÃO', 0, 0);"
                                 "INSERT INTO exams (id, patient_ref, study_uid, received_at, updated_at)"
                                 " VALUES (7, 1, '1.2.3', 0, 0);"
                                 "INSERT INTO exam_search (rowid, folded) VALUES (7, 'silva joao p1');",
                                 &error));
  g_assert_no_error (error);
  g_clear_object (&db);

  db = rw_server_store_open_database (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rw_sqlite_get_schema_version (db), ==, n);
  stmt = rw_sqlite_prepare (db, "SELECT rowid FROM exam_search WHERE exam_search MATCH '\"jo\"*'", &error);
  g_assert_no_error (error);
  g_assert_true (rw_sqlite_step_row (db, stmt, &has_row, &error));
  g_assert_true (has_row);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, 7);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_object (&db);
  rw_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/worklist/plans", test_plans);
  g_test_add_func ("/server/schema/upgrade", test_upgrade);

  return g_test_run ();
}
