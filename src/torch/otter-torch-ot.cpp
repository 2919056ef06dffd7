/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-ot.cpp: optimal transport between feature sets, and attacks
 *
 * The target perturbation set of METHOD.md: from a random start inside the
 * ε-ball, K signed-gradient ascent steps on the feature matching distance
 * D = Σ T*_ij C_ij, where T* is the entropic OT plan between the clean and
 * perturbed feature sets. The gradient holds the converged plan fixed
 * (envelope theorem) instead of differentiating through the Sinkhorn
 * iterations.
 */

#include "config.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "otter-sinkhorn-cpu.h"
#include "otter-torch-private.hpp"
/* after libtorch's headers, which use _ as a name of their own */
#include <glib/gi18n-lib.h>

namespace otter {

at::Tensor
ot_vectors (const at::Tensor &neck, OtterFeatureSpace space, int max_side)
{
  if (space == OTTER_FEATURE_SPACE_BATCH)
    {
      /* The mean as a sum, then a division of the small result: the
       * attack's backward then spreads the gradient over the map as a
       * broadcast view, where mean's backward wrote a full-size copy
       * (8 ms on tiny at 320 px, batch 16). */
      double cells = (double) (neck.size (2) * neck.size (3));
      return (neck.sum ({ 2, 3 }) / cells).unsqueeze (0);      /* 1 × N × C */
    }
  int64_t h = std::min<int64_t> (neck.size (2), max_side);
  int64_t w = std::min<int64_t> (neck.size (3), max_side);
  at::Tensor pooled = (h == neck.size (2) && w == neck.size (3))
    ? neck : at::adaptive_avg_pool2d (neck, { h, w });
  return pooled.flatten (2).transpose (1, 2);                   /* N × HW × C */
}

/* C_ij = max(0, 1 − cos(a_i, b_j)) for batched sets a: B × n × d, b: B × m × d. */
at::Tensor
ot_cost (const at::Tensor &a, const at::Tensor &b)
{
  at::Tensor an = a / a.norm (2, -1, true).clamp_min (1e-8);
  at::Tensor bn = b / b.norm (2, -1, true).clamp_min (1e-8);
  return (1 - at::bmm (an, bn.transpose (1, 2))).clamp_min (0);
}

/* Log-domain Sinkhorn for uniform marginals, batched over plans. The
 * potentials live in log space (u = f/reg, v = g/reg), and logsumexp shifts
 * by the maximum, so nothing overflows at reg 0.01 in float32. Kept for the
 * unrolled gradient, which differentiates through every iteration: each
 * costs 2·n·m exponentials. */
static at::Tensor
sinkhorn_log_domain (const at::Tensor &cost, double reg, int max_iter, double tol,
                     int *iterations, double *marginal_error)
{
  int64_t n = cost.size (1), m = cost.size (2);
  double log_a = -std::log ((double) n);
  double log_b = -std::log ((double) m);
  at::Tensor k = cost / -reg;
  at::Tensor u = at::full ({ cost.size (0), n, 1 }, log_a, cost.options ());
  at::Tensor v = at::zeros ({ cost.size (0), 1, m }, cost.options ());
  double err;
  int it = 0;
  for (; it < max_iter; it++)
    {
      v = log_b - at::logsumexp (k + u, 1, true);
      at::Tensor row_lse = at::logsumexp (k + v, 2, true);
      /* Columns are exact right after the v-update; rows are off by this. */
      err = (at::exp (u + row_lse) - std::exp (log_a)).abs ().sum ({ 1, 2 }).max ().item<double> ();
      if (!std::isfinite (err))
        break;
      if (err < tol)
        {
          it++;
          break;
        }
      u = log_a - row_lse;
    }
  if (iterations != nullptr)
    *iterations = it;
  return at::exp (k + u + v);
}

/* The kernel exp((f + g − C)/reg) with f and g first moved (an equivalent
 * parametrisation: the plan does not change) so that every row and every
 * column has its largest entry at exactly 1 and none above: no overflow
 * whatever the start, and no row or column that underflows to all zeros. */
static at::Tensor
balanced_kernel (const at::Tensor &cost, double reg, at::Tensor &f, at::Tensor &g)
{
  /* In place on one n × m tensor: at n = 1024 each copy is 4 MB. */
  at::Tensor exponent = (f - cost).add_ (g).div_ (reg);
  at::Tensor row_max = exponent.amax (2, true);
  f = f - reg * row_max;
  exponent.sub_ (row_max);
  at::Tensor col_max = exponent.amax (1, true);
  g = g - reg * col_max;
  exponent.sub_ (col_max);
  /* Entries below e^-40 of their row's largest change no marginal by a
   * float32 digit, but as subnormal numbers (from e^-87) they would make
   * every multiplication with them a hundred times slower. Zeroing them
   * also keeps the products with the scalings (kept within 1e±15) normal. */
  at::Tensor negligible = exponent < -40;
  return exponent.exp_ ().masked_fill_ (negligible, 0);
}

/* Sinkhorn in the kernel domain with absorption: the iterations scale a
 * fixed kernel K = exp((f + g − C)/reg) by vectors u and v, two batched
 * matrix–vector products each and no exponential. When a scaling grows
 * past what float32 keeps accurate, it is absorbed into the potentials
 * (f += reg·log u) and the kernel rebuilt: rare, since the balanced start
 * is already near the solution's scale. It converges to the plan of the
 * log-domain loop, from a start scaled to the cost's row minima. */
static at::Tensor
sinkhorn_scaling (const at::Tensor &cost, double reg, int max_iter, double tol,
                  int *iterations, SinkhornWarmStart *warm)
{
  int64_t batch = cost.size (0), n = cost.size (1), m = cost.size (2);
  double a = 1.0 / (double) n, b = 1.0 / (double) m;
  /* past this, u·K·v loses float32 digits to the scaling's magnitude */
  const double absorb_above = 1e6, absorb_below = 1e-6;
  at::Tensor f, g;
  if (warm != nullptr && warm->f.defined () && warm->f.sizes () == at::IntArrayRef ({ batch, n, 1 }) &&
      warm->g.defined () && warm->g.sizes () == at::IntArrayRef ({ batch, 1, m }))
    f = warm->f, g = warm->g;
  else
    f = at::zeros ({ batch, n, 1 }, cost.options ()), g = at::zeros ({ batch, 1, m }, cost.options ());
  at::Tensor kernel = balanced_kernel (cost, reg, f, g);
  at::Tensor u = at::ones ({ batch, n, 1 }, cost.options ());
  at::Tensor v = at::ones ({ batch, m, 1 }, cost.options ());
  /* the smallest float32 a product may reach before a division by it */
  const double tiny = 1e-37;
  int it = 0;
  for (; it < max_iter; it++)
    {
      v = b / at::bmm (kernel.transpose (1, 2), u).clamp_min (tiny);
      at::Tensor kv = at::bmm (kernel, v);
      /* Columns are exact right after the v-update; rows are off by this. */
      double err = (u * kv - a).abs ().sum (1).max ().item<double> ();
      if (!std::isfinite (err))
        break;
      if (err < tol)
        {
          it++;
          break;
        }
      u = a / kv.clamp_min (tiny);
      double high = std::max (u.max ().item<double> (), v.max ().item<double> ());
      double low = std::min (u.min ().item<double> (), v.min ().item<double> ());
      if (high > absorb_above || low < absorb_below)
        {
          f = f + reg * u.log ();
          g = g + reg * v.log ().transpose (1, 2);
          kernel = balanced_kernel (cost, reg, f, g);
          u = at::ones_like (u);
          v = at::ones_like (v);
        }
    }
  if (iterations != nullptr)
    *iterations = it;
  if (warm != nullptr)
    {
      warm->f = f + reg * u.log ();
      warm->g = g + reg * v.log ().transpose (1, 2);
    }
  return u * kernel * v.transpose (1, 2);
}

/* Runs the pieces of a CPU solve on libtorch's threads. */
static void
parallel_pieces (int64_t n_pieces, OtterSinkhornTask task, void *data)
{
  at::parallel_for (0, n_pieces, 1, [&] (int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++)
      task (data, p);
  });
}

/* sinkhorn_scaling() for float32 plans on the CPU, on raw memory
 * (otter-sinkhorn-cpu.c): for the plans of the attack (n = 16 to 1024) a
 * tensor operation's dispatch costs more than its arithmetic, and each
 * one reads the whole kernel again. Each plan on its own (one that
 * converges stops), the plans of a batch side by side. */
static at::Tensor
sinkhorn_scaling_cpu (const at::Tensor &cost, double reg, int max_iter, double tol,
                      int *iterations, double *marginal_error, SinkhornWarmStart *warm,
                      float *out = nullptr)
{
  int64_t batch = cost.size (0), n = cost.size (1), m = cost.size (2);
  at::Tensor c = cost.contiguous ();
  bool warm_fits = warm != nullptr && warm->f.defined () && warm->g.defined () &&
                   warm->f.sizes () == at::IntArrayRef ({ batch, n, 1 }) &&
                   warm->g.sizes () == at::IntArrayRef ({ batch, 1, m });
  at::Tensor f = warm_fits ? warm->f.to (at::kFloat).contiguous ().clone () : at::zeros ({ batch, n, 1 }, c.options ());
  at::Tensor g = warm_fits ? warm->g.to (at::kFloat).contiguous ().clone () : at::zeros ({ batch, 1, m }, c.options ());
  /* the caller's memory when it has some: a fresh 4 MB plan costs its
   * page faults, and a copy, more than a whole solve's arithmetic */
  at::Tensor plan = out != nullptr ? at::from_blob (out, { batch, n, m }, c.options ())
                                   : at::empty ({ batch, n, m }, c.options ());
  std::vector<OtterSinkhornCpuResult> results (batch);
  std::vector<char> solved (batch, 0);
  auto solve = [&] (int64_t p, OtterSinkhornParallel parallel) {
    solved[p] = otter_sinkhorn_cpu_solve (c.data_ptr<float> () + p * n * m, n, m, (float) reg, max_iter, tol,
                                          f.data_ptr<float> () + p * n, g.data_ptr<float> () + p * m,
                                          plan.data_ptr<float> () + p * n * m, parallel, &results[p]);
  };
  /* Plans side by side when there are several; one plan splits its own
   * passes instead (parallel_for does not nest). */
  if (batch > 1)
    at::parallel_for (0, batch, 1, [&] (int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; p++)
        solve (p, nullptr);
    });
  else
    solve (0, parallel_pieces);
  if (std::find (solved.begin (), solved.end (), 0) != solved.end ())
    throw std::bad_alloc ();
  int most = 0;
  double worst = 0;
  for (const OtterSinkhornCpuResult &r : results)
    {
      most = std::max (most, r.iterations);
      worst = std::isnan (r.marginal_error) || std::isnan (worst) ? NAN : std::max (worst, r.marginal_error);
    }
  if (iterations != nullptr)
    *iterations = most;
  if (marginal_error != nullptr)
    *marginal_error = worst;
  if (warm != nullptr)
    {
      warm->f = f;
      warm->g = g;
    }
  return plan;
}

at::Tensor
sinkhorn_plan (const at::Tensor &cost, double reg, int max_iter, double tol,
               int *iterations, double *marginal_error, bool differentiable,
               SinkhornWarmStart *warm)
{
  std::optional<torch::NoGradGuard> no_grad;
  if (!differentiable)
    no_grad.emplace ();
  at::Tensor plan;
  if (differentiable)
    plan = sinkhorn_log_domain (cost, reg, max_iter, tol, iterations, marginal_error);
  else if (cost.device ().is_cpu () && cost.scalar_type () == at::kFloat)
    /* measures the plan's marginals as it forms it */
    return sinkhorn_scaling_cpu (cost, reg, max_iter, tol, iterations, marginal_error, warm);
  else
    plan = sinkhorn_scaling (cost, reg, max_iter, tol, iterations, warm);
  if (marginal_error != nullptr)
    {
      /* The loop may end after either update; report the worse side of
       * the plan actually returned. */
      int64_t n = cost.size (1), m = cost.size (2);
      at::Tensor rows = (plan.sum (2) - 1.0 / (double) n).abs ().sum (1);
      at::Tensor cols = (plan.sum (1) - 1.0 / (double) m).abs ().sum (1);
      *marginal_error = at::max (rows, cols).max ().item<double> ();
    }
  return plan;
}

/* The perturbation's elementwise steps as single passes over the batch:
 * on tensor operations the random start took 37–48 ms and a signed step
 * 16–17 ms at 320 px, batch 16 (at::rand draws serially, and the
 * channels-last images met a plain-layout noise tensor), a tenth of the
 * attack. The fast paths need CPU float tensors of one layout. */
static bool
same_cpu_float_layout (const at::Tensor &a, const at::Tensor &b)
{
  return a.device ().is_cpu () && b.device ().is_cpu () && a.scalar_type () == at::kFloat &&
         b.scalar_type () == at::kFloat && a.dim () == 4 && a.sizes () == b.sizes () &&
         a.strides () == b.strides () && a.is_non_overlapping_and_dense ();
}

/* SplitMix64's output function (Steele, Lea and Flood). */
static inline guint64
mix64 (guint64 z)
{
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Element `index` of the uniform stream that starts at `state`, in
 * [0, 1): SplitMix64 at that point of its sequence, top 24 bits. Any
 * element can be drawn on its own, so the noise is the same on any number
 * of threads and in any memory layout; tests/bench/bench-train-twin.py
 * draws it the same way in NumPy. */
static inline float
uniform_at (guint64 state, guint64 index)
{
  return (float) (mix64 (state + (index + 1) * 0x9E3779B97F4A7C15ull) >> 40) * (1.0f / 16777216.0f);
}

/* clamp(x + U(−ε, ε), 0, 1), element (n, c, h, w) drawing the uniform of
 * its index in N × C × H × W order whatever the memory layout. */
static at::Tensor
random_start (const at::Tensor &images, float epsilon, guint64 seed)
{
  if (!images.device ().is_cpu ())
    return random_start (images.cpu (), epsilon, seed).to (images.device ());
  at::Tensor x = images.scalar_type () == at::kFloat && images.dim () == 4 && images.is_non_overlapping_and_dense ()
    ? images : images.to (at::kFloat).contiguous ();
  at::Tensor out = at::empty_like (x);
  /* neighbouring seeds start far apart in the sequence */
  const guint64 state = mix64 (seed);
  const int64_t n = x.size (0), c = x.size (1), h = x.size (2), w = x.size (3);
  const int64_t sn = x.stride (0), sc = x.stride (1), sh = x.stride (2), sw = x.stride (3);
  const float *in = x.data_ptr<float> ();
  float *o = out.data_ptr<float> ();
  at::parallel_for (0, n * h, 1, [&] (int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++)
      {
        int64_t b = row / h, y = row % h;
        for (int64_t k = 0; k < c; k++)
          for (int64_t xx = 0; xx < w; xx++)
            {
              int64_t offset = b * sn + k * sc + y * sh + xx * sw;
              guint64 index = (guint64) (((b * c + k) * h + y) * w + xx);
              float v = in[offset] + (uniform_at (state, index) * 2.0f - 1.0f) * epsilon;
              o[offset] = std::min (std::max (v, 0.0f), 1.0f);
            }
      }
  });
  return out.to (images.scalar_type ());
}

/* One signed-gradient step, back into the ε-ball around the clean images
 * and into [0, 1]: clamp(clamp(adv + α·sign(g), x − ε, x + ε), 0, 1). */
static at::Tensor
signed_step (const at::Tensor &adv, const at::Tensor &grad, const at::Tensor &clean, float step,
             float epsilon)
{
  if (!same_cpu_float_layout (adv, grad) || !same_cpu_float_layout (adv, clean))
    {
      at::Tensor moved = adv + step * grad.sign ();
      return at::min (at::max (moved, clean - epsilon), clean + epsilon).clamp (0, 1);
    }
  at::Tensor out = at::empty_like (adv);
  const float *a = adv.data_ptr<float> (), *g = grad.data_ptr<float> (), *x = clean.data_ptr<float> ();
  float *o = out.data_ptr<float> ();
  at::parallel_for (0, adv.numel (), 16384, [&] (int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++)
      {
        float sign = (float) ((g[i] > 0) - (g[i] < 0));
        float v = std::min (std::max (a[i] + step * sign, x[i] - epsilon), x[i] + epsilon);
        o[i] = std::min (std::max (v, 0.0f), 1.0f);
      }
  });
  return out;
}

/* D for each plan, averaged over plans (one plan in batch space). */
static at::Tensor
matching_distance (const at::Tensor &plan, const at::Tensor &cost)
{
  return (plan * cost).sum ({ 1, 2 }).mean ();
}

at::Tensor
ot_target_perturbation (Detector &detector, const at::Tensor &images,
                        const OtterTorchOtParams &p, guint64 seed, double *d_start,
                        SinkhornWarmStart *warm)
{
  /* Each ascent step moves the features a little: its plan starts from
   * the previous step's potentials. */
  SinkhornWarmStart local;
  SinkhornWarmStart *potentials = warm != nullptr ? warm : &local;
  FrozenEval frozen (*detector);
  at::Tensor clean_vectors;
  {
    torch::NoGradGuard no_grad;
    clean_vectors = ot_vectors (detector->features (images), p.space, p.spatial_max_side);
  }
  at::Tensor adv = random_start (images, p.epsilon, seed);
  for (int k = 0; k < p.steps; k++)
    {
      adv.set_requires_grad (true);
      at::Tensor vectors = ot_vectors (detector->features (adv), p.space, p.spatial_max_side);
      at::Tensor cost = ot_cost (clean_vectors, vectors);
      at::Tensor plan = p.unrolled_gradient
        ? sinkhorn_plan (cost, p.reg, p.max_iter, p.tol, nullptr, nullptr, true)
        : sinkhorn_plan (cost.detach (), p.reg, p.max_iter, p.tol, nullptr, nullptr, false, potentials);
      at::Tensor d = matching_distance (plan, cost);
      if (k == 0 && d_start != nullptr)
        *d_start = d.item<double> ();
      at::Tensor grad = torch::autograd::grad ({ d }, { adv })[0];
      torch::NoGradGuard no_grad;
      adv = signed_step (adv.detach (), grad, images, p.step_size, p.epsilon);
    }
  return adv.detach ();
}

/* What the FGSM and PGD attacks maximise, per image: the mean over its
 * objects of −log p, where p is the object's class score at the cell that
 * would report it: the highest within the part of the box where a peak
 * still overlaps the object by IoU ≥ 0.5. The decoder reports local
 * peaks, so suppressing the centre cell alone lets a neighbour report the
 * object. L_det's size, offset and background terms are left out: once
 * the scores fall their gradients take over the signed steps and move
 * boxes or background scores, which barely changes mAP. Measured on a
 * 30-epoch `standard small` on the raccoon test photos (clean mAP@0.5
 * 0.581), FGSM / PGD-10 / PGD-50×5: centre −log p with size and offset,
 * the objective before, 0.193 / 0.283 / –; centre −log p alone
 * 0.139 / 0.119 / –; the highest within 7 × 7 cells, keeping the last
 * step, 0.177 / 0.069 / 0.130 (more steps left more); this objective with
 * the best step kept 0.194 / 0.004 / 0.0008. */
static at::Tensor
object_attack_loss (const HeadOutputs &out, const Targets &targets)
{
  int64_t n = out.heatmap.size (0), h = out.heatmap.size (2), w = out.heatmap.size (3);
  at::Tensor total = at::zeros ({ n }, out.heatmap.options ());
  if (targets.n_objects == 0)
    return total;
  at::Tensor planes = out.heatmap.reshape ({ -1, h, w }).index_select (0, targets.plane);
  /* the region's highest logit; cells outside it cannot win */
  at::Tensor peak = (planes + (targets.region - 1) * 1e4).amax ({ 1, 2 });
  at::Tensor per_object = -at::log_sigmoid (peak);
  at::Tensor count = at::zeros ({ n }, total.options ()).index_add (0, targets.image, at::ones_like (per_object));
  return total.index_add (0, targets.image, per_object) / count.clamp_min (1);
}

/* Signed-gradient ascent on object_attack_loss, keeping for each image the
 * best point met on the way (the last step can overshoot): so more steps
 * from the same start never do worse on the objective. */
at::Tensor
pgd_perturbation (OtterTorchModel *model, const at::Tensor &images, const Targets &targets,
                  float epsilon, float step_size, int steps, bool start_random, guint64 seed)
{
  FrozenEval frozen (*model->detector);
  at::Tensor adv = start_random ? random_start (images, epsilon, seed) : images.clone ();
  at::Tensor best = adv.clone ();
  at::Tensor best_loss = at::full ({ images.size (0) }, -INFINITY, images.options ());
  auto keep_best = [&] (const at::Tensor &point, const at::Tensor &loss) {
    at::Tensor better = loss.detach () > best_loss;
    best = at::where (better.view ({ -1, 1, 1, 1 }), point.detach (), best);
    best_loss = at::max (loss.detach (), best_loss);
  };
  for (int k = 0; k < steps; k++)
    {
      adv.set_requires_grad (true);
      /* Images do not interact in eval mode, so the sum's gradient is each
       * image's own. */
      at::Tensor loss = object_attack_loss (model->detector->forward (adv), targets);
      at::Tensor grad = torch::autograd::grad ({ loss.sum () }, { adv })[0];
      torch::NoGradGuard no_grad;
      keep_best (adv, loss);
      adv = signed_step (adv.detach (), grad, images, step_size, epsilon);
    }
  torch::NoGradGuard no_grad;
  keep_best (adv, object_attack_loss (model->detector->forward (adv), targets));
  return best;
}

/* PGD from several random starts, keeping each image's worst. The first
 * start is the one plain PGD takes with the same seed, so with as many
 * steps or more the result is at least as strong on the objective. */
at::Tensor
pgd_worst_of_restarts (OtterTorchModel *model, const at::Tensor &images, const Targets &targets,
                       float epsilon, float step_size, int steps, int restarts, guint64 seed)
{
  at::Tensor worst, worst_loss;
  for (int r = 0; r < restarts; r++)
    {
      at::Tensor adv = pgd_perturbation (model, images, targets, epsilon, step_size, steps, true,
                                         seed + (guint64) r * 7919u);
      torch::NoGradGuard no_grad;
      FrozenEval frozen (*model->detector);
      at::Tensor loss = object_attack_loss (model->detector->forward (adv), targets);
      if (r == 0)
        {
          worst = adv;
          worst_loss = loss;
          continue;
        }
      at::Tensor better = loss > worst_loss;
      worst = at::where (better.view ({ -1, 1, 1, 1 }), adv, worst);
      worst_loss = at::max (loss, worst_loss);
    }
  return worst;
}

static bool
check_ot_params (const OtterTorchOtParams *p, GError **error)
{
  const char *problem = nullptr;
  if (!(p->epsilon >= 0 && p->epsilon <= 1))
    problem = _("ε must be between 0 and 1");
  else if (p->steps < 1 || p->steps > 1000)
    problem = _("the number of ascent steps must be between 1 and 1000");
  else if (!(p->step_size > 0 && p->step_size <= 1))
    problem = _("the step size must be in (0, 1]");
  else if (!(p->reg >= 1e-4 && p->reg <= 100))
    problem = _("the Sinkhorn regularisation must be between 0.0001 and 100");
  else if (p->max_iter < 1 || p->max_iter > 100000)
    problem = _("Sinkhorn iterations must be between 1 and 100000");
  else if (!(p->tol > 0))
    problem = _("the Sinkhorn tolerance must be positive");
  else if (p->spatial_max_side < 1 || p->spatial_max_side > 32)
    problem = _("the spatial grid side must be between 1 and 32");
  if (problem != nullptr)
    g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT, "%s", problem);
  return problem == nullptr;
}

} /* namespace otter */

using namespace otter;

void
otter_torch_ot_params_init (OtterTorchOtParams *params)
{
  g_return_if_fail (params != nullptr);
  params->epsilon = 8.0f / 255.0f;
  params->steps = 1;
  params->step_size = params->epsilon;
  params->space = OTTER_FEATURE_SPACE_BATCH;
  params->reg = 0.01f;
  params->max_iter = 100;
  params->tol = 1e-3f;
  params->spatial_max_side = 32;
  params->unrolled_gradient = FALSE;
}

gboolean
otter_torch_ot_params_validate (const OtterTorchOtParams *p,
                                GError                  **error)
{
  g_return_val_if_fail (p != nullptr, FALSE);
  const char *problem = nullptr;
  if (!(p->epsilon >= 0 && p->epsilon <= 1))
    problem = _("ε must be between 0 and 1");
  else if (p->steps < 1 || p->steps > 1000)
    problem = _("the OT attack needs 1 to 1000 ascent steps");
  else if (!(p->step_size > 0 && p->step_size <= 1))
    problem = _("the OT step size α must be in (0, 1]");
  else if (!(p->reg > 0 && p->reg <= 10))
    problem = _("the Sinkhorn regularisation must be in (0, 10]");
  else if (p->max_iter < 1 || p->max_iter > 100000)
    problem = _("Sinkhorn needs 1 to 100000 iterations");
  else if (!(p->tol > 0 && p->tol <= 1))
    problem = _("the Sinkhorn tolerance must be in (0, 1]");
  else if (p->spatial_max_side < 1 || p->spatial_max_side > 32)
    problem = _("the spatial plan needs 1 to 32 cells a side");
  else if ((int) p->space < 0 || (int) p->space > OTTER_FEATURE_SPACE_SPATIAL)
    problem = _("unknown feature space");
  if (problem != nullptr)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT, "%s", problem);
      return FALSE;
    }
  return TRUE;
}

gboolean
otter_torch_sinkhorn (const float *cost,
                      int          n,
                      int          m,
                      float        reg,
                      int          max_iter,
                      float        tol,
                      float       *plan_out,
                      int         *iterations_out,
                      float       *marginal_error_out,
                      GError     **error)
{
  return otter_torch_sinkhorn_plans (cost, 1, n, m, reg, max_iter, tol, plan_out, iterations_out,
                                     marginal_error_out, error);
}

gboolean
otter_torch_sinkhorn_plans (const float *cost,
                            int          n_plans,
                            int          n,
                            int          m,
                            float        reg,
                            int          max_iter,
                            float        tol,
                            float       *plan_out,
                            int         *iterations_out,
                            float       *marginal_error_out,
                            GError     **error)
{
  g_return_val_if_fail (cost != nullptr && plan_out != nullptr, FALSE);
  if (n_plans <= 0 || n <= 0 || m <= 0 || !(reg > 0) || max_iter <= 0)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("Sinkhorn needs a non-empty cost matrix, reg > 0 and at least one iteration"));
      return FALSE;
    }
  try
    {
      at::Tensor c = at::from_blob (const_cast<float *> (cost), { n_plans, n, m }, at::kFloat)
                       .to (preferred_device ());
      int iterations = 0;
      double err = 0;
      if (c.device ().is_cpu ())
        {
          torch::NoGradGuard no_grad;
          sinkhorn_scaling_cpu (c, reg, max_iter, tol, &iterations, &err, nullptr, plan_out);
        }
      else
        tensor_to_images (sinkhorn_plan (c, reg, max_iter, tol, &iterations, &err), plan_out);
      if (iterations_out != nullptr)
        *iterations_out = iterations;
      if (marginal_error_out != nullptr)
        *marginal_error_out = (float) err;
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}

static float *
copy_out (const at::Tensor &t)
{
  at::Tensor host = t.detach ().to (at::kCPU).to (at::kFloat).contiguous ();
  float *out = g_new (float, host.numel ());
  memcpy (out, host.data_ptr<float> (), host.numel () * sizeof (float));
  return out;
}

OtterTorchOtResult *
otter_torch_ot_attack (OtterTorchModel          *model,
                       const OtterTorchBatch    *batch,
                       const OtterTorchOtParams *params,
                       guint64                   seed,
                       GError                  **error)
{
  g_return_val_if_fail (model != nullptr, nullptr);
  g_return_val_if_fail (params != nullptr, nullptr);
  if (!check_batch (model, batch, false, error) || !check_ot_params (params, error))
    return nullptr;
  if (params->space == OTTER_FEATURE_SPACE_BATCH && batch->n < 2)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("the batch feature space matches images with each other: pick at least two images"));
      return nullptr;
    }
  try
    {
      Detector &detector = model->detector;
      at::Tensor images = images_to_tensor (model, batch);
      double d_start = 0;
      at::Tensor adv = ot_target_perturbation (detector, images, *params, seed, &d_start);

      FrozenEval frozen (*detector);
      torch::NoGradGuard no_grad;
      at::Tensor clean_neck = detector->features (images);
      at::Tensor adv_neck = detector->features (adv);
      at::Tensor a = ot_vectors (clean_neck, params->space, params->spatial_max_side);
      at::Tensor b = ot_vectors (adv_neck, params->space, params->spatial_max_side);
      at::Tensor cost = ot_cost (a, b);
      at::Tensor plan = sinkhorn_plan (cost, params->reg, params->max_iter, params->tol, nullptr, nullptr);

      auto *r = g_new0 (OtterTorchOtResult, 1);
      r->n = batch->n;
      r->size = batch->size;
      r->perturbed = copy_out (adv);
      r->d_start = (float) d_start;
      r->d_final = matching_distance (plan, cost).item<float> ();
      r->linf = (adv - images).abs ().max ().item<float> ();
      r->space = params->space;
      r->n_plans = (int) plan.size (0);
      r->plan_side = (int) plan.size (1);
      r->plan = copy_out (plan);
      r->cost = copy_out (cost);
      if (params->space == OTTER_FEATURE_SPACE_SPATIAL)
        {
          int64_t h = std::min<int64_t> (clean_neck.size (2), params->spatial_max_side);
          int64_t w = std::min<int64_t> (clean_neck.size (3), params->spatial_max_side);
          r->map_h = (int) h;
          r->map_w = (int) w;
          at::Tensor cell_cost = (plan * cost).sum (2) * (double) (h * w);
          at::Tensor displacement = (a - b).norm (2, -1);
          r->cell_cost = copy_out (cell_cost.view ({ batch->n, h, w }));
          r->displacement = copy_out (displacement.view ({ batch->n, h, w }));
        }
      return r;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return nullptr;
    }
}

void
otter_torch_ot_result_free (OtterTorchOtResult *result)
{
  if (result == nullptr)
    return;
  g_free (result->perturbed);
  g_free (result->plan);
  g_free (result->cost);
  g_free (result->cell_cost);
  g_free (result->displacement);
  g_free (result);
}

void
otter_torch_attack_params_init (OtterTorchAttackParams *params,
                                OtterAttackKind         kind)
{
  g_return_if_fail (params != nullptr);
  params->kind = kind;
  params->epsilon = 8.0f / 255.0f;
  params->step_size = 2.0f / 255.0f;
  params->steps = 10;
  params->random_start = TRUE;
  params->restarts = 1;
  if (kind == OTTER_ATTACK_PGD50)
    {
      params->steps = 50;
      params->restarts = 5;
    }
  otter_torch_ot_params_init (&params->ot);
}

static const char *const attack_names[] = { "none", "fgsm", "pgd", "ot", "pgd50" };

const char *
otter_attack_kind_to_string (OtterAttackKind kind)
{
  g_return_val_if_fail ((int) kind >= 0 && (int) kind < (int) G_N_ELEMENTS (attack_names), nullptr);
  return attack_names[kind];
}

gboolean
otter_attack_kind_from_string (const char      *str,
                               OtterAttackKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (attack_names); i++)
    if (g_strcmp0 (str, attack_names[i]) == 0)
      {
        *kind = (OtterAttackKind) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
otter_torch_attack (OtterTorchModel              *model,
                    const OtterTorchBatch        *batch,
                    const OtterTorchAttackParams *params,
                    guint64                       seed,
                    float                        *out_images,
                    GError                      **error)
{
  g_return_val_if_fail (model != nullptr && params != nullptr && out_images != nullptr, FALSE);
  bool needs_boxes = params->kind == OTTER_ATTACK_FGSM || params->kind == OTTER_ATTACK_PGD ||
                     params->kind == OTTER_ATTACK_PGD50;
  if (!check_batch (model, batch, needs_boxes, error))
    return FALSE;
  if (!(params->epsilon >= 0 && params->epsilon <= 1) || params->steps < 1 || params->steps > 1000 ||
      !(params->step_size > 0 && params->step_size <= 1) || params->restarts < 1 || params->restarts > 100)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("attack needs 0 ≤ ε ≤ 1, 1–1000 steps, a step size in (0, 1] and 1–100 restarts"));
      return FALSE;
    }
  try
    {
      at::Tensor images = images_to_tensor (model, batch);
      at::Tensor adv;
      switch (params->kind)
        {
        case OTTER_ATTACK_NONE:
          adv = images;
          break;
        case OTTER_ATTACK_FGSM:
        case OTTER_ATTACK_PGD:
        case OTTER_ATTACK_PGD50:
          {
            Targets targets = build_targets (model, batch, batch->size / kStride, batch->size / kStride);
            bool fgsm = params->kind == OTTER_ATTACK_FGSM;
            if (!fgsm && params->random_start && params->restarts > 1)
              adv = pgd_worst_of_restarts (model, images, targets, params->epsilon, params->step_size,
                                           params->steps, params->restarts, seed);
            else
              adv = pgd_perturbation (model, images, targets, params->epsilon,
                                      fgsm ? params->epsilon : params->step_size,
                                      fgsm ? 1 : params->steps,
                                      fgsm ? false : params->random_start, seed);
          }
          break;
        case OTTER_ATTACK_OT:
          {
            OtterTorchOtParams ot = params->ot;
            ot.epsilon = params->epsilon;
            if (!check_ot_params (&ot, error))
              return FALSE;
            /* The batch space needs pairs; a single image falls back to its cells. */
            if (batch->n < 2)
              ot.space = OTTER_FEATURE_SPACE_SPATIAL;
            adv = ot_target_perturbation (model->detector, images, ot, seed, nullptr);
          }
          break;
        default:
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT, _("unknown attack"));
          return FALSE;
        }
      tensor_to_images (adv, out_images);
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_error (error, e);
      return FALSE;
    }
}
