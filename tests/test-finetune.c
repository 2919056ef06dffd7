/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-finetune.c: backbone freezing, its learning-rate scale, and the EMA */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "otter-torch.h"

#define SIZE 64
static const char *const class_names[] = { "a", "b", NULL };

typedef struct
{
  float *images;
  OtterTorchBox boxes[4];
  int box_start[5];
  OtterTorchBatch batch;
} Batch;

static Batch *
batch_new (guint32 seed)
{
  Batch *b = g_new0 (Batch, 1);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  b->images = g_new (float, 4 * 3 * SIZE * SIZE);
  for (gsize i = 0; i < 4 * 3 * SIZE * SIZE; i++)
    b->images[i] = (float) g_rand_double (rand);
  for (int i = 0; i < 4; i++)
    {
      b->boxes[i] = (OtterTorchBox) { 4 + 8 * i, 6, 30 + 8 * i, 40, i % 2 };
      b->box_start[i + 1] = i + 1;
    }
  b->batch = (OtterTorchBatch) { 4, SIZE, b->images, b->boxes, b->box_start };
  return b;
}

static void
batch_free (Batch *b)
{
  g_free (b->images);
  g_free (b);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

/* The backbone's deepest map and the detections: what changes when the
 * backbone, or the rest, learns. */
typedef struct
{
  float *level;
  gsize level_len;
  GArray *dets;
} Snapshot;

static Snapshot
snapshot (OtterTorchModel *model, Batch *b)
{
  Snapshot s;
  float *levels[4];
  int shapes[4][4];
  g_assert_true (otter_torch_model_backbone_levels (model, &b->batch, levels, shapes, NULL));
  s.level = levels[3];
  s.level_len = (gsize) shapes[3][0] * shapes[3][1] * shapes[3][2] * shapes[3][3];
  for (int i = 0; i < 3; i++)
    g_free (levels[i]);
  s.dets = otter_torch_model_detect (model, &b->batch, 0.0f, 10, NULL);
  return s;
}

static void
snapshot_clear (Snapshot *s)
{
  g_free (s->level);
  g_array_unref (s->dets);
}

static gboolean
same_level (const Snapshot *a, const Snapshot *b)
{
  return a->level_len == b->level_len && memcmp (a->level, b->level, a->level_len * sizeof (float)) == 0;
}

static gboolean
same_detections (const Snapshot *a, const Snapshot *b)
{
  return a->dets->len == b->dets->len &&
    memcmp (a->dets->data, b->dets->data, a->dets->len * sizeof (OtterTorchDetection)) == 0;
}

static OtterTorchTrainer *
trainer_new (OtterTorchModel *model, double backbone_lr_scale, double ema)
{
  OtterTorchTrainParams params;
  otter_torch_train_params_init (&params);
  params.method = OTTER_METHOD_STANDARD;
  params.lr = 5e-3;
  params.warmup_steps = 0;
  params.backbone_lr_scale = backbone_lr_scale;
  params.ema_decay = ema;
  g_autoptr (GError) error = NULL;
  OtterTorchTrainer *trainer = otter_torch_trainer_new (model, &params, &error);
  g_assert_no_error (error);
  return trainer;
}

static void
steps (OtterTorchTrainer *trainer, Batch *b, int n)
{
  for (int i = 0; i < n; i++)
    {
      OtterTorchStepResult r;
      g_autoptr (GError) error = NULL;
      g_assert_true (otter_torch_trainer_step (trainer, &b->batch, i, &r, &error));
      g_assert_no_error (error);
    }
}

/* Frozen, the backbone keeps its weights and batch-norm statistics while
 * the neck and heads learn; thawed, it learns again. A learning-rate scale
 * of 0 has the same effect on the weights. */
static void
test_freeze (void)
{
  g_autoptr (Batch) b = batch_new (1);
  g_autoptr (OtterTorchModel) model = otter_torch_model_new ("small", class_names, SIZE, 3, NULL);
  g_autoptr (OtterTorchTrainer) trainer = trainer_new (model, 1.0, 0);

  Snapshot before = snapshot (model, b);
  otter_torch_trainer_set_backbone_frozen (trainer, TRUE);
  steps (trainer, b, 3);
  Snapshot frozen = snapshot (model, b);
  g_assert_true (same_level (&before, &frozen));
  g_assert_false (same_detections (&before, &frozen));

  otter_torch_trainer_set_backbone_frozen (trainer, FALSE);
  steps (trainer, b, 2);
  Snapshot thawed = snapshot (model, b);
  g_assert_false (same_level (&frozen, &thawed));
  snapshot_clear (&before);
  snapshot_clear (&frozen);
  snapshot_clear (&thawed);
}

/* The bytes of one tensor in a model file (header JSON, then the tensors
 * in header order). */
static GBytes *
tensor_bytes (const char *path, const char *name)
{
  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  guint32 header_len = GUINT32_FROM_LE (*(guint32 *) (data + 12));
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, data + 16, header_len, NULL));
  JsonArray *tensors = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "tensors");
  gsize offset = 16 + header_len;
  GBytes *found = NULL;
  for (guint i = 0; i < json_array_get_length (tensors) && found == NULL; i++)
    {
      JsonObject *t = json_array_get_object_element (tensors, i);
      JsonArray *shape = json_object_get_array_member (t, "shape");
      gsize numel = 1;
      for (guint d = 0; d < json_array_get_length (shape); d++)
        numel *= json_array_get_int_element (shape, d);
      gsize bytes = numel * (g_str_equal (json_object_get_string_member (t, "dtype"), "i64") ? 8 : 4);
      if (g_str_equal (json_object_get_string_member (t, "name"), name))
        found = g_bytes_new (data + offset, bytes);
      offset += bytes;
    }
  g_free (data);
  g_assert_nonnull (found);
  return found;
}

/* With the backbone's learning rate scaled to 0 its weights stay (its
 * batch-norm statistics still follow the data); the rest learns. */
static void
test_backbone_lr_scale (void)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-lr-XXXXXX", NULL);
  g_autofree char *before_path = g_build_filename (dir, "before.otter", NULL);
  g_autofree char *after_path = g_build_filename (dir, "after.otter", NULL);
  g_autoptr (Batch) b = batch_new (2);
  g_autoptr (OtterTorchModel) model = otter_torch_model_new ("resnet18", class_names, SIZE, 3, NULL);
  g_autoptr (OtterTorchTrainer) trainer = trainer_new (model, 0.0, 0);
  g_assert_true (otter_torch_model_save (model, before_path, NULL, NULL));
  steps (trainer, b, 2);
  g_assert_true (otter_torch_model_save (model, after_path, NULL, NULL));

  const char *same[] = { "model.backbone.conv1.weight", "model.backbone.layer4.1.conv2.weight",
                         "model.backbone.layer2.0.bn1.weight" };
  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autoptr (GBytes) x = tensor_bytes (before_path, same[i]);
      g_autoptr (GBytes) y = tensor_bytes (after_path, same[i]);
      g_assert_true (g_bytes_equal (x, y));
    }
  const char *changed[] = { "model.backbone.bn1.running_mean", "model.lateral4.weight", "model.heatmap.out.weight" };
  for (guint i = 0; i < G_N_ELEMENTS (changed); i++)
    {
      g_autoptr (GBytes) x = tensor_bytes (before_path, changed[i]);
      g_autoptr (GBytes) y = tensor_bytes (after_path, changed[i]);
      g_assert_false (g_bytes_equal (x, y));
    }
  g_unlink (before_path);
  g_unlink (after_path);
  g_rmdir (dir);

  OtterTorchTrainParams params;
  otter_torch_train_params_init (&params);
  params.backbone_lr_scale = 11;
  g_autoptr (GError) error = NULL;
  g_assert_null (otter_torch_trainer_new (model, &params, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
}

/* The moving average: swapping exchanges it with the live weights and
 * back exactly; a checkpoint opened as a model holds the average, and
 * resuming from it continues from the live weights. */
static void
test_ema (void)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-ema-XXXXXX", NULL);
  g_autofree char *ckpt = g_build_filename (dir, "last.ckpt", NULL);
  g_autoptr (Batch) b = batch_new (3);
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) model = otter_torch_model_new ("tiny", class_names, SIZE, 3, NULL);
  g_autoptr (OtterTorchTrainer) trainer = trainer_new (model, 1.0, 0.9);

  g_autoptr (OtterTorchModel) plain_model = otter_torch_model_new ("tiny", class_names, SIZE, 3, NULL);
  g_autoptr (OtterTorchTrainer) plain = trainer_new (plain_model, 1.0, 0);
  g_assert_false (otter_torch_trainer_swap_ema (plain));

  steps (trainer, b, 6);
  Snapshot live = snapshot (model, b);
  g_assert_true (otter_torch_trainer_swap_ema (trainer));
  Snapshot average = snapshot (model, b);
  g_assert_false (same_detections (&live, &average));

  /* no training while the average is in place */
  OtterTorchStepResult r;
  g_assert_false (otter_torch_trainer_step (trainer, &b->batch, 0, &r, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (otter_torch_trainer_swap_ema (trainer));
  Snapshot back = snapshot (model, b);
  g_assert_true (same_detections (&live, &back));

  g_assert_true (otter_torch_trainer_save_checkpoint (trainer, ckpt, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (OtterTorchModel) opened = otter_torch_model_load (ckpt, &error);
  g_assert_no_error (error);
  Snapshot from_file = snapshot (opened, b);
  g_assert_true (same_detections (&average, &from_file));

  /* resumed and uninterrupted runs agree */
  g_autoptr (OtterTorchModel) resumed_model = otter_torch_model_new ("tiny", class_names, SIZE, 9, NULL);
  g_autoptr (OtterTorchTrainer) resumed = trainer_new (resumed_model, 1.0, 0.9);
  g_assert_true (otter_torch_trainer_load_checkpoint (resumed, ckpt, &error));
  g_assert_no_error (error);
  Snapshot resumed_live = snapshot (resumed_model, b);
  g_assert_true (same_detections (&live, &resumed_live));
  steps (trainer, b, 2);
  steps (resumed, b, 2);
  g_assert_true (otter_torch_trainer_swap_ema (trainer));
  g_assert_true (otter_torch_trainer_swap_ema (resumed));
  Snapshot x = snapshot (model, b), y = snapshot (resumed_model, b);
  g_assert_true (same_detections (&x, &y));

  Snapshot *all[] = { &live, &average, &back, &from_file, &resumed_live, &x, &y };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    snapshot_clear (all[i]);
  g_unlink (ckpt);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  otter_torch_set_threads (2);
  g_test_add_func ("/otter/finetune/freeze", test_freeze);
  g_test_add_func ("/otter/finetune/backbone-lr-scale", test_backbone_lr_scale);
  g_test_add_func ("/otter/finetune/ema", test_ema);
  return g_test_run ();
}
