/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-reading-view-private.h"

/* A draft is written this long after the last change… */
#define DRAFT_QUIET_MS 250
/* …or at the latest this long after the first unwritten one, so steady
 * typing still reaches the disk about every second. */
#define DRAFT_MAX_DELAY_US (700 * 1000)

G_DEFINE_FINAL_TYPE (RwReadingView, rw_reading_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODE,
  PROP_TITLE,
  PROP_NOTICE,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void show_conflict (RwReadingView *self,
                           RwReport      *theirs);

/* What the view shows --------------------------------------------------- */

static void
update_title (RwReadingView *self)
{
  g_free (self->title);
  self->title = rw_patient_dup_display_name (rw_exam_get_patient (self->exam));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
update_actions (RwReadingView *self)
{
  gboolean editing = self->mode == RW_READING_EDITING;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reading.save", editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reading.finalize", editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reading.phrases", editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reading.new-phrase", editing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->phrases_button), editing);
}

static void
set_mode (RwReadingView *self,
          RwReadingMode  mode)
{
  rw_report_form_set_editable (self->form, mode == RW_READING_EDITING);
  if (self->mode != mode)
    {
      self->mode = mode;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
    }
  update_actions (self);
}

static void
set_notice (RwReadingView  *self,
            GtkMessageType  type,
            const char     *notice)
{
  g_free (self->notice);
  self->notice = g_strdup (notice);
  gtk_info_bar_set_message_type (self->banner, type);
  gtk_label_set_label (self->banner_label, notice != NULL ? notice : "");
  gtk_info_bar_set_revealed (self->banner, notice != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTICE]);
}

static void
set_status (RwReadingView *self,
            const char    *status)
{
  g_free (self->status);
  self->status = g_strdup (status);
  gtk_label_set_label (self->status_label, status != NULL ? status : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
rw_reading_view_toast (RwReadingView *self,
                       const char    *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static char *
now_label (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%H:%M:%S");
}

/* What the outbox is doing about this exam. */
static void
update_sending_status (RwReadingView *self)
{
  RwOutbox *outbox = rw_reading_context_get_outbox (self->context);
  g_autofree char *status = NULL;

  if (self->n_sending == 0)
    return;
  switch (rw_outbox_get_state (outbox))
    {
    case RW_OUTBOX_WAITING:
      status = g_strdup_printf (_("Not sent yet: the server cannot be reached (%s). The text is safe on this computer and goes as soon as the server answers."),
                                rw_outbox_get_last_error (outbox));
      break;
    case RW_OUTBOX_PAUSED:
      status = g_strdup (_("Not sent yet: sign in again and it goes. The text is safe on this computer."));
      break;
    case RW_OUTBOX_IDLE:
    case RW_OUTBOX_SENDING:
    default:
      status = g_strdup (self->mode == RW_READING_SIGNING ? _("Sending the signature to the server…")
                                                          : _("Sending to the server…"));
      break;
    }
  set_status (self, status);
}

/* Drafts ------------------------------------------------------------------ */

static void
on_draft_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *time = NULL;
  g_autofree char *status = NULL;

  if (!rw_report_store_write_finish (RW_REPORT_STORE (source), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The text is still on screen; say so loudly, it is not safe. */
      g_warning ("Could not write the draft: %s", error->message);
      message = g_strdup_printf (_("The text could not be kept on this computer (%s). Save it to the server with Ctrl+S."),
                                 error->message);
      set_notice (self, GTK_MESSAGE_ERROR, message);
      return;
    }
  if (self->n_sending > 0)
    return;
  time = now_label ();
  /* Translators: %s is a time, "10:31:05". */
  status = g_strdup_printf (_("Kept on this computer at %s; not yet sent to the server."), time);
  set_status (self, status);
}

static void
write_draft (RwReadingView *self)
{
  g_auto(GStrv) text = NULL;

  g_clear_handle_id (&self->draft_timer, g_source_remove);
  if (!self->dirty || self->server == NULL)
    return;
  self->dirty = FALSE;
  text = rw_report_form_dup_text (self->form);
  /* Not the view's cancellable: a write asked for is done even if the
   * view closes meanwhile. */
  rw_report_store_write_draft_async (rw_reading_context_get_store (self->context), self->server,
                                     self->username, rw_exam_get_id (self->exam),
                                     (const char * const *) text, self->base_version,
                                     NULL, on_draft_written, g_object_ref (self));
}

static gboolean
on_draft_timer (gpointer user_data)
{
  RwReadingView *self = user_data;

  self->draft_timer = 0;
  write_draft (self);
  return G_SOURCE_REMOVE;
}

static void
on_form_changed (RwReadingView *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->mode != RW_READING_EDITING)
    return;
  self->typed = TRUE;
  if (!self->dirty)
    self->first_unsaved_change = now;
  self->dirty = TRUE;
  if (self->draft_timer != 0)
    {
      /* Typing goes on: wait for a pause, but not past the deadline. */
      if (now - self->first_unsaved_change >= DRAFT_MAX_DELAY_US)
        return;
      g_source_remove (self->draft_timer);
    }
  self->draft_timer = g_timeout_add (DRAFT_QUIET_MS, on_draft_timer, self);
}

/* Sending --------------------------------------------------------------- */

static void
on_queued (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (rw_outbox_send_finish (RW_OUTBOX (source), result, &error))
    {
      update_sending_status (self);
      return;
    }
  /* Not even queued (nobody is signed in): the draft keeps the text. */
  self->n_sending--;
  if (self->mode == RW_READING_SIGNING)
    set_mode (self, RW_READING_EDITING);
  {
    g_autofree char *message = g_strdup_printf (_("Not sent: %s. The text is kept on this computer."), error->message);

    set_notice (self, GTK_MESSAGE_WARNING, message);
    set_status (self, NULL);
  }
}

static void
send (RwReadingView *self,
      RwOutboxKind   kind,
      const char    *addendum)
{
  g_auto(GStrv) text = NULL;

  g_clear_handle_id (&self->draft_timer, g_source_remove);
  if (kind != RW_OUTBOX_ADDENDUM)
    {
      text = rw_report_form_dup_text (self->form);
      /* The outbox writes the text as the draft in the same transaction. */
      self->dirty = FALSE;
    }
  self->n_sending++;
  rw_outbox_send_async (rw_reading_context_get_outbox (self->context), rw_exam_get_id (self->exam),
                        kind, (const char * const *) text, addendum, NULL, on_queued, g_object_ref (self));
}

static gboolean
differs_from_server (RwReadingView *self)
{
  g_auto(GStrv) text = rw_report_form_dup_text (self->form);

  if (self->report == NULL)
    return text[0][0] != '\0' || text[1][0] != '\0' || text[2][0] != '\0';
  return !rw_report_has_text (self->report, text[0], text[1], text[2]);
}

static void
on_delivered (RwOutbox      *outbox,
              gint64         exam_id,
              int            kind,
              RwReport      *report,
              RwReadingView *self)
{
  g_autofree char *status = NULL;
  g_autofree char *when = NULL;

  if (exam_id != rw_exam_get_id (self->exam))
    return;
  if (self->n_sending > 0)
    self->n_sending--;
  g_set_object (&self->report, report);
  self->base_version = rw_report_get_version (report);

  if (rw_report_get_is_final (report))
    {
      set_mode (self, RW_READING_FINAL);
      rw_report_form_show_report (self->form, report, self->can_sign);
      when = rw_report_format_time (rw_report_get_finalized_at (report));
      /* Translators: %s is a date and time, "01/01/2024 10:30". */
      status = g_strdup_printf (_("Signed on %s."), when);
      if (kind == RW_OUTBOX_ADDENDUM)
        {
          g_clear_pointer (&status, g_free);
          status = g_strdup (_("Addendum saved on the server."));
        }
      set_notice (self, GTK_MESSAGE_INFO, NULL);
      set_status (self, status);
      return;
    }

  when = now_label ();
  /* Translators: a time and the laudo's version, "10:32:07 (version 3)". */
  status = g_strdup_printf (_("Saved on the server at %s (version %lld)."), when, (long long) rw_report_get_version (report));
  if (self->n_sending == 0)
    set_status (self, status);
  else
    update_sending_status (self);
}

static void
on_refused (RwOutbox      *outbox,
            gint64         exam_id,
            int            kind,
            RwReport      *conflict,
            const char    *message,
            RwReadingView *self)
{
  g_autofree char *notice = NULL;

  if (exam_id != rw_exam_get_id (self->exam))
    return;
  /* The outbox dropped this exam's later entries with this one. */
  self->n_sending = 0;
  set_status (self, NULL);
  if (self->mode == RW_READING_SIGNING)
    set_mode (self, RW_READING_EDITING);
  if (conflict != NULL)
    {
      show_conflict (self, conflict);
      return;
    }
  notice = kind == RW_OUTBOX_ADDENDUM
           ? g_strdup_printf (_("The server did not take the addendum: %s"), message)
           : g_strdup_printf (_("The server did not take the laudo: %s. The text stays on this computer."), message);
  set_notice (self, GTK_MESSAGE_ERROR, notice);
}

static void
on_outbox_state (RwReadingView *self)
{
  update_sending_status (self);
}

/* Conflicts --------------------------------------------------------------- */

static void
on_rebased (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rw_report_store_write_finish (RW_REPORT_STORE (source), result, &error))
    {
      g_warning ("Could not record the choice in the report store: %s", error->message);
      return;
    }
  send (self, RW_OUTBOX_SAVE, NULL);
}

static void
on_adopted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rw_report_store_write_finish (RW_REPORT_STORE (source), result, &error))
    g_warning ("Could not record the server's laudo in the report store: %s", error->message);
}

/* The server's laudo becomes what is on screen. */
static void
take_theirs (RwReadingView *self,
             RwReport      *theirs)
{
  g_set_object (&self->report, theirs);
  self->base_version = rw_report_get_version (theirs);
  self->dirty = FALSE;
  g_clear_handle_id (&self->draft_timer, g_source_remove);
  rw_report_store_adopt_async (rw_reading_context_get_store (self->context), self->server, self->username,
                               rw_exam_get_id (self->exam), theirs, NULL, on_adopted, NULL);
  if (rw_report_get_is_final (theirs))
    {
      rw_report_form_show_report (self->form, theirs, self->can_sign);
      set_mode (self, RW_READING_FINAL);
    }
  else
    rw_report_form_show_report (self->form, theirs, FALSE);
}

static void
on_conflict_resolved (RwConflictDialog *dialog,
                      int               choice,
                      RwReadingView    *self)
{
  RwReport *theirs = rw_conflict_dialog_get_theirs (dialog);

  self->conflict_dialog = NULL;
  set_notice (self, GTK_MESSAGE_INFO, NULL);
  if (choice == RW_CONFLICT_KEEP_MINE)
    {
      /* Saved over the server's text on purpose: the base moves to its
       * version first, so the save is not stale. */
      self->base_version = rw_report_get_version (theirs);
      g_set_object (&self->report, theirs);
      rw_report_store_rebase_async (rw_reading_context_get_store (self->context), self->server, self->username,
                                    rw_exam_get_id (self->exam), theirs, NULL, on_rebased, g_object_ref (self));
    }
  else
    take_theirs (self, theirs);
}

static void
show_conflict (RwReadingView *self,
               RwReport      *theirs)
{
  g_auto(GStrv) mine = rw_report_form_dup_text (self->form);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->conflict_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->conflict_dialog));
  set_notice (self, GTK_MESSAGE_WARNING,
              _("The laudo changed on the server while this text was being written. Nothing was overwritten: choose which text stays."));
  self->conflict_dialog = rw_conflict_dialog_new ((const char * const *) mine, theirs);
  g_object_add_weak_pointer (G_OBJECT (self->conflict_dialog), (gpointer *) &self->conflict_dialog);
  g_signal_connect_object (self->conflict_dialog, "resolved", G_CALLBACK (on_conflict_resolved), self, 0);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self->conflict_dialog), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (self->conflict_dialog));
}

/* Opening --------------------------------------------------------------- */

static void
on_user (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(RwUser) user = NULL;

  user = rw_reading_context_get_user_finish (RW_READING_CONTEXT (source), result, NULL);
  self->can_sign = user != NULL && rw_user_is_radiologist (user);
  if (self->mode == RW_READING_FINAL && self->report != NULL)
    rw_report_form_show_report (self->form, self->report, self->can_sign);
}

static void
on_claimed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *notice = NULL;

  if (rw_api_client_claim_finish (RW_API_CLIENT (source), result, &error))
    {
      set_mode (self, RW_READING_EDITING);
      rw_report_form_focus_section (self->form, RW_REPORT_FINDINGS);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->claimed_here = FALSE;
  if (g_error_matches (error, RW_API_ERROR, RW_API_ERROR_CONFLICT))
    {
      const char *holder = rw_exam_get_assigned_to_name (self->exam);

      if (holder[0] != '\0')
        /* Translators: %s is a radiologist's name. */
        notice = g_strdup_printf (_("%s is reporting this exam. You can read the laudo; only they can change it."), holder);
      else
        notice = g_strdup (_("Another radiologist is reporting this exam. You can read the laudo; only they can change it."));
      set_notice (self, GTK_MESSAGE_WARNING, notice);
      set_mode (self, RW_READING_READ_ONLY);
      return;
    }
  if (g_error_matches (error, RW_API_ERROR, RW_API_ERROR_FORBIDDEN))
    {
      set_notice (self, GTK_MESSAGE_INFO, _("Only radiologists write laudos: the exam is open for reading."));
      set_mode (self, RW_READING_READ_ONLY);
      return;
    }
  /* The server went away between reading the exam and claiming it: write
   * on; the outbox sends when it is back, and says so if someone else
   * took the exam meanwhile. */
  set_notice (self, GTK_MESSAGE_WARNING,
              _("The server cannot be reached: what you write is kept on this computer and sent when the server is back."));
  set_mode (self, RW_READING_EDITING);
}

static void
claim (RwReadingView *self)
{
  RwApiClient *client = rw_session_get_client (rw_reading_context_get_session (self->context));

  self->claimed_here = rw_exam_get_status (self->exam) == RW_EXAM_STATUS_PENDING;
  rw_api_client_claim_async (client, rw_exam_get_id (self->exam), self->cancellable,
                             on_claimed, g_object_ref (self));
}

static gboolean
draft_has_text (RwDraft  *draft,
                RwReport *report)
{
  if (report != NULL)
    return rw_report_has_text (report, draft->text[0], draft->text[1], draft->text[2]);
  return draft->text[0][0] == '\0' && draft->text[1][0] == '\0' && draft->text[2][0] == '\0';
}

/* Both the server's exam and the local draft are in (or failed). */
static void
opened (RwReadingView *self)
{
  RwDraft *draft = self->draft;
  RwReport *report;
  gint64 server_version;

  if (self->open_error != NULL)
    {
      if (g_error_matches (self->open_error, RW_API_ERROR, RW_API_ERROR_NOT_FOUND))
        {
          set_notice (self, GTK_MESSAGE_ERROR, _("This exam is no longer on the server."));
          set_mode (self, RW_READING_READ_ONLY);
          return;
        }
      /* Offline: what this computer has, and writing goes on. */
      if (draft != NULL)
        {
          rw_report_form_set_text (self->form, (const char * const *) draft->text);
          self->base_version = draft->base_version;
        }
      set_notice (self, GTK_MESSAGE_WARNING,
                  _("The server cannot be reached: the exam is open with what this computer has, and what you write is sent when the server is back."));
      set_mode (self, RW_READING_EDITING);
      return;
    }

  g_set_object (&self->exam, self->record->exam);
  update_title (self);
  rw_report_form_set_exam (self->form, self->exam);
  rw_reading_view_filter_phrases (self);
  g_set_object (&self->report, self->record->report);
  report = self->report;
  server_version = report != NULL ? rw_report_get_version (report) : 0;
  self->base_version = server_version;
  rw_reading_view_load_priors (self);

  if (report != NULL && rw_report_get_is_final (report))
    {
      rw_report_form_show_report (self->form, report, self->can_sign);
      set_mode (self, RW_READING_FINAL);
      if (draft != NULL && draft->unsent && !draft_has_text (draft, report))
        {
          rw_report_form_set_text (self->form, (const char * const *) draft->text);
          show_conflict (self, report);
          rw_report_form_show_report (self->form, report, self->can_sign);
        }
      else if (draft != NULL)
        rw_report_store_delete_draft_async (rw_reading_context_get_store (self->context), self->server,
                                            self->username, rw_exam_get_id (self->exam), NULL, NULL, NULL);
      return;
    }

  rw_report_form_show_report (self->form, report, FALSE);
  if (rw_exam_get_status (self->exam) == RW_EXAM_STATUS_CANCELLED)
    {
      set_notice (self, GTK_MESSAGE_INFO, _("This exam was cancelled: its laudo is open for reading."));
      set_mode (self, RW_READING_READ_ONLY);
      return;
    }

  if (draft != NULL && draft->conflict != NULL)
    {
      /* A save was refused while the view was closed. */
      rw_report_form_set_text (self->form, (const char * const *) draft->text);
      show_conflict (self, draft->conflict);
    }
  else if (draft != NULL && draft->unsent && !draft_has_text (draft, report))
    {
      rw_report_form_set_text (self->form, (const char * const *) draft->text);
      if (draft->base_version == server_version || report == NULL)
        {
          /* Typed here and never sent (a crash, a closed window, an
           * outage): it is the newest text. */
          self->base_version = draft->base_version;
          self->dirty = FALSE;
          set_notice (self, GTK_MESSAGE_INFO,
                      draft->failure != NULL
                      ? draft->failure
                      : _("This text was restored from this computer: it had not been sent to the server yet. Save it with Ctrl+S."));
        }
      else
        show_conflict (self, report);
    }

  claim (self);
}

static void
load_done (RwReadingView *self)
{
  g_assert (self->pending_loads > 0);
  if (--self->pending_loads == 0)
    opened (self);
}

static void
on_draft_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(GError) error = NULL;

  self->draft = rw_report_store_load_draft_finish (RW_REPORT_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      g_warning ("Could not read the draft: %s", error->message);
      set_notice (self, GTK_MESSAGE_ERROR, error->message);
    }
  load_done (self);
}

static void
on_exam_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;

  self->record = rw_api_client_open_exam_finish (RW_API_CLIENT (source), result, &self->open_error);
  if (g_error_matches (self->open_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  load_done (self);
}

static void
on_add_addendum (RwReadingView *self,
                 const char    *text)
{
  if (self->mode != RW_READING_FINAL)
    return;
  send (self, RW_OUTBOX_ADDENDUM, text);
}

/* Actions ----------------------------------------------------------------- */

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RwReadingView *self = RW_READING_VIEW (widget);

  if (self->mode == RW_READING_EDITING)
    send (self, RW_OUTBOX_SAVE, NULL);
}

static void
on_finalize_response (AdwMessageDialog *dialog,
                      const char       *response,
                      RwReadingView    *self)
{
  if (g_strcmp0 (response, "finalize") != 0 || self->mode != RW_READING_EDITING)
    return;
  set_mode (self, RW_READING_SIGNING);
  send (self, RW_OUTBOX_FINALIZE, NULL);
}

static GtkWidget *
preview (char **text)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *label = gtk_label_new (NULL);
  g_autoptr(GString) markup = g_string_new (NULL);

  for (guint i = 0; i < RW_REPORT_N_SECTIONS; i++)
    {
      g_autofree char *escaped = g_markup_escape_text (text[i][0] != '\0' ? text[i] : "—", -1);

      g_string_append_printf (markup, "%s<b>%s</b>\n%s\n", i > 0 ? "\n" : "",
                              rw_report_section_to_label ((RwReportSection) i), escaped);
    }
  gtk_label_set_markup (GTK_LABEL (label), markup->str);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 180);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_widget_add_css_class (scrolled, "card");
  return scrolled;
}

/* The seed's "are you sure", with what CFM asks a laudo to carry: who
 * signs (name, CRM/UF, RQE), for which patient and exam, and the text. */
static void
ask_to_finalize (RwReadingView *self,
                 RwUser        *user)
{
  g_auto(GStrv) text = rw_report_form_dup_text (self->form);
  RwPatient *patient = rw_exam_get_patient (self->exam);
  g_autofree char *name = rw_patient_dup_display_name (patient);
  g_autofree char *signature = rw_user_dup_signature (user);
  g_autofree char *date = rw_exam_dup_study_date_label (self->exam);
  g_autofree char *body = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  /* Translators: the body of the signing dialog: patient, id, exam,
   * date, and the signer with CRM and RQE. */
  body = g_strdup_printf (_("Patient: %s (ID %s)\nExam: %s — %s\nSigned by: %s\n\nOnce signed, the text can no longer change; a correction becomes an addendum."),
                          name, rw_patient_get_patient_id (patient), rw_exam_get_description (self->exam),
                          date, signature);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Sign and Finalize This Laudo?"), body));
  adw_message_dialog_set_extra_child (dialog, preview (text));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "finalize", _("_Sign and Finalize"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "finalize", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "finalize");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_finalize_response), self, 0);
  self->finalize_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->finalize_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_signer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RwReadingView) self = user_data;
  g_autoptr(RwUser) user = NULL;
  g_autoptr(GError) error = NULL;

  user = rw_reading_context_get_user_finish (RW_READING_CONTEXT (source), result, &error);
  if (user == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("The signer could not be read from the server (%s): try again once it answers."),
                                 error->message);
      rw_reading_view_toast (self, message);
      return;
    }
  if (!rw_user_is_radiologist (user) || rw_user_get_crm (user)[0] == '\0')
    {
      rw_reading_view_toast (self, _("Only a radiologist with a CRM can sign a laudo."));
      return;
    }
  ask_to_finalize (self, user);
}

static void
finalize_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RwReadingView *self = RW_READING_VIEW (widget);
  g_auto(GStrv) text = NULL;

  if (self->mode != RW_READING_EDITING || self->finalize_dialog != NULL)
    return;
  text = rw_report_form_dup_text (self->form);
  g_strstrip (text[RW_REPORT_CONCLUSION]);
  if (text[RW_REPORT_CONCLUSION][0] == '\0')
    {
      rw_reading_view_toast (self, _("Write the conclusion before signing."));
      rw_report_form_focus_section (self->form, RW_REPORT_CONCLUSION);
      return;
    }
  rw_reading_context_get_user_async (self->context, self->cancellable, on_signer, g_object_ref (self));
}

static void
phrases_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  rw_reading_view_show_phrases (RW_READING_VIEW (widget));
}

static void
new_phrase_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  rw_reading_view_new_phrase (RW_READING_VIEW (widget));
}

static void
download_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  rw_reading_view_download (RW_READING_VIEW (widget));
}

static void
cancel_download_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  rw_reading_view_cancel_download (RW_READING_VIEW (widget));
}

static void
show_current_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  rw_reading_view_show_current_images (RW_READING_VIEW (widget));
}

static void
close_prior_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  rw_reading_view_close_prior (RW_READING_VIEW (widget));
}

static void
priors_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_menu_button_popup (RW_READING_VIEW (widget)->priors_button);
}

/* GObject ------------------------------------------------------------------ */

static void
rw_reading_view_dispose (GObject *object)
{
  RwReadingView *self = (RwReadingView *)object;

  /* Whatever was typed since the last write goes to disk now. */
  if (self->context != NULL)
    write_draft (self);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->download_cancellable);
  g_clear_handle_id (&self->draft_timer, g_source_remove);
  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (rw_reading_context_get_outbox (self->context), self);
  if (self->conflict_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->conflict_dialog));
  if (self->finalize_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->finalize_dialog));
  if (self->phrase_bank != NULL)
    gtk_menu_button_set_popover (self->phrases_button, NULL);
  self->phrase_bank = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_READING_VIEW);
  self->viewer = NULL;
  g_clear_object (&self->context);

  G_OBJECT_CLASS (rw_reading_view_parent_class)->dispose (object);
}

static void
rw_reading_view_finalize (GObject *object)
{
  RwReadingView *self = (RwReadingView *)object;

  g_clear_object (&self->exam);
  g_clear_object (&self->report);
  g_clear_pointer (&self->draft, rw_draft_free);
  g_clear_pointer (&self->record, rw_exam_record_free);
  g_clear_error (&self->open_error);
  g_clear_pointer (&self->priors, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->download_cancellable);
  g_free (self->server);
  g_free (self->username);
  g_free (self->notice);
  g_free (self->status);
  g_free (self->title);

  G_OBJECT_CLASS (rw_reading_view_parent_class)->finalize (object);
}

static void
rw_reading_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  RwReadingView *self = RW_READING_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_int (value, self->mode);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_NOTICE:
      g_value_set_string (value, self->notice);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_reading_view_class_init (RwReadingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rw_reading_view_dispose;
  object_class->finalize = rw_reading_view_finalize;
  object_class->get_property = rw_reading_view_get_property;

  properties[PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL, RW_READING_LOADING, RW_READING_FINAL, RW_READING_LOADING,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NOTICE] =
    g_param_spec_string ("notice", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (RW_TYPE_REPORT_FORM);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-reading-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, banner);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, banner_label);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, paned);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, viewer_box);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, images_revealer);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, images_label);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, priors_button);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, priors_list);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, priors_stack);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, phrases_button);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, download_box);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, download_progress);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, prior_revealer);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, prior_title);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, prior_form);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, form);
  gtk_widget_class_bind_template_child (widget_class, RwReadingView, status_label);

  gtk_widget_class_install_action (widget_class, "reading.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "reading.finalize", NULL, finalize_action);
  gtk_widget_class_install_action (widget_class, "reading.phrases", NULL, phrases_action);
  gtk_widget_class_install_action (widget_class, "reading.new-phrase", NULL, new_phrase_action);
  gtk_widget_class_install_action (widget_class, "reading.priors", NULL, priors_action);
  gtk_widget_class_install_action (widget_class, "reading.close-prior", NULL, close_prior_action);
  gtk_widget_class_install_action (widget_class, "reading.show-current-images", NULL, show_current_action);
  gtk_widget_class_install_action (widget_class, "reading.download", NULL, download_action);
  gtk_widget_class_install_action (widget_class, "reading.cancel-download", NULL, cancel_download_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "reading.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "reading.phrases", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "reading.priors", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "reading.download", NULL);
}

/* Signing takes both hands on purpose: Ctrl+Shift+Enter, then the
 * dialog. The text views take Enter with any modifier as a new line, and
 * a class binding would only see the key after them: this one sees it
 * first, in the capture phase. */
static void
add_finalize_shortcut (RwReadingView *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutTrigger *trigger;

  trigger = gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_CONTROL_MASK | GDK_SHIFT_MASK),
                                         gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_CONTROL_MASK | GDK_SHIFT_MASK));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (trigger, gtk_named_action_new ("reading.finalize")));
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_name (controller, "finalize-shortcut");
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
rw_reading_view_init (RwReadingView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  add_finalize_shortcut (self);
  self->cancellable = g_cancellable_new ();
  self->mode = RW_READING_LOADING;
  rw_report_form_set_editable (self->prior_form, FALSE);
  rw_report_form_set_editable (self->form, FALSE);
  g_signal_connect_object (self->form, "changed", G_CALLBACK (on_form_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->form, "add-addendum", G_CALLBACK (on_add_addendum), self, G_CONNECT_SWAPPED);
  rw_reading_view_init_phrases (self);
  rw_reading_view_init_priors (self);
  update_actions (self);
}

RwReadingView *
rw_reading_view_new (RwReadingContext *context,
                     RwExam           *exam)
{
  RwReadingView *self;
  RwOutbox *outbox;
  RwApiClient *client;

  g_return_val_if_fail (RW_IS_READING_CONTEXT (context), NULL);
  g_return_val_if_fail (RW_IS_EXAM (exam), NULL);

  self = g_object_new (RW_TYPE_READING_VIEW, NULL);
  self->context = g_object_ref (context);
  self->exam = g_object_ref (exam);
  update_title (self);
  /* Kept for the view's life: a sign-out must not turn this exam's last
   * draft write into another user's. */
  self->server = g_strdup (rw_reading_context_get_server (context));
  self->username = g_strdup (rw_reading_context_get_username (context));

  self->viewer = rw_viewer_pane_new (context);
  gtk_widget_set_vexpand (GTK_WIDGET (self->viewer), TRUE);
  gtk_box_append (self->viewer_box, GTK_WIDGET (self->viewer));

  rw_report_form_set_exam (self->form, exam);
  rw_reading_view_watch_phrases (self);

  outbox = rw_reading_context_get_outbox (context);
  g_signal_connect (outbox, "delivered", G_CALLBACK (on_delivered), self);
  g_signal_connect (outbox, "refused", G_CALLBACK (on_refused), self);
  g_signal_connect_swapped (outbox, "notify::state", G_CALLBACK (on_outbox_state), self);
  g_signal_connect_swapped (outbox, "notify::last-error", G_CALLBACK (on_outbox_state), self);

  rw_viewer_pane_load (self->viewer, exam);
  rw_reading_context_get_user_async (context, self->cancellable, on_user, g_object_ref (self));

  /* The server's exam and laudo, and this computer's draft, side by side:
   * which text wins is decided when both are in. */
  client = rw_session_get_client (rw_reading_context_get_session (context));
  self->pending_loads = 1;
  rw_api_client_open_exam_async (client, rw_exam_get_id (exam), self->cancellable,
                                 on_exam_loaded, g_object_ref (self));
  if (self->server != NULL && self->username != NULL)
    {
      self->pending_loads++;
      rw_report_store_load_draft_async (rw_reading_context_get_store (context), self->server, self->username,
                                        rw_exam_get_id (exam), self->cancellable,
                                        on_draft_loaded, g_object_ref (self));
    }
  return self;
}

gint64
rw_reading_view_get_exam_id (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), 0);
  return rw_exam_get_id (self->exam);
}

RwExam *
rw_reading_view_get_exam (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), NULL);
  return self->exam;
}

RwReadingMode
rw_reading_view_get_mode (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), RW_READING_LOADING);
  return self->mode;
}

const char *
rw_reading_view_get_title (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), NULL);
  return self->title;
}

const char *
rw_reading_view_get_notice (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), NULL);
  return self->notice;
}

const char *
rw_reading_view_get_status (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), NULL);
  return self->status;
}

guint
rw_reading_view_get_n_sending (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), 0);
  return self->n_sending;
}

RwReportForm *
rw_reading_view_get_form (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), NULL);
  return self->form;
}

RwReportForm *
rw_reading_view_get_prior_form (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), NULL);
  return self->prior_form;
}

RwViewerPane *
rw_reading_view_get_viewer (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), NULL);
  return self->viewer;
}

RwPhraseBank *
rw_reading_view_get_phrase_bank (RwReadingView *self)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), NULL);
  return self->phrase_bank;
}

static void
on_close_queued (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwReadingView *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  /* Signed out, say: the draft (written below) keeps the text for the
   * next time. */
  if (!rw_outbox_send_finish (RW_OUTBOX (source), result, &error))
    {
      g_debug ("The laudo stays in the draft: %s", error->message);
      self->dirty = TRUE;
      write_draft (self);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_close_draft_written (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!rw_report_store_write_finish (RW_REPORT_STORE (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
rw_reading_view_close_async (RwReadingView       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_auto(GStrv) text = NULL;

  g_return_if_fail (RW_IS_READING_VIEW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_reading_view_close_async);
  g_clear_handle_id (&self->draft_timer, g_source_remove);
  webkit_web_view_stop_loading (rw_viewer_pane_get_web_view (self->viewer));

  if (self->mode == RW_READING_EDITING && differs_from_server (self))
    {
      /* What differs from the server goes there: a radiologist closing a
       * tab expects the laudo saved. */
      text = rw_report_form_dup_text (self->form);
      self->dirty = FALSE;
      rw_outbox_send_async (rw_reading_context_get_outbox (self->context), rw_exam_get_id (self->exam),
                            RW_OUTBOX_SAVE, (const char * const *) text, NULL, NULL,
                            on_close_queued, g_steal_pointer (&task));
      return;
    }

  if (self->mode == RW_READING_EDITING && self->claimed_here && !self->typed)
    {
      RwApiClient *client = rw_session_get_client (rw_reading_context_get_session (self->context));

      /* Opened and closed without a word: the exam goes back to the
       * worklist for anyone. A failure leaves it claimed, which the
       * holder can undo by opening and closing it again. */
      rw_api_client_release_async (client, rw_exam_get_id (self->exam), NULL, NULL, NULL);
    }

  if (self->dirty && self->server != NULL)
    {
      text = rw_report_form_dup_text (self->form);
      self->dirty = FALSE;
      rw_report_store_write_draft_async (rw_reading_context_get_store (self->context), self->server,
                                         self->username, rw_exam_get_id (self->exam),
                                         (const char * const *) text, self->base_version,
                                         NULL, on_close_draft_written, g_steal_pointer (&task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

gboolean
rw_reading_view_close_finish (RwReadingView  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (RW_IS_READING_VIEW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
