/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-branding.c: the application's icon and profile as a user sees them */

#include "config.h"

#include "display-utils.h"
#include "otter-window.h"

static AdwApplication *app;

static AdwAboutWindow *
find_about_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* borrowed */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);
      if (ADW_IS_ABOUT_WINDOW (window))
        return ADW_ABOUT_WINDOW (window);
    }
  return NULL;
}

static gboolean
about_window_shown (gpointer data)
{
  AdwAboutWindow *about = find_about_window ();
  return about != NULL && gtk_widget_get_mapped (GTK_WIDGET (about));
}

/* The About window shows Otter's own icon, not the "missing image" one,
 * for this build's profile, also when run from the build folder: the
 * icons come with the binary as resources. */
static void
test_about_icon (void)
{
  OtterWindow *window = otter_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  display_spin (0.2);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (display_wait_until (about_window_shown, NULL, 10));
  AdwAboutWindow *about = find_about_window ();
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APPLICATION_ID);

  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (about)));
  g_assert_true (gtk_icon_theme_has_icon (theme, APPLICATION_ID));
  g_autoptr (GtkIconPaintable) icon = gtk_icon_theme_lookup_icon (theme, APPLICATION_ID, NULL, 128, 1,
                                                                  GTK_TEXT_DIR_LTR, 0);
  g_assert_cmpstr (gtk_icon_paintable_get_icon_name (icon), ==, APPLICATION_ID);

  display_spin (0.3);
  g_autoptr (GdkTexture) texture = display_render_widget (GTK_WIDGET (about));
  g_assert_cmpfloat (display_texture_variety (texture, 0, 0, gdk_texture_get_width (texture),
                                              gdk_texture_get_height (texture)), >, 0.01);
  if (g_getenv ("OTTER_SCREENSHOT_DIR") != NULL)
    {
      g_autofree char *png = g_build_filename (g_getenv ("OTTER_SCREENSHOT_DIR"), "about.png", NULL);
      display_save_widget_png (GTK_WIDGET (about), png);
    }
  gtk_window_destroy (GTK_WINDOW (about));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A development build's window has libadwaita's striped header bars and
 * the striped icon, a release's neither. */
static void
test_profile_style (void)
{
  OtterWindow *window = otter_window_new (app);
  g_assert_cmpint (gtk_widget_has_css_class (GTK_WIDGET (window), "devel"), ==, DEVELOPMENT_PROFILE);
  g_assert_cmpint (g_str_has_suffix (APPLICATION_ID, ".Devel"), ==, DEVELOPMENT_PROFILE);
  /* The first start greets with this profile's icon. */
  GtkWidget *welcome = otter_window_get_page (window, "welcome");
  g_assert_true (ADW_IS_STATUS_PAGE (welcome));
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (welcome)), ==, APPLICATION_ID);
  if (g_getenv ("OTTER_SCREENSHOT_DIR") != NULL)
    {
      g_autofree char *png = g_build_filename (g_getenv ("OTTER_SCREENSHOT_DIR"), "welcome.png", NULL);
      gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
      gtk_window_present (GTK_WINDOW (window));
      otter_window_show_welcome (window);
      display_spin (0.5);
      display_save_widget_png (GTK_WIDGET (window), png);
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  app = display_test_init (&argc, &argv);
  g_test_add_func ("/otter/Branding/about-icon", test_about_icon);
  g_test_add_func ("/otter/Branding/profile-style", test_profile_style);
  return g_test_run ();
}
