/*
 * test_adt.c - ADT messages to hemgang events (adt.h):
 *
 *  1. the corpus tests/hl7/corpus/NNN_name.hl7, each with NNN_name.expect
 *     ("key value" lines) saying what adt_read() must find or which error,
 *     naming which HL7 field (a new case is a new pair of files);
 *  2. adt_plan() over episodes built from events: which events each trigger
 *     means, and that the core accepts every one of them;
 *  3. core rejections mapped back to HL7 fields;
 *  4. the ACK in original and enhanced mode, v2.5 and v2.3 error forms.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "hl7/adt.h"
#include "test.h"

#define CORPUS "tests/hl7/corpus"

/* Reads a whole file (hg_malloc'ed, caller frees) into *out; -1 on failure. */
static long read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	long n = -1;
	*out = NULL;
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		*out = hg_malloc((size_t)n + 1);
		if (!*out || fread(*out, 1, (size_t)n, f) != (size_t)n)
			n = -1;
		else
			(*out)[n] = '\0';
	}
	fclose(f);
	return n;
}

/* The value of key in expect text ("key value" lines), copied into buf; NULL when absent. */
static const char *expect_get(const char *text, const char *key, char *buf, size_t cap)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			size_t vl = len - kl - 1;
			if (vl >= cap)
				vl = cap - 1;
			memcpy(buf, p + kl + 1, vl);
			buf[vl] = '\0';
			return buf;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

#define CHECK_KEY(key, got)                                                                                    \
	do {                                                                                                   \
		char expect_val[512];                                                                               \
		if (expect_get(expect, key, expect_val, sizeof expect_val))                                              \
			T_EQ_STR(t, got, expect_val, "%s: " key, name);                                             \
	} while (0)

static void corpus_case(struct test *t, const char *name, const char *msg, long len, const char *expect)
{
	hl7_message *m = hg_malloc(sizeof *m);
	adt_message *am = hg_malloc(sizeof *am);
	adt_error err;
	hl7_parse_reason why;
	char buf[64], where[32];
	T_EQ_INT(t, hl7_parse(msg, (size_t)len, m, &why), HG_OK, "%s: parses", name);
	hg_status rc = adt_read(m, false, date_from_ymd(2024, 6, 30), am, &err);
	const char *status = rc == HG_OK ? "ok" : err.reject ? "reject" : "error";
	if (rc != HG_OK && getenv("ADT_DEBUG"))
		fprintf(stderr, "%s: %s %s-%d %s\n", name, err.code, err.segment, err.field, err.text);
	CHECK_KEY("status", status);
	if (rc != HG_OK) {
		snprintf(buf, sizeof buf, "%d", err.hl7_code);
		snprintf(where, sizeof where, "%s-%d", err.segment, err.field);
		CHECK_KEY("code", err.code);
		CHECK_KEY("hl7", buf);
		CHECK_KEY("where", where);
		goto out;
	}
	CHECK_KEY("trigger", adt_trigger_code(am->trigger));
	if (am->trigger == ADT_OTHER)
		goto out;
	CHECK_KEY("pnr", am->patient.personnummer);
	CHECK_KEY("name", am->patient.name);
	CHECK_KEY("address", am->patient.address);
	CHECK_KEY("municipality", am->patient.registered_municipality);
	CHECK_KEY("pcu", am->patient.primary_care_unit);
	CHECK_KEY("protected", !am->has_protection ? "unset" : am->patient.protected_identity ? "yes" : "no");
	CHECK_KEY("visit", am->visit);
	CHECK_KEY("facility", am->facility);
	CHECK_KEY("ward", am->ward_code);
	CHECK_KEY("inpatient", am->inpatient ? "yes" : "no");
	char when[21], date[11];
	CHECK_KEY("occurred", instant_format_utc(am->occurred_at, when));
	CHECK_KEY("expected", am->expected_date == HG_DATE_NONE ? "none" : date_format(am->expected_date, date));
	CHECK_KEY("destination", am->has_destination ? discharge_destination_label(am->destination)->code : "none");
out:
	hg_free(m);
	hg_free(am);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void test_corpus(struct test *t)
{
	DIR *d = opendir(CORPUS);
	char *names[256];
	size_t n = 0;
	T_TRUE(t, d != NULL, "open " CORPUS);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".hl7") == 0)
			names[n++] = hg_strndup(e->d_name, l - 4);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], by_name);
	T_TRUE(t, n >= 40, "corpus has %zu cases", n);
	for (size_t i = 0; i < n; i++) {
		char path[512], *msg = NULL, *expect = NULL;
		snprintf(path, sizeof path, CORPUS "/%s.hl7", names[i]);
		long len = read_file(path, &msg);
		snprintf(path, sizeof path, CORPUS "/%s.expect", names[i]);
		T_TRUE(t, len > 0 && read_file(path, &expect) >= 0, "%s: files", names[i]);
		if (len > 0 && expect)
			corpus_case(t, names[i], msg, len, expect);
		hg_free(msg);
		hg_free(expect);
		hg_free(names[i]);
	}
}

/* A very long message: 400 NTE segments of 2000 bytes each, the patient intact. */
static void test_long_message(struct test *t)
{
	size_t cap = 900 * 1024, n = 0;
	char *text = hg_malloc(cap);
	n += (size_t)snprintf(text, cap,
			      "MSH|^~\\&|PAS|FALU|HEMGANG|RD|20240503101500+0200||ADT^A01|L1|P|2.5\r"
			      "PID|1||19121212-1212^^^&1.2.752.129.2.1.3.1&ISO||Tolvansson^Tolvan||||||"
			      "Storgatan 1^^Falun^^791 31^SE^H^^2080\rPV1|1|I|E1012\r");
	for (int i = 0; i < 400; i++) {
		n += (size_t)snprintf(text + n, cap - n, "NTE|%d||", i);
		memset(text + n, 'x', 2000);
		n += 2000;
		text[n++] = '\r';
	}
	hl7_message *m = hg_malloc(sizeof *m);
	adt_message *am = hg_malloc(sizeof *am);
	adt_error err;
	T_EQ_INT(t, hl7_parse(text, n, m, NULL), HG_OK, "long message parses (%zu bytes)", n);
	T_EQ_INT(t, m->count, 403, "long message segments");
	T_EQ_INT(t, adt_read(m, false, date_from_ymd(2024, 6, 30), am, &err), HG_OK, "long message reads");
	T_EQ_STR(t, am->patient.name, "Tolvan Tolvansson", "long message patient");
	hg_free(text);
	hg_free(m);
	hg_free(am);
}

/* ---- planning ---- */

#define T0 ((hg_instant)1714723200) /* 2024-05-03T08:00:00Z */
#define HOUR 3600

static const adt_unit W1 = {"W1", UNIT_WARD, "R1", CARE_SOMATIC, "Falu lasarett"};
static const adt_unit W2 = {"W2", UNIT_WARD, "R1", CARE_GERIATRIC, "Falu lasarett"};
static const adt_unit PC = {"PC1", UNIT_PRIMARY_CARE, "2080", CARE_SOMATIC, ""};

static void author(event *ev, const char *unit, const char *org, unit_kind kind)
{
	snprintf(ev->author_unit, sizeof ev->author_unit, "%s", unit);
	snprintf(ev->author_org, sizeof ev->author_org, "%s", org);
	ev->author_kind = kind;
	snprintf(ev->author_user, sizeof ev->author_user, "tester");
}

/* History steps: a = admitted (W1), n = admission notice, t = transferred to W2, d = discharged,
 * x = admission cancelled, r = ready, l = leave started. */
static size_t make_history(const char *steps, event *evs)
{
	size_t n = 0;
	for (const char *s = steps; *s; s++) {
		event *ev = &evs[n];
		hg_instant at = T0 + (hg_instant)(n + 1) * HOUR;
		switch (*s) {
		case 'a':
			event_init(ev, EVENT_ADMITTED);
			snprintf(ev->u.admitted.patient.personnummer, EVENT_PNR_SIZE, "19121212-1212");
			snprintf(ev->u.admitted.patient.name, HG_NAME_MAX, "Tolvan Tolvansson");
			snprintf(ev->u.admitted.patient.registered_municipality, EVENT_MUNICIPALITY_SIZE, "2080");
			snprintf(ev->u.admitted.patient.address, EVENT_ADDRESS_MAX, "Storgatan 1, 791 31 Falun");
			snprintf(ev->u.admitted.hospital, HG_ID_MAX, "Falu lasarett");
			snprintf(ev->u.admitted.ward, HG_ID_MAX, "W1");
			author(ev, "W1", "R1", UNIT_WARD);
			at = T0;
			break;
		case 'n':
			event_init(ev, EVENT_ADMISSION_NOTICE);
			ev->u.admission_notice.recipients.count = 1;
			snprintf(ev->u.admission_notice.recipients.to[0].unit, HG_ID_MAX, "M1");
			ev->u.admission_notice.recipients.to[0].kind = UNIT_MUNICIPAL_SOCIAL;
			snprintf(ev->u.admission_notice.recipients.to[0].org, HG_ID_MAX, "2080");
			ev->u.admission_notice.expected_discharge_date = date_from_ymd(2024, 5, 10);
			author(ev, "W1", "R1", UNIT_WARD);
			break;
		case 't':
			event_init(ev, EVENT_TRANSFERRED);
			snprintf(ev->u.transferred.ward, HG_ID_MAX, "W2");
			ev->u.transferred.care = CARE_GERIATRIC;
			author(ev, "W2", "R1", UNIT_WARD);
			break;
		case 'd':
			event_init(ev, EVENT_DISCHARGED);
			author(ev, "W1", "R1", UNIT_WARD);
			break;
		case 'x':
			event_init(ev, EVENT_CANCELLED);
			ev->u.cancelled.cancels_seq = 1;
			author(ev, "W1", "R1", UNIT_WARD);
			break;
		case 'r':
			event_init(ev, EVENT_READY_FOR_DISCHARGE);
			author(ev, "W1", "R1", UNIT_WARD);
			break;
		case 'l':
			event_init(ev, EVENT_LEAVE_STARTED);
			author(ev, "W1", "R1", UNIT_WARD);
			break;
		}
		ev->occurred_at = at;
		ev->recorded_at = at;
		ev->seq = (int32_t)n + 1;
		n++;
	}
	return n;
}

/* An ADT message with the given trigger and fields (PV2-9 and PV1-36 empty when NULL). */
static size_t make_msg(char *buf, size_t cap, const char *trigger, const char *ward, const char *name,
		       const char *pv2_9, const char *pv1_36, const char *cls)
{
	int n = snprintf(buf, cap,
			 "MSH|^~\\&|PAS|FALU|HEMGANG|RD|20240504101500+0200||ADT^%s|P%s|P|2.5\r"
			 "EVN|%s|20240504101200||||20240504100000\r"
			 "PID|1||19121212-1212^^^&1.2.752.129.2.1.3.1&ISO||%s||||||Storgatan 1^^Falun^^791 31^SE^H^^2080\r"
			 "PV1|1|%s|%s^1^1^FALU||||||||||||||||V1|||||||||||||||||%s||||||||202405031000|202405051400\r"
			 "PV2|||||||||%s\r",
			 trigger, trigger, trigger, name, cls, ward, pv1_36 ? pv1_36 : "", pv2_9 ? pv2_9 : "");
	return (size_t)n;
}

static void test_plan(struct test *t)
{
	static const struct {
		const char *label, *history, *trigger, *ward_code;
		const adt_unit *ward;
		const char *name, *pv2_9, *pv1_36, *cls;
		bool a16;
		hg_status rc;
		const char *err_code;
		int n;
		event_type types[2];
		int32_t target;          /* cancels_seq / corrects_seq of the first event */
		const char *author_unit; /* of the first event */
	} rows[] = {
		{"A01 new episode", "", "A01", "W1", &W1, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 1,
		 {EVENT_ADMITTED}, 0, "W1"},
		{"A01 unknown ward", "", "A01", "X9", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_EINVAL,
		 "unknown_ward", 0, {0}, 0, NULL},
		{"A01 not a ward", "", "A01", "PC1", &PC, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_EINVAL,
		 "not_a_ward", 0, {0}, 0, NULL},
		{"A01 outpatient", "", "A01", "W1", &W1, "Tolvansson^Tolvan", NULL, NULL, "O", false, HG_OK, NULL, 0, {0}, 0,
		 NULL},
		{"A02 to W2", "an", "A02", "W2", &W2, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 1,
		 {EVENT_TRANSFERRED}, 0, "W2"},
		{"A02 bed move", "an", "A02", "W1", &W1, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 0, {0}, 0,
		 NULL},
		{"A02 with a new date", "an", "A02", "W2", &W2, "Tolvansson^Tolvan", "20240512", NULL, "I", false, HG_OK,
		 NULL, 2, {EVENT_TRANSFERRED, EVENT_EXPECTED_DATE_CHANGED}, 0, "W2"},
		{"A03 discharge", "an", "A03", "W1", NULL, "Tolvansson^Tolvan", NULL, "03", "I", false, HG_OK, NULL, 1,
		 {EVENT_DISCHARGED}, 0, "W1"},
		{"A03 after transfer", "ant", "A03", "W2", NULL, "Tolvansson^Tolvan", NULL, "01", "I", false, HG_OK, NULL, 1,
		 {EVENT_DISCHARGED}, 0, "W2"},
		{"A08 new name", "an", "A08", "W1", NULL, "Tolvansson^Olof", NULL, NULL, "I", false, HG_OK, NULL, 1,
		 {EVENT_ADMITTED}, 1, "W1"},
		{"A08 nothing new", "an", "A08", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 0, {0},
		 0, NULL},
		{"A08 new date", "an", "A08", "W1", NULL, "Tolvansson^Tolvan", "20240514", NULL, "I", false, HG_OK, NULL, 1,
		 {EVENT_EXPECTED_DATE_CHANGED}, 0, "W1"},
		{"A08 same date", "an", "A08", "W1", NULL, "Tolvansson^Tolvan", "20240510", NULL, "I", false, HG_OK, NULL, 0,
		 {0}, 0, NULL},
		{"A08 date without notice", "a", "A08", "W1", NULL, "Tolvansson^Tolvan", "20240514", NULL, "I", false, HG_OK,
		 NULL, 0, {0}, 0, NULL},
		{"A08 after discharge", "and", "A08", "W1", NULL, "Tolvansson^Olle", "20240514", NULL, "I", false, HG_OK, NULL,
		 1, {EVENT_ADMITTED}, 1, "W1"},
		{"A11 cancel admit", "an", "A11", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 1,
		 {EVENT_CANCELLED}, 1, "W1"},
		{"A11 again", "anx", "A11", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 0, {0}, 0,
		 NULL},
		{"A03 on a cancelled episode", "anx", "A03", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false,
		 HG_EINVAL, "episode_cancelled", 0, {0}, 0, NULL},
		{"A12 cancel transfer", "ant", "A12", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 1,
		 {EVENT_CANCELLED}, 3, "W2"},
		{"A12 without transfer", "an", "A12", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_EINVAL,
		 "nothing_to_cancel", 0, {0}, 0, NULL},
		{"A13 cancel discharge", "and", "A13", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 1,
		 {EVENT_CANCELLED}, 3, "W1"},
		{"A16 configured", "an", "A16", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", true, HG_OK, NULL, 1,
		 {EVENT_READY_FOR_DISCHARGE}, 0, "W1"},
		{"A16 not configured", "an", "A16", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 0,
		 {0}, 0, NULL},
		{"A25 configured", "anr", "A25", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", true, HG_OK, NULL, 1,
		 {EVENT_READY_WITHDRAWN}, 0, "W1"},
		{"A21 leave", "an", "A21", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 1,
		 {EVENT_LEAVE_STARTED}, 0, "W1"},
		{"A22 back", "anl", "A22", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 1,
		 {EVENT_LEAVE_ENDED}, 0, "W1"},
		{"A03 without episode", "", "A03", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_EINVAL,
		 "no_episode", 0, {0}, 0, NULL},
		{"A04 is not used", "an", "A04", "W1", NULL, "Tolvansson^Tolvan", NULL, NULL, "I", false, HG_OK, NULL, 0, {0},
		 0, NULL},
	};
	char msg[2048];
	event *hist = hg_calloc(8, sizeof *hist), out[ADT_EVENTS_MAX];
	episode_state *st = hg_malloc(sizeof *st), *after = hg_malloc(sizeof *after);
	hl7_message *m = hg_malloc(sizeof *m);
	adt_message *am = hg_malloc(sizeof *am);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *label = rows[i].label;
		adt_error err;
		event_error everr;
		size_t nh = make_history(rows[i].history, hist), n = 0;
		T_EQ_INT(t, episode_fold(hist, nh, st, &everr), HG_OK, "%s: history folds", label);
		size_t len = make_msg(msg, sizeof msg, rows[i].trigger, rows[i].ward_code, rows[i].name, rows[i].pv2_9,
				      rows[i].pv1_36, rows[i].cls);
		T_EQ_INT(t, hl7_parse(msg, len, m, NULL), HG_OK, "%s: parses", label);
		T_EQ_INT(t, adt_read(m, false, date_from_ymd(2024, 6, 30), am, &err), HG_OK, "%s: reads (%s)", label,
			 err.text);
		adt_context cx = {.author_user = "hl7:FALU", .a16_ready = rows[i].a16, .st = nh ? st : NULL,
				  .history = hist, .n = nh};
		if (rows[i].ward)
			cx.ward = *rows[i].ward;
		hg_status rc = adt_plan(am, &cx, out, &n, &err);
		T_EQ_INT(t, rc, rows[i].rc, "%s: status", label);
		if (rc != HG_OK) {
			T_EQ_STR(t, err.code, rows[i].err_code, "%s: reason", label);
			continue;
		}
		T_EQ_INT(t, n, rows[i].n, "%s: events", label);
		for (size_t k = 0; k < n && k < 2; k++)
			T_EQ_STR(t, event_type_code(out[k].type), event_type_code(rows[i].types[k]), "%s: event %zu", label, k);
		if (n == 0)
			continue;
		T_EQ_STR(t, out[0].author_unit, rows[i].author_unit, "%s: author", label);
		T_EQ_STR(t, out[0].author_user, "hl7:FALU", "%s: author user", label);
		if (out[0].type == EVENT_CANCELLED)
			T_EQ_INT(t, out[0].u.cancelled.cancels_seq, rows[i].target, "%s: cancels", label);
		else
			T_EQ_INT(t, out[0].corrects_seq, rows[i].target, "%s: corrects", label);
		/* the core accepts what the plan says, in order */
		size_t total = nh;
		bool accepted = true;
		*after = *st;
		for (size_t k = 0; k < n && accepted; k++) {
			hist[total] = out[k];
			hist[total].seq = (int32_t)total + 1;
			hist[total].recorded_at = T0 + 100 * HOUR;
			accepted = episode_append(after, hist, total, &hist[total], &everr) == HG_OK;
			T_TRUE(t, accepted, "%s: core accepts event %zu (%s %s)", label, k, accepted ? "" : everr.code, accepted ? "" : everr.field);
			total++;
		}
	}
	/* details: the admission carries the message's patient and the ward's data */
	size_t len = make_msg(msg, sizeof msg, "A01", "W1", "Tolvansson^Tolvan", NULL, NULL, "I");
	adt_error err;
	size_t n = 0;
	T_EQ_INT(t, hl7_parse(msg, len, m, NULL), HG_OK, "A01 detail parses");
	T_EQ_INT(t, adt_read(m, false, date_from_ymd(2024, 6, 30), am, &err), HG_OK, "A01 detail reads");
	adt_context cx = {.ward = W1, .author_user = "hl7:FALU"};
	T_EQ_INT(t, adt_plan(am, &cx, out, &n, &err), HG_OK, "A01 detail plans");
	T_EQ_STR(t, out[0].u.admitted.patient.personnummer, "19121212-1212", "A01 pnr");
	T_EQ_STR(t, out[0].u.admitted.hospital, "Falu lasarett", "A01 hospital from the ward");
	T_EQ_INT(t, out[0].u.admitted.care, CARE_SOMATIC, "A01 care type from the ward");
	T_EQ_STR(t, out[0].author_org, "R1", "A01 author org");
	T_EQ_INT(t, out[0].occurred_at, T0, "A01 time from PV1-44 (10:00 local)");
	/* A03: destination and PV1-45 */
	make_history("an", hist);
	T_EQ_INT(t, episode_fold(hist, 2, st, NULL), HG_OK, "A03 detail history");
	len = make_msg(msg, sizeof msg, "A03", "W1", "Tolvansson^Tolvan", NULL, "03", "I");
	T_EQ_INT(t, hl7_parse(msg, len, m, NULL), HG_OK, "A03 detail parses");
	T_EQ_INT(t, adt_read(m, false, date_from_ymd(2024, 6, 30), am, &err), HG_OK, "A03 detail reads");
	adt_context cx3 = {.author_user = "hl7:FALU", .st = st, .history = hist, .n = 2};
	T_EQ_INT(t, adt_plan(am, &cx3, out, &n, &err), HG_OK, "A03 detail plans");
	T_EQ_INT(t, out[0].u.discharged.destination, DEST_SPECIAL_HOUSING, "A03 PV1-36 03 = special housing");
	T_EQ_INT(t, out[0].occurred_at, T0 + 52 * HOUR, "A03 time from PV1-45");
	/* A08: the correction keeps the admission's time and changes only the patient */
	len = make_msg(msg, sizeof msg, "A08", "W1", "Tolvansson^Olof", NULL, NULL, "I");
	T_EQ_INT(t, hl7_parse(msg, len, m, NULL), HG_OK, "A08 detail parses");
	T_EQ_INT(t, adt_read(m, false, date_from_ymd(2024, 6, 30), am, &err), HG_OK, "A08 detail reads");
	T_EQ_INT(t, adt_plan(am, &cx3, out, &n, &err), HG_OK, "A08 detail plans");
	T_EQ_STR(t, out[0].u.admitted.patient.name, "Olof Tolvansson", "A08 new name");
	T_EQ_STR(t, out[0].u.admitted.patient.address, "Storgatan 1, 791 31 Falun", "A08 address kept");
	T_EQ_INT(t, out[0].occurred_at, T0, "A08 correction at the admission time");
	hg_free(hist);
	hg_free(st);
	hg_free(after);
	hg_free(m);
	hg_free(am);
}

static void test_error_map(struct test *t)
{
	static const struct {
		const char *field;
		event_reason reason;
		hg_status rc;
		const char *where;
		int hl7;
	} rows[] = {
		{"patient.personnummer", EVR_BAD_PERSONNUMMER, HG_EINVAL, "PID-3", 102},
		{"patient.name", EVR_REQUIRED, HG_EINVAL, "PID-5", 101},
		{"patient.registered_municipality", EVR_REQUIRED, HG_EINVAL, "PID-11", 101},
		{"expected_discharge_date", EVR_EXPECTED_DATE_TOO_FAR, HG_EINVAL, "PV2-9", 102},
		{"occurred_at", EVR_DISCHARGE_BEFORE_ADMISSION, HG_ECONFLICT, "PV1-45", 207},
		{"type", EVR_AFTER_DISCHARGE, HG_ECONFLICT, "MSH-9", 207},
		{"", EVR_NOT_ON_LEAVE, HG_ECONFLICT, "MSH-9", 207},
		{"destination", EVR_BAD_CODE, HG_EINVAL, "PV1-36", 102},
	};
	adt_message am;
	memset(&am, 0, sizeof am);
	snprintf(am.occurred_src.segment, sizeof am.occurred_src.segment, "PV1");
	am.occurred_src.field = 45;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		event_error ee;
		adt_error out;
		char where[16];
		event_error_clear(&ee);
		hg_status ignored = event_error_set(&ee, rows[i].reason, rows[i].field);
		(void)ignored;
		adt_error_from_event(&am, &ee, rows[i].rc, &out);
		snprintf(where, sizeof where, "%s-%d", out.segment, out.field);
		T_EQ_STR(t, where, rows[i].where, "map %zu location", i + 1);
		T_EQ_INT(t, out.hl7_code, rows[i].hl7, "map %zu code", i + 1);
		T_EQ_STR(t, out.code, event_reason_get(rows[i].reason)->code, "map %zu reason", i + 1);
		T_TRUE(t, !out.reject, "map %zu is AE", i + 1);
	}
}

static void test_ack(struct test *t)
{
	adt_header h;
	memset(&h, 0, sizeof h);
	snprintf(h.sending_app, sizeof h.sending_app, "PAS");
	snprintf(h.sending_facility, sizeof h.sending_facility, "FALU");
	snprintf(h.receiving_app, sizeof h.receiving_app, "HEMGANG");
	snprintf(h.receiving_facility, sizeof h.receiving_facility, "RD");
	snprintf(h.control_id, sizeof h.control_id, "C|1");
	snprintf(h.trigger_code, sizeof h.trigger_code, "A01");
	snprintf(h.processing_id, sizeof h.processing_id, "P");
	snprintf(h.version, sizeof h.version, "2.5");
	adt_error err;
	hg_status ignored = adt_error_set(&err, false, 102, "PID", 3, 1, "bad_personnummer", "PID-3: bad^checksum");
	(void)ignored;
	hg_instant now = T0; /* 10:00 CEST */
	static const struct {
		const char *version, *accept, *app;
		adt_ack_code code;
		bool with_err, wanted;
		const char *want;
	} rows[] = {
		{"2.5", "", "", ADT_ACK_ACCEPT, false, true,
		 "MSH|^~\\&|HEMGANG|RD|PAS|FALU|20240503100000+0200||ACK^A01^ACK|AC\\F\\1|P|2.5\rMSA|AA|C\\F\\1\r"},
		{"2.5", "", "", ADT_ACK_ERROR, true, true,
		 "MSH|^~\\&|HEMGANG|RD|PAS|FALU|20240503100000+0200||ACK^A01^ACK|AC\\F\\1|P|2.5\r"
		 "MSA|AE|C\\F\\1|PID-3: bad\\S\\checksum\r"
		 "ERR||PID^1^3^1^1|102^Data type error^HL70357|E|bad_personnummer^^HEMGANG|||PID-3: bad\\S\\checksum\r"},
		{"2.3", "", "", ADT_ACK_REJECT, true, true,
		 "MSH|^~\\&|HEMGANG|RD|PAS|FALU|20240503100000+0200||ACK^A01^ACK|AC\\F\\1|P|2.3\r"
		 "MSA|AR|C\\F\\1|PID-3: bad\\S\\checksum\rERR|PID^1^3^102&Data type error&HL70357\r"},
		{"2.5", "AL", "NE", ADT_ACK_ACCEPT, false, true,
		 "MSH|^~\\&|HEMGANG|RD|PAS|FALU|20240503100000+0200||ACK^A01^ACK|AC\\F\\1|P|2.5\rMSA|CA|C\\F\\1\r"},
		{"2.5", "ER", "NE", ADT_ACK_ACCEPT, false, false, NULL},
		{"2.5", "ER", "", ADT_ACK_ERROR, false, true,
		 "MSH|^~\\&|HEMGANG|RD|PAS|FALU|20240503100000+0200||ACK^A01^ACK|AC\\F\\1|P|2.5\rMSA|CE|C\\F\\1\r"},
		{"2.5", "NE", "AL", ADT_ACK_REJECT, false, false, NULL},
		{"2.5", "SU", "", ADT_ACK_ACCEPT, false, true, NULL},
		{"2.5", "SU", "", ADT_ACK_ERROR, false, false, NULL},
		{"2.5", "", "AL", ADT_ACK_ERROR, false, true, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char buf[ADT_ACK_MAX];
		size_t len;
		snprintf(h.version, sizeof h.version, "%s", rows[i].version);
		snprintf(h.accept_ack, sizeof h.accept_ack, "%s", rows[i].accept);
		snprintf(h.app_ack, sizeof h.app_ack, "%s", rows[i].app);
		T_EQ_INT(t, adt_ack_wanted(&h, rows[i].code), rows[i].wanted, "ack %zu wanted", i + 1);
		T_EQ_INT(t, adt_ack(&h, rows[i].code, rows[i].with_err ? &err : NULL, now, buf, sizeof buf, &len), HG_OK,
			 "ack %zu renders", i + 1);
		T_EQ_INT(t, len, strlen(buf), "ack %zu length", i + 1);
		if (rows[i].want)
			T_EQ_STR(t, buf, rows[i].want, "ack %zu text", i + 1);
		/* every ACK parses back, and MSA-2 names the original */
		hl7_message *m = hg_malloc(sizeof *m);
		char msa2[32];
		T_EQ_INT(t, hl7_parse(buf, len, m, NULL), HG_OK, "ack %zu parses", i + 1);
		T_EQ_INT(t, hl7_get(m, hl7_find(m, "MSA", 0), 2, 1, 0, 0, msa2, sizeof msa2), HG_OK, "ack %zu MSA-2", i + 1);
		T_EQ_STR(t, msa2, "C|1", "ack %zu MSA-2 value", i + 1);
		hg_free(m);
	}
	/* an unparseable message still gets an AR */
	adt_header empty;
	char buf[ADT_ACK_MAX];
	size_t len;
	memset(&empty, 0, sizeof empty);
	T_EQ_INT(t, adt_ack(&empty, ADT_ACK_REJECT, &err, now, buf, sizeof buf, &len), HG_OK, "empty header ACK");
	T_TRUE(t, strstr(buf, "MSA|AR||") != NULL, "empty header MSA");
	T_EQ_INT(t, adt_ack(&empty, ADT_ACK_REJECT, &err, now, buf, 20, &len), HG_ERANGE, "ACK into 20 bytes");
	T_EQ_INT(t, len, 0, "failed ACK length");
}

static void test_times(struct test *t)
{
	static const struct {
		const char *in;
		hg_status rc;
		const char *utc;
	} rows[] = {
		{"20240503100000", HG_OK, "2024-05-03T08:00:00Z"},
		{"20240103100000", HG_OK, "2024-01-03T09:00:00Z"},
		{"202405031000", HG_OK, "2024-05-03T08:00:00Z"},
		{"2024050310", HG_OK, "2024-05-03T08:00:00Z"},
		{"20240503", HG_OK, "2024-05-03T10:00:00Z"},
		{"20240503100000+0000", HG_OK, "2024-05-03T10:00:00Z"},
		{"20240503100000-0500", HG_OK, "2024-05-03T15:00:00Z"},
		{"20241027023000", HG_OK, "2024-10-27T00:30:00Z"},
		{"20240331023000", HG_EINVAL, NULL},
		{"202405", HG_EINVAL, NULL},
		{"garbage", HG_EINVAL, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		hg_instant at;
		char buf[21];
		hg_status rc = adt_ts_to_instant(rows[i].in, &at);
		T_EQ_INT(t, rc, rows[i].rc, "time %zu '%s'", i + 1, rows[i].in);
		if (rc == HG_OK && rows[i].utc)
			T_EQ_STR(t, instant_format_utc(at, buf), rows[i].utc, "time %zu UTC", i + 1);
	}
	static const struct {
		const char *code;
		bool ok;
		discharge_destination d;
	} dest[] = {
		{"01", true, DEST_OWN_HOME},          {"06", true, DEST_OWN_HOME},  {"02", true, DEST_OTHER_HOSPITAL},
		{"03", true, DEST_SPECIAL_HOUSING},   {"04", true, DEST_SHORT_TERM_CARE}, {"20", true, DEST_DECEASED},
		{"41", true, DEST_DECEASED},          {"05", true, DEST_OTHER},     {"own_home", true, DEST_OWN_HOME},
		{"special_housing", true, DEST_SPECIAL_HOUSING}, {"99", false, DEST_OTHER}, {"", false, DEST_OTHER},
	};
	for (size_t i = 0; i < sizeof dest / sizeof dest[0]; i++) {
		discharge_destination d = DEST_OTHER;
		T_EQ_INT(t, adt_destination_from_code(dest[i].code, &d), dest[i].ok, "PV1-36 '%s'", dest[i].code);
		if (dest[i].ok)
			T_EQ_INT(t, d, dest[i].d, "PV1-36 '%s' destination", dest[i].code);
	}
}

int main(void)
{
	struct test t = {.name = "test_adt"};
	test_corpus(&t);
	test_long_message(&t);
	test_plan(&t);
	test_error_map(&t);
	test_ack(&t);
	test_times(&t);
	return test_report(&t);
}
