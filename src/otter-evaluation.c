/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-evaluation.c: clean and robust mAP of one or two models, off the UI thread */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "otter-evaluation.h"

#define EVAL_BATCH_SIZE 16

struct _OtterEvaluation
{
  GObject       parent_instance;

  OtterDataset *dataset;
  double        val_fraction;
  guint64       seed;
  GPtrArray    *models;        /* OtterModel */
  GPtrArray    *labels;        /* char* */
  GArray       *attacks;       /* OtterTorchAttackParams */
  gboolean      started;

  /* results, set on the main thread when the run finished */
  GPtrArray    *results;       /* Scored*, model-major */
  OtterDataset *data;          /* the images evaluated */
  guint         n_images;

  /* progress, written by the worker */
  GMutex        lock;
  double        pending_fraction;
  char         *pending_stage;
  guint         idle_id;

  double        fraction;
  char         *stage;
};

enum
{
  PROP_0,
  PROP_FRACTION,
  PROP_STAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterEvaluation, otter_evaluation, G_TYPE_OBJECT)

/* What one model scored under one attack. */
typedef struct
{
  OtterMapResult  *map;
  OtterPrCurves   *pr;
  OtterConfusion  *confusion;
  OtterImageScore *images;     /* n_images */
} Scored;

static void
scored_free (Scored *scored)
{
  otter_map_result_free (scored->map);
  otter_pr_curves_free (scored->pr);
  otter_confusion_free (scored->confusion);
  g_free (scored->images);
  g_free (scored);
}

typedef struct
{
  GPtrArray    *results;
  OtterDataset *data;
  guint         n_images;
} RunOutput;

static void
run_output_free (RunOutput *out)
{
  g_clear_pointer (&out->results, g_ptr_array_unref);
  g_clear_object (&out->data);
  g_free (out);
}

static void
otter_evaluation_finalize (GObject *object)
{
  OtterEvaluation *self = OTTER_EVALUATION (object);

  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_object (&self->dataset);
  g_clear_pointer (&self->models, g_ptr_array_unref);
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->attacks, g_array_unref);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_object (&self->data);
  g_clear_pointer (&self->pending_stage, g_free);
  g_clear_pointer (&self->stage, g_free);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (otter_evaluation_parent_class)->finalize (object);
}

static void
otter_evaluation_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OtterEvaluation *self = OTTER_EVALUATION (object);

  switch (prop_id)
    {
    case PROP_FRACTION: g_value_set_double (value, self->fraction); break;
    case PROP_STAGE: g_value_set_string (value, self->stage); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_evaluation_class_init (OtterEvaluationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = otter_evaluation_finalize;
  object_class->get_property = otter_evaluation_get_property;

  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_STAGE] = g_param_spec_string ("stage", NULL, NULL, "", ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
otter_evaluation_init (OtterEvaluation *self)
{
  g_mutex_init (&self->lock);
  self->models = g_ptr_array_new_with_free_func (g_object_unref);
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->attacks = g_array_new (FALSE, TRUE, sizeof (OtterTorchAttackParams));
  self->stage = g_strdup ("");
}

OtterEvaluation *
otter_evaluation_new (OtterDataset *dataset,
                      double        val_fraction,
                      guint64       seed)
{
  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (val_fraction >= 0 && val_fraction < 1, NULL);

  OtterEvaluation *self = g_object_new (OTTER_TYPE_EVALUATION, NULL);
  self->dataset = g_object_ref (dataset);
  self->val_fraction = val_fraction;
  self->seed = seed;
  return self;
}

void
otter_evaluation_add_model (OtterEvaluation *self,
                            OtterModel      *model,
                            const char      *label)
{
  g_return_if_fail (OTTER_IS_EVALUATION (self));
  g_return_if_fail (OTTER_IS_MODEL (model));
  g_return_if_fail (!self->started);
  g_ptr_array_add (self->models, g_object_ref (model));
  g_ptr_array_add (self->labels, label ? g_strdup (label) : otter_model_dup_label (model));
}

void
otter_evaluation_add_attack (OtterEvaluation              *self,
                             const OtterTorchAttackParams *params)
{
  g_return_if_fail (OTTER_IS_EVALUATION (self));
  g_return_if_fail (params != NULL);
  g_return_if_fail (!self->started);
  g_array_append_val (self->attacks, *params);
}

/* ---- progress --------------------------------------------------------- */

static gboolean
progress_idle_cb (gpointer data)
{
  OtterEvaluation *self = data;

  g_mutex_lock (&self->lock);
  self->idle_id = 0;
  double fraction = self->pending_fraction;
  char *stage = g_steal_pointer (&self->pending_stage);
  g_mutex_unlock (&self->lock);

  if (fraction != self->fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (stage != NULL)
    {
      g_free (self->stage);
      self->stage = stage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
    }
  return G_SOURCE_REMOVE;
}

/* Worker side: one pending low-priority idle at most. */
static void
post_progress (OtterEvaluation *self, double fraction, char *stage)
{
  g_mutex_lock (&self->lock);
  self->pending_fraction = fraction;
  if (stage != NULL)
    {
      g_free (self->pending_stage);
      self->pending_stage = stage;
    }
  if (self->idle_id == 0)
    self->idle_id = g_idle_add_full (G_PRIORITY_LOW, progress_idle_cb,
                                     g_object_ref (self), g_object_unref);
  g_mutex_unlock (&self->lock);
}

typedef struct
{
  OtterEvaluation *self;
  guint            step;
  guint            n_steps;
} StepProgress;

static void
batch_progress_cb (guint done, guint total, gpointer user_data)
{
  StepProgress *p = user_data;
  double within = total > 0 ? (double) done / total : 1.0;
  post_progress (p->self, (p->step + within) / p->n_steps, NULL);
}

/* ---- the run ---------------------------------------------------------- */

/* Everything the page shows from one set of detections, scored once. */
static Scored *
score (GArray *truths,
       GArray *predictions,
       guint   n_classes,
       guint   n_images)
{
  const OtterTruth *t = (const OtterTruth *) (gpointer) truths->data;
  const OtterPrediction *p = (const OtterPrediction *) (gpointer) predictions->data;
  Scored *scored = g_new0 (Scored, 1);

  scored->map = otter_map_compute (t, truths->len, p, predictions->len, n_classes,
                                   OTTER_EVAL_MAX_DETECTIONS);
  scored->pr = otter_pr_curves_compute (t, truths->len, p, predictions->len, n_classes);
  scored->confusion = otter_confusion_compute (t, truths->len, p, predictions->len, n_classes,
                                               OTTER_EVALUATION_CONFIDENT);
  scored->images = otter_image_scores_compute (t, truths->len, p, predictions->len, n_classes,
                                               n_images, OTTER_EVALUATION_CONFIDENT);
  return scored;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  OtterEvaluation *self = source_object;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterDataset) data = NULL;

  /* Inputs are frozen once started: the worker only reads them. */
  if (self->val_fraction > 0)
    {
      g_autoptr (OtterDataset) train = NULL;
      if (!otter_dataset_split (self->dataset, self->val_fraction, self->seed, &train, &data, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else
    data = g_object_ref (self->dataset);

  RunOutput *out = g_new0 (RunOutput, 1);
  out->results = g_ptr_array_new_with_free_func ((GDestroyNotify) scored_free);
  out->n_images = g_list_model_get_n_items (G_LIST_MODEL (data));
  out->data = g_object_ref (data);

  guint n_steps = self->models->len * self->attacks->len;
  for (guint m = 0; m < self->models->len; m++)
    {
      OtterModel *model = self->models->pdata[m];
      for (guint a = 0; a < self->attacks->len; a++)
        {
          const OtterTorchAttackParams *params = &g_array_index (self->attacks, OtterTorchAttackParams, a);
          StepProgress p = { self, m * self->attacks->len + a, n_steps };
          g_autofree char *attack = otter_evaluation_dup_attack_label (self, a);

          post_progress (self, (double) p.step / n_steps,
                         g_strdup_printf (_("%s on %s (%u of %u)"), attack,
                                          (char *) self->labels->pdata[m], p.step + 1, n_steps));
          OtterTorchModel *torch = otter_model_lock (model);
          g_autoptr (GArray) truths = NULL;
          g_autoptr (GArray) predictions = NULL;
          guint n_classes = otter_evaluate_get_n_classes (torch, data);
          gboolean ok = otter_evaluate_detections (torch, data, params, EVAL_BATCH_SIZE, self->seed,
                                                   cancellable, batch_progress_cb, &p, NULL,
                                                   &truths, &predictions, &error);
          otter_model_unlock (model);
          if (!ok)
            {
              g_prefix_error (&error, "%s: ", (char *) self->labels->pdata[m]);
              run_output_free (out);
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          g_ptr_array_add (out->results, score (truths, predictions, n_classes, out->n_images));
        }
    }
  post_progress (self, 1.0, g_strdup (_("Done")));
  g_task_return_pointer (task, out, (GDestroyNotify) run_output_free);
}

void
otter_evaluation_run_async (OtterEvaluation     *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (OTTER_IS_EVALUATION (self));
  g_return_if_fail (!self->started);
  g_return_if_fail (self->models->len > 0 && self->attacks->len > 0);

  self->started = TRUE;
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, otter_evaluation_run_async);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, run_thread);
}

gboolean
otter_evaluation_run_finish (OtterEvaluation  *self,
                             GAsyncResult     *result,
                             GError          **error)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  RunOutput *out = g_task_propagate_pointer (G_TASK (result), error);
  if (out == NULL)
    return FALSE;
  self->results = g_steal_pointer (&out->results);
  self->data = g_steal_pointer (&out->data);
  self->n_images = out->n_images;
  run_output_free (out);
  return TRUE;
}

/* ---- results ---------------------------------------------------------- */

double
otter_evaluation_get_fraction (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), 0);
  return self->fraction;
}

const char *
otter_evaluation_get_stage (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  return self->stage;
}

guint
otter_evaluation_get_n_models (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), 0);
  return self->models->len;
}

guint
otter_evaluation_get_n_attacks (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), 0);
  return self->attacks->len;
}

const char *
otter_evaluation_get_model_label (OtterEvaluation *self,
                                  guint            model)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  g_return_val_if_fail (model < self->labels->len, NULL);
  return self->labels->pdata[model];
}

const OtterTorchAttackParams *
otter_evaluation_get_attack (OtterEvaluation *self,
                             guint            attack)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  g_return_val_if_fail (attack < self->attacks->len, NULL);
  return &g_array_index (self->attacks, OtterTorchAttackParams, attack);
}

char *
otter_evaluation_dup_attack_label (OtterEvaluation *self,
                                   guint            attack)
{
  const OtterTorchAttackParams *p = otter_evaluation_get_attack (self, attack);
  g_return_val_if_fail (p != NULL, NULL);

  switch (p->kind)
    {
    case OTTER_ATTACK_NONE: return g_strdup (C_("attack", "Clean"));
    case OTTER_ATTACK_FGSM: return g_strdup ("FGSM");
    case OTTER_ATTACK_PGD: return g_strdup_printf ("PGD-%d", p->steps);
    /* TRANSLATORS: PGD with 50 steps and 5 random restarts */
    case OTTER_ATTACK_PGD50: return g_strdup_printf ("PGD-%d×%d", p->steps, p->restarts);
    case OTTER_ATTACK_OT: return g_strdup (C_("attack", "OT"));
    default: return g_strdup (otter_attack_kind_to_string (p->kind));
    }
}

const char *const *
otter_evaluation_get_class_names (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  return otter_dataset_get_class_names (self->dataset);
}

guint
otter_evaluation_get_n_images (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), 0);
  return self->n_images;
}

const OtterMapResult *
otter_evaluation_get_result (OtterEvaluation *self,
                             guint            model,
                             guint            attack)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  if (self->results == NULL || model >= self->models->len || attack >= self->attacks->len)
    return NULL;
  return ((Scored *) self->results->pdata[model * self->attacks->len + attack])->map;
}

static Scored *
get_scored (OtterEvaluation *self,
            guint            model,
            guint            attack)
{
  if (self->results == NULL || model >= self->models->len || attack >= self->attacks->len)
    return NULL;
  return self->results->pdata[model * self->attacks->len + attack];
}

const OtterPrCurves *
otter_evaluation_get_pr_curves (OtterEvaluation *self,
                                guint            model,
                                guint            attack)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  Scored *scored = get_scored (self, model, attack);
  return scored != NULL ? scored->pr : NULL;
}

const OtterConfusion *
otter_evaluation_get_confusion (OtterEvaluation *self,
                                guint            model,
                                guint            attack)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  Scored *scored = get_scored (self, model, attack);
  return scored != NULL ? scored->confusion : NULL;
}

const OtterImageScore *
otter_evaluation_get_image_scores (OtterEvaluation *self,
                                   guint            model,
                                   guint            attack)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  Scored *scored = get_scored (self, model, attack);
  return scored != NULL ? scored->images : NULL;
}

OtterDataset *
otter_evaluation_get_data (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  return self->data;
}

int
otter_evaluation_find_clean (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), -1);
  for (guint a = 0; a < self->attacks->len; a++)
    if (g_array_index (self->attacks, OtterTorchAttackParams, a).kind == OTTER_ATTACK_NONE)
      return (int) a;
  return -1;
}

static int
drop_compare (gconstpointer a,
              gconstpointer b)
{
  const OtterImageDrop *x = a;
  const OtterImageDrop *y = b;
  int dx = (int) x->clean.tp - (int) x->attacked.tp;
  int dy = (int) y->clean.tp - (int) y->attacked.tp;
  int fx = (int) x->attacked.fp - (int) x->clean.fp;
  int fy = (int) y->attacked.fp - (int) y->clean.fp;

  /* most objects lost first; then most false detections added */
  if (dx != dy)
    return dx > dy ? -1 : 1;
  if (fx != fy)
    return fx > fy ? -1 : 1;
  return x->image < y->image ? -1 : x->image > y->image;
}

GArray *
otter_evaluation_dup_drops (OtterEvaluation *self,
                            guint            model,
                            guint            attack)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);

  int clean = otter_evaluation_find_clean (self);
  Scored *before = clean >= 0 ? get_scored (self, model, clean) : NULL;
  Scored *after = get_scored (self, model, attack);
  if (before == NULL || after == NULL || (int) attack == clean)
    return NULL;

  GArray *drops = g_array_sized_new (FALSE, FALSE, sizeof (OtterImageDrop), self->n_images);
  for (guint i = 0; i < self->n_images; i++)
    {
      OtterImageDrop d = { i, before->images[i], after->images[i] };
      g_array_append_val (drops, d);
    }
  g_array_sort (drops, drop_compare);
  return drops;
}

/* ---- one image again -------------------------------------------------- */

typedef struct
{
  OtterModel             *model;
  OtterDataset           *data;
  OtterTorchAttackParams  attack;
  guint64                 seed;
  guint                   image;
} InspectInput;

static void
inspect_input_free (InspectInput *input)
{
  g_clear_object (&input->model);
  g_clear_object (&input->data);
  g_free (input);
}

static void
inspect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  InspectInput *input = task_data;
  g_autoptr (GError) error = NULL;
  OtterTorchModel *torch = otter_model_lock (input->model);
  OtterEvalImage *image = otter_evaluate_image (torch, input->data, &input->attack, EVAL_BATCH_SIZE,
                                                input->seed, input->image,
                                                OTTER_EVALUATION_CONFIDENT, cancellable, &error);

  otter_model_unlock (input->model);
  if (image == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, image, (GDestroyNotify) otter_eval_image_free);
}

void
otter_evaluation_inspect_async (OtterEvaluation     *self,
                                guint                model,
                                guint                attack,
                                guint                image,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (OTTER_IS_EVALUATION (self));
  g_return_if_fail (self->data != NULL);
  g_return_if_fail (model < self->models->len && attack < self->attacks->len);
  g_return_if_fail (image < self->n_images);

  /* the worker gets its own references and a copy of the settings */
  InspectInput *input = g_new0 (InspectInput, 1);
  input->model = g_object_ref (self->models->pdata[model]);
  input->data = g_object_ref (self->data);
  input->attack = g_array_index (self->attacks, OtterTorchAttackParams, attack);
  input->seed = self->seed;
  input->image = image;

  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, otter_evaluation_inspect_async);
  g_task_set_task_data (task, input, (GDestroyNotify) inspect_input_free);
  g_task_run_in_thread (task, inspect_thread);
}

OtterEvalImage *
otter_evaluation_inspect_finish (OtterEvaluation  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
csv_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_c (s, ',');
  if (isfinite (v))
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.4f", v));
}

char *
otter_evaluation_to_csv (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  g_return_val_if_fail (self->results != NULL, NULL);

  GString *s = g_string_new ("model,attack,epsilon,class,ap50,ap\n");
  const char *const *names = otter_evaluation_get_class_names (self);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint m = 0; m < self->models->len; m++)
    for (guint a = 0; a < self->attacks->len; a++)
      {
        const OtterMapResult *r = otter_evaluation_get_result (self, m, a);
        const OtterTorchAttackParams *p = otter_evaluation_get_attack (self, a);
        g_autofree char *attack = otter_evaluation_dup_attack_label (self, a);
        g_autofree char *prefix = g_strdup_printf ("%s,%s,%s", (char *) self->labels->pdata[m], attack,
                                                   g_ascii_formatd (buf, sizeof buf, "%.5f",
                                                                    p->kind == OTTER_ATTACK_NONE ? 0 : p->epsilon));
        for (guint c = 0; c < r->n_classes && names[c] != NULL; c++)
          {
            g_string_append_printf (s, "%s,%s", prefix, names[c]);
            csv_number (s, r->ap50[c]);
            csv_number (s, r->ap[c]);
            g_string_append_c (s, '\n');
          }
        g_string_append_printf (s, "%s,mean", prefix);
        csv_number (s, r->map50);
        csv_number (s, r->map);
        g_string_append_c (s, '\n');
      }
  return g_string_free (s, FALSE);
}

static void
json_number (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

char *
otter_evaluation_to_json (OtterEvaluation *self)
{
  g_return_val_if_fail (OTTER_IS_EVALUATION (self), NULL);
  g_return_val_if_fail (self->results != NULL, NULL);

  g_autoptr (JsonBuilder) b = json_builder_new ();
  const char *const *names = otter_evaluation_get_class_names (self);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_add_string_value (b, otter_dataset_get_source (self->dataset));
  json_number (b, "val_fraction", self->val_fraction);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) self->seed);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, self->n_images);
  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint m = 0; m < self->models->len; m++)
    {
      const char *path = otter_model_get_path (self->models->pdata[m]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, self->labels->pdata[m]);
      json_builder_set_member_name (b, "path");
      if (path != NULL)
        json_builder_add_string_value (b, path);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "attacks");
      json_builder_begin_object (b);
      for (guint a = 0; a < self->attacks->len; a++)
        {
          const OtterMapResult *r = otter_evaluation_get_result (self, m, a);
          const OtterTorchAttackParams *p = otter_evaluation_get_attack (self, a);
          json_builder_set_member_name (b, otter_attack_kind_to_string (p->kind));
          json_builder_begin_object (b);
          json_number (b, "epsilon", p->kind == OTTER_ATTACK_NONE ? 0 : p->epsilon);
          json_number (b, "map50", r->map50);
          json_number (b, "map", r->map);
          json_builder_set_member_name (b, "classes");
          json_builder_begin_object (b);
          for (guint c = 0; c < r->n_classes && names[c] != NULL; c++)
            {
              json_builder_set_member_name (b, names[c]);
              json_builder_begin_object (b);
              json_number (b, "ap50", r->ap50[c]);
              json_number (b, "ap", r->ap[c]);
              json_builder_end_object (b);
            }
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}
