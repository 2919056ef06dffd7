/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-thumbnail-cache.c: decodes sample images off the main thread and keeps small textures */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "otter-image.h"
#include "otter-thumbnail-cache.h"

#define DEFAULT_MAX_BYTES (48 * 1024 * 1024)

struct _OtterThumbnailRequest
{
  OtterThumbnailCache    *cache;      /* unowned: the cache outlives its requests */
  OtterSample            *sample;
  int                     size;
  gboolean                store;
  gboolean                running;
  gboolean                cancelled;
  GCancellable           *cancellable;
  OtterThumbnailReadyFunc func;
  gpointer                user_data;
};

/* What a worker gets: a copy of its input, never the request itself. */
typedef struct
{
  OtterSample *sample;
  int          size;
  GdkTexture  *texture;
  int          full_width, full_height;
} Job;

typedef struct
{
  OtterSample *sample;
  GdkTexture  *texture;
  int          size;
  int          full_width, full_height;
  gsize        n_bytes;
  GList        link;                  /* in lru, most recent at the head */
} Entry;

struct _OtterThumbnailCache
{
  GObject     parent_instance;
  GHashTable *entries;                /* OtterSample* → Entry* */
  GQueue      lru;
  gsize       n_bytes;
  gsize       max_bytes;
  GQueue      queue;                  /* OtterThumbnailRequest*, waiting */
  guint       n_running;
};

G_DEFINE_FINAL_TYPE (OtterThumbnailCache, otter_thumbnail_cache, G_TYPE_OBJECT)

static void
entry_free (gpointer data)
{
  Entry *entry = data;
  g_clear_object (&entry->sample);
  g_clear_object (&entry->texture);
  g_free (entry);
}

static void
job_free (gpointer data)
{
  Job *job = data;
  g_clear_object (&job->sample);
  g_clear_object (&job->texture);
  g_free (job);
}

static void
request_free (OtterThumbnailRequest *request)
{
  g_clear_object (&request->sample);
  g_clear_object (&request->cancellable);
  g_free (request);
}

static void
otter_thumbnail_cache_finalize (GObject *object)
{
  OtterThumbnailCache *self = OTTER_THUMBNAIL_CACHE (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) request_free);
  /* the links live inside the entries: forget them, do not free them */
  g_queue_init (&self->lru);
  g_hash_table_unref (self->entries);
  G_OBJECT_CLASS (otter_thumbnail_cache_parent_class)->finalize (object);
}

static void
otter_thumbnail_cache_class_init (OtterThumbnailCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = otter_thumbnail_cache_finalize;
}

static void
otter_thumbnail_cache_init (OtterThumbnailCache *self)
{
  self->entries = g_hash_table_new_full (NULL, NULL, NULL, entry_free);
  self->max_bytes = DEFAULT_MAX_BYTES;
}

OtterThumbnailCache *
otter_thumbnail_cache_new (gsize max_bytes)
{
  OtterThumbnailCache *self = g_object_new (OTTER_TYPE_THUMBNAIL_CACHE, NULL);
  self->max_bytes = max_bytes > 0 ? max_bytes : DEFAULT_MAX_BYTES;
  return self;
}

OtterThumbnailCache *
otter_thumbnail_cache_get_default (void)
{
  static OtterThumbnailCache *cache;

  if (cache == NULL)
    cache = otter_thumbnail_cache_new (DEFAULT_MAX_BYTES);
  return cache;
}

static void
remove_entry (OtterThumbnailCache *self,
              Entry               *entry)
{
  g_queue_unlink (&self->lru, &entry->link);
  self->n_bytes -= entry->n_bytes;
  g_hash_table_remove (self->entries, entry->sample);
}

static void
store (OtterThumbnailCache *self,
       Job                 *job)
{
  Entry *entry = g_hash_table_lookup (self->entries, job->sample);

  if (entry != NULL)
    {
      if (entry->size >= job->size)
        return;
      remove_entry (self, entry);
    }
  entry = g_new0 (Entry, 1);
  entry->sample = g_object_ref (job->sample);
  entry->texture = g_object_ref (job->texture);
  entry->size = job->size;
  entry->full_width = job->full_width;
  entry->full_height = job->full_height;
  entry->n_bytes = (gsize) gdk_texture_get_width (job->texture) * gdk_texture_get_height (job->texture) * 3 + sizeof *entry;
  entry->link.data = entry;
  g_hash_table_insert (self->entries, entry->sample, entry);
  g_queue_push_head_link (&self->lru, &entry->link);
  self->n_bytes += entry->n_bytes;

  while (self->n_bytes > self->max_bytes && self->lru.length > 1)
    remove_entry (self, g_queue_peek_tail (&self->lru));
}

GdkTexture *
otter_thumbnail_cache_lookup (OtterThumbnailCache *self,
                              OtterSample         *sample,
                              int                  size,
                              int                 *full_width,
                              int                 *full_height)
{
  g_return_val_if_fail (OTTER_IS_THUMBNAIL_CACHE (self), NULL);
  g_return_val_if_fail (OTTER_IS_SAMPLE (sample), NULL);

  Entry *entry = g_hash_table_lookup (self->entries, sample);
  if (entry == NULL)
    return NULL;
  /* an image smaller than the size asked for is whole at any size */
  if (entry->size < size && MAX (entry->full_width, entry->full_height) > entry->size)
    return NULL;
  g_queue_unlink (&self->lru, &entry->link);
  g_queue_push_head_link (&self->lru, &entry->link);
  if (full_width)
    *full_width = entry->full_width;
  if (full_height)
    *full_height = entry->full_height;
  return entry->texture;
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  int full[3] = { 0, 0, 1 };

  if (g_task_return_error_if_cancelled (task))
    return;

  g_autoptr (OtterImage) image = otter_image_load_sample_to_fit (job->sample, job->size, full, &error);
  if (image == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->full_width = full[0];
  job->full_height = full[1];

  g_autoptr (GdkPixbuf) pixbuf =
    gdk_pixbuf_new_from_data (image->pixels, GDK_COLORSPACE_RGB, FALSE, 8,
                              image->width, image->height, image->width * 3, NULL, NULL);
  g_autoptr (GdkPixbuf) scaled = NULL;
  double scale = (double) job->size / MAX (image->width, image->height);
  if (scale < 1)
    {
      int width = MAX (1, (int) (image->width * scale + 0.5));
      int height = MAX (1, (int) (image->height * scale + 0.5));
      scaled = gdk_pixbuf_scale_simple (pixbuf, width, height, GDK_INTERP_BILINEAR);
    }
  else
    scaled = gdk_pixbuf_copy (pixbuf);  /* image->pixels dies with this function */

  g_autoptr (GBytes) bytes = gdk_pixbuf_read_pixel_bytes (scaled);
  job->texture = gdk_memory_texture_new (gdk_pixbuf_get_width (scaled), gdk_pixbuf_get_height (scaled),
                                         GDK_MEMORY_R8G8B8, bytes, gdk_pixbuf_get_rowstride (scaled));
  g_task_return_boolean (task, TRUE);
}

static void pump (OtterThumbnailCache *self);

static void
decode_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  OtterThumbnailCache *self = OTTER_THUMBNAIL_CACHE (source);
  OtterThumbnailRequest *request = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  self->n_running--;
  if (g_task_propagate_boolean (G_TASK (result), &error) && request->store)
    store (self, job);
  /* a superseded request is dropped here: its widget has moved on */
  if (!request->cancelled && request->func != NULL)
    request->func (job->texture, job->full_width, job->full_height, error, request->user_data);
  request_free (request);
  pump (self);
  g_object_unref (self);
}

static void
pump (OtterThumbnailCache *self)
{
  while (self->n_running < OTTER_THUMBNAIL_MAX_DECODES && self->queue.length > 0)
    {
      OtterThumbnailRequest *request = g_queue_pop_head (&self->queue);
      Job *job = g_new0 (Job, 1);

      job->sample = g_object_ref (request->sample);
      job->size = request->size;
      request->running = TRUE;
      self->n_running++;

      g_autoptr (GTask) task = g_task_new (self, request->cancellable, decode_done_cb, request);
      g_object_ref (self);
      g_task_set_source_tag (task, pump);
      g_task_set_task_data (task, job, job_free);
      g_task_set_return_on_cancel (task, FALSE);
      g_task_run_in_thread (task, decode_thread);
    }
}

OtterThumbnailRequest *
otter_thumbnail_cache_request (OtterThumbnailCache     *self,
                               OtterSample             *sample,
                               int                      size,
                               gboolean                 urgent,
                               gboolean                 cache,
                               OtterThumbnailReadyFunc  func,
                               gpointer                 user_data)
{
  g_return_val_if_fail (OTTER_IS_THUMBNAIL_CACHE (self), NULL);
  g_return_val_if_fail (OTTER_IS_SAMPLE (sample), NULL);
  g_return_val_if_fail (size > 0, NULL);

  OtterThumbnailRequest *request = g_new0 (OtterThumbnailRequest, 1);
  request->cache = self;
  request->sample = g_object_ref (sample);
  request->size = size;
  request->store = cache;
  request->cancellable = g_cancellable_new ();
  request->func = func;
  request->user_data = user_data;
  if (urgent)
    g_queue_push_head (&self->queue, request);
  else
    g_queue_push_tail (&self->queue, request);
  pump (self);
  return request;
}

void
otter_thumbnail_request_cancel (OtterThumbnailRequest *request)
{
  g_return_if_fail (request != NULL);

  if (request->running)
    {
      /* the worker finishes (or stops early); decode_done_cb frees it */
      request->cancelled = TRUE;
      g_cancellable_cancel (request->cancellable);
      return;
    }
  g_queue_remove (&request->cache->queue, request);
  request_free (request);
}

void
otter_thumbnail_cache_clear (OtterThumbnailCache *self)
{
  g_return_if_fail (OTTER_IS_THUMBNAIL_CACHE (self));
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->entries);
  self->n_bytes = 0;
}

guint
otter_thumbnail_cache_get_n_cached (OtterThumbnailCache *self)
{
  g_return_val_if_fail (OTTER_IS_THUMBNAIL_CACHE (self), 0);
  return g_hash_table_size (self->entries);
}

gsize
otter_thumbnail_cache_get_n_bytes (OtterThumbnailCache *self)
{
  g_return_val_if_fail (OTTER_IS_THUMBNAIL_CACHE (self), 0);
  return self->n_bytes;
}

guint
otter_thumbnail_cache_get_n_pending (OtterThumbnailCache *self)
{
  g_return_val_if_fail (OTTER_IS_THUMBNAIL_CACHE (self), 0);
  return self->queue.length + self->n_running;
}
