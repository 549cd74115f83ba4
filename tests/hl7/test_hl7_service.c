/*
 * test_hl7_service.c - one message in, one ACK out, on a real SQLite file
 * (hl7_service.h): a day of ADT traffic for one visit, each step's ACK code
 * and outcome and the episode it leaves; redelivery of the same MSH-10 (same
 * ACK, nothing written); sender checks; quarantine of unknown facilities and
 * wards with map-and-replay in order; AE naming the field; AR for garbage;
 * the demo database's open door on loopback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "hl7/hl7_service.h"
#include "store/interop_store.h"
#include "test.h"

#define NOW ((hg_instant)1716192000) /* 2024-05-20T08:00:00Z */

static void setup(struct test *t, store *s)
{
	static const store_org orgs[] = {{"R20", "Region", ORG_REGION, "20"}, {"2080", "Falun", ORG_MUNICIPALITY, "20"},
					 {"R21", "Other region", ORG_REGION, "21"}};
	static const store_unit units[] = {
		{"W1", "R20", "Avd 1", UNIT_WARD, CARE_SOMATIC, "Falu lasarett", "2080"},
		{"W2", "R20", "Avd 2", UNIT_WARD, CARE_GERIATRIC, "Falu lasarett", "2080"},
		{"W9", "R21", "Avd 9", UNIT_WARD, CARE_SOMATIC, "Gävle sjukhus", "2180"},
		{"K1", "2080", "Falun bist", UNIT_MUNICIPAL_SOCIAL, CARE_SOMATIC, "", "2080"},
	};
	for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++)
		T_EQ_INT(t, store_org_put(s, &orgs[i]), HG_OK, "org %zu", i);
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		T_EQ_INT(t, store_unit_put(s, &units[i]), HG_OK, "unit %zu", i);
	interop_facility f = {.facility = "FALU", .org = "R20", .name = "Falu PAS", .addresses = "10.1.1.1 10.1.1.2",
			      .a16_ready = true};
	T_EQ_INT(t, interop_facility_put(s, &f, NOW), HG_OK, "facility FALU");
	interop_facility bad = f;
	snprintf(bad.org, sizeof bad.org, "NOPE");
	snprintf(bad.facility, sizeof bad.facility, "BAD");
	T_EQ_INT(t, interop_facility_put(s, &bad, NOW), HG_ENOTFOUND, "facility of an unknown region");
	T_EQ_INT(t, interop_ward_put(s, "FALU", "MED1", "W1"), HG_OK, "ward code MED1");
	T_EQ_INT(t, interop_ward_put(s, "FALU", "X", "NOPE"), HG_ENOTFOUND, "ward code to an unknown unit");
	bool allowed = false;
	T_EQ_INT(t, interop_address_allowed(s, "10.1.1.2", &allowed), HG_OK, "address lookup");
	T_TRUE(t, allowed, "10.1.1.2 is allowed");
	T_EQ_INT(t, interop_address_allowed(s, "10.1.1.", &allowed), HG_OK, "address prefix lookup");
	T_TRUE(t, !allowed, "a prefix of an address is not allowed");
}

/* An ADT message: trigger, control id, facility, ward code, visit, extra PV1-36, PV1-45, PV2-9, PID-5. */
/* The patient of a visit: one patient may have one open stay, so visits that overlap in these
 * tests belong to different patients (V1 and V2 are Tolvan Tolvansson's, one after the other). */
static const char *visit_pnr(const char *visit)
{
	if (strcmp(visit, "V4") == 0)
		return "19400101-0190";
	if (strcmp(visit, "V9") == 0 || strcmp(visit, "V10") == 0)
		return "19550505-0590";
	if (strcmp(visit, "V5") == 0)
		return "19640823-3234";
	return "19121212-1212";
}

/* The same for a given patient number (any visit, also none); a number with '^' is the whole PID-3. */
static size_t msg_for(char *buf, size_t cap, const char *pnr, const char *trigger, const char *ctl,
		      const char *facility, const char *ward, const char *visit, const char *disp, const char *t45)
{
	return (size_t)snprintf(
		buf, cap,
		"MSH|^~\\&|PAS|%s|HEMGANG|RD|20240503101500+0200||ADT^%s|%s|P|2.5\r"
		"EVN|%s|20240503101200||||20240503100000\r"
		"PID|1||%s%s||Foreign^Fia||||||Storgatan 1^^Falun^^791 31^SE^H^^2080\r"
		"PV1|1|I|%s^1^1^%s||||||||||||||||%s|||||||||||||||||%s||||||||202405030955|%s\r",
		facility, trigger, ctl, trigger, pnr, strchr(pnr, '^') ? "" : "^^^&1.2.752.129.2.1.3.1&ISO", ward, facility,
		visit, disp ? disp : "", t45 ? t45 : "");
}

static size_t msg(char *buf, size_t cap, const char *trigger, const char *ctl, const char *facility, const char *ward,
		  const char *visit, const char *disp, const char *t45, const char *pv2, const char *name)
{
	return (size_t)snprintf(
		buf, cap,
		"MSH|^~\\&|PAS|%s|HEMGANG|RD|20240503101500+0200||ADT^%s|%s|P|2.5\r"
		"EVN|%s|20240503101200||||20240503100000\r"
		"PID|1||%s^^^&1.2.752.129.2.1.3.1&ISO||%s||||||Storgatan 1^^Falun^^791 31^SE^H^^2080\r"
		"PV1|1|I|%s^1^1^%s||||||||||||||||%s|||||||||||||||||%s||||||||202405030955|%s\r"
		"PV2|||||||||%s\r",
		facility, trigger, ctl, trigger, visit_pnr(visit), name ? name : "Tolvansson^Tolvan", ward, facility, visit,
		disp ? disp : "",
		t45 ? t45 : "", pv2 ? pv2 : "");
}

static const hl7_service_opts from_falu = {.demo = false, .peer = "10.1.1.1", .peer_loopback = false};

static episode_state *load(store *s, int64_t id)
{
	episode_state *st = hg_malloc(sizeof *st);
	if (st && store_episode_load(s, id, st, NULL, NULL) != HG_OK) {
		hg_free(st);
		return NULL;
	}
	return st;
}

static void test_day(struct test *t, store *s)
{
	static const struct {
		const char *trigger, *ctl, *ward, *disp, *t45, *pv2, *name;
		adt_ack_code code;
		const char *outcome, *reason;
		episode_status status;
		int events;
	} rows[] = {
		{"A01", "D1", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "accepted", "ok", EPISODE_ADMITTED, 1},
		{"A01", "D1", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "redelivered", "ok", EPISODE_ADMITTED, 0},
		{"A01", "D1b", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ERROR, "error", "already_admitted", EPISODE_ADMITTED, 0},
		{"A02", "D2", "W2", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "accepted", "ok", EPISODE_ADMITTED, 1},
		{"A02", "D3", "W2", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "ignored", "ok", EPISODE_ADMITTED, 0},
		{"A12", "D4", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "accepted", "ok", EPISODE_ADMITTED, 1},
		{"A08", "D5", "MED1", NULL, NULL, NULL, "Tolvansson^Olof", ADT_ACK_ACCEPT, "accepted", "ok",
		 EPISODE_ADMITTED, 1},
		{"A08", "D6", "MED1", NULL, NULL, "20240512", "Tolvansson^Olof", ADT_ACK_ACCEPT, "ignored", "ok",
		 EPISODE_ADMITTED, 0},
		{"A16", "D7", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ERROR, "error", "no_admission_notice", EPISODE_ADMITTED, 0},
		{"A21", "D8", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "accepted", "ok", EPISODE_ADMITTED, 1},
		{"A21", "D9", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ERROR, "error", "already_on_leave", EPISODE_ADMITTED, 0},
		{"A22", "D10", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "accepted", "ok", EPISODE_ADMITTED, 1},
		{"A03", "D11", "MED1", "ZZ", "20240505140000", NULL, NULL, ADT_ACK_ERROR, "error", "bad_code",
		 EPISODE_ADMITTED, 0},
		{"A03", "D12", "MED1", "03", "20240501140000", NULL, NULL, ADT_ACK_ERROR, "error",
		 "discharge_before_admission", EPISODE_ADMITTED, 0},
		{"A03", "D13", "MED1", "03", "20240505140000", NULL, NULL, ADT_ACK_ACCEPT, "accepted", "ok",
		 EPISODE_DISCHARGED, 1},
		{"A13", "D14", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "accepted", "ok", EPISODE_ADMITTED, 1},
		{"A13", "D14", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "redelivered", "ok", EPISODE_ADMITTED, 0},
		{"A03", "D15", "MED1", "01", "20240506100000", NULL, NULL, ADT_ACK_ACCEPT, "accepted", "ok",
		 EPISODE_DISCHARGED, 1},
		{"A04", "D16", "MED1", NULL, NULL, NULL, NULL, ADT_ACK_ACCEPT, "ignored", "ok", EPISODE_DISCHARGED, 0},
	};
	char buf[2048];
	hl7_outcome *out = hg_malloc(sizeof *out), *first = hg_malloc(sizeof *first);
	int64_t episode = 0;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t len = msg(buf, sizeof buf, rows[i].trigger, rows[i].ctl, "FALU", rows[i].ward, "V1", rows[i].disp,
				 rows[i].t45, rows[i].pv2, rows[i].name);
		hl7_service_handle(s, &from_falu, buf, len, NOW, out);
		const char *label = rows[i].ctl;
		T_EQ_INT(t, out->code, rows[i].code, "day %s %s: ACK code", label, rows[i].trigger);
		T_EQ_STR(t, out->outcome, rows[i].outcome, "day %s: outcome", label);
		T_EQ_STR(t, out->reason, rows[i].reason, "day %s: reason", label);
		T_EQ_INT(t, out->events, rows[i].events, "day %s: events", label);
		T_TRUE(t, out->send && out->len > 0 && strncmp(out->ack, "MSH|", 4) == 0, "day %s: an ACK to send", label);
		if (i == 0) {
			episode = out->episode_id;
			*first = *out;
		}
		if (i == 1)
			T_TRUE(t, out->len == first->len && memcmp(out->ack, first->ack, out->len) == 0,
			       "redelivery gets the original ACK byte for byte");
		episode_state *st = load(s, episode);
		T_TRUE(t, st != NULL, "day %s: episode loads", label);
		if (st)
			T_EQ_INT(t, st->status, rows[i].status, "day %s: status", label);
		hg_free(st);
	}
	/* the AE for the bad disposition names PV1-36; the one for the early discharge PV1-45 */
	size_t len = msg(buf, sizeof buf, "A03", "D20", "FALU", "MED1", "V1", "ZZ", "20240505140000", NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_TRUE(t, strstr(out->ack, "ERR||PV1^1^36^1^0|103^Table value not found") != NULL, "AE names PV1-36: %s", out->ack);
	episode_state *st = load(s, episode);
	T_TRUE(t, st != NULL, "episode after the day");
	if (st) {
		T_EQ_STR(t, st->patient.name, "Olof Tolvansson", "A08 corrected the name");
		T_EQ_STR(t, st->ward, "W1", "A12 undid the transfer");
		T_EQ_INT(t, st->destination, DEST_OWN_HOME, "the second discharge's destination");
		T_EQ_INT(t, st->leaves, 1, "one leave");
		T_EQ_INT(t, st->cancellations, 2, "two cancellations (A12, A13)");
	}
	hg_free(st);
	int64_t mapped = 0;
	T_EQ_INT(t, interop_visit_get(s, "FALU", "V1", &mapped), HG_OK, "visit V1 mapped");
	T_EQ_INT(t, mapped, episode, "visit V1 is the episode");
	/* A11 cancels an episode; a new A01 for the same visit opens a new one */
	len = msg(buf, sizeof buf, "A01", "D30", "FALU", "MED1", "V5", NULL, NULL, NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	int64_t cancelled = out->episode_id;
	len = msg(buf, sizeof buf, "A11", "D31", "FALU", "MED1", "V5", NULL, NULL, NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_INT(t, out->code, ADT_ACK_ACCEPT, "A11 (%s)", out->reason);
	st = load(s, cancelled);
	T_TRUE(t, st && st->status == EPISODE_CANCELLED, "A11 cancelled the episode");
	hg_free(st);
	len = msg(buf, sizeof buf, "A11", "D32", "FALU", "MED1", "V5", NULL, NULL, NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "ignored", "a second A11 changes nothing");
	len = msg(buf, sizeof buf, "A01", "D33", "FALU", "MED1", "V5", NULL, NULL, NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_TRUE(t, out->code == ADT_ACK_ACCEPT && out->episode_id != cancelled, "a new admission after A11: a new episode");
	hg_free(out);
	hg_free(first);
}

/*
 * Issue 13.5: a registered sender's message whose visit it never opened, or
 * that names no visit, never lands in an episode another sender (or the JSON
 * API) opened. Before the fix SALA's A03 discharged FALU's patient.
 */
static void test_foreign_episode(struct test *t, store *s)
{
	static const char *const fia = "19300303-1113", *const bo = "19310404-2225";
	interop_facility sala = {.facility = "SALA", .org = "R20", .name = "Sala PAS", .addresses = "10.1.1.5"};
	T_EQ_INT(t, interop_facility_put(s, &sala, NOW), HG_OK, "facility SALA (another hospital of the region)");
	const hl7_service_opts from_sala = {.peer = "10.1.1.5"};
	char buf[2048];
	hl7_outcome *out = hg_malloc(sizeof *out);
	size_t len = msg_for(buf, sizeof buf, fia, "A01", "F1", "FALU", "MED1", "V20", NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "accepted", "FALU admits Fia on V20 (%s)", out->reason);
	int64_t falu_episode = out->episode_id;
	static const struct {
		const char *label, *trigger, *ctl, *ward, *visit, *disp, *t45;
		adt_ack_code code;
		const char *reason;
		int field;
	} rows[] = {
		{"SALA's A03 for FALU's visit number", "A03", "S1", "MED1", "V20", "01", "20240506100000", ADT_ACK_ERROR,
		 "unknown_visit", 19},
		{"SALA's A03 for a visit of its own it never admitted", "A03", "S2", "MED1", "S-77", "01", "20240506100000",
		 ADT_ACK_ERROR, "unknown_visit", 19},
		{"SALA's A03 without a visit number", "A03", "S3", "MED1", "", "01", "20240506100000", ADT_ACK_ERROR,
		 "no_episode", 19},
		{"SALA's A02 without a visit number", "A02", "S4", "W2", "", NULL, NULL, ADT_ACK_ERROR, "no_episode", 19},
		{"SALA's A11 for FALU's visit number", "A11", "S5", "MED1", "V20", NULL, NULL, ADT_ACK_ERROR, "unknown_visit",
		 19},
		{"SALA's A01 for a patient FALU has in hospital", "A01", "S6", "W2", "S-78", NULL, NULL, ADT_ACK_ERROR,
		 "patient_has_open_episode", 3},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		len = msg_for(buf, sizeof buf, fia, rows[i].trigger, rows[i].ctl, "SALA", rows[i].ward, rows[i].visit,
			      rows[i].disp, rows[i].t45);
		hl7_service_handle(s, &from_sala, buf, len, NOW, out);
		T_EQ_INT(t, out->code, rows[i].code, "%s: ACK code", rows[i].label);
		T_EQ_STR(t, out->reason, rows[i].reason, "%s: reason", rows[i].label);
		T_EQ_INT(t, out->events, 0, "%s: nothing appended", rows[i].label);
		char where[16];
		snprintf(where, sizeof where, "|%s^1^%d^", rows[i].field == 3 ? "PID" : "PV1", rows[i].field);
		T_TRUE(t, strstr(out->ack, where) != NULL, "%s: the ERR names %s (%s)", rows[i].label, where, out->ack);
		episode_state *st = load(s, falu_episode);
		T_TRUE(t, st && st->status == EPISODE_ADMITTED && strcmp(st->ward, "W1") == 0,
		       "%s: FALU's episode is untouched", rows[i].label);
		hg_free(st);
	}
	/* FALU's own A03 without a visit number finds the episode FALU admitted */
	len = msg_for(buf, sizeof buf, fia, "A03", "F2", "FALU", "MED1", "", "01", "20240506100000");
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "accepted", "FALU's A03 without PV1-19: its own episode (%s)", out->reason);
	T_EQ_INT(t, out->episode_id, falu_episode, "FALU's A03: the episode of V20");

	/* an episode opened through the JSON API is no sender's: an A03 without a visit does not reach it */
	event ev;
	event_init(&ev, EVENT_ADMITTED);
	snprintf(ev.u.admitted.patient.personnummer, sizeof ev.u.admitted.patient.personnummer, "%s", bo);
	snprintf(ev.u.admitted.patient.name, sizeof ev.u.admitted.patient.name, "Bo Ek");
	snprintf(ev.u.admitted.patient.registered_municipality, sizeof ev.u.admitted.patient.registered_municipality, "2080");
	snprintf(ev.u.admitted.hospital, sizeof ev.u.admitted.hospital, "Falu lasarett");
	snprintf(ev.u.admitted.ward, sizeof ev.u.admitted.ward, "W1");
	ev.u.admitted.care = CARE_SOMATIC;
	snprintf(ev.author_unit, sizeof ev.author_unit, "W1");
	ev.author_kind = UNIT_WARD;
	snprintf(ev.author_org, sizeof ev.author_org, "R20");
	snprintf(ev.author_user, sizeof ev.author_user, "avd1");
	ev.occurred_at = NOW - 86400;
	store_append_result r;
	event_error everr;
	T_EQ_INT(t, store_append(s, 0, &ev, NULL, NOW, &r, &everr), HG_OK, "Bo admitted through the API (%s %s)",
		 everr.code ? everr.code : "", everr.field);
	len = msg_for(buf, sizeof buf, bo, "A03", "F3", "FALU", "MED1", "", "01", "20240520100000");
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->reason, "no_episode", "FALU's A03 without a visit does not discharge the API's episode");
	episode_state *st = load(s, r.episode_id);
	T_TRUE(t, st && st->status == EPISODE_ADMITTED, "Bo is still admitted");
	hg_free(st);
	hg_free(out);
}

/* Issue 16.1: a facility's own PID-3 rule (`hemgang hl7 facility KARL --pid CAMBIO^PI`). */
static void test_pid_rules(struct test *t, store *s)
{
	interop_facility karl = {.facility = "KARL", .org = "R20", .name = "Karlstad PAS", .addresses = "10.1.1.7"};
	const hl7_service_opts from_karl = {.peer = "10.1.1.7"};
	char buf[2048];
	hl7_outcome *out = hg_malloc(sizeof *out);
	T_EQ_INT(t, interop_facility_put(s, &karl, NOW), HG_OK, "facility KARL without rules");
	static const char *const pid3[] = {"193205053337^^^CAMBIO^PI", "193205053337^^^SE^PN"};
	static const struct {
		const char *label;
		int pid3;
		const char *rules, *ctl;
		const char *reason;
	} rows[] = {
		{"CAMBIO^PI without a rule", 0, "", "K1", "unknown_assigning_authority"},
		{"CAMBIO^PI with the rule", 0, "CAMBIO^PI", "K2", "ok"},
		{"SE^PN, a common convention, needs no rule", 1, "", "K3", "already_admitted"},
		{"a rule for another type does not match", 0, "CAMBIO^NNSWE reserve:^RI", "K4", "unknown_assigning_authority"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		snprintf(karl.pid_rules, sizeof karl.pid_rules, "%s", rows[i].rules);
		T_EQ_INT(t, interop_facility_put(s, &karl, NOW), HG_OK, "%s: rules set", rows[i].label);
		size_t len = (size_t)snprintf(buf, sizeof buf,
					      "MSH|^~\\&|PAS|KARL|HEMGANG|RD|20240503101500+0200||ADT^A01|%s|P|2.5\r"
					      "EVN|A01|20240503101200\r"
					      "PID|1||%s||Karlsson^Karl||||||Storgatan 1^^Falun^^791 31^SE^H^^2080\r"
					      "PV1|1|I|W1^1^1^KARL||||||||||||||||KV1|||||||||||||||||||||||||202405030955\r",
					      rows[i].ctl, pid3[rows[i].pid3]);
		hl7_service_handle(s, &from_karl, buf, len, NOW, out);
		T_EQ_STR(t, out->reason, rows[i].reason, "%s", rows[i].label);
	}
	adt_pid_rules r;
	T_EQ_INT(t, adt_pid_rules_parse("SE^PN reserve:1.2.3^RI ^NNSWE X", &r), HG_OK, "four rules parse");
	T_TRUE(t, r.n == 4 && r.rule[1].reserve && strcmp(r.rule[1].authority, "1.2.3") == 0 && !r.rule[2].authority[0] &&
			  strcmp(r.rule[3].authority, "X") == 0 && !r.rule[3].type[0],
	       "rules read as written");
	static const char *const bad[] = {"^", "A^B^C", "A&B^C", "reserve:", "A^B ^"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		T_EQ_INT(t, adt_pid_rules_parse(bad[i], &r), HG_EINVAL, "bad rule '%s'", bad[i]);
	T_EQ_INT(t, adt_pid_rules_parse("A B C D E F G H I", &r), HG_ERANGE, "at most eight rules");
	hg_free(out);
}

/* A message with a PID-3 and an MRG-1 given whole (A40, A18), from FALU. */
static size_t merge_msg(char *buf, size_t cap, const char *trigger, const char *ctl, const char *pid3, const char *mrg1)
{
	return (size_t)snprintf(buf, cap,
				"MSH|^~\\&|PAS|FALU|HEMGANG|RD|20240520101500+0200||ADT^%s|%s|P|2.5\r"
				"EVN|%s|20240520101200\r"
				"PID|1||%s||Merged^Maj||||||Storgatan 1^^Falun^^791 31^SE^H^^2080\r"
				"%s%s%s",
				trigger, ctl, trigger, pid3, mrg1 ? "MRG|" : "", mrg1 ? mrg1 : "", mrg1 ? "\r" : "");
}

/*
 * Issue 16.3: A40/A18 move the episodes of the merged-away number (a reserve
 * number here) that this facility admitted to the surviving personnummer, by
 * an audited correction; another sender's episode of that number stays.
 */
static void test_merge(struct test *t, store *s)
{
	static const char *const reserve = "19810829-M071", *const survivor = "19330606-4449";
	char buf[2048];
	hl7_outcome *out = hg_malloc(sizeof *out);
	size_t len = (size_t)snprintf(buf, sizeof buf,
				      "MSH|^~\\&|PAS|FALU|HEMGANG|RD|20240520101500+0200||ADT^A01|R1|P|2.5\r"
				      "EVN|A01|20240518101200\r"
				      "PID|1||19810829M071^^^&1.2.752.97.3.1.3&ISO||Okand^Maj||||||Storgatan 1^^Falun^^791 31^SE^H^^2080\r"
				      "PV1|1|I|MED1^1^1^FALU||||||||||||||||V30\r");
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "accepted", "A01 under a reserve number (%s)", out->reason);
	int64_t falu_episode = out->episode_id;
	len = msg_for(buf, sizeof buf, "19810829M071^^^&1.2.752.97.3.1.3&ISO", "A03", "R2", "FALU", "MED1", "V30", "01",
		      "20240519100000");
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "accepted", "discharged (%s)", out->reason);
	/* the same reserve number, admitted again through the JSON API: not FALU's episode */
	event ev;
	event_init(&ev, EVENT_ADMITTED);
	snprintf(ev.u.admitted.patient.personnummer, sizeof ev.u.admitted.patient.personnummer, "%s", reserve);
	snprintf(ev.u.admitted.patient.name, sizeof ev.u.admitted.patient.name, "Maj Okand");
	snprintf(ev.u.admitted.patient.registered_municipality, sizeof ev.u.admitted.patient.registered_municipality,
		 "2080");
	snprintf(ev.u.admitted.hospital, sizeof ev.u.admitted.hospital, "Falu lasarett");
	snprintf(ev.u.admitted.ward, sizeof ev.u.admitted.ward, "W2");
	ev.u.admitted.care = CARE_GERIATRIC;
	snprintf(ev.author_unit, sizeof ev.author_unit, "W2");
	ev.author_kind = UNIT_WARD;
	snprintf(ev.author_org, sizeof ev.author_org, "R20");
	snprintf(ev.author_user, sizeof ev.author_user, "avd2");
	ev.occurred_at = NOW - 3600;
	store_append_result r;
	event_error everr;
	T_EQ_INT(t, store_append(s, 0, &ev, NULL, NOW, &r, &everr), HG_OK, "the API admits the reserve number (%s)",
		 everr.code ? everr.code : "");
	char pid3[96], mrg1[96];
	snprintf(pid3, sizeof pid3, "%s^^^&1.2.752.129.2.1.3.1&ISO", "193306064449");
	snprintf(mrg1, sizeof mrg1, "%s^^^&1.2.752.97.3.1.3&ISO", "19810829M071");
	len = merge_msg(buf, sizeof buf, "A40", "R3", pid3, mrg1);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "accepted", "A40 (%s)", out->reason);
	T_EQ_INT(t, out->events, 1, "A40: one episode moved");
	episode_state *st = load(s, falu_episode);
	T_TRUE(t, st && strcmp(st->patient.personnummer, survivor) == 0 && strcmp(st->patient.name, "Maj Merged") == 0,
	       "FALU's episode now has the surviving number and PID-5");
	hg_free(st);
	st = load(s, r.episode_id);
	T_TRUE(t, st && strcmp(st->patient.personnummer, reserve) == 0, "the API's episode keeps its number");
	hg_free(st);
	store_audit_filter af = {.episode_id = falu_episode};
	store_audit *audit = NULL;
	size_t na = 0;
	T_EQ_INT(t, store_audit_list(s, &af, &audit, &na), HG_OK, "audit of the moved episode");
	bool audited = false;
	for (size_t i = 0; i < na; i++)
		audited = audited || (strcmp(audit[i].action, "event.append") == 0 && strstr(audit[i].reason, "A40 R3@") != NULL);
	T_TRUE(t, audited, "the move is in the audit log");
	hg_free(audit);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "redelivered", "A40 redelivered");
	len = merge_msg(buf, sizeof buf, "A18", "R4", pid3, mrg1);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_TRUE(t, strcmp(out->outcome, "ignored") == 0 && out->events == 0, "A18 of the same pair: nothing left to move");
	len = merge_msg(buf, sizeof buf, "A40", "R5", pid3, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_TRUE(t, out->code == ADT_ACK_ERROR && strstr(out->ack, "|MRG^1^0^") != NULL, "A40 without MRG: AE naming MRG");
	len = merge_msg(buf, sizeof buf, "A40", "R6", pid3, pid3);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->reason, "merge_into_itself", "A40 of a number into itself");
	hg_free(out);
}

/* Issue 16.3: a batch file (FHS/BHS) is its messages one by one, answered by a batch of ACKs. */
static void test_batch(struct test *t, store *s)
{
	char batch[8192], one[2048];
	size_t n = (size_t)snprintf(batch, sizeof batch, "FHS|^~\\&|PAS|FALU\rBHS|^~\\&|PAS|FALU\r");
	n += msg_for(batch + n, sizeof batch - n, "19340707-5559", "A01", "B1", "FALU", "MED1", "V40", NULL, NULL);
	n += msg_for(batch + n, sizeof batch - n, "19340707-5559", "A02", "B2", "FALU", "W2", "V40", NULL, NULL);
	n += msg_for(batch + n, sizeof batch - n, "19340707-5559", "A03", "B3", "FALU", "W2", "V40", "ZZ", NULL);
	n += (size_t)snprintf(batch + n, sizeof batch - n, "BTS|3\rFTS|1\r");
	T_TRUE(t, hl7_is_batch(batch, n) && !hl7_is_batch(one, msg_for(one, sizeof one, "19340707-5559", "A04", "B0",
								       "FALU", "MED1", "V40", NULL, NULL)),
	       "a batch is told from a message");
	char *acks = NULL;
	size_t alen = 0;
	int stats[3];
	T_EQ_INT(t, hl7_batch_handle(s, &from_falu, batch, n, NOW, &acks, &alen, stats), HG_OK, "the batch");
	T_TRUE(t, stats[ADT_ACK_ACCEPT] == 2 && stats[ADT_ACK_ERROR] == 1 && stats[ADT_ACK_REJECT] == 0,
	       "two accepted, one error (%d %d %d)", stats[0], stats[1], stats[2]);
	T_TRUE(t, acks && strncmp(acks, "FHS|^~\\&|HEMGANG|", 17) == 0 && strstr(acks, "\rBHS|") &&
			  strstr(acks, "\rMSA|AA|B1\r") && strstr(acks, "\rMSA|AA|B2\r") && strstr(acks, "\rMSA|AE|B3|") &&
			  strstr(acks, "\rBTS|3\rFTS|1\r"),
	       "the answer: FHS, BHS, three ACKs, BTS 3, FTS: %s", acks ? acks : "");
	hg_free(acks);
	int64_t id = 0;
	T_EQ_INT(t, interop_visit_get(s, "FALU", "V40", &id), HG_OK, "the batch's admission is stored");
	episode_state *st = load(s, id);
	T_TRUE(t, st && strcmp(st->ward, "W2") == 0 && st->status == EPISODE_ADMITTED, "and its transfer");
	hg_free(st);
	/* more than HL7_BATCH_MAX messages: refused whole */
	size_t cap = (HL7_BATCH_MAX + 2) * 64;
	char *big = hg_malloc(cap);
	size_t bn = (size_t)snprintf(big, cap, "BHS|^~\\&\r");
	for (int i = 0; i <= HL7_BATCH_MAX; i++)
		bn += (size_t)snprintf(big + bn, cap - bn, "MSH|^~\\&|PAS|FALU|||||ADT^A04|X%d|P|2.5\r", i);
	T_EQ_INT(t, hl7_batch_handle(s, &from_falu, big, bn, NOW, &acks, &alen, stats), HG_OK, "a batch too big");
	T_TRUE(t, stats[ADT_ACK_REJECT] == 1 && stats[ADT_ACK_ACCEPT] == 0 && acks && strstr(acks, "too_many_messages"),
	       "one AR for the whole batch");
	hg_free(acks);
	hg_free(big);
}

static void test_senders(struct test *t, store *s)
{
	static const struct {
		const char *label, *msg, *peer;
		bool demo, loopback;
		adt_ack_code code;
		const char *outcome, *reason;
	} rows[] = {
		{"wrong address", "MSH|^~\\&|PAS|FALU|HEMGANG|RD|20240503101500||ADT^A01|S1|P|2.5\r", "10.9.9.9", false, false,
		 ADT_ACK_REJECT, "rejected", "sender_not_allowed"},
		{"garbage", "hello world", "10.1.1.1", false, false, ADT_ACK_REJECT, "rejected", "no_msh"},
		{"empty", "\r\r", "10.1.1.1", false, false, ADT_ACK_REJECT, "rejected", "empty"},
		{"bad delimiters", "MSH|^\r", "10.1.1.1", false, false, ADT_ACK_REJECT, "rejected", "bad_delimiters"},
		{"not ADT", "MSH|^~\\&|PAS|FALU|HEMGANG|RD|20240503101500||ORU^R01|S2|P|2.5\r", "10.1.1.1", false, false,
		 ADT_ACK_REJECT, "rejected", "unsupported_message_type"},
		{"test processing id", "MSH|^~\\&|PAS|FALU|HEMGANG|RD|20240503101500||ADT^A04|S3|T|2.5\r", "10.1.1.1", false,
		 false, ADT_ACK_REJECT, "rejected", "unsupported_processing_id"},
		{"test processing id, demo", "MSH|^~\\&|PAS|FALU|HEMGANG|RD|20240503101500||ADT^A04|S4|T|2.5\r", "127.0.0.1",
		 true, true, ADT_ACK_ACCEPT, "ignored", "ok"},
	};
	hl7_outcome *out = hg_malloc(sizeof *out);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hl7_service_opts o = {.demo = rows[i].demo, .peer = rows[i].peer, .peer_loopback = rows[i].loopback};
		hl7_service_handle(s, &o, rows[i].msg, strlen(rows[i].msg), NOW, out);
		T_EQ_INT(t, out->code, rows[i].code, "%s: code", rows[i].label);
		T_EQ_STR(t, out->outcome, rows[i].outcome, "%s: outcome", rows[i].label);
		T_EQ_STR(t, out->reason, rows[i].reason, "%s: reason", rows[i].label);
		T_TRUE(t, strstr(out->ack, "\rMSA|A") != NULL, "%s: an ACK with MSA", rows[i].label);
	}
	hg_free(out);
}

static int pending(store *s)
{
	interop_quarantined *rows = NULL;
	size_t n = 0;
	if (interop_quarantine_list(s, "pending", 0, &rows, &n) != HG_OK)
		return -1;
	hg_free(rows);
	return (int)n;
}

static void test_quarantine(struct test *t, store *s)
{
	char buf[2048];
	hl7_outcome *out = hg_malloc(sizeof *out);
	/* an unknown ward: accepted into quarantine, and so is the next message of that visit */
	size_t len = msg(buf, sizeof buf, "A01", "Q1", "FALU", "KIR7", "V2", NULL, NULL, NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_INT(t, out->code, ADT_ACK_ACCEPT, "unknown ward: AA");
	T_EQ_STR(t, out->outcome, "quarantined", "unknown ward: quarantined");
	T_EQ_STR(t, out->reason, "unknown_ward", "unknown ward: reason");
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "redelivered", "a quarantined message redelivered");
	T_EQ_INT(t, pending(s), 1, "one pending row, not two");
	len = msg(buf, sizeof buf, "A03", "Q2", "FALU", "KIR7", "V2", "04", "20240506100000", NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->reason, "earlier_message_quarantined", "the visit's next message waits too");
	T_EQ_INT(t, pending(s), 2, "two pending rows");
	/* a ward of another region is unknown here as well */
	len = msg(buf, sizeof buf, "A01", "Q3", "FALU", "W9", "V3", NULL, NULL, NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->reason, "unknown_ward", "another region's ward");
	/* an unknown facility from an allowed address */
	len = msg(buf, sizeof buf, "A01", "Q4", "MORA", "W1", "V4", NULL, NULL, NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->reason, "unknown_facility", "unknown facility");
	T_EQ_INT(t, pending(s), 4, "four pending rows");

	interop_quarantined *rows = NULL;
	size_t n = 0;
	T_EQ_INT(t, interop_quarantine_list(s, "pending", 0, &rows, &n), HG_OK, "list the quarantine");
	T_TRUE(t, n == 4 && strcmp(rows[0].ward_code, "KIR7") == 0 && strcmp(rows[0].pnr_masked, "19121212-****") == 0,
	       "the first row: KIR7, masked number");
	int64_t first = n ? rows[0].id : 0, second = n > 1 ? rows[1].id : 0, mora = n > 3 ? rows[3].id : 0;
	hg_free(rows);
	int replayed = 0;
	T_EQ_INT(t, hl7_quarantine_replay(s, second, "admin", false, NOW, out, &replayed), HG_ECONFLICT,
		 "the later row cannot jump the queue");
	T_EQ_INT(t, hl7_quarantine_replay(s, first, "admin", false, NOW, out, &replayed), HG_OK, "replay before mapping");
	T_EQ_STR(t, out->outcome, "quarantined", "still unknown: stays");
	T_EQ_INT(t, replayed, 0, "nothing replayed");
	T_EQ_INT(t, interop_ward_put(s, "FALU", "KIR7", "W2"), HG_OK, "map KIR7");
	T_EQ_INT(t, hl7_quarantine_replay(s, first, "admin", false, NOW, out, &replayed), HG_OK, "replay after mapping");
	T_EQ_STR(t, out->outcome, "accepted", "the admission is placed");
	T_EQ_INT(t, replayed, 2, "the A03 that waited went along");
	episode_state *st = out->episode_id ? load(s, out->episode_id) : NULL;
	T_TRUE(t, st && st->status == EPISODE_DISCHARGED && st->destination == DEST_SHORT_TERM_CARE &&
			  strcmp(st->admitting_ward, "W2") == 0,
	       "replayed: admitted on W2 and discharged to short-term care");
	hg_free(st);
	T_EQ_INT(t, hl7_quarantine_replay(s, first, "admin", false, NOW, out, &replayed), HG_ECONFLICT, "replayed once");
	interop_quarantined q;
	T_EQ_INT(t, interop_quarantine_get(s, second, &q, NULL, NULL), HG_OK, "the follower row");
	T_TRUE(t, strcmp(q.state, "replayed") == 0 && strcmp(q.result, "accepted") == 0 && strcmp(q.resolved_by, "admin") == 0,
	       "follower resolved by admin");
	/* the facility gets configured, and its message is replayed */
	interop_facility f = {.facility = "MORA", .org = "R20", .name = "Mora PAS", .addresses = "10.1.1.3"};
	T_EQ_INT(t, interop_facility_put(s, &f, NOW), HG_OK, "configure MORA");
	T_EQ_INT(t, hl7_quarantine_replay(s, mora, "admin", false, NOW, out, &replayed), HG_OK, "replay MORA");
	T_EQ_STR(t, out->outcome, "accepted", "MORA's admission is placed");
	T_EQ_INT(t, pending(s), 1, "only the other region's ward waits");
	T_EQ_INT(t, hl7_quarantine_replay(s, 99999, "admin", false, NOW, out, &replayed), HG_ENOTFOUND, "no such row");
	/* a redelivery of a replayed message gets the accepted answer now */
	len = msg(buf, sizeof buf, "A01", "Q1", "FALU", "KIR7", "V2", NULL, NULL, NULL, NULL);
	hl7_service_handle(s, &from_falu, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "redelivered", "replayed message redelivered");
	hg_free(out);
}

static void test_demo(struct test *t, store *s)
{
	char buf[2048];
	hl7_outcome *out = hg_malloc(sizeof *out);
	hl7_service_opts o = {.demo = true, .peer = "127.0.0.1", .peer_loopback = true};
	size_t len = msg(buf, sizeof buf, "A01", "X1", "ANYONE", "W1", "V9", NULL, NULL, NULL, "Demosson^Demo");
	hl7_service_handle(s, &o, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "accepted", "demo: any facility on loopback, ward by unit id");
	o.peer_loopback = false;
	o.peer = "10.2.2.2";
	len = msg(buf, sizeof buf, "A01", "X2", "ANYONE", "W1", "V10", NULL, NULL, NULL, "Demosson^Demo");
	hl7_service_handle(s, &o, buf, len, NOW, out);
	T_EQ_STR(t, out->outcome, "quarantined", "demo: not from loopback, the facility is unknown");
	hg_free(out);
}

int main(void)
{
	struct test t = {.name = "test_hl7_service"};
	char path[256];
	const char *tmp = getenv("HEMGANG_TEST_TMP");
	snprintf(path, sizeof path, "%s/hl7_service_%d.db", tmp ? tmp : "/tmp", (int)getpid());
	store *s = NULL;
	char err[256];
	if (store_open(path, &s, err, sizeof err) != HG_OK) {
		fprintf(stderr, "cannot open %s: %s\n", path, err);
		T_TRUE(&t, false, "store opens");
		return test_report(&t);
	}
	setup(&t, s);
	test_day(&t, s);
	test_foreign_episode(&t, s);
	test_pid_rules(&t, s);
	test_merge(&t, s);
	test_batch(&t, s);
	test_senders(&t, s);
	test_quarantine(&t, s);
	test_demo(&t, s);
	store_close(s);
	char side[300];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	return test_report(&t);
}
