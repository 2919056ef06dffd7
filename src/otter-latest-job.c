/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-latest-job.c: one computation at a time on a worker, the latest request winning */

#include "config.h"

#include "otter-latest-job.h"

struct _OtterLatestJob
{
  GObject             parent_instance;

  char               *name;
  OtterLatestJobFunc  func;
  GDestroyNotify      result_free;

  guint               generation;   /* of the newest request */
  GCancellable       *cancellable;  /* of the running one */
  gboolean            running;
  /* the newest request that arrived while another was running */
  gboolean            has_pending;
  gpointer            pending;
  GDestroyNotify      pending_free;

  gpointer            result;
  char               *error;
  guint               serial;
};

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

G_DEFINE_FINAL_TYPE (OtterLatestJob, otter_latest_job, G_TYPE_OBJECT)

/* One run, owned by its task. It holds the job weakly: a job disposed
 * while libtorch works must not wait for it, and the run winds down on
 * its own. */
typedef struct
{
  OtterLatestJobFunc  func;
  GDestroyNotify      result_free;
  gpointer            input;
  GDestroyNotify      input_free;
  GWeakRef            job;
  guint               generation;
} Run;

static void
run_free (gpointer data)
{
  Run *run = data;

  if (run->input_free != NULL)
    g_clear_pointer (&run->input, run->input_free);
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
  gpointer result = run->func (run->input, cancellable, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, run->result_free);
  else
    g_task_return_error (task, error);
}

static void start_run (OtterLatestJob *self, gpointer input, GDestroyNotify input_free);

/* Hands the waiting request's input over, with its free function. */
static gpointer
steal_pending (OtterLatestJob *self,
               GDestroyNotify *input_free)
{
  *input_free = self->pending_free;
  self->pending_free = NULL;
  self->has_pending = FALSE;
  return g_steal_pointer (&self->pending);
}

static void
clear_pending (OtterLatestJob *self)
{
  GDestroyNotify input_free;
  gpointer input = steal_pending (self, &input_free);

  if (input_free != NULL)
    input_free (input);
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

  /* a superseded, cancelled or orphaned run's result is stale */
  if (self == NULL || run->generation != self->generation)
    {
      if (result != NULL)
        run->result_free (result);
      result = NULL;
    }
  if (self == NULL)
    return;

  g_clear_object (&self->cancellable);
  self->running = FALSE;
  if (self->has_pending)
    {
      GDestroyNotify input_free;
      gpointer input = steal_pending (self, &input_free);
      start_run (self, input, input_free);
      return;
    }

  if (run->generation == self->generation)
    {
      g_clear_pointer (&self->result, self->result_free);
      g_clear_pointer (&self->error, g_free);
      if (result != NULL)
        self->result = result;
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->error = g_strdup (error->message);
      self->serial++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERIAL]);
    }
  /* a handler above may have made a new request already */
  if (!self->running)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
start_run (OtterLatestJob *self,
           gpointer        input,
           GDestroyNotify  input_free)
{
  Run *run = g_new0 (Run, 1);
  run->func = self->func;
  run->result_free = self->result_free;
  run->input = input;
  run->input_free = input_free;
  g_weak_ref_init (&run->job, self);
  run->generation = self->generation;

  self->cancellable = g_cancellable_new ();
  self->running = TRUE;
  g_autoptr (GTask) task = g_task_new (NULL, self->cancellable, run_done_cb, NULL);
  g_task_set_source_tag (task, start_run);
  g_task_set_name (task, self->name);
  /* the callback tells stale results apart itself */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, run, run_free);
  g_task_run_in_thread (task, run_thread);
}

void
otter_latest_job_request (OtterLatestJob *self,
                          gpointer        input,
                          GDestroyNotify  input_free)
{
  g_return_if_fail (OTTER_IS_LATEST_JOB (self));

  self->generation++;
  if (self->running)
    {
      /* libtorch cannot be interrupted: let the running one finish unseen
       * and compute only the newest request after it */
      g_cancellable_cancel (self->cancellable);
      clear_pending (self);
      self->pending = input;
      self->pending_free = input_free;
      self->has_pending = TRUE;
      return;
    }
  start_run (self, input, input_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
otter_latest_job_cancel (OtterLatestJob *self)
{
  g_return_if_fail (OTTER_IS_LATEST_JOB (self));

  self->generation++;
  clear_pending (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

void
otter_latest_job_drop_result (OtterLatestJob *self)
{
  g_return_if_fail (OTTER_IS_LATEST_JOB (self));

  if (self->result == NULL && self->error == NULL)
    return;
  g_clear_pointer (&self->result, self->result_free);
  g_clear_pointer (&self->error, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
forward_notify_cb (GObject    *owner,
                   GParamSpec *pspec,
                   gpointer    job)
{
  GParamSpec *own = g_object_class_find_property (G_OBJECT_GET_CLASS (owner),
                                                  g_param_spec_get_name (pspec));
  if (own != NULL)
    g_object_notify_by_pspec (owner, own);
}

void
otter_latest_job_forward_notify (OtterLatestJob *self,
                                 GObject        *owner)
{
  g_return_if_fail (OTTER_IS_LATEST_JOB (self));
  g_return_if_fail (G_IS_OBJECT (owner));

  g_signal_connect_object (self, "notify", G_CALLBACK (forward_notify_cb), owner, G_CONNECT_SWAPPED);
}

gboolean
otter_latest_job_get_running (OtterLatestJob *self)
{
  g_return_val_if_fail (OTTER_IS_LATEST_JOB (self), FALSE);
  return self->running;
}

gpointer
otter_latest_job_get_result (OtterLatestJob *self)
{
  g_return_val_if_fail (OTTER_IS_LATEST_JOB (self), NULL);
  return self->result;
}

const char *
otter_latest_job_get_error (OtterLatestJob *self)
{
  g_return_val_if_fail (OTTER_IS_LATEST_JOB (self), NULL);
  return self->error;
}

guint
otter_latest_job_get_serial (OtterLatestJob *self)
{
  g_return_val_if_fail (OTTER_IS_LATEST_JOB (self), 0);
  return self->serial;
}

static void
otter_latest_job_dispose (GObject *object)
{
  OtterLatestJob *self = OTTER_LATEST_JOB (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  clear_pending (self);
  G_OBJECT_CLASS (otter_latest_job_parent_class)->dispose (object);
}

static void
otter_latest_job_finalize (GObject *object)
{
  OtterLatestJob *self = OTTER_LATEST_JOB (object);

  g_clear_pointer (&self->result, self->result_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->name, g_free);
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
    case PROP_RUNNING: g_value_set_boolean (value, self->running); break;
    case PROP_RESULT: g_value_set_pointer (value, self->result); break;
    case PROP_ERROR: g_value_set_string (value, self->error); break;
    case PROP_SERIAL: g_value_set_uint (value, self->serial); break;
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

OtterLatestJob *
otter_latest_job_new (const char         *name,
                      OtterLatestJobFunc  func,
                      GDestroyNotify      result_free)
{
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (result_free != NULL, NULL);

  OtterLatestJob *self = g_object_new (OTTER_TYPE_LATEST_JOB, NULL);
  self->name = g_strdup (name);
  self->func = func;
  self->result_free = result_free;
  return self;
}
