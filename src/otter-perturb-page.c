/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-perturb-page.c: the Perturbation page */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "otter-class-banner.h"
#include "otter-color-bar.h"
#include "otter-image-view.h"
#include "otter-perturb-page.h"
#include "otter-plan-view.h"
#include "otter-preview.h"
#include "otter-resources.h"

/* Edits settle for this long before the attack reruns. */
#define RECOMPUTE_DELAY_MS 400

struct _OtterPerturbPage
{
  OtterPage       parent_instance;
  OtterPreview   *preview;
  guint           debounce_id;
  gboolean        dirty;           /* settings or inputs changed since the last request */
  guint64         seed;
  int             pair_i, pair_j;  /* batch space: the images shown */

  GtkStack       *stack;
  GtkSwitch      *random_switch;
  AdwActionRow   *start_row;
  GtkAdjustment  *start_adjustment;
  GtkAdjustment  *count_adjustment;
  GtkAdjustment  *epsilon_adjustment;
  GtkAdjustment  *steps_adjustment;
  GtkAdjustment  *step_size_adjustment;
  GtkAdjustment  *reg_adjustment;
  AdwComboRow    *space_row;
  GtkSpinner     *spinner;
  GtkLabel       *status_label;
  GtkLabel       *d_label;
  GtkLabel       *linf_label;
  GtkLabel       *batch_label;
  GtkLabel       *clean_title;
  GtkLabel       *perturbed_title;
  GtkLabel       *delta_title;
  OtterImageView *clean_view;
  OtterImageView *perturbed_view;
  OtterImageView *delta_view;
  OtterColorBar  *delta_bar;
  OtterColorBar  *overlay_bar;
  GtkToggleButton *signed_toggle;
  GtkToggleButton *plan_log_toggle;
  OtterPlanView  *plan_view;
  GtkLabel       *plan_title;
  GtkLabel       *image_label;
  GtkSpinButton  *image_spin;
  GtkAdjustment  *image_adjustment;
  GtkLabel       *readout_label;
  GtkWidget      *overlay_kind_box;
  GtkWidget      *opacity_box;
  GtkToggleButton *cost_toggle;
  GtkStack       *overlay_stack;
  OtterImageView *overlay_view;
  GtkAdjustment  *opacity_adjustment;
};

enum
{
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterPerturbPage, otter_perturb_page, OTTER_TYPE_PAGE)

/* ---- showing a result ------------------------------------------------ */

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

static gboolean
is_spatial (OtterPreviewResult *result)
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

  if (!is_spatial (result))
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

  if (is_spatial (result))
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
  gboolean spatial = is_spatial (result);
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
    batch = g_strdup_printf (ngettext ("%d random image · seed %" G_GUINT64_FORMAT,
                                       "%d random images · seed %" G_GUINT64_FORMAT, result->n),
                             result->n, self->seed);
  else
    batch = g_strdup_printf (_("Images %u–%u"), result->sample_indices[0],
                             result->sample_indices[result->n - 1]);
  gtk_label_set_label (self->batch_label, batch);

  gtk_adjustment_set_upper (self->image_adjustment, MAX (result->n - 1, 0));

  if (!is_spatial (result))
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

/* ---- computing ------------------------------------------------------- */

static void
update_visible_page (OtterPerturbPage *self)
{
  OtterDataset *dataset = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;

  if (dataset == NULL)
    gtk_stack_set_visible_child_name (self->stack, "no-dataset");
  else if (model == NULL)
    gtk_stack_set_visible_child_name (self->stack, "no-model");
  else
    gtk_stack_set_visible_child_name (self->stack, "content");

  if (dataset != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (dataset));
      gtk_adjustment_set_upper (self->start_adjustment, n > 0 ? n - 1 : 0);
      gtk_adjustment_set_upper (self->count_adjustment, CLAMP (n, 2, 32));
    }
}

static void
request_now (OtterPerturbPage *self)
{
  OtterDataset *dataset = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterPreviewParams params;

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (dataset == NULL || model == NULL)
    return;

  otter_preview_params_init (&params);
  params.random = gtk_switch_get_active (self->random_switch);
  params.start = (guint) gtk_adjustment_get_value (self->start_adjustment);
  params.count = (guint) gtk_adjustment_get_value (self->count_adjustment);
  params.seed = self->seed;
  params.ot.epsilon = (float) (gtk_adjustment_get_value (self->epsilon_adjustment) / 255.0);
  params.ot.steps = (int) gtk_adjustment_get_value (self->steps_adjustment);
  params.ot.step_size = (float) (gtk_adjustment_get_value (self->step_size_adjustment) / 255.0);
  params.ot.reg = (float) gtk_adjustment_get_value (self->reg_adjustment);
  params.ot.space = adw_combo_row_get_selected (self->space_row) == 1
                    ? OTTER_FEATURE_SPACE_SPATIAL : OTTER_FEATURE_SPACE_BATCH;
  self->dirty = FALSE;
  gtk_label_set_label (self->status_label, "");
  otter_preview_request (self->preview, dataset, model, &params);
}

static gboolean
debounce_cb (gpointer data)
{
  OtterPerturbPage *self = data;
  self->debounce_id = 0;
  request_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_compute (OtterPerturbPage *self)
{
  self->dirty = TRUE;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || otter_page_get_session (OTTER_PAGE (self)) == NULL ||
      otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) == NULL ||
      otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) == NULL)
    return;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (RECOMPUTE_DELAY_MS, debounce_cb, self);
}

static void
settings_changed_cb (OtterPerturbPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_row), !gtk_switch_get_active (self->random_switch));
  schedule_compute (self);
}

static void
inputs_changed_cb (OtterPerturbPage *self)
{
  update_visible_page (self);
  otter_preview_cancel (self->preview);
  self->pair_i = self->pair_j = -1;
  /* A cell picked on the old data means nothing on the new. */
  otter_plan_view_set_selection (self->plan_view, -1, -1);
  schedule_compute (self);
}

static void
running_changed_cb (OtterPerturbPage *self)
{
  gboolean running = otter_preview_get_running (self->preview);
  gtk_spinner_set_spinning (self->spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
pair_activated_cb (OtterPerturbPage *self,
                   int               i,
                   int               j)
{
  OtterPreviewResult *result = otter_preview_get_result (self->preview);
  if (!is_spatial (result))
    {
      self->pair_i = i;
      self->pair_j = j;
    }
  show_panes (self);
}

static void
image_changed_cb (OtterPerturbPage *self)
{
  if (is_spatial (otter_preview_get_result (self->preview)))
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

static void
compute_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  otter_perturb_page_compute (OTTER_PERTURB_PAGE (widget));
}

/* ---- export ---------------------------------------------------------- */

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

/* ---- GObject --------------------------------------------------------- */

static void
otter_perturb_page_map (GtkWidget *widget)
{
  OtterPerturbPage *self = OTTER_PERTURB_PAGE (widget);

  GTK_WIDGET_CLASS (otter_perturb_page_parent_class)->map (widget);
  if (self->dirty)
    schedule_compute (self);
}

static void
otter_perturb_page_dispose (GObject *object)
{
  OtterPerturbPage *self = (OtterPerturbPage *) object;

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->preview != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->preview, self);
      otter_preview_cancel (self->preview);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_PERTURB_PAGE);
  g_clear_object (&self->preview);
  G_OBJECT_CLASS (otter_perturb_page_parent_class)->dispose (object);
}

static void
otter_perturb_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  OtterPerturbPage *self = (OtterPerturbPage *) object;

  switch (prop_id)
    {
    case PROP_BUSY: g_value_set_boolean (value, otter_perturb_page_get_busy (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void otter_perturb_page_session_changed (OtterPage *page, OtterSession *old);

static void
otter_perturb_page_class_init (OtterPerturbPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_perturb_page_dispose;
  object_class->get_property = otter_perturb_page_get_property;
  OTTER_PAGE_CLASS (klass)->session_changed = otter_perturb_page_session_changed;
  widget_class->map = otter_perturb_page_map;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* keeps the resource bundle in static links such as the display tests */
  (void) otter_get_resource ();

  g_type_ensure (OTTER_TYPE_IMAGE_VIEW);
  g_type_ensure (OTTER_TYPE_PLAN_VIEW);
  g_type_ensure (OTTER_TYPE_CLASS_BANNER);
  g_type_ensure (OTTER_TYPE_COLOR_BAR);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-perturb-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, stack);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, random_switch);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, start_row);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, start_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, count_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, epsilon_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, steps_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, step_size_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, reg_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, space_row);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, d_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, linf_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, batch_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, clean_title);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, perturbed_title);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, delta_title);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, clean_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, perturbed_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, delta_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, plan_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, plan_title);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, image_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, image_spin);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, image_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, readout_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, overlay_kind_box);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, opacity_box);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, cost_toggle);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, signed_toggle);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, plan_log_toggle);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, delta_bar);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, overlay_bar);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, overlay_stack);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, overlay_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, opacity_adjustment);
  gtk_widget_class_bind_template_callback (widget_class, pair_activated_cb);

  gtk_widget_class_install_action (widget_class, "perturb.compute", NULL, compute_action);
  gtk_widget_class_install_action (widget_class, "perturb.export", "s", export_action);
}

static void
otter_perturb_page_init (OtterPerturbPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  GSignalGroup *session_signals = otter_page_get_session_signals (OTTER_PAGE (self));
  g_signal_group_connect_object (session_signals, "notify::dataset", G_CALLBACK (inputs_changed_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "notify::model", G_CALLBACK (inputs_changed_cb),
                                 self, G_CONNECT_SWAPPED);

  self->preview = otter_preview_new ();
  self->seed = 1;
  self->pair_i = self->pair_j = -1;
  self->dirty = TRUE;

  g_signal_connect_swapped (self->preview, "notify::running", G_CALLBACK (running_changed_cb), self);
  g_signal_connect_swapped (self->preview, "notify::serial", G_CALLBACK (show_result), self);

  GtkAdjustment *settings[] = {
    self->start_adjustment, self->count_adjustment, self->epsilon_adjustment,
    self->steps_adjustment, self->step_size_adjustment, self->reg_adjustment,
  };
  for (guint k = 0; k < G_N_ELEMENTS (settings); k++)
    g_signal_connect_swapped (settings[k], "value-changed", G_CALLBACK (settings_changed_cb), self);
  g_signal_connect_swapped (self->random_switch, "notify::active", G_CALLBACK (settings_changed_cb), self);
  g_signal_connect_swapped (self->space_row, "notify::selected", G_CALLBACK (settings_changed_cb), self);

  g_signal_connect_swapped (self->image_adjustment, "value-changed", G_CALLBACK (image_changed_cb), self);
  g_signal_connect_swapped (self->cost_toggle, "toggled", G_CALLBACK (update_overlay), self);
  g_signal_connect_swapped (self->signed_toggle, "toggled", G_CALLBACK (show_panes), self);
  g_signal_connect_swapped (self->plan_log_toggle, "toggled", G_CALLBACK (plan_log_toggled_cb), self);
  g_signal_connect_object (self->opacity_adjustment, "value-changed",
                           G_CALLBACK (update_overlay), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->plan_view, "notify::readout", G_CALLBACK (readout_changed_cb), self);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  update_visible_page (self);
  update_overlay (self);
  gtk_widget_set_visible (GTK_WIDGET (self->image_spin), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->image_label), FALSE);
  gtk_label_set_label (self->clean_title, _("Clean"));
  gtk_label_set_label (self->perturbed_title, _("Perturbed"));
  gtk_label_set_label (self->delta_title, _("Change"));
}

static void
otter_perturb_page_session_changed (OtterPage    *page,
                                    OtterSession *old)
{
  inputs_changed_cb (OTTER_PERTURB_PAGE (page));
}

void
otter_perturb_page_compute (OtterPerturbPage *self)
{
  g_return_if_fail (OTTER_IS_PERTURB_PAGE (self));

  /* asking again for a random batch means new images */
  if (gtk_switch_get_active (self->random_switch))
    self->seed = g_random_int_range (1, G_MAXINT32);
  request_now (self);
}

gboolean
otter_perturb_page_get_busy (OtterPerturbPage *self)
{
  g_return_val_if_fail (OTTER_IS_PERTURB_PAGE (self), FALSE);
  return self->debounce_id != 0 || otter_preview_get_running (self->preview);
}

guint
otter_perturb_page_get_serial (OtterPerturbPage *self)
{
  g_return_val_if_fail (OTTER_IS_PERTURB_PAGE (self), 0);
  return otter_preview_get_serial (self->preview);
}

void
otter_perturb_page_set_batch (OtterPerturbPage *self,
                              guint             start,
                              guint             count)
{
  g_return_if_fail (OTTER_IS_PERTURB_PAGE (self));

  gtk_switch_set_active (self->random_switch, FALSE);
  gtk_adjustment_set_value (self->count_adjustment, count);
  gtk_adjustment_set_value (self->start_adjustment, start);
}

void
otter_perturb_page_set_feature_space (OtterPerturbPage  *self,
                                      OtterFeatureSpace  space)
{
  g_return_if_fail (OTTER_IS_PERTURB_PAGE (self));
  adw_combo_row_set_selected (self->space_row, space == OTTER_FEATURE_SPACE_SPATIAL ? 1 : 0);
}

OtterImageView *
otter_perturb_page_get_change_view (OtterPerturbPage *self)
{
  g_return_val_if_fail (OTTER_IS_PERTURB_PAGE (self), NULL);
  return self->delta_view;
}

OtterPlanView *
otter_perturb_page_get_plan_view (OtterPerturbPage *self)
{
  g_return_val_if_fail (OTTER_IS_PERTURB_PAGE (self), NULL);
  return self->plan_view;
}

void
otter_perturb_page_get_shown_pair (OtterPerturbPage *self,
                                   int              *clean,
                                   int              *perturbed)
{
  g_return_if_fail (OTTER_IS_PERTURB_PAGE (self));

  OtterPreviewResult *result = otter_preview_get_result (self->preview);
  int k = (int) gtk_adjustment_get_value (self->image_adjustment);
  if (clean != NULL)
    *clean = is_spatial (result) ? k : self->pair_i;
  if (perturbed != NULL)
    *perturbed = is_spatial (result) ? k : self->pair_j;
}
