/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-training-page.h: the Training page */
#pragma once

#include <adwaita.h>

#include "otter-session.h"

G_BEGIN_DECLS

#define OTTER_TYPE_TRAINING_PAGE (otter_training_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterTrainingPage, otter_training_page, OTTER, TRAINING_PAGE, AdwBin)

OtterSession *otter_training_page_get_session (OtterTrainingPage *self);
void          otter_training_page_set_session (OtterTrainingPage *self,
                                            OtterSession *session);

G_END_DECLS
