/*
 * test_store.c - the store on a real database: appends judged by the core,
 * idempotency, nothing written on a rejection, projections and their rebuild,
 * users, sessions, audit. On a SQLite file by default; with
 * HEMGANG_TEST_PG_URI set (tests/pg/pg.sh), the same checks on that empty
 * PostgreSQL database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/alloc.h"
#include "store/store.h"
#include "test.h"

#define T0 1795420800 /* 2026-11-23T08:00:00Z */

static void copy(char *dst, size_t cap, const char *src) { snprintf(dst, cap, "%s", src); }

static void author(event *ev, const char *unit, unit_kind kind, const char *org, const char *user)
{
	copy(ev->author_unit, sizeof ev->author_unit, unit);
	ev->author_kind = kind;
	copy(ev->author_org, sizeof ev->author_org, org);
	copy(ev->author_user, sizeof ev->author_user, user);
}

static void setup(struct test *t, store *s)
{
	static const store_org orgs[] = {{"R20", "Region", ORG_REGION, "20"}, {"2080", "Falun", ORG_MUNICIPALITY, "20"}};
	static const store_unit units[] = {
		{"W1", "R20", "Avd 1", UNIT_WARD, CARE_SOMATIC, "Falu lasarett", "2080"},
		{"VC1", "R20", "VC Falun", UNIT_PRIMARY_CARE, CARE_SOMATIC, "", "2080"},
		{"K1", "2080", "Falun bist", UNIT_MUNICIPAL_SOCIAL, CARE_SOMATIC, "", "2080"},
	};
	for (size_t i = 0; i < 2; i++)
		T_EQ_INT(t, store_org_put(s, &orgs[i]), HG_OK, "org %zu", i);
	for (size_t i = 0; i < 3; i++)
		T_EQ_INT(t, store_unit_put(s, &units[i]), HG_OK, "unit %zu", i);
	store_unit bad = units[0];
	copy(bad.org, sizeof bad.org, "NOPE");
	copy(bad.id, sizeof bad.id, "W9");
	T_EQ_INT(t, store_unit_put(s, &bad), HG_ENOTFOUND, "unit of an unknown organisation");
}

static int count(store *s, const char *(*unused)(void))
{
	(void)unused;
	store_query q;
	store_episode_row *rows;
	size_t n, total;
	store_query_init(&q);
	q.all = true;
	if (store_episodes_query(s, &q, &rows, &n, &total) != HG_OK)
		return -1;
	hg_free(rows);
	return (int)total;
}

static void test_append(struct test *t, store *s)
{
	event ev;
	store_append_result r, r2;
	event_error err;
	event_init(&ev, EVENT_ADMITTED);
	ev.occurred_at = T0;
	author(&ev, "W1", UNIT_WARD, "R20", "anna");
	copy(ev.u.admitted.patient.personnummer, sizeof ev.u.admitted.patient.personnummer, "19121212-1212");
	copy(ev.u.admitted.patient.name, sizeof ev.u.admitted.patient.name, "Tolvan");
	copy(ev.u.admitted.patient.registered_municipality, 5, "2080");
	copy(ev.u.admitted.patient.primary_care_unit, HG_ID_MAX, "VC1");
	copy(ev.u.admitted.patient.address, EVENT_ADDRESS_MAX, "Storgatan 1, 791 31 Falun");
	copy(ev.u.admitted.hospital, HG_ID_MAX, "Falu lasarett");
	copy(ev.u.admitted.ward, HG_ID_MAX, "W1");
	T_EQ_INT(t, store_append(s, 0, &ev, "k1", T0 + 60, &r, &err), HG_OK, "admission");
	T_EQ_INT(t, r.seq, 1, "first seq");
	T_TRUE(t, !r.replayed, "not replayed");
	T_EQ_INT(t, store_append(s, 0, &ev, "k1", T0 + 70, &r2, &err), HG_OK, "same key again");
	T_TRUE(t, r2.replayed && r2.episode_id == r.episode_id && r2.event_id == r.event_id, "replayed original");
	T_EQ_INT(t, count(s, NULL), 1, "one episode, not two");

	/* A ready notice before any admission notice is fine, but a discharge before... check a real rejection:
	 * an expected date before admission. Nothing may be written. */
	char *before = NULL, *after = NULL;
	T_EQ_INT(t, store_projection_dump(s, &before), HG_OK, "dump before");
	event bad;
	event_init(&bad, EVENT_ADMISSION_NOTICE);
	bad.occurred_at = T0 + 3600;
	author(&bad, "W1", UNIT_WARD, "R20", "anna");
	bad.u.admission_notice.recipients.count = 1;
	copy(bad.u.admission_notice.recipients.to[0].unit, HG_ID_MAX, "K1");
	bad.u.admission_notice.recipients.to[0].kind = UNIT_MUNICIPAL_SOCIAL;
	copy(bad.u.admission_notice.recipients.to[0].org, HG_ID_MAX, "2080");
	bad.u.admission_notice.expected_discharge_date = date_from_ymd(2026, 11, 1);
	bad.u.admission_notice.reason = ADMISSION_REASON_OTHER;
	hg_status rc = store_append(s, r.episode_id, &bad, "k2", T0 + 3700, &r2, &err);
	T_TRUE(t, rc == HG_EINVAL || rc == HG_ECONFLICT, "expected date before admission is rejected (%s)", err.code);
	T_EQ_STR(t, err.field, "expected_discharge_date", "the rejection names the field");
	T_EQ_INT(t, store_projection_dump(s, &after), HG_OK, "dump after");
	T_EQ_STR(t, after, before, "a rejected event changes nothing");
	hg_free(before);
	hg_free(after);

	bad.u.admission_notice.expected_discharge_date = date_from_ymd(2026, 11, 28);
	T_EQ_INT(t, store_append(s, r.episode_id, &bad, "k2", T0 + 3700, &r2, &err), HG_OK, "the same key after the rejection");
	T_EQ_INT(t, r2.seq, 2, "second seq");
	T_EQ_INT(t, store_append(s, 999, &bad, NULL, T0 + 3700, &r2, &err), HG_ENOTFOUND, "unknown episode");

	event dev;
	event_init(&dev, EVENT_DEVIATION);
	dev.occurred_at = T0 + 4000;
	author(&dev, "W1", UNIT_WARD, "R20", "anna");
	dev.u.deviation.category = DEVIATION_OTHER;
	copy(dev.u.deviation.against_org, HG_ID_MAX, "2080");
	T_EQ_INT(t, store_append(s, r.episode_id, &dev, "k2", T0 + 4000, &r2, &err), HG_ECONFLICT, "key reused for another type");
	T_EQ_STR(t, err.code, "idempotency_key_reused", "its code");

	/* Visibility and the pending acknowledgement. */
	const char k1[1][HG_ID_MAX] = {"K1"}, other[1][HG_ID_MAX] = {"K9"};
	bool visible = false;
	T_EQ_INT(t, store_episode_visible(s, r.episode_id, k1, 1, &visible), HG_OK, "visible query");
	T_TRUE(t, visible, "recipient sees the episode");
	T_EQ_INT(t, store_episode_visible(s, r.episode_id, other, 1, &visible), HG_OK, "visible query 2");
	T_TRUE(t, !visible, "stranger does not");
	store_pending_ack *acks;
	size_t n, total = 0;
	store_ack_query aq;
	store_ack_query_init(&aq);
	aq.units = k1;
	aq.n_units = 1;
	T_EQ_INT(t, store_pending_acks(s, &aq, &acks, &n, &total), HG_OK, "pending acks");
	T_EQ_INT(t, n, 1, "one notice waits for K1");
	T_EQ_INT(t, total, 1, "and the total says one");
	if (n)
		T_EQ_INT(t, acks[0].seq, 2, "it is the notice");
	hg_free(acks);
	aq.type = EVENT_READY_FOR_DISCHARGE;
	T_EQ_INT(t, store_pending_acks(s, &aq, &acks, &n, &total), HG_OK, "pending acks of another type");
	T_EQ_INT(t, n + total, 0, "no ready notice waits");
	hg_free(acks);

	episode_state *st = hg_malloc(sizeof *st);
	event *evs = NULL;
	if (T_TRUE(t, st != NULL, "memory for the fold")) {
		T_EQ_INT(t, store_episode_load(s, r.episode_id, st, &evs, &n), HG_OK, "load");
		T_EQ_INT(t, n, 2, "two stored events");
		T_EQ_INT(t, st->status, EPISODE_ADMITTED, "folded status");
		T_EQ_INT(t, st->recipient_count, 1, "one recipient");
	}
	hg_free(evs);
	hg_free(st);

	char *dump1 = NULL, *dump2 = NULL;
	size_t rebuilt = 0;
	T_EQ_INT(t, store_projection_dump(s, &dump1), HG_OK, "dump");
	T_EQ_INT(t, store_rebuild(s, &rebuilt), HG_OK, "rebuild");
	T_EQ_INT(t, rebuilt, 1, "one episode rebuilt");
	T_EQ_INT(t, store_projection_dump(s, &dump2), HG_OK, "dump again");
	T_EQ_STR(t, dump2, dump1, "rebuild gives identical projections");
	hg_free(dump1);
	hg_free(dump2);
}

static void test_users(struct test *t, store *s)
{
	store_user u = {0}, got;
	int64_t id;
	char hash[STORE_PASSWORD_HASH_MAX];
	uint8_t tok[STORE_TOKEN_HASH_SIZE] = {1, 2, 3};
	copy(u.username, sizeof u.username, "anna");
	copy(u.org, sizeof u.org, "R20");
	u.role = ROLE_WARD_STAFF;
	u.n_units = 1;
	copy(u.units[0], HG_ID_MAX, "W1");
	T_EQ_INT(t, store_user_add(s, &u, "$argon2id$fake", T0, &id), HG_OK, "user add");
	T_EQ_INT(t, store_user_add(s, &u, NULL, T0, &id), HG_ECONFLICT, "duplicate user");
	copy(u.username, sizeof u.username, "bo");
	copy(u.units[0], HG_ID_MAX, "NOPE");
	T_EQ_INT(t, store_user_add(s, &u, NULL, T0, &id), HG_ENOTFOUND, "unknown unit");
	T_EQ_INT(t, store_user_get(s, "bo", &got, NULL, 0), HG_ENOTFOUND, "a failed add leaves no user");
	T_EQ_INT(t, store_user_get(s, "anna", &got, hash, sizeof hash), HG_OK, "user get");
	T_EQ_STR(t, hash, "$argon2id$fake", "hash stored");
	T_EQ_INT(t, got.n_units, 1, "units");
	T_EQ_INT(t, store_session_put(s, tok, got.id, T0, T0 + 100), HG_OK, "session");
	T_EQ_INT(t, store_session_get(s, tok, T0 + 50, &got), HG_OK, "live session");
	T_EQ_INT(t, store_session_get(s, tok, T0 + 100, &got), HG_ENOTFOUND, "expired session");
	T_EQ_INT(t, store_session_delete(s, tok), HG_OK, "logout");
	T_EQ_INT(t, store_session_get(s, tok, T0 + 50, &got), HG_ENOTFOUND, "deleted session");

	/* The audit trail: three records, read back whole through each filter, so a filter that is ignored fails. */
	static const struct {
		hg_instant at;
		const char *username, *unit, *action, *reason;
		int64_t episode_id;
	} recs[] = {
	    {T0, "anna", "W1", "episode.read", "", 1},
	    {T0 + 10, "bo", "K1", "episode.list", "", 0},
	    {T0 + 20, "anna", "W1", "search.pnr", "vårdplanering", 1},
	};
	for (size_t i = 0; i < 3; i++) {
		store_audit a = {.at = recs[i].at, .episode_id = recs[i].episode_id};
		copy(a.username, sizeof a.username, recs[i].username);
		copy(a.unit, sizeof a.unit, recs[i].unit);
		copy(a.action, sizeof a.action, recs[i].action);
		copy(a.reason, sizeof a.reason, recs[i].reason);
		copy(a.client, sizeof a.client, "127.0.0.1");
		T_EQ_INT(t, store_audit_add(s, &a), HG_OK, "audit add %zu", i);
	}
	static const struct {
		const char *label;
		store_audit_filter f;
		size_t n, want[3]; /* indexes into recs, in the order listed */
	} cases[] = {
	    {"episode 1", {.episode_id = 1, .since = HG_INSTANT_NONE}, 2, {0, 2}},
	    {"user bo", {.username = "bo", .since = HG_INSTANT_NONE}, 1, {1}},
	    {"since T0 + 10", {.since = T0 + 10}, 2, {1, 2}},
	    {"newest first, one", {.since = HG_INSTANT_NONE, .newest_first = true, .limit = 1}, 1, {2}},
	    {"everything", {.since = HG_INSTANT_NONE}, 3, {0, 1, 2}},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		store_audit *rows = NULL;
		size_t n = 0;
		T_EQ_INT(t, store_audit_list(s, &cases[c].f, &rows, &n), HG_OK, "audit list: %s", cases[c].label);
		T_EQ_INT(t, n, cases[c].n, "audit list: %s: records", cases[c].label);
		for (size_t i = 0; i < n && i < cases[c].n; i++) {
			size_t w = cases[c].want[i];
			T_EQ_INT(t, rows[i].at, recs[w].at, "audit %s [%zu]: at", cases[c].label, i);
			T_EQ_STR(t, rows[i].username, recs[w].username, "audit %s [%zu]: user", cases[c].label, i);
			T_EQ_STR(t, rows[i].unit, recs[w].unit, "audit %s [%zu]: unit", cases[c].label, i);
			T_EQ_STR(t, rows[i].action, recs[w].action, "audit %s [%zu]: action", cases[c].label, i);
			T_EQ_INT(t, rows[i].episode_id, recs[w].episode_id, "audit %s [%zu]: episode", cases[c].label, i);
			T_EQ_STR(t, rows[i].reason, recs[w].reason, "audit %s [%zu]: reason", cases[c].label, i);
			T_EQ_STR(t, rows[i].client, "127.0.0.1", "audit %s [%zu]: client", cases[c].label, i);
		}
		hg_free(rows);
	}
}

/*
 * Two stores on one file, as two processes would be: appends through the second must not be
 * missed by the first's writer, which remembers the folds of the episodes it appended to.
 */
static void test_two_writers(struct test *t, store *s, const char *path)
{
	char err[256];
	store *s2 = NULL;
	event ev;
	store_append_result r;
	event_error e;
	T_EQ_INT(t, store_open(path, &s2, err, sizeof err), HG_OK, "a second store on the file");
	if (!s2)
		return;
	event_init(&ev, EVENT_ADMITTED);
	ev.occurred_at = T0;
	author(&ev, "W1", UNIT_WARD, "R20", "anna");
	copy(ev.u.admitted.patient.personnummer, sizeof ev.u.admitted.patient.personnummer, "19400101-0190");
	copy(ev.u.admitted.patient.name, sizeof ev.u.admitted.patient.name, "Nils");
	copy(ev.u.admitted.patient.registered_municipality, 5, "2080");
	copy(ev.u.admitted.patient.primary_care_unit, HG_ID_MAX, "VC1");
	copy(ev.u.admitted.hospital, HG_ID_MAX, "Falu lasarett");
	copy(ev.u.admitted.ward, HG_ID_MAX, "W1");
	T_EQ_INT(t, store_append(s, 0, &ev, NULL, T0 + 60, &r, &e), HG_OK, "two writers: admission through the first (%s)",
		 e.code ? e.code : "");
	int64_t id = r.episode_id;
	event dev;
	event_init(&dev, EVENT_DEVIATION);
	dev.occurred_at = T0 + 100;
	author(&dev, "W1", UNIT_WARD, "R20", "anna");
	dev.u.deviation.category = DEVIATION_OTHER;
	copy(dev.u.deviation.against_org, sizeof dev.u.deviation.against_org, "2080");
	T_EQ_INT(t, store_append(s, id, &dev, NULL, T0 + 120, &r, &e), HG_OK, "two writers: the first appends (%s)",
		 e.code ? e.code : "");
	T_EQ_INT(t, store_append(s2, id, &dev, NULL, T0 + 130, &r, &e), HG_OK, "two writers: the second appends");
	T_EQ_INT(t, r.seq, 3, "two writers: seq 3 through the second");
	T_EQ_INT(t, store_append(s, id, &dev, NULL, T0 + 140, &r, &e), HG_OK, "two writers: the first again (%s)",
		 e.code ? e.code : "");
	T_EQ_INT(t, r.seq, 4, "two writers: the first sees the second's event (seq 4, not 3)");
	episode_state *st = hg_malloc(sizeof *st);
	T_TRUE(t, st && store_episode_load(s, id, st, NULL, NULL) == HG_OK && st->last_seq == 4,
	       "two writers: four events fold");
	hg_free(st);
	store_close(s2);
}

/* The rows of the projections now, and again after `hemgang rebuild` folded every episode anew:
 * the writer's incremental projection must leave exactly what a full one does. */
static void expect_projection_as_rebuilt(struct test *t, store *s, const char *step)
{
	char *dump1 = NULL, *dump2 = NULL;
	size_t rebuilt = 0;
	T_EQ_INT(t, store_projection_dump(s, &dump1), HG_OK, "%s: dump", step);
	T_EQ_INT(t, store_rebuild(s, &rebuilt), HG_OK, "%s: rebuild", step);
	T_EQ_INT(t, store_projection_dump(s, &dump2), HG_OK, "%s: dump again", step);
	T_TRUE(t, dump1 && dump2 && strcmp(dump1, dump2) == 0, "%s: the projection is what a rebuild writes", step);
	hg_free(dump1);
	hg_free(dump2);
}

/* Appends through the writer's submit path, waits for the batch and returns the decision. */
static hg_status submit_wait(store *s, int64_t episode_id, const event *ev, const char *key, const store_audit *a,
			     store_append_result *r, event_error *err)
{
	store_append_job *job = NULL;
	uint64_t ticket = 0;
	memset(r, 0, sizeof *r); /* a failed submit leaves no result: the checks then read zeros, not garbage */
	memset(err, 0, sizeof *err);
	hg_status rc = store_append_submit(s, episode_id, ev, key, NULL, ev->occurred_at + 60, a, &job, &ticket);
	if (rc == HG_OK)
		rc = store_append_job_wait(s, job);
	if (rc == HG_OK && store_ticket_state(s, ticket) != 1)
		rc = HG_EINTERNAL; /* waited, so durable */
	if (rc == HG_OK)
		rc = store_append_job_result(job, r, err);
	store_append_job_release(job);
	return rc;
}

/* The records of store_audit_list for one episode with action `action`. */
static int count_audit(store *s, int64_t episode_id, const char *action)
{
	store_audit_filter f;
	store_audit *rows = NULL;
	size_t n = 0;
	int k = 0;
	memset(&f, 0, sizeof f);
	f.episode_id = episode_id;
	f.since = HG_INSTANT_NONE;
	if (store_audit_list(s, &f, &rows, &n) != HG_OK)
		return -1;
	for (size_t i = 0; i < n; i++)
		k += strcmp(rows[i].action, action) == 0;
	hg_free(rows);
	return k;
}

/*
 * The write path of the server (store_append_submit): the writer judges, writes the append's
 * audit record in the same transaction ("event.append", ".replayed" for a replayed key; none for
 * a refusal), and the projection it keeps event by event equals a full rebuild after every kind
 * of change (new parties, a pending acknowledgement and its acknowledgement, an event that
 * changes only the deadlines).
 */
static void test_submit(struct test *t, store *s)
{
	event ev;
	store_append_result r;
	event_error err;
	store_audit a;
	memset(&a, 0, sizeof a);
	copy(a.username, sizeof a.username, "anna");
	copy(a.action, sizeof a.action, "event.append");
	a.at = T0 + 500;
	event_init(&ev, EVENT_ADMITTED);
	ev.occurred_at = T0;
	author(&ev, "W1", UNIT_WARD, "R20", "anna");
	copy(ev.u.admitted.patient.personnummer, sizeof ev.u.admitted.patient.personnummer, "19380412-0230");
	copy(ev.u.admitted.patient.name, sizeof ev.u.admitted.patient.name, "Greta");
	copy(ev.u.admitted.patient.registered_municipality, 5, "2080");
	copy(ev.u.admitted.patient.primary_care_unit, HG_ID_MAX, "VC1");
	copy(ev.u.admitted.patient.address, EVENT_ADDRESS_MAX, "Åsgatan 2, 791 71 Falun");
	copy(ev.u.admitted.hospital, HG_ID_MAX, "Falu lasarett");
	copy(ev.u.admitted.ward, HG_ID_MAX, "W1");
	T_EQ_INT(t, submit_wait(s, 0, &ev, "sub-1", &a, &r, &err), HG_OK, "submit: admission");
	int64_t id = r.episode_id;
	T_TRUE(t, id > 0 && r.seq == 1 && !r.replayed, "submit: a new episode, seq 1");
	T_EQ_INT(t, count_audit(s, id, "event.append"), 1, "submit: its audit record, with the new episode's id");
	T_EQ_INT(t, submit_wait(s, 0, &ev, "sub-1", &a, &r, &err), HG_OK, "submit: the same key again");
	T_TRUE(t, r.replayed && r.episode_id == id, "submit: replayed");
	T_EQ_INT(t, count_audit(s, id, "event.append.replayed"), 1, "submit: the replay audited as such");
	expect_projection_as_rebuilt(t, s, "submit: admitted");

	event nt;
	event_init(&nt, EVENT_ADMISSION_NOTICE);
	nt.occurred_at = T0 + 3600;
	author(&nt, "W1", UNIT_WARD, "R20", "anna");
	nt.u.admission_notice.recipients.count = 1;
	copy(nt.u.admission_notice.recipients.to[0].unit, HG_ID_MAX, "K1");
	nt.u.admission_notice.recipients.to[0].kind = UNIT_MUNICIPAL_SOCIAL;
	copy(nt.u.admission_notice.recipients.to[0].org, HG_ID_MAX, "2080");
	nt.u.admission_notice.expected_discharge_date = date_from_ymd(2026, 11, 1); /* before the admission */
	nt.u.admission_notice.reason = ADMISSION_REASON_OTHER;
	hg_status rc = submit_wait(s, id, &nt, NULL, &a, &r, &err);
	T_TRUE(t, rc == HG_EINVAL || rc == HG_ECONFLICT, "submit: a refusal is the writer's decision");
	T_EQ_INT(t, count_audit(s, id, "event.append"), 1, "submit: a refused event is not audited as appended");
	nt.u.admission_notice.expected_discharge_date = date_from_ymd(2026, 11, 28);
	T_EQ_INT(t, submit_wait(s, id, &nt, NULL, &a, &r, &err), HG_OK, "submit: the notice (%s)", err.code ? err.code : "");
	int32_t notice_seq = r.seq;
	expect_projection_as_rebuilt(t, s, "submit: a recipient and a pending acknowledgement");

	event dev;
	event_init(&dev, EVENT_DEVIATION);
	dev.occurred_at = T0 + 4000;
	author(&dev, "W1", UNIT_WARD, "R20", "anna");
	dev.u.deviation.category = DEVIATION_OTHER;
	copy(dev.u.deviation.against_org, HG_ID_MAX, "2080");
	T_EQ_INT(t, submit_wait(s, id, &dev, NULL, &a, &r, &err), HG_OK, "submit: a deviation");
	expect_projection_as_rebuilt(t, s, "submit: only the row's seq and deadlines change");

	event ack;
	event_init(&ack, EVENT_ACKNOWLEDGED);
	ack.occurred_at = T0 + 5000;
	author(&ack, "K1", UNIT_MUNICIPAL_SOCIAL, "2080", "kim");
	ack.u.acknowledged.ack_seq = notice_seq;
	T_EQ_INT(t, submit_wait(s, id, &ack, NULL, &a, &r, &err), HG_OK, "submit: the acknowledgement (%s)",
		 err.code ? err.code : "");
	expect_projection_as_rebuilt(t, s, "submit: the acknowledgement");
	T_EQ_INT(t, submit_wait(s, id, &dev, NULL, &a, &r, &err), HG_OK, "submit: a deviation again");
	expect_projection_as_rebuilt(t, s, "submit: a deviation after a rebuild");
	T_EQ_INT(t, count_audit(s, id, "event.append"), 5, "submit: every stored event audited once");
}

/*
 * A read that showed several patients links its record to the set of episodes shown, stored once
 * however often (and in whatever order) it is shown again; each patient's access extract still
 * lists every such read.
 */
static void test_audit_sets(struct test *t, store *s, const char *path)
{
	store_audit a;
	uint64_t ticket = 0;
	memset(&a, 0, sizeof a);
	copy(a.username, sizeof a.username, "anna");
	copy(a.action, sizeof a.action, "worklist.read");
	a.at = T0 + 600;
	store_query q;
	store_episode_row *rows = NULL;
	size_t n = 0, total = 0;
	store_query_init(&q);
	q.all = true;
	T_EQ_INT(t, store_episodes_query(s, &q, &rows, &n, &total), HG_OK, "sets: the episodes");
	if (n < 2) {
		hg_free(rows);
		T_TRUE(t, false, "sets: two episodes to show");
		return;
	}
	int64_t shown[2] = {rows[0].id, rows[1].id}, reversed[3] = {rows[1].id, rows[0].id, rows[1].id};
	char pnr[32];
	copy(pnr, sizeof pnr, rows[1].pnr);
	hg_free(rows);
	store_audit *before = NULL, *after = NULL;
	size_t nb = 0, na = 0;
	T_EQ_INT(t, store_audit_patient(s, pnr, &before, &nb), HG_OK, "sets: the extract before");
	for (int i = 0; i < 3; i++)
		T_EQ_INT(t, store_audit_enqueue_patients(s, &a, i == 1 ? reversed : shown, i == 1 ? 3 : 2, &ticket), HG_OK,
			 "sets: read %d", i);
	T_EQ_INT(t, store_audit_enqueue_patients(s, &a, shown, 1, &ticket), HG_OK, "sets: a read of one of them");
	/* a record of its own: returns once its batch, not earlier than the reads', is durable */
	T_EQ_INT(t, store_audit_add(s, &a), HG_OK, "sets: a record after them");
	T_EQ_INT(t, store_ticket_state(s, ticket), 1, "sets: durable");
	T_EQ_INT(t, store_audit_patient(s, pnr, &after, &na), HG_OK, "sets: the extract after");
	T_EQ_INT(t, na, nb + 3, "sets: the patient's extract lists the three reads that showed them");
	hg_free(before);
	hg_free(after);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int sets = -1, links = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM audit_patient_sets), (SELECT count(*) FROM audit_set_links)",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		sets = sqlite3_column_int(st, 0);
		links = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	T_EQ_INT(t, sets, 2, "sets: two distinct sets stored (the pair, in either order, and the one)");
	T_EQ_INT(t, links, 4, "sets: one link per read");
}

int main(void)
{
	struct test tt = {.name = "test_store"}, *t = &tt;
	char path[256], err[256];
	store *s = NULL;
	const char *pg = getenv("HEMGANG_TEST_PG_URI");
	if (pg && pg[0])
		snprintf(path, sizeof path, "%s", pg);
	else
		snprintf(path, sizeof path, "%s/test_store.%d.db",
			 getenv("HEMGANG_TEST_TMP") ? getenv("HEMGANG_TEST_TMP") : "/tmp", (int)getpid());
	T_EQ_INT(t, store_open(path, &s, err, sizeof err), HG_OK, "open %s", err);
	if (s) {
		T_TRUE(t, store_schema_version(s) >= 1, "schema version %d", store_schema_version(s));
		setup(t, s);
		test_append(t, s);
		test_users(t, s);
		test_two_writers(t, s, path);
		test_submit(t, s);
		if (!(pg && pg[0]))
			test_audit_sets(t, s, path);
		store_close(s);
	}
	T_EQ_INT(t, store_open("/nonexistent/dir/x.db", &s, err, sizeof err), HG_EIO, "an unopenable path fails");
	T_TRUE(t, strlen(err) > 0, "with a reason");
	err[0] = '\0';
	T_EQ_INT(t, store_open("postgresql://nobody@/none?host=/nonexistent/dir&connect_timeout=2", &s, err, sizeof err),
		 HG_EIO, "an unreachable PostgreSQL server fails");
	T_TRUE(t, strstr(err, "PostgreSQL") != NULL, "with a reason: %s", err);
	if (pg && pg[0])
		return test_report(t);
	char side[300];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	return test_report(t);
}
