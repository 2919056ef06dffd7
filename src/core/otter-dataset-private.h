/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-private.h: what the format readers share with OtterDataset */
#pragma once

#include "otter-dataset.h"

G_BEGIN_DECLS

/* Where a box came from, for messages: what the format calls the left, top,
 * right and bottom edges and the values as they were written. */
typedef struct
{
  const char *names[4];
  double      values[4];
} OtterBoxSource;

/* Collects the samples, class names and skip reasons of one load, then
 * turns into the dataset (otter-dataset-builder.c). */
typedef struct _OtterDatasetBuilder OtterDatasetBuilder;

OtterDatasetBuilder *otter_dataset_builder_new            (OtterDatasetFormat   format,
                                                           OtterDatasetLoadFlags flags,
                                                           const char          *source,
                                                           const char          *root);
void                 otter_dataset_builder_free           (OtterDatasetBuilder *self);
/* `path` relative to the dataset root when it lies under it (a pointer
 * into `path`), otherwise `path` itself. For messages. */
const char          *otter_dataset_builder_relative       (OtterDatasetBuilder *self,
                                                           const char          *path);
/* A fixed class list (COCO categories, data.yaml): unknown names and ids
 * are then errors. Without it, classes are discovered from the names met
 * and sorted alphabetically when the dataset is made. */
void                 otter_dataset_builder_set_class_names (OtterDatasetBuilder *self,
                                                            const char *const   *names);
guint                otter_dataset_builder_get_n_classes  (OtterDatasetBuilder *self);
/* The class id of `name`, adding it when classes are discovered; -1 when
 * the class list is fixed and does not have it. */
int                  otter_dataset_builder_lookup_class   (OtterDatasetBuilder *self,
                                                           const char          *name);
void                 otter_dataset_builder_add_sample     (OtterDatasetBuilder *self,
                                                           OtterSample         *sample);
guint                otter_dataset_builder_get_n_samples  (OtterDatasetBuilder *self);
/* Records a sample left out; `format` gives the one-line reason. */
void                 otter_dataset_builder_skip           (OtterDatasetBuilder *self,
                                                           const char          *file,
                                                           const char          *format,
                                                           ...) G_GNUC_PRINTF (3, 4);
/* The folder the dataset's files must lie in (see check_inside); the root
 * until set. */
void                 otter_dataset_builder_set_boundary   (OtterDatasetBuilder *self,
                                                           const char          *dir);
/* That folder for annotations in `dir` (a VOC, COCO or CSV file's folder):
 * the folder above when it is called annotations or the images/ folder
 * lies beside it (ds/annotations/ next to ds/images/), else `dir` itself,
 * so that a file in Downloads/ds/ cannot reach the rest of Downloads/. */
char                *otter_dataset_boundary_for_annotations (const char        *dir);
/* Whether `path` lies inside the dataset's boundary once links and ".." are
 * resolved, or the load allows files outside it; otherwise records the
 * skip (naming `path` as `what`, "image" or "label file", of `referrer`,
 * the annotation that names it, when there is one) and returns FALSE.
 * A path that does not resolve passes: opening it reports why. */
gboolean             otter_dataset_builder_check_inside   (OtterDatasetBuilder *self,
                                                           const char          *referrer,
                                                           const char          *path,
                                                           const char          *what);
/* Whether `path` lies inside `root` once both are resolved; `resolved`
 * gets the resolved path when given (NULL when it does not resolve). */
gboolean             otter_dataset_path_is_inside         (const char          *root,
                                                           const char          *path,
                                                           char               **resolved);
/* Checks the image lies inside the root (as above), then probes its
 * header; on failure records the skip and returns FALSE. */
gboolean             otter_dataset_builder_probe          (OtterDatasetBuilder *self,
                                                           const char          *referrer,
                                                           const char          *image_path,
                                                           int                 *width,
                                                           int                 *height);
/* The dataset, or OTTER_ERROR_EMPTY_DATASET when no sample was added. */
OtterDataset        *otter_dataset_builder_finish         (OtterDatasetBuilder *self,
                                                           GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterDatasetBuilder, otter_dataset_builder_free)

/* Checks a box against the image: zero or negative size and edges more
 * than 1 px outside are problems (a one-line description without the file
 * name, and the index in source of the field it names); edges at most
 * 1 px outside are clamped. */
gboolean   otter_dataset_check_box       (OtterBox             *box,
                                          int                   width,
                                          int                   height,
                                          const OtterBoxSource *source,
                                          guint                *bad_field,
                                          char                **problem);

gboolean   otter_dataset_is_image_name   (const char           *name);
/* Regular files under `dir` accepted by `filter` (NULL for all), as paths
 * relative to `dir`, in natural order ("img2" before "img10"). Hidden
 * entries are ignored. Symbolic links are followed, except to a folder
 * already listed, so a link cycle lists nothing twice. */
GPtrArray *otter_dataset_list_files      (const char           *dir,
                                          gboolean              recursive,
                                          gboolean            (*filter) (const char *name),
                                          GError              **error);
/* The first `dirs[i]/name` that is a regular file, or NULL. */
char      *otter_dataset_find_file       (const char *const    *dirs,
                                          const char           *name);
/* Whole-string numbers (surrounding blanks allowed), finite. */
gboolean   otter_dataset_parse_double    (const char           *text,
                                          double               *value);
gboolean   otter_dataset_parse_int       (const char           *text,
                                          gint64               *value);

/* The dataset from its parts; takes ownership of all of them. */
OtterDataset *otter_dataset_new_from_parts (OtterDatasetFormat  format,
                                            const char         *source,
                                            GPtrArray          *samples,
                                            char              **class_names,
                                            GArray             *skipped);
void          otter_skipped_sample_clear  (gpointer            data);

/* otter-sample.c: class ids change when discovered classes get sorted.
 * map[old id] is the new id; ids at or above n_map are left alone. */
void          otter_sample_remap_classes  (OtterSample        *sample,
                                            const int          *map,
                                            guint               n_map);
/* otter-sample.c: the sample's boxes scaled from its size to width ×
 * height, which becomes its size. */
void          otter_sample_rescale        (OtterSample        *sample,
                                            int                 width,
                                            int                 height);
/* otter-dataset.c: what loading adjusted and kept ("file: what"); takes
 * the array. */
void          otter_dataset_set_notes     (OtterDataset       *dataset,
                                            GPtrArray          *notes);
/* otter-dataset.c: how it was loaded, and how many skips lie outside. */
void          otter_dataset_set_load_info (OtterDataset       *dataset,
                                            OtterDatasetLoadFlags flags,
                                            guint               n_outside_root);

/* otter-dataset-yaml.c: the NULL-terminated class names of a data.yaml,
 * and its `path` key when `path_key` is given; `rel` names it in errors. */
char        **otter_dataset_read_data_yaml (const char   *path,
                                            const char   *rel,
                                            char        **path_key,
                                            GError      **error);

/* One reader per format (otter-dataset-<format>.c). */
OtterDataset *otter_dataset_load_voc     (const char    *path,
                                          OtterDatasetLoadFlags flags,
                                          GCancellable  *cancellable,
                                          GError       **error);
OtterDataset *otter_dataset_load_coco    (const char    *path,
                                          OtterDatasetLoadFlags flags,
                                          GCancellable  *cancellable,
                                          GError       **error);
OtterDataset *otter_dataset_load_yolo    (const char    *path,
                                          OtterDatasetLoadFlags flags,
                                          GCancellable  *cancellable,
                                          GError       **error);
OtterDataset *otter_dataset_load_csv     (const char    *path,
                                          OtterDatasetLoadFlags flags,
                                          GCancellable  *cancellable,
                                          GError       **error);
OtterDataset *otter_dataset_load_folder  (const char    *path,
                                          OtterDatasetLoadFlags flags,
                                          GCancellable  *cancellable,
                                          GError       **error);

G_END_DECLS
