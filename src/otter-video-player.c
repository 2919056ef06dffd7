/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-player.c: a video played on a worker thread, with the model's detections on each frame */

#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "otter-video-player-private.h"

/* ---- results ------------------------------------------------------------ */

typedef struct
{
  gatomicrefcount  ref_count;
  OtterVideoResult pub;
} ResultPrivate;

static ResultPrivate *
result_private (OtterVideoResult *result)
{
  return (ResultPrivate *) ((char *) result - G_STRUCT_OFFSET (ResultPrivate, pub));
}

OtterVideoResult *
otter_video_result_ref (OtterVideoResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_atomic_ref_count_inc (&result_private (result)->ref_count);
  return result;
}

void
otter_video_result_unref (OtterVideoResult *result)
{
  g_return_if_fail (result != NULL);
  ResultPrivate *priv = result_private (result);
  if (!g_atomic_ref_count_dec (&priv->ref_count))
    return;
  g_clear_pointer (&result->frame, otter_video_frame_unref);
  g_clear_pointer (&result->clean, g_array_unref);
  g_clear_pointer (&result->attacked, g_array_unref);
  g_clear_pointer (&result->attacked_frame, otter_video_frame_unref);
  g_strfreev (result->class_names);
  g_free (result->detect_error);
  g_free (priv);
}

OtterVideoResult *
otter_video_result_new (OtterVideoFrame *frame)
{
  ResultPrivate *priv = g_new0 (ResultPrivate, 1);
  g_atomic_ref_count_init (&priv->ref_count);
  priv->pub.frame = otter_video_frame_ref (frame);
  return &priv->pub;
}

/* ---- the block the player and its worker share ------------------------- */

OtterVideoShared *
otter_video_shared_ref (OtterVideoShared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

void
otter_video_shared_unref (OtterVideoShared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref_count))
    return;
  g_free (shared->location);
  g_clear_object (&shared->cancellable);
  g_main_context_unref (shared->context);
  g_weak_ref_clear (&shared->owner);
  g_mutex_clear (&shared->lock);
  g_clear_object (&shared->model);
  g_free (shared->info.codec);
  g_free (shared->error);
  g_clear_pointer (&shared->result, otter_video_result_unref);
  g_free (shared);
}

/* ---- the player ---------------------------------------------------------- */

struct _OtterVideoPlayer
{
  GObject                 parent_instance;

  OtterVideoShared       *shared;
  char                   *location;
  OtterVideoInfo          info;
  gboolean                has_info;
  char                   *error;
  OtterVideoResult       *result;
  gboolean                playing;
  double                  fps;
  guint64                 n_dropped;

  /* the settings a new worker starts with */
  OtterModel             *model;
  OtterTorchAttackParams  attack;
  float                   threshold;
};

enum
{
  PROP_0,
  PROP_LOADING,
  PROP_INFO,
  PROP_ERROR,
  PROP_RESULT,
  PROP_PLAYING,
  PROP_FPS,
  PROP_N_DROPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterVideoPlayer, otter_video_player, G_TYPE_OBJECT)

static void
set_error (OtterVideoPlayer *self,
           const char       *error)
{
  if (g_strcmp0 (self->error, error) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* Takes what the worker reported since the last time, on the UI thread. */
static gboolean
deliver_cb (gpointer data)
{
  OtterVideoShared *shared = data;
  g_autoptr (OtterVideoPlayer) self = g_weak_ref_get (&shared->owner);

  g_mutex_lock (&shared->lock);
  shared->idle_id = 0;
  g_autoptr (OtterVideoResult) result = g_steal_pointer (&shared->result);
  /* a frame read before the newest seek is not the one asked for */
  if (result != NULL && shared->result_generation != shared->generation)
    g_clear_pointer (&result, otter_video_result_unref);
  g_autofree char *error = g_strdup (shared->error);
  gboolean has_info = shared->has_info;
  OtterVideoInfo info = shared->info;
  info.codec = g_strdup (info.codec);
  gboolean playing = shared->playing;
  double fps = shared->fps;
  guint64 n_dropped = shared->n_dropped;
  g_mutex_unlock (&shared->lock);

  if (self == NULL || self->shared != shared)
    {
      g_free (info.codec);
      return G_SOURCE_REMOVE;
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (has_info && !self->has_info)
    {
      self->info = info;
      info.codec = NULL;
      self->has_info = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INFO]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
  g_free (info.codec);
  if (error != NULL)
    {
      set_error (self, error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
  if (playing != self->playing)
    {
      self->playing = playing;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
    }
  if (fps != self->fps)
    {
      self->fps = fps;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FPS]);
    }
  if (n_dropped != self->n_dropped)
    {
      self->n_dropped = n_dropped;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);
    }
  if (result != NULL)
    {
      g_clear_pointer (&self->result, otter_video_result_unref);
      self->result = g_steal_pointer (&result);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

void
otter_video_shared_schedule_delivery (OtterVideoShared *shared)
{
  if (shared->idle_id != 0)
    return;
  g_autoptr (GSource) source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (source, deliver_cb, otter_video_shared_ref (shared),
                         (GDestroyNotify) otter_video_shared_unref);
  g_source_set_static_name (source, "[otter] video frame");
  shared->idle_id = g_source_attach (source, shared->context);
}

/* ---- commands ------------------------------------------------------------ */

static void
clear_state (OtterVideoPlayer *self)
{
  g_clear_pointer (&self->info.codec, g_free);
  memset (&self->info, 0, sizeof self->info);
  self->has_info = FALSE;
  g_clear_pointer (&self->result, otter_video_result_unref);
  g_clear_pointer (&self->error, g_free);
  self->playing = FALSE;
  self->fps = 0;
  self->n_dropped = 0;
}

static void
detach (OtterVideoPlayer *self)
{
  if (self->shared == NULL)
    return;
  /* a pending delivery finds the player no longer its owner */
  g_cancellable_cancel (self->shared->cancellable);
  g_weak_ref_set (&self->shared->owner, NULL);
  g_clear_pointer (&self->shared, otter_video_shared_unref);
}

static void
notify_all (OtterVideoPlayer *self)
{
  for (guint i = 1; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
}

void
otter_video_player_open (OtterVideoPlayer *self,
                         const char       *location)
{
  g_return_if_fail (OTTER_IS_VIDEO_PLAYER (self));
  g_return_if_fail (location != NULL);

  detach (self);
  clear_state (self);
  g_free (self->location);
  self->location = g_strdup (location);

  OtterVideoShared *shared = g_new0 (OtterVideoShared, 1);
  g_atomic_ref_count_init (&shared->ref_count);
  g_mutex_init (&shared->lock);
  shared->location = g_strdup (location);
  shared->cancellable = g_cancellable_new ();
  shared->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&shared->owner, self);
  shared->seek_to = -1;
  shared->model = self->model ? g_object_ref (self->model) : NULL;
  shared->attack = self->attack;
  shared->threshold = self->threshold;
  self->shared = shared;

  otter_video_worker_start (shared);

  g_object_freeze_notify (G_OBJECT (self));
  notify_all (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
otter_video_player_close (OtterVideoPlayer *self)
{
  g_return_if_fail (OTTER_IS_VIDEO_PLAYER (self));

  if (self->shared == NULL && self->location == NULL)
    return;
  detach (self);
  clear_state (self);
  g_clear_pointer (&self->location, g_free);
  g_object_freeze_notify (G_OBJECT (self));
  notify_all (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Runs `body` with the shared block locked, if a video is open. */
#define WITH_SHARED(self, body)                  \
  G_STMT_START {                                  \
    if ((self)->shared != NULL)                   \
      {                                           \
        OtterVideoShared *shared = (self)->shared;          \
        g_mutex_lock (&shared->lock);             \
        body;                                     \
        g_mutex_unlock (&shared->lock);           \
      }                                           \
  } G_STMT_END

void
otter_video_player_set_model (OtterVideoPlayer *self,
                              OtterModel       *model)
{
  g_return_if_fail (OTTER_IS_VIDEO_PLAYER (self));
  g_return_if_fail (model == NULL || OTTER_IS_MODEL (model));

  if (!g_set_object (&self->model, model))
    return;
  WITH_SHARED (self, g_set_object (&shared->model, model); shared->reprocess = TRUE);
}

void
otter_video_player_set_attack (OtterVideoPlayer             *self,
                               const OtterTorchAttackParams *attack)
{
  g_return_if_fail (OTTER_IS_VIDEO_PLAYER (self));

  if (attack != NULL)
    self->attack = *attack;
  else
    otter_torch_attack_params_init (&self->attack, OTTER_ATTACK_NONE);
  WITH_SHARED (self, shared->attack = self->attack; shared->reprocess = TRUE);
}

void
otter_video_player_set_score_threshold (OtterVideoPlayer *self,
                                        double            threshold)
{
  g_return_if_fail (OTTER_IS_VIDEO_PLAYER (self));

  self->threshold = (float) threshold;
  WITH_SHARED (self, shared->threshold = self->threshold; shared->reprocess = TRUE);
}

void
otter_video_player_set_playing (OtterVideoPlayer *self,
                                gboolean          playing)
{
  g_return_if_fail (OTTER_IS_VIDEO_PLAYER (self));

  WITH_SHARED (self, shared->want_playing = !!playing);
}

gboolean
otter_video_player_get_playing (OtterVideoPlayer *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PLAYER (self), FALSE);
  return self->playing;
}

void
otter_video_player_seek (OtterVideoPlayer *self,
                         gint64            position)
{
  g_return_if_fail (OTTER_IS_VIDEO_PLAYER (self));

  if (!self->has_info || !self->info.seekable)
    return;
  WITH_SHARED (self, shared->seek_to = MAX (position, 0); shared->generation++);
}

gint64
otter_video_player_frame_time (OtterVideoPlayer *self,
                               gint64            number)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PLAYER (self), -1);

  if (!self->has_info || self->info.fps_n <= 0 || number < 0)
    return -1;
  return (gint64) gst_util_uint64_scale_ceil (number, (guint64) self->info.fps_d * GST_SECOND,
                                              self->info.fps_n);
}

void
otter_video_player_step (OtterVideoPlayer *self,
                         int               delta)
{
  g_return_if_fail (OTTER_IS_VIDEO_PLAYER (self));

  if (self->result == NULL || self->result->frame->number < 0)
    return;
  gint64 target = MAX (self->result->frame->number + delta, 0);
  if (self->info.duration > 0 && self->info.fps_n > 0)
    {
      gint64 n_frames = (gint64) gst_util_uint64_scale_round (self->info.duration, self->info.fps_n,
                                                              (guint64) self->info.fps_d * GST_SECOND);
      target = MIN (target, n_frames - 1);
    }
  otter_video_player_set_playing (self, FALSE);
  otter_video_player_seek (self, otter_video_player_frame_time (self, target));
}

const char *
otter_video_player_get_location (OtterVideoPlayer *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PLAYER (self), NULL);
  return self->location;
}

gboolean
otter_video_player_get_loading (OtterVideoPlayer *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PLAYER (self), FALSE);
  return self->shared != NULL && !self->has_info && self->error == NULL;
}

const OtterVideoInfo *
otter_video_player_get_info (OtterVideoPlayer *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PLAYER (self), NULL);
  return self->has_info ? &self->info : NULL;
}

const char *
otter_video_player_get_error (OtterVideoPlayer *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PLAYER (self), NULL);
  return self->error;
}

OtterVideoResult *
otter_video_player_get_result (OtterVideoPlayer *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PLAYER (self), NULL);
  return self->result;
}

double
otter_video_player_get_fps (OtterVideoPlayer *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PLAYER (self), 0);
  return self->fps;
}

guint64
otter_video_player_get_n_dropped (OtterVideoPlayer *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PLAYER (self), 0);
  return self->n_dropped;
}

static void
otter_video_player_dispose (GObject *object)
{
  OtterVideoPlayer *self = OTTER_VIDEO_PLAYER (object);

  detach (self);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (otter_video_player_parent_class)->dispose (object);
}

static void
otter_video_player_finalize (GObject *object)
{
  OtterVideoPlayer *self = OTTER_VIDEO_PLAYER (object);

  clear_state (self);
  g_free (self->location);
  G_OBJECT_CLASS (otter_video_player_parent_class)->finalize (object);
}

static void
otter_video_player_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  OtterVideoPlayer *self = OTTER_VIDEO_PLAYER (object);

  switch (prop_id)
    {
    case PROP_LOADING: g_value_set_boolean (value, otter_video_player_get_loading (self)); break;
    case PROP_INFO: g_value_set_pointer (value, (gpointer) otter_video_player_get_info (self)); break;
    case PROP_ERROR: g_value_set_string (value, self->error); break;
    case PROP_RESULT: g_value_set_pointer (value, self->result); break;
    case PROP_PLAYING: g_value_set_boolean (value, self->playing); break;
    case PROP_FPS: g_value_set_double (value, self->fps); break;
    case PROP_N_DROPPED: g_value_set_uint64 (value, self->n_dropped); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_video_player_class_init (OtterVideoPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = otter_video_player_dispose;
  object_class->finalize = otter_video_player_finalize;
  object_class->get_property = otter_video_player_get_property;

  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  properties[PROP_INFO] = g_param_spec_pointer ("info", NULL, NULL, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[PROP_RESULT] = g_param_spec_pointer ("result", NULL, NULL, flags);
  properties[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, FALSE, flags);
  properties[PROP_FPS] = g_param_spec_double ("fps", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_N_DROPPED] = g_param_spec_uint64 ("n-dropped", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
otter_video_player_init (OtterVideoPlayer *self)
{
  otter_torch_attack_params_init (&self->attack, OTTER_ATTACK_NONE);
  self->threshold = 0.3f;
}

OtterVideoPlayer *
otter_video_player_new (void)
{
  return g_object_new (OTTER_TYPE_VIDEO_PLAYER, NULL);
}
