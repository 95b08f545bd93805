/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-json.h"
#include "rw-server-body.h"
#include "rw-server-handlers.h"

/* The phrase bank (banco de frases): snippets a radiologist inserts into a
 * section of the laudo. A phrase is shared (owner null, managed by
 * administrators) or a radiologist's own. */

#define PHRASE_COLUMNS "id, section, modality, label, text, abbreviation, owner_id"
#define MAX_LABEL 200
#define MAX_TEXT (100 * 1000)
#define MAX_ABBREVIATION 32
#define MAX_MODALITY 16

typedef struct {
  char     *section;
  char     *modality;
  char     *label;
  char     *text;
  char     *abbreviation;
  gboolean  has_modality;
  gboolean  has_abbreviation;
  gboolean  shared;
} Phrase;

static void
phrase_free (gpointer data)
{
  Phrase *phrase = data;

  g_free (phrase->section);
  g_free (phrase->modality);
  g_free (phrase->label);
  g_free (phrase->text);
  g_free (phrase->abbreviation);
  g_free (phrase);
}

static gboolean
is_section (const char *section)
{
  return g_strcmp0 (section, "technique") == 0 || g_strcmp0 (section, "findings") == 0 ||
         g_strcmp0 (section, "conclusion") == 0;
}

static void
build_phrase (JsonBuilder  *builder,
              sqlite3_stmt *stmt)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
  rw_server_json_add_column (builder, "section", stmt, 1, RW_SERVER_COLUMN_TEXT);
  rw_server_json_add_column (builder, "modality", stmt, 2, RW_SERVER_COLUMN_TEXT);
  rw_server_json_add_column (builder, "label", stmt, 3, RW_SERVER_COLUMN_TEXT);
  rw_server_json_add_column (builder, "text", stmt, 4, RW_SERVER_COLUMN_TEXT);
  rw_server_json_add_column (builder, "abbreviation", stmt, 5, RW_SERVER_COLUMN_TEXT);
  rw_server_json_add_column (builder, "owner", stmt, 6, RW_SERVER_COLUMN_INT);
  json_builder_end_object (builder);
}

static JsonNode *
load_phrase (RwSqlite  *db,
             gint64     id,
             GError   **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gboolean has_row = FALSE;

  stmt = rw_sqlite_query_id (db, "SELECT " PHRASE_COLUMNS " FROM phrases WHERE id = ?", id, &has_row, error);
  if (stmt == NULL)
    return NULL;
  if (!has_row)
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_NOT_FOUND, _("There is no phrase %lld"), (long long) id);
      return NULL;
    }
  build_phrase (builder, stmt);
  return json_builder_get_root (builder);
}

/* GET /api/phrases?section=&modality= --------------------------------- */

static gboolean
list_job (RwServerRequest  *req,
          RwSqlite         *db,
          GError          **error)
{
  Phrase *filter = req->data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gboolean has_row = FALSE;

  /* A phrase for "any modality" (null) fits every modality. */
  stmt = rw_sqlite_prepare (db,
                            "SELECT " PHRASE_COLUMNS " FROM phrases"
                            " WHERE (owner_id IS NULL OR owner_id = ?1)"
                            " AND (?2 IS NULL OR section = ?2)"
                            " AND (?3 IS NULL OR modality IS NULL OR modality = ?3)"
                            " ORDER BY section, label COLLATE NOCASE, id",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, req->user->id);
  sqlite3_bind_text (stmt, 2, filter->section, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, filter->modality, -1, SQLITE_STATIC);
  json_builder_begin_array (builder);
  for (;;)
    {
      if (!rw_sqlite_step_row (db, stmt, &has_row, error))
        return FALSE;
      if (!has_row)
        break;
      build_phrase (builder, stmt);
    }
  json_builder_end_array (builder);
  rw_server_request_set_json (req, SOUP_STATUS_OK, json_builder_get_root (builder));
  return TRUE;
}

void
rw_server_handle_phrases_list (RwServerRequest *req)
{
  Phrase *filter = g_new0 (Phrase, 1);
  const char *section = rw_server_request_get_query (req, "section");
  const char *modality = rw_server_request_get_query (req, "modality");

  req->data = filter;
  req->data_free = phrase_free;
  if (section != NULL && !is_section (section))
    {
      rw_server_request_reply_error_literal (req, RW_SERVER_ERROR_BAD_REQUEST,
                                             _("“section” must be technique, findings or conclusion"));
      return;
    }
  filter->section = g_strdup (section);
  filter->modality = modality != NULL ? g_ascii_strup (modality, -1) : NULL;
  rw_server_request_read (req, list_job, NULL);
}

/* Reading a phrase from a body ------------------------------------- */

static gboolean
take_text (JsonObject  *body,
           const char  *member,
           gsize        max_length,
           gboolean     required,
           gboolean    *present,
           char       **out,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;
  const char *text = NULL;

  if (present != NULL)
    *present = json_object_has_member (body, member);
  if (!rw_json_get_string (body, member, RW_JSON_OPTIONAL, &text, &local_error))
    return rw_server_error_bad_request (error, local_error->message);
  value = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (g_utf8_strlen (value, -1) > (glong) max_length)
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                   _("“%s” is longer than %zu characters"), member, max_length);
      return FALSE;
    }
  if (required && value[0] == '\0')
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST, _("“%s” is required"), member);
      return FALSE;
    }
  *out = value[0] != '\0' ? g_steal_pointer (&value) : NULL;
  return TRUE;
}

/* With @creating, section, label and text are required; otherwise every
 * member is optional and only those present change. */
static Phrase *
parse_phrase (RwServerRequest  *req,
              gboolean          creating,
              GError          **error)
{
  g_autoptr(JsonObject) body = rw_server_body_parse_json (req, error);
  Phrase *phrase;

  if (body == NULL)
    return NULL;
  phrase = g_new0 (Phrase, 1);
  if (!take_text (body, "section", 16, creating, NULL, &phrase->section, error) ||
      !take_text (body, "label", MAX_LABEL, creating, NULL, &phrase->label, error) ||
      !take_text (body, "text", MAX_TEXT, creating, NULL, &phrase->text, error) ||
      !take_text (body, "modality", MAX_MODALITY, FALSE, &phrase->has_modality, &phrase->modality, error) ||
      !take_text (body, "abbreviation", MAX_ABBREVIATION, FALSE, &phrase->has_abbreviation, &phrase->abbreviation, error))
    goto fail;
  if (!creating && json_object_has_member (body, "label") && phrase->label == NULL)
    {
      rw_server_error_bad_request (error, _("“label” cannot be empty"));
      goto fail;
    }
  if (!creating && json_object_has_member (body, "text") && phrase->text == NULL)
    {
      rw_server_error_bad_request (error, _("“text” cannot be empty"));
      goto fail;
    }
  if (phrase->section != NULL && !is_section (phrase->section))
    {
      rw_server_error_bad_request (error, _("“section” must be technique, findings or conclusion"));
      goto fail;
    }
  if (phrase->modality != NULL)
    {
      char *upper = g_ascii_strup (phrase->modality, -1);

      g_free (phrase->modality);
      phrase->modality = upper;
    }
  if (creating)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean shared = FALSE;

      if (!rw_json_get_bool (body, "shared", RW_JSON_OPTIONAL, &shared, &local_error))
        {
          rw_server_error_bad_request (error, local_error->message);
          goto fail;
        }
      /* Administrators keep the shared bank; a radiologist's phrases are
       * their own. */
      phrase->shared = json_object_has_member (body, "shared") ? shared : rw_server_user_is_admin (req->user);
      if (phrase->shared && !rw_server_user_is_admin (req->user))
        {
          g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_FORBIDDEN,
                               _("Only an administrator may add to the shared phrase bank"));
          goto fail;
        }
    }
  return phrase;

fail:
  phrase_free (phrase);
  return NULL;
}

/* POST /api/phrases ------------------------------------------------- */

static gboolean
create_job (RwServerRequest  *req,
            RwSqlite         *db,
            GError          **error)
{
  Phrase *phrase = req->data;
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  JsonNode *node;

  stmt = rw_sqlite_prepare_cached (db,
                                   "INSERT INTO phrases (section, modality, label, text, abbreviation, owner_id,"
                                   " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, phrase->section, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, phrase->modality, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, phrase->label, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, phrase->text, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, phrase->abbreviation, -1, SQLITE_STATIC);
  if (!phrase->shared)
    sqlite3_bind_int64 (stmt, 6, req->user->id);
  sqlite3_bind_int64 (stmt, 7, req->now);
  sqlite3_bind_int64 (stmt, 8, req->now);
  if (!rw_sqlite_step_done (db, stmt, error))
    return FALSE;
  node = load_phrase (db, sqlite3_last_insert_rowid (rw_sqlite_get_handle (db)), error);
  if (node == NULL)
    return FALSE;
  rw_server_request_set_json (req, SOUP_STATUS_CREATED, node);
  return TRUE;
}

/* {"section", "label", "text", "modality"?, "abbreviation"?, "shared"?}
 * → 201 and the phrase. */
void
rw_server_handle_phrase_create (RwServerRequest *req)
{
  g_autoptr(GError) error = NULL;
  Phrase *phrase = parse_phrase (req, TRUE, &error);

  if (phrase == NULL)
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  req->data = phrase;
  req->data_free = phrase_free;
  rw_server_request_write (req, create_job, NULL);
}

/* PUT and DELETE ----------------------------------------------------- */

/* Own phrases by their owner, shared ones by administrators; another
 * radiologist's phrases do not exist for the caller. */
static gboolean
check_owner (RwServerRequest  *req,
             RwSqlite         *db,
             GError          **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  gboolean has_row = FALSE;

  stmt = rw_sqlite_query_id (db, "SELECT owner_id FROM phrases WHERE id = ?", req->id, &has_row, error);
  if (stmt == NULL)
    return FALSE;
  if (!has_row ||
      (sqlite3_column_type (stmt, 0) != SQLITE_NULL && sqlite3_column_int64 (stmt, 0) != req->user->id))
    {
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_NOT_FOUND,
                   _("There is no phrase %lld"), (long long) req->id);
      return FALSE;
    }
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL && !rw_server_user_is_admin (req->user))
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_FORBIDDEN,
                           _("Only an administrator may change the shared phrase bank"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
update_job (RwServerRequest  *req,
            RwSqlite         *db,
            GError          **error)
{
  Phrase *phrase = req->data;
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;
  JsonNode *node;

  if (!check_owner (req, db, error))
    return FALSE;
  stmt = rw_sqlite_prepare_cached (db,
                                   "UPDATE phrases SET section = coalesce (?1, section), label = coalesce (?2, label),"
                                   " text = coalesce (?3, text),"
                                   " modality = CASE WHEN ?4 THEN ?5 ELSE modality END,"
                                   " abbreviation = CASE WHEN ?6 THEN ?7 ELSE abbreviation END,"
                                   " updated_at = ?8 WHERE id = ?9",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, phrase->section, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, phrase->label, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, phrase->text, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, phrase->has_modality);
  sqlite3_bind_text (stmt, 5, phrase->modality, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 6, phrase->has_abbreviation);
  sqlite3_bind_text (stmt, 7, phrase->abbreviation, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, req->now);
  sqlite3_bind_int64 (stmt, 9, req->id);
  if (!rw_sqlite_step_done (db, stmt, error))
    return FALSE;
  node = load_phrase (db, req->id, error);
  if (node == NULL)
    return FALSE;
  rw_server_request_set_json (req, SOUP_STATUS_OK, node);
  return TRUE;
}

/* PUT /api/phrases/{id}: the members sent change, the others stay. */
void
rw_server_handle_phrase_update (RwServerRequest *req)
{
  g_autoptr(GError) error = NULL;
  Phrase *phrase = parse_phrase (req, FALSE, &error);

  if (phrase == NULL)
    {
      rw_server_request_reply_error (req, error);
      return;
    }
  req->data = phrase;
  req->data_free = phrase_free;
  rw_server_request_write (req, update_job, NULL);
}

static gboolean
delete_job (RwServerRequest  *req,
            RwSqlite         *db,
            GError          **error)
{
  g_autoptr(RwSqliteCachedStmt) stmt = NULL;

  if (!check_owner (req, db, error))
    return FALSE;
  stmt = rw_sqlite_prepare_cached (db, "DELETE FROM phrases WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, req->id);
  if (!rw_sqlite_step_done (db, stmt, error))
    return FALSE;
  rw_server_request_set_json (req, SOUP_STATUS_OK, rw_server_json_success ());
  return TRUE;
}

void
rw_server_handle_phrase_delete (RwServerRequest *req)
{
  rw_server_request_write (req, delete_job, NULL);
}
