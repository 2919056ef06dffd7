/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-common.c */

#include "config.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otter-cli-common.h"
#include "otter-error.h"

static int
print_failure (int         exit_code,
               const char *format,
               va_list     args)
{
  g_autofree char *msg = g_strdup_vprintf (format, args);
  otter_cli_progress_end ();
  fprintf (stderr, "otter-cli: %s\n", msg);
  return exit_code;
}

int
otter_cli_fail (const char *format, ...)
{
  va_list args;
  va_start (args, format);
  int exit_code = print_failure (OTTER_CLI_EXIT_FAILED, format, args);
  va_end (args);
  return exit_code;
}

int
otter_cli_usage_fail (const char *format, ...)
{
  va_list args;
  va_start (args, format);
  int exit_code = print_failure (OTTER_CLI_EXIT_USAGE, format, args);
  va_end (args);
  return exit_code;
}

gboolean
otter_cli_check_int (const char *flag,
                     int         value,
                     int         min,
                     int         max,
                     int        *exit_code)
{
  if (value == OTTER_CLI_UNSET_INT || (value >= min && value <= max))
    return TRUE;
  *exit_code = otter_cli_usage_fail (_("--%s must be a whole number from %d to %d, not %d"), flag, min, max, value);
  return FALSE;
}

gboolean
otter_cli_check_double (const char *flag,
                        double      value,
                        double      min,
                        gboolean    min_open,
                        double      max,
                        int        *exit_code)
{
  if (value == OTTER_CLI_UNSET_DOUBLE ||
      (isfinite (value) && (min_open ? value > min : value >= min) && value <= max))
    return TRUE;
  *exit_code = otter_cli_usage_fail (min_open ? _("--%s must be a number above %g and at most %g, not %g")
                                              : _("--%s must be a number from %g to %g, not %g"),
                                     flag, min, max, value);
  return FALSE;
}

gboolean
otter_cli_parse (GOptionContext *context,
                 int            *argc,
                 char         ***argv,
                 int            *exit_code)
{
  g_autoptr (GError) error = NULL;
  /* Every command's --help text (summary, option descriptions) is marked
   * with N_() where it is defined; GOption translates it through the domain. */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      /* Translators: %s is GLib's message about the bad option. */
      fprintf (stderr, _("otter-cli: %s (see --help)\n"), error->message);
      *exit_code = OTTER_CLI_EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}

gboolean
otter_cli_parse_flags_only (GOptionContext *context,
                            int            *argc,
                            char         ***argv,
                            int            *exit_code)
{
  if (!otter_cli_parse (context, argc, argv, exit_code))
    return FALSE;
  if (*argc > 1)
    {
      *exit_code = otter_cli_usage_fail (_("unexpected argument “%s” (every input is given by a flag; see --help)"),
                                         (*argv)[1]);
      return FALSE;
    }
  return TRUE;
}

gboolean
otter_cli_threads_given (int threads)
{
  const char *env = g_getenv ("OTTER_THREADS");
  return threads != OTTER_CLI_UNSET_INT || (env != NULL && *env != '\0');
}

gboolean
otter_cli_setup_threads (int  threads,
                         int *exit_code)
{
  int most = 4 * (int) g_get_num_processors ();
  const char *env = g_getenv ("OTTER_THREADS");

  if (threads != OTTER_CLI_UNSET_INT && !otter_cli_check_int ("threads", threads, 1, most, exit_code))
    return FALSE;
  if (threads == OTTER_CLI_UNSET_INT && env != NULL && *env != '\0')
    {
      threads = atoi (env);
      if (threads < 1 || threads > most)
        {
          *exit_code = otter_cli_usage_fail (_("OTTER_THREADS must be a whole number from 1 to %d, not “%s”"), most,
                                             env);
          return FALSE;
        }
    }
  if (threads == OTTER_CLI_UNSET_INT)
    threads = (int) g_get_num_processors ();
  otter_torch_set_threads (threads);
  return TRUE;
}

gboolean
otter_cli_parse_epsilon (const char *text,
                         float      *value)
{
  char *end = NULL;
  double num = g_ascii_strtod (text, &end);
  if (end == text)
    return FALSE;
  if (*end == '/')
    {
      char *end2 = NULL;
      double den = g_ascii_strtod (end + 1, &end2);
      if (end2 == end + 1 || *end2 != '\0' || den <= 0)
        return FALSE;
      num /= den;
    }
  else if (*end != '\0')
    return FALSE;
  else if (num > 1)
    num /= 255.0;                      /* "8" means 8/255, as papers write it */
  if (!(num >= 0 && num <= 1))
    return FALSE;
  *value = (float) num;
  return TRUE;
}

/* json-glib prints doubles with 17 significant digits, so 0.6 reads
 * 0.59999999999999998. Numbers outside strings are rewritten with the
 * shortest of up to 10 significant digits, which is plenty for losses,
 * APs and pixel coordinates. */
static char *
shorten_numbers (const char *json)
{
  GString *out = g_string_sized_new (strlen (json));
  gboolean in_string = FALSE;
  for (const char *p = json; *p != '\0';)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            {
              g_string_append_len (out, p, 2);
              p += 2;
              continue;
            }
          if (*p == '"')
            in_string = FALSE;
          g_string_append_c (out, *p++);
          continue;
        }
      if (*p == '"')
        {
          in_string = TRUE;
          g_string_append_c (out, *p++);
          continue;
        }
      if (*p == '-' || g_ascii_isdigit (*p))
        {
          const char *start = p;
          gboolean fractional = FALSE;
          while (*p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E' || g_ascii_isdigit (*p))
            fractional |= (*p == '.' || *p == 'e' || *p == 'E'), p++;
          if (fractional)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];
              g_ascii_formatd (buf, sizeof buf, "%.10g", g_ascii_strtod (start, NULL));
              g_string_append (out, buf);
            }
          else
            g_string_append_len (out, start, p - start);
          continue;
        }
      g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

char *
otter_cli_json_to_string (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, TRUE);
  return shorten_numbers (text);
}

void
otter_cli_print_json (JsonNode *node)
{
  g_autofree char *shortened = otter_cli_json_to_string (node);
  printf ("%s\n", shortened);
  fflush (stdout);
}

gboolean
otter_cli_stderr_is_tty (void)
{
  return isatty (STDERR_FILENO) && g_getenv ("OTTER_PLAIN_PROGRESS") == NULL;
}

static gboolean bar_drawn;
static gint64 last_plain_us;

void
otter_cli_progress (gboolean    force,
                    double      fraction,
                    const char *format,
                    ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (otter_cli_stderr_is_tty ())
    {
      const int width = 24;
      int filled = (int) (CLAMP (fraction, 0, 1) * width + 0.5);
      GString *bar = g_string_new ("\r\033[K[");
      for (int i = 0; i < width; i++)
        g_string_append (bar, i < filled ? "█" : "·");
      g_string_append_printf (bar, "] %3.0f%% %s", CLAMP (fraction, 0, 1) * 100, msg);
      fputs (bar->str, stderr);
      g_string_free (bar, TRUE);
      bar_drawn = TRUE;
      if (force)
        otter_cli_progress_end ();
    }
  else
    {
      gint64 now = g_get_monotonic_time ();
      if (!force && now - last_plain_us < 5 * G_USEC_PER_SEC)
        return;
      last_plain_us = now;
      fprintf (stderr, "%s\n", msg);
    }
  fflush (stderr);
}

void
otter_cli_progress_end (void)
{
  if (bar_drawn)
    fputc ('\n', stderr);
  bar_drawn = FALSE;
}

void
otter_cli_print_skipped (const char      *what,
                         const GPtrArray *reasons,
                         const char      *more)
{
  if (reasons->len == 0)
    return;
  guint shown = MIN (reasons->len, 10);
  if (what != NULL)
    fprintf (stderr, ngettext ("otter-cli: %s: %u sample skipped:\n", "otter-cli: %s: %u samples skipped:\n",
                               reasons->len), what, reasons->len);
  else
    fprintf (stderr, ngettext ("otter-cli: %u sample skipped:\n", "otter-cli: %u samples skipped:\n",
                               reasons->len), reasons->len);
  for (guint i = 0; i < shown; i++)
    fprintf (stderr, "  %s\n", (const char *) reasons->pdata[i]);
  if (shown < reasons->len)
    {
      if (more != NULL)
        /* Translators: the %s says where the rest are listed */
        fprintf (stderr, _("  … and %u more (%s)\n"), reasons->len - shown, more);
      else
        fprintf (stderr, _("  … and %u more\n"), reasons->len - shown);
    }
}

void
otter_cli_print_notes (const char      *path,
                       const GPtrArray *notes)
{
  if (notes->len == 0)
    return;
  guint shown = MIN (notes->len, 10);
  fprintf (stderr, ngettext ("otter-cli: %s: %u annotation adjusted:\n", "otter-cli: %s: %u annotations adjusted:\n",
                             notes->len), path, notes->len);
  for (guint i = 0; i < shown; i++)
    fprintf (stderr, "  %s\n", (const char *) notes->pdata[i]);
  if (shown < notes->len)
    fprintf (stderr, _("  … and %u more\n"), notes->len - shown);
}

void
otter_cli_hint_outside_root (guint n_outside)
{
  if (n_outside == 0)
    return;
  fprintf (stderr, ngettext ("otter-cli: %u of them lies outside the dataset's folder; %s\n",
                             "otter-cli: %u of them lie outside the dataset's folder; %s\n", n_outside),
           n_outside, OTTER_CLI_OUTSIDE_ROOT_HINT);
}

OtterDataset *
otter_cli_load_dataset (const char *path,
                        gboolean    allow_outside_root,
                        GError    **error)
{
  OtterDatasetLoadFlags flags = allow_outside_root ? OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT : OTTER_DATASET_LOAD_NONE;
  g_autoptr (GError) local_error = NULL;
  OtterDataset *dataset = otter_dataset_load_with_flags (path, flags, NULL, &local_error);
  if (dataset == NULL)
    {
      if (g_error_matches (local_error, OTTER_ERROR, OTTER_ERROR_OUTSIDE_ROOT))
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_OUTSIDE_ROOT, "%s (%s)", local_error->message,
                     OTTER_CLI_OUTSIDE_ROOT_HINT);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  const GArray *skipped = otter_dataset_get_skipped (dataset);
  g_autoptr (GPtrArray) reasons = g_ptr_array_new ();
  for (guint i = 0; i < skipped->len; i++)
    g_ptr_array_add (reasons, g_array_index (skipped, OtterSkippedSample, i).reason);
  otter_cli_print_skipped (path, reasons, NULL);
  otter_cli_hint_outside_root (otter_dataset_get_n_outside_root (dataset));
  otter_cli_print_notes (path, otter_dataset_get_notes (dataset));
  return dataset;
}
