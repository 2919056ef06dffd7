/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-run.c: a run's folder: its config, metrics, checkpoints and lock */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "otter-untrusted.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "otter-error.h"
#include "otter-run.h"

struct _OtterRun
{
  char *dir;
  FILE *metrics;
  int   lock_fd;    /* holds the run's flock while the run is open; -1 before */
};

/* Only one process trains a run at a time: two would interleave their
 * metrics and overwrite each other's checkpoints. The lock is an flock on
 * a file in the folder, so it goes with the process however that ends;
 * the file holds the owner's pid for the message. */
static gboolean
lock_run (OtterRun *run,
          GError  **error)
{
  g_autofree char *path = otter_run_dup_path (run, OTTER_RUN_LOCK);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("could not open %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      char pid[32] = "";
      ssize_t n = pread (fd, pid, sizeof pid - 1, 0);
      pid[MAX (n, 0)] = '\0';
      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_RUN,
                     _("%s is being trained by another Otter (process %s); wait for it or stop it first"),
                     run->dir, *g_strstrip (pid) ? pid : "unknown");
      else
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("could not lock %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  g_autofree char *text = g_strdup_printf ("%d\n", (int) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, text, strlen (text), 0) < 0)
    g_debug ("could not write the pid into %s", path);
  run->lock_fd = fd;
  return TRUE;
}

/* "last.ckpt.AB12cd": what g_file_set_contents leaves when killed between
 * writing its temporary file and renaming it. */
static gboolean
is_stale_temporary (const char *name)
{
  const char *dot = strrchr (name, '.');
  if (dot == NULL || strlen (dot + 1) != 6)
    return FALSE;
  for (const char *p = dot + 1; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;
  g_autofree char *stem = g_strndup (name, dot - name);
  return g_str_has_suffix (stem, ".ckpt") || g_str_has_suffix (stem, ".otter") || g_str_has_suffix (stem, ".json");
}

/* Under the lock, nobody else is writing them. */
static void
remove_stale_temporaries (OtterRun *run)
{
  const char *dirs[] = { "", "checkpoints" };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = otter_run_dup_path (run, dirs[i]);
      g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
      const char *name;
      while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
        if (is_stale_temporary (name))
          {
            g_autofree char *path = g_build_filename (dir, name, NULL);
            g_message ("removing %s, left by a run that was killed while writing it", path);
            g_unlink (path);
          }
    }
}

char *
otter_run_default_root (void)
{
  return g_build_filename (g_get_user_data_dir (), "otter", "runs", NULL);
}

static char *
new_run_dir_name (const OtterTrainConfig *config)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *root = otter_run_default_root ();
  const char *name = config->name ? config->name : otter_train_method_to_string (config->train.method);
  g_autofree char *base = g_strdup_printf ("%s-%s", stamp, name);
  g_strcanon (base, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", '_');
  char *dir = g_build_filename (root, base, NULL);
  /* Two runs started in the same second get distinct folders. */
  for (int i = 2; g_file_test (dir, G_FILE_TEST_EXISTS); i++)
    {
      g_free (dir);
      g_autofree char *numbered = g_strdup_printf ("%s-%d", base, i);
      dir = g_build_filename (root, numbered, NULL);
    }
  return dir;
}

static gboolean
open_metrics (OtterRun *run, GError **error)
{
  g_autofree char *path = otter_run_dup_path (run, OTTER_RUN_METRICS);
  run->metrics = g_fopen (path, "a");
  if (run->metrics == NULL)
    {
      int saved = errno;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("could not open %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

OtterRun *
otter_run_create (const char             *dir,
                  const OtterTrainConfig *config,
                  GError                **error)
{
  g_autoptr (OtterRun) run = g_new0 (OtterRun, 1);
  run->lock_fd = -1;
  run->dir = dir ? g_strdup (dir) : new_run_dir_name (config);

  g_autofree char *config_path = otter_run_dup_path (run, OTTER_RUN_CONFIG);
  if (g_file_test (config_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_RUN,
                   _("%s already holds a run; resume it (--resume) or choose another folder"), run->dir);
      return NULL;
    }
  g_autofree char *checkpoints = otter_run_dup_path (run, "checkpoints");
  if (g_mkdir_with_parents (checkpoints, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("could not create %s: %s"), checkpoints, g_strerror (saved));
      return NULL;
    }
  if (!lock_run (run, error))
    return NULL;

  g_autoptr (JsonNode) node = otter_train_config_to_json (config);
  g_autofree char *text = json_to_string (node, TRUE);
  if (!g_file_set_contents (config_path, text, -1, error))
    return NULL;
  if (!open_metrics (run, error))
    return NULL;
  return g_steal_pointer (&run);
}

OtterRun *
otter_run_open (const char       *dir,
                OtterTrainConfig *config,
                GError          **error)
{
  g_autoptr (OtterRun) run = g_new0 (OtterRun, 1);
  run->lock_fd = -1;
  run->dir = g_strdup (dir);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND, _("%s: no such run folder"), dir);
      return NULL;
    }
  if (!otter_run_read_config (dir, config, error) || !lock_run (run, error))
    return NULL;
  remove_stale_temporaries (run);
  if (!open_metrics (run, error))
    return NULL;
  return g_steal_pointer (&run);
}

gboolean
otter_run_update_config (OtterRun               *run,
                         const OtterTrainConfig *config,
                         GError                **error)
{
  g_autoptr (JsonNode) node = otter_train_config_to_json (config);
  g_autofree char *text = json_to_string (node, TRUE);
  g_autofree char *path = otter_run_dup_path (run, OTTER_RUN_CONFIG);
  /* Written to a temporary file and renamed: a crash keeps the old one. */
  return g_file_set_contents (path, text, -1, error);
}

void
otter_run_free (OtterRun *run)
{
  if (run == NULL)
    return;
  if (run->metrics != NULL)
    fclose (run->metrics);
  /* closing the file releases the flock */
  if (run->lock_fd >= 0)
    close (run->lock_fd);
  g_free (run->dir);
  g_free (run);
}

const char *
otter_run_get_dir (OtterRun *run)
{
  return run->dir;
}

char *
otter_run_dup_path (OtterRun   *run,
                    const char *relative)
{
  return g_build_filename (run->dir, relative, NULL);
}

gboolean
otter_run_append (OtterRun *run,
                  JsonNode *record,
                  GError  **error)
{
  g_autofree char *line = json_to_string (record, FALSE);
  if (fprintf (run->metrics, "%s\n", line) < 0 || fflush (run->metrics) != 0)
    {
      int saved = errno;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("could not append to %s/%s: %s"),
                   run->dir, OTTER_RUN_METRICS, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

JsonArray *
otter_run_read_metrics (const char *dir,
                        GError    **error)
{
  g_autofree char *path = g_build_filename (dir, OTTER_RUN_METRICS, NULL);
  g_autofree char *text = NULL;
  if (!otter_read_untrusted_file (path, OTTER_RUN_MAX_METRICS_SIZE, &text, NULL, error))
    return NULL;

  JsonArray *records = json_array_new ();
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*lines[i] == '\0')
        continue;
      /* A crash can tear the last line; complete lines are still good. */
      JsonNode *node = otter_json_from_untrusted (lines[i], -1, NULL);
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        json_array_add_element (records, node);
      else if (node != NULL)
        json_node_unref (node);
    }
  return records;
}

gboolean
otter_run_truncate (OtterRun *run,
                    gint64    max_step,
                    GError  **error)
{
  g_autoptr (JsonArray) records = otter_run_read_metrics (run->dir, NULL);
  GString *kept = g_string_new (NULL);
  for (guint i = 0; records != NULL && i < json_array_get_length (records); i++)
    {
      JsonObject *o = json_array_get_object_element (records, i);
      if (g_strcmp0 (otter_json_get_string (o, "kind", ""), "end") == 0)
        continue;
      if (otter_json_get_int (o, "step", 0) > max_step)
        continue;
      g_autofree char *line = json_to_string (json_array_get_element (records, i), FALSE);
      g_string_append_printf (kept, "%s\n", line);
    }
  g_autofree char *path = otter_run_dup_path (run, OTTER_RUN_METRICS);
  if (run->metrics != NULL)
    {
      fclose (run->metrics);
      run->metrics = NULL;
    }
  gboolean ok = g_file_set_contents (path, kept->str, kept->len, error);
  g_string_free (kept, TRUE);
  return open_metrics (run, ok ? error : NULL) && ok;
}

gboolean
otter_run_rename (const char *dir,
                  const char *name,
                  GError    **error)
{
  OtterTrainConfig config;
  gboolean ok;

  otter_train_config_init (&config);
  if (!otter_run_read_config (dir, &config, error))
    {
      otter_train_config_clear (&config);
      return FALSE;
    }
  g_free (config.name);
  config.name = g_strstrip (g_strdup (name));
  g_autoptr (JsonNode) node = otter_train_config_to_json (&config);
  g_autofree char *text = json_to_string (node, TRUE);
  g_autofree char *path = g_build_filename (dir, OTTER_RUN_CONFIG, NULL);
  /* Written to a temporary file and renamed: a crash keeps the old one. */
  ok = g_file_set_contents (path, text, -1, error);
  otter_train_config_clear (&config);
  return ok;
}
