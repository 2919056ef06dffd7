/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-train-config.c */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "otter-error.h"
#include "otter-train-config.h"
#include "otter-untrusted.h"

void
otter_train_config_init (OtterTrainConfig *config)
{
  g_return_if_fail (config != NULL);
  memset (config, 0, sizeof *config);
  config->data = g_strdup ("demo");
  config->val_fraction = 0.2;
  config->arch = g_strdup ("tiny");
  config->batch_size = 16;
  config->max_epochs = 30;
  config->loss_threshold = 0;
  config->seed = 1;
  config->augment = TRUE;
  config->checkpoint_every = 1;
  config->world_size = 1;
  otter_torch_train_params_init (&config->train);
  config->train.lr = 0;                /* automatic, see otter_train_config_get_lr() */
  config->train.ema_decay = -1;        /* automatic, see otter_train_config_get_ema_decay() */
  config->train.backbone_lr_scale = -1; /* automatic, see otter_train_config_get_backbone_lr_scale() */
}

void
otter_train_config_clear (OtterTrainConfig *config)
{
  g_clear_pointer (&config->data, g_free);
  g_clear_pointer (&config->val_data, g_free);
  g_clear_pointer (&config->arch, g_free);
  g_clear_pointer (&config->init_model, g_free);
  g_clear_pointer (&config->backbone_weights, g_free);
  g_clear_pointer (&config->name, g_free);
}

void
otter_train_config_copy (OtterTrainConfig       *dest,
                         const OtterTrainConfig *src)
{
  *dest = *src;
  dest->data = g_strdup (src->data);
  dest->val_data = g_strdup (src->val_data);
  dest->arch = g_strdup (src->arch);
  dest->init_model = g_strdup (src->init_model);
  dest->backbone_weights = g_strdup (src->backbone_weights);
  dest->name = g_strdup (src->name);
}

double
otter_train_config_get_threshold (const OtterTrainConfig *config)
{
  if (config->loss_threshold > 0)
    return config->loss_threshold;
  return config->train.method == OTTER_METHOD_OT
    ? OTTER_DEFAULT_LOSS_THRESHOLD : OTTER_DEFAULT_LOSS_THRESHOLD / 2;
}

int
otter_train_config_get_input_size (const OtterTrainConfig *config)
{
  if (config->input_size > 0)
    return config->input_size;
  return g_str_has_prefix (config->data, "demo") ? 96 : 320;
}

double
otter_train_config_get_lr (const OtterTrainConfig *config)
{
  if (config->train.lr > 0)
    return config->train.lr;
  return g_str_has_prefix (config->data, "demo") ? 2e-3 : 5e-4;
}

double
otter_train_config_get_ema_decay (const OtterTrainConfig *config)
{
  if (config->train.ema_decay >= 0)
    return config->train.ema_decay;
  return g_str_has_prefix (config->data, "demo") ? 0.0 : 0.998;
}

void
otter_train_config_get_augment (const OtterTrainConfig *config,
                                OtterAugmentParams     *params)
{
  if (!config->augment)
    otter_augment_params_init_none (params);
  else if (config->augment_custom)
    *params = config->augment_params;
  else if (g_str_has_prefix (config->data, "demo"))
    otter_augment_params_init_flip (params);
  else
    otter_augment_params_init_photos (params);
}

double
otter_train_config_get_backbone_lr_scale (const OtterTrainConfig *config)
{
  if (config->train.backbone_lr_scale >= 0)
    return config->train.backbone_lr_scale;
  /* Fine-tuning keeps what the backbone already knows: a tenth of the
   * learning rate of the new neck and heads. */
  return config->backbone_weights != NULL ? 0.1 : 1.0;
}

gboolean
otter_train_config_validate (const OtterTrainConfig *config,
                             GError                **error)
{
  const char *problem = NULL;
  int size = otter_train_config_get_input_size (config);

  if (config->data == NULL || *config->data == '\0')
    problem = _("no dataset was given");
  else if (config->val_data == NULL && !(config->val_fraction >= 0 && config->val_fraction < 1))
    problem = _("the validation fraction must be at least 0 and below 1");
  else if (config->arch == NULL || !g_strv_contains ((const char *const *) otter_torch_model_archs (), config->arch))
    problem = _("the architecture must be tiny, small, resnet18 or mobilenet_v3_large");
  else if (config->backbone_weights != NULL && config->init_model != NULL)
    problem = _("backbone weights start a new model; they cannot be combined with a model to start from");
  else if (config->freeze_backbone_epochs < 0 || config->freeze_backbone_epochs > config->max_epochs)
    problem = _("the backbone can be frozen for 0 up to the maximum number of epochs");
  else if (!(config->train.backbone_lr_scale <= 10))
    problem = _("the backbone's learning-rate scale must be in [0, 10]");
  else if (config->augment_custom && !otter_augment_params_is_valid (&config->augment_params))
    problem = _("the augmentation needs 0 < zoom min ≤ max ≤ 4, hue in [0, 0.5], saturation, value, "
                "mosaic and minimum visible fraction in [0, 1]");
  else if (!(config->train.ema_decay < 1))
    problem = _("the EMA decay must be below 1 (0 turns it off)");
  else if (size < 32 || size > 2048 || size % 32 != 0)
    problem = _("the input size must be a multiple of 32 between 32 and 2048");
  else if (config->batch_size < 2 || config->batch_size > 1024)
    problem = _("the batch size must be between 2 and 1024");
  else if (config->max_epochs < 1 || config->max_epochs > 100000)
    problem = _("the number of epochs must be between 1 and 100000");
  else if (!isfinite (config->loss_threshold) || config->loss_threshold < 0)
    problem = _("the loss threshold must be a positive number");
  else if (config->world_size < 1 || config->world_size > 4096)
    problem = _("a run has between 1 and 4096 processes");
  else if (config->checkpoint_every < 1)
    problem = _("checkpoints must be written at least every epoch count ≥ 1");
  else if (!(config->train.lr >= 0 && config->train.lr <= 10))
    problem = _("the learning rate must be in (0, 10] (0 picks the default)");
  else if (!(config->train.ot.epsilon >= 0 && config->train.ot.epsilon <= 1))
    problem = _("ε must be between 0 and 1");
  if (problem != NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, "%s", problem);
      return FALSE;
    }

  /* the trainer's own checks, with the defaults that 0 stands for filled in */
  OtterTorchTrainParams train = config->train;
  g_autoptr (GError) local = NULL;
  train.lr = otter_train_config_get_lr (config);
  train.ema_decay = otter_train_config_get_ema_decay (config);
  train.backbone_lr_scale = otter_train_config_get_backbone_lr_scale (config);
  if (!otter_torch_train_params_validate (&train, &local))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* json-glib would write NaN as "nan.0", which no reader parses back: a
 * value that is not a number is written as null (and refused on reading). */
static void
add_double (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

JsonNode *
otter_train_config_to_json (const OtterTrainConfig *c)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const OtterTorchTrainParams *t = &c->train;

  json_builder_begin_object (b);
  add_string (b, "data", c->data);
  add_string (b, "val_data", c->val_data);
  add_double (b, "val_fraction", c->val_fraction);
  json_builder_set_member_name (b, "allow_outside_root");
  json_builder_add_boolean_value (b, c->allow_outside_root);
  add_string (b, "arch", c->arch);
  add_int (b, "input_size", otter_train_config_get_input_size (c));
  add_string (b, "init_model", c->init_model);
  add_string (b, "backbone_weights", c->backbone_weights);
  json_builder_set_member_name (b, "pretrained");
  json_builder_add_boolean_value (b, c->pretrained);
  add_int (b, "freeze_backbone_epochs", c->freeze_backbone_epochs);
  add_double (b, "backbone_lr_scale", otter_train_config_get_backbone_lr_scale (c));
  add_double (b, "ema_decay", otter_train_config_get_ema_decay (c));
  add_int (b, "batch_size", c->batch_size);
  add_int (b, "max_epochs", c->max_epochs);
  add_double (b, "loss_threshold", otter_train_config_get_threshold (c));
  add_int (b, "seed", (gint64) c->seed);
  {
    OtterAugmentParams a;
    otter_train_config_get_augment (c, &a);
    json_builder_set_member_name (b, "augment");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "flip");
    json_builder_add_boolean_value (b, a.flip);
    add_double (b, "scale_min", a.scale_min);
    add_double (b, "scale_max", a.scale_max);
    json_builder_set_member_name (b, "translate");
    json_builder_add_boolean_value (b, a.translate);
    add_double (b, "hsv_h", a.hsv_h);
    add_double (b, "hsv_s", a.hsv_s);
    add_double (b, "hsv_v", a.hsv_v);
    add_double (b, "mosaic", a.mosaic);
    add_double (b, "min_visible", a.min_visible);
    add_double (b, "min_side", a.min_side);
    json_builder_end_object (b);
  }
  add_int (b, "checkpoint_every", c->checkpoint_every);
  add_int (b, "world_size", c->world_size);
  add_string (b, "name", c->name);
  add_string (b, "method", otter_train_method_to_string (t->method));
  add_string (b, "optimizer", otter_optimizer_kind_to_string (t->optimizer));
  add_double (b, "lr", otter_train_config_get_lr (c));
  add_double (b, "momentum", t->momentum);
  add_double (b, "weight_decay", t->weight_decay);
  add_int (b, "warmup_steps", t->warmup_steps);
  add_int (b, "total_steps", t->total_steps);
  add_double (b, "min_lr_ratio", t->min_lr_ratio);
  add_double (b, "w1", t->w1);
  add_double (b, "w2", t->w2);
  add_double (b, "grad_clip", t->grad_clip);
  add_double (b, "epsilon", t->ot.epsilon);
  add_int (b, "ot_steps", t->ot.steps);
  add_double (b, "ot_step_size", t->ot.step_size);
  add_string (b, "feature_space", t->ot.space == OTTER_FEATURE_SPACE_SPATIAL ? "spatial" : "batch");
  add_double (b, "sinkhorn_reg", t->ot.reg);
  add_int (b, "sinkhorn_max_iter", t->ot.max_iter);
  add_double (b, "sinkhorn_tol", t->ot.tol);
  add_int (b, "spatial_max_side", t->ot.spatial_max_side);
  add_int (b, "pgd_steps", t->pgd_steps);
  add_double (b, "pgd_step_size", t->pgd_step_size);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static char *
dup_string_member (JsonObject *o, const char *name, const char *fallback)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || JSON_NODE_HOLDS_NULL (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return g_strdup (fallback);
  return g_strdup (json_node_get_string (n));
}

static const char *
describe_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("a list");
  if (JSON_NODE_HOLDS_NULL (node))
    /* JSON's own word, kept in every language */
    return "null";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING: return _("a string");
    case G_TYPE_BOOLEAN: return _("true or false");
    case G_TYPE_INT64: return _("a whole number");
    default: return _("a number");
    }
}

/* Whether `given` can stand where Otter itself writes `expected`: the
 * same kind of node, a whole number for a number, null or a string where
 * Otter writes null (an unset path or name). */
static gboolean
node_fits (JsonNode *given,
           JsonNode *expected)
{
  if (JSON_NODE_HOLDS_NULL (expected))
    return JSON_NODE_HOLDS_NULL (given) ||
           (JSON_NODE_HOLDS_VALUE (given) && json_node_get_value_type (given) == G_TYPE_STRING);
  if (JSON_NODE_TYPE (given) != JSON_NODE_TYPE (expected))
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (given))
    return TRUE;
  GType want = json_node_get_value_type (expected), have = json_node_get_value_type (given);
  return want == have || (want == G_TYPE_DOUBLE && have == G_TYPE_INT64);
}

/* Every member of `o` that Otter writes has the type Otter writes it with
 * (compared with `reference`, a configuration Otter made), so that a
 * damaged config.json is refused by name instead of read as defaults. */
static gboolean
check_member_types (JsonObject  *o,
                    JsonObject  *reference,
                    const char  *prefix,
                    GError     **error)
{
  g_autoptr (GList) members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *expected = json_object_get_member (reference, name);
      JsonNode *given = json_object_get_member (o, name);
      if (expected == NULL)
        continue;                       /* written by a newer Otter, or by hand: ignored */
      /* runs from before the augmentation had settings wrote a boolean */
      if (g_strcmp0 (name, "augment") == 0 && JSON_NODE_HOLDS_VALUE (given) &&
          json_node_get_value_type (given) == G_TYPE_BOOLEAN)
        continue;
      /* numbers Otter could not write as such (NaN) are null */
      if (JSON_NODE_HOLDS_NULL (given) && JSON_NODE_HOLDS_VALUE (expected) &&
          json_node_get_value_type (expected) == G_TYPE_DOUBLE)
        continue;
      if (!node_fits (given, expected))
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       _("the run configuration's “%s%s” is %s, not %s"), prefix, name,
                       describe_node (given), JSON_NODE_HOLDS_NULL (expected) ? _("a string") : describe_node (expected));
          return FALSE;
        }
      if (JSON_NODE_HOLDS_OBJECT (given))
        {
          g_autofree char *inner = g_strconcat (prefix, name, ".", NULL);
          if (!check_member_types (json_node_get_object (given), json_node_get_object (expected), inner, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
config_has_member_types (JsonObject  *o,
                         GError     **error)
{
  OtterTrainConfig reference;
  otter_train_config_init (&reference);
  g_autoptr (JsonNode) node = otter_train_config_to_json (&reference);
  otter_train_config_clear (&reference);
  return check_member_types (o, json_node_get_object (node), "", error);
}

gboolean
otter_train_config_from_json (OtterTrainConfig *c,
                              JsonNode         *node,
                              GError          **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("the run configuration is not a JSON object"));
      return FALSE;
    }
  JsonObject *o = json_node_get_object (node);
  OtterTorchTrainParams *t = &c->train;
  if (!config_has_member_types (o, error))
    return FALSE;
  g_autofree char *method = NULL;
  g_autofree char *optimizer = NULL;
  g_autofree char *space = NULL;

  otter_train_config_clear (c);
  otter_train_config_init (c);
  g_free (c->data);
  g_free (c->arch);
  c->data = dup_string_member (o, "data", "demo");
  c->val_data = dup_string_member (o, "val_data", NULL);
  c->allow_outside_root = json_object_get_boolean_member_with_default (o, "allow_outside_root", FALSE);
  c->arch = dup_string_member (o, "arch", "tiny");
  c->init_model = dup_string_member (o, "init_model", NULL);
  c->backbone_weights = dup_string_member (o, "backbone_weights", NULL);
  c->pretrained = otter_json_get_boolean (o, "pretrained", FALSE);
  c->freeze_backbone_epochs = otter_json_get_int (o, "freeze_backbone_epochs", 0);
  t->backbone_lr_scale = otter_json_get_number (o, "backbone_lr_scale", t->backbone_lr_scale);
  /* Runs from before EMA existed trained without it. */
  t->ema_decay = otter_json_get_number (o, "ema_decay", 0.0);
  c->name = dup_string_member (o, "name", NULL);
  c->val_fraction = otter_json_get_number (o, "val_fraction", c->val_fraction);
  c->input_size = otter_json_get_int (o, "input_size", 0);
  c->batch_size = otter_json_get_int (o, "batch_size", c->batch_size);
  c->max_epochs = otter_json_get_int (o, "max_epochs", c->max_epochs);
  c->loss_threshold = otter_json_get_number (o, "loss_threshold", 0);
  c->seed = otter_json_get_int (o, "seed", (gint64) c->seed);
  {
    /* A boolean in runs from before the augmentation had settings: flips. */
    JsonNode *augment = json_object_get_member (o, "augment");
    if (augment != NULL && JSON_NODE_HOLDS_OBJECT (augment))
      {
        JsonObject *a = json_node_get_object (augment);
        OtterAugmentParams *p = &c->augment_params;
        otter_augment_params_init_none (p);
        c->augment = TRUE;
        c->augment_custom = TRUE;
        p->flip = otter_json_get_boolean (a, "flip", FALSE);
        p->scale_min = otter_json_get_number (a, "scale_min", 1);
        p->scale_max = otter_json_get_number (a, "scale_max", 1);
        p->translate = otter_json_get_boolean (a, "translate", FALSE);
        p->hsv_h = otter_json_get_number (a, "hsv_h", 0);
        p->hsv_s = otter_json_get_number (a, "hsv_s", 0);
        p->hsv_v = otter_json_get_number (a, "hsv_v", 0);
        p->mosaic = otter_json_get_number (a, "mosaic", 0);
        p->min_visible = otter_json_get_number (a, "min_visible", 0);
        p->min_side = otter_json_get_number (a, "min_side", 0);
      }
    else if (augment != NULL && JSON_NODE_HOLDS_VALUE (augment))
      {
        c->augment = json_node_get_boolean (augment);
        c->augment_custom = TRUE;
        otter_augment_params_init_flip (&c->augment_params);
      }
  }
  c->checkpoint_every = otter_json_get_int (o, "checkpoint_every", 1);
  c->world_size = otter_json_get_int (o, "world_size", 1);

  method = dup_string_member (o, "method", "ot");
  optimizer = dup_string_member (o, "optimizer", "adamw");
  space = dup_string_member (o, "feature_space", "batch");
  if (!otter_train_method_from_string (method, &t->method) ||
      !otter_optimizer_kind_from_string (optimizer, &t->optimizer))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   _("the run configuration names an unknown method “%s” or optimiser “%s”"), method, optimizer);
      return FALSE;
    }
  t->ot.space = g_strcmp0 (space, "spatial") == 0 ? OTTER_FEATURE_SPACE_SPATIAL : OTTER_FEATURE_SPACE_BATCH;
  t->lr = otter_json_get_number (o, "lr", t->lr);
  t->momentum = otter_json_get_number (o, "momentum", t->momentum);
  t->weight_decay = otter_json_get_number (o, "weight_decay", t->weight_decay);
  t->warmup_steps = otter_json_get_int (o, "warmup_steps", t->warmup_steps);
  t->total_steps = otter_json_get_int (o, "total_steps", t->total_steps);
  t->min_lr_ratio = otter_json_get_number (o, "min_lr_ratio", t->min_lr_ratio);
  t->w1 = otter_json_get_number (o, "w1", t->w1);
  t->w2 = otter_json_get_number (o, "w2", t->w2);
  t->grad_clip = otter_json_get_number (o, "grad_clip", t->grad_clip);
  t->ot.epsilon = otter_json_get_number (o, "epsilon", t->ot.epsilon);
  t->ot.steps = otter_json_get_int (o, "ot_steps", t->ot.steps);
  t->ot.step_size = otter_json_get_number (o, "ot_step_size", t->ot.step_size);
  t->ot.reg = otter_json_get_number (o, "sinkhorn_reg", t->ot.reg);
  t->ot.max_iter = otter_json_get_int (o, "sinkhorn_max_iter", t->ot.max_iter);
  t->ot.tol = otter_json_get_number (o, "sinkhorn_tol", t->ot.tol);
  t->ot.spatial_max_side = otter_json_get_int (o, "spatial_max_side", t->ot.spatial_max_side);
  t->pgd_steps = otter_json_get_int (o, "pgd_steps", t->pgd_steps);
  t->pgd_step_size = otter_json_get_number (o, "pgd_step_size", t->pgd_step_size);
  return otter_train_config_validate (c, error);
}
