/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-demo.h: the generated demo dataset (coloured shapes on textures) */
#pragma once

#include <glib.h>

#include "otter-image.h"
#include "otter-sample.h"

G_BEGIN_DECLS

/* NULL-terminated class names of the demo dataset */
const char *const *otter_demo_class_names (void);

/* Renders image `index` of the demo set `seed` at size × size pixels.
 * Deterministic: the same seed and index always give the same pixels and
 * boxes. Boxes (OtterBox) are appended to `boxes`. */
OtterImage        *otter_demo_render      (guint64  seed,
                                           guint    index,
                                           int      size,
                                           GArray  *boxes);

/* The boxes of image `index` without rendering its pixels: appends exactly
 * the OtterBox values otter_demo_render() gives for the same arguments. */
void               otter_demo_layout      (guint64  seed,
                                           guint    index,
                                           int      size,
                                           GArray  *boxes);

G_END_DECLS
