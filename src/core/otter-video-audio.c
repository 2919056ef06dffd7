/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-audio.c: a video file's sound, decoded for re-encoding
 * beside an exported video
 *
 * uridecodebin → audioconvert → audioresample → S16LE 48 kHz stereo →
 * appsink, read as fast as it decodes (no clock) by the exporting thread.
 * Video and other streams go to fakesinks.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <gst/app/gstappsink.h>
#include <gst/pbutils/pbutils.h>

#include "otter-error.h"
#include "otter-video-audio.h"

#define OPEN_TIMEOUT_MS 30000
#define READ_TIMEOUT_MS 30000
#define POLL_MS         50

struct _OtterAudioReader
{
  char       *name;
  GstElement *pipeline;
  GstElement *convert;
  GstElement *sink;
  gint64      start;
  gboolean    reached_start;   /* the samples before `start` are behind us */

  GMutex      lock;            /* what the streaming threads report */
  gboolean    linked;
  gboolean    no_more_pads;
  char       *undecodable;     /* the codec of an audio stream with no decoder */
};

void
otter_video_discard_pad (GstElement *pipeline,
                         GstPad     *pad)
{
  GstElement *fakesink = gst_element_factory_make ("fakesink", NULL);
  if (fakesink == NULL)
    return;
  g_object_set (fakesink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), fakesink);
  gst_element_sync_state_with_parent (fakesink);
  g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (fakesink, "sink");
  gst_pad_link (pad, sink_pad);
}

/* On a streaming thread: the first decoded audio stream is the one kept. */
static void
pad_added_cb (GstElement       *decode,
              GstPad           *pad,
              OtterAudioReader *self)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  gboolean raw = g_str_equal (name, "audio/x-raw");

  g_mutex_lock (&self->lock);
  gboolean take = raw && !self->linked;
  if (take)
    self->linked = TRUE;
  /* decodebin hands out a stream it has no decoder for as it is */
  if (!raw && g_str_has_prefix (name, "audio/") && self->undecodable == NULL)
    self->undecodable = gst_pb_utils_get_codec_description (caps);
  g_mutex_unlock (&self->lock);

  if (take)
    {
      g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (self->convert, "sink");
      gst_pad_link (pad, sink_pad);
    }
  else
    otter_video_discard_pad (self->pipeline, pad);
}

static void
no_more_pads_cb (GstElement       *decode,
                 OtterAudioReader *self)
{
  g_mutex_lock (&self->lock);
  self->no_more_pads = TRUE;
  g_mutex_unlock (&self->lock);
}

static gboolean
bus_error (OtterAudioReader *self,
           GstClockTime      timeout,
           GError          **error)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (self->pipeline);
  g_autoptr (GstMessage) message = gst_bus_timed_pop_filtered (bus, timeout, GST_MESSAGE_ERROR);
  if (message == NULL)
    return FALSE;
  g_autoptr (GError) gst_error = NULL;
  gst_message_parse_error (message, &gst_error, NULL);
  g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: its audio cannot be read: %s"), self->name,
               gst_error->message);
  return TRUE;
}

void
otter_audio_reader_free (OtterAudioReader *self)
{
  if (self == NULL)
    return;
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_object_unref (self->pipeline);
    }
  g_mutex_clear (&self->lock);
  g_free (self->undecodable);
  g_free (self->name);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterAudioReader, otter_audio_reader_free)

static gboolean
build_pipeline (OtterAudioReader *self,
                const char       *uri,
                GError          **error)
{
  const char *factories[] = { "uridecodebin", "audioconvert", "audioresample", "capsfilter", "appsink" };
  GstElement *elements[G_N_ELEMENTS (factories)];

  self->pipeline = gst_pipeline_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (factories); i++)
    {
      elements[i] = gst_element_factory_make (factories[i], NULL);
      if (elements[i] == NULL)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN,
                       _("GStreamer has no “%s” element: install gstreamer1.0-plugins-base"), factories[i]);
          return FALSE;
        }
      gst_bin_add (GST_BIN (self->pipeline), elements[i]);
    }
  self->convert = elements[1];
  self->sink = elements[4];

  g_autoptr (GstCaps) caps = gst_caps_from_string (OTTER_AUDIO_CAPS);
  g_object_set (elements[0], "uri", uri, NULL);
  g_object_set (elements[3], "caps", caps, NULL);
  g_object_set (self->sink, "sync", FALSE, "max-buffers", 8, "drop", FALSE, "emit-signals", FALSE, NULL);
  g_signal_connect (elements[0], "pad-added", G_CALLBACK (pad_added_cb), self);
  g_signal_connect (elements[0], "no-more-pads", G_CALLBACK (no_more_pads_cb), self);
  if (!gst_element_link_many (elements[1], elements[2], elements[3], elements[4], NULL))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN, _("GStreamer cannot convert audio"));
      return FALSE;
    }
  return TRUE;
}

/* Waits for the pipeline to stand on its first samples. FALSE with no
 * error when there is no audio to wait for. */
static gboolean
preroll (OtterAudioReader *self,
         GError          **error)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (self->pipeline);
  gint64 deadline = g_get_monotonic_time () + OPEN_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  if (gst_element_set_state (self->pipeline, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE)
    {
      if (!bus_error (self, 0, error))
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: its audio cannot be read"), self->name);
      return FALSE;
    }
  for (;;)
    {
      g_autoptr (GstMessage) message = gst_bus_timed_pop_filtered (bus, POLL_MS * GST_MSECOND,
                                                                   GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR);
      if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ASYNC_DONE)
        return TRUE;

      g_mutex_lock (&self->lock);
      gboolean no_audio = self->no_more_pads && !self->linked;
      g_autofree char *undecodable = g_strdup (self->undecodable);
      g_mutex_unlock (&self->lock);
      if (no_audio && undecodable != NULL)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN,
                       _("%s: no decoder for its %s audio: install gstreamer1.0-libav, or export without audio"),
                       self->name, undecodable);
          return FALSE;
        }
      if (no_audio)
        return FALSE;
      if (message != NULL)
        {
          g_autoptr (GError) gst_error = NULL;
          gst_message_parse_error (message, &gst_error, NULL);
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: its audio cannot be read: %s"),
                       self->name, gst_error->message);
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: no audio after %d s"), self->name,
                       OPEN_TIMEOUT_MS / 1000);
          return FALSE;
        }
    }
}

OtterAudioReader *
otter_audio_reader_open (const char *uri,
                         const char *name,
                         gint64      start,
                         GError    **error)
{
  g_return_val_if_fail (uri != NULL, NULL);

  g_autoptr (OtterAudioReader) self = g_new0 (OtterAudioReader, 1);
  g_mutex_init (&self->lock);
  self->name = g_strdup (name ? name : uri);
  self->start = MAX (start, 0);
  if (!build_pipeline (self, uri, error) || !preroll (self, error))
    return NULL;
  if (self->start > 0 &&
      !gst_element_seek_simple (self->pipeline, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
                                self->start))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: its audio cannot be seeked to %.3f s"),
                   self->name, self->start / 1e9);
      return NULL;
    }
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      if (!bus_error (self, 0, error))
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: its audio cannot be read"), self->name);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* Drops what lies before `start`: a seek lands on the block around it. */
static GstBuffer *
trim_to_start (OtterAudioReader *self,
               GstBuffer        *buffer)
{
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  if (self->reached_start || !GST_CLOCK_TIME_IS_VALID (pts) || (gint64) pts >= self->start)
    {
      self->reached_start = TRUE;
      return buffer;
    }
  gsize size = gst_buffer_get_size (buffer);
  gsize skip = gst_util_uint64_scale (self->start - pts, OTTER_AUDIO_RATE, GST_SECOND) * OTTER_AUDIO_BYTES_PER_SAMPLE;
  if (skip >= size)
    {
      gst_buffer_unref (buffer);
      return NULL;
    }
  self->reached_start = TRUE;
  GstBuffer *rest = gst_buffer_copy_region (buffer, GST_BUFFER_COPY_MEMORY, skip, size - skip);
  gst_buffer_unref (buffer);
  return rest;
}

GstBuffer *
otter_audio_reader_read (OtterAudioReader *self,
                         GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (;;)
    {
      g_autoptr (GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (self->sink),
                                                                    READ_TIMEOUT_MS * GST_MSECOND);
      if (sample == NULL)
        {
          if (bus_error (self, 0, error))
            return NULL;
          if (!gst_app_sink_is_eos (GST_APP_SINK (self->sink)))
            g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, _("%s: its audio stopped coming"), self->name);
          return NULL;
        }
      GstBuffer *buffer = trim_to_start (self, gst_buffer_ref (gst_sample_get_buffer (sample)));
      if (buffer != NULL)
        return buffer;
    }
}
