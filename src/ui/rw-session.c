/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-api-events.h"
#include "rw-api-reports.h"
#include "rw-keyring.h"
#include "rw-session-private.h"

/* Pages of GET /api/exams during a sync; the server's maximum. */
#define SYNC_PAGE_SIZE 1000
/* Above this many changes in one page the list is refiltered as a whole
 * instead of row by row. */
#define UPSERT_ONE_BY_ONE_MAX 64


G_DEFINE_FINAL_TYPE (RwSession, rw_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_ONLINE,
  PROP_BUSY,
  PROP_SERVER_URL,
  PROP_USERNAME,
  PROP_DISPLAY_NAME,
  N_PROPS
};

enum {
  EXAM_CREATED,
  EXPIRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_sync (RwSession *self);

static void
set_online (RwSession *self,
            gboolean   online)
{
  if (self->online == !!online)
    return;
  self->online = !!online;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
}

static void
set_syncing (RwSession *self,
             gboolean   syncing)
{
  if (self->syncing == !!syncing)
    return;
  self->syncing = !!syncing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_string (RwSession   *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
rw_session_set_state (RwSession      *self,
                      RwSessionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The cache only speeds up the next start; the list on screen is right
   * whether or not it was written. */
  if (!rw_local_store_save_finish (RW_LOCAL_STORE (source), result, &error))
    g_warning ("Could not update the worklist cache: %s", error->message);
}

static void
remember (RwSession *self,
          GPtrArray *exams)
{
  for (guint i = 0; i < exams->len; i++)
    self->high_water_mark = MAX (self->high_water_mark,
                                 rw_exam_get_updated_at (g_ptr_array_index (exams, i)));
  rw_local_store_save_async (self->store, self->server_url, exams, NULL, on_saved, NULL);
}

/* Stops the event stream and whatever request is under way; the token,
 * the worklist and the cache stay. */
void
rw_session_stop_live (RwSession *self)
{
  if (self->events != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->events, self);
      rw_api_events_stop (self->events);
      g_clear_object (&self->events);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_syncing (self, FALSE);
  self->sync_again = FALSE;
  set_online (self, FALSE);
}

/* Drops the connection state of the signed-in user; the worklist and cache
 * stay as they are. */
void
rw_session_disconnect (RwSession *self)
{
  rw_session_stop_live (self);
  if (self->client != NULL)
    rw_api_client_set_token (self->client, NULL);
}

static void
on_token_cleared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rw_keyring_clear_finish (result, &error))
    g_warning ("Could not remove the session from the keyring: %s", error->message);
}

/* The server refused the token: it was revoked or it expired. The stale
 * token leaves the keyring so the next start asks for the password too. */
static void
expire (RwSession *self)
{
  if (self->state != RW_SESSION_SIGNED_IN)
    return;

  g_debug ("The server refused the session token");
  rw_session_disconnect (self);
  rw_keyring_clear_async (RW_KEYRING_TOKEN, self->server_url, self->username,
                          NULL, on_token_cleared, NULL);
  rw_session_set_state (self, RW_SESSION_SIGNED_OUT);
  g_signal_emit (self, signals[EXPIRED], 0);
}

static void
apply_exams (RwSession *self,
             GPtrArray *exams)
{
  if (exams->len == 0)
    return;

  if (rw_worklist_model_get_n_total (self->worklist) == 0)
    {
      rw_worklist_model_set_exams (self->worklist, exams);
    }
  else if (exams->len <= UPSERT_ONE_BY_ONE_MAX)
    {
      for (guint i = 0; i < exams->len; i++)
        rw_worklist_model_upsert (self->worklist, g_ptr_array_index (exams, i));
    }
  else
    {
      rw_worklist_model_upsert_many (self->worklist, exams);
    }
  remember (self, exams);
}

typedef struct {
  RwSession *self;
  gint64     since;
} SyncData;

static void fetch_page (RwSession  *self,
                        gint64      since,
                        const char *cursor);

static void
on_page (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyncData *data = user_data;
  RwSession *self = data->self;
  gint64 since = data->since;
  g_autoptr(GPtrArray) exams = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;

  g_free (data);
  exams = rw_api_client_list_exams_finish (RW_API_CLIENT (source), result, &next_cursor, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }

  if (exams == NULL)
    {
      set_syncing (self, FALSE);
      if (g_error_matches (error, RW_API_ERROR, RW_API_ERROR_UNAUTHORIZED))
        expire (self);
      else if (g_error_matches (error, RW_API_ERROR, RW_API_ERROR_UNREACHABLE) ||
               g_error_matches (error, RW_API_ERROR, RW_API_ERROR_TLS))
        {
          /* An outage, not a fault: the banner says so, and the event
           * stream's reconnection brings the next sync. */
          g_debug ("Could not bring the worklist up to date: %s", error->message);
          set_online (self, FALSE);
        }
      else
        g_warning ("Could not bring the worklist up to date: %s", error->message);
      g_object_unref (self);
      return;
    }

  apply_exams (self, exams);

  if (next_cursor != NULL)
    {
      fetch_page (self, since, next_cursor);
    }
  else
    {
      set_syncing (self, FALSE);
      if (self->sync_again)
        {
          self->sync_again = FALSE;
          start_sync (self);
        }
    }
  g_object_unref (self);
}

static void
fetch_page (RwSession  *self,
            gint64      since,
            const char *cursor)
{
  g_autoptr(GDateTime) since_time = NULL;
  g_autofree char *since_iso = NULL;
  RwApiExamQuery query = { 0, };
  SyncData *data;

  if (since > 0)
    {
      since_time = g_date_time_new_from_unix_utc (since);
      since_iso = g_date_time_format (since_time, "%Y-%m-%dT%H:%M:%SZ");
    }
  query.updated_since = since_iso;
  query.cursor = cursor;
  query.limit = SYNC_PAGE_SIZE;

  data = g_new0 (SyncData, 1);
  data->self = g_object_ref (self);
  data->since = since;
  rw_api_client_list_exams_async (self->client, &query, self->cancellable, on_page, data);
}

/* Brings the worklist up to date: everything on the first sync of a
 * server, afterwards what changed since the newest update seen
 * (updated_since is inclusive on our side: a repeated exam is an update in
 * place, never a duplicate). */
static void
start_sync (RwSession *self)
{
  if (self->state != RW_SESSION_SIGNED_IN)
    return;
  if (self->syncing)
    {
      self->sync_again = TRUE;
      return;
    }
  set_syncing (self, TRUE);
  fetch_page (self, self->high_water_mark, NULL);
}

static void
on_event (RwApiEvents *events,
          const char  *event,
          gint64       exam_id,
          JsonObject  *exam_json,
          RwSession   *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwExam) exam = NULL;
  g_autoptr(GPtrArray) one = NULL;
  gboolean is_new;

  if (exam_json == NULL)
    {
      start_sync (self);
      return;
    }

  exam = rw_exam_new_from_api (exam_json, &error);
  if (exam == NULL)
    {
      g_warning ("Ignoring the exam of a “%s” event: %s", event, error->message);
      start_sync (self);
      return;
    }

  is_new = rw_worklist_model_upsert (self->worklist, exam);
  one = g_ptr_array_new ();
  g_ptr_array_add (one, exam);
  remember (self, one);

  if (is_new && g_strcmp0 (event, "exam_created") == 0)
    g_signal_emit (self, signals[EXAM_CREATED], 0,
                   rw_worklist_model_lookup (self->worklist, rw_exam_get_id (exam)));
}

static void
on_me (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(RwSession) self = user_data;
  g_autoptr(RwUser) user = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  user = rw_api_client_get_me_finish (RW_API_CLIENT (source), result, &error);
  if (user == NULL)
    {
      /* The user name stands in until the next connection asks again; a
       * token the server no longer knows is the event stream's to report. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not learn the signed-in user's name: %s", error->message);
      return;
    }
  name = rw_user_get_display_name (user);
  if (self->display_name == NULL && name != NULL && name[0] != '\0' &&
      g_strcmp0 (rw_user_get_username (user), self->username) == 0)
    rw_session_set_display_name (self, name);
}

/* A silent sign-in has the token and the user name, not the name the user
 * goes by: GET /api/auth/me tells, once the server answers. Cancelled with
 * the rest when the session stops. */
static void
learn_display_name (RwSession *self)
{
  if (self->display_name != NULL)
    return;
  rw_api_client_get_me_async (self->client, self->cancellable, on_me, g_object_ref (self));
}

static void
on_events_connected (RwApiEvents *events,
                     GParamSpec  *pspec,
                     RwSession   *self)
{
  gboolean connected = rw_api_events_get_connected (events);

  set_online (self, connected);
  /* Whatever happened while the stream was down is fetched now. */
  if (connected)
    {
      learn_display_name (self);
      start_sync (self);
    }
}

static void
on_events_unauthorized (RwApiEvents *events,
                        RwSession   *self)
{
  expire (self);
}

void
rw_session_go_live (RwSession *self)
{
  g_assert (self->events == NULL);

  self->events = rw_api_events_new (self->client);
  g_signal_connect (self->events, "event", G_CALLBACK (on_event), self);
  g_signal_connect (self->events, "notify::connected", G_CALLBACK (on_events_connected), self);
  g_signal_connect (self->events, "unauthorized", G_CALLBACK (on_events_unauthorized), self);
  rw_api_events_start (self->events);
  start_sync (self);
}

void
rw_session_use_server (RwSession  *self,
                       const char *server_url,
                       const char *username)
{
  if (self->client == NULL || g_strcmp0 (self->server_url, server_url) != 0)
    {
      g_clear_object (&self->client);
      self->client = rw_api_client_new (server_url);
    }
  set_string (self, &self->server_url, server_url, PROP_SERVER_URL);
  set_string (self, &self->username, username, PROP_USERNAME);
}

void
rw_session_set_display_name (RwSession  *self,
                             const char *display_name)
{
  set_string (self, &self->display_name, display_name, PROP_DISPLAY_NAME);
}

static void
rw_session_dispose (GObject *object)
{
  RwSession *self = (RwSession *)object;

  if (self->cancellable != NULL)
    rw_session_disconnect (self);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rw_session_parent_class)->dispose (object);
}

static void
rw_session_finalize (GObject *object)
{
  RwSession *self = (RwSession *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->worklist);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_free (self->server_url);
  g_free (self->username);
  g_free (self->display_name);

  G_OBJECT_CLASS (rw_session_parent_class)->finalize (object);
}

static void
rw_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RwSession *self = RW_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->syncing);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, rw_session_get_display_name (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rw_session_class_init (RwSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rw_session_dispose;
  object_class->finalize = rw_session_finalize;
  object_class->get_property = rw_session_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, RW_SESSION_SIGNED_OUT, RW_SESSION_SIGNED_IN,
                      RW_SESSION_SIGNED_OUT,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The server answers (the event stream is up). */
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* A sync with the server is under way. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A study arrived while the window was open (not one found by a
   * catch-up): the application tells the radiologist. */
  signals[EXAM_CREATED] =
    g_signal_new ("exam-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, RW_TYPE_EXAM);

  /* The server refused the token; the session is signed out. */
  signals[EXPIRED] =
    g_signal_new ("expired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rw_session_init (RwSession *self)
{
  self->worklist = rw_worklist_model_new ();
  self->cancellable = g_cancellable_new ();
}

RwSession *
rw_session_new (GSettings  *settings,
                const char *store_path)
{
  RwSession *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (store_path != NULL, NULL);

  self = g_object_new (RW_TYPE_SESSION, NULL);
  self->settings = g_object_ref (settings);
  self->store = rw_local_store_new (store_path);
  return self;
}

RwSessionState
rw_session_get_state (RwSession *self)
{
  g_return_val_if_fail (RW_IS_SESSION (self), RW_SESSION_SIGNED_OUT);
  return self->state;
}

gboolean
rw_session_get_online (RwSession *self)
{
  g_return_val_if_fail (RW_IS_SESSION (self), FALSE);
  return self->online;
}

gboolean
rw_session_get_busy (RwSession *self)
{
  g_return_val_if_fail (RW_IS_SESSION (self), FALSE);
  return self->syncing;
}

const char *
rw_session_get_server_url (RwSession *self)
{
  g_return_val_if_fail (RW_IS_SESSION (self), NULL);
  return self->server_url;
}

const char *
rw_session_get_username (RwSession *self)
{
  g_return_val_if_fail (RW_IS_SESSION (self), NULL);
  return self->username;
}

/* The name the server knows the user by; the user name until it is known
 * (a silent sign-in does not ask the server who the token belongs to). */
const char *
rw_session_get_display_name (RwSession *self)
{
  g_return_val_if_fail (RW_IS_SESSION (self), NULL);
  return self->display_name != NULL ? self->display_name : self->username;
}

RwWorklistModel *
rw_session_get_worklist (RwSession *self)
{
  g_return_val_if_fail (RW_IS_SESSION (self), NULL);
  return self->worklist;
}

RwApiClient *
rw_session_get_client (RwSession *self)
{
  g_return_val_if_fail (RW_IS_SESSION (self), NULL);
  return self->client;
}

GSettings *
rw_session_get_settings (RwSession *self)
{
  g_return_val_if_fail (RW_IS_SESSION (self), NULL);
  return self->settings;
}

void
rw_session_refresh (RwSession *self)
{
  g_return_if_fail (RW_IS_SESSION (self));

  if (self->state != RW_SESSION_SIGNED_IN)
    return;
  if (self->events != NULL && !rw_api_events_get_connected (self->events))
    {
      rw_api_events_stop (self->events);
      rw_api_events_start (self->events);
    }
  start_sync (self);
}
