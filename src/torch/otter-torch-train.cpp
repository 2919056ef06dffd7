/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-train.cpp: training steps, optimisers, schedule, checkpoints
 *
 * The optimisers are written out here rather than taken from torch::optim
 * so that their state is a plain list of named tensors: checkpoints then
 * use the same container as model files, and the code does not depend on
 * optimizer-state APIs that differ between libtorch 1.13 and 2.x.
 */

#include "config.h"

#include <inttypes.h>

#include <json-glib/json-glib.h>

#include <cmath>
#include <cstring>

#include "otter-torch-memory.hpp"
#include "otter-torch-private.hpp"
#include "otter-untrusted.h"
/* after libtorch's headers, which use _ as a name of their own */
#include <glib/gi18n-lib.h>

using namespace otter;

struct _OtterTorchTrainer
{
  OtterTorchModel *model;
  OtterTorchTrainParams params;
  std::vector<std::string> names;
  std::vector<at::Tensor> parameters;
  std::vector<bool> decay;             /* weight decay skips norms and biases */
  std::vector<at::Tensor> exp_avg;     /* SGD momentum buffer / Adam first moment */
  std::vector<at::Tensor> exp_avg_sq;  /* Adam second moment */
  std::vector<bool> in_backbone;       /* gets lr × backbone_lr_scale, can be frozen */
  bool backbone_frozen = false;
  /* The moving average, of parameters and floating-point buffers, in the
   * order of model_tensors(); empty when EMA is off. */
  std::vector<at::Tensor> ema;
  bool ema_swapped = false;
  gint64 step = 0;
  OtterTorchGroup *group = nullptr;    /* data-parallel peers, or none */
};

static const std::string kBackbonePrefix = "backbone.";

static bool
is_backbone (const std::string &name)
{
  return name.compare (0, kBackbonePrefix.size (), kBackbonePrefix) == 0;
}

/* The model's tensors that the average follows: every parameter and every
 * floating-point buffer (batch-norm statistics), not the counters. */
static std::vector<at::Tensor>
ema_targets (OtterTorchModel *model)
{
  std::vector<at::Tensor> out;
  for (auto &[name, t] : model_tensors (model))
    if (t.is_floating_point ())
      out.push_back (t);
  return out;
}

static std::vector<std::string>
ema_names (OtterTorchModel *model)
{
  std::vector<std::string> out;
  for (auto &[name, t] : model_tensors (model))
    if (t.is_floating_point ())
      out.push_back (name);
  return out;
}

/* Warms up like TensorFlow's ExponentialMovingAverage with num_updates:
 * early on the average follows the weights closely, so it is not stuck
 * near the random start. */
static double
ema_decay_at (const OtterTorchTrainParams &p, gint64 updates)
{
  return std::min (p.ema_decay, (1.0 + updates) / (10.0 + updates));
}

static void
ema_update (OtterTorchTrainer *trainer)
{
  if (trainer->ema.empty ())
    return;
  torch::NoGradGuard no_grad;
  double d = ema_decay_at (trainer->params, trainer->step);
  std::vector<at::Tensor> targets = ema_targets (trainer->model);
  for (size_t i = 0; i < targets.size (); i++)
    trainer->ema[i].mul_ (d).add_ (targets[i].detach (), 1 - d);
}

static const char *const method_names[] = { "ot", "standard", "pgd" };
static const char *const optimizer_names[] = { "sgd", "adamw" };

const char *
otter_train_method_to_string (OtterTrainMethod method)
{
  g_return_val_if_fail ((int) method >= 0 && (int) method < (int) G_N_ELEMENTS (method_names), nullptr);
  return method_names[method];
}

gboolean
otter_train_method_from_string (const char       *str,
                                OtterTrainMethod *method)
{
  for (guint i = 0; i < G_N_ELEMENTS (method_names); i++)
    if (g_strcmp0 (str, method_names[i]) == 0)
      {
        *method = (OtterTrainMethod) i;
        return TRUE;
      }
  return FALSE;
}

const char *
otter_optimizer_kind_to_string (OtterOptimizerKind kind)
{
  g_return_val_if_fail ((int) kind >= 0 && (int) kind < (int) G_N_ELEMENTS (optimizer_names), nullptr);
  return optimizer_names[kind];
}

gboolean
otter_optimizer_kind_from_string (const char         *str,
                                  OtterOptimizerKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (optimizer_names); i++)
    if (g_strcmp0 (str, optimizer_names[i]) == 0)
      {
        *kind = (OtterOptimizerKind) i;
        return TRUE;
      }
  return FALSE;
}

void
otter_torch_train_params_init (OtterTorchTrainParams *params)
{
  g_return_if_fail (params != nullptr);
  params->method = OTTER_METHOD_OT;
  params->optimizer = OTTER_OPTIMIZER_ADAMW;
  params->lr = 2e-3;
  params->momentum = 0.9;
  params->weight_decay = 5e-4;
  params->warmup_steps = 50;
  params->total_steps = 1000;
  params->min_lr_ratio = 0.05;
  params->w1 = 1.0;
  params->w2 = 1.0;
  params->grad_clip = 10.0;
  otter_torch_ot_params_init (&params->ot);
  params->pgd_steps = 3;
  params->pgd_step_size = 2.0f / 255.0f;
  params->backbone_lr_scale = 1.0;
  params->ema_decay = 0.0;
}

static bool
check_train_params (const OtterTorchTrainParams *p, GError **error)
{
  const char *problem = nullptr;
  if (!(p->lr > 0 && p->lr <= 10))
    problem = _("the learning rate must be in (0, 10]");
  else if (!(p->momentum >= 0 && p->momentum < 1))
    problem = _("momentum must be in [0, 1)");
  else if (!(p->weight_decay >= 0 && p->weight_decay < 1))
    problem = _("weight decay must be in [0, 1)");
  else if (p->warmup_steps < 0 || p->total_steps < 1)
    problem = _("the schedule needs warm-up ≥ 0 and at least one step");
  else if (!(p->min_lr_ratio >= 0 && p->min_lr_ratio <= 1))
    problem = _("the minimum learning-rate ratio must be in [0, 1]");
  else if (!(p->w1 >= 0 && p->w2 >= 0 && p->w1 + p->w2 > 0))
    problem = _("the loss weights must be non-negative and not both zero");
  else if (!(p->backbone_lr_scale >= 0 && p->backbone_lr_scale <= 10))
    problem = _("the backbone's learning-rate scale must be in [0, 10]");
  else if (!(p->ema_decay >= 0 && p->ema_decay < 1))
    problem = _("the EMA decay must be in [0, 1) (0 turns it off)");
  else if (!(p->grad_clip >= 0 && std::isfinite (p->grad_clip)))
    problem = _("gradient clipping must be a finite number ≥ 0");
  else if (p->method == OTTER_METHOD_PGD && (p->pgd_steps < 1 || p->pgd_steps > 100 || !(p->pgd_step_size > 0)))
    problem = _("PGD training needs 1–100 steps and a positive step size");
  else if ((int) p->method < 0 || (int) p->method > OTTER_METHOD_PGD)
    problem = _("unknown training method");
  else if ((int) p->optimizer < 0 || (int) p->optimizer > OTTER_OPTIMIZER_ADAMW)
    problem = _("unknown optimiser");
  if (problem != nullptr)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT, "%s", problem);
      return false;
    }
  return p->method != OTTER_METHOD_OT || otter_torch_ot_params_validate (&p->ot, error);
}

gboolean
otter_torch_train_params_validate (const OtterTorchTrainParams *params,
                                   GError                     **error)
{
  g_return_val_if_fail (params != nullptr, FALSE);
  return check_train_params (params, error);
}

OtterTorchTrainer *
otter_torch_trainer_new (OtterTorchModel             *model,
                         const OtterTorchTrainParams *params,
                         GError                     **error)
{
  g_return_val_if_fail (model != nullptr && params != nullptr, nullptr);
  if (!check_train_params (params, error))
    return nullptr;
  try
    {
      memory_use_reusing_allocator ();
      auto *trainer = new OtterTorchTrainer ();
      trainer->model = model;
      trainer->params = *params;
      for (const auto &p : model->detector->named_parameters ())
        {
          trainer->names.push_back (p.key ());
          trainer->parameters.push_back (p.value ());
          trainer->decay.push_back (p.value ().dim () > 1);
          trainer->exp_avg.push_back (at::zeros_like (p.value ()));
          trainer->exp_avg_sq.push_back (params->optimizer == OTTER_OPTIMIZER_ADAMW
                                         ? at::zeros_like (p.value ()) : at::Tensor ());
          trainer->in_backbone.push_back (is_backbone (p.key ()));
        }
      if (params->ema_decay > 0)
        for (const at::Tensor &t : ema_targets (model))
          trainer->ema.push_back (t.detach ().clone ());
      return trainer;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return nullptr;
    }
}

void
otter_torch_trainer_free (OtterTorchTrainer *trainer)
{
  delete trainer;
  /* a run's buffers are no use to whatever comes next */
  memory_release_cached ();
}

gint64
otter_torch_trainer_get_step (OtterTorchTrainer *trainer)
{
  g_return_val_if_fail (trainer != nullptr, 0);
  return trainer->step;
}

double
otter_torch_trainer_lr_at (OtterTorchTrainer *trainer,
                           gint64             step)
{
  g_return_val_if_fail (trainer != nullptr, 0);
  const OtterTorchTrainParams &p = trainer->params;
  if (step < p.warmup_steps)
    return p.lr * (double) (step + 1) / (double) p.warmup_steps;
  double span = (double) MAX (1, p.total_steps - p.warmup_steps);
  double progress = CLAMP ((double) (step - p.warmup_steps) / span, 0.0, 1.0);
  double floor = p.lr * p.min_lr_ratio;
  return floor + (p.lr - floor) * 0.5 * (1 + std::cos (G_PI * progress));
}

static double
clip_gradients (OtterTorchTrainer *trainer)
{
  torch::NoGradGuard no_grad;
  at::Tensor total = at::zeros ({}, at::TensorOptions ().device (trainer->model->device));
  for (const at::Tensor &p : trainer->parameters)
    if (p.grad ().defined ())
      total = total + p.grad ().pow (2).sum ();
  double norm = std::sqrt (total.item<double> ());
  double clip = trainer->params.grad_clip;
  if (clip > 0 && std::isfinite (norm) && norm > clip)
    for (const at::Tensor &p : trainer->parameters)
      if (p.grad ().defined ())
        p.mutable_grad ().mul_ (clip / (norm + 1e-6));
  return norm;
}

static void
apply_update (OtterTorchTrainer *trainer, double base_lr)
{
  torch::NoGradGuard no_grad;
  const OtterTorchTrainParams &p = trainer->params;
  double t = (double) (trainer->step + 1);
  for (size_t i = 0; i < trainer->parameters.size (); i++)
    {
      at::Tensor param = trainer->parameters[i];
      if (!param.grad ().defined ())
        continue;
      at::Tensor grad = param.grad ();
      double wd = trainer->decay[i] ? p.weight_decay : 0.0;
      if (trainer->in_backbone[i] && trainer->backbone_frozen)
        continue;
      double lr = trainer->in_backbone[i] ? base_lr * p.backbone_lr_scale : base_lr;
      if (p.optimizer == OTTER_OPTIMIZER_SGD)
        {
          /* PyTorch's SGD: decay added to the gradient, then momentum. */
          at::Tensor g = wd > 0 ? grad + wd * param : grad;
          trainer->exp_avg[i].mul_ (p.momentum).add_ (g);
          param.add_ (trainer->exp_avg[i], -lr);
        }
      else
        {
          /* AdamW: decoupled decay, bias-corrected moments. */
          const double beta2 = 0.999, eps = 1e-8;
          if (wd > 0)
            param.mul_ (1 - lr * wd);
          trainer->exp_avg[i].mul_ (p.momentum).add_ (grad, 1 - p.momentum);
          trainer->exp_avg_sq[i].mul_ (beta2).addcmul_ (grad, grad, 1 - beta2);
          double bc1 = 1 - std::pow (p.momentum, t);
          double bc2 = 1 - std::pow (beta2, t);
          at::Tensor denom = (trainer->exp_avg_sq[i] / bc2).sqrt_ ().add_ (eps);
          param.addcdiv_ (trainer->exp_avg[i], denom, -lr / bc1);
        }
    }
}

static void
zero_gradients (OtterTorchTrainer *trainer)
{
  for (at::Tensor &p : trainer->parameters)
    if (p.grad ().defined ())
      {
        p.mutable_grad ().detach_ ();
        p.mutable_grad ().zero_ ();
      }
}

/* ---- data-parallel training ------------------------------------------ */

/* Averages the gradients over the group and makes the step's losses the
 * ranks' means, in one exchange. A rank whose loss is not finite sends
 * zeros and NaN losses, so every rank then sees a non-finite mean and
 * leaves its weights alone. */
static bool
average_over_group (OtterTorchTrainer *trainer, OtterTorchStepResult *result, GError **error)
{
  torch::NoGradGuard no_grad;
  bool finite = std::isfinite (result->loss);
  std::vector<at::Tensor> tensors;
  for (at::Tensor &p : trainer->parameters)
    {
      if (!p.requires_grad ())
        continue;
      if (!p.grad ().defined ())
        p.mutable_grad () = at::zeros_like (p);
      else if (!finite)
        p.mutable_grad ().zero_ ();
      tensors.push_back (p.grad ());
    }
  double nan = std::nan ("");
  at::Tensor losses = at::tensor ({ finite ? result->loss : nan,
                                    finite ? result->l1 : nan,
                                    finite ? result->l2 : nan,
                                    finite ? result->d : nan },
                                  at::TensorOptions ().dtype (at::kDouble));
  tensors.push_back (losses);
  try
    {
      group_sum_tensors (trainer->group, tensors);
    }
  catch (const std::exception &e)
    {
      group_set_error (trainer->group, _("the gradient exchange"), e, error);
      return false;
    }
  double world = (double) otter_torch_group_get_world_size (trainer->group);
  for (size_t i = 0; i + 1 < tensors.size (); i++)
    tensors[i].div_ (world);
  const double *mean = losses.data_ptr<double> ();
  result->loss = mean[0] / world;
  result->l1 = mean[1] / world;
  result->l2 = mean[2] / world;
  result->d = mean[3] / world;
  return true;
}

/* Batch norm's running statistics come from each rank's own batch: their
 * mean after every step keeps one model on every rank. */
static bool
average_buffers_over_group (OtterTorchTrainer *trainer, GError **error)
{
  if (trainer->group == nullptr)
    return true;
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> statistics;
  for (at::Tensor &b : trainer->model->detector->buffers ())
    if (b.is_floating_point ())
      statistics.push_back (b);
  try
    {
      group_sum_tensors (trainer->group, statistics);
    }
  catch (const std::exception &e)
    {
      group_set_error (trainer->group, _("the exchange of batch-norm statistics"), e, error);
      return false;
    }
  double world = (double) otter_torch_group_get_world_size (trainer->group);
  for (at::Tensor &b : statistics)
    b.div_ (world);
  return true;
}

void
otter_torch_trainer_set_group (OtterTorchTrainer *trainer,
                               OtterTorchGroup   *group)
{
  g_return_if_fail (trainer != nullptr);
  trainer->group = group;
}

gboolean
otter_torch_trainer_broadcast_state (OtterTorchTrainer *trainer,
                                     GError           **error)
{
  g_return_val_if_fail (trainer != nullptr, FALSE);
  if (trainer->group == nullptr)
    return TRUE;
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> state;
  for (auto &[name, t] : model_tensors (trainer->model))
    state.push_back (t);
  for (std::vector<at::Tensor> *v : { &trainer->exp_avg, &trainer->exp_avg_sq, &trainer->ema })
    for (at::Tensor &t : *v)
      if (t.defined ())
        state.push_back (t);
  at::Tensor step = at::tensor ({ (int64_t) trainer->step }, at::TensorOptions ().dtype (at::kLong));
  state.push_back (step);
  try
    {
      group_broadcast_tensors (trainer->group, state);
    }
  catch (const std::exception &e)
    {
      group_set_error (trainer->group, _("the copy of rank 0's weights"), e, error);
      return FALSE;
    }
  trainer->step = step.item<int64_t> ();
  return TRUE;
}

gboolean
otter_torch_trainer_step (OtterTorchTrainer     *trainer,
                          const OtterTorchBatch *batch,
                          guint64                seed,
                          OtterTorchStepResult  *result,
                          GError               **error)
{
  g_return_val_if_fail (trainer != nullptr && result != nullptr, FALSE);
  OtterTorchModel *model = trainer->model;
  const OtterTorchTrainParams &p = trainer->params;
  if (!check_batch (model, batch, true, error))
    return FALSE;
  if (batch->n < 2)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("a training batch needs at least two images (batch norm)"));
      return FALSE;
    }
  try
    {
      Detector &detector = model->detector;
      at::Tensor images = images_to_tensor (model, batch);
      int out_side = batch->size / kStride;
      Targets targets = build_targets (model, batch, out_side, out_side);
      int64_t n = batch->n;

      /* Batch norm updates its running statistics during the forward pass;
       * keep a copy so a non-finite step can be undone completely. */
      std::vector<at::Tensor> saved_buffers;
      for (const at::Tensor &b : detector->buffers ())
        saved_buffers.push_back (b.clone ());
      auto restore_buffers = [&] () {
        torch::NoGradGuard no_grad;
        size_t i = 0;
        for (at::Tensor &b : detector->buffers ())
          b.copy_ (saved_buffers[i++]);
      };

      if (trainer->ema_swapped)
        {
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                       _("the model holds the moving average: swap the weights back before training"));
          return FALSE;
        }
      result->l1 = NAN;
      result->l2 = NAN;
      result->d = NAN;
      /* Each loss is differentiated where it is made, when finite. A rank
       * whose loss is not finite still takes part in the exchange below,
       * with no gradient of its own. */
      auto differentiate = [] (const at::Tensor &loss, double value) {
        if (std::isfinite (value))
          loss.backward ();
      };
      detector->train ();
      /* A frozen backbone keeps its batch-norm statistics too. */
      if (trainer->backbone_frozen)
        detector->backbone->eval ();
      zero_gradients (trainer);

      switch (p.method)
        {
        case OTTER_METHOD_STANDARD:
          {
            HeadOutputs out = detector->forward (images);
            at::Tensor loss = detection_loss (out, targets, 0, n).total;
            result->loss = result->l1 = loss.item<double> ();
            differentiate (loss, result->loss);
          }
          break;
        case OTTER_METHOD_PGD:
          {
            at::Tensor adv = pgd_perturbation (model, images, targets, p.ot.epsilon,
                                               p.pgd_step_size, p.pgd_steps, true, seed);
            HeadOutputs out = detector->forward (adv);
            at::Tensor loss = detection_loss (out, targets, 0, n).total;
            result->loss = result->l2 = loss.item<double> ();
            differentiate (loss, result->loss);
          }
          break;
        case OTTER_METHOD_OT:
        default:
          {
            SinkhornWarmStart warm;
            at::Tensor adv = ot_target_perturbation (detector, images, p.ot, seed, nullptr, &warm);
            /* The clean and the perturbed batch in two passes, each
             * differentiated before the next: only one batch's
             * activations are alive at a time. One pass over both took
             * more than twice one batch's time (tiny, 320 px, batch 16,
             * in PyTorch with malloc: 1020 ms against 2 × 363 ms, its
             * larger buffers faulting their pages in on every step) and
             * 250 MiB more memory. */
            const at::Tensor *inputs[2] = { &images, &adv };
            const double weights[2] = { p.w1, p.w2 };
            double parts[2];
            at::Tensor vectors[2];
            for (int i = 0; i < 2; i++)
              {
                HeadOutputs out = detector->forward (*inputs[i]);
                at::Tensor part = detection_loss (out, targets, 0, n).total;
                parts[i] = part.item<double> ();
                {
                  torch::NoGradGuard no_grad;
                  vectors[i] = ot_vectors (out.neck.detach (), p.ot.space, p.ot.spatial_max_side);
                }
                differentiate (weights[i] * part, parts[i]);
              }
            result->l1 = parts[0];
            result->l2 = parts[1];
            result->loss = p.w1 * parts[0] + p.w2 * parts[1];
            torch::NoGradGuard no_grad;
            at::Tensor cost = ot_cost (vectors[0], vectors[1]);
            at::Tensor plan = sinkhorn_plan (cost, p.ot.reg, p.ot.max_iter, p.ot.tol, nullptr, nullptr, false, &warm);
            result->d = (plan * cost).sum ({ 1, 2 }).mean ().item<double> ();
          }
          break;
        }

      if (trainer->group != nullptr)
        {
          /* Every rank takes part in the exchange even when its own loss
           * is not finite, so that all of them make the same decision. */
          if (!average_over_group (trainer, result, error))
            {
              zero_gradients (trainer);
              restore_buffers ();
              return FALSE;
            }
        }
      if (!std::isfinite (result->loss))
        {
          zero_gradients (trainer);
          restore_buffers ();
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NON_FINITE,
                       _("the loss became %g at step %" PRId64 "; the weights were left as they were"),
                       result->loss, trainer->step);
          return FALSE;
        }
      result->grad_norm = clip_gradients (trainer);
      if (!std::isfinite (result->grad_norm))
        {
          zero_gradients (trainer);
          restore_buffers ();
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NON_FINITE,
                       _("the gradient became non-finite at step %" PRId64 "; the weights were left as they were"),
                       trainer->step);
          return FALSE;
        }
      result->lr = otter_torch_trainer_lr_at (trainer, trainer->step);
      apply_update (trainer, result->lr);
      zero_gradients (trainer);
      if (!average_buffers_over_group (trainer, error))
        return FALSE;
      ema_update (trainer);
      trainer->step++;
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}

void
otter_torch_trainer_set_backbone_frozen (OtterTorchTrainer *trainer,
                                         gboolean           frozen)
{
  g_return_if_fail (trainer != nullptr);
  trainer->backbone_frozen = frozen;
  /* No gradients for the frozen part: the backward pass stops at the
   * neck, which is most of the saving. */
  for (size_t i = 0; i < trainer->parameters.size (); i++)
    if (trainer->in_backbone[i])
      trainer->parameters[i].set_requires_grad (!frozen);
}

gboolean
otter_torch_trainer_swap_ema (OtterTorchTrainer *trainer)
{
  g_return_val_if_fail (trainer != nullptr, FALSE);
  if (trainer->ema.empty ())
    return FALSE;
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> targets = ema_targets (trainer->model);
  for (size_t i = 0; i < targets.size (); i++)
    {
      at::Tensor live = targets[i].detach ().clone ();
      targets[i].detach ().copy_ (trainer->ema[i]);
      trainer->ema[i].copy_ (live);
    }
  trainer->ema_swapped = !trainer->ema_swapped;
  return TRUE;
}

gboolean
otter_torch_trainer_save_checkpoint (OtterTorchTrainer *trainer,
                                     const char        *path,
                                     const char        *metadata_json,
                                     GError           **error)
{
  g_return_val_if_fail (trainer != nullptr && path != nullptr, FALSE);
  try
    {
      /* "model." holds the weights to evaluate (the average, when there
       * is one), so that a checkpoint opened as a model behaves like the
       * stored model; "live." the weights training goes on from. */
      TensorMap tensors = model_tensors (trainer->model);
      if (!trainer->ema.empty ())
        {
          TensorMap live;
          size_t k = 0;
          for (auto &[name, t] : tensors)
            {
              if (!t.is_floating_point ())
                continue;
              at::Tensor average = trainer->ema_swapped ? t : trainer->ema[k];
              at::Tensor weights = trainer->ema_swapped ? trainer->ema[k] : t;
              k++;
              live.emplace_back ("live." + name.substr (strlen ("model.")), weights);
              t = average;
            }
          tensors.insert (tensors.end (), live.begin (), live.end ());
        }
      for (size_t i = 0; i < trainer->parameters.size (); i++)
        {
          tensors.emplace_back ("optim.exp_avg." + trainer->names[i], trainer->exp_avg[i]);
          if (trainer->exp_avg_sq[i].defined ())
            tensors.emplace_back ("optim.exp_avg_sq." + trainer->names[i], trainer->exp_avg_sq[i]);
        }
      g_autofree char *extra = g_strdup_printf ("{\"step\": %" G_GINT64_FORMAT ", \"optimizer\": \"%s\"}",
                                                trainer->step,
                                                otter_optimizer_kind_to_string (trainer->params.optimizer));
      std::string header = model_header_json (trainer->model, tensors, metadata_json, extra);
      return container_write (path, header, tensors, error);
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}

gboolean
otter_torch_trainer_load_checkpoint (OtterTorchTrainer *trainer,
                                     const char        *path,
                                     GError           **error)
{
  g_return_val_if_fail (trainer != nullptr && path != nullptr, FALSE);
  try
    {
      std::string header;
      std::map<std::string, at::Tensor> tensors;
      if (!container_read (path, header, tensors, error))
        return FALSE;
      g_autoptr (JsonNode) root = json_from_string (header.c_str (), nullptr);
      JsonObject *obj = json_node_get_object (root);
      JsonObject *ck = otter_json_get_object (obj, "checkpoint");
      if (ck == nullptr)
        {
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NOT_A_MODEL,
                       _("%s is a model, not a training checkpoint"), path);
          return FALSE;
        }
      if (g_strcmp0 (otter_json_get_string (obj, "arch", ""),
                     trainer->model->detector->spec.name.c_str ()) != 0)
        {
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_ARCHITECTURE,
                       _("%s is a checkpoint of another architecture"), path);
          return FALSE;
        }
      /* Going on with a reset or partial optimiser state would train
       * differently from the run it claims to continue: refuse it. */
      const char *saved_optimizer = otter_json_get_string (ck, "optimizer", "");
      const char *optimizer = otter_optimizer_kind_to_string (trainer->params.optimizer);
      if (g_strcmp0 (saved_optimizer, optimizer) != 0)
        {
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                       _("%s was saved by the %s optimiser, this run uses %s"), path,
                       *saved_optimizer ? saved_optimizer : "an unknown", optimizer);
          return FALSE;
        }
      for (size_t i = 0; i < trainer->parameters.size (); i++)
        {
          auto m = tensors.find ("optim.exp_avg." + trainer->names[i]);
          auto v = tensors.find ("optim.exp_avg_sq." + trainer->names[i]);
          bool needs_v = trainer->exp_avg_sq[i].defined ();
          if (m == tensors.end () || !m->second.sizes ().equals (trainer->exp_avg[i].sizes ()) ||
              (needs_v && (v == tensors.end () || !v->second.sizes ().equals (trainer->exp_avg_sq[i].sizes ()))))
            {
              g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_CORRUPT,
                           _("%s: the optimiser state of %s is missing or has another shape"), path,
                           trainer->names[i].c_str ());
              return FALSE;
            }
        }
      if (trainer->ema_swapped)
        otter_torch_trainer_swap_ema (trainer);
      if (!model_assign_tensors (trainer->model, path, tensors, error))
        return FALSE;
      torch::NoGradGuard no_grad;
      /* The model now holds the checkpoint's "model." weights: the
       * average when it was saved with one. Training goes on from the
       * live weights beside them. */
      {
        std::vector<std::string> names = ema_names (trainer->model);
        std::vector<at::Tensor> targets = ema_targets (trainer->model);
        for (size_t i = 0; i < targets.size (); i++)
          {
            if (!trainer->ema.empty ())
              trainer->ema[i].copy_ (targets[i]);
            auto live = tensors.find ("live." + names[i].substr (strlen ("model.")));
            if (live != tensors.end () && live->second.sizes ().equals (targets[i].sizes ()))
              targets[i].detach ().copy_ (live->second);
          }
      }
      for (size_t i = 0; i < trainer->parameters.size (); i++)
        {
          trainer->exp_avg[i].copy_ (tensors.at ("optim.exp_avg." + trainer->names[i]));
          if (trainer->exp_avg_sq[i].defined ())
            trainer->exp_avg_sq[i].copy_ (tensors.at ("optim.exp_avg_sq." + trainer->names[i]));
        }
      model_read_backbone_init (trainer->model, obj);
      trainer->step = otter_json_get_int (ck, "step", 0);
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}
