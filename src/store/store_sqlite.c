/*
 * store_sqlite.c - the SQLite implementation of the storage port (store.h).
 *
 * Durability: WAL journal with synchronous=FULL, so a COMMIT that returned is
 * on disk even after a power cut; an event is acknowledged only after it. Every
 * append runs in one BEGIN IMMEDIATE transaction: idempotency check, replay of
 * the episode through the core, insert, projection update, commit. Nothing is
 * half-written on an error: the transaction is rolled back.
 *
 * Concurrency: a small pool of connections, one per concurrent caller; SQLite
 * serialises writers itself (busy_timeout), readers run in parallel under WAL.
 *
 * Projections (episode_projection, episode_parties, pending_acks) are a cache
 * of the fold and are recomputed from events by store_rebuild().
 */
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/deadline.h"
#include "wire/event_json.h"
#include "store/migrations.h"
#include "store/followup_int.h"
#include "store/store_int.h"
#include "store/store_pg.h"
#include "store/readmodel.h"
#include "store/sq_db.h"

static void read_folds_free(struct sq_read_folds *f); /* the read model's fold cache (below) */



/* ---- helpers ---- */

void sq_copy_str(char *dst, size_t cap, const char *src)
{
	size_t n;
	if (!cap)
		return;
	if (!src)
		src = "";
	n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void sq_col_str(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	sq_copy_str(dst, cap, (const char *)sqlite3_column_text(st, col));
}

hg_instant sq_col_instant(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? HG_INSTANT_NONE : sqlite3_column_int64(st, col);
}

void sq_bind_instant(sqlite3_stmt *st, int idx, hg_instant t)
{
	if (t == HG_INSTANT_NONE)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int64(st, idx, t);
}

/* SQLITE_STATIC, not TRANSIENT: a copy can fail for want of memory, and an unchecked failed bind
 * leaves the parameter NULL, so a row was written without its idempotency key (found by
 * tests/store/test_store_faults.c). Every caller steps the statement while s is still alive. */
void sq_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

hg_status sq_fail_io(store *s)
{
	atomic_fetch_add(&s->errors, 1);
	return HG_EIO;
}

sqlite3 *sq_conn_get(store *s)
{
	sqlite3 *db = NULL;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		for (int i = 0; i < POOL_SIZE; i++) {
			if (!s->busy[i]) {
				s->busy[i] = true;
				db = s->conns[i];
				break;
			}
		}
		if (db)
			break;
		pthread_cond_wait(&s->free_cond, &s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	/* Still inside a transaction: an earlier ROLLBACK failed for want of memory. End it now, or the
	 * connection would refuse every BEGIN and hold the write lock for good (test_store_faults.c). */
	if (!sqlite3_get_autocommit(db))
		sq_exec_quiet(db, "ROLLBACK");
	return db;
}

sqlite3 *sq_conn_get_cached(store *s, sq_stmt_cache **sc)
{
	sqlite3 *db = sq_conn_get(s);
	*sc = NULL;
	for (int i = 0; i < POOL_SIZE; i++)
		if (s->conns[i] == db)
			*sc = &s->conn_stmts[i];
	return db;
}

void sq_conn_put(store *s, sqlite3 *db)
{
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < POOL_SIZE; i++)
		if (s->conns[i] == db)
			s->busy[i] = false;
	pthread_cond_signal(&s->free_cond);
	pthread_mutex_unlock(&s->lock);
}

hg_status sq_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? HG_OK : HG_EIO;
}

hg_status sq_write_begin(store *s, sqlite3 *db)
{
	pthread_mutex_lock(&s->write_lock);
	if (!sqlite3_get_autocommit(db)) /* an earlier ROLLBACK failed for want of memory */
		sq_exec_quiet(db, "ROLLBACK");
	hg_status rc = sq_exec(db, "BEGIN IMMEDIATE");
	if (rc != HG_OK)
		pthread_mutex_unlock(&s->write_lock);
	return rc;
}

hg_status sq_write_commit(store *s, sqlite3 *db)
{
	hg_status rc = sq_exec(db, "COMMIT");
	if (rc != HG_OK)
		sq_exec_quiet(db, "ROLLBACK");
	pthread_mutex_unlock(&s->write_lock);
	return rc;
}

void sq_write_rollback(store *s, sqlite3 *db)
{
	sq_exec_quiet(db, "ROLLBACK");
	pthread_mutex_unlock(&s->write_lock);
}

hg_status sq_write1(store *s, const char *sql, int *changes, const char *types, ...)
{
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	va_list ap;
	sq_q_prepare(&q, db, sql);
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		switch (types[i]) {
		case 't': sq_q_bind_text(&q, i + 1, va_arg(ap, const char *)); break;
		case 'i': sq_q_bind_int64(&q, i + 1, va_arg(ap, int64_t)); break;
		case 'T': sq_q_bind_instant(&q, i + 1, va_arg(ap, hg_instant)); break;
		case 'h': sq_q_bind_blob(&q, i + 1, va_arg(ap, const uint8_t *), STORE_TOKEN_HASH_SIZE); break;
		default: sq_q_fail(&q, HG_EINTERNAL); /* NEVER: a caller's type string is wrong */
		}
	}
	va_end(ap);
	hg_status rc = sq_q_exec(&q);
	if (rc == HG_OK && changes)
		*changes = (int)sq_q_changes(&q);
	sq_conn_put(s, db);
	/* the one mapping (sq_status) names constraints; any other failure of SQLite is the store's I/O */
	if (rc != HG_OK && rc != HG_ECONFLICT && rc != HG_ENOTFOUND && rc != HG_EINTERNAL)
		return sq_fail_io(s);
	return rc;
}

void sq_exec_quiet(sqlite3 *db, const char *sql) { sqlite3_exec(db, sql, NULL, NULL, NULL); }

hg_status sq_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v3(db, sql, -1, 0, st, NULL) == SQLITE_OK ? HG_OK : HG_EIO;
}

/* Any failure of SQLite's as HG_EIO: what the write path has always answered for it (a 503), whatever
 * sq_status would name it. */
static hg_status sql_io(hg_status rc)
{
	return rc == HG_OK ? HG_OK : HG_EIO;
}

/* ---- open, migrate, close ---- */

hg_status sq_open_conn(const char *path, sqlite3 **out, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return HG_EIO;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	if (sq_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;") != HG_OK) {
		snprintf(err, errlen, "cannot configure %s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return HG_EIO;
	}
	*out = db;
	return HG_OK;
}

/* True when migration `number` is recorded as applied. */
static hg_status migration_applied(sqlite3 *db, int number, bool *applied)
{
	sq_q q;
	sq_q_prepare(&q, db, "SELECT 1 FROM schema_migrations WHERE number = ?1");
	sq_q_bind_int64(&q, 1, number);
	return sql_io(sq_q_exists(&q, applied));
}

/*
 * Applies every compiled-in migration not yet recorded in schema_migrations,
 * each in its own transaction, in number order. A migration numbered below one
 * already applied (two branches of work that met) is still applied. Databases
 * from before the table kept only PRAGMA user_version: every migration up to
 * it counts as applied. user_version mirrors the highest number applied.
 */
static hg_status migrate(sqlite3 *db, int *version, char *err, size_t errlen)
{
	size_t n;
	const store_migration *m = store_migrations(&n);
	sq_q q;
	int legacy = 0, highest = 0;
	int64_t user_version = 0;
	sq_q_prepare(&q, db, "PRAGMA user_version");
	hg_status rc = sq_q_int64(&q, &user_version);
	if (rc != HG_OK && rc != HG_ENOTFOUND)
		return HG_EIO;
	legacy = (int)user_version;
	if (sq_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, "
			"applied_at INTEGER NOT NULL DEFAULT (unixepoch())) STRICT") != HG_OK) {
		snprintf(err, errlen, "cannot record migrations: %s", sqlite3_errmsg(db));
		return HG_EIO;
	}
	for (size_t i = 0; i < n; i++) {
		char record[160], pragma[64];
		bool applied = false;
		if (migration_applied(db, m[i].number, &applied) != HG_OK)
			return HG_EIO;
		if (!applied && m[i].number <= legacy) {
			/* recorded by user_version alone, before schema_migrations existed */
			snprintf(record, sizeof record, "INSERT INTO schema_migrations(number, name) VALUES (%d, '%s')",
				 m[i].number, m[i].name);
			if (sq_exec(db, record) != HG_OK)
				return HG_EIO;
			applied = true;
		}
		if (!applied) {
			snprintf(record, sizeof record, "INSERT INTO schema_migrations(number, name) VALUES (%d, '%s')",
				 m[i].number, m[i].name);
			snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d;", m[i].number > legacy ? m[i].number : legacy);
			if (sq_exec(db, "BEGIN IMMEDIATE") != HG_OK || sq_exec(db, m[i].sql) != HG_OK ||
			    sq_exec(db, record) != HG_OK || sq_exec(db, pragma) != HG_OK) {
				snprintf(err, errlen, "migration %s failed: %s", m[i].name, sqlite3_errmsg(db));
				sq_exec_quiet(db, "ROLLBACK");
				return HG_EIO;
			}
			if (sq_exec(db, "COMMIT") != HG_OK) {
				snprintf(err, errlen, "migration %s: commit failed: %s", m[i].name, sqlite3_errmsg(db));
				return HG_EIO;
			}
			legacy = m[i].number > legacy ? m[i].number : legacy;
		}
		highest = highest > m[i].number ? highest : m[i].number;
	}
	*version = highest;
	return HG_OK;
}

hg_status store_open(const char *path, store **out, char *err, size_t errlen)
{
	if (pgs_is_uri(path)) return pgs_store_open(path, out, err, errlen);
	store *s = hg_calloc(1, sizeof *s);
	hg_status rc;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return HG_ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->write_lock, NULL);
	pthread_mutex_init(&s->sessions_lock, NULL);
	pthread_mutex_init(&s->rm_sync_lock, NULL);
	pthread_cond_init(&s->free_cond, NULL);
	rc = sq_open_conn(path, &s->conns[0], err, errlen);
	if (rc == HG_OK)
		rc = migrate(s->conns[0], &s->schema_version, err, errlen);
	for (int i = 1; rc == HG_OK && i < POOL_SIZE; i++)
		rc = sq_open_conn(path, &s->conns[i], err, errlen);
	if (rc == HG_OK)
		rc = sq_audit_start(s, path, err, errlen);
	if (rc != HG_OK) {
		store_close(s);
		return rc;
	}
	*out = s;
	return HG_OK;
}

void store_close(store *s)
{
	if (s && s->pg) { pgs_store_close(s); return; }
	if (!s)
		return;
	sq_audit_stop(s);
	for (int i = 0; i < POOL_SIZE; i++) {
		sq_stmt_cache_clear(&s->conn_stmts[i]);
		sqlite3_close(s->conns[i]);
	}
	readmodel_free(atomic_load(&s->rm));
	read_folds_free(s->read_folds);
	pthread_mutex_destroy(&s->rm_sync_lock);
	pthread_cond_destroy(&s->free_cond);
	pthread_mutex_destroy(&s->write_lock);
	pthread_mutex_destroy(&s->sessions_lock);
	pthread_mutex_destroy(&s->lock);
	hg_free(s);
}

int store_schema_version(store *s) { return s->pg ? pgs_schema_version(s->pg) : s->schema_version; }

/* ---- organisations and units ---- */

hg_status store_org_put(store *s, const store_org *o)
{
	if (s->pg) return pgs_org_put(s->pg, o);
	return sq_write1(s,
			 "INSERT INTO organisations(code, name, kind, county) VALUES (?1, ?2, ?3, ?4) "
			 "ON CONFLICT(code) DO UPDATE SET name = ?2, kind = ?3, county = ?4",
			 NULL, "tttt", o->code, o->name, o->kind == ORG_REGION ? "region" : "municipality", o->county);
}

static hg_status read_org(sq_q *q, void *p)
{
	store_org *o = p;
	memset(o, 0, sizeof *o);
	sq_q_col_str(q, 0, o->code, sizeof o->code);
	sq_q_col_str(q, 1, o->name, sizeof o->name);
	const char *kind = sq_q_col_text(q, 2);
	o->kind = kind && strcmp(kind, "region") == 0 ? ORG_REGION : ORG_MUNICIPALITY;
	sq_q_col_str(q, 3, o->county, sizeof o->county);
	return HG_OK;
}

/*
 * Runs a prepared SELECT and collects its rows into a growing array of
 * elem_size-byte elements, each filled by read_row. *out is hg_malloc'ed.
 */
hg_status sq_collect(sqlite3_stmt *st, size_t elem_size, void (*read_row)(sqlite3_stmt *, void *), void **out,
			 size_t *n)
{
	size_t cap = 16, len = 0;
	char *arr = hg_malloc(cap * elem_size);
	int step;
	if (!arr)
		return HG_ENOMEM;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			char *bigger = hg_realloc(arr, cap * 2 * elem_size);
			if (!bigger) {
				hg_free(arr);
				return HG_ENOMEM;
			}
			arr = bigger;
			cap *= 2;
		}
		read_row(st, arr + len * elem_size);
		len++;
	}
	if (step != SQLITE_DONE) {
		hg_free(arr);
		return HG_EIO;
	}
	*out = arr;
	*n = len;
	return HG_OK;
}

hg_status store_org_get(store *s, const char *code, store_org *out)
{
	if (s->pg) return pgs_org_get(s->pg, code, out);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "SELECT code, name, kind, county FROM organisations WHERE code = ?1");
	sq_q_bind_text(&q, 1, code);
	bool found = sq_q_step(&q);
	if (found)
		IGNORE(read_org(&q, out)); /* reads columns: nothing to fail */
	hg_status rc = sql_io(sq_q_finish(&q));
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : found ? HG_OK : HG_ENOTFOUND;
}

hg_status store_orgs_list(store *s, store_org **out, size_t *n)
{
	if (s->pg) return pgs_orgs_list(s->pg, out, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "SELECT code, name, kind, county FROM organisations ORDER BY kind DESC, code");
	hg_status rc = sq_q_collect(&q, sizeof **out, read_org, (void **)out, n);
	if (rc != HG_OK && rc != HG_ENOMEM)
		rc = HG_EIO;
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

hg_status store_unit_put(store *s, const store_unit *u)
{
	if (s->pg) return pgs_unit_put(s->pg, u);
	bool ward = u->kind == UNIT_WARD;
	return sq_write1(s,
			 "INSERT INTO units(id, org, name, kind, care_type, hospital, municipality) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET org = ?2, name = ?3, "
			 "kind = ?4, care_type = ?5, hospital = ?6, municipality = ?7",
			 NULL, "ttttttt", u->id, u->org, u->name, unit_kind_label(u->kind)->code,
			 ward ? care_type_label(u->care)->code : NULL, ward ? u->hospital : NULL, u->municipality);
}

#define UNIT_COLS "id, org, name, kind, care_type, hospital, municipality"

static hg_status read_unit(sq_q *q, void *p)
{
	store_unit *u = p;
	memset(u, 0, sizeof *u);
	sq_q_col_str(q, 0, u->id, sizeof u->id);
	sq_q_col_str(q, 1, u->org, sizeof u->org);
	sq_q_col_str(q, 2, u->name, sizeof u->name);
	if (!unit_kind_from_code(sq_q_col_text(q, 3), &u->kind))
		u->kind = UNIT_ADMIN;
	if (!care_type_from_code(sq_q_col_text(q, 4), &u->care))
		u->care = CARE_SOMATIC;
	sq_q_col_str(q, 5, u->hospital, sizeof u->hospital);
	sq_q_col_str(q, 6, u->municipality, sizeof u->municipality);
	return HG_OK;
}

hg_status store_unit_get(store *s, const char *id, store_unit *out)
{
	static const char sql[] = "SELECT " UNIT_COLS " FROM units WHERE id = ?1";
	if (s->pg) return pgs_unit_get(s->pg, id, out);
	sq_stmt_cache *sc;
	sqlite3 *db = sq_conn_get_cached(s, &sc);
	sq_q q;
	sq_q_cached(&q, sc, db, sql);
	sq_q_bind_text(&q, 1, id);
	bool found = sq_q_step(&q);
	if (found)
		IGNORE(read_unit(&q, out)); /* reads columns: nothing to fail */
	hg_status rc = sql_io(sq_q_finish(&q));
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : found ? HG_OK : HG_ENOTFOUND;
}

hg_status store_units_list(store *s, const char *org, store_unit **out, size_t *n)
{
	if (s->pg) return pgs_units_list(s->pg, org, out, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "SELECT " UNIT_COLS " FROM units WHERE ?1 IS NULL OR org = ?1 ORDER BY org, id");
	sq_q_bind_text(&q, 1, org);
	hg_status rc = sq_q_collect(&q, sizeof **out, read_unit, (void **)out, n);
	if (rc != HG_OK && rc != HG_ENOMEM)
		rc = HG_EIO;
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

/* ---- users, sessions, tokens ---- */

/* Fills the unit list of u from user_units. */
static hg_status load_user_units(sqlite3 *db, store_user *u)
{
	sq_q q;
	sq_q_prepare(&q, db, "SELECT unit_id FROM user_units WHERE user_id = ?1 ORDER BY unit_id");
	sq_q_bind_int64(&q, 1, u->id);
	u->n_units = 0;
	while (u->n_units < STORE_USER_UNITS_MAX && sq_q_step(&q))
		sq_q_col_str(&q, 0, u->units[u->n_units++], HG_ID_MAX);
	return sql_io(sq_q_finish(&q));
}

#define USER_COLS "u.id, u.username, u.display_name, u.org, u.role, u.disabled, u.password_hash"

static hg_status read_user(sq_q *q, void *p)
{
	store_user *u = p;
	memset(u, 0, sizeof *u);
	u->id = sq_q_col_int64(q, 0);
	sq_q_col_str(q, 1, u->username, sizeof u->username);
	sq_q_col_str(q, 2, u->display_name, sizeof u->display_name);
	sq_q_col_str(q, 3, u->org, sizeof u->org);
	if (!role_from_code(sq_q_col_text(q, 4), &u->role))
		u->role = ROLE_ANALYST; /* least privilege for an unknown code */
	u->disabled = sq_q_col_int(q, 5) != 0;
	return HG_OK;
}

hg_status store_user_add(store *s, const store_user *u, const char *password_hash, hg_instant now, int64_t *id)
{
	if (s->pg) return pgs_user_add(s->pg, u, password_hash, now, id);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	hg_status rc = sq_exec(db, "BEGIN IMMEDIATE");
	if (rc != HG_OK)
		goto out;
	sq_q_prepare(&q, db,
		     "INSERT INTO users(username, display_name, org, role, password_hash, disabled, created_at) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	sq_q_bind_text(&q, 1, u->username);
	sq_q_bind_text(&q, 2, u->display_name[0] ? u->display_name : u->username);
	sq_q_bind_text(&q, 3, u->org);
	sq_q_bind_text(&q, 4, role_label(u->role)->code);
	sq_q_bind_text(&q, 5, password_hash);
	sq_q_bind_int64(&q, 6, u->disabled);
	sq_q_bind_int64(&q, 7, now);
	rc = sq_q_exec(&q);
	/* a taken username, an unknown organisation; anything else is the store's failure */
	if (rc != HG_OK) {
		rc = rc == HG_ECONFLICT || rc == HG_ENOTFOUND ? rc : HG_EIO;
		goto rollback;
	}
	*id = sqlite3_last_insert_rowid(db);
	sq_q_prepare(&q, db, "INSERT INTO user_units(user_id, unit_id) VALUES (?1, ?2)");
	for (int i = 0; i < u->n_units; i++) {
		sq_q_reset(&q);
		sq_q_bind_int64(&q, 1, *id);
		sq_q_bind_text(&q, 2, u->units[i]);
		while (sq_q_step(&q))
			;
	}
	rc = sq_q_finish(&q);
	if (rc != HG_OK) { /* an unknown unit, a unit named twice */
		rc = rc == HG_ECONFLICT || rc == HG_ENOTFOUND ? rc : HG_EIO;
		goto rollback;
	}
	rc = sq_exec(db, "COMMIT");
	if (rc == HG_OK)
		goto out;
rollback:
	sq_exec_quiet(db, "ROLLBACK");
out:
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

hg_status store_user_get(store *s, const char *username, store_user *out, char *hash, size_t hash_cap)
{
	if (s->pg) return pgs_user_get(s->pg, username, out, hash, hash_cap);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "SELECT " USER_COLS " FROM users u WHERE u.username = ?1");
	sq_q_bind_text(&q, 1, username);
	bool found = sq_q_step(&q);
	if (found) {
		IGNORE(read_user(&q, out)); /* reads columns: nothing to fail */
		if (hash)
			sq_q_col_str(&q, 6, hash, hash_cap);
	}
	hg_status rc = sql_io(sq_q_finish(&q));
	if (rc == HG_OK)
		rc = found ? load_user_units(db, out) : HG_ENOTFOUND;
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

hg_status store_user_set_password(store *s, const char *username, const char *password_hash)
{
	if (s->pg) return pgs_user_set_password(s->pg, username, password_hash);
	int changed = 0;
	hg_status rc = sq_write1(s, "UPDATE users SET password_hash = ?2 WHERE username = ?1", &changed, "tt", username,
				 password_hash);
	if (rc == HG_OK && changed != 1)
		rc = HG_ENOTFOUND;
	/* A new password ends every session of that user. */
	sq_sessions_forget(s);
	if (rc == HG_OK)
		rc = sq_write1(s, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?1)", NULL, "t",
			       username);
	return rc;
}

hg_status store_users_list(store *s, store_user **out, size_t *n)
{
	if (s->pg) return pgs_users_list(s->pg, out, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "SELECT " USER_COLS " FROM users u ORDER BY u.username");
	hg_status rc = sq_q_collect(&q, sizeof **out, read_user, (void **)out, n);
	if (rc != HG_OK && rc != HG_ENOMEM)
		rc = HG_EIO;
	for (size_t i = 0; rc == HG_OK && i < *n; i++)
		rc = load_user_units(db, &(*out)[i]);
	if (rc != HG_OK && rc != HG_ENOMEM && *out) {
		hg_free(*out);
		*out = NULL;
	}
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

hg_status store_session_put(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t user_id, hg_instant now,
			    hg_instant expires)
{
	if (s->pg) return pgs_session_put(s->pg, hash, user_id, now, expires);
	return sq_write1(s, "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
			 NULL, "hiTT", hash, user_id, now, expires);
}

hg_status store_session_delete(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE])
{
	if (s->pg) return pgs_session_delete(s->pg, hash);
	sq_sessions_forget(s);
	return sq_write1(s, "DELETE FROM sessions WHERE token_hash = ?1", NULL, "h", hash);
}

hg_status store_token_put(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t user_id, const char *name,
			  hg_instant now, hg_instant expires)
{
	if (s->pg) return pgs_token_put(s->pg, hash, user_id, name, now, expires);
	return sq_write1(s,
			 "INSERT INTO api_tokens(token_hash, user_id, name, created_at, expires_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5)",
			 NULL, "hitTT", hash, user_id, name, now, expires);
}

hg_status store_token_revoke(store *s, const char *username, const char *name, hg_instant now, int *count)
{
	store_user u;
	hg_status rc = store_user_get(s, username, &u, NULL, 0);
	*count = 0;
	if (rc != HG_OK)
		return rc;
	if (s->pg)
		rc = pgs_token_revoke(s->pg, u.id, name, now, count);
	else if (name)
		rc = sq_write1(s, "UPDATE api_tokens SET revoked_at = ?3 WHERE user_id = ?1 AND name = ?2 AND revoked_at IS NULL",
			       count, "itT", u.id, name, now);
	else
		rc = sq_write1(s, "UPDATE api_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL", count,
			       "iT", u.id, now);
	if (rc == HG_OK && !s->pg)
		sq_sessions_forget(s); /* this process at once; a server elsewhere within SESSION_CACHE_TTL */
	return rc;
}

hg_status store_user_set_disabled(store *s, const char *username, bool disabled)
{
	if (s->pg) return pgs_user_set_disabled(s->pg, username, disabled);
	int changed = 0;
	hg_status rc = sq_write1(s, "UPDATE users SET disabled = ?2 WHERE username = ?1", &changed, "ti", username,
				 (int64_t)disabled);
	if (rc == HG_OK && changed != 1)
		rc = HG_ENOTFOUND;
	if (rc == HG_OK && disabled)
		rc = sq_write1(s, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?1)", NULL, "t",
			       username);
	if (rc == HG_OK)
		sq_sessions_forget(s);
	return rc;
}

static hg_status user_by_hash(store *s, const char *sql, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now,
			      store_user *out)
{
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, sql);
	sq_q_bind_blob(&q, 1, hash, STORE_TOKEN_HASH_SIZE);
	if (q.st && sqlite3_bind_parameter_count(q.st) >= 2)
		sq_q_bind_int64(&q, 2, now);
	bool found = sq_q_step(&q);
	if (found)
		IGNORE(read_user(&q, out)); /* reads columns: nothing to fail */
	hg_status rc = sql_io(sq_q_finish(&q));
	if (rc == HG_OK)
		rc = !found || out->disabled ? HG_ENOTFOUND : load_user_units(db, out);
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

/*
 * Who a session or token is, remembered for a few seconds: every API request asks, and the answer
 * rarely changes. A logout or a new password through this store forgets at once; a change made by
 * another process (the CLI) is seen within SESSION_CACHE_TTL seconds.
 */
static size_t session_slot(char kind, const uint8_t hash[STORE_TOKEN_HASH_SIZE])
{
	return ((size_t)hash[0] | (size_t)hash[1] << 8 | (size_t)(kind == 't') << 16) % SESSION_CACHE_SLOTS;
}

static bool session_cached(store *s, char kind, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now,
			   store_user *out)
{
	bool hit = false;
	pthread_mutex_lock(&s->sessions_lock);
	sq_session_entry *e = &s->sessions[session_slot(kind, hash)];
	if (e->kind == kind && now < e->valid_until && now >= e->cached_at &&
	    memcmp(e->hash, hash, STORE_TOKEN_HASH_SIZE) == 0) {
		*out = e->user;
		hit = true;
	}
	pthread_mutex_unlock(&s->sessions_lock);
	return hit;
}

static void session_remember(store *s, char kind, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now,
			     const store_user *u)
{
	pthread_mutex_lock(&s->sessions_lock);
	sq_session_entry *e = &s->sessions[session_slot(kind, hash)];
	e->kind = kind;
	memcpy(e->hash, hash, STORE_TOKEN_HASH_SIZE);
	e->user = *u;
	e->cached_at = now;
	e->valid_until = now + SESSION_CACHE_TTL;
	pthread_mutex_unlock(&s->sessions_lock);
}

void sq_sessions_forget(store *s)
{
	pthread_mutex_lock(&s->sessions_lock);
	memset(s->sessions, 0, sizeof s->sessions);
	pthread_mutex_unlock(&s->sessions_lock);
}

hg_status store_session_get(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now, store_user *out)
{
	if (s->pg) return pgs_session_get(s->pg, hash, now, out);
	if (session_cached(s, 's', hash, now, out))
		return HG_OK;
	hg_status rc = user_by_hash(s,
				    "SELECT " USER_COLS " FROM sessions x JOIN users u ON u.id = x.user_id "
				    "WHERE x.token_hash = ?1 AND x.expires_at > ?2",
				    hash, now, out);
	if (rc == HG_OK)
		session_remember(s, 's', hash, now, out);
	return rc;
}

hg_status store_token_get(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now, store_user *out)
{
	if (s->pg) return pgs_token_get(s->pg, hash, now, out);
	if (session_cached(s, 't', hash, now, out))
		return HG_OK;
	hg_status rc = user_by_hash(s,
				    "SELECT " USER_COLS " FROM api_tokens x JOIN users u ON u.id = x.user_id WHERE x.token_hash = ?1 "
				    "AND x.revoked_at IS NULL AND (x.expires_at IS NULL OR x.expires_at > ?2)",
				    hash, now, out);
	if (rc == HG_OK)
		session_remember(s, 't', hash, now, out);
	return rc;
}

/* ---- events and projections ---- */

/* Runs one statement without parameters or rows from sc (a savepoint of the writer, say). */
static hg_status step_cached(sq_stmt_cache *sc, sqlite3 *db, const char *sql)
{
	sq_q q;
	sq_q_cached(&q, sc, db, sql);
	return sql_io(sq_q_exec(&q));
}

hg_status sq_stmt_cached(sq_stmt_cache *sc, sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	for (size_t i = 0; i < sc->n; i++) {
		if (sc->sql[i] == sql) { /* the same text: callers pass string literals */
			*st = sc->stmt[i];
			return HG_OK;
		}
	}
	if (sc->n == SQ_STMT_CACHE_MAX)
		return sq_prepare(db, sql, st); /* NEVER: more statements than the append path has */
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return HG_EIO;
	sc->sql[sc->n] = sql;
	sc->stmt[sc->n++] = *st;
	return HG_OK;
}

void sq_stmt_cache_clear(sq_stmt_cache *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		sqlite3_finalize(sc->stmt[i]);
	sc->n = 0;
}

/* Reads the stored events of an episode, in seq order, into an hg_malloc'ed array. */
static hg_status read_events(sq_stmt_cache *sc, sqlite3 *db, int64_t episode_id, event **out, size_t *n)
{
	sq_q q;
	size_t cap = 16, len = 0;
	hg_status rc = HG_OK;
	event *arr = hg_malloc(cap * sizeof *arr);
	if (!arr)
		return HG_ENOMEM;
	sq_q_cached(&q, sc, db, "SELECT body FROM events WHERE episode_id = ?1 ORDER BY seq");
	sq_q_bind_int64(&q, 1, episode_id);
	while (rc == HG_OK && sq_q_step(&q)) {
		event_error err;
		if (len == cap) {
			event *bigger = hg_realloc(arr, cap * 2 * sizeof *arr);
			if (!bigger) {
				rc = HG_ENOMEM;
				break;
			}
			arr = bigger;
			cap *= 2;
		}
		if (event_from_text(sq_q_col_text(&q, 0), &arr[len], &err) != HG_OK)
			rc = HG_EINTERNAL; /* a stored event that no longer parses: a bug, never user input */
		len++;
	}
	hg_status sql = sq_q_finish(&q);
	if (rc == HG_OK)
		rc = sql_io(sql);
	if (rc != HG_OK) {
		hg_free(arr);
		return rc;
	}
	*out = arr;
	*n = len;
	return HG_OK;
}

/* Binds the deadlines (?16-?21), last_seq (?22) and updated_at (?23) of a projection row. */
static void bind_row_tail(sq_q *q, const deadline *dl, const episode_state *st, hg_instant now)
{
	/* the three deadlines with columns; the care plan's (LPT/LRV) is read from the fold */
	for (int k = 0; k <= DEADLINE_SIP_CALL; k++) {
		bool applies = dl[k].state != DEADLINE_NOT_APPLICABLE;
		sq_q_bind_instant(q, 16 + 2 * k, applies ? dl[k].due_at : HG_INSTANT_NONE);
		sq_q_bind_instant(q, 17 + 2 * k, applies ? dl[k].met_at : HG_INSTANT_NONE);
	}
	sq_q_bind_int64(q, 22, st->last_seq);
	sq_q_bind_int64(q, 23, now);
}

/* The whole episode_projection row of st (replacing an earlier one). */
static hg_status project_row(sq_stmt_cache *sc, sqlite3 *db, const episode_state *st, const deadline *dl,
			     hg_instant now)
{
	sq_q q;
	sq_q_cached(&q, sc, db,
		    "INSERT OR REPLACE INTO episode_projection(episode_id, status, pnr, patient_name, municipality, "
		    "primary_care_unit, hospital, ward, care_type, admitted_at, notice_at, expected_date, ready_at, "
		    "discharged_at, track, notice_due, notice_met, care_contact_due, care_contact_met, sip_due, "
		    "sip_met, last_seq, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
		    "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)");
	sq_q_bind_int64(&q, 1, st->id);
	sq_q_bind_text(&q, 2, episode_status_label(st->status)->code);
	sq_q_bind_text(&q, 3, st->patient.personnummer);
	sq_q_bind_text(&q, 4, st->patient.name);
	sq_q_bind_text(&q, 5, st->patient.registered_municipality);
	sq_q_bind_text(&q, 6, st->patient.primary_care_unit);
	sq_q_bind_text(&q, 7, st->hospital);
	sq_q_bind_text(&q, 8, st->ward);
	sq_q_bind_text(&q, 9, care_type_label(st->care)->code);
	/* a cancelled admission has no admission time; the row stays (status cancelled) with 0 */
	sq_q_bind_int64(&q, 10, st->admitted_at == HG_INSTANT_NONE ? 0 : st->admitted_at);
	sq_q_bind_instant(&q, 11, st->notice_at);
	sq_q_bind_date(&q, 12, st->expected_date);
	sq_q_bind_instant(&q, 13, st->ready_at);
	sq_q_bind_instant(&q, 14, st->discharged_at);
	sq_q_bind_text(&q, 15, st->track_is_set ? track_colour_label(st->track)->code : NULL);
	bind_row_tail(&q, dl, st, now);
	return sql_io(sq_q_exec(&q));
}

/* Whether a and b have the same parties, in the same order (episode_parties, pending_acks' units). */
static bool same_parties(const episode_state *a, const episode_state *b)
{
	if (a->recipient_count != b->recipient_count || strcmp(a->admitting_ward, b->admitting_ward) != 0 ||
	    strcmp(a->ward, b->ward) != 0)
		return false;
	for (int i = 0; i < a->recipient_count; i++)
		if (strcmp(a->recipients[i].party.unit, b->recipients[i].party.unit) != 0)
			return false;
	return true;
}

/* Whether a and b have the same notices to the same recipients, acknowledged alike (pending_acks). */
static bool same_notices(const episode_state *a, const episode_state *b)
{
	if (a->notice_count != b->notice_count || !same_parties(a, b))
		return false;
	for (int i = 0; i < a->notice_count; i++) {
		const episode_notice *x = &a->notices[i], *y = &b->notices[i];
		if (x->seq != y->seq || x->to != y->to || x->acked != y->acked || x->type != y->type ||
		    x->sent_at != y->sent_at)
			return false;
	}
	return true;
}

/* Whether the projection row of a and b differs at most in its deadlines and last_seq. */
static bool same_row(const episode_state *a, const episode_state *b)
{
	return a->status == b->status && strcmp(a->patient.personnummer, b->patient.personnummer) == 0 &&
	       strcmp(a->patient.name, b->patient.name) == 0 &&
	       strcmp(a->patient.registered_municipality, b->patient.registered_municipality) == 0 &&
	       strcmp(a->patient.primary_care_unit, b->patient.primary_care_unit) == 0 &&
	       strcmp(a->hospital, b->hospital) == 0 && strcmp(a->ward, b->ward) == 0 && a->care == b->care &&
	       a->admitted_at == b->admitted_at && a->notice_at == b->notice_at && a->expected_date == b->expected_date &&
	       a->ready_at == b->ready_at && a->discharged_at == b->discharged_at && a->track_is_set == b->track_is_set &&
	       (!a->track_is_set || a->track == b->track);
}

/*
 * Writes the projection rows of one folded episode st. `before` (NULL: none) is the state its
 * rows were last written from: what did not change between the two is left as it is (an ordinary
 * event changes only the row's deadlines and last_seq, not the parties or the pending
 * acknowledgements), so the rows end exactly as a full rewrite would leave them, with fewer
 * b-tree deletes and inserts on the writer's path.
 */
static hg_status project_since(sq_stmt_cache *sc, sqlite3 *db, const episode_state *before, const episode_state *st,
			       hg_instant now)
{
	static const char *const sql_del[] = {
		"DELETE FROM episode_parties WHERE episode_id = ?1",
		"DELETE FROM pending_acks WHERE episode_id = ?1",
	};
	sq_q q;
	deadline dl[DEADLINE_KIND_COUNT];
	hg_status rc = deadline_in_force(st, now, dl);
	if (rc != HG_OK)
		return rc;

	bool parties = !before || !same_parties(before, st), acks = !before || !same_notices(before, st);
	for (size_t i = 0; i < sizeof sql_del / sizeof sql_del[0] && rc == HG_OK; i++) {
		if (!(i == 0 ? parties : acks))
			continue;
		sq_q_cached(&q, sc, db, sql_del[i]);
		sq_q_bind_int64(&q, 1, st->id);
		rc = sql_io(sq_q_exec(&q));
	}
	if (rc != HG_OK)
		return rc;

	if (before && same_row(before, st)) {
		sq_q_cached(&q, sc, db,
			    "UPDATE episode_projection SET notice_due = ?16, notice_met = ?17, care_contact_due = ?18, "
			    "care_contact_met = ?19, sip_due = ?20, sip_met = ?21, last_seq = ?22, updated_at = ?23 "
			    "WHERE episode_id = ?1");
		sq_q_bind_int64(&q, 1, st->id);
		bind_row_tail(&q, dl, st, now);
		rc = sql_io(sq_q_exec(&q));
		if (rc == HG_OK && sq_q_changes(&q) != 1) /* no row yet: write it whole */
			rc = project_row(sc, db, st, dl, now);
	} else {
		rc = project_row(sc, db, st, dl, now);
	}
	if (rc != HG_OK)
		return rc;
	if (!parties)
		goto pending;

	sq_q_cached(&q, sc, db, "INSERT OR IGNORE INTO episode_parties(episode_id, unit_id, role) VALUES (?1, ?2, ?3)");
	const char *wards[2] = {st->admitting_ward, st->ward};
	for (int i = 0; i < 2 + st->recipient_count; i++) {
		const char *unit = i < 2 ? wards[i] : st->recipients[i - 2].party.unit;
		if (!unit[0])
			continue;
		sq_q_reset(&q);
		sq_q_bind_int64(&q, 1, st->id);
		sq_q_bind_text(&q, 2, unit);
		sq_q_bind_text(&q, 3, i < 2 ? "ward" : "recipient");
		while (sq_q_step(&q))
			;
	}
	rc = sql_io(sq_q_finish(&q));
	if (rc != HG_OK)
		return rc;
pending:
	if (!acks)
		return HG_OK;
	sq_q_cached(&q, sc, db,
		    "INSERT OR IGNORE INTO pending_acks(episode_id, seq, unit_id, type, sent_at, acked_at) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	for (int i = 0; i < st->notice_count; i++) {
		const episode_notice *nt = &st->notices[i];
		for (int r = 0; r < st->recipient_count && r < 32; r++) {
			if (!(nt->to & (1u << r)))
				continue;
			sq_q_reset(&q);
			sq_q_bind_int64(&q, 1, st->id);
			sq_q_bind_int64(&q, 2, nt->seq);
			sq_q_bind_text(&q, 3, st->recipients[r].party.unit);
			sq_q_bind_text(&q, 4, event_type_code(nt->type));
			sq_q_bind_instant(&q, 5, nt->sent_at);
			if (nt->acked & (1u << r))
				sq_q_bind_int64(&q, 6, 1); /* acknowledged; the time is in the events */
			else
				sq_q_bind_null(&q, 6);
			while (sq_q_step(&q))
				;
		}
	}
	return sql_io(sq_q_finish(&q));
}

static hg_status project(sq_stmt_cache *sc, sqlite3 *db, const episode_state *st, hg_instant now)
{
	return project_since(sc, db, NULL, st, now);
}

hg_status sq_project(sq_stmt_cache *sc, sqlite3 *db, const episode_state *st, hg_instant now)
{
	return project(sc, db, st, now);
}

/*
 * Looks up an earlier append with the same key by the same user. A key replays only the
 * identical request: another request hash, episode or event type is HG_ECONFLICT.
 */
static hg_status find_idempotent(sq_stmt_cache *sc, sqlite3 *db, const event *ev, const char *key, const uint8_t *hash,
				 int64_t episode_id, store_append_result *out, bool *found)
{
	sq_q q;
	hg_status rc = HG_OK;
	sq_q_cached(&q, sc, db,
		    "SELECT id, episode_id, seq, recorded_at, type, request_hash FROM events "
		    "WHERE author_user = ?1 AND idempotency_key = ?2");
	sq_q_bind_text(&q, 1, ev->author_user);
	sq_q_bind_text(&q, 2, key);
	*found = sq_q_step(&q);
	if (*found) {
		out->event_id = sq_q_col_int64(&q, 0);
		out->episode_id = sq_q_col_int64(&q, 1);
		out->seq = sq_q_col_int(&q, 2);
		out->recorded_at = sq_q_col_int64(&q, 3);
		out->replayed = true;
		const void *stored = sq_q_col_blob(&q, 5);
		bool same_request = !hash || !stored ||
				    (sq_q_col_bytes(&q, 5) == STORE_REQUEST_HASH_SIZE &&
				     memcmp(stored, hash, STORE_REQUEST_HASH_SIZE) == 0);
		const char *type = sq_q_col_text(&q, 4);
		if (!same_request || (episode_id && episode_id != out->episode_id) || !type ||
		    strcmp(type, event_type_code(ev->type)) != 0)
			rc = HG_ECONFLICT;
	}
	hg_status sql = sql_io(sq_q_finish(&q));
	return sql != HG_OK ? sql : rc;
}

/* The open episode (admitted or ready) of a personnummer, or 0. */
static hg_status find_open_episode(sq_stmt_cache *sc, sqlite3 *db, const char *pnr, int64_t *open)
{
	sq_q q;
	*open = 0;
	sq_q_cached(&q, sc, db,
		    "SELECT episode_id FROM episode_projection WHERE pnr = ?1 AND status IN ('admitted', 'ready') "
		    "ORDER BY episode_id LIMIT 1");
	sq_q_bind_text(&q, 1, pnr);
	hg_status rc = sq_q_int64(&q, open);
	return rc == HG_ENOTFOUND ? HG_OK : sql_io(rc);
}

static hg_status insert_event(sq_stmt_cache *sc, sqlite3 *db, int64_t episode_id, event *ev, const char *key, const uint8_t *hash)
{
	sq_q q;
	sq_q_cached(&q, sc, db, "SELECT COALESCE(MAX(id), 0) + 1 FROM events");
	hg_status rc = sql_io(sq_q_int64(&q, &ev->id));
	if (rc != HG_OK)
		return rc;
	char *body = event_to_text(ev);
	if (!body)
		return HG_ENOMEM;
	sq_q_cached(&q, sc, db,
		    "INSERT INTO events(id, episode_id, seq, type, occurred_at, recorded_at, author_unit, "
		    "author_user, idempotency_key, body, request_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	sq_q_bind_int64(&q, 1, ev->id);
	sq_q_bind_int64(&q, 2, episode_id);
	sq_q_bind_int64(&q, 3, ev->seq);
	sq_q_bind_text(&q, 4, event_type_code(ev->type));
	sq_q_bind_int64(&q, 5, ev->occurred_at);
	sq_q_bind_int64(&q, 6, ev->recorded_at);
	sq_q_bind_text(&q, 7, ev->author_unit);
	sq_q_bind_text(&q, 8, ev->author_user);
	sq_q_bind_text(&q, 9, key);
	sq_q_bind_text(&q, 10, body);
	if (key && hash)
		sq_q_bind_blob(&q, 11, hash, STORE_REQUEST_HASH_SIZE);
	else
		sq_q_bind_null(&q, 11);
	rc = sql_io(sq_q_exec(&q));
	hg_free(body);
	return rc;
}

static hg_status episode_exists(sq_stmt_cache *sc, sqlite3 *db, int64_t id)
{
	sq_q q;
	bool found = false;
	sq_q_cached(&q, sc, db, "SELECT 1 FROM episodes WHERE id = ?1");
	sq_q_bind_int64(&q, 1, id);
	hg_status rc = sql_io(sq_q_exists(&q, &found));
	return rc != HG_OK ? rc : found ? HG_OK : HG_ENOTFOUND;
}

hg_status store_append(store *s, int64_t episode_id, const event *ev, const char *key, hg_instant now,
		       store_append_result *out, event_error *err)
{
	if (s->pg) return pgs_append_request(s->pg, episode_id, ev, key, NULL, now, out, err);
	return store_append_request(s, episode_id, ev, key, NULL, now, out, err);
}

bool sq_fold_cache_get(sq_fold_cache *fc, int64_t episode_id, int32_t last_seq, episode_state *st)
{
	if (!fc)
		return false;
	for (size_t i = 0; i < SQ_FOLD_CACHE_MAX; i++) {
		sq_fold_entry *e = &fc->entries[i];
		if (e->episode_id == episode_id && e->st) {
			if (e->st->last_seq != last_seq)
				return false;
			*st = *e->st;
			e->used = ++fc->clock;
			return true;
		}
	}
	return false;
}

void sq_fold_cache_put(sq_fold_cache *fc, const episode_state *st)
{
	sq_fold_entry *slot = NULL;
	if (!fc)
		return;
	for (size_t i = 0; i < SQ_FOLD_CACHE_MAX && !slot; i++)
		if (fc->entries[i].episode_id == st->id)
			slot = &fc->entries[i];
	for (size_t i = 0; i < SQ_FOLD_CACHE_MAX && !slot; i++)
		if (!fc->entries[i].episode_id)
			slot = &fc->entries[i];
	if (!slot) {
		slot = &fc->entries[0];
		for (size_t i = 1; i < SQ_FOLD_CACHE_MAX; i++)
			if (fc->entries[i].used < slot->used)
				slot = &fc->entries[i];
	}
	if (!slot->st && !(slot->st = hg_malloc(sizeof *slot->st)))
		return;
	*slot->st = *st;
	slot->episode_id = st->id;
	slot->used = ++fc->clock;
}

void sq_fold_cache_clear(sq_fold_cache *fc)
{
	if (!fc)
		return;
	for (size_t i = 0; i < SQ_FOLD_CACHE_MAX; i++) {
		hg_free(fc->entries[i].st);
		fc->entries[i].st = NULL;
		fc->entries[i].episode_id = 0;
	}
}

/* The seq of the episode's last stored event; HG_ENOTFOUND for an episode without events. */
static hg_status stored_last_seq(sq_stmt_cache *sc, sqlite3 *db, int64_t episode_id, int32_t *last)
{
	sq_q q;
	hg_status rc = HG_OK;
	sq_q_cached(&q, sc, db, "SELECT MAX(seq) FROM events WHERE episode_id = ?1");
	sq_q_bind_int64(&q, 1, episode_id);
	if (!sq_q_step(&q))
		sq_q_fail(&q, HG_EIO); /* an aggregate always has its row */
	else if (sq_q_col_null(&q, 0))
		rc = HG_ENOTFOUND;
	else
		*last = sq_q_col_int(&q, 0);
	hg_status sql = sql_io(sq_q_finish(&q));
	return sql != HG_OK ? sql : rc;
}

/*
 * One append inside the writer's open transaction (see writer in audit_sqlite.c), under a
 * savepoint so that a rejection undoes only itself: idempotency check, the one-open-episode rule,
 * replay of the episode through the core's fold, the core's judgement, insert, projections. On
 * success *slots gets the version slots of the episode's parties (to touch after the commit).
 */
hg_status sq_append_in_tx(store *s, sqlite3 *db, const sq_append_job *job, size_t *slots, size_t *n_slots)
{
	event *hist = NULL, *copy = NULL;
	size_t n = 0;
	episode_state *st = NULL, *before = NULL;
	bool found = false;
	int64_t episode_id = job->episode_id;
	const event *ev = job->ev;
	const char *key = job->key;
	store_append_result *out = job->out;
	event_error *err = job->err;
	sq_stmt_cache *sc = &s->audit.stmts; /* the writer's connection: its statements are prepared once */
	hg_status rc;

	*n_slots = 0;
	event_error_clear(err);
	memset(out, 0, sizeof *out);
	rc = step_cached(sc, db, "SAVEPOINT append");
	if (rc != HG_OK)
		return rc;
	if (key && key[0]) {
		rc = find_idempotent(sc, db, ev, key, job->request_hash, episode_id, out, &found);
		if (rc == HG_ECONFLICT)
			rc = event_error_set(err, EVR_IDEMPOTENCY_KEY_REUSED, "Idempotency-Key");
		if (rc != HG_OK || found)
			goto rollback;
	}
	if (episode_id == 0 && ev->type == EVENT_ADMITTED) {
		/* one patient, one open stay: a move between wards is a transfer of that stay */
		int64_t open = 0;
		rc = find_open_episode(sc, db, ev->u.admitted.patient.personnummer, &open);
		if (rc == HG_OK && open) {
			rc = event_error_set(err, EVR_PATIENT_HAS_OPEN_EPISODE, "patient.personnummer");
			out->episode_id = open;
		}
		if (rc != HG_OK)
			goto rollback;
	}
	st = hg_malloc(sizeof *st);
	copy = hg_malloc(sizeof *copy);
	if (!st || !copy) {
		rc = HG_ENOMEM;
		goto rollback;
	}
	episode_init(st);
	if (episode_id == 0) {
		sq_q ins;
		sq_q_cached(&ins, sc, db, "INSERT INTO episodes(created_at) VALUES (?1)");
		sq_q_bind_int64(&ins, 1, job->now);
		rc = sql_io(sq_q_exec(&ins));
		if (rc != HG_OK)
			goto rollback;
		episode_id = sqlite3_last_insert_rowid(db);
	} else {
		int32_t last = 0;
		rc = episode_exists(sc, db, episode_id);
		if (rc == HG_OK)
			rc = stored_last_seq(sc, db, episode_id, &last);
		if (rc == HG_OK && !episode_append_needs_history(ev) &&
		    sq_fold_cache_get(s->audit.folds, episode_id, last, st)) {
			n = (size_t)last; /* judged from the remembered fold: no events read */
		} else {
			if (rc == HG_OK)
				rc = read_events(sc, db, episode_id, &hist, &n);
			if (rc == HG_OK && episode_fold(hist, n, st, err) != HG_OK)
				rc = HG_EINTERNAL;
		}
		if (rc != HG_OK)
			goto rollback;
	}
	st->id = episode_id;
	if (n) { /* the state the projection rows were written from */
		before = hg_malloc(sizeof *before);
		if (!before) {
			rc = HG_ENOMEM;
			goto rollback;
		}
		*before = *st;
	}
	*copy = *ev;
	copy->id = 0;
	copy->seq = (int32_t)n + 1;
	copy->recorded_at = job->now;
	rc = episode_append(st, hist, n, copy, err);
	if (rc != HG_OK) {
		atomic_fetch_add(&s->rejected, 1);
		goto rollback;
	}
	st->id = episode_id;
	rc = insert_event(sc, db, episode_id, copy, key && key[0] ? key : NULL, job->request_hash);
	if (rc == HG_OK)
		rc = project_since(sc, db, before, st, job->now);
	if (rc == HG_OK)
		rc = sq_facts_put(sc, db, st, hist, n, copy); /* the follow-up facts, in the same transaction */
	if (rc == HG_OK)
		rc = step_cached(sc, db, "RELEASE append");
	if (rc != HG_OK)
		goto rollback;
	out->episode_id = episode_id;
	out->event_id = copy->id;
	out->seq = copy->seq;
	out->recorded_at = job->now;
	out->replayed = false;
	sq_units_slots(st, slots, n_slots);
	sq_fold_cache_put(s->audit.folds, st);
	sq_read_model_stage(s, st, job->now, copy->id);
	goto out;
rollback:
	if (step_cached(sc, db, "ROLLBACK TO append") != HG_OK || step_cached(sc, db, "RELEASE append") != HG_OK)
		sq_exec_quiet(db, "ROLLBACK TO append; RELEASE append"); /* out of memory: parse it then */
	if (found && rc == HG_OK)
		atomic_fetch_add(&s->replayed, 1);
out:
	hg_free(hist);
	hg_free(copy);
	hg_free(st);
	hg_free(before);
	return rc;
}

hg_status store_append_request(store *s, int64_t episode_id, const event *ev, const char *key,
			       const uint8_t *request_hash, hg_instant now, store_append_result *out, event_error *err)
{
	if (s->pg) return pgs_append_request(s->pg, episode_id, ev, key, request_hash, now, out, err);
	uint64_t ticket = 0;
	hg_status rc = store_append_held(s, episode_id, ev, key, request_hash, now, out, err, &ticket);
	if (rc == HG_OK && ticket && sq_ticket_wait(s, ticket) != HG_OK)
		rc = HG_EIO; /* judged and written, but the batch did not commit: not stored */
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

static size_t unit_slot(const char *unit)
{
	/* FNV-1a: a collision only costs a cache an extra miss */
	uint64_t h = 1469598103934665603u;
	for (const unsigned char *p = (const unsigned char *)unit; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return (size_t)(h % STORE_VERSION_SLOTS);
}

void sq_units_slots(const episode_state *st, size_t *slots, size_t *n)
{
	const char *wards[2] = {st->admitting_ward, st->ward};
	*n = 0;
	for (int i = 0; i < 2 + st->recipient_count && *n < SQ_PARTY_SLOTS_MAX; i++) {
		const char *unit = i < 2 ? wards[i] : st->recipients[i - 2].party.unit;
		if (unit[0])
			slots[(*n)++] = unit_slot(unit);
	}
}

void sq_units_touch(store *s, const size_t *slots, size_t n)
{
	for (size_t i = 0; i < n; i++)
		atomic_fetch_add(&s->unit_versions[slots[i] % STORE_VERSION_SLOTS], 1);
}

uint64_t store_units_version(store *s, const char (*units)[HG_ID_MAX], size_t n)
{
	if (s->pg) return pgs_units_version(s->pg);
	/* a sum of counters that only grow changes whenever one of them does */
	uint64_t v = atomic_load(&s->version_epoch) << 40;
	for (size_t i = 0; i < n; i++)
		v += atomic_load(&s->unit_versions[unit_slot(units[i])]);
	return v;
}

hg_status store_episode_load(store *s, int64_t episode_id, episode_state *st, event **evs, size_t *n)
{
	if (s->pg) return pgs_episode_load(s->pg, episode_id, st, evs, n);
	sqlite3 *db = sq_conn_get(s);
	event *arr = NULL;
	size_t len = 0;
	event_error err;
	hg_status rc = sq_exec(db, "BEGIN");
	if (rc == HG_OK)
		rc = episode_exists(NULL, db, episode_id);
	if (rc == HG_OK)
		rc = read_events(NULL, db, episode_id, &arr, &len);
	sq_exec_quiet(db, "COMMIT");
	sq_conn_put(s, db);
	if (rc == HG_OK && st) {
		if (episode_fold(arr, len, st, &err) != HG_OK)
			rc = HG_EINTERNAL;
		st->id = episode_id;
	}
	if (rc == HG_OK && evs) {
		*evs = arr;
		arr = NULL;
	}
	if (n)
		*n = len;
	hg_free(arr);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

hg_status store_episode_visible(store *s, int64_t episode_id, const char (*units)[HG_ID_MAX], size_t n, bool *visible)
{
	static const char sql[] = "SELECT 1 FROM episode_parties WHERE episode_id = ?1 AND unit_id = ?2";
	if (s->pg) return pgs_episode_visible(s->pg, episode_id, units, n, visible);
	sq_stmt_cache *sc;
	sqlite3 *db = sq_conn_get_cached(s, &sc);
	sq_q q;
	sq_q_cached(&q, sc, db, sql);
	*visible = false;
	for (size_t i = 0; i < n && !*visible; i++) {
		sq_q_reset(&q);
		sq_q_bind_int64(&q, 1, episode_id);
		sq_q_bind_text(&q, 2, units[i]);
		*visible = sq_q_step(&q);
	}
	hg_status rc = sql_io(sq_q_finish(&q));
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

void store_query_init(store_query *q)
{
	memset(q, 0, sizeof *q);
	q->status = -1;
	q->overdue_at = HG_INSTANT_NONE;
	q->from = HG_INSTANT_NONE;
	q->to = HG_INSTANT_NONE;
}

/* A WHERE clause under construction: SQL text with numbered parameters and their values. */
#define QUERY_SQL_MAX 4096
#define QUERY_PARAMS_MAX 32
typedef struct sql_builder {
	char sql[QUERY_SQL_MAX];
	size_t len;
	bool overflow;
	int n;
	struct {
		bool is_text;
		const char *text;
		int64_t num;
	} p[QUERY_PARAMS_MAX];
} sql_builder;

static void sb_add(sql_builder *b, const char *text)
{
	size_t n = strlen(text);
	if (b->len + n + 1 > sizeof b->sql) {
		b->overflow = true;
		return;
	}
	memcpy(b->sql + b->len, text, n + 1);
	b->len += n;
}

/* Appends "?N" for a new parameter. */
static void sb_param(sql_builder *b, bool is_text, const char *text, int64_t num)
{
	char ph[16];
	if (b->n >= QUERY_PARAMS_MAX) {
		b->overflow = true;
		return;
	}
	b->p[b->n].is_text = is_text;
	b->p[b->n].text = text;
	b->p[b->n].num = num;
	b->n++;
	snprintf(ph, sizeof ph, "?%d", b->n);
	sb_add(b, ph);
}

static void sb_bind(const sql_builder *b, sqlite3_stmt *st)
{
	for (int i = 0; i < b->n; i++) {
		if (b->p[i].is_text)
			sq_bind_text(st, i + 1, b->p[i].text);
		else
			sqlite3_bind_int64(st, i + 1, b->p[i].num);
	}
}

static void build_where(sql_builder *b, const store_query *q)
{
	sb_add(b, " WHERE 1");
	if (!q->all) {
		/* IN over the parties' unit index: the caller's episodes without scanning all of them */
		sb_add(b, " AND e.episode_id IN (SELECT p.episode_id FROM episode_parties p WHERE p.unit_id IN (");
		if (q->n_units == 0)
			sb_add(b, "NULL");
		for (size_t i = 0; i < q->n_units; i++) {
			if (i)
				sb_add(b, ", ");
			sb_param(b, true, q->units[i], 0);
		}
		sb_add(b, "))");
	}
	if (q->municipality) {
		sb_add(b, " AND e.municipality = ");
		sb_param(b, true, q->municipality, 0);
	}
	if (q->unit) {
		sb_add(b, " AND EXISTS (SELECT 1 FROM episode_parties p2 WHERE p2.episode_id = e.episode_id AND p2.unit_id = ");
		sb_param(b, true, q->unit, 0);
		sb_add(b, ")");
	}
	if (q->status >= 0 || q->ready_only) {
		sb_add(b, " AND e.status = ");
		sb_param(b, true, episode_status_label(q->ready_only ? EPISODE_READY : (episode_status)q->status)->code, 0);
	}
	if (q->in_hospital)
		sb_add(b, " AND e.status IN ('admitted', 'ready')");
	if (q->overdue_at != HG_INSTANT_NONE) {
		sb_add(b, " AND e.status NOT IN ('cancelled') AND ((e.notice_due < ");
		sb_param(b, false, NULL, q->overdue_at);
		sb_add(b, " AND e.notice_met IS NULL) OR (e.care_contact_due < ");
		sb_param(b, false, NULL, q->overdue_at);
		sb_add(b, " AND e.care_contact_met IS NULL) OR (e.sip_due < ");
		sb_param(b, false, NULL, q->overdue_at);
		sb_add(b, " AND e.sip_met IS NULL))");
	}
	if (q->from != HG_INSTANT_NONE || q->to != HG_INSTANT_NONE)
		sb_add(b, " AND e.status <> 'cancelled'");
	if (q->to != HG_INSTANT_NONE) {
		sb_add(b, " AND e.admitted_at < ");
		sb_param(b, false, NULL, q->to);
	}
	if (q->from != HG_INSTANT_NONE) {
		sb_add(b, " AND (e.discharged_at IS NULL OR e.discharged_at >= ");
		sb_param(b, false, NULL, q->from);
		sb_add(b, ")");
	}
	if (q->pnr) {
		sb_add(b, " AND e.pnr = ");
		sb_param(b, true, q->pnr, 0);
	}
}

#define ROW_COLS                                                                                                   \
	"e.episode_id, e.status, e.pnr, e.patient_name, e.municipality, e.primary_care_unit, e.hospital, e.ward, " \
	"e.care_type, e.admitted_at, e.notice_at, e.ready_at, e.discharged_at, e.expected_date, e.track, "         \
	"e.notice_due, e.notice_met, e.care_contact_due, e.care_contact_met, e.sip_due, e.sip_met, e.last_seq"

static void read_episode_row(sqlite3_stmt *st, void *p)
{
	store_episode_row *r = p;
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	if (!episode_status_from_code((const char *)sqlite3_column_text(st, 1), &r->status))
		r->status = EPISODE_EMPTY;
	sq_col_str(st, 2, r->pnr, sizeof r->pnr);
	sq_col_str(st, 3, r->patient_name, sizeof r->patient_name);
	sq_col_str(st, 4, r->municipality, sizeof r->municipality);
	sq_col_str(st, 5, r->primary_care_unit, sizeof r->primary_care_unit);
	sq_col_str(st, 6, r->hospital, sizeof r->hospital);
	sq_col_str(st, 7, r->ward, sizeof r->ward);
	if (!care_type_from_code((const char *)sqlite3_column_text(st, 8), &r->care))
		r->care = CARE_SOMATIC;
	r->admitted_at = sq_col_instant(st, 9);
	r->notice_at = sq_col_instant(st, 10);
	r->ready_at = sq_col_instant(st, 11);
	r->discharged_at = sq_col_instant(st, 12);
	r->expected_date = sqlite3_column_type(st, 13) == SQLITE_NULL ? HG_DATE_NONE : sqlite3_column_int(st, 13);
	r->track_is_set = sqlite3_column_type(st, 14) != SQLITE_NULL &&
			  track_colour_from_code((const char *)sqlite3_column_text(st, 14), &r->track);
	r->notice_due = sq_col_instant(st, 15);
	r->notice_met = sq_col_instant(st, 16);
	r->care_contact_due = sq_col_instant(st, 17);
	r->care_contact_met = sq_col_instant(st, 18);
	r->sip_due = sq_col_instant(st, 19);
	r->sip_met = sq_col_instant(st, 20);
	r->last_seq = sqlite3_column_int(st, 21);
}

/*
 * Runs the page query b (rows read by read_row into an hg_malloc'ed *rows) and, when total is not
 * NULL, the count query c, both from one snapshot. On failure *rows is NULL and *n 0.
 */
static hg_status page_and_count(store *s, const sql_builder *b, const sql_builder *c, size_t elem_size,
				void (*read_row)(sqlite3_stmt *, void *), void **rows, size_t *n, size_t *total)
{
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	sq_exec_quiet(db, "BEGIN");
	hg_status rc = sq_prepare(db, b->sql, &st);
	if (rc == HG_OK) {
		sb_bind(b, st);
		rc = sq_collect(st, elem_size, read_row, rows, n);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == HG_OK && total)
		rc = sq_prepare(db, c->sql, &st);
	if (rc == HG_OK && total) {
		sb_bind(c, st);
		if (sqlite3_step(st) == SQLITE_ROW)
			*total = (size_t)sqlite3_column_int64(st, 0);
		else
			rc = HG_EIO;
	}
	sqlite3_finalize(st);
	sq_exec_quiet(db, "COMMIT");
	sq_conn_put(s, db);
	if (rc != HG_OK) {
		hg_free(*rows);
		*rows = NULL;
		*n = 0;
	}
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

static readmodel *read_model_current(store *s);
hg_status store_episodes_query(store *s, const store_query *q, store_episode_row **rows, size_t *n, size_t *total)
{
	if (s->pg) return pgs_episodes_query(s->pg, q, rows, n, total);
	readmodel *rm = read_model_current(s);
	if (rm) {
		bool answered = false;
		hg_status rrc = readmodel_query(rm, q, rows, n, total, &answered);
		if (rrc != HG_OK || answered)
			return rrc;
	}
	sql_builder *b = hg_calloc(1, sizeof *b), *c = hg_calloc(1, sizeof *c);
	hg_status rc = HG_OK;
	int limit = q->limit <= 0 ? 100 : q->limit > 1000 ? 1000 : q->limit;
	char tail[96];
	*rows = NULL;
	*n = 0;
	if (total)
		*total = 0;
	if (!b || !c) {
		hg_free(b);
		hg_free(c);
		return HG_ENOMEM;
	}
	sb_add(b, "SELECT " ROW_COLS " FROM episode_projection e");
	build_where(b, q);
	snprintf(tail, sizeof tail, " ORDER BY e.admitted_at DESC, e.episode_id DESC LIMIT %d OFFSET %d", limit,
		 q->offset < 0 ? 0 : q->offset);
	sb_add(b, tail);
	sb_add(c, "SELECT COUNT(*) FROM episode_projection e");
	build_where(c, q);
	if (b->overflow || c->overflow) {
		hg_free(b);
		hg_free(c);
		return HG_ERANGE;
	}
	rc = page_and_count(s, b, c, sizeof **rows, read_episode_row, (void **)rows, n, total);
	hg_free(b);
	hg_free(c);
	return rc;
}

static void read_pending(sqlite3_stmt *st, void *p)
{
	store_pending_ack *a = p;
	memset(a, 0, sizeof *a);
	a->episode_id = sqlite3_column_int64(st, 0);
	a->seq = sqlite3_column_int(st, 1);
	sq_col_str(st, 2, a->unit, sizeof a->unit);
	if (!event_type_from_code((const char *)sqlite3_column_text(st, 3), &a->type))
		a->type = EVENT_ADMISSION_NOTICE;
	a->sent_at = sq_col_instant(st, 4);
	sq_col_str(st, 5, a->patient_name, sizeof a->patient_name);
	sq_col_str(st, 6, a->pnr, sizeof a->pnr);
	sq_col_str(st, 7, a->ward, sizeof a->ward);
}

void store_ack_query_init(store_ack_query *q)
{
	memset(q, 0, sizeof *q);
	q->type = -1;
}

/* The FROM and WHERE of a unit's unacknowledged notices (shared by the page and its count). */
static void build_pending_where(sql_builder *b, const store_ack_query *q)
{
	sb_add(b, " FROM pending_acks a JOIN episode_projection e ON e.episode_id = a.episode_id "
		  "WHERE a.acked_at IS NULL AND e.status <> 'cancelled' AND a.unit_id IN (");
	if (q->n_units == 0)
		sb_add(b, "NULL");
	for (size_t i = 0; i < q->n_units; i++) {
		if (i)
			sb_add(b, ", ");
		sb_param(b, true, q->units[i], 0);
	}
	sb_add(b, ")");
	if (q->type >= 0) {
		sb_add(b, " AND a.type = ");
		sb_param(b, true, event_type_code((event_type)q->type), 0);
	}
}

hg_status store_pending_acks(store *s, const store_ack_query *q, store_pending_ack **rows, size_t *n, size_t *total)
{
	if (s->pg) return pgs_pending_acks(s->pg, q, rows, n, total);
	readmodel *rm = read_model_current(s);
	if (rm) {
		bool answered = false;
		hg_status rrc = readmodel_pending(rm, q, rows, n, total, &answered);
		if (rrc != HG_OK || answered)
			return rrc;
	}
	sql_builder *b = hg_calloc(1, sizeof *b), *c = hg_calloc(1, sizeof *c);
	hg_status rc;
	char tail[96];
	int limit = q->limit <= 0 ? 50 : q->limit > 500 ? 500 : q->limit;
	*rows = NULL;
	*n = 0;
	if (total)
		*total = 0;
	if (!b || !c) {
		hg_free(b);
		hg_free(c);
		return HG_ENOMEM;
	}
	sb_add(b, "SELECT a.episode_id, a.seq, a.unit_id, a.type, a.sent_at, e.patient_name, e.pnr, e.ward");
	build_pending_where(b, q);
	snprintf(tail, sizeof tail, " ORDER BY a.sent_at DESC, a.episode_id DESC, a.seq DESC, a.unit_id LIMIT %d OFFSET %d",
		 limit, q->offset < 0 ? 0 : q->offset);
	sb_add(b, tail);
	sb_add(c, "SELECT COUNT(*)");
	build_pending_where(c, q);
	if (b->overflow || c->overflow) {
		hg_free(b);
		hg_free(c);
		return HG_ERANGE;
	}
	rc = page_and_count(s, b, c, sizeof **rows, read_pending, (void **)rows, n, total);
	hg_free(b);
	hg_free(c);
	return rc;
}

/* ---- the read model (readmodel.h) ---- */

#define RM_WINDOW_DAYS 31  /* discharged episodes held: the last month's (the worklist shows a week's) */
#define RM_LOOK_MS 1000    /* how often events are looked at for appends of other processes */

/* The read model's entry of a folded episode: what project() writes, as the reads return it.
 * *notices hg_malloc'ed (NULL when none). */
static hg_status rm_entry_from_state(const episode_state *st, hg_instant now, store_episode_row *r,
				     char (*parties)[HG_ID_MAX], readmodel_notice **notices, readmodel_entry *e)
{
	deadline dl[DEADLINE_KIND_COUNT];
	hg_status rc = deadline_in_force(st, now, dl);
	size_t n_parties = 0, n = 0, cap = 0;
	readmodel_notice *all = NULL;
	uint8_t *acked = NULL;
	*notices = NULL;
	if (rc != HG_OK)
		return rc;
	memset(r, 0, sizeof *r);
	r->id = st->id;
	r->status = st->status;
	sq_copy_str(r->pnr, sizeof r->pnr, st->patient.personnummer);
	sq_copy_str(r->patient_name, sizeof r->patient_name, st->patient.name);
	sq_copy_str(r->municipality, sizeof r->municipality, st->patient.registered_municipality);
	sq_copy_str(r->primary_care_unit, sizeof r->primary_care_unit, st->patient.primary_care_unit);
	sq_copy_str(r->hospital, sizeof r->hospital, st->hospital);
	sq_copy_str(r->ward, sizeof r->ward, st->ward);
	r->care = st->care;
	r->admitted_at = st->admitted_at == HG_INSTANT_NONE ? 0 : st->admitted_at; /* as project() stores it */
	r->notice_at = st->notice_at;
	r->expected_date = st->expected_date;
	r->ready_at = st->ready_at;
	r->discharged_at = st->discharged_at;
	r->track_is_set = st->track_is_set;
	r->track = st->track_is_set ? st->track : 0;
	/* the three deadlines with columns, as project() writes them; the care plan's (LPT/LRV) is read from the fold */
	hg_instant *due[DEADLINE_SIP_CALL + 1] = {&r->notice_due, &r->care_contact_due, &r->sip_due};
	hg_instant *met[DEADLINE_SIP_CALL + 1] = {&r->notice_met, &r->care_contact_met, &r->sip_met};
	for (int k = 0; k <= DEADLINE_SIP_CALL; k++) {
		bool applies = dl[k].state != DEADLINE_NOT_APPLICABLE;
		*due[k] = applies ? dl[k].due_at : HG_INSTANT_NONE;
		*met[k] = applies ? dl[k].met_at : HG_INSTANT_NONE;
	}
	r->last_seq = st->last_seq;

	const char *wards[2] = {st->admitting_ward, st->ward};
	for (int i = 0; i < 2 + st->recipient_count && n_parties < SQ_PARTY_SLOTS_MAX; i++) {
		const char *unit = i < 2 ? wards[i] : st->recipients[i - 2].party.unit;
		bool dup = !unit[0];
		for (size_t k = 0; k < n_parties && !dup; k++)
			dup = strcmp(parties[k], unit) == 0;
		if (!dup)
			sq_copy_str(parties[n_parties++], HG_ID_MAX, unit);
	}
	/* The pending_acks rows (the first of a notice and unit wins, as INSERT OR IGNORE does), then
	 * those not acknowledged. */
	for (int i = 0; i < st->notice_count; i++) {
		const episode_notice *nt = &st->notices[i];
		for (int rr = 0; rr < st->recipient_count && rr < EPISODE_RECIPIENTS_MAX && rr < 32; rr++) {
			const char *unit = st->recipients[rr].party.unit;
			bool dup = false;
			if (!(nt->to & (1u << rr)))
				continue;
			for (size_t k = 0; k < n && !dup; k++)
				dup = all[k].seq == nt->seq && strcmp(all[k].unit, unit) == 0;
			if (dup)
				continue;
			if (n == cap) {
				size_t c = cap ? cap * 2 : 8;
				readmodel_notice *bigger = hg_realloc(all, c * sizeof *bigger);
				uint8_t *bigger_acked = bigger ? hg_realloc(acked, c) : NULL;
				if (bigger)
					all = bigger;
				if (!bigger_acked) {
					hg_free(all);
					hg_free(acked);
					return HG_ENOMEM;
				}
				acked = bigger_acked;
				cap = c;
			}
			all[n].seq = nt->seq;
			sq_copy_str(all[n].unit, sizeof all[n].unit, unit);
			all[n].type = nt->type;
			all[n].sent_at = nt->sent_at;
			acked[n++] = (nt->acked & (1u << rr)) != 0;
		}
	}
	size_t open = 0;
	for (size_t k = 0; k < n; k++)
		if (!acked[k])
			all[open++] = all[k];
	hg_free(acked);
	if (!open) {
		hg_free(all);
		all = NULL;
	}
	*notices = all;
	*e = (readmodel_entry){*r, (const char (*)[HG_ID_MAX])parties, n_parties, all, open};
	return HG_OK;
}

void sq_read_model_stage(store *s, const episode_state *st, hg_instant now, int64_t event_id)
{
	readmodel *rm = atomic_load(&s->rm);
	store_episode_row row;
	char parties[SQ_PARTY_SLOTS_MAX][HG_ID_MAX];
	readmodel_notice *notices = NULL;
	readmodel_entry e;
	if (!rm)
		return;
	if (rm_entry_from_state(st, now, &row, parties, &notices, &e) != HG_OK || readmodel_stage(rm, &e) != HG_OK)
		readmodel_break(rm); /* the batch commits without it: SQL answers from now on */
	hg_free(notices);
	if (event_id > s->rm_batch_event)
		s->rm_batch_event = event_id;
}

void sq_read_model_batch_end(store *s, bool ok)
{
	readmodel *rm = atomic_load(&s->rm);
	if (!rm)
		return;
	if (!ok) {
		readmodel_discard(rm);
	} else {
		if (readmodel_commit(rm) != HG_OK)
			readmodel_break(rm); /* (it already is: SQL answers from now on) */
		int64_t seen = atomic_load(&s->rm_seen_event);
		while (s->rm_batch_event > seen && !atomic_compare_exchange_weak(&s->rm_seen_event, &seen, s->rm_batch_event))
			;
	}
	s->rm_batch_event = 0;
}

void sq_read_model_use(store *s, bool on) { atomic_store(&s->rm_off, !on); }

void sq_read_model_look_every(store *s, int64_t ms) { atomic_store(&s->rm_look_ms, ms); }

bool store_read_model_info_get(store *s, store_read_model_info *out)
{
	if (s->pg) return pgs_read_model_info(s->pg, out);
	readmodel *rm = atomic_load(&s->rm);
	readmodel_stats st;
	memset(out, 0, sizeof *out);
	if (!rm)
		return false;
	readmodel_get_stats(rm, &st);
	*out = (store_read_model_info){st.episodes, st.listed, st.notices, st.bytes, st.answered};
	return true;
}

/* Adds the notice in columns col..col+3 of st (seq, unit_id, type, sent_at) to the growing array
 * *notices (*n of *cap, hg_realloc'ed). */
static hg_status rm_notice_add(sqlite3_stmt *st, int col, readmodel_notice **notices, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		readmodel_notice *bigger = hg_realloc(*notices, c * sizeof *bigger);
		if (!bigger)
			return HG_ENOMEM;
		*notices = bigger;
		*cap = c;
	}
	readmodel_notice *nt = &(*notices)[(*n)++];
	nt->seq = sqlite3_column_int(st, col);
	sq_col_str(st, col + 1, nt->unit, sizeof nt->unit);
	if (!event_type_from_code((const char *)sqlite3_column_text(st, col + 2), &nt->type))
		nt->type = EVENT_ADMISSION_NOTICE;
	nt->sent_at = sq_col_instant(st, col + 3);
	return HG_OK;
}

/* The parties of episode e->row.id into parties (SQ_PARTY_SLOTS_MAX), e->n_parties their count. */
static hg_status rm_read_parties(sqlite3_stmt *pq, readmodel_entry *e, char (*parties)[HG_ID_MAX])
{
	int step;
	e->n_parties = 0;
	sqlite3_reset(pq);
	sqlite3_bind_int64(pq, 1, e->row.id);
	while ((step = sqlite3_step(pq)) == SQLITE_ROW)
		if (e->n_parties < SQ_PARTY_SLOTS_MAX)
			sq_col_str(pq, 0, parties[e->n_parties++], HG_ID_MAX);
	return step == SQLITE_DONE ? HG_OK : HG_EIO;
}

/* Reads the rows selected by st (ROW_COLS, bound) with their parties and unacknowledged notices
 * into rm (taken with readmodel_refresh_begin); *count (may be NULL) counts them. */
static hg_status rm_read_rows(sqlite3 *db, sqlite3_stmt *st, readmodel *rm, size_t *count)
{
	sqlite3_stmt *pq = NULL, *aq = NULL;
	readmodel_notice *notices = NULL;
	size_t cap = 0;
	int step = SQLITE_DONE;
	hg_status rc = sq_prepare(db, "SELECT unit_id FROM episode_parties WHERE episode_id = ?1", &pq);
	if (rc == HG_OK)
		rc = sq_prepare(db, "SELECT seq, unit_id, type, sent_at FROM pending_acks WHERE episode_id = ?1 "
				    "AND acked_at IS NULL",
				&aq);
	while (rc == HG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		char parties[SQ_PARTY_SLOTS_MAX][HG_ID_MAX];
		readmodel_entry e = {.parties = (const char (*)[HG_ID_MAX])parties};
		read_episode_row(st, &e.row);
		if ((rc = rm_read_parties(pq, &e, parties)) != HG_OK)
			break;
		sqlite3_reset(aq);
		sqlite3_bind_int64(aq, 1, e.row.id);
		while (rc == HG_OK && (step = sqlite3_step(aq)) == SQLITE_ROW)
			rc = rm_notice_add(aq, 0, &notices, &e.n_notices, &cap);
		if (rc == HG_OK && step != SQLITE_DONE)
			rc = HG_EIO;
		e.notices = notices;
		if (rc == HG_OK)
			rc = readmodel_refresh_put(rm, &e);
		if (rc == HG_OK && count)
			(*count)++;
		step = SQLITE_DONE;
	}
	if (rc == HG_OK && step != SQLITE_DONE)
		rc = HG_EIO;
	sqlite3_finalize(pq);
	sqlite3_finalize(aq);
	hg_free(notices);
	return rc;
}

/* ---- the load at start: one thread reads the rows, the caller's thread puts them ---- */

/* Entries handed over at a time: few hand-overs, for each one wakes the other thread, and a woken
 * thread tends to be put on the waker's core (256 at a time: the two threads took turns on one
 * core, and the load took as long as on one thread). */
#define RM_LOAD_BATCH 4096

/* A party list of a listed entry. */
typedef char rm_parties[SQ_PARTY_SLOTS_MAX][HG_ID_MAX];

/* Entries read and not yet put; their notices in one array (e[i]'s from first_notice[i]), the
 * party lists of the listed ones in another (e[i]'s at parties[party_list[i]]). */
typedef struct rm_batch {
	readmodel_entry e[RM_LOAD_BATCH];
	size_t first_notice[RM_LOAD_BATCH], party_list[RM_LOAD_BATCH];
	readmodel_notice *notices; /* hg_realloc'ed */
	rm_parties *parties;       /* hg_realloc'ed */
	size_t n, n_notices, cap_notices, n_parties, cap_parties;
	bool full; /* handed over: the putting side's until it empties it */
} rm_batch;

typedef struct rm_loader {
	sqlite3 *db;
	hg_instant window;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	rm_batch *batch[2]; /* filled and emptied in turn */
	bool stop;          /* the putting side failed: the reader ends */
	bool done;          /* the reader handed over its last batch */
	hg_status rc;       /* the reader's */
} rm_loader;

/* The reader hands batch k over and waits until the other one is empty; false: stop. */
static bool rm_batch_hand_over(rm_loader *l, int *k)
{
	pthread_mutex_lock(&l->lock);
	l->batch[*k]->full = true;
	pthread_cond_broadcast(&l->cond);
	*k ^= 1;
	while (l->batch[*k]->full && !l->stop)
		pthread_cond_wait(&l->cond, &l->lock);
	bool go = !l->stop;
	pthread_mutex_unlock(&l->lock);
	return go;
}

/*
 * The reading thread: one pass over the projection in episode order, beside the notices waiting
 * for acknowledgement in the same order: an episode a list shows gets its list columns and
 * parties, one with notices waiting what the notice list shows.
 *
 * The notices are read from pending_acks itself, whose key is that order, and not through the
 * partial index pending_acks_waiting: that index does not hold acked_at, so SQLite (3.40) looks
 * every entry up again in the table (2.5 million B-tree seeks on a national database), where
 * the plain scan of the whole table, acknowledged rows and all, costs less than half of that.
 */
static void *rm_load_read(void *arg)
{
	rm_loader *l = arg;
	sqlite3 *db = l->db;
	sqlite3_stmt *ep = NULL, *nq = NULL, *pq = NULL, *full = NULL;
	int nstep = SQLITE_DONE, step = SQLITE_DONE, k = 0;
	/* the scan reads the few columns every held episode has; a listed one's row is read whole by key */
	hg_status rc = sq_prepare(db, "SELECT episode_id, status, discharged_at, patient_name, pnr, ward, last_seq "
				      "FROM episode_projection ORDER BY episode_id",
				  &ep);
	if (rc == HG_OK)
		rc = sq_prepare(db, "SELECT " ROW_COLS " FROM episode_projection e WHERE e.episode_id = ?1", &full);
	if (rc == HG_OK)
		rc = sq_prepare(db, "SELECT episode_id, seq, unit_id, type, sent_at FROM pending_acks NOT INDEXED "
				    "WHERE acked_at IS NULL ORDER BY episode_id, seq, unit_id",
				&nq);
	if (rc == HG_OK)
		rc = sq_prepare(db, "SELECT unit_id FROM episode_parties WHERE episode_id = ?1", &pq);
	if (rc == HG_OK)
		nstep = sqlite3_step(nq);
	while (rc == HG_OK && (step = sqlite3_step(ep)) == SQLITE_ROW) {
		rm_batch *b = l->batch[k];
		size_t first = b->n_notices, n_notices = 0;
		int64_t id = sqlite3_column_int64(ep, 0);
		/* notices of episodes without a projection row are not shown (the SQL joins): skipped */
		while (nstep == SQLITE_ROW && sqlite3_column_int64(nq, 0) < id)
			nstep = sqlite3_step(nq);
		while (rc == HG_OK && nstep == SQLITE_ROW && sqlite3_column_int64(nq, 0) == id) {
			rc = rm_notice_add(nq, 1, &b->notices, &b->n_notices, &b->cap_notices);
			nstep = sqlite3_step(nq);
		}
		if (rc == HG_OK && nstep != SQLITE_ROW && nstep != SQLITE_DONE)
			rc = HG_EIO;
		if (rc != HG_OK)
			break;
		n_notices = b->n_notices - first;
		/* most rows are old stays with nothing waiting: judged by two columns */
		const char *status = (const char *)sqlite3_column_text(ep, 1);
		hg_instant discharged = sq_col_instant(ep, 2);
		bool listed = status && (strcmp(status, "discharged") == 0
						 ? discharged == HG_INSTANT_NONE || discharged >= l->window
						 : strcmp(status, "admitted") == 0 || strcmp(status, "ready") == 0);
		if (!listed && !n_notices)
			continue;
		readmodel_entry *e = &b->e[b->n];
		*e = (readmodel_entry){.n_notices = n_notices};
		b->first_notice[b->n] = first;
		if (listed && b->n_parties == b->cap_parties) {
			size_t c = b->cap_parties ? b->cap_parties * 2 : 64;
			rm_parties *bigger = hg_realloc(b->parties, c * sizeof *bigger);
			if (!bigger) {
				rc = HG_ENOMEM;
				break;
			}
			b->parties = bigger;
			b->cap_parties = c;
		}
		if (listed) {
			sqlite3_reset(full);
			sqlite3_bind_int64(full, 1, id);
			if (sqlite3_step(full) != SQLITE_ROW) {
				rc = HG_EIO;
				break;
			}
			read_episode_row(full, &e->row);
			b->party_list[b->n] = b->n_parties;
			if ((rc = rm_read_parties(pq, e, b->parties[b->n_parties++])) != HG_OK)
				break;
		} else {
			/* what the notice list shows of it, and what says whether it is held */
			e->row.id = id;
			if (!episode_status_from_code(status, &e->row.status))
				e->row.status = EPISODE_EMPTY;
			e->row.discharged_at = discharged;
			sq_col_str(ep, 3, e->row.patient_name, sizeof e->row.patient_name);
			sq_col_str(ep, 4, e->row.pnr, sizeof e->row.pnr);
			sq_col_str(ep, 5, e->row.ward, sizeof e->row.ward);
			e->row.last_seq = sqlite3_column_int(ep, 6);
		}
		if (++b->n == RM_LOAD_BATCH && !rm_batch_hand_over(l, &k))
			break;
	}
	if (rc == HG_OK && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = HG_EIO;
	sqlite3_finalize(ep);
	sqlite3_finalize(nq);
	sqlite3_finalize(pq);
	sqlite3_finalize(full);
	pthread_mutex_lock(&l->lock);
	l->rc = rc;
	if (rc == HG_OK && l->batch[k]->n)
		l->batch[k]->full = true; /* the last, partly filled */
	l->done = true;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* Puts a batch's entries into rm and empties it. */
static hg_status rm_batch_put(readmodel *rm, rm_batch *b)
{
	hg_status rc = HG_OK;
	for (size_t i = 0; i < b->n && rc == HG_OK; i++) {
		b->e[i].notices = b->e[i].n_notices ? b->notices + b->first_notice[i] : NULL;
		b->e[i].parties = b->e[i].n_parties ? (const char (*)[HG_ID_MAX])b->parties[b->party_list[i]] : NULL;
		rc = readmodel_refresh_put(rm, &b->e[i]);
	}
	b->n = b->n_notices = b->n_parties = 0;
	return rc;
}

/*
 * The whole read model: a thread of its own reads the rows (rm_load_read: SQLite, and the page
 * reads behind it) while this one puts them, a batch at a time, as one load (readmodel_load_begin:
 * nobody else sees rm yet). Reads only.
 */
static hg_status rm_load_all(sqlite3 *db, readmodel *rm)
{
	rm_loader l = {.db = db, .window = readmodel_window_from(rm)};
	pthread_t reader;
	hg_status rc = HG_OK;
	for (int i = 0; i < 2; i++)
		if (!(l.batch[i] = hg_calloc(1, sizeof *l.batch[i])))
			rc = HG_ENOMEM;
	if (rc == HG_OK) {
		pthread_mutex_init(&l.lock, NULL);
		pthread_cond_init(&l.cond, NULL);
		if (pthread_create(&reader, NULL, rm_load_read, &l) != 0)
			rc = HG_ENOMEM;
		readmodel_load_begin(rm);
		for (int k = 0; rc == HG_OK;) {
			pthread_mutex_lock(&l.lock);
			while (!l.batch[k]->full && !l.done)
				pthread_cond_wait(&l.cond, &l.lock);
			bool got = l.batch[k]->full;
			pthread_mutex_unlock(&l.lock);
			if (!got)
				break; /* the reader is done */
			rc = rm_batch_put(rm, l.batch[k]);
			pthread_mutex_lock(&l.lock);
			l.batch[k]->full = false;
			l.stop = rc != HG_OK;
			pthread_cond_broadcast(&l.cond);
			pthread_mutex_unlock(&l.lock);
			k ^= 1;
		}
		hg_status end = readmodel_load_end(rm);
		if (rc == HG_OK || l.stop)
			(void)pthread_join(reader, NULL);
		if (rc == HG_OK)
			rc = l.rc;
		if (rc == HG_OK)
			rc = end;
		pthread_cond_destroy(&l.cond);
		pthread_mutex_destroy(&l.lock);
	}
	for (int i = 0; i < 2; i++)
		if (l.batch[i]) {
			hg_free(l.batch[i]->notices);
			hg_free(l.batch[i]->parties);
			hg_free(l.batch[i]);
		}
	return rc;
}

/* The first instant of the window of discharged episodes held: local midnight RM_WINDOW_DAYS ago. */
static hg_instant rm_window_start(void) { return cal_local_midnight(cal_local_date(time(NULL)) - RM_WINDOW_DAYS); }

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The highest event id in the database (0 when none). */
static hg_status max_event_id(sqlite3 *db, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	hg_status rc = sq_prepare(db, "SELECT COALESCE(MAX(id), 0) FROM events", &st);
	if (rc == HG_OK)
		rc = sqlite3_step(st) == SQLITE_ROW ? HG_OK : HG_EIO;
	if (rc == HG_OK)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Brings in the episodes that events beyond the read model's last seen id touched: appends of
 * other processes (ours arrive through the writer, and a second look at them changes nothing).
 * At most once a second, by one thread; the others go on with what is held.
 */
static void read_model_look(store *s, readmodel *rm)
{
	int64_t now = monotonic_ms(), last = atomic_load(&s->rm_checked_ms), every = atomic_load(&s->rm_look_ms);
	if (now - last < (every ? every : RM_LOOK_MS) || pthread_mutex_trylock(&s->rm_sync_lock) != 0)
		return;
	if (atomic_load(&s->rm_checked_ms) != last) {
		pthread_mutex_unlock(&s->rm_sync_lock);
		return;
	}
	/* the window of discharged episodes moves on with the days (memory stays bounded) */
	readmodel_advance_window(rm, rm_window_start());
	sqlite3 *db = sq_conn_get(s);
	sqlite3_stmt *st = NULL;
	int64_t max = 0, seen = atomic_load(&s->rm_seen_event);
	size_t changed = 0;
	hg_status rc = sq_exec(db, "BEGIN");
	if (rc == HG_OK)
		rc = max_event_id(db, &max);
	if (rc == HG_OK && max > seen) {
		rc = sq_prepare(db, "SELECT " ROW_COLS " FROM episode_projection e WHERE e.episode_id IN "
				    "(SELECT episode_id FROM events WHERE id > ?1)",
				&st);
		if (rc == HG_OK) {
			sqlite3_bind_int64(st, 1, seen);
			/* the writer's commits wait meanwhile: none is overtaken by an older row read here */
			readmodel_refresh_begin(rm);
			rc = rm_read_rows(db, st, rm, &changed);
			readmodel_refresh_end(rm);
		}
		sqlite3_finalize(st);
	}
	sq_exec_quiet(db, "COMMIT");
	sq_conn_put(s, db);
	if (rc == HG_OK && max > seen) {
		while (max > seen && !atomic_compare_exchange_weak(&s->rm_seen_event, &seen, max))
			;
		if (changed)
			atomic_fetch_add(&s->version_epoch, 1); /* whose lists changed is not known here: all */
	}
	atomic_store(&s->rm_checked_ms, now);
	pthread_mutex_unlock(&s->rm_sync_lock);
}

/* The read model to answer from, current within RM_LOOK_MS; NULL: ask SQL. */
static readmodel *read_model_current(store *s)
{
	readmodel *rm = atomic_load(&s->rm);
	if (!rm || atomic_load(&s->rm_off))
		return NULL;
	read_model_look(s, rm);
	return rm;
}

/* store_episode_fold's folds: least recently used goes first; each is good while the read model
 * holds its episode at the same last seq. */
#define SQ_READ_FOLDS_MAX 256
typedef struct sq_read_folds {
	pthread_mutex_t lock;
	uint64_t clock;
	struct {
		int64_t id; /* 0: empty */
		uint64_t used;
		episode_state *st; /* hg_malloc'ed */
	} e[SQ_READ_FOLDS_MAX];
} sq_read_folds;

static void read_folds_free(sq_read_folds *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < SQ_READ_FOLDS_MAX; i++)
		hg_free(f->e[i].st);
	pthread_mutex_destroy(&f->lock);
	hg_free(f);
}

static bool read_folds_get(sq_read_folds *f, int64_t id, int32_t last_seq, episode_state *st)
{
	bool hit = false;
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < SQ_READ_FOLDS_MAX && !hit; i++)
		if (f->e[i].id == id && f->e[i].st->last_seq == last_seq) {
			*st = *f->e[i].st;
			f->e[i].used = ++f->clock;
			hit = true;
		}
	pthread_mutex_unlock(&f->lock);
	return hit;
}

static void read_folds_put(sq_read_folds *f, const episode_state *st)
{
	size_t slot = 0;
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < SQ_READ_FOLDS_MAX; i++) {
		if (f->e[i].id == st->id) {
			slot = i;
			break;
		}
		if (f->e[i].used < f->e[slot].used)
			slot = i; /* an empty one (used 0) or the least recently used */
	}
	if (f->e[slot].st || (f->e[slot].st = hg_malloc(sizeof *st))) {
		*f->e[slot].st = *st;
		f->e[slot].id = st->id;
		f->e[slot].used = ++f->clock;
	}
	pthread_mutex_unlock(&f->lock);
}

hg_status store_episode_fold(store *s, int64_t episode_id, episode_state *st)
{
	if (s->pg) return pgs_episode_load(s->pg, episode_id, st, NULL, NULL);
	readmodel *rm = read_model_current(s);
	int32_t last = 0;
	bool held = rm && s->read_folds && readmodel_last_seq(rm, episode_id, &last);
	if (held && read_folds_get(s->read_folds, episode_id, last, st))
		return HG_OK;
	hg_status rc = store_episode_load(s, episode_id, st, NULL, NULL);
	if (rc == HG_OK && held && st->last_seq == last)
		read_folds_put(s->read_folds, st);
	return rc;
}

hg_status store_read_model_load(store *s)
{
	if (s->pg) return pgs_read_model_load(s->pg);
	if (atomic_load(&s->rm))
		return HG_OK;
	readmodel *rm = NULL;
	hg_status rc = readmodel_create(rm_window_start(), &rm);
	if (rc != HG_OK)
		return rc;
	sqlite3 *db = sq_conn_get(s);
	int64_t max = 0;
	rc = sq_exec(db, "BEGIN"); /* one snapshot: the rows and the last event id they reflect */
	if (rc == HG_OK)
		rc = max_event_id(db, &max);
	if (rc == HG_OK)
		rc = rm_load_all(db, rm);
	sq_exec_quiet(db, "COMMIT");
	readmodel_trim(rm);
	sq_conn_put(s, db);
	if (rc != HG_OK) {
		readmodel_free(rm);
		return rc == HG_EIO ? sq_fail_io(s) : rc;
	}
	if ((s->read_folds = hg_calloc(1, sizeof *s->read_folds)))
		pthread_mutex_init(&s->read_folds->lock, NULL);
	atomic_store(&s->rm_seen_event, max);
	atomic_store(&s->rm_checked_ms, monotonic_ms());
	atomic_store(&s->rm, rm);
	return HG_OK;
}

/* ---- audit ---- */

static hg_status read_audit(sq_q *q, void *p)
{
	store_audit *a = p;
	memset(a, 0, sizeof *a);
	a->id = sq_q_col_int64(q, 0);
	a->at = sq_q_col_int64(q, 1);
	sq_q_col_str(q, 2, a->username, sizeof a->username);
	sq_q_col_str(q, 3, a->unit, sizeof a->unit);
	sq_q_col_str(q, 4, a->action, sizeof a->action);
	a->episode_id = sq_q_col_int64(q, 5);
	sq_q_col_str(q, 6, a->reason, sizeof a->reason);
	sq_q_col_str(q, 7, a->client, sizeof a->client);
	return HG_OK;
}

/* Collects q's audit rows; HG_ENOMEM or HG_EIO as the store has always answered. */
static hg_status collect_audit(sq_q *q, store_audit **rows, size_t *n)
{
	hg_status rc = sq_q_collect(q, sizeof **rows, read_audit, (void **)rows, n);
	return rc == HG_OK || rc == HG_ENOMEM ? rc : HG_EIO;
}

hg_status store_audit_list(store *s, const store_audit_filter *f, store_audit **rows, size_t *n)
{
	if (s->pg) return pgs_audit_list(s->pg, f, rows, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
#define AUDIT_SELECT                                                                                                    \
	"SELECT id, at, username, unit_id, action, episode_id, reason, client FROM audit_log "                          \
	"WHERE (?1 = 0 OR episode_id = ?1) AND (?2 IS NULL OR username = ?2) AND (?3 IS NULL OR at >= ?3) "             \
	"AND (?5 IS NULL OR username IN (SELECT username FROM users WHERE org = ?5)) "
	sq_q_prepare(&q, db, f->newest_first ? AUDIT_SELECT "ORDER BY id DESC LIMIT ?4" : AUDIT_SELECT "ORDER BY id LIMIT ?4");
#undef AUDIT_SELECT
	sq_q_bind_int64(&q, 1, f->episode_id);
	sq_q_bind_text(&q, 2, f->username);
	sq_q_bind_instant(&q, 3, f->since);
	sq_q_bind_int64(&q, 4, f->limit > 0 ? f->limit : -1);
	sq_q_bind_text(&q, 5, f->org);
	hg_status rc = collect_audit(&q, rows, n);
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

hg_status store_audit_patient(store *s, const char *pnr, store_audit **rows, size_t *n)
{
	if (s->pg)
		return pgs_audit_patient(s->pg, pnr, rows, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(
		&q, db,
		"WITH eps AS (SELECT episode_id FROM episode_projection WHERE pnr = ?1) "
		"SELECT id, at, username, unit_id, action, episode_id, reason, client FROM audit_log "
		"WHERE episode_id IN (SELECT episode_id FROM eps) "
		"UNION SELECT a.id, a.at, a.username, a.unit_id, a.action, p.episode_id, a.reason, a.client "
		"FROM audit_patients p JOIN audit_log a ON a.id = p.audit_id WHERE p.episode_id IN (SELECT episode_id FROM eps) "
		"UNION SELECT a.id, a.at, a.username, a.unit_id, a.action, m.episode_id, a.reason, a.client "
		"FROM audit_patient_set_members m JOIN audit_set_links l ON l.set_id = m.set_id "
		"JOIN audit_log a ON a.id = l.audit_id WHERE m.episode_id IN (SELECT episode_id FROM eps) "
		"ORDER BY 1, 6");
	sq_q_bind_text(&q, 1, pnr);
	hg_status rc = collect_audit(&q, rows, n);
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

/* ---- maintenance ---- */

hg_status store_rebuild(store *s, size_t *episodes)
{
	if (s->pg) return pgs_rebuild(s->pg, episodes);
	sqlite3 *db = sq_conn_get(s);
	sq_q ids = {0};
	episode_state *st = hg_malloc(sizeof *st);
	hg_status rc = st ? sq_exec(db, "BEGIN IMMEDIATE") : HG_ENOMEM;
	*episodes = 0;
	if (rc != HG_OK)
		goto out;
	rc = sq_exec(db, "DELETE FROM pending_acks; DELETE FROM episode_parties; DELETE FROM episode_projection;");
	if (rc == HG_OK)
		rc = sq_facts_rebuild_begin(db);
	if (rc == HG_OK)
		sq_q_prepare(&ids, db, "SELECT id, created_at FROM episodes ORDER BY id");
	while (rc == HG_OK && sq_q_step(&ids)) {
		int64_t id = sq_q_col_int64(&ids, 0);
		event *evs = NULL;
		size_t n = 0;
		event_error err;
		rc = read_events(NULL, db, id, &evs, &n);
		if (rc == HG_OK && n == 0) {
			hg_free(evs);
			continue;
		}
		if (rc == HG_OK && episode_fold(evs, n, st, &err) != HG_OK)
			rc = HG_EINTERNAL;
		if (rc == HG_OK) {
			st->id = id;
			/* "now" for a rebuilt row is the time of its last event, so a rebuild is deterministic. */
			rc = project(NULL, db, st, evs[n - 1].recorded_at);
			if (rc == HG_OK)
				rc = sq_facts_put(NULL, db, st, evs, n, NULL);
		}
		hg_free(evs);
		(*episodes)++;
	}
	hg_status sql = sql_io(sq_q_finish(&ids));
	if (rc == HG_OK)
		rc = sql;
	if (rc == HG_OK)
		rc = sq_facts_rebuild_end(db);
	rc = rc == HG_OK ? sq_exec(db, "COMMIT") : rc;
	if (rc != HG_OK)
		sq_exec_quiet(db, "ROLLBACK");
	atomic_store(&s->rm_seen_event, 0); /* the read model's next look takes every episode again */
	atomic_store(&s->rm_checked_ms, 0);
	atomic_fetch_add(&s->version_epoch, 1);
out:
	hg_free(st);
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

hg_status store_projection_dump(store *s, char **text)
{
	if (s->pg) return pgs_projection_dump(s->pg, text);
	static const char *const queries[] = {
		"SELECT * FROM episode_projection ORDER BY episode_id",
		"SELECT * FROM episode_parties ORDER BY episode_id, unit_id",
		"SELECT * FROM pending_acks ORDER BY episode_id, seq, unit_id",
	};
	sqlite3 *db = sq_conn_get(s);
	size_t cap = 4096, len = 0;
	char *buf = hg_malloc(cap);
	hg_status rc = buf ? HG_OK : HG_ENOMEM;
	for (size_t qi = 0; rc == HG_OK && qi < sizeof queries / sizeof queries[0]; qi++) {
		sqlite3_stmt *st = NULL;
		rc = sq_prepare(db, queries[qi], &st);
		while (rc == HG_OK && sqlite3_step(st) == SQLITE_ROW) {
			int cols = sqlite3_column_count(st);
			for (int c = 0; c < cols && rc == HG_OK; c++) {
				const char *v = (const char *)sqlite3_column_text(st, c);
				/* updated_at is bookkeeping, not state: leave it out of the comparison. */
				if (strcmp(sqlite3_column_name(st, c), "updated_at") == 0)
					v = "-";
				size_t need = strlen(v ? v : "NULL") + 2;
				if (len + need + 1 > cap) {
					char *bigger = hg_realloc(buf, (cap + need) * 2);
					if (!bigger) {
						rc = HG_ENOMEM;
						break;
					}
					buf = bigger;
					cap = (cap + need) * 2;
				}
				len += (size_t)snprintf(buf + len, cap - len, "%s%c", v ? v : "NULL", c + 1 < cols ? '|' : '\n');
			}
		}
		sqlite3_finalize(st);
	}
	sq_conn_put(s, db);
	if (rc != HG_OK) {
		hg_free(buf);
		return rc;
	}
	buf[len] = '\0';
	*text = buf;
	return HG_OK;
}

hg_status store_setting_get(store *s, const char *key, char *value, size_t cap)
{
	if (s->pg) return pgs_setting_get(s->pg, key, value, cap);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db, "SELECT value FROM settings WHERE key = ?1");
	sq_q_bind_text(&q, 1, key);
	bool found = sq_q_step(&q);
	if (found)
		sq_q_col_str(&q, 0, value, cap);
	hg_status rc = sql_io(sq_q_finish(&q));
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : found ? HG_OK : HG_ENOTFOUND;
}

hg_status store_setting_put(store *s, const char *key, const char *value)
{
	if (s->pg) return pgs_setting_put(s->pg, key, value);
	return sq_write1(s, "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2", NULL,
			 "tt", key, value);
}

void store_get_stats(store *s, store_stats *out)
{
	if (s->pg) { pgs_get_stats(s->pg, out); return; }
	out->events_appended = atomic_load(&s->appended);
	out->appends_replayed = atomic_load(&s->replayed);
	out->appends_rejected = atomic_load(&s->rejected);
	out->errors = atomic_load(&s->errors);
}

hg_status store_set_durability(store *s, bool full)
{
	if (s->pg) return pgs_set_durability(s->pg, full);
	sqlite3 *held[POOL_SIZE];
	hg_status rc = HG_OK;
	/* Take every connection so that none is in use while its mode changes. */
	for (int i = 0; i < POOL_SIZE; i++)
		held[i] = sq_conn_get(s);
	for (int i = 0; i < POOL_SIZE && rc == HG_OK; i++)
		rc = sq_exec(held[i], full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
	for (int i = 0; i < POOL_SIZE; i++)
		sq_conn_put(s, held[i]);
	if (rc == HG_OK)
		rc = sq_writer_sync_mode(s, full);
	return rc;
}
