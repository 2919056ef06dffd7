/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: starts Otter */

#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "otter-application.h"
#include "otter-i18n.h"

int
main (int argc, char *argv[])
{
  /* OpenMP worker threads spin while they wait, which takes CPU from the
   * interface during training. libgomp reads this setting when it loads,
   * before main, so set it and start again once. */
  if (g_getenv ("OMP_WAIT_POLICY") == NULL)
    {
      g_setenv ("OMP_WAIT_POLICY", "PASSIVE", TRUE);
      execv ("/proc/self/exe", argv);
      /* If that fails, run as we are. */
    }

  otter_i18n_init ();

  g_autoptr (OtterApplication) app = otter_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
