/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-frame.c: decoded video frames, shared and saved */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "otter-error.h"
#include "otter-video.h"

static void
frame_clear (OtterVideoFrame *frame)
{
  g_free (frame->pixels);
}

OtterVideoFrame *
otter_video_frame_new (int width,
                       int height)
{
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  OtterVideoFrame *frame = g_atomic_rc_box_new0 (OtterVideoFrame);
  frame->width = width;
  frame->height = height;
  frame->stride = width * 3;
  frame->pts = frame->duration = frame->number = -1;
  frame->pixels = g_malloc0 ((gsize) frame->stride * height);
  return frame;
}

OtterVideoFrame *
otter_video_frame_ref (OtterVideoFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);
  return g_atomic_rc_box_acquire (frame);
}

void
otter_video_frame_unref (OtterVideoFrame *frame)
{
  g_return_if_fail (frame != NULL);
  g_atomic_rc_box_release_full (frame, (GDestroyNotify) frame_clear);
}

gboolean
otter_video_frame_save (const OtterVideoFrame *frame,
                        const char            *path,
                        GError               **error)
{
  g_return_val_if_fail (frame != NULL && path != NULL, FALSE);

  g_autofree char *lower = g_ascii_strdown (path, -1);
  const char *type = g_str_has_suffix (lower, ".png") ? "png"
                     : g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg") ? "jpeg" : NULL;
  if (type == NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, _("%s: frames are saved as .png or .jpg"), path);
      return FALSE;
    }
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_data (frame->pixels, GDK_COLORSPACE_RGB, FALSE, 8,
                                                          frame->width, frame->height, frame->stride, NULL, NULL);
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr (GError) local = NULL;
  gboolean encoded = g_str_equal (type, "png")
    ? gdk_pixbuf_save_to_buffer (pixbuf, &data, &length, type, &local, NULL)
    : gdk_pixbuf_save_to_buffer (pixbuf, &data, &length, type, &local, "quality", "92", NULL);
  /* g_file_set_contents() writes beside `path` and renames over it */
  if (!encoded || !g_file_set_contents (path, data, (gssize) length, &local))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}
