/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One series of a study, as Orthanc describes it. Immutable; strings are
 * never NULL ("" when unknown). */
#define RW_TYPE_SERIES (rw_series_get_type ())
G_DECLARE_FINAL_TYPE (RwSeries, rw_series, RW, SERIES, GObject)

RwSeries   *rw_series_new_from_orthanc        (JsonObject  *series,
                                               GError     **error);

const char *rw_series_get_orthanc_id          (RwSeries    *self);
const char *rw_series_get_series_uid          (RwSeries    *self);
const char *rw_series_get_modality            (RwSeries    *self);
const char *rw_series_get_description         (RwSeries    *self);
const char *rw_series_get_body_part           (RwSeries    *self);
/* SeriesNumber, or -1 when the series has none. */
int         rw_series_get_number              (RwSeries    *self);
guint       rw_series_get_instance_count      (RwSeries    *self);
/* Orthanc id of an instance of the series, for a preview; "" if none. */
const char *rw_series_get_first_instance_id   (RwSeries    *self);

/* The modality that names a study with these series (RwSeries elements):
 * the one with most instances, ignoring structured reports, presentation
 * states, key objects and documents unless nothing else is there. "" for no
 * series. Orthanc 1.10 ignores RequestedTags, so ModalitiesInStudy cannot be
 * asked for; this is how it is derived. */
const char *rw_series_list_primary_modality   (GPtrArray   *series);
/* Structured reports, presentation states, key objects, documents…:
 * objects that accompany the images rather than name the exam. */
gboolean    rw_series_modality_is_auxiliary   (const char  *modality);
gboolean    rw_series_list_has_modality       (GPtrArray   *series,
                                               const char  *modality);
guint       rw_series_list_count_instances    (GPtrArray   *series);

G_END_DECLS
