/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-export.h: a clip's frames through the model, written out as
 * a clean | attacked video and as a dataset of frames */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "otter-model.h"
#include "otter-video-detect.h"

G_BEGIN_DECLS

typedef struct
{
  OtterModel             *model;            /* NULL: no detections */
  OtterTorchAttackParams  attack;           /* OTTER_ATTACK_NONE: clean only */
  float                   score_threshold;  /* lowest score drawn, counted and labelled */
  /* The frames with their detections drawn, the attacked frame beside the
   * clean one under an attack (.webm, .mkv, .avi or .mp4), or NULL. */
  const char             *compare_path;
  gboolean                keep_audio;       /* the clip's sound goes into compare_path */
  /* Frames as PNG images, or NULL; with `labels` in the YOLO layout
   * (images/, labels/ and data.yaml), which needs a model. */
  const char             *frames_dir;
  gboolean                labels;
  guint                   every;            /* save every N-th frame read */
  double                  start, end;       /* seconds; end ≤ 0: to the end */
  guint64                 max_frames;       /* 0: no limit */
} OtterVideoExportOptions;

/* No model, no outputs, every frame from start to end, threshold 0.3,
 * sound kept. */
void otter_video_export_options_init (OtterVideoExportOptions *options);

typedef struct
{
  guint64 n_expected;      /* frames in the range, from the duration and rate; 0 when unknown */
  guint64 n_read;          /* frames read and handled so far */
  guint64 n_written;       /* frames in compare_path */
  gboolean with_audio;     /* compare_path has the clip's sound */
  guint64 n_saved;         /* images in frames_dir */
  guint64 n_detected;      /* frames the model ran on */
  double  clean_sum;       /* detections summed over those frames */
  double  attacked_sum;
} OtterVideoExportStats;

/* Called on the exporting thread after each frame. */
typedef void (*OtterVideoExportProgress) (const OtterVideoExportStats *stats,
                                          const OtterVideoFrame       *frame,
                                          gpointer                     user_data);

/* Reads `source` (opened, in OTTER_VIDEO_READ_ALL mode) from options->start
 * to its end, options->end or options->max_frames, locking the model for
 * each frame. Nothing is left under compare_path unless it succeeds:
 * cancelled (G_IO_ERROR_CANCELLED) or failed, the video's temporary file
 * is removed; frames already saved stay. `stats` (may be NULL) is filled
 * either way. Blocks: call it from a worker in interactive code. */
gboolean otter_video_export (OtterVideoSource              *source,
                             const OtterVideoExportOptions *options,
                             OtterVideoExportProgress       progress,
                             gpointer                       user_data,
                             GCancellable                  *cancellable,
                             OtterVideoExportStats         *stats,
                             GError                       **error);

/* The frame with its clean detections drawn and, when `found` has an
 * attacked frame, that frame with its own detections beside it. */
GdkPixbuf *otter_video_compose_comparison (const OtterVideoFrame      *frame,
                                           const OtterVideoDetections *found,
                                           const char *const          *class_names);

G_END_DECLS
