/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-model-page-create.c: the Model page's form for a new model: the
 * architecture rows, the ImageNet-pretrained switch, and the progress row
 * that follows the weights' download and the model's building */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-model-page-private.h"
#include "otter-weights.h"

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

/* ---- the form ----------------------------------------------------------- */

void
otter_model_page_update_create (OtterModelPage *self)
{
  OtterDataset *dataset = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  gboolean has_model = otter_page_get_session (OTTER_PAGE (self)) && otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) != NULL;
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

void
otter_model_page_end_create (OtterModelPage *self)
{
  gboolean had_focus = gtk_widget_has_focus (self->progress_cancel_button);

  g_clear_object (&self->create_cancellable);
  gtk_spinner_set_spinning (self->progress_spinner, FALSE);
  gtk_widget_set_visible (self->progress_group, FALSE);
  otter_model_page_update_create (self);
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
      otter_model_page_end_create (self);
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
  otter_session_create_model_async (otter_page_get_session (OTTER_PAGE (self)), request->arch, request->input_size, weights,
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

  if (self == NULL || otter_page_get_session (OTTER_PAGE (self)) == NULL)
    {
      create_request_free (request);
      return;
    }
  if (path == NULL)
    {
      otter_model_page_end_create (self);
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
  if (otter_page_get_session (OTTER_PAGE (self)) == NULL || self->create_cancellable != NULL)
    return;
  if (!gtk_switch_get_active (self->pretrained_switch))
    imagenet = NULL;

  show_create_error (self, NULL);
  self->create_cancellable = g_cancellable_new ();
  CreateRequest *request = create_request_new (self, arch, size, imagenet);
  otter_model_page_update_create (self);
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
  otter_model_page_end_create (self);
}

void
otter_model_page_class_init_create (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "model.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "model.cancel-create", NULL, cancel_create_action);
}

void
otter_model_page_init_create (OtterModelPage *self)
{
  const char *const *archs = otter_torch_model_archs ();
  for (guint i = 0; archs[i] != NULL; i++)
    {
      int info = arch_info_find (archs[i]);
      gtk_string_list_append (self->arch_model, info >= 0 ? _(arch_info[info].name) : archs[i]);
    }
  adw_combo_row_set_selected (self->arch_row, 0);
  g_signal_connect_swapped (self->arch_row, "notify::selected", G_CALLBACK (update_arch_rows), self);
  update_arch_rows (self);
}
