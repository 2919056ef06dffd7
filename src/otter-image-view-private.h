/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-view-private.h: what the image view's files share */
#pragma once

#include "otter-image-view.h"

G_BEGIN_DECLS

typedef struct
{
  double x1, y1, x2, y2;
  int    class_id;
  char  *label;
  double score;
} Box;

struct _OtterImageView
{
  GtkWidget   parent_instance;

  GdkTexture *texture;
  /* the texture's size in image pixels (it may be stored upscaled) */
  int         image_width;
  int         image_height;

  GArray     *boxes;              /* of Box */

  GdkTexture *heatmap;
  int         heatmap_width;
  int         heatmap_height;
  double      heatmap_opacity;

  /* magnification over the fit, and the image point (fractions of its
   * size) asked to be in the middle */
  double      zoom;
  double      center_x;
  double      center_y;
  gboolean    zoomable;
  double      pointer_x;          /* where Ctrl+scroll zooms, -1 outside */
  double      pointer_y;
  double      drag_center_x;      /* the centre a drag or pinch began at */
  double      drag_center_y;
  double      gesture_zoom;
};

typedef enum
{
  PROP_0,
  PROP_ZOOM,
  PROP_CENTER_X,
  PROP_CENTER_Y,
  N_PROPS
} ImageViewProp;

/* otter-image-view.c */
void     otter_image_view_notify         (OtterImageView  *self,
                                          ImageViewProp    prop);
/* The image's size in box pixels; FALSE when there is none. */
gboolean otter_image_view_lookup_size    (OtterImageView  *self,
                                          int             *width,
                                          int             *height);

/* otter-image-view-zoom.c: zoom and pan */
/* Where the image lands in the widget at the current zoom and centre. */
gboolean otter_image_view_compute_rect   (OtterImageView  *self,
                                          graphene_rect_t *rect);
void     otter_image_view_store_center   (OtterImageView  *self,
                                          double           x,
                                          double           y);

G_END_DECLS
