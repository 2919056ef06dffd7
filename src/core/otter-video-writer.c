/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-writer.c: RGB frames encoded to a video file by GStreamer
 *
 * appsrc → videoconvert → encoder → muxer → filesink, writing to a
 * temporary file beside the destination that is renamed only once the
 * muxer has finished it: a cancelled or failed export leaves nothing
 * under the final name. When another file's sound goes along, a second
 * appsrc → audio encoder feeds the same muxer; each frame pushed first
 * pushes the sound up to the frame's end, so the muxer, which interleaves
 * by time, always has audio ahead of the video it waits on.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <string.h>
#include <unistd.h>

#include "otter-error.h"
#include "otter-video-audio.h"
#include "otter-video.h"

struct _OtterVideoWriter
{
  char       *path;
  char       *temp_path;
  GstElement *pipeline;
  GstElement *source;
  int         width, height, fps_n, fps_d;
  guint64     n_frames;
  gboolean    failed;

  OtterAudioReader *audio;      /* NULL: no sound, or all of it pushed */
  GstElement       *audio_source;
  GstBuffer        *audio_pending;  /* read but not yet due */
  guint64           audio_samples;  /* pushed so far */
};

typedef struct
{
  const char *suffix;
  const char *encoder;        /* gst-launch descriptions of the video encoder, */
  const char *muxer;          /* the muxer */
  const char *audio_encoder;  /* and the audio encoder it takes */
  const char *package;        /* what brings them */
} Format;

#define VP8 "vp8enc deadline=1 cpu-used=8 target-bitrate=4000000"

/* VP8 and Opus in WebM are everywhere plugins-good is; H.264 needs x264. */
static const Format formats[] = {
  { ".webm", VP8, "webmmux", "opusenc bitrate=128000", "gstreamer1.0-plugins-good" },
  { ".mkv", VP8, "matroskamux", "opusenc bitrate=128000", "gstreamer1.0-plugins-good" },
  { ".avi", "jpegenc quality=90", "avimux", "lamemp3enc target=bitrate bitrate=192 cbr=true",
    "gstreamer1.0-plugins-good" },
  { ".mp4", "x264enc speed-preset=veryfast tune=zerolatency ! video/x-h264,profile=high", "mp4mux",
    "lamemp3enc target=bitrate bitrate=192 cbr=true", "gstreamer1.0-plugins-ugly" },
};

static gboolean
pop_error (GstElement *pipeline,
           const char *name,
           GError    **error)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (message == NULL)
    return FALSE;
  g_autoptr (GError) gst_error = NULL;
  gst_message_parse_error (message, &gst_error, NULL);
  g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", name, gst_error->message);
  return TRUE;
}

/* The format the suffix names, in a folder that exists. */
static const Format *
format_for (const char *path,
            GError    **error)
{
  const Format *format = NULL;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_str_has_suffix (lower, formats[i].suffix))
      format = &formats[i];
  if (format == NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("%s: write .webm (VP8), .mkv, .avi (MJPEG) or .mp4 (H.264)"), path);
      return NULL;
    }
  g_autofree char *dir = g_path_get_dirname (path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND, _("%s: the folder %s does not exist"), path, dir);
      return NULL;
    }
  return format;
}

gboolean
otter_video_writer_check_path (const char *path,
                               GError    **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  if (format_for (path, error) == NULL)
    return FALSE;
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_access (dir, W_OK) != 0)
    {
      int saved = errno;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("%s: cannot write in %s: %s"), path, dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

OtterVideoWriter *
otter_video_writer_new (const char  *path,
                        int          width,
                        int          height,
                        int          fps_n,
                        int          fps_d,
                        GError     **error)
{
  return otter_video_writer_new_with_audio (path, width, height, fps_n, fps_d, NULL, 0, error);
}

OtterVideoWriter *
otter_video_writer_new_with_audio (const char  *path,
                                   int          width,
                                   int          height,
                                   int          fps_n,
                                   int          fps_d,
                                   const char  *audio_uri,
                                   gint64       audio_start,
                                   GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  if (width <= 0 || height <= 0 || width > 16384 || height > 16384 || fps_n <= 0 || fps_d <= 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("%s: cannot write %d × %d video at %d/%d frames/s"), path, width, height, fps_n, fps_d);
      return NULL;
    }
  const Format *format = format_for (path, error);
  if (format == NULL)
    return NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *template = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *temp_path = g_build_filename (dir, template, NULL);
  int fd = g_mkstemp (temp_path);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("%s: cannot write in %s: %s"), path, dir, g_strerror (saved));
      return NULL;
    }
  close (fd);
  /* mkstemp's 0600 would make the finished file private */
  g_chmod (temp_path, 0644);

  /* the sound is opened first: a file whose audio cannot be decoded is
   * refused before anything is encoded */
  g_autoptr (GError) audio_error = NULL;
  OtterAudioReader *audio = NULL;
  if (audio_uri != NULL)
    {
      g_autoptr (GFile) audio_file = g_file_new_for_uri (audio_uri);
      g_autofree char *audio_name = g_file_get_basename (audio_file);
      audio = otter_audio_reader_open (audio_uri, audio_name, audio_start, &audio_error);
      if (audio_error != NULL)
        {
          g_unlink (temp_path);
          g_propagate_error (error, g_steal_pointer (&audio_error));
          return NULL;
        }
    }

  g_autofree char *location = g_strescape (temp_path, NULL);
  /* even dimensions: the encoders' 4:2:0 formats need them */
  g_autoptr (GString) description = g_string_new (NULL);
  g_string_append_printf (description,
    "appsrc name=source format=time is-live=false block=true max-bytes=%d "
    "caps=video/x-raw,format=RGB,width=%d,height=%d,framerate=%d/%d "
    "! videoconvert ! videoscale ! video/x-raw,width=%d,height=%d ! %s ! queue ! %s name=mux "
    "! filesink location=\"%s\"",
    width * height * 3 * 4, width, height, fps_n, fps_d, width + (width & 1), height + (height & 1),
    format->encoder, format->muxer, location);
  /* a second of sound may wait in the queue while the video encoder
   * holds frames back */
  if (audio != NULL)
    g_string_append_printf (description,
      " appsrc name=audio format=time is-live=false block=true max-bytes=%d caps=%s "
      "! queue ! audioconvert ! %s ! queue ! mux.",
      4 * OTTER_AUDIO_RATE * OTTER_AUDIO_BYTES_PER_SAMPLE, OTTER_AUDIO_CAPS, format->audio_encoder);
  g_autoptr (GError) parse_error = NULL;
  GstElement *pipeline = gst_parse_launch (description->str, &parse_error);
  if (pipeline == NULL || parse_error != NULL)
    {
      g_unlink (temp_path);
      otter_audio_reader_free (audio);
      if (pipeline != NULL)
        gst_object_unref (pipeline);
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN, _("%s: GStreamer cannot encode it (%s): install %s"),
                   path, parse_error ? parse_error->message : "no pipeline", format->package);
      return NULL;
    }

  OtterVideoWriter *self = g_new0 (OtterVideoWriter, 1);
  self->path = g_strdup (path);
  self->temp_path = g_steal_pointer (&temp_path);
  self->pipeline = pipeline;
  self->source = gst_bin_get_by_name (GST_BIN (pipeline), "source");
  self->audio = audio;
  if (audio != NULL)
    self->audio_source = gst_bin_get_by_name (GST_BIN (pipeline), "audio");
  self->width = width, self->height = height, self->fps_n = fps_n, self->fps_d = fps_d;
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      if (!pop_error (pipeline, path, error))
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("%s: the encoder would not start"), path);
      otter_video_writer_abort (self);
      return NULL;
    }
  return self;
}

/* The sound is over, or no longer wanted: the muxer finishes its track. */
static void
end_audio (OtterVideoWriter *self)
{
  if (self->audio == NULL)
    return;
  gst_app_src_end_of_stream (GST_APP_SRC (self->audio_source));
  g_clear_pointer (&self->audio, otter_audio_reader_free);
  gst_clear_buffer (&self->audio_pending);
}

/* Pushes the sound up to `until` samples from its start, cutting the
 * decoder's blocks where the video's frames end. */
static gboolean
feed_audio (OtterVideoWriter *self,
            guint64           until,
            GError          **error)
{
  while (self->audio != NULL && self->audio_samples < until)
    {
      if (self->audio_pending == NULL)
        {
          g_autoptr (GError) read_error = NULL;
          self->audio_pending = otter_audio_reader_read (self->audio, &read_error);
          if (self->audio_pending == NULL)
            {
              if (read_error != NULL)
                {
                  g_propagate_error (error, g_steal_pointer (&read_error));
                  return FALSE;
                }
              end_audio (self);
              return TRUE;
            }
        }
      gsize size = gst_buffer_get_size (self->audio_pending);
      guint64 n = size / OTTER_AUDIO_BYTES_PER_SAMPLE;
      if (n == 0)
        {
          gst_clear_buffer (&self->audio_pending);
          continue;
        }
      guint64 take = MIN (n, until - self->audio_samples);
      GstBuffer *out;
      if (take == n)
        out = g_steal_pointer (&self->audio_pending);
      else
        {
          gsize cut = take * OTTER_AUDIO_BYTES_PER_SAMPLE;
          out = gst_buffer_copy_region (self->audio_pending, GST_BUFFER_COPY_MEMORY, 0, cut);
          GstBuffer *rest = gst_buffer_copy_region (self->audio_pending, GST_BUFFER_COPY_MEMORY, cut, size - cut);
          gst_buffer_unref (self->audio_pending);
          self->audio_pending = rest;
        }
      out = gst_buffer_make_writable (out);
      GST_BUFFER_PTS (out) = gst_util_uint64_scale (self->audio_samples, GST_SECOND, OTTER_AUDIO_RATE);
      GST_BUFFER_DURATION (out) = gst_util_uint64_scale (take, GST_SECOND, OTTER_AUDIO_RATE);
      self->audio_samples += take;
      if (gst_app_src_push_buffer (GST_APP_SRC (self->audio_source), out) != GST_FLOW_OK)
        {
          if (!pop_error (self->pipeline, self->path, error))
            g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("%s: the audio encoder took no more sound"), self->path);
          return FALSE;
        }
    }
  return TRUE;
}

/* Samples of sound that go with the first n frames. */
static guint64
audio_samples_for (OtterVideoWriter *self,
                   guint64           n_frames)
{
  return gst_util_uint64_scale (n_frames, (guint64) self->fps_d * OTTER_AUDIO_RATE, self->fps_n);
}

gboolean
otter_video_writer_has_audio (OtterVideoWriter *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->audio_source != NULL;
}

gboolean
otter_video_writer_push (OtterVideoWriter *self,
                         const guint8     *rgb,
                         int               stride,
                         GError          **error)
{
  g_return_val_if_fail (self != NULL && rgb != NULL, FALSE);
  if (self->failed || pop_error (self->pipeline, self->path, error))
    {
      self->failed = TRUE;
      if (error != NULL && *error == NULL)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("%s: the encoder failed earlier"), self->path);
      return FALSE;
    }

  if (!feed_audio (self, audio_samples_for (self, self->n_frames + 1), error))
    {
      self->failed = TRUE;
      return FALSE;
    }

  gsize row = (gsize) self->width * 3;
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, row * self->height, NULL);
  GstMapInfo map;
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  for (int y = 0; y < self->height; y++)
    memcpy (map.data + y * row, rgb + (gsize) y * stride, row);
  gst_buffer_unmap (buffer, &map);
  /* timestamps from the frame count: an exported clip plays at its rate */
  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (self->n_frames, (guint64) self->fps_d * GST_SECOND, self->fps_n);
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (1, (guint64) self->fps_d * GST_SECOND, self->fps_n);
  if (gst_app_src_push_buffer (GST_APP_SRC (self->source), buffer) != GST_FLOW_OK)
    {
      self->failed = TRUE;
      if (!pop_error (self->pipeline, self->path, error))
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("%s: the encoder took no more frames"), self->path);
      return FALSE;
    }
  self->n_frames++;
  return TRUE;
}

guint64
otter_video_writer_get_n_frames (OtterVideoWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_frames;
}

static void
writer_free (OtterVideoWriter *self)
{
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_object_unref (self->pipeline);
    }
  g_clear_object (&self->source);
  g_clear_object (&self->audio_source);
  g_clear_pointer (&self->audio, otter_audio_reader_free);
  gst_clear_buffer (&self->audio_pending);
  g_free (self->path);
  g_free (self->temp_path);
  g_free (self);
}

gboolean
otter_video_writer_finish (OtterVideoWriter *self,
                           GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  gboolean ok = !self->failed;

  if (ok && self->n_frames == 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, _("%s: no frames to write"), self->path);
      ok = FALSE;
    }
  /* the sound ends with the last frame */
  if (ok && !feed_audio (self, audio_samples_for (self, self->n_frames), error))
    ok = FALSE;
  if (ok)
    {
      end_audio (self);
      gst_app_src_end_of_stream (GST_APP_SRC (self->source));
      g_autoptr (GstBus) bus = gst_element_get_bus (self->pipeline);
      g_autoptr (GstMessage) message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
                                                                   GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
      if (message == NULL || GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          g_autoptr (GError) gst_error = NULL;
          if (message != NULL)
            gst_message_parse_error (message, &gst_error, NULL);
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", self->path,
                       gst_error ? gst_error->message : _("the encoder did not finish"));
          ok = FALSE;
        }
    }
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  if (ok && g_rename (self->temp_path, self->path) != 0)
    {
      int saved = errno;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", self->path, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (self->temp_path);
  writer_free (self);
  return ok;
}

void
otter_video_writer_abort (OtterVideoWriter *self)
{
  if (self == NULL)
    return;
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_unlink (self->temp_path);
  writer_free (self);
}
