/*
 * router.c - matching request paths against the application's route table.
 *
 * We route on the raw request target that libmicrohttpd hands to its URI log
 * callback, not on the path it has already unescaped: unescaping first would
 * turn "%2F" inside an id into a segment separator. So the raw path is split on
 * '/', then each segment is percent-decoded on its own. A pattern is a list of
 * segments too: literal ones compare equal, "{name}" ones bind one non-empty
 * segment. The table is scanned in order; a path that some route matches with
 * another method yields the set of allowed methods for a 405.
 */
#include "http/http_int.h"

#include <string.h>

#include "core/alloc.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

hg_status http_percent_decode(const char *s, size_t n, bool plus_is_space, char *out, size_t *outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (n - i < 3) /* fewer than two characters follow the '%' */
				return HG_EINVAL;
			int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return HG_EINVAL;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '\0') {
			return HG_EINVAL;
		} else {
			out[o++] = (plus_is_space && c == '+') ? ' ' : c;
		}
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return HG_OK;
}

/* Length of the segment starting at p (up to '/' or the end). */
static size_t segment_len(const char *p) { return strcspn(p, "/"); }

static bool is_param(const char *seg, size_t len)
{
	return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

hg_status http_pattern_check(const char *pattern)
{
	if (!pattern || pattern[0] != '/')
		return HG_EINVAL;
	size_t nsegs = 0, nparams = 0;
	const char *p = pattern + 1;
	for (;;) {
		size_t len = segment_len(p);
		if (++nsegs > HTTP_MAX_SEGMENTS)
			return HG_EINVAL;
		if (memchr(p, '{', len) || memchr(p, '}', len)) {
			if (!is_param(p, len) || memchr(p + 1, '{', len - 2) || memchr(p + 1, '}', len - 2))
				return HG_EINVAL;
			if (++nparams > HTTP_MAX_PARAMS)
				return HG_EINVAL;
		}
		if (memchr(p, '%', len) || memchr(p, '?', len))
			return HG_EINVAL; /* literals are written decoded; no query in a pattern */
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return HG_OK;
}

void http_path_split(http_request *req)
{
	const char *path = req->path;
	size_t n = strlen(path);
	req->nsegs = 0;
	if (n == 0 || path[0] != '/') {
		req->path_error = 400;
		return;
	}
	/* Decoding never grows a segment, so one buffer of the path's size holds them all. */
	req->segbuf = hg_malloc(n + 1);
	if (!req->segbuf) {
		req->path_error = 503;
		return;
	}
	char *out = req->segbuf;
	const char *p = path + 1;
	for (;;) {
		size_t len = segment_len(p), dlen;
		if (req->nsegs == HTTP_MAX_SEGMENTS) {
			req->path_error = 404; /* deeper than any route can be */
			return;
		}
		if (http_percent_decode(p, len, false, out, &dlen) != HG_OK) {
			req->path_error = 400;
			return;
		}
		req->segs[req->nsegs++] = out;
		out += dlen + 1;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
}

bool http_pattern_match(const char *pattern, http_request *req)
{
	const char *p = pattern + 1;
	size_t i = 0, nparams = 0;
	for (;; i++) {
		size_t len = segment_len(p);
		if (i >= req->nsegs)
			return false;
		const char *seg = req->segs[i];
		if (is_param(p, len)) {
			if (seg[0] == '\0')
				return false;
			req->params[nparams++] = (http_param){.name = p + 1, .name_len = len - 2, .value = seg};
		} else if (strlen(seg) != len || memcmp(seg, p, len) != 0) {
			return false;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (i + 1 != req->nsegs)
		return false;
	req->nparams = nparams;
	return true;
}

long http_route_find(const http_server *s, http_request *req, unsigned *allow)
{
	*allow = 0;
	if (req->path_error)
		return -1;
	/* HEAD is answered by GET routes; MHD drops the body. */
	http_method want = req->method == HTTP_HEAD ? HTTP_GET : req->method;
	for (size_t i = 0; i < s->nroutes; i++) {
		const http_route *r = &s->routes[i];
		if (!http_pattern_match(r->pattern, req))
			continue;
		if (req->method_known && r->method == want)
			return (long)i;
		*allow |= 1u << r->method;
		if (r->method == HTTP_GET)
			*allow |= 1u << HTTP_HEAD;
	}
	req->nparams = 0;
	return -1;
}
