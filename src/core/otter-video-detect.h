/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-detect.h: a model's detections on a video frame, clean and attacked */
#pragma once

#include "otter-torch.h"
#include "otter-video.h"

G_BEGIN_DECLS

typedef struct
{
  GArray          *clean;            /* OtterTorchDetection, in frame pixels */
  GArray          *attacked;         /* the same on the attacked frame; NULL without an attack */
  /* The attacked frame at the frame's size: the perturbation the attack
   * found on the model's input, carried back onto the frame's pixels.
   * NULL without an attack. */
  OtterVideoFrame *attacked_frame;
} OtterVideoDetections;

void otter_video_detections_free (OtterVideoDetections *detections);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterVideoDetections, otter_video_detections_free)

/* Runs `model` (locked by the caller) on one frame, letterboxed to its
 * input size, and with `attack` (NULL or OTTER_ATTACK_NONE: none) on the
 * attacked copy too. FGSM and PGD need boxes to attack; a video has none,
 * so they attack the model's own clean detections (score ≥ threshold),
 * as is usual for unlabelled footage. Blocks: call it from a worker. */
OtterVideoDetections *otter_video_detect_frame (OtterTorchModel              *model,
                                                const OtterVideoFrame        *frame,
                                                const OtterTorchAttackParams *attack,
                                                float                         score_threshold,
                                                guint64                       seed,
                                                GError                      **error);

G_END_DECLS
