/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-show-item.c: "Show in Folder" reaches the file manager, or the
 * portal in a sandbox, with the item the user meant */

#include "config.h"

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "otter-show-item.h"

static const char introspection[] =
  "<node>"
  "  <interface name='org.freedesktop.FileManager1'>"
  "    <method name='ShowItems'><arg type='as' direction='in'/><arg type='s' direction='in'/></method>"
  "  </interface>"
  "  <interface name='org.freedesktop.portal.OpenURI'>"
  "    <method name='OpenDirectory'>"
  "      <arg type='s' direction='in'/><arg type='h' direction='in'/><arg type='a{sv}' direction='in'/>"
  "      <arg type='o' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct
{
  GTestDBus       *dbus;
  GDBusConnection *bus;
  GDBusNodeInfo   *node;
  char            *dir;        /* the item to show */
  char            *shown;      /* what the fake desktop was asked to show: a URI or a path */
  char            *method;
  gboolean         done;
  GError          *error;
} Fixture;

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  Fixture *f = user_data;

  f->method = g_strdup (method_name);
  if (g_str_equal (method_name, "ShowItems"))
    {
      g_autofree const char **uris = NULL;
      g_variant_get (parameters, "(^a&s&s)", &uris, NULL);
      f->shown = g_strjoinv (" ", (char **) uris);
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }
  /* OpenDirectory: the descriptor names the item, as the portal reads it. */
  gint32 handle;
  g_variant_get (parameters, "(&sh@a{sv})", NULL, &handle, NULL);
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);
  GUnixFDList *fds = g_dbus_message_get_unix_fd_list (message);
  g_assert_nonnull (fds);
  int fd = g_unix_fd_list_get (fds, handle, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  f->shown = g_file_read_link (link, NULL);
  close (fd);
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(o)", "/org/freedesktop/portal/desktop/request/1_1/t"));
}

static const GDBusInterfaceVTable vtable = { method_call_cb };

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  f->dbus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->dbus);
  f->bus = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (f->dbus),
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  f->node = g_dbus_node_info_new_for_xml (introspection, &error);
  g_assert_no_error (error);
  f->dir = g_dir_make_tmp ("otter-show-item-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_rmdir (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->shown, g_free);
  g_clear_pointer (&f->method, g_free);
  g_clear_error (&f->error);
  g_clear_pointer (&f->node, g_dbus_node_info_unref);
  g_dbus_connection_close_sync (f->bus, NULL, NULL);
  g_clear_object (&f->bus);
  g_test_dbus_down (f->dbus);
  g_clear_object (&f->dbus);
}

/* Plays the desktop: owns `name` and answers on `path` for `interface`. */
static void
fake_service (Fixture    *f,
              const char *name,
              const char *path,
              const char *interface)
{
  g_autoptr (GError) error = NULL;
  g_dbus_connection_register_object (f->bus, path, g_dbus_node_info_lookup_interface (f->node, interface),
                                     &vtable, f, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (f->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                            "org.freedesktop.DBus", "RequestName",
                                                            g_variant_new ("(su)", name, 4u /* do not queue */),
                                                            G_VARIANT_TYPE ("(u)"), 0, -1, NULL, &error);
  g_assert_no_error (error);
  guint32 result;
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1 /* primary owner */);
}

static void
shown_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fixture *f = user_data;
  otter_show_item_finish (result, &f->error);
  f->done = TRUE;
}

static void
show_and_wait (Fixture  *f,
               gboolean  sandboxed)
{
  otter_show_item_async (f->bus, f->dir, sandboxed, NULL, NULL, shown_cb, f);
  /* Asynchronous: the call has not been answered yet. */
  g_assert_false (f->done);
  while (!f->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_file_manager (Fixture       *f,
                   gconstpointer  data)
{
  fake_service (f, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                "org.freedesktop.FileManager1");
  show_and_wait (f, FALSE);
  g_assert_no_error (f->error);
  g_assert_cmpstr (f->method, ==, "ShowItems");
  g_autoptr (GFile) file = g_file_new_for_path (f->dir);
  g_autofree char *uri = g_file_get_uri (file);
  g_assert_cmpstr (f->shown, ==, uri);
}

static void
test_portal (Fixture       *f,
             gconstpointer  data)
{
  fake_service (f, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                "org.freedesktop.portal.OpenURI");
  show_and_wait (f, TRUE);
  g_assert_no_error (f->error);
  g_assert_cmpstr (f->method, ==, "OpenDirectory");
  g_assert_cmpstr (f->shown, ==, f->dir);
}

/* With nobody to ask, the caller is told so (and opens the folder itself). */
static void
test_nobody_answers (Fixture       *f,
                     gconstpointer  data)
{
  show_and_wait (f, FALSE);
  g_assert_nonnull (f->error);
  g_assert_null (f->method);
}

static void
test_missing_item (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *gone = g_build_filename (f->dir, "deleted-run", NULL);
  fake_service (f, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                "org.freedesktop.portal.OpenURI");
  otter_show_item_async (f->bus, gone, TRUE, NULL, NULL, shown_cb, f);
  while (!f->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (f->method);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/otter/ShowItem/file-manager", Fixture, NULL, fixture_setup, test_file_manager, fixture_teardown);
  g_test_add ("/otter/ShowItem/portal", Fixture, NULL, fixture_setup, test_portal, fixture_teardown);
  g_test_add ("/otter/ShowItem/nobody-answers", Fixture, NULL, fixture_setup, test_nobody_answers, fixture_teardown);
  g_test_add ("/otter/ShowItem/missing-item", Fixture, NULL, fixture_setup, test_missing_item, fixture_teardown);
  return g_test_run ();
}
