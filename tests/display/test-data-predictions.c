/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-data-predictions.c: the Data page's detail view with a real
 * display: the model's detections beside the ground truth, the score
 * threshold, and the zoom both panes share */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "display-utils.h"
#include "otter-batch.h"
#include "otter-colormap.h"
#include "otter-data-page.h"
#include "otter-detections.h"
#include "otter-image-pair.h"
#include "otter-image-view.h"
#include "otter-window.h"

static AdwApplication *app;

typedef struct
{
  OtterSession   *session;
  GtkWindow      *window;
  OtterDataPage  *page;
  OtterImageView *truth;
  OtterImageView *model;
  GtkScale       *threshold;
} Fixture;

/* A few steps on the demo shapes: enough for scores to spread over the
 * threshold's range, so the slider has something to filter. */
static void
train_briefly (OtterDataset *dataset,
               OtterModel   *model,
               int           steps)
{
  g_autoptr (GError) error = NULL;
  guint indices[16];

  for (guint i = 0; i < G_N_ELEMENTS (indices); i++)
    indices[i] = i;
  g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, indices, G_N_ELEMENTS (indices),
                                                               otter_model_get_input_size (model),
                                                               NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  OtterTorchTrainParams params;
  otter_torch_train_params_init (&params);
  params.method = OTTER_METHOD_STANDARD;
  params.optimizer = OTTER_OPTIMIZER_ADAMW;
  params.lr = 5e-3;
  params.warmup_steps = 0;
  params.total_steps = steps;
  params.ema_decay = 0;
  OtterTorchModel *torch = otter_model_lock (model);
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (torch, &params, &error);
  g_assert_no_error (error);
  for (int step = 0; step < steps; step++)
    {
      OtterTorchStepResult r;
      g_assert_true (otter_torch_trainer_step (trainer, &batch->view, step, &r, &error));
      g_assert_no_error (error);
    }
  g_clear_pointer (&trainer, otter_torch_trainer_free);
  otter_model_unlock (model);
}

static GtkWidget *
find_detecting_spinner (GtkWidget *root)
{
  g_autoptr (GPtrArray) spinners = display_find_all (root, GTK_TYPE_SPINNER);
  for (guint i = 0; i < spinners->len; i++)
    if (g_strcmp0 (gtk_widget_get_tooltip_text (spinners->pdata[i]), "Detecting…") == 0)
      return spinners->pdata[i];
  return NULL;
}

static void
fixture_open (Fixture    *f,
              const char *path,
              int         width,
              int         height,
              int         train_steps)
{
  g_autoptr (GError) error = NULL;

  f->session = otter_session_new ();
  f->window = GTK_WINDOW (gtk_window_new ());
  f->page = g_object_new (OTTER_TYPE_DATA_PAGE, "session", f->session, NULL);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_set_default_size (f->window, width, height);
  gtk_window_present (f->window);
  otter_session_open_dataset (f->session, path);
  g_assert_true (display_wait_until ((gpointer) otter_session_get_dataset, f->session, 60));
  g_assert_true (otter_session_create_model (f->session, "tiny", 96, &error));
  g_assert_no_error (error);
  if (train_steps > 0)
    train_briefly (otter_session_get_dataset (f->session), otter_session_get_model (f->session), train_steps);
  display_spin (0.2);

  g_autoptr (GPtrArray) views = display_find_all (GTK_WIDGET (f->page), OTTER_TYPE_IMAGE_VIEW);
  g_assert_cmpuint (views->len, ==, 2);
  f->truth = views->pdata[0];
  f->model = views->pdata[1];
  f->threshold = GTK_SCALE (display_find_widget (GTK_WIDGET (f->page), GTK_TYPE_SCALE));
  g_assert_nonnull (f->threshold);
}

static void
fixture_close (Fixture *f)
{
  gtk_window_destroy (f->window);
  display_spin (0.1);
  g_clear_object (&f->session);
}

static gboolean
detections_drawn (gpointer data)
{
  Fixture *f = data;
  GtkWidget *spinner = find_detecting_spinner (GTK_WIDGET (f->page));
  return !gtk_widget_get_visible (spinner) && otter_image_view_get_texture (f->model) != NULL;
}

static void
show_and_wait (Fixture *f,
               guint    position)
{
  otter_data_page_show_detail (f->page, position);
  g_assert_true (display_wait_until (detections_drawn, f, 60));
  display_spin (0.3);
}

static const char *
model_caption (Fixture *f)
{
  GtkWidget *spinner = find_detecting_spinner (GTK_WIDGET (f->page));
  /* the caption is the spinner's neighbour in the pane's title row */
  return gtk_label_get_label (GTK_LABEL (gtk_widget_get_prev_sibling (spinner)));
}

/* The boxes the model pane should draw on sample `index` at threshold t,
 * computed here without the page. */
static OtterDetectionsResult *
expected_detections (Fixture *f,
                     guint    index)
{
  g_autoptr (GError) error = NULL;
  OtterDetectionsResult *result = otter_detections_compute (otter_session_get_dataset (f->session),
                                                            otter_session_get_model (f->session), index,
                                                            NULL, &error);
  g_assert_no_error (error);
  return result;
}

/* After the worker finishes the model pane shows the model's boxes on
 * the same image, named and scored, and says how many. */
static void
test_shown (void)
{
  Fixture f;

  fixture_open (&f, "demo:20", 1000, 700, 40);
  show_and_wait (&f, 3);
  g_assert_true (otter_image_view_get_texture (f.model) == otter_image_view_get_texture (f.truth));
  g_assert_cmpfloat (gtk_range_get_value (GTK_RANGE (f.threshold)), ==, 0.3);

  g_autoptr (OtterDetectionsResult) expected = expected_detections (&f, 3);
  guint n = otter_image_view_get_n_boxes (f.model);
  g_test_message ("%u of %u detections at 0.30: %s", n, expected->detections->len, model_caption (&f));
  g_assert_cmpuint (n, ==, otter_detections_result_count_above (expected, 0.3));
  OtterSample *sample = otter_dataset_get_sample (otter_session_get_dataset (f.session), 3);
  g_autofree char *caption = g_strdup_printf ("%u detection%s ≥ 0.30 · %u truth%s", n, n == 1 ? "" : "s",
                                              otter_sample_get_n_boxes (sample),
                                              otter_sample_get_n_boxes (sample) == 1 ? "" : "s");
  g_assert_cmpstr (model_caption (&f), ==, caption);

  gtk_range_set_value (GTK_RANGE (f.threshold), 0.05);
  display_spin (0.2);
  n = otter_image_view_get_n_boxes (f.model);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, ==, expected->detections->len);
  for (guint i = 0; i < n; i++)
    {
      OtterViewBox box;
      const OtterDetection *d = &g_array_index (expected->detections, OtterDetection, i);
      otter_image_view_get_box (f.model, i, &box);
      /* the demo's texture is the image at full size */
      g_assert_cmpfloat (fabs (box.x1 - d->x1), <, 1e-6);
      g_assert_cmpfloat (fabs (box.y2 - d->y2), <, 1e-6);
      g_assert_cmpfloat (box.score, ==, d->score);
      g_assert_cmpstr (box.label, ==, expected->class_names[d->class_id]);
    }
  /* the boxes are drawn: the model pane is not the bare image */
  g_autoptr (GdkTexture) with_boxes = display_render_widget (GTK_WIDGET (f.model));
  gtk_range_set_value (GTK_RANGE (f.threshold), 1.0);
  display_spin (0.2);
  g_assert_cmpuint (otter_image_view_get_n_boxes (f.model), ==, 0);
  g_autoptr (GdkTexture) bare = display_render_widget (GTK_WIDGET (f.model));
  g_assert_cmpfloat (display_texture_difference (with_boxes, bare), >, 1.0);
  gtk_range_set_value (GTK_RANGE (f.threshold), 0.3);

  if (g_getenv ("OTTER_DATA_PREDICTIONS_SCREENSHOT"))
    display_save_widget_png (GTK_WIDGET (f.window), g_getenv ("OTTER_DATA_PREDICTIONS_SCREENSHOT"));
  fixture_close (&f);
}

/* Raising the threshold never draws more detections, and moving it does
 * not run the model again. */
static void
test_threshold (void)
{
  Fixture f;

  fixture_open (&f, "demo:20", 1000, 700, 40);
  show_and_wait (&f, 5);
  GtkWidget *spinner = find_detecting_spinner (GTK_WIDGET (f.page));
  guint last = G_MAXUINT, first = 0, n = 0;
  for (double t = 0.05; t <= 1.0 + 1e-9; t += 0.05)
    {
      gtk_range_set_value (GTK_RANGE (f.threshold), t);
      g_assert_cmpfloat (fabs (otter_data_page_get_score_threshold (f.page) - t), <, 1e-9);
      display_spin (0.05);
      g_assert_false (gtk_widget_get_visible (spinner));
      n = otter_image_view_get_n_boxes (f.model);
      g_test_message ("≥ %.2f: %u", t, n);
      g_assert_cmpuint (n, <=, last);
      for (guint i = 0; i < n; i++)
        {
          OtterViewBox box;
          otter_image_view_get_box (f.model, i, &box);
          g_assert_cmpfloat (box.score, >=, t - 1e-6);
        }
      if (last == G_MAXUINT)
        first = n;
      last = n;
    }
  g_assert_cmpuint (first, >, n);
  fixture_close (&f);
}

/* A rendered pixel of the view at widget point (x, y). */
static void
pixel_at (const guint8 *data,
          int           stride,
          int           x,
          int           y,
          guint8        rgb[3])
{
  const guint8 *p = data + (gsize) y * stride + (gsize) x * 4;
  /* GDK_MEMORY_DEFAULT is B G R A on little-endian machines */
  rgb[0] = p[2];
  rgb[1] = p[1];
  rgb[2] = p[0];
}

static int
colour_distance (const guint8 a[3],
                 const guint8 b[3])
{
  return MAX (abs (a[0] - b[0]), MAX (abs (a[1] - b[1]), abs (a[2] - b[2])));
}

/* Fires the page's shortcut for `accel` as a key press would. */
static gboolean
press_shortcut (GtkWidget  *widget,
                const char *accel)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint key;
  GdkModifierType mods;
  g_assert_true (gtk_accelerator_parse (accel, &key, &mods));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);
      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          if (GTK_IS_KEYVAL_TRIGGER (trigger) && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == key &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods)
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                                 gtk_shortcut_get_arguments (shortcut));
        }
    }
  return FALSE;
}

/* The view's controller of `type`. */
static GObject *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }
  return NULL;
}

/* Zooming magnifies both panes alike, and at zoom 2 the drawn image and
 * its boxes still cover the same image pixels. */
static void
test_zoom (void)
{
  Fixture f;

  fixture_open (&f, "demo:20", 1000, 700, 0);
  show_and_wait (&f, 3);
  gtk_range_set_value (GTK_RANGE (f.threshold), 1.0);
  display_spin (0.1);
  graphene_rect_t fit, rect, other;
  g_assert_true (otter_image_view_get_image_rect (f.truth, &fit));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "data.zoom-in", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "data.zoom-in", NULL));
  display_spin (0.1);
  g_assert_cmpfloat (otter_image_view_get_zoom (f.truth), ==, 2.25);
  g_assert_cmpfloat (otter_image_view_get_zoom (f.model), ==, 2.25);
  g_assert_true (otter_image_view_get_image_rect (f.truth, &rect));
  g_assert_cmpfloat (fabs (rect.size.width - 2.25 * fit.size.width), <, 1e-3);
  g_assert_true (otter_image_view_get_image_rect (f.model, &other));
  g_assert_true (graphene_rect_equal (&rect, &other));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "data.zoom-out", NULL));
  display_spin (0.1);
  g_assert_cmpfloat (otter_image_view_get_zoom (f.truth), ==, 1.5);

  /* panning either pane pans both */
  otter_image_view_set_center (f.model, 0.3, 0.7);
  display_spin (0.1);
  g_assert_true (otter_image_view_get_image_rect (f.truth, &rect));
  g_assert_true (otter_image_view_get_image_rect (f.model, &other));
  g_assert_true (graphene_rect_equal (&rect, &other));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "data.zoom-fit", NULL));
  display_spin (0.1);
  g_assert_cmpfloat (otter_image_view_get_zoom (f.model), ==, 1);
  g_assert_true (otter_image_view_get_image_rect (f.model, &rect));
  g_assert_true (graphene_rect_equal (&rect, &fit));

  /* a zoom at a point keeps that point of the image under it */
  int iw, ih;
  otter_image_view_get_image_size (f.truth, &iw, &ih);
  double px = fit.origin.x + 0.4 * fit.size.width, py = fit.origin.y + 0.4 * fit.size.height;
  otter_image_view_zoom_at (f.model, 3, px, py);
  display_spin (0.1);
  g_assert_cmpfloat (otter_image_view_get_zoom (f.truth), ==, 3);
  g_assert_true (otter_image_view_get_image_rect (f.truth, &rect));
  g_assert_cmpfloat (fabs (rect.origin.x + 0.4 * rect.size.width - px), <, 1.5);
  g_assert_cmpfloat (fabs (rect.origin.y + 0.4 * rect.size.height - py), <, 1.5);
  otter_image_view_set_zoom (f.truth, 1);

  /* zoom 2 about the first truth box's centre (the image's edges may
   * hold it off the point) */
  OtterSample *sample = otter_dataset_get_sample (otter_session_get_dataset (f.session), 3);
  const OtterBox *box = otter_sample_get_box (sample, 0);
  double bx = (box->x1 + box->x2) / 2, by = (box->y1 + box->y2) / 2;
  otter_image_view_zoom_at (f.truth, 2, fit.origin.x + bx * fit.size.width / iw,
                            fit.origin.y + by * fit.size.height / ih);
  display_spin (0.2);
  g_assert_cmpfloat (otter_image_view_get_zoom (f.model), ==, 2);
  g_assert_true (otter_image_view_get_image_rect (f.truth, &rect));
  double s = rect.size.width / iw;
  g_assert_cmpfloat (fabs (s - 2 * fit.size.width / iw), <, 1e-6);

  g_autoptr (GdkTexture) render = display_render_widget (GTK_WIDGET (f.truth));
  int rw = gdk_texture_get_width (render), rh = gdk_texture_get_height (render);
  g_autofree guint8 *pixels = g_malloc ((gsize) rw * rh * 4);
  gdk_texture_download (render, pixels, rw * 4);
  GdkTexture *image = otter_image_view_get_texture (f.truth);
  int tw = gdk_texture_get_width (image), th = gdk_texture_get_height (image);
  g_autofree guint8 *source = g_malloc ((gsize) tw * th * 4);
  gdk_texture_download (image, source, tw * 4);

  /* the box's outline is drawn on the box's edges, in the class colour */
  guint8 colour[3], drawn[3];
  otter_colormap_class_colour (box->class_id, colour);
  int left = (int) floor (rect.origin.x + box->x1 * s) + 1, mid_y = (int) (rect.origin.y + by * s);
  g_assert_cmpint (left, >=, 0);
  g_assert_cmpint (left, <, rw);
  pixel_at (pixels, rw * 4, left, mid_y, drawn);
  g_test_message ("outline at %d,%d: %u %u %u, class colour %u %u %u", left, mid_y, drawn[0], drawn[1],
                  drawn[2], colour[0], colour[1], colour[2]);
  g_assert_cmpint (colour_distance (drawn, colour), <, 40);

  /* inside the box, away from its outline and label, each drawn pixel is
   * the image's pixel under it */
  guint n = 0, close = 0;
  for (double fy = 0.3; fy <= 0.7; fy += 0.1)
    for (double fx = 0.3; fx <= 0.7; fx += 0.1)
      {
        double ix = box->x1 + fx * (box->x2 - box->x1), iy = box->y1 + fy * (box->y2 - box->y1);
        int wx = (int) (rect.origin.x + ix * s), wy = (int) (rect.origin.y + iy * s);
        if (wx < 0 || wy < 0 || wx >= rw || wy >= rh)
          continue;
        guint8 want[3];
        pixel_at (source, tw * 4, MIN ((int) ix, tw - 1), MIN ((int) iy, th - 1), want);
        pixel_at (pixels, rw * 4, wx, wy, drawn);
        n++;
        close += colour_distance (drawn, want) < 40;
      }
  g_test_message ("%u of %u pixels inside the box match the image", close, n);
  g_assert_cmpuint (n, >=, 16);
  g_assert_cmpuint (close, >=, n * 9 / 10);

  /* dragging or scrolling a zoomed pane pans both */
  double cx, cy;
  g_object_get (f.truth, "center-x", &cx, "center-y", &cy, NULL);
  GObject *drag = find_controller (GTK_WIDGET (f.model), GTK_TYPE_GESTURE_DRAG);
  g_assert_nonnull (drag);
  g_signal_emit_by_name (drag, "drag-begin", 100.0, 100.0);
  g_signal_emit_by_name (drag, "drag-update", -30.0, -20.0);
  g_signal_emit_by_name (drag, "drag-end", -30.0, -20.0);
  double dx, dy;
  g_object_get (f.truth, "center-x", &dx, "center-y", &dy, NULL);
  g_test_message ("centre %.3f, %.3f → %.3f, %.3f after a drag", cx, cy, dx, dy);
  g_assert_cmpfloat (dx, >, cx);
  g_assert_cmpfloat (dy, >, cy);
  GObject *scroll = find_controller (GTK_WIDGET (f.truth), GTK_TYPE_EVENT_CONTROLLER_SCROLL);
  gboolean handled = FALSE;
  g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
  g_assert_true (handled);
  g_object_get (f.model, "center-y", &cy, NULL);
  g_assert_cmpfloat (cy, <, dy);
  g_assert_true (otter_image_view_get_image_rect (f.truth, &rect));
  g_assert_true (otter_image_view_get_image_rect (f.model, &other));
  g_assert_true (graphene_rect_equal (&rect, &other));

  /* and the keys */
  g_assert_true (press_shortcut (GTK_WIDGET (f.page), "<Control>0"));
  g_assert_cmpfloat (otter_image_view_get_zoom (f.model), ==, 1);
  g_assert_true (press_shortcut (GTK_WIDGET (f.page), "<Control>plus"));
  g_assert_cmpfloat (otter_image_view_get_zoom (f.model), ==, 1.5);
  g_assert_true (press_shortcut (GTK_WIDGET (f.page), "<Control>equal"));
  g_assert_cmpfloat (otter_image_view_get_zoom (f.model), ==, 2.25);
  g_assert_true (press_shortcut (GTK_WIDGET (f.page), "<Control>minus"));
  g_assert_cmpfloat (otter_image_view_get_zoom (f.model), ==, 1.5);
  /* a plain scroll at fit scrolls whatever is around the pane */
  otter_image_view_set_zoom (f.truth, 1);
  handled = TRUE;
  g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
  g_assert_false (handled);

  /* another image starts whole */
  otter_data_page_show_detail (f.page, 4);
  display_spin (0.1);
  g_assert_cmpfloat (otter_image_view_get_zoom (f.truth), ==, 1);
  g_assert_cmpfloat (otter_image_view_get_zoom (f.model), ==, 1);
  fixture_close (&f);
}

/* Paging on while the model is busy shows the image paged to with its
 * own detections; the pane says it is busy meanwhile. Holding the model
 * keeps the first request running for as long as the test needs. */
static void
test_switch_while_running (void)
{
  Fixture f;

  fixture_open (&f, "demo:20", 1000, 700, 40);
  gtk_range_set_value (GTK_RANGE (f.threshold), 0.05);
  show_and_wait (&f, 1);
  OtterModel *model = otter_session_get_model (f.session);
  GtkWidget *spinner = find_detecting_spinner (GTK_WIDGET (f.page));

  otter_model_lock (model);
  otter_data_page_show_detail (f.page, 2);
  display_spin (0.2);
  g_assert_true (gtk_widget_get_visible (spinner));
  /* the old image's boxes went with it */
  g_assert_cmpuint (otter_image_view_get_n_boxes (f.model), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (f.page), "data.next", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f.page), "data.next", NULL);
  display_spin (0.2);
  g_assert_true (gtk_widget_get_visible (spinner));
  otter_model_unlock (model);

  g_assert_true (display_wait_until (detections_drawn, &f, 60));
  display_spin (0.3);
  g_autoptr (OtterDetectionsResult) expected = expected_detections (&f, 4);
  g_autoptr (OtterDetectionsResult) stale = expected_detections (&f, 2);
  guint n = otter_image_view_get_n_boxes (f.model);
  g_assert_cmpuint (n, ==, expected->detections->len);
  gboolean differs_from_stale = n != stale->detections->len;
  for (guint i = 0; i < n; i++)
    {
      OtterViewBox box;
      const OtterDetection *d = &g_array_index (expected->detections, OtterDetection, i);
      otter_image_view_get_box (f.model, i, &box);
      g_assert_cmpfloat (fabs (box.x1 - d->x1), <, 1e-6);
      g_assert_cmpfloat (fabs (box.y1 - d->y1), <, 1e-6);
      g_assert_cmpfloat (box.score, ==, d->score);
      if (!differs_from_stale)
        {
          const OtterDetection *o = &g_array_index (stale->detections, OtterDetection, i);
          differs_from_stale = o->x1 != d->x1 || o->y1 != d->y1 || o->score != d->score;
        }
    }
  /* the two images' detections can be told apart, so the check means something */
  g_assert_true (differs_from_stale);
  fixture_close (&f);
}

/* A new model runs again; one for other classes says so; an image the
 * model cannot read is an error in the pane. */
static void
test_model_changes (void)
{
  Fixture f;
  g_autoptr (GError) error = NULL;

  fixture_open (&f, "demo:20", 1000, 700, 0);
  show_and_wait (&f, 3);
  GtkWidget *spinner = find_detecting_spinner (GTK_WIDGET (f.page));
  g_autoptr (GPtrArray) labels = display_find_all (GTK_WIDGET (f.page), GTK_TYPE_LABEL);
  GtkLabel *warning = NULL, *status = NULL;
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (labels->pdata[i], "otter-banner"))
      warning = labels->pdata[i];
    else if (gtk_widget_has_css_class (labels->pdata[i], "otter-pane-status"))
      status = labels->pdata[i];
  g_assert_nonnull (warning);
  g_assert_nonnull (status);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (warning)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status)));

  const char *const others[] = { "cat", "dog", "bird", NULL };
  g_autoptr (OtterModel) other = otter_model_new_builtin ("tiny", others, 96, 7, &error);
  g_assert_no_error (error);
  train_briefly (otter_session_get_dataset (f.session), other, 40);
  otter_model_lock (other);
  otter_session_set_model (f.session, other);
  display_spin (0.05);
  g_assert_true (gtk_widget_get_visible (spinner));
  /* the word over the image waits a moment: a quick detection shows none */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status)));
  display_spin (0.4);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_assert_cmpstr (gtk_label_get_label (status), ==, "Detecting…");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (warning)));
  g_test_message ("%s", gtk_label_get_label (warning));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (warning), "Classes differ: "));
  otter_model_unlock (other);
  gtk_range_set_value (GTK_RANGE (f.threshold), 0.05);
  g_assert_true (display_wait_until (detections_drawn, &f, 60));
  display_spin (0.2);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status)));
  guint n = otter_image_view_get_n_boxes (f.model);
  g_autoptr (OtterDetectionsResult) expected = expected_detections (&f, 3);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, ==, expected->detections->len);
  for (guint i = 0; i < n; i++)
    {
      OtterViewBox box;
      otter_image_view_get_box (f.model, i, &box);
      g_assert_true (g_strv_contains (others, box.label));
    }
  if (g_getenv ("OTTER_DATA_PREDICTIONS_MISMATCH_SCREENSHOT"))
    display_save_widget_png (GTK_WIDGET (f.window), g_getenv ("OTTER_DATA_PREDICTIONS_MISMATCH_SCREENSHOT"));

  /* no model: nothing to run, and the pane says where to get one */
  otter_session_set_model (f.session, NULL);
  display_spin (0.1);
  g_assert_cmpuint (otter_image_view_get_n_boxes (f.model), ==, 0);
  g_assert_false (gtk_widget_get_visible (spinner));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (status), "No model"));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (f.threshold)));
  fixture_close (&f);
}

/* A decode failure is a message in the pane, not a crash. */
static void
test_error (void)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-predictions-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "labels.csv", NULL);
  g_autofree char *image = g_build_filename (dir, "a.png", NULL);
  g_autoptr (GError) error = NULL;
  Fixture f;

  /* a real PNG the dataset accepts, damaged once it has been read */
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  gdk_pixbuf_fill (pixbuf, 0x808080ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, image, "png", &error, NULL));
  g_assert_true (g_file_set_contents (csv, "filename,width,height,class,xmin,ymin,xmax,ymax\n"
                                      "a.png,64,48,thing,4,4,40,40\n", -1, &error));
  fixture_open (&f, csv, 1000, 700, 0);
  g_assert_true (g_file_set_contents (image, "not a png any more", -1, &error));
  otter_data_page_show_detail (f.page, 0);
  g_autoptr (GPtrArray) labels = display_find_all (GTK_WIDGET (f.page), GTK_TYPE_LABEL);
  GtkLabel *status = NULL;
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (labels->pdata[i], "otter-pane-status"))
      status = labels->pdata[i];
  GtkWidget *spinner = find_detecting_spinner (GTK_WIDGET (f.page));
  display_spin (0.5);
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (gtk_widget_get_visible (spinner) && g_get_monotonic_time () < end)
    display_spin (0.05);
  g_test_message ("%s", gtk_label_get_label (status));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (status), "The model could not run on this image: "));
  g_assert_cmpuint (otter_image_view_get_n_boxes (f.model), ==, 0);
  fixture_close (&f);
  g_unlink (image);
  g_unlink (csv);
  g_rmdir (dir);
}

/* At 800 × 600 the panes stack or sit side by side, whichever shows the
 * image larger, and stay the same size so zoom keeps them aligned. */
static void
test_narrow (void)
{
  Fixture f;

  fixture_open (&f, "demo:20", 560, 600, 0);
  show_and_wait (&f, 3);
  OtterImagePair *pair = OTTER_IMAGE_PAIR (display_find_widget (GTK_WIDGET (f.page), OTTER_TYPE_IMAGE_PAIR));
  g_assert_true (gtk_widget_get_width (GTK_WIDGET (f.truth)) == gtk_widget_get_width (GTK_WIDGET (f.model)));
  g_assert_true (gtk_widget_get_height (GTK_WIDGET (f.truth)) == gtk_widget_get_height (GTK_WIDGET (f.model)));
  graphene_rect_t a, b;
  g_assert_true (otter_image_view_get_image_rect (f.truth, &a));
  g_assert_true (otter_image_view_get_image_rect (f.model, &b));
  g_assert_true (graphene_rect_equal (&a, &b));
  g_test_message ("%s, image %.0f px", otter_image_pair_get_stacked (pair) ? "stacked" : "side by side",
                  a.size.width);
  /* a square image in a tall narrow pane: one above the other */
  g_assert_true (otter_image_pair_get_stacked (pair));
  g_assert_cmpfloat (a.size.width, >=, 96);
  fixture_close (&f);
}

static gboolean
session_ready (gpointer data)
{
  return otter_session_get_dataset (data) != NULL && !otter_session_get_busy (data);
}

/* The detail view in the whole window at 800 × 600 (the smallest size
 * every page works at): nothing is cut off and both panes show the image.
 * OTTER_DATA_PREDICTIONS_DATA picks other data (a real photo) and
 * OTTER_DATA_PREDICTIONS_WINDOW another size, for looking at it. */
static void
test_small_window (void)
{
  const char *data = g_getenv ("OTTER_DATA_PREDICTIONS_DATA");
  const char *size = g_getenv ("OTTER_DATA_PREDICTIONS_WINDOW");
  int width = 800, height = 600;
  g_autoptr (GError) error = NULL;

  if (size != NULL)
    g_assert_cmpint (sscanf (size, "%dx%d", &width, &height), ==, 2);
  OtterWindow *window = otter_window_new (app);
  OtterSession *session = otter_window_get_session (window);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  otter_session_open_dataset (session, data != NULL ? data : "demo");
  g_assert_true (display_wait_until (session_ready, session, 120));
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);
  train_briefly (otter_session_get_dataset (session), otter_session_get_model (session), 60);
  otter_window_show_page (window, "data");
  display_spin (0.3);

  Fixture f = { session, GTK_WINDOW (window), OTTER_DATA_PAGE (otter_window_get_page (window, "data")) };
  g_autoptr (GPtrArray) views = display_find_all (GTK_WIDGET (f.page), OTTER_TYPE_IMAGE_VIEW);
  f.truth = views->pdata[0];
  f.model = views->pdata[1];
  if (g_getenv ("OTTER_DATA_PREDICTIONS_THRESHOLD"))
    g_object_set (f.page, "score-threshold", g_ascii_strtod (g_getenv ("OTTER_DATA_PREDICTIONS_THRESHOLD"), NULL),
                  NULL);
  show_and_wait (&f, 3);
  /* the sharp decode replaces the thumbnail */
  display_spin (1.0);
  if (g_getenv ("OTTER_DATA_PREDICTIONS_ZOOM"))
    {
      otter_image_view_set_zoom (f.truth, g_ascii_strtod (g_getenv ("OTTER_DATA_PREDICTIONS_ZOOM"), NULL));
      otter_image_view_set_center (f.truth, 0.6, 0.55);
      display_spin (0.2);
    }

  GtkWidget *page = GTK_WIDGET (f.page);
  int min_w, min_h;
  gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  gtk_widget_measure (page, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (page), &min_h, NULL, NULL, NULL);
  graphene_rect_t a, b;
  g_assert_true (otter_image_view_get_image_rect (f.truth, &a));
  g_assert_true (otter_image_view_get_image_rect (f.model, &b));
  g_test_message ("detail: minimum %d × %d, given %d × %d; window %d × %d; image %.0f × %.0f",
                  min_w, min_h, gtk_widget_get_width (page), gtk_widget_get_height (page),
                  gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)),
                  a.size.width, a.size.height);
  if (g_getenv ("OTTER_DATA_PREDICTIONS_WINDOW_SCREENSHOT"))
    display_save_widget_png (GTK_WIDGET (window), g_getenv ("OTTER_DATA_PREDICTIONS_WINDOW_SCREENSHOT"));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, height);
  g_assert_cmpint (min_w, <=, gtk_widget_get_width (page));
  g_assert_cmpint (min_h, <=, gtk_widget_get_height (page));
  g_assert_true (graphene_rect_equal (&a, &b));
  g_assert_cmpfloat (MIN (a.size.width, a.size.height), >=, 100);
  /* every pane's image is on screen whole */
  graphene_point_t corner;
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (f.model), GTK_WIDGET (window),
                                           &GRAPHENE_POINT_INIT (a.origin.x + a.size.width, a.origin.y + a.size.height),
                                           &corner));
  g_assert_cmpfloat (corner.x, <=, gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpfloat (corner.y, <=, gtk_widget_get_height (GTK_WIDGET (window)));
  gtk_window_destroy (GTK_WINDOW (window));
  display_spin (0.1);
}

int
main (int argc, char *argv[])
{
  app = display_test_init (&argc, &argv);
  if (g_getenv ("OTTER_SCREENSHOT_DARK") != NULL)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  g_test_add_func ("/otter/DataPredictions/shown", test_shown);
  g_test_add_func ("/otter/DataPredictions/threshold", test_threshold);
  g_test_add_func ("/otter/DataPredictions/zoom", test_zoom);
  g_test_add_func ("/otter/DataPredictions/switch-while-running", test_switch_while_running);
  g_test_add_func ("/otter/DataPredictions/model-changes", test_model_changes);
  g_test_add_func ("/otter/DataPredictions/error", test_error);
  g_test_add_func ("/otter/DataPredictions/narrow", test_narrow);
  g_test_add_func ("/otter/DataPredictions/small-window", test_small_window);
  return g_test_run ();
}
