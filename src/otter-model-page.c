/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-model-page.c: the Model page */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "otter-export.h"
#include "otter-model-page.h"
#include "otter-weights.h"

/* Epochs listed in the history table; older ones are summarised. */
#define HISTORY_ROWS 12

struct _OtterModelPage
{
  AdwBin           parent_instance;
  OtterSession    *session;
  gulong           session_handlers[3];
  char            *error_message;
  gboolean         creating;    /* replacing an existing model */
  GCancellable    *create_cancellable;  /* a model being made; NULL when none is */
  GCancellable    *lookup_cancellable;  /* the cache lookup behind the pretrained row */
  GtkNativeDialog *chooser;
  guint            n_exporting;

  GtkStack        *stack;
  AdwStatusPage   *create_status;
  GtkWidget       *form_group;
  AdwComboRow     *arch_row;
  GtkStringList   *arch_model;
  AdwActionRow    *pretrained_row;
  GtkSwitch       *pretrained_switch;
  GtkWidget       *progress_group;
  AdwActionRow    *progress_row;
  GtkSpinner      *progress_spinner;
  GtkProgressBar  *progress_bar;
  GtkWidget       *progress_cancel_button;
  GtkSpinButton   *input_size_spin;
  AdwActionRow    *classes_source_row;
  GtkLabel        *create_error_label;
  GtkWidget       *create_button;
  GtkWidget       *cancel_create_button;
  AdwStatusPage   *error_status;
  GtkLabel        *title_label;
  GtkLabel        *subtitle_label;
  AdwActionRow    *arch_info_row;
  AdwActionRow    *backbone_row;
  AdwActionRow    *params_row;
  AdwActionRow    *input_row;
  AdwActionRow    *path_row;
  GtkFlowBox      *classes_box;
  GtkWidget       *training_group;
  AdwActionRow    *method_row;
  AdwActionRow    *final_row;
  AdwActionRow    *val_row;
  GtkWidget       *history_group;
  GtkGrid         *history_grid;
  GtkLabel        *description_label;
  GtkLabel        *export_label;
};

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterModelPage, otter_model_page, ADW_TYPE_BIN)

/* What the combo row says about each of the engine's architectures; one
 * the table does not know is listed by its id. */
static const struct
{
  const char *arch;
  const char *name;
  const char *blurb;
  int         download_mb;   /* the ImageNet file, for the download notice */
} arch_info[] = {
  { "tiny", N_("Tiny"), N_("The demo's detector: fastest to train, for small images"), 0 },
  { "small", N_("Small"), N_("Residual; for photos, trained from scratch"), 0 },
  { "resnet18", N_("ResNet-18"), N_("torchvision's backbone: slower, can start from ImageNet"), 45 },
  { "mobilenet_v3_large", N_("MobileNetV3-Large"),
    N_("torchvision's mobile backbone: slower, can start from ImageNet"), 21 },
};

static int
arch_info_find (const char *arch)
{
  for (guint i = 0; i < G_N_ELEMENTS (arch_info); i++)
    if (g_strcmp0 (arch_info[i].arch, arch) == 0)
      return (int) i;
  return -1;
}

static const char *
selected_arch (OtterModelPage *self)
{
  const char *const *archs = otter_torch_model_archs ();
  guint selected = adw_combo_row_get_selected (self->arch_row);
  guint n = g_strv_length ((char **) archs);
  return selected < n ? archs[selected] : archs[0];
}

/* "ImageNet (resnet18-f37072fd.pth)" when the backbone started from
 * torchvision's file for its architecture. */
static char *
describe_backbone_init (OtterModel *model)
{
  const char *file = otter_model_get_backbone_init (model, NULL);
  const char *imagenet = otter_torch_arch_imagenet_name (otter_model_get_arch (model));

  if (file == NULL)
    return g_strdup (_("Random"));
  if (imagenet != NULL)
    {
      g_autoptr (OtterWeightsSource) source = otter_weights_resolve (imagenet, NULL);
      if (source != NULL && g_str_equal (source->file, file))
        return g_strdup_printf (_("ImageNet (%s)"), file);
    }
  return g_strdup (file);
}

/* "1 234 567" with the locale's thousands separator */
static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%'" G_GINT64_FORMAT, n);
}

static char *
format_params (gint64 n)
{
  g_autofree char *exact = format_count (n);
  if (n >= 1000000)
    /* Translators: parameter count, exact then rounded to millions */
    return g_strdup_printf (_("%s (%.1f M)"), exact, n / 1e6);
  if (n >= 1000)
    return g_strdup_printf (_("%s (%.0f k)"), exact, n / 1e3);
  return g_steal_pointer (&exact);
}

/* A value label at the end of a row, like a property list. */
static void
row_set_value (AdwActionRow *row, const char *value)
{
  GtkLabel *label = g_object_get_data (G_OBJECT (row), "otter-value");
  if (label == NULL)
    {
      label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_selectable (label, TRUE);
      gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_xalign (label, 1);
      gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (label), "numeric");
      adw_action_row_add_suffix (row, GTK_WIDGET (label));
      g_object_set_data (G_OBJECT (row), "otter-value", label);
    }
  gtk_label_set_label (label, value);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), value);
}

static void
clear_container (GtkWidget *box)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_FLOW_BOX (box))
        gtk_flow_box_remove (GTK_FLOW_BOX (box), child);
      else
        gtk_grid_remove (GTK_GRID (box), child);
    }
}

static GtkWidget *
cell (const char *text, gboolean heading, float xalign)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_widget_add_css_class (label, heading ? "heading" : "numeric");
  return label;
}

static char *
format_number (JsonObject *o, const char *name, int digits)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n) || !JSON_NODE_HOLDS_VALUE (n))
    return g_strdup ("—");
  return g_strdup_printf ("%.*f", digits, json_node_get_double (n));
}

static void
update_history (OtterModelPage *self, OtterModel *model)
{
  const char *metadata = otter_model_get_metadata (model);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *meta = NULL;
  JsonObject *config = NULL;
  JsonArray *history = NULL;

  clear_container (GTK_WIDGET (self->history_grid));
  if (metadata != NULL)
    root = json_from_string (metadata, NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      meta = json_node_get_object (root);
      if (json_object_has_member (meta, "config") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (meta, "config")))
        config = json_object_get_object_member (meta, "config");
      if (json_object_has_member (meta, "history") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (meta, "history")))
        history = json_object_get_array_member (meta, "history");
    }

  guint n_epochs = history ? json_array_get_length (history) : 0;
  gtk_widget_set_visible (self->training_group, TRUE);
  if (meta == NULL)
    {
      row_set_value (self->method_row, _("Untrained"));
      row_set_value (self->final_row, "—");
      row_set_value (self->val_row, "—");
    }
  else
    {
      const char *method = config ? json_object_get_string_member_with_default (config, "method", NULL) : NULL;
      g_autofree char *method_text = NULL;
      if (method != NULL && config != NULL && g_str_equal (method, "ot"))
        method_text = g_strdup_printf (_("Optimal transport, ε %.4f, %u epochs"),
                                       json_object_get_double_member_with_default (config, "epsilon", 0), n_epochs);
      else if (method != NULL && config != NULL && g_str_equal (method, "pgd"))
        method_text = g_strdup_printf (_("PGD adversarial, ε %.4f, %u epochs"),
                                       json_object_get_double_member_with_default (config, "epsilon", 0), n_epochs);
      else if (method != NULL)
        method_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u epoch", "%s, %u epochs", n_epochs),
                                       method, n_epochs);
      else
        method_text = g_strdup (_("Unknown"));
      g_autofree char *final_loss = format_number (meta, "final_loss", 4);
      g_autofree char *val = format_number (meta, "val_map50", 3);
      row_set_value (self->method_row, method_text);
      row_set_value (self->final_row, final_loss);
      row_set_value (self->val_row, val);
    }

  gtk_widget_set_visible (self->history_group, n_epochs > 0);
  if (n_epochs == 0)
    return;
  gtk_grid_attach (self->history_grid, cell (_("Epoch"), TRUE, 0), 0, 0, 1, 1);
  gtk_grid_attach (self->history_grid, cell (_("Loss"), TRUE, 1), 1, 0, 1, 1);
  gtk_grid_attach (self->history_grid, cell (_("Val mAP@0.5"), TRUE, 1), 2, 0, 1, 1);
  int row = 1;
  guint first = n_epochs > HISTORY_ROWS ? n_epochs - HISTORY_ROWS : 0;
  if (first > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u earlier epoch not shown",
                                                            "%u earlier epochs not shown", first), first);
      GtkWidget *label = cell (text, FALSE, 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->history_grid, label, 0, row++, 3, 1);
    }
  for (guint i = first; i < n_epochs; i++)
    {
      JsonNode *node = json_array_get_element (history, i);
      JsonObject *e = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      if (e == NULL)
        continue;
      g_autofree char *epoch = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                json_object_get_int_member_with_default (e, "epoch", i + 1));
      g_autofree char *loss = format_number (e, "loss", 4);
      g_autofree char *map = format_number (e, "val_map50", 3);
      gtk_grid_attach (self->history_grid, cell (epoch, FALSE, 0), 0, row, 1, 1);
      gtk_grid_attach (self->history_grid, cell (loss, FALSE, 1), 1, row, 1, 1);
      gtk_grid_attach (self->history_grid, cell (map, FALSE, 1), 2, row, 1, 1);
      row++;
    }
}

static void
update_model (OtterModelPage *self)
{
  OtterModel *model = self->session ? otter_session_get_model (self->session) : NULL;

  if (model == NULL)
    return;

  const char *arch = otter_model_get_arch (model);
  g_autofree char *label = otter_model_dup_label (model);
  g_autofree char *params = format_params (otter_model_get_n_params (model));
  g_autofree char *input = g_strdup_printf (_("%d × %d px"), otter_model_get_input_size (model),
                                            otter_model_get_input_size (model));
  guint n_classes = otter_model_get_n_classes (model);
  const char *path = otter_model_get_path (model);
  g_autofree char *basename = path ? g_path_get_basename (path) : NULL;
  g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%s · %u class · %s parameters",
                                                            "%s · %u classes · %s parameters", n_classes),
                                               basename ? basename : _("Not saved"), n_classes, params);

  gtk_label_set_label (self->title_label, label);
  gtk_label_set_label (self->subtitle_label, subtitle);
  g_autofree char *backbone = describe_backbone_init (model);
  row_set_value (self->arch_info_row, arch);
  row_set_value (self->backbone_row, backbone);
  row_set_value (self->params_row, params);
  row_set_value (self->input_row, input);
  row_set_value (self->path_row, path ? path : _("Not saved yet"));

  clear_container (GTK_WIDGET (self->classes_box));
  const char *const *names = otter_model_get_class_names (model);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget *name = gtk_label_new (names[i]);
      gtk_widget_set_margin_top (name, 4);
      gtk_widget_set_margin_bottom (name, 4);
      gtk_widget_set_margin_start (name, 12);
      gtk_widget_set_margin_end (name, 12);
      gtk_box_append (GTK_BOX (chip), name);
      gtk_widget_add_css_class (chip, "card");
      gtk_widget_set_halign (chip, GTK_ALIGN_START);
      gtk_flow_box_append (self->classes_box, chip);
    }

  const char *description = otter_model_get_description (model);
  gtk_label_set_label (self->description_label, description ? description : "");
  update_history (self, model);
}

static void
update_create (OtterModelPage *self)
{
  OtterDataset *dataset = self->session ? otter_session_get_dataset (self->session) : NULL;
  gboolean has_model = self->session && otter_session_get_model (self->session) != NULL;
  guint n = dataset ? otter_dataset_get_n_classes (dataset) : 0;

  if (n > 0)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) otter_dataset_get_class_names (dataset));
      adw_action_row_set_subtitle (self->classes_source_row, joined);
    }
  else
    adw_action_row_set_subtitle (self->classes_source_row,
                                 _("Open a dataset with labelled boxes first"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "model.create", n > 0 && self->create_cancellable == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "model.cancel-create", self->create_cancellable != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "model.export", has_model && self->n_exporting == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "model.export-to", has_model && self->n_exporting == 0);
  gtk_widget_set_sensitive (self->form_group, self->create_cancellable == NULL);
  gtk_widget_set_visible (self->cancel_create_button, has_model);
  adw_status_page_set_title (self->create_status, has_model ? _("New Model") : _("No Model"));
}

static void
update_page (OtterModelPage *self)
{
  gboolean has_model = self->session && otter_session_get_model (self->session) != NULL;
  const char *page;

  update_create (self);
  if (self->error_message != NULL)
    page = "error";
  else if (has_model && !self->creating)
    page = "model";
  else
    page = "create";
  gtk_stack_set_visible_child_name (self->stack, page);
}

static void
model_changed_cb (OtterModelPage *self)
{
  g_clear_pointer (&self->error_message, g_free);
  self->creating = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->export_label), FALSE);
  update_model (self);
  update_page (self);
}

static void
session_error_cb (OtterModelPage *self, const char *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  adw_status_page_set_description (self->error_status, message);
  update_page (self);
}

/* ---- the architecture and its pretrained backbone ---------------------- */

static void
lookup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr (OtterModelPage) self = g_weak_ref_get (ref);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  g_autofree char *path = g_task_propagate_pointer (G_TASK (result), NULL);

  g_weak_ref_clear (ref);
  g_free (ref);
  /* a page that went away, or an architecture chosen since */
  if (self == NULL || cancellable != self->lookup_cancellable)
    return;
  g_clear_object (&self->lookup_cancellable);

  g_autofree char *subtitle = NULL;
  if (path != NULL)
    subtitle = g_strdup_printf (_("Already in PyTorch's cache at %s"), path);
  else
    {
      g_autofree char *dir = otter_weights_dup_cache_dir ();
      int info = arch_info_find (selected_arch (self));
      int mb = info >= 0 ? arch_info[info].download_mb : 0;
      if (mb > 0)
        /* Translators: the size in megabytes, then a folder */
        subtitle = g_strdup_printf (_("Will be downloaded, about %d MB, into %s"), mb, dir);
      else
        subtitle = g_strdup_printf (_("Will be downloaded into %s"), dir);
    }
  adw_action_row_set_subtitle (self->pretrained_row, subtitle);
}

static void
lookup_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  /* a stat of the cache, which may be on a slow disk */
  g_task_return_pointer (task, otter_weights_find (task_data, NULL), g_free);
}

/* The combo row explains the choice; the pretrained row says whether the
 * choice has ImageNet weights and where they are. */
static void
update_arch_rows (OtterModelPage *self)
{
  const char *arch = selected_arch (self);
  const char *imagenet = otter_torch_arch_imagenet_name (arch);
  int info = arch_info_find (arch);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->arch_row), info >= 0 ? _(arch_info[info].blurb) : "");
  gtk_widget_set_sensitive (GTK_WIDGET (self->pretrained_row), imagenet != NULL);

  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  if (imagenet == NULL)
    {
      adw_action_row_set_subtitle (self->pretrained_row,
                                   _("Only the torchvision backbones, ResNet-18 and MobileNetV3-Large, come pretrained"));
      return;
    }
  adw_action_row_set_subtitle (self->pretrained_row, _("Looking in PyTorch's cache…"));
  self->lookup_cancellable = g_cancellable_new ();
  GWeakRef *ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  g_autoptr (GTask) task = g_task_new (NULL, self->lookup_cancellable, lookup_done_cb, ref);
  g_task_set_source_tag (task, update_arch_rows);
  /* the answer is wanted even when a newer one supersedes it: the
   * callback drops it, and frees the reference */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_strdup (imagenet), g_free);
  g_task_run_in_thread (task, lookup_thread);
}

/* ---- creating a model --------------------------------------------------- */

typedef struct
{
  GWeakRef      page;
  GCancellable *cancellable;   /* tells this request from a newer one */
  char         *arch;
  int           input_size;
  char         *imagenet;      /* the weights asked for, or NULL */
  char         *file;          /* their file name */
} CreateRequest;

static CreateRequest *
create_request_new (OtterModelPage *self, const char *arch, int input_size, const char *imagenet)
{
  CreateRequest *request = g_new0 (CreateRequest, 1);
  g_weak_ref_init (&request->page, self);
  request->cancellable = g_object_ref (self->create_cancellable);
  request->arch = g_strdup (arch);
  request->input_size = input_size;
  request->imagenet = g_strdup (imagenet);
  if (imagenet != NULL)
    {
      g_autoptr (OtterWeightsSource) weights = otter_weights_resolve (imagenet, NULL);
      request->file = g_strdup (weights ? weights->file : imagenet);
    }
  return request;
}

static void
create_request_free (gpointer data)
{
  CreateRequest *request = data;
  g_weak_ref_clear (&request->page);
  g_clear_object (&request->cancellable);
  g_free (request->arch);
  g_free (request->imagenet);
  g_free (request->file);
  g_free (request);
}

/* The page if the request is still the current one, else NULL. */
static OtterModelPage *
create_request_dup_page (CreateRequest *request)
{
  OtterModelPage *self = g_weak_ref_get (&request->page);
  if (self != NULL && self->create_cancellable != request->cancellable)
    g_clear_object (&self);
  return self;
}

/* The viewport scrolls to the focus where it was last laid out: wait for
 * the row's first allocation. */
static gboolean
focus_when_allocated_cb (GtkWidget     *widget,
                         GdkFrameClock *clock,
                         gpointer       user_data)
{
  if (!gtk_widget_get_mapped (widget))
    return G_SOURCE_REMOVE;
  if (gtk_widget_get_width (widget) == 0)
    return G_SOURCE_CONTINUE;
  gtk_widget_grab_focus (widget);
  return G_SOURCE_REMOVE;
}

static void
show_progress (OtterModelPage *self,
               const char     *title,
               const char     *subtitle,
               double          fraction)   /* < 0: no bar, a spinner */
{
  gboolean bar = fraction >= 0;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->progress_row), title);
  adw_action_row_set_subtitle (self->progress_row, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), bar);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_spinner), !bar);
  gtk_spinner_set_spinning (self->progress_spinner, !bar);
  if (bar)
    gtk_progress_bar_set_fraction (self->progress_bar, MIN (fraction, 1.0));
  if (!gtk_widget_get_visible (self->progress_group))
    {
      gtk_widget_set_visible (self->progress_group, TRUE);
      /* Create went insensitive; focus on Cancel also scrolls the row into
       * view on a short window */
      gtk_widget_add_tick_callback (self->progress_cancel_button, focus_when_allocated_cb, NULL, NULL);
    }
}

static void
show_create_error (OtterModelPage *self,
                   const char     *message)
{
  gtk_label_set_label (self->create_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->create_error_label), message != NULL);
}

static void
end_create (OtterModelPage *self)
{
  gboolean had_focus = gtk_widget_has_focus (self->progress_cancel_button);

  g_clear_object (&self->create_cancellable);
  gtk_spinner_set_spinning (self->progress_spinner, FALSE);
  gtk_widget_set_visible (self->progress_group, FALSE);
  update_create (self);
  if (had_focus)
    gtk_widget_grab_focus (self->create_button);
}

static void
model_created_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CreateRequest *request = user_data;
  g_autoptr (OtterModelPage) self = create_request_dup_page (request);
  g_autoptr (GError) error = NULL;
  gboolean ok = otter_session_create_model_finish (OTTER_SESSION (source), result, &error);

  if (self != NULL)
    {
      end_create (self);
      if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = NULL;
          /* a damaged cached file stays damaged until it is replaced */
          if (request->imagenet != NULL &&
              (g_error_matches (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_CORRUPT) ||
               g_error_matches (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_NOT_A_MODEL) ||
               g_error_matches (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_ARCHITECTURE)))
            {
              g_autoptr (OtterWeightsSource) weights = otter_weights_resolve (request->imagenet, NULL);
              if (weights != NULL)
                /* Translators: an error about the weights file, then where it comes from */
                message = g_strdup_printf (_("%s; delete it to download it again from %s"),
                                           error->message, weights->url);
            }
          show_create_error (self, message ? message : error->message);
        }
    }
  create_request_free (request);
}

static void
build_model (OtterModelPage *self,
             CreateRequest  *request,
             const char     *weights)
{
  int info = arch_info_find (request->arch);
  const char *name = info >= 0 ? _(arch_info[info].name) : request->arch;
  g_autofree char *title = g_strdup_printf (_("Building the %s Model…"), name);

  show_progress (self, title,
                 weights ? _("Loading the ImageNet weights into its backbone") : _("Laying out its layers"), -1);
  otter_session_create_model_async (self->session, request->arch, request->input_size, weights,
                                    request->cancellable, model_created_cb, request);
}

static void
weights_progress_cb (goffset  done,
                     goffset  total,
                     gpointer user_data)
{
  CreateRequest *request = user_data;
  g_autoptr (OtterModelPage) self = create_request_dup_page (request);

  if (self == NULL)
    return;
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *subtitle = NULL;
  if (total > 0)
    {
      g_autofree char *total_text = g_format_size (total);
      /* Translators: a file name, then the bytes downloaded so far of the
       * whole, "resnet18-f37072fd.pth · 12.3 MB of 44.7 MB" */
      subtitle = g_strdup_printf (_("%s · %s of %s"), request->file, done_text, total_text);
    }
  else
    subtitle = g_strdup_printf ("%s · %s", request->file, done_text);
  show_progress (self, _("Downloading"), subtitle, total > 0 ? (double) done / total : 0);
  /* a server that announced no size: the bar still shows bytes coming */
  if (total <= 0)
    gtk_progress_bar_pulse (self->progress_bar);
}

static void
weights_ready_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CreateRequest *request = user_data;
  g_autoptr (OtterModelPage) self = create_request_dup_page (request);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = otter_weights_fetch_finish (result, &error);

  if (self == NULL || self->session == NULL)
    {
      create_request_free (request);
      return;
    }
  if (path == NULL)
    {
      end_create (self);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_create_error (self, error->message);
      create_request_free (request);
      return;
    }
  build_model (self, request, path);
}

static void
create_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (widget);
  const char *arch = selected_arch (self);
  const char *imagenet = otter_torch_arch_imagenet_name (arch);
  int size = gtk_spin_button_get_value_as_int (self->input_size_spin);

  size = MAX (32, (size + 16) / 32 * 32);
  if (self->session == NULL || self->create_cancellable != NULL)
    return;
  if (!gtk_switch_get_active (self->pretrained_switch))
    imagenet = NULL;

  show_create_error (self, NULL);
  self->create_cancellable = g_cancellable_new ();
  CreateRequest *request = create_request_new (self, arch, size, imagenet);
  update_create (self);
  if (imagenet == NULL)
    {
      build_model (self, request, NULL);
      return;
    }
  /* In the cache the file is found at once (on the fetch's thread, so the
   * page never waits on the disk); otherwise the progress row follows the
   * download. */
  g_autoptr (OtterWeightsSource) weights = otter_weights_resolve (imagenet, NULL);
  /* Translators: a file name, then the URL it is downloaded from */
  g_autofree char *where = g_strdup_printf (_("%s, in PyTorch's cache or from %s"), request->file,
                                            weights ? weights->url : OTTER_WEIGHTS_DEFAULT_BASE_URL);
  show_progress (self, _("Looking for the Weights"), where, -1);
  CreateRequest *progress = create_request_new (self, arch, size, imagenet);
  otter_weights_fetch_async (imagenet, self->create_cancellable, weights_progress_cb, progress,
                             create_request_free, weights_ready_cb, request);
}

static void
cancel_create_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (widget);

  /* the download stops; a model being built is dropped when it is done */
  g_cancellable_cancel (self->create_cancellable);
  end_create (self);
}

/* ---- export for PyTorch ------------------------------------------------- */

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
      update_create (self);
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
  OtterModel *model = self->session ? otter_session_get_model (self->session) : NULL;

  if (model == NULL || path == NULL)
    return;
  ExportRequest *request = g_new0 (ExportRequest, 1);
  g_weak_ref_init (&request->page, self);
  request->path = g_strdup (path);
  self->n_exporting++;
  update_create (self);
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
  OtterModel *model = self->session ? otter_session_get_model (self->session) : NULL;
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

/* ---- the page's states -------------------------------------------------- */

static void
new_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (widget);
  self->creating = TRUE;
  update_page (self);
}

static void
cancel_new_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (widget);
  self->creating = FALSE;
  /* back to the current model: a replacement still on its way is unwanted */
  g_cancellable_cancel (self->create_cancellable);
  end_create (self);
  gtk_widget_set_visible (GTK_WIDGET (self->create_error_label), FALSE);
  update_page (self);
}

static void
dismiss_error_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (widget);
  g_clear_pointer (&self->error_message, g_free);
  update_page (self);
}

static void
otter_model_page_dispose (GObject *object)
{
  OtterModelPage *self = (OtterModelPage *) object;

  otter_model_page_set_session (self, NULL);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  self->stack = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_MODEL_PAGE);
  G_OBJECT_CLASS (otter_model_page_parent_class)->dispose (object);
}

static void
otter_model_page_finalize (GObject *object)
{
  OtterModelPage *self = (OtterModelPage *) object;

  g_free (self->error_message);
  G_OBJECT_CLASS (otter_model_page_parent_class)->finalize (object);
}

static void
otter_model_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OtterModelPage *self = (OtterModelPage *) object;

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_model_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  OtterModelPage *self = (OtterModelPage *) object;

  switch (prop_id)
    {
    case PROP_SESSION: otter_model_page_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_model_page_class_init (OtterModelPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_model_page_dispose;
  object_class->finalize = otter_model_page_finalize;
  object_class->get_property = otter_model_page_get_property;
  object_class->set_property = otter_model_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OTTER_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-model-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, create_status);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, form_group);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, arch_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, arch_model);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, pretrained_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, pretrained_switch);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_group);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, input_size_spin);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, classes_source_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, create_error_label);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, cancel_create_button);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, error_status);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, arch_info_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, backbone_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, params_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, input_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, path_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, classes_box);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, training_group);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, method_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, final_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, val_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, history_group);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, history_grid);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, export_label);

  gtk_widget_class_install_action (widget_class, "model.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "model.cancel-create", NULL, cancel_create_action);
  gtk_widget_class_install_action (widget_class, "model.export", NULL, export_action);
  /* what the export dialog does once a file is chosen; also for tests */
  gtk_widget_class_install_action (widget_class, "model.export-to", "s", export_to_action);
  gtk_widget_class_install_action (widget_class, "model.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "model.cancel-new", NULL, cancel_new_action);
  gtk_widget_class_install_action (widget_class, "model.dismiss-error", NULL, dismiss_error_action);
}

static void
otter_model_page_init (OtterModelPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* AdwBin owns its child: binding it would unparent it twice on dispose */
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));

  const char *const *archs = otter_torch_model_archs ();
  for (guint i = 0; archs[i] != NULL; i++)
    {
      int info = arch_info_find (archs[i]);
      gtk_string_list_append (self->arch_model, info >= 0 ? _(arch_info[info].name) : archs[i]);
    }
  adw_combo_row_set_selected (self->arch_row, 0);
  g_signal_connect_swapped (self->arch_row, "notify::selected", G_CALLBACK (update_arch_rows), self);
  update_arch_rows (self);
  update_page (self);
}

OtterSession *
otter_model_page_get_session (OtterModelPage *self)
{
  g_return_val_if_fail (OTTER_IS_MODEL_PAGE (self), NULL);
  return self->session;
}

void
otter_model_page_set_session (OtterModelPage *self,
                              OtterSession   *session)
{
  g_return_if_fail (OTTER_IS_MODEL_PAGE (self));
  g_return_if_fail (session == NULL || OTTER_IS_SESSION (session));

  if (self->session == session)
    return;
  /* a model for the old session's dataset */
  g_cancellable_cancel (self->create_cancellable);
  g_clear_object (&self->create_cancellable);
  if (self->session != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (self->session_handlers); i++)
      g_clear_signal_handler (&self->session_handlers[i], self->session);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      self->session_handlers[0] = g_signal_connect_swapped (session, "notify::model",
                                                            G_CALLBACK (model_changed_cb), self);
      self->session_handlers[1] = g_signal_connect_swapped (session, "notify::dataset",
                                                            G_CALLBACK (update_page), self);
      self->session_handlers[2] = g_signal_connect_swapped (session, "model-error",
                                                            G_CALLBACK (session_error_cb), self);
    }
  g_clear_pointer (&self->error_message, g_free);
  self->creating = FALSE;
  update_model (self);
  if (self->stack != NULL)
    update_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/* The message shown in the error state, or NULL. */
const char *
otter_model_page_get_error (OtterModelPage *self)
{
  g_return_val_if_fail (OTTER_IS_MODEL_PAGE (self), NULL);
  return self->error_message;
}

/* The name of the visible state: "create", "error" or "model". */
const char *
otter_model_page_get_state (OtterModelPage *self)
{
  g_return_val_if_fail (OTTER_IS_MODEL_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}
