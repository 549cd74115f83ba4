/*
 * store_bulk.c - the bulk loader on SQLite (see store_bulk.h).
 *
 * Two threads share the work, because two things each cost about half of it:
 * the caller's thread renders each event's canonical text (event_to_text) and
 * copies the episode into a queue; a writer thread of the loader does every
 * SQLite call. The queue holds BULK_QUEUE episodes; the caller waits only when
 * the writer is that far behind.
 *
 * The writer runs on one connection from the store's pool, switched to
 * synchronous=OFF and a large page cache, and holds the store's write lock
 * with a write transaction from open to close (a commit job ends one and
 * begins the next). Every statement is prepared once. The secondary indexes
 * of the tables it fills are dropped at open and created again at close: one
 * sort per index at the end instead of a random B-tree insert per row
 * (whatever indexes the migrations define, read from sqlite_master, so none is
 * forgotten).
 *
 * Episode and event ids are counted in the caller's thread from the largest
 * ones in the database at open, as store_append assigns them (the next id
 * after the largest), so a loaded database is one that appends could have
 * written, and appends after the loader continue where it stopped.
 *
 * The rows written are those of store_append: the event row with the same
 * columns and canonical text, the episode row, and the projection through
 * sq_project(), the store's own projection writer, with "now" the recorded_at
 * of the last event (what the last append would have stamped, and what
 * store_rebuild stamps).
 */
#include "store/store_bulk.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/alloc.h"
#include "store/event_json.h"
#include "store/followup_int.h"
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

/* The tables the loader fills; their secondary indexes wait until close. */
#define BULK_TABLES "'events', 'episode_projection', 'episode_parties', 'pending_acks'"
#define BULK_INDEXES_MAX 32
#define BULK_QUEUE 64 /* episodes between the caller and the writer */

/* What the events table needs of one event. */
struct bulk_row {
	int64_t id;
	int32_t seq;
	event_type type;
	hg_instant occurred_at, recorded_at;
	char author_unit[HG_ID_MAX];
	char author_user[HG_ID_MAX];
	char *body; /* canonical text, hg_malloc'ed; the writer frees it */
};

enum job_kind { JOB_EPISODE, JOB_SURVEY, JOB_COMMIT, JOB_END };

/* One slot of the queue; its rows array is kept and grown across uses. */
struct bulk_job {
	enum job_kind kind;
	int64_t episode_id;
	size_t n, cap;
	struct bulk_row *rows;
	episode_state st;
	survey_answer survey;
	char by[HG_ID_MAX];
	bool commit; /* JOB_END: commit (else roll back) */
	sq_facts_blob facts; /* JOB_EPISODE: its follow-up facts row (followup_int.h) */
};

struct store_bulk {
	store *s;
	sqlite3 *db;
	pthread_t writer;
	bool writer_started;

	/* the queue: jobs[head .. head + count) are the writer's, the rest the caller's */
	pthread_mutex_t lock;
	pthread_cond_t can_put, can_take, ready_cond;
	struct bulk_job *jobs;
	size_t head, count;
	bool ready;       /* the writer has set up (or failed to) */
	hg_status failed; /* the writer's first failure; sticky */
	char failure[160];

	/* the caller's */
	int64_t next_episode, next_event;

	/* the writer's */
	bool in_tx;     /* holds the write lock and an open transaction */
	bool committed; /* a commit job ran: a rollback no longer brings the indexes back */
	int n_indexes;
	char *index_sql[BULK_INDEXES_MAX]; /* CREATE INDEX statements of the dropped indexes (hg_malloc) */
	sqlite3_stmt *stmt[STMT_COUNT];
	sq_stmt_cache project;
};

/* ---- the writer's side ---- */

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

/* Drops the secondary indexes of BULK_TABLES, keeping their SQL in b->index_sql. */
static hg_status drop_indexes(store_bulk *b)
{
	sqlite3_stmt *st = NULL;
	char *names[BULK_INDEXES_MAX];
	int n = 0;
	hg_status rc = sq_prepare(b->db,
				  "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
				  "AND tbl_name IN (" BULK_TABLES ") ORDER BY name",
				  &st);
	while (rc == HG_OK && n < BULK_INDEXES_MAX && sqlite3_step(st) == SQLITE_ROW) {
		names[n] = hg_strdup((const char *)sqlite3_column_text(st, 0));
		b->index_sql[n] = hg_strdup((const char *)sqlite3_column_text(st, 1));
		if (!names[n] || !b->index_sql[n]) {
			hg_free(names[n]);
			hg_free(b->index_sql[n]);
			b->index_sql[n] = NULL;
			rc = HG_ENOMEM;
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	b->n_indexes = n;
	for (int i = 0; i < n; i++) {
		char drop[160];
		(void)snprintf(drop, sizeof drop, "DROP INDEX \"%s\"", names[i]);
		if (rc == HG_OK)
			rc = sq_exec(b->db, drop);
		hg_free(names[i]);
	}
	return rc;
}

/* Creates the dropped indexes again (those that a rollback has not brought back already). */
static hg_status create_indexes(store_bulk *b)
{
	hg_status rc = HG_OK;
	for (int i = 0; i < b->n_indexes && rc == HG_OK; i++) {
		/* "CREATE [UNIQUE] INDEX name ..." -> "... INDEX IF NOT EXISTS name ..." */
		const char *at = strstr(b->index_sql[i], "INDEX ");
		char sql[1024];
		int len = at ? snprintf(sql, sizeof sql, "%.*sINDEX IF NOT EXISTS %s", (int)(at - b->index_sql[i]),
					b->index_sql[i], at + 6)
			     : -1;
		rc = len > 0 && (size_t)len < sizeof sql ? sq_exec(b->db, sql) : HG_EINTERNAL;
	}
	return rc;
}

/* Steps a bound insert and resets it; HG_EIO when it fails. */
static hg_status step_insert(sqlite3_stmt *st)
{
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	return step == SQLITE_DONE ? HG_OK : HG_EIO;
}

static hg_status write_episode(store_bulk *b, struct bulk_job *j)
{
	sqlite3_stmt *st = b->stmt[STMT_EPISODE];
	sqlite3_bind_int64(st, 1, j->episode_id);
	sqlite3_bind_int64(st, 2, j->rows[0].recorded_at);
	hg_status rc = step_insert(st);
	st = b->stmt[STMT_EVENT];
	for (size_t i = 0; rc == HG_OK && i < j->n; i++) {
		const struct bulk_row *r = &j->rows[i];
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_int64(st, 2, j->episode_id);
		sqlite3_bind_int(st, 3, r->seq);
		sqlite3_bind_text(st, 4, event_type_code(r->type), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, r->occurred_at);
		sqlite3_bind_int64(st, 6, r->recorded_at);
		sqlite3_bind_text(st, 7, r->author_unit, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, r->author_user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, r->body, -1, SQLITE_STATIC);
		rc = step_insert(st);
	}
	if (rc == HG_OK)
		rc = sq_project(&b->project, b->db, &j->st, j->rows[j->n - 1].recorded_at);
	if (rc == HG_OK)
		rc = sq_facts_blob_write(&b->project, b->db, &j->facts);
	return rc;
}

static hg_status write_survey(store_bulk *b, const struct bulk_job *j)
{
	sqlite3_stmt *st = b->stmt[STMT_SURVEY];
	const survey_answer *a = &j->survey;
	sqlite3_bind_int64(st, 1, j->episode_id);
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
	sqlite3_bind_text(st, 10, j->by, -1, SQLITE_STATIC);
	return step_insert(st);
}

/* The end: the indexes back and commit, or roll back (and give what earlier commits kept its indexes). */
static hg_status finish(store_bulk *b, bool commit)
{
	hg_status rc = HG_OK;
	if (b->in_tx && commit) {
		rc = create_indexes(b);
		if (rc == HG_OK)
			rc = sq_write_commit(b->s, b->db);
		else
			sq_write_rollback(b->s, b->db);
	} else if (b->in_tx) {
		sq_write_rollback(b->s, b->db);
	}
	b->in_tx = false;
	if ((!commit || rc != HG_OK) && b->committed && sq_write_begin(b->s, b->db) == HG_OK) {
		if (create_indexes(b) == HG_OK) {
			if (sq_write_commit(b->s, b->db) != HG_OK && rc == HG_OK)
				rc = HG_EIO;
		} else {
			sq_write_rollback(b->s, b->db);
		}
	}
	return rc;
}

static hg_status writer_setup(store_bulk *b)
{
	/* 256 MB of page cache: the tables of a million episodes are written in no useful order. */
	hg_status rc = sq_exec(b->db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144");
	if (rc == HG_OK)
		rc = sq_write_begin(b->s, b->db);
	if (rc == HG_OK)
		b->in_tx = true;
	if (rc == HG_OK)
		rc = drop_indexes(b);
	for (int i = 0; rc == HG_OK && i < STMT_COUNT; i++)
		rc = sq_prepare(b->db, stmt_sql[i], &b->stmt[i]);
	if (rc == HG_OK)
		rc = max_id(b->db, "SELECT COALESCE(MAX(id), 0) FROM episodes", &b->next_episode);
	if (rc == HG_OK)
		rc = max_id(b->db, "SELECT COALESCE(MAX(id), 0) FROM events", &b->next_event);
	return rc;
}

/* Records the writer's first failure. */
static void writer_fail(store_bulk *b, hg_status rc, const char *what)
{
	pthread_mutex_lock(&b->lock);
	if (b->failed == HG_OK) {
		b->failed = rc;
		(void)snprintf(b->failure, sizeof b->failure, "%s: %s", what, sqlite3_errmsg(b->db));
	}
	pthread_mutex_unlock(&b->lock);
}

static void *writer_main(void *arg)
{
	store_bulk *b = arg;
	hg_status rc = writer_setup(b);
	if (rc != HG_OK)
		writer_fail(b, rc, "cannot start the bulk loader");
	pthread_mutex_lock(&b->lock);
	b->ready = true;
	pthread_cond_broadcast(&b->ready_cond);
	pthread_mutex_unlock(&b->lock);

	for (;;) {
		pthread_mutex_lock(&b->lock);
		while (b->count == 0)
			pthread_cond_wait(&b->can_take, &b->lock);
		struct bulk_job *j = &b->jobs[b->head];
		bool failed = b->failed != HG_OK;
		pthread_mutex_unlock(&b->lock);

		bool end = j->kind == JOB_END;
		if (end) {
			rc = finish(b, j->commit && !failed);
			if (rc != HG_OK)
				writer_fail(b, rc, "cannot finish the bulk load");
		} else if (!failed) {
			switch (j->kind) {
			case JOB_EPISODE:
				rc = write_episode(b, j);
				break;
			case JOB_SURVEY:
				rc = write_survey(b, j);
				break;
			default: /* JOB_COMMIT */
				b->in_tx = false;
				rc = sq_write_commit(b->s, b->db);
				if (rc == HG_OK)
					rc = sq_write_begin(b->s, b->db);
				b->in_tx = rc == HG_OK;
				b->committed = true;
			}
			if (rc != HG_OK)
				writer_fail(b, rc, "cannot write an episode");
		}
		if (j->kind == JOB_EPISODE)
			for (size_t i = 0; i < j->n; i++) {
				hg_free(j->rows[i].body);
				j->rows[i].body = NULL;
			}

		pthread_mutex_lock(&b->lock);
		b->head = (b->head + 1) % BULK_QUEUE;
		b->count--;
		pthread_cond_signal(&b->can_put);
		pthread_mutex_unlock(&b->lock);
		if (end)
			return NULL;
	}
}

/* ---- the caller's side ---- */

/* The next free slot, once the writer has room; NULL (and the failure) when it has failed. */
static struct bulk_job *job_get(store_bulk *b, hg_status *failed)
{
	pthread_mutex_lock(&b->lock);
	while (b->count == BULK_QUEUE && b->failed == HG_OK)
		pthread_cond_wait(&b->can_put, &b->lock);
	*failed = b->failed;
	struct bulk_job *j = *failed == HG_OK ? &b->jobs[(b->head + b->count) % BULK_QUEUE] : NULL;
	pthread_mutex_unlock(&b->lock);
	return j;
}

static void job_put(store_bulk *b)
{
	pthread_mutex_lock(&b->lock);
	b->count++;
	pthread_cond_signal(&b->can_take);
	pthread_mutex_unlock(&b->lock);
}

/* Puts a job that must reach the writer even after a failure (the end): waits for room regardless. */
static void job_put_end(store_bulk *b, bool commit)
{
	pthread_mutex_lock(&b->lock);
	while (b->count == BULK_QUEUE)
		pthread_cond_wait(&b->can_put, &b->lock);
	struct bulk_job *j = &b->jobs[(b->head + b->count) % BULK_QUEUE];
	j->kind = JOB_END;
	j->commit = commit;
	b->count++;
	pthread_cond_signal(&b->can_take);
	pthread_mutex_unlock(&b->lock);
}

static void bulk_free(store_bulk *b)
{
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(b->stmt[i]);
	sq_stmt_cache_clear(&b->project);
	for (int i = 0; i < b->n_indexes; i++)
		hg_free(b->index_sql[i]);
	for (size_t i = 0; b->jobs && i < BULK_QUEUE; i++) {
		for (size_t k = 0; k < b->jobs[i].cap; k++)
			hg_free(b->jobs[i].rows[k].body);
		hg_free(b->jobs[i].rows);
	}
	hg_free(b->jobs);
	pthread_cond_destroy(&b->ready_cond);
	pthread_cond_destroy(&b->can_take);
	pthread_cond_destroy(&b->can_put);
	pthread_mutex_destroy(&b->lock);
	hg_free(b);
}

hg_status store_bulk_open(store *s, store_bulk **out, char *err, size_t errlen)
{
	store_bulk *b = hg_calloc(1, sizeof *b);
	*out = NULL;
	if (b)
		b->jobs = hg_calloc(BULK_QUEUE, sizeof *b->jobs);
	if (!b || !b->jobs) {
		hg_free(b);
		(void)snprintf(err, errlen, "out of memory");
		return HG_ENOMEM;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->can_put, NULL);
	pthread_cond_init(&b->can_take, NULL);
	pthread_cond_init(&b->ready_cond, NULL);
	b->s = s;
	b->db = sq_conn_get(s);
	if (pthread_create(&b->writer, NULL, writer_main, b) != 0) {
		sq_conn_put(s, b->db);
		bulk_free(b);
		(void)snprintf(err, errlen, "cannot start the bulk loader's thread");
		return HG_EIO;
	}
	b->writer_started = true;
	pthread_mutex_lock(&b->lock);
	while (!b->ready)
		pthread_cond_wait(&b->ready_cond, &b->lock);
	hg_status rc = b->failed;
	if (rc != HG_OK)
		(void)snprintf(err, errlen, "%s", b->failure);
	pthread_mutex_unlock(&b->lock);
	if (rc != HG_OK) {
		hg_status ignored = store_bulk_close(b, false); /* a rollback: nothing more to report */
		(void)ignored;
		return rc == HG_EIO ? sq_fail_io(s) : rc;
	}
	b->next_episode++;
	b->next_event++;
	*out = b;
	return HG_OK;
}

hg_status store_bulk_episode(store_bulk *b, event *evs, size_t n, episode_state *st, int64_t *episode_id)
{
	hg_status rc;
	if (n == 0 || evs[0].type != EVENT_ADMITTED || (size_t)st->last_seq != n)
		return HG_EINVAL;
	struct bulk_job *j = job_get(b, &rc);
	if (!j)
		return rc;
	if (j->cap < n) {
		struct bulk_row *rows = hg_realloc(j->rows, n * sizeof *rows);
		if (!rows)
			return HG_ENOMEM;
		memset(rows + j->cap, 0, (n - j->cap) * sizeof *rows);
		j->rows = rows;
		j->cap = n;
	}
	int64_t id = b->next_episode;
	for (size_t i = 0; i < n; i++) {
		struct bulk_row *r = &j->rows[i];
		evs[i].id = b->next_event + (int64_t)i;
		r->body = event_to_text(&evs[i]);
		if (!r->body) {
			for (size_t k = 0; k < i; k++) {
				hg_free(j->rows[k].body);
				j->rows[k].body = NULL;
			}
			return HG_ENOMEM;
		}
		r->id = evs[i].id;
		r->seq = evs[i].seq;
		r->type = evs[i].type;
		r->occurred_at = evs[i].occurred_at;
		r->recorded_at = evs[i].recorded_at;
		sq_copy_str(r->author_unit, sizeof r->author_unit, evs[i].author_unit);
		sq_copy_str(r->author_user, sizeof r->author_user, evs[i].author_user);
	}
	st->id = id;
	if ((rc = sq_facts_blob_make(st, evs, n, &j->facts)) != HG_OK) {
		for (size_t k = 0; k < n; k++) {
			hg_free(j->rows[k].body);
			j->rows[k].body = NULL;
		}
		return rc;
	}
	j->kind = JOB_EPISODE;
	j->episode_id = id;
	j->n = n;
	j->st = *st;
	job_put(b);
	b->next_episode++;
	b->next_event += (int64_t)n;
	atomic_fetch_add(&b->s->appended, n);
	*episode_id = id;
	return HG_OK;
}

hg_status store_bulk_survey_answer(store_bulk *b, int64_t episode_id, const survey_answer *a, const char *by)
{
	hg_status rc;
	struct bulk_job *j = job_get(b, &rc);
	if (!j)
		return rc;
	j->kind = JOB_SURVEY;
	j->episode_id = episode_id;
	j->survey = *a;
	sq_copy_str(j->by, sizeof j->by, by);
	job_put(b);
	return HG_OK;
}

hg_status store_bulk_commit(store_bulk *b)
{
	hg_status rc;
	struct bulk_job *j = job_get(b, &rc);
	if (!j)
		return rc;
	j->kind = JOB_COMMIT;
	job_put(b);
	return HG_OK;
}

hg_status store_bulk_close(store_bulk *b, bool commit)
{
	if (!b)
		return HG_OK;
	if (b->writer_started) {
		job_put_end(b, commit);
		pthread_join(b->writer, NULL);
	}
	hg_status rc = b->failed;
	/* Back to the store's default for this pooled connection; a big WAL is folded into the database. */
	if (sq_exec(b->db, "PRAGMA synchronous=FULL; PRAGMA cache_size=-2000") != HG_OK && rc == HG_OK)
		rc = HG_EIO;
	if (commit && rc == HG_OK)
		sq_exec_quiet(b->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	sq_conn_put(b->s, b->db);
	store *s = b->s;
	bulk_free(b);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}
