/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-show-in-folder.h: the toasts' "Show in Folder" */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void otter_show_in_folder (GtkWidget  *widget,
                           const char *path);

G_END_DECLS
