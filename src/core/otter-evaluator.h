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

/* The model's class names must be the dataset's (same names, same order). */
gboolean        otter_evaluate_check_classes (OtterTorchModel *model,
                                              OtterDataset    *dataset,
                                              GError         **error);

G_END_DECLS
