/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-outside-root.h: asking before reading a dataset's files outside its folder */
#pragma once

#include <gtk/gtk.h>

#include "otter-session.h"

G_BEGIN_DECLS

/* Asks whether to read the files that the dataset at `path` puts outside
 * its folder and, when the user agrees, opens it again in `session`
 * allowing them. Returns at once; the dialog is modal to `parent`'s window. */
void otter_outside_root_confirm (GtkWidget    *parent,
                                 OtterSession *session,
                                 const char   *path);

G_END_DECLS
