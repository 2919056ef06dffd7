/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-metrics.c: detection mAP, VOC all-point @0.5 and COCO @[.5:.95] */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "otter-metrics-private.h"

#define N_IOU_THRESHOLDS    10
#define N_RECALL_THRESHOLDS 101
#define DEFAULT_MAX_DETS    100

/* Bits of a truth's "matched" mask: one per COCO threshold, then VOC's. */
#define VOC_BIT             (1u << N_IOU_THRESHOLDS)

/* np.linspace (.5, .95, 10) as NumPy computes it (i * step + start), which is
 * what COCOeval.iouThrs holds: note 0.8999999999999999. */
static const double iou_thresholds[N_IOU_THRESHOLDS] = {
  0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95,
};

typedef enum
{
  MATCH_FP,
  MATCH_TP,
  MATCH_IGNORED,
} MatchState;

typedef struct
{
  int      class_id;
  guint    image;
  gboolean crowd;
  guint    index;
} TruthKey;

typedef struct
{
  int    class_id;
  guint  image;
  double score;
  guint  index;
} PredKey;

/* One prediction of the class being accumulated. */
typedef struct
{
  double  score;
  guint   image;
  guint   index;
  guint16 coco_tp;             /* bit t: TP at iou_thresholds[t] */
  guint16 coco_ignored;        /* bit t: fell on a crowd region */
  guint8  voc;                 /* MatchState at IoU 0.5 */
  guint8  coco_kept;           /* within the max_dets best of its image */
} ClassPred;

static int
truth_key_compare (const void *a,
                   const void *b)
{
  const TruthKey *x = a;
  const TruthKey *y = b;

  if (x->class_id != y->class_id)
    return x->class_id < y->class_id ? -1 : 1;
  if (x->image != y->image)
    return x->image < y->image ? -1 : 1;
  /* non-crowd first, as COCOeval's stable sort on the ignore flag */
  if (x->crowd != y->crowd)
    return x->crowd ? 1 : -1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int
pred_key_compare (const void *a,
                  const void *b)
{
  const PredKey *x = a;
  const PredKey *y = b;

  if (x->class_id != y->class_id)
    return x->class_id < y->class_id ? -1 : 1;
  if (x->image != y->image)
    return x->image < y->image ? -1 : 1;
  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* COCOeval's accumulation order: descending score, stable over the
 * predictions concatenated image after image. */
static int
class_pred_compare (const void *a,
                    const void *b)
{
  const ClassPred *x = a;
  const ClassPred *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  if (x->image != y->image)
    return x->image < y->image ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* pycocotools' bbIou on continuous coordinates; a crowd truth is compared
 * with intersection over the prediction's area when @crowd_as_region. */
double
otter_metrics_box_iou (const OtterPrediction *p,
                       const OtterTruth      *t,
                       gboolean               crowd_as_region)
{
  double w, h, inter, pred_area, union_area;

  w = fmin (p->x2, t->x2) - fmax (p->x1, t->x1);
  if (w <= 0)
    return 0;
  h = fmin (p->y2, t->y2) - fmax (p->y1, t->y1);
  if (h <= 0)
    return 0;

  inter = w * h;
  pred_area = (p->x2 - p->x1) * (p->y2 - p->y1);
  if (t->crowd && crowd_as_region)
    union_area = pred_area;
  else
    union_area = pred_area + (t->x2 - t->x1) * (t->y2 - t->y1) - inter;

  return inter / union_area;
}

/* COCOeval.evaluateImg's inner loop for one prediction and one threshold:
 * the unmatched non-crowd truth of highest IoU >= threshold (a later one wins
 * a tie); a crowd truth only when no real one qualifies. @truths is ordered
 * non-crowd first. Returns the truth's position or -1. */
static int
match_prediction (const double      *ious,
                  const OtterTruth  *truths,
                  const TruthKey    *keys,
                  const guint16     *matched,
                  guint              n,
                  guint16            bit,
                  double             threshold)
{
  double best = MIN (threshold, 1 - 1e-10);
  int m = -1;

  for (guint g = 0; g < n; g++)
    {
      gboolean crowd = truths[keys[g].index].crowd;

      if ((matched[g] & bit) && !crowd)
        continue;
      if (m > -1 && !truths[keys[m].index].crowd && crowd)
        break;
      if (ious[g] < best)
        continue;
      best = ious[g];
      m = (int) g;
    }

  return m;
}

/* The Pascal VOC devkit's matching (VOCevaldet): the prediction takes the
 * truth of highest IoU in its image, matched or not (the first one on a
 * tie, as MATLAB's max does). At IoU >= 0.5 that is a TP if the truth is
 * still free, an FP if an earlier prediction took it, and ignored if it is
 * a crowd region (the devkit's "difficult", compared by plain IoU as the
 * devkit does). */
static MatchState
match_voc (const OtterPrediction *p,
           const OtterTruth      *truths,
           const TruthKey        *keys,
           guint16               *matched,
           guint                  n)
{
  double best = -1;
  int m = -1;

  for (guint g = 0; g < n; g++)
    {
      double iou = otter_metrics_box_iou (p, &truths[keys[g].index], FALSE);

      if (iou > best)
        {
          best = iou;
          m = (int) g;
        }
    }
  if (m < 0 || best < 0.5)
    return MATCH_FP;
  if (truths[keys[m].index].crowd)
    return MATCH_IGNORED;
  if (matched[m] & VOC_BIT)
    return MATCH_FP;
  matched[m] |= VOC_BIT;
  return MATCH_TP;
}

static MatchState
apply_match (int               m,
             const OtterTruth *truths,
             const TruthKey   *keys,
             guint16          *matched,
             guint16           bit)
{
  if (m < 0)
    return MATCH_FP;
  matched[m] |= bit;
  return truths[keys[m].index].crowd ? MATCH_IGNORED : MATCH_TP;
}

/* Matches one image's predictions of one class, best score first, against
 * that image's truths of the class: at IoU 0.5 for VOC (all of them) and at
 * each COCO threshold (the first @max_dets only). */
static void
match_image (const OtterTruth      *truths,
             const TruthKey        *truth_keys,
             guint16               *matched,
             guint                  n_image_truths,
             const OtterPrediction *predictions,
             const PredKey         *pred_keys,
             ClassPred             *out,
             guint                  n_image_preds,
             guint                  max_dets,
             double                *ious)
{
  for (guint i = 0; i < n_image_preds; i++)
    {
      const OtterPrediction *p = &predictions[pred_keys[i].index];
      ClassPred *cp = &out[i];

      cp->score = pred_keys[i].score;
      cp->image = pred_keys[i].image;
      cp->index = pred_keys[i].index;
      cp->coco_tp = 0;
      cp->coco_ignored = 0;
      cp->coco_kept = i < max_dets;

      for (guint g = 0; g < n_image_truths; g++)
        ious[g] = otter_metrics_box_iou (p, &truths[truth_keys[g].index], TRUE);

      cp->voc = match_voc (p, truths, truth_keys, matched, n_image_truths);

      if (!cp->coco_kept)
        continue;

      for (guint t = 0; t < N_IOU_THRESHOLDS; t++)
        {
          guint16 bit = 1u << t;
          int m = match_prediction (ious, truths, truth_keys, matched,
                                    n_image_truths, bit, iou_thresholds[t]);

          switch (apply_match (m, truths, truth_keys, matched, bit))
            {
            case MATCH_TP:
              cp->coco_tp |= bit;
              break;
            case MATCH_IGNORED:
              cp->coco_ignored |= bit;
              break;
            case MATCH_FP:
            default:
              break;
            }
        }
    }
}

/* VOC2010+ all-point AP: area under the precision envelope, summed at every
 * change of recall. @preds in accumulation order; @prec has room for
 * n_preds + 2 values. */
static double
voc_ap (const ClassPred *preds,
        guint            n_preds,
        guint            n_positives,
        double          *rec,
        double          *prec)
{
  double tp = 0, fp = 0, ap = 0;
  guint n = 1;

  rec[0] = 0;
  prec[0] = 0;
  for (guint i = 0; i < n_preds; i++)
    {
      if (preds[i].voc == MATCH_IGNORED)
        continue;
      if (preds[i].voc == MATCH_TP)
        tp += 1;
      else
        fp += 1;
      rec[n] = tp / n_positives;
      prec[n] = tp / (tp + fp);
      n++;
    }
  rec[n] = 1;
  prec[n] = 0;
  n++;

  for (guint i = n - 1; i > 0; i--)
    prec[i - 1] = MAX (prec[i - 1], prec[i]);
  for (guint i = 0; i + 1 < n; i++)
    if (rec[i + 1] != rec[i])
      ap += (rec[i + 1] - rec[i]) * prec[i + 1];

  return ap;
}

/* First position in the ascending @values whose value is >= @x
 * (np.searchsorted side='left'). */
static guint
lower_bound (const double *values,
             guint         n,
             double        x)
{
  guint lo = 0, hi = n;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (values[mid] < x)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/* COCOeval.accumulate for one class, then the mean over IoU thresholds and
 * recall samples. Ignored predictions stay in the sequence as pycocotools
 * keeps them (they repeat the previous point). */
static double
coco_ap (const ClassPred *preds,
         guint            n_preds,
         guint            n_positives,
         double          *rc,
         double          *pr)
{
  double sum = 0;

  for (guint t = 0; t < N_IOU_THRESHOLDS; t++)
    {
      guint16 bit = 1u << t;
      double tp = 0, fp = 0, row = 0;
      guint nd = 0;

      for (guint i = 0; i < n_preds; i++)
        {
          if (!preds[i].coco_kept)
            continue;
          if (preds[i].coco_tp & bit)
            tp += 1;
          else if (!(preds[i].coco_ignored & bit))
            fp += 1;
          rc[nd] = tp / n_positives;
          pr[nd] = tp / (fp + tp + DBL_EPSILON);
          nd++;
        }

      for (guint i = nd; i > 1; i--)
        pr[i - 2] = MAX (pr[i - 2], pr[i - 1]);

      for (guint r = 0; r < N_RECALL_THRESHOLDS; r++)
        {
          /* np.linspace (0, 1, 101) bit for bit */
          double recall = r + 1 < N_RECALL_THRESHOLDS ? r * 0.01 : 1.0;
          guint pos = lower_bound (rc, nd, recall);

          if (pos >= nd)
            break;
          row += pr[pos];
        }
      sum += row / N_RECALL_THRESHOLDS;
    }

  return sum / N_IOU_THRESHOLDS;
}

static double
mean_defined (const double *values,
              guint         n)
{
  double sum = 0;
  guint count = 0;

  for (guint i = 0; i < n; i++)
    if (!isnan (values[i]))
      {
        sum += values[i];
        count++;
      }

  return count > 0 ? sum / count : NAN;
}

/* @preds in accumulation order; crowd matches are left out as in voc_ap(). */
static void
fill_curve (OtterPrCurve    *curve,
            const ClassPred *preds,
            guint            n_preds,
            guint            n_positives)
{
  double tp = 0, fp = 0;
  guint n = 0;

  curve->n_truths = n_positives;
  curve->recall = g_new (double, MAX (n_preds, 1));
  curve->precision = g_new (double, MAX (n_preds, 1));
  curve->score = g_new (double, MAX (n_preds, 1));
  for (guint i = 0; i < n_preds; i++)
    {
      if (preds[i].voc == MATCH_IGNORED)
        continue;
      if (preds[i].voc == MATCH_TP)
        tp += 1;
      else
        fp += 1;
      /* a class without truth has no recall; its points stay at 0 */
      curve->recall[n] = n_positives > 0 ? tp / n_positives : 0;
      curve->precision[n] = tp / (tp + fp);
      curve->score[n] = preds[i].score;
      n++;
    }
  curve->n_points = n;
}

/* Greedy matching by descending score means a detection's TP or FP does
 * not depend on the lower-scored ones, so counting those above the
 * threshold gives what the thresholded detections alone would score. */
static void
tally_images (OtterImageTally *tally,
              const ClassPred *preds,
              guint            n_preds)
{
  for (guint i = 0; i < n_preds; i++)
    {
      if (preds[i].score < tally->threshold || preds[i].image >= tally->n_images)
        continue;
      if (preds[i].voc == MATCH_TP)
        tally->scores[preds[i].image].tp++;
      else if (preds[i].voc == MATCH_FP)
        tally->scores[preds[i].image].fp++;
    }
}

/* The matching of otter_map_compute(); the PR curves and the per-image
 * scores are read from the same matched predictions, so they cannot
 * disagree with ap50 (otter-metrics-curves.c). */
OtterMapResult *
otter_metrics_match (const OtterTruth      *truths,
                     guint                  n_truths,
                     const OtterPrediction *predictions,
                     guint                  n_predictions,
                     guint                  n_classes,
                     guint                  max_per_image,
                     OtterPrCurve          *curves,
                     OtterImageTally       *tally)
{
  g_autofree TruthKey *truth_keys = NULL;
  g_autofree PredKey *pred_keys = NULL;
  g_autofree guint16 *matched = NULL;
  g_autofree ClassPred *class_preds = NULL;
  g_autofree double *ious = NULL;
  g_autofree double *curve_a = NULL;
  g_autofree double *curve_b = NULL;
  OtterMapResult *result;
  guint max_dets = max_per_image > 0 ? max_per_image : DEFAULT_MAX_DETS;
  guint n_tk = 0, n_pk = 0, max_class_preds = 0, max_group_truths = 0;
  guint ti = 0, pi = 0;

  result = g_new0 (OtterMapResult, 1);
  result->n_classes = n_classes;
  result->ap50 = g_new (double, n_classes);
  result->ap = g_new (double, n_classes);
  result->n_truths = g_new0 (guint, n_classes);

  /* Bucket by (class, image) with one sort each; both lists are then walked
   * in step, so no per-image lookup is needed. */
  truth_keys = g_new (TruthKey, MAX (n_truths, 1));
  for (guint i = 0; i < n_truths; i++)
    {
      if (truths[i].class_id < 0 || (guint) truths[i].class_id >= n_classes)
        continue;
      truth_keys[n_tk++] = (TruthKey) { truths[i].class_id, truths[i].image,
                                        truths[i].crowd != FALSE, i };
    }
  qsort (truth_keys, n_tk, sizeof (TruthKey), truth_key_compare);

  pred_keys = g_new (PredKey, MAX (n_predictions, 1));
  for (guint i = 0; i < n_predictions; i++)
    {
      const OtterPrediction *p = &predictions[i];

      if (p->class_id < 0 || (guint) p->class_id >= n_classes)
        continue;
      /* a NAN score would break the sort's ordering */
      pred_keys[n_pk++] = (PredKey) { p->class_id, p->image,
                                      isnan (p->score) ? -INFINITY : p->score, i };
    }
  qsort (pred_keys, n_pk, sizeof (PredKey), pred_key_compare);

  /* Buffers sized for the largest class and the largest image group. */
  for (guint i = 0, start = 0; i <= n_pk; i++)
    if (i == n_pk || pred_keys[i].class_id != pred_keys[start].class_id)
      {
        max_class_preds = MAX (max_class_preds, i - start);
        start = i;
      }
  for (guint i = 0, start = 0; i <= n_tk; i++)
    if (i == n_tk || truth_keys[i].class_id != truth_keys[start].class_id ||
        truth_keys[i].image != truth_keys[start].image)
      {
        max_group_truths = MAX (max_group_truths, i - start);
        start = i;
      }
  matched = g_new0 (guint16, MAX (n_tk, 1));
  class_preds = g_new (ClassPred, MAX (max_class_preds, 1));
  ious = g_new (double, MAX (max_group_truths, 1));
  curve_a = g_new (double, max_class_preds + 2);
  curve_b = g_new (double, max_class_preds + 2);

  for (guint c = 0; c < n_classes; c++)
    {
      guint n_class_preds = 0, n_positives = 0;

      while (ti < n_tk || pi < n_pk)
        {
          guint image, t_end = ti, p_end = pi;

          if ((ti >= n_tk || truth_keys[ti].class_id != (int) c) &&
              (pi >= n_pk || pred_keys[pi].class_id != (int) c))
            break;

          /* the next image with truths or predictions of class c */
          if (ti < n_tk && truth_keys[ti].class_id == (int) c &&
              (pi >= n_pk || pred_keys[pi].class_id != (int) c ||
               truth_keys[ti].image <= pred_keys[pi].image))
            image = truth_keys[ti].image;
          else
            image = pred_keys[pi].image;

          while (t_end < n_tk && truth_keys[t_end].class_id == (int) c &&
                 truth_keys[t_end].image == image)
            {
              if (!truth_keys[t_end].crowd)
                n_positives++;
              t_end++;
            }
          while (p_end < n_pk && pred_keys[p_end].class_id == (int) c &&
                 pred_keys[p_end].image == image)
            p_end++;

          match_image (truths, &truth_keys[ti], &matched[ti], t_end - ti,
                       predictions, &pred_keys[pi], &class_preds[n_class_preds],
                       p_end - pi, max_dets, ious);
          n_class_preds += p_end - pi;
          ti = t_end;
          pi = p_end;
        }

      result->n_truths[c] = n_positives;
      qsort (class_preds, n_class_preds, sizeof (ClassPred), class_pred_compare);
      if (curves != NULL)
        fill_curve (&curves[c], class_preds, n_class_preds, n_positives);
      if (tally != NULL)
        tally_images (tally, class_preds, n_class_preds);
      if (n_positives == 0)
        {
          result->ap50[c] = NAN;
          result->ap[c] = NAN;
          continue;
        }

      result->ap50[c] = voc_ap (class_preds, n_class_preds, n_positives,
                                curve_a, curve_b);
      result->ap[c] = coco_ap (class_preds, n_class_preds, n_positives,
                               curve_a, curve_b);
    }

  result->map50 = mean_defined (result->ap50, n_classes);
  result->map = mean_defined (result->ap, n_classes);

  return result;
}

/**
 * otter_map_compute:
 * @truths: (array length=n_truths) (nullable): ground-truth boxes
 * @n_truths: number of @truths
 * @predictions: (array length=n_predictions) (nullable): detections
 * @n_predictions: number of @predictions
 * @n_classes: number of classes; boxes whose class_id is outside
 *   [0, @n_classes) are left out
 * @max_per_image: COCO's maxDets, 0 for its default of 100
 *
 * Computes per-class and mean average precision of @predictions against
 * @truths. Boxes use continuous coordinates (width is x2 - x1), images are
 * compared by index and a crowd truth is an ignored region.
 *
 * ap50 is Pascal VOC's all-point AP at IoU >= 0.5 with the devkit's
 * matching: predictions of a class, by descending score, each take the
 * truth of highest IoU in their image; a TP when it is free, an FP when an
 * earlier prediction took it (a duplicate), neither when it is a crowd
 * region (the devkit's "difficult" boxes, compared by plain IoU there);
 * predictions below IoU 0.5 are FP.
 * All predictions count, whatever @max_per_image.
 *
 * ap is COCO's AP@[.50:.05:.95] exactly as pycocotools' COCOeval computes it
 * for bbox and area "all": as in COCOeval, @max_per_image caps the
 * predictions of each image and class (the best-scored ones, ties in input
 * order), precision is made monotone and sampled at 101 recall points.
 *
 * Equal scores are ordered by image index, then input order, which is
 * COCOeval's order when images are numbered by ascending image id. A class
 * without non-crowd truth gets NAN and is left out of the means; one with
 * truths but no prediction gets 0.
 *
 * Returns: (transfer full): the result, free with otter_map_result_free()
 */
OtterMapResult *
otter_map_compute (const OtterTruth      *truths,
                   guint                  n_truths,
                   const OtterPrediction *predictions,
                   guint                  n_predictions,
                   guint                  n_classes,
                   guint                  max_per_image)
{
  g_return_val_if_fail (truths != NULL || n_truths == 0, NULL);
  g_return_val_if_fail (predictions != NULL || n_predictions == 0, NULL);

  return otter_metrics_match (truths, n_truths, predictions, n_predictions, n_classes,
                              max_per_image, NULL, NULL);
}

/**
 * otter_map_result_free:
 * @result: (nullable) (transfer full): a result of otter_map_compute()
 *
 * Frees @result and its arrays.
 */
void
otter_map_result_free (OtterMapResult *result)
{
  if (result == NULL)
    return;

  g_free (result->ap50);
  g_free (result->ap);
  g_free (result->n_truths);
  g_free (result);
}
