/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rw-json.h"

static void
test_parse_errors (void)
{
  static const struct {
    const char *data;
    gssize len;
    int code;
  } cases[] = {
    { "", -1, RW_JSON_ERROR_SYNTAX },
    { "{", -1, RW_JSON_ERROR_SYNTAX },
    { "{\"a\":1}{", -1, RW_JSON_ERROR_SYNTAX },
    { "{\"a\":\0}", 7, RW_JSON_ERROR_SYNTAX },
    { "{\"a\":\"\xff\"}", -1, RW_JSON_ERROR_SYNTAX },
    { "[1,2]", -1, RW_JSON_ERROR_SHAPE },
    { "\"text\"", -1, RW_JSON_ERROR_SHAPE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) obj = rw_json_parse_object (cases[i].data, cases[i].len, &error);

      g_assert_null (obj);
      g_assert_error (error, RW_JSON_ERROR, cases[i].code);
    }
}

static void
test_accessors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = NULL;
  JsonObject *study = NULL;
  JsonArray *list = NULL;
  const char *s = NULL;
  gint64 n = -1;
  gboolean b = FALSE;

  obj = rw_json_parse_object ("{\"name\":\"JOÃO\",\"count\":3,\"ratio\":1.5,\"final\":true,"
                              "\"study\":{},\"list\":[],\"none\":null,\"num\":\"3\"}", -1, &error);
  g_assert_no_error (error);

  g_assert_true (rw_json_get_string (obj, "name", RW_JSON_REQUIRED, &s, &error));
  g_assert_cmpstr (s, ==, "JOÃO");
  g_assert_true (rw_json_get_int (obj, "count", RW_JSON_REQUIRED, &n, &error));
  g_assert_cmpint (n, ==, 3);
  g_assert_true (rw_json_get_bool (obj, "final", RW_JSON_REQUIRED, &b, &error));
  g_assert_true (b);
  g_assert_true (rw_json_get_object (obj, "study", RW_JSON_REQUIRED, &study, &error));
  g_assert_nonnull (study);
  g_assert_true (rw_json_get_array (obj, "list", RW_JSON_REQUIRED, &list, &error));
  g_assert_nonnull (list);

  /* Optional and missing, optional and null: success with nothing. */
  g_assert_true (rw_json_get_string (obj, "absent", RW_JSON_OPTIONAL, &s, &error));
  g_assert_null (s);
  g_assert_true (rw_json_get_string (obj, "none", RW_JSON_OPTIONAL, &s, &error));
  g_assert_null (s);
  g_assert_no_error (error);

  /* Required and null is missing. */
  g_assert_false (rw_json_get_string (obj, "none", RW_JSON_REQUIRED, &s, &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "none"));
  g_clear_error (&error);

  /* Wrong types fail even when optional, and name the member. */
  g_assert_false (rw_json_get_int (obj, "num", RW_JSON_OPTIONAL, &n, &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "num"));
  g_clear_error (&error);
  g_assert_false (rw_json_get_int (obj, "ratio", RW_JSON_OPTIONAL, &n, &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (rw_json_get_string (obj, "count", RW_JSON_OPTIONAL, &s, &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (rw_json_get_object (obj, "list", RW_JSON_OPTIONAL, &study, &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (rw_json_get_array (obj, "study", RW_JSON_OPTIONAL, &list, &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (rw_json_get_bool (obj, "count", RW_JSON_OPTIONAL, &b, &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE);
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = rw_json_parse_object ("{\"name\":\"CONCEIÇÃO\"}", -1, &error);
  g_autofree char *text = rw_json_object_to_string (obj);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "{\"name\":\"CONCEIÇÃO\"}");
}

/* A node's object, checked: anything else is a shape error. */
static void
test_node_object (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) object = rw_json_parse ("{\"id\":7}", -1, &error);
  g_autoptr(JsonNode) array = rw_json_parse ("[{\"id\":7}]", -1, &error);
  JsonObject *found;

  g_assert_no_error (error);
  found = rw_json_node_get_object (object, &error);
  g_assert_no_error (error);
  g_assert_true (found == json_node_get_object (object));
  g_assert_cmpint (json_object_get_int_member (found, "id"), ==, 7);

  g_assert_null (rw_json_node_get_object (array, &error));
  g_assert_error (error, RW_JSON_ERROR, RW_JSON_ERROR_SHAPE);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/parse-errors", test_parse_errors);
  g_test_add_func ("/json/accessors", test_accessors);
  g_test_add_func ("/json/round-trip", test_round_trip);
  g_test_add_func ("/json/node-object", test_node_object);

  return g_test_run ();
}
