/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-color-bar.h: the scale of a colour-mapped picture, with its end labels */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  OTTER_COLOR_BAR_DIVERGING,     /* black through mid-grey to white: a signed quantity */
  OTTER_COLOR_BAR_VIRIDIS,       /* the perceptual map of the heat maps */
} OtterColorBarKind;

#define OTTER_TYPE_COLOR_BAR (otter_color_bar_get_type ())
G_DECLARE_FINAL_TYPE (OtterColorBar, otter_color_bar, OTTER, COLOR_BAR, GtkWidget)

GtkWidget  *otter_color_bar_new      (void);
/* The map and what its two ends and its middle stand for (middle may be NULL). */
void        otter_color_bar_set      (OtterColorBar     *self,
                                      OtterColorBarKind  kind,
                                      const char        *low,
                                      const char        *middle,
                                      const char        *high);
/* "low … high", for tests and the accessible description. */
const char *otter_color_bar_get_text (OtterColorBar     *self);

G_END_DECLS
