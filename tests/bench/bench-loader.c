/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-loader.c: images per second through OtterBatchLoader on the raccoon images
 *
 * Peer: plain single-threaded gdk_pixbuf_new_from_file() +
 * gdk_pixbuf_scale_simple() (bilinear) to the same letterboxed size, the
 * obvious way to write this. Also shown, to separate the effect of the
 * thread from that of the decoding: otter_image_load() +
 * otter_image_letterbox() called in a plain loop.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "otter-batch.h"
#include "otter-dataset.h"

#define INPUT_SIZE 320
#define BATCH_SIZE 16
#define ROUNDS 3

static GPtrArray *
list_images (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".jpg"))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  return paths;
}

static double
run_loader (OtterDataset *dataset,
            guint         epoch,
            guint        *n_images)
{
  g_autoptr(OtterBatchLoader) loader = NULL;
  OtterBatch *batch;
  gint64 start;
  g_autoptr(GError) error = NULL;

  loader = otter_batch_loader_new (dataset, INPUT_SIZE, BATCH_SIZE, FALSE, NULL, 1, 4);
  *n_images = 0;
  start = g_get_monotonic_time ();
  otter_batch_loader_start_epoch (loader, epoch);
  while ((batch = otter_batch_loader_next (loader, NULL, &error)) != NULL)
    {
      *n_images += batch->n;
      otter_batch_free (batch);
    }
  if (error != NULL)
    g_error ("loader: %s", error->message);

  return (g_get_monotonic_time () - start) / 1e6;
}

static double
run_plain_otter (GPtrArray *paths)
{
  g_autofree float *chw = g_new (float, 3 * INPUT_SIZE * INPUT_SIZE);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OtterImage) image = otter_image_load (paths->pdata[i], &error);

      if (image == NULL)
        g_error ("%s", error->message);
      otter_image_letterbox (image, INPUT_SIZE, chw, NULL);
    }

  return (g_get_monotonic_time () - start) / 1e6;
}

static double
run_peer (GPtrArray *paths)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (paths->pdata[i], &error);
      g_autoptr(GdkPixbuf) scaled = NULL;
      int w, h;
      double scale;

      if (pixbuf == NULL)
        g_error ("%s", error->message);
      w = gdk_pixbuf_get_width (pixbuf);
      h = gdk_pixbuf_get_height (pixbuf);
      scale = MIN ((double) INPUT_SIZE / w, (double) INPUT_SIZE / h);
      scaled = gdk_pixbuf_scale_simple (pixbuf, MAX (1, (int) floor (w * scale + 0.5)),
                                        MAX (1, (int) floor (h * scale + 0.5)),
                                        GDK_INTERP_BILINEAR);
    }

  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int   argc,
      char *argv[])
{
  const char *shared = g_getenv ("OTTER_SHARED_DATASETS");
  g_autofree char *root = NULL;
  g_autofree char *images_dir = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(OtterDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  double best_loader = G_MAXDOUBLE, best_plain = G_MAXDOUBLE, best_peer = G_MAXDOUBLE;
  guint n_images = 0;

  if (shared == NULL)
    {
      g_printerr ("OTTER_SHARED_DATASETS is not set (path to shared/datasets)\n");
      return 77;
    }
  root = g_build_filename (shared, "raccoon", NULL);
  images_dir = g_build_filename (root, "images", NULL);
  paths = list_images (images_dir);
  if (paths->len == 0)
    {
      g_printerr ("no images in %s\n", images_dir);
      return 77;
    }

  /* The raccoon set with its VOC boxes, as training would see it. */
  dataset = otter_dataset_load (root, NULL, &error);
  if (dataset == NULL)
    g_error ("%s: %s", root, error->message);

  /* Warm the page cache, so every contender reads from memory. */
  run_peer (paths);

  for (int round = 0; round < ROUNDS; round++)
    {
      best_loader = MIN (best_loader, run_loader (dataset, round, &n_images));
      best_plain = MIN (best_plain, run_plain_otter (paths));
      best_peer = MIN (best_peer, run_peer (paths));
    }

  printf ("bench-loader: raccoon, %u images (loader: %u), input %d px, batch %d, best of %d, %u CPUs\n",
          paths->len, n_images, INPUT_SIZE, BATCH_SIZE, ROUNDS, g_get_num_processors ());
  printf ("  OtterBatchLoader (decode + letterbox to CHW floats)   %8.1f images/s\n",
          n_images / best_loader);
  printf ("  otter_image_load + letterbox, plain loop             %8.1f images/s\n",
          paths->len / best_plain);
  printf ("  peer: gdk_pixbuf_new_from_file + scale_simple, 1 thr  %8.1f images/s\n",
          paths->len / best_peer);
  printf ("  ratio loader / peer: %.2f×\n", (n_images / best_loader) / (paths->len / best_peer));

  return 0;
}
