/*
 * followup_api.h - the follow-up part of the JSON API: indicators, point
 * measurements, the holiday forecast, the Väntetider export and the patient
 * survey (docs/indicators.md; the dashboards of the web UI read these).
 *
 * Every figure is an aggregate computed by the core; small cells are
 * suppressed with the database's threshold. A caller of a municipality sees
 * only that municipality's residents; a caller of the region sees all. The
 * survey link's two routes need no login and show no patient data.
 */
#ifndef HG_HTTP_FOLLOWUP_API_H
#define HG_HTTP_FOLLOWUP_API_H

#include <stddef.h>

#include "http/http.h"

/* The module's route table (static storage) and its length, for serve's route_providers[]. */
const http_route *followup_routes(size_t *n);

#endif
