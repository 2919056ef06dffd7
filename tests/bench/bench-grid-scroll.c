/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-grid-scroll.c: scrolling the Data page's grid through 10 000 images
 *
 * Opens a 10 000-image demo set on the Data page and scrolls the grid from
 * top to bottom a quarter page per frame (about 15 screens a second, a fast
 * fling), while a 5 ms main-loop timeout records the gaps between its ticks.
 * A long gap is a stall the user would see; the aim is none over 50 ms.
 * To say what a stall is made of, the frame clock's phases are timed too:
 * each handler here runs after GTK's own for its phase, so the time
 * between two of them is the later phase's work.
 * Needs a display: xvfb-run meson test --benchmark. */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <adwaita.h>

#include "otter-data-page.h"

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
static gint64
thread_cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

typedef struct
{
  GArray        *gaps;
  gint64         last_tick;
  GtkAdjustment *adjustment;
  gboolean       done;
  guint          frames;
  FrameTimes     times;
} Scroll;

static void
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

static void before_paint_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_BEFORE_PAINT); }
static void update_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_UPDATE); }
static void layout_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_LAYOUT); }
static void paint_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_PAINT); }
static void after_paint_cb (GdkFrameClock *c, FrameTimes *t) { phase_done (t, PHASE_AFTER_PAINT); }

static int
compare_frames (gconstpointer a, gconstpointer b)
{
  double x = ((const Frame *) a)->total, y = ((const Frame *) b)->total;
  return (x < y) - (x > y);
}

/* Where the frames' time went, and the five slowest frames phase by phase. */
static void
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

static gboolean
tick_cb (gpointer data)
{
  Scroll *s = data;
  gint64 now = g_get_monotonic_time ();
  if (s->last_tick != 0)
    {
      double gap = (now - s->last_tick) / 1000.0;
      g_array_append_val (s->gaps, gap);
    }
  s->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
frame_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  Scroll *s = data;
  double value = gtk_adjustment_get_value (s->adjustment);
  double page = gtk_adjustment_get_page_size (s->adjustment);
  double upper = gtk_adjustment_get_upper (s->adjustment);
  s->frames++;
  if (value + page >= upper - 1)
    {
      s->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  gtk_adjustment_set_value (s->adjustment, value + page / 4);
  return G_SOURCE_CONTINUE;
}

static GtkWidget *
find_grid (GtkWidget *widget)
{
  if (GTK_IS_GRID_VIEW (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_grid (c);
      if (found)
        return found;
    }
  return NULL;
}

static int
compare (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int argc, char *argv[])
{
  gtk_init ();
  adw_init ();
  g_autoptr (OtterSession) session = otter_session_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = g_object_new (OTTER_TYPE_DATA_PAGE, "session", session, NULL);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));

  otter_session_open_dataset (session, "demo:10000");
  while (otter_session_get_dataset (session) == NULL)
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  GtkWidget *grid = find_grid (page);
  if (grid == NULL)
    {
      g_printerr ("no grid on the Data page\n");
      return EXIT_FAILURE;
    }
  Scroll s = { g_array_new (FALSE, FALSE, sizeof (double)), 0,
               gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (grid)), FALSE, 0,
               { .frames = g_array_new (FALSE, FALSE, sizeof (Frame)) } };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (grid);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &s.times);
  g_signal_connect (clock, "update", G_CALLBACK (update_cb), &s.times);
  g_signal_connect (clock, "layout", G_CALLBACK (layout_cb), &s.times);
  g_signal_connect (clock, "paint", G_CALLBACK (paint_cb), &s.times);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &s.times);
  gint64 start = g_get_monotonic_time ();
  guint timeout = g_timeout_add (5, tick_cb, &s);
  gtk_widget_add_tick_callback (grid, frame_cb, &s, NULL);
  /* at most two minutes, however slow the machine */
  while (!s.done && g_get_monotonic_time () - start < 120 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  double seconds = (g_get_monotonic_time () - start) / 1e6;

  g_array_sort (s.gaps, compare);
  guint n = s.gaps->len, over = 0;
  for (guint i = 0; i < n; i++)
    over += g_array_index (s.gaps, double, i) > 50;
  printf ("grid scroll: %u images, %s in %.1f s over %u frames\n",
          g_list_model_get_n_items (G_LIST_MODEL (otter_session_get_dataset (session))),
          s.done ? "top to bottom" : "stopped before the bottom", seconds, s.frames);
  if (n > 0)
    printf ("main loop (5 ms timeout, %u ticks): max gap %.1f ms, p99 %.1f ms, median %.1f ms, %u gaps over 50 ms\n",
            n, g_array_index (s.gaps, double, n - 1), g_array_index (s.gaps, double, (guint) (n * 0.99)),
            g_array_index (s.gaps, double, n / 2), over);
  printf ("aim: no stall over 50 ms: %s\n", over == 0 ? "met" : "missed");
  print_frames (s.times.frames, seconds);
  g_signal_handlers_disconnect_by_data (clock, &s.times);
  gtk_window_destroy (GTK_WINDOW (window));
  return EXIT_SUCCESS;
}
