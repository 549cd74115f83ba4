/*
 * problem.c - building responses: JSON and text replies, RFC 9457 problem
 * details, extra headers, conditional GET, and the guarded JSON body parser.
 *
 * Every error the framework or a handler reports to a client is an
 * application/problem+json object with a stable machine `code`, so clients
 * branch on codes, never on English titles. The JSON body parser checks
 * nesting depth and string length with a small scanner BEFORE handing the text
 * to Jansson, so a hostile body cannot make the parser recurse deeply or build
 * huge strings; what Jansson then rejects is reported with its line and column.
 */
#include "http/http_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/alloc.h"

typedef struct status_row {
	int status;
	const char *reason;
} status_row;

static const status_row status_table[] = {
	{200, "OK"},
	{201, "Created"},
	{202, "Accepted"},
	{204, "No Content"},
	{301, "Moved Permanently"},
	{302, "Found"},
	{303, "See Other"},
	{304, "Not Modified"},
	{307, "Temporary Redirect"},
	{400, "Bad Request"},
	{401, "Unauthorized"},
	{403, "Forbidden"},
	{404, "Not Found"},
	{405, "Method Not Allowed"},
	{406, "Not Acceptable"},
	{409, "Conflict"},
	{410, "Gone"},
	{412, "Precondition Failed"},
	{413, "Content Too Large"},
	{414, "URI Too Long"},
	{415, "Unsupported Media Type"},
	{422, "Unprocessable Content"},
	{428, "Precondition Required"},
	{429, "Too Many Requests"},
	{500, "Internal Server Error"},
	{501, "Not Implemented"},
	{503, "Service Unavailable"},
};

const char *http_status_reason(int status)
{
	for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
		if (status_table[i].status == status)
			return status_table[i].reason;
	return "Error";
}

/* What a handler's failure becomes when it did not reply itself. */
static const struct {
	hg_status rc;
	int status;
	const char *code;
} failure_table[] = {
	{HG_EINVAL, 400, "invalid"},     {HG_ENOMEM, 503, "out_of_memory"}, {HG_ENOTFOUND, 404, "not_found"},
	{HG_ECONFLICT, 409, "conflict"}, {HG_EDENIED, 403, "forbidden"},    {HG_ERANGE, 413, "too_large"},
	{HG_EIO, 503, "unavailable"},    {HG_EINTERNAL, 500, "internal"},
};

int http_status_for(hg_status rc)
{
	for (size_t i = 0; i < sizeof failure_table / sizeof failure_table[0]; i++)
		if (failure_table[i].rc == rc)
			return failure_table[i].status;
	return 500;
}

static const char *code_for(hg_status rc)
{
	for (size_t i = 0; i < sizeof failure_table / sizeof failure_table[0]; i++)
		if (failure_table[i].rc == rc)
			return failure_table[i].code;
	return "internal";
}

void http_response_init(http_response *res, const char *instance)
{
	*res = (http_response){.fd = -1, .instance = instance};
}

void http_response_clear_body(http_response *res)
{
	if (res->kind == HTTP_BODY_SHARED) {
		if (res->body_release)
			res->body_release(res->body_ctx);
	} else
		hg_free(res->body);
	res->body = NULL;
	res->body_release = NULL;
	res->body_ctx = NULL;
	res->len = 0;
	if (res->fd >= 0) {
		/* A file body that was never handed to MHD is ours to close. */
		close(res->fd);
	}
	res->fd = -1;
	hg_free(res->content_type);
	res->content_type = NULL;
	res->kind = HTTP_BODY_NONE;
}

void http_response_free(http_response *res)
{
	http_response_clear_body(res);
	for (size_t i = 0; i < res->nheaders; i++) {
		hg_free(res->headers[i].name);
		hg_free(res->headers[i].value);
	}
	res->nheaders = 0;
}

/* When a reply cannot be built (out of memory), the response degrades to a bare status line
 * with no body, so a handler that ignores the failure still answers something sensible. */
static hg_status degrade(http_response *res, int status, hg_status rc)
{
	http_response_clear_body(res);
	res->status = status;
	return rc;
}

/* Makes body the reply, replacing any earlier one: HTTP_BODY_BUFFER takes ownership of body
 * (hg_malloc'ed); HTTP_BODY_SHARED leaves it to ctx, released by release(ctx). On failure the body
 * is let go all the same. */
static hg_status reply_body(http_response *res, int status, const char *content_type, enum http_body_kind kind,
			    char *body, size_t len, void (*release)(void *ctx), void *ctx)
{
	char *ct = hg_strdup(content_type);
	if (!ct) {
		if (kind == HTTP_BODY_SHARED)
			release(ctx);
		else
			hg_free(body);
		return degrade(res, 503, HG_ENOMEM);
	}
	http_response_clear_body(res);
	res->status = status;
	res->kind = kind;
	res->body = body;
	res->len = len;
	res->body_release = release;
	res->body_ctx = ctx;
	res->content_type = ct;
	return HG_OK;
}

/* Takes ownership of body (hg_malloc'ed) and replaces any earlier reply. */
static hg_status reply_owned(http_response *res, int status, const char *content_type, char *body, size_t len)
{
	return reply_body(res, status, content_type, HTTP_BODY_BUFFER, body, len, NULL, NULL);
}

static int dump_to_buf(const char *chunk, size_t size, void *data)
{
	hg_buf *b = data;
	hg_buf_add(b, chunk, size);
	return b->failed ? -1 : 0;
}

/* Serialises json compactly into a fresh hg_malloc'ed buffer. */
static hg_status json_render(const json_t *json, char **out, size_t *len)
{
	hg_buf b;
	hg_buf_init(&b, (size_t)64 << 20);
	if (json_dump_callback(json, dump_to_buf, &b, JSON_COMPACT | JSON_ENCODE_ANY) != 0 || b.failed) {
		hg_buf_free(&b);
		return HG_ENOMEM;
	}
	*out = b.data ? b.data : hg_strdup("");
	*len = b.len;
	return *out ? HG_OK : HG_ENOMEM;
}

hg_status http_reply_json(http_response *res, int status, json_t *body)
{
	char *text;
	size_t len;
	if (!body) /* typically a json_pack that failed: out of memory or a bad format */
		return degrade(res, 500, HG_EINVAL);
	hg_status rc = json_render(body, &text, &len);
	json_decref(body);
	if (rc)
		return degrade(res, 503, rc);
	return reply_owned(res, status, "application/json", text, len);
}

hg_status http_reply_text(http_response *res, int status, const char *content_type, const char *text, size_t len)
{
	char *copy = hg_strndup(text ? text : "", text ? len : 0);
	if (!copy)
		return degrade(res, 503, HG_ENOMEM);
	return reply_owned(res, status, content_type ? content_type : "text/plain; charset=utf-8", copy,
			   text ? len : 0);
}

hg_status http_reply_shared(http_response *res, int status, const char *content_type, const char *text, size_t len,
			    void (*release)(void *ctx), void *ctx)
{
	return reply_body(res, status, content_type ? content_type : "text/plain; charset=utf-8", HTTP_BODY_SHARED,
			  (char *)text, len, release, ctx);
}

hg_status http_reply_problem_ext(http_response *res, int status, const char *code, const char *title,
				 const char *field, const char *detail, json_t *ext)
{
	char type[256];
	hg_status rc = HG_ENOMEM;
	json_t *p = json_object();
	if (!code)
		code = "error";
	snprintf(type, sizeof type, "%s%s", HTTP_PROBLEM_TYPE_BASE, code);
	if (!p)
		goto out;
	if (ext && json_is_object(ext) && json_object_update(p, ext) != 0)
		goto out;
	/* The standard members go in last so an extension cannot overwrite them. */
	if (json_object_set_new(p, "type", json_string(type)) ||
	    json_object_set_new(p, "title", json_string(title ? title : http_status_reason(status))) ||
	    json_object_set_new(p, "status", json_integer(status)) ||
	    json_object_set_new(p, "code", json_string(code)))
		goto out;
	if (detail && json_object_set_new(p, "detail", json_string(detail)))
		goto out;
	if (res->instance && json_object_set_new(p, "instance", json_string(res->instance)))
		goto out;
	if (field && json_object_set_new(p, "field", json_string(field)))
		goto out;
	char *text;
	size_t len;
	rc = json_render(p, &text, &len);
	if (rc == HG_OK)
		rc = reply_owned(res, status, "application/problem+json", text, len);
out:
	json_decref(p);
	json_decref(ext);
	if (rc)
		degrade(res, status, rc);
	return rc;
}

hg_status http_reply_problem(http_response *res, int status, const char *code, const char *title,
			     const char *field, const char *detail_fmt, ...)
{
	char detail[1024];
	if (detail_fmt) {
		va_list ap;
		va_start(ap, detail_fmt);
		vsnprintf(detail, sizeof detail, detail_fmt, ap);
		va_end(ap);
	}
	return http_reply_problem_ext(res, status, code, title, field, detail_fmt ? detail : NULL, NULL);
}

void http_reply_status_problem(http_response *res, int status, const char *code, const char *detail)
{
	hg_status rc = http_reply_problem_ext(res, status, code, NULL, NULL, detail, NULL);
	(void)rc; /* on failure the reply has degraded to a bare status line: all we can still send */
}

void http_reply_failure(http_response *res, hg_status rc)
{
	http_reply_status_problem(res, http_status_for(rc), code_for(rc), NULL);
}

static bool header_text_ok(const char *s)
{
	return s && s[strcspn(s, "\r\n")] == '\0';
}

hg_status http_response_header(http_response *res, const char *name, const char *value)
{
	if (!header_text_ok(name) || !header_text_ok(value) || name[0] == '\0' || strchr(name, ':'))
		return HG_EINVAL;
	if (res->nheaders == HTTP_MAX_HEADERS)
		return HG_ERANGE;
	char *n = hg_strdup(name), *v = hg_strdup(value);
	if (!n || !v) {
		hg_free(n);
		hg_free(v);
		return HG_ENOMEM;
	}
	res->headers[res->nheaders++] = (http_header){n, v};
	return HG_OK;
}

/* Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored, the opaque tags must match. */
static bool etag_listed(const char *list, const char *etag)
{
	if (etag[0] == 'W' && etag[1] == '/')
		etag += 2;
	size_t elen = strlen(etag);
	const char *p = list;
	while (*p) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return false; /* malformed list: treat as no match */
		const char *end = strchr(p + 1, '"');
		if (!end)
			return false;
		if ((size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return true;
		p = end + 1;
	}
	return false;
}

bool http_reply_not_modified(const http_request *req, http_response *res, const char *etag)
{
	if (!etag || http_response_header(res, "ETag", etag) != HG_OK)
		return false;
	const char *inm = http_request_header(req, "If-None-Match");
	if (!inm || !etag_listed(inm, etag))
		return false;
	http_response_clear_body(res);
	res->status = 304;
	return true;
}

hg_status http_json_limits(const char *s, size_t n, unsigned max_depth, size_t max_string, const char **what,
			   size_t *line, size_t *column)
{
	size_t depth = 0, strlen_ = 0, ln = 1, col = 0;
	bool in_string = false, escaped = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		col++;
		if (c == '\n') {
			ln++;
			col = 0;
		}
		if (in_string) {
			if (!escaped && c == '"') {
				in_string = false;
				continue;
			}
			escaped = !escaped && c == '\\';
			if (++strlen_ > max_string) {
				*what = "string";
				goto range;
			}
			continue;
		}
		if (c == '"') {
			in_string = true;
			strlen_ = 0;
		} else if (c == '{' || c == '[') {
			if (++depth > max_depth) {
				*what = "depth";
				goto range;
			}
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return HG_OK;
range:
	*line = ln;
	*column = col;
	return HG_ERANGE;
}

/* True when the Content-Type names application/json, with or without parameters. */
static bool is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	if (!ct)
		return false;
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, want, sizeof want - 1) != 0)
		return false;
	char next = ct[sizeof want - 1];
	return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

static void reply_json_error(http_response *res, const char *code, const char *detail, size_t line, size_t column)
{
	json_t *ext = json_pack("{s:I, s:I}", "line", (json_int_t)line, "column", (json_int_t)column);
	hg_status rc = http_reply_problem_ext(res, 400, code, NULL, NULL, detail, ext);
	(void)rc; /* on failure the reply has degraded to a bare 400 */
}

json_t *http_request_json(http_request *req, http_response *res)
{
	const http_config *cfg = &req->server->cfg;
	if (req->json)
		return req->json;
	if (!is_json_type(http_request_header(req, "Content-Type"))) {
		http_reply_status_problem(res, 415, "unsupported_media_type", "the body must be application/json");
		return NULL;
	}
	const char *what;
	size_t line, column;
	char detail[256];
	if (http_json_limits(req->body.data ? req->body.data : "", req->body.len, cfg->json_max_depth, cfg->json_max_string,
			     &what, &line, &column) != HG_OK) {
		bool depth = strcmp(what, "depth") == 0;
		if (depth)
			snprintf(detail, sizeof detail, "JSON nested deeper than %u levels at line %zu, column %zu",
				 cfg->json_max_depth, line, column);
		else
			snprintf(detail, sizeof detail, "JSON string longer than %zu bytes at line %zu, column %zu",
				 cfg->json_max_string, line, column);
		reply_json_error(res, depth ? "json_too_deep" : "json_string_too_long", detail, line, column);
		return NULL;
	}
	json_error_t err;
	req->json = json_loadb(req->body.data ? req->body.data : "", req->body.len, JSON_REJECT_DUPLICATES, &err);
	if (!req->json) {
		/* err.text never quotes the input beyond a token, and the client sent it anyway. */
		snprintf(detail, sizeof detail, "invalid JSON at line %d, column %d: %s", err.line, err.column,
			 err.text);
		reply_json_error(res, "invalid_json", detail, err.line < 0 ? 0 : (size_t)err.line,
				 err.column < 0 ? 0 : (size_t)err.column);
		return NULL;
	}
	return req->json;
}
