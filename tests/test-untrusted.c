/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-untrusted.c: files built to crash or hang a reader are refused
 * with one clear line: JSON nested 100 000 deep, model headers with
 * overflowing or mistyped shapes, FIFOs and devices named as files. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "otter-dataset.h"
#include "otter-error.h"
#include "otter-image.h"
#include "otter-run.h"
#include "otter-torch.h"
#include "otter-untrusted.h"

#define DEEP 100000

static char *tmp_dir;

static char *
deep_json (const char *prefix)
{
  GString *text = g_string_new (prefix);
  for (int i = 0; i < DEEP; i++)
    g_string_append_c (text, '[');
  for (int i = 0; i < DEEP; i++)
    g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

static void
test_json_depth (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *deep = deep_json ("");

  g_assert_false (otter_json_check_depth (deep, -1, OTTER_JSON_MAX_DEPTH, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "nested more than 256 levels"));
  g_clear_error (&error);
  g_assert_null (otter_json_from_untrusted (deep, -1, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* brackets inside strings, escaped quotes included, do not count */
  const char *quoted = "{\"a\": \"[[[[\\\"[[[[\", \"b\": [[1]]}";
  g_assert_true (otter_json_check_depth (quoted, -1, 3, &error));
  g_assert_false (otter_json_check_depth (quoted, -1, 2, &error));
  g_clear_error (&error);
  g_autoptr (JsonNode) node = otter_json_from_untrusted (quoted, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  /* Several values in a row: json-glib would keep one of them (and 1.10
   * aborts), so they are refused before it sees them. A metrics.jsonl
   * read whole as config.json is the real case. */
  const char *several[] = { "[] []", "5 {}", "{\"a\": 1}\n{\"b\": 2}", "\"s\"[1]", "{} x", "12 34" };
  for (guint i = 0; i < G_N_ELEMENTS (several); i++)
    {
      g_assert_false (otter_json_check_depth (several[i], -1, OTTER_JSON_MAX_DEPTH, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "more than one JSON value"));
      g_clear_error (&error);
      g_assert_null (otter_json_from_untrusted (several[i], -1, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  /* One value, whitespace around it, bare words and numbers included. */
  const char *single[] = { " {}\n", "12345", "\t-1.5e3 ", "true", "\"a b\"", "[1, 2]\r\n" };
  for (guint i = 0; i < G_N_ELEMENTS (single); i++)
    {
      g_assert_true (otter_json_check_depth (single[i], -1, OTTER_JSON_MAX_DEPTH, &error));
      g_assert_no_error (error);
      g_autoptr (JsonNode) value = otter_json_from_untrusted (single[i], -1, &error);
      g_assert_no_error (error);
      g_assert_nonnull (value);
    }
}

/* An Otter model file around `header`, its checksum right or wrong. */
static char *
write_model (const char *name,
             const char *header,
             gboolean    good_digest)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  guint32 version = GUINT32_TO_LE (1), len = GUINT32_TO_LE ((guint32) strlen (header));
  g_byte_array_append (bytes, (const guint8 *) "OTTERMDL", 8);
  g_byte_array_append (bytes, (const guint8 *) &version, 4);
  g_byte_array_append (bytes, (const guint8 *) &len, 4);
  g_byte_array_append (bytes, (const guint8 *) header, (guint) strlen (header));
  guint8 digest[32] = { 0 };
  gsize digest_len = sizeof digest;
  if (good_digest)
    {
      g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      g_checksum_update (sum, bytes->data, bytes->len);
      g_checksum_get_digest (sum, digest, &digest_len);
    }
  g_byte_array_append (bytes, digest, sizeof digest);
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  return path;
}

static void
assert_model_refused (const char *path,
                      int         code,
                      const char *expect)
{
  g_autoptr (GError) error = NULL;
  OtterTorchModel *model = otter_torch_model_load (path, &error);
  g_assert_null (model);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error (error, OTTER_TORCH_ERROR, code);
  g_assert_nonnull (strstr (error->message, expect));
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_model_headers (void)
{
  g_autofree char *deep = deep_json ("");
  /* the digest is checked before the header is parsed */
  g_autofree char *altered = write_model ("deep-altered.otter", deep, FALSE);
  assert_model_refused (altered, OTTER_TORCH_ERROR_CORRUPT, "checksum does not match");
  g_autofree char *sealed = write_model ("deep-sealed.otter", deep, TRUE);
  assert_model_refused (sealed, OTTER_TORCH_ERROR_CORRUPT, "nests too deeply");

  static const struct { const char *tensors, *expect; } cases[] = {
    { "[{\"name\":\"a\",\"shape\":[72057594037927936,268435456]}]", "impossible shape" },
    { "[{\"name\":\"a\",\"shape\":[4,4611686018427387904]}]", "impossible shape" },
    { "[{\"name\":\"a\",\"shape\":[\"a\",null]}]", "whole numbers" },
    { "[{\"name\":\"a\",\"shape\":[1.5]}]", "whole numbers" },
    { "[{\"name\":7,\"shape\":[1]}]", "lacks its name" },
    { "[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"f16\"}]", "dtype" },
    { "[{\"name\":\"a\",\"shape\":[1,1,1,1,1,1,1,1,1]}]", "more dimensions" },
    { "[{\"name\":\"a\",\"shape\":[1000]}]", "do not fit" },
    { "[7]", "not an object" },
    { "{}", "lists no tensors" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *header = g_strdup_printf ("{\"format\":\"otter-model\",\"tensors\":%s}", cases[i].tensors);
      g_autofree char *name = g_strdup_printf ("header-%u.otter", i);
      g_autofree char *path = write_model (name, header, TRUE);
      assert_model_refused (path, OTTER_TORCH_ERROR_CORRUPT, cases[i].expect);
    }

  /* The members the readers use, of the wrong type: one line naming the
   * member, not a GLib critical or "basic_string: construction from null". */
  static const struct { const char *members, *expect; } typed[] = {
    { "\"arch\":5", "“arch” is not a string" },
    { "\"arch\":\"tiny\",\"class_names\":[\"a\",3]", "class names are not all strings" },
    { "\"arch\":\"tiny\",\"class_names\":\"a\"", "“class_names” is not a list" },
    { "\"arch\":\"tiny\",\"input_size\":\"big\"", "“input_size” is not a whole number" },
    { "\"arch\":\"tiny\",\"input_size\":-4", "input size is not between" },
    { "\"arch\":\"tiny\",\"architecture\":{\"backbone\":[1]}", "backbone is not an object" },
    { "\"arch\":\"tiny\",\"checkpoint\":{\"step\":\"x\"}", "checkpoint state" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      g_autofree char *header = g_strdup_printf ("{\"format\":\"otter-model\",%s,\"tensors\":[]}", typed[i].members);
      g_autofree char *name = g_strdup_printf ("typed-%u.otter", i);
      g_autofree char *path = write_model (name, header, TRUE);
      assert_model_refused (path, OTTER_TORCH_ERROR_CORRUPT, typed[i].expect);
    }
}

/* A FIFO would block the open forever and /dev/zero read without end. */
static void
test_irregular_files (void)
{
  g_autofree char *fifo = g_build_filename (tmp_dir, "pipe.otter", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  assert_model_refused (fifo, OTTER_TORCH_ERROR_IO, "a FIFO (named pipe), not a file");
  assert_model_refused ("/dev/zero", OTTER_TORCH_ERROR_IO, "a character device");
  assert_model_refused (tmp_dir, OTTER_TORCH_ERROR_IO, "a folder");

  g_autoptr (GError) error = NULL;
  g_autofree char *fifo_image = g_build_filename (tmp_dir, "pipe.png", NULL);
  g_assert_cmpint (mkfifo (fifo_image, 0600), ==, 0);
  g_assert_null (otter_image_load (fifo_image, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE);
  g_assert_nonnull (strstr (error->message, "pipe.png: a FIFO"));
  g_clear_error (&error);
  g_assert_false (otter_image_probe (fifo_image, NULL, NULL, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE);
  g_assert_nonnull (strstr (error->message, "pipe.png: a FIFO"));
  g_clear_error (&error);
  g_assert_null (otter_image_load ("/dev/zero", &error));
  g_assert_nonnull (strstr (error->message, "character device"));
  g_clear_error (&error);
  /* a folder or a link loop named as an image says what it is, not "not found" */
  g_autofree char *loop = g_build_filename (tmp_dir, "loop.png", NULL);
  g_assert_cmpint (symlink ("loop.png", loop), ==, 0);
  g_assert_false (otter_image_probe (loop, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "loop.png: a loop of symbolic links"));
  g_clear_error (&error);
  g_assert_null (otter_image_load (loop, &error));
  g_assert_nonnull (strstr (error->message, "loop.png: a loop of symbolic links"));
  g_clear_error (&error);
  g_assert_false (otter_image_probe (tmp_dir, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "a folder"));
  g_clear_error (&error);
  g_unlink (loop);

  g_autofree char *csv = g_build_filename (tmp_dir, "labels.csv", NULL);
  g_assert_cmpint (mkfifo (csv, 0600), ==, 0);
  g_assert_null (otter_dataset_load (csv, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "FIFO"));
  g_unlink (csv);
  g_unlink (fifo);
  g_unlink (fifo_image);
}

/* A COCO file, a run's config.json and a metrics.jsonl line, each 100 000
 * levels deep: refused or skipped, never a crash. */
static void
test_deep_json_files (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *deep = deep_json ("");

  g_autofree char *coco = g_build_filename (tmp_dir, "instances.json", NULL);
  g_assert_true (g_file_set_contents (coco, deep, -1, NULL));
  g_assert_null (otter_dataset_load (coco, NULL, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_PARSE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "nested more than"));
  g_clear_error (&error);

  g_autofree char *run = g_build_filename (tmp_dir, "run", NULL);
  g_assert_cmpint (g_mkdir_with_parents (run, 0755), ==, 0);
  g_autofree char *config_path = g_build_filename (run, OTTER_RUN_CONFIG, NULL);
  g_assert_true (g_file_set_contents (config_path, deep, -1, NULL));
  OtterTrainConfig config;
  otter_train_config_init (&config);
  g_assert_false (otter_run_read_config (run, &config, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_RUN);
  g_assert_nonnull (strstr (error->message, "nested more than"));
  g_clear_error (&error);
  otter_train_config_clear (&config);

  g_autofree char *metrics_path = g_build_filename (run, OTTER_RUN_METRICS, NULL);
  g_autofree char *metrics = g_strconcat ("{\"step\":1,\"loss\":0.5}\n", deep, "\n", NULL);
  g_assert_true (g_file_set_contents (metrics_path, metrics, -1, NULL));
  JsonArray *records = otter_run_read_metrics (run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (records), ==, 1);
  json_array_unref (records);
  g_autoptr (OtterRunHistory) history = otter_run_read_history (run, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (history);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("otter-untrusted-XXXXXX", NULL);
  g_test_add_func ("/otter/untrusted/json-depth", test_json_depth);
  g_test_add_func ("/otter/untrusted/model-headers", test_model_headers);
  g_test_add_func ("/otter/untrusted/irregular-files", test_irregular_files);
  g_test_add_func ("/otter/untrusted/deep-json-files", test_deep_json_files);
  int status = g_test_run ();
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
  (void) system (command);
  return status;
}
