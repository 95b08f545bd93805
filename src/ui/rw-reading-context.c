/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rw-api-reports.h"
#include "rw-keyring.h"
#include "rw-reading-context.h"

struct _RwReadingContext
{
  GObject               parent_instance;

  /* Owned references */
  RwSession            *session;
  RwReportStore        *store;
  RwOutbox             *outbox;
  WebKitWebContext     *web_context;
  WebKitNetworkSession *network_session;
  GPtrArray            *phrases;
  RwUser               *user;
  GCancellable         *cancellable;

  char                 *server;
  char                 *username;
  /* After the application's shutdown nothing goes to the server. */
  gboolean              shut_down;
};

G_DEFINE_FINAL_TYPE (RwReadingContext, rw_reading_context, G_TYPE_OBJECT)

enum {
  PHRASES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
rw_orthanc_access_free (RwOrthancAccess *access)
{
  if (access == NULL)
    return;
  g_free (access->base_url);
  g_free (access->username);
  rw_keyring_free_secret (access->password);
  g_clear_object (&access->client);
  g_free (access);
}

const char *
rw_viewer_kind_to_label (RwViewerKind kind)
{
  switch (kind)
    {
    case RW_VIEWER_STONE:
      return _("Stone Web Viewer");
    case RW_VIEWER_OHIF:
      return _("OHIF Viewer");
    case RW_VIEWER_ORTHANC_WEB_VIEWER:
      return _("Orthanc Web Viewer");
    case RW_VIEWER_CUSTOM:
      return _("custom viewer");
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
on_phrases (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RwReadingContext) self = user_data;
  g_autoptr(GPtrArray) phrases = NULL;
  g_autoptr(GError) error = NULL;

  phrases = rw_api_client_list_phrases_finish (RW_API_CLIENT (source), result, &error);
  if (phrases == NULL)
    {
      /* The bank is a help, not a need: the form works without it. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not load the phrase bank: %s", error->message);
      return;
    }
  g_ptr_array_unref (self->phrases);
  self->phrases = g_steal_pointer (&phrases);
  g_signal_emit (self, signals[PHRASES_CHANGED], 0);
}

/* The session's client is only used while signed in: after a sign-out it
 * may belong to nobody. */
static RwApiClient *
signed_in_client (RwReadingContext *self)
{
  if (self->shut_down || rw_session_get_state (self->session) != RW_SESSION_SIGNED_IN)
    return NULL;
  return rw_session_get_client (self->session);
}

static void
follow_session (RwReadingContext *self)
{
  RwApiClient *client = signed_in_client (self);
  const char *server = rw_session_get_server_url (self->session);
  const char *username = rw_session_get_username (self->session);

  if (client != NULL && g_strcmp0 (server, self->server) == 0 && g_strcmp0 (username, self->username) == 0)
    {
      /* The same user again (a new token after an expiry). */
      rw_outbox_set_client (self->outbox, client, server, username);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->user);
  g_ptr_array_set_size (self->phrases, 0);
  g_free (self->server);
  g_free (self->username);
  self->server = client != NULL ? g_strdup (server) : NULL;
  self->username = client != NULL ? g_strdup (username) : NULL;
  rw_outbox_set_client (self->outbox, client, server, username);
  g_signal_emit (self, signals[PHRASES_CHANGED], 0);
  if (client != NULL)
    rw_reading_context_reload_phrases (self);
}

static void
on_online (RwReadingContext *self)
{
  /* The server is back: what waits in the outbox goes now rather than at
   * the end of its pause. */
  if (rw_session_get_online (self->session))
    rw_outbox_retry_now (self->outbox);
}

static void
rw_reading_context_dispose (GObject *object)
{
  RwReadingContext *self = (RwReadingContext *)object;

  rw_reading_context_shutdown (self);

  G_OBJECT_CLASS (rw_reading_context_parent_class)->dispose (object);
}

static void
rw_reading_context_finalize (GObject *object)
{
  RwReadingContext *self = (RwReadingContext *)object;

  g_clear_object (&self->outbox);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_object (&self->network_session);
  g_clear_object (&self->web_context);
  g_clear_pointer (&self->phrases, g_ptr_array_unref);
  g_clear_object (&self->user);
  g_clear_object (&self->cancellable);
  g_free (self->server);
  g_free (self->username);

  G_OBJECT_CLASS (rw_reading_context_parent_class)->finalize (object);
}

static void
rw_reading_context_class_init (RwReadingContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rw_reading_context_dispose;
  object_class->finalize = rw_reading_context_finalize;

  signals[PHRASES_CHANGED] =
    g_signal_new ("phrases-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rw_reading_context_init (RwReadingContext *self)
{
  self->phrases = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

RwReadingContext *
rw_reading_context_new (RwSession  *session,
                        const char *store_path)
{
  RwReadingContext *self;

  g_return_val_if_fail (RW_IS_SESSION (session), NULL);
  g_return_val_if_fail (store_path != NULL, NULL);

  self = g_object_new (RW_TYPE_READING_CONTEXT, NULL);
  self->session = g_object_ref (session);
  self->store = rw_report_store_new (store_path);
  self->outbox = rw_outbox_new (self->store);

  g_signal_connect_object (session, "notify::state", G_CALLBACK (follow_session), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::online", G_CALLBACK (on_online), self, G_CONNECT_SWAPPED);
  follow_session (self);
  return self;
}

void
rw_reading_context_shutdown (RwReadingContext *self)
{
  g_return_if_fail (RW_IS_READING_CONTEXT (self));

  if (self->shut_down)
    return;
  self->shut_down = TRUE;
  g_cancellable_cancel (self->cancellable);
  rw_outbox_set_client (self->outbox, NULL, NULL, NULL);
  g_signal_handlers_disconnect_by_data (self->session, self);
}

RwSession *
rw_reading_context_get_session (RwReadingContext *self)
{
  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);
  return self->session;
}

RwReportStore *
rw_reading_context_get_store (RwReadingContext *self)
{
  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);
  return self->store;
}

RwOutbox *
rw_reading_context_get_outbox (RwReadingContext *self)
{
  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);
  return self->outbox;
}

WebKitWebContext *
rw_reading_context_get_web_context (RwReadingContext *self)
{
  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);
  /* Made for the first viewer, not with the context: WebKit then starts
   * its processes, CPU the app's start needs for the worklist. */
  if (self->web_context == NULL)
    self->web_context = webkit_web_context_new ();
  return self->web_context;
}

WebKitNetworkSession *
rw_reading_context_get_network_session (RwReadingContext *self)
{
  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);
  /* Ephemeral: images, cookies and the viewer's cache stay in memory.
   * Patient images on a shared workstation's disk would be data the LGPD
   * asks to account for, and the PACS is on the local network anyway. */
  if (self->network_session == NULL)
    self->network_session = webkit_network_session_new_ephemeral ();
  return self->network_session;
}

const char *
rw_reading_context_get_server (RwReadingContext *self)
{
  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);
  return self->server;
}

const char *
rw_reading_context_get_username (RwReadingContext *self)
{
  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);
  return self->username;
}

GPtrArray *
rw_reading_context_get_phrases (RwReadingContext *self)
{
  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);
  return self->phrases;
}

void
rw_reading_context_reload_phrases (RwReadingContext *self)
{
  RwApiClient *client;

  g_return_if_fail (RW_IS_READING_CONTEXT (self));

  client = signed_in_client (self);
  if (client != NULL)
    rw_api_client_list_phrases_async (client, self->cancellable, on_phrases, g_object_ref (self));
}

static void
on_phrase_created (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwReadingContext *self = g_task_get_source_object (task);
  g_autoptr(RwPhrase) phrase = NULL;
  g_autoptr(GError) error = NULL;

  phrase = rw_api_client_create_phrase_finish (RW_API_CLIENT (source), result, &error);
  if (phrase == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* At once, so the new abbreviation works before the reload is back. */
  g_ptr_array_add (self->phrases, g_steal_pointer (&phrase));
  g_signal_emit (self, signals[PHRASES_CHANGED], 0);
  rw_reading_context_reload_phrases (self);
  g_task_return_boolean (task, TRUE);
}

void
rw_reading_context_create_phrase_async (RwReadingContext    *self,
                                        RwReportSection      section,
                                        const char          *modality,
                                        const char          *label,
                                        const char          *text,
                                        const char          *abbreviation,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RwApiClient *client;

  g_return_if_fail (RW_IS_READING_CONTEXT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_reading_context_create_phrase_async);
  client = signed_in_client (self);
  if (client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("Sign in to add a phrase"));
      return;
    }
  rw_api_client_create_phrase_async (client, section, modality, label, text, abbreviation,
                                     cancellable, on_phrase_created, g_steal_pointer (&task));
}

gboolean
rw_reading_context_create_phrase_finish (RwReadingContext  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_me (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwReadingContext *self = g_task_get_source_object (task);
  g_autoptr(RwUser) user = NULL;
  g_autoptr(GError) error = NULL;

  user = rw_api_client_get_me_finish (RW_API_CLIENT (source), result, &error);
  if (user == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_set_object (&self->user, user);
  g_task_return_pointer (task, g_steal_pointer (&user), g_object_unref);
}

void
rw_reading_context_get_user_async (RwReadingContext    *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RwApiClient *client;

  g_return_if_fail (RW_IS_READING_CONTEXT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_reading_context_get_user_async);
  if (self->user != NULL)
    {
      g_task_return_pointer (task, g_object_ref (self->user), g_object_unref);
      return;
    }
  client = signed_in_client (self);
  if (client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("Sign in to sign the laudo"));
      return;
    }
  rw_api_client_get_me_async (client, cancellable, on_me, g_steal_pointer (&task));
}

RwUser *
rw_reading_context_get_user_finish (RwReadingContext  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The schema's nicks; the order of the preferences' list. */
static const struct {
  const char   *nick;
  RwViewerKind  kind;
} viewer_nicks[] = {
  { "orthanc-webviewer", RW_VIEWER_ORTHANC_WEB_VIEWER },
  { "stone", RW_VIEWER_STONE },
  { "ohif", RW_VIEWER_OHIF },
  { "custom", RW_VIEWER_CUSTOM },
};

RwViewerKind
rw_reading_context_get_viewer_kind (RwReadingContext *self,
                                    gboolean         *chosen)
{
  GSettings *settings;
  g_autoptr(GVariant) user_value = NULL;
  g_autofree char *nick = NULL;

  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), RW_VIEWER_STONE);

  settings = rw_session_get_settings (self->session);
  user_value = g_settings_get_user_value (settings, "viewer-kind");
  if (chosen != NULL)
    *chosen = user_value != NULL;
  nick = g_settings_get_string (settings, "viewer-kind");
  for (guint i = 0; i < G_N_ELEMENTS (viewer_nicks); i++)
    if (g_strcmp0 (nick, viewer_nicks[i].nick) == 0)
      return viewer_nicks[i].kind;
  return RW_VIEWER_STONE;
}

void
rw_reading_context_set_viewer_kind (RwReadingContext *self,
                                    RwViewerKind      kind)
{
  g_return_if_fail (RW_IS_READING_CONTEXT (self));

  for (guint i = 0; i < G_N_ELEMENTS (viewer_nicks); i++)
    if (viewer_nicks[i].kind == kind)
      g_settings_set_string (rw_session_get_settings (self->session), "viewer-kind", viewer_nicks[i].nick);
}

char *
rw_reading_context_dup_viewer_template (RwReadingContext *self)
{
  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);
  return g_settings_get_string (rw_session_get_settings (self->session), "viewer-template");
}

/* The PACS address inside the viewer address the server sent:
 * "https://pacs:8042/stone-webviewer/index.html?study=…" → "https://pacs:8042". */
static char *
base_from_viewer_url (const char *viewer_url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *prefix = NULL;
  const char *path;
  const char *marker;

  if (viewer_url == NULL || viewer_url[0] == '\0')
    return NULL;
  uri = g_uri_parse (viewer_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  path = g_uri_get_path (uri);
  marker = strstr (path, "/stone-webviewer/");
  prefix = marker != NULL ? g_strndup (path, (gsize) (marker - path)) : g_strdup ("");
  {
    g_autoptr(GUri) base = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                                        g_uri_get_host (uri), g_uri_get_port (uri), prefix, NULL, NULL);

    g_autofree char *text = g_uri_to_string (base);

    return rw_api_normalize_url (text, NULL);
  }
}

char *
rw_reading_context_dup_orthanc_url (RwReadingContext *self,
                                    RwExam           *exam)
{
  g_autofree char *url = NULL;

  g_return_val_if_fail (RW_IS_READING_CONTEXT (self), NULL);

  url = g_settings_get_string (rw_session_get_settings (self->session), "orthanc-url");
  if (url[0] != '\0')
    return g_steal_pointer (&url);
  if (exam == NULL)
    return NULL;
  return base_from_viewer_url (rw_exam_get_stone_viewer_url (exam));
}

/* The task's data, from which the access is stolen when it is complete. */
typedef struct {
  RwOrthancAccess *access;
} Pending;

static void
pending_free (Pending *pending)
{
  rw_orthanc_access_free (pending->access);
  g_free (pending);
}

static void
return_access (GTask *task)
{
  Pending *pending = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  RwOrthancAccess *access = pending->access;

  access->client = rw_orthanc_client_new (access->base_url, access->username, access->password, &error);
  if (access->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&pending->access), (GDestroyNotify) rw_orthanc_access_free);
}

static void
on_orthanc_password (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Pending *pending = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  pending->access->password = rw_keyring_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  return_access (task);
}

void
rw_reading_context_get_orthanc_async (RwReadingContext    *self,
                                      RwExam              *exam,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  RwOrthancAccess *access;
  Pending *pending;

  g_return_if_fail (RW_IS_READING_CONTEXT (self));
  g_return_if_fail (exam == NULL || RW_IS_EXAM (exam));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_reading_context_get_orthanc_async);

  access = g_new0 (RwOrthancAccess, 1);
  pending = g_new0 (Pending, 1);
  pending->access = access;
  g_task_set_task_data (task, pending, (GDestroyNotify) pending_free);
  access->base_url = rw_reading_context_dup_orthanc_url (self, exam);
  if (access->base_url == NULL)
    {
      g_task_return_new_error (task, RW_VIEWER_URL_ERROR, RW_VIEWER_URL_ERROR_INVALID_BASE,
                               _("The address of the PACS is not known: set it in Preferences"));
      return;
    }
  if (!rw_viewer_url_check_base (access->base_url, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  access->username = g_settings_get_string (rw_session_get_settings (self->session), "orthanc-username");
  if (access->username[0] == '\0')
    {
      /* No user configured: the PACS may not ask for one. */
      g_clear_pointer (&access->username, g_free);
      return_access (task);
      return;
    }
  rw_keyring_lookup_async (RW_KEYRING_ORTHANC_PASSWORD, access->base_url, access->username,
                           cancellable, on_orthanc_password, g_steal_pointer (&task));
}

RwOrthancAccess *
rw_reading_context_get_orthanc_finish (RwReadingContext  *self,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
