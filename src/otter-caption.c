/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-caption.c: one line of text, shortened in the middle, for the items of a long grid
 *
 * A GtkLabel lays its text out to measure it, again for the width it is
 * offered and again when it is allocated. Scrolling the Data page's
 * 10 000 images rebinds a row of grid items every frame or two, and their
 * labels were most of the frame's layout phase: frames with 16–22 ms of
 * layout, 4–5 ms with no captions at all (bench-grid-scroll). A caption's
 * size comes from its font's metrics alone, one line high and at most
 * width-chars average characters wide, so a new text changes no size and
 * costs no layout pass; the text is laid out once, when it is drawn.
 */
#include "config.h"

#include "otter-caption.h"
#include "otter-draw.h"

struct _OtterCaption
{
  GtkWidget    parent_instance;

  char        *text;
  int          width_chars;
  /* from the font's metrics, in px; 0 until measured with the current style */
  int          char_width;
  int          line_height;
  /* the text laid out at the width it was last drawn at */
  PangoLayout *layout;
};

enum
{
  PROP_0,
  PROP_TEXT,
  PROP_WIDTH_CHARS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterCaption, otter_caption, GTK_TYPE_WIDGET)

static void
ensure_metrics (OtterCaption *self)
{
  if (self->line_height > 0)
    return;
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);
  self->char_width = MAX (1, PANGO_PIXELS_CEIL (pango_font_metrics_get_approximate_char_width (metrics)));
  int height = pango_font_metrics_get_height (metrics);
  if (height <= 0)
    height = pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics);
  self->line_height = MAX (1, PANGO_PIXELS_CEIL (height));
  pango_font_metrics_unref (metrics);
}

static void
otter_caption_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  OtterCaption *self = OTTER_CAPTION (widget);

  ensure_metrics (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* room for an ellipsis and a character either side of it */
      *minimum = 3 * self->char_width;
      *natural = MAX (*minimum, self->width_chars * self->char_width);
    }
  else
    *minimum = *natural = self->line_height;
}

static void
otter_caption_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  OtterCaption *self = OTTER_CAPTION (widget);
  int width = gtk_widget_get_width (widget);
  GdkRGBA color;

  if (self->text == NULL || *self->text == '\0' || width <= 0)
    return;
  if (self->layout == NULL || pango_layout_get_width (self->layout) != width * PANGO_SCALE)
    {
      g_clear_object (&self->layout);
      self->layout = gtk_widget_create_pango_layout (widget, self->text);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_MIDDLE);
      pango_layout_set_alignment (self->layout, PANGO_ALIGN_CENTER);
      pango_layout_set_width (self->layout, width * PANGO_SCALE);
    }
  otter_draw_get_foreground (widget, &color);
  gtk_snapshot_append_layout (snapshot, self->layout, &color);
}

static void
otter_caption_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  OtterCaption *self = OTTER_CAPTION (widget);

  GTK_WIDGET_CLASS (otter_caption_parent_class)->css_changed (widget, change);
  /* The font may be another: measure again, lay out again. */
  self->line_height = 0;
  g_clear_object (&self->layout);
  gtk_widget_queue_resize (widget);
}

static void
otter_caption_direction_changed (GtkWidget        *widget,
                                 GtkTextDirection  previous)
{
  g_clear_object (&OTTER_CAPTION (widget)->layout);
  gtk_widget_queue_draw (widget);
}

static void
otter_caption_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  OtterCaption *self = OTTER_CAPTION (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_WIDTH_CHARS:
      g_value_set_int (value, self->width_chars);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_caption_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  OtterCaption *self = OTTER_CAPTION (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      otter_caption_set_text (self, g_value_get_string (value));
      break;
    case PROP_WIDTH_CHARS:
      otter_caption_set_width_chars (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_caption_finalize (GObject *object)
{
  OtterCaption *self = OTTER_CAPTION (object);

  g_free (self->text);
  g_clear_object (&self->layout);
  G_OBJECT_CLASS (otter_caption_parent_class)->finalize (object);
}

static void
otter_caption_class_init (OtterCaptionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = otter_caption_get_property;
  object_class->set_property = otter_caption_set_property;
  object_class->finalize = otter_caption_finalize;
  widget_class->measure = otter_caption_measure;
  widget_class->snapshot = otter_caption_snapshot;
  widget_class->css_changed = otter_caption_css_changed;
  widget_class->direction_changed = otter_caption_direction_changed;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WIDTH_CHARS] =
    g_param_spec_int ("width-chars", NULL, NULL, 1, 1000, 18,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "label");
  /* the item it captions carries the name for assistive technologies */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
otter_caption_init (OtterCaption *self)
{
  self->width_chars = 18;
}

GtkWidget *
otter_caption_new (const char *text)
{
  return g_object_new (OTTER_TYPE_CAPTION, "text", text, NULL);
}

const char *
otter_caption_get_text (OtterCaption *self)
{
  g_return_val_if_fail (OTTER_IS_CAPTION (self), NULL);
  return self->text;
}

void
otter_caption_set_text (OtterCaption *self,
                        const char   *text)
{
  g_return_if_fail (OTTER_IS_CAPTION (self));
  if (g_strcmp0 (self->text, text) == 0)
    return;
  g_free (self->text);
  self->text = g_strdup (text);
  g_clear_object (&self->layout);
  /* the size does not depend on the text: a redraw is enough */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

int
otter_caption_get_width_chars (OtterCaption *self)
{
  g_return_val_if_fail (OTTER_IS_CAPTION (self), 0);
  return self->width_chars;
}

void
otter_caption_set_width_chars (OtterCaption *self,
                               int           width_chars)
{
  g_return_if_fail (OTTER_IS_CAPTION (self));
  width_chars = MAX (1, width_chars);
  if (self->width_chars == width_chars)
    return;
  self->width_chars = width_chars;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDTH_CHARS]);
}
