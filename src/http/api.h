/*
 * api.h - the JSON API of hemgang (/api/v1/...): the application object that
 * the HTTP framework hands to every handler, and the route table.
 *
 * Handlers parse and authorise, ask the core and the store, and render JSON;
 * no rule lives here (deadlines, visibility and the event rules are the
 * core's). Every read or write of patient data appends an audit record.
 */
#ifndef HG_HTTP_API_H
#define HG_HTTP_API_H

#include <stdbool.h>
#include <stddef.h>

#include "http/auth.h"
#include "http/http.h"
#include "store/store.h"

#define API_SESSION_COOKIE "hemgang_session"
#define API_SESSION_SECONDS (10 * 3600)

/* Everything a handler may reach. Owned by `hemgang serve` (main), shared by the worker threads. */
typedef struct api_app {
	store *store;           /* thread-safe */
	auth_limiter *limiter;  /* thread-safe */
	bool demo;              /* the database holds demo data: say so everywhere */
	bool secure_cookies;    /* behind TLS: add Secure to the session cookie */
} api_app;

/* The route table (static storage) and its length. */
const http_route *api_routes(size_t *n);

/* Appends the application's metrics (events appended, store errors) for /metrics. */
void api_extra_metrics(void *app, http_buf *out);

#endif
