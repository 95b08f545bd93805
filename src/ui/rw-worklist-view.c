/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rw-dicom.h"
#include "rw-report.h"
#include "rw-worklist-view.h"

/* The worklist: filters above, the GtkColumnView of exams, a count below.
 * Filtering and sorting happen in RwWorklistModel on plain C fields; the
 * column headers only tell it which key the user chose. */

typedef enum {
  COLUMN_PATIENT,
  COLUMN_PATIENT_ID,
  COLUMN_AGE_SEX,
  COLUMN_MODALITY,
  COLUMN_DESCRIPTION,
  COLUMN_STUDY_DATE,
  COLUMN_ACCESSION,
  COLUMN_REFERRING,
  COLUMN_PRIORITY,
  COLUMN_STATUS,
  COLUMN_RECEIVED,
  N_COLUMNS
} Column;

static const struct {
  const char     *id;
  const char     *title;
  RwWorklistSort  sort;
  int             width;
  gboolean        expand;
} column_info[N_COLUMNS] = {
  { "patient", N_("Patient"), RW_WORKLIST_SORT_PATIENT_NAME, 170, TRUE },
  { "patient-id", N_("Patient ID"), RW_WORKLIST_SORT_PATIENT_ID, 110, FALSE },
  { "age-sex", N_("Age/Sex"), RW_WORKLIST_SORT_AGE, 90, FALSE },
  { "modality", N_("Modality"), RW_WORKLIST_SORT_MODALITY, 90, FALSE },
  { "description", N_("Description"), RW_WORKLIST_SORT_DESCRIPTION, 150, TRUE },
  { "study-date", N_("Study Date"), RW_WORKLIST_SORT_STUDY_DATE, 125, FALSE },
  { "accession", N_("Accession"), RW_WORKLIST_SORT_ACCESSION, 135, FALSE },
  { "referring", N_("Referring Physician"), RW_WORKLIST_SORT_REFERRING, 130, FALSE },
  { "priority", N_("Priority"), RW_WORKLIST_SORT_PRIORITY, 115, FALSE },
  { "status", N_("Status"), RW_WORKLIST_SORT_STATUS, 95, FALSE },
  { "received", N_("Received"), RW_WORKLIST_SORT_RECEIVED, 135, FALSE },
};

/* The modalities a reading room sees most, in the order of the menu. */
static const char * const modalities[] = {
  "CT", "MR", "CR", "DX", "US", "MG", "NM", "PT", "XA", "RF", "OT",
};

typedef enum {
  DATE_ANY,
  DATE_TODAY,
  DATE_LAST_7,
  DATE_LAST_30,
  DATE_RANGE,
} DatePreset;

/* Which column's sorter the GtkColumnViewSorter asked first. */
typedef struct {
  RwWorklistView *self;
  Column          column;
} SortProbe;

struct _RwWorklistView
{
  GtkWidget           parent_instance;

  /* Template widgets */
  GtkRevealer        *offline_revealer;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *status_dropdown;
  GtkDropDown        *modality_dropdown;
  GtkDropDown        *date_dropdown;
  GtkWidget          *range_box;
  GtkEntry           *from_entry;
  GtkEntry           *to_entry;
  GtkStack           *list_stack;
  GtkScrolledWindow  *scroller;
  GtkColumnView      *column_view;
  AdwStatusPage      *empty_page;
  GtkLabel           *count_label;
  GtkSpinner         *sync_spinner;

  /* Owned references */
  RwSession          *session;
  GtkSingleSelection *selection;
  /* The rows the list shows until it was first painted; see
   * show_all_rows(). */
  GtkSliceListModel  *first_screen;
  GdkFrameClock      *frame_clock;
  gulong              after_paint_id;
  GObject            *probe_a;
  GObject            *probe_b;
  SortProbe           probes[N_COLUMNS];
  GtkColumnViewColumn *columns[N_COLUMNS];
  /* GtkListItem → column, for every cell currently bound to a slot. */
  GHashTable         *bound_cells;
  /* The bound cells whose text is out of date because they were off
   * screen when their row changed; see on_rows_changed(). */
  GHashTable         *stale_cells;
  guint               stale_source;

  /* The exam the user selected, followed across re-sorts and filters. */
  gint64              selected_id;
  gboolean            restoring_selection;
  int                 probed_column;
};

G_DEFINE_FINAL_TYPE (RwWorklistView, rw_worklist_view, GTK_TYPE_WIDGET)

static const int status_for_index[] = {
  RW_EXAM_STATUS_PENDING,
  RW_EXAM_STATUS_IN_PROGRESS,
  RW_EXAM_STATUS_COMPLETED,
  RW_EXAM_STATUS_CANCELLED,
  RW_WORKLIST_ANY_STATUS,
};

static RwWorklistModel *
get_model (RwWorklistView *self)
{
  return self->session != NULL ? rw_session_get_worklist (self->session) : NULL;
}

/* "25/12/2024" (or "5/1/2024") into "2024-12-25"; NULL when it is not a
 * date. */
static char *
parse_user_date (const char *text)
{
  guint d = 0, m = 0, y = 0;
  char tail;

  if (sscanf (text, "%2u/%2u/%4u%c", &d, &m, &y, &tail) != 3 || y < 1900 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return NULL;
  return g_strdup_printf ("%04u-%02u-%02u", y, m, d);
}

static char *
iso_days_ago (int days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -days);

  return g_date_time_format (then, "%Y-%m-%d");
}

static void
update_count (RwWorklistView *self)
{
  RwWorklistModel *model = get_model (self);
  guint shown = model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;
  guint total = model != NULL ? rw_worklist_model_get_n_total (model) : 0;
  g_autofree char *shown_text = g_strdup_printf ("%'u", shown);
  g_autofree char *total_text = g_strdup_printf ("%'u", total);
  g_autofree char *text = NULL;

  /* Translators: "12 of 1.234 exams": shown after filtering, of all known. */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s exam", "%s of %s exams", total),
                          shown_text, total_text);
  gtk_label_set_label (self->count_label, text);

  if (shown > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }
  if (total == 0)
    {
      adw_status_page_set_title (self->empty_page, _("No Exams Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Exams show up here as soon as the PACS receives them."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Matching Exams"));
      adw_status_page_set_description (self->empty_page,
                                       _("Change the search or the filters to see more exams."));
    }
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

/* GTK 4.8's list view makes, styles and lays out the widgets of 200 rows
 * whatever its height (GTK_LIST_VIEW_MAX_LIST_ITEMS): 2,200 cells here,
 * the largest part of the start-up time with a large cached list. Until
 * the list was first painted with rows, it holds only as many as the
 * tallest screen can show (a row is never shorter than MIN_ROW_HEIGHT);
 * then one more screenful a frame, so that input is still answered
 * between frames, and once the list view has all its row widgets, every
 * row. */
#define MIN_ROW_HEIGHT 20
#define LIST_VIEW_MAX_ROWS 200

static guint
rows_per_screen (void)
{
  GListModel *monitors = gdk_display_get_monitors (gdk_display_get_default ());
  int tallest = 0;

  for (guint i = 0; i < g_list_model_get_n_items (monitors); i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      GdkRectangle geometry;

      gdk_monitor_get_geometry (monitor, &geometry);
      tallest = MAX (tallest, geometry.height);
    }
  /* No monitor known yet: a 4K screen at scale 1. */
  if (tallest == 0)
    tallest = 2160;
  return (guint) tallest / MIN_ROW_HEIGHT + 1;
}

static void
stop_following_frames (RwWorklistView *self)
{
  if (self->after_paint_id != 0)
    g_clear_signal_handler (&self->after_paint_id, self->frame_clock);
  g_clear_object (&self->frame_clock);
}

static void
show_all_rows (RwWorklistView *self)
{
  stop_following_frames (self);
  if (gtk_slice_list_model_get_size (self->first_screen) != G_MAXUINT)
    gtk_slice_list_model_set_size (self->first_screen, G_MAXUINT);
}

/* A row the program selects or scrolls to is shown at once. */
static void
show_rows_up_to (RwWorklistView *self,
                 guint           position)
{
  if (position >= gtk_slice_list_model_get_size (self->first_screen))
    show_all_rows (self);
}

static void
on_after_paint (RwWorklistView *self)
{
  GListModel *all = gtk_slice_list_model_get_model (self->first_screen);
  guint size = gtk_slice_list_model_get_size (self->first_screen);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->first_screen)) == 0)
    return;
  if (size >= LIST_VIEW_MAX_ROWS || g_list_model_get_n_items (all) <= size)
    show_all_rows (self);
  else
    gtk_slice_list_model_set_size (self->first_screen, size + rows_per_screen ());
}

static void
rw_worklist_view_map (GtkWidget *widget)
{
  RwWorklistView *self = RW_WORKLIST_VIEW (widget);

  GTK_WIDGET_CLASS (rw_worklist_view_parent_class)->map (widget);

  if (self->first_screen != NULL && self->frame_clock == NULL &&
      gtk_slice_list_model_get_size (self->first_screen) != G_MAXUINT)
    {
      self->frame_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
      self->after_paint_id = g_signal_connect_swapped (self->frame_clock, "after-paint",
                                                       G_CALLBACK (on_after_paint), self);
    }
}

static void
rw_worklist_view_unmap (GtkWidget *widget)
{
  RwWorklistView *self = RW_WORKLIST_VIEW (widget);

  /* Mapped again, it may be in another window with another clock. */
  stop_following_frames (self);

  GTK_WIDGET_CLASS (rw_worklist_view_parent_class)->unmap (widget);
}

/* Positions hold other exams after a search or re-sort: the selection
 * goes with the exam, not with the position. */
static void
restore_selection (RwWorklistView *self)
{
  RwWorklistModel *model = get_model (self);
  guint position = GTK_INVALID_LIST_POSITION;

  if (model != NULL && self->selected_id != 0)
    {
      position = rw_worklist_model_find (model, self->selected_id);
      if (position == G_MAXUINT)
        position = GTK_INVALID_LIST_POSITION;
      else
        show_rows_up_to (self, position);
    }
  if (gtk_single_selection_get_selected (self->selection) == position)
    return;
  self->restoring_selection = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->restoring_selection = FALSE;
}

static void
on_selection_changed (RwWorklistView *self)
{
  RwExam *exam;

  if (self->restoring_selection)
    return;
  exam = rw_worklist_view_get_selected (self);
  /* Losing the selection because the exam left the list (filtered out)
   * keeps it remembered, so it comes back with the filter. */
  if (exam != NULL)
    self->selected_id = rw_exam_get_id (exam);
  else if (gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION &&
           !self->restoring_selection && g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    self->selected_id = 0;
}

static void
on_items_changed (GListModel     *model,
                  guint           position,
                  guint           removed,
                  guint           added,
                  RwWorklistView *self)
{
  update_count (self);
  restore_selection (self);
}

static void
on_search_changed (RwWorklistView *self)
{
  RwWorklistModel *model = get_model (self);

  if (model != NULL)
    rw_worklist_model_set_search (model, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_stop_search (RwWorklistView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
on_status_selected (RwWorklistView *self)
{
  RwWorklistModel *model = get_model (self);
  guint index = gtk_drop_down_get_selected (self->status_dropdown);

  if (model != NULL && index < G_N_ELEMENTS (status_for_index))
    rw_worklist_model_set_status (model, status_for_index[index]);
}

static void
on_modality_selected (RwWorklistView *self)
{
  RwWorklistModel *model = get_model (self);
  guint index = gtk_drop_down_get_selected (self->modality_dropdown);

  if (model == NULL)
    return;
  rw_worklist_model_set_modality (model, index >= 1 && index <= G_N_ELEMENTS (modalities)
                                           ? modalities[index - 1] : NULL);
}

/* An unparsable end of the range is marked and left open rather than
 * emptying the list under the user's fingers. */
static char *
read_range_entry (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  char *iso;

  if (text[0] == '\0')
    {
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
      return NULL;
    }
  iso = parse_user_date (text);
  if (iso == NULL)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  return iso;
}

static void
apply_dates (RwWorklistView *self)
{
  RwWorklistModel *model = get_model (self);
  DatePreset preset = gtk_drop_down_get_selected (self->date_dropdown);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  gtk_widget_set_visible (self->range_box, preset == DATE_RANGE);
  switch (preset)
    {
    case DATE_TODAY:
      from = iso_days_ago (0);
      break;
    case DATE_LAST_7:
      from = iso_days_ago (6);
      break;
    case DATE_LAST_30:
      from = iso_days_ago (29);
      break;
    case DATE_RANGE:
      from = read_range_entry (self->from_entry);
      to = read_range_entry (self->to_entry);
      break;
    case DATE_ANY:
    default:
      break;
    }
  if (model != NULL)
    rw_worklist_model_set_date_range (model, from, to);
}

static void
on_date_selected (RwWorklistView *self)
{
  apply_dates (self);
}

static void
on_range_changed (RwWorklistView *self)
{
  apply_dates (self);
}

static void
on_activate (RwWorklistView *self,
             guint           position)
{
  RwWorklistModel *model = get_model (self);
  RwExam *exam = model != NULL ? rw_worklist_model_get_exam (model, position) : NULL;

  if (exam != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-exam", "x", rw_exam_get_id (exam));
}

static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SortProbe *probe = user_data;

  probe->self->probed_column = (int) probe->column;
  return GTK_ORDERING_LARGER;
}

/* GTK 4.8 has no gtk_column_view_sorter_get_primary_sort_column() (4.10):
 * comparing two probe items makes the view's sorter ask the primary
 * column's sorter first, which records itself, and the sign of the answer
 * says whether the view inverted it. (Two items: gtk_sorter_compare()
 * answers "equal" for an item and itself without asking.) */
static void
on_sorter_changed (GtkSorter       *sorter,
                   GtkSorterChange  change,
                   RwWorklistView  *self)
{
  RwWorklistModel *model = get_model (self);
  GtkOrdering order;

  self->probed_column = -1;
  order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
  if (model == NULL)
    return;
  if (self->probed_column < 0)
    rw_worklist_model_set_sort (model, RW_WORKLIST_SORT_DEFAULT, FALSE);
  else
    rw_worklist_model_set_sort (model, column_info[self->probed_column].sort,
                                order == GTK_ORDERING_SMALLER);
}

static char *
format_time_of_day (const char *time)
{
  /* "10:30:00" → "10:30": seconds are noise in a list. */
  return g_strndup (time, MIN (strlen (time), 5));
}

static char *
dup_cell_text (RwExam *exam,
               Column  column)
{
  RwPatient *patient = rw_exam_get_patient (exam);

  switch (column)
    {
    case COLUMN_PATIENT:
      return rw_patient_dup_display_name (patient);
    case COLUMN_PATIENT_ID:
      return g_strdup (rw_patient_get_patient_id (patient));
    case COLUMN_AGE_SEX:
      {
        g_autofree char *age = rw_patient_dup_age_label (patient);
        const char *sex = rw_patient_get_sex (patient);

        if (age[0] != '\0' && sex[0] != '\0')
          return g_strdup_printf ("%s / %s", age, sex);
        return g_strconcat (age, sex, NULL);
      }
    case COLUMN_MODALITY:
      return g_strdup (rw_exam_get_modality (exam));
    case COLUMN_DESCRIPTION:
      return g_strdup (rw_exam_get_description (exam));
    case COLUMN_STUDY_DATE:
      {
        g_autofree char *date = rw_exam_dup_study_date_label (exam);
        g_autofree char *time = format_time_of_day (rw_exam_get_study_time (exam));

        if (time[0] == '\0')
          return g_steal_pointer (&date);
        return g_strdup_printf ("%s %s", date, time);
      }
    case COLUMN_ACCESSION:
      return g_strdup (rw_exam_get_accession_number (exam));
    case COLUMN_REFERRING:
      return rw_dicom_format_person_name (rw_exam_get_referring_physician (exam));
    case COLUMN_PRIORITY:
      return g_strdup (rw_exam_priority_to_label (rw_exam_get_priority (exam)));
    case COLUMN_STATUS:
      return g_strdup (rw_exam_status_to_label (rw_exam_get_status (exam)));
    case COLUMN_RECEIVED:
      /* In the form every other time of the app takes. */
      return rw_report_format_time (rw_exam_get_received_at (exam));
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

/* Long names and descriptions are cut to fit the column; the tooltip shows
 * them whole. Asked for on hover rather than set on every bind:
 * gtk_widget_set_tooltip_text() costs a round trip to the X server. */
static gboolean
on_query_tooltip (GtkWidget  *label,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  const char *text = gtk_label_get_label (GTK_LABEL (label));

  if (text[0] == '\0' || !pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label))))
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_widget_set_has_tooltip (label, TRUE);
  g_signal_connect (label, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  gtk_list_item_set_child (item, label);
}

static void
fill_cell (GtkListItem *item,
           Column       column)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  RwExam *exam = rw_worklist_slot_get_exam (gtk_list_item_get_item (item));
  g_autofree char *text = NULL;
  RwExamPriority priority;

  if (exam == NULL)
    return;
  text = dup_cell_text (exam, column);
  priority = rw_exam_get_priority (exam);

  gtk_label_set_label (GTK_LABEL (label), text);

  /* Urgent and stat exams stand out on every cell of their row; the
   * priority cell becomes a coloured tag. */
  gtk_widget_remove_css_class (label, "urgent");
  gtk_widget_remove_css_class (label, "stat");
  if (priority == RW_EXAM_PRIORITY_URGENT)
    gtk_widget_add_css_class (label, "urgent");
  else if (priority == RW_EXAM_PRIORITY_STAT)
    gtk_widget_add_css_class (label, "stat");
  if (column == COLUMN_PRIORITY)
    {
      if (priority == RW_EXAM_PRIORITY_ROUTINE)
        gtk_widget_remove_css_class (label, "priority-tag");
      else
        gtk_widget_add_css_class (label, "priority-tag");
    }
}

/* GTK 4.8's list views keep the widgets of 200 rows around the visible
 * ones: a search or a re-sort that changed the text of all of them would
 * measure 2,200 labels before the next frame. The cells on screen change
 * at once; the others are marked stale and filled a few rows at a time
 * once the frame is drawn, or all at once as soon as the list scrolls or
 * grows, before GTK can show them. */
#define STALE_CELLS_PER_IDLE 220

static gboolean
fill_stale_cells (gpointer user_data)
{
  RwWorklistView *self = user_data;
  GHashTableIter iter;
  gpointer item, column;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->stale_cells);
  while (n++ < STALE_CELLS_PER_IDLE && g_hash_table_iter_next (&iter, &item, &column))
    {
      fill_cell (item, GPOINTER_TO_INT (column));
      g_hash_table_iter_remove (&iter);
    }
  if (g_hash_table_size (self->stale_cells) > 0)
    return G_SOURCE_CONTINUE;
  self->stale_source = 0;
  return G_SOURCE_REMOVE;
}

static void
flush_stale_cells (RwWorklistView *self)
{
  GHashTableIter iter;
  gpointer item, column;

  g_hash_table_iter_init (&iter, self->stale_cells);
  while (g_hash_table_iter_next (&iter, &item, &column))
    fill_cell (item, GPOINTER_TO_INT (column));
  g_hash_table_remove_all (self->stale_cells);
  g_clear_handle_id (&self->stale_source, g_source_remove);
}

static void
mark_stale (RwWorklistView *self,
            GtkListItem    *item,
            Column          column)
{
  g_hash_table_insert (self->stale_cells, item, GINT_TO_POINTER (column));
  if (self->stale_source == 0)
    self->stale_source = g_idle_add (fill_stale_cells, self);
}

/* Whether the cell of a row GTK has placed is within the list's visible
 * part, or a row's height from it. */
static gboolean
cell_is_shown (RwWorklistView *self,
               GtkListItem    *item)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  GtkWidget *scroller = GTK_WIDGET (self->scroller);
  int height = gtk_widget_get_height (label);
  graphene_point_t point;

  if (height <= 0 ||
      !gtk_widget_compute_point (label, scroller, &GRAPHENE_POINT_INIT (0, 0), &point))
    return TRUE;
  return point.y + 2 * height >= 0 && point.y - height <= gtk_widget_get_height (scroller);
}

/* The same for every cell of a row: asked once per row. */
static gboolean
row_is_shown (RwWorklistView *self,
              GHashTable     *rows_seen,
              GtkListItem    *item)
{
  gpointer position = GUINT_TO_POINTER (gtk_list_item_get_position (item) + 1);
  gpointer shown;

  if (g_hash_table_lookup_extended (rows_seen, position, NULL, &shown))
    return GPOINTER_TO_INT (shown);
  shown = GINT_TO_POINTER (cell_is_shown (self, item));
  g_hash_table_insert (rows_seen, position, shown);
  return GPOINTER_TO_INT (shown);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           RwWorklistView           *self)
{
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "rw-column"));

  g_hash_table_insert (self->bound_cells, item, GINT_TO_POINTER (column));
  g_hash_table_remove (self->stale_cells, item);
  fill_cell (item, column);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             RwWorklistView           *self)
{
  g_hash_table_remove (self->bound_cells, item);
  g_hash_table_remove (self->stale_cells, item);
}

static void
on_rows_changed (RwWorklistModel *model,
                 guint            position,
                 guint            n_rows,
                 RwWorklistView  *self)
{
  g_autoptr(GHashTable) rows_seen = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer item, column;

  g_hash_table_iter_init (&iter, self->bound_cells);
  while (g_hash_table_iter_next (&iter, &item, &column))
    {
      guint p = gtk_list_item_get_position (item);

      if (p < position || p - position >= n_rows)
        continue;
      if (row_is_shown (self, rows_seen, item))
        {
          g_hash_table_remove (self->stale_cells, item);
          fill_cell (item, GPOINTER_TO_INT (column));
        }
      else
        mark_stale (self, item, GPOINTER_TO_INT (column));
    }
  restore_selection (self);
}

static void
on_scrolled (RwWorklistView *self)
{
  if (g_hash_table_size (self->stale_cells) > 0)
    flush_stale_cells (self);
}

static void
build_columns (RwWorklistView *self)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkSorter) sorter = NULL;
      GtkColumnViewColumn *column;

      g_object_set_data (G_OBJECT (factory), "rw-column", GINT_TO_POINTER (i));
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), self);

      self->probes[i].self = self;
      self->probes[i].column = i;
      sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, &self->probes[i], NULL));

      column = gtk_column_view_column_new (_(column_info[i].title), g_object_ref (factory));
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, column_info[i].expand);
      gtk_column_view_column_set_fixed_width (column, column_info[i].width);
      gtk_column_view_append_column (self->column_view, column);
      self->columns[i] = column;
      g_object_unref (column);
    }

  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed",
                    G_CALLBACK (on_sorter_changed), self);
}

static void
build_modality_menu (RwWorklistView *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, _("Any modality"));
  for (guint i = 0; i < G_N_ELEMENTS (modalities); i++)
    gtk_string_list_append (list, modalities[i]);
  gtk_drop_down_set_model (self->modality_dropdown, G_LIST_MODEL (list));
}

static void
update_online (RwWorklistView *self)
{
  gboolean offline = self->session != NULL &&
                     rw_session_get_state (self->session) == RW_SESSION_SIGNED_IN &&
                     !rw_session_get_online (self->session);

  gtk_revealer_set_reveal_child (self->offline_revealer, offline);
}

static void
update_busy (RwWorklistView *self)
{
  gboolean busy = self->session != NULL && rw_session_get_busy (self->session);

  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), busy);
  gtk_spinner_set_spinning (self->sync_spinner, busy);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RwWorklistView *self = RW_WORKLIST_VIEW (widget);
  GtkEditable *entry = GTK_EDITABLE (self->search_entry);
  const char *text = g_variant_get_string (parameter, NULL);
  const char *current = gtk_editable_get_text (entry);
  size_t len = strlen (current);

  /* As typing would: text added at the end or removed from it is one
   * change of the search, not an empty search and then the new one. */
  if (len > 0 && g_str_has_prefix (text, current))
    {
      int position = g_utf8_strlen (current, -1);

      gtk_editable_insert_text (entry, text + len, -1, &position);
    }
  else if (text[0] != '\0' && g_str_has_prefix (current, text))
    gtk_editable_delete_text (entry, g_utf8_strlen (text, -1), -1);
  else
    gtk_editable_set_text (entry, text);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RwWorklistView *self = RW_WORKLIST_VIEW (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
filter_status_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RwWorklistView *self = RW_WORKLIST_VIEW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  RwExamStatus status;
  guint index = G_N_ELEMENTS (status_for_index) - 1;

  if (rw_exam_status_from_string (name, &status))
    {
      for (guint i = 0; i < G_N_ELEMENTS (status_for_index); i++)
        if (status_for_index[i] == (int) status)
          index = i;
    }
  else if (g_strcmp0 (name, "all") != 0)
    {
      g_warning ("worklist.filter-status: unknown status “%s”", name);
      return;
    }
  gtk_drop_down_set_selected (self->status_dropdown, index);
}

static void
filter_modality_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  RwWorklistView *self = RW_WORKLIST_VIEW (widget);
  const char *modality = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (modalities); i++)
    if (g_strcmp0 (modalities[i], modality) == 0)
      {
        gtk_drop_down_set_selected (self->modality_dropdown, i + 1);
        return;
      }
  gtk_drop_down_set_selected (self->modality_dropdown, 0);
}

/* Both ends as a person types them ("dd/mm/aaaa", "" for open). */
static void
filter_dates_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RwWorklistView *self = RW_WORKLIST_VIEW (widget);
  const char *from = NULL;
  const char *to = NULL;

  g_variant_get (parameter, "(&s&s)", &from, &to);
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to);
  gtk_drop_down_set_selected (self->date_dropdown,
                              from[0] == '\0' && to[0] == '\0' ? DATE_ANY : DATE_RANGE);
  apply_dates (self);
}

/* A column id from column_info and TRUE for descending; "" goes back to
 * the reading-room order. */
static void
sort_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RwWorklistView *self = RW_WORKLIST_VIEW (widget);
  const char *id = NULL;
  gboolean descending = FALSE;

  g_variant_get (parameter, "(&sb)", &id, &descending);
  for (guint i = 0; i < N_COLUMNS; i++)
    if (g_strcmp0 (column_info[i].id, id) == 0)
      {
        gtk_column_view_sort_by_column (self->column_view, self->columns[i],
                                        descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
        return;
      }
  gtk_column_view_sort_by_column (self->column_view, NULL, GTK_SORT_ASCENDING);
}

static void
rw_worklist_view_dispose (GObject *object)
{
  RwWorklistView *self = (RwWorklistView *)object;
  GtkWidget *child;

  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (rw_session_get_worklist (self->session), self);
      g_signal_handlers_disconnect_by_data (self->session, self);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_WORKLIST_VIEW);
  /* The template's top widget is not bound to a field, so it is still our
   * child: a widget with a layout manager unparents its own children. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  stop_following_frames (self);
  g_clear_object (&self->selection);
  g_clear_object (&self->first_screen);
  g_clear_object (&self->session);
  g_clear_handle_id (&self->stale_source, g_source_remove);
  g_clear_pointer (&self->stale_cells, g_hash_table_unref);
  g_clear_pointer (&self->bound_cells, g_hash_table_unref);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);

  G_OBJECT_CLASS (rw_worklist_view_parent_class)->dispose (object);
}

static void
rw_worklist_view_class_init (RwWorklistViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rw_worklist_view_dispose;
  widget_class->map = rw_worklist_view_map;
  widget_class->unmap = rw_worklist_view_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-worklist-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, modality_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, date_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, range_box);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, from_entry);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, to_entry);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, scroller);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, column_view);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, count_label);
  gtk_widget_class_bind_template_child (widget_class, RwWorklistView, sync_spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_status_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_modality_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_date_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_range_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);

  gtk_widget_class_install_action (widget_class, "worklist.search", "s", search_action);
  gtk_widget_class_install_action (widget_class, "worklist.focus-search", NULL, focus_search_action);
  gtk_widget_class_install_action (widget_class, "worklist.filter-status", "s", filter_status_action);
  gtk_widget_class_install_action (widget_class, "worklist.filter-modality", "s", filter_modality_action);
  gtk_widget_class_install_action (widget_class, "worklist.filter-dates", "(ss)", filter_dates_action);
  gtk_widget_class_install_action (widget_class, "worklist.sort", "(sb)", sort_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "worklist.focus-search", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "worklistview");
}

static void
rw_worklist_view_init (RwWorklistView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->bound_cells = g_hash_table_new (NULL, NULL);
  self->stale_cells = g_hash_table_new (NULL, NULL);
  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);
  self->probed_column = -1;
  build_modality_menu (self);
  build_columns (self);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scroller), "value-changed",
                           G_CALLBACK (on_scrolled), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scroller), "notify::page-size",
                           G_CALLBACK (on_scrolled), self, G_CONNECT_SWAPPED);
  /* Typing anywhere in the list starts a search. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->column_view));
  update_count (self);
  update_busy (self);
}

GtkWidget *
rw_worklist_view_new (void)
{
  return g_object_new (RW_TYPE_WORKLIST_VIEW, NULL);
}

void
rw_worklist_view_set_session (RwWorklistView *self,
                              RwSession      *session)
{
  RwWorklistModel *model;

  g_return_if_fail (RW_IS_WORKLIST_VIEW (self));
  g_return_if_fail (RW_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  model = rw_session_get_worklist (session);

  self->first_screen = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (model)), 0,
                                                 rows_per_screen ());
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->first_screen)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect (self->selection, "items-changed", G_CALLBACK (on_items_changed), self);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect (model, "rows-changed", G_CALLBACK (on_rows_changed), self);

  g_signal_connect_swapped (session, "notify::online", G_CALLBACK (update_online), self);
  g_signal_connect_swapped (session, "notify::state", G_CALLBACK (update_online), self);
  g_signal_connect_swapped (session, "notify::busy", G_CALLBACK (update_busy), self);

  /* The view's filters are the truth: apply them to the shared model. */
  on_status_selected (self);
  on_modality_selected (self);
  apply_dates (self);
  on_search_changed (self);
  update_online (self);
  update_busy (self);
  update_count (self);
}

/* Selects the exam and scrolls it into view; FALSE when the filters hide
 * it. */
gboolean
rw_worklist_view_select_exam (RwWorklistView *self,
                              gint64          exam_id)
{
  RwWorklistModel *model;
  guint position;

  g_return_val_if_fail (RW_IS_WORKLIST_VIEW (self), FALSE);

  model = get_model (self);
  position = model != NULL ? rw_worklist_model_find (model, exam_id) : G_MAXUINT;
  if (position == G_MAXUINT)
    return FALSE;
  self->selected_id = exam_id;
  show_rows_up_to (self, position);
  self->restoring_selection = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->restoring_selection = FALSE;
  /* GTK 4.8 has no gtk_column_view_scroll_to() (4.12); the list view inside
   * the column view has a "list.scroll-to-item" action that does it. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
  return TRUE;
}

RwExam *
rw_worklist_view_get_selected (RwWorklistView *self)
{
  RwWorklistSlot *slot;

  g_return_val_if_fail (RW_IS_WORKLIST_VIEW (self), NULL);

  if (self->selection == NULL)
    return NULL;
  slot = gtk_single_selection_get_selected_item (self->selection);
  return slot != NULL ? rw_worklist_slot_get_exam (slot) : NULL;
}

GtkColumnView *
rw_worklist_view_get_column_view (RwWorklistView *self)
{
  g_return_val_if_fail (RW_IS_WORKLIST_VIEW (self), NULL);
  return self->column_view;
}

void
rw_worklist_view_clear_filters (RwWorklistView *self)
{
  g_return_if_fail (RW_IS_WORKLIST_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->modality_dropdown, 0);
  gtk_drop_down_set_selected (self->date_dropdown, DATE_ANY);
}
