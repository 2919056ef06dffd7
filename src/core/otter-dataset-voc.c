/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-voc.c: Pascal VOC XML annotations, one file per image */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "otter-dataset-private.h"
#include "otter-error.h"

/* Pascal VOC corners are 1-based and inclusive: a box from xmin to xmax
 * covers xmax - xmin + 1 pixels. It becomes (xmin - 1, ymin - 1, xmax,
 * ymax) in Otter's 0-based, exclusive convention. Tools that write 0-based
 * corners give boxes that stick out by 1 px at most, which are clamped. */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlParserCtxt, xmlFreeParserCtxt)

typedef struct
{
  OtterDatasetBuilder *builder;
  const char          *xml_path;
  const char          *rel;             /* xml_path for messages */
  char                *xml_dir;
} VocFile;

static xmlNode *
child_element (xmlNode    *parent,
               const char *name)
{
  for (xmlNode *node = parent->children; node != NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE && strcmp ((const char *) node->name, name) == 0)
      return node;

  return NULL;
}

/* The trimmed text of the child element `name`, or NULL when it is absent
 * or empty. */
static char *
child_text (xmlNode    *parent,
            const char *name,
            xmlNode   **element)
{
  xmlNode *node = child_element (parent, name);
  xmlChar *content;
  char *text;

  if (element != NULL)
    *element = node;
  if (node == NULL)
    return NULL;

  content = xmlNodeGetContent (node);
  text = g_strstrip (g_strdup ((const char *) content));
  xmlFree (content);
  if (*text == '\0')
    g_clear_pointer (&text, g_free);

  return text;
}

static gboolean
read_number (VocFile    *file,
             xmlNode    *parent,
             const char *name,
             double     *value)
{
  xmlNode *element = NULL;
  g_autofree char *text = child_text (parent, name, &element);

  if (text == NULL)
    {
      otter_dataset_builder_skip (file->builder, file->xml_path,
                                  _("%s line %ld: <%s> has no <%s>"), file->rel,
                                  xmlGetLineNo (element != NULL ? element : parent),
                                  (const char *) parent->name, name);
      return FALSE;
    }
  if (!otter_dataset_parse_double (text, value))
    {
      otter_dataset_builder_skip (file->builder, file->xml_path,
                                  _("%s line %ld: <%s> \"%s\" is not a number"), file->rel,
                                  xmlGetLineNo (element), name, text);
      return FALSE;
    }

  return TRUE;
}

/* The image named by <filename>, looked for in an images/ folder beside the
 * XML's folder, an images/ folder inside it, the XML's folder itself, then
 * at <path>. Without either element, the XML's own name with an image
 * extension. */
static char *
find_image (VocFile  *file,
            xmlNode  *root,
            char    **tried)
{
  g_autofree char *sibling = g_build_filename (file->xml_dir, "..", "images", NULL);
  g_autofree char *inside = g_build_filename (file->xml_dir, "images", NULL);
  const char *dirs[] = { sibling, inside, file->xml_dir, NULL };
  g_autofree char *filename = child_text (root, "filename", NULL);
  g_autofree char *path = child_text (root, "path", NULL);
  char *found = NULL;

  if (filename != NULL)
    {
      found = otter_dataset_find_file (dirs, filename);
      if (found == NULL && strchr (filename, '.') == NULL)
        {
          static const char *const extensions[] = { ".jpg", ".png", ".jpeg", NULL };

          for (guint i = 0; found == NULL && extensions[i] != NULL; i++)
            {
              g_autofree char *with_ext = g_strconcat (filename, extensions[i], NULL);

              found = otter_dataset_find_file (dirs, with_ext);
            }
        }
    }
  if (found == NULL && path != NULL)
    {
      const char *here[] = { file->xml_dir, NULL };

      found = otter_dataset_find_file (here, path);
    }
  if (found == NULL && filename == NULL && path == NULL)
    {
      g_autofree char *stem = g_path_get_basename (file->xml_path);
      static const char *const extensions[] = { ".jpg", ".png", ".jpeg", NULL };

      *strrchr (stem, '.') = '\0';
      for (guint i = 0; found == NULL && extensions[i] != NULL; i++)
        {
          g_autofree char *with_ext = g_strconcat (stem, extensions[i], NULL);

          found = otter_dataset_find_file (dirs, with_ext);
        }
    }

  if (found == NULL)
    {
      const char *shown = filename != NULL ? filename : _("(no <filename>)");

      if (path != NULL)
        *tried = g_strdup_printf (_("image %s not found in images/ or beside the XML, nor at %s"), shown, path);
      else
        *tried = g_strdup_printf (_("image %s not found in images/ or beside the XML"), shown);
    }
  return found;
}

/* Adds the boxes of the <object> elements to `sample`; FALSE (with the
 * sample skipped) at the first bad one. */
static gboolean
read_objects (VocFile     *file,
              xmlNode     *root,
              OtterSample *sample,
              int          width,
              int          height)
{
  for (xmlNode *object = root->children; object != NULL; object = object->next)
    {
      static const char *const fields[] = { "xmin", "ymin", "xmax", "ymax" };
      OtterBoxSource source = { { "xmin", "ymin", "xmax", "ymax" } };
      g_autofree char *name = NULL;
      g_autofree char *difficult = NULL;
      g_autofree char *problem = NULL;
      xmlNode *bndbox;
      OtterBox box = { 0 };
      guint bad_field = 0;

      if (object->type != XML_ELEMENT_NODE || strcmp ((const char *) object->name, "object") != 0)
        continue;

      name = child_text (object, "name", NULL);
      if (name == NULL)
        {
          otter_dataset_builder_skip (file->builder, file->xml_path,
                                      _("%s line %ld: <object> has no <name>"),
                                      file->rel, xmlGetLineNo (object));
          return FALSE;
        }
      bndbox = child_element (object, "bndbox");
      if (bndbox == NULL)
        {
          otter_dataset_builder_skip (file->builder, file->xml_path,
                                      _("%s line %ld: <object> has no <bndbox>"),
                                      file->rel, xmlGetLineNo (object));
          return FALSE;
        }
      for (guint i = 0; i < 4; i++)
        if (!read_number (file, bndbox, fields[i], &source.values[i]))
          return FALSE;

      box.x1 = source.values[0] - 1;
      box.y1 = source.values[1] - 1;
      box.x2 = source.values[2];
      box.y2 = source.values[3];
      /* In 1-based inclusive terms xmax == xmin is a 1 px box: always a
       * stray click, so it counts as zero size like in other formats. */
      if (source.values[2] <= source.values[0])
        box.x2 = box.x1;
      if (source.values[3] <= source.values[1])
        box.y2 = box.y1;

      if (!otter_dataset_check_box (&box, width, height, &source, &bad_field, &problem))
        {
          xmlNode *element = child_element (bndbox, fields[bad_field]);

          otter_dataset_builder_skip (file->builder, file->xml_path, _("%s line %ld: %s"),
                                      file->rel, xmlGetLineNo (element), problem);
          return FALSE;
        }

      /* VOC's "difficult" objects are left out of its evaluation, which is
       * what crowd boxes are for. */
      difficult = child_text (object, "difficult", NULL);
      box.crowd = g_strcmp0 (difficult, "1") == 0;
      box.class_id = otter_dataset_builder_lookup_class (file->builder, name);
      g_assert (box.class_id >= 0);

      otter_sample_add_box (sample, &box);
    }

  return TRUE;
}

/* The size the annotation gives, 0 × 0 when it gives none. */
static gboolean
read_size (VocFile *file,
           xmlNode *root,
           int     *width,
           int     *height)
{
  xmlNode *size = child_element (root, "size");
  double w = 0, h = 0;

  *width = *height = 0;
  if (size == NULL || child_element (size, "width") == NULL || child_element (size, "height") == NULL)
    return TRUE;
  if (!read_number (file, size, "width", &w) || !read_number (file, size, "height", &h))
    return FALSE;
  if (w < 0 || h < 0 || w > G_MAXINT || h > G_MAXINT)
    {
      otter_dataset_builder_skip (file->builder, file->xml_path,
                                  _("%s line %ld: image size %g × %g is not valid"),
                                  file->rel, xmlGetLineNo (size), w, h);
      return FALSE;
    }
  /* 0 is written by some tools for "unknown"; the probe then says. */
  if (w >= 1 && h >= 1)
    {
      *width = (int) w;
      *height = (int) h;
    }

  return TRUE;
}

static void
read_voc_file (OtterDatasetBuilder *builder,
               const char          *xml_path)
{
  g_autoptr(xmlParserCtxt) ctxt = xmlNewParserCtxt ();
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(OtterSample) sample = NULL;
  g_autofree char *image_path = NULL;
  g_autofree char *tried = NULL;
  g_autofree char *xml_dir = g_path_get_dirname (xml_path);
  g_autofree char *rel = g_filename_display_name (otter_dataset_builder_relative (builder, xml_path));
  VocFile file = { builder, xml_path, rel, xml_dir };
  xmlNode *root;
  int width, height, probed_width, probed_height;

  g_assert (ctxt != NULL);
  doc = xmlCtxtReadFile (ctxt, xml_path, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      const xmlError *xml_error = xmlCtxtGetLastError (ctxt);
      g_autofree char *message = g_strstrip (g_strdup (xml_error != NULL && xml_error->message != NULL
                                                       ? xml_error->message : "unreadable"));

      otter_dataset_builder_skip (builder, xml_path, _("%s line %d: malformed XML: %s"),
                                  rel, xml_error != NULL ? xml_error->line : 0, message);
      return;
    }

  root = xmlDocGetRootElement (doc);
  if (root == NULL || strcmp ((const char *) root->name, "annotation") != 0)
    {
      otter_dataset_builder_skip (builder, xml_path,
                                  _("%s: the root element is <%s>, not <annotation>"),
                                  rel, root != NULL ? (const char *) root->name : "");
      return;
    }

  image_path = find_image (&file, root, &tried);
  if (image_path == NULL)
    {
      otter_dataset_builder_skip (builder, xml_path, "%s: %s", rel, tried);
      return;
    }
  if (!read_size (&file, root, &width, &height))
    return;
  if (!otter_dataset_builder_probe (builder, rel, image_path, &probed_width, &probed_height))
    return;

  /* The annotation's size is what its boxes refer to and are checked
   * against; when it differs from the image's, the builder scales them at
   * the end. 0 × 0 means the image's. */
  if (width == 0 || height == 0)
    {
      width = probed_width;
      height = probed_height;
    }

  sample = otter_sample_new (image_path, xml_path, width, height);
  if (!read_objects (&file, root, sample, width, height))
    return;

  otter_dataset_builder_add_sample (builder, sample);
}

static gboolean
is_xml_name (const char *name)
{
  return g_str_has_suffix (name, ".xml") || g_str_has_suffix (name, ".XML");
}

/* Loads a VOC folder: `path` holds the .xml files or an annotations/
 * folder with them. */
OtterDataset *
otter_dataset_load_voc (const char    *path,
                        OtterDatasetLoadFlags flags,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autofree char *annotations = g_build_filename (path, "annotations", NULL);
  g_autofree char *xml_dir = NULL;
  g_autofree char *root = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(OtterDatasetBuilder) builder = NULL;

  files = otter_dataset_list_files (annotations, FALSE, is_xml_name, NULL);
  if (files != NULL && files->len > 0)
    xml_dir = g_steal_pointer (&annotations);
  else
    {
      g_clear_pointer (&files, g_ptr_array_unref);
      files = otter_dataset_list_files (path, FALSE, is_xml_name, error);
      if (files == NULL)
        return NULL;
      xml_dir = g_strdup (path);
    }

  xmlInitParser ();

  /* Messages name files relative to the folder above the XML files'. */
  root = g_build_filename (xml_dir, "..", NULL);
  builder = otter_dataset_builder_new (OTTER_DATASET_FORMAT_VOC, flags, path, root);
  g_autofree char *boundary = otter_dataset_boundary_for_annotations (xml_dir);
  otter_dataset_builder_set_boundary (builder, boundary);

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *xml_path = g_build_filename (xml_dir, files->pdata[i], NULL);
      g_autofree char *canonical = g_canonicalize_filename (xml_path, NULL);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      read_voc_file (builder, canonical);
    }

  return otter_dataset_builder_finish (builder, error);
}
