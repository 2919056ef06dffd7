/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-data-page-predictions.c: the Data page's model pane: the current
 * model's detections on the detail sample beside its ground truth, under
 * a score threshold that filters them without running the model again */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-class-banner.h"
#include "otter-data-page-private.h"

/* A detection that takes longer than this says so over the image; the
 * spinner beside the caption shows at once. Most take less, and a word
 * flashing on every page turn would only distract. */
#define BUSY_NOTICE_MS 250

static OtterModel *
current_model (OtterDataPage *self)
{
  OtterSession *session = otter_page_get_session (OTTER_PAGE (self));
  return session != NULL ? otter_session_get_model (session) : NULL;
}

static void
set_status (OtterDataPage *self,
            const char    *text)
{
  gtk_label_set_label (self->model_status, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->model_status), text != NULL);
}

/* The boxes and words of the pane, from the newest result and the
 * threshold; called for each of their changes. */
static void
update_pane (OtterDataPage *self)
{
  OtterDetectionsResult *result = otter_detections_get_result (self->detections);
  gboolean running = otter_detections_get_running (self->detections);
  const char *error = otter_detections_get_error (self->detections);
  OtterModel *model = current_model (self);
  g_autoptr (GArray) boxes = g_array_new (FALSE, TRUE, sizeof (OtterViewBox));
  GdkTexture *texture = otter_image_view_get_texture (self->model_view);
  guint n_truths = self->detail_sample ? otter_sample_get_n_boxes (self->detail_sample) : 0;

  gtk_spinner_set_spinning (self->model_spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->model_spinner), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->threshold_scale), model != NULL);

  /* a result for another image (the page moved on) is not drawn */
  if (result != NULL && result->sample != self->detail_sample)
    result = NULL;
  if (result != NULL && texture != NULL && result->image_width > 0 && result->image_height > 0)
    {
      /* the pane may show a reduced decode of the whole image */
      double sx = (double) gdk_texture_get_width (texture) / result->image_width;
      double sy = (double) gdk_texture_get_height (texture) / result->image_height;
      guint n_names = g_strv_length (result->class_names);

      for (guint i = 0; i < result->detections->len; i++)
        {
          const OtterDetection *d = &g_array_index (result->detections, OtterDetection, i);
          if (d->score < self->score_threshold)
            continue;
          OtterViewBox box = {
            d->x1 * sx, d->y1 * sy, d->x2 * sx, d->y2 * sy, d->class_id,
            d->class_id >= 0 && (guint) d->class_id < n_names ? result->class_names[d->class_id] : NULL,
            d->score,
          };
          g_array_append_val (boxes, box);
        }
    }
  otter_image_view_set_boxes (self->model_view, (OtterViewBox *) (gpointer) boxes->data, boxes->len);

  g_autofree char *truths = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u truth", "%u truths", n_truths),
                                             n_truths);
  g_autofree char *caption = NULL;
  if (result != NULL)
    {
      g_autofree char *found =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u detection ≥ %.2f", "%u detections ≥ %.2f", boxes->len),
                         boxes->len, self->score_threshold);
      /* Translators: "3 detections ≥ 0.30 · 2 truths" */
      caption = g_strdup_printf (_("%s · %s"), found, truths);
    }
  gtk_label_set_label (self->model_caption, caption != NULL ? caption : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_caption), caption);

  if (model == NULL)
    set_status (self, _("No model — create or open one on the Model page"));
  else if (running && self->busy_notice_id == 0)
    set_status (self, _("Detecting…"));
  else if (running)
    set_status (self, NULL);
  else if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The model could not run on this image: %s"), error);
      set_status (self, text);
    }
  else
    set_status (self, NULL);
}

static void
update_class_warning (OtterDataPage *self)
{
  g_autofree char *mismatch = otter_describe_class_mismatch (current_model (self), self->dataset);

  if (mismatch != NULL)
    {
      /* Translators: the sentence is otter_describe_class_mismatch()'s */
      g_autofree char *text = g_strdup_printf (_("Classes differ: %s. The boxes are named after the model’s classes."),
                                               mismatch);
      gtk_label_set_label (self->class_warning, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->class_warning), mismatch != NULL);
}

static gboolean
busy_notice_cb (gpointer user_data)
{
  OtterDataPage *self = user_data;

  self->busy_notice_id = 0;
  update_pane (self);
  return G_SOURCE_REMOVE;
}

void
otter_data_page_request_predictions (OtterDataPage *self)
{
  OtterModel *model = current_model (self);
  guint index;

  /* the augmented input is not the image the model pane compares with */
  gtk_widget_set_visible (self->model_pane, !self->show_augmented);
  update_class_warning (self);
  if (self->detail_sample == NULL || self->show_augmented || model == NULL || self->dataset == NULL ||
      !otter_data_page_get_detail_index (self, &index))
    otter_detections_clear (self->detections);
  else
    {
      g_clear_handle_id (&self->busy_notice_id, g_source_remove);
      self->busy_notice_id = g_timeout_add (BUSY_NOTICE_MS, busy_notice_cb, self);
      otter_detections_request (self->detections, self->dataset, model, index);
    }
  update_pane (self);
}

void
otter_data_page_set_predictions_texture (OtterDataPage *self,
                                         GdkTexture    *texture)
{
  otter_image_view_set_texture (self->model_view, texture);
  update_pane (self);
}

void
otter_data_page_set_score_threshold (OtterDataPage *self,
                                     double         threshold)
{
  threshold = CLAMP (threshold, OTTER_DETECTIONS_MIN_SCORE, 1.0);
  if (self->score_threshold == threshold)
    return;
  self->score_threshold = threshold;
  update_pane (self);
  otter_data_page_notify (self, PROP_SCORE_THRESHOLD);
}

double
otter_data_page_get_score_threshold (OtterDataPage *self)
{
  g_return_val_if_fail (OTTER_IS_DATA_PAGE (self), 0);
  return self->score_threshold;
}

void
otter_data_page_class_init_predictions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, model_pane);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, model_bin);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, model_caption);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, model_spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, model_status);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, class_warning);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, threshold_scale);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, threshold_adjustment);
}

void
otter_data_page_init_predictions (OtterDataPage *self)
{
  static const char *const shared[] = { "zoom", "center-x", "center-y" };

  self->score_threshold = gtk_adjustment_get_value (self->threshold_adjustment);
  g_object_bind_property (self->threshold_adjustment, "value", self, "score-threshold",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  self->model_view = OTTER_IMAGE_VIEW (otter_image_view_new ());
  otter_image_view_set_zoomable (self->model_view, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->model_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Selected image with the model's detections"), -1);
  adw_bin_set_child (self->model_bin, GTK_WIDGET (self->model_view));
  /* both panes show the same pixels wherever either is zoomed or panned */
  for (guint i = 0; i < G_N_ELEMENTS (shared); i++)
    g_object_bind_property (self->detail_view, shared[i], self->model_view, shared[i],
                            G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  self->detections = otter_detections_new ();
  g_signal_connect_object (self->detections, "notify::result", G_CALLBACK (update_pane), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->detections, "notify::running", G_CALLBACK (update_pane), self, G_CONNECT_SWAPPED);
  update_pane (self);
}

void
otter_data_page_dispose_predictions (OtterDataPage *self)
{
  g_clear_handle_id (&self->busy_notice_id, g_source_remove);
  if (self->detections == NULL)
    return;
  /* the pane's widgets are going: nothing is redrawn for this clear */
  g_signal_handlers_disconnect_by_data (self->detections, self);
  otter_detections_clear (self->detections);
  g_clear_object (&self->detections);
}
