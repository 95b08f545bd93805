/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *rw_text_fold        (const char *text);
/* The same, added at the end of @out; invalid UTF-8 adds nothing. */
void  rw_text_fold_append (GString    *out,
                           const char *text);

G_END_DECLS
