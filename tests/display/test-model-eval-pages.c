/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-model-eval-pages.c: the Model and Evaluation pages with a real display */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "display-utils.h"
#include "otter-eval-page.h"
#include "otter-model-page.h"
#include "otter-resources.h"

static AdwApplication *app;

static gboolean
has_dataset (gpointer data)
{
  return otter_session_get_dataset (data) != NULL;
}

/* A session on the small demo dataset, with a fresh tiny model if asked. */
static OtterSession *
new_demo_session (gboolean with_model)
{
  OtterSession *session = otter_session_new ();
  otter_session_open_dataset (session, "demo:32");
  g_assert_true (display_wait_until (has_dataset, session, 60));
  if (with_model)
    {
      g_autoptr (GError) error = NULL;
      g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
      g_assert_no_error (error);
    }
  return session;
}

static GtkWindow *
new_window_for (GtkWidget *page, int width, int height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, page);
  gtk_window_present (window);
  display_spin (0.3);
  return window;
}

/* A mapped label whose text contains `text`, or NULL. */
static GtkLabel *
find_label (GtkWidget *widget, const char *text)
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

static void
test_model_page_shows_model (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 1400);
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-full.png");
  OtterModel *model = otter_session_get_model (session);

  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");
  const char *description = otter_model_get_description (model);
  g_assert_nonnull (description);
  g_assert_nonnull (find_label (GTK_WIDGET (page), description));
  g_autofree char *count = g_strdup_printf ("%'" G_GINT64_FORMAT, otter_model_get_n_params (model));
  g_assert_cmpint (otter_model_get_n_params (model), >, 0);
  g_assert_nonnull (find_label (GTK_WIDGET (page), count));
  /* every class is listed */
  const char *const *names = otter_model_get_class_names (model);
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_nonnull (find_label (GTK_WIDGET (page), names[i]));

  gtk_window_set_default_size (window, 1000, 760);
  display_spin (0.3);
  g_assert_true (display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page.png"));
  gtk_window_destroy (window);
}

static void
test_model_page_create (void)
{
  g_autoptr (OtterSession) session = new_demo_session (FALSE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 760);

  /* the empty state offers to create one */
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "create");
  g_assert_nonnull (find_label (GTK_WIDGET (page), "No Model"));
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-empty.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.create", NULL));
  display_spin (0.2);
  g_assert_nonnull (otter_session_get_model (session));
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");
  gtk_window_destroy (window);
}

static gboolean
page_in_error (gpointer data)
{
  return g_strcmp0 (otter_model_page_get_state (data), "error") == 0;
}

static void
test_model_page_damaged (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterModel *before = otter_session_get_model (session);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 760);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (dir, "damaged.otter", NULL);
  g_assert_true (g_file_set_contents (bad, "OTTERMDL\x01\x00\x00\x00garbage", 20, NULL));

  otter_session_open_model (session, bad);
  g_assert_true (display_wait_until (page_in_error, page, 30));
  display_spin (0.3);
  g_test_message ("error shown: %s", otter_model_page_get_error (page));
  g_assert_nonnull (strstr (otter_model_page_get_error (page), "damaged.otter"));
  /* the engine's message is on screen, not only in a toast */
  g_assert_nonnull (find_label (GTK_WIDGET (page), "damaged.otter"));
  g_assert_true (otter_session_get_model (session) == before);
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-error.png");

  /* dismissing it goes back to the model that is still loaded */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.dismiss-error", NULL));
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");

  g_unlink (bad);
  g_rmdir (dir);
  gtk_window_destroy (window);
}

/* Saves the session's model with a training history, as a run would. */
static char *
save_trained_model (OtterSession *session, const char *dir)
{
  static const char *metadata =
    "{\"config\":{\"method\":\"standard\",\"epsilon\":0.0313},"
    "\"history\":[{\"epoch\":1,\"loss\":2.5,\"val_map50\":0.125},"
    "{\"epoch\":2,\"loss\":1.25,\"val_map50\":0.375}],"
    "\"final_loss\":1.25,\"val_map50\":0.375}";
  OtterModel *model = otter_session_get_model (session);
  char *path = g_build_filename (dir, "standard.otter", NULL);
  g_autoptr (GError) error = NULL;
  OtterTorchModel *torch = otter_model_lock (model);
  gboolean ok = otter_torch_model_save (torch, path, metadata, &error);
  otter_model_unlock (model);
  g_assert_no_error (error);
  g_assert_true (ok);
  return path;
}

static gboolean
model_has_path (gpointer data)
{
  OtterModel *model = otter_session_get_model (data);
  return model != NULL && otter_model_get_path (model) != NULL;
}

static void
test_model_page_history (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 1600);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *path = save_trained_model (session, dir);

  otter_session_open_model (session, path);
  g_assert_true (display_wait_until (model_has_path, session, 30));
  display_spin (0.3);
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");
  /* where it came from, how it trained, epoch by epoch */
  g_assert_nonnull (find_label (GTK_WIDGET (page), path));
  g_assert_nonnull (find_label (GTK_WIDGET (page), "standard, 2 epochs"));
  g_assert_nonnull (find_label (GTK_WIDGET (page), "2.5000"));
  g_assert_nonnull (find_label (GTK_WIDGET (page), "0.375"));
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-history.png");

  g_unlink (path);
  g_rmdir (dir);
  gtk_window_destroy (window);
}

static gboolean
has_compare_model (gpointer data)
{
  return otter_eval_page_get_compare_model (data) != NULL;
}

static gboolean
eval_finished (gpointer data)
{
  return !otter_eval_page_get_running (data);
}

static void
test_eval_page_runs (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterEvalPage *page = g_object_new (OTTER_TYPE_EVAL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1200, 800);
  OtterDataset *dataset = otter_session_get_dataset (session);
  guint n_classes = otter_dataset_get_n_classes (dataset);

  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_NONE, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_FGSM, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_PGD, FALSE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_OT, FALSE);
  g_assert_null (otter_eval_page_get_evaluation (page));
  otter_eval_page_run (page);
  g_assert_true (otter_eval_page_get_running (page));
  g_assert_true (display_wait_until (eval_finished, page, 600));

  OtterEvaluation *ev = otter_eval_page_get_evaluation (page);
  g_assert_nonnull (ev);
  g_assert_cmpuint (otter_evaluation_get_n_attacks (ev), ==, 2);
  g_assert_cmpuint (otter_evaluation_get_n_images (ev), >, 0);
  /* the default is the validation split, not the whole dataset */
  g_assert_cmpuint (otter_evaluation_get_n_images (ev), <,
                    g_list_model_get_n_items (G_LIST_MODEL (dataset)));

  /* one row per class, then the mean */
  GListModel *rows = otter_eval_page_get_rows (page);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_classes + 1);
  g_autoptr (GtkStringObject) last = g_list_model_get_item (rows, n_classes);
  g_assert_cmpstr (gtk_string_object_get_string (last), ==, "mean");
  display_spin (0.3);
  g_assert_nonnull (find_label (GTK_WIDGET (page), "Mean"));
  const char *const *names = otter_dataset_get_class_names (dataset);
  g_assert_nonnull (find_label (GTK_WIDGET (page), names[0]));

  /* the chart: two attacks, mAP@0.5 and mAP for the one model */
  OtterBarChart *chart = otter_eval_page_get_chart (page);
  g_assert_cmpuint (otter_bar_chart_get_n_groups (chart), ==, 2);
  g_assert_cmpuint (otter_bar_chart_get_n_series (chart), ==, 2);
  const OtterMapResult *clean = otter_evaluation_get_result (ev, 0, 0);
  g_assert_cmpfloat (otter_bar_chart_get_value (chart, 0, 0), ==, clean->map50);
  g_autoptr (GdkTexture) texture = display_render_widget (GTK_WIDGET (chart));
  double variety = display_texture_variety (texture, 0, 0, gdk_texture_get_width (texture),
                                            gdk_texture_get_height (texture));
  g_test_message ("chart variety %.3f, clean mAP@0.5 %.3f", variety, clean->map50);
  g_assert_cmpfloat (variety, >, 0.01);

  /* the export holds the same numbers */
  g_autofree char *csv = otter_evaluation_to_csv (ev);
  g_assert_nonnull (strstr (csv, "model,attack,epsilon,class,ap50,ap"));
  g_assert_nonnull (strstr (csv, ",mean,"));

  g_assert_true (display_save_widget_png (GTK_WIDGET (window), "/tmp/eval-page.png"));
  gtk_window_destroy (window);
}

/* A second model from a file is scored on the same images, side by side. */
static void
test_eval_page_compare (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterEvalPage *page = g_object_new (OTTER_TYPE_EVAL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1200, 800);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *path = save_trained_model (session, dir);
  guint n_classes = otter_dataset_get_n_classes (otter_session_get_dataset (session));

  otter_eval_page_load_compare (page, path);
  g_assert_true (display_wait_until (has_compare_model, page, 30));
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_NONE, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_FGSM, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_PGD, FALSE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_OT, FALSE);
  otter_eval_page_run (page);
  g_assert_true (display_wait_until (eval_finished, page, 600));

  OtterEvaluation *ev = otter_eval_page_get_evaluation (page);
  g_assert_nonnull (ev);
  g_assert_cmpuint (otter_evaluation_get_n_models (ev), ==, 2);
  g_assert_cmpstr (otter_evaluation_get_model_label (ev, 1), ==, "standard");
  /* the same weights on the same images score the same */
  for (guint a = 0; a < 2; a++)
    g_assert_cmpfloat_with_epsilon (otter_evaluation_get_result (ev, 0, a)->map50,
                                    otter_evaluation_get_result (ev, 1, a)->map50, 1e-6);
  g_assert_cmpuint (g_list_model_get_n_items (otter_eval_page_get_rows (page)), ==, n_classes + 1);
  OtterBarChart *chart = otter_eval_page_get_chart (page);
  g_assert_cmpuint (otter_bar_chart_get_n_series (chart), ==, 4);
  display_spin (0.3);
  g_assert_nonnull (find_label (GTK_WIDGET (page), "standard"));
  display_save_widget_png (GTK_WIDGET (window), "/tmp/eval-page-compare.png");

  g_unlink (path);
  g_rmdir (dir);
  gtk_window_destroy (window);
}

static void
test_eval_page_cancel (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterEvalPage *page = g_object_new (OTTER_TYPE_EVAL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1200, 800);

  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_PGD, TRUE);
  otter_eval_page_run (page);
  g_assert_true (otter_eval_page_get_running (page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "eval.cancel", NULL));
  g_assert_true (display_wait_until (eval_finished, page, 120));
  /* a cancelled run leaves no half results behind */
  g_assert_null (otter_eval_page_get_evaluation (page));
  gtk_window_destroy (window);
}

int
main (int argc, char *argv[])
{
  app = display_test_init (&argc, &argv);
  /* Pages alone reference nothing in the resource object: pull it in, so
   * its constructor registers the templates. */
  g_assert_nonnull (otter_get_resource ());
  g_test_add_func ("/otter/ModelPage/shows-model", test_model_page_shows_model);
  g_test_add_func ("/otter/ModelPage/create", test_model_page_create);
  g_test_add_func ("/otter/ModelPage/damaged-model", test_model_page_damaged);
  g_test_add_func ("/otter/ModelPage/history", test_model_page_history);
  g_test_add_func ("/otter/EvalPage/run", test_eval_page_runs);
  g_test_add_func ("/otter/EvalPage/compare", test_eval_page_compare);
  g_test_add_func ("/otter/EvalPage/cancel", test_eval_page_cancel);
  return g_test_run ();
}
