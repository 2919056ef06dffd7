/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-data-page.c: the Data page: the dataset, its thumbnail grid, the
 * class filter and import problems */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-data-page-private.h"
#include "otter-resources.h"
#include "otter-caption.h"
#include "otter-thumbnail.h"

/* The detail view, plain or augmented, lives in otter-data-page-detail.c;
 * they share otter-data-page-private.h. */

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterDataPage, otter_data_page, OTTER_TYPE_PAGE)

/* The few looks the theme has no class for; colours come from it. */
static const char page_css[] =
  ".otter-banner { padding: 6px 12px 6px 18px; min-height: 36px;"
  "  background-color: mix(@warning_bg_color, @window_bg_color, 0.7); color: @window_fg_color; }"
  ".otter-banner button { background-color: alpha(currentColor, 0.1); }"
  ".otter-banner button:hover { background-color: alpha(currentColor, 0.15); }"
  "gridview.otter-thumbnail-grid { padding: 6px 12px 18px 12px; background: none; }"
  "gridview.otter-thumbnail-grid > child { padding: 8px 8px 6px 8px; margin: 2px; border-radius: 12px; }"
  ".otter-class-swatch { min-width: 12px; min-height: 12px; }"
  ".otter-pane-status { padding: 8px 14px; border-radius: 8px;"
  "  background-color: alpha(@window_bg_color, 0.88); color: @window_fg_color; }";

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
  gboolean busy = otter_page_get_session (OTTER_PAGE (self)) != NULL && otter_session_get_busy (otter_page_get_session (OTTER_PAGE (self)));
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
  const GPtrArray *notes = self->dataset ? otter_dataset_get_notes (self->dataset) : NULL;
  guint n = skipped ? skipped->len : 0;
  guint n_notes = notes ? notes->len : 0;
  guint n_outside = self->dataset ? otter_dataset_get_n_outside_root (self->dataset) : 0;
  g_autoptr (GString) text = g_string_new (NULL);

  if (n > 0)
    g_string_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u sample skipped", "%u samples skipped", n), n);
  if (n_outside > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u outside the dataset’s folder",
                                                 "%u outside the dataset’s folder", n_outside), n_outside);
    }
  if (n_notes > 0)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u annotation adjusted",
                                                 "%u annotations adjusted", n_notes), n_notes);
    }
  gtk_label_set_label (self->skipped_label, text->str);
  /* Reloading a dataset that allowed them would change nothing. */
  gtk_widget_set_visible (GTK_WIDGET (self->outside_button), n_outside > 0);
  /* The target first: the window's action takes a path, never nothing. */
  if (n_outside > 0)
    {
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->outside_button),
                                              g_variant_new_string (otter_dataset_get_source (self->dataset)));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->outside_button), "win.read-outside-root");
    }
  gtk_revealer_set_reveal_child (self->skipped_revealer, n + n_notes > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.show-skipped", n + n_notes > 0);
}

/* The "All Images" row counts images, a class's row its boxes: the
 * count says which. */
static GtkWidget *
class_row_new (GtkWidget  *swatch,
               const char *name,
               guint       count,
               int         class_id)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *label = gtk_label_new (name);
  g_autofree char *count_text = class_id < 0
    ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image", "%u images", count), count)
    : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u box", "%u boxes", count), count);
  GtkWidget *count_label = gtk_label_new (count_text);
  g_autofree char *accessible = g_strdup_printf ("%s, %s", name, count_text);

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
          /* A class no box belongs to (a YOLO names list longer than the
           * labels, say) would only be a filter that shows nothing. */
          if (counts != NULL && counts[i] == 0 && (int) i != self->filter_class)
            continue;
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
  otter_data_page_set_detail_sample (self, NULL);
  gtk_stack_set_visible_child_name (self->view_stack, "grid");
  rebuild_classes (self);
  update_summary (self);
  update_skipped (self);
  update_state (self);
}

static void
session_dataset_cb (OtterDataPage *self)
{
  set_dataset (self, otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))));
}

static GtkWidget *
problem_row_new (const char *title,
                 const char *subtitle,
                 const char *tooltip)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  gtk_widget_set_tooltip_text (row, tooltip);
  return row;
}

/* What loading left out, then what it adjusted (notes are "file: what"). */
static void
show_skipped_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  OtterDataPage *self = OTTER_DATA_PAGE (widget);
  const GArray *skipped = self->dataset ? otter_dataset_get_skipped (self->dataset) : NULL;
  const GPtrArray *notes = self->dataset ? otter_dataset_get_notes (self->dataset) : NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  guint n = skipped ? skipped->len : 0, n_notes = notes ? notes->len : 0;

  if (n + n_notes == 0)
    return;

  g_autofree char *heading = n > 0
    ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Sample Skipped", "%u Samples Skipped", n), n)
    : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Annotation Adjusted", "%u Annotations Adjusted", n_notes),
                       n_notes);
  const char *body = n > 0
    ? _("These files were left out of the dataset. Fix them and open the dataset again to include them.")
    : _("These annotations were kept, with the change each describes.");
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < n; i++)
    {
      const OtterSkippedSample *item = &g_array_index (skipped, OtterSkippedSample, i);
      g_autofree char *base = g_path_get_basename (item->file);

      gtk_list_box_append (GTK_LIST_BOX (list), problem_row_new (base, item->reason, item->file));
    }
  for (guint i = 0; i < n_notes; i++)
    {
      const char *note = notes->pdata[i];
      const char *colon = strstr (note, ": ");
      g_autofree char *file = colon ? g_strndup (note, colon - note) : g_strdup (note);
      g_autofree char *base = g_path_get_basename (file);
      /* Translators: the row of an annotation that loading adjusted, as in "a.xml (adjusted)" */
      g_autofree char *title = g_strdup_printf (_("%s (adjusted)"), base);

      gtk_list_box_append (GTK_LIST_BOX (list), problem_row_new (title, note, file));
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

  if (path == NULL || otter_page_get_session (OTTER_PAGE (self)) == NULL)
    return FALSE;
  otter_session_open_dataset (otter_page_get_session (OTTER_PAGE (self)), path);
  return TRUE;
}

void
otter_data_page_notify (OtterDataPage *self,
                        PageProp       prop)
{
  g_assert (prop > PROP_0 && prop < N_PROPS);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
otter_data_page_dispose (GObject *object)
{
  OtterDataPage *self = (OtterDataPage *) object;

  if (self->dataset != NULL)
    g_signal_handlers_disconnect_by_data (self->dataset, self);
  otter_data_page_dispose_detail (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_DATA_PAGE);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->dataset);
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
    case PROP_SHOW_AUGMENTED: g_value_set_boolean (value, self->show_augmented); break;
    case PROP_AUGMENTED_SEED: g_value_set_uint64 (value, self->augmented_seed); break;
    case PROP_SCORE_THRESHOLD: g_value_set_double (value, self->score_threshold); break;
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
    case PROP_SHOW_AUGMENTED: otter_data_page_set_show_augmented (self, g_value_get_boolean (value)); break;
    case PROP_SCORE_THRESHOLD: otter_data_page_set_score_threshold (self, g_value_get_double (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void otter_data_page_session_changed (OtterPage *page, OtterSession *old);

static void
otter_data_page_class_init (OtterDataPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_data_page_dispose;
  object_class->get_property = otter_data_page_get_property;
  object_class->set_property = otter_data_page_set_property;
  OTTER_PAGE_CLASS (klass)->session_changed = otter_data_page_session_changed;

  /* The detail view shows the sample as the training loader augments it. */
  properties[PROP_SHOW_AUGMENTED] =
    g_param_spec_boolean ("show-augmented", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The draw on screen (the seed of OtterAugmentRecord), 0 for the plain image. */
  properties[PROP_AUGMENTED_SEED] =
    g_param_spec_uint64 ("augmented-seed", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The model pane draws the detections scoring at least this. */
  properties[PROP_SCORE_THRESHOLD] =
    g_param_spec_double ("score-threshold", NULL, NULL, OTTER_DETECTIONS_MIN_SCORE, 1.0, 0.3,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* keeps the bundle in static links, such as the page's own test */
  (void) otter_get_resource ();
  g_type_ensure (OTTER_TYPE_SAMPLE);
  g_type_ensure (OTTER_TYPE_THUMBNAIL);
  g_type_ensure (OTTER_TYPE_CAPTION);
  g_type_ensure (OTTER_TYPE_IMAGE_PAIR);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-data-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, skipped_revealer);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, skipped_label);
  gtk_widget_class_bind_template_child (widget_class, OtterDataPage, outside_button);
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

  gtk_widget_class_install_action (widget_class, "data.show-skipped", NULL, show_skipped_action);
  otter_data_page_class_init_detail (widget_class);
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
  self->filter = gtk_custom_filter_new (sample_has_class, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->filter)));
  g_signal_connect_object (self->filter_model, "items-changed", G_CALLBACK (update_summary), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_grid_view_set_model (self->grid,
                           GTK_SELECTION_MODEL (selection));
  otter_data_page_init_detail (self);

  GSignalGroup *session_signals = otter_page_get_session_signals (OTTER_PAGE (self));
  g_signal_group_connect_object (session_signals, "notify::dataset", G_CALLBACK (session_dataset_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "notify::busy", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  /* the augmented view follows the model's input size */
  g_signal_group_connect_object (session_signals, "notify::model", G_CALLBACK (otter_data_page_update_augmented),
                                 self, G_CONNECT_SWAPPED);
  /* and the model pane shows the new model's detections */
  g_signal_group_connect_object (session_signals, "notify::model", G_CALLBACK (otter_data_page_request_predictions),
                                 self, G_CONNECT_SWAPPED);

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  update_skipped (self);
  update_state (self);
}

static void
otter_data_page_session_changed (OtterPage    *page,
                                 OtterSession *old)
{
  OtterDataPage *self = OTTER_DATA_PAGE (page);
  OtterSession *session = otter_page_get_session (page);

  set_dataset (self, session ? otter_session_get_dataset (session) : NULL);
  update_state (self);
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

gboolean
otter_data_page_get_skipped_revealed (OtterDataPage *self)
{
  g_return_val_if_fail (OTTER_IS_DATA_PAGE (self), FALSE);
  return gtk_revealer_get_reveal_child (self->skipped_revealer);
}
