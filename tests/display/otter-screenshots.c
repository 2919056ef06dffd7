/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-screenshots.c: renders each page of the window to a PNG
 *
 * Run through build-aux/screenshots.sh (under Xvfb); the PNGs go to
 * data/screenshots/ and are shown in the README.
 */

#include "config.h"

#include <stdio.h>

#include <stdlib.h>

#include "display-utils.h"
#include "otter-application.h"
#include "otter-eval-page.h"
#include "otter-window.h"

static gboolean
ready (gpointer data)
{
  OtterSession *session = data;
  return otter_session_get_dataset (session) != NULL && otter_session_get_model (session) != NULL &&
         !otter_session_get_busy (session);
}

static gboolean
eval_done (gpointer data)
{
  return !otter_eval_page_get_running (data) && otter_eval_page_get_evaluation (data) != NULL;
}

static gboolean
drop_shown (gpointer data)
{
  GArray *drops = otter_eval_page_get_drops (data);
  return drops == NULL || otter_eval_page_get_inspected (data) >= 0;
}

/* The Evaluation page's per-attack views, after its summary. */
static gboolean
save_eval_views (OtterWindow *window,
                 GtkWidget   *page,
                 const char  *out_dir,
                 const char  *suffix)
{
  const char *views[] = { "pr", "confusion", "drops" };

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      otter_eval_page_show_view (OTTER_EVAL_PAGE (page), views[i]);
      display_spin (1.0);
      if (g_str_equal (views[i], "drops"))
        display_wait_until (drop_shown, page, 120);
      display_spin (0.5);
      g_autofree char *name = g_strdup_printf ("eval-%s%s.png", views[i], suffix);
      g_autofree char *path = g_build_filename (out_dir, name, NULL);
      if (!display_save_widget_png (GTK_WIDGET (window), path))
        return FALSE;
      g_print ("%s\n", path);
    }
  otter_eval_page_show_view (OTTER_EVAL_PAGE (page), "summary");
  return TRUE;
}

static gboolean
has_dataset (gpointer data)
{
  return otter_session_get_dataset (data) != NULL;
}

int
main (int argc, char *argv[])
{
  const char *out_dir = argc > 1 ? argv[1] : "data/screenshots";
  const char *model = argc > 2 ? argv[2] : NULL;
  g_autoptr (AdwApplication) test_app = display_test_init (&argc, &argv);
  /* The real application, so its actions (Open…) show as they do for users. */
  g_autoptr (OtterApplication) app = otter_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  const char *dark = g_getenv ("OTTER_SCREENSHOT_DARK");
  if (dark != NULL)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);

  OtterWindow *window = otter_window_new (ADW_APPLICATION (app));
  OtterSession *session = otter_window_get_session (window);
  /* OTTER_SCREENSHOT_SIZE=800x600 shows the pages at the smallest size
   * they are made for */
  int width = 1500, height = 900;
  const char *size = g_getenv ("OTTER_SCREENSHOT_SIZE");
  if (size != NULL && sscanf (size, "%dx%d", &width, &height) != 2)
    width = 1500, height = 900;
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  otter_session_open_dataset (session, "demo");
  if (!display_wait_until (has_dataset, session, 120))
    return EXIT_FAILURE;
  if (model != NULL)
    otter_session_open_model (session, model);
  else
    otter_session_create_model (session, "tiny", 96, NULL);
  if (!display_wait_until (ready, session, 120))
    return EXIT_FAILURE;

  g_mkdir_with_parents (out_dir, 0755);
  const char *pages[] = { "data", "model", "perturb", "training", "eval" };
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *page = otter_window_get_page (window, pages[i]);
      otter_window_show_page (window, pages[i]);
      /* let thumbnails decode and previews compute */
      display_spin (g_strcmp0 (pages[i], "perturb") == 0 ? 8.0 : 3.0);
      if (g_strcmp0 (pages[i], "training") == 0)
        {
          /* a run under way, so the chart has curves */
          gtk_widget_activate_action (page, "training.start", NULL);
          display_spin (25.0);
        }
      else if (g_strcmp0 (pages[i], "eval") == 0)
        {
          gtk_widget_activate_action (page, "eval.run", NULL);
          display_wait_until (eval_done, page, 300);
          display_spin (1.0);
        }
      g_autofree char *name = g_strdup_printf ("%s%s.png", pages[i], dark ? "-dark" : "");
      g_autofree char *path = g_build_filename (out_dir, name, NULL);
      if (!display_save_widget_png (GTK_WIDGET (window), path))
        return EXIT_FAILURE;
      g_print ("%s\n", path);
      if (g_strcmp0 (pages[i], "eval") == 0 &&
          !save_eval_views (window, page, out_dir, dark ? "-dark" : ""))
        return EXIT_FAILURE;
    }
  OtterTrainer *trainer = otter_session_get_trainer (session);
  if (trainer != NULL)
    {
      otter_trainer_stop (trainer);
      otter_trainer_wait (trainer);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  return EXIT_SUCCESS;
}
