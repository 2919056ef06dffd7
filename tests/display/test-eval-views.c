/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-eval-views.c: the Evaluation page's per-attack views with a real
 * display: PR curves, the confusion matrix and the largest drops */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "display-utils.h"
#include "otter-eval-page.h"
#include "otter-resources.h"
#include "otter-trainer.h"

static AdwApplication *app;
static char *model_dir;
static char *model_path;       /* trained once for the whole binary */

/* The run folders the tests train into. */
static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
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

static gboolean
has_dataset (gpointer data)
{
  return otter_session_get_dataset (data) != NULL;
}

static gboolean
has_model (gpointer data)
{
  return otter_session_get_model (data) != NULL;
}

/* A tiny model that finds objects on the demo: a fresh one finds none
 * above the threshold, and an attack cannot take them away. */
static const char *
trained_model_path (void)
{
  g_autoptr (GError) error = NULL;
  OtterTrainConfig config;

  if (model_path != NULL)
    return model_path;
  model_dir = g_dir_make_tmp ("otter-eval-views-XXXXXX", NULL);
  g_autofree char *run_dir = g_build_filename (model_dir, "run", NULL);
  otter_train_config_init (&config);
  g_free (config.data);
  config.data = g_strdup ("demo:32");
  config.train.method = OTTER_METHOD_STANDARD;
  /* Low enough that the detector finds most objects in its own images,
   * so FGSM has detections to take away: at 0.6 it found too few for the
   * drops test to be sure of one. */
  config.max_epochs = 160;
  config.loss_threshold = 0.4;
  g_autoptr (OtterTrainer) trainer = otter_trainer_new (&config);
  otter_train_config_clear (&config);
  otter_trainer_set_run_dir (trainer, run_dir);
  g_assert_true (otter_trainer_start (trainer, &error));
  g_assert_no_error (error);
  otter_trainer_wait (trainer);
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_CONVERGED);
  model_path = g_strdup (otter_trainer_get_model_path (trainer));
  return model_path;
}

static gboolean
eval_finished (gpointer data)
{
  return !otter_eval_page_get_running (data);
}

/* The page in a window after Clean and FGSM (ε 8/255) on the demo. */
static OtterEvalPage *
new_evaluated_page (OtterSession *session,
                    int           width,
                    int           height,
                    GtkWindow   **window_out)
{
  OtterEvalPage *page = g_object_new (OTTER_TYPE_EVAL_PAGE, "session", session, NULL);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  otter_session_open_dataset (session, "demo:32");
  g_assert_true (display_wait_until (has_dataset, session, 60));
  otter_session_open_model (session, trained_model_path ());
  g_assert_true (display_wait_until (has_model, session, 60));

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  display_spin (0.3);

  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_NONE, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_FGSM, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_PGD, FALSE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_OT, FALSE);
  otter_eval_page_run (page);
  g_assert_true (display_wait_until (eval_finished, page, 600));
  g_assert_nonnull (otter_eval_page_get_evaluation (page));
  *window_out = window;
  return page;
}

/* A mapped label whose text contains `text`, or NULL. */
static GtkLabel *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static double
widget_variety (GtkWidget *widget)
{
  g_autoptr (GdkTexture) texture = display_render_widget (widget);
  return display_texture_variety (texture, 0, 0, gdk_texture_get_width (texture),
                                  gdk_texture_get_height (texture));
}

static void
save_png (GtkWindow  *window,
          const char *name)
{
  const char *dir = g_getenv ("OTTER_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : g_get_tmp_dir (), name, NULL);

  g_assert_true (display_save_widget_png (GTK_WIDGET (window), path));
}

/* One curve per class whose legend's AP is the table's AP50; a matrix
 * whose counts are every truth plus every false detection. */
static void
test_pr_and_confusion (void)
{
  g_autoptr (OtterSession) session = otter_session_new ();
  GtkWindow *window = NULL;
  OtterEvalPage *page = new_evaluated_page (session, 1200, 800, &window);
  OtterEvaluation *ev = otter_eval_page_get_evaluation (page);
  OtterPrChart *chart = otter_eval_page_get_pr_chart (page);
  OtterConfusionView *matrix = otter_eval_page_get_confusion_view (page);
  const char *const *names = otter_evaluation_get_class_names (ev);
  guint n_classes = g_strv_length ((char **) names);

  for (guint a = 0; a < otter_evaluation_get_n_attacks (ev); a++)
    {
      const OtterMapResult *r = otter_evaluation_get_result (ev, 0, a);
      guint truths = 0, background = 0, sum = 0;

      otter_eval_page_show_view (page, "pr");
      otter_eval_page_select_run (page, 0, a);
      display_spin (0.3);
      g_assert_cmpuint (otter_pr_chart_get_n_curves (chart), ==, n_classes);
      for (guint c = 0; c < n_classes; c++)
        {
          double ap = otter_pr_chart_get_ap (chart, c);
          g_autofree char *table = g_strdup_printf ("%.3f", r->ap50[c]);

          g_test_message ("attack %u, %s: %s", a, names[c], otter_pr_chart_get_label (chart, c));
          g_assert_true (ap == r->ap50[c] || (isnan (ap) && isnan (r->ap50[c])));
          g_assert_nonnull (strstr (otter_pr_chart_get_label (chart, c), names[c]));
          if (isfinite (r->ap50[c]))
            g_assert_nonnull (strstr (otter_pr_chart_get_label (chart, c), table));
        }
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (chart)));
      g_autofree char *pr_name = g_strdup_printf ("eval-pr-%u.png", a);
      save_png (window, pr_name);
      double variety = widget_variety (GTK_WIDGET (chart));
      g_test_message ("attack %u: chart variety %.4f", a, variety);
      g_assert_cmpfloat (variety, >, 0.001);

      otter_eval_page_show_view (page, "confusion");
      display_spin (0.3);
      g_assert_cmpuint (otter_confusion_view_get_n_classes (matrix), ==, n_classes);
      for (guint c = 0; c < n_classes; c++)
        {
          truths += r->n_truths[c];
          background += otter_confusion_view_get_count (matrix, n_classes, c);
        }
      for (guint row = 0; row <= n_classes; row++)
        for (guint col = 0; col <= n_classes; col++)
          sum += otter_confusion_view_get_count (matrix, row, col);
      g_test_message ("attack %u: %u truths, %u background, matrix sum %u", a, truths, background, sum);
      g_assert_cmpuint (truths, >, 0);
      g_assert_cmpuint (sum, ==, truths + background);
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (matrix)));
      variety = widget_variety (GTK_WIDGET (matrix));
      g_test_message ("attack %u: matrix variety %.4f", a, variety);
      g_assert_cmpfloat (variety, >, 0.01);
      g_autofree char *cm_name = g_strdup_printf ("eval-confusion-%u.png", a);
      save_png (window, cm_name);
    }

  /* dark: the same views, drawn again from the style */
  AdwStyleManager *style = adw_style_manager_get_default ();
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  display_spin (0.5);
  otter_eval_page_show_view (page, "pr");
  display_spin (0.3);
  save_png (window, "eval-pr-dark.png");
  otter_eval_page_show_view (page, "confusion");
  display_spin (0.3);
  save_png (window, "eval-confusion-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  display_spin (0.3);
  gtk_window_destroy (window);
}

typedef struct
{
  OtterEvalPage *page;
  int            image;
} Inspected;

static gboolean
is_inspected (gpointer data)
{
  Inspected *w = data;
  return otter_eval_page_get_inspected (w->page) == w->image;
}

/* The drops list is sorted by what FGSM took; a row shows the image clean
 * and attacked, recomputed off the main thread, and the latest choice
 * wins. */
static void
test_drops (void)
{
  g_autoptr (OtterSession) session = otter_session_new ();
  GtkWindow *window = NULL;
  OtterEvalPage *page = new_evaluated_page (session, 1200, 800, &window);
  OtterEvaluation *ev = otter_eval_page_get_evaluation (page);

  otter_eval_page_show_view (page, "drops");
  otter_eval_page_select_run (page, 0, 0);
  display_spin (0.3);
  /* the clean run is what the drops are measured from */
  g_assert_null (otter_eval_page_get_drops (page));

  otter_eval_page_select_run (page, 0, 1);
  display_spin (0.3);
  GArray *drops = otter_eval_page_get_drops (page);
  g_assert_nonnull (drops);
  g_assert_cmpuint (drops->len, ==, otter_evaluation_get_n_images (ev));
  for (guint i = 1; i < drops->len; i++)
    {
      const OtterImageDrop *prev = &g_array_index (drops, OtterImageDrop, i - 1);
      const OtterImageDrop *d = &g_array_index (drops, OtterImageDrop, i);
      g_assert_cmpint ((int) prev->clean.tp - (int) prev->attacked.tp, >=,
                       (int) d->clean.tp - (int) d->attacked.tp);
    }
  const OtterImageDrop *first = &g_array_index (drops, OtterImageDrop, 0);
  g_test_message ("largest drop: image %u, %u → %u of %u", first->image, first->clean.tp,
                  first->attacked.tp, first->clean.n_truths);
  g_assert_cmpuint (first->clean.tp, >, first->attacked.tp);

  /* two choices in a row: only the second is shown */
  otter_eval_page_select_drop (page, 1);
  otter_eval_page_select_drop (page, 2);
  g_assert_true (otter_eval_page_get_inspecting (page));
  Inspected w = { page, (int) g_array_index (drops, OtterImageDrop, 2).image };
  g_assert_true (display_wait_until (is_inspected, &w, 120));
  display_spin (0.5);
  g_assert_cmpint (otter_eval_page_get_inspected (page), ==, w.image);

  otter_eval_page_select_drop (page, 0);
  w.image = (int) first->image;
  g_assert_true (display_wait_until (is_inspected, &w, 120));
  display_spin (0.3);
  OtterImageView *clean = otter_eval_page_get_clean_view (page);
  OtterImageView *attacked = otter_eval_page_get_attacked_view (page);
  g_assert_nonnull (otter_image_view_get_texture (clean));
  g_assert_nonnull (otter_image_view_get_texture (attacked));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (clean)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (attacked)));
  g_assert_cmpfloat (display_texture_difference (otter_image_view_get_texture (clean),
                                                 otter_image_view_get_texture (attacked)), >, 0.5);
  /* the screen says the pair was computed again, and that it matches */
  g_assert_nonnull (find_label (GTK_WIDGET (page), "Recomputed"));
  g_assert_nonnull (find_label (GTK_WIDGET (page), "finds what the evaluation found"));
  save_png (window, "eval-drops.png");
  gtk_window_destroy (window);
}

/* At 800 × 600 every view scrolls rather than widening the window. */
static void
test_small_window (void)
{
  g_autoptr (OtterSession) session = otter_session_new ();
  GtkWindow *window = NULL;
  OtterEvalPage *page = new_evaluated_page (session, 800, 600, &window);
  const char *views[] = { "summary", "pr", "confusion", "drops" };

  otter_eval_page_select_run (page, 0, 1);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      int min_w, min_h;

      otter_eval_page_show_view (page, views[i]);
      display_spin (0.5);
      gtk_widget_measure (GTK_WIDGET (page), GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
      gtk_widget_measure (GTK_WIDGET (page), GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (GTK_WIDGET (page)),
                          &min_h, NULL, NULL, NULL);
      g_test_message ("%s: minimum %d × %d; window %d × %d", views[i], min_w, min_h,
                      gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)));
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 800);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 600);
      g_assert_cmpint (min_w, <=, 800);
      g_assert_cmpint (min_h, <=, 600);
      g_autofree char *name = g_strdup_printf ("eval-small-%s.png", views[i]);
      save_png (window, name);
    }

  /* 24 classes: the matrix and the curves' legend outgrow the page and
   * scroll inside it */
  enum { N = 24 };
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  OtterConfusion cm = { N, 0.25, g_new0 (guint, (N + 1) * (N + 1)) };
  OtterPrCurves pr = { N, g_new0 (OtterPrCurve, N) };
  double recall[] = { 0.25, 0.5 }, precision[] = { 1, 0.5 }, score[] = { 0.9, 0.8 };
  for (guint c = 0; c < N; c++)
    {
      g_autofree char *class_name = g_strdup_printf ("class %u", c + 1);
      g_strv_builder_add (builder, class_name);
      OTTER_CONFUSION_AT (&cm, c, c) = 100 + c;
      OTTER_CONFUSION_AT (&cm, c, N) = c;
      OTTER_CONFUSION_AT (&cm, N, (c + 1) % N) = 3;
      pr.curves[c] = (OtterPrCurve) { 2, recall, precision, score, 4 };
    }
  g_auto (GStrv) names = g_strv_builder_end (builder);
  otter_confusion_view_set_confusion (otter_eval_page_get_confusion_view (page), &cm, (const char *const *) names);
  otter_pr_chart_set_curves (otter_eval_page_get_pr_chart (page), &pr, (const char *const *) names);
  g_free (cm.counts);
  g_free (pr.curves);
  const char *big[] = { "confusion", "pr" };
  for (guint i = 0; i < G_N_ELEMENTS (big); i++)
    {
      GtkWidget *view = i == 0 ? GTK_WIDGET (otter_eval_page_get_confusion_view (page))
                               : GTK_WIDGET (otter_eval_page_get_pr_chart (page));
      GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW));
      GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (scroller);

      otter_eval_page_show_view (page, big[i]);
      display_spin (0.5);
      g_test_message ("%s with %d classes: %d × %d, scrolled %g of %g", big[i], N,
                      gtk_widget_get_width (view), gtk_widget_get_height (view),
                      gtk_adjustment_get_page_size (v), gtk_adjustment_get_upper (v));
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 800);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 600);
      g_assert_cmpfloat (gtk_adjustment_get_upper (v), >, gtk_adjustment_get_page_size (v));
      g_autofree char *name = g_strdup_printf ("eval-small-%s-%d.png", big[i], N);
      save_png (window, name);
    }
  gtk_window_destroy (window);
}

int
main (int argc, char *argv[])
{
  app = display_test_init (&argc, &argv);
  /* Pages alone reference nothing in the resource object: pull it in, so
   * its constructor registers the templates. */
  g_assert_nonnull (otter_get_resource ());
  g_test_add_func ("/otter/EvalViews/pr-and-confusion", test_pr_and_confusion);
  g_test_add_func ("/otter/EvalViews/drops", test_drops);
  g_test_add_func ("/otter/EvalViews/small-window", test_small_window);
  int status = g_test_run ();
  if (model_dir != NULL)
    remove_tree (model_dir);
  g_free (model_dir);
  g_free (model_path);
  return status;
}
