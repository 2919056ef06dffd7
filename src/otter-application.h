/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-application.h */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OTTER_TYPE_APPLICATION (otter_application_get_type ())
G_DECLARE_FINAL_TYPE (OtterApplication, otter_application, OTTER, APPLICATION, AdwApplication)

OtterApplication *otter_application_new (void);

G_END_DECLS
