/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-window.h: Otter's main window */
#pragma once

#include <adwaita.h>

#include "otter-session.h"

G_BEGIN_DECLS

#define OTTER_TYPE_WINDOW (otter_window_get_type ())
G_DECLARE_FINAL_TYPE (OtterWindow, otter_window, OTTER, WINDOW, AdwApplicationWindow)

OtterWindow  *otter_window_new          (AdwApplication *application);
OtterSession *otter_window_get_session  (OtterWindow    *self);
/* Shows a page by name: data, model, perturb, training, eval */
void          otter_window_show_page    (OtterWindow    *self,
                                         const char     *name);
/* The page widget of that name, or NULL */
GtkWidget    *otter_window_get_page     (OtterWindow    *self,
                                         const char     *name);
void          otter_window_toast        (OtterWindow    *self,
                                         const char     *message);

/* The first start's three steps, until a page is chosen. */
void          otter_window_show_welcome (OtterWindow *self);

G_END_DECLS
