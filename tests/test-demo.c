/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-demo.c: the generated demo dataset */
#include "config.h"

#include <string.h>

#include "otter-demo.h"

#define SIZE 96

static GArray *
new_boxes (void)
{
  return g_array_new (FALSE, FALSE, sizeof (OtterBox));
}

static gboolean
same_boxes (GArray *a,
            GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (OtterBox)) == 0;
}

static void
test_class_names (void)
{
  const char *const *names = otter_demo_class_names ();

  g_assert_cmpstr (names[0], ==, "circle");
  g_assert_cmpstr (names[1], ==, "square");
  g_assert_cmpstr (names[2], ==, "triangle");
  g_assert_null (names[3]);
}

static void
test_deterministic (void)
{
  for (guint index = 0; index < 20; index++)
    {
      g_autoptr(GArray) boxes_a = new_boxes ();
      g_autoptr(GArray) boxes_b = new_boxes ();
      g_autoptr(GArray) boxes_c = new_boxes ();
      g_autoptr(OtterImage) a = otter_demo_render (7, index, SIZE, boxes_a);
      g_autoptr(OtterImage) b = otter_demo_render (7, index, SIZE, boxes_b);
      g_autoptr(OtterImage) c = otter_demo_render (8, index, SIZE, boxes_c);
      g_autoptr(OtterImage) next = otter_demo_render (7, index + 1, SIZE, NULL);

      g_assert_cmpint (a->width, ==, SIZE);
      g_assert_cmpint (a->height, ==, SIZE);
      g_assert_cmpmem (a->pixels, SIZE * SIZE * 3, b->pixels, SIZE * SIZE * 3);
      g_assert_true (same_boxes (boxes_a, boxes_b));

      /* another seed or another index is another image */
      g_assert_true (memcmp (a->pixels, c->pixels, SIZE * SIZE * 3) != 0);
      g_assert_true (memcmp (a->pixels, next->pixels, SIZE * SIZE * 3) != 0);
    }
}

static void
test_seeds_differ_in_layout (void)
{
  guint differ = 0;

  for (guint index = 0; index < 50; index++)
    {
      g_autoptr(GArray) a = new_boxes ();
      g_autoptr(GArray) b = new_boxes ();

      otter_demo_layout (1, index, SIZE, a);
      otter_demo_layout (2, index, SIZE, b);
      differ += !same_boxes (a, b);
    }
  g_assert_cmpuint (differ, >=, 48);
}

static void
test_layout_matches_render (void)
{
  const int sizes[] = { 96, 33, 320 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint index = 0; index < 60; index++)
      {
        g_autoptr(GArray) rendered = new_boxes ();
        g_autoptr(GArray) laid_out = new_boxes ();
        g_autoptr(OtterImage) image = otter_demo_render (42, index, sizes[s], rendered);

        otter_demo_layout (42, index, sizes[s], laid_out);
        g_assert_true (same_boxes (rendered, laid_out));
      }
}

static double
iou (const OtterBox *a,
     const OtterBox *b)
{
  double w = MIN (a->x2, b->x2) - MAX (a->x1, b->x1);
  double h = MIN (a->y2, b->y2) - MAX (a->y1, b->y1);
  double inter = w > 0 && h > 0 ? w * h : 0;
  double area_a = (a->x2 - a->x1) * (a->y2 - a->y1);
  double area_b = (b->x2 - b->x1) * (b->y2 - b->y1);

  return inter / (area_a + area_b - inter);
}

static void
test_boxes_valid (void)
{
  guint counts[3] = { 0 };
  guint n_shapes[4] = { 0 };
  guint n_images = 600;

  for (guint index = 0; index < n_images; index++)
    {
      g_autoptr(GArray) boxes = new_boxes ();

      otter_demo_layout (7, index, SIZE, boxes);
      g_assert_cmpuint (boxes->len, >=, 1);
      g_assert_cmpuint (boxes->len, <=, 3);
      n_shapes[boxes->len]++;

      for (guint i = 0; i < boxes->len; i++)
        {
          const OtterBox *b = &g_array_index (boxes, OtterBox, i);
          double w = b->x2 - b->x1, h = b->y2 - b->y1;

          g_assert_cmpfloat (b->x1, >=, 0);
          g_assert_cmpfloat (b->y1, >=, 0);
          g_assert_cmpfloat (b->x2, <=, SIZE);
          g_assert_cmpfloat (b->y2, <=, SIZE);
          g_assert_cmpfloat (w, >=, 0.17 * SIZE);
          g_assert_cmpfloat (w, <=, 0.46 * SIZE);
          g_assert_cmpfloat (h, >=, 0.15 * SIZE);
          g_assert_cmpfloat (h, <=, 0.46 * SIZE);
          g_assert_cmpint (b->class_id, >=, 0);
          g_assert_cmpint (b->class_id, <, 3);
          g_assert_false (b->crowd);
          counts[b->class_id]++;

          for (guint j = 0; j < i; j++)
            g_assert_cmpfloat (iou (b, &g_array_index (boxes, OtterBox, j)), <=, 0.3);
        }
    }

  /* every class and every count of shapes is common */
  for (int c = 0; c < 3; c++)
    g_assert_cmpuint (counts[c], >, n_images / 4);
  for (int n = 1; n <= 3; n++)
    g_assert_cmpuint (n_shapes[n], >, n_images / 6);
}

static int
colour_distance (const guint8 *p,
                 const guint8 *q)
{
  return MAX (MAX (ABS (p[0] - q[0]), ABS (p[1] - q[1])), ABS (p[2] - q[2]));
}

static gboolean
inside_other_box (GArray *boxes,
                  guint   skip,
                  int     x,
                  int     y)
{
  for (guint i = 0; i < boxes->len; i++)
    {
      const OtterBox *b = &g_array_index (boxes, OtterBox, i);

      if (i != skip && x >= b->x1 && x < b->x2 && y >= b->y1 && y < b->y2)
        return TRUE;
    }
  return FALSE;
}

/* The last shape drawn is never covered, so its box can be checked
 * against the pixels: every side of the box touches the shape, and just
 * outside the box the background is far from the shape's colour. */
static void
test_boxes_tight (void)
{
  for (guint index = 0; index < 300; index++)
    {
      g_autoptr(GArray) boxes = new_boxes ();
      g_autoptr(OtterImage) image = otter_demo_render (5, index, SIZE, boxes);
      guint last = boxes->len - 1;
      const OtterBox *b = &g_array_index (boxes, OtterBox, last);
      int x1 = b->x1, y1 = b->y1, x2 = b->x2, y2 = b->y2;
      const guint8 *colour;
      gboolean touches[4] = { FALSE, FALSE, FALSE, FALSE };

      /* A circle or square covers its centre; a triangle covers its whole
       * base, the bottom row or, pointing down, the top row. */
      if (b->class_id == 2)
        {
          const guint8 *bottom = image->pixels + ((gsize) (y2 - 1) * SIZE + x1) * 3;
          gboolean full = TRUE;

          for (int x = x1; x < x2; x++)
            full &= colour_distance (image->pixels + ((gsize) (y2 - 1) * SIZE + x) * 3,
                                     bottom) == 0;
          colour = full ? bottom : image->pixels + ((gsize) y1 * SIZE + x1) * 3;
        }
      else
        colour = image->pixels + ((gsize) ((y1 + y2) / 2) * SIZE + (x1 + x2) / 2) * 3;

      for (int x = x1; x < x2; x++)
        {
          touches[0] |= colour_distance (image->pixels + ((gsize) y1 * SIZE + x) * 3, colour) == 0;
          touches[1] |= colour_distance (image->pixels + ((gsize) (y2 - 1) * SIZE + x) * 3, colour) == 0;
        }
      for (int y = y1; y < y2; y++)
        {
          touches[2] |= colour_distance (image->pixels + ((gsize) y * SIZE + x1) * 3, colour) == 0;
          touches[3] |= colour_distance (image->pixels + ((gsize) y * SIZE + x2 - 1) * 3, colour) == 0;
        }
      for (int k = 0; k < 4; k++)
        g_assert_true (touches[k]);

      /* the ring of pixels around the box is background, clearly apart */
      for (int y = y1 - 1; y <= y2; y++)
        for (int x = x1 - 1; x <= x2; x++)
          {
            gboolean ring = y == y1 - 1 || y == y2 || x == x1 - 1 || x == x2;

            if (!ring || x < 0 || y < 0 || x >= SIZE || y >= SIZE
                || inside_other_box (boxes, last, x, y))
              continue;
            g_assert_cmpint (colour_distance (image->pixels + ((gsize) y * SIZE + x) * 3, colour),
                             >=, 50);
          }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/otter/Demo/class-names", test_class_names);
  g_test_add_func ("/otter/Demo/deterministic", test_deterministic);
  g_test_add_func ("/otter/Demo/seeds-differ", test_seeds_differ_in_layout);
  g_test_add_func ("/otter/Demo/layout-matches-render", test_layout_matches_render);
  g_test_add_func ("/otter/Demo/boxes-valid", test_boxes_valid);
  g_test_add_func ("/otter/Demo/boxes-tight", test_boxes_tight);

  return g_test_run ();
}
