/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-detect.c: otter-cli detect */

#include "config.h"

#include "otter-cli-common.h"

int
otter_cli_detect (int argc, char **argv)
{
  return otter_cli_fail ("detect is not available in this build yet");
}
