/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-player-private.h: what the video player and its worker thread share */
#pragma once

#include "otter-torch.h"
#include "otter-video-player.h"

G_BEGIN_DECLS

/* The player owns one per opened video; the worker holds a reference and
 * outlives the player when it is busy in the model at close. Everything
 * below `lock` is guarded by it. */
typedef struct
{
  gatomicrefcount         ref_count;
  char                   *location;
  GCancellable           *cancellable;
  GMainContext           *context;
  GWeakRef                owner;

  GMutex                  lock;
  /* commands */
  gboolean                want_playing;
  gint64                  seek_to;        /* ns; -1 for none */
  guint                   generation;     /* bumped by each seek */
  gboolean                reprocess;      /* settings changed: the paused frame again */
  OtterModel             *model;
  OtterTorchAttackParams  attack;
  float                   threshold;
  /* reports */
  gboolean                has_info;
  OtterVideoInfo          info;
  char                   *error;
  OtterVideoResult       *result;
  guint                   result_generation;
  gboolean                playing;
  guint64                 n_dropped;
  double                  fps;
  guint                   idle_id;
} OtterVideoShared;

OtterVideoShared *otter_video_shared_ref               (OtterVideoShared *shared);
void              otter_video_shared_unref             (OtterVideoShared *shared);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterVideoShared, otter_video_shared_unref)
/* With the lock held: one pending idle on the player's thread carries
 * every report the worker made since the last one. */
void              otter_video_shared_schedule_delivery (OtterVideoShared *shared);

OtterVideoResult *otter_video_result_new               (OtterVideoFrame  *frame);

/* Runs the worker on its own thread, holding a reference to `shared`. */
void              otter_video_worker_start             (OtterVideoShared *shared);

G_END_DECLS
