/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-model-page-export.c: the Model page's Export for PyTorch: the file
 * chooser, the state_dict and its description written off the main thread,
 * and the line or toast that tells how it went */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-export.h"
#include "otter-model-page-private.h"

typedef struct
{
  GWeakRef  page;
  char     *path;
} ExportRequest;

static void
show_export_result (OtterModelPage *self,
                    const char     *message,
                    gboolean        failed)
{
  gtk_label_set_label (self->export_label, message);
  if (failed)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->export_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->export_label), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->export_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->export_label), "dim-label");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->export_label), TRUE);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ExportRequest *request = user_data;
  g_autoptr (OtterModelPage) self = g_weak_ref_get (&request->page);
  g_autoptr (GError) error = NULL;
  gboolean ok = otter_export_write_finish (result, &error);

  if (self != NULL)
    {
      self->n_exporting--;
      otter_model_page_update_create (self);
      if (!ok)
        show_export_result (self, error->message, TRUE);
      else
        {
          g_autofree char *json = otter_export_description_path (request->path);
          g_autofree char *pth_base = g_path_get_basename (request->path);
          g_autofree char *json_base = g_path_get_basename (json);
          GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

          gtk_widget_set_visible (GTK_WIDGET (self->export_label), FALSE);
          if (overlay != NULL)
            {
              g_autofree char *message = g_strdup_printf (_("Exported %s and %s"), pth_base, json_base);
              AdwToast *toast = adw_toast_new (message);
              adw_toast_set_timeout (toast, 8);
              adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
            }
          else
            {
              g_autofree char *message = g_strdup_printf (_("Exported %s and %s"), request->path, json);
              show_export_result (self, message, FALSE);
            }
        }
    }
  g_weak_ref_clear (&request->page);
  g_free (request->path);
  g_free (request);
}

static void
export_to (OtterModelPage *self,
           const char     *path)
{
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;

  if (model == NULL || path == NULL)
    return;
  ExportRequest *request = g_new0 (ExportRequest, 1);
  g_weak_ref_init (&request->page, self);
  request->path = g_strdup (path);
  self->n_exporting++;
  otter_model_page_update_create (self);
  otter_export_write_async (model, path, NULL, export_done_cb, request);
}

static void
export_to_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  export_to (OTTER_MODEL_PAGE (widget), g_variant_get_string (param, NULL));
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    OtterModelPage  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      export_to (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (widget);
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  GtkRoot *root = gtk_widget_get_root (widget);

  if (model == NULL)
    return;
  g_autofree char *label = otter_model_dup_label (model);
  g_autofree char *name = g_strconcat (label, ".pth", NULL);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Export for PyTorch"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("PyTorch state_dict"));
  gtk_file_filter_add_pattern (filter, "*.pth");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (self->chooser);
}

void
otter_model_page_class_init_export (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "model.export", NULL, export_action);
  /* what the export dialog does once a file is chosen; also for tests */
  gtk_widget_class_install_action (widget_class, "model.export-to", "s", export_to_action);
}
