/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-batch-loader.c: a thread that prepares the batches of an epoch ahead
 *
 * One producer thread walks the epoch's order and builds batches (the
 * images of a batch decoded on a small pool) into a queue of at most
 * `prefetch` items; the consumer takes them with otter_batch_loader_next().
 * A generation number, bumped by every start_epoch, lets both sides drop
 * work of an abandoned epoch.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "otter-batch-private.h"
#include "otter-error.h"
#include "otter-shuffle.h"

/* What the producer hands over: a batch, an error, or (neither) the end
 * of the epoch. */
typedef struct
{
  OtterBatch *batch;
  GError     *error;
} Item;

struct _OtterBatchLoader
{
  /* A snapshot of the dataset's samples, taken in the constructor: the
   * dataset may grow (otter_dataset_append_sample()) in the main thread
   * while this thread reads it. */
  GPtrArray    *samples;
  int           input_size;
  int           batch_size;
  gboolean      shuffle;
  gboolean      augmenting;
  OtterAugmentParams augment;      /* a copy; identity when not augmenting */
  guint64       seed;
  guint         prefetch;
  guint         n_samples;
  guint         n_batches;
  guint         shard_rank;         /* this process's part of every batch */
  guint         shard_count;        /* 1: the whole batch */

  GThread      *thread;
  GThreadPool  *pool;               /* decodes the images of a batch */

  /* Everything below is shared and guarded by the mutex. The producer
   * waits on `producer_cond` (queue space, a new epoch, quit), the
   * consumer on `consumer_cond` (an item, cancellation). */
  GMutex        mutex;
  GCond         producer_cond;
  GCond         consumer_cond;
  GQueue        queue;              /* of Item */
  guint         generation;         /* bumped by every start_epoch */
  guint         epoch;
  gboolean      started;
  gboolean      producing;          /* the producer owes items for `generation` */
  gboolean      epoch_over;         /* the consumer has seen the end */
  gboolean      quit;
  GPtrArray    *failures;
  GHashTable   *failure_set;        /* the same strings, to list each once */
};

static void
item_free (gpointer data)
{
  Item *item = data;

  otter_batch_free (item->batch);
  g_clear_error (&item->error);
  g_free (item);
}

static void
push_item (OtterBatchLoader *self,
           OtterBatch       *batch,
           GError           *error)
{
  Item *item = g_new (Item, 1);

  item->batch = batch;
  item->error = error;
  g_queue_push_tail (&self->queue, item);
  g_cond_signal (&self->consumer_cond);
}

static GRand *
rand_for_epoch (guint64 seed,
                guint   epoch,
                guint32 purpose)
{
  guint32 words[4] = { (guint32) seed, (guint32) (seed >> 32), epoch, purpose };

  return g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));
}

typedef struct
{
  OtterBatchLoader *loader;
  guint             generation;
} StopCheck;

static gboolean
producer_should_stop (gpointer data)
{
  StopCheck *check = data;
  gboolean stop;

  g_mutex_lock (&check->loader->mutex);
  stop = check->loader->quit || check->loader->generation != check->generation;
  g_mutex_unlock (&check->loader->mutex);

  return stop;
}

static gpointer
loader_thread (gpointer data)
{
  OtterBatchLoader *self = data;
  g_autofree guint *order = g_new (guint, MAX (self->n_samples, 1));
  g_autoptr(GRand) augment_rand = NULL;
  guint generation = 0;
  guint next_batch = 0;
  gboolean delivered = FALSE;

  g_mutex_lock (&self->mutex);

  while (!self->quit)
    {
      g_autoptr(GPtrArray) failures = NULL;
      g_autoptr(GError) error = NULL;
      StopCheck check;
      OtterBatch *batch;
      guint first, count;

      if (!self->producing || g_queue_get_length (&self->queue) >= self->prefetch)
        {
          g_cond_wait (&self->producer_cond, &self->mutex);
          continue;
        }

      if (generation != self->generation)
        {
          g_autoptr(GRand) order_rand = NULL;

          generation = self->generation;
          next_batch = 0;
          delivered = FALSE;
          if (self->shuffle)
            {
              order_rand = rand_for_epoch (self->seed, self->epoch, 0x5eed);
              otter_shuffle_indices (order, self->n_samples, order_rand);
            }
          else
            for (guint i = 0; i < self->n_samples; i++)
              order[i] = i;
          g_clear_pointer (&augment_rand, g_rand_free);
          /* Each shard draws its own augmentation. */
          if (self->augmenting)
            augment_rand = rand_for_epoch (self->seed + self->shard_rank * 0x9e3779b97f4a7c15ull,
                                           self->epoch, 0xf11b);
        }

      if (next_batch == self->n_batches)
        {
          if (self->n_batches > 0 && !delivered)
            push_item (self, NULL,
                       g_error_new (OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                                    g_dngettext (GETTEXT_PACKAGE,
                                                 "none of the images of the epoch could be decoded (%u failure)",
                                                 "none of the images of the epoch could be decoded (%u failures)",
                                                 self->failures->len),
                                    self->failures->len));
          push_item (self, NULL, NULL);
          self->producing = FALSE;
          continue;
        }

      first = next_batch * self->batch_size;
      count = MIN ((guint) self->batch_size, self->n_samples - first);
      next_batch++;
      if (self->shard_count > 1)
        {
          guint begin = count * self->shard_rank / self->shard_count;
          guint end = count * (self->shard_rank + 1) / self->shard_count;
          first += begin;
          count = end - begin;
        }
      check.loader = self;
      check.generation = generation;
      failures = g_ptr_array_new_with_free_func (g_free);

      /* The slow part runs unlocked, so the consumer takes ready batches
       * meanwhile. */
      g_mutex_unlock (&self->mutex);
      batch = otter_batch_build ((OtterSample **) self->samples->pdata, self->n_samples,
                                 order + first, count, self->input_size, &self->augment,
                                 augment_rand, failures, self->pool,
                                 producer_should_stop, &check, &error);
      g_mutex_lock (&self->mutex);

      for (guint i = 0; i < failures->len; i++)
        if (!g_hash_table_contains (self->failure_set, failures->pdata[i]))
          {
            g_hash_table_add (self->failure_set, failures->pdata[i]);
            g_ptr_array_add (self->failures, g_steal_pointer (&failures->pdata[i]));
          }

      if (self->quit || generation != self->generation)
        {
          otter_batch_free (batch);
          continue;
        }

      /* A batch where nothing decodes is skipped: its failures are
       * listed, and the epoch goes on with the images that work. */
      if (batch != NULL)
        {
          push_item (self, batch, NULL);
          delivered = TRUE;
        }
    }

  g_mutex_unlock (&self->mutex);
  return NULL;
}

guint
otter_batches_per_epoch_sharded (guint n_samples,
                                 int   batch_size,
                                 guint n_shards)
{
  g_return_val_if_fail (batch_size > 0 && n_shards > 0, 0);
  if (n_shards == 1)
    return otter_batches_per_epoch (n_samples, batch_size, TRUE);
  return n_samples / (guint) batch_size;
}

guint
otter_batches_per_epoch (guint    n_samples,
                         int      batch_size,
                         gboolean drop_single)
{
  g_return_val_if_fail (batch_size > 0, 0);
  guint n = (n_samples + (guint) batch_size - 1) / (guint) batch_size;
  if (drop_single && n > 1 && n_samples % (guint) batch_size == 1)
    n--;
  return n;
}

/**
 * otter_batch_loader_new:
 * @dataset: the samples (those it has now: samples appended later are
 *   not seen by this loader)
 * @input_size: side of the square model input
 * @batch_size: images per batch, > 0
 * @shuffle: shuffle each epoch deterministically from (@seed, epoch); also
 *   marks a training loader, which drops a final batch of a single image
 * @augment: (nullable): the augmentation of every image, drawn from
 *   (@seed, epoch) and so deterministic too; %NULL for none. Copied.
 * @seed: the seed of the shuffles and the augmentation
 * @prefetch: how many batches are kept ready, at least 1
 *
 * Starts a thread that decodes and letterboxes batches ahead of the
 * consumer. Nothing is produced until otter_batch_loader_start_epoch().
 *
 * Returns: (transfer full): the loader; free it with otter_batch_loader_free()
 */
OtterBatchLoader *
otter_batch_loader_new (OtterDataset             *dataset,
                        int                       input_size,
                        int                       batch_size,
                        gboolean                  shuffle,
                        const OtterAugmentParams *augment,
                        guint64                   seed,
                        int                       prefetch)
{
  OtterBatchLoader *self;

  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (input_size > 0, NULL);
  g_return_val_if_fail (batch_size > 0, NULL);
  g_return_val_if_fail (augment == NULL || otter_augment_params_is_valid (augment), NULL);

  self = g_new0 (OtterBatchLoader, 1);
  self->input_size = input_size;
  self->batch_size = batch_size;
  self->shuffle = shuffle;
  self->augmenting = !otter_augment_params_is_identity (augment);
  if (self->augmenting)
    self->augment = *augment;
  else
    otter_augment_params_init_none (&self->augment);
  self->seed = seed;
  self->prefetch = MAX (prefetch, 1);
  self->n_samples = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  self->samples = g_ptr_array_new_full (self->n_samples, g_object_unref);
  for (guint i = 0; i < self->n_samples; i++)
    g_ptr_array_add (self->samples, g_object_ref (otter_dataset_get_sample (dataset, i)));
  self->n_batches = otter_batches_per_epoch (self->n_samples, batch_size, shuffle);
  self->shard_count = 1;

  g_mutex_init (&self->mutex);
  g_cond_init (&self->producer_cond);
  g_cond_init (&self->consumer_cond);
  g_queue_init (&self->queue);
  self->failures = g_ptr_array_new_with_free_func (g_free);
  self->failure_set = g_hash_table_new (g_str_hash, g_str_equal);

  /* Decoding is most of the work and each image is independent: spread
   * it over a few threads so that a fast (GPU) training step is not kept
   * waiting. The total work is the same, so a slow step loses nothing. */
  self->pool = otter_batch_new_decode_pool (CLAMP (g_get_num_processors (), 1, 4));
  self->thread = g_thread_new ("otter-loader", loader_thread, self);

  return self;
}

/**
 * otter_batch_loader_set_shard:
 * @loader: a training loader, before its first epoch
 * @rank: this process's shard, 0 ≤ @rank < @n_shards
 * @n_shards: the processes that share every batch
 *
 * From now on each batch is the @rank-th of @n_shards equal parts of the
 * batch that the same seed gives every process; the epoch keeps only
 * whole batches, so every shard has the same number of steps
 * (otter_batches_per_epoch_sharded()).
 */
void
otter_batch_loader_set_shard (OtterBatchLoader *loader,
                              guint             rank,
                              guint             n_shards)
{
  g_return_if_fail (loader != NULL && n_shards > 0 && rank < n_shards);
  g_mutex_lock (&loader->mutex);
  if (loader->started)
    {
      g_mutex_unlock (&loader->mutex);
      g_critical ("otter_batch_loader_set_shard: the loader has started an epoch already");
      return;
    }
  loader->shard_rank = rank;
  loader->shard_count = n_shards;
  loader->n_batches = otter_batches_per_epoch_sharded (loader->n_samples, loader->batch_size, n_shards);
  g_mutex_unlock (&loader->mutex);
}

/**
 * otter_batch_loader_free:
 * @loader: (nullable): a loader
 *
 * Stops the thread (without waiting for the batch it is building to be
 * finished) and frees the loader and the batches not taken. No other
 * thread may be inside otter_batch_loader_next() meanwhile.
 */
void
otter_batch_loader_free (OtterBatchLoader *loader)
{
  if (loader == NULL)
    return;

  g_mutex_lock (&loader->mutex);
  loader->quit = TRUE;
  g_cond_broadcast (&loader->producer_cond);
  g_cond_broadcast (&loader->consumer_cond);
  g_mutex_unlock (&loader->mutex);

  g_thread_join (loader->thread);
  /* the producer waited for its slots, so the pool is idle */
  g_thread_pool_free (loader->pool, FALSE, TRUE);

  g_queue_clear_full (&loader->queue, item_free);
  g_hash_table_unref (loader->failure_set);
  g_ptr_array_unref (loader->failures);
  g_cond_clear (&loader->producer_cond);
  g_cond_clear (&loader->consumer_cond);
  g_mutex_clear (&loader->mutex);
  g_ptr_array_unref (loader->samples);
  g_free (loader);
}

/**
 * otter_batch_loader_get_n_batches:
 * @loader: a loader
 *
 * Returns: the number of batches in an epoch (fewer may come when whole
 *   batches fail to decode)
 */
guint
otter_batch_loader_get_n_batches (OtterBatchLoader *loader)
{
  g_return_val_if_fail (loader != NULL, 0);

  return loader->n_batches;
}

/**
 * otter_batch_loader_start_epoch:
 * @loader: a loader
 * @epoch: the epoch, from 0
 *
 * Starts preparing the batches of @epoch. Batches of a previous epoch not
 * taken yet are dropped.
 */
void
otter_batch_loader_start_epoch (OtterBatchLoader *loader,
                                guint             epoch)
{
  g_return_if_fail (loader != NULL);

  g_mutex_lock (&loader->mutex);
  g_queue_clear_full (&loader->queue, item_free);
  loader->generation++;
  loader->epoch = epoch;
  loader->started = TRUE;
  loader->producing = TRUE;
  loader->epoch_over = FALSE;
  g_cond_broadcast (&loader->producer_cond);
  g_mutex_unlock (&loader->mutex);
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  OtterBatchLoader *self = data;

  /* Taking the mutex orders this with the waiter's check: no lost wake-up. */
  g_mutex_lock (&self->mutex);
  g_cond_broadcast (&self->consumer_cond);
  g_mutex_unlock (&self->mutex);
}

/**
 * otter_batch_loader_next:
 * @loader: a loader
 * @cancellable: (nullable): cancels the wait
 * @error: return location for an error
 *
 * Waits for the next batch of the current epoch.
 *
 * Returns: (transfer full) (nullable): the batch; %NULL without an error
 *   when the epoch is over, %NULL with an error when cancelled or when no
 *   image of the epoch could be decoded
 */
OtterBatch *
otter_batch_loader_next (OtterBatchLoader  *loader,
                         GCancellable      *cancellable,
                         GError           **error)
{
  OtterBatch *batch = NULL;
  GError *item_error = NULL;
  gulong handler = 0;

  g_return_val_if_fail (loader != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* Connected before locking: the callback takes the mutex itself. */
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), loader, NULL);

  g_mutex_lock (&loader->mutex);
  g_warn_if_fail (loader->started);

  while (loader->started && !loader->epoch_over && !loader->quit)
    {
      Item *item;

      if (g_cancellable_is_cancelled (cancellable))
        break;

      item = g_queue_pop_head (&loader->queue);
      if (item == NULL)
        {
          g_cond_wait (&loader->consumer_cond, &loader->mutex);
          continue;
        }

      g_cond_signal (&loader->producer_cond);
      batch = g_steal_pointer (&item->batch);
      item_error = g_steal_pointer (&item->error);
      if (batch == NULL && item_error == NULL)
        loader->epoch_over = TRUE;
      item_free (item);
      break;
    }

  g_mutex_unlock (&loader->mutex);

  /* Outside the lock: disconnecting waits for a running callback. */
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  if (item_error != NULL)
    g_propagate_error (error, item_error);
  else if (batch == NULL)
    g_cancellable_set_error_if_cancelled (cancellable, error);

  return batch;
}

/**
 * otter_batch_loader_dup_failures:
 * @loader: a loader
 *
 * Returns: (transfer full) (element-type utf8): "file: reason" for each
 *   image that failed to decode so far, each listed once
 */
GPtrArray *
otter_batch_loader_dup_failures (OtterBatchLoader *loader)
{
  GPtrArray *copy;

  g_return_val_if_fail (loader != NULL, NULL);

  g_mutex_lock (&loader->mutex);
  copy = g_ptr_array_new_full (loader->failures->len, g_free);
  for (guint i = 0; i < loader->failures->len; i++)
    g_ptr_array_add (copy, g_strdup (loader->failures->pdata[i]));
  g_mutex_unlock (&loader->mutex);

  return copy;
}
