/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-orthanc-client.h"
#include "rw-viewer-pane.h"

/* Retries of Orthanc's authentication one page load may ask for before
 * the password counts as refused. */
#define MAX_AUTH_RETRIES 4

struct _RwViewerPane
{
  GtkWidget          parent_instance;

  /* Template widgets */
  GtkStack          *stack;
  GtkLabel          *preparing_label;
  GtkOverlay        *web_overlay;
  GtkProgressBar    *progress;
  GtkRevealer       *note_revealer;
  GtkLabel          *note_label;
  AdwStatusPage     *error_page;
  GtkBox            *alternatives_box;

  /* Owned references */
  RwReadingContext  *context;
  WebKitWebView     *web_view;
  RwExam            *exam;
  RwOrthancAccess   *access;
  GCancellable      *cancellable;
  char              *title;
  char              *message;
  GUri              *pacs;
  /* The page to load once WebKit has started the previous one (see
   * load_page()). */
  char              *pending_uri;
  char              *page_uri;
  guint              watchdog;
  guint              watchdog_retries;
  /* A load was asked for and WebKit has said nothing of it yet. */
  gboolean           awaiting_start;

  RwViewerKind       kind;
  RwViewerPaneState  state;
  RwViewerProblem    problem;
  /* Retries of Orthanc's authentication answered in this load. */
  guint              auth_retries;
  gboolean           auth_refused;
  /* This page was loaded again after a refusal (see page_refused()). */
  gboolean           reloaded_after_refusal;
  /* WebKit reported the start of the page load asked for last: events
   * before it belong to a load that was replaced. */
  gboolean           load_started;
  /* The viewer of the preferences was missing and another is shown. */
  gboolean           replaced;
};

G_DEFINE_FINAL_TYPE (RwViewerPane, rw_viewer_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Orthanc plugin names of the viewers the pane knows. */
static const struct {
  const char   *plugin;
  RwViewerKind  kind;
  const char   *nick;
} viewer_plugins[] = {
  { "stone-webviewer", RW_VIEWER_STONE, "stone" },
  { "web-viewer", RW_VIEWER_ORTHANC_WEB_VIEWER, "orthanc-webviewer" },
  { "ohif", RW_VIEWER_OHIF, "ohif" },
};

static void     start          (RwViewerPane *self);
static void     kick_watchdog  (RwViewerPane *self);
static gboolean flush_pending  (RwViewerPane *self);

static void
set_state (RwViewerPane      *self,
           RwViewerPaneState  state)
{
  const char *page = "web";

  switch (state)
    {
    case RW_VIEWER_PANE_EMPTY:
      page = "empty";
      break;
    case RW_VIEWER_PANE_PREPARING:
      page = "preparing";
      break;
    case RW_VIEWER_PANE_FAILED:
      page = "error";
      break;
    case RW_VIEWER_PANE_LOADING:
    case RW_VIEWER_PANE_READY:
    default:
      break;
    }
  gtk_stack_set_visible_child_name (self->stack, page);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), state == RW_VIEWER_PANE_LOADING);
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static char *
pacs_label (RwViewerPane *self)
{
  if (self->pacs == NULL)
    return g_strdup ("?");
  if (g_uri_get_port (self->pacs) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (self->pacs), g_uri_get_port (self->pacs));
  return g_strdup (g_uri_get_host (self->pacs));
}

static void
clear_alternatives (RwViewerPane *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->alternatives_box))) != NULL)
    gtk_box_remove (self->alternatives_box, child);
}

static void
add_button (RwViewerPane *self,
            const char   *label,
            const char   *action,
            GVariant     *target,
            gboolean      suggested)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (target != NULL)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  gtk_widget_add_css_class (button, "pill");
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  gtk_box_append (self->alternatives_box, button);
}

static void
fail (RwViewerPane    *self,
      RwViewerProblem  problem,
      const char      *title,
      const char      *message)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watchdog, g_source_remove);
  g_clear_pointer (&self->pending_uri, g_free);
  self->problem = problem;
  g_free (self->title);
  g_free (self->message);
  self->title = g_strdup (title);
  self->message = g_strdup (message);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, message);
  adw_status_page_set_icon_name (self->error_page,
                                 problem == RW_VIEWER_PROBLEM_UNAUTHORIZED ? "dialog-password-symbolic"
                                 : problem == RW_VIEWER_PROBLEM_UNREACHABLE ? "network-offline-symbolic"
                                 : "image-missing-symbolic");
  clear_alternatives (self);
  add_button (self, _("_Try Again"), "viewer.reload", NULL, problem != RW_VIEWER_PROBLEM_VIEWER_MISSING);
  if (problem == RW_VIEWER_PROBLEM_UNAUTHORIZED || problem == RW_VIEWER_PROBLEM_NO_ADDRESS ||
      problem == RW_VIEWER_PROBLEM_UNREACHABLE)
    add_button (self, _("_Preferences"), "app.preferences", NULL, FALSE);
  g_debug ("Viewer: %s — %s", title, message);
  /* The state first: stopping the load reports its end, which must not
   * read as a page loaded. */
  set_state (self, RW_VIEWER_PANE_FAILED);
  if (self->web_view != NULL)
    webkit_web_view_stop_loading (self->web_view);
}

static void
fail_unauthorized (RwViewerPane *self)
{
  g_autofree char *where = pacs_label (self);
  g_autofree char *message = NULL;

  if (self->access == NULL || self->access->username == NULL)
    message = g_strdup_printf (_("The Orthanc at %s asks for a user name and password. Set them in Preferences; the password is kept in the keyring."),
                               where);
  else if (self->access->password == NULL)
    message = g_strdup_printf (_("There is no password in the keyring for the Orthanc user “%s” at %s. Type it in Preferences."),
                               self->access->username, where);
  else
    message = g_strdup_printf (_("The Orthanc at %s did not accept the user “%s” with the password kept in the keyring. Correct them in Preferences."),
                               where, self->access->username);
  fail (self, RW_VIEWER_PROBLEM_UNAUTHORIZED, _("Orthanc refused the user name or password"), message);
}

static void begin_load (RwViewerPane *self,
                        const char   *uri);

/* The page met a refusal, although Orthanc's REST API took the same
 * password for this study just before the page was asked for: WebKit's
 * authentication of a load that replaced another (a prior opened while
 * the exam's images came) can end so. The page is loaded once more; a
 * second refusal is a real one. */
static void
page_refused (RwViewerPane *self)
{
  if (!self->reloaded_after_refusal && self->access != NULL && self->access->password != NULL)
    {
      g_debug ("Viewer: the page was refused, loading it once more");
      self->reloaded_after_refusal = TRUE;
      begin_load (self, self->page_uri);
      return;
    }
  fail_unauthorized (self);
}

static void
fail_from_error (RwViewerPane *self,
                 const GError *error)
{
  g_autofree char *where = pacs_label (self);
  g_autofree char *message = NULL;

  if (g_error_matches (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_UNAUTHORIZED))
    {
      fail_unauthorized (self);
      return;
    }
  if (g_error_matches (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_UNREACHABLE) ||
      g_error_matches (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_TIMEOUT))
    {
      message = g_strdup_printf (_("Could not connect to the Orthanc at %s (%s). Check the network, or the address in Preferences."),
                                 where, error->message);
      fail (self, RW_VIEWER_PROBLEM_UNREACHABLE, _("The PACS does not answer"), message);
      return;
    }
  if (g_error_matches (error, RW_ORTHANC_ERROR, RW_ORTHANC_ERROR_NOT_FOUND))
    {
      message = g_strdup_printf (_("The Orthanc at %s does not have this study: it may have been deleted or anonymized."),
                                 where);
      fail (self, RW_VIEWER_PROBLEM_STUDY_NOT_FOUND, _("The study is not on the PACS"), message);
      return;
    }
  if (error->domain == RW_VIEWER_URL_ERROR)
    {
      fail (self, error->code == RW_VIEWER_URL_ERROR_INVALID_BASE ? RW_VIEWER_PROBLEM_NO_ADDRESS
                                                                  : RW_VIEWER_PROBLEM_OTHER,
            _("The viewer's address cannot be made"), error->message);
      return;
    }
  fail (self, RW_VIEWER_PROBLEM_OTHER, _("The images cannot be shown"), error->message);
}

static gboolean
same_origin (GUri       *pacs,
             const char *scheme,
             const char *host,
             int         port)
{
  int pacs_port = g_uri_get_port (pacs);

  if (pacs_port < 0)
    pacs_port = g_ascii_strcasecmp (g_uri_get_scheme (pacs), "https") == 0 ? 443 : 80;
  if (port < 0 && scheme != NULL)
    port = g_ascii_strcasecmp (scheme, "https") == 0 ? 443 : 80;
  return (scheme == NULL || g_ascii_strcasecmp (scheme, g_uri_get_scheme (pacs)) == 0) &&
         g_ascii_strcasecmp (host, g_uri_get_host (pacs)) == 0 &&
         port == pacs_port;
}

/* Whether @uri stays on the PACS: its own pages, about:blank, and blob:
 * URLs of its own origin. */
static gboolean
is_on_pacs (RwViewerPane *self,
            const char   *uri)
{
  g_autoptr(GUri) parsed = NULL;

  if (self->pacs == NULL || uri == NULL)
    return FALSE;
  if (g_str_equal (uri, "about:blank"))
    return TRUE;
  if (g_str_has_prefix (uri, "blob:"))
    uri += strlen ("blob:");
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  return parsed != NULL && g_uri_get_host (parsed) != NULL &&
         same_origin (self->pacs, g_uri_get_scheme (parsed), g_uri_get_host (parsed), g_uri_get_port (parsed));
}

static gboolean
on_authenticate (WebKitWebView               *web_view,
                 WebKitAuthenticationRequest *request,
                 RwViewerPane                *self)
{
  g_autoptr(WebKitCredential) credential = NULL;
  WebKitAuthenticationScheme scheme = webkit_authentication_request_get_scheme (request);


  /* Only the PACS gets the PACS's password, and only over HTTP's own
   * authentication. */
  if (webkit_authentication_request_is_for_proxy (request) || self->pacs == NULL ||
      !same_origin (self->pacs, NULL, webkit_authentication_request_get_host (request),
                    (int) webkit_authentication_request_get_port (request)) ||
      (scheme != WEBKIT_AUTHENTICATION_SCHEME_HTTP_BASIC && scheme != WEBKIT_AUTHENTICATION_SCHEME_HTTP_DIGEST &&
       scheme != WEBKIT_AUTHENTICATION_SCHEME_DEFAULT))
    {
      webkit_authentication_request_cancel (request);
      return TRUE;
    }
  /* The same password already opened the study through Orthanc's REST
   * API before the page was loaded, so a request to answer again is not a
   * refusal by itself: WebKit asks once per request that met the
   * challenge before the session kept the credential, and a cancelled
   * load's requests may ask as retries. Only a run of retries in one load
   * means Orthanc changed its mind; the page's own 401 says so too. */
  if ((webkit_authentication_request_is_retry (request) && self->auth_retries++ >= MAX_AUTH_RETRIES) ||
      self->access == NULL || self->access->username == NULL || self->access->password == NULL)
    {
      self->auth_refused = TRUE;
      webkit_authentication_request_cancel (request);
      return TRUE;
    }

  credential = webkit_credential_new (self->access->username, self->access->password,
                                      WEBKIT_CREDENTIAL_PERSISTENCE_FOR_SESSION);
  webkit_authentication_request_authenticate (request, credential);
  return TRUE;
}

static void
use_viewer_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  RwViewerPane *self = RW_VIEWER_PANE (widget);
  const char *nick = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (viewer_plugins); i++)
    if (g_str_equal (nick, viewer_plugins[i].nick))
      {
        /* A choice: it becomes the preference, for every exam. */
        rw_reading_context_set_viewer_kind (self->context, viewer_plugins[i].kind);
        rw_viewer_pane_reload (self);
        return;
      }
}

static void
on_plugins (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RwViewerPane) self = user_data;
  g_auto(GStrv) plugins = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) others = g_string_new (NULL);
  g_autofree char *where = pacs_label (self);
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;
  gboolean chosen = FALSE;
  int first = -1;

  plugins = rw_orthanc_client_list_plugins_finish (RW_ORTHANC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  for (guint i = 0; plugins != NULL && i < G_N_ELEMENTS (viewer_plugins); i++)
    if (viewer_plugins[i].kind != self->kind &&
        g_strv_contains ((const char * const *) plugins, viewer_plugins[i].plugin))
      {
        if (first < 0)
          first = (int) i;
        if (others->len > 0)
          g_string_append (others, ", ");
        g_string_append (others, rw_viewer_kind_to_label (viewer_plugins[i].kind));
      }

  rw_reading_context_get_viewer_kind (self->context, &chosen);
  /* The default viewer is missing but the PACS has another one: show the
   * images with that one and say so, rather than an error. */
  if (!chosen && !self->replaced && first >= 0)
    {
      self->replaced = TRUE;
      self->kind = viewer_plugins[first].kind;
      start (self);
      return;
    }

  /* Translators: "The Stone Web Viewer is not installed on this PACS". */
  title = g_strdup_printf (_("The %s is not installed on this PACS"), rw_viewer_kind_to_label (self->kind));
  if (others->len > 0)
    /* Translators: the first %s is a viewer, then the PACS's address, then
     * the viewers it has. */
    message = g_strdup_printf (_("The Orthanc at %2$s has no %1$s, but it has: %3$s. Use one of them below, or choose another viewer in Preferences."),
                               rw_viewer_kind_to_label (self->kind), where, others->str);
  else
    message = g_strdup_printf (_("The Orthanc at %2$s has no %1$s. Ask whoever runs the PACS to install it, or choose another viewer in Preferences."),
                               rw_viewer_kind_to_label (self->kind), where);
  fail (self, RW_VIEWER_PROBLEM_VIEWER_MISSING, title, message);
  for (guint i = 0; plugins != NULL && i < G_N_ELEMENTS (viewer_plugins); i++)
    if (viewer_plugins[i].kind != self->kind &&
        g_strv_contains ((const char * const *) plugins, viewer_plugins[i].plugin))
      {
        /* Translators: a button, "Use the Orthanc Web Viewer". */
        g_autofree char *label = g_strdup_printf (_("Use the %s"), rw_viewer_kind_to_label (viewer_plugins[i].kind));

        add_button (self, label, "viewer.use-viewer", g_variant_new_string (viewer_plugins[i].nick), TRUE);
      }
  add_button (self, _("_Preferences"), "app.preferences", NULL, FALSE);
}

/* The policy decision has stopped the 404 page; Orthanc is asked which
 * viewers it has before anything is said. */
static void
viewer_missing (RwViewerPane *self)
{
  set_state (self, RW_VIEWER_PANE_PREPARING);
  rw_orthanc_client_list_plugins_async (self->access->client, self->cancellable, on_plugins, g_object_ref (self));
}

static gboolean
on_decide_policy (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  RwViewerPane             *self)
{
  switch (type)
    {
    case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
      {
        WebKitNavigationAction *action =
          webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
        const char *uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));

        if (is_on_pacs (self, uri))
          webkit_policy_decision_use (decision);
        else
          {
            /* A link out of the PACS (a plugin's web site, say) must not
             * carry the session, nor replace the images. */
            g_debug ("Viewer: not following a link out of the PACS");
            webkit_policy_decision_ignore (decision);
          }
        return TRUE;
      }
    case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION:
      webkit_policy_decision_ignore (decision);
      return TRUE;
    case WEBKIT_POLICY_DECISION_TYPE_RESPONSE:
      {
        WebKitResponsePolicyDecision *response_decision = WEBKIT_RESPONSE_POLICY_DECISION (decision);
        WebKitURIResponse *response;
        guint status;

        if (!webkit_response_policy_decision_is_main_frame_main_resource (response_decision) ||
            self->state != RW_VIEWER_PANE_LOADING || !self->load_started)
          return FALSE;
        /* The answer to a load that another replaced (its authentication
         * cut short reads as a 401) is not this page's. */
        response = webkit_response_policy_decision_get_response (response_decision);
        if (g_strcmp0 (webkit_uri_response_get_uri (response), self->page_uri) != 0)
          return FALSE;
        status = webkit_uri_response_get_status_code (response);
        if (status == 401 || status == 403)
          {
            webkit_policy_decision_ignore (decision);
            page_refused (self);
            return TRUE;
          }
        if (status == 404)
          {
            webkit_policy_decision_ignore (decision);
            viewer_missing (self);
            return TRUE;
          }
        if (status >= 400)
          {
            g_autofree char *where = pacs_label (self);
            g_autofree char *message = g_strdup_printf (_("The Orthanc at %s answered the viewer's page with an error (HTTP %u)."),
                                                        where, status);

            webkit_policy_decision_ignore (decision);
            fail (self, RW_VIEWER_PROBLEM_OTHER, _("The images cannot be shown"), message);
            return TRUE;
          }
        return FALSE;
      }
    default:
      return FALSE;
    }
}

static gboolean
on_load_failed (WebKitWebView   *web_view,
                WebKitLoadEvent  event,
                const char      *failing_uri,
                GError          *error,
                RwViewerPane    *self)
{
  g_autofree char *where = NULL;
  g_autofree char *message = NULL;

  if (flush_pending (self))
    return TRUE;
  /* Stopped by us (a failure already shown, a policy decision), or the
   * end of a load that another one replaced. */
  if (self->state != RW_VIEWER_PANE_LOADING || !self->load_started ||
      g_strcmp0 (failing_uri, self->page_uri) != 0 ||
      g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED) ||
      g_error_matches (error, WEBKIT_POLICY_ERROR, WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE))
    return TRUE;
  if (self->auth_refused)
    {
      page_refused (self);
      return TRUE;
    }
  where = pacs_label (self);
  message = g_strdup_printf (_("Could not connect to the Orthanc at %s (%s). Check the network, or the address in Preferences."),
                             where, error->message);
  fail (self, RW_VIEWER_PROBLEM_UNREACHABLE, _("The PACS does not answer"), message);
  return TRUE;
}

static void
on_load_changed (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 RwViewerPane    *self)
{
  if (flush_pending (self) || self->state != RW_VIEWER_PANE_LOADING)
    return;
  kick_watchdog (self);
  /* The page asked for last: a late start of a replaced load has another
   * address. */
  if (event == WEBKIT_LOAD_STARTED && g_strcmp0 (webkit_web_view_get_uri (web_view), self->page_uri) == 0)
    self->load_started = TRUE;
  if (event != WEBKIT_LOAD_FINISHED || !self->load_started)
    return;
  if (self->auth_refused)
    {
      page_refused (self);
      return;
    }
  set_state (self, RW_VIEWER_PANE_READY);
}

static void
on_progress (RwViewerPane *self)
{
  kick_watchdog (self);
  gtk_progress_bar_set_fraction (self->progress, webkit_web_view_get_estimated_load_progress (self->web_view));
}

/* A browser's menu (open in a new window, inspect…) has no place over the
 * images, and viewers use the right button for their own tools. */
static gboolean
on_context_menu (WebKitWebView       *web_view,
                 WebKitContextMenu   *menu,
                 WebKitHitTestResult *hit,
                 RwViewerPane        *self)
{
  return TRUE;
}

/* A page that makes no progress for this long is loaded once more, then
 * reported: a reading room must not stare at a blank pane. */
#define WATCHDOG_SECONDS 15

static gboolean
on_watchdog (gpointer user_data)
{
  RwViewerPane *self = user_data;
  g_autofree char *where = NULL;
  g_autofree char *message = NULL;

  self->watchdog = 0;
  if (self->state != RW_VIEWER_PANE_LOADING || self->page_uri == NULL)
    return G_SOURCE_REMOVE;
  if (self->watchdog_retries++ == 0)
    {
      g_debug ("Viewer: no progress for %u s, loading the page again", WATCHDOG_SECONDS);
      self->awaiting_start = FALSE;
      g_clear_pointer (&self->pending_uri, g_free);
      begin_load (self, self->page_uri);
      return G_SOURCE_REMOVE;
    }
  where = pacs_label (self);
  message = g_strdup_printf (_("The viewer's page at %s did not finish loading. Try again; if it keeps happening, the PACS may be overloaded."),
                             where);
  fail (self, RW_VIEWER_PROBLEM_UNREACHABLE, _("The PACS does not answer"), message);
  return G_SOURCE_REMOVE;
}

static void
kick_watchdog (RwViewerPane *self)
{
  g_clear_handle_id (&self->watchdog, g_source_remove);
  if (self->state == RW_VIEWER_PANE_LOADING)
    self->watchdog = g_timeout_add_seconds (WATCHDOG_SECONDS, on_watchdog, self);
}

/* WebKit loses a load asked for before the previous one reported its
 * start (a prior opened while the exam's images were still coming): the
 * new page then waits for the first sign of the old one. */
static void
begin_load (RwViewerPane *self,
            const char   *uri)
{
  if (uri != self->page_uri)
    {
      g_free (self->page_uri);
      self->page_uri = g_strdup (uri);
    }
  self->auth_retries = 0;
  self->auth_refused = FALSE;
  self->load_started = FALSE;
  kick_watchdog (self);
  if (self->awaiting_start)
    {
      g_free (self->pending_uri);
      self->pending_uri = g_strdup (uri);
      return;
    }
  self->awaiting_start = TRUE;
  webkit_web_view_load_uri (self->web_view, uri);
}

/* The previous load said something: the page that waited goes now. */
static gboolean
flush_pending (RwViewerPane *self)
{
  g_autofree char *uri = g_steal_pointer (&self->pending_uri);

  self->awaiting_start = uri != NULL;
  if (uri == NULL)
    return FALSE;
  webkit_web_view_load_uri (self->web_view, uri);
  return TRUE;
}

static void
load_viewer (RwViewerPane *self,
             RwExam       *study)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template_ = rw_reading_context_dup_viewer_template (self->context);
  g_autofree char *url = NULL;

  url = rw_viewer_url_for_exam (self->kind, self->access->base_url, template_, study, &error);
  if (url == NULL)
    {
      fail_from_error (self, error);
      return;
    }
  if (self->replaced)
    {
      g_autofree char *note = NULL;
      gboolean chosen = FALSE;
      RwViewerKind preferred = rw_reading_context_get_viewer_kind (self->context, &chosen);

      /* Translators: "The Stone Web Viewer is not on this PACS: showing the
       * Orthanc Web Viewer." */
      note = g_strdup_printf (_("The %s is not on this PACS: showing the %s."),
                              rw_viewer_kind_to_label (preferred), rw_viewer_kind_to_label (self->kind));
      gtk_label_set_label (self->note_label, note);
      g_free (self->message);
      self->message = g_steal_pointer (&note);
    }
  gtk_revealer_set_reveal_child (self->note_revealer, self->replaced);
  set_state (self, RW_VIEWER_PANE_LOADING);
  self->watchdog_retries = 0;
  self->reloaded_after_refusal = FALSE;
  begin_load (self, url);
}

static void
on_study (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RwViewerPane) self = user_data;
  g_autoptr(RwExam) study = NULL;
  g_autoptr(GError) error = NULL;

  study = rw_orthanc_client_get_study_finish (RW_ORTHANC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (study == NULL)
    {
      fail_from_error (self, error);
      return;
    }
  load_viewer (self, study);
}

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RwViewerPane) self = user_data;
  g_autofree char *study_id = NULL;
  g_autoptr(GError) error = NULL;

  study_id = rw_orthanc_client_lookup_study_finish (RW_ORTHANC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (study_id == NULL)
    {
      fail_from_error (self, error);
      return;
    }
  rw_orthanc_client_get_study_async (self->access->client, study_id, self->cancellable,
                                     on_study, g_object_ref (self));
}

static void
on_access (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RwViewerPane) self = user_data;
  g_autoptr(GError) error = NULL;
  RwOrthancAccess *access;

  access = rw_reading_context_get_orthanc_finish (RW_READING_CONTEXT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (access == NULL)
    {
      fail_from_error (self, error);
      return;
    }
  g_clear_pointer (&self->access, rw_orthanc_access_free);
  self->access = access;
  g_clear_pointer (&self->pacs, g_uri_unref);
  self->pacs = g_uri_parse (access->base_url, G_URI_FLAGS_NONE, NULL);

  /* The study as Orthanc has it: its series (which the Orthanc Web Viewer
   * and templates need), and on the way a clear word when the PACS is
   * down or refuses the password, before any page is loaded. */
  if (rw_exam_get_orthanc_id (self->exam)[0] != '\0')
    rw_orthanc_client_get_study_async (access->client, rw_exam_get_orthanc_id (self->exam),
                                       self->cancellable, on_study, g_object_ref (self));
  else
    rw_orthanc_client_lookup_study_async (access->client, rw_exam_get_study_uid (self->exam),
                                          self->cancellable, on_lookup, g_object_ref (self));
}

static void
start (RwViewerPane *self)
{
  g_autofree char *label = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->problem = RW_VIEWER_PROBLEM_NONE;
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->message, g_free);
  gtk_revealer_set_reveal_child (self->note_revealer, FALSE);
  if (self->exam == NULL)
    {
      set_state (self, RW_VIEWER_PANE_EMPTY);
      return;
    }

  /* Translators: "Opening the images in the Stone Web Viewer…" */
  label = g_strdup_printf (_("Opening the images in the %s…"), rw_viewer_kind_to_label (self->kind));
  gtk_label_set_label (self->preparing_label, label);
  set_state (self, RW_VIEWER_PANE_PREPARING);
  rw_reading_context_get_orthanc_async (self->context, self->exam, self->cancellable,
                                        on_access, g_object_ref (self));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  rw_viewer_pane_reload (RW_VIEWER_PANE (widget));
}

static void
rw_viewer_pane_dispose (GObject *object)
{
  RwViewerPane *self = (RwViewerPane *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watchdog, g_source_remove);
  if (self->web_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->web_view, self);
      webkit_web_view_stop_loading (self->web_view);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), RW_TYPE_VIEWER_PANE);
  self->web_view = NULL;
  g_clear_object (&self->context);
  g_clear_object (&self->exam);

  G_OBJECT_CLASS (rw_viewer_pane_parent_class)->dispose (object);
}

static void
rw_viewer_pane_finalize (GObject *object)
{
  RwViewerPane *self = (RwViewerPane *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->access, rw_orthanc_access_free);
  g_clear_pointer (&self->pacs, g_uri_unref);
  g_free (self->title);
  g_free (self->message);
  g_free (self->pending_uri);
  g_free (self->page_uri);

  G_OBJECT_CLASS (rw_viewer_pane_parent_class)->finalize (object);
}

static void
rw_viewer_pane_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RwViewerPane *self = RW_VIEWER_PANE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_viewer_pane_class_init (RwViewerPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rw_viewer_pane_dispose;
  object_class->finalize = rw_viewer_pane_finalize;
  object_class->get_property = rw_viewer_pane_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, RW_VIEWER_PANE_EMPTY, RW_VIEWER_PANE_FAILED, RW_VIEWER_PANE_EMPTY,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/br/com/radiweb/Laudos/rw-viewer-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, RwViewerPane, stack);
  gtk_widget_class_bind_template_child (widget_class, RwViewerPane, preparing_label);
  gtk_widget_class_bind_template_child (widget_class, RwViewerPane, web_overlay);
  gtk_widget_class_bind_template_child (widget_class, RwViewerPane, progress);
  gtk_widget_class_bind_template_child (widget_class, RwViewerPane, note_revealer);
  gtk_widget_class_bind_template_child (widget_class, RwViewerPane, note_label);
  gtk_widget_class_bind_template_child (widget_class, RwViewerPane, error_page);
  gtk_widget_class_bind_template_child (widget_class, RwViewerPane, alternatives_box);

  gtk_widget_class_install_action (widget_class, "viewer.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "viewer.use-viewer", "s", use_viewer_action);
}

static void
rw_viewer_pane_init (RwViewerPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

RwViewerPane *
rw_viewer_pane_new (RwReadingContext *context)
{
  RwViewerPane *self;
  WebKitSettings *settings;

  g_return_val_if_fail (RW_IS_READING_CONTEXT (context), NULL);

  self = g_object_new (RW_TYPE_VIEWER_PANE, NULL);
  self->context = g_object_ref (context);
  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "web-context", rw_reading_context_get_web_context (context),
                                 "network-session", rw_reading_context_get_network_session (context),
                                 "hexpand", TRUE,
                                 "vexpand", TRUE,
                                 NULL);
  settings = webkit_web_view_get_settings (self->web_view);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (settings, FALSE);
  g_signal_connect (self->web_view, "authenticate", G_CALLBACK (on_authenticate), self);
  g_signal_connect (self->web_view, "decide-policy", G_CALLBACK (on_decide_policy), self);
  g_signal_connect (self->web_view, "load-failed", G_CALLBACK (on_load_failed), self);
  g_signal_connect (self->web_view, "load-changed", G_CALLBACK (on_load_changed), self);
  g_signal_connect (self->web_view, "context-menu", G_CALLBACK (on_context_menu), self);
  g_signal_connect_swapped (self->web_view, "notify::estimated-load-progress", G_CALLBACK (on_progress), self);
  gtk_overlay_set_child (self->web_overlay, GTK_WIDGET (self->web_view));
  return self;
}

void
rw_viewer_pane_load (RwViewerPane *self,
                     RwExam       *exam)
{
  g_return_if_fail (RW_IS_VIEWER_PANE (self));
  g_return_if_fail (exam == NULL || RW_IS_EXAM (exam));

  g_set_object (&self->exam, exam);
  g_clear_pointer (&self->access, rw_orthanc_access_free);
  rw_viewer_pane_reload (self);
}

void
rw_viewer_pane_reload (RwViewerPane *self)
{
  g_return_if_fail (RW_IS_VIEWER_PANE (self));

  self->kind = rw_reading_context_get_viewer_kind (self->context, NULL);
  self->replaced = FALSE;
  start (self);
}

RwExam *
rw_viewer_pane_get_exam (RwViewerPane *self)
{
  g_return_val_if_fail (RW_IS_VIEWER_PANE (self), NULL);
  return self->exam;
}

RwViewerPaneState
rw_viewer_pane_get_state (RwViewerPane *self)
{
  g_return_val_if_fail (RW_IS_VIEWER_PANE (self), RW_VIEWER_PANE_EMPTY);
  return self->state;
}

RwViewerProblem
rw_viewer_pane_get_problem (RwViewerPane *self)
{
  g_return_val_if_fail (RW_IS_VIEWER_PANE (self), RW_VIEWER_PROBLEM_NONE);
  return self->problem;
}

const char *
rw_viewer_pane_get_title (RwViewerPane *self)
{
  g_return_val_if_fail (RW_IS_VIEWER_PANE (self), NULL);
  return self->title;
}

const char *
rw_viewer_pane_get_message (RwViewerPane *self)
{
  g_return_val_if_fail (RW_IS_VIEWER_PANE (self), NULL);
  return self->message;
}

RwViewerKind
rw_viewer_pane_get_kind (RwViewerPane *self)
{
  g_return_val_if_fail (RW_IS_VIEWER_PANE (self), RW_VIEWER_STONE);
  return self->kind;
}

WebKitWebView *
rw_viewer_pane_get_web_view (RwViewerPane *self)
{
  g_return_val_if_fail (RW_IS_VIEWER_PANE (self), NULL);
  return self->web_view;
}
