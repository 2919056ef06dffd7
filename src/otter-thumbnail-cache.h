/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-thumbnail-cache.h: decodes sample images off the main thread and keeps small textures */
#pragma once

#include <gtk/gtk.h>

#include "otter-sample.h"

G_BEGIN_DECLS

/* At most this many decodes run at once, so browsing never starves training. */
#define OTTER_THUMBNAIL_MAX_DECODES 2

#define OTTER_TYPE_THUMBNAIL_CACHE (otter_thumbnail_cache_get_type ())
G_DECLARE_FINAL_TYPE (OtterThumbnailCache, otter_thumbnail_cache, OTTER, THUMBNAIL_CACHE, GObject)

typedef struct _OtterThumbnailRequest OtterThumbnailRequest;

/* Called on the main thread. texture is NULL when decoding failed (error
 * says why). full_width × full_height is the size of the whole image. */
typedef void (*OtterThumbnailReadyFunc) (GdkTexture   *texture,
                                         int           full_width,
                                         int           full_height,
                                         const GError *error,
                                         gpointer      user_data);

/* The cache shared by the thumbnails of all pages. */
OtterThumbnailCache   *otter_thumbnail_cache_get_default  (void);
OtterThumbnailCache   *otter_thumbnail_cache_new          (gsize                    max_bytes);

/* A texture at least size px on its longer side (or the whole image when
 * it is smaller), or NULL; sets full_width/height when found. */
GdkTexture            *otter_thumbnail_cache_lookup       (OtterThumbnailCache     *self,
                                                           OtterSample             *sample,
                                                           int                      size,
                                                           int                     *full_width,
                                                           int                     *full_height);
/* Queues a decode to fit size × size. The request belongs to the cache:
 * it is valid until func has run or until it is cancelled, whichever is
 * first. urgent requests (a detail view) go before queued thumbnails;
 * cache: whether to keep the result. */
OtterThumbnailRequest *otter_thumbnail_cache_request      (OtterThumbnailCache     *self,
                                                           OtterSample             *sample,
                                                           int                      size,
                                                           gboolean                 urgent,
                                                           gboolean                 cache,
                                                           OtterThumbnailReadyFunc  func,
                                                           gpointer                 user_data);
/* Drops a request whose result is no longer wanted (an item scrolled away
 * or rebound): func will not run. */
void                   otter_thumbnail_request_cancel     (OtterThumbnailRequest   *request);

void                   otter_thumbnail_cache_clear        (OtterThumbnailCache     *self);
guint                  otter_thumbnail_cache_get_n_cached (OtterThumbnailCache     *self);
gsize                  otter_thumbnail_cache_get_n_bytes  (OtterThumbnailCache     *self);
/* Queued plus running decodes. */
guint                  otter_thumbnail_cache_get_n_pending (OtterThumbnailCache    *self);

G_END_DECLS
