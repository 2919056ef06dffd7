/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-async.c: loading datasets off the calling thread */

#include "config.h"

#include "otter-dataset.h"

typedef struct
{
  char                 *path;
  OtterDatasetLoadFlags flags;
} LoadRequest;

static void
load_request_free (gpointer data)
{
  LoadRequest *request = data;

  g_free (request->path);
  g_free (request);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  GError *error = NULL;
  OtterDataset *dataset = otter_dataset_load_with_flags (request->path, request->flags, cancellable, &error);
  if (dataset != NULL)
    g_task_return_pointer (task, dataset, g_object_unref);
  else
    g_task_return_error (task, error);
}

/**
 * otter_dataset_load_async:
 * @path: a dataset file or folder, or "demo"
 * @flags: as for otter_dataset_load_with_flags()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the calling thread's main context when done
 * @user_data: data for @callback
 *
 * Loads a dataset on a worker thread: parsing annotations and probing every
 * image header touches the disk, which an interface thread must not wait on.
 */
void
otter_dataset_load_async (const char           *path,
                          OtterDatasetLoadFlags flags,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, otter_dataset_load_async);
  LoadRequest *request = g_new0 (LoadRequest, 1);
  request->path = g_strdup (path);
  request->flags = flags;
  g_task_set_task_data (task, request, load_request_free);
  g_task_run_in_thread (task, load_thread);
}

/**
 * otter_dataset_load_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the dataset
 */
OtterDataset *
otter_dataset_load_finish (GAsyncResult *result,
                           GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
