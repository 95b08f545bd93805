/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-phrase.h"

G_BEGIN_DECLS

/* The phrase bank at hand: a popover listing the phrases for the section
 * being written and the exam's modality, searched as one types (without
 * case or accents). Enter or a click inserts a phrase ("phrase-activated");
 * Down moves from the search to the list, Escape closes. */
#define RW_TYPE_PHRASE_BANK (rw_phrase_bank_get_type ())
G_DECLARE_FINAL_TYPE (RwPhraseBank, rw_phrase_bank, RW, PHRASE_BANK, GtkPopover)

RwPhraseBank *rw_phrase_bank_new           (void);

void          rw_phrase_bank_set_phrases   (RwPhraseBank    *self,
                                            GPtrArray       *phrases);
void          rw_phrase_bank_set_filter    (RwPhraseBank    *self,
                                            RwReportSection  section,
                                            const char      *modality);
void          rw_phrase_bank_set_query     (RwPhraseBank    *self,
                                            const char      *query);

/* The phrases shown, in order. */
guint         rw_phrase_bank_get_n_shown   (RwPhraseBank    *self);
RwPhrase     *rw_phrase_bank_get_shown     (RwPhraseBank    *self,
                                            guint            index);
/* Activates the @index-th phrase shown, as Enter or a click does. */
void          rw_phrase_bank_activate      (RwPhraseBank    *self,
                                            guint            index);

G_END_DECLS
