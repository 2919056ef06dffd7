/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-export.c: models leave Otter as PyTorch state_dicts
 *
 * Each architecture is trained for a few steps (so weights and batch-norm
 * statistics are no longer their initial values), exported, and loaded by
 * tests/tools/otter_twin.py, a PyTorch definition of the same network, with
 * Debian's python3-torch; its detections on the same input must equal
 * Otter's.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "otter-export.h"
#include "test-model-utils.h"

#define SIZE 64
#define PER_IMAGE 20
static const char *const class_names[] = { "square", "bar", "blob", NULL };

static float *
striped_images (int n, guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  float *images = g_new (float, (gsize) n * 3 * SIZE * SIZE);
  for (int i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++)
          images[(((gsize) i * 3 + c) * SIZE + y) * SIZE + x] =
            (float) (0.5 * g_rand_double (rand) + 0.4 * ((x / 8 + y / 8 + c + i) % 2));
  return images;
}

static void
train_a_little (OtterTorchModel *model, float *images, int n)
{
  OtterTorchBox boxes[] = { { 4, 4, 30, 30, 0 }, { 10, 20, 60, 40, 1 }, { 30, 30, 50, 60, 2 }, { 0, 0, 64, 20, 1 } };
  int box_start[] = { 0, 1, 2, 3, 4 };
  OtterTorchBatch batch = { n, SIZE, images, boxes, box_start };
  OtterTorchTrainParams params;
  g_autoptr (GError) error = NULL;

  otter_torch_train_params_init (&params);
  params.method = OTTER_METHOD_STANDARD;
  params.lr = 1e-2;
  params.warmup_steps = 0;
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (model, &params, &error);
  g_assert_no_error (error);
  for (int step = 0; step < 3; step++)
    {
      OtterTorchStepResult r;
      g_assert_true (otter_torch_trainer_step (trainer, &batch, step, &r, &error));
      g_assert_no_error (error);
    }
}

static void
write_detections (OtterTorchModel *model, float *images, int n, const char *path)
{
  OtterTorchBatch batch = { n, SIZE, images, NULL, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) dets = otter_torch_model_detect (model, &batch, 0.0f, PER_IMAGE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dets->len, >, 0);
  g_assert_cmpuint (dets->len, <=, (guint) n * PER_IMAGE);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  for (guint i = 0; i < dets->len; i++)
    {
      const OtterTorchDetection *d = &g_array_index (dets, OtterTorchDetection, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "image");
      json_builder_add_int_value (b, d->image);
      json_builder_set_member_name (b, "class_id");
      json_builder_add_int_value (b, d->class_id);
      json_builder_set_member_name (b, "score");
      json_builder_add_double_value (b, d->score);
      json_builder_set_member_name (b, "box");
      json_builder_begin_array (b);
      json_builder_add_double_value (b, d->x1);
      json_builder_add_double_value (b, d->y1);
      json_builder_add_double_value (b, d->x2);
      json_builder_add_double_value (b, d->y2);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, FALSE);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
check_twin (gconstpointer data)
{
  const char *arch = data;
  const char *python = g_getenv ("OTTER_TORCH_PYTHON");
  if (python == NULL || *python == '\0')
    {
      g_test_skip ("python3-torch is not installed (OTTER_TORCH_PYTHON is unset)");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("otter-export-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  const int n = 2;
  g_autofree float *images = striped_images (4, 11);
  g_autoptr (OtterTorchModel) model = otter_torch_model_new (arch, class_names, SIZE, 5, &error);
  g_assert_no_error (error);
  train_a_little (model, images, 4);

  g_autofree char *pth = g_build_filename (dir, "model.pth", NULL);
  g_autofree char *meta = otter_export_description_path (pth);
  g_assert_true (g_str_has_suffix (meta, "model.json"));
  g_assert_true (otter_export_write (model, pth, &error));
  g_assert_no_error (error);

  g_autofree char *input = g_build_filename (dir, "input.f32", NULL);
  g_assert_true (g_file_set_contents (input, (const char *) images,
                                      (gssize) n * 3 * SIZE * SIZE * sizeof (float), NULL));
  g_autofree char *dets = g_build_filename (dir, "dets.json", NULL);
  write_detections (model, images, n, dets);

  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "tools", "otter_twin.py", NULL);
  g_autofree char *per_image = g_strdup_printf ("%d", PER_IMAGE);
  const char *argv[] = { python, script, "compare", "--weights", pth, "--meta", meta,
                         "--input", input, "--detections", dets, "--per-image", per_image, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s: %s%s", arch, out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  remove_temp_dir (dir);
}

/* A folder that cannot be written: an error, and neither file left. */
static void
test_unwritable (void)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-export-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (dir, "missing", "model.pth", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) model = otter_torch_model_new ("tiny", class_names, SIZE, 5, &error);
  g_assert_false (otter_export_write (model, sub, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "missing"));
  g_autofree char *json = otter_export_description_path (sub);
  g_assert_false (g_file_test (sub, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (json, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  otter_torch_set_threads (2);
  for (const char *const *arch = otter_torch_model_archs (); *arch != NULL; arch++)
    {
      g_autofree char *path = g_strdup_printf ("/otter/export/twin/%s", *arch);
      g_test_add_data_func (path, *arch, check_twin);
    }
  g_test_add_func ("/otter/export/unwritable", test_unwritable);
  return g_test_run ();
}
