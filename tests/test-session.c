/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-session.c: what the window works on, without a display: the
 * session and the perturbation preview */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "otter-preview.h"
#include "otter-session.h"
#include "test-wait-utils.h"

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
open_and_wait (OtterSession *session,
               const char   *path)
{
  DatasetWait w = { session, otter_session_get_dataset (session) };
  otter_session_open_dataset (session, path);
  g_assert_true (wait_until (dataset_replaced, &w, 120));
}

/* A run that has ended belongs to the data it ran on: opening other data
 * drops it, so its outcome is not shown as this data's. */
static void
test_finished_run_dropped_with_its_data (void)
{
  g_autoptr (OtterSession) session = otter_session_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("otter-session-XXXXXX", NULL);
  g_autofree char *run_dir = g_build_filename (dir, "run", NULL);

  open_and_wait (session, "demo:32");
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (otter_session_get_title (session), ==, "demo · tiny-96");

  OtterTrainConfig config;
  otter_train_config_init (&config);
  g_free (config.data);
  config.data = g_strdup ("demo:32");
  config.max_epochs = 1;
  config.loss_threshold = 1000;
  g_autoptr (OtterTrainer) trainer = otter_trainer_new (&config);
  otter_train_config_clear (&config);
  otter_trainer_set_run_dir (trainer, run_dir);
  otter_session_set_trainer (session, trainer);
  g_assert_true (otter_trainer_start (trainer, &error));
  otter_trainer_wait (trainer);
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_CONVERGED);
  g_assert_true (otter_session_get_trainer (session) == trainer);

  open_and_wait (session, "demo:24");
  g_assert_null (otter_session_get_trainer (session));
  g_assert_cmpstr (otter_session_get_title (session), ==, "demo · tiny-96");
}

/* The change maps of the Perturbation page: the signed perturbation in
 * [0, 1] around 0.5, its size's own percentile range, and where the image
 * lies inside the letterboxed input. */
static void
test_preview_change_maps (void)
{
  const char *shared = g_getenv ("OTTER_SHARED_DATASETS");
  g_autofree char *csv = shared ? g_build_filename (shared, "raccoon", "data", "test_labels.csv", NULL) : NULL;
  if (csv == NULL || !g_file_test (csv, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("the shared raccoon set is not there");
      return;
    }
  g_autoptr (OtterSession) session = otter_session_new ();
  g_autoptr (GError) error = NULL;
  open_and_wait (session, csv);
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);

  OtterPreviewParams params;
  otter_preview_params_init (&params);
  params.count = 3;
  g_autoptr (OtterPreviewResult) result = otter_preview_compute (otter_session_get_dataset (session),
                                                                 otter_session_get_model (session),
                                                                 &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  int size = result->size;
  gsize plane = (gsize) size * size;
  gboolean any_padding = FALSE;
  for (int k = 0; k < result->n; k++)
    {
      const int *r = result->content + 4 * k;
      OtterSample *sample = otter_dataset_get_sample (otter_session_get_dataset (session), result->sample_indices[k]);
      int w = otter_sample_get_width (sample), h = otter_sample_get_height (sample);
      g_test_message ("image %d (%d × %d): content %d,%d – %d,%d of %d; size range %.3f – %.3f",
                      k, w, h, r[0], r[1], r[2], r[3], size, result->delta_range[2 * k],
                      result->delta_range[2 * k + 1]);
      g_assert_cmpint (r[0], >=, 0);
      g_assert_cmpint (r[1], >=, 0);
      g_assert_cmpint (r[2], <=, size);
      g_assert_cmpint (r[3], <=, size);
      /* the content keeps the photo's aspect ratio, to a pixel */
      g_assert_cmpfloat (fabs ((double) (r[2] - r[0]) / (r[3] - r[1]) - (double) w / h), <, 0.05);
      any_padding |= r[2] - r[0] < size || r[3] - r[1] < size;
      g_assert_cmpfloat (result->delta_range[2 * k], <=, result->delta_range[2 * k + 1]);
      g_assert_cmpfloat (result->delta_range[2 * k + 1], <=, 1);

      gboolean below = FALSE, above = FALSE;
      for (gsize p = 0; p < 3 * plane; p++)
        {
          float v = result->signed_delta[k * 3 * plane + p];
          g_assert_cmpfloat (v, >=, 0);
          g_assert_cmpfloat (v, <=, 1);
          below |= v < 0.45f;
          above |= v > 0.55f;
        }
      g_assert_true (below && above);
    }
  g_assert_true (any_padding);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/otter/Session/finished-run-dropped-with-its-data", test_finished_run_dropped_with_its_data);
  g_test_add_func ("/otter/Preview/change-maps", test_preview_change_maps);
  return g_test_run ();
}
