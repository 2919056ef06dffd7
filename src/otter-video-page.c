/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-page.c: the Video page: a clip or camera with the model's detections, clean and attacked */

#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <stdlib.h>

#include "otter-video-page-private.h"

enum
{
  PROP_0,
  PROP_LOCATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterVideoPage, otter_video_page, OTTER_TYPE_PAGE)

/* ---- what is shown ------------------------------------------------------- */

static char *
location_label (gpointer    unused,
                const char *location)
{
  if (location == NULL)
    return g_strdup (_("None"));
  if (g_str_has_prefix (location, "camera:"))
    return g_strdup_printf (_("Camera %s"), location + strlen ("camera:"));
  return g_path_get_basename (location);
}

static void
format_time (char   *buf,
             gsize   len,
             gint64  ns)
{
  if (ns < 0)
    {
      g_strlcpy (buf, "–", len);
      return;
    }
  gint64 tenths = ns / (GST_SECOND / 10);
  g_snprintf (buf, len, "%" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT ".%" G_GINT64_FORMAT,
              tenths / 600, tenths / 10 % 60, tenths % 10);
}

static void
update_stack (OtterVideoPage *self)
{
  const char *error = otter_video_player_get_error (self->player);
  gboolean loading = otter_video_player_get_loading (self->player);

  gtk_spinner_set_spinning (self->loading_spinner, loading);
  if (error != NULL)
    {
      adw_status_page_set_description (self->error_page, error);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else if (loading)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else if (otter_video_player_get_info (self->player) != NULL)
    gtk_stack_set_visible_child_name (self->stack, "content");
  else
    gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
update_model_label (OtterVideoPage *self)
{
  OtterSession *session = otter_page_get_session (OTTER_PAGE (self));
  OtterModel *model = session ? otter_session_get_model (session) : NULL;
  OtterVideoResult *result = otter_video_player_get_result (self->player);

  if (model == NULL)
    gtk_label_set_label (self->model_label, _("No model: create or open one to see detections"));
  else if (result != NULL && result->detect_error != NULL)
    gtk_label_set_label (self->model_label, result->detect_error);
  else
    {
      g_autofree char *label = otter_model_dup_label (model);
      gtk_label_set_label (self->model_label, label);
    }
}

static void
update_counters (OtterVideoPage *self)
{
  g_autofree char *text = g_strdup_printf (_("%.1f frames/s · %llu dropped"),
                                           otter_video_player_get_fps (self->player),
                                           (unsigned long long) otter_video_player_get_n_dropped (self->player));
  gtk_label_set_label (self->fps_label, text);
}

static void
update_play_button (OtterVideoPage *self)
{
  gboolean playing = otter_video_player_get_playing (self->player);

  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), playing ? _("Pause") : _("Play"));
}

static void
update_position (OtterVideoPage *self)
{
  const OtterVideoInfo *info = otter_video_player_get_info (self->player);
  OtterVideoResult *result = otter_video_player_get_result (self->player);
  gint64 pts = result ? result->frame->pts : -1;
  char now[32], total[32];

  format_time (now, sizeof now, pts);
  format_time (total, sizeof total, info ? info->duration : -1);
  g_autofree char *text = NULL;
  if (result != NULL && result->frame->number >= 0)
    text = g_strdup_printf (_("Frame %lld · %s / %s"), (long long) result->frame->number, now, total);
  else
    text = g_strdup_printf ("%s / %s", now, total);
  gtk_label_set_label (self->position_label, text);
  if (pts >= 0)
    gtk_adjustment_set_value (self->position_adjustment, (double) pts / GST_SECOND);
}

static GdkTexture *
texture_from_frame (OtterVideoFrame *frame)
{
  /* the texture keeps the frame's pixels alive instead of copying them */
  g_autoptr (GBytes) bytes = g_bytes_new_with_free_func (frame->pixels, (gsize) frame->stride * frame->height,
                                                         (GDestroyNotify) otter_video_frame_unref,
                                                         otter_video_frame_ref (frame));
  return gdk_memory_texture_new (frame->width, frame->height, GDK_MEMORY_R8G8B8, bytes, frame->stride);
}

static int
show_detections (OtterImageView    *view,
                 OtterVideoFrame   *frame,
                 GArray            *detections,
                 char             **class_names,
                 double             threshold)
{
  g_autoptr (GdkTexture) texture = texture_from_frame (frame);
  g_autoptr (GArray) boxes = g_array_new (FALSE, TRUE, sizeof (OtterViewBox));
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  guint n_names = class_names ? g_strv_length (class_names) : 0;

  otter_image_view_set_texture (view, texture);
  for (guint i = 0; detections != NULL && i < detections->len; i++)
    {
      const OtterTorchDetection *d = &g_array_index (detections, OtterTorchDetection, i);
      if (d->score < threshold)
        continue;
      /* a class the model has no name for is still a detection */
      char *label = d->class_id >= 0 && (guint) d->class_id < n_names
                    ? g_strdup (class_names[d->class_id])
                    : g_strdup_printf (_("class %d"), d->class_id);
      g_ptr_array_add (labels, label);
      OtterViewBox box = { d->x1, d->y1, d->x2, d->y2, d->class_id, label, d->score };
      g_array_append_val (boxes, box);
    }
  otter_image_view_set_boxes (view, (OtterViewBox *) (gpointer) boxes->data, boxes->len);
  return (int) boxes->len;
}

static void
result_changed_cb (OtterVideoPage *self)
{
  OtterVideoResult *result = otter_video_player_get_result (self->player);
  double threshold = gtk_adjustment_get_value (self->threshold_adjustment);

  update_position (self);
  update_model_label (self);
  if (result == NULL)
    {
      otter_image_view_set_texture (self->clean_view, NULL);
      otter_image_view_set_boxes (self->clean_view, NULL, 0);
      otter_image_view_set_texture (self->attacked_view, NULL);
      otter_image_view_set_boxes (self->attacked_view, NULL, 0);
      return;
    }

  int n_clean = show_detections (self->clean_view, result->frame, result->clean, result->class_names, threshold);
  int n_attacked = -1;
  if (result->attacked_frame != NULL)
    n_attacked = show_detections (self->attacked_view, result->attacked_frame, result->attacked,
                                  result->class_names, threshold);
  g_autofree char *clean = result->clean
    ? g_strdup_printf (ngettext ("Clean · %d detection", "Clean · %d detections", n_clean), n_clean)
    : g_strdup (_("Clean"));
  gtk_label_set_label (self->clean_title, clean);
  g_autofree char *attacked = n_attacked >= 0
    ? g_strdup_printf (ngettext ("Attacked · %d detection", "Attacked · %d detections", n_attacked), n_attacked)
    : g_strdup (_("Attacked · waiting for the next frame"));
  gtk_label_set_label (self->attacked_title, attacked);

  if (result->clean != NULL && result->frame->pts >= 0)
    otter_strip_chart_add (self->chart, (double) result->frame->pts / GST_SECOND, n_clean, n_attacked);
}

static void
info_changed_cb (OtterVideoPage *self)
{
  const OtterVideoInfo *info = otter_video_player_get_info (self->player);
  gboolean seekable = info != NULL && info->seekable && info->duration > 0;

  update_stack (self);
  gtk_adjustment_set_upper (self->position_adjustment, seekable ? (double) info->duration / GST_SECOND : 1);
  otter_strip_chart_set_duration (self->chart, seekable ? (double) info->duration / GST_SECOND : 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "video.step-back", seekable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "video.step-forward", seekable);
  otter_video_page_update_export (self);
  update_position (self);
}

/* ---- settings ------------------------------------------------------------ */

gboolean
otter_video_page_get_attack (OtterVideoPage         *self,
                             OtterTorchAttackParams *attack)
{
  guint kind = adw_combo_row_get_selected (self->kind_row);
  float epsilon = (float) (gtk_adjustment_get_value (self->epsilon_adjustment) / 255.0);

  otter_torch_attack_params_init (attack, kind == 1 ? OTTER_ATTACK_FGSM : kind == 2 ? OTTER_ATTACK_PGD
                                                                                     : OTTER_ATTACK_OT);
  attack->epsilon = epsilon;
  attack->ot.epsilon = epsilon;
  attack->ot.step_size = epsilon;
  attack->ot.steps = (int) gtk_adjustment_get_value (self->steps_adjustment);
  attack->ot.space = adw_combo_row_get_selected (self->space_row) == 1 ? OTTER_FEATURE_SPACE_SPATIAL
                                                                        : OTTER_FEATURE_SPACE_BATCH;
  return gtk_switch_get_active (self->attack_switch);
}

static void
settings_changed_cb (OtterVideoPage *self)
{
  OtterTorchAttackParams attack;
  gboolean on = otter_video_page_get_attack (self, &attack);

  /* steps and the feature space are the OT attack's; PGD keeps its own */
  gtk_widget_set_sensitive (GTK_WIDGET (self->space_row), adw_combo_row_get_selected (self->kind_row) == 0);
  otter_video_player_set_attack (self->player, on ? &attack : NULL);
  otter_video_player_set_score_threshold (self->player, gtk_adjustment_get_value (self->threshold_adjustment));
}

static void
window_changed_cb (OtterVideoPage *self)
{
  static const double windows[] = { 10, 30, 0 };
  guint i = MIN (adw_combo_row_get_selected (self->window_row), G_N_ELEMENTS (windows) - 1);

  otter_strip_chart_set_window (self->chart, windows[i]);
}

static void
model_changed_cb (OtterVideoPage *self)
{
  OtterSession *session = otter_page_get_session (OTTER_PAGE (self));

  /* the session outlives a page being disposed with its window */
  if (self->player == NULL)
    return;
  otter_video_player_set_model (self->player, session ? otter_session_get_model (session) : NULL);
  update_model_label (self);
  otter_video_page_update_export (self);
}

/* ---- opening ------------------------------------------------------------- */

void
otter_video_page_open (OtterVideoPage *self,
                       const char     *location)
{
  g_return_if_fail (OTTER_IS_VIDEO_PAGE (self));
  g_return_if_fail (location != NULL);

  otter_strip_chart_clear (self->chart);
  otter_video_player_open (self->player, location);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCATION]);
}

static void
chooser_response_cb (OtterVideoPage       *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        otter_video_page_open (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action,
             GVariant   *parameter)
{
  OtterVideoPage *self = OTTER_VIDEO_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Open a Video"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Videos"));
  gtk_file_filter_add_mime_type (filter, "video/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
use_camera_action (GtkWidget  *widget,
                   const char *action,
                   GVariant   *parameter)
{
  OtterVideoPage *self = OTTER_VIDEO_PAGE (widget);

  if (self->camera != NULL)
    otter_video_page_open (self, self->camera);
}

static void
toggle_play_action (GtkWidget  *widget,
                    const char *action,
                    GVariant   *parameter)
{
  OtterVideoPage *self = OTTER_VIDEO_PAGE (widget);

  otter_video_player_set_playing (self->player, !otter_video_player_get_playing (self->player));
}

static void
step_action (GtkWidget  *widget,
             const char *action,
             GVariant   *parameter)
{
  OtterVideoPage *self = OTTER_VIDEO_PAGE (widget);

  otter_video_player_step (self->player, g_str_equal (action, "video.step-back") ? -1 : 1);
}

static gboolean
scale_change_value_cb (OtterVideoPage *self,
                       GtkScrollType   scroll,
                       double          value,
                       GtkRange       *range)
{
  otter_video_player_seek (self->player, (gint64) (value * GST_SECOND));
  return FALSE;
}

static gboolean
drop_cb (OtterVideoPage *self,
         const GValue   *value,
         double          x,
         double          y)
{
  GSList *files = g_value_get_boxed (value);
  g_autofree char *path = files ? g_file_get_path (files->data) : NULL;

  if (path == NULL)
    return FALSE;
  otter_video_page_open (self, path);
  return TRUE;
}

/* The lowest-numbered /dev/videoN: a camera, or at least a capture device. */
static char *
find_camera (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/dev", 0, NULL);
  const char *name;
  long best = -1;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      char *end;
      if (!g_str_has_prefix (name, "video") || name[5] == '\0')
        continue;
      long n = strtol (name + 5, &end, 10);
      if (*end == '\0' && n >= 0 && (best < 0 || n < best))
        best = n;
    }
  return best >= 0 ? g_strdup_printf ("camera:%ld", best) : NULL;
}

static void
setup_camera (OtterVideoPage *self)
{
  self->camera = find_camera ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "video.use-camera", self->camera != NULL);
  const char *tooltip = self->camera ? _("Use the Camera") : _("No camera was found");
  gtk_widget_set_tooltip_text (self->camera_button, tooltip);
  gtk_widget_set_tooltip_text (self->empty_camera_button, tooltip);
  adw_action_row_set_subtitle (self->camera_row, self->camera ? self->camera + strlen ("camera:")
                                                                : _("No camera was found"));
  if (self->camera != NULL)
    {
      g_autofree char *device = g_strdup_printf ("/dev/video%s", self->camera + strlen ("camera:"));
      adw_action_row_set_subtitle (self->camera_row, device);
    }
}

/* ---- the object ---------------------------------------------------------- */

const char *
otter_video_page_get_location (OtterVideoPage *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PAGE (self), NULL);
  /* the template's bindings ask before init and after dispose too */
  return self->player ? otter_video_player_get_location (self->player) : NULL;
}

OtterVideoPlayer *
otter_video_page_get_player (OtterVideoPage *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PAGE (self), NULL);
  return self->player;
}

gint64
otter_video_page_get_frame_number (OtterVideoPage *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PAGE (self), -1);
  OtterVideoResult *result = otter_video_player_get_result (self->player);
  return result ? result->frame->number : -1;
}

static void
otter_video_page_session_changed (OtterPage    *page,
                                  OtterSession *old)
{
  model_changed_cb (OTTER_VIDEO_PAGE (page));
}

static void
otter_video_page_dispose (GObject *object)
{
  OtterVideoPage *self = OTTER_VIDEO_PAGE (object);

  /* the worker winds down on its own; nothing of it reaches the page */
  if (self->player != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      otter_video_player_close (self->player);
    }
  g_clear_object (&self->player);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  otter_video_page_dispose_export (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_VIDEO_PAGE);
  G_OBJECT_CLASS (otter_video_page_parent_class)->dispose (object);
}

static void
otter_video_page_finalize (GObject *object)
{
  OtterVideoPage *self = OTTER_VIDEO_PAGE (object);

  g_free (self->camera);
  G_OBJECT_CLASS (otter_video_page_parent_class)->finalize (object);
}

static void
otter_video_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OtterVideoPage *self = OTTER_VIDEO_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOCATION: g_value_set_string (value, otter_video_page_get_location (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_video_page_class_init (OtterVideoPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  OtterPageClass *page_class = OTTER_PAGE_CLASS (klass);

  object_class->dispose = otter_video_page_dispose;
  object_class->finalize = otter_video_page_finalize;
  object_class->get_property = otter_video_page_get_property;
  page_class->session_changed = otter_video_page_session_changed;

  properties[PROP_LOCATION] =
    g_param_spec_string ("location", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (OTTER_TYPE_IMAGE_VIEW);
  g_type_ensure (OTTER_TYPE_STRIP_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-video-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, stack);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, empty_camera_button);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, camera_button);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, camera_row);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, threshold_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, epsilon_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, steps_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, position_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, window_row);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, kind_row);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, space_row);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, attack_switch);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, model_label);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, fps_label);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, clean_title);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, attacked_title);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, position_label);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, clean_view);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, attacked_view);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, play_button);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, chart);
  gtk_widget_class_bind_template_callback (widget_class, location_label);
  gtk_widget_class_bind_template_callback (widget_class, scale_change_value_cb);

  gtk_widget_class_install_action (widget_class, "video.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "video.use-camera", NULL, use_camera_action);
  gtk_widget_class_install_action (widget_class, "video.toggle-play", NULL, toggle_play_action);
  gtk_widget_class_install_action (widget_class, "video.step-back", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "video.step-forward", NULL, step_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "video.toggle-play", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, 0, "video.step-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, 0, "video.step-forward", NULL);
  otter_video_page_class_init_export (widget_class);
}

static void
otter_video_page_init (OtterVideoPage *self)
{
  self->player = otter_video_player_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->player, "notify::loading", G_CALLBACK (update_stack), self);
  g_signal_connect_swapped (self->player, "notify::error", G_CALLBACK (update_stack), self);
  g_signal_connect_swapped (self->player, "notify::info", G_CALLBACK (info_changed_cb), self);
  g_signal_connect_swapped (self->player, "notify::result", G_CALLBACK (result_changed_cb), self);
  g_signal_connect_swapped (self->player, "notify::playing", G_CALLBACK (update_play_button), self);
  g_signal_connect_swapped (self->player, "notify::fps", G_CALLBACK (update_counters), self);
  g_signal_connect_swapped (self->player, "notify::n-dropped", G_CALLBACK (update_counters), self);

  GSignalGroup *session_signals = otter_page_get_session_signals (OTTER_PAGE (self));
  g_signal_group_connect_object (session_signals, "notify::model", G_CALLBACK (model_changed_cb),
                                 self, G_CONNECT_SWAPPED);

  GtkAdjustment *settings[] = { self->threshold_adjustment, self->epsilon_adjustment, self->steps_adjustment };
  for (guint k = 0; k < G_N_ELEMENTS (settings); k++)
    g_signal_connect_swapped (settings[k], "value-changed", G_CALLBACK (settings_changed_cb), self);
  g_signal_connect_swapped (self->kind_row, "notify::selected", G_CALLBACK (settings_changed_cb), self);
  g_signal_connect_swapped (self->space_row, "notify::selected", G_CALLBACK (settings_changed_cb), self);
  g_signal_connect_swapped (self->attack_switch, "notify::active", G_CALLBACK (settings_changed_cb), self);
  g_signal_connect_swapped (self->window_row, "notify::selected", G_CALLBACK (window_changed_cb), self);

  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_swapped (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  otter_video_page_init_export (self);
  setup_camera (self);
  settings_changed_cb (self);
  window_changed_cb (self);
  update_stack (self);
  update_counters (self);
  update_play_button (self);
  update_model_label (self);
  gtk_label_set_label (self->clean_title, _("Clean"));
  gtk_label_set_label (self->attacked_title, _("Attacked"));
}
