/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dataset-sizes.c: an annotation that states a size other than its
 * image's gets its boxes scaled to the real size, with a note, in VOC,
 * CSV and COCO alike; 0 × 0 still means "the image's size". */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "otter-dataset.h"

static char *tmp_dir;

/* A 64 × 48 grey PNG at root/name. */
static void
write_image (const char *root,
             const char *name)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  gdk_pixbuf_fill (pixbuf, 0x808080ff);
  g_autofree char *path = g_build_filename (root, name, NULL);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
}

static char *
make_root (const char *name)
{
  char *root = g_build_filename (tmp_dir, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (root, 0755), ==, 0);
  write_image (root, "a.png");
  return root;
}

static void
write_file (const char *root,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (root, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* The one sample is 64 × 48 with its box from (0, 0) to (x2, y2), and
 * loading made `n_notes` notes. */
static void
assert_fitted (const char *path,
               double      x2,
               double      y2,
               guint       n_notes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterDataset) dataset = otter_dataset_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (dataset)), ==, 1);
  g_autoptr (OtterSample) sample = g_list_model_get_item (G_LIST_MODEL (dataset), 0);
  g_assert_cmpint (otter_sample_get_width (sample), ==, 64);
  g_assert_cmpint (otter_sample_get_height (sample), ==, 48);
  g_assert_cmpuint (otter_sample_get_n_boxes (sample), ==, 1);
  const OtterBox *box = otter_sample_get_box (sample, 0);
  g_assert_cmpfloat_with_epsilon (box->x1, 0, 1e-6);
  g_assert_cmpfloat_with_epsilon (box->y1, 0, 1e-6);
  g_assert_cmpfloat_with_epsilon (box->x2, x2, 1e-6);
  g_assert_cmpfloat_with_epsilon (box->y2, y2, 1e-6);
  const GPtrArray *notes = otter_dataset_get_notes (dataset);
  for (guint i = 0; i < notes->len; i++)
    g_test_message ("%s", (const char *) notes->pdata[i]);
  g_assert_cmpuint (notes->len, ==, n_notes);
  if (n_notes > 0)
    {
      g_assert_nonnull (strstr (notes->pdata[0], "128 × 96"));
      g_assert_nonnull (strstr (notes->pdata[0], "64 × 48"));
    }
}

/* The box covers the whole stated 128 × 96 image: scaled, the whole real one. */
static void
test_voc (void)
{
  g_autofree char *root = make_root ("voc");
#define VOC_XML \
    "<annotation><filename>a.png</filename><size><width>%d</width><height>%d</height><depth>3</depth></size>" \
    "<object><name>thing</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>%d</xmax><ymax>%d</ymax></bndbox>" \
    "</object></annotation>"
  g_autofree char *stated = g_strdup_printf (VOC_XML, 128, 96, 128, 96);
  write_file (root, "a.xml", stated);
  assert_fitted (root, 64, 48, 1);

  /* 0 × 0: the image's own size, nothing to scale */
  g_autofree char *unstated = g_strdup_printf (VOC_XML, 0, 0, 32, 24);
  write_file (root, "a.xml", unstated);
  assert_fitted (root, 32, 24, 0);
}

static void
test_csv (void)
{
  g_autofree char *root = make_root ("csv");
  write_file (root, "labels.csv", "filename,width,height,class,xmin,ymin,xmax,ymax\na.png,128,96,thing,0,0,128,96\n");
  g_autofree char *csv = g_build_filename (root, "labels.csv", NULL);
  assert_fitted (csv, 64, 48, 1);
  write_file (root, "labels.csv", "filename,width,height,class,xmin,ymin,xmax,ymax\na.png,64,48,thing,0,0,64,48\n");
  assert_fitted (csv, 64, 48, 0);
}

static void
test_coco (void)
{
  g_autofree char *root = make_root ("coco");
  write_file (root, "instances.json",
              "{\"images\":[{\"id\":1,\"file_name\":\"a.png\",\"width\":128,\"height\":96}],"
              "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,128,96],\"area\":1,"
              "\"iscrowd\":0}],\"categories\":[{\"id\":1,\"name\":\"thing\"}]}");
  g_autofree char *json = g_build_filename (root, "instances.json", NULL);
  assert_fitted (json, 64, 48, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("otter-dataset-sizes-XXXXXX", NULL);
  g_test_add_func ("/otter/dataset-sizes/voc", test_voc);
  g_test_add_func ("/otter/dataset-sizes/csv", test_csv);
  g_test_add_func ("/otter/dataset-sizes/coco", test_coco);
  int status = g_test_run ();
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
  (void) system (command);
  return status;
}
