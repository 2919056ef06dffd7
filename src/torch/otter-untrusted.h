/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-untrusted.h: reading files a user did not write with care
 *
 * Plain C, shared by the libtorch shim and the engine: the shim's model
 * files and the engine's datasets, images and run folders all come
 * through here before anything parses them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The deepest JSON Otter reads; its own files nest 6 levels at most.
 * json-glib recurses once a level, so a deep enough file would overflow
 * the stack. */
#define OTTER_JSON_MAX_DEPTH 256

/* The whole of the regular file at `path`, at most `max_size` bytes, with
 * a NUL after it. A FIFO, a device, a socket or a folder is refused before
 * anything is read (G_IO_ERROR_NOT_REGULAR_FILE, naming what it is), so
 * neither blocks nor reads without end; a larger file is refused with
 * G_IO_ERROR_INVALID_DATA. Other failures carry the errno's G_IO_ERROR
 * code. Messages do not name the file: callers put its name first,
 * e.g. "labels.csv: a FIFO (named pipe), not a file". */
gboolean otter_read_untrusted_file (const char  *path,
                                    gsize        max_size,
                                    char       **contents,
                                    gsize       *length,
                                    GError     **error);

/* What kind of file `path` is, in a few words ("a folder", "a FIFO",
 * "a loop of symbolic links"),
 * when it is not a regular file; NULL for a regular file or one that
 * cannot be examined. Follows symbolic links. */
const char *otter_describe_irregular_file (const char *path);

/* TRUE when the JSON text (len -1: NUL-terminated) nests no deeper than
 * `max_depth` arrays and objects and holds one value, not several in a row;
 * otherwise G_IO_ERROR_INVALID_DATA with "JSON nested more than N levels
 * deep" or "more than one JSON value …". The text is not otherwise
 * checked: a parser does that afterwards. */
gboolean otter_json_check_depth (const char  *text,
                                 gssize       len,
                                 guint        max_depth,
                                 GError     **error);

/* The JSON text parsed, once otter_json_check_depth() passed it; NULL
 * with an error (G_IO_ERROR_INVALID_DATA for depth, json-glib's own for
 * syntax) otherwise. */
typedef struct _JsonNode JsonNode;
JsonNode *otter_json_from_untrusted (const char  *text,
                                     gssize       len,
                                     GError     **error);

/* Members of a parsed untrusted object, read only when they have the type
 * asked for: otherwise `fallback` (NULL for arrays and objects). json-glib's
 * own getters log a critical for a member of another kind (an object where
 * a string was expected), and its string getter gives NULL for a number.
 * Numbers accept integers and decimals, integers only integers. */
typedef struct _JsonObject JsonObject;
typedef struct _JsonArray JsonArray;
const char *otter_json_get_string  (JsonObject  *object,
                                    const char  *member,
                                    const char  *fallback);
gint64      otter_json_get_int     (JsonObject  *object,
                                    const char  *member,
                                    gint64       fallback);
double      otter_json_get_number  (JsonObject  *object,
                                    const char  *member,
                                    double       fallback);
gboolean    otter_json_get_boolean (JsonObject  *object,
                                    const char  *member,
                                    gboolean     fallback);
JsonArray  *otter_json_get_array   (JsonObject  *object,
                                    const char  *member);
JsonObject *otter_json_get_object  (JsonObject  *object,
                                    const char  *member);
/* Element `index` of the array when it is a string, else NULL. */
const char *otter_json_array_get_string (JsonArray *array,
                                         guint      index);

G_END_DECLS
