/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-video-player.c: the Video page's player, without a display */

#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

#include "otter-video-player.h"
#include "test-video-utils.h"

static char *tmp_dir;

/* `frames` frames of width × height at `fps` frames/s, VP8 in WebM. */
static char *
clip (int frames,
      int width,
      int height,
      int fps)
{
  g_autofree char *name = g_strdup_printf ("ball-%d-%dx%d-%d.webm", frames, width, height, fps);
  char *path = g_build_filename (tmp_dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *description =
        g_strdup_printf ("videotestsrc num-buffers=%d pattern=ball ! video/x-raw,width=%d,height=%d,"
                         "framerate=%d/1 ! vp8enc deadline=1 ! webmmux ! filesink location=%s",
                         frames, width, height, fps, path);
      g_assert_true (test_video_encode (description));
    }
  return path;
}

typedef gboolean (*Condition) (OtterVideoPlayer *player, gpointer data);

static gboolean
wait_for (OtterVideoPlayer *player,
          Condition         condition,
          gpointer          data,
          int               timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  while (!condition (player, data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return TRUE;
}

static gboolean
has_frame_cb (OtterVideoPlayer *player,
              gpointer          data)
{
  OtterVideoResult *result = otter_video_player_get_result (player);
  return result != NULL && (data == NULL || result->frame->number == GPOINTER_TO_INT (data) - 1);
}

/* Pass frame number n as GINT_TO_POINTER (n + 1). */
#define FRAME(n) GINT_TO_POINTER ((n) + 1)

static gboolean
stopped_cb (OtterVideoPlayer *player,
            gpointer          data)
{
  return !otter_video_player_get_playing (player);
}

static gboolean
no_workers_cb (OtterVideoPlayer *player,
               gpointer          data)
{
  return otter_video_player_count_workers () == 0;
}

static gboolean
has_error_cb (OtterVideoPlayer *player,
              gpointer          data)
{
  return otter_video_player_get_error (player) != NULL;
}

static void
record_cb (OtterVideoPlayer *player,
           GParamSpec       *pspec,
           GArray           *numbers)
{
  OtterVideoResult *result = otter_video_player_get_result (player);
  if (result != NULL)
    g_array_append_val (numbers, result->frame->number);
}

static OtterModel *
slow_model (void)
{
  static const char *const classes[] = { "ball", NULL };
  g_autoptr (GError) error = NULL;
  /* a large input and an attack on each frame: slower than the clip */
  OtterModel *model = otter_model_new_builtin ("tiny", classes, 320, 1, &error);
  g_assert_no_error (error);
  return model;
}

/* Paused on the first frame after opening; then every frame in order, and
 * playing stops by itself at the end. */
static void
test_play (void)
{
  g_autofree char *path = clip (20, 160, 120, 10);
  g_autoptr (OtterVideoPlayer) player = otter_video_player_new ();
  otter_video_player_open (player, path);
  g_assert_true (otter_video_player_get_loading (player));
  g_assert_true (wait_for (player, has_frame_cb, FRAME (0), 10000));
  g_assert_false (otter_video_player_get_loading (player));
  const OtterVideoInfo *info = otter_video_player_get_info (player);
  g_assert_nonnull (info);
  g_assert_cmpint (info->width, ==, 160);
  g_assert_cmpint (info->fps_n, ==, 10);
  /* no model: frames without detections */
  g_assert_null (otter_video_player_get_result (player)->clean);

  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (player, "notify::result", G_CALLBACK (record_cb), numbers);
  otter_video_player_set_playing (player, TRUE);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (19), 10000));
  g_assert_true (wait_for (player, stopped_cb, NULL, 5000));

  g_test_message ("%u frames delivered, %" G_GUINT64_FORMAT " dropped, %.1f frames/s", numbers->len,
                  otter_video_player_get_n_dropped (player), otter_video_player_get_fps (player));
  for (guint i = 1; i < numbers->len; i++)
    g_assert_cmpint (g_array_index (numbers, gint64, i), >, g_array_index (numbers, gint64, i - 1));
  g_assert_cmpint (g_array_index (numbers, gint64, numbers->len - 1), ==, 19);
  /* nothing in the way: most frames reach the consumer */
  g_assert_cmpuint (numbers->len, >=, 15);
  g_assert_cmpfloat (otter_video_player_get_fps (player), >, 5);
  g_assert_cmpfloat (otter_video_player_get_fps (player), <, 15);

  /* playing again after the end starts over */
  otter_video_player_set_playing (player, TRUE);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (0), 5000));
}

/* A model slower than the clip sees the newest frames; the rest are counted. */
static void
test_slow_consumer (void)
{
  g_autofree char *path = clip (40, 160, 120, 20);
  g_autoptr (OtterModel) model = slow_model ();
  g_autoptr (OtterVideoPlayer) player = otter_video_player_new ();
  OtterTorchAttackParams attack;
  otter_torch_attack_params_init (&attack, OTTER_ATTACK_OT);
  attack.ot.steps = 3;
  otter_video_player_set_model (player, model);
  otter_video_player_set_attack (player, &attack);
  otter_video_player_set_score_threshold (player, 0.0);
  otter_video_player_open (player, path);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (0), 20000));
  OtterVideoResult *first = otter_video_player_get_result (player);
  g_assert_nonnull (first->clean);
  g_assert_nonnull (first->attacked);
  g_assert_nonnull (first->attacked_frame);
  g_assert_cmpint (first->attacked_frame->width, ==, 160);
  g_assert_cmpstr (first->class_names[0], ==, "ball");

  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (player, "notify::result", G_CALLBACK (record_cb), numbers);
  otter_video_player_set_playing (player, TRUE);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (39), 20000));
  g_assert_true (wait_for (player, stopped_cb, NULL, 5000));

  guint64 dropped = otter_video_player_get_n_dropped (player);
  g_test_message ("%u frames delivered, %" G_GUINT64_FORMAT " dropped, %.1f frames/s", numbers->len,
                  dropped, otter_video_player_get_fps (player));
  for (guint i = 1; i < numbers->len; i++)
    g_assert_cmpint (g_array_index (numbers, gint64, i), >, g_array_index (numbers, gint64, i - 1));
  g_assert_cmpuint (dropped, >, 0);
  /* every frame after the first was delivered or dropped */
  g_assert_cmpuint (numbers->len + dropped, >=, 39);
  g_assert_cmpfloat (otter_video_player_get_fps (player), >, 0);
  g_assert_cmpfloat (otter_video_player_get_fps (player), <, 20);
}

/* Seeks land on the frame asked for; steps move by exactly one. */
static void
test_seek_step (void)
{
  g_autofree char *path = clip (20, 160, 120, 10);
  g_autoptr (OtterVideoPlayer) player = otter_video_player_new ();
  otter_video_player_open (player, path);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (0), 10000));

  otter_video_player_seek (player, GST_SECOND);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (10), 5000));
  otter_video_player_step (player, 1);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (11), 5000));
  otter_video_player_step (player, -1);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (10), 5000));
  otter_video_player_step (player, -1);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (9), 5000));
  g_assert_cmpint (otter_video_player_frame_time (player, 9), ==, 900 * GST_MSECOND);
  /* at the ends a step stays inside the clip */
  otter_video_player_seek (player, 0);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (0), 5000));
  otter_video_player_step (player, -1);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (0), 5000));

  /* a seek while playing: only frames from the new place after it */
  otter_video_player_set_playing (player, TRUE);
  g_usleep (200 * 1000);
  otter_video_player_seek (player, 1500 * GST_MSECOND);
  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (player, "notify::result", G_CALLBACK (record_cb), numbers);
  g_assert_true (wait_for (player, has_frame_cb, FRAME (19), 5000));
  g_assert_cmpuint (numbers->len, >, 0);
  g_assert_cmpint (g_array_index (numbers, gint64, 0), >=, 15);
}

/* Closing, reopening and dropping the player while the worker is in the
 * model: the old worker winds down and nothing of it shows. */
static void
test_stop (void)
{
  g_autofree char *path = clip (40, 160, 120, 20);
  g_autofree char *other = clip (10, 96, 64, 10);
  g_autoptr (OtterModel) model = slow_model ();
  OtterVideoPlayer *player = otter_video_player_new ();
  OtterTorchAttackParams attack;
  otter_torch_attack_params_init (&attack, OTTER_ATTACK_OT);
  otter_video_player_set_model (player, model);
  otter_video_player_set_attack (player, &attack);
  otter_video_player_open (player, path);
  g_assert_true (wait_for (player, has_frame_cb, NULL, 20000));
  otter_video_player_set_playing (player, TRUE);
  g_usleep (300 * 1000);

  otter_video_player_open (player, other);
  g_assert_null (otter_video_player_get_result (player));
  g_assert_true (wait_for (player, has_frame_cb, NULL, 20000));
  g_assert_cmpint (otter_video_player_get_result (player)->frame->width, ==, 96);
  for (int i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
      g_assert_cmpint (otter_video_player_get_result (player)->frame->width, ==, 96);
    }

  otter_video_player_set_playing (player, TRUE);
  otter_video_player_close (player);
  g_assert_null (otter_video_player_get_result (player));
  g_assert_null (otter_video_player_get_info (player));
  g_assert_true (wait_for (player, no_workers_cb, NULL, 20000));

  /* dropped while playing */
  otter_video_player_open (player, path);
  g_assert_true (wait_for (player, has_frame_cb, NULL, 20000));
  otter_video_player_set_playing (player, TRUE);
  g_usleep (200 * 1000);
  g_object_add_weak_pointer (G_OBJECT (player), (gpointer *) &player);
  g_object_unref (player);
  g_assert_null (player);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (otter_video_player_count_workers () > 0 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpuint (otter_video_player_count_workers (), ==, 0);
  /* the deliveries still queued find no player */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Not a video: the core's one-line message, and no frames. */
static void
test_error (void)
{
  g_autofree char *text = g_build_filename (tmp_dir, "notes.webm", NULL);
  g_assert_true (g_file_set_contents (text, "not a video\n", -1, NULL));
  g_autoptr (OtterVideoPlayer) player = otter_video_player_new ();
  otter_video_player_open (player, text);
  g_assert_true (wait_for (player, has_error_cb, NULL, 10000));
  g_test_message ("%s", otter_video_player_get_error (player));
  g_assert_nonnull (strstr (otter_video_player_get_error (player), "notes.webm is not a video"));
  g_assert_false (otter_video_player_get_loading (player));
  g_assert_null (otter_video_player_get_result (player));
  g_assert_null (otter_video_player_get_info (player));
  /* commands on a failed video are harmless */
  otter_video_player_set_playing (player, TRUE);
  otter_video_player_seek (player, GST_SECOND);
  otter_video_player_step (player, 1);

  /* and a good file after it plays */
  g_autofree char *path = clip (20, 160, 120, 10);
  otter_video_player_open (player, path);
  g_assert_null (otter_video_player_get_error (player));
  g_assert_true (wait_for (player, has_frame_cb, FRAME (0), 10000));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("otter-video-player-XXXXXX", NULL);

  g_test_add_func ("/otter/VideoPlayer/play", test_play);
  g_test_add_func ("/otter/VideoPlayer/slow-consumer", test_slow_consumer);
  g_test_add_func ("/otter/VideoPlayer/seek-step", test_seek_step);
  g_test_add_func ("/otter/VideoPlayer/stop", test_stop);
  g_test_add_func ("/otter/VideoPlayer/error", test_error);
  int status = g_test_run ();

  g_autoptr (GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (tmp_dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (tmp_dir);
  return status;
}
