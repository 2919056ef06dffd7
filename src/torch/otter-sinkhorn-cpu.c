/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-sinkhorn-cpu.c: a float32 Sinkhorn solve on the CPU, on raw memory
 *
 * A solve at n = 1024 keeps its 4 MB kernel in the last-level cache, so
 * its speed is how many times it reads it. An iteration here reads it once:
 * each row gives (Kv)_i, hence the next u_i, and while the row is still in
 * the L1 cache adds u_i K_i to the column sums that the next v needs.
 * Building the kernel reads the cost twice, once for the maxima that
 * balance it and once to write the exponentials (and their column sums);
 * the plan u_i K_ij v_j is formed in place with both of its marginals.
 *
 * A large plan is cut into pieces of rows, each with its own column sums,
 * added in a fixed order afterwards: how many pieces depends on the size
 * alone, so the arithmetic is the same on one thread or eight.
 *
 * The shim is built for the baseline x86-64, so the loops are compiled at
 * -O3 and get AVX2 and AVX-512 versions, chosen when the program starts.
 * Sums run in independent partial sums so that they vectorise without
 * reassociating floating point behind the compiler's back.
 */
#include "otter-sinkhorn-cpu.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
/* Without trapping math the clamps and the float-to-int rounding of the
 * exponential may run on every lane; nothing here reads the FP flags. */
#pragma GCC optimize ("O3", "no-trapping-math")
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIMD_CLONES __attribute__ ((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SIMD_CLONES
#endif
#define INLINE static inline __attribute__ ((always_inline))
/* The forms of maxps and minps: fmaxf() would keep its NaN rules and its
 * scalar calls. */
#define MAX(x, y) ((x) > (y) ? (x) : (y))
#define MIN(x, y) ((x) < (y) ? (x) : (y))

/* Exponents below this give entries that change no marginal by a float32
 * digit; as subnormal numbers (from e^−87) they would make every product
 * with them a hundred times slower, so they become 0. It also keeps the
 * products with the scalings (kept within 1e±15) normal. */
#define NEGLIGIBLE_EXPONENT (-40.0f)
/* the smallest float32 a product may reach before a division by it */
#define TINY 1e-37f
/* Scalings up to 1e15 leave the products that matter well inside float32;
 * what they push below its range are plan entries too small to count.
 * Past them the scalings are absorbed into the potentials. */
#define ABSORB_ABOVE 1e15f
#define ABSORB_BELOW 1e-15f
/* Pieces of about this many entries (1 MB) are worth a thread each. */
#define PIECE_ENTRIES (1 << 18)
#define MAX_PIECES 8

/* Sums run in sixteen lanes, held as two vectors of eight floats: one
 * AVX2 register each, or two SSE ones. A single 64-byte vector type was
 * native only to the AVX-512 version; in the AVX2 one the compiler moved
 * each through the stack and general registers, which made an iteration
 * at 256 × 256 six times slower on an AVX2 CPU. In sixteen lanes either
 * way, the sums (and so the plans) are the same in every version. */
typedef float Floats8 __attribute__ ((vector_size (32), aligned (4)));
typedef struct
{
  Floats8 lo, hi;
} Lanes16;
#define LOAD8(p) (*(const Floats8 *) (p))

INLINE void
add_product (Lanes16 *s, const float *x, const float *y)
{
  s->lo += LOAD8 (x) * LOAD8 (y);
  s->hi += LOAD8 (x + 8) * LOAD8 (y + 8);
}

INLINE void
add_lanes (Lanes16 *s, const float *x)
{
  s->lo += LOAD8 (x);
  s->hi += LOAD8 (x + 8);
}

/* (s0 + s1) + (s2 + s3), lane by lane */
INLINE Lanes16
combine (Lanes16 s0, Lanes16 s1, Lanes16 s2, Lanes16 s3)
{
  return (Lanes16) { (s0.lo + s1.lo) + (s2.lo + s3.lo), (s0.hi + s1.hi) + (s2.hi + s3.hi) };
}

/* lanes 0 to 15 in turn */
INLINE float
horizontal_sum (const Lanes16 *s)
{
  float total = 0;
  for (int l = 0; l < 8; l++)
    total += s->lo[l];
  for (int l = 0; l < 8; l++)
    total += s->hi[l];
  return total;
}

/* Four independent accumulators, so that the adds do not wait on each
 * other's latency. */
INLINE float
dot (const float *restrict x, const float *restrict y, int64_t n)
{
  Lanes16 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
  int64_t j = 0;
  for (; j + 64 <= n; j += 64)
    {
      add_product (&s0, x + j, y + j);
      add_product (&s1, x + j + 16, y + j + 16);
      add_product (&s2, x + j + 32, y + j + 32);
      add_product (&s3, x + j + 48, y + j + 48);
    }
  for (; j + 16 <= n; j += 16)
    add_product (&s0, x + j, y + j);
  Lanes16 all = combine (s0, s1, s2, s3);
  float total = horizontal_sum (&all);
  for (; j < n; j++)
    total += x[j] * y[j];
  return total;
}

/* The products of four rows with one vector, which is read once for all. */
INLINE void
dot4 (const float *restrict k, int64_t m, const float *restrict y, float out[4])
{
  Lanes16 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
  int64_t j = 0;
  for (; j + 16 <= m; j += 16)
    {
      add_product (&s0, k + j, y + j);
      add_product (&s1, k + m + j, y + j);
      add_product (&s2, k + 2 * m + j, y + j);
      add_product (&s3, k + 3 * m + j, y + j);
    }
  out[0] = horizontal_sum (&s0);
  out[1] = horizontal_sum (&s1);
  out[2] = horizontal_sum (&s2);
  out[3] = horizontal_sum (&s3);
  for (; j < m; j++)
    for (int r = 0; r < 4; r++)
      out[r] += k[r * m + j] * y[j];
}

INLINE float
sum (const float *restrict x, int64_t n)
{
  Lanes16 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
  int64_t j = 0;
  for (; j + 64 <= n; j += 64)
    {
      add_lanes (&s0, x + j);
      add_lanes (&s1, x + j + 16);
      add_lanes (&s2, x + j + 32);
      add_lanes (&s3, x + j + 48);
    }
  for (; j + 16 <= n; j += 16)
    add_lanes (&s0, x + j);
  Lanes16 all = combine (s0, s1, s2, s3);
  float total = horizontal_sum (&all);
  for (; j < n; j++)
    total += x[j];
  return total;
}

/* e^x for x in [−40, 0] (a little above 0 from rounding is fine), within
 * 2e-7 relative: x·log2(e) = k + r with k whole and |r| ≤ ½; 2^r from its
 * Taylor series to the sixth power (error below (ln 2 / 2)^7 / 7!), 2^k
 * written straight into the exponent bits. Branch-free, so it vectorises.
 * k is rounded by the float adder: past 1.5 · 2^23 a float has no fraction
 * bits, and k is read off the sum's low bits. A cast to int rounded it
 * before, which is undefined for a NaN (UBSan caught it); a NaN now comes
 * out NaN through r. */
INLINE float
exp_nonpositive (float x)
{
  const float round_shift = 12582912.0f;     /* 1.5 · 2^23 */
  float t = x * 1.44269504088896341f;
  union { float value; uint32_t bits; } shifted = { .value = t + round_shift };
  float k = shifted.value - round_shift;
  float y = (t - k) * 0.693147180559945309f;
  float p = 1.0f + y * (1.0f + y * (1.0f / 2 + y * (1.0f / 6 + y * (1.0f / 24 + y * (1.0f / 120 + y * (1.0f / 720))))));
  /* the sum's bits are round_shift's plus k: k + 127 is the exponent */
  union { uint32_t bits; float value; } scale = { .bits = (shifted.bits - 0x4B400000u + 127u) << 23 };
  return p * scale.value;
}

/* Moves f over rows [i0, i1) so that each row of the exponent
 * (f_i + g_j − C_ij)/reg peaks at 0, and raises col_max[j] to the column
 * maxima of what remains. The old f does not matter: f_i = −max_j(g_j − C_ij). */
/* A running maximum vectorises only where the compiler may ignore NaN and
 * the sign of zero; a NaN cost still reaches the kernel through
 * fill_kernel(), which keeps it. */
#define MAXIMA_VECTORISE __attribute__ ((optimize ("O3", "no-trapping-math", "finite-math-only", "no-signed-zeros")))

SIMD_CLONES MAXIMA_VECTORISE static void
balance_rows (const float *cost, int64_t i0, int64_t i1, int64_t m, float reg,
              float *f, const float *restrict g, float *restrict col_max)
{
  const float inv_reg = 1.0f / reg;
  for (int64_t i = i0; i < i1; i++)
    {
      const float *restrict c = cost + i * m;
      float peak = -FLT_MAX;
      for (int64_t j = 0; j < m; j++)
        peak = MAX (peak, g[j] - c[j]);
      float fi = -peak;
      f[i] = fi;
      for (int64_t j = 0; j < m; j++)
        col_max[j] = MAX (col_max[j], (fi + g[j] - c[j]) * inv_reg);
    }
}

/* K_ij = exp((f_i + g_j − C_ij)/reg) for rows [i0, i1), entries below
 * e^−40 made 0, and their column sums added to col. */
SIMD_CLONES static void
fill_kernel (const float *cost, int64_t i0, int64_t i1, int64_t m, float reg,
             const float *f, const float *restrict g, float *kernel, float *restrict col)
{
  const float inv_reg = 1.0f / reg;
  for (int64_t i = i0; i < i1; i++)
    {
      const float *restrict c = cost + i * m;
      float *restrict k = kernel + i * m;
      float fi = f[i];
      for (int64_t j = 0; j < m; j++)
        {
          float e = (fi + g[j] - c[j]) * inv_reg;
          /* this order of the clamp lets a NaN through, to be seen */
          float value = exp_nonpositive (e < NEGLIGIBLE_EXPONENT ? NEGLIGIBLE_EXPONENT : e);
          value = e < NEGLIGIBLE_EXPONENT ? 0.0f : value;
          k[j] = value;
          col[j] += value;
        }
    }
}

/* One iteration's pass over rows [i0, i1), given the new v: (Kv)_i, the
 * row marginal error Σ|u_i (Kv)_i − a| of the current u (returned), the
 * next u_next_i = a/(Kv)_i, and Σ_i u_next_i K_ij added to col[j] for the
 * next v. *high and *low are moved to the extremes of u_next. Four rows
 * at a time: v and the column sums are then read and written once for
 * four rows of the kernel, which stay in the L1 cache between the two
 * halves. */
SIMD_CLONES static double
iterate_rows (const float *kernel, int64_t i0, int64_t i1, int64_t m, const float *restrict v,
              const float *u, float a, float *u_next, float *restrict col, float *high, float *low)
{
  double err = 0;
  float hi = *high, lo = *low;
  int64_t i = i0;
  for (; i + 4 <= i1; i += 4)
    {
      const float *restrict k = kernel + i * m;
      float kv[4], next[4];
      dot4 (k, m, v, kv);
      for (int r = 0; r < 4; r++)
        {
          err += fabs ((double) u[i + r] * kv[r] - a);
          next[r] = a / MAX (kv[r], TINY);
          u_next[i + r] = next[r];
          hi = MAX (hi, next[r]);
          lo = MIN (lo, next[r]);
        }
      for (int64_t j = 0; j < m; j++)
        col[j] = col[j] + next[0] * k[j] + next[1] * k[m + j] + next[2] * k[2 * m + j] + next[3] * k[3 * m + j];
    }
  for (; i < i1; i++)
    {
      const float *restrict k = kernel + i * m;
      float kv = dot (k, v, m);
      err += fabs ((double) u[i] * kv - a);
      float next = a / MAX (kv, TINY);
      u_next[i] = next;
      hi = MAX (hi, next);
      lo = MIN (lo, next);
      for (int64_t j = 0; j < m; j++)
        col[j] += next * k[j];
    }
  *high = hi;
  *low = lo;
  return err;
}

/* The plan u_i K_ij v_j in place over rows [i0, i1); adds its column sums
 * to col and returns Σ_i |row sum − a|. */
SIMD_CLONES static double
form_plan_rows (float *kernel, int64_t i0, int64_t i1, int64_t m, const float *u,
                const float *restrict v, float a, float *restrict col)
{
  double err = 0;
  for (int64_t i = i0; i < i1; i++)
    {
      float *restrict k = kernel + i * m;
      float ui = u[i];
      for (int64_t j = 0; j < m; j++)
        {
          k[j] *= ui * v[j];
          col[j] += k[j];
        }
      err += fabs ((double) sum (k, m) - a);
    }
  return err;
}

typedef enum
{
  STAGE_BALANCE,
  STAGE_FILL,
  STAGE_ITERATE,
  STAGE_FORM_PLAN,
} Stage;

typedef struct
{
  const float *cost;
  float *kernel;
  int64_t n, m, rows_per_piece, n_pieces;
  float reg, a;
  float *f, *g, *u, *u_next, *v;
  /* per piece: m column sums (or maxima), an error, the extremes of u_next */
  float *columns;
  double *errors;
  float *highs, *lows;
  Stage stage;
} Solve;

static void
run_piece (void *data, int64_t piece)
{
  Solve *s = data;
  int64_t i0 = piece * s->rows_per_piece;
  int64_t i1 = MIN (s->n, i0 + s->rows_per_piece);
  float *col = s->columns + piece * s->m;
  if (s->stage != STAGE_BALANCE)
    memset (col, 0, sizeof (float) * (size_t) s->m);
  switch (s->stage)
    {
    case STAGE_BALANCE:
      for (int64_t j = 0; j < s->m; j++)
        col[j] = -FLT_MAX;
      balance_rows (s->cost, i0, i1, s->m, s->reg, s->f, s->g, col);
      break;
    case STAGE_FILL:
      fill_kernel (s->cost, i0, i1, s->m, s->reg, s->f, s->g, s->kernel, col);
      break;
    case STAGE_ITERATE:
      s->highs[piece] = 0.0f;
      s->lows[piece] = INFINITY;
      s->errors[piece] = iterate_rows (s->kernel, i0, i1, s->m, s->v, s->u, s->a, s->u_next, col,
                                       &s->highs[piece], &s->lows[piece]);
      break;
    case STAGE_FORM_PLAN:
      s->errors[piece] = form_plan_rows (s->kernel, i0, i1, s->m, s->u, s->v, s->a, col);
      break;
    }
}

static void
run_stage (Solve *s, Stage stage, OtterSinkhornParallel parallel)
{
  s->stage = stage;
  if (parallel != NULL && s->n_pieces > 1)
    parallel (s->n_pieces, run_piece, s);
  else
    for (int64_t p = 0; p < s->n_pieces; p++)
      run_piece (s, p);
}

/* The pieces' column sums (or maxima), in piece order, into the first. */
static float *
combine_columns (Solve *s, bool maxima)
{
  float *total = s->columns;
  for (int64_t p = 1; p < s->n_pieces; p++)
    {
      const float *col = s->columns + p * s->m;
      for (int64_t j = 0; j < s->m; j++)
        total[j] = maxima ? MAX (total[j], col[j]) : total[j] + col[j];
    }
  return total;
}

static double
combine_errors (const Solve *s)
{
  double err = 0;
  for (int64_t p = 0; p < s->n_pieces; p++)
    err += s->errors[p];
  return err;
}

/* The kernel of the potentials f and g, with g then f moved (an equivalent
 * parametrisation: the plan does not change) so that every row and every
 * column has its largest entry at exactly 1 and none above: no overflow
 * whatever the start, and no row or column that underflows to all zeros.
 * Leaves the kernel's column sums in s->columns. */
static void
build_kernel (Solve *s, OtterSinkhornParallel parallel)
{
  run_stage (s, STAGE_BALANCE, parallel);
  const float *col_max = combine_columns (s, true);
  for (int64_t j = 0; j < s->m; j++)
    s->g[j] -= s->reg * col_max[j];
  run_stage (s, STAGE_FILL, parallel);
  for (int64_t i = 0; i < s->n; i++)
    s->u[i] = 1.0f;
}

bool
otter_sinkhorn_cpu_solve (const float *cost, int64_t n, int64_t m, float reg, int max_iter,
                          double tol, float *f, float *g, float *plan,
                          OtterSinkhornParallel parallel, OtterSinkhornCpuResult *result)
{
  int64_t n_pieces = MIN (MIN ((n * m) / PIECE_ENTRIES, MAX_PIECES), n);
  n_pieces = MAX (n_pieces, 1);
  Solve s = {
    .cost = cost, .kernel = plan, .n = n, .m = m,
    .rows_per_piece = (n + n_pieces - 1) / n_pieces,
    .reg = reg, .a = 1.0f / (float) n, .f = f, .g = g,
  };
  s.n_pieces = (n + s.rows_per_piece - 1) / s.rows_per_piece;
  float *scalings = malloc (sizeof (float) * (size_t) (2 * n + m));
  s.columns = malloc (sizeof (float) * (size_t) (s.n_pieces * m));
  s.errors = malloc (sizeof (double) * (size_t) s.n_pieces);
  s.highs = malloc (sizeof (float) * (size_t) (2 * s.n_pieces));
  if (scalings == NULL || s.columns == NULL || s.errors == NULL || s.highs == NULL)
    {
      free (scalings), free (s.columns), free (s.errors), free (s.highs);
      return false;
    }
  s.u = scalings;
  s.u_next = scalings + n;
  s.v = scalings + 2 * n;
  s.lows = s.highs + s.n_pieces;
  const float b = 1.0f / (float) m;

  build_kernel (&s, parallel);
  int it = 0;
  for (; it < max_iter; it++)
    {
      /* the column sums of u·K, from the pass that made u */
      const float *ktu = combine_columns (&s, false);
      float high = 0.0f, low = INFINITY;
      for (int64_t j = 0; j < m; j++)
        {
          s.v[j] = b / MAX (ktu[j], TINY);
          high = MAX (high, s.v[j]);
          low = MIN (low, s.v[j]);
        }
      run_stage (&s, STAGE_ITERATE, parallel);
      /* Columns are exact right after the v-update; rows are off by this. */
      double err = combine_errors (&s);
      if (!isfinite (err))
        break;
      if (err < tol)
        {
          it++;
          break;
        }
      float *old = s.u;
      s.u = s.u_next;
      s.u_next = old;
      for (int64_t p = 0; p < s.n_pieces; p++)
        high = MAX (high, s.highs[p]), low = MIN (low, s.lows[p]);
      if (high > ABSORB_ABOVE || low < ABSORB_BELOW)
        {
          /* balancing the rows sets f from g alone */
          for (int64_t j = 0; j < m; j++)
            g[j] += reg * logf (s.v[j]);
          build_kernel (&s, parallel);
        }
    }

  for (int64_t i = 0; i < n; i++)
    f[i] += reg * logf (s.u[i]);
  for (int64_t j = 0; j < m; j++)
    g[j] += reg * logf (s.v[j]);
  run_stage (&s, STAGE_FORM_PLAN, parallel);
  double row_err = combine_errors (&s), col_err = 0;
  const float *col = combine_columns (&s, false);
  for (int64_t j = 0; j < m; j++)
    col_err += fabs ((double) col[j] - b);
  result->iterations = it;
  result->marginal_error = MAX (row_err, col_err);
  if (isnan (row_err) || isnan (col_err))
    result->marginal_error = NAN;

  free (scalings), free (s.columns), free (s.errors), free (s.highs);
  return true;
}
