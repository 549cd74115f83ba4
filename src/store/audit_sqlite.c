/*
 * audit_sqlite.c - the write path of the SQLite store: group commit (see audit_queue in
 * store_int.h). Every read and write of patient data appends an audit record, and every event is
 * an append, so this is on the path of every API request; one fsync per request would cap the
 * server at the disk's sync rate. Here one writer thread takes everything queued - audit records
 * and appends - judges the appends with the core one after the other inside one transaction
 * (each under its own savepoint, so a rejection undoes only itself), commits once, and then
 * declares every ticket of the batch decided. Nothing is acknowledged before its batch is on disk;
 * concurrent requests share one sync.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"
#include "store/store_pg.h"

static hg_status insert_audit(sq_stmt_cache *stmts, sqlite3 *db, const store_audit *items, const uint32_t *pat_off,
			      const uint32_t *pat_n, const int64_t *patients, size_t n)
{
	static const char sql[] = "INSERT INTO audit_log(at, username, unit_id, action, episode_id, reason, client) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	static const char sql_link[] = "INSERT OR IGNORE INTO audit_patients(audit_id, episode_id) VALUES (?1, ?2)";
	sqlite3_stmt *st = NULL, *link = NULL;
	hg_status rc = sq_stmt_cached(stmts, db, sql, &st);
	if (rc == HG_OK)
		rc = sq_stmt_cached(stmts, db, sql_link, &link);
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		const store_audit *a = &items[i];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, a->at);
		sq_bind_text(st, 2, a->username);
		sq_bind_text(st, 3, a->unit[0] ? a->unit : NULL);
		sq_bind_text(st, 4, a->action);
		if (a->episode_id)
			sqlite3_bind_int64(st, 5, a->episode_id);
		else
			sqlite3_bind_null(st, 5);
		sq_bind_text(st, 6, a->reason[0] ? a->reason : NULL);
		sq_bind_text(st, 7, a->client[0] ? a->client : NULL);
		rc = sqlite3_step(st) == SQLITE_DONE ? HG_OK : HG_EIO;
		int64_t id = sqlite3_last_insert_rowid(db);
		for (uint32_t k = 0; rc == HG_OK && k < pat_n[i]; k++) {
			sqlite3_reset(link);
			sqlite3_bind_int64(link, 1, id);
			sqlite3_bind_int64(link, 2, patients[pat_off[i] + k]);
			rc = sqlite3_step(link) == SQLITE_DONE ? HG_OK : HG_EIO;
		}
	}
	if (st)
		sqlite3_reset(st);
	if (link)
		sqlite3_reset(link);
	return rc;
}

/* What one batch holds: copies of the audit records, the append jobs (owned by their callers). */
typedef struct batch {
	store_audit *items;
	uint32_t *pat_off, *pat_n;
	int64_t *patients;
	size_t n_items;
	sq_append_job **jobs;
	size_t n_jobs;
	size_t *slots; /* version slots of the parties of the appends that wrote */
	size_t n_slots;
} batch;

/*
 * Writes one batch in one transaction. The appends are judged first (each caller is told its
 * result as soon as it is judged), then the audit records go in, then the commit.
 */
static hg_status write_batch(store *s, audit_queue *q, batch *b)
{
	hg_status rc = sq_write_begin(s, q->db);
	if (rc != HG_OK) {
		for (size_t i = 0; i < b->n_jobs; i++)
			b->jobs[i]->rc = rc;
	}
	for (size_t i = 0; rc == HG_OK && i < b->n_jobs; i++) {
		sq_append_job *job = b->jobs[i];
		size_t n = 0;
		job->rc = sq_append_in_tx(s, q->db, job, b->slots + b->n_slots, &n);
		if (job->rc == HG_OK)
			b->n_slots += n;
		pthread_mutex_lock(&q->lock);
		job->judged = true;
		pthread_cond_broadcast(&q->judged);
		pthread_mutex_unlock(&q->lock);
	}
	if (rc != HG_OK) {
		pthread_mutex_lock(&q->lock);
		for (size_t i = 0; i < b->n_jobs; i++)
			b->jobs[i]->judged = true;
		pthread_cond_broadcast(&q->judged);
		pthread_mutex_unlock(&q->lock);
		return rc;
	}
	rc = insert_audit(&q->stmts, q->db, b->items, b->pat_off, b->pat_n, b->patients, b->n_items);
	if (rc != HG_OK) {
		sq_write_rollback(s, q->db);
		return rc;
	}
	return sq_write_commit(s, q->db);
}

/* Takes the batch's buffers that it does not hold yet; true when it holds them all. Asked before
 * every batch, so an allocation that failed once (at start, say) is tried again, and one failure
 * does not leave the writer refusing every later append (test_store_faults.c). */
static bool batch_ready(batch *b)
{
	if (!b->items)
		b->items = hg_malloc(AUDIT_QUEUE_MAX * sizeof *b->items);
	if (!b->jobs)
		b->jobs = hg_malloc(APPEND_QUEUE_MAX * sizeof *b->jobs);
	if (!b->slots)
		b->slots = hg_malloc(APPEND_QUEUE_MAX * SQ_PARTY_SLOTS_MAX * sizeof *b->slots);
	if (!b->pat_off)
		b->pat_off = hg_malloc(AUDIT_QUEUE_MAX * sizeof *b->pat_off);
	if (!b->pat_n)
		b->pat_n = hg_malloc(AUDIT_QUEUE_MAX * sizeof *b->pat_n);
	if (!b->patients)
		b->patients = hg_malloc(AUDIT_PATIENTS_MAX * sizeof *b->patients);
	return b->items && b->jobs && b->slots && b->pat_off && b->pat_n && b->patients;
}

static void *writer_main(void *arg)
{
	store *s = arg;
	audit_queue *q = &s->audit;
	batch b = {0};
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->count == 0 && q->njobs == 0 && !q->stop)
			pthread_cond_wait(&q->nonempty, &q->lock);
		if (q->count == 0 && q->njobs == 0 && q->stop)
			break;
		bool ready = batch_ready(&b);
		uint64_t last = q->enqueued, first = q->committed + 1;
		hg_status rc = HG_ENOMEM;
		b.n_items = b.n_jobs = b.n_slots = 0;
		if (ready) {
			memcpy(b.items, q->items, q->count * sizeof *b.items);
			memcpy(b.pat_off, q->item_pat_off, q->count * sizeof *b.pat_off);
			memcpy(b.pat_n, q->item_pat_n, q->count * sizeof *b.pat_n);
			memcpy(b.patients, q->patient_ids, q->npatients * sizeof *b.patients);
			memcpy(b.jobs, q->jobs, q->njobs * sizeof *b.jobs);
			b.n_items = q->count;
			b.n_jobs = q->njobs;
		} else {
			for (size_t i = 0; i < q->njobs; i++) {
				q->jobs[i]->rc = HG_ENOMEM;
				q->jobs[i]->judged = true;
			}
			pthread_cond_broadcast(&q->judged);
		}
		q->count = 0;
		q->npatients = 0;
		q->njobs = 0;
		pthread_cond_broadcast(&q->space);
		pthread_mutex_unlock(&q->lock);
		if (ready)
			rc = write_batch(s, q, &b);
		sq_read_model_batch_end(s, rc == HG_OK); /* before the versions move and the callers hear */
		if (rc == HG_OK)
			sq_units_touch(s, b.slots, b.n_slots); /* after the commit: caches see the new state */
		else
			sq_fold_cache_clear(q->folds); /* it may hold states of appends that were not stored */
		pthread_mutex_lock(&q->lock);
		if (rc != HG_OK) {
			q->failed_lo = first;
			q->failed_hi = last;
			(void)sq_fail_io(s);
		}
		q->committed = last;
		pthread_cond_broadcast(&q->done);
		void (*notify)(void *) = q->notify;
		void *notify_arg = q->notify_arg;
		if (notify) {
			/* outside the lock: the callback asks store_ticket_state, which takes it */
			pthread_mutex_unlock(&q->lock);
			notify(notify_arg);
			pthread_mutex_lock(&q->lock);
		}
	}
	pthread_mutex_unlock(&q->lock);
	hg_free(b.items);
	hg_free(b.jobs);
	hg_free(b.slots);
	hg_free(b.pat_off);
	hg_free(b.pat_n);
	hg_free(b.patients);
	return NULL;
}

hg_status sq_audit_start(store *s, const char *path, char *err, size_t errlen)
{
	audit_queue *q = &s->audit;
	hg_status rc = sq_open_conn(path, &q->db, err, errlen);
	if (rc != HG_OK)
		return rc;
	q->items = hg_malloc(AUDIT_QUEUE_MAX * sizeof *q->items);
	q->jobs = hg_malloc(APPEND_QUEUE_MAX * sizeof *q->jobs);
	q->folds = hg_calloc(1, sizeof *q->folds);
	q->item_pat_off = hg_malloc(AUDIT_QUEUE_MAX * sizeof *q->item_pat_off);
	q->item_pat_n = hg_malloc(AUDIT_QUEUE_MAX * sizeof *q->item_pat_n);
	q->patient_ids = hg_malloc(AUDIT_PATIENTS_MAX * sizeof *q->patient_ids);
	if (!q->items || !q->jobs || !q->folds || !q->item_pat_off || !q->item_pat_n || !q->patient_ids) {
		snprintf(err, errlen, "out of memory");
		return HG_ENOMEM;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	pthread_cond_init(&q->done, NULL);
	pthread_cond_init(&q->space, NULL);
	pthread_cond_init(&q->judged, NULL);
	if (pthread_create(&q->writer, NULL, writer_main, s) != 0) {
		snprintf(err, errlen, "cannot start the writer");
		return HG_EIO;
	}
	q->running = true;
	return HG_OK;
}

void sq_audit_stop(store *s)
{
	audit_queue *q = &s->audit;
	if (q->running) {
		pthread_mutex_lock(&q->lock);
		q->stop = true;
		pthread_cond_signal(&q->nonempty);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->writer, NULL);
		pthread_cond_destroy(&q->nonempty);
		pthread_cond_destroy(&q->done);
		pthread_cond_destroy(&q->space);
		pthread_cond_destroy(&q->judged);
		pthread_mutex_destroy(&q->lock);
		q->running = false;
	}
	hg_free(q->items);
	q->items = NULL;
	hg_free(q->jobs);
	q->jobs = NULL;
	hg_free(q->item_pat_off);
	hg_free(q->item_pat_n);
	hg_free(q->patient_ids);
	q->item_pat_off = q->item_pat_n = NULL;
	q->patient_ids = NULL;
	sq_stmt_cache_clear(&q->stmts);
	sq_fold_cache_clear(q->folds);
	hg_free(q->folds);
	q->folds = NULL;
	sqlite3_close(q->db);
	q->db = NULL;
}

hg_status sq_writer_sync_mode(store *s, bool full)
{
	audit_queue *q = &s->audit;
	hg_status rc;
	if (!q->running)
		return HG_OK;
	/* The writer holds the connection only inside a batch, under the write lock. */
	pthread_mutex_lock(&s->write_lock);
	rc = sq_exec(q->db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
	pthread_mutex_unlock(&s->write_lock);
	return rc;
}

hg_status store_audit_enqueue_patients(store *s, const store_audit *a, const int64_t *episodes, size_t n,
				       uint64_t *ticket)
{
	if (s->pg) { *ticket = 0; return pgs_audit_add_patients(s->pg, a, episodes, n); } /* committed: nothing to wait for */
	audit_queue *q = &s->audit;
	if (!q->running)
		return HG_EIO;
	if (n > STORE_AUDIT_PATIENTS_MAX)
		return HG_ERANGE;
	pthread_mutex_lock(&q->lock);
	while ((q->count == AUDIT_QUEUE_MAX || q->npatients + n > AUDIT_PATIENTS_MAX) && !q->stop)
		pthread_cond_wait(&q->space, &q->lock);
	if (q->stop) {
		pthread_mutex_unlock(&q->lock);
		return HG_EIO;
	}
	q->items[q->count] = *a;
	q->item_pat_off[q->count] = (uint32_t)q->npatients;
	q->item_pat_n[q->count] = (uint32_t)n;
	if (n)
		memcpy(q->patient_ids + q->npatients, episodes, n * sizeof *episodes);
	q->npatients += n;
	q->count++;
	*ticket = ++q->enqueued;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	return HG_OK;
}

hg_status store_audit_enqueue(store *s, const store_audit *a, uint64_t *ticket)
{
	return store_audit_enqueue_patients(s, a, NULL, 0, ticket);
}

int store_ticket_state(store *s, uint64_t ticket)
{
	if (s->pg) return 1; /* PostgreSQL answers after COMMIT: every ticket (0) is durable */
	audit_queue *q = &s->audit;
	int r;
	pthread_mutex_lock(&q->lock);
	if (q->committed < ticket)
		r = q->stop && !q->running ? -1 : 0;
	else
		r = q->failed_hi && ticket >= q->failed_lo && ticket <= q->failed_hi ? -1 : 1;
	pthread_mutex_unlock(&q->lock);
	return r;
}

hg_status sq_ticket_wait(store *s, uint64_t ticket)
{
	audit_queue *q = &s->audit;
	hg_status rc;
	pthread_mutex_lock(&q->lock);
	while (q->committed < ticket)
		pthread_cond_wait(&q->done, &q->lock);
	rc = q->failed_hi && ticket >= q->failed_lo && ticket <= q->failed_hi ? HG_EIO : HG_OK;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void store_audit_set_notify(store *s, void (*fn)(void *arg), void *arg)
{
	audit_queue *q = &s->audit;
	if (!q->running)
		return;
	pthread_mutex_lock(&q->lock);
	q->notify = fn;
	q->notify_arg = arg;
	pthread_mutex_unlock(&q->lock);
}

hg_status store_audit_add(store *s, const store_audit *a)
{
	if (s->pg) return pgs_audit_add(s->pg, a);
	uint64_t ticket = 0;
	hg_status rc = store_audit_enqueue(s, a, &ticket);
	if (rc == HG_OK)
		rc = sq_ticket_wait(s, ticket);
	return rc;
}

hg_status store_append_held(store *s, int64_t episode_id, const event *ev, const char *key,
			    const uint8_t *request_hash, hg_instant now, store_append_result *out, event_error *err,
			    uint64_t *ticket)
{
	if (s->pg) { *ticket = 0; return pgs_append_request(s->pg, episode_id, ev, key, request_hash, now, out, err); }
	audit_queue *q = &s->audit;
	sq_append_job job = {.episode_id = episode_id,
			     .ev = ev,
			     .key = key,
			     .request_hash = request_hash,
			     .now = now,
			     .out = out,
			     .err = err};
	*ticket = 0;
	event_error_clear(err);
	memset(out, 0, sizeof *out);
	if (!q->running)
		return HG_EIO;
	pthread_mutex_lock(&q->lock);
	while (q->njobs == APPEND_QUEUE_MAX && !q->stop)
		pthread_cond_wait(&q->space, &q->lock);
	if (q->stop) {
		pthread_mutex_unlock(&q->lock);
		return HG_EIO;
	}
	q->jobs[q->njobs++] = &job;
	job.ticket = ++q->enqueued;
	pthread_cond_signal(&q->nonempty);
	/* a short wait: the writer judges in memory and writes into its open transaction, no sync */
	while (!job.judged)
		pthread_cond_wait(&q->judged, &q->lock);
	pthread_mutex_unlock(&q->lock);
	if (job.rc == HG_OK && !out->replayed)
		atomic_fetch_add(&s->appended, 1);
	/* a replay or a refusal is held too: the original may still be in the uncommitted batch */
	*ticket = job.ticket;
	return job.rc;
}
