/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-untrusted.c: reading files a user did not write with care */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "otter-untrusted.h"

static const char *
describe_mode (mode_t mode)
{
  if (S_ISDIR (mode))
    return _("a folder");
  if (S_ISFIFO (mode))
    return _("a FIFO (named pipe)");
  if (S_ISCHR (mode))
    return _("a character device");
  if (S_ISBLK (mode))
    return _("a block device");
  if (S_ISSOCK (mode))
    return _("a socket");
  return S_ISREG (mode) ? NULL : _("not a regular file");
}

const char *
otter_describe_irregular_file (const char *path)
{
  struct stat st;

  g_return_val_if_fail (path != NULL, NULL);
  if (stat (path, &st) != 0)
    /* a link that leads back to itself, or through too many others */
    return errno == ELOOP ? _("a loop of symbolic links") : NULL;
  return describe_mode (st.st_mode);
}

static gboolean
set_errno_error (GError    **error,
                 int          saved)
{
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved), g_strerror (saved));
  return FALSE;
}

gboolean
otter_read_untrusted_file (const char  *path,
                           gsize        max_size,
                           char       **contents,
                           gsize       *length,
                           GError     **error)
{
  g_return_val_if_fail (path != NULL && contents != NULL, FALSE);

  /* O_NONBLOCK: opening a FIFO would otherwise wait for a writer */
  int fd = open (path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return set_errno_error (error, errno);

  struct stat st;
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;
      close (fd);
      return set_errno_error (error, saved);
    }
  const char *kind = describe_mode (st.st_mode);
  if (kind != NULL)
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, S_ISDIR (st.st_mode) ? G_IO_ERROR_IS_DIRECTORY : G_IO_ERROR_NOT_REGULAR_FILE,
                   _("%s, not a file"), kind);
      return FALSE;
    }
  if ((guint64) st.st_size > max_size)
    {
      close (fd);
      g_autofree char *size = g_format_size ((guint64) st.st_size);
      g_autofree char *limit = g_format_size (max_size);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s, more than the %s Otter reads"), size, limit);
      return FALSE;
    }

  /* read to the end, not st_size: a file may grow or shrink meanwhile,
   * and the bound holds either way */
  gsize capacity = (gsize) st.st_size + 1, used = 0;
  char *data = g_malloc (capacity + 1);
  for (;;)
    {
      if (used == capacity)
        {
          if (capacity > max_size)
            {
              g_free (data);
              close (fd);
              g_autofree char *limit = g_format_size (max_size);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("it grew past the %s Otter reads"), limit);
              return FALSE;
            }
          capacity = MIN (capacity * 2, max_size + 1);
          data = g_realloc (data, capacity + 1);
        }
      ssize_t n = read (fd, data + used, capacity - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_free (data);
          close (fd);
          return set_errno_error (error, saved);
        }
      if (n == 0)
        break;
      used += (gsize) n;
    }
  close (fd);
  data[used] = '\0';
  *contents = data;
  if (length != NULL)
    *length = used;
  return TRUE;
}

gboolean
otter_json_check_depth (const char  *text,
                        gssize       len,
                        guint        max_depth,
                        GError     **error)
{
  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  gsize n = len < 0 ? strlen (text) : (gsize) len;
  guint depth = 0;
  gboolean in_string = FALSE, escaped = FALSE;
  /* Outside every array and object: whether a value has begun, and whether
   * the current character continues a bare number or word. */
  gboolean had_value = FALSE, in_bare = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      char c = text[i];
      if (depth == 0 && !in_string)
        {
          if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            {
              in_bare = FALSE;
              continue;
            }
          gboolean bare = c != '"' && c != '[' && c != '{' && c != ']' && c != '}';
          if (!(bare && in_bare))
            {
              /* json-glib takes "[] []" or "5 {}" as one value; version
               * 1.10 then aborts on an assertion. A second value is an
               * error here instead. */
              if (had_value)
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("more than one JSON value (text after the first at byte %lu)"), (unsigned long) i);
                  return FALSE;
                }
              had_value = TRUE;
            }
          in_bare = bare;
        }
      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("JSON nested more than %u levels deep"),
                           max_depth);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

JsonNode *
otter_json_from_untrusted (const char  *text,
                           gssize       len,
                           GError     **error)
{
  g_return_val_if_fail (text != NULL, NULL);

  if (!otter_json_check_depth (text, len, OTTER_JSON_MAX_DEPTH, error))
    return NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, len, error))
    return NULL;
  JsonNode *root = json_parser_steal_root (parser);
  if (root == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("no JSON value"));
  return root;
}

static JsonNode *
get_value (JsonObject *object,
           const char *member,
           GType       type)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

const char *
otter_json_get_string (JsonObject *object,
                       const char *member,
                       const char *fallback)
{
  JsonNode *node = get_value (object, member, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : fallback;
}

gint64
otter_json_get_int (JsonObject *object,
                    const char *member,
                    gint64      fallback)
{
  JsonNode *node = get_value (object, member, G_TYPE_INT64);

  return node != NULL ? json_node_get_int (node) : fallback;
}

double
otter_json_get_number (JsonObject *object,
                       const char *member,
                       double      fallback)
{
  JsonNode *node = get_value (object, member, G_TYPE_DOUBLE);

  if (node != NULL)
    return json_node_get_double (node);
  node = get_value (object, member, G_TYPE_INT64);
  return node != NULL ? (double) json_node_get_int (node) : fallback;
}

gboolean
otter_json_get_boolean (JsonObject *object,
                        const char *member,
                        gboolean    fallback)
{
  JsonNode *node = get_value (object, member, G_TYPE_BOOLEAN);

  return node != NULL ? json_node_get_boolean (node) : fallback;
}

JsonArray *
otter_json_get_array (JsonObject *object,
                      const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
otter_json_get_object (JsonObject *object,
                       const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
otter_json_array_get_string (JsonArray *array,
                             guint      index)
{
  JsonNode *node = index < json_array_get_length (array) ? json_array_get_element (array, index) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}
