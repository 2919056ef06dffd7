/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-wait-utils.h: waiting for workers, shared by the displayless test binaries */
#pragma once

#include <glib.h>

/* Runs the default main context until done (data) holds, or timeout_s
 * passes. It polls rather than blocks: some conditions change on a worker
 * thread with nothing to wake the main context. */
G_GNUC_UNUSED static gboolean
wait_until (gboolean (*done) (gpointer data),
            gpointer   data,
            double     timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  while (!done (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}
