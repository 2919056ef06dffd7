/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-video.c: video sources read clips the test encodes itself */

#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "otter-error.h"
#include "otter-video-audio.h"
#include "otter-video-detect.h"
#include "otter-video-export.h"
#include "otter-video.h"
#include "test-video-utils.h"

static char *tmp_dir;

/* `launch` with the clip's path in place of LOCATION. */
static char *
make_clip (const char *name,
           const char *launch)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_auto (GStrv) parts = g_strsplit (launch, "LOCATION", -1);
      g_autofree char *description = g_strjoinv (path, parts);
      g_assert_true (test_video_encode (description));
    }
  return path;
}

/* 20 frames of 160 × 120 at 10 frames/s: two seconds of VP8 in WebM. */
static char *
webm_clip (void)
{
  return make_clip ("ball.webm",
                    "videotestsrc num-buffers=20 pattern=ball ! video/x-raw,width=160,height=120,framerate=10/1 "
                    "! vp8enc deadline=1 ! webmmux ! filesink location=LOCATION");
}

static void
test_read_all (void)
{
  g_autofree char *path = webm_clip ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoSource) video = otter_video_source_new (path, OTTER_VIDEO_READ_ALL, &error);
  g_assert_no_error (error);
  g_assert_true (otter_video_source_open (video, NULL, &error));
  g_assert_no_error (error);

  const OtterVideoInfo *info = otter_video_source_get_info (video);
  g_assert_cmpint (info->width, ==, 160);
  g_assert_cmpint (info->height, ==, 120);
  g_assert_cmpint (info->fps_n, ==, 10);
  g_assert_cmpint (info->fps_d, ==, 1);
  g_assert_cmpint (info->duration, >=, 19 * GST_SECOND / 10);
  g_assert_cmpint (info->duration, <=, 21 * GST_SECOND / 10);
  g_assert_true (info->seekable);
  g_assert_false (info->live);
  g_assert_false (info->has_audio);
  g_test_message ("codec: %s", info->codec ? info->codec : "(none)");

  guint n = 0;
  OtterVideoFrame *frame;
  gint64 last_pts = -1;
  double first_mean = -1, variety = 0;
  while ((frame = otter_video_source_read_frame (video, -1, NULL, &error)) != NULL)
    {
      g_assert_cmpint (frame->width, ==, 160);
      g_assert_cmpint (frame->height, ==, 120);
      g_assert_cmpint (frame->stride, ==, 160 * 3);
      g_assert_cmpint (frame->number, ==, n);
      g_assert_cmpint (frame->pts, >, last_pts);
      /* 10 frames/s: frame k starts at k / 10 s, to within a millisecond */
      g_assert_cmpint (ABS (frame->pts - (gint64) n * GST_SECOND / 10), <, GST_MSECOND);
      last_pts = frame->pts;
      guint64 sum = 0;
      for (int i = 0; i < frame->height * frame->stride; i++)
        sum += frame->pixels[i];
      double mean = (double) sum / (frame->height * frame->stride);
      if (first_mean < 0)
        first_mean = mean;
      variety = MAX (variety, ABS (mean - first_mean));
      otter_video_frame_unref (frame);
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 20);
  /* real pictures: not black, and the ball moves */
  g_assert_cmpfloat (first_mean, >, 5);
  g_test_message ("mean pixel %.1f, largest change of the mean over the clip %.2f", first_mean, variety);
  g_assert_cmpfloat (variety, >, 0.01);
  /* reading past the end stays at the end */
  g_assert_null (otter_video_source_read_frame (video, -1, NULL, &error));
  g_assert_no_error (error);
}

static void
test_seek (void)
{
  g_autofree char *path = webm_clip ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoSource) video = otter_video_source_new (path, OTTER_VIDEO_READ_ALL, &error);
  g_assert_true (otter_video_source_open (video, NULL, &error));

  /* exactly the frame at the position, though keyframes are far apart */
  static const struct { gint64 at; gint64 number; } seeks[] = {
    { GST_SECOND, 10 }, { 350 * GST_MSECOND, 3 }, { 1850 * GST_MSECOND, 18 }, { 0, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (seeks); i++)
    {
      g_assert_true (otter_video_source_seek (video, seeks[i].at, &error));
      g_assert_no_error (error);
      g_autoptr (OtterVideoFrame) frame = otter_video_source_read_frame (video, -1, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (frame);
      g_test_message ("seek to %" G_GINT64_FORMAT " ms: frame %" G_GINT64_FORMAT, seeks[i].at / GST_MSECOND,
                      frame->number);
      g_assert_cmpint (frame->number, ==, seeks[i].number);
      /* and reading goes on from there */
      g_autoptr (OtterVideoFrame) next = otter_video_source_read_frame (video, -1, NULL, &error);
      if (seeks[i].number < 19)
        {
          g_assert_nonnull (next);
          g_assert_cmpint (next->number, ==, seeks[i].number + 1);
        }
    }
}

/* Paused on its first frame, then at the clock's pace: a reader that is
 * slower than the clip gets the newest frames and the rest are counted. */
static void
test_real_time (void)
{
  g_autofree char *path = webm_clip ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoSource) video = otter_video_source_new (path, OTTER_VIDEO_REAL_TIME, &error);
  g_assert_true (otter_video_source_open (video, NULL, &error));

  g_autoptr (OtterVideoFrame) first = otter_video_source_read_frame (video, 2000, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpint (first->number, ==, 0);
  /* paused: nothing new comes */
  g_assert_null (otter_video_source_read_frame (video, 300, NULL, &error));
  g_assert_no_error (error);

  /* stepping while paused: a seek shows the frame asked for */
  g_assert_true (otter_video_source_seek (video, 500 * GST_MSECOND, &error));
  g_autoptr (OtterVideoFrame) stepped = otter_video_source_read_frame (video, 2000, NULL, &error);
  g_assert_nonnull (stepped);
  g_assert_cmpint (stepped->number, ==, 5);
  g_assert_true (otter_video_source_seek (video, 0, &error));

  g_assert_true (otter_video_source_set_playing (video, TRUE, &error));
  guint n_read = 0;
  gint64 last = -1;
  OtterVideoFrame *frame;
  /* 3.5 frame periods per read */
  while ((frame = otter_video_source_read_frame (video, 5000, NULL, &error)) != NULL)
    {
      g_assert_cmpint (frame->number, >, last);
      last = frame->number;
      n_read++;
      otter_video_frame_unref (frame);
      g_usleep (350 * 1000);
    }
  g_assert_no_error (error);
  guint64 dropped = otter_video_source_get_n_dropped (video);
  g_test_message ("read %u frames, %" G_GUINT64_FORMAT " dropped, last %" G_GINT64_FORMAT, n_read, dropped, last);
  g_assert_cmpuint (n_read, <, 15);
  g_assert_cmpuint (dropped, >, 0);
  /* every frame up to the last one read was either read or dropped */
  g_assert_cmpuint (n_read + dropped, ==, last + 1);
}

/* MJPEG in AVI, with a sound track that is not in the way. */
static void
test_mjpeg_with_audio (void)
{
  g_autofree char *path = make_clip ("mjpeg.avi",
    "avimux name=mux ! filesink location=LOCATION "
    "videotestsrc num-buffers=12 ! video/x-raw,width=96,height=64,framerate=6/1 ! jpegenc ! mux. "
    "audiotestsrc num-buffers=20 ! audio/x-raw,rate=8000,channels=1 ! mux.");
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoSource) video = otter_video_source_new (path, OTTER_VIDEO_READ_ALL, &error);
  g_assert_true (otter_video_source_open (video, NULL, &error));
  g_assert_no_error (error);
  const OtterVideoInfo *info = otter_video_source_get_info (video);
  g_assert_cmpint (info->width, ==, 96);
  g_assert_cmpint (info->height, ==, 64);
  g_assert_true (info->has_audio);
  guint n = 0;
  OtterVideoFrame *frame;
  while ((frame = otter_video_source_read_frame (video, -1, NULL, &error)) != NULL)
    n++, otter_video_frame_unref (frame);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 12);
}

/* camera:test behaves as a camera: live, no duration, not seekable, and
 * a reader slower than its 30 frames/s gets the newest frame with the
 * ones it missed counted as dropped. */
static void
test_test_camera (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoSource) camera = otter_video_source_new ("camera:test", OTTER_VIDEO_REAL_TIME, &error);
  g_assert_no_error (error);
  g_assert_true (otter_video_source_open (camera, NULL, &error));
  g_assert_no_error (error);
  const OtterVideoInfo *info = otter_video_source_get_info (camera);
  g_assert_true (info->live);
  g_assert_false (info->seekable);
  g_assert_cmpint (info->duration, ==, -1);
  g_assert_cmpint (info->width, ==, 640);
  g_assert_cmpint (info->height, ==, 480);
  g_assert_cmpint (info->fps_n, ==, 30);
  g_assert_null (otter_video_source_get_uri (camera));

  gint64 last = -1;
  for (int i = 0; i < 4; i++)
    {
      g_autoptr (OtterVideoFrame) frame = otter_video_source_read_frame (camera, 5000, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (frame);
      g_assert_cmpint (frame->number, >, last);
      last = frame->number;
      /* a model taking 200 ms a frame */
      g_usleep (200 * 1000);
    }
  guint64 dropped = otter_video_source_get_n_dropped (camera);
  g_test_message ("last frame %" G_GINT64_FORMAT ", %" G_GUINT64_FORMAT " dropped", last, dropped);
  g_assert_cmpuint (dropped, >=, 3);
  otter_video_source_close (camera);
}

static void
assert_open_fails (const char  *location,
                   GQuark       domain,
                   int          code,
                   const char  *expect)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoSource) video = otter_video_source_new (location, OTTER_VIDEO_READ_ALL, &error);
  if (video != NULL)
    {
      otter_video_source_open (video, NULL, &error);
      /* some damage only shows once frames are read */
      while (error == NULL)
        {
          g_autoptr (OtterVideoFrame) frame = otter_video_source_read_frame (video, 5000, NULL, &error);
          if (frame == NULL)
            break;
        }
    }
  g_assert_nonnull (error);
  g_test_message ("%s: %s", location, error->message);
  g_assert_error (error, domain, code);
  g_assert_nonnull (strstr (error->message, expect));
  /* one line a user can read */
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_errors (void)
{
  g_autofree char *missing = g_build_filename (tmp_dir, "nothing-here.webm", NULL);
  assert_open_fails (missing, OTTER_ERROR, OTTER_ERROR_NOT_FOUND, "nothing-here.webm: no such file");
  assert_open_fails (tmp_dir, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, "is a folder");
  assert_open_fails ("camera:9", OTTER_ERROR, OTTER_ERROR_NOT_FOUND, "/dev/video9");
  assert_open_fails ("camera:front", OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, "camera:0");

  g_autofree char *text = g_build_filename (tmp_dir, "notes.webm", NULL);
  g_assert_true (g_file_set_contents (text, "these are my notes, not a video\n", -1, NULL));
  assert_open_fails (text, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, "notes.webm is not a video");

  /* the first 200 bytes of a real clip: a header and nothing else */
  g_autofree char *clip = webm_clip ();
  g_autofree char *contents = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (clip, &contents, &length, NULL));
  g_autofree char *cut = g_build_filename (tmp_dir, "cut.webm", NULL);
  g_assert_true (g_file_set_contents (cut, contents, MIN (length, 200), NULL));
  assert_open_fails (cut, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, "cut.webm is damaged or cut short");

  /* sound only */
  g_autofree char *song = make_clip ("song.ogg",
                                     "audiotestsrc num-buffers=20 ! vorbisenc ! oggmux ! filesink location=LOCATION");
  assert_open_fails (song, OTTER_ERROR, OTTER_ERROR_BAD_VIDEO, "song.ogg: no video stream");

  /* A codec GStreamer has no decoder for here (JPEG frames labelled as
   * H.265 in Matroska): the message says which package brings one. */
  g_autoptr (GstElementFactory) hevc = gst_element_factory_find ("avdec_h265");
  if (hevc != NULL)
    {
      g_test_message ("an H.265 decoder is installed: the missing-decoder case is not seen here");
      return;
    }
  g_autofree char *hevc_clip = make_clip ("hevc.mkv",
    "videotestsrc num-buffers=5 ! video/x-raw,width=64,height=48,framerate=5/1 ! jpegenc "
    "! capssetter join=false replace=true caps=\"video/x-h265,stream-format=hvc1,alignment=au,"
    "width=64,height=48,framerate=5/1,codec_data=(buffer)01016000000000000000000000f000fcfdf8f800000f00\" "
    "! matroskamux ! filesink location=LOCATION");
  assert_open_fails (hevc_clip, OTTER_ERROR, OTTER_ERROR_MISSING_PLUGIN, "install gstreamer1.0-libav");
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  return dir != NULL && g_dir_read_name (dir) == NULL;
}

/* Frames in, a file that decodes to the same frames out; nothing under
 * the name until it is finished, and nothing at all when aborted. */
static void
test_writer (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "written", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_autofree char *path = g_build_filename (dir, "out.webm", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoFrame) frame = otter_video_frame_new (64, 48);

  OtterVideoWriter *writer = otter_video_writer_new (path, 64, 48, 8, 1, &error);
  g_assert_no_error (error);
  for (int k = 0; k < 12; k++)
    {
      memset (frame->pixels, 20 * k, (gsize) frame->stride * frame->height);
      g_assert_true (otter_video_writer_push (writer, frame->pixels, frame->stride, &error));
      g_assert_no_error (error);
    }
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (otter_video_writer_finish (writer, &error));
  g_assert_no_error (error);
  int width, height;
  g_assert_cmpuint (test_video_count_frames (path, &width, &height), ==, 12);
  g_assert_cmpint (width, ==, 64);
  g_assert_cmpint (height, ==, 48);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* MJPEG in AVI too */
  g_autofree char *avi = g_build_filename (dir, "out.avi", NULL);
  writer = otter_video_writer_new (avi, 64, 48, 8, 1, &error);
  g_assert_no_error (error);
  for (int k = 0; k < 5; k++)
    g_assert_true (otter_video_writer_push (writer, frame->pixels, frame->stride, &error));
  g_assert_true (otter_video_writer_finish (writer, &error));
  g_assert_cmpuint (test_video_count_frames (avi, &width, &height), ==, 5);
  g_assert_cmpint (g_unlink (avi), ==, 0);

  /* given up half-way: no file, no temporary left beside it */
  writer = otter_video_writer_new (path, 64, 48, 8, 1, &error);
  for (int k = 0; k < 3; k++)
    g_assert_true (otter_video_writer_push (writer, frame->pixels, frame->stride, &error));
  otter_video_writer_abort (writer);
  g_assert_true (dir_is_empty (dir));

  /* nowhere to write, no format to write in, nothing to write */
  g_autofree char *nowhere = g_build_filename (tmp_dir, "no-such-folder", "out.webm", NULL);
  g_assert_null (otter_video_writer_new (nowhere, 64, 48, 8, 1, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_autofree char *gif = g_build_filename (dir, "out.gif", NULL);
  g_assert_null (otter_video_writer_new (gif, 64, 48, 8, 1, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  writer = otter_video_writer_new (path, 64, 48, 8, 1, &error);
  g_assert_false (otter_video_writer_finish (writer, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT);
  g_assert_true (dir_is_empty (dir));
}

/* A model on a frame: boxes in frame pixels; under attack a frame of the
 * same size that differs by at most ε. */
static void
test_detect_frame (void)
{
  static const char *const classes[] = { "ball", NULL };
  g_autoptr (GError) error = NULL;
  OtterTorchModel *model = otter_torch_model_new ("tiny", classes, 64, 3, &error);
  g_assert_no_error (error);
  g_autofree char *path = webm_clip ();
  g_autoptr (OtterVideoSource) video = otter_video_source_new (path, OTTER_VIDEO_READ_ALL, &error);
  g_assert_true (otter_video_source_open (video, NULL, &error));
  g_autoptr (OtterVideoFrame) frame = otter_video_source_read_frame (video, -1, NULL, &error);
  g_assert_nonnull (frame);

  /* an untrained model scores everything low: keep all it finds */
  g_autoptr (OtterVideoDetections) clean = otter_video_detect_frame (model, frame, NULL, 0.0f, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clean->clean->len, >, 0);
  g_assert_null (clean->attacked);
  for (guint k = 0; k < clean->clean->len; k++)
    {
      const OtterTorchDetection *d = &g_array_index (clean->clean, OtterTorchDetection, k);
      g_assert_cmpfloat (d->x1, >=, 0);
      g_assert_cmpfloat (d->x2, <=, frame->width);
      g_assert_cmpfloat (d->y1, >=, 0);
      g_assert_cmpfloat (d->y2, <=, frame->height);
      g_assert_cmpfloat (d->x2, >, d->x1);
    }

  OtterTorchAttackParams attack;
  otter_torch_attack_params_init (&attack, OTTER_ATTACK_FGSM);
  g_autoptr (OtterVideoDetections) attacked = otter_video_detect_frame (model, frame, &attack, 0.0f, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attacked->attacked);
  g_assert_nonnull (attacked->attacked_frame);
  g_assert_cmpint (attacked->attacked_frame->width, ==, frame->width);
  int largest = 0;
  gsize changed = 0, n = (gsize) frame->stride * frame->height;
  for (gsize p = 0; p < n; p++)
    {
      int d = ABS ((int) attacked->attacked_frame->pixels[p] - (int) frame->pixels[p]);
      largest = MAX (largest, d);
      changed += d > 0;
    }
  g_test_message ("FGSM changed %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " values, by at most %d/255",
                  changed, n, largest);
  g_assert_cmpint (largest, <=, 9);     /* ε = 8/255, rounded */
  g_assert_cmpuint (changed, >, n / 4);
  otter_torch_model_free (model);
}

/* ---- otter_video_export ------------------------------------------------ */

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

typedef struct
{
  guint64       n_calls, last_read, expected;
  guint64       cancel_at;             /* 0: never */
  GCancellable *cancellable;
} Progress;

static void
on_export_progress (const OtterVideoExportStats *stats,
                    const OtterVideoFrame       *frame,
                    gpointer                     data)
{
  Progress *p = data;
  p->n_calls++;
  g_assert_cmpuint (stats->n_read, ==, p->last_read + 1);
  p->last_read = stats->n_read;
  p->expected = stats->n_expected;
  if (p->cancel_at > 0 && stats->n_read == p->cancel_at)
    g_cancellable_cancel (p->cancellable);
}

static OtterVideoSource *
open_clip (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = webm_clip ();
  g_autoptr (OtterVideoSource) video = otter_video_source_new (path, OTTER_VIDEO_READ_ALL, &error);
  g_assert_no_error (error);
  g_assert_true (otter_video_source_open (video, NULL, &error));
  return g_steal_pointer (&video);
}

/* The comparison video holds every frame, clean and attacked side by
 * side; every 5th frame is saved with its YOLO labels and a data.yaml
 * naming the model's classes; progress comes once a frame. */
static void
test_export (void)
{
  static const char *const classes[] = { "ball", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterModel) model = otter_model_new_builtin ("tiny", classes, 64, 3, &error);
  g_assert_no_error (error);
  g_autofree char *dir = g_build_filename (tmp_dir, "export", NULL);
  g_autofree char *compare = g_build_filename (dir, "compare.webm", NULL);
  g_autofree char *frames = g_build_filename (dir, "frames", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  OtterVideoExportOptions options;
  otter_video_export_options_init (&options);
  options.model = model;
  otter_torch_attack_params_init (&options.attack, OTTER_ATTACK_FGSM);
  options.score_threshold = 0.0f;
  options.compare_path = compare;
  options.frames_dir = frames;
  options.labels = TRUE;
  options.every = 5;
  Progress progress = { 0 };
  OtterVideoExportStats stats;
  g_autoptr (OtterVideoSource) video = open_clip ();
  g_assert_true (otter_video_export (video, &options, on_export_progress, &progress, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (progress.n_calls, ==, 20);
  g_assert_cmpuint (progress.expected, ==, 20);
  g_assert_cmpuint (stats.n_read, ==, 20);
  g_assert_cmpuint (stats.n_written, ==, 20);
  g_assert_cmpuint (stats.n_saved, ==, 4);
  g_assert_cmpuint (stats.n_detected, ==, 20);

  int width = 0, height = 0;
  g_assert_cmpuint (test_video_count_frames (compare, &width, &height), ==, 20);
  g_assert_cmpint (width, ==, 2 * 160);
  for (int number = 0; number < 20; number += 5)
    {
      g_autofree char *image = g_strdup_printf ("%s/images/frame_%06d.png", frames, number);
      g_autofree char *label = g_strdup_printf ("%s/labels/frame_%06d.txt", frames, number);
      g_autofree char *text = NULL;
      g_assert_true (g_file_test (image, G_FILE_TEST_IS_REGULAR));
      g_assert_true (g_file_get_contents (label, &text, NULL, NULL));
      /* threshold 0 keeps what an untrained model finds: a line a box */
      g_assert_true (g_str_has_prefix (text, "0 "));
    }
  g_autofree char *frame_1 = g_build_filename (frames, "images", "frame_000001.png", NULL);
  g_assert_false (g_file_test (frame_1, G_FILE_TEST_EXISTS));
  g_autofree char *yaml_path = g_build_filename (frames, "data.yaml", NULL);
  g_autofree char *yaml = NULL;
  g_assert_true (g_file_get_contents (yaml_path, &yaml, NULL, NULL));
  g_assert_nonnull (strstr (yaml, "  0: ball\n"));
  remove_tree (dir);
}

/* Cancelled half-way, the export says so and leaves nothing under the
 * video's name, nor its temporary file; a time range reads only its own
 * frames. */
static void
test_export_cancel (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmp_dir, "cancelled", NULL);
  g_autofree char *compare = g_build_filename (dir, "compare.webm", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  OtterVideoExportOptions options;
  otter_video_export_options_init (&options);
  options.compare_path = compare;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Progress progress = { .cancel_at = 8, .cancellable = cancellable };
  OtterVideoExportStats stats;
  g_autoptr (OtterVideoSource) video = open_clip ();
  g_assert_false (otter_video_export (video, &options, on_export_progress, &progress, cancellable, &stats, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (stats.n_read, ==, 8);
  g_assert_true (dir_is_empty (dir));
  g_clear_error (&error);

  /* seconds 0.5 to 1.5 at 10 frames/s: frames 5 to 14 */
  g_autofree char *frames = g_build_filename (dir, "range", NULL);
  otter_video_export_options_init (&options);
  options.frames_dir = frames;
  options.start = 0.5;
  options.end = 1.5;
  Progress ranged = { 0 };
  g_autoptr (OtterVideoSource) again = open_clip ();
  g_assert_true (otter_video_export (again, &options, on_export_progress, &ranged, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_saved, ==, 10);
  g_assert_cmpuint (ranged.expected, ==, 10);
  g_autofree char *first = g_build_filename (frames, "frame_000005.png", NULL);
  g_autofree char *last = g_build_filename (frames, "frame_000014.png", NULL);
  g_assert_true (g_file_test (first, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (last, G_FILE_TEST_IS_REGULAR));

  /* an unwritable folder is refused before any frame is read */
  options.frames_dir = "/proc/otter/frames";
  g_autoptr (OtterVideoSource) third = open_clip ();
  g_assert_false (otter_video_export (third, &options, NULL, NULL, NULL, &stats, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "cannot create"));
  g_assert_cmpuint (stats.n_read, ==, 0);
  remove_tree (dir);
}

/* Two seconds at 10 frames/s with a sound track that is silent for the
 * first half second and a loud tone after it. */
static char *
clip_with_sound (void)
{
  return make_clip ("sound.webm",
    "webmmux name=mux ! filesink location=LOCATION "
    "videotestsrc num-buffers=20 pattern=ball ! video/x-raw,width=96,height=64,framerate=10/1 "
    "! vp8enc deadline=1 ! mux. "
    "concat name=c ! audioconvert ! vorbisenc ! mux. "
    "audiotestsrc wave=silence samplesperbuffer=4800 num-buffers=5 ! audio/x-raw,rate=48000,channels=1 ! c. "
    "audiotestsrc wave=sine volume=0.5 samplesperbuffer=4800 num-buffers=15 ! audio/x-raw,rate=48000,channels=1 "
    "! c.");
}

typedef struct
{
  guint64 n_samples;
  double  head_rms;        /* over the first 0.1 s */
} Sound;

/* Decodes a file's sound as the writer would take it: NULL-free, FALSE
 * when it has none. */
static gboolean
read_sound (const char *path,
            Sound      *sound)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = g_filename_to_uri (path, NULL, &error);
  OtterAudioReader *reader = otter_audio_reader_open (uri, path, 0, &error);
  g_assert_no_error (error);
  if (reader == NULL)
    return FALSE;
  double head_sum = 0;
  guint64 head_n = 0, head_samples = OTTER_AUDIO_RATE / 10 * OTTER_AUDIO_CHANNELS;
  *sound = (Sound) { 0 };
  GstBuffer *buffer;
  while ((buffer = otter_audio_reader_read (reader, &error)) != NULL)
    {
      GstMapInfo map;
      gst_buffer_map (buffer, &map, GST_MAP_READ);
      const gint16 *values = (const gint16 *) (gconstpointer) map.data;
      gsize n_values = map.size / sizeof (gint16);
      for (gsize k = 0; k < n_values && head_n < head_samples; k++, head_n++)
        head_sum += (double) values[k] * values[k];
      sound->n_samples += map.size / OTTER_AUDIO_BYTES_PER_SAMPLE;
      gst_buffer_unmap (buffer, &map);
      gst_buffer_unref (buffer);
    }
  g_assert_no_error (error);
  otter_audio_reader_free (reader);
  sound->head_rms = head_n > 0 ? sqrt (head_sum / head_n) / 32768 : 0;
  return TRUE;
}

/* The sound goes along from where the first frame starts to where the
 * last ends, in WebM (Opus) and AVI (MP3); it stays out when asked, and a
 * clip without any gives a video without. */
static void
test_export_audio (void)
{
  static const struct { const char *name; double start; guint64 max_frames; guint n_frames; gboolean loud; } cases[] = {
    { "from-half.webm", 0.5, 0, 15, TRUE },
    { "first-half.webm", 0, 5, 5, FALSE },
    { "from-half.avi", 0.5, 0, 15, TRUE },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *clip = clip_with_sound ();
  g_autofree char *dir = g_build_filename (tmp_dir, "audio", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  OtterVideoExportOptions options;
  OtterVideoExportStats stats;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = g_build_filename (dir, cases[i].name, NULL);
      otter_video_export_options_init (&options);
      options.compare_path = out;
      options.start = cases[i].start;
      options.max_frames = cases[i].max_frames;
      g_autoptr (OtterVideoSource) video = otter_video_source_new (clip, OTTER_VIDEO_READ_ALL, &error);
      g_assert_true (otter_video_source_open (video, NULL, &error));
      g_assert_true (otter_video_export (video, &options, NULL, NULL, NULL, &stats, &error));
      g_assert_no_error (error);
      g_assert_true (stats.with_audio);
      g_assert_cmpuint (test_video_count_frames (out, NULL, NULL), ==, cases[i].n_frames);

      Sound sound;
      g_assert_true (read_sound (out, &sound));
      double seconds = (double) sound.n_samples / OTTER_AUDIO_RATE, expected = cases[i].n_frames / 10.0;
      g_test_message ("%s: %.3f s of sound for %.1f s of video, first 0.1 s at RMS %.3f", cases[i].name, seconds,
                      expected, sound.head_rms);
      /* the encoders work in blocks of 20–26 ms */
      g_assert_cmpfloat (fabs (seconds - expected), <, 0.05);
      if (cases[i].loud)
        g_assert_cmpfloat (sound.head_rms, >, 0.1);
      else
        g_assert_cmpfloat (sound.head_rms, <, 0.02);
    }

  g_autofree char *silent = g_build_filename (dir, "dropped.webm", NULL);
  otter_video_export_options_init (&options);
  options.compare_path = silent;
  options.keep_audio = FALSE;
  g_autoptr (OtterVideoSource) video = otter_video_source_new (clip, OTTER_VIDEO_READ_ALL, &error);
  g_assert_true (otter_video_source_open (video, NULL, &error));
  g_assert_true (otter_video_export (video, &options, NULL, NULL, NULL, &stats, &error));
  g_assert_false (stats.with_audio);
  Sound none;
  g_assert_false (read_sound (silent, &none));
  g_assert_cmpuint (test_video_count_frames (silent, NULL, NULL), ==, 20);

  /* asked to keep what is not there */
  g_autofree char *mute = g_build_filename (dir, "mute.webm", NULL);
  otter_video_export_options_init (&options);
  options.compare_path = mute;
  g_autoptr (OtterVideoSource) plain = open_clip ();
  g_assert_true (otter_video_export (plain, &options, NULL, NULL, NULL, &stats, &error));
  g_assert_false (stats.with_audio);
  g_assert_false (read_sound (mute, &none));
  remove_tree (dir);
}

/* H.264 and MP3 in MP4, where x264 is installed. Without an H.264
 * decoder here the file is checked by what GStreamer's discoverer reads
 * from its container: the streams, their size and the duration. */
static void
test_export_mp4 (void)
{
  g_autoptr (GstElementFactory) x264 = gst_element_factory_find ("x264enc");
  if (x264 == NULL)
    {
      g_test_skip ("x264enc is not installed (gstreamer1.0-plugins-ugly)");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *clip = clip_with_sound ();
  g_autofree char *out = g_build_filename (tmp_dir, "sound.mp4", NULL);
  OtterVideoExportOptions options;
  OtterVideoExportStats stats;
  otter_video_export_options_init (&options);
  options.compare_path = out;
  g_autoptr (OtterVideoSource) video = otter_video_source_new (clip, OTTER_VIDEO_READ_ALL, &error);
  g_assert_true (otter_video_source_open (video, NULL, &error));
  g_assert_true (otter_video_export (video, &options, NULL, NULL, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_written, ==, 20);
  g_assert_true (stats.with_audio);

  g_autoptr (GstDiscoverer) discoverer = gst_discoverer_new (30 * GST_SECOND, &error);
  g_assert_no_error (error);
  g_autofree char *uri = g_filename_to_uri (out, NULL, NULL);
  g_autoptr (GstDiscovererInfo) info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_nonnull (info);
  GList *videos = gst_discoverer_info_get_video_streams (info);
  GList *audios = gst_discoverer_info_get_audio_streams (info);
  g_assert_cmpuint (g_list_length (videos), ==, 1);
  g_assert_cmpuint (g_list_length (audios), ==, 1);
  GstDiscovererVideoInfo *v = videos->data;
  g_assert_cmpuint (gst_discoverer_video_info_get_width (v), ==, 96);
  g_assert_cmpuint (gst_discoverer_video_info_get_height (v), ==, 64);
  g_autoptr (GstCaps) caps = gst_discoverer_stream_info_get_caps (GST_DISCOVERER_STREAM_INFO (v));
  g_assert_true (g_str_equal (gst_structure_get_name (gst_caps_get_structure (caps, 0)), "video/x-h264"));
  double seconds = gst_discoverer_info_get_duration (info) / 1e9;
  g_test_message ("%s: %.3f s", out, seconds);
  g_assert_cmpfloat (fabs (seconds - 2.0), <, 0.1);
  gst_discoverer_stream_info_list_free (videos);
  gst_discoverer_stream_info_list_free (audios);
  g_unlink (out);
}

typedef struct
{
  int   status;
  char *out, *err;
} CliRun;

static void
cli_run_free (CliRun *r)
{
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliRun, cli_run_free)

static CliRun *
run_cli (const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "otter-cli", NULL));
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  CliRun *r = g_new0 (CliRun, 1);
  int wait_status;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (tmp_dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  r->status = g_spawn_check_wait_status (wait_status, NULL) ? 0
              : WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128;
  return r;
}

/* otter-cli video end to end: the side-by-side export decodes to every
 * frame at twice the width, frames and labels make a dataset, and a bad
 * input fails in one line with nothing written. */
static void
test_cli_video (void)
{
  static const char *const classes[] = { "ball", NULL };
  g_autoptr (GError) error = NULL;
  OtterTorchModel *model = otter_torch_model_new ("tiny", classes, 64, 3, &error);
  g_autofree char *model_path = g_build_filename (tmp_dir, "tiny.otter", NULL);
  g_assert_true (otter_torch_model_save (model, model_path, NULL, &error));
  otter_torch_model_free (model);
  g_autofree char *clip = webm_clip ();
  g_autofree char *out = g_build_filename (tmp_dir, "compare.webm", NULL);
  g_autofree char *frames = g_build_filename (tmp_dir, "frames", NULL);

  g_autoptr (CliRun) r = run_cli ("video", "--model", model_path, "--input", clip, "--out", out,
                                  "--attack", "fgsm", "--frames-out", frames, "--every", "5", "--labels",
                                  "--score-threshold", "0.0", "--json", "-j", "1", NULL);
  g_test_message ("%s%s", r->out, r->err);
  g_assert_cmpint (r->status, ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, r->out, -1, &error));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (o, "frames_read"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (o, "frames_written"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (o, "frames_saved"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (o, "frames_dropped"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "mean_detections_clean"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "attack"), ==, "fgsm");
  g_assert_false (json_object_get_boolean_member (o, "audio"));

  int width, height;
  g_assert_cmpuint (test_video_count_frames (out, &width, &height), ==, 20);
  g_assert_cmpint (width, ==, 320);
  g_assert_cmpint (height, ==, 120);
  g_autofree char *yaml = g_build_filename (frames, "data.yaml", NULL);
  g_autofree char *image = g_build_filename (frames, "images", "frame_000015.png", NULL);
  g_autofree char *label = g_build_filename (frames, "labels", "frame_000015.txt", NULL);
  g_assert_true (g_file_test (yaml, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (image, G_FILE_TEST_EXISTS));
  g_autofree char *lines = NULL;
  g_assert_true (g_file_get_contents (label, &lines, NULL, NULL));
  g_assert_true (g_str_has_prefix (lines, "0 "));

  /* a text file as the input: one line, and no output file */
  g_autofree char *text = g_build_filename (tmp_dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (text, "not a video", -1, NULL));
  g_autofree char *never = g_build_filename (tmp_dir, "never.webm", NULL);
  g_autoptr (CliRun) bad = run_cli ("video", "--input", text, "--out", never, NULL);
  g_test_message ("%s", bad->err);
  g_assert_cmpint (bad->status, ==, 1);
  g_assert_true (g_str_has_prefix (bad->err, "otter-cli: "));
  g_assert_nonnull (strstr (bad->err, "notes.txt is not a video"));
  g_assert_false (g_file_test (never, G_FILE_TEST_EXISTS));
  g_autoptr (CliRun) camera = run_cli ("video", "--input", "camera:7", "--out", never, "--max-frames", "5", NULL);
  g_assert_cmpint (camera->status, ==, 1);
  g_assert_nonnull (strstr (camera->err, "/dev/video7"));
  g_autoptr (CliRun) live = run_cli ("video", "--model", model_path, "--input", "camera:test", "--max-frames", "6",
                                     "--json", "-j", "1", NULL);
  g_test_message ("%s%s", live->out, live->err);
  g_assert_cmpint (live->status, ==, 0);
  g_autoptr (JsonParser) live_parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (live_parser, live->out, -1, &error));
  JsonObject *live_o = json_node_get_object (json_parser_get_root (live_parser));
  g_assert_cmpint (json_object_get_int_member (live_o, "frames_read"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (live_o, "width"), ==, 640);
  g_assert_true (json_object_has_member (live_o, "frames_dropped"));
  g_autoptr (CliRun) folder = run_cli ("video", "--input", clip, "--out", "/proc/otter/x.webm", NULL);
  g_assert_cmpint (folder->status, ==, 1);
  g_assert_nonnull (strstr (folder->err, "/proc/otter"));

  /* a clip's sound goes along unless --no-audio says otherwise */
  g_autofree char *sound_clip = clip_with_sound ();
  g_autofree char *with = g_build_filename (tmp_dir, "with-sound.webm", NULL);
  g_autofree char *without = g_build_filename (tmp_dir, "without-sound.webm", NULL);
  g_autoptr (CliRun) kept = run_cli ("video", "--input", sound_clip, "--out", with, NULL);
  g_test_message ("%s%s", kept->out, kept->err);
  g_assert_cmpint (kept->status, ==, 0);
  g_assert_nonnull (strstr (kept->out, "with sound"));
  g_autoptr (CliRun) dropped = run_cli ("video", "--input", sound_clip, "--out", without, "--no-audio", "--json",
                                        NULL);
  g_assert_cmpint (dropped->status, ==, 0);
  g_autoptr (JsonParser) dropped_parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (dropped_parser, dropped->out, -1, &error));
  g_assert_false (json_object_get_boolean_member (json_node_get_object (json_parser_get_root (dropped_parser)),
                                                  "audio"));
  Sound sound;
  g_assert_true (read_sound (with, &sound));
  g_assert_false (read_sound (without, &sound));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("otter-video-XXXXXX", NULL);

  g_test_add_func ("/otter/Video/read-all", test_read_all);
  g_test_add_func ("/otter/Video/seek", test_seek);
  g_test_add_func ("/otter/Video/real-time", test_real_time);
  g_test_add_func ("/otter/Video/mjpeg-with-audio", test_mjpeg_with_audio);
  g_test_add_func ("/otter/Video/test-camera", test_test_camera);
  g_test_add_func ("/otter/Video/errors", test_errors);
  g_test_add_func ("/otter/Video/writer", test_writer);
  g_test_add_func ("/otter/Video/detect-frame", test_detect_frame);
  g_test_add_func ("/otter/Video/export", test_export);
  g_test_add_func ("/otter/Video/export-cancel", test_export_cancel);
  g_test_add_func ("/otter/Video/export-audio", test_export_audio);
  g_test_add_func ("/otter/Video/export-mp4", test_export_mp4);
  g_test_add_func ("/otter/Video/cli", test_cli_video);
  int status = g_test_run ();

  g_autoptr (GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmp_dir);
  return status;
}
