/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-run-history.c: the records of metrics.jsonl, written and read back
 *
 * One JSON object per line: "step" (each optimisation step), "epoch" (each
 * finished epoch, with its means and validation mAP) and "end" (how the run
 * ended). This file and otter-run.c are the only code that knows the format.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "otter-untrusted.h"

#include <math.h>

#include "otter-error.h"
#include "otter-run.h"

static void
add_number (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);   /* JSON has no NaN */
}

static double
get_number (JsonObject *o, const char *name)
{
  return otter_json_get_number (o, name, NAN);
}

static gboolean
append_built (OtterRun *run, JsonBuilder *b, GError **error)
{
  json_builder_end_object (b);
  g_autoptr (JsonNode) node = json_builder_get_root (b);
  return otter_run_append (run, node, error);
}

static JsonBuilder *
begin_record (const char *kind)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind);
  return b;
}

gboolean
otter_run_append_step (OtterRun              *run,
                       const OtterTrainPoint *p,
                       double                 images_per_second,
                       double                 seconds,
                       GError               **error)
{
  g_autoptr (JsonBuilder) b = begin_record ("step");
  json_builder_set_member_name (b, "step");
  json_builder_add_int_value (b, p->step);
  json_builder_set_member_name (b, "epoch");
  json_builder_add_int_value (b, p->epoch);
  add_number (b, "l1", p->l1);
  add_number (b, "l2", p->l2);
  add_number (b, "loss", p->loss);
  add_number (b, "d", p->d);
  add_number (b, "lr", p->lr);
  add_number (b, "images_per_s", images_per_second);
  add_number (b, "time", seconds);
  return append_built (run, b, error);
}

gboolean
otter_run_append_epoch (OtterRun              *run,
                        const OtterEpochPoint *e,
                        double                 seconds,
                        GError               **error)
{
  g_autoptr (JsonBuilder) b = begin_record ("epoch");
  json_builder_set_member_name (b, "epoch");
  json_builder_add_int_value (b, e->epoch);
  json_builder_set_member_name (b, "step");
  json_builder_add_int_value (b, e->step);
  add_number (b, "loss", e->loss);
  add_number (b, "l1", e->l1);
  add_number (b, "l2", e->l2);
  add_number (b, "d", e->d);
  add_number (b, "val_map50", e->val_map50);
  add_number (b, "seconds", e->seconds);
  add_number (b, "time", seconds);
  return append_built (run, b, error);
}

gboolean
otter_run_append_end (OtterRun         *run,
                      const OtterRunEnd *end,
                      GError          **error)
{
  g_autoptr (JsonBuilder) b = begin_record ("end");
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, end->status);
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, end->epochs);
  json_builder_set_member_name (b, "step");
  json_builder_add_int_value (b, end->step);
  add_number (b, "final_loss", end->final_loss);
  json_builder_set_member_name (b, "model");
  if (end->model_path != NULL)
    json_builder_add_string_value (b, end->model_path);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, end->message ? end->message : "");
  /* Every sample left out, with its reason: nothing is dropped silently. */
  json_builder_set_member_name (b, "skipped");
  json_builder_begin_array (b);
  for (guint i = 0; end->skipped != NULL && i < end->skipped->len; i++)
    json_builder_add_string_value (b, end->skipped->pdata[i]);
  json_builder_end_array (b);
  return append_built (run, b, error);
}

/* ---- reading ------------------------------------------------------------ */

void
otter_run_history_free (OtterRunHistory *history)
{
  if (history == NULL)
    return;
  g_array_unref (history->points);
  g_array_unref (history->epochs);
  g_free (history->end.status);
  g_free (history->end.model_path);
  g_free (history->end.message);
  g_clear_pointer (&history->end.skipped, g_ptr_array_unref);
  g_free (history);
}

static void
read_end (OtterRunHistory *h, JsonObject *o)
{
  g_free (h->end.status);
  g_free (h->end.model_path);
  g_free (h->end.message);
  h->ended = TRUE;
  h->end.status = g_strdup (otter_json_get_string (o, "status", ""));
  h->end.epochs = otter_json_get_int (o, "epochs", 0);
  h->end.step = otter_json_get_int (o, "step", 0);
  h->end.final_loss = get_number (o, "final_loss");
  h->end.model_path = g_strdup (otter_json_get_string (o, "model", NULL));
  h->end.message = g_strdup (otter_json_get_string (o, "message", ""));
  g_clear_pointer (&h->end.skipped, g_ptr_array_unref);
  h->end.skipped = g_ptr_array_new_with_free_func (g_free);
  JsonArray *skipped = otter_json_get_array (o, "skipped");
  for (guint i = 0; skipped != NULL && i < json_array_get_length (skipped); i++)
    {
      const char *reason = otter_json_array_get_string (skipped, i);
      if (reason != NULL)
        g_ptr_array_add (h->end.skipped, g_strdup (reason));
    }
}

OtterRunHistory *
otter_run_read_history (const char *dir,
                        gint64      max_step,
                        GError    **error)
{
  g_autofree char *path = g_build_filename (dir, OTTER_RUN_METRICS, NULL);
  g_autofree char *text = NULL;
  if (!otter_read_untrusted_file (path, OTTER_RUN_MAX_METRICS_SIZE, &text, NULL, error))
    return NULL;

  OtterRunHistory *h = g_new0 (OtterRunHistory, 1);
  h->points = g_array_new (FALSE, FALSE, sizeof (OtterTrainPoint));
  h->epochs = g_array_new (FALSE, FALSE, sizeof (OtterEpochPoint));
  h->end.final_loss = NAN;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n_lines = g_strv_length (lines);
  for (guint i = 0; i < n_lines; i++)
    {
      if (*lines[i] == '\0')
        continue;
      g_autoptr (JsonNode) node = otter_json_from_untrusted (lines[i], -1, NULL);
      JsonObject *o = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      if (o == NULL)
        {
          /* A crash tears at most the last line; anything else is damage
           * the reader reports. */
          if (i + 1 < n_lines && *lines[i + 1] != '\0')
            h->n_damaged++;
          else
            h->torn_last_line = TRUE;
          continue;
        }
      const char *kind = otter_json_get_string (o, "kind", "");
      gint64 step = otter_json_get_int (o, "step", 0);
      if (g_str_equal (kind, "end"))
        {
          if (max_step < 0)
            read_end (h, o);
          continue;
        }
      if (max_step >= 0 && step > max_step)
        continue;
      if (g_str_equal (kind, "step"))
        {
          OtterTrainPoint p = {
            step, otter_json_get_int (o, "epoch", 0),
            get_number (o, "l1"), get_number (o, "l2"), get_number (o, "loss"),
            get_number (o, "d"), get_number (o, "lr"),
          };
          g_array_append_val (h->points, p);
        }
      else if (g_str_equal (kind, "epoch"))
        {
          OtterEpochPoint e = {
            otter_json_get_int (o, "epoch", 0), step,
            get_number (o, "loss"), get_number (o, "l1"), get_number (o, "l2"),
            get_number (o, "d"), get_number (o, "val_map50"), get_number (o, "seconds"),
          };
          g_array_append_val (h->epochs, e);
        }
      else
        h->n_damaged++;
    }
  return h;
}

gboolean
otter_run_read_config (const char       *dir,
                       OtterTrainConfig *config,
                       GError          **error)
{
  g_autofree char *path = g_build_filename (dir, OTTER_RUN_CONFIG, NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local = NULL;
  gsize length = 0;

  /* a config.json is a few kilobytes: a megabyte is plenty */
  if (!otter_read_untrusted_file (path, 1 << 20, &text, &length, &local) ||
      (root = otter_json_from_untrusted (text, (gssize) length, &local)) == NULL ||
      !otter_train_config_from_json (config, root, &local))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_RUN, _("%s is not a usable run: %s"), dir, local->message);
      return FALSE;
    }
  return TRUE;
}
