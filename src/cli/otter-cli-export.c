/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-export.c: otter-cli export */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "otter-cli-common.h"
#include "otter-export.h"

int
otter_cli_export (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *out = NULL;
  gboolean json = FALSE;
  int exit_code = OTTER_CLI_EXIT_OK;

  GOptionEntry entries[] = {
    { "model", 'M', 0, G_OPTION_ARG_FILENAME, &model_path, N_("Model or checkpoint file"), "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("The state_dict to write (.pth); its description goes beside it as .json"), "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print what was written as JSON on stdout"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("- write a model for PyTorch"));
  g_option_context_set_summary (context, N_(
    "Writes the detector's weights as a state_dict that torch.load reads (names as\n"
    "in the network: backbone.conv1.weight, heatmap.out.bias, ...) and, beside it,\n"
    "a JSON file with the architecture, class names, input size and normalisation,\n"
    "enough to rebuild the network in PyTorch (tests/tools/otter_twin.py does)."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!otter_cli_parse_flags_only (context, &argc, &argv, &exit_code))
    return exit_code;
  if (model_path == NULL || out == NULL)
    return otter_cli_usage_fail (_("export needs --model FILE and --out FILE.pth"));

  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) model = otter_torch_model_load (model_path, &error);
  if (model == NULL)
    return otter_cli_fail ("%s", error->message);

  g_autofree char *json_path = otter_export_description_path (out);
  if (!otter_export_write (model, out, &error))
    return otter_cli_fail ("%s", error->message);

  /* A msgid cannot hold G_GINT64_FORMAT; the count fits a long long. */
  fprintf (stderr, _("wrote %s (state_dict, %lld parameters) and %s\n"),
           out, (long long) otter_torch_model_get_n_params (model), json_path);
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "state_dict");
      json_builder_add_string_value (b, out);
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, json_path);
      json_builder_set_member_name (b, "arch");
      json_builder_add_string_value (b, otter_torch_model_get_arch (model));
      json_builder_end_object (b);
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      otter_cli_print_json (root);
    }
  return OTTER_CLI_EXIT_OK;
}
