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
void          otter_session_open_dataset_with_flags (OtterSession         *self,
                                                     const char           *path,
                                                     OtterDatasetLoadFlags flags);
OtterDataset *otter_session_get_dataset        (OtterSession  *self);
gboolean      otter_session_get_busy           (OtterSession  *self);

void          otter_session_open_model         (OtterSession  *self,
                                                const char    *path);
/* A fresh built-in model for the current dataset's classes (blocks: for
 * the tiny default model at start-up and for tests). */
gboolean      otter_session_create_model       (OtterSession  *self,
                                                const char    *arch,
                                                int            input_size,
                                                GError       **error);
/* The same built on a worker thread, with the backbone loaded from
 * backbone_weights unless that is NULL; "model" changes when it is ready.
 * A later open, create or dataset change supersedes it (the result is then
 * G_IO_ERROR_CANCELLED and the model stays). */
void          otter_session_create_model_async (OtterSession        *self,
                                                const char          *arch,
                                                int                  input_size,
                                                const char          *backbone_weights,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean      otter_session_create_model_finish (OtterSession       *self,
                                                GAsyncResult        *result,
                                                GError             **error);
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
