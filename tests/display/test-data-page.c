/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-data-page.c: the Data page with a real display */

#include "config.h"

#include <glib/gstdio.h>

#include "display-utils.h"
#include "otter-caption.h"
#include "otter-data-page.h"
#include "otter-image-view.h"
#include "otter-outside-root.h"
#include "otter-thumbnail-cache.h"
#include "otter-thumbnail.h"

typedef struct
{
  OtterSession  *session;
  GtkWindow     *window;
  OtterDataPage *page;
} Fixture;

static void
fixture_open (Fixture    *fixture,
              const char *path)
{
  fixture->session = otter_session_new ();
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->page = g_object_new (OTTER_TYPE_DATA_PAGE, "session", fixture->session, NULL);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_set_default_size (fixture->window, 1000, 700);
  gtk_window_present (fixture->window);
  otter_session_open_dataset (fixture->session, path);
  g_assert_true (display_wait_until ((gpointer) otter_session_get_dataset, fixture->session, 60));
  display_spin (0.3);
}

static void
fixture_close (Fixture *fixture)
{
  gtk_window_destroy (fixture->window);
  display_spin (0.1);
  g_clear_object (&fixture->session);
}

/* Fraction of pixels that are clearly not grey. */
static double
colourful_fraction (GdkTexture *texture,
                    int         x,
                    int         y,
                    int         width,
                    int         height)
{
  int tw = gdk_texture_get_width (texture), th = gdk_texture_get_height (texture);
  g_autofree guint8 *data = g_malloc ((gsize) tw * th * 4);
  guint n = 0, total = 0;

  gdk_texture_download (texture, data, tw * 4);
  for (int j = y; j < MIN (y + height, th); j++)
    for (int i = x; i < MIN (x + width, tw); i++)
      {
        const guint8 *p = data + ((gsize) j * tw + i) * 4;
        int hi = MAX (p[0], MAX (p[1], p[2])), lo = MIN (p[0], MIN (p[1], p[2]));
        n += hi - lo > 40;
        total++;
      }
  return total ? (double) n / total : 0;
}

static gboolean
thumbnails_decoded (gpointer data)
{
  OtterThumbnailCache *cache = otter_thumbnail_cache_get_default ();
  return otter_thumbnail_cache_get_n_cached (cache) >= 8 && otter_thumbnail_cache_get_n_pending (cache) == 0;
}

/* The grid shows every sample, and thumbnails appear in it. */
static void
test_grid (void)
{
  Fixture f;

  otter_thumbnail_cache_clear (otter_thumbnail_cache_get_default ());
  fixture_open (&f, "demo:200");
  OtterDataset *dataset = otter_session_get_dataset (f.session);
  GListModel *visible = otter_data_page_get_visible_samples (f.page);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 200);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, g_list_model_get_n_items (G_LIST_MODEL (dataset)));

  g_autoptr (GdkTexture) before = display_render_widget (GTK_WIDGET (f.page));
  g_assert_true (display_wait_until (thumbnails_decoded, NULL, 30));
  /* only what is on screen (and a little more) is decoded, not all 200 */
  g_assert_cmpuint (otter_thumbnail_cache_get_n_cached (otter_thumbnail_cache_get_default ()), <, 200);
  display_spin (0.3);

  g_autoptr (GdkTexture) after = display_render_widget (GTK_WIDGET (f.page));
  int width = gdk_texture_get_width (after), height = gdk_texture_get_height (after);
  /* the grid area: right of the class sidebar, below the summary line */
  double variety = display_texture_variety (after, 260, 100, width - 280, height - 120);
  g_test_message ("grid variety %.3f", variety);
  g_assert_cmpfloat (variety, >, 0.05);
  /* decoded thumbnails (colourful shapes and boxes) replaced the grey placeholders */
  double colour_before = colourful_fraction (before, 260, 100, width - 280, height - 120);
  double colour_after = colourful_fraction (after, 260, 100, width - 280, height - 120);
  g_test_message ("colourful pixels %.3f → %.3f", colour_before, colour_after);
  g_assert_cmpfloat (colour_after, >, 0.05);
  g_assert_cmpfloat (colour_after, >=, colour_before);

  if (g_getenv ("OTTER_DATA_PAGE_SCREENSHOT"))
    display_save_widget_png (GTK_WIDGET (f.window), g_getenv ("OTTER_DATA_PAGE_SCREENSHOT"));
  fixture_close (&f);
}

static void
find_captions (GtkWidget *widget,
               GPtrArray *found)
{
  if (OTTER_IS_CAPTION (widget))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_captions (child, found);
}

static void
measure_caption (GtkWidget *caption,
                 int       *width,
                 int       *height)
{
  gtk_widget_measure (caption, GTK_ORIENTATION_HORIZONTAL, -1, NULL, width, NULL, NULL);
  gtk_widget_measure (caption, GTK_ORIENTATION_VERTICAL, *width, NULL, height, NULL, NULL);
}

/* The grid's captions name their samples, are one line high and as wide
 * for a long name as for a short one (a new text costs no layout pass),
 * and a name too long for its width is drawn shortened inside it. */
static void
test_captions (void)
{
  Fixture f;

  fixture_open (&f, "demo:50");
  g_autoptr (GPtrArray) captions = g_ptr_array_new ();
  find_captions (GTK_WIDGET (f.page), captions);
  g_assert_cmpuint (captions->len, >, 0);
  OtterSample *first = g_list_model_get_item (G_LIST_MODEL (otter_session_get_dataset (f.session)), 0);
  gboolean named = FALSE;
  for (guint i = 0; i < captions->len; i++)
    named |= g_strcmp0 (otter_caption_get_text (captions->pdata[i]), otter_sample_get_display_name (first)) == 0;
  g_assert_true (named);
  g_object_unref (first);
  fixture_close (&f);

  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *caption = otter_caption_new ("short.jpg");
  gtk_widget_set_halign (caption, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_window_set_child (window, box);
  gtk_window_present (window);
  display_spin (0.2);

  int short_width, short_height, long_width, long_height;
  measure_caption (caption, &short_width, &short_height);
  g_assert_cmpint (short_width, >, 0);
  g_assert_cmpint (short_height, >, 0);
  /* the window's background under it: the text is dark on it */
  g_autoptr (GdkTexture) short_render = display_render_widget (GTK_WIDGET (window));
  g_assert_cmpfloat (display_texture_variety (short_render, 0, 0, short_width, short_height), >, 0.01);

  g_autofree char *long_name = g_strnfill (300, 'w');
  otter_caption_set_text (OTTER_CAPTION (caption), long_name);
  display_spin (0.2);
  measure_caption (caption, &long_width, &long_height);
  g_assert_cmpint (long_width, ==, short_width);
  g_assert_cmpint (long_height, ==, short_height);
  g_assert_cmpint (gtk_widget_get_width (caption), ==, short_width);
  /* drawn, shortened, within the same width: nothing right of it */
  g_autoptr (GdkTexture) long_render = display_render_widget (GTK_WIDGET (window));
  g_assert_cmpfloat (display_texture_variety (long_render, 0, 0, short_width, short_height), >, 0.01);
  int right = gdk_texture_get_width (long_render) - short_width;
  if (right > 0)
    g_assert_cmpfloat (display_texture_variety (long_render, short_width, 0, right, short_height), ==, 0);

  /* a longer limit is a wider caption */
  otter_caption_set_width_chars (OTTER_CAPTION (caption), 36);
  int wide_width, wide_height;
  measure_caption (caption, &wide_width, &wide_height);
  g_assert_cmpint (wide_width, >, short_width);
  gtk_window_destroy (window);
  display_spin (0.1);
}

/* Picking a class shows only the samples with a box of that class. */
static gboolean
has_label (GtkWidget  *root,
           const char *text)
{
  g_autoptr (GPtrArray) labels = display_find_all (root, GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_label (labels->pdata[i]), text) == 0)
      return TRUE;
  return FALSE;
}

/* coco128's data.yaml names 80 classes, its labels use fewer: the ones
 * without a box are not offered as filters that would show nothing. */
static void
test_classes_without_boxes (void)
{
  const char *shared = g_getenv ("OTTER_SHARED_DATASETS");
  g_autofree char *yaml = shared ? g_build_filename (shared, "coco128", "data.yaml", NULL) : NULL;
  if (yaml == NULL || !g_file_test (yaml, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("the shared coco128 set is not there");
      return;
    }
  Fixture f;
  fixture_open (&f, yaml);
  OtterDataset *dataset = otter_session_get_dataset (f.session);
  const guint *counts = otter_dataset_get_class_counts (dataset);
  guint with_boxes = 0;
  for (guint i = 0; i < otter_dataset_get_n_classes (dataset); i++)
    with_boxes += counts[i] > 0;
  g_test_message ("%u of %u classes have boxes", with_boxes, otter_dataset_get_n_classes (dataset));
  g_assert_cmpuint (with_boxes, <, otter_dataset_get_n_classes (dataset));

  GtkWidget *list = NULL;
  g_autoptr (GPtrArray) lists = display_find_all (GTK_WIDGET (f.page), GTK_TYPE_LIST_BOX);
  for (guint i = 0; i < lists->len && list == NULL; i++)
    if (gtk_widget_has_css_class (lists->pdata[i], "navigation-sidebar") ||
        gtk_list_box_get_row_at_index (lists->pdata[i], 0) != NULL)
      list = lists->pdata[i];
  g_assert_nonnull (list);
  guint rows = 0;
  while (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), (int) rows) != NULL)
    rows++;
  g_assert_cmpuint (rows, ==, 1 + with_boxes);          /* "All Images" and the classes in use */
  fixture_close (&f);
}

static void
test_filter (void)
{
  Fixture f;

  fixture_open (&f, "demo:200");
  OtterDataset *dataset = otter_session_get_dataset (f.session);
  GListModel *visible = otter_data_page_get_visible_samples (f.page);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  guint expected = 0;

  for (guint i = 0; i < n; i++)
    {
      OtterSample *sample = otter_dataset_get_sample (dataset, i);
      for (guint b = 0; b < otter_sample_get_n_boxes (sample); b++)
        if (otter_sample_get_box (sample, b)->class_id == 0)
          {
            expected++;
            break;
          }
    }
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (expected, <, n);

  /* the class list says what it counts: images for all, boxes for a class */
  g_autofree char *images = g_strdup_printf ("%u images", n);
  g_autofree char *boxes = g_strdup_printf ("%u boxes", otter_dataset_get_class_counts (dataset)[0]);
  g_assert_true (has_label (GTK_WIDGET (f.page), images));
  g_assert_true (has_label (GTK_WIDGET (f.page), boxes));

  otter_data_page_set_class_filter (f.page, 0);
  display_spin (0.1);
  g_assert_cmpint (otter_data_page_get_class_filter (f.page), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, expected);
  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    {
      g_autoptr (OtterSample) sample = g_list_model_get_item (visible, i);
      gboolean found = FALSE;
      for (guint b = 0; b < otter_sample_get_n_boxes (sample); b++)
        found |= otter_sample_get_box (sample, b)->class_id == 0;
      g_assert_true (found);
    }

  otter_data_page_set_class_filter (f.page, -1);
  display_spin (0.1);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, n);
  fixture_close (&f);
}

/* Activating a thumbnail opens the image large, with its boxes. */
static void
test_detail (void)
{
  Fixture f;

  fixture_open (&f, "demo:20");
  g_autoptr (GdkTexture) grid = display_render_widget (GTK_WIDGET (f.page));
  otter_data_page_show_detail (f.page, 3);
  display_spin (1.0);
  g_autoptr (GdkTexture) detail = display_render_widget (GTK_WIDGET (f.page));
  int width = gdk_texture_get_width (detail), height = gdk_texture_get_height (detail);
  g_assert_cmpfloat (display_texture_variety (detail, 260, 100, width - 280, height - 120), >, 0.05);
  g_assert_cmpfloat (display_texture_difference (grid, detail), >, 1.0);
  if (g_getenv ("OTTER_DATA_PAGE_DETAIL_SCREENSHOT"))
    display_save_widget_png (GTK_WIDGET (f.window), g_getenv ("OTTER_DATA_PAGE_DETAIL_SCREENSHOT"));
  gtk_widget_activate_action (GTK_WIDGET (f.page), "data.back", NULL);
  fixture_close (&f);
}

static gboolean
augmented_shown (gpointer data)
{
  guint64 seed = 0;
  g_object_get (data, "augmented-seed", &seed, NULL);
  return seed != 0;
}

typedef struct
{
  OtterDataPage *page;
  guint64        seed;
} SeedWait;

static gboolean
augmented_seed_is (gpointer data)
{
  SeedWait *wait = data;
  guint64 seed = 0;
  g_object_get (wait->page, "augmented-seed", &seed, NULL);
  return seed == wait->seed;
}

/* "Show Augmented" puts the sample in the detail view as the training
 * loader makes it (model input size, its boxes moved with it), and each
 * "Another Draw" is a new draw. */
static void
test_augmented (void)
{
  Fixture f;

  fixture_open (&f, "demo:20");
  otter_data_page_show_detail (f.page, 3);
  display_spin (0.5);
  OtterImageView *view = OTTER_IMAGE_VIEW (display_find_widget (GTK_WIDGET (f.page), OTTER_TYPE_IMAGE_VIEW));
  g_assert_nonnull (view);
  g_autoptr (GdkTexture) plain = g_object_ref (otter_image_view_get_texture (view));
  /* nothing to redraw while the plain image is shown */
  GtkWidget *toggle = display_find_actionable (GTK_WIDGET (f.page), "data.show-augmented");
  GtkWidget *redraw = display_find_actionable (GTK_WIDGET (f.page), "data.redraw");
  g_assert_true (GTK_IS_TOGGLE_BUTTON (toggle));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_false (gtk_widget_is_sensitive (redraw));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "data.show-augmented", NULL));
  display_spin (0.1);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_true (gtk_widget_is_sensitive (redraw));
  g_assert_true (display_wait_until (augmented_shown, f.page, 30));
  display_spin (0.3);
  GdkTexture *first = otter_image_view_get_texture (view);
  g_assert_true (first != plain);
  /* the model input of the demo: 96 px (upscaled for the screen) */
  g_assert_cmpint (gdk_texture_get_width (first) % 96, ==, 0);
  g_assert_cmpint (gdk_texture_get_width (first), ==, gdk_texture_get_height (first));
  g_autoptr (GdkTexture) first_render = display_render_widget (GTK_WIDGET (view));
  if (g_getenv ("OTTER_DATA_PAGE_AUGMENTED_SCREENSHOT"))
    display_save_widget_png (GTK_WIDGET (f.window), g_getenv ("OTTER_DATA_PAGE_AUGMENTED_SCREENSHOT"));

  /* the demo is augmented by flips: some of the next draws mirror it the
   * other way (the draws are seeded, so this is the same every run) */
  guint64 seed;
  gboolean changed = FALSE;
  g_object_get (f.page, "augmented-seed", &seed, NULL);
  for (int i = 0; i < 8 && !changed; i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "data.redraw", NULL));
      SeedWait wait = { f.page, ++seed };
      g_assert_true (display_wait_until (augmented_seed_is, &wait, 30));
      display_spin (0.2);
      g_autoptr (GdkTexture) render = display_render_widget (GTK_WIDGET (view));
      changed = display_texture_difference (first_render, render) > 1.0;
    }
  g_assert_true (changed);

  /* off again: the plain image */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "data.show-augmented", NULL));
  g_assert_false (augmented_shown (f.page));
  display_spin (1.0);
  GdkTexture *back = otter_image_view_get_texture (view);
  g_assert_cmpint (gdk_texture_get_width (back), ==, gdk_texture_get_width (plain));
  fixture_close (&f);
}

static gboolean
has_tooltip (gpointer widget)
{
  return gtk_widget_get_tooltip_text (widget) != NULL;
}

static gboolean
thumbnail_loaded (gpointer thumbnail)
{
  return otter_thumbnail_get_loaded (thumbnail);
}

/* A grid item that could not decode its image says why in its tooltip;
 * recycled for another sample, it loses the tooltip and shows the image.
 * (The tooltip is only touched when there is one: setting it costs an X
 * round trip, once per item scrolled past.) */
static void
test_thumbnail_failure_tooltip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-thumb-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "gone.jpg", NULL);
  g_autoptr (OtterSample) broken = otter_sample_new (missing, NULL, 64, 64);
  g_autoptr (OtterSample) good = otter_sample_new_generated (3, 0, 96);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *thumbnail = otter_thumbnail_new ();
  otter_thumbnail_set_size (OTTER_THUMBNAIL (thumbnail), 96);
  gtk_window_set_child (GTK_WINDOW (window), thumbnail);
  gtk_window_present (GTK_WINDOW (window));

  otter_thumbnail_set_sample (OTTER_THUMBNAIL (thumbnail), broken);
  g_assert_true (display_wait_until (has_tooltip, thumbnail, 30));
  g_test_message ("tooltip: %s", gtk_widget_get_tooltip_text (thumbnail));

  otter_thumbnail_set_sample (OTTER_THUMBNAIL (thumbnail), good);
  g_assert_null (gtk_widget_get_tooltip_text (thumbnail));
  g_assert_true (display_wait_until (thumbnail_loaded, thumbnail, 30));
  g_assert_null (gtk_widget_get_tooltip_text (thumbnail));
  gtk_window_destroy (GTK_WINDOW (window));
  g_rmdir (dir);
}

/* A dataset with broken samples says how many were left out. */
static void
test_skipped (void)
{
  Fixture f;
  /* meson sets G_TEST_SRCDIR; run by hand from the build dir, __FILE__
   * (relative to it) finds the sources */
  g_autofree char *srcdir = g_getenv ("G_TEST_SRCDIR") ? g_strdup (g_test_get_dir (G_TEST_DIST))
                                                       : g_path_get_dirname (__FILE__);
  g_autofree char *voc = g_build_filename (srcdir, "..", "fixtures", "datasets", "voc", NULL);
  g_test_message ("VOC fixture: %s", voc);

  fixture_open (&f, voc);
  OtterDataset *dataset = otter_session_get_dataset (f.session);
  const GArray *skipped = otter_dataset_get_skipped (dataset);
  g_assert_cmpuint (skipped->len, >, 0);
  g_assert_true (otter_data_page_get_skipped_revealed (f.page));

  g_autofree char *expected = g_strdup_printf ("%u samples skipped", skipped->len);
  g_autoptr (GtkWidget) found = NULL;
  gboolean label_found = FALSE;
  GtkWidget *w = GTK_WIDGET (f.page);
  /* the bar's text names the count */
  for (GtkWidget *child = w; child != NULL;)
    {
      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (child)), expected) == 0)
        label_found = TRUE;
      if (gtk_widget_get_first_child (child))
        child = gtk_widget_get_first_child (child);
      else
        {
          while (child != w && gtk_widget_get_next_sibling (child) == NULL)
            child = gtk_widget_get_parent (child);
          child = child == w ? NULL : gtk_widget_get_next_sibling (child);
        }
    }
  g_assert_true (label_found);
  if (g_getenv ("OTTER_DATA_PAGE_SKIPPED_SCREENSHOT"))
    display_save_widget_png (GTK_WIDGET (f.window), g_getenv ("OTTER_DATA_PAGE_SKIPPED_SCREENSHOT"));
  fixture_close (&f);
}

static gboolean
dataset_has_two (gpointer data)
{
  OtterDataset *dataset = otter_session_get_dataset (data);
  return dataset != NULL && g_list_model_get_n_items (G_LIST_MODEL (dataset)) == 2;
}

/* An annotation naming a file outside the dataset: the banner says so and
 * offers to read it; agreeing reopens the dataset with it. */
static void
test_outside_root (void)
{
  Fixture f;
  g_autofree char *srcdir = g_getenv ("G_TEST_SRCDIR") ? g_strdup (g_test_get_dir (G_TEST_DIST))
                                                       : g_path_get_dirname (__FILE__);
  g_autofree char *good = g_build_filename (srcdir, "..", "fixtures", "datasets", "voc", "images", "good.png", NULL);
  g_autofree char *good_path = g_canonicalize_filename (good, NULL);
  g_autofree char *root = g_dir_make_tmp ("otter-outside-XXXXXX", NULL);
  g_autofree char *images = g_build_filename (root, "images", NULL);
  g_autofree char *annotations = g_build_filename (root, "annotations", NULL);
  g_autofree char *inside = g_build_filename (images, "good.png", NULL);
  g_autofree char *png = NULL;
  gsize png_size;
  const char *object = "<object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>20</xmax>"
                       "<ymax>20</ymax></bndbox></object>";

  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (annotations, 0755), ==, 0);
  g_assert_true (g_file_get_contents (good_path, &png, &png_size, NULL));
  g_assert_true (g_file_set_contents (inside, png, png_size, NULL));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *xml = g_strdup_printf ("<annotation>%s%s%s%s</annotation>",
                                              i == 0 ? "<filename>good.png</filename>" : "<path>",
                                              i == 0 ? "" : good_path, i == 0 ? "" : "</path>", object);
      g_autofree char *name = g_strdup_printf ("%c.xml", 'a' + i);
      g_autofree char *path = g_build_filename (annotations, name, NULL);
      g_assert_true (g_file_set_contents (path, xml, -1, NULL));
    }

  fixture_open (&f, root);
  OtterDataset *dataset = otter_session_get_dataset (f.session);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (dataset)), ==, 1);
  g_assert_true (otter_data_page_get_skipped_revealed (f.page));
  GtkWidget *label = NULL;
  GPtrArray *labels = display_find_all (GTK_WIDGET (f.page), GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_label (labels->pdata[i]), "1 sample skipped · 1 outside the dataset’s folder") == 0)
      label = labels->pdata[i];
  g_ptr_array_unref (labels);
  g_assert_nonnull (label);
  GtkWidget *read = display_find_button (GTK_WIDGET (f.page), "_Read Them…");
  g_assert_nonnull (read);
  g_assert_true (gtk_widget_get_visible (read));
  g_assert_true (gtk_widget_get_mapped (read));
  if (g_getenv ("OTTER_DATA_PAGE_OUTSIDE_SCREENSHOT"))
    display_save_widget_png (GTK_WIDGET (f.window), g_getenv ("OTTER_DATA_PAGE_OUTSIDE_SCREENSHOT"));

  /* What the window's action does with the button's target. */
  g_autofree char *target = NULL;
  g_variant_get (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (read)), "s", &target);
  g_assert_cmpstr (target, ==, root);
  otter_outside_root_confirm (GTK_WIDGET (f.page), f.session, target);
  display_spin (0.3);
  AdwMessageDialog *dialog = display_find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  adw_message_dialog_response (dialog, "read");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (display_wait_until (dataset_has_two, f.session, 60));
  display_spin (0.3);
  dataset = otter_session_get_dataset (f.session);
  g_assert_cmpint (otter_dataset_get_load_flags (dataset), ==, OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT);
  g_assert_false (otter_data_page_get_skipped_revealed (f.page));
  fixture_close (&f);

  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", root);
  g_assert_cmpint (system (command), ==, 0);
}

/* Without a dataset the page offers ways to get one. */
static void
test_empty (void)
{
  OtterSession *session = otter_session_new ();
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  OtterDataPage *page = g_object_new (OTTER_TYPE_DATA_PAGE, "session", session, NULL);

  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_set_default_size (window, 1000, 700);
  gtk_window_present (window);
  display_spin (0.3);
  g_assert_cmpuint (g_list_model_get_n_items (otter_data_page_get_visible_samples (page)), ==, 0);
  g_assert_false (otter_data_page_get_skipped_revealed (page));
  g_autoptr (GdkTexture) texture = display_render_widget (GTK_WIDGET (page));
  g_assert_cmpfloat (display_texture_variety (texture, 0, 0, gdk_texture_get_width (texture),
                                              gdk_texture_get_height (texture)), >, 0.005);
  gtk_window_destroy (window);
  g_object_unref (session);
}

int
main (int argc, char *argv[])
{
  display_test_init (&argc, &argv);
  g_test_add_func ("/otter/DataPage/empty", test_empty);
  g_test_add_func ("/otter/DataPage/grid", test_grid);
  g_test_add_func ("/otter/DataPage/captions", test_captions);
  g_test_add_func ("/otter/DataPage/thumbnail-failure-tooltip", test_thumbnail_failure_tooltip);
  g_test_add_func ("/otter/DataPage/filter", test_filter);
  g_test_add_func ("/otter/DataPage/classes-without-boxes", test_classes_without_boxes);
  g_test_add_func ("/otter/DataPage/detail", test_detail);
  g_test_add_func ("/otter/DataPage/augmented", test_augmented);
  g_test_add_func ("/otter/DataPage/skipped", test_skipped);
  g_test_add_func ("/otter/DataPage/outside-root", test_outside_root);
  return g_test_run ();
}
