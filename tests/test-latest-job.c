/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-latest-job.c: one computation at a time on a worker, the latest
 * request winning, with a number standing in for the model's work: what
 * the Perturbation and Data pages rely on when settings or images change
 * faster than the model runs */

#include "config.h"

#include "otter-latest-job.h"
#include "test-wait-utils.h"

/* A job whose computation is a number: it stands in for the model, and a
 * gate lets the test keep a run going for as long as it needs. */
#define TEST_TYPE_JOB (test_job_get_type ())
G_DECLARE_FINAL_TYPE (TestJob, test_job, TEST, JOB, OtterLatestJob)

struct _TestJob
{
  OtterLatestJob parent_instance;
};

G_DEFINE_FINAL_TYPE (TestJob, test_job, OTTER_TYPE_LATEST_JOB)

/* What the workers did, shared with them. A closed gate holds every run
 * until the test opens it. */
static struct
{
  GMutex   lock;
  GCond    cond;
  gboolean gate_open;
  GArray  *computed;       /* the requests' values, in the order they ran */
  gint     results_freed;
} workers;

static void
result_free (gpointer data)
{
  g_free (data);
  g_atomic_int_inc (&workers.results_freed);
}

/* A negative value fails, as a missing image does. */
static gpointer
compute (OtterDataset  *dataset,
         OtterModel    *model,
         gconstpointer  params,
         GCancellable  *cancellable,
         GError       **error)
{
  int value = *(const int *) params;

  g_assert_true (OTTER_IS_DATASET (dataset));
  g_assert_true (OTTER_IS_MODEL (model));
  g_mutex_lock (&workers.lock);
  while (!workers.gate_open)
    g_cond_wait (&workers.cond, &workers.lock);
  g_array_append_val (workers.computed, value);
  g_mutex_unlock (&workers.lock);

  if (value < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "No value %d", value);
      return NULL;
    }
  return g_memdup2 (&value, sizeof value);
}

static void
test_job_class_init (TestJobClass *klass)
{
  OtterLatestJobClass *job_class = OTTER_LATEST_JOB_CLASS (klass);

  job_class->compute = compute;
  job_class->free_result = result_free;
}

static void
test_job_init (TestJob *self)
{
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
  workers.results_freed = 0;
  set_gate (TRUE);
}

/* What every request computes on; a test swaps in others to see them let go. */
static OtterDataset *dataset;
static OtterModel   *model;

static void
request_with (OtterLatestJob *job,
              OtterModel     *with_model,
              int             value)
{
  otter_latest_job_request (job, dataset, with_model, &value, sizeof value);
}

static void
request (OtterLatestJob *job,
         int             value)
{
  request_with (job, model, value);
}

/* A model no one else holds, watched through a weak pointer. */
static OtterModel *
watched_model_new (OtterModel **watch)
{
  g_autoptr (GError) error = NULL;
  OtterModel *other = otter_model_new_builtin ("tiny", otter_dataset_get_class_names (dataset),
                                               OTTER_DEMO_IMAGE_SIZE, 2, &error);
  g_assert_no_error (error);
  *watch = other;
  g_object_add_weak_pointer (G_OBJECT (other), (gpointer *) watch);
  return other;
}

/* A weak pointer cleared, perhaps by the worker that let the last
 * reference go. */
static gboolean
is_null (gpointer watch)
{
  return g_atomic_pointer_get ((gpointer *) watch) == NULL;
}

static gboolean
not_running (gpointer data)
{
  return !otter_latest_job_get_running (data);
}

static OtterLatestJob *
job_new (void)
{
  reset_workers ();
  return g_object_new (TEST_TYPE_JOB, NULL);
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
  OtterModel *replaced;
  request_with (job, watched_model_new (&replaced), 2);
  g_object_unref (replaced);
  request (job, 3);
  /* the replaced request lets its model go at once, never computed */
  g_assert_null (replaced);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (otter_latest_job_get_running (job));
  g_assert_cmpuint (notified.running, ==, 1);
  g_assert_null (otter_latest_job_get_result (job));
  set_gate (TRUE);

  g_assert_true (wait_until (not_running, job, 30));
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
  g_assert_true (wait_until (not_running, job, 30));
  g_assert_cmpint (result_value (job), ==, 4);
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 2);
  g_assert_cmpint (g_atomic_int_get (&workers.results_freed), ==, 2);

  g_object_unref (job);
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
  g_assert_true (wait_until (not_running, job, 30));
  g_assert_cmpint (result_value (job), ==, 7);

  g_signal_connect (job, "notify", G_CALLBACK (notify_cb), &notified);
  set_gate (FALSE);
  OtterModel *running, *waiting;
  request_with (job, watched_model_new (&running), 8);
  g_object_unref (running);
  request_with (job, watched_model_new (&waiting), 9);
  g_object_unref (waiting);
  otter_latest_job_cancel (job);
  g_assert_null (waiting);
  /* libtorch cannot be interrupted: it runs until the worker returns */
  g_assert_true (otter_latest_job_get_running (job));
  g_assert_nonnull (running);
  set_gate (TRUE);
  g_assert_true (wait_until (not_running, job, 30));
  g_assert_true (wait_until (is_null, &running, 30));

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
  g_assert_true (wait_until (not_running, job, 30));
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
  g_assert_true (wait_until (not_running, job, 30));
  g_signal_connect (job, "notify", G_CALLBACK (notify_cb), &notified);
  request (job, -2);
  g_assert_true (wait_until (not_running, job, 30));
  g_assert_null (otter_latest_job_get_result (job));
  g_assert_cmpstr (otter_latest_job_get_error (job), ==, "No value -2");
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 2);
  g_assert_cmpuint (notified.result, ==, 1);
  g_assert_cmpuint (notified.error, ==, 1);
  g_assert_cmpuint (notified.serial, ==, 1);
  g_assert_cmpint (g_atomic_int_get (&workers.results_freed), ==, 1);

  request (job, 6);
  g_assert_true (wait_until (not_running, job, 30));
  g_assert_cmpint (result_value (job), ==, 6);
  g_assert_null (otter_latest_job_get_error (job));
  g_assert_cmpuint (otter_latest_job_get_serial (job), ==, 3);
  g_object_unref (job);
}

static gboolean
all_freed (gpointer watch)
{
  return is_null (watch) && g_atomic_int_get (&workers.results_freed) == 1;
}

/* A job let go while its worker runs does not wait for it: the run
 * finishes on its own and frees what it had. */
static void
test_dispose_while_running (void)
{
  OtterLatestJob *job = job_new ();

  OtterModel *held;

  set_gate (FALSE);
  request_with (job, watched_model_new (&held), 11);
  g_object_unref (held);
  g_object_unref (job);
  g_assert_cmpuint (n_computed (), ==, 0);
  g_assert_nonnull (held);
  set_gate (TRUE);
  g_assert_true (wait_until (all_freed, &held, 30));
  g_assert_cmpuint (n_computed (), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  dataset = otter_dataset_new_demo (OTTER_DEMO_DEFAULT_SEED, 4, OTTER_DEMO_IMAGE_SIZE);
  model = otter_model_new_builtin ("tiny", otter_dataset_get_class_names (dataset),
                                   OTTER_DEMO_IMAGE_SIZE, 1, &error);
  g_assert_no_error (error);
  g_test_add_func ("/otter/LatestJob/latest-wins", test_latest_wins);
  g_test_add_func ("/otter/LatestJob/cancel", test_cancel);
  g_test_add_func ("/otter/LatestJob/error", test_error);
  g_test_add_func ("/otter/LatestJob/dispose-while-running", test_dispose_while_running);
  int status = g_test_run ();
  g_clear_object (&model);
  g_clear_object (&dataset);
  return status;
}
