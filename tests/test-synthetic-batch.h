/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-synthetic-batch.h: a training batch made up on the spot, for the
 * engine's test binaries */
#pragma once

#include "otter-torch.h"

#define SIZE 64
static const char *const class_names[] = { "square", "bar", NULL };

/* A small batch with real structure: bright squares and bars on noise, so
 * the detector has something to learn and the features respond to input. */
typedef struct
{
  OtterTorchBatch batch;
  float *images;
  OtterTorchBox *boxes;
  int *box_start;
} TestBatch;

G_GNUC_UNUSED static TestBatch *
test_batch_new (int n, guint32 seed)
{
  TestBatch *tb = g_new0 (TestBatch, 1);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  tb->images = g_new (float, (gsize) n * 3 * SIZE * SIZE);
  tb->boxes = g_new0 (OtterTorchBox, n);
  tb->box_start = g_new0 (int, n + 1);
  for (int i = 0; i < n; i++)
    {
      float *img = tb->images + (gsize) i * 3 * SIZE * SIZE;
      for (int k = 0; k < 3 * SIZE * SIZE; k++)
        img[k] = (float) g_rand_double_range (rand, 0.1, 0.4);
      int cls = i % 2;
      int w = cls == 0 ? 20 : 30, h = cls == 0 ? 20 : 10;
      int x0 = g_rand_int_range (rand, 0, SIZE - w), y0 = g_rand_int_range (rand, 0, SIZE - h);
      for (int c = 0; c < 3; c++)
        for (int y = y0; y < y0 + h; y++)
          for (int x = x0; x < x0 + w; x++)
            img[(c * SIZE + y) * SIZE + x] = c == cls ? 0.95f : 0.6f;
      tb->boxes[i] = (OtterTorchBox) { x0, y0, x0 + w, y0 + h, cls };
      tb->box_start[i + 1] = i + 1;
    }
  tb->batch = (OtterTorchBatch) { n, SIZE, tb->images, tb->boxes, tb->box_start };
  return tb;
}

G_GNUC_UNUSED static void
test_batch_free (TestBatch *tb)
{
  g_free (tb->images);
  g_free (tb->boxes);
  g_free (tb->box_start);
  g_free (tb);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestBatch, test_batch_free)
