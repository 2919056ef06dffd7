/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-window.c: the main window: a sidebar of pages beside the selected one */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-application.h"
#include "otter-data-page.h"
#include "otter-eval-page.h"
#include "otter-model-page.h"
#include "otter-outside-root.h"
#include "otter-perturb-page.h"
#include "otter-resources.h"
#include "otter-training-page.h"
#include "otter-video-page.h"
#include "otter-window.h"

struct _OtterWindow
{
  AdwApplicationWindow parent_instance;

  OtterSession        *session;
  GSettings           *settings;

  AdwLeaflet          *leaflet;
  GtkListBox          *sidebar;
  GtkStack            *stack;
  AdwWindowTitle      *window_title;
  AdwToastOverlay     *toasts;
  GtkWidget           *status_pill;
  GtkLabel            *status_label;
  GtkProgressBar      *status_progress;
  AdwStatusPage       *welcome_page;
};

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterWindow, otter_window, ADW_TYPE_APPLICATION_WINDOW)

static void
update_title (OtterWindow *self)
{
  const char *title = otter_session_get_title (self->session);
  adw_window_title_set_subtitle (self->window_title, title && *title ? title : NULL);
}

static void
update_status (OtterWindow *self)
{
  OtterTrainer *trainer = otter_session_get_trainer (self->session);
  OtterTrainerState state = trainer ? otter_trainer_get_state (trainer) : OTTER_TRAINER_IDLE;
  const char *classes[] = { "accent", "success", "warning", "error" };
  const char *style = NULL;
  g_autofree char *text = NULL;
  double fraction = 0;

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (self->status_pill, classes[i]);
  gtk_widget_set_visible (self->status_pill, state != OTTER_TRAINER_IDLE);
  if (trainer == NULL)
    return;

  int epoch = otter_trainer_get_epoch (trainer), max_epochs = otter_trainer_get_max_epochs (trainer);
  fraction = otter_trainer_get_progress (trainer);
  switch (state)
    {
    case OTTER_TRAINER_PREPARING:
      text = g_strdup (_("Preparing…"));
      style = "accent";
      break;
    case OTTER_TRAINER_RUNNING:
      text = g_strdup_printf (_("Epoch %d/%d"), epoch, max_epochs);
      style = "accent";
      break;
    case OTTER_TRAINER_PAUSED:
      text = g_strdup_printf (_("Paused · epoch %d"), epoch);
      break;
    case OTTER_TRAINER_CONVERGED:
      text = g_strdup_printf (_("Converged · epoch %d"), epoch);
      style = "success";
      break;
    case OTTER_TRAINER_NOT_CONVERGED:
    case OTTER_TRAINER_STOPPED:
      text = g_strdup (_("Not converged"));
      style = "warning";
      break;
    case OTTER_TRAINER_FAILED:
      text = g_strdup (_("Failed"));
      style = "error";
      break;
    case OTTER_TRAINER_IDLE:
    default:
      break;
    }
  if (style != NULL)
    gtk_widget_add_css_class (self->status_pill, style);
  gtk_label_set_label (self->status_label, text ? text : "");
  gtk_progress_bar_set_fraction (self->status_progress, CLAMP (fraction, 0, 1));
  gtk_widget_set_tooltip_text (self->status_pill, otter_trainer_get_message (trainer));
}

static void
trainer_changed_cb (OtterWindow *self)
{
  OtterTrainer *trainer = otter_session_get_trainer (self->session);
  if (trainer != NULL)
    {
      g_signal_connect_object (trainer, "notify::state", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (trainer, "notify::step", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
    }
  update_status (self);
}

static void
session_error_cb (OtterWindow *self,
                  const char  *message)
{
  otter_window_toast (self, message);
}

/* A dataset whose files all lie outside its folder: the toast offers to
 * read them, after asking. */
static void
session_outside_root_cb (OtterWindow *self,
                         const char  *path,
                         const char  *message)
{
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *title = g_strdup_printf (_("The images of “%s” lie outside its folder"), name);
  AdwToast *toast = adw_toast_new (title);

  /* The whole message names the files; the toast has room for one line. */
  g_message ("%s", message);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Read Them…"));
  adw_toast_set_action_name (toast, "win.read-outside-root");
  adw_toast_set_action_target_value (toast, g_variant_new_string (path));
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
read_outside_root_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  OtterWindow *self = OTTER_WINDOW (widget);

  otter_outside_root_confirm (widget, self->session, g_variant_get_string (parameter, NULL));
}

static void
sidebar_row_activated_cb (OtterWindow   *self,
                          GtkListBoxRow *row)
{
  otter_window_show_page (self, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
back_clicked_cb (OtterWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  otter_window_show_page (OTTER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* Training shortcuts work from any page: they go to the Training page's
 * own actions (which know whether they apply now). */
static gboolean
training_shortcut (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  OtterWindow *self = OTTER_WINDOW (widget);
  const char *action = g_variant_get_string (args, NULL);
  GtkWidget *page = gtk_stack_get_child_by_name (self->stack, "training");
  return page != NULL && gtk_widget_activate_action (page, action, NULL);
}

static gboolean
close_window_idle (gpointer data)
{
  OtterWindow *self = data;
  g_object_set_data (G_OBJECT (self), "otter-close-confirmed", GINT_TO_POINTER (TRUE));
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Closing while a run goes on asks first: stop it, or keep it running in
 * the background (the application stays alive until it ends). */
static void
close_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   OtterWindow      *self)
{
  OtterTrainer *trainer = otter_session_get_trainer (self->session);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  gboolean keep = g_strcmp0 (response, "background") == 0;

  if (g_strcmp0 (response, "cancel") == 0)
    return;
  /* The application owns the run from here: a kept run goes on and is
   * announced when it ends; a stopped one still gets to write its last
   * checkpoint and end record before the process may exit. */
  if (trainer != NULL && (!keep || !OTTER_IS_APPLICATION (app)))
    otter_trainer_stop (trainer);
  if (trainer != NULL && OTTER_IS_APPLICATION (app))
    otter_application_keep_run (OTTER_APPLICATION (app), trainer, keep);
  /* The dialog is still finishing its response and is transient for this
   * window: close the window only once the dialog is done with it. */
  g_idle_add (close_window_idle, g_object_ref (self));
}

static gboolean
otter_window_close_request (GtkWindow *window)
{
  OtterWindow *self = OTTER_WINDOW (window);
  OtterTrainer *trainer = otter_session_get_trainer (self->session);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set (self->settings, "window-size", "(ii)", width, height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  if (trainer != NULL && !otter_trainer_state_is_final (otter_trainer_get_state (trainer)) &&
      otter_trainer_get_state (trainer) != OTTER_TRAINER_IDLE &&
      !g_object_get_data (G_OBJECT (self), "otter-close-confirmed"))
    {
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
        adw_message_dialog_new (window, _("Training Is Still Running"),
                                _("Stop the run now, or keep it running in the background until it ends? "
                                  "Its checkpoints and metrics are saved either way.")));
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "stop", _("_Stop Training"),
                                        "background", _("_Keep Running"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_response_appearance (dialog, "background", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "background");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect (dialog, "response", G_CALLBACK (close_response_cb), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }
  return GTK_WINDOW_CLASS (otter_window_parent_class)->close_request (window);
}

static void
otter_window_dispose (GObject *object)
{
  OtterWindow *self = OTTER_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (otter_window_parent_class)->dispose (object);
}

static void
otter_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_SESSION)
    g_value_set_object (value, OTTER_WINDOW (object)->session);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
otter_window_class_init (OtterWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  /* Referencing the bundle keeps it (and its registration at load time)
   * in static links such as the display tests. */
  (void) otter_get_resource ();

  object_class->dispose = otter_window_dispose;
  object_class->get_property = otter_window_get_property;
  /* What every page shows; they bind to it in the template. */
  properties[PROP_SESSION] = g_param_spec_object ("session", NULL, NULL, OTTER_TYPE_SESSION,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                  G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  window_class->close_request = otter_window_close_request;

  g_type_ensure (OTTER_TYPE_DATA_PAGE);
  g_type_ensure (OTTER_TYPE_MODEL_PAGE);
  g_type_ensure (OTTER_TYPE_PERTURB_PAGE);
  g_type_ensure (OTTER_TYPE_TRAINING_PAGE);
  g_type_ensure (OTTER_TYPE_EVAL_PAGE);
  g_type_ensure (OTTER_TYPE_VIDEO_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, OtterWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, OtterWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, OtterWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, OtterWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, OtterWindow, status_pill);
  gtk_widget_class_bind_template_child (widget_class, OtterWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, OtterWindow, status_progress);
  gtk_widget_class_bind_template_child (widget_class, OtterWindow, welcome_page);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);

  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.read-outside-root", "s", read_outside_root_action);
  const char *pages[] = { "data", "model", "perturb", "training", "eval", "video" };
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK, "win.show-page", "s", pages[i]);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, training_shortcut, "s", "training.start");
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK | GDK_SHIFT_MASK, training_shortcut,
                                "s", "training.continue");
  gtk_widget_class_add_binding (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, training_shortcut, "s",
                                "training.toggle-pause");
  gtk_widget_class_add_binding (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, training_shortcut, "s",
                                "training.stop");
}

static void
otter_window_init (OtterWindow *self)
{
  int width, height;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  /* libadwaita stripes the header bars of a "devel" window, so a
   * development build is never mistaken for the release. */
  if (DEVELOPMENT_PROFILE)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
  /* The template names the release's icon; each profile greets with its own. */
  adw_status_page_set_icon_name (self->welcome_page, APPLICATION_ID);

  self->session = otter_session_new ();
  g_signal_connect_object (self->session, "notify::title", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::trainer", G_CALLBACK (trainer_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "error", G_CALLBACK (session_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "outside-root", G_CALLBACK (session_outside_root_cb), self,
                           G_CONNECT_SWAPPED);
  /* The pages follow through their template bindings. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  gtk_list_box_select_row (self->sidebar, gtk_list_box_get_row_at_index (self->sidebar, 0));
  update_status (self);
}

OtterWindow *
otter_window_new (AdwApplication *application)
{
  return g_object_new (OTTER_TYPE_WINDOW, "application", application, NULL);
}

OtterSession *
otter_window_get_session (OtterWindow *self)
{
  g_return_val_if_fail (OTTER_IS_WINDOW (self), NULL);
  return self->session;
}

void
otter_window_show_page (OtterWindow *self,
                        const char  *name)
{
  g_return_if_fail (OTTER_IS_WINDOW (self));
  if (gtk_stack_get_child_by_name (self->stack, name) == NULL)
    return;
  /* Leaving the welcome for a page is having seen it. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "welcome") == 0)
    g_settings_set_boolean (self->settings, "welcome-shown", TRUE);
  gtk_stack_set_visible_child_name (self->stack, name);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      gtk_list_box_select_row (self->sidebar, GTK_LIST_BOX_ROW (row));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
otter_window_toast (OtterWindow *self,
                    const char  *message)
{
  g_return_if_fail (OTTER_IS_WINDOW (self));
  AdwToast *toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

GtkWidget *
otter_window_get_page (OtterWindow *self,
                       const char  *name)
{
  g_return_val_if_fail (OTTER_IS_WINDOW (self), NULL);
  return gtk_stack_get_child_by_name (self->stack, name);
}

void
otter_window_show_welcome (OtterWindow *self)
{
  g_return_if_fail (OTTER_IS_WINDOW (self));
  gtk_list_box_unselect_all (self->sidebar);
  gtk_stack_set_visible_child_name (self->stack, "welcome");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}
