/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-caption.h: one line of text, shortened in the middle, for the items of a long grid */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OTTER_TYPE_CAPTION (otter_caption_get_type ())
G_DECLARE_FINAL_TYPE (OtterCaption, otter_caption, OTTER, CAPTION, GtkWidget)

GtkWidget  *otter_caption_new            (const char   *text);
const char *otter_caption_get_text       (OtterCaption *self);
void        otter_caption_set_text       (OtterCaption *self,
                                          const char   *text);
/* At most this many average characters wide (18 unless set). */
int         otter_caption_get_width_chars (OtterCaption *self);
void        otter_caption_set_width_chars (OtterCaption *self,
                                           int           width_chars);

G_END_DECLS
