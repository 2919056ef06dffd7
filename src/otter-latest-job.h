/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-latest-job.h: one computation at a time on a worker, the latest request winning */
#pragma once

#include <gio/gio.h>

#include "otter-dataset.h"
#include "otter-model.h"

G_BEGIN_DECLS

/* Runs on a worker thread with the request's own references and copy of
 * its parameters; it gets no job, which belongs to the requesting thread.
 * Returns a result for the class's free_result, or NULL with error set. */
typedef gpointer (*OtterLatestJobCompute) (OtterDataset  *dataset,
                                           OtterModel    *model,
                                           gconstpointer  params,
                                           GCancellable  *cancellable,
                                           GError       **error);

#define OTTER_TYPE_LATEST_JOB (otter_latest_job_get_type ())
G_DECLARE_DERIVABLE_TYPE (OtterLatestJob, otter_latest_job, OTTER, LATEST_JOB, GObject)

/* The base of a computation on a dataset and model that a page asks for
 * again whenever its settings change: "running", "result", "error" and
 * "serial" notify on the thread that made the request. */
struct _OtterLatestJobClass
{
  GObjectClass          parent_class;

  OtterLatestJobCompute compute;
  GDestroyNotify        free_result;

  gpointer              padding[8];
};

/* Computes on a copy of the params_size bytes at params (plain data) on a
 * worker thread. A request made while one runs supersedes it and any
 * request still waiting: the running one's result is dropped and only the
 * newest is computed next. */
void        otter_latest_job_request     (OtterLatestJob *self,
                                          OtterDataset   *dataset,
                                          OtterModel     *model,
                                          gconstpointer   params,
                                          gsize           params_size);
/* Drops pending and running work (the running one finishes unseen); the
 * last result stays. */
void        otter_latest_job_cancel      (OtterLatestJob *self);
/* Forgets the last result or error, notifying "result" and "error" if
 * there was one; "serial" stays. */
void        otter_latest_job_drop_result (OtterLatestJob *self);
gboolean    otter_latest_job_get_running (OtterLatestJob *self);
/* The newest request's result, or NULL (borrowed). */
gpointer    otter_latest_job_get_result  (OtterLatestJob *self);
/* Why the newest request failed, or NULL. */
const char *otter_latest_job_get_error   (OtterLatestJob *self);
/* Bumped each time a result or an error arrives. */
guint       otter_latest_job_get_serial  (OtterLatestJob *self);

G_END_DECLS
