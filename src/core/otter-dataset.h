/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset.h: a GListModel of OtterSample read from any supported layout */
#pragma once

#include <gio/gio.h>

#include "otter-sample.h"

G_BEGIN_DECLS

typedef enum
{
  OTTER_DATASET_FORMAT_VOC,     /* Pascal VOC XML folder */
  OTTER_DATASET_FORMAT_COCO,    /* COCO JSON */
  OTTER_DATASET_FORMAT_YOLO,    /* YOLO txt + data.yaml or classes.txt */
  OTTER_DATASET_FORMAT_CSV,     /* filename,width,height,class,xmin,ymin,xmax,ymax */
  OTTER_DATASET_FORMAT_FOLDER,  /* plain images, no boxes */
  OTTER_DATASET_FORMAT_DEMO,    /* generated shapes */
} OtterDatasetFormat;

/* How strictly a dataset's files are taken. */
typedef enum
{
  OTTER_DATASET_LOAD_NONE                = 0,
  /* Follow annotation paths and links that lead outside the dataset's
   * folder. Without it, such files are skipped: a dataset someone else
   * wrote must not make Otter read (and show, or train on) other files. */
  OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT  = 1 << 0,
} OtterDatasetLoadFlags;

/* A sample that was left out at load time, and why. */
typedef struct
{
  char *file;                   /* the annotation or image file concerned */
  char *reason;                 /* one line, names the line or field where there is one */
} OtterSkippedSample;

#define OTTER_TYPE_DATASET (otter_dataset_get_type ())
G_DECLARE_FINAL_TYPE (OtterDataset, otter_dataset, OTTER, DATASET, GObject)

/* Detects the format from the path ("demo" gives the demo dataset). Samples
 * with bad annotations or images are skipped and listed; a dataset left
 * with no usable sample, or a path that cannot be read at all, is an error. */
OtterDataset       *otter_dataset_load              (const char        *path,
                                                     GCancellable      *cancellable,
                                                     GError           **error);
OtterDataset       *otter_dataset_load_with_flags   (const char        *path,
                                                     OtterDatasetLoadFlags flags,
                                                     GCancellable      *cancellable,
                                                     GError           **error);
/* otter_dataset_load_with_flags() on a worker thread. */
void                otter_dataset_load_async        (const char        *path,
                                                     OtterDatasetLoadFlags flags,
                                                     GCancellable      *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer           user_data);
OtterDataset       *otter_dataset_load_finish       (GAsyncResult      *result,
                                                     GError           **error);
OtterDataset       *otter_dataset_new_demo          (guint64            seed,
                                                     guint              n_images,
                                                     int                image_size);
/* Number of images in the default demo dataset, and their side. */
/* A label file, CSV or data.yaml larger than this is not one. */
#define OTTER_DATASET_MAX_TEXT_SIZE ((gsize) 1 << 30)

#define OTTER_DEMO_DEFAULT_SEED   7
#define OTTER_DEMO_DEFAULT_IMAGES 600
#define OTTER_DEMO_IMAGE_SIZE     96

const char         *otter_dataset_format_to_string  (OtterDatasetFormat format);

OtterDatasetFormat  otter_dataset_get_format        (OtterDataset      *self);
const char         *otter_dataset_get_source        (OtterDataset      *self);
/* NULL-terminated, owned by the dataset */
const char *const  *otter_dataset_get_class_names   (OtterDataset      *self);
guint               otter_dataset_get_n_classes     (OtterDataset      *self);
OtterSample        *otter_dataset_get_sample        (OtterDataset      *self,
                                                     guint              i);
guint               otter_dataset_get_n_boxes       (OtterDataset      *self);
/* Boxes per class, n_classes entries, owned by the dataset */
const guint        *otter_dataset_get_class_counts  (OtterDataset      *self);
/* Array of OtterSkippedSample, owned by the dataset */
const GArray       *otter_dataset_get_skipped       (OtterDataset      *self);
const GPtrArray    *otter_dataset_get_notes         (OtterDataset      *self);
OtterDatasetLoadFlags otter_dataset_get_load_flags  (OtterDataset      *self);
/* How many of the skipped samples lie outside the dataset's folder (the
 * ones OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT would keep). */
guint               otter_dataset_get_n_outside_root (OtterDataset     *self);

/* A dataset sharing samples and class names with self. */
OtterDataset       *otter_dataset_new_subset        (OtterDataset      *self,
                                                     const guint       *indices,
                                                     guint              n_indices);
/* Deterministic split by seed: val gets round(fraction · n) samples (at
 * least one when fraction > 0 and n ≥ 2). */
gboolean            otter_dataset_split             (OtterDataset      *self,
                                                     double             val_fraction,
                                                     guint64            seed,
                                                     OtterDataset     **train,
                                                     OtterDataset     **val,
                                                     GError           **error);
/* Adds a sample at the end (emits items-changed); its boxes must use the
 * dataset's class ids. */
void                otter_dataset_append_sample     (OtterDataset      *self,
                                                     OtterSample       *sample);

G_END_DECLS
