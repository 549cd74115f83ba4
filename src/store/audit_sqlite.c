/*
 * audit_sqlite.c - the audit log's write path: group commit (see audit_queue
 * in store_int.h). Every read and write of patient data appends a record, so
 * this is on the path of every API request; one fsync per record would cap the
 * server at the disk's sync rate. Here a writer thread takes everything queued,
 * inserts it in one transaction, and wakes the callers, whose records are then
 * durable: no access goes unaudited, and concurrent requests share one sync.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

static hg_status insert_batch(store *s, sqlite3 *db, const store_audit *items, size_t n)
{
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_write_begin(s, db);
	if (rc != HG_OK)
		return rc;
	rc = sq_prepare(db,
			"INSERT INTO audit_log(at, username, unit_id, action, episode_id, reason, client) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			&st);
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
	}
	sqlite3_finalize(st);
	if (rc != HG_OK) {
		sq_write_rollback(s, db);
		return rc;
	}
	return sq_write_commit(s, db);
}

static void *writer_main(void *arg)
{
	store *s = arg;
	audit_queue *q = &s->audit;
	store_audit *batch = hg_malloc(AUDIT_QUEUE_MAX * sizeof *batch);
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->count == 0 && !q->stop)
			pthread_cond_wait(&q->nonempty, &q->lock);
		if (q->count == 0 && q->stop)
			break;
		size_t n = q->count;
		uint64_t last = q->enqueued;
		hg_status rc = HG_ENOMEM;
		if (batch)
			memcpy(batch, q->items, n * sizeof *batch);
		q->count = 0;
		pthread_cond_broadcast(&q->space);
		pthread_mutex_unlock(&q->lock);
		if (batch)
			rc = insert_batch(s, q->db, batch, n);
		pthread_mutex_lock(&q->lock);
		if (rc != HG_OK) {
			q->failed_lo = last - n + 1;
			q->failed_hi = last;
			(void)sq_fail_io(s);
		}
		q->committed = last;
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->lock);
	hg_free(batch);
	return NULL;
}

hg_status sq_audit_start(store *s, const char *path, char *err, size_t errlen)
{
	audit_queue *q = &s->audit;
	hg_status rc = sq_open_conn(path, &q->db, err, errlen);
	if (rc != HG_OK)
		return rc;
	q->items = hg_malloc(AUDIT_QUEUE_MAX * sizeof *q->items);
	if (!q->items) {
		snprintf(err, errlen, "out of memory");
		return HG_ENOMEM;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	pthread_cond_init(&q->done, NULL);
	pthread_cond_init(&q->space, NULL);
	if (pthread_create(&q->writer, NULL, writer_main, s) != 0) {
		snprintf(err, errlen, "cannot start the audit writer");
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
		pthread_mutex_destroy(&q->lock);
		q->running = false;
	}
	hg_free(q->items);
	q->items = NULL;
	sqlite3_close(q->db);
	q->db = NULL;
}

hg_status store_audit_add(store *s, const store_audit *a)
{
	audit_queue *q = &s->audit;
	uint64_t mine;
	hg_status rc;
	if (!q->running)
		return HG_EIO;
	pthread_mutex_lock(&q->lock);
	while (q->count == AUDIT_QUEUE_MAX && !q->stop)
		pthread_cond_wait(&q->space, &q->lock);
	if (q->stop) {
		pthread_mutex_unlock(&q->lock);
		return HG_EIO;
	}
	q->items[q->count++] = *a;
	mine = ++q->enqueued;
	pthread_cond_signal(&q->nonempty);
	while (q->committed < mine)
		pthread_cond_wait(&q->done, &q->lock);
	rc = mine >= q->failed_lo && mine <= q->failed_hi && q->failed_hi ? HG_EIO : HG_OK;
	pthread_mutex_unlock(&q->lock);
	return rc;
}
