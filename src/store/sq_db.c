/*
 * sq_db.c - the query object of the SQLite store (sq_db.h): prepare or take
 * from the cache, bind, step, read, finish, with one sticky error and one
 * mapping of SQLite's result codes to hg_status. It exists so that a store
 * function says which SQL it runs with what, and nothing else: the error
 * handling that every hand-written prepare/bind/step/finalize sequence spelled
 * out (and mapped differently) is done here once.
 */
#include "store/sq_db.h"

#include <string.h>

#include "core/alloc.h"

/* ---- the one mapping ---- */

hg_status sq_status(int sqlite_rc)
{
	switch (sqlite_rc) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return HG_OK;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return HG_ECONFLICT; /* a duplicate */
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return HG_ENOTFOUND; /* what it refers to is not there */
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
	case SQLITE_CONSTRAINT_DATATYPE:
		return HG_EINVAL; /* a value breaks the schema's rule */
	case SQLITE_TOOBIG:
		return HG_ERANGE;
	case SQLITE_RANGE:
	case SQLITE_MISUSE:
		return HG_EINTERNAL; /* NEVER: a wrong parameter index or call order */
	default:
		break;
	}
	switch (sqlite_rc & 0xff) {
	case SQLITE_NOMEM:
		return HG_ENOMEM;
	default:
		return HG_EIO; /* BUSY, LOCKED, FULL, IOERR, CORRUPT, a trigger's RAISE, ... */
	}
}

/* Keeps the error of db's last call as q's, unless q has one already. */
static void fail_db(sq_q *q, int sqlite_rc)
{
	if (q->rc != HG_OK)
		return;
	int ext = q->db ? sqlite3_extended_errcode(q->db) : sqlite_rc;
	/* the extended code when it is one of sqlite_rc's family (the primary code is what a call returns) */
	q->rc = sq_status((ext & 0xff) == (sqlite_rc & 0xff) ? ext : sqlite_rc);
	if (q->rc == HG_OK)
		q->rc = HG_EINTERNAL; /* NEVER: called on success */
}

/* ---- prepare, bind, step, finish ---- */

static void init(sq_q *q, sqlite3 *db)
{
	memset(q, 0, sizeof *q);
	q->db = db;
}

void sq_q_prepare(sq_q *q, sqlite3 *db, const char *sql)
{
	init(q, db);
	int rc = sqlite3_prepare_v3(db, sql, -1, 0, &q->st, NULL);
	if (rc != SQLITE_OK) {
		fail_db(q, rc);
		sqlite3_finalize(q->st); /* NULL after a failure; harmless */
		q->st = NULL;
	}
}

/* Whether st is one of sc's statements: sq_stmt_cached prepares one for one use when sc is full. */
static bool in_cache(const sq_stmt_cache *sc, const sqlite3_stmt *st)
{
	for (size_t i = 0; i < sc->n; i++)
		if (sc->stmt[i] == st)
			return true;
	return false;
}

void sq_q_cached(sq_q *q, sq_stmt_cache *sc, sqlite3 *db, const char *sql)
{
	if (!sc) {
		sq_q_prepare(q, db, sql);
		return;
	}
	init(q, db);
	if (sq_stmt_cached(sc, db, sql, &q->st) != HG_OK) {
		fail_db(q, sqlite3_errcode(db));
		q->st = NULL;
		return;
	}
	q->cached = in_cache(sc, q->st);
}

/* Keeps a failed bind's error (out of memory, a value too big, a wrong index). */
static void bound(sq_q *q, int rc)
{
	if (rc != SQLITE_OK)
		fail_db(q, rc);
}

void sq_q_bind_int64(sq_q *q, int idx, int64_t v)
{
	if (q->rc == HG_OK)
		bound(q, sqlite3_bind_int64(q->st, idx, v));
}

void sq_q_bind_null(sq_q *q, int idx)
{
	if (q->rc == HG_OK)
		bound(q, sqlite3_bind_null(q->st, idx));
}

void sq_q_bind_textn(sq_q *q, int idx, const char *s, size_t len)
{
	if (q->rc != HG_OK)
		return;
	if (len > INT32_MAX) {
		q->rc = HG_ERANGE;
		return;
	}
	bound(q, sqlite3_bind_text(q->st, idx, s, (int)len, SQLITE_STATIC));
}

void sq_q_bind_text(sq_q *q, int idx, const char *s)
{
	if (!s)
		sq_q_bind_null(q, idx);
	else
		sq_q_bind_textn(q, idx, s, strlen(s));
}

void sq_q_bind_text_or_null(sq_q *q, int idx, const char *s)
{
	sq_q_bind_text(q, idx, s && *s ? s : NULL);
}

void sq_q_bind_blob(sq_q *q, int idx, const void *p, size_t len)
{
	if (q->rc != HG_OK)
		return;
	if (len > INT32_MAX) {
		q->rc = HG_ERANGE;
		return;
	}
	bound(q, sqlite3_bind_blob(q->st, idx, p, (int)len, SQLITE_STATIC));
}

void sq_q_bind_instant(sq_q *q, int idx, hg_instant t)
{
	if (t == HG_INSTANT_NONE)
		sq_q_bind_null(q, idx);
	else
		sq_q_bind_int64(q, idx, t);
}

void sq_q_bind_date(sq_q *q, int idx, hg_date d)
{
	if (d == HG_DATE_NONE)
		sq_q_bind_null(q, idx);
	else
		sq_q_bind_int64(q, idx, d);
}

bool sq_q_step(sq_q *q)
{
	if (q->rc != HG_OK || q->done)
		return false;
	int rc = sqlite3_step(q->st);
	if (rc == SQLITE_ROW)
		return true;
	q->done = true;
	if (rc != SQLITE_DONE)
		fail_db(q, rc);
	return false;
}

void sq_q_fail(sq_q *q, hg_status rc)
{
	if (q->rc == HG_OK)
		q->rc = rc;
}

void sq_q_reset(sq_q *q)
{
	if (!q->st)
		return;
	sqlite3_reset(q->st);
	sqlite3_clear_bindings(q->st);
	q->done = false;
}

hg_status sq_q_finish(sq_q *q)
{
	if (q->st && q->cached)
		sq_q_reset(q);
	else
		sqlite3_finalize(q->st);
	q->st = NULL;
	return q->rc;
}

/* ---- columns ---- */

int64_t sq_q_col_int64(sq_q *q, int col)
{
	return sqlite3_column_int64(q->st, col);
}

int sq_q_col_int(sq_q *q, int col)
{
	return sqlite3_column_int(q->st, col);
}

bool sq_q_col_null(sq_q *q, int col)
{
	return sqlite3_column_type(q->st, col) == SQLITE_NULL;
}

const char *sq_q_col_text(sq_q *q, int col)
{
	return (const char *)sqlite3_column_text(q->st, col);
}

/* After sq_q_col_text or sq_q_col_blob of the same column, as SQLite asks. */
size_t sq_q_col_bytes(sq_q *q, int col)
{
	return (size_t)sqlite3_column_bytes(q->st, col);
}

const void *sq_q_col_blob(sq_q *q, int col)
{
	return sqlite3_column_blob(q->st, col);
}

void sq_q_col_str(sq_q *q, int col, char *dst, size_t cap)
{
	sq_copy_str(dst, cap, sq_q_col_text(q, col));
}

char *sq_q_col_dup(sq_q *q, int col)
{
	const char *text = sq_q_col_text(q, col);
	if (!text)
		return NULL;
	char *copy = hg_strndup(text, sq_q_col_bytes(q, col));
	if (!copy)
		sq_q_fail(q, HG_ENOMEM);
	return copy;
}

hg_instant sq_q_col_instant(sq_q *q, int col)
{
	return sq_q_col_null(q, col) ? HG_INSTANT_NONE : sq_q_col_int64(q, col);
}

hg_date sq_q_col_date(sq_q *q, int col)
{
	return sq_q_col_null(q, col) ? HG_DATE_NONE : sq_q_col_int(q, col);
}

/* ---- one-liners ---- */

hg_status sq_q_exec(sq_q *q)
{
	while (sq_q_step(q))
		;
	return sq_q_finish(q);
}

hg_status sq_q_int64(sq_q *q, int64_t *out)
{
	if (sq_q_step(q))
		*out = sq_q_col_int64(q, 0);
	else
		sq_q_fail(q, HG_ENOTFOUND);
	return sq_q_finish(q);
}

hg_status sq_q_exists(sq_q *q, bool *found)
{
	*found = sq_q_step(q);
	return sq_q_finish(q);
}

hg_status sq_q_text_copy(sq_q *q, char **out)
{
	char *copy = NULL;
	if (sq_q_step(q)) {
		const char *text = sq_q_col_text(q, 0);
		copy = hg_strndup(text ? text : "", text ? sq_q_col_bytes(q, 0) : 0);
		if (!copy)
			sq_q_fail(q, HG_ENOMEM);
	} else {
		sq_q_fail(q, HG_ENOTFOUND);
	}
	hg_status rc = sq_q_finish(q);
	if (rc == HG_OK)
		*out = copy;
	else
		hg_free(copy);
	return rc;
}

int64_t sq_q_changes(const sq_q *q)
{
	return sqlite3_changes64(q->db);
}

int64_t sq_q_last_id(const sq_q *q)
{
	return sqlite3_last_insert_rowid(q->db);
}

hg_status sq_db_exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return HG_OK;
	int ext = sqlite3_extended_errcode(db);
	return sq_status((ext & 0xff) == (rc & 0xff) ? ext : rc);
}

hg_status sq_q_collect(sq_q *q, size_t elem_size, sq_row_fn row, void **out, size_t *n)
{
	return sq_q_collect_owning(q, elem_size, row, NULL, out, n);
}

hg_status sq_q_collect_owning(sq_q *q, size_t elem_size, sq_row_fn row, sq_clear_fn clear, void **out, size_t *n)
{
	size_t cap = 16, len = 0;
	char *arr = hg_malloc(cap * elem_size);
	if (!arr)
		sq_q_fail(q, HG_ENOMEM);
	while (sq_q_step(q)) {
		if (len == cap) {
			char *bigger = hg_realloc(arr, cap * 2 * elem_size);
			if (!bigger) {
				sq_q_fail(q, HG_ENOMEM);
				break;
			}
			arr = bigger;
			cap *= 2;
		}
		hg_status rc = row(q, arr + len * elem_size);
		if (rc != HG_OK)
			sq_q_fail(q, rc);
		else
			len++;
	}
	hg_status rc = sq_q_finish(q);
	if (rc != HG_OK) {
		for (size_t i = 0; clear && i < len; i++)
			clear(arr + i * elem_size);
		hg_free(arr);
		return rc;
	}
	*out = arr;
	*n = len;
	return HG_OK;
}

/* ---- connections ---- */

hg_status sq_conn_done(store *s, sqlite3 *db, hg_status rc)
{
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}
