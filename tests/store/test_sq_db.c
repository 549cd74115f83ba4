/*
 * test_sq_db.c - the SQLite store's query object (src/store/sq_db.h) on a real
 * SQLite file opened as the store opens its connections (WAL, foreign keys):
 * the one mapping of result codes, constraint violations of real statements,
 * the sticky error, typed binds read back, the one-liners, collecting rows,
 * cached statements reset and reused (never finalized) and one past a full
 * cache finalized, a busy database, and the connection given back with the
 * storage error counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "store/sq_db.h"
#include "test.h"

static const char schema[] =
    "CREATE TABLE parents (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);"
    "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parents(id),"
    " age INTEGER CHECK (age >= 0), note TEXT, born INTEGER, day INTEGER, hash BLOB) STRICT;"
    "CREATE TRIGGER parents_no_delete BEFORE DELETE ON parents BEGIN SELECT RAISE(ABORT, 'kept'); END;"
    "INSERT INTO parents(id, code) VALUES (1, 'a'), (2, 'b');";

/* The mapping, code by code. */
static void test_status(struct test *t)
{
	static const struct {
		int code;
		hg_status want;
	} cases[] = {
	    {SQLITE_OK, HG_OK},
	    {SQLITE_ROW, HG_OK},
	    {SQLITE_DONE, HG_OK},
	    {SQLITE_CONSTRAINT_UNIQUE, HG_ECONFLICT},
	    {SQLITE_CONSTRAINT_PRIMARYKEY, HG_ECONFLICT},
	    {SQLITE_CONSTRAINT_FOREIGNKEY, HG_ENOTFOUND},
	    {SQLITE_CONSTRAINT_CHECK, HG_EINVAL},
	    {SQLITE_CONSTRAINT_NOTNULL, HG_EINVAL},
	    {SQLITE_CONSTRAINT_DATATYPE, HG_EINVAL},
	    {SQLITE_CONSTRAINT_TRIGGER, HG_EIO},
	    {SQLITE_CONSTRAINT, HG_EIO},
	    {SQLITE_BUSY, HG_EIO},
	    {SQLITE_BUSY_SNAPSHOT, HG_EIO},
	    {SQLITE_LOCKED, HG_EIO},
	    {SQLITE_FULL, HG_EIO},
	    {SQLITE_IOERR_FSYNC, HG_EIO},
	    {SQLITE_CORRUPT, HG_EIO},
	    {SQLITE_READONLY, HG_EIO},
	    {SQLITE_ERROR, HG_EIO},
	    {SQLITE_NOMEM, HG_ENOMEM},
	    {SQLITE_IOERR_NOMEM, HG_EIO},
	    {SQLITE_TOOBIG, HG_ERANGE},
	    {SQLITE_RANGE, HG_EINTERNAL},
	    {SQLITE_MISUSE, HG_EINTERNAL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		T_EQ_INT(t, sq_status(cases[i].code), cases[i].want, "status %zu (code %d)", i, cases[i].code);
}

/* Real statements that break the schema's rules, each inside a savepoint rolled back after. */
static void test_constraints(struct test *t, sqlite3 *db)
{
	static const struct {
		const char *sql;
		hg_status want;
	} cases[] = {
	    {"INSERT INTO parents(id, code) VALUES (3, 'c')", HG_OK},
	    {"INSERT INTO parents(id, code) VALUES (1, 'z')", HG_ECONFLICT}, /* primary key */
	    {"INSERT INTO parents(id, code) VALUES (9, 'a')", HG_ECONFLICT}, /* unique */
	    {"INSERT INTO kids(parent, age) VALUES (7, 1)", HG_ENOTFOUND},   /* foreign key */
	    {"INSERT INTO kids(parent, age) VALUES (1, -1)", HG_EINVAL},     /* check */
	    {"INSERT INTO kids(parent) VALUES (NULL)", HG_EINVAL},           /* not null */
	    {"INSERT INTO kids(parent, age) VALUES (1, 'old')", HG_EINVAL},  /* strict type */
	    {"DELETE FROM parents WHERE id = 2", HG_EIO},                    /* a trigger's RAISE */
	    {"SELECT nothing FROM nowhere", HG_EIO},                         /* prepare fails */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		T_EQ_INT(t, sq_db_exec(db, "SAVEPOINT c"), HG_OK, "constraint %zu: savepoint", i);
		sq_q q;
		sq_q_prepare(&q, db, cases[i].sql);
		T_EQ_INT(t, sq_q_exec(&q), cases[i].want, "constraint %zu: %s", i, cases[i].sql);
		T_EQ_INT(t, sq_db_exec(db, "ROLLBACK TO c; RELEASE c"), HG_OK, "constraint %zu: rollback", i);
	}
	/* the same through the connection's exec */
	T_EQ_INT(t, sq_db_exec(db, "INSERT INTO parents(id, code) VALUES (1, 'z')"), HG_ECONFLICT, "exec: duplicate");
	T_EQ_INT(t, sq_db_exec(db, "INSERT INTO kids(parent) VALUES (8)"), HG_ENOTFOUND, "exec: foreign key");
	T_EQ_INT(t, sq_db_exec(db, "NOT SQL"), HG_EIO, "exec: not SQL");
}

/* The first error stays; later binds and steps do nothing. */
static void test_sticky(struct test *t, sqlite3 *db)
{
	sq_q q;
	sq_q_prepare(&q, db, "SELECT * FROM nowhere WHERE x = ?1");
	T_EQ_INT(t, q.rc, HG_EIO, "sticky: prepare fails");
	sq_q_bind_int64(&q, 1, 5);
	sq_q_bind_text(&q, 1, "x");
	T_TRUE(t, !sq_q_step(&q), "sticky: no row after a failed prepare");
	sq_q_fail(&q, HG_ENOMEM);
	T_EQ_INT(t, sq_q_finish(&q), HG_EIO, "sticky: the first error is returned");

	sq_q_prepare(&q, db, "SELECT ?1");
	sq_q_bind_int64(&q, 2, 1); /* no such parameter */
	T_EQ_INT(t, q.rc, HG_EINTERNAL, "sticky: a wrong index");
	T_TRUE(t, !sq_q_step(&q), "sticky: not run after a failed bind");
	T_EQ_INT(t, sq_q_finish(&q), HG_EINTERNAL, "sticky: finish says so");

	sq_q_prepare(&q, db, "SELECT id FROM parents ORDER BY id");
	T_TRUE(t, sq_q_step(&q), "fail: a first row");
	sq_q_fail(&q, HG_ERANGE);
	T_TRUE(t, !sq_q_step(&q), "fail: no row after the caller's error");
	T_EQ_INT(t, sq_q_finish(&q), HG_ERANGE, "fail: the caller's error is returned");

	/* a step after the end does not run the statement again */
	sq_q_prepare(&q, db, "INSERT INTO kids(parent, note) VALUES (2, 'once')");
	T_TRUE(t, !sq_q_step(&q), "done: an insert has no row");
	T_TRUE(t, !sq_q_step(&q), "done: a second step does nothing");
	T_EQ_INT(t, sq_q_finish(&q), HG_OK, "done: finish");
	T_EQ_INT(t, sq_q_changes(&q), 1, "done: one row changed");
	int64_t last = sq_q_last_id(&q);
	sq_q_prepare(&q, db, "UPDATE kids SET age = 1 WHERE parent = 2");
	T_EQ_INT(t, sq_q_exec(&q), HG_OK, "changes: update");
	T_EQ_INT(t, sq_q_changes(&q), 1, "changes: one row");
	sq_q_prepare(&q, db, "UPDATE kids SET age = 1 WHERE parent = 99");
	T_EQ_INT(t, sq_q_exec(&q), HG_OK, "changes: update of none");
	T_EQ_INT(t, sq_q_changes(&q), 0, "changes: none");
	int64_t n = -1;
	sq_q_prepare(&q, db, "SELECT id FROM kids WHERE note = 'once'");
	T_EQ_INT(t, sq_q_int64(&q, &n), HG_OK, "last id: the row");
	T_EQ_INT(t, n, last, "last id: the inserted row's");
	sq_q_prepare(&q, db, "SELECT count(*) FROM kids WHERE note = 'once'");
	T_EQ_INT(t, sq_q_int64(&q, &n), HG_OK, "done: count");
	T_EQ_INT(t, n, 1, "done: inserted once");
}

/* Every typed bind, read back through the column readers. */
static void test_binds(struct test *t, sqlite3 *db)
{
	static const uint8_t hash[4] = {0, 1, 0xfe, 0xff};
	static const struct {
		const char *note;  /* bound with sq_q_bind_text_or_null */
		const char *textn; /* the first textn_len bytes bound as note when non-NULL */
		size_t textn_len;
		hg_instant born;
		hg_date day;
		const char *want_note; /* NULL: the column is NULL */
	} cases[] = {
	    {"hej", NULL, 0, 1700000000, 19700, "hej"},
	    {"", NULL, 0, HG_INSTANT_NONE, HG_DATE_NONE, NULL},
	    {NULL, NULL, 0, 0, 0, NULL},
	    {NULL, "abcdef", 3, -5, -1, "abc"},
	    {NULL, "åäö", 6, INT64_MAX, INT32_MAX, "åäö"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sq_q q;
		int64_t id = 0;
		sq_q_prepare(
		    &q, db, "INSERT INTO kids(parent, note, born, day, hash) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
		sq_q_bind_int64(&q, 1, 1);
		if (cases[i].textn)
			sq_q_bind_textn(&q, 2, cases[i].textn, cases[i].textn_len);
		else
			sq_q_bind_text_or_null(&q, 2, cases[i].note);
		sq_q_bind_instant(&q, 3, cases[i].born);
		sq_q_bind_date(&q, 4, cases[i].day);
		sq_q_bind_blob(&q, 5, hash, sizeof hash);
		T_EQ_INT(t, sq_q_int64(&q, &id), HG_OK, "bind %zu: insert", i);

		sq_q_prepare(&q, db, "SELECT note, born, day, hash, note IS NULL FROM kids WHERE id = ?1");
		sq_q_bind_int64(&q, 1, id);
		T_TRUE(t, sq_q_step(&q), "bind %zu: read back", i);
		T_EQ_STR(t, sq_q_col_text(&q, 0), cases[i].want_note, "bind %zu: note", i);
		T_EQ_INT(t, sq_q_col_null(&q, 0), cases[i].want_note == NULL, "bind %zu: note null", i);
		T_EQ_INT(t, sq_q_col_instant(&q, 1), cases[i].born, "bind %zu: instant", i);
		T_EQ_INT(t, sq_q_col_date(&q, 2), cases[i].day, "bind %zu: date", i);
		const void *blob = sq_q_col_blob(&q, 3);
		T_TRUE(t, blob && sq_q_col_bytes(&q, 3) == sizeof hash && memcmp(blob, hash, sizeof hash) == 0,
		       "bind %zu: blob", i);
		T_EQ_INT(t, sq_q_col_int(&q, 4), cases[i].want_note == NULL, "bind %zu: is null", i);
		char small[3];
		sq_q_col_str(&q, 0, small, sizeof small);
		T_TRUE(t,
		       strlen(small) ==
		           (cases[i].want_note ? strlen(cases[i].want_note) < 2 ? strlen(cases[i].want_note) : 2 : 0),
		       "bind %zu: copied and cut", i);
		char *dup = sq_q_col_dup(&q, 0);
		T_EQ_STR(t, dup, cases[i].want_note, "bind %zu: dup", i);
		hg_free(dup);
		T_TRUE(t, !sq_q_step(&q), "bind %zu: one row", i);
		T_EQ_INT(t, sq_q_finish(&q), HG_OK, "bind %zu: finish", i);
	}
}

/* The one-liners, each on a row and on none. */
static void test_one_liners(struct test *t, sqlite3 *db)
{
	static const struct {
		const char *code;
		hg_status want; /* of sq_q_int64 and sq_q_text_copy */
		int64_t id;
		const char *text;
	} cases[] = {
	    {"a", HG_OK, 1, "a"},
	    {"b", HG_OK, 2, "b"},
	    {"nobody", HG_ENOTFOUND, -1, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sq_q q;
		int64_t id = -1;
		bool found = true;
		char *text = NULL;
		sq_q_prepare(&q, db, "SELECT id FROM parents WHERE code = ?1");
		sq_q_bind_text(&q, 1, cases[i].code);
		T_EQ_INT(t, sq_q_int64(&q, &id), cases[i].want, "one-liner %zu: int64", i);
		T_EQ_INT(t, id, cases[i].id, "one-liner %zu: the integer", i);
		sq_q_prepare(&q, db, "SELECT 1 FROM parents WHERE code = ?1");
		sq_q_bind_text(&q, 1, cases[i].code);
		T_EQ_INT(t, sq_q_exists(&q, &found), HG_OK, "one-liner %zu: exists", i);
		T_EQ_INT(t, found, cases[i].want == HG_OK, "one-liner %zu: found", i);
		sq_q_prepare(&q, db, "SELECT code FROM parents WHERE code = ?1");
		sq_q_bind_text(&q, 1, cases[i].code);
		T_EQ_INT(t, sq_q_text_copy(&q, &text), cases[i].want, "one-liner %zu: text", i);
		T_EQ_STR(t, text, cases[i].text, "one-liner %zu: the text", i);
		hg_free(text);
	}
	char *text = NULL;
	sq_q q;
	sq_q_prepare(&q, db, "SELECT NULL");
	T_EQ_INT(t, sq_q_text_copy(&q, &text), HG_OK, "text copy of NULL");
	T_EQ_STR(t, text, "", "NULL copies as empty");
	hg_free(text);
	int64_t v = 0;
	sq_q_prepare(&q, db, "SELECT * FROM nowhere");
	T_EQ_INT(t, sq_q_int64(&q, &v), HG_EIO, "int64: a failed prepare is not 'not found'");
}

typedef struct kid {
	int64_t id;
	char note[8];
} kid;

static hg_status read_kid(sq_q *q, void *p)
{
	kid *k = p;
	k->id = sq_q_col_int64(q, 0);
	sq_q_col_str(q, 1, k->note, sizeof k->note);
	return strcmp(k->note, "bad") == 0 ? HG_EINTERNAL : HG_OK;
}

/* Rows into an array, past its first growth; a row that fails drops them all. */
static void test_collect(struct test *t, sqlite3 *db)
{
	T_EQ_INT(t,
	         sq_db_exec(db, "CREATE TABLE many (id INTEGER PRIMARY KEY, note TEXT);"
	                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) "
	                        "INSERT INTO many SELECT i, 'n' || i FROM n;"),
	         HG_OK, "collect: rows");
	static const struct {
		const char *sql;
		hg_status want;
		size_t n;
	} cases[] = {
	    {"SELECT id, note FROM many ORDER BY id", HG_OK, 40},
	    {"SELECT id, note FROM many WHERE id > 100", HG_OK, 0},
	    {"SELECT id, CASE WHEN id = 33 THEN 'bad' ELSE note END FROM many ORDER BY id", HG_EINTERNAL, 0},
	    {"SELECT id, note FROM nowhere", HG_EIO, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		kid *rows = NULL;
		size_t n = 0;
		sq_q q;
		sq_q_prepare(&q, db, cases[i].sql);
		T_EQ_INT(t, sq_q_collect(&q, sizeof *rows, read_kid, (void **)&rows, &n), cases[i].want, "collect %zu",
		         i);
		T_EQ_INT(t, n, cases[i].n, "collect %zu: rows", i);
		if (rows && n == 40)
			T_TRUE(t, rows[39].id == 40 && strcmp(rows[39].note, "n40") == 0, "collect %zu: the last row",
			       i);
		T_TRUE(t, cases[i].want == HG_OK || rows == NULL, "collect %zu: nothing handed out on failure", i);
		hg_free(rows);
	}
}

typedef struct owned {
	int64_t id;
	char *note; /* hg_malloc'ed */
} owned;

static hg_status read_owned(sq_q *q, void *p)
{
	owned *o = p;
	o->id = sq_q_col_int64(q, 0);
	o->note = sq_q_col_dup(q, 1);
	if (!o->note)
		return HG_ENOMEM;
	if (strcmp(o->note, "bad") == 0) {
		hg_free(o->note);
		o->note = NULL;
		return HG_EINTERNAL;
	}
	return HG_OK;
}

static void clear_owned(void *p)
{
	owned *o = p;
	hg_free(o->note);
	o->note = NULL;
}

/* Rows that own memory: a failing row gives back what every row taken before it holds. */
static void test_collect_owning(struct test *t, sqlite3 *db)
{
	static const struct {
		const char *sql;
		hg_status want;
		size_t n;
	} cases[] = {
	    {"SELECT id, note FROM many ORDER BY id", HG_OK, 40},
	    {"SELECT id, CASE WHEN id = 20 THEN 'bad' ELSE note END FROM many ORDER BY id", HG_EINTERNAL, 0},
	    {"SELECT id, CASE WHEN id = 40 THEN 'bad' ELSE note END FROM many ORDER BY id", HG_EINTERNAL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long live = hg_alloc_live();
		owned *rows = NULL;
		size_t n = 0;
		sq_q q;
		sq_q_prepare(&q, db, cases[i].sql);
		T_EQ_INT(t, sq_q_collect_owning(&q, sizeof *rows, read_owned, clear_owned, (void **)&rows, &n),
		         cases[i].want, "owning %zu", i);
		T_EQ_INT(t, n, cases[i].n, "owning %zu: rows", i);
		if (rows && n == 40)
			T_EQ_STR(t, rows[39].note, "n40", "owning %zu: the last row", i);
		for (size_t k = 0; k < n; k++)
			clear_owned(&rows[k]);
		hg_free(rows);
		T_EQ_INT(t, hg_alloc_live(), live, "owning %zu: every block given back", i);
	}
}

/* Cached statements: the same one each time, reset with its binds cleared, and finalized only with
 * the cache; past a full cache one is prepared for one use and finalized by finish. */
static void test_cache(struct test *t, sqlite3 *db)
{
	static const char count_sql[] = "SELECT count(*) FROM parents WHERE code = ?1 OR ?1 IS NULL";
	sq_stmt_cache sc = {0};
	sqlite3_stmt *first = NULL;
	static const struct {
		const char *code; /* NULL: not bound (a cleared bind is NULL) */
		int64_t want;
	} cases[] = {{"a", 1}, {NULL, 2}, {"b", 1}, {"zz", 0}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sq_q q;
		int64_t n = -1;
		sq_q_cached(&q, &sc, db, count_sql);
		T_TRUE(t, q.cached, "cache %zu: from the cache", i);
		if (i == 0)
			first = q.st;
		T_TRUE(t, q.st == first, "cache %zu: the same statement", i);
		if (cases[i].code)
			sq_q_bind_text(&q, 1, cases[i].code);
		T_EQ_INT(t, sq_q_int64(&q, &n), HG_OK, "cache %zu: run", i);
		T_EQ_INT(t, n, cases[i].want, "cache %zu: count", i);
	}
	T_EQ_INT(t, sc.n, 1, "cache: one statement kept");

	/* fill the cache with other texts (distinct addresses), then one more */
	static char texts[SQ_STMT_CACHE_MAX + 1][32];
	for (size_t i = 0; i < SQ_STMT_CACHE_MAX + 1; i++) {
		sq_q q;
		int64_t v = 0;
		snprintf(texts[i], sizeof texts[i], "SELECT %zu", i);
		sq_q_cached(&q, &sc, db, texts[i]);
		bool past = i + 1 >= SQ_STMT_CACHE_MAX; /* the count statement takes one place */
		T_EQ_INT(t, q.cached, !past, "cache full %zu: cached", i);
		T_EQ_INT(t, sq_q_int64(&q, &v), HG_OK, "cache full %zu: run", i);
		T_EQ_INT(t, v, (int64_t)i, "cache full %zu: value", i);
	}
	sq_q q;
	sq_q_cached(&q, NULL, db, "SELECT 1"); /* no cache: prepared for one use */
	T_TRUE(t, !q.cached, "no cache: not cached");
	T_EQ_INT(t, sq_q_exec(&q), HG_OK, "no cache: run");
	sq_q_cached(&q, &sc, db, "SELECT * FROM nowhere");
	T_EQ_INT(t, sq_q_finish(&q), HG_EIO, "cache: a failed prepare");
	sq_stmt_cache_clear(&sc);
	/* every statement finalized: the cache's by its clear, the rest by finish */
	T_TRUE(t, sqlite3_next_stmt(db, NULL) == NULL, "no statement left open");
}

/* A write on a database another connection is writing: SQLITE_BUSY becomes HG_EIO. */
static void test_busy(struct test *t, sqlite3 *db, const char *path)
{
	sqlite3 *other = NULL;
	char err[256];
	err[0] = '\0';
	if (!T_TRUE(t, sq_open_conn(path, &other, err, sizeof err) == HG_OK, "busy: second connection %s", err))
		return;
	sqlite3_busy_timeout(db, 0);
	T_EQ_INT(t, sq_db_exec(other, "BEGIN IMMEDIATE"), HG_OK, "busy: the other writes");
	sq_q q;
	sq_q_prepare(&q, db, "INSERT INTO kids(parent, note) VALUES (1, 'busy')");
	T_EQ_INT(t, sq_q_exec(&q), HG_EIO, "busy: a write fails");
	T_EQ_INT(t, sq_db_exec(db, "BEGIN IMMEDIATE"), HG_EIO, "busy: so does a write transaction");
	T_EQ_INT(t, sq_db_exec(other, "ROLLBACK"), HG_OK, "busy: the other ends");
	sq_q_prepare(&q, db, "INSERT INTO kids(parent, note) VALUES (1, 'busy')");
	T_EQ_INT(t, sq_q_exec(&q), HG_OK, "busy: the write goes through");
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	sqlite3_close(other);
}

/* SQLite out of memory (its hard heap limit reached) is HG_ENOMEM, as a step and as a bind. */
static void test_nomem(struct test *t, sqlite3 *db)
{
	sqlite3_int64 old = sqlite3_hard_heap_limit64(-1);
	sq_q q;
	sq_q_prepare(&q, db, "SELECT length(randomblob(?1))");
	sq_q_bind_int64(&q, 1, 64 << 20);
	if (!T_TRUE(t, q.rc == HG_OK, "nomem: prepared")) {
		IGNORE(sq_q_finish(&q));
		return;
	}
	sqlite3_hard_heap_limit64(sqlite3_memory_used() + (1 << 20));
	int64_t n = 0;
	T_EQ_INT(t, sq_q_int64(&q, &n), HG_ENOMEM, "nomem: a step");
	sqlite3_hard_heap_limit64(old);
	sq_q_prepare(&q, db, "SELECT length(randomblob(?1))");
	sq_q_bind_int64(&q, 1, 1 << 20);
	T_EQ_INT(t, sq_q_int64(&q, &n), HG_OK, "nomem: with memory again");
	T_EQ_INT(t, n, 1 << 20, "nomem: the length");
}

/* A store's connection given back: only HG_EIO counts as a storage error. */
static void test_conn_done(struct test *t)
{
	static const struct {
		hg_status rc;
		uint64_t errors; /* counted after it */
	} cases[] = {{HG_OK, 0}, {HG_ENOTFOUND, 0}, {HG_ECONFLICT, 0}, {HG_EIO, 1}, {HG_ENOMEM, 1}, {HG_EIO, 2}};
	char path[256], err[256] = "";
	store *s = NULL;
	snprintf(path, sizeof path, "%s/test_sq_db_store.%d.db",
	         getenv("HEMGANG_TEST_TMP") ? getenv("HEMGANG_TEST_TMP") : "/tmp", (int)getpid());
	if (!T_TRUE(t, store_open(path, &s, err, sizeof err) == HG_OK, "store: open %s", err))
		return;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		store_stats stats;
		sqlite3 *db = sq_conn_get(s);
		T_EQ_INT(t, sq_conn_done(s, db, cases[i].rc), cases[i].rc, "conn done %zu: the status", i);
		store_get_stats(s, &stats);
		T_EQ_INT(t, stats.errors, cases[i].errors, "conn done %zu: errors counted", i);
	}
	/* every connection is back: as many can be taken at once as the pool has */
	sqlite3 *dbs[POOL_SIZE];
	for (int i = 0; i < POOL_SIZE; i++)
		dbs[i] = sq_conn_get(s);
	for (int i = 0; i < POOL_SIZE; i++)
		sq_conn_put(s, dbs[i]);
	store_close(s);
	char side[300];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	unlink(path);
}

int main(void)
{
	struct test tt = {.name = "test_sq_db"}, *t = &tt;
	char path[256], err[256];
	sqlite3 *db = NULL;
	snprintf(path, sizeof path, "%s/test_sq_db.%d.db",
	         getenv("HEMGANG_TEST_TMP") ? getenv("HEMGANG_TEST_TMP") : "/tmp", (int)getpid());
	test_status(t);
	err[0] = '\0';
	if (T_TRUE(t, sq_open_conn(path, &db, err, sizeof err) == HG_OK, "open %s", err)) {
		T_EQ_INT(t, sq_db_exec(db, schema), HG_OK, "schema");
		test_constraints(t, db);
		test_sticky(t, db);
		test_binds(t, db);
		test_one_liners(t, db);
		test_collect(t, db);
		test_collect_owning(t, db);
		test_cache(t, db);
		test_busy(t, db, path);
		test_nomem(t, db);
		T_EQ_INT(t, sqlite3_close(db), SQLITE_OK, "every statement finalized: the connection closes");
	}
	test_conn_done(t);
	char side[300];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	unlink(path);
	return test_report(t);
}
