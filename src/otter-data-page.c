/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-data-page.c: the Data page: thumbnails, classes, import problems */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-batch.h"
#include "otter-data-page.h"
#include "otter-image-view.h"
#include "otter-resources.h"
#include "otter-thumbnail-cache.h"
#include "otter-thumbnail.h"
#include "otter-train-config.h"

struct _OtterDataPage
{
  AdwBin              parent_instance;

  OtterSession       *session;
  OtterDataset       *dataset;
  GtkFilterListModel *filter_model;
  GtkCustomFilter    *filter;
  int                 filter_class;
  guint               detail_position;
  gboolean            rebuilding_classes;

  GtkStack           *stack;
  GtkSpinner         *loading_spinner;
  GtkRevealer        *skipped_revealer;
  GtkLabel           *skipped_label;
  GtkListBox         *class_list;
  GtkStack           *view_stack;
  GtkLabel           *title_label;
  GtkLabel           *summary_label;
  GtkSpinner         *busy_spinner;
  GtkGridView        *grid;
  GtkLabel           *detail_title;
  GtkLabel           *detail_subtitle;
  AdwBin             *detail_bin;
  OtterImageView     *detail_view;
  OtterSample        *detail_sample;
  OtterThumbnailRequest *detail_request;
  char               *detail_info;        /* the subtitle of the plain image */

  /* the sample as training sees it */
  gboolean            show_augmented;
  guint64             augment_seed;       /* the draw asked for */
  guint64             augmented_seed;     /* the draw on screen, 0 for the plain image */
  GCancellable       *augment_cancellable;
};

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_SHOW_AUGMENTED,
  PROP_AUGMENTED_SEED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The longest side decoded for the detail view. */
#define DETAIL_DECODE_SIZE 2048

G_DEFINE_FINAL_TYPE (OtterDataPage, otter_data_page, ADW_TYPE_BIN)

/* The few looks the theme has no class for; colours come from it. */
static const char page_css[] =
  ".otter-banner { padding: 6px 12px 6px 18px; min-height: 36px;"
  "  background-color: mix(@warning_bg_color, @window_bg_color, 0.7); color: @window_fg_color; }"
  ".otter-banner button { background-color: alpha(currentColor, 0.1); }"
  ".otter-banner button:hover { background-color: alpha(currentColor, 0.15); }"
  "gridview.otter-thumbnail-grid { padding: 6px 12px 18px 12px; background: none; }"
  "gridview.otter-thumbnail-grid > child { padding: 8px 8px 6px 8px; margin: 2px; border-radius: 12px; }"
  ".otter-class-swatch { min-width: 12px; min-height: 12px; }";

static void
ensure_css (void)
{
  static gboolean installed;
  GdkDisplay *display = gdk_display_get_default ();

  if (installed || display == NULL)
    return;
  g_autoptr (GtkCssProvider) provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, page_css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  installed = TRUE;
}

static gboolean
sample_has_class (gpointer item,
                  gpointer user_data)
{
  OtterDataPage *self = user_data;
  OtterSample *sample = item;
  guint n = otter_sample_get_n_boxes (sample);

  if (self->filter_class < 0)
    return TRUE;
  for (guint i = 0; i < n; i++)
    if (otter_sample_get_box (sample, i)->class_id == self->filter_class)
      return TRUE;
  return FALSE;
}

static void
update_state (OtterDataPage *self)
{
  gboolean busy = self->session != NULL && otter_session_get_busy (self->session);
  const char *page = self->dataset != NULL ? "data" : busy ? "loading" : "empty";

  gtk_stack_set_visible_child_name (self->stack, page);
  gtk_spinner_set_spinning (self->loading_spinner, busy && self->dataset == NULL);
  gtk_spinner_set_spinning (self->busy_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->busy_spinner), busy);
}

static void
update_summary (OtterDataPage *self)
{
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  guint n_images, n_boxes, n_classes, n_visible;

  if (self->dataset == NULL)
    return;

  n_images = g_list_model_get_n_items (G_LIST_MODEL (self->dataset));
  n_boxes = otter_dataset_get_n_boxes (self->dataset);
  n_classes = otter_dataset_get_n_classes (self->dataset);
  n_visible = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  name = g_path_get_basename (otter_dataset_get_source (self->dataset));

  g_autofree char *images = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image", "%u images", n_images), n_images);
  g_autofree char *boxes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u box", "%u boxes", n_boxes), n_boxes);
  g_autofree char *classes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u class", "%u classes", n_classes), n_classes);
  const char *format = otter_dataset_format_to_string (otter_dataset_get_format (self->dataset));

  if (self->filter_class >= 0)
    {
      g_autofree char *shown = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u shown", "%u shown", n_visible), n_visible);
      /* Translators: format · images · boxes · classes · shown */
      text = g_strdup_printf (_("%s · %s · %s · %s · %s"), format, images, boxes, classes, shown);
    }
  else
    /* Translators: format · images · boxes · classes, as in "VOC · 12 images · 30 boxes · 3 classes" */
    text = g_strdup_printf (_("%s · %s · %s · %s"), format, images, boxes, classes);

  gtk_label_set_label (self->title_label, name);
  gtk_label_set_label (self->summary_label, text);
}

static void
update_skipped (OtterDataPage *self)
{
  const GArray *skipped = self->dataset ? otter_dataset_get_skipped (self->dataset) : NULL;
  guint n = skipped ? skipped->len : 0;

  if (n > 0)
    {
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u sample skipped", "%u samples skipped", n), n);
      gtk_label_set_label (self->skipped_label, text);
    }
  gtk_revealer_set_reveal_child (self->skipped_revealer, n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.show-skipped", n > 0);
}

static GtkWidget *
class_row_new (GtkWidget  *swatch,
               const char *name,
               guint       count,
               int         class_id)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *label = gtk_label_new (name);
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  GtkWidget *count_label = gtk_label_new (count_text);
  g_autofree char *accessible = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u box", "%s, %u boxes", count),
                                                 name, count);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (count_label, "dim-label");
  gtk_widget_add_css_class (count_label, "numeric");
  if (swatch != NULL)
    gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), count_label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_object_set_data (G_OBJECT (row), "otter-class-id", GINT_TO_POINTER (class_id));
  return row;
}

static void
swatch_draw (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  GdkRGBA color;

  otter_class_color (GTK_WIDGET (area), GPOINTER_TO_INT (user_data), &color);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
rebuild_classes (OtterDataPage *self)
{
  GtkWidget *child;
  GtkWidget *selected = NULL;

  self->rebuilding_classes = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->class_list))) != NULL)
    gtk_list_box_remove (self->class_list, child);

  if (self->dataset != NULL)
    {
      const char *const *names = otter_dataset_get_class_names (self->dataset);
      const guint *counts = otter_dataset_get_class_counts (self->dataset);
      guint n_classes = otter_dataset_get_n_classes (self->dataset);
      GtkWidget *all = class_row_new (NULL, _("All Images"), g_list_model_get_n_items (G_LIST_MODEL (self->dataset)), -1);

      gtk_list_box_append (self->class_list, all);
      selected = all;
      for (guint i = 0; i < n_classes; i++)
        {
          GtkWidget *swatch = gtk_drawing_area_new ();
          gtk_widget_add_css_class (swatch, "otter-class-swatch");
          gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
          gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), swatch_draw, GINT_TO_POINTER (i), NULL);
          GtkWidget *row = class_row_new (swatch, names[i], counts ? counts[i] : 0, (int) i);
          gtk_list_box_append (self->class_list, row);
          if ((int) i == self->filter_class)
            selected = row;
        }
    }
  if (selected != NULL)
    gtk_list_box_select_row (self->class_list, GTK_LIST_BOX_ROW (selected));
  self->rebuilding_classes = FALSE;
}

static void
apply_filter (OtterDataPage *self,
              int            class_id)
{
  if (self->filter_class == class_id)
    return;
  self->filter_class = class_id;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  gtk_stack_set_visible_child_name (self->view_stack, "grid");
  update_summary (self);
}

static void
class_row_selected_cb (OtterDataPage *self,
                       GtkListBoxRow *row)
{
  if (row == NULL || self->rebuilding_classes)
    return;
  apply_filter (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "otter-class-id")));
}

static void
dataset_items_changed_cb (OtterDataPage *self)
{
  rebuild_classes (self);
  update_summary (self);
}

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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUGMENTED_SEED]);
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

/* Index of the detail sample in the dataset (the grid may be filtered). */
static gboolean
detail_dataset_index (OtterDataPage *self,
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
  OtterModel *model = self->session ? otter_session_get_model (self->session) : NULL;
  OtterTrainConfig config;
  guint index;

  g_cancellable_cancel (self->augment_cancellable);
  g_clear_object (&self->augment_cancellable);
  if (self->detail_sample == NULL || !detail_dataset_index (self, &index))
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

static void
set_detail_sample (OtterDataPage *self,
                   OtterSample   *sample)
{
  OtterThumbnailCache *cache = otter_thumbnail_cache_get_default ();
  int full_width = 0, full_height = 0;

  if (self->detail_request != NULL)
    otter_thumbnail_request_cancel (g_steal_pointer (&self->detail_request));
  g_cancellable_cancel (self->augment_cancellable);
  g_clear_object (&self->augment_cancellable);
  set_augmented_seed (self, 0);
  g_set_object (&self->detail_sample, sample);
  if (sample == NULL)
    {
      set_detail_texture (self, NULL, 0, 0);
      return;
    }
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

static void
set_show_augmented (OtterDataPage *self,
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
      set_detail_sample (self, sample);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.redraw", show);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_AUGMENTED]);
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

static void
set_dataset (OtterDataPage *self,
             OtterDataset  *dataset)
{
  if (self->dataset == dataset)
    return;
  if (self->dataset != NULL)
    g_signal_handlers_disconnect_by_func (self->dataset, dataset_items_changed_cb, self);
  g_set_object (&self->dataset, dataset);
  /* the old dataset's thumbnails would only take memory from the new one */
  otter_thumbnail_cache_clear (otter_thumbnail_cache_get_default ());
  if (dataset != NULL)
    g_signal_connect_object (dataset, "items-changed", G_CALLBACK (dataset_items_changed_cb), self,
                             G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  self->filter_class = -1;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (dataset));
  set_detail_sample (self, NULL);
  gtk_stack_set_visible_child_name (self->view_stack, "grid");
  rebuild_classes (self);
  update_summary (self);
  update_skipped (self);
  update_state (self);
}

static void
session_dataset_cb (OtterDataPage *self)
{
  set_dataset (self, otter_session_get_dataset (self->session));
}

static void
session_model_cb (OtterDataPage *self)
{
  if (self->show_augmented && self->detail_sample != NULL)
    request_augmented (self);
}

static void
update_detail_actions (OtterDataPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  gboolean shown = g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "detail") == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.back", shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.previous", shown && self->detail_position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.next", shown && self->detail_position + 1 < n);
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
  set_detail_sample (self, NULL);
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

static void
show_skipped_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  OtterDataPage *self = OTTER_DATA_PAGE (widget);
  const GArray *skipped = self->dataset ? otter_dataset_get_skipped (self->dataset) : NULL;
  GtkRoot *root = gtk_widget_get_root (widget);

  if (skipped == NULL || skipped->len == 0)
    return;

  g_autofree char *heading =
    g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Sample Skipped", "%u Samples Skipped", skipped->len),
                     skipped->len);
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                              _("These files were left out of the dataset. Fix them and open "
                                                "the dataset again to include them."));
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < skipped->len; i++)
    {
      const OtterSkippedSample *item = &g_array_index (skipped, OtterSkippedSample, i);
      g_autofree char *base = g_path_get_basename (item->file);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), base);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), item->reason);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
      gtk_widget_set_tooltip_text (row, item->file);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_widget_set_size_request (scroller, 420, -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         OtterDataPage *self)
{
  GFile *file = g_value_get_object (value);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;

  if (path == NULL || self->session == NULL)
    return FALSE;
  otter_session_open_dataset (self->session, path);
  return TRUE;
}

static void
otter_data_page_dispose (GObject *object)
{
  OtterDataPage *self = (OtterDataPage *) object;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->dataset != NULL)
    g_signal_handlers_disconnect_by_data (self->dataset, self);
  if (self->detail_request != NULL)
    otter_thumbnail_request_cancel (g_steal_pointer (&self->detail_request));
  g_cancellable_cancel (self->augment_cancellable);
  g_clear_object (&self->augment_cancellable);
  g_clear_object (&self->detail_sample);
  g_clear_pointer (&self->detail_info, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_DATA_PAGE);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->dataset);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (otter_data_page_parent_class)->dispose (object);
}

static void
otter_data_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  OtterDataPage *self = (OtterDataPage *) object;

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    case PROP_SHOW_AUGMENTED: g_value_set_boolean (value, self->show_augmented); break;
    case PROP_AUGMENTED_SEED: g_value_set_uint64 (value, self->augmented_seed); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_data_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  OtterDataPage *self = (OtterDataPage *) object;

  switch (prop_id)
    {
    case PROP_SESSION: otter_data_page_set_session (self, g_value_get_object (value)); break;
    case PROP_SHOW_AUGMENTED: set_show_augmented (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_data_page_class_init (OtterDataPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_data_page_dispose;
  object_class->get_property = otter_data_page_get_property;
  object_class->set_property = otter_data_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OTTER_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The detail view shows the sample as the training loader augments it. */
  properties[PROP_SHOW_AUGMENTED] =
    g_param_spec_boolean ("show-augmented", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The draw on screen (the seed of OtterAugmentRecord), 0 for the plain image. */
  properties[PROP_AUGMENTED_SEED] =
    g_param_spec_uint64 ("augmented-seed", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* keeps the bundle in static links, such as the page's own test */
  (void) otter_get_resource ();
  g_type_ensure (OTTER_TYPE_SAMPLE);
  g_type_ensure (OTTER_TYPE_THUMBNAIL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-data-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, skipped_revealer);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, skipped_label);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, class_list);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, grid);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, detail_subtitle);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, detail_bin);
  gtk_widget_class_bind_template_callback (widget_class, class_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, grid_activate_cb);

  gtk_widget_class_install_action (widget_class, "data.show-skipped", NULL, show_skipped_action);
  gtk_widget_class_install_action (widget_class, "data.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "data.previous", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "data.next", NULL, step_action);
  gtk_widget_class_install_property_action (widget_class, "data.show-augmented", "show-augmented");
  gtk_widget_class_install_action (widget_class, "data.redraw", NULL, redraw_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "data.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "data.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "data.next", NULL);
}

static void
otter_data_page_init (OtterDataPage *self)
{
  GtkDropTarget *drop;
  GtkSingleSelection *selection;

  ensure_css ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* not a bound child: AdwBin unparents its own child on dispose */
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));

  self->filter_class = -1;
  self->augment_seed = 1;
  self->filter = gtk_custom_filter_new (sample_has_class, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->filter)));
  g_signal_connect_object (self->filter_model, "items-changed", G_CALLBACK (update_summary), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_grid_view_set_model (self->grid,
                           GTK_SELECTION_MODEL (selection));

  self->detail_view = OTTER_IMAGE_VIEW (otter_image_view_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->detail_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Selected image with its boxes"), -1);
  adw_bin_set_child (self->detail_bin, GTK_WIDGET (self->detail_view));

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.redraw", FALSE);
  update_skipped (self);
  update_detail_actions (self);
  update_state (self);
}

OtterSession *
otter_data_page_get_session (OtterDataPage *self)
{
  g_return_val_if_fail (OTTER_IS_DATA_PAGE (self), NULL);
  return self->session;
}

void
otter_data_page_set_session (OtterDataPage *self,
                             OtterSession  *session)
{
  g_return_if_fail (OTTER_IS_DATA_PAGE (self));
  g_return_if_fail (session == NULL || OTTER_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::dataset", G_CALLBACK (session_dataset_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::busy", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
      /* the augmented view follows the model's input size */
      g_signal_connect_object (session, "notify::model", G_CALLBACK (session_model_cb), self, G_CONNECT_SWAPPED);
    }
  set_dataset (self, session ? otter_session_get_dataset (session) : NULL);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

GListModel *
otter_data_page_get_visible_samples (OtterDataPage *self)
{
  g_return_val_if_fail (OTTER_IS_DATA_PAGE (self), NULL);
  return G_LIST_MODEL (self->filter_model);
}

void
otter_data_page_set_class_filter (OtterDataPage *self,
                                  int            class_id)
{
  g_return_if_fail (OTTER_IS_DATA_PAGE (self));

  /* through the sidebar, so the selection shows what is filtered */
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->class_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "otter-class-id")) == class_id)
      {
        gtk_list_box_select_row (self->class_list, GTK_LIST_BOX_ROW (row));
        return;
      }
  apply_filter (self, -1);
}

int
otter_data_page_get_class_filter (OtterDataPage *self)
{
  g_return_val_if_fail (OTTER_IS_DATA_PAGE (self), -1);
  return self->filter_class;
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
  set_detail_sample (self, sample);
  gtk_label_set_label (self->detail_title, otter_sample_get_display_name (sample));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_title), otter_sample_get_image_path (sample));
  gtk_selection_model_select_item (gtk_grid_view_get_model (self->grid), position, TRUE);
  gtk_stack_set_visible_child_name (self->view_stack, "detail");
  update_detail_actions (self);
}

gboolean
otter_data_page_get_skipped_revealed (OtterDataPage *self)
{
  g_return_val_if_fail (OTTER_IS_DATA_PAGE (self), FALSE);
  return gtk_revealer_get_reveal_child (self->skipped_revealer);
}
