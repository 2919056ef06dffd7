/* SPDX-License-Identifier: GPL-3.0-or-later */
/* display-utils.c */

#include "config.h"

#include <stdlib.h>

#include "display-utils.h"
#include "otter-application.h"
#include "../test-wait-utils.h"

AdwApplication *
display_test_init (int    *argc,
                   char ***argv)
{
  g_autoptr (GError) error = NULL;

  gtk_test_init (argc, argv, NULL);
  adw_init ();
  /* The real application class (its styles, actions and background
   * runs), under an id of its own so a running Otter is not disturbed. */
  AdwApplication *app = g_object_new (OTTER_TYPE_APPLICATION,
                                      "application-id", APPLICATION_ID ".Test",
                                      "flags", G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN,
                                      "resource-base-path", "/io/github/ottertrain/Otter",
                                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  return app;
}

gboolean
display_wait_until (gboolean (*done) (gpointer data),
                    gpointer   data,
                    double     timeout_s)
{
  return wait_until (done, data, timeout_s);
}

void
display_spin (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
}

GdkTexture *
display_render_widget (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

gboolean
display_save_widget_png (GtkWidget  *widget,
                         const char *path)
{
  g_autoptr (GdkTexture) texture = display_render_widget (widget);
  return gdk_texture_save_to_png (texture, path);
}

static guint8 *
download (GdkTexture *texture, gsize *stride)
{
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  *stride = (gsize) w * 4;
  guint8 *pixels = g_malloc ((gsize) h * *stride);
  gdk_texture_download (texture, pixels, *stride);
  return pixels;
}

double
display_texture_variety (GdkTexture *texture,
                         int         x,
                         int         y,
                         int         width,
                         int         height)
{
  gsize stride;
  g_autofree guint8 *pixels = download (texture, &stride);
  int tw = gdk_texture_get_width (texture), th = gdk_texture_get_height (texture);
  x = CLAMP (x, 0, tw - 1);
  y = CLAMP (y, 0, th - 1);
  width = MIN (width, tw - x);
  height = MIN (height, th - y);
  const guint8 *first = pixels + y * stride + x * 4;
  guint differing = 0;
  for (int j = y; j < y + height; j++)
    for (int i = x; i < x + width; i++)
      {
        const guint8 *p = pixels + j * stride + i * 4;
        if (abs (p[0] - first[0]) + abs (p[1] - first[1]) + abs (p[2] - first[2]) > 12)
          differing++;
      }
  return (double) differing / MAX (1, width * height);
}

double
display_texture_difference (GdkTexture *a,
                            GdkTexture *b)
{
  g_assert_cmpint (gdk_texture_get_width (a), ==, gdk_texture_get_width (b));
  g_assert_cmpint (gdk_texture_get_height (a), ==, gdk_texture_get_height (b));
  gsize stride;
  g_autofree guint8 *pa = download (a, &stride);
  g_autofree guint8 *pb = download (b, &stride);
  gsize n = stride * gdk_texture_get_height (a);
  double sum = 0;
  for (gsize i = 0; i < n; i++)
    sum += abs (pa[i] - pb[i]);
  return sum / n;
}

GtkWidget *
display_find_widget (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = display_find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
display_find_actionable (GtkWidget  *widget,
                         const char *action)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = display_find_actionable (child, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
display_find_row (GtkWidget  *widget,
                  const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = display_find_row (child, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

AdwMessageDialog *
display_find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) w = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

GtkWidget *
display_find_button (GtkWidget  *widget,
                     const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = display_find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect (GtkWidget *widget, GType type, GPtrArray *found)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

GPtrArray *
display_find_all (GtkWidget *widget,
                  GType      type)
{
  GPtrArray *found = g_ptr_array_new ();
  collect (widget, type, found);
  return found;
}
