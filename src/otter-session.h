/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-session.h: what the window is working on (dataset, model, training run) */
#pragma once

#include <gio/gio.h>

#include "otter-dataset.h"
#include "otter-model.h"
#include "otter-trainer.h"

G_BEGIN_DECLS

#define OTTER_TYPE_SESSION (otter_session_get_type ())
G_DECLARE_FINAL_TYPE (OtterSession, otter_session, OTTER, SESSION, GObject)

OtterSession *otter_session_new                (void);

/* Loads on a worker thread; "dataset" changes when it is ready, and a
 * failure is reported through the "error" signal (the old dataset stays). */
void          otter_session_open_dataset       (OtterSession  *self,
                                                const char    *path);
OtterDataset *otter_session_get_dataset        (OtterSession  *self);
gboolean      otter_session_get_busy           (OtterSession  *self);

void          otter_session_open_model         (OtterSession  *self,
                                                const char    *path);
/* A fresh built-in model for the current dataset's classes. */
gboolean      otter_session_create_model       (OtterSession  *self,
                                                const char    *arch,
                                                int            input_size,
                                                GError       **error);
void          otter_session_set_model          (OtterSession  *self,
                                                OtterModel    *model);
OtterModel   *otter_session_get_model          (OtterSession  *self);

/* The run shown in the header and on the training page (may be NULL). */
void          otter_session_set_trainer        (OtterSession  *self,
                                                OtterTrainer  *trainer);
OtterTrainer *otter_session_get_trainer        (OtterSession  *self);

/* "raccoon · tiny-320" */
const char   *otter_session_get_title          (OtterSession  *self);

G_END_DECLS
