/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-model.c */

#include "config.h"

#include "otter-model.h"

struct _OtterModel
{
  GObject          parent_instance;
  OtterTorchModel *torch;
  GMutex           lock;
  char            *path;
  char            *description;
  char            *backbone_weights;
  /* copied from the torch model, which a worker may hold locked */
  char            *backbone_init;
  char            *backbone_init_sha256;
};

enum
{
  PROP_0,
  PROP_PATH,
  PROP_ARCH,
  PROP_INPUT_SIZE,
  PROP_N_CLASSES,
  PROP_N_PARAMS,
  PROP_DESCRIPTION,
  PROP_METADATA,
  PROP_BACKBONE_WEIGHTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterModel, otter_model, G_TYPE_OBJECT)

static void
otter_model_finalize (GObject *object)
{
  OtterModel *self = OTTER_MODEL (object);

  g_clear_pointer (&self->torch, otter_torch_model_free);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self->description);
  g_free (self->backbone_weights);
  g_free (self->backbone_init);
  g_free (self->backbone_init_sha256);
  G_OBJECT_CLASS (otter_model_parent_class)->finalize (object);
}

static void
otter_model_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  OtterModel *self = OTTER_MODEL (object);

  switch (prop_id)
    {
    case PROP_PATH: g_value_set_string (value, self->path); break;
    case PROP_ARCH: g_value_set_string (value, otter_model_get_arch (self)); break;
    case PROP_INPUT_SIZE: g_value_set_int (value, otter_model_get_input_size (self)); break;
    case PROP_N_CLASSES: g_value_set_uint (value, otter_model_get_n_classes (self)); break;
    case PROP_N_PARAMS: g_value_set_int64 (value, otter_model_get_n_params (self)); break;
    case PROP_DESCRIPTION: g_value_set_string (value, self->description); break;
    case PROP_METADATA: g_value_set_string (value, otter_model_get_metadata (self)); break;
    case PROP_BACKBONE_WEIGHTS: g_value_set_string (value, self->backbone_weights); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_model_class_init (OtterModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = otter_model_finalize;
  object_class->get_property = otter_model_get_property;

  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, ro);
  properties[PROP_ARCH] = g_param_spec_string ("arch", NULL, NULL, NULL, ro);
  properties[PROP_INPUT_SIZE] = g_param_spec_int ("input-size", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_N_CLASSES] = g_param_spec_uint ("n-classes", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_PARAMS] = g_param_spec_int64 ("n-params", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, ro);
  properties[PROP_METADATA] = g_param_spec_string ("metadata", NULL, NULL, NULL, ro);
  properties[PROP_BACKBONE_WEIGHTS] = g_param_spec_string ("backbone-weights", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
otter_model_init (OtterModel *self)
{
  g_mutex_init (&self->lock);
}

static OtterModel *
wrap (OtterTorchModel *torch, const char *path)
{
  OtterModel *self = g_object_new (OTTER_TYPE_MODEL, NULL);
  const char *sha256 = NULL;
  const char *init = otter_torch_model_get_backbone_init (torch, &sha256);

  self->torch = torch;
  self->path = g_strdup (path);
  self->description = otter_torch_model_describe (torch);
  self->backbone_init = g_strdup (init);
  self->backbone_init_sha256 = g_strdup (sha256);
  return self;
}

OtterModel *
otter_model_new_builtin (const char        *arch,
                         const char *const *class_names,
                         int                input_size,
                         guint64            seed,
                         GError           **error)
{
  OtterTorchModel *torch = otter_torch_model_new (arch, class_names, input_size, seed, error);
  return torch ? wrap (torch, NULL) : NULL;
}

typedef struct
{
  char     *arch;
  char    **class_names;
  int       input_size;
  guint64   seed;
  char     *backbone_weights;
} BuiltinJob;

static void
builtin_job_free (gpointer data)
{
  BuiltinJob *job = data;
  g_free (job->arch);
  g_strfreev (job->class_names);
  g_free (job->backbone_weights);
  g_free (job);
}

static void
builtin_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  BuiltinJob *job = task_data;
  GError *error = NULL;
  OtterTorchModel *torch = otter_torch_model_new (job->arch, (const char *const *) job->class_names,
                                                  job->input_size, job->seed, &error);

  /* building a backbone is slow: a cancelled request skips the weights */
  if (torch != NULL && job->backbone_weights != NULL &&
      (g_cancellable_set_error_if_cancelled (cancellable, &error) ||
       !otter_torch_model_load_backbone_weights (torch, job->backbone_weights, &error)))
    g_clear_pointer (&torch, otter_torch_model_free);
  if (torch == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  OtterModel *model = wrap (torch, NULL);
  model->backbone_weights = g_strdup (job->backbone_weights);
  g_task_return_pointer (task, model, g_object_unref);
}

void
otter_model_new_builtin_async (const char          *arch,
                               const char *const   *class_names,
                               int                  input_size,
                               guint64              seed,
                               const char          *backbone_weights,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (arch != NULL);
  g_return_if_fail (class_names != NULL);

  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  BuiltinJob *job = g_new0 (BuiltinJob, 1);
  job->arch = g_strdup (arch);
  job->class_names = g_strdupv ((char **) class_names);
  job->input_size = input_size;
  job->seed = seed;
  job->backbone_weights = g_strdup (backbone_weights);
  g_task_set_source_tag (task, otter_model_new_builtin_async);
  g_task_set_task_data (task, job, builtin_job_free);
  g_task_run_in_thread (task, builtin_thread);
}

OtterModel *
otter_model_new_builtin_finish (GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == otter_model_new_builtin_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

OtterModel *
otter_model_load (const char *path,
                  GError    **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  OtterTorchModel *torch = otter_torch_model_load (path, error);
  return torch ? wrap (torch, path) : NULL;
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  OtterModel *model = otter_model_load (task_data, &error);
  if (model != NULL)
    g_task_return_pointer (task, model, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
otter_model_load_async (const char          *path,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, otter_model_load_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, load_thread);
}

OtterModel *
otter_model_load_finish (GAsyncResult *result,
                         GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *otter_model_get_path (OtterModel *self) { return self->path; }
const char *otter_model_get_arch (OtterModel *self) { return otter_torch_model_get_arch (self->torch); }
int otter_model_get_input_size (OtterModel *self) { return otter_torch_model_get_input_size (self->torch); }
guint otter_model_get_n_classes (OtterModel *self) { return otter_torch_model_get_n_classes (self->torch); }
const char *const *otter_model_get_class_names (OtterModel *self) { return otter_torch_model_get_class_names (self->torch); }
gint64 otter_model_get_n_params (OtterModel *self) { return otter_torch_model_get_n_params (self->torch); }
const char *otter_model_get_description (OtterModel *self) { return self->description; }
const char *otter_model_get_metadata (OtterModel *self) { return otter_torch_model_get_metadata (self->torch); }
const char *otter_model_get_backbone_weights (OtterModel *self) { return self->backbone_weights; }

const char *
otter_model_get_backbone_init (OtterModel  *self,
                               const char **sha256)
{
  g_return_val_if_fail (OTTER_IS_MODEL (self), NULL);
  if (sha256 != NULL)
    *sha256 = self->backbone_init_sha256;
  return self->backbone_init;
}

char *
otter_model_dup_label (OtterModel *self)
{
  g_return_val_if_fail (OTTER_IS_MODEL (self), NULL);
  return g_strdup_printf ("%s-%d", otter_model_get_arch (self), otter_model_get_input_size (self));
}

OtterTorchModel *
otter_model_lock (OtterModel *self)
{
  g_return_val_if_fail (OTTER_IS_MODEL (self), NULL);
  g_mutex_lock (&self->lock);
  return self->torch;
}

void
otter_model_unlock (OtterModel *self)
{
  g_return_if_fail (OTTER_IS_MODEL (self));
  g_mutex_unlock (&self->lock);
}
