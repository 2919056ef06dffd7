/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-audio.h: a video file's sound, decoded for re-encoding
 * beside an exported video */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* The one format the reader hands out and the writer takes. */
#define OTTER_AUDIO_RATE     48000
#define OTTER_AUDIO_CHANNELS 2
#define OTTER_AUDIO_BYTES_PER_SAMPLE (2 * OTTER_AUDIO_CHANNELS)
#define OTTER_AUDIO_CAPS     "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2"

/* Links a decodebin pad nobody reads to a fakesink of its own, so that the
 * stream neither stalls the preroll nor ends it. Called on a streaming
 * thread, by the audio reader and the video source alike. */
void otter_video_discard_pad (GstElement *pipeline,
                              GstPad     *pad);

typedef struct _OtterAudioReader OtterAudioReader;

/* The first audio stream of the file at `uri`, from `start` (ns) on.
 * NULL without an error when the file has no audio; NULL with one when
 * it has audio that cannot be decoded (the error names the package).
 * Blocks: call it from a worker. */
OtterAudioReader *otter_audio_reader_open (const char        *uri,
                                           const char        *name,
                                           gint64             start,
                                           GError           **error);
/* The next samples in OTTER_AUDIO_CAPS, contiguous from `start`: the
 * buffer's timestamps are not set. NULL at the end (error unset) or on
 * an error. */
GstBuffer        *otter_audio_reader_read (OtterAudioReader  *reader,
                                           GError           **error);
void              otter_audio_reader_free (OtterAudioReader  *reader);

G_END_DECLS
