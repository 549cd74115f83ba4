/*
 * store_bulk.c - the bulk loader on SQLite (see store_bulk.h).
 *
 * Two threads share the work: the caller's thread renders each event's
 * canonical text (event_to_text) and copies the episode into a queue; a
 * writer thread of the loader does every SQLite call. The queue holds
 * BULK_QUEUE episodes. Each side sleeps only when it must (the caller on a
 * full queue, the writer on an empty one) and is woken in batches (the writer
 * once BULK_WAKE jobs wait, the caller once the queue is half empty), so the
 * two threads do not hand the processor back and forth for every episode.
 *
 * The writer holds the database alone, on a connection of its own: an
 * exclusive lock, no journal (journal_mode=OFF: every page is written once,
 * where a WAL writes it twice, into the log and then into the database),
 * synchronous=OFF, foreign keys unchecked (every row's episode is written just
 * before it) and one transaction from open to close. Every table it fills
 * grows in key order (episode and event ids count up), so a small page cache
 * holds the right edges of the B-trees that are still being written; a large
 * one only costs fresh memory to fault in. The secondary indexes of the tables
 * it fills are dropped at open and created again at close, one sort each
 * (whatever indexes the migrations define, read from sqlite_master, so none is
 * forgotten), with a large cache so that the sorts stay in memory. Then one
 * sync, and the file goes back to WAL, the store's mode. Every statement is
 * prepared once.
 *
 * Episode and event ids are counted in the caller's thread from the largest
 * ones in the database at open, as store_append assigns them (the next id
 * after the largest), so a loaded database is one that appends could have
 * written, and appends after the loader continue where it stopped.
 *
 * The rows written are those of store_append: the event row with the same
 * columns and canonical text, the episode row, the projection through
 * sq_project() (the store's own projection writer) with "now" the recorded_at
 * of the last event (what the last append would have stamped, and what
 * store_rebuild stamps), and the facts row through sq_facts_blob_write().
 */
#include "store/store_bulk.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/alloc.h"
#include "wire/event_json.h"
#include "store/followup_int.h"
#include "store/sq_db.h"
#include "store/store_int.h"
#include "store/store_pg.h"

static const char episode_sql[] = "INSERT INTO episodes(id, created_at) VALUES (?1, ?2)";
/* the columns of followup_sqlite.c's insert_answer */
static const char survey_sql[] = "INSERT INTO survey_answers(episode_id, answered_at, channel, respondent, felt_safe, "
				 "took_part, knew_care_contact, sip_where_wanted, comment, recorded_by) "
				 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/*
 * An episode's events go in statements of up to BULK_EVENT_ROWS rows (one
 * for each number of rows, its text made and its statement prepared on first
 * use): one statement per row would pay SQLite's start, cursor opening and
 * seek for every row.
 */
#define BULK_EVENT_ROWS 16
#define EVENT_INSERT "INSERT INTO events(id, episode_id, seq, type, occurred_at, recorded_at, author_unit, " \
		     "author_user, idempotency_key, body) VALUES "
#define EVENT_VALUES "(?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)"
#define EVENT_PARAMS 9

/*
 * The tables whose secondary indexes wait until close: the projection's. The
 * events table keeps its only one (events_idempotency, partial on a key the
 * loader never sets: it costs nothing while loading and a scan of the largest
 * table to build again).
 */
#define BULK_TABLES "'episode_projection', 'episode_parties', 'pending_acks'"
#define BULK_INDEXES_MAX 32
#define BULK_QUEUE 256 /* jobs between the caller and the writer */
#define BULK_WAKE 32   /* queued jobs that wake a sleeping writer */

/* The page cache while loading (the right edges of the B-trees), and while sorting the indexes (in memory). */
#define BULK_PRAGMAS_LOAD "PRAGMA cache_size=-8192"
#define BULK_PRAGMAS_INDEX "PRAGMA cache_size=-262144"
/* The page size of a database that has no events yet (see larger_pages). */
#define BULK_PAGE_SIZE "16384"

/* What the events table needs of one event. */
struct bulk_row {
	int64_t id;
	int32_t seq;
	event_type type;
	hg_instant occurred_at, recorded_at;
	char author_unit[HG_ID_MAX];
	char author_user[HG_ID_MAX];
	char *body; /* canonical text, hg_malloc'ed by the caller's thread, which frees it when it reuses the slot */
	int body_len;
};

enum job_kind { JOB_EPISODE, JOB_SURVEY, JOB_END };

/* One slot of the queue; its rows array is kept and grown across uses. */
struct bulk_job {
	enum job_kind kind;
	int64_t episode_id;
	size_t n, cap;
	struct bulk_row *rows;
	episode_state st;
	survey_answer survey;
	char by[HG_ID_MAX];
	bool commit;         /* JOB_END: commit (else stop) */
	sq_facts_blob facts; /* JOB_EPISODE: its follow-up facts row (followup_int.h) */
};

struct store_bulk {
	pg_bulk *pg; /* a PostgreSQL URI: every call goes to pg_bulk.c, nothing below is used */
	sqlite3 *db;
	pthread_t writer;
	bool writer_started;

	/* the queue: jobs[head .. head + count) are the writer's, the rest the caller's */
	pthread_mutex_t lock;
	pthread_cond_t can_put, can_take, ready_cond;
	struct bulk_job *jobs;
	size_t head, count;
	bool writer_sleeps, caller_sleeps;
	bool ready;       /* the writer has set up (or failed to) */
	hg_status failed; /* the writer's first failure; sticky */
	char failure[160];
	double writer_cpu; /* set by the writer as it ends */
	double caller_cpu; /* the caller's thread's CPU clock at open */

	/* the caller's */
	int64_t next_episode, next_event;

	/* the writer's */
	bool in_tx; /* an open transaction */
	int n_indexes;
	char *index_sql[BULK_INDEXES_MAX]; /* CREATE INDEX statements of the dropped indexes (hg_malloc) */
	char *events_sql[BULK_EVENT_ROWS + 1]; /* [k]: the insert of k events (hg_malloc), cached in stmts */
	sq_stmt_cache stmts;                   /* the loader's own inserts */
	sq_stmt_cache project;
};

/* ---- the writer's side ---- */

/* The first column of sql's one row as text into out (cut to cap); HG_EIO when there is none or it is NULL. */
static hg_status query_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
	sq_q q;
	sq_q_prepare(&q, db, sql);
	if (!sq_q_step(&q) || sq_q_col_null(&q, 0))
		sq_q_fail(&q, HG_EIO);
	else
		sq_q_col_str(&q, 0, out, cap);
	return sq_q_finish(&q);
}

/* Drops the secondary indexes of BULK_TABLES, keeping their SQL in b->index_sql. */
static hg_status drop_indexes(store_bulk *b)
{
	char *names[BULK_INDEXES_MAX];
	int n = 0;
	sq_q q;
	sq_q_prepare(&q, b->db,
		     "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
		     "AND tbl_name IN (" BULK_TABLES ") ORDER BY name");
	while (n < BULK_INDEXES_MAX && sq_q_step(&q)) {
		names[n] = sq_q_col_dup(&q, 0);
		b->index_sql[n] = names[n] ? sq_q_col_dup(&q, 1) : NULL;
		if (!b->index_sql[n]) {
			hg_free(names[n]);
			break; /* (q's error is HG_ENOMEM) */
		}
		n++;
	}
	hg_status rc = sq_q_finish(&q);
	b->n_indexes = n;
	for (int i = 0; i < n; i++) {
		char drop[160];
		(void)snprintf(drop, sizeof drop, "DROP INDEX \"%s\"", names[i]);
		if (rc == HG_OK)
			rc = sq_db_exec(b->db, drop);
		hg_free(names[i]);
	}
	return rc;
}

/* Creates the dropped indexes again. */
static hg_status create_indexes(store_bulk *b)
{
	hg_status rc = HG_OK;
	for (int i = 0; i < b->n_indexes && rc == HG_OK; i++)
		rc = sq_db_exec(b->db, b->index_sql[i]);
	return rc;
}

/* The text of the insert of k events (1..BULK_EVENT_ROWS), made on first use; NULL when out of memory. */
static const char *events_sql(store_bulk *b, size_t k)
{
	if (!b->events_sql[k]) {
		char *sql = hg_malloc(sizeof EVENT_INSERT + k * (sizeof EVENT_VALUES + 1));
		if (!sql)
			return NULL;
		size_t len = sizeof EVENT_INSERT - 1;
		memcpy(sql, EVENT_INSERT, len);
		for (size_t i = 0; i < k; i++) {
			if (i > 0)
				sql[len++] = ',';
			memcpy(sql + len, EVENT_VALUES, sizeof EVENT_VALUES - 1);
			len += sizeof EVENT_VALUES - 1;
		}
		sql[len] = '\0';
		b->events_sql[k] = sql;
	}
	return b->events_sql[k];
}

/* Events rows[0..k) of episode_id in one statement. */
static hg_status write_events(store_bulk *b, int64_t episode_id, const struct bulk_row *rows, size_t k)
{
	const char *sql = events_sql(b, k);
	sq_q q;
	if (!sql)
		return HG_ENOMEM;
	sq_q_cached(&q, &b->stmts, b->db, sql);
	for (size_t i = 0; i < k; i++) {
		const struct bulk_row *r = &rows[i];
		int p = (int)i * EVENT_PARAMS;
		sq_q_bind_int64(&q, p + 1, r->id);
		sq_q_bind_int64(&q, p + 2, episode_id);
		sq_q_bind_int64(&q, p + 3, r->seq);
		sq_q_bind_text(&q, p + 4, event_type_code(r->type));
		sq_q_bind_int64(&q, p + 5, r->occurred_at);
		sq_q_bind_int64(&q, p + 6, r->recorded_at);
		sq_q_bind_text(&q, p + 7, r->author_unit);
		sq_q_bind_text(&q, p + 8, r->author_user);
		sq_q_bind_textn(&q, p + 9, r->body, (size_t)r->body_len);
	}
	return sq_q_exec(&q);
}

static hg_status write_episode(store_bulk *b, struct bulk_job *j)
{
	sq_q q;
	sq_q_cached(&q, &b->stmts, b->db, episode_sql);
	sq_q_bind_int64(&q, 1, j->episode_id);
	sq_q_bind_int64(&q, 2, j->rows[0].recorded_at);
	hg_status rc = sq_q_exec(&q);
	for (size_t i = 0; rc == HG_OK && i < j->n; i += BULK_EVENT_ROWS)
		rc = write_events(b, j->episode_id, &j->rows[i], j->n - i < BULK_EVENT_ROWS ? j->n - i : BULK_EVENT_ROWS);
	if (rc == HG_OK)
		rc = sq_project(&b->project, b->db, &j->st, j->rows[j->n - 1].recorded_at);
	if (rc == HG_OK)
		rc = sq_facts_blob_write(&b->project, b->db, &j->facts);
	return rc;
}

static hg_status write_survey(store_bulk *b, const struct bulk_job *j)
{
	const survey_answer *a = &j->survey;
	sq_q q;
	sq_q_cached(&q, &b->stmts, b->db, survey_sql);
	sq_q_bind_int64(&q, 1, j->episode_id);
	sq_q_bind_instant(&q, 2, a->answered_at);
	sq_q_bind_text(&q, 3, survey_channel_label(a->channel)->code);
	sq_q_bind_text(&q, 4, survey_respondent_label(a->respondent)->code);
	for (int k = 0; k < SURVEY_QUESTION_COUNT; k++) {
		if (a->replies[k] == SURVEY_UNANSWERED)
			sq_q_bind_null(&q, 5 + k);
		else
			sq_q_bind_int64(&q, 5 + k, a->replies[k] == SURVEY_YES);
	}
	sq_q_bind_text(&q, 9, a->comment);
	sq_q_bind_text(&q, 10, j->by);
	return sq_q_exec(&q);
}

/* Records the writer's first failure and wakes a caller that waits for room. */
static void writer_fail(store_bulk *b, hg_status rc, const char *what)
{
	pthread_mutex_lock(&b->lock);
	if (b->failed == HG_OK) {
		b->failed = rc;
		(void)snprintf(b->failure, sizeof b->failure, "%s: %s", what, sqlite3_errmsg(b->db));
	}
	pthread_cond_broadcast(&b->can_put);
	pthread_mutex_unlock(&b->lock);
}

/*
 * The end. With commit: the indexes back, the commit, then one sync (a
 * safety level changes only between transactions) as the file goes back to
 * WAL mode with the store's usual locking. Without: no journal to roll back
 * with, so the transaction is only ended (the file is to be thrown away).
 */
static hg_status finish(store_bulk *b, bool commit)
{
	char mode[16] = "";
	hg_status rc = HG_OK;
	if (!b->in_tx)
		return HG_OK;
	b->in_tx = false;
	if (commit) {
		rc = sq_db_exec(b->db, BULK_PRAGMAS_INDEX);
		if (rc == HG_OK)
			rc = create_indexes(b);
		if (rc == HG_OK)
			rc = sq_db_exec(b->db, "COMMIT");
		if (rc != HG_OK)
			writer_fail(b, rc, "cannot finish the bulk load"); /* before the ROLLBACK clears the reason */
	}
	if (!commit || rc != HG_OK) {
		sq_exec_quiet(b->db, "ROLLBACK");
		return rc;
	}
	rc = sq_db_exec(b->db, "PRAGMA synchronous=FULL; PRAGMA locking_mode=NORMAL");
	if (rc == HG_OK)
		rc = query_text(b->db, "PRAGMA journal_mode=WAL", mode, sizeof mode);
	return rc == HG_OK && strcmp(mode, "wal") != 0 ? HG_EIO : rc;
}

static hg_status writer_setup(store_bulk *b)
{
	sq_q q;
	hg_status rc = sq_db_exec(b->db, "BEGIN IMMEDIATE");
	if (rc == HG_OK)
		b->in_tx = true;
	if (rc == HG_OK)
		rc = drop_indexes(b);
	if (rc == HG_OK) {
		sq_q_prepare(&q, b->db, "SELECT COALESCE(MAX(id), 0) FROM episodes");
		rc = sq_q_int64(&q, &b->next_episode);
	}
	if (rc == HG_OK) {
		sq_q_prepare(&q, b->db, "SELECT COALESCE(MAX(id), 0) FROM events");
		rc = sq_q_int64(&q, &b->next_event);
	}
	return rc;
}

static double thread_cpu_seconds(void)
{
	struct timespec t;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0)
		return 0;
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
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
		while (b->count == 0) {
			b->writer_sleeps = true;
			pthread_cond_wait(&b->can_take, &b->lock);
		}
		b->writer_sleeps = false;
		struct bulk_job *j = &b->jobs[b->head];
		bool failed = b->failed != HG_OK;
		pthread_mutex_unlock(&b->lock);

		bool end = j->kind == JOB_END;
		if (end) {
			rc = finish(b, j->commit && !failed);
			if (rc != HG_OK)
				writer_fail(b, rc, "cannot finish the bulk load");
			b->writer_cpu = thread_cpu_seconds();
		} else if (!failed) {
			rc = j->kind == JOB_EPISODE ? write_episode(b, j) : write_survey(b, j);
			if (rc != HG_OK)
				writer_fail(b, rc, "cannot write an episode");
		}

		pthread_mutex_lock(&b->lock);
		b->head = (b->head + 1) % BULK_QUEUE;
		b->count--;
		if (b->caller_sleeps && b->count <= BULK_QUEUE / 2)
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
	while (b->count == BULK_QUEUE && b->failed == HG_OK) {
		b->caller_sleeps = true;
		pthread_cond_wait(&b->can_put, &b->lock);
	}
	b->caller_sleeps = false;
	*failed = b->failed;
	struct bulk_job *j = *failed == HG_OK ? &b->jobs[(b->head + b->count) % BULK_QUEUE] : NULL;
	pthread_mutex_unlock(&b->lock);
	return j;
}

static void job_put(store_bulk *b)
{
	pthread_mutex_lock(&b->lock);
	b->count++;
	if (b->writer_sleeps && b->count >= BULK_WAKE)
		pthread_cond_signal(&b->can_take);
	pthread_mutex_unlock(&b->lock);
}

/* Puts a job that must reach the writer even after a failure (the end): waits for room regardless. */
static void job_put_end(store_bulk *b, bool commit)
{
	pthread_mutex_lock(&b->lock);
	while (b->count == BULK_QUEUE) {
		b->caller_sleeps = true;
		pthread_cond_wait(&b->can_put, &b->lock);
	}
	b->caller_sleeps = false;
	struct bulk_job *j = &b->jobs[(b->head + b->count) % BULK_QUEUE];
	j->kind = JOB_END;
	j->commit = commit;
	b->count++;
	pthread_cond_signal(&b->can_take);
	pthread_mutex_unlock(&b->lock);
}

/* Frees the event texts a slot kept from its last use. */
static void job_clear(struct bulk_job *j)
{
	for (size_t k = 0; k < j->cap; k++) {
		hg_free(j->rows[k].body);
		j->rows[k].body = NULL;
	}
}

static void bulk_free(store_bulk *b)
{
	sq_stmt_cache_clear(&b->stmts);
	sq_stmt_cache_clear(&b->project);
	for (int k = 0; k <= BULK_EVENT_ROWS; k++)
		hg_free(b->events_sql[k]);
	sqlite3_close(b->db);
	for (int i = 0; i < b->n_indexes; i++)
		hg_free(b->index_sql[i]);
	for (size_t i = 0; b->jobs && i < BULK_QUEUE; i++) {
		job_clear(&b->jobs[i]);
		hg_free(b->jobs[i].rows);
	}
	hg_free(b->jobs);
	pthread_cond_destroy(&b->ready_cond);
	pthread_cond_destroy(&b->can_take);
	pthread_cond_destroy(&b->can_put);
	pthread_mutex_destroy(&b->lock);
	hg_free(b);
}

/*
 * The connection's modes for the load. Leaving WAL for no journal needs the
 * file to itself: with another connection open the journal mode stays "wal",
 * and the load is refused rather than run without the guarantees it assumes.
 */
static hg_status take_alone(sqlite3 *db, char *err, size_t errlen)
{
	char mode[16] = "";
	hg_status rc = sq_db_exec(db, "PRAGMA locking_mode=EXCLUSIVE; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; "
			       BULK_PRAGMAS_LOAD);
	if (rc == HG_OK)
		rc = query_text(db, "PRAGMA journal_mode=OFF", mode, sizeof mode);
	if (rc == HG_OK && strcmp(mode, "off") != 0)
		rc = HG_EIO;

	if (rc != HG_OK)
		(void)snprintf(err, errlen, "cannot hold the database alone for the bulk load (is it open elsewhere?): %s",
			       sqlite3_errmsg(db));
	return rc;
}

/*
 * A database without events yet gets larger pages than the 4 KB it was made
 * with: a quarter of the pages to allocate, fill, balance and write for the
 * same rows. The page size changes only through VACUUM outside WAL, which on a
 * database that holds no more than its directory costs next to nothing.
 */
static hg_status larger_pages(sqlite3 *db)
{
	char events[8] = "";
	hg_status rc = query_text(db, "SELECT EXISTS (SELECT 1 FROM events)", events, sizeof events);
	if (rc == HG_OK && strcmp(events, "0") == 0)
		rc = sq_db_exec(db, "PRAGMA page_size=" BULK_PAGE_SIZE "; VACUUM");
	return rc;
}

hg_status store_bulk_open(const char *path, store_bulk **out, char *err, size_t errlen)
{
	store_bulk *b = hg_calloc(1, sizeof *b);
	*out = NULL;
	if (b && pgs_is_uri(path)) {
		hg_status rc = pgb_open(path, &b->pg, err, errlen);
		b->caller_cpu = thread_cpu_seconds();
		if (rc != HG_OK)
			hg_free(b);
		else
			*out = b;
		return rc;
	}
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
	hg_status rc = sq_open_conn(path, &b->db, err, errlen);
	if (rc == HG_OK)
		rc = take_alone(b->db, err, errlen);
	if (rc == HG_OK && (rc = larger_pages(b->db)) != HG_OK)
		(void)snprintf(err, errlen, "cannot set the page size for the bulk load: %s", sqlite3_errmsg(b->db));
	if (rc == HG_OK && pthread_create(&b->writer, NULL, writer_main, b) != 0) {
		(void)snprintf(err, errlen, "cannot start the bulk loader's thread");
		rc = HG_EIO;
	}
	if (rc != HG_OK) {
		bulk_free(b);
		return rc;
	}
	b->writer_started = true;
	pthread_mutex_lock(&b->lock);
	while (!b->ready)
		pthread_cond_wait(&b->ready_cond, &b->lock);
	rc = b->failed;
	if (rc != HG_OK)
		(void)snprintf(err, errlen, "%s", b->failure);
	pthread_mutex_unlock(&b->lock);
	if (rc != HG_OK) {
		hg_status ignored = store_bulk_close(b, false, NULL); /* nothing written: nothing more to report */
		(void)ignored;
		return rc;
	}
	b->next_episode++;
	b->next_event++;
	b->caller_cpu = thread_cpu_seconds();
	*out = b;
	return HG_OK;
}

hg_status store_bulk_episode(store_bulk *b, event *evs, size_t n, episode_state *st, int64_t *episode_id)
{
	hg_status rc;
	if (b->pg)
		return pgb_episode(b->pg, evs, n, st, episode_id);
	if (n == 0 || evs[0].type != EVENT_ADMITTED || (size_t)st->last_seq != n)
		return HG_EINVAL;
	struct bulk_job *j = job_get(b, &rc);
	if (!j)
		return rc;
	job_clear(j);
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
		if (!r->body)
			return HG_ENOMEM; /* the texts so far go when the slot is used again, or with the loader */
		r->body_len = (int)strlen(r->body); /* < EVENT_JSON_TEXT_MAX */
		r->id = evs[i].id;
		r->seq = evs[i].seq;
		r->type = evs[i].type;
		r->occurred_at = evs[i].occurred_at;
		r->recorded_at = evs[i].recorded_at;
		sq_copy_str(r->author_unit, sizeof r->author_unit, evs[i].author_unit);
		sq_copy_str(r->author_user, sizeof r->author_user, evs[i].author_user);
	}
	st->id = id;
	if ((rc = sq_facts_blob_make(st, evs, n, &j->facts)) != HG_OK)
		return rc;
	j->kind = JOB_EPISODE;
	j->episode_id = id;
	j->n = n;
	j->st = *st;
	job_put(b);
	b->next_episode++;
	b->next_event += (int64_t)n;
	*episode_id = id;
	return HG_OK;
}

hg_status store_bulk_survey_answer(store_bulk *b, int64_t episode_id, const survey_answer *a, const char *by)
{
	hg_status rc;
	if (b->pg)
		return pgb_survey_answer(b->pg, episode_id, a, by);
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

hg_status store_bulk_close(store_bulk *b, bool commit, store_bulk_stats *stats)
{
	if (!b)
		return HG_OK;
	if (b->pg) {
		hg_status rc = pgb_close(b->pg, commit);
		if (stats) /* the writing is the server's */
			*stats = (store_bulk_stats){0, thread_cpu_seconds() - b->caller_cpu};
		hg_free(b);
		return rc;
	}
	if (b->writer_started) {
		job_put_end(b, commit);
		pthread_join(b->writer, NULL);
	}
	hg_status rc = b->failed;
	if (stats) {
		stats->writer_cpu = b->writer_cpu;
		stats->caller_cpu = thread_cpu_seconds() - b->caller_cpu;
	}
	bulk_free(b);
	return rc;
}
