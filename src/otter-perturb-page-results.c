/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-perturb-page-results.c: the Perturbation page's result: images,
 * detections, the change, the plan and the spatial overlay */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-perturb-page-private.h"

static void
set_detections (OtterImageView           *view,
                GArray                   *detections,
                int                       image,
                const char *const        *class_names,
                const OtterViewBox       *extra)
{
  g_autoptr (GArray) boxes = g_array_new (FALSE, FALSE, sizeof (OtterViewBox));
  guint n_names = class_names ? g_strv_length ((char **) class_names) : 0;

  for (guint k = 0; detections != NULL && k < detections->len; k++)
    {
      const OtterTorchDetection *d = &g_array_index (detections, OtterTorchDetection, k);
      if (d->image != image)
        continue;
      OtterViewBox box = {
        d->x1, d->y1, d->x2, d->y2, d->class_id,
        d->class_id >= 0 && (guint) d->class_id < n_names ? class_names[d->class_id] : NULL,
        d->score,
      };
      g_array_append_val (boxes, box);
    }
  if (extra != NULL)
    g_array_append_vals (boxes, extra, 1);
  otter_image_view_set_boxes (view, (const OtterViewBox *) (gpointer) boxes->data, boxes->len);
}

gboolean
otter_perturb_page_result_is_spatial (OtterPreviewResult *result)
{
  return result != NULL && result->ot->space == OTTER_FEATURE_SPACE_SPATIAL && result->ot->map_w > 0;
}

/* A feature cell's rectangle in input pixels, drawn as a box. */
static OtterViewBox
cell_box (OtterPreviewResult *result,
          int                 cell,
          const char         *label)
{
  const OtterTorchOtResult *ot = result->ot;
  double cw = (double) result->size / ot->map_w, ch = (double) result->size / ot->map_h;
  int r = cell / ot->map_w, c = cell % ot->map_w;
  return (OtterViewBox) { c * cw, r * ch, (c + 1) * cw, (r + 1) * ch, 2, label, -1 };
}

static void
update_overlay (OtterPerturbPage *self)
{
  OtterPreviewResult *result = otter_preview_get_result (self->preview);

  if (!otter_perturb_page_result_is_spatial (result))
    {
      gtk_stack_set_visible_child_name (self->overlay_stack, "batch");
      gtk_widget_set_sensitive (self->overlay_kind_box, FALSE);
      gtk_widget_set_sensitive (self->opacity_box, FALSE);
      return;
    }
  gtk_stack_set_visible_child_name (self->overlay_stack, "spatial");
  gtk_widget_set_sensitive (self->overlay_kind_box, TRUE);
  gtk_widget_set_sensitive (self->opacity_box, TRUE);

  const OtterTorchOtResult *ot = result->ot;
  int k = CLAMP ((int) gtk_adjustment_get_value (self->image_adjustment), 0, result->n - 1);
  gsize cells = (gsize) ot->map_h * ot->map_w;
  const float *all = gtk_toggle_button_get_active (self->cost_toggle) ? ot->cell_cost : ot->displacement;
  /* one scale for the whole batch, so images compare */
  float vmax = 0;
  for (gsize p = 0; p < cells * result->n; p++)
    vmax = MAX (vmax, all[p]);
  g_autofree float *values = g_new (float, cells);
  for (gsize p = 0; p < cells; p++)
    values[p] = vmax > 0 ? all[k * cells + p] / vmax : 0;
  /* The legend: what the colours stand for, on the batch's scale. */
  g_autofree char *high = g_strdup_printf ("%.3g", vmax);
  otter_color_bar_set (self->overlay_bar, OTTER_COLOR_BAR_VIRIDIS, "0",
                       gtk_toggle_button_get_active (self->cost_toggle) ? _("transported cost per cell")
                                                                         : _("feature displacement ‖f − f′‖"),
                       high);

  gsize plane = (gsize) 3 * result->size * result->size;
  otter_image_view_set_chw (self->overlay_view, result->clean + k * plane, result->size);
  otter_image_view_set_heatmap (self->overlay_view, values, ot->map_w, ot->map_h);
  otter_image_view_set_heatmap_opacity (self->overlay_view, gtk_adjustment_get_value (self->opacity_adjustment));
}

/* The change to image j, without the letterbox padding: the signed
 * perturbation (δ / ε per channel around mid-grey, the classic amplified
 * view) or its size, max_c |δ| / ε, on the scale of its own 2nd to 98th
 * percentile. With a sign step nearly every pixel moves by ε, so the size
 * view mostly shows where clipping to [0, 1] held a pixel back. */
static void
show_change (OtterPerturbPage         *self,
             const OtterPreviewResult *result,
             int                       j)
{
  gsize plane = (gsize) result->size * result->size;
  const int *rect = result->content + 4 * j;
  int w = rect[2] - rect[0], h = rect[3] - rect[1];
  g_autofree char *eps = g_strdup_printf ("%.3g/255", result->epsilon * 255);

  if (gtk_toggle_button_get_active (self->signed_toggle))
    {
      g_autofree char *low = g_strdup_printf ("−%s", eps);
      g_autofree char *high = g_strdup_printf ("+%s", eps);
      otter_image_view_set_heatmap (self->delta_view, NULL, 0, 0);
      otter_image_view_set_chw_region (self->delta_view, result->signed_delta + (gsize) j * 3 * plane,
                                       result->size, rect);
      otter_color_bar_set (self->delta_bar, OTTER_COLOR_BAR_DIVERGING, low, "0", high);
      return;
    }

  const float *map = result->delta + (gsize) j * plane;
  float lo = result->delta_range[2 * j], hi = result->delta_range[2 * j + 1];
  /* A (nearly) uniform map has no scale of its own: show it against ε. */
  if (hi - lo < 1e-3f)
    lo = 0, hi = 1;
  g_autofree float *values = g_new (float, (gsize) w * h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      values[(gsize) y * w + x] = CLAMP ((map[(gsize) (rect[1] + y) * result->size + rect[0] + x] - lo) / (hi - lo),
                                         0.f, 1.f);
  otter_image_view_set_texture (self->delta_view, NULL);
  otter_image_view_set_heatmap (self->delta_view, values, w, h);
  g_autofree char *low = g_strdup_printf ("%.2f ε", lo);
  g_autofree char *high = g_strdup_printf ("%.2f ε", hi);
  otter_color_bar_set (self->delta_bar, OTTER_COLOR_BAR_VIRIDIS, low, NULL, high);
}

static void
plan_log_toggled_cb (OtterPerturbPage *self)
{
  otter_plan_view_set_log_scale (self->plan_view, gtk_toggle_button_get_active (self->plan_log_toggle));
}

static void
show_panes (OtterPerturbPage *self)
{
  OtterPreviewResult *result = otter_preview_get_result (self->preview);
  if (result == NULL)
    return;

  gsize plane = (gsize) result->size * result->size;
  int ci, pj;
  OtterViewBox clean_cell, pert_cell;
  gboolean cells = FALSE;
  int si, sj;

  if (otter_perturb_page_result_is_spatial (result))
    {
      /* the selected image on both sides; the selected cells boxed */
      ci = pj = CLAMP ((int) gtk_adjustment_get_value (self->image_adjustment), 0, result->n - 1);
      if (otter_plan_view_get_selection (self->plan_view, &si, &sj))
        {
          clean_cell = cell_box (result, si, _("cell"));
          pert_cell = cell_box (result, sj, _("cell"));
          clean_cell.label = NULL;
          pert_cell.label = NULL;
          cells = TRUE;
        }
    }
  else
    {
      ci = CLAMP (self->pair_i, 0, result->n - 1);
      pj = CLAMP (self->pair_j, 0, result->n - 1);
    }

  g_autofree char *clean = g_strdup_printf (_("Clean · image %d (sample %u)"), ci, result->sample_indices[ci]);
  g_autofree char *pert = g_strdup_printf (_("Perturbed · image %d (sample %u)"), pj, result->sample_indices[pj]);
  g_autofree char *delta = g_strdup_printf (_("Change · image %d"), pj);
  gtk_label_set_label (self->clean_title, clean);
  gtk_label_set_label (self->perturbed_title, pert);
  gtk_label_set_label (self->delta_title, delta);

  otter_image_view_set_chw (self->clean_view, result->clean + ci * 3 * plane, result->size);
  set_detections (self->clean_view, result->clean_detections, ci,
                  (const char *const *) result->class_names, cells ? &clean_cell : NULL);
  otter_image_view_set_chw (self->perturbed_view, result->ot->perturbed + pj * 3 * plane, result->size);
  set_detections (self->perturbed_view, result->perturbed_detections, pj,
                  (const char *const *) result->class_names, cells ? &pert_cell : NULL);
  show_change (self, result, pj);
}

static void
show_plan (OtterPerturbPage *self)
{
  OtterPreviewResult *result = otter_preview_get_result (self->preview);
  if (result == NULL)
    {
      otter_plan_view_set_data (self->plan_view, NULL, NULL, 0, NULL);
      return;
    }

  const OtterTorchOtResult *ot = result->ot;
  int side = ot->plan_side;
  gsize block = (gsize) side * side;
  gboolean spatial = otter_perturb_page_result_is_spatial (result);
  int k = spatial ? CLAMP ((int) gtk_adjustment_get_value (self->image_adjustment), 0, ot->n_plans - 1) : 0;

  otter_plan_view_set_grid_width (self->plan_view, spatial && ot->map_w * ot->map_h == side ? ot->map_w : 0);
  otter_plan_view_set_data (self->plan_view, ot->plan + k * block, ot->cost + k * block, side,
                            spatial ? _("cell") : _("image"));
  if (!spatial)
    otter_plan_view_set_selection (self->plan_view, self->pair_i, self->pair_j);

  g_autofree char *title = spatial
    ? g_strdup_printf (_("Transport Plan · image %d, %d × %d cells"), k, side, side)
    : g_strdup_printf (_("Transport Plan · %d × %d images"), side, side);
  gtk_label_set_label (self->plan_title, title);
  gtk_widget_set_visible (GTK_WIDGET (self->image_spin), spatial);
  gtk_widget_set_visible (GTK_WIDGET (self->image_label), spatial);
}

static void
show_result (OtterPerturbPage *self)
{
  OtterPreviewResult *result = otter_preview_get_result (self->preview);
  const char *error = otter_preview_get_error (self->preview);

  gtk_label_set_label (self->status_label, error ? error : "");
  if (result == NULL)
    return;

  const OtterTorchOtResult *ot = result->ot;
  g_autofree char *d = g_strdup_printf ("%.4f → %.4f", ot->d_start, ot->d_final);
  g_autofree char *linf = g_strdup_printf (_("%.1f / 255"), ot->linf * 255.0);
  gtk_label_set_label (self->d_label, d);
  gtk_label_set_label (self->linf_label, linf);
  g_autofree char *tip = g_strdup_printf (_("D at the random start: %.5f; after the ascent: %.5f"),
                                          ot->d_start, ot->d_final);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->d_label), tip);

  g_autofree char *batch = NULL;
  if (gtk_switch_get_active (self->random_switch))
    batch = g_strdup_printf (ngettext ("%d random image · seed %llu",
                                       "%d random images · seed %llu", result->n),
                             result->n, (unsigned long long) self->seed);
  else
    batch = g_strdup_printf (_("Images %u–%u"), result->sample_indices[0],
                             result->sample_indices[result->n - 1]);
  gtk_label_set_label (self->batch_label, batch);

  gtk_adjustment_set_upper (self->image_adjustment, MAX (result->n - 1, 0));

  if (!otter_perturb_page_result_is_spatial (result))
    {
      /* by default the first image and where most of its mass went */
      if (self->pair_i < 0 || self->pair_i >= result->n || self->pair_j >= result->n)
        {
          int best = 0;
          for (int j = 1; j < result->n; j++)
            if (ot->plan[j] > ot->plan[best])
              best = j;
          self->pair_i = 0;
          self->pair_j = best;
        }
    }
  show_plan (self);
  show_panes (self);
  update_overlay (self);
}

static void
pair_activated_cb (OtterPerturbPage *self,
                   int               i,
                   int               j)
{
  OtterPreviewResult *result = otter_preview_get_result (self->preview);
  if (!otter_perturb_page_result_is_spatial (result))
    {
      self->pair_i = i;
      self->pair_j = j;
    }
  show_panes (self);
}

static void
image_changed_cb (OtterPerturbPage *self)
{
  if (otter_perturb_page_result_is_spatial (otter_preview_get_result (self->preview)))
    {
      show_plan (self);
      show_panes (self);
      update_overlay (self);
    }
}

static void
readout_changed_cb (OtterPerturbPage *self)
{
  const char *text = otter_plan_view_get_readout (self->plan_view);
  gtk_label_set_label (self->readout_label,
                       text ? text : _("Hover over a cell to read its cost and mass; click to show the pair."));
}

void
otter_perturb_page_class_init_results (GtkWidgetClass *widget_class)
{
  /* the template names it, so it keeps its name */
  gtk_widget_class_bind_template_callback (widget_class, pair_activated_cb);
}

void
otter_perturb_page_init_results (OtterPerturbPage *self)
{
  g_signal_connect_swapped (self->preview, "notify::serial", G_CALLBACK (show_result), self);
  g_signal_connect_swapped (self->image_adjustment, "value-changed", G_CALLBACK (image_changed_cb), self);
  g_signal_connect_swapped (self->cost_toggle, "toggled", G_CALLBACK (update_overlay), self);
  g_signal_connect_swapped (self->signed_toggle, "toggled", G_CALLBACK (show_panes), self);
  g_signal_connect_swapped (self->plan_log_toggle, "toggled", G_CALLBACK (plan_log_toggled_cb), self);
  g_signal_connect_object (self->opacity_adjustment, "value-changed",
                           G_CALLBACK (update_overlay), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->plan_view, "notify::readout", G_CALLBACK (readout_changed_cb), self);
  update_overlay (self);
}
