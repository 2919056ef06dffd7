/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-frame.c: decoded video frames, shared and saved */

#include "config.h"

#include <errno.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <unistd.h>

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
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, "%s: frames are saved as .png or .jpg", path);
      return FALSE;
    }
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_data (frame->pixels, GDK_COLORSPACE_RGB, FALSE, 8,
                                                          frame->width, frame->height, frame->stride, NULL, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *template = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *temp = g_build_filename (dir, template, NULL);
  int fd = g_mkstemp (temp);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: cannot write in %s: %s", path, dir, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  /* mkstemp's 0600 would make the saved frame private */
  g_chmod (temp, 0644);
  g_autoptr (GError) local = NULL;
  gboolean ok = g_str_equal (type, "png")
    ? gdk_pixbuf_save (pixbuf, temp, type, &local, NULL)
    : gdk_pixbuf_save (pixbuf, temp, type, &local, "quality", "92", NULL);
  if (ok && g_rename (temp, path) != 0)
    {
      int saved = errno;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", path, g_strerror (saved));
      g_unlink (temp);
      return FALSE;
    }
  if (!ok)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", path, local->message);
      g_unlink (temp);
    }
  return ok;
}
