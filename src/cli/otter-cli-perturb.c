/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-perturb.c: otter-cli perturb */

#include "config.h"

#include "otter-cli-common.h"

int
otter_cli_perturb (int argc, char **argv)
{
  return otter_cli_fail ("perturb is not available in this build yet");
}
