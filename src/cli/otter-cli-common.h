/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-common.h: what the otter-cli subcommands share */
#pragma once

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "otter-dataset.h"
#include "otter-torch.h"

G_BEGIN_DECLS

typedef int (*OtterCliCommand) (int argc, char **argv);

int      otter_cli_train   (int argc, char **argv);
int      otter_cli_eval    (int argc, char **argv);
int      otter_cli_perturb (int argc, char **argv);
int      otter_cli_detect  (int argc, char **argv);
int      otter_cli_video   (int argc, char **argv);
int      otter_cli_export  (int argc, char **argv);
int      otter_cli_weights (int argc, char **argv);

/* Exit codes */
#define OTTER_CLI_EXIT_OK            0
#define OTTER_CLI_EXIT_FAILED        1
#define OTTER_CLI_EXIT_USAGE         64
#define OTTER_CLI_EXIT_NOT_CONVERGED 2

/* Prints "otter-cli: <message>" on stderr and returns OTTER_CLI_EXIT_FAILED. */
int      otter_cli_fail          (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* The same for a bad flag or value: returns OTTER_CLI_EXIT_USAGE. */
int      otter_cli_usage_fail    (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Numeric flags start at these, so that a value the user gave, 0 or a
 * negative number included, is told apart from none. */
#define OTTER_CLI_UNSET_INT    G_MININT
#define OTTER_CLI_UNSET_DOUBLE (-G_MAXDOUBLE)
/* TRUE when `value` is unset or in [min, max] (and finite); otherwise
 * prints "--flag must be …" and sets *exit_code to OTTER_CLI_EXIT_USAGE.
 * `min_open` excludes min itself. */
gboolean otter_cli_check_int     (const char *flag,
                                  int         value,
                                  int         min,
                                  int         max,
                                  int        *exit_code);
gboolean otter_cli_check_double  (const char *flag,
                                  double      value,
                                  double      min,
                                  gboolean    min_open,
                                  double      max,
                                  int        *exit_code);
/* Parses options; prints usage errors. Returns FALSE when the command
 * should exit with *exit_code. */
gboolean otter_cli_parse         (GOptionContext *context,
                                  int            *argc,
                                  char         ***argv,
                                  int            *exit_code);
/* otter_cli_parse() for a command that takes no arguments besides its
 * flags: a stray word (a typo, a path without its flag) is a usage error. */
gboolean otter_cli_parse_flags_only (GOptionContext *context,
                                     int            *argc,
                                     char         ***argv,
                                     int            *exit_code);
/* libtorch threads: --threads N, or OTTER_THREADS, or all cores. FALSE
 * (with *exit_code set) for a count below 1 or above 4 × the cores, which
 * would only make the threads fight. */
gboolean otter_cli_setup_threads (int threads,
                                  int *exit_code);
/* Whether the user chose the thread count (--threads, or OTTER_THREADS)
 * rather than leaving it to Otter. */
gboolean otter_cli_threads_given (int threads);
/* Parses "0.03", "8/255" or "8" (values > 1 are read as /255). */
gboolean otter_cli_parse_epsilon (const char *text,
                                  float      *value);
/* Pretty JSON with numbers at up to 10 significant digits. */
char    *otter_cli_json_to_string (JsonNode  *node);
/* Writes the JSON node on stdout followed by a newline. */
void     otter_cli_print_json    (JsonNode   *node);
gboolean otter_cli_stderr_is_tty (void);
/* One progress line on stderr: a redrawn bar on a terminal, plain lines
 * otherwise (at most one every few seconds unless `force`). */
void     otter_cli_progress      (gboolean    force,
                                  double      fraction,
                                  const char *format, ...) G_GNUC_PRINTF (3, 4);
void     otter_cli_progress_end  (void);
/* Loads a dataset and reports on stderr the samples it skipped and what
 * it adjusted; `allow_outside_root` is --allow-outside-root. */
OtterDataset *otter_cli_load_dataset (const char *path,
                                      gboolean    allow_outside_root,
                                      GError    **error);
/* The skipped samples (strings), at most ten of them, then how many more;
 * `more` says where the rest are, or NULL. */
void     otter_cli_print_skipped (const char       *what,
                                  const GPtrArray  *reasons,
                                  const char       *more);
/* The dataset's notes (what loading adjusted), at most ten. */
void     otter_cli_print_notes   (const char       *path,
                                  const GPtrArray  *notes);
#define OTTER_CLI_OUTSIDE_ROOT_HINT _("pass --allow-outside-root to read them if you trust the dataset")
/* After skips outside the dataset's folder: how to keep them. */
void     otter_cli_hint_outside_root (guint     n_outside);

/* --allow-outside-root, shared by the commands that read datasets. */
#define OTTER_CLI_ALLOW_OUTSIDE_ROOT_ENTRY(variable) \
  { "allow-outside-root", 0, 0, G_OPTION_ARG_NONE, &(variable), \
    N_("Read images and labels that annotation paths or links put outside the dataset's folder"), NULL }

G_END_DECLS
