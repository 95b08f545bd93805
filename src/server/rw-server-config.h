/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* radiweb-server's configuration file, a GKeyFile. The contract fixes
 * [server] listen, database, timezone; [webhook] secret, tolerance;
 * [orthanc] url, username, password. The other keys have defaults and are
 * documented in docs/radiweb-server.conf.example. */
typedef struct {
  char      *path;

  /* [server] */
  char      *listen_host;
  guint16    listen_port;
  char      *database;
  GTimeZone *timezone;
  guint      token_lifetime;     /* seconds */
  gsize      max_body_size;      /* bytes, for every request */

  /* [webhook] */
  char      *webhook_secret;
  guint      webhook_tolerance;  /* seconds */

  /* [events] */
  guint      events_max_backlog; /* frames queued for a client that does not read */

  /* [orthanc] */
  char      *orthanc_url;
  char      *orthanc_username;
  char      *orthanc_password;
  char      *orthanc_public_url; /* the PACS as users reach it; url if unset */
  guint      orthanc_poll_interval; /* seconds between polls of /changes */
} RwServerConfig;

#define RW_SERVER_DEFAULT_PORT 8642

RwServerConfig *rw_server_config_load          (const char      *path,
                                                GError         **error);
gboolean        rw_server_config_check_daemon  (RwServerConfig  *config,
                                                GError         **error);
void            rw_server_config_free          (RwServerConfig  *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwServerConfig, rw_server_config_free)

G_END_DECLS
