/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-show-item.c: "Show in Folder" over D-Bus, without GTK
 *
 * GTK 4.8 has no GtkFileLauncher, and gtk_show_uri() on a folder only
 * opens it: the item is not selected, and inside a Flatpak the sandbox
 * may not even see the host's file manager. So this asks the desktop
 * directly, asynchronously: in a sandbox the OpenURI portal's
 * OpenDirectory (it takes a file descriptor, so the portal knows which
 * file the sandbox means), outside it the file manager's ShowItems
 * (org.freedesktop.FileManager1, Nautilus and most others). Callers fall
 * back to opening the containing folder when both are missing.
 */

/* For O_PATH, before any system header. */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <unistd.h>

#include "otter-show-item.h"

#define PORTAL_BUS_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_OBJECT_PATH "/org/freedesktop/portal/desktop"
#define FILE_MANAGER_BUS_NAME "org.freedesktop.FileManager1"
#define FILE_MANAGER_OBJECT_PATH "/org/freedesktop/FileManager1"

/**
 * otter_show_item_is_sandboxed:
 *
 * Returns: whether Otter runs inside a Flatpak, where the file manager is
 *   reached through the desktop portal
 */
gboolean
otter_show_item_is_sandboxed (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), NULL, result, &error);
  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * otter_show_item_async:
 * @bus: the session bus
 * @path: a local file or folder
 * @sandboxed: whether to go through the portal (otter_show_item_is_sandboxed())
 * @parent_window: (nullable): the portal's parent window handle, or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the desktop has answered
 * @user_data: data for @callback
 *
 * Asks the file manager to show the folder that holds @path, with @path
 * selected. Opening the descriptor uses O_PATH, which reads nothing, so it
 * does not wait on the disk.
 */
void
otter_show_item_async (GDBusConnection     *bus,
                       const char          *path,
                       gboolean             sandboxed,
                       const char          *parent_window,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (G_IS_DBUS_CONNECTION (bus));
  g_return_if_fail (path != NULL);

  task = g_task_new (bus, cancellable, callback, user_data);
  g_task_set_source_tag (task, otter_show_item_async);

  if (sandboxed)
    {
      g_autoptr (GUnixFDList) fds = g_unix_fd_list_new ();
      g_autoptr (GError) error = NULL;
      int fd = open (path, O_PATH | O_CLOEXEC);
      int handle;

      if (fd < 0)
        {
          int saved = errno;
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                                   "%s: %s", path, g_strerror (saved));
          return;
        }
      handle = g_unix_fd_list_append (fds, fd, &error);
      close (fd);
      if (handle < 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_dbus_connection_call_with_unix_fd_list (bus, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH,
                                                "org.freedesktop.portal.OpenURI", "OpenDirectory",
                                                g_variant_new ("(sh@a{sv})", parent_window ? parent_window : "",
                                                               handle, g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                                                G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, fds,
                                                cancellable, call_done_cb, g_steal_pointer (&task));
    }
  else
    {
      g_autoptr (GFile) file = g_file_new_for_path (path);
      g_autofree char *uri = g_file_get_uri (file);
      const char *uris[] = { uri, NULL };

      /* The bus starts a file manager that is not running yet. */
      g_dbus_connection_call_with_unix_fd_list (bus, FILE_MANAGER_BUS_NAME, FILE_MANAGER_OBJECT_PATH,
                                                "org.freedesktop.FileManager1", "ShowItems",
                                                g_variant_new ("(^ass)", uris, ""),
                                                NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                                cancellable, call_done_cb, g_steal_pointer (&task));
    }
}

gboolean
otter_show_item_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == otter_show_item_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
