/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-yaml.c: the class names of a YOLO data.yaml */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "otter-untrusted.h"

#include <string.h>
#include <yaml.h>

#include "otter-dataset-private.h"
#include "otter-error.h"

/* Read with libyaml's event API, which never expands aliases: a file of
 * nested aliases ("billion laughs") costs no more than its own size. Of
 * the top-level keys only `names` (a sequence, or an index → name
 * mapping), `nc` and `path` are read; the others are passed over whatever
 * they hold. The caps keep a hostile file from making libyaml grow its
 * stacks or Otter its class list without end; a real data.yaml nests 2
 * levels and has one event or two per class. */
#define MAX_DEPTH  64
#define MAX_EVENTS (1u << 20)

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (yaml_event_t, yaml_event_delete)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (yaml_parser_t, yaml_parser_delete)

typedef struct
{
  const char    *rel;           /* the YAML file, for messages */
  const char    *contents;
  gsize          length;
  yaml_parser_t *parser;
  guint          n_events;
  guint          depth;         /* collections open after the last event */
} YamlReader;

static guint
event_line (const yaml_event_t *event)
{
  return event->start_mark.line + 1;
}

/* The start of the 0-based line `line` of the text, or NULL past its end. */
static const char *
find_line (YamlReader *reader,
           gsize       line)
{
  const char *p = reader->contents;

  for (; line > 0 && p != NULL; line--)
    if ((p = memchr (p, '\n', reader->length - (p - reader->contents))) != NULL)
      p++;

  return p;
}

/* libyaml's error as one line with its line number. */
static void
set_syntax_error (YamlReader  *reader,
                  GError     **error)
{
  yaml_parser_t *parser = reader->parser;
  const char *line;

  if (parser->error == YAML_READER_ERROR)
    {
      /* the reader gives a byte offset, not a mark */
      gsize offset = MIN (parser->problem_offset, reader->length);
      guint line_number = 1;

      for (gsize i = 0; i < offset; i++)
        line_number += reader->contents[i] == '\n';
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("%s line %u: %s"),
                   reader->rel, line_number, parser->problem);
      return;
    }

  /* libyaml says "found character that cannot start any token" */
  line = find_line (reader, parser->problem_mark.line);
  if (parser->error == YAML_SCANNER_ERROR && line != NULL && line[strspn (line, " ")] == '\t')
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                 _("%s line %zu: YAML does not allow tabs for indentation"),
                 reader->rel, parser->problem_mark.line + 1);
  else if (parser->context != NULL)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("%s line %zu: %s (%s on line %zu)"),
                 reader->rel, parser->problem_mark.line + 1, parser->problem,
                 parser->context, parser->context_mark.line + 1);
  else
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("%s line %zu: %s"),
                 reader->rel, parser->problem_mark.line + 1,
                 parser->problem != NULL ? parser->problem : _("libyaml ran out of memory"));
}

/* Replaces `event` with the next one, within the caps. */
static gboolean
reader_next (YamlReader    *reader,
             yaml_event_t  *event,
             GError       **error)
{
  yaml_event_delete (event);
  if (!yaml_parser_parse (reader->parser, event))
    {
      set_syntax_error (reader, error);
      return FALSE;
    }
  if (++reader->n_events > MAX_EVENTS)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   _("%s line %u: more than %u YAML nodes, too many for a data.yaml"),
                   reader->rel, event_line (event), MAX_EVENTS);
      return FALSE;
    }

  if (event->type == YAML_SEQUENCE_START_EVENT || event->type == YAML_MAPPING_START_EVENT)
    reader->depth++;
  else if (event->type == YAML_SEQUENCE_END_EVENT || event->type == YAML_MAPPING_END_EVENT)
    reader->depth--;
  if (reader->depth > MAX_DEPTH)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   _("%s line %u: nested more than %u levels deep"), reader->rel,
                   event_line (event), MAX_DEPTH);
      return FALSE;
    }

  return TRUE;
}

/* Passes over the node that `event` starts. */
static gboolean
skip_node (YamlReader    *reader,
           yaml_event_t  *event,
           GError       **error)
{
  guint depth = reader->depth;

  if (event->type != YAML_SEQUENCE_START_EVENT && event->type != YAML_MAPPING_START_EVENT)
    return TRUE;
  while (reader->depth >= depth)
    if (!reader_next (reader, event, error))
      return FALSE;

  return TRUE;
}

static char *
scalar_dup (const yaml_event_t *event)
{
  return g_strndup ((const char *) event->data.scalar.value, event->data.scalar.length);
}

/* A class name, or an index in a names mapping, must be a plain scalar. */
static gboolean
check_scalar (YamlReader          *reader,
              const yaml_event_t  *event,
              const char          *what,
              GError             **error)
{
  /* `what` comes translated ("a class name") or is the key "names". */
  if (event->type == YAML_SCALAR_EVENT)
    return TRUE;
  if (event->type == YAML_ALIAS_EVENT)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                 _("%s line %u: %s is the alias *%s; aliases are not followed in names"),
                 reader->rel, event_line (event), what, event->data.alias.anchor);
  else
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                 _("%s line %u: %s must be text, not a list or a mapping"),
                 reader->rel, event_line (event), what);

  return FALSE;
}

/* The entries of `names: {0: a, 1: b}` into `names`, indexed by class id. */
static gboolean
read_names_mapping (YamlReader    *reader,
                    yaml_event_t  *event,
                    GPtrArray     *names,
                    GError       **error)
{
  for (;;)
    {
      g_autofree char *key = NULL;
      gint64 index;
      guint line;

      if (!reader_next (reader, event, error))
        return FALSE;
      if (event->type == YAML_MAPPING_END_EVENT)
        return TRUE;
      if (!check_scalar (reader, event, _("a class index"), error))
        return FALSE;
      key = scalar_dup (event);
      line = event_line (event);
      if (!otter_dataset_parse_int (key, &index) || index < 0 || index > 100000)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       _("%s line %u: the class index \"%s\" is not a whole number from 0"),
                       reader->rel, line, key);
          return FALSE;
        }
      if ((guint) index < names->len && names->pdata[index] != NULL)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       _("%s line %u: class %" PRId64 " is named twice"),
                       reader->rel, line, index);
          return FALSE;
        }

      if (!reader_next (reader, event, error) ||
          !check_scalar (reader, event, _("a class name"), error))
        return FALSE;
      if ((guint) index >= names->len)
        g_ptr_array_set_size (names, index + 1);
      names->pdata[index] = scalar_dup (event);
    }
}

/* `names` from the node that `event` starts. */
static gboolean
read_names (YamlReader    *reader,
            yaml_event_t  *event,
            GPtrArray     *names,
            GError       **error)
{
  if (event->type == YAML_MAPPING_START_EVENT)
    return read_names_mapping (reader, event, names, error);

  if (event->type != YAML_SEQUENCE_START_EVENT)
    {
      if (!/* "names" is the YAML key, kept as it is written. */
          check_scalar (reader, event, "names", error))
        return FALSE;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   _("%s line %u: names must be a list ([a, b] or \"- a\" lines) "
                     "or an index mapping (\"0: a\" lines)"), reader->rel, event_line (event));
      return FALSE;
    }

  for (;;)
    {
      if (!reader_next (reader, event, error))
        return FALSE;
      if (event->type == YAML_SEQUENCE_END_EVENT)
        return TRUE;
      if (!check_scalar (reader, event, _("a class name"), error))
        return FALSE;
      g_ptr_array_add (names, scalar_dup (event));
    }
}

/* The top-level mapping, whose first event is in `event`. */
static gboolean
read_top_level (YamlReader    *reader,
                yaml_event_t  *event,
                GPtrArray     *names,
                guint         *names_line,
                gint64        *nc,
                guint         *nc_line,
                char         **path_key,
                GError       **error)
{
  if (event->type != YAML_MAPPING_START_EVENT)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   _("%s line %u: expected \"key: value\" lines"), reader->rel, event_line (event));
      return FALSE;
    }

  for (;;)
    {
      g_autofree char *key = NULL;
      guint line;

      if (!reader_next (reader, event, error))
        return FALSE;
      if (event->type == YAML_MAPPING_END_EVENT)
        return TRUE;

      /* keys that are not text are not ours; neither are their values */
      if (event->type == YAML_SCALAR_EVENT)
        key = scalar_dup (event);
      else if (!skip_node (reader, event, error))
        return FALSE;
      line = event_line (event);
      if (!reader_next (reader, event, error))
        return FALSE;

      if (g_strcmp0 (key, "names") == 0)
        {
          if (*names_line != 0)
            {
              g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                           _("%s line %u: names is given a second time (first on line %u)"),
                           reader->rel, line, *names_line);
              return FALSE;
            }
          *names_line = line;
          if (!read_names (reader, event, names, error))
            return FALSE;
        }
      else if (g_strcmp0 (key, "nc") == 0)
        {
          g_autofree char *value = event->type == YAML_SCALAR_EVENT ? scalar_dup (event) : NULL;

          *nc_line = line;
          if (value == NULL || !otter_dataset_parse_int (value, nc) || *nc < 1)
            {
              g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                           _("%s line %u: nc \"%s\" is not a positive whole number"),
                           reader->rel, line, value != NULL ? value : "");
              return FALSE;
            }
        }
      else if (g_strcmp0 (key, "path") == 0 && path_key != NULL && event->type == YAML_SCALAR_EVENT)
        {
          g_free (*path_key);
          *path_key = scalar_dup (event);
        }
      else if (!skip_node (reader, event, error))
        return FALSE;
    }
}

/* Reads `names:` (and checks `nc:`) from a data.yaml; only its first
 * document is read. */
char **
otter_dataset_read_data_yaml (const char  *path,
                              const char  *rel,
                              char       **path_key,
                              GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_auto(yaml_parser_t) parser = { 0 };
  g_auto(yaml_event_t) event = { 0 };
  YamlReader reader = { rel };
  gint64 nc = -1;
  guint names_line = 0, nc_line = 0;

  if (!yaml_parser_initialize (&parser))
    g_error ("libyaml: out of memory");
  if (!otter_read_untrusted_file (path, OTTER_DATASET_MAX_TEXT_SIZE, &contents,
                                  &reader.length, &local_error))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", rel, local_error->message);
      return NULL;
    }
  /* libyaml takes the encoding from a BOM, UTF-8 without one */
  yaml_parser_set_input_string (&parser, (const unsigned char *) contents, reader.length);
  reader.contents = contents;
  reader.parser = &parser;

  /* the stream start, then a document or the end of an empty file */
  if (!reader_next (&reader, &event, error) || !reader_next (&reader, &event, error))
    return NULL;
  if (event.type == YAML_DOCUMENT_START_EVENT &&
      (!reader_next (&reader, &event, error) ||
       !read_top_level (&reader, &event, names, &names_line, &nc, &nc_line, path_key, error)))
    return NULL;

  if (names_line == 0 || names->len == 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   _("%s: no class names (expected \"names: [a, b]\" or \"0: a\" lines under \"names:\")"), rel);
      return NULL;
    }
  for (guint i = 0; i < names->len; i++)
    if (names->pdata[i] == NULL || *(char *) names->pdata[i] == '\0')
      {
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                     _("%s line %u: names has no name for class %u"), rel, names_line, i);
        return NULL;
      }
  if (nc >= 0 && nc != names->len)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   _("%s line %u: nc is %" PRId64 " but names has %u entries"),
                   rel, nc_line, nc, names->len);
      return NULL;
    }

  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
