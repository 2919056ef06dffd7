/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-error.h: the error domain of Otter's core library */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OTTER_ERROR (otter_error_quark ())

typedef enum
{
  OTTER_ERROR_FAILED,
  OTTER_ERROR_NOT_FOUND,        /* a path that does not exist */
  OTTER_ERROR_UNKNOWN_FORMAT,   /* a dataset layout Otter does not recognise */
  OTTER_ERROR_PARSE,            /* malformed XML / JSON / YAML / txt / CSV */
  OTTER_ERROR_INVALID_BOX,      /* outside the image, zero or negative size */
  OTTER_ERROR_UNKNOWN_CLASS,
  OTTER_ERROR_MISSING_IMAGE,    /* an annotation without its image */
  OTTER_ERROR_BAD_IMAGE,        /* empty, truncated, not an image */
  OTTER_ERROR_IMAGE_TOO_LARGE,
  OTTER_ERROR_EMPTY_DATASET,    /* nothing usable left */
  OTTER_ERROR_INVALID_ARGUMENT, /* absurd parameters */
  OTTER_ERROR_IO,
  OTTER_ERROR_RUN,              /* a run directory that cannot be used */
  OTTER_ERROR_BAD_VIDEO,        /* not a video, truncated, no video stream */
  OTTER_ERROR_MISSING_PLUGIN,   /* GStreamer lacks a decoder or element */
  OTTER_ERROR_OUTSIDE_ROOT,     /* a dataset whose files all lie outside its folder */
} OtterError;

GQuark otter_error_quark (void);

G_END_DECLS
