/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <string.h>

#include "rw-text.h"
#include "rw-worklist-model.h"
#include "rw-worklist-rows.h"

/* The worklist as a flat GListModel, filtered and sorted here on plain C
 * fields. A GtkSortListModel with a GtkStringSorter took 1.8 s to sort 100k
 * exams on GTK 4.8; here the search keys are folded once per exam and each
 * sort order, once computed, is kept as an array of row indices, so a
 * keystroke or a click on a column header is a single pass over the rows
 * (rw-worklist-rows.c), over only the rows shown when a search grows.
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

  GPtrArray      *rows;          /* RwWorklistRow */
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

static void
invalidate_orders (RwWorklistModel *self,
                   int              keep)
{
  for (int i = 0; i < RW_WORKLIST_N_SORTS; i++)
    if (i != keep)
      g_clear_pointer (&self->orders[i], g_free);
}

static const guint *
ensure_order (RwWorklistModel *self,
              RwWorklistSort   sort)
{
  if (self->orders[sort] == NULL)
    self->orders[sort] = rw_worklist_rows_sort (self->rows, sort);
  return self->orders[sort];
}

static RwWorklistFilter
current_filter (RwWorklistModel *self)
{
  RwWorklistFilter filter = {
    self->status, self->modality, self->date_from, self->date_to, self->search_words,
  };

  return filter;
}

/* Rebuilds the visible rows from the current order and filters. */
static void
rebuild_visible (RwWorklistModel *self)
{
  const guint *order = ensure_order (self, self->sort);
  RwWorklistFilter filter = current_filter (self);
  guint n = self->rows->len;

  g_free (self->visible);
  self->visible = g_new (guint, MAX (n, 1));
  self->n_visible = rw_worklist_rows_filter (self->rows, order, n, self->descending,
                                             &filter, self->visible);
}

static RwExam *
exam_at (RwWorklistModel *self,
         guint            position)
{
  RwWorklistRow *row = g_ptr_array_index (self->rows, self->visible[position]);

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

/* A search that only grows (a keystroke at the end of a word, another
 * word) can only hide rows: when every old word is part of a new one, a
 * row that matches the new words matched the old ones, so only the rows
 * shown need checking, and they are already in order. */
static gboolean
search_narrows (char **old_words,
                char **words)
{
  if (old_words == NULL)
    return TRUE;
  if (words == NULL)
    return FALSE;
  for (guint i = 0; old_words[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; words[j] != NULL && !found; j++)
        found = strstr (words[j], old_words[i]) != NULL;
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/* Filters the rows shown, in place; for a filter that can only hide. */
static void
refilter_shown (RwWorklistModel *self)
{
  RwWorklistFilter filter = current_filter (self);
  guint old_n = self->n_visible;

  self->n_visible = rw_worklist_rows_filter (self->rows, self->visible, old_n, FALSE,
                                             &filter, self->visible);
  publish (self, old_n, 0, old_n);
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

      if (rw_worklist_row_compare (g_ptr_array_index (self->rows, order[mid]),
                                   g_ptr_array_index (self->rows, index), self->sort) < 0)
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
  self->rows = g_ptr_array_new_with_free_func (rw_worklist_row_free);
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
           RwWorklistRow   *row,
           guint            index)
{
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
          RwWorklistRow *row = g_ptr_array_index (self->rows, GPOINTER_TO_UINT (existing) - 1);

          rw_exam_update_from (row->exam, exam);
          rw_worklist_row_refresh (row);
          continue;
        }
      g_ptr_array_add (self->rows, rw_worklist_row_new (exam));
      index_row (self, g_ptr_array_index (self->rows, self->rows->len - 1), self->rows->len - 1);
    }

  refilter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
}

struct _RwWorklistBatch
{
  GPtrArray  *exams;
  GPtrArray  *rows;
  GHashTable *by_id;
  guint      *order;
};

void
rw_worklist_batch_free (RwWorklistBatch *batch)
{
  g_clear_pointer (&batch->exams, g_ptr_array_unref);
  g_clear_pointer (&batch->rows, g_ptr_array_unref);
  g_clear_pointer (&batch->by_id, g_hash_table_unref);
  g_free (batch->order);
  g_free (batch);
}

typedef struct {
  RwWorklistBatch *batch;
  guint            from;
  guint            to;
} RowRange;

static gpointer
make_rows (gpointer data)
{
  RowRange *range = data;

  for (guint i = range->from; i < range->to; i++)
    g_ptr_array_index (range->batch->rows, i) =
      rw_worklist_row_new (g_ptr_array_index (range->batch->exams, i));
  return NULL;
}

/* Below this many exams, a helper thread for a batch costs more than it
 * saves. */
#define HELPER_MIN_ROWS 20000

static gpointer
index_rows (gpointer data)
{
  RwWorklistBatch *batch = data;

  batch->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  /* Backwards, each row taking the place of a later one with its id: a
   * store never holds one id twice, and if it did the index would lead to
   * the first. */
  for (guint i = batch->rows->len; i-- > 0; )
    {
      RwWorklistRow *row = g_ptr_array_index (batch->rows, i);

      g_hash_table_replace (batch->by_id, &row->id, GUINT_TO_POINTER (i + 1));
    }
  return NULL;
}

/* Everything set_exams() computes, for a worker thread and helpers (rows
 * in two halves, then the index by id while the rows are sorted). The
 * exams must not be shared with the main thread yet, as when they come
 * from the local store: the batch keeps a reference to @exams. */
RwWorklistBatch *
rw_worklist_batch_new (GPtrArray *exams)
{
  RwWorklistBatch *batch;
  guint n;
  RowRange halves[2];
  GThread *helper = NULL;

  g_return_val_if_fail (exams != NULL, NULL);

  batch = g_new0 (RwWorklistBatch, 1);
  batch->exams = g_ptr_array_ref (exams);
  n = exams->len;
  halves[0] = (RowRange) { batch, 0, n / 2 };
  halves[1] = (RowRange) { batch, n / 2, n };

  batch->rows = g_ptr_array_new_full (n, rw_worklist_row_free);
  g_ptr_array_set_size (batch->rows, n);
  if (n >= HELPER_MIN_ROWS)
    helper = g_thread_new ("rw-worklist-rows", make_rows, &halves[1]);
  else
    make_rows (&halves[1]);
  make_rows (&halves[0]);
  if (helper != NULL)
    g_thread_join (helper);

  helper = n >= HELPER_MIN_ROWS ? g_thread_new ("rw-worklist-index", index_rows, batch) : NULL;
  if (helper == NULL)
    index_rows (batch);
  batch->order = rw_worklist_rows_sort (batch->rows, RW_WORKLIST_SORT_DEFAULT);
  if (helper != NULL)
    g_thread_join (helper);
  return batch;
}

/* Replaces every exam with those of @batch, which it takes. */
void
rw_worklist_model_set_batch (RwWorklistModel *self,
                             RwWorklistBatch *batch)
{
  g_return_if_fail (RW_IS_WORKLIST_MODEL (self));
  g_return_if_fail (batch != NULL);

  g_ptr_array_unref (self->rows);
  self->rows = g_steal_pointer (&batch->rows);
  g_hash_table_unref (self->by_id);
  self->by_id = g_steal_pointer (&batch->by_id);
  invalidate_orders (self, -1);
  self->orders[RW_WORKLIST_SORT_DEFAULT] = g_steal_pointer (&batch->order);
  rw_worklist_batch_free (batch);

  refilter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
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
  RwWorklistRow *row;

  g_return_val_if_fail (RW_IS_WORKLIST_MODEL (self), FALSE);
  g_return_val_if_fail (RW_IS_EXAM (exam), FALSE);

  id = rw_exam_get_id (exam);
  existing = g_hash_table_lookup (self->by_id, &id);
  is_new = existing == NULL;

  if (is_new)
    {
      row = rw_worklist_row_new (exam);
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
      rw_worklist_row_refresh (row);
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
          RwWorklistRow *row = g_ptr_array_index (self->rows, GPOINTER_TO_UINT (existing) - 1);

          if (row->exam != exam)
            rw_exam_update_from (row->exam, exam);
          rw_worklist_row_refresh (row);
          continue;
        }
      g_ptr_array_add (self->rows, rw_worklist_row_new (exam));
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
  return ((RwWorklistRow *) g_ptr_array_index (self->rows, GPOINTER_TO_UINT (existing) - 1))->exam;
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
  gboolean narrows;

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

  narrows = search_narrows (self->search_words, words);
  g_strfreev (self->search_words);
  self->search_words = g_steal_pointer (&words);
  if (narrows)
    refilter_shown (self);
  else
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
