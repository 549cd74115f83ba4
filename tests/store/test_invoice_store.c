/*
 * test_invoice_store.c - agreements and invoice bases on a real SQLite file:
 * import (same, conflicting, broken), list and versions, the file rendering
 * round trip; a month built from events appended through store_append, built
 * again unchanged, reviewed after a late correction (the same figures at the
 * cut-off, the difference listed), rebuilt as of later (a new revision
 * supersedes the draft), the workflow with its refusals and trail, the
 * immutability triggers, and the average model's settlement.
 *
 * Falun (2080) is on a per-night agreement (3 calendar days, 5 000 kr a night
 * in 2024); Borlänge (2081) on a monthly average model (3.00 ready-days per
 * episode, 1 000 kr a day above it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "wire/agreement_json.h"
#include "store/agreement_store.h"
#include "store/invoice_store.h"
#include "store/store_int.h"
#include "test.h"

static const char per_night_json[] =
	"{\"format\": \"hemgang-agreement/1\", \"id\": \"test-cal\", \"name\": \"Test\", \"version\": 1, \"region\": \"20\","
	" \"municipalities\": [\"2080\"], \"valid_from\": \"2024-01-01\", \"valid_to\": null, \"model\": \"per_night\","
	" \"grace_days\": {\"somatic\": 3, \"geriatric\": 3, \"psychiatric\": 3}, \"count\": \"calendar\", \"eves\": false,"
	" \"withdrawal\": \"new_grace\", \"conditions\": {\"admission_notice\": true, \"ready_notice\": true,"
	" \"sip_called\": true}, \"rates\": [{\"year\": 2024, \"care\": \"somatic\", \"amount_ore\": 500000}]}";

static const char average_json[] =
	"{\"format\": \"hemgang-agreement/1\", \"id\": \"test-avg\", \"name\": \"Average\", \"version\": 1,"
	" \"region\": \"20\", \"municipalities\": [\"2081\"], \"valid_from\": \"2024-01-01\", \"valid_to\": null,"
	" \"model\": \"average\", \"grace_days\": {\"somatic\": 0, \"geriatric\": 0, \"psychiatric\": 0},"
	" \"count\": \"calendar\", \"eves\": false, \"withdrawal\": \"new_grace\", \"conditions\": {\"admission_notice\":"
	" true, \"ready_notice\": true, \"sip_called\": true}, \"rates\": [], \"average\": {\"period_months\": 1,"
	" \"threshold_centidays\": {\"somatic\": 300, \"geriatric\": 300, \"psychiatric\": 500},"
	" \"amount_ore\": {\"somatic\": 100000, \"geriatric\": 100000, \"psychiatric\": 100000}}}";

static hg_instant at(const char *local)
{
	hg_instant t;
	if (cal_parse_local(local, &t) != HG_OK)
		abort();
	return t;
}

static void copy(char *dst, size_t cap, const char *src) { (void)snprintf(dst, cap, "%s", src); }

static void setup(struct test *t, store *s)
{
	static const store_org orgs[] = {{"R20", "Region", ORG_REGION, "20"},
					 {"2080", "Falu kommun", ORG_MUNICIPALITY, "20"},
					 {"2081", "Borlänge kommun", ORG_MUNICIPALITY, "20"}};
	static const store_unit units[] = {
		{"W1", "R20", "Avd 1", UNIT_WARD, CARE_SOMATIC, "Falu lasarett", "2080"},
		{"VC1", "R20", "VC Falun", UNIT_PRIMARY_CARE, CARE_SOMATIC, "", "2080"},
		{"K1", "2080", "Falun bist", UNIT_MUNICIPAL_SOCIAL, CARE_SOMATIC, "", "2080"},
		{"K2", "2081", "Borlänge bist", UNIT_MUNICIPAL_SOCIAL, CARE_SOMATIC, "", "2081"},
	};
	for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++)
		T_EQ_INT(t, store_org_put(s, &orgs[i]), HG_OK, "org %zu", i);
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		T_EQ_INT(t, store_unit_put(s, &units[i]), HG_OK, "unit %zu", i);
}

/* ---- episodes through store_append ---- */

static event ward_event(event_type type, const char *when)
{
	event ev;
	event_init(&ev, type);
	ev.occurred_at = at(when);
	copy(ev.author_unit, sizeof ev.author_unit, "W1");
	ev.author_kind = UNIT_WARD;
	copy(ev.author_org, sizeof ev.author_org, "R20");
	copy(ev.author_user, sizeof ev.author_user, "journal");
	return ev;
}

static void append(struct test *t, store *s, int64_t *episode, const event *ev, hg_instant recorded)
{
	store_append_result r;
	event_error err;
	hg_status rc = store_append(s, *episode, ev, NULL, recorded, &r, &err);
	T_EQ_INT(t, rc, HG_OK, "append %s to episode %lld (%s)", event_type_code(ev->type), (long long)*episode,
		 rc ? err.code : "");
	if (rc == HG_OK)
		*episode = r.episode_id;
}

/* An episode: admitted, notice to the municipality's unit and VC1, green track, ready, and out (or not). */
static int64_t episode(struct test *t, store *s, const char *pnr, const char *municipality, const char *admitted,
		       const char *ready, const char *out)
{
	int64_t id = 0;
	event ev = ward_event(EVENT_ADMITTED, admitted);
	copy(ev.u.admitted.patient.personnummer, EVENT_PNR_SIZE, pnr);
	copy(ev.u.admitted.patient.name, HG_NAME_MAX, "Test Testsson");
	copy(ev.u.admitted.patient.registered_municipality, EVENT_MUNICIPALITY_SIZE, municipality);
	copy(ev.u.admitted.patient.primary_care_unit, HG_ID_MAX, "VC1");
	copy(ev.u.admitted.patient.address, EVENT_ADDRESS_MAX, "Storgatan 1, 791 31 Falun");
	copy(ev.u.admitted.hospital, HG_ID_MAX, "Falu lasarett");
	copy(ev.u.admitted.ward, HG_ID_MAX, "W1");
	append(t, s, &id, &ev, ev.occurred_at + 60);
	ev = ward_event(EVENT_ADMISSION_NOTICE, admitted);
	ev.occurred_at += 3600;
	event_recipients *r = &ev.u.admission_notice.recipients;
	r->count = 2;
	copy(r->to[0].unit, HG_ID_MAX, strcmp(municipality, "2080") == 0 ? "K1" : "K2");
	r->to[0].kind = UNIT_MUNICIPAL_SOCIAL;
	copy(r->to[0].org, HG_ID_MAX, municipality);
	copy(r->to[1].unit, HG_ID_MAX, "VC1");
	r->to[1].kind = UNIT_PRIMARY_CARE;
	copy(r->to[1].org, HG_ID_MAX, "R20");
	ev.u.admission_notice.expected_discharge_date = cal_local_date(ev.occurred_at) + 5;
	ev.u.admission_notice.reason = ADMISSION_REASON_ACUTE_ILLNESS;
	append(t, s, &id, &ev, ev.occurred_at + 60);
	ev = ward_event(EVENT_TRACK_SET, admitted);
	ev.occurred_at += 7200;
	ev.u.track_set.colour = TRACK_GREEN;
	append(t, s, &id, &ev, ev.occurred_at + 60);
	ev = ward_event(EVENT_READY_FOR_DISCHARGE, ready);
	append(t, s, &id, &ev, ev.occurred_at + 60);
	if (out) {
		ev = ward_event(EVENT_DISCHARGED, out);
		ev.u.discharged.destination = DEST_OWN_HOME;
		append(t, s, &id, &ev, ev.occurred_at + 60);
	}
	return id;
}

/* ---- agreements ---- */

static void test_agreements(struct test *t, store *s)
{
	char err[256], *doc = NULL;
	agreement a, b;
	bool existed = true;
	T_EQ_INT(t, agreement_store_import(s, per_night_json, strlen(per_night_json), "test", at("2024-01-01 08:00"), &a,
					   &existed, err, sizeof err),
		 HG_OK, "import (%s)", err);
	T_TRUE(t, !existed, "a new version");
	T_EQ_STR(t, a.id, "test-cal", "its id");
	T_EQ_INT(t, agreement_store_import(s, per_night_json, strlen(per_night_json), "test", at("2024-01-02 08:00"), NULL,
					   &existed, err, sizeof err),
		 HG_OK, "the same file again");
	T_TRUE(t, existed, "already stored");
	char other[sizeof per_night_json];
	memcpy(other, per_night_json, sizeof other);
	char *amount = strstr(other, "500000");
	amount[1] = '1';
	T_EQ_INT(t, agreement_store_import(s, other, strlen(other), "test", 0, NULL, &existed, err, sizeof err),
		 HG_ECONFLICT, "other content under the same version");
	T_TRUE(t, strstr(err, "raise \"version\"") != NULL, "the message says what to do: %s", err);
	T_EQ_INT(t, agreement_store_import(s, "{\"format\": 1}", 13, "test", 0, NULL, &existed, err, sizeof err), HG_EINVAL,
		 "a broken file");
	T_EQ_INT(t, agreement_store_import(s, average_json, strlen(average_json), "test", at("2024-01-01 08:00"), NULL,
					   NULL, err, sizeof err),
		 HG_OK, "the average model (%s)", err);
	T_EQ_INT(t, agreement_store_ensure_builtin(s, at("2024-01-01 09:00")), HG_OK, "built-in defaults");
	T_EQ_INT(t, agreement_store_ensure_builtin(s, at("2024-01-01 10:00")), HG_OK, "built-in defaults, again");

	agreement_row *rows = NULL;
	size_t n = 0;
	T_EQ_INT(t, agreement_store_list(s, &rows, &n), HG_OK, "list");
	T_EQ_INT(t, n, 4, "four versions");
	static const char *const ids[] = {"statutory", "statutory-2018", "test-avg", "test-cal"};
	for (size_t i = 0; i < n && i < 4; i++) {
		T_EQ_STR(t, rows[i].id, ids[i], "row %zu", i);
		T_TRUE(t, rows[i].latest, "row %zu is the latest", i);
	}
	hg_free(rows);

	T_EQ_INT(t, agreement_store_get(s, "test-cal", 0, &b, &doc, NULL), HG_OK, "get the latest");
	T_TRUE(t, agreement_equal(&a, &b), "the stored record is the imported one");
	T_EQ_STR(t, doc, per_night_json, "the file is kept as imported");
	hg_free(doc);
	T_EQ_INT(t, agreement_store_get(s, "test-cal", 2, NULL, NULL, NULL), HG_ENOTFOUND, "no version 2");
	T_EQ_INT(t, agreement_store_get(s, "nope", 0, NULL, NULL, NULL), HG_ENOTFOUND, "no such agreement");
	agreement_ref refs[2] = {{"test-cal", 1}, {"statutory", 1}}, missing[1] = {{"test-cal", 7}};
	agreement *list = NULL;
	T_EQ_INT(t, agreement_store_versions(s, refs, 2, &list), HG_OK, "exact versions");
	T_TRUE(t, list && strcmp(list[1].id, "statutory") == 0, "in the order asked");
	hg_free(list);
	T_EQ_INT(t, agreement_store_versions(s, missing, 1, &list), HG_ENOTFOUND, "a missing version");

	/* The file rendering round trip, for the built-in records and an imported one. */
	size_t nb;
	const agreement *builtin = agreement_statutory(&nb);
	for (size_t i = 0; i <= nb; i++) {
		const agreement *src = i < nb ? &builtin[i] : &a;
		json_t *j = agreement_json_render(src);
		char *text = j ? invoice_store_json_text(j, JSON_COMPACT) : NULL;
		agreement back;
		T_TRUE(t, text && agreement_json_parse(text, strlen(text), &back, err, sizeof err) == HG_OK &&
				  agreement_equal(src, &back),
		       "render and parse %s (%s)", src->id, err);
		json_decref(j);
		hg_free(text);
	}
}

/* ---- invoices ---- */

static json_t *build(struct test *t, store *s, const char *month, const char *municipality, const char *cutoff,
		     const char *now)
{
	invoice_build_request rq = {.municipality = municipality, .county = "20", .cutoff = at(cutoff),
				    .now = at(now), .username = "tester", .org = "R20", .save = true};
	char err[256];
	json_t *out = NULL;
	if (billing_month_parse(month, &rq.month) != HG_OK)
		abort();
	T_EQ_INT(t, invoice_store_build(s, &rq, &out, err, sizeof err), HG_OK, "build %s (%s)", month, err);
	return out;
}

static json_t *first_invoice(json_t *out) { return json_array_get(json_object_get(out, "invoices"), 0); }
static long long ji(const json_t *o, const char *k) { return (long long)json_integer_value(json_object_get(o, k)); }
static const char *js(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "(none)";
}

static void test_invoices(struct test *t, store *s, const char *path)
{
	int64_t a = episode(t, s, "19121212-1212", "2080", "2024-02-28 08:00", "2024-03-01 10:00", "2024-03-06 11:00");
	int64_t b = episode(t, s, "19400312-2381", "2080", "2024-03-20 08:00", "2024-03-25 10:00", NULL);

	json_t *out = build(t, s, "2024-03", NULL, "2024-04-01 00:00", "2024-04-02 08:00");
	json_t *inv = first_invoice(out);
	T_EQ_INT(t, json_array_size(json_object_get(out, "invoices")), 1, "one municipality has lines");
	T_EQ_STR(t, js(inv, "municipality"), "2080", "Falun");
	T_EQ_STR(t, js(inv, "agreement"), "test-cal", "its agreement");
	T_EQ_STR(t, js(inv, "status"), "created", "created");
	T_EQ_INT(t, ji(inv, "total_ore"), 3000000, "2 + 4 nights at 5 000 kr");
	json_t *lines = json_object_get(inv, "lines");
	T_EQ_INT(t, json_array_size(lines), 2, "two lines");
	T_EQ_INT(t, ji(json_array_get(lines, 0), "episode"), a, "line 1 is episode a");
	T_EQ_INT(t, ji(json_array_get(lines, 0), "nights"), 2, "a: 2 nights");
	T_EQ_INT(t, ji(json_array_get(lines, 1), "nights"), 4, "b: 4 nights (28-31 March)");
	T_TRUE(t, json_is_null(json_object_get(json_array_get(lines, 1), "discharge_date")), "b is still in hospital");
	int64_t id = ji(inv, "id");
	json_decref(out);

	out = build(t, s, "2024-03", NULL, "2024-04-01 00:00", "2024-04-02 09:00");
	T_EQ_STR(t, js(first_invoice(out), "status"), "unchanged", "the same build again");
	T_EQ_INT(t, ji(first_invoice(out), "id"), id, "the same invoice");
	json_decref(out);

	/* A late correction: b was discharged on 29 March, registered on 5 April. */
	event ev = ward_event(EVENT_DISCHARGED, "2024-03-29 11:00");
	ev.u.discharged.destination = DEST_OWN_HOME;
	append(t, s, &b, &ev, at("2024-04-05 10:00"));
	json_t *r = NULL;
	T_EQ_INT(t, invoice_store_review(s, id, at("2024-04-06 08:00"), &r), HG_OK, "review");
	T_TRUE(t, json_is_true(json_object_get(r, "reproducible")), "reproducible at the cut-off");
	T_TRUE(t, json_is_true(json_object_get(r, "identical")), "identical at the cut-off");
	json_t *diff = json_object_get(r, "differences");
	T_EQ_INT(t, json_array_size(diff), 1, "one difference");
	T_EQ_INT(t, ji(json_array_get(diff, 0), "episode"), b, "episode b");
	T_EQ_STR(t, js(json_array_get(diff, 0), "change"), "changed", "changed");
	T_EQ_INT(t, ji(json_object_get(json_array_get(diff, 0), "after"), "nights"), 1, "now 1 night");
	T_EQ_INT(t, ji(r, "total_now_ore"), 1500000, "total now");
	json_decref(r);
	out = build(t, s, "2024-03", NULL, "2024-04-01 00:00", "2024-04-06 09:00");
	T_EQ_STR(t, js(first_invoice(out), "status"), "unchanged", "rebuilt at the cut-off: the same figures");
	json_decref(out);

	/* As of later: the draft is replaced by a new revision. */
	out = build(t, s, "2024-03", "2080", "2024-04-06 00:00", "2024-04-06 10:00");
	inv = first_invoice(out);
	T_EQ_STR(t, js(inv, "status"), "created", "a new revision");
	T_EQ_INT(t, ji(inv, "revision"), 2, "revision 2");
	T_EQ_INT(t, ji(inv, "total_ore"), 1500000, "with the late figure");
	int64_t id2 = ji(inv, "id");
	json_decref(out);
	inv = NULL; /* it was borrowed from out */
	json_t *rows = NULL;
	invoice_filter all = {.month = "2024-03", .state = -2}, live = {.month = "2024-03", .state = -1};
	T_EQ_INT(t, invoice_store_list(s, &all, &rows), HG_OK, "list all");
	T_EQ_INT(t, json_array_size(rows), 2, "both revisions are kept");
	T_EQ_STR(t, js(json_array_get(rows, 1), "state"), "superseded", "the first is superseded");
	json_decref(rows);
	rows = NULL; /* a list that fails (an injected allocation failure) leaves rows as it was */
	T_EQ_INT(t, invoice_store_list(s, &live, &rows), HG_OK, "list");
	T_EQ_INT(t, json_array_size(rows), 1, "superseded invoices are not listed by default");
	json_decref(rows);

	/* The workflow. */
	invoice_refusal why;
	invoice_act_request send = {.action = INVOICE_SEND, .party = INVOICE_REGION, .username = "reg", .org = "R20",
				    .now = at("2024-04-07 08:00")};
	T_EQ_INT(t, invoice_store_act(s, id2, &send, &why), HG_OK, "send");
	T_EQ_INT(t, invoice_store_act(s, id2, &send, &why), HG_ECONFLICT, "send twice");
	T_EQ_INT(t, why, INVOICE_WRONG_STATE, "wrong state");
	int64_t disputed[] = {a};
	invoice_act_request dispute = {.action = INVOICE_DISPUTE, .party = INVOICE_REGION, .username = "reg",
				       .org = "R20", .reason = "x", .lines = disputed, .n_lines = 1,
				       .now = at("2024-04-08 08:00")};
	T_EQ_INT(t, invoice_store_act(s, id2, &dispute, &why), HG_EDENIED, "the region does not dispute");
	dispute.party = INVOICE_MUNICIPALITY;
	dispute.username = "mun";
	dispute.org = "2080";
	dispute.reason = "";
	T_EQ_INT(t, invoice_store_act(s, id2, &dispute, &why), HG_EINVAL, "a dispute needs a reason");
	T_EQ_INT(t, why, INVOICE_REASON_REQUIRED, "reason_required");
	dispute.reason = "Fel datum";
	T_EQ_INT(t, invoice_store_act(s, id2, &dispute, &why), HG_OK, "dispute line a");
	invoice_adjustment adj[] = {{a, 500000}};
	invoice_act_request decide = {.action = INVOICE_DECIDE, .party = INVOICE_REGION, .username = "reg",
				      .org = "R20", .reason = "Ett dygn", .outcome = INVOICE_ADJUSTED,
				      .adjustments = adj, .n_adjustments = 1, .now = at("2024-04-09 08:00")};
	T_EQ_INT(t, invoice_store_act(s, id2, &decide, &why), HG_OK, "decide: adjusted");
	T_EQ_INT(t, invoice_store_act(s, 999, &decide, &why), HG_ENOTFOUND, "no such invoice");
	T_EQ_INT(t, invoice_store_get(s, id2, &inv), HG_OK, "get");
	T_EQ_STR(t, js(inv, "state"), "decided", "decided");
	T_EQ_STR(t, js(inv, "outcome"), "adjusted", "adjusted");
	T_EQ_INT(t, ji(inv, "owed_ore"), 1000000, "owed: one night less");
	T_EQ_INT(t, ji(inv, "total_ore"), 1500000, "the basis stands");
	json_t *steps = json_object_get(inv, "steps");
	static const char *const actions[] = {"build", "send", "dispute", "decide"};
	static const char *const users[] = {"tester", "reg", "mun", "reg"};
	T_EQ_INT(t, json_array_size(steps), 4, "four steps");
	for (size_t i = 0; i < 4; i++) {
		T_EQ_STR(t, js(json_array_get(steps, i), "action"), actions[i], "step %zu", i + 1);
		T_EQ_STR(t, js(json_array_get(steps, i), "username"), users[i], "step %zu by", i + 1);
	}
	T_EQ_STR(t, js(json_array_get(steps, 2), "reason"), "Fel datum", "the dispute's reason");
	T_EQ_STR(t, js(json_array_get(steps, 1), "at"), "2024-04-07T06:00:00Z", "when it was sent");
	json_decref(inv);
	inv = NULL; /* a get that fails leaves inv as it was */
	T_EQ_INT(t, invoice_store_get(s, 999, &inv), HG_ENOTFOUND, "get an unknown invoice");

	char municipality[8];
	int64_t *eps = NULL;
	size_t n = 0;
	T_EQ_INT(t, invoice_store_parties(s, id2, municipality, &eps, &n), HG_OK, "parties");
	T_EQ_STR(t, municipality, "2080", "the municipality");
	T_TRUE(t, n == 2 && eps[0] == a && eps[1] == b, "the episodes");
	hg_free(eps);

	/* The invoices that list an episode, in one query; the core picks the one an officer follows. */
	invoice_ref *refs = NULL;
	n = 0; /* a failed query leaves refs and n as they were */
	T_EQ_INT(t, invoice_store_refs_of_episode(s, a, "2080", NULL, &refs, &n), HG_OK, "refs of a");
	T_TRUE(t, n == 2 && refs[0].id == id2 && refs[1].id == id, "both revisions, the newest first");
	T_TRUE(t, n == 2 && refs[0].state == INVOICE_DECIDED && refs[1].state == INVOICE_SUPERSEDED, "their states");
	T_EQ_STR(t, n ? refs[0].municipality : "", "2080", "their municipality");
	invoice_reader falun = {.region = false, .code = "2080"}, borlange = {.region = false, .code = "2081"},
		       region = {.region = true, .county = "20"};
	T_EQ_INT(t, invoice_reaching_episode(&falun, refs, n), 0, "Falun's officer through the decided invoice");
	T_EQ_INT(t, invoice_reaching_episode(&borlange, refs, n), -1, "not Borlänge's");
	T_EQ_INT(t, invoice_reaching_episode(&region, refs, n), 0, "the region's");
	T_EQ_INT(t, n ? invoice_reaching_episode(&falun, refs + 1, n - 1) : -1, -1, "never through a superseded draft");
	hg_free(refs);
	refs = NULL;
	n = 0;
	T_EQ_INT(t, invoice_store_refs_of_episode(s, b, NULL, "20", &refs, &n), HG_OK, "refs of b in the county");
	T_TRUE(t, n == 2 && refs[0].id == id2, "b as well");
	hg_free(refs);
	refs = NULL;
	T_EQ_INT(t, invoice_store_refs_of_episode(s, a, "2081", NULL, &refs, &n), HG_OK, "refs of a in Borlänge");
	T_EQ_INT(t, n, 0, "none: another municipality's");
	hg_free(refs);
	refs = NULL;
	T_EQ_INT(t, invoice_store_refs_of_episode(s, a, NULL, "21", &refs, &n), HG_OK, "refs of a in another county");
	T_EQ_INT(t, n, 0, "none: another county's");
	hg_free(refs);
	refs = NULL;
	T_EQ_INT(t, invoice_store_refs_of_episode(s, 999, NULL, NULL, &refs, &n), HG_OK, "refs of an unknown episode");
	T_EQ_INT(t, n, 0, "none");
	hg_free(refs);

	/* A sent invoice stays as it is; a build lists what changed. */
	out = build(t, s, "2024-03", "2080", "2024-04-10 00:00", "2024-04-10 10:00");
	T_EQ_STR(t, js(first_invoice(out), "status"), "kept", "kept");
	T_EQ_INT(t, json_array_size(json_object_get(first_invoice(out), "differences")), 0, "nothing changed since");
	json_decref(out);

	/* Nothing of a basis can be changed behind the workflow's back. */
	(void)path;
	sqlite3 *db = sq_conn_get(s);
	static const char *const forbidden[] = {
		"UPDATE invoices SET document = '{}' WHERE id = 1",
		"UPDATE invoices SET total_ore = 0 WHERE id = 1",
		"DELETE FROM invoices WHERE id = 1",
		"UPDATE invoice_steps SET reason = 'x'",
		"DELETE FROM invoice_steps",
		"UPDATE agreements SET document = '{}'",
		"DELETE FROM agreements",
	};
	for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
		T_TRUE(t, sqlite3_exec(db, forbidden[i], NULL, NULL, NULL) != SQLITE_OK, "refused: %s", forbidden[i]);
	sq_conn_put(s, db);
}

static void test_average(struct test *t, store *s)
{
	/* Borlänge, March 2024: ready-days 0 and 8 against 3.00 each: 8 - 6 = 2 days at 1 000 kr. */
	int64_t c = episode(t, s, "19350101-1237", "2081", "2024-03-01 08:00", "2024-03-05 10:00", "2024-03-05 15:00");
	int64_t d = episode(t, s, "19451224-4569", "2081", "2024-03-01 08:00", "2024-03-05 10:00", "2024-03-13 15:00");
	json_t *out = build(t, s, "2024-03", "2081", "2024-04-01 00:00", "2024-04-02 08:00");
	json_t *inv = first_invoice(out), *avg = json_object_get(inv, "average");
	T_EQ_STR(t, js(inv, "agreement"), "test-avg", "the average agreement");
	T_EQ_INT(t, json_array_size(json_object_get(inv, "lines")), 0, "no per-night lines");
	T_TRUE(t, json_is_object(avg), "a settlement");
	T_EQ_INT(t, ji(avg, "total_ore"), 200000, "2 days above the mean");
	T_EQ_INT(t, ji(inv, "total_ore"), 200000, "the invoice total");
	T_EQ_STR(t, js(avg, "period_from"), "2024-03-01", "the period");
	json_t *eps = json_object_get(avg, "episodes");
	T_TRUE(t, json_array_size(eps) == 2 && ji(json_array_get(eps, 0), "episode") == c &&
			  ji(json_array_get(eps, 1), "episode") == d,
	       "both episodes listed");
	json_t *som = json_array_get(json_object_get(avg, "care"), 0);
	T_EQ_INT(t, ji(som, "ready_days"), 8, "8 ready-days");
	T_EQ_INT(t, ji(som, "allowed_centidays"), 600, "6.00 allowed");
	T_EQ_INT(t, ji(som, "days_billed"), 2, "2 days billed");
	int64_t avg_id = ji(inv, "id");
	json_decref(out);
	/* the average model's list of episodes leads to them as a line does */
	invoice_ref *refs = NULL;
	size_t n = 0;
	T_EQ_INT(t, invoice_store_refs_of_episode(s, d, "2081", NULL, &refs, &n), HG_OK, "refs of d");
	T_TRUE(t, n == 1 && refs[0].id == avg_id && refs[0].state == INVOICE_DRAFT, "the average invoice, a draft");
	hg_free(refs);
	/* February is not settled by episodes that ended in March. */
	out = build(t, s, "2024-02", "2081", "2024-04-01 00:00", "2024-04-02 08:00");
	T_EQ_INT(t, ji(first_invoice(out), "total_ore"), 0, "nothing in February");
	json_decref(out);
}

int main(void)
{
	struct test tt = {.name = "test_invoice_store"}, *t = &tt;
	char path[256], err[256], side[300];
	store *s = NULL;
	(void)snprintf(path, sizeof path, "%s/test_invoice_store.%d.db",
		       getenv("HEMGANG_TEST_TMP") ? getenv("HEMGANG_TEST_TMP") : "/tmp", (int)getpid());
	T_EQ_INT(t, store_open(path, &s, err, sizeof err), HG_OK, "open %s", err);
	if (s) {
		setup(t, s);
		test_agreements(t, s);
		test_invoices(t, s, path);
		test_average(t, s);
		store_close(s);
	}
	unlink(path);
	(void)snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	(void)snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	return test_report(t);
}
