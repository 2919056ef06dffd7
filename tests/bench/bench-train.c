/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-train.c: training step time of standard vs ot vs pgd on the same batch
 *
 * The ratio ot/standard is the price of robustness (aim: ≤ 3.5×). Also
 * reports the peak resident memory of a batch-16 training run.
 */

#include "config.h"

#include <stdlib.h>
#include <sys/resource.h>

#include "bench-common.h"
#include "otter-batch.h"
#include "otter-dataset.h"

static double
step_ms (OtterTorchModel *model, OtterTrainMethod method, OtterBatch *batch, int reps)
{
  OtterTorchTrainParams params;
  otter_torch_train_params_init (&params);
  params.method = method;
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (model, &params, NULL);
  double times[32];
  OtterTorchStepResult r;
  /* one warm-up step: first calls allocate */
  g_assert_true (otter_torch_trainer_step (trainer, &batch->view, 0, &r, NULL));
  for (int i = 0; i < reps; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_assert_true (otter_torch_trainer_step (trainer, &batch->view, i + 1, &r, NULL));
      times[i] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  return bench_median (times, reps);
}

static void
bench_dataset (const char *label, const char *arch, const char *path, int size, int batch_size, int reps)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterDataset) dataset = otter_dataset_load (path, NULL, &error);
  if (dataset == NULL)
    {
      printf ("%-28s skipped: %s\n", label, error->message);
      return;
    }
  guint indices[64];
  for (int i = 0; i < batch_size; i++)
    indices[i] = i;
  g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, indices, batch_size, size,
                                                              NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (OtterTorchModel) model = otter_torch_model_new (arch, otter_dataset_get_class_names (dataset),
                                                             size, 1, &error);
  g_assert_no_error (error);

  double standard = step_ms (model, OTTER_METHOD_STANDARD, batch, reps);
  double ot = step_ms (model, OTTER_METHOD_OT, batch, reps);
  double pgd = step_ms (model, OTTER_METHOD_PGD, batch, reps);
  printf ("%-40s standard %8.1f ms (%5.1f img/s)   ot %8.1f ms (%5.1f img/s, %.2f×)   pgd-3 %8.1f ms (%.2f×)\n",
          label, standard, batch_size * 1000.0 / standard, ot, batch_size * 1000.0 / ot, ot / standard,
          pgd, pgd / standard);
}

int
main (int argc, char *argv[])
{
  const char *shared = g_getenv ("OTTER_SHARED_DATASETS");
  const char *threads = g_getenv ("OTTER_THREADS");
  otter_torch_set_threads (threads ? atoi (threads) : (int) g_get_num_processors ());
  g_autofree char *blas = bench_loaded_blas ();

  printf ("Training step, median of repeated steps on one batch, %d libtorch threads\n",
          otter_torch_get_threads ());
  printf ("libtorch %s on %s; BLAS: %s\n\n", otter_torch_version (), otter_torch_device_name (), blas);
  bench_dataset ("tiny, demo 96 px, batch 16", "tiny", "demo", 96, 16, 7);
  if (shared != NULL)
    {
      /* Every architecture on the same photos, so the price of each
       * backbone reads off beside tiny's. */
      g_autofree char *raccoon = g_build_filename (shared, "raccoon", NULL);
      for (const char *const *arch = otter_torch_model_archs (); *arch != NULL; arch++)
        {
          g_autofree char *label = g_strdup_printf ("%s, raccoon 320 px, batch 16", *arch);
          bench_dataset (label, *arch, raccoon, 320, 16, 3);
        }
    }
  /* Peak memory of a real run: one epoch of otter-cli train at batch 16. */
  const char *cli = g_getenv ("OTTER_CLI");
  if (cli != NULL)
    {
      g_autofree char *dir = g_dir_make_tmp ("otter-bench-XXXXXX", NULL);
      g_autofree char *run = g_build_filename (dir, "run", NULL);
      g_autofree char *raccoon = shared ? g_build_filename (shared, "raccoon", NULL) : NULL;
      const char *data = raccoon && g_file_test (raccoon, G_FILE_TEST_IS_DIR) ? raccoon : "demo";
      const char *cli_argv[] = { cli, "train", "--data", data, "--epochs", "1", "--batch-size", "16",
                             "--run-dir", run, NULL };
      int status = 0;
      g_autoptr (GError) error = NULL;
      if (g_spawn_sync (NULL, (char **) cli_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, &status, &error))
        {
          struct rusage usage;
          getrusage (RUSAGE_CHILDREN, &usage);
          printf ("\npeak RSS of `otter-cli train --data %s --batch-size 16` (one epoch, ot): %.0f MiB\n",
                  data == raccoon ? "raccoon" : "demo", usage.ru_maxrss / 1024.0);
        }
      else
        printf ("\npeak RSS: could not run %s: %s\n", cli, error->message);
    }
  return 0;
}
