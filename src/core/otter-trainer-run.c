/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-trainer-run.c: one training run, on its own thread
 *
 * Load the data, build or restore the model, then epochs of steps. After
 * each epoch the convergence judgement of METHOD.md: the epoch's mean
 * target loss at or below τ stores the model and ends the run; the maximum
 * epoch count ends it as "not converged"; a non-finite loss fails it and
 * leaves the last good checkpoint in place.
 *
 * Distributed (otter-distributed.h), every rank runs this same loop on its
 * shard of each batch: the step averages the gradients over the group, so
 * the losses, the epoch means and hence the convergence judgement are the
 * same on every rank, and all of them stop at the same epoch. Rank 0 alone
 * writes the run folder and validates; the others learn its mAP.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "otter-batch.h"
#include "otter-dataset.h"
#include "otter-evaluator.h"
#include "otter-run.h"
#include "otter-thread-governor.h"
#include "otter-trainer-private.h"

typedef struct
{
  OtterTrainJob    *job;
  OtterTrainerShared *shared;
  OtterDataset     *train;
  OtterDataset     *val;
  OtterTorchModel  *model;
  OtterTorchTrainer *trainer;
  OtterRun         *run;
  GArray           *epochs;          /* OtterEpochPoint, whole history */
  double            best_loss;
  gint64            started_us;
  guint             n_loader_failures;
  GHashTable       *val_failures;    /* reasons already listed: each epoch meets them again */
  OtterThreadGovernor *governor;     /* NULL: the thread count stays fixed */
  OtterTorchGroup  *group;           /* NULL: one process */
  int               rank, world_size;
  int               first_epoch;     /* where this run (or its resumption) starts */
} RunState;

/* ---- publishing --------------------------------------------------------- */

static void
set_state (RunState *rs, OtterTrainerState state, const char *message)
{
  g_mutex_lock (&rs->shared->mutex);
  rs->shared->snap.state = state;
  if (message != NULL)
    {
      g_free (rs->shared->snap.message);
      rs->shared->snap.message = g_strdup (message);
    }
  otter_trainer_shared_publish_locked (rs->shared);
  g_mutex_unlock (&rs->shared->mutex);
}

static void
add_skipped (RunState *rs, const char *reason)
{
  g_mutex_lock (&rs->shared->mutex);
  g_ptr_array_add (rs->shared->skipped, g_strdup (reason));
  rs->shared->snap.n_skipped = rs->shared->skipped->len;
  g_mutex_unlock (&rs->shared->mutex);
}

static void
add_dataset_skips (RunState *rs, OtterDataset *dataset)
{
  const GArray *skipped = otter_dataset_get_skipped (dataset);
  for (guint i = 0; i < skipped->len; i++)
    {
      /* The reason already names the file, relative to the dataset. */
      const OtterSkippedSample *s = &g_array_index (skipped, OtterSkippedSample, i);
      add_skipped (rs, s->reason);
    }
  const GPtrArray *notes = otter_dataset_get_notes (dataset);
  g_mutex_lock (&rs->shared->mutex);
  rs->shared->snap.n_outside_root += otter_dataset_get_n_outside_root (dataset);
  for (guint i = 0; i < notes->len; i++)
    g_ptr_array_add (rs->shared->notes, g_strdup (notes->pdata[i]));
  g_mutex_unlock (&rs->shared->mutex);
}

/* ---- metrics records ---------------------------------------------------- */

static void
add_number (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);   /* JSON has no NaN */
}

static double
elapsed (RunState *rs)
{
  return (g_get_monotonic_time () - rs->started_us) / 1e6;
}

static gboolean
record_end (RunState *rs, OtterTrainerState state, const char *model_path, const char *message,
            GError **error)
{
  const OtterEpochPoint *last = rs->epochs->len
    ? &g_array_index (rs->epochs, OtterEpochPoint, rs->epochs->len - 1) : NULL;
  g_mutex_lock (&rs->shared->mutex);
  g_autoptr (GPtrArray) skipped = g_ptr_array_copy (rs->shared->skipped, (GCopyFunc) g_strdup, NULL);
  g_mutex_unlock (&rs->shared->mutex);
  g_ptr_array_set_free_func (skipped, g_free);
  OtterRunEnd end = {
    .status = (char *) otter_trainer_state_to_string (state),
    .epochs = (int) rs->epochs->len,
    .step = rs->trainer ? otter_torch_trainer_get_step (rs->trainer) : 0,
    .final_loss = last ? last->loss : NAN,
    .model_path = (char *) model_path,
    .message = (char *) message,
    .skipped = skipped,
  };
  return otter_run_append_end (rs->run, &end, error);
}

/* The model's metadata: where it came from and how it did. */
static char *
model_metadata (RunState *rs)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, otter_train_config_to_json (&rs->job->config));
  json_builder_set_member_name (b, "run_dir");
  json_builder_add_string_value (b, otter_run_get_dir (rs->run));
  json_builder_set_member_name (b, "steps");
  json_builder_add_int_value (b, otter_torch_trainer_get_step (rs->trainer));
  json_builder_set_member_name (b, "history");
  json_builder_begin_array (b);
  for (guint i = 0; i < rs->epochs->len; i++)
    {
      const OtterEpochPoint *e = &g_array_index (rs->epochs, OtterEpochPoint, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "epoch");
      json_builder_add_int_value (b, e->epoch);
      add_number (b, "loss", e->loss);
      add_number (b, "l1", e->l1);
      add_number (b, "l2", e->l2);
      add_number (b, "d", e->d);
      add_number (b, "val_map50", e->val_map50);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (rs->epochs->len > 0)
    {
      const OtterEpochPoint *last = &g_array_index (rs->epochs, OtterEpochPoint, rs->epochs->len - 1);
      add_number (b, "final_loss", last->loss);
      add_number (b, "val_map50", last->val_map50);
    }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* ---- preparation -------------------------------------------------------- */

static gboolean
load_data (RunState *rs, GError **error)
{
  OtterTrainConfig *c = &rs->job->config;
  OtterDatasetLoadFlags flags = c->allow_outside_root ? OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT : OTTER_DATASET_LOAD_NONE;
  g_autoptr (OtterDataset) all = otter_dataset_load_with_flags (c->data, flags, rs->job->cancellable, error);
  if (all == NULL)
    return FALSE;
  add_dataset_skips (rs, all);
  if (otter_dataset_get_n_classes (all) == 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_EMPTY_DATASET,
                   _("%s has no boxes to learn from (a plain image folder can only be used for detection)"), c->data);
      return FALSE;
    }
  if (c->val_data != NULL)
    {
      rs->val = otter_dataset_load_with_flags (c->val_data, flags, rs->job->cancellable, error);
      if (rs->val == NULL)
        return FALSE;
      add_dataset_skips (rs, rs->val);
      rs->train = g_steal_pointer (&all);
    }
  else if (c->val_fraction > 0 && g_list_model_get_n_items (G_LIST_MODEL (all)) >= 4)
    {
      if (!otter_dataset_split (all, c->val_fraction, c->seed, &rs->train, &rs->val, error))
        return FALSE;
    }
  else
    rs->train = g_steal_pointer (&all);
  if (g_list_model_get_n_items (G_LIST_MODEL (rs->train)) < 2)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_EMPTY_DATASET,
                   _("%s leaves fewer than two training images"), c->data);
      return FALSE;
    }
  return TRUE;
}

static gboolean
build_model (RunState *rs, gboolean resuming_from_checkpoint, GError **error)
{
  OtterTrainConfig *c = &rs->job->config;
  const char *const *names = otter_dataset_get_class_names (rs->train);

  if (c->init_model != NULL)
    {
      rs->model = otter_torch_model_load (c->init_model, error);
      if (rs->model == NULL)
        return FALSE;
      if (!otter_evaluate_check_classes (rs->model, rs->train, error))
        return FALSE;
      c->input_size = otter_torch_model_get_input_size (rs->model);
      return TRUE;
    }
  rs->model = otter_torch_model_new (c->arch, names, otter_train_config_get_input_size (c), c->seed, error);
  if (rs->model == NULL)
    return FALSE;
  /* A resumed run takes its weights from its checkpoint instead. */
  if (c->backbone_weights != NULL && !resuming_from_checkpoint &&
      !otter_torch_model_load_backbone_weights (rs->model, c->backbone_weights, error))
    return FALSE;
  return TRUE;
}

/* Picks the history up from metrics.jsonl up to the checkpoint's step. */
static gboolean
restore_history (RunState *rs, gint64 step, GError **error)
{
  g_autoptr (OtterRunHistory) history = otter_run_read_history (otter_run_get_dir (rs->run), step, error);
  if (history == NULL)
    return FALSE;
  if (history->n_damaged > 0)
    g_warning ("%s: %u damaged line%s of %s left out of the history", otter_run_get_dir (rs->run),
               history->n_damaged, history->n_damaged == 1 ? "" : "s", OTTER_RUN_METRICS);
  g_mutex_lock (&rs->shared->mutex);
  g_array_append_vals (rs->shared->new_points, history->points->data, history->points->len);
  g_array_append_vals (rs->shared->new_epochs, history->epochs->data, history->epochs->len);
  g_array_append_vals (rs->epochs, history->epochs->data, history->epochs->len);
  for (guint i = 0; i < history->epochs->len; i++)
    {
      double loss = g_array_index (history->epochs, OtterEpochPoint, i).loss;
      if (isfinite (loss))
        rs->best_loss = MIN (rs->best_loss, loss);
    }
  g_mutex_unlock (&rs->shared->mutex);
  return TRUE;
}

/* ---- the loop ----------------------------------------------------------- */

/* Waits while paused; returns FALSE when the run should stop. */
static gboolean
wait_if_paused (RunState *rs)
{
  gboolean keep_going;
  g_mutex_lock (&rs->shared->mutex);
  if (rs->shared->pause_requested && !rs->shared->stop_requested)
    {
      rs->shared->snap.state = OTTER_TRAINER_PAUSED;
      otter_trainer_shared_publish_locked (rs->shared);
      while (rs->shared->pause_requested && !rs->shared->stop_requested)
        g_cond_wait (&rs->shared->cond, &rs->shared->mutex);
      rs->shared->snap.state = OTTER_TRAINER_RUNNING;
      otter_trainer_shared_publish_locked (rs->shared);
    }
  keep_going = !rs->shared->stop_requested;
  g_mutex_unlock (&rs->shared->mutex);
  return keep_going;
}

static void
write_checkpoint (RunState *rs, const char *relative)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = otter_run_dup_path (rs->run, relative);
  g_autofree char *meta = model_metadata (rs);
  /* Written to a temporary file and renamed: a full disk keeps the
   * previous checkpoint. The run goes on; the user is told. */
  if (!otter_torch_trainer_save_checkpoint (rs->trainer, path, meta, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("checkpoint not written (the previous one is kept): %s"),
                                              error->message);
      g_warning ("%s", msg);
      g_mutex_lock (&rs->shared->mutex);
      rs->shared->snap.n_checkpoint_failures++;
      g_free (rs->shared->snap.checkpoint_error);
      rs->shared->snap.checkpoint_error = g_strdup_printf ("%s: %s", relative, error->message);
      g_free (rs->shared->snap.message);
      rs->shared->snap.message = g_steal_pointer (&msg);
      otter_trainer_shared_publish_locked (rs->shared);
      g_mutex_unlock (&rs->shared->mutex);
    }
}

typedef enum { EPOCH_DONE, EPOCH_STOPPED, EPOCH_FAILED } EpochOutcome;

/* ---- the group ---------------------------------------------------------- */

/* Before each step: whether every rank goes on. A stop asked of any rank
 * (Ctrl+C reaches all of a terminal's workers, the app's Stop rank 0)
 * stops all of them at the same step. FALSE with an error when the group
 * is lost. */
static gboolean
all_ranks_go_on (RunState *rs, GError **error)
{
  if (rs->group == NULL)
    return TRUE;
  g_mutex_lock (&rs->shared->mutex);
  double stops = rs->shared->stop_requested ? 1 : 0;
  g_mutex_unlock (&rs->shared->mutex);
  if (!otter_torch_group_sum (rs->group, &stops, 1, error))
    return FALSE;
  if (stops > 0)
    {
      g_mutex_lock (&rs->shared->mutex);
      rs->shared->stop_requested = TRUE;
      g_mutex_unlock (&rs->shared->mutex);
      return FALSE;
    }
  return TRUE;
}

/* Rank 0 validates and tells the others the result, or that it failed;
 * they wait for it however long it takes, as long as rank 0 is there. */
static char *
validation_key (int epoch)
{
  return g_strdup_printf ("validation-%d", epoch + 1);
}

typedef enum { VALIDATION_FAILED, VALIDATION_DONE, VALIDATION_STOPPED } ValidationOutcome;

static gboolean
send_validation (RunState *rs, int epoch, ValidationOutcome outcome, double map50, GError **error)
{
  if (rs->group == NULL)
    return TRUE;
  double values[2] = { outcome, outcome == VALIDATION_DONE ? map50 : 0 };
  g_autofree char *key = validation_key (epoch);
  return otter_torch_group_publish (rs->group, key, values, 2, error);
}

static EpochOutcome
receive_validation (RunState *rs, int epoch, OtterEpochPoint *out, GError **error)
{
  double values[2] = { 0, 0 };
  g_autofree char *key = validation_key (epoch);
  g_autoptr (GError) local = NULL;
  if (!otter_torch_group_await (rs->group, key, values, 2, rs->job->cancellable, &local))
    {
      EpochOutcome outcome = g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? EPOCH_STOPPED : EPOCH_FAILED;
      g_propagate_error (error, g_steal_pointer (&local));
      return outcome;
    }
  if (values[0] == VALIDATION_STOPPED)
    return EPOCH_STOPPED;
  if (values[0] != VALIDATION_DONE)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_RUN,
                   _("validation after epoch %d failed on rank 0 (its log says why)"), epoch + 1);
      return EPOCH_FAILED;
    }
  out->val_map50 = values[1];
  return EPOCH_DONE;
}

static EpochOutcome
run_epoch (RunState *rs, OtterBatchLoader *loader, int epoch, OtterEpochPoint *out, GError **error)
{
  OtterTrainConfig *c = &rs->job->config;
  double sum_loss = 0, sum_l1 = 0, sum_l2 = 0, sum_d = 0;
  int n_steps = 0, steps_per_epoch = otter_batch_loader_get_n_batches (loader);
  gint64 epoch_start = g_get_monotonic_time ();
  double ips = 0;

  otter_torch_trainer_set_backbone_frozen (rs->trainer, epoch < c->freeze_backbone_epochs);
  otter_batch_loader_start_epoch (loader, epoch);
  for (;;)
    {
      g_autoptr (GError) local = NULL;
      if (!all_ranks_go_on (rs, &local))
        {
          if (local == NULL)
            return EPOCH_STOPPED;
          g_propagate_error (error, g_steal_pointer (&local));
          return EPOCH_FAILED;
        }
      /* a stop of a distributed run waits for the group's agreement above */
      if (!wait_if_paused (rs) && rs->group == NULL)
        return EPOCH_STOPPED;
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (OtterBatch) batch = otter_batch_loader_next (loader, rs->job->cancellable, &local);
      if (batch == NULL)
        {
          if (local == NULL)
            break;                                /* end of the epoch */
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return EPOCH_STOPPED;
          g_propagate_error (error, g_steal_pointer (&local));
          return EPOCH_FAILED;
        }

      OtterTorchStepResult r;
      gint64 step = otter_torch_trainer_get_step (rs->trainer);
      /* each rank perturbs its own images from a draw of its own */
      guint64 step_seed = c->seed * 1000003u + (guint64) step + (guint64) rs->rank * 0x9e3779b97f4a7c15ull;
      if (rs->governor != NULL)
        otter_thread_governor_begin_step (rs->governor);
      gint64 step_start = g_get_monotonic_time ();
      if (!otter_torch_trainer_step (rs->trainer, &batch->view, step_seed, &r, error))
        return EPOCH_FAILED;
      if (rs->governor != NULL)
        otter_thread_governor_end_step (rs->governor, (g_get_monotonic_time () - step_start) / 1e6, batch->n);

      double seconds = (g_get_monotonic_time () - t0) / 1e6;
      double now_ips = batch->n * rs->world_size / MAX (seconds, 1e-6);   /* of the whole group */
      ips = ips > 0 ? 0.8 * ips + 0.2 * now_ips : now_ips;   /* smoothed for display */
      OtterTrainPoint p = { step + 1, epoch + 1, r.l1, r.l2, r.loss, r.d, r.lr };
      if (rs->run != NULL && !otter_run_append_step (rs->run, &p, now_ips, elapsed (rs), error))
        return EPOCH_FAILED;
      n_steps++;
      sum_loss += r.loss;
      sum_l1 += r.l1;
      sum_l2 += r.l2;
      sum_d += r.d;

      double per_step = (g_get_monotonic_time () - epoch_start) / 1e6 / n_steps;
      gint64 remaining = (gint64) (c->max_epochs - epoch - 1) * steps_per_epoch + (steps_per_epoch - n_steps);
      g_mutex_lock (&rs->shared->mutex);
      OtterTrainerSnapshot *s = &rs->shared->snap;
      s->state = OTTER_TRAINER_RUNNING;
      s->epoch = epoch + 1;
      s->step = p.step;
      s->step_in_epoch = n_steps;
      s->steps_per_epoch = steps_per_epoch;
      s->loss = r.loss;
      s->l1 = r.l1;
      s->l2 = r.l2;
      s->d = r.d;
      s->lr = r.lr;
      s->images_per_second = ips;
      s->eta_seconds = remaining * per_step;
      s->world_size = rs->world_size;
      if (rs->group != NULL)
        {
          gint64 n_exchanges = 0;
          double exchanging = otter_torch_group_get_reduce_seconds (rs->group, &n_exchanges);
          /* two per step: the gradients, then the batch-norm statistics */
          s->exchange_seconds = n_exchanges > 0 ? 2 * exchanging / n_exchanges : 0;
        }
      g_array_append_val (rs->shared->new_points, p);
      otter_trainer_shared_publish_locked (rs->shared);
      g_mutex_unlock (&rs->shared->mutex);
    }

  if (n_steps == 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_EMPTY_DATASET, _("epoch %d had no batch to train on"), epoch + 1);
      return EPOCH_FAILED;
    }
  out->epoch = epoch + 1;
  out->step = otter_torch_trainer_get_step (rs->trainer);
  out->loss = sum_loss / n_steps;
  out->l1 = sum_l1 / n_steps;
  out->l2 = sum_l2 / n_steps;
  out->d = sum_d / n_steps;
  out->seconds = (g_get_monotonic_time () - epoch_start) / 1e6;
  out->val_map50 = NAN;
  if (rs->val != NULL && rs->rank != 0)
    return receive_validation (rs, epoch, out, error);
  if (rs->val != NULL)
    {
      /* Validation judges the weights that would be stored: the moving
       * average when there is one. */
      g_autoptr (GError) local = NULL;
      g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
      gboolean swapped = otter_torch_trainer_swap_ema (rs->trainer);
      g_autoptr (OtterMapResult) map = otter_evaluate (rs->model, rs->val, NULL, c->batch_size, c->seed,
                                                       rs->job->cancellable, NULL, NULL, failures, &local);
      if (swapped)
        otter_torch_trainer_swap_ema (rs->trainer);
      /* the mAP leaves out images that would not decode: they are listed
       * with the skipped samples, once, so the number says what it covers */
      for (guint i = 0; i < failures->len; i++)
        if (g_hash_table_add (rs->val_failures, g_strdup (failures->pdata[i])))
          add_skipped (rs, failures->pdata[i]);
      if (map == NULL && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          send_validation (rs, epoch, VALIDATION_STOPPED, NAN, NULL);
          return EPOCH_STOPPED;
        }
      if (map == NULL)
        {
          /* A missing number would read as "no validation set"; the
           * epoch's checkpoint is kept, so the run can be resumed. */
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_RUN, _("validation after epoch %d failed: %s"),
                       epoch + 1, local ? local->message : _("unknown error"));
          send_validation (rs, epoch, VALIDATION_FAILED, NAN, NULL);
          return EPOCH_FAILED;
        }
      out->val_map50 = map->map50;
      if (!send_validation (rs, epoch, VALIDATION_DONE, map->map50, error))
        return EPOCH_FAILED;
    }
  return EPOCH_DONE;
}

static OtterTrainerState
train (RunState *rs, char **model_path, GError **error)
{
  OtterTrainConfig *c = &rs->job->config;
  double threshold = otter_train_config_get_threshold (c);
  OtterAugmentParams augment;
  otter_train_config_get_augment (c, &augment);
  g_autoptr (OtterBatchLoader) loader =
    otter_batch_loader_new (rs->train, otter_torch_model_get_input_size (rs->model), c->batch_size,
                            TRUE, &augment, c->seed, 3);
  if (rs->world_size > 1)
    otter_batch_loader_set_shard (loader, rs->rank, rs->world_size);
  int start_epoch = rs->first_epoch;

  for (int epoch = start_epoch; epoch < c->max_epochs; epoch++)
    {
      OtterEpochPoint e;
      switch (run_epoch (rs, loader, epoch, &e, error))
        {
        case EPOCH_STOPPED:
          return OTTER_TRAINER_STOPPED;
        case EPOCH_FAILED:
          return OTTER_TRAINER_FAILED;
        case EPOCH_DONE:
        default:
          break;
        }
      /* Images that failed to decode mid-run (e.g. truncated files) join
       * the list of skipped samples. */
      g_autoptr (GPtrArray) failures = otter_batch_loader_dup_failures (loader);
      for (guint i = rs->n_loader_failures; i < failures->len; i++)
        add_skipped (rs, failures->pdata[i]);
      rs->n_loader_failures = failures->len;
      g_array_append_val (rs->epochs, e);
      if (rs->run != NULL && !otter_run_append_epoch (rs->run, &e, elapsed (rs), error))
        return OTTER_TRAINER_FAILED;

      g_mutex_lock (&rs->shared->mutex);
      rs->shared->snap.epoch_loss = e.loss;
      rs->shared->snap.val_map50 = e.val_map50;
      g_array_append_val (rs->shared->new_epochs, e);
      otter_trainer_shared_publish_locked (rs->shared);
      g_mutex_unlock (&rs->shared->mutex);

      if (rs->run != NULL &&
          ((epoch + 1) % c->checkpoint_every == 0 || e.loss <= threshold || epoch + 1 == c->max_epochs))
        write_checkpoint (rs, OTTER_RUN_LAST);
      if (e.loss < rs->best_loss)
        {
          rs->best_loss = e.loss;
          if (rs->run != NULL)
            write_checkpoint (rs, OTTER_RUN_BEST);
        }

      if (e.loss <= threshold && rs->run == NULL)
        return OTTER_TRAINER_CONVERGED;     /* rank 0 stores the model */
      if (e.loss <= threshold)
        {
          g_autofree char *path = otter_run_dup_path (rs->run, OTTER_RUN_MODEL);
          g_autofree char *meta = model_metadata (rs);
          gboolean swapped = otter_torch_trainer_swap_ema (rs->trainer);
          gboolean saved = otter_torch_model_save (rs->model, path, meta, error);
          if (swapped)
            otter_torch_trainer_swap_ema (rs->trainer);
          if (!saved)
            return OTTER_TRAINER_FAILED;
          *model_path = g_steal_pointer (&path);
          return OTTER_TRAINER_CONVERGED;
        }
    }
  return OTTER_TRAINER_NOT_CONVERGED;
}

/* The last checkpoint, or the best one when the last is damaged (a disk
 * that filled, a copy cut short): training goes back to the best epoch,
 * which loses a few epochs instead of the run. */
static gboolean
load_checkpoint_or_best (RunState   *rs,
                         const char *last,
                         GError    **error)
{
  g_autoptr (GError) last_error = NULL;
  if (otter_torch_trainer_load_checkpoint (rs->trainer, last, &last_error))
    return TRUE;
  g_autofree char *best = otter_run_dup_path (rs->run, OTTER_RUN_BEST);
  if (!g_error_matches (last_error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_CORRUPT) ||
      !g_file_test (best, G_FILE_TEST_IS_REGULAR) ||
      !otter_torch_trainer_load_checkpoint (rs->trainer, best, NULL))
    {
      g_propagate_error (error, g_steal_pointer (&last_error));
      return FALSE;
    }
  g_autofree char *message = g_strdup_printf (_("resumed from best.ckpt (step %" PRId64 "): %s"),
                                              otter_torch_trainer_get_step (rs->trainer), last_error->message);
  /* the status line tells the user; the log keeps it */
  g_message ("%s", message);
  g_mutex_lock (&rs->shared->mutex);
  g_free (rs->shared->snap.message);
  rs->shared->snap.message = g_steal_pointer (&message);
  g_mutex_unlock (&rs->shared->mutex);
  return TRUE;
}

/* What every rank must agree on before training together: the data as
 * loaded (not its path, which may differ between hosts), the model and
 * every setting. */
static char *
agreement_text (RunState *rs)
{
  OtterTrainConfig c;
  otter_train_config_copy (&c, &rs->job->config);
  g_free (c.data);
  c.data = g_strdup (g_str_has_prefix (rs->job->config.data, "demo") ? rs->job->config.data : "");
  g_clear_pointer (&c.val_data, g_free);
  g_clear_pointer (&c.init_model, g_free);
  g_clear_pointer (&c.backbone_weights, g_free);
  g_autoptr (JsonNode) node = otter_train_config_to_json (&c);
  otter_train_config_clear (&c);
  g_autofree char *settings = json_to_string (node, FALSE);
  g_autofree char *classes = g_strjoinv ("|", (char **) otter_dataset_get_class_names (rs->train));
  return g_strdup_printf ("%u train, %u val images; classes %s; %" G_GINT64_FORMAT " parameters; %s",
                          g_list_model_get_n_items (G_LIST_MODEL (rs->train)),
                          rs->val ? g_list_model_get_n_items (G_LIST_MODEL (rs->val)) : 0, classes,
                          otter_torch_model_get_n_params (rs->model), settings);
}

/* Joins the group of a distributed run. */
static gboolean
join_group (RunState *rs, GError **error)
{
  OtterTrainJob *job = rs->job;
  const OtterDistributedParams *d = job->distributed;
  if (d == NULL)
    {
      rs->world_size = 1;
      return TRUE;
    }
  rs->rank = d->rank;
  rs->world_size = d->world_size;
  rs->group = otter_torch_group_new (d->master_addr, d->master_port, d->rank, d->world_size,
                                     d->timeout_seconds, error);
  return rs->group != NULL;
}

/* After rank 0 opened the run folder: its settings, which the other ranks
 * of a resumed run take, and those started to follow rank 0. */
static gboolean
join_group_settings (RunState *rs, GError **error)
{
  OtterTrainJob *job = rs->job;
  g_autofree char *mine = NULL;
  if (rs->rank == 0)
    {
      g_autoptr (JsonNode) node = otter_train_config_to_json (&job->config);
      mine = json_to_string (node, FALSE);
    }
  g_autofree char *shared = NULL;
  if (!otter_torch_group_share_text (rs->group, "settings", mine, &shared, error))
    return FALSE;
  if (rs->rank == 0 || (job->resume_dir == NULL && !job->distributed->settings_from_rank0))
    return TRUE;
  g_autoptr (JsonNode) node = json_from_string (shared, error);
  otter_train_config_clear (&job->config);
  otter_train_config_init (&job->config);
  return node != NULL && otter_train_config_from_json (&job->config, node, error);
}

/* The batch is the group's: each rank trains an equal part of it. */
static gboolean
check_batch_split (RunState *rs, GError **error)
{
  const OtterTrainConfig *c = &rs->job->config;
  if (rs->world_size == 1)
    return TRUE;
  if (c->batch_size % rs->world_size != 0 || c->batch_size / rs->world_size < 2)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("a batch of %d images does not split into %d equal parts of at least two images "
                     "(batch norm needs two): choose a batch size that is a multiple of %d and at least %d"),
                   c->batch_size, rs->world_size, rs->world_size, 2 * rs->world_size);
      return FALSE;
    }
  if (g_list_model_get_n_items (G_LIST_MODEL (rs->train)) < (guint) c->batch_size)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_EMPTY_DATASET,
                   _("%s has fewer training images than one batch of %d, which the %d processes share"),
                   c->data, c->batch_size, rs->world_size);
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare (RunState *rs, GError **error)
{
  OtterTrainJob *job = rs->job;
  gint64 resume_step = -1;

  if (!join_group (rs, error))
    return FALSE;
  if (job->resume_dir != NULL && rs->rank == 0)
    {
      rs->run = otter_run_open (job->resume_dir, &job->config, error);
      if (rs->run == NULL)
        return FALSE;
    }
  if (rs->group != NULL && !join_group_settings (rs, error))
    return FALSE;
  g_autofree char *last_checkpoint = rs->run != NULL ? otter_run_dup_path (rs->run, OTTER_RUN_LAST) : NULL;
  gboolean has_checkpoint = last_checkpoint != NULL && g_file_test (last_checkpoint, G_FILE_TEST_EXISTS);
  if (!load_data (rs, error) || !build_model (rs, has_checkpoint || rs->rank != 0, error))
    return FALSE;

  OtterTrainConfig *c = &job->config;
  if (!check_batch_split (rs, error))
    return FALSE;
  if (rs->group != NULL)
    {
      g_autofree char *agreement = agreement_text (rs);
      if (!otter_torch_group_check_same (rs->group, _("the data, model and settings"), agreement, error))
        return FALSE;
    }
  c->world_size = rs->world_size;
  int steps_per_epoch = 0;
  {
    /* The schedule spans the longest possible run. */
    guint n = g_list_model_get_n_items (G_LIST_MODEL (rs->train));
    steps_per_epoch = MAX (1, (int) otter_batches_per_epoch_sharded (n, c->batch_size, rs->world_size));
    c->train.total_steps = (gint64) steps_per_epoch * c->max_epochs;
    c->train.warmup_steps = MIN (c->train.warmup_steps, c->train.total_steps / 5);
    c->train.lr = otter_train_config_get_lr (c);
    c->train.ema_decay = otter_train_config_get_ema_decay (c);
    c->train.backbone_lr_scale = otter_train_config_get_backbone_lr_scale (c);
  }
  rs->trainer = otter_torch_trainer_new (rs->model, &c->train, error);
  if (rs->trainer == NULL)
    return FALSE;
  otter_torch_trainer_set_group (rs->trainer, rs->group);

  if (job->resume_dir != NULL && rs->rank == 0)
    {
      g_autofree char *last = otter_run_dup_path (rs->run, OTTER_RUN_LAST);
      if (g_file_test (last, G_FILE_TEST_EXISTS))
        {
          if (!load_checkpoint_or_best (rs, last, error))
            return FALSE;
          resume_step = otter_torch_trainer_get_step (rs->trainer);
        }
      else
        resume_step = 0;
      /* Lines written after the checkpoint belong to an epoch that will
       * be trained again. */
      if (!otter_run_truncate (rs->run, resume_step, error))
        return FALSE;
      if (!restore_history (rs, resume_step, error))
        return FALSE;
      /* a run resumed by another number of processes says so */
      if (!otter_run_update_config (rs->run, c, error))
        return FALSE;
    }
  else if (rs->rank == 0)
    {
      rs->run = otter_run_create (job->run_dir, c, error);
      if (rs->run == NULL)
        return FALSE;
    }
  rs->first_epoch = rs->epochs->len;
  if (rs->group != NULL)
    {
      /* Every rank starts from rank 0's weights, optimiser state and
       * step, and at its epoch. */
      double start[2] = { rs->first_epoch, isfinite (rs->best_loss) ? rs->best_loss : -1 };
      if (rs->rank != 0)
        start[0] = start[1] = 0;
      if (!otter_torch_trainer_broadcast_state (rs->trainer, error) ||
          !otter_torch_group_sum (rs->group, start, 2, error))
        return FALSE;
      rs->first_epoch = (int) start[0];
      if (start[1] >= 0)
        rs->best_loss = start[1];
      resume_step = otter_torch_trainer_get_step (rs->trainer);
    }

  g_mutex_lock (&rs->shared->mutex);
  OtterTrainerSnapshot *s = &rs->shared->snap;
  g_free (s->run_dir);
  s->run_dir = rs->run != NULL ? g_strdup (otter_run_get_dir (rs->run)) : NULL;
  s->max_epochs = c->max_epochs;
  s->threshold = otter_train_config_get_threshold (c);
  s->steps_per_epoch = steps_per_epoch;
  s->epoch = rs->first_epoch;
  s->step = MAX (resume_step, 0);
  if (rs->epochs->len > 0)
    s->epoch_loss = g_array_index (rs->epochs, OtterEpochPoint, rs->epochs->len - 1).loss;
  otter_trainer_shared_publish_locked (rs->shared);
  g_mutex_unlock (&rs->shared->mutex);
  return TRUE;
}

static const char *
final_message (OtterTrainerState state, RunState *rs, GError *error, char **owned)
{
  const OtterTrainConfig *c = &rs->job->config;
  switch (state)
    {
    case OTTER_TRAINER_CONVERGED:
      *owned = g_strdup_printf (_("converged at epoch %u (mean loss %.4f ≤ τ = %.4g); model stored"),
                                rs->epochs->len,
                                g_array_index (rs->epochs, OtterEpochPoint, rs->epochs->len - 1).loss,
                                otter_train_config_get_threshold (c));
      break;
    case OTTER_TRAINER_NOT_CONVERGED:
      *owned = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "stopped, not converged: %d epoch without reaching τ = %.4g",
                                             "stopped, not converged: %d epochs without reaching τ = %.4g",
                                             c->max_epochs),
                                c->max_epochs, otter_train_config_get_threshold (c));
      break;
    case OTTER_TRAINER_STOPPED:
      *owned = g_strdup (_("stopped by the user before converging"));
      break;
    case OTTER_TRAINER_FAILED:
    default:
      {
        const char *why = error ? error->message : _("unknown error");

        if (error && g_error_matches (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NON_FINITE))
          *owned = g_strdup_printf (_("failed: %s (the last good checkpoint was kept)"), why);
        else
          *owned = g_strdup_printf (_("failed: %s"), why);
      }
      break;
    }
  return *owned;
}

gpointer
otter_trainer_run_thread (gpointer data)
{
  OtterTrainJob *job = data;
  RunState rs = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *model_path = NULL;
  g_autofree char *message = NULL;
  OtterTrainerState state;

  rs.job = job;
  rs.val_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rs.shared = job->shared;
  rs.epochs = g_array_new (FALSE, FALSE, sizeof (OtterEpochPoint));
  rs.best_loss = INFINITY;
  rs.started_us = g_get_monotonic_time ();
  if (job->n_threads > 0)
    otter_torch_set_threads (job->n_threads);
  if (job->adaptive_threads)
    rs.governor = otter_thread_governor_new (otter_torch_get_threads ());

  if (!prepare (&rs, &error))
    state = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? OTTER_TRAINER_STOPPED : OTTER_TRAINER_FAILED;
  else
    state = train (&rs, &model_path, &error);

  /* Ranks that ended together leave together: rank 0 (whose store holds
   * the last validation result) must not go before the others read it. */
  if (rs.group != NULL && state != OTTER_TRAINER_FAILED)
    {
      g_autoptr (GError) leave_error = NULL;
      double nothing = 0;
      if (!otter_torch_group_sum (rs.group, &nothing, 1, &leave_error))
        g_warning ("%s", leave_error->message);
    }
  final_message (state, &rs, error, &message);
  /* The outcome stands, but a run that could not keep its checkpoints
   * cannot be resumed from where it ended: the last word says so. */
  g_mutex_lock (&rs.shared->mutex);
  guint n_checkpoint_failures = rs.shared->snap.n_checkpoint_failures;
  g_autofree char *checkpoint_error = g_strdup (rs.shared->snap.checkpoint_error);
  g_mutex_unlock (&rs.shared->mutex);
  if (n_checkpoint_failures > 0)
    {
      g_autofree char *with_checkpoints = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                        "%s; %u checkpoint could not be written (last: %s)",
                                                                        "%s; %u checkpoints could not be written (last: %s)",
                                                                        n_checkpoint_failures),
                                                           message, n_checkpoint_failures, checkpoint_error);
      g_free (message);
      message = g_steal_pointer (&with_checkpoints);
    }
  g_autoptr (GError) end_error = NULL;
  if (rs.run != NULL && !record_end (&rs, state, model_path, message, &end_error))
    {
      /* The outcome stands, but the run folder will look interrupted. */
      g_warning ("%s", end_error->message);
      g_autofree char *with_warning = g_strdup_printf (_("%s; the run's end record could not be written: %s"),
                                                      message, end_error->message);
      g_free (message);
      message = g_steal_pointer (&with_warning);
    }

  g_mutex_lock (&rs.shared->mutex);
  g_free (rs.shared->snap.model_path);
  rs.shared->snap.model_path = g_strdup (model_path);
  if (state == OTTER_TRAINER_FAILED && error != NULL)
    {
      rs.shared->snap.error_domain = error->domain;
      rs.shared->snap.error_code = error->code;
    }
  g_mutex_unlock (&rs.shared->mutex);
  set_state (&rs, state, message);

  g_clear_pointer (&rs.trainer, otter_torch_trainer_free);
  g_clear_pointer (&rs.model, otter_torch_model_free);
  g_clear_pointer (&rs.run, otter_run_free);
  g_clear_object (&rs.train);
  g_clear_object (&rs.val);
  g_clear_pointer (&rs.val_failures, g_hash_table_unref);
  g_clear_pointer (&rs.governor, otter_thread_governor_free);
  g_clear_pointer (&rs.group, otter_torch_group_free);
  g_array_unref (rs.epochs);
  otter_trainer_shared_unref (job->shared);
  g_object_unref (job->cancellable);
  otter_train_config_clear (&job->config);
  g_free (job->resume_dir);
  g_free (job->run_dir);
  if (job->distributed != NULL)
    otter_distributed_params_clear (job->distributed);
  g_free (job->distributed);
  g_free (job);
  return NULL;
}
