/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-trainer.c: the trainer object and the main-thread side of a run
 *
 * The run itself (otter-trainer-run.c) happens on one dedicated thread. It
 * writes progress into a snapshot under a mutex; at most one low-priority
 * timeout is pending to carry it to the main thread, so the UI sees at most
 * about ten updates a second however fast the steps are.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "otter-trainer-private.h"

enum
{
  PROP_0,
  PROP_STATE,
  PROP_EPOCH,
  PROP_MAX_EPOCHS,
  PROP_STEP,
  PROP_STEP_IN_EPOCH,
  PROP_STEPS_PER_EPOCH,
  PROP_LOSS,
  PROP_L1,
  PROP_L2,
  PROP_DISTANCE,
  PROP_LR,
  PROP_EPOCH_LOSS,
  PROP_THRESHOLD,
  PROP_IMAGES_PER_SECOND,
  PROP_ETA_SECONDS,
  PROP_VAL_MAP50,
  PROP_MESSAGE,
  PROP_RUN_DIR,
  PROP_MODEL_PATH,
  PROP_N_SKIPPED,
  PROP_PROGRESS,
  N_PROPS
};

enum
{
  PROGRESS,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OtterTrainer, otter_trainer, G_TYPE_OBJECT)

const char *
otter_trainer_state_to_string (OtterTrainerState state)
{
  GEnumClass *klass = g_type_class_ref (OTTER_TYPE_TRAINER_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);
  /* A static type's class and strings stay after the reference goes. */
  g_type_class_unref (klass);
  g_return_val_if_fail (value != NULL, NULL);
  return value->value_nick;
}

gboolean
otter_trainer_state_is_final (OtterTrainerState state)
{
  return state >= OTTER_TRAINER_CONVERGED;
}

/* ---- shared state ------------------------------------------------------- */

static void
snapshot_clear (OtterTrainerSnapshot *s)
{
  g_clear_pointer (&s->message, g_free);
  g_clear_pointer (&s->run_dir, g_free);
  g_clear_pointer (&s->model_path, g_free);
  g_clear_pointer (&s->checkpoint_error, g_free);
}

static void
snapshot_copy (OtterTrainerSnapshot *dest, const OtterTrainerSnapshot *src)
{
  snapshot_clear (dest);
  *dest = *src;
  dest->message = g_strdup (src->message);
  dest->run_dir = g_strdup (src->run_dir);
  dest->model_path = g_strdup (src->model_path);
  dest->checkpoint_error = g_strdup (src->checkpoint_error);
}

static void
shared_free (OtterTrainerShared *shared)
{
  g_mutex_clear (&shared->mutex);
  g_cond_clear (&shared->cond);
  snapshot_clear (&shared->snap);
  g_array_unref (shared->new_points);
  g_array_unref (shared->new_epochs);
  g_ptr_array_unref (shared->skipped);
  g_ptr_array_unref (shared->notes);
  g_weak_ref_clear (&shared->owner);
}

OtterTrainerShared *
otter_trainer_shared_ref (OtterTrainerShared *shared)
{
  return g_atomic_rc_box_acquire (shared);
}

void
otter_trainer_shared_unref (OtterTrainerShared *shared)
{
  g_atomic_rc_box_release_full (shared, (GDestroyNotify) shared_free);
}

static gboolean deliver_cb (gpointer data);

/* Called by the worker with the mutex held. */
void
otter_trainer_shared_publish_locked (OtterTrainerShared *shared)
{
  if (shared->delivery_pending)
    return;
  shared->delivery_pending = TRUE;
  g_timeout_add_full (G_PRIORITY_LOW, 100, deliver_cb,
                      otter_trainer_shared_ref (shared),
                      (GDestroyNotify) otter_trainer_shared_unref);
}

/* ---- delivery on the main thread ---------------------------------------- */

static void
notify_if (OtterTrainer *self, gboolean changed, int prop)
{
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
deliver (OtterTrainer *self)
{
  OtterTrainerShared *shared = self->shared;
  OtterTrainerSnapshot old = { 0 };
  gboolean got_points, got_epochs;

  snapshot_copy (&old, &self->view);
  g_mutex_lock (&shared->mutex);
  shared->delivery_pending = FALSE;
  snapshot_copy (&self->view, &shared->snap);
  got_points = shared->new_points->len > 0;
  got_epochs = shared->new_epochs->len > 0;
  g_array_append_vals (self->points, shared->new_points->data, shared->new_points->len);
  g_array_set_size (shared->new_points, 0);
  g_array_append_vals (self->epochs, shared->new_epochs->data, shared->new_epochs->len);
  g_array_set_size (shared->new_epochs, 0);
  g_ptr_array_set_size (self->skipped, 0);
  for (guint i = 0; i < shared->skipped->len; i++)
    g_ptr_array_add (self->skipped, g_strdup (shared->skipped->pdata[i]));
  g_mutex_unlock (&shared->mutex);

  const OtterTrainerSnapshot *s = &self->view;
  g_object_freeze_notify (G_OBJECT (self));
  notify_if (self, old.state != s->state, PROP_STATE);
  notify_if (self, old.epoch != s->epoch, PROP_EPOCH);
  notify_if (self, old.max_epochs != s->max_epochs, PROP_MAX_EPOCHS);
  notify_if (self, old.step != s->step, PROP_STEP);
  notify_if (self, old.step_in_epoch != s->step_in_epoch, PROP_STEP_IN_EPOCH);
  notify_if (self, old.steps_per_epoch != s->steps_per_epoch, PROP_STEPS_PER_EPOCH);
  notify_if (self, old.loss != s->loss, PROP_LOSS);
  notify_if (self, old.l1 != s->l1, PROP_L1);
  notify_if (self, old.l2 != s->l2, PROP_L2);
  notify_if (self, old.d != s->d, PROP_DISTANCE);
  notify_if (self, old.lr != s->lr, PROP_LR);
  notify_if (self, old.epoch_loss != s->epoch_loss, PROP_EPOCH_LOSS);
  notify_if (self, old.threshold != s->threshold, PROP_THRESHOLD);
  notify_if (self, old.images_per_second != s->images_per_second, PROP_IMAGES_PER_SECOND);
  notify_if (self, old.eta_seconds != s->eta_seconds, PROP_ETA_SECONDS);
  notify_if (self, old.val_map50 != s->val_map50, PROP_VAL_MAP50);
  notify_if (self, g_strcmp0 (old.message, s->message) != 0, PROP_MESSAGE);
  notify_if (self, g_strcmp0 (old.run_dir, s->run_dir) != 0, PROP_RUN_DIR);
  notify_if (self, g_strcmp0 (old.model_path, s->model_path) != 0, PROP_MODEL_PATH);
  notify_if (self, old.n_skipped != s->n_skipped, PROP_N_SKIPPED);
  notify_if (self, old.step_in_epoch != s->step_in_epoch || old.epoch != s->epoch || old.state != s->state ||
                   old.steps_per_epoch != s->steps_per_epoch, PROP_PROGRESS);
  g_object_thaw_notify (G_OBJECT (self));
  snapshot_clear (&old);

  if (got_points || got_epochs)
    g_signal_emit (self, signals[PROGRESS], 0);
  if (otter_trainer_state_is_final (s->state) && !self->finished_emitted)
    {
      self->finished_emitted = TRUE;
      g_signal_emit (self, signals[FINISHED], 0);
    }
}

static gboolean
deliver_cb (gpointer data)
{
  OtterTrainerShared *shared = data;
  g_autoptr (OtterTrainer) self = g_weak_ref_get (&shared->owner);
  if (self != NULL)
    deliver (self);
  return G_SOURCE_REMOVE;
}

/* ---- GObject ------------------------------------------------------------ */

static void
otter_trainer_dispose (GObject *object)
{
  OtterTrainer *self = OTTER_TRAINER (object);

  /* The worker owns its job, the shared state and the cancellable, so it
   * can wind down on its own: joining here would hold the main loop for
   * the rest of a training step. Whoever needs the run's end (the
   * application, for a run kept in the background) keeps a reference
   * until "finished". */
  if (self->thread != NULL)
    {
      otter_trainer_stop (self);
      g_thread_unref (g_steal_pointer (&self->thread));
    }
  G_OBJECT_CLASS (otter_trainer_parent_class)->dispose (object);
}

static void
otter_trainer_finalize (GObject *object)
{
  OtterTrainer *self = OTTER_TRAINER (object);

  g_weak_ref_set (&self->shared->owner, NULL);
  otter_trainer_shared_unref (self->shared);
  g_clear_object (&self->cancellable);
  otter_train_config_clear (&self->config);
  g_free (self->resume_dir);
  g_free (self->run_dir);
  if (self->distributed != NULL)
    otter_distributed_params_clear (self->distributed);
  g_free (self->distributed);
  snapshot_clear (&self->view);
  g_array_unref (self->points);
  g_array_unref (self->epochs);
  g_ptr_array_unref (self->skipped);
  G_OBJECT_CLASS (otter_trainer_parent_class)->finalize (object);
}

static void
otter_trainer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  OtterTrainer *self = OTTER_TRAINER (object);
  const OtterTrainerSnapshot *s = &self->view;

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_enum (value, s->state); break;
    case PROP_EPOCH: g_value_set_int (value, s->epoch); break;
    case PROP_MAX_EPOCHS: g_value_set_int (value, s->max_epochs); break;
    case PROP_STEP: g_value_set_int64 (value, s->step); break;
    case PROP_STEP_IN_EPOCH: g_value_set_int (value, s->step_in_epoch); break;
    case PROP_STEPS_PER_EPOCH: g_value_set_int (value, s->steps_per_epoch); break;
    case PROP_LOSS: g_value_set_double (value, s->loss); break;
    case PROP_L1: g_value_set_double (value, s->l1); break;
    case PROP_L2: g_value_set_double (value, s->l2); break;
    case PROP_DISTANCE: g_value_set_double (value, s->d); break;
    case PROP_LR: g_value_set_double (value, s->lr); break;
    case PROP_EPOCH_LOSS: g_value_set_double (value, s->epoch_loss); break;
    case PROP_THRESHOLD: g_value_set_double (value, s->threshold); break;
    case PROP_IMAGES_PER_SECOND: g_value_set_double (value, s->images_per_second); break;
    case PROP_ETA_SECONDS: g_value_set_double (value, s->eta_seconds); break;
    case PROP_VAL_MAP50: g_value_set_double (value, s->val_map50); break;
    case PROP_MESSAGE: g_value_set_string (value, s->message); break;
    case PROP_RUN_DIR: g_value_set_string (value, s->run_dir); break;
    case PROP_MODEL_PATH: g_value_set_string (value, s->model_path); break;
    case PROP_N_SKIPPED: g_value_set_uint (value, s->n_skipped); break;
    case PROP_PROGRESS: g_value_set_double (value, otter_trainer_get_progress (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RO (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static void
otter_trainer_class_init (OtterTrainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = otter_trainer_dispose;
  object_class->finalize = otter_trainer_finalize;
  object_class->get_property = otter_trainer_get_property;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, OTTER_TYPE_TRAINER_STATE,
                                              OTTER_TRAINER_IDLE, RO);
  properties[PROP_EPOCH] = g_param_spec_int ("epoch", NULL, NULL, 0, G_MAXINT, 0, RO);
  properties[PROP_MAX_EPOCHS] = g_param_spec_int ("max-epochs", NULL, NULL, 0, G_MAXINT, 0, RO);
  properties[PROP_STEP] = g_param_spec_int64 ("step", NULL, NULL, 0, G_MAXINT64, 0, RO);
  properties[PROP_STEP_IN_EPOCH] = g_param_spec_int ("step-in-epoch", NULL, NULL, 0, G_MAXINT, 0, RO);
  properties[PROP_STEPS_PER_EPOCH] = g_param_spec_int ("steps-per-epoch", NULL, NULL, 0, G_MAXINT, 0, RO);
  properties[PROP_LOSS] = g_param_spec_double ("loss", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, RO);
  properties[PROP_L1] = g_param_spec_double ("l1", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, RO);
  properties[PROP_L2] = g_param_spec_double ("l2", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, RO);
  properties[PROP_DISTANCE] = g_param_spec_double ("distance", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, RO);
  properties[PROP_LR] = g_param_spec_double ("lr", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, RO);
  properties[PROP_EPOCH_LOSS] = g_param_spec_double ("epoch-loss", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, RO);
  properties[PROP_THRESHOLD] = g_param_spec_double ("threshold", NULL, NULL, 0, G_MAXDOUBLE, 0, RO);
  properties[PROP_IMAGES_PER_SECOND] = g_param_spec_double ("images-per-second", NULL, NULL, 0, G_MAXDOUBLE, 0, RO);
  properties[PROP_ETA_SECONDS] = g_param_spec_double ("eta-seconds", NULL, NULL, -1, G_MAXDOUBLE, -1, RO);
  properties[PROP_VAL_MAP50] = g_param_spec_double ("val-map50", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, RO);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, RO);
  properties[PROP_RUN_DIR] = g_param_spec_string ("run-dir", NULL, NULL, NULL, RO);
  properties[PROP_MODEL_PATH] = g_param_spec_string ("model-path", NULL, NULL, NULL, RO);
  properties[PROP_N_SKIPPED] = g_param_spec_uint ("n-skipped", NULL, NULL, 0, G_MAXUINT, 0, RO);
  /* Through the epoch budget, 0–1: what progress bars show. */
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, RO);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* New history points arrived (see otter_trainer_dup_points). */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The run reached a final state; emitted once. */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
otter_trainer_init (OtterTrainer *self)
{
  self->shared = g_atomic_rc_box_new0 (OtterTrainerShared);
  g_mutex_init (&self->shared->mutex);
  g_cond_init (&self->shared->cond);
  g_weak_ref_init (&self->shared->owner, self);
  self->shared->new_points = g_array_new (FALSE, FALSE, sizeof (OtterTrainPoint));
  self->shared->new_epochs = g_array_new (FALSE, FALSE, sizeof (OtterEpochPoint));
  self->shared->skipped = g_ptr_array_new_with_free_func (g_free);
  self->shared->notes = g_ptr_array_new_with_free_func (g_free);
  self->shared->snap.loss = self->shared->snap.l1 = self->shared->snap.l2 = NAN;
  self->shared->snap.d = self->shared->snap.lr = self->shared->snap.epoch_loss = NAN;
  self->shared->snap.val_map50 = NAN;
  self->shared->snap.eta_seconds = -1;
  snapshot_copy (&self->view, &self->shared->snap);
  self->points = g_array_new (FALSE, FALSE, sizeof (OtterTrainPoint));
  self->epochs = g_array_new (FALSE, FALSE, sizeof (OtterEpochPoint));
  self->skipped = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
  otter_train_config_init (&self->config);
}

OtterTrainer *
otter_trainer_new (const OtterTrainConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  OtterTrainer *self = g_object_new (OTTER_TYPE_TRAINER, NULL);
  otter_train_config_clear (&self->config);
  otter_train_config_copy (&self->config, config);
  self->view.threshold = self->shared->snap.threshold = otter_train_config_get_threshold (config);
  self->view.max_epochs = self->shared->snap.max_epochs = config->max_epochs;
  return self;
}

OtterTrainer *
otter_trainer_new_resume (const char *run_dir)
{
  g_return_val_if_fail (run_dir != NULL, NULL);
  OtterTrainer *self = g_object_new (OTTER_TYPE_TRAINER, NULL);
  self->resume_dir = g_strdup (run_dir);
  return self;
}

void
otter_trainer_set_run_dir (OtterTrainer *self,
                           const char   *run_dir)
{
  g_return_if_fail (OTTER_IS_TRAINER (self));
  g_return_if_fail (self->thread == NULL);
  g_free (self->run_dir);
  self->run_dir = g_strdup (run_dir);
}

void
otter_trainer_set_threads (OtterTrainer *self,
                           int           n_threads)
{
  g_return_if_fail (OTTER_IS_TRAINER (self));
  self->n_threads = MAX (0, n_threads);
}

void
otter_trainer_set_adaptive_threads (OtterTrainer *self,
                                    gboolean      adaptive)
{
  g_return_if_fail (OTTER_IS_TRAINER (self));
  self->adaptive_threads = adaptive;
}

void
otter_trainer_set_distributed (OtterTrainer                 *self,
                               const OtterDistributedParams *params)
{
  g_return_if_fail (OTTER_IS_TRAINER (self));
  g_return_if_fail (self->thread == NULL);
  if (self->distributed != NULL)
    otter_distributed_params_clear (self->distributed);
  g_clear_pointer (&self->distributed, g_free);
  if (params == NULL)
    return;
  self->distributed = g_new0 (OtterDistributedParams, 1);
  otter_distributed_params_copy (self->distributed, params);
}

gboolean
otter_trainer_start (OtterTrainer *self,
                     GError      **error)
{
  g_return_val_if_fail (OTTER_IS_TRAINER (self), FALSE);

  if (self->thread != NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, _("this run has already been started"));
      return FALSE;
    }
  if (self->resume_dir == NULL && !otter_train_config_validate (&self->config, error))
    return FALSE;
  if (self->distributed != NULL && !otter_distributed_params_validate (self->distributed, error))
    return FALSE;

  OtterTrainJob *job = g_new0 (OtterTrainJob, 1);
  job->shared = otter_trainer_shared_ref (self->shared);
  job->cancellable = g_object_ref (self->cancellable);
  otter_train_config_copy (&job->config, &self->config);
  job->resume_dir = g_strdup (self->resume_dir);
  job->run_dir = g_strdup (self->run_dir);
  job->n_threads = self->n_threads;
  job->adaptive_threads = self->adaptive_threads;
  if (self->distributed != NULL)
    {
      job->distributed = g_new0 (OtterDistributedParams, 1);
      otter_distributed_params_copy (job->distributed, self->distributed);
    }

  g_mutex_lock (&self->shared->mutex);
  self->shared->snap.state = OTTER_TRAINER_PREPARING;
  otter_trainer_shared_publish_locked (self->shared);
  g_mutex_unlock (&self->shared->mutex);

  self->thread = g_thread_new ("otter-train", otter_trainer_run_thread, job);
  return TRUE;
}

static void
set_flag (OtterTrainer *self, gboolean *flag, gboolean value)
{
  g_mutex_lock (&self->shared->mutex);
  *flag = value;
  g_cond_broadcast (&self->shared->cond);
  g_mutex_unlock (&self->shared->mutex);
}

void
otter_trainer_pause (OtterTrainer *self)
{
  g_return_if_fail (OTTER_IS_TRAINER (self));
  set_flag (self, &self->shared->pause_requested, TRUE);
}

void
otter_trainer_resume (OtterTrainer *self)
{
  g_return_if_fail (OTTER_IS_TRAINER (self));
  set_flag (self, &self->shared->pause_requested, FALSE);
}

void
otter_trainer_stop (OtterTrainer *self)
{
  g_return_if_fail (OTTER_IS_TRAINER (self));
  set_flag (self, &self->shared->stop_requested, TRUE);
  g_cancellable_cancel (self->cancellable);
}

void
otter_trainer_wait (OtterTrainer *self)
{
  g_return_if_fail (OTTER_IS_TRAINER (self));
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
  /* Without a main loop nothing else would deliver the last snapshot. */
  deliver (self);
}

/* ---- getters ------------------------------------------------------------ */

OtterTrainerState otter_trainer_get_state (OtterTrainer *self) { return self->view.state; }
int otter_trainer_get_epoch (OtterTrainer *self) { return self->view.epoch; }
int otter_trainer_get_max_epochs (OtterTrainer *self) { return self->view.max_epochs; }
gint64 otter_trainer_get_step (OtterTrainer *self) { return self->view.step; }
int otter_trainer_get_step_in_epoch (OtterTrainer *self) { return self->view.step_in_epoch; }
int otter_trainer_get_steps_per_epoch (OtterTrainer *self) { return self->view.steps_per_epoch; }
double otter_trainer_get_loss (OtterTrainer *self) { return self->view.loss; }
double otter_trainer_get_l1 (OtterTrainer *self) { return self->view.l1; }
double otter_trainer_get_l2 (OtterTrainer *self) { return self->view.l2; }
double otter_trainer_get_distance (OtterTrainer *self) { return self->view.d; }
double otter_trainer_get_lr (OtterTrainer *self) { return self->view.lr; }
double otter_trainer_get_epoch_loss (OtterTrainer *self) { return self->view.epoch_loss; }
double otter_trainer_get_threshold (OtterTrainer *self) { return self->view.threshold; }
double otter_trainer_get_images_per_second (OtterTrainer *self) { return self->view.images_per_second; }
int otter_trainer_get_world_size (OtterTrainer *self) { return MAX (self->view.world_size, 1); }
double otter_trainer_get_exchange_seconds (OtterTrainer *self) { return self->view.exchange_seconds; }
double otter_trainer_get_eta_seconds (OtterTrainer *self) { return self->view.eta_seconds; }
double otter_trainer_get_val_map50 (OtterTrainer *self) { return self->view.val_map50; }
const char *otter_trainer_get_message (OtterTrainer *self) { return self->view.message; }
const char *otter_trainer_get_run_dir (OtterTrainer *self) { return self->view.run_dir; }
const char *otter_trainer_get_model_path (OtterTrainer *self) { return self->view.model_path; }
guint otter_trainer_get_n_skipped (OtterTrainer *self) { return self->view.n_skipped; }
guint otter_trainer_get_n_outside_root (OtterTrainer *self) { return self->view.n_outside_root; }
guint otter_trainer_get_n_checkpoint_failures (OtterTrainer *self) { return self->view.n_checkpoint_failures; }
const char *otter_trainer_get_checkpoint_error (OtterTrainer *self) { return self->view.checkpoint_error; }

gboolean
otter_trainer_failed_with (OtterTrainer *self,
                           GQuark        domain,
                           int           code)
{
  return self->view.state == OTTER_TRAINER_FAILED &&
         self->view.error_domain == domain && self->view.error_code == code;
}
const OtterTrainConfig *otter_trainer_get_config (OtterTrainer *self) { return &self->config; }

double
otter_trainer_get_progress (OtterTrainer *self)
{
  const OtterTrainerSnapshot *s = &self->view;
  if (s->state == OTTER_TRAINER_CONVERGED)
    return 1;
  if (s->max_epochs <= 0 || s->steps_per_epoch <= 0)
    return 0;
  /* `epoch` is the one under way (1-based) while running. */
  double done = (s->epoch > 0 ? s->epoch - 1 : 0) + (double) s->step_in_epoch / s->steps_per_epoch;
  return CLAMP (done / s->max_epochs, 0, 1);
}

GPtrArray *
otter_trainer_dup_notes (OtterTrainer *self)
{
  /* Written once, while preparing: read straight from the worker's side. */
  g_mutex_lock (&self->shared->mutex);
  GPtrArray *copy = g_ptr_array_copy (self->shared->notes, (GCopyFunc) (void (*) (void)) g_strdup, NULL);
  g_mutex_unlock (&self->shared->mutex);
  g_ptr_array_set_free_func (copy, g_free);
  return copy;
}

GPtrArray *
otter_trainer_dup_skipped (OtterTrainer *self)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->skipped->len; i++)
    g_ptr_array_add (copy, g_strdup (self->skipped->pdata[i]));
  return copy;
}

GArray *
otter_trainer_dup_points (OtterTrainer *self,
                          guint         from)
{
  GArray *copy = g_array_new (FALSE, FALSE, sizeof (OtterTrainPoint));
  if (from < self->points->len)
    g_array_append_vals (copy, &g_array_index (self->points, OtterTrainPoint, from),
                         self->points->len - from);
  return copy;
}

GArray *
otter_trainer_dup_epochs (OtterTrainer *self)
{
  GArray *copy = g_array_new (FALSE, FALSE, sizeof (OtterEpochPoint));
  g_array_append_vals (copy, self->epochs->data, self->epochs->len);
  return copy;
}

gboolean
otter_trainer_is_distributed (OtterTrainer *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINER (self), FALSE);
  return self->distributed != NULL;
}

int
otter_trainer_get_rank (OtterTrainer *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINER (self), 0);
  return self->distributed != NULL ? self->distributed->rank : 0;
}
