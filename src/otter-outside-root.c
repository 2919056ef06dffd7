/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-outside-root.c: asking before reading a dataset's files outside its folder
 *
 * An annotation can name any file on the computer, and a link inside a
 * downloaded dataset can point anywhere. Otter reads only what lies inside
 * the dataset's folder unless the user, told where the files are, agrees. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "otter-outside-root.h"

typedef struct
{
  OtterSession *session;
  char         *path;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_object_unref (request->session);
  g_free (request->path);
  g_free (request);
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             Request          *request)
{
  if (g_strcmp0 (response, "read") == 0)
    otter_session_open_dataset_with_flags (request->session, request->path,
                                           OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT);
}

void
otter_outside_root_confirm (GtkWidget    *parent,
                            OtterSession *session,
                            const char   *path)
{
  g_return_if_fail (OTTER_IS_SESSION (session));
  g_return_if_fail (path != NULL);

  GtkRoot *root = parent ? gtk_widget_get_root (parent) : NULL;
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *body = g_strdup_printf (
    _("Annotations or links in “%s” lead to files outside its folder. Otter will show them and train "
      "on them. Read them only if you trust whoever made this dataset."), name);
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              _("Read Files Outside the Dataset?"), body);
  Request *request = g_new0 (Request, 1);

  request->session = g_object_ref (session);
  request->path = g_strdup (path);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "read", _("_Read Them"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "read", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (response_cb), request,
                         (GClosureNotify) (void (*) (void)) request_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
