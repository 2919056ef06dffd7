/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-grid-scroll.c: scrolling the Data page's grid through 10 000 images
 *
 * Opens a 10 000-image demo set on the Data page and scrolls the grid from
 * top to bottom a quarter page per frame (about 15 screens a second, a fast
 * fling), while a 5 ms main-loop timeout records the gaps between its ticks.
 * A long gap is a stall the user would see. It scrolls twice, each time
 * in a fresh window: on an idle machine (the aim: no gap over 33 ms, two
 * frames at 60 Hz) and with an `otter-cli train` run on the demo beside it
 * ($OTTER_CLI; the aim: none over 50 ms). To say what a stall is made of,
 * the frame clock's phases are timed too (bench-frame-phases.h).
 * Needs a display: xvfb-run meson test --benchmark. */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <adwaita.h>

#include "bench-common.h"
#include "bench-frame-phases.h"
#include "otter-data-page.h"

typedef struct
{
  GArray        *gaps;
  gint64         last_tick;
  GtkAdjustment *adjustment;
  gboolean       done;
  guint          frames;
  FrameTimes     times;
} Scroll;

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

static void
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
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

/* One scroll from top to bottom in a new window, printed under `title`;
 * FALSE when the window had no grid. */
static gboolean
scroll_pass (const char *title, double aim_ms)
{
  g_autoptr (OtterSession) session = otter_session_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = g_object_new (OTTER_TYPE_DATA_PAGE, "session", session, NULL);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));

  otter_session_open_dataset (session, "demo:10000");
  while (otter_session_get_dataset (session) == NULL)
    g_main_context_iteration (NULL, TRUE);
  /* The scroll starts on a grid that has painted its first screen: the
   * frames in which the grid first appears (its first thumbnails, the
   * window's first buffers faulted in) are not scrolling. */
  gboolean settled = FALSE;
  g_timeout_add_once (1000, set_true, &settled);
  while (!settled)
    g_main_context_iteration (NULL, TRUE);

  GtkWidget *grid = find_grid (page);
  if (grid == NULL)
    {
      g_printerr ("no grid on the Data page\n");
      gtk_window_destroy (GTK_WINDOW (window));
      return FALSE;
    }
  Scroll s = { g_array_new (FALSE, FALSE, sizeof (double)), 0,
               gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (grid)), FALSE, 0 };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (grid);
  bench_frame_phases_connect (clock, &s.times);
  guint64 steal_before, total_before, steal_after, total_after;
  bench_machine_steal (&steal_before, &total_before);
  gint64 start = g_get_monotonic_time ();
  guint timeout = g_timeout_add (5, tick_cb, &s);
  gtk_widget_add_tick_callback (grid, frame_cb, &s, NULL);
  /* at most two minutes, however slow the machine */
  while (!s.done && g_get_monotonic_time () - start < 120 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  bench_machine_steal (&steal_after, &total_after);

  g_array_sort (s.gaps, bench_compare_double);
  guint n = s.gaps->len, over = 0;
  for (guint i = 0; i < n; i++)
    over += g_array_index (s.gaps, double, i) > aim_ms;
  printf ("%s\ngrid scroll: %u images, %s in %.1f s over %u frames\n", title,
          g_list_model_get_n_items (G_LIST_MODEL (otter_session_get_dataset (session))),
          s.done ? "top to bottom" : "stopped before the bottom", seconds, s.frames);
  if (n > 0)
    printf ("main loop (5 ms timeout, %u ticks): max gap %.1f ms, p99 %.1f ms, median %.1f ms, %u gaps over %.0f ms\n",
            n, g_array_index (s.gaps, double, n - 1), g_array_index (s.gaps, double, (guint) (n * 0.99)),
            g_array_index (s.gaps, double, n / 2), over, aim_ms);
  printf ("aim: no stall over %.0f ms: %s\n", aim_ms, over == 0 ? "met" : "missed");
  printf ("CPU time stolen from this machine by its host during the scroll: %.1f%%\n",
          total_after > total_before ? 100.0 * (steal_after - steal_before) / (total_after - total_before) : 0);
  print_frames (s.times.frames, seconds);
  g_signal_handlers_disconnect_by_data (clock, &s.times);
  g_array_unref (s.gaps);
  g_array_unref (s.times.frames);
  gtk_window_destroy (GTK_WINDOW (window));
  return TRUE;
}

int
main (int argc, char *argv[])
{
  gtk_init ();
  adw_init ();
  if (!scroll_pass ("idle machine", 33))
    return EXIT_FAILURE;

  const char *cli = g_getenv ("OTTER_CLI");
  if (cli == NULL)
    {
      printf ("\nwith a run beside it: skipped, OTTER_CLI is not set\n");
      return EXIT_SUCCESS;
    }
  g_autofree char *dir = g_dir_make_tmp ("otter-bench-XXXXXX", NULL);
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* the window's passive OpenMP waiting is not the command line's */
  g_subprocess_launcher_unsetenv (launcher, "OMP_WAIT_POLICY");
  g_autoptr (GSubprocess) trainer = g_subprocess_launcher_spawn (launcher, &error, cli, "train", "--data", "demo",
                                                                 "--epochs", "10000", "--run-dir", run, NULL);
  if (trainer == NULL)
    {
      printf ("\nwith a run beside it: could not start %s: %s\n", cli, error->message);
      bench_remove_tree (dir);
      return EXIT_SUCCESS;
    }
  /* past its start-up, into the steps */
  g_usleep (3 * G_USEC_PER_SEC);
  printf ("\n");
  gboolean ok = scroll_pass ("with `otter-cli train --data demo` beside it", 50);
  g_subprocess_force_exit (trainer);
  g_subprocess_wait (trainer, NULL, NULL);
  bench_remove_tree (dir);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
