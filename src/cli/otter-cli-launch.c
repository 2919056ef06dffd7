/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-launch.c: otter-cli train --nproc N, N local workers
 *
 * Like `torchrun --standalone`: picks a free port on the loopback, starts
 * N copies of the same `otter-cli train` with --distributed and the
 * environment torchrun gives its workers, and waits for all of them. The
 * workers share the terminal, so Ctrl+C reaches every one of them and
 * they stop together at the same step; the launcher only waits.
 */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "otter-cli-launch.h"
#include "otter-cli-common.h"
#include "otter-distributed.h"

static gboolean
ignore_signal (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* SIGTERM sent to the launcher alone (by a scheduler, say) goes on to
 * the workers, which stop after their step. */
static gboolean
forward_sigterm (gpointer data)
{
  GArray *pids = data;
  for (guint i = 0; i < pids->len; i++)
    if (g_array_index (pids, GPid, i) > 0)
      kill (g_array_index (pids, GPid, i), SIGTERM);
  return G_SOURCE_CONTINUE;
}

int
otter_cli_launch_local_workers (int          nproc,
                                const char  *const *train_args,
                                gboolean     threads_given,
                                double       timeout_seconds)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", &error);
  if (self == NULL)
    return otter_cli_fail (_("cannot start the workers: %s"), error->message);
  int port = otter_distributed_pick_local_port (&error);
  if (port < 0)
    return otter_cli_fail (_("no free port on 127.0.0.1 for the workers' rendezvous: %s"), error->message);

  /* The cores are shared out between the workers, unless the user chose
   * a thread count. */
  int threads = MAX (1, (int) g_get_num_processors () / nproc);
  g_autoptr (GArray) pids = g_array_new (FALSE, TRUE, sizeof (GPid));
  g_array_set_size (pids, nproc);
  guint sigint = g_unix_signal_add (SIGINT, ignore_signal, NULL);
  guint sigterm = g_unix_signal_add (SIGTERM, forward_sigterm, pids);

  int exit_code = OTTER_CLI_EXIT_OK;
  for (int rank = 0; rank < nproc; rank++)
    {
      g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();
      g_strv_builder_add (argv, self);
      g_strv_builder_add (argv, "train");
      g_strv_builder_addv (argv, (const char **) train_args);
      g_strv_builder_add (argv, "--distributed");
      g_autofree char *threads_text = g_strdup_printf ("%d", threads);
      if (!threads_given)
        {
          g_strv_builder_add (argv, "--threads");
          g_strv_builder_add (argv, threads_text);
        }
      g_autofree char *timeout_text = g_strdup_printf ("%g", timeout_seconds);
      g_strv_builder_add (argv, "--dist-timeout");
      g_strv_builder_add (argv, timeout_text);
      g_auto (GStrv) args = g_strv_builder_end (argv);

      g_auto (GStrv) env = otter_distributed_local_worker_environ (g_get_environ (), port, rank, nproc);

      GPid pid = 0;
      if (!g_spawn_async (NULL, args, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error))
        {
          exit_code = otter_cli_fail (_("could not start worker %d: %s"), rank, error->message);
          forward_sigterm (pids);
          break;
        }
      g_array_index (pids, GPid, rank) = pid;
    }

  /* Each worker ends by itself: a lost peer fails the others within the
   * timeout. The launcher's status is rank 0's, or a failure if any. */
  int rank0_code = OTTER_CLI_EXIT_FAILED;
  for (guint left = 0; left < pids->len; left++)
    {
      int status = 0;
      pid_t pid;
      do
        {
          g_main_context_iteration (NULL, FALSE);   /* the signal sources */
          pid = waitpid (-1, &status, WNOHANG);
          if (pid == 0)
            g_usleep (50 * 1000);
        }
      while (pid == 0 || (pid < 0 && errno == EINTR));
      if (pid < 0)
        break;
      for (guint rank = 0; rank < pids->len; rank++)
        if (g_array_index (pids, GPid, rank) == pid)
          {
            g_array_index (pids, GPid, rank) = 0;
            int code = WIFEXITED (status) ? WEXITSTATUS (status) : OTTER_CLI_EXIT_FAILED;
            if (rank == 0)
              rank0_code = code;
            else if (code == OTTER_CLI_EXIT_FAILED || !WIFEXITED (status))
              exit_code = OTTER_CLI_EXIT_FAILED;
            if (WIFSIGNALED (status))
              otter_cli_fail (_("worker %u was killed by signal %d (%s)"), rank, WTERMSIG (status),
                              g_strsignal (WTERMSIG (status)));
          }
    }
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return exit_code != OTTER_CLI_EXIT_OK ? exit_code : rank0_code;
}
