/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-train.c: otter-cli train */

#include "config.h"

#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>

#include "otter-cli-common.h"
#include "otter-cli-launch.h"
#include "otter-error.h"
#include "otter-trainer.h"
#include "otter-weights.h"

typedef struct
{
  OtterTrainer *trainer;
  GMainLoop    *loop;
  gboolean      interrupted;
} TrainCli;

static void
show_progress (OtterTrainer *trainer, gboolean force)
{
  int epoch = otter_trainer_get_epoch (trainer);
  int max_epochs = otter_trainer_get_max_epochs (trainer);
  int step = otter_trainer_get_step_in_epoch (trainer);
  int steps = otter_trainer_get_steps_per_epoch (trainer);
  double done = max_epochs > 0 && steps > 0
    ? ((epoch - 1) + (double) step / steps) / max_epochs : 0;
  double eta = otter_trainer_get_eta_seconds (trainer);
  g_autofree char *eta_text = eta >= 0 ? g_strdup_printf ("%d:%02d", (int) eta / 60, (int) eta % 60)
                                       : g_strdup ("?");
  otter_cli_progress (force, done,
                      /* Translators: L, L1, L2 and D are the losses and the
                       * transport distance; ETA is minutes:seconds left */
                      _("epoch %d/%d step %d/%d  L %.4f (L1 %.4f L2 %.4f) D %.4f  %.1f img/s  ETA %s"),
                      epoch, max_epochs, step, steps, otter_trainer_get_loss (trainer),
                      otter_trainer_get_l1 (trainer), otter_trainer_get_l2 (trainer),
                      otter_trainer_get_distance (trainer),
                      otter_trainer_get_images_per_second (trainer), eta_text);
}

static void
on_progress (OtterTrainer *trainer, TrainCli *cli)
{
  static int last_epoch_reported;
  g_autoptr (GArray) epochs = otter_trainer_dup_epochs (trainer);

  show_progress (trainer, FALSE);
  /* One line per finished epoch, on terminals too. */
  for (guint i = 0; i < epochs->len; i++)
    {
      const OtterEpochPoint *e = &g_array_index (epochs, OtterEpochPoint, i);
      if (e->epoch <= last_epoch_reported)
        continue;
      last_epoch_reported = e->epoch;
      otter_cli_progress_end ();
      /* Translators: τ is the convergence threshold, D the transport distance */
      fprintf (stderr, _("epoch %d: mean loss %.4f (τ %.4g)  L1 %.4f  L2 %.4f  D %.4f  val mAP@0.5 %.3f  %.1f s\n"),
               e->epoch, e->loss, otter_trainer_get_threshold (trainer), e->l1, e->l2, e->d,
               e->val_map50, e->seconds);
    }
}

static void
on_finished (OtterTrainer *trainer, TrainCli *cli)
{
  g_main_loop_quit (cli->loop);
}

static gboolean
on_signal (gpointer data)
{
  TrainCli *cli = data;
  if (cli->interrupted)
    return G_SOURCE_CONTINUE;
  cli->interrupted = TRUE;
  otter_cli_progress_end ();
  fprintf (stderr, "otter-cli: %s\n", _("stopping after the current step…"));
  otter_trainer_stop (cli->trainer);
  return G_SOURCE_CONTINUE;
}

/* Downloading ImageNet weights for --pretrained. */
static void
download_progress (goffset done, goffset total, gpointer user_data)
{
  const char *name = user_data;
  if (total > 0)
    otter_cli_progress (done == total, (double) done / total, _("%s weights: %.1f of %.1f MB"),
                        name, done / 1e6, total / 1e6);
  else
    otter_cli_progress (FALSE, 0, _("%s weights: %.1f MB"), name, done / 1e6);
}

static JsonNode *
result_json (OtterTrainer *trainer)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GArray) epochs = otter_trainer_dup_epochs (trainer);
  const OtterEpochPoint *last = epochs->len ? &g_array_index (epochs, OtterEpochPoint, epochs->len - 1) : NULL;
  OtterTrainerState state = otter_trainer_get_state (trainer);
  const char *status = state == OTTER_TRAINER_CONVERGED ? "converged"
                     : state == OTTER_TRAINER_FAILED ? "failed" : "not-converged";

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, status);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, otter_trainer_state_to_string (state));
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, epochs->len);
  json_builder_set_member_name (b, "steps");
  json_builder_add_int_value (b, otter_trainer_get_step (trainer));
  json_builder_set_member_name (b, "final_loss");
  if (last && isfinite (last->loss))
    json_builder_add_double_value (b, last->loss);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "threshold");
  json_builder_add_double_value (b, otter_trainer_get_threshold (trainer));
  json_builder_set_member_name (b, "val_map50");
  if (last && isfinite (last->val_map50))
    json_builder_add_double_value (b, last->val_map50);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "model");
  if (otter_trainer_get_model_path (trainer))
    json_builder_add_string_value (b, otter_trainer_get_model_path (trainer));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "run_dir");
  if (otter_trainer_get_run_dir (trainer))
    json_builder_add_string_value (b, otter_trainer_get_run_dir (trainer));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "skipped");
  json_builder_add_int_value (b, otter_trainer_get_n_skipped (trainer));
  json_builder_set_member_name (b, "checkpoint_failures");
  json_builder_add_int_value (b, otter_trainer_get_n_checkpoint_failures (trainer));
  json_builder_set_member_name (b, "checkpoint_error");
  if (otter_trainer_get_checkpoint_error (trainer))
    json_builder_add_string_value (b, otter_trainer_get_checkpoint_error (trainer));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "world_size");
  json_builder_add_int_value (b, otter_trainer_get_world_size (trainer));
  json_builder_set_member_name (b, "images_per_second");
  json_builder_add_double_value (b, otter_trainer_get_images_per_second (trainer));
  json_builder_set_member_name (b, "exchange_ms_per_step");
  json_builder_add_double_value (b, 1000 * otter_trainer_get_exchange_seconds (trainer));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, otter_trainer_get_message (trainer) ? otter_trainer_get_message (trainer) : "");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

int
otter_cli_train (int argc, char **argv)
{
  g_autofree char *data = NULL, *val = NULL, *method = NULL, *arch = NULL, *run_dir = NULL;
  g_autofree char *resume = NULL, *init_model = NULL, *optimizer = NULL, *epsilon = NULL;
  g_autofree char *space = NULL, *name = NULL, *backbone_weights = NULL, *augment = NULL;
  /* unset until given: a 0 or a negative number the user typed is checked, never taken for "the default" */
  double val_fraction = OTTER_CLI_UNSET_DOUBLE, threshold = OTTER_CLI_UNSET_DOUBLE, lr = OTTER_CLI_UNSET_DOUBLE;
  double reg = OTTER_CLI_UNSET_DOUBLE, backbone_lr_scale = OTTER_CLI_UNSET_DOUBLE, ema = OTTER_CLI_UNSET_DOUBLE;
  double mosaic = OTTER_CLI_UNSET_DOUBLE;
  int epochs = OTTER_CLI_UNSET_INT, batch = OTTER_CLI_UNSET_INT, input_size = 0, threads = OTTER_CLI_UNSET_INT;
  int ot_steps = OTTER_CLI_UNSET_INT, seed = OTTER_CLI_UNSET_INT, freeze_epochs = 0;
  gboolean json = FALSE, no_augment = FALSE, pretrained = FALSE, allow_outside_root = FALSE;
  gboolean distributed = FALSE, settings_from_rank0 = FALSE;
  int nproc = OTTER_CLI_UNSET_INT;
  double dist_timeout = OTTER_CLI_UNSET_DOUBLE;
  int exit_code = OTTER_CLI_EXIT_OK;
  OtterTrainConfig config;
  /* --nproc hands the same arguments to its workers */
  g_auto (GStrv) original_args = g_strdupv (argv);

  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, N_("Training dataset (a path, or “demo”)"), "PATH" },
    { "val", 0, 0, G_OPTION_ARG_FILENAME, &val, N_("Validation dataset (default: split off the training data)"), "PATH" },
    OTTER_CLI_ALLOW_OUTSIDE_ROOT_ENTRY (allow_outside_root),
    { "val-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &val_fraction, N_("Fraction held out for validation [0.2]"), "F" },
    { "method", 'm', 0, G_OPTION_ARG_STRING, &method, N_("ot (default), standard or pgd"), "METHOD" },
    { "arch", 'a', 0, G_OPTION_ARG_STRING, &arch, N_("Architecture: tiny (default), small, resnet18 or mobilenet_v3_large"), "ARCH" },
    { "pretrained", 0, 0, G_OPTION_ARG_NONE, &pretrained, N_("Start the backbone from torchvision's ImageNet weights (resnet18, mobilenet_v3_large; found in PyTorch's hub cache or downloaded)"), NULL },
    { "backbone-weights", 0, 0, G_OPTION_ARG_FILENAME, &backbone_weights, N_("Start the backbone from this torchvision-layout state_dict (.pth)"), "FILE" },
    { "freeze-backbone-epochs", 0, 0, G_OPTION_ARG_INT, &freeze_epochs, N_("Keep the backbone frozen for the first N epochs [0]"), "N" },
    { "backbone-lr-scale", 0, 0, G_OPTION_ARG_DOUBLE, &backbone_lr_scale, N_("The backbone's learning rate relative to the rest [1]"), "F" },
    { "ema", 0, 0, G_OPTION_ARG_DOUBLE, &ema, N_("Decay of the weights' moving average used for evaluation and the stored model; 0 turns it off [0.998 for photos, off for the demo]"), "DECAY" },
    { "input-size", 0, 0, G_OPTION_ARG_INT, &input_size, N_("Model input side, a multiple of 32 [96 demo, 320 otherwise]"), "PX" },
    { "init-model", 0, 0, G_OPTION_ARG_FILENAME, &init_model, N_("Start from this model file"), "FILE" },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, N_("Maximum epochs [30]"), "N" },
    { "loss-threshold", 't', 0, G_OPTION_ARG_DOUBLE, &threshold, N_("Convergence threshold τ on the epoch's mean target loss"), "T" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch, N_("Images per batch [16]"), "N" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Peak learning rate [0.002 for the demo, 0.0005 otherwise]"), "LR" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, N_("adamw (default) or sgd"), "NAME" },
    { "epsilon", 0, 0, G_OPTION_ARG_STRING, &epsilon, N_("L∞ budget ε, e.g. 8/255 [8/255]"), "EPS" },
    { "ot-steps", 0, 0, G_OPTION_ARG_INT, &ot_steps, N_("Ascent steps K of the OT attack [1]"), "K" },
    { "feature-space", 0, 0, G_OPTION_ARG_STRING, &space, N_("OT feature space: batch (default) or spatial"), "SPACE" },
    { "sinkhorn-reg", 0, 0, G_OPTION_ARG_DOUBLE, &reg, N_("Sinkhorn regularisation [0.01]"), "R" },
    { "no-augment", 0, 0, G_OPTION_ARG_NONE, &no_augment, N_("Train on the images as they are"), NULL },
    { "augment", 0, 0, G_OPTION_ARG_STRING, &augment, N_("flip or photos (zoom 0.5–1.5, crops, flips, colour jitter) [flip for the demo, photos otherwise]"), "PRESET" },
    { "mosaic", 0, 0, G_OPTION_ARG_DOUBLE, &mosaic, N_("Probability of a 2×2 mosaic of four training images [0]"), "P" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, N_("Random seed [1]"), "N" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Name used in the run folder"), "NAME" },
    { "run-dir", 'o', 0, G_OPTION_ARG_FILENAME, &run_dir, N_("Run folder (default: a new one under ~/.local/share/otter/runs)"), "DIR" },
    { "resume", 'r', 0, G_OPTION_ARG_FILENAME, &resume, N_("Resume the run in DIR from its last checkpoint"), "DIR" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("libtorch threads, kept fixed [all cores, fewer while other programs use them]"), "N" },
    { "nproc", 0, 0, G_OPTION_ARG_INT, &nproc, N_("Train data-parallel in N local processes that share each batch [1]"), "N" },
    { "distributed", 0, 0, G_OPTION_ARG_NONE, &distributed, N_("Be one worker of a data-parallel run, placed by the environment torchrun or Slurm sets (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK)"), NULL },
    { "settings-from-rank0", 0, 0, G_OPTION_ARG_NONE, &settings_from_rank0, N_("With --distributed on a rank other than 0: train rank 0's data, model and settings instead of these"), NULL },
    { "dist-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &dist_timeout, N_("Seconds a worker waits for the others before failing [300]"), "S" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("End stdout with a JSON summary"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("- train a detector"));
  g_option_context_set_summary (context, N_(
    "Trains on each batch together with its OT target perturbation (the perturbation\n"
    "that moves the features furthest, measured by an optimal-transport plan) on the\n"
    "sum of both losses, until the epoch's mean loss falls to τ; then stores the model.\n"
    "Exit status: 0 converged, 2 stopped without converging, 1 failed."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!otter_cli_parse_flags_only (context, &argc, &argv, &exit_code))
    return exit_code;
  if (!otter_cli_check_int ("epochs", epochs, 1, 100000, &exit_code) ||
      !otter_cli_check_int ("batch-size", batch, 2, 1024, &exit_code) ||
      !otter_cli_check_int ("ot-steps", ot_steps, 1, 1000, &exit_code) ||
      !otter_cli_check_int ("seed", seed, 0, G_MAXINT, &exit_code) ||
      !otter_cli_check_int ("freeze-backbone-epochs", freeze_epochs, 0, 100000, &exit_code) ||
      !otter_cli_check_double ("loss-threshold", threshold, 0, TRUE, 1e6, &exit_code) ||
      !otter_cli_check_double ("val-fraction", val_fraction, 0, FALSE, 0.95, &exit_code) ||
      !otter_cli_check_double ("lr", lr, 0, TRUE, 10, &exit_code) ||
      !otter_cli_check_double ("sinkhorn-reg", reg, 0, TRUE, 10, &exit_code) ||
      !otter_cli_check_double ("backbone-lr-scale", backbone_lr_scale, 0, FALSE, 10, &exit_code) ||
      !otter_cli_check_double ("ema", ema, 0, FALSE, 0.9999, &exit_code) ||
      !otter_cli_check_double ("mosaic", mosaic, 0, FALSE, 1, &exit_code) ||
      !otter_cli_check_int ("nproc", nproc, 1, 256, &exit_code) ||
      !otter_cli_check_double ("dist-timeout", dist_timeout, 0, TRUE, 86400, &exit_code))
    return exit_code;
  if (nproc != OTTER_CLI_UNSET_INT && distributed)
    return otter_cli_usage_fail (_("--nproc starts workers of its own: leave out --distributed"));
  if (nproc != OTTER_CLI_UNSET_INT && nproc > 1)
    {
      g_autoptr (GStrvBuilder) args = g_strv_builder_new ();
      for (int i = 1; original_args[i] != NULL; i++)
        {
          if (g_str_equal (original_args[i], "--nproc") && original_args[i + 1] != NULL)
            i++;
          else if (!g_str_has_prefix (original_args[i], "--nproc="))
            g_strv_builder_add (args, original_args[i]);
        }
      g_auto (GStrv) train_args = g_strv_builder_end (args);
      return otter_cli_launch_local_workers (nproc, (const char *const *) train_args,
                                             otter_cli_threads_given (threads),
                                             dist_timeout != OTTER_CLI_UNSET_DOUBLE ? dist_timeout
                                                                                    : OTTER_DISTRIBUTED_DEFAULT_TIMEOUT);
    }
  g_auto (OtterDistributedParams) place;
  otter_distributed_params_init (&place);
  if (distributed)
    {
      g_autoptr (GError) env_error = NULL;
      if (!otter_distributed_params_from_env (&place, &env_error))
        return otter_cli_usage_fail ("--distributed: %s", env_error->message);
      if (dist_timeout != OTTER_CLI_UNSET_DOUBLE)
        place.timeout_seconds = dist_timeout;
      place.settings_from_rank0 = settings_from_rank0;
    }
  else if (settings_from_rank0)
    return otter_cli_usage_fail (_("--settings-from-rank0 is for the workers of a distributed run: add --distributed"));
  if (resume != NULL && run_dir != NULL)
    return otter_cli_usage_fail (_("--resume continues the run in its own folder: leave out --run-dir"));

  otter_train_config_init (&config);
  if (data != NULL)
    {
      g_free (config.data);
      config.data = g_strdup (data);
    }
  config.val_data = g_strdup (val);
  config.allow_outside_root = allow_outside_root;
  if (val_fraction != OTTER_CLI_UNSET_DOUBLE)
    config.val_fraction = val_fraction;
  if (arch != NULL)
    {
      g_free (config.arch);
      config.arch = g_strdup (arch);
    }
  config.init_model = g_strdup (init_model);
  if (pretrained && backbone_weights != NULL)
    {
      otter_train_config_clear (&config);
      return otter_cli_fail (_("--pretrained and --backbone-weights both choose the backbone's weights: give one"));
    }
  if (pretrained)
    {
      g_autoptr (GError) fetch_error = NULL;
      const char *imagenet = otter_torch_arch_imagenet_name (config.arch);
      if (imagenet == NULL)
        {
          exit_code = otter_cli_fail (_("--pretrained: torchvision has no ImageNet weights for “%s” "
                                        "(use resnet18 or mobilenet_v3_large)"), config.arch);
          otter_train_config_clear (&config);
          return exit_code;
        }
      /* From PyTorch's hub cache, or downloaded into it (with progress). */
      backbone_weights = otter_weights_fetch (imagenet, NULL, download_progress, (gpointer) imagenet,
                                              &fetch_error);
      otter_cli_progress_end ();
      if (backbone_weights == NULL)
        {
          otter_train_config_clear (&config);
          return otter_cli_fail ("%s", fetch_error->message);
        }
      config.pretrained = TRUE;
    }
  config.backbone_weights = g_strdup (backbone_weights);
  config.freeze_backbone_epochs = freeze_epochs;
  if (backbone_lr_scale != OTTER_CLI_UNSET_DOUBLE)
    config.train.backbone_lr_scale = backbone_lr_scale;
  if (ema != OTTER_CLI_UNSET_DOUBLE)
    config.train.ema_decay = ema;
  config.name = g_strdup (name);
  config.input_size = input_size;
  if (epochs != OTTER_CLI_UNSET_INT)
    config.max_epochs = epochs;
  if (batch != OTTER_CLI_UNSET_INT)
    config.batch_size = batch;
  if (threshold != OTTER_CLI_UNSET_DOUBLE)
    config.loss_threshold = threshold;
  if (seed != OTTER_CLI_UNSET_INT)
    config.seed = (guint64) seed;
  config.augment = !no_augment;
  if (augment != NULL || mosaic != OTTER_CLI_UNSET_DOUBLE)
    {
      const char *preset = augment ? augment : g_str_has_prefix (config.data, "demo") ? "flip" : "photos";
      if (g_str_equal (preset, "flip"))
        otter_augment_params_init_flip (&config.augment_params);
      else if (g_str_equal (preset, "photos"))
        otter_augment_params_init_photos (&config.augment_params);
      else
        {
          otter_train_config_clear (&config);
          return otter_cli_usage_fail (_("unknown augmentation “%s” (expected flip or photos)"), preset);
        }
      if (mosaic != OTTER_CLI_UNSET_DOUBLE)
        config.augment_params.mosaic = mosaic;
      config.augment_custom = TRUE;
    }
  if (lr != OTTER_CLI_UNSET_DOUBLE)
    config.train.lr = lr;
  if (reg != OTTER_CLI_UNSET_DOUBLE)
    config.train.ot.reg = reg;
  if (ot_steps != OTTER_CLI_UNSET_INT)
    config.train.ot.steps = ot_steps;
  if (method != NULL && !otter_train_method_from_string (method, &config.train.method))
    exit_code = otter_cli_usage_fail (_("unknown method “%s” (expected ot, standard or pgd)"), method);
  else if (optimizer != NULL && !otter_optimizer_kind_from_string (optimizer, &config.train.optimizer))
    exit_code = otter_cli_usage_fail (_("unknown optimiser “%s” (expected adamw or sgd)"), optimizer);
  else if (epsilon != NULL && !otter_cli_parse_epsilon (epsilon, &config.train.ot.epsilon))
    exit_code = otter_cli_usage_fail (_("--epsilon “%s” is not a budget in [0, 1] (e.g. 8/255)"), epsilon);
  else if (space != NULL && g_strcmp0 (space, "batch") != 0 && g_strcmp0 (space, "spatial") != 0)
    exit_code = otter_cli_usage_fail (_("unknown feature space “%s” (expected batch or spatial)"), space);
  if (exit_code != OTTER_CLI_EXIT_OK)
    {
      otter_train_config_clear (&config);
      return exit_code;
    }
  if (epsilon != NULL)
    config.train.ot.step_size = config.train.ot.epsilon;
  if (space != NULL)
    config.train.ot.space = g_strcmp0 (space, "spatial") == 0 ? OTTER_FEATURE_SPACE_SPATIAL : OTTER_FEATURE_SPACE_BATCH;

  if (!otter_cli_setup_threads (threads, &exit_code))
    {
      otter_train_config_clear (&config);
      return exit_code;
    }
  g_autoptr (OtterTrainer) trainer = resume ? otter_trainer_new_resume (resume) : otter_trainer_new (&config);
  otter_train_config_clear (&config);
  if (run_dir != NULL && resume == NULL)
    otter_trainer_set_run_dir (trainer, run_dir);
  /* A count the user gave is kept as given; otherwise every core is the
   * most the run uses, and fewer when others take some. */
  otter_trainer_set_adaptive_threads (trainer, !otter_cli_threads_given (threads));
  if (distributed)
    otter_trainer_set_distributed (trainer, &place);
  /* Rank 0 speaks for a distributed run; the others only of their failures. */
  gboolean quiet = place.rank != 0;

  g_autoptr (GError) error = NULL;
  if (!otter_trainer_start (trainer, &error))
    return otter_cli_fail ("%s", error->message);

  TrainCli cli = { trainer, g_main_loop_new (NULL, FALSE), FALSE };
  if (!quiet)
    g_signal_connect (trainer, "progress", G_CALLBACK (on_progress), &cli);
  g_signal_connect (trainer, "finished", G_CALLBACK (on_finished), &cli);
  guint sigint = g_unix_signal_add (SIGINT, on_signal, &cli);
  guint sigterm = g_unix_signal_add (SIGTERM, on_signal, &cli);
  g_main_loop_run (cli.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  otter_trainer_wait (trainer);
  g_main_loop_unref (cli.loop);
  otter_cli_progress_end ();

  OtterTrainerState state = otter_trainer_get_state (trainer);
  if (quiet)
    {
      if (state == OTTER_TRAINER_FAILED)
        otter_cli_fail (_("worker %d: %s"), otter_trainer_get_rank (trainer), otter_trainer_get_message (trainer));
      return state == OTTER_TRAINER_CONVERGED ? OTTER_CLI_EXIT_OK
           : state == OTTER_TRAINER_FAILED ? OTTER_CLI_EXIT_FAILED : OTTER_CLI_EXIT_NOT_CONVERGED;
    }
  g_autoptr (GPtrArray) skipped = otter_trainer_dup_skipped (trainer);
  otter_cli_print_skipped (NULL, skipped, _("all of them in the run's metrics.jsonl"));
  otter_cli_hint_outside_root (otter_trainer_get_n_outside_root (trainer));
  g_autoptr (GPtrArray) notes = otter_trainer_dup_notes (trainer);
  otter_cli_print_notes (otter_trainer_get_config (trainer)->data, notes);
  if (state == OTTER_TRAINER_FAILED && otter_trainer_failed_with (trainer, OTTER_ERROR, OTTER_ERROR_OUTSIDE_ROOT))
    otter_cli_fail ("%s (%s)", otter_trainer_get_message (trainer), OTTER_CLI_OUTSIDE_ROOT_HINT);
  else if (state == OTTER_TRAINER_FAILED)
    otter_cli_fail ("%s", otter_trainer_get_message (trainer));
  else
    fprintf (stderr, _("%s\n  run: %s\n"), otter_trainer_get_message (trainer),
             otter_trainer_get_run_dir (trainer) ? otter_trainer_get_run_dir (trainer) : "-");
  if (otter_trainer_get_model_path (trainer))
    fprintf (stderr, _("  model: %s\n"), otter_trainer_get_model_path (trainer));

  if (json)
    {
      g_autoptr (JsonNode) node = result_json (trainer);
      otter_cli_print_json (node);
    }
  return state == OTTER_TRAINER_CONVERGED ? OTTER_CLI_EXIT_OK
       : state == OTTER_TRAINER_FAILED ? OTTER_CLI_EXIT_FAILED : OTTER_CLI_EXIT_NOT_CONVERGED;
}
