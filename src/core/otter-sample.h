/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-sample.h: one image of a dataset and its ground-truth boxes */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A ground-truth box in original image pixels (x1, y1 inclusive corner,
 * x2, y2 exclusive corner, so width = x2 - x1). */
typedef struct
{
  double   x1, y1, x2, y2;
  int      class_id;
  gboolean crowd;              /* COCO iscrowd: ignored by matching, never trained on */
} OtterBox;

#define OTTER_TYPE_SAMPLE (otter_sample_get_type ())
G_DECLARE_FINAL_TYPE (OtterSample, otter_sample, OTTER, SAMPLE, GObject)

/* A sample read from disk. width/height may be 0 when the annotations do
 * not say; they are then filled in when the image is first decoded. */
OtterSample    *otter_sample_new                (const char     *image_path,
                                                 const char     *annotation_path,
                                                 int             width,
                                                 int             height);
/* A sample of the generated demo dataset: pixels come from otter_demo_render(). */
OtterSample    *otter_sample_new_generated      (guint64         seed,
                                                 guint           index,
                                                 int             size);

const char     *otter_sample_get_image_path     (OtterSample    *self);
const char     *otter_sample_get_annotation_path (OtterSample   *self);
/* A short name for lists and error messages (file name or "demo #12"). */
const char     *otter_sample_get_display_name   (OtterSample    *self);
gboolean        otter_sample_is_generated       (OtterSample    *self);
guint64         otter_sample_get_generator_seed (OtterSample    *self);
guint           otter_sample_get_generator_index (OtterSample   *self);

int             otter_sample_get_width          (OtterSample    *self);
int             otter_sample_get_height         (OtterSample    *self);
void            otter_sample_set_size           (OtterSample    *self,
                                                 int             width,
                                                 int             height);

void            otter_sample_add_box            (OtterSample    *self,
                                                 const OtterBox *box);
guint           otter_sample_get_n_boxes        (OtterSample    *self);
const OtterBox *otter_sample_get_box            (OtterSample    *self,
                                                 guint           i);

G_END_DECLS
