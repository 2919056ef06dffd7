/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-train-config.h: every setting of a training run, and its JSON form */
#pragma once

#include <json-glib/json-glib.h>

#include "otter-augment.h"
#include "otter-torch.h"

G_BEGIN_DECLS

/* The default threshold τ on the epoch's mean target loss. For `ot` the
 * target loss is L1 + L2, for `pgd` it is L2 and for `standard` L1, so the
 * default for the single-loss methods is half of it: the same per-loss
 * quality. Calibrated on the demo data so that a converged tiny model finds
 * the shapes (mAP@0.5 ≥ 0.8 on the validation split). */
#define OTTER_DEFAULT_LOSS_THRESHOLD 1.2

typedef struct
{
  char                 *data;            /* dataset path or "demo" */
  char                 *val_data;        /* validation dataset, or NULL to split */
  double                val_fraction;    /* used when val_data is NULL */
  /* Train on dataset files outside the dataset's folder too
   * (OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT), for data and val_data. */
  gboolean              allow_outside_root;
  char                 *arch;            /* tiny | small | resnet18 | mobilenet_v3_large */
  int                   input_size;      /* 0: 96 for the demo, 320 otherwise */
  char                 *init_model;      /* start from this model file, or NULL */
  /* A torchvision-layout state_dict (.pth) for the backbone, or NULL for a
   * random start; `pretrained` records that it is torchvision's ImageNet
   * file for the architecture. */
  char                 *backbone_weights;
  gboolean              pretrained;
  int                   freeze_backbone_epochs; /* backbone frozen for the first N epochs */
  int                   batch_size;
  int                   max_epochs;
  double                loss_threshold;  /* τ; ≤ 0 means the method's default */
  guint64               seed;
  gboolean              augment;         /* augment the training images at all */
  /* The augmentation when augment_custom is set; otherwise the data's
   * default (see otter_train_config_get_augment()). */
  gboolean              augment_custom;
  OtterAugmentParams    augment_params;
  int                   checkpoint_every; /* epochs between checkpoints (≥ 1) */
  char                 *name;            /* part of the run directory name */
  int                   world_size;      /* processes training data-parallel (1: one) */
  OtterTorchTrainParams train;
} OtterTrainConfig;

void              otter_train_config_init        (OtterTrainConfig       *config);
void              otter_train_config_clear       (OtterTrainConfig       *config);
void              otter_train_config_copy        (OtterTrainConfig       *dest,
                                                  const OtterTrainConfig *src);
/* Checks ranges; messages name the setting. */
gboolean          otter_train_config_validate    (const OtterTrainConfig *config,
                                                  GError                **error);
/* τ in force: the configured one, or the method's default. */
double            otter_train_config_get_threshold (const OtterTrainConfig *config);
int               otter_train_config_get_input_size (const OtterTrainConfig *config);
/* The peak learning rate in force: train.lr, or when that is 0 the default
 * for the data (2e-3 for the small demo images, 5e-4 for real photos at
 * 320 px, where the faster rate leaves the heatmap head stuck near its
 * prior). */
double            otter_train_config_get_lr      (const OtterTrainConfig *config);
/* The EMA decay in force: train.ema_decay when ≥ 0, else the default for
 * the data (off for the demo, whose runs are short). */
double            otter_train_config_get_ema_decay (const OtterTrainConfig *config);
/* The augmentation in force: none when augment is off, the custom one
 * when set, else flips for the demo (its shapes are already varied) and
 * the photo preset (zoom 0.5–1.5, crops, flips, colour jitter) otherwise. */
void              otter_train_config_get_augment (const OtterTrainConfig *config,
                                                  OtterAugmentParams     *params);
/* The backbone's learning-rate scale in force: train.backbone_lr_scale
 * when ≥ 0, else 0.1 when the backbone starts from weights, 1 otherwise. */
double            otter_train_config_get_backbone_lr_scale (const OtterTrainConfig *config);

JsonNode         *otter_train_config_to_json     (const OtterTrainConfig *config);
gboolean          otter_train_config_from_json   (OtterTrainConfig       *config,
                                                  JsonNode               *node,
                                                  GError                **error);

G_END_DECLS
