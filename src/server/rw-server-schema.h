/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-sqlite.h"

G_BEGIN_DECLS

const RwSqliteMigration *rw_server_schema_get_migrations (guint *n_migrations);

G_END_DECLS
