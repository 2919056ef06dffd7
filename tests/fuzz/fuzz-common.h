/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-common.h: what the fuzz harnesses share
 *
 * Each harness defines LLVMFuzzerTestOneInput(). Linked with libFuzzer it
 * is fuzzed; linked with fuzz-replay.c it replays a corpus folder as an
 * ordinary test.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Installs the log writer (once): a critical or an error aborts, since
 * g_return_if_fail() failing on hostile input is a bug; messages and
 * warnings are dropped unless OTTER_FUZZ_VERBOSE is set. */
void      otter_fuzz_init        (void);

/* A new empty folder under the temporary folder; remove it with
 * otter_fuzz_remove_dir(). */
char     *otter_fuzz_make_dir    (void);
void      otter_fuzz_remove_dir  (const char     *dir);

/* Writes `dir`/`relative`, creating the folders on the way. */
void      otter_fuzz_write       (const char     *dir,
                                  const char     *relative,
                                  const void     *data,
                                  gsize           size);

/* A valid grey PNG of 64 × 48 (good) or 32 × 32 (other) pixels. */
void      otter_fuzz_write_png   (const char     *dir,
                                  const char     *relative,
                                  gboolean        other);

/* Cuts data at each occurrence of `separator`: at most `max_parts`
 * pieces (the last keeps the rest, separators included). Returns how
 * many pieces were found. */
guint     otter_fuzz_split       (const uint8_t  *data,
                                  size_t          size,
                                  const char     *separator,
                                  const uint8_t **parts,
                                  gsize          *lengths,
                                  guint           max_parts);

G_END_DECLS
