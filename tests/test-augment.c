/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-augment.c: training-time augmentation (placement, crop, colour, flip, mosaic) */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "otter-augment.h"
#include "otter-batch.h"

#define S 128                    /* model input side */
#define N_IMAGES 6
#define N_SEEDS 50

static char *tmp_dir;
static OtterDataset *rects;      /* the drawn-box fixture */
static OtterDataset *broken;     /* the same with image 3 cut short */

/* ---- the drawn-box fixture ------------------------------------------- */

/* Every image has two solid rectangles on a dark background, each of its
 * own colour (class "iI-rR" is rectangle R of image I): a box of the
 * output shows where its colour must be. The rectangles keep a margin from
 * the image's edges and from each other. */
static const int sizes[N_IMAGES][2] = {
  { 160, 120 }, { 120, 160 }, { 200, 100 }, { 140, 140 }, { 180, 120 }, { 128, 128 },
};
static const guint8 background[3] = { 30, 30, 30 };
static const guint8 palette[2 * N_IMAGES][3] = {
  { 230, 30, 30 }, { 30, 200, 30 }, { 30, 30, 230 }, { 230, 230, 30 },
  { 230, 30, 230 }, { 30, 230, 230 }, { 240, 140, 20 }, { 140, 20, 240 },
  { 20, 240, 140 }, { 250, 250, 250 }, { 120, 60, 20 }, { 20, 120, 60 },
};

/* Field by field: the padding after `size` is never written, so comparing
 * the bytes reads whatever the stack or heap held there. */
static void
assert_same_letterbox (const OtterLetterbox *a,
                       const OtterLetterbox *b)
{
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpfloat (a->scale, ==, b->scale);
  g_assert_cmpfloat (a->pad_x, ==, b->pad_x);
  g_assert_cmpfloat (a->pad_y, ==, b->pad_y);
}

static void
rect_of (int image,
         int r,
         int box[4])
{
  int w = sizes[image][0], h = sizes[image][1];

  if (r == 0)
    {
      box[0] = w * 6 / 100;
      box[1] = h * 8 / 100;
      box[2] = w * 40 / 100;
      box[3] = h * 45 / 100;
    }
  else
    {
      box[0] = w * 55 / 100;
      box[1] = h * 50 / 100;
      box[2] = w * 94 / 100;
      box[3] = h * 92 / 100;
    }
}

static void
write_image (const char *path,
             int         image,
             const char *type,
             double      keep_fraction)
{
  int w = sizes[image][0], h = sizes[image][1];
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *p = gdk_pixbuf_get_pixels (pixbuf);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      memcpy (p + y * stride + x * 3, background, 3);
  for (int r = 0; r < 2; r++)
    {
      int box[4];

      rect_of (image, r, box);
      for (int y = box[1]; y < box[3]; y++)
        for (int x = box[0]; x < box[2]; x++)
          memcpy (p + y * stride + x * 3, palette[image * 2 + r], 3);
    }

  gdk_pixbuf_save_to_buffer (pixbuf, &data, &length, type, &error, NULL);
  g_assert_no_error (error);
  g_file_set_contents (path, data, (gssize) (length * keep_fraction), &error);
  g_assert_no_error (error);
}

/* Writes the images and a CSV naming them into `dir`, and loads it;
 * image `cut` (or -1) is cut short. */
static OtterDataset *
write_dataset (const char *dir,
               int         cut)
{
  g_autoptr(GString) csv = g_string_new ("filename,width,height,class,xmin,ymin,xmax,ymax\n");
  g_autofree char *csv_path = g_build_filename (dir, "boxes.csv", NULL);
  g_autoptr(GError) error = NULL;
  OtterDataset *dataset;

  g_mkdir_with_parents (dir, 0700);
  for (int i = 0; i < N_IMAGES; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%d.png", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      write_image (path, i, "png", i == cut ? 0.6 : 1.0);
      for (int r = 0; r < 2; r++)
        {
          int box[4];

          rect_of (i, r, box);
          g_string_append_printf (csv, "%s,%d,%d,i%d-r%d,%d,%d,%d,%d\n", name,
                                  sizes[i][0], sizes[i][1], i, r,
                                  box[0], box[1], box[2], box[3]);
        }
    }
  g_file_set_contents (csv_path, csv->str, -1, &error);
  g_assert_no_error (error);

  dataset = otter_dataset_load (csv_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (dataset)), ==, N_IMAGES);
  return dataset;
}

/* The fixture image a dataset sample shows. */
static int
image_of_sample (OtterDataset *dataset,
                 guint         index)
{
  OtterSample *sample = otter_dataset_get_sample (dataset, index);
  g_autofree char *base = g_path_get_basename (otter_sample_get_image_path (sample));
  int image = -1;

  g_assert_cmpint (sscanf (base, "img-%d.png", &image), ==, 1);
  return image;
}

static void
class_rect (OtterDataset *dataset,
            int           class_id,
            int          *image,
            int          *r)
{
  const char *name = otter_dataset_get_class_names (dataset)[class_id];

  g_assert_cmpint (sscanf (name, "i%d-r%d", image, r), ==, 2);
}

static void
get_pixel (const OtterBatch *batch,
           int               i,
           int               x,
           int               y,
           float             rgb[3])
{
  gsize plane = (gsize) batch->size * batch->size;
  const float *img = batch->images + plane * 3 * i;

  for (int c = 0; c < 3; c++)
    rgb[c] = img[plane * c + (gsize) y * batch->size + x];
}

static float
colour_distance (const float   rgb[3],
                 const guint8  colour[3])
{
  float d = 0;

  for (int c = 0; c < 3; c++)
    d = MAX (d, fabsf (rgb[c] - colour[c] / 255.0f));
  return d;
}

static OtterBatch *
preview (OtterDataset             *dataset,
         guint                     index,
         const OtterAugmentParams *params,
         guint64                   seed)
{
  g_autoptr(GError) error = NULL;
  OtterBatch *batch = otter_batch_new_augmented_preview (dataset, index, S, params, seed, &error);

  g_assert_no_error (error);
  g_assert_cmpint (batch->n, ==, 1);
  return batch;
}

static void
geometry_only (OtterAugmentParams *p)
{
  otter_augment_params_init_photos (p);
  p->hsv_h = p->hsv_s = p->hsv_v = 0;
}

/* A side of a box that lies on the input's edge or a mosaic tile's edge
 * was cut there: what is beyond it is not the image's background. */
static gboolean
near_cut (const OtterAugmentRecord *rec,
          double                    v,
          gboolean                  vertical_side)
{
  if (v < 3 || v > S - 3)
    return TRUE;
  for (guint k = 0; rec->n_tiles > 1 && k < rec->n_tiles; k++)
    for (int e = 0; e < 2; e++)
      {
        double edge = vertical_side ? rec->tile_rects[k][e * 2] : rec->tile_rects[k][e * 2 + 1];

        if (vertical_side && rec->flipped)
          edge = S - edge;
        if (fabs (v - edge) < 3)
          return TRUE;
      }
  return FALSE;
}

/* Every box of image i lies inside the input, and shows its rectangle:
 * its colour inside (2 px in from the edges) and not just outside. */
static void
check_boxes_show_rectangles (OtterDataset     *dataset,
                             const OtterBatch *batch,
                             int               i,
                             guint            *n_checked)
{
  const OtterAugmentRecord *rec = &batch->augments[i];

  for (int b = batch->box_start[i]; b < batch->box_start[i + 1]; b++)
    {
      const OtterTorchBox *box = &batch->boxes[b];
      const guint8 *colour;
      int image, r, found = 0;
      float rgb[3];

      g_assert_cmpfloat (box->x1, >=, 0);
      g_assert_cmpfloat (box->y1, >=, 0);
      g_assert_cmpfloat (box->x2, <=, S);
      g_assert_cmpfloat (box->y2, <=, S);
      g_assert_cmpfloat (box->x1, <, box->x2);
      g_assert_cmpfloat (box->y1, <, box->y2);

      class_rect (dataset, box->class_id, &image, &r);
      colour = palette[image * 2 + r];
      for (guint k = 0; k < rec->n_tiles; k++)
        found += image_of_sample (dataset, rec->tile_indices[k]) == image;
      g_assert_cmpint (found, >, 0);

      for (int y = (int) ceil (box->y1 + 2); y + 1 <= box->y2 - 2; y++)
        for (int x = (int) ceil (box->x1 + 2); x + 1 <= box->x2 - 2; x++)
          {
            get_pixel (batch, i, x, y, rgb);
            g_assert_cmpfloat (colour_distance (rgb, colour), <, 1e-5);
            (*n_checked)++;
          }

      /* three points beyond each side, at least 1.5 px from it */
      for (int q = 1; q <= 3; q++)
        {
          int mx = (int) (box->x1 + (box->x2 - box->x1) * q / 4);
          int my = (int) (box->y1 + (box->y2 - box->y1) * q / 4);
          int px[4] = { (int) floor (box->x1) - 2, (int) ceil (box->x2) + 1, mx, mx };
          int py[4] = { my, my, (int) floor (box->y1) - 2, (int) ceil (box->y2) + 1 };
          double side[4] = { box->x1, box->x2, box->y1, box->y2 };

          for (int s = 0; s < 4; s++)
            {
              if (near_cut (rec, side[s], s < 2))
                continue;
              get_pixel (batch, i, px[s], py[s], rgb);
              g_assert_cmpfloat (colour_distance (rgb, colour), >, 0.1);
              (*n_checked)++;
            }
        }
    }
}

/* The boxes the record's placement gives for an unmosaicked image:
 * mapped, clipped, filtered, mirrored. Counts boxes dropped only because
 * too little of them stayed visible. */
static void
check_boxes_follow_record (OtterDataset             *dataset,
                           const OtterBatch         *batch,
                           int                       i,
                           const OtterAugmentParams *p,
                           guint                    *n_clipped,
                           guint                    *n_dropped)
{
  const OtterAugmentRecord *rec = &batch->augments[i];
  OtterSample *sample = otter_dataset_get_sample (dataset, batch->sample_indices[i]);
  const OtterLetterbox *lb = &rec->tiles[0];
  int b = batch->box_start[i];

  g_assert_cmpuint (rec->n_tiles, ==, 1);
  assert_same_letterbox (lb, &batch->letterboxes[i]);
  g_assert_cmpint (rec->flipped, ==, batch->flipped[i]);

  for (guint k = 0; k < otter_sample_get_n_boxes (sample); k++)
    {
      const OtterBox *in = otter_sample_get_box (sample, k);
      double x1 = in->x1 * lb->scale + lb->pad_x, x2 = in->x2 * lb->scale + lb->pad_x;
      double y1 = in->y1 * lb->scale + lb->pad_y, y2 = in->y2 * lb->scale + lb->pad_y;
      double area = (x2 - x1) * (y2 - y1);
      double cx1 = CLAMP (x1, 0, S), cx2 = CLAMP (x2, 0, S);
      double cy1 = CLAMP (y1, 0, S), cy2 = CLAMP (y2, 0, S);
      double w = cx2 - cx1, h = cy2 - cy1;

      if (cx1 != x1 || cx2 != x2 || cy1 != y1 || cy2 != y2)
        (*n_clipped)++;
      if (w <= 0 || h <= 0 || w < p->min_side || h < p->min_side)
        continue;
      if (w * h < p->min_visible * area)
        {
          (*n_dropped)++;
          continue;
        }
      if (rec->flipped)
        {
          double t = S - cx2;

          cx2 = S - cx1;
          cx1 = t;
        }

      g_assert_cmpint (b, <, batch->box_start[i + 1]);
      g_assert_cmpfloat_with_epsilon (batch->boxes[b].x1, cx1, 1e-3);
      g_assert_cmpfloat_with_epsilon (batch->boxes[b].y1, cy1, 1e-3);
      g_assert_cmpfloat_with_epsilon (batch->boxes[b].x2, cx2, 1e-3);
      g_assert_cmpfloat_with_epsilon (batch->boxes[b].y2, cy2, 1e-3);
      g_assert_cmpint (batch->boxes[b].class_id, ==, in->class_id);
      b++;
    }
  g_assert_cmpint (b, ==, batch->box_start[i + 1]);
}

static void
assert_same_batch (const OtterBatch *a,
                   const OtterBatch *b)
{
  gsize plane = (gsize) 3 * a->size * a->size;

  g_assert_cmpint (a->n, ==, b->n);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpmem (a->sample_indices, a->n * sizeof (guint), b->sample_indices, b->n * sizeof (guint));
  g_assert_cmpmem (a->images, plane * a->n * sizeof (float), b->images, plane * b->n * sizeof (float));
  g_assert_cmpmem (a->box_start, (a->n + 1) * sizeof (int), b->box_start, (b->n + 1) * sizeof (int));
  g_assert_cmpmem (a->boxes, a->box_start[a->n] * sizeof (OtterTorchBox),
                   b->boxes, b->box_start[b->n] * sizeof (OtterTorchBox));
  for (int i = 0; i < a->n; i++)
    {
      g_assert_cmpuint (a->augments[i].seed, ==, b->augments[i].seed);
      g_assert_cmpint (a->augments[i].flipped, ==, b->augments[i].flipped);
      g_assert_cmpuint (a->augments[i].n_tiles, ==, b->augments[i].n_tiles);
      g_assert_cmpmem (a->augments[i].tile_indices, sizeof a->augments[i].tile_indices,
                       b->augments[i].tile_indices, sizeof b->augments[i].tile_indices);
      assert_same_letterbox (&a->letterboxes[i], &b->letterboxes[i]);
    }
}

/* ---- parameters ------------------------------------------------------ */

static void
test_params (void)
{
  OtterAugmentParams p;

  otter_augment_params_init_none (&p);
  g_assert_true (otter_augment_params_is_identity (&p));
  g_assert_true (otter_augment_params_is_valid (&p));
  g_assert_true (otter_augment_params_is_identity (NULL));
  /* without a crop no box is cut, so min_visible alone changes nothing */
  p.min_visible = 0.5;
  g_assert_true (otter_augment_params_is_identity (&p));
  p.min_side = 2;
  g_assert_false (otter_augment_params_is_identity (&p));

  otter_augment_params_init_flip (&p);
  g_assert_true (p.flip);
  g_assert_cmpfloat (p.scale_min, ==, 1.0);
  g_assert_cmpfloat (p.scale_max, ==, 1.0);
  g_assert_false (p.translate);
  g_assert_cmpfloat (p.mosaic, ==, 0);
  g_assert_false (otter_augment_params_is_identity (&p));

  otter_augment_params_init_photos (&p);
  g_assert_true (p.flip && p.translate);
  g_assert_cmpfloat (p.scale_min, ==, 0.5);
  g_assert_cmpfloat (p.scale_max, ==, 1.5);
  g_assert_cmpfloat (p.hsv_h, ==, 0.015);
  g_assert_cmpfloat (p.hsv_s, ==, 0.7);
  g_assert_cmpfloat (p.hsv_v, ==, 0.4);
  g_assert_cmpfloat (p.mosaic, ==, 0);
  g_assert_cmpfloat (p.min_visible, ==, 0.25);
  g_assert_cmpfloat (p.min_side, ==, 2);
  g_assert_true (otter_augment_params_is_valid (&p));

  p.scale_min = 0;
  g_assert_false (otter_augment_params_is_valid (&p));
  p.scale_min = 2;
  g_assert_false (otter_augment_params_is_valid (&p));
  otter_augment_params_init_photos (&p);
  p.hsv_v = NAN;
  g_assert_false (otter_augment_params_is_valid (&p));
  otter_augment_params_init_photos (&p);
  p.mosaic = 1.5;
  g_assert_false (otter_augment_params_is_valid (&p));
}

/* ---- identity ---------------------------------------------------------- */

static void
test_identity (void)
{
  const guint indices[N_IMAGES] = { 0, 1, 2, 3, 4, 5 };
  gsize plane = (gsize) 3 * S * S;
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(OtterBatch) plain = NULL;
  g_autoptr(OtterBatch) none = NULL;
  g_autoptr(GError) error = NULL;
  OtterAugmentParams p;

  otter_augment_params_init_none (&p);
  plain = otter_batch_new_from_samples (rects, indices, N_IMAGES, S, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  none = otter_batch_new_from_samples (rects, indices, N_IMAGES, S, &p, rand, NULL, &error);
  g_assert_no_error (error);
  assert_same_batch (plain, none);

  for (int i = 0; i < N_IMAGES; i++)
    {
      g_autoptr(OtterImage) image = otter_image_load_sample (otter_dataset_get_sample (rects, i),
                                                             &error);
      g_autofree float *expected = g_new (float, plane);
      g_autoptr(OtterBatch) shown = preview (rects, i, &p, 77);
      OtterLetterbox lb;

      g_assert_no_error (error);
      otter_image_letterbox (image, S, expected, &lb);
      g_assert_cmpmem (none->images + plane * i, plane * sizeof (float),
                       expected, plane * sizeof (float));
      assert_same_letterbox (&none->letterboxes[i], &lb);
      g_assert_false (none->flipped[i]);
      g_assert_cmpuint (none->augments[i].n_tiles, ==, 1);
      g_assert_cmpint (none->box_start[i + 1] - none->box_start[i], ==, 2);
      /* the preview of identity parameters is the plain letterbox too */
      g_assert_cmpmem (shown->images, plane * sizeof (float), expected, plane * sizeof (float));
    }
}

/* ---- geometry ---------------------------------------------------------- */

static void
test_geometry (void)
{
  OtterAugmentParams p;
  guint n_checked = 0, n_clipped = 0, n_dropped = 0, n_flipped = 0, n_grey = 0;

  geometry_only (&p);
  for (guint64 seed = 1; seed <= N_SEEDS; seed++)
    for (guint i = 0; i < N_IMAGES; i++)
      {
        g_autoptr(OtterBatch) batch = preview (rects, i, &p, seed * 1000003);
        float rgb[3];

        g_assert_cmpuint (batch->augments[0].seed, ==, seed * 1000003);
        check_boxes_show_rectangles (rects, batch, 0, &n_checked);
        check_boxes_follow_record (rects, batch, 0, &p, &n_clipped, &n_dropped);
        n_flipped += batch->flipped[0];
        get_pixel (batch, 0, 0, 0, rgb);
        n_grey += rgb[0] == 0.5f;
      }

  g_test_message ("%u pixels checked, %u boxes clipped, %u dropped, %u flipped, %u with grey",
                  n_checked, n_clipped, n_dropped, n_flipped, n_grey);
  /* the draws did vary: some crops, drops, mirrors and canvases */
  g_assert_cmpuint (n_checked, >, 10000);
  g_assert_cmpuint (n_clipped, >, 0);
  g_assert_cmpuint (n_dropped, >, 0);
  g_assert_cmpuint (n_flipped, >, N_SEEDS * N_IMAGES / 4);
  g_assert_cmpuint (n_flipped, <, N_SEEDS * N_IMAGES * 3 / 4);
  g_assert_cmpuint (n_grey, >, 0);
}

static void
test_zoom_in_crops (void)
{
  OtterAugmentParams p;
  guint n_clipped_coords = 0, n_checked = 0;

  otter_augment_params_init_none (&p);
  p.scale_min = p.scale_max = 1.5;
  p.translate = TRUE;

  for (guint64 seed = 1; seed <= N_SEEDS; seed++)
    for (guint i = 0; i < N_IMAGES; i++)
      {
        g_autoptr(OtterBatch) batch = preview (rects, i, &p, seed);
        const OtterLetterbox *lb = &batch->letterboxes[0];
        int image = image_of_sample (rects, i);
        double aspect = (double) MAX (sizes[image][0], sizes[image][1])
                        / MIN (sizes[image][0], sizes[image][1]);

        g_assert_true (lb->pad_x <= 0 || lb->pad_y <= 0);
        check_boxes_show_rectangles (rects, batch, 0, &n_checked);
        for (int b = 0; b < batch->box_start[1]; b++)
          {
            const OtterTorchBox *box = &batch->boxes[b];

            n_clipped_coords += (box->x1 == 0) + (box->y1 == 0) + (box->x2 == S) + (box->y2 == S);
          }

        /* 1.5 × the fit of an image no longer than 1.5 × its width
         * covers the whole input: no canvas is left */
        if (aspect < 1.45)
          for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++)
              {
                float rgb[3];

                get_pixel (batch, 0, x, y, rgb);
                g_assert_false (rgb[0] == 0.5f && rgb[1] == 0.5f && rgb[2] == 0.5f);
              }
      }

  g_assert_cmpuint (n_clipped_coords, >, N_SEEDS);
}

static void
test_zoom_in_sharp (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "jpeg", NULL);
  g_autofree char *path = g_build_filename (dir, "big.jpg", NULL);
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(OtterSample) sample = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1024, 768);
  g_autoptr(GError) error = NULL;
  g_autoptr(OtterImage) plain_fit = NULL;
  g_autoptr(OtterImage) zoom_fit = NULL;
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (OtterTorchBox));
  g_autofree float *expected = g_new (float, 3 * S * S);
  g_autofree float *got = g_new (float, 3 * S * S);
  OtterAugmentRecord record;
  OtterAugmentParams p;
  int full_plain[3], full_zoom[3];

  g_mkdir_with_parents (dir, 0700);
  for (int y = 0; y < 768; y++)
    for (int x = 0; x < 1024; x++)
      {
        guint8 *q = gdk_pixbuf_get_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) + x * 3;

        q[0] = (x * 7) & 0xff;
        q[1] = (y * 5) & 0xff;
        q[2] = ((x + y) * 3) & 0xff;
      }
  gdk_pixbuf_save (pixbuf, path, "jpeg", &error, NULL);
  g_assert_no_error (error);
  sample = otter_sample_new (path, NULL, 0, 0);
  g_ptr_array_add (samples, g_object_ref (sample));

  otter_augment_params_init_none (&p);
  p.scale_min = p.scale_max = 1.5;
  g_assert_true (otter_augment_render ((OtterSample **) samples->pdata, 1, 0, S, &p, 3, got,
                                       boxes, &record, failures, &error));
  g_assert_no_error (error);

  /* a 1.5× zoom needs 192 px across: the JPEG is decoded at 1/4 (256
   * px), not at the 1/8 (128 px) that the plain letterbox would take */
  plain_fit = otter_image_load_sample_to_fit (sample, S, full_plain, &error);
  g_assert_no_error (error);
  zoom_fit = otter_image_load_sample_to_fit (sample, S * 3 / 2, full_zoom, &error);
  g_assert_no_error (error);
  g_assert_cmpint (full_plain[2], ==, 8);
  g_assert_cmpint (full_zoom[2], ==, 4);
  otter_image_render_placement (zoom_fit, full_zoom[0], full_zoom[1], full_zoom[2],
                                &record.tiles[0], expected);
  g_assert_cmpmem (got, 3 * S * S * sizeof (float), expected, 3 * S * S * sizeof (float));
  g_assert_cmpfloat (record.tiles[0].scale, ==, 1.5 * S / 1024.0);
  /* centred crop: the image overhangs equally on both sides */
  g_assert_cmpfloat (record.tiles[0].pad_x, ==, (S - 192) / 2);
}

static void
test_zoom_out_grey (void)
{
  OtterAugmentParams p;
  g_autoptr(GHashTable) offsets = g_hash_table_new (NULL, NULL);
  guint n_checked = 0;

  otter_augment_params_init_none (&p);
  p.scale_min = p.scale_max = 0.5;
  p.translate = TRUE;

  for (guint64 seed = 1; seed <= N_SEEDS; seed++)
    for (guint i = 0; i < N_IMAGES; i++)
      {
        g_autoptr(OtterBatch) batch = preview (rects, i, &p, seed);
        const OtterLetterbox *lb = &batch->letterboxes[0];
        int image = image_of_sample (rects, i);
        int extent[4];

        /* the whole image is on the canvas, every box kept */
        otter_letterbox_get_extent (lb, sizes[image][0], sizes[image][1], extent);
        g_assert_cmpint (extent[0], >=, 0);
        g_assert_cmpint (extent[1], >=, 0);
        g_assert_cmpint (extent[2], <=, S);
        g_assert_cmpint (extent[3], <=, S);
        g_assert_cmpint (batch->box_start[1], ==, 2);
        check_boxes_show_rectangles (rects, batch, 0, &n_checked);
        if (image == 0)
          g_hash_table_add (offsets, GINT_TO_POINTER ((int) lb->pad_x * 1000 + (int) lb->pad_y));

        /* and the canvas around it is grey */
        for (int y = 0; y < S; y++)
          for (int x = 0; x < S; x++)
            {
              int ux = batch->flipped[0] ? S - 1 - x : x;
              float rgb[3];

              if (ux >= extent[0] && ux < extent[2] && y >= extent[1] && y < extent[3])
                continue;
              get_pixel (batch, 0, x, y, rgb);
              g_assert_cmpfloat (rgb[0], ==, 0.5f);
              g_assert_cmpfloat (rgb[1], ==, 0.5f);
              g_assert_cmpfloat (rgb[2], ==, 0.5f);
            }
      }

  /* the position is random, not always the centre */
  g_assert_cmpuint (g_hash_table_size (offsets), >, N_SEEDS / 2);
}

static void
test_min_visible (void)
{
  OtterAugmentParams keep_all, p;
  guint n_dropped = 0, n_clipped = 0, n_dropped_here = 0;

  /* zoomed in far enough that boxes are cut at the edges */
  otter_augment_params_init_none (&p);
  p.scale_min = 1.4;
  p.scale_max = 2.0;
  p.translate = TRUE;
  p.min_visible = 0.25;
  keep_all = p;
  keep_all.min_visible = 0;

  for (guint64 seed = 1; seed <= N_SEEDS; seed++)
    for (guint i = 0; i < N_IMAGES; i++)
      {
        g_autoptr(OtterBatch) all = preview (rects, i, &keep_all, seed);
        g_autoptr(OtterBatch) some = preview (rects, i, &p, seed);
        gsize plane = (gsize) 3 * S * S;
        guint n_clipped_all = 0, n_dropped_all = 0;

        /* the filter changes boxes only, never the pixels */
        g_assert_cmpmem (all->images, plane * sizeof (float), some->images, plane * sizeof (float));
        check_boxes_follow_record (rects, all, 0, &keep_all, &n_clipped_all, &n_dropped_all);
        check_boxes_follow_record (rects, some, 0, &p, &n_clipped, &n_dropped);
        g_assert_cmpuint (n_dropped_all, ==, 0);
        n_dropped_here += all->box_start[1] - some->box_start[1];
      }

  g_test_message ("%u boxes clipped, %u dropped as less than a quarter visible",
                  n_clipped, n_dropped);
  g_assert_cmpuint (n_dropped, >, 0);
  g_assert_cmpuint (n_dropped_here, ==, n_dropped);
}

/* ---- colour ------------------------------------------------------------ */

static void
test_colour_jitter (void)
{
  OtterAugmentParams geometry, p;
  gsize plane = (gsize) 3 * S * S;
  guint n_differ = 0;

  geometry_only (&geometry);
  otter_augment_params_init_photos (&p);

  for (guint64 seed = 1; seed <= N_SEEDS; seed++)
    for (guint i = 0; i < N_IMAGES; i++)
      {
        g_autoptr(OtterBatch) plain = preview (rects, i, &geometry, seed);
        g_autoptr(OtterBatch) jittered = preview (rects, i, &p, seed);
        double max_diff = 0;

        /* the same seed gives the same geometry with or without jitter */
        assert_same_letterbox (&plain->letterboxes[0], &jittered->letterboxes[0]);
        g_assert_cmpint (plain->flipped[0], ==, jittered->flipped[0]);
        g_assert_cmpint (plain->box_start[1], ==, jittered->box_start[1]);
        g_assert_cmpmem (plain->boxes, plain->box_start[1] * sizeof (OtterTorchBox),
                         jittered->boxes, jittered->box_start[1] * sizeof (OtterTorchBox));

        for (gsize k = 0; k < plane; k++)
          {
            float v = jittered->images[k];

            g_assert_cmpfloat (v, >=, 0.0f);
            g_assert_cmpfloat (v, <=, 1.0f);
            max_diff = MAX (max_diff, fabs (v - plain->images[k]));
          }
        /* the grey canvas stays the grey of inference */
        for (gsize k = 0; k < plane / 3; k++)
          if (plain->images[k] == 0.5f && plain->images[k + plane / 3] == 0.5f
              && plain->images[k + 2 * plane / 3] == 0.5f)
            for (int c = 0; c < 3; c++)
              g_assert_cmpfloat (jittered->images[k + c * plane / 3], ==, 0.5f);
        n_differ += max_diff > 0.02;
      }

  /* value gains within 0.02 of 1 are drawn about 5 % of the time */
  g_assert_cmpuint (n_differ, >, N_SEEDS * N_IMAGES * 8 / 10);
}

/* Each gain alone does what it says to the rectangles' colours. */
static void
test_colour_gains (void)
{
  OtterAugmentParams p;
  guint n_changed = 0;

  for (int which = 0; which < 3; which++)
    for (guint64 seed = 1; seed <= 20; seed++)
      {
        g_autoptr(OtterBatch) plain = NULL;
        g_autoptr(OtterBatch) batch = NULL;
        const OtterAugmentRecord *rec;
        gsize plane = (gsize) S * S;

        otter_augment_params_init_none (&p);
        p.hsv_h = which == 0 ? 0.5 : 0;
        p.hsv_s = which == 1 ? 0.9 : 0;
        p.hsv_v = which == 2 ? 0.9 : 0;
        batch = preview (rects, seed % N_IMAGES, &p, seed);
        plain = preview (rects, seed % N_IMAGES, NULL, 0);
        rec = &batch->augments[0];

        for (gsize k = 0; k < plane; k++)
          {
            const float *a = plain->images + k, *b = batch->images + k;
            float amax = MAX (a[0], MAX (a[plane], a[2 * plane]));
            float amin = MIN (a[0], MIN (a[plane], a[2 * plane]));
            float bmax = MAX (b[0], MAX (b[plane], b[2 * plane]));
            float bmin = MIN (b[0], MIN (b[plane], b[2 * plane]));

            /* the canvas is not jittered */
            if (a[0] == 0.5f && a[plane] == 0.5f && a[2 * plane] == 0.5f)
              {
                for (int c = 0; c < 3; c++)
                  g_assert_cmpfloat (b[c * plane], ==, 0.5f);
                continue;
              }
            n_changed += fabsf (a[0] - b[0]) > 0.05f;
            switch (which)
              {
              case 0:
                /* a hue shift keeps value (max) and saturation (max - min) */
                g_assert_cmpfloat_with_epsilon (bmax, amax, 1e-4);
                g_assert_cmpfloat_with_epsilon (bmin, amin, 1e-4);
                break;
              case 1:
                /* saturation keeps the value, and greys stay grey */
                g_assert_cmpfloat_with_epsilon (bmax, amax, 1e-4);
                if (amax == amin)
                  g_assert_cmpfloat_with_epsilon (bmin, bmax, 1e-6);
                break;
              default:
                /* value scales every channel alike, up to white */
                for (int c = 0; c < 3; c++)
                  g_assert_cmpfloat_with_epsilon (b[c * plane],
                                                  a[c * plane] * MIN (rec->value, 1.0 / amax), 1e-4);
                break;
              }
          }
      }

  g_assert_cmpuint (n_changed, >, 0);
}

/* ---- determinism ------------------------------------------------------- */

static OtterBatch *
next_batch (OtterBatchLoader *loader)
{
  g_autoptr(GError) error = NULL;
  OtterBatch *batch = otter_batch_loader_next (loader, NULL, &error);

  g_assert_no_error (error);
  return batch;
}

static void
test_deterministic (void)
{
  OtterAugmentParams p;
  g_autoptr(OtterBatchLoader) a = NULL;
  g_autoptr(OtterBatchLoader) b = NULL;
  g_autoptr(GPtrArray) epoch0 = g_ptr_array_new_with_free_func ((GDestroyNotify) otter_batch_free);
  gsize plane = (gsize) 3 * S * S;
  guint n_epoch_differ = 0;

  otter_augment_params_init_photos (&p);
  p.mosaic = 0.5;
  a = otter_batch_loader_new (rects, S, 2, TRUE, &p, 42, 1);
  b = otter_batch_loader_new (rects, S, 2, TRUE, &p, 42, 4);

  /* prefetch depth and decode threads (the loader's pool against a
   * preview in this thread) change nothing */
  otter_batch_loader_start_epoch (a, 0);
  otter_batch_loader_start_epoch (b, 0);
  for (;;)
    {
      OtterBatch *x = next_batch (a);
      g_autoptr(OtterBatch) y = next_batch (b);

      g_assert_true ((x == NULL) == (y == NULL));
      if (x == NULL)
        break;
      assert_same_batch (x, y);
      for (int i = 0; i < x->n; i++)
        {
          g_autoptr(OtterBatch) alone = preview (rects, x->sample_indices[i], &p, x->augments[i].seed);
          int nb = x->box_start[i + 1] - x->box_start[i];

          g_assert_cmpmem (alone->images, plane * sizeof (float),
                           x->images + plane * i, plane * sizeof (float));
          g_assert_cmpint (alone->box_start[1], ==, nb);
          g_assert_cmpmem (alone->boxes, nb * sizeof (OtterTorchBox),
                           x->boxes + x->box_start[i], nb * sizeof (OtterTorchBox));
        }
      g_ptr_array_add (epoch0, x);
    }

  /* another epoch draws again */
  otter_batch_loader_start_epoch (a, 1);
  for (;;)
    {
      g_autoptr(OtterBatch) x = next_batch (a);

      if (x == NULL)
        break;
      for (int i = 0; i < x->n; i++)
        for (guint e = 0; e < epoch0->len; e++)
          {
            OtterBatch *y = epoch0->pdata[e];

            for (int j = 0; j < y->n; j++)
              if (y->sample_indices[j] == x->sample_indices[i])
                {
                  g_assert_cmpuint (y->augments[j].seed, !=, x->augments[i].seed);
                  n_epoch_differ += memcmp (y->images + plane * j, x->images + plane * i,
                                            plane * sizeof (float)) != 0;
                }
          }
    }
  g_assert_cmpuint (n_epoch_differ, ==, N_IMAGES);
}

static void
test_same_rand_same_batch (void)
{
  const guint indices[] = { 4, 0, 2, 2, 5 };
  g_autoptr(GRand) r1 = g_rand_new_with_seed (9);
  g_autoptr(GRand) r2 = g_rand_new_with_seed (9);
  g_autoptr(GRand) r3 = g_rand_new_with_seed (10);
  g_autoptr(OtterBatch) a = NULL;
  g_autoptr(OtterBatch) b = NULL;
  g_autoptr(OtterBatch) c = NULL;
  g_autoptr(GError) error = NULL;
  OtterAugmentParams p;

  otter_augment_params_init_photos (&p);
  p.mosaic = 0.5;
  a = otter_batch_new_from_samples (rects, indices, G_N_ELEMENTS (indices), S, &p, r1, NULL, &error);
  g_assert_no_error (error);
  b = otter_batch_new_from_samples (rects, indices, G_N_ELEMENTS (indices), S, &p, r2, NULL, &error);
  g_assert_no_error (error);
  c = otter_batch_new_from_samples (rects, indices, G_N_ELEMENTS (indices), S, &p, r3, NULL, &error);
  g_assert_no_error (error);

  assert_same_batch (a, b);
  /* one draw per image: the repeated index is augmented twice, differently */
  g_assert_cmpuint (a->augments[2].seed, !=, a->augments[3].seed);
  g_assert_true (memcmp (a->images, c->images, (gsize) 3 * S * S * a->n * sizeof (float)) != 0);
}

static void
test_failure_changes_nothing_else (void)
{
  g_autoptr(OtterBatchLoader) a = NULL;
  g_autoptr(OtterBatchLoader) b = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  g_autoptr(GHashTable) images = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  gsize plane = (gsize) 3 * S * S;
  guint n_compared = 0;
  OtterAugmentParams p;

  geometry_only (&p);
  p.hsv_v = 0.4;
  a = otter_batch_loader_new (rects, S, 3, TRUE, &p, 8, 2);
  b = otter_batch_loader_new (broken, S, 3, TRUE, &p, 8, 2);

  otter_batch_loader_start_epoch (a, 0);
  for (OtterBatch *x; (x = next_batch (a)) != NULL; otter_batch_free (x))
    for (int i = 0; i < x->n; i++)
      g_hash_table_insert (images, GINT_TO_POINTER (image_of_sample (rects, x->sample_indices[i])),
                           g_memdup2 (x->images + plane * i, plane * sizeof (float)));

  /* the other images come out exactly as when image 3 decodes */
  otter_batch_loader_start_epoch (b, 0);
  for (OtterBatch *x; (x = next_batch (b)) != NULL; otter_batch_free (x))
    for (int i = 0; i < x->n; i++)
      {
        int image = image_of_sample (broken, x->sample_indices[i]);

        g_assert_cmpint (image, !=, 3);
        g_assert_cmpmem (g_hash_table_lookup (images, GINT_TO_POINTER (image)), plane * sizeof (float),
                         x->images + plane * i, plane * sizeof (float));
        n_compared++;
      }
  g_assert_cmpuint (n_compared, ==, N_IMAGES - 1);
  failures = otter_batch_loader_dup_failures (b);
  g_assert_cmpuint (failures->len, ==, 1);
}

/* ---- mosaic ------------------------------------------------------------ */

static void
test_mosaic (void)
{
  OtterAugmentParams p;
  guint n_checked = 0, n_four_sources = 0;

  otter_augment_params_init_none (&p);
  p.mosaic = 1;
  p.flip = TRUE;

  for (guint64 seed = 1; seed <= N_SEEDS; seed++)
    for (guint i = 0; i < N_IMAGES; i++)
      {
        g_autoptr(OtterBatch) batch = preview (rects, i, &p, seed);
        const OtterAugmentRecord *rec = &batch->augments[0];
        int cx = rec->tile_rects[0][2], cy = rec->tile_rects[0][3];
        gboolean from_image[N_IMAGES] = { FALSE, };
        guint n_sources = 0, area = 0;

        g_assert_cmpuint (rec->n_tiles, ==, 4);
        g_assert_cmpuint (rec->tile_indices[0], ==, i);
        for (guint k = 1; k < 4; k++)
          {
            g_assert_cmpuint (rec->tile_indices[k], !=, i);
            g_assert_cmpuint (rec->tile_indices[k], <, N_IMAGES);
          }

        /* the quadrants around a centre in the middle half tile the input */
        g_assert_cmpint (cx, >=, S / 4);
        g_assert_cmpint (cx, <=, 3 * S / 4);
        g_assert_cmpint (cy, >=, S / 4);
        g_assert_cmpint (cy, <=, 3 * S / 4);
        for (guint k = 0; k < 4; k++)
          {
            const int *r = rec->tile_rects[k];

            area += (r[2] - r[0]) * (r[3] - r[1]);
            g_assert_cmpint (r[0], ==, k % 2 == 0 ? 0 : cx);
            g_assert_cmpint (r[2], ==, k % 2 == 0 ? cx : S);
            g_assert_cmpint (r[1], ==, k < 2 ? 0 : cy);
            g_assert_cmpint (r[3], ==, k < 2 ? cy : S);
          }
        g_assert_cmpuint (area, ==, S * S);

        /* each image has its corner at the centre: the four pixels there
         * are the images' background, not canvas */
        for (int dy = -1; dy <= 0; dy++)
          for (int dx = -1; dx <= 0; dx++)
            {
              int x = batch->flipped[0] ? S - 1 - (cx + dx) : cx + dx;
              float rgb[3];

              get_pixel (batch, 0, x, cy + dy, rgb);
              g_assert_cmpfloat (colour_distance (rgb, background), <, 1e-5);
            }

        check_boxes_show_rectangles (rects, batch, 0, &n_checked);
        for (int b = 0; b < batch->box_start[1]; b++)
          {
            int image, r;

            class_rect (rects, batch->boxes[b].class_id, &image, &r);
            if (!from_image[image])
              n_sources++;
            from_image[image] = TRUE;
          }
        n_four_sources += n_sources == 4;
      }

  g_test_message ("%u pixels checked, %u mosaics with boxes from four images",
                  n_checked, n_four_sources);
  g_assert_cmpuint (n_four_sources, >, 0);
}

/* A partner that does not decode leaves its quadrant grey and is listed;
 * the image itself is kept. */
static void
test_mosaic_partner_fails (void)
{
  guint indices[N_IMAGES - 1], n = 0, n_failed_tiles = 0;
  OtterAugmentParams p;

  for (guint i = 0; i < N_IMAGES; i++)
    if (image_of_sample (broken, i) != 3)
      indices[n++] = i;
  otter_augment_params_init_none (&p);
  p.mosaic = 1;

  for (guint32 seed = 1; seed <= 10; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(OtterBatch) batch = NULL;
      g_autoptr(GError) error = NULL;
      guint n_failed_here = 0;

      batch = otter_batch_new_from_samples (broken, indices, n, S, &p, rand, failures, &error);
      g_assert_no_error (error);
      g_assert_cmpint (batch->n, ==, (int) n);

      for (int i = 0; i < batch->n; i++)
        for (guint k = 0; k < 4; k++)
          {
            const OtterAugmentRecord *rec = &batch->augments[i];
            const int *r = rec->tile_rects[k];
            gboolean bad = image_of_sample (broken, rec->tile_indices[k]) == 3;

            g_assert_cmpint (rec->tile_failed[k], ==, bad);
            if (!bad)
              continue;
            n_failed_here++;
            for (int y = r[1]; y < r[3]; y++)
              for (int x = r[0]; x < r[2]; x++)
                {
                  float rgb[3];

                  get_pixel (batch, i, x, y, rgb);
                  for (int c = 0; c < 3; c++)
                    g_assert_cmpfloat (rgb[c], ==, 0.5f);
                }
          }

      g_assert_cmpuint (failures->len, ==, n_failed_here);
      for (guint f = 0; f < failures->len; f++)
        g_assert_nonnull (strstr (failures->pdata[f], "img-3.png"));
      n_failed_tiles += n_failed_here;
    }

  g_assert_cmpuint (n_failed_tiles, >, 0);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("otter-test-augment-XXXXXX", &error);
  g_assert_no_error (error);
  dir = g_build_filename (tmp_dir, "rects", NULL);
  rects = write_dataset (dir, -1);
  g_free (dir);
  dir = g_build_filename (tmp_dir, "broken", NULL);
  broken = write_dataset (dir, 3);

  g_test_add_func ("/otter/augment/params", test_params);
  g_test_add_func ("/otter/augment/identity", test_identity);
  g_test_add_func ("/otter/augment/geometry", test_geometry);
  g_test_add_func ("/otter/augment/zoom-in-crops", test_zoom_in_crops);
  g_test_add_func ("/otter/augment/zoom-in-sharp", test_zoom_in_sharp);
  g_test_add_func ("/otter/augment/zoom-out-grey", test_zoom_out_grey);
  g_test_add_func ("/otter/augment/min-visible", test_min_visible);
  g_test_add_func ("/otter/augment/colour-jitter", test_colour_jitter);
  g_test_add_func ("/otter/augment/colour-gains", test_colour_gains);
  g_test_add_func ("/otter/augment/deterministic", test_deterministic);
  g_test_add_func ("/otter/augment/same-rand-same-batch", test_same_rand_same_batch);
  g_test_add_func ("/otter/augment/failure-changes-nothing-else", test_failure_changes_nothing_else);
  g_test_add_func ("/otter/augment/mosaic", test_mosaic);
  g_test_add_func ("/otter/augment/mosaic-partner-fails", test_mosaic_partner_fails);

  ret = g_test_run ();
  g_clear_object (&rects);
  g_clear_object (&broken);
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
