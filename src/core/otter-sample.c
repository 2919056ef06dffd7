/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-sample.c: one image of a dataset and its ground-truth boxes */
#include "config.h"

#include "otter-sample.h"
#include "otter-dataset-private.h"

/**
 * OtterSample:
 *
 * One image of a dataset: where its pixels come from (a file, or the demo
 * generator), its size and its ground-truth boxes in image pixels.
 *
 * Samples are filled in while a dataset loads and are read-only afterwards,
 * except for otter_sample_set_size(), which the image loader may call once
 * when the annotations did not give the size.
 */

struct _OtterSample
{
  GObject   parent_instance;

  char     *image_path;
  char     *annotation_path;
  char     *display_name;

  gboolean  generated;
  guint64   seed;
  guint     index;

  int       width;
  int       height;

  GArray   *boxes;              /* of OtterBox */
};

G_DEFINE_FINAL_TYPE (OtterSample, otter_sample, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_IMAGE_PATH,
  PROP_ANNOTATION_PATH,
  PROP_DISPLAY_NAME,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_N_BOXES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
otter_sample_finalize (GObject *object)
{
  OtterSample *self = OTTER_SAMPLE (object);

  g_clear_pointer (&self->image_path, g_free);
  g_clear_pointer (&self->annotation_path, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->boxes, g_array_unref);

  G_OBJECT_CLASS (otter_sample_parent_class)->finalize (object);
}

static void
otter_sample_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  OtterSample *self = OTTER_SAMPLE (object);

  switch (prop_id)
    {
    case PROP_IMAGE_PATH:
      g_value_set_string (value, self->image_path);
      break;
    case PROP_ANNOTATION_PATH:
      g_value_set_string (value, self->annotation_path);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_WIDTH:
      g_value_set_int (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_int (value, self->height);
      break;
    case PROP_N_BOXES:
      g_value_set_uint (value, self->boxes->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_sample_class_init (OtterSampleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = otter_sample_finalize;
  object_class->get_property = otter_sample_get_property;

  properties[PROP_IMAGE_PATH] =
    g_param_spec_string ("image-path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ANNOTATION_PATH] =
    g_param_spec_string ("annotation-path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_WIDTH] =
    g_param_spec_int ("width", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                      G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HEIGHT] =
    g_param_spec_int ("height", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                      G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_BOXES] =
    g_param_spec_uint ("n-boxes", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
otter_sample_init (OtterSample *self)
{
  self->boxes = g_array_new (FALSE, FALSE, sizeof (OtterBox));
}

/**
 * otter_sample_new:
 * @image_path: the image file
 * @annotation_path: (nullable): the file the boxes were read from
 * @width: the image width from the annotations, or 0 when unknown
 * @height: the image height from the annotations, or 0 when unknown
 *
 * Creates a sample read from disk, with no boxes yet.
 *
 * Returns: (transfer full): a new #OtterSample
 */
OtterSample *
otter_sample_new (const char *image_path,
                  const char *annotation_path,
                  int         width,
                  int         height)
{
  OtterSample *self;

  g_return_val_if_fail (image_path != NULL, NULL);
  g_return_val_if_fail (width >= 0 && height >= 0, NULL);

  self = g_object_new (OTTER_TYPE_SAMPLE, NULL);
  self->image_path = g_strdup (image_path);
  self->annotation_path = g_strdup (annotation_path);
  self->display_name = g_filename_display_basename (image_path);
  self->width = width;
  self->height = height;

  return self;
}

/**
 * otter_sample_new_generated:
 * @seed: the seed of the demo set
 * @index: the image's index in the demo set
 * @size: the side of the square image, in pixels
 *
 * Creates a sample whose pixels come from otter_demo_render(); it has no
 * image or annotation path.
 *
 * Returns: (transfer full): a new #OtterSample
 */
OtterSample *
otter_sample_new_generated (guint64 seed,
                            guint   index,
                            int     size)
{
  OtterSample *self;

  g_return_val_if_fail (size > 0, NULL);

  self = g_object_new (OTTER_TYPE_SAMPLE, NULL);
  self->generated = TRUE;
  self->seed = seed;
  self->index = index;
  self->display_name = g_strdup_printf ("demo #%u", index);
  self->width = size;
  self->height = size;

  return self;
}

/**
 * otter_sample_get_image_path:
 * @self: a #OtterSample
 *
 * Returns: (nullable): the image file, or %NULL for a generated sample
 */
const char *
otter_sample_get_image_path (OtterSample *self)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), NULL);

  return self->image_path;
}

/**
 * otter_sample_get_annotation_path:
 * @self: a #OtterSample
 *
 * Returns: (nullable): the file the boxes came from, or %NULL when there is
 *   none (generated samples, images without a label file)
 */
const char *
otter_sample_get_annotation_path (OtterSample *self)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), NULL);

  return self->annotation_path;
}

/**
 * otter_sample_get_display_name:
 * @self: a #OtterSample
 *
 * Returns: a short UTF-8 name for lists and messages: the image's file name,
 *   or "demo #12" for a generated sample
 */
const char *
otter_sample_get_display_name (OtterSample *self)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), NULL);

  return self->display_name;
}

/**
 * otter_sample_is_generated:
 * @self: a #OtterSample
 *
 * Returns: whether the pixels come from the demo generator
 */
gboolean
otter_sample_is_generated (OtterSample *self)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), FALSE);

  return self->generated;
}

/**
 * otter_sample_get_generator_seed:
 * @self: a generated #OtterSample
 *
 * Returns: the demo seed, or 0 for a sample read from disk
 */
guint64
otter_sample_get_generator_seed (OtterSample *self)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), 0);

  return self->seed;
}

/**
 * otter_sample_get_generator_index:
 * @self: a generated #OtterSample
 *
 * Returns: the image's index in the demo set, or 0 for a sample read from disk
 */
guint
otter_sample_get_generator_index (OtterSample *self)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), 0);

  return self->index;
}

/**
 * otter_sample_get_width:
 * @self: a #OtterSample
 *
 * Returns: the image width in pixels, or 0 when not known yet
 */
int
otter_sample_get_width (OtterSample *self)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), 0);

  return self->width;
}

/**
 * otter_sample_get_height:
 * @self: a #OtterSample
 *
 * Returns: the image height in pixels, or 0 when not known yet
 */
int
otter_sample_get_height (OtterSample *self)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), 0);

  return self->height;
}

/**
 * otter_sample_set_size:
 * @self: a #OtterSample
 * @width: the image width in pixels
 * @height: the image height in pixels
 *
 * Records the image size, for samples whose annotations did not give it.
 */
void
otter_sample_set_size (OtterSample *self,
                       int          width,
                       int          height)
{
  g_return_if_fail (OTTER_IS_SAMPLE (self));
  g_return_if_fail (width >= 0 && height >= 0);

  if (self->width != width)
    {
      self->width = width;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDTH]);
    }
  if (self->height != height)
    {
      self->height = height;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEIGHT]);
    }
}

/**
 * otter_sample_add_box:
 * @self: a #OtterSample
 * @box: the box to append (copied)
 *
 * Appends a ground-truth box, in image pixels with an exclusive x2/y2 corner.
 */
void
otter_sample_add_box (OtterSample    *self,
                      const OtterBox *box)
{
  g_return_if_fail (OTTER_IS_SAMPLE (self));
  g_return_if_fail (box != NULL);
  g_return_if_fail (box->class_id >= 0);

  g_array_append_vals (self->boxes, box, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_BOXES]);
}

/**
 * otter_sample_get_n_boxes:
 * @self: a #OtterSample
 *
 * Returns: the number of ground-truth boxes, crowd boxes included
 */
guint
otter_sample_get_n_boxes (OtterSample *self)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), 0);

  return self->boxes->len;
}

/**
 * otter_sample_get_box:
 * @self: a #OtterSample
 * @i: the index of the box, below otter_sample_get_n_boxes()
 *
 * Returns: (transfer none): the box, owned by the sample
 */
const OtterBox *
otter_sample_get_box (OtterSample *self,
                      guint        i)
{
  g_return_val_if_fail (OTTER_IS_SAMPLE (self), NULL);
  g_return_val_if_fail (i < self->boxes->len, NULL);

  return &g_array_index (self->boxes, OtterBox, i);
}

void
otter_sample_remap_classes (OtterSample *self,
                            const int   *map,
                            guint        n_map)
{
  g_return_if_fail (OTTER_IS_SAMPLE (self));

  for (guint i = 0; i < self->boxes->len; i++)
    {
      OtterBox *box = &g_array_index (self->boxes, OtterBox, i);

      if (box->class_id >= 0 && (guint) box->class_id < n_map)
        box->class_id = map[box->class_id];
    }
}

void
otter_sample_rescale (OtterSample *self,
                      int          width,
                      int          height)
{
  g_return_if_fail (OTTER_IS_SAMPLE (self));
  g_return_if_fail (width > 0 && height > 0 && self->width > 0 && self->height > 0);

  double sx = (double) width / self->width, sy = (double) height / self->height;
  for (guint i = 0; i < self->boxes->len; i++)
    {
      OtterBox *box = &g_array_index (self->boxes, OtterBox, i);
      box->x1 *= sx, box->x2 *= sx;
      box->y1 *= sy, box->y2 *= sy;
    }
  otter_sample_set_size (self, width, height);
}
