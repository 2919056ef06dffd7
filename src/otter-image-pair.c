/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-pair.c: two views of one image, side by side or stacked,
 * whichever shows it larger
 *
 * The Data page's ground truth and model panes are compared pixel for
 * pixel, so both always get the same size, and the arrangement follows
 * the image's shape as well as the window's: a wide photo stacks on a
 * window that would shrink it side by side.
 */

#include "config.h"

#include "otter-image-pair.h"

#define SPACING 12

struct _OtterImagePair
{
  GtkWidget  parent_instance;

  GtkWidget *start_child;
  GtkWidget *end_child;
  double     aspect_ratio;
  gboolean   stacked;
};

enum
{
  PROP_0,
  PROP_START_CHILD,
  PROP_END_CHILD,
  PROP_ASPECT_RATIO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterImagePair, otter_image_pair, GTK_TYPE_WIDGET)

static gboolean
both_visible (OtterImagePair *self)
{
  return self->start_child != NULL && gtk_widget_get_visible (self->start_child) &&
         self->end_child != NULL && gtk_widget_get_visible (self->end_child);
}

static void
otter_image_pair_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  OtterImagePair *self = OTTER_IMAGE_PAIR (widget);
  GtkWidget *children[] = { self->start_child, self->end_child };

  *minimum = *natural = 0;
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      int min = 0, nat = 0;
      if (children[i] == NULL || !gtk_widget_get_visible (children[i]))
        continue;
      gtk_widget_measure (children[i], orientation, -1, &min, &nat, NULL, NULL);
      /* it can always stack: the smallest is one child's */
      *minimum = MAX (*minimum, min);
      *natural = orientation == GTK_ORIENTATION_HORIZONTAL && *natural > 0 ? *natural + SPACING + nat
                                                                            : MAX (*natural, nat);
    }
}

/* How large the image would be drawn in a child of width × height whose
 * captions take `chrome` pixels of its height. */
static double
image_scale (double width,
             double height,
             double chrome,
             double aspect_ratio)
{
  return MIN (width / aspect_ratio, height - chrome);
}

static void
otter_image_pair_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  OtterImagePair *self = OTTER_IMAGE_PAIR (widget);

  if (!both_visible (self))
    {
      GtkWidget *only = self->start_child && gtk_widget_get_visible (self->start_child) ? self->start_child
                                                                                          : self->end_child;
      if (only != NULL && gtk_widget_get_visible (only))
        gtk_widget_allocate (only, width, height, -1, NULL);
      return;
    }

  int min_w = 0, side_natural = 0;
  double aspect = self->aspect_ratio > 0 ? self->aspect_ratio : 4.0 / 3.0;
  int side_w = (width - SPACING) / 2, stack_h = (height - SPACING) / 2;
  gtk_widget_measure (self->start_child, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  /* a child is its captions over an image as high as its width allows:
   * what it asks for beyond that is the captions' height */
  gtk_widget_measure (self->start_child, GTK_ORIENTATION_VERTICAL, MAX (side_w, min_w), NULL, &side_natural,
                      NULL, NULL);
  double chrome = MAX (0, side_natural - MAX (side_w, min_w) / aspect);
  double side = image_scale (side_w, height, chrome, aspect);
  double stack = image_scale (width, stack_h, chrome, aspect);
  gboolean stacked = side_w < min_w || stack > side;
  int child_w = stacked ? width : side_w, child_h = stacked ? stack_h : height;

  /* no taller than the image needs at that width, so the captions sit on
   * the image and the pair is centred in the space */
  int natural = child_h;
  gtk_widget_measure (self->start_child, GTK_ORIENTATION_VERTICAL, child_w, NULL, &natural, NULL, NULL);
  child_h = CLAMP (natural, 0, child_h);
  int total_h = stacked ? 2 * child_h + SPACING : child_h;
  double top = MAX (0, (height - total_h) / 2);

  gtk_widget_allocate (self->start_child, child_w, child_h, -1,
                       gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (0, top)));
  if (stacked)
    gtk_widget_allocate (self->end_child, child_w, child_h, -1,
                         gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (0, top + child_h + SPACING)));
  else
    gtk_widget_allocate (self->end_child, child_w, child_h, -1,
                         gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (width - side_w, top)));
  self->stacked = stacked;
}

static void
set_child (OtterImagePair  *self,
           GtkWidget      **slot,
           GtkWidget       *child,
           GParamSpec      *pspec)
{
  if (*slot == child)
    return;
  g_clear_pointer (slot, gtk_widget_unparent);
  if (child != NULL)
    {
      *slot = child;
      /* the end child after the start child, for focus and reading order */
      if (slot == &self->start_child)
        gtk_widget_insert_after (child, GTK_WIDGET (self), NULL);
      else
        gtk_widget_insert_before (child, GTK_WIDGET (self), NULL);
    }
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
otter_image_pair_dispose (GObject *object)
{
  OtterImagePair *self = OTTER_IMAGE_PAIR (object);

  g_clear_pointer (&self->start_child, gtk_widget_unparent);
  g_clear_pointer (&self->end_child, gtk_widget_unparent);
  G_OBJECT_CLASS (otter_image_pair_parent_class)->dispose (object);
}

static void
otter_image_pair_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OtterImagePair *self = OTTER_IMAGE_PAIR (object);

  switch (prop_id)
    {
    case PROP_START_CHILD: g_value_set_object (value, self->start_child); break;
    case PROP_END_CHILD: g_value_set_object (value, self->end_child); break;
    case PROP_ASPECT_RATIO: g_value_set_double (value, self->aspect_ratio); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_image_pair_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  OtterImagePair *self = OTTER_IMAGE_PAIR (object);

  switch (prop_id)
    {
    case PROP_START_CHILD: otter_image_pair_set_start_child (self, g_value_get_object (value)); break;
    case PROP_END_CHILD: otter_image_pair_set_end_child (self, g_value_get_object (value)); break;
    case PROP_ASPECT_RATIO: otter_image_pair_set_aspect_ratio (self, g_value_get_double (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_image_pair_class_init (OtterImagePairClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_image_pair_dispose;
  object_class->get_property = otter_image_pair_get_property;
  object_class->set_property = otter_image_pair_set_property;
  widget_class->measure = otter_image_pair_measure;
  widget_class->size_allocate = otter_image_pair_size_allocate;

  properties[PROP_START_CHILD] =
    g_param_spec_object ("start-child", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_END_CHILD] =
    g_param_spec_object ("end-child", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ASPECT_RATIO] =
    g_param_spec_double ("aspect-ratio", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "otter-image-pair");
}

static void
otter_image_pair_init (OtterImagePair *self)
{
}

GtkWidget *
otter_image_pair_new (void)
{
  return g_object_new (OTTER_TYPE_IMAGE_PAIR, NULL);
}

void
otter_image_pair_set_start_child (OtterImagePair *self,
                                  GtkWidget      *child)
{
  g_return_if_fail (OTTER_IS_IMAGE_PAIR (self));
  g_return_if_fail (child == NULL || GTK_IS_WIDGET (child));
  set_child (self, &self->start_child, child, properties[PROP_START_CHILD]);
}

GtkWidget *
otter_image_pair_get_start_child (OtterImagePair *self)
{
  g_return_val_if_fail (OTTER_IS_IMAGE_PAIR (self), NULL);
  return self->start_child;
}

void
otter_image_pair_set_end_child (OtterImagePair *self,
                                GtkWidget      *child)
{
  g_return_if_fail (OTTER_IS_IMAGE_PAIR (self));
  g_return_if_fail (child == NULL || GTK_IS_WIDGET (child));
  set_child (self, &self->end_child, child, properties[PROP_END_CHILD]);
}

GtkWidget *
otter_image_pair_get_end_child (OtterImagePair *self)
{
  g_return_val_if_fail (OTTER_IS_IMAGE_PAIR (self), NULL);
  return self->end_child;
}

void
otter_image_pair_set_aspect_ratio (OtterImagePair *self,
                                   double          aspect_ratio)
{
  g_return_if_fail (OTTER_IS_IMAGE_PAIR (self));

  aspect_ratio = MAX (aspect_ratio, 0);
  if (aspect_ratio == self->aspect_ratio)
    return;
  self->aspect_ratio = aspect_ratio;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASPECT_RATIO]);
}

gboolean
otter_image_pair_get_stacked (OtterImagePair *self)
{
  g_return_val_if_fail (OTTER_IS_IMAGE_PAIR (self), FALSE);
  return self->stacked;
}
