/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The strict JSON reader of webhook bodies (rw-webhook-reader.c), for
 * rw_webhook_payload_parse(). It keeps the values of the members a table
 * names, each in its slot of an array of RwWebhookValue. */

typedef enum {
  RW_WEBHOOK_VALUE_ABSENT,
  RW_WEBHOOK_VALUE_NULL,
  RW_WEBHOOK_VALUE_STRING,
  RW_WEBHOOK_VALUE_INTEGER,
  RW_WEBHOOK_VALUE_OBJECT,
  /* A number that is not an integer of 64 bits, true, false, an array. */
  RW_WEBHOOK_VALUE_OTHER,
} RwWebhookValueKind;

typedef struct {
  RwWebhookValueKind  kind;
  char               *string;     /* RW_WEBHOOK_VALUE_STRING, unescaped */
  gint64              integer;    /* RW_WEBHOOK_VALUE_INTEGER */
} RwWebhookValue;

typedef struct _RwWebhookMember RwWebhookMember;

/* A member to keep, in a table ended by a NULL name. An object member with
 * @members has the members of that table kept too. */
struct _RwWebhookMember
{
  const char            *name;
  guint                  slot;
  const RwWebhookMember *members;
};

gboolean rw_webhook_read_members (const char             *data,
                                  gsize                   length,
                                  const RwWebhookMember  *members,
                                  RwWebhookValue         *values,
                                  GError                **error);
void     rw_webhook_values_clear (RwWebhookValue         *values,
                                  guint                   n_values);

G_END_DECLS
