/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset.c: a GListModel of OtterSample read from any supported layout */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <math.h>

#include "otter-dataset-private.h"
#include "otter-error.h"
#include "otter-shuffle.h"

/**
 * OtterDataset:
 *
 * The samples of a dataset, as a #GListModel of #OtterSample, with its
 * class names, box counts and the list of samples left out at load time.
 *
 * otter_dataset_load() reads Pascal VOC, COCO JSON, YOLO, CSV and plain
 * image folders. Every referenced image is probed by header while loading,
 * so a sample with a missing, empty, damaged or oversized image is skipped
 * then, not in the middle of a training run.
 *
 * Boxes are in image pixels with an exclusive x2/y2 corner. Pascal VOC's
 * 1-based inclusive corners become (xmin - 1, ymin - 1, xmax, ymax); CSV,
 * COCO and YOLO coordinates are pixel edges already and are kept as they
 * are. Edges that stick out of the image by at most 1 px are clamped.
 *
 * A dataset's samples are shared with its subsets; treat them as read-only.
 */

struct _OtterDataset
{
  GObject             parent_instance;

  OtterDatasetFormat  format;
  char               *source;
  GPtrArray          *samples;
  char              **class_names;
  guint               n_classes;
  guint              *class_counts;
  guint               n_boxes;
  GArray             *skipped;
  GPtrArray          *notes;            /* char *: kept, but adjusted while loading */
  OtterDatasetLoadFlags load_flags;
  guint               n_outside_root;   /* of the skipped */
};

static void otter_dataset_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OtterDataset, otter_dataset, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      otter_dataset_list_model_init))

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_N_ITEMS,
  PROP_N_BOXES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
otter_dataset_get_item_type (GListModel *model)
{
  return OTTER_TYPE_SAMPLE;
}

static guint
otter_dataset_get_n_items (GListModel *model)
{
  return OTTER_DATASET (model)->samples->len;
}

static gpointer
otter_dataset_get_item (GListModel *model,
                        guint       position)
{
  OtterDataset *self = OTTER_DATASET (model);

  if (position >= self->samples->len)
    return NULL;

  return g_object_ref (self->samples->pdata[position]);
}

static void
otter_dataset_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = otter_dataset_get_item_type;
  iface->get_n_items = otter_dataset_get_n_items;
  iface->get_item = otter_dataset_get_item;
}

static void
otter_dataset_finalize (GObject *object)
{
  OtterDataset *self = OTTER_DATASET (object);

  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->samples, g_ptr_array_unref);
  g_clear_pointer (&self->class_names, g_strfreev);
  g_clear_pointer (&self->class_counts, g_free);
  g_clear_pointer (&self->skipped, g_array_unref);
  g_clear_pointer (&self->notes, g_ptr_array_unref);

  G_OBJECT_CLASS (otter_dataset_parent_class)->finalize (object);
}

static void
otter_dataset_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  OtterDataset *self = OTTER_DATASET (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->samples->len);
      break;
    case PROP_N_BOXES:
      g_value_set_uint (value, self->n_boxes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_dataset_class_init (OtterDatasetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = otter_dataset_finalize;
  object_class->get_property = otter_dataset_get_property;

  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_BOXES] =
    g_param_spec_uint ("n-boxes", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
otter_dataset_init (OtterDataset *self)
{
}

/* Adds the sample's boxes to the counts; FALSE when a class id is not one
 * of the dataset's. */
static gboolean
count_boxes (OtterDataset *self,
             OtterSample  *sample)
{
  guint n = otter_sample_get_n_boxes (sample);

  for (guint i = 0; i < n; i++)
    if ((guint) otter_sample_get_box (sample, i)->class_id >= self->n_classes)
      return FALSE;

  for (guint i = 0; i < n; i++)
    self->class_counts[otter_sample_get_box (sample, i)->class_id]++;
  self->n_boxes += n;

  return TRUE;
}

OtterDataset *
otter_dataset_new_from_parts (OtterDatasetFormat   format,
                              const char          *source,
                              GPtrArray           *samples,
                              char               **class_names,
                              GArray              *skipped)
{
  OtterDataset *self = g_object_new (OTTER_TYPE_DATASET, NULL);

  self->format = format;
  self->source = g_strdup (source);
  self->samples = samples;
  self->class_names = class_names;
  self->n_classes = g_strv_length (class_names);
  self->class_counts = g_new0 (guint, MAX (self->n_classes, 1));
  self->skipped = skipped;

  for (guint i = 0; i < samples->len; i++)
    if (!count_boxes (self, samples->pdata[i]))
      g_critical ("Sample %s has a box whose class is not one of the dataset's %u",
                  otter_sample_get_display_name (samples->pdata[i]), self->n_classes);

  return self;
}

static gboolean
dir_has_file (const char  *dir,
              gboolean   (*filter) (const char *name))
{
  g_autoptr(GPtrArray) files = otter_dataset_list_files (dir, FALSE, filter, NULL);

  return files != NULL && files->len > 0;
}

static gboolean
is_xml_name (const char *name)
{
  return g_str_has_suffix (name, ".xml") || g_str_has_suffix (name, ".XML");
}

static gboolean
has_suffix_nocase (const char *name,
                   const char *suffix)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_has_suffix (lower, suffix);
}

static OtterDataset *
load_directory (const char           *path,
                OtterDatasetLoadFlags flags,
                GCancellable         *cancellable,
                GError       **error)
{
  g_autofree char *annotations = g_build_filename (path, "annotations", NULL);
  g_autofree char *labels = g_build_filename (path, "labels", NULL);
  g_autofree char *data_yaml = g_build_filename (path, "data.yaml", NULL);
  g_autofree char *data_yml = g_build_filename (path, "data.yml", NULL);
  g_autofree char *display = g_filename_display_name (path);

  if (dir_has_file (annotations, is_xml_name) || dir_has_file (path, is_xml_name))
    return otter_dataset_load_voc (path, flags, cancellable, error);

  if (g_file_test (data_yaml, G_FILE_TEST_IS_REGULAR))
    return otter_dataset_load_yolo (data_yaml, flags, cancellable, error);
  if (g_file_test (data_yml, G_FILE_TEST_IS_REGULAR))
    return otter_dataset_load_yolo (data_yml, flags, cancellable, error);
  if (g_file_test (labels, G_FILE_TEST_IS_DIR))
    return otter_dataset_load_yolo (path, flags, cancellable, error);

  if (dir_has_file (path, otter_dataset_is_image_name))
    return otter_dataset_load_folder (path, flags, cancellable, error);

  g_set_error (error, OTTER_ERROR, OTTER_ERROR_UNKNOWN_FORMAT,
               _("%s is not a dataset folder Otter knows: expected Pascal VOC .xml files "
                 "(in it or in annotations/), a YOLO data.yaml or labels/ folder, or image files"),
               display);
  return NULL;
}

/**
 * otter_dataset_load:
 * @path: a dataset file or folder, or "demo"
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads a dataset, detecting the format from @path:
 * a folder with .xml files (in it or in annotations/) is Pascal VOC;
 * a .json file is COCO; a data.yaml file, or a folder with data.yaml or
 * labels/, is YOLO; a .csv file is CSV; a folder with only images gives
 * samples without boxes; "demo" is the generated demo dataset.
 *
 * A problem with one sample (a malformed annotation file, a box outside its
 * image or of zero size, an unknown class, a missing or unreadable image)
 * leaves that sample out and records why in otter_dataset_get_skipped().
 * A problem with the whole dataset is an error: %OTTER_ERROR_NOT_FOUND for
 * a path that does not exist, %OTTER_ERROR_UNKNOWN_FORMAT, %OTTER_ERROR_PARSE
 * for a malformed COCO JSON, data.yaml or CSV header, and
 * %OTTER_ERROR_EMPTY_DATASET when no usable sample is left.
 *
 * May be called from a worker thread.
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 */
OtterDataset *
otter_dataset_load (const char    *path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return otter_dataset_load_with_flags (path, OTTER_DATASET_LOAD_NONE, cancellable, error);
}

/**
 * otter_dataset_load_with_flags:
 * @path: a dataset file or folder, or "demo"
 * @flags: how strictly to take the dataset's files
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * otter_dataset_load(), which is this without flags. Every image (and YOLO
 * label file) is resolved, links and ".." included, and one that leads
 * outside the dataset's folder is skipped unless @flags has
 * %OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT; when that leaves nothing, the
 * error is %OTTER_ERROR_OUTSIDE_ROOT. The folder is the one the format's
 * files are found from: the folder above a VOC annotations folder, a COCO
 * JSON's or a CSV's folder, a YOLO dataset's folder (data.yaml's).
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 */
OtterDataset *
otter_dataset_load_with_flags (const char           *path,
                               OtterDatasetLoadFlags flags,
                               GCancellable         *cancellable,
                               GError              **error)
{
  g_autofree char *display = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_strcmp0 (path, "demo") == 0)
    return otter_dataset_new_demo (OTTER_DEMO_DEFAULT_SEED,
                                   OTTER_DEMO_DEFAULT_IMAGES,
                                   OTTER_DEMO_IMAGE_SIZE);
  /* "demo:N" is a demo set of N images, for quick experiments and tests. */
  if (g_str_has_prefix (path, "demo:"))
    {
      /* Digits read by hand: under MALLOC_PERTURB_, g_ascii_string_to_unsigned()
       * was seen to reject "8" in the training thread about once in fifty
       * runs, and accept it when called again at once. */
      guint64 n = 0;
      const char *digits = path + 5;
      gboolean ok = *digits != '\0' && strlen (digits) <= 6;
      for (const char *d = digits; ok && *d != '\0'; d++)
        {
          ok = g_ascii_isdigit (*d);
          n = n * 10 + (guint64) (*d - '0');
        }
      if (!ok || n < 2 || n > 100000)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                       _("“%s”: a demo dataset size must be a number of images between 2 and 100000"), path);
          return NULL;
        }
      return otter_dataset_new_demo (OTTER_DEMO_DEFAULT_SEED, (guint) n, OTTER_DEMO_IMAGE_SIZE);
    }

  display = g_filename_display_name (path);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND,
                   _("%s: no such file or folder"), display);
      return NULL;
    }

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return load_directory (path, flags, cancellable, error);

  if (has_suffix_nocase (path, ".json"))
    return otter_dataset_load_coco (path, flags, cancellable, error);
  if (has_suffix_nocase (path, ".yaml") || has_suffix_nocase (path, ".yml"))
    return otter_dataset_load_yolo (path, flags, cancellable, error);
  if (has_suffix_nocase (path, ".csv"))
    return otter_dataset_load_csv (path, flags, cancellable, error);

  g_set_error (error, OTTER_ERROR, OTTER_ERROR_UNKNOWN_FORMAT,
               _("%s is not a dataset Otter knows: expected a folder (Pascal VOC, YOLO "
                 "or images), a COCO .json file, a YOLO data.yaml, a .csv file or \"demo\""),
               display);
  return NULL;
}

/**
 * otter_dataset_format_to_string:
 * @format: a #OtterDatasetFormat
 *
 * Returns: a short, untranslated name of the format ("Pascal VOC", "COCO", …)
 */
const char *
otter_dataset_format_to_string (OtterDatasetFormat format)
{
  switch (format)
    {
    case OTTER_DATASET_FORMAT_VOC:
      return "Pascal VOC";
    case OTTER_DATASET_FORMAT_COCO:
      return "COCO";
    case OTTER_DATASET_FORMAT_YOLO:
      return "YOLO";
    case OTTER_DATASET_FORMAT_CSV:
      return "CSV";
    case OTTER_DATASET_FORMAT_FOLDER:
      return "image folder";
    case OTTER_DATASET_FORMAT_DEMO:
      return "demo";
    default:
      g_return_val_if_reached ("unknown");
    }
}

/**
 * otter_dataset_get_format:
 * @self: a #OtterDataset
 *
 * Returns: the format the dataset was read from
 */
OtterDatasetFormat
otter_dataset_get_format (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), OTTER_DATASET_FORMAT_FOLDER);

  return self->format;
}

/**
 * otter_dataset_get_source:
 * @self: a #OtterDataset
 *
 * Returns: the path the dataset was loaded from, as given, or "demo"
 */
const char *
otter_dataset_get_source (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), NULL);

  return self->source;
}

/**
 * otter_dataset_get_class_names:
 * @self: a #OtterDataset
 *
 * Class ids index this list. For COCO it follows the category ids in
 * ascending order, for YOLO data.yaml or classes.txt; for VOC and CSV, which
 * have no class list, it is the names met, sorted alphabetically.
 *
 * Returns: (transfer none) (array zero-terminated=1): the class names
 */
const char *const *
otter_dataset_get_class_names (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), NULL);

  return (const char *const *) self->class_names;
}

/**
 * otter_dataset_get_n_classes:
 * @self: a #OtterDataset
 *
 * Returns: the number of classes (0 for a plain image folder)
 */
guint
otter_dataset_get_n_classes (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), 0);

  return self->n_classes;
}

/**
 * otter_dataset_get_sample:
 * @self: a #OtterDataset
 * @i: an index below g_list_model_get_n_items()
 *
 * Returns: (transfer none): the sample
 */
OtterSample *
otter_dataset_get_sample (OtterDataset *self,
                          guint         i)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), NULL);
  g_return_val_if_fail (i < self->samples->len, NULL);

  return self->samples->pdata[i];
}

/**
 * otter_dataset_get_n_boxes:
 * @self: a #OtterDataset
 *
 * Returns: the number of ground-truth boxes, crowd boxes included
 */
guint
otter_dataset_get_n_boxes (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), 0);

  return self->n_boxes;
}

/**
 * otter_dataset_get_class_counts:
 * @self: a #OtterDataset
 *
 * Returns: (transfer none) (array): the number of boxes of each class,
 *   otter_dataset_get_n_classes() entries, crowd boxes included
 */
const guint *
otter_dataset_get_class_counts (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), NULL);

  return self->class_counts;
}

/**
 * otter_dataset_get_skipped:
 * @self: a #OtterDataset
 *
 * The samples left out while loading, in the order they were met. A subset
 * starts with an empty list.
 *
 * Returns: (transfer none) (element-type OtterSkippedSample): the list
 */
const GArray *
otter_dataset_get_skipped (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), NULL);

  return self->skipped;
}

void
otter_dataset_set_notes (OtterDataset *self,
                         GPtrArray    *notes)
{
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  self->notes = notes;
}

void
otter_dataset_set_load_info (OtterDataset         *self,
                             OtterDatasetLoadFlags flags,
                             guint                 n_outside_root)
{
  self->load_flags = flags;
  self->n_outside_root = n_outside_root;
}

/**
 * otter_dataset_get_load_flags:
 * @self: a #OtterDataset
 *
 * Returns: the flags it was loaded with; a subset has its parent's
 */
OtterDatasetLoadFlags
otter_dataset_get_load_flags (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), OTTER_DATASET_LOAD_NONE);
  return self->load_flags;
}

/**
 * otter_dataset_get_n_outside_root:
 * @self: a #OtterDataset
 *
 * Returns: how many skipped samples lie outside the dataset's folder
 */
guint
otter_dataset_get_n_outside_root (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), 0);
  return self->n_outside_root;
}

/**
 * otter_dataset_get_notes:
 * @self: a #OtterDataset
 *
 * The samples kept but adjusted while loading, one line each ("file:
 * what was done"), e.g. boxes scaled to an image whose size differs from
 * the one its annotation states.
 *
 * Returns: (transfer none) (element-type utf8): the notes, possibly empty
 */
const GPtrArray *
otter_dataset_get_notes (OtterDataset *self)
{
  g_return_val_if_fail (OTTER_IS_DATASET (self), NULL);

  if (self->notes == NULL)
    self->notes = g_ptr_array_new_with_free_func (g_free);
  return self->notes;
}

static GArray *
new_skipped_array (void)
{
  GArray *skipped = g_array_new (FALSE, TRUE, sizeof (OtterSkippedSample));

  g_array_set_clear_func (skipped, otter_skipped_sample_clear);

  return skipped;
}

/**
 * otter_dataset_new_subset:
 * @self: a #OtterDataset
 * @indices: (array length=n_indices): sample indices, each below the number
 *   of samples
 * @n_indices: the number of indices; may be 0
 *
 * Makes a dataset of some of @self's samples, in the order given. The
 * samples (not copies) and the class names are shared; the format and
 * source are @self's.
 *
 * Returns: (transfer full): the subset
 */
OtterDataset *
otter_dataset_new_subset (OtterDataset *self,
                          const guint  *indices,
                          guint         n_indices)
{
  GPtrArray *samples;

  g_return_val_if_fail (OTTER_IS_DATASET (self), NULL);
  g_return_val_if_fail (indices != NULL || n_indices == 0, NULL);

  samples = g_ptr_array_new_full (n_indices, g_object_unref);
  for (guint i = 0; i < n_indices; i++)
    {
      if (indices[i] >= self->samples->len)
        {
          g_critical ("%s: index %u is out of range (%u samples)",
                      G_STRFUNC, indices[i], self->samples->len);
          g_ptr_array_unref (samples);
          return NULL;
        }
      g_ptr_array_add (samples, g_object_ref (self->samples->pdata[indices[i]]));
    }

  OtterDataset *subset = otter_dataset_new_from_parts (self->format, self->source, samples,
                                                       g_strdupv (self->class_names),
                                                       new_skipped_array ());
  subset->load_flags = self->load_flags;
  return subset;
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

/**
 * otter_dataset_split:
 * @self: a #OtterDataset
 * @val_fraction: the share of samples for validation, in [0, 1)
 * @seed: the shuffle seed
 * @train: (out) (transfer full): the training subset
 * @val: (out) (transfer full): the validation subset
 * @error: return location for a #GError
 *
 * Splits the samples in two disjoint subsets that cover them all. The same
 * dataset, fraction and seed always give the same split (a Fisher–Yates
 * shuffle driven by a #GRand seeded with @seed). @val gets
 * round(@val_fraction · n) samples, at least one when @val_fraction > 0
 * and n ≥ 2, and never all of them when n ≥ 2. Both subsets keep the
 * dataset's order.
 *
 * Returns: %TRUE, or %FALSE with %OTTER_ERROR_INVALID_ARGUMENT when
 *   @val_fraction is outside [0, 1)
 */
gboolean
otter_dataset_split (OtterDataset  *self,
                     double         val_fraction,
                     guint64        seed,
                     OtterDataset **train,
                     OtterDataset **val,
                     GError       **error)
{
  g_autoptr(GRand) rand = NULL;
  g_autofree guint *order = NULL;
  guint32 seed_words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  guint n, n_val;

  g_return_val_if_fail (OTTER_IS_DATASET (self), FALSE);
  g_return_val_if_fail (train != NULL && val != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(val_fraction >= 0.0 && val_fraction < 1.0))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("The validation fraction must be at least 0 and below 1, not %g"),
                   val_fraction);
      return FALSE;
    }

  n = self->samples->len;
  n_val = (guint) round (val_fraction * n);
  if (val_fraction > 0 && n >= 2)
    n_val = CLAMP (n_val, 1, n - 1);

  order = g_new (guint, MAX (n, 1));
  rand = g_rand_new_with_seed_array (seed_words, G_N_ELEMENTS (seed_words));
  otter_shuffle_indices (order, n, rand);

  qsort (order, n_val, sizeof (guint), compare_uint);
  qsort (order + n_val, n - n_val, sizeof (guint), compare_uint);

  *val = otter_dataset_new_subset (self, order, n_val);
  *train = otter_dataset_new_subset (self, order + n_val, n - n_val);

  return TRUE;
}

/**
 * otter_dataset_append_sample:
 * @self: a #OtterDataset
 * @sample: a sample whose boxes use the dataset's class ids
 *
 * Adds a sample at the end, updating the counts and emitting
 * #GListModel::items-changed and notifications of #OtterDataset:n-items
 * and #OtterDataset:n-boxes. For building datasets in code (tests,
 * tools); call it from the thread that owns the dataset.
 */
void
otter_dataset_append_sample (OtterDataset *self,
                             OtterSample  *sample)
{
  guint position;

  g_return_if_fail (OTTER_IS_DATASET (self));
  g_return_if_fail (OTTER_IS_SAMPLE (sample));

  if (!count_boxes (self, sample))
    {
      g_critical ("%s: sample %s has a box whose class is not one of the dataset's %u",
                  G_STRFUNC, otter_sample_get_display_name (sample), self->n_classes);
      return;
    }

  position = self->samples->len;
  g_ptr_array_add (self->samples, g_object_ref (sample));

  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (otter_sample_get_n_boxes (sample) > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_BOXES]);
}
