/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli.c: the command-line twin of Otter */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "otter-cli-common.h"
#include "../otter-i18n.h"

static const struct
{
  const char     *name;
  OtterCliCommand run;
  const char     *summary;
} commands[] = {
  { "train", otter_cli_train, N_("train a detector (OT adversarial training by default)") },
  { "eval", otter_cli_eval, N_("clean and robust mAP of a model on a dataset") },
  { "perturb", otter_cli_perturb, N_("write clean, perturbed and difference images and the OT plan") },
  { "detect", otter_cli_detect, N_("run a model on images") },
  { "video", otter_cli_video, N_("detections on a video, clean and attacked; export and frames") },
  { "export", otter_cli_export, N_("write a model as a PyTorch state_dict with its description") },
  { "weights", otter_cli_weights, N_("list, fetch or locate pretrained backbone weights") },
};

static void
usage (FILE *out)
{
  fputs (_("Usage: otter-cli COMMAND [OPTION…]\n\n"
           "Trains object detectors that resist adversarial perturbations, by\n"
           "optimal-transport adversarial training.\n\nCommands:\n"), out);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, _(commands[i].summary));
  fputs (_("\nRun “otter-cli COMMAND --help” for the options of a command.\n"
           "Datasets: a Pascal VOC folder, a COCO JSON file, a YOLO data.yaml or folder,\n"
           "a CSV file, a plain image folder, or “demo” for the built-in shapes.\n"), out);
}

int
main (int argc, char *argv[])
{
  otter_i18n_init ();

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? OTTER_CLI_EXIT_USAGE : OTTER_CLI_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("otter-cli %s (libtorch %s, %s)\n", PACKAGE_VERSION, otter_torch_version (),
              otter_torch_device_name ());
      return OTTER_CLI_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        /* The subcommand sees itself as argv[0]; --help names it in full. */
        g_autofree char *prgname = g_strdup_printf ("otter-cli %s", commands[i].name);
        g_set_prgname (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }
  fprintf (stderr, "otter-cli: ");
  fprintf (stderr, _("unknown command “%s”"), argv[1]);
  fputs ("\n\n", stderr);
  usage (stderr);
  return OTTER_CLI_EXIT_USAGE;
}
