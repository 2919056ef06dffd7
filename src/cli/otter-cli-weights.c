/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-weights.c: otter-cli weights list | fetch NAME | path NAME */

#include "config.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "otter-cli-common.h"
#include "otter-weights.h"

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  const char   *file;
  char         *path;
  GError       *error;
} FetchCli;

static void
add_string_or_null (JsonBuilder *b,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* The fields every weights object in --json output has (null where the
 * name could not be resolved). */
static void
add_source_members (JsonBuilder              *b,
                    const char               *name,
                    const OtterWeightsSource *source)
{
  add_string_or_null (b, "name", name);
  add_string_or_null (b, "file", source ? source->file : NULL);
  add_string_or_null (b, "url", source ? source->url : NULL);
  add_string_or_null (b, "path", source ? source->path : NULL);
}

/* The one-line error on stderr and, with --json, the object on stdout. */
static int
fail_json (gboolean                  json,
           const char               *name,
           const OtterWeightsSource *source,
           const char               *message)
{
  otter_cli_fail ("%s", message);
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, "failed");
      add_source_members (b, name, source);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      json_builder_end_object (b);
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      otter_cli_print_json (root);
    }
  return OTTER_CLI_EXIT_FAILED;
}

static int
weights_list (int argc, char **argv, gboolean json)
{
  if (argc > 1)
    {
      fprintf (stderr, "otter-cli: ");
      fprintf (stderr, _("list takes no argument, got “%s” (see --help)"), argv[1]);
      fputc ('\n', stderr);
      return OTTER_CLI_EXIT_USAGE;
    }

  g_auto (GStrv) names = otter_weights_dup_known_names ();
  g_autofree char *dir = otter_weights_dup_cache_dir ();
  g_autoptr (JsonBuilder) b = json_builder_new ();
  int name_width = 0, file_width = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cache_dir");
  json_builder_add_string_value (b, dir);
  json_builder_set_member_name (b, "weights");
  json_builder_begin_array (b);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autoptr (OtterWeightsSource) source = otter_weights_resolve (names[i], NULL);
        g_assert (source != NULL);
        gboolean cached = g_file_test (source->path, G_FILE_TEST_IS_REGULAR);

        /* The first pass measures the columns. */
        if (pass == 0)
          {
            name_width = MAX (name_width, (int) strlen (names[i]));
            file_width = MAX (file_width, (int) strlen (source->file));
            continue;
          }
        if (json)
          {
            json_builder_begin_object (b);
            add_source_members (b, names[i], source);
            json_builder_set_member_name (b, "cached");
            json_builder_add_boolean_value (b, cached);
            json_builder_end_object (b);
          }
        else
          printf ("%-*s  %-*s  %-10s  %s\n", name_width, names[i], file_width, source->file,
                  cached ? "cached" : "not cached", source->path);
      }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      otter_cli_print_json (root);
    }
  else
    fflush (stdout);
  return OTTER_CLI_EXIT_OK;
}

static void
show_download_progress (FetchCli *cli,
                        goffset   done,
                        goffset   total,
                        gboolean  force)
{
  g_autofree char *done_text = g_format_size (done);

  if (total > 0)
    {
      g_autofree char *total_text = g_format_size (total);
      otter_cli_progress (force, (double) done / total, "%s  %s of %s", cli->file, done_text, total_text);
    }
  else
    otter_cli_progress (force, 0, "%s  %s", cli->file, done_text);
}

static void
on_fetch_progress (goffset  done,
                   goffset  total,
                   gpointer user_data)
{
  FetchCli *cli = user_data;

  show_download_progress (cli, done, total, done == total);
}

static void
on_fetched (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  FetchCli *cli = user_data;

  cli->path = otter_weights_fetch_finish (result, &cli->error);
  g_main_loop_quit (cli->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  FetchCli *cli = user_data;

  if (!g_cancellable_is_cancelled (cli->cancellable))
    {
      otter_cli_progress_end ();
      fprintf (stderr, "otter-cli: %s\n", _("cancelling the download…"));
      g_cancellable_cancel (cli->cancellable);
    }
  return G_SOURCE_CONTINUE;
}

static int
weights_fetch (int argc, char **argv, gboolean json)
{
  if (argc != 2)
    {
      fprintf (stderr, "otter-cli: %s\n", _("fetch needs one NAME (see --help)"));
      return OTTER_CLI_EXIT_USAGE;
    }

  const char *name = argv[1];
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterWeightsSource) source = otter_weights_resolve (name, &error);
  if (source == NULL)
    return fail_json (json, name, NULL, error->message);

  gboolean downloaded = !g_file_test (source->path, G_FILE_TEST_IS_REGULAR);
  FetchCli cli = { .file = source->file };
  if (downloaded)
    {
      fprintf (stderr, _("downloading %s\n"), source->url);
      cli.loop = g_main_loop_new (NULL, FALSE);
      cli.cancellable = g_cancellable_new ();
      /* Through the async variant so that Ctrl-C cancels cleanly: the
       * download removes its temporary file on the way out. */
      guint sigint = g_unix_signal_add (SIGINT, on_signal, &cli);
      guint sigterm = g_unix_signal_add (SIGTERM, on_signal, &cli);
      otter_weights_fetch_async (name, cli.cancellable, on_fetch_progress, &cli, NULL, on_fetched, &cli);
      g_main_loop_run (cli.loop);
      g_source_remove (sigint);
      g_source_remove (sigterm);
      g_main_loop_unref (cli.loop);
      g_object_unref (cli.cancellable);
      otter_cli_progress_end ();
    }
  else
    cli.path = otter_weights_fetch (name, NULL, NULL, NULL, &cli.error);

  g_autofree char *path = cli.path;
  g_autoptr (GError) fetch_error = cli.error;
  if (path == NULL)
    return fail_json (json, name, source, fetch_error->message);

  if (downloaded)
    fprintf (stderr, _("%s: SHA-256 matches %s, stored\n"), source->file, source->hash);
  else
    fprintf (stderr, _("%s is already in the cache\n"), source->file);
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, "ok");
      add_source_members (b, name, source);
      json_builder_set_member_name (b, "downloaded");
      json_builder_add_boolean_value (b, downloaded);
      GStatBuf st;
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, g_stat (path, &st) == 0 ? (gint64) st.st_size : -1);
      json_builder_end_object (b);
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      otter_cli_print_json (root);
    }
  else
    {
      printf ("%s\n", path);
      fflush (stdout);
    }
  return OTTER_CLI_EXIT_OK;
}

static int
weights_path (int argc, char **argv, gboolean json)
{
  if (argc != 2)
    {
      fprintf (stderr, "otter-cli: %s\n", _("path needs one NAME (see --help)"));
      return OTTER_CLI_EXIT_USAGE;
    }

  const char *name = argv[1];
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterWeightsSource) source = otter_weights_resolve (name, &error);
  if (source == NULL)
    return fail_json (json, name, NULL, error->message);

  g_autofree char *path = otter_weights_find (name, &error);
  if (path == NULL)
    {
      g_autofree char *message =
        g_strdup_printf ("%s; fetch it with “otter-cli weights fetch %s” (from %s) or place it there by hand",
                         error->message, name, source->url);
      return fail_json (json, name, source, message);
    }
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, "ok");
      add_source_members (b, name, source);
      json_builder_end_object (b);
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      otter_cli_print_json (root);
    }
  else
    {
      printf ("%s\n", path);
      fflush (stdout);
    }
  return OTTER_CLI_EXIT_OK;
}

static const struct
{
  const char *name;
  int       (*run) (int argc, char **argv, gboolean json);
  const char *arguments;
  const char *title;
  const char *summary;
} actions[] = {
  { "list", weights_list, "", N_("list the weights Otter knows"),
    N_("Lists each known name, its file, whether it is cached and where.") },
  { "fetch", weights_fetch, "NAME", N_("download weights into the cache"),
    N_("Downloads NAME into the cache unless it is there already, checks that its\n"
       "SHA-256 starts with the hash in its file name, and prints its path.\n"
       "Progress goes to stderr; Ctrl-C cancels and leaves nothing behind.") },
  { "path", weights_path, "NAME", N_("print where cached weights are"),
    N_("Prints the path of the cached file, or fails (exit status 1) saying how to\n"
       "fetch it. Never downloads.") },
};

/* The URL is pasted in at run time (%s), so the message stays one msgid. */
static const char names_help[] =
  N_("NAME is resnet18 or mobilenet_v3_large (torchvision's IMAGENET1K_V1 weights),\n"
  "a torchvision-style file name NAME-HASH.pth, or an http(s) URL ending in one.\n"
  "Files are kept in torch.hub's cache, $TORCH_HOME/hub/checkpoints, else\n"
  "$XDG_CACHE_HOME/torch/hub/checkpoints, else ~/.cache/torch/hub/checkpoints,\n"
     "so PyTorch and Otter share one copy. They are downloaded from\n"
     "%s unless OTTER_WEIGHTS_BASE_URL says otherwise.");

static char *
names_help_dup (void)
{
  return g_strdup_printf (_(names_help), OTTER_WEIGHTS_DEFAULT_BASE_URL);
}

static int
find_action (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (strcmp (name, actions[i].name) == 0)
      return i;
  return -1;
}

int
otter_cli_weights (int argc, char **argv)
{
  gboolean json = FALSE;
  int exit_code = OTTER_CLI_EXIT_OK;
  int action;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON on stdout"), NULL },
    { NULL }
  };

  if (argc > 1 && (action = find_action (argv[1])) >= 0)
    {
      g_autofree char *prgname = g_strdup_printf ("otter-cli weights %s", actions[action].name);
      g_autofree char *parameters = g_strdup_printf ("%s%s- %s", actions[action].arguments,
                                                     actions[action].arguments[0] ? " " : "",
                                                     _(actions[action].title));
      g_autoptr (GOptionContext) context = g_option_context_new (parameters);

      g_set_prgname (prgname);
      g_autofree char *description = names_help_dup ();
      g_option_context_set_summary (context, actions[action].summary);
      g_option_context_set_description (context, description);
      g_option_context_add_main_entries (context, entries, NULL);
      argc--;
      argv++;
      if (!otter_cli_parse (context, &argc, &argv, &exit_code))
        return exit_code;
      return actions[action].run (argc, argv, json);
    }

  g_autoptr (GOptionContext) context =
    g_option_context_new (N_("list | fetch NAME | path NAME - pretrained backbone weights"));
  g_autoptr (GString) summary = g_string_new (_("Actions:"));
  g_autofree char *description = names_help_dup ();
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      g_autofree char *usage = g_strdup_printf ("%s %s", actions[i].name, actions[i].arguments);
      g_string_append_printf (summary, "\n  %-12s %s", usage, _(actions[i].title));
    }
  g_string_append_c (summary, '\n');
  g_string_append_c (summary, '\n');
  g_string_append (summary, _("Run “otter-cli weights ACTION --help” for the options of an action."));
  /* Already translated: no domain lookup can match the assembled text. */
  g_option_context_set_summary (context, summary->str);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!otter_cli_parse (context, &argc, &argv, &exit_code))
    return exit_code;
  /* Options before the action ("weights --json list") were parsed above. */
  if (argc > 1 && (action = find_action (argv[1])) >= 0)
    return actions[action].run (argc - 1, argv + 1, json);
  if (argc > 1)
    {
      g_autofree char *msg = g_strdup_printf (_("unknown action “%s” (expected list, fetch or path; see --help)"), argv[1]);
      fprintf (stderr, "otter-cli: %s\n", msg);
    }
  else
    fprintf (stderr, "otter-cli: %s\n", _("weights needs an action: list, fetch NAME or path NAME (see --help)"));
  return OTTER_CLI_EXIT_USAGE;
}
