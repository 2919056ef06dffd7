/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-export.c: a trained detector written for PyTorch
 *
 * The weights go through libtorch's own pickler (a file torch.load reads
 * as a dict of tensors); the description beside them says how to build
 * the network that takes them and how to read its outputs.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "otter-export.h"

char *
otter_export_description_path (const char *pth_path)
{
  g_return_val_if_fail (pth_path != NULL, NULL);

  if (g_str_has_suffix (pth_path, ".pth") || g_str_has_suffix (pth_path, ".pt"))
    {
      const char *dot = strrchr (pth_path, '.');
      g_autofree char *stem = g_strndup (pth_path, dot - pth_path);

      return g_strconcat (stem, ".json", NULL);
    }
  return g_strconcat (pth_path, ".json", NULL);
}

static char *
description_json (OtterTorchModel *model,
                  const char      *pth_path)
{
  g_autofree char *text = otter_torch_model_dup_description_json (model);
  g_autoptr(JsonNode) root = text != NULL ? json_from_string (text, NULL) : NULL;
  g_autofree char *base = g_path_get_basename (pth_path);
  JsonObject *obj;
  JsonObject *outputs;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  json_object_set_string_member (obj, "format", "otter-export");
  json_object_set_string_member (obj, "state_dict", base);
  outputs = json_object_new ();
  json_object_set_string_member (outputs, "heatmap",
                                 "N×C×H×W logits at stride 4: sigmoid gives each class's centre score; "
                                 "a detection is a 3×3 local maximum");
  json_object_set_string_member (outputs, "size",
                                 "N×2×H×W box width and height in stride-4 cells");
  json_object_set_string_member (outputs, "offset",
                                 "N×2×H×W sub-cell offset of the centre (x, y)");
  json_object_set_object_member (obj, "outputs", outputs);
  return json_to_string (root, TRUE);
}

gboolean
otter_export_write (OtterTorchModel  *model,
                    const char       *pth_path,
                    GError          **error)
{
  g_autofree char *json_path = NULL;
  g_autofree char *json = NULL;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (pth_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  json_path = otter_export_description_path (pth_path);
  json = description_json (model, pth_path);
  if (json == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("could not describe the model for %s"), pth_path);
      return FALSE;
    }
  /* Each file is written to a temporary name and renamed; the state_dict
   * goes first and is removed again if its description cannot follow. */
  if (!otter_torch_model_export_state_dict (model, pth_path, error))
    return FALSE;
  if (!g_file_set_contents_full (json_path, json, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, error))
    {
      g_unlink (pth_path);
      return FALSE;
    }
  return TRUE;
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  OtterModel *model = source;
  const char *path = task_data;
  OtterTorchModel *torch = otter_model_lock (model);
  GError *error = NULL;
  gboolean ok = otter_export_write (torch, path, &error);

  otter_model_unlock (model);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
otter_export_write_async (OtterModel          *model,
                          const char          *pth_path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OTTER_IS_MODEL (model));
  g_return_if_fail (pth_path != NULL);

  task = g_task_new (model, cancellable, callback, user_data);
  g_task_set_source_tag (task, otter_export_write_async);
  g_task_set_task_data (task, g_strdup (pth_path), g_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
otter_export_write_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
