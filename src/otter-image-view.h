/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-view.h: an image with labelled boxes and an optional heat-map overlay */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A box to draw, in the image's pixel coordinates. */
typedef struct
{
  double      x1, y1, x2, y2;
  int         class_id;          /* picks the colour */
  const char *label;             /* copied; may be NULL */
  double      score;             /* drawn after the label when ≥ 0 */
} OtterViewBox;

#define OTTER_TYPE_IMAGE_VIEW (otter_image_view_get_type ())
G_DECLARE_FINAL_TYPE (OtterImageView, otter_image_view, OTTER, IMAGE_VIEW, GtkWidget)

GtkWidget *otter_image_view_new          (void);
/* The image, scaled to fit the widget keeping its aspect ratio. */
void       otter_image_view_set_texture  (OtterImageView     *self,
                                          GdkTexture         *texture);
GdkTexture *otter_image_view_get_texture (OtterImageView     *self);
/* RGB float CHW in [0, 1] (a model input) as the image. */
void       otter_image_view_set_chw      (OtterImageView     *self,
                                          const float        *chw,
                                          int                 size);
/* Only the part x0 ≤ x < x1, y0 ≤ y < y1 of it (rect = { x0, y0, x1, y1 }):
 * a letterboxed input without its padding. */
void       otter_image_view_set_chw_region (OtterImageView   *self,
                                          const float        *chw,
                                          int                 size,
                                          const int           rect[4]);
void       otter_image_view_set_boxes    (OtterImageView     *self,
                                          const OtterViewBox *boxes,
                                          guint               n_boxes);
guint      otter_image_view_get_n_boxes  (OtterImageView     *self);
/* Box i as set (its label borrowed). */
void       otter_image_view_get_box      (OtterImageView     *self,
                                          guint               i,
                                          OtterViewBox       *box);
/* A width × height grid of values in [0, 1] stretched over the image with
 * a perceptual colour map; NULL clears it. */
void       otter_image_view_set_heatmap  (OtterImageView     *self,
                                          const float        *values,
                                          int                 width,
                                          int                 height);
void       otter_image_view_set_heatmap_opacity (OtterImageView *self,
                                                 double          opacity);

/* The most a view magnifies its fitted image. */
#define OTTER_IMAGE_VIEW_MAX_ZOOM 16.0

/* Zoom 1 fits the image in the widget; above it the image is magnified
 * about its point (center-x, center-y), as fractions of its width and
 * height, which stays in the middle of the widget as far as the image's
 * edges allow. Views that should zoom and pan together bind the three
 * properties "zoom", "center-x" and "center-y". */
void       otter_image_view_set_zoom     (OtterImageView     *self,
                                          double              zoom);
double     otter_image_view_get_zoom     (OtterImageView     *self);
void       otter_image_view_set_center   (OtterImageView     *self,
                                          double              x,
                                          double              y);
/* Zooms keeping the image point under widget point (x, y) in place. */
void       otter_image_view_zoom_at      (OtterImageView     *self,
                                          double              zoom,
                                          double              x,
                                          double              y);
/* Whether Ctrl+scroll and pinch zoom the view, and dragging or scrolling
 * pans it while zoomed (off by default). */
void       otter_image_view_set_zoomable (OtterImageView     *self,
                                          gboolean            zoomable);
/* Where the whole image is drawn, in widget coordinates (it reaches past
 * the widget's edges when zoomed); boxes are drawn through the same
 * rectangle. FALSE when there is nothing to draw. */
gboolean   otter_image_view_get_image_rect (OtterImageView   *self,
                                          graphene_rect_t    *rect);
/* The size of the image in the pixels boxes are given in. */
void       otter_image_view_get_image_size (OtterImageView   *self,
                                          int                *width,
                                          int                *height);

G_END_DECLS
