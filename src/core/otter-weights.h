/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-weights.h: ImageNet backbone weights in torch.hub's cache */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where the weights of Otter's pretrained backbones come from unless the
 * environment variable OTTER_WEIGHTS_BASE_URL says otherwise. */
#define OTTER_WEIGHTS_DEFAULT_BASE_URL "https://download.pytorch.org/models"

/* One weights file: what a name resolved to. */
typedef struct
{
  char *name;                   /* "resnet18", or the file's NAME part */
  char *file;                   /* "resnet18-f37072fd.pth" */
  char *hash;                   /* "f37072fd": the SHA-256 must start with it */
  char *url;                    /* where it is downloaded from */
  char *path;                   /* where it is kept, in the cache directory */
} OtterWeightsSource;

/* Bytes written so far and the size announced by the server (-1 when
 * the server announced none). */
typedef void (*OtterWeightsProgressFunc) (goffset  done,
                                          goffset  total,
                                          gpointer user_data);

/* The torchvision names Otter knows ("resnet18", ...), NULL-terminated. */
char              **otter_weights_dup_known_names (void);
/* torch.hub's checkpoint directory. */
char               *otter_weights_dup_cache_dir  (void);
OtterWeightsSource *otter_weights_resolve        (const char                *name,
                                                  GError                   **error);
void                otter_weights_source_free    (OtterWeightsSource        *source);
/* The cached file, or NULL; never downloads. */
char               *otter_weights_find           (const char                *name,
                                                  GError                   **error);
/* The cached file, downloaded first when it is not there yet. Blocks:
 * call it from a worker thread, or use otter_weights_fetch_async(). */
char               *otter_weights_fetch          (const char                *name,
                                                  GCancellable              *cancellable,
                                                  OtterWeightsProgressFunc   progress,
                                                  gpointer                   progress_data,
                                                  GError                   **error);
void                otter_weights_fetch_async    (const char                *name,
                                                  GCancellable              *cancellable,
                                                  OtterWeightsProgressFunc   progress,
                                                  gpointer                   progress_data,
                                                  GDestroyNotify             progress_data_free,
                                                  GAsyncReadyCallback        callback,
                                                  gpointer                   user_data);
char               *otter_weights_fetch_finish   (GAsyncResult              *result,
                                                  GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterWeightsSource, otter_weights_source_free)

G_END_DECLS
