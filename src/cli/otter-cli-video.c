/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-video.c: otter-cli video: detections on a video, clean and
 * attacked, exported side by side, and frames saved as a dataset */

#include "config.h"

#include <glib-unix.h>
#include <math.h>

#include "otter-cli-common.h"
#include "otter-video-export.h"

typedef struct
{
  GCancellable     *cancellable;
  gint64            started;
  gint64            duration;
  volatile gboolean interrupted;
} VideoCli;

static gboolean
on_signal (gpointer data)
{
  ((VideoCli *) data)->interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
on_progress (const OtterVideoExportStats *stats,
             const OtterVideoFrame       *frame,
             gpointer                     data)
{
  VideoCli *cli = data;

  /* the signal sources need a turn of the default context */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (cli->interrupted)
    g_cancellable_cancel (cli->cancellable);
  double fraction = cli->duration > 0 && frame->pts >= 0 ? (double) frame->pts / cli->duration : 0;
  otter_cli_progress (FALSE, fraction, _("frame %llu  %.1f frames/s"), (unsigned long long) stats->n_read,
                      stats->n_read / MAX ((g_get_monotonic_time () - cli->started) / 1e6, 1e-3));
}

int
otter_cli_video (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *input = NULL, *out = NULL, *frames_out = NULL;
  g_autofree char *attack_name = NULL, *epsilon_text = NULL;
  double score_threshold = 0.3, start = 0, end = OTTER_CLI_UNSET_DOUBLE;
  int every = 1, threads = OTTER_CLI_UNSET_INT, max_frames = 0;
  gboolean json = FALSE, labels = FALSE, no_audio = FALSE;
  int exit_code = OTTER_CLI_EXIT_OK;

  GOptionEntry entries[] = {
    { "model", 'M', 0, G_OPTION_ARG_FILENAME, &model_path, N_("Model file (needed for detections and --labels)"), "FILE" },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, N_("A video file, or camera:N"), "VIDEO" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Write the frames with their detections (clean | attacked side by side with --attack): .webm, .mkv, .avi or .mp4"), "FILE" },
    { "no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio, N_("Leave the input's sound out of --out (kept by default)"), NULL },
    { "attack", 'a', 0, G_OPTION_ARG_STRING, &attack_name, N_("none (default), ot, fgsm or pgd"), "ATTACK" },
    { "epsilon", 0, 0, G_OPTION_ARG_STRING, &epsilon_text, N_("L∞ budget ε of the attack [8/255]"), "EPS" },
    { "score-threshold", 's', 0, G_OPTION_ARG_DOUBLE, &score_threshold, N_("Lowest score drawn and counted [0.3]"), "S" },
    { "frames-out", 'f', 0, G_OPTION_ARG_FILENAME, &frames_out, N_("Save frames as PNG images in DIR, a dataset Otter opens"), "DIR" },
    { "every", 'n', 0, G_OPTION_ARG_INT, &every, N_("Save every N-th frame [1]"), "N" },
    { "labels", 0, 0, G_OPTION_ARG_NONE, &labels, N_("With --frames-out: the model's detections as YOLO labels"), NULL },
    { "start", 0, 0, G_OPTION_ARG_DOUBLE, &start, N_("Start at this many seconds [0]"), "S" },
    { "end", 0, 0, G_OPTION_ARG_DOUBLE, &end, N_("Stop at this many seconds [the end]"), "S" },
    { "max-frames", 0, 0, G_OPTION_ARG_INT, &max_frames, N_("Stop after N frames (a camera needs it)"), "N" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("libtorch threads [all cores]"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a summary as JSON on stdout"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("- detect objects in a video, clean and attacked"));
  g_option_context_set_summary (context, N_(
    "Decodes a video (any format GStreamer plays) or a camera frame by frame, runs\n"
    "the model on each frame and, with --attack, on its attacked twin (FGSM and PGD\n"
    "attack the model's own clean detections, as footage has no labels). --out\n"
    "writes the frames with their detections drawn; --frames-out saves frames as a\n"
    "dataset. Nothing is left under --out's name when it fails or is interrupted."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!otter_cli_parse_flags_only (context, &argc, &argv, &exit_code))
    return exit_code;
  if (input == NULL)
    return otter_cli_usage_fail (_("video needs --input VIDEO (or camera:N)"));
  if (out == NULL && frames_out == NULL && model_path == NULL)
    return otter_cli_usage_fail (_("video needs --out FILE, --frames-out DIR or --model FILE to do something"));
  if (labels && (frames_out == NULL || model_path == NULL))
    return otter_cli_usage_fail (_("--labels needs --frames-out DIR and --model FILE"));
  if (every < 1)
    return otter_cli_usage_fail (_("--every must be 1 or more"));
  if (!(score_threshold >= 0 && score_threshold <= 1))
    return otter_cli_usage_fail (_("--score-threshold must be between 0 and 1"));
  if (!otter_cli_check_double ("start", start, 0, FALSE, 1e9, &exit_code))
    return exit_code;
  if (end != OTTER_CLI_UNSET_DOUBLE && !(isfinite (end) && end > start))
    return otter_cli_usage_fail (_("--end must come after --start (%g s)"), start);
  if (end == OTTER_CLI_UNSET_DOUBLE)
    end = -1;   /* the export's "to the end" */
  if (max_frames < 0)
    return otter_cli_usage_fail (_("--max-frames must be 0 (no limit) or more"));

  OtterVideoExportOptions options;
  otter_video_export_options_init (&options);
  options.score_threshold = (float) score_threshold;
  options.every = (guint) every;
  options.start = start;
  options.end = end;
  options.max_frames = (guint64) max_frames;
  options.compare_path = out;
  options.keep_audio = !no_audio;
  options.frames_dir = frames_out;
  options.labels = labels;
  OtterAttackKind kind = OTTER_ATTACK_NONE;
  if (attack_name != NULL && (!otter_attack_kind_from_string (attack_name, &kind) || kind == OTTER_ATTACK_PGD50))
    return otter_cli_usage_fail (_("--attack must be none, ot, fgsm or pgd, not “%s”"), attack_name);
  if (kind != OTTER_ATTACK_NONE && model_path == NULL)
    return otter_cli_usage_fail (_("--attack needs --model FILE"));
  otter_torch_attack_params_init (&options.attack, kind);
  if (epsilon_text != NULL && !otter_cli_parse_epsilon (epsilon_text, &options.attack.epsilon))
    return otter_cli_usage_fail (_("--epsilon: “%s” is not a budget such as 8/255 or 0.03"), epsilon_text);

  g_autoptr (GError) error = NULL;
  gboolean camera = g_str_has_prefix (input, "camera:");
  if (camera && max_frames == 0 && end < 0)
    return otter_cli_usage_fail (_("a camera does not end: give --max-frames N or --end S"));

  if (!otter_cli_setup_threads (threads, &exit_code))
    return exit_code;
  g_autoptr (OtterModel) model = NULL;
  if (model_path != NULL)
    {
      model = otter_model_load (model_path, &error);
      if (model == NULL)
        return otter_cli_fail ("%s", error->message);
      options.model = model;
    }

  /* a camera does not wait for a slow model: the frames it missed are counted */
  g_autoptr (OtterVideoSource) source = otter_video_source_new (input, camera ? OTTER_VIDEO_REAL_TIME
                                                                               : OTTER_VIDEO_READ_ALL, &error);
  if (source == NULL || !otter_video_source_open (source, NULL, &error))
    return otter_cli_fail ("%s", error->message);
  const OtterVideoInfo *info = otter_video_source_get_info (source);

  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  VideoCli cli = { .cancellable = cancellable, .started = g_get_monotonic_time (), .duration = info->duration };
  OtterVideoExportStats stats;
  guint sigint = g_unix_signal_add (SIGINT, on_signal, &cli);
  guint sigterm = g_unix_signal_add (SIGTERM, on_signal, &cli);
  gboolean ok = otter_video_export (source, &options, on_progress, &cli, cancellable, &stats, &error);
  otter_cli_progress_end ();
  g_source_remove (sigint);
  g_source_remove (sigterm);
  double seconds = (g_get_monotonic_time () - cli.started) / 1e6;

  if (!ok && cli.interrupted && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* A gettext msgid cannot contain G_GUINT64_FORMAT; no clip has 2⁶³ frames. */
    return otter_cli_fail (_("interrupted after %lld frames; %s was not written"), (long long) stats.n_read,
                           out ? out : _("nothing"));
  if (!ok)
    return otter_cli_fail ("%s", error->message);

  double mean_clean = stats.n_detected ? stats.clean_sum / stats.n_detected : NAN;
  double mean_attacked = stats.n_detected && kind != OTTER_ATTACK_NONE ? stats.attacked_sum / stats.n_detected : NAN;
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
      json_builder_add_int_value (b, (gint64) stats.n_read);
      json_builder_set_member_name (b, "frames_written");
      json_builder_add_int_value (b, (gint64) stats.n_written);
      json_builder_set_member_name (b, "audio");
      json_builder_add_boolean_value (b, stats.with_audio);
      json_builder_set_member_name (b, "frames_saved");
      json_builder_add_int_value (b, (gint64) stats.n_saved);
      /* every frame is read here; only a real-time reader drops any */
      json_builder_set_member_name (b, "frames_dropped");
      json_builder_add_int_value (b, (gint64) otter_video_source_get_n_dropped (source));
      json_builder_set_member_name (b, "mean_fps");
      json_builder_add_double_value (b, stats.n_read / MAX (seconds, 1e-6));
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
      g_print (ngettext ("%llu frame read in %.1f s (%.1f frames/s)\n", "%llu frames read in %.1f s (%.1f frames/s)\n",
                         (gulong) stats.n_read),
               (unsigned long long) stats.n_read, seconds,
               stats.n_read / MAX (seconds, 1e-6));
      if (isfinite (mean_clean))
        {
          if (isfinite (mean_attacked))
            g_print (_("detections per frame: %.2f clean, %.2f under %s\n"), mean_clean, mean_attacked,
                     otter_attack_kind_to_string (kind));
          else
            g_print (_("detections per frame: %.2f clean\n"), mean_clean);
        }
      else if (isfinite (mean_attacked))
        /* Translators: follows a clean count that could not be measured */
        g_print (_(", %.2f under %s\n"), mean_attacked, otter_attack_kind_to_string (kind));
      if (out != NULL)
        g_print (stats.with_audio
                 ? ngettext ("wrote %s (%llu frame, with sound)\n", "wrote %s (%llu frames, with sound)\n",
                             (gulong) stats.n_written)
                 : ngettext ("wrote %s (%llu frame)\n", "wrote %s (%llu frames)\n", (gulong) stats.n_written),
                 out, (unsigned long long) stats.n_written);
      if (frames_out != NULL)
        g_print (ngettext ("saved %llu frame in %s\n", "saved %llu frames in %s\n", (gulong) stats.n_saved),
                 (unsigned long long) stats.n_saved, frames_out);
    }
  return OTTER_CLI_EXIT_OK;
}
