/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-page.h: the Video page: a clip or camera with the model's detections, clean and attacked */
#pragma once

#include <adwaita.h>

#include "otter-page.h"
#include "otter-video-player.h"

G_BEGIN_DECLS

#define OTTER_TYPE_VIDEO_PAGE (otter_video_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterVideoPage, otter_video_page, OTTER, VIDEO_PAGE, OtterPage)

/* Opens a file path, a file:// URI or "camera:N" in place of what plays. */
void              otter_video_page_open       (OtterVideoPage *self,
                                               const char     *location);
/* What is open, or NULL. */
const char       *otter_video_page_get_location (OtterVideoPage *self);
OtterVideoPlayer *otter_video_page_get_player (OtterVideoPage *self);
/* The number of the frame shown, or -1. */
gint64            otter_video_page_get_frame_number (OtterVideoPage *self);
/* An export or extraction runs; how the last one ended, or NULL. */
gboolean          otter_video_page_get_exporting (OtterVideoPage *self);
const char       *otter_video_page_get_export_message (OtterVideoPage *self);

G_END_DECLS
