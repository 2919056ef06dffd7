/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-error.c */
#include "config.h"

#include "otter-error.h"

G_DEFINE_QUARK (otter-error-quark, otter_error)
