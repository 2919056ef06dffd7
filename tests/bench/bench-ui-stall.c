/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-ui-stall.c: does the interface stay smooth while a run trains?
 *
 * Shows the Training page on the demo data, starts a run that cannot
 * converge within the measurement and, for OTTER_BENCH_SECONDS (20), records
 * the gaps between the ticks of a 5 ms main-loop timeout (a stall is a long
 * gap) and the intervals between frames of the loss chart. The aim is no
 * stall over 16 ms, one frame at 60 Hz; for each gap over it, the main
 * thread's time on a core says whether it was working or waiting, and
 * the frame clock's phases say what the work was. Needs a display:
 * xvfb-run meson test --benchmark. */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <adwaita.h>

#include "bench-common.h"
#include "bench-frame-phases.h"
#include "otter-training-page.h"

#define TICK_MS 5

typedef struct
{
  double ms;           /* a gap between ticks */
  double cpu_ms;       /* of it, the main thread on a core */
  double queued_ms;    /* and runnable, waiting for one */
  double at;           /* s after Start */
} Gap;

/* The calling thread's time spent runnable but waiting for a core, in µs
 * (the kernel's schedstat); 0 where it is not available. What a gap holds
 * beyond this and the time on a core, the thread slept through, or the
 * virtual machine's CPU was taken by its host (steal). */
static gint64
thread_queued_us (void)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL))
    return 0;
  unsigned long long on_cpu = 0, queued = 0;
  if (sscanf (text, "%llu %llu", &on_cpu, &queued) != 2)
    return 0;
  return (gint64) (queued / 1000);
}


typedef struct
{
  GArray *gaps;        /* double, ms between timeout ticks */
  GArray *slow_gaps;   /* Gap, those over 16 ms */
  gint64  last_cpu, last_queued;
  GArray *frames;      /* double, ms between chart frames */
  gint64  last_tick;
  gint64  last_frame;
  gint64  started;
  double  worst_gap, worst_at;   /* ms, and s after the start */
  gboolean measuring;
  FrameTimes times;
} Stats;

static gboolean
tick_cb (gpointer data)
{
  Stats *stats = data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();
  gint64 queued = thread_queued_us ();
  if (stats->measuring && stats->last_tick != 0)
    {
      double gap = (now - stats->last_tick) / 1000.0;
      g_array_append_val (stats->gaps, gap);
      if (gap > stats->worst_gap)
        stats->worst_gap = gap, stats->worst_at = (stats->last_tick - stats->started) / 1e6;
      if (gap > 16)
        {
          Gap slow = { gap, (cpu - stats->last_cpu) / 1000.0, (queued - stats->last_queued) / 1000.0,
                       (stats->last_tick - stats->started) / 1e6 };
          g_array_append_val (stats->slow_gaps, slow);
        }
    }
  stats->last_tick = now;
  stats->last_cpu = cpu;
  stats->last_queued = queued;
  return G_SOURCE_CONTINUE;
}

static gboolean
frame_cb (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       data)
{
  Stats *stats = data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  if (stats->measuring && stats->last_frame != 0)
    {
      double interval = (now - stats->last_frame) / 1000.0;
      g_array_append_val (stats->frames, interval);
    }
  stats->last_frame = now;
  return G_SOURCE_CONTINUE;
}

static void
spin_until (gboolean (*done) (gpointer), gpointer data, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end && (done == NULL || !done (data)))
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
has_dataset (gpointer data)
{
  return otter_session_get_dataset (data) != NULL;
}

static gboolean
trainer_is_final (gpointer data)
{
  OtterTrainer *trainer = otter_session_get_trainer (data);
  return trainer == NULL || otter_trainer_state_is_final (otter_trainer_get_state (trainer));
}

/* OTTER_BENCH_SCREENSHOT: a PNG of the window half-way through. */
static void
save_png (GtkWidget  *widget,
          const char *path)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  if (node == NULL || renderer == NULL)
    return;
  g_autoptr (GdkTexture) texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_texture_save_to_png (texture, path);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

int
main (int argc, char *argv[])
{
  g_autofree char *data_home = g_dir_make_tmp ("otter-bench-ui-XXXXXX", NULL);
  const char *seconds_env = g_getenv ("OTTER_BENCH_SECONDS");
  double seconds = seconds_env ? g_ascii_strtod (seconds_env, NULL) : 20;
  const char *data = argc > 1 ? argv[1] : "demo";
  g_autoptr (GError) error = NULL;
  Stats stats = { .gaps = g_array_new (FALSE, FALSE, sizeof (double)),
                  .slow_gaps = g_array_new (FALSE, FALSE, sizeof (Gap)),
                  .frames = g_array_new (FALSE, FALSE, sizeof (double)) };

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("bench-ui-stall: no display (run it under xvfb-run)\n");
      return 77;
    }
  adw_init ();

  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  g_settings_set_int (settings, "max-epochs", 10000);
  g_settings_set_double (settings, "loss-threshold", 1e-6);

  OtterSession *session = otter_session_new ();
  GtkWidget *window = gtk_window_new ();
  OtterTrainingPage *page = g_object_new (OTTER_TYPE_TRAINING_PAGE, "session", session, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_present (GTK_WINDOW (window));

  otter_session_open_dataset (session, data);
  spin_until (has_dataset, session, 120);
  if (otter_session_get_dataset (session) == NULL)
    {
      g_printerr ("bench-ui-stall: could not open %s\n", data);
      return 1;
    }
  if (!otter_session_create_model (session, "tiny", 96, &error))
    {
      g_printerr ("bench-ui-stall: %s\n", error->message);
      return 1;
    }
  spin_until (never, NULL, 0.5);

  OtterLossChart *chart = otter_training_page_get_chart (page);
  g_timeout_add (TICK_MS, tick_cb, &stats);
  gtk_widget_add_tick_callback (GTK_WIDGET (chart), frame_cb, &stats, NULL);
  spin_until (never, NULL, 0.2);
  bench_frame_phases_connect (gtk_widget_get_frame_clock (GTK_WIDGET (chart)), &stats.times);

  guint64 steal_before, total_before, steal_after, total_after;
  bench_machine_steal (&steal_before, &total_before);
  stats.measuring = TRUE;
  gint64 started = stats.started = g_get_monotonic_time ();
  if (!gtk_widget_activate_action (GTK_WIDGET (page), "training.start", NULL) ||
      otter_session_get_trainer (session) == NULL)
    {
      g_printerr ("bench-ui-stall: the run did not start: %s\n", otter_training_page_get_status_text (page));
      return 1;
    }
  if (g_getenv ("OTTER_BENCH_SCREENSHOT") != NULL)
    {
      spin_until (never, NULL, seconds / 2);
      save_png (window, g_getenv ("OTTER_BENCH_SCREENSHOT"));
      spin_until (never, NULL, seconds / 2);
    }
  else
    spin_until (never, NULL, seconds);
  stats.measuring = FALSE;
  bench_machine_steal (&steal_after, &total_after);
  double measured = (g_get_monotonic_time () - started) / 1e6;

  OtterTrainer *trainer = otter_session_get_trainer (session);
  guint n_points = otter_loss_chart_get_n_points (chart);
  gint64 steps = otter_trainer_get_step (trainer);
  double ips = otter_trainer_get_images_per_second (trainer);
  otter_trainer_stop (trainer);
  spin_until (trainer_is_final, session, 120);

  double max_stall = bench_percentile (stats.gaps, 1.0);
  double p99_stall = bench_percentile (stats.gaps, 0.99);
  guint over_50 = 0;
  for (guint i = 0; i < stats.gaps->len; i++)
    over_50 += g_array_index (stats.gaps, double, i) > 50;

  g_print ("bench-ui-stall: %s, %.1f s with the run going (%" G_GINT64_FORMAT " steps, %.1f images/s, "
           "%u chart points, %u threads)\n",
           data, measured, steps, ips, n_points, MAX (1, g_get_num_processors () - 1));
  g_print ("  main loop (%d ms timeout, %u ticks): max gap %.1f ms, p99 %.1f ms, median %.1f ms, "
           "%u gaps over 50 ms\n",
           TICK_MS, stats.gaps->len, max_stall, p99_stall, bench_percentile (stats.gaps, 0.5), over_50);
  g_print ("  longest gap began %.2f s after Start\n", stats.worst_at);
  g_print ("  chart frames (%u): median interval %.1f ms, p99 %.1f ms, max %.1f ms\n",
           stats.frames->len, bench_percentile (stats.frames, 0.5), bench_percentile (stats.frames, 0.99),
           bench_percentile (stats.frames, 1.0));
  /* A gap the main thread spent on a core was its own work (the frames
   * below say which phase); one it did not was a wait for a core. */
  double slow_cpu = 0, slow_queued = 0, slow_wall = 0;
  for (guint i = 0; i < stats.slow_gaps->len; i++)
    {
      const Gap *g = &g_array_index (stats.slow_gaps, Gap, i);
      slow_wall += g->ms;
      slow_cpu += g->cpu_ms;
      slow_queued += g->queued_ms;
    }
  double share = slow_wall > 0 ? 100 / slow_wall : 0;
  g_print ("  gaps over 16 ms: %u; of their time the main thread was on a core %.0f%%, waiting for one %.0f%%, "
           "neither %.0f%% (asleep, or the machine's CPU taken by its host: %.1f%% of all CPU time was "
           "stolen during the run)\n",
           stats.slow_gaps->len, slow_cpu * share, slow_queued * share, (slow_wall - slow_cpu - slow_queued) * share,
           total_after > total_before ? 100.0 * (steal_after - steal_before) / (total_after - total_before) : 0);
  for (guint i = 0; i < MIN (stats.slow_gaps->len, 8); i++)
    {
      const Gap *g = &g_array_index (stats.slow_gaps, Gap, i);
      g_print ("    %.1f ms at %.2f s: on a core %.1f ms, waiting for one %.1f ms\n", g->ms, g->at, g->cpu_ms,
               g->queued_ms);
    }
  g_print ("  ");
  print_frames (stats.times.frames, measured);
  g_print ("  aim: no stall over 16 ms: %s\n", max_stall <= 16 ? "met" : "NOT met");

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (session);
  g_array_unref (stats.gaps);
  g_array_unref (stats.frames);
  g_array_unref (stats.slow_gaps);
  g_array_unref (stats.times.frames);
  return 0;
}
