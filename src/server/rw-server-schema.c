/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include "rw-server-schema.h"
#include "rw-text.h"

/* The server's schema. Released migrations are never edited: a change is a
 * new entry at the end. Times are microseconds since the Unix epoch (UTC)
 * in INTEGER columns, so ranges and orderings use plain indexes; study and
 * birth dates are ISO text (YYYY-MM-DD), which sorts as dates do. */
static const RwSqliteMigration migrations[] = {
  /* 1: users, tokens, the worklist, reports, phrases, audit, webhooks. */
  {
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT NOT NULL UNIQUE,"
    "  display_name TEXT NOT NULL,"
    "  crm TEXT,"
    "  rqe TEXT,"
    "  role TEXT NOT NULL CHECK (role IN ('radiologist', 'admin')),"
    "  password_hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL"
    ");"

    /* Only the SHA-256 of a token is kept: a copy of the database does not
     * let anyone act as a logged-in user. */
    "CREATE TABLE tokens ("
    "  hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users (id),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  revoked_at INTEGER"
    ") WITHOUT ROWID;"
    "CREATE INDEX tokens_user ON tokens (user_id);"
    "CREATE INDEX tokens_expires ON tokens (expires_at);"

    "CREATE TABLE patients ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id TEXT NOT NULL UNIQUE,"
    "  name TEXT,"
    "  birth_date TEXT,"
    "  sex TEXT,"
    "  age TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"

    "CREATE TABLE exams ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_ref INTEGER NOT NULL REFERENCES patients (id),"
    "  study_uid TEXT NOT NULL UNIQUE,"
    "  orthanc_id TEXT,"
    "  accession_number TEXT,"
    "  study_date TEXT,"
    "  study_time TEXT,"
    "  description TEXT,"
    "  referring_physician TEXT,"
    "  modality TEXT,"
    "  series_count INTEGER NOT NULL DEFAULT 0,"
    "  instance_count INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (status IN ('pending', 'in_progress', 'completed', 'cancelled')),"
    "  priority TEXT NOT NULL DEFAULT 'routine'"
    "    CHECK (priority IN ('routine', 'urgent', 'stat')),"
    "  assigned_to INTEGER REFERENCES users (id),"
    "  stone_viewer_url TEXT,"
    "  orthanc_url TEXT,"
    "  dicom_web_url TEXT,"
    "  rest_api_url TEXT,"
    "  received_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    /* The worklist lists newest first (id descending) under one filter at a
     * time; each filter's index ends in id so the order comes for free. */
    "CREATE INDEX exams_status ON exams (status, id);"
    "CREATE INDEX exams_modality ON exams (modality, id);"
    "CREATE INDEX exams_assigned ON exams (assigned_to, id);"
    "CREATE INDEX exams_study_date ON exams (study_date);"
    "CREATE INDEX exams_updated ON exams (updated_at);"
    "CREATE INDEX exams_received ON exams (received_at);"
    "CREATE INDEX exams_patient ON exams (patient_ref, study_date);"
    "CREATE INDEX exams_orthanc ON exams (orthanc_id);"

    /* Folded (lowercase, unaccented) patient name and id, accession number
     * and description of each exam, rowid = exams.id. Trigrams make a
     * substring search an index lookup even with a million exams. */
    "CREATE VIRTUAL TABLE exam_search USING fts5 (folded, tokenize = 'trigram');"

    "CREATE TABLE reports ("
    "  exam_id INTEGER PRIMARY KEY REFERENCES exams (id),"
    "  technique TEXT NOT NULL DEFAULT '',"
    "  findings TEXT NOT NULL DEFAULT '',"
    "  conclusion TEXT NOT NULL DEFAULT '',"
    "  is_final INTEGER NOT NULL DEFAULT 0,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  radiologist_id INTEGER REFERENCES users (id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  finalized_at INTEGER"
    ");"
    "CREATE INDEX reports_finalized ON reports (finalized_at) WHERE is_final;"
    "CREATE INDEX reports_radiologist ON reports (radiologist_id, finalized_at) WHERE is_final;"
    /* A signed laudo is a legal document: even a bug in the server cannot
     * change it. Corrections are addenda. */
    "CREATE TRIGGER reports_final_frozen BEFORE UPDATE ON reports WHEN OLD.is_final "
    "BEGIN SELECT RAISE (ABORT, 'a final report cannot change'); END;"

    "CREATE TABLE addenda ("
    "  id INTEGER PRIMARY KEY,"
    "  exam_id INTEGER NOT NULL REFERENCES reports (exam_id),"
    "  text TEXT NOT NULL,"
    "  author_id INTEGER NOT NULL REFERENCES users (id),"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX addenda_exam ON addenda (exam_id, id);"

    "CREATE TABLE phrases ("
    "  id INTEGER PRIMARY KEY,"
    "  section TEXT NOT NULL CHECK (section IN ('technique', 'findings', 'conclusion')),"
    "  modality TEXT,"
    "  label TEXT NOT NULL,"
    "  text TEXT NOT NULL,"
    "  abbreviation TEXT,"
    "  owner_id INTEGER REFERENCES users (id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX phrases_section ON phrases (section, modality);"

    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  user_id INTEGER REFERENCES users (id),"
    "  username TEXT,"
    "  action TEXT NOT NULL,"
    "  resource_type TEXT,"
    "  resource_id TEXT,"
    "  remote_address TEXT,"
    "  user_agent TEXT,"
    "  detail TEXT"
    ");"
    "CREATE INDEX audit_at ON audit (at);"
    "CREATE INDEX audit_user ON audit (user_id, at);"
    "CREATE INDEX audit_action ON audit (action, at);"
    /* The trail is append-only. */
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE (ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE (ABORT, 'the audit trail is append-only'); END;"

    /* X-Webhook-Id → the answer given, so a retried delivery gets the same
     * answer and raises no second event. */
    "CREATE TABLE webhook_deliveries ("
    "  delivery_id TEXT PRIMARY KEY,"
    "  response TEXT NOT NULL,"
    "  received_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
  },

  /* 2: a lighter index for each webhook. The search matches the beginnings
   * of words (unicode61 tokens, no positions) instead of any substring
   * (trigrams), which cost a webhook three times as much to index; the
   * folded text moves over as it is. The Orthanc id index served no
   * query. */
  {
    "DROP INDEX exams_orthanc;"
    "CREATE VIRTUAL TABLE exam_words USING fts5 (folded,"
    "  tokenize = 'unicode61 remove_diacritics 0', detail = 'none');"
    "INSERT INTO exam_words (rowid, folded) SELECT rowid, folded FROM exam_search;"
    "DROP TABLE exam_search;"
    "ALTER TABLE exam_words RENAME TO exam_search;"
  },

  /* 3: how far the catch-up has followed Orthanc's /changes, and which
   * Orthanc that was (another one starts again from 0). */
  {
    "CREATE TABLE orthanc_changes ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  orthanc_url TEXT,"
    "  last_seq INTEGER NOT NULL"
    ");"
    "INSERT INTO orthanc_changes (id, last_seq) VALUES (1, 0);"
  },
};

const RwSqliteMigration *
rw_server_schema_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}

/* rw_fold (text): rw_text_fold() in SQL, for the search index. */
static void
fold_function (sqlite3_context  *context,
               int               argc,
               sqlite3_value   **argv)
{
  const char *text = (const char *) sqlite3_value_text (argv[0]);

  sqlite3_result_text (context, rw_text_fold (text), -1, g_free);
}

/* On the writer's connection: the list of exams whose search copy is to be
 * rewritten before the commit, and the folding function. */
gboolean
rw_server_schema_prepare_writer (RwSqlite  *db,
                                 GError   **error)
{
  if (sqlite3_create_function_v2 (rw_sqlite_get_handle (db), "rw_fold", 1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                  fold_function, NULL, NULL, NULL) != SQLITE_OK)
    {
      rw_sqlite_set_error (db, error, "rw_fold");
      return FALSE;
    }
  return rw_sqlite_exec (db,
                         "PRAGMA temp_store = MEMORY;"
                         "CREATE TEMP TABLE search_stale (exam_id INTEGER PRIMARY KEY);",
                         error);
}

gboolean
rw_server_schema_mark_exam_stale (RwSqlite  *db,
                                  gint64     exam_id,
                                  GError   **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  stmt = rw_sqlite_prepare_cached (db, "INSERT OR IGNORE INTO temp.search_stale (exam_id) VALUES (?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, exam_id);
  return rw_sqlite_step_done (db, stmt, error);
}

/* A renamed patient changes the search copy of all their exams. */
gboolean
rw_server_schema_mark_patient_stale (RwSqlite  *db,
                                     gint64     patient_ref,
                                     GError   **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  stmt = rw_sqlite_prepare_cached (db,
                                   "INSERT OR IGNORE INTO temp.search_stale (exam_id)"
                                   " SELECT id FROM exams WHERE patient_ref = ?",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_ref);
  return rw_sqlite_step_done (db, stmt, error);
}

/* The folded patient name and id, accession number and description of
 * each stale exam, in three statements for the whole transaction. */
gboolean
rw_server_schema_before_commit (RwSqlite  *db,
                                GError   **error)
{
  static const char *const steps[] = {
    "DELETE FROM exam_search WHERE rowid IN (SELECT exam_id FROM temp.search_stale)",
    "INSERT INTO exam_search (rowid, folded)"
    " SELECT e.id, rw_fold (coalesce (p.name, '') || ' ' || p.patient_id || ' ' ||"
    "   coalesce (e.accession_number, '') || ' ' || coalesce (e.description, ''))"
    " FROM temp.search_stale s JOIN exams e ON e.id = s.exam_id JOIN patients p ON p.id = e.patient_ref",
    "DELETE FROM temp.search_stale",
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(RwSqliteCachedStmt) stmt = rw_sqlite_prepare_cached (db, steps[i], error);

      if (stmt == NULL || !rw_sqlite_step_done (db, stmt, error))
        return FALSE;
    }
  return TRUE;
}
