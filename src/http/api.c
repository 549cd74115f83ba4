/*
 * api.c - the handlers of the JSON API (see api.h and docs/api.md).
 *
 * Shape of every handler: authenticate (session cookie or bearer token),
 * authorise (role, then visibility of the episode: an episode the api_caller may
 * not see answers 404, so its existence does not leak), parse, call the store
 * (which lets the core judge events), audit, render. Problems are RFC 9457
 * bodies naming the field; event rule violations carry the core's reason code.
 */
#include "http/api.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth/password.h"
#include "core/alloc.h"
#include "core/billing.h" /* liability so far (issue 18) */
#include "core/calendar.h"
#include "core/deadline.h"
#include "core/invoice.h"
#include "core/liability.h"
#include "core/pnr.h"
#include "core/text.h"
#include "core/todo.h" /* the ward's admitted patients (issue 18.2) and the care process's to-dos */
#include "store/agreement_store.h"
#include "store/invoice_store.h"
#include "wire/episode_json.h"
#include "store/followup_store.h"
#include "wire/event_json.h"
#include "wire/sip_pdf.h"

#define REASON_MIN 3

hg_instant api_now(void) { return (hg_instant)time(NULL); }

/* ---- small JSON and text helpers ---- */

static json_t *json_instant(hg_instant t)
{
	char buf[21];
	return t == HG_INSTANT_NONE ? json_null() : json_string(instant_format_utc(t, buf));
}

static json_t *json_date(hg_date d)
{
	char buf[11];
	return d == HG_DATE_NONE ? json_null() : json_string(date_format(d, buf));
}

const char *api_client_addr(http_request *req, const api_app *app, char *buf, size_t cap)
{
	const char *peer = http_request_client_addr(req);
	const char *xff = http_request_header(req, "X-Forwarded-For");
	if (app->trusted_proxy && xff && strcmp(peer, app->trusted_proxy) == 0) {
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		last += strspn(last, " \t");
		size_t n = strcspn(last, " \t");
		if (n > 0 && n < cap) {
			memcpy(buf, last, n);
			buf[n] = '\0';
			return buf;
		}
	}
	(void)hg_copy(buf, cap, peer);
	return buf;
}

/* True when the client prefers English (Accept-Language starting with "en"). */
static bool wants_english(const http_request *req)
{
	const char *al = http_request_header(req, "Accept-Language");
	return al && strncmp(al, "en", 2) == 0;
}

hg_status api_problem_store(http_response *res, hg_status rc)
{
	if (rc == HG_ENOTFOUND)
		return http_reply_problem(res, 404, "not_found", NULL, NULL, "Resursen finns inte.");
	if (rc == HG_ENOMEM)
		return http_reply_problem(res, 503, "out_of_memory", NULL, NULL, "Servern har slut på minne.");
	if (rc == HG_ERANGE)
		return http_reply_problem(res, 400, "query_too_large", NULL, NULL, "Frågan är för stor.");
	/* the store reconnects by itself (PostgreSQL restart or failover): a client may retry shortly */
	IGNORE(http_response_header(res, "Retry-After", "5"));
	return http_reply_problem(res, 503, "store_unavailable", NULL, NULL, "Databasen svarar inte; försök igen.");
}

/* ---- authentication ---- */

/* Finds the api_caller from the session cookie or a bearer token; replies 401 when there is none. */
bool api_authenticate(http_request *req, http_response *res, api_app *app, api_caller *c)
{
	uint8_t hash[STORE_TOKEN_HASH_SIZE];
	const char *authz = http_request_header(req, "Authorization");
	const char *cookie = http_request_cookie(req, API_SESSION_COOKIE);
	hg_status rc = HG_ENOTFOUND;
	memset(c, 0, sizeof *c);
	if (authz && strncmp(authz, "Bearer ", 7) == 0) {
		if (auth_token_hash(authz + 7, hash) == HG_OK)
			rc = store_token_get(app->store, hash, api_now(), &c->user);
		c->by_token = true;
	} else if (cookie) {
		if (auth_token_hash(cookie, hash) == HG_OK)
			rc = store_session_get(app->store, hash, api_now(), &c->user);
	}
	if (rc == HG_OK)
		return true;
	if (rc != HG_ENOTFOUND) {
		(void)api_problem_store(res, rc);
		return false;
	}
	IGNORE(http_response_header(res, "WWW-Authenticate", "Bearer realm=\"hemgang\""));
	IGNORE(http_reply_problem(res, 401, "unauthenticated", NULL, NULL,
				 "Logga in först (session eller API-token saknas eller har gått ut)."));
	return false;
}

/* Requires a role that reads identifiable patient data; replies 403 otherwise. */
bool api_require_patient_reader(http_response *res, const api_caller *c)
{
	if (access_role_reads_patients(c->user.role))
		return true;
	IGNORE(http_reply_problem(res, 403, "role_forbidden", NULL, NULL,
				 "Rollen %s får inte se uppgifter om enskilda patienter.", role_label(c->user.role)->sv));
	return false;
}

static bool require_admin(http_response *res, const api_caller *c)
{
	if (access_role_is_admin(c->user.role))
		return true;
	IGNORE(http_reply_problem(res, 403, "role_forbidden", NULL, NULL, "Endast administratörer."));
	return false;
}

/*
 * Queues one audit record (and one link per episode shown); the answer is held (the connection
 * suspended, no thread waiting) until the batch with the record is durable, and becomes a 503 if
 * that batch fails. Replies and returns false when the record cannot be queued.
 */
/* The audit record of a request of the api_caller. */
static void audit_record(http_request *req, api_app *app, const api_caller *c, const char *action,
			 int64_t episode_id, const char *reason, store_audit *a)
{
	memset(a, 0, sizeof *a);
	a->at = api_now();
	(void)hg_copy(a->username, sizeof a->username, c->user.username);
	(void)hg_copy(a->unit, sizeof a->unit, c->user.n_units ? c->user.units[0] : "");
	(void)hg_copy(a->action, sizeof a->action, action);
	a->episode_id = episode_id;
	(void)hg_copy(a->reason, sizeof a->reason, reason);
	(void)api_client_addr(req, app, a->client, sizeof a->client);
}

static bool audit_enqueue(http_request *req, http_response *res, api_app *app, const api_caller *c,
			  const char *action, int64_t episode_id, const int64_t *episodes, size_t n, const char *reason)
{
	store_audit a;
	uint64_t ticket = 0;
	audit_record(req, app, c, action, episode_id, reason, &a);
	hg_status rc = store_audit_enqueue_patients(app->store, &a, episodes,
						    n > STORE_AUDIT_PATIENTS_MAX ? STORE_AUDIT_PATIENTS_MAX : n, &ticket);
	if (rc != HG_OK) {
		(void)api_problem_store(res, rc);
		return false;
	}
	http_response_hold(res, ticket);
	return true;
}

/* Appends an audit record; a failure to audit fails the request (no unaudited patient access). */
bool api_audit(http_request *req, http_response *res, api_app *app, const api_caller *c, const char *action,
	       int64_t episode_id, const char *reason)
{
	return audit_enqueue(req, res, app, c, action, episode_id, NULL, 0, reason);
}

bool api_audit_patients(http_request *req, http_response *res, api_app *app, const api_caller *c, const char *action,
			const int64_t *episodes, size_t n, const char *reason)
{
	return audit_enqueue(req, res, app, c, action, 0, episodes, n, reason);
}

/* The episode ids of list rows, for the audit (hg_malloc'ed; NULL when n is 0 or memory is short). */
static int64_t *row_ids(const store_episode_row *rows, size_t n)
{
	int64_t *ids = n ? hg_malloc(n * sizeof *ids) : NULL;
	for (size_t i = 0; ids && i < n; i++)
		ids[i] = rows[i].id;
	return ids;
}

/* Audits a list read with one link per episode shown; replies and returns false on failure. */
static bool audit_rows(http_request *req, http_response *res, api_app *app, const api_caller *c, const char *action,
		       const store_episode_row *rows, size_t n, const char *reason)
{
	int64_t *ids = row_ids(rows, n);
	if (n && !ids) {
		IGNORE(http_reply_problem(res, 503, "out_of_memory", NULL, NULL, "Servern har slut på minne."));
		return false;
	}
	bool ok = api_audit_patients(req, res, app, c, action, ids, n, reason);
	hg_free(ids);
	return ok;
}

int api_durable(void *p, uint64_t ticket)
{
	const api_app *app = p;
	return store_ticket_state(app->store, ticket);
}

static json_t *user_to_json(const store_user *u)
{
	json_t *units = json_array();
	for (int i = 0; i < u->n_units; i++)
		json_array_append_new(units, json_string(u->units[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "username", u->username, "display_name", u->display_name,
			 "organisation", u->org, "role", role_label(u->role)->code, "role_sv", role_label(u->role)->sv,
			 "units", units);
}

/* ---- session ---- */

/*
 * Logs in. Three limits apply (auth.h): the account from this address, the address, the account
 * from anywhere; a locked one answers 429 before any password is looked at. Every other attempt
 * costs one password hash, also for an unknown or disabled account (against a dummy hash), so the
 * time of the answer does not tell whether a username exists.
 */
static hg_status post_session(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	json_t *body = http_request_json(req, res);
	const char *username = NULL, *password = NULL;
	char hash[STORE_PASSWORD_HASH_MAX], token[AUTH_TOKEN_TEXT_MAX], cookie[256], addr[HG_ID_MAX];
	char key_pair[2 * HG_ID_MAX + 8], key_addr[HG_ID_MAX + 8], key_user[HG_ID_MAX + 8];
	uint8_t token_hash[STORE_TOKEN_HASH_SIZE];
	store_user u;
	hg_instant now = api_now();
	int retry = 0;
	if (!body)
		return HG_OK;
	username = json_string_value(json_object_get(body, "username"));
	password = json_string_value(json_object_get(body, "password"));
	if (!username || !username[0] || strlen(username) >= HG_ID_MAX)
		return http_reply_problem(res, 400, "validation", NULL, "username", "Användarnamn saknas.");
	if (!password || !password[0] || strlen(password) > 1024)
		return http_reply_problem(res, 400, "validation", NULL, "password", "Lösenord saknas.");
	api_client_addr(req, app, addr, sizeof addr);
	snprintf(key_pair, sizeof key_pair, "p:%s\n%s", username, addr);
	snprintf(key_addr, sizeof key_addr, "a:%s", addr);
	snprintf(key_user, sizeof key_user, "u:%s", username);
	if (!auth_limiter_allow(app->limiter, key_addr, now, &retry) ||
	    !auth_limiter_allow(app->limiter, key_pair, now, &retry) ||
	    !auth_limiter_allow(app->limiter, key_user, now, &retry)) {
		char ra[16];
		snprintf(ra, sizeof ra, "%d", retry > 0 ? retry : 1);
		IGNORE(http_response_header(res, "Retry-After", ra));
		return http_reply_problem(res, 429, "too_many_attempts", NULL, NULL,
					  "För många misslyckade inloggningar; försök igen om %d sekunder.", retry);
	}
	hash[0] = '\0';
	hg_status rc = store_user_get(app->store, username, &u, hash, sizeof hash);
	if (rc != HG_OK && rc != HG_ENOTFOUND)
		return api_problem_store(res, rc);
	bool ok = auth_check_password_or_dummy(rc == HG_OK ? hash : NULL, password); /* always one hash */
	if (rc == HG_ENOTFOUND || u.disabled || !ok) {
		auth_limiter_fail(app->limiter, key_pair, AUTH_LIMIT_FAILURES, now);
		auth_limiter_fail(app->limiter, key_addr, AUTH_LIMIT_FAILURES_ADDR, now);
		auth_limiter_fail(app->limiter, key_user, AUTH_LIMIT_FAILURES_USER, now);
		return http_reply_problem(res, 401, "bad_credentials", NULL, NULL, "Fel användarnamn eller lösenord.");
	}
	auth_limiter_reset(app->limiter, key_pair);
	auth_limiter_reset(app->limiter, key_user);
	if (auth_new_token(token, token_hash) != HG_OK)
		return HG_EINTERNAL;
	rc = store_session_put(app->store, token_hash, u.id, now, now + API_SESSION_SECONDS);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", API_SESSION_COOKIE, token,
		 API_SESSION_SECONDS, app->secure_cookies ? "; Secure" : "");
	rc = http_response_header(res, "Set-Cookie", cookie);
	if (rc != HG_OK)
		return rc;
	json_t *out = json_pack("{s:o, s:b}", "user", user_to_json(&u), "demo", app->demo);
	return http_reply_json(res, 200, out);
}

static hg_status delete_session(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	uint8_t hash[STORE_TOKEN_HASH_SIZE];
	const char *cookie = http_request_cookie(req, API_SESSION_COOKIE);
	char clear[128];
	if (cookie && auth_token_hash(cookie, hash) == HG_OK) {
		hg_status rc = store_session_delete(app->store, hash);
		if (rc != HG_OK)
			return api_problem_store(res, rc);
	}
	snprintf(clear, sizeof clear, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", API_SESSION_COOKIE);
	if (http_response_header(res, "Set-Cookie", clear) != HG_OK)
		return HG_EINTERNAL;
	return http_reply_json(res, 200, json_pack("{s:b}", "logged_out", 1));
}

static hg_status get_me(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	if (!api_authenticate(req, res, app, &c))
		return HG_OK;
	json_t *units = json_array();
	for (int i = 0; i < c.user.n_units; i++) {
		store_unit u;
		if (store_unit_get(app->store, c.user.units[i], &u) == HG_OK)
			json_array_append_new(units, json_pack("{s:s, s:s, s:s}", "id", u.id, "name", u.name, "kind",
							       unit_kind_label(u.kind)->code));
	}
	json_t *out = json_pack("{s:o, s:o, s:b}", "user", user_to_json(&c.user), "units", units, "demo", app->demo);
	return http_reply_json(res, 200, out);
}

/* ---- health ---- */

static hg_status get_healthz(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	char demo[8];
	(void)req;
	/* one read of the database: a server that cannot reach its store says so (a load balancer's check) */
	hg_status rc = store_setting_get(app->store, "demo", demo, sizeof demo);
	if (rc != HG_OK && rc != HG_ENOTFOUND)
		return api_problem_store(res, rc);
	return http_reply_json(res, 200,
			       json_pack("{s:s, s:b, s:i, s:s}", "status", "ok", "demo", app->demo, "schema",
					 store_schema_version(app->store), "notice",
					 app->demo ? "Demodata: fiktiva patienter, lösenord 'demo'." : ""));
}

void api_extra_metrics(void *p, hg_buf *out)
{
	api_app *app = p;
	store_stats st;
	store_get_stats(app->store, &st);
	hg_buf_printf(out, "# HELP hemgang_events_appended_total Events appended to the store.\n"
			     "# TYPE hemgang_events_appended_total counter\nhemgang_events_appended_total %" PRIu64 "\n",
			st.events_appended);
	hg_buf_printf(out, "# HELP hemgang_events_replayed_total Appends answered from an earlier idempotency key.\n"
			     "# TYPE hemgang_events_replayed_total counter\nhemgang_events_replayed_total %" PRIu64 "\n",
			st.appends_replayed);
	hg_buf_printf(out, "# HELP hemgang_events_rejected_total Events rejected by the rules.\n"
			     "# TYPE hemgang_events_rejected_total counter\nhemgang_events_rejected_total %" PRIu64 "\n",
			st.appends_rejected);
	hg_buf_printf(out, "# HELP hemgang_store_errors_total Storage errors.\n"
			     "# TYPE hemgang_store_errors_total counter\nhemgang_store_errors_total %" PRIu64 "\n",
			st.errors);
}

/* ---- organisations and units ---- */

static json_t *unit_to_json(const store_unit *u)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", u->id, "organisation", u->org, "name", u->name, "kind",
			      unit_kind_label(u->kind)->code, "kind_sv", unit_kind_label(u->kind)->sv);
	if (u->kind == UNIT_WARD) {
		json_object_set_new(o, "care_type", json_string(care_type_label(u->care)->code));
		json_object_set_new(o, "hospital", json_string(u->hospital));
	}
	if (u->municipality[0])
		json_object_set_new(o, "municipality", json_string(u->municipality));
	return o;
}

static hg_status get_organisations(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	store_org *orgs = NULL;
	size_t n = 0;
	if (!api_authenticate(req, res, app, &c))
		return HG_OK;
	hg_status rc = store_orgs_list(app->store, &orgs, &n);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "code", orgs[i].code, "name", orgs[i].name,
						     "kind", orgs[i].kind == ORG_REGION ? "region" : "municipality",
						     "county", orgs[i].county));
	hg_free(orgs);
	return http_reply_json(res, 200, json_pack("{s:o}", "organisations", arr));
}

static hg_status get_units(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	store_unit *units = NULL;
	size_t n = 0;
	const char *org = http_request_query(req, "organisation");
	const char *kind = http_request_query(req, "kind");
	unit_kind k = UNIT_WARD;
	if (!api_authenticate(req, res, app, &c))
		return HG_OK;
	if (kind && !unit_kind_from_code(kind, &k))
		return http_reply_problem(res, 400, "validation", NULL, "kind", "Okänd enhetstyp '%s'.", kind);
	hg_status rc = store_units_list(app->store, org, &units, &n);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		if (!kind || units[i].kind == k)
			json_array_append_new(arr, unit_to_json(&units[i]));
	hg_free(units);
	return http_reply_json(res, 200, json_pack("{s:o}", "units", arr));
}

static hg_status get_unit(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	store_unit u;
	if (!api_authenticate(req, res, app, &c))
		return HG_OK;
	hg_status rc = store_unit_get(app->store, http_request_param(req, "id"), &u);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	return http_reply_json(res, 200, unit_to_json(&u));
}

/* ---- episodes ---- */

static json_t *deadlines_to_json(const deadline dl[DEADLINE_KIND_COUNT])
{
	json_t *arr = json_array();
	for (int k = 0; k < DEADLINE_KIND_COUNT; k++) {
		const hg_code_label *kind = deadline_kind_label(dl[k].kind), *state = deadline_state_label(dl[k].state);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "kind", kind->code, "kind_sv",
						     kind->sv, "kind_en", kind->en, "state", state->code, "state_sv",
						     state->sv, "starts_at", json_instant(dl[k].starts_at), "due_at",
						     json_instant(dl[k].due_at), "met_at", json_instant(dl[k].met_at)));
	}
	return arr;
}

/* One deadline of a list row, as the worklist shows it; NULL when it is met or does not apply. */
static json_t *row_deadline(const char *kind, hg_instant due, hg_instant met, hg_instant now)
{
	if (due == HG_INSTANT_NONE || met != HG_INSTANT_NONE)
		return NULL;
	return json_pack("{s:s, s:o, s:b}", "kind", kind, "due_at", json_instant(due), "overdue", due < now);
}

/* What rendering list rows needs besides the row: the time, and the agreements that say when liability starts. */
typedef struct row_ctx {
	hg_instant now;
	agreement *owned; /* hg_malloc'ed agreements from the store, or NULL */
	const agreement *agreements;
	size_t n_agreements;
} row_ctx;

/* Loads the current agreements (the built-in statutory ones when the store has none). */
static hg_status row_ctx_init(api_app *app, row_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->now = api_now();
	hg_status rc = agreement_store_current(app->store, &ctx->owned, &ctx->n_agreements);
	if (rc != HG_OK)
		return rc;
	ctx->agreements = ctx->owned;
	if (ctx->n_agreements == 0)
		ctx->agreements = agreement_statutory(&ctx->n_agreements);
	return HG_OK;
}

static void row_ctx_free(row_ctx *ctx) { hg_free(ctx->owned); }

static json_t *row_to_json(const store_episode_row *r, const row_ctx *ctx)
{
	hg_instant now = ctx->now;
	json_t *dls = json_array(), *d;
	if ((d = row_deadline("admission_notice", r->notice_due, r->notice_met, now)))
		json_array_append_new(dls, d);
	if ((d = row_deadline("care_contact", r->care_contact_due, r->care_contact_met, now)))
		json_array_append_new(dls, d);
	if ((d = row_deadline("sip_call", r->sip_due, r->sip_met, now)))
		json_array_append_new(dls, d);
	json_t *o = json_pack("{s:I, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i}",
			      "id", (json_int_t)r->id, "status", episode_status_label(r->status)->code, "status_sv",
			      episode_status_label(r->status)->sv, "patient", "name", r->patient_name, "personnummer",
			      r->pnr, "municipality", r->municipality, "primary_care_unit", r->primary_care_unit,
			      "hospital", r->hospital, "ward", r->ward, "care_type", care_type_label(r->care)->code,
			      "admitted_at", json_instant(r->admitted_at), "notice_at", json_instant(r->notice_at),
			      "expected_discharge_date", json_date(r->expected_date), "ready_at",
			      json_instant(r->ready_at), "discharged_at", json_instant(r->discharged_at), "track",
			      r->track_is_set ? json_string(track_colour_label(r->track)->code) : json_null(),
			      "open_deadlines", dls, "last_seq", r->last_seq);
	if (r->status == EPISODE_READY && r->ready_at != HG_INSTANT_NONE) {
		/* ready-days so far: nights since the ready date (design.md: U - R with U = today) */
		json_object_set_new(o, "ready_days", json_integer(cal_local_date(now) - cal_local_date(r->ready_at)));
		/* the day liability starts under the agreement in force on the ready date */
		hg_date ready = cal_local_date(r->ready_at);
		const agreement *a = agreement_find_in_force(ctx->agreements, ctx->n_agreements, r->municipality, ready);
		json_object_set_new(o, "liability_from", json_date(liability_grace_end(a, r->care, ready)));
		json_object_set_new(o, "agreement", a ? json_string(a->id) : json_null());
	}
	return o;
}

static json_t *rows_to_json(const store_episode_row *rows, size_t n, const row_ctx *ctx)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, row_to_json(&rows[i], ctx));
	return arr;
}

/* Liability so far (billing_so_far_judge, the core's) as JSON: the episode page's and the worklists' figures. */
static json_t *so_far_to_json(const billing_so_far *sf)
{
	const agreement *a = sf->agreement;
	return json_pack("{s:o, s:b, s:b, s:s, s:s, s:s, s:o, s:o, s:i, s:i, s:I, s:b}", "agreement",
			 a ? json_pack("{s:s, s:s, s:i}", "id", a->id, "name", a->name, "version", a->version)
			   : json_null(),
			 "average_model", sf->average, "counted", sf->counted, "billing", liability_billing_code(sf->billing),
			 "billing_sv", liability_billing_sv(sf->billing), "billing_en", liability_billing_en(sf->billing),
			 "ready_date", json_date(sf->ready_date), "liable_from", json_date(sf->liable_from), "ready_days",
			 sf->ready_days, "nights", sf->nights, "amount_ore", (json_int_t)sf->amount_ore, "liable",
			 sf->liable);
}

/* Parses a local date query parameter into the instant its day starts. */
static bool query_date(http_request *req, http_response *res, const char *name, int day_offset, hg_instant *out)
{
	const char *v = http_request_query(req, name);
	hg_date d;
	*out = HG_INSTANT_NONE;
	if (!v)
		return true;
	if (date_parse(v, &d) != HG_OK) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, name, "'%s' är inget datum (ÅÅÅÅ-MM-DD).", v));
		return false;
	}
	*out = cal_local_midnight(d + day_offset);
	return true;
}

static bool query_int(http_request *req, http_response *res, const char *name, int lo, int hi, int *out)
{
	const char *v = http_request_query(req, name);
	char *end;
	long x;
	if (!v)
		return true;
	x = strtol(v, &end, 10);
	if (!*v || *end || x < lo || x > hi) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, name, "'%s' ska vara ett heltal %d–%d.", name, lo, hi));
		return false;
	}
	*out = (int)x;
	return true;
}

static bool query_bool(const http_request *req, const char *name)
{
	const char *v = http_request_query(req, name);
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

static hg_status reply_rows(api_app *app, http_response *res, store_episode_row *rows, size_t n, size_t total)
{
	row_ctx ctx;
	hg_status rc = row_ctx_init(app, &ctx);
	if (rc != HG_OK) {
		hg_free(rows);
		return api_problem_store(res, rc);
	}
	json_t *out = json_pack("{s:o, s:I}", "episodes", rows_to_json(rows, n, &ctx), "total", (json_int_t)total);
	row_ctx_free(&ctx);
	hg_free(rows);
	return http_reply_json(res, 200, out);
}

static hg_status get_episodes(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	store_query q;
	store_episode_row *rows = NULL;
	size_t n = 0, total = 0;
	hg_instant now = api_now();
	const char *status = http_request_query(req, "status");
	episode_status es;
	if (!api_authenticate(req, res, app, &c) || !api_require_patient_reader(res, &c))
		return HG_OK;
	store_query_init(&q);
	q.units = (const char (*)[HG_ID_MAX])c.user.units;
	q.n_units = (size_t)c.user.n_units;
	q.municipality = http_request_query(req, "municipality");
	q.unit = http_request_query(req, "unit");
	if (status) {
		if (!episode_status_from_code(status, &es))
			return http_reply_problem(res, 400, "validation", NULL, "status", "Okänd status '%s'.", status);
		q.status = (int)es;
	}
	q.ready_only = query_bool(req, "ready");
	if (query_bool(req, "overdue"))
		q.overdue_at = now;
	if (!query_date(req, res, "from", 0, &q.from) || !query_date(req, res, "to", 1, &q.to) ||
	    !query_int(req, res, "limit", 1, 1000, &q.limit) || !query_int(req, res, "offset", 0, 1000000, &q.offset))
		return HG_OK;
	hg_status rc = store_episodes_query(app->store, &q, &rows, &n, &total);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	if (!audit_rows(req, res, app, &c, "episode.list", rows, n, NULL)) {
		hg_free(rows);
		return HG_OK;
	}
	return reply_rows(app, res, rows, n, total);
}

/* Whether unit is a party of stored episode id: its admitting ward, its ward or a recipient, as
 * episode_is_party says, read from the parties its last commit stored (episode_parties) rather than
 * by folding its events. */
static bool stored_party(api_app *app, int64_t id, const char *unit)
{
	bool party = false;
	return store_episode_visible(app->store, id, (const char (*)[HG_ID_MAX])unit, 1, &party) == HG_OK && party;
}

/* The api_caller's unit that may author `type` in the episode: folded (st), stored (episode_id, st
 * NULL), or a new one at ward `ward` (both NULL and 0). `party`: the stored episode is known to have
 * one of the caller's units as a party (api_episode_access found it visible), which for a caller of
 * one unit answers without asking the store again. */
static bool pick_author_unit(api_app *app, const api_caller *c, const episode_state *st, int64_t episode_id,
			     event_type type, const char *ward, bool party, store_unit *out)
{
	const event_type_info *info = event_info(type);
	for (int i = 0; i < c->user.n_units; i++) {
		if (store_unit_get(app->store, c->user.units[i], out) != HG_OK)
			continue;
		if (!(info->author_kinds & EVENT_KIND_BIT(out->kind)))
			continue;
		if (st ? !episode_is_party(st, out->id)
		       : episode_id && !(party && c->user.n_units == 1) && !stored_party(app, episode_id, out->id))
			continue;
		if (ward && strcmp(ward, out->id) != 0)
			continue;
		return true;
	}
	return false;
}

/* Fills kind and org of each recipient from the unit table; replies 422 naming the unknown one. */
static bool fill_recipients(api_app *app, http_response *res, event_recipients *r)
{
	for (int i = 0; i < r->count; i++) {
		store_unit u;
		if (store_unit_get(app->store, r->to[i].unit, &u) != HG_OK) {
			char field[48];
			snprintf(field, sizeof field, "recipients[%d].unit", i);
			IGNORE(http_reply_problem(res, 422, "unknown_unit", NULL, field, "Enheten '%s' finns inte.", r->to[i].unit));
			return false;
		}
		r->to[i].kind = u.kind;
		(void)hg_copy(r->to[i].org, sizeof r->to[i].org, u.org);
	}
	return true;
}

static hg_status reply_event_error(http_request *req, http_response *res, hg_status rc, const event_error *err)
{
	bool en = wants_english(req);
	const char *code = err->code ? err->code : "invalid_event";
	const char *msg = en ? err->message_en : err->message_sv;
	int status = rc == HG_ECONFLICT ? 409 : 422;
	json_t *ext = json_pack("{s:s}", "message_en", err->message_en ? err->message_en : "");
	if (err->seq)
		json_object_set_new(ext, "seq", json_integer(err->seq));
	return http_reply_problem_ext(res, status, code, en ? "The event breaks a rule" : "Händelsen bryter mot en regel",
				      err->field[0] ? err->field : NULL, msg ? msg : code, ext);
}

/* Validates the Idempotency-Key header: optional, 1..STORE_KEY_MAX-1 printable ASCII. */
static bool idempotency_key(http_request *req, http_response *res, const char **key)
{
	const char *k = http_request_header(req, "Idempotency-Key");
	*key = k;
	if (!k)
		return true;
	size_t n = strlen(k);
	bool ok = n > 0 && n < STORE_KEY_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = k[i] > 32 && k[i] < 127;
	if (!ok)
		IGNORE(http_reply_problem(res, 400, "validation", NULL, "Idempotency-Key",
					 "Idempotency-Key ska vara 1–%d synliga ASCII-tecken.", STORE_KEY_MAX - 1));
	return ok;
}

/* The hash an Idempotency-Key binds to: the method, the path and the body of the request. */
static void request_hash(const http_request *req, uint8_t out[STORE_REQUEST_HASH_SIZE])
{
	crypto_generichash_state h;
	size_t len = 0;
	const char *body = http_request_body(req, &len);
	const char *path = http_request_path(req);
	char method[16];
	int n = snprintf(method, sizeof method, "%d", (int)http_request_method(req));
	crypto_generichash_init(&h, NULL, 0, STORE_REQUEST_HASH_SIZE);
	crypto_generichash_update(&h, (const unsigned char *)method, (size_t)n + 1);
	crypto_generichash_update(&h, (const unsigned char *)(path ? path : ""), strlen(path ? path : "") + 1);
	if (body && len)
		crypto_generichash_update(&h, (const unsigned char *)body, len);
	crypto_generichash_final(&h, out, STORE_REQUEST_HASH_SIZE);
}

/* 409 for an admission of a patient who is still in hospital; links to the open episode when the
 * caller may see it (otherwise its id does not leak). */
static hg_status reply_open_episode(http_request *req, http_response *res, api_app *app, const api_caller *c,
				    int64_t open, const event_error *err)
{
	bool en = wants_english(req), visible = false;
	char loc[64];
	json_t *ext = json_pack("{s:s}", "message_en", err->message_en);
	if (open && store_episode_visible(app->store, open, (const char (*)[HG_ID_MAX])c->user.units,
					  (size_t)c->user.n_units, &visible) == HG_OK && visible) {
		snprintf(loc, sizeof loc, "/api/v1/episodes/%" PRId64, open);
		json_object_set_new(ext, "episode_id", json_integer(open));
		json_object_set_new(ext, "episode", json_string(loc));
		char link[96];
		snprintf(link, sizeof link, "<%s>; rel=\"related\"", loc);
		IGNORE(http_response_header(res, "Link", link));
	}
	return http_reply_problem_ext(res, 409, err->code, en ? "The patient is already in hospital" :
							       "Patienten är redan inskriven",
				      err->field, en ? err->message_en : err->message_sv, ext);
}

/* An append waiting for its batch: what its answer needs once the writer has decided. */
typedef struct append_reply {
	api_app *app;
	api_caller c;
	event_type type;
	unsigned warnings; /* episode_warning bits that go with the answer (issue 18.4) */
	store_append_job *job;
} append_reply;

/* The codes and texts of the warnings of bits (episode_warning), or NULL when there are none. */
static json_t *warnings_json(unsigned bits)
{
	json_t *arr = NULL;
	for (int w = 0; w < WARNING_COUNT; w++) {
		if (!(bits & (1u << w)))
			continue;
		const hg_code_label *l = episode_warning_label((episode_warning)w);
		if (!arr)
			arr = json_array();
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "code", l->code, "sv", l->sv, "en", l->en));
	}
	return arr;
}

static void append_reply_release(void *p)
{
	append_reply *a = p;
	store_append_job_release(a->job);
	hg_free(a);
}

/* The answer of a submitted append, once its batch (the event and its audit record) is durable. */
static hg_status append_reply_finish(http_request *req, http_response *res, void *p)
{
	append_reply *a = p;
	store_append_result r;
	event_error err;
	char loc[64];
	hg_status rc = store_append_job_result(a->job, &r, &err);
	if (rc == HG_ENOTFOUND)
		return api_problem_store(res, rc);
	if (rc == HG_ECONFLICT && err.reason == EVR_PATIENT_HAS_OPEN_EPISODE)
		return reply_open_episode(req, res, a->app, &a->c, r.episode_id, &err);
	if (rc == HG_EINVAL || rc == HG_ECONFLICT || rc == HG_ERANGE)
		return reply_event_error(req, res, rc, &err);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	snprintf(loc, sizeof loc, "/api/v1/episodes/%" PRId64, r.episode_id);
	if (http_response_header(res, "Location", loc) != HG_OK)
		return HG_EINTERNAL;
	json_t *out = json_pack("{s:I, s:I, s:i, s:s, s:o, s:b}", "episode_id", (json_int_t)r.episode_id, "event_id",
				(json_int_t)r.event_id, "seq", r.seq, "type", event_type_code(a->type), "recorded_at",
				json_instant(r.recorded_at), "replayed", r.replayed);
	json_t *warn = warnings_json(a->warnings);
	if (warn)
		json_object_set_new(out, "warnings", warn);
	return http_reply_json(res, r.replayed ? 200 : 201, out);
}

/*
 * Appends ev for the api_caller and replies 201 (or 200 for a replayed key), with `warnings`
 * (episode_warning bits, issue 18.4) as "warnings" when the event is accepted. The append goes to
 * the writer with its audit record ("event.append", or "event.append.replayed"); the connection
 * is suspended, no thread waiting, and the answer is rendered once the batch that holds both is
 * durable (a 503 if it fails).
 */
static hg_status append_and_reply(http_request *req, http_response *res, api_app *app, const api_caller *c,
				  int64_t episode_id, const event *ev, const char *key, unsigned warnings)
{
	uint8_t hash[STORE_REQUEST_HASH_SIZE];
	store_audit audit;
	uint64_t ticket = 0;
	if (key)
		request_hash(req, hash);
	audit_record(req, app, c, "event.append", 0, NULL, &audit);
	append_reply *a = hg_calloc(1, sizeof *a);
	if (!a)
		return HG_ENOMEM;
	a->app = app;
	a->c = *c;
	a->type = ev->type;
	a->warnings = warnings;
	hg_status rc = store_append_submit(app->store, episode_id, ev, key, key ? hash : NULL, api_now(), &audit,
					   &a->job, &ticket);
	if (rc != HG_OK) {
		hg_free(a);
		return api_problem_store(res, rc);
	}
	http_response_defer(res, ticket, append_reply_finish, append_reply_release, a);
	return HG_OK;
}

/* Parses the body into an event of the api_caller; replies on failure and returns false. */
static bool body_event(http_request *req, http_response *res, event *ev, const char *default_type)
{
	event_error err;
	json_t *body = http_request_json(req, res);
	if (!body)
		return false;
	if (!json_is_object(body)) {
		IGNORE(http_reply_problem(res, 400, "validation", NULL, NULL, "Kroppen ska vara ett JSON-objekt."));
		return false;
	}
	if (default_type && !json_object_get(body, "type"))
		json_object_set_new(body, "type", json_string(default_type));
	if (event_from_json(body, EVENT_JSON_INPUT, ev, &err) != HG_OK) {
		(void)reply_event_error(req, res, HG_EINVAL, &err);
		return false;
	}
	return true;
}

static void set_author(event *ev, const api_caller *c, const store_unit *u)
{
	(void)hg_copy(ev->author_unit, sizeof ev->author_unit, u->id);
	ev->author_kind = u->kind;
	(void)hg_copy(ev->author_org, sizeof ev->author_org, u->org);
	(void)hg_copy(ev->author_user, sizeof ev->author_user, c->user.username);
}

static hg_status post_episodes(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	event *ev = NULL;
	store_unit ward;
	const char *key;
	hg_status rc = HG_OK;
	if (!api_authenticate(req, res, app, &c) || !idempotency_key(req, res, &key))
		return HG_OK;
	if (!access_role_may_send(c.user.role, EVENT_ADMITTED))
		return http_reply_problem(res, 403, "role_forbidden", NULL, "type", "Rollen %s får inte skriva in patienter.",
					  role_label(c.user.role)->sv);
	/* The ward decides the hospital and the care type unless the client names them. */
	json_t *body = http_request_json(req, res);
	if (!body)
		return HG_OK;
	const char *ward_id = json_string_value(json_object_get(body, "ward"));
	if (!ward_id)
		return http_reply_problem(res, 422, "required", NULL, "ward", "Ange avdelning (ward).");
	if (!pick_author_unit(app, &c, NULL, 0, EVENT_ADMITTED, ward_id, false, &ward))
		return http_reply_problem(res, 403, "unit_forbidden", NULL, "ward",
					  "Du kan bara skriva in patienter på din egen avdelning.");
	if (!json_object_get(body, "hospital"))
		json_object_set_new(body, "hospital", json_string(ward.hospital));
	if (!json_object_get(body, "care_type"))
		json_object_set_new(body, "care_type", json_string(care_type_label(ward.care)->code));
	ev = hg_malloc(sizeof *ev);
	if (!ev)
		return HG_ENOMEM;
	if (!body_event(req, res, ev, "admitted"))
		goto out;
	if (ev->type != EVENT_ADMITTED) {
		rc = http_reply_problem(res, 422, "validation", NULL, "type",
					"Ett nytt vårdtillfälle börjar med en inskrivning (type \"admitted\").");
		goto out;
	}
	set_author(ev, &c, &ward);
	rc = append_and_reply(req, res, app, &c, 0, ev, key, 0);
out:
	hg_free(ev);
	return rc;
}

/*
 * An invoice officer follows a line to its episode: true when episode stands (as a line or an exclusion) on an
 * invoice within the officer's reach, and *invoice_id then names that invoice (for the audit record). Anyone
 * else, or a store failure: false. One query gives the invoices of the officer's organisation that list the
 * episode; the core picks (invoice_reaching_episode). The episode is then shown read-only: invoice officers may
 * send no events. Here, with the other rules of who reads an episode, so that api.c and invoice_api.c do not
 * include each other.
 */
static bool officer_sees_episode(api_app *app, const api_caller *c, int64_t episode, int64_t *invoice_id)
{
	store_org org;
	invoice_ref *refs = NULL;
	size_t n = 0;
	if (c->user.role != ROLE_INVOICE_OFFICER || store_org_get(app->store, c->user.org, &org) != HG_OK)
		return false;
	bool region = org.kind == ORG_REGION;
	invoice_reader r = {.region = region, .code = org.code, .county = org.county};
	if (invoice_store_refs_of_episode(app->store, episode, region ? NULL : org.code, region ? org.county : NULL,
					  &refs, &n) != HG_OK)
		return false;
	long i = invoice_reaching_episode(&r, refs, n);
	if (i >= 0)
		*invoice_id = refs[i].id;
	hg_free(refs);
	return i >= 0;
}

/* api_episode_access, telling in *party whether a unit of the caller is a party of the episode (an
 * invoice officer may read one without). */
static bool episode_access(http_request *req, http_response *res, api_app *app, const api_caller *c, int64_t *id,
			   bool *party)
{
	bool visible = false;
	*party = false;
	if (!hg_parse_id(http_request_param(req, "id"), id)) {
		IGNORE(http_reply_problem(res, 404, "not_found", NULL, NULL, "Vårdtillfället finns inte."));
		return false;
	}
	if (!api_require_patient_reader(res, c))
		return false;
	hg_status rc = store_episode_visible(app->store, *id, (const char (*)[HG_ID_MAX])c->user.units,
					    (size_t)c->user.n_units, &visible);
	if (rc != HG_OK) {
		(void)api_problem_store(res, rc);
		return false;
	}
	int64_t invoice = 0;
	if (!visible && officer_sees_episode(app, c, *id, &invoice)) {
		/* an invoice officer follows an invoice line to its episode: read-only, audited with the invoice */
		char why[48];
		snprintf(why, sizeof why, "invoice %lld", (long long)invoice);
		return api_audit(req, res, app, c, "episode.read.invoice", *id, why);
	}
	if (!visible) {
		/* 404, not 403: the existence of other episodes does not leak; the attempt is logged */
		if (api_audit(req, res, app, c, "episode.read.refused", *id, NULL))
			IGNORE(http_reply_problem(res, 404, "not_found", NULL, NULL, "Vårdtillfället finns inte."));
	}
	*party = visible;
	return visible;
}

/* Checks id, role and visibility of an episode for the api_caller; replies on failure. */
bool api_episode_access(http_request *req, http_response *res, api_app *app, const api_caller *c, int64_t *id)
{
	bool party;
	return episode_access(req, res, app, c, id, &party);
}

/*
 * What a discharge of episode id is warned about (issue 18.4: a called SIP not held, an LPT/LRV plan not
 * established), from the fold as it is before the discharge; 0 for other types, or when it cannot be read
 * (the warning is advice: the append decides).
 */
static unsigned discharge_warnings(api_app *app, int64_t id, event_type type)
{
	unsigned w = 0;
	if (type != EVENT_DISCHARGED)
		return 0;
	episode_state *st = hg_malloc(sizeof *st);
	if (st && store_episode_fold(app->store, id, st) == HG_OK)
		w = episode_discharge_warnings(st);
	hg_free(st);
	return w;
}

static hg_status post_event(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	int64_t id;
	event *ev = NULL;
	store_unit unit;
	const char *key;
	bool party;
	hg_status rc = HG_OK;
	if (!api_authenticate(req, res, app, &c) || !episode_access(req, res, app, &c, &id, &party) ||
	    !idempotency_key(req, res, &key))
		return HG_OK;
	ev = hg_malloc(sizeof *ev);
	if (!ev) {
		rc = HG_ENOMEM;
		goto out;
	}
	if (!body_event(req, res, ev, NULL))
		goto out;
	if (!access_role_may_send(c.user.role, ev->type)) {
		rc = http_reply_problem(res, 403, "role_forbidden", NULL, "type", "Rollen %s får inte skicka %s.",
					role_label(c.user.role)->sv, event_info(ev->type)->sv);
		goto out;
	}
	if (!pick_author_unit(app, &c, NULL, id, ev->type, NULL, party, &unit)) {
		rc = http_reply_problem(res, 403, "unit_forbidden", NULL, "type",
					"Ingen av dina enheter får skicka %s i detta vårdtillfälle.", event_info(ev->type)->sv);
		goto out;
	}
	set_author(ev, &c, &unit);
	if (ev->type == EVENT_ADMISSION_NOTICE && !fill_recipients(app, res, &ev->u.admission_notice.recipients))
		goto out;
	if (ev->type == EVENT_READY_FOR_DISCHARGE && !fill_recipients(app, res, &ev->u.ready_for_discharge.recipients))
		goto out;
	if (ev->type == EVENT_INFO_REQUESTED) {
		event_recipients one = {.count = 1};
		one.to[0] = ev->u.info_requested.to;
		if (!fill_recipients(app, res, &one))
			goto out;
		ev->u.info_requested.to = one.to[0];
	}
	rc = append_and_reply(req, res, app, &c, id, ev, key, discharge_warnings(app, id, ev->type));
out:
	hg_free(ev);
	return rc;
}

/*
 * Builds the "acknowledged" event of notice `seq` in episode *st for the caller: the author is the
 * caller's unit that the notice was sent to (or, failing that, any unit the caller may acknowledge
 * with, so that the core names the precise rule that fails). False when no unit of the caller can.
 */
static bool ack_event(api_app *app, const api_caller *c, const episode_state *st, int32_t seq, event *ev)
{
	store_unit unit;
	bool found = false;
	event_init(ev, EVENT_ACKNOWLEDGED);
	ev->u.acknowledged.ack_seq = seq;
	ev->occurred_at = api_now();
	for (int i = 0; i < c->user.n_units && !found; i++) {
		int r = episode_recipient_index(st, c->user.units[i]);
		if (r < 0 || store_unit_get(app->store, c->user.units[i], &unit) != HG_OK)
			continue;
		for (int k = 0; k < st->notice_count && !found; k++)
			found = st->notices[k].seq == seq && (st->notices[k].to & (1u << r));
	}
	if (!found && !pick_author_unit(app, c, st, 0, EVENT_ACKNOWLEDGED, NULL, false, &unit))
		return false;
	set_author(ev, c, &unit);
	return true;
}

/* POST /api/v1/episodes/{id}/acknowledgements {"seq": N}: shorthand for an "acknowledged" event. */
static hg_status post_ack(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	int64_t id;
	event ev;
	episode_state *st = NULL;
	const char *key;
	json_t *body, *seq;
	hg_status rc = HG_OK;
	if (!api_authenticate(req, res, app, &c) || !api_episode_access(req, res, app, &c, &id) ||
	    !idempotency_key(req, res, &key))
		return HG_OK;
	if (!(body = http_request_json(req, res)))
		return HG_OK;
	seq = json_object_get(body, "seq");
	if (!json_is_integer(seq) || json_integer_value(seq) < 1 || json_integer_value(seq) > INT32_MAX)
		return http_reply_problem(res, 422, "validation", NULL, "seq", "Ange seq för meddelandet som kvitteras.");
	if (!access_role_may_send(c.user.role, EVENT_ACKNOWLEDGED))
		return http_reply_problem(res, 403, "role_forbidden", NULL, NULL, "Rollen får inte kvittera.");
	st = hg_malloc(sizeof *st);
	if (!st)
		return HG_ENOMEM;
	/* the fold alone (the read model's cache of it while the episode is unchanged): no event is read */
	rc = store_episode_fold(app->store, id, st);
	if (rc != HG_OK) {
		rc = api_problem_store(res, rc);
		goto out;
	}
	if (!ack_event(app, &c, st, (int32_t)json_integer_value(seq), &ev)) {
		rc = http_reply_problem(res, 403, "unit_forbidden", NULL, NULL, "Ingen av dina enheter kan kvittera här.");
		goto out;
	}
	rc = append_and_reply(req, res, app, &c, id, &ev, key, 0);
out:
	hg_free(st);
	return rc;
}

#define BULK_ACK_MAX 200

/*
 * POST /api/v1/acknowledgements {"items": [{"episode_id": E, "seq": N}, ...]}: acknowledges several
 * notices at once (the worklist's "acknowledge selected"). Each item is judged and stored on its own,
 * exactly as the single route would, and audited; the answer lists each item's outcome in order:
 * {"results": [{"episode_id", "seq", "status": 201|404|409|..., "code"?, "detail"?, "event_seq"?}],
 *  "acknowledged": N}. An episode the caller may not see is 404 for that item, as on the single route.
 */
static hg_status post_acks(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	json_t *body, *items, *item, *results;
	episode_state *st = NULL;
	size_t i;
	int done = 0;
	hg_instant now = api_now();
	bool en = wants_english(req);
	uint64_t ticket = 0;
	if (!api_authenticate(req, res, app, &c) || !api_require_patient_reader(res, &c))
		return HG_OK;
	if (!access_role_may_send(c.user.role, EVENT_ACKNOWLEDGED))
		return http_reply_problem(res, 403, "role_forbidden", NULL, NULL, "Rollen får inte kvittera.");
	if (!(body = http_request_json(req, res)))
		return HG_OK;
	items = json_object_get(body, "items");
	if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > BULK_ACK_MAX)
		return http_reply_problem(res, 422, "validation", NULL, "items",
					  "Ange 1–%d meddelanden att kvittera (items: [{episode_id, seq}]).", BULK_ACK_MAX);
	json_array_foreach(items, i, item) {
		json_t *e = json_object_get(item, "episode_id"), *q = json_object_get(item, "seq");
		if (!json_is_integer(e) || json_integer_value(e) < 1 || !json_is_integer(q) || json_integer_value(q) < 1 ||
		    json_integer_value(q) > INT32_MAX) {
			char field[48];
			snprintf(field, sizeof field, "items[%zu]", i);
			return http_reply_problem(res, 422, "validation", NULL, field,
						  "Varje meddelande anges med episode_id och seq (positiva heltal).");
		}
	}
	st = hg_malloc(sizeof *st);
	if (!st)
		return HG_ENOMEM;
	results = json_array();
	json_array_foreach(items, i, item) {
		int64_t id = (int64_t)json_integer_value(json_object_get(item, "episode_id"));
		int32_t seq = (int32_t)json_integer_value(json_object_get(item, "seq"));
		json_t *r = json_pack("{s:I, s:i}", "episode_id", (json_int_t)id, "seq", seq);
		bool visible = false;
		hg_status rc = store_episode_visible(app->store, id, (const char (*)[HG_ID_MAX])c.user.units,
						     (size_t)c.user.n_units, &visible);
		if (rc == HG_OK && visible)
			rc = store_episode_fold(app->store, id, st);
		if (rc != HG_OK && rc != HG_ENOTFOUND) {
			json_decref(r);
			json_decref(results);
			hg_free(st);
			return api_problem_store(res, rc);
		}
		event ev;
		store_append_result out;
		event_error err;
		if (rc == HG_ENOTFOUND || !visible) {
			json_object_set_new(r, "status", json_integer(404));
			json_object_set_new(r, "code", json_string("not_found"));
		} else if (!ack_event(app, &c, st, seq, &ev)) {
			json_object_set_new(r, "status", json_integer(403));
			json_object_set_new(r, "code", json_string("unit_forbidden"));
		} else if ((rc = store_append_held(app->store, id, &ev, NULL, NULL, now, &out, &err, &ticket)) == HG_OK) {
			http_response_hold(res, ticket);
			if (!api_audit(req, res, app, &c, "event.append", id, NULL)) {
				json_decref(r);
				json_decref(results);
				hg_free(st);
				return HG_OK;
			}
			json_object_set_new(r, "status", json_integer(201));
			json_object_set_new(r, "event_seq", json_integer(out.seq));
			done++;
		} else if (rc == HG_EINVAL || rc == HG_ECONFLICT || rc == HG_ERANGE) {
			http_response_hold(res, ticket);
			json_object_set_new(r, "status", json_integer(rc == HG_ECONFLICT ? 409 : 422));
			json_object_set_new(r, "code", json_string(err.code ? err.code : "invalid_event"));
			json_object_set_new(r, "detail", json_string(en ? err.message_en : err.message_sv));
		} else {
			json_decref(r);
			json_decref(results);
			hg_free(st);
			return api_problem_store(res, rc);
		}
		json_array_append_new(results, r);
	}
	hg_free(st);
	return http_reply_json(res, 200, json_pack("{s:o, s:i}", "results", results, "acknowledged", done));
}

static hg_status get_episode(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	int64_t id;
	episode_state *st = NULL;
	event *evs = NULL;
	size_t n = 0;
	deadline dl[DEADLINE_KIND_COUNT];
	hg_instant now = api_now();
	char etag[64];
	hg_status rc = HG_OK;
	if (!api_authenticate(req, res, app, &c) || !api_episode_access(req, res, app, &c, &id))
		return HG_OK;
	st = hg_malloc(sizeof *st);
	if (!st)
		return HG_ENOMEM;
	rc = store_episode_load(app->store, id, st, &evs, &n);
	if (rc != HG_OK) {
		rc = api_problem_store(res, rc);
		goto out;
	}
	if (!api_audit(req, res, app, &c, "episode.read", id, NULL))
		goto out;
	followup_survey_status sv;
	rc = followup_survey_status_get(app->store, id, now, &sv);
	if (rc != HG_OK) {
		rc = api_problem_store(res, rc);
		goto out;
	}
	/* The representation changes with every event, with the day (deadline states) and with the survey. */
	snprintf(etag, sizeof etag, "\"e%" PRId64 "-%d-%d-%d-%d\"", id, st->last_seq, (int)cal_local_date(now),
		 sv.answered_at != HG_INSTANT_NONE, sv.invitations + 100 * sv.open_invitations);
	if (http_reply_not_modified(req, res, etag))
		goto out;
	bool own_ward = false;
	for (int i = 0; i < c.user.n_units; i++)
		own_ward = own_ward || strcmp(c.user.units[i], st->admitting_ward) == 0 || strcmp(c.user.units[i], st->ward) == 0;
	if (deadline_in_force(st, now, dl) != HG_OK) {
		rc = HG_EINTERNAL;
		goto out;
	}
	json_t *events = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *e = event_to_json(&evs[i]);
		/* A protected address never leaves the authoring ward, not even inside the admission event. */
		if (evs[i].type == EVENT_ADMITTED && !access_may_see_address(st->patient.protected_identity, own_ward)) {
			json_t *pat = json_object_get(e, "patient");
			if (pat)
				json_object_set_new(pat, "address", json_null());
		}
		if (evs[i].type == EVENT_ADMISSION_NOTICE && !access_may_see_address(st->patient.protected_identity, own_ward))
			json_object_set_new(e, "address", json_null());
		json_array_append_new(events, e);
	}
	json_t *survey = json_pack("{s:o, s:s?, s:s?, s:i, s:i, s:o, s:o}", "answered_at", json_instant(sv.answered_at),
				   "channel", sv.channel[0] ? sv.channel : NULL, "respondent",
				   sv.respondent[0] ? sv.respondent : NULL, "invitations", sv.invitations,
				   "open_invitations", sv.open_invitations, "last_invited_at", json_instant(sv.last_invited_at),
				   "last_expires_at", json_instant(sv.last_expires_at));
	/* Liability where it runs (issue 18): from which night the municipality pays, and so far. */
	row_ctx lctx;
	billing_so_far sf;
	if ((rc = row_ctx_init(app, &lctx)) != HG_OK) {
		json_decref(events);
		json_decref(survey);
		rc = api_problem_store(res, rc);
		goto out;
	}
	rc = billing_so_far_judge(st, cal_local_date(now), lctx.agreements, lctx.n_agreements, &sf);
	json_t *liab = rc == HG_OK ? so_far_to_json(&sf) : NULL;
	row_ctx_free(&lctx);
	if (!liab) {
		json_decref(events);
		json_decref(survey);
		goto out;
	}
	json_t *out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "episode",
				episode_state_to_json(st, access_may_see_address(st->patient.protected_identity, own_ward),
						      cal_local_date(now)),
				"deadlines", deadlines_to_json(dl), "events", events, "survey", survey, "liability", liab);
	rc = http_reply_json(res, 200, out);
out:
	hg_free(st);
	hg_free(evs);
	return rc;
}

/* ---- worklist and search ---- */

/* The next instant at which a rendering of these rows changes by itself: an open deadline falling due. */
static hg_instant rows_next_due(const store_episode_row *rows, size_t n, hg_instant now, hg_instant until)
{
	for (size_t i = 0; i < n; i++) {
		const hg_instant due[3] = {rows[i].notice_due, rows[i].care_contact_due, rows[i].sip_due};
		const hg_instant met[3] = {rows[i].notice_met, rows[i].care_contact_met, rows[i].sip_met};
		for (int k = 0; k < 3; k++)
			if (due[k] != HG_INSTANT_NONE && met[k] == HG_INSTANT_NONE && due[k] > now && due[k] < until)
				until = due[k];
	}
	return until;
}

/*
 * Adds "liability" (so far, from the core) to every row of arr whose patient is ready, from each
 * such episode's fold (store_episode_fold: remembered beside the read model). The figures change
 * only with an event or at local midnight, both of which already end the cached rendering.
 */
static hg_status rows_add_liability(api_app *app, const row_ctx *ctx, json_t *arr, episode_state *st)
{
	size_t i;
	json_t *row;
	json_array_foreach(arr, i, row) {
		billing_so_far sf;
		if (strcmp(json_string_value(json_object_get(row, "status")), episode_status_label(EPISODE_READY)->code) != 0)
			continue;
		hg_status rc = store_episode_fold(app->store, json_integer_value(json_object_get(row, "id")), st);
		if (rc == HG_ENOTFOUND)
			continue;
		if (rc != HG_OK)
			return rc;
		if ((rc = billing_so_far_judge(st, cal_local_date(ctx->now), ctx->agreements, ctx->n_agreements, &sf)) != HG_OK)
			return rc;
		json_object_set_new(row, "liability", so_far_to_json(&sf));
	}
	return HG_OK;
}

/*
 * Adds "care" to every row of arr from its fold (issue 14, 18.3): what is still to do in the care
 * process (episode_todos: a missing item of the information transfer is a deviation), whether the
 * municipality is ready to receive the patient (hemgångsklar) and from which date, and the legal form.
 * The figures change only with an event or at local midnight, which end the cached rendering.
 */
static hg_status rows_add_care(api_app *app, hg_instant now, json_t *arr, episode_state *st)
{
	size_t i;
	json_t *row;
	hg_date today = cal_local_date(now);
	json_array_foreach(arr, i, row) {
		deadline dl[DEADLINE_KIND_COUNT];
		hg_status rc = store_episode_fold(app->store, json_integer_value(json_object_get(row, "id")), st);
		if (rc == HG_ENOTFOUND)
			continue;
		if (rc != HG_OK)
			return rc;
		/* LPT/LRV: the samordnad vårdplan's deadline, in place of the SIP's (which does not apply) */
		json_t *open;
		if (deadline_in_force(st, now, dl) == HG_OK &&
		    (open = row_deadline("care_plan_call", dl[DEADLINE_CARE_PLAN_CALL].due_at, dl[DEADLINE_CARE_PLAN_CALL].met_at, now)))
			json_array_append_new(json_object_get(row, "open_deadlines"), open);
		unsigned todos = episode_care_todos(st, today);
		json_t *codes = json_array();
		for (int k = 0; k < TODO_COUNT; k++) {
			const hg_code_label *l = episode_todo_label((episode_todo)k);
			if (todos & TODO_BIT(k))
				json_array_append_new(codes, json_pack("{s:s, s:s, s:s}", "code", l->code, "sv", l->sv, "en", l->en));
		}
		json_object_set_new(row, "care",
				    json_pack("{s:o, s:b, s:o, s:o, s:b}", "todos", codes, "municipality_ready",
					      episode_municipality_ready_on(st, today), "can_receive_on",
					      json_date(st->municipal_can_receive_on), "legal_form",
					      episode_has_care_plan(st) ? json_string(legal_form_label(st->legal_form)->code)
									: json_null(),
					      "children_as_relatives", st->children_as_relatives));
	}
	return HG_OK;
}

/* Most ready-days first (the longest waits at the top), then by id. */
static int cmp_ready_days_desc(const void *pa, const void *pb)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	json_int_t da = json_integer_value(json_object_get(a, "ready_days")), db = json_integer_value(json_object_get(b, "ready_days"));
	if (da != db)
		return da < db ? 1 : -1;
	json_int_t ia = json_integer_value(json_object_get(a, "id")), ib = json_integer_value(json_object_get(b, "id"));
	return (ia > ib) - (ia < ib);
}

/* Sorts a JSON array of rows in place by cmp_ready_days_desc. HG_ENOMEM when out of memory. */
static hg_status rows_sort_by_ready_days(json_t *arr)
{
	size_t n = json_array_size(arr);
	if (n < 2)
		return HG_OK;
	json_t **v = hg_malloc(n * sizeof *v);
	if (!v)
		return HG_ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof *v, cmp_ready_days_desc);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	hg_free(v);
	return HG_OK;
}

/*
 * Renders the worklist of units as compact JSON (*text hg_malloc'ed) and says until when that
 * rendering holds by itself (*valid_until: the next local midnight or open deadline falling due).
 */
/* Episode ids shown, gathered while rendering (for the audit: one link per patient shown). */
typedef struct id_list {
	int64_t *ids; /* hg_malloc'ed */
	size_t n, cap;
	bool failed;
} id_list;

static void ids_add(id_list *l, int64_t id)
{
	if (l->failed || l->n >= STORE_AUDIT_PATIENTS_MAX)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		int64_t *bigger = hg_realloc(l->ids, cap * sizeof *bigger);
		if (!bigger) {
			l->failed = true;
			return;
		}
		l->ids = bigger;
		l->cap = cap;
	}
	l->ids[l->n++] = id;
}

static void ids_add_rows(id_list *l, const store_episode_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ids_add(l, rows[i].id);
}

/*
 * The ward's admitted patients (inneliggande, issue 18.2): every patient in hospital whose current ward is
 * one of units, with what is still to do ("todo", from the core's episode_todos over the fold) and, when
 * ready, the liability so far. Empty for callers without a ward. *out is a new JSON array.
 */
static hg_status render_admitted(api_app *app, const char (*units)[HG_ID_MAX], size_t n_units, const row_ctx *ctx,
				 episode_state *st, id_list *shown, json_t **out)
{
	char (*wards)[HG_ID_MAX] = hg_malloc((n_units ? n_units : 1) * sizeof *wards);
	store_episode_row *rows = NULL;
	size_t n = 0, n_wards = 0;
	store_query q;
	hg_status rc = wards ? HG_OK : HG_ENOMEM;
	*out = json_array();
	for (size_t i = 0; rc == HG_OK && i < n_units; i++) {
		store_unit u;
		if (store_unit_get(app->store, units[i], &u) == HG_OK && u.kind == UNIT_WARD)
			memcpy(wards[n_wards++], units[i], HG_ID_MAX);
	}
	if (rc != HG_OK || n_wards == 0)
		goto out;
	store_query_init(&q);
	q.units = (const char (*)[HG_ID_MAX])wards;
	q.n_units = n_wards;
	q.in_hospital = true;
	q.limit = 500;
	if ((rc = store_episodes_query(app->store, &q, &rows, &n, NULL)) != HG_OK)
		goto out;
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		bool ours = false;
		size_t n_events = 0;
		for (size_t w = 0; w < n_wards && !ours; w++)
			ours = strcmp(rows[i].ward, wards[w]) == 0;
		if (!ours)
			continue; /* moved on to another ward: that ward's patient now */
		if ((rc = store_episode_load(app->store, rows[i].id, st, NULL, &n_events)) == HG_ENOTFOUND) {
			rc = HG_OK;
			continue;
		}
		if (rc != HG_OK)
			break;
		json_t *row = row_to_json(&rows[i], ctx), *todo = json_array();
		unsigned todos = episode_todos(st, cal_local_date(ctx->now));
		for (int k = 0; k < TODO_COUNT; k++)
			if (todos & TODO_BIT(k))
				json_array_append_new(todo, json_string(episode_todo_label((episode_todo)k)->code));
		json_object_set_new(row, "todo", todo);
		if (st->status == EPISODE_READY) {
			billing_so_far sf;
			if ((rc = billing_so_far_judge(st, cal_local_date(ctx->now), ctx->agreements, ctx->n_agreements,
						       &sf)) == HG_OK)
				json_object_set_new(row, "liability", so_far_to_json(&sf));
		}
		json_array_append_new(*out, row);
		ids_add(shown, rows[i].id);
	}
out:
	hg_free(rows);
	hg_free(wards);
	return rc;
}

static hg_status render_worklist(api_app *app, const char (*units)[HG_ID_MAX], size_t n_units,
				 const store_ack_query *aq_in, hg_instant now, char **text, hg_instant *valid_until,
				 id_list *shown)
{
	store_query q;
	store_ack_query aq = *aq_in;
	store_pending_ack *acks = NULL;
	store_episode_row *rows = NULL;
	size_t n = 0, notices_total = 0;
	row_ctx ctx;
	hg_date today = cal_local_date(now);
	hg_instant until = cal_local_midnight(today + 1);
	json_t *out = NULL, *arr, *due_today, *overdue, *ready = NULL, *admitted = NULL;
	episode_state *st = NULL; /* scratch fold for the liability of ready rows */
	hg_status rc = row_ctx_init(app, &ctx);
	if (rc != HG_OK)
		return rc;
	ctx.now = now;
	aq.units = units;
	aq.n_units = n_units;
	rc = store_pending_acks(app->store, &aq, &acks, &n, &notices_total);
	if (rc != HG_OK)
		goto out;
	out = json_object();
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		ids_add(shown, acks[i].episode_id);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:i, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:s}", "episode_id",
						     (json_int_t)acks[i].episode_id, "seq", acks[i].seq, "unit", acks[i].unit,
						     "type", event_type_code(acks[i].type), "type_sv",
						     event_info(acks[i].type)->sv, "sent_at", json_instant(acks[i].sent_at),
						     "patient", "name", acks[i].patient_name, "personnummer", acks[i].pnr,
						     "ward", acks[i].ward));
	hg_free(acks);
	json_object_set_new(out, "new_notices", arr);
	json_object_set_new(out, "new_notices_total", json_integer((json_int_t)notices_total));
	json_object_set_new(out, "new_notices_limit", json_integer(aq.limit));
	json_object_set_new(out, "new_notices_offset", json_integer(aq.offset));

	/* Deadlines open at the end of today: overdue ones and those due today. */
	store_query_init(&q);
	q.units = units;
	q.n_units = n_units;
	q.overdue_at = cal_local_midnight(today + 1);
	q.in_hospital = true; /* a deadline missed before discharge is a deviation to follow up, not a to-do */
	q.limit = 500;
	if ((rc = store_episodes_query(app->store, &q, &rows, &n, NULL)) != HG_OK)
		goto out;
	until = rows_next_due(rows, n, now, until);
	ids_add_rows(shown, rows, n);
	due_today = json_array();
	overdue = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *row = row_to_json(&rows[i], &ctx);
		bool late = false;
		size_t k;
		json_t *d;
		json_array_foreach(json_object_get(row, "open_deadlines"), k, d) late = late || json_is_true(json_object_get(d, "overdue"));
		json_array_append_new(late ? overdue : due_today, row);
	}
	hg_free(rows);
	rows = NULL;
	json_object_set_new(out, "deadlines_due_today", due_today);
	json_object_set_new(out, "overdue", overdue);

	store_query_init(&q);
	q.units = units;
	q.n_units = n_units;
	q.ready_only = true;
	q.limit = 500;
	if ((rc = store_episodes_query(app->store, &q, &rows, &n, NULL)) != HG_OK)
		goto out;
	until = rows_next_due(rows, n, now, until);
	ids_add_rows(shown, rows, n);
	ready = rows_to_json(rows, n, &ctx);
	hg_free(rows);
	rows = NULL;
	/* Liability where it runs (issue 18): each ready patient's figures so far, longest waits first. */
	st = hg_malloc(sizeof *st);
	if (!st) {
		rc = HG_ENOMEM;
		goto out;
	}
	if ((rc = rows_add_liability(app, &ctx, ready, st)) != HG_OK ||
	    (rc = rows_add_liability(app, &ctx, due_today, st)) != HG_OK ||
	    (rc = rows_add_liability(app, &ctx, overdue, st)) != HG_OK || (rc = rows_sort_by_ready_days(ready)) != HG_OK ||
	    (rc = rows_add_care(app, now, ready, st)) != HG_OK || (rc = rows_add_care(app, now, due_today, st)) != HG_OK ||
	    (rc = rows_add_care(app, now, overdue, st)) != HG_OK)
		goto out;
	json_object_set_new(out, "ready_waiting", json_incref(ready));
	if ((rc = render_admitted(app, units, n_units, &ctx, st, shown, &admitted)) != HG_OK)
		goto out;
	json_object_set_new(out, "admitted", json_incref(admitted));

	store_query_init(&q);
	q.units = units;
	q.n_units = n_units;
	q.status = EPISODE_DISCHARGED;
	q.from = cal_local_midnight(today - 7);
	q.limit = 100;
	if ((rc = store_episodes_query(app->store, &q, &rows, &n, NULL)) != HG_OK)
		goto out;
	ids_add_rows(shown, rows, n);
	{
		json_t *recent = rows_to_json(rows, n, &ctx);
		json_object_set_new(out, "recently_discharged", recent);
		hg_free(rows);
		rows = NULL;
		/* the discharge step's deviations show here (issue 14.4) */
		if ((rc = rows_add_care(app, now, recent, st)) != HG_OK)
			goto out;
	}
	{
		char *dumped = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS); /* jansson's allocator */
		size_t len = dumped ? strlen(dumped) : 0;
		*text = dumped ? hg_malloc(len + 1) : NULL;
		if (*text)
			memcpy(*text, dumped, len + 1);
		free(dumped);
	}
	rc = *text && !shown->failed ? HG_OK : HG_ENOMEM;
	*valid_until = until;
out:
	json_decref(ready);
	json_decref(admitted);
	hg_free(st);
	json_decref(out);
	row_ctx_free(&ctx);
	return rc;
}

/*
 * The worklists as rendered, per caller shape (role, units and query): served again without a
 * query or a render while none of the caller's units changed (store_units_version), the rendering
 * holds by itself (valid_until) and at most API_CACHE_TTL seconds passed (writes by another
 * process to the same database are seen within that time).
 */
#define API_CACHE_SLOTS 256
#define API_CACHE_KEY_MAX (8 + STORE_USER_UNITS_MAX * HG_ID_MAX + 96)
#define API_CACHE_TTL 10
/* One rendering, shared by the cache and the answers that send it (http_reply_shared): immutable once
 * made, freed when the last holder lets go. */
typedef struct api_rendering {
	atomic_int refs;
	size_t len;
	char etag[40];
	int64_t *shown; /* the episode ids the text shows (for the audit), in the same allocation */
	size_t n_shown;
	char text[]; /* len bytes and a NUL, then the ids */
} api_rendering;

typedef struct api_cache_entry {
	char key[API_CACHE_KEY_MAX];
	uint64_t version;
	hg_instant valid_until;
	api_rendering *r; /* the cache's reference, or NULL */
} api_cache_entry;

struct api_cache {
	pthread_mutex_t lock;
	api_cache_entry slots[API_CACHE_SLOTS];
};

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void rendering_release(void *p)
{
	api_rendering *r = p;
	if (r && atomic_fetch_sub(&r->refs, 1) == 1)
		hg_free(r);
}

/* A rendering of text (len bytes) that shows shown, with one reference (the caller's); NULL for
 * want of memory. */
static api_rendering *rendering_new(const char *text, size_t len, const char etag[40], const id_list *shown)
{
	size_t at = (offsetof(api_rendering, text) + len + 1 + sizeof(int64_t) - 1) / sizeof(int64_t) *
		    sizeof(int64_t);
	api_rendering *r = hg_malloc(at + shown->n * sizeof(int64_t));
	if (!r)
		return NULL;
	atomic_init(&r->refs, 1);
	r->len = len;
	memcpy(r->etag, etag, 40);
	memcpy(r->text, text, len);
	r->text[len] = '\0';
	r->shown = (int64_t *)(void *)((char *)r + at);
	r->n_shown = 0;
	if (shown->n)
		memcpy(r->shown, shown->ids, shown->n * sizeof(int64_t));
	/* sorted and unique, as the audit stores a set: its writer then has nothing to sort on each read */
	qsort(r->shown, shown->n, sizeof(int64_t), cmp_int64);
	for (size_t i = 0; i < shown->n; i++)
		if (r->n_shown == 0 || r->shown[i] != r->shown[r->n_shown - 1])
			r->shown[r->n_shown++] = r->shown[i];
	return r;
}

hg_status api_cache_create(api_cache **out)
{
	api_cache *c = hg_calloc(1, sizeof *c);
	if (!c)
		return HG_ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return HG_OK;
}

void api_cache_free(api_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < API_CACHE_SLOTS; i++)
		rendering_release(c->slots[i].r);
	pthread_mutex_destroy(&c->lock);
	hg_free(c);
}

static size_t cache_slot(const char *key)
{
	unsigned char h[8];
	crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
	return ((size_t)h[0] | (size_t)h[1] << 8) % API_CACHE_SLOTS;
}

/* The cached rendering for key when it is still good, with a reference for the caller; NULL if none. */
static api_rendering *cache_get(api_cache *c, const char *key, uint64_t version, hg_instant now)
{
	api_rendering *r = NULL;
	if (!c)
		return NULL;
	pthread_mutex_lock(&c->lock);
	api_cache_entry *e = &c->slots[cache_slot(key)];
	if (e->r && e->version == version && now < e->valid_until && strcmp(e->key, key) == 0) {
		r = e->r;
		atomic_fetch_add(&r->refs, 1);
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* Keeps r (a reference of the cache's own) for key. */
static void cache_put(api_cache *c, const char *key, uint64_t version, hg_instant valid_until, api_rendering *r)
{
	if (!c || strlen(key) >= API_CACHE_KEY_MAX)
		return;
	atomic_fetch_add(&r->refs, 1);
	pthread_mutex_lock(&c->lock);
	api_cache_entry *e = &c->slots[cache_slot(key)];
	api_rendering *old = e->r;
	(void)hg_copy(e->key, sizeof e->key, key);
	e->version = version;
	e->valid_until = valid_until;
	e->r = r;
	pthread_mutex_unlock(&c->lock);
	rendering_release(old);
}

/* Renders the worklist for the caller's units and query into a new rendering (one reference). */
static hg_status worklist_rendering(api_app *app, const char (*units)[HG_ID_MAX], size_t n_units,
				    const store_ack_query *aq, hg_instant now, hg_instant *valid_until,
				    api_rendering **out)
{
	char *text = NULL, etag[40];
	id_list shown = {0};
	hg_status rc = render_worklist(app, units, n_units, aq, now, &text, valid_until, &shown);
	if (rc == HG_OK) {
		size_t len = strlen(text);
		/* The ETag is the hash of the very bytes sent, for cheap polling (the time of the answer is
		 * in the Date header, so equal content gives an equal ETag). */
		unsigned char h[16];
		char hex[33];
		crypto_generichash(h, sizeof h, (const unsigned char *)text, len, NULL, 0);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		snprintf(etag, sizeof etag, "\"w%s\"", hex);
		*out = rendering_new(text, len, etag, &shown);
		if (!*out)
			rc = HG_ENOMEM;
	}
	hg_free(text);
	hg_free(shown.ids);
	return rc;
}

static hg_status get_worklist(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	store_ack_query aq;
	char key[API_CACHE_KEY_MAX];
	size_t used;
	hg_instant now = api_now(), valid_until = now;
	hg_status rc = HG_OK;
	event_type nt;
	if (!api_authenticate(req, res, app, &c) || !api_require_patient_reader(res, &c))
		return HG_OK;
	const char (*units)[HG_ID_MAX] = (const char (*)[HG_ID_MAX])c.user.units;
	/* New notices: newest first, a page of them, the true total, optionally one notice type. */
	store_ack_query_init(&aq);
	const char *type = http_request_query(req, "notice_type");
	if (type && (!event_type_from_code(type, &nt) || !event_info(nt)->is_notice))
		return http_reply_problem(res, 422, "validation", NULL, "notice_type",
					  "Okänd meddelandetyp (t.ex. admission_notice, ready_for_discharge).");
	if (type)
		aq.type = (int)nt;
	aq.limit = 50;
	if (!query_int(req, res, "limit", 1, 500, &aq.limit) || !query_int(req, res, "offset", 0, 1000000, &aq.offset))
		return HG_OK;

	used = (size_t)snprintf(key, sizeof key, "%s|%d|%d|%d|", role_label(c.user.role)->code, aq.type, aq.limit,
				aq.offset);
	for (int i = 0; i < c.user.n_units && used < sizeof key; i++)
		used += (size_t)snprintf(key + used, sizeof key - used, "%s|", c.user.units[i]);
	uint64_t version = store_units_version(app->store, units, (size_t)c.user.n_units);
	api_rendering *r = cache_get(app->cache, key, version, now);
	if (!r) {
		rc = worklist_rendering(app, units, (size_t)c.user.n_units, &aq, now, &valid_until, &r);
		if (rc != HG_OK)
			return api_problem_store(res, rc);
		if (valid_until > now + API_CACHE_TTL)
			valid_until = now + API_CACHE_TTL;
		cache_put(app->cache, key, version, valid_until, r);
	}
	if (!api_audit_patients(req, res, app, &c, "worklist.read", r->shown, r->n_shown, NULL)) {
		rendering_release(r);
		return HG_OK;
	}
	if (http_reply_not_modified(req, res, r->etag)) {
		rendering_release(r);
		return HG_OK;
	}
	/* the answer holds its reference until MHD has sent the bytes: no copy of them */
	return http_reply_shared(res, 200, "application/json", r->text, r->len, rendering_release, r);
}

/* POST /api/v1/search {"personnummer": ..., "reason": ...}: the number travels in the body, never in a URL. */
static hg_status post_search(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	json_t *body;
	const char *number, *reason;
	pnr parsed;
	pnr_reason why;
	pnr_options opt;
	store_query q;
	store_episode_row *rows = NULL;
	size_t n = 0, total = 0;
	hg_instant now = api_now();
	if (!api_authenticate(req, res, app, &c) || !api_require_patient_reader(res, &c))
		return HG_OK;
	if (!(body = http_request_json(req, res)))
		return HG_OK;
	number = json_string_value(json_object_get(body, "personnummer"));
	reason = json_string_value(json_object_get(body, "reason"));
	if (!number)
		return http_reply_problem(res, 422, "validation", NULL, "personnummer", "Ange personnummer.");
	if (!reason || strlen(reason) < REASON_MIN || strlen(reason) >= STORE_REASON_MAX)
		return http_reply_problem(res, 422, "reason_required", NULL, "reason",
					  "Ange ett skäl till sökningen (%d–%d tecken); sökningen loggas.", REASON_MIN,
					  STORE_REASON_MAX - 1);
	opt = pnr_options_default(cal_local_date(now));
	opt.accept_reserve = true;
	if (pnr_parse(number, &opt, &parsed, &why) != HG_OK)
		return http_reply_problem_ext(res, 422, "bad_personnummer", NULL, "personnummer",
					      wants_english(req) ? pnr_reason_message(why)->en : pnr_reason_message(why)->sv,
					      json_pack("{s:s, s:s}", "reason", pnr_reason_label(why)->code, "message_en",
							pnr_reason_message(why)->en));
	store_query_init(&q);
	q.units = (const char (*)[HG_ID_MAX])c.user.units;
	q.n_units = (size_t)c.user.n_units;
	q.pnr = parsed.normal;
	hg_status rc = store_episodes_query(app->store, &q, &rows, &n, &total);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	if (!audit_rows(req, res, app, &c, "search.pnr", rows, n, reason)) {
		hg_free(rows);
		return HG_OK;
	}
	return reply_rows(app, res, rows, n, total);
}

/* ---- administration ---- */

static hg_status get_users(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	store_user *users = NULL;
	size_t n = 0;
	if (!api_authenticate(req, res, app, &c) || !require_admin(res, &c))
		return HG_OK;
	hg_status rc = store_users_list(app->store, &users, &n);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		if (strcmp(users[i].org, c.user.org) == 0)
			json_array_append_new(arr, user_to_json(&users[i]));
	hg_free(users);
	return http_reply_json(res, 200, json_pack("{s:o}", "users", arr));
}

static hg_status get_audit(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	store_audit_filter f = {0};
	store_audit *rows = NULL;
	size_t n = 0;
	int limit = 500;
	const char *ep = http_request_query(req, "episode");
	if (!api_authenticate(req, res, app, &c) || !require_admin(res, &c))
		return HG_OK;
	if (ep && !hg_parse_id(ep, &f.episode_id))
		return http_reply_problem(res, 400, "validation", NULL, "episode", "Ogiltigt vårdtillfälles-id.");
	f.username = http_request_query(req, "user");
	if (!query_date(req, res, "since", 0, &f.since) || !query_int(req, res, "limit", 1, 10000, &limit))
		return HG_OK;
	f.limit = limit;
	/* an administrator sees the records of their own organisation's users, newest first */
	f.org = c.user.org;
	f.newest_first = true;
	hg_status rc = store_audit_list(app->store, &f, &rows, &n);
	if (rc != HG_OK)
		return api_problem_store(res, rc);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:o, s:s, s:s, s:s, s:o, s:s, s:s}", "id", (json_int_t)rows[i].id,
						     "at", json_instant(rows[i].at), "username", rows[i].username, "unit",
						     rows[i].unit, "action", rows[i].action, "episode_id",
						     rows[i].episode_id ? json_integer(rows[i].episode_id) : json_null(),
						     "reason", rows[i].reason, "client", rows[i].client));
	hg_free(rows);
	return http_reply_json(res, 200, json_pack("{s:o}", "audit", arr));
}

/* Unit names for the SIP PDF: the store's name, or the id itself. */
struct unit_names {
	api_app *app;
	store_unit unit;
};

static const char *unit_name(void *p, const char *id)
{
	struct unit_names *u = p;
	if (id[0] && store_unit_get(u->app->store, id, &u->unit) == HG_OK)
		return u->unit.name;
	return id;
}

/* GET /api/v1/episodes/{id}/sip.pdf: the printable SIP for the patient and the parties (issue 14). */
static hg_status get_sip_pdf(http_request *req, http_response *res, void *p)
{
	api_app *app = p;
	api_caller c;
	int64_t id;
	episode_state *st = NULL;
	char *pdf = NULL, disposition[96];
	size_t len = 0;
	hg_status rc = HG_OK;
	if (!api_authenticate(req, res, app, &c) || !api_episode_access(req, res, app, &c, &id))
		return HG_OK;
	st = hg_malloc(sizeof *st);
	if (!st)
		return HG_ENOMEM;
	rc = store_episode_load(app->store, id, st, NULL, NULL);
	if (rc != HG_OK) {
		rc = api_problem_store(res, rc);
		goto out;
	}
	if (st->sip_held_at == HG_INSTANT_NONE) {
		rc = http_reply_problem(res, 404, "no_sip", NULL, "sip", "Ingen SIP är genomförd i vårdtillfället.");
		goto out;
	}
	if (!api_audit(req, res, app, &c, "episode.sip_pdf", id, NULL))
		goto out;
	struct unit_names names = {.app = app};
	rc = sip_pdf_render(st, unit_name, &names, &pdf, &len);
	if (rc != HG_OK) {
		rc = api_problem_store(res, rc);
		goto out;
	}
	(void)snprintf(disposition, sizeof disposition, "inline; filename=\"sip-%lld.pdf\"", (long long)id);
	rc = http_response_header(res, "Content-Disposition", disposition);
	if (rc == HG_OK)
		rc = http_reply_text(res, 200, "application/pdf", pdf, len);
out:
	hg_free(pdf);
	hg_free(st);
	return rc;
}

static const http_route routes[] = {
	{HTTP_GET, "/healthz", get_healthz, NULL},
	{HTTP_POST, "/api/v1/session", post_session, NULL},
	{HTTP_DELETE, "/api/v1/session", delete_session, NULL},
	{HTTP_GET, "/api/v1/session", get_me, NULL},
	{HTTP_GET, "/api/v1/organisations", get_organisations, NULL},
	{HTTP_GET, "/api/v1/units", get_units, NULL},
	{HTTP_GET, "/api/v1/units/{id}", get_unit, NULL},
	{HTTP_GET, "/api/v1/episodes", get_episodes, NULL},
	{HTTP_POST, "/api/v1/episodes", post_episodes, NULL},
	{HTTP_GET, "/api/v1/episodes/{id}", get_episode, NULL},
	{HTTP_GET, "/api/v1/episodes/{id}/sip.pdf", get_sip_pdf, NULL},
	{HTTP_POST, "/api/v1/episodes/{id}/events", post_event, NULL},
	{HTTP_POST, "/api/v1/episodes/{id}/acknowledgements", post_ack, NULL},
	{HTTP_POST, "/api/v1/acknowledgements", post_acks, NULL},
	{HTTP_GET, "/api/v1/worklist", get_worklist, NULL},
	{HTTP_POST, "/api/v1/search", post_search, NULL},
	{HTTP_GET, "/api/v1/users", get_users, NULL},
	{HTTP_GET, "/api/v1/audit", get_audit, NULL},
};

const http_route *api_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
