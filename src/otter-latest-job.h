/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-latest-job.h: one computation at a time on a worker, the latest request winning */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Runs on the worker with the request's input (owned by the job until the
 * run ends). Returns a result to be freed with the job's result_free, or
 * NULL with error set. */
typedef gpointer (*OtterLatestJobFunc) (gpointer       input,
                                        GCancellable  *cancellable,
                                        GError       **error);

#define OTTER_TYPE_LATEST_JOB (otter_latest_job_get_type ())
G_DECLARE_FINAL_TYPE (OtterLatestJob, otter_latest_job, OTTER, LATEST_JOB, GObject)

/* name shows in debuggers and profilers; result_free frees what func returns. */
OtterLatestJob *otter_latest_job_new            (const char         *name,
                                                 OtterLatestJobFunc  func,
                                                 GDestroyNotify      result_free);
/* Makes owner notify its own properties named like the job's ("running",
 * "result", "error", "serial") whenever the job's change, for as long as
 * owner lives: an object built on a job keeps the job's notifications. */
void            otter_latest_job_forward_notify (OtterLatestJob     *self,
                                                 GObject            *owner);
/* Runs func on input on a worker thread; the job owns input and frees it
 * with input_free. A request made while one runs supersedes it and any
 * request still waiting: the running one's result is dropped and only the
 * newest is computed next. "result", "error", "serial" and "running"
 * notify on the thread that made the request. */
void            otter_latest_job_request        (OtterLatestJob     *self,
                                                 gpointer            input,
                                                 GDestroyNotify      input_free);
/* Drops pending and running work (the running one finishes unseen); the
 * last result stays. */
void            otter_latest_job_cancel         (OtterLatestJob     *self);
/* Forgets the last result or error, notifying "result" and "error" if
 * there was one; "serial" stays. */
void            otter_latest_job_drop_result    (OtterLatestJob     *self);
gboolean        otter_latest_job_get_running    (OtterLatestJob     *self);
/* The newest request's result, or NULL (borrowed). */
gpointer        otter_latest_job_get_result     (OtterLatestJob     *self);
/* Why the newest request failed, or NULL. */
const char     *otter_latest_job_get_error      (OtterLatestJob     *self);
/* Bumped each time a result or an error arrives. */
guint           otter_latest_job_get_serial     (OtterLatestJob     *self);

G_END_DECLS
