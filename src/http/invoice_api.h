/*
 * invoice_api.h - the JSON API of agreements and invoice bases
 * (/api/v1/agreements, /api/v1/invoices): one route table that `hemgang
 * serve` concatenates with the others (cmd_server.c, route_providers[]).
 *
 * Who may do what: every logged-in user may read the agreements. Invoices
 * belong to invoice officers (role invoice_officer): those of a region see
 * the invoices of the municipalities in their county, build them, send them
 * and decide disputes; those of a municipality see their municipality's
 * invoices once sent, and dispute them. Anything else is 403, an invoice
 * outside the caller's reach is 404. Every response that carries patient data
 * (lines, exclusions, exports) writes one audit record per episode
 * ("invoice.read").
 */
#ifndef HG_HTTP_INVOICE_API_H
#define HG_HTTP_INVOICE_API_H

#include <stddef.h>

#include "http/http.h"

/* The route table (static storage) and its length. */
const http_route *invoice_api_routes(size_t *n);

#endif
