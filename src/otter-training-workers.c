/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-training-workers.c: a run on several local processes
 *
 * The app's own trainer is rank 0: it writes the run folder, so the page
 * follows its curves as with any run. Ranks 1… are `otter-cli train
 * --distributed --settings-from-rank0` processes that take rank 0's data,
 * model and settings through the rendezvous; they end by themselves with
 * the run (a stop, the end, or rank 0 gone).
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "otter-training-page-private.h"

/* otter-cli beside the app: in the build tree src/cli/, once installed
 * the same folder; OTTER_CLI overrides both. */
static char *
find_cli (void)
{
  const char *env = g_getenv ("OTTER_CLI");
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  const char *const candidates[] = { "cli/otter-cli", "otter-cli" };
  for (guint i = 0; dir != NULL && i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *path = g_build_filename (dir, candidates[i], NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&path);
    }
  return g_find_program_in_path ("otter-cli");
}

gboolean
otter_training_page_start_workers (OtterTrainingPage *self,
                                   OtterTrainer      *trainer,
                                   int                world_size,
                                   GError           **error)
{
  if (world_size <= 1)
    return TRUE;
  g_autofree char *cli = find_cli ();
  if (cli == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("otter-cli, which runs the other processes, was not found beside Otter"));
      return FALSE;
    }
  int port = otter_distributed_pick_local_port (error);
  if (port < 0)
    return FALSE;
  /* The cores are shared out; one is left to the interface as for one
   * process. */
  int threads = MAX (1, ((int) g_get_num_processors () - 1) / world_size);
  g_autofree char *threads_text = g_strdup_printf ("%d", threads);

  g_autoptr (GPtrArray) workers = g_ptr_array_new_with_free_func (g_object_unref);
  for (int rank = 1; rank < world_size; rank++)
    {
      g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
      g_auto (GStrv) env = otter_distributed_local_worker_environ (g_get_environ (), port, rank, world_size);
      g_subprocess_launcher_set_environ (launcher, env);
      GSubprocess *worker = g_subprocess_launcher_spawn (launcher, error, cli, "train", "--distributed",
                                                         "--settings-from-rank0", "--threads", threads_text, NULL);
      if (worker == NULL)
        {
          for (guint i = 0; i < workers->len; i++)
            g_subprocess_force_exit (workers->pdata[i]);
          return FALSE;
        }
      g_ptr_array_add (workers, worker);
    }

  g_auto (OtterDistributedParams) place;
  otter_distributed_params_init (&place);
  place.master_addr = g_strdup ("127.0.0.1");
  place.master_port = port;
  place.world_size = world_size;
  otter_trainer_set_distributed (trainer, &place);
  otter_trainer_set_threads (trainer, threads);
  otter_trainer_set_adaptive_threads (trainer, FALSE);
  g_clear_pointer (&self->workers, g_ptr_array_unref);
  self->workers = g_steal_pointer (&workers);
  return TRUE;
}
