/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-image.c: decoding by content, orientation, conversions, bad files, letterbox */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "otter-demo.h"
#include "otter-error.h"
#include "otter-image.h"

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
write_file (const char   *path,
            const guint8 *data,
            gsize         length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, length, &error);
  g_assert_no_error (error);
}

/* ---- tiny image writers ------------------------------------------------ */

static guint32
crc32_update (guint32       crc,
              const guint8 *data,
              gsize         length)
{
  crc = ~crc;
  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
  return ~crc;
}

static void
put_be32 (GByteArray *out,
          guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (out, b, 4);
}

static void
png_chunk (GByteArray   *out,
           const char   *type,
           const guint8 *data,
           gsize         length)
{
  guint32 crc;

  put_be32 (out, length);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (length > 0)
    g_byte_array_append (out, data, length);
  crc = crc32_update (0, (const guint8 *) type, 4);
  crc = crc32_update (crc, data, length);
  put_be32 (out, crc);
}

/* A PNG of the given colour type and raw (unfiltered) rows. The pixel data
 * goes in one stored (uncompressed) deflate block, which keeps the writer a
 * few lines long. `palette` may hold PLTE entries. */
static GByteArray *
make_png (int           width,
          int           height,
          int           colour_type,
          const guint8 *rows,
          int           bytes_per_pixel,
          const guint8 *palette,
          int           n_palette)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  g_autoptr(GByteArray) z = g_byte_array_new ();
  guint8 ihdr[13];
  guint32 a = 1, b = 0;
  guint8 zero = 0;

  g_byte_array_append (out, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  ihdr[0] = width >> 24; ihdr[1] = width >> 16; ihdr[2] = width >> 8; ihdr[3] = width;
  ihdr[4] = height >> 24; ihdr[5] = height >> 16; ihdr[6] = height >> 8; ihdr[7] = height;
  ihdr[8] = 8;
  ihdr[9] = colour_type;
  ihdr[10] = ihdr[11] = ihdr[12] = 0;
  png_chunk (out, "IHDR", ihdr, 13);
  if (palette != NULL)
    png_chunk (out, "PLTE", palette, n_palette * 3);

  if (rows == NULL)
    {
      /* Header only: the first bytes of the pixel data, then the file ends. */
      const guint8 start[] = { 0x78, 0x01 };

      png_chunk (out, "IDAT", start, sizeof start);
      return out;
    }

  for (int y = 0; y < height; y++)
    {
      g_byte_array_append (raw, &zero, 1);
      g_byte_array_append (raw, rows + (gsize) y * width * bytes_per_pixel,
                           width * bytes_per_pixel);
    }
  g_assert_cmpuint (raw->len, <, 65536);

  {
    guint8 head[7] = { 0x78, 0x01, 0x01, raw->len & 0xff, raw->len >> 8,
                       ~raw->len & 0xff, (~raw->len >> 8) & 0xff };

    g_byte_array_append (z, head, 7);
  }
  g_byte_array_append (z, raw->data, raw->len);
  for (guint i = 0; i < raw->len; i++)
    {
      a = (a + raw->data[i]) % 65521;
      b = (b + a) % 65521;
    }
  put_be32 (z, (b << 16) | a);

  png_chunk (out, "IDAT", z->data, z->len);
  png_chunk (out, "IEND", NULL, 0);
  return out;
}

/* Left half red, right half blue. */
static GdkPixbuf *
make_halves (int width,
             int height)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *p = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *q = p + y * stride + x * 3;

        q[0] = x < width / 2 ? 255 : 0;
        q[1] = 0;
        q[2] = x < width / 2 ? 0 : 255;
      }
  return pixbuf;
}

static GByteArray *
pixbuf_bytes (GdkPixbuf  *pixbuf,
              const char *type)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize length = 0;

  if (g_str_equal (type, "jpeg"))
    gdk_pixbuf_save_to_buffer (pixbuf, &data, &length, type, &error, "quality", "100", NULL);
  else
    gdk_pixbuf_save_to_buffer (pixbuf, &data, &length, type, &error, NULL);
  g_assert_no_error (error);

  return g_byte_array_new_take ((guint8 *) data, length);
}

/* Inserts an EXIF APP1 segment holding only an orientation tag right
 * after the JPEG's SOI marker. */
static GByteArray *
jpeg_with_orientation (GByteArray *jpeg,
                       guint16     orientation)
{
  const guint8 app1[] = {
    0xFF, 0xE1, 0x00, 34, 'E', 'x', 'i', 'f', 0, 0,
    'M', 'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
    0x00, 0x01,
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,
    orientation >> 8, orientation & 0xff, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
  };
  GByteArray *out = g_byte_array_new ();

  g_assert_cmpuint (jpeg->data[0], ==, 0xFF);
  g_assert_cmpuint (jpeg->data[1], ==, 0xD8);
  g_byte_array_append (out, jpeg->data, 2);
  g_byte_array_append (out, app1, sizeof app1);
  g_byte_array_append (out, jpeg->data + 2, jpeg->len - 2);
  return out;
}

static void
assert_pixel_near (const OtterImage *image,
                   int               x,
                   int               y,
                   int               r,
                   int               g,
                   int               b,
                   int               tolerance)
{
  const guint8 *p = image->pixels + ((gsize) y * image->width + x) * 3;

  g_assert_cmpint (ABS (p[0] - r), <=, tolerance);
  g_assert_cmpint (ABS (p[1] - g), <=, tolerance);
  g_assert_cmpint (ABS (p[2] - b), <=, tolerance);
}

/* ---- tests ---------------------------------------------------------------- */

static void
test_sniff_content (void)
{
  g_autoptr(GdkPixbuf) pixbuf = make_halves (24, 16);
  g_autoptr(GByteArray) png = pixbuf_bytes (pixbuf, "png");
  g_autoptr(GByteArray) jpeg = pixbuf_bytes (pixbuf, "jpeg");
  g_autofree char *png_named_jpg = tmp_path ("really-a-png.jpg");
  g_autofree char *jpeg_named_png = tmp_path ("really-a-jpeg.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(OtterImage) a = NULL;
  g_autoptr(OtterImage) b = NULL;

  write_file (png_named_jpg, png->data, png->len);
  write_file (jpeg_named_png, jpeg->data, jpeg->len);

  a = otter_image_load (png_named_jpg, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->width, ==, 24);
  g_assert_cmpint (a->height, ==, 16);
  assert_pixel_near (a, 2, 8, 255, 0, 0, 0);
  assert_pixel_near (a, 21, 8, 0, 0, 255, 0);

  b = otter_image_load (jpeg_named_png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->width, ==, 24);
  g_assert_cmpint (b->height, ==, 16);
  assert_pixel_near (b, 2, 8, 255, 0, 0, 40);
  assert_pixel_near (b, 21, 8, 0, 0, 255, 40);
}

static OtterImage *
load_oriented (guint16 orientation)
{
  g_autoptr(GdkPixbuf) pixbuf = make_halves (32, 16);
  g_autoptr(GByteArray) jpeg = pixbuf_bytes (pixbuf, "jpeg");
  g_autoptr(GByteArray) tagged = jpeg_with_orientation (jpeg, orientation);
  g_autofree char *name = g_strdup_printf ("orientation-%u.jpg", orientation);
  g_autofree char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;
  OtterImage *image;

  write_file (path, tagged->data, tagged->len);
  image = otter_image_load (path, &error);
  g_assert_no_error (error);
  return image;
}

static void
test_exif_orientation (void)
{
  g_autoptr(OtterImage) image = load_oriented (6);

  /* 6 = rotate 90° clockwise to display: the red left half ends on top */
  g_assert_cmpint (image->width, ==, 16);
  g_assert_cmpint (image->height, ==, 32);
  assert_pixel_near (image, 8, 3, 255, 0, 0, 40);
  assert_pixel_near (image, 8, 28, 0, 0, 255, 40);

  g_clear_pointer (&image, otter_image_free);
  image = load_oriented (3);
  g_assert_cmpint (image->width, ==, 32);
  assert_pixel_near (image, 3, 8, 0, 0, 255, 40);
}

static void
test_invalid_orientation (void)
{
  const guint16 values[] = { 0, 9, 300 };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(OtterImage) image = load_oriented (values[i]);

      g_assert_cmpint (image->width, ==, 32);
      g_assert_cmpint (image->height, ==, 16);
      assert_pixel_near (image, 3, 8, 255, 0, 0, 40);
      assert_pixel_near (image, 28, 8, 0, 0, 255, 40);
    }
}

static OtterImage *
load_png_bytes (GByteArray *png,
                const char *name)
{
  g_autofree char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;
  OtterImage *image;

  write_file (path, png->data, png->len);
  image = otter_image_load (path, &error);
  g_assert_no_error (error);
  return image;
}

static void
test_grayscale (void)
{
  const guint8 rows[] = { 0, 100, 200, 255 };
  g_autoptr(GByteArray) png = make_png (2, 2, 0, rows, 1, NULL, 0);
  g_autoptr(OtterImage) image = load_png_bytes (png, "gray.png");

  g_assert_cmpint (image->width, ==, 2);
  assert_pixel_near (image, 0, 0, 0, 0, 0, 0);
  assert_pixel_near (image, 1, 0, 100, 100, 100, 0);
  assert_pixel_near (image, 0, 1, 200, 200, 200, 0);
  assert_pixel_near (image, 1, 1, 255, 255, 255, 0);
}

static void
test_palette (void)
{
  const guint8 palette[] = { 10, 20, 30, 200, 100, 0, 0, 255, 0 };
  const guint8 rows[] = { 0, 1, 2, 1, 1, 0 };
  g_autoptr(GByteArray) png = make_png (3, 2, 3, rows, 1, palette, 3);
  g_autoptr(OtterImage) image = load_png_bytes (png, "palette.png");

  g_assert_cmpint (image->width, ==, 3);
  g_assert_cmpint (image->height, ==, 2);
  assert_pixel_near (image, 0, 0, 10, 20, 30, 0);
  assert_pixel_near (image, 1, 0, 200, 100, 0, 0);
  assert_pixel_near (image, 2, 0, 0, 255, 0, 0);
  assert_pixel_near (image, 2, 1, 10, 20, 30, 0);
}

static void
test_rgba (void)
{
  const guint8 rows[] = {
    255, 0, 0, 255,   255, 0, 0, 0,
    0, 0, 255, 128,   40, 80, 120, 255,
  };
  g_autoptr(GByteArray) png = make_png (2, 2, 6, rows, 4, NULL, 0);
  g_autoptr(OtterImage) image = load_png_bytes (png, "rgba.png");

  /* opaque stays, transparent is the mid-grey of the padding, half is between */
  assert_pixel_near (image, 0, 0, 255, 0, 0, 0);
  assert_pixel_near (image, 1, 0, 128, 128, 128, 0);
  assert_pixel_near (image, 0, 1, 64, 64, 192, 1);
  assert_pixel_near (image, 1, 1, 40, 80, 120, 0);
}

static void
assert_bad (const char *name,
            const guint8 *data,
            gsize       length,
            int         code)
{
  g_autofree char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(OtterImage) image = NULL;

  write_file (path, data, length);
  image = otter_image_load (path, &error);
  g_assert_null (image);
  g_assert_error (error, OTTER_ERROR, code);
  g_test_message ("%s", error->message);
  /* the user must be told which file it is */
  g_assert_true (g_str_has_prefix (error->message, path));
}

static GByteArray *
noise_jpeg (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 64);
  GRand *rand = g_rand_new_with_seed (3);
  guint8 *p = gdk_pixbuf_get_pixels (pixbuf);
  GByteArray *jpeg;

  for (int i = 0; i < 64 * gdk_pixbuf_get_rowstride (pixbuf); i++)
    p[i] = g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  jpeg = pixbuf_bytes (pixbuf, "jpeg");
  return jpeg;
}

static void
test_truncated (void)
{
  g_autoptr(GByteArray) jpeg = noise_jpeg ();
  guint8 rows[32 * 32 * 3];
  g_autoptr(GByteArray) png = NULL;

  for (guint i = 0; i < sizeof rows; i++)
    rows[i] = i * 7;
  png = make_png (32, 32, 2, rows, 3, NULL, 0);

  assert_bad ("half.jpg", jpeg->data, jpeg->len / 2, OTTER_ERROR_BAD_IMAGE);
  assert_bad ("almost.jpg", jpeg->data, jpeg->len - 10, OTTER_ERROR_BAD_IMAGE);
  assert_bad ("half.png", png->data, png->len / 2, OTTER_ERROR_BAD_IMAGE);
  /* all the pixel data but no IEND */
  assert_bad ("no-end.png", png->data, png->len - 12 - 4, OTTER_ERROR_BAD_IMAGE);
}

static void
test_not_an_image (void)
{
  g_autofree char *missing = tmp_path ("missing.jpg");
  g_autoptr(GError) error = NULL;

  assert_bad ("empty.jpg", (const guint8 *) "", 0, OTTER_ERROR_BAD_IMAGE);
  assert_bad ("notes.png", (const guint8 *) "just some text\n", 15, OTTER_ERROR_BAD_IMAGE);

  g_assert_null (otter_image_load (missing, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_IMAGE);
  g_assert_true (g_str_has_prefix (error->message, missing));
}

/* Files in formats a dataset has no business with (whatever their name)
 * and a BMP claiming a 4 GiB header are refused by the probe and the
 * decoder alike, before any gdk-pixbuf loader reads them. */
static void
test_foreign_formats (void)
{
  static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"/>";
  static const char pnm[] = "P5 8 8 255\n";
  static const guint8 bmp[26] = { 'B', 'M', 26, 0, 0, 0, 0, 0, 0, 0, 26, 0, 0, 0,
                                  0x28, 0xf7, 0xff, 0xff, 8, 0, 0, 0, 8, 0, 0, 0 };
  struct { const char *name; const guint8 *data; gsize length; } cases[] = {
    { "drawing.png", (const guint8 *) svg, sizeof svg - 1 },
    { "grey.jpg", (const guint8 *) pnm, sizeof pnm - 1 },
    { "header.bmp", bmp, sizeof bmp },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = tmp_path (cases[i].name);
      g_autoptr(GError) error = NULL;

      assert_bad (cases[i].name, cases[i].data, cases[i].length, OTTER_ERROR_BAD_IMAGE);
      g_assert_false (otter_image_probe (path, NULL, NULL, &error));
      g_assert_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE);
    }
}

static void
test_too_large (void)
{
  /* Only a header: an implementation that decoded before checking the
   * size would call this file truncated, not too large. */
  g_autoptr(GByteArray) png = make_png (20000, 20000, 6, NULL, 4, NULL, 0);
  /* SOI, a baseline SOF0 of 20000 × 20000 with 3 components and a start
   * of scan, then the file ends */
  const guint8 jpeg[] = {
    0xFF, 0xD8,
    0xFF, 0xC0, 0x00, 0x11, 0x08, 0x4E, 0x20, 0x4E, 0x20, 0x03,
    0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
    0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11,
    0x00, 0x3F, 0x00,
  };
  g_autofree char *path = tmp_path ("huge.png");
  g_autoptr(GError) error = NULL;

  assert_bad ("huge.png", png->data, png->len, OTTER_ERROR_IMAGE_TOO_LARGE);
  otter_image_load (path, &error);
  g_assert_nonnull (strstr (error->message, "20000 × 20000"));

  assert_bad ("huge.jpg", jpeg, sizeof jpeg, OTTER_ERROR_IMAGE_TOO_LARGE);
}

static OtterImage *
make_gradient (int width,
               int height)
{
  OtterImage *image = otter_image_new (width, height);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = image->pixels + ((gsize) y * width + x) * 3;

        p[0] = x * 255 / (width - 1);
        p[1] = y * 255 / (height - 1);
        p[2] = 77;
      }
  return image;
}

static void
test_letterbox_mapping (void)
{
  g_autoptr(OtterImage) image = make_gradient (200, 100);
  g_autofree float *chw = g_new (float, 3 * 64 * 64);
  OtterLetterbox lb;
  double x = 0, y = 0;
  GRand *rand = g_rand_new_with_seed (11);

  otter_image_letterbox (image, 64, chw, &lb);
  g_assert_cmpint (lb.size, ==, 64);
  g_assert_cmpfloat_with_epsilon (lb.scale, 0.32, 1e-12);
  g_assert_cmpfloat (lb.pad_x, ==, 0);
  g_assert_cmpfloat (lb.pad_y, ==, 16);

  otter_letterbox_to_input (&lb, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, 16, 1e-9);
  x = 200, y = 100;
  otter_letterbox_to_input (&lb, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 64, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, 48, 1e-9);

  for (int i = 0; i < 1000; i++)
    {
      double x0 = g_rand_double_range (rand, -50, 250);
      double y0 = g_rand_double_range (rand, -50, 150);

      x = x0, y = y0;
      otter_letterbox_to_input (&lb, &x, &y);
      otter_letterbox_to_image (&lb, &x, &y);
      g_assert_cmpfloat_with_epsilon (x, x0, 1e-6);
      g_assert_cmpfloat_with_epsilon (y, y0, 1e-6);
    }
  g_rand_free (rand);
}

static void
test_letterbox_pixels (void)
{
  int size = 50;
  g_autoptr(OtterImage) tall = make_gradient (30, 120);
  g_autofree float *chw = g_new (float, 3 * size * size);
  gsize plane = (gsize) size * size;
  OtterLetterbox lb;
  int new_w;

  otter_image_letterbox (tall, size, chw, &lb);
  /* A tall image fills the height and is centred horizontally. */
  new_w = (int) floor (30 * lb.scale + 0.5);
  g_assert_cmpint (new_w, ==, 13);
  g_assert_cmpfloat (lb.pad_y, ==, 0);
  g_assert_cmpfloat (lb.pad_x, ==, (size - new_w) / 2);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < size; y++)
      for (int x = 0; x < size; x++)
        {
          float v = chw[c * plane + y * size + x];

          g_assert_cmpfloat (v, >=, 0);
          g_assert_cmpfloat (v, <=, 1);
          if (x < lb.pad_x || x >= lb.pad_x + new_w)
            g_assert_cmpfloat (v, ==, 0.5f);
          else if (c == 2)
            g_assert_cmpfloat_with_epsilon (v, 77 / 255.0f, 1e-6);
        }

  /* Gradients survive: red grows left to right, green top to bottom. */
  for (int x = lb.pad_x + 1; x < lb.pad_x + new_w; x++)
    g_assert_cmpfloat (chw[20 * size + x], >, chw[20 * size + x - 1]);
  for (int y = 1; y < size; y++)
    g_assert_cmpfloat (chw[plane + y * size + 25], >, chw[plane + (y - 1) * size + 25]);
  /* bilinear: the middle column sits near the middle of the ramp */
  g_assert_cmpfloat_with_epsilon (chw[plane + 25 * size + 25], 0.5, 0.03);
}

static void
test_letterbox_upscale_exact (void)
{
  /* A 2 × 2 image doubled: interior samples are exact bilinear blends. */
  OtterImage *image = otter_image_new (2, 1);
  float chw[3 * 4 * 4];
  OtterLetterbox lb;

  image->pixels[0] = 0;   image->pixels[1] = 0; image->pixels[2] = 0;
  image->pixels[3] = 255; image->pixels[4] = 0; image->pixels[5] = 0;
  otter_image_letterbox (image, 4, chw, &lb);
  g_assert_cmpfloat (lb.scale, ==, 2);
  g_assert_cmpfloat (lb.pad_y, ==, 1);
  /* output centres 0.5, 1.5, 2.5, 3.5 → source -0.25 (clamped), 0.25, 0.75, 1.25 */
  g_assert_cmpfloat_with_epsilon (chw[1 * 4 + 0], 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (chw[1 * 4 + 1], 0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (chw[1 * 4 + 2], 0.75, 1e-6);
  g_assert_cmpfloat_with_epsilon (chw[1 * 4 + 3], 1.0, 1e-6);
  g_assert_cmpfloat (chw[0], ==, 0.5f);
  g_assert_cmpfloat (chw[3 * 4 + 2], ==, 0.5f);
  otter_image_free (image);
}

static void
test_load_generated_sample (void)
{
  g_autoptr(OtterSample) sample = otter_sample_new_generated (7, 12, 96);
  g_autoptr(OtterImage) rendered = otter_demo_render (7, 12, 96, NULL);
  g_autoptr(OtterImage) loaded = NULL;
  g_autoptr(GError) error = NULL;

  loaded = otter_image_load_sample (sample, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->width, ==, 96);
  g_assert_cmpint (loaded->height, ==, 96);
  g_assert_cmpmem (loaded->pixels, 96 * 96 * 3, rendered->pixels, 96 * 96 * 3);
}

static void
test_load_sample_error_names_file (void)
{
  g_autofree char *path = tmp_path ("sample-empty.jpg");
  g_autoptr(OtterSample) sample = NULL;
  g_autoptr(GError) error = NULL;

  write_file (path, (const guint8 *) "", 0);
  sample = otter_sample_new (path, NULL, 0, 0);
  g_assert_null (otter_image_load_sample (sample, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE);
  g_assert_true (g_str_has_prefix (error->message, path));
}

/* A smooth w × h picture, so that decoding at a reduced size and
 * resampling the full one must agree closely. */
static GdkPixbuf *
make_smooth (int width,
             int height)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *p = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *q = p + y * stride + x * 3;

        q[0] = x * 255 / width;
        q[1] = y * 255 / height;
        q[2] = 128 + 100 * sin (x / 60.0) * cos (y / 45.0);
      }
  return pixbuf;
}

static double
mean_abs_difference (const float *a,
                     const float *b,
                     gsize        n)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    sum += fabs (a[i] - b[i]);
  return sum / n;
}

static void
check_reduced (const char *name,
               GByteArray *bytes,
               int         fit,
               int         full_w,
               int         full_h,
               int         reduction)
{
  g_autofree char *path = tmp_path (name);
  g_autoptr(OtterSample) sample = NULL;
  g_autoptr(OtterImage) whole = NULL;
  g_autoptr(OtterImage) reduced = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *a = g_new (float, 3 * fit * fit);
  g_autofree float *b = g_new (float, 3 * fit * fit);
  OtterLetterbox la, lb;
  int full[3];

  write_file (path, bytes->data, bytes->len);
  sample = otter_sample_new (path, NULL, 0, 0);

  whole = otter_image_load_sample (sample, &error);
  g_assert_no_error (error);
  reduced = otter_image_load_sample_to_fit (sample, fit, full, &error);
  g_assert_no_error (error);

  g_assert_cmpint (full[0], ==, full_w);
  g_assert_cmpint (full[1], ==, full_h);
  g_assert_cmpint (full[2], ==, reduction);
  g_assert_cmpint (reduced->width, ==, (full_w + reduction - 1) / reduction);
  g_assert_cmpint (reduced->height, ==, (full_h + reduction - 1) / reduction);

  /* the same placement, and nearly the same pixels, as a full decode */
  otter_image_letterbox (whole, fit, a, &la);
  otter_image_letterbox_reduced (reduced, full[0], full[1], full[2], fit, b, &lb);
  g_assert_cmpint (la.size, ==, lb.size);
  g_assert_cmpfloat (la.scale, ==, lb.scale);
  g_assert_cmpfloat (la.pad_x, ==, lb.pad_x);
  g_assert_cmpfloat (la.pad_y, ==, lb.pad_y);
  g_test_message ("%s: mean difference %.4f", name, mean_abs_difference (a, b, 3 * fit * fit));
  g_assert_cmpfloat (mean_abs_difference (a, b, 3 * fit * fit), <, 0.005);
}

static void
test_reduced_decode (void)
{
  g_autoptr(GdkPixbuf) pixbuf = make_smooth (1000, 600);
  g_autoptr(GByteArray) jpeg = pixbuf_bytes (pixbuf, "jpeg");
  g_autoptr(GByteArray) rotated = jpeg_with_orientation (jpeg, 6);
  g_autoptr(GByteArray) png = pixbuf_bytes (pixbuf, "png");

  /* 1000 / 4 = 250 still covers 200, 1000 / 8 would not */
  check_reduced ("big.jpg", jpeg, 200, 1000, 600, 4);
  check_reduced ("big-rotated.jpg", rotated, 200, 600, 1000, 4);
  check_reduced ("big-320.jpg", jpeg, 320, 1000, 600, 2);
  /* nothing to gain: enlarged, or not a JPEG */
  check_reduced ("big-600.jpg", jpeg, 600, 1000, 600, 1);
  check_reduced ("big.png", png, 200, 1000, 600, 1);
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = tmp_path (name);

      g_unlink (path);
    }
  g_rmdir (tmp_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("otter-test-image-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/otter/Image/sniff-content", test_sniff_content);
  g_test_add_func ("/otter/Image/exif-orientation", test_exif_orientation);
  g_test_add_func ("/otter/Image/invalid-orientation", test_invalid_orientation);
  g_test_add_func ("/otter/Image/grayscale", test_grayscale);
  g_test_add_func ("/otter/Image/palette", test_palette);
  g_test_add_func ("/otter/Image/rgba", test_rgba);
  g_test_add_func ("/otter/Image/truncated", test_truncated);
  g_test_add_func ("/otter/Image/not-an-image", test_not_an_image);
  g_test_add_func ("/otter/Image/foreign-formats", test_foreign_formats);
  g_test_add_func ("/otter/Image/too-large", test_too_large);
  g_test_add_func ("/otter/Image/letterbox-mapping", test_letterbox_mapping);
  g_test_add_func ("/otter/Image/letterbox-pixels", test_letterbox_pixels);
  g_test_add_func ("/otter/Image/letterbox-upscale", test_letterbox_upscale_exact);
  g_test_add_func ("/otter/Image/reduced-decode", test_reduced_decode);
  g_test_add_func ("/otter/Image/load-generated-sample", test_load_generated_sample);
  g_test_add_func ("/otter/Image/load-sample-error", test_load_sample_error_names_file);

  ret = g_test_run ();
  remove_tmp_dir ();
  g_free (tmp_dir);
  return ret;
}
