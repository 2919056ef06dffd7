/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-replay.c: runs a harness over every file of its corpus
 *
 * Linked instead of libFuzzer in the ordinary build, so each corpus
 * (crashes found earlier included) is replayed as a regression test.
 * Arguments are files or folders; folders are read one level deep, in
 * name order.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      fprintf (stderr, "%s: %s\n", path, error->message);
      return FALSE;
    }
  /* a copy of exactly the input's size, so reading past it is caught */
  g_autofree guint8 *copy = g_memdup2 (contents, length);
  LLVMFuzzerTestOneInput (copy, length);

  return TRUE;
}

static gboolean
replay_dir (const char *dir,
            guint      *count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *d = g_dir_open (dir, 0, &error);
  const char *name;
  gboolean ok = TRUE;

  if (d == NULL)
    {
      fprintf (stderr, "%s: %s\n", dir, error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (dir, name, NULL));
  g_dir_close (d);
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      if (g_file_test (names->pdata[i], G_FILE_TEST_IS_DIR))
        continue;
      if (!replay_file (names->pdata[i]))
        ok = FALSE;
      (*count)++;
    }

  return ok;
}

int
main (int    argc,
      char **argv)
{
  guint count = 0;
  gboolean ok = TRUE;

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s CORPUS-FOLDER-OR-FILE…\n", argv[0]);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        ok = replay_dir (argv[i], &count) && ok;
      else
        {
          ok = replay_file (argv[i]) && ok;
          count++;
        }
    }

  if (count == 0)
    {
      fprintf (stderr, "%s: no inputs to replay\n", argv[0]);
      return 1;
    }
  printf ("%u inputs replayed\n", count);

  return ok ? 0 : 1;
}
