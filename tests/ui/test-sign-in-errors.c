/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "rw-test-app.h"
#include "rw-test-orthanc.h"
#include "rw-test-server.h"
#include "rw-test-util.h"

/* Each failure a person can meet when signing in, as the sign-in page
 * says it in Portuguese (LANGUAGE=pt_BR, the catalogue built with the
 * project), against the real thing: nothing listening, a TLS server whose
 * certificate nobody vouches for (openssl s_server with a self-signed
 * certificate), a PACS instead of the Radiweb server (a real Orthanc's
 * HTTP port), and a wrong password. Each leaves everything as it was:
 * the sign-in page, no token in the keyring, no settings written. */

#define PASSWORD "senha-certa-1"

typedef struct {
  RwTestApp a;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rw_test_app_reset ();
  rw_test_app_start (&f->a);
  rw_test_app_wait_page (&f->a, "sign-in");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rw_test_app_stop (&f->a);
}

/* Signs in to @url and checks that the page shows exactly @expected and
 * that nothing was kept. */
static void
assert_refused (Fixture    *f,
                const char *url,
                const char *password,
                const char *expected)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;
  g_autofree char *token = NULL;

  rw_test_app_sign_in (&f->a, url, "ana", password);
  g_assert_cmpstr (rw_test_app_wait_message (&f->a), ==, expected);
  g_assert_cmpstr (rw_window_get_page (f->a.window), ==, "sign-in");
  g_assert_cmpint (rw_session_get_state (rw_application_get_session (f->a.app)), ==,
                   RW_SESSION_SIGNED_OUT);

  token = rw_test_keyring_lookup (RW_KEYRING_TOKEN, url, "ana");
  g_assert_null (token);
  server = g_settings_get_string (settings, "server-url");
  username = g_settings_get_string (settings, "username");
  g_assert_cmpstr (server, ==, "");
  g_assert_cmpstr (username, ==, "");
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", rw_test_free_port ());
  g_autofree char *expected = g_strdup_printf ("Não foi possível conectar a %s. Confira o endereço do "
                                               "servidor e a conexão de rede, ou pergunte à TI da "
                                               "clínica se o servidor está no ar.", url);

  assert_refused (f, url, PASSWORD, expected);
}

/* A TLS server with a self-signed certificate, as one set up in a hurry
 * has. */
static void
test_untrusted_certificate (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *dir = rw_test_make_tmpdir ("rw-sign-in-tls");
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  guint16 port = rw_test_free_port ();
  g_autofree char *accept = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", port);
  g_autofree char *expected = g_strdup_printf ("A conexão segura com %s falhou: o certificado do "
                                               "servidor não é confiável, ou o servidor não usa "
                                               "HTTPS. Se o servidor usa HTTP simples, digite o "
                                               "endereço com http://.", url);
  g_autoptr(GSubprocess) openssl = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;

  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                              "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));
  g_assert_no_error (error);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                             G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             "openssl", "s_server", "-accept", accept, "-key", key, "-cert", cert,
                             "-www", "-quiet", NULL);
  g_assert_no_error (error);
  g_assert_true (rw_test_wait_for_port (port, RW_TEST_APP_WAIT_MS));

  assert_refused (f, url, PASSWORD, expected);

  rw_test_stop_process (server);
  rw_test_rm_rf (dir);
}

/* The PACS's address typed where the Radiweb server's goes. */
static void
test_not_radiweb (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(RwTestOrthanc) orthanc = rw_test_orthanc_new ();
  const char *url;
  g_autofree char *expected = NULL;

  rw_test_orthanc_start (orthanc);
  url = rw_test_orthanc_get_url (orthanc);
  expected = g_strdup_printf ("%s respondeu, mas não é um servidor Radiweb. Confira o endereço: "
                              "é o do servidor Radiweb, não o do PACS.", url);

  assert_refused (f, url, PASSWORD, expected);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RwTestServer) server = rw_test_server_new ();

  rw_test_server_add_user (server, "ana", PASSWORD, "radiologist", "Dra. Ana Souza", "CRM/SP 123456");
  rw_test_server_start (server);
  assert_refused (f, rw_test_server_get_url (server), "senha-errada",
                  "Usuário ou senha incorretos. Confira e tente de novo.");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  rw_test_app_init (&argc, &argv, "test-sign-in-errors", TRUE);

  g_test_add ("/sign-in-errors/unreachable", Fixture, NULL, fixture_setup, test_unreachable, fixture_teardown);
  g_test_add ("/sign-in-errors/untrusted-certificate", Fixture, NULL, fixture_setup,
              test_untrusted_certificate, fixture_teardown);
  g_test_add ("/sign-in-errors/not-radiweb", Fixture, NULL, fixture_setup, test_not_radiweb, fixture_teardown);
  g_test_add ("/sign-in-errors/wrong-password", Fixture, NULL, fixture_setup, test_wrong_password, fixture_teardown);

  status = g_test_run ();
  rw_test_app_cleanup ();
  return status;
}
