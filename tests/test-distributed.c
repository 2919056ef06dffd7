/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-distributed.c: data-parallel training on c10d, on the loopback
 *
 * The engine tests start this binary again as the workers of a group
 * (`--worker MODE RANK WORLD PORT OUT`), so that each rank is a process of
 * its own as in a real run; the CLI tests start otter-cli's workers.
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "otter-distributed.h"
#include "otter-torch.h"
#include "test-model-utils.h"
#include "test-synthetic-batch.h"

#define GLOBAL_BATCH 16
#define N_STEPS 3

static char *self_path;
static char *cli_path;
static char *work_dir;

/* ---- the worker ---------------------------------------------------------- */

/* Images [first, first + count) of a batch, with their boxes. */
static OtterTorchBatch
batch_slice (const TestBatch *tb, int first, int count, int *box_start)
{
  for (int i = 0; i <= count; i++)
    box_start[i] = tb->box_start[first + i] - tb->box_start[first];
  return (OtterTorchBatch) { count, SIZE, tb->images + (gsize) first * 3 * SIZE * SIZE,
                             tb->boxes + tb->box_start[first], box_start };
}

/* MODE: "shard" trains this rank's half of a global batch; "whole" trains
 * a whole batch of GLOBAL_BATCH / 2 on every rank (and, alone, in one
 * process); "one" is one process on the whole global batch. Prints each
 * step's loss, stores the model at OUT. */
static int
run_worker (const char *mode, int rank, int world, int port, const char *out)
{
  g_autoptr (GError) error = NULL;
  otter_torch_set_threads (1);
  g_autoptr (OtterTorchGroup) group = NULL;
  if (world > 1)
    {
      group = otter_torch_group_new ("127.0.0.1", port, rank, world, 60, &error);
      g_assert_no_error (error);
    }
  g_autoptr (TestBatch) tb = test_batch_new (GLOBAL_BATCH, 7);
  int box_start[GLOBAL_BATCH + 1];
  int per_rank = GLOBAL_BATCH / 2;
  OtterTorchBatch batch = g_str_equal (mode, "shard") ? batch_slice (tb, rank * per_rank, per_rank, box_start)
                        : g_str_equal (mode, "whole") ? batch_slice (tb, 0, per_rank, box_start)
                        : tb->batch;
  /* Different initial weights on each rank: the group starts from rank 0's. */
  g_autoptr (OtterTorchModel) model = otter_torch_model_new ("tiny", class_names, SIZE, 11 + rank, &error);
  g_assert_no_error (error);
  OtterTorchTrainParams params;
  otter_torch_train_params_init (&params);
  params.method = g_str_equal (mode, "whole") ? OTTER_METHOD_OT : OTTER_METHOD_STANDARD;
  params.total_steps = N_STEPS;
  params.warmup_steps = 0;
  params.lr = 0.002;
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (model, &params, &error);
  g_assert_no_error (error);
  otter_torch_trainer_set_group (trainer, group);
  g_assert_true (otter_torch_trainer_broadcast_state (trainer, &error));
  g_assert_no_error (error);
  for (int s = 0; s < N_STEPS; s++)
    {
      OtterTorchStepResult r;
      g_assert_true (otter_torch_trainer_step (trainer, &batch, 100 + s, &r, &error));
      g_assert_no_error (error);
      g_print ("%.9g %.9g\n", r.loss, r.grad_norm);
    }
  g_assert_true (otter_torch_model_save (model, out, NULL, &error));
  g_assert_no_error (error);
  return 0;
}

/* ---- the workers' side, from the tests ----------------------------------- */

static int
free_port (void)
{
  g_autoptr (GError) error = NULL;
  int port = otter_distributed_pick_local_port (&error);
  g_assert_no_error (error);
  return port;
}

typedef struct
{
  char   *model;
  double  losses[N_STEPS];
} WorkerResult;

/* Runs `world` workers of MODE (one process when world is 1) and waits. */
static void
run_workers (const char *mode, int world, WorkerResult *results)
{
  int port = free_port ();
  GSubprocess *procs[2] = { NULL, NULL };
  g_assert_cmpint (world, <=, 2);
  for (int rank = 0; rank < world; rank++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("%s-%d-of-%d.otter", mode, rank, world);
      results[rank].model = g_build_filename (work_dir, name, NULL);
      g_autofree char *rank_s = g_strdup_printf ("%d", rank), *world_s = g_strdup_printf ("%d", world);
      g_autofree char *port_s = g_strdup_printf ("%d", port);
      procs[rank] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_path, "--worker", mode,
                                      rank_s, world_s, port_s, results[rank].model, NULL);
      g_assert_no_error (error);
    }
  for (int rank = 0; rank < world; rank++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *out = NULL;
      g_assert_true (g_subprocess_communicate_utf8 (procs[rank], NULL, NULL, &out, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (procs[rank]));
      g_assert_cmpint (g_subprocess_get_exit_status (procs[rank]), ==, 0);
      g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), >=, N_STEPS);
      for (int s = 0; s < N_STEPS; s++)
        results[rank].losses[s] = g_ascii_strtod (lines[s], NULL);
      g_object_unref (procs[rank]);
    }
}

static GBytes *
file_bytes (const char *path)
{
  g_autoptr (GMappedFile) f = g_mapped_file_new (path, FALSE, NULL);
  g_assert_nonnull (f);
  return g_mapped_file_get_bytes (f);
}

static void
worker_result_clear (WorkerResult *r)
{
  g_unlink (r->model);
  g_free (r->model);
}

/* ---- the engine ----------------------------------------------------------- */

/* Two ranks, each on its half of the batch, from different initial
 * weights: after N steps both hold the same model to the bit, and report
 * the same (mean) losses. */
static void
test_ranks_agree (void)
{
  WorkerResult r[2];
  run_workers ("shard", 2, r);
  g_autoptr (GBytes) a = file_bytes (r[0].model), b = file_bytes (r[1].model);
  g_assert_true (g_bytes_equal (a, b));
  for (int s = 0; s < N_STEPS; s++)
    g_assert_cmpfloat (r[0].losses[s], ==, r[1].losses[s]);
  worker_result_clear (&r[0]);
  worker_result_clear (&r[1]);
}

/* Two ranks that train the same batch average two equal gradients, which
 * in floating point gives that gradient back exactly: the model and the
 * losses are those of one process, to the bit (OT method, so the attack
 * and its Sinkhorn solve are covered too). */
static void
test_same_batch_is_one_process (void)
{
  WorkerResult two[2], one[1];
  run_workers ("whole", 2, two);
  run_workers ("whole", 1, one);
  g_autoptr (GBytes) a = file_bytes (two[0].model), b = file_bytes (one[0].model);
  g_assert_true (g_bytes_equal (a, b));
  for (int s = 0; s < N_STEPS; s++)
    g_assert_cmpfloat (two[0].losses[s], ==, one[0].losses[s]);
  worker_result_clear (&two[0]);
  worker_result_clear (&two[1]);
  worker_result_clear (&one[0]);
}

/* Sharded, the ranks' batch norm normalises over their own half batch
 * (METHOD.md): the losses stay close to one process on the global batch,
 * not equal. */
static void
test_shards_near_one_process (void)
{
  WorkerResult two[2], one[1];
  run_workers ("shard", 2, two);
  run_workers ("one", 1, one);
  for (int s = 0; s < N_STEPS; s++)
    {
      double rel = fabs (two[0].losses[s] - one[0].losses[s]) / fabs (one[0].losses[s]);
      g_test_message ("step %d: two ranks %.6f, one process %.6f (%.2f%%)", s + 1, two[0].losses[s],
                      one[0].losses[s], 100 * rel);
      g_assert_cmpfloat (rel, <, 0.05);
    }
  worker_result_clear (&two[0]);
  worker_result_clear (&two[1]);
  worker_result_clear (&one[0]);
}

static void
test_group_bad_arguments (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_null (otter_torch_group_new ("127.0.0.1", 29500, 0, 0, 10, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (otter_torch_group_new ("127.0.0.1", 29500, 2, 2, 10, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (otter_torch_group_new ("127.0.0.1", 0, 0, 2, 10, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* nobody serves this port: rank 1 says where it looked, within the timeout */
  int port = free_port ();
  gint64 start = g_get_monotonic_time ();
  g_assert_null (otter_torch_group_new ("127.0.0.1", port, 1, 2, 2, &error));
  g_assert_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_DISTRIBUTED);
  g_autofree char *where = g_strdup_printf ("127.0.0.1:%d", port);
  g_assert_nonnull (strstr (error->message, where));
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 30);
}

/* ---- otter-cli ------------------------------------------------------------ */

static GSubprocess *
start_cli (const char *const *env, GSubprocessFlags flags, const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  va_list args;
  g_ptr_array_add (argv, cli_path);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  for (int i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  g_autoptr (GError) error = NULL;
  GSubprocess *p = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return p;
}

static char *
finish_cli (GSubprocess *p, int *status)
{
  g_autofree char *out = NULL;
  char *err = NULL;
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, NULL));
  *status = g_subprocess_get_if_exited (p) ? g_subprocess_get_exit_status (p) : 128;
  g_test_message ("status %d, stderr: %s", *status, err);
  return err;
}

static JsonObject *
read_config (const char *run_dir, JsonParser *parser)
{
  g_autofree char *path = g_build_filename (run_dir, "config.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  return json_node_get_object (json_parser_get_root (parser));
}

static guint
count_epoch_records (const char *run_dir)
{
  g_autofree char *path = g_build_filename (run_dir, "metrics.jsonl", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  guint n = 0;
  for (const char *p = text; (p = strstr (p, "\"kind\":\"epoch\"")) != NULL; p++)
    n++;
  return n;
}

/* Kills rank 1 in the second epoch: rank 0 fails soon after, with a
 * message, long before its timeout; --resume with one process goes on
 * from the checkpoint of epoch 1 with the history kept. */
static void
test_cli_lost_worker_and_resume (void)
{
  g_autofree char *run_dir = g_build_filename (work_dir, "lost-worker", NULL);
  g_autofree char *port = g_strdup_printf ("%d", free_port ());
  const char *env0[] = { "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", port, "WORLD_SIZE", "2", "RANK", "0", NULL };
  const char *env1[] = { "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", port, "WORLD_SIZE", "2", "RANK", "1", NULL };
  GSubprocessFlags quiet = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  g_autoptr (GSubprocess) r0 = start_cli (env0, quiet, "train", "--data", "demo:96", "--epochs", "30",
                                          "--loss-threshold", "0.01", "--threads", "1", "--distributed",
                                          "--dist-timeout", "120", "--run-dir", run_dir, NULL);
  g_autoptr (GSubprocess) r1 = start_cli (env1, quiet, "train", "--data", "demo:96", "--epochs", "30",
                                          "--loss-threshold", "0.01", "--threads", "1", "--distributed",
                                          "--dist-timeout", "120", NULL);
  /* wait for the first epoch's record, then kill rank 1 */
  g_autofree char *metrics = g_build_filename (run_dir, "metrics.jsonl", NULL);
  for (int i = 0; i < 2400 && (!g_file_test (metrics, G_FILE_TEST_EXISTS) || count_epoch_records (run_dir) < 1); i++)
    g_usleep (50 * 1000);
  g_assert_cmpuint (count_epoch_records (run_dir), >=, 1);
  g_subprocess_force_exit (r1);
  gint64 killed = g_get_monotonic_time ();
  int status;
  g_autofree char *err = finish_cli (r0, &status);
  double waited = (g_get_monotonic_time () - killed) / 1e6;
  g_test_message ("rank 0 ended %.1f s after rank 1 was killed", waited);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "rank 0 of 2 lost the group"));
  g_assert_cmpfloat (waited, <, 120);
  g_subprocess_wait (r1, NULL, NULL);
  guint epochs_before = count_epoch_records (run_dir);

  g_autoptr (GSubprocess) resumed = start_cli (NULL, quiet, "train", "--resume", run_dir, "--nproc", "1",
                                               "--json", NULL);
  g_autofree char *err2 = finish_cli (resumed, &status);
  /* τ = 0.01 is out of reach: the run ends "not converged" after 30 epochs */
  g_assert_cmpint (status, ==, 2);
  g_assert_cmpuint (count_epoch_records (run_dir), ==, 30);
  g_assert_cmpuint (epochs_before, <, 30);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_cmpint (json_object_get_int_member (read_config (run_dir, parser), "world_size"), ==, 1);
}

/* A worker that hangs (stopped, its sockets open) makes the other fail
 * once the timeout has passed, not before and not forever. */
static void
test_cli_hung_worker (void)
{
  g_autofree char *run_dir = g_build_filename (work_dir, "hung-worker", NULL);
  g_autofree char *port = g_strdup_printf ("%d", free_port ());
  const char *env0[] = { "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", port, "WORLD_SIZE", "2", "RANK", "0", NULL };
  const char *env1[] = { "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", port, "WORLD_SIZE", "2", "RANK", "1", NULL };
  GSubprocessFlags quiet = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  g_autoptr (GSubprocess) r0 = start_cli (env0, quiet, "train", "--data", "demo:96", "--epochs", "30",
                                          "--loss-threshold", "0.01", "--threads", "1", "--distributed",
                                          "--dist-timeout", "8", "--run-dir", run_dir, NULL);
  g_autoptr (GSubprocess) r1 = start_cli (env1, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                          "train", "--data", "demo:96", "--epochs", "30",
                                          "--loss-threshold", "0.01", "--threads", "1", "--distributed",
                                          "--dist-timeout", "8", NULL);
  g_autofree char *metrics = g_build_filename (run_dir, "metrics.jsonl", NULL);
  for (int i = 0; i < 2400 && (!g_file_test (metrics, G_FILE_TEST_EXISTS) || count_epoch_records (run_dir) < 1); i++)
    g_usleep (50 * 1000);
  g_assert_cmpuint (count_epoch_records (run_dir), >=, 1);
  g_subprocess_send_signal (r1, SIGSTOP);
  gint64 stopped = g_get_monotonic_time ();
  int status;
  g_autofree char *err = finish_cli (r0, &status);
  double waited = (g_get_monotonic_time () - stopped) / 1e6;
  g_test_message ("rank 0 ended %.1f s after rank 1 stopped (timeout 8 s)", waited);
  g_subprocess_force_exit (r1);
  g_subprocess_send_signal (r1, SIGCONT);
  g_subprocess_wait (r1, NULL, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "lost the group"));
  g_assert_cmpfloat (waited, >=, 7);
  g_assert_cmpfloat (waited, <, 60);
}

/* Workers that do not agree, or cannot meet, say so and write nothing. */
static void
test_cli_bad_groups (void)
{
  g_autofree char *run_dir = g_build_filename (work_dir, "never", NULL);
  g_autofree char *port = g_strdup_printf ("%d", free_port ());
  GSubprocessFlags quiet = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  int status;

  const char *zero[] = { "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", port, "WORLD_SIZE", "0", "RANK", "0", NULL };
  g_autoptr (GSubprocess) p = start_cli (zero, quiet, "train", "--data", "demo:32", "--distributed",
                                         "--run-dir", run_dir, NULL);
  g_autofree char *err = finish_cli (p, &status);
  g_assert_cmpint (status, ==, 64);
  g_assert_nonnull (strstr (err, "WORLD_SIZE"));

  /* rank 1 alone, nobody serving its port */
  const char *lonely[] = { "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", port, "WORLD_SIZE", "2", "RANK", "1", NULL };
  g_autoptr (GSubprocess) q = start_cli (lonely, quiet, "train", "--data", "demo:32", "--distributed",
                                         "--dist-timeout", "3", "--run-dir", run_dir, NULL);
  g_autofree char *err2 = finish_cli (q, &status);
  g_assert_cmpint (status, ==, 1);
  g_autofree char *where = g_strdup_printf ("127.0.0.1:%s", port);
  g_assert_nonnull (strstr (err2, where));

  /* two ranks on different models */
  const char *env0[] = { "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", port, "WORLD_SIZE", "2", "RANK", "0", NULL };
  const char *env1[] = { "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", port, "WORLD_SIZE", "2", "RANK", "1", NULL };
  g_autoptr (GSubprocess) a = start_cli (env0, quiet, "train", "--data", "demo:32", "--distributed",
                                         "--dist-timeout", "60", "--run-dir", run_dir, NULL);
  g_autoptr (GSubprocess) b = start_cli (env1, quiet, "train", "--data", "demo:32", "--arch", "small",
                                         "--distributed", "--dist-timeout", "60", NULL);
  g_autofree char *err_a = finish_cli (a, &status);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err_a, "every rank must train the same thing"));
  g_autofree char *err_b = finish_cli (b, &status);
  g_assert_cmpint (status, ==, 1);

  /* a batch that does not split */
  g_autoptr (GSubprocess) c = start_cli (NULL, quiet, "train", "--data", "demo:32", "--nproc", "2",
                                         "--batch-size", "5", "--run-dir", run_dir, NULL);
  g_autofree char *err_c = finish_cli (c, &status);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err_c, "multiple of 2 and at least 4"));

  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
}

/* The demo trains to convergence with two local workers, as with one. */
static void
test_cli_nproc_converges (void)
{
  g_autofree char *run_dir = g_build_filename (work_dir, "nproc-2", NULL);
  g_autoptr (GSubprocess) p = start_cli (NULL, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                         "train", "--data", "demo", "--nproc", "2", "--json",
                                         "--run-dir", run_dir, NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, NULL));
  g_test_message ("%s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, strchr (out, '{'), -1, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "converged");
  g_assert_cmpfloat (json_object_get_double_member (o, "val_map50"), >=, 0.8);
  g_autoptr (JsonParser) config_parser = json_parser_new ();
  g_assert_cmpint (json_object_get_int_member (read_config (run_dir, config_parser), "world_size"), ==, 2);
  g_autofree char *model = g_build_filename (run_dir, "model.otter", NULL);
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));
}

int
main (int argc, char *argv[])
{
  if (argc == 7 && g_str_equal (argv[1], "--worker"))
    return run_worker (argv[2], atoi (argv[3]), atoi (argv[4]), atoi (argv[5]), argv[6]);

  g_test_init (&argc, &argv, NULL);
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  cli_path = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "otter-cli", NULL);
  work_dir = g_dir_make_tmp ("otter-distributed-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", work_dir, TRUE);
  g_setenv ("OTTER_PLAIN_PROGRESS", "1", TRUE);
  if (!otter_torch_group_available ())
    {
      g_test_skip ("this build has no c10d Gloo backend");
      return g_test_run ();
    }

  g_test_add_func ("/otter/Distributed/ranks-agree", test_ranks_agree);
  g_test_add_func ("/otter/Distributed/same-batch-is-one-process", test_same_batch_is_one_process);
  g_test_add_func ("/otter/Distributed/shards-near-one-process", test_shards_near_one_process);
  g_test_add_func ("/otter/Distributed/group-bad-arguments", test_group_bad_arguments);
  g_test_add_func ("/otter/Distributed/cli-bad-groups", test_cli_bad_groups);
  g_test_add_func ("/otter/Distributed/cli-lost-worker-and-resume", test_cli_lost_worker_and_resume);
  g_test_add_func ("/otter/Distributed/cli-hung-worker", test_cli_hung_worker);
  g_test_add_func ("/otter/Distributed/cli-nproc-converges", test_cli_nproc_converges);
  return g_test_run ();
}
