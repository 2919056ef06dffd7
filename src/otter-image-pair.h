/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-pair.h: two views of one image, side by side or stacked, whichever shows it larger */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OTTER_TYPE_IMAGE_PAIR (otter_image_pair_get_type ())
G_DECLARE_FINAL_TYPE (OtterImagePair, otter_image_pair, OTTER, IMAGE_PAIR, GtkWidget)

GtkWidget *otter_image_pair_new              (void);
void       otter_image_pair_set_start_child  (OtterImagePair *self,
                                              GtkWidget      *child);
GtkWidget *otter_image_pair_get_start_child  (OtterImagePair *self);
void       otter_image_pair_set_end_child    (OtterImagePair *self,
                                              GtkWidget      *child);
GtkWidget *otter_image_pair_get_end_child    (OtterImagePair *self);
/* Width over height of the image both children show (0: unknown, side
 * by side). */
void       otter_image_pair_set_aspect_ratio (OtterImagePair *self,
                                              double          aspect_ratio);
/* Whether the last allocation put the end child under the start child. */
gboolean   otter_image_pair_get_stacked      (OtterImagePair *self);

G_END_DECLS
