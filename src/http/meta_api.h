/*
 * meta_api.h - `GET /api/v1/rules`: the core's role and event-type tables for the web UI's forms.
 */
#ifndef HG_HTTP_META_API_H
#define HG_HTTP_META_API_H

#include <stddef.h>

#include "http/http.h"

/* The module's route table (static storage) and its length, for serve's route_providers[]. */
const http_route *meta_routes(size_t *n);

#endif
