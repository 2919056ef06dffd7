/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-frame-phases.h: where a GTK frame's time goes, for the UI benchmarks
 *
 * Handlers on the frame clock's signals run after GTK's own for each
 * phase, so the time between two of them is the later phase's work; the
 * main thread's own CPU time beside it says whether it was working or
 * waiting for a core. bench_frame_phases_connect() starts recording into
 * a FrameTimes; print_frames() says where the time went. */
#pragma once

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gtk/gtk.h>

/* The frame clock's phases, in the order it runs them. */
typedef enum { PHASE_BEFORE_PAINT, PHASE_UPDATE, PHASE_LAYOUT, PHASE_PAINT, PHASE_AFTER_PAINT, N_PHASES } Phase;
static const char *const phase_names[N_PHASES] = { "events", "update", "layout", "paint", "after-paint" };

typedef struct
{
  double ms[N_PHASES];   /* wall-clock time of each phase after the first */
  double total;
  double cpu_ms;         /* of it, what the main thread ran on a core */
} Frame;

typedef struct
{
  gint64  mark[N_PHASES];
  gint64  cpu_mark[N_PHASES];
  GArray *frames;        /* of Frame */
} FrameTimes;

/* The calling thread's own CPU time: when it is far below the wall-clock
 * time, the thread was waiting for a core (or blocked), not working. */
static inline gint64
thread_cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static inline void
phase_done (FrameTimes *t, Phase phase)
{
  t->mark[phase] = g_get_monotonic_time ();
  t->cpu_mark[phase] = thread_cpu_us ();
  if (phase != PHASE_AFTER_PAINT)
    return;
  Frame f = { { 0 }, 0, 0 };
  if (t->mark[PHASE_BEFORE_PAINT] > 0)
    f.cpu_ms = (t->cpu_mark[PHASE_AFTER_PAINT] - t->cpu_mark[PHASE_BEFORE_PAINT]) / 1000.0;
  for (int p = PHASE_UPDATE; p < N_PHASES; p++)
    f.ms[p] = t->mark[p - 1] > 0 && t->mark[p] >= t->mark[p - 1] ? (t->mark[p] - t->mark[p - 1]) / 1000.0 : 0;
  for (int p = 0; p < N_PHASES; p++)
    f.total += f.ms[p];
  g_array_append_val (t->frames, f);
  memset (t->mark, 0, sizeof t->mark);
  memset (t->cpu_mark, 0, sizeof t->cpu_mark);
}

static inline void before_paint_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_BEFORE_PAINT); }
static inline void update_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_UPDATE); }
static inline void layout_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_LAYOUT); }
static inline void paint_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_PAINT); }
static inline void after_paint_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_AFTER_PAINT); }

static inline int
compare_frames (gconstpointer a, gconstpointer b)
{
  double x = ((const Frame *) a)->total, y = ((const Frame *) b)->total;
  return (x < y) - (x > y);
}

/* Where the frames' time went, and the five slowest frames phase by phase. */
static inline void
print_frames (GArray *frames, double seconds)
{
  double sum[N_PHASES] = { 0 }, all = 0, cpu = 0;
  guint slow = 0;
  for (guint i = 0; i < frames->len; i++)
    {
      const Frame *f = &g_array_index (frames, Frame, i);
      for (int p = 0; p < N_PHASES; p++)
        sum[p] += f->ms[p];
      all += f->total;
      cpu += f->cpu_ms;
      slow += f->total > 33;
    }
  printf ("frames (%u timed, %u over 33 ms): %.1f s of the %.1f s in their phases:", frames->len, slow,
          all / 1000, seconds);
  for (int p = PHASE_UPDATE; p < N_PHASES; p++)
    printf (" %s %.1f s", phase_names[p], sum[p] / 1000);
  printf ("; the main thread ran %.1f s of them\n", cpu / 1000);
  g_array_sort (frames, compare_frames);
  for (guint i = 0; i < MIN (frames->len, 5); i++)
    {
      const Frame *f = &g_array_index (frames, Frame, i);
      printf ("  slow frame %.1f ms:", f->total);
      for (int p = PHASE_UPDATE; p < N_PHASES; p++)
        printf (" %s %.1f", phase_names[p], f->ms[p]);
      printf (", on a core %.1f\n", f->cpu_ms);
    }
}

static inline void
bench_frame_phases_connect (GdkFrameClock *clock, FrameTimes *t)
{
  t->frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), t);
  g_signal_connect (clock, "update", G_CALLBACK (update_cb), t);
  g_signal_connect (clock, "layout", G_CALLBACK (layout_cb), t);
  g_signal_connect (clock, "paint", G_CALLBACK (paint_cb), t);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), t);
}
