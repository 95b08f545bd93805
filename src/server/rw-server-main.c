/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-server"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <locale.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "rw-server.h"
#include "rw-server-cli.h"
#include "rw-server-log.h"

typedef struct {
  GMainLoop *loop;
  RwServer  *server;
  gboolean   stopping;
} Daemon;

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Daemon *daemon = user_data;

  rw_server_stop_finish (RW_SERVER (source), result, NULL);
  g_main_loop_quit (daemon->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  Daemon *daemon = user_data;

  /* A second signal (a service manager asking again, Ctrl+C twice) changes
   * nothing: stopping again would end the main loop while requests are
   * still being answered, and their jobs would then finish on a freed
   * server. */
  if (daemon->stopping)
    return G_SOURCE_CONTINUE;
  daemon->stopping = TRUE;
  g_message ("Stopping: finishing the requests in progress");
  rw_server_stop_async (daemon->server, NULL, on_stopped, daemon);
  return G_SOURCE_CONTINUE;
}

/* A refusal to start is one line: what is wrong and where. */
static int
refuse (const GError *error)
{
  g_printerr ("<3>radiweb-server: %s\n", error->message);
  return 1;
}

static int
run_daemon (RwServerConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(RwServer) server = NULL;
  g_autofree char *host = g_strdup (config->listen_host);
  guint16 port = config->listen_port;
  Daemon daemon;

  if (!rw_server_config_check_daemon (config, &error))
    {
      rw_server_config_free (config);
      return refuse (error);
    }
  server = rw_server_new (config, &error);
  if (server == NULL)
    return refuse (error);
  if (!rw_server_listen (server, &error))
    return refuse (error);

  loop = g_main_loop_new (NULL, FALSE);
  daemon.loop = loop;
  daemon.server = server;
  daemon.stopping = FALSE;
  g_unix_signal_add (SIGTERM, on_signal, &daemon);
  g_unix_signal_add (SIGINT, on_signal, &daemon);

  g_message ("radiweb-server %s listening on http://%s%s%s:%u", PACKAGE_VERSION,
             strchr (host, ':') != NULL ? "[" : "", host, strchr (host, ':') != NULL ? "]" : "", port);
  g_main_loop_run (loop);

  /* Closing connections finishes in callbacks of the main context; let
   * them run so that every socket is closed and freed before exit. The
   * signal sources stay to the end of the process (a signal now changes
   * nothing: the daemon is stopping): removing them would give SIGTERM its
   * default action back, and one more SIGTERM would then kill the process
   * halfway, or during the leak check that AddressSanitizer runs at exit. */
  g_clear_object (&server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_message ("Stopped");
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  gboolean version = FALSE;
  RwServerConfig *config;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, N_("The configuration file"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  /* SQLite counts the memory it allocates under a global mutex at every
   * allocation, for sqlite3_memory_used(), which nothing here reads; the
   * store's writer allocates thousands of times per group of writes. Only
   * possible before SQLite initializes. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);

  setlocale (LC_ALL, "");
  /* Messages may be in Portuguese; numbers in JSON and logs stay C. */
  setlocale (LC_NUMERIC, "C");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  rw_server_log_init ();

  context = g_option_context_new (_("[user add|list|passwd|disable|enable …]"));
  g_option_context_set_summary (context, _("The Radiweb API: webhook intake from Orthanc, worklist, reports, phrase bank, metrics, live events and audit."));
  g_option_context_set_description (context, _("Without a command, runs the server until SIGTERM.\n"
                                               "User commands:\n"
                                               "  user add USERNAME --role radiologist|admin --name NAME [--crm CRM] [--rqe RQE]\n"
                                               "  user list\n"
                                               "  user passwd USERNAME\n"
                                               "  user disable USERNAME\n"
                                               "  user enable USERNAME\n"
                                               "add and passwd read the password from standard input (one line)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* The user commands' own options (--role, --name…) come after the
   * command and are parsed there. */
  g_option_context_set_ignore_unknown_options (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("radiweb-server: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("radiweb-server %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (config_path == NULL)
    {
      g_printerr ("radiweb-server: %s\n", _("--config FILE is required (see --help)"));
      return 2;
    }

  config = rw_server_config_load (config_path, &error);
  if (config == NULL)
    return refuse (error);

  if (argc > 1)
    {
      int status = rw_server_cli_run (config, argc - 1, argv + 1);

      rw_server_config_free (config);
      return status;
    }
  return run_daemon (config);
}
