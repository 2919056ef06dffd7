/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-yaml.c: the class names of a YOLO data.yaml */
#include "config.h"

#include "otter-untrusted.h"

#include <string.h>

#include "otter-dataset-private.h"
#include "otter-error.h"

/* Not a YAML parser: the subset YOLO tools write. Top-level "key: value"
 * lines; of those only `names` (a flow list [a, 'b c'], a flow mapping
 * {0: a}, a block of "- a" lines or a block of "0: a" lines), `nc` and
 * `path` are read, and the indented lines of other keys are passed over.
 * Comments, quotes ('it''s', "a # b") and multi-line flow lists are
 * understood. Anything else is an error with its line number. */

typedef struct
{
  const char *rel;              /* the YAML file, for messages */
  char      **lines;
  guint       n_lines;
  guint       i;                /* the line being read, 0-based */
} YamlReader;

/* Cuts a comment ("#" at the start or after a blank, outside quotes). */
static void
strip_comment (char *line)
{
  char quote = 0;

  for (char *p = line; *p != '\0'; p++)
    {
      if (quote != 0)
        {
          if (*p == quote)
            quote = 0;
        }
      else if (*p == '\'' || *p == '"')
        quote = *p;
      else if (*p == '#' && (p == line || g_ascii_isspace (p[-1])))
        {
          *p = '\0';
          return;
        }
    }
}

/* A scalar without its quotes; NULL with an error for an unclosed quote. */
static char *
unquote (YamlReader  *reader,
         const char  *text,
         GError     **error)
{
  g_autofree char *s = g_strstrip (g_strdup (text));
  gsize len = strlen (s);

  if (len == 0 || (s[0] != '\'' && s[0] != '"'))
    return g_steal_pointer (&s);

  if (len < 2 || s[len - 1] != s[0])
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   "%s line %u: the quote in %s is not closed", reader->rel, reader->i + 1, s);
      return NULL;
    }
  s[len - 1] = '\0';
  if (s[0] == '\'')
    {
      g_auto(GStrv) parts = g_strsplit (s + 1, "''", -1);

      return g_strjoinv ("'", parts);
    }

  return g_strcompress (s + 1);
}

/* Splits the inside of a flow collection at commas outside quotes. */
static GPtrArray *
split_flow (const char *text)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);
  const char *start = text;
  char quote = 0;

  for (const char *p = text; ; p++)
    {
      if (quote != 0 && *p != '\0')
        {
          if (*p == quote)
            quote = 0;
          continue;
        }
      if (*p == '\'' || *p == '"')
        quote = *p;
      else if (*p == ',' || *p == '\0')
        {
          g_autofree char *item = g_strstrip (g_strndup (start, p - start));

          /* YAML allows a trailing comma */
          if (*item != '\0' || *p == ',')
            g_ptr_array_add (items, g_steal_pointer (&item));
          if (*p == '\0')
            break;
          start = p + 1;
        }
    }

  return items;
}

/* Adds "index: name" to `by_index` (GPtrArray indexed by class id). */
static gboolean
add_mapping_entry (YamlReader  *reader,
                   const char  *entry,
                   GPtrArray   *by_index,
                   GError     **error)
{
  const char *colon = strchr (entry, ':');
  g_autofree char *key = NULL;
  char *name;
  gint64 index;

  if (colon == NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   "%s line %u: expected \"index: name\" in names, found \"%s\"",
                   reader->rel, reader->i + 1, entry);
      return FALSE;
    }
  key = g_strndup (entry, colon - entry);
  if (!otter_dataset_parse_int (key, &index) || index < 0 || index > 100000)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   "%s line %u: the class index \"%s\" is not a whole number from 0",
                   reader->rel, reader->i + 1, g_strstrip (key));
      return FALSE;
    }
  if ((guint) index < by_index->len && by_index->pdata[index] != NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   "%s line %u: class %" G_GINT64_FORMAT " is named twice",
                   reader->rel, reader->i + 1, index);
      return FALSE;
    }
  if ((name = unquote (reader, colon + 1, error)) == NULL)
    return FALSE;

  if ((guint) index >= by_index->len)
    g_ptr_array_set_size (by_index, index + 1);
  by_index->pdata[index] = name;

  return TRUE;
}

static gboolean
add_sequence_entry (YamlReader  *reader,
                    const char  *entry,
                    GPtrArray   *names,
                    GError     **error)
{
  char *name = unquote (reader, entry, error);

  if (name == NULL)
    return FALSE;
  g_ptr_array_add (names, name);

  return TRUE;
}

/* `names: [a, b]` or `names: {0: a, 1: b}`, possibly over several lines. */
static gboolean
read_flow_names (YamlReader  *reader,
                 const char  *value,
                 GPtrArray   *names,
                 GError     **error)
{
  g_autoptr(GString) text = g_string_new (value);
  guint first_line = reader->i;
  char close = value[0] == '[' ? ']' : '}';
  g_autoptr(GPtrArray) items = NULL;

  while (strchr (text->str, close) == NULL)
    {
      if (reader->i + 1 >= reader->n_lines)
        {
          reader->i = first_line;
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       "%s line %u: the names opened with %c are not closed with %c",
                       reader->rel, first_line + 1, value[0], close);
          return FALSE;
        }
      reader->i++;
      strip_comment (reader->lines[reader->i]);
      g_string_append_c (text, ' ');
      g_string_append (text, reader->lines[reader->i]);
    }

  g_strstrip (text->str);
  if (text->str[strlen (text->str) - 1] != close)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   "%s line %u: unexpected text after the closing %c of names",
                   reader->rel, reader->i + 1, close);
      return FALSE;
    }
  text->str[strlen (text->str) - 1] = '\0';
  items = split_flow (text->str + 1);

  for (guint i = 0; i < items->len; i++)
    {
      gboolean ok = close == ']'
        ? add_sequence_entry (reader, items->pdata[i], names, error)
        : add_mapping_entry (reader, items->pdata[i], names, error);

      if (!ok)
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_blank (const char *line)
{
  while (g_ascii_isspace (*line))
    line++;

  return *line == '\0';
}

static gboolean
is_sequence_entry (const char *entry)
{
  return entry[0] == '-' && (entry[1] == '\0' || g_ascii_isspace (entry[1]));
}

/* The lines under `names:`, all "- name" or all "index: name". A sequence
 * may start at the key's own column, as YAML allows. */
static gboolean
read_block_names (YamlReader  *reader,
                  GPtrArray   *names,
                  GError     **error)
{
  int kind = 0;                 /* 1: sequence, 2: mapping */

  while (reader->i + 1 < reader->n_lines)
    {
      char *line = reader->lines[reader->i + 1];
      gboolean indented = line[0] == ' ';
      char *entry;

      strip_comment (line);
      if (is_blank (line))
        {
          reader->i++;
          continue;
        }
      /* Stripped in place only once the line is known to be ours. */
      entry = line + strspn (line, " ");
      if (*entry == '\t')
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       "%s line %u: YAML does not allow tabs for indentation",
                       reader->rel, reader->i + 2);
          return FALSE;
        }
      if (!indented && (kind == 2 || !is_sequence_entry (entry)))
        break;

      reader->i++;
      entry = g_strstrip (line);
      if (is_sequence_entry (entry) && kind != 2)
        {
          kind = 1;
          if (!add_sequence_entry (reader, entry + 1, names, error))
            return FALSE;
        }
      else if (!is_sequence_entry (entry) && kind != 1)
        {
          kind = 2;
          if (!add_mapping_entry (reader, entry, names, error))
            return FALSE;
        }
      else
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       "%s line %u: names mixes \"- name\" and \"index: name\" entries",
                       reader->rel, reader->i + 1);
          return FALSE;
        }
    }

  return TRUE;
}

/* Reads `names:` (and checks `nc:`) from a data.yaml: the YAML subset that
 * YOLO tools write, read line by line so errors can give line numbers. */
char **
otter_dataset_read_data_yaml (const char  *path,
                              const char  *rel,
                              char       **path_key,
                              GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;
  YamlReader reader = { rel };
  gint64 nc = -1;
  guint names_line = 0, nc_line = 0;

  if (!otter_read_untrusted_file (path, OTTER_DATASET_MAX_TEXT_SIZE, &contents, NULL, &local_error))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", rel, local_error->message);
      return NULL;
    }
  g_strdelimit (contents, "\r", ' ');
  lines = g_strsplit (contents, "\n", -1);
  reader.lines = lines;
  reader.n_lines = g_strv_length (lines);

  for (reader.i = 0; reader.i < reader.n_lines; reader.i++)
    {
      char *line = lines[reader.i];
      g_autofree char *key = NULL;
      char *colon, *value;

      strip_comment (line);
      if (is_blank (line) || g_str_has_prefix (line, "---"))
        continue;
      if (line[strspn (line, " ")] == '\t')
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       "%s line %u: YAML does not allow tabs for indentation", rel, reader.i + 1);
          return NULL;
        }
      if (line[0] == ' ')
        continue;               /* inside a key we do not read */

      g_strchomp (line);
      colon = strstr (line, ": ");
      if (colon == NULL && g_str_has_suffix (line, ":"))
        colon = line + strlen (line) - 1;
      if (colon == NULL || colon == line)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       "%s line %u: expected \"key: value\", found \"%s\"",
                       rel, reader.i + 1, g_strstrip (line));
          return NULL;
        }
      key = g_strstrip (g_strndup (line, colon - line));
      value = g_strstrip (colon + 1);

      if (strcmp (key, "names") == 0)
        {
          gboolean ok;

          if (names_line != 0)
            {
              g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                           "%s line %u: names is given a second time (first on line %u)",
                           rel, reader.i + 1, names_line);
              return NULL;
            }
          names_line = reader.i + 1;
          if (value[0] == '[' || value[0] == '{')
            ok = read_flow_names (&reader, value, names, error);
          else if (*value == '\0')
            ok = read_block_names (&reader, names, error);
          else
            {
              g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                           "%s line %u: names must be a list ([a, b] or \"- a\" lines) "
                           "or an index mapping (\"0: a\" lines)", rel, names_line);
              return NULL;
            }
          if (!ok)
            return NULL;
        }
      else if (strcmp (key, "nc") == 0)
        {
          nc_line = reader.i + 1;
          if (!otter_dataset_parse_int (value, &nc) || nc < 1)
            {
              g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                           "%s line %u: nc \"%s\" is not a positive whole number", rel, nc_line, value);
              return NULL;
            }
        }
      else if (strcmp (key, "path") == 0 && path_key != NULL)
        {
          g_free (*path_key);
          if ((*path_key = unquote (&reader, value, error)) == NULL)
            return NULL;
        }
    }

  if (names_line == 0 || names->len == 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   "%s: no class names (expected \"names: [a, b]\" or \"0: a\" lines under \"names:\")", rel);
      return NULL;
    }
  for (guint i = 0; i < names->len; i++)
    if (names->pdata[i] == NULL || *(char *) names->pdata[i] == '\0')
      {
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                     "%s line %u: names has no name for class %u", rel, names_line, i);
        return NULL;
      }
  if (nc >= 0 && nc != names->len)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   "%s line %u: nc is %" G_GINT64_FORMAT " but names has %u entries",
                   rel, nc_line, nc, names->len);
      return NULL;
    }

  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

