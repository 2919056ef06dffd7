/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-batch.c: batch assembly and the prefetching loader thread */
#include "config.h"

#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "otter-batch.h"
#include "otter-dataset-private.h"
#include "otter-demo.h"
#include "otter-error.h"
#include "otter-shuffle.h"

static char *tmp_dir;
static OtterAugmentParams flip_params;   /* what `augment` meant before */

/* ---- fixtures -------------------------------------------------------- */

/* A w × h JPEG with a diagonal pattern, written to the temporary folder. */
static char *
write_jpeg (const char *name,
            int         width,
            int         height,
            double      keep_fraction)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *p = gdk_pixbuf_get_pixels (pixbuf);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);
  gsize length;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *q = p + y * stride + x * 3;

        q[0] = (x * 5 + y * 3) & 0xff;
        q[1] = (x * 2) & 0xff;
        q[2] = (y * 7) & 0xff;
      }
  gdk_pixbuf_save_to_buffer (pixbuf, &data, &length, "jpeg", &error, NULL);
  g_assert_no_error (error);
  g_file_set_contents (path, data, (gssize) (length * keep_fraction), &error);
  g_assert_no_error (error);

  return path;
}

static OtterDataset *
dataset_from_samples (GPtrArray *samples)
{
  const char *const names[] = { "a", "b", "c", NULL };

  return otter_dataset_new_from_parts (OTTER_DATASET_FORMAT_FOLDER, tmp_dir,
                                       g_ptr_array_ref (samples),
                                       g_strdupv ((char **) names),
                                       g_array_new (FALSE, TRUE, sizeof (OtterSkippedSample)));
}

static OtterSample *
file_sample (const char *path)
{
  OtterSample *sample = otter_sample_new (path, NULL, 0, 0);
  OtterBox box = { 10, 20, 50, 60, 1, FALSE };

  otter_sample_add_box (sample, &box);
  return sample;
}

/* ---- otter_batch_new_from_samples ----------------------------------- */

static void
test_from_samples (void)
{
  g_autoptr(OtterDataset) dataset = otter_dataset_new_demo (3, 10, 96);
  const guint indices[] = { 4, 1, 7 };
  g_autoptr(OtterBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  gsize plane = 3 * 64 * 64;

  batch = otter_batch_new_from_samples (dataset, indices, 3, 64, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (batch->n, ==, 3);
  g_assert_cmpint (batch->size, ==, 64);
  g_assert_cmpint (batch->view.n, ==, 3);
  g_assert_true (batch->view.images == batch->images);
  g_assert_true (batch->view.box_start == batch->box_start);
  g_assert_cmpint (batch->box_start[0], ==, 0);

  for (int i = 0; i < 3; i++)
    {
      OtterSample *sample = otter_dataset_get_sample (dataset, indices[i]);
      g_autoptr(OtterImage) image = otter_demo_render (3, indices[i], 96, NULL);
      g_autofree float *expected = g_new (float, plane);
      OtterLetterbox lb;

      g_assert_cmpuint (batch->sample_indices[i], ==, indices[i]);
      g_assert_false (batch->flipped[i]);
      otter_image_letterbox (image, 64, expected, &lb);
      g_assert_cmpmem (batch->images + plane * i, plane * sizeof (float),
                       expected, plane * sizeof (float));
      g_assert_cmpfloat (batch->letterboxes[i].scale, ==, lb.scale);

      g_assert_cmpint (batch->box_start[i + 1] - batch->box_start[i], ==,
                       otter_sample_get_n_boxes (sample));
      for (guint b = 0; b < otter_sample_get_n_boxes (sample); b++)
        {
          const OtterBox *in = otter_sample_get_box (sample, b);
          const OtterTorchBox *out = &batch->boxes[batch->box_start[i] + b];

          g_assert_cmpfloat_with_epsilon (out->x1, in->x1 * 64 / 96, 1e-4);
          g_assert_cmpfloat_with_epsilon (out->y1, in->y1 * 64 / 96, 1e-4);
          g_assert_cmpfloat_with_epsilon (out->x2, in->x2 * 64 / 96, 1e-4);
          g_assert_cmpfloat_with_epsilon (out->y2, in->y2 * 64 / 96, 1e-4);
          g_assert_cmpint (out->class_id, ==, in->class_id);
        }
    }
}

static void
test_flip (void)
{
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(OtterDataset) dataset = NULL;
  g_autoptr(OtterBatch) plain = NULL;
  g_autoptr(OtterBatch) flipped = NULL;
  g_autoptr(GError) error = NULL;
  guint indices[16];
  GRand *rand = g_rand_new_with_seed (99);
  OtterAugmentParams params;
  int size = 48, n_flipped = 0;
  gsize plane = 3 * size * size;

  /* wide images, so the padding shows whether the mirror is right */
  for (guint i = 0; i < G_N_ELEMENTS (indices); i++)
    {
      g_autofree char *name = g_strdup_printf ("flip-%u.jpg", i);
      g_autofree char *path = write_jpeg (name, 120, 80, 1.0);

      g_ptr_array_add (samples, file_sample (path));
      indices[i] = i;
    }
  dataset = dataset_from_samples (samples);

  otter_augment_params_init_flip (&params);
  plain = otter_batch_new_from_samples (dataset, indices, 16, size, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  flipped = otter_batch_new_from_samples (dataset, indices, 16, size, &params, rand, NULL, &error);
  g_assert_no_error (error);

  for (int i = 0; i < 16; i++)
    {
      gboolean flip = flipped->flipped[i];
      const OtterTorchBox *a = &plain->boxes[plain->box_start[i]];
      const OtterTorchBox *b = &flipped->boxes[flipped->box_start[i]];

      /* the record agrees, and a flip changes nothing else */
      g_assert_cmpint (flipped->augments[i].flipped, ==, flip);
      g_assert_cmpfloat (flipped->letterboxes[i].scale, ==, plain->letterboxes[i].scale);
      g_assert_cmpfloat (flipped->letterboxes[i].pad_y, ==, plain->letterboxes[i].pad_y);
      n_flipped += flip;
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < size; y++)
          for (int x = 0; x < size; x++)
            {
              float va = plain->images[plane * i + (c * size + y) * size + x];
              int fx = flip ? size - 1 - x : x;
              float vb = flipped->images[plane * i + (c * size + y) * size + fx];

              g_assert_cmpfloat (va, ==, vb);
            }

      g_assert_cmpfloat_with_epsilon (b->x1, flip ? size - a->x2 : a->x1, 1e-4);
      g_assert_cmpfloat_with_epsilon (b->x2, flip ? size - a->x1 : a->x2, 1e-4);
      g_assert_cmpfloat (b->y1, ==, a->y1);
      g_assert_cmpfloat (b->y2, ==, a->y2);
    }
  g_assert_cmpint (n_flipped, >, 0);
  g_assert_cmpint (n_flipped, <, 16);

  g_rand_free (rand);
}

static void
test_boxes_letterboxed (void)
{
  g_autofree char *path = write_jpeg ("wide.jpg", 200, 100, 1.0);
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(OtterDataset) dataset = NULL;
  g_autoptr(OtterBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  OtterSample *sample = otter_sample_new (path, NULL, 0, 0);
  OtterBox box = { 20, 10, 120, 90, 2, FALSE };
  OtterBox crowd = { 0, 0, 200, 100, 0, TRUE };
  const guint index = 0;

  otter_sample_add_box (sample, &crowd);
  otter_sample_add_box (sample, &box);
  g_ptr_array_add (samples, sample);
  dataset = dataset_from_samples (samples);

  batch = otter_batch_new_from_samples (dataset, &index, 1, 100, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* the crowd region is left out; the box is scaled by 0.5 and moved
   * down by the 25 px band of padding */
  g_assert_cmpint (batch->box_start[1], ==, 1);
  g_assert_cmpfloat_with_epsilon (batch->boxes[0].x1, 10, 1e-4);
  g_assert_cmpfloat_with_epsilon (batch->boxes[0].y1, 30, 1e-4);
  g_assert_cmpfloat_with_epsilon (batch->boxes[0].x2, 60, 1e-4);
  g_assert_cmpfloat_with_epsilon (batch->boxes[0].y2, 70, 1e-4);
  g_assert_cmpint (batch->boxes[0].class_id, ==, 2);
  g_assert_cmpfloat (batch->letterboxes[0].pad_y, ==, 25);
  /* padding rows are grey */
  g_assert_cmpfloat (batch->images[10 * 100 + 50], ==, 0.5f);
  g_assert_cmpfloat (batch->images[90 * 100 + 50], ==, 0.5f);
}

static void
test_failures (void)
{
  g_autofree char *good_a = write_jpeg ("good-a.jpg", 64, 48, 1.0);
  g_autofree char *cut = write_jpeg ("cut.jpg", 64, 48, 0.5);
  g_autofree char *good_b = write_jpeg ("good-b.jpg", 48, 64, 1.0);
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(OtterDataset) dataset = NULL;
  g_autoptr(OtterBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  const guint all[] = { 0, 1, 2 };
  const guint only_bad[] = { 1 };

  g_ptr_array_add (samples, file_sample (good_a));
  g_ptr_array_add (samples, file_sample (cut));
  g_ptr_array_add (samples, file_sample (good_b));
  dataset = dataset_from_samples (samples);

  batch = otter_batch_new_from_samples (dataset, all, 3, 32, NULL, NULL, failures, &error);
  g_assert_no_error (error);
  g_assert_cmpint (batch->n, ==, 2);
  g_assert_cmpuint (batch->sample_indices[0], ==, 0);
  g_assert_cmpuint (batch->sample_indices[1], ==, 2);
  g_assert_cmpint (batch->box_start[2], ==, 2);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_true (g_str_has_prefix (failures->pdata[0], cut));
  g_assert_nonnull (strstr (failures->pdata[0], "truncated"));

  g_clear_pointer (&batch, otter_batch_free);
  batch = otter_batch_new_from_samples (dataset, only_bad, 1, 32, NULL, NULL, NULL, &error);
  g_assert_null (batch);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE);
}

/* ---- the loader ------------------------------------------------------- */

/* Runs one epoch; returns the sample indices in delivery order. */
static GArray *
run_epoch (OtterBatchLoader *loader,
           guint             epoch,
           guint            *n_batches)
{
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));
  OtterBatch *batch;
  GError *error = NULL;

  *n_batches = 0;
  otter_batch_loader_start_epoch (loader, epoch);
  while ((batch = otter_batch_loader_next (loader, NULL, &error)) != NULL)
    {
      g_array_append_vals (order, batch->sample_indices, batch->n);
      (*n_batches)++;
      otter_batch_free (batch);
    }
  g_assert_no_error (error);
  /* after the end, the end again */
  g_assert_null (otter_batch_loader_next (loader, NULL, &error));
  g_assert_no_error (error);

  return order;
}

static void
assert_each_once (GArray *order,
                  guint   n)
{
  g_autofree guint *seen = g_new0 (guint, n);

  g_assert_cmpuint (order->len, ==, n);
  for (guint i = 0; i < order->len; i++)
    {
      guint index = g_array_index (order, guint, i);

      g_assert_cmpuint (index, <, n);
      g_assert_cmpuint (seen[index]++, ==, 0);
    }
}

static gboolean
same_order (GArray *a,
            GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (guint)) == 0;
}

static void
test_loader_epochs (void)
{
  g_autoptr(OtterDataset) dataset = otter_dataset_new_demo (5, 23, 32);
  g_autoptr(OtterBatchLoader) a = otter_batch_loader_new (dataset, 32, 4, TRUE, &flip_params, 11, 2);
  g_autoptr(OtterBatchLoader) b = otter_batch_loader_new (dataset, 32, 4, TRUE, &flip_params, 11, 3);
  g_autoptr(OtterBatchLoader) plain = otter_batch_loader_new (dataset, 32, 4, FALSE, NULL, 11, 1);
  g_autoptr(GArray) a0 = NULL;
  g_autoptr(GArray) a1 = NULL;
  g_autoptr(GArray) b0 = NULL;
  g_autoptr(GArray) p0 = NULL;
  guint n_batches;

  g_assert_cmpuint (otter_batch_loader_get_n_batches (a), ==, 6);

  a0 = run_epoch (a, 0, &n_batches);
  g_assert_cmpuint (n_batches, ==, 6);
  assert_each_once (a0, 23);
  a1 = run_epoch (a, 1, &n_batches);
  assert_each_once (a1, 23);
  b0 = run_epoch (b, 0, &n_batches);

  /* the same (seed, epoch) gives the same order, another epoch another */
  g_assert_true (same_order (a0, b0));
  g_assert_false (same_order (a0, a1));

  p0 = run_epoch (plain, 0, &n_batches);
  assert_each_once (p0, 23);
  for (guint i = 0; i < p0->len; i++)
    g_assert_cmpuint (g_array_index (p0, guint, i), ==, i);
}

static void
test_loader_same_flips (void)
{
  g_autoptr(OtterDataset) dataset = otter_dataset_new_demo (5, 12, 32);
  g_autoptr(OtterBatchLoader) a = otter_batch_loader_new (dataset, 32, 5, TRUE, &flip_params, 4, 1);
  g_autoptr(OtterBatchLoader) b = otter_batch_loader_new (dataset, 32, 5, TRUE, &flip_params, 4, 4);
  guint n_flipped = 0;

  otter_batch_loader_start_epoch (a, 2);
  otter_batch_loader_start_epoch (b, 2);
  for (;;)
    {
      g_autoptr(OtterBatch) x = otter_batch_loader_next (a, NULL, NULL);
      g_autoptr(OtterBatch) y = otter_batch_loader_next (b, NULL, NULL);

      g_assert_true ((x == NULL) == (y == NULL));
      if (x == NULL)
        break;
      g_assert_cmpint (x->n, ==, y->n);
      g_assert_cmpmem (x->flipped, x->n * sizeof (gboolean), y->flipped, y->n * sizeof (gboolean));
      g_assert_cmpmem (x->images, x->n * 3 * 32 * 32 * sizeof (float),
                       y->images, y->n * 3 * 32 * 32 * sizeof (float));
      for (int i = 0; i < x->n; i++)
        n_flipped += x->flipped[i];
    }
  g_assert_cmpuint (n_flipped, >, 0);
}

static void
test_loader_drops_single_last (void)
{
  g_autoptr(OtterDataset) dataset = otter_dataset_new_demo (5, 9, 32);
  g_autoptr(OtterBatchLoader) train = otter_batch_loader_new (dataset, 32, 4, TRUE, NULL, 1, 2);
  g_autoptr(OtterBatchLoader) eval = otter_batch_loader_new (dataset, 32, 4, FALSE, NULL, 1, 2);
  g_autoptr(GArray) train_order = NULL;
  g_autoptr(GArray) eval_order = NULL;
  guint n_batches;

  /* 9 = 4 + 4 + 1: training drops the lone image, evaluation keeps it */
  g_assert_cmpuint (otter_batch_loader_get_n_batches (train), ==, 2);
  g_assert_cmpuint (otter_batch_loader_get_n_batches (eval), ==, 3);
  train_order = run_epoch (train, 0, &n_batches);
  g_assert_cmpuint (train_order->len, ==, 8);
  eval_order = run_epoch (eval, 0, &n_batches);
  assert_each_once (eval_order, 9);
}

static void
test_loader_restart_epoch (void)
{
  g_autoptr(OtterDataset) dataset = otter_dataset_new_demo (5, 30, 32);
  g_autoptr(OtterBatchLoader) loader = otter_batch_loader_new (dataset, 32, 3, TRUE, NULL, 8, 2);
  g_autoptr(OtterBatchLoader) fresh = otter_batch_loader_new (dataset, 32, 3, TRUE, NULL, 8, 2);
  g_autoptr(OtterBatch) first = NULL;
  g_autoptr(GArray) rest = NULL;
  g_autoptr(GArray) expected = NULL;
  guint n_batches;

  /* an epoch abandoned after one batch leaves nothing behind */
  otter_batch_loader_start_epoch (loader, 0);
  first = otter_batch_loader_next (loader, NULL, NULL);
  g_assert_nonnull (first);
  rest = run_epoch (loader, 1, &n_batches);
  expected = run_epoch (fresh, 1, &n_batches);
  assert_each_once (rest, 30);
  g_assert_true (same_order (rest, expected));
}

static void
test_loader_truncated (void)
{
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(OtterDataset) dataset = NULL;
  g_autoptr(OtterBatchLoader) loader = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  g_autofree char *cut = NULL;
  guint n_batches;

  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("loader-%u.jpg", i);
      g_autofree char *path = write_jpeg (name, 60 + i, 50, i == 3 ? 0.6 : 1.0);

      if (i == 3)
        cut = g_strdup (path);
      g_ptr_array_add (samples, file_sample (path));
    }
  dataset = dataset_from_samples (samples);
  loader = otter_batch_loader_new (dataset, 40, 3, TRUE, &flip_params, 2, 2);

  for (guint epoch = 0; epoch < 2; epoch++)
    {
      g_autoptr(GArray) order = run_epoch (loader, epoch, &n_batches);
      guint seen = 0;

      g_assert_cmpuint (order->len, ==, 7);
      for (guint i = 0; i < order->len; i++)
        {
          g_assert_cmpuint (g_array_index (order, guint, i), !=, 3);
          seen |= 1u << g_array_index (order, guint, i);
        }
      g_assert_cmpuint (seen, ==, 0xff & ~(1u << 3));
    }

  /* listed once, though it failed in both epochs */
  failures = otter_batch_loader_dup_failures (loader);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_true (g_str_has_prefix (failures->pdata[0], cut));
}

static void
test_loader_nothing_decodes (void)
{
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(OtterDataset) dataset = NULL;
  g_autoptr(OtterBatchLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  OtterBatch *batch;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%u.jpg", i);
      g_autofree char *path = write_jpeg (name, 30, 30, 0.3);

      g_ptr_array_add (samples, file_sample (path));
    }
  dataset = dataset_from_samples (samples);
  loader = otter_batch_loader_new (dataset, 32, 2, FALSE, NULL, 0, 2);

  otter_batch_loader_start_epoch (loader, 0);
  batch = otter_batch_loader_next (loader, NULL, &error);
  g_assert_null (batch);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE);
  g_clear_error (&error);
  g_assert_null (otter_batch_loader_next (loader, NULL, &error));
  g_assert_no_error (error);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_loader_cancel (void)
{
  /* 128 renders at 512 px take far longer than the 20 ms before cancelling */
  g_autoptr(OtterDataset) dataset = otter_dataset_new_demo (5, 128, 512);
  g_autoptr(OtterBatchLoader) loader = otter_batch_loader_new (dataset, 64, 128, FALSE, NULL, 0, 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;

  otter_batch_loader_start_epoch (loader, 0);
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_null (otter_batch_loader_next (loader, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);

  /* already cancelled: returns at once */
  g_clear_error (&error);
  g_assert_null (otter_batch_loader_next (loader, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* freed while the producer is in the middle of that slow batch */
}

static void
free_blocked_child (void)
{
  g_autoptr(OtterDataset) dataset = otter_dataset_new_demo (5, 100, 32);
  OtterBatchLoader *loader = otter_batch_loader_new (dataset, 32, 2, TRUE, NULL, 0, 1);
  OtterBatch *batch;

  otter_batch_loader_start_epoch (loader, 0);
  batch = otter_batch_loader_next (loader, NULL, NULL);
  g_assert_nonnull (batch);
  otter_batch_free (batch);
  /* time for the producer to fill the one slot and block on the full queue */
  g_usleep (200 * G_TIME_SPAN_MILLISECOND);
  otter_batch_loader_free (loader);
}

static void
test_loader_free_blocked (void)
{
  if (g_test_subprocess ())
    {
      free_blocked_child ();
      return;
    }

  /* a hang fails the test by the timeout instead of blocking the suite */
  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (tmp_dir);
}

/* The shuffle every random order goes through: a permutation, the same
 * for the same seed, another for another seed. */
static void
test_shuffle (void)
{
  guint a[50], b[50], c[50];
  g_autoptr (GRand) ra = g_rand_new_with_seed (7);
  g_autoptr (GRand) rb = g_rand_new_with_seed (7);
  g_autoptr (GRand) rc = g_rand_new_with_seed (8);
  otter_shuffle_indices (a, G_N_ELEMENTS (a), ra);
  otter_shuffle_indices (b, G_N_ELEMENTS (b), rb);
  otter_shuffle_indices (c, G_N_ELEMENTS (c), rc);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  g_assert_true (memcmp (a, c, sizeof a) != 0);

  gboolean seen[50] = { FALSE };
  guint in_place = 0;
  for (guint i = 0; i < G_N_ELEMENTS (a); i++)
    {
      g_assert_cmpuint (a[i], <, G_N_ELEMENTS (a));
      g_assert_false (seen[a[i]]);
      seen[a[i]] = TRUE;
      in_place += a[i] == i;
    }
  /* a random permutation of 50 leaves about one element where it was */
  g_assert_cmpuint (in_place, <, 10);
  guint one = 99;
  otter_shuffle_indices (&one, 1, ra);
  g_assert_cmpuint (one, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  otter_augment_params_init_flip (&flip_params);

  tmp_dir = g_dir_make_tmp ("otter-test-batch-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/otter/Batch/shuffle", test_shuffle);
  g_test_add_func ("/otter/Batch/from-samples", test_from_samples);
  g_test_add_func ("/otter/Batch/flip", test_flip);
  g_test_add_func ("/otter/Batch/boxes-letterboxed", test_boxes_letterboxed);
  g_test_add_func ("/otter/Batch/failures", test_failures);
  g_test_add_func ("/otter/Batch/loader-epochs", test_loader_epochs);
  g_test_add_func ("/otter/Batch/loader-same-flips", test_loader_same_flips);
  g_test_add_func ("/otter/Batch/loader-drops-single-last", test_loader_drops_single_last);
  g_test_add_func ("/otter/Batch/loader-restart-epoch", test_loader_restart_epoch);
  g_test_add_func ("/otter/Batch/loader-truncated", test_loader_truncated);
  g_test_add_func ("/otter/Batch/loader-nothing-decodes", test_loader_nothing_decodes);
  g_test_add_func ("/otter/Batch/loader-cancel", test_loader_cancel);
  g_test_add_func ("/otter/Batch/loader-free-blocked", test_loader_free_blocked);

  ret = g_test_run ();
  remove_tmp_dir ();
  g_free (tmp_dir);
  return ret;
}
