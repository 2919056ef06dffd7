/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-evaluator.h: clean and robust mAP of a model on a dataset */
#pragma once

#include <gio/gio.h>

#include "otter-dataset.h"
#include "otter-metrics.h"
#include "otter-torch.h"

G_BEGIN_DECLS

#define OTTER_EVAL_SCORE_THRESHOLD 0.01f
#define OTTER_EVAL_MAX_DETECTIONS  100

/* Called on the evaluating thread after each batch. */
typedef void (*OtterEvalProgressFunc) (guint    done,
                                       guint    total,
                                       gpointer user_data);

/* Runs the model over every sample of `dataset`, attacked as `attack` says
 * (NULL or OTTER_ATTACK_NONE: clean images), and scores its detections
 * against the ground truth in image pixels. Blocks: call it from a worker
 * thread in interactive code. Images that fail to decode are left out and
 * listed in `failures` ("file: reason", may be NULL). */
OtterMapResult *otter_evaluate (OtterTorchModel              *model,
                                OtterDataset                 *dataset,
                                const OtterTorchAttackParams *attack,
                                int                           batch_size,
                                guint64                       seed,
                                GCancellable                 *cancellable,
                                OtterEvalProgressFunc         progress,
                                gpointer                      user_data,
                                GPtrArray                    *failures,
                                GError                      **error);

/* otter_evaluate() without the scoring: the truths and the predictions
 * (OtterTruth, OtterPrediction; image pixels, images numbered by their
 * index in `dataset`) it would score, for the curves and tables that need
 * more than the mAP. */
gboolean        otter_evaluate_detections (OtterTorchModel              *model,
                                           OtterDataset                 *dataset,
                                           const OtterTorchAttackParams *attack,
                                           int                           batch_size,
                                           guint64                       seed,
                                           GCancellable                 *cancellable,
                                           OtterEvalProgressFunc         progress,
                                           gpointer                      user_data,
                                           GPtrArray                    *failures,
                                           GArray                      **truths,
                                           GArray                      **predictions,
                                           GError                      **error);
/* The classes otter_evaluate() scores. */
guint           otter_evaluate_get_n_classes (OtterTorchModel *model,
                                              OtterDataset    *dataset);

/* One evaluated image again, clean and attacked. */
typedef struct
{
  guint    image;
  int      size;               /* side of the model input */
  int      content[4];         /* the image in the input: x0, y0, x1, y1 */
  float   *clean;              /* 3 × size × size, the letterboxed input */
  float   *attacked;
  /* OtterPrediction in pixels of the content rectangle (input pixels
   * less content's origin), best first */
  GArray  *clean_detections;
  GArray  *attacked_detections;
  /* how the evaluation scores them at the threshold asked for */
  OtterImageScore clean_score;
  OtterImageScore attacked_score;
} OtterEvalImage;

/* Recomputes what otter_evaluate_detections() saw of `image` with the same
 * attack, batch size and seed: the attack runs on the image's whole batch,
 * since its random start and the OT plan depend on the batch; the
 * scores count detections from `score_threshold` up. Blocks. */
OtterEvalImage *otter_evaluate_image      (OtterTorchModel              *model,
                                           OtterDataset                 *dataset,
                                           const OtterTorchAttackParams *attack,
                                           int                           batch_size,
                                           guint64                       seed,
                                           guint                         image,
                                           double                        score_threshold,
                                           GCancellable                 *cancellable,
                                           GError                      **error);
void            otter_eval_image_free     (OtterEvalImage               *image);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterEvalImage, otter_eval_image_free)

/* The model's class names must be the dataset's (same names, same order). */
gboolean        otter_evaluate_check_classes (OtterTorchModel *model,
                                              OtterDataset    *dataset,
                                              GError         **error);

G_END_DECLS
