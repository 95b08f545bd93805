/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-test-exams.h"
#include "rw-text.h"
#include "rw-worklist-model.h"

/* The model is plain GIO: no display needed. */

typedef struct {
  guint position;
  guint removed;
  guint added;
  guint count;
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Change     *change)
{
  change->position = position;
  change->removed = removed;
  change->added = added;
  change->count++;
}

static void
on_rows_changed (RwWorklistModel *model,
                 guint            position,
                 guint            n_rows,
                 Change          *change)
{
  change->position = position;
  change->removed = n_rows;
  change->count++;
}

/* The exam the list shows at @position, read through the GListModel. */
static RwExam *
item (RwWorklistModel *model,
      guint            position)
{
  g_autoptr(RwWorklistSlot) slot = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (slot);
  g_assert_true (rw_worklist_slot_get_exam (slot) == rw_worklist_model_get_exam (model, position));
  return rw_worklist_slot_get_exam (slot);
}

static guint
n_items (RwWorklistModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (model));
}

static GPtrArray *
small_worklist (void)
{
  GPtrArray *exams = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (exams, rw_test_exam_new_with (1, "SILVA^JOÃO^CARLOS", "CT", "2024-03-01",
                                                 RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_ROUTINE, 100));
  g_ptr_array_add (exams, rw_test_exam_new_with (2, "SOUZA^ANA", "MR", "2024-03-05",
                                                 RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_STAT, 200));
  g_ptr_array_add (exams, rw_test_exam_new_with (3, "ARAÚJO^JOAO", "CR", "2024-02-10",
                                                 RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_URGENT, 300));
  g_ptr_array_add (exams, rw_test_exam_new_with (4, "LIMA^PAULO", "CT", "2024-03-10",
                                                 RW_EXAM_STATUS_COMPLETED, RW_EXAM_PRIORITY_ROUTINE, 400));
  g_ptr_array_add (exams, rw_test_exam_new_with (5, "CONCEIÇÃO^MARIA", "US", "2024-01-20",
                                                 RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_ROUTINE, 500));
  return exams;
}

static RwWorklistModel *
new_model (void)
{
  RwWorklistModel *model = rw_worklist_model_new ();
  g_autoptr(GPtrArray) exams = small_worklist ();

  rw_worklist_model_set_exams (model, exams);
  return model;
}

static void
test_default_order_and_status (void)
{
  g_autoptr(RwWorklistModel) model = new_model ();

  /* Pending by default; stat, then urgent, then the newest received. */
  g_assert_cmpuint (rw_worklist_model_get_n_total (model), ==, 5);
  g_assert_cmpuint (n_items (model), ==, 4);
  g_assert_cmpint (rw_exam_get_id (item (model, 0)), ==, 2);
  g_assert_cmpint (rw_exam_get_id (item (model, 1)), ==, 3);
  g_assert_cmpint (rw_exam_get_id (item (model, 2)), ==, 5);
  g_assert_cmpint (rw_exam_get_id (item (model, 3)), ==, 1);

  rw_worklist_model_set_status (model, RW_EXAM_STATUS_COMPLETED);
  g_assert_cmpuint (n_items (model), ==, 1);
  g_assert_cmpint (rw_exam_get_id (item (model, 0)), ==, 4);

  rw_worklist_model_set_status (model, RW_WORKLIST_ANY_STATUS);
  g_assert_cmpuint (n_items (model), ==, 5);
}

static void
test_search (void)
{
  g_autoptr(RwWorklistModel) model = new_model ();

  rw_worklist_model_set_status (model, RW_WORKLIST_ANY_STATUS);

  /* Accents and case do not matter, in either direction. */
  rw_worklist_model_set_search (model, "joao");
  g_assert_cmpuint (n_items (model), ==, 2);
  rw_worklist_model_set_search (model, "JOÃO");
  g_assert_cmpuint (n_items (model), ==, 2);
  rw_worklist_model_set_search (model, "conceicao");
  g_assert_cmpuint (n_items (model), ==, 1);
  g_assert_cmpint (rw_exam_get_id (item (model, 0)), ==, 5);

  /* Every word must match, in any of the searched fields. */
  rw_worklist_model_set_search (model, "joao araujo");
  g_assert_cmpuint (n_items (model), ==, 1);
  g_assert_cmpint (rw_exam_get_id (item (model, 0)), ==, 3);
  rw_worklist_model_set_search (model, "abdome silva");
  g_assert_cmpuint (n_items (model), ==, 1);
  g_assert_cmpint (rw_exam_get_id (item (model, 0)), ==, 1);

  /* Patient ID and accession number. */
  rw_worklist_model_set_search (model, "p00004");
  g_assert_cmpuint (n_items (model), ==, 1);
  g_assert_cmpint (rw_exam_get_id (item (model, 0)), ==, 4);
  rw_worklist_model_set_search (model, "acc00002");
  g_assert_cmpuint (n_items (model), ==, 1);

  rw_worklist_model_set_search (model, "nobody");
  g_assert_cmpuint (n_items (model), ==, 0);
  rw_worklist_model_set_search (model, "   ");
  g_assert_cmpuint (n_items (model), ==, 5);
}

static void
test_modality_and_dates (void)
{
  g_autoptr(RwWorklistModel) model = new_model ();

  rw_worklist_model_set_status (model, RW_WORKLIST_ANY_STATUS);
  rw_worklist_model_set_modality (model, "CT");
  g_assert_cmpuint (n_items (model), ==, 2);
  rw_worklist_model_set_modality (model, NULL);

  /* Inclusive at both ends. */
  rw_worklist_model_set_date_range (model, "2024-03-01", "2024-03-05");
  g_assert_cmpuint (n_items (model), ==, 2);
  rw_worklist_model_set_date_range (model, "2024-03-01", NULL);
  g_assert_cmpuint (n_items (model), ==, 3);
  rw_worklist_model_set_date_range (model, NULL, "2024-02-10");
  g_assert_cmpuint (n_items (model), ==, 2);
  rw_worklist_model_set_date_range (model, NULL, NULL);
  g_assert_cmpuint (n_items (model), ==, 5);
}

static void
test_sort (void)
{
  g_autoptr(RwWorklistModel) model = new_model ();
  const gint64 by_name[] = { 3, 5, 4, 1, 2 };
  const gint64 by_date[] = { 5, 3, 1, 2, 4 };
  gboolean descending = FALSE;

  rw_worklist_model_set_status (model, RW_WORKLIST_ANY_STATUS);

  /* Accents do not push "ARAÚJO" after "SOUZA". */
  rw_worklist_model_set_sort (model, RW_WORKLIST_SORT_PATIENT_NAME, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (by_name); i++)
    g_assert_cmpint (rw_exam_get_id (item (model, i)), ==, by_name[i]);
  rw_worklist_model_set_sort (model, RW_WORKLIST_SORT_PATIENT_NAME, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (by_name); i++)
    g_assert_cmpint (rw_exam_get_id (item (model, i)), ==, by_name[G_N_ELEMENTS (by_name) - 1 - i]);

  rw_worklist_model_set_sort (model, RW_WORKLIST_SORT_STUDY_DATE, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (by_date); i++)
    g_assert_cmpint (rw_exam_get_id (item (model, i)), ==, by_date[i]);
  g_assert_cmpint (rw_worklist_model_get_sort (model, &descending), ==, RW_WORKLIST_SORT_STUDY_DATE);
  g_assert_false (descending);

  /* Sorting and filtering combine. */
  rw_worklist_model_set_search (model, "joao");
  g_assert_cmpuint (n_items (model), ==, 2);
  g_assert_cmpint (rw_exam_get_id (item (model, 0)), ==, 3);
  g_assert_cmpint (rw_exam_get_id (item (model, 1)), ==, 1);
}

static void
test_upsert (void)
{
  g_autoptr(RwWorklistModel) model = new_model ();
  g_autoptr(RwExam) newer = NULL;
  g_autoptr(RwExam) claimed = NULL;
  g_autoptr(RwExam) urgent = NULL;
  g_autoptr(RwWorklistSlot) slot2 = NULL;
  Change items = { 0, };
  Change rows = { 0, };
  RwExam *original;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &items);
  g_signal_connect (model, "rows-changed", G_CALLBACK (on_rows_changed), &rows);
  /* A slot GTK already holds keeps its identity and follows the content. */
  slot2 = g_list_model_get_item (G_LIST_MODEL (model), 2);
  g_assert_cmpint (rw_exam_get_id (rw_worklist_slot_get_exam (slot2)), ==, 5);

  /* A new routine exam, received last: it goes after the urgent ones, the
   * list grows by one row at its end and the rows from 2 on show other
   * exams. */
  newer = rw_test_exam_new_with (6, "GOMES^PEDRO", "CT", "2024-03-11",
                                 RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_ROUTINE, 600);
  g_assert_true (rw_worklist_model_upsert (model, newer));
  g_assert_cmpuint (items.count, ==, 1);
  g_assert_cmpuint (items.position, ==, 4);
  g_assert_cmpuint (items.removed, ==, 0);
  g_assert_cmpuint (items.added, ==, 1);
  g_assert_cmpuint (rows.count, ==, 1);
  g_assert_cmpuint (rows.position, ==, 2);
  g_assert_cmpuint (rows.removed, ==, 2);
  g_assert_true (item (model, 2) == newer);
  g_assert_true (rw_worklist_slot_get_exam (slot2) == newer);
  g_assert_cmpint (rw_exam_get_id (item (model, 4)), ==, 1);
  g_assert_cmpuint (rw_worklist_model_get_n_total (model), ==, 6);

  /* The same exam updated in place: the same object, moved up from the
   * last row to just after the other urgent exam; only the rows in
   * between change and the length stays. */
  original = rw_worklist_model_lookup (model, 1);
  urgent = rw_test_exam_new_with (1, "SILVA^JOÃO^CARLOS", "CT", "2024-03-01",
                                  RW_EXAM_STATUS_PENDING, RW_EXAM_PRIORITY_URGENT, 100);
  g_assert_false (rw_worklist_model_upsert (model, urgent));
  g_assert_true (rw_worklist_model_lookup (model, 1) == original);
  g_assert_cmpint (rw_exam_get_priority (original), ==, RW_EXAM_PRIORITY_URGENT);
  g_assert_cmpuint (rw_worklist_model_find (model, 1), ==, 2);
  g_assert_cmpuint (items.count, ==, 1);
  g_assert_cmpuint (rows.count, ==, 2);
  g_assert_cmpuint (rows.position, ==, 2);
  g_assert_cmpuint (rows.removed, ==, 3);

  /* Leaving the filter (pending → in progress): one row fewer at the end,
   * the rows from its place on shift up. */
  claimed = rw_test_exam_new_with (1, "SILVA^JOÃO^CARLOS", "CT", "2024-03-01",
                                   RW_EXAM_STATUS_IN_PROGRESS, RW_EXAM_PRIORITY_URGENT, 100);
  rw_worklist_model_upsert (model, claimed);
  g_assert_cmpuint (items.count, ==, 2);
  g_assert_cmpuint (items.position, ==, 4);
  g_assert_cmpuint (items.removed, ==, 1);
  g_assert_cmpuint (items.added, ==, 0);
  g_assert_cmpuint (rows.count, ==, 3);
  g_assert_cmpuint (rows.position, ==, 2);
  g_assert_cmpuint (rows.removed, ==, 2);
  g_assert_cmpuint (rw_worklist_model_find (model, 1), ==, G_MAXUINT);
  g_assert_true (rw_worklist_model_lookup (model, 1) == original);
  g_assert_cmpuint (n_items (model), ==, 4);
  g_assert_null (rw_worklist_model_get_exam (model, 4));

  g_signal_handlers_disconnect_by_data (model, &items);
  g_signal_handlers_disconnect_by_data (model, &rows);
}

static void
test_upsert_many_and_clear (void)
{
  g_autoptr(RwWorklistModel) model = new_model ();
  g_autoptr(GPtrArray) batch = rw_test_exams_new (200, 11);

  rw_worklist_model_set_status (model, RW_WORKLIST_ANY_STATUS);
  /* Ids 1–5 are already known: updated, not added twice. */
  rw_worklist_model_upsert_many (model, batch);
  g_assert_cmpuint (rw_worklist_model_get_n_total (model), ==, 200);
  g_assert_cmpuint (n_items (model), ==, 200);

  rw_worklist_model_clear (model);
  g_assert_cmpuint (rw_worklist_model_get_n_total (model), ==, 0);
  g_assert_cmpuint (n_items (model), ==, 0);
  g_assert_null (rw_worklist_model_lookup (model, 1));
}

/* Whether every word is in the folded patient name, patient ID,
 * accession number or description: the search, written plainly. */
static gboolean
matches_words (RwExam  *exam,
               char   **words)
{
  RwPatient *patient = rw_exam_get_patient (exam);
  g_autofree char *display = rw_patient_dup_display_name (patient);
  char *fields[4] = {
    rw_text_fold (display),
    rw_text_fold (rw_patient_get_patient_id (patient)),
    rw_text_fold (rw_exam_get_accession_number (exam)),
    rw_text_fold (rw_exam_get_description (exam)),
  };
  gboolean all = TRUE;

  for (guint w = 0; words[w] != NULL && all; w++)
    {
      gboolean found = words[w][0] == '\0';

      for (guint i = 0; i < G_N_ELEMENTS (fields) && !found; i++)
        found = strstr (fields[i], words[w]) != NULL;
      all = found;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_free (fields[i]);
  return all;
}

/* Whatever the filters and order, the model shows exactly the exams that
 * match, in order: checked against a plain scan on a list large enough for
 * the rows and sorts to be made on two threads. */
static void
test_large_consistency (void)
{
  g_autoptr(RwWorklistModel) model = rw_worklist_model_new ();
  g_autoptr(GPtrArray) exams = rw_test_exams_new (30000, 42);
  guint expected = 0;

  rw_worklist_model_set_batch (model, rw_worklist_batch_new (exams));
  g_assert_cmpuint (rw_worklist_model_get_n_total (model), ==, 30000);
  g_assert_true (rw_worklist_model_lookup (model, 12345) == g_ptr_array_index (exams, 12344));

  /* Stat and urgent first, then the newest received. */
  for (guint i = 1; i < n_items (model); i++)
    {
      RwExam *a = item (model, i - 1);
      RwExam *b = item (model, i);

      g_assert_cmpint (rw_exam_get_priority (a), >=, rw_exam_get_priority (b));
      if (rw_exam_get_priority (a) == rw_exam_get_priority (b))
        g_assert_cmpint (rw_exam_get_received_at (a), >=, rw_exam_get_received_at (b));
    }
  rw_worklist_model_set_status (model, RW_WORKLIST_ANY_STATUS);
  rw_worklist_model_set_modality (model, "MR");
  rw_worklist_model_set_sort (model, RW_WORKLIST_SORT_RECEIVED, TRUE);

  for (guint i = 0; i < exams->len; i++)
    if (g_str_equal (rw_exam_get_modality (g_ptr_array_index (exams, i)), "MR"))
      expected++;
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (n_items (model), ==, expected);
  for (guint i = 1; i < n_items (model); i++)
    {
      g_assert_cmpint (rw_exam_get_received_at (item (model, i - 1)), >=,
                       rw_exam_get_received_at (item (model, i)));
      g_assert_cmpstr (rw_exam_get_modality (item (model, i)), ==, "MR");
    }

  /* A search typed one key at a time, then corrected: at each step the
   * rows that match and only those, in order. */
  rw_worklist_model_set_modality (model, "CT");
  {
    const char *typed[] = { "s", "si", "silva", "silva j", "silva joa", "silva jo", "souza", "", "conceicao m", NULL };

    for (guint t = 0; typed[t] != NULL; t++)
      {
        g_auto(GStrv) words = g_strsplit (typed[t], " ", -1);
        guint k = 0;

        rw_worklist_model_set_search (model, typed[t]);
        for (guint i = 0; i < exams->len; i++)
          {
            RwExam *exam = g_ptr_array_index (exams, i);

            if (g_str_equal (rw_exam_get_modality (exam), "CT") && matches_words (exam, words))
              k++;
          }
        g_assert_cmpuint (n_items (model), ==, k);
        for (guint i = 0; i < n_items (model); i++)
          {
            g_assert_cmpstr (rw_exam_get_modality (item (model, i)), ==, "CT");
            g_assert_true (matches_words (item (model, i), words));
            if (i > 0)
              g_assert_cmpint (rw_exam_get_received_at (item (model, i - 1)), >=,
                               rw_exam_get_received_at (item (model, i)));
          }
      }
  }
  rw_worklist_model_set_search (model, NULL);
  rw_worklist_model_set_modality (model, NULL);

  /* Names in the order of their folded forms, whatever their accents. */
  rw_worklist_model_set_modality (model, NULL);
  rw_worklist_model_set_sort (model, RW_WORKLIST_SORT_PATIENT_NAME, FALSE);
  g_assert_cmpuint (n_items (model), ==, 30000);
  for (guint i = 1; i < n_items (model); i++)
    {
      g_autofree char *a = rw_patient_dup_display_name (rw_exam_get_patient (item (model, i - 1)));
      g_autofree char *b = rw_patient_dup_display_name (rw_exam_get_patient (item (model, i)));
      g_autofree char *fa = rw_text_fold (a);
      g_autofree char *fb = rw_text_fold (b);

      g_assert_cmpint (strcmp (fa, fb), <=, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/worklist-model/default-order-and-status", test_default_order_and_status);
  g_test_add_func ("/worklist-model/search", test_search);
  g_test_add_func ("/worklist-model/modality-and-dates", test_modality_and_dates);
  g_test_add_func ("/worklist-model/sort", test_sort);
  g_test_add_func ("/worklist-model/upsert", test_upsert);
  g_test_add_func ("/worklist-model/upsert-many-and-clear", test_upsert_many_and_clear);
  g_test_add_func ("/worklist-model/large-consistency", test_large_consistency);

  return g_test_run ();
}
