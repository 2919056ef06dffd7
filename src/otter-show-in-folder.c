/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-show-in-folder.c: the toasts' "Show in Folder"
 *
 * Asks the file manager (through the portal in a Flatpak) to show the
 * item selected in its folder (otter-show-item.c); where nobody answers,
 * opens the containing folder with whatever handles folders. Nothing here
 * waits: the toast's button returns at once.
 */

#include "config.h"

#include "otter-show-in-folder.h"
#include "otter-show-item.h"

typedef struct
{
  GWeakRef  window;     /* GtkWindow, for the fallback's startup parent */
  char     *path;
} ShowData;

static void
show_data_free (ShowData *data)
{
  g_weak_ref_clear (&data->window);
  g_free (data->path);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShowData, show_data_free)

static void
show_containing_folder (GtkWindow  *window,
                        const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFile) parent = g_file_get_parent (file);
  g_autofree char *uri = g_file_get_uri (parent != NULL ? parent : file);

  gtk_show_uri (window, uri, GDK_CURRENT_TIME);
}

static void
show_item_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (ShowData) data = user_data;
  g_autoptr (GError) error = NULL;

  if (otter_show_item_finish (result, &error))
    return;
  g_debug ("The file manager did not show %s (%s); opening its folder instead", data->path, error->message);
  g_autoptr (GtkWindow) window = g_weak_ref_get (&data->window);
  show_containing_folder (window, data->path);
}

/**
 * otter_show_in_folder:
 * @widget: the widget whose window asks
 * @path: a local file or folder
 *
 * Shows @path selected in its folder, in the desktop's file manager.
 */
void
otter_show_in_folder (GtkWidget  *widget,
                      const char *path)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (path != NULL);

  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWindow *window = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app != NULL ? g_application_get_dbus_connection (app) : NULL;

  if (bus == NULL)
    {
      show_containing_folder (window, path);
      return;
    }
  ShowData *data = g_new0 (ShowData, 1);
  g_weak_ref_init (&data->window, window);
  data->path = g_strdup (path);
  /* No parent window handle: GTK 4.8 exports one only per backend, and
   * OpenDirectory shows no dialog that would need it. */
  otter_show_item_async (bus, path, otter_show_item_is_sandboxed (), NULL, NULL, show_item_cb, data);
}
