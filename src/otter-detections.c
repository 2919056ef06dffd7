/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-detections.c: the current model's detections on one image, off the UI thread */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-batch.h"
#include "otter-detections.h"
#include "otter-error.h"

struct _OtterDetections
{
  GObject                parent_instance;

  guint                  generation;   /* of the newest request */
  GCancellable          *cancellable;  /* of the running one */
  gboolean               running;
  /* the newest request that arrived while another was running */
  gboolean               has_pending;
  OtterDataset          *pending_dataset;
  OtterModel            *pending_model;
  guint                  pending_index;

  OtterDetectionsResult *result;
  char                  *error;
  guint                  serial;
};

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_RESULT,
  PROP_SERIAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterDetections, otter_detections, G_TYPE_OBJECT)

typedef struct
{
  gatomicrefcount       ref_count;
  OtterDetectionsResult pub;
} ResultPrivate;

static ResultPrivate *
result_private (OtterDetectionsResult *result)
{
  return (ResultPrivate *) ((char *) result - G_STRUCT_OFFSET (ResultPrivate, pub));
}

OtterDetectionsResult *
otter_detections_result_ref (OtterDetectionsResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_atomic_ref_count_inc (&result_private (result)->ref_count);
  return result;
}

void
otter_detections_result_unref (OtterDetectionsResult *result)
{
  g_return_if_fail (result != NULL);
  ResultPrivate *priv = result_private (result);
  if (!g_atomic_ref_count_dec (&priv->ref_count))
    return;
  g_clear_object (&result->sample);
  g_clear_pointer (&result->detections, g_array_unref);
  g_strfreev (result->class_names);
  g_free (priv);
}

guint
otter_detections_result_count_above (const OtterDetectionsResult *result,
                                     double                       threshold)
{
  guint n = 0;

  g_return_val_if_fail (result != NULL, 0);
  for (guint i = 0; i < result->detections->len; i++)
    n += g_array_index (result->detections, OtterDetection, i).score >= threshold;
  return n;
}

OtterDetectionsResult *
otter_detections_compute (OtterDataset  *dataset,
                          OtterModel    *model,
                          guint          index,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (OTTER_IS_MODEL (model), NULL);

  if (index >= g_list_model_get_n_items (G_LIST_MODEL (dataset)))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("The dataset has no image %u"), index);
      return NULL;
    }

  int size = otter_model_get_input_size (model);
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local = NULL;
  g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, &index, 1, size, NULL, NULL,
                                                               failures, &local);
  if (batch == NULL)
    {
      /* "file: reason" says more than "no image left" */
      if (failures->len > 0)
        g_set_error_literal (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE, failures->pdata[0]);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  OtterTorchModel *torch = otter_model_lock (model);
  g_autoptr (GArray) found = otter_torch_model_detect (torch, &batch->view, OTTER_DETECTIONS_MIN_SCORE,
                                                       OTTER_DETECTIONS_MAX, error);
  otter_model_unlock (model);
  if (found == NULL)
    return NULL;

  OtterSample *sample = otter_dataset_get_sample (dataset, index);
  const OtterLetterbox *letterbox = &batch->letterboxes[0];
  int width = otter_sample_get_width (sample), height = otter_sample_get_height (sample);
  if (width <= 0 || height <= 0)
    {
      /* an image whose size the dataset did not record: the letterbox
       * placed it, so it knows */
      width = (int) ((size - 2 * letterbox->pad_x) / letterbox->scale + 0.5);
      height = (int) ((size - 2 * letterbox->pad_y) / letterbox->scale + 0.5);
    }

  ResultPrivate *priv = g_new0 (ResultPrivate, 1);
  g_atomic_ref_count_init (&priv->ref_count);
  OtterDetectionsResult *result = &priv->pub;
  result->index = index;
  result->sample = g_object_ref (sample);
  result->image_width = width;
  result->image_height = height;
  result->detections = g_array_sized_new (FALSE, FALSE, sizeof (OtterDetection), found->len);
  result->class_names = g_strdupv ((char **) otter_model_get_class_names (model));
  for (guint k = 0; k < found->len; k++)
    {
      const OtterTorchDetection *d = &g_array_index (found, OtterTorchDetection, k);
      double x1 = d->x1, y1 = d->y1, x2 = d->x2, y2 = d->y2;
      otter_letterbox_to_image (letterbox, &x1, &y1);
      otter_letterbox_to_image (letterbox, &x2, &y2);
      /* a box reaching into the padding ends at the image's edge, as in
       * the evaluation */
      OtterDetection detection = {
        CLAMP (x1, 0, width), CLAMP (y1, 0, height), CLAMP (x2, 0, width), CLAMP (y2, 0, height),
        d->score, d->class_id,
      };
      if (detection.x2 > detection.x1 && detection.y2 > detection.y1)
        g_array_append_val (result->detections, detection);
    }
  return result;
}

/* ---- the worker ----------------------------------------------------- */

typedef struct
{
  OtterDataset *dataset;
  OtterModel   *model;
  guint         index;
} TaskData;

static void
task_data_free (gpointer data)
{
  TaskData *td = data;
  g_clear_object (&td->dataset);
  g_clear_object (&td->model);
  g_free (td);
}

typedef struct
{
  GWeakRef self;
  guint    generation;
} CallbackData;

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  TaskData *td = task_data;
  GError *error = NULL;
  OtterDetectionsResult *result = otter_detections_compute (td->dataset, td->model, td->index,
                                                            cancellable, &error);
  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) otter_detections_result_unref);
  else
    g_task_return_error (task, error);
}

static void start_task (OtterDetections *self, OtterDataset *dataset, OtterModel *model, guint index);

static void
set_running (OtterDetections *self,
             gboolean         running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
compute_done_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  CallbackData *cd = user_data;
  g_autoptr (OtterDetections) self = g_weak_ref_get (&cd->self);
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterDetectionsResult) result = g_task_propagate_pointer (G_TASK (res), &error);
  guint generation = cd->generation;

  g_weak_ref_clear (&cd->self);
  g_free (cd);
  if (self == NULL)
    return;

  g_clear_object (&self->cancellable);
  if (self->has_pending)
    {
      g_autoptr (OtterDataset) dataset = g_steal_pointer (&self->pending_dataset);
      g_autoptr (OtterModel) model = g_steal_pointer (&self->pending_model);
      self->has_pending = FALSE;
      start_task (self, dataset, model, self->pending_index);
      return;
    }

  /* a superseded or cleared run's result is stale */
  if (generation == self->generation)
    {
      g_clear_pointer (&self->result, otter_detections_result_unref);
      g_clear_pointer (&self->error, g_free);
      if (result != NULL)
        self->result = g_steal_pointer (&result);
      else
        self->error = g_strdup (error->message);
      self->serial++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERIAL]);
    }
  set_running (self, FALSE);
}

static void
start_task (OtterDetections *self,
            OtterDataset    *dataset,
            OtterModel      *model,
            guint            index)
{
  TaskData *td = g_new0 (TaskData, 1);
  td->dataset = g_object_ref (dataset);
  td->model = g_object_ref (model);
  td->index = index;

  CallbackData *cd = g_new0 (CallbackData, 1);
  g_weak_ref_init (&cd->self, self);
  cd->generation = self->generation;

  self->cancellable = g_cancellable_new ();
  g_autoptr (GTask) task = g_task_new (NULL, self->cancellable, compute_done_cb, cd);
  g_task_set_source_tag (task, start_task);
  g_task_set_name (task, "[otter] detections");
  /* the callback tells stale results apart itself */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, td, task_data_free);
  g_task_run_in_thread (task, compute_thread);
  set_running (self, TRUE);
}

static void
drop_result (OtterDetections *self)
{
  gboolean had = self->result != NULL || self->error != NULL;

  g_clear_pointer (&self->result, otter_detections_result_unref);
  g_clear_pointer (&self->error, g_free);
  if (had)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
}

void
otter_detections_request (OtterDetections *self,
                          OtterDataset    *dataset,
                          OtterModel      *model,
                          guint            index)
{
  g_return_if_fail (OTTER_IS_DETECTIONS (self));
  g_return_if_fail (OTTER_IS_DATASET (dataset));
  g_return_if_fail (OTTER_IS_MODEL (model));

  self->generation++;
  /* the old image's boxes do not belong on the new one */
  drop_result (self);
  if (self->running)
    {
      /* libtorch cannot be interrupted: let the running one finish unseen
       * and compute only the newest request after it */
      g_cancellable_cancel (self->cancellable);
      g_set_object (&self->pending_dataset, dataset);
      g_set_object (&self->pending_model, model);
      self->pending_index = index;
      self->has_pending = TRUE;
      return;
    }
  start_task (self, dataset, model, index);
}

void
otter_detections_clear (OtterDetections *self)
{
  g_return_if_fail (OTTER_IS_DETECTIONS (self));

  self->generation++;
  self->has_pending = FALSE;
  g_clear_object (&self->pending_dataset);
  g_clear_object (&self->pending_model);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  drop_result (self);
}

gboolean
otter_detections_get_running (OtterDetections *self)
{
  g_return_val_if_fail (OTTER_IS_DETECTIONS (self), FALSE);
  return self->running;
}

OtterDetectionsResult *
otter_detections_get_result (OtterDetections *self)
{
  g_return_val_if_fail (OTTER_IS_DETECTIONS (self), NULL);
  return self->result;
}

const char *
otter_detections_get_error (OtterDetections *self)
{
  g_return_val_if_fail (OTTER_IS_DETECTIONS (self), NULL);
  return self->error;
}

guint
otter_detections_get_serial (OtterDetections *self)
{
  g_return_val_if_fail (OTTER_IS_DETECTIONS (self), 0);
  return self->serial;
}

static void
otter_detections_dispose (GObject *object)
{
  OtterDetections *self = OTTER_DETECTIONS (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pending_dataset);
  g_clear_object (&self->pending_model);
  G_OBJECT_CLASS (otter_detections_parent_class)->dispose (object);
}

static void
otter_detections_finalize (GObject *object)
{
  OtterDetections *self = OTTER_DETECTIONS (object);

  g_clear_pointer (&self->result, otter_detections_result_unref);
  g_clear_pointer (&self->error, g_free);
  G_OBJECT_CLASS (otter_detections_parent_class)->finalize (object);
}

static void
otter_detections_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OtterDetections *self = OTTER_DETECTIONS (object);

  switch (prop_id)
    {
    case PROP_RUNNING: g_value_set_boolean (value, self->running); break;
    case PROP_RESULT: g_value_set_pointer (value, self->result); break;
    case PROP_SERIAL: g_value_set_uint (value, self->serial); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_detections_class_init (OtterDetectionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = otter_detections_dispose;
  object_class->finalize = otter_detections_finalize;
  object_class->get_property = otter_detections_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RESULT] =
    g_param_spec_pointer ("result", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SERIAL] =
    g_param_spec_uint ("serial", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
otter_detections_init (OtterDetections *self)
{
}

OtterDetections *
otter_detections_new (void)
{
  return g_object_new (OTTER_TYPE_DETECTIONS, NULL);
}
