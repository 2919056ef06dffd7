/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-metrics.c: VOC all-point AP@0.5 and COCO AP@[.5:.95], PR curves,
 * per-image scores and the confusion matrix */
#include "config.h"

#include <float.h>
#include <math.h>

#include <json-glib/json-glib.h>

#include "otter-metrics.h"

#define EPS 1e-12

/* COCOeval's precision is tp / (tp + fp + eps) with eps = 2^-52: a lone TP
 * has precision 1 / (1 + 2^-52), the double just below 1. With two or more
 * TPs the envelope lifts it back to exactly 1. */
#define ONE (1.0 / (1.0 + DBL_EPSILON))

static OtterTruth
truth (guint  image,
       int    class_id,
       double x1,
       double y1,
       double x2,
       double y2)
{
  return (OtterTruth) { image, class_id, x1, y1, x2, y2, FALSE };
}

static OtterTruth
crowd (guint  image,
       int    class_id,
       double x1,
       double y1,
       double x2,
       double y2)
{
  return (OtterTruth) { image, class_id, x1, y1, x2, y2, TRUE };
}

static OtterPrediction
pred (guint  image,
      int    class_id,
      double x1,
      double y1,
      double x2,
      double y2,
      double score)
{
  return (OtterPrediction) { image, class_id, x1, y1, x2, y2, score };
}

static OtterMapResult *
compute (const OtterTruth      *truths,
         guint                  n_truths,
         const OtterPrediction *preds,
         guint                  n_preds,
         guint                  n_classes,
         guint                  max_per_image)
{
  OtterMapResult *result = otter_map_compute (truths, n_truths, preds, n_preds,
                                              n_classes, max_per_image);

  g_assert_nonnull (result);
  g_assert_cmpuint (result->n_classes, ==, n_classes);
  return result;
}

/* Class 0: three truths found exactly in score order, so PR points
 * (1/3, 1) (2/3, 1) (1, 1): VOC 1; COCO precision 1 at every recall sample
 * and threshold: 1. Class 1: a lone truth, found: VOC 1, COCO ONE. */
static void
test_perfect (void)
{
  const OtterTruth t[] = {
    truth (0, 0, 0, 0, 10, 10),
    truth (0, 0, 20, 20, 40, 40),
    truth (1, 0, 5, 5, 15, 25),
    truth (1, 1, 0, 0, 50, 50),
  };
  const OtterPrediction p[] = {
    pred (1, 0, 5, 5, 15, 25, 0.7),
    pred (0, 0, 20, 20, 40, 40, 0.8),
    pred (0, 0, 0, 0, 10, 10, 0.9),
    pred (1, 1, 0, 0, 50, 50, 0.6),
  };
  g_autoptr(OtterMapResult) r = compute (t, G_N_ELEMENTS (t), p, G_N_ELEMENTS (p), 2, 0);

  g_assert_cmpuint (r->n_truths[0], ==, 3);
  g_assert_cmpuint (r->n_truths[1], ==, 1);
  g_assert_cmpfloat (r->ap50[0], ==, 1.0);
  g_assert_cmpfloat (r->ap[0], ==, 1.0);
  g_assert_cmpfloat (r->ap50[1], ==, 1.0);
  g_assert_cmpfloat_with_epsilon (r->ap[1], ONE, EPS);
  g_assert_cmpfloat (r->map50, ==, 1.0);
  g_assert_cmpfloat_with_epsilon (r->map, (1.0 + ONE) / 2, EPS);
}

/* One truth, a FP at 0.9 then the TP at 0.8: PR points (0, 0) (1, 1/2).
 * VOC: envelope 1/2 on (0, 1], area 1 × 1/2 = 0.5. COCO: envelope 1/2 at
 * both points; recall sample 0 reads the first point, the others the second:
 * 0.5 at every threshold. Swapping the scores gives (1, 1): 1 and ONE. */
static void
test_fp_above_tp (void)
{
  const OtterTruth t[] = { truth (0, 0, 0, 0, 10, 10) };
  OtterPrediction p[] = {
    pred (0, 0, 50, 50, 60, 60, 0.9),
    pred (0, 0, 0, 0, 10, 10, 0.8),
  };
  g_autoptr(OtterMapResult) r = compute (t, 1, p, 2, 1, 0);
  g_autoptr(OtterMapResult) swapped = NULL;

  g_assert_cmpfloat_with_epsilon (r->ap50[0], 0.5, EPS);
  g_assert_cmpfloat_with_epsilon (r->ap[0], 0.5, EPS);

  p[0].score = 0.7;
  swapped = compute (t, 1, p, 2, 1, 0);
  g_assert_cmpfloat (swapped->ap50[0], ==, 1.0);
  g_assert_cmpfloat_with_epsilon (swapped->ap[0], ONE, EPS);
}

/* Two truths, one found: PR point (1/2, 1). VOC: 1 × 1/2 = 0.5. COCO: the
 * 51 recall samples 0, .01, ..., .50 read ONE, the 50 past recall 1/2 read
 * 0: 51/101 ≈ 0.50495 at every threshold (where VOC and COCO differ). */
static void
test_missed_truth (void)
{
  const OtterTruth t[] = {
    truth (0, 0, 0, 0, 10, 10),
    truth (0, 0, 20, 20, 30, 30),
  };
  const OtterPrediction p[] = { pred (0, 0, 0, 0, 10, 10, 0.9) };
  g_autoptr(OtterMapResult) r = compute (t, 2, p, 1, 1, 0);

  g_assert_cmpuint (r->n_truths[0], ==, 2);
  g_assert_cmpfloat_with_epsilon (r->ap50[0], 0.5, EPS);
  g_assert_cmpfloat_with_epsilon (r->ap[0], 51.0 / 101.0 * ONE, EPS);
}

/* Truths A and B; predictions A (0.9), A again (0.8), B (0.7): TP, FP, TP,
 * PR points (1/2, 1) (1/2, 1/2) (1, 2/3). VOC: envelope 1 up to 1/2, 2/3
 * after: 1/2 + 1/2 × 2/3 = 5/6. COCO: samples ≤ .50 read ONE (51), the
 * others 2/3 (50): (51 ONE + 50 × 2/3) / 101 ≈ 0.83498. Had the duplicate
 * not counted as FP, both would be 1. */
static void
test_duplicate (void)
{
  const OtterTruth t[] = {
    truth (0, 0, 0, 0, 10, 10),
    truth (0, 0, 20, 20, 30, 30),
  };
  const OtterPrediction p[] = {
    pred (0, 0, 0, 0, 10, 10, 0.9),
    pred (0, 0, 0, 0, 10, 10, 0.8),
    pred (0, 0, 20, 20, 30, 30, 0.7),
  };
  g_autoptr(OtterMapResult) r = compute (t, 2, p, 3, 1, 0);

  g_assert_cmpfloat_with_epsilon (r->ap50[0], 5.0 / 6.0, EPS);
  g_assert_cmpfloat_with_epsilon (r->ap[0], (51 * ONE + 50 * 2.0 / 3.0) / 101, EPS);
}

/* A truth and a crowd region [100, 200] × [0, 100] of the same class. Two
 * small predictions inside the region (IoU 0.04 and 0.16 with its box, but
 * all of their area inside it) score above the TP. COCO ignores both, and
 * one region absorbs both, so the TP stands alone: ONE. The VOC devkit
 * compares its "difficult" boxes by IoU like any other, so both are FPs:
 * PR (0, 0) (0, 0) (1, 1/3), 1/3. A prediction with only 1/4 of its area
 * on the region is a FP for both, ranked first: COCO PR (0, 0) (1, 1/2),
 * 0.5; VOC three FPs before the TP, 1/4.
 * A real truth inside the region wins over it even at equal overlap (IoU 1,
 * IoA 1): the hit on it is a TP, not ignored, and both truths are found:
 * PR (1/2, ONE) (1, 1): 1. */
static void
test_crowd (void)
{
  const OtterTruth t[] = {
    truth (0, 0, 0, 0, 10, 10),
    crowd (0, 0, 100, 0, 200, 100),
  };
  OtterPrediction p[] = {
    pred (0, 0, 110, 10, 130, 30, 0.9),
    pred (0, 0, 150, 50, 190, 90, 0.85),
    pred (0, 0, 0, 0, 10, 10, 0.8),
    pred (0, 0, 190, 0, 230, 40, 0.95),
  };
  g_autoptr(OtterMapResult) r = compute (t, 2, p, 3, 1, 0);
  g_autoptr(OtterMapResult) edge = compute (t, 2, p, 4, 1, 0);
  g_autoptr(OtterMapResult) inside = NULL;
  const OtterTruth t_inside[] = {
    truth (0, 0, 0, 0, 10, 10),
    crowd (0, 0, 100, 0, 200, 100),
    truth (0, 0, 120, 60, 140, 80),
  };
  const OtterPrediction p_inside[] = {
    pred (0, 0, 120, 60, 140, 80, 0.9),
    pred (0, 0, 0, 0, 10, 10, 0.8),
  };

  g_assert_cmpuint (r->n_truths[0], ==, 1);
  g_assert_cmpfloat_with_epsilon (r->ap50[0], 1.0 / 3.0, EPS);
  g_assert_cmpfloat_with_epsilon (r->ap[0], ONE, EPS);

  g_assert_cmpfloat_with_epsilon (edge->ap50[0], 0.25, EPS);
  g_assert_cmpfloat_with_epsilon (edge->ap[0], 0.5, EPS);

  inside = compute (t_inside, 3, p_inside, 2, 1, 0);
  g_assert_cmpfloat (inside->ap50[0], ==, 1.0);
  g_assert_cmpfloat (inside->ap[0], ==, 1.0);
}

/* Class 0 has truth and an exact hit: 1 / ONE. Class 1 only a crowd region
 * and class 2 only predictions: no truth, NAN, left out of the means.
 * Class 3 has a truth and no prediction: 0, and counted. Means over
 * classes 0 and 3: map50 = 1/2, map = ONE/2. */
static void
test_class_without_truth (void)
{
  const OtterTruth t[] = {
    truth (0, 0, 0, 0, 10, 10),
    crowd (0, 1, 0, 0, 100, 100),
    truth (1, 3, 0, 0, 10, 10),
  };
  const OtterPrediction p[] = {
    pred (0, 0, 0, 0, 10, 10, 0.9),
    pred (0, 1, 10, 10, 20, 20, 0.9),
    pred (0, 2, 0, 0, 10, 10, 0.8),
    pred (1, 2, 0, 0, 10, 10, 0.7),
  };
  g_autoptr(OtterMapResult) r = compute (t, 3, p, 4, 4, 0);

  g_assert_cmpuint (r->n_truths[0], ==, 1);
  g_assert_cmpuint (r->n_truths[1], ==, 0);
  g_assert_cmpuint (r->n_truths[2], ==, 0);
  g_assert_cmpuint (r->n_truths[3], ==, 1);
  g_assert_true (isnan (r->ap50[1]) && isnan (r->ap[1]));
  g_assert_true (isnan (r->ap50[2]) && isnan (r->ap[2]));
  g_assert_cmpfloat (r->ap50[3], ==, 0.0);
  g_assert_cmpfloat (r->ap[3], ==, 0.0);
  g_assert_cmpfloat_with_epsilon (r->map50, 0.5, EPS);
  g_assert_cmpfloat_with_epsilon (r->map, ONE / 2, EPS);
}

/* One class per case, a truth and one prediction whose IoU is exact in
 * binary: intersection h × w over union w × H. A match needs IoU >= the
 * threshold; COCO's thresholds are np.linspace(.5, .95, 10): 0.5 0.55 0.6
 * 0.65 0.7 0.75 0.8 0.85 0.8999999999999999 0.95. A lone TP at k of them
 * gives COCO k/10 × ONE; VOC 1 at IoU >= 0.5. */
static void
test_iou_boundary (void)
{
  const struct
  {
    double box_h, truth_h, width;
    double voc;
    guint  coco_hits;
  } cases[] = {
    { 5, 10, 10, 1, 1 },        /* IoU 0.5: TP at 0.50 only */
    { 4.9, 10, 10, 0, 0 },      /* IoU 0.49: missed everywhere */
    { 70, 100, 100, 1, 5 },     /* IoU 0.7: up to 0.70 */
    { 75, 100, 100, 1, 6 },     /* IoU 0.75: up to 0.75 */
    { 90, 100, 100, 1, 9 },     /* IoU 0.9: passes 0.8999999999999999 */
    { 95, 100, 100, 1, 10 },    /* IoU 0.95: all ten */
  };
  OtterTruth t[G_N_ELEMENTS (cases)];
  OtterPrediction p[G_N_ELEMENTS (cases)];
  g_autoptr(OtterMapResult) r = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      t[i] = truth (i, i, 0, 0, cases[i].width, cases[i].truth_h);
      p[i] = pred (i, i, 0, 0, cases[i].width, cases[i].box_h, 0.9);
    }
  r = compute (t, G_N_ELEMENTS (t), p, G_N_ELEMENTS (p), G_N_ELEMENTS (cases), 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("IoU case %u", i);
      g_assert_cmpfloat (r->ap50[i], ==, cases[i].voc);
      g_assert_cmpfloat_with_epsilon (r->ap[i], cases[i].coco_hits / 10.0 * ONE, EPS);
    }
}

/* Truths A = [0, 10] and B = [2, 12] (× [0, 10]). The first prediction is A
 * itself. The second, [0.5, 10.5], overlaps A best (IoU 95/105), which is
 * taken: the VOC devkit calls it a duplicate (FP) without looking at B
 * (IoU 85/115 ≈ 0.739): PR (1/2, 1) (1/2, 1/2), VOC 0.5. COCO takes the
 * best unmatched truth instead: both TP up to 0.70 (AP 1 each, five
 * thresholds); from 0.75 on the second is FP: PR (1/2, ONE) (1/2, 1/2),
 * 51/101 × ONE each. ap = (5 + 5 × 51/101 × ONE) / 10 ≈ 0.75248. */
static void
test_devkit_duplicate (void)
{
  const OtterTruth t[] = {
    truth (0, 0, 0, 0, 10, 10),
    truth (0, 0, 2, 0, 12, 10),
  };
  const OtterPrediction p[] = {
    pred (0, 0, 0, 0, 10, 10, 0.9),
    pred (0, 0, 0.5, 0, 10.5, 10, 0.8),
  };
  g_autoptr(OtterMapResult) r = compute (t, 2, p, 2, 1, 0);

  g_assert_cmpfloat_with_epsilon (r->ap50[0], 0.5, EPS);
  g_assert_cmpfloat_with_epsilon (r->ap[0], 0.5 + 0.5 * 51.0 / 101.0 * ONE, EPS);
}

/* Equal scores: COCOeval concatenates images in id order, then sorts
 * stably, so the lower image goes first whatever the input order. Image 0
 * holds a FP, image 1 the TP: FP first, 0.5 (as in test_fp_above_tp).
 * With the truth moved to image 0, the TP goes first: 1 / ONE. */
static void
test_score_ties (void)
{
  OtterTruth t[] = { truth (1, 0, 0, 0, 10, 10) };
  const OtterPrediction p[] = {
    pred (1, 0, 0, 0, 10, 10, 0.5),
    pred (0, 0, 0, 0, 10, 10, 0.5),
  };
  g_autoptr(OtterMapResult) r = compute (t, 1, p, 2, 1, 0);
  g_autoptr(OtterMapResult) moved = NULL;

  g_assert_cmpfloat_with_epsilon (r->ap50[0], 0.5, EPS);
  g_assert_cmpfloat_with_epsilon (r->ap[0], 0.5, EPS);

  t[0].image = 0;
  moved = compute (t, 1, p, 2, 1, 0);
  g_assert_cmpfloat (moved->ap50[0], ==, 1.0);
  g_assert_cmpfloat_with_epsilon (moved->ap[0], ONE, EPS);
}

/* max_per_image = 2 keeps the two best predictions of each image and class
 * for COCO; VOC keeps all. FP 0.9, FP 0.8, TP 0.7: COCO sees two FPs, 0;
 * VOC: PR (0, 0) (0, 0) (1, 1/3): 1/3. The cap is per class, as in
 * COCOeval: class 1's hit in the same image survives. With 0 (default 100)
 * COCO sees all three: envelope 1/3 everywhere, 1/3. */
static void
test_max_per_image (void)
{
  const OtterTruth t[] = {
    truth (0, 0, 0, 0, 10, 10),
    truth (0, 1, 0, 0, 10, 10),
  };
  const OtterPrediction p[] = {
    pred (0, 0, 50, 50, 60, 60, 0.9),
    pred (0, 0, 70, 70, 80, 80, 0.8),
    pred (0, 0, 0, 0, 10, 10, 0.7),
    pred (0, 1, 0, 0, 10, 10, 0.6),
  };
  g_autoptr(OtterMapResult) capped = compute (t, 2, p, 4, 2, 2);
  g_autoptr(OtterMapResult) all = compute (t, 2, p, 4, 2, 0);

  g_assert_cmpfloat (capped->ap[0], ==, 0.0);
  g_assert_cmpfloat_with_epsilon (capped->ap50[0], 1.0 / 3.0, EPS);
  g_assert_cmpfloat_with_epsilon (capped->ap[1], ONE, EPS);
  g_assert_cmpfloat_with_epsilon (all->ap[0], 1.0 / 3.0, EPS);
  g_assert_cmpfloat_with_epsilon (all->ap50[0], 1.0 / 3.0, EPS);
}

/* The recall samples are np.linspace (0, 1, 101), where sample 35 is
 * 0.35000000000000003 (so are 41 47 57 69 70 82 83 94 95). Twenty truths,
 * seven found first with precision 1: the curve ends at recall 7/20 = 0.35,
 * just short of that sample, so pycocotools reads 35 samples (0 ... 0.34),
 * not 36: 35/101 ≈ 0.34653 at every threshold. VOC: 0.35. */
static void
test_recall_samples (void)
{
  OtterTruth t[20];
  OtterPrediction p[7];
  g_autoptr(OtterMapResult) r = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    t[i] = truth (0, 0, 20 * i, 0, 20 * i + 10, 10);
  for (guint i = 0; i < G_N_ELEMENTS (p); i++)
    p[i] = pred (0, 0, 20 * i, 0, 20 * i + 10, 10, 0.9 - 0.1 * i);
  r = compute (t, G_N_ELEMENTS (t), p, G_N_ELEMENTS (p), 1, 0);

  g_assert_cmpfloat_with_epsilon (r->ap50[0], 0.35, EPS);
  g_assert_cmpfloat_with_epsilon (r->ap[0], 35.0 / 101.0, EPS);
}

static void
test_empty (void)
{
  g_autoptr(OtterMapResult) r = compute (NULL, 0, NULL, 0, 3, 0);

  for (guint c = 0; c < 3; c++)
    {
      g_assert_cmpuint (r->n_truths[c], ==, 0);
      g_assert_true (isnan (r->ap50[c]) && isnan (r->ap[c]));
    }
  g_assert_true (isnan (r->map50) && isnan (r->map));
}

/* ---- reference fixture: tests/tools/coco_reference_eval.py ---- */

static int
compare_ints (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Ids of the objects of @array, sorted, mapped to their rank. */
static GHashTable *
index_ids (JsonArray *array,
           GArray   **sorted_out)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTable *index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gint64 id = json_object_get_int_member (json_array_get_object_element (array, i), "id");
      g_array_append_val (ids, id);
    }
  g_array_sort (ids, compare_ints);
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_insert (index, g_memdup2 (&g_array_index (ids, gint64, i), sizeof (gint64)),
                         GUINT_TO_POINTER (i));
  if (sorted_out != NULL)
    *sorted_out = g_steal_pointer (&ids);
  return index;
}

static guint
lookup_id (GHashTable *index,
           gint64      id)
{
  gpointer value;

  g_assert_true (g_hash_table_lookup_extended (index, &id, NULL, &value));
  return GPOINTER_TO_UINT (value);
}

static double
nullable_double (JsonObject  *object,
                 const char  *member)
{
  if (json_object_get_null_member (object, member))
    return NAN;
  return json_object_get_double_member (object, member);
}

/* Returns |value - expected|, 0 when both are NAN. */
static double
assert_close_or_nan (double      value,
                     double      expected,
                     const char *what,
                     gint64      category)
{
  if (isnan (expected) && isnan (value))
    return 0;
  if (isnan (expected) || isnan (value) || fabs (value - expected) > 1e-6)
    g_error ("category %" G_GINT64_FORMAT ": %s is %.12g, reference %.12g",
             category, what, value, expected);
  return fabs (value - expected);
}

static void
test_coco128_reference (void)
{
  g_autoptr(JsonParser) gt_parser = json_parser_new ();
  g_autoptr(JsonParser) fx_parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) images = NULL;
  g_autoptr(GHashTable) categories = NULL;
  g_autoptr(GArray) category_ids = NULL;
  g_autoptr(GArray) truths = g_array_new (FALSE, FALSE, sizeof (OtterTruth));
  g_autoptr(GArray) preds = g_array_new (FALSE, FALSE, sizeof (OtterPrediction));
  g_autoptr(OtterMapResult) r = NULL;
  g_autofree char *gt_path = NULL;
  g_autofree char *fixture_path = NULL;
  const char *datasets = g_getenv ("OTTER_SHARED_DATASETS");
  JsonObject *gt, *fixture, *reference;
  JsonArray *anns, *rows, *per_class;
  guint n_crowd = 0;
  double worst = 0;

  if (datasets == NULL)
    {
      g_test_skip ("OTTER_SHARED_DATASETS is not set: no COCO128 ground truth");
      return;
    }
  gt_path = g_build_filename (datasets, "coco128", "annotations",
                              "instances_coco128.json", NULL);
  if (!g_file_test (gt_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *msg = g_strdup_printf ("%s is absent: cannot check against "
                                              "the COCO128 reference", gt_path);
      g_test_skip (msg);
      return;
    }

  json_parser_load_from_file (gt_parser, gt_path, &error);
  g_assert_no_error (error);
  fixture_path = g_test_build_filename (G_TEST_DIST, "fixtures", "metrics",
                                        "coco128-reference.json", NULL);
  json_parser_load_from_file (fx_parser, fixture_path, &error);
  g_assert_no_error (error);

  gt = json_node_get_object (json_parser_get_root (gt_parser));
  fixture = json_node_get_object (json_parser_get_root (fx_parser));
  g_test_message ("fixture made by: %s", json_object_get_string_member (fixture, "command"));

  /* COCOeval walks images in ascending id order: number them that way */
  images = index_ids (json_object_get_array_member (gt, "images"), NULL);
  categories = index_ids (json_object_get_array_member (gt, "categories"), &category_ids);

  anns = json_object_get_array_member (gt, "annotations");
  for (guint i = 0; i < json_array_get_length (anns); i++)
    {
      JsonObject *a = json_array_get_object_element (anns, i);
      JsonArray *bbox = json_object_get_array_member (a, "bbox");
      double x = json_array_get_double_element (bbox, 0);
      double y = json_array_get_double_element (bbox, 1);
      OtterTruth t = {
        .image = lookup_id (images, json_object_get_int_member (a, "image_id")),
        .class_id = lookup_id (categories, json_object_get_int_member (a, "category_id")),
        .x1 = x,
        .y1 = y,
        .x2 = x + json_array_get_double_element (bbox, 2),
        .y2 = y + json_array_get_double_element (bbox, 3),
        .crowd = json_object_get_int_member (a, "iscrowd") != 0,
      };

      n_crowd += t.crowd;
      g_array_append_val (truths, t);
    }
  g_assert_cmpuint (n_crowd, >, 0);

  rows = json_object_get_array_member (fixture, "predictions");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonArray *row = json_array_get_array_element (rows, i);
      double x = json_array_get_double_element (row, 2);
      double y = json_array_get_double_element (row, 3);
      OtterPrediction p = {
        .image = lookup_id (images, json_array_get_int_element (row, 0)),
        .class_id = lookup_id (categories, json_array_get_int_element (row, 1)),
        .x1 = x,
        .y1 = y,
        .x2 = x + json_array_get_double_element (row, 4),
        .y2 = y + json_array_get_double_element (row, 5),
        .score = json_array_get_double_element (row, 6),
      };

      g_array_append_val (preds, p);
    }

  r = compute ((const OtterTruth *) truths->data, truths->len,
               (const OtterPrediction *) preds->data, preds->len,
               category_ids->len,
               json_object_get_int_member (fixture, "max_dets"));

  reference = json_object_get_object_member (fixture, "reference");
  per_class = json_object_get_array_member (reference, "per_class");
  g_assert_cmpuint (json_array_get_length (per_class), ==, category_ids->len);
  for (guint c = 0; c < category_ids->len; c++)
    {
      JsonObject *expected = json_array_get_object_element (per_class, c);
      gint64 id = json_object_get_int_member (expected, "category_id");

      g_assert_cmpint (id, ==, g_array_index (category_ids, gint64, c));
      g_assert_cmpuint (r->n_truths[c], ==, json_object_get_int_member (expected, "n_truths"));
      worst = MAX (worst, assert_close_or_nan (r->ap[c], nullable_double (expected, "ap"),
                                               "COCO AP", id));
      worst = MAX (worst, assert_close_or_nan (r->ap50[c], nullable_double (expected, "ap50_voc"),
                                               "VOC AP50", id));
    }
  assert_close_or_nan (r->map, json_object_get_double_member (reference, "map"), "mAP", -1);
  assert_close_or_nan (r->map50, json_object_get_double_member (reference, "map50_voc"),
                       "mAP50", -1);
  g_test_message ("COCO128: mAP %.6f (reference %.6f), VOC mAP50 %.6f (reference %.6f), "
                  "largest per-class difference %.3g",
                  r->map, json_object_get_double_member (reference, "map"),
                  r->map50, json_object_get_double_member (reference, "map50_voc"), worst);
}

/* 10,000 images × 100 predictions over 20 classes: each image's five truths
 * are found exactly with scores in [0.9, 1), above its 95 random boxes
 * (scores below 0.9, so a random box on a truth is a duplicate). Every TP
 * of a class ranks above every FP: AP 1 for every class, at every
 * threshold. Not timed; it shows the work is not quadratic. */
static void
test_large (void)
{
  const guint n_images = 10000, n_classes = 20, per_image = 100, truths_per_image = 5;
  g_autofree OtterTruth *t = g_new (OtterTruth, n_images * truths_per_image);
  g_autofree OtterPrediction *p = g_new (OtterPrediction, n_images * per_image);
  g_autoptr(GRand) rng = g_rand_new_with_seed (42);
  g_autoptr(OtterMapResult) r = NULL;
  guint nt = 0, np = 0, total = 0;

  for (guint i = 0; i < n_images; i++)
    {
      for (guint k = 0; k < truths_per_image; k++)
        {
          double x = g_rand_double_range (rng, 0, 600);
          double y = g_rand_double_range (rng, 0, 440);
          double w = g_rand_double_range (rng, 8, 200);
          double h = g_rand_double_range (rng, 8, 200);

          t[nt] = truth (i, g_rand_int_range (rng, 0, n_classes), x, y, x + w, y + h);
          p[np++] = pred (i, t[nt].class_id, x, y, x + w, y + h,
                          g_rand_double_range (rng, 0.9, 1.0));
          nt++;
        }
      for (guint k = truths_per_image; k < per_image; k++)
        {
          double x = g_rand_double_range (rng, 0, 600);
          double y = g_rand_double_range (rng, 0, 440);

          p[np++] = pred (i, g_rand_int_range (rng, 0, n_classes), x, y,
                          x + g_rand_double_range (rng, 8, 200),
                          y + g_rand_double_range (rng, 8, 200),
                          g_rand_double_range (rng, 0, 0.9));
        }
    }

  r = compute (t, nt, p, np, n_classes, 0);
  for (guint c = 0; c < n_classes; c++)
    {
      total += r->n_truths[c];
      g_assert_cmpfloat (r->ap50[c], ==, 1.0);
      g_assert_cmpfloat_with_epsilon (r->ap[c], 1.0, EPS);
    }
  g_assert_cmpuint (total, ==, nt);
  g_assert_cmpfloat (r->map50, ==, 1.0);
}

/* The PR fixture. Class 0: truths A, B in image 0 and C in image 1, and a
 * crowd region in image 1. By descending score:
 *   0.9 on A        TP  (1/3, 1)
 *   0.8 on A again  FP, a duplicate  (1/3, 1/2)
 *   0.7 far away    FP  (1/3, 1/3)
 *   0.65 on crowd   neither: no point
 *   0.6 on C        TP  (2/3, 1/2)
 * B is never found. Envelope 1, 1/2, 1/2, 1/2: AP = 1/3 × 1 + 1/3 × 1/2
 * = 1/2. Class 1 has a truth and no detection: no points, AP 0. Class 2
 * has a detection and no truth: a point at recall 0, AP NAN. */
static const OtterTruth pr_truths[] = {
  { 0, 0, 0, 0, 10, 10, FALSE },
  { 0, 0, 20, 20, 30, 30, FALSE },
  { 1, 0, 0, 0, 10, 10, FALSE },
  { 1, 0, 100, 100, 200, 200, TRUE },
  { 1, 1, 50, 0, 60, 10, FALSE },
};
static const OtterPrediction pr_preds[] = {
  { 1, 0, 0, 0, 10, 10, 0.6 },
  { 0, 0, 0, 0, 10, 10, 0.9 },
  { 1, 0, 50, 50, 60, 60, 0.7 },
  { 0, 0, 1, 0, 10, 10, 0.8 },
  { 1, 0, 100, 100, 200, 200, 0.65 },
  { 0, 2, 0, 0, 10, 10, 0.5 },
};

static void
test_pr_curve (void)
{
  g_autoptr(OtterPrCurves) pr = otter_pr_curves_compute (pr_truths, G_N_ELEMENTS (pr_truths),
                                                         pr_preds, G_N_ELEMENTS (pr_preds), 3);
  g_autoptr(OtterMapResult) r = compute (pr_truths, G_N_ELEMENTS (pr_truths),
                                         pr_preds, G_N_ELEMENTS (pr_preds), 3, 0);
  const double recall[] = { 1.0 / 3, 1.0 / 3, 1.0 / 3, 2.0 / 3 };
  const double precision[] = { 1, 0.5, 1.0 / 3, 0.5 };
  const double score[] = { 0.9, 0.8, 0.7, 0.6 };
  const OtterPrCurve *c0 = &pr->curves[0];

  g_assert_cmpuint (pr->n_classes, ==, 3);
  g_assert_cmpuint (c0->n_truths, ==, 3);
  g_assert_cmpuint (c0->n_points, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpfloat_with_epsilon (c0->recall[i], recall[i], EPS);
      g_assert_cmpfloat_with_epsilon (c0->precision[i], precision[i], EPS);
      g_assert_cmpfloat (c0->score[i], ==, score[i]);
    }
  g_assert_cmpfloat_with_epsilon (otter_pr_curve_get_ap (c0), 0.5, EPS);
  g_assert_cmpfloat (otter_pr_curve_get_ap (c0), ==, r->ap50[0]);

  g_assert_cmpuint (pr->curves[1].n_truths, ==, 1);
  g_assert_cmpuint (pr->curves[1].n_points, ==, 0);
  g_assert_cmpfloat (otter_pr_curve_get_ap (&pr->curves[1]), ==, 0);
  g_assert_cmpfloat (r->ap50[1], ==, 0);

  g_assert_cmpuint (pr->curves[2].n_points, ==, 1);
  g_assert_cmpfloat (pr->curves[2].recall[0], ==, 0);
  g_assert_cmpfloat (pr->curves[2].precision[0], ==, 0);
  g_assert_true (isnan (otter_pr_curve_get_ap (&pr->curves[2])));
}

/* Noisy random detections (jittered truths, duplicates, strays, crowd
 * regions): the AP read off each curve is ap50 to the last bit. */
static void
test_pr_curve_matches_ap50 (void)
{
  const guint n_images = 200, n_classes = 5;
  g_autoptr(GArray) t = g_array_new (FALSE, FALSE, sizeof (OtterTruth));
  g_autoptr(GArray) p = g_array_new (FALSE, FALSE, sizeof (OtterPrediction));
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  g_autoptr(OtterMapResult) r = NULL;
  g_autoptr(OtterPrCurves) pr = NULL;
  guint n_nontrivial = 0;

  for (guint i = 0; i < n_images; i++)
    for (guint k = 0; k < 4; k++)
      {
        double x = g_rand_double_range (rng, 0, 300), y = g_rand_double_range (rng, 0, 300);
        double w = g_rand_double_range (rng, 10, 80), h = g_rand_double_range (rng, 10, 80);
        OtterTruth tr = { i, g_rand_int_range (rng, 0, n_classes), x, y, x + w, y + h,
                          g_rand_int_range (rng, 0, 10) == 0 };

        g_array_append_val (t, tr);
        for (guint d = 0; d < 3; d++)
          {
            double j = g_rand_double_range (rng, -0.4, 0.4) * w;
            OtterPrediction pd = { i, g_rand_int_range (rng, 0, 4) == 0 ? g_rand_int_range (rng, 0, n_classes) : tr.class_id,
                                   x + j, y + j, x + w + j, y + h, g_rand_double (rng) };
            g_array_append_val (p, pd);
          }
      }
  r = compute ((OtterTruth *) t->data, t->len, (OtterPrediction *) p->data, p->len, n_classes, 0);
  pr = otter_pr_curves_compute ((OtterTruth *) t->data, t->len,
                                (OtterPrediction *) p->data, p->len, n_classes);
  for (guint c = 0; c < n_classes; c++)
    {
      g_assert_cmpfloat (otter_pr_curve_get_ap (&pr->curves[c]), ==, r->ap50[c]);
      g_assert_cmpuint (pr->curves[c].n_truths, ==, r->n_truths[c]);
      if (r->ap50[c] > 0.05 && r->ap50[c] < 0.95)
        n_nontrivial++;
    }
  /* the fixture is not all hits or all misses */
  g_assert_cmpuint (n_nontrivial, ==, n_classes);
}

/* The PR fixture per image. At 0.65: image 0 has 0.9 (TP on A) and 0.8 (FP,
 * the duplicate) of its two truths; image 1 has 0.7 (FP) and 0.65 on the
 * crowd region (neither) of its two real truths (C and the class 1 one).
 * At 0.6 the TP on C joins image 1. Image 2 has nothing. */
static void
test_image_scores (void)
{
  g_autofree OtterImageScore *s = otter_image_scores_compute (pr_truths, G_N_ELEMENTS (pr_truths),
                                                              pr_preds, G_N_ELEMENTS (pr_preds),
                                                              3, 3, 0.65);
  g_autofree OtterImageScore *low = otter_image_scores_compute (pr_truths, G_N_ELEMENTS (pr_truths),
                                                                pr_preds, G_N_ELEMENTS (pr_preds),
                                                                3, 3, 0.6);

  g_assert_cmpuint (s[0].n_truths, ==, 2);
  g_assert_cmpuint (s[0].tp, ==, 1);
  g_assert_cmpuint (s[0].fp, ==, 1);
  g_assert_cmpuint (s[1].n_truths, ==, 2);
  g_assert_cmpuint (s[1].tp, ==, 0);
  g_assert_cmpuint (s[1].fp, ==, 1);
  g_assert_cmpuint (s[2].n_truths, ==, 0);
  g_assert_cmpuint (s[2].tp + s[2].fp, ==, 0);

  g_assert_cmpuint (low[0].tp, ==, 1);
  g_assert_cmpuint (low[1].tp, ==, 1);
  g_assert_cmpuint (low[1].fp, ==, 1);
}

/* Classes cat (0) and dog (1); rows cat, dog, background; columns cat, dog,
 * missed. Threshold 0.5.
 * Image 0: truths cat T0, dog T1, dog T2.
 *   0.9 cat on T0   its own class: (cat, cat)
 *   0.8 cat on T1   no cat there; T1 is left to the second pass...
 *   0.7 dog on T1   ...but its own dog takes it first: (dog, dog), so the
 *                   cat is background: (bg, cat)
 *   0.6 dog afar    (bg, dog)
 *   0.3 cat on T2   below the threshold
 *   T2 found by nothing: (dog, missed)
 * Image 1: a cat crowd region and cat T3; a cat on the region counts
 *   nowhere, T3 is missed: (cat, missed).
 * Image 2: dog T4 and a cat on it: (dog, cat).
 * Sum: 5 truths + 2 background = 7. */
static void
test_confusion (void)
{
  const OtterTruth t[] = {
    truth (0, 0, 0, 0, 10, 10),
    truth (0, 1, 20, 0, 30, 10),
    truth (0, 1, 40, 0, 50, 10),
    crowd (1, 0, 0, 0, 100, 100),
    truth (1, 0, 200, 200, 210, 210),
    truth (2, 1, 0, 0, 10, 10),
  };
  const OtterPrediction p[] = {
    pred (0, 1, 20, 0, 30, 10, 0.7),
    pred (0, 0, 0, 0, 10, 10, 0.9),
    pred (0, 0, 20, 0, 30, 10, 0.8),
    pred (0, 1, 100, 100, 110, 110, 0.6),
    pred (0, 0, 40, 0, 50, 10, 0.3),
    pred (1, 0, 0, 0, 100, 100, 0.9),
    pred (2, 0, 0, 0, 10, 10, 0.9),
  };
  const guint expected[3][3] = {
    { 1, 0, 1 },
    { 1, 1, 1 },
    { 1, 1, 0 },
  };
  g_autoptr(OtterConfusion) cm = otter_confusion_compute (t, G_N_ELEMENTS (t), p, G_N_ELEMENTS (p), 2, 0.5);
  g_autoptr(OtterConfusion) all = otter_confusion_compute (t, G_N_ELEMENTS (t), p, G_N_ELEMENTS (p), 2, 0);
  guint sum = 0;

  g_assert_cmpuint (cm->n_classes, ==, 2);
  for (guint r = 0; r < 3; r++)
    for (guint c = 0; c < 3; c++)
      {
        g_assert_cmpuint (OTTER_CONFUSION_AT (cm, r, c), ==, expected[r][c]);
        sum += OTTER_CONFUSION_AT (cm, r, c);
      }
  g_assert_cmpuint (sum, ==, 7);

  /* with the 0.3 cat in, it takes T2 in the second pass: (dog, cat) gains
   * one and T2 is no longer missed */
  g_assert_cmpuint (OTTER_CONFUSION_AT (all, 1, 0), ==, 2);
  g_assert_cmpuint (OTTER_CONFUSION_AT (all, 1, 2), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/otter/Metrics/perfect", test_perfect);
  g_test_add_func ("/otter/Metrics/fp-above-tp", test_fp_above_tp);
  g_test_add_func ("/otter/Metrics/missed-truth", test_missed_truth);
  g_test_add_func ("/otter/Metrics/duplicate", test_duplicate);
  g_test_add_func ("/otter/Metrics/crowd", test_crowd);
  g_test_add_func ("/otter/Metrics/class-without-truth", test_class_without_truth);
  g_test_add_func ("/otter/Metrics/iou-boundary", test_iou_boundary);
  g_test_add_func ("/otter/Metrics/devkit-duplicate", test_devkit_duplicate);
  g_test_add_func ("/otter/Metrics/score-ties", test_score_ties);
  g_test_add_func ("/otter/Metrics/max-per-image", test_max_per_image);
  g_test_add_func ("/otter/Metrics/recall-samples", test_recall_samples);
  g_test_add_func ("/otter/Metrics/empty", test_empty);
  g_test_add_func ("/otter/Metrics/coco128-reference", test_coco128_reference);
  g_test_add_func ("/otter/Metrics/large", test_large);
  g_test_add_func ("/otter/Metrics/pr-curve", test_pr_curve);
  g_test_add_func ("/otter/Metrics/pr-curve-matches-ap50", test_pr_curve_matches_ap50);
  g_test_add_func ("/otter/Metrics/image-scores", test_image_scores);
  g_test_add_func ("/otter/Metrics/confusion", test_confusion);

  return g_test_run ();
}
