/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rw-json.h"
#include "rw-webhook-private.h"

/* The reader of webhook bodies.
 *
 * Every webhook is read on the server's main thread, where json-glib's
 * parser (a GScanner, and a node and an allocation per value) took about
 * half of that thread's time for each webhook. The payload is a small,
 * fixed shape, so it is read here in one pass over the bytes. The whole
 * document is checked as strict JSON (RFC 8259: no comments, no trailing
 * commas, no single quotes, no \u0000 or lone surrogates in strings, and
 * at most MAX_DEPTH levels of nesting, which also keeps a hostile body from
 * exhausting the stack); the members the contract names are kept, and any
 * other member is checked and skipped. One leniency: control characters
 * may stand unescaped in strings, because json-glib 1.6, which writes the
 * plugin's bodies, writes U+001F that way. As with json-glib, the last of
 * repeated members wins. The rules of the payload then apply to what was
 * kept (rw-webhook.c), in the same order as with json-glib. */

#define MAX_DEPTH 64

typedef struct {
  const char     *start;
  const char     *p;
  const char     *end;
  GError         *error;      /* the syntax error, in RW_JSON_ERROR */
  RwWebhookValue *values;
} Reader;

typedef enum {
  PROBLEM_UNEXPECTED,
  PROBLEM_ESCAPE,
  PROBLEM_DEPTH,
} Problem;

/* Sets r->error for a problem at @at; returns FALSE. */
static gboolean
fail (Reader     *r,
      const char *at,
      Problem     problem)
{
  g_autofree char *detail = NULL;
  g_autofree char *found = NULL;
  guint line = 1, column = 1;

  if (r->error != NULL)
    return FALSE;
  for (const char *c = r->start; c < at && c < r->end; c = g_utf8_next_char (c))
    {
      if (*c == '\n')
        {
          line++;
          column = 1;
        }
      else
        column++;
    }

  if (problem == PROBLEM_ESCAPE)
    detail = g_strdup_printf (_("an invalid escape in a string at line %u, column %u"), line, column);
  else if (problem == PROBLEM_DEPTH)
    detail = g_strdup_printf (_("more than %d levels of nesting at line %u, column %u"), MAX_DEPTH, line, column);
  else if (at >= r->end)
    detail = g_strdup (_("the document ends too early"));
  else if ((guchar) *at < 0x20 || !g_unichar_isgraph (g_utf8_get_char (at)))
    /* A control character, a space other than JSON's or a mark that does
     * not show (a byte order mark): its code. */
    /* Translators: %02x is the hexadecimal code of a character */
    detail = g_strdup_printf (_("unexpected character %02x at line %u, column %u"),
                              (guint) g_utf8_get_char (at), line, column);
  else
    {
      found = g_strndup (at, g_utf8_next_char (at) - at);
      /* Translators: the first %s is the character found */
      detail = g_strdup_printf (_("unexpected “%s” at line %u, column %u"), found, line, column);
    }
  r->error = g_error_new (RW_JSON_ERROR, RW_JSON_ERROR_SYNTAX, _("Not valid JSON: %s"), detail);
  return FALSE;
}

static void
skip_space (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static gboolean
expect (Reader *r,
        char    c)
{
  skip_space (r);
  if (r->p >= r->end || *r->p != c)
    return fail (r, r->p, PROBLEM_UNEXPECTED);
  r->p++;
  skip_space (r);
  return TRUE;
}

static gboolean
read_hex4 (const char *at,
           const char *end,
           gunichar   *out)
{
  *out = 0;
  if (end - at < 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (at[i]);

      if (digit < 0)
        return FALSE;
      *out = *out * 16 + (gunichar) digit;
    }
  return TRUE;
}

/* The escape at @at (a backslash), which scan_string() has checked: its
 * character, and where the escape ends. */
static gunichar
read_escape (const char  *at,
             const char **next)
{
  gunichar c, low;

  *next = at + 2;
  switch (at[1])
    {
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'u':
      read_hex4 (at + 2, at + 6, &c);
      *next = at + 6;
      if (c >= 0xD800 && c <= 0xDBFF)
        {
          read_hex4 (at + 8, at + 12, &low);
          *next = at + 12;
          c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
        }
      return c;
    default:
      return (guchar) at[1];
    }
}

/* Checks the string that starts at r->p and moves past it. *raw is what
 * stands between the quotes, *escaped whether it has escapes. */
static gboolean
scan_string (Reader       *r,
             const char  **raw,
             gsize        *raw_len,
             gboolean     *escaped)
{
  const char *q = r->p + 1;

  *escaped = FALSE;
  for (;;)
    {
      guchar c;

      if (q >= r->end)
        return fail (r, q, PROBLEM_UNEXPECTED);
      c = (guchar) *q;
      if (c == '"')
        break;
      if (c != '\\')
        {
          q++;
          continue;
        }

      *escaped = TRUE;
      if (q + 1 >= r->end)
        return fail (r, q + 1, PROBLEM_UNEXPECTED);
      if (strchr ("\"\\/bfnrt", q[1]) != NULL)
        {
          q += 2;
          continue;
        }
      if (q[1] == 'u')
        {
          gunichar u, low;

          if (!read_hex4 (q + 2, r->end, &u) || u == 0 || (u >= 0xDC00 && u <= 0xDFFF))
            return fail (r, q, PROBLEM_ESCAPE);
          if (u >= 0xD800 && u <= 0xDBFF &&
              (r->end - (q + 6) < 2 || q[6] != '\\' || q[7] != 'u' ||
               !read_hex4 (q + 8, r->end, &low) || low < 0xDC00 || low > 0xDFFF))
            return fail (r, q, PROBLEM_ESCAPE);
          q += u >= 0xD800 && u <= 0xDBFF ? 12 : 6;
          continue;
        }
      return fail (r, q, PROBLEM_ESCAPE);
    }

  *raw = r->p + 1;
  *raw_len = (gsize) (q - *raw);
  r->p = q + 1;
  return TRUE;
}

/* What scan_string() checked, unescaped. */
static char *
decode_string (const char *raw,
               gsize       raw_len,
               gboolean    escaped)
{
  GString *out;
  const char *run = raw, *end = raw + raw_len;

  if (!escaped)
    return g_strndup (raw, raw_len);
  out = g_string_sized_new (raw_len);
  for (const char *q = raw; q < end;)
    {
      const char *next;

      if (*q != '\\')
        {
          q++;
          continue;
        }
      g_string_append_len (out, run, q - run);
      g_string_append_unichar (out, read_escape (q, &next));
      q = run = next;
    }
  g_string_append_len (out, run, end - run);
  return g_string_free (out, FALSE);
}

static gboolean
read_number (Reader         *r,
             RwWebhookValue *value)
{
  const char *q = r->p;
  gboolean negative = FALSE, integer = TRUE, overflow = FALSE;
  guint64 magnitude = 0;

  if (*q == '-')
    {
      negative = TRUE;
      q++;
    }
  if (q >= r->end || !g_ascii_isdigit (*q))
    return fail (r, q, PROBLEM_UNEXPECTED);
  if (*q == '0')
    q++;
  else
    for (; q < r->end && g_ascii_isdigit (*q); q++)
      {
        guint digit = (guint) (*q - '0');

        if (magnitude > (G_MAXUINT64 - digit) / 10)
          overflow = TRUE;
        else
          magnitude = magnitude * 10 + digit;
      }
  if (q < r->end && *q == '.')
    {
      integer = FALSE;
      q++;
      if (q >= r->end || !g_ascii_isdigit (*q))
        return fail (r, q, PROBLEM_UNEXPECTED);
      while (q < r->end && g_ascii_isdigit (*q))
        q++;
    }
  if (q < r->end && (*q == 'e' || *q == 'E'))
    {
      integer = FALSE;
      q++;
      if (q < r->end && (*q == '+' || *q == '-'))
        q++;
      if (q >= r->end || !g_ascii_isdigit (*q))
        return fail (r, q, PROBLEM_UNEXPECTED);
      while (q < r->end && g_ascii_isdigit (*q))
        q++;
    }
  r->p = q;

  if (value == NULL)
    return TRUE;
  value->kind = RW_WEBHOOK_VALUE_OTHER;
  if (integer && !overflow && magnitude <= (guint64) G_MAXINT64 + (negative ? 1 : 0))
    {
      value->kind = RW_WEBHOOK_VALUE_INTEGER;
      value->integer = negative ? (gint64) (0 - magnitude) : (gint64) magnitude;
    }
  return TRUE;
}

static gboolean
read_literal (Reader         *r,
              RwWebhookValue *value)
{
  static const char *const literals[] = { "null", "true", "false" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize len = strlen (literals[i]);

      if ((gsize) (r->end - r->p) >= len && memcmp (r->p, literals[i], len) == 0)
        {
          r->p += len;
          if (value != NULL)
            value->kind = i == 0 ? RW_WEBHOOK_VALUE_NULL : RW_WEBHOOK_VALUE_OTHER;
          return TRUE;
        }
    }
  return fail (r, r->p, PROBLEM_UNEXPECTED);
}

/* After a member or an element: a comma, when another one follows, or
 * @close, when the object or array ends there (*@closed is then set). */
static gboolean
read_separator (Reader   *r,
                char      close,
                gboolean *closed)
{
  skip_space (r);
  *closed = r->p < r->end && *r->p == close;
  if (!*closed && (r->p >= r->end || *r->p != ','))
    return fail (r, r->p, PROBLEM_UNEXPECTED);
  r->p++;
  if (!*closed)
    skip_space (r);
  return TRUE;
}

static gboolean read_value (Reader                *r,
                            const RwWebhookMember *member,
                            int                    depth);

/* An object; with @members, the values of those it names are kept. */
static gboolean
read_object (Reader                *r,
             const RwWebhookMember *members,
             int                    depth)
{
  if (depth > MAX_DEPTH)
    return fail (r, r->p, PROBLEM_DEPTH);
  if (!expect (r, '{'))
    return FALSE;
  if (r->p < r->end && *r->p == '}')
    {
      r->p++;
      return TRUE;
    }
  for (;;)
    {
      const RwWebhookMember *found = NULL;
      const char *name;
      gsize name_len;
      gboolean escaped;
      gboolean closed;

      if (r->p >= r->end || *r->p != '"')
        return fail (r, r->p, PROBLEM_UNEXPECTED);
      if (!scan_string (r, &name, &name_len, &escaped))
        return FALSE;
      if (members != NULL)
        {
          g_autofree char *decoded = escaped ? decode_string (name, name_len, TRUE) : NULL;

          if (decoded != NULL)
            {
              name = decoded;
              name_len = strlen (decoded);
            }
          for (const RwWebhookMember *m = members; m->name != NULL && found == NULL; m++)
            if (strlen (m->name) == name_len && memcmp (m->name, name, name_len) == 0)
              found = m;
        }
      if (!expect (r, ':') || !read_value (r, found, depth + 1))
        return FALSE;
      if (!read_separator (r, '}', &closed))
        return FALSE;
      if (closed)
        return TRUE;
    }
}

static gboolean
read_array (Reader *r,
            int     depth)
{
  if (depth > MAX_DEPTH)
    return fail (r, r->p, PROBLEM_DEPTH);
  if (!expect (r, '['))
    return FALSE;
  if (r->p < r->end && *r->p == ']')
    {
      r->p++;
      return TRUE;
    }
  for (;;)
    {
      gboolean closed;

      if (!read_value (r, NULL, depth + 1))
        return FALSE;
      if (!read_separator (r, ']', &closed))
        return FALSE;
      if (closed)
        return TRUE;
    }
}

/* The value at r->p, kept in @member's slot if @member is not NULL. */
static gboolean
read_value (Reader                *r,
            const RwWebhookMember *member,
            int                    depth)
{
  RwWebhookValue *value = NULL;

  if (member != NULL)
    {
      value = &r->values[member->slot];
      g_clear_pointer (&value->string, g_free);
      value->kind = RW_WEBHOOK_VALUE_OTHER;
    }
  if (r->p >= r->end)
    return fail (r, r->p, PROBLEM_UNEXPECTED);

  switch (*r->p)
    {
    case '{':
      if (value != NULL)
        value->kind = RW_WEBHOOK_VALUE_OBJECT;
      if (member != NULL && member->members != NULL)
        {
          /* A repeated object replaces the first one whole. */
          for (const RwWebhookMember *m = member->members; m->name != NULL; m++)
            {
              g_clear_pointer (&r->values[m->slot].string, g_free);
              r->values[m->slot].kind = RW_WEBHOOK_VALUE_ABSENT;
            }
          return read_object (r, member->members, depth);
        }
      return read_object (r, NULL, depth);
    case '[':
      return read_array (r, depth);
    case '"':
      {
        const char *raw;
        gsize raw_len;
        gboolean escaped;

        if (!scan_string (r, &raw, &raw_len, &escaped))
          return FALSE;
        if (value != NULL)
          {
            value->kind = RW_WEBHOOK_VALUE_STRING;
            value->string = decode_string (raw, raw_len, escaped);
          }
        return TRUE;
      }
    default:
      if (*r->p == '-' || g_ascii_isdigit (*r->p))
        return read_number (r, value);
      return read_literal (r, value);
    }
}

/* Reads @data (@length bytes) as strict JSON, keeping in @values the
 * values of the members that @members names. The document must be an
 * object. Errors are in RW_JSON_ERROR, with the messages of
 * rw_json_parse(). @values must start cleared (all RW_WEBHOOK_VALUE_ABSENT);
 * clear it with rw_webhook_values_clear() in any case. */
gboolean
rw_webhook_read_members (const char             *data,
                         gsize                   length,
                         const RwWebhookMember  *members,
                         RwWebhookValue         *values,
                         GError                **error)
{
  Reader reader = { data, data, data + length, NULL, values };
  Reader *r = &reader;
  gboolean object;

  /* What json-glib refused before parsing (see rw_json_parse()). */
  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SYNTAX,
                           _("The JSON document contains a NUL byte"));
      return FALSE;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SYNTAX,
                           _("The JSON document is not valid UTF-8"));
      return FALSE;
    }

  skip_space (r);
  if (r->p == r->end)
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SYNTAX,
                           _("The JSON document is empty"));
      return FALSE;
    }
  object = *r->p == '{';
  if (!(object ? read_object (r, members, 1) : read_value (r, NULL, 1)))
    {
      g_propagate_error (error, g_steal_pointer (&r->error));
      return FALSE;
    }
  skip_space (r);
  if (r->p != r->end)
    {
      fail (r, r->p, PROBLEM_UNEXPECTED);
      g_propagate_error (error, g_steal_pointer (&r->error));
      return FALSE;
    }
  if (!object)
    {
      g_set_error_literal (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE,
                           _("Expected a JSON object"));
      return FALSE;
    }
  return TRUE;
}

void
rw_webhook_values_clear (RwWebhookValue *values,
                         guint           n_values)
{
  for (guint i = 0; i < n_values; i++)
    {
      g_clear_pointer (&values[i].string, g_free);
      values[i].kind = RW_WEBHOOK_VALUE_ABSENT;
    }
}
