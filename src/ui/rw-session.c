/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "radiweb"

#include "config.h"

#include <glib/gi18n.h>

#include "rw-api-events.h"
#include "rw-keyring.h"
#include "rw-session.h"

/* Pages of GET /api/exams during a sync; the server's maximum. */
#define SYNC_PAGE_SIZE 1000
/* Above this many changes in one page the list is refiltered as a whole
 * instead of row by row. */
#define UPSERT_ONE_BY_ONE_MAX 64

struct _RwSession
{
  GObject          parent_instance;

  /* Owned references */
  GSettings       *settings;
  RwLocalStore    *store;
  RwWorklistModel *worklist;
  RwApiClient     *client;
  RwApiEvents     *events;
  GCancellable    *cancellable;

  char            *server_url;
  char            *username;
  char            *display_name;

  /* The newest updated_at seen, for updated_since. */
  gint64           high_water_mark;

  RwSessionState   state;
  guint            online : 1;
  guint            syncing : 1;
  guint            sync_again : 1;
};

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

static void
set_state (RwSession      *self,
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

/* Drops the connection state of the signed-in user; the worklist and cache
 * stay as they are. */
static void
disconnect (RwSession *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->events != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->events, self);
      rw_api_events_stop (self->events);
      g_clear_object (&self->events);
    }
  if (self->client != NULL)
    rw_api_client_set_token (self->client, NULL);
  set_syncing (self, FALSE);
  self->sync_again = FALSE;
  set_online (self, FALSE);
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
  disconnect (self);
  rw_keyring_clear_async (RW_KEYRING_TOKEN, self->server_url, self->username,
                          NULL, on_token_cleared, NULL);
  set_state (self, RW_SESSION_SIGNED_OUT);
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
on_events_connected (RwApiEvents *events,
                     GParamSpec  *pspec,
                     RwSession   *self)
{
  gboolean connected = rw_api_events_get_connected (events);

  set_online (self, connected);
  /* Whatever happened while the stream was down is fetched now. */
  if (connected)
    start_sync (self);
}

static void
on_events_unauthorized (RwApiEvents *events,
                        RwSession   *self)
{
  expire (self);
}

static void
go_live (RwSession *self)
{
  g_assert (self->events == NULL);

  self->events = rw_api_events_new (self->client);
  g_signal_connect (self->events, "event", G_CALLBACK (on_event), self);
  g_signal_connect (self->events, "notify::connected", G_CALLBACK (on_events_connected), self);
  g_signal_connect (self->events, "unauthorized", G_CALLBACK (on_events_unauthorized), self);
  rw_api_events_start (self->events);
  start_sync (self);
}

static void
rw_session_dispose (GObject *object)
{
  RwSession *self = (RwSession *)object;

  if (self->cancellable != NULL)
    disconnect (self);
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

static void
on_model_filled (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!rw_worklist_model_set_exams_finish (RW_WORKLIST_MODEL (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  set_state (self, RW_SESSION_SIGNED_IN);
  go_live (self);
  g_task_return_boolean (task, TRUE);
}

/* Shared by restore and sign-in: once a token is known, show the cached
 * list of this server, then go live. */
static void
show_cache (RwSession *self,
            GPtrArray *exams,
            gint64     mark,
            GTask     *task)
{
  self->high_water_mark = mark;
  rw_worklist_model_set_exams_async (self->worklist, exams, g_task_get_cancellable (task),
                                     on_model_filled, g_object_ref (task));
}

static GPtrArray *
load_cache_finish (RwSession     *self,
                   GAsyncResult  *result,
                   gint64        *mark)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *exams;

  exams = rw_local_store_load_finish (self->store, result, mark, &error);
  if (exams == NULL)
    {
      /* Without a cache the list simply comes from the server. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the worklist cache: %s", error->message);
      *mark = 0;
      exams = g_ptr_array_new ();
    }
  return exams;
}

static void
on_cache_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwSession *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) exams = NULL;
  gint64 mark = 0;

  exams = load_cache_finish (self, result, &mark);
  if (g_task_return_error_if_cancelled (task))
    return;
  show_cache (self, exams, mark, task);
}

static void
use_server (RwSession  *self,
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

/* A silent sign-in reads the keyring and the cache at the same time; the
 * cache is shown only if a token turns up. */
typedef struct {
  guint      pending;
  char      *token;
  GError    *error;
  GPtrArray *exams;
  gint64     mark;
} Restore;

static void
restore_free (Restore *r)
{
  rw_keyring_free_secret (r->token);
  g_clear_error (&r->error);
  g_clear_pointer (&r->exams, g_ptr_array_unref);
  g_free (r);
}

static void
restore_step_done (GTask *task)
{
  RwSession *self = g_task_get_source_object (task);
  Restore *r = g_task_get_task_data (task);

  if (--r->pending > 0)
    return;

  if (r->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&r->error));
      return;
    }
  if (r->token == NULL)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  rw_api_client_set_token (self->client, r->token);
  show_cache (self, r->exams, r->mark, task);
}

static void
on_restore_token (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Restore *r = g_task_get_task_data (task);

  r->token = rw_keyring_lookup_finish (result, &r->error);
  restore_step_done (task);
}

static void
on_restore_cache (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwSession *self = g_task_get_source_object (task);
  Restore *r = g_task_get_task_data (task);

  r->exams = load_cache_finish (self, result, &r->mark);
  restore_step_done (task);
}

void
rw_session_restore_async (RwSession           *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *server_url = NULL;
  g_autofree char *username = NULL;
  Restore *r;

  g_return_if_fail (RW_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_session_restore_async);

  server_url = g_settings_get_string (self->settings, "server-url");
  username = g_settings_get_string (self->settings, "username");
  if (server_url[0] == '\0' || username[0] == '\0' || self->state == RW_SESSION_SIGNED_IN)
    {
      g_task_return_boolean (task, self->state == RW_SESSION_SIGNED_IN);
      return;
    }

  use_server (self, server_url, username);
  r = g_new0 (Restore, 1);
  r->pending = 2;
  g_task_set_task_data (task, r, (GDestroyNotify) restore_free);
  rw_keyring_lookup_async (RW_KEYRING_TOKEN, server_url, username, cancellable,
                           on_restore_token, g_object_ref (task));
  rw_local_store_load_async (self->store, server_url, cancellable,
                             on_restore_cache, g_object_ref (task));
}

gboolean
rw_session_restore_finish (RwSession     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (RW_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  RwApiClient *client;
  char        *server_url;
  char        *username;
  char        *password;
  char        *token;
  char        *display_name;
} SignIn;

static void
sign_in_free (SignIn *data)
{
  g_clear_object (&data->client);
  g_free (data->server_url);
  g_free (data->username);
  if (data->password != NULL)
    memset (data->password, 0, strlen (data->password));
  g_free (data->password);
  if (data->token != NULL)
    memset (data->token, 0, strlen (data->token));
  g_free (data->token);
  g_free (data->display_name);
  g_free (data);
}

static void
on_sign_in_token_stored (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable;
  RwSession *self = g_task_get_source_object (task);
  SignIn *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* Without a keyring the user is signed in all the same; only the next
   * start will ask for the password again. */
  if (!rw_keyring_store_finish (result, &error))
    g_warning ("Could not keep the session in the keyring: %s", error->message);

  if (g_task_return_error_if_cancelled (task))
    return;

  disconnect (self);
  use_server (self, data->server_url, data->username);
  /* The client that signed in, with its token, replaces whatever client
   * use_server() had. */
  g_clear_object (&self->client);
  self->client = g_steal_pointer (&data->client);
  set_string (self, &self->display_name, data->display_name, PROP_DISPLAY_NAME);
  g_settings_set_string (self->settings, "server-url", data->server_url);
  g_settings_set_string (self->settings, "username", data->username);

  /* Not g_task_get_cancellable() among the arguments: the order in which C
   * evaluates them is unspecified, and the task is stolen in the same call. */
  cancellable = g_task_get_cancellable (task);
  rw_local_store_load_async (self->store, self->server_url, cancellable,
                             on_cache_loaded, g_steal_pointer (&task));
}

static void
on_logged_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable;
  SignIn *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  const char *display_name = NULL;

  if (!rw_api_client_login_finish (data->client, result, &data->token, &user, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (json_object_has_member (user, "display_name") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (user, "display_name")))
    display_name = json_object_get_string_member (user, "display_name");
  data->display_name = g_strdup (display_name);

  cancellable = g_task_get_cancellable (task);
  rw_keyring_store_async (RW_KEYRING_TOKEN, data->server_url, data->username, data->token,
                          cancellable, on_sign_in_token_stored, g_steal_pointer (&task));
}

static void
on_health (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable;
  SignIn *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  version = rw_api_client_health_finish (data->client, result, &error);
  if (version == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("Radiweb server %s at %s", version, data->server_url);

  cancellable = g_task_get_cancellable (task);
  rw_api_client_login_async (data->client, data->username, data->password,
                             cancellable, on_logged_in, g_steal_pointer (&task));
}

void
rw_session_sign_in_async (RwSession           *self,
                          const char          *server_url,
                          const char          *username,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *user = NULL;
  SignIn *data;

  g_return_if_fail (RW_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_session_sign_in_async);

  normalized = rw_api_normalize_url (server_url, &error);
  if (normalized == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  user = g_strstrip (g_strdup (username != NULL ? username : ""));
  if (user[0] == '\0' || password == NULL || password[0] == '\0')
    {
      g_task_return_new_error (task, RW_API_ERROR, RW_API_ERROR_INVALID_INPUT,
                               _("Type your user name and password"));
      return;
    }

  data = g_new0 (SignIn, 1);
  data->server_url = g_steal_pointer (&normalized);
  data->username = g_steal_pointer (&user);
  data->password = g_strdup (password);
  data->client = rw_api_client_new (data->server_url);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_free);

  /* /health first: it tells "nothing there" and "not Radiweb" apart from a
   * wrong password. */
  rw_api_client_health_async (data->client, cancellable, on_health, g_steal_pointer (&task));
}

gboolean
rw_session_sign_in_finish (RwSession     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (RW_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_sign_out_cleared (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint *pending = g_task_get_task_data (task);

  if (G_IS_TASK (result) && g_task_get_source_tag (G_TASK (result)) == rw_keyring_clear_async)
    {
      if (!rw_keyring_clear_finish (result, &error))
        g_warning ("Could not remove a secret from the keyring: %s", error->message);
    }
  else if (!rw_local_store_clear_finish (RW_LOCAL_STORE (source), result, &error))
    {
      g_warning ("Could not clear the worklist cache: %s", error->message);
    }

  if (--(*pending) == 0)
    g_task_return_boolean (task, TRUE);
}

static void
on_logged_out (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RwSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *orthanc_url = NULL;
  g_autofree char *orthanc_user = NULL;
  guint *pending;

  /* Offline, the token stays valid on the server until it expires; it is
   * forgotten here all the same. */
  if (!rw_api_client_logout_finish (RW_API_CLIENT (source), result, &error))
    g_debug ("The server did not revoke the token: %s", error->message);

  orthanc_url = g_settings_get_string (self->settings, "orthanc-url");
  orthanc_user = g_settings_get_string (self->settings, "orthanc-username");

  pending = g_new0 (guint, 1);
  *pending = 2;
  g_task_set_task_data (task, pending, g_free);
  rw_keyring_clear_async (RW_KEYRING_TOKEN, self->server_url, self->username,
                          NULL, on_sign_out_cleared, g_object_ref (task));
  if (orthanc_url[0] != '\0')
    {
      (*pending)++;
      rw_keyring_clear_async (RW_KEYRING_ORTHANC_PASSWORD, orthanc_url, NULL,
                              NULL, on_sign_out_cleared, g_object_ref (task));
    }
  rw_local_store_clear_async (self->store, NULL, on_sign_out_cleared, g_object_ref (task));

  rw_worklist_model_clear (self->worklist);
  self->high_water_mark = 0;
  set_string (self, &self->display_name, NULL, PROP_DISPLAY_NAME);
  set_state (self, RW_SESSION_SIGNED_OUT);
}

void
rw_session_sign_out_async (RwSession           *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RW_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rw_session_sign_out_async);

  if (self->client == NULL || self->server_url == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Stop listening first, so nothing arrives after the list is cleared;
   * the logout request still needs the token, so it goes before disconnect
   * forgets it. */
  if (self->events != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->events, self);
      rw_api_events_stop (self->events);
      g_clear_object (&self->events);
    }
  rw_api_client_logout_async (self->client, NULL, on_logged_out, g_steal_pointer (&task));
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_syncing (self, FALSE);
  set_online (self, FALSE);
}

gboolean
rw_session_sign_out_finish (RwSession     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (RW_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
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
