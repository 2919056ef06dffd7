/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-export.c: a clip's frames through the model, written out as
 * a clean | attacked video and as a dataset of frames */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>

#include "otter-draw-pixbuf.h"
#include "otter-error.h"
#include "otter-video-export.h"

void
otter_video_export_options_init (OtterVideoExportOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (OtterVideoExportOptions) { .score_threshold = 0.3f, .every = 1, .end = -1, .keep_audio = TRUE };
  otter_torch_attack_params_init (&options->attack, OTTER_ATTACK_NONE);
}

GdkPixbuf *
otter_video_compose_comparison (const OtterVideoFrame      *frame,
                                const OtterVideoDetections *found,
                                const char *const          *class_names)
{
  g_return_val_if_fail (frame != NULL, NULL);

  gboolean twin = found != NULL && found->attacked_frame != NULL;
  GdkPixbuf *out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, frame->width * (twin ? 2 : 1), frame->height);
  const OtterVideoFrame *halves[2] = { frame, twin ? found->attacked_frame : NULL };

  for (int k = 0; k < (twin ? 2 : 1); k++)
    {
      /* the frame's pixels stay as they are: the boxes go on a copy */
      g_autoptr (GdkPixbuf) half = gdk_pixbuf_new_from_data (halves[k]->pixels, GDK_COLORSPACE_RGB, FALSE, 8,
                                                            frame->width, frame->height, halves[k]->stride,
                                                            NULL, NULL);
      g_autoptr (GdkPixbuf) copy = gdk_pixbuf_copy (half);
      GArray *boxes = found == NULL ? NULL : k == 0 ? found->clean : found->attacked;
      if (boxes != NULL)
        otter_draw_detections (copy, (const OtterTorchDetection *) (gpointer) boxes->data, boxes->len, 1.0,
                               class_names);
      gdk_pixbuf_copy_area (copy, 0, 0, frame->width, frame->height, out, k * frame->width, 0);
    }
  return out;
}

/* The frame's detections as YOLO lines: class cx cy w h, normalised. */
static gboolean
write_labels (const char            *path,
              const OtterVideoFrame *frame,
              GArray                *boxes,
              GError               **error)
{
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint k = 0; boxes != NULL && k < boxes->len; k++)
    {
      const OtterTorchDetection *d = &g_array_index (boxes, OtterTorchDetection, k);
      g_string_append_printf (text, "%d %.6f %.6f %.6f %.6f\n", d->class_id,
                              (d->x1 + d->x2) / 2 / frame->width, (d->y1 + d->y2) / 2 / frame->height,
                              (d->x2 - d->x1) / frame->width, (d->y2 - d->y1) / frame->height);
    }
  return g_file_set_contents (path, text->str, (gssize) text->len, error);
}

static gboolean
write_data_yaml (const char         *root,
                 const char *const  *names,
                 GError            **error)
{
  g_autofree char *path = g_build_filename (root, "data.yaml", NULL);
  g_autoptr (GString) text = g_string_new ("# frames of a video, labelled by a model's detections\n"
                                           "path: .\ntrain: images\nnames:\n");
  for (guint i = 0; names[i] != NULL; i++)
    g_string_append_printf (text, "  %u: %s\n", i, names[i]);
  return g_file_set_contents (path, text->str, (gssize) text->len, error);
}

static gboolean
make_dir (const char *path,
          GError    **error)
{
  if (g_mkdir_with_parents (path, 0777) == 0)
    return TRUE;
  int saved = errno;
  g_autofree char *display = g_filename_display_name (path);
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("cannot create %s: %s"), display,
               g_strerror (saved));
  return FALSE;
}

typedef struct
{
  const OtterVideoExportOptions *options;
  OtterVideoExportStats         *stats;
  OtterVideoSource              *source;
  OtterVideoWriter              *writer;
  char                          *images_dir;
  char                          *labels_dir;
} Export;

/* The comparison's writer, opened on the first frame so that its sound
 * starts where that frame does. */
static gboolean
open_writer (Export                *ex,
             const OtterVideoFrame *first,
             GError               **error)
{
  const OtterVideoExportOptions *opt = ex->options;
  const OtterVideoInfo *info = otter_video_source_get_info (ex->source);
  gboolean twin = opt->model != NULL && opt->attack.kind != OTTER_ATTACK_NONE;
  int fps_n = info->fps_n > 0 ? info->fps_n : 25, fps_d = info->fps_n > 0 ? info->fps_d : 1;
  const char *audio_uri = opt->keep_audio && info->has_audio ? otter_video_source_get_uri (ex->source) : NULL;

  ex->writer = otter_video_writer_new_with_audio (opt->compare_path, info->width * (twin ? 2 : 1), info->height,
                                                  fps_n, fps_d, audio_uri, MAX (first->pts, 0), error);
  if (ex->writer == NULL)
    return FALSE;
  ex->stats->with_audio = otter_video_writer_has_audio (ex->writer);
  return TRUE;
}

static gboolean
handle_frame (Export                *ex,
              const OtterVideoFrame *frame,
              GError               **error)
{
  const OtterVideoExportOptions *opt = ex->options;
  OtterVideoExportStats *stats = ex->stats;
  g_autoptr (OtterVideoDetections) found = NULL;

  if (opt->compare_path != NULL && ex->writer == NULL && !open_writer (ex, frame, error))
    return FALSE;

  if (opt->model != NULL)
    {
      OtterTorchModel *torch = otter_model_lock (opt->model);
      /* the seed follows the frame, so an export repeats itself */
      found = otter_video_detect_frame (torch, frame, &opt->attack, opt->score_threshold,
                                        (guint64) MAX (frame->number, 0) + 1, error);
      otter_model_unlock (opt->model);
      if (found == NULL)
        return FALSE;
      stats->n_detected++;
      stats->clean_sum += found->clean->len;
      if (found->attacked != NULL)
        stats->attacked_sum += found->attacked->len;
    }

  if (ex->images_dir != NULL && stats->n_read % MAX (opt->every, 1) == 0)
    {
      gint64 number = frame->number >= 0 ? frame->number : (gint64) stats->n_read;
      g_autofree char *name = g_strdup_printf ("frame_%06" G_GINT64_FORMAT ".png", number);
      g_autofree char *path = g_build_filename (ex->images_dir, name, NULL);
      if (!otter_video_frame_save (frame, path, error))
        return FALSE;
      if (ex->labels_dir != NULL)
        {
          g_autofree char *label_name = g_strdup_printf ("frame_%06" G_GINT64_FORMAT ".txt", number);
          g_autofree char *label_path = g_build_filename (ex->labels_dir, label_name, NULL);
          if (!write_labels (label_path, frame, found ? found->clean : NULL, error))
            return FALSE;
        }
      stats->n_saved++;
    }

  if (ex->writer != NULL)
    {
      const char *const *names = opt->model ? otter_model_get_class_names (opt->model) : NULL;
      g_autoptr (GdkPixbuf) out = otter_video_compose_comparison (frame, found, names);
      if (!otter_video_writer_push (ex->writer, gdk_pixbuf_read_pixels (out), gdk_pixbuf_get_rowstride (out), error))
        return FALSE;
      stats->n_written = otter_video_writer_get_n_frames (ex->writer);
    }
  return TRUE;
}

/* How many frames the range holds, from the clip's duration and rate. */
static guint64
expected_frames (const OtterVideoInfo          *info,
                 const OtterVideoExportOptions *opt)
{
  if (info->duration <= 0 || info->fps_n <= 0 || info->fps_d <= 0)
    return opt->max_frames;
  double end = info->duration / 1e9;
  if (opt->end > 0)
    end = MIN (end, opt->end);
  double n = ceil ((end - MAX (opt->start, 0)) * info->fps_n / info->fps_d - 1e-6);
  guint64 expected = n > 0 ? (guint64) n : 0;
  return opt->max_frames > 0 ? MIN (expected, opt->max_frames) : expected;
}

/* Directories and data.yaml, before the first frame; the video's path
 * is checked, as its writer waits for the first frame. */
static gboolean
prepare (Export  *ex,
         GError **error)
{
  const OtterVideoExportOptions *opt = ex->options;

  if (opt->compare_path != NULL && !otter_video_writer_check_path (opt->compare_path, error))
    return FALSE;

  if (opt->frames_dir != NULL)
    {
      ex->images_dir = opt->labels ? g_build_filename (opt->frames_dir, "images", NULL) : g_strdup (opt->frames_dir);
      if (!make_dir (ex->images_dir, error))
        return FALSE;
      if (opt->labels)
        {
          ex->labels_dir = g_build_filename (opt->frames_dir, "labels", NULL);
          if (!make_dir (ex->labels_dir, error) ||
              !write_data_yaml (opt->frames_dir, otter_model_get_class_names (opt->model), error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
otter_video_export (OtterVideoSource              *source,
                    const OtterVideoExportOptions *options,
                    OtterVideoExportProgress       progress,
                    gpointer                       user_data,
                    GCancellable                  *cancellable,
                    OtterVideoExportStats         *stats,
                    GError                       **error)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_SOURCE (source), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (!options->labels || (options->model != NULL && options->frames_dir != NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  OtterVideoExportStats own_stats;
  Export ex = { .options = options, .stats = stats ? stats : &own_stats, .source = source };
  const OtterVideoInfo *info = otter_video_source_get_info (source);
  g_autoptr (GError) local_error = NULL;
  gboolean ok = FALSE;

  *ex.stats = (OtterVideoExportStats) { .n_expected = expected_frames (info, options) };
  if (options->start > 0 && !otter_video_source_seek (source, (gint64) (options->start * 1e9), &local_error))
    goto out;
  if (!prepare (&ex, &local_error))
    goto out;

  gint64 end_ns = options->end > 0 ? (gint64) (options->end * 1e9) : -1;
  while (options->max_frames == 0 || ex.stats->n_read < options->max_frames)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        goto out;
      g_autoptr (OtterVideoFrame) frame = otter_video_source_read_frame (source, -1, cancellable, &local_error);
      if (frame == NULL)
        {
          if (local_error != NULL)
            goto out;
          break;
        }
      if (end_ns >= 0 && frame->pts >= end_ns)
        break;
      if (!handle_frame (&ex, frame, &local_error))
        goto out;
      ex.stats->n_read++;
      if (progress != NULL)
        progress (ex.stats, frame, user_data);
    }

  /* a cancel during the last frame still counts: the caller asked for nothing */
  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    goto out;
  if (options->compare_path != NULL && ex.writer == NULL)
    {
      g_set_error (&local_error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, _("%s: no frames to write"),
                   options->compare_path);
      goto out;
    }
  if (ex.writer != NULL)
    {
      ex.stats->n_written = otter_video_writer_get_n_frames (ex.writer);
      if (!otter_video_writer_finish (g_steal_pointer (&ex.writer), &local_error))
        goto out;
    }
  ok = TRUE;

out:
  if (ex.writer != NULL)
    otter_video_writer_abort (g_steal_pointer (&ex.writer));
  g_free (ex.images_dir);
  g_free (ex.labels_dir);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}
