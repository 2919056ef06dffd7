/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-thumbnail.h: a sample's image with its ground-truth boxes, decoded off the main thread */
#pragma once

#include <gtk/gtk.h>

#include "otter-sample.h"

G_BEGIN_DECLS

#define OTTER_THUMBNAIL_DEFAULT_SIZE 160

#define OTTER_TYPE_THUMBNAIL (otter_thumbnail_get_type ())
G_DECLARE_FINAL_TYPE (OtterThumbnail, otter_thumbnail, OTTER, THUMBNAIL, GtkWidget)

GtkWidget   *otter_thumbnail_new             (void);
OtterSample *otter_thumbnail_get_sample      (OtterThumbnail     *self);
void         otter_thumbnail_set_sample      (OtterThumbnail     *self,
                                              OtterSample        *sample);
/* Side of the square thumbnail in px; 0 fills the allocation and decodes
 * a large image (a detail view). */
int          otter_thumbnail_get_size        (OtterThumbnail     *self);
void         otter_thumbnail_set_size        (OtterThumbnail     *self,
                                              int                 size);
/* Class names for box labels (drawn only when set); NULL-terminated. */
void         otter_thumbnail_set_class_names (OtterThumbnail     *self,
                                              const char *const  *class_names);
gboolean     otter_thumbnail_get_loaded      (OtterThumbnail     *self);

/* The colour of a class, shared with OtterImageView. */
void         otter_class_color               (GtkWidget          *widget,
                                              int                 class_id,
                                              GdkRGBA            *color);

G_END_DECLS
