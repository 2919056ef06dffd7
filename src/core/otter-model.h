/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-model.h: a detector as a GObject, for views and background work */
#pragma once

#include <gio/gio.h>

#include "otter-torch.h"

G_BEGIN_DECLS

#define OTTER_TYPE_MODEL (otter_model_get_type ())
G_DECLARE_FINAL_TYPE (OtterModel, otter_model, OTTER, MODEL, GObject)

/* A new built-in detector (blocks briefly: building the layers is cheap). */
OtterModel        *otter_model_new_builtin      (const char          *arch,
                                                 const char *const   *class_names,
                                                 int                  input_size,
                                                 guint64              seed,
                                                 GError             **error);
/* A new built-in detector built on a worker thread (a torchvision backbone
 * takes a while, its weights longer), with its backbone loaded from
 * backbone_weights (a torchvision-layout .pth) unless that is NULL. */
void               otter_model_new_builtin_async (const char         *arch,
                                                 const char *const   *class_names,
                                                 int                  input_size,
                                                 guint64              seed,
                                                 const char          *backbone_weights,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
OtterModel        *otter_model_new_builtin_finish (GAsyncResult      *result,
                                                 GError             **error);
/* Loads a model or checkpoint file on a worker thread. */
void               otter_model_load_async       (const char          *path,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
OtterModel        *otter_model_load_finish      (GAsyncResult        *result,
                                                 GError             **error);
OtterModel        *otter_model_load             (const char          *path,
                                                 GError             **error);

/* NULL for a model that was never saved */
const char        *otter_model_get_path         (OtterModel          *self);
const char        *otter_model_get_arch         (OtterModel          *self);
int                otter_model_get_input_size   (OtterModel          *self);
guint              otter_model_get_n_classes    (OtterModel          *self);
const char *const *otter_model_get_class_names  (OtterModel          *self);
gint64             otter_model_get_n_params     (OtterModel          *self);
const char        *otter_model_get_description  (OtterModel          *self);
/* The .pth the backbone was loaded from when this model was built, NULL
 * for a random start or a model read from a file (training from scratch
 * needs it again; a file already holds its weights). */
const char        *otter_model_get_backbone_weights (OtterModel      *self);
/* The file name the backbone's initial weights came from, as the model
 * records it (also for models read from a file), and its SHA-256 (hex);
 * NULL for both after a random start. */
const char        *otter_model_get_backbone_init (OtterModel         *self,
                                                 const char         **sha256);
/* The JSON metadata stored with the weights (history, metrics), or NULL */
const char        *otter_model_get_metadata     (OtterModel          *self);
/* "tiny-96" */
char              *otter_model_dup_label        (OtterModel          *self);

/* libtorch modules are not safe to run from two threads at once: workers
 * take the model for the duration of a computation and give it back. */
OtterTorchModel   *otter_model_lock             (OtterModel          *self);
void               otter_model_unlock           (OtterModel          *self);

G_END_DECLS
