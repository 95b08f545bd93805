/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-server-config.h"

G_BEGIN_DECLS

/* `radiweb-server --config FILE user …`: @argv starts at "user". Returns
 * the process's exit status. */
int rw_server_cli_run (RwServerConfig *config,
                       int             argc,
                       char          **argv);

G_END_DECLS
