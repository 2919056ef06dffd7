/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-data-page-detail.c: the Data page's detail view: one sample at full
 * size with its boxes, paging through the grid, and "Show Augmented", the
 * sample as the training loader augments it */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-batch.h"
#include "otter-data-page-private.h"
#include "otter-train-config.h"

/* The longest side decoded for the detail view. */
#define DETAIL_DECODE_SIZE 2048
/* Each zoom step of the buttons and keys. */
#define ZOOM_STEP 1.5

/* ---- the sample at full size -------------------------------------------- */

/* Boxes go to the view in the texture's pixels, which may be a reduced
 * decode of the whole image. */
static void
set_detail_texture (OtterDataPage *self,
                    GdkTexture    *texture,
                    int            full_width,
                    int            full_height)
{
  g_autoptr (GArray) boxes = g_array_new (FALSE, TRUE, sizeof (OtterViewBox));
  const char *const *names = self->dataset ? otter_dataset_get_class_names (self->dataset) : NULL;
  guint n_names = names ? g_strv_length ((char **) names) : 0;

  otter_image_view_set_texture (self->detail_view, texture);
  if (texture != NULL)
    otter_image_pair_set_aspect_ratio (self->detail_pair, (double) gdk_texture_get_width (texture) /
                                                          MAX (gdk_texture_get_height (texture), 1));
  otter_data_page_set_predictions_texture (self, texture);
  if (texture != NULL && self->detail_sample != NULL)
    {
      double sx = full_width > 0 ? (double) gdk_texture_get_width (texture) / full_width : 1;
      double sy = full_height > 0 ? (double) gdk_texture_get_height (texture) / full_height : 1;

      for (guint i = 0; i < otter_sample_get_n_boxes (self->detail_sample); i++)
        {
          const OtterBox *box = otter_sample_get_box (self->detail_sample, i);
          OtterViewBox view_box = {
            box->x1 * sx, box->y1 * sy, box->x2 * sx, box->y2 * sy, box->class_id,
            box->class_id >= 0 && (guint) box->class_id < n_names ? names[box->class_id] : NULL, -1,
          };
          g_array_append_val (boxes, view_box);
        }
    }
  otter_image_view_set_boxes (self->detail_view, (OtterViewBox *) (gpointer) boxes->data, boxes->len);
}

static void
detail_ready_cb (GdkTexture   *texture,
                 int           full_width,
                 int           full_height,
                 const GError *error,
                 gpointer      user_data)
{
  OtterDataPage *self = user_data;

  self->detail_request = NULL;
  if (texture != NULL && !self->show_augmented)
    set_detail_texture (self, texture, full_width, full_height);
  else if (error != NULL)
    gtk_label_set_label (self->detail_subtitle, error->message);
}

/* ---- a sample as the loader augments it --------------------------------- */

typedef struct
{
  GWeakRef            page;
  GCancellable       *cancellable;  /* tells this request from a newer one */
  OtterDataset       *dataset;
  guint               index;
  int                 size;
  OtterAugmentParams  params;
  guint64             seed;
} AugmentJob;

static void
augment_job_free (gpointer data)
{
  AugmentJob *job = data;
  g_weak_ref_clear (&job->page);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->dataset);
  g_free (job);
}

static void
augment_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  AugmentJob *job = task_data;
  GError *error = NULL;
  OtterBatch *batch = otter_batch_new_augmented_preview (job->dataset, job->index, job->size,
                                                         &job->params, job->seed, &error);
  if (batch != NULL)
    g_task_return_pointer (task, batch, (GDestroyNotify) otter_batch_free);
  else
    g_task_return_error (task, error);
}

static void
set_augmented_seed (OtterDataPage *self,
                    guint64        seed)
{
  if (self->augmented_seed == seed)
    return;
  self->augmented_seed = seed;
  otter_data_page_notify (self, PROP_AUGMENTED_SEED);
}

/* What this draw did, in a few words. */
static char *
describe_augment (const OtterBatch *batch,
                  OtterSample      *sample)
{
  const OtterAugmentRecord *record = &batch->augments[0];
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  OtterLetterbox fit;

  if (record->n_tiles > 1)
    g_ptr_array_add (parts, g_strdup_printf (_("mosaic of %u"), record->n_tiles));
  else if (otter_sample_get_width (sample) > 0 && otter_sample_get_height (sample) > 0)
    {
      otter_letterbox_init_fit (&fit, otter_sample_get_width (sample), otter_sample_get_height (sample), batch->size);
      double zoom = fit.scale > 0 ? batch->letterboxes[0].scale / fit.scale : 1;
      if (fabs (zoom - 1) > 0.005)
        g_ptr_array_add (parts, g_strdup_printf (_("zoom ×%.2f"), zoom));
    }
  if (record->flipped)
    g_ptr_array_add (parts, g_strdup (_("mirrored")));
  /* the hue shift is a fraction of the colour circle: shown in degrees */
  if (record->seed != 0 && fabs (record->hue * 360) >= 0.5)
    g_ptr_array_add (parts, g_strdup_printf (_("hue %+.0f°"), record->hue * 360));
  if (record->seed != 0 && fabs (record->saturation - 1) >= 0.005)
    g_ptr_array_add (parts, g_strdup_printf (_("saturation ×%.2f"), record->saturation));
  if (record->seed != 0 && fabs (record->value - 1) >= 0.005)
    g_ptr_array_add (parts, g_strdup_printf (_("value ×%.2f"), record->value));
  if (parts->len == 0)
    g_ptr_array_add (parts, g_strdup (_("unchanged in this draw")));
  g_ptr_array_add (parts, NULL);
  g_autofree char *joined = g_strjoinv (", ", (char **) parts->pdata);
  /* Translators: the model's input size, then what augmentation did */
  return g_strdup_printf (_("As training sees it at %d px: %s"), batch->size, joined);
}

static void
augment_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AugmentJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (OtterDataPage) self = g_weak_ref_get (&job->page);
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterBatch) batch = g_task_propagate_pointer (G_TASK (result), &error);

  /* the latest request wins: older ones are dropped here */
  if (self == NULL || job->cancellable != self->augment_cancellable)
    return;
  g_clear_object (&self->augment_cancellable);
  if (batch == NULL)
    {
      gtk_label_set_label (self->detail_subtitle, error->message);
      return;
    }

  const char *const *names = otter_dataset_get_class_names (self->dataset);
  guint n_names = names ? g_strv_length ((char **) names) : 0;
  g_autoptr (GArray) boxes = g_array_new (FALSE, TRUE, sizeof (OtterViewBox));
  for (int i = batch->box_start[0]; i < batch->box_start[1]; i++)
    {
      const OtterTorchBox *box = &batch->boxes[i];
      OtterViewBox view_box = {
        box->x1, box->y1, box->x2, box->y2, box->class_id,
        box->class_id >= 0 && (guint) box->class_id < n_names ? names[box->class_id] : NULL, -1,
      };
      g_array_append_val (boxes, view_box);
    }
  otter_image_view_set_chw (self->detail_view, batch->images, batch->size);
  otter_image_view_set_boxes (self->detail_view, (OtterViewBox *) (gpointer) boxes->data, boxes->len);
  g_autofree char *description = describe_augment (batch, self->detail_sample);
  gtk_label_set_label (self->detail_subtitle, description);
  /* it may be cut short on a narrow window */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_subtitle), description);
  set_augmented_seed (self, job->seed);
}

gboolean
otter_data_page_get_detail_index (OtterDataPage *self,
                                  guint         *index)
{
  guint n = self->dataset ? g_list_model_get_n_items (G_LIST_MODEL (self->dataset)) : 0;
  for (guint i = 0; i < n; i++)
    if (otter_dataset_get_sample (self->dataset, i) == self->detail_sample)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

static void
request_augmented (OtterDataPage *self)
{
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterTrainConfig config;
  guint index;

  g_cancellable_cancel (self->augment_cancellable);
  g_clear_object (&self->augment_cancellable);
  if (self->detail_sample == NULL || !otter_data_page_get_detail_index (self, &index))
    return;

  AugmentJob *job = g_new0 (AugmentJob, 1);
  g_weak_ref_init (&job->page, self);
  self->augment_cancellable = g_cancellable_new ();
  job->cancellable = g_object_ref (self->augment_cancellable);
  job->dataset = g_object_ref (self->dataset);
  job->index = index;
  job->seed = self->augment_seed;
  /* what a run started now from the Training page would use: the model's
   * input size, and the augmentation the engine picks for this data */
  otter_train_config_init (&config);
  config.data = g_strdup (otter_dataset_get_source (self->dataset));
  if (model != NULL)
    config.input_size = otter_model_get_input_size (model);
  job->size = otter_train_config_get_input_size (&config);
  otter_train_config_get_augment (&config, &job->params);
  otter_train_config_clear (&config);

  g_autoptr (GTask) task = g_task_new (NULL, job->cancellable, augment_done_cb, NULL);
  g_task_set_source_tag (task, request_augmented);
  /* the callback tells stale results apart itself */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, augment_job_free);
  g_task_run_in_thread (task, augment_thread);
}

/* ---- what the view shows ------------------------------------------------ */

void
otter_data_page_set_detail_sample (OtterDataPage *self,
                                   OtterSample   *sample)
{
  OtterThumbnailCache *cache = otter_thumbnail_cache_get_default ();
  int full_width = 0, full_height = 0;

  if (self->detail_request != NULL)
    otter_thumbnail_request_cancel (g_steal_pointer (&self->detail_request));
  g_cancellable_cancel (self->augment_cancellable);
  g_clear_object (&self->augment_cancellable);
  set_augmented_seed (self, 0);
  /* another image starts whole */
  if (sample != self->detail_sample)
    otter_image_view_set_zoom (self->detail_view, 1);
  g_set_object (&self->detail_sample, sample);
  otter_data_page_request_predictions (self);
  if (sample == NULL)
    {
      set_detail_texture (self, NULL, 0, 0);
      return;
    }
  g_autofree char *boxes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u box", "%u boxes",
                                                         otter_sample_get_n_boxes (sample)),
                                            otter_sample_get_n_boxes (sample));
  gtk_label_set_label (self->truth_caption, boxes);
  if (self->detail_info != NULL)
    gtk_label_set_label (self->detail_subtitle, self->detail_info);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_subtitle), NULL);
  /* the grid's thumbnail shows at once; the sharp image replaces it */
  GdkTexture *preview = otter_thumbnail_cache_lookup (cache, sample, 1, &full_width, &full_height);
  set_detail_texture (self, preview, full_width, full_height);
  if (self->show_augmented)
    request_augmented (self);
  else
    self->detail_request = otter_thumbnail_cache_request (cache, sample, DETAIL_DECODE_SIZE, TRUE, FALSE,
                                                          detail_ready_cb, self);
}

void
otter_data_page_set_show_augmented (OtterDataPage *self,
                                    gboolean       show)
{
  show = !!show;
  if (self->show_augmented == show)
    return;
  self->show_augmented = show;
  /* the same sample again, the other way */
  if (self->detail_sample != NULL)
    {
      g_autoptr (OtterSample) sample = g_object_ref (self->detail_sample);
      otter_data_page_set_detail_sample (self, sample);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.redraw", show);
  otter_data_page_notify (self, PROP_SHOW_AUGMENTED);
}

static void
redraw_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OtterDataPage *self = OTTER_DATA_PAGE (widget);

  if (!self->show_augmented || self->detail_sample == NULL)
    return;
  /* 0 is the loader's "not augmented" */
  self->augment_seed = self->augment_seed == G_MAXUINT64 ? 1 : self->augment_seed + 1;
  request_augmented (self);
}

void
otter_data_page_update_augmented (OtterDataPage *self)
{
  if (self->show_augmented && self->detail_sample != NULL)
    request_augmented (self);
}

/* ---- zoom, both panes together ------------------------------------------ */

static void
update_zoom (OtterDataPage *self)
{
  double zoom = otter_image_view_get_zoom (self->detail_view);
  gboolean shown = g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "detail") == 0;
  g_autofree char *label = zoom > 1 ? g_strdup_printf (_("%.0f%%"), zoom * 100) : g_strdup (_("Fit"));

  gtk_button_set_label (self->zoom_button, label);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.zoom-in", shown && zoom < OTTER_IMAGE_VIEW_MAX_ZOOM);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.zoom-out", shown && zoom > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.zoom-fit", shown && zoom > 1);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  OtterDataPage *self = OTTER_DATA_PAGE (widget);
  double zoom = otter_image_view_get_zoom (self->detail_view);

  /* the other pane follows through the bound properties */
  if (g_str_equal (action_name, "data.zoom-in"))
    otter_image_view_set_zoom (self->detail_view, zoom * ZOOM_STEP);
  else if (g_str_equal (action_name, "data.zoom-out"))
    otter_image_view_set_zoom (self->detail_view, zoom / ZOOM_STEP);
  else
    otter_image_view_set_zoom (self->detail_view, 1);
}

/* ---- paging through the grid -------------------------------------------- */

static void
update_detail_actions (OtterDataPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  gboolean shown = g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "detail") == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.back", shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.previous", shown && self->detail_position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.next", shown && self->detail_position + 1 < n);
  update_zoom (self);
}

static void
grid_activate_cb (OtterDataPage *self,
                  guint          position)
{
  otter_data_page_show_detail (self, position);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  OtterDataPage *self = OTTER_DATA_PAGE (widget);

  gtk_stack_set_visible_child_name (self->view_stack, "grid");
  /* drops the big decoded image */
  otter_data_page_set_detail_sample (self, NULL);
  update_detail_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->grid));
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  OtterDataPage *self = OTTER_DATA_PAGE (widget);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  if (g_str_equal (action_name, "data.previous") && self->detail_position > 0)
    otter_data_page_show_detail (self, self->detail_position - 1);
  else if (g_str_equal (action_name, "data.next") && self->detail_position + 1 < n)
    otter_data_page_show_detail (self, self->detail_position + 1);
}

void
otter_data_page_show_detail (OtterDataPage *self,
                             guint          position)
{
  g_return_if_fail (OTTER_IS_DATA_PAGE (self));

  g_autoptr (OtterSample) sample = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);
  if (sample == NULL)
    return;

  int width = otter_sample_get_width (sample), height = otter_sample_get_height (sample);
  guint n_boxes = otter_sample_get_n_boxes (sample);
  g_autofree char *boxes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u box", "%u boxes", n_boxes), n_boxes);
  g_autofree char *subtitle = NULL;

  if (width > 0 && height > 0)
    /* Translators: image size in pixels, then the number of boxes */
    subtitle = g_strdup_printf (_("%d × %d px · %s"), width, height, boxes);
  else
    subtitle = g_strdup (boxes);

  self->detail_position = position;
  g_free (self->detail_info);
  self->detail_info = g_steal_pointer (&subtitle);
  gtk_label_set_label (self->detail_subtitle, self->detail_info);
  otter_data_page_set_detail_sample (self, sample);
  gtk_label_set_label (self->detail_title, otter_sample_get_display_name (sample));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_title), otter_sample_get_image_path (sample));
  gtk_selection_model_select_item (gtk_grid_view_get_model (self->grid), position, TRUE);
  gtk_stack_set_visible_child_name (self->view_stack, "detail");
  update_detail_actions (self);
}

void
otter_data_page_class_init_detail (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, grid_activate_cb);
  gtk_widget_class_install_action (widget_class, "data.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "data.previous", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "data.next", NULL, step_action);
  gtk_widget_class_install_property_action (widget_class, "data.show-augmented", "show-augmented");
  gtk_widget_class_install_action (widget_class, "data.redraw", NULL, redraw_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "data.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "data.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "data.next", NULL);

  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, detail_pair);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, truth_caption);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, zoom_button);
  gtk_widget_class_install_action (widget_class, "data.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "data.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "data.zoom-fit", NULL, zoom_action);
  /* the keys image viewers use, on the main row and the keypad */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "data.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "data.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "data.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "data.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "data.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "data.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "data.zoom-fit", NULL);
  otter_data_page_class_init_predictions (widget_class);
}

void
otter_data_page_init_detail (OtterDataPage *self)
{
  self->augment_seed = 1;
  self->detail_view = OTTER_IMAGE_VIEW (otter_image_view_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->detail_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Selected image with its boxes"), -1);
  otter_image_view_set_zoomable (self->detail_view, TRUE);
  adw_bin_set_child (self->detail_bin, GTK_WIDGET (self->detail_view));
  g_signal_connect_object (self->detail_view, "notify::zoom", G_CALLBACK (update_zoom), self, G_CONNECT_SWAPPED);
  otter_data_page_init_predictions (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.redraw", FALSE);
  update_detail_actions (self);
}

void
otter_data_page_dispose_detail (OtterDataPage *self)
{
  otter_data_page_dispose_predictions (self);
  if (self->detail_request != NULL)
    otter_thumbnail_request_cancel (g_steal_pointer (&self->detail_request));
  g_cancellable_cancel (self->augment_cancellable);
  g_clear_object (&self->augment_cancellable);
  g_clear_object (&self->detail_sample);
  g_clear_pointer (&self->detail_info, g_free);
}
