/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-augment.c: training-time augmentation of one image (placement, colour, flip, mosaic)
 *
 * Everything random about an image comes from its own 64-bit seed, and
 * every value is drawn whether or not the parameters use it: the same
 * seed then gives the same crop with colour jitter on or off, and the
 * result depends neither on the decode threads nor on other images.
 * Steps: choose a placement (zoom relative to the letterbox fit, offset,
 * possibly a crop) or a 2×2 mosaic, render, jitter the colours of the
 * image pixels (the grey canvas stays 0.5, as at inference), mirror.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "otter-augment.h"
#include "otter-torch.h"

/* The draws of one image, in the order they are made. */
typedef struct
{
  gboolean flip;
  double   zoom;
  double   place_x, place_y;      /* [0, 1): which of the possible offsets */
  double   hue, saturation, value;
  gboolean mosaic;
  double   centre_x, centre_y;    /* the mosaic's centre, fractions of the input */
  double   partner[OTTER_AUGMENT_MAX_TILES - 1];
} Draw;

/**
 * otter_augment_params_init_none:
 * @p: (out): parameters
 *
 * Sets parameters that change nothing: the plain letterbox.
 */
void
otter_augment_params_init_none (OtterAugmentParams *p)
{
  g_return_if_fail (p != NULL);

  memset (p, 0, sizeof *p);
  p->scale_min = 1.0;
  p->scale_max = 1.0;
}

/**
 * otter_augment_params_init_flip:
 * @p: (out): parameters
 *
 * Sets the random left-right mirror alone, what the loader's `augment`
 * flag meant before the other transforms existed (the demo keeps it: its
 * shapes are already drawn at random sizes and places).
 */
void
otter_augment_params_init_flip (OtterAugmentParams *p)
{
  otter_augment_params_init_none (p);
  p->flip = TRUE;
}

/**
 * otter_augment_params_init_photos:
 * @p: (out): parameters
 *
 * Sets the augmentation for detectors trained on a few hundred photos:
 * mirror, zoom 0.5–1.5 with random placement, YOLOv5's colour jitter
 * (0.015, 0.7, 0.4), no mosaic; boxes cropped to under a quarter of their
 * area or under 2 px are dropped.
 */
void
otter_augment_params_init_photos (OtterAugmentParams *p)
{
  otter_augment_params_init_none (p);
  p->flip = TRUE;
  p->scale_min = 0.5;
  p->scale_max = 1.5;
  p->translate = TRUE;
  p->hsv_h = 0.015;
  p->hsv_s = 0.7;
  p->hsv_v = 0.4;
  p->mosaic = 0.0;
  p->min_visible = 0.25;
  p->min_side = 2.0;
}

/**
 * otter_augment_params_is_identity:
 * @p: (nullable): parameters
 *
 * Returns: whether @p changes neither pixels nor boxes (%NULL does not).
 *   @min_visible alone changes nothing: without a zoom or a move no box
 *   is cropped.
 */
gboolean
otter_augment_params_is_identity (const OtterAugmentParams *p)
{
  if (p == NULL)
    return TRUE;

  return !p->flip
         && p->scale_min == 1.0 && p->scale_max == 1.0
         && !p->translate
         && p->hsv_h == 0.0 && p->hsv_s == 0.0 && p->hsv_v == 0.0
         && p->mosaic <= 0.0
         && p->min_side <= 0.0;
}

/**
 * otter_augment_params_is_valid:
 * @p: parameters
 *
 * Returns: whether the values are in range: 0 < scale_min ≤ scale_max ≤
 *   4, hue gain in [0, 0.5], saturation and value gains in [0, 1], mosaic
 *   and min_visible in [0, 1], min_side ≥ 0 (NaN is out of range)
 */
gboolean
otter_augment_params_is_valid (const OtterAugmentParams *p)
{
  g_return_val_if_fail (p != NULL, FALSE);

  /* written so that NaN fails every comparison */
  return p->scale_min > 0.0 && p->scale_min <= p->scale_max && p->scale_max <= 4.0
         && p->hsv_h >= 0.0 && p->hsv_h <= 0.5
         && p->hsv_s >= 0.0 && p->hsv_s <= 1.0
         && p->hsv_v >= 0.0 && p->hsv_v <= 1.0
         && p->mosaic >= 0.0 && p->mosaic <= 1.0
         && p->min_visible >= 0.0 && p->min_visible <= 1.0
         && p->min_side >= 0.0;
}

static void
draw_init (Draw                     *d,
           const OtterAugmentParams *p,
           guint64                   seed)
{
  guint32 words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));
  /* drawn before the test of p->flip, which would skip it */
  gboolean flip = g_rand_boolean (rand);

  d->flip = p->flip && flip;
  d->zoom = p->scale_min + g_rand_double (rand) * (p->scale_max - p->scale_min);
  d->place_x = g_rand_double (rand);
  d->place_y = g_rand_double (rand);
  d->hue = p->hsv_h * g_rand_double_range (rand, -1.0, 1.0);
  d->saturation = 1.0 + p->hsv_s * g_rand_double_range (rand, -1.0, 1.0);
  d->value = 1.0 + p->hsv_v * g_rand_double_range (rand, -1.0, 1.0);
  /* a strict < keeps mosaic = 0 off and makes mosaic = 1 always on */
  d->mosaic = g_rand_double (rand) < p->mosaic;
  d->centre_x = 0.25 + 0.5 * g_rand_double (rand);
  d->centre_y = 0.25 + 0.5 * g_rand_double (rand);
  for (guint i = 0; i < G_N_ELEMENTS (d->partner); i++)
    d->partner[i] = g_rand_double (rand);
}

/* The offset of an image side `room` pixels smaller than the input
 * (negative room: larger, and the offset picks the crop). */
static int
choose_offset (int      room,
               gboolean translate,
               double   u)
{
  int n, k;

  if (!translate)
    return room / 2;

  n = ABS (room) + 1;
  k = MIN ((int) (u * n), n - 1);
  return room >= 0 ? k : -k;
}

/* A placement at `zoom` times the letterbox fit, at offset 0; ext_w and
 * ext_h get the size it covers. */
static void
placement_zoomed (OtterLetterbox *lb,
                  int             full_w,
                  int             full_h,
                  int             size,
                  double          zoom,
                  int            *ext_w,
                  int            *ext_h)
{
  int extent[4];

  otter_letterbox_init_fit (lb, full_w, full_h, size);
  lb->scale *= zoom;
  lb->pad_x = 0;
  lb->pad_y = 0;
  otter_letterbox_get_extent (lb, full_w, full_h, extent);
  *ext_w = extent[2];
  *ext_h = extent[3];
}

/* Maps the boxes of `sample` through `lb`, clips them to `rect`, drops
 * those that the crop left too small and mirrors the rest when `flip`
 * (the image is mirrored after rendering). */
static void
append_boxes (OtterSample              *sample,
              const OtterLetterbox     *lb,
              const int                 rect[4],
              const OtterAugmentParams *p,
              gboolean                  flip,
              GArray                   *boxes)
{
  guint n = otter_sample_get_n_boxes (sample);

  for (guint i = 0; i < n; i++)
    {
      const OtterBox *box = otter_sample_get_box (sample, i);
      double x1 = box->x1, y1 = box->y1, x2 = box->x2, y2 = box->y2;
      double area, w, h;
      OtterTorchBox out;

      /* Crowd regions are not objects to find; training on them teaches
       * the detector to put one box around a whole crowd. */
      if (box->crowd)
        continue;

      otter_letterbox_to_input (lb, &x1, &y1);
      otter_letterbox_to_input (lb, &x2, &y2);
      area = (x2 - x1) * (y2 - y1);
      x1 = CLAMP (x1, rect[0], rect[2]);
      y1 = CLAMP (y1, rect[1], rect[3]);
      x2 = CLAMP (x2, rect[0], rect[2]);
      y2 = CLAMP (y2, rect[1], rect[3]);
      w = x2 - x1;
      h = y2 - y1;
      if (w <= 0 || h <= 0 || w < p->min_side || h < p->min_side)
        continue;
      /* a sliver of an object at the crop's edge is not that object */
      if (w * h < p->min_visible * area)
        continue;
      if (flip)
        {
          double t = lb->size - x2;

          x2 = lb->size - x1;
          x1 = t;
        }

      out.x1 = x1;
      out.y1 = y1;
      out.x2 = x2;
      out.y2 = y2;
      out.class_id = box->class_id;
      g_array_append_val (boxes, out);
    }
}

static void
fill_grey (float     *chw,
           int        size,
           const int  rect[4])
{
  for (int c = 0; c < 3; c++)
    for (int y = rect[1]; y < rect[3]; y++)
      {
        float *r = chw + ((gsize) c * size + y) * size;

        for (int x = rect[0]; x < rect[2]; x++)
          r[x] = 0.5f;
      }
}

/* HSV jitter of the pixels in `rect`: hue shifted by `hue` turns,
 * saturation and value scaled and clipped to [0, 1]. */
static void
jitter_colours (float     *chw,
                int        size,
                const int  rect[4],
                double     hue,
                double     saturation,
                double     value)
{
  gsize plane = (gsize) size * size;
  float shift = (float) (hue * 6.0);
  float gs = (float) saturation, gv = (float) value;

  if (shift < 0)
    shift += 6.0f;

  for (int y = rect[1]; y < rect[3]; y++)
    {
      float *pr = chw + (gsize) y * size;
      float *pg = pr + plane;
      float *pb = pg + plane;

      for (int x = rect[0]; x < rect[2]; x++)
        {
          float r = pr[x], g = pg[x], b = pb[x];
          float max = MAX (r, MAX (g, b));
          float min = MIN (r, MIN (g, b));
          float delta = max - min;
          float h = 0, s, v, f, lo, mid_down, mid_up;
          int sector;

          if (max <= 0)
            continue;               /* black stays black whatever the gains */

          if (delta > 0)
            {
              if (max == r)
                h = (g - b) / delta;
              else if (max == g)
                h = 2 + (b - r) / delta;
              else
                h = 4 + (r - g) / delta;
            }
          h += shift;
          while (h < 0)
            h += 6;
          while (h >= 6)
            h -= 6;
          s = MIN (delta / max * gs, 1.0f);
          v = MIN (max * gv, 1.0f);

          sector = MIN ((int) h, 5);
          f = h - sector;
          lo = v * (1 - s);
          mid_down = v * (1 - s * f);
          mid_up = v * (1 - s * (1 - f));
          switch (sector)
            {
            case 0: r = v; g = mid_up; b = lo; break;
            case 1: r = mid_down; g = v; b = lo; break;
            case 2: r = lo; g = v; b = mid_up; break;
            case 3: r = lo; g = mid_down; b = v; break;
            case 4: r = mid_up; g = lo; b = v; break;
            default: r = v; g = lo; b = mid_down; break;
            }
          pr[x] = r;
          pg[x] = g;
          pb[x] = b;
        }
    }
}

static void
flip_horizontally (float *chw,
                   int    size)
{
  for (int row = 0; row < 3 * size; row++)
    {
      float *r = chw + (gsize) row * size;

      for (int a = 0, b = size - 1; a < b; a++, b--)
        {
          float t = r[a];

          r[a] = r[b];
          r[b] = t;
        }
    }
}

/* Decodes one sample for a placement of `zoom` times the fit of an input
 * of `size`: a JPEG is reduced only as far as the zoomed size allows, so
 * a crop is as sharp as the file. */
static OtterImage *
load_for_zoom (OtterSample  *sample,
               int           size,
               double        zoom,
               int           full[3],
               GError      **error)
{
  int fit_size = MAX ((int) ceil (size * zoom), 1);

  return otter_image_load_sample_to_fit (sample, fit_size, full, error);
}

static gboolean
render_single (OtterSample              *sample,
               int                       size,
               const OtterAugmentParams *p,
               const Draw               *d,
               float                    *chw_out,
               GArray                   *boxes,
               OtterAugmentRecord       *record,
               int                       drawn[4],
               GError                  **error)
{
  g_autoptr(OtterImage) image = NULL;
  OtterLetterbox *lb = &record->tiles[0];
  int full[3], ext_w, ext_h;
  int *rect = record->tile_rects[0];

  image = load_for_zoom (sample, size, d->zoom, full, error);
  if (image == NULL)
    return FALSE;

  placement_zoomed (lb, full[0], full[1], size, d->zoom, &ext_w, &ext_h);
  lb->pad_x = choose_offset (size - ext_w, p->translate, d->place_x);
  lb->pad_y = choose_offset (size - ext_h, p->translate, d->place_y);
  rect[0] = rect[1] = 0;
  rect[2] = rect[3] = size;

  otter_image_render_placement_clipped (image, full[0], full[1], full[2], lb, rect,
                                        chw_out, drawn);
  append_boxes (sample, lb, rect, p, d->flip, boxes);
  return TRUE;
}

/* Four images around a random centre, each fitted to half the input and
 * zoomed, with the corner that faces the centre on it (so the centre
 * region is always covered) and cropped to its quadrant. The image itself
 * is the top-left tile. */
static gboolean
render_mosaic (OtterSample *const       *samples,
               guint                     n_samples,
               guint                     index,
               int                       size,
               const OtterAugmentParams *p,
               const Draw               *d,
               float                    *chw_out,
               GArray                   *boxes,
               OtterAugmentRecord       *record,
               int                       drawn[][4],
               GPtrArray                *failures,
               GError                  **error)
{
  int cx = CLAMP ((int) (size * d->centre_x), 0, size);
  int cy = CLAMP ((int) (size * d->centre_y), 0, size);

  record->n_tiles = OTTER_AUGMENT_MAX_TILES;
  record->tile_indices[0] = index;
  for (guint k = 1; k < OTTER_AUGMENT_MAX_TILES; k++)
    {
      guint j = index;

      /* one of the others, with repeats: a few hundred images have few
       * enough that excluding repeats would bias the draw */
      if (n_samples > 1)
        {
          j = MIN ((guint) (d->partner[k - 1] * (n_samples - 1)), n_samples - 2);
          if (j >= index)
            j++;
        }
      record->tile_indices[k] = j;
    }

  for (guint k = 0; k < OTTER_AUGMENT_MAX_TILES; k++)
    {
      gboolean left = k % 2 == 0, top = k < 2;
      OtterSample *sample = samples[record->tile_indices[k]];
      OtterLetterbox *lb = &record->tiles[k];
      int *rect = record->tile_rects[k];
      g_autoptr(OtterImage) image = NULL;
      g_autoptr(GError) local = NULL;
      int full[3], ext_w, ext_h;

      rect[0] = left ? 0 : cx;
      rect[1] = top ? 0 : cy;
      rect[2] = left ? cx : size;
      rect[3] = top ? cy : size;
      memset (drawn[k], 0, sizeof drawn[k]);

      image = load_for_zoom (sample, size, d->zoom / 2, full, &local);
      if (image == NULL)
        {
          /* The image itself failing fails the slot like a plain load;
           * a partner that does not decode leaves its quadrant grey. */
          if (k == 0)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          if (failures != NULL)
            g_ptr_array_add (failures, g_strdup (local->message));
          record->tile_failed[k] = TRUE;
          fill_grey (chw_out, size, rect);
          continue;
        }

      placement_zoomed (lb, full[0], full[1], size, d->zoom / 2, &ext_w, &ext_h);
      lb->pad_x = left ? cx - ext_w : cx;
      lb->pad_y = top ? cy - ext_h : cy;
      otter_image_render_placement_clipped (image, full[0], full[1], full[2], lb, rect,
                                            chw_out, drawn[k]);
      append_boxes (sample, lb, rect, p, d->flip, boxes);
    }

  return TRUE;
}

/**
 * otter_augment_render:
 * @samples: (array length=n_samples): samples indexed like the dataset;
 *   only @index is read unless a mosaic is drawn
 * @n_samples: their number
 * @index: the image to render
 * @size: side of the square model input
 * @params: (nullable): the augmentation; %NULL or identity parameters
 *   give the plain letterbox
 * @seed: the image's draw; the same seed gives the same result
 * @chw_out: (out caller-allocates): 3 × @size × @size floats in [0, 1]
 * @boxes: (element-type OtterTorchBox): the image's boxes in input
 *   pixels are appended here (crowd boxes left out)
 * @record: (out): what was done
 * @failures: (nullable) (element-type utf8): "file: reason" of mosaic
 *   partners that could not be decoded (their quadrant stays grey)
 * @error: return location for an error
 *
 * Renders one training image as the loader does. Thread-safe: it reads
 * the samples and writes only its outputs.
 *
 * Returns: %FALSE with @error set when sample @index cannot be decoded
 */
gboolean
otter_augment_render (OtterSample *const       *samples,
                      guint                     n_samples,
                      guint                     index,
                      int                       size,
                      const OtterAugmentParams *params,
                      guint64                   seed,
                      float                    *chw_out,
                      GArray                   *boxes,
                      OtterAugmentRecord       *record,
                      GPtrArray                *failures,
                      GError                  **error)
{
  OtterAugmentParams none;
  int drawn[OTTER_AUGMENT_MAX_TILES][4];
  Draw d;

  g_return_val_if_fail (samples != NULL && index < n_samples, FALSE);
  g_return_val_if_fail (size > 0 && chw_out != NULL && boxes != NULL && record != NULL, FALSE);
  g_return_val_if_fail (params == NULL || otter_augment_params_is_valid (params), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (record, 0, sizeof *record);
  record->n_tiles = 1;
  record->tile_indices[0] = index;
  record->saturation = 1.0;
  record->value = 1.0;

  if (otter_augment_params_is_identity (params))
    {
      otter_augment_params_init_none (&none);
      params = &none;
      memset (&d, 0, sizeof d);
      d.zoom = 1.0;
      d.saturation = 1.0;
      d.value = 1.0;
    }
  else
    {
      record->seed = seed;
      draw_init (&d, params, seed);
    }

  if (d.mosaic)
    {
      if (!render_mosaic (samples, n_samples, index, size, params, &d, chw_out, boxes,
                          record, drawn, failures, error))
        return FALSE;
    }
  else if (!render_single (samples[index], size, params, &d, chw_out, boxes, record,
                           drawn[0], error))
    return FALSE;

  if (d.hue != 0.0 || d.saturation != 1.0 || d.value != 1.0)
    {
      record->hue = d.hue;
      record->saturation = d.saturation;
      record->value = d.value;
      for (guint k = 0; k < record->n_tiles; k++)
        if (!record->tile_failed[k])
          jitter_colours (chw_out, size, drawn[k], d.hue, d.saturation, d.value);
    }

  if (d.flip)
    {
      record->flipped = TRUE;
      flip_horizontally (chw_out, size);
    }

  return TRUE;
}
