/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb-core"

#include "config.h"

#include <string.h>

#include "rw-text.h"

/* Adds @c to the folded text that starts at @start in @out: marks
 * dropped, '^' and white space kept as a pending separator, anything else
 * lowercased. */
static void
fold_char (GString  *out,
           gsize     start,
           gunichar  c,
           gboolean *pending_space)
{
  if (g_unichar_ismark (c))
    return;
  if (c == '^' || g_unichar_isspace (c))
    {
      *pending_space = out->len > start;
      return;
    }
  if (*pending_space)
    g_string_append_c (out, ' ');
  *pending_space = FALSE;
  if (c < 0x80)
    g_string_append_c (out, g_ascii_tolower ((char) c));
  else
    g_string_append_unichar (out, g_unichar_tolower (c));
}

/* Folds text for searching: lowercase, accents removed, DICOM name
 * separators ('^') and runs of white space turned into one space. Both the
 * stored copy and the query go through here, so "joao" finds "JOÃO" and
 * "conceicao" finds "CONCEIÇÃO". Letters without a decomposition (ø, ß, or
 * any non-Latin script) are kept as they are, lowercased.
 *
 * Each character is decomposed on its own (canonically and fully, as NFD
 * does) rather than normalizing the whole text first: the marks NFD would
 * reorder are all dropped, so the result is the same, without a copy of
 * the text, and ASCII (most of a name, an id, an accession number) goes
 * straight through. The server's writer folds every exam it stores, and
 * the worklist five fields of each exam it loads, all into one string. */
void
rw_text_fold_append (GString    *out,
                     const char *text)
{
  gsize start = out->len;
  gboolean pending_space = FALSE;
  gboolean validated = FALSE;

  if (text == NULL)
    return;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar decomposed[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
      gsize n;

      /* ASCII inline: no marks there, and the same white space as
       * g_unichar_isspace(). */
      if ((guchar) *p < 0x80)
        {
          char c = *p;

          if (c == '^' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
            pending_space = out->len > start;
          else
            {
              if (pending_space)
                g_string_append_c (out, ' ');
              pending_space = FALSE;
              g_string_append_c (out, c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            }
          continue;
        }
      /* The rest is checked once, at its first non-ASCII character. */
      if (!validated && !g_utf8_validate (p, -1, NULL))
        {
          g_string_truncate (out, start);
          return;
        }
      validated = TRUE;
      n = g_unichar_fully_decompose (g_utf8_get_char (p), FALSE, decomposed, G_N_ELEMENTS (decomposed));
      for (gsize i = 0; i < n; i++)
        fold_char (out, start, decomposed[i], &pending_space);
    }
}

char *
rw_text_fold (const char *text)
{
  GString *out = g_string_sized_new (text != NULL ? strlen (text) : 0);

  rw_text_fold_append (out, text);
  return g_string_free (out, FALSE);
}
