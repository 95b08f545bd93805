/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <string.h>

#include "rw-dicom.h"
#include "rw-text.h"
#include "rw-worklist-model.h"

/* The worklist as a flat GListModel, filtered and sorted here on plain C
 * fields. A GtkSortListModel with a GtkStringSorter took 1.8 s to sort 100k
 * exams on GTK 4.8; here the search keys are folded once per exam and each
 * sort order, once computed, is kept as an array of row indices, so a
 * keystroke or a click on a column header is a single pass over the rows.
 *
 * The items are RwWorklistSlot, one per position, not the exams: GTK 4.8's
 * list views throw away and rebuild the row widgets of every item that an
 * items-changed removes (40–90 ms for a screenful of 11 columns), so a
 * search or a re-sort instead keeps the slots, moves the exams between them
 * and says which positions now show another exam ("rows-changed"); only a
 * change in the number of rows is an items-changed, at the end of the list.
 *
 * Rows are never removed one by one (the server cancels exams, it does not
 * delete them), so a row's index in `rows` is stable until set_exams(). */

typedef struct {
  RwExam *exam;
  /* The key of `by_id`; the server's id never changes. */
  gint64  id;
  /* Folded (lower case, no accents) copies for search and sort. */
  char   *name_key;
  char   *patient_id_key;
  char   *accession_key;
  char   *description_key;
  char   *referring_key;
  /* Age in days, -1 when unknown. */
  int     age_days;
} Row;

struct _RwWorklistSlot
{
  GObject  parent_instance;

  RwExam  *exam;
};

G_DEFINE_FINAL_TYPE (RwWorklistSlot, rw_worklist_slot, G_TYPE_OBJECT)

static void
rw_worklist_slot_finalize (GObject *object)
{
  g_clear_object (&RW_WORKLIST_SLOT (object)->exam);
  G_OBJECT_CLASS (rw_worklist_slot_parent_class)->finalize (object);
}

static void
rw_worklist_slot_class_init (RwWorklistSlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rw_worklist_slot_finalize;
}

static void
rw_worklist_slot_init (RwWorklistSlot *self)
{
}

/* The exam shown at the slot's position; NULL past the end of the list. */
RwExam *
rw_worklist_slot_get_exam (RwWorklistSlot *self)
{
  g_return_val_if_fail (RW_IS_WORKLIST_SLOT (self), NULL);
  return self->exam;
}

struct _RwWorklistModel
{
  GObject         parent_instance;

  /* RwWorklistSlot by position, created when GTK first asks for one. */
  GPtrArray      *slots;

  GPtrArray      *rows;          /* Row */
  GHashTable     *by_id;         /* exam id → row index + 1 */

  /* Row indices in ascending order of each sort key; NULL until needed and
   * whenever the rows change in a way that key has not followed. */
  guint          *orders[RW_WORKLIST_N_SORTS];

  guint          *visible;       /* row indices, as shown */
  guint           n_visible;

  RwWorklistSort  sort;
  gboolean        descending;

  int             status;
  char           *modality;
  char           *date_from;
  char           *date_to;
  char          **search_words;  /* folded */
};

static void rw_worklist_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RwWorklistModel, rw_worklist_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      rw_worklist_model_list_model_init))

enum {
  PROP_0,
  PROP_N_TOTAL,
  N_PROPS
};

enum {
  ROWS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static int
age_in_days (RwPatient *patient)
{
  const char *age = rw_patient_get_age (patient);
  RwDicomAge parsed;

  if (age[0] == '\0' || !rw_dicom_parse_age (age, &parsed, NULL))
    return -1;
  switch (parsed.unit)
    {
    case RW_DICOM_AGE_DAYS:
      return (int) parsed.value;
    case RW_DICOM_AGE_WEEKS:
      return (int) parsed.value * 7;
    case RW_DICOM_AGE_MONTHS:
      return (int) parsed.value * 30;
    case RW_DICOM_AGE_YEARS:
    default:
      return (int) parsed.value * 365;
    }
}

static void
row_clear_keys (Row *row)
{
  g_clear_pointer (&row->name_key, g_free);
  g_clear_pointer (&row->patient_id_key, g_free);
  g_clear_pointer (&row->accession_key, g_free);
  g_clear_pointer (&row->description_key, g_free);
  g_clear_pointer (&row->referring_key, g_free);
}

static void
row_compute_keys (Row *row)
{
  RwPatient *patient = rw_exam_get_patient (row->exam);
  g_autofree char *name = rw_patient_dup_display_name (patient);

  row_clear_keys (row);
  row->name_key = rw_text_fold (name);
  row->patient_id_key = rw_text_fold (rw_patient_get_patient_id (patient));
  row->accession_key = rw_text_fold (rw_exam_get_accession_number (row->exam));
  row->description_key = rw_text_fold (rw_exam_get_description (row->exam));
  row->referring_key = rw_text_fold (rw_exam_get_referring_physician (row->exam));
  row->age_days = age_in_days (patient);
}

static Row *
row_new (RwExam *exam)
{
  Row *row = g_new0 (Row, 1);

  row->exam = g_object_ref (exam);
  row_compute_keys (row);
  return row;
}

static void
row_free (gpointer data)
{
  Row *row = data;

  row_clear_keys (row);
  g_clear_object (&row->exam);
  g_free (row);
}

static inline int
cmp_int64 (gint64 a,
           gint64 b)
{
  return a < b ? -1 : a > b ? 1 : 0;
}

static int
compare_rows (const Row      *a,
              const Row      *b,
              RwWorklistSort  sort)
{
  RwExam *ea = a->exam;
  RwExam *eb = b->exam;
  int r = 0;

  switch (sort)
    {
    case RW_WORKLIST_SORT_DEFAULT:
      r = cmp_int64 (rw_exam_get_priority (eb), rw_exam_get_priority (ea));
      if (r == 0)
        r = cmp_int64 (rw_exam_get_received_at (eb), rw_exam_get_received_at (ea));
      break;
    case RW_WORKLIST_SORT_PATIENT_NAME:
      r = strcmp (a->name_key, b->name_key);
      break;
    case RW_WORKLIST_SORT_PATIENT_ID:
      r = strcmp (a->patient_id_key, b->patient_id_key);
      break;
    case RW_WORKLIST_SORT_AGE:
      r = cmp_int64 (a->age_days, b->age_days);
      break;
    case RW_WORKLIST_SORT_MODALITY:
      r = strcmp (rw_exam_get_modality (ea), rw_exam_get_modality (eb));
      break;
    case RW_WORKLIST_SORT_DESCRIPTION:
      r = strcmp (a->description_key, b->description_key);
      break;
    case RW_WORKLIST_SORT_STUDY_DATE:
      r = strcmp (rw_exam_get_study_date (ea), rw_exam_get_study_date (eb));
      if (r == 0)
        r = strcmp (rw_exam_get_study_time (ea), rw_exam_get_study_time (eb));
      break;
    case RW_WORKLIST_SORT_ACCESSION:
      r = strcmp (a->accession_key, b->accession_key);
      break;
    case RW_WORKLIST_SORT_REFERRING:
      r = strcmp (a->referring_key, b->referring_key);
      break;
    case RW_WORKLIST_SORT_PRIORITY:
      r = cmp_int64 (rw_exam_get_priority (ea), rw_exam_get_priority (eb));
      break;
    case RW_WORKLIST_SORT_STATUS:
      r = cmp_int64 (rw_exam_get_status (ea), rw_exam_get_status (eb));
      break;
    case RW_WORKLIST_SORT_RECEIVED:
      r = cmp_int64 (rw_exam_get_received_at (ea), rw_exam_get_received_at (eb));
      break;
    case RW_WORKLIST_N_SORTS:
    default:
      g_assert_not_reached ();
    }

  /* Equal keys keep a stable, repeatable order: by id. */
  return r != 0 ? r : cmp_int64 (rw_exam_get_id (ea), rw_exam_get_id (eb));
}

typedef struct {
  GPtrArray      *rows;
  RwWorklistSort  sort;
} SortContext;

static int
compare_indices (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const SortContext *ctx = user_data;
  GPtrArray *rows = ctx->rows;

  return compare_rows (g_ptr_array_index (rows, *(const guint *) a),
                       g_ptr_array_index (rows, *(const guint *) b),
                       ctx->sort);
}

static void
invalidate_orders (RwWorklistModel *self,
                   int              keep)
{
  for (int i = 0; i < RW_WORKLIST_N_SORTS; i++)
    if (i != keep)
      g_clear_pointer (&self->orders[i], g_free);
}

/* The first eight bytes of a string as a big-endian number: comparing two
 * of these orders strings as strcmp() does, up to their eighth byte. */
static guint64
string_prefix (const char *s)
{
  guint64 key = 0;
  guint i;

  for (i = 0; i < 8 && s[i] != '\0'; i++)
    key = (key << 8) | (guchar) s[i];
  return key << (8 * (8 - i));
}

/* "2024-03-01" and "10:30:00" as 20240301103000. */
static guint64
date_time_key (const char *date,
               const char *time)
{
  guint64 key = 0;

  for (const char *p = date; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      key = key * 10 + (guint64) (*p - '0');
  for (const char *p = time; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      key = key * 10 + (guint64) (*p - '0');
  return key;
}

#define TIME_MAX (G_GUINT64_CONSTANT (1) << 56)

/* The string a sort key compares, or NULL for the numeric keys. */
static const char *
sort_string (const Row      *row,
             RwWorklistSort  sort)
{
  switch (sort)
    {
    case RW_WORKLIST_SORT_PATIENT_NAME:
      return row->name_key;
    case RW_WORKLIST_SORT_PATIENT_ID:
      return row->patient_id_key;
    case RW_WORKLIST_SORT_MODALITY:
      return rw_exam_get_modality (row->exam);
    case RW_WORKLIST_SORT_DESCRIPTION:
      return row->description_key;
    case RW_WORKLIST_SORT_ACCESSION:
      return row->accession_key;
    case RW_WORKLIST_SORT_REFERRING:
      return row->referring_key;
    case RW_WORKLIST_SORT_DEFAULT:
    case RW_WORKLIST_SORT_AGE:
    case RW_WORKLIST_SORT_STUDY_DATE:
    case RW_WORKLIST_SORT_PRIORITY:
    case RW_WORKLIST_SORT_STATUS:
    case RW_WORKLIST_SORT_RECEIVED:
    case RW_WORKLIST_N_SORTS:
    default:
      return NULL;
    }
}

/* A number that orders rows as compare_rows() does, except that rows with
 * equal numbers may still differ (long strings, ids). */
static guint64
sort_key (const Row      *row,
          RwWorklistSort  sort)
{
  RwExam *exam = row->exam;

  switch (sort)
    {
    case RW_WORKLIST_SORT_DEFAULT:
      return ((guint64) (RW_EXAM_PRIORITY_STAT - rw_exam_get_priority (exam)) << 58) |
             (TIME_MAX - (guint64) CLAMP (rw_exam_get_received_at (exam), 0, (gint64) TIME_MAX - 1));
    case RW_WORKLIST_SORT_PATIENT_NAME:
      return string_prefix (row->name_key);
    case RW_WORKLIST_SORT_PATIENT_ID:
      return string_prefix (row->patient_id_key);
    case RW_WORKLIST_SORT_AGE:
      return (guint64) (row->age_days + 1);
    case RW_WORKLIST_SORT_MODALITY:
      return string_prefix (rw_exam_get_modality (exam));
    case RW_WORKLIST_SORT_DESCRIPTION:
      return string_prefix (row->description_key);
    case RW_WORKLIST_SORT_STUDY_DATE:
      return date_time_key (rw_exam_get_study_date (exam), rw_exam_get_study_time (exam));
    case RW_WORKLIST_SORT_ACCESSION:
      return string_prefix (row->accession_key);
    case RW_WORKLIST_SORT_REFERRING:
      return string_prefix (row->referring_key);
    case RW_WORKLIST_SORT_PRIORITY:
      return (guint64) rw_exam_get_priority (exam);
    case RW_WORKLIST_SORT_STATUS:
      return (guint64) rw_exam_get_status (exam);
    case RW_WORKLIST_SORT_RECEIVED:
      return (guint64) CLAMP (rw_exam_get_received_at (exam), 0, G_MAXINT64);
    case RW_WORKLIST_N_SORTS:
    default:
      g_assert_not_reached ();
    }
}

typedef struct {
  guint64 key;
  /* Bytes 9–16 of a string key: names share long prefixes ("silva, "). */
  guint64 key2;
  gint64  id;
  guint   index;
  /* The string goes on past 16 bytes: equal keys must compare the rest. */
  guint   is_long : 1;
} SortEntry;

static int
compare_entries (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const SortEntry *ea = a;
  const SortEntry *eb = b;

  if (ea->key != eb->key)
    return ea->key < eb->key ? -1 : 1;
  if (ea->key2 != eb->key2)
    return ea->key2 < eb->key2 ? -1 : 1;
  if (ea->is_long || eb->is_long)
    return compare_indices (&ea->index, &eb->index, user_data);
  /* Equal keys that are the whole value: by id, as compare_rows() does. */
  return ea->id < eb->id ? -1 : ea->id > eb->id ? 1 : 0;
}

typedef struct {
  SortEntry   *entries;
  guint        n;
  SortContext *ctx;
} SortHalf;

static gpointer
sort_half (gpointer data)
{
  SortHalf *half = data;

  g_qsort_with_data (half->entries, (gint) half->n, sizeof (SortEntry), compare_entries, half->ctx);
  return NULL;
}

/* Sorting 100k rows through compare_rows() chases two pointers per
 * comparison; sorting (number, index) pairs that sit together in memory,
 * and comparing rows only on equal numbers, is several times faster. A
 * large list is sorted in two halves on two threads, then merged: the
 * rows are only read meanwhile, and the caller waits. */
static guint *
sort_rows (GPtrArray      *rows,
           RwWorklistSort  sort)
{
  SortContext ctx = { rows, sort };
  guint n = rows->len;
  g_autofree SortEntry *entries = g_new (SortEntry, MAX (n, 1));
  guint *order = g_new (guint, MAX (n, 1));
  SortHalf halves[2];
  GThread *helper = NULL;
  guint i = 0, j, k = 0;

  for (i = 0; i < n; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      const char *string = sort_string (row, sort);
      gsize len = string != NULL ? strlen (string) : 0;

      entries[i].key = sort_key (row, sort);
      entries[i].key2 = len > 8 ? string_prefix (string + 8) : 0;
      entries[i].id = row->id;
      entries[i].index = i;
      entries[i].is_long = len > 16;
    }

  halves[0] = (SortHalf) { entries, n / 2, &ctx };
  halves[1] = (SortHalf) { entries + n / 2, n - n / 2, &ctx };
  if (n >= 20000)
    helper = g_thread_new ("rw-worklist-sort", sort_half, &halves[1]);
  else
    sort_half (&halves[1]);
  sort_half (&halves[0]);
  if (helper != NULL)
    g_thread_join (helper);

  for (i = 0, j = n / 2; i < n / 2 && j < n; )
    order[k++] = compare_entries (&entries[i], &entries[j], &ctx) <= 0 ? entries[i++].index
                                                                       : entries[j++].index;
  while (i < n / 2)
    order[k++] = entries[i++].index;
  while (j < n)
    order[k++] = entries[j++].index;
  return order;
}

static const guint *
ensure_order (RwWorklistModel *self,
              RwWorklistSort   sort)
{
  if (self->orders[sort] == NULL)
    self->orders[sort] = sort_rows (self->rows, sort);
  return self->orders[sort];
}

static gboolean
row_matches (RwWorklistModel *self,
             const Row       *row)
{
  RwExam *exam = row->exam;

  if (self->status != RW_WORKLIST_ANY_STATUS && (int) rw_exam_get_status (exam) != self->status)
    return FALSE;
  if (self->modality != NULL && strcmp (rw_exam_get_modality (exam), self->modality) != 0)
    return FALSE;
  if (self->date_from != NULL || self->date_to != NULL)
    {
      const char *date = rw_exam_get_study_date (exam);

      /* An exam without a study date cannot be placed in a range. */
      if (date[0] == '\0')
        return FALSE;
      if (self->date_from != NULL && strcmp (date, self->date_from) < 0)
        return FALSE;
      if (self->date_to != NULL && strcmp (date, self->date_to) > 0)
        return FALSE;
    }
  if (self->search_words != NULL)
    {
      for (guint i = 0; self->search_words[i] != NULL; i++)
        {
          const char *w = self->search_words[i];

          if (strstr (row->name_key, w) == NULL &&
              strstr (row->patient_id_key, w) == NULL &&
              strstr (row->accession_key, w) == NULL &&
              strstr (row->description_key, w) == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

/* Rebuilds the visible rows from the current order and filters. */
static void
rebuild_visible (RwWorklistModel *self)
{
  const guint *order = ensure_order (self, self->sort);
  guint n = self->rows->len;
  guint k = 0;

  g_free (self->visible);
  self->visible = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      guint index = order[self->descending ? n - 1 - i : i];

      if (row_matches (self, g_ptr_array_index (self->rows, index)))
        self->visible[k++] = index;
    }
  self->n_visible = k;
}

static RwExam *
exam_at (RwWorklistModel *self,
         guint            position)
{
  Row *row = g_ptr_array_index (self->rows, self->visible[position]);

  return row->exam;
}

/* Points the slots of [position, position + n) at their new exams, then
 * tells the list: first any change in length (at the end, where it costs
 * no widgets on screen), then which positions show another exam. */
static void
publish (RwWorklistModel *self,
         guint            old_n,
         guint            position,
         guint            n)
{
  guint new_n = self->n_visible;
  guint end = MIN (position + n, self->slots->len);

  for (guint i = position; i < end; i++)
    {
      RwWorklistSlot *slot = g_ptr_array_index (self->slots, i);

      RwExam *exam = i < new_n ? exam_at (self, i) : NULL;

      if (slot != NULL)
        g_set_object (&slot->exam, exam);
    }

  if (new_n > old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, new_n - old_n);
  else if (new_n < old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), new_n, old_n - new_n, 0);

  if (position < MIN (old_n, new_n))
    g_signal_emit (self, signals[ROWS_CHANGED], 0, position,
                   MIN (n, MIN (old_n, new_n) - position));
}

static void
refilter (RwWorklistModel *self)
{
  guint old_n = self->n_visible;

  rebuild_visible (self);
  publish (self, old_n, 0, MAX (old_n, self->n_visible));
}

static guint
visible_position (RwWorklistModel *self,
                  guint            index)
{
  for (guint i = 0; i < self->n_visible; i++)
    if (self->visible[i] == index)
      return i;
  return G_MAXUINT;
}

/* Moves @index to its place in the kept order of the current sort key by a
 * binary search; every other key's order is dropped and recomputed when
 * next used. */
static void
reposition_in_order (RwWorklistModel *self,
                     guint            index,
                     gboolean         is_new)
{
  SortContext ctx = { self->rows, self->sort };
  guint *order = self->orders[self->sort];
  guint n = self->rows->len;
  guint lo = 0, hi;

  invalidate_orders (self, self->sort);
  if (order == NULL)
    return;

  if (is_new)
    {
      order = g_renew (guint, order, n);
      self->orders[self->sort] = order;
      n--;   /* the new row is not in the order yet */
    }
  else
    {
      for (guint i = 0; i < n; i++)
        if (order[i] == index)
          {
            memmove (&order[i], &order[i + 1], (n - i - 1) * sizeof (guint));
            break;
          }
      n--;
    }

  hi = n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (compare_indices (&order[mid], &index, &ctx) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  memmove (&order[lo + 1], &order[lo], (n - lo) * sizeof (guint));
  order[lo] = index;
}

static GType
rw_worklist_model_get_item_type (GListModel *model)
{
  return RW_TYPE_WORKLIST_SLOT;
}

static guint
rw_worklist_model_get_n_items (GListModel *model)
{
  return RW_WORKLIST_MODEL (model)->n_visible;
}

static gpointer
rw_worklist_model_get_item (GListModel *model,
                            guint       position)
{
  RwWorklistModel *self = RW_WORKLIST_MODEL (model);
  RwWorklistSlot *slot;

  if (position >= self->n_visible)
    return NULL;
  if (position >= self->slots->len)
    g_ptr_array_set_size (self->slots, position + 1);
  slot = g_ptr_array_index (self->slots, position);
  if (slot == NULL)
    {
      slot = g_object_new (RW_TYPE_WORKLIST_SLOT, NULL);
      slot->exam = g_object_ref (exam_at (self, position));
      g_ptr_array_index (self->slots, position) = slot;
    }
  return g_object_ref (slot);
}

static void
rw_worklist_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = rw_worklist_model_get_item_type;
  iface->get_n_items = rw_worklist_model_get_n_items;
  iface->get_item = rw_worklist_model_get_item;
}

static void
rw_worklist_model_finalize (GObject *object)
{
  RwWorklistModel *self = (RwWorklistModel *)object;

  invalidate_orders (self, -1);
  g_clear_pointer (&self->visible, g_free);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_free (self->modality);
  g_free (self->date_from);
  g_free (self->date_to);
  g_strfreev (self->search_words);

  G_OBJECT_CLASS (rw_worklist_model_parent_class)->finalize (object);
}

static void
rw_worklist_model_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  RwWorklistModel *self = RW_WORKLIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_N_TOTAL:
      g_value_set_uint (value, self->rows->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_worklist_model_class_init (RwWorklistModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rw_worklist_model_finalize;
  object_class->get_property = rw_worklist_model_get_property;

  /* Every exam known, shown or filtered out. */
  properties[PROP_N_TOTAL] =
    g_param_spec_uint ("n-total", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RwWorklistModel::rows-changed:
   * @position: the first position
   * @n_rows: how many positions
   *
   * These positions now show other exams, or the same exams changed: the
   * widgets bound to their slots must be refreshed.
   */
  signals[ROWS_CHANGED] =
    g_signal_new ("rows-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
slot_unref (gpointer slot)
{
  if (slot != NULL)
    g_object_unref (slot);
}

static void
rw_worklist_model_init (RwWorklistModel *self)
{
  self->rows = g_ptr_array_new_with_free_func (row_free);
  self->slots = g_ptr_array_new_with_free_func (slot_unref);
  self->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->status = RW_EXAM_STATUS_PENDING;
  self->sort = RW_WORKLIST_SORT_DEFAULT;
}

RwWorklistModel *
rw_worklist_model_new (void)
{
  return g_object_new (RW_TYPE_WORKLIST_MODEL, NULL);
}

static void
index_row (RwWorklistModel *self,
           Row             *row,
           guint            index)
{
  row->id = rw_exam_get_id (row->exam);
  g_hash_table_insert (self->by_id, &row->id, GUINT_TO_POINTER (index + 1));
}

/* Replaces every exam; for the cache at start and a full resync. */
void
rw_worklist_model_set_exams (RwWorklistModel *self,
                             GPtrArray       *exams)
{
  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));
  g_return_if_fail (exams != NULL);

  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->rows, 0);
  invalidate_orders (self, -1);

  for (guint i = 0; i < exams->len; i++)
    {
      RwExam *exam = g_ptr_array_index (exams, i);
      gint64 id = rw_exam_get_id (exam);
      gpointer existing = g_hash_table_lookup (self->by_id, &id);

      if (existing != NULL)
        {
          Row *row = g_ptr_array_index (self->rows, GPOINTER_TO_UINT (existing) - 1);

          rw_exam_update_from (row->exam, exam);
          row_compute_keys (row);
          continue;
        }
      g_ptr_array_add (self->rows, row_new (exam));
      index_row (self, g_ptr_array_index (self->rows, self->rows->len - 1), self->rows->len - 1);
    }

  refilter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
}

typedef struct {
  GPtrArray  *exams;
  GPtrArray  *rows;
  GHashTable *by_id;
  guint      *order;
} Prepared;

static void
prepared_free (Prepared *p)
{
  g_clear_pointer (&p->exams, g_ptr_array_unref);
  g_clear_pointer (&p->rows, g_ptr_array_unref);
  g_clear_pointer (&p->by_id, g_hash_table_unref);
  g_free (p->order);
  g_free (p);
}

typedef struct {
  Prepared *p;
  guint     from;
  guint     to;
} RowRange;

static gpointer
make_rows (gpointer data)
{
  RowRange *range = data;

  for (guint i = range->from; i < range->to; i++)
    g_ptr_array_index (range->p->rows, i) = row_new (g_ptr_array_index (range->p->exams, i));
  return NULL;
}

/* Everything set_exams() computes, on a worker thread (and a helper: the
 * folding of 100k names is most of the work). The exams must not be shared
 * with the main thread yet, as when they come from the local store. */
static void
prepare_rows_in_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  Prepared *p = task_data;
  guint n = p->exams->len;
  RowRange halves[2] = { { p, 0, n / 2 }, { p, n / 2, n } };
  GThread *helper = NULL;

  p->rows = g_ptr_array_new_full (n, row_free);
  g_ptr_array_set_size (p->rows, n);
  if (n >= 20000)
    helper = g_thread_new ("rw-worklist-rows", make_rows, &halves[1]);
  else
    make_rows (&halves[1]);
  make_rows (&halves[0]);
  if (helper != NULL)
    g_thread_join (helper);

  p->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < n; i++)
    {
      Row *row = g_ptr_array_index (p->rows, i);

      row->id = rw_exam_get_id (row->exam);
      /* A store never holds one id twice; keep the first if it did. */
      if (!g_hash_table_contains (p->by_id, &row->id))
        g_hash_table_insert (p->by_id, &row->id, GUINT_TO_POINTER (i + 1));
    }
  p->order = sort_rows (p->rows, RW_WORKLIST_SORT_DEFAULT);
  g_task_return_boolean (task, TRUE);
}

static void
on_rows_prepared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RwWorklistModel *self = RW_WORKLIST_MODEL (source);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  Prepared *p = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }

  g_ptr_array_unref (self->rows);
  self->rows = g_steal_pointer (&p->rows);
  g_hash_table_unref (self->by_id);
  self->by_id = g_steal_pointer (&p->by_id);
  invalidate_orders (self, -1);
  self->orders[RW_WORKLIST_SORT_DEFAULT] = g_steal_pointer (&p->order);

  refilter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
  g_task_return_boolean (outer, TRUE);
}

/* set_exams() for a large list: the rows are built on worker threads and
 * the model changes on the main thread when they are ready. */
void
rw_worklist_model_set_exams_async (RwWorklistModel     *self,
                                   GPtrArray           *exams,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  Prepared *p;

  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));
  g_return_if_fail (exams != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, rw_worklist_model_set_exams_async);

  p = g_new0 (Prepared, 1);
  p->exams = g_ptr_array_ref (exams);
  inner = g_task_new (self, cancellable, on_rows_prepared, g_steal_pointer (&outer));
  g_task_set_task_data (inner, p, (GDestroyNotify) prepared_free);
  g_task_run_in_thread (inner, prepare_rows_in_thread);
}

gboolean
rw_worklist_model_set_exams_finish (RwWorklistModel  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (RW_IS_WORKLIST_MODEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Adds @exam, or updates the exam with its id in place (the same RwExam
 * object stays in the list). Only the positions between where the exam was
 * and where it is now change. Returns TRUE when the exam was new. */
gboolean
rw_worklist_model_upsert (RwWorklistModel *self,
                          RwExam          *exam)
{
  gint64 id;
  gpointer existing;
  guint index, old_pos, new_pos;
  gboolean is_new;
  guint old_n;
  Row *row;

  g_return_val_if_fail (RW_IS_WORKLIST_MODEL (self), FALSE);
  g_return_val_if_fail (RW_IS_EXAM (exam), FALSE);

  id = rw_exam_get_id (exam);
  existing = g_hash_table_lookup (self->by_id, &id);
  is_new = existing == NULL;

  if (is_new)
    {
      row = row_new (exam);
      g_ptr_array_add (self->rows, row);
      index = self->rows->len - 1;
      index_row (self, row, index);
      old_pos = G_MAXUINT;
    }
  else
    {
      index = GPOINTER_TO_UINT (existing) - 1;
      row = g_ptr_array_index (self->rows, index);
      old_pos = visible_position (self, index);
      if (row->exam != exam)
        rw_exam_update_from (row->exam, exam);
      row_compute_keys (row);
    }

  reposition_in_order (self, index, is_new);
  old_n = self->n_visible;
  rebuild_visible (self);
  new_pos = visible_position (self, index);

  if (old_pos != G_MAXUINT || new_pos != G_MAXUINT)
    {
      /* Rows between where the exam was and where it is now shift by one;
       * an exam that appears or disappears shifts everything after it. */
      guint lo = MIN (old_pos, new_pos);
      guint hi = old_pos == G_MAXUINT || new_pos == G_MAXUINT
                 ? MAX (old_n, self->n_visible)
                 : MAX (old_pos, new_pos) + 1;

      publish (self, old_n, lo, hi - lo);
    }

  if (is_new)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
  return is_new;
}

/* A batch of changes (a catch-up page): applied, then shown in one pass. */
void
rw_worklist_model_upsert_many (RwWorklistModel *self,
                               GPtrArray       *exams)
{
  guint n_before;

  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));
  g_return_if_fail (exams != NULL);

  n_before = self->rows->len;
  for (guint i = 0; i < exams->len; i++)
    {
      RwExam *exam = g_ptr_array_index (exams, i);
      gint64 id = rw_exam_get_id (exam);
      gpointer existing = g_hash_table_lookup (self->by_id, &id);

      if (existing != NULL)
        {
          Row *row = g_ptr_array_index (self->rows, GPOINTER_TO_UINT (existing) - 1);

          if (row->exam != exam)
            rw_exam_update_from (row->exam, exam);
          row_compute_keys (row);
          continue;
        }
      g_ptr_array_add (self->rows, row_new (exam));
      index_row (self, g_ptr_array_index (self->rows, self->rows->len - 1), self->rows->len - 1);
    }

  invalidate_orders (self, -1);
  refilter (self);
  if (self->rows->len != n_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
}

void
rw_worklist_model_clear (RwWorklistModel *self)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));
  rw_worklist_model_set_exams (self, none);
}

guint
rw_worklist_model_get_n_total (RwWorklistModel *self)
{
  g_return_val_if_fail (RW_IS_WORKLIST_MODEL (self), 0);
  return self->rows->len;
}

RwExam *
rw_worklist_model_lookup (RwWorklistModel *self,
                          gint64           exam_id)
{
  gpointer existing;

  g_return_val_if_fail (RW_IS_WORKLIST_MODEL (self), NULL);

  existing = g_hash_table_lookup (self->by_id, &exam_id);
  if (existing == NULL)
    return NULL;
  return ((Row *) g_ptr_array_index (self->rows, GPOINTER_TO_UINT (existing) - 1))->exam;
}

guint
rw_worklist_model_find (RwWorklistModel *self,
                        gint64           exam_id)
{
  gpointer existing;

  g_return_val_if_fail (RW_IS_WORKLIST_MODEL (self), G_MAXUINT);

  existing = g_hash_table_lookup (self->by_id, &exam_id);
  if (existing == NULL)
    return G_MAXUINT;
  return visible_position (self, GPOINTER_TO_UINT (existing) - 1);
}

void
rw_worklist_model_set_status (RwWorklistModel *self,
                              int              status)
{
  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));
  g_return_if_fail (status == RW_WORKLIST_ANY_STATUS ||
                    (status >= RW_EXAM_STATUS_PENDING && status <= RW_EXAM_STATUS_CANCELLED));

  if (self->status == status)
    return;
  self->status = status;
  refilter (self);
}

static gboolean
replace_filter_string (char       **field,
                       const char  *value)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
rw_worklist_model_set_modality (RwWorklistModel *self,
                                const char      *modality)
{
  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));

  if (replace_filter_string (&self->modality, modality))
    refilter (self);
}

void
rw_worklist_model_set_date_range (RwWorklistModel *self,
                                  const char      *from,
                                  const char      *to)
{
  gboolean changed;

  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));

  changed = replace_filter_string (&self->date_from, from);
  changed |= replace_filter_string (&self->date_to, to);
  if (changed)
    refilter (self);
}

void
rw_worklist_model_set_search (RwWorklistModel *self,
                              const char      *text)
{
  g_autofree char *folded = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));

  folded = rw_text_fold (text);
  words = g_strsplit_set (folded, " \t,^", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_strv_builder_add (builder, words[i]);
  g_strfreev (words);
  words = g_strv_builder_end (builder);
  if (words[0] == NULL)
    g_clear_pointer (&words, g_strfreev);

  if (words == NULL && self->search_words == NULL)
    return;
  if (words != NULL && self->search_words != NULL &&
      g_strv_equal ((const char * const *) words, (const char * const *) self->search_words))
    return;

  g_strfreev (self->search_words);
  self->search_words = g_steal_pointer (&words);
  refilter (self);
}

void
rw_worklist_model_set_sort (RwWorklistModel *self,
                            RwWorklistSort   sort,
                            gboolean         descending)
{
  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));
  g_return_if_fail (sort < RW_WORKLIST_N_SORTS);

  if (self->sort == sort && self->descending == !!descending)
    return;
  self->sort = sort;
  self->descending = !!descending;
  refilter (self);
}

RwWorklistSort
rw_worklist_model_get_sort (RwWorklistModel *self,
                            gboolean        *descending)
{
  g_return_val_if_fail (RW_IS_WORKLIST_MODEL (self), RW_WORKLIST_SORT_DEFAULT);

  if (descending != NULL)
    *descending = self->descending;
  return self->sort;
}

RwExam *
rw_worklist_model_get_exam (RwWorklistModel *self,
                            guint            position)
{
  g_return_val_if_fail (RW_IS_WORKLIST_MODEL (self), NULL);

  if (position >= self->n_visible)
    return NULL;
  return exam_at (self, position);
}
