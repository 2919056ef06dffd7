/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-draw.c: small drawing helpers shared by the custom widgets */

#include "config.h"

#include <math.h>

#include "otter-draw.h"

/**
 * otter_draw_create_layout:
 * @widget: the widget whose font, direction and Pango context to use
 * @text: the text
 * @scale: a factor on the font size; 1 keeps it
 * @flags: attributes to add
 *
 * A layout in the widget's own font, so chart labels follow the user's
 * font settings and text scaling like the rest of the window. At scale 1
 * with no flags the layout carries no attribute list at all, exactly as
 * gtk_widget_create_pango_layout() gives it.
 *
 * Returns: (transfer full): the layout
 */
PangoLayout *
otter_draw_create_layout (GtkWidget          *widget,
                          const char         *text,
                          double              scale,
                          OtterDrawTextFlags  flags)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);

  if (scale != 1.0 || flags != OTTER_DRAW_TEXT_PLAIN)
    {
      PangoAttrList *attrs = pango_attr_list_new ();
      if (scale != 1.0)
        pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
      if (flags & OTTER_DRAW_TEXT_TABULAR)
        pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
      if (flags & OTTER_DRAW_TEXT_BOLD)
        pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  return layout;
}

/**
 * otter_draw_get_text_size:
 * @widget: the widget whose font to use
 * @text: the text
 * @scale: as for otter_draw_create_layout()
 * @flags: as for otter_draw_create_layout()
 * @width: (out) (optional): the logical width in pixels
 * @height: (out) (optional): the logical height in pixels
 *
 * How much room @text takes, for laying out margins and legends before
 * anything is drawn; measured the same way otter_draw_text() places it.
 */
void
otter_draw_get_text_size (GtkWidget          *widget,
                          const char         *text,
                          double              scale,
                          OtterDrawTextFlags  flags,
                          int                *width,
                          int                *height)
{
  g_autoptr (PangoLayout) layout = otter_draw_create_layout (widget, text, scale, flags);

  pango_layout_get_pixel_size (layout, width, height);
}

/**
 * otter_draw_layout_at:
 * @snapshot: where to draw
 * @layout: the text, already laid out and measured
 * @x: where its top-left corner goes
 * @y: where its top-left corner goes
 * @color: the text colour
 *
 * Draws a layout the caller has measured to place a box or chip around it;
 * the save, translate and restore around the text node stay paired here.
 * No rounding: callers that want whole pixels pass them.
 */
void
otter_draw_layout_at (GtkSnapshot   *snapshot,
                      PangoLayout   *layout,
                      double         x,
                      double         y,
                      const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/**
 * otter_draw_text:
 * @widget: the widget whose font to use
 * @snapshot: where to draw
 * @text: the text
 * @x: where the anchor lands, horizontally
 * @y: where the anchor lands, vertically
 * @ax: the anchor's place across the text's box: 0 left, 1 right
 * @ay: the anchor's place down the text's box: 0 top, 1 bottom
 * @scale: as for otter_draw_create_layout()
 * @flags: as for otter_draw_create_layout()
 * @color: the text colour
 *
 * Draws @text with a chosen point of its box at (@x, @y), so a tick label
 * can sit right-aligned and centred on its grid line without the caller
 * measuring it. The offset is rounded to whole pixels to keep glyphs sharp.
 */
void
otter_draw_text (GtkWidget          *widget,
                 GtkSnapshot        *snapshot,
                 const char         *text,
                 double              x,
                 double              y,
                 double              ax,
                 double              ay,
                 double              scale,
                 OtterDrawTextFlags  flags,
                 const GdkRGBA      *color)
{
  g_autoptr (PangoLayout) layout = otter_draw_create_layout (widget, text, scale, flags);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  otter_draw_layout_at (snapshot, layout, round (x - ax * w), round (y - ay * h), color);
}

/**
 * otter_draw_get_foreground:
 * @widget: the widget
 * @color: (out): its CSS foreground colour
 *
 * The widget's text colour. GTK 4.8 has no non-deprecated way to read it
 * (gtk_widget_get_color() came in 4.10), so the deprecation warning is
 * silenced here, in one place.
 */
void
otter_draw_get_foreground (GtkWidget *widget,
                           GdkRGBA   *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/**
 * otter_draw_lookup_color:
 * @widget: the widget
 * @name: a named colour of the theme, such as "accent_color"
 * @fallback: (nullable): what to use if the theme lacks @name; %NULL for
 *   the widget's foreground colour
 * @color: (out): the colour
 *
 * A libadwaita named colour, so drawings follow the accent, dark mode and
 * high contrast. Themes other than Adwaita may not define the name, hence
 * the fallback. As with otter_draw_get_foreground(), GTK 4.8 offers only a
 * deprecated call for this.
 *
 * Returns: whether the theme defines @name
 */
gboolean
otter_draw_lookup_color (GtkWidget     *widget,
                         const char    *name,
                         const GdkRGBA *fallback,
                         GdkRGBA       *color)
{
  gboolean found;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  found = gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  if (!found)
    {
      if (fallback != NULL)
        *color = *fallback;
      else
        otter_draw_get_foreground (widget, color);
    }
  return found;
}

/**
 * otter_draw_is_dark:
 * @widget: the widget
 *
 * Whether the widget sits on a dark background, judged from its foreground
 * colour: that follows the style manager, a forced colour scheme and
 * high contrast alike, with no libadwaita call needed. Widgets that pick
 * their own hues call this from their snapshot and drop cached drawings
 * in #GtkWidgetClass.css_changed, which is how a switch is noticed.
 *
 * Returns: %TRUE for a light foreground, that is a dark background
 */
gboolean
otter_draw_is_dark (GtkWidget *widget)
{
  GdkRGBA fg;

  otter_draw_get_foreground (widget, &fg);
  return 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5;
}

/**
 * otter_draw_fill_rounded:
 * @snapshot: where to draw
 * @shape: the rounded rectangle
 * @color: the fill
 *
 * Fills a rounded rectangle. GTK 4.8 has no rounded colour node, so this
 * is a colour node under a rounded clip; the one helper keeps the push and
 * pop paired.
 */
void
otter_draw_fill_rounded (GtkSnapshot          *snapshot,
                         const GskRoundedRect *shape,
                         const GdkRGBA        *color)
{
  gtk_snapshot_push_rounded_clip (snapshot, shape);
  gtk_snapshot_append_color (snapshot, color, &shape->bounds);
  gtk_snapshot_pop (snapshot);
}

/**
 * otter_draw_border:
 * @snapshot: where to draw
 * @shape: the outline's outer edge
 * @width: the line width, the same on all four sides
 * @color: the line colour, the same on all four sides
 *
 * An even outline, for boxes, highlighted cells and read-out frames:
 * gtk_snapshot_append_border() wants four widths and four colours.
 */
void
otter_draw_border (GtkSnapshot          *snapshot,
                   const GskRoundedRect *shape,
                   float                 width,
                   const GdkRGBA        *color)
{
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gtk_snapshot_append_border (snapshot, shape, widths, colors);
}

/**
 * otter_draw_texture_new_rgba:
 * @pixels: (transfer full): @width × @height pixels, 8-bit RGBA, rows packed
 * @width: the width in pixels
 * @height: the height in pixels
 *
 * A texture that takes over a buffer the caller filled, without a copy:
 * heat maps and plans are built pixel by pixel on the CPU.
 *
 * Returns: (transfer full): the texture
 */
GdkTexture *
otter_draw_texture_new_rgba (guint8 *pixels,
                             int     width,
                             int     height)
{
  g_autoptr (GBytes) bytes = g_bytes_new_take (pixels, (gsize) width * height * 4);

  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, (gsize) width * 4);
}

/**
 * otter_draw_set_description:
 * @widget: a widget drawn by hand
 * @description: what it shows, in words
 *
 * A drawn chart is a picture to assistive technologies; its description is
 * where a screen reader finds the numbers. Call it whenever the data
 * change, not when the drawing does.
 */
void
otter_draw_set_description (GtkWidget  *widget,
                            const char *description)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/**
 * otter_draw_box_outline:
 * @snapshot: where to draw
 * @rect: the box
 * @width: the coloured line's width
 * @color: its colour
 *
 * A detection or ground-truth box over a photo: the coloured line on a
 * thin dark halo, so it stays visible on light and busy images alike.
 */
void
otter_draw_box_outline (GtkSnapshot           *snapshot,
                        const graphene_rect_t *rect,
                        float                  width,
                        const GdkRGBA         *color)
{
  GdkRGBA halo = { 0, 0, 0, 0.55f * color->alpha };
  GskRoundedRect outer, line;
  gsk_rounded_rect_init_from_rect (&outer, &GRAPHENE_RECT_INIT (rect->origin.x - 1, rect->origin.y - 1,
                                                                rect->size.width + 2, rect->size.height + 2), 0);
  otter_draw_border (snapshot, &outer, width + 2, &halo);
  gsk_rounded_rect_init_from_rect (&line, rect, 0);
  otter_draw_border (snapshot, &line, width, color);
}
