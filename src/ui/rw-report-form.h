/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rw-exam.h"
#include "rw-phrase.h"
#include "rw-report.h"

G_BEGIN_DECLS

/* The laudo as the radiologist writes it: a header with the patient and
 * the exam, then técnica, achados and conclusão. A phrase goes in at the
 * cursor, replacing the selection (the seed's insertText). An abbreviation
 * typed and followed by Tab expands into its phrase, as PowerScribe's
 * AutoText does; Tab elsewhere goes to the next section. A final laudo is
 * shown read-only with its signature, date and time, and its addenda. */
#define RW_TYPE_REPORT_FORM (rw_report_form_get_type ())
G_DECLARE_FINAL_TYPE (RwReportForm, rw_report_form, RW, REPORT_FORM, GtkWidget)

RwReportForm    *rw_report_form_new                 (void);

void             rw_report_form_set_exam            (RwReportForm       *self,
                                                     RwExam             *exam);
RwExam          *rw_report_form_get_exam            (RwReportForm       *self);
/* The bank the abbreviations come from (RwPhrase); may be NULL. */
void             rw_report_form_set_phrases         (RwReportForm       *self,
                                                     GPtrArray          *phrases);

/* Replaces the three sections (NULL or "" empties one) without counting
 * it as typing: "changed" is not emitted. */
void             rw_report_form_set_text            (RwReportForm       *self,
                                                     const char * const *text);
/* The three sections as they would be saved: line breaks made "\n",
 * control characters a paste brought in made spaces. A NULL-terminated
 * array of RW_REPORT_N_SECTIONS strings. */
char           **rw_report_form_dup_text            (RwReportForm       *self);

void             rw_report_form_set_editable        (RwReportForm       *self,
                                                     gboolean            editable);
gboolean         rw_report_form_get_editable        (RwReportForm       *self);

/* Shows @report: its text, and for a final laudo the signature line with
 * the date and time and the addenda, read-only. With @can_add_addendum the
 * form offers to write one ("add-addendum"). */
void             rw_report_form_show_report         (RwReportForm       *self,
                                                     RwReport           *report,
                                                     gboolean            can_add_addendum);
/* The signature line shown, or NULL while the laudo is not final. */
const char      *rw_report_form_get_signature_line  (RwReportForm       *self);
/* A line under the header: "Draft, not signed", "Being reported by …". */
void             rw_report_form_set_status_line     (RwReportForm       *self,
                                                     const char         *line);

/* The section being written: the last one that had the focus. */
RwReportSection  rw_report_form_get_section         (RwReportForm       *self);
void             rw_report_form_focus_section       (RwReportForm       *self,
                                                     RwReportSection     section);
GtkTextView     *rw_report_form_get_text_view       (RwReportForm       *self,
                                                     RwReportSection     section);
/* The selected text of the current section, or NULL. */
char            *rw_report_form_dup_selection       (RwReportForm       *self);

/* @text at the cursor of the current section, replacing the selection;
 * the cursor ends after it. FALSE when the form is read-only. */
gboolean         rw_report_form_insert_text         (RwReportForm       *self,
                                                     const char         *text);
/* Expands the word before the cursor when it is an abbreviation of the
 * bank (for the current section and the exam's modality). */
gboolean         rw_report_form_expand_abbreviation (RwReportForm       *self);

G_END_DECLS
