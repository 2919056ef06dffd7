/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-detect.c: a model's detections on a video frame, clean and attacked */

#include "config.h"

#include <math.h>
#include <string.h>

#include "otter-image.h"
#include "otter-video-detect.h"

#define MAX_DETECTIONS 100

void
otter_video_detections_free (OtterVideoDetections *detections)
{
  if (detections == NULL)
    return;
  g_clear_pointer (&detections->clean, g_array_unref);
  g_clear_pointer (&detections->attacked, g_array_unref);
  g_clear_pointer (&detections->attacked_frame, otter_video_frame_unref);
  g_free (detections);
}

/* Input-space detections to frame pixels, clipped to the frame. */
static GArray *
to_frame (GArray               *found,
          const OtterLetterbox *letterbox,
          int                   width,
          int                   height)
{
  GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (OtterTorchDetection), found->len);
  for (guint k = 0; k < found->len; k++)
    {
      OtterTorchDetection d = g_array_index (found, OtterTorchDetection, k);
      double x1 = d.x1, y1 = d.y1, x2 = d.x2, y2 = d.y2;
      otter_letterbox_to_image (letterbox, &x1, &y1);
      otter_letterbox_to_image (letterbox, &x2, &y2);
      d.x1 = CLAMP (x1, 0, width), d.y1 = CLAMP (y1, 0, height);
      d.x2 = CLAMP (x2, 0, width), d.y2 = CLAMP (y2, 0, height);
      if (d.x2 > d.x1 && d.y2 > d.y1)
        g_array_append_val (out, d);
    }
  return out;
}

/* The frame plus the attack's change δ = adversarial − clean, both in the
 * model's input: each frame pixel takes the δ of the input pixel it fell
 * on. At the input's resolution this is the attack itself; for a larger
 * frame it is its nearest-neighbour enlargement, which keeps ‖δ‖∞. */
static OtterVideoFrame *
carry_perturbation (const OtterVideoFrame *frame,
                    const float           *clean,
                    const float           *adversarial,
                    const OtterLetterbox  *letterbox)
{
  int size = letterbox->size;
  OtterVideoFrame *out = g_atomic_rc_box_new0 (OtterVideoFrame);
  *out = *frame;
  out->pixels = g_malloc ((gsize) frame->stride * frame->height);
  gsize plane = (gsize) size * size;

  for (int y = 0; y < frame->height; y++)
    {
      int iy = CLAMP ((int) floor ((y + 0.5) * letterbox->scale + letterbox->pad_y), 0, size - 1);
      for (int x = 0; x < frame->width; x++)
        {
          int ix = CLAMP ((int) floor ((x + 0.5) * letterbox->scale + letterbox->pad_x), 0, size - 1);
          gsize at = (gsize) iy * size + ix;
          for (int c = 0; c < 3; c++)
            {
              float delta = adversarial[c * plane + at] - clean[c * plane + at];
              gsize p = (gsize) y * frame->stride + (gsize) x * 3 + c;
              out->pixels[p] = (guint8) CLAMP (lrintf (frame->pixels[p] + 255.0f * delta), 0, 255);
            }
        }
    }
  return out;
}

OtterVideoDetections *
otter_video_detect_frame (OtterTorchModel              *model,
                          const OtterVideoFrame        *frame,
                          const OtterTorchAttackParams *attack,
                          float                         score_threshold,
                          guint64                       seed,
                          GError                      **error)
{
  g_return_val_if_fail (model != NULL && frame != NULL, NULL);

  int size = otter_torch_model_get_input_size (model);
  g_autofree float *input = g_new (float, (gsize) 3 * size * size);
  /* a view of the frame: its rows are packed RGB, as OtterImage's are */
  OtterImage image = { frame->width, frame->height, frame->pixels };
  OtterLetterbox letterbox;
  g_assert (frame->stride == frame->width * 3);
  otter_image_letterbox (&image, size, input, &letterbox);

  OtterTorchBatch batch = { .n = 1, .size = size, .images = input };
  g_autoptr (GArray) found = otter_torch_model_detect (model, &batch, score_threshold, MAX_DETECTIONS, error);
  if (found == NULL)
    return NULL;

  OtterVideoDetections *result = g_new0 (OtterVideoDetections, 1);
  result->clean = to_frame (found, &letterbox, frame->width, frame->height);
  if (attack == NULL || attack->kind == OTTER_ATTACK_NONE)
    return result;

  /* the clean detections stand in for the boxes a video does not have */
  g_autoptr (GArray) boxes = g_array_new (FALSE, FALSE, sizeof (OtterTorchBox));
  for (guint k = 0; k < found->len; k++)
    {
      const OtterTorchDetection *d = &g_array_index (found, OtterTorchDetection, k);
      OtterTorchBox box = { d->x1, d->y1, d->x2, d->y2, d->class_id };
      g_array_append_val (boxes, box);
    }
  int box_start[2] = { 0, (int) boxes->len };
  batch.boxes = (const OtterTorchBox *) boxes->data;
  batch.box_start = box_start;

  g_autofree float *adversarial = g_new (float, (gsize) 3 * size * size);
  if (!otter_torch_attack (model, &batch, attack, seed, adversarial, error))
    {
      otter_video_detections_free (result);
      return NULL;
    }
  OtterTorchBatch attacked = { .n = 1, .size = size, .images = adversarial };
  g_autoptr (GArray) found_attacked = otter_torch_model_detect (model, &attacked, score_threshold,
                                                                MAX_DETECTIONS, error);
  if (found_attacked == NULL)
    {
      otter_video_detections_free (result);
      return NULL;
    }
  result->attacked = to_frame (found_attacked, &letterbox, frame->width, frame->height);
  result->attacked_frame = carry_perturbation (frame, input, adversarial, &letterbox);
  return result;
}
