/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "rw-user.h"

G_BEGIN_DECLS

/* The three parts of a laudo, in the order they are written. */
typedef enum {
  RW_REPORT_TECHNIQUE,
  RW_REPORT_FINDINGS,
  RW_REPORT_CONCLUSION,
} RwReportSection;

#define RW_REPORT_N_SECTIONS 3

/* A section of a laudo is free text; the server refuses more than this
 * many characters in one (a runaway paste, not a real report). */
#define RW_REPORT_MAX_SECTION (100 * 1000)

/* The API's names: "technique", "findings", "conclusion". */
const char  *rw_report_section_to_string   (RwReportSection  section);
gboolean     rw_report_section_from_string (const char      *string,
                                            RwReportSection *section);
/* For people, translated: "Técnica", "Achados", "Conclusão". */
const char  *rw_report_section_to_label    (RwReportSection  section);

/* Checks one section's text before it is stored or sent: valid UTF-8, no
 * control characters other than line breaks and tabs, at most
 * RW_REPORT_MAX_SECTION characters. The message names the section. */
gboolean     rw_report_check_text          (RwReportSection  section,
                                            const char      *text,
                                            GError         **error);

/* An addendum written after the laudo was signed. */
typedef struct {
  char   *text;
  RwUser *author;        /* may be NULL when the author is gone */
  gint64  created_at;    /* Unix seconds */
} RwAddendum;

/* A laudo as GET /api/reports/{id} returns it. Immutable: the server's
 * answer to each save is a new object. Strings are never NULL. */
#define RW_TYPE_REPORT (rw_report_get_type ())
G_DECLARE_FINAL_TYPE (RwReport, rw_report, RW, REPORT, GObject)

/* Strictly: a wrong type, a missing exam_id or version, text that fails
 * rw_report_check_text() is an RW_JSON_ERROR naming the member. */
RwReport         *rw_report_new_from_api     (JsonObject      *report,
                                              GError         **error);
/* The JSON it came from, for keeping it in a local store. */
JsonObject       *rw_report_to_api_json      (RwReport        *self);

gint64            rw_report_get_exam_id      (RwReport        *self);
const char       *rw_report_get_text         (RwReport        *self,
                                              RwReportSection  section);
gboolean          rw_report_get_is_final     (RwReport        *self);
gint64            rw_report_get_version      (RwReport        *self);
/* The radiologist who last saved or signed it; NULL if unknown. */
RwUser           *rw_report_get_radiologist  (RwReport        *self);
gint64            rw_report_get_created_at   (RwReport        *self);
gint64            rw_report_get_updated_at   (RwReport        *self);
/* 0 while it is a draft. */
gint64            rw_report_get_finalized_at (RwReport        *self);
guint             rw_report_get_n_addenda    (RwReport        *self);
const RwAddendum *rw_report_get_addendum     (RwReport        *self,
                                              guint            index);

/* TRUE when the three sections are exactly @technique, @findings and
 * @conclusion (NULL is ""). */
gboolean          rw_report_has_text         (RwReport        *self,
                                              const char      *technique,
                                              const char      *findings,
                                              const char      *conclusion);

/* A date and time in the local time zone, in the language's form
 * ("dd/mm/aaaa HH:MM" in pt_BR); "" for 0 and earlier. */
char             *rw_report_format_time      (gint64           unix_seconds);

G_END_DECLS
