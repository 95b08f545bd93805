/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "rw-report.h"

G_BEGIN_DECLS

/* A phrase of the bank (banco de frases): a snippet for one section of the
 * laudo, for one modality or any, shared (owner 0) or a radiologist's own,
 * with an optional abbreviation that expands as it is typed. Immutable;
 * strings are never NULL ("" for any modality, no abbreviation). */
#define RW_TYPE_PHRASE (rw_phrase_get_type ())
G_DECLARE_FINAL_TYPE (RwPhrase, rw_phrase, RW, PHRASE, GObject)

/* An element of GET /api/phrases, strictly. */
RwPhrase        *rw_phrase_new_from_api       (JsonObject      *phrase,
                                               GError         **error);
/* The whole answer of GET /api/phrases: a GPtrArray of RwPhrase. */
GPtrArray       *rw_phrase_list_from_api      (JsonNode        *node,
                                               GError         **error);

gint64           rw_phrase_get_id             (RwPhrase        *self);
RwReportSection  rw_phrase_get_section        (RwPhrase        *self);
const char      *rw_phrase_get_modality       (RwPhrase        *self);
const char      *rw_phrase_get_label          (RwPhrase        *self);
const char      *rw_phrase_get_text           (RwPhrase        *self);
const char      *rw_phrase_get_abbreviation   (RwPhrase        *self);
gint64           rw_phrase_get_owner          (RwPhrase        *self);

/* Whether the phrase belongs in @section of an exam of @modality ("" or
 * NULL: any exam), and, when @folded_query (see rw_text_fold()) is not
 * empty, whether its label, abbreviation or text contains it. */
gboolean         rw_phrase_matches            (RwPhrase        *self,
                                               RwReportSection  section,
                                               const char      *modality,
                                               const char      *folded_query);

/* The phrase whose abbreviation is @word (compared without case or
 * accents) among @phrases for @section and @modality; NULL if none. When
 * several have it, the most specific wins: the exam's modality over any
 * modality, then one's own phrase over a shared one, then the lowest id. */
RwPhrase        *rw_phrase_list_find_abbreviation (GPtrArray       *phrases,
                                                   RwReportSection  section,
                                                   const char      *modality,
                                                   const char      *word);

G_END_DECLS
