/*
 * http.h - the HTTP server framework: a thin, reusable layer over libmicrohttpd.
 *
 * It knows nothing about episodes, users or SQL. The application hands it ONE
 * route table (method, pattern with {param} segments, handler, metrics name)
 * and an opaque `app` pointer; the framework accepts connections, reads the
 * body under a hard ceiling, routes, calls the handler with a request and a
 * response object, adds the security headers, counts metrics and writes an
 * access log line that names the route PATTERN, never the raw path (raw paths
 * and query strings may carry a personnummer). Paths no route claims may be
 * served from a static directory (the web UI), and the server can expose its
 * own Prometheus metrics and the OpenAPI file.
 *
 * A handler is a plain function:
 *
 *     static hg_status get_episode(http_request *req, http_response *res, void *app)
 *     {
 *         const char *id = http_request_param(req, "id");
 *         ...
 *         return http_reply_json(res, 200, body);
 *     }
 *     static const http_route routes[] = {
 *         {HTTP_GET, "/api/v1/episodes/{id}", get_episode, NULL},
 *     };
 *
 * A handler that returns a failure status without having replied gets a
 * generic problem chosen by the status (HG_EINVAL 400, HG_ENOTFOUND 404,
 * HG_ECONFLICT 409, HG_EDENIED 403, HG_ERANGE 413, HG_EIO 503, others 500);
 * a reply already made always stands. Handlers run on the server's worker
 * threads, so anything reached through `app` must be thread-safe.
 *
 * There is no global state: everything hangs off the http_server object.
 */
#ifndef HG_HTTP_H
#define HG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct http_server http_server;
typedef struct http_request http_request;
typedef struct http_response http_response;

/* Request methods a route can name. A GET route also answers HEAD (the body is dropped). */
typedef enum http_method {
	HTTP_GET = 0,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_METHOD_COUNT
} http_method;

/* "GET", "POST", ...; "?" for an out-of-range value. */
const char *http_method_name(http_method m);

typedef hg_status (*http_handler)(http_request *req, http_response *res, void *app);

/* One row of the route table. The table must outlive the server. */
typedef struct http_route {
	http_method method;
	/* "/api/v1/episodes/{id}/events": literal segments match exactly (after percent-decoding),
	 * "{name}" matches one non-empty segment and binds it, decoded, to `name`. No wildcards.
	 * At most HTTP_MAX_SEGMENTS segments and HTTP_MAX_PARAMS params. First matching row wins. */
	const char *pattern;
	http_handler handler;
	const char *name; /* label in metrics and the access log; NULL means the pattern itself */
} http_route;

#define HTTP_MAX_SEGMENTS 24
#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_URI 8192     /* longer request targets get 414 */
#define HTTP_MAX_HEADERS 16   /* extra response headers per response */


/* Server configuration. Zero/NULL fields take the default given in brackets; fill with
 * http_config_defaults() or a designated initializer. Strings are copied at start. */
typedef struct http_config {
	const char *listen;            /* "ADDR:PORT", "[IPv6]:PORT"; port 0 = ephemeral ["127.0.0.1:8080"] */
	unsigned threads;              /* worker threads (MHD thread pool) [4] */
	unsigned max_connections;      /* concurrent connections [256] */
	unsigned per_ip_connections;   /* concurrent connections per client address [32] */
	unsigned reserve_connections;  /* the last of max_connections go only to addresses that hold none,
	                                * so health checks answer while one client holds many [16] */
	const char *per_ip_exempt;     /* an address without the per-address limit (a trusted proxy); NULL = none */
	unsigned connection_timeout_s; /* idle connection timeout in seconds [30] */
	unsigned header_timeout_s;     /* a request's headers must be complete this long after the connection
	                                * opened or its previous response: slow or trickled headers are cut [30] */
	unsigned body_timeout_s;       /* a request body must be complete this long after its headers [60] */
	unsigned stop_grace_ms;        /* http_server_stop waits this long for in-flight requests [5000] */
	size_t max_body;               /* request body ceiling in bytes; over it: 413 [1 MiB] */
	unsigned json_max_depth;       /* nesting depth of a JSON body; over it: 400 [32] */
	size_t json_max_string;        /* bytes of one JSON string as sent (escapes counted raw) [64 KiB] */
	const char *static_root;       /* directory served for paths no route claims; NULL = none */
	bool spa_fallback;             /* unknown non-API paths without an extension get index.html */
	const char *api_prefix;        /* paths under these space-separated prefixes never get static files or
	                                * the SPA fallback ["/api/"] */
	const char *openapi_file;      /* file served at openapi_url; NULL = none */
	const char *openapi_url;       /* ["/api/v1/openapi.json"] */
	const char *metrics_url;       /* serve Prometheus text here (GET); NULL = not served */
	bool access_log;               /* one line per request on stderr (method, route pattern, status, seconds) */
	/* Called while rendering metrics so the application can append its own lines (with
	 * hg_buf_printf); runs on a worker thread, may be NULL. */
	void (*extra_metrics)(void *app, hg_buf *out);
	/* Whether a hold ticket (see http_response_hold) is durable: 1 yes, 0 not yet, -1 failed. Called on
	 * worker threads and from http_server_wake; NULL: nothing is ever held. */
	int (*durable)(void *app, uint64_t ticket);
} http_config;

/*
 * Holds the answer until `ticket` is durable (e.g. the sequence number of the request's audit
 * record in a group commit): the server suspends the connection, so no worker thread waits, and
 * sends the response once http_server_wake finds cfg.durable(ticket) true; when it reports a failure
 * the client gets 503 instead. Several calls keep the highest ticket (tickets are durable in order).
 */
void http_response_hold(http_response *res, uint64_t ticket);
/*
 * Holds the answer as http_response_hold does and renders it only then: once `ticket` is durable,
 * finish(req, res, ctx) fills the response on a worker thread (a failed ticket answers 503 without
 * calling it; finish must not hold again). Ticket 0 is durable at once. release(ctx) runs exactly
 * once when the request ends, whatever happened to it. Used for answers that depend on what a
 * group commit decided (an append judged by the writer), so no thread waits for the judgement.
 */
typedef hg_status (*http_finish_fn)(http_request *req, http_response *res, void *ctx);
void http_response_defer(http_response *res, uint64_t ticket, http_finish_fn finish, void (*release)(void *ctx),
			 void *ctx);
/* Resumes the held connections whose tickets have become durable (thread-safe; call after each
 * group commit). */
void http_server_wake(http_server *s);

/* Fills cfg with every default (listen "127.0.0.1:8080", the limits above, no static root). */
void http_config_defaults(http_config *cfg);

/*
 * Starts the server: parses cfg->listen, binds, and runs the worker threads. `routes` (nroutes
 * rows) and `app` are borrowed and must outlive the server. On success *out owns the server;
 * free it with http_server_stop. HG_EINVAL for a bad address, a bad route pattern or a missing
 * static root; HG_EIO when the socket cannot be bound (errno tells why); HG_ENOMEM.
 */
hg_status http_server_start(const http_config *cfg, const http_route *routes, size_t nroutes, void *app,
			    http_server **out) HG_MUST_CHECK;
/* The TCP port actually bound (useful with port 0). */
unsigned http_server_port(const http_server *s);
/*
 * Stops accepting connections, lets requests in flight finish (up to cfg->stop_grace_ms;
 * responses sent meanwhile carry "Connection: close"), then stops the threads and frees
 * everything. NULL is a no-op.
 */
void http_server_stop(http_server *s);

/*
 * Renders the Prometheus text exposition (version 0.0.4) of the server's own metrics:
 * hemgang_http_requests_total{route,method,status}, hemgang_http_request_duration_seconds
 * (a histogram per route), hemgang_http_requests_in_flight, followed by whatever
 * cfg->extra_metrics appends. HG_ERANGE/HG_ENOMEM when `out` could not hold it all.
 */
hg_status http_metrics_render(http_server *s, hg_buf *out) HG_MUST_CHECK;

/* ---- The request (valid only during the handler call; strings are owned by the request) ---- */

http_method http_request_method(const http_request *req);
/* The path as sent (still percent-encoded), without the query string. */
const char *http_request_path(const http_request *req);
/* The route's name (or pattern) that matched; "static", "metrics", "openapi" or "unmatched" otherwise. */
const char *http_request_route(const http_request *req);
/* A path parameter by name, percent-decoded; NULL when the pattern has no such {name}. */
const char *http_request_param(const http_request *req, const char *name);
/* A query parameter, decoded ('+' and %XX); NULL when absent. */
const char *http_request_query(const http_request *req, const char *name);
/* A request header, name matched case-insensitively; NULL when absent. */
const char *http_request_header(const http_request *req, const char *name);
/* A cookie value by name; NULL when absent. */
const char *http_request_cookie(const http_request *req, const char *name);
/* The client's address as text ("127.0.0.1", "::1"); "" when unknown. */
const char *http_request_client_addr(http_request *req);
/* The raw body (NUL-terminated for convenience, may contain NULs) and its length in *len. */
const char *http_request_body(const http_request *req, size_t *len);
/*
 * The body parsed as JSON, parsed once and cached. Returns a BORROWED reference owned by
 * the request (json_incref it to keep it). On failure returns NULL after having replied on
 * res with a problem: 415 "unsupported_media_type" (Content-Type not application/json),
 * 400 "json_too_deep" / "json_string_too_long" (limits, checked before parsing),
 * 400 "invalid_json" (with "line" and "column" members from Jansson). The handler then
 * just returns HG_OK (or any status: the reply stands).
 */
json_t *http_request_json(http_request *req, http_response *res);

/* ---- The response (each reply replaces an earlier one; headers accumulate) ----
 *
 * The reply functions return a status so a handler can end with `return http_reply_json(...)`.
 * When one fails (out of memory, or a NULL body from a failed json_pack) the response has
 * already degraded to a bare status line without a body: 503 for JSON and text (500 for a
 * NULL body), the requested status for a problem. So a failed reply never leaves the client
 * without an answer. Note that GCC does not let `(void)` silence HG_MUST_CHECK; to ignore a
 * result on purpose write `hg_status ignored = http_reply_problem(...); (void)ignored;`.
 */

/* Replies with `body` as application/json (compact). Steals the reference even on failure. */
hg_status http_reply_json(http_response *res, int status, json_t *body) HG_MUST_CHECK;
/* Replies with a copy of text (len bytes); content_type NULL means "text/plain; charset=utf-8". */
hg_status http_reply_text(http_response *res, int status, const char *content_type, const char *text,
			  size_t len) HG_MUST_CHECK;
/* Replies with text (len bytes) without copying it: text belongs to ctx, and release(ctx) runs exactly
 * once when the body is no longer needed (sent, replaced by another reply, or this call failed). For
 * large bodies served many times over from a cache (the worklist), shared by reference counting. */
hg_status http_reply_shared(http_response *res, int status, const char *content_type, const char *text,
			    size_t len, void (*release)(void *ctx), void *ctx) HG_MUST_CHECK;

/* Problem types are absolute URIs: HTTP_PROBLEM_TYPE_BASE followed by the code. */
#define HTTP_PROBLEM_TYPE_BASE "https://hemgang.se/problems/"
/*
 * Replies with an application/problem+json body (RFC 9457): type = HTTP_PROBLEM_TYPE_BASE
 * code, title (NULL: the status's reason phrase), status, detail (printf-style, NULL: none),
 * instance (the request path), and the extension members "code" (stable machine code,
 * e.g. "validation") and "field" (the JSON member at fault; omitted when NULL).
 */
hg_status http_reply_problem(http_response *res, int status, const char *code, const char *title,
			     const char *field, const char *detail_fmt, ...) HG_MUST_CHECK
	__attribute__((format(printf, 6, 7)));
/* The same with extra extension members merged from `ext` (a JSON object, stolen; may be NULL). */
hg_status http_reply_problem_ext(http_response *res, int status, const char *code, const char *title,
				 const char *field, const char *detail, json_t *ext) HG_MUST_CHECK;
/*
 * Adds a response header (name and value copied), e.g. Set-Cookie, ETag, Location,
 * Cache-Control, Retry-After. A handler's Cache-Control replaces the default "no-store".
 * HG_EINVAL for a CR/LF/NUL in either, HG_ERANGE beyond HTTP_MAX_HEADERS.
 */
hg_status http_response_header(http_response *res, const char *name, const char *value) HG_MUST_CHECK;
/*
 * Conditional GET: sets the ETag header to `etag` (a quoted entity tag, e.g. "\"v42\"") and,
 * when the request's If-None-Match lists it (or "*"; weak comparison), replies 304 with no
 * body and returns true: the handler is done. Returns false when the client must get the
 * full representation (the handler then replies as usual; the ETag header stays).
 */
bool http_reply_not_modified(const http_request *req, http_response *res, const char *etag);

#endif
