/*
 * server.c - the HTTP server over libmicrohttpd (see http.h). This first version
 * only holds compiling stubs so the application can be written against http.h;
 * the implementation follows.
 */
#include "http/http.h"

#include <stdarg.h>

const char *http_method_name(http_method m)
{
	static const char *const names[HTTP_METHOD_COUNT] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
	return (unsigned)m < HTTP_METHOD_COUNT ? names[m] : "?";
}
void http_buf_init(http_buf *b, size_t max) { *b = (http_buf){.max = max}; }
void http_buf_append(http_buf *b, const char *s, size_t n) { (void)s; (void)n; b->failed = true; }
void http_buf_printf(http_buf *b, const char *fmt, ...) { (void)fmt; b->failed = true; }
void http_buf_free(http_buf *b) { (void)b; }
void http_config_defaults(http_config *cfg) { *cfg = (http_config){.listen = "127.0.0.1:8080"}; }
hg_status http_server_start(const http_config *cfg, const http_route *routes, size_t nroutes, void *app,
			    http_server **out)
{
	(void)cfg; (void)routes; (void)nroutes; (void)app; *out = NULL;
	return HG_EINTERNAL;
}
unsigned http_server_port(const http_server *s) { (void)s; return 0; }
void http_server_stop(http_server *s) { (void)s; }
hg_status http_metrics_render(http_server *s, http_buf *out) { (void)s; (void)out; return HG_EINTERNAL; }
http_method http_request_method(const http_request *req) { (void)req; return HTTP_GET; }
const char *http_request_path(const http_request *req) { (void)req; return "/"; }
const char *http_request_route(const http_request *req) { (void)req; return "unmatched"; }
const char *http_request_param(const http_request *req, const char *name) { (void)req; (void)name; return NULL; }
const char *http_request_query(const http_request *req, const char *name) { (void)req; (void)name; return NULL; }
const char *http_request_header(const http_request *req, const char *name) { (void)req; (void)name; return NULL; }
const char *http_request_cookie(const http_request *req, const char *name) { (void)req; (void)name; return NULL; }
const char *http_request_client_addr(http_request *req) { (void)req; return ""; }
const char *http_request_body(const http_request *req, size_t *len) { (void)req; *len = 0; return ""; }
json_t *http_request_json(http_request *req, http_response *res) { (void)req; (void)res; return NULL; }
hg_status http_reply_json(http_response *res, int status, json_t *body) { (void)res; (void)status; json_decref(body); return HG_EINTERNAL; }
hg_status http_reply_text(http_response *res, int status, const char *ct, const char *text, size_t len)
{ (void)res; (void)status; (void)ct; (void)text; (void)len; return HG_EINTERNAL; }
hg_status http_reply_problem(http_response *res, int status, const char *code, const char *title,
			     const char *field, const char *detail_fmt, ...)
{ (void)res; (void)status; (void)code; (void)title; (void)field; (void)detail_fmt; return HG_EINTERNAL; }
hg_status http_reply_problem_ext(http_response *res, int status, const char *code, const char *title,
				 const char *field, const char *detail, json_t *ext)
{ (void)res; (void)status; (void)code; (void)title; (void)field; (void)detail; json_decref(ext); return HG_EINTERNAL; }
hg_status http_response_header(http_response *res, const char *name, const char *value)
{ (void)res; (void)name; (void)value; return HG_EINTERNAL; }
bool http_reply_not_modified(const http_request *req, http_response *res, const char *etag)
{ (void)req; (void)res; (void)etag; return false; }
