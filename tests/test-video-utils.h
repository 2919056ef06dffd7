/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-video-utils.h: clips the video tests encode themselves, and reading them back */
#pragma once

#include <gst/gst.h>

#include "otter-video.h"

/* Runs a gst-launch style description to its end: how the clips are made. */
G_GNUC_UNUSED static gboolean
test_video_encode (const char *description)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  if (pipeline == NULL)
    {
      g_test_message ("cannot encode (%s): %s", description, error->message);
      return FALSE;
    }
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) message = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
                                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gboolean ok = message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS;
  if (message != NULL && !ok)
    {
      g_autoptr (GError) gst_error = NULL;
      gst_message_parse_error (message, &gst_error, NULL);
      g_test_message ("encoding failed: %s", gst_error->message);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return ok;
}

/* Every frame of the file at `path`, counted; its size in width/height
 * (either may be NULL). */
G_GNUC_UNUSED static guint
test_video_count_frames (const char *path,
                         int        *width,
                         int        *height)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoSource) video = otter_video_source_new (path, OTTER_VIDEO_READ_ALL, &error);
  g_assert_no_error (error);
  g_assert_true (otter_video_source_open (video, NULL, &error));
  g_assert_no_error (error);
  if (width != NULL)
    *width = otter_video_source_get_info (video)->width;
  if (height != NULL)
    *height = otter_video_source_get_info (video)->height;
  guint n = 0;
  OtterVideoFrame *frame;
  while ((frame = otter_video_source_read_frame (video, -1, NULL, &error)) != NULL)
    n++, otter_video_frame_unref (frame);
  g_assert_no_error (error);
  return n;
}
