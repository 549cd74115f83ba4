/*
 * static.c - serving the web UI's files (and the OpenAPI document) from disk.
 *
 * Only GET and HEAD, only for paths no route claims and outside the API
 * prefix. The request path is handled with suspicion: each decoded segment
 * must be a plain name (no "..", ".", empty segments, backslashes or slashes
 * smuggled in as %2F; NULs are refused when decoding), dot-files are never
 * served, and the final file's realpath must still lie under the root's
 * realpath, so a symlink cannot lead outside it. Files go out through
 * MHD_create_response_from_fd (sendfile), with a strong ETag made of size and
 * modification time, so a revalidating browser gets 304. Hashed assets under
 * /assets/ are cached for a year; everything else is revalidated (no-cache).
 * With the SPA fallback, an unknown path whose last segment has no extension
 * gets index.html, so client-side routes survive a reload.
 */
#include "http/http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".json", "application/json"},
	{".map", "application/json"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"},
	{".yaml", "application/yaml"},
	{".webmanifest", "application/manifest+json"},
};

#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define CACHE_REVALIDATE "no-cache"

static const char *content_type_for(const char *file)
{
	const char *slash = strrchr(file, '/');
	const char *dot = strrchr(slash ? slash : file, '.');
	if (dot)
		for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
			if (strcasecmp(dot, content_types[i].ext) == 0)
				return content_types[i].type;
	return "application/octet-stream";
}

/* Replies with the open file fd (taken over: closed here or by MHD). */
static void reply_fd(http_request *req, int fd, const struct stat *st, const char *file, const char *cache_control)
{
	http_response *res = &req->res;
	char etag[64];
	long long mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
	snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st->st_size, (unsigned long long)mtime_ns);
	if (http_response_header(res, "Cache-Control", cache_control) != HG_OK) {
		close(fd);
		http_reply_status_problem(res, 503, "out_of_memory", NULL);
		return;
	}
	if (http_reply_not_modified(req, res, etag)) {
		close(fd);
		/* No body, but the type still picks the headers (a page's CSP): a browser
		 * updates its stored response with the headers of a 304. */
		hg_free(res->content_type);
		res->content_type = hg_strdup(content_type_for(file));
		return;
	}
	char *ct = hg_strdup(content_type_for(file));
	if (!ct) {
		close(fd);
		http_reply_status_problem(res, 503, "out_of_memory", NULL);
		return;
	}
	http_response_clear_body(res);
	res->status = 200;
	res->kind = HTTP_BODY_FD;
	res->fd = fd;
	res->len = (size_t)st->st_size;
	res->content_type = ct;
}

/* Opens a regular file for reading; -1 when it is missing, unreadable or not a regular file. */
static int open_regular(const char *file, struct stat *st)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

void http_file_serve(http_request *req, const char *file, const char *cache_control)
{
	struct stat st;
	int fd = open_regular(file, &st);
	if (fd < 0) {
		http_reply_status_problem(&req->res, 404, "not_found", NULL);
		return;
	}
	reply_fd(req, fd, &st, file, cache_control);
}

/* Tries root-relative `rel`; true when it replied. Refuses anything resolving outside the root. */
static bool serve_under_root(http_server *s, http_request *req, const char *rel, const char *cache_control)
{
	char candidate[PATH_MAX], resolved[PATH_MAX];
	int n = snprintf(candidate, sizeof candidate, "%s/%s", s->static_real, rel);
	if (n < 0 || (size_t)n >= sizeof candidate)
		return false;
	if (!realpath(candidate, resolved))
		return false;
	if (strncmp(resolved, s->static_real, s->static_real_len) != 0 || resolved[s->static_real_len] != '/')
		return false; /* a symlink pointing out of the root */
	struct stat st;
	int fd = open_regular(resolved, &st);
	if (fd < 0)
		return false;
	reply_fd(req, fd, &st, resolved, cache_control);
	return true;
}

/* A decoded segment that may name a file or directory below the root. */
static bool segment_ok(const char *seg)
{
	return seg[0] != '\0' && strcmp(seg, ".") != 0 && strcmp(seg, "..") != 0 && !strpbrk(seg, "/\\");
}

bool http_static_serve(http_server *s, http_request *req)
{
	char rel[PATH_MAX];
	size_t len = 0;
	if (!s->static_real || (req->method != HTTP_GET && req->method != HTTP_HEAD))
		return false;
	for (size_t i = 0; i < req->nsegs; i++) {
		const char *seg = req->segs[i];
		bool last = i + 1 == req->nsegs;
		if (last && seg[0] == '\0')
			break; /* trailing slash: the directory's index.html */
		if (!segment_ok(seg)) {
			http_reply_status_problem(&req->res, 400, "invalid_path", "the path has an unsafe segment");
			return true;
		}
		if (seg[0] == '.')
			return false; /* dot-files (.git, .env) are never served */
		int n = snprintf(rel + len, sizeof rel - len, "%s%s", len ? "/" : "", seg);
		if (n < 0 || (size_t)n >= sizeof rel - len)
			return false;
		len += (size_t)n;
	}
	bool dir = req->nsegs == 0 || req->segs[req->nsegs - 1][0] == '\0';
	if (dir) {
		int n = snprintf(rel + len, sizeof rel - len, "%sindex.html", len ? "/" : "");
		if (n < 0 || (size_t)n >= sizeof rel - len)
			return false;
	}
	bool asset = req->nsegs > 1 && strcmp(req->segs[0], "assets") == 0;
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	bool index = strcmp(base, "index.html") == 0;
	if (serve_under_root(s, req, rel, asset && !index ? CACHE_IMMUTABLE : CACHE_REVALIDATE))
		return true;
	/* SPA fallback: client-side routes have no extension; a missing asset stays a 404. */
	if (s->cfg.spa_fallback && !asset && !strchr(base, '.'))
		return serve_under_root(s, req, "index.html", CACHE_REVALIDATE);
	return false;
}
