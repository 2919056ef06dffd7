/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-backbones.c: every architecture, torchvision parity, weights files
 *
 * The parity tests run tests/tools/torchvision_backbones.py with Debian's
 * python3-torchvision (OTTER_TORCH_PYTHON): torchvision builds resnet18 and
 * mobilenet_v3_large with random weights, saves their state_dicts with
 * torch.save and its own feature maps on a fixed input; Otter loads the
 * files by name and must produce the same maps.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "otter-torch.h"
#include "test-model-utils.h"

#define SIZE 64
static const char *const class_names[] = { "a", "b", "c", NULL };

typedef struct
{
  char *dir;
  char *weights;        /* ARCH-HASH.pth written by torchvision */
  float *input;         /* n × 3 × SIZE × SIZE */
  int n;
  float *levels[4];
  int shapes[4][4];
} Reference;

static void
reference_free (Reference *ref)
{
  if (ref == NULL)
    return;
  g_free (ref->weights);
  g_free (ref->input);
  for (int i = 0; i < 4; i++)
    g_free (ref->levels[i]);
  g_free (ref->dir);
  g_free (ref);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reference, reference_free)

static float *
read_floats (const char *dir, const char *name, gsize expected)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, ==, expected * sizeof (float));
  return (float *) data;
}

/* Runs the torchvision script, or returns NULL (and skips) where Debian's
 * python3-torchvision is not installed. */
static Reference *
reference_new (const char *arch)
{
  const char *python = g_getenv ("OTTER_TORCH_PYTHON");
  if (python == NULL || *python == '\0')
    {
      g_test_skip ("python3-torchvision is not installed (OTTER_TORCH_PYTHON is unset)");
      return NULL;
    }
  Reference *ref = g_new0 (Reference, 1);
  ref->dir = g_dir_make_tmp ("otter-backbone-XXXXXX", NULL);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "tools", "torchvision_backbones.py", NULL);
  g_autofree char *size = g_strdup_printf ("%d", SIZE);
  const char *argv[] = { python, script, "--arch", arch, "--out", ref->dir, "--size", size, NULL };
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", script, err);

  g_autofree char *json_path = g_build_filename (ref->dir, "result.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, json_path, NULL));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  ref->weights = g_build_filename (ref->dir, json_object_get_string_member (root, "weights"), NULL);
  JsonArray *input = json_object_get_array_member (root, "input");
  ref->n = (int) json_array_get_int_element (input, 0);
  ref->input = read_floats (ref->dir, "input.f32", (gsize) ref->n * 3 * SIZE * SIZE);
  JsonArray *levels = json_object_get_array_member (root, "levels");
  for (int i = 0; i < 4; i++)
    {
      JsonArray *shape = json_array_get_array_element (levels, i);
      gsize numel = 1;
      for (int d = 0; d < 4; d++)
        numel *= ref->shapes[i][d] = (int) json_array_get_int_element (shape, d);
      g_autofree char *name = g_strdup_printf ("level%d.f32", i);
      ref->levels[i] = read_floats (ref->dir, name, numel);
    }
  return ref;
}

/* Largest |a − b| over the largest |b|: the maps of deep random networks
 * reach magnitudes of 10 or more, where float32 rounding alone is ~1e-6. */
static double
relative_max_error (const float *a, const float *b, gsize n)
{
  double err = 0, scale = 1e-6;
  for (gsize i = 0; i < n; i++)
    {
      err = MAX (err, fabs ((double) a[i] - b[i]));
      scale = MAX (scale, fabs ((double) b[i]));
    }
  return err / MAX (scale, 1.0);
}

static void
check_parity (const char *arch)
{
  g_autoptr (Reference) ref = reference_new (arch);
  if (ref == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) model = otter_torch_model_new (arch, class_names, SIZE, 1, &error);
  g_assert_no_error (error);
  g_assert_true (otter_torch_model_load_backbone_weights (model, ref->weights, &error));
  g_assert_no_error (error);

  OtterTorchBatch batch = { ref->n, SIZE, ref->input, NULL, NULL };
  float *levels[4];
  int shapes[4][4];
  g_assert_true (otter_torch_model_backbone_levels (model, &batch, levels, shapes, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 4; i++)
    {
      gsize numel = 1;
      for (int d = 0; d < 4; d++)
        {
          g_assert_cmpint (shapes[i][d], ==, ref->shapes[i][d]);
          numel *= shapes[i][d];
        }
      double err = relative_max_error (levels[i], ref->levels[i], numel);
      g_test_message ("%s level %d (%d×%d×%d): max error %.3g", arch, i,
                      shapes[i][1], shapes[i][2], shapes[i][3], err);
      g_assert_cmpfloat (err, <=, 1e-4);
      g_free (levels[i]);
    }

  /* The origin of the weights travels with the model file. */
  const char *sha = NULL;
  g_autofree char *base = g_path_get_basename (ref->weights);
  g_assert_cmpstr (otter_torch_model_get_backbone_init (model, &sha), ==, base);
  g_assert_cmpuint (strlen (sha), ==, 64);
  g_autofree char *path = g_build_filename (ref->dir, "m.otter", NULL);
  g_assert_true (otter_torch_model_save (model, path, NULL, &error));
  g_autoptr (OtterTorchModel) loaded = otter_torch_model_load (path, &error);
  g_assert_no_error (error);
  const char *loaded_sha = NULL;
  g_assert_cmpstr (otter_torch_model_get_backbone_init (loaded, &loaded_sha), ==, base);
  g_assert_cmpstr (loaded_sha, ==, sha);
  remove_temp_dir (ref->dir);
}

static void
test_parity_resnet18 (void)
{
  check_parity ("resnet18");
}

static void
test_parity_mobilenet (void)
{
  check_parity ("mobilenet_v3_large");
}

static float *
noise_images (int n, guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  float *images = g_new (float, (gsize) n * 3 * SIZE * SIZE);
  for (gsize i = 0; i < (gsize) n * 3 * SIZE * SIZE; i++)
    images[i] = (float) g_rand_double (rand);
  return images;
}

/* Every architecture goes through the same paths: loss, detection, the
 * file format, and a description that names its backbone. */
static void
test_every_architecture (void)
{
  const char *const *archs = otter_torch_model_archs ();
  g_autofree char *dir = g_dir_make_tmp ("otter-archs-XXXXXX", NULL);
  g_autofree float *images = noise_images (2, 3);
  OtterTorchBox boxes[] = { { 8, 8, 40, 40, 0 }, { 20, 10, 60, 30, 2 } };
  int box_start[] = { 0, 1, 2 };
  OtterTorchBatch batch = { 2, SIZE, images, boxes, box_start };
  int n_archs = 0;

  for (; archs[n_archs] != NULL; n_archs++)
    {
      const char *arch = archs[n_archs];
      g_autoptr (GError) error = NULL;
      g_autoptr (OtterTorchModel) model = otter_torch_model_new (arch, class_names, SIZE, 1, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (otter_torch_model_get_arch (model), ==, arch);
      g_assert_null (otter_torch_model_get_backbone_init (model, NULL));

      OtterTorchLoss loss;
      g_assert_true (otter_torch_model_loss (model, &batch, &loss, &error));
      g_assert_true (isfinite (loss.total) && loss.total > 0);
      g_autoptr (GArray) dets = otter_torch_model_detect (model, &batch, 0.0f, 5, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (dets->len, >, 0);
      g_assert_cmpuint (dets->len, <=, 10);

      g_autofree char *text = otter_torch_model_describe (model);
      g_assert_nonnull (strstr (text, arch));

      g_autofree char *name = g_strdup_printf ("%s.otter", arch);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_true (otter_torch_model_save (model, path, NULL, &error));
      g_autoptr (OtterTorchModel) loaded = otter_torch_model_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (otter_torch_model_get_n_params (loaded), ==, otter_torch_model_get_n_params (model));
      OtterTorchLoss again;
      g_assert_true (otter_torch_model_loss (loaded, &batch, &again, &error));
      g_assert_cmpfloat (fabs (again.total - loss.total), <, 1e-5);
      g_unlink (path);
    }
  g_assert_cmpint (n_archs, ==, 4);
  g_assert_cmpstr (otter_torch_arch_imagenet_name ("resnet18"), ==, "resnet18");
  g_assert_cmpstr (otter_torch_arch_imagenet_name ("mobilenet_v3_large"), ==, "mobilenet_v3_large");
  g_assert_null (otter_torch_arch_imagenet_name ("tiny"));
  g_assert_null (otter_torch_arch_imagenet_name ("small"));
  g_rmdir (dir);
}

static void
copy_prefix (const char *from, const char *to, gssize length)
{
  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  g_assert_true (g_file_set_contents (to, data, length < 0 ? (gssize) len : MIN (length, (gssize) len), NULL));
  g_free (data);
}

/* A failed load names the file, says why, and leaves the model as it was. */
static void
expect_refused (OtterTorchModel *model, const char *path, int code, const char *why)
{
  g_autoptr (GError) error = NULL;
  g_autofree float *images = noise_images (2, 9);
  OtterTorchBatch batch = { 2, SIZE, images, NULL, NULL };
  float *before[4], *after[4];
  int shapes[4][4];

  g_assert_true (otter_torch_model_backbone_levels (model, &batch, before, shapes, NULL));
  g_assert_false (otter_torch_model_load_backbone_weights (model, path, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, why));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (otter_torch_model_backbone_levels (model, &batch, after, shapes, NULL));
  for (int i = 0; i < 4; i++)
    {
      gsize numel = (gsize) shapes[i][0] * shapes[i][1] * shapes[i][2] * shapes[i][3];
      g_assert_cmpmem (before[i], numel * sizeof (float), after[i], numel * sizeof (float));
      g_free (before[i]);
      g_free (after[i]);
    }
  g_assert_null (otter_torch_model_get_backbone_init (model, NULL));
}

static void
test_weights_refused (void)
{
  g_autoptr (Reference) ref = reference_new ("resnet18");
  if (ref == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) model = otter_torch_model_new ("resnet18", class_names, SIZE, 1, &error);
  g_autoptr (OtterTorchModel) mobile = otter_torch_model_new ("mobilenet_v3_large", class_names, SIZE, 1, &error);
  g_assert_no_error (error);

  g_autofree char *missing = g_build_filename (ref->dir, "absent.pth", NULL);
  expect_refused (model, missing, OTTER_TORCH_ERROR_IO, "No such file");

  /* cut in half, under a name without a hash: the zip reader finds out */
  g_autofree char *truncated = g_build_filename (ref->dir, "truncated.pth", NULL);
  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (ref->weights, &data, &len, NULL));
  g_free (data);
  copy_prefix (ref->weights, truncated, (gssize) len / 2);
  expect_refused (model, truncated, OTTER_TORCH_ERROR_CORRUPT, "truncated or damaged");

  /* the same bytes under a name whose hash they do not have */
  g_autofree char *renamed = g_build_filename (ref->dir, "resnet18-0badc0de.pth", NULL);
  copy_prefix (ref->weights, renamed, -1);
  expect_refused (model, renamed, OTTER_TORCH_ERROR_CORRUPT, "SHA-256");

  /* a file of another architecture */
  expect_refused (mobile, ref->weights, OTTER_TORCH_ERROR_ARCHITECTURE, "conv1.weight");

  /* not a PyTorch file at all, and an Otter model */
  g_autofree char *text = g_build_filename (ref->dir, "notes.pth", NULL);
  g_assert_true (g_file_set_contents (text, "hello", -1, NULL));
  expect_refused (model, text, OTTER_TORCH_ERROR_NOT_A_MODEL, "zip format");
  g_autofree char *otter = g_build_filename (ref->dir, "model.otter", NULL);
  g_assert_true (otter_torch_model_save (model, otter, NULL, &error));
  expect_refused (model, otter, OTTER_TORCH_ERROR_NOT_A_MODEL, "Otter model");

  /* and the real file still loads after all that */
  g_assert_true (otter_torch_model_load_backbone_weights (model, ref->weights, &error));
  g_assert_no_error (error);
  remove_temp_dir (ref->dir);
}

/* tiny files written before the backbone was a module of its own name
 * their tensors model.stem.…: they still load. */
static void
test_tiny_legacy_names (void)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-legacy-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "old.otter", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) model = otter_torch_model_new ("tiny", class_names, SIZE, 4, &error);
  g_assert_true (otter_torch_model_save (model, path, NULL, &error));

  g_assert_cmpuint (model_file_rewrite_header (path, "\"model.backbone.", "\"model.", TRUE), >, 10);

  g_autoptr (OtterTorchModel) loaded = otter_torch_model_load (path, &error);
  g_assert_no_error (error);
  g_autofree float *images = noise_images (2, 5);
  OtterTorchBatch batch = { 2, SIZE, images, NULL, NULL };
  g_autoptr (GArray) a = otter_torch_model_detect (model, &batch, 0.0f, 10, &error);
  g_autoptr (GArray) b = otter_torch_model_detect (loaded, &batch, 0.0f, 10, &error);
  g_assert_cmpmem (a->data, a->len * sizeof (OtterTorchDetection), b->data, b->len * sizeof (OtterTorchDetection));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  otter_torch_set_threads (2);
  g_test_add_func ("/otter/backbones/every-architecture", test_every_architecture);
  g_test_add_func ("/otter/backbones/tiny-legacy-names", test_tiny_legacy_names);
  g_test_add_func ("/otter/backbones/parity/resnet18", test_parity_resnet18);
  g_test_add_func ("/otter/backbones/parity/mobilenet_v3_large", test_parity_mobilenet);
  g_test_add_func ("/otter/backbones/weights-refused", test_weights_refused);
  return g_test_run ();
}
