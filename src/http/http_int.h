/*
 * http_int.h - internals shared by the files of the HTTP framework (server.c,
 * router.c, problem.c, metrics.c, static.c). Nothing outside src/http includes
 * it: the application sees only http.h. It defines the per-request state that
 * libmicrohttpd carries for us between calls of the access handler, the
 * response being built, the metrics store and the server object.
 */
#ifndef HG_HTTP_INT_H
#define HG_HTTP_INT_H

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include <microhttpd.h>

#include "core/buf.h"
#include "http/http.h"

/* Slots for requests no route claims, counted after the routes in the metrics. */
enum http_pseudo_slot { HTTP_SLOT_STATIC = 0, HTTP_SLOT_METRICS, HTTP_SLOT_OPENAPI, HTTP_SLOT_UNMATCHED, HTTP_SLOT_PSEUDO_COUNT };

enum http_body_kind { HTTP_BODY_NONE = 0, HTTP_BODY_BUFFER, HTTP_BODY_FD, HTTP_BODY_SHARED };

typedef struct http_header {
	char *name, *value; /* hg_malloc'ed, freed with the response */
} http_header;

struct http_response {
	int status; /* 0 until something replied */
	enum http_body_kind kind;
	char *body; /* HTTP_BODY_BUFFER: hg_malloc'ed, handed to MHD when queued; HTTP_BODY_SHARED: owned by
		     * body_ctx, whose body_release MHD calls once it has sent it (http_reply_shared) */
	size_t len;
	void (*body_release)(void *ctx);
	void *body_ctx;
	int fd; /* HTTP_BODY_FD: open file, handed to MHD when queued (closed by it) */
	char *content_type;
	http_header headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	const char *instance; /* the request path, for problem bodies */
	uint64_t hold;        /* 0, or the ticket that must be durable before the answer is sent */
	http_finish_fn finish; /* NULL, or renders the answer once the hold is durable (http_response_defer) */
	void (*release)(void *ctx);
	void *finish_ctx;
};

typedef struct http_param {
	const char *name; /* points into the route pattern, not NUL-terminated at name_len */
	size_t name_len;
	const char *value; /* points into http_request.segbuf */
} http_param;

struct http_request {
	http_server *server;
	struct MHD_Connection *conn;
	char *uri;  /* raw request target as sent (hg_malloc'ed); NULL when over HTTP_MAX_URI */
	char *path; /* raw path up to '?' (hg_malloc'ed) */
	http_method method;
	bool method_known;
	bool started;         /* the first access-handler call has happened */
	bool queued;          /* a response was handed to MHD */
	bool too_big;         /* body ceiling exceeded (announced or reached) */
	bool out_of_memory;   /* the body buffer could not grow */
	int refuse;           /* 0, or the status a malformed request gets at once, with the connection closed */
	const char *refuse_code;
	size_t drained;       /* bytes read and discarded after the ceiling */
	size_t slot; /* metrics slot: route index or nroutes + pseudo slot */
	const char *route_name;
	/* decoded path segments */
	char *segbuf;
	const char *segs[HTTP_MAX_SEGMENTS];
	size_t nsegs;
	int path_error; /* 0, or the status a malformed path gets (400, 414) */
	http_param params[HTTP_MAX_PARAMS];
	size_t nparams;
	hg_buf body; /* the request's body, with max_body as its ceiling (hg_buf_init in begin) */
	json_t *json; /* cached parse of the body */
	char client[INET6_ADDRSTRLEN];
	bool client_done;
	struct timespec start;
	http_response res;
	bool held;                /* suspended until res.hold is durable */
	int hold_result;          /* what cfg.durable said when it resumed: 1 durable, -1 failed */
	http_request *held_next;  /* the server's list of held requests */
};

/* Histogram buckets of the request duration, upper bounds in seconds (+Inf implied). */
#define HTTP_DURATION_BUCKETS 11
extern const double http_duration_bounds[HTTP_DURATION_BUCKETS];
#define HTTP_METRIC_STATUSES 16 /* distinct (method, status) pairs counted per slot */

typedef struct http_metric_count {
	uint64_t count;
	uint16_t status;
	uint8_t method; /* http_method, or HTTP_METHOD_COUNT for an unknown one */
} http_metric_count;

typedef struct http_metric_slot {
	const char *name;
	http_metric_count counts[HTTP_METRIC_STATUSES];
	size_t ncounts;
	uint64_t dropped; /* requests whose (method, status) found no free entry */
	uint64_t buckets[HTTP_DURATION_BUCKETS];
	uint64_t observations;
	double sum_seconds;
} http_metric_slot;

typedef struct http_metrics {
	pthread_mutex_t lock;
	http_metric_slot *slots; /* nroutes + HTTP_SLOT_PSEUDO_COUNT, hg_calloc'ed */
	size_t nslots;
} http_metrics;

/* One open connection (MHD's socket context), for the per-address limit, the reserve and the
 * deadlines that the watchdog enforces by shutting the socket down. */
typedef struct http_conn {
	struct http_conn *prev, *next;
	int fd;
	char addr[INET6_ADDRSTRLEN];
	_Atomic int64_t deadline_ms; /* CLOCK_MONOTONIC milliseconds; 0 = none */
} http_conn;

struct http_server {
	struct MHD_Daemon *daemon;
	http_config cfg; /* string members point at the owned copies below */
	char *own_listen, *own_static_root, *own_api_prefix, *own_openapi_file, *own_openapi_url, *own_metrics_url,
	     *own_per_ip_exempt;
	char *static_real; /* realpath of the static root, no trailing slash */
	size_t static_real_len;
	const http_route *routes;
	size_t nroutes;
	void *app;
	unsigned port;
	http_metrics metrics;
	atomic_uint in_flight;
	atomic_bool stopping;
	pthread_mutex_t held_lock; /* guards held */
	bool held_lock_ready;
	http_request *held;        /* suspended connections waiting for their hold ticket */
	/* open connections, guarded by conn_lock; the watchdog thread cuts those past their deadline */
	pthread_mutex_t conn_lock;
	http_conn *conns;
	unsigned nconns;
	pthread_t watchdog;
	bool watchdog_running;
	atomic_bool watchdog_stop;
	atomic_ulong cut_slow, refused_busy; /* counters for the metrics */
};

/* router.c */
/* Percent-decodes n bytes of s into out (room for n + 1 bytes), NUL-terminated. '+' becomes
 * a space when plus_is_space. HG_EINVAL for a malformed escape or a decoded NUL. */
hg_status http_percent_decode(const char *s, size_t n, bool plus_is_space, char *out, size_t *outlen) HG_MUST_CHECK;
/* HG_OK when pattern is a well-formed route pattern. */
hg_status http_pattern_check(const char *pattern) HG_MUST_CHECK;
/* Splits and decodes req->path into req->segs (sets req->path_error on failure). */
void http_path_split(http_request *req);
/* True when the pattern matches the decoded segments; binds params into req when so. */
bool http_pattern_match(const char *pattern, http_request *req);
/* Finds the route for req: returns its index, or -1 with *allow set to the bitmask of methods
 * whose routes match the path (0: no route has this path). */
long http_route_find(const http_server *s, http_request *req, unsigned *allow);

/* problem.c */
void http_response_init(http_response *res, const char *instance);
void http_response_clear_body(http_response *res);
void http_response_free(http_response *res);
const char *http_status_reason(int status);
/* The status a handler's failure becomes when it did not reply. */
int http_status_for(hg_status rc);
/* Replies with the generic problem for a handler that failed with rc without replying. */
void http_reply_failure(http_response *res, hg_status rc);
/* Replies with the generic problem for status (its reason phrase as title). */
void http_reply_status_problem(http_response *res, int status, const char *code, const char *detail);
/* Scans a JSON text for nesting depth and string length before parsing; HG_OK, or HG_ERANGE
 * with *what = "depth" / "string" and the 1-based line and column of the offence. */
hg_status http_json_limits(const char *s, size_t n, unsigned max_depth, size_t max_string, const char **what,
			   size_t *line, size_t *column) HG_MUST_CHECK;

/* metrics.c */
hg_status http_metrics_init(http_metrics *m, const http_route *routes, size_t nroutes) HG_MUST_CHECK;
void http_metrics_free(http_metrics *m);
void http_metrics_observe(http_metrics *m, size_t slot, unsigned method, int status, double seconds);

/* static.c */
/* Serves a GET/HEAD for a path no route claims from the static root. Returns true when it
 * replied (a file, 304, or a refusal of a bad path); false when nothing matched (caller 404s). */
bool http_static_serve(http_server *s, http_request *req);
/* Serves one file (the OpenAPI document) with the same caching rules. */
void http_file_serve(http_request *req, const char *file, const char *cache_control);

#endif
