/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-export.h: a trained detector written for PyTorch */
#pragma once

#include <gio/gio.h>

#include "otter-model.h"

G_BEGIN_DECLS

/* The description that goes beside an exported state_dict: "model.pth" →
 * "model.json" (any other name gets ".json" appended). */
char     *otter_export_description_path (const char           *pth_path);
/* Writes the model's weights as a torch.save state_dict at pth_path and
 * its description (architecture, classes, input size, normalisation,
 * outputs) beside it. Either both are written or neither is left. */
gboolean  otter_export_write            (OtterTorchModel      *model,
                                         const char           *pth_path,
                                         GError              **error);
/* otter_export_write() on a worker thread, for the app. */
void      otter_export_write_async      (OtterModel           *model,
                                         const char           *pth_path,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean  otter_export_write_finish     (GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
