/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-model-eval-pages.c: the Model and Evaluation pages with a real display */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "display-utils.h"
#include "otter-data-page.h"
#include "otter-eval-page.h"
#include "otter-model-page.h"
#include "otter-perturb-page.h"
#include "otter-training-page.h"
#include "otter-video-page.h"
#include "otter-resources.h"
#include "otter-weights.h"

static AdwApplication *app;
/* $TORCH_HOME for the whole binary, set before any thread exists: the
 * weights cache the pretrained tests fill and empty. */
static char *torch_home;

static gboolean
has_dataset (gpointer data)
{
  return otter_session_get_dataset (data) != NULL;
}

/* A session on the small demo dataset, with a fresh tiny model if asked. */
static OtterSession *
new_demo_session (gboolean with_model)
{
  OtterSession *session = otter_session_new ();
  otter_session_open_dataset (session, "demo:32");
  g_assert_true (display_wait_until (has_dataset, session, 60));
  if (with_model)
    {
      g_autoptr (GError) error = NULL;
      g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
      g_assert_no_error (error);
    }
  return session;
}

static GtkWindow *
new_window_for (GtkWidget *page, int width, int height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, page);
  gtk_window_present (window);
  display_spin (0.3);
  return window;
}

/* A mapped label whose text contains `text`, or NULL. */
static GtkLabel *
find_label (GtkWidget *widget, const char *text)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_model_page_shows_model (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 1400);
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-full.png");
  OtterModel *model = otter_session_get_model (session);

  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");
  const char *description = otter_model_get_description (model);
  g_assert_nonnull (description);
  g_assert_nonnull (find_label (GTK_WIDGET (page), description));
  g_autofree char *count = g_strdup_printf ("%'" G_GINT64_FORMAT, otter_model_get_n_params (model));
  g_assert_cmpint (otter_model_get_n_params (model), >, 0);
  g_assert_nonnull (find_label (GTK_WIDGET (page), count));
  /* every class is listed */
  const char *const *names = otter_model_get_class_names (model);
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_nonnull (find_label (GTK_WIDGET (page), names[i]));

  gtk_window_set_default_size (window, 1000, 760);
  display_spin (0.3);
  g_assert_true (display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page.png"));
  gtk_window_destroy (window);
}

static gboolean
has_model (gpointer data)
{
  return otter_session_get_model (data) != NULL;
}

static void
test_model_page_create (void)
{
  g_autoptr (OtterSession) session = new_demo_session (FALSE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 760);

  /* the empty state offers to create one */
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "create");
  g_assert_nonnull (find_label (GTK_WIDGET (page), "No Model"));
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-empty.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.create", NULL));
  /* built on a worker thread */
  g_assert_true (display_wait_until (has_model, session, 60));
  display_spin (0.2);
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");
  g_assert_null (otter_model_get_backbone_weights (otter_session_get_model (session)));
  g_assert_nonnull (find_label (GTK_WIDGET (page), "Random"));
  gtk_window_destroy (window);
}

static guint
arch_index (const char *arch)
{
  const char *const *archs = otter_torch_model_archs ();
  for (guint i = 0; archs[i] != NULL; i++)
    if (g_str_equal (archs[i], arch))
      return i;
  g_assert_not_reached ();
}

/* Every architecture is offered, and the pretrained switch is there only
 * for the ones torchvision has ImageNet weights for. */
static void
test_model_page_architectures (void)
{
  g_autoptr (OtterSession) session = new_demo_session (FALSE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 760);
  AdwComboRow *combo = ADW_COMBO_ROW (display_find_widget (GTK_WIDGET (page), ADW_TYPE_COMBO_ROW));
  GtkWidget *toggle = display_find_widget (GTK_WIDGET (page), GTK_TYPE_SWITCH);

  g_assert_nonnull (combo);
  g_assert_nonnull (toggle);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (combo)), ==, 4);
  g_assert_cmpuint (g_strv_length ((char **) otter_torch_model_archs ()), ==, 4);

  const char *expect_off[] = { "tiny", "small" };
  const char *expect_on[] = { "resnet18", "mobilenet_v3_large" };
  g_autoptr (GHashTable) subtitles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (expect_off); i++)
    {
      adw_combo_row_set_selected (combo, arch_index (expect_off[i]));
      display_spin (0.1);
      g_assert_false (gtk_widget_is_sensitive (toggle));
      g_hash_table_add (subtitles, g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (combo))));
    }
  for (guint i = 0; i < G_N_ELEMENTS (expect_on); i++)
    {
      adw_combo_row_set_selected (combo, arch_index (expect_on[i]));
      display_spin (0.1);
      g_assert_true (gtk_widget_is_sensitive (toggle));
      g_hash_table_add (subtitles, g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (combo))));
    }
  /* each choice is explained in its own words */
  g_assert_cmpuint (g_hash_table_size (subtitles), ==, 4);
  g_assert_false (g_hash_table_contains (subtitles, ""));
  adw_combo_row_set_selected (combo, arch_index ("resnet18"));
  display_spin (0.3);
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-create-resnet18.png");
  gtk_window_destroy (window);
}

static char *
cache_file (const char *file)
{
  g_autofree char *dir = otter_weights_dup_cache_dir ();
  g_assert_true (g_str_has_prefix (dir, torch_home));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_build_filename (dir, file, NULL);
}

static AdwActionRow *
pretrained_row (OtterModelPage *page)
{
  return ADW_ACTION_ROW (gtk_widget_get_ancestor (display_find_widget (GTK_WIDGET (page), GTK_TYPE_SWITCH),
                                                  ADW_TYPE_ACTION_ROW));
}

typedef struct
{
  OtterModelPage *page;
  const char     *text;
} PageText;

static gboolean
pretrained_subtitle_has (gpointer data)
{
  PageText *pt = data;
  const char *subtitle = adw_action_row_get_subtitle (pretrained_row (pt->page));
  return subtitle != NULL && strstr (subtitle, pt->text) != NULL;
}

static gboolean
page_shows (gpointer data)
{
  PageText *pt = data;
  return find_label (GTK_WIDGET (pt->page), pt->text) != NULL;
}

static gboolean
page_hides (gpointer data)
{
  return !page_shows (data);
}

/* The select-resnet18-and-switch-on part of the pretrained tests. */
static AdwComboRow *
choose_pretrained_resnet18 (OtterModelPage *page, const char *expect_subtitle)
{
  AdwComboRow *combo = ADW_COMBO_ROW (display_find_widget (GTK_WIDGET (page), ADW_TYPE_COMBO_ROW));
  PageText pt = { page, expect_subtitle };

  adw_combo_row_set_selected (combo, arch_index ("resnet18"));
  /* the cache is looked at off the main thread */
  g_assert_true (display_wait_until (pretrained_subtitle_has, &pt, 10));
  gtk_switch_set_active (GTK_SWITCH (display_find_widget (GTK_WIDGET (page), GTK_TYPE_SWITCH)), TRUE);
  return combo;
}

/* A cached file that is not torchvision's (its SHA-256 does not match its
 * name): one line saying so, no model, and the page can still make one. */
static void
test_model_page_pretrained_damaged (void)
{
  g_autoptr (OtterSession) session = new_demo_session (FALSE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 760);
  g_autofree char *cached = cache_file ("resnet18-f37072fd.pth");
  g_autoptr (OtterWeightsSource) source = otter_weights_resolve ("resnet18", NULL);

  g_assert_true (g_file_set_contents (cached, "PK\x03\x04 not torchvision's weights", -1, NULL));
  choose_pretrained_resnet18 (page, "Already in PyTorch's cache");
  g_assert_nonnull (find_label (GTK_WIDGET (page), cached));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.create", NULL));
  PageText error = { page, "SHA-256" };
  g_assert_true (display_wait_until (page_shows, &error, 120));
  GtkLabel *label = find_label (GTK_WIDGET (page), "SHA-256");
  const char *message = gtk_label_get_label (label);
  g_test_message ("error shown: %s", message);
  g_assert_null (strchr (message, '\n'));
  g_assert_nonnull (strstr (message, cached));
  g_assert_nonnull (strstr (message, source->url));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "error"));
  g_assert_null (otter_session_get_model (session));
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "create");
  display_spin (0.3);
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-pretrained-error.png");

  /* still usable: the same architecture from a random start */
  gtk_switch_set_active (GTK_SWITCH (display_find_widget (GTK_WIDGET (page), GTK_TYPE_SWITCH)), FALSE);
  g_assert_true (gtk_widget_is_sensitive (display_find_actionable (GTK_WIDGET (page), "model.create")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.create", NULL));
  g_assert_true (display_wait_until (has_model, session, 120));
  display_spin (0.3);
  OtterModel *model = otter_session_get_model (session);
  g_assert_cmpstr (otter_model_get_arch (model), ==, "resnet18");
  g_assert_null (otter_model_get_backbone_weights (model));
  g_assert_null (otter_model_get_backbone_init (model, NULL));
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");
  g_assert_nonnull (find_label (GTK_WIDGET (page), "Random"));

  g_assert_cmpint (g_unlink (cached), ==, 0);
  gtk_window_destroy (window);
}

/* ---- a local server to download from (tests/tools/weights_server.py) --- */

typedef struct
{
  gboolean  done;
  char     *line;
} LineRead;

static void
read_line_cb (GObject *stream, GAsyncResult *result, gpointer user_data)
{
  LineRead *read = user_data;
  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (stream), result, NULL, NULL);
  read->done = TRUE;
}

static gboolean
line_read (gpointer data)
{
  return ((LineRead *) data)->done;
}

/* Serves `dir`; returns the server and its base URL, or NULL without python3. */
static GSubprocess *
server_start (const char *dir, char **base_url)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "tools", "weights_server.py", NULL);
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autoptr (GError) error = NULL;
  LineRead read = { FALSE, NULL };

  if (python == NULL || !g_file_test (script, G_FILE_TEST_EXISTS))
    return NULL;
  /* stdin stays open: the server exits when this process does */
  GSubprocess *server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                          python, script, dir, NULL);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &read);
  g_assert_true (display_wait_until (line_read, &read, 30));
  g_assert_nonnull (read.line);
  *base_url = g_strdup_printf ("http://127.0.0.1:%s", read.line);
  g_free (read.line);
  return server;
}

static gboolean
progress_shown (gpointer data)
{
  OtterModelPage *page = data;
  GtkProgressBar *bar = GTK_PROGRESS_BAR (display_find_widget (GTK_WIDGET (page), GTK_TYPE_PROGRESS_BAR));
  return gtk_widget_get_mapped (GTK_WIDGET (bar)) && gtk_progress_bar_get_fraction (bar) > 0;
}

/* Weights not in the cache are downloaded with a progress row that can
 * cancel; a download that is not torchvision's file ends in one line
 * naming the URL and the cache path, and no model. */
static void
test_model_page_pretrained_download (void)
{
  g_autofree char *serve = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *served = g_build_filename (serve, "resnet18-f37072fd.pth", NULL);
  g_autofree char *base_url = NULL;
  g_autofree char *payload = g_malloc (256 * 1024);

  memset (payload, 'x', 256 * 1024);
  g_assert_true (g_file_set_contents (served, payload, 256 * 1024, NULL));
  g_autoptr (GSubprocess) server = server_start (serve, &base_url);
  if (server == NULL)
    {
      g_test_skip ("needs python3 and tests/tools/weights_server.py");
      return;
    }
  g_autoptr (OtterSession) session = new_demo_session (FALSE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 760);
  g_autofree char *cached = cache_file ("resnet18-f37072fd.pth");
  g_autofree char *cache_dir = g_path_get_dirname (cached);
  g_autofree char *slow_url = g_strconcat (base_url, "/slow/", NULL);

  /* half the file, then the server stalls: time to look and to cancel */
  g_setenv ("OTTER_WEIGHTS_BASE_URL", slow_url, TRUE);
  choose_pretrained_resnet18 (page, "Will be downloaded");
  g_assert_nonnull (find_label (GTK_WIDGET (page), cache_dir));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.create", NULL));
  g_assert_true (display_wait_until (progress_shown, page, 30));
  g_assert_nonnull (find_label (GTK_WIDGET (page), "Downloading"));
  g_autofree char *half = g_format_size (128 * 1024), *whole = g_format_size (256 * 1024);
  g_autofree char *so_far = g_strdup_printf ("resnet18-f37072fd.pth · %s of %s", half, whole);
  PageText bytes = { page, so_far };
  g_assert_true (display_wait_until (page_shows, &bytes, 10));
  g_assert_false (gtk_widget_is_sensitive (display_find_actionable (GTK_WIDGET (page), "model.create")));
  display_spin (0.3);
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-downloading.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.cancel-create", NULL));
  PageText downloading = { page, "Downloading" };
  g_assert_true (display_wait_until (page_hides, &downloading, 10));
  display_spin (0.5);
  /* cancelling is not an error, and leaves nothing behind */
  g_assert_null (find_label (GTK_WIDGET (page), "could not download"));
  g_assert_null (otter_session_get_model (session));
  g_assert_false (g_file_test (cached, G_FILE_TEST_EXISTS));
  g_assert_true (gtk_widget_is_sensitive (display_find_actionable (GTK_WIDGET (page), "model.create")));

  /* all of it this time, but not the file its name promises */
  g_setenv ("OTTER_WEIGHTS_BASE_URL", base_url, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.create", NULL));
  PageText failed = { page, "could not download" };
  g_assert_true (display_wait_until (page_shows, &failed, 60));
  const char *message = gtk_label_get_label (find_label (GTK_WIDGET (page), "could not download"));
  g_autofree char *url = g_strconcat (base_url, "/resnet18-f37072fd.pth", NULL);
  g_test_message ("error shown: %s", message);
  g_assert_null (strchr (message, '\n'));
  g_assert_nonnull (strstr (message, url));
  g_assert_nonnull (strstr (message, cached));
  g_assert_null (otter_session_get_model (session));
  g_assert_false (g_file_test (cached, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "create");
  display_spin (0.3);
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-download-error.png");

  g_unsetenv ("OTTER_WEIGHTS_BASE_URL");
  g_subprocess_force_exit (server);
  g_unlink (served);
  g_rmdir (serve);
  gtk_window_destroy (window);
}

static gboolean
files_exist (gpointer data)
{
  char **paths = data;
  for (guint i = 0; paths[i] != NULL; i++)
    if (!g_file_test (paths[i], G_FILE_TEST_EXISTS))
      return FALSE;
  return TRUE;
}

/* ---- a backbone from a weights file ------------------------------------- */

/* The edge of the fixed input torchvision_backbones.py runs its model on. */
#define REFERENCE_SIZE 64

static void
remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static float *
read_floats (const char *dir, const char *name, gsize expected)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, ==, expected * sizeof (float));
  return (float *) data;
}

/* Runs tests/tools/torchvision_backbones.py: torchvision's own `arch` with
 * random weights, saved by torch.save as dir/ARCH-HASH.pth, beside its
 * feature maps on a fixed input. Returns result.json's root, or NULL (and
 * skips) where Debian's python3-torchvision is not installed. */
static JsonNode *
run_torchvision (const char *arch, const char *dir)
{
  const char *python = g_getenv ("OTTER_TORCH_PYTHON");
  if (python == NULL || *python == '\0')
    {
      g_test_skip ("python3-torchvision is not installed (OTTER_TORCH_PYTHON is unset)");
      return NULL;
    }
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "tools", "torchvision_backbones.py", NULL);
  g_autofree char *size = g_strdup_printf ("%d", REFERENCE_SIZE);
  const char *argv[] = { python, script, "--arch", arch, "--out", dir, "--size", size, NULL };
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", script, err);
  g_autofree char *json = g_build_filename (dir, "result.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, json, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} CreateResult;

static void
model_created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CreateResult *created = user_data;
  created->ok = otter_session_create_model_finish (OTTER_SESSION (source), result, &created->error);
  created->done = TRUE;
}

static gboolean
create_done (gpointer data)
{
  return ((CreateResult *) data)->done;
}

/* The action row whose title is `title`, mapped or not. */
static AdwActionRow *
find_row (GtkWidget *widget, const char *title)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_ACTION_ROW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      AdwActionRow *found = find_row (child, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A model whose backbone starts from a torchvision state_dict, made the way
 * the Model page makes one: the session loads the file, the model and the
 * engine record it, the page names it, and the backbone computes what
 * torchvision computes with those weights. */
static void
test_model_page_backbone_weights_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autoptr (JsonNode) root = run_torchvision ("resnet18", dir);
  if (root == NULL)
    {
      remove_dir (dir);
      return;
    }
  JsonObject *result = json_node_get_object (root);
  const char *file = json_object_get_string_member (result, "weights");
  const char *sha256 = json_object_get_string_member (result, "sha256");
  g_autofree char *weights = g_build_filename (dir, file, NULL);
  g_assert_true (g_file_test (weights, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_str_has_prefix (file, "resnet18-"));
  g_assert_true (g_str_has_suffix (file, ".pth"));

  g_autoptr (OtterSession) session = new_demo_session (FALSE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 760);
  CreateResult created = { FALSE, FALSE, NULL };

  otter_session_create_model_async (session, "resnet18", REFERENCE_SIZE, weights, NULL,
                                    model_created_cb, &created);
  g_assert_true (display_wait_until (create_done, &created, 120));
  g_assert_no_error (created.error);
  g_assert_true (created.ok);
  OtterModel *model = otter_session_get_model (session);
  g_assert_nonnull (model);
  g_assert_cmpstr (otter_model_get_arch (model), ==, "resnet18");
  g_assert_cmpstr (otter_model_get_backbone_weights (model), ==, weights);
  const char *sha = NULL;
  g_assert_cmpstr (otter_model_get_backbone_init (model, &sha), ==, file);
  g_assert_cmpstr (sha, ==, sha256);

  /* the engine's own record, and the weights really in the backbone: the
   * stride-32 map of torchvision's input matches torchvision's */
  JsonArray *shape = json_object_get_array_member (result, "input");
  int n = (int) json_array_get_int_element (shape, 0);
  g_autofree float *input = read_floats (dir, "input.f32", (gsize) n * 3 * REFERENCE_SIZE * REFERENCE_SIZE);
  JsonArray *top_shape = json_array_get_array_element (json_object_get_array_member (result, "levels"), 3);
  gsize numel = 1;
  for (guint d = 0; d < 4; d++)
    numel *= json_array_get_int_element (top_shape, d);
  g_autofree float *expected = read_floats (dir, "level3.f32", numel);
  OtterTorchBatch batch = { n, REFERENCE_SIZE, input, NULL, NULL };
  float *levels[4] = { NULL };
  int shapes[4][4];
  g_autoptr (GError) error = NULL;
  g_autofree char *engine_file = NULL;
  g_autofree char *engine_sha = NULL;
  OtterTorchModel *torch = otter_model_lock (model);
  gboolean ok = otter_torch_model_backbone_levels (torch, &batch, levels, shapes, &error);
  const char *torch_sha = NULL;
  engine_file = g_strdup (otter_torch_model_get_backbone_init (torch, &torch_sha));
  engine_sha = g_strdup (torch_sha);
  otter_model_unlock (model);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpstr (engine_file, ==, file);
  g_assert_cmpstr (engine_sha, ==, sha256);
  for (guint d = 0; d < 4; d++)
    g_assert_cmpint (shapes[3][d], ==, json_array_get_int_element (top_shape, d));
  double err = 0, scale = 1;
  for (gsize i = 0; i < numel; i++)
    {
      err = MAX (err, fabs ((double) levels[3][i] - expected[i]));
      scale = MAX (scale, fabs ((double) expected[i]));
    }
  g_test_message ("stride-32 map against torchvision's: max error %.3g of %.3g", err, scale);
  g_assert_cmpfloat (err / scale, <=, 1e-4);
  for (guint i = 0; i < 4; i++)
    g_free (levels[i]);

  /* the page's overview names the file (not ImageNet's: the hash differs) */
  display_spin (0.3);
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");
  AdwActionRow *row = find_row (GTK_WIDGET (page), "Initial Backbone Weights");
  g_assert_nonnull (row);
  GtkLabel *value = find_label (GTK_WIDGET (row), file);
  g_assert_nonnull (value);
  g_assert_cmpstr (gtk_label_get_label (value), ==, file);
  g_assert_null (find_label (GTK_WIDGET (row), "Random"));
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-backbone-file.png");

  gtk_window_destroy (window);
  remove_dir (dir);
}

/* Export for PyTorch writes the state_dict and its description. */
static void
test_model_page_export (void)
{
  g_autoptr (OtterSession) session = new_demo_session (FALSE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 760);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *pth = g_build_filename (dir, "tiny-96.pth", NULL);
  g_autofree char *json = g_build_filename (dir, "tiny-96.json", NULL);
  char *paths[] = { pth, json, NULL };

  /* nothing to export yet */
  GtkWidget *button = display_find_actionable (GTK_WIDGET (page), "model.export");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_is_sensitive (button));

  g_autoptr (GError) error = NULL;
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);
  display_spin (0.3);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.export-to", "s", pth));
  g_assert_true (display_wait_until (files_exist, paths, 60));
  PageText done = { page, "tiny-96.json" };
  g_assert_true (display_wait_until (page_shows, &done, 10));
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (json, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "circle"));
  display_spin (0.3);
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-exported.png");

  /* a folder that does not exist: the error is shown, the model stays */
  g_autofree char *bad = g_build_filename (dir, "missing", "x.pth", NULL);
  OtterModel *model = otter_session_get_model (session);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.export-to", "s", bad));
  PageText failed = { page, "missing" };
  g_assert_true (display_wait_until (page_shows, &failed, 60));
  g_test_message ("error shown: %s", gtk_label_get_label (find_label (GTK_WIDGET (page), "missing")));
  g_assert_true (otter_session_get_model (session) == model);
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");

  g_unlink (pth);
  g_unlink (json);
  g_rmdir (dir);
  gtk_window_destroy (window);
}

static gboolean
page_in_error (gpointer data)
{
  return g_strcmp0 (otter_model_page_get_state (data), "error") == 0;
}

static void
test_model_page_damaged (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterModel *before = otter_session_get_model (session);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 760);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (dir, "damaged.otter", NULL);
  g_assert_true (g_file_set_contents (bad, "OTTERMDL\x01\x00\x00\x00garbage", 20, NULL));

  otter_session_open_model (session, bad);
  g_assert_true (display_wait_until (page_in_error, page, 30));
  display_spin (0.3);
  g_test_message ("error shown: %s", otter_model_page_get_error (page));
  g_assert_nonnull (strstr (otter_model_page_get_error (page), "damaged.otter"));
  /* the engine's message is on screen, not only in a toast */
  g_assert_nonnull (find_label (GTK_WIDGET (page), "damaged.otter"));
  g_assert_true (otter_session_get_model (session) == before);
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-error.png");

  /* dismissing it goes back to the model that is still loaded */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "model.dismiss-error", NULL));
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");

  g_unlink (bad);
  g_rmdir (dir);
  gtk_window_destroy (window);
}

/* Saves the session's model with a training history, as a run would. */
static char *
save_trained_model (OtterSession *session, const char *dir)
{
  static const char *metadata =
    "{\"config\":{\"method\":\"standard\",\"epsilon\":0.0313},"
    "\"history\":[{\"epoch\":1,\"loss\":2.5,\"val_map50\":0.125},"
    "{\"epoch\":2,\"loss\":1.25,\"val_map50\":0.375}],"
    "\"final_loss\":1.25,\"val_map50\":0.375}";
  OtterModel *model = otter_session_get_model (session);
  char *path = g_build_filename (dir, "standard.otter", NULL);
  g_autoptr (GError) error = NULL;
  OtterTorchModel *torch = otter_model_lock (model);
  gboolean ok = otter_torch_model_save (torch, path, metadata, &error);
  otter_model_unlock (model);
  g_assert_no_error (error);
  g_assert_true (ok);
  return path;
}

static gboolean
model_has_path (gpointer data)
{
  OtterModel *model = otter_session_get_model (data);
  return model != NULL && otter_model_get_path (model) != NULL;
}

static void
test_model_page_history (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterModelPage *page = g_object_new (OTTER_TYPE_MODEL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1000, 1600);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *path = save_trained_model (session, dir);

  otter_session_open_model (session, path);
  g_assert_true (display_wait_until (model_has_path, session, 30));
  display_spin (0.3);
  g_assert_cmpstr (otter_model_page_get_state (page), ==, "model");
  /* where it came from, how it trained, epoch by epoch */
  g_assert_nonnull (find_label (GTK_WIDGET (page), path));
  g_assert_nonnull (find_label (GTK_WIDGET (page), "standard, 2 epochs"));
  g_assert_nonnull (find_label (GTK_WIDGET (page), "2.5000"));
  g_assert_nonnull (find_label (GTK_WIDGET (page), "0.375"));
  display_save_widget_png (GTK_WIDGET (window), "/tmp/model-page-history.png");

  g_unlink (path);
  g_rmdir (dir);
  gtk_window_destroy (window);
}

static gboolean
has_compare_model (gpointer data)
{
  return otter_eval_page_get_compare_model (data) != NULL;
}

static gboolean
eval_finished (gpointer data)
{
  return !otter_eval_page_get_running (data);
}

static void
test_eval_page_runs (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterEvalPage *page = g_object_new (OTTER_TYPE_EVAL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1200, 800);
  OtterDataset *dataset = otter_session_get_dataset (session);
  guint n_classes = otter_dataset_get_n_classes (dataset);

  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_NONE, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_FGSM, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_PGD, FALSE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_OT, FALSE);
  g_assert_null (otter_eval_page_get_evaluation (page));
  otter_eval_page_run (page);
  g_assert_true (otter_eval_page_get_running (page));
  g_assert_true (display_wait_until (eval_finished, page, 600));

  OtterEvaluation *ev = otter_eval_page_get_evaluation (page);
  g_assert_nonnull (ev);
  g_assert_cmpuint (otter_evaluation_get_n_attacks (ev), ==, 2);
  g_assert_cmpuint (otter_evaluation_get_n_images (ev), >, 0);
  /* the default is the validation split, not the whole dataset */
  g_assert_cmpuint (otter_evaluation_get_n_images (ev), <,
                    g_list_model_get_n_items (G_LIST_MODEL (dataset)));

  /* one row per class, then the mean */
  GListModel *rows = otter_eval_page_get_rows (page);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_classes + 1);
  g_autoptr (GtkStringObject) last = g_list_model_get_item (rows, n_classes);
  g_assert_cmpstr (gtk_string_object_get_string (last), ==, "mean");
  display_spin (0.3);
  g_assert_nonnull (find_label (GTK_WIDGET (page), "Mean"));
  const char *const *names = otter_dataset_get_class_names (dataset);
  g_assert_nonnull (find_label (GTK_WIDGET (page), names[0]));

  /* the chart: two attacks, mAP@0.5 and mAP for the one model */
  OtterBarChart *chart = otter_eval_page_get_chart (page);
  g_assert_cmpuint (otter_bar_chart_get_n_groups (chart), ==, 2);
  g_assert_cmpuint (otter_bar_chart_get_n_series (chart), ==, 2);
  const OtterMapResult *clean = otter_evaluation_get_result (ev, 0, 0);
  g_assert_cmpfloat (otter_bar_chart_get_value (chart, 0, 0), ==, clean->map50);
  g_autoptr (GdkTexture) texture = display_render_widget (GTK_WIDGET (chart));
  double variety = display_texture_variety (texture, 0, 0, gdk_texture_get_width (texture),
                                            gdk_texture_get_height (texture));
  g_test_message ("chart variety %.3f, clean mAP@0.5 %.3f", variety, clean->map50);
  g_assert_cmpfloat (variety, >, 0.01);

  /* the export holds the same numbers */
  g_autofree char *csv = otter_evaluation_to_csv (ev);
  g_assert_nonnull (strstr (csv, "model,attack,epsilon,class,ap50,ap"));
  g_assert_nonnull (strstr (csv, ",mean,"));

  g_assert_true (display_save_widget_png (GTK_WIDGET (window), "/tmp/eval-page.png"));
  gtk_window_destroy (window);
}

/* A second model from a file is scored on the same images, side by side. */
static void
test_eval_page_compare (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterEvalPage *page = g_object_new (OTTER_TYPE_EVAL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1200, 800);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *path = save_trained_model (session, dir);
  guint n_classes = otter_dataset_get_n_classes (otter_session_get_dataset (session));

  otter_eval_page_load_compare (page, path);
  g_assert_true (display_wait_until (has_compare_model, page, 30));
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_NONE, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_FGSM, TRUE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_PGD, FALSE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_OT, FALSE);
  otter_eval_page_run (page);
  g_assert_true (display_wait_until (eval_finished, page, 600));

  OtterEvaluation *ev = otter_eval_page_get_evaluation (page);
  g_assert_nonnull (ev);
  g_assert_cmpuint (otter_evaluation_get_n_models (ev), ==, 2);
  g_assert_cmpstr (otter_evaluation_get_model_label (ev, 1), ==, "standard");
  /* the same weights on the same images score the same */
  for (guint a = 0; a < 2; a++)
    g_assert_cmpfloat_with_epsilon (otter_evaluation_get_result (ev, 0, a)->map50,
                                    otter_evaluation_get_result (ev, 1, a)->map50, 1e-6);
  g_assert_cmpuint (g_list_model_get_n_items (otter_eval_page_get_rows (page)), ==, n_classes + 1);
  OtterBarChart *chart = otter_eval_page_get_chart (page);
  g_assert_cmpuint (otter_bar_chart_get_n_series (chart), ==, 4);
  display_spin (0.3);
  g_assert_nonnull (find_label (GTK_WIDGET (page), "standard"));
  display_save_widget_png (GTK_WIDGET (window), "/tmp/eval-page-compare.png");

  g_unlink (path);
  g_rmdir (dir);
  gtk_window_destroy (window);
}

/* The PGD-50 check adds the strong attack, at its own 50 steps. */
static void
test_eval_page_pgd50 (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterEvalPage *page = g_object_new (OTTER_TYPE_EVAL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1200, 800);

  /* off unless asked for: it is slow */
  g_assert_nonnull (find_label (GTK_WIDGET (page), "PGD-50"));
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_NONE, FALSE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_FGSM, FALSE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_PGD, FALSE);
  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_OT, FALSE);
  /* nothing chosen, nothing to run */
  otter_eval_page_run (page);
  g_assert_false (otter_eval_page_get_running (page));

  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_PGD50, TRUE);
  otter_eval_page_run (page);
  g_assert_true (otter_eval_page_get_running (page));
  g_assert_true (display_wait_until (eval_finished, page, 600));
  OtterEvaluation *ev = otter_eval_page_get_evaluation (page);
  g_assert_nonnull (ev);
  g_assert_cmpuint (otter_evaluation_get_n_attacks (ev), ==, 1);
  g_autofree char *label = otter_evaluation_dup_attack_label (ev, 0);
  g_assert_cmpstr (label, ==, "PGD-50×5");
  display_spin (0.3);
  g_assert_nonnull (find_label (GTK_WIDGET (page), "PGD-50×5"));
  display_save_widget_png (GTK_WIDGET (window), "/tmp/eval-page-pgd50.png");
  gtk_window_destroy (window);
}

static void
test_eval_page_cancel (void)
{
  g_autoptr (OtterSession) session = new_demo_session (TRUE);
  OtterEvalPage *page = g_object_new (OTTER_TYPE_EVAL_PAGE, "session", session, NULL);
  GtkWindow *window = new_window_for (GTK_WIDGET (page), 1200, 800);

  otter_eval_page_set_attack_enabled (page, OTTER_ATTACK_PGD, TRUE);
  otter_eval_page_run (page);
  g_assert_true (otter_eval_page_get_running (page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "eval.cancel", NULL));
  g_assert_true (display_wait_until (eval_finished, page, 120));
  /* a cancelled run leaves no half results behind */
  g_assert_null (otter_eval_page_get_evaluation (page));
  gtk_window_destroy (window);
}

/* A session outlives the pages that showed it (a window closed while its
 * dataset still loads): its later changes reach none of them. */
static void
test_pages_outlived_by_session (void)
{
  g_autoptr (OtterSession) session = otter_session_new ();
  GType types[] = { OTTER_TYPE_DATA_PAGE, OTTER_TYPE_MODEL_PAGE, OTTER_TYPE_PERTURB_PAGE,
                    OTTER_TYPE_TRAINING_PAGE, OTTER_TYPE_EVAL_PAGE, OTTER_TYPE_VIDEO_PAGE };
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GtkWidget *page = g_object_new (types[i], "session", session, NULL);
      GtkWindow *window = new_window_for (page, 900, 700);
      gtk_window_destroy (window);
    }
  display_spin (0.2);
  /* the dataset arrives and a model with it: a handler left on a gone page
   * would run on freed memory here, or warn of a bad cast */
  otter_session_open_dataset (session, "demo:16");
  g_assert_true (display_wait_until (has_dataset, session, 60));
  g_autoptr (GError) error = NULL;
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);
  display_spin (0.3);
}

int
main (int argc, char *argv[])
{
  /* before any thread: the environment is not safe to change later */
  torch_home = g_dir_make_tmp ("otter-torch-home-XXXXXX", NULL);
  g_setenv ("TORCH_HOME", torch_home, TRUE);
  g_unsetenv ("OTTER_WEIGHTS_BASE_URL");
  app = display_test_init (&argc, &argv);
  /* Pages alone reference nothing in the resource object: pull it in, so
   * its constructor registers the templates. */
  g_assert_nonnull (otter_get_resource ());
  g_test_add_func ("/otter/ModelPage/shows-model", test_model_page_shows_model);
  g_test_add_func ("/otter/Pages/outlived-by-session", test_pages_outlived_by_session);
  g_test_add_func ("/otter/ModelPage/create", test_model_page_create);
  g_test_add_func ("/otter/ModelPage/architectures", test_model_page_architectures);
  g_test_add_func ("/otter/ModelPage/pretrained-damaged-cache", test_model_page_pretrained_damaged);
  g_test_add_func ("/otter/ModelPage/pretrained-download", test_model_page_pretrained_download);
  g_test_add_func ("/otter/ModelPage/backbone-weights-file", test_model_page_backbone_weights_file);
  g_test_add_func ("/otter/ModelPage/export", test_model_page_export);
  g_test_add_func ("/otter/ModelPage/damaged-model", test_model_page_damaged);
  g_test_add_func ("/otter/ModelPage/history", test_model_page_history);
  g_test_add_func ("/otter/EvalPage/run", test_eval_page_runs);
  g_test_add_func ("/otter/EvalPage/compare", test_eval_page_compare);
  g_test_add_func ("/otter/EvalPage/pgd50", test_eval_page_pgd50);
  g_test_add_func ("/otter/EvalPage/cancel", test_eval_page_cancel);
  int status = g_test_run ();
  /* what the pretrained tests left: hub/checkpoints, emptied by them */
  g_autofree char *cache = otter_weights_dup_cache_dir ();
  g_autofree char *hub = g_path_get_dirname (cache);
  g_rmdir (cache);
  g_rmdir (hub);
  g_rmdir (torch_home);
  g_free (torch_home);
  return status;
}
