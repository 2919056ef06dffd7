/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-show-item.h: show a file or folder in the desktop's file manager */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean otter_show_item_is_sandboxed (void);
void     otter_show_item_async        (GDBusConnection     *bus,
                                       const char          *path,
                                       gboolean             sandboxed,
                                       const char          *parent_window,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean otter_show_item_finish       (GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
