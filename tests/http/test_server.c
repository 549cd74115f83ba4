/*
 * test_server.c - the HTTP framework, driven over real TCP.
 *
 * A toy route table (echo JSON, path and query parameters, problems, ETags,
 * cookies, a slow handler) runs on a real server bound to 127.0.0.1 port 0,
 * with a static root in a temporary directory. A tiny HTTP/1.1 client written
 * here (sockets, poll with a deadline, Content-Length framing) sends raw
 * requests, so we can send what browsers never would: "..", %00, bad methods,
 * oversized bodies. The pure helpers (percent-decoding, route patterns, JSON
 * limits, listen addresses) get their own tables first.
 */
#include "http/http.h"
#include "http/http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "test.h"

#define IO_TIMEOUT_MS 5000
#define REPLY_MAX (256 * 1024)
#define STOP_GRACE_MS 1000

/* ---- the toy application ---- */

static hg_status h_ping(http_request *req, http_response *res, void *app)
{
	(void)req;
	(void)app;
	return http_reply_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static hg_status h_echo(http_request *req, http_response *res, void *app)
{
	(void)app;
	json_t *body = http_request_json(req, res);
	if (!body)
		return HG_OK; /* the problem is already the reply */
	return http_reply_json(res, 200, json_incref(body));
}

static hg_status h_events(http_request *req, http_response *res, void *app)
{
	(void)app;
	return http_reply_json(res, 200, json_pack("{s:s, s:s}", "id", http_request_param(req, "id"), "n",
						     http_request_param(req, "n")));
}

static hg_status h_query(http_request *req, http_response *res, void *app)
{
	(void)app;
	const char *q = http_request_query(req, "q"), *missing = http_request_query(req, "missing");
	return http_reply_json(res, 200, json_pack("{s:s?, s:b}", "q", q, "missing_is_null", missing == NULL));
}

static hg_status h_conflict(http_request *req, http_response *res, void *app)
{
	(void)req;
	(void)app;
	return http_reply_problem(res, 409, "version_conflict", "Version conflict", "version", "expected version %d", 3);
}

static hg_status h_fail(http_request *req, http_response *res, void *app)
{
	(void)req;
	(void)res;
	(void)app;
	return HG_ENOTFOUND;
}

static hg_status h_etag(http_request *req, http_response *res, void *app)
{
	(void)app;
	if (http_reply_not_modified(req, res, "\"v1\""))
		return HG_OK;
	return http_reply_json(res, 200, json_pack("{s:s}", "version", "v1"));
}

static hg_status h_whoami(http_request *req, http_response *res, void *app)
{
	(void)app;
	hg_status inject = http_response_header(res, "X-Bad", "a\r\nSet-Cookie: evil=1");
	hg_status rc = http_response_header(res, "Location", "/api/v1/things/1");
	if (rc == HG_OK)
		rc = http_response_header(res, "Set-Cookie", "sid=new; HttpOnly; Secure; SameSite=Strict");
	if (rc)
		return rc;
	return http_reply_json(res, 201, json_pack("{s:s?, s:s?, s:s, s:s}", "sid", http_request_cookie(req, "sid"),
						     "test", http_request_header(req, "X-TEST"), "client",
						     http_request_client_addr(req), "inject", hg_status_name(inject)));
}

static hg_status h_slow(http_request *req, http_response *res, void *app)
{
	(void)req;
	(void)app;
	struct timespec d = {0, 300 * 1000 * 1000};
	nanosleep(&d, NULL);
	return http_reply_text(res, 200, NULL, "slow done", 9);
}

static hg_status h_body(http_request *req, http_response *res, void *app)
{
	(void)app;
	size_t len;
	const char *body = http_request_body(req, &len);
	char text[64];
	int n = snprintf(text, sizeof text, "%zu:%.4s", len, body);
	return http_reply_text(res, 200, NULL, text, (size_t)n);
}

static hg_status h_extra(http_request *req, http_response *res, void *app)
{
	(void)req;
	(void)app;
	return http_reply_problem_ext(res, 422, "validation", NULL, "care_type", "unknown care type",
				      json_pack("{s:s, s:s}", "status", "overwritten?", "hint", "somatic"));
}

static const http_route routes[] = {
	{HTTP_GET, "/api/v1/ping", h_ping, NULL},
	{HTTP_POST, "/api/v1/echo", h_echo, NULL},
	{HTTP_GET, "/api/v1/episodes/{id}/events/{n}", h_events, "episode_events"},
	{HTTP_GET, "/api/v1/query", h_query, NULL},
	{HTTP_PUT, "/api/v1/conflict", h_conflict, NULL},
	{HTTP_GET, "/api/v1/conflict", h_ping, NULL},
	{HTTP_GET, "/api/v1/fail", h_fail, NULL},
	{HTTP_GET, "/api/v1/etag", h_etag, NULL},
	{HTTP_GET, "/api/v1/whoami", h_whoami, NULL},
	{HTTP_GET, "/api/v1/slow", h_slow, NULL},
	{HTTP_POST, "/api/v1/body", h_body, NULL},
	{HTTP_GET, "/api/v1/extra", h_extra, NULL},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static void app_metrics(void *app, hg_buf *out)
{
	hg_buf_printf(out, "# TYPE hemgang_test_app gauge\nhemgang_test_app %d\n", *(const int *)app);
}

/* ---- a tiny HTTP/1.1 client ---- */

typedef struct client {
	int fd;
	char buf[REPLY_MAX];
	size_t len;
} client;

typedef struct reply {
	int status;
	char head[8192]; /* status line and headers */
	char body[REPLY_MAX];
	size_t body_len;
} reply;

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static bool client_open(client *c, unsigned port)
{
	c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return false;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(c->fd);
		c->fd = -1;
		return false;
	}
	return true;
}

static void client_close(client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static bool send_all(client *c, const char *data, size_t n)
{
	long long deadline = now_ms() + IO_TIMEOUT_MS;
	while (n > 0) {
		struct pollfd p = {.fd = c->fd, .events = POLLOUT};
		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			return false;
		ssize_t w = send(c->fd, data, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		data += w;
		n -= (size_t)w;
	}
	return true;
}

/* Reads more bytes into c->buf; false on EOF, error or timeout. */
static bool fill(client *c, long long deadline)
{
	if (c->len == sizeof c->buf)
		return false;
	long long left = deadline - now_ms();
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	if (left <= 0 || poll(&p, 1, (int)left) <= 0)
		return false;
	ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
	if (r <= 0)
		return false;
	c->len += (size_t)r;
	return true;
}

/* Header value from r->head (case-insensitive name) into out; NULL when absent. */
static const char *reply_header(const reply *r, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	for (const char *p = strstr(r->head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			v += strspn(v, " ");
			size_t len = strcspn(v, "\r");
			if (len >= cap)
				len = cap - 1;
			memcpy(out, v, len);
			out[len] = '\0';
			return out;
		}
	}
	return NULL;
}

/* Reads one reply framed by Content-Length (none for HEAD, 1xx, 204, 304). */
static bool read_reply(client *c, reply *r, bool head_request)
{
	long long deadline = now_ms() + IO_TIMEOUT_MS;
	char *end;
	memset(r, 0, sizeof *r);
	for (;;) {
		if (c->len > 0) {
			c->buf[c->len < sizeof c->buf ? c->len : sizeof c->buf - 1] = '\0';
			end = strstr(c->buf, "\r\n\r\n");
			if (end)
				break;
		}
		if (!fill(c, deadline))
			return false;
	}
	size_t hlen = (size_t)(end - c->buf) + 2;
	if (hlen >= sizeof r->head)
		return false;
	memcpy(r->head, c->buf, hlen);
	r->head[hlen] = '\0';
	if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
		return false;
	size_t consumed = hlen + 2, body = 0;
	char v[64];
	if (reply_header(r, "Transfer-Encoding", v, sizeof v))
		return false; /* the framework always sends Content-Length */
	if (!head_request && r->status != 304 && r->status != 204 && reply_header(r, "Content-Length", v, sizeof v))
		body = strtoul(v, NULL, 10);
	if (body >= sizeof r->body)
		return false;
	while (c->len < consumed + body)
		if (!fill(c, deadline))
			return false;
	memcpy(r->body, c->buf + consumed, body);
	r->body[body] = '\0';
	r->body_len = body;
	memmove(c->buf, c->buf + consumed + body, c->len - consumed - body);
	c->len -= consumed + body;
	return true;
}

/* Sends METHOD TARGET with extra header lines and a body (Content-Length added when body != NULL). */
static bool send_request(client *c, const char *method, const char *target, const char *headers, const char *body)
{
	char head[12000];
	int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s", method, target,
			 headers ? headers : "");
	if (n < 0 || (size_t)n >= sizeof head)
		return false;
	if (body)
		n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", strlen(body));
	n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
	return send_all(c, head, (size_t)n) && (!body || send_all(c, body, strlen(body)));
}

/* One request on a fresh connection. */
static bool roundtrip(unsigned port, const char *method, const char *target, const char *headers, const char *body,
		      reply *r)
{
	client *c = hg_malloc(sizeof *c);
	bool ok = c && client_open(c, port) && send_request(c, method, target, headers, body) &&
		  read_reply(c, r, strcmp(method, "HEAD") == 0);
	if (c)
		client_close(c);
	hg_free(c);
	return ok;
}

/* ---- pure helpers ---- */

static void test_percent_decode(struct test *t)
{
	static const struct {
		const char *in;
		bool plus;
		const char *out; /* NULL: rejected */
	} rows[] = {
		{"abc", false, "abc"},	  {"a%20b", false, "a b"}, {"a%2Fb", false, "a/b"}, {"a+b", false, "a+b"},
		{"a+b", true, "a b"},	  {"%e5%C3", false, "\xe5\xc3"}, {"%", false, NULL},	   {"%2", false, NULL},
		{"%zz", false, NULL},	  {"%00", false, NULL},	   {"a%0", false, NULL},    {"", false, ""},
		{"%2e%2e", false, ".."},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char out[32];
		size_t len = 99;
		hg_status rc = http_percent_decode(rows[i].in, strlen(rows[i].in), rows[i].plus, out, &len);
		T_EQ_INT(t, rc == HG_OK, rows[i].out != NULL, "decode row %zu '%s'", i, rows[i].in);
		if (rc == HG_OK && rows[i].out) {
			T_EQ_STR(t, out, rows[i].out, "decode row %zu", i);
			T_EQ_INT(t, len, strlen(rows[i].out), "decode row %zu length", i);
		}
	}
}

static void test_patterns(struct test *t)
{
	static const struct {
		const char *pattern;
		bool ok;
	} rows[] = {
		{"/", true},	       {"/api/v1/x", true},	 {"/a/{id}/b/{n}", true}, {"api", false},
		{"", false},	       {"/a/{}", false},	 {"/a/{id", false},	 {"/a/x{id}", false},
		{"/a/{i{d}", false},   {"/a/%20", false},	 {"/a?b", false},	 {"/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", true},
		{"/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		T_EQ_INT(t, http_pattern_check(rows[i].pattern) == HG_OK, rows[i].ok, "pattern row %zu '%s'", i,
			 rows[i].pattern);
}

static void test_json_limits(struct test *t)
{
	static const struct {
		const char *json;
		unsigned depth;
		size_t string;
		const char *what; /* NULL: within limits */
		size_t line, column;
	} rows[] = {
		{"[[[]]]", 3, 10, NULL, 0, 0},
		{"[[[[]]]]", 3, 10, "depth", 1, 4},
		{"{\"a\":\n{\"b\":[1]}}", 2, 10, "depth", 2, 6},
		{"[\"[[[[\"]", 1, 10, NULL, 0, 0},		 /* brackets inside strings do not count */
		{"[\"\\\"[[[\"]", 1, 10, NULL, 0, 0},		 /* nor after an escaped quote */
		{"[\"0123456789\"]", 1, 10, NULL, 0, 0},	 /* exactly at the string limit */
		{"[\"0123456789x\"]", 1, 10, "string", 1, 13}, /* one over */
		{"[\"\\\\\\\\\\\\\\\\\\\\\\\\\"]", 1, 10, "string", 1, 13}, /* escapes count as sent */
		{"]]]][[", 2, 10, NULL, 0, 0},			 /* stray closers do not go negative */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *what = NULL;
		size_t line = 0, column = 0;
		hg_status rc = http_json_limits(rows[i].json, strlen(rows[i].json), rows[i].depth, rows[i].string, &what,
						&line, &column);
		T_EQ_INT(t, rc == HG_OK, rows[i].what == NULL, "limits row %zu", i);
		if (rc != HG_OK && rows[i].what) {
			T_EQ_STR(t, what, rows[i].what, "limits row %zu what", i);
			T_EQ_INT(t, line, rows[i].line, "limits row %zu line", i);
			T_EQ_INT(t, column, rows[i].column, "limits row %zu column", i);
		}
	}
}

static void test_start_errors(struct test *t)
{
	static const struct {
		const char *listen;
		const char *pattern;
		const char *static_root;
		hg_status want;
	} rows[] = {
		{"127.0.0.1", "/x", NULL, HG_EINVAL},	    {"127.0.0.1:", "/x", NULL, HG_EINVAL},
		{"127.0.0.1:70000", "/x", NULL, HG_EINVAL}, {"localhost:80", "/x", NULL, HG_EINVAL},
		{"[::1]80", "/x", NULL, HG_EINVAL},	    {"[::1:0", "/x", NULL, HG_EINVAL},
		{"127.0.0.1:0", "x", NULL, HG_EINVAL},	    {"127.0.0.1:0", "/x/{", NULL, HG_EINVAL},
		{"127.0.0.1:0", "/x", "/nonexistent/dir", HG_EINVAL},
		{"127.0.0.1:0", "/x", NULL, HG_OK},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		http_config cfg;
		http_config_defaults(&cfg);
		cfg.listen = rows[i].listen;
		cfg.static_root = rows[i].static_root;
		cfg.threads = 1;
		http_route r = {HTTP_GET, rows[i].pattern, h_ping, NULL};
		http_server *s = (http_server *)&cfg; /* must be reset to NULL on failure */
		hg_status rc = http_server_start(&cfg, &r, 1, NULL, &s);
		T_EQ_INT(t, rc, rows[i].want, "start row %zu '%s' '%s'", i, rows[i].listen, rows[i].pattern);
		if (rc == HG_OK) {
			T_TRUE(t, http_server_port(s) > 0, "row %zu ephemeral port bound", i);
			http_server_stop(s);
		} else {
			T_TRUE(t, s == NULL, "row %zu out reset on failure", i);
		}
	}
	/* IPv6 loopback, where the machine has it. */
	int probe = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	bool have6 = probe >= 0 && bind(probe, (struct sockaddr *)&a6, sizeof a6) == 0;
	if (probe >= 0)
		close(probe);
	if (have6) {
		http_config cfg;
		http_config_defaults(&cfg);
		cfg.listen = "[::1]:0";
		cfg.threads = 1;
		http_server *s;
		hg_status rc = http_server_start(&cfg, routes, NROUTES, NULL, &s);
		T_EQ_INT(t, rc, HG_OK, "start on [::1]:0");
		if (rc == HG_OK) {
			T_TRUE(t, http_server_port(s) > 0, "IPv6 port bound");
			http_server_stop(s);
		}
	}
}

/* ---- the static root ---- */

typedef struct fixture {
	char dir[256];  /* holds root/ and secret.txt */
	char root[300];
	char paths[12][400];
	size_t npaths;
} fixture;

static bool put_file(fixture *f, const char *rel, const char *text)
{
	char p[sizeof f->paths[0]];
	snprintf(p, sizeof p, "%s/%s", f->dir, rel);
	memcpy(f->paths[f->npaths++], p, sizeof p);
	FILE *fp = fopen(p, "w");
	if (!fp)
		return false;
	fputs(text, fp);
	return fclose(fp) == 0;
}

static bool fixture_make(fixture *f)
{
	const char *tmp = getenv("HEMGANG_TEST_TMP");
	snprintf(f->dir, sizeof f->dir, "%s/httpXXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return false;
	snprintf(f->root, sizeof f->root, "%s/root", f->dir);
	char assets[320];
	snprintf(assets, sizeof assets, "%s/assets", f->root);
	if (mkdir(f->root, 0700) != 0 || mkdir(assets, 0700) != 0)
		return false;
	bool ok = put_file(f, "secret.txt", "TOP SECRET\n") &&
		  put_file(f, "root/index.html", "<!doctype html><title>hemgang</title>\n") &&
		  put_file(f, "root/app.css", "body{margin:0}\n") && put_file(f, "root/assets/app-1a2b.js", "x=1;\n") &&
		  put_file(f, "root/.env", "PASSWORD=x\n") && put_file(f, "openapi.json", "{\"openapi\":\"3.1.0\"}");
	char link[320], target[300];
	snprintf(link, sizeof link, "%s/leak.txt", f->root);
	snprintf(target, sizeof target, "%s/secret.txt", f->dir);
	ok = ok && symlink(target, link) == 0;
	memcpy(f->paths[f->npaths++], link, sizeof link);
	return ok;
}

static void fixture_remove(fixture *f)
{
	for (size_t i = f->npaths; i-- > 0;)
		unlink(f->paths[i]);
	char assets[320];
	snprintf(assets, sizeof assets, "%s/assets", f->root);
	rmdir(assets);
	rmdir(f->root);
	rmdir(f->dir);
}

/* ---- requests over TCP ---- */

typedef struct http_case {
	const char *label;
	const char *method, *target, *headers, *body;
	int status;
	const char *content_type; /* prefix of Content-Type; NULL: not checked */
	const char *body_has;	  /* substring of the body; NULL: not checked */
	const char *header_has;	  /* "Name: value-prefix"; NULL: not checked */
	const char *body_lacks;	  /* must not occur in the body; NULL: not checked */
} http_case;

static void check_case(struct test *t, unsigned port, const http_case *k)
{
	reply *r = hg_malloc(sizeof *r);
	if (!r)
		return;
	bool ok = roundtrip(port, k->method, k->target, k->headers, k->body, r);
	if (!T_TRUE(t, ok, "%s: got a well-framed reply", k->label)) {
		hg_free(r);
		return;
	}
	T_EQ_INT(t, r->status, k->status, "%s: status", k->label);
	char v[512];
	if (k->content_type) {
		const char *ct = reply_header(r, "Content-Type", v, sizeof v);
		T_TRUE(t, ct && strncmp(ct, k->content_type, strlen(k->content_type)) == 0,
		       "%s: content type '%s', want '%s'", k->label, ct ? ct : "(none)", k->content_type);
	}
	if (k->body_has)
		T_TRUE(t, strstr(r->body, k->body_has) != NULL, "%s: body has '%s': %s", k->label, k->body_has, r->body);
	if (k->body_lacks)
		T_TRUE(t, strstr(r->body, k->body_lacks) == NULL, "%s: body lacks '%s'", k->label, k->body_lacks);
	if (k->header_has) {
		char name[64];
		const char *colon = strchr(k->header_has, ':');
		snprintf(name, sizeof name, "%.*s", (int)(colon - k->header_has), k->header_has);
		const char *want = colon + 2;
		const char *got = reply_header(r, name, v, sizeof v);
		T_TRUE(t, got && strncmp(got, want, strlen(want)) == 0, "%s: header %s is '%s', want '%s'", k->label,
		       name, got ? got : "(none)", want);
	}
	/* Every answer, success or problem, carries the security headers. */
	T_EQ_STR(t, reply_header(r, "X-Content-Type-Options", v, sizeof v), "nosniff", "%s: nosniff", k->label);
	T_EQ_STR(t, reply_header(r, "Referrer-Policy", v, sizeof v), "no-referrer", "%s: referrer policy", k->label);
	T_TRUE(t, reply_header(r, "Cache-Control", v, sizeof v) != NULL, "%s: has Cache-Control", k->label);
	hg_free(r);
}

#define JSON_HDR "Content-Type: application/json\r\n"

static void test_requests(struct test *t, unsigned port)
{
	/* Generated bodies: nesting exactly at and one over the limit (32), strings at and over 100. */
	static char deep_ok[80], deep_bad[80], str_ok[128], str_bad[128], big[5000];
	memset(deep_ok, '[', 32);
	memset(deep_ok + 32, ']', 32);
	deep_ok[64] = '\0';
	memset(deep_bad, '[', 33);
	memset(deep_bad + 33, ']', 33);
	deep_bad[66] = '\0';
	snprintf(str_ok, sizeof str_ok, "[\"%0100d\"]", 0);
	snprintf(str_bad, sizeof str_bad, "[\"%0101d\"]", 0);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	static char long_uri[9100];
	memset(long_uri, 'a', sizeof long_uri - 1);
	long_uri[0] = '/';
	long_uri[sizeof long_uri - 1] = '\0';

	const http_case cases[] = {
		{"ping", "GET", "/api/v1/ping", NULL, NULL, 200, "application/json", "{\"ok\":true}",
		 "Cache-Control: no-store", NULL},
		{"ping has CSP", "GET", "/api/v1/ping", NULL, NULL, 200, NULL, NULL,
		 "Content-Security-Policy: default-src 'none'", NULL},
		{"HEAD on a GET route", "HEAD", "/api/v1/ping", NULL, NULL, 200, "application/json", NULL, NULL, NULL},
		{"echo JSON", "POST", "/api/v1/echo", JSON_HDR, "{\"a\": [1, 2, {\"b\": \"c\"}]}", 200,
		 "application/json", "{\"a\":[1,2,{\"b\":\"c\"}]}", NULL, NULL},
		{"echo with charset", "POST", "/api/v1/echo", "Content-Type: Application/JSON; charset=utf-8\r\n",
		 "{}", 200, "application/json", "{}", NULL, NULL},
		{"unknown path", "GET", "/api/v1/nope", NULL, NULL, 404, "application/problem+json",
		 "\"code\":\"not_found\"", NULL, NULL},
		{"404 has type and instance", "GET", "/api/v1/nope?pnr=191212121212", NULL, NULL, 404, NULL,
		 "\"type\":\"https://hemgang.se/problems/not_found\"", NULL, "191212121212"},
		{"404 instance is the path", "GET", "/api/v1/nope", NULL, NULL, 404, NULL,
		 "\"instance\":\"/api/v1/nope\"", NULL, NULL},
		{"wrong method", "DELETE", "/api/v1/ping", NULL, NULL, 405, "application/problem+json",
		 "\"code\":\"method_not_allowed\"", "Allow: GET, HEAD", NULL},
		{"wrong method, two routes", "POST", "/api/v1/conflict", NULL, "", 405, NULL, NULL,
		 "Allow: GET, HEAD, PUT", NULL},
		{"unknown method", "BREW", "/api/v1/ping", NULL, NULL, 501, "application/problem+json", NULL, NULL,
		 NULL},
		{"text/plain to JSON route", "POST", "/api/v1/echo", "Content-Type: text/plain\r\n", "{}", 415,
		 "application/problem+json", "\"code\":\"unsupported_media_type\"", NULL, NULL},
		{"no content type", "POST", "/api/v1/echo", NULL, "{}", 415, NULL, NULL, NULL, NULL},
		{"json lookalike type", "POST", "/api/v1/echo", "Content-Type: application/jsonx\r\n", "{}", 415, NULL,
		 NULL, NULL, NULL},
		{"invalid JSON", "POST", "/api/v1/echo", JSON_HDR, "{\"a\": 1,\n  \"b\": tru}", 400,
		 "application/problem+json", "\"line\":2", NULL, NULL},
		{"invalid JSON code", "POST", "/api/v1/echo", JSON_HDR, "{\"a\": 1,\n  \"b\": tru}", 400, NULL,
		 "\"code\":\"invalid_json\"", NULL, NULL},
		{"empty JSON body", "POST", "/api/v1/echo", JSON_HDR, "", 400, NULL, "\"code\":\"invalid_json\"", NULL,
		 NULL},
		{"duplicate key", "POST", "/api/v1/echo", JSON_HDR, "{\"a\":1,\"a\":2}", 400, NULL, "invalid_json",
		 NULL, NULL},
		{"NUL escape", "POST", "/api/v1/echo", JSON_HDR, "{\"a\":\"x\\u0000y\"}", 400, NULL, "invalid_json",
		 NULL, NULL},
		{"depth at limit", "POST", "/api/v1/echo", JSON_HDR, deep_ok, 200, "application/json", NULL, NULL,
		 NULL},
		{"too deep", "POST", "/api/v1/echo", JSON_HDR, deep_bad, 400, "application/problem+json",
		 "\"code\":\"json_too_deep\"", NULL, NULL},
		{"string at limit", "POST", "/api/v1/echo", JSON_HDR, str_ok, 200, "application/json", NULL, NULL,
		 NULL},
		{"string too long", "POST", "/api/v1/echo", JSON_HDR, str_bad, 400, "application/problem+json",
		 "\"code\":\"json_string_too_long\"", NULL, NULL},
		{"body over limit", "POST", "/api/v1/body", NULL, big, 413, "application/problem+json",
		 "\"code\":\"body_too_large\"", NULL, NULL},
		{"body announced too large, 100-continue", "POST", "/api/v1/body",
		 "Content-Length: 5000\r\nExpect: 100-continue\r\n", NULL, 413, "application/problem+json", NULL, NULL,
		 NULL},
		{"body within limit", "POST", "/api/v1/body", NULL, "hello", 200, "text/plain", "5:hell", NULL, NULL},
		{"path params decoded", "GET", "/api/v1/episodes/ab%2Fc%20d/events/7", NULL, NULL, 200,
		 "application/json", "{\"id\":\"ab/c d\",\"n\":\"7\"}", NULL, NULL},
		{"path param utf-8", "GET", "/api/v1/episodes/%C3%A5r/events/1", NULL, NULL, 200, NULL,
		 "\"id\":\"\xc3\xa5r\"", NULL, NULL},
		{"empty path param", "GET", "/api/v1/episodes//events/1", NULL, NULL, 404, NULL, NULL, NULL, NULL},
		{"trailing slash", "GET", "/api/v1/ping/", NULL, NULL, 404, NULL, NULL, NULL, NULL},
		{"extra segment", "GET", "/api/v1/episodes/1/events/2/x", NULL, NULL, 404, NULL, NULL, NULL, NULL},
		{"bad escape in path", "GET", "/api/v1/episodes/%zz/events/1", NULL, NULL, 400,
		 "application/problem+json", "\"code\":\"invalid_path\"", NULL, NULL},
		{"NUL in path", "GET", "/api/v1/episodes/a%00b/events/1", NULL, NULL, 400, NULL, NULL, NULL, NULL},
		{"query decoded", "GET", "/api/v1/query?q=a%20b+c&x=1", NULL, NULL, 200, NULL,
		 "{\"q\":\"a b c\",\"missing_is_null\":true}", NULL, NULL},
		{"problem from handler", "PUT", "/api/v1/conflict", NULL, "", 409, "application/problem+json",
		 "\"field\":\"version\"", NULL, NULL},
		{"problem detail", "PUT", "/api/v1/conflict", NULL, "", 409, NULL, "\"detail\":\"expected version 3\"",
		 NULL, NULL},
		{"problem title", "PUT", "/api/v1/conflict", NULL, "", 409, NULL, "\"title\":\"Version conflict\"",
		 NULL, NULL},
		{"problem extension", "GET", "/api/v1/extra", NULL, NULL, 422, NULL, "\"hint\":\"somatic\"", NULL,
		 NULL},
		{"extension cannot overwrite status", "GET", "/api/v1/extra", NULL, NULL, 422, NULL, "\"status\":422",
		 NULL, "overwritten"},
		{"handler failure", "GET", "/api/v1/fail", NULL, NULL, 404, "application/problem+json",
		 "\"code\":\"not_found\"", NULL, NULL},
		{"etag miss", "GET", "/api/v1/etag", "If-None-Match: \"v0\"\r\n", NULL, 200, NULL, "v1",
		 "ETag: \"v1\"", NULL},
		{"etag hit", "GET", "/api/v1/etag", "If-None-Match: \"v0\", \"v1\"\r\n", NULL, 304, NULL, NULL,
		 "ETag: \"v1\"", NULL},
		{"etag weak hit", "GET", "/api/v1/etag", "If-None-Match: W/\"v1\"\r\n", NULL, 304, NULL, NULL, NULL,
		 NULL},
		{"etag star", "GET", "/api/v1/etag", "If-None-Match: *\r\n", NULL, 304, NULL, NULL, NULL, NULL},
		{"cookie, header, client", "GET", "/api/v1/whoami", "Cookie: theme=dark; sid=abc123\r\nx-test: yes\r\n",
		 NULL, 201, NULL, "{\"sid\":\"abc123\",\"test\":\"yes\",\"client\":\"127.0.0.1\"", NULL, NULL},
		{"header injection refused", "GET", "/api/v1/whoami", NULL, NULL, 201, NULL,
		 "\"inject\":\"invalid\"", NULL, NULL},
		{"Location set", "GET", "/api/v1/whoami", NULL, NULL, 201, NULL, NULL, "Location: /api/v1/things/1",
		 NULL},
		{"Set-Cookie set", "GET", "/api/v1/whoami", NULL, NULL, 201, NULL, NULL, "Set-Cookie: sid=new; HttpOnly",
		 NULL},
		{"URI too long", "GET", long_uri, NULL, NULL, 414, "application/problem+json", NULL, NULL, NULL},
		/* static files */
		{"index", "GET", "/", NULL, NULL, 200, "text/html", "<title>hemgang</title>", "Cache-Control: no-cache",
		 NULL},
		{"index CSP", "GET", "/", NULL, NULL, 200, NULL, NULL,
		 "Content-Security-Policy: default-src 'self'; script-src 'self'", NULL},
		{"index.html by name", "GET", "/index.html", NULL, NULL, 200, "text/html", NULL, NULL, NULL},
		{"css", "GET", "/app.css", NULL, NULL, 200, "text/css", "margin:0", "ETag: \"", NULL},
		{"asset cached", "GET", "/assets/app-1a2b.js", NULL, NULL, 200, "text/javascript", "x=1;",
		 "Cache-Control: public, max-age=31536000, immutable", NULL},
		{"HEAD static", "HEAD", "/app.css", NULL, NULL, 200, "text/css", NULL, NULL, NULL},
		{"POST to a static path", "POST", "/app.css", NULL, "", 404, NULL, NULL, NULL, NULL},
		{"dot-dot", "GET", "/../secret.txt", NULL, NULL, 400, "application/problem+json", NULL, NULL, "SECRET"},
		{"encoded dot-dot", "GET", "/%2e%2e/secret.txt", NULL, NULL, 400, NULL, NULL, NULL, "SECRET"},
		{"dot-dot in assets", "GET", "/assets/..%2f..%2fsecret.txt", NULL, NULL, 400, NULL, NULL, NULL, "SECRET"},
		{"deeper dot-dot", "GET", "/assets/../../secret.txt", NULL, NULL, 400, NULL, NULL, NULL, "SECRET"},
		{"backslash", "GET", "/assets/..\\..\\secret.txt", NULL, NULL, 400, NULL, NULL, NULL, "SECRET"},
		{"symlink out of root", "GET", "/leak.txt", NULL, NULL, 404, NULL, NULL, NULL, "SECRET"},
		{"dot-file", "GET", "/.env", NULL, NULL, 404, NULL, NULL, NULL, "PASSWORD"},
		{"SPA fallback", "GET", "/episodes/123", NULL, NULL, 200, "text/html", "<title>hemgang</title>", NULL,
		 NULL},
		{"missing asset not SPA", "GET", "/assets/gone-9f.js", NULL, NULL, 404, "application/problem+json",
		 NULL, NULL, NULL},
		{"missing file with extension", "GET", "/nothing.png", NULL, NULL, 404, NULL, NULL, NULL, NULL},
		{"API path never SPA", "GET", "/api/v2/whatever", NULL, NULL, 404, "application/problem+json", NULL,
		 NULL, "<title>"},
		{"openapi", "GET", "/api/v1/openapi.json", NULL, NULL, 200, "application/json", "\"openapi\"",
		 "Cache-Control: no-cache", NULL},
		{"openapi wrong method", "POST", "/api/v1/openapi.json", NULL, "", 405, NULL, NULL, "Allow: GET, HEAD",
		 NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(t, port, &cases[i]);
}

/* Static file revalidation: the ETag of a first answer yields 304 on the second. */
static void test_static_etag(struct test *t, unsigned port)
{
	reply *r = hg_malloc(sizeof *r);
	char etag[128], hdr[200], v[128];
	if (!r)
		return;
	bool ok = roundtrip(port, "GET", "/app.css", NULL, NULL, r) && reply_header(r, "ETag", etag, sizeof etag);
	if (T_TRUE(t, ok, "static file has an ETag")) {
		snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag);
		ok = roundtrip(port, "GET", "/app.css", hdr, NULL, r);
		T_TRUE(t, ok, "revalidation answered");
		T_EQ_INT(t, r->status, 304, "revalidation gives 304");
		T_EQ_INT(t, r->body_len, 0, "304 has no body");
		T_EQ_STR(t, reply_header(r, "ETag", v, sizeof v), etag, "304 repeats the ETag");
		ok = roundtrip(port, "GET", "/app.css", "If-None-Match: \"other\"\r\n", NULL, r);
		T_EQ_INT(t, ok ? r->status : 0, 200, "other ETag gives 200");
	}
	hg_free(r);
}

/* Keep-alive: several requests on one connection, then /metrics on the same one counts them exactly. */
static void test_keepalive_metrics(struct test *t, unsigned port)
{
	client *c = hg_malloc(sizeof *c);
	reply *r = hg_malloc(sizeof *r);
	if (!c || !r || !T_TRUE(t, client_open(c, port), "connect for keep-alive"))
		goto out;
	enum { N = 5 };
	for (int i = 0; i < N; i++) {
		bool ok = send_request(c, "GET", "/api/v1/ping", NULL, NULL) && read_reply(c, r, false);
		T_TRUE(t, ok && r->status == 200, "keep-alive request %d answered on the same connection", i);
	}
	/* Two requests written back to back (pipelined) are both answered, in order. */
	bool ok = send_request(c, "GET", "/api/v1/episodes/1/events/2", NULL, NULL) &&
		  send_request(c, "GET", "/api/v1/nope", NULL, NULL);
	ok = ok && read_reply(c, r, false);
	T_TRUE(t, ok && r->status == 200, "pipelined request 1");
	ok = ok && read_reply(c, r, false);
	T_TRUE(t, ok && r->status == 404, "pipelined request 2");
	ok = ok && send_request(c, "GET", "/metrics", NULL, NULL) && read_reply(c, r, false);
	if (T_TRUE(t, ok && r->status == 200, "metrics answered")) {
		char v[128];
		const char *ct = reply_header(r, "Content-Type", v, sizeof v);
		T_TRUE(t, ct && strncmp(ct, "text/plain; version=0.0.4", 25) == 0, "metrics content type");
		static const char *const want[] = {
			"hemgang_http_requests_total{route=\"/api/v1/ping\",method=\"GET\",status=\"200\"} 5\n",
			"hemgang_http_requests_total{route=\"episode_events\",method=\"GET\",status=\"200\"} 1\n",
			"hemgang_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n",
			"hemgang_http_request_duration_seconds_bucket{route=\"/api/v1/ping\",le=\"+Inf\"} 5\n",
			"hemgang_http_request_duration_seconds_count{route=\"/api/v1/ping\"} 5\n",
			"hemgang_http_request_duration_seconds_sum{route=\"/api/v1/ping\"} ",
			"# TYPE hemgang_http_request_duration_seconds histogram\n",
			"hemgang_http_requests_in_flight 1\n",
			"hemgang_test_app 42\n",
		};
		for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
			T_TRUE(t, strstr(r->body, want[i]) != NULL, "metrics has: %s", want[i]);
		T_TRUE(t, strstr(r->body, "/api/v1/nope") == NULL, "metrics never show a raw path");
	}
	/* The metrics request itself is counted when it completes. */
	ok = send_request(c, "GET", "/metrics", NULL, NULL) && read_reply(c, r, false);
	T_TRUE(t, ok && strstr(r->body, "{route=\"metrics\",method=\"GET\",status=\"200\"} 1\n") != NULL,
	       "metrics count themselves");
out:
	if (c)
		client_close(c);
	hg_free(c);
	hg_free(r);
}

/* A chunked upload has no Content-Length to refuse up front: the ceiling stops it while it arrives. */
static void test_chunked(struct test *t, unsigned port)
{
	static const struct {
		const char *label;
		size_t chunks, chunk_size;
		int status;
	} rows[] = {
		{"chunked within limit", 4, 1000, 200},
		{"chunked over limit", 5, 1000, 413},
	};
	client *c = hg_malloc(sizeof *c);
	reply *r = hg_malloc(sizeof *r);
	char chunk[1100];
	for (size_t i = 0; c && r && i < sizeof rows / sizeof rows[0]; i++) {
		bool ok = client_open(c, port);
		const char *head = "POST /api/v1/body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
		ok = ok && send_all(c, head, strlen(head));
		int n = snprintf(chunk, sizeof chunk, "%zx\r\n", rows[i].chunk_size);
		memset(chunk + n, 'y', rows[i].chunk_size);
		memcpy(chunk + n + rows[i].chunk_size, "\r\n", 2);
		for (size_t k = 0; ok && k < rows[i].chunks; k++)
			ok = send_all(c, chunk, (size_t)n + rows[i].chunk_size + 2);
		/* The server may answer 413 and close before the end; a failed send is fine then. */
		if (ok)
			ok = send_all(c, "0\r\n\r\n", 5);
		ok = read_reply(c, r, false);
		T_TRUE(t, ok, "%s: answered", rows[i].label);
		T_EQ_INT(t, ok ? r->status : 0, rows[i].status, "%s: status", rows[i].label);
		client_close(c);
	}
	hg_free(c);
	hg_free(r);
}

/* Headers beyond libmicrohttpd's memory limit are refused by it (431); the request's state is
 * still released (nothing stays in flight), and the server goes on serving. */
static void test_huge_headers(struct test *t, unsigned port)
{
	static char huge[40000];
	reply *r = hg_malloc(sizeof *r);
	if (!r)
		return;
	memset(huge, 'h', sizeof huge);
	memcpy(huge, "X-Huge: ", 8);
	memcpy(huge + sizeof huge - 3, "\r\n", 3);
	bool ok = roundtrip(port, "GET", "/api/v1/ping", huge, NULL, r);
	T_TRUE(t, !ok || r->status == 431 || r->status == 413, "huge headers refused (status %d)", ok ? r->status : 0);
	/* MHD ends the refused request just after its answer went out: poll briefly. */
	bool idle = false;
	for (long long deadline = now_ms() + 2000; !idle && now_ms() < deadline;) {
		idle = roundtrip(port, "GET", "/metrics", NULL, NULL, r) &&
		       strstr(r->body, "hemgang_http_requests_in_flight 1\n") != NULL;
		if (!idle) {
			struct timespec d = {0, 20 * 1000 * 1000};
			nanosleep(&d, NULL);
		}
	}
	T_TRUE(t, idle, "no request left in flight after refused headers");
	T_TRUE(t, roundtrip(port, "GET", "/api/v1/ping", NULL, NULL, r) && r->status == 200, "still serving");
	hg_free(r);
}

/* An upload cut off mid-body: the server keeps serving; the request stays open until the
 * connection times out, which the graceful stop must not wait for beyond its grace. */
static void test_aborted(struct test *t, unsigned port)
{
	client *c = hg_malloc(sizeof *c);
	reply *r = hg_malloc(sizeof *r);
	if (c && r && client_open(c, port)) {
		const char *partial = "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":";
		T_TRUE(t, send_all(c, partial, strlen(partial)), "partial request sent");
		client_close(c);
	}
	T_TRUE(t, r && roundtrip(port, "GET", "/api/v1/ping", NULL, NULL, r) && r->status == 200,
	       "server still serves after an aborted upload");
	hg_free(c);
	hg_free(r);
}

/* Graceful stop: a request in flight when stop is called still gets its answer. */
static void test_graceful_stop(struct test *t, http_server *s, unsigned port)
{
	client *c = hg_malloc(sizeof *c);
	reply *r = hg_malloc(sizeof *r);
	bool sent = c && r && client_open(c, port) && send_request(c, "GET", "/api/v1/slow", NULL, NULL);
	T_TRUE(t, sent, "slow request sent");
	struct timespec d = {0, 100 * 1000 * 1000}; /* let the handler start */
	nanosleep(&d, NULL);
	long long t0 = now_ms();
	http_server_stop(s);
	long long took = now_ms() - t0;
	T_TRUE(t, took >= 150 && took < STOP_GRACE_MS + 1000, "stop waited for the slow request, within the grace (%lld ms)",
	       took);
	if (sent) {
		bool ok = read_reply(c, r, false);
		T_TRUE(t, ok && r->status == 200 && strcmp(r->body, "slow done") == 0, "in-flight request finished");
		char v[32];
		T_EQ_STR(t, ok ? reply_header(r, "Connection", v, sizeof v) : NULL, "close",
			 "answer during stop closes the connection");
	}
	client *c2 = hg_malloc(sizeof *c2);
	T_TRUE(t, c2 && !client_open(c2, port), "no new connections after stop");
	if (c2)
		client_close(c2);
	hg_free(c2);
	if (c)
		client_close(c);
	hg_free(c);
	hg_free(r);
}

/* ---- held answers: the connection waits, suspended, until its ticket is durable ---- */

typedef struct hold_app {
	_Atomic uint64_t durable_upto; /* tickets up to this one are decided */
	_Atomic uint64_t failed;       /* this ticket's batch failed */
	_Atomic int finished, released; /* deferred answers rendered, their contexts released */
} hold_app;

static int hold_durable(void *app, uint64_t ticket)
{
	hold_app *h = app;
	if (ticket > atomic_load(&h->durable_upto))
		return 0;
	return ticket == atomic_load(&h->failed) ? -1 : 1;
}

static hg_status h_hold(http_request *req, http_response *res, void *app)
{
	(void)app;
	http_response_hold(res, strtoull(http_request_param(req, "n"), NULL, 10));
	return http_reply_text(res, 201, NULL, "stored", 6);
}

/* A deferred answer: rendered by finish once its ticket is durable, saying how far durability had
 * come when it was rendered. */
static hg_status defer_finish(http_request *req, http_response *res, void *ctx)
{
	hold_app *h = ctx;
	char text[32];
	(void)req;
	atomic_fetch_add(&h->finished, 1);
	int n = snprintf(text, sizeof text, "decided %llu", (unsigned long long)atomic_load(&h->durable_upto));
	return http_reply_text(res, 201, NULL, text, (size_t)n);
}

static void defer_release(void *ctx)
{
	hold_app *h = ctx;
	atomic_fetch_add(&h->released, 1);
}

static hg_status h_defer(http_request *req, http_response *res, void *app)
{
	http_response_defer(res, strtoull(http_request_param(req, "n"), NULL, 10), defer_finish, defer_release, app);
	return HG_OK;
}

static const http_route hold_routes[] = {
	{HTTP_GET, "/hold/{n}", h_hold, NULL},
	{HTTP_GET, "/ping", h_ping, NULL},
	{HTTP_GET, "/defer/{n}", h_defer, NULL},
};

static void test_hold(struct test *t)
{
	hold_app app = {0};
	http_config cfg;
	http_server *s = NULL;
	reply *r = hg_malloc(sizeof *r);
	client *a = hg_malloc(sizeof *a), *b = hg_malloc(sizeof *b);
	http_config_defaults(&cfg);
	cfg.listen = "127.0.0.1:0";
	cfg.threads = 1; /* one worker: a held answer must not occupy it */
	cfg.durable = hold_durable;
	cfg.stop_grace_ms = 200;
	if (!T_TRUE(t, r && a && b, "memory") ||
	    !T_TRUE(t, http_server_start(&cfg, hold_routes, 3, &app, &s) == HG_OK, "hold: server starts"))
		goto out;
	unsigned port = http_server_port(s);
	T_TRUE(t, client_open(a, port) && send_request(a, "GET", "/hold/5", NULL, NULL), "hold: request 5 sent");
	T_TRUE(t, !fill(a, now_ms() + 300), "hold: no answer while ticket 5 is not durable");
	T_TRUE(t, client_open(b, port) && send_request(b, "GET", "/ping", NULL, NULL) && read_reply(b, r, false) &&
			  r->status == 200,
	       "hold: the only worker thread still serves another request");
	client_close(b);
	atomic_store(&app.durable_upto, 4);
	http_server_wake(s);
	T_TRUE(t, !fill(a, now_ms() + 200), "hold: durable up to 4 is not enough");
	atomic_store(&app.durable_upto, 5);
	http_server_wake(s);
	T_TRUE(t, read_reply(a, r, false) && r->status == 201 && strcmp(r->body, "stored") == 0,
	       "hold: the answer goes out once ticket 5 is durable");
	T_TRUE(t, send_request(a, "GET", "/hold/3", NULL, NULL) && read_reply(a, r, false) && r->status == 201,
	       "hold: an already durable ticket answers at once (same connection)");
	atomic_store(&app.failed, 7);
	T_TRUE(t, send_request(a, "GET", "/hold/7", NULL, NULL) && !fill(a, now_ms() + 200), "hold: 7 waits");
	atomic_store(&app.durable_upto, 7);
	http_server_wake(s);
	T_TRUE(t, read_reply(a, r, false) && r->status == 503 && strstr(r->body, "store_unavailable") != NULL,
	       "hold: a failed batch answers 503, not what was rendered");
	/* a deferred answer is rendered only once its ticket is durable, its context released once */
	T_TRUE(t, send_request(a, "GET", "/defer/8", NULL, NULL) && !fill(a, now_ms() + 200), "defer: 8 waits");
	T_EQ_INT(t, atomic_load(&app.finished), 0, "defer: nothing rendered while 8 is not durable");
	atomic_store(&app.durable_upto, 8);
	http_server_wake(s);
	T_TRUE(t, read_reply(a, r, false) && r->status == 201 && strcmp(r->body, "decided 8") == 0,
	       "defer: rendered after ticket 8 became durable (%s)", r->body);
	T_TRUE(t, send_request(a, "GET", "/defer/0", NULL, NULL) && read_reply(a, r, false) && r->status == 201,
	       "defer: ticket 0 is durable at once");
	T_EQ_INT(t, atomic_load(&app.finished), 2, "defer: two rendered");
	atomic_store(&app.failed, 10);
	T_TRUE(t, send_request(a, "GET", "/defer/10", NULL, NULL) && !fill(a, now_ms() + 100), "defer: 10 waits");
	atomic_store(&app.durable_upto, 10);
	http_server_wake(s);
	T_TRUE(t, read_reply(a, r, false) && r->status == 503, "defer: a failed batch answers 503");
	T_EQ_INT(t, atomic_load(&app.finished), 2, "defer: a failed one is not rendered");
	T_TRUE(t, send_request(a, "GET", "/hold/12", NULL, NULL) && !fill(a, now_ms() + 100), "hold: 12 waits");
	T_TRUE(t, client_open(b, port) && send_request(b, "GET", "/defer/13", NULL, NULL) && !fill(b, now_ms() + 100),
	       "defer: 13 waits");
	http_server_stop(s); /* resumes what is still held: 503 */
	s = NULL;
	T_TRUE(t, read_reply(a, r, false) && r->status == 503, "hold: stopping answers a held request with 503");
	T_TRUE(t, read_reply(b, r, false) && r->status == 503, "defer: stopping answers a deferred request with 503");
	client_close(b);
	T_EQ_INT(t, atomic_load(&app.finished), 2, "defer: stopping renders nothing undecided");
	T_EQ_INT(t, atomic_load(&app.released), 4, "defer: every context released once");
	client_close(a);
out:
	http_server_stop(s);
	hg_free(r);
	hg_free(a);
	hg_free(b);
}

int main(void)
{
	struct test t = {.name = "test_server"};
	test_percent_decode(&t);
	test_patterns(&t);
	test_json_limits(&t);
	test_start_errors(&t);
	test_hold(&t);

	fixture *f = hg_calloc(1, sizeof *f);
	if (!T_TRUE(&t, f && fixture_make(f), "static fixture created"))
		return test_report(&t);
	char openapi[400];
	snprintf(openapi, sizeof openapi, "%s/openapi.json", f->dir);
	int app_value = 42;
	http_config cfg;
	http_config_defaults(&cfg);
	cfg.listen = "127.0.0.1:0";
	cfg.threads = 2;
	cfg.stop_grace_ms = STOP_GRACE_MS;
	cfg.max_body = 4096;
	cfg.json_max_string = 100;
	cfg.static_root = f->root;
	cfg.spa_fallback = true;
	cfg.openapi_file = openapi;
	cfg.metrics_url = "/metrics";
	cfg.access_log = getenv("HEMGANG_TEST_ACCESS_LOG") != NULL;
	cfg.extra_metrics = app_metrics;
	http_server *s;
	hg_status rc = http_server_start(&cfg, routes, NROUTES, &app_value, &s);
	T_EQ_INT(&t, rc, HG_OK, "server starts");
	if (rc == HG_OK) {
		unsigned port = http_server_port(s);
		test_keepalive_metrics(&t, port);
		test_requests(&t, port);
		test_static_etag(&t, port);
		test_chunked(&t, port);
		test_huge_headers(&t, port);
		test_aborted(&t, port);
		test_graceful_stop(&t, s, port);
	}
	fixture_remove(f);
	hg_free(f);
	return test_report(&t);
}
