/*
 * hl7_api.h - the administrators' HTTP API of the HL7 v2 interface: sending
 * facilities, ward code maps, and the quarantine with replay
 * (/api/v1/hl7/...). An administrator sees and changes only what belongs to
 * the organisation (region) of the account; docs/interop.md §2.6.
 */
#ifndef HG_HL7_API_H
#define HG_HL7_API_H

#include <stddef.h>

#include "http/http.h"

/* The route table (static storage) and its length; handlers take the api_app (http/api.h). */
const http_route *hl7_routes(size_t *n);

#endif
