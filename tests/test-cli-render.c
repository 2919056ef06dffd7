/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-render.c: otter-cli's figures: colour maps, heat maps, matrices, boxes, PNG files */
#include "config.h"

#include "otter-colormap.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "../src/cli/otter-cli-render.h"

static char *tmp_dir;

static double
luma (const guint8 rgb[3])
{
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

static const guint8 *
pixel (GdkPixbuf *pixbuf,
       int        x,
       int        y)
{
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, gdk_pixbuf_get_width (pixbuf));
  g_assert_cmpint (y, <, gdk_pixbuf_get_height (pixbuf));
  return gdk_pixbuf_read_pixels (pixbuf) + (gsize) y * gdk_pixbuf_get_rowstride (pixbuf)
         + x * gdk_pixbuf_get_n_channels (pixbuf);
}

#define assert_rgb(got, want) G_STMT_START {                     \
    const guint8 *g_ = (got), *w_ = (want);                       \
    g_assert_cmpuint (g_[0], ==, w_[0]);                          \
    g_assert_cmpuint (g_[1], ==, w_[1]);                          \
    g_assert_cmpuint (g_[2], ==, w_[2]);                          \
  } G_STMT_END

static GdkPixbuf *
uniform_pixbuf (int    width,
                int    height,
                guint8 value)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  gdk_pixbuf_fill (pixbuf, ((guint32) value << 24) | ((guint32) value << 16) | ((guint32) value << 8) | 0xff);
  return pixbuf;
}

static gboolean
pixbufs_equal (GdkPixbuf *a,
               GdkPixbuf *b)
{
  int width = gdk_pixbuf_get_width (a), height = gdk_pixbuf_get_height (a);
  if (width != gdk_pixbuf_get_width (b) || height != gdk_pixbuf_get_height (b))
    return FALSE;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (memcmp (pixel (a, x, y), pixel (b, x, y), 3) != 0)
        return FALSE;
  return TRUE;
}

/* ---- colours ------------------------------------------------------------ */

static void
test_colormap_ends (void)
{
  static const guint8 dark_violet[3] = { 68, 1, 84 }, yellow[3] = { 253, 231, 37 };
  guint8 rgb[3];

  otter_cli_colormap (0, rgb);
  assert_rgb (rgb, dark_violet);
  otter_cli_colormap (1, rgb);
  assert_rgb (rgb, yellow);
  /* Out of range values clamp, NaN reads as 0: a heat map never shows
   * garbage colours for bad numbers. */
  otter_cli_colormap (-3, rgb);
  assert_rgb (rgb, dark_violet);
  otter_cli_colormap (7, rgb);
  assert_rgb (rgb, yellow);
  otter_cli_colormap (NAN, rgb);
  assert_rgb (rgb, dark_violet);
  otter_cli_colormap (INFINITY, rgb);
  assert_rgb (rgb, yellow);
}

static void
test_colormap_ordered (void)
{
  guint8 prev[3], rgb[3];

  /* Perceptually ordered: brightness rises all the way (a rainbow map
   * would not; the 0.3 allows for rounding to 8 bits), and without jumps
   * between neighbouring values. */
  otter_cli_colormap (0, prev);
  for (int i = 1; i <= 1000; i++)
    {
      otter_cli_colormap (i / 1000.0, rgb);
      g_assert_cmpfloat (luma (rgb), >=, luma (prev) - 0.3);
      for (int c = 0; c < 3; c++)
        g_assert_cmpint (ABS ((int) rgb[c] - (int) prev[c]), <=, 4);
      memcpy (prev, rgb, 3);
    }
  guint8 lo[3], hi[3];
  otter_cli_colormap (0, lo);
  otter_cli_colormap (1, hi);
  g_assert_cmpfloat (luma (hi) - luma (lo), >, 150);
  for (int i = 0; i < 10; i++)
    {
      otter_cli_colormap (i / 10.0, lo);
      otter_cli_colormap ((i + 1) / 10.0, hi);
      g_assert_cmpfloat (luma (hi), >, luma (lo) + 5);
    }
}

static void
test_class_colours (void)
{
  guint8 a[3], b[3];

  for (int i = 0; i < 10; i++)
    for (int j = i + 1; j < 10; j++)
      {
        otter_cli_class_colour (i, a);
        otter_cli_class_colour (j, b);
        g_assert_true (memcmp (a, b, 3) != 0);
      }
  otter_cli_class_colour (3, a);
  otter_cli_class_colour (3, b);
  assert_rgb (a, b);
  otter_cli_class_colour (-1, a);      /* no crash on a bad id */
}

/* ---- images and heat maps ------------------------------------------- */

static void
test_chw (void)
{
  /* 2 × 2, channels first */
  const float chw[12] = {
    0.0f, 1.0f, 0.5f, -0.2f,             /* R */
    0.25f, 1.3f, NAN, 0.0f,              /* G */
    1.0f, 0.0f, 0.75f, 0.5f,             /* B */
  };
  g_autoptr (GdkPixbuf) pixbuf = otter_cli_pixbuf_new_from_chw (chw, 2, 3);

  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 6);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 6);
  g_assert_false (gdk_pixbuf_get_has_alpha (pixbuf));
  static const guint8 p00[3] = { 0, 64, 255 }, p10[3] = { 255, 255, 0 };
  static const guint8 p01[3] = { 128, 0, 191 }, p11[3] = { 0, 0, 128 };
  /* Every pixel of each 3 × 3 block */
  for (int y = 0; y < 3; y++)
    for (int x = 0; x < 3; x++)
      {
        assert_rgb (pixel (pixbuf, x, y), p00);
        assert_rgb (pixel (pixbuf, x + 3, y), p10);
        assert_rgb (pixel (pixbuf, x, y + 3), p01);
        assert_rgb (pixel (pixbuf, x + 3, y + 3), p11);
      }
}

static void
test_image (void)
{
  g_autoptr (OtterImage) image = otter_image_new (3, 2);
  for (int i = 0; i < 3 * 2 * 3; i++)
    image->pixels[i] = (guint8) (i * 10);
  g_autoptr (GdkPixbuf) pixbuf = otter_cli_pixbuf_new_from_image (image);

  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 3);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 2);
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 3; x++)
      assert_rgb (pixel (pixbuf, x, y), image->pixels + (y * 3 + x) * 3);
}

static void
test_heatmap (void)
{
  const float values[6] = { 0.0f, 0.5f, 1.0f, 2.0f, -1.0f, NAN };  /* 3 wide, 2 high */
  g_autoptr (GdkPixbuf) heat = otter_cli_heatmap_new (values, 3, 2, 2.0f, 2);
  guint8 want[3];

  g_assert_cmpint (gdk_pixbuf_get_width (heat), ==, 6);
  g_assert_cmpint (gdk_pixbuf_get_height (heat), ==, 4);
  for (int i = 0; i < 6; i++)
    {
      int x = (i % 3) * 2 + 1, y = (i / 3) * 2 + 1;
      otter_cli_colormap (values[i] / 2.0, want);
      assert_rgb (pixel (heat, x, y), want);
      assert_rgb (pixel (heat, x - 1, y - 1), want);
    }

  /* An all-zero map (vmax 0) is drawn at the bottom of the scale. */
  const float zeros[4] = { 0 };
  g_autoptr (GdkPixbuf) flat = otter_cli_heatmap_new (zeros, 2, 2, 0.0f, 1);
  otter_cli_colormap (0, want);
  assert_rgb (pixel (flat, 1, 1), want);
}

static void
test_cells_overlay (void)
{
  g_autoptr (GdkPixbuf) base = uniform_pixbuf (40, 20, 200);
  const float cells[2] = { 0.0f, 4.0f };          /* 1 row, 2 columns */
  g_autoptr (GdkPixbuf) over = otter_cli_cells_overlay_new (base, cells, 1, 2, 4.0f, 0.6);
  guint8 cold[3], hot[3];

  g_assert_cmpint (gdk_pixbuf_get_width (over), ==, 40);
  g_assert_cmpint (gdk_pixbuf_get_height (over), ==, 20);
  otter_cli_colormap (0, cold);
  otter_cli_colormap (1, hot);
  /* Each cell covers its half of the image, blended towards its colour. */
  for (int y = 0; y < 20; y += 19)
    {
      const guint8 *l = pixel (over, 0, y), *l2 = pixel (over, 19, y);
      const guint8 *r = pixel (over, 20, y), *r2 = pixel (over, 39, y);
      assert_rgb (l, l2);
      assert_rgb (r, r2);
      g_assert_cmpfloat (luma (r), >, luma (l) + 50);
      /* The hot cell is yellow: red and green well above blue. */
      g_assert_cmpint (r[1], >, r[2] + 60);
    }
  /* The base image still shows through: a darker base gives a darker blend. */
  g_autoptr (GdkPixbuf) dark = uniform_pixbuf (40, 20, 20);
  g_autoptr (GdkPixbuf) over_dark = otter_cli_cells_overlay_new (dark, cells, 1, 2, 4.0f, 0.6);
  g_assert_cmpfloat (luma (pixel (over_dark, 30, 10)), <, luma (pixel (over, 30, 10)));
}

static void
test_matrix (void)
{
  const int sides[] = { 1, 2, 5, 8, 64, 600 };

  for (guint s = 0; s < G_N_ELEMENTS (sides); s++)
    {
      int n = sides[s];
      g_autofree float *values = g_new0 (float, (gsize) n * n);
      OtterCliMatrixLayout layout;

      /* A plan-like matrix: mass on the diagonal, one weaker entry. */
      for (int i = 0; i < n; i++)
        values[i * n + i] = 1.0f / n;
      if (n > 1)
        values[0 * n + 1] = 0.5f / n;
      g_autoptr (GdkPixbuf) pixbuf = otter_cli_matrix_new (values, n, n, "T", "clean", "perturbed", &layout);

      if (n <= 64)
        g_assert_cmpint (layout.cell, >=, 8);
      g_assert_cmpint (layout.cell, >=, 1);
      g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), >=, layout.x + n * layout.cell);
      g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), >=, layout.y + n * layout.cell);

      /* The corner pixel of each cell is the colour of its value,
       * scaled to the maximum (numbers written in big cells stay clear
       * of the corners). */
      guint8 top[3], bottom[3], mid[3];
      int o = MIN (1, layout.cell - 1);
      otter_cli_colormap (1, top);
      otter_cli_colormap (0, bottom);
      otter_cli_colormap (0.5, mid);
      for (int i = 0; i < MIN (n, 3); i++)
        assert_rgb (pixel (pixbuf, layout.x + i * layout.cell + o, layout.y + i * layout.cell + o), top);
      if (n > 1)
        {
          assert_rgb (pixel (pixbuf, layout.x + 1 * layout.cell + o, layout.y + o), mid);
          assert_rgb (pixel (pixbuf, layout.x + o, layout.y + (n - 1) * layout.cell + o), bottom);
        }
    }
}

/* ---- boxes ------------------------------------------------------------- */

static void
test_detections (void)
{
  g_autoptr (GdkPixbuf) pixbuf = uniform_pixbuf (200, 200, 128);
  g_autoptr (GdkPixbuf) untouched = gdk_pixbuf_copy (pixbuf);
  const char *names[] = { "cat", "dog", NULL };
  /* Input coordinates, drawn at scale 2. */
  OtterTorchDetection dets[2] = {
    { .x1 = 20, .y1 = 30, .x2 = 60, .y2 = 80, .score = 0.9f, .class_id = 1 },
    { .x1 = 20, .y1 = 30, .x2 = 60, .y2 = 80, .score = 0.5f, .class_id = 7 },  /* no name */
  };

  otter_draw_detections (pixbuf, dets, 0, 2.0, names);
  g_assert_true (pixbufs_equal (pixbuf, untouched));

  otter_draw_detections (pixbuf, dets, 2, 2.0, names);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 200);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 200);
  /* The frame runs along the scaled box, in the class colour. */
  guint8 dog[3];
  otter_cli_class_colour (1, dog);
  assert_rgb (pixel (pixbuf, 40, 120), dog);
  assert_rgb (pixel (pixbuf, 119, 120), dog);
  assert_rgb (pixel (pixbuf, 80, 159), dog);
  /* Inside and well outside the box nothing changes. */
  assert_rgb (pixel (pixbuf, 80, 130), pixel (untouched, 80, 130));
  assert_rgb (pixel (pixbuf, 180, 190), pixel (untouched, 180, 190));
  /* A tag sits right above the box: somewhere in the 10 px above it, in
   * the class colour. */
  gboolean tag = FALSE;
  for (int y = 50; y < 60 && !tag; y++)
    for (int x = 40; x < 100 && !tag; x++)
      tag = memcmp (pixel (pixbuf, x, y), dog, 3) == 0;
  g_assert_true (tag);

  /* Boxes partly outside the image are clipped, not a crash. */
  OtterTorchDetection wild = { .x1 = -50, .y1 = -50, .x2 = 500, .y2 = 90, .score = 0.3f, .class_id = 0 };
  otter_draw_detections (pixbuf, &wild, 1, 1.0, NULL);
}

/* ---- files ------------------------------------------------------------- */

static guint
count_entries (const char *dir_path)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;
  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_save_png (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmp_dir, "save", NULL);
  g_autofree char *path = g_build_filename (dir, "heat.png", NULL);
  const float values[6] = { 0, 0.2f, 0.4f, 0.6f, 0.8f, 1 };
  g_autoptr (GdkPixbuf) heat = otter_cli_heatmap_new (values, 3, 2, 1.0f, 4);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* An older file in the way is replaced whole. */
  g_assert_true (g_file_set_contents (path, "old contents", -1, NULL));
  g_assert_true (otter_cli_save_png (heat, path, &error));
  g_assert_no_error (error);

  g_autoptr (GdkPixbuf) back = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_false (gdk_pixbuf_get_has_alpha (back));
  g_assert_true (pixbufs_equal (heat, back));
  GdkPixbufFormat *f = gdk_pixbuf_get_file_info (path, NULL, NULL);
  g_assert_nonnull (f);
  g_autofree char *format = gdk_pixbuf_format_get_name (f);
  g_assert_cmpstr (format, ==, "png");
  /* No temporary file is left next to it. */
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_save_png_no_folder (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "missing", "x.png", NULL);
  g_autoptr (GdkPixbuf) pixbuf = uniform_pixbuf (4, 4, 0);

  g_assert_false (otter_cli_save_png (pixbuf, path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* Up to COCO's 80 classes, every class gets a colour of its own. */
static void
test_class_colours_distinct (void)
{
  guint8 colours[80][3];
  for (int i = 0; i < 80; i++)
    otter_colormap_class_colour (i, colours[i]);
  int closest = G_MAXINT;
  for (int i = 0; i < 80; i++)
    for (int j = i + 1; j < 80; j++)
      {
        int d = 0;
        for (int c = 0; c < 3; c++)
          d += (colours[i][c] - colours[j][c]) * (colours[i][c] - colours[j][c]);
        closest = MIN (closest, d);
      }
  g_test_message ("closest pair: %.1f apart in RGB", sqrt (closest));
  g_assert_cmpfloat (sqrt (closest), >, 8);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_autoptr (GError) error = NULL;
  tmp_dir = g_dir_make_tmp ("otter-test-cli-render-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/otter/CliRender/colormap-ends", test_colormap_ends);
  g_test_add_func ("/otter/CliRender/colormap-ordered", test_colormap_ordered);
  g_test_add_func ("/otter/CliRender/class-colours", test_class_colours);
  g_test_add_func ("/otter/CliRender/chw", test_chw);
  g_test_add_func ("/otter/CliRender/image", test_image);
  g_test_add_func ("/otter/CliRender/heatmap", test_heatmap);
  g_test_add_func ("/otter/CliRender/cells-overlay", test_cells_overlay);
  g_test_add_func ("/otter/CliRender/matrix", test_matrix);
  g_test_add_func ("/otter/CliRender/detections", test_detections);
  g_test_add_func ("/otter/CliRender/save-png", test_save_png);
  g_test_add_func ("/otter/CliRender/save-png-no-folder", test_save_png_no_folder);
  g_test_add_func ("/otter/CliRender/class-colours-distinct", test_class_colours_distinct);

  int status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
