/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-evaluation.h: clean and robust mAP of one or two models, off the UI thread */
#pragma once

#include <gio/gio.h>

#include "otter-dataset.h"
#include "otter-evaluator.h"
#include "otter-model.h"

G_BEGIN_DECLS

/* The score at which a detection counts as made, for the confusion matrix
 * and the per-image scores (the mAP uses every detection). */
#define OTTER_EVALUATION_CONFIDENT 0.25

/* One image, clean and under an attack (scores at OTTER_EVALUATION_CONFIDENT). */
typedef struct
{
  guint           image;       /* index in otter_evaluation_get_data() */
  OtterImageScore clean;
  OtterImageScore attacked;
} OtterImageDrop;

#define OTTER_TYPE_EVALUATION (otter_evaluation_get_type ())
G_DECLARE_FINAL_TYPE (OtterEvaluation, otter_evaluation, OTTER, EVALUATION, GObject)

/* val_fraction 0: the whole dataset; otherwise its validation split, as
 * training makes it (same fraction and seed give the same images). */
OtterEvaluation        *otter_evaluation_new           (OtterDataset                 *dataset,
                                                        double                        val_fraction,
                                                        guint64                       seed);
/* Label is what tables and charts call the model ("standard", "ot"). */
void                    otter_evaluation_add_model     (OtterEvaluation              *self,
                                                        OtterModel                   *model,
                                                        const char                   *label);
void                    otter_evaluation_add_attack    (OtterEvaluation              *self,
                                                        const OtterTorchAttackParams *params);

/* Runs every attack on every model in a GTask thread; "fraction" and
 * "stage" follow progress (coalesced, on the main context). */
void                    otter_evaluation_run_async     (OtterEvaluation              *self,
                                                        GCancellable                 *cancellable,
                                                        GAsyncReadyCallback           callback,
                                                        gpointer                      user_data);
gboolean                otter_evaluation_run_finish    (OtterEvaluation              *self,
                                                        GAsyncResult                 *result,
                                                        GError                      **error);

double                  otter_evaluation_get_fraction  (OtterEvaluation              *self);
const char             *otter_evaluation_get_stage     (OtterEvaluation              *self);

guint                   otter_evaluation_get_n_models  (OtterEvaluation              *self);
guint                   otter_evaluation_get_n_attacks (OtterEvaluation              *self);
const char             *otter_evaluation_get_model_label (OtterEvaluation            *self,
                                                          guint                       model);
const OtterTorchAttackParams *
                        otter_evaluation_get_attack    (OtterEvaluation              *self,
                                                        guint                         attack);
/* Short attack name for column headers: "Clean", "FGSM", "PGD-10", "OT" */
char                   *otter_evaluation_dup_attack_label (OtterEvaluation           *self,
                                                           guint                      attack);
const char *const      *otter_evaluation_get_class_names (OtterEvaluation            *self);
guint                   otter_evaluation_get_n_images  (OtterEvaluation              *self);
/* NULL until the run finished */
const OtterMapResult   *otter_evaluation_get_result    (OtterEvaluation              *self,
                                                        guint                         model,
                                                        guint                         attack);
/* Per class, the PR curve at IoU 0.5 (AP = the table's AP50) */
const OtterPrCurves    *otter_evaluation_get_pr_curves (OtterEvaluation          *self,
                                                        guint                     model,
                                                        guint                     attack);
const OtterConfusion   *otter_evaluation_get_confusion (OtterEvaluation          *self,
                                                        guint                     model,
                                                        guint                     attack);
/* n_images entries */
const OtterImageScore  *otter_evaluation_get_image_scores (OtterEvaluation       *self,
                                                           guint                  model,
                                                           guint                  attack);
/* The images evaluated (the split or the whole dataset): image indices of
 * the results are positions in it. */
OtterDataset           *otter_evaluation_get_data      (OtterEvaluation          *self);
/* The clean "attack", or -1 */
int                     otter_evaluation_find_clean    (OtterEvaluation          *self);
/* OtterImageDrop for every image, the largest drop from clean first; NULL
 * without a clean run or for the clean run itself. */
GArray                 *otter_evaluation_dup_drops     (OtterEvaluation          *self,
                                                        guint                     model,
                                                        guint                     attack);
/* Attacks one image again (its whole batch, same settings and seed) on a
 * worker thread, for a side-by-side view. */
void                    otter_evaluation_inspect_async (OtterEvaluation          *self,
                                                        guint                     model,
                                                        guint                     attack,
                                                        guint                     image,
                                                        GCancellable             *cancellable,
                                                        GAsyncReadyCallback       callback,
                                                        gpointer                  user_data);
OtterEvalImage         *otter_evaluation_inspect_finish (OtterEvaluation         *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);
char                   *otter_evaluation_to_csv        (OtterEvaluation              *self);
char                   *otter_evaluation_to_json       (OtterEvaluation              *self);

G_END_DECLS
