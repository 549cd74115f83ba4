/*
 * invoice_api.c - handlers of /api/v1/agreements and /api/v1/invoices (see
 * invoice_api.h). A handler authenticates, decides the caller's side (region
 * or municipality) from the caller's organisation, checks that the invoice is
 * within reach, and hands the work to invoice_store.h; the workflow's rules
 * (who takes which step, what a decision does to the amount) are the core's
 * (core/invoice.h), and its refusals come back as problems with their code.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/text.h"
#include "http/api.h"
#include "http/invoice_api.h"
#include "store/agreement_store.h"
#include "wire/invoice_export.h"
#include "store/invoice_store.h"

#define API_LINES_MAX 1000 /* disputed lines or adjustments in one request */

/* ---- the caller ---- */

typedef struct officer {
	api_caller c;
	store_org org;
	bool region; /* an officer of a region (else of a municipality) */
} officer;

/* Authenticates an invoice officer; replies 401/403 otherwise. */
static bool authenticate_officer(http_request *req, http_response *res, api_app *app, officer *o)
{
	if (!api_authenticate(req, res, app, &o->c))
		return false;
	if (o->c.user.role != ROLE_INVOICE_OFFICER) {
		IGNORE(http_reply_problem(res, 403, "role_forbidden", NULL, NULL,
					  "Endast fakturahandläggare hanterar fakturaunderlag."));
		return false;
	}
	hg_status rc = store_org_get(app->store, o->c.user.org, &o->org);
	if (rc) {
		IGNORE(api_problem_store(res, rc == HG_ENOTFOUND ? HG_EIO : rc));
		return false;
	}
	o->region = o->org.kind == ORG_REGION;
	return true;
}

/* The officer's organisation as the core's invoice rules see it. */
static invoice_reader reader_of(const officer *o)
{
	return (invoice_reader){.region = o->region, .code = o->org.code, .county = o->org.county};
}

/* Is an invoice of municipality m in state `state` (its code) within the officer's reach? The core decides. */
static bool within_reach(const officer *o, const char *m, const char *state)
{
	invoice_reader r = reader_of(o);
	invoice_state s;
	return m && state && invoice_state_from_code(state, &s) && invoice_in_reach(&r, m, s);
}

/*
 * Loads invoice {id} if it is within reach: *inv (may be NULL) the invoice
 * with its lines and steps. Replies 404 otherwise.
 */
static bool reach_invoice(http_request *req, http_response *res, api_app *app, const officer *o, int64_t *id,
			  json_t **inv)
{
	json_t *got = NULL;
	if (!hg_parse_id(http_request_param(req, "id"), id)) {
		IGNORE(http_reply_problem(res, 404, "not_found", NULL, NULL, "Fakturaunderlaget finns inte."));
		return false;
	}
	hg_status rc = invoice_store_get(app->store, *id, &got);
	if (rc) {
		IGNORE(api_problem_store(res, rc));
		return false;
	}
	const char *m = json_string_value(json_object_get(got, "municipality"));
	const char *state = json_string_value(json_object_get(got, "state"));
	if (!m || !state || !within_reach(o, m, state)) {
		json_decref(got);
		IGNORE(http_reply_problem(res, 404, "not_found", NULL, NULL, "Fakturaunderlaget finns inte."));
		return false;
	}
	if (inv)
		*inv = got;
	else
		json_decref(got);
	return true;
}

/* One audit record per episode of each invoice; false when it replied 503. */
static bool audit_invoices(http_request *req, http_response *res, api_app *app, const officer *o,
			   const json_t *invoices)
{
	static const char *const kinds[] = {"lines", "exclusions"};
	size_t i, j;
	json_t *inv, *l;
	json_array_foreach(invoices, i, inv) {
		char reason[64];
		json_t *id = json_object_get(inv, "id");
		if (json_is_integer(id))
			(void)snprintf(reason, sizeof reason, "invoice %lld", (long long)json_integer_value(id));
		else
			(void)snprintf(reason, sizeof reason, "invoice preview %s %s",
				       json_string_value(json_object_get(inv, "municipality")),
				       json_string_value(json_object_get(inv, "month")));
		for (size_t k = 0; k < 2; k++)
			json_array_foreach(json_object_get(inv, kinds[k]), j, l) {
				if (!api_audit(req, res, app, &o->c, "invoice.read",
					       (int64_t)json_integer_value(json_object_get(l, "episode")), reason))
					return false;
			}
	}
	return true;
}

/* ---- agreements ---- */

static hg_status get_agreements(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	agreement_row *rows = NULL;
	size_t n = 0;
	if (!api_authenticate(req, res, app, &c))
		return HG_OK;
	hg_status rc = agreement_store_ensure_builtin(app->store, api_now());
	if (rc == HG_OK)
		rc = agreement_store_list(app->store, &rows, &n);
	if (rc)
		return api_problem_store(res, rc);
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, agreement_row_json(&rows[i]))) {
			json_decref(arr);
			arr = NULL;
		}
	hg_free(rows);
	return http_reply_json(res, 200, arr ? json_pack("{s:o}", "agreements", arr) : NULL);
}

static hg_status get_agreement(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	agreement_row row;
	char *doc = NULL;
	int64_t version = 0;
	if (!api_authenticate(req, res, app, &c))
		return HG_OK;
	const char *v = http_request_query(req, "version");
	if (v && (!hg_parse_id(v, &version) || version > 1000000))
		return http_reply_problem(res, 400, "validation", NULL, "version", "'%s' är inget versionsnummer.", v);
	hg_status rc = agreement_store_ensure_builtin(app->store, api_now());
	if (rc == HG_OK)
		rc = agreement_store_get(app->store, http_request_param(req, "id"), (int)version, NULL, &doc, &row);
	if (rc)
		return api_problem_store(res, rc);
	json_error_t jerr;
	json_t *d = json_loads(doc, 0, &jerr);
	hg_free(doc);
	json_t *r = agreement_row_json(&row);
	if (!d || !r) {
		json_decref(d);
		json_decref(r);
		return api_problem_store(res, HG_ENOMEM);
	}
	return http_reply_json(res, 200, json_pack("{s:o, s:o}", "agreement", r, "document", d));
}

/* ---- invoices ---- */

static hg_status get_invoices(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	officer o;
	json_t *rows = NULL;
	if (!authenticate_officer(req, res, app, &o))
		return HG_OK;
	invoice_filter f = {.month = http_request_query(req, "month"),
			    .municipality = http_request_query(req, "municipality"),
			    .county = o.region ? o.org.county : NULL,
			    .state = -1};
	const char *state = http_request_query(req, "state");
	if (state) {
		invoice_state st;
		if (!invoice_state_from_code(state, &st))
			return http_reply_problem(res, 400, "validation", NULL, "state", "Okänt läge '%s'.", state);
		f.state = (int)st;
	}
	billing_month m;
	if (f.month && billing_month_parse(f.month, &m) != HG_OK)
		return http_reply_problem(res, 400, "validation", NULL, "month", "'%s' är ingen månad (ÅÅÅÅ-MM).", f.month);
	if (!o.region) {
		if (f.municipality && strcmp(f.municipality, o.org.code) != 0)
			return http_reply_json(res, 200, json_pack("{s:[]}", "invoices"));
		f.municipality = o.org.code;
	}
	hg_status rc = invoice_store_list(app->store, &f, &rows);
	if (rc)
		return api_problem_store(res, rc);
	/* A municipality sees an invoice once it is sent. */
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		if (out && within_reach(&o, json_string_value(json_object_get(r, "municipality")),
					json_string_value(json_object_get(r, "state"))))
			if (json_array_append(out, r)) {
				json_decref(out);
				out = NULL;
			}
	}
	json_decref(rows);
	return http_reply_json(res, 200, out ? json_pack("{s:o}", "invoices", out) : NULL);
}

static hg_status post_invoices(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	officer o;
	char err[256];
	json_t *out = NULL;
	if (!authenticate_officer(req, res, app, &o))
		return HG_OK;
	if (!o.region)
		return http_reply_problem(res, 403, "wrong_party", NULL, NULL, "Regionen bygger fakturaunderlagen.");
	json_t *body = http_request_json(req, res);
	if (!body)
		return HG_OK;
	if (!json_is_object(body))
		return http_reply_problem(res, 400, "validation", NULL, NULL, "Kroppen ska vara ett JSON-objekt.");
	invoice_build_request rq = {.county = o.org.county, .username = o.c.user.username, .org = o.org.code,
				    .now = api_now()};
	rq.cutoff = rq.now;
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "month") && strcmp(key, "municipality") && strcmp(key, "cutoff") && strcmp(key, "preview"))
			return http_reply_problem(res, 400, "validation", NULL, key, "Okänt fält '%s'.", key);
	}
	const char *month = json_string_value(json_object_get(body, "month"));
	if (!month || billing_month_parse(month, &rq.month) != HG_OK)
		return http_reply_problem(res, 400, "validation", NULL, "month", "Ange månaden som ÅÅÅÅ-MM.");
	v = json_object_get(body, "municipality");
	if (v && !json_is_null(v)) {
		const char *m = json_string_value(v);
		if (!m || strlen(m) != 4 || strspn(m, "0123456789") != 4)
			return http_reply_problem(res, 400, "validation", NULL, "municipality", "Ange en kommunkod (4 siffror).");
		if (strncmp(m, o.org.county, 2) != 0)
			return http_reply_problem(res, 404, "not_found", NULL, "municipality",
						  "Kommunen %s hör inte till regionen.", m);
		rq.municipality = m;
	}
	v = json_object_get(body, "cutoff");
	if (v && !json_is_null(v)) {
		const char *t = json_string_value(v);
		if (!t || instant_parse_iso(t, &rq.cutoff) != HG_OK)
			return http_reply_problem(res, 400, "validation", NULL, "cutoff",
						  "Brytpunkten ska vara en tidpunkt med tidszon (ISO 8601).");
		if (rq.cutoff > rq.now)
			return http_reply_problem(res, 400, "validation", NULL, "cutoff", "Brytpunkten ligger i framtiden.");
	}
	v = json_object_get(body, "preview");
	if (v && !json_is_boolean(v))
		return http_reply_problem(res, 400, "validation", NULL, "preview", "preview ska vara true eller false.");
	rq.save = !json_is_true(v);
	hg_status rc = invoice_store_build(app->store, &rq, &out, err, sizeof err);
	if (rc)
		return api_problem_store(res, rc);
	if (!audit_invoices(req, res, app, &o, json_object_get(out, "invoices"))) {
		json_decref(out);
		return HG_OK;
	}
	return http_reply_json(res, rq.save ? 201 : 200, out);
}

static hg_status get_invoice(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	officer o;
	int64_t id = 0;
	json_t *inv = NULL;
	if (!authenticate_officer(req, res, app, &o) || !reach_invoice(req, res, app, &o, &id, &inv))
		return HG_OK;
	json_t *one = json_pack("[O]", inv);
	bool ok = one && audit_invoices(req, res, app, &o, one);
	json_decref(one);
	if (!ok) {
		json_decref(inv);
		return one ? HG_OK : api_problem_store(res, HG_ENOMEM);
	}
	return http_reply_json(res, 200, inv);
}

static hg_status get_invoice_review(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	officer o;
	int64_t id = 0;
	json_t *r = NULL;
	if (!authenticate_officer(req, res, app, &o) || !reach_invoice(req, res, app, &o, &id, NULL))
		return HG_OK;
	hg_status rc = invoice_store_review(app->store, id, api_now(), &r);
	if (rc)
		return api_problem_store(res, rc);
	if (!api_audit(req, res, app, &o.c, "invoice.review", 0, "invoice review")) {
		json_decref(r);
		return HG_OK;
	}
	return http_reply_json(res, 200, r);
}

static hg_status get_invoice_export(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	officer o;
	int64_t id = 0;
	json_t *inv = NULL;
	wire_invoice_format f;
	char *data = NULL, err[256], disposition[128];
	size_t len = 0;
	if (!authenticate_officer(req, res, app, &o))
		return HG_OK;
	const char *format = http_request_query(req, "format");
	if (!format || !wire_invoice_format_from_code(format, &f) || f == WIRE_INVOICE_FORMAT_JSON)
		return http_reply_problem(res, 400, "validation", NULL, "format", "Formatet ska vara csv, xlsx eller pdf.");
	if (!reach_invoice(req, res, app, &o, &id, &inv))
		return HG_OK;
	json_t *one = json_pack("[o]", inv);
	if (!one)
		return api_problem_store(res, HG_ENOMEM);
	wire_invoice_options opt = {.comma = http_request_query(req, "comma") != NULL};
	hg_status rc = wire_invoice_export(one, f, &opt, &data, &len, err, sizeof err);
	if (rc == HG_OK && !audit_invoices(req, res, app, &o, one)) {
		json_decref(one);
		hg_free(data);
		return HG_OK;
	}
	json_decref(one);
	if (rc == HG_EINVAL)
		return http_reply_problem(res, 501, "format_unavailable", NULL, "format", "%s", err);
	if (rc)
		return api_problem_store(res, rc);
	(void)snprintf(disposition, sizeof disposition, "attachment; filename=\"fakturaunderlag-%lld.%s\"",
		       (long long)id, wire_invoice_format_code(f));
	rc = http_response_header(res, "Content-Disposition", disposition);
	if (rc == HG_OK)
		rc = http_reply_text(res, 200, wire_invoice_format_media_type(f), data, len);
	hg_free(data);
	return rc;
}

/* Reads an array of episode ids (lines) or {episode, amount_ore} (adjustments) from the body. */
static bool read_lines(http_response *res, json_t *body, const char *key, int64_t *lines, invoice_adjustment *adj,
		       size_t *n)
{
	json_t *arr = json_object_get(body, key), *v;
	size_t i;
	*n = 0;
	if (!arr || json_is_null(arr))
		return true;
	if (!json_is_array(arr) || json_array_size(arr) > API_LINES_MAX) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, key, "%s ska vara en lista med högst %d rader.",
					  key, API_LINES_MAX));
		return false;
	}
	json_array_foreach(arr, i, v) {
		char field[64];
		(void)snprintf(field, sizeof field, "%s[%zu]", key, i);
		if (lines) {
			if (!json_is_integer(v) || json_integer_value(v) < 1) {
				IGNORE(http_reply_problem(res, 400, "validation", NULL, field, "Ange vårdtillfällets id."));
				return false;
			}
			lines[i] = (int64_t)json_integer_value(v);
		} else {
			json_t *e = json_object_get(v, "episode"), *a = json_object_get(v, "amount_ore");
			if (!json_is_object(v) || json_object_size(v) != 2 || !json_is_integer(e) || !json_is_integer(a)) {
				IGNORE(http_reply_problem(res, 400, "validation", NULL, field,
							  "Ange {\"episode\": id, \"amount_ore\": belopp i öre}."));
				return false;
			}
			adj[i] = (invoice_adjustment){(int64_t)json_integer_value(e), (int64_t)json_integer_value(a)};
		}
	}
	*n = json_array_size(arr);
	return true;
}

/* A step: send, dispute or decide. */
static hg_status post_step(http_request *req, http_response *res, api_app *app, invoice_action action)
{
	officer o;
	int64_t id = 0;
	json_t *inv = NULL;
	invoice_refusal why = INVOICE_OK;
	int64_t *lines = NULL;
	invoice_adjustment *adj = NULL;
	hg_status rc = HG_OK;
	if (!authenticate_officer(req, res, app, &o) || !reach_invoice(req, res, app, &o, &id, NULL))
		return HG_OK;
	json_t *body = http_request_json(req, res);
	if (!body)
		return HG_OK;
	if (!json_is_object(body))
		return http_reply_problem(res, 400, "validation", NULL, NULL, "Kroppen ska vara ett JSON-objekt.");
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "reason") && strcmp(key, "lines") && strcmp(key, "outcome") && strcmp(key, "adjustments"))
			return http_reply_problem(res, 400, "validation", NULL, key, "Okänt fält '%s'.", key);
	}
	v = json_object_get(body, "reason");
	if (v && !json_is_string(v))
		return http_reply_problem(res, 400, "validation", NULL, "reason", "Skälet ska vara text.");
	invoice_act_request rq = {.action = action, .party = o.region ? INVOICE_REGION : INVOICE_MUNICIPALITY,
				  .username = o.c.user.username, .org = o.org.code, .reason = json_string_value(v),
				  .now = api_now(), .key = http_request_header(req, "Idempotency-Key")};
	if (rq.key) {
		size_t klen = strlen(rq.key);
		bool ok = klen > 0 && klen < 128;
		for (size_t i = 0; ok && i < klen; i++)
			ok = rq.key[i] > 32 && rq.key[i] < 127;
		if (!ok)
			return http_reply_problem(res, 400, "validation", NULL, "Idempotency-Key",
						  "Idempotency-Key ska vara 1–127 synliga ASCII-tecken.");
	}
	v = json_object_get(body, "outcome");
	if (v && (!json_is_string(v) || !invoice_outcome_from_code(json_string_value(v), &rq.outcome)))
		return http_reply_problem(res, 400, "validation", NULL, "outcome",
					  "Utfallet ska vara upheld, adjusted eller withdrawn.");
	lines = hg_calloc(API_LINES_MAX, sizeof *lines);
	adj = hg_calloc(API_LINES_MAX, sizeof *adj);
	if (!lines || !adj) {
		rc = api_problem_store(res, HG_ENOMEM);
		goto out;
	}
	if (!read_lines(res, body, "lines", lines, NULL, &rq.n_lines) ||
	    !read_lines(res, body, "adjustments", NULL, adj, &rq.n_adjustments))
		goto out;
	rq.lines = lines;
	rq.adjustments = adj;
	rc = invoice_store_act(app->store, id, &rq, &why);
	if (rc == HG_ECONFLICT || rc == HG_EDENIED || rc == HG_EINVAL) {
		/* the request member each refusal is about, so a form can show the message beside it */
		static const char *const fields[INVOICE_REFUSAL_COUNT] = {
			[INVOICE_REASON_REQUIRED] = "reason",         [INVOICE_REASON_TOO_LONG] = "reason",
			[INVOICE_OUTCOME_REQUIRED] = "outcome",       [INVOICE_OUTCOME_NOT_ALLOWED] = "outcome",
			[INVOICE_LINES_NOT_ALLOWED] = "lines",        [INVOICE_UNKNOWN_LINE] = "lines",
			[INVOICE_DUPLICATE_LINE] = "lines",           [INVOICE_ADJUSTMENTS_REQUIRED] = "adjustments",
			[INVOICE_ADJUSTMENTS_NOT_ALLOWED] = "adjustments", [INVOICE_LINE_NOT_DISPUTED] = "adjustments",
			[INVOICE_BAD_AMOUNT] = "adjustments",         [INVOICE_NO_CHANGE] = "adjustments",
			[INVOICE_KEY_REUSED] = "Idempotency-Key",
		};
		const hg_code_label *l = invoice_refusal_label(why);
		const char *al = http_request_header(req, "Accept-Language");
		bool en = al && strncmp(al, "en", 2) == 0;
		int status = rc == HG_ECONFLICT ? 409 : rc == HG_EDENIED ? 403 : 422;
		rc = http_reply_problem(res, status, l->code, NULL, (unsigned)why < INVOICE_REFUSAL_COUNT ? fields[why] : NULL,
					"%s", en ? l->en : l->sv);
		goto out;
	}
	if (rc) {
		rc = api_problem_store(res, rc);
		goto out;
	}
	rc = invoice_store_get(app->store, id, &inv);
	if (rc) {
		rc = api_problem_store(res, rc);
		goto out;
	}
	json_t *one = json_pack("[O]", inv);
	bool ok = one && audit_invoices(req, res, app, &o, one);
	json_decref(one);
	if (ok)
		rc = http_reply_json(res, 200, inv);
	else
		json_decref(inv);
out:
	hg_free(lines);
	hg_free(adj);
	return rc;
}

static hg_status post_send(http_request *req, http_response *res, void *p) { return post_step(req, res, p, INVOICE_SEND); }
static hg_status post_dispute(http_request *req, http_response *res, void *p)
{
	return post_step(req, res, p, INVOICE_DISPUTE);
}
static hg_status post_decision(http_request *req, http_response *res, void *p)
{
	return post_step(req, res, p, INVOICE_DECIDE);
}

static const http_route routes[] = {
	{HTTP_GET, "/api/v1/agreements", get_agreements, NULL},
	{HTTP_GET, "/api/v1/agreements/{id}", get_agreement, NULL},
	{HTTP_GET, "/api/v1/invoices", get_invoices, NULL},
	{HTTP_POST, "/api/v1/invoices", post_invoices, NULL},
	{HTTP_GET, "/api/v1/invoices/{id}", get_invoice, NULL},
	{HTTP_GET, "/api/v1/invoices/{id}/review", get_invoice_review, NULL},
	{HTTP_GET, "/api/v1/invoices/{id}/export", get_invoice_export, NULL},
	{HTTP_POST, "/api/v1/invoices/{id}/send", post_send, NULL},
	{HTTP_POST, "/api/v1/invoices/{id}/dispute", post_dispute, NULL},
	{HTTP_POST, "/api/v1/invoices/{id}/decision", post_decision, NULL},
};

const http_route *invoice_api_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
