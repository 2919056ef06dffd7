/* SPDX-License-Identifier: GPL-3.0-or-later */
/* display-utils.h: helpers for tests that run real widgets under Xvfb */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* adw_init() plus a registered application for GSettings-using widgets. */
AdwApplication *display_test_init          (int          *argc,
                                            char       ***argv);
/* Iterates the main context until `done` returns TRUE or `timeout_s`
 * passes; returns whether `done` became TRUE. */
gboolean        display_wait_until         (gboolean    (*done) (gpointer data),
                                            gpointer      data,
                                            double        timeout_s);
/* Iterates the main context for `seconds` (lets idles and frames run). */
void            display_spin               (double        seconds);
/* Renders a realized widget into a texture at its current size. */
GdkTexture     *display_render_widget      (GtkWidget    *widget);
gboolean        display_save_widget_png    (GtkWidget    *widget,
                                            const char   *path);
/* Fraction of pixels in the rectangle that differ from its first pixel:
 * 0 for a blank (single-colour) area. */
double          display_texture_variety    (GdkTexture   *texture,
                                            int           x,
                                            int           y,
                                            int           width,
                                            int           height);
/* Mean absolute difference of two textures of the same size, 0–255. */
double          display_texture_difference (GdkTexture   *a,
                                            GdkTexture   *b);
/* The first widget of `type` under `widget` (itself included), mapped or
 * not, or NULL. */
GtkWidget      *display_find_widget        (GtkWidget    *widget,
                                            GType         type);
/* The first actionable widget under `widget` that activates `action`,
 * mapped or not, or NULL. */
GtkWidget      *display_find_actionable    (GtkWidget    *widget,
                                            const char   *action);
/* The first preferences row titled `title` under `widget`, or NULL. */
GtkWidget      *display_find_row           (GtkWidget    *widget,
                                            const char   *title);
/* The first button labelled `label` under `widget`, or NULL. */
GtkWidget      *display_find_button        (GtkWidget    *widget,
                                            const char   *label);
/* Every widget of `type` under `widget` (itself included), in tree order
 * (borrowed pointers). */
GPtrArray      *display_find_all           (GtkWidget    *widget,
                                            GType         type);
/* The message dialog on show, or NULL. */
AdwMessageDialog *display_find_dialog      (void);

G_END_DECLS
