/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-confusion.c: which class the detections took each truth for */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "otter-metrics-private.h"

#define MATCH_IOU 0.5

typedef struct
{
  guint  image;
  double score;
  guint  index;
} Key;

typedef enum
{
  DET_UNMATCHED,
  DET_FOUND,                   /* took a truth of its own class */
  DET_IGNORED,                 /* fell on a crowd region */
} DetState;

/* By image, then descending score (input order on a tie), as ap50 walks
 * them. */
static int
pred_compare (const void *a,
              const void *b)
{
  const Key *x = a;
  const Key *y = b;

  if (x->image != y->image)
    return x->image < y->image ? -1 : 1;
  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* By image, real truths before crowd regions, then input order: the order
 * ap50's matching visits them, which decides its ties. */
static int
truth_compare (const void *a,
               const void *b)
{
  const Key *x = a;
  const Key *y = b;

  if (x->image != y->image)
    return x->image < y->image ? -1 : 1;
  if (x->score != y->score)
    return x->score < y->score ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* One image. First each detection, best score first, takes the truth of its
 * own class of highest IoU exactly as ap50 does, so the diagonal holds the
 * true positives at the threshold. Then a detection left over takes the
 * free truth of another class it overlaps most: a confusion is only counted
 * for an object its own class did not find. */
static void
confuse_image (OtterConfusion        *cm,
               const OtterTruth      *truths,
               const Key             *tk,
               guint                  nt,
               const OtterPrediction *predictions,
               const Key             *pk,
               guint                  np,
               gboolean              *taken,
               DetState              *state)
{
  guint missed = cm->n_classes, background = cm->n_classes;

  for (guint i = 0; i < np; i++)
    {
      const OtterPrediction *p = &predictions[pk[i].index];
      double best = -1;
      int m = -1;

      for (guint g = 0; g < nt; g++)
        {
          const OtterTruth *t = &truths[tk[g].index];
          double iou;

          if (t->class_id != p->class_id)
            continue;
          iou = otter_metrics_box_iou (p, t, FALSE);
          if (iou > best)
            {
              best = iou;
              m = (int) g;
            }
        }
      state[i] = DET_UNMATCHED;
      if (m < 0 || best < MATCH_IOU)
        continue;
      if (truths[tk[m].index].crowd)
        state[i] = DET_IGNORED;
      else if (!taken[m])
        {
          taken[m] = TRUE;
          state[i] = DET_FOUND;
          OTTER_CONFUSION_AT (cm, p->class_id, p->class_id)++;
        }
    }

  for (guint i = 0; i < np; i++)
    {
      const OtterPrediction *p = &predictions[pk[i].index];
      double best = -1;
      int m = -1;

      if (state[i] != DET_UNMATCHED)
        continue;
      for (guint g = 0; g < nt; g++)
        {
          const OtterTruth *t = &truths[tk[g].index];
          double iou;

          if (taken[g] || t->crowd || t->class_id == p->class_id)
            continue;
          iou = otter_metrics_box_iou (p, t, FALSE);
          if (iou > best)
            {
              best = iou;
              m = (int) g;
            }
        }
      if (m >= 0 && best >= MATCH_IOU)
        {
          taken[m] = TRUE;
          OTTER_CONFUSION_AT (cm, truths[tk[m].index].class_id, p->class_id)++;
        }
      else
        OTTER_CONFUSION_AT (cm, background, p->class_id)++;
    }

  for (guint g = 0; g < nt; g++)
    if (!taken[g] && !truths[tk[g].index].crowd)
      OTTER_CONFUSION_AT (cm, truths[tk[g].index].class_id, missed)++;
}

/**
 * otter_confusion_compute:
 * @truths: (array length=n_truths) (nullable): ground-truth boxes
 * @n_truths: number of @truths
 * @predictions: (array length=n_predictions) (nullable): detections
 * @n_predictions: number of @predictions
 * @n_classes: number of classes; boxes of other classes are left out
 * @score_threshold: detections below it are left out
 *
 * The confusion matrix at IoU 0.5. The diagonal counts what ap50's
 * matching calls true positives; a detection that found no truth of its
 * class but overlaps a truth of another class left unfound counts in that
 * class's row; other detections are background, and truths found by
 * nothing are missed. A detection on a crowd region counts nowhere. So the
 * counts add up to the non-crowd truths plus the background row.
 *
 * Returns: (transfer full): the matrix, free with otter_confusion_free()
 */
OtterConfusion *
otter_confusion_compute (const OtterTruth      *truths,
                         guint                  n_truths,
                         const OtterPrediction *predictions,
                         guint                  n_predictions,
                         guint                  n_classes,
                         double                 score_threshold)
{
  g_autofree Key *tk = NULL;
  g_autofree Key *pk = NULL;
  g_autofree gboolean *taken = NULL;
  g_autofree DetState *state = NULL;
  OtterConfusion *cm;
  guint nt = 0, np = 0;

  g_return_val_if_fail (truths != NULL || n_truths == 0, NULL);
  g_return_val_if_fail (predictions != NULL || n_predictions == 0, NULL);

  cm = g_new0 (OtterConfusion, 1);
  cm->n_classes = n_classes;
  cm->score_threshold = score_threshold;
  cm->counts = g_new0 (guint, (n_classes + 1) * (n_classes + 1));

  tk = g_new (Key, MAX (n_truths, 1));
  for (guint i = 0; i < n_truths; i++)
    if (truths[i].class_id >= 0 && (guint) truths[i].class_id < n_classes)
      tk[nt++] = (Key) { truths[i].image, truths[i].crowd ? 1 : 0, i };
  qsort (tk, nt, sizeof (Key), truth_compare);

  pk = g_new (Key, MAX (n_predictions, 1));
  for (guint i = 0; i < n_predictions; i++)
    {
      const OtterPrediction *p = &predictions[i];

      if (p->class_id < 0 || (guint) p->class_id >= n_classes ||
          isnan (p->score) || p->score < score_threshold)
        continue;
      pk[np++] = (Key) { p->image, p->score, i };
    }
  qsort (pk, np, sizeof (Key), pred_compare);

  taken = g_new (gboolean, MAX (nt, 1));
  state = g_new (DetState, MAX (np, 1));
  for (guint ti = 0, pi = 0; ti < nt || pi < np;)
    {
      guint image, t_end = ti, p_end = pi;

      if (ti < nt && (pi >= np || tk[ti].image <= pk[pi].image))
        image = tk[ti].image;
      else
        image = pk[pi].image;
      while (t_end < nt && tk[t_end].image == image)
        t_end++;
      while (p_end < np && pk[p_end].image == image)
        p_end++;

      for (guint g = ti; g < t_end; g++)
        taken[g - ti] = FALSE;
      confuse_image (cm, truths, &tk[ti], t_end - ti, predictions, &pk[pi], p_end - pi,
                     taken, state);
      ti = t_end;
      pi = p_end;
    }

  return cm;
}

/**
 * otter_confusion_free:
 * @confusion: (nullable) (transfer full): a matrix of otter_confusion_compute()
 */
void
otter_confusion_free (OtterConfusion *confusion)
{
  if (confusion == NULL)
    return;

  g_free (confusion->counts);
  g_free (confusion);
}
