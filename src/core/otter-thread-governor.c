/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-thread-governor.c: libtorch's thread count from measured step times */

#include "config.h"

#include "otter-thread-governor.h"
#include "otter-torch.h"

/* A probe every this many steps at the settled count: 1 step in 16 at a
 * possibly worse count costs a few percent at most. */
#define PROBE_INTERVAL 16
/* A probe wins when it does this much more work per second. Below it,
 * step-to-step noise would make the count flip back and forth. */
#define SWITCH_GAIN 0.90
/* A step this much slower than the settled count's average means the load
 * has changed: probe at once instead of waiting for the interval. */
#define SLOWDOWN 1.5
/* Weight of the newest step in the settled count's average. */
#define EMA_WEIGHT 0.3

struct _OtterThreadGovernor
{
  int    max_threads;
  int    settled;          /* the count steps use between probes */
  int    running;          /* the count of the step begun last */
  double settled_rate;     /* seconds per unit of work at `settled`; 0 = none yet */
  int    steps_since_probe;
  int    slow_steps;       /* consecutive settled steps past SLOWDOWN */
  int    next_probe_up;    /* alternates the probe's direction */
  gboolean warmed_up;      /* the first step (allocations) is not timed */
};

OtterThreadGovernor *
otter_thread_governor_new (int max_threads)
{
  g_return_val_if_fail (max_threads > 0, NULL);

  OtterThreadGovernor *governor = g_new0 (OtterThreadGovernor, 1);
  governor->max_threads = max_threads;
  governor->settled = max_threads;
  governor->running = max_threads;
  return governor;
}

void
otter_thread_governor_free (OtterThreadGovernor *governor)
{
  g_free (governor);
}

static int
probe_count (OtterThreadGovernor *governor)
{
  int up = governor->settled + 1, down = governor->settled - 1;
  gboolean can_up = up <= governor->max_threads, can_down = down >= 1;

  if (can_up && can_down)
    {
      governor->next_probe_up = !governor->next_probe_up;
      return governor->next_probe_up ? up : down;
    }
  if (can_up)
    return up;
  if (can_down)
    return down;
  return governor->settled;
}

int
otter_thread_governor_next (OtterThreadGovernor *governor)
{
  g_return_val_if_fail (governor != NULL, 1);

  gboolean probe = governor->warmed_up && governor->settled_rate > 0 && governor->max_threads > 1 &&
                   governor->steps_since_probe >= PROBE_INTERVAL;
  governor->running = probe ? probe_count (governor) : governor->settled;
  return governor->running;
}

int
otter_thread_governor_begin_step (OtterThreadGovernor *governor)
{
  int n = otter_thread_governor_next (governor);
  if (otter_torch_get_threads () != n)
    otter_torch_set_threads (n);
  return n;
}

void
otter_thread_governor_end_step (OtterThreadGovernor *governor,
                                double               seconds,
                                guint                work)
{
  g_return_if_fail (governor != NULL);

  if (!governor->warmed_up)
    {
      governor->warmed_up = TRUE;
      return;
    }
  if (work == 0 || !(seconds > 0))
    return;
  double rate = seconds / work;

  if (governor->running != governor->settled)
    {
      /* A probe: one step is noisy, but a wrong switch is undone by the
       * next probe in the other direction. */
      governor->steps_since_probe = 0;
      governor->slow_steps = 0;
      if (rate < SWITCH_GAIN * governor->settled_rate)
        {
          /* Keep going the same way while it pays: probe_count() flips
           * the direction before it uses it. */
          governor->next_probe_up = governor->running > governor->settled ? 0 : 1;
          governor->settled = governor->running;
          governor->settled_rate = rate;
        }
      return;
    }

  governor->steps_since_probe++;
  if (governor->settled_rate == 0)
    {
      governor->settled_rate = rate;
      return;
    }
  if (rate > SLOWDOWN * governor->settled_rate)
    {
      /* Slow steps stay out of the average they are judged against: were
       * they averaged in, a load that slows the step 2–3× would raise it
       * fast enough never to look slow twice in a row. Two slow steps,
       * not one hiccup, start a probe, judged against the load as it is
       * now. */
      if (++governor->slow_steps >= 2)
        {
          governor->steps_since_probe = PROBE_INTERVAL;
          governor->slow_steps = 0;
          governor->settled_rate = rate;
        }
      return;
    }
  governor->slow_steps = 0;
  governor->settled_rate += EMA_WEIGHT * (rate - governor->settled_rate);
}

int
otter_thread_governor_get_threads (const OtterThreadGovernor *governor)
{
  g_return_val_if_fail (governor != NULL, 1);
  return governor->settled;
}
