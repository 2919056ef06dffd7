/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-detections.c: the Data page's model detections on one image,
 * without a display: the boxes in image pixels, and the worker's newest
 * request winning */

#include "config.h"

#include "otter-detections.h"
#include "otter-error.h"
#include "otter-session.h"
#include "test-wait-utils.h"

static OtterSession *
session_new (const char *path)
{
  OtterSession *session = otter_session_new ();
  g_autoptr (GError) error = NULL;

  otter_session_open_dataset (session, path);
  g_assert_true (wait_until ((gpointer) otter_session_get_dataset, session, 120));
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);
  return session;
}

static gboolean
not_running (gpointer data)
{
  return !otter_detections_get_running (data);
}

/* Counts the results that reached the UI thread. */
static void
result_cb (OtterDetections *detections,
           GParamSpec      *pspec,
           guint           *n_results)
{
  if (otter_detections_get_result (detections) != NULL)
    (*n_results)++;
}

/* The boxes are the whole image's pixels, inside it, best first, and
 * every one scores at least the floor a threshold can filter from. */
static void
test_compute (void)
{
  const char *shared = g_getenv ("OTTER_SHARED_DATASETS");
  g_autofree char *csv = shared ? g_build_filename (shared, "raccoon", "data", "test_labels.csv", NULL) : NULL;
  gboolean raccoon = csv != NULL && g_file_test (csv, G_FILE_TEST_IS_REGULAR);
  g_autoptr (OtterSession) session = session_new (raccoon ? csv : "demo:8");
  OtterDataset *dataset = otter_session_get_dataset (session);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (OtterDetectionsResult) result =
        otter_detections_compute (dataset, otter_session_get_model (session), i, NULL, &error);
      g_assert_no_error (error);
      OtterSample *sample = otter_dataset_get_sample (dataset, i);
      g_assert_true (result->sample == sample);
      g_assert_cmpuint (result->index, ==, i);
      g_assert_cmpint (result->image_width, ==, otter_sample_get_width (sample));
      g_assert_cmpint (result->image_height, ==, otter_sample_get_height (sample));
      g_assert_cmpuint (result->detections->len, >, 0);
      g_assert_cmpuint (result->detections->len, <=, OTTER_DETECTIONS_MAX);

      double right = 0, bottom = 0;
      for (guint k = 0; k < result->detections->len; k++)
        {
          const OtterDetection *d = &g_array_index (result->detections, OtterDetection, k);
          g_assert_cmpfloat (d->score, >=, OTTER_DETECTIONS_MIN_SCORE);
          if (k > 0)
            g_assert_cmpfloat (d->score, <=, g_array_index (result->detections, OtterDetection, k - 1).score);
          g_assert_cmpfloat (d->x1, >=, 0);
          g_assert_cmpfloat (d->y1, >=, 0);
          g_assert_cmpfloat (d->x2, <=, result->image_width);
          g_assert_cmpfloat (d->y2, <=, result->image_height);
          g_assert_cmpfloat (d->x1, <, d->x2);
          g_assert_cmpfloat (d->y1, <, d->y2);
          g_assert_cmpint (d->class_id, >=, 0);
          g_assert_cmpint (d->class_id, <, (int) g_strv_length (result->class_names));
          right = MAX (right, d->x2);
          bottom = MAX (bottom, d->y2);
        }
      g_test_message ("image %u (%d × %d): %u detections, reaching %.0f, %.0f", i, result->image_width,
                      result->image_height, result->detections->len, right, bottom);
      /* in image pixels, not the 96 px model input's: a big image's boxes
       * reach past 96 */
      if (raccoon)
        g_assert_cmpfloat (MAX (right, bottom), >, 96);

      guint last = G_MAXUINT;
      for (double t = 0; t <= 1.0; t += 0.05)
        {
          guint n = otter_detections_result_count_above (result, t);
          g_assert_cmpuint (n, <=, last);
          last = n;
        }
      g_assert_cmpuint (otter_detections_result_count_above (result, OTTER_DETECTIONS_MIN_SCORE), ==,
                        result->detections->len);
      g_assert_cmpuint (otter_detections_result_count_above (result, 1.01), ==, 0);
    }
}

/* Requests made while one runs: only the newest is delivered, and the
 * old image's boxes are gone at once. Holding the model keeps the first
 * one running for as long as the test needs. */
static void
test_latest_wins (void)
{
  g_autoptr (OtterSession) session = session_new ("demo:8");
  OtterDataset *dataset = otter_session_get_dataset (session);
  OtterModel *model = otter_session_get_model (session);
  g_autoptr (OtterDetections) detections = otter_detections_new ();
  guint n_results = 0;

  g_signal_connect (detections, "notify::result", G_CALLBACK (result_cb), &n_results);
  otter_detections_request (detections, dataset, model, 1);
  g_assert_true (wait_until (not_running, detections, 120));
  g_assert_cmpuint (n_results, ==, 1);
  g_assert_cmpuint (otter_detections_get_serial (detections), ==, 1);
  g_assert_cmpuint (otter_detections_get_result (detections)->index, ==, 1);

  otter_model_lock (model);
  otter_detections_request (detections, dataset, model, 2);
  g_assert_true (otter_detections_get_running (detections));
  g_assert_null (otter_detections_get_result (detections));
  otter_detections_request (detections, dataset, model, 3);
  otter_detections_request (detections, dataset, model, 5);
  /* the worker waits on the model; the UI thread does not */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (otter_detections_get_running (detections));
  otter_model_unlock (model);

  g_assert_true (wait_until (not_running, detections, 120));
  g_assert_cmpuint (n_results, ==, 2);
  g_assert_cmpuint (otter_detections_get_serial (detections), ==, 2);
  OtterDetectionsResult *result = otter_detections_get_result (detections);
  g_assert_nonnull (result);
  g_assert_cmpuint (result->index, ==, 5);
  g_assert_true (result->sample == otter_dataset_get_sample (dataset, 5));
  g_assert_null (otter_detections_get_error (detections));
}

/* A clear drops the running request unseen, and the result with it. */
static void
test_clear (void)
{
  g_autoptr (OtterSession) session = session_new ("demo:8");
  OtterDataset *dataset = otter_session_get_dataset (session);
  OtterModel *model = otter_session_get_model (session);
  g_autoptr (OtterDetections) detections = otter_detections_new ();
  guint n_results = 0;

  g_signal_connect (detections, "notify::result", G_CALLBACK (result_cb), &n_results);
  otter_detections_request (detections, dataset, model, 0);
  g_assert_true (wait_until (not_running, detections, 120));
  g_assert_nonnull (otter_detections_get_result (detections));
  otter_detections_clear (detections);
  g_assert_null (otter_detections_get_result (detections));

  otter_model_lock (model);
  otter_detections_request (detections, dataset, model, 4);
  otter_detections_request (detections, dataset, model, 6);
  otter_detections_clear (detections);
  otter_model_unlock (model);
  g_assert_true (wait_until (not_running, detections, 120));
  g_assert_null (otter_detections_get_result (detections));
  g_assert_null (otter_detections_get_error (detections));
  g_assert_cmpuint (otter_detections_get_serial (detections), ==, 1);
  g_assert_cmpuint (n_results, ==, 1);

  /* and it still works afterwards */
  otter_detections_request (detections, dataset, model, 6);
  g_assert_true (wait_until (not_running, detections, 120));
  g_assert_cmpuint (otter_detections_get_result (detections)->index, ==, 6);
}

/* A failure is a message for the pane, not a crash. */
static void
test_error (void)
{
  g_autoptr (OtterSession) session = session_new ("demo:4");
  g_autoptr (OtterDetections) detections = otter_detections_new ();

  otter_detections_request (detections, otter_session_get_dataset (session), otter_session_get_model (session), 9);
  g_assert_true (wait_until (not_running, detections, 120));
  g_assert_null (otter_detections_get_result (detections));
  g_assert_cmpstr (otter_detections_get_error (detections), ==, "The dataset has no image 9");

  g_autoptr (GError) error = NULL;
  g_assert_null (otter_detections_compute (otter_session_get_dataset (session), otter_session_get_model (session),
                                           4, NULL, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (otter_detections_get_serial (detections), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/otter/Detections/compute", test_compute);
  g_test_add_func ("/otter/Detections/latest-wins", test_latest_wins);
  g_test_add_func ("/otter/Detections/clear", test_clear);
  g_test_add_func ("/otter/Detections/error", test_error);
  return g_test_run ();
}
