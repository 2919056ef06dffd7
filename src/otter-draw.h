/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-draw.h: small drawing helpers shared by the custom widgets */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * OtterDrawTextFlags:
 * @OTTER_DRAW_TEXT_PLAIN: the widget's font as it is
 * @OTTER_DRAW_TEXT_TABULAR: tabular figures, so numbers in a column line up
 * @OTTER_DRAW_TEXT_BOLD: bold weight, for labels drawn over busy images
 *
 * Attributes added on top of the widget's font.
 */
typedef enum
{
  OTTER_DRAW_TEXT_PLAIN   = 0,
  OTTER_DRAW_TEXT_TABULAR = 1 << 0,
  OTTER_DRAW_TEXT_BOLD    = 1 << 1,
} OtterDrawTextFlags;

PangoLayout *otter_draw_create_layout   (GtkWidget          *widget,
                                         const char         *text,
                                         double              scale,
                                         OtterDrawTextFlags  flags);
void         otter_draw_get_text_size   (GtkWidget          *widget,
                                         const char         *text,
                                         double              scale,
                                         OtterDrawTextFlags  flags,
                                         int                *width,
                                         int                *height);
void         otter_draw_text            (GtkWidget          *widget,
                                         GtkSnapshot        *snapshot,
                                         const char         *text,
                                         double              x,
                                         double              y,
                                         double              ax,
                                         double              ay,
                                         double              scale,
                                         OtterDrawTextFlags  flags,
                                         const GdkRGBA      *color);

void         otter_draw_layout_at       (GtkSnapshot        *snapshot,
                                         PangoLayout        *layout,
                                         double              x,
                                         double              y,
                                         const GdkRGBA      *color);

void         otter_draw_get_foreground  (GtkWidget          *widget,
                                         GdkRGBA            *color);
gboolean     otter_draw_lookup_color    (GtkWidget          *widget,
                                         const char         *name,
                                         const GdkRGBA      *fallback,
                                         GdkRGBA            *color);
gboolean     otter_draw_is_dark         (GtkWidget          *widget);

void         otter_draw_fill_rounded    (GtkSnapshot          *snapshot,
                                         const GskRoundedRect *shape,
                                         const GdkRGBA        *color);
void         otter_draw_border          (GtkSnapshot          *snapshot,
                                         const GskRoundedRect *shape,
                                         float                 width,
                                         const GdkRGBA        *color);

void         otter_draw_box_outline     (GtkSnapshot           *snapshot,
                                         const graphene_rect_t *rect,
                                         float                  width,
                                         const GdkRGBA         *color);

GdkTexture  *otter_draw_texture_new_rgba (guint8            *pixels,
                                          int                width,
                                          int                height);

void         otter_draw_set_description (GtkWidget          *widget,
                                         const char         *description);

G_END_DECLS
