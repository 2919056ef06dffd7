/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-source.c: video files and cameras, decoded to RGB frames by GStreamer
 *
 * One pipeline per source: uridecodebin (or v4l2src for a camera) →
 * videoconvert → RGB → appsink. Other streams (audio, subtitles) go to a
 * fakesink so they neither stall the preroll nor end it. Everything here
 * blocks on GStreamer and runs on the caller's (worker) thread; the bus is
 * read by the same thread, so no main context is involved.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>
#include <string.h>

#include "otter-error.h"
#include "otter-video-audio.h"
#include "otter-video.h"

#define OPEN_TIMEOUT_MS 30000
#define POLL_MS         100

/* ---- the source --------------------------------------------------------- */

struct _OtterVideoSource
{
  GObject         parent_instance;

  char           *location;       /* as the caller gave it */
  char           *name;           /* for messages: a file's base name, or "camera N" */
  char           *uri;            /* files */
  char           *device;         /* cameras */
  gboolean        test_camera;    /* camera:test, a live test pattern */
  OtterVideoMode  mode;

  GstElement     *pipeline;
  GstElement     *convert;
  GstElement     *sink;

  GMutex          lock;           /* what the streaming threads report */
  gboolean        video_linked;
  gboolean        has_audio;

  GPtrArray      *missing;        /* missing-plugin sentences seen on the bus */
  OtterVideoInfo  info;
  gboolean        opened;
  gboolean        playing;
  gboolean        preroll_fresh;  /* paused on a frame nobody has read yet */
  gint64          last_number;
  guint64         n_dropped;
};

G_DEFINE_FINAL_TYPE (OtterVideoSource, otter_video_source, G_TYPE_OBJECT)

static gboolean
ensure_gstreamer (GError **error)
{
  static gsize done = 0;
  static GError *init_error = NULL;

  if (g_once_init_enter (&done))
    {
      gst_init_check (NULL, NULL, &init_error);
      g_once_init_leave (&done, 1);
    }
  if (init_error != NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN, _("GStreamer could not start: %s"),
                   init_error->message);
      return FALSE;
    }
  return TRUE;
}

char *
otter_video_describe_gstreamer (void)
{
  if (!ensure_gstreamer (NULL))
    return g_strdup (_("GStreamer (not working)"));
  return gst_version_string ();
}

/* Which Debian package brings the plugin a missing-plugin message asks
 * for, judged from its installer detail ("gstreamer|1.0|…|decoder-video/x-h265"). */
static const char *
package_for (const char *detail)
{
  static const struct { const char *needle, *package; } table[] = {
    { "x-h264", "gstreamer1.0-libav" }, { "x-h265", "gstreamer1.0-libav" },
    { "mpeg", "gstreamer1.0-libav" }, { "x-divx", "gstreamer1.0-libav" },
    { "x-wmv", "gstreamer1.0-libav" }, { "quicktime", "gstreamer1.0-plugins-good" },
    { "x-vp8", "gstreamer1.0-plugins-good" }, { "x-vp9", "gstreamer1.0-plugins-good" },
    { "matroska", "gstreamer1.0-plugins-good" }, { "webm", "gstreamer1.0-plugins-good" },
    { "x-msvideo", "gstreamer1.0-plugins-good" }, { "jpeg", "gstreamer1.0-plugins-good" },
    { "x-theora", "gstreamer1.0-plugins-base" }, { "ogg", "gstreamer1.0-plugins-base" },
    { "av1", "gstreamer1.0-plugins-bad" },
  };
  for (guint i = 0; detail != NULL && i < G_N_ELEMENTS (table); i++)
    if (strstr (detail, table[i].needle) != NULL)
      return table[i].package;
  return "gstreamer1.0-plugins-bad or gstreamer1.0-libav";
}

static void
note_missing_plugin (OtterVideoSource *self,
                     GstMessage       *message)
{
  g_autofree char *description = gst_missing_plugin_message_get_description (message);
  g_autofree char *detail = gst_missing_plugin_message_get_installer_detail (message);
  /* "no H.265 (Main Profile) decoder: install gstreamer1.0-libav" */
  g_ptr_array_add (self->missing, g_strdup_printf ("no %s: install %s", description ? description : "plugin",
                                                   package_for (detail)));
}

/* The bus's error as one sentence naming the source; what a missing
 * plugin message said comes first, as it says what to do. */
static void
set_error_from_message (OtterVideoSource *self,
                        GstMessage       *message,
                        GError          **error)
{
  g_autoptr (GError) gst_error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (message, &gst_error, &debug);
  if (self->missing->len > 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN, "%s: %s", self->name,
                   (const char *) g_ptr_array_index (self->missing, 0));
      return;
    }
  if (g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND) ||
      g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s is not a video GStreamer can read"), self->name);
      return;
    }
  if (g_error_matches (gst_error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN, "%s: %s", self->name, gst_error->message);
      return;
    }
  if (g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED) ||
      g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_DEMUX) ||
      g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE))
    {
      /* GStreamer's own words for these are generic */
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s is damaged or cut short"), self->name);
      return;
    }
  if (gst_error->domain == GST_RESOURCE_ERROR)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", self->name, gst_error->message);
      return;
    }
  g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, "%s: %s", self->name, gst_error->message);
}

static void
note_tags (OtterVideoSource *self,
           GstMessage       *message)
{
  g_autoptr (GstTagList) tags = NULL;
  char *codec = NULL;

  gst_message_parse_tag (message, &tags);
  if (self->info.codec == NULL && gst_tag_list_get_string (tags, GST_TAG_VIDEO_CODEC, &codec))
    self->info.codec = codec;
}

/* Reads what the bus holds without waiting; FALSE with `error` set when
 * it reported an error. */
static gboolean
drain_bus (OtterVideoSource *self,
           GError          **error)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (self->pipeline);
  GstMessage *message;

  while ((message = gst_bus_pop (bus)) != NULL)
    {
      gboolean failed = FALSE;
      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT && gst_is_missing_plugin_message (message))
        note_missing_plugin (self, message);
      else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_TAG)
        note_tags (self, message);
      else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          set_error_from_message (self, message, error);
          failed = TRUE;
        }
      gst_message_unref (message);
      if (failed)
        return FALSE;
    }
  return TRUE;
}

/* On a streaming thread: the first video stream goes to the converter,
 * any other stream to a sink of its own. */
static void
pad_added_cb (GstElement       *decode,
              GstPad           *pad,
              OtterVideoSource *self)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  gboolean video = g_str_has_prefix (name, "video/");

  g_mutex_lock (&self->lock);
  gboolean take = video && !self->video_linked;
  if (take)
    self->video_linked = TRUE;
  if (g_str_has_prefix (name, "audio/"))
    self->has_audio = TRUE;
  g_mutex_unlock (&self->lock);

  if (take)
    {
      g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (self->convert, "sink");
      /* decodebin hands out a stream it found no decoder for as it is */
      if (GST_PAD_LINK_FAILED (gst_pad_link (pad, sink_pad)))
        GST_ELEMENT_ERROR (decode, CORE, MISSING_PLUGIN, (_("no decoder for %s"), name), (NULL));
    }
  else
    otter_video_discard_pad (self->pipeline, pad);
}

/* A file with no video stream would never preroll: say so on the bus. */
static void
no_more_pads_cb (GstElement       *decode,
                 OtterVideoSource *self)
{
  g_mutex_lock (&self->lock);
  gboolean linked = self->video_linked;
  g_mutex_unlock (&self->lock);
  if (!linked)
    GST_ELEMENT_ERROR (decode, STREAM, FORMAT, (_("no video stream")), (NULL));
}

static GstElement *
make_element (const char *factory,
              const char *package,
              GError    **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);
  if (element == NULL)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN,
                 _("GStreamer has no “%s” element: install %s"), factory, package);
  return element;
}

static gboolean
build_pipeline (OtterVideoSource *self,
                GError          **error)
{
  GstElement *source = self->test_camera ? make_element ("videotestsrc", "gstreamer1.0-plugins-base", error)
                      : self->device != NULL ? make_element ("v4l2src", "gstreamer1.0-plugins-good", error)
                      : make_element ("uridecodebin", "gstreamer1.0-plugins-base", error);
  if (source == NULL)
    return FALSE;
  GstElement *convert = make_element ("videoconvert", "gstreamer1.0-plugins-base", error);
  GstElement *sink = convert ? make_element ("appsink", "gstreamer1.0-plugins-base", error) : NULL;
  if (sink == NULL)
    {
      gst_object_unref (source);
      if (convert != NULL)
        gst_object_unref (convert);
      return FALSE;
    }

  self->pipeline = gst_pipeline_new (NULL);
  self->convert = convert;
  self->sink = sink;
  gst_bin_add_many (GST_BIN (self->pipeline), source, convert, sink, NULL);

  g_autoptr (GstCaps) rgb = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB", NULL);
  gboolean real_time = self->mode == OTTER_VIDEO_REAL_TIME;
  /* In real time the sink keeps only the newest frame; reading every
   * frame, it holds a few and makes the decoder wait. */
  g_object_set (sink, "caps", rgb, "sync", real_time, "max-buffers", real_time ? 1 : 4,
                "drop", real_time, "emit-signals", FALSE, NULL);
  if (!gst_element_link (convert, sink))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN, _("GStreamer cannot convert video to RGB"));
      return FALSE;
    }

  if (self->test_camera)
    {
      /* a camera's behaviour without one: live, at its own pace */
      g_autoptr (GstCaps) size = gst_caps_from_string ("video/x-raw,width=640,height=480,framerate=30/1");
      g_object_set (source, "is-live", TRUE, "pattern", 18 /* ball */, NULL);
      if (!gst_element_link_filtered (source, convert, size))
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s gives no video GStreamer can convert"),
                       self->name);
          return FALSE;
        }
    }
  else if (self->device != NULL)
    {
      g_object_set (source, "device", self->device, NULL);
      if (!gst_element_link (source, convert))
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s gives no video GStreamer can convert"),
                       self->name);
          return FALSE;
        }
    }
  else
    {
      g_object_set (source, "uri", self->uri, NULL);
      g_signal_connect (source, "pad-added", G_CALLBACK (pad_added_cb), self);
      g_signal_connect (source, "no-more-pads", G_CALLBACK (no_more_pads_cb), self);
    }
  return TRUE;
}

static void
read_stream_info (OtterVideoSource *self)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (self->sink, "sink");
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstVideoInfo video;

  if (caps != NULL && gst_video_info_from_caps (&video, caps))
    {
      self->info.width = GST_VIDEO_INFO_WIDTH (&video);
      self->info.height = GST_VIDEO_INFO_HEIGHT (&video);
      self->info.fps_n = GST_VIDEO_INFO_FPS_N (&video);
      self->info.fps_d = MAX (GST_VIDEO_INFO_FPS_D (&video), 1);
    }
  gint64 duration = -1;
  if (!self->info.live && gst_element_query_duration (self->pipeline, GST_FORMAT_TIME, &duration))
    self->info.duration = duration;
  g_autoptr (GstQuery) query = gst_query_new_seeking (GST_FORMAT_TIME);
  gboolean seekable = FALSE;
  if (gst_element_query (self->pipeline, query))
    gst_query_parse_seeking (query, NULL, &seekable, NULL, NULL);
  self->info.seekable = seekable && !self->info.live;
  g_mutex_lock (&self->lock);
  self->info.has_audio = self->has_audio;
  g_mutex_unlock (&self->lock);
}

static gboolean
cancelled (GCancellable *cancellable,
           GError      **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

gboolean
otter_video_source_open (OtterVideoSource *self,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_SOURCE (self), FALSE);
  g_return_val_if_fail (!self->opened, FALSE);

  if (!ensure_gstreamer (error) || !build_pipeline (self, error))
    return FALSE;

  g_autoptr (GstBus) bus = gst_element_get_bus (self->pipeline);
  GstStateChangeReturn ret = gst_element_set_state (self->pipeline, GST_STATE_PAUSED);
  if (ret == GST_STATE_CHANGE_NO_PREROLL)
    {
      /* a camera: frames only flow while playing */
      self->info.live = TRUE;
      ret = gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
      self->playing = TRUE;
    }

  gint64 deadline = g_get_monotonic_time () + OPEN_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  gboolean ready = ret == GST_STATE_CHANGE_SUCCESS && !self->info.live;
  while (!ready)
    {
      if (cancelled (cancellable, error))
        return FALSE;
      GstMessage *message = gst_bus_timed_pop (bus, POLL_MS * GST_MSECOND);
      if (message == NULL)
        {
          /* a live source is ready with its first frame */
          if (self->info.live)
            {
              GstSample *sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (self->sink), 0);
              if (sample != NULL)
                {
                  gst_sample_unref (sample);
                  ready = TRUE;
                }
            }
          if (!ready && g_get_monotonic_time () > deadline)
            {
              /* a file that never prerolls is one the demuxer gave up on quietly */
              if (self->info.live)
                g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO,
                             _("%s: no frame after %d s"), self->name, OPEN_TIMEOUT_MS / 1000);
              else
                g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO,
                             _("%s is damaged or cut short: no frame after %d s"), self->name,
                             OPEN_TIMEOUT_MS / 1000);
              return FALSE;
            }
          continue;
        }
      gboolean failed = FALSE;
      switch (GST_MESSAGE_TYPE (message))
        {
        case GST_MESSAGE_ASYNC_DONE:
          ready = TRUE;
          break;
        case GST_MESSAGE_ERROR:
          set_error_from_message (self, message, error);
          failed = TRUE;
          break;
        case GST_MESSAGE_EOS:
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s has no video frames"), self->name);
          failed = TRUE;
          break;
        case GST_MESSAGE_TAG:
          note_tags (self, message);
          break;
        case GST_MESSAGE_ELEMENT:
          if (gst_is_missing_plugin_message (message))
            note_missing_plugin (self, message);
          break;
        default:
          break;
        }
      gst_message_unref (message);
      if (failed)
        return FALSE;
    }

  read_stream_info (self);
  if (self->info.width <= 0 || self->info.height <= 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: the video has no frame size"), self->name);
      return FALSE;
    }
  self->opened = TRUE;
  self->preroll_fresh = !self->info.live;
  /* every frame, as fast as it decodes: let the data flow at once */
  if (self->mode == OTTER_VIDEO_READ_ALL && !self->playing)
    {
      gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
      self->playing = TRUE;
      self->preroll_fresh = FALSE;
    }
  return TRUE;
}

static OtterVideoFrame *
frame_from_sample (OtterVideoSource *self,
                   GstSample        *sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  GstVideoInfo video;
  GstVideoFrame mapped;

  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&video, caps) ||
      !gst_video_frame_map (&mapped, &video, buffer, GST_MAP_READ))
    return NULL;

  OtterVideoFrame *frame = g_atomic_rc_box_new0 (OtterVideoFrame);
  frame->width = GST_VIDEO_INFO_WIDTH (&video);
  frame->height = GST_VIDEO_INFO_HEIGHT (&video);
  frame->stride = frame->width * 3;
  frame->pixels = g_malloc ((gsize) frame->stride * frame->height);
  const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA (&mapped, 0);
  int src_stride = GST_VIDEO_FRAME_PLANE_STRIDE (&mapped, 0);
  for (int y = 0; y < frame->height; y++)
    memcpy (frame->pixels + (gsize) y * frame->stride, src + (gsize) y * src_stride, frame->stride);
  gst_video_frame_unmap (&mapped);

  /* the position in the stream, not the running time since a seek */
  GstSegment *segment = gst_sample_get_segment (sample);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  if (segment != NULL && GST_CLOCK_TIME_IS_VALID (pts))
    pts = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, pts);
  frame->pts = GST_CLOCK_TIME_IS_VALID (pts) ? (gint64) pts : -1;
  frame->duration = GST_BUFFER_DURATION_IS_VALID (buffer) ? (gint64) GST_BUFFER_DURATION (buffer) : -1;
  frame->number = frame->pts >= 0 && self->info.fps_n > 0
    ? (gint64) gst_util_uint64_scale_round (frame->pts, self->info.fps_n, (guint64) self->info.fps_d * GST_SECOND)
    : -1;
  return frame;
}

OtterVideoFrame *
otter_video_source_read_frame (OtterVideoSource *self,
                               int               timeout_ms,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_SOURCE (self), NULL);
  if (!self->opened || self->pipeline == NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, _("%s is not open"), self->name);
      return NULL;
    }

  GstAppSink *sink = GST_APP_SINK (self->sink);
  gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  GstSample *sample = NULL;
  while (sample == NULL)
    {
      if (cancelled (cancellable, error) || !drain_bus (self, error))
        return NULL;
      if (self->preroll_fresh)
        {
          /* paused on a frame (after opening or a seek): that frame */
          sample = gst_app_sink_try_pull_preroll (sink, POLL_MS * GST_MSECOND);
          if (sample != NULL)
            self->preroll_fresh = FALSE;
        }
      else if (self->playing)
        sample = gst_app_sink_try_pull_sample (sink, POLL_MS * GST_MSECOND);
      else
        g_usleep (POLL_MS * 1000);
      if (sample == NULL && gst_app_sink_is_eos (sink))
        {
          drain_bus (self, error);   /* an error that ended the stream early */
          return NULL;
        }
      if (sample == NULL && deadline >= 0 && g_get_monotonic_time () > deadline)
        return NULL;
    }

  OtterVideoFrame *frame = frame_from_sample (self, sample);
  gst_sample_unref (sample);
  if (frame == NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: a frame could not be read"), self->name);
      return NULL;
    }
  if (self->mode == OTTER_VIDEO_REAL_TIME && frame->number >= 0 && self->last_number >= 0 &&
      frame->number > self->last_number + 1)
    self->n_dropped += frame->number - self->last_number - 1;
  if (frame->number >= 0)
    self->last_number = frame->number;
  return frame;
}

gboolean
otter_video_source_seek (OtterVideoSource *self,
                         gint64            position,
                         GError          **error)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_SOURCE (self), FALSE);
  if (!self->opened || !self->info.seekable)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, _("%s cannot seek"), self->name);
      return FALSE;
    }
  position = MAX (position, 0);
  if (self->info.duration > 0)
    position = MIN (position, self->info.duration);
  /* to the start of the frame showing at `position`: decoders leave out
   * a frame that starts before the segment even when it shows inside it */
  if (self->info.fps_n > 0)
    {
      guint64 number = gst_util_uint64_scale (position, self->info.fps_n, (guint64) self->info.fps_d * GST_SECOND);
      position = (gint64) gst_util_uint64_scale_ceil (number, (guint64) self->info.fps_d * GST_SECOND,
                                                      self->info.fps_n);
    }
  if (!gst_element_seek_simple (self->pipeline, GST_FORMAT_TIME,
                                GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, position))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: the seek was refused"), self->name);
      return FALSE;
    }
  /* a flushing seek while paused prerolls again, on the frame asked for */
  if (!self->playing)
    {
      gst_element_get_state (self->pipeline, NULL, NULL, 10 * GST_SECOND);
      self->preroll_fresh = TRUE;
    }
  self->last_number = -1;
  return drain_bus (self, error);
}

gboolean
otter_video_source_set_playing (OtterVideoSource *self,
                                gboolean          playing,
                                GError          **error)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_SOURCE (self), FALSE);
  if (!self->opened)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, _("%s is not open"), self->name);
      return FALSE;
    }
  playing = !!playing;
  if (playing == self->playing)
    return TRUE;
  if (gst_element_set_state (self->pipeline, playing ? GST_STATE_PLAYING : GST_STATE_PAUSED) ==
      GST_STATE_CHANGE_FAILURE)
    {
      /* the bus says why, when it can */
      if (drain_bus (self, error))
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO,
                     playing ? _("%s would not play") : _("%s would not pause"), self->name);
      return FALSE;
    }
  self->playing = playing;
  self->preroll_fresh = FALSE;
  /* the frames skipped while paused were never due */
  self->last_number = -1;
  return TRUE;
}

guint64
otter_video_source_get_n_dropped (OtterVideoSource *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_SOURCE (self), 0);
  return self->n_dropped;
}

const OtterVideoInfo *
otter_video_source_get_info (OtterVideoSource *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_SOURCE (self), NULL);
  return &self->info;
}

const char *
otter_video_source_get_location (OtterVideoSource *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_SOURCE (self), NULL);
  return self->location;
}

const char *
otter_video_source_get_uri (OtterVideoSource *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_SOURCE (self), NULL);
  return self->uri;
}

void
otter_video_source_close (OtterVideoSource *self)
{
  g_return_if_fail (OTTER_IS_VIDEO_SOURCE (self));
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_pointer (&self->pipeline, gst_object_unref);
    }
  self->convert = self->sink = NULL;
  self->opened = FALSE;
  self->playing = FALSE;
}

static void
otter_video_source_finalize (GObject *object)
{
  OtterVideoSource *self = OTTER_VIDEO_SOURCE (object);

  otter_video_source_close (self);
  g_free (self->location);
  g_free (self->name);
  g_free (self->uri);
  g_free (self->device);
  g_free (self->info.codec);
  g_ptr_array_unref (self->missing);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (otter_video_source_parent_class)->finalize (object);
}

static void
otter_video_source_class_init (OtterVideoSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = otter_video_source_finalize;
}

static void
otter_video_source_init (OtterVideoSource *self)
{
  g_mutex_init (&self->lock);
  self->missing = g_ptr_array_new_with_free_func (g_free);
  self->info.duration = -1;
  self->info.fps_d = 1;
  self->last_number = -1;
}

OtterVideoSource *
otter_video_source_new (const char     *location,
                        OtterVideoMode  mode,
                        GError        **error)
{
  g_return_val_if_fail (location != NULL, NULL);

  g_autoptr (OtterVideoSource) self = g_object_new (OTTER_TYPE_VIDEO_SOURCE, NULL);
  self->location = g_strdup (location);
  self->mode = mode;

  if (g_str_equal (location, "camera:test"))
    {
      self->test_camera = TRUE;
      self->name = g_strdup (_("the test camera"));
      self->info.live = TRUE;
      return g_steal_pointer (&self);
    }
  if (g_str_has_prefix (location, "camera:"))
    {
      char *end = NULL;
      guint64 index = g_ascii_strtoull (location + 7, &end, 10);
      if (end == location + 7 || *end != '\0' || index > 63)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a camera: write camera:0, camera:1, … (or camera:test)"), location);
          return NULL;
        }
      self->device = g_strdup_printf ("/dev/video%u", (guint) index);
      self->name = g_strdup_printf ("camera %u (%s)", (guint) index, self->device);
      self->info.live = TRUE;
      if (!g_file_test (self->device, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND, _("There is no camera %u: %s does not exist"),
                       (guint) index, self->device);
          return NULL;
        }
      return g_steal_pointer (&self);
    }

  g_autoptr (GFile) file = g_str_has_prefix (location, "file://") ? g_file_new_for_uri (location)
                                                                   : g_file_new_for_path (location);
  g_autofree char *path = g_file_get_path (file);
  self->name = g_file_get_basename (file);
  self->uri = g_file_get_uri (file);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND, _("%s: no such file"), location);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s is a folder, not a video"), location);
      return NULL;
    }
  return g_steal_pointer (&self);
}
