/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video.h: video files and cameras, decoded to RGB frames by GStreamer */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One decoded frame: packed RGB, `height` rows of `stride` bytes. */
typedef struct
{
  int     width, height, stride;
  gint64  pts;                  /* ns from the start of the stream; -1 when unknown */
  gint64  duration;             /* ns; -1 when unknown */
  gint64  number;               /* 0-based, from pts and the frame rate; -1 when unknown */
  guint8 *pixels;
} OtterVideoFrame;

/* A new frame of that size, black. */
OtterVideoFrame *otter_video_frame_new   (int               width,
                                          int               height);
OtterVideoFrame *otter_video_frame_ref   (OtterVideoFrame  *frame);
void             otter_video_frame_unref (OtterVideoFrame  *frame);
/* PNG or JPEG by the name's suffix, through a temporary file renamed at
 * the end, so `path` is never half-written. */
gboolean         otter_video_frame_save  (const OtterVideoFrame *frame,
                                          const char       *path,
                                          GError          **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterVideoFrame, otter_video_frame_unref)

typedef struct
{
  int       width, height;
  int       fps_n, fps_d;       /* 0/1 when the rate is unknown or variable */
  gint64    duration;           /* ns; -1 for a live source */
  gboolean  seekable;
  gboolean  live;               /* a camera */
  gboolean  has_audio;
  char     *codec;              /* the video codec as GStreamer names it, or NULL */
} OtterVideoInfo;

typedef enum
{
  /* Every frame, as fast as they decode: extraction, export, tests. */
  OTTER_VIDEO_READ_ALL,
  /* Frames at the pace of the clock; a reader that falls behind gets the
   * newest frame and the ones it missed are counted as dropped. */
  OTTER_VIDEO_REAL_TIME,
} OtterVideoMode;

#define OTTER_TYPE_VIDEO_SOURCE (otter_video_source_get_type ())
G_DECLARE_FINAL_TYPE (OtterVideoSource, otter_video_source, OTTER, VIDEO_SOURCE, GObject)

/* A file path, a file:// URI, "camera:N" (V4L2 device /dev/videoN), or
 * "camera:test", a live moving-ball pattern (640 × 480, 30 frames/s)
 * that behaves as a camera does: for trying things out, and for tests.
 * Nothing is opened yet; a missing file is refused here. */
OtterVideoSource     *otter_video_source_new        (const char        *location,
                                                     OtterVideoMode     mode,
                                                     GError           **error);
/* Starts decoding up to the first frame and reads the stream's
 * properties. Blocks (seconds for a slow disk or camera): call it from a
 * worker thread in interactive code. Errors say what is missing, e.g.
 * "clip.mp4: no decoder for H.265 (HEVC) video: install gstreamer1.0-libav". */
gboolean              otter_video_source_open       (OtterVideoSource  *self,
                                                     GCancellable      *cancellable,
                                                     GError           **error);
const OtterVideoInfo *otter_video_source_get_info   (OtterVideoSource  *self);
const char           *otter_video_source_get_location (OtterVideoSource *self);
/* The file's URI; NULL for a camera. */
const char           *otter_video_source_get_uri    (OtterVideoSource  *self);
/* The next frame; NULL at the end of the stream (error unset) or on an
 * error. Blocks until a frame is decoded, the stream ends or `cancellable`
 * fires; in real-time mode it also returns NULL without an error after
 * timeout_ms while paused (-1 waits). */
OtterVideoFrame      *otter_video_source_read_frame (OtterVideoSource  *self,
                                                     int                timeout_ms,
                                                     GCancellable      *cancellable,
                                                     GError           **error);
/* After a seek the next frame read is the one showing at `position`
 * (ns), decoded exactly, not the keyframe before it. */
gboolean              otter_video_source_seek       (OtterVideoSource  *self,
                                                     gint64             position,
                                                     GError           **error);
/* Real-time mode: the clock runs or stands still. */
gboolean              otter_video_source_set_playing (OtterVideoSource *self,
                                                     gboolean           playing,
                                                     GError           **error);
/* Real-time mode: frames that came and went before they were read. */
guint64               otter_video_source_get_n_dropped (OtterVideoSource *self);
/* Stops decoding and frees the pipeline; reading afterwards fails. */
void                  otter_video_source_close      (OtterVideoSource  *self);

/* ---- encoding ---------------------------------------------------------- */

typedef struct _OtterVideoWriter OtterVideoWriter;

/* A video file of width × height RGB frames at fps_n/fps_d frames/s; the
 * suffix picks the format: .webm and .mkv (VP8), .avi (MJPEG), .mp4
 * (H.264, where x264 is installed). Nothing appears under `path` until
 * otter_video_writer_finish() succeeds. */
OtterVideoWriter *otter_video_writer_new    (const char        *path,
                                             int                width,
                                             int                height,
                                             int                fps_n,
                                             int                fps_d,
                                             GError           **error);
/* Whether a writer could be made at `path`: a known suffix, in a folder
 * that exists and takes files. Nothing is created. */
gboolean          otter_video_writer_check_path (const char    *path,
                                                 GError       **error);
/* The same, with the sound of the video file at `audio_uri` from
 * `audio_start` (ns) on muxed in beside the frames (Opus in .webm and
 * .mkv, MP3 in .avi and .mp4) and cut where the last frame ends. A file
 * without sound gives a video without; one whose sound cannot be decoded
 * is an error. Blocks while it opens the sound. */
OtterVideoWriter *otter_video_writer_new_with_audio (const char   *path,
                                                     int           width,
                                                     int           height,
                                                     int           fps_n,
                                                     int           fps_d,
                                                     const char   *audio_uri,
                                                     gint64        audio_start,
                                                     GError      **error);
/* Whether the file gets a sound track. */
gboolean          otter_video_writer_has_audio (OtterVideoWriter *writer);
/* Appends a frame (`stride` bytes a row); blocks while the encoder is
 * behind. */
gboolean          otter_video_writer_push   (OtterVideoWriter  *writer,
                                             const guint8      *rgb,
                                             int                stride,
                                             GError           **error);
guint64           otter_video_writer_get_n_frames (OtterVideoWriter *writer);
/* Ends the stream, waits for the file to be complete and renames it into
 * place; frees the writer either way. */
gboolean          otter_video_writer_finish (OtterVideoWriter  *writer,
                                             GError           **error);
/* Stops and removes what was written; frees the writer. */
void              otter_video_writer_abort  (OtterVideoWriter  *writer);

/* The GStreamer version in use, e.g. "GStreamer 1.22.0". */
char                 *otter_video_describe_gstreamer (void);

G_END_DECLS
