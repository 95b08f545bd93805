/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"
/* memmem() */
#define _GNU_SOURCE

#include "config.h"

#include <string.h>

#include "rw-dicom.h"
#include "rw-worklist-rows.h"

/* Above this many rows a sort or a filter pass is split over two threads:
 * below it, starting a thread costs more than it saves. */
#define TWO_THREADS_MIN 20000

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

/* Where the key after the one at @at starts. */
static guint32
next_key (const char *keys,
          guint32     at)
{
  return at + (guint32) strlen (keys + at) + 1;
}

void
rw_worklist_row_refresh (RwWorklistRow *row)
{
  RwExam *exam = row->exam;
  RwPatient *patient = rw_exam_get_patient (exam);
  gsize len;

  g_free (row->keys);
  row->keys = rw_exam_dup_search_keys (exam, &len);
  row->patient_id_at = next_key (row->keys, 0);
  row->accession_at = next_key (row->keys, row->patient_id_at);
  row->description_at = next_key (row->keys, row->accession_at);
  row->referring_at = next_key (row->keys, row->description_at);
  row->searched_len = row->referring_at;

  row->id = rw_exam_get_id (exam);
  row->received_at = rw_exam_get_received_at (exam);
  row->age_days = age_in_days (patient);
  row->status = (guint8) rw_exam_get_status (exam);
  row->priority = (guint8) rw_exam_get_priority (exam);
  g_strlcpy (row->study_date, rw_exam_get_study_date (exam), sizeof row->study_date);
  g_strlcpy (row->study_time, rw_exam_get_study_time (exam), sizeof row->study_time);
  g_strlcpy (row->modality, rw_exam_get_modality (exam), sizeof row->modality);
}

RwWorklistRow *
rw_worklist_row_new (RwExam *exam)
{
  RwWorklistRow *row = g_new0 (RwWorklistRow, 1);

  row->exam = g_object_ref (exam);
  rw_worklist_row_refresh (row);
  return row;
}

void
rw_worklist_row_free (gpointer data)
{
  RwWorklistRow *row = data;

  g_free (row->keys);
  g_clear_object (&row->exam);
  g_free (row);
}

static inline const char *
name_key (const RwWorklistRow *row)
{
  return row->keys;
}

static inline int
cmp_int64 (gint64 a,
           gint64 b)
{
  return a < b ? -1 : a > b ? 1 : 0;
}

int
rw_worklist_row_compare (const RwWorklistRow *a,
                         const RwWorklistRow *b,
                         RwWorklistSort       sort)
{
  int r = 0;

  switch (sort)
    {
    case RW_WORKLIST_SORT_DEFAULT:
      r = cmp_int64 (b->priority, a->priority);
      if (r == 0)
        r = cmp_int64 (b->received_at, a->received_at);
      break;
    case RW_WORKLIST_SORT_PATIENT_NAME:
      r = strcmp (name_key (a), name_key (b));
      break;
    case RW_WORKLIST_SORT_PATIENT_ID:
      r = strcmp (a->keys + a->patient_id_at, b->keys + b->patient_id_at);
      break;
    case RW_WORKLIST_SORT_AGE:
      r = cmp_int64 (a->age_days, b->age_days);
      break;
    case RW_WORKLIST_SORT_MODALITY:
      r = strcmp (a->modality, b->modality);
      break;
    case RW_WORKLIST_SORT_DESCRIPTION:
      r = strcmp (a->keys + a->description_at, b->keys + b->description_at);
      break;
    case RW_WORKLIST_SORT_STUDY_DATE:
      r = strcmp (a->study_date, b->study_date);
      if (r == 0)
        r = strcmp (a->study_time, b->study_time);
      break;
    case RW_WORKLIST_SORT_ACCESSION:
      r = strcmp (a->keys + a->accession_at, b->keys + b->accession_at);
      break;
    case RW_WORKLIST_SORT_REFERRING:
      r = strcmp (a->keys + a->referring_at, b->keys + b->referring_at);
      break;
    case RW_WORKLIST_SORT_PRIORITY:
      r = cmp_int64 (a->priority, b->priority);
      break;
    case RW_WORKLIST_SORT_STATUS:
      r = cmp_int64 (a->status, b->status);
      break;
    case RW_WORKLIST_SORT_RECEIVED:
      r = cmp_int64 (a->received_at, b->received_at);
      break;
    case RW_WORKLIST_N_SORTS:
    default:
      g_assert_not_reached ();
    }

  /* Equal keys keep a stable, repeatable order: by id. */
  return r != 0 ? r : cmp_int64 (a->id, b->id);
}

gboolean
rw_worklist_row_matches (const RwWorklistRow    *row,
                         const RwWorklistFilter *filter)
{
  if (filter->status != RW_WORKLIST_ANY_STATUS && row->status != filter->status)
    return FALSE;
  if (filter->modality != NULL && strcmp (row->modality, filter->modality) != 0)
    return FALSE;
  if (filter->date_from != NULL || filter->date_to != NULL)
    {
      /* An exam without a study date cannot be placed in a range. */
      if (row->study_date[0] == '\0')
        return FALSE;
      if (filter->date_from != NULL && strcmp (row->study_date, filter->date_from) < 0)
        return FALSE;
      if (filter->date_to != NULL && strcmp (row->study_date, filter->date_to) > 0)
        return FALSE;
    }
  if (filter->words != NULL)
    for (guint i = 0; filter->words[i] != NULL; i++)
      if (memmem (row->keys, row->searched_len, filter->words[i], strlen (filter->words[i])) == NULL)
        return FALSE;
  return TRUE;
}

typedef struct {
  GPtrArray              *rows;
  const guint            *in;
  guint                   from;
  guint                   to;
  guint                   n;
  gboolean                backwards;
  const RwWorklistFilter *filter;
  guint                  *out;
  guint                   n_out;
} FilterPart;

static gpointer
filter_part (gpointer data)
{
  FilterPart *part = data;
  guint k = 0;

  for (guint i = part->from; i < part->to; i++)
    {
      guint index = part->in[part->backwards ? part->n - 1 - i : i];

      if (rw_worklist_row_matches (g_ptr_array_index (part->rows, index), part->filter))
        part->out[k++] = index;
    }
  part->n_out = k;
  return NULL;
}

/* A large list is filtered in two halves on two threads, each writing its
 * matches in order; the second half's then follow the first's. */
guint
rw_worklist_rows_filter (GPtrArray              *rows,
                         const guint            *in,
                         guint                   n,
                         gboolean                backwards,
                         const RwWorklistFilter *filter,
                         guint                  *out)
{
  FilterPart first = { rows, in, 0, n, n, backwards, filter, out, 0 };
  FilterPart second;
  g_autofree guint *second_out = NULL;
  GThread *helper;

  if (n < TWO_THREADS_MIN)
    {
      filter_part (&first);
      return first.n_out;
    }

  first.to = n / 2;
  second = first;
  second.from = n / 2;
  second.to = n;
  second.out = second_out = g_new (guint, n - n / 2);
  helper = g_thread_new ("rw-worklist-filter", filter_part, &second);
  filter_part (&first);
  g_thread_join (helper);
  memcpy (out + first.n_out, second.out, second.n_out * sizeof (guint));
  return first.n_out + second.n_out;
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
sort_string (const RwWorklistRow *row,
             RwWorklistSort       sort)
{
  switch (sort)
    {
    case RW_WORKLIST_SORT_PATIENT_NAME:
      return name_key (row);
    case RW_WORKLIST_SORT_PATIENT_ID:
      return row->keys + row->patient_id_at;
    case RW_WORKLIST_SORT_MODALITY:
      return row->modality;
    case RW_WORKLIST_SORT_DESCRIPTION:
      return row->keys + row->description_at;
    case RW_WORKLIST_SORT_ACCESSION:
      return row->keys + row->accession_at;
    case RW_WORKLIST_SORT_REFERRING:
      return row->keys + row->referring_at;
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

/* A number that orders rows as rw_worklist_row_compare() does, except that
 * rows with equal numbers may still differ (long strings, ids). */
static guint64
sort_key (const RwWorklistRow *row,
          RwWorklistSort       sort)
{
  const char *string = sort_string (row, sort);

  if (string != NULL)
    return string_prefix (string);

  switch (sort)
    {
    case RW_WORKLIST_SORT_DEFAULT:
      return ((guint64) (RW_EXAM_PRIORITY_STAT - row->priority) << 58) |
             (TIME_MAX - (guint64) CLAMP (row->received_at, 0, (gint64) TIME_MAX - 1));
    case RW_WORKLIST_SORT_AGE:
      return (guint64) (row->age_days + 1);
    case RW_WORKLIST_SORT_STUDY_DATE:
      return date_time_key (row->study_date, row->study_time);
    case RW_WORKLIST_SORT_PRIORITY:
      return row->priority;
    case RW_WORKLIST_SORT_STATUS:
      return row->status;
    case RW_WORKLIST_SORT_RECEIVED:
      return (guint64) CLAMP (row->received_at, 0, G_MAXINT64);
    case RW_WORKLIST_SORT_PATIENT_NAME:
    case RW_WORKLIST_SORT_PATIENT_ID:
    case RW_WORKLIST_SORT_MODALITY:
    case RW_WORKLIST_SORT_DESCRIPTION:
    case RW_WORKLIST_SORT_ACCESSION:
    case RW_WORKLIST_SORT_REFERRING:
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

typedef struct {
  GPtrArray      *rows;
  RwWorklistSort  sort;
} SortContext;

static int
compare_entries (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const SortEntry *ea = a;
  const SortEntry *eb = b;
  const SortContext *ctx = user_data;

  if (ea->key != eb->key)
    return ea->key < eb->key ? -1 : 1;
  if (ea->key2 != eb->key2)
    return ea->key2 < eb->key2 ? -1 : 1;
  if (ea->is_long || eb->is_long)
    return rw_worklist_row_compare (g_ptr_array_index (ctx->rows, ea->index),
                                    g_ptr_array_index (ctx->rows, eb->index),
                                    ctx->sort);
  /* Equal keys that are the whole value: by id, as the row comparison does. */
  return cmp_int64 (ea->id, eb->id);
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

/* Sorting (number, index) pairs that sit together in memory, and
 * comparing rows only on equal numbers, is several times faster than
 * comparing rows. A large list is sorted in two halves on two threads,
 * then merged: the rows are only read meanwhile, and the caller waits. */
guint *
rw_worklist_rows_sort (GPtrArray      *rows,
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
      const RwWorklistRow *row = g_ptr_array_index (rows, i);
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
  if (n >= TWO_THREADS_MIN)
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
