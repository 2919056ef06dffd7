/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-preview.h: the Perturbation page's computation, off the UI thread */
#pragma once

#include <gio/gio.h>

#include "otter-dataset.h"
#include "otter-latest-job.h"
#include "otter-model.h"

G_BEGIN_DECLS

/* What to attack and how. */
typedef struct
{
  guint              start;        /* first sample, when not random */
  guint              count;        /* images in the batch */
  gboolean           random;       /* draw `count` distinct samples with `seed` */
  guint64            seed;         /* sample draw and the attack's random start */
  OtterTorchOtParams ot;
  float              score_threshold;
} OtterPreviewParams;

void otter_preview_params_init (OtterPreviewParams *params);

/* One finished computation; immutable, shared by reference. */
typedef struct
{
  int                  n;
  int                  size;
  float                epsilon;
  guint               *sample_indices;   /* n */
  float               *clean;            /* n × 3 × S × S */
  float               *delta;            /* n × S × S: max_c |x' − x| / ε in [0, 1] */
  float               *signed_delta;     /* n × 3 × S × S: 0.5 + 0.5 (x' − x) / ε, in [0, 1] */
  float               *delta_range;      /* n × 2: the 2nd and 98th percentile of delta
                                          * inside the image (the map's own scale) */
  int                 *content;          /* n × 4: x0, y0, x1, y1 of the image inside the
                                          * input, the letterbox padding left out */
  GArray              *clean_detections; /* OtterTorchDetection */
  GArray              *perturbed_detections;
  char               **class_names;
  OtterTorchOtResult  *ot;               /* perturbed images, plans, maps, D */
} OtterPreviewResult;

OtterPreviewResult *otter_preview_result_ref   (OtterPreviewResult *result);
void                otter_preview_result_unref (OtterPreviewResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterPreviewResult, otter_preview_result_unref)

#define OTTER_TYPE_PREVIEW (otter_preview_get_type ())
G_DECLARE_FINAL_TYPE (OtterPreview, otter_preview, OTTER, PREVIEW, OtterLatestJob)

OtterPreview       *otter_preview_new        (void);
/* Starts a computation on a worker thread. A request made while one runs
 * supersedes it: the running one's result is dropped and only the newest
 * request is computed next. "result" and "running" notify on the UI thread. */
void                otter_preview_request    (OtterPreview             *self,
                                              OtterDataset             *dataset,
                                              OtterModel               *model,
                                              const OtterPreviewParams *params);
/* Drops pending and running work (the running one finishes unseen). */
void                otter_preview_cancel     (OtterPreview             *self);
gboolean            otter_preview_get_running (OtterPreview            *self);
/* The newest finished result, or NULL (borrowed). */
OtterPreviewResult *otter_preview_get_result (OtterPreview             *self);
/* Why the newest request failed, or NULL. */
const char         *otter_preview_get_error  (OtterPreview             *self);
/* Bumped each time a result or an error arrives. */
guint               otter_preview_get_serial (OtterPreview             *self);

/* The computation itself, synchronous (for workers and tests). */
OtterPreviewResult *otter_preview_compute    (OtterDataset             *dataset,
                                              OtterModel               *model,
                                              const OtterPreviewParams *params,
                                              GCancellable             *cancellable,
                                              GError                  **error);

G_END_DECLS
