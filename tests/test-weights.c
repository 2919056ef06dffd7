/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-weights.c: pretrained weights in torch.hub's cache, downloaded from a
 * local server (tools/weights_server.py) that can also fail on demand: a
 * 404, a connection cut mid-body, a body that stalls, a port nobody listens
 * on. Whatever fails, nothing may be left in the cache. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "otter-error.h"
#include "otter-torch.h"
#include "otter-weights.h"

/* No single wait in this file may take longer. */
#define WAIT_S 60

static GThread *main_thread;
static char *cli_path;
/* TORCH_HOME, set once before any thread exists and emptied after each
 * test; the server's address reaches otter-cli through its environment. */
static char *torch_home;

typedef struct
{
  char        *dir;          /* everything of the test, removed at the end */
  char        *serve_dir;    /* what the server serves */
  char        *cache_dir;    /* $TORCH_HOME/hub/checkpoints */
  GSubprocess *server;
  char        *base_url;     /* http://127.0.0.1:PORT */
  GBytes      *payload;      /* served under good_name and bad_name */
  char        *good_name;    /* x-<its SHA-256 prefix>.pth */
  char        *bad_name;     /* y-<a hash it does not have>.pth */
  char        *good_url;
  char        *bad_url;
} Fixture;

/* ---- helpers ----------------------------------------------------------- */

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until *done, failing the test after WAIT_S. */
static void
wait_for (const gboolean *done,
          const char     *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_S, flag_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  if (!*done)
    g_error ("timed out after %d s waiting for %s", WAIT_S, what);
}

typedef struct
{
  gboolean  done;
  char     *line;
} LineRead;

static void
read_line_cb (GObject      *stream,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;
  g_autoptr (GError) error = NULL;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (stream), result, NULL, &error);
  g_assert_no_error (error);
  read->done = TRUE;
}

static void
server_start (Fixture *f)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "tools", "weights_server.py", NULL);
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  LineRead read = { FALSE, NULL };
  char *end = NULL;
  guint64 port;

  g_assert_nonnull (python);
  /* stdin stays open: the server exits when this process does. */
  f->server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                python, script, f->serve_dir, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &read);
  wait_for (&read.done, "the weights server to start");
  g_assert_nonnull (read.line);
  port = g_ascii_strtoull (read.line, &end, 10);
  g_assert_true (end != read.line && *end == '\0' && port > 0 && port < 65536);
  f->base_url = g_strdup_printf ("http://127.0.0.1:%u", (guint) port);
  g_free (read.line);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
server_stop (Fixture *f)
{
  gboolean exited = FALSE;

  if (f->server == NULL)
    return;
  g_subprocess_force_exit (f->server);
  g_subprocess_wait_async (f->server, NULL, wait_cb, &exited);
  wait_for (&exited, "the weights server to exit");
  g_clear_object (&f->server);
}

static void
write_served (Fixture    *f,
              const char *name,
              GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (f->serve_dir, name, NULL);
  g_autoptr (GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *sha = NULL;
  gsize len = 1024 * 1024 + 123;   /* several reads, and not a round number */
  guint8 *bytes = g_malloc (len);

  f->dir = g_dir_make_tmp ("otter-weights-XXXXXX", &error);
  g_assert_no_error (error);
  f->serve_dir = g_build_filename (f->dir, "served", NULL);
  g_assert_cmpint (g_mkdir (f->serve_dir, 0755), ==, 0);
  f->cache_dir = g_build_filename (torch_home, "hub", "checkpoints", NULL);

  for (gsize i = 0; i < len; i++)
    bytes[i] = (guint8) g_rand_int (rand);
  f->payload = g_bytes_new_take (bytes, len);
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, f->payload);
  f->good_name = g_strdup_printf ("x-%.12s.pth", sha);
  f->bad_name = g_strdup ("y-0123456789abcdef.pth");
  g_assert_false (g_str_has_prefix (sha, "0123456789abcdef"));
  write_served (f, f->good_name, f->payload);
  write_served (f, f->bad_name, f->payload);

  server_start (f);
  f->good_url = g_strdup_printf ("%s/%s", f->base_url, f->good_name);
  f->bad_url = g_strdup_printf ("%s/%s", f->base_url, f->bad_name);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  server_stop (f);
  remove_tree (torch_home);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->serve_dir);
  g_free (f->cache_dir);
  g_free (f->base_url);
  g_bytes_unref (f->payload);
  g_free (f->good_name);
  g_free (f->bad_name);
  g_free (f->good_url);
  g_free (f->bad_url);
}

/* The names in the cache directory, sorted; none when it does not exist. */
static GStrv
list_cache (Fixture *f)
{
  g_autoptr (GDir) dir = g_dir_open (f->cache_dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static void
assert_cache_empty (Fixture *f)
{
  g_auto (GStrv) names = list_cache (f);

  for (guint i = 0; names[i] != NULL; i++)
    g_test_message ("left in the cache: %s", names[i]);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
}

/* The error a user reads: one line, naming the URL and where to put the
 * file by hand. */
static void
assert_download_error (const GError *error,
                       const char   *url,
                       const char   *path,
                       const char   *reason)
{
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (g_str_has_prefix (error->message, "could not download "));
  g_assert_nonnull (strstr (error->message, url));
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "by hand"));
  if (reason != NULL)
    g_assert_nonnull (strstr (error->message, reason));
}

typedef struct
{
  GArray  *done;          /* goffset */
  goffset  total;
  gboolean total_changed;
  gboolean off_main_thread;
  guint    freed;
} Progress;

static void
progress_init (Progress *p)
{
  p->done = g_array_new (FALSE, FALSE, sizeof (goffset));
  p->total = G_MINOFFSET;
  p->total_changed = FALSE;
  p->off_main_thread = FALSE;
  p->freed = 0;
}

static void
progress_record (goffset  done,
                 goffset  total,
                 gpointer data)
{
  Progress *p = data;

  if (p->total != G_MINOFFSET && p->total != total)
    p->total_changed = TRUE;
  p->total = total;
  if (g_thread_self () != main_thread)
    p->off_main_thread = TRUE;
  g_array_append_val (p->done, done);
}

static void
progress_freed (gpointer data)
{
  ((Progress *) data)->freed++;
}

/* Increasing, against a constant total, ending at it. */
static void
assert_progress_complete (Progress *p,
                          goffset   size)
{
  g_assert_cmpuint (p->done->len, >=, 1);
  g_assert_false (p->total_changed);
  g_assert_cmpint (p->total, ==, size);
  for (guint i = 1; i < p->done->len; i++)
    g_assert_cmpint (g_array_index (p->done, goffset, i), >=, g_array_index (p->done, goffset, i - 1));
  g_assert_cmpint (g_array_index (p->done, goffset, p->done->len - 1), ==, size);
}

static void
assert_file_is_payload (Fixture    *f,
                        const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, g_bytes_get_data (f->payload, NULL), g_bytes_get_size (f->payload));
}

typedef struct
{
  gboolean  done;
  char     *path;
  GError   *error;
  guint     progress_calls;   /* how many progress calls came before the result */
  Progress *progress;
} AsyncResult;

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncResult *r = user_data;

  g_assert_true (g_thread_self () == main_thread);
  r->path = otter_weights_fetch_finish (result, &r->error);
  if (r->progress != NULL)
    r->progress_calls = r->progress->done->len;
  r->done = TRUE;
}

static char *
url_of (Fixture    *f,
        const char *prefix,
        const char *file)
{
  return g_strdup_printf ("%s%s/%s", f->base_url, prefix, file);
}

/* ---- the cache directory and names -------------------------------------- */

/* Sandboxed, weights the host's PyTorch already downloaded are used where
 * they lie, by find and by fetch, without a download. */
static void
test_host_cache (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *host = g_dir_make_tmp ("otter-host-torch-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (host, "custom-0123abcd.pth", NULL);
  g_assert_true (g_file_set_contents (file, "weights", -1, NULL));

  g_assert_null (otter_weights_find ("custom-0123abcd.pth", &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_setenv ("OTTER_HOST_TORCH_CACHE", host, TRUE);
  g_autofree char *found = otter_weights_find ("custom-0123abcd.pth", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, file);
  /* nothing listens at the base URL: a download would fail */
  g_autofree char *fetched = otter_weights_fetch ("custom-0123abcd.pth", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fetched, ==, file);
  g_unsetenv ("OTTER_HOST_TORCH_CACHE");

  g_unlink (file);
  g_rmdir (host);
}

/* torch.hub's order: TORCH_HOME, then XDG_CACHE_HOME, then ~/.cache. */
static void
test_cache_dir (void)
{
  g_autofree char *old_home = g_strdup (g_getenv ("HOME"));
  g_autofree char *old_xdg = g_strdup (g_getenv ("XDG_CACHE_HOME"));
  g_autofree char *d1 = NULL, *d2 = NULL, *d3 = NULL, *d4 = NULL, *d5 = NULL;

  g_setenv ("HOME", "/home/otter", TRUE);
  g_setenv ("XDG_CACHE_HOME", "/var/cache/xdg", TRUE);
  g_setenv ("TORCH_HOME", "/opt/torch", TRUE);
  d1 = otter_weights_dup_cache_dir ();
  g_assert_cmpstr (d1, ==, "/opt/torch/hub/checkpoints");

  g_unsetenv ("TORCH_HOME");
  d2 = otter_weights_dup_cache_dir ();
  g_assert_cmpstr (d2, ==, "/var/cache/xdg/torch/hub/checkpoints");

  g_unsetenv ("XDG_CACHE_HOME");
  d3 = otter_weights_dup_cache_dir ();
  g_assert_cmpstr (d3, ==, "/home/otter/.cache/torch/hub/checkpoints");

  /* torch.hub expands a leading ~ in TORCH_HOME */
  g_setenv ("TORCH_HOME", "~/models/torch", TRUE);
  d4 = otter_weights_dup_cache_dir ();
  g_assert_cmpstr (d4, ==, "/home/otter/models/torch/hub/checkpoints");

  /* an empty variable counts as unset */
  g_setenv ("TORCH_HOME", "", TRUE);
  g_setenv ("XDG_CACHE_HOME", "", TRUE);
  d5 = otter_weights_dup_cache_dir ();
  g_assert_cmpstr (d5, ==, "/home/otter/.cache/torch/hub/checkpoints");

  g_setenv ("TORCH_HOME", torch_home, TRUE);
  if (old_home != NULL)
    g_setenv ("HOME", old_home, TRUE);
  if (old_xdg != NULL)
    g_setenv ("XDG_CACHE_HOME", old_xdg, TRUE);
  else
    g_unsetenv ("XDG_CACHE_HOME");
}

static void
test_resolve (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterWeightsSource) r18 = NULL, mnet = NULL, moved = NULL, url = NULL, bare = NULL;
  g_auto (GStrv) known = otter_weights_dup_known_names ();

  g_setenv ("TORCH_HOME", "/opt/torch", TRUE);
  g_unsetenv ("OTTER_WEIGHTS_BASE_URL");

  g_assert_cmpuint (g_strv_length (known), ==, 2);
  r18 = otter_weights_resolve ("resnet18", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r18->name, ==, "resnet18");
  g_assert_cmpstr (r18->file, ==, "resnet18-f37072fd.pth");
  g_assert_cmpstr (r18->hash, ==, "f37072fd");
  g_assert_cmpstr (r18->url, ==, "https://download.pytorch.org/models/resnet18-f37072fd.pth");
  g_assert_cmpstr (r18->path, ==, "/opt/torch/hub/checkpoints/resnet18-f37072fd.pth");
  mnet = otter_weights_resolve ("mobilenet_v3_large", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mnet->url, ==, "https://download.pytorch.org/models/mobilenet_v3_large-8738ca79.pth");

  g_setenv ("OTTER_WEIGHTS_BASE_URL", "http://127.0.0.1:9/mirror/", TRUE);
  moved = otter_weights_resolve ("resnet18", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (moved->url, ==, "http://127.0.0.1:9/mirror/resnet18-f37072fd.pth");

  /* any torchvision-style file, by URL (the query is not part of the name)
   * or by file name from the same place as the known ones */
  url = otter_weights_resolve ("https://example.org/m/vit_b_16-c867db91.pth?download=1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url->name, ==, "vit_b_16");
  g_assert_cmpstr (url->file, ==, "vit_b_16-c867db91.pth");
  g_assert_cmpstr (url->url, ==, "https://example.org/m/vit_b_16-c867db91.pth?download=1");
  g_assert_cmpstr (url->path, ==, "/opt/torch/hub/checkpoints/vit_b_16-c867db91.pth");
  bare = otter_weights_resolve ("efficientnet_b0_rwightman-7f5810bc.pth", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bare->url, ==, "http://127.0.0.1:9/mirror/efficientnet_b0_rwightman-7f5810bc.pth");

  const char *refused[] = {
    "resnet50",                                     /* not known */
    "",
    "x-1234567.pth",                                /* hash too short */
    "x-ABCDEF12.pth",                               /* not lowercase hex */
    "-12345678.pth",                                /* no name */
    "x-12345678.bin",
    "ftp://example.org/x-12345678.pth",
    "https://example.org/models/",
    "https://example.org/weights.pth",
    "https://example.org/a%2F..%2Fx-12345678.pth",  /* no folders from escapes */
    "https:///x-12345678.pth",                      /* no host */
  };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) e = NULL;
      g_autoptr (OtterWeightsSource) s = otter_weights_resolve (refused[i], &e);
      g_test_message ("“%s”: %s", refused[i], e ? e->message : "accepted");
      g_assert_null (s);
      g_assert_error (e, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT);
    }

  g_setenv ("TORCH_HOME", torch_home, TRUE);
  g_unsetenv ("OTTER_WEIGHTS_BASE_URL");
}

/* Every architecture with a torchvision backbone can get its weights. */
static void
test_known_archs (void)
{
  const char *const *archs = otter_torch_model_archs ();
  g_auto (GStrv) known = otter_weights_dup_known_names ();
  guint n_pretrained = 0;

  for (guint i = 0; archs[i] != NULL; i++)
    {
      const char *name = otter_torch_arch_imagenet_name (archs[i]);
      g_autoptr (OtterWeightsSource) source = NULL;
      g_autoptr (GError) error = NULL;

      if (name == NULL)
        continue;
      n_pretrained++;
      g_assert_true (g_strv_contains ((const char *const *) known, name));
      source = otter_weights_resolve (name, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (source->file, name));
    }
  g_assert_cmpuint (n_pretrained, >=, 2);
}

/* ---- downloads ----------------------------------------------------------- */

static void
test_download (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL, *found = NULL, *expected = NULL;
  g_auto (GStrv) names = NULL;
  Progress progress;

  found = otter_weights_find (f->good_url, &error);
  g_assert_null (found);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  progress_init (&progress);
  path = otter_weights_fetch (f->good_url, NULL, progress_record, &progress, &error);
  g_assert_no_error (error);
  expected = g_build_filename (f->cache_dir, f->good_name, NULL);
  g_assert_cmpstr (path, ==, expected);
  assert_file_is_payload (f, path);
  assert_progress_complete (&progress, g_bytes_get_size (f->payload));
  g_assert_cmpuint (progress.done->len, >, 2);
  g_assert_false (progress.off_main_thread);

  /* exactly the file: no temporary left beside it */
  names = list_cache (f);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_assert_cmpstr (names[0], ==, f->good_name);
  found = otter_weights_find (f->good_url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, expected);
  g_array_unref (progress.done);
}

/* From a main loop: progress on the main thread, coalesced, the last count
 * before the result; the loop keeps turning meanwhile. */
static void
test_download_async (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *url = url_of (f, "", f->good_name);
  g_autofree char *expected = g_build_filename (f->cache_dir, f->good_name, NULL);
  Progress progress;
  AsyncResult r = { 0 };

  gint64 start, elapsed;

  progress_init (&progress);
  r.progress = &progress;
  start = g_get_monotonic_time ();
  otter_weights_fetch_async (url, NULL, progress_record, &progress, progress_freed, fetched_cb, &r);
  g_assert_false (r.done);
  wait_for (&r.done, "the download");
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.path, ==, expected);
  assert_file_is_payload (f, r.path);
  g_assert_false (progress.off_main_thread);
  g_assert_cmpuint (progress.freed, ==, 1);
  /* everything arrived before the result, and nothing after it */
  g_assert_cmpuint (r.progress_calls, ==, progress.done->len);
  assert_progress_complete (&progress, g_bytes_get_size (f->payload));
  /* coalesced: at most one update per 100 ms, and the final one */
  g_test_message ("%u progress calls in %.3f s", progress.done->len, elapsed / 1e6);
  g_assert_cmpint (progress.done->len, <=, elapsed / (100 * 1000) + 2);

  g_free (r.path);
  g_array_unref (progress.done);
}

static void
test_wrong_hash (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->cache_dir, f->bad_name, NULL);
  g_autofree char *result = NULL;
  g_autoptr (GError) error = NULL;
  AsyncResult r = { 0 };

  result = otter_weights_fetch (f->bad_url, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_FAILED);
  assert_download_error (error, f->bad_url, path, "SHA-256");
  assert_cache_empty (f);

  otter_weights_fetch_async (f->bad_url, NULL, NULL, NULL, NULL, fetched_cb, &r);
  wait_for (&r.done, "the download");
  g_assert_null (r.path);
  g_assert_error (r.error, OTTER_ERROR, OTTER_ERROR_FAILED);
  assert_download_error (r.error, f->bad_url, path, "0123456789abcdef");
  assert_cache_empty (f);
  g_clear_error (&r.error);
}

static void
test_cut (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *url = url_of (f, "/cut", f->good_name);
  g_autofree char *path = g_build_filename (f->cache_dir, f->good_name, NULL);
  g_autofree char *result = NULL;
  g_autoptr (GError) error = NULL;
  Progress progress;
  AsyncResult r = { 0 };

  progress_init (&progress);
  result = otter_weights_fetch (url, NULL, progress_record, &progress, &error);
  g_assert_null (result);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_IO);
  assert_download_error (error, url, path, "closed");
  g_assert_cmpuint (progress.done->len, >=, 1);
  g_assert_cmpint (g_array_index (progress.done, goffset, progress.done->len - 1), <,
                   (goffset) g_bytes_get_size (f->payload));
  assert_cache_empty (f);
  g_array_unref (progress.done);

  /* the same through the async variant */
  otter_weights_fetch_async (url, NULL, NULL, NULL, NULL, fetched_cb, &r);
  wait_for (&r.done, "the download");
  g_assert_null (r.path);
  assert_download_error (r.error, url, path, "closed");
  assert_cache_empty (f);
  g_clear_error (&r.error);
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *url = url_of (f, "", "absent-0123abcd.pth");
  g_autofree char *path = g_build_filename (f->cache_dir, "absent-0123abcd.pth", NULL);
  g_autofree char *result = NULL;
  g_autoptr (GError) error = NULL;

  result = otter_weights_fetch (url, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_IO);
  assert_download_error (error, url, path, "404");
  assert_cache_empty (f);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) any = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL, *path = NULL, *result = NULL;
  guint16 port;

  /* A port that was free a moment ago; closed again, nothing listens. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  url = g_strdup_printf ("http://127.0.0.1:%u/%s", port, f->good_name);
  path = g_build_filename (f->cache_dir, f->good_name, NULL);
  result = otter_weights_fetch (url, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_IO);
  assert_download_error (error, url, path, "connection refused");
  assert_cache_empty (f);
}

/* Disk trouble, at the first step and at the last: the cache folder cannot
 * be made, or the final name is taken by a folder so the rename fails. */
static void
test_disk_error (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *hub = g_path_get_dirname (f->cache_dir);
  g_autofree char *path = g_build_filename (f->cache_dir, f->good_name, NULL);
  g_autofree char *result = NULL, *again = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = NULL;

  g_assert_cmpint (g_mkdir_with_parents (hub, 0755), ==, 0);
  g_file_set_contents (f->cache_dir, "not a folder", -1, &error);
  g_assert_no_error (error);
  result = otter_weights_fetch (f->good_url, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_IO);
  assert_download_error (error, f->good_url, path, f->cache_dir);
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (f->cache_dir), ==, 0);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  again = otter_weights_fetch (f->good_url, NULL, NULL, NULL, &error);
  g_assert_null (again);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_IO);
  assert_download_error (error, f->good_url, path, "rename");
  names = list_cache (f);
  g_assert_cmpuint (g_strv_length (names), ==, 1);   /* the folder, and no temporary */
  g_assert_cmpstr (names[0], ==, f->good_name);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
}

static void
cancel_on_progress (goffset  done,
                    goffset  total,
                    gpointer data)
{
  if (done > 0)
    g_cancellable_cancel (data);
}

/* A download cancelled while the body is still coming: the stalled server
 * would keep it waiting for half a minute. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *url = url_of (f, "/slow", f->good_name);
  g_autofree char *path = g_build_filename (f->cache_dir, f->good_name, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  AsyncResult r = { 0 };
  gint64 start = g_get_monotonic_time ();

  otter_weights_fetch_async (url, cancellable, cancel_on_progress, cancellable, NULL, fetched_cb, &r);
  wait_for (&r.done, "the cancelled download");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
  g_assert_null (r.path);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_download_error (r.error, url, path, "cancelled");
  assert_cache_empty (f);
  g_clear_error (&r.error);
}

/* A second fetch uses the cached copy; with the server gone, a download
 * would fail. */
static void
test_cached (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *first = NULL, *second = NULL;
  Progress progress;
  AsyncResult r = { 0 };

  first = otter_weights_fetch (f->good_url, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  server_stop (f);

  progress_init (&progress);
  second = otter_weights_fetch (f->good_url, NULL, progress_record, &progress, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, ==, first);
  g_assert_cmpuint (progress.done->len, ==, 0);

  r.progress = &progress;
  otter_weights_fetch_async (f->good_url, NULL, progress_record, &progress, progress_freed, fetched_cb, &r);
  wait_for (&r.done, "the cached fetch");
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.path, ==, first);
  g_assert_cmpuint (progress.done->len, ==, 0);
  g_assert_cmpuint (progress.freed, ==, 1);
  assert_file_is_payload (f, r.path);
  g_free (r.path);
  g_array_unref (progress.done);
}

/* ---- otter-cli weights ----------------------------------------------------- */

typedef struct
{
  gboolean  done;
  int       status;
  char     *out;
  char     *err;
} CliRun;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CliRun *run = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->done = TRUE;
}

static void
cli_run_clear (CliRun *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliRun, cli_run_clear)

/* otter-cli with the test's environment, killed if it takes too long. */
static void
run_cli (Fixture    *f,
         CliRun     *run,
         const char *first,
         ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  va_list args;

  g_ptr_array_add (argv, cli_path);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (f->base_url != NULL)
    g_subprocess_launcher_setenv (launcher, "OTTER_WEIGHTS_BASE_URL", f->base_url, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  memset (run, 0, sizeof *run);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, run);
  {
    gboolean timed_out = FALSE;
    guint id = g_timeout_add_seconds (WAIT_S, flag_cb, &timed_out);

    while (!run->done && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    if (!timed_out)
      g_source_remove (id);
    if (!run->done)
      {
        g_subprocess_force_exit (process);
        g_error ("otter-cli %s did not finish within %d s", first, WAIT_S);
      }
  }
  g_subprocess_wait (process, NULL, NULL);
  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                     : 128 + g_subprocess_get_term_sig (process);
  g_test_message ("otter-cli %s …: %d\nstdout: %s\nstderr: %s", first, run->status, run->out, run->err);
}

static JsonObject *
parse_json (const char *text,
            JsonNode  **root)
{
  g_autoptr (GError) error = NULL;

  *root = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*root);
  return json_node_get_object (*root);
}

/* One "otter-cli:" line on stderr besides any progress. */
static void
assert_cli_failure (const CliRun *run,
                    int           status,
                    const char   *expected)
{
  g_auto (GStrv) lines = g_strsplit (run->err, "\n", -1);
  guint n_errors = 0;

  g_assert_cmpint (run->status, ==, status);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "otter-cli: "))
      {
        n_errors++;
        g_assert_nonnull (strstr (lines[i], expected));
      }
  g_assert_cmpuint (n_errors, ==, 1);
  g_assert_null (strstr (run->err, "CRITICAL"));
}

static gboolean
have_cli (void)
{
  if (g_file_test (cli_path, G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  g_test_skip ("otter-cli is not built");
  return FALSE;
}

static void
test_cli_usage (Fixture       *f,
                gconstpointer  data)
{
  if (!have_cli ())
    return;
  const char *helps[][3] = {
    { "weights", "--help", NULL }, { "weights", "list", "--help" },
    { "weights", "fetch", "--help" }, { "weights", "path", "--help" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (helps); i++)
    {
      g_auto (CliRun) run = { 0 };
      run_cli (f, &run, helps[i][0], helps[i][1], helps[i][2], NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_nonnull (strstr (run.out, "Usage:"));
      g_assert_nonnull (strstr (run.out, "TORCH_HOME"));
    }
  g_auto (CliRun) top = { 0 };
  run_cli (f, &top, "--help", NULL);
  g_assert_nonnull (strstr (top.out, "weights"));

  g_auto (CliRun) none = { 0 };
  g_auto (CliRun) unknown = { 0 };
  g_auto (CliRun) missing = { 0 };
  g_auto (CliRun) extra = { 0 };
  g_auto (CliRun) option = { 0 };
  run_cli (f, &none, "weights", NULL);
  assert_cli_failure (&none, 64, "list, fetch");
  run_cli (f, &unknown, "weights", "download", NULL);
  assert_cli_failure (&unknown, 64, "download");
  run_cli (f, &missing, "weights", "fetch", NULL);
  assert_cli_failure (&missing, 64, "NAME");
  run_cli (f, &extra, "weights", "path", "resnet18", "mobilenet_v3_large", NULL);
  assert_cli_failure (&extra, 64, "NAME");
  run_cli (f, &option, "weights", "list", "--frobnicate", NULL);
  assert_cli_failure (&option, 64, "frobnicate");

  g_auto (CliRun) bad_name = { 0 };
  run_cli (f, &bad_name, "weights", "fetch", "resnet50", NULL);
  assert_cli_failure (&bad_name, 1, "resnet50");
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *r18_path = g_build_filename (f->cache_dir, "resnet18-f37072fd.pth", NULL);
  g_autofree char *good_path = g_build_filename (f->cache_dir, f->good_name, NULL);
  g_autofree char *good_line = g_strconcat (good_path, "\n", NULL);
  g_autofree char *r18_line = g_strconcat (r18_path, "\n", NULL);
  g_autofree char *missing_url = url_of (f, "", "absent-0123abcd.pth");
  g_autofree char *r18_url = url_of (f, "", "resnet18-f37072fd.pth");
  g_autoptr (JsonNode) list_root = NULL, fetch_root = NULL, again_root = NULL, fail_root = NULL;
  g_autoptr (GError) error = NULL;

  if (!have_cli ())
    return;

  /* nothing cached yet */
  g_auto (CliRun) list = { 0 };
  run_cli (f, &list, "weights", "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "resnet18-f37072fd.pth"));
  g_assert_nonnull (strstr (list.out, "mobilenet_v3_large-8738ca79.pth"));
  g_assert_nonnull (strstr (list.out, r18_path));
  g_assert_nonnull (strstr (list.out, "not cached"));

  g_auto (CliRun) path = { 0 };
  run_cli (f, &path, "weights", "path", "resnet18", NULL);
  assert_cli_failure (&path, 1, "otter-cli weights fetch resnet18");
  g_assert_nonnull (strstr (path.err, f->cache_dir));
  g_assert_cmpstr (path.out, ==, "");

  /* a known name comes from OTTER_WEIGHTS_BASE_URL, and is checked there
   * too: this server's resnet18 file is not torchvision's */
  write_served (f, "resnet18-f37072fd.pth", f->payload);
  g_auto (CliRun) wrong = { 0 };
  run_cli (f, &wrong, "weights", "fetch", "resnet18", NULL);
  assert_cli_failure (&wrong, 1, r18_url);
  g_assert_nonnull (strstr (wrong.err, "not f37072fd"));
  g_assert_nonnull (strstr (wrong.err, r18_path));
  assert_cache_empty (f);

  /* placed by hand, as the message says */
  g_assert_cmpint (g_mkdir_with_parents (f->cache_dir, 0755), ==, 0);
  g_file_set_contents (r18_path, "by hand", -1, &error);
  g_assert_no_error (error);
  g_auto (CliRun) placed = { 0 };
  run_cli (f, &placed, "weights", "path", "resnet18", NULL);
  g_assert_cmpint (placed.status, ==, 0);
  g_assert_cmpstr (placed.out, ==, r18_line);

  g_auto (CliRun) list_json = { 0 };
  run_cli (f, &list_json, "weights", "list", "--json", NULL);
  g_assert_cmpint (list_json.status, ==, 0);
  JsonObject *lo = parse_json (list_json.out, &list_root);
  g_assert_cmpstr (json_object_get_string_member (lo, "cache_dir"), ==, f->cache_dir);
  JsonArray *weights = json_object_get_array_member (lo, "weights");
  g_assert_cmpuint (json_array_get_length (weights), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *w = json_array_get_object_element (weights, i);
      gboolean is_r18 = g_strcmp0 (json_object_get_string_member (w, "name"), "resnet18") == 0;
      g_assert_cmpint (json_object_get_boolean_member (w, "cached"), ==, is_r18);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (w, "url"), f->base_url));
    }

  /* a download: progress lines on stderr, the path alone on stdout */
  g_auto (CliRun) fetch = { 0 };
  run_cli (f, &fetch, "weights", "fetch", f->good_name, NULL);
  g_assert_cmpint (fetch.status, ==, 0);
  g_assert_cmpstr (fetch.out, ==, good_line);
  g_assert_nonnull (strstr (fetch.err, f->good_name));
  g_assert_nonnull (strstr (fetch.err, "of"));
  assert_file_is_payload (f, good_path);

  /* a failed download: the one-line error, and the status in JSON */
  g_auto (CliRun) failed = { 0 };
  run_cli (f, &failed, "weights", "--json", "fetch", "absent-0123abcd.pth", NULL);
  assert_cli_failure (&failed, 1, "could not download");
  g_assert_nonnull (strstr (failed.err, "404"));
  g_assert_nonnull (strstr (failed.err, missing_url));
  g_assert_nonnull (strstr (failed.err, "by hand"));
  JsonObject *fo = parse_json (failed.out, &fail_root);
  g_assert_cmpstr (json_object_get_string_member (fo, "status"), ==, "failed");
  g_assert_nonnull (strstr (json_object_get_string_member (fo, "message"), missing_url));

  /* again, with the server gone: the cached copy */
  server_stop (f);
  g_auto (CliRun) again = { 0 };
  run_cli (f, &again, "weights", "fetch", f->good_name, "--json", NULL);
  g_assert_cmpint (again.status, ==, 0);
  JsonObject *ao = parse_json (again.out, &again_root);
  g_assert_cmpstr (json_object_get_string_member (ao, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (ao, "path"), ==, good_path);
  g_assert_false (json_object_get_boolean_member (ao, "downloaded"));
  g_auto (CliRun) where = { 0 };
  run_cli (f, &where, "weights", "path", f->good_name, NULL);
  g_assert_cmpint (where.status, ==, 0);
  g_assert_cmpstr (where.out, ==, good_line);

  /* and something not cached cannot be had */
  g_auto (CliRun) offline = { 0 };
  run_cli (f, &offline, "weights", "fetch", f->bad_name, NULL);
  assert_cli_failure (&offline, 1, "connection refused");
  g_assert_cmpstr (offline.out, ==, "");

  g_auto (GStrv) names = list_cache (f);
  g_assert_cmpuint (g_strv_length (names), ==, 2);   /* resnet18 by hand and x-… */
}

/* ---- a download through the CLI, fresh, with JSON -------------------------- */

static void
test_cli_fetch_json (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *url = url_of (f, "", f->good_name);
  g_autofree char *good_path = g_build_filename (f->cache_dir, f->good_name, NULL);
  g_autoptr (JsonNode) root = NULL;

  if (!have_cli ())
    return;
  g_auto (CliRun) fetch = { 0 };
  run_cli (f, &fetch, "weights", "fetch", url, "--json", NULL);
  g_assert_cmpint (fetch.status, ==, 0);
  JsonObject *o = parse_json (fetch.out, &root);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (o, "url"), ==, url);
  g_assert_cmpstr (json_object_get_string_member (o, "path"), ==, good_path);
  g_assert_true (json_object_get_boolean_member (o, "downloaded"));
  g_assert_cmpint (json_object_get_int_member (o, "size"), ==, g_bytes_get_size (f->payload));
  assert_file_is_payload (f, good_path);
}

#define ADD_SERVED(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();
  cli_path = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "otter-cli", NULL);
  g_setenv ("OTTER_PLAIN_PROGRESS", "1", TRUE);
  /* The local server must be reached directly. */
  g_unsetenv ("http_proxy");
  g_unsetenv ("HTTP_PROXY");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
  g_setenv ("no_proxy", "127.0.0.1,localhost", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_unsetenv ("OTTER_WEIGHTS_BASE_URL");
  g_autofree char *run_dir = g_dir_make_tmp ("otter-weights-XXXXXX", NULL);
  g_assert_nonnull (run_dir);
  torch_home = g_build_filename (run_dir, "torch home", NULL);
  g_setenv ("TORCH_HOME", torch_home, TRUE);
  /* A last resort against a hang the waits above do not catch. */
  alarm (600);

  g_test_add_func ("/otter/weights/cache-dir", test_cache_dir);
  g_test_add_func ("/otter/weights/host-cache", test_host_cache);
  g_test_add_func ("/otter/weights/resolve", test_resolve);
  g_test_add_func ("/otter/weights/known-archs", test_known_archs);
  g_autofree char *python = g_find_program_in_path ("python3");
  if (python == NULL)
    {
      g_test_message ("python3 not found: the download tests are left out");
      int status = g_test_run ();
      g_rmdir (run_dir);
      return status;
    }
  ADD_SERVED ("/otter/weights/download", test_download);
  ADD_SERVED ("/otter/weights/download-async", test_download_async);
  ADD_SERVED ("/otter/weights/wrong-hash", test_wrong_hash);
  ADD_SERVED ("/otter/weights/cut", test_cut);
  ADD_SERVED ("/otter/weights/http-404", test_not_found);
  ADD_SERVED ("/otter/weights/refused", test_refused);
  ADD_SERVED ("/otter/weights/disk-error", test_disk_error);
  ADD_SERVED ("/otter/weights/cancel", test_cancel);
  ADD_SERVED ("/otter/weights/cached", test_cached);
  ADD_SERVED ("/otter/weights/cli-usage", test_cli_usage);
  ADD_SERVED ("/otter/weights/cli", test_cli);
  ADD_SERVED ("/otter/weights/cli-fetch-json", test_cli_fetch_json);
  int status = g_test_run ();
  remove_tree (run_dir);
  return status;
}
