/*
 * server.c - the HTTP server over libmicrohttpd (see http.h): configuration,
 * start and graceful stop, the request life cycle, and turning our response
 * object into an MHD response with the security headers every answer carries.
 *
 * The life of one request, and why it is shaped so:
 *  1. MHD calls the URI log callback with the raw request target before it
 *     parses anything. We allocate the per-request state there (it becomes
 *     MHD's req_cls) and keep the raw target: routing on it lets "%2F" stay
 *     inside a path parameter.
 *  2. The first access-handler call carries no body. We never queue a normal
 *     response on it (MHD would then close the connection instead of reading
 *     the body: keep-alive lost); we only look at the method and the
 *     Content-Length. The one exception is a body announced larger than the
 *     ceiling: answering 413 at once, and having MHD close the connection
 *     rather than read the rest, is exactly what we want then.
 *  3. Body calls append to a buffer with a hard ceiling. MHD refuses a response
 *     queued mid-upload, so a chunked body that outgrows the ceiling is read
 *     and thrown away, and answered 413 at the end; one that goes on past
 *     twice the ceiling gets its connection dropped without an answer.
 *  4. The last call (no more data) routes and runs the handler, then queues.
 *  5. The completed callback records metrics and the access log line and frees
 *     the request's state. Logs and metrics name the route pattern only, never
 *     the raw path or query, which may hold a personnummer.
 * Nothing here is global: all state hangs off http_server and the request.
 */
#include "http/http_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"

static const char *const method_names[HTTP_METHOD_COUNT] = {
	[HTTP_GET] = "GET",	[HTTP_HEAD] = "HEAD",	  [HTTP_POST] = "POST",	      [HTTP_PUT] = "PUT",
	[HTTP_PATCH] = "PATCH", [HTTP_DELETE] = "DELETE", [HTTP_OPTIONS] = "OPTIONS",
};

/* Headers on every response. Cache-Control: no-store is added only when nothing set one. */
static const struct {
	const char *name, *value;
} security_headers[] = {
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"X-Frame-Options", "DENY"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
};

/* HTML may load only our own scripts, styles and images; other content may load nothing. */
#define CSP_HTML                                                                                             \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
#define CSP_OTHER "default-src 'none'; frame-ancestors 'none'"

const char *http_method_name(http_method m)
{
	return (unsigned)m < HTTP_METHOD_COUNT ? method_names[m] : "?";
}

static bool method_from_text(const char *text, http_method *out)
{
	for (size_t i = 0; i < HTTP_METHOD_COUNT; i++)
		if (strcmp(text, method_names[i]) == 0) {
			*out = (http_method)i;
			return true;
		}
	return false;
}

void http_config_defaults(http_config *cfg)
{
	*cfg = (http_config){
		.listen = "127.0.0.1:8080",
		.threads = 4,
		.max_connections = 256,
		.per_ip_connections = 32,
		.reserve_connections = 16,
		.connection_timeout_s = 30,
		.header_timeout_s = 30,
		.body_timeout_s = 60,
		.stop_grace_ms = 5000,
		.max_body = (size_t)1 << 20,
		.json_max_depth = 32,
		.json_max_string = (size_t)64 << 10,
		.api_prefix = "/api/",
		.openapi_url = "/api/v1/openapi.json",
	};
}

/* ---- request accessors ---- */

http_method http_request_method(const http_request *req) { return req->method; }
const char *http_request_path(const http_request *req) { return req->path; }
const char *http_request_route(const http_request *req) { return req->route_name; }

const char *http_request_param(const http_request *req, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < req->nparams; i++)
		if (req->params[i].name_len == n && memcmp(req->params[i].name, name, n) == 0)
			return req->params[i].value;
	return NULL;
}

const char *http_request_query(const http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_request_header(const http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_cookie(const http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_request_client_addr(http_request *req)
{
	if (req->client_done)
		return req->client;
	req->client_done = true;
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!info || !info->client_addr)
		return req->client;
	const struct sockaddr *sa = info->client_addr;
	const void *addr = NULL;
	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (!addr || !inet_ntop(sa->sa_family, addr, req->client, sizeof req->client))
		req->client[0] = '\0';
	return req->client;
}

const char *http_request_body(const http_request *req, size_t *len)
{
	*len = req->body.len;
	return req->body.data ? req->body.data : "";
}

/* ---- configuration and start ---- */

/* Parses "ADDR:PORT" or "[ADDR6]:PORT" into ss; HG_EINVAL for anything else. */
static hg_status parse_listen(const char *text, struct sockaddr_storage *ss, bool *ipv6)
{
	char host[INET6_ADDRSTRLEN];
	const char *port;
	size_t hlen;
	if (!text)
		return HG_EINVAL;
	if (text[0] == '[') {
		const char *end = strchr(text, ']');
		if (!end || end[1] != ':')
			return HG_EINVAL;
		hlen = (size_t)(end - text - 1);
		if (hlen == 0 || hlen >= sizeof host)
			return HG_EINVAL;
		memcpy(host, text + 1, hlen);
		port = end + 2;
		*ipv6 = true;
	} else {
		const char *colon = strrchr(text, ':');
		if (!colon)
			return HG_EINVAL;
		hlen = (size_t)(colon - text);
		if (hlen == 0 || hlen >= sizeof host)
			return HG_EINVAL;
		memcpy(host, text, hlen);
		port = colon + 1;
		*ipv6 = false;
	}
	host[hlen] = '\0';
	if (port[0] == '\0' || strlen(port) > 5 || port[strspn(port, "0123456789")] != '\0')
		return HG_EINVAL;
	long p = strtol(port, NULL, 10);
	if (p > 65535)
		return HG_EINVAL;
	memset(ss, 0, sizeof *ss);
	if (*ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)(void *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)p);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return HG_EINVAL;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)(void *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)p);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return HG_EINVAL;
	}
	return HG_OK;
}

/* Copies a config string (NULL stays NULL); false when out of memory. */
static bool own(char **dst, const char **field)
{
	if (!*field)
		return true;
	*dst = hg_strdup(*field);
	*field = *dst;
	return *dst != NULL;
}

static hg_status apply_config(http_server *s, const http_config *in)
{
	http_config def;
	http_config_defaults(&def);
	s->cfg = *in;
	http_config *c = &s->cfg;
	if (!c->listen)
		c->listen = def.listen;
	if (!c->threads)
		c->threads = def.threads;
	if (!c->max_connections)
		c->max_connections = def.max_connections;
	if (!c->per_ip_connections)
		c->per_ip_connections = def.per_ip_connections;
	if (!c->reserve_connections)
		c->reserve_connections = def.reserve_connections;
	if (c->reserve_connections >= c->max_connections)
		c->reserve_connections = c->max_connections / 2;
	if (!c->connection_timeout_s)
		c->connection_timeout_s = def.connection_timeout_s;
	if (!c->header_timeout_s)
		c->header_timeout_s = def.header_timeout_s;
	if (!c->body_timeout_s)
		c->body_timeout_s = def.body_timeout_s;
	if (!c->stop_grace_ms)
		c->stop_grace_ms = def.stop_grace_ms;
	if (!c->max_body)
		c->max_body = def.max_body;
	if (!c->json_max_depth)
		c->json_max_depth = def.json_max_depth;
	if (!c->json_max_string)
		c->json_max_string = def.json_max_string;
	if (!c->api_prefix)
		c->api_prefix = def.api_prefix;
	if (!c->openapi_url)
		c->openapi_url = def.openapi_url;
	if (!own(&s->own_listen, &c->listen) || !own(&s->own_static_root, &c->static_root) ||
	    !own(&s->own_api_prefix, &c->api_prefix) || !own(&s->own_openapi_file, &c->openapi_file) ||
	    !own(&s->own_openapi_url, &c->openapi_url) || !own(&s->own_metrics_url, &c->metrics_url) ||
	    !own(&s->own_per_ip_exempt, &c->per_ip_exempt))
		return HG_ENOMEM;
	if (c->static_root) {
		char real[PATH_MAX];
		struct stat st;
		if (!realpath(c->static_root, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
			return HG_EINVAL;
		s->static_real = hg_strdup(real);
		if (!s->static_real)
			return HG_ENOMEM;
		s->static_real_len = strlen(real);
		if (s->static_real_len == 1) /* root "/": compare against "" + "/" */
			s->static_real_len = 0;
	}
	return HG_OK;
}

static void server_free(http_server *s)
{
	if (s->watchdog_running) {
		atomic_store(&s->watchdog_stop, true);
		pthread_join(s->watchdog, NULL);
	}
	pthread_mutex_destroy(&s->conn_lock);
	http_metrics_free(&s->metrics);
	hg_free(s->own_listen);
	hg_free(s->own_static_root);
	hg_free(s->own_api_prefix);
	hg_free(s->own_openapi_file);
	hg_free(s->own_openapi_url);
	hg_free(s->own_metrics_url);
	hg_free(s->own_per_ip_exempt);
	hg_free(s->static_real);
	if (s->held_lock_ready)
		pthread_mutex_destroy(&s->held_lock);
	hg_free(s);
}

/* ---- connections: the per-address limit, the reserve, and deadlines ----
 *
 * libmicrohttpd's own timeout is an idle timeout that any byte resets, and its per-address limit
 * knows no trusted proxy. So we keep our own list of open connections (MHD's socket context):
 * the accept policy refuses a connection when its address holds per_ip_connections already, or
 * when the server is within reserve_connections of full and the address holds any; a watchdog
 * thread shuts down the socket of a connection past its deadline (headers not complete
 * header_timeout_s after it opened or answered, a body not complete body_timeout_s after its
 * headers), and MHD then closes it as a connection the client dropped. */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The address of sa as text into out ("" when not IP). */
static void addr_text(const struct sockaddr *sa, char out[INET6_ADDRSTRLEN])
{
	const void *addr = NULL;
	out[0] = '\0';
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (!addr || !inet_ntop(sa->sa_family, addr, out, INET6_ADDRSTRLEN))
		out[0] = '\0';
}

/* May an address that holds `mine` connections open one more, with `all` open in total? */
static bool admissible(const http_server *s, unsigned mine, unsigned all)
{
	return mine < s->cfg.per_ip_connections && (mine == 0 || all + s->cfg.reserve_connections < s->cfg.max_connections);
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	http_server *s = cls;
	char addr[INET6_ADDRSTRLEN];
	(void)len;
	addr_text(sa, addr);
	bool exempt = s->cfg.per_ip_exempt && strcmp(addr, s->cfg.per_ip_exempt) == 0;
	unsigned mine = 0, all;
	pthread_mutex_lock(&s->conn_lock);
	for (const http_conn *c = s->conns; c; c = c->next)
		mine += strcmp(c->addr, addr) == 0;
	all = s->nconns;
	pthread_mutex_unlock(&s->conn_lock);
	bool ok = exempt || admissible(s, mine, all);
	if (!ok)
		atomic_fetch_add(&s->refused_busy, 1);
	return ok ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	http_server *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		http_conn *c = hg_calloc(1, sizeof *c);
		if (!c)
			return; /* untracked: no deadline, counted nowhere; MHD's idle timeout still applies */
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		c->fd = fd ? fd->connect_fd : -1;
		addr_text(ad ? ad->client_addr : NULL, c->addr);
		atomic_init(&c->deadline_ms, now_ms() + (int64_t)s->cfg.header_timeout_s * 1000);
		/* The accept policy counted without holding the lock until now: two workers may both have let
		 * in the last connection an address may have. Count again, here, where it is exact, and cut
		 * the one too many at once. */
		bool exempt = s->cfg.per_ip_exempt && strcmp(c->addr, s->cfg.per_ip_exempt) == 0;
		unsigned mine = 0;
		pthread_mutex_lock(&s->conn_lock);
		for (const http_conn *o = s->conns; o; o = o->next)
			mine += strcmp(o->addr, c->addr) == 0;
		bool ok = exempt || admissible(s, mine, s->nconns);
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
		pthread_mutex_unlock(&s->conn_lock);
		*socket_context = c;
		if (!ok && c->fd >= 0) {
			shutdown(c->fd, SHUT_RDWR);
			atomic_fetch_add(&s->refused_busy, 1);
		}
		return;
	}
	http_conn *c = *socket_context;
	if (!c)
		return;
	pthread_mutex_lock(&s->conn_lock); /* the watchdog never touches a socket after this */
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	pthread_mutex_unlock(&s->conn_lock);
	*socket_context = NULL;
	hg_free(c);
}

/* The tracked connection of a request (NULL when untracked). */
static http_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

static void set_deadline(struct MHD_Connection *conn, unsigned seconds)
{
	http_conn *c = conn_of(conn);
	if (c)
		atomic_store(&c->deadline_ms, seconds ? now_ms() + (int64_t)seconds * 1000 : 0);
}

static void *watchdog(void *arg)
{
	http_server *s = arg;
	while (!atomic_load(&s->watchdog_stop)) {
		struct timespec tick = {0, 200 * 1000 * 1000};
		nanosleep(&tick, NULL);
		int64_t now = now_ms();
		pthread_mutex_lock(&s->conn_lock);
		for (http_conn *c = s->conns; c; c = c->next) {
			int64_t d = atomic_load(&c->deadline_ms);
			if (d && now > d && c->fd >= 0) {
				atomic_store(&c->deadline_ms, 0);
				shutdown(c->fd, SHUT_RDWR); /* MHD sees the end of the stream and closes it */
				atomic_fetch_add(&s->cut_slow, 1);
			}
		}
		pthread_mutex_unlock(&s->conn_lock);
	}
	return NULL;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn);
static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size,
				 void **req_cls);
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe);
static size_t resume_held(http_server *s, bool all);
static void finish_release(http_response *res);
static enum MHD_Result queue(http_server *s, http_request *req);

hg_status http_server_start(const http_config *cfg, const http_route *routes, size_t nroutes, void *app,
			    http_server **out)
{
	hg_status rc;
	struct sockaddr_storage ss;
	bool ipv6 = false;
	*out = NULL;
	for (size_t i = 0; i < nroutes; i++)
		if ((unsigned)routes[i].method >= HTTP_METHOD_COUNT || !routes[i].handler ||
		    http_pattern_check(routes[i].pattern) != HG_OK)
			return HG_EINVAL;
	http_server *s = hg_calloc(1, sizeof *s);
	if (!s)
		return HG_ENOMEM;
	s->routes = routes;
	s->nroutes = nroutes;
	s->app = app;
	atomic_init(&s->in_flight, 0);
	atomic_init(&s->stopping, false);
	atomic_init(&s->watchdog_stop, false);
	atomic_init(&s->cut_slow, 0);
	atomic_init(&s->refused_busy, 0);
	pthread_mutex_init(&s->conn_lock, NULL);
	rc = apply_config(s, cfg);
	if (rc)
		goto fail;
	rc = parse_listen(s->cfg.listen, &ss, &ipv6);
	if (rc)
		goto fail;
	rc = http_metrics_init(&s->metrics, routes, nroutes);
	if (rc)
		goto fail;
	pthread_mutex_init(&s->held_lock, NULL);
	s->held_lock_ready = true;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL : MHD_USE_POLL;
	if (ipv6)
		flags |= MHD_USE_IPv6;
	if (pthread_create(&s->watchdog, NULL, watchdog, s) != 0) {
		rc = HG_ENOMEM;
		goto fail;
	}
	s->watchdog_running = true;
	s->daemon = MHD_start_daemon(
		flags, 0, on_accept, s, on_access, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads,
		MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
		s->cfg.connection_timeout_s, MHD_OPTION_END);
	if (!s->daemon) {
		rc = HG_EIO;
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	*out = s;
	return HG_OK;
fail:
	{
		int saved = errno;
		server_free(s);
		errno = saved;
	}
	return rc;
}

unsigned http_server_port(const http_server *s) { return s->port; }

void http_server_stop(http_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, true);
	MHD_socket listen_fd = MHD_quiesce_daemon(s->daemon);
	/* Requests already started finish; idle keep-alive connections are closed by the stop. */
	for (unsigned waited = 0; atomic_load(&s->in_flight) > 0 && waited < s->cfg.stop_grace_ms; waited += 10) {
		struct timespec ten_ms = {0, 10 * 1000 * 1000};
		nanosleep(&ten_ms, NULL);
		(void)resume_held(s, false);
	}
	/* A held connection must not stay suspended through the stop: answer what is durable by now,
	 * the rest with 503 (their requests' effects are not confirmed). */
	size_t resumed = resume_held(s, true);
	for (unsigned waited = 0; resumed && atomic_load(&s->in_flight) > 0 && waited < 1000; waited += 10) {
		struct timespec ten_ms = {0, 10 * 1000 * 1000};
		nanosleep(&ten_ms, NULL);
	}
	MHD_stop_daemon(s->daemon);
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);
	server_free(s);
}

/* ---- held answers (group commit without a waiting thread) ---- */

void http_response_hold(http_response *res, uint64_t ticket)
{
	if (ticket > res->hold)
		res->hold = ticket;
}

/* Resumes every held request whose ticket is decided (all of them when `all`); returns how many. */
static size_t resume_held(http_server *s, bool all)
{
	size_t resumed = 0;
	if (!s->held_lock_ready)
		return 0;
	pthread_mutex_lock(&s->held_lock);
	http_request **link = &s->held;
	while (*link) {
		http_request *req = *link;
		int r = s->cfg.durable ? s->cfg.durable(s->app, req->res.hold) : 1;
		if (r == 0 && all)
			r = -1;
		if (r == 0) {
			link = &req->held_next;
			continue;
		}
		*link = req->held_next;
		req->held_next = NULL;
		req->hold_result = r;
		MHD_resume_connection(req->conn);
		resumed++;
	}
	pthread_mutex_unlock(&s->held_lock);
	return resumed;
}

void http_response_defer(http_response *res, uint64_t ticket, http_finish_fn finish, void (*release)(void *ctx),
			 void *ctx)
{
	finish_release(res); /* a second defer replaces the first */
	http_response_hold(res, ticket);
	res->finish = finish;
	res->release = release;
	res->finish_ctx = ctx;
}

void http_server_wake(http_server *s)
{
	if (s)
		(void)resume_held(s, false);
}

/*
 * Suspends the connection of req until its hold ticket is durable. Returns false when the ticket
 * is already decided (the answer can go at once). The check is repeated under the lock that
 * http_server_wake takes, so a commit between the first check and the suspension is not missed.
 */
static bool hold_request(http_server *s, http_request *req)
{
	int r = s->cfg.durable ? s->cfg.durable(s->app, req->res.hold) : 1;
	if (r != 0) {
		req->hold_result = r;
		return false;
	}
	pthread_mutex_lock(&s->held_lock);
	r = s->cfg.durable(s->app, req->res.hold);
	if (r != 0 || atomic_load(&s->stopping)) {
		pthread_mutex_unlock(&s->held_lock);
		req->hold_result = r ? r : -1;
		return false;
	}
	MHD_suspend_connection(req->conn);
	req->held = true;
	req->held_next = s->held;
	s->held = req;
	pthread_mutex_unlock(&s->held_lock);
	return true;
}

/* The answer of a request that was held: as rendered when durable, else 503. */
static enum MHD_Result queue_after_hold(http_server *s, http_request *req)
{
	req->held = false;
	if (req->hold_result < 0) {
		const char *instance = req->res.instance;
		finish_release(&req->res);
		http_response_free(&req->res);
		http_response_init(&req->res, instance);
		http_reply_status_problem(&req->res, 503, "store_unavailable",
					  "the record of this request could not be made durable; try again");
	} else if (req->res.finish) {
		http_finish_fn finish = req->res.finish;
		req->res.finish = NULL;
		hg_status rc = finish(req, &req->res, req->res.finish_ctx);
		if (!req->res.status)
			http_reply_failure(&req->res, rc ? rc : HG_EINTERNAL);
		finish_release(&req->res);
	}
	return queue(s, req);
}

/* ---- the request life cycle ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	http_server *s = cls;
	(void)conn;
	http_request *req = hg_calloc(1, sizeof *req);
	if (!req)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &req->start);
	req->server = s;
	req->slot = s->nroutes + HTTP_SLOT_UNMATCHED;
	req->route_name = "unmatched";
	atomic_fetch_add(&s->in_flight, 1);
	size_t n = strnlen(uri, HTTP_MAX_URI + 1);
	if (n > HTTP_MAX_URI) {
		req->path_error = 414;
		n = 0;
	}
	req->uri = hg_strndup(uri, n);
	req->path = hg_strndup(uri, strcspn(req->uri ? req->uri : "", "?"));
	if (!req->uri || !req->path)
		req->path_error = 503;
	http_response_init(&req->res, req->path);
	return req;
}

/* Ends a deferred answer's context (http_response_defer), once. */
static void finish_release(http_response *res)
{
	void (*release)(void *) = res->release;
	res->finish = NULL;
	res->release = NULL;
	if (release)
		release(res->finish_ctx);
	res->finish_ctx = NULL;
}

static void request_free(http_request *req)
{
	finish_release(&req->res);
	http_response_free(&req->res);
	json_decref(req->json);
	hg_buf_free(&req->body);
	hg_free(req->segbuf);
	hg_free(req->uri);
	hg_free(req->path);
	hg_free(req);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	http_server *s = cls;
	http_request *req = *req_cls;
	(void)toe;
	if (!req)
		return;
	*req_cls = NULL;
	if (req->queued) {
		double secs = seconds_since(&req->start);
		unsigned method = req->method_known ? (unsigned)req->method : HTTP_METHOD_COUNT;
		http_metrics_observe(&s->metrics, req->slot, method, req->res.status, secs);
		if (s->cfg.access_log)
			fprintf(stderr, "hemgang http: %s %s %d %.6fs\n",
				req->method_known ? http_method_name(req->method) : "OTHER", req->route_name,
				req->res.status, secs);
	}
	atomic_fetch_sub(&s->in_flight, 1);
	request_free(req);
	if (conn)
		set_deadline(conn, s->cfg.header_timeout_s); /* for the next request on this connection */
}

static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* True when path starts with one of the space-separated prefixes in list. */
static bool under_any_prefix(const char *path, const char *list)
{
	while (*list) {
		size_t n = strcspn(list, " ");
		if (n && strncmp(path, list, n) == 0)
			return true;
		list += n;
		list += strspn(list, " ");
	}
	return false;
}

static bool has_header(const http_response *res, const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			return true;
	return false;
}

/* Hands req->res to MHD. Body buffers and files pass to MHD's ownership. */
static enum MHD_Result queue(http_server *s, http_request *req)
{
	http_response *res = &req->res;
	struct MHD_Response *r = NULL;
	if (res->status < 100 || res->status > 599) {
		http_reply_status_problem(res, 500, "internal", "the handler set an invalid status");
	}
	switch (res->kind) {
	case HTTP_BODY_BUFFER:
		r = MHD_create_response_from_buffer_with_free_callback(res->len, res->body, hg_free);
		if (r)
			res->body = NULL;
		break;
	case HTTP_BODY_SHARED:
		r = MHD_create_response_from_buffer_with_free_callback_cls(res->len, res->body, res->body_release,
									   res->body_ctx);
		if (r) { /* MHD releases it now */
			res->body = NULL;
			res->body_release = NULL;
			res->body_ctx = NULL;
			res->kind = HTTP_BODY_NONE;
		}
		break;
	case HTTP_BODY_FD:
		r = MHD_create_response_from_fd(res->len, res->fd);
		if (r)
			res->fd = -1;
		break;
	case HTTP_BODY_NONE:
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		break;
	}
	if (!r)
		return MHD_NO;
	bool ok = true;
	bool html = res->content_type && starts_with(res->content_type, "text/html");
	if (res->content_type && res->status != 304)
		ok &= MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type) == MHD_YES;
	for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
		ok &= MHD_add_response_header(r, security_headers[i].name, security_headers[i].value) == MHD_YES;
	ok &= MHD_add_response_header(r, "Content-Security-Policy", html ? CSP_HTML : CSP_OTHER) == MHD_YES;
	if (!has_header(res, "Cache-Control"))
		ok &= MHD_add_response_header(r, "Cache-Control", "no-store") == MHD_YES;
	for (size_t i = 0; i < res->nheaders; i++)
		ok &= MHD_add_response_header(r, res->headers[i].name, res->headers[i].value) == MHD_YES;
	if (atomic_load(&s->stopping))
		ok &= MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
	enum MHD_Result ret = MHD_NO;
	if (ok)
		ret = MHD_queue_response(req->conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	req->queued = ret == MHD_YES;
	return ret;
}

static void set_slot(http_request *req, size_t slot, const char *name)
{
	req->slot = slot;
	req->route_name = name;
}

/* Serves /metrics and the OpenAPI file; false when the path is neither. */
static bool serve_builtin(http_server *s, http_request *req)
{
	http_response *res = &req->res;
	bool metrics = s->cfg.metrics_url && strcmp(req->path, s->cfg.metrics_url) == 0;
	bool openapi = s->cfg.openapi_file && strcmp(req->path, s->cfg.openapi_url) == 0;
	if (!metrics && !openapi)
		return false;
	set_slot(req, s->nroutes + (metrics ? HTTP_SLOT_METRICS : HTTP_SLOT_OPENAPI), metrics ? "metrics" : "openapi");
	if (req->method != HTTP_GET && req->method != HTTP_HEAD) {
		hg_status hrc = http_response_header(res, "Allow", "GET, HEAD");
		(void)hrc; /* out of memory: a 405 without Allow still beats none */
		http_reply_status_problem(res, 405, "method_not_allowed", NULL);
		return true;
	}
	if (openapi) {
		http_file_serve(req, s->cfg.openapi_file, "no-cache");
		return true;
	}
	hg_buf b;
	hg_buf_init(&b, (size_t)16 << 20);
	if (http_metrics_render(s, &b) != HG_OK ||
	    http_reply_text(res, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len) != HG_OK)
		http_reply_status_problem(res, 503, "metrics_unavailable", NULL);
	hg_buf_free(&b);
	return true;
}

static void reply_not_allowed(http_request *req, unsigned allow)
{
	char list[96];
	size_t len = 0;
	list[0] = '\0';
	for (unsigned m = 0; m < HTTP_METHOD_COUNT; m++) {
		if (!(allow & (1u << m)))
			continue;
		int n = snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", method_names[m]);
		if (n > 0 && (size_t)n < sizeof list - len)
			len += (size_t)n;
	}
	hg_status hrc = http_response_header(&req->res, "Allow", list);
	(void)hrc; /* out of memory: a 405 without Allow still beats none */
	http_reply_status_problem(&req->res, 405, "method_not_allowed", NULL);
}

static void dispatch(http_server *s, http_request *req)
{
	http_response *res = &req->res;
	if (req->path_error) {
		int st = req->path_error;
		http_reply_status_problem(res, st, st == 414 ? "uri_too_long" : st == 404 ? "not_found"
								    : st == 400 ? "invalid_path" : "unavailable", NULL);
		return;
	}
	if (!req->method_known) {
		http_reply_status_problem(res, 501, "method_not_implemented", NULL);
		return;
	}
	unsigned allow;
	long i = http_route_find(s, req, &allow);
	if (i >= 0) {
		const http_route *r = &s->routes[i];
		set_slot(req, (size_t)i, r->name ? r->name : r->pattern);
		hg_status rc = r->handler(req, res, s->app);
		if (!res->status && !res->finish) /* a deferred answer is rendered when durable */
			http_reply_failure(res, rc ? rc : HG_EINTERNAL);
		return;
	}
	if (serve_builtin(s, req))
		return;
	if (allow) {
		reply_not_allowed(req, allow);
		return;
	}
	if (!under_any_prefix(req->path, s->cfg.api_prefix) && http_static_serve(s, req)) {
		set_slot(req, s->nroutes + HTTP_SLOT_STATIC, "static");
		return;
	}
	http_reply_status_problem(res, 404, "not_found", "no resource at this path");
}

/* Starts a request: method, path segments, announced body size, framing that must be refused. */
static void begin(http_server *s, http_request *req, struct MHD_Connection *conn, const char *method,
		  const char *version)
{
	req->conn = conn;
	req->started = true;
	hg_buf_init(&req->body, s->cfg.max_body + 1);
	req->method_known = method_from_text(method, &req->method);
	if (!req->path_error)
		http_path_split(req);
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	/* Both lengths: a proxy in front may frame the body by the other one (request smuggling). */
	if (cl && te) {
		req->refuse = 400;
		req->refuse_code = "ambiguous_length";
	}
	/* RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without Host. */
	if (version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
	    !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)) {
		req->refuse = 400;
		req->refuse_code = "host_missing";
	}
	/* The body, if any, must now arrive within body_timeout_s; without one, no deadline while we answer. */
	set_deadline(conn, cl || te ? s->cfg.body_timeout_s : 0);
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno || *end || n > s->cfg.max_body)
			req->too_big = true;
	}
}

static enum MHD_Result reply_too_big(http_server *s, http_request *req)
{
	unsigned allow;
	long i = http_route_find(s, req, &allow); /* only to label the metrics with the route */
	if (i >= 0)
		set_slot(req, (size_t)i, s->routes[i].name ? s->routes[i].name : s->routes[i].pattern);
	char detail[96];
	snprintf(detail, sizeof detail, "the body exceeds the limit of %zu bytes", s->cfg.max_body);
	http_reply_status_problem(&req->res, 413, "body_too_large", detail);
	return queue(s, req);
}

/* Refuses a malformed request at once and closes the connection (its body is never read). */
static enum MHD_Result reply_refused(http_server *s, http_request *req)
{
	const char *detail = strcmp(req->refuse_code, "host_missing") == 0
				     ? "an HTTP/1.1 request must carry a Host header"
				     : "a request may not carry both Content-Length and Transfer-Encoding";
	http_reply_status_problem(&req->res, req->refuse, req->refuse_code, detail);
	hg_status hrc = http_response_header(&req->res, "Connection", "close");
	(void)hrc; /* out of memory: MHD still closes a connection whose body it never read */
	return queue(s, req);
}

/* The ceiling, max_body, was set when the request began: past it HG_ERANGE (a 413). */
static hg_status append_body(http_request *req, const char *data, size_t n)
{
	return hg_buf_add(&req->body, data, n) ? HG_OK : hg_buf_status(&req->body);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size,
				 void **req_cls)
{
	http_server *s = cls;
	http_request *req = *req_cls;
	(void)url; /* already unescaped by MHD; we route on the raw target kept by on_uri */
	if (!req)
		return MHD_NO; /* on_uri ran out of memory: drop the connection */
	if (!req->started) {
		begin(s, req, conn, method, version);
		if (req->refuse)
			return reply_refused(s, req);
		if (req->too_big)
			return reply_too_big(s, req); /* announced too large: refuse before reading it */
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (req->too_big || req->out_of_memory) {
			req->drained += n; /* an over-long chunked body: read and thrown away */
			return req->drained > s->cfg.max_body ? MHD_NO : MHD_YES;
		}
		hg_status rc = append_body(req, upload_data, n);
		if (rc == HG_ERANGE) {
			req->too_big = true;
			req->drained = n;
		} else if (rc) {
			req->out_of_memory = true;
		}
		return MHD_YES;
	}
	if (req->queued)
		return MHD_YES;
	if (req->held)
		return queue_after_hold(s, req); /* resumed: its ticket is decided */
	set_deadline(conn, 0); /* the request is complete: no deadline while we answer */
	if (req->too_big)
		return reply_too_big(s, req);
	if (req->out_of_memory)
		http_reply_status_problem(&req->res, 503, "out_of_memory", NULL);
	else
		dispatch(s, req);
	if (req->res.hold || req->res.finish) {
		if (hold_request(s, req))
			return MHD_YES; /* suspended: http_server_wake resumes it */
		req->held = true;
		return queue_after_hold(s, req);
	}
	return queue(s, req);
}
