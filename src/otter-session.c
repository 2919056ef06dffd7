/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-session.c */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-error.h"
#include "otter-session.h"

struct _OtterSession
{
  GObject       parent_instance;
  OtterDataset *dataset;
  OtterModel   *model;
  OtterTrainer *trainer;
  GCancellable *dataset_cancellable;
  char         *dataset_loading;   /* the path of the latest dataset request */
  GCancellable *model_cancellable;
  char         *title;
  guint         busy;
  guint         model_serial;  /* bumped whenever the model is replaced or asked for */
};

enum
{
  PROP_0,
  PROP_DATASET,
  PROP_MODEL,
  PROP_TRAINER,
  PROP_TITLE,
  PROP_BUSY,
  N_PROPS
};

enum
{
  ERROR,
  MODEL_ERROR,
  OUTSIDE_ROOT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OtterSession, otter_session, G_TYPE_OBJECT)

static void
update_title (OtterSession *self)
{
  g_autofree char *data = NULL;
  g_autofree char *model = NULL;

  if (self->dataset != NULL)
    data = g_path_get_basename (otter_dataset_get_source (self->dataset));
  if (self->model != NULL)
    model = otter_model_dup_label (self->model);
  g_free (self->title);
  if (data && model)
    self->title = g_strdup_printf ("%s · %s", data, model);
  else
    self->title = g_strdup (data ? data : model ? model : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
set_busy (OtterSession *self, gboolean busy)
{
  self->busy += busy ? 1 : -1;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
otter_session_dispose (GObject *object)
{
  OtterSession *self = OTTER_SESSION (object);

  g_cancellable_cancel (self->dataset_cancellable);
  g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->dataset_cancellable);
  g_clear_object (&self->model_cancellable);
  g_clear_pointer (&self->dataset_loading, g_free);
  g_clear_object (&self->dataset);
  g_clear_object (&self->model);
  g_clear_object (&self->trainer);
  G_OBJECT_CLASS (otter_session_parent_class)->dispose (object);
}

static void
otter_session_finalize (GObject *object)
{
  g_free (OTTER_SESSION (object)->title);
  G_OBJECT_CLASS (otter_session_parent_class)->finalize (object);
}

static void
otter_session_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  OtterSession *self = OTTER_SESSION (object);

  switch (prop_id)
    {
    case PROP_DATASET: g_value_set_object (value, self->dataset); break;
    case PROP_MODEL: g_value_set_object (value, self->model); break;
    case PROP_TRAINER: g_value_set_object (value, self->trainer); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_BUSY: g_value_set_boolean (value, self->busy > 0); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_session_class_init (OtterSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = otter_session_dispose;
  object_class->finalize = otter_session_finalize;
  object_class->get_property = otter_session_get_property;

  properties[PROP_DATASET] = g_param_spec_object ("dataset", NULL, NULL, OTTER_TYPE_DATASET, ro);
  properties[PROP_MODEL] = g_param_spec_object ("model", NULL, NULL, OTTER_TYPE_MODEL, ro);
  properties[PROP_TRAINER] = g_param_spec_object ("trainer", NULL, NULL, OTTER_TYPE_TRAINER, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, "", ro);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A message for the user (a toast); the session's state is unchanged. */
  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A model file could not be opened (also reported through "error"). */
  signals[MODEL_ERROR] = g_signal_new ("model-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A dataset (path, message) none of whose files lie inside its folder:
   * reported instead of "error", so that the user can be offered to read
   * them (otter_session_open_dataset_with_flags()). */
  signals[OUTSIDE_ROOT] = g_signal_new ("outside-root", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
otter_session_init (OtterSession *self)
{
  self->title = g_strdup ("");
}

OtterSession *
otter_session_new (void)
{
  return g_object_new (OTTER_TYPE_SESSION, NULL);
}

static void
dataset_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (OtterSession) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterDataset) dataset = otter_dataset_load_finish (result, &error);

  set_busy (self, FALSE);
  if (dataset == NULL)
    {
      if (g_error_matches (error, OTTER_ERROR, OTTER_ERROR_OUTSIDE_ROOT))
        g_signal_emit (self, signals[OUTSIDE_ROOT], 0, self->dataset_loading, error->message);
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[ERROR], 0, error->message);
      return;
    }
  if (g_set_object (&self->dataset, dataset))
    {
      /* A run that has ended belonged to the old data: its outcome (a
       * failure on another dataset, say) no longer describes this one. */
      if (self->trainer != NULL && otter_trainer_state_is_final (otter_trainer_get_state (self->trainer)))
        otter_session_set_trainer (self, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATASET]);
      update_title (self);
    }
}

void
otter_session_open_dataset (OtterSession *self,
                            const char   *path)
{
  otter_session_open_dataset_with_flags (self, path, OTTER_DATASET_LOAD_NONE);
}

/* As otter_session_open_dataset(); the Data page reopens a dataset with
 * OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT when the user asks for its files
 * outside its folder. */
void
otter_session_open_dataset_with_flags (OtterSession         *self,
                                       const char           *path,
                                       OtterDatasetLoadFlags flags)
{
  g_return_if_fail (OTTER_IS_SESSION (self));
  g_return_if_fail (path != NULL);

  /* A newer request supersedes an older one. */
  g_cancellable_cancel (self->dataset_cancellable);
  g_clear_object (&self->dataset_cancellable);
  self->dataset_cancellable = g_cancellable_new ();
  g_free (self->dataset_loading);
  self->dataset_loading = g_strdup (path);
  set_busy (self, TRUE);
  otter_dataset_load_async (path, flags, self->dataset_cancellable, dataset_loaded_cb, g_object_ref (self));
}

OtterDataset *
otter_session_get_dataset (OtterSession *self)
{
  g_return_val_if_fail (OTTER_IS_SESSION (self), NULL);
  return self->dataset;
}

gboolean
otter_session_get_busy (OtterSession *self)
{
  g_return_val_if_fail (OTTER_IS_SESSION (self), FALSE);
  return self->busy > 0;
}

void
otter_session_set_model (OtterSession *self,
                         OtterModel   *model)
{
  g_return_if_fail (OTTER_IS_SESSION (self));
  self->model_serial++;
  if (g_set_object (&self->model, model))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
      update_title (self);
    }
}

static void
model_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (OtterSession) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterModel) model = otter_model_load_finish (result, &error);

  set_busy (self, FALSE);
  if (model == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_signal_emit (self, signals[MODEL_ERROR], 0, error->message);
          g_signal_emit (self, signals[ERROR], 0, error->message);
        }
      return;
    }
  otter_session_set_model (self, model);
}

void
otter_session_open_model (OtterSession *self,
                          const char   *path)
{
  g_return_if_fail (OTTER_IS_SESSION (self));
  g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  self->model_cancellable = g_cancellable_new ();
  self->model_serial++;
  set_busy (self, TRUE);
  otter_model_load_async (path, self->model_cancellable, model_loaded_cb, g_object_ref (self));
}

static gboolean
check_classes (OtterSession *self,
               GError      **error)
{
  if (self->dataset == NULL || otter_dataset_get_n_classes (self->dataset) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Open a dataset with labelled boxes first: the model takes its classes from it"));
      return FALSE;
    }
  return TRUE;
}

gboolean
otter_session_create_model (OtterSession *self,
                            const char   *arch,
                            int           input_size,
                            GError      **error)
{
  g_return_val_if_fail (OTTER_IS_SESSION (self), FALSE);
  if (!check_classes (self, error))
    return FALSE;
  g_autoptr (OtterModel) model = otter_model_new_builtin (arch, otter_dataset_get_class_names (self->dataset),
                                                          input_size, 1, error);
  if (model == NULL)
    return FALSE;
  otter_session_set_model (self, model);
  return TRUE;
}

typedef struct
{
  OtterDataset *dataset;   /* whose classes the model has */
  guint         serial;
} CreateRequest;

static void
create_request_free (gpointer data)
{
  CreateRequest *request = data;
  g_clear_object (&request->dataset);
  g_free (request);
}

static void
model_created_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  OtterSession *self = g_task_get_source_object (task);
  CreateRequest *request = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (OtterModel) model = otter_model_new_builtin_finish (result, &error);

  if (model == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* a model for another dataset's classes, or one the user has since
   * replaced, must not overwrite what is there now */
  if (request->serial != self->model_serial || request->dataset != self->dataset ||
      g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "%s", _("Superseded by a newer model or dataset"));
      return;
    }
  otter_session_set_model (self, model);
  g_task_return_boolean (task, TRUE);
}

void
otter_session_create_model_async (OtterSession        *self,
                                  const char          *arch,
                                  int                  input_size,
                                  const char          *backbone_weights,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (OTTER_IS_SESSION (self));
  g_return_if_fail (arch != NULL);

  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, otter_session_create_model_async);
  if (!check_classes (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* the newest request wins, whether it opens a file or builds a model */
  g_cancellable_cancel (self->model_cancellable);
  CreateRequest *request = g_new0 (CreateRequest, 1);
  request->dataset = g_object_ref (self->dataset);
  request->serial = ++self->model_serial;
  g_task_set_task_data (task, request, create_request_free);
  otter_model_new_builtin_async (arch, otter_dataset_get_class_names (self->dataset), input_size, 1,
                                 backbone_weights, cancellable, model_created_cb, g_object_ref (task));
}

gboolean
otter_session_create_model_finish (OtterSession  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (OTTER_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

OtterModel *
otter_session_get_model (OtterSession *self)
{
  g_return_val_if_fail (OTTER_IS_SESSION (self), NULL);
  return self->model;
}

void
otter_session_set_trainer (OtterSession *self,
                           OtterTrainer *trainer)
{
  g_return_if_fail (OTTER_IS_SESSION (self));
  if (g_set_object (&self->trainer, trainer))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINER]);
}

OtterTrainer *
otter_session_get_trainer (OtterSession *self)
{
  g_return_val_if_fail (OTTER_IS_SESSION (self), NULL);
  return self->trainer;
}

const char *
otter_session_get_title (OtterSession *self)
{
  g_return_val_if_fail (OTTER_IS_SESSION (self), NULL);
  return self->title;
}
