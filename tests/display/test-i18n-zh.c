/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-i18n-zh.c: every page of the window, in Simplified Chinese, has no
 * English left in what it shows */

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "display-utils.h"
#include "otter-i18n.h"
#include "otter-perturb-page.h"
#include "otter-window.h"

static AdwApplication *app;

/* Words that stay as they are in every language, from
 * tests/i18n/allowed-words.txt (shared with the installed-app check). */
static GHashTable *allowed;

static void
load_allowed_words (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "i18n", "allowed-words.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  allowed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '#')
        continue;
      g_auto (GStrv) words = g_strsplit_set (lines[i], " \t", -1);
      for (guint j = 0; words[j] != NULL; j++)
        if (words[j][0] != '\0')
          g_hash_table_add (allowed, g_strdup (words[j]));
    }
  g_assert_cmpuint (g_hash_table_size (allowed), >, 0);
}

static gboolean
word_allowed (const char *word)
{
  return g_hash_table_contains (allowed, word);
}

/* Adds `text` (shown by `where`) to `found` when it has a run of three or
 * more ASCII letters that is not an allowed name. */
static void
check_text (const char *text,
            const char *where,
            GPtrArray  *found)
{
  if (text == NULL)
    return;
  for (const char *p = text; *p != '\0';)
    {
      if (!g_ascii_isalpha (*p))
        {
          p++;
          continue;
        }
      const char *start = p;
      /* Names such as resnet18 or mobilenet_v3_large are one word. */
      while (g_ascii_isalnum (*p) || *p == '_')
        p++;
      g_autofree char *word = g_strndup (start, p - start);
      guint letters = 0;
      for (const char *c = word; *c != '\0' && g_ascii_isalpha (*c); c++)
        letters++;
      if (letters >= 3 && !word_allowed (word))
        {
          g_ptr_array_add (found, g_strdup_printf ("%s: “%s” (%s)", where, text, word));
          return;
        }
    }
}

static void
walk (GtkWidget  *widget,
      const char *page,
      GPtrArray  *found)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  g_autofree char *where = g_strdup_printf ("%s %s", page, G_OBJECT_TYPE_NAME (widget));
  /* Buttons, rows (title and subtitle), window titles, status pages and
   * placeholders all show their text through labels. */
  if (GTK_IS_LABEL (widget))
    check_text (gtk_label_get_text (GTK_LABEL (widget)), where, found);
  check_text (gtk_widget_get_tooltip_text (widget), where, found);
  if (ADW_IS_PREFERENCES_ROW (widget))
    check_text (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), where, found);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk (child, page, found);
}

static gboolean
has_dataset_and_model (gpointer data)
{
  OtterSession *session = data;
  return otter_session_get_dataset (session) != NULL && otter_session_get_model (session) != NULL;
}

/* The Perturbation page computes its first batch on its own: its results
 * (titles, D before and after) are checked too. */
static gboolean
perturbation_shown (gpointer data)
{
  OtterPerturbPage *page = data;
  return otter_perturb_page_get_serial (page) > 0 && !otter_perturb_page_get_busy (page);
}

static void
test_pages_in_chinese (void)
{
  /* The catalogue is really loaded: a string of the window is Chinese. */
  g_assert_cmpstr (_("Data"), !=, "Data");

  OtterWindow *window = otter_window_new (app);
  OtterSession *session = otter_window_get_session (window);
  /* Wide enough that every page shows its settings beside the results. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  otter_session_open_dataset (session, "demo");
  g_assert_true (display_wait_until ((gpointer) otter_session_get_dataset, session, 60));
  g_autoptr (GError) error = NULL;
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);
  g_assert_true (display_wait_until (has_dataset_and_model, session, 10));

  const char *pages[] = { "welcome", "data", "model", "perturb", "training", "eval", "video" };
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      if (strcmp (pages[i], "welcome") == 0)
        otter_window_show_welcome (window);
      else
        otter_window_show_page (window, pages[i]);
      display_spin (0.5);
      if (strcmp (pages[i], "perturb") == 0)
        {
          GtkWidget *page = otter_window_get_page (window, "perturb");
          g_assert_true (display_wait_until (perturbation_shown, page, 120));
          display_spin (0.3);
        }
      walk (GTK_WIDGET (window), pages[i], found);
      if (g_getenv ("OTTER_SCREENSHOT_DIR") != NULL)
        {
          g_autofree char *name = g_strdup_printf ("zh_CN-%s.png", pages[i]);
          g_autofree char *png = g_build_filename (g_getenv ("OTTER_SCREENSHOT_DIR"), name, NULL);
          display_save_widget_png (GTK_WIDGET (window), png);
        }
    }
  /* A text seen on every page (the sidebar) is reported once. */
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;
  for (guint i = 0; i < found->len; i++)
    {
      const char *text = strchr (found->pdata[i], ' ');
      if (g_hash_table_add (seen, (gpointer) text))
        {
          g_printerr ("English left: %s\n", (char *) found->pdata[i]);
          n++;
        }
    }
  g_assert_cmpuint (n, ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  /* LANGUAGE picks the catalogue; glibc honours it only under a real locale,
   * and C.UTF-8 is one (built into glibc ≥ 2.35, so no locale needs to be
   * generated). gtk_test_init() sets its own locale, so ours comes after it. */
  /* Runs the other tests left in the user's data folder would otherwise be
   * listed on the Training page; this test sees the same page every time. */
  g_autofree char *data_home = g_dir_make_tmp ("otter-i18n-XXXXXX", NULL);
  g_assert_nonnull (data_home);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  app = display_test_init (&argc, &argv);
  otter_i18n_init ();
  g_assert_cmpstr (setlocale (LC_ALL, NULL), ==, "C.UTF-8");
  load_allowed_words ();
  g_test_add_func ("/otter/I18n/pages-in-chinese", test_pages_in_chinese);
  int status = g_test_run ();
  g_hash_table_unref (allowed);
  /* The pages may have made folders under it (otter/runs). */
  g_autofree char *quoted = g_shell_quote (data_home);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);
  if (system (command) != 0)
    g_warning ("could not remove %s", data_home);
  return status;
}
