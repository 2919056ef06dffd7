/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-class-banner.h: says when the model's classes are not the dataset's */
#pragma once

#include <adwaita.h>

#include "otter-session.h"

G_BEGIN_DECLS

#define OTTER_TYPE_CLASS_BANNER (otter_class_banner_get_type ())
G_DECLARE_FINAL_TYPE (OtterClassBanner, otter_class_banner, OTTER, CLASS_BANNER, AdwBin)

void          otter_class_banner_set_session (OtterClassBanner *self,
                                              OtterSession     *session);
OtterSession *otter_class_banner_get_session (OtterClassBanner *self);

/* The sentence on show, or NULL while the classes agree (hidden). */
const char   *otter_class_banner_get_text    (OtterClassBanner *self);

/* "The model knows 3 classes, this dataset has 80", or NULL when the
 * model can run on the dataset as it is (a folder without boxes takes any
 * model). */
char         *otter_describe_class_mismatch  (OtterModel       *model,
                                              OtterDataset     *dataset);

G_END_DECLS
