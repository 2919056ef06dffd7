/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-distributed.h: where a worker of a data-parallel run stands */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The default bound on every wait of a distributed run: long enough for
 * rank 0's validation pass, short enough that a dead rank is noticed. */
#define OTTER_DISTRIBUTED_DEFAULT_TIMEOUT 300.0

typedef struct
{
  char  *master_addr;       /* rank 0's host, serving the rendezvous */
  int    master_port;
  int    rank;              /* 0 … world_size − 1 */
  int    world_size;
  int    local_rank;        /* the rank among this host's workers */
  double timeout_seconds;   /* the longest any rank waits for another */
  /* A rank > 0 that trains what rank 0 trains (its data, model and
   * settings, received at the rendezvous) instead of its own settings:
   * the workers the app starts. */
  gboolean settings_from_rank0;
} OtterDistributedParams;

void     otter_distributed_params_init     (OtterDistributedParams       *params);
void     otter_distributed_params_clear    (OtterDistributedParams       *params);
void     otter_distributed_params_copy     (OtterDistributedParams       *dest,
                                            const OtterDistributedParams *src);
/* Reads the environment torchrun gives its workers (MASTER_ADDR,
 * MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK), or Slurm's (SLURM_PROCID,
 * SLURM_NTASKS, SLURM_LOCALID, with MASTER_ADDR and MASTER_PORT set by the
 * batch script) when RANK is unset. Errors name the variable. */
gboolean otter_distributed_params_from_env (OtterDistributedParams       *params,
                                            GError                      **error);
gboolean otter_distributed_params_validate (const OtterDistributedParams *params,
                                            GError                      **error);

/* For a group on this machine: a port on 127.0.0.1 that nothing listens
 * on now (rank 0 binds it a moment later), or -1 with an error. */
int      otter_distributed_pick_local_port (GError                      **error);
/* `env` (consumed) with what torchrun gives rank `rank` of `world_size`
 * local workers that meet on 127.0.0.1:`port`; OTTER_THREADS is dropped,
 * since the launcher passes each worker its share of the cores. */
char   **otter_distributed_local_worker_environ (char                 **env,
                                                 int                    port,
                                                 int                    rank,
                                                 int                    world_size);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OtterDistributedParams, otter_distributed_params_clear)

G_END_DECLS
