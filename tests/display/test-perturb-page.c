/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-perturb-page.c: the Perturbation page with a real display */

#include "config.h"

#include <string.h>

#include "display-utils.h"
#include "otter-perturb-page.h"
#include "otter-color-bar.h"
#include "otter-plan-view.h"

typedef struct
{
  OtterSession     *session;
  GtkWindow        *window;
  OtterPerturbPage *page;
} Fixture;

static gboolean
has_dataset (gpointer data)
{
  return otter_session_get_dataset (data) != NULL;
}

typedef struct
{
  OtterSession *session;
  OtterDataset *before;
} DatasetWait;

static gboolean
dataset_replaced (gpointer data)
{
  DatasetWait *w = data;
  OtterDataset *now = otter_session_get_dataset (w->session);
  return now != NULL && now != w->before;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  f->session = otter_session_new ();
  otter_session_open_dataset (f->session, "demo:32");
  g_assert_true (display_wait_until (has_dataset, f->session, 60));
  g_assert_true (otter_session_create_model (f->session, "tiny", 96, &error));
  g_assert_no_error (error);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1280, 860);
  f->page = g_object_new (OTTER_TYPE_PERTURB_PAGE, "session", f->session, NULL);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);
  display_spin (0.2);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (f->window);
  display_spin (0.1);
  g_clear_object (&f->session);
}

typedef struct
{
  OtterPerturbPage *page;
  guint             serial;
} WaitData;

static gboolean
result_arrived (gpointer data)
{
  WaitData *w = data;
  return otter_perturb_page_get_serial (w->page) > w->serial && !otter_perturb_page_get_busy (w->page);
}

/* Computes with the page's current settings and waits for the result. */
static void
compute_and_wait (Fixture *f)
{
  WaitData w = { f->page, otter_perturb_page_get_serial (f->page) };
  otter_perturb_page_compute (f->page);
  g_assert_true (otter_perturb_page_get_busy (f->page));
  g_assert_true (display_wait_until (result_arrived, &w, 120));
  display_spin (0.3);
}

static GdkTexture *
render_plan (Fixture *f)
{
  return display_render_widget (GTK_WIDGET (otter_perturb_page_get_plan_view (f->page)));
}

static double
plan_variety (GdkTexture *texture)
{
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  /* the middle of the matrix area, clear of the axes */
  return display_texture_variety (texture, w / 4, h / 4, w / 3, h / 3);
}

static void
test_plan_drawn (Fixture       *f,
                 gconstpointer  data)
{
  OtterPlanView *plan = otter_perturb_page_get_plan_view (f->page);

  otter_perturb_page_set_batch (f->page, 0, 8);
  compute_and_wait (f);
  g_assert_cmpint (otter_plan_view_get_side (plan), ==, 8);
  g_autoptr (GdkTexture) first = render_plan (f);
  g_assert_cmpfloat (plan_variety (first), >, 0.05);

  /* other images give another plan */
  otter_perturb_page_set_batch (f->page, 16, 8);
  compute_and_wait (f);
  g_autoptr (GdkTexture) second = render_plan (f);
  g_assert_cmpint (gdk_texture_get_width (first), ==, gdk_texture_get_width (second));
  g_assert_cmpfloat (display_texture_difference (first, second), >, 0);

  g_assert_true (display_save_widget_png (GTK_WIDGET (f->window), "/tmp/perturb-page.png"));
}

static void
test_pick_cell (Fixture       *f,
                gconstpointer  data)
{
  OtterPlanView *plan = otter_perturb_page_get_plan_view (f->page);
  double x, y;
  int i, j;

  otter_perturb_page_set_batch (f->page, 4, 6);
  compute_and_wait (f);
  g_assert_cmpint (otter_plan_view_get_side (plan), ==, 6);

  /* the read-out names the cell under the pointer */
  g_assert_true (otter_plan_view_get_cell_centre (plan, 2, 5, &x, &y));
  g_assert_true (otter_plan_view_pick (plan, x, y, &i, &j));
  g_assert_cmpint (i, ==, 2);
  g_assert_cmpint (j, ==, 5);
  g_assert_true (otter_plan_view_get_cell_centre (plan, 4, 1, &x, &y));
  g_assert_true (otter_plan_view_pick (plan, x, y, &i, &j));
  g_assert_cmpint (i, ==, 4);
  g_assert_cmpint (j, ==, 1);
  g_assert_false (otter_plan_view_pick (plan, -5, -5, NULL, NULL));

  /* choosing a cell shows that pair in the panes */
  g_signal_emit_by_name (plan, "pair-activated", 3, 1);
  otter_plan_view_set_selection (plan, 3, 1);
  int clean, perturbed;
  otter_perturb_page_get_shown_pair (f->page, &clean, &perturbed);
  g_assert_cmpint (clean, ==, 3);
  g_assert_cmpint (perturbed, ==, 1);
  const char *readout = otter_plan_view_get_readout (plan);
  g_assert_nonnull (readout);
  g_test_message ("read-out: %s", readout);
  g_assert_nonnull (strstr (readout, "3"));
  g_assert_nonnull (strstr (readout, "1"));

  /* other data: the cell picked on the old one is gone */
  OtterDataset *before = otter_session_get_dataset (f->session);
  otter_session_open_dataset (f->session, "demo:24");
  g_assert_true (display_wait_until (dataset_replaced, &(DatasetWait) { f->session, before }, 60));
  display_spin (0.2);
  g_assert_false (otter_plan_view_get_selection (plan, &i, &j));
}

static void
test_spatial (Fixture       *f,
              gconstpointer  data)
{
  OtterPlanView *plan = otter_perturb_page_get_plan_view (f->page);

  otter_perturb_page_set_batch (f->page, 0, 4);
  otter_perturb_page_set_feature_space (f->page, OTTER_FEATURE_SPACE_SPATIAL);
  compute_and_wait (f);
  /* one cells × cells plan for the shown image */
  g_assert_cmpint (otter_plan_view_get_side (plan), >, 4);
  g_autoptr (GdkTexture) texture = render_plan (f);
  g_assert_cmpfloat (plan_variety (texture), >, 0.05);
  /* cells are named by their place on the feature map, not by an index */
  int side = otter_plan_view_get_side (plan);
  double x, y;
  g_assert_true (otter_plan_view_get_cell_centre (plan, side - 1, 0, &x, &y));
  otter_plan_view_set_selection (plan, side - 1, 0);
  const char *readout = otter_plan_view_get_readout (plan);
  g_test_message ("spatial read-out: %s", readout);
  g_assert_nonnull (strstr (readout, "Clean cell ("));
  g_assert_nonnull (strstr (readout, "perturbed cell (0, 0)"));
  otter_plan_view_set_selection (plan, -1, -1);
  /* the overlay has a legend: from 0 to the batch's largest value */
  GtkWidget *overlay_bar = NULL;
  g_autoptr (GPtrArray) bars = display_find_all (GTK_WIDGET (f->page), OTTER_TYPE_COLOR_BAR);
  for (guint i = 0; i < bars->len; i++)
    {
      const char *text = otter_color_bar_get_text (bars->pdata[i]);
      if (text != NULL && g_str_has_prefix (text, "0 … "))
        overlay_bar = bars->pdata[i];
    }
  g_assert_nonnull (overlay_bar);
  g_assert_true (gtk_widget_get_visible (overlay_bar));

  /* a sharp plan's small masses show on the log scale */
  GtkWidget *log_toggle = display_find_button (GTK_WIDGET (f->page), "_Log Colours");
  g_assert_nonnull (log_toggle);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (log_toggle), TRUE);
  display_spin (0.2);
  g_autoptr (GdkTexture) logged = render_plan (f);
  g_test_message ("log colours change the plan by %.2f", display_texture_difference (texture, logged));
  g_assert_cmpfloat (display_texture_difference (texture, logged), >, 1);
  g_assert_true (display_save_widget_png (GTK_WIDGET (otter_perturb_page_get_plan_view (f->page)),
                                         "/tmp/perturb-plan-log.png"));
  g_assert_true (display_save_widget_png (GTK_WIDGET (f->window), "/tmp/perturb-page-spatial.png"));
}

/* A newer request supersedes a running one: only its result is shown. */
static void
test_superseded (Fixture       *f,
                 gconstpointer  data)
{
  OtterPlanView *plan = otter_perturb_page_get_plan_view (f->page);
  guint before = otter_perturb_page_get_serial (f->page);

  otter_perturb_page_set_batch (f->page, 0, 8);
  otter_perturb_page_compute (f->page);
  otter_perturb_page_set_batch (f->page, 2, 5);
  compute_and_wait (f);
  g_assert_cmpint (otter_plan_view_get_side (plan), ==, 5);
  /* the superseded run's result was dropped, not shown and then replaced */
  g_assert_cmpuint (otter_perturb_page_get_serial (f->page), ==, before + 1);
}

static void
test_empty (void)
{
  g_autoptr (OtterSession) session = otter_session_new ();
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *page = g_object_new (OTTER_TYPE_PERTURB_PAGE, "session", session, NULL);
  gtk_window_set_default_size (window, 800, 600);
  gtk_window_set_child (window, page);
  gtk_window_present (window);
  display_spin (0.2);
  /* nothing to attack: the page says so instead of computing */
  g_assert_false (otter_perturb_page_get_busy (OTTER_PERTURB_PAGE (page)));
  g_autoptr (GdkTexture) texture = display_render_widget (page);
  g_assert_cmpfloat (display_texture_variety (texture, 0, 0, gdk_texture_get_width (texture),
                                              gdk_texture_get_height (texture)), >, 0.001);
  gtk_window_destroy (window);
}

/* The change pane: the signed perturbation by default, its size on a scale
 * of its own, each with a colour bar, the letterbox padding left out. */
static void
test_change_views (Fixture       *f,
                   gconstpointer  data)
{
  const char *shared = g_getenv ("OTTER_SHARED_DATASETS");
  g_autofree char *csv = shared ? g_build_filename (shared, "raccoon", "data", "test_labels.csv", NULL) : NULL;
  if (csv != NULL && g_file_test (csv, G_FILE_TEST_IS_REGULAR))
    {
      /* photos of all shapes, so the inputs have padding */
      OtterDataset *before = otter_session_get_dataset (f->session);
      otter_session_open_dataset (f->session, csv);
      g_assert_true (display_wait_until (dataset_replaced, &(DatasetWait) { f->session, before }, 60));
    }
  otter_perturb_page_set_batch (f->page, 0, 4);
  compute_and_wait (f);

  GtkWidget *root = GTK_WIDGET (f->page);
  GtkWidget *bar = display_find_widget (root, OTTER_TYPE_COLOR_BAR);
  g_assert_nonnull (bar);
  g_test_message ("signed: %s", otter_color_bar_get_text (OTTER_COLOR_BAR (bar)));
  g_assert_cmpstr (otter_color_bar_get_text (OTTER_COLOR_BAR (bar)), ==, "−8/255 … +8/255");
  OtterImageView *change = otter_perturb_page_get_change_view (f->page);
  g_autoptr (GdkTexture) signed_view = display_render_widget (GTK_WIDGET (change));
  int w = gdk_texture_get_width (signed_view), h = gdk_texture_get_height (signed_view);
  /* a real picture of ± changes, not one solid colour */
  g_assert_cmpfloat (display_texture_variety (signed_view, 0, 0, w, h), >, 0.02);
  GdkTexture *image = otter_image_view_get_texture (change);
  g_assert_nonnull (image);
  int iw = gdk_texture_get_width (image), ih = gdk_texture_get_height (image);
  g_test_message ("change picture %d × %d", iw, ih);
  if (csv != NULL && g_file_test (csv, G_FILE_TEST_IS_REGULAR))
    g_assert_cmpint (iw, !=, ih);                   /* the padding is not part of it */

  GtkWidget *size_toggle = display_find_button (root, "Size");
  g_assert_nonnull (size_toggle);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (size_toggle), TRUE);
  display_spin (0.2);
  const char *scale = otter_color_bar_get_text (OTTER_COLOR_BAR (bar));
  g_test_message ("size: %s", scale);
  g_assert_nonnull (strstr (scale, "ε"));
  g_assert_null (otter_image_view_get_texture (change));
  g_assert_true (display_save_widget_png (GTK_WIDGET (f->window), "/tmp/perturb-change.png"));
}

int
main (int argc, char *argv[])
{
  display_test_init (&argc, &argv);
  g_test_add ("/otter/PerturbPage/plan-drawn", Fixture, NULL, fixture_set_up, test_plan_drawn, fixture_tear_down);
  g_test_add ("/otter/PerturbPage/pick-cell", Fixture, NULL, fixture_set_up, test_pick_cell, fixture_tear_down);
  g_test_add ("/otter/PerturbPage/spatial", Fixture, NULL, fixture_set_up, test_spatial, fixture_tear_down);
  g_test_add ("/otter/PerturbPage/superseded", Fixture, NULL, fixture_set_up, test_superseded, fixture_tear_down);
  g_test_add ("/otter/PerturbPage/change-views", Fixture, NULL, fixture_set_up, test_change_views, fixture_tear_down);
  g_test_add_func ("/otter/PerturbPage/empty", test_empty);
  return g_test_run ();
}
