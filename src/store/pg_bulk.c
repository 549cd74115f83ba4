/*
 * pg_bulk.c - the bulk loader (store_bulk.h) on PostgreSQL: store_bulk_open()
 * hands a postgresql:// URI here, and every later call of that loader.
 *
 * What store_append writes for each event, written for whole episodes at
 * once: the episode row, the event rows with their canonical text, the
 * projection rows (pg_projection_rows, the appends' own projection) as of the
 * last event's recorded_at, the facts row (pgf_facts_encode, as the appends
 * derive it) and the survey answers. The rows of each table gather in a
 * buffer in COPY's text format (pg_copyin.c) and go to the server with one
 * COPY ... FROM STDIN per table once the buffers hold PGB_FLUSH_BYTES, parents
 * first so that every foreign key holds; all of it in one transaction on one
 * connection, committed (and so made durable) by pgb_close. Meanwhile the
 * episodes and events tables are locked against other writers (EXCLUSIVE:
 * readers go on), as the ids are counted here from the largest ones at open,
 * as the appends count them, and the sequences are moved past them at the end.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/facts.h"
#include "wire/event_json.h"
#include "store/pg_int.h"
#include "store/store_bulk.h"

/* What the buffers gather before they go to the server. */
#define PGB_FLUSH_BYTES (16u << 20)

/* The tables, in the order their rows are sent (parents first). */
enum { T_EPISODES, T_EVENTS, T_PROJECTION, T_PARTIES, T_ACKS, T_FACTS, T_ANSWERS, T_COUNT };

static const char *const copy_sql[T_COUNT] = {
    [T_EPISODES] = "COPY episodes(id, created_at) FROM STDIN",
    [T_EVENTS] = "COPY events(id, episode_id, seq, type, occurred_at, recorded_at, author_unit, author_user, body) "
                 "FROM STDIN",
    [T_PROJECTION] = "COPY episode_projection(" PG_PROJECTION_COLUMNS ") FROM STDIN",
    [T_PARTIES] = "COPY episode_parties(episode_id, unit_id, role) FROM STDIN",
    [T_ACKS] = "COPY pending_acks(episode_id, seq, unit_id, type, sent_at, acked_at) FROM STDIN",
    [T_FACTS] = PGF_FACTS_COPY,
    [T_ANSWERS] = PGF_ANSWER_COPY,
};

struct pg_bulk {
	pg_store *p;
	pg_conn *c;
	bool in_tx;
	hg_status failed; /* the first failure; sticky */
	int64_t next_episode, next_event;
	pg_copyin t[T_COUNT];
	facts_row *facts;
	uint8_t *facts_bytes;
};

static size_t buffered(const pg_bulk *b)
{
	size_t n = 0;
	for (int i = 0; i < T_COUNT; i++)
		n += b->t[i].len;
	return n;
}

/* Sends every table's gathered rows, parents first. */
static hg_status flush_all(pg_bulk *b)
{
	hg_status rc = HG_OK;
	for (int i = 0; i < T_COUNT && rc == HG_OK; i++)
		rc = pgci_flush(b->p, b->c, &b->t[i]);
	return rc;
}

/* Remembers the first failure: every later call returns it. */
static hg_status fail(pg_bulk *b, hg_status rc)
{
	if (b->failed == HG_OK)
		b->failed = rc;
	return b->failed;
}

/* ---- the projection's rows into the buffers (a pg_projection_sink) ---- */

static hg_status copy_row(void *ctx, const pg_params *prm)
{
	pg_copyin *ci = &((pg_bulk *)ctx)->t[T_PROJECTION];
	for (int i = 0; i < prm->n; i++)
		pgci_str(ci, prm->values[i]);
	pgci_end_row(ci);
	return HG_OK;
}

static hg_status copy_party(void *ctx, int64_t episode_id, const char *unit, const char *party_role)
{
	pg_copyin *ci = &((pg_bulk *)ctx)->t[T_PARTIES];
	pgci_int(ci, episode_id);
	pgci_str(ci, unit);
	pgci_str(ci, party_role);
	pgci_end_row(ci);
	return HG_OK;
}

static hg_status copy_ack(void *ctx, int64_t episode_id, int32_t seq, const char *unit, const char *type,
                          hg_instant sent_at, hg_instant acked_at)
{
	pg_copyin *ci = &((pg_bulk *)ctx)->t[T_ACKS];
	pgci_int(ci, episode_id);
	pgci_int(ci, seq);
	pgci_str(ci, unit);
	pgci_str(ci, type);
	pgci_int(ci, sent_at);
	if (acked_at == HG_INSTANT_NONE)
		pgci_null(ci);
	else
		pgci_int(ci, acked_at);
	pgci_end_row(ci);
	return HG_OK;
}

/* The largest id of a table (0 when empty), on b's connection. */
static hg_status max_id(pg_bulk *b, const char *sql, int64_t *out)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(b->p, b->c, &r, sql, "");
	if (rc == HG_OK)
		*out = pgr_int(r, 0, 0);
	PQclear(r);
	return rc;
}

hg_status pgb_open(const char *uri, pg_bulk **out, char *err, size_t errlen)
{
	pg_bulk *b = hg_calloc(1, sizeof *b);
	hg_status rc = HG_OK;
	*out = NULL;
	if (b) {
		b->facts = hg_malloc(sizeof *b->facts);
		b->facts_bytes = hg_malloc(FACTS_ENCODED_MAX);
	}
	if (!b || !b->facts || !b->facts_bytes) {
		(void)snprintf(err, errlen, "out of memory");
		if (b) {
			hg_status ignored = pgb_close(b, false); /* nothing written */
			(void)ignored;
		}
		return HG_ENOMEM;
	}
	for (int i = 0; i < T_COUNT; i++)
		pgci_init(&b->t[i], copy_sql[i]);
	rc = pgs_open(uri, &b->p, err, errlen);
	if (rc == HG_OK) {
		b->c = pgc_get(b->p);
		/* one commit at the end: it alone waits for the disk */
		rc = pgx_exec(b->p, b->c, "BEGIN");
		b->in_tx = rc == HG_OK;
	}
	/* no append on any server while the ids are counted here */
	if (rc == HG_OK)
		rc = pgx_exec(b->p, b->c, "LOCK TABLE episodes, events IN EXCLUSIVE MODE");
	if (rc == HG_OK)
		rc = max_id(b, "SELECT COALESCE(MAX(id), 0) FROM episodes", &b->next_episode);
	if (rc == HG_OK)
		rc = max_id(b, "SELECT COALESCE(MAX(id), 0) FROM events", &b->next_event);
	if (rc != HG_OK) {
		if (b->p && !*err)
			(void)snprintf(err, errlen, "cannot start the bulk load: %s", hg_status_name(rc));
		hg_status ignored = pgb_close(b, false); /* the failure is rc */
		(void)ignored;
		return rc;
	}
	b->next_episode++;
	b->next_event++;
	*out = b;
	return HG_OK;
}

hg_status pgb_episode(pg_bulk *b, event *evs, size_t n, episode_state *st, int64_t *episode_id)
{
	static const pg_projection_sink sink = {copy_row, copy_party, copy_ack};
	if (b->failed != HG_OK)
		return b->failed;
	if (n == 0 || evs[0].type != EVENT_ADMITTED || (size_t)st->last_seq != n)
		return HG_EINVAL;
	int64_t id = b->next_episode;
	pg_copyin *ev = &b->t[T_EVENTS], *ep = &b->t[T_EPISODES];
	pgci_int(ep, id);
	pgci_int(ep, evs[0].recorded_at);
	pgci_end_row(ep);
	for (size_t i = 0; i < n; i++) {
		evs[i].id = b->next_event + (int64_t)i;
		char *body = event_to_text(&evs[i]);
		if (!body)
			return fail(b, HG_ENOMEM);
		pgci_int(ev, evs[i].id);
		pgci_int(ev, id);
		pgci_int(ev, evs[i].seq);
		pgci_str(ev, event_type_code(evs[i].type));
		pgci_int(ev, evs[i].occurred_at);
		pgci_int(ev, evs[i].recorded_at);
		pgci_str(ev, evs[i].author_unit);
		pgci_str(ev, evs[i].author_user);
		pgci_str(ev, body);
		pgci_end_row(ev);
		hg_free(body);
	}
	st->id = id;
	hg_status rc = pg_projection_rows(st, evs[n - 1].recorded_at, &sink, b);
	size_t len = rc == HG_OK ? pgf_facts_encode(st, evs, n, NULL, b->facts, b->facts_bytes) : 0;
	if (len)
		pgf_facts_copy(&b->t[T_FACTS], id, b->facts, b->facts_bytes, len);
	if (rc == HG_OK && buffered(b) >= PGB_FLUSH_BYTES)
		rc = flush_all(b);
	if (rc != HG_OK)
		return fail(b, rc);
	b->next_episode++;
	b->next_event += (int64_t)n;
	*episode_id = id;
	return HG_OK;
}

hg_status pgb_survey_answer(pg_bulk *b, int64_t episode_id, const survey_answer *a, const char *by)
{
	if (b->failed != HG_OK)
		return b->failed;
	pgf_answer_copy(&b->t[T_ANSWERS], episode_id, a, by);
	return HG_OK;
}

hg_status pgb_close(pg_bulk *b, bool commit)
{
	hg_status rc = HG_OK;
	if (!b)
		return HG_OK;
	if (b->in_tx && commit && b->failed == HG_OK) {
		rc = flush_all(b);
		/* the appends after the load count on from the loaded ids */
		if (rc == HG_OK)
			rc = pgx_exec(b->p, b->c,
			              "SELECT setval(pg_get_serial_sequence('episodes', 'id'), "
			              "(SELECT COALESCE(MAX(id), 0) FROM episodes) + 1, false), "
			              "setval(pg_get_serial_sequence('events', 'id'), "
			              "(SELECT COALESCE(MAX(id), 0) FROM events) + 1, false)");
		if (rc == HG_OK)
			rc = pgx_exec(b->p, b->c, "COMMIT");
		if (rc == HG_OK)
			b->in_tx = false;
		(void)fail(b, rc);
	}
	rc = b->failed;
	if (b->c) {
		pgx_rollback(b->c); /* nothing to undo after a COMMIT */
		pgc_put(b->p, b->c);
	}
	pgs_close(b->p);
	for (int i = 0; i < T_COUNT; i++)
		pgci_free(&b->t[i]);
	hg_free(b->facts);
	hg_free(b->facts_bytes);
	hg_free(b);
	return rc;
}
