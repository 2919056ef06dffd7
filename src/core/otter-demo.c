/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-demo.c: the generated demo dataset (coloured shapes on textures)
 *
 * Every image is a pure function of (seed, index, size): the shapes come
 * from one random stream, the background and colours from another, so
 * otter_demo_layout() can give the boxes without drawing anything. The
 * generator is a local splitmix64 rather than g_random or GRand, whose
 * sequences GLib does not promise to keep across versions.
 */
#include "config.h"

#include <math.h>

#include "otter-demo.h"

enum
{
  CLASS_CIRCLE,
  CLASS_SQUARE,
  CLASS_TRIANGLE,
  N_CLASSES
};

#define MAX_SHAPES 3
#define PLACEMENT_TRIES 30
/* Shapes may touch, not hide each other. */
#define MAX_IOU 0.3
#define MAX_COVER 0.5
/* Background colours stay within ±BG_SPREAD of the background level,
 * noise within ±NOISE, and a shape's mean level is at least CONTRAST away
 * from every background colour: a shape pixel always differs from the
 * background by more than CONTRAST - NOISE (a visible edge), while the
 * colours and textures themselves say nothing about the class. */
#define BG_SPREAD 0.1
#define NOISE 0.04
#define CONTRAST 0.3

typedef struct
{
  guint64 state;
} Rng;

typedef struct
{
  int      x1, y1, x2, y2;     /* x2, y2 exclusive */
  int      class_id;
  gboolean inverted;           /* triangle pointing down */
} Shape;

typedef struct
{
  float r, g, b;
} Colour;

static guint64
mix64 (guint64 z)
{
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static void
rng_init (Rng     *rng,
          guint64  seed,
          guint    index,
          guint    stream)
{
  rng->state = mix64 (seed ^ mix64 (((guint64) index << 8) + stream + 1));
}

static guint64
rng_next (Rng *rng)
{
  rng->state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  return mix64 (rng->state);
}

/* Uniform in [0, 1) with 53 bits, exact in IEEE doubles. */
static double
rng_double (Rng *rng)
{
  return (rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

static int
rng_int (Rng *rng,
         int  n)
{
  return (int) (rng_double (rng) * n);
}

static double
rng_range (Rng    *rng,
           double  lo,
           double  hi)
{
  return lo + (hi - lo) * rng_double (rng);
}

/**
 * otter_demo_class_names:
 *
 * Returns: (transfer none): the NULL-terminated class names of the demo
 *   dataset, in class id order
 */
const char *const *
otter_demo_class_names (void)
{
  static const char *const names[] = { "circle", "square", "triangle", NULL };

  return names;
}

static double
box_area (const Shape *s)
{
  return (double) (s->x2 - s->x1) * (s->y2 - s->y1);
}

static gboolean
overlaps_too_much (const Shape *a,
                   const Shape *b)
{
  int w = MIN (a->x2, b->x2) - MAX (a->x1, b->x1);
  int h = MIN (a->y2, b->y2) - MAX (a->y1, b->y1);
  double inter, area_a, area_b;

  if (w <= 0 || h <= 0)
    return FALSE;

  inter = (double) w * h;
  area_a = box_area (a);
  area_b = box_area (b);

  /* The second test keeps a small shape from sitting inside a big one,
   * which IoU alone allows. */
  return inter / (area_a + area_b - inter) > MAX_IOU
         || inter / MIN (area_a, area_b) > MAX_COVER;
}

/* The shared part of render and layout: integer boxes only, so the two
 * agree bit for bit. */
static guint
layout_shapes (guint64 seed,
               guint   index,
               int     size,
               Shape   shapes[MAX_SHAPES])
{
  Rng rng;
  int n_wanted;
  guint n = 0;

  rng_init (&rng, seed, index, 0);
  n_wanted = 1 + rng_int (&rng, MAX_SHAPES);

  for (int k = 0; k < n_wanted; k++)
    {
      int class_id = rng_int (&rng, N_CLASSES);

      for (int attempt = 0; attempt < PLACEMENT_TRIES; attempt++)
        {
          Shape s;
          int side = (int) floor (size * rng_range (&rng, 0.18, 0.45) + 0.5);
          int w, h;
          gboolean ok = TRUE;

          side = MAX (side, 3);
          w = side;
          h = class_id == CLASS_TRIANGLE ? MAX (3, (int) floor (side * 0.87 + 0.5)) : side;
          s.class_id = class_id;
          s.x1 = rng_int (&rng, size - w + 1);
          s.y1 = rng_int (&rng, size - h + 1);
          s.x2 = s.x1 + w;
          s.y2 = s.y1 + h;
          s.inverted = class_id == CLASS_TRIANGLE && rng_int (&rng, 2) == 1;

          for (guint j = 0; j < n && ok; j++)
            ok = !overlaps_too_much (&s, &shapes[j]);

          if (ok)
            {
              shapes[n++] = s;
              break;
            }
        }
    }

  g_assert (n >= 1);
  return n;
}

static void
append_boxes (const Shape *shapes,
              guint        n,
              GArray      *boxes)
{
  for (guint i = 0; i < n; i++)
    {
      OtterBox box = {
        .x1 = shapes[i].x1, .y1 = shapes[i].y1,
        .x2 = shapes[i].x2, .y2 = shapes[i].y2,
        .class_id = shapes[i].class_id,
        .crowd = FALSE,
      };

      g_array_append_val (boxes, box);
    }
}

/**
 * otter_demo_layout:
 * @seed: the demo set
 * @index: the image in the set
 * @size: side of the image in pixels (at least 8)
 * @boxes: (element-type OtterBox): array the boxes are appended to
 *
 * Gives the boxes of otter_demo_render() for the same arguments, exactly,
 * without drawing the pixels. Datasets use it to list annotations cheaply.
 */
void
otter_demo_layout (guint64  seed,
                   guint    index,
                   int      size,
                   GArray  *boxes)
{
  Shape shapes[MAX_SHAPES];
  guint n;

  g_return_if_fail (size >= 8);
  g_return_if_fail (boxes != NULL);
  g_return_if_fail (g_array_get_element_size (boxes) == sizeof (OtterBox));

  n = layout_shapes (seed, index, size, shapes);
  append_boxes (shapes, n, boxes);
}

static float
colour_level (const Colour *c)
{
  return (c->r + c->g + c->b) / 3.0f;
}

/* A colour with mean level near `level`, random hue; channels are kept
 * inside [lo, hi] and the real level is what callers check. */
static Colour
random_colour (Rng    *rng,
               double  level,
               double  chroma,
               double  lo,
               double  hi)
{
  double o[3], mean;
  Colour c;

  for (int i = 0; i < 3; i++)
    o[i] = rng_range (rng, -chroma, chroma);
  mean = (o[0] + o[1] + o[2]) / 3.0;

  c.r = CLAMP (level + o[0] - mean, lo, hi);
  c.g = CLAMP (level + o[1] - mean, lo, hi);
  c.b = CLAMP (level + o[2] - mean, lo, hi);
  return c;
}

static Colour
shape_colour (Rng   *rng,
              float  bg_min,
              float  bg_max)
{
  gboolean can_light = bg_max + CONTRAST <= 1.0;
  gboolean can_dark = bg_min - CONTRAST >= 0.0;
  gboolean light;

  g_assert (can_light || can_dark);
  light = can_light && (!can_dark || rng_int (rng, 2) == 0);

  for (int tries = 0; tries < 10; tries++)
    {
      double level = light ? rng_range (rng, bg_max + CONTRAST, 1.0)
                           : rng_range (rng, 0.0, bg_min - CONTRAST);
      Colour c = random_colour (rng, level, 0.4, 0.0, 1.0);
      float l = colour_level (&c);

      if (light ? l >= bg_max + CONTRAST : l <= bg_min - CONTRAST)
        return c;
    }

  return light ? (Colour) { 1, 1, 1 } : (Colour) { 0, 0, 0 };
}

/* Texture value t in [0, 1] that blends the two background colours. */
typedef struct
{
  int    kind;
  double cos_a, sin_a, freq, phase;
  int    cell;
  int    grid;
  double values[10 * 10];
} Texture;

enum { TEX_GRADIENT, TEX_STRIPES, TEX_BLOTCHES, TEX_CHECKER, N_TEXTURES };

static void
texture_init (Texture *tex,
              Rng     *rng,
              int      size)
{
  double angle = rng_range (rng, 0, 2 * G_PI);

  tex->kind = rng_int (rng, N_TEXTURES);
  tex->cos_a = cos (angle);
  tex->sin_a = sin (angle);
  tex->freq = rng_range (rng, 2, 9) / size;
  tex->phase = rng_range (rng, 0, 2 * G_PI);
  tex->cell = MAX (2, size / (3 + rng_int (rng, 6)));
  tex->grid = 3 + rng_int (rng, 6);
  for (int i = 0; i < (tex->grid + 1) * (tex->grid + 1); i++)
    tex->values[i] = rng_double (rng);
}

static double
texture_value (const Texture *tex,
               int            x,
               int            y,
               int            size)
{
  double u = x * tex->cos_a + y * tex->sin_a;

  switch (tex->kind)
    {
    case TEX_GRADIENT:
      /* u spans at most ±size·√2 */
      return 0.5 + u / (size * 2 * G_SQRT2);
    case TEX_STRIPES:
      return 0.5 + 0.5 * sin (2 * G_PI * tex->freq * u + tex->phase);
    case TEX_CHECKER:
      return ((x / tex->cell + y / tex->cell) & 1) ? 1.0 : 0.0;
    case TEX_BLOTCHES:
    default:
      {
        double gx = (double) x * tex->grid / size;
        double gy = (double) y * tex->grid / size;
        int ix = (int) gx, iy = (int) gy, n = tex->grid + 1;
        double fx = gx - ix, fy = gy - iy;
        const double *v = tex->values + iy * n + ix;
        double top = v[0] + (v[1] - v[0]) * fx;
        double bottom = v[n] + (v[n + 1] - v[n]) * fx;

        return top + (bottom - top) * fy;
      }
    }
}

static guint8
to_byte (double v)
{
  return (guint8) CLAMP ((int) floor (v * 255.0 + 0.5), 0, 255);
}

static void
draw_background (OtterImage   *image,
                 Rng          *rng,
                 const Colour *c1,
                 const Colour *c2)
{
  int size = image->width;
  Texture tex;
  Rng noise;

  texture_init (&tex, rng, size);
  noise.state = rng_next (rng);

  for (int y = 0; y < size; y++)
    {
      guint8 *p = image->pixels + (gsize) y * size * 3;

      for (int x = 0; x < size; x++, p += 3)
        {
          double t = CLAMP (texture_value (&tex, x, y, size), 0.0, 1.0);

          p[0] = to_byte (c1->r + (c2->r - c1->r) * t + rng_range (&noise, -NOISE, NOISE));
          p[1] = to_byte (c1->g + (c2->g - c1->g) * t + rng_range (&noise, -NOISE, NOISE));
          p[2] = to_byte (c1->b + (c2->b - c1->b) * t + rng_range (&noise, -NOISE, NOISE));
        }
    }
}

static void
fill_span (OtterImage   *image,
           int           y,
           int           x1,
           int           x2,
           const guint8  rgb[3])
{
  guint8 *p = image->pixels + ((gsize) y * image->width + x1) * 3;

  for (int x = x1; x < x2; x++, p += 3)
    {
      p[0] = rgb[0];
      p[1] = rgb[1];
      p[2] = rgb[2];
    }
}

/* Every shape touches all four sides of its box, so the box is tight. */
static void
draw_shape (OtterImage   *image,
            const Shape  *s,
            const guint8  rgb[3])
{
  double w = s->x2 - s->x1, h = s->y2 - s->y1;
  double cx = s->x1 + w / 2, cy = s->y1 + h / 2;

  for (int y = s->y1; y < s->y2; y++)
    {
      int lo = s->x1, hi = s->x2;

      if (s->class_id == CLASS_CIRCLE)
        {
          double r = w / 2, dy = y + 0.5 - cy;
          double half = sqrt (MAX (0.0, r * r - dy * dy));

          /* pixel centres inside the disc */
          lo = (int) ceil (cx - half - 0.5);
          hi = (int) floor (cx + half - 0.5) + 1;
        }
      else if (s->class_id == CLASS_TRIANGLE)
        {
          /* Any pixel the triangle touches: the widest point of a row is
           * its edge farthest from the apex, so the apex row is never
           * empty. */
          double from_apex = s->inverted ? s->y2 - y : y + 1 - s->y1;
          double half = from_apex / h * w / 2;

          lo = (int) floor (cx - half);
          hi = (int) ceil (cx + half);
        }

      lo = MAX (lo, s->x1);
      hi = MIN (hi, s->x2);
      if (lo < hi)
        fill_span (image, y, lo, hi, rgb);
    }
}

/**
 * otter_demo_render:
 * @seed: the demo set
 * @index: the image in the set
 * @size: side of the image in pixels (at least 8)
 * @boxes: (element-type OtterBox) (nullable): array the boxes are appended to
 *
 * Renders image @index of the demo set @seed: one to three circles,
 * squares or triangles (18–45 % of the side, overlapping little) in
 * colours that stand out from a textured, noisy background. The same
 * arguments always give the same pixels and boxes; the boxes are those of
 * otter_demo_layout(), tight around the drawn shapes.
 *
 * Returns: (transfer full): the image
 */
OtterImage *
otter_demo_render (guint64  seed,
                   guint    index,
                   int      size,
                   GArray  *boxes)
{
  Shape shapes[MAX_SHAPES];
  OtterImage *image;
  Colour c1, c2;
  float bg_min, bg_max;
  guint n;
  Rng rng;

  g_return_val_if_fail (size >= 8, NULL);
  g_return_val_if_fail (boxes == NULL
                        || g_array_get_element_size (boxes) == sizeof (OtterBox), NULL);

  n = layout_shapes (seed, index, size, shapes);
  image = otter_image_new (size, size);
  rng_init (&rng, seed, index, 1);

  /* Background colours close to one level, chosen until a shape colour
   * can contrast with both; the fallback is plain grey. */
  for (int tries = 0;; tries++)
    {
      double level = rng_range (&rng, 0.2, 0.8);

      if (tries == 20)
        {
          c1 = c2 = (Colour) { 0.5, 0.5, 0.5 };
          break;
        }
      c1 = random_colour (&rng, rng_range (&rng, level - BG_SPREAD, level + BG_SPREAD),
                          0.25, NOISE + 0.01, 1 - NOISE - 0.01);
      c2 = random_colour (&rng, rng_range (&rng, level - BG_SPREAD, level + BG_SPREAD),
                          0.25, NOISE + 0.01, 1 - NOISE - 0.01);
      bg_min = MIN (colour_level (&c1), colour_level (&c2));
      bg_max = MAX (colour_level (&c1), colour_level (&c2));
      if (bg_max + CONTRAST <= 1.0 || bg_min - CONTRAST >= 0.0)
        break;
    }
  bg_min = MIN (colour_level (&c1), colour_level (&c2));
  bg_max = MAX (colour_level (&c1), colour_level (&c2));

  draw_background (image, &rng, &c1, &c2);

  for (guint i = 0; i < n; i++)
    {
      Colour c = shape_colour (&rng, bg_min, bg_max);
      guint8 rgb[3] = { to_byte (c.r), to_byte (c.g), to_byte (c.b) };

      draw_shape (image, &shapes[i], rgb);
    }

  if (boxes != NULL)
    append_boxes (shapes, n, boxes);

  return image;
}
