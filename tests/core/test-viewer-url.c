/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-json.h"
#include "rw-viewer-url.h"

static RwExam *
make_exam (const char *patient_id,
           gboolean    with_series)
{
  g_autoptr(RwPatient) patient = rw_patient_new (patient_id, "SILVA^JOÃO", "", "M", "");
  RwExamFields fields = {
    .study_uid = "1.2.840.1", .orthanc_id = "ab12-cd34", .accession_number = "ACC 1/2",
    .patient = patient,
  };
  RwExam *exam = rw_exam_new (&fields);

  if (with_series)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) json = rw_json_parse_object (
        "{\"ID\":\"5e-77\",\"Instances\":[],\"MainDicomTags\":{\"Modality\":\"CT\"}}", -1, &error);
      g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func (g_object_unref);

      g_assert_no_error (error);
      g_ptr_array_add (series, rw_series_new_from_orthanc (json, &error));
      g_assert_no_error (error);
      rw_exam_set_series (exam, series);
    }
  return exam;
}

static void
test_builtin_viewers (void)
{
  g_autoptr(RwExam) exam = make_exam ("P1", TRUE);
  static const struct {
    RwViewerKind kind;
    const char *base;
    const char *expected;
  } cases[] = {
    { RW_VIEWER_STONE, "http://pacs:8042", "http://pacs:8042/stone-webviewer/index.html?study=1.2.840.1" },
    { RW_VIEWER_STONE, "https://pacs.example/orthanc/", "https://pacs.example/orthanc/stone-webviewer/index.html?study=1.2.840.1" },
    { RW_VIEWER_OHIF, "http://127.0.0.1:8042/", "http://127.0.0.1:8042/ohif/viewer?StudyInstanceUIDs=1.2.840.1" },
    { RW_VIEWER_ORTHANC_WEB_VIEWER, "http://pacs", "http://pacs/web-viewer/app/viewer.html?series=5e-77" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = rw_viewer_url_for_exam (cases[i].kind, cases[i].base, NULL, exam, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, cases[i].expected);
    }
}

static void
test_web_viewer_needs_series (void)
{
  g_autoptr(RwExam) exam = make_exam ("P1", FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = rw_viewer_url_for_exam (RW_VIEWER_ORTHANC_WEB_VIEWER, "http://pacs", NULL,
                                                 exam, &error);

  g_assert_null (url);
  g_assert_error (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_MISSING_VALUE);
}

static void
test_bad_base (void)
{
  g_autoptr(RwExam) exam = make_exam ("P1", TRUE);
  const char *bases[] = {
    NULL, "", "pacs:8042", "ftp://pacs/", "http://user:secret@pacs:8042/", "http://pacs/?a=b",
    "http://pacs/#x", "http:///path",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = rw_viewer_url_for_exam (RW_VIEWER_STONE, bases[i], NULL, exam, &error);

      g_test_message ("base %s", bases[i]);
      g_assert_null (url);
      g_assert_error (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_BASE);
      /* The password never shows up in a message. */
      g_assert_null (strstr (error->message, "secret"));
    }
}

static void
test_template (void)
{
  g_autoptr(RwExam) exam = make_exam ("12/34&x=y #z", TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *braces = NULL;

  url = rw_viewer_url_expand_template (
    "{base}/viewer?study={study_uid}&id={study_id}&series={series_id}&patient={patient_id}&acc={accession}",
    "https://pacs.example/", exam, &error);
  g_assert_no_error (error);
  /* Values cannot add parameters or cut the URL short. */
  g_assert_cmpstr (url, ==,
                   "https://pacs.example/viewer?study=1.2.840.1&id=ab12-cd34&series=5e-77"
                   "&patient=12%2F34%26x%3Dy%20%23z&acc=ACC%201%2F2");

  braces = rw_viewer_url_expand_template ("{base}/v?q={{\"uid\":\"{study_uid}\"}}", "http://pacs",
                                          exam, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (braces, ==, "http://pacs/v?q={\"uid\":\"1.2.840.1\"}");
}

static void
test_template_errors (void)
{
  g_autoptr(RwExam) exam = make_exam ("P1", TRUE);
  const char *templates[] = {
    "{base}/v?study={study}",
    "{base}/v?study={study_uid",
    "{base}/v?study=study_uid}",
    "javascript:alert(1)//{study_uid}",
    "/relative/{study_uid}",
    "",
    NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = rw_viewer_url_for_exam (RW_VIEWER_CUSTOM, "http://pacs", templates[i],
                                                     exam, &error);

      g_test_message ("template %s", templates[i]);
      g_assert_null (url);
      g_assert_error (error, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_TEMPLATE);
    }
}

static void
test_study_urls (void)
{
  g_autofree char *dicom_web = rw_viewer_url_dicom_web_study ("https://pacs/", "1.2.3");
  g_autofree char *rest = rw_viewer_url_rest_study ("https://pacs", "ab-cd");

  g_assert_cmpstr (dicom_web, ==, "https://pacs/dicom-web/studies/1.2.3");
  g_assert_cmpstr (rest, ==, "https://pacs/studies/ab-cd");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/viewer-url/builtin", test_builtin_viewers);
  g_test_add_func ("/viewer-url/web-viewer-needs-series", test_web_viewer_needs_series);
  g_test_add_func ("/viewer-url/bad-base", test_bad_base);
  g_test_add_func ("/viewer-url/template", test_template);
  g_test_add_func ("/viewer-url/template-errors", test_template_errors);
  g_test_add_func ("/viewer-url/study-urls", test_study_urls);

  return g_test_run ();
}
