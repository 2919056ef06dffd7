/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-application.h */
#pragma once

#include <adwaita.h>

#include "otter-trainer.h"

G_BEGIN_DECLS

#define OTTER_TYPE_APPLICATION (otter_application_get_type ())
G_DECLARE_FINAL_TYPE (OtterApplication, otter_application, OTTER, APPLICATION, AdwApplication)

OtterApplication *otter_application_new              (void);

/* Keeps the application, and the run, alive until the run ends, with no
 * window needed; with notify, a desktop notification then says how it
 * ended, and its action (app.show-run) opens a window on that run. */
void              otter_application_keep_run         (OtterApplication *self,
                                                      OtterTrainer     *trainer,
                                                      gboolean          notify);
guint             otter_application_get_n_kept_runs  (OtterApplication *self);

G_END_DECLS
