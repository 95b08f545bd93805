/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "rw-server-cli.h"
#include "rw-server-clock.h"
#include "rw-server-error.h"
#include "rw-server-store.h"
#include "rw-server-users.h"

/* Users are managed on the server host only: there is no HTTP route that
 * creates a user or sets a password. The commands write to the database
 * directly (WAL lets them run while the service does). */

#define MAX_PASSWORD 1024

static int
fail (const char *message)
{
  g_printerr ("radiweb-server: %s\n", message);
  return 1;
}

static int
usage (const char *message)
{
  g_printerr ("radiweb-server: %s\n", message);
  g_printerr ("%s\n", _("Usage: radiweb-server --config FILE user add USERNAME --role radiologist|admin --name NAME [--crm CRM] [--rqe RQE]\n"
                        "       radiweb-server --config FILE user list\n"
                        "       radiweb-server --config FILE user passwd|disable|enable USERNAME\n"
                        "The password of add and passwd is read from standard input (one line)."));
  return 2;
}

/* One line from standard input, without its line ending. At a terminal
 * the typing is not echoed. */
static char *
read_password (GError **error)
{
  struct termios saved, quiet;
  gboolean at_terminal = isatty (STDIN_FILENO);
  char buffer[MAX_PASSWORD + 2];
  gsize len;
  char *password;

  if (at_terminal)
    {
      g_printerr ("%s", _("Password: "));
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  password = fgets (buffer, sizeof buffer, stdin);
  if (at_terminal)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  if (password == NULL)
    {
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                           _("No password on standard input"));
      return NULL;
    }
  len = strlen (buffer);
  if (len > 0 && buffer[len - 1] != '\n' && len > MAX_PASSWORD)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                   _("The password is longer than %d characters"), MAX_PASSWORD);
      return NULL;
    }
  while (len > 0 && (buffer[len - 1] == '\n' || buffer[len - 1] == '\r'))
    buffer[--len] = '\0';
  if (len == 0 || !g_utf8_validate (buffer, -1, NULL))
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error_literal (error, RW_SERVER_ERROR, RW_SERVER_ERROR_BAD_REQUEST,
                           _("The password is empty or not valid UTF-8 text"));
      return NULL;
    }
  password = g_strdup (buffer);
  explicit_bzero (buffer, sizeof buffer);
  return password;
}

static void
free_password (char *password)
{
  if (password == NULL)
    return;
  explicit_bzero (password, strlen (password));
  g_free (password);
}

typedef char char_password;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (char_password, free_password)

static gboolean
in_transaction (RwSqlite  *db,
                gboolean (*func) (RwSqlite *db, gpointer data, GError **error),
                gpointer   data,
                GError   **error)
{
  if (!rw_sqlite_begin (db, error))
    return FALSE;
  if (!func (db, data, error))
    {
      rw_sqlite_rollback (db);
      return FALSE;
    }
  return rw_sqlite_commit (db, error);
}

typedef struct {
  RwServerUser  user;
  char         *hash;
} NewUser;

static gboolean
insert_user (RwSqlite  *db,
             gpointer   data,
             GError   **error)
{
  NewUser *new_user = data;

  return rw_server_users_insert (db, &new_user->user, new_user->hash, rw_server_clock_now (), error);
}

static int
user_add (RwSqlite  *db,
          int        argc,
          char     **argv)
{
  g_autofree char *role = NULL, *name = NULL, *crm = NULL, *rqe = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("USERNAME");
  g_autoptr(GError) error = NULL;
  g_autoptr(char_password) password = NULL;
  g_autofree char *hash = NULL;
  NewUser new_user = { { 0, }, NULL };
  const GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, N_("radiologist or admin"), "ROLE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("the name shown and signed, e.g. \"Dra. Ana Souza\""), "NAME" },
    { "crm", 0, 0, G_OPTION_ARG_STRING, &crm, N_("CRM/UF and number, e.g. \"CRM/SP 123456\" (required for a radiologist)"), "CRM" },
    { "rqe", 0, 0, G_OPTION_ARG_STRING, &rqe, N_("specialist registration (RQE)"), "RQE" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (argc != 2)
    return usage (_("user add takes one user name"));
  if (!rw_server_user_check_username (argv[1], &error))
    return fail (error->message);
  if (g_strcmp0 (role, RW_SERVER_ROLE_RADIOLOGIST) != 0 && g_strcmp0 (role, RW_SERVER_ROLE_ADMIN) != 0)
    return usage (_("--role must be radiologist or admin"));
  if (name == NULL || g_strstrip (name)[0] == '\0')
    return usage (_("--name is required"));
  if (crm != NULL && g_strstrip (crm)[0] == '\0')
    g_clear_pointer (&crm, g_free);
  if (rqe != NULL && g_strstrip (rqe)[0] == '\0')
    g_clear_pointer (&rqe, g_free);
  /* A laudo must carry its signer's CRM/UF (CFM). */
  if (g_strcmp0 (role, RW_SERVER_ROLE_RADIOLOGIST) == 0 && crm == NULL)
    return usage (_("--crm is required for a radiologist: a laudo carries its signer's CRM/UF"));

  password = read_password (&error);
  if (password == NULL)
    return fail (error->message);
  hash = rw_server_password_hash (password, &error);
  if (hash == NULL)
    return fail (error->message);

  new_user.user.username = argv[1];
  new_user.user.display_name = name;
  new_user.user.crm = crm;
  new_user.user.rqe = rqe;
  new_user.user.role = role;
  new_user.hash = hash;
  if (!in_transaction (db, insert_user, &new_user, &error))
    return fail (error->message);
  g_print (_("User %s (%s) created\n"), argv[1], role);
  return 0;
}

static int
user_list (RwSqlite *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = rw_server_users_list (db, &error);

  if (users == NULL)
    return fail (error->message);
  g_print ("ID\tUSERNAME\tROLE\tNAME\tCRM\tRQE\tSTATUS\n");
  for (guint i = 0; i < users->len; i++)
    {
      RwServerUser *user = g_ptr_array_index (users, i);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\t%s\n", user->id, user->username, user->role,
               user->display_name, user->crm != NULL ? user->crm : "-",
               user->rqe != NULL ? user->rqe : "-", user->disabled ? "disabled" : "active");
    }
  return 0;
}

typedef struct {
  gint64       id;
  const char  *hash;
  gboolean     disabled;
} UserChange;

/* A new password or a disabled account ends every session of the user. */
static gboolean
change_password (RwSqlite  *db,
                 gpointer   data,
                 GError   **error)
{
  UserChange *change = data;

  return rw_server_users_set_password (db, change->id, change->hash, error) &&
         rw_server_tokens_revoke_user (db, change->id, rw_server_clock_now (), error);
}

static gboolean
change_disabled (RwSqlite  *db,
                 gpointer   data,
                 GError   **error)
{
  UserChange *change = data;

  return rw_server_users_set_disabled (db, change->id, change->disabled, error) &&
         (!change->disabled || rw_server_tokens_revoke_user (db, change->id, rw_server_clock_now (), error));
}

static int
user_change (RwSqlite    *db,
             const char  *command,
             int          argc,
             char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwServerUser) user = NULL;
  g_autoptr(char_password) password = NULL;
  g_autofree char *hash = NULL;
  UserChange change = { 0, };

  if (argc != 2)
    return usage (_("Give one user name"));
  user = rw_server_users_find (db, argv[1], NULL, &error);
  if (error != NULL)
    return fail (error->message);
  if (user == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("There is no user called “%s”"), argv[1]);
      return fail (message);
    }
  change.id = user->id;

  if (g_str_equal (command, "passwd"))
    {
      password = read_password (&error);
      if (password == NULL)
        return fail (error->message);
      hash = rw_server_password_hash (password, &error);
      if (hash == NULL)
        return fail (error->message);
      change.hash = hash;
      if (!in_transaction (db, change_password, &change, &error))
        return fail (error->message);
      g_print (_("Password of %s changed; their sessions were ended\n"), argv[1]);
      return 0;
    }

  change.disabled = g_str_equal (command, "disable");
  if (!in_transaction (db, change_disabled, &change, &error))
    return fail (error->message);
  if (change.disabled)
    g_print (_("User %s disabled; their sessions were ended\n"), argv[1]);
  else
    g_print (_("User %s enabled\n"), argv[1]);
  return 0;
}

int
rw_server_cli_run (RwServerConfig  *config,
                   int              argc,
                   char           **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwSqlite) db = NULL;
  const char *command;

  if (argc < 2 || !g_str_equal (argv[0], "user"))
    return usage (_("Unknown command"));
  command = argv[1];
  if (!g_str_equal (command, "add") && !g_str_equal (command, "list") && !g_str_equal (command, "passwd") &&
      !g_str_equal (command, "disable") && !g_str_equal (command, "enable"))
    return usage (_("Unknown user command"));

  db = rw_server_store_open_database (config->database, FALSE, &error);
  if (db == NULL)
    return fail (error->message);

  if (g_str_equal (command, "add"))
    return user_add (db, argc - 1, argv + 1);
  if (g_str_equal (command, "list"))
    return argc == 2 ? user_list (db) : usage (_("user list takes no arguments"));
  return user_change (db, command, argc - 1, argv + 1);
}
