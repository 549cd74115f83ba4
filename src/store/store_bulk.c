/*
 * store_bulk.c - the bulk loader on SQLite (see store_bulk.h).
 *
 * One connection from the store's pool, switched to synchronous=OFF and a
 * large page cache, holds the store's write lock and a write transaction from
 * open to close (store_bulk_commit ends one and begins the next). Every
 * statement is prepared once. Episode and event ids are counted here from the
 * largest ones in the database at open, as store_append assigns them (the next
 * id after the largest), so a loaded database is one that appends could have
 * written, and appends after the loader continue where it stopped.
 *
 * The rows written are those of store_append: the event row with the same
 * columns and canonical text (event_to_text), the episode row, and the
 * projection through sq_project(), the store's own projection writer, with
 * "now" the recorded_at of the last event (what the last append would have
 * stamped, and what store_rebuild stamps).
 */
#include "store/store_bulk.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/alloc.h"
#include "store/event_json.h"
#include "store/store_int.h"

enum { STMT_EPISODE, STMT_EVENT, STMT_SURVEY, STMT_COUNT };

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_EPISODE] = "INSERT INTO episodes(id, created_at) VALUES (?1, ?2)",
	[STMT_EVENT] = "INSERT INTO events(id, episode_id, seq, type, occurred_at, recorded_at, author_unit, "
		       "author_user, idempotency_key, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
	/* the columns of followup_sqlite.c's insert_answer */
	[STMT_SURVEY] = "INSERT INTO survey_answers(episode_id, answered_at, channel, respondent, felt_safe, "
			"took_part, knew_care_contact, sip_where_wanted, comment, recorded_by) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
};

struct store_bulk {
	store *s;
	sqlite3 *db;
	bool in_tx; /* holds the write lock and an open transaction */
	sqlite3_stmt *stmt[STMT_COUNT];
	sq_stmt_cache project;
	int64_t next_episode, next_event;
};

/* The largest value of a one-column query (0 for an empty table). */
static hg_status max_id(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db, sql, &st);
	if (rc == HG_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			*out = sqlite3_column_int64(st, 0);
		else
			rc = HG_EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

hg_status store_bulk_open(store *s, store_bulk **out, char *err, size_t errlen)
{
	store_bulk *b = hg_calloc(1, sizeof *b);
	hg_status rc;
	*out = NULL;
	if (!b) {
		(void)snprintf(err, errlen, "out of memory");
		return HG_ENOMEM;
	}
	b->s = s;
	b->db = sq_conn_get(s);
	/* 256 MB of page cache: the indexes of a million episodes are inserted into in no useful order. */
	rc = sq_exec(b->db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144");
	if (rc == HG_OK)
		rc = sq_write_begin(s, b->db);
	if (rc == HG_OK)
		b->in_tx = true;
	for (int i = 0; rc == HG_OK && i < STMT_COUNT; i++)
		rc = sq_prepare(b->db, stmt_sql[i], &b->stmt[i]);
	if (rc == HG_OK)
		rc = max_id(b->db, "SELECT COALESCE(MAX(id), 0) FROM episodes", &b->next_episode);
	if (rc == HG_OK)
		rc = max_id(b->db, "SELECT COALESCE(MAX(id), 0) FROM events", &b->next_event);
	if (rc != HG_OK) {
		(void)snprintf(err, errlen, "cannot start the bulk loader: %s", sqlite3_errmsg(b->db));
		hg_status ignored = store_bulk_close(b, false); /* a rollback: nothing to report */
		(void)ignored;
		return sq_fail_io(s);
	}
	b->next_episode++;
	b->next_event++;
	*out = b;
	return HG_OK;
}

/* Steps a bound insert and resets it; HG_EIO when it fails. */
static hg_status step_insert(sqlite3_stmt *st)
{
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	return step == SQLITE_DONE ? HG_OK : HG_EIO;
}

static hg_status insert_event(store_bulk *b, int64_t episode_id, const event *ev)
{
	sqlite3_stmt *st = b->stmt[STMT_EVENT];
	char *body = event_to_text(ev);
	if (!body)
		return HG_ENOMEM;
	sqlite3_bind_int64(st, 1, ev->id);
	sqlite3_bind_int64(st, 2, episode_id);
	sqlite3_bind_int(st, 3, ev->seq);
	sqlite3_bind_text(st, 4, event_type_code(ev->type), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ev->occurred_at);
	sqlite3_bind_int64(st, 6, ev->recorded_at);
	sqlite3_bind_text(st, 7, ev->author_unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ev->author_user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, body, -1, SQLITE_STATIC);
	hg_status rc = step_insert(st);
	hg_free(body);
	return rc;
}

hg_status store_bulk_episode(store_bulk *b, event *evs, size_t n, episode_state *st, int64_t *episode_id)
{
	hg_status rc = HG_OK;
	if (!b->in_tx || n == 0 || evs[0].type != EVENT_ADMITTED || (size_t)st->last_seq != n)
		return HG_EINVAL;
	int64_t id = b->next_episode;
	sqlite3_bind_int64(b->stmt[STMT_EPISODE], 1, id);
	sqlite3_bind_int64(b->stmt[STMT_EPISODE], 2, evs[0].recorded_at);
	rc = step_insert(b->stmt[STMT_EPISODE]);
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		evs[i].id = b->next_event + (int64_t)i;
		rc = insert_event(b, id, &evs[i]);
	}
	if (rc == HG_OK) {
		st->id = id;
		rc = sq_project(&b->project, b->db, st, evs[n - 1].recorded_at);
	}
	if (rc != HG_OK)
		return rc == HG_EIO ? sq_fail_io(b->s) : rc;
	b->next_episode++;
	b->next_event += (int64_t)n;
	atomic_fetch_add(&b->s->appended, n);
	*episode_id = id;
	return HG_OK;
}

hg_status store_bulk_survey_answer(store_bulk *b, int64_t episode_id, const survey_answer *a, const char *by)
{
	sqlite3_stmt *st = b->stmt[STMT_SURVEY];
	if (!b->in_tx)
		return HG_EINVAL;
	sqlite3_bind_int64(st, 1, episode_id);
	sq_bind_instant(st, 2, a->answered_at);
	sqlite3_bind_text(st, 3, survey_channel_label(a->channel)->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, survey_respondent_label(a->respondent)->code, -1, SQLITE_STATIC);
	for (int q = 0; q < SURVEY_QUESTION_COUNT; q++) {
		if (a->replies[q] == SURVEY_UNANSWERED)
			sqlite3_bind_null(st, 5 + q);
		else
			sqlite3_bind_int(st, 5 + q, a->replies[q] == SURVEY_YES);
	}
	sqlite3_bind_text(st, 9, a->comment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, by, -1, SQLITE_STATIC);
	return step_insert(st) == HG_OK ? HG_OK : sq_fail_io(b->s);
}

hg_status store_bulk_commit(store_bulk *b)
{
	if (!b->in_tx)
		return HG_EINVAL;
	b->in_tx = false;
	hg_status rc = sq_write_commit(b->s, b->db);
	if (rc == HG_OK)
		rc = sq_write_begin(b->s, b->db);
	if (rc != HG_OK)
		return sq_fail_io(b->s);
	b->in_tx = true;
	return HG_OK;
}

hg_status store_bulk_close(store_bulk *b, bool commit)
{
	hg_status rc = HG_OK;
	if (!b)
		return HG_OK;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(b->stmt[i]);
	sq_stmt_cache_clear(&b->project);
	if (b->in_tx) {
		if (commit)
			rc = sq_write_commit(b->s, b->db);
		else
			sq_write_rollback(b->s, b->db);
	}
	/* Back to the store's default for this pooled connection; a big WAL is folded into the database. */
	if (sq_exec(b->db, "PRAGMA synchronous=FULL; PRAGMA cache_size=-2000") != HG_OK && rc == HG_OK)
		rc = HG_EIO;
	if (commit && rc == HG_OK)
		sq_exec_quiet(b->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	sq_conn_put(b->s, b->db);
	if (rc == HG_EIO)
		rc = sq_fail_io(b->s);
	hg_free(b);
	return rc;
}
