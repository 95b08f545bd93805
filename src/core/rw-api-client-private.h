/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rw-api-client.h"

G_BEGIN_DECLS

/* Shared by the files of the API client: rw-api-client.c (sessions and
 * exams) and rw-api-reports.c (reports and phrases). */

/* The pointer that the GTask of a call started with @source_tag answered
 * with, for the calls' _finish functions. */
gpointer rw_api_client_finish_pointer (RwApiClient   *self,
                                       GAsyncResult  *result,
                                       gpointer       source_tag,
                                       GError       **error);

G_END_DECLS
