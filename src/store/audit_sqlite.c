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
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <sodium.h>

#include "core/alloc.h"
#include "store/sq_db.h"
#include "store/store_int.h"
#include "store/store_pg.h"

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sorts ids[0..*n) and drops repeats. */
static void sort_unique(int64_t *ids, size_t *n)
{
	size_t k = 0, sorted = 1;
	while (sorted < *n && ids[sorted - 1] < ids[sorted])
		sorted++;
	if (sorted >= *n) /* already sorted and unique: a cached worklist hands them over so, on every read */
		return;
	qsort(ids, *n, sizeof *ids, cmp_id);
	for (size_t i = 0; i < *n; i++)
		if (k == 0 || ids[i] != ids[k - 1])
			ids[k++] = ids[i];
	*n = k;
}

/* The digest of a sorted set of episode ids (each as 8 bytes, little-endian). */
static void set_digest(const int64_t *ids, size_t n, uint8_t out[SQ_SET_DIGEST])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, SQ_SET_DIGEST);
	for (size_t i = 0; i < n; i++) {
		uint8_t b[8];
		for (int k = 0; k < 8; k++)
			b[k] = (uint8_t)((uint64_t)ids[i] >> (8 * k));
		crypto_generichash_update(&h, b, sizeof b);
	}
	crypto_generichash_final(&h, out, SQ_SET_DIGEST);
}

/*
 * The id of the stored set of episodes ids[0..n) (sorted, unique): from the writer's cache, else
 * from audit_patient_sets, else stored now (the set and one member row per episode).
 */
static hg_status patient_set(sq_stmt_cache *stmts, sqlite3 *db, sq_set_cache *cache, const int64_t *ids, size_t n,
			     int64_t *id)
{
	static const char sql_find[] = "SELECT id FROM audit_patient_sets WHERE digest = ?1";
	static const char sql_set[] = "INSERT INTO audit_patient_sets(digest, n) VALUES (?1, ?2)";
	static const char sql_member[] = "INSERT OR IGNORE INTO audit_patient_set_members(set_id, episode_id) VALUES (?1, ?2)";
	uint8_t d[SQ_SET_DIGEST];
	sq_q q;
	set_digest(ids, n, d);
	for (size_t i = 0; i < SQ_SET_CACHE; i++)
		if (cache->id[i] && memcmp(cache->digest[i], d, sizeof d) == 0) {
			*id = cache->id[i];
			return HG_OK;
		}
	*id = 0;
	sq_q_cached(&q, stmts, db, sql_find);
	sq_q_bind_blob(&q, 1, d, sizeof d);
	hg_status rc = sq_q_int64(&q, id);
	if (rc != HG_OK && rc != HG_ENOTFOUND)
		return HG_EIO;
	if (rc == HG_ENOTFOUND) {
		sq_q_cached(&q, stmts, db, sql_set);
		sq_q_bind_blob(&q, 1, d, sizeof d);
		sq_q_bind_int64(&q, 2, (int64_t)n);
		if (sq_q_exec(&q) != HG_OK)
			return HG_EIO;
		*id = sqlite3_last_insert_rowid(db);
		sq_q_cached(&q, stmts, db, sql_member);
		for (size_t k = 0; k < n; k++) {
			sq_q_bind_int64(&q, 1, *id);
			sq_q_bind_int64(&q, 2, ids[k]);
			while (sq_q_step(&q))
				;
			sq_q_reset(&q);
		}
		if (sq_q_finish(&q) != HG_OK)
			return HG_EIO;
	}
	memcpy(cache->digest[cache->next], d, sizeof d);
	cache->id[cache->next] = *id;
	cache->next = (cache->next + 1) % SQ_SET_CACHE;
	return HG_OK;
}

/* One audit record and, when it showed patients (patients[0..n)), its link to their set. */
static hg_status insert_record(sq_stmt_cache *stmts, sqlite3 *db, sq_set_cache *sets, const store_audit *a,
			       const int64_t *patients, size_t n)
{
	static const char sql[] = "INSERT INTO audit_log(at, username, unit_id, action, episode_id, reason, client) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	static const char sql_link[] = "INSERT INTO audit_set_links(audit_id, set_id) VALUES (?1, ?2)";
	sq_q q;
	sq_q_cached(&q, stmts, db, sql);
	sq_q_bind_int64(&q, 1, a->at);
	sq_q_bind_text(&q, 2, a->username);
	sq_q_bind_text_or_null(&q, 3, a->unit);
	sq_q_bind_text(&q, 4, a->action);
	if (a->episode_id)
		sq_q_bind_int64(&q, 5, a->episode_id);
	else
		sq_q_bind_null(&q, 5);
	sq_q_bind_text_or_null(&q, 6, a->reason);
	sq_q_bind_text_or_null(&q, 7, a->client);
	hg_status rc = sq_q_exec(&q) == HG_OK ? HG_OK : HG_EIO;
	int64_t id = sqlite3_last_insert_rowid(db);
	if (rc != HG_OK || n == 0)
		return rc;
	int64_t *ids = hg_malloc(n * sizeof *ids), set = 0;
	if (!ids)
		return HG_ENOMEM;
	memcpy(ids, patients, n * sizeof *ids);
	sort_unique(ids, &n);
	rc = patient_set(stmts, db, sets, ids, n, &set);
	hg_free(ids);
	if (rc != HG_OK)
		return rc;
	sq_q_cached(&q, stmts, db, sql_link);
	sq_q_bind_int64(&q, 1, id);
	sq_q_bind_int64(&q, 2, set);
	return sq_q_exec(&q) == HG_OK ? HG_OK : HG_EIO;
}

static hg_status insert_audit(sq_stmt_cache *stmts, sqlite3 *db, sq_set_cache *sets, const store_audit *items,
			      const uint32_t *pat_off, const uint32_t *pat_n, const int64_t *patients, size_t n)
{
	hg_status rc = HG_OK;
	for (size_t i = 0; rc == HG_OK && i < n; i++)
		rc = insert_record(stmts, db, sets, &items[i], patients + pat_off[i], pat_n[i]);
	return rc;
}

/* The audit record of a stored or replayed append from its template: the event's episode, and
 * ".replayed" added to the action for a replay. */
static store_audit job_audit(const store_audit *tmpl, const store_append_result *out)
{
	store_audit a = *tmpl;
	a.episode_id = out->episode_id;
	if (out->replayed)
		snprintf(a.action, sizeof a.action, "%.*s.replayed", (int)sizeof a.action - 10, tmpl->action);
	return a;
}

/* The audit records that submitted appends carry, for those stored or replayed. */
static hg_status insert_job_audit(sq_stmt_cache *stmts, sqlite3 *db, sq_append_job *const *jobs, size_t n)
{
	hg_status rc = HG_OK;
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		const sq_append_job *job = jobs[i];
		if (!job || !job->audit || job->rc != HG_OK)
			continue;
		store_audit a = job_audit(job->audit, job->out);
		rc = insert_record(stmts, db, NULL, &a, NULL, 0);
	}
	return rc;
}

/* What the HL7 messages of submitted appends record with their events, for those stored or
 * replayed (interop_note). */
static hg_status insert_job_notes(sq_stmt_cache *stmts, sqlite3 *db, sq_append_job *const *jobs, size_t n)
{
	static const char sql_visit[] = "INSERT OR REPLACE INTO hl7_visits(facility, visit, episode_id) VALUES (?1, ?2, ?3)";
	static const char sql_msg[] = "INSERT OR REPLACE INTO hl7_messages(facility, control_id, received_at, trigger, "
				      "outcome, episode_id, ack) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	hg_status rc = HG_OK;
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		const sq_append_job *job = jobs[i];
		if (!job || !job->note || job->rc != HG_OK)
			continue;
		const interop_note *nt = job->note;
		int64_t episode = job->out->episode_id;
		sq_q q;
		if (nt->visit[0]) {
			sq_q_cached(&q, stmts, db, sql_visit);
			sq_q_bind_text(&q, 1, nt->facility);
			sq_q_bind_text(&q, 2, nt->visit);
			sq_q_bind_int64(&q, 3, episode);
			if (sq_q_exec(&q) != HG_OK)
				return HG_EIO;
		}
		sq_q_cached(&q, stmts, db, sql_msg);
		sq_q_bind_text(&q, 1, nt->facility);
		sq_q_bind_text(&q, 2, nt->control_id);
		sq_q_bind_int64(&q, 3, nt->at);
		sq_q_bind_text(&q, 4, nt->trigger);
		sq_q_bind_text(&q, 5, nt->outcome);
		if (episode)
			sq_q_bind_int64(&q, 6, episode);
		else
			sq_q_bind_null(&q, 6);
		sq_q_bind_text(&q, 7, nt->ack);
		rc = sq_q_exec(&q) == HG_OK ? HG_OK : HG_EIO;
	}
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
		if (job->rc == HG_OK && !job->out->replayed)
			atomic_fetch_add(&s->appended, 1);
		if (job->owner) { /* submitted: nobody waits for the judgement, only for the commit */
			job->judged = true;
			continue;
		}
		b->jobs[i] = NULL; /* its caller's (on its stack): not to be touched once judged */
		pthread_mutex_lock(&q->lock);
		job->judged = true;
		pthread_cond_broadcast(&q->judged);
		pthread_mutex_unlock(&q->lock);
	}
	if (rc != HG_OK) {
		pthread_mutex_lock(&q->lock);
		for (size_t i = 0; i < b->n_jobs; i++) {
			if (!b->jobs[i])
				continue;
			b->jobs[i]->judged = true;
			if (!b->jobs[i]->owner)
				b->jobs[i] = NULL;
		}
		pthread_cond_broadcast(&q->judged);
		pthread_mutex_unlock(&q->lock);
		return rc;
	}
	rc = insert_audit(&q->stmts, q->db, &q->sets, b->items, b->pat_off, b->pat_n, b->patients, b->n_items);
	if (rc == HG_OK)
		rc = insert_job_audit(&q->stmts, q->db, b->jobs, b->n_jobs);
	if (rc == HG_OK)
		rc = insert_job_notes(&q->stmts, q->db, b->jobs, b->n_jobs);
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
	prctl(PR_SET_NAME, "hg-writer"); /* named in top, perf and /proc/PID/task/TID/comm */
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
				if (q->jobs[i]->owner) /* its ticket fails with the batch: the writer is done with it */
					store_append_job_release(q->jobs[i]->owner);
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
		else { /* the caches may hold what the failed batch did not store */
			sq_fold_cache_clear(q->folds);
			memset(&q->sets, 0, sizeof q->sets);
		}
		pthread_mutex_lock(&q->lock);
		if (rc != HG_OK) {
			q->failed_lo = first;
			q->failed_hi = last;
			(void)sq_fail_io(s);
		}
		q->committed = last;
		pthread_cond_broadcast(&q->done);
		pthread_mutex_unlock(&q->lock);
		for (size_t i = 0; i < b.n_jobs; i++)
			if (b.jobs[i]) /* a submitted job (the others were let go when judged) */
				store_append_job_release(b.jobs[i]->owner);
		pthread_mutex_lock(&q->lock);
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

/* The writer's WAL hook, after each commit: n frames in the WAL. Replaces the automatic
 * checkpoint, which would copy the WAL into the database (and sync it) inside the commit. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int n)
{
	audit_queue *q = arg;
	(void)db;
	(void)name;
	if (n >= SQ_CHECKPOINT_FRAMES) {
		pthread_mutex_lock(&q->ckpt_lock);
		q->ckpt_want = true;
		pthread_cond_signal(&q->ckpt_cond);
		pthread_mutex_unlock(&q->ckpt_lock);
	}
	return SQLITE_OK;
}

static void *checkpointer_main(void *arg)
{
	audit_queue *q = arg;
	prctl(PR_SET_NAME, "hg-checkpoint");
	pthread_mutex_lock(&q->ckpt_lock);
	for (;;) {
		while (!q->ckpt_want && !q->ckpt_stop)
			pthread_cond_wait(&q->ckpt_cond, &q->ckpt_lock);
		if (q->ckpt_stop)
			break;
		q->ckpt_want = false;
		pthread_mutex_unlock(&q->ckpt_lock);
		/* a failure (busy, I/O) leaves the WAL longer, nothing lost: the next commit asks again */
		(void)sqlite3_wal_checkpoint_v2(q->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&q->ckpt_lock);
	}
	pthread_mutex_unlock(&q->ckpt_lock);
	return NULL;
}

/* Starts the checkpointer; without it (no memory, no thread) the writer checkpoints as SQLite does. */
static void checkpointer_start(audit_queue *q, const char *path)
{
	char err[160];
	if (sq_open_conn(path, &q->ckpt_db, err, sizeof err) != HG_OK) {
		q->ckpt_db = NULL;
		return;
	}
	pthread_mutex_init(&q->ckpt_lock, NULL);
	pthread_cond_init(&q->ckpt_cond, NULL);
	if (pthread_create(&q->ckpt, NULL, checkpointer_main, q) != 0) {
		pthread_cond_destroy(&q->ckpt_cond);
		pthread_mutex_destroy(&q->ckpt_lock);
		sqlite3_close(q->ckpt_db);
		q->ckpt_db = NULL;
		return;
	}
	q->ckpt_running = true;
	sqlite3_wal_hook(q->db, wal_hook, q);
}

static void checkpointer_stop(audit_queue *q)
{
	if (!q->ckpt_running)
		return;
	pthread_mutex_lock(&q->ckpt_lock);
	q->ckpt_stop = true;
	pthread_cond_signal(&q->ckpt_cond);
	pthread_mutex_unlock(&q->ckpt_lock);
	pthread_join(q->ckpt, NULL);
	pthread_cond_destroy(&q->ckpt_cond);
	pthread_mutex_destroy(&q->ckpt_lock);
	sqlite3_close(q->ckpt_db);
	q->ckpt_db = NULL;
	q->ckpt_running = false;
}

hg_status sq_audit_start(store *s, const char *path, char *err, size_t errlen)
{
	audit_queue *q = &s->audit;
	hg_status rc = sq_open_conn(path, &q->db, err, errlen);
	if (rc != HG_OK)
		return rc;
	/* Each append runs under a savepoint, so every page it changes is copied to the statement
	 * journal; a batch of dozens outgrows the in-memory part and SQLite creates, writes and
	 * deletes a temporary file for it on every batch. In memory it costs no syscall at all. */
	sq_exec_quiet(q->db, "PRAGMA temp_store=MEMORY");
	if (strcmp(path, ":memory:") != 0)
		checkpointer_start(q, path);
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
	checkpointer_stop(q); /* after the writer: its last commit may still have asked for one */
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
	rc = sq_db_exec(q->db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF") == HG_OK ? HG_OK : HG_EIO;
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

/* Queues job for the writer and gives it its ticket; false when the writer stops. */
static bool enqueue_job(audit_queue *q, sq_append_job *job)
{
	pthread_mutex_lock(&q->lock);
	while (q->njobs == APPEND_QUEUE_MAX && !q->stop)
		pthread_cond_wait(&q->space, &q->lock);
	if (q->stop) {
		pthread_mutex_unlock(&q->lock);
		return false;
	}
	q->jobs[q->njobs++] = job;
	job->ticket = ++q->enqueued;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	return true;
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
	if (!q->running || !enqueue_job(q, &job))
		return HG_EIO;
	/* a short wait: the writer judges in memory and writes into its open transaction, no sync */
	pthread_mutex_lock(&q->lock);
	while (!job.judged)
		pthread_cond_wait(&q->judged, &q->lock);
	pthread_mutex_unlock(&q->lock);
	/* a replay or a refusal is held too: the original may still be in the uncommitted batch */
	*ticket = job.ticket;
	return job.rc;
}

/* store_append_submit and interop_append_submit. */
static hg_status submit(store *s, int64_t episode_id, const event *ev, const char *key, const uint8_t *request_hash,
			hg_instant now, const store_audit *audit, const interop_note *note, store_append_job **out,
			uint64_t *ticket)
{
	store_append_job *j = hg_calloc(1, sizeof *j);
	*out = NULL;
	*ticket = 0;
	if (!j)
		return HG_ENOMEM;
	j->ev = *ev;
	if (key)
		sq_copy_str(j->key, sizeof j->key, key);
	if (request_hash)
		memcpy(j->hash, request_hash, sizeof j->hash);
	if (audit)
		j->audit = *audit;
	if (note) {
		j->note = *note;
		j->ack = hg_strdup(note->ack ? note->ack : "");
		j->note.ack = j->ack;
		if (!j->ack) {
			hg_free(j);
			return HG_ENOMEM;
		}
	}
	event_error_clear(&j->err);
	j->job = (sq_append_job){.episode_id = episode_id,
				 .ev = &j->ev,
				 .key = key ? j->key : NULL,
				 .request_hash = request_hash ? j->hash : NULL,
				 .now = now,
				 .out = &j->out,
				 .err = &j->err,
				 .audit = audit ? &j->audit : NULL,
				 .note = note ? &j->note : NULL,
				 .owner = j};
	atomic_init(&j->refs, 2); /* the caller's and the writer's */
	if (s->pg) { /* PostgreSQL answers after COMMIT: decided at once, ticket 0 */
		atomic_init(&j->refs, 1);
		*out = j;
		j->job.rc = pgs_append_request(s->pg, episode_id, &j->ev, j->job.key, j->job.request_hash, now, &j->out,
					       &j->err);
		if (j->job.rc == HG_OK && audit) {
			store_audit a = job_audit(&j->audit, &j->out);
			if (pgs_audit_add(s->pg, &a) != HG_OK)
				j->job.rc = HG_EIO;
		}
		if (j->job.rc == HG_OK && note &&
		    ((note->visit[0] && interop_visit_put(s, note->facility, note->visit, j->out.episode_id) != HG_OK) ||
		     interop_message_put(s, note->facility, note->control_id, note->trigger, note->outcome,
					 j->out.episode_id, j->ack, note->at) != HG_OK))
			j->job.rc = HG_EIO;
		return HG_OK;
	}
	if (!s->audit.running || !enqueue_job(&s->audit, &j->job)) {
		hg_free(j->ack);
		hg_free(j);
		return HG_EIO;
	}
	*ticket = j->job.ticket;
	*out = j;
	return HG_OK;
}

hg_status store_append_submit(store *s, int64_t episode_id, const event *ev, const char *key,
			      const uint8_t *request_hash, hg_instant now, const store_audit *audit,
			      store_append_job **out, uint64_t *ticket)
{
	return submit(s, episode_id, ev, key, request_hash, now, audit, NULL, out, ticket);
}

hg_status interop_append_submit(store *s, int64_t episode_id, const event *ev, const char *key, hg_instant now,
				const store_audit *audit, const interop_note *note, store_append_job **job,
				uint64_t *ticket)
{
	return submit(s, episode_id, ev, key, NULL, now, audit, note, job, ticket);
}

hg_status store_append_job_wait(store *s, const store_append_job *job)
{
	return s->pg || job->job.ticket == 0 ? HG_OK : sq_ticket_wait(s, job->job.ticket);
}

hg_status store_append_job_result(const store_append_job *job, store_append_result *out, event_error *err)
{
	*out = job->out;
	*err = job->err;
	return job->job.rc;
}

void store_append_job_release(store_append_job *job)
{
	if (job && atomic_fetch_sub(&job->refs, 1) == 1) {
		hg_free(job->ack);
		hg_free(job);
	}
}
