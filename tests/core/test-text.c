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

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text/fold", test_fold);

  return g_test_run ();
}
