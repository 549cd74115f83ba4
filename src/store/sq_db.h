/*
 * sq_db.h - one way to run SQL on the SQLite store, in the manner of Fossil's
 * db.c: a query object (sq_q) bound to one connection, prepared once or taken
 * from the connection's statement cache, with typed binds, a row step and
 * column readers; and one-liners that finish a query for the common shapes
 * (run it, one integer, "is there a row", one text).
 *
 * The error is sticky: the first failure (prepare, bind, step, or one the
 * caller records with sq_q_fail) stays in the query, every later bind and step
 * is a no-op, and sq_q_finish returns it. A sequence therefore reads without a
 * test after each call:
 *
 *     sq_q q;
 *     sq_q_prepare(&q, db, "SELECT name FROM units WHERE id = ?1");
 *     sq_q_bind_text(&q, 1, id);
 *     while (sq_q_step(&q))
 *             sq_q_col_str(&q, 0, name, sizeof name);
 *     rc = sq_q_finish(&q);
 *
 * Every SQLite result code becomes an hg_status in one place, sq_status (a
 * UNIQUE or PRIMARY KEY violation is HG_ECONFLICT, a FOREIGN KEY violation
 * HG_ENOTFOUND, ...). A cached statement is reset when finished, never
 * finalized; a prepared one is finalized. Text and blobs are bound without a
 * copy (SQLITE_STATIC: a copy could fail unseen), so what they point to must
 * live until the query is finished. Internal to src/store.
 */
#ifndef HG_SQ_DB_H
#define HG_SQ_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/date.h"
#include "core/status.h"
#include "store/store_int.h"

typedef struct sq_q {
	sqlite3 *db;
	sqlite3_stmt *st; /* NULL when preparing failed */
	bool cached;      /* st belongs to a statement cache: reset, never finalized */
	bool done;        /* the last step found no more rows (a further step would run it again) */
	hg_status rc;     /* the first error, sticky */
} sq_q;

/* The hg_status of an SQLite result code (primary or extended); SQLITE_OK, _ROW and _DONE are HG_OK. */
hg_status sq_status(int sqlite_rc);

/* Prepares sql on db for one use (finalized by sq_q_finish). */
void sq_q_prepare(sq_q *q, sqlite3 *db, const char *sql);
/* Takes sql's statement from sc (prepared there on first use; sql is a string literal, found
 * again by its address); sc NULL prepares it for one use as sq_q_prepare. */
void sq_q_cached(sq_q *q, sq_stmt_cache *sc, sqlite3 *db, const char *sql);

/* Typed binds of parameter ?idx (1-based). */
void sq_q_bind_int64(sq_q *q, int idx, int64_t v);
void sq_q_bind_null(sq_q *q, int idx);
/* s NULL binds NULL. */
void sq_q_bind_text(sq_q *q, int idx, const char *s);
/* The first len bytes of s. */
void sq_q_bind_textn(sq_q *q, int idx, const char *s, size_t len);
/* NULL or "" binds NULL. */
void sq_q_bind_text_or_null(sq_q *q, int idx, const char *s);
void sq_q_bind_blob(sq_q *q, int idx, const void *p, size_t len);
/* HG_INSTANT_NONE and HG_DATE_NONE bind NULL. */
void sq_q_bind_instant(sq_q *q, int idx, hg_instant t);
void sq_q_bind_date(sq_q *q, int idx, hg_date d);

/* Steps once: true when a row is there to read; false at the end or on an error (kept in q). */
bool sq_q_step(sq_q *q);
/* Records rc as q's error unless it has one (HG_OK records nothing): a row the caller could not take. */
void sq_q_fail(sq_q *q, hg_status rc);
/* Rewinds q to run again with new binds (a row loop of inserts); the error stays. */
void sq_q_reset(sq_q *q);
/* Resets or finalizes the statement; returns q's error, HG_OK when none. */
hg_status sq_q_finish(sq_q *q) HG_MUST_CHECK;

/* Column readers of the current row (0-based). */
int64_t sq_q_col_int64(sq_q *q, int col);
int sq_q_col_int(sq_q *q, int col);
bool sq_q_col_null(sq_q *q, int col);
/* The text, or NULL for NULL; valid until the next step, reset or finish. */
const char *sq_q_col_text(sq_q *q, int col);
size_t sq_q_col_bytes(sq_q *q, int col);
const void *sq_q_col_blob(sq_q *q, int col);
/* Copies the text (NULL as "") into dst, truncated to cap - 1 bytes. */
void sq_q_col_str(sq_q *q, int col, char *dst, size_t cap);
/* An hg_strndup'ed copy of the text (caller frees); NULL for NULL, and q's error HG_ENOMEM when
 * the copy fails. */
char *sq_q_col_dup(sq_q *q, int col);
/* NULL becomes HG_INSTANT_NONE, HG_DATE_NONE. */
hg_instant sq_q_col_instant(sq_q *q, int col);
hg_date sq_q_col_date(sq_q *q, int col);

/* One-liners: each steps q and finishes it. */
/* Runs q to its end (rows are dropped). */
hg_status sq_q_exec(sq_q *q) HG_MUST_CHECK;
/* Column 0 of the first row into *out; HG_ENOTFOUND when there is none (*out untouched). */
hg_status sq_q_int64(sq_q *q, int64_t *out) HG_MUST_CHECK;
/* Whether q has a row. */
hg_status sq_q_exists(sq_q *q, bool *found) HG_MUST_CHECK;
/* An hg_strndup'ed copy of column 0 of the first row (caller frees; "" for NULL); HG_ENOTFOUND
 * when there is none. */
hg_status sq_q_text_copy(sq_q *q, char **out) HG_MUST_CHECK;

/* After a write (sq_q_exec): the rows it changed, and the rowid of the row db inserted last. */
int64_t sq_q_changes(const sq_q *q);
int64_t sq_q_last_id(const sq_q *q);

/* Runs sql (no parameters, no rows wanted; one or more statements) on db. */
hg_status sq_db_exec(sqlite3 *db, const char *sql) HG_MUST_CHECK;

/*
 * Runs q to its end into a growing array of elem_size-byte elements, each
 * filled by row (which may fail: the rows so far are dropped); finishes q.
 * *out is hg_malloc'ed (caller frees), *n its length. Elements own nothing:
 * a failure frees the array alone.
 */
typedef hg_status (*sq_row_fn)(sq_q *q, void *elem);
hg_status sq_q_collect(sq_q *q, size_t elem_size, sq_row_fn row, void **out, size_t *n) HG_MUST_CHECK;
/* The same for elements that own memory: on a failure clear(elem) frees what each row taken holds
 * (a row that fails leaves its element holding nothing). */
typedef void (*sq_clear_fn)(void *elem);
hg_status sq_q_collect_owning(sq_q *q, size_t elem_size, sq_row_fn row, sq_clear_fn clear, void **out,
                              size_t *n) HG_MUST_CHECK;

/* Gives db back to s's pool and returns rc, counting HG_EIO as a storage error (sq_fail_io). */
hg_status sq_conn_done(store *s, sqlite3 *db, hg_status rc) HG_MUST_CHECK;

#endif
