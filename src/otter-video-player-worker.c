/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-player-worker.c: the video player's worker: decoding, the model and the attack */

#include "config.h"

#include <gst/gst.h>

#include "otter-video-detect.h"
#include "otter-video-player-private.h"

/* How long a read waits before the worker looks at its commands again:
 * the delay a pause or a seek may take to be seen while paused. */
#define POLL_MS      40
/* A playing stream that yields nothing for this long has ended. */
#define END_AFTER_MS 2000
#define FPS_WINDOW_US G_USEC_PER_SEC

static gint n_workers;

typedef struct
{
  OtterVideoShared *shared;
  OtterVideoSource *source;
  OtterVideoFrame  *last;       /* the frame shown, for a paused re-run */
  gint64            n_frames;   /* from duration and rate; 0 when unknown */
  gboolean          at_end;
  GArray           *times;      /* gint64 µs of frames processed lately */
  guint64           seed;
} Worker;

static void
report_error (OtterVideoShared *shared,
              const GError     *error)
{
  g_mutex_lock (&shared->lock);
  if (shared->error == NULL)
    shared->error = g_strdup (error->message);
  shared->playing = FALSE;
  otter_video_shared_schedule_delivery (shared);
  g_mutex_unlock (&shared->lock);
}

static double
measure_fps (Worker *worker)
{
  gint64 now = g_get_monotonic_time ();
  g_array_append_val (worker->times, now);
  /* the last second, but at least two frames, so a model slower than
   * one frame a second still has a rate */
  guint old = 0;
  while (worker->times->len - old > 2 && now - g_array_index (worker->times, gint64, old) > FPS_WINDOW_US)
    old++;
  g_array_remove_range (worker->times, 0, old);
  if (worker->times->len < 2)
    return 0;
  gint64 span = now - g_array_index (worker->times, gint64, 0);
  return span > 0 ? (worker->times->len - 1) * (double) G_USEC_PER_SEC / span : 0;
}

/* The model (if any) on `frame`, and the result handed over unless a seek
 * came in meanwhile. */
static void
process (Worker          *worker,
         OtterVideoFrame *frame,
         guint            generation)
{
  OtterVideoShared *shared = worker->shared;

  g_mutex_lock (&shared->lock);
  g_autoptr (OtterModel) model = shared->model ? g_object_ref (shared->model) : NULL;
  OtterTorchAttackParams attack = shared->attack;
  float threshold = shared->threshold;
  g_mutex_unlock (&shared->lock);

  OtterVideoResult *result = otter_video_result_new (frame);
  if (model != NULL)
    {
      g_autoptr (GError) error = NULL;
      OtterTorchModel *torch = otter_model_lock (model);
      g_autoptr (OtterVideoDetections) found =
        otter_video_detect_frame (torch, frame, attack.kind != OTTER_ATTACK_NONE ? &attack : NULL,
                                  threshold, worker->seed++, &error);
      otter_model_unlock (model);
      result->class_names = g_strdupv ((char **) otter_model_get_class_names (model));
      if (found != NULL)
        {
          result->clean = g_steal_pointer (&found->clean);
          result->attacked = g_steal_pointer (&found->attacked);
          result->attacked_frame = g_steal_pointer (&found->attacked_frame);
        }
      else
        result->detect_error = g_strdup (error->message);
    }

  double fps = measure_fps (worker);
  g_mutex_lock (&shared->lock);
  g_clear_pointer (&shared->result, otter_video_result_unref);
  shared->result = result;
  shared->result_generation = generation;
  shared->fps = fps;
  shared->n_dropped = otter_video_source_get_n_dropped (worker->source);
  otter_video_shared_schedule_delivery (shared);
  g_mutex_unlock (&shared->lock);
}

/* Applies the commands that came in; FALSE on an error (reported). */
static gboolean
apply_commands (Worker   *worker,
                guint    *generation,
                gboolean *reprocess)
{
  OtterVideoShared *shared = worker->shared;
  g_autoptr (GError) error = NULL;

  g_mutex_lock (&shared->lock);
  gint64 seek_to = shared->seek_to;
  gboolean want_playing = shared->want_playing;
  shared->seek_to = -1;
  *generation = shared->generation;
  *reprocess = shared->reprocess;
  shared->reprocess = FALSE;
  g_mutex_unlock (&shared->lock);

  const OtterVideoInfo *info = otter_video_source_get_info (worker->source);
  /* play after the end starts over */
  if (want_playing && worker->at_end && seek_to < 0 && info->seekable)
    seek_to = 0;
  if (seek_to >= 0 && info->seekable)
    {
      /* pause first, so the seek prerolls on the frame asked for even
       * when playing resumes right after */
      if (!otter_video_source_set_playing (worker->source, FALSE, &error) ||
          !otter_video_source_seek (worker->source, seek_to, &error))
        {
          report_error (shared, error);
          return FALSE;
        }
      worker->at_end = FALSE;
    }
  if (worker->at_end)
    want_playing = FALSE;
  if (!otter_video_source_set_playing (worker->source, want_playing, &error))
    {
      report_error (shared, error);
      return FALSE;
    }
  g_mutex_lock (&shared->lock);
  if (shared->playing != want_playing)
    {
      shared->playing = want_playing;
      otter_video_shared_schedule_delivery (shared);
    }
  g_mutex_unlock (&shared->lock);
  return TRUE;
}

static void
run (Worker *worker)
{
  OtterVideoShared *shared = worker->shared;
  g_autoptr (GError) error = NULL;

  worker->source = otter_video_source_new (shared->location, OTTER_VIDEO_REAL_TIME, &error);
  if (worker->source == NULL || !otter_video_source_open (worker->source, shared->cancellable, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report_error (shared, error);
      return;
    }
  const OtterVideoInfo *info = otter_video_source_get_info (worker->source);
  if (info->duration > 0 && info->fps_n > 0)
    worker->n_frames = (gint64) gst_util_uint64_scale_round (info->duration, info->fps_n,
                                                             (guint64) info->fps_d * GST_SECOND);
  g_mutex_lock (&shared->lock);
  shared->info = *info;
  shared->info.codec = g_strdup (info->codec);
  shared->has_info = TRUE;
  otter_video_shared_schedule_delivery (shared);
  g_mutex_unlock (&shared->lock);

  gint64 idle_since = -1;
  while (!g_cancellable_is_cancelled (shared->cancellable))
    {
      guint generation;
      gboolean reprocess;
      if (!apply_commands (worker, &generation, &reprocess))
        return;

      g_autoptr (OtterVideoFrame) frame =
        otter_video_source_read_frame (worker->source, POLL_MS, shared->cancellable, &error);
      if (error != NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            report_error (shared, error);
          return;
        }
      if (frame != NULL)
        {
          idle_since = -1;
          g_clear_pointer (&worker->last, otter_video_frame_unref);
          worker->last = otter_video_frame_ref (frame);
          process (worker, frame, generation);
          continue;
        }
      if (reprocess && worker->last != NULL)
        process (worker, worker->last, generation);

      g_mutex_lock (&shared->lock);
      gboolean playing = shared->playing;
      g_mutex_unlock (&shared->lock);
      if (!playing || info->live)
        {
          idle_since = -1;
          continue;
        }
      /* read_frame does not tell the end from a slow decoder: the last
       * frame shown, or a long silence, is the end */
      gint64 now = g_get_monotonic_time ();
      if (idle_since < 0)
        idle_since = now;
      gboolean last_shown = worker->last != NULL && worker->n_frames > 0 &&
                            worker->last->number >= worker->n_frames - 1;
      if (last_shown || now - idle_since > END_AFTER_MS * G_TIME_SPAN_MILLISECOND)
        {
          worker->at_end = TRUE;
          idle_since = -1;
          g_mutex_lock (&shared->lock);
          shared->want_playing = FALSE;
          g_mutex_unlock (&shared->lock);
        }
    }
}

static gpointer
worker_thread (gpointer data)
{
  Worker worker = { .shared = data, .times = g_array_new (FALSE, FALSE, sizeof (gint64)), .seed = 1 };

  run (&worker);
  if (worker.source != NULL)
    otter_video_source_close (worker.source);
  g_clear_object (&worker.source);
  g_clear_pointer (&worker.last, otter_video_frame_unref);
  g_array_unref (worker.times);
  otter_video_shared_unref (worker.shared);
  g_atomic_int_dec_and_test (&n_workers);
  return NULL;
}
void
otter_video_worker_start (OtterVideoShared *shared)
{
  g_atomic_int_inc (&n_workers);
  g_thread_unref (g_thread_new ("otter-video", worker_thread, otter_video_shared_ref (shared)));
}

guint
otter_video_player_count_workers (void)
{
  return (guint) g_atomic_int_get (&n_workers);
}
