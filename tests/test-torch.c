/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-torch.c: the torch shim and the sanity properties of METHOD.md */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "otter-torch.h"
#include "test-model-utils.h"
#include "test-synthetic-batch.h"



static OtterTorchModel *
new_model (guint64 seed)
{
  g_autoptr (GError) error = NULL;
  OtterTorchModel *model = otter_torch_model_new ("tiny", class_names, SIZE, seed, &error);
  g_assert_no_error (error);
  return model;
}

static void
random_costs (float *cost, int n, guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  for (int i = 0; i < n * n; i++)
    cost[i] = (float) g_rand_double_range (rand, 0.0, 2.0);
}

static void
assert_plan_valid (const float *plan, int n, int m, double tol)
{
  double row_err = 0, col_err = 0;
  for (int i = 0; i < n * m; i++)
    {
      g_assert_true (isfinite (plan[i]));
      g_assert_cmpfloat (plan[i], >=, 0.0f);
    }
  for (int i = 0; i < n; i++)
    {
      double s = 0;
      for (int j = 0; j < m; j++)
        s += plan[i * m + j];
      row_err += fabs (s - 1.0 / n);
    }
  for (int j = 0; j < m; j++)
    {
      double s = 0;
      for (int i = 0; i < n; i++)
        s += plan[i * m + j];
      col_err += fabs (s - 1.0 / m);
    }
  /* float32 sums of n·m terms add a little rounding on top */
  g_assert_cmpfloat (MAX (row_err, col_err), <=, tol * 1.01 + 1e-5);
}

static void
test_sinkhorn_marginals (void)
{
  int sizes[] = { 4, 64, 256 };
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      int n = sizes[k];
      g_autofree float *cost = g_new (float, n * n);
      g_autofree float *plan = g_new (float, n * n);
      int iterations = 0;
      float err = 0;
      g_autoptr (GError) error = NULL;
      random_costs (cost, n, 11 + k);
      g_assert_true (otter_torch_sinkhorn (cost, n, n, 0.01f, 5000, 1e-3f, plan, &iterations, &err, &error));
      g_assert_no_error (error);
      g_test_message ("n = %d: %d iterations, marginal error %g", n, iterations, err);
      g_assert_cmpfloat (err, <, 1e-3);
      g_assert_cmpint (iterations, <, 5000);
      assert_plan_valid (plan, n, n, err);
    }
}

/* The plan is POT's, solved in float64 to 1e-10, up to the tolerance:
 * L1 distance between the plans within 10 · tol (the plan's error is a few
 * times its marginals'), for square and wide costs. */
static void
test_sinkhorn_pot_parity (void)
{
  if (g_getenv ("OTTER_TORCH_PYTHON") == NULL)
    {
      g_test_skip ("python3 with POT is not there");
      return;
    }
  static const int shapes[][2] = { { 64, 64 }, { 200, 120 } };
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "tools", "sinkhorn_reference.py", NULL);
  g_autofree char *dir = g_dir_make_tmp ("otter-sinkhorn-XXXXXX", NULL);
  for (guint k = 0; k < G_N_ELEMENTS (shapes); k++)
    {
      int n = shapes[k][0], m = shapes[k][1];
      g_autofree float *cost = g_new (float, n * m);
      g_autofree float *plan = g_new (float, n * m);
      g_autoptr (GRand) rand = g_rand_new_with_seed (29 + k);
      for (int i = 0; i < n * m; i++)
        cost[i] = (float) g_rand_double_range (rand, 0.0, 2.0);
      float err = 0;
      int iterations = 0;
      g_assert_true (otter_torch_sinkhorn (cost, n, m, 0.01f, 100000, 1e-5f, plan, &iterations, &err, NULL));

      g_autofree char *cost_path = g_build_filename (dir, "cost.f32", NULL);
      g_autofree char *plan_path = g_build_filename (dir, "plan.f32", NULL);
      g_assert_true (g_file_set_contents (cost_path, (const char *) cost, (gssize) n * m * sizeof (float), NULL));
      g_autofree char *n_text = g_strdup_printf ("%d", n), *m_text = g_strdup_printf ("%d", m);
      const char *argv[] = { g_getenv ("OTTER_TORCH_PYTHON"), script, cost_path, n_text, m_text, "0.01",
                             plan_path, NULL };
      g_autofree char *err_text = NULL;
      int status = 0;
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err_text,
                                   &status, NULL));
      if (!g_spawn_check_wait_status (status, NULL))
        {
          g_test_skip_printf ("POT did not run: %s", err_text);
          return;
        }
      g_autofree char *reference = NULL;
      gsize length = 0;
      g_assert_true (g_file_get_contents (plan_path, &reference, &length, NULL));
      g_assert_cmpuint (length, ==, (gsize) n * m * sizeof (float));
      double distance = 0;
      for (int i = 0; i < n * m; i++)
        distance += fabs ((double) plan[i] - ((const float *) reference)[i]);
      g_test_message ("%d × %d: %d iterations, marginal error %g, L1 to POT %g", n, m, iterations, err, distance);
      g_assert_cmpfloat (distance, <, 1e-4);
      g_unlink (cost_path);
      g_unlink (plan_path);
    }
  g_rmdir (dir);
}

/* At the defaults (100 iterations) a hard random cost may not converge,
 * but the plan must stay finite and non-negative with exact columns and
 * report its row error truthfully. */
static void
test_sinkhorn_defaults_finite (void)
{
  int n = 256;
  g_autofree float *cost = g_new (float, n * n);
  g_autofree float *plan = g_new (float, n * n);
  float err = 0;
  int iterations = 0;
  random_costs (cost, n, 3);
  g_assert_true (otter_torch_sinkhorn (cost, n, n, 0.01f, 100, 1e-4f, plan, &iterations, &err, NULL));
  g_assert_true (isfinite (err));
  g_assert_cmpint (iterations, <=, 100);
  assert_plan_valid (plan, n, n, err);
}

/* Identical sets (clean == perturbed): cost 0 on the diagonal, the known
 * degenerate case. The plan must be the identity matching. */
static void
test_sinkhorn_identical (void)
{
  int n = 32, d = 8;
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  g_autofree float *f = g_new (float, n * d);
  g_autofree float *cost = g_new (float, n * n);
  g_autofree float *plan = g_new (float, n * n);
  for (int i = 0; i < n * d; i++)
    f[i] = (float) g_rand_double_range (rand, -1, 1);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      {
        double dot = 0, ni = 0, nj = 0;
        for (int k = 0; k < d; k++)
          {
            dot += f[i * d + k] * f[j * d + k];
            ni += f[i * d + k] * f[i * d + k];
            nj += f[j * d + k] * f[j * d + k];
          }
        cost[i * n + j] = (float) MAX (0.0, 1.0 - dot / sqrt (ni * nj));
      }
  float err = 0;
  g_assert_true (otter_torch_sinkhorn (cost, n, n, 0.01f, 100, 1e-4f, plan, NULL, &err, NULL));
  assert_plan_valid (plan, n, n, err);
  for (int i = 0; i < n; i++)
    g_assert_cmpfloat (plan[i * n + i], >, 0.9 / n);

  /* constant costs, all 0 and all 2: the uniform plan */
  for (int c = 0; c <= 2; c += 2)
    {
      for (int i = 0; i < n * n; i++)
        cost[i] = (float) c;
      g_assert_true (otter_torch_sinkhorn (cost, n, n, 0.01f, 100, 1e-4f, plan, NULL, &err, NULL));
      for (int i = 0; i < n * n; i++)
        g_assert_cmpfloat (fabs (plan[i] - 1.0 / (n * n)), <, 1e-6);
    }
}

/* A plan of 1024 × 1024 is solved in pieces of rows, on as many threads as
 * there are, and the plans of a batch side by side: the pieces do not
 * depend on the thread count, so neither may a single bit of the plan. */
static void
test_sinkhorn_threads_agree (void)
{
  int n = 1024, n_plans = 3;
  gsize size = (gsize) n * n;
  g_autofree float *cost = g_new (float, n_plans * size);
  g_autofree float *alone = g_new (float, size);
  g_autofree float *two = g_new (float, size);
  g_autofree float *batch = g_new (float, n_plans * size);
  for (int p = 0; p < n_plans; p++)
    random_costs (cost + p * size, n, 11 + p);
  int threads = otter_torch_get_threads (), iterations = 0;
  float err = 0, batch_err = 0;

  otter_torch_set_threads (1);
  g_assert_true (otter_torch_sinkhorn (cost, n, n, 0.01f, 1000, 1e-4f, alone, &iterations, &err, NULL));
  g_assert_cmpfloat (err, <, 1e-4);
  otter_torch_set_threads (2);
  g_assert_true (otter_torch_sinkhorn (cost, n, n, 0.01f, 1000, 1e-4f, two, NULL, NULL, NULL));
  g_assert_cmpmem (alone, size * sizeof (float), two, size * sizeof (float));

  g_assert_true (otter_torch_sinkhorn_plans (cost, n_plans, n, n, 0.01f, 1000, 1e-4f, batch, NULL, &batch_err, NULL));
  g_assert_cmpmem (alone, size * sizeof (float), batch, size * sizeof (float));
  g_assert_cmpfloat (batch_err, <, 1e-4);
  for (int p = 1; p < n_plans; p++)
    {
      g_assert_true (otter_torch_sinkhorn (cost + p * size, n, n, 0.01f, 1000, 1e-4f, two, NULL, NULL, NULL));
      g_assert_cmpmem (two, size * sizeof (float), batch + p * size, size * sizeof (float));
    }
  otter_torch_set_threads (threads);
  g_test_message ("%d × %d: %d iterations, marginal error %g, the same on 1 and 2 threads and in a batch",
                  n, n, iterations, err);
}

/* An infinite cost forbids a pair: its entry is 0 and the rest is a plan.
 * A NaN cost has no plan, and the reported error must say so instead of
 * passing for a converged one. */
static void
test_sinkhorn_non_finite_costs (void)
{
  int n = 64;
  g_autofree float *cost = g_new (float, n * n);
  g_autofree float *plan = g_new (float, n * n);
  float err = 0;
  random_costs (cost, n, 17);
  cost[3 * n + 5] = INFINITY;
  g_assert_true (otter_torch_sinkhorn (cost, n, n, 0.01f, 10000, 1e-4f, plan, NULL, &err, NULL));
  g_assert_cmpfloat (plan[3 * n + 5], ==, 0.0f);
  assert_plan_valid (plan, n, n, err);

  cost[3 * n + 5] = NAN;
  g_assert_true (otter_torch_sinkhorn (cost, n, n, 0.01f, 10000, 1e-4f, plan, NULL, &err, NULL));
  g_assert_false (isfinite (err));
}

static void
test_sinkhorn_bad_arguments (void)
{
  float cost[4] = { 0 }, plan[4];
  g_autoptr (GError) error = NULL;
  g_assert_false (otter_torch_sinkhorn (cost, 2, 2, 0.0f, 10, 1e-4f, plan, NULL, NULL, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
}

/* Snapshot of every weight and batch-norm statistic, through a saved file. */
static GBytes *
model_bytes (OtterTorchModel *model)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "m.otter", NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize len = 0;
  g_assert_true (otter_torch_model_save (model, path, "{}", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_unlink (path);
  g_rmdir (dir);
  return g_bytes_new_take (data, len);
}

static void
test_ot_attack_properties (void)
{
  g_autoptr (OtterTorchModel) model = new_model (1);
  g_autoptr (TestBatch) tb = test_batch_new (8, 1);
  OtterTorchOtParams params;
  otter_torch_ot_params_init (&params);

  /* Train a few steps so the features mean something. */
  OtterTorchTrainParams tp;
  otter_torch_train_params_init (&tp);
  tp.method = OTTER_METHOD_STANDARD;
  tp.warmup_steps = 1;
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (model, &tp, NULL);
  for (int s = 0; s < 5; s++)
    {
      OtterTorchStepResult r;
      g_assert_true (otter_torch_trainer_step (trainer, &tb->batch, s, &r, NULL));
    }

  g_autoptr (GBytes) before = model_bytes (model);
  double gain = 0;
  int spaces[] = { OTTER_FEATURE_SPACE_BATCH, OTTER_FEATURE_SPACE_SPATIAL };
  for (guint k = 0; k < G_N_ELEMENTS (spaces); k++)
    for (guint64 seed = 0; seed < 4; seed++)
      {
        g_autoptr (GError) error = NULL;
        params.space = spaces[k];
        g_autoptr (OtterTorchOtResult) r = otter_torch_ot_attack (model, &tb->batch, &params, seed, &error);
        g_assert_no_error (error);
        g_assert_cmpfloat (r->d_start, >=, 0);
        g_assert_cmpfloat (r->d_final, >=, 0);
        g_assert_true (isfinite (r->d_start) && isfinite (r->d_final));
        gain += r->d_final - r->d_start;
        /* ‖x_adv − x‖∞ ≤ ε and x_adv ∈ [0, 1] */
        g_assert_cmpfloat (r->linf, <=, params.epsilon + 1e-6);
        for (int i = 0; i < 8 * 3 * SIZE * SIZE; i++)
          {
            g_assert_cmpfloat (r->perturbed[i], >=, 0.0f);
            g_assert_cmpfloat (r->perturbed[i], <=, 1.0f);
            g_assert_cmpfloat (fabs (r->perturbed[i] - tb->images[i]), <=, params.epsilon + 1e-6);
          }
        int side = r->plan_side;
          for (int p = 0; p < r->n_plans; p++)
          assert_plan_valid (r->plan + (gsize) p * side * side, side, side, 0.05);
        if (spaces[k] == OTTER_FEATURE_SPACE_BATCH)
          {
            g_assert_cmpint (r->n_plans, ==, 1);
            g_assert_cmpint (side, ==, 8);
            g_assert_null (r->cell_cost);
          }
        else
          {
            g_assert_cmpint (r->n_plans, ==, 8);
            g_assert_cmpint (r->map_h * r->map_w, ==, side);
            g_assert_cmpint (r->map_h, ==, SIZE / 4);
            g_assert_nonnull (r->cell_cost);
            g_assert_nonnull (r->displacement);
          }
      }
  /* The ascent step increases D on average over the random start. */
  g_assert_cmpfloat (gain, >, 0);

  /* The attack changed no weight, gradient-driven or batch-norm statistic. */
  g_autoptr (GBytes) after = model_bytes (model);
  g_assert_true (g_bytes_equal (before, after));
}

/* Holding the plan fixed (envelope theorem) must give an attack as strong
 * as differentiating through the Sinkhorn iterations. */
static void
test_ot_envelope_gradient (void)
{
  g_autoptr (OtterTorchModel) model = new_model (2);
  g_autoptr (TestBatch) tb = test_batch_new (8, 2);
  OtterTorchOtParams params;
  otter_torch_ot_params_init (&params);
  double fixed = 0, unrolled = 0;
  for (guint64 seed = 0; seed < 4; seed++)
    {
      params.unrolled_gradient = FALSE;
      g_autoptr (OtterTorchOtResult) a = otter_torch_ot_attack (model, &tb->batch, &params, seed, NULL);
      params.unrolled_gradient = TRUE;
      g_autoptr (OtterTorchOtResult) b = otter_torch_ot_attack (model, &tb->batch, &params, seed, NULL);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      fixed += a->d_final;
      unrolled += b->d_final;
    }
  g_test_message ("D after the step: fixed plan %.6f, unrolled %.6f", fixed / 4, unrolled / 4);
  g_assert_cmpfloat (fixed, >=, unrolled * 0.95);
}

/* The mean over the batch's objects of the highest score among the
 * detections centred inside the object's box. */
static double
object_peak_scores (OtterTorchModel       *model,
                    const OtterTorchBatch *batch)
{
  g_autoptr (GArray) found = otter_torch_model_detect (model, batch, 0.0f, 1000, NULL);
  double sum = 0;
  int count = 0;
  g_assert_nonnull (found);
  for (int i = 0; i < batch->n; i++)
    for (int b = batch->box_start[i]; b < batch->box_start[i + 1]; b++)
      {
        const OtterTorchBox *box = &batch->boxes[b];
        double best = 0;
        for (guint k = 0; k < found->len; k++)
          {
            const OtterTorchDetection *d = &g_array_index (found, OtterTorchDetection, k);
            double cx = (d->x1 + d->x2) / 2, cy = (d->y1 + d->y2) / 2;
            if (d->image == i && cx >= box->x1 && cx <= box->x2 && cy >= box->y1 && cy <= box->y2)
              best = MAX (best, d->score);
          }
        sum += best;
        count++;
      }
  return sum / MAX (count, 1);
}

static void
test_attacks_bounded (void)
{
  g_autoptr (OtterTorchModel) model = new_model (3);
  g_autoptr (TestBatch) tb = test_batch_new (4, 3);
  gsize n = 4 * 3 * SIZE * SIZE;
  g_autofree float *out = g_new (float, n);
  OtterTorchLoss clean, attacked;
  g_assert_true (otter_torch_model_loss (model, &tb->batch, &clean, NULL));
  for (int kind = OTTER_ATTACK_NONE; kind <= OTTER_ATTACK_OT; kind++)
    {
      OtterTorchAttackParams params;
      g_autoptr (GError) error = NULL;
      otter_torch_attack_params_init (&params, kind);
      g_assert_true (otter_torch_attack (model, &tb->batch, &params, 9, out, &error));
      g_assert_no_error (error);
      for (gsize i = 0; i < n; i++)
        {
          g_assert_cmpfloat (fabs (out[i] - tb->images[i]), <=, params.epsilon + 1e-6);
          g_assert_cmpfloat (out[i], >=, 0.0f);
          g_assert_cmpfloat (out[i], <=, 1.0f);
        }
    }

  /* PGD goes after the objects: the best score the model reports on each
   * object falls. An untrained model scores its prior everywhere, so it
   * learns the batch first. */
  OtterTorchTrainParams tp;
  otter_torch_train_params_init (&tp);
  tp.method = OTTER_METHOD_STANDARD;
  tp.warmup_steps = 1;
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (model, &tp, NULL);
  for (int step = 0; step < 30; step++)
    {
      OtterTorchStepResult r;
      g_assert_true (otter_torch_trainer_step (trainer, &tb->batch, step, &r, NULL));
    }
  g_assert_true (otter_torch_model_loss (model, &tb->batch, &clean, NULL));
  OtterTorchAttackParams pgd;
  otter_torch_attack_params_init (&pgd, OTTER_ATTACK_PGD);
  g_assert_true (otter_torch_attack (model, &tb->batch, &pgd, 9, out, NULL));
  OtterTorchBatch adv = tb->batch;
  adv.images = out;
  double before = object_peak_scores (model, &tb->batch), after = object_peak_scores (model, &adv);
  g_test_message ("PGD: mean best score on the objects %.4f → %.4f", before, after);
  g_assert_cmpfloat (after, <, 0.5 * before);
  /* and the detection loss rises with it */
  g_assert_true (otter_torch_model_loss (model, &adv, &attacked, NULL));
  g_test_message ("loss %.4f → %.4f", clean.total, attacked.total);
  g_assert_cmpfloat (attacked.total, >, clean.total);
}

static void
train_steps (OtterTorchModel *model, OtterTrainMethod method, int steps,
             double *first, double *last)
{
  g_autoptr (TestBatch) tb = test_batch_new (8, 4);
  OtterTorchTrainParams tp;
  otter_torch_train_params_init (&tp);
  tp.method = method;
  tp.warmup_steps = 2;
  tp.total_steps = steps;
  tp.pgd_steps = 2;
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (model, &tp, NULL);
  for (int s = 0; s < steps; s++)
    {
      OtterTorchStepResult r;
      g_autoptr (GError) error = NULL;
      g_assert_true (otter_torch_trainer_step (trainer, &tb->batch, s, &r, &error));
      g_assert_no_error (error);
      g_assert_true (isfinite (r.loss));
      if (method == OTTER_METHOD_OT)
        {
          g_assert_cmpfloat (fabs (r.loss - (r.l1 + r.l2)), <, 1e-3 * fabs (r.loss));
          g_assert_cmpfloat (r.d, >=, 0);
        }
      if (s == 0)
        *first = r.loss;
      *last = r.loss;
    }
}

static void
test_training_reduces_loss (void)
{
  for (int method = OTTER_METHOD_OT; method <= OTTER_METHOD_PGD; method++)
    {
      g_autoptr (OtterTorchModel) model = new_model (4);
      double first = 0, last = 0;
      train_steps (model, method, 25, &first, &last);
      g_test_message ("%s: loss %.3f → %.3f", otter_train_method_to_string (method), first, last);
      g_assert_cmpfloat (last, <, first * 0.7);
    }
}

static void
test_training_deterministic (void)
{
  g_autoptr (OtterTorchModel) a = new_model (5);
  g_autoptr (OtterTorchModel) b = new_model (5);
  double fa, la, fb, lb;
  train_steps (a, OTTER_METHOD_OT, 4, &fa, &la);
  train_steps (b, OTTER_METHOD_OT, 4, &fb, &lb);
  g_assert_cmpfloat (la, ==, lb);
  g_autoptr (GBytes) ba = model_bytes (a);
  g_autoptr (GBytes) bb = model_bytes (b);
  g_assert_true (g_bytes_equal (ba, bb));
}

static void
test_non_finite_loss (void)
{
  g_autoptr (OtterTorchModel) model = new_model (6);
  g_autoptr (TestBatch) tb = test_batch_new (4, 6);
  tb->images[17] = NAN;
  OtterTorchTrainParams tp;
  otter_torch_train_params_init (&tp);
  tp.method = OTTER_METHOD_STANDARD;
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (model, &tp, NULL);
  g_autoptr (GBytes) before = model_bytes (model);
  g_autoptr (GError) error = NULL;
  OtterTorchStepResult r;
  g_assert_false (otter_torch_trainer_step (trainer, &tb->batch, 0, &r, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NON_FINITE);
  g_autoptr (GBytes) after = model_bytes (model);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpint (otter_torch_trainer_get_step (trainer), ==, 0);
}

static void
test_model_files (void)
{
  g_autoptr (OtterTorchModel) model = new_model (7);
  g_autoptr (TestBatch) tb = test_batch_new (2, 7);
  g_autofree char *dir = g_dir_make_tmp ("otter-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.otter", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.otter", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (otter_torch_model_save (model, path, "{\"note\": \"hello\"}", &error));
  g_assert_no_error (error);
  g_autoptr (OtterTorchModel) loaded = otter_torch_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (otter_torch_model_get_arch (loaded), ==, "tiny");
  g_assert_cmpint (otter_torch_model_get_input_size (loaded), ==, SIZE);
  g_assert_cmpstr (otter_torch_model_get_class_names (loaded)[1], ==, "bar");
  g_assert_cmpstr (otter_torch_model_get_metadata (loaded), ==, "{\"note\":\"hello\"}");
  OtterTorchLoss la, lb;
  g_assert_true (otter_torch_model_loss (model, &tb->batch, &la, NULL));
  g_assert_true (otter_torch_model_loss (loaded, &tb->batch, &lb, NULL));
  g_assert_cmpfloat (la.total, ==, lb.total);

  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));

  /* truncated */
  g_assert_true (g_file_set_contents (bad, data, len / 2, NULL));
  g_assert_null (otter_torch_model_load (bad, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "bad.otter"));
  g_clear_error (&error);

  /* one flipped byte in the weights */
  data[len - 100] ^= 0x40;
  g_assert_true (g_file_set_contents (bad, data, len, NULL));
  g_assert_null (otter_torch_model_load (bad, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_CORRUPT);
  g_clear_error (&error);
  g_free (data);

  /* not a model at all, and a PyTorch archive */
  g_assert_true (g_file_set_contents (bad, "hello world, not a model", -1, NULL));
  g_assert_null (otter_torch_model_load (bad, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NOT_A_MODEL);
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (bad, "PK\x03\x04 zip", -1, NULL));
  g_assert_null (otter_torch_model_load (bad, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NOT_A_MODEL);
  g_assert_nonnull (strstr (error->message, "PyTorch"));
  g_clear_error (&error);

  /* empty file and missing file */
  g_assert_true (g_file_set_contents (bad, "", 0, NULL));
  g_assert_null (otter_torch_model_load (bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_unlink (bad);
  g_assert_null (otter_torch_model_load (bad, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_IO);
  g_clear_error (&error);

  /* a small model's weights under a tiny header: another architecture */
  const char *const one[] = { "x", NULL };
  g_autoptr (OtterTorchModel) small = otter_torch_model_new ("small", one, SIZE, 1, &error);
  g_assert_no_error (error);
  g_assert_true (otter_torch_model_save (small, bad, NULL, &error));
  g_autoptr (OtterTorchModel) small_loaded = otter_torch_model_load (bad, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (otter_torch_model_get_arch (small_loaded), ==, "small");

  g_unlink (bad);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_model_other_architecture (void)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "m.otter", NULL);
  g_autoptr (GError) error = NULL;
  const char *const one[] = { "x", NULL };
  g_autoptr (OtterTorchModel) small = otter_torch_model_new ("small", one, SIZE, 1, &error);
  g_assert_true (otter_torch_model_save (small, path, NULL, &error));

  /* weights of a small model under a header that says tiny */
  g_assert_cmpuint (model_file_rewrite_header (path, "\"arch\":\"small\"", "\"arch\":\"tiny\"", FALSE), ==, 1);
  g_assert_null (otter_torch_model_load (path, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_ARCHITECTURE);
  g_assert_nonnull (strstr (error->message, "m.otter"));
  g_clear_error (&error);

  /* an architecture this Otter does not know */
  g_assert_cmpuint (model_file_rewrite_header (path, "\"arch\":\"tiny\"", "\"arch\":\"yolov9\"", FALSE), ==, 1);
  g_assert_null (otter_torch_model_load (path, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_ARCHITECTURE);
  g_assert_nonnull (strstr (error->message, "yolov9"));
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_checkpoint_resume (void)
{
  g_autoptr (TestBatch) tb = test_batch_new (4, 8);
  g_autofree char *dir = g_dir_make_tmp ("otter-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "last.ckpt", NULL);
  OtterTorchTrainParams tp;
  otter_torch_train_params_init (&tp);
  tp.method = OTTER_METHOD_STANDARD;
  tp.warmup_steps = 1;
  OtterTorchStepResult r;

  g_autoptr (OtterTorchModel) a = new_model (9);
  g_autoptr (OtterTorchTrainer) ta = otter_torch_trainer_new (a, &tp, NULL);
  for (int s = 0; s < 3; s++)
    g_assert_true (otter_torch_trainer_step (ta, &tb->batch, s, &r, NULL));
  g_assert_true (otter_torch_trainer_save_checkpoint (ta, path, NULL, NULL));
  g_assert_true (otter_torch_trainer_step (ta, &tb->batch, 3, &r, NULL));
  double continued = r.loss;

  g_autoptr (OtterTorchModel) b = new_model (99);
  g_autoptr (OtterTorchTrainer) tb2 = otter_torch_trainer_new (b, &tp, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (otter_torch_trainer_load_checkpoint (tb2, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (otter_torch_trainer_get_step (tb2), ==, 3);
  g_assert_true (otter_torch_trainer_step (tb2, &tb->batch, 3, &r, NULL));
  g_assert_cmpfloat (fabs (r.loss - continued), <, 1e-6);

  /* a checkpoint is also a loadable model */
  g_autoptr (OtterTorchModel) m = otter_torch_model_load (path, &error);
  g_assert_no_error (error);

  /* another optimiser's state is refused, not silently reset */
  OtterTorchTrainParams sgd = tp;
  sgd.optimizer = OTTER_OPTIMIZER_SGD;
  g_autoptr (OtterTorchModel) c = new_model (7);
  g_autoptr (OtterTorchTrainer) tc = otter_torch_trainer_new (c, &sgd, NULL);
  g_assert_false (otter_torch_trainer_load_checkpoint (tc, path, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "adamw"));
  g_assert_cmpint (otter_torch_trainer_get_step (tc), ==, 0);
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
}

/* A write that fails half-way (here: the file-size limit standing in for a
 * full disk, which even root cannot ignore) keeps the previous checkpoint. */
static void
test_checkpoint_disk_full (void)
{
  g_autoptr (TestBatch) tb = test_batch_new (4, 12);
  g_autofree char *dir = g_dir_make_tmp ("otter-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "last.ckpt", NULL);
  OtterTorchTrainParams tp;
  otter_torch_train_params_init (&tp);
  OtterTorchStepResult r;
  g_autoptr (OtterTorchModel) model = new_model (12);
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (model, &tp, NULL);
  g_assert_true (otter_torch_trainer_step (trainer, &tb->batch, 0, &r, NULL));
  g_assert_true (otter_torch_trainer_save_checkpoint (trainer, path, NULL, NULL));
  char *good = NULL;
  gsize good_len = 0;
  g_assert_true (g_file_get_contents (path, &good, &good_len, NULL));
  g_assert_true (otter_torch_trainer_step (trainer, &tb->batch, 1, &r, NULL));

  struct rlimit saved, small;
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  small = saved;
  small.rlim_cur = 64 * 1024;
  void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  g_autoptr (GError) error = NULL;
  gboolean ok = otter_torch_trainer_save_checkpoint (trainer, path, NULL, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, old_handler);
  g_assert_false (ok);
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "last.ckpt"));

  char *now = NULL;
  gsize now_len = 0;
  g_assert_true (g_file_get_contents (path, &now, &now_len, NULL));
  g_assert_cmpuint (now_len, ==, good_len);
  g_assert_cmpmem (now, now_len, good, good_len);
  g_free (now);
  g_free (good);
  /* no temporary file left behind */
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  int entries = 0;
  while (g_dir_read_name (listing) != NULL)
    entries++;
  g_assert_cmpint (entries, ==, 1);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_detect (void)
{
  g_autoptr (OtterTorchModel) model = new_model (10);
  g_autoptr (TestBatch) tb = test_batch_new (3, 10);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) dets = otter_torch_model_detect (model, &tb->batch, 0.0f, 20, &error);
  g_assert_no_error (error);
  int per_image[3] = { 0, 0, 0 };
  for (guint i = 0; i < dets->len; i++)
    {
      OtterTorchDetection *d = &g_array_index (dets, OtterTorchDetection, i);
      g_assert_cmpfloat (d->x1, <=, d->x2);
      g_assert_cmpfloat (d->x2, <=, SIZE);
      g_assert_cmpint (d->class_id, <, 2);
      g_assert_cmpint (d->image, >=, i > 0 ? g_array_index (dets, OtterTorchDetection, i - 1).image : 0);
      per_image[d->image]++;
      if (i > 0 && g_array_index (dets, OtterTorchDetection, i - 1).image == d->image)
        g_assert_cmpfloat (d->score, <=, g_array_index (dets, OtterTorchDetection, i - 1).score);
      /* NMS: no two detections of a class in an image overlap by half */
      for (guint j = 0; j < i; j++)
        {
          OtterTorchDetection *e = &g_array_index (dets, OtterTorchDetection, j);
          if (e->image != d->image || e->class_id != d->class_id)
            continue;
          float w = MIN (d->x2, e->x2) - MAX (d->x1, e->x1), h = MIN (d->y2, e->y2) - MAX (d->y1, e->y1);
          float inter = w > 0 && h > 0 ? w * h : 0;
          float uni = (d->x2 - d->x1) * (d->y2 - d->y1) + (e->x2 - e->x1) * (e->y2 - e->y1) - inter;
          if (uni > 0)   /* empty boxes overlap nothing */
            g_assert_cmpfloat (inter, <, 0.5f * uni);
        }
    }
  for (int b = 0; b < 3; b++)
    {
      g_assert_cmpint (per_image[b], >, 0);
      g_assert_cmpint (per_image[b], <=, 20);
    }
}

static void
test_bad_arguments (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_null (otter_torch_model_new ("huge", class_names, SIZE, 0, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (otter_torch_model_new ("tiny", class_names, 100, 0, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_autoptr (OtterTorchModel) model = new_model (0);
  g_autoptr (TestBatch) tb = test_batch_new (2, 0);
  OtterTorchOtParams params;
  otter_torch_ot_params_init (&params);
  params.reg = 0;
  g_assert_null (otter_torch_ot_attack (model, &tb->batch, &params, 0, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  OtterTorchTrainParams tp;
  otter_torch_train_params_init (&tp);
  tp.lr = -1;
  g_assert_null (otter_torch_trainer_new (model, &tp, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  tb->boxes[0].class_id = 7;
  OtterTorchLoss loss;
  g_assert_false (otter_torch_model_loss (model, &tb->batch, &loss, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char *argv[])
{
  const char *threads = g_getenv ("OTTER_THREADS");
  g_test_init (&argc, &argv, NULL);
  otter_torch_set_threads (threads ? atoi (threads) : 2);

  g_test_add_func ("/otter/Torch/sinkhorn/marginals", test_sinkhorn_marginals);
  g_test_add_func ("/otter/Torch/sinkhorn/defaults-finite", test_sinkhorn_defaults_finite);
  g_test_add_func ("/otter/Torch/sinkhorn/pot-parity", test_sinkhorn_pot_parity);
  g_test_add_func ("/otter/Torch/sinkhorn/identical-inputs", test_sinkhorn_identical);
  g_test_add_func ("/otter/Torch/sinkhorn/bad-arguments", test_sinkhorn_bad_arguments);
  g_test_add_func ("/otter/Torch/sinkhorn/threads-agree", test_sinkhorn_threads_agree);
  g_test_add_func ("/otter/Torch/sinkhorn/non-finite-costs", test_sinkhorn_non_finite_costs);
  g_test_add_func ("/otter/Torch/ot/attack-properties", test_ot_attack_properties);
  g_test_add_func ("/otter/Torch/ot/envelope-gradient", test_ot_envelope_gradient);
  g_test_add_func ("/otter/Torch/attacks/bounded", test_attacks_bounded);
  g_test_add_func ("/otter/Torch/train/reduces-loss", test_training_reduces_loss);
  g_test_add_func ("/otter/Torch/train/deterministic", test_training_deterministic);
  g_test_add_func ("/otter/Torch/train/non-finite", test_non_finite_loss);
  g_test_add_func ("/otter/Torch/train/checkpoint-resume", test_checkpoint_resume);
  g_test_add_func ("/otter/Torch/train/checkpoint-disk-full", test_checkpoint_disk_full);
  g_test_add_func ("/otter/Torch/model/files", test_model_files);
  g_test_add_func ("/otter/Torch/model/other-architecture", test_model_other_architecture);
  g_test_add_func ("/otter/Torch/model/detect", test_detect);
  g_test_add_func ("/otter/Torch/bad-arguments", test_bad_arguments);
  return g_test_run ();
}
