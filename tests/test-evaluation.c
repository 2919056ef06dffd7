/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-evaluation.c: what an evaluation keeps besides the mAP, without a
 * display: PR curves, confusion matrices, per-image scores and the drops */

#include "config.h"

#include <math.h>

#include <glib/gstdio.h>

#include "otter-evaluation.h"
#include "otter-session.h"
#include "otter-trainer.h"
#include "test-wait-utils.h"

static gboolean
has_dataset (gpointer data)
{
  return otter_session_get_dataset (data) != NULL;
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (otter_evaluation_run_finish (OTTER_EVALUATION (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
inspect_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  OtterEvalImage **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = otter_evaluation_inspect_finish (OTTER_EVALUATION (source), result, &error);
  g_assert_no_error (error);
}

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

/* A tiny model trained on the demo until it finds objects (a fresh one
 * finds none above the threshold, and an attack cannot take them away). */
static OtterModel *
train_demo_model (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("otter-evaluation-XXXXXX", NULL);
  g_autofree char *run_dir = g_build_filename (dir, "run", NULL);
  OtterTrainConfig config;

  otter_train_config_init (&config);
  g_free (config.data);
  config.data = g_strdup ("demo:32");
  config.train.method = OTTER_METHOD_STANDARD;
  config.max_epochs = 80;
  config.loss_threshold = 0.6;
  g_autoptr (OtterTrainer) trainer = otter_trainer_new (&config);
  otter_train_config_clear (&config);
  otter_trainer_set_run_dir (trainer, run_dir);
  g_assert_true (otter_trainer_start (trainer, &error));
  g_assert_no_error (error);
  otter_trainer_wait (trainer);
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_CONVERGED);
  OtterModel *model = otter_model_load (otter_trainer_get_model_path (trainer), &error);
  g_assert_no_error (error);
  remove_tree (dir);
  return model;
}

/* Clean and FGSM on the demo's validation split. */
static OtterEvaluation *
run_demo_evaluation (OtterSession *session)
{
  g_autoptr (OtterModel) model = train_demo_model ();
  OtterTorchAttackParams params;
  OtterEvaluation *ev;
  gboolean done = FALSE;

  otter_session_open_dataset (session, "demo:32");
  g_assert_true (wait_until (has_dataset, session, 60));

  ev = otter_evaluation_new (otter_session_get_dataset (session), 0.25, 1);
  otter_evaluation_add_model (ev, model, NULL);
  otter_torch_attack_params_init (&params, OTTER_ATTACK_NONE);
  otter_evaluation_add_attack (ev, &params);
  otter_torch_attack_params_init (&params, OTTER_ATTACK_FGSM);
  params.epsilon = 16 / 255.0f;
  otter_evaluation_add_attack (ev, &params);
  otter_evaluation_run_async (ev, NULL, run_done_cb, &done);
  g_assert_true (wait_until (is_true, &done, 600));
  return ev;
}

/* Every attack keeps curves whose AP is the table's AP50, a confusion
 * matrix that accounts for every truth, and a score per image that adds up
 * to the matrix's diagonal. */
static void
test_evaluation_insights (void)
{
  g_autoptr (OtterSession) session = otter_session_new ();
  g_autoptr (OtterEvaluation) ev = run_demo_evaluation (session);
  guint n_images = otter_evaluation_get_n_images (ev);

  g_assert_cmpuint (n_images, ==, g_list_model_get_n_items (G_LIST_MODEL (otter_evaluation_get_data (ev))));
  g_assert_cmpint (otter_evaluation_find_clean (ev), ==, 0);
  for (guint a = 0; a < 2; a++)
    {
      const OtterMapResult *map = otter_evaluation_get_result (ev, 0, a);
      const OtterPrCurves *pr = otter_evaluation_get_pr_curves (ev, 0, a);
      const OtterConfusion *cm = otter_evaluation_get_confusion (ev, 0, a);
      const OtterImageScore *images = otter_evaluation_get_image_scores (ev, 0, a);
      guint n = map->n_classes, truths = 0, diagonal = 0, background = 0, sum = 0;
      guint tp = 0, fp = 0, image_truths = 0;

      g_assert_nonnull (pr);
      g_assert_nonnull (cm);
      g_assert_nonnull (images);
      g_assert_cmpuint (pr->n_classes, ==, n);
      g_assert_cmpuint (cm->n_classes, ==, n);
      for (guint c = 0; c < n; c++)
        {
          double ap = otter_pr_curve_get_ap (&pr->curves[c]);
          g_assert_true (ap == map->ap50[c] || (isnan (ap) && isnan (map->ap50[c])));
          truths += map->n_truths[c];
          diagonal += OTTER_CONFUSION_AT (cm, c, c);
          background += OTTER_CONFUSION_AT (cm, n, c);
        }
      for (guint r = 0; r <= n; r++)
        for (guint c = 0; c <= n; c++)
          sum += OTTER_CONFUSION_AT (cm, r, c);
      for (guint i = 0; i < n_images; i++)
        {
          tp += images[i].tp;
          fp += images[i].fp;
          image_truths += images[i].n_truths;
        }
      g_test_message ("attack %u: mAP50 %.3f, %u truths, %u found, %u false at %.2f",
                      a, map->map50, truths, tp, fp, OTTER_EVALUATION_CONFIDENT);
      g_assert_cmpuint (truths, >, 0);
      g_assert_cmpuint (sum, ==, truths + background);
      g_assert_cmpuint (image_truths, ==, truths);
      g_assert_cmpuint (diagonal, ==, tp);
      g_assert_cmpuint (OTTER_CONFUSION_AT (cm, n, n), ==, 0);
    }
}

/* The drops under FGSM: every image once, the largest loss first; none for
 * the clean run. Recomputing the first image on a worker reproduces what
 * the evaluation scored for it. */
static void
test_evaluation_drops (void)
{
  g_autoptr (OtterSession) session = otter_session_new ();
  g_autoptr (OtterEvaluation) ev = run_demo_evaluation (session);
  guint n_images = otter_evaluation_get_n_images (ev);
  g_autoptr (GArray) drops = otter_evaluation_dup_drops (ev, 0, 1);
  g_autoptr (GArray) none = otter_evaluation_dup_drops (ev, 0, 0);
  g_autofree gboolean *seen = g_new0 (gboolean, n_images);
  const OtterImageScore *clean = otter_evaluation_get_image_scores (ev, 0, 0);
  const OtterImageScore *attacked = otter_evaluation_get_image_scores (ev, 0, 1);
  g_autoptr (OtterEvalImage) image = NULL;

  g_assert_null (none);
  g_assert_nonnull (drops);
  g_assert_cmpuint (drops->len, ==, n_images);
  for (guint i = 0; i < drops->len; i++)
    {
      const OtterImageDrop *d = &g_array_index (drops, OtterImageDrop, i);

      g_assert_cmpuint (d->image, <, n_images);
      g_assert_false (seen[d->image]);
      seen[d->image] = TRUE;
      g_assert_cmpuint (d->clean.tp, ==, clean[d->image].tp);
      g_assert_cmpuint (d->attacked.tp, ==, attacked[d->image].tp);
      if (i > 0)
        {
          const OtterImageDrop *prev = &g_array_index (drops, OtterImageDrop, i - 1);
          g_assert_cmpint ((int) prev->clean.tp - (int) prev->attacked.tp, >=,
                           (int) d->clean.tp - (int) d->attacked.tp);
        }
    }

  const OtterImageDrop *first = &g_array_index (drops, OtterImageDrop, 0);
  otter_evaluation_inspect_async (ev, 0, 1, first->image, NULL, inspect_done_cb, &image);
  g_assert_true (wait_until (is_set, &image, 120));
  g_test_message ("image %u: %u of %u found clean, %u attacked; %u and %u detections",
                  first->image, first->clean.tp, first->clean.n_truths, first->attacked.tp,
                  image->clean_detections->len, image->attacked_detections->len);
  /* a trained model under FGSM at 16/255 loses objects somewhere */
  g_assert_cmpuint (first->clean.tp, >, first->attacked.tp);
  g_assert_cmpuint (image->image, ==, first->image);
  g_assert_cmpint (image->size, ==, 96);
  g_assert_cmpint (image->content[2], >, image->content[0]);
  g_assert_cmpint (image->content[3], >, image->content[1]);
  g_assert_cmpuint (image->clean_score.tp, ==, first->clean.tp);
  g_assert_cmpuint (image->clean_score.fp, ==, first->clean.fp);
  g_assert_cmpuint (image->attacked_score.tp, ==, first->attacked.tp);
  g_assert_cmpuint (image->attacked_score.fp, ==, first->attacked.fp);
  /* the attack changed the pixels, within its budget */
  gsize plane = (gsize) 3 * image->size * image->size;
  float linf = 0;
  for (gsize p = 0; p < plane; p++)
    linf = MAX (linf, fabsf (image->attacked[p] - image->clean[p]));
  g_assert_cmpfloat (linf, >, 1 / 255.0f);
  g_assert_cmpfloat (linf, <=, 16 / 255.0f + 1e-5f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/otter/Evaluation/insights", test_evaluation_insights);
  g_test_add_func ("/otter/Evaluation/drops", test_evaluation_drops);

  return g_test_run ();
}
