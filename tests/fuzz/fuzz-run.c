/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-run.c: a run folder's config.json and metrics.jsonl
 *
 * The input is cut at the first line "#8<\n": config.json before it,
 * metrics.jsonl after it (without a cut, the whole input is both). The
 * folder is read as the run list, the charts and a resume read it.
 */
#include "config.h"

#include <math.h>

#include "fuzz-common.h"
#include "otter-run.h"

#define SEPARATOR "#8<\n"

static void
check_history (OtterRunHistory *history,
               gint64           max_step)
{
  for (guint i = 0; i < history->points->len; i++)
    if (max_step >= 0)
      g_assert_cmpint (g_array_index (history->points, OtterTrainPoint, i).step, <=, max_step);
  if (max_step >= 0)
    g_assert_false (history->ended);
  if (history->ended)
    g_assert_nonnull (history->end.status);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *dir = NULL;
  const uint8_t *parts[2];
  gsize lengths[2];
  guint n_parts;

  otter_fuzz_init ();
  n_parts = otter_fuzz_split (data, size, SEPARATOR, parts, lengths, G_N_ELEMENTS (parts));

  dir = otter_fuzz_make_dir ();
  otter_fuzz_write (dir, OTTER_RUN_CONFIG, parts[0], lengths[0]);
  if (n_parts > 1)
    otter_fuzz_write (dir, OTTER_RUN_METRICS, parts[1], lengths[1]);
  else
    otter_fuzz_write (dir, OTTER_RUN_METRICS, parts[0], lengths[0]);

  {
    OtterTrainConfig config;
    g_autoptr(GError) error = NULL;

    otter_train_config_init (&config);
    if (!otter_run_read_config (dir, &config, &error))
      g_assert_nonnull (error);
    otter_train_config_clear (&config);
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonArray) records = otter_run_read_metrics (dir, &error);

    g_assert_nonnull (records);
    for (guint i = 0; i < json_array_get_length (records); i++)
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_array_get_element (records, i)));
  }

  for (gint64 max_step = -1; max_step <= 3; max_step += 4)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OtterRunHistory) history = otter_run_read_history (dir, max_step, &error);

      g_assert_nonnull (history);
      check_history (history, max_step);
    }

  otter_fuzz_remove_dir (dir);
  return 0;
}
