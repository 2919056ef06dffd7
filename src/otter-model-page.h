/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-model-page.h: the Model page */
#pragma once

#include <adwaita.h>

#include "otter-page.h"

G_BEGIN_DECLS

#define OTTER_TYPE_MODEL_PAGE (otter_model_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterModelPage, otter_model_page, OTTER, MODEL_PAGE, OtterPage)

/* For tests and the window: "create", "error" or "model" */
const char   *otter_model_page_get_state   (OtterModelPage *self);
const char   *otter_model_page_get_error   (OtterModelPage *self);

G_END_DECLS
