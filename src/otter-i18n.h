/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-i18n.h: gettext set-up shared by otter and otter-cli */

#pragma once

#include <glib.h>
#include <glib/gi18n.h>
#include <locale.h>

G_BEGIN_DECLS

/* Binds the "otter" text domain. OTTER_LOCALEDIR overrides the installed
 * locale folder, so the tests (and a developer) can run the binaries from the
 * build tree with the catalogues meson built there (_build/po/<lang>/LC_MESSAGES).
 * The variable is read once at start-up, before any string is translated. */
static inline void
otter_i18n_init (void)
{
  const char *localedir = g_getenv ("OTTER_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

G_END_DECLS
