/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>

#include "rw-text.h"

static void
test_fold (void)
{
  const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "SILVA^JOÃO^CARLOS", "silva joao carlos" },
    { "CONCEIÇÃO", "conceicao" },
    { "  Tomografia   de  CRÂNIO\t", "tomografia de cranio" },
    { "ÁÉÍÓÚÂÊÔÀÜ çñ", "aeiouaeoau cn" },
    { "ACC20240101001", "acc20240101001" },
    /* All-ASCII text takes a shorter way with the same rules. */
    { "  SILVA^^JOAO \t CARLOS  ", "silva joao carlos" },
    { "^TC  ABDOME\nTOTAL^", "tc abdome total" },
    /* Composed and decomposed forms fold alike. */
    { "Joa\xcc\x83o", "joao" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *folded = rw_text_fold (cases[i].in);

      g_assert_cmpstr (folded, ==, cases[i].out);
    }

  {
    g_autofree char *none = rw_text_fold (NULL);
    g_autofree char *invalid = rw_text_fold ("\xff\xfe");

    g_assert_cmpstr (none, ==, "");
    g_assert_cmpstr (invalid, ==, "");
  }
}

/* Folding onto the end of a string: a separator at the start of the new
 * text is dropped as at the start of a string, whatever came before. */
static void
test_fold_append (void)
{
  g_autoptr(GString) out = g_string_new ("abc");

  rw_text_fold_append (out, " ^JOÃO  SILVA ");
  g_assert_cmpstr (out->str, ==, "abcjoao silva");
  g_string_append_c (out, '|');
  rw_text_fold_append (out, "\xff");
  rw_text_fold_append (out, NULL);
  rw_text_fold_append (out, "^ É");
  g_assert_cmpstr (out->str, ==, "abcjoao silva|e");
}

/* The folding as first written: NFD of the whole text, then marks
 * dropped. rw_text_fold() decomposes character by character; both must
 * agree on any text. */
static char *
fold_by_nfd (const char *text)
{
  g_autofree char *decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  GString *out = g_string_new (NULL);
  gboolean pending_space = FALSE;

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

static void
test_fold_like_nfd (void)
{
  static const char *const pieces[] = {
    "A", "z", "0", " ", "^", "\t", "\n", "\v", "\f", "\r", "\xc2\xa0" /* no-break space */,
    "Ã", "ç", "É", "ü", "Ÿ", "ß", "ø", "Æ", "ǅ", "ﬁ", "Ω", "ά", "ῷ", "Д", "й", "א", "ي", "한", "글",
    "\xcc\x83" /* combining tilde */, "\xcc\x81", "\xcd\x85", "\xe0\xa4\xbf", "文", "😀", "Å", "Ǻ",
    "\xe2\x80\xa8", "\xe3\x80\x80" /* ideographic space */, "Ⅳ", "①", "ｆ",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1980);

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *folded = NULL;
      g_autofree char *expected = NULL;
      guint n = g_rand_int_range (rand, 0, 16);

      for (guint i = 0; i < n; i++)
        g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      folded = rw_text_fold (text->str);
      expected = fold_by_nfd (text->str);
      g_assert_cmpstr (folded, ==, expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text/fold", test_fold);
  g_test_add_func ("/text/fold-append", test_fold_append);
  g_test_add_func ("/text/fold-like-nfd", test_fold_like_nfd);

  return g_test_run ();
}
