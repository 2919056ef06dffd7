/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-thread-governor.c: the thread governor follows the load
 *
 * A model machine gives each step's time from the thread count and the
 * load, and the governor is fed those times as a trainer would feed it.
 */

#include "config.h"

#include "otter-thread-governor.h"

/* Seconds per sample on a 4-core model machine with `busy` cores taken by
 * others: each thread adds speed while it has a core of its own; past
 * that, every barrier waits for a thread that is not running. */
static double
model_seconds (int threads, int busy)
{
  int free_cores = 4 - busy;
  if (threads <= free_cores)
    return 1.0 / (1.0 + 0.8 * (threads - 1));
  return 4.0 * (threads - free_cores) + 1.0 / (1.0 + 0.8 * (free_cores - 1));
}

/* Runs `steps` steps under `busy`; returns the probes (steps at another
 * count than the settled one) seen. */
static int
run (OtterThreadGovernor *governor, int steps, int busy)
{
  int probes = 0;
  for (int i = 0; i < steps; i++)
    {
      int settled = otter_thread_governor_get_threads (governor);
      int n = otter_thread_governor_next (governor);
      probes += n != settled;
      /* ±3 % noise, as real steps have */
      double noise = 1.0 + 0.03 * ((i * 7919) % 5 - 2) / 2.0;
      otter_thread_governor_end_step (governor, 16 * model_seconds (n, busy) * noise, 16);
    }
  return probes;
}

static void
test_idle_keeps_every_core (void)
{
  g_autoptr (OtterThreadGovernor) governor = otter_thread_governor_new (4);
  int probes = run (governor, 200, 0);
  g_assert_cmpint (otter_thread_governor_get_threads (governor), ==, 4);
  /* one step in 16 or so tries another count, no more */
  g_assert_cmpint (probes, <=, 200 / 16 + 1);
  g_assert_cmpint (probes, >=, 200 / 16 - 2);
}

static void
test_follows_the_load (void)
{
  g_autoptr (OtterThreadGovernor) governor = otter_thread_governor_new (4);
  run (governor, 40, 0);
  g_assert_cmpint (otter_thread_governor_get_threads (governor), ==, 4);

  /* One core taken: a slowdown starts probing at once, and each probe
   * that pays keeps going down. */
  run (governor, 40, 1);
  g_assert_cmpint (otter_thread_governor_get_threads (governor), ==, 3);

  /* Two more taken. */
  run (governor, 60, 3);
  g_assert_cmpint (otter_thread_governor_get_threads (governor), ==, 1);

  /* The others finish: the periodic probe upwards finds the cores again. */
  run (governor, 120, 0);
  g_assert_cmpint (otter_thread_governor_get_threads (governor), ==, 4);
}

/* Seconds per sample on a 2-core machine as measured for the ot step:
 * with the other core taken, 2 threads take 2.3 to 5.4 times as long as
 * idle (it varies from step to step), 1 thread 1.7 times. */
static double
two_core_seconds (int threads, gboolean busy, int step)
{
  static const double loaded[] = { 5.4, 3.0, 3.6, 3.4, 3.1, 2.3, 3.9, 4.8 };
  if (!busy)
    return threads == 2 ? 1.0 : 1.7;
  return threads == 2 ? loaded[step % G_N_ELEMENTS (loaded)] : 1.7;
}

/* A load that starts as a probe ends, and slows the step by less than the
 * model machine's tenfold: the slow steps must not be averaged into the
 * rate they are judged against, or the change goes unseen until the next
 * periodic probe. */
static void
test_sees_a_moderate_slowdown (void)
{
  g_autoptr (OtterThreadGovernor) governor = otter_thread_governor_new (2);
  for (int i = 0; i < 18; i++)
    {
      int n = otter_thread_governor_next (governor);
      otter_thread_governor_end_step (governor, 16 * two_core_seconds (n, FALSE, i), 16);
    }
  g_assert_cmpint (otter_thread_governor_get_threads (governor), ==, 2);
  /* the periodic probe is due: it runs at 1 thread as the load begins */
  int first = -1;
  for (int i = 0; i < 12; i++)
    {
      int n = otter_thread_governor_next (governor);
      otter_thread_governor_end_step (governor, 16 * two_core_seconds (n, TRUE, i), 16);
      if (first < 0 && otter_thread_governor_get_threads (governor) == 1)
        first = i;
    }
  g_assert_cmpint (otter_thread_governor_get_threads (governor), ==, 1);
  g_test_message ("settled on 1 thread after %d loaded steps", first + 1);
  g_assert_cmpint (first, <, 6);
}

static void
test_one_core_never_probes (void)
{
  g_autoptr (OtterThreadGovernor) governor = otter_thread_governor_new (1);
  g_assert_cmpint (run (governor, 100, 0), ==, 0);
  g_assert_cmpint (run (governor, 100, 3), ==, 0);
  g_assert_cmpint (otter_thread_governor_get_threads (governor), ==, 1);
}

/* The first step pays for allocations: a slow first step must not drive
 * the count down, and zero-length or empty steps are ignored. */
static void
test_ignores_warm_up_and_empty_steps (void)
{
  g_autoptr (OtterThreadGovernor) governor = otter_thread_governor_new (2);
  g_assert_cmpint (otter_thread_governor_next (governor), ==, 2);
  otter_thread_governor_end_step (governor, 100.0, 16);
  otter_thread_governor_end_step (governor, 0.0, 16);
  otter_thread_governor_end_step (governor, 1.0, 0);
  run (governor, 50, 0);
  g_assert_cmpint (otter_thread_governor_get_threads (governor), ==, 2);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/otter/ThreadGovernor/idle-keeps-every-core", test_idle_keeps_every_core);
  g_test_add_func ("/otter/ThreadGovernor/follows-the-load", test_follows_the_load);
  g_test_add_func ("/otter/ThreadGovernor/sees-a-moderate-slowdown", test_sees_a_moderate_slowdown);
  g_test_add_func ("/otter/ThreadGovernor/one-core-never-probes", test_one_core_never_probes);
  g_test_add_func ("/otter/ThreadGovernor/ignores-warm-up-and-empty-steps", test_ignores_warm_up_and_empty_steps);
  return g_test_run ();
}
