/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <string.h>

#include "rw-text.h"

/* Folds text for searching: lowercase, accents removed, DICOM name
 * separators ('^') and runs of white space turned into one space. Both the
 * stored copy and the query go through here, so "joao" finds "JOÃO" and
 * "conceicao" finds "CONCEIÇÃO". Letters without a decomposition (ø, ß, or
 * any non-Latin script) are kept as they are, lowercased. */
/* The same rules for text that is all ASCII, as almost everything that
 * modalities write is: no normalization needed. The worklist folds five
 * fields of each of 100k exams at start, and g_utf8_normalize() is most of
 * that time. */
static char *
fold_ascii (const char *text,
            gsize       len)
{
  char *out = g_malloc (len + 1);
  gboolean pending_space = FALSE;
  gsize n = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '^' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
        {
          pending_space = n > 0;
          continue;
        }
      if (pending_space)
        out[n++] = ' ';
      pending_space = FALSE;
      out[n++] = g_ascii_tolower (c);
    }
  out[n] = '\0';
  return out;
}

char *
rw_text_fold (const char *text)
{
  g_autofree char *decomposed = NULL;
  GString *out;
  gboolean pending_space = FALSE;
  gsize len = 0;

  if (text == NULL)
    return g_strdup ("");

  while (text[len] != '\0' && (guchar) text[len] < 0x80)
    len++;
  if (text[len] == '\0')
    return fold_ascii (text, len);

  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  if (decomposed == NULL)
    return g_strdup ("");

  out = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_ismark (c))
        continue;
      if (c == '^' || g_unichar_isspace (c))
        {
          pending_space = out->len > 0;
          continue;
        }
      if (pending_space)
        g_string_append_c (out, ' ');
      pending_space = FALSE;
      g_string_append_unichar (out, g_unichar_tolower (c));
    }
  return g_string_free (out, FALSE);
}
