/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-latest-job.c: one computation at a time on a worker, the latest request winning */

#include "config.h"

#include "otter-latest-job.h"

typedef struct
{
  guint           generation;   /* of the newest request */
  GCancellable   *cancellable;  /* of the running one */
  gboolean        running;
  /* the newest request that arrived while another was running */
  gboolean        has_pending;
  OtterDataset   *pending_dataset;
  OtterModel     *pending_model;
  gpointer        pending_params;

  gpointer        result;
  char           *error;
  guint           serial;
} OtterLatestJobPrivate;

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_RESULT,
  PROP_ERROR,
  PROP_SERIAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (OtterLatestJob, otter_latest_job, G_TYPE_OBJECT)

static OtterLatestJobPrivate *
job_private (OtterLatestJob *self)
{
  return otter_latest_job_get_instance_private (self);
}

/* One run, owned by its task. It holds the job weakly: a job disposed
 * while libtorch works must not wait for it, and the run winds down on
 * its own. */
typedef struct
{
  OtterLatestJobCompute  compute;
  GDestroyNotify         free_result;
  OtterDataset          *dataset;
  OtterModel            *model;
  gpointer               params;
  GWeakRef               job;
  guint                  generation;
} Run;

static void
run_free (gpointer data)
{
  Run *run = data;

  g_clear_object (&run->dataset);
  g_clear_object (&run->model);
  g_free (run->params);
  g_weak_ref_clear (&run->job);
  g_free (run);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Run *run = task_data;
  GError *error = NULL;
  gpointer result = run->compute (run->dataset, run->model, run->params, cancellable, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, run->free_result);
  else
    g_task_return_error (task, error);
}

static void start_run (OtterLatestJob *self, OtterDataset *dataset, OtterModel *model,
                       gpointer params);

static void
clear_pending (OtterLatestJobPrivate *priv)
{
  priv->has_pending = FALSE;
  g_clear_object (&priv->pending_dataset);
  g_clear_object (&priv->pending_model);
  g_clear_pointer (&priv->pending_params, g_free);
}

static void
clear_result (OtterLatestJob *self)
{
  OtterLatestJobPrivate *priv = job_private (self);

  g_clear_pointer (&priv->result, OTTER_LATEST_JOB_GET_CLASS (self)->free_result);
  g_clear_pointer (&priv->error, g_free);
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *res,
             gpointer      user_data)
{
  Run *run = g_task_get_task_data (G_TASK (res));
  g_autoptr (OtterLatestJob) self = g_weak_ref_get (&run->job);
  g_autoptr (GError) error = NULL;
  gpointer result = g_task_propagate_pointer (G_TASK (res), &error);
  OtterLatestJobPrivate *priv = self ? job_private (self) : NULL;

  /* a superseded, cancelled or orphaned run's result is stale */
  if (priv == NULL || run->generation != priv->generation)
    g_clear_pointer (&result, run->free_result);
  if (priv == NULL)
    return;

  g_clear_object (&priv->cancellable);
  priv->running = FALSE;
  if (priv->has_pending)
    {
      g_autoptr (OtterDataset) dataset = g_steal_pointer (&priv->pending_dataset);
      g_autoptr (OtterModel) model = g_steal_pointer (&priv->pending_model);
      priv->has_pending = FALSE;
      start_run (self, dataset, model, g_steal_pointer (&priv->pending_params));
      return;
    }

  if (run->generation == priv->generation)
    {
      clear_result (self);
      if (result != NULL)
        priv->result = result;
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        priv->error = g_strdup (error->message);
      priv->serial++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERIAL]);
    }
  /* a handler above may have made a new request already */
  if (!priv->running)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/* Takes params (a copy of the request's). */
static void
start_run (OtterLatestJob *self,
           OtterDataset   *dataset,
           OtterModel     *model,
           gpointer        params)
{
  OtterLatestJobPrivate *priv = job_private (self);
  Run *run = g_new0 (Run, 1);

  run->compute = OTTER_LATEST_JOB_GET_CLASS (self)->compute;
  run->free_result = OTTER_LATEST_JOB_GET_CLASS (self)->free_result;
  run->dataset = g_object_ref (dataset);
  run->model = g_object_ref (model);
  run->params = params;
  g_weak_ref_init (&run->job, self);
  run->generation = priv->generation;

  priv->cancellable = g_cancellable_new ();
  priv->running = TRUE;
  g_autoptr (GTask) task = g_task_new (NULL, priv->cancellable, run_done_cb, NULL);
  g_task_set_source_tag (task, start_run);
  g_task_set_name (task, G_OBJECT_TYPE_NAME (self));
  /* the callback tells stale results apart itself */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, run, run_free);
  g_task_run_in_thread (task, run_thread);
}

void
otter_latest_job_request (OtterLatestJob *self,
                          OtterDataset   *dataset,
                          OtterModel     *model,
                          gconstpointer   params,
                          gsize           params_size)
{
  g_return_if_fail (OTTER_IS_LATEST_JOB (self));
  g_return_if_fail (OTTER_IS_DATASET (dataset));
  g_return_if_fail (OTTER_IS_MODEL (model));
  g_return_if_fail (params != NULL || params_size == 0);
  g_return_if_fail (OTTER_LATEST_JOB_GET_CLASS (self)->compute != NULL);

  OtterLatestJobPrivate *priv = job_private (self);
  gpointer copy = g_memdup2 (params, params_size);

  priv->generation++;
  if (priv->running)
    {
      /* libtorch cannot be interrupted: let the running one finish unseen
       * and compute only the newest request after it */
      g_cancellable_cancel (priv->cancellable);
      clear_pending (priv);
      priv->pending_dataset = g_object_ref (dataset);
      priv->pending_model = g_object_ref (model);
      priv->pending_params = copy;
      priv->has_pending = TRUE;
      return;
    }
  start_run (self, dataset, model, copy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
otter_latest_job_cancel (OtterLatestJob *self)
{
  g_return_if_fail (OTTER_IS_LATEST_JOB (self));

  OtterLatestJobPrivate *priv = job_private (self);
  priv->generation++;
  clear_pending (priv);
  if (priv->cancellable != NULL)
    g_cancellable_cancel (priv->cancellable);
}

void
otter_latest_job_drop_result (OtterLatestJob *self)
{
  g_return_if_fail (OTTER_IS_LATEST_JOB (self));

  OtterLatestJobPrivate *priv = job_private (self);
  if (priv->result == NULL && priv->error == NULL)
    return;
  clear_result (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

gboolean
otter_latest_job_get_running (OtterLatestJob *self)
{
  g_return_val_if_fail (OTTER_IS_LATEST_JOB (self), FALSE);
  return job_private (self)->running;
}

gpointer
otter_latest_job_get_result (OtterLatestJob *self)
{
  g_return_val_if_fail (OTTER_IS_LATEST_JOB (self), NULL);
  return job_private (self)->result;
}

const char *
otter_latest_job_get_error (OtterLatestJob *self)
{
  g_return_val_if_fail (OTTER_IS_LATEST_JOB (self), NULL);
  return job_private (self)->error;
}

guint
otter_latest_job_get_serial (OtterLatestJob *self)
{
  g_return_val_if_fail (OTTER_IS_LATEST_JOB (self), 0);
  return job_private (self)->serial;
}

static void
otter_latest_job_dispose (GObject *object)
{
  OtterLatestJobPrivate *priv = job_private (OTTER_LATEST_JOB (object));

  /* a run still going finishes unseen and frees its copies on its own */
  if (priv->cancellable != NULL)
    g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  clear_pending (priv);
  G_OBJECT_CLASS (otter_latest_job_parent_class)->dispose (object);
}

static void
otter_latest_job_finalize (GObject *object)
{
  clear_result (OTTER_LATEST_JOB (object));
  G_OBJECT_CLASS (otter_latest_job_parent_class)->finalize (object);
}

static void
otter_latest_job_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OtterLatestJob *self = OTTER_LATEST_JOB (object);

  switch (prop_id)
    {
    case PROP_RUNNING: g_value_set_boolean (value, otter_latest_job_get_running (self)); break;
    case PROP_RESULT: g_value_set_pointer (value, otter_latest_job_get_result (self)); break;
    case PROP_ERROR: g_value_set_string (value, otter_latest_job_get_error (self)); break;
    case PROP_SERIAL: g_value_set_uint (value, otter_latest_job_get_serial (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_latest_job_class_init (OtterLatestJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = otter_latest_job_dispose;
  object_class->finalize = otter_latest_job_finalize;
  object_class->get_property = otter_latest_job_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RESULT] =
    g_param_spec_pointer ("result", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SERIAL] =
    g_param_spec_uint ("serial", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
otter_latest_job_init (OtterLatestJob *self)
{
}
