/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-test-server.h"

/* Users, logins and tokens: the command line that creates users, the
 * login and logout routes, and the token every /api route asks for. */

typedef struct {
  RwTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = rw_test_server_new ();
  /* The server logs everything it would in debug mode, so that the check
   * for secrets in the log covers every line. */
  rw_test_server_setenv (f->server, "G_MESSAGES_DEBUG", "all");
  if (data != NULL)
    {
      rw_test_server_set_clock (f->server, "2024-03-10T12:00:00Z");
      rw_test_server_set_config (f->server, "server", "token_lifetime", "3600");
    }
  rw_test_server_add_staff (f->server, "ana");
  rw_test_server_add_staff (f->server, "chefe");
  rw_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rw_test_server_free (f->server);
}

static guint
login (Fixture     *f,
       const char  *username,
       const char  *password,
       JsonNode   **answer)
{
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", username, password);

  return rw_test_server_request_json (f->server, "POST", "/api/auth/login", NULL, body, answer);
}

static guint
get_exams (Fixture    *f,
           const char *token)
{
  return rw_test_server_request (f->server, "GET", "/api/exams", token, NULL, NULL, 0, NULL);
}

static void
test_login (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GDateTime) expires = NULL;
  JsonObject *user;
  const char *token;
  gint64 lifetime;

  g_assert_cmpuint (login (f, "ana", "senha-da-ana", &answer), ==, 200);
  token = json_object_get_string_member (rw_test_object (answer), "token");
  g_assert_cmpuint (strlen (token), >=, 32);
  expires = g_date_time_new_from_iso8601 (json_object_get_string_member (rw_test_object (answer), "expires_at"), NULL);
  g_assert_nonnull (expires);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (rw_test_object (answer), "expires_at"), "Z"));
  /* The default lifetime is a working day: 12 hours. */
  lifetime = g_date_time_to_unix (expires) - g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (lifetime, >, 12 * 3600 - 60);
  g_assert_cmpint (lifetime, <=, 12 * 3600);

  user = json_object_get_object_member (rw_test_object (answer), "user");
  g_assert_cmpuint (json_object_get_size (user), ==, 6);
  g_assert_cmpint (json_object_get_int_member (user, "id"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (user, "username"), ==, "ana");
  g_assert_cmpstr (json_object_get_string_member (user, "display_name"), ==, "Dra. Ana Souza");
  g_assert_cmpstr (json_object_get_string_member (user, "crm"), ==, "CRM/SP 123456");
  g_assert_true (json_object_get_null_member (user, "rqe"));
  g_assert_cmpstr (json_object_get_string_member (user, "role"), ==, "radiologist");

  g_assert_cmpuint (get_exams (f, token), ==, 200);

  /* The token works from a form body too, and /api/auth/me tells whose it is. */
  {
    g_autoptr(JsonNode) me = NULL;
    const char *form = "username=chefe&password=senha-do-chefe";
    g_autoptr(JsonNode) second = NULL;

    g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/auth/login", NULL,
                                              "application/x-www-form-urlencoded", form, strlen (form), &second), ==, 200);
    g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/auth/me",
                                              json_object_get_string_member (rw_test_object (second), "token"),
                                              NULL, NULL, 0, &me), ==, 200);
    g_assert_cmpstr (json_object_get_string_member (rw_test_object (me), "role"), ==, "admin");
  }
}

static void
test_wrong_credentials (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonNode) wrong = NULL, unknown = NULL, empty = NULL, missing = NULL, typed = NULL;
  const char *message;

  g_assert_cmpuint (login (f, "ana", "senha-errada", &wrong), ==, 401);
  g_assert_cmpuint (login (f, "ninguem", "senha-da-ana", &unknown), ==, 401);
  g_assert_cmpuint (login (f, "ana", "", &empty), ==, 401);
  message = json_object_get_string_member (rw_test_object (wrong), "error");
  g_assert_nonnull (message);
  /* Nothing tells a stranger which user names exist. */
  g_assert_cmpstr (json_object_get_string_member (rw_test_object (unknown), "error"), ==, message);
  g_assert_cmpstr (json_object_get_string_member (rw_test_object (empty), "error"), ==, message);

  g_assert_cmpuint (rw_test_server_request_json (f->server, "POST", "/api/auth/login", NULL,
                                                 "{\"username\":\"ana\"}", &missing), ==, 400);
  g_assert_true (json_object_has_member (rw_test_object (missing), "error"));
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/auth/login", NULL,
                                            "text/plain", "ana", 3, &typed), ==, 415);
  g_assert_true (json_object_has_member (rw_test_object (typed), "error"));
}

static void
test_logout (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *first = rw_test_server_login_staff (f->server, "ana");
  g_autofree char *second = rw_test_server_login_staff (f->server, "ana");
  g_autoptr(JsonNode) answer = NULL;

  g_assert_cmpstr (first, !=, second);
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/auth/logout", first, NULL, NULL, 0, &answer), ==, 200);
  g_assert_true (json_object_get_boolean_member (rw_test_object (answer), "success"));
  g_assert_cmpuint (get_exams (f, first), ==, 401);
  g_assert_cmpuint (rw_test_server_request (f->server, "POST", "/api/auth/logout", first, NULL, NULL, 0, NULL), ==, 401);
  /* The other session of the same user goes on. */
  g_assert_cmpuint (get_exams (f, second), ==, 200);

  /* Revocation is stored: it survives a restart. */
  rw_test_server_restart (f->server);
  g_assert_cmpuint (get_exams (f, first), ==, 401);
  g_assert_cmpuint (get_exams (f, second), ==, 200);
}

static void
test_expired (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *token = rw_test_server_login_staff (f->server, "ana");

  g_assert_cmpuint (get_exams (f, token), ==, 200);
  rw_test_server_set_clock (f->server, "2024-03-10T12:59:59Z");
  g_assert_cmpuint (get_exams (f, token), ==, 200);
  /* token_lifetime = 3600 s. */
  rw_test_server_set_clock (f->server, "2024-03-10T13:00:00Z");
  g_assert_cmpuint (get_exams (f, token), ==, 401);
}

/* Every route of docs/radiweb-api.md that needs a token, and a few that
 * do not exist: without one, or with a wrong one, each answers 401 with
 * the contract's error shape, before looking at anything else. */
static void
test_routes_need_token (Fixture       *f,
                        gconstpointer  data)
{
  const struct {
    const char *method;
    const char *path;
  } routes[] = {
    { "GET", "/exams/pending" },
    { "POST", "/api/auth/logout" },
    { "GET", "/api/auth/me" },
    { "GET", "/api/users" },
    { "GET", "/api/exams" },
    { "GET", "/api/exams?status=pending" },
    { "GET", "/api/exams/1" },
    { "PATCH", "/api/exams/1" },
    { "POST", "/api/exams/1/claim" },
    { "POST", "/api/exams/1/release" },
    { "GET", "/api/reports/1" },
    { "POST", "/api/reports/1/save" },
    { "POST", "/api/reports/1/finalize" },
    { "POST", "/api/reports/1/addendum" },
    { "GET", "/api/phrases" },
    { "POST", "/api/phrases" },
    { "PUT", "/api/phrases/1" },
    { "DELETE", "/api/phrases/1" },
    { "GET", "/api/metrics/dashboard" },
    { "GET", "/api/metrics/productivity" },
    { "GET", "/api/audit" },
    { "POST", "/api/audit/export" },
    { "GET", "/api/events" },
    { "GET", "/api/nothing-here" },
    { "DELETE", "/api/exams" },
  };
  const char *tokens[] = { NULL, "not-a-token", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" };

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    for (guint t = 0; t < G_N_ELEMENTS (tokens); t++)
      {
        g_autoptr(JsonNode) answer = NULL;
        guint status;

        g_test_message ("%s %s with token %s", routes[i].method, routes[i].path, tokens[t]);
        status = rw_test_server_request_json (f->server, routes[i].method, routes[i].path, tokens[t],
                                              g_str_equal (routes[i].method, "GET") ? NULL : "{}", &answer);
        g_assert_cmpuint (status, ==, 401);
        g_assert_true (json_object_has_member (rw_test_object (answer), "error"));
      }

  /* The open routes stay open. */
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/health", NULL, NULL, NULL, 0, NULL), ==, 200);
}

static void
test_admin_only (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *ana = rw_test_server_login_staff (f->server, "ana");
  g_autofree char *chefe = rw_test_server_login_staff (f->server, "chefe");
  g_autoptr(JsonNode) refused = NULL;
  gint64 id = rw_test_server_add_exam (f->server, "1.2.3.100", "100", "SILVA^ANA");
  g_autofree char *path = g_strdup_printf ("/api/exams/%" G_GINT64_FORMAT, id);

  g_assert_cmpuint (rw_test_server_request_json (f->server, "PATCH", path, ana, "{\"priority\":\"stat\"}", &refused), ==, 403);
  g_assert_true (json_object_has_member (rw_test_object (refused), "error"));
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/audit", ana, NULL, NULL, 0, NULL), ==, 403);

  g_assert_cmpuint (rw_test_server_request_json (f->server, "PATCH", path, chefe, "{\"priority\":\"stat\"}", NULL), ==, 200);
  g_assert_cmpuint (rw_test_server_request (f->server, "GET", "/api/audit", chefe, NULL, NULL, 0, NULL), ==, 200);
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *old_token = rw_test_server_login_staff (f->server, "ana");
  g_autofree char *log = NULL;
  int status;

  /* A user name is taken once. */
  status = rw_test_server_run_cli (f->server, "outra\n", NULL, &err, "user", "add", "ana", "--role", "radiologist",
                                   "--name", "Outra Ana", "--crm", "CRM/MG 1", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "ana"));
  g_clear_pointer (&err, g_free);

  /* A radiologist signs laudos: the CRM is required; the role is checked;
   * an empty password is refused. */
  g_assert_cmpint (rw_test_server_run_cli (f->server, "x\n", NULL, NULL, "user", "add", "bia", "--role", "radiologist",
                                           "--name", "Bia", NULL), ==, 2);
  g_assert_cmpint (rw_test_server_run_cli (f->server, "x\n", NULL, NULL, "user", "add", "bia", "--role", "chief",
                                           "--name", "Bia", NULL), ==, 2);
  g_assert_cmpint (rw_test_server_run_cli (f->server, "\n", NULL, NULL, "user", "add", "bia", "--role", "admin",
                                           "--name", "Bia", NULL), ==, 1);
  g_assert_cmpint (rw_test_server_run_cli (f->server, "x\n", NULL, NULL, "user", "add", "bia x", "--role", "admin",
                                           "--name", "Bia", NULL), ==, 1);
  g_assert_cmpint (rw_test_server_run_cli (f->server, NULL, NULL, NULL, "user", "frobnicate", NULL), ==, 2);

  /* A user added while the server runs can log in at once. */
  g_assert_cmpint (rw_test_server_run_cli (f->server, "senha-da-bia\n", NULL, NULL, "user", "add", "bia", "--role",
                                           "radiologist", "--name", "Dra. Bia", "--crm", "CRM/BA 777", "--rqe", "12345",
                                           NULL), ==, 0);
  {
    g_autofree char *token = rw_test_server_login (f->server, "bia", "senha-da-bia");
  }

  status = rw_test_server_run_cli (f->server, NULL, &out, NULL, "user", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "ana"));
  g_assert_nonnull (strstr (out, "CRM/BA 777"));
  g_assert_nonnull (strstr (out, "chefe"));
  g_assert_null (strstr (out, "$y$"));

  /* A new password ends the user's sessions; the old password stops working. */
  g_assert_cmpint (rw_test_server_run_cli (f->server, "nova-senha\n", NULL, NULL, "user", "passwd", "ana", NULL), ==, 0);
  g_assert_cmpuint (get_exams (f, old_token), ==, 401);
  g_assert_cmpuint (login (f, "ana", "senha-da-ana", NULL), ==, 401);
  g_clear_pointer (&old_token, g_free);
  old_token = rw_test_server_login (f->server, "ana", "nova-senha");

  /* Disabled: sessions ended, no login (with the usual message); enabled again. */
  g_assert_cmpint (rw_test_server_run_cli (f->server, NULL, NULL, NULL, "user", "disable", "ana", NULL), ==, 0);
  g_assert_cmpuint (get_exams (f, old_token), ==, 401);
  g_assert_cmpuint (login (f, "ana", "nova-senha", NULL), ==, 401);
  g_assert_cmpint (rw_test_server_run_cli (f->server, NULL, NULL, NULL, "user", "enable", "ana", NULL), ==, 0);
  g_assert_cmpuint (login (f, "ana", "nova-senha", NULL), ==, 200);
  g_assert_cmpint (rw_test_server_run_cli (f->server, NULL, NULL, NULL, "user", "disable", "nobody", NULL), ==, 1);

  /* Neither passwords nor tokens nor the secret reach the log. */
  log = rw_test_server_read_log (f->server);
  g_assert_null (strstr (log, "nova-senha"));
  g_assert_null (strstr (log, "senha-da-ana"));
  g_assert_null (strstr (log, old_token));
  g_assert_null (strstr (log, rw_test_server_get_secret (f->server)));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/auth/login", Fixture, NULL, fixture_setup, test_login, fixture_teardown);
  g_test_add ("/server/auth/wrong-credentials", Fixture, NULL, fixture_setup, test_wrong_credentials, fixture_teardown);
  g_test_add ("/server/auth/logout", Fixture, NULL, fixture_setup, test_logout, fixture_teardown);
  g_test_add ("/server/auth/expired", Fixture, "clock", fixture_setup, test_expired, fixture_teardown);
  g_test_add ("/server/auth/routes-need-token", Fixture, NULL, fixture_setup, test_routes_need_token, fixture_teardown);
  g_test_add ("/server/auth/admin-only", Fixture, NULL, fixture_setup, test_admin_only, fixture_teardown);
  g_test_add ("/server/auth/cli", Fixture, NULL, fixture_setup, test_cli, fixture_teardown);

  return g_test_run ();
}
