/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-latest-job.c: one computation at a time on a worker, the latest
 * request winning, without a model: what the Perturbation and Data pages
 * rely on when settings or images change faster than the model runs */

#include "config.h"

#include "otter-latest-job.h"

/* What the workers did, shared with them. A closed gate holds every run
 * until the test opens it, so a run is still going when the test needs. */
static struct
{
  GMutex  lock;
  GCond   cond;
  gboolean gate_open;
  GArray *computed;        /* the inputs' values, in the order they ran */
  gint    inputs_freed;
  gint    results_freed;
} workers;

typedef struct
{
  int value;
} Input;

static void
input_free (gpointer data)
{
  g_free (data);
  g_atomic_int_inc (&workers.inputs_freed);
}

static void
result_free (gpointer data)
{
  g_free (data);
  g_atomic_int_inc (&workers.results_freed);
}

/* A negative value fails, as a missing image does. */
static gpointer
compute (gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  const Input *input = data;

  g_mutex_lock (&workers.lock);
  while (!workers.gate_open)
    g_cond_wait (&workers.cond, &workers.lock);
  g_array_append_val (workers.computed, input->value);
  g_mutex_unlock (&workers.lock);

  if (input->value < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "No value %d", input->value);
      return NULL;
    }
  return g_memdup2 (&input->value, sizeof input->value);
}

static void
set_gate (gboolean open)
{
  g_mutex_lock (&workers.lock);
  workers.gate_open = open;
  g_cond_broadcast (&workers.cond);
  g_mutex_unlock (&workers.lock);
}

static guint
n_computed (void)
{
  g_mutex_lock (&workers.lock);
  guint n = workers.computed->len;
  g_mutex_unlock (&workers.lock);
  return n;
}

static void
reset_workers (void)
{
  g_clear_pointer (&workers.computed, g_array_unref);
  workers.computed = g_array_new (FALSE, FALSE, sizeof (int));
  workers.inputs_freed = 0;
  workers.results_freed = 0;
  set_gate (TRUE);
}

static void
request (OtterLatestJob *job,
         int             value)
{
  Input *input = g_new (Input, 1);
  input->value = value;
  otter_latest_job_request (job, input, input_free);
}

static gboolean
wait_until (gboolean (*done) (gpointer data),
            gpointer   data)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!done (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
not_running (gpointer data)
{
  return !otter_latest_job_get_running (data);
}

/* An input is freed with its run's task, which the worker may still hold
 * for a moment after the result arrived. */
static gboolean
inputs_freed_is (gpointer n)
{
  return g_atomic_int_get (&workers.inputs_freed) == GPOINTER_TO_INT (n);
}

static OtterLatestJob *
job_new (void)
{
  reset_workers ();
  return otter_latest_job_new ("[otter-test] latest job", compute, result_free);
}

static int
result_value (OtterLatestJob *job)
{
  const int *result = otter_latest_job_get_result (job);
  g_assert_nonnull (result);
  return *result;
}

/* Counts each property's notifications. */
typedef struct
{
  guint result;
  guint error;
  guint serial;
  guint running;
} Notified;

static void
notify_cb (OtterLatestJob *job,
           GParamSpec     *pspec,
           Notified       *notified)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "result"))
    notified->result++;
  else if (g_str_equal (name, "error"))
    notified->error++;
  else if (g_str_equal (name, "serial"))
    notified->serial++;
  else if (g_str_equal (name, "running"))
    notified->running++;
}

/* Three quick requests: the first runs, the second is replaced by the
 * third while it waits, and only the third is delivered, once. */
static void
test_latest_wins (void)
{
  OtterLatestJob *job = job_new ();
  Notified notified = { 0 };

  g_signal_connect (job, "notify", G_CALLBACK (notify_cb), &notified);
  set_gate (FALSE);
  request (job, 1);
  g_assert_true (otter_latest_job_get_running (job));
  request (job, 2);
  request (job, 3);
  /* the replaced request is freed at once, never computed */
  g_assert_cmpint (g_atomic_int_get (&workers.inputs_freed), ==, 1);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (otter_latest_job_get_running (job));
  g_assert_cmpuint (notified.running, ==, 1);
  g_assert_null (otter_latest_job_get_result (job));
  set_gate (TRUE);

  g_assert_true (wait_until (not_running, job));
  g_assert_cmpuint (workers.computed->len, ==, 2);
  g_assert_cmpint (g_array_index (workers.computed, int, 0), ==, 1);
  g_assert_cmpint (g_array_index (workers.computed, int, 1), ==, 3);
  g_assert_cmpint (result_value (job), ==, 3);
  g_assert_null (otter_latest_job_get_error (job));
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 1);
  g_assert_cmpuint (notified.result, ==, 1);
  g_assert_cmpuint (notified.serial, ==, 1);
  /* on at the first request, off after the last: no flicker between */
  g_assert_cmpuint (notified.running, ==, 2);
  /* the first one's stale result was dropped */
  g_assert_cmpint (g_atomic_int_get (&workers.results_freed), ==, 1);

  /* a later request replaces the result */
  request (job, 4);
  g_assert_true (wait_until (not_running, job));
  g_assert_cmpint (result_value (job), ==, 4);
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 2);
  g_assert_cmpint (g_atomic_int_get (&workers.results_freed), ==, 2);

  g_object_unref (job);
  g_assert_true (wait_until (inputs_freed_is, GINT_TO_POINTER (4)));
  g_assert_cmpint (g_atomic_int_get (&workers.results_freed), ==, 3);
}

/* A cancel drops the running request unseen and the waiting one
 * uncomputed; the result shown before stays. */
static void
test_cancel (void)
{
  OtterLatestJob *job = job_new ();
  Notified notified = { 0 };

  request (job, 7);
  g_assert_true (wait_until (not_running, job));
  g_assert_cmpint (result_value (job), ==, 7);
  g_assert_true (wait_until (inputs_freed_is, GINT_TO_POINTER (1)));

  g_signal_connect (job, "notify", G_CALLBACK (notify_cb), &notified);
  set_gate (FALSE);
  request (job, 8);
  request (job, 9);
  otter_latest_job_cancel (job);
  g_assert_cmpint (g_atomic_int_get (&workers.inputs_freed), ==, 2);
  /* libtorch cannot be interrupted: it runs until the worker returns */
  g_assert_true (otter_latest_job_get_running (job));
  set_gate (TRUE);
  g_assert_true (wait_until (not_running, job));

  g_assert_cmpuint (workers.computed->len, ==, 2);
  g_assert_cmpint (g_array_index (workers.computed, int, 1), ==, 8);
  g_assert_cmpint (result_value (job), ==, 7);
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 1);
  g_assert_cmpuint (notified.result, ==, 0);
  g_assert_cmpuint (notified.serial, ==, 0);
  g_assert_cmpuint (notified.running, ==, 2);
  g_assert_cmpint (g_atomic_int_get (&workers.results_freed), ==, 1);

  /* dropping the result is separate, and serial stays */
  otter_latest_job_drop_result (job);
  g_assert_null (otter_latest_job_get_result (job));
  g_assert_cmpuint (notified.result, ==, 1);
  otter_latest_job_drop_result (job);
  g_assert_cmpuint (notified.result, ==, 1);
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 1);

  /* and it still works afterwards */
  request (job, 10);
  g_assert_true (wait_until (not_running, job));
  g_assert_cmpint (result_value (job), ==, 10);
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 2);
  g_object_unref (job);
}

/* A failure is a message and a serial, no result; the next success
 * clears the message. */
static void
test_error (void)
{
  OtterLatestJob *job = job_new ();
  Notified notified = { 0 };

  request (job, 5);
  g_assert_true (wait_until (not_running, job));
  g_signal_connect (job, "notify", G_CALLBACK (notify_cb), &notified);
  request (job, -2);
  g_assert_true (wait_until (not_running, job));
  g_assert_null (otter_latest_job_get_result (job));
  g_assert_cmpstr (otter_latest_job_get_error (job), ==, "No value -2");
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 2);
  g_assert_cmpuint (notified.result, ==, 1);
  g_assert_cmpuint (notified.error, ==, 1);
  g_assert_cmpuint (notified.serial, ==, 1);
  g_assert_cmpint (g_atomic_int_get (&workers.results_freed), ==, 1);

  request (job, 6);
  g_assert_true (wait_until (not_running, job));
  g_assert_cmpint (result_value (job), ==, 6);
  g_assert_null (otter_latest_job_get_error (job));
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 3);
  g_object_unref (job);
}

static gboolean
all_freed (gpointer data)
{
  return inputs_freed_is (GINT_TO_POINTER (1)) && g_atomic_int_get (&workers.results_freed) == 1;
}

/* A job let go while its worker runs does not wait for it: the run
 * finishes on its own and frees what it had. */
static void
test_dispose_while_running (void)
{
  OtterLatestJob *job = job_new ();

  set_gate (FALSE);
  request (job, 11);
  g_object_unref (job);
  g_assert_cmpuint (n_computed (), ==, 0);
  set_gate (TRUE);
  g_assert_true (wait_until (all_freed, NULL));
  g_assert_cmpuint (n_computed (), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/otter/LatestJob/latest-wins", test_latest_wins);
  g_test_add_func ("/otter/LatestJob/cancel", test_cancel);
  g_test_add_func ("/otter/LatestJob/error", test_error);
  g_test_add_func ("/otter/LatestJob/dispose-while-running", test_dispose_while_running);
  return g_test_run ();
}
