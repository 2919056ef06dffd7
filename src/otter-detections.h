/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-detections.h: the current model's detections on one image, off the UI thread */
#pragma once

#include <gio/gio.h>

#include "otter-dataset.h"
#include "otter-latest-job.h"
#include "otter-model.h"

G_BEGIN_DECLS

/* The lowest score a computation keeps: a score threshold at or above it
 * filters the kept detections without running the model again. */
#define OTTER_DETECTIONS_MIN_SCORE 0.05f
/* At most this many detections per image. */
#define OTTER_DETECTIONS_MAX       100

/* A detection in the pixels of the whole image (not of the model input). */
typedef struct
{
  double x1, y1, x2, y2;
  float  score;
  int    class_id;
} OtterDetection;

/* One finished computation; immutable, shared by reference. */
typedef struct
{
  guint         index;           /* the sample's place in the dataset */
  OtterSample  *sample;
  int           image_width;     /* the whole image the boxes refer to */
  int           image_height;
  GArray       *detections;      /* OtterDetection, best first */
  char        **class_names;     /* the model's, which name class_id */
} OtterDetectionsResult;

OtterDetectionsResult *otter_detections_result_ref         (OtterDetectionsResult       *result);
void                   otter_detections_result_unref       (OtterDetectionsResult       *result);
/* How many detections score at least threshold. */
guint                  otter_detections_result_count_above (const OtterDetectionsResult *result,
                                                            double                       threshold);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterDetectionsResult, otter_detections_result_unref)

#define OTTER_TYPE_DETECTIONS (otter_detections_get_type ())
G_DECLARE_FINAL_TYPE (OtterDetections, otter_detections, OTTER, DETECTIONS, OtterLatestJob)

OtterDetections       *otter_detections_new         (void);
/* Runs the model on sample `index` on a worker thread. A request made
 * while one runs supersedes it and any request still waiting: the running
 * one's result is dropped and only the newest is computed next. "result",
 * "serial" and "running" notify on the thread that made the request (the
 * UI thread). */
void                   otter_detections_request     (OtterDetections *self,
                                                     OtterDataset    *dataset,
                                                     OtterModel      *model,
                                                     guint            index);
/* Drops pending and running work (the running one finishes unseen) and
 * the result shown: for a sample, model or dataset that went away. */
void                   otter_detections_clear       (OtterDetections *self);
gboolean               otter_detections_get_running (OtterDetections *self);
/* The newest request's result, or NULL while it runs, after an error or
 * after a clear (borrowed). */
OtterDetectionsResult *otter_detections_get_result  (OtterDetections *self);
/* Why the newest request failed, or NULL. */
const char            *otter_detections_get_error   (OtterDetections *self);
/* Bumped each time a result or an error arrives. */
guint                  otter_detections_get_serial  (OtterDetections *self);

/* The computation itself, synchronous (for the worker and tests). */
OtterDetectionsResult *otter_detections_compute     (OtterDataset    *dataset,
                                                     OtterModel      *model,
                                                     guint            index,
                                                     GCancellable    *cancellable,
                                                     GError         **error);

G_END_DECLS
