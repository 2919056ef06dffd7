/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-data-page.h: the Data page */
#pragma once

#include <adwaita.h>

#include "otter-session.h"

G_BEGIN_DECLS

#define OTTER_TYPE_DATA_PAGE (otter_data_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterDataPage, otter_data_page, OTTER, DATA_PAGE, AdwBin)

OtterSession *otter_data_page_get_session (OtterDataPage *self);
void          otter_data_page_set_session (OtterDataPage *self,
                                            OtterSession *session);

G_END_DECLS
