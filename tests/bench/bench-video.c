/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-video.c: frames per second on 640 × 480 video: decoding alone
 * (the ceiling, GStreamer's own pipeline), then decoding with a model's
 * detections, clean and under the OT attack, for `tiny` and `resnet18`
 * (random weights: speed does not depend on them). */

#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "otter-video-detect.h"

#define N_FRAMES 60

static gboolean
encode_clip (const char *path)
{
  g_autofree char *description = g_strdup_printf (
    "videotestsrc num-buffers=%d pattern=ball ! video/x-raw,width=640,height=480,framerate=30/1 "
    "! vp8enc deadline=1 ! webmmux ! filesink location=\"%s\"", N_FRAMES, path);
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, NULL);
  if (pipeline == NULL)
    return FALSE;
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
                                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS;
}

/* The peer: gst-launch's equivalent of Otter's decoding, to a fakesink. */
static double
decode_only_fps (const char *path)
{
  g_autofree char *description = g_strdup_printf (
    "filesrc location=\"%s\" ! decodebin ! videoconvert ! video/x-raw,format=RGB ! fakesink sync=false", path);
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, NULL);
  gint64 start = g_get_monotonic_time ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
                                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return N_FRAMES / seconds;
}

/* Otter's source reading every frame, with the model on each (model NULL:
 * decoding only). */
static double
otter_fps (const char                   *path,
           OtterTorchModel              *model,
           const OtterTorchAttackParams *attack,
           guint                         max_frames)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoSource) source = otter_video_source_new (path, OTTER_VIDEO_READ_ALL, &error);
  if (source == NULL || !otter_video_source_open (source, NULL, &error))
    g_error ("%s", error->message);
  guint n = 0;
  gint64 start = g_get_monotonic_time ();
  OtterVideoFrame *frame;
  while (n < max_frames && (frame = otter_video_source_read_frame (source, -1, NULL, &error)) != NULL)
    {
      if (model != NULL)
        {
          OtterVideoDetections *found = otter_video_detect_frame (model, frame, attack, 0.3f, n + 1, &error);
          if (found == NULL)
            g_error ("%s", error->message);
          otter_video_detections_free (found);
        }
      otter_video_frame_unref (frame);
      n++;
    }
  return n / ((g_get_monotonic_time () - start) / 1e6);
}

int
main (int argc, char *argv[])
{
  gst_init (&argc, &argv);
  g_autofree char *dir = g_dir_make_tmp ("otter-bench-video-XXXXXX", NULL);
  g_autofree char *clip = g_build_filename (dir, "ball-640x480.webm", NULL);
  if (!encode_clip (clip))
    g_error ("could not encode the benchmark clip (vp8enc, webmmux)");

  double peer = decode_only_fps (clip);
  double ours = otter_fps (clip, NULL, NULL, N_FRAMES);
  g_print ("640×480 VP8, %d frames, %d libtorch threads\n", N_FRAMES, otter_torch_get_threads ());
  g_print ("%-34s %8.1f frames/s\n", "decode only, gst-launch pipeline", peer);
  g_print ("%-34s %8.1f frames/s  (%.2f× the pipeline)\n", "decode only, OtterVideoSource", ours, ours / peer);

  static const char *const classes[] = { "object", NULL };
  static const struct { const char *arch; int size; } models[] = { { "tiny", 320 }, { "resnet18", 320 } };
  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    {
      g_autoptr (GError) error = NULL;
      OtterTorchModel *model = otter_torch_model_new (models[m].arch, classes, models[m].size, 1, &error);
      if (model == NULL)
        g_error ("%s", error->message);
      OtterTorchAttackParams ot;
      otter_torch_attack_params_init (&ot, OTTER_ATTACK_OT);
      /* fewer frames where each takes long: the rate settles quickly */
      double clean = otter_fps (clip, model, NULL, 30);
      double attacked = otter_fps (clip, model, &ot, 10);
      char label[64];
      g_snprintf (label, sizeof label, "%s %d px, clean", models[m].arch, models[m].size);
      g_print ("%-34s %8.1f frames/s  (%.2f× decoding)\n", label, clean, clean / peer);
      g_snprintf (label, sizeof label, "%s %d px, OT attack", models[m].arch, models[m].size);
      g_print ("%-34s %8.1f frames/s  (%.2f× clean)\n", label, attacked, attacked / clean);
      otter_torch_model_free (model);
    }
  g_unlink (clip);
  g_rmdir (dir);
  return 0;
}
