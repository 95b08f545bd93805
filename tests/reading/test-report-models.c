/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-json.h"
#include "rw-phrase.h"
#include "rw-report.h"

/* The laudo, its signer and the phrase bank as the client reads them from
 * the API: what the server sends is accepted field for field, and anything
 * else is refused with a message naming the member, never half read. */

static const char *report_json =
  "{\"exam_id\": 7, \"technique\": \"TC sem contraste.\", \"findings\": \"Fígado normal.\\nBaço normal.\\t(ok)\","
  " \"conclusion\": \"Exame normal.\", \"is_final\": true, \"version\": 3,"
  " \"radiologist\": {\"id\": 2, \"username\": \"ana\", \"display_name\": \"Dra. Ana Souza\","
  "   \"crm\": \"CRM/SP 123456\", \"rqe\": \"98765\", \"role\": \"radiologist\"},"
  " \"created_at\": \"2024-01-01T10:30:00Z\", \"updated_at\": \"2024-01-01T11:00:00Z\","
  " \"finalized_at\": \"2024-01-01T11:00:00Z\","
  " \"addenda\": [{\"text\": \"Adendo.\", \"author\": {\"id\": 2, \"username\": \"ana\"},"
  "   \"created_at\": \"2024-01-02T09:00:00Z\"}]}";

static RwReport *
parse_report (const char  *json,
              GError     **error)
{
  g_autoptr(JsonObject) object = rw_json_parse_object (json, -1, NULL);

  g_assert_nonnull (object);
  return rw_report_new_from_api (object, error);
}

static void
test_report_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwReport) report = parse_report (report_json, &error);
  g_autofree char *signature = NULL;
  g_autofree char *when = NULL;
  const RwAddendum *addendum;
  RwUser *radiologist;

  g_assert_no_error (error);
  g_assert_cmpint (rw_report_get_exam_id (report), ==, 7);
  g_assert_cmpstr (rw_report_get_text (report, RW_REPORT_TECHNIQUE), ==, "TC sem contraste.");
  /* Newlines and tabs are a laudo's own. */
  g_assert_cmpstr (rw_report_get_text (report, RW_REPORT_FINDINGS), ==, "Fígado normal.\nBaço normal.\t(ok)");
  g_assert_true (rw_report_get_is_final (report));
  g_assert_cmpint (rw_report_get_version (report), ==, 3);
  g_assert_cmpint (rw_report_get_finalized_at (report), ==, 1704106800);
  g_assert_true (rw_report_has_text (report, "TC sem contraste.", "Fígado normal.\nBaço normal.\t(ok)", "Exame normal."));
  g_assert_false (rw_report_has_text (report, "TC sem contraste.", "Fígado normal.", "Exame normal."));

  radiologist = rw_report_get_radiologist (report);
  g_assert_nonnull (radiologist);
  g_assert_true (rw_user_is_radiologist (radiologist));
  signature = rw_user_dup_signature (radiologist);
  g_assert_cmpstr (signature, ==, "Dra. Ana Souza — CRM/SP 123456 — RQE 98765");

  g_assert_cmpuint (rw_report_get_n_addenda (report), ==, 1);
  addendum = rw_report_get_addendum (report, 0);
  g_assert_cmpstr (addendum->text, ==, "Adendo.");
  g_assert_cmpstr (rw_user_get_display_name (addendum->author), ==, "ana");

  /* TZ is America/Sao_Paulo in the test environment: 11:00Z is 08:00. */
  when = rw_report_format_time (rw_report_get_finalized_at (report));
  g_assert_cmpstr (when, ==, "01/01/2024 08:00");
}

static void
test_report_reject (void)
{
  static const struct {
    const char *json;
    const char *member;
  } cases[] = {
    { "{\"technique\": \"\", \"is_final\": false, \"version\": 1}", "exam_id" },
    { "{\"exam_id\": \"7\", \"is_final\": false, \"version\": 1}", "exam_id" },
    { "{\"exam_id\": 7, \"is_final\": false}", "version" },
    { "{\"exam_id\": 7, \"is_final\": \"no\", \"version\": 1}", "is_final" },
    { "{\"exam_id\": 7, \"findings\": 3, \"is_final\": false, \"version\": 1}", "findings" },
    { "{\"exam_id\": 7, \"findings\": \"a\\u0001b\", \"is_final\": false, \"version\": 1}", "Findings" },
    { "{\"exam_id\": 7, \"is_final\": true, \"version\": 1}", "finalized_at" },
    { "{\"exam_id\": 7, \"is_final\": false, \"version\": 1, \"radiologist\": {\"username\": \"x\"}}", "radiologist" },
    { "{\"exam_id\": 7, \"is_final\": false, \"version\": 1, \"addenda\": [3]}", "addenda" },
    { "{\"exam_id\": 7, \"is_final\": false, \"version\": 1, \"created_at\": \"ontem\"}", "created_at" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RwReport) report = parse_report (cases[i].json, &error);

      g_assert_null (report);
      g_assert_error (error, RW_JSON_ERROR, error->code);
      if (strstr (error->message, cases[i].member) == NULL)
        g_error ("case %u: “%s” does not name %s", i, error->message, cases[i].member);
    }
}

static void
test_report_check_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *huge = g_strnfill (RW_REPORT_MAX_SECTION + 1, 'a');

  g_assert_true (rw_report_check_text (RW_REPORT_CONCLUSION, "Normal.\n\tOk", NULL));
  g_assert_true (rw_report_check_text (RW_REPORT_CONCLUSION, NULL, NULL));
  g_assert_false (rw_report_check_text (RW_REPORT_CONCLUSION, huge, &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE);
  g_clear_error (&error);
  g_assert_false (rw_report_check_text (RW_REPORT_TECHNIQUE, "\xff\xfe", &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_VALUE);
}

static GPtrArray *
sample_phrases (void)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *phrases;

  node = rw_json_parse (
    "["
    " {\"id\": 1, \"section\": \"findings\", \"modality\": null, \"label\": \"Normal\","
    "  \"text\": \"Exame dentro dos limites da normalidade.\", \"abbreviation\": \"nl\", \"owner\": null},"
    " {\"id\": 2, \"section\": \"findings\", \"modality\": \"CT\", \"label\": \"Fígado normal (TC)\","
    "  \"text\": \"Fígado de dimensões normais, contornos regulares e densidade homogênea.\","
    "  \"abbreviation\": \"fig\", \"owner\": null},"
    " {\"id\": 3, \"section\": \"findings\", \"modality\": null, \"label\": \"Fígado normal\","
    "  \"text\": \"Fígado sem alterações.\", \"abbreviation\": \"FIG\", \"owner\": null},"
    " {\"id\": 4, \"section\": \"findings\", \"modality\": null, \"label\": \"Meu normal\","
    "  \"text\": \"Sem alterações significativas.\", \"abbreviation\": \"nl\", \"owner\": 2},"
    " {\"id\": 5, \"section\": \"conclusion\", \"modality\": \"MR\", \"label\": \"Conclusão normal (RM)\","
    "  \"text\": \"Estudo sem alterações.\", \"abbreviation\": \"cn\", \"owner\": null}"
    "]", -1, NULL);
  phrases = rw_phrase_list_from_api (node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (phrases->len, ==, 5);
  return phrases;
}

static void
test_phrase_search (void)
{
  g_autoptr(GPtrArray) phrases = sample_phrases ();
  RwPhrase *ct_liver = g_ptr_array_index (phrases, 1);
  RwPhrase *mr_conclusion = g_ptr_array_index (phrases, 4);

  g_assert_cmpint (rw_phrase_get_section (ct_liver), ==, RW_REPORT_FINDINGS);
  g_assert_cmpstr (rw_phrase_get_modality (ct_liver), ==, "CT");
  g_assert_cmpstr (rw_phrase_get_modality (g_ptr_array_index (phrases, 0)), ==, "");

  /* Section and modality. */
  g_assert_true (rw_phrase_matches (ct_liver, RW_REPORT_FINDINGS, "CT", NULL));
  g_assert_false (rw_phrase_matches (ct_liver, RW_REPORT_FINDINGS, "MR", NULL));
  g_assert_false (rw_phrase_matches (ct_liver, RW_REPORT_CONCLUSION, "CT", NULL));
  g_assert_true (rw_phrase_matches (mr_conclusion, RW_REPORT_CONCLUSION, "mr", ""));
  /* Label, text and abbreviation, without case or accents. */
  g_assert_true (rw_phrase_matches (ct_liver, RW_REPORT_FINDINGS, "CT", "figado"));
  g_assert_true (rw_phrase_matches (ct_liver, RW_REPORT_FINDINGS, "CT", "homogenea"));
  g_assert_true (rw_phrase_matches (ct_liver, RW_REPORT_FINDINGS, "CT", "fig"));
  g_assert_false (rw_phrase_matches (ct_liver, RW_REPORT_FINDINGS, "CT", "baco"));
}

static void
test_phrase_abbreviation (void)
{
  g_autoptr(GPtrArray) phrases = sample_phrases ();
  RwPhrase *found;

  /* The exam's modality wins over any modality. */
  found = rw_phrase_list_find_abbreviation (phrases, RW_REPORT_FINDINGS, "CT", "fig");
  g_assert_cmpint (rw_phrase_get_id (found), ==, 2);
  found = rw_phrase_list_find_abbreviation (phrases, RW_REPORT_FINDINGS, "US", "Fig");
  g_assert_cmpint (rw_phrase_get_id (found), ==, 3);
  /* One's own phrase wins over a shared one. */
  found = rw_phrase_list_find_abbreviation (phrases, RW_REPORT_FINDINGS, "CT", "NL");
  g_assert_cmpint (rw_phrase_get_id (found), ==, 4);
  /* Another section, another modality, no such word. */
  g_assert_null (rw_phrase_list_find_abbreviation (phrases, RW_REPORT_TECHNIQUE, "CT", "nl"));
  g_assert_null (rw_phrase_list_find_abbreviation (phrases, RW_REPORT_CONCLUSION, "CT", "cn"));
  g_assert_nonnull (rw_phrase_list_find_abbreviation (phrases, RW_REPORT_CONCLUSION, "MR", "cn"));
  g_assert_null (rw_phrase_list_find_abbreviation (phrases, RW_REPORT_FINDINGS, "CT", "xyz"));
  g_assert_null (rw_phrase_list_find_abbreviation (phrases, RW_REPORT_FINDINGS, "CT", ""));
}

static void
test_phrase_reject (void)
{
  static const char *cases[] = {
    "{}",
    "[3]",
    "[{\"id\": 1, \"section\": \"impressao\", \"label\": \"x\", \"text\": \"y\"}]",
    "[{\"id\": 1, \"section\": \"findings\", \"text\": \"y\"}]",
    "[{\"id\": 1, \"section\": \"findings\", \"label\": \"x\", \"text\": \"y\", \"abbreviation\": \"two words\"}]",
    "[{\"id\": 1, \"section\": \"findings\", \"label\": \"x\", \"text\": \"y\", \"owner\": \"ana\"}]",
    "[{\"id\": 1, \"section\": \"findings\", \"label\": \"x\", \"text\": \"y\", \"modality\": \"ABCDEFGHIJKLMNOPQRSTU\"}]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = rw_json_parse (cases[i], -1, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) phrases = NULL;

      g_assert_nonnull (node);
      phrases = rw_phrase_list_from_api (node, &error);
      g_assert_null (phrases);
      g_assert_error (error, RW_JSON_ERROR, error->code);
    }
}

static void
test_sections (void)
{
  RwReportSection section;

  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    {
      g_assert_true (rw_report_section_from_string (rw_report_section_to_string (i), &section));
      g_assert_cmpuint (section, ==, i);
      g_assert_nonnull (rw_report_section_to_label (i));
    }
  g_assert_false (rw_report_section_from_string ("impression", &section));
  g_assert_false (rw_report_section_from_string (NULL, &section));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/report/parse", test_report_parse);
  g_test_add_func ("/report/reject", test_report_reject);
  g_test_add_func ("/report/check-text", test_report_check_text);
  g_test_add_func ("/report/sections", test_sections);
  g_test_add_func ("/phrase/search", test_phrase_search);
  g_test_add_func ("/phrase/abbreviation", test_phrase_abbreviation);
  g_test_add_func ("/phrase/reject", test_phrase_reject);

  return g_test_run ();
}
