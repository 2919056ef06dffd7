/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-video-page.c: the Video page with a real display */

#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "display-utils.h"
#include "../test-video-utils.h"
#include "otter-image-view.h"
#include "otter-strip-chart.h"
#include "otter-video-page.h"
#include "otter-window.h"

static AdwApplication *app;
static char *tmp_dir;
static char *clip_path;

typedef struct
{
  OtterWindow    *window;
  OtterVideoPage *page;
} Fixture;

/* 30 frames of a moving ball, 160 × 120 at 10 frames/s, VP8 in WebM. */
static char *
encode_clip (void)
{
  char *path = g_build_filename (tmp_dir, "ball.webm", NULL);
  g_autofree char *description =
    g_strdup_printf ("videotestsrc num-buffers=30 pattern=ball ! video/x-raw,width=160,height=120,"
                     "framerate=10/1 ! vp8enc deadline=1 ! webmmux ! filesink location=%s", path);
  g_assert_true (test_video_encode (description));
  return path;
}

static gboolean
has_model (gpointer data)
{
  return otter_session_get_model (data) != NULL;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->window = otter_window_new (app);
  OtterSession *session = otter_window_get_session (fixture->window);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 720);
  gtk_window_present (GTK_WINDOW (fixture->window));
  otter_session_open_dataset (session, "demo");
  g_assert_true (display_wait_until ((gpointer) otter_session_get_dataset, session, 60));
  g_autoptr (GError) error = NULL;
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);
  g_assert_true (display_wait_until (has_model, session, 10));
  otter_window_show_page (fixture->window, "video");
  fixture->page = OTTER_VIDEO_PAGE (otter_window_get_page (fixture->window, "video"));
  display_spin (0.3);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  display_spin (0.2);
}

static OtterImageView *
view (Fixture *fixture,
      guint    i)
{
  g_autoptr (GPtrArray) views = display_find_all (GTK_WIDGET (fixture->page), OTTER_TYPE_IMAGE_VIEW);
  g_assert_cmpuint (views->len, ==, 2);
  return views->pdata[i];
}

static gboolean
clean_has_boxes (gpointer data)
{
  Fixture *fixture = data;
  return otter_image_view_get_n_boxes (view (fixture, 0)) > 0 && otter_video_page_get_frame_number (fixture->page) >= 0;
}

static gboolean
played_a_while (gpointer data)
{
  Fixture *fixture = data;
  return otter_video_page_get_frame_number (fixture->page) >= 5 && clean_has_boxes (data);
}

static gboolean
attacked_in_chart (gpointer data)
{
  Fixture *fixture = data;
  OtterStripChart *chart = OTTER_STRIP_CHART (display_find_widget (GTK_WIDGET (fixture->page),
                                                                   OTTER_TYPE_STRIP_CHART));
  guint n = otter_strip_chart_get_n_points (chart);
  for (guint i = 0; i < n; i++)
    {
      int attacked;
      otter_strip_chart_get_point (chart, i, NULL, NULL, &attacked);
      if (attacked >= 0)
        return otter_image_view_get_texture (view (fixture, 1)) != NULL;
    }
  return FALSE;
}

static gboolean
paused (gpointer data)
{
  Fixture *fixture = data;
  return !otter_video_player_get_playing (otter_video_page_get_player (fixture->page));
}

typedef struct
{
  Fixture *fixture;
  gint64   number;
} FrameWait;

static gboolean
shows_frame (gpointer data)
{
  FrameWait *wait = data;
  return otter_video_page_get_frame_number (wait->fixture->page) == wait->number;
}

static void
save_png (Fixture    *fixture,
          const char *name)
{
  const char *dir = g_getenv ("OTTER_SCREENSHOT_DIR");
  if (dir == NULL)
    return;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  display_spin (0.3);
  g_assert_true (display_save_widget_png (GTK_WIDGET (fixture->window), path));
}

static void
set_score_threshold (Fixture *fixture,
                     double   threshold)
{
  GtkWidget *row = display_find_row (GTK_WIDGET (fixture->page), "_Score Threshold");
  g_assert_nonnull (row);
  GtkWidget *spin = display_find_widget (row, GTK_TYPE_SPIN_BUTTON);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), threshold);
}

/* A clip plays with the model's boxes; with Attack on the attacked frame
 * shows beside the clean one and its count reaches the chart; paused,
 * a step moves by one frame either way. */
static void
test_play_attack_step (Fixture       *fixture,
                       gconstpointer  user_data)
{
  GtkWidget *page = GTK_WIDGET (fixture->page);

  /* an untrained model scores low: keep every box it finds */
  set_score_threshold (fixture, 0.0);
  otter_video_page_open (fixture->page, clip_path);
  g_assert_cmpstr (otter_video_page_get_location (fixture->page), ==, clip_path);
  g_assert_true (display_wait_until (clean_has_boxes, fixture, 30));
  g_assert_cmpint (otter_video_page_get_frame_number (fixture->page), ==, 0);
  OtterViewBox box;
  otter_image_view_get_box (view (fixture, 0), 0, &box);
  g_test_message ("first box %.1f × %.1f px, %s %.2f", box.x2 - box.x1, box.y2 - box.y1, box.label, box.score);
  g_assert_nonnull (box.label);
  GtkWidget *attacked_box = gtk_widget_get_parent (GTK_WIDGET (view (fixture, 1)));
  g_assert_false (gtk_widget_get_visible (attacked_box));

  g_assert_true (gtk_widget_activate_action (page, "video.toggle-play", NULL));
  g_assert_true (display_wait_until (played_a_while, fixture, 30));

  GtkSwitch *attack = GTK_SWITCH (display_find_widget (page, GTK_TYPE_SWITCH));
  gtk_switch_set_active (attack, TRUE);
  g_assert_true (display_wait_until (attacked_in_chart, fixture, 60));
  g_assert_true (gtk_widget_get_mapped (attacked_box));
  /* the clean and attacked views side by side */
  graphene_rect_t clean_bounds, attacked_bounds;
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (view (fixture, 0)), page, &clean_bounds));
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (view (fixture, 1)), page, &attacked_bounds));
  g_assert_cmpfloat (attacked_bounds.origin.x, >=, clean_bounds.origin.x + clean_bounds.size.width);
  g_assert_cmpfloat (fabs (attacked_bounds.origin.y - clean_bounds.origin.y), <, 1);
  GdkTexture *clean_texture = otter_image_view_get_texture (view (fixture, 0));
  GdkTexture *attacked_texture = otter_image_view_get_texture (view (fixture, 1));
  g_assert_cmpint (gdk_texture_get_width (attacked_texture), ==, 160);
  double difference = display_texture_difference (clean_texture, attacked_texture);
  g_test_message ("clean and attacked differ by %.2f", difference);
  /* ε = 8/255 moves pixels by up to 8 levels */
  g_assert_cmpfloat (difference, >, 0.3);
  g_assert_cmpfloat (difference, <=, 8.5);

  g_assert_true (gtk_widget_activate_action (page, "video.toggle-play", NULL));
  g_assert_true (display_wait_until (paused, fixture, 10));
  display_spin (0.5);
  save_png (fixture, "video-light.png");
  FrameWait wait = { fixture, otter_video_page_get_frame_number (fixture->page) };
  g_test_message ("paused on frame %" G_GINT64_FORMAT, wait.number);
  g_assert_cmpint (wait.number, >=, 0);
  if (wait.number >= 28)
    {
      /* ended already: step back first so that forward has room */
      g_assert_true (gtk_widget_activate_action (page, "video.step-back", NULL));
      wait.number--;
      g_assert_true (display_wait_until (shows_frame, &wait, 30));
    }
  g_assert_true (gtk_widget_activate_action (page, "video.step-forward", NULL));
  wait.number++;
  g_assert_true (display_wait_until (shows_frame, &wait, 30));
  g_assert_true (gtk_widget_activate_action (page, "video.step-back", NULL));
  wait.number--;
  g_assert_true (display_wait_until (shows_frame, &wait, 30));
  /* the label says so too */
  g_autofree char *frame_text = g_strdup_printf ("Frame %" G_GINT64_FORMAT " ·", wait.number);
  GtkWidget *scale = display_find_widget (page, GTK_TYPE_SCALE);
  GtkWidget *position = gtk_widget_get_last_child (gtk_widget_get_parent (scale));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (position)), frame_text));

  AdwStyleManager *style = adw_style_manager_get_default ();
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  save_png (fixture, "video-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 800, 600);
  display_spin (0.5);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, 800);
  save_png (fixture, "video-800x600.png");
}

/* A file dropped on the page opens; dragging the scrubber seeks to the
 * frame at that time. */
static void
test_drop_and_seek (Fixture       *fixture,
                    gconstpointer  user_data)
{
  GtkWidget *page = GTK_WIDGET (fixture->page);
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (page);
  GtkDropTarget *drop = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && drop == NULL; i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);
      if (GTK_IS_DROP_TARGET (controller))
        drop = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (drop);

  g_autoptr (GFile) file = g_file_new_for_path (clip_path);
  GSList files = { file, NULL };
  GValue value = G_VALUE_INIT;
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, &files);
  gboolean accepted = FALSE;
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  g_assert_cmpstr (otter_video_page_get_location (fixture->page), ==, clip_path);
  FrameWait wait = { fixture, 0 };
  g_assert_true (display_wait_until (shows_frame, &wait, 30));

  GtkWidget *scale = display_find_widget (page, GTK_TYPE_SCALE);
  g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_range_get_adjustment (GTK_RANGE (scale))), >=, 2.9);
  gboolean handled;
  g_signal_emit_by_name (scale, "change-value", GTK_SCROLL_JUMP, 2.0, &handled);
  wait.number = 20;
  g_assert_true (display_wait_until (shows_frame, &wait, 30));
  g_assert_cmpfloat (fabs (gtk_range_get_value (GTK_RANGE (scale)) - 2.0), <, 0.01);
}

static gboolean
error_shown (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr (GPtrArray) pages = display_find_all (GTK_WIDGET (fixture->page), ADW_TYPE_STATUS_PAGE);
  for (guint i = 0; i < pages->len; i++)
    {
      const char *description = adw_status_page_get_description (pages->pdata[i]);
      if (gtk_widget_get_mapped (pages->pdata[i]) && description != NULL &&
          strstr (description, "notes.webm is not a video") != NULL)
        return TRUE;
    }
  return FALSE;
}

/* Not a video: the core's message on the page; a clip after it plays. */
static void
test_error (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autofree char *text = g_build_filename (tmp_dir, "notes.webm", NULL);
  g_assert_true (g_file_set_contents (text, "these are my notes, not a video\n", -1, NULL));
  otter_video_page_open (fixture->page, text);
  g_assert_true (display_wait_until (error_shown, fixture, 30));
  save_png (fixture, "video-error.png");

  otter_video_page_open (fixture->page, clip_path);
  FrameWait wait = { fixture, 0 };
  g_assert_true (display_wait_until (shows_frame, &wait, 30));
  g_assert_false (error_shown (fixture));
}

static gboolean
says_no_model (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr (GPtrArray) labels = display_find_all (GTK_WIDGET (fixture->page), GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_get_mapped (labels->pdata[i]) &&
        g_str_has_prefix (gtk_label_get_label (labels->pdata[i]), "No model"))
      return TRUE;
  return FALSE;
}

/* Without a model the frames still play, without boxes, and the page
 * says why; a model coming back brings the boxes back. */
static void
test_no_model (Fixture       *fixture,
               gconstpointer  user_data)
{
  OtterSession *session = otter_window_get_session (fixture->window);
  set_score_threshold (fixture, 0.0);
  otter_session_set_model (session, NULL);
  otter_video_page_open (fixture->page, clip_path);
  FrameWait wait = { fixture, 0 };
  g_assert_true (display_wait_until (shows_frame, &wait, 30));
  g_assert_true (display_wait_until (says_no_model, fixture, 5));
  g_assert_nonnull (otter_image_view_get_texture (view (fixture, 0)));
  g_assert_cmpuint (otter_image_view_get_n_boxes (view (fixture, 0)), ==, 0);

  g_autoptr (GError) error = NULL;
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  /* paused: the frame shown is run through the new model */
  g_assert_true (display_wait_until (clean_has_boxes, fixture, 30));
  g_assert_false (says_no_model (fixture));
}

static gboolean
no_workers (gpointer data)
{
  return otter_video_player_count_workers () == 0;
}

/* Closing the window while a clip plays under attack: the worker stops. */
static void
test_close_while_playing (void)
{
  Fixture fixture;
  fixture_set_up (&fixture, NULL);
  gtk_switch_set_active (GTK_SWITCH (display_find_widget (GTK_WIDGET (fixture.page), GTK_TYPE_SWITCH)), TRUE);
  otter_video_page_open (fixture.page, clip_path);
  FrameWait wait = { &fixture, 0 };
  g_assert_true (display_wait_until (shows_frame, &wait, 30));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.page), "video.toggle-play", NULL));
  display_spin (0.3);
  g_assert_cmpuint (otter_video_player_count_workers (), ==, 1);
  gtk_window_destroy (GTK_WINDOW (fixture.window));
  g_assert_true (display_wait_until (no_workers, NULL, 30));
  display_spin (0.2);
}

/* Without /dev/video* the camera is offered, insensitive, with the reason. */
static void
test_camera_choice (Fixture       *fixture,
                    gconstpointer  user_data)
{
  GtkWidget *button = display_find_actionable (GTK_WIDGET (fixture->page), "video.use-camera");
  g_assert_nonnull (button);
  g_autoptr (GDir) dev = g_dir_open ("/dev", 0, NULL);
  gboolean any = FALSE;
  const char *name;
  while (dev != NULL && (name = g_dir_read_name (dev)) != NULL)
    any |= g_str_has_prefix (name, "video");
  g_test_message ("cameras: %s", any ? "some" : "none");
  save_png (fixture, "video-empty.png");
  if (any)
    return;
  g_assert_false (gtk_widget_is_sensitive (button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "No camera was found");
}

/* `otter clip.webm`: the Video page opens it. */
static void
test_open_from_command_line (void)
{
  g_autoptr (GFile) file = g_file_new_for_path (clip_path);
  g_application_open (G_APPLICATION (app), &file, 1, "");
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (OTTER_IS_WINDOW (active));
  OtterVideoPage *page = OTTER_VIDEO_PAGE (otter_window_get_page (OTTER_WINDOW (active), "video"));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_cmpstr (otter_video_page_get_location (page), ==, clip_path);
  FrameWait wait = { &(Fixture) { OTTER_WINDOW (active), page }, 0 };
  g_assert_true (display_wait_until (shows_frame, &wait, 30));
  /* the start-up's dataset load finishes before the window goes: the
   * Model page does not outlive a load in flight */
  OtterSession *session = otter_window_get_session (OTTER_WINDOW (active));
  g_assert_true (display_wait_until ((gpointer) otter_session_get_dataset, session, 60));
  display_spin (0.5);
  gtk_window_destroy (active);
  g_assert_true (display_wait_until (no_workers, NULL, 30));
}

/* ---- export and extraction ------------------------------------------------ */

static gboolean
export_done (gpointer data)
{
  return !otter_video_page_get_exporting (data);
}

static GtkWidget *
row_for_action (OtterVideoPage *page,
                const char     *action)
{
  g_autoptr (GPtrArray) rows = display_find_all (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (rows->pdata[i]), action) == 0)
      return rows->pdata[i];
  g_assert_not_reached ();
}

/* The row that shows the export running, then how it ended. */
static GtkWidget *
row_for_export_progress (OtterVideoPage *page)
{
  GtkWidget *bar = display_find_widget (GTK_WIDGET (page), GTK_TYPE_PROGRESS_BAR);
  return gtk_widget_get_ancestor (bar, ADW_TYPE_ACTION_ROW);
}

static void
open_clip (Fixture *fixture)
{
  otter_video_page_open (fixture->page, clip_path);
  FrameWait wait = { fixture, 0 };
  g_assert_true (display_wait_until (shows_frame, &wait, 30));
}

/* Export Comparison is for an opened file; the export runs off the main
 * thread to a video of every frame; a cancelled one leaves nothing. */
static void
test_export (Fixture       *fixture,
             gconstpointer  user_data)
{
  GtkWidget *export_row = row_for_action (fixture->page, "video.export-comparison");
  g_assert_false (gtk_widget_is_sensitive (export_row));
  open_clip (fixture);
  g_assert_true (gtk_widget_is_sensitive (export_row));

  g_autofree char *out = g_build_filename (tmp_dir, "ball-compare.webm", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "video.export-comparison-to", "s", out);
  g_assert_true (otter_video_page_get_exporting (fixture->page));
  g_assert_false (gtk_widget_is_sensitive (export_row));
  g_assert_true (display_wait_until (export_done, fixture->page, 120));
  g_test_message ("%s", otter_video_page_get_export_message (fixture->page));
  g_assert_nonnull (strstr (otter_video_page_get_export_message (fixture->page), "Exported 30 frames"));
  g_assert_cmpuint (test_video_count_frames (out, NULL, NULL), ==, 30);
  g_assert_true (gtk_widget_is_sensitive (export_row));

  g_autofree char *dir = g_build_filename (tmp_dir, "cancelled", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_autofree char *never = g_build_filename (dir, "never.webm", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "video.export-comparison-to", "s", never);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "video.cancel-export", NULL);
  g_assert_true (display_wait_until (export_done, fixture->page, 60));
  g_assert_nonnull (strstr (otter_video_page_get_export_message (fixture->page), "cancelled"));
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (listing));
  g_rmdir (dir);
  g_unlink (out);

  /* a folder that cannot be written to: one line that says so */
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "video.export-comparison-to", "s", "/proc/otter/x.webm");
  g_assert_true (display_wait_until (export_done, fixture->page, 60));
  const char *message = otter_video_page_get_export_message (fixture->page);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "x.webm"));
  g_assert_null (strchr (message, '\n'));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (row_for_export_progress (fixture->page))));
}

static gboolean
shows_location (gpointer data)
{
  Fixture *fixture = data;
  const OtterVideoInfo *info = otter_video_player_get_info (otter_video_page_get_player (fixture->page));
  return info != NULL && info->has_audio && otter_video_page_get_frame_number (fixture->page) == 0;
}

/* The sound goes along unless the switch says otherwise; a clip without
 * any has the switch off limits. */
static void
test_export_sound (Fixture       *fixture,
                   gconstpointer  user_data)
{
  GtkWidget *keep_row = display_find_row (GTK_WIDGET (fixture->page), "Keep the _Sound");
  g_assert_nonnull (keep_row);
  GtkWidget *keep = display_find_widget (keep_row, GTK_TYPE_SWITCH);
  open_clip (fixture);
  g_assert_false (gtk_widget_is_sensitive (keep_row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (keep_row)), ==, "This video has no sound");

  g_autofree char *sound_clip = g_build_filename (tmp_dir, "sound.webm", NULL);
  g_autofree char *description = g_strdup_printf (
    "webmmux name=mux ! filesink location=%s "
    "videotestsrc num-buffers=10 pattern=ball ! video/x-raw,width=96,height=64,framerate=10/1 ! vp8enc deadline=1 "
    "! mux. audiotestsrc num-buffers=10 samplesperbuffer=4800 ! audio/x-raw,rate=48000 ! vorbisenc ! mux.",
    sound_clip);
  g_assert_true (test_video_encode (description));
  otter_video_page_open (fixture->page, sound_clip);
  g_assert_true (display_wait_until (shows_location, fixture, 30));
  g_assert_true (gtk_widget_is_sensitive (keep_row));
  save_png (fixture, "video-export-sound.png");

  g_autofree char *with = g_build_filename (tmp_dir, "with-sound.webm", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "video.export-comparison-to", "s", with);
  g_assert_true (display_wait_until (export_done, fixture->page, 120));
  g_test_message ("%s", otter_video_page_get_export_message (fixture->page));
  g_assert_nonnull (strstr (otter_video_page_get_export_message (fixture->page), "with their sound"));

  gtk_switch_set_active (GTK_SWITCH (keep), FALSE);
  g_autofree char *without = g_build_filename (tmp_dir, "without-sound.webm", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "video.export-comparison-to", "s", without);
  g_assert_true (display_wait_until (export_done, fixture->page, 120));
  g_test_message ("%s", otter_video_page_get_export_message (fixture->page));
  g_assert_null (strstr (otter_video_page_get_export_message (fixture->page), "with their sound"));
  g_assert_cmpuint (test_video_count_frames (without, NULL, NULL), ==, 10);
  g_unlink (with);
  g_unlink (without);
  g_unlink (sound_clip);
}

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
  OtterSession *session;
  OtterDataset *old;
} DatasetWait;

static gboolean
dataset_replaced (gpointer data)
{
  DatasetWait *wait = data;
  OtterDataset *dataset = otter_session_get_dataset (wait->session);
  return dataset != NULL && dataset != wait->old;
}

/* Every 10th frame with the model's labels, and the folder opens as a
 * dataset of those frames. */
static void
test_extract (Fixture       *fixture,
              gconstpointer  user_data)
{
  open_clip (fixture);
  g_autofree char *dir = g_build_filename (tmp_dir, "frames", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "video.extract-frames-to", "s", dir);
  g_assert_true (display_wait_until (export_done, fixture->page, 120));
  g_test_message ("%s", otter_video_page_get_export_message (fixture->page));
  g_assert_nonnull (strstr (otter_video_page_get_export_message (fixture->page), "Saved 3 frames"));
  const char *const names[] = { "images/frame_000000.png", "images/frame_000010.png", "images/frame_000020.png",
                                "labels/frame_000000.txt", "labels/frame_000020.txt", "data.yaml" };
  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autofree char *path = g_build_filename (dir, names[k], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  g_autofree char *skipped = g_build_filename (dir, "images", "frame_000001.png", NULL);
  g_assert_false (g_file_test (skipped, G_FILE_TEST_EXISTS));

  OtterSession *session = otter_window_get_session (fixture->window);
  DatasetWait wait = { session, otter_session_get_dataset (session) };
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "video.open-dataset", "s", dir);
  g_assert_true (display_wait_until (dataset_replaced, &wait, 60));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (otter_session_get_dataset (session))), ==, 3);
  remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  app = display_test_init (&argc, &argv);
  gst_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("otter-video-page-XXXXXX", NULL);
  clip_path = encode_clip ();

  g_test_add ("/otter/VideoPage/play-attack-step", Fixture, NULL, fixture_set_up, test_play_attack_step,
              fixture_tear_down);
  g_test_add ("/otter/VideoPage/drop-and-seek", Fixture, NULL, fixture_set_up, test_drop_and_seek,
              fixture_tear_down);
  g_test_add ("/otter/VideoPage/error", Fixture, NULL, fixture_set_up, test_error, fixture_tear_down);
  g_test_add ("/otter/VideoPage/no-model", Fixture, NULL, fixture_set_up, test_no_model, fixture_tear_down);
  g_test_add ("/otter/VideoPage/export-sound", Fixture, NULL, fixture_set_up, test_export_sound,
              fixture_tear_down);
  g_test_add ("/otter/VideoPage/camera-choice", Fixture, NULL, fixture_set_up, test_camera_choice,
              fixture_tear_down);
  g_test_add ("/otter/VideoPage/export", Fixture, NULL, fixture_set_up, test_export, fixture_tear_down);
  g_test_add ("/otter/VideoPage/extract", Fixture, NULL, fixture_set_up, test_extract, fixture_tear_down);
  g_test_add_func ("/otter/VideoPage/close-while-playing", test_close_while_playing);
  g_test_add_func ("/otter/VideoPage/open-from-command-line", test_open_from_command_line);
  int status = g_test_run ();

  g_autoptr (GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (tmp_dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (tmp_dir);
  g_free (clip_path);
  return status;
}
