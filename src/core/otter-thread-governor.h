/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-thread-governor.h: how many libtorch threads a training step gets,
 * chosen from the steps' own times
 *
 * On a machine others share, a core the count assumed free may be taken
 * by a browser or a build. OpenMP's threads then wait for the one that is
 * not running at every barrier, and a step can take many times longer than
 * with one thread fewer. The governor times each step, now and then tries
 * one thread more or fewer, and keeps the count that does the most work
 * per second; it notices a change of load within a few steps.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OtterThreadGovernor OtterThreadGovernor;

/* A governor choosing from 1 … max_threads, starting at max_threads. */
OtterThreadGovernor *otter_thread_governor_new         (int                  max_threads);
void                 otter_thread_governor_free        (OtterThreadGovernor *governor);

/* Sets libtorch's thread count (for the calling thread's parallel work)
 * for the step about to run, and returns it. */
int                  otter_thread_governor_begin_step  (OtterThreadGovernor *governor);
/* The step begun last took `seconds` for `work` units (samples). */
void                 otter_thread_governor_end_step    (OtterThreadGovernor *governor,
                                                        double               seconds,
                                                        guint                work);
/* The count the governor settled on (not a probe's). */
int                  otter_thread_governor_get_threads (const OtterThreadGovernor *governor);

/* The choice itself, without libtorch, for tests: the count the next step
 * should use. begin_step() is this plus setting libtorch's count. */
int                  otter_thread_governor_next        (OtterThreadGovernor *governor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterThreadGovernor, otter_thread_governor_free)

G_END_DECLS
