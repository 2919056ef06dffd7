/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-distributed.c: a worker's place in a data-parallel run, from its
 * environment */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "otter-distributed.h"
#include "otter-error.h"

void
otter_distributed_params_init (OtterDistributedParams *params)
{
  *params = (OtterDistributedParams) {
    .master_addr = NULL,
    .master_port = 0,
    .rank = 0,
    .world_size = 1,
    .local_rank = 0,
    .timeout_seconds = OTTER_DISTRIBUTED_DEFAULT_TIMEOUT,
  };
}

void
otter_distributed_params_clear (OtterDistributedParams *params)
{
  g_clear_pointer (&params->master_addr, g_free);
}

void
otter_distributed_params_copy (OtterDistributedParams       *dest,
                               const OtterDistributedParams *src)
{
  *dest = *src;
  dest->master_addr = g_strdup (src->master_addr);
}

/* An integer variable; `fallback` names the variable read instead when
 * `name` is unset (NULL: none). */
static gboolean
read_int (const char *name, const char *fallback, gboolean required, int min, int *out, GError **error)
{
  const char *used = name;
  const char *text = g_getenv (name);
  if (text == NULL && fallback != NULL)
    {
      used = fallback;
      text = g_getenv (fallback);
    }
  if (text == NULL)
    {
      if (required)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                     _("%s is not set: a distributed worker is started by torchrun, Slurm's srun or "
                       "otter-cli train --nproc, which set it"), name);
      return !required;
    }
  gint64 value;
  g_autoptr (GError) local = NULL;
  if (!g_ascii_string_to_signed (text, 10, min, G_MAXINT, &value, &local))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("%s=“%s” is not a whole number of at least %d"), used, text, min);
      return FALSE;
    }
  *out = (int) value;
  return TRUE;
}

gboolean
otter_distributed_params_from_env (OtterDistributedParams *params,
                                   GError                **error)
{
  otter_distributed_params_init (params);
  /* torchrun's variables first; Slurm's when a batch script starts the
   * workers with srun. */
  gboolean slurm = g_getenv ("RANK") == NULL && g_getenv ("SLURM_PROCID") != NULL;
  const char *addr = g_getenv ("MASTER_ADDR");
  if (addr == NULL || *addr == '\0')
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("MASTER_ADDR is not set: it names the host of rank 0, which every worker connects to"));
      return FALSE;
    }
  params->master_addr = g_strdup (addr);
  if (!read_int ("MASTER_PORT", NULL, TRUE, 1, &params->master_port, error) ||
      !read_int (slurm ? "SLURM_NTASKS" : "WORLD_SIZE", NULL, TRUE, 1, &params->world_size, error) ||
      !read_int (slurm ? "SLURM_PROCID" : "RANK", NULL, TRUE, 0, &params->rank, error) ||
      !read_int (slurm ? "SLURM_LOCALID" : "LOCAL_RANK", NULL, FALSE, 0, &params->local_rank, error))
    {
      otter_distributed_params_clear (params);
      return FALSE;
    }
  if (!otter_distributed_params_validate (params, error))
    {
      otter_distributed_params_clear (params);
      return FALSE;
    }
  return TRUE;
}

gboolean
otter_distributed_params_validate (const OtterDistributedParams *params,
                                   GError                      **error)
{
  if (params->master_addr == NULL || *params->master_addr == '\0')
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, _("no master address for the distributed run"));
  else if (params->master_port < 1 || params->master_port > 65535)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                 _("the master port %d is not a TCP port (1–65535)"), params->master_port);
  else if (params->world_size < 1)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                 _("the world size is %d: a distributed run has at least one worker"), params->world_size);
  else if (params->rank < 0 || params->rank >= params->world_size)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                 _("rank %d does not fit a group of %d processes (ranks run from 0 to the world size − 1)"),
                 params->rank, params->world_size);
  else if (!(params->timeout_seconds > 0) || params->timeout_seconds > 86400)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                 _("the distributed timeout must lie between 0 and 86400 s, not %g"), params->timeout_seconds);
  else
    return TRUE;
  return FALSE;
}

int
otter_distributed_pick_local_port (GError **error)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return -1;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_bind (socket, any_port, FALSE, error))
    return -1;
  g_autoptr (GSocketAddress) bound = g_socket_get_local_address (socket, error);
  return bound != NULL ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : -1;
}

char **
otter_distributed_local_worker_environ (char **env,
                                        int    port,
                                        int    rank,
                                        int    world_size)
{
  g_autofree char *port_text = g_strdup_printf ("%d", port);
  g_autofree char *world_text = g_strdup_printf ("%d", world_size);
  g_autofree char *rank_text = g_strdup_printf ("%d", rank);
  env = g_environ_setenv (env, "MASTER_ADDR", "127.0.0.1", TRUE);
  env = g_environ_setenv (env, "MASTER_PORT", port_text, TRUE);
  env = g_environ_setenv (env, "WORLD_SIZE", world_text, TRUE);
  env = g_environ_setenv (env, "LOCAL_WORLD_SIZE", world_text, TRUE);
  env = g_environ_setenv (env, "RANK", rank_text, TRUE);
  env = g_environ_setenv (env, "LOCAL_RANK", rank_text, TRUE);
  return g_environ_unsetenv (env, "OTTER_THREADS");
}
