/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-player.h: a video played on a worker thread, with the model's detections on each frame */
#pragma once

#include <gio/gio.h>

#include "otter-model.h"
#include "otter-video.h"

G_BEGIN_DECLS

/* One processed frame; immutable, shared by reference. */
typedef struct
{
  OtterVideoFrame *frame;
  GArray          *clean;          /* OtterTorchDetection in frame pixels; NULL without a model */
  GArray          *attacked;       /* on attacked_frame; NULL without an attack */
  OtterVideoFrame *attacked_frame; /* NULL without an attack */
  char           **class_names;    /* the model's; NULL without a model */
  char            *detect_error;   /* why the model failed on this frame, or NULL */
} OtterVideoResult;

OtterVideoResult *otter_video_result_ref   (OtterVideoResult *result);
void              otter_video_result_unref (OtterVideoResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterVideoResult, otter_video_result_unref)

#define OTTER_TYPE_VIDEO_PLAYER (otter_video_player_get_type ())
G_DECLARE_FINAL_TYPE (OtterVideoPlayer, otter_video_player, OTTER, VIDEO_PLAYER, GObject)

OtterVideoPlayer       *otter_video_player_new          (void);
/* Stops what was playing and opens `location` (a file or "camera:N") on a
 * new worker thread, paused on its first frame. "loading", "info",
 * "error" and "result" notify on the thread that called this (the UI
 * thread), which never waits for the worker. */
void                    otter_video_player_open         (OtterVideoPlayer *self,
                                                         const char       *location);
/* Stops the worker without waiting for it: one busy in the model winds
 * down on its own afterwards. Dispose does the same. */
void                    otter_video_player_close        (OtterVideoPlayer *self);
const char             *otter_video_player_get_location (OtterVideoPlayer *self);
gboolean                otter_video_player_get_loading  (OtterVideoPlayer *self);
/* The open stream's properties, or NULL while loading or closed. */
const OtterVideoInfo   *otter_video_player_get_info     (OtterVideoPlayer *self);
/* The one-line reason the video cannot be played, or NULL. */
const char             *otter_video_player_get_error    (OtterVideoPlayer *self);

/* The model whose detections come with each frame (NULL: none), and the
 * attack run on each frame too (NULL or OTTER_ATTACK_NONE: none). Both
 * apply from the next frame on, and a paused frame is processed again. */
void                    otter_video_player_set_model    (OtterVideoPlayer *self,
                                                         OtterModel       *model);
void                    otter_video_player_set_attack   (OtterVideoPlayer             *self,
                                                         const OtterTorchAttackParams *attack);
void                    otter_video_player_set_score_threshold (OtterVideoPlayer *self,
                                                         double            threshold);

void                    otter_video_player_set_playing  (OtterVideoPlayer *self,
                                                         gboolean          playing);
gboolean                otter_video_player_get_playing  (OtterVideoPlayer *self);
/* To the frame showing at `position` (ns); results of frames read before
 * it are dropped. */
void                    otter_video_player_seek         (OtterVideoPlayer *self,
                                                         gint64            position);
/* To the frame `delta` frames from the one shown (pauses first). */
void                    otter_video_player_step         (OtterVideoPlayer *self,
                                                         int               delta);

/* The newest processed frame, or NULL (borrowed). */
OtterVideoResult       *otter_video_player_get_result   (OtterVideoPlayer *self);
/* Frames processed per second over the last second or so. */
double                  otter_video_player_get_fps      (OtterVideoPlayer *self);
/* Frames that came and went while the worker was busy. */
guint64                 otter_video_player_get_n_dropped (OtterVideoPlayer *self);
/* The start of frame `number` in ns, from the frame rate (-1 without one). */
gint64                  otter_video_player_frame_time   (OtterVideoPlayer *self,
                                                         gint64            number);

/* Workers of any player still running, closed or not: for tests that
 * check nothing is left behind. */
guint                   otter_video_player_count_workers (void);

G_END_DECLS
