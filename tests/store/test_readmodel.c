/*
 * test_readmodel.c - the read model (src/store/readmodel.h).
 *
 * 1. Alone, without I/O: a table of episodes put into it and a table of
 *    queries with the ids each must answer, in order, with totals; updates that
 *    move an episode out of the lists or acknowledge its notices; an older row
 *    changes nothing.
 * 2. Against SQL on generated data: `hemgang demo --episodes 2000` (a region;
 *    the binary in $HEMGANG, else beside this program), the store's read
 *    model loaded, and for the users of the demo (wards, primary care,
 *    municipal units) the worklist's queries and others (filters, paging,
 *    notice types) answered from memory and from SQL must be identical, byte
 *    for byte; again after appends through this store (acknowledgements,
 *    discharges) and after appends through a second store on the same file
 *    (another process: seen within a second).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "store/readmodel.h"
#include "store/store.h"
#include "store/store_int.h"
#include "test.h"

#define T0 1795420800 /* 2026-11-23T08:00:00Z */
#define H  3600

/* ---- 1. the structure alone ---- */

typedef struct ep_case {
	int64_t id;
	episode_status status;
	hg_instant admitted_at, discharged_at, notice_due, notice_met;
	const char *ward, *municipality, *recipient;
	int notices; /* unacknowledged notices to the recipient, seq 2.., sent an hour apart */
} ep_case;

static const ep_case episodes[] = {
    {1, EPISODE_ADMITTED, T0, HG_INSTANT_NONE, T0 + 24 * H, HG_INSTANT_NONE, "W1", "2080", "K1", 1},
    {2, EPISODE_READY, T0 + H, HG_INSTANT_NONE, T0 + 2 * H, T0 + H, "W1", "2080", "K1", 2},
    {3, EPISODE_ADMITTED, T0 + H, HG_INSTANT_NONE, HG_INSTANT_NONE, HG_INSTANT_NONE, "W2", "2081", "K2", 0},
    {4, EPISODE_DISCHARGED, T0 - 48 * H, T0 - 2 * H, HG_INSTANT_NONE, HG_INSTANT_NONE, "W1", "2080", "K1", 0},
    /* discharged before the window: held only for its notice */
    {5, EPISODE_DISCHARGED, T0 - 900 * H, T0 - 800 * H, HG_INSTANT_NONE, HG_INSTANT_NONE, "W2", "2081", "K1", 1},
    /* neither listed nor noticed: not held */
    {6, EPISODE_DISCHARGED, T0 - 900 * H, T0 - 800 * H, HG_INSTANT_NONE, HG_INSTANT_NONE, "W1", "2080", "K1", 0},
    {7, EPISODE_CANCELLED, 0, HG_INSTANT_NONE, HG_INSTANT_NONE, HG_INSTANT_NONE, "W1", "2080", "K1", 1},
};

static void entry_of(const ep_case *c, int last_seq, store_episode_row *r, char (*parties)[HG_ID_MAX],
                     readmodel_notice *notices, readmodel_entry *e)
{
	memset(r, 0, sizeof *r);
	r->id = c->id;
	r->status = c->status;
	snprintf(r->pnr, sizeof r->pnr, "19121212-%04d", (int)c->id);
	snprintf(r->patient_name, sizeof r->patient_name, "Patient %d", (int)c->id);
	snprintf(r->municipality, sizeof r->municipality, "%s", c->municipality);
	snprintf(r->ward, sizeof r->ward, "%s", c->ward);
	snprintf(r->hospital, sizeof r->hospital, "Lasarettet");
	r->admitted_at = c->admitted_at;
	r->notice_at = r->ready_at = r->care_contact_due = r->care_contact_met = r->sip_due = r->sip_met =
	    HG_INSTANT_NONE;
	r->discharged_at = c->discharged_at;
	r->notice_due = c->notice_due;
	r->notice_met = c->notice_met;
	r->expected_date = HG_DATE_NONE;
	r->last_seq = last_seq;
	snprintf(parties[0], HG_ID_MAX, "%s", c->ward);
	snprintf(parties[1], HG_ID_MAX, "%s", c->recipient);
	for (int i = 0; i < c->notices; i++) {
		notices[i].seq = 2 + i;
		snprintf(notices[i].unit, sizeof notices[i].unit, "%s", c->recipient);
		notices[i].type = i ? EVENT_EXPECTED_DATE_CHANGED : EVENT_ADMISSION_NOTICE;
		notices[i].sent_at = c->admitted_at + (i + 1) * H;
	}
	*e = (readmodel_entry){*r, (const char(*)[HG_ID_MAX])parties, 2, notices, (size_t)c->notices};
}

typedef struct query_case {
	const char *label;
	const char *unit; /* the caller's one unit; NULL: all */
	int status;
	bool in_hospital, ready_only;
	hg_instant overdue_at, from;
	const char *municipality;
	int limit, offset;
	bool answered;
	const char *ids; /* expected ids in order, "1,2" */
	size_t total;
} query_case;

static const query_case queries[] = {
    {"W1 in hospital", "W1", -1, true, false, HG_INSTANT_NONE, HG_INSTANT_NONE, NULL, 0, 0, true, "2,1", 2},
    {"W1 in hospital, second page", "W1", -1, true, false, HG_INSTANT_NONE, HG_INSTANT_NONE, NULL, 1, 1, true, "1", 2},
    {"W1 ready", "W1", -1, false, true, HG_INSTANT_NONE, HG_INSTANT_NONE, NULL, 0, 0, true, "2", 1},
    {"W1 overdue by tomorrow", "W1", -1, true, false, T0 + 30 * H, HG_INSTANT_NONE, NULL, 0, 0, true, "1", 1},
    {"W1 overdue now", "W1", -1, true, false, T0, HG_INSTANT_NONE, NULL, 0, 0, true, "", 0},
    {"K1 admitted", "K1", EPISODE_ADMITTED, false, false, HG_INSTANT_NONE, HG_INSTANT_NONE, NULL, 0, 0, true, "1", 1},
    {"W1 discharged since yesterday", "W1", EPISODE_DISCHARGED, false, false, HG_INSTANT_NONE, T0 - 24 * H, NULL, 0, 0,
     true, "4", 1},
    {"all in hospital in 2081", NULL, -1, true, false, HG_INSTANT_NONE, HG_INSTANT_NONE, "2081", 0, 0, true, "3", 1},
    {"any status: SQL", "W1", -1, false, false, HG_INSTANT_NONE, HG_INSTANT_NONE, NULL, 0, 0, false, "", 0},
    {"discharged long ago: SQL", "W1", EPISODE_DISCHARGED, false, false, HG_INSTANT_NONE, T0 - 2000 * H, NULL, 0, 0,
     false, "", 0},
    {"unknown unit", "W9", -1, true, false, HG_INSTANT_NONE, HG_INSTANT_NONE, NULL, 0, 0, true, "", 0},
};

static void ids_text(const int64_t *ids, size_t n, char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%lld", i ? "," : "", (long long)ids[i]);
}

static void check_queries(struct test *t, readmodel *rm)
{
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		const query_case *c = &queries[i];
		char units[1][HG_ID_MAX], got[128];
		int64_t ids[16];
		store_query q;
		store_episode_row *rows = NULL;
		size_t n = 0, total = 0;
		bool answered = false;
		store_query_init(&q);
		if (c->unit) {
			snprintf(units[0], HG_ID_MAX, "%s", c->unit);
			q.units = (const char(*)[HG_ID_MAX])units;
			q.n_units = 1;
		} else
			q.all = true;
		q.status = c->status;
		q.in_hospital = c->in_hospital;
		q.ready_only = c->ready_only;
		q.overdue_at = c->overdue_at;
		q.from = c->from;
		q.municipality = c->municipality;
		q.limit = c->limit;
		q.offset = c->offset;
		T_EQ_INT(t, readmodel_query(rm, &q, &rows, &n, &total, &answered), HG_OK, "%s", c->label);
		T_EQ_INT(t, answered, c->answered, "%s: answered", c->label);
		for (size_t k = 0; k < n && k < 16; k++)
			ids[k] = rows[k].id;
		ids_text(ids, n, got, sizeof got);
		T_EQ_STR(t, got, c->ids, "%s", c->label);
		T_EQ_INT(t, total, c->total, "%s: total", c->label);
		hg_free(rows);
	}
}

/* The pending notices of unit (type -1: any) as "episode/seq" text, and the total. */
static void pending_text(struct test *t, readmodel *rm, const char *unit, int type, char *out, size_t cap,
                         size_t *total)
{
	char units[1][HG_ID_MAX];
	store_ack_query q;
	store_pending_ack *rows = NULL;
	size_t n = 0, used = 0;
	bool answered = false;
	snprintf(units[0], HG_ID_MAX, "%s", unit);
	store_ack_query_init(&q);
	q.units = (const char(*)[HG_ID_MAX])units;
	q.n_units = 1;
	q.type = type;
	T_EQ_INT(t, readmodel_pending(rm, &q, &rows, &n, total, &answered), HG_OK, "pending %s", unit);
	T_TRUE(t, answered, "pending %s answered", unit);
	out[0] = '\0';
	for (size_t i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%lld/%d", i ? "," : "",
		                         (long long)rows[i].episode_id, rows[i].seq);
	hg_free(rows);
}

/* A model of the table of episodes, put one at a time, or as the load at start puts them
 * (readmodel_load_begin .. _end; episode 3 put a second time meanwhile, with a notice to K2). */
static readmodel *table_model(struct test *t, bool as_load)
{
	readmodel *rm = NULL;
	store_episode_row row;
	char parties[2][HG_ID_MAX];
	readmodel_notice notices[4];
	readmodel_entry e;
	const char *how = as_load ? " (load)" : "";
	T_EQ_INT(t, readmodel_create(T0 - 24 * 31 * H, &rm), HG_OK, "create%s", how);
	if (!rm)
		return NULL;
	if (as_load)
		readmodel_load_begin(rm);
	for (size_t i = 0; i < sizeof episodes / sizeof episodes[0]; i++) {
		entry_of(&episodes[i], 5, &row, parties, notices, &e);
		T_EQ_INT(t, as_load ? readmodel_refresh_put(rm, &e) : readmodel_put(rm, &e), HG_OK, "put %zu%s", i,
		         how);
	}
	if (as_load) {
		ep_case noticed = episodes[2];
		noticed.notices = 1;
		entry_of(&noticed, 6, &row, parties, notices, &e);
		T_EQ_INT(t, readmodel_refresh_put(rm, &e), HG_OK, "load: put 3 again");
		T_EQ_INT(t, readmodel_load_end(rm), HG_OK, "load: end");
	}
	return rm;
}

/* Episode 2 discharged long ago, its notices acknowledged. */
static ep_case discharged_2(void)
{
	ep_case c = episodes[1];
	c.status = EPISODE_DISCHARGED;
	c.discharged_at = T0 - 2000 * H;
	c.notices = 0;
	return c;
}

static void test_alone(struct test *t)
{
	store_episode_row row;
	char parties[2][HG_ID_MAX], got[256];
	readmodel_notice notices[4];
	readmodel_entry e;
	size_t total = 0;
	readmodel *rm = table_model(t, false);
	if (!rm)
		return;
	readmodel_stats st;
	readmodel_get_stats(rm, &st);
	T_EQ_INT(t, st.episodes, 5, "held: the listed ones and the one with a notice");
	T_EQ_INT(t, st.listed, 4, "listed");
	T_EQ_INT(t, st.notices, 4, "notices (the cancelled episode's are not held)");
	check_queries(t, rm);

	/* newest first; episode 5's old notice last; the cancelled episode's never */
	pending_text(t, rm, "K1", -1, got, sizeof got, &total);
	T_EQ_STR(t, got, "2/3,2/2,1/2,5/2", "K1's notices");
	T_EQ_INT(t, total, 4, "K1's notices: total");
	pending_text(t, rm, "K1", EVENT_EXPECTED_DATE_CHANGED, got, sizeof got, &total);
	T_EQ_STR(t, got, "2/3", "K1's notices of one type");

	/* episode 2 discharged long ago now, its notices acknowledged: gone from lists and notices */
	ep_case moved = discharged_2();
	entry_of(&moved, 6, &row, parties, notices, &e);
	T_EQ_INT(t, readmodel_put(rm, &e), HG_OK, "discharge 2");
	pending_text(t, rm, "K1", -1, got, sizeof got, &total);
	T_EQ_STR(t, got, "1/2,5/2", "K1's notices after the acknowledgements");
	/* episode 1's notice acknowledged; then an older row of it (read before) changes nothing */
	ep_case acked = episodes[0];
	acked.notices = 0;
	entry_of(&acked, 7, &row, parties, notices, &e);
	T_EQ_INT(t, readmodel_put(rm, &e), HG_OK, "acknowledge 1");
	entry_of(&episodes[0], 5, &row, parties, notices, &e);
	T_EQ_INT(t, readmodel_put(rm, &e), HG_OK, "older row");
	pending_text(t, rm, "K1", -1, got, sizeof got, &total);
	T_EQ_STR(t, got, "5/2", "an older row is ignored");

	/* staged updates apply on commit only */
	entry_of(&episodes[0], 9, &row, parties, notices, &e);
	T_EQ_INT(t, readmodel_stage(rm, &e), HG_OK, "stage");
	readmodel_discard(rm);
	pending_text(t, rm, "K1", -1, got, sizeof got, &total);
	T_EQ_STR(t, got, "5/2", "a discarded batch changes nothing");
	T_EQ_INT(t, readmodel_stage(rm, &e), HG_OK, "stage again");
	T_EQ_INT(t, readmodel_commit(rm), HG_OK, "commit");
	pending_text(t, rm, "K1", -1, got, sizeof got, &total);
	T_EQ_STR(t, got, "1/2,5/2", "a committed batch applies");

	/* the window moves on past episode 4's discharge: it leaves the model, and lists reaching before
	 * the window go to SQL; the old discharge with a notice waiting stays for its notice */
	readmodel_advance_window(rm, T0 - 1 * H);
	readmodel_get_stats(rm, &st);
	T_EQ_INT(t, st.episodes, 3, "held after the window moved: 1, 3 and 5");
	T_EQ_INT(t, st.listed, 2, "listed after the window moved: 1 and 3");
	{
		store_query wq;
		store_episode_row *wrows = NULL;
		size_t wn = 0;
		bool wanswered = true;
		char w1[1][HG_ID_MAX] = {"W1"};
		store_query_init(&wq);
		wq.units = (const char(*)[HG_ID_MAX])w1;
		wq.n_units = 1;
		wq.status = EPISODE_DISCHARGED;
		wq.from = T0 - 24 * H;
		T_EQ_INT(t, readmodel_query(rm, &wq, &wrows, &wn, NULL, &wanswered), HG_OK,
		         "discharged since yesterday");
		T_TRUE(t, !wanswered, "before the window now: left to SQL");
		hg_free(wrows);
	}
	pending_text(t, rm, "K1", -1, got, sizeof got, &total);
	T_EQ_STR(t, got, "1/2,5/2", "the notices stay");

	/* broken: nothing is answered any more */
	readmodel_break(rm);
	store_query q;
	store_episode_row *rows = NULL;
	size_t n = 0;
	bool answered = true;
	store_query_init(&q);
	q.all = true;
	q.in_hospital = true;
	T_EQ_INT(t, readmodel_query(rm, &q, &rows, &n, NULL, &answered), HG_OK, "query after break");
	T_TRUE(t, !answered && !rows, "a broken model answers nothing");
	readmodel_free(rm);
}

/* The same episodes put as the load at start puts them (readmodel_load_begin .. _end): the
 * per-unit arrays built at the end answer as those kept one put at a time, and later puts keep
 * them up to date. */
static void test_load(struct test *t)
{
	store_episode_row row;
	char parties[2][HG_ID_MAX], got[256];
	readmodel_notice notices[4];
	readmodel_entry e;
	size_t total = 0;
	readmodel *rm = table_model(t, true);
	if (!rm)
		return;
	readmodel_stats st;
	readmodel_get_stats(rm, &st);
	T_EQ_INT(t, st.episodes, 5, "load: held");
	T_EQ_INT(t, st.listed, 4, "load: listed");
	T_EQ_INT(t, st.notices, 5, "load: notices");
	check_queries(t, rm);
	pending_text(t, rm, "K1", -1, got, sizeof got, &total);
	T_EQ_STR(t, got, "2/3,2/2,1/2,5/2", "load: K1's notices");
	pending_text(t, rm, "K2", -1, got, sizeof got, &total);
	T_EQ_STR(t, got, "3/2", "load: K2's notice, from the later put");
	ep_case moved = discharged_2();
	entry_of(&moved, 6, &row, parties, notices, &e);
	T_EQ_INT(t, readmodel_put(rm, &e), HG_OK, "load: discharge 2 after the load");
	pending_text(t, rm, "K1", -1, got, sizeof got, &total);
	T_EQ_STR(t, got, "1/2,5/2", "load: K1's notices after a put");
	readmodel_free(rm);
}

/* ---- 2. against SQL ---- */

typedef struct compare_stats {
	int compared, nonempty;
} compare_stats;

static void compare_query(struct test *t, store *s, const store_query *q, const char *label, compare_stats *cs)
{
	store_episode_row *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, ta = 0, tb = 0;
	sq_read_model_use(s, false);
	hg_status ra = store_episodes_query(s, q, &a, &na, &ta);
	sq_read_model_use(s, true);
	hg_status rb = store_episodes_query(s, q, &b, &nb, &tb);
	bool same = ra == rb && na == nb && ta == tb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
	if (!T_TRUE(t, same, "%s: SQL %d rows (total %zu), memory %d rows (total %zu)", label, (int)na, ta, (int)nb,
	            tb)) {
		for (size_t i = 0; i < na && i < nb; i++)
			if (memcmp(&a[i], &b[i], sizeof *a) != 0) {
				fprintf(stderr, "  first difference at row %zu: episode %lld / %lld\n", i,
				        (long long)a[i].id, (long long)b[i].id);
				break;
			}
	}
	cs->compared++;
	cs->nonempty += na > 0;
	hg_free(a);
	hg_free(b);
}

static void compare_pending(struct test *t, store *s, const store_ack_query *q, const char *label, compare_stats *cs)
{
	store_pending_ack *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, ta = 0, tb = 0;
	sq_read_model_use(s, false);
	hg_status ra = store_pending_acks(s, q, &a, &na, &ta);
	sq_read_model_use(s, true);
	hg_status rb = store_pending_acks(s, q, &b, &nb, &tb);
	bool same = ra == rb && na == nb && ta == tb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
	T_TRUE(t, same, "%s: SQL %d notices (total %zu), memory %d (total %zu)", label, (int)na, ta, (int)nb, tb);
	cs->compared++;
	cs->nonempty += na > 0;
	hg_free(a);
	hg_free(b);
}

/* The worklist's queries and others for the units of one user. */
static void compare_user(struct test *t, store *s, const store_user *u, hg_instant now, compare_stats *cs)
{
	hg_date today = cal_local_date(now);
	const char(*units)[HG_ID_MAX] = (const char(*)[HG_ID_MAX])u->units;
	char label[160];
	store_query q;
	static const struct {
		const char *what;
		int status;
		bool in_hospital, ready_only, overdue;
		int from_days, to_days, limit, offset;
		bool municipality, unit;
	} lists[] = {
	    {"worklist deadlines", -1, true, false, true, 0, 0, 500, 0, false, false},
	    {"worklist ready", -1, false, true, false, 0, 0, 500, 0, false, false},
	    {"worklist discharged", EPISODE_DISCHARGED, false, false, false, -7, 0, 100, 0, false, false},
	    {"admitted", EPISODE_ADMITTED, false, false, false, 0, 0, 0, 0, false, false},
	    {"ready, a page", EPISODE_READY, false, false, false, 0, 0, 3, 2, false, false},
	    {"in hospital in a municipality", -1, true, false, false, 0, 0, 50, 0, true, false},
	    {"in hospital with a party", -1, true, false, false, 0, 0, 50, 0, false, true},
	    {"discharged last month, a window", EPISODE_DISCHARGED, false, false, false, -30, -2, 5, 3, false, false},
	    {"in hospital this week", -1, true, false, false, -7, 1, 20, 0, false, false},
	    {"any status (SQL)", -1, false, false, false, 0, 0, 20, 0, false, false},
	};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		store_query_init(&q);
		q.units = units;
		q.n_units = (size_t)u->n_units;
		q.status = lists[i].status;
		q.in_hospital = lists[i].in_hospital;
		q.ready_only = lists[i].ready_only;
		if (lists[i].overdue)
			q.overdue_at = cal_local_midnight(today + 1);
		if (lists[i].from_days)
			q.from = cal_local_midnight(today + lists[i].from_days);
		if (lists[i].to_days)
			q.to = cal_local_midnight(today + lists[i].to_days);
		q.limit = lists[i].limit;
		q.offset = lists[i].offset;
		if (lists[i].municipality)
			q.municipality = "0180";
		if (lists[i].unit)
			q.unit = u->units[0];
		snprintf(label, sizeof label, "%s: %s", u->username, lists[i].what);
		compare_query(t, s, &q, label, cs);
	}
	static const struct {
		const char *what;
		int type, limit, offset;
	} notices[] = {
	    {"new notices", -1, 50, 0},
	    {"admission notices", EVENT_ADMISSION_NOTICE, 500, 0},
	    {"date changes, a page", EVENT_EXPECTED_DATE_CHANGED, 10, 20},
	    {"ready notices", EVENT_READY_FOR_DISCHARGE, 0, 0},
	    {"far page", -1, 50, 400},
	};
	for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++) {
		store_ack_query aq;
		store_ack_query_init(&aq);
		aq.units = units;
		aq.n_units = (size_t)u->n_units;
		aq.type = notices[i].type;
		aq.limit = notices[i].limit;
		aq.offset = notices[i].offset;
		snprintf(label, sizeof label, "%s: %s", u->username, notices[i].what);
		compare_pending(t, s, &aq, label, cs);
	}
}

static void compare_all(struct test *t, store *s, const char *when)
{
	store_user *users = NULL;
	size_t n = 0;
	compare_stats cs = {0};
	hg_instant now = (hg_instant)time(NULL);
	store_read_model_info before, after;
	T_TRUE(t, store_read_model_info_get(s, &before), "%s: loaded", when);
	T_EQ_INT(t, store_users_list(s, &users, &n), HG_OK, "%s: users", when);
	/* some 80 users with units spread over the list (wards, primary care, municipal units), and
	 * one made of several users' units (lists of several units) */
	size_t step = n / 80 + 1;
	for (size_t i = 0; i < n; i++)
		if (users[i].n_units > 0 && i % step == 0)
			compare_user(t, s, &users[i], now, &cs);
	if (n >= 2) {
		store_user two = users[0];
		for (size_t i = 1; i < n && two.n_units < STORE_USER_UNITS_MAX; i += step)
			if (users[i].n_units)
				snprintf(two.units[two.n_units++], HG_ID_MAX, "%s", users[i].units[0]);
		snprintf(two.username, sizeof two.username, "several units");
		compare_user(t, s, &two, now, &cs);
	}
	store_query q;
	store_query_init(&q);
	q.all = true;
	q.in_hospital = true;
	q.limit = 1000;
	compare_query(t, s, &q, "all in hospital", &cs);
	q.offset = 100;
	q.limit = 10;
	compare_query(t, s, &q, "all in hospital, a far page", &cs);
	T_TRUE(t, store_read_model_info_get(s, &after), "%s: loaded", when);
	printf("%s: %d comparisons, %d with rows; %zu answered from memory; %zu episodes held, %zu notices\n", when,
	       cs.compared, cs.nonempty, after.answered - before.answered, after.episodes, after.notices);
	T_TRUE(t, cs.compared > 100 && cs.nonempty > 100, "%s: the comparison saw data (%d of %d)", when, cs.nonempty,
	       cs.compared);
	T_TRUE(t, after.answered - before.answered > (size_t)cs.compared / 2, "%s: most answered from memory", when);
	hg_free(users);
}

/* Acknowledges up to max notices waiting, and discharges up to max patients ready, through s. */
static int change_some(struct test *t, store *s, int max)
{
	store_ack_query aq;
	store_pending_ack *acks = NULL;
	store_episode_row *rows = NULL;
	size_t n = 0;
	int done = 0;
	char units[1][HG_ID_MAX];
	store_user *users = NULL;
	size_t nu = 0;
	hg_instant now = (hg_instant)time(NULL);
	T_EQ_INT(t, store_users_list(s, &users, &nu), HG_OK, "users");
	for (size_t u = 0; u < nu && done < max; u++) {
		if (!users[u].n_units)
			continue;
		snprintf(units[0], HG_ID_MAX, "%s", users[u].units[0]);
		store_ack_query_init(&aq);
		aq.units = (const char(*)[HG_ID_MAX])units;
		aq.n_units = 1;
		aq.limit = 3;
		if (store_pending_acks(s, &aq, &acks, &n, NULL) != HG_OK)
			continue;
		for (size_t i = 0; i < n && done < max; i++) {
			store_unit unit;
			event ev;
			store_append_result r;
			event_error err;
			if (store_unit_get(s, acks[i].unit, &unit) != HG_OK)
				continue;
			event_init(&ev, EVENT_ACKNOWLEDGED);
			ev.u.acknowledged.ack_seq = acks[i].seq;
			ev.occurred_at = now;
			snprintf(ev.author_unit, sizeof ev.author_unit, "%s", unit.id);
			ev.author_kind = unit.kind;
			snprintf(ev.author_org, sizeof ev.author_org, "%s", unit.org);
			snprintf(ev.author_user, sizeof ev.author_user, "%s", users[u].username);
			done += store_append(s, acks[i].episode_id, &ev, NULL, now, &r, &err) == HG_OK;
		}
		hg_free(acks);
	}
	store_query q;
	store_query_init(&q);
	q.all = true;
	q.ready_only = true;
	q.limit = max;
	if (store_episodes_query(s, &q, &rows, &n, NULL) == HG_OK) {
		for (size_t i = 0; i < n; i++) {
			store_unit unit;
			event ev;
			store_append_result r;
			event_error err;
			if (store_unit_get(s, rows[i].ward, &unit) != HG_OK)
				continue;
			event_init(&ev, EVENT_DISCHARGED);
			ev.u.discharged.destination = DEST_OWN_HOME;
			ev.occurred_at = now;
			snprintf(ev.author_unit, sizeof ev.author_unit, "%s", unit.id);
			ev.author_kind = unit.kind;
			snprintf(ev.author_org, sizeof ev.author_org, "%s", unit.org);
			snprintf(ev.author_user, sizeof ev.author_user, "test");
			done += store_append(s, rows[i].id, &ev, NULL, now, &r, &err) == HG_OK;
		}
		hg_free(rows);
	}
	hg_free(users);
	return done;
}

/* The hemgang binary: $HEMGANG, else build/MODE/hemgang beside build/MODE/tests/this. */
static void binary_path(const char *argv0, char *out, size_t cap)
{
	const char *env = getenv("HEMGANG");
	if (env && env[0]) {
		snprintf(out, cap, "%s", env);
		return;
	}
	snprintf(out, cap, "%s", argv0);
	char *slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(out, cap, ".");
	size_t len = strlen(out);
	snprintf(out + len, cap - len, "/../hemgang");
}

static void test_against_sql(struct test *t, const char *argv0)
{
	char bin[512], path[512], cmd[1400], err[256];
	const char *tmp = getenv("HEMGANG_TEST_TMP") ? getenv("HEMGANG_TEST_TMP") : "/tmp";
	store *s = NULL, *other = NULL;
	binary_path(argv0, bin, sizeof bin);
	snprintf(path, sizeof path, "%s/test_readmodel.%d.db", tmp, (int)getpid());
	snprintf(cmd, sizeof cmd, "'%s' demo --db '%s' --episodes 2000 --force >/dev/null 2>&1", bin, path);
	int rc = system(cmd);
	if (!T_TRUE(t, rc == 0, "demo database made by %s (exit %d)", bin, rc))
		return;
	T_EQ_INT(t, store_open(path, &s, err, sizeof err), HG_OK, "open %s", err);
	if (!s)
		return;
	store_read_model_info info;
	T_TRUE(t, !store_read_model_info_get(s, &info), "nothing loaded before the load");
	T_EQ_INT(t, store_read_model_load(s), HG_OK, "load");
	compare_all(t, s, "loaded");

	/* the writer's hook alone: no look at the database meanwhile */
	sq_read_model_look_every(s, INT64_C(1) << 50);
	int changed = change_some(t, s, 40);
	T_TRUE(t, changed >= 20, "appends through the store: %d", changed);
	compare_all(t, s, "after appends");

	/* another process's appends (a second store on the file: its own writer) within a second */
	T_EQ_INT(t, store_open(path, &other, err, sizeof err), HG_OK, "open a second store %s", err);
	if (other) {
		changed = change_some(t, other, 20);
		T_TRUE(t, changed >= 10, "appends through another store: %d", changed);
		store_close(other);
		/* what the server does every second (RM_LOOK_MS), at once */
		sq_read_model_look_every(s, 1);
		struct timespec pause = {0, 10000000};
		nanosleep(&pause, NULL);
		compare_all(t, s, "after another process's appends");
	}
	store_close(s);
	unlink(path);
	char side[600];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

int main(int argc, char **argv)
{
	struct test tt = {.name = "test_readmodel"}, *t = &tt;
	(void)argc;
	test_alone(t);
	test_load(t);
	/* the allocation-failure sweep (tests/faults/alloc.sh) runs the structure alone: the comparison
	 * makes millions of allocations, most of them SQLite's and the generator's */
	if (!getenv("HEMGANG_ALLOC_FAIL") && !getenv("HEMGANG_ALLOC_COUNT"))
		test_against_sql(t, argv[0]);
	return test_report(t);
}
