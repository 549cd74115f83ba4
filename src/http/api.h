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
/* Rendered answers kept between requests (api.c); thread-safe. */
typedef struct api_cache api_cache;
hg_status api_cache_create(api_cache **out) HG_MUST_CHECK;
void api_cache_free(api_cache *c);

typedef struct api_app {
	store *store;           /* thread-safe */
	api_cache *cache;       /* the worklists as rendered; NULL: none */
	auth_limiter *limiter;  /* thread-safe */
	bool demo;              /* the database holds demo data: say so everywhere */
	bool secure_cookies;    /* behind TLS: add Secure to the session cookie */
	const char *trusted_proxy; /* address of a reverse proxy whose X-Forwarded-For is believed, or NULL */
} api_app;

/* The authenticated caller of a request. */
typedef struct api_caller {
	store_user user;
	bool by_token; /* bearer API token rather than a session cookie */
} api_caller;

/* ---- helpers for every module's handlers; each replies itself when it returns false ---- */

/*
 * The client's address for rate limits and the audit log: the peer's, or, when
 * the peer is the trusted proxy, the last address of X-Forwarded-For (the one
 * that proxy added). buf gets at most cap bytes. Returns buf.
 */
const char *api_client_addr(http_request *req, const api_app *app, char *buf, size_t cap);

/* The current instant (the server's clock). */
hg_instant api_now(void);
/* Finds the caller from the session cookie or a bearer token; replies 401 when there is none. */
bool api_authenticate(http_request *req, http_response *res, api_app *app, api_caller *c);
/* Requires a role that reads identifiable patient data; replies 403 otherwise. */
bool api_require_patient_reader(http_response *res, const api_caller *c);
/* Checks the {id} path parameter, the role and the visibility of an episode; replies 404 when not visible. */
bool api_episode_access(http_request *req, http_response *res, api_app *app, const api_caller *c, int64_t *id);
/* Appends an audit record (action e.g. "episode.read"); replies 503 and returns false when it cannot. */
bool api_audit(http_request *req, http_response *res, api_app *app, const api_caller *c, const char *action,
	       int64_t episode_id, const char *reason);
/* Replies with the problem that fits a store status (404, 503, ...). */
hg_status api_problem_store(http_response *res, hg_status rc);

/* The route table (static storage) and its length. */
const http_route *api_routes(size_t *n);

/* Appends the application's metrics (events appended, store errors) for /metrics. */
void api_extra_metrics(void *app, hg_buf *out);
/* Audits a read that showed several patients: one record and one link per episode shown (so each
 * patient's access extract finds it); the answer is held until the record is durable. Replies and
 * returns false on failure. */
bool api_audit_patients(http_request *req, http_response *res, api_app *app, const api_caller *c, const char *action,
			const int64_t *episodes, size_t n, const char *reason);
/* http_config.durable: whether the audit records up to ticket are durable (1), not yet (0), failed (-1). */
int api_durable(void *app, uint64_t ticket);

#endif
