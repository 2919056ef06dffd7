/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-video.c: otter-cli video: detections on a video, clean and
 * attacked, exported side by side, and frames saved as a dataset */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "otter-cli-common.h"
#include "otter-cli-render.h"
#include "otter-video-detect.h"

typedef struct
{
  OtterTorchModel       *model;        /* NULL: frames only */
  OtterTorchAttackParams attack;
  float                  score_threshold;
  OtterVideoWriter      *writer;       /* --out */
  char                  *frames_dir;   /* --frames-out: where the images go */
  char                  *labels_dir;   /* with --labels */
  int                    every;
  guint64                n_read, n_saved;
  double                 clean_sum, attacked_sum;
  guint64                n_detected;   /* frames the model ran on */
  volatile gboolean      interrupted;
} VideoCli;

static gboolean
on_signal (gpointer data)
{
  ((VideoCli *) data)->interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

/* One output frame: the clean frame with its detections, and with an
 * attack the attacked frame with its own beside it. */
static GdkPixbuf *
compose (VideoCli                   *cli,
         const OtterVideoFrame      *frame,
         const OtterVideoDetections *found)
{
  gboolean twin = found != NULL && found->attacked_frame != NULL;
  GdkPixbuf *out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, frame->width * (twin ? 2 : 1), frame->height);
  const OtterVideoFrame *halves[2] = { frame, twin ? found->attacked_frame : NULL };
  const char *const *names = cli->model ? otter_torch_model_get_class_names (cli->model) : NULL;

  for (int k = 0; k < (twin ? 2 : 1); k++)
    {
      g_autoptr (GdkPixbuf) half = gdk_pixbuf_new_from_data (halves[k]->pixels, GDK_COLORSPACE_RGB, FALSE, 8,
                                                            frame->width, frame->height, halves[k]->stride,
                                                            NULL, NULL);
      g_autoptr (GdkPixbuf) copy = gdk_pixbuf_copy (half);
      GArray *boxes = found == NULL ? NULL : k == 0 ? found->clean : found->attacked;
      if (boxes != NULL)
        otter_cli_draw_detections (copy, (const OtterTorchDetection *) boxes->data, boxes->len, 1.0, names);
      gdk_pixbuf_copy_area (copy, 0, 0, frame->width, frame->height, out, k * frame->width, 0);
    }
  return out;
}

/* The frame's model detections as YOLO lines: class cx cy w h, normalised. */
static gboolean
write_labels (const char            *path,
              const OtterVideoFrame *frame,
              GArray                *boxes,
              GError               **error)
{
  GString *text = g_string_new (NULL);
  for (guint k = 0; boxes != NULL && k < boxes->len; k++)
    {
      const OtterTorchDetection *d = &g_array_index (boxes, OtterTorchDetection, k);
      g_string_append_printf (text, "%d %.6f %.6f %.6f %.6f\n", d->class_id,
                              (d->x1 + d->x2) / 2 / frame->width, (d->y1 + d->y2) / 2 / frame->height,
                              (d->x2 - d->x1) / frame->width, (d->y2 - d->y1) / frame->height);
    }
  gboolean ok = g_file_set_contents (path, text->str, (gssize) text->len, error);
  g_string_free (text, TRUE);
  return ok;
}

static gboolean
write_data_yaml (const char         *root,
                 const char *const  *names,
                 GError            **error)
{
  g_autofree char *path = g_build_filename (root, "data.yaml", NULL);
  GString *text = g_string_new ("# frames of a video, labelled by a model's detections\n"
                                "path: .\ntrain: images\nnames:\n");
  for (guint i = 0; names[i] != NULL; i++)
    g_string_append_printf (text, "  %u: %s\n", i, names[i]);
  gboolean ok = g_file_set_contents (path, text->str, (gssize) text->len, error);
  g_string_free (text, TRUE);
  return ok;
}

static gboolean
handle_frame (VideoCli              *cli,
              const OtterVideoFrame *frame,
              GError               **error)
{
  g_autoptr (OtterVideoDetections) found = NULL;
  if (cli->model != NULL)
    {
      found = otter_video_detect_frame (cli->model, frame, &cli->attack, cli->score_threshold,
                                        (guint64) MAX (frame->number, 0) + 1, error);
      if (found == NULL)
        return FALSE;
      cli->n_detected++;
      cli->clean_sum += found->clean->len;
      if (found->attacked != NULL)
        cli->attacked_sum += found->attacked->len;
    }

  if (cli->frames_dir != NULL && cli->n_read % (guint64) cli->every == 0)
    {
      gint64 number = frame->number >= 0 ? frame->number : (gint64) cli->n_read;
      g_autofree char *name = g_strdup_printf ("frame_%06" G_GINT64_FORMAT ".png", number);
      g_autofree char *path = g_build_filename (cli->frames_dir, name, NULL);
      if (!otter_video_frame_save (frame, path, error))
        return FALSE;
      if (cli->labels_dir != NULL)
        {
          g_autofree char *label_name = g_strdup_printf ("frame_%06" G_GINT64_FORMAT ".txt", number);
          g_autofree char *label_path = g_build_filename (cli->labels_dir, label_name, NULL);
          if (!write_labels (label_path, frame, found ? found->clean : NULL, error))
            return FALSE;
        }
      cli->n_saved++;
    }

  if (cli->writer != NULL)
    {
      g_autoptr (GdkPixbuf) out = compose (cli, frame, found);
      if (!otter_video_writer_push (cli->writer, gdk_pixbuf_read_pixels (out), gdk_pixbuf_get_rowstride (out), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
make_dir (const char *path,
          GError    **error)
{
  if (g_mkdir_with_parents (path, 0777) == 0)
    return TRUE;
  int saved = errno;
  g_autofree char *display = g_filename_display_name (path);
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot create %s: %s", display,
               g_strerror (saved));
  return FALSE;
}

int
otter_cli_video (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *input = NULL, *out = NULL, *frames_out = NULL;
  g_autofree char *attack_name = NULL, *epsilon_text = NULL;
  double score_threshold = 0.3, start = 0, end = -1;
  int every = 1, threads = 0, max_frames = 0;
  gboolean json = FALSE, labels = FALSE;
  int exit_code = OTTER_CLI_EXIT_OK;

  GOptionEntry entries[] = {
    { "model", 'M', 0, G_OPTION_ARG_FILENAME, &model_path, "Model file (needed for detections and --labels)", "FILE" },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "A video file, or camera:N", "VIDEO" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the frames with their detections (clean | attacked side by side with --attack): .webm, .mkv, .avi or .mp4", "FILE" },
    { "attack", 'a', 0, G_OPTION_ARG_STRING, &attack_name, "none (default), ot, fgsm or pgd", "ATTACK" },
    { "epsilon", 0, 0, G_OPTION_ARG_STRING, &epsilon_text, "L∞ budget ε of the attack [8/255]", "EPS" },
    { "score-threshold", 's', 0, G_OPTION_ARG_DOUBLE, &score_threshold, "Lowest score drawn and counted [0.3]", "S" },
    { "frames-out", 'f', 0, G_OPTION_ARG_FILENAME, &frames_out, "Save frames as PNG images in DIR, a dataset Otter opens", "DIR" },
    { "every", 'n', 0, G_OPTION_ARG_INT, &every, "Save every N-th frame [1]", "N" },
    { "labels", 0, 0, G_OPTION_ARG_NONE, &labels, "With --frames-out: the model's detections as YOLO labels", NULL },
    { "start", 0, 0, G_OPTION_ARG_DOUBLE, &start, "Start at this many seconds [0]", "S" },
    { "end", 0, 0, G_OPTION_ARG_DOUBLE, &end, "Stop at this many seconds [the end]", "S" },
    { "max-frames", 0, 0, G_OPTION_ARG_INT, &max_frames, "Stop after N frames (a camera needs it)", "N" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, "libtorch threads [all cores]", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a summary as JSON on stdout", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- detect objects in a video, clean and attacked");
  g_option_context_set_summary (context,
    "Decodes a video (any format GStreamer plays) or a camera frame by frame, runs\n"
    "the model on each frame and, with --attack, on its attacked twin (FGSM and PGD\n"
    "attack the model's own clean detections, as footage has no labels). --out\n"
    "writes the frames with their detections drawn; --frames-out saves frames as a\n"
    "dataset. Nothing is left under --out's name when it fails or is interrupted.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!otter_cli_parse (context, &argc, &argv, &exit_code))
    return exit_code;
  if (input == NULL)
    return otter_cli_fail ("video needs --input VIDEO (or camera:N)");
  if (out == NULL && frames_out == NULL && model_path == NULL)
    return otter_cli_fail ("video needs --out FILE, --frames-out DIR or --model FILE to do something");
  if (labels && (frames_out == NULL || model_path == NULL))
    return otter_cli_fail ("--labels needs --frames-out DIR and --model FILE");
  if (every < 1)
    return otter_cli_fail ("--every must be 1 or more");
  if (!(score_threshold >= 0 && score_threshold <= 1))
    return otter_cli_fail ("--score-threshold must be between 0 and 1");
  if (!(start >= 0) || (end >= 0 && end <= start))
    return otter_cli_fail ("--start must be 0 or more and --end after it");
  if (max_frames < 0)
    return otter_cli_fail ("--max-frames must be 0 (no limit) or more");

  VideoCli cli = { .score_threshold = (float) score_threshold, .every = every };
  OtterAttackKind kind = OTTER_ATTACK_NONE;
  if (attack_name != NULL && (!otter_attack_kind_from_string (attack_name, &kind) || kind == OTTER_ATTACK_PGD50))
    return otter_cli_fail ("--attack must be none, ot, fgsm or pgd, not “%s”", attack_name);
  if (kind != OTTER_ATTACK_NONE && model_path == NULL)
    return otter_cli_fail ("--attack needs --model FILE");
  otter_torch_attack_params_init (&cli.attack, kind);
  if (epsilon_text != NULL && !otter_cli_parse_epsilon (epsilon_text, &cli.attack.epsilon))
    return otter_cli_fail ("--epsilon: “%s” is not a budget such as 8/255 or 0.03", epsilon_text);

  g_autoptr (GError) error = NULL;
  gboolean camera = g_str_has_prefix (input, "camera:");
  if (camera && max_frames == 0 && end < 0)
    return otter_cli_fail ("a camera does not end: give --max-frames N or --end S");

  otter_cli_setup_threads (threads);
  g_autoptr (OtterTorchModel) model = NULL;
  if (model_path != NULL)
    {
      model = otter_torch_model_load (model_path, &error);
      if (model == NULL)
        return otter_cli_fail ("%s", error->message);
      cli.model = model;
    }

  g_autoptr (OtterVideoSource) source = otter_video_source_new (input, OTTER_VIDEO_READ_ALL, &error);
  if (source == NULL || !otter_video_source_open (source, NULL, &error))
    return otter_cli_fail ("%s", error->message);
  const OtterVideoInfo *info = otter_video_source_get_info (source);
  if (start > 0 && !otter_video_source_seek (source, (gint64) (start * 1e9), &error))
    return otter_cli_fail ("%s", error->message);

  g_autofree char *images_dir = NULL;
  if (frames_out != NULL)
    {
      /* with labels, the YOLO layout: images/ and labels/ beside data.yaml */
      images_dir = labels ? g_build_filename (frames_out, "images", NULL) : g_strdup (frames_out);
      if (!make_dir (images_dir, &error))
        return otter_cli_fail ("%s", error->message);
      cli.frames_dir = images_dir;
      if (labels)
        {
          cli.labels_dir = g_build_filename (frames_out, "labels", NULL);
          if (!make_dir (cli.labels_dir, &error) ||
              !write_data_yaml (frames_out, otter_torch_model_get_class_names (model), &error))
            return otter_cli_fail ("%s", error->message);
        }
    }
  if (out != NULL)
    {
      gboolean twin = kind != OTTER_ATTACK_NONE;
      int fps_n = info->fps_n > 0 ? info->fps_n : 25, fps_d = info->fps_n > 0 ? info->fps_d : 1;
      cli.writer = otter_video_writer_new (out, info->width * (twin ? 2 : 1), info->height, fps_n, fps_d, &error);
      if (cli.writer == NULL)
        return otter_cli_fail ("%s", error->message);
    }

  guint sigint = g_unix_signal_add (SIGINT, on_signal, &cli);
  guint sigterm = g_unix_signal_add (SIGTERM, on_signal, &cli);
  gint64 started = g_get_monotonic_time ();
  gint64 end_ns = end >= 0 ? (gint64) (end * 1e9) : -1;
  gboolean failed = FALSE;
  for (;;)
    {
      /* the signal sources need a turn of the default context */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (cli.interrupted || (max_frames > 0 && cli.n_read >= (guint64) max_frames))
        break;
      g_autoptr (OtterVideoFrame) frame = otter_video_source_read_frame (source, -1, NULL, &error);
      if (frame == NULL)
        {
          failed = error != NULL;
          break;
        }
      if (end_ns >= 0 && frame->pts >= end_ns)
        break;
      if (!handle_frame (&cli, frame, &error))
        {
          failed = TRUE;
          break;
        }
      cli.n_read++;
      double fraction = info->duration > 0 && frame->pts >= 0 ? (double) frame->pts / info->duration : 0;
      otter_cli_progress (FALSE, fraction, "frame %" G_GUINT64_FORMAT "  %.1f frames/s", cli.n_read,
                          cli.n_read / MAX ((g_get_monotonic_time () - started) / 1e6, 1e-3));
    }
  otter_cli_progress_end ();
  g_source_remove (sigint);
  g_source_remove (sigterm);
  double seconds = (g_get_monotonic_time () - started) / 1e6;

  guint64 written = cli.writer ? otter_video_writer_get_n_frames (cli.writer) : 0;
  if (cli.writer != NULL)
    {
      if (failed || cli.interrupted)
        otter_video_writer_abort (g_steal_pointer (&cli.writer));
      else if (!otter_video_writer_finish (g_steal_pointer (&cli.writer), &error))
        failed = TRUE;
    }
  g_free (cli.labels_dir);
  if (failed)
    return otter_cli_fail ("%s", error->message);
  if (cli.interrupted)
    return otter_cli_fail ("interrupted after %" G_GUINT64_FORMAT " frames; %s was not written", cli.n_read,
                           out ? out : "nothing");

  double mean_clean = cli.n_detected ? cli.clean_sum / cli.n_detected : NAN;
  double mean_attacked = cli.n_detected && kind != OTTER_ATTACK_NONE ? cli.attacked_sum / cli.n_detected : NAN;
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "input");
      json_builder_add_string_value (b, input);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, info->width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, info->height);
      json_builder_set_member_name (b, "frames_read");
      json_builder_add_int_value (b, (gint64) cli.n_read);
      json_builder_set_member_name (b, "frames_written");
      json_builder_add_int_value (b, (gint64) written);
      json_builder_set_member_name (b, "frames_saved");
      json_builder_add_int_value (b, (gint64) cli.n_saved);
      /* every frame is read here; only a real-time reader drops any */
      json_builder_set_member_name (b, "frames_dropped");
      json_builder_add_int_value (b, (gint64) otter_video_source_get_n_dropped (source));
      json_builder_set_member_name (b, "mean_fps");
      json_builder_add_double_value (b, cli.n_read / MAX (seconds, 1e-6));
      json_builder_set_member_name (b, "attack");
      json_builder_add_string_value (b, otter_attack_kind_to_string (kind));
      json_builder_set_member_name (b, "mean_detections_clean");
      if (isfinite (mean_clean))
        json_builder_add_double_value (b, mean_clean);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "mean_detections_attacked");
      if (isfinite (mean_attacked))
        json_builder_add_double_value (b, mean_attacked);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      otter_cli_print_json (root);
    }
  else
    {
      g_print ("%" G_GUINT64_FORMAT " frames read in %.1f s (%.1f frames/s)\n", cli.n_read, seconds,
               cli.n_read / MAX (seconds, 1e-6));
      if (isfinite (mean_clean))
        g_print ("detections per frame: %.2f clean%s", mean_clean, isfinite (mean_attacked) ? "" : "\n");
      if (isfinite (mean_attacked))
        g_print (", %.2f under %s\n", mean_attacked, otter_attack_kind_to_string (kind));
      if (out != NULL)
        g_print ("wrote %s (%" G_GUINT64_FORMAT " frames)\n", out, written);
      if (frames_out != NULL)
        g_print ("saved %" G_GUINT64_FORMAT " frames in %s\n", cli.n_saved, frames_out);
    }
  return OTTER_CLI_EXIT_OK;
}
