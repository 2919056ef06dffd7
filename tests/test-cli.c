/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli.c: otter-cli as users and scripts run it: exit codes, one-line
 * errors, JSON results, and a run killed with SIGKILL that resumes. */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/wait.h>
#include <string.h>

static char *cli_path;
static char *fixtures;
static char *work_dir;

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_free (CliResult *r)
{
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliResult, cli_result_free)

static CliResult *
run_cli (const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  va_list args;
  g_ptr_array_add (argv, cli_path);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  CliResult *r = g_new0 (CliResult, 1);
  g_autoptr (GError) error = NULL;
  int wait_status = 0;
  g_assert_true (g_spawn_sync (work_dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  r->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
  return r;
}

/* A user-facing failure: non-zero exit, one "otter-cli:" line naming the
 * problem, nothing on stdout. */
static void
assert_clean_failure (CliResult *r, const char *expected)
{
  g_test_message ("stderr: %s", r->err);
  g_assert_cmpint (r->status, !=, 0);
  g_assert_cmpint (r->status, <, 128);            /* no crash */
  g_assert_nonnull (strstr (r->err, "otter-cli: "));
  g_assert_nonnull (strstr (r->err, expected));
  g_assert_null (strstr (r->err, "CRITICAL"));
  g_assert_null (strstr (r->err, "libtorch:"));
}

static char *
fixture (const char *relative)
{
  return g_build_filename (fixtures, relative, NULL);
}

static void
test_usage (void)
{
  g_autoptr (CliResult) help = run_cli ("--help", NULL);
  g_assert_cmpint (help->status, ==, 0);
  g_assert_nonnull (strstr (help->out, "train"));
  const char *commands[] = { "train", "eval", "perturb", "detect", "video", "export", "weights" };
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr (CliResult) r = run_cli (commands[i], "--help", NULL);
      g_assert_cmpint (r->status, ==, 0);
      g_assert_nonnull (strstr (r->out, "Usage:"));
    }
  g_autoptr (CliResult) bad = run_cli ("frobnicate", NULL);
  g_assert_cmpint (bad->status, ==, 64);
  g_autoptr (CliResult) opt = run_cli ("train", "--epochs", "many", NULL);
  g_assert_cmpint (opt->status, ==, 64);
}

static void
test_train_bad_input (void)
{
  g_autoptr (CliResult) missing = run_cli ("train", "--data", "does/not/exist", "--json", NULL);
  assert_clean_failure (missing, "does/not/exist");
  /* --json still ends stdout with the status object */
  g_autoptr (JsonNode) node = json_from_string (missing->out, NULL);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "status"), ==, "failed");

  g_autoptr (CliResult) epochs = run_cli ("train", "--data", "demo", "--epochs", "-3", NULL);
  assert_clean_failure (epochs, "epochs");
  g_autoptr (CliResult) method = run_cli ("train", "--method", "magic", NULL);
  assert_clean_failure (method, "magic");
  g_autoptr (CliResult) eps = run_cli ("train", "--epsilon", "300/255", NULL);
  assert_clean_failure (eps, "epsilon");
  g_autoptr (CliResult) lr = run_cli ("train", "--data", "demo:20", "--lr", "-1", NULL);
  assert_clean_failure (lr, "--lr");

  g_autofree char *bad_json = fixture ("datasets/coco/annotations/malformed.json");
  if (g_file_test (bad_json, G_FILE_TEST_EXISTS))
    {
      g_autoptr (CliResult) r = run_cli ("train", "--data", bad_json, NULL);
      assert_clean_failure (r, "malformed.json");
    }
}

/* Out-of-range values are usage errors (64) that name the flag; none is
 * quietly replaced by its default. */
static void
test_train_out_of_range (void)
{
  static const char *const cases[][2] = {
    { "--epochs", "0" }, { "--batch-size", "0" }, { "--loss-threshold", "0" }, { "--val-fraction", "-0.5" },
    { "--val-fraction", "nan" }, { "--seed", "-2" }, { "--ot-steps", "-3" }, { "--sinkhorn-reg", "-1" },
    { "--sinkhorn-reg", "nan" }, { "--threads", "1000" }, { "--lr", "inf" }, { "--mosaic", "2" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (CliResult) r = run_cli ("train", "--data", "demo:20", cases[i][0], cases[i][1], NULL);
      assert_clean_failure (r, cases[i][0]);
      g_assert_cmpint (r->status, ==, 64);
    }
  g_autoptr (CliResult) extra = run_cli ("train", "--data", "demo:20", "surplus", NULL);
  g_assert_cmpint (extra->status, ==, 64);
  g_autoptr (CliResult) method = run_cli ("train", "--data", "demo:20", "--method", "foo", NULL);
  g_assert_cmpint (method->status, ==, 64);
  g_autoptr (CliResult) both = run_cli ("train", "--resume", "somewhere", "--run-dir", "elsewhere", NULL);
  assert_clean_failure (both, "--run-dir");
  g_assert_cmpint (both->status, ==, 64);
}

/* A dataset with some broken samples trains on the good ones and says how
 * many were skipped and why. */
static void
test_train_skips_bad_samples (void)
{
  g_autofree char *voc = fixture ("datasets/voc");
  g_autofree char *run_dir = g_build_filename (work_dir, "run-voc", NULL);
  g_autoptr (CliResult) r = run_cli ("train", "--data", voc, "--epochs", "1", "--val-fraction", "0",
                                     "--input-size", "64", "--run-dir", run_dir, "--json", "--threads", "2", NULL);
  g_test_message ("%s", r->err);
  g_assert_cmpint (r->status, <, 128);
  g_assert_cmpint (r->status, !=, 1);
  g_autoptr (JsonNode) node = json_from_string (r->out, NULL);
  g_assert_nonnull (node);
  JsonObject *o = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (o, "epochs"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "skipped"), >=, 10);
  g_assert_cmpint (json_object_get_int_member (o, "checkpoint_failures"), ==, 0);
  g_assert_true (json_object_get_null_member (o, "checkpoint_error"));
  g_assert_nonnull (strstr (r->err, "malformed.xml"));
  g_assert_nonnull (strstr (r->err, "skipped"));
}

/* A dataset whose images all lie outside its folder: the failure says so
 * and names the flag that reads them; every dataset command has it. */
static void
test_outside_root (void)
{
  g_autofree char *xml = g_build_filename (work_dir, "outside", "annotations", "a.xml", NULL);
  g_autofree char *dir = g_path_get_dirname (xml);
  g_autofree char *root = g_path_get_dirname (dir);
  g_autofree char *image = fixture ("datasets/voc/images/good.png");
  g_autofree char *text = g_strdup_printf ("<annotation><path>%s</path><object><name>cat</name><bndbox>"
                                           "<xmin>1</xmin><ymin>1</ymin><xmax>20</xmax><ymax>20</ymax>"
                                           "</bndbox></object></annotation>", image);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (xml, text, -1, NULL));

  g_autoptr (CliResult) r = run_cli ("train", "--data", root, "--epochs", "1", NULL);
  assert_clean_failure (r, "lie outside its folder");
  g_assert_nonnull (strstr (r->err, "--allow-outside-root"));
  g_assert_nonnull (strstr (r->err, "annotations/a.xml: its image"));

  const char *commands[] = { "train", "eval", "perturb" };
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr (CliResult) help = run_cli (commands[i], "--help", NULL);
      g_assert_nonnull (strstr (help->out, "--allow-outside-root"));
    }
}

static void
test_eval_bad_model (void)
{
  g_autofree char *not_model = g_build_filename (work_dir, "not-a-model.otter", NULL);
  g_assert_true (g_file_set_contents (not_model, "this is text", -1, NULL));
  g_autoptr (CliResult) r = run_cli ("eval", "--model", not_model, "--data", "demo:8", NULL);
  assert_clean_failure (r, "not an Otter model");
  g_autoptr (CliResult) missing = run_cli ("eval", "--model", "nowhere.otter", "--data", "demo:8", NULL);
  assert_clean_failure (missing, "nowhere.otter");
  g_autoptr (CliResult) usage = run_cli ("eval", "--data", "demo:8", NULL);
  assert_clean_failure (usage, "--model");
}

static char *
read_end_status (const char *run_dir)
{
  g_autofree char *path = g_build_filename (run_dir, "metrics.jsonl", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  char *status = NULL;
  for (guint i = 0; lines[i]; i++)
    if (strstr (lines[i], "\"kind\":\"end\"") != NULL)
      {
        g_autoptr (JsonNode) node = json_from_string (lines[i], NULL);
        g_free (status);
        status = g_strdup (json_object_get_string_member (json_node_get_object (node), "status"));
      }
  return status;
}

/* Train, store, evaluate and detect with one small model; then a run
 * killed with SIGKILL after its first checkpoint resumes to the end. */
static void
test_train_eval_resume (void)
{
  g_autofree char *run_dir = g_build_filename (work_dir, "run-a", NULL);
  g_autoptr (CliResult) r = run_cli ("train", "--data", "demo:64", "--epochs", "1", "--loss-threshold", "1000",
                                     "--run-dir", run_dir, "--json", "--threads", "2", NULL);
  g_test_message ("%s", r->err);
  g_assert_cmpint (r->status, ==, 0);
  g_autoptr (JsonNode) node = json_from_string (r->out, NULL);
  JsonObject *o = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "converged");
  g_assert_cmpint (json_object_get_int_member (o, "epochs"), ==, 1);
  const char *model = json_object_get_string_member (o, "model");
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));

  g_autoptr (CliResult) ev = run_cli ("eval", "--model", model, "--data", "demo:16", "--attack", "none,fgsm",
                                      "--json", "--threads", "2", NULL);
  g_assert_cmpint (ev->status, ==, 0);
  g_autoptr (JsonNode) evn = json_from_string (ev->out, NULL);
  JsonObject *eo = json_node_get_object (evn);
  g_assert_true (json_object_has_member (eo, "map50"));
  g_assert_true (json_object_has_member (json_object_get_object_member (eo, "attacks"), "fgsm"));
  g_assert_true (json_object_has_member (json_object_get_object_member (eo, "per_class"), "circle"));

  /* kill -9 once the first checkpoint is on disk */
  g_autofree char *killed = g_build_filename (work_dir, "run-killed", NULL);
  g_autofree char *last = g_build_filename (killed, "checkpoints", "last.ckpt", NULL);
  const char *argv[] = { cli_path, "train", "--data", "demo:96", "--epochs", "4", "--loss-threshold", "0.0001",
                         "--run-dir", killed, "--threads", "2", NULL };
  GPid pid;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_async (work_dir, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 6000 && !g_file_test (last, G_FILE_TEST_EXISTS); i++)
    g_usleep (50 * 1000);
  g_assert_true (g_file_test (last, G_FILE_TEST_EXISTS));
  g_usleep (300 * 1000);           /* let it get into the next epoch */
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  g_autofree char *status_before = read_end_status (killed);
  g_assert_null (status_before);   /* no end record: it really died mid-run */

  g_autoptr (CliResult) resumed = run_cli ("train", "--resume", killed, "--json", "--threads", "2", NULL);
  g_test_message ("%s", resumed->err);
  g_assert_cmpint (resumed->status, ==, 2);   /* not converged at this τ */
  g_autoptr (JsonNode) rn = json_from_string (resumed->out, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (rn), "epochs"), ==, 4);
  g_autofree char *status_after = read_end_status (killed);
  g_assert_cmpstr (status_after, ==, "not-converged");

  /* every step recorded exactly once, in order */
  g_autofree char *metrics = g_build_filename (killed, "metrics.jsonl", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (metrics, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gint64 expected = 1;
  for (guint i = 0; lines[i]; i++)
    if (strstr (lines[i], "\"kind\":\"step\"") != NULL)
      {
        g_autoptr (JsonNode) step = json_from_string (lines[i], NULL);
        g_assert_cmpint (json_object_get_int_member (json_node_get_object (step), "step"), ==, expected);
        expected++;
      }
  g_assert_cmpint (expected - 1, ==, json_object_get_int_member (json_node_get_object (rn), "steps"));
}

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  /* model files hold NUL bytes, where g_strstr_len would stop */
  gsize n = strlen (needle);
  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* Starting weights for the backbone: refused cleanly before anything is
 * created, and followed through training, the model file and export. */
static void
test_train_backbone_weights (void)
{
  g_autofree char *run_dir = g_build_filename (work_dir, "run-weights", NULL);
  g_autoptr (CliResult) tiny = run_cli ("train", "--data", "demo:20", "--pretrained", "--run-dir", run_dir, NULL);
  assert_clean_failure (tiny, "no ImageNet weights for “tiny”");
  g_autoptr (CliResult) both = run_cli ("train", "--arch", "resnet18", "--pretrained",
                                        "--backbone-weights", "x.pth", NULL);
  assert_clean_failure (both, "give one");
  g_autoptr (CliResult) missing = run_cli ("train", "--data", "demo:20", "--arch", "resnet18",
                                           "--backbone-weights", "absent-weights.pth", "--run-dir", run_dir, NULL);
  assert_clean_failure (missing, "absent-weights.pth");
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));

  /* offline: the error names the URL and where to put the file by hand */
  g_autofree char *torch_home = g_build_filename (work_dir, "torch-home", NULL);
  g_setenv ("TORCH_HOME", torch_home, TRUE);
  g_setenv ("OTTER_WEIGHTS_BASE_URL", "http://127.0.0.1:1/models", TRUE);
  g_autoptr (CliResult) offline = run_cli ("train", "--data", "demo:20", "--arch", "resnet18", "--pretrained",
                                           "--run-dir", run_dir, NULL);
  g_unsetenv ("OTTER_WEIGHTS_BASE_URL");
  g_unsetenv ("TORCH_HOME");
  assert_clean_failure (offline, "http://127.0.0.1:1/models/resnet18-f37072fd.pth");
  g_assert_nonnull (strstr (offline->err, "hub/checkpoints/resnet18-f37072fd.pth"));
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));

  /* a torchvision state_dict, written by torchvision itself */
  const char *python = g_getenv ("OTTER_TORCH_PYTHON");
  if (python == NULL || *python == '\0')
    {
      g_test_skip ("python3-torchvision is not installed (OTTER_TORCH_PYTHON is unset)");
      return;
    }
  g_autofree char *ref_dir = g_build_filename (work_dir, "torchvision", NULL);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "tools", "torchvision_backbones.py", NULL);
  const char *py_argv[] = { python, script, "--arch", "mobilenet_v3_large", "--out", ref_dir, NULL };
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) py_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_autoptr (GDir) dir = g_dir_open (ref_dir, 0, NULL);
  g_autofree char *weights = NULL;
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    if (g_str_has_suffix (name, ".pth"))
      weights = g_build_filename (ref_dir, name, NULL);
  g_assert_nonnull (weights);

  g_autoptr (CliResult) r = run_cli ("train", "--data", "demo:20", "--arch", "mobilenet_v3_large",
                                     "--backbone-weights", weights, "--input-size", "64", "--epochs", "1",
                                     "--freeze-backbone-epochs", "1", "--run-dir", run_dir, "--json",
                                     "--threads", "2", NULL);
  g_test_message ("%s", r->err);
  g_assert_cmpint (r->status, ==, 2);            /* one epoch: not converged, but trained */
  g_autofree char *ckpt = g_build_filename (run_dir, "checkpoints", "last.ckpt", NULL);
  g_autofree char *base = g_path_get_basename (weights);
  g_assert_true (file_contains (ckpt, base));
  g_autofree char *config = g_build_filename (run_dir, "config.json", NULL);
  g_assert_true (file_contains (config, "\"freeze_backbone_epochs\" : 1"));
  g_assert_true (file_contains (config, "\"backbone_lr_scale\" : 0.1"));

  g_autofree char *pth = g_build_filename (work_dir, "exported.pth", NULL);
  g_autofree char *json = g_build_filename (work_dir, "exported.json", NULL);
  g_autoptr (CliResult) e = run_cli ("export", "--model", ckpt, "--out", pth, NULL);
  g_test_message ("%s", e->err);
  g_assert_cmpint (e->status, ==, 0);
  g_assert_true (g_file_test (pth, G_FILE_TEST_IS_REGULAR));
  g_assert_true (file_contains (json, "mobilenet_v3"));
  g_autoptr (CliResult) bad = run_cli ("export", "--model", weights, "--out", pth, NULL);
  assert_clean_failure (bad, "not an Otter model");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  cli_path = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "otter-cli", NULL);
  fixtures = g_test_build_filename (G_TEST_DIST, "fixtures", NULL);
  work_dir = g_dir_make_tmp ("otter-cli-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", work_dir, TRUE);
  g_setenv ("OTTER_PLAIN_PROGRESS", "1", TRUE);

  g_test_add_func ("/otter/Cli/usage", test_usage);
  g_test_add_func ("/otter/Cli/train-bad-input", test_train_bad_input);
  g_test_add_func ("/otter/Cli/train-out-of-range", test_train_out_of_range);
  g_test_add_func ("/otter/Cli/train-skips-bad-samples", test_train_skips_bad_samples);
  g_test_add_func ("/otter/Cli/outside-root", test_outside_root);
  g_test_add_func ("/otter/Cli/eval-bad-model", test_eval_bad_model);
  g_test_add_func ("/otter/Cli/train-eval-resume", test_train_eval_resume);
  g_test_add_func ("/otter/Cli/train-backbone-weights", test_train_backbone_weights);
  return g_test_run ();
}
