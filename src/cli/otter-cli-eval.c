/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-eval.c: otter-cli eval */

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "otter-cli-common.h"
#include "otter-evaluator.h"

/* `text` and spaces up to `width` columns: a translation may hold wide
 * characters, which printf's %-20s would count as three. */
static void
print_padded (const char *text, int width)
{
  int columns = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    columns += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  printf ("%s%*s", text, MAX (width - columns, 0), "");
}

static void
eval_progress (guint done, guint total, gpointer user_data)
{
  const char *attack = user_data;
  otter_cli_progress (done == total, (double) done / total, _("%s: %u/%u images"), attack, done, total);
}

static void
add_ap (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
add_result (JsonBuilder *b, OtterMapResult *r, const char *const *names)
{
  add_ap (b, "map50", r->map50);
  add_ap (b, "map", r->map);
  json_builder_set_member_name (b, "per_class");
  json_builder_begin_object (b);
  for (guint c = 0; c < r->n_classes && names[c] != NULL; c++)
    {
      if (r->n_truths[c] == 0)
        continue;
      json_builder_set_member_name (b, names[c]);
      json_builder_begin_object (b);
      add_ap (b, "ap50", r->ap50[c]);
      add_ap (b, "ap", r->ap[c]);
      json_builder_set_member_name (b, "truths");
      json_builder_add_int_value (b, r->n_truths[c]);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

int
otter_cli_eval (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *data = NULL, *attacks = NULL, *epsilon = NULL;
  double val_fraction = 0;
  int threads = OTTER_CLI_UNSET_INT, batch = 16, pgd_steps = OTTER_CLI_UNSET_INT, seed = 1;
  gboolean allow_outside_root = FALSE;
  gboolean json = FALSE;
  int exit_code = OTTER_CLI_EXIT_OK;

  GOptionEntry entries[] = {
    { "model", 'M', 0, G_OPTION_ARG_FILENAME, &model_path, N_("Model file"), "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, N_("Dataset to evaluate on (a path, or “demo”)"), "PATH" },
    OTTER_CLI_ALLOW_OUTSIDE_ROOT_ENTRY (allow_outside_root),
    { "attack", 'A', 0, G_OPTION_ARG_STRING, &attacks, N_("none, fgsm, pgd, pgd50, ot, a comma list, or all [none]"), "ATTACK" },
    { "epsilon", 0, 0, G_OPTION_ARG_STRING, &epsilon, N_("Attack budget ε [8/255]"), "EPS" },
    { "pgd-steps", 0, 0, G_OPTION_ARG_INT, &pgd_steps, N_("PGD steps k [10]"), "K" },
    { "val-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &val_fraction, N_("Evaluate only the validation part of the split train would make"), "F" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, N_("Seed of that split and of random starts [1]"), "N" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch, N_("Images per batch [16]"), "N" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("libtorch threads [all cores]"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the results as JSON on stdout"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("- mAP of a model, clean and under attack"));
  g_option_context_set_summary (context, N_(
    "Reports mAP@0.5 (VOC all-point) and COCO mAP@[.5:.95], overall and per class,\n"
    "on clean images and under FGSM (1 step of ε), PGD-k on the objects' detection\n"
    "loss (step 2/255, random start), PGD-50 with 5 random restarts keeping the worst\n"
    "per image (pgd50, which exposes gradient masking) and the OT attack."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!otter_cli_parse_flags_only (context, &argc, &argv, &exit_code))
    return exit_code;
  if (model_path == NULL || data == NULL)
    return otter_cli_usage_fail (_("eval needs --model FILE and --data PATH"));
  if (batch < 1 || batch > 256)
    return otter_cli_usage_fail (_("--batch-size must be between 1 and 256"));
  if (!(val_fraction >= 0 && val_fraction < 1))
    return otter_cli_usage_fail (_("--val-fraction must be at least 0 and below 1"));

  g_auto (GStrv) kinds = g_strsplit (attacks ? (g_strcmp0 (attacks, "all") == 0 ? "none,fgsm,pgd,pgd50,ot" : attacks)
                                             : "none", ",", -1);
  if (!otter_cli_check_int ("pgd-steps", pgd_steps, 1, 1000, &exit_code))
    return exit_code;
  /* Each attack at most once: five kinds, so five entries at most. */
  OtterTorchAttackParams params[5];
  guint n_attacks = 0;
  for (guint i = 0; kinds[i] != NULL; i++)
    {
      OtterAttackKind kind;
      if (!otter_attack_kind_from_string (g_strstrip (kinds[i]), &kind))
        return otter_cli_usage_fail (_("--attack: unknown attack “%s” (expected none, fgsm, pgd, pgd50 or ot)"),
                                     kinds[i]);
      for (guint j = 0; j < n_attacks; j++)
        if (params[j].kind == kind)
          return otter_cli_usage_fail (_("--attack lists “%s” twice"), kinds[i]);
      g_assert (n_attacks < G_N_ELEMENTS (params));
      otter_torch_attack_params_init (&params[n_attacks], kind);
      if (epsilon != NULL && !otter_cli_parse_epsilon (epsilon, &params[n_attacks].epsilon))
        return otter_cli_usage_fail (_("--epsilon “%s” is not a budget in [0, 1] (e.g. 8/255)"), epsilon);
      params[n_attacks].ot.epsilon = params[n_attacks].ot.step_size = params[n_attacks].epsilon;
      /* pgd50 is a fixed protocol (50 steps, 5 restarts); --pgd-steps
       * changes the plain PGD only. */
      if (pgd_steps != OTTER_CLI_UNSET_INT && kind == OTTER_ATTACK_PGD)
        params[n_attacks].steps = pgd_steps;
      n_attacks++;
    }

  if (!otter_cli_setup_threads (threads, &exit_code))
    return exit_code;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) model = otter_torch_model_load (model_path, &error);
  if (model == NULL)
    return otter_cli_fail ("%s", error->message);
  g_autoptr (OtterDataset) dataset = otter_cli_load_dataset (data, allow_outside_root, &error);
  if (dataset == NULL)
    return otter_cli_fail ("%s", error->message);
  if (val_fraction > 0)
    {
      g_autoptr (OtterDataset) train = NULL;
      g_autoptr (OtterDataset) val = NULL;
      if (!otter_dataset_split (dataset, val_fraction, seed, &train, &val, &error))
        return otter_cli_fail ("%s", error->message);
      g_set_object (&dataset, val);
    }

  const char *const *names = otter_torch_model_get_class_names (model);
  guint n_images = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, model_path);
  json_builder_set_member_name (b, "data");
  json_builder_add_string_value (b, data);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, n_images);
  json_builder_set_member_name (b, "attacks");
  json_builder_begin_object (b);

  OtterMapResult *first = NULL;
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) otter_map_result_free);
  for (guint i = 0; i < n_attacks; i++)
    {
      const char *kind = otter_attack_kind_to_string (params[i].kind);
      OtterMapResult *r = otter_evaluate (model, dataset, &params[i], batch, seed, NULL,
                                          eval_progress, (gpointer) kind,
                                          i == 0 ? failures : NULL, &error);
      if (r == NULL)
        return otter_cli_fail ("%s", error->message);
      g_ptr_array_add (results, r);
      if (first == NULL)
        first = r;
      json_builder_set_member_name (b, kind);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "epsilon");
      json_builder_add_double_value (b, params[i].kind == OTTER_ATTACK_NONE ? 0 : params[i].epsilon);
      add_result (b, r, names);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  /* The first attack's numbers also at the top level, for scripts. */
  add_result (b, first, names);
  json_builder_set_member_name (b, "skipped");
  json_builder_add_int_value (b, failures->len + otter_dataset_get_skipped (dataset)->len);
  json_builder_end_object (b);
  otter_cli_progress_end ();

  for (guint i = 0; i < failures->len; i++)
    fprintf (stderr, _("otter-cli: skipped %s\n"), (char *) failures->pdata[i]);

  if (json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      otter_cli_print_json (root);
      return OTTER_CLI_EXIT_OK;
    }
  printf (ngettext ("%u image, model %s\n\n", "%u images, model %s\n\n", n_images), n_images, model_path);
  /* Translators: the heading of the column of class names */
  print_padded (C_("column", "class"), 20);
  for (guint i = 0; i < n_attacks; i++)
    printf ("  %6s AP50 %6s AP", otter_attack_kind_to_string (params[i].kind), "");
  printf ("\n");
  for (guint c = 0; names[c] != NULL; c++)
    {
      OtterMapResult *r0 = results->pdata[0];
      if (c >= r0->n_classes || r0->n_truths[c] == 0)
        continue;
      printf ("%-20.20s", names[c]);
      for (guint i = 0; i < n_attacks; i++)
        {
          OtterMapResult *r = results->pdata[i];
          printf ("  %11.3f %9.3f", r->ap50[c], r->ap[c]);
        }
      printf ("\n");
    }
  /* Translators: the row of the means over the classes */
  print_padded (C_("row", "mean"), 20);
  for (guint i = 0; i < n_attacks; i++)
    {
      OtterMapResult *r = results->pdata[i];
      printf ("  %11.3f %9.3f", r->map50, r->map);
    }
  printf ("\n");
  return OTTER_CLI_EXIT_OK;
}
