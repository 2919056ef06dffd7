/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-perturb-page-export.c: each of the Perturbation page's views as a PNG */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "otter-perturb-page-private.h"

static GdkTexture *
render_image_view (GtkWidget *view)
{
  GtkNative *native = gtk_widget_get_native (view);
  int width = gtk_widget_get_width (view), height = gtk_widget_get_height (view);
  if (native == NULL || width <= 0 || height <= 0)
    return NULL;

  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (view);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return NULL;
  /* just the picture, without the empty margins around it */
  graphene_rect_t bounds;
  gsk_render_node_get_bounds (node, &bounds);
  return gsk_renderer_render_texture (gtk_native_get_renderer (native), node, &bounds);
}

typedef struct
{
  OtterPerturbPage *self;
  GdkTexture       *texture;
} ExportData;

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    ExportData      *data)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *tmp = g_strdup_printf ("%s.part", path);
      /* a temporary name, then rename: the file is never half-written */
      if (!gdk_texture_save_to_png (data->texture, tmp) || g_rename (tmp, path) != 0)
        {
          g_unlink (tmp);
          g_autofree char *message = g_strdup_printf (_("Could not write %s"), path);
          gtk_label_set_label (data->self->status_label, message);
        }
    }
  g_object_unref (data->texture);
  g_object_unref (data->self);
  g_free (data);
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OtterPerturbPage *self = OTTER_PERTURB_PAGE (widget);
  const char *target = g_variant_get_string (parameter, NULL);
  g_autoptr (GdkTexture) texture = NULL;

  if (g_str_equal (target, "plan"))
    texture = otter_plan_view_render (self->plan_view);
  else if (g_str_equal (target, "clean"))
    texture = render_image_view (GTK_WIDGET (self->clean_view));
  else if (g_str_equal (target, "perturbed"))
    texture = render_image_view (GTK_WIDGET (self->perturbed_view));
  else if (g_str_equal (target, "delta"))
    texture = render_image_view (GTK_WIDGET (self->delta_view));
  else if (g_str_equal (target, "overlay"))
    texture = render_image_view (GTK_WIDGET (self->overlay_view));
  if (texture == NULL)
    {
      gtk_label_set_label (self->status_label, _("Nothing to export yet"));
      return;
    }

  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Export as PNG"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_autofree char *name = g_strdup_printf ("otter-%s.png", target);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);

  ExportData *data = g_new0 (ExportData, 1);
  data->self = g_object_ref (self);
  data->texture = g_steal_pointer (&texture);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
otter_perturb_page_class_init_export (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "perturb.export", "s", export_action);
}
