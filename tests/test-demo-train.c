/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-demo-train.c: the default run a newcomer starts, end to end
 *
 * OT training on the demo data with every default must converge under the
 * default threshold τ, store a model, and that model must find the shapes
 * (mAP@0.5 ≥ 0.8 on the validation split): τ has to mean a useful model.
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "otter-dataset.h"
#include "otter-evaluator.h"
#include "otter-trainer.h"

static void
test_default_demo_run (void)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-demo-XXXXXX", NULL);
  OtterTrainConfig config;
  otter_train_config_init (&config);
  g_autoptr (OtterTrainer) trainer = otter_trainer_new (&config);
  otter_trainer_set_run_dir (trainer, dir);
  g_autoptr (GError) error = NULL;
  g_assert_true (otter_trainer_start (trainer, &error));
  otter_trainer_wait (trainer);

  g_test_message ("%s after %d epochs", otter_trainer_get_message (trainer), otter_trainer_get_epoch (trainer));
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_CONVERGED);
  g_assert_cmpfloat (otter_trainer_get_epoch_loss (trainer), <=, otter_train_config_get_threshold (&config));

  g_autoptr (OtterTorchModel) model = otter_torch_model_load (otter_trainer_get_model_path (trainer), &error);
  g_assert_no_error (error);
  g_autoptr (OtterDataset) all = otter_dataset_load ("demo", NULL, &error);
  g_autoptr (OtterDataset) train = NULL;
  g_autoptr (OtterDataset) val = NULL;
  g_assert_true (otter_dataset_split (all, config.val_fraction, config.seed, &train, &val, &error));
  g_autoptr (OtterMapResult) map = otter_evaluate (model, val, NULL, 32, 1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("validation mAP@0.5 %.3f, mAP@[.5:.95] %.3f", map->map50, map->map);
  g_assert_cmpfloat (map->map50, >=, 0.8);
  /* the trainer's own per-epoch validation agrees with a fresh evaluation */
  g_assert_cmpfloat (fabs (otter_trainer_get_val_map50 (trainer) - map->map50), <, 1e-6);
  otter_train_config_clear (&config);
}

int
main (int argc, char *argv[])
{
  const char *threads = g_getenv ("OTTER_THREADS");
  g_test_init (&argc, &argv, NULL);
  otter_torch_set_threads (threads ? atoi (threads) : 2);
  g_test_add_func ("/otter/DemoTrain/default-run-converges", test_default_demo_run);
  return g_test_run ();
}
