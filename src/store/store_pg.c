/*
 * store_pg.c - the PostgreSQL implementation of the storage port (store.h),
 * for regions that run several hemgang servers on one database.
 *
 * The rules are those of store_sqlite.c, statement for statement: an append
 * runs in one transaction (idempotency check, the one-open-episode rule, the
 * episode's events replayed through the core, insert, projections, COMMIT)
 * and is answered only after COMMIT returned. What SQLite gets from its single
 * writer, PostgreSQL gets from locks that hold across servers:
 *   - the episode row is locked (SELECT ... FOR UPDATE): appends to one
 *     episode are serialised, appends to different episodes run in parallel;
 *   - an idempotency key (per author) and an admission's personnummer are
 *     transaction advisory locks, taken in that order before the episode row,
 *     so two servers never both write one key or open two stays of a patient.
 * Each committed append NOTIFYs channel `hemgang_events` with the episode id,
 * so every server's read model can learn of the others' commits.
 *
 * Statements go through one small wrapper in the manner of Fossil's db.c:
 * pgx_query() takes the SQL and typed parameters, prepares each statement text
 * once per connection (a cache per connection), and maps every failure to one
 * hg_status: SQLSTATE 23505 HG_ECONFLICT, 23503 HG_ENOTFOUND, the rest
 * (connection lost, server shut down) HG_EIO. A connection found broken is
 * reset when it is next taken from the pool, so the store reconnects by
 * itself after a database restart.
 */
#include "store/store_pg.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/deadline.h"
#include "wire/event_json.h"
#include "store/migrations.h"
#include "store/readmodel.h"
#include "store/store_int.h"
#include "store/pg_int.h"

#define PG_POOL_SIZE 8
#define PG_NOTIFY_CHANNEL "hemgang_events"
/* Advisory lock classes (the first key of pg_advisory_xact_lock(int, int)). */
#define PG_LOCK_IDEMPOTENCY 0x68670001
#define PG_LOCK_PATIENT 0x68670002
#define PG_LOCK_MIGRATE 0x68670003
/* The read model: discharged episodes held for as long as on SQLite (store_sqlite.c's RM_WINDOW_DAYS), the
 * window moved on this often, and the episodes of one batch of notifications read at once. */
#define PG_RM_WINDOW_DAYS 31
#define PG_RM_ADVANCE_S   60
#define PG_RM_BATCH_MAX   4096
#define PG_RM_OWN_GRACE_S 5 /* after a load: this server's own notifications read again too */

struct pg_store {
	char *uri;
	pthread_mutex_t lock;
	pthread_cond_t free_cond;
	pg_conn conns[PG_POOL_SIZE];
	bool busy[PG_POOL_SIZE];
	bool async_commit; /* store_set_durability(false) */
	int schema_version;
	atomic_uint_fast64_t appended, replayed, rejected, errors;
	atomic_uint_fast64_t version; /* pgs_units_version: moves with every commit seen, here or elsewhere */
	/* the listener (started by pgs_read_model_load, for a server): one connection that LISTENs on
	 * PG_NOTIFY_CHANNEL, so this server's read model and caches learn of the appends every server commits */
	pthread_t listener;
	bool listening;
	atomic_bool stop;
	/* the read model (readmodel.h): the listener loads it after its LISTEN and keeps it current; each
	 * append of this server puts its episode after COMMIT */
	pthread_rwlock_t rm_lock; /* read: a use of rm; write: rm replaced */
	readmodel *rm;            /* NULL until loaded */
	atomic_bool rm_current;   /* rm may answer: false until loaded, and while a lost listener reloads it */
	atomic_bool rm_reload;    /* an update failed: the listener loads it again */
	pthread_mutex_t rm_wait_lock;
	pthread_cond_t rm_wait_cond;
	int rm_first; /* under rm_wait_lock: 0 while the first load runs, 1 loaded, -1 failed */
	atomic_int backend_pid[PG_POOL_SIZE]; /* of each pooled connection: the notifications of its commits */
};

/* ---- the statement wrapper ---- */

void pgp_text(pg_params *p, const char *s)
{
	if (p->n >= PG_PARAMS_MAX) {
		p->overflow = true;
		return;
	}
	p->values[p->n] = s;
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

void pgp_int(pg_params *p, int64_t v)
{
	if (p->n >= PG_PARAMS_MAX) {
		p->overflow = true;
		return;
	}
	snprintf(p->num[p->n], sizeof p->num[p->n], "%" PRId64, v);
	pgp_text(p, p->num[p->n]);
}

void pgp_bytes(pg_params *p, const uint8_t *b, int len)
{
	if (p->n >= PG_PARAMS_MAX) {
		p->overflow = true;
		return;
	}
	p->values[p->n] = (const char *)b;
	p->lengths[p->n] = b ? len : 0;
	p->formats[p->n] = b ? 1 : 0;
	p->n++;
}

static void pgc_forget_statements(pg_conn *c)
{
	for (int i = 0; i < c->n_stmts; i++)
		hg_free(c->stmts[i].sql);
	c->n_stmts = 0;
}

/* The one mapping of a failed result to hg_status. */
static hg_status pgx_status(pg_store *p, pg_conn *c, PGresult *r)
{
	ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK)
		return HG_OK;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (state && strcmp(state, "23505") == 0)
		return HG_ECONFLICT;
	if (state && strcmp(state, "23503") == 0)
		return HG_ENOTFOUND;
	/* Only the SQLSTATE and the primary message: a DETAIL could quote patient data. */
	fprintf(stderr, "store_pg: %s %s", state ? state : "(no SQLSTATE)",
		r && PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
								  : PQerrorMessage(c->c));
	if (r && PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY))
		fputc('\n', stderr);
	atomic_fetch_add(&p->errors, 1);
	return HG_EIO;
}

hg_status pgx_result_status(pg_store *p, pg_conn *c, PGresult *r)
{
	return pgx_status(p, c, r);
}

/*
 * Runs sql with the parameters prm on c. The statement text is prepared once per
 * connection and cached (SQL built at run time is cached too, up to PG_STMT_CACHE
 * texts, then run unprepared). *res (may be NULL) gets the result, which the
 * caller PQclear()s; on failure *res is NULL.
 */
static hg_status pgc_connect(pg_store *p, pg_conn *c);

static hg_status pgx_run_once(pg_store *p, pg_conn *c, PGresult **res, const char *sql, const pg_params *prm)
{
	PGresult *r = NULL;
	hg_status rc;
	int k = -1;
	if (res)
		*res = NULL;
	if (prm->overflow)
		return HG_ERANGE;
	if (PQstatus(c->c) != CONNECTION_OK) {
		atomic_fetch_add(&p->errors, 1);
		return HG_EIO;
	}
	for (int i = 0; i < c->n_stmts; i++) {
		if (strcmp(c->stmts[i].sql, sql) == 0) {
			k = i;
			break;
		}
	}
	if (k < 0 && c->n_stmts < PG_STMT_CACHE) {
		pg_stmt *s = &c->stmts[c->n_stmts];
		size_t len = strlen(sql) + 1;
		s->sql = hg_malloc(len);
		if (s->sql) { /* out of memory: run it unprepared */
			memcpy(s->sql, sql, len);
			snprintf(s->name, sizeof s->name, "hg%d", c->n_stmts);
			r = PQprepare(c->c, s->name, sql, prm->n, NULL);
			rc = pgx_status(p, c, r);
			PQclear(r);
			if (rc != HG_OK) {
				hg_free(s->sql);
				return rc;
			}
			k = c->n_stmts++;
		}
	}
	if (k >= 0)
		r = PQexecPrepared(c->c, c->stmts[k].name, prm->n, prm->values, prm->lengths, prm->formats, 0);
	else
		r = PQexecParams(c->c, sql, prm->n, NULL, prm->values, prm->lengths, prm->formats, 0);
	rc = pgx_status(p, c, r);
	if (rc != HG_OK || !res)
		PQclear(r);
	else
		*res = r;
	return rc;
}

/*
 * A connection that the server dropped (a restart, a failover) is found out by the
 * first statement sent on it. When that statement was not inside a transaction,
 * nothing of the caller's work is lost with the connection: reconnect once and run
 * it again. Inside a transaction the caller gets HG_EIO and rolls back as usual.
 */
static bool pgx_reconnected(pg_store *p, pg_conn *c, bool was_idle)
{
	if (!was_idle || PQstatus(c->c) == CONNECTION_OK)
		return false;
	return pgc_connect(p, c) == HG_OK;
}

hg_status pgx_run(pg_store *p, pg_conn *c, PGresult **res, const char *sql, const pg_params *prm)
{
	bool idle = PQstatus(c->c) == CONNECTION_OK && PQtransactionStatus(c->c) == PQTRANS_IDLE;
	hg_status rc = pgx_run_once(p, c, res, sql, prm);
	if (rc == HG_EIO && pgx_reconnected(p, c, idle))
		rc = pgx_run_once(p, c, res, sql, prm);
	return rc;
}

/*
 * Binds parameters $1, $2, ... from `types`, one letter each: 't' text (const char *,
 * NULL binds NULL), 'i' int64_t, 'I' int64_t where 0 binds NULL (an optional id or
 * limit), 'T' hg_instant (HG_INSTANT_NONE binds NULL), 'h' a token hash (const
 * uint8_t *, STORE_TOKEN_HASH_SIZE bytes), 'H' a request hash (const uint8_t *,
 * STORE_REQUEST_HASH_SIZE bytes; NULL binds NULL), 'b' bytes of a given length (const
 * uint8_t *, then int).
 */
static void pgp_bind(pg_params *prm, const char *types, va_list ap)
{
	for (int i = 0; types[i]; i++) {
		switch (types[i]) {
		case 't': pgp_text(prm, va_arg(ap, const char *)); break;
		case 'i': pgp_int(prm, va_arg(ap, int64_t)); break;
		case 'I': {
			int64_t v = va_arg(ap, int64_t);
			if (v == 0)
				pgp_text(prm, NULL);
			else
				pgp_int(prm, v);
			break;
		}
		case 'T': {
			hg_instant t = va_arg(ap, hg_instant);
			if (t == HG_INSTANT_NONE)
				pgp_text(prm, NULL);
			else
				pgp_int(prm, t);
			break;
		}
		case 'h': pgp_bytes(prm, va_arg(ap, const uint8_t *), STORE_TOKEN_HASH_SIZE); break;
		case 'H': pgp_bytes(prm, va_arg(ap, const uint8_t *), STORE_REQUEST_HASH_SIZE); break;
		case 'b': {
			const uint8_t *b = va_arg(ap, const uint8_t *);
			pgp_bytes(prm, b, va_arg(ap, int));
			break;
		}
		default: prm->overflow = true; /* NEVER: a caller's type string is wrong */
		}
	}
}

/* Runs sql on c with parameters bound by pgp_bind(types, ...); *res as for pgx_run. */
hg_status pgx_query(pg_store *p, pg_conn *c, PGresult **res, const char *sql, const char *types, ...)
{
	pg_params prm = {0};
	va_list ap;
	va_start(ap, types);
	pgp_bind(&prm, types, ap);
	va_end(ap);
	return pgx_run(p, c, res, sql, &prm);
}

/* Runs SQL without parameters or results (BEGIN, COMMIT, ...). */
static hg_status pgx_exec_once(pg_store *p, pg_conn *c, const char *sql)
{
	if (PQstatus(c->c) != CONNECTION_OK) {
		atomic_fetch_add(&p->errors, 1);
		return HG_EIO;
	}
	PGresult *r = PQexec(c->c, sql);
	hg_status rc = pgx_status(p, c, r);
	PQclear(r);
	return rc;
}

hg_status pgx_exec(pg_store *p, pg_conn *c, const char *sql)
{
	bool idle = PQstatus(c->c) == CONNECTION_OK && PQtransactionStatus(c->c) == PQTRANS_IDLE;
	hg_status rc = pgx_exec_once(p, c, sql);
	if (rc == HG_EIO && pgx_reconnected(p, c, idle))
		rc = pgx_exec_once(p, c, sql);
	return rc;
}

/* ROLLBACK where a failure needs no handling (the connection may be gone). */
void pgx_rollback(pg_conn *c)
{
	if (PQstatus(c->c) == CONNECTION_OK && PQtransactionStatus(c->c) != PQTRANS_IDLE)
		PQclear(PQexec(c->c, "ROLLBACK"));
}

void pgr_str(PGresult *r, int row, int col, char *dst, size_t cap)
{
	const char *v = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
	size_t n = strlen(v);
	if (!cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

int64_t pgr_int(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

hg_instant pgr_instant(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? HG_INSTANT_NONE : pgr_int(r, row, col);
}

/* The column as text, or NULL when it is NULL (the value lives as long as r). */
const char *pgr_text(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

uint8_t *pgr_bytes(PGresult *r, int row, int col, size_t *len)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
	uint8_t *out = raw ? hg_malloc(n ? n : 1) : NULL;
	if (out) {
		memcpy(out, raw, n);
		*len = n;
	}
	PQfreemem(raw);
	return out;
}

hg_status pg_fail_io(pg_store *p)
{
	atomic_fetch_add(&p->errors, 1);
	return HG_EIO;
}

void pg_touch(pg_store *p) { atomic_fetch_add(&p->version, 1); }

/* Copies every row of r into a new array of elem_size-byte elements via read_row. *out hg_malloc'ed. */
hg_status pgr_collect(PGresult *r, size_t elem_size, void (*read_row)(PGresult *, int, void *), void **out,
			     size_t *n)
{
	int rows = PQntuples(r);
	char *arr = hg_malloc((rows ? (size_t)rows : 1) * elem_size);
	if (!arr)
		return HG_ENOMEM;
	for (int i = 0; i < rows; i++)
		read_row(r, i, arr + (size_t)i * elem_size);
	*out = arr;
	*n = (size_t)rows;
	return HG_OK;
}

/* ---- the connection pool ---- */

static hg_status pgc_connect(pg_store *p, pg_conn *c)
{
	pgc_forget_statements(c);
	if (c->c)
		PQfinish(c->c);
	c->c = PQconnectdb(p->uri);
	if (PQstatus(c->c) != CONNECTION_OK)
		return HG_EIO;
	if (c >= p->conns && c < p->conns + PG_POOL_SIZE)
		atomic_store(&p->backend_pid[c - p->conns], PQbackendPID(c->c));
	/* Notices (e.g. "relation already exists, skipping") are not for the server log. */
	PQclear(PQexec(c->c, "SET client_min_messages = warning"));
	if (p->async_commit)
		PQclear(PQexec(c->c, "SET synchronous_commit = off"));
	return HG_OK;
}

/* Takes a connection as it is (blocks while all are busy). */
static pg_conn *pgc_take(pg_store *p)
{
	pg_conn *c = NULL;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		for (int i = 0; i < PG_POOL_SIZE; i++) {
			if (!p->busy[i]) {
				p->busy[i] = true;
				c = &p->conns[i];
				break;
			}
		}
		if (c)
			break;
		pthread_cond_wait(&p->free_cond, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return c;
}

/* Takes a connection (blocks while all are busy); one not yet made, or broken, is connected first. */
pg_conn *pgc_get(pg_store *p)
{
	pg_conn *c = pgc_take(p);
	if (!c->c || PQstatus(c->c) != CONNECTION_OK)
		(void)pgc_connect(p, c); /* on failure the statements fail with HG_EIO */
	return c;
}

void pgc_put(pg_store *p, pg_conn *c)
{
	pgx_rollback(c); /* NEVER needed: every path ends its transaction */
	pthread_mutex_lock(&p->lock);
	p->busy[c - p->conns] = false;
	pthread_cond_signal(&p->free_cond);
	pthread_mutex_unlock(&p->lock);
}

/* One statement on a pooled connection, no result kept; *changes (may be NULL) gets the rows changed. */
hg_status pg_write1(pg_store *p, int *changes, const char *sql, const char *types, ...)
{
	pg_conn *c = pgc_get(p);
	pg_params prm = {0};
	PGresult *r = NULL;
	va_list ap;
	va_start(ap, types);
	pgp_bind(&prm, types, ap);
	va_end(ap);
	hg_status rc = pgx_run(p, c, &r, sql, &prm);
	if (rc == HG_OK && changes)
		*changes = atoi(PQcmdTuples(r));
	PQclear(r);
	pgc_put(p, c);
	return rc;
}

/* ---- open, migrate, close ---- */

bool pgs_is_uri(const char *path)
{
	return path && (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0);
}

/*
 * Applies every migration of migrations/pg not yet in schema_migrations, each in its own
 * transaction, under a session advisory lock: servers that start together migrate once.
 */
static hg_status pg_migrate(pg_store *p, pg_conn *c, char *err, size_t errlen)
{
	size_t n;
	const store_migration *m = store_pg_migrations(&n);
	hg_status rc = pgx_exec(p, c, "SELECT pg_advisory_lock(1751580675)");
	int highest = 0;
	if (rc == HG_OK)
		rc = pgx_exec(p, c,
			      "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, "
			      "applied_at BIGINT NOT NULL DEFAULT extract(epoch FROM now())::bigint)");
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		PGresult *r = NULL;
		rc = pgx_query(p, c, &r, "SELECT 1 FROM schema_migrations WHERE number = $1", "i", (int64_t)m[i].number);
		bool applied = rc == HG_OK && PQntuples(r) > 0;
		PQclear(r);
		if (rc == HG_OK && !applied) {
			rc = pgx_exec(p, c, "BEGIN");
			if (rc == HG_OK)
				rc = pgx_exec(p, c, m[i].sql);
			if (rc == HG_OK)
				rc = pgx_query(p, c, NULL, "INSERT INTO schema_migrations(number, name) VALUES ($1, $2)", "it",
					       (int64_t)m[i].number, m[i].name);
			if (rc == HG_OK)
				rc = pgx_exec(p, c, "COMMIT");
			if (rc != HG_OK) {
				snprintf(err, errlen, "migration pg/%s failed: %s", m[i].name, PQerrorMessage(c->c));
				pgx_rollback(c);
			}
		}
		highest = highest > m[i].number ? highest : m[i].number;
	}
	if (PQstatus(c->c) == CONNECTION_OK)
		PQclear(PQexec(c->c, "SELECT pg_advisory_unlock(1751580675)"));
	p->schema_version = highest;
	return rc;
}

hg_status pgs_open(const char *uri, pg_store **out, char *err, size_t errlen)
{
	pg_store *p = hg_calloc(1, sizeof *p);
	size_t len = strlen(uri) + 1;
	hg_status rc = HG_OK;
	if (!p || !(p->uri = hg_malloc(len))) {
		hg_free(p);
		snprintf(err, errlen, "out of memory");
		return HG_ENOMEM;
	}
	memcpy(p->uri, uri, len);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->free_cond, NULL);
	pthread_rwlock_init(&p->rm_lock, NULL);
	pthread_mutex_init(&p->rm_wait_lock, NULL);
	pthread_cond_init(&p->rm_wait_cond, NULL);
	atomic_init(&p->stop, false);
	atomic_init(&p->rm_current, false);
	atomic_init(&p->rm_reload, false);
	/* the first connection now (it migrates); the others when first taken (pgc_get), as a command
	 * needs one or two and a server all of them */
	rc = pgc_connect(p, &p->conns[0]);
	if (rc != HG_OK) {
		/* libpq's message names host and port, never the password */
		const char *msg = PQerrorMessage(p->conns[0].c);
		size_t m = strcspn(msg, "\n");
		snprintf(err, errlen, "cannot connect to PostgreSQL: %.*s", (int)m, msg);
	}
	if (rc == HG_OK)
		rc = pg_migrate(p, &p->conns[0], err, errlen);
	if (rc != HG_OK) {
		pgs_close(p);
		return rc;
	}
	*out = p;
	return HG_OK;
}

void pgs_close(pg_store *p)
{
	if (!p)
		return;
	if (p->listening) {
		atomic_store(&p->stop, true);
		pthread_join(p->listener, NULL);
		p->listening = false;
	}
	for (int i = 0; i < PG_POOL_SIZE; i++) {
		pgc_forget_statements(&p->conns[i]);
		if (p->conns[i].c)
			PQfinish(p->conns[i].c);
	}
	readmodel_free(p->rm);
	pthread_cond_destroy(&p->rm_wait_cond);
	pthread_mutex_destroy(&p->rm_wait_lock);
	pthread_rwlock_destroy(&p->rm_lock);
	pthread_cond_destroy(&p->free_cond);
	pthread_mutex_destroy(&p->lock);
	hg_free(p->uri);
	hg_free(p);
}

int pgs_schema_version(pg_store *p) { return p->schema_version; }

/* ---- organisations and units ---- */

hg_status pgs_org_put(pg_store *p, const store_org *o)
{
	return pg_write1(p, NULL,
			 "INSERT INTO organisations(code, name, kind, county) VALUES ($1, $2, $3, $4) "
			 "ON CONFLICT(code) DO UPDATE SET name = $2, kind = $3, county = $4",
			 "tttt", o->code, o->name, o->kind == ORG_REGION ? "region" : "municipality", o->county);
}

static void read_org(PGresult *r, int row, void *out)
{
	store_org *o = out;
	memset(o, 0, sizeof *o);
	pgr_str(r, row, 0, o->code, sizeof o->code);
	pgr_str(r, row, 1, o->name, sizeof o->name);
	o->kind = strcmp(PQgetvalue(r, row, 2), "region") == 0 ? ORG_REGION : ORG_MUNICIPALITY;
	pgr_str(r, row, 3, o->county, sizeof o->county);
}

/* One SELECT on a pooled connection whose rows become an array via read_row. */
hg_status pg_select(pg_store *p, size_t elem_size, void (*read_row)(PGresult *, int, void *), void **out,
			   size_t *n, const char *sql, const char *t1, const char *t2)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	pg_params prm = {0};
	if (t1)
		pgp_text(&prm, t1);
	if (t2)
		pgp_text(&prm, t2);
	hg_status rc = pgx_run(p, c, &r, sql, &prm);
	pgc_put(p, c);
	if (rc == HG_OK)
		rc = pgr_collect(r, elem_size, read_row, out, n);
	PQclear(r);
	return rc;
}

hg_status pg_collect(pg_store *p, size_t elem_size, void (*read_row)(PGresult *, int, void *), void **out, size_t *n,
		     const char *sql, const char *types, ...)
{
	pg_params prm = {0};
	PGresult *r = NULL;
	va_list ap;
	*out = NULL;
	*n = 0;
	va_start(ap, types);
	pgp_bind(&prm, types, ap);
	va_end(ap);
	pg_conn *c = pgc_get(p);
	hg_status rc = pgx_run(p, c, &r, sql, &prm);
	pgc_put(p, c);
	if (rc == HG_OK)
		rc = pgr_collect(r, elem_size, read_row, out, n);
	PQclear(r);
	return rc;
}

/* The one row of a SELECT by key: HG_ENOTFOUND when there is none. */
hg_status pg_select1(pg_store *p, size_t elem_size, void (*read_row)(PGresult *, int, void *), void *out,
			    const char *sql, const char *key)
{
	void *rows = NULL;
	size_t n = 0;
	hg_status rc = pg_select(p, elem_size, read_row, &rows, &n, sql, key, NULL);
	if (rc == HG_OK && n == 0)
		rc = HG_ENOTFOUND;
	if (rc == HG_OK)
		memcpy(out, rows, elem_size);
	hg_free(rows);
	return rc;
}

hg_status pgs_org_get(pg_store *p, const char *code, store_org *out)
{
	return pg_select1(p, sizeof *out, read_org, out, "SELECT code, name, kind, county FROM organisations WHERE code = $1",
			  code);
}

hg_status pgs_orgs_list(pg_store *p, store_org **out, size_t *n)
{
	return pg_select(p, sizeof **out, read_org, (void **)out, n,
			 "SELECT code, name, kind, county FROM organisations ORDER BY kind DESC, code", NULL, NULL);
}

hg_status pgs_unit_put(pg_store *p, const store_unit *u)
{
	bool ward = u->kind == UNIT_WARD;
	return pg_write1(p, NULL,
			 "INSERT INTO units(id, org, name, kind, care_type, hospital, municipality) "
			 "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(id) DO UPDATE SET org = $2, name = $3, "
			 "kind = $4, care_type = $5, hospital = $6, municipality = $7",
			 "ttttttt", u->id, u->org, u->name, unit_kind_label(u->kind)->code,
			 ward ? care_type_label(u->care)->code : NULL, ward ? u->hospital : NULL, u->municipality);
}

#define UNIT_COLS "id, org, name, kind, care_type, hospital, municipality"

static void read_unit(PGresult *r, int row, void *out)
{
	store_unit *u = out;
	memset(u, 0, sizeof *u);
	pgr_str(r, row, 0, u->id, sizeof u->id);
	pgr_str(r, row, 1, u->org, sizeof u->org);
	pgr_str(r, row, 2, u->name, sizeof u->name);
	if (!unit_kind_from_code(pgr_text(r, row, 3), &u->kind))
		u->kind = UNIT_ADMIN;
	if (!care_type_from_code(pgr_text(r, row, 4), &u->care))
		u->care = CARE_SOMATIC;
	pgr_str(r, row, 5, u->hospital, sizeof u->hospital);
	pgr_str(r, row, 6, u->municipality, sizeof u->municipality);
}

hg_status pgs_unit_get(pg_store *p, const char *id, store_unit *out)
{
	return pg_select1(p, sizeof *out, read_unit, out, "SELECT " UNIT_COLS " FROM units WHERE id = $1", id);
}

hg_status pgs_units_list(pg_store *p, const char *org, store_unit **out, size_t *n)
{
	if (!org)
		return pg_select(p, sizeof **out, read_unit, (void **)out, n,
				 "SELECT " UNIT_COLS " FROM units ORDER BY org, id", NULL, NULL);
	return pg_select(p, sizeof **out, read_unit, (void **)out, n,
			 "SELECT " UNIT_COLS " FROM units WHERE org = $1 ORDER BY org, id", org, NULL);
}

/* ---- users, sessions, tokens ---- */

#define USER_COLS "u.id, u.username, u.display_name, u.org, u.role, u.disabled, u.password_hash"

static void read_user(PGresult *r, int row, void *out)
{
	store_user *u = out;
	memset(u, 0, sizeof *u);
	u->id = pgr_int(r, row, 0);
	pgr_str(r, row, 1, u->username, sizeof u->username);
	pgr_str(r, row, 2, u->display_name, sizeof u->display_name);
	pgr_str(r, row, 3, u->org, sizeof u->org);
	if (!role_from_code(pgr_text(r, row, 4), &u->role))
		u->role = ROLE_ANALYST; /* least privilege for an unknown code */
	u->disabled = pgr_int(r, row, 5) != 0;
}

static hg_status load_user_units(pg_store *p, pg_conn *c, store_user *u)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r, "SELECT unit_id FROM user_units WHERE user_id = $1 ORDER BY unit_id", "i", u->id);
	u->n_units = 0;
	for (int i = 0; rc == HG_OK && i < PQntuples(r) && u->n_units < STORE_USER_UNITS_MAX; i++)
		pgr_str(r, i, 0, u->units[u->n_units++], HG_ID_MAX);
	PQclear(r);
	return rc;
}

hg_status pgs_user_add(pg_store *p, const store_user *u, const char *password_hash, hg_instant now, int64_t *id)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = pgx_exec(p, c, "BEGIN");
	if (rc != HG_OK)
		goto out;
	rc = pgx_query(p, c, &r,
		       "INSERT INTO users(username, display_name, org, role, password_hash, disabled, created_at) "
		       "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
		       "tttttii", u->username, u->display_name[0] ? u->display_name : u->username, u->org,
		       role_label(u->role)->code, password_hash, (int64_t)u->disabled, (int64_t)now);
	if (rc == HG_OK)
		*id = pgr_int(r, 0, 0);
	PQclear(r);
	for (int i = 0; rc == HG_OK && i < u->n_units; i++)
		rc = pgx_query(p, c, NULL, "INSERT INTO user_units(user_id, unit_id) VALUES ($1, $2)", "it", *id,
			       u->units[i]);
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
out:
	pgx_rollback(c);
	pgc_put(p, c);
	return rc;
}

/* The user of the first row of a query on users (alias u), with units; HG_ENOTFOUND when none. */
static hg_status user_by(pg_store *p, store_user *out, char *hash, size_t hash_cap, bool refuse_disabled,
			 const char *sql, const char *types, const void *key, hg_instant now)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = types[0] == 't' ? pgx_query(p, c, &r, sql, "t", (const char *)key)
		       : types[1] ? pgx_query(p, c, &r, sql, "hi", (const uint8_t *)key, (int64_t)now)
				  : pgx_query(p, c, &r, sql, "h", (const uint8_t *)key);
	if (rc == HG_OK && PQntuples(r) == 0)
		rc = HG_ENOTFOUND;
	if (rc == HG_OK) {
		read_user(r, 0, out);
		if (hash)
			pgr_str(r, 0, 6, hash, hash_cap);
		rc = refuse_disabled && out->disabled ? HG_ENOTFOUND : load_user_units(p, c, out);
	}
	PQclear(r);
	pgc_put(p, c);
	return rc;
}

hg_status pgs_user_get(pg_store *p, const char *username, store_user *out, char *hash, size_t hash_cap)
{
	return user_by(p, out, hash, hash_cap, false, "SELECT " USER_COLS " FROM users u WHERE u.username = $1", "t",
		       username, 0);
}

hg_status pgs_user_set_password(pg_store *p, const char *username, const char *password_hash)
{
	int changed = 0;
	hg_status rc = pg_write1(p, &changed, "UPDATE users SET password_hash = $2 WHERE username = $1", "tt", username,
				 password_hash);
	if (rc == HG_OK && changed != 1)
		rc = HG_ENOTFOUND;
	/* A new password ends every session of that user. */
	if (rc == HG_OK)
		rc = pg_write1(p, NULL, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)", "t",
			       username);
	return rc;
}

hg_status pgs_users_list(pg_store *p, store_user **out, size_t *n)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r, "SELECT " USER_COLS " FROM users u ORDER BY u.username", "");
	*out = NULL;
	if (rc == HG_OK)
		rc = pgr_collect(r, sizeof **out, read_user, (void **)out, n);
	PQclear(r);
	for (size_t i = 0; rc == HG_OK && i < *n; i++)
		rc = load_user_units(p, c, &(*out)[i]);
	if (rc != HG_OK) {
		hg_free(*out);
		*out = NULL;
	}
	pgc_put(p, c);
	return rc;
}

hg_status pgs_session_put(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t user_id, hg_instant now,
			  hg_instant expires)
{
	hg_status rc = pg_write1(p, NULL,
				 "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
				 "hiTT", hash, user_id, now, expires);
	/* sessions are shared by every server: expired ones are removed here, where new ones come in */
	if (rc == HG_OK)
		rc = pg_write1(p, NULL, "DELETE FROM sessions WHERE expires_at <= $1", "T", now);
	return rc;
}

hg_status pgs_session_get(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now, store_user *out)
{
	return user_by(p, out, NULL, 0, true,
		       "SELECT " USER_COLS " FROM sessions x JOIN users u ON u.id = x.user_id "
		       "WHERE x.token_hash = $1 AND x.expires_at > $2",
		       "hi", hash, now);
}

hg_status pgs_session_delete(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE])
{
	return pg_write1(p, NULL, "DELETE FROM sessions WHERE token_hash = $1", "h", hash);
}

hg_status pgs_token_put(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t user_id, const char *name,
			hg_instant now, hg_instant expires)
{
	return pg_write1(p, NULL,
			 "INSERT INTO api_tokens(token_hash, user_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
			 "hitTT", hash, user_id, name, now, expires);
}

hg_status pgs_token_get(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now, store_user *out)
{
	return user_by(p, out, NULL, 0, true,
		       "SELECT " USER_COLS " FROM api_tokens x JOIN users u ON u.id = x.user_id WHERE x.token_hash = $1 "
		       "AND x.revoked_at IS NULL AND (x.expires_at IS NULL OR x.expires_at > $2)",
		       "hi", hash, now);
}

hg_status pgs_token_revoke(pg_store *p, int64_t user_id, const char *name, hg_instant now, int *count)
{
	if (name)
		return pg_write1(p, count,
				 "UPDATE api_tokens SET revoked_at = $3 WHERE user_id = $1 AND name = $2 AND revoked_at IS NULL",
				 "itT", user_id, name, now);
	return pg_write1(p, count, "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", "iT",
			 user_id, now);
}

hg_status pgs_user_set_disabled(pg_store *p, const char *username, bool disabled)
{
	int changed = 0;
	hg_status rc = pg_write1(p, &changed, "UPDATE users SET disabled = $2 WHERE username = $1", "ti", username,
				 (int64_t)disabled);
	if (rc == HG_OK && changed != 1)
		rc = HG_ENOTFOUND;
	if (rc == HG_OK && disabled)
		rc = pg_write1(p, NULL, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)", "t",
			       username);
	return rc;
}

/* ---- events and projections ---- */

/* The stored events of an episode in seq order, into an hg_malloc'ed array. */
hg_status pg_read_events(pg_store *p, pg_conn *c, int64_t episode_id, event **out, size_t *n)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r, "SELECT body FROM events WHERE episode_id = $1 ORDER BY seq", "i", episode_id);
	if (rc != HG_OK)
		return rc;
	int rows = PQntuples(r);
	event *arr = hg_malloc((rows ? (size_t)rows : 1) * sizeof *arr);
	if (!arr)
		rc = HG_ENOMEM;
	for (int i = 0; rc == HG_OK && i < rows; i++) {
		event_error err;
		if (event_from_text(PQgetvalue(r, i, 0), &arr[i], &err) != HG_OK)
			rc = HG_EINTERNAL; /* a stored event that no longer parses: a bug, never user input */
	}
	PQclear(r);
	if (rc != HG_OK) {
		hg_free(arr);
		return rc;
	}
	*out = arr;
	*n = (size_t)rows;
	return HG_OK;
}

/* The list columns of episode_projection, in the order of PG_PROJECTION_COLUMNS (without updated_at). */
#define ROW_COLS                                                                                                   \
	"e.episode_id, e.status, e.pnr, e.patient_name, e.municipality, e.primary_care_unit, e.hospital, e.ward, " \
	"e.care_type, e.admitted_at, e.notice_at, e.expected_date, e.ready_at, e.discharged_at, e.track, "         \
	"e.notice_due, e.notice_met, e.care_contact_due, e.care_contact_met, e.sip_due, e.sip_met, e.last_seq"
#define ROW_NCOLS 22

static hg_instant text_instant(const char *v)
{
	return v ? (hg_instant)strtoll(v, NULL, 10) : HG_INSTANT_NONE;
}

/* A row from its values as text (NULL for NULL) in the order of ROW_COLS: read from the database, or as
 * pg_projection_rows hands them to be written. */
static void row_from_text(const char *const v[ROW_NCOLS], store_episode_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = v[0] ? strtoll(v[0], NULL, 10) : 0;
	if (!v[1] || !episode_status_from_code(v[1], &r->status))
		r->status = EPISODE_EMPTY;
	sq_copy_str(r->pnr, sizeof r->pnr, v[2]);
	sq_copy_str(r->patient_name, sizeof r->patient_name, v[3]);
	sq_copy_str(r->municipality, sizeof r->municipality, v[4]);
	sq_copy_str(r->primary_care_unit, sizeof r->primary_care_unit, v[5]);
	sq_copy_str(r->hospital, sizeof r->hospital, v[6]);
	sq_copy_str(r->ward, sizeof r->ward, v[7]);
	if (!v[8] || !care_type_from_code(v[8], &r->care))
		r->care = CARE_SOMATIC;
	r->admitted_at = text_instant(v[9]);
	r->notice_at = text_instant(v[10]);
	r->expected_date = v[11] ? (hg_date)strtoll(v[11], NULL, 10) : HG_DATE_NONE;
	r->ready_at = text_instant(v[12]);
	r->discharged_at = text_instant(v[13]);
	r->track_is_set = v[14] && track_colour_from_code(v[14], &r->track);
	r->notice_due = text_instant(v[15]);
	r->notice_met = text_instant(v[16]);
	r->care_contact_due = text_instant(v[17]);
	r->care_contact_met = text_instant(v[18]);
	r->sip_due = text_instant(v[19]);
	r->sip_met = text_instant(v[20]);
	r->last_seq = v[21] ? (int32_t)strtol(v[21], NULL, 10) : 0;
}

static void read_episode_row(PGresult *res, int row, void *out)
{
	const char *v[ROW_NCOLS];
	for (int i = 0; i < ROW_NCOLS; i++)
		v[i] = PQgetisnull(res, row, i) ? NULL : PQgetvalue(res, row, i);
	row_from_text(v, out);
}

/* One episode's read model entry being gathered: its row, its parties, its notices waiting. */
typedef struct rm_gather {
	store_episode_row row;
	char parties[SQ_PARTY_SLOTS_MAX][HG_ID_MAX];
	size_t n_parties;
	readmodel_notice *notices; /* hg_malloc'ed, grown */
	size_t n_notices, cap;
	bool failed; /* out of memory: the entry is not whole */
} rm_gather;

static void rm_gather_party(rm_gather *g, const char *unit)
{
	if (g->n_parties < SQ_PARTY_SLOTS_MAX)
		sq_copy_str(g->parties[g->n_parties++], HG_ID_MAX, unit);
}

static void rm_gather_notice(rm_gather *g, int32_t seq, const char *unit, const char *type, hg_instant sent_at)
{
	if (g->n_notices == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		readmodel_notice *bigger = hg_realloc(g->notices, cap * sizeof *bigger);
		if (!bigger) {
			g->failed = true;
			return;
		}
		g->notices = bigger;
		g->cap = cap;
	}
	readmodel_notice *nt = &g->notices[g->n_notices++];
	nt->seq = seq;
	sq_copy_str(nt->unit, sizeof nt->unit, unit);
	if (!event_type_from_code(type, &nt->type))
		nt->type = EVENT_ADMISSION_NOTICE;
	nt->sent_at = sent_at;
}

static readmodel_entry rm_gather_entry(const rm_gather *g)
{
	return (readmodel_entry){g->row, (const char (*)[HG_ID_MAX])g->parties, g->n_parties, g->notices,
				 g->n_notices};
}

hg_status pg_projection_rows(const episode_state *st, hg_instant now, const pg_projection_sink *sink, void *ctx)
{
	deadline dl[DEADLINE_KIND_COUNT];
	hg_status rc = deadline_in_force(st, now, dl);
	pg_params prm = {0};
	if (rc != HG_OK)
		return rc;

	pgp_int(&prm, st->id);
	pgp_text(&prm, episode_status_label(st->status)->code);
	pgp_text(&prm, st->patient.personnummer);
	pgp_text(&prm, st->patient.name);
	pgp_text(&prm, st->patient.registered_municipality);
	pgp_text(&prm, st->patient.primary_care_unit);
	pgp_text(&prm, st->hospital);
	pgp_text(&prm, st->ward);
	pgp_text(&prm, care_type_label(st->care)->code);
	/* a cancelled admission has no admission time; the row stays (status cancelled) with 0 */
	pgp_int(&prm, st->admitted_at == HG_INSTANT_NONE ? 0 : st->admitted_at);
#define PGP_INSTANT(t) ((t) == HG_INSTANT_NONE ? pgp_text(&prm, NULL) : pgp_int(&prm, (t)))
	PGP_INSTANT(st->notice_at);
	if (st->expected_date == HG_DATE_NONE)
		pgp_text(&prm, NULL);
	else
		pgp_int(&prm, st->expected_date);
	PGP_INSTANT(st->ready_at);
	PGP_INSTANT(st->discharged_at);
	pgp_text(&prm, st->track_is_set ? track_colour_label(st->track)->code : NULL);
	/* the three deadlines with columns; the care plan's (LPT/LRV) is read from the fold */
	for (int k = 0; k <= DEADLINE_SIP_CALL; k++) {
		bool applies = dl[k].state != DEADLINE_NOT_APPLICABLE;
		PGP_INSTANT(applies ? dl[k].due_at : HG_INSTANT_NONE);
		PGP_INSTANT(applies ? dl[k].met_at : HG_INSTANT_NONE);
	}
#undef PGP_INSTANT
	pgp_int(&prm, st->last_seq);
	pgp_int(&prm, now);
	rc = sink->row(ctx, &prm);

	/* the parties, each unit once (the first role wins, as ON CONFLICT DO NOTHING keeps the first row) */
	const char *wards[2] = {st->admitting_ward, st->ward};
	const char *seen[2 + EPISODE_RECIPIENTS_MAX];
	int n_seen = 0;
	for (int i = 0; i < 2 + st->recipient_count && i < 2 + EPISODE_RECIPIENTS_MAX && rc == HG_OK; i++) {
		const char *unit = i < 2 ? wards[i] : st->recipients[i - 2].party.unit;
		bool dup = !unit[0];
		for (int k = 0; k < n_seen && !dup; k++)
			dup = strcmp(seen[k], unit) == 0;
		if (dup)
			continue;
		seen[n_seen++] = unit;
		rc = sink->party(ctx, st->id, unit, i < 2 ? "ward" : "recipient");
	}
	for (int i = 0; i < st->notice_count && rc == HG_OK; i++) {
		const episode_notice *nt = &st->notices[i];
		for (int r = 0; r < st->recipient_count && r < EPISODE_RECIPIENTS_MAX && rc == HG_OK; r++) {
			const char *unit = st->recipients[r].party.unit;
			bool dup = !(nt->to & (1u << r));
			for (int k = 0; k < r && !dup; k++)
				dup = (nt->to & (1u << k)) && strcmp(st->recipients[k].party.unit, unit) == 0;
			if (dup)
				continue;
			/* acknowledged: 1 (the time is in the events) */
			rc = sink->ack(ctx, st->id, nt->seq, unit, event_type_code(nt->type), nt->sent_at,
				       (nt->acked & (1u << r)) ? (hg_instant)1 : HG_INSTANT_NONE);
		}
	}
	return rc;
}

static void rm_put_own(pg_store *p, const rm_gather *g);

/* project()'s sink: the rows as statements on one connection, and gathered for the read model (g, may be NULL). */
struct project_ctx {
	pg_store *p;
	pg_conn *c;
	rm_gather *g;
};

static hg_status project_row(void *ctx, const pg_params *prm)
{
	struct project_ctx *x = ctx;
	if (x->g)
		row_from_text(prm->values, &x->g->row);
	return pgx_run(x->p, x->c, NULL,
		       "INSERT INTO episode_projection(" PG_PROJECTION_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, "
		       "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) ON CONFLICT "
		       "(episode_id) DO UPDATE SET "
		       "status = EXCLUDED.status, pnr = EXCLUDED.pnr, patient_name = EXCLUDED.patient_name, "
		       "municipality = EXCLUDED.municipality, primary_care_unit = EXCLUDED.primary_care_unit, "
		       "hospital = EXCLUDED.hospital, ward = EXCLUDED.ward, care_type = EXCLUDED.care_type, "
		       "admitted_at = EXCLUDED.admitted_at, notice_at = EXCLUDED.notice_at, "
		       "expected_date = EXCLUDED.expected_date, ready_at = EXCLUDED.ready_at, "
		       "discharged_at = EXCLUDED.discharged_at, track = EXCLUDED.track, notice_due = EXCLUDED.notice_due, "
		       "notice_met = EXCLUDED.notice_met, care_contact_due = EXCLUDED.care_contact_due, "
		       "care_contact_met = EXCLUDED.care_contact_met, sip_due = EXCLUDED.sip_due, "
		       "sip_met = EXCLUDED.sip_met, last_seq = EXCLUDED.last_seq, updated_at = EXCLUDED.updated_at",
		       prm);
}

static hg_status project_party(void *ctx, int64_t episode_id, const char *unit, const char *party_role)
{
	struct project_ctx *x = ctx;
	if (x->g)
		rm_gather_party(x->g, unit);
	return pgx_query(x->p, x->c, NULL,
			 "INSERT INTO episode_parties(episode_id, unit_id, role) VALUES ($1, $2, $3) "
			 "ON CONFLICT DO NOTHING",
			 "itt", episode_id, unit, party_role);
}

static hg_status project_ack(void *ctx, int64_t episode_id, int32_t seq, const char *unit, const char *type,
			     hg_instant sent_at, hg_instant acked_at)
{
	struct project_ctx *x = ctx;
	if (x->g && acked_at == HG_INSTANT_NONE)
		rm_gather_notice(x->g, seq, unit, type, sent_at);
	return pgx_query(x->p, x->c, NULL,
			 "INSERT INTO pending_acks(episode_id, seq, unit_id, type, sent_at, acked_at) "
			 "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
			 "iittTT", episode_id, (int64_t)seq, unit, type, sent_at, acked_at);
}

/* Writes the projection rows of one folded episode (replacing earlier ones); as project() in store_sqlite.c.
 * g (may be NULL) gathers the episode's read model entry from the same rows. */
static hg_status project(pg_store *p, pg_conn *c, const episode_state *st, hg_instant now, rm_gather *g)
{
	static const pg_projection_sink sink = {project_row, project_party, project_ack};
	struct project_ctx x = {p, c, g};
	hg_status rc = pgx_query(p, c, NULL, "DELETE FROM episode_parties WHERE episode_id = $1", "i", st->id);
	if (rc == HG_OK)
		rc = pgx_query(p, c, NULL, "DELETE FROM pending_acks WHERE episode_id = $1", "i", st->id);
	if (rc == HG_OK)
		rc = pg_projection_rows(st, now, &sink, &x);
	return rc;
}

/* An earlier append with the same key by the same user; as find_idempotent() in store_sqlite.c. */
static hg_status find_idempotent(pg_store *p, pg_conn *c, const event *ev, const char *key, const uint8_t *hash,
				 int64_t episode_id, store_append_result *out, bool *found)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r,
				 "SELECT id, episode_id, seq, recorded_at, type, "
				 "(request_hash IS NULL OR $3::bytea IS NULL OR request_hash = $3::bytea) FROM events "
				 "WHERE author_user = $1 AND idempotency_key = $2",
				 "ttH", ev->author_user, key, hash);
	*found = false;
	if (rc == HG_OK && PQntuples(r) > 0) {
		*found = true;
		out->event_id = pgr_int(r, 0, 0);
		out->episode_id = pgr_int(r, 0, 1);
		out->seq = (int32_t)pgr_int(r, 0, 2);
		out->recorded_at = pgr_int(r, 0, 3);
		out->replayed = true;
		bool same_request = strcmp(PQgetvalue(r, 0, 5), "t") == 0;
		if (!same_request || (episode_id && episode_id != out->episode_id) ||
		    strcmp(PQgetvalue(r, 0, 4), event_type_code(ev->type)) != 0)
			rc = HG_ECONFLICT;
	}
	PQclear(r);
	return rc;
}

hg_status pgs_append_request(pg_store *p, int64_t episode_id, const event *ev, const char *key,
			     const uint8_t *request_hash, hg_instant now, store_append_result *out, event_error *err)
{
	pg_conn *c = pgc_get(p);
	event *hist = NULL, *copy = NULL;
	size_t n = 0;
	episode_state *st = NULL;
	PGresult *r = NULL;
	char *body = NULL;
	char id_text[24];
	bool found = false;
	rm_gather g = {0};
	hg_status rc;

	event_error_clear(err);
	memset(out, 0, sizeof *out);
	if (key && !key[0])
		key = NULL;
	rc = pgx_exec(p, c, "BEGIN");
	if (rc != HG_OK)
		goto out;
	if (key) {
		/* one writer per (author, key) across every server; then the lookup sees any committed twin */
		rc = pgx_query(p, c, NULL, "SELECT pg_advisory_xact_lock($1, hashtext($2 || chr(31) || $3))", "itt",
			       (int64_t)PG_LOCK_IDEMPOTENCY, ev->author_user, key);
		if (rc == HG_OK)
			rc = find_idempotent(p, c, ev, key, request_hash, episode_id, out, &found);
		if (rc == HG_ECONFLICT)
			rc = event_error_set(err, EVR_IDEMPOTENCY_KEY_REUSED, "Idempotency-Key");
		if (rc != HG_OK || found)
			goto out;
	}
	if (episode_id == 0 && ev->type == EVENT_ADMITTED) {
		/* one patient, one open stay: admissions of one personnummer are serialised here */
		const char *pnr = ev->u.admitted.patient.personnummer;
		rc = pgx_query(p, c, NULL, "SELECT pg_advisory_xact_lock($1, hashtext($2))", "it",
			       (int64_t)PG_LOCK_PATIENT, pnr);
		if (rc == HG_OK)
			rc = pgx_query(p, c, &r,
				       "SELECT episode_id FROM episode_projection WHERE pnr = $1 AND status IN ('admitted', "
				       "'ready') ORDER BY episode_id LIMIT 1",
				       "t", pnr);
		if (rc == HG_OK && PQntuples(r) > 0) {
			rc = event_error_set(err, EVR_PATIENT_HAS_OPEN_EPISODE, "patient.personnummer");
			out->episode_id = pgr_int(r, 0, 0);
		}
		PQclear(r);
		r = NULL;
		if (rc != HG_OK)
			goto out;
	}
	st = hg_malloc(sizeof *st);
	copy = hg_malloc(sizeof *copy);
	if (!st || !copy) {
		rc = HG_ENOMEM;
		goto out;
	}
	episode_init(st);
	if (episode_id == 0) {
		rc = pgx_query(p, c, &r, "INSERT INTO episodes(created_at) VALUES ($1) RETURNING id", "i", (int64_t)now);
		if (rc == HG_OK)
			episode_id = pgr_int(r, 0, 0);
		PQclear(r);
		r = NULL;
		if (rc != HG_OK)
			goto out;
	} else {
		/* the episode's lock: appends to one episode are serialised across servers */
		rc = pgx_query(p, c, &r, "SELECT 1 FROM episodes WHERE id = $1 FOR UPDATE", "i", episode_id);
		if (rc == HG_OK && PQntuples(r) == 0)
			rc = HG_ENOTFOUND;
		PQclear(r);
		r = NULL;
		if (rc == HG_OK)
			rc = pg_read_events(p, c, episode_id, &hist, &n);
		if (rc == HG_OK && episode_fold(hist, n, st, err) != HG_OK)
			rc = HG_EINTERNAL;
		if (rc != HG_OK)
			goto out;
	}
	st->id = episode_id;
	*copy = *ev;
	copy->id = 0;
	copy->seq = (int32_t)n + 1;
	copy->recorded_at = now;
	rc = episode_append(st, hist, n, copy, err);
	if (rc != HG_OK) {
		atomic_fetch_add(&p->rejected, 1);
		goto out;
	}
	st->id = episode_id;
	rc = pgx_query(p, c, &r, "SELECT nextval('events_id_seq')", "");
	if (rc == HG_OK)
		copy->id = pgr_int(r, 0, 0);
	PQclear(r);
	r = NULL;
	if (rc == HG_OK && !(body = event_to_text(copy)))
		rc = HG_ENOMEM;
	if (rc == HG_OK)
		rc = pgx_query(p, c, NULL,
			       "INSERT INTO events(id, episode_id, seq, type, occurred_at, recorded_at, author_unit, "
			       "author_user, idempotency_key, body, request_hash) "
			       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
			       "iiitiittttH", copy->id, episode_id, (int64_t)copy->seq, event_type_code(copy->type),
			       (int64_t)copy->occurred_at, (int64_t)copy->recorded_at, copy->author_unit, copy->author_user,
			       key, body, key ? request_hash : NULL);
	if (rc == HG_OK)
		rc = project(p, c, st, now, &g);
	if (rc == HG_OK)
		rc = pgf_facts_put(p, c, st, hist, n, copy);
	snprintf(id_text, sizeof id_text, "%" PRId64, episode_id);
	/* delivered to the listeners of every server when (and only if) the transaction commits */
	if (rc == HG_OK)
		rc = pgx_query(p, c, NULL, "SELECT pg_notify('" PG_NOTIFY_CHANNEL "', $1)", "t", id_text);
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	if (rc != HG_OK)
		goto out;
	atomic_fetch_add(&p->appended, 1);
	rm_put_own(p, &g);                /* this server's read model at once; the others' by NOTIFY */
	atomic_fetch_add(&p->version, 1); /* after it, so that no cache keeps the rows before */
	out->episode_id = episode_id;
	out->event_id = copy->id;
	out->seq = copy->seq;
	out->recorded_at = now;
	out->replayed = false;
out:
	pgx_rollback(c);
	if (found && rc == HG_OK)
		atomic_fetch_add(&p->replayed, 1);
	hg_free(body);
	hg_free(hist);
	hg_free(copy);
	hg_free(st);
	hg_free(g.notices);
	pgc_put(p, c);
	return rc;
}

hg_status pgs_episode_load(pg_store *p, int64_t episode_id, episode_state *st, event **evs, size_t *n)
{
	pg_conn *c = pgc_get(p);
	event *arr = NULL;
	size_t len = 0;
	event_error err;
	PGresult *r = NULL;
	hg_status rc = pg_read_events(p, c, episode_id, &arr, &len);
	if (rc == HG_OK && len == 0) {
		/* no events: an episode being created right now, or none at all */
		rc = pgx_query(p, c, &r, "SELECT 1 FROM episodes WHERE id = $1", "i", episode_id);
		if (rc == HG_OK && PQntuples(r) == 0)
			rc = HG_ENOTFOUND;
		PQclear(r);
	}
	pgc_put(p, c);
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
	return rc;
}

hg_status pgs_episode_visible(pg_store *p, int64_t episode_id, const char (*units)[HG_ID_MAX], size_t n, bool *visible)
{
	pg_conn *c = pgc_get(p);
	hg_status rc = HG_OK;
	*visible = false;
	for (size_t i = 0; rc == HG_OK && i < n && !*visible; i++) {
		PGresult *r = NULL;
		rc = pgx_query(p, c, &r, "SELECT 1 FROM episode_parties WHERE episode_id = $1 AND unit_id = $2", "it",
			       episode_id, units[i]);
		*visible = rc == HG_OK && PQntuples(r) > 0;
		PQclear(r);
	}
	pgc_put(p, c);
	return rc;
}

/* SQL text with numbered parameters under construction ($1, $2, ...). */
#define QUERY_SQL_MAX 4096
typedef struct sql_builder {
	char sql[QUERY_SQL_MAX];
	size_t len;
	bool overflow;
	pg_params prm;
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

static void sb_text(sql_builder *b, const char *v)
{
	char ph[16];
	pgp_text(&b->prm, v);
	snprintf(ph, sizeof ph, "$%d", b->prm.n);
	sb_add(b, ph);
}

static void sb_int(sql_builder *b, int64_t v)
{
	char ph[16];
	pgp_int(&b->prm, v);
	snprintf(ph, sizeof ph, "$%d", b->prm.n);
	sb_add(b, ph);
}

/* The WHERE of an episode list; as build_where() in store_sqlite.c. */
static void build_where(sql_builder *b, const store_query *q)
{
	sb_add(b, " WHERE true");
	if (!q->all) {
		sb_add(b, " AND e.episode_id IN (SELECT p.episode_id FROM episode_parties p WHERE p.unit_id IN (");
		if (q->n_units == 0)
			sb_add(b, "NULL");
		for (size_t i = 0; i < q->n_units; i++) {
			if (i)
				sb_add(b, ", ");
			sb_text(b, q->units[i]);
		}
		sb_add(b, "))");
	}
	if (q->municipality) {
		sb_add(b, " AND e.municipality = ");
		sb_text(b, q->municipality);
	}
	if (q->unit) {
		sb_add(b, " AND EXISTS (SELECT 1 FROM episode_parties p2 WHERE p2.episode_id = e.episode_id AND p2.unit_id = ");
		sb_text(b, q->unit);
		sb_add(b, ")");
	}
	if (q->status >= 0 || q->ready_only) {
		sb_add(b, " AND e.status = ");
		sb_text(b, episode_status_label(q->ready_only ? EPISODE_READY : (episode_status)q->status)->code);
	}
	if (q->in_hospital)
		sb_add(b, " AND e.status IN ('admitted', 'ready')");
	if (q->overdue_at != HG_INSTANT_NONE) {
		sb_add(b, " AND e.status NOT IN ('cancelled') AND ((e.notice_due < ");
		sb_int(b, q->overdue_at);
		sb_add(b, " AND e.notice_met IS NULL) OR (e.care_contact_due < ");
		sb_int(b, q->overdue_at);
		sb_add(b, " AND e.care_contact_met IS NULL) OR (e.sip_due < ");
		sb_int(b, q->overdue_at);
		sb_add(b, " AND e.sip_met IS NULL))");
	}
	if (q->from != HG_INSTANT_NONE || q->to != HG_INSTANT_NONE)
		sb_add(b, " AND e.status <> 'cancelled'");
	if (q->to != HG_INSTANT_NONE) {
		sb_add(b, " AND e.admitted_at < ");
		sb_int(b, q->to);
	}
	if (q->from != HG_INSTANT_NONE) {
		sb_add(b, " AND (e.discharged_at IS NULL OR e.discharged_at >= ");
		sb_int(b, q->from);
		sb_add(b, ")");
	}
	if (q->pnr) {
		sb_add(b, " AND e.pnr = ");
		sb_text(b, q->pnr);
	}
}

/* Runs a page query and its count from one snapshot; rows via read_row into *rows (hg_malloc'ed). */
static hg_status page_and_count(pg_store *p, sql_builder *b, sql_builder *cnt, size_t elem_size,
				void (*read_row)(PGresult *, int, void *), void **rows, size_t *n, size_t *total)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = total ? pgx_exec(p, c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") : HG_OK;
	if (rc == HG_OK)
		rc = pgx_run(p, c, &r, b->sql, &b->prm);
	if (rc == HG_OK)
		rc = pgr_collect(r, elem_size, read_row, rows, n);
	PQclear(r);
	r = NULL;
	if (rc == HG_OK && total) {
		rc = pgx_run(p, c, &r, cnt->sql, &cnt->prm);
		if (rc == HG_OK)
			*total = (size_t)pgr_int(r, 0, 0);
		PQclear(r);
	}
	if (rc == HG_OK && total)
		rc = pgx_exec(p, c, "COMMIT");
	pgx_rollback(c);
	pgc_put(p, c);
	if (rc != HG_OK) {
		hg_free(*rows);
		*rows = NULL;
		*n = 0;
	}
	return rc;
}

static readmodel *rm_acquire(pg_store *p);
static void rm_release(pg_store *p);

hg_status pgs_episodes_query(pg_store *p, const store_query *q, store_episode_row **rows, size_t *n, size_t *total)
{
	readmodel *rm = rm_acquire(p);
	if (rm) {
		bool answered = false;
		hg_status rrc = readmodel_query(rm, q, rows, n, total, &answered);
		rm_release(p);
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
		rc = HG_ENOMEM;
		goto out;
	}
	sb_add(b, "SELECT " ROW_COLS " FROM episode_projection e");
	build_where(b, q);
	snprintf(tail, sizeof tail, " ORDER BY e.admitted_at DESC, e.episode_id DESC LIMIT %d OFFSET %d", limit,
		 q->offset < 0 ? 0 : q->offset);
	sb_add(b, tail);
	sb_add(c, "SELECT COUNT(*) FROM episode_projection e");
	build_where(c, q);
	if (b->overflow || c->overflow) {
		rc = HG_ERANGE;
		goto out;
	}
	rc = page_and_count(p, b, c, sizeof **rows, read_episode_row, (void **)rows, n, total);
out:
	hg_free(b);
	hg_free(c);
	return rc;
}

static void read_pending(PGresult *r, int row, void *out)
{
	store_pending_ack *a = out;
	memset(a, 0, sizeof *a);
	a->episode_id = pgr_int(r, row, 0);
	a->seq = (int32_t)pgr_int(r, row, 1);
	pgr_str(r, row, 2, a->unit, sizeof a->unit);
	if (!event_type_from_code(pgr_text(r, row, 3), &a->type))
		a->type = EVENT_ADMISSION_NOTICE;
	a->sent_at = pgr_instant(r, row, 4);
	pgr_str(r, row, 5, a->patient_name, sizeof a->patient_name);
	pgr_str(r, row, 6, a->pnr, sizeof a->pnr);
	pgr_str(r, row, 7, a->ward, sizeof a->ward);
}

static void build_pending_where(sql_builder *b, const store_ack_query *q)
{
	sb_add(b, " FROM pending_acks a JOIN episode_projection e ON e.episode_id = a.episode_id "
		  "WHERE a.acked_at IS NULL AND e.status <> 'cancelled' AND a.unit_id IN (");
	if (q->n_units == 0)
		sb_add(b, "NULL");
	for (size_t i = 0; i < q->n_units; i++) {
		if (i)
			sb_add(b, ", ");
		sb_text(b, q->units[i]);
	}
	sb_add(b, ")");
	if (q->type >= 0) {
		sb_add(b, " AND a.type = ");
		sb_text(b, event_type_code((event_type)q->type));
	}
}

hg_status pgs_pending_acks(pg_store *p, const store_ack_query *q, store_pending_ack **rows, size_t *n, size_t *total)
{
	readmodel *rm = rm_acquire(p);
	if (rm) {
		bool answered = false;
		hg_status rrc = readmodel_pending(rm, q, rows, n, total, &answered);
		rm_release(p);
		if (rrc != HG_OK || answered)
			return rrc;
	}
	sql_builder *b = hg_calloc(1, sizeof *b), *c = hg_calloc(1, sizeof *c);
	hg_status rc = HG_OK;
	char tail[128];
	int limit = q->limit <= 0 ? 50 : q->limit > 500 ? 500 : q->limit;
	*rows = NULL;
	*n = 0;
	if (total)
		*total = 0;
	if (!b || !c) {
		rc = HG_ENOMEM;
		goto out;
	}
	sb_add(b, "SELECT a.episode_id, a.seq, a.unit_id, a.type, a.sent_at, e.patient_name, e.pnr, e.ward");
	build_pending_where(b, q);
	snprintf(tail, sizeof tail, " ORDER BY a.sent_at DESC, a.episode_id DESC, a.seq DESC, a.unit_id LIMIT %d OFFSET %d",
		 limit, q->offset < 0 ? 0 : q->offset);
	sb_add(b, tail);
	sb_add(c, "SELECT COUNT(*)");
	build_pending_where(c, q);
	if (b->overflow || c->overflow) {
		rc = HG_ERANGE;
		goto out;
	}
	rc = page_and_count(p, b, c, sizeof **rows, read_pending, (void **)rows, n, total);
out:
	hg_free(b);
	hg_free(c);
	return rc;
}

/* ---- the read model (readmodel.h) ---- */

/* The first instant of the window of discharged episodes held: local midnight PG_RM_WINDOW_DAYS ago. */
static hg_instant rm_window_start(void)
{
	return cal_local_midnight(cal_local_date(time(NULL)) - PG_RM_WINDOW_DAYS);
}

/* The model to answer from, read-locked (rm_release); NULL when there is none or it is not current. */
static readmodel *rm_acquire(pg_store *p)
{
	if (!atomic_load(&p->rm_current))
		return NULL;
	pthread_rwlock_rdlock(&p->rm_lock);
	if (p->rm && atomic_load(&p->rm_current))
		return p->rm;
	pthread_rwlock_unlock(&p->rm_lock);
	return NULL;
}

static void rm_release(pg_store *p)
{
	pthread_rwlock_unlock(&p->rm_lock);
}

/* The model missed an update: SQL answers until the listener has loaded it again. */
static void rm_lost(pg_store *p)
{
	atomic_store(&p->rm_current, false);
	atomic_store(&p->rm_reload, true);
}

/* An append of this server, committed: its episode as the commit left it. */
static void rm_put_own(pg_store *p, const rm_gather *g)
{
	if (!p->listening)
		return;
	pthread_rwlock_rdlock(&p->rm_lock);
	readmodel_entry e = rm_gather_entry(g);
	if (p->rm && (g->failed || readmodel_put(p->rm, &e) != HG_OK))
		rm_lost(p);
	pthread_rwlock_unlock(&p->rm_lock);
}

/* The episodes that a list of the present can show (readmodel_holds); $1 the window's start. */
#define RM_HELD                                                                                                 \
	"(e.status IN ('admitted', 'ready') OR (e.status = 'discharged' AND (e.discharged_at IS NULL OR "       \
	"e.discharged_at >= $1::bigint)) OR e.episode_id IN (SELECT episode_id FROM pending_acks WHERE acked_at " \
	"IS NULL))"
/* The episodes of a notification batch; $1 their ids as an array ("{1,2}"). */
#define RM_IDS "e.episode_id = ANY($1::bigint[])"

/*
 * Reads the entries of the episodes that cond (RM_HELD or RM_IDS, with param as $1) selects, from one
 * snapshot on c, and puts them into rm (taken for writing only once the rows are read, so that the
 * queries wait for no round trip). An older row than the one held changes nothing (readmodel_put).
 */
static hg_status rm_read(pg_store *p, pg_conn *c, const char *cond, const char *param, readmodel *rm)
{
	char sql[3][1024];
	PGresult *r[3] = {NULL, NULL, NULL};
	rm_gather g = {0};
	snprintf(sql[0], sizeof sql[0], "SELECT " ROW_COLS " FROM episode_projection e WHERE %s ORDER BY e.episode_id",
		 cond);
	snprintf(sql[1], sizeof sql[1],
		 "SELECT x.episode_id, x.unit_id FROM episode_parties x WHERE x.episode_id IN (SELECT e.episode_id "
		 "FROM episode_projection e WHERE %s) ORDER BY 1, 2",
		 cond);
	snprintf(sql[2], sizeof sql[2],
		 "SELECT x.episode_id, x.seq, x.unit_id, x.type, x.sent_at FROM pending_acks x WHERE x.acked_at IS "
		 "NULL AND x.episode_id IN (SELECT e.episode_id FROM episode_projection e WHERE %s) ORDER BY 1, 2, 3",
		 cond);
	hg_status rc = pgx_exec(p, c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	for (int i = 0; i < 3 && rc == HG_OK; i++)
		rc = pgx_query(p, c, &r[i], sql[i], "t", param);
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	pgx_rollback(c);
	if (rc == HG_OK) {
		int np = PQntuples(r[1]), nn = PQntuples(r[2]), ip = 0, in = 0;
		readmodel_refresh_begin(rm);
		for (int i = 0; i < PQntuples(r[0]) && rc == HG_OK; i++) {
			read_episode_row(r[0], i, &g.row);
			g.n_parties = g.n_notices = 0;
			for (; ip < np && pgr_int(r[1], ip, 0) < g.row.id; ip++)
				;
			for (; ip < np && pgr_int(r[1], ip, 0) == g.row.id; ip++)
				rm_gather_party(&g, PQgetvalue(r[1], ip, 1));
			for (; in < nn && pgr_int(r[2], in, 0) < g.row.id; in++)
				;
			for (; in < nn && pgr_int(r[2], in, 0) == g.row.id; in++)
				rm_gather_notice(&g, (int32_t)pgr_int(r[2], in, 1), PQgetvalue(r[2], in, 2),
						 PQgetvalue(r[2], in, 3), pgr_instant(r[2], in, 4));
			readmodel_entry e = rm_gather_entry(&g);
			rc = g.failed ? HG_ENOMEM : readmodel_refresh_put(rm, &e);
		}
		readmodel_refresh_end(rm);
	}
	for (int i = 0; i < 3; i++)
		PQclear(r[i]);
	hg_free(g.notices);
	return rc;
}

/* A new model, loaded whole on c (which LISTENs already), in place of the one held. */
static hg_status rm_load(pg_store *p, pg_conn *c)
{
	readmodel *rm = NULL, *old;
	hg_instant window = rm_window_start();
	char param[24];
	hg_status rc = readmodel_create(window, &rm);
	snprintf(param, sizeof param, "%" PRId64, (int64_t)window);
	if (rc == HG_OK)
		rc = rm_read(p, c, RM_HELD, param, rm);
	if (rc != HG_OK) {
		readmodel_free(rm);
		return rc;
	}
	readmodel_trim(rm);
	pthread_rwlock_wrlock(&p->rm_lock);
	old = p->rm;
	p->rm = rm;
	atomic_store(&p->rm_reload, false);
	atomic_store(&p->rm_current, true);
	pthread_rwlock_unlock(&p->rm_lock);
	readmodel_free(old);
	return HG_OK;
}

/* The entries of the episodes ids[0..n) read again (a batch of notifications). */
static hg_status rm_refresh(pg_store *p, pg_conn *c, const int64_t *ids, size_t n)
{
	size_t cap = n * 21 + 3, len = 0;
	char *param = hg_malloc(cap);
	hg_status rc = param ? HG_OK : HG_ENOMEM;
	if (rc == HG_OK) {
		param[len++] = '{';
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(param + len, cap - len, i ? ",%" PRId64 : "%" PRId64, ids[i]);
		param[len++] = '}';
		param[len] = '\0';
	}
	pthread_rwlock_rdlock(&p->rm_lock); /* the model stays while it is read into */
	if (rc == HG_OK && p->rm)
		rc = rm_read(p, c, RM_IDS, param, p->rm);
	pthread_rwlock_unlock(&p->rm_lock);
	hg_free(param);
	return rc;
}

/* Tells pgs_read_model_load how the first load went (once). */
static void rm_first_done(pg_store *p, bool ok)
{
	pthread_mutex_lock(&p->rm_wait_lock);
	if (p->rm_first == 0) {
		p->rm_first = ok ? 1 : -1;
		pthread_cond_broadcast(&p->rm_wait_cond);
	}
	pthread_mutex_unlock(&p->rm_wait_lock);
}

/* Sleeps up to ms, waking early when the store closes. */
static void listener_nap(pg_store *p, int ms)
{
	for (int waited = 0; waited < ms && !atomic_load(&p->stop); waited += 50) {
		struct timespec d = {0, 50 * 1000 * 1000};
		nanosleep(&d, NULL);
	}
}

/* True when pid is the backend of one of this server's pooled connections. */
static bool own_commit(pg_store *p, int pid)
{
	for (int i = 0; i < PG_POOL_SIZE; i++)
		if (atomic_load(&p->backend_pid[i]) == pid)
			return true;
	return false;
}

/* Adds id to the batch ids[0..*n) unless it is there; false when the batch is full. */
static bool batch_add(int64_t *ids, size_t *n, int64_t id)
{
	for (size_t i = 0; i < *n; i++)
		if (ids[i] == id)
			return true;
	if (*n == PG_RM_BATCH_MAX)
		return false;
	ids[(*n)++] = id;
	return true;
}

/*
 * Listens on one connection of its own and keeps the read model current: LISTEN first, then the
 * model loaded from a snapshot taken after it, so that every commit is either in that snapshot or
 * notified afterwards. Each batch of notifications (appends of any server, this one's too: they cost a
 * read, and they mend a model that a reload may have missed them in) has its episodes read again; then
 * the version moves, so that nothing is cached from the rows before them. When the connection is lost,
 * notifications may have been missed: SQL answers until the model is loaded again on a new connection.
 */
static void *listener_main(void *arg)
{
	pg_store *p = arg;
	pg_conn lc = {0};
	int64_t *ids = hg_malloc(PG_RM_BATCH_MAX * sizeof *ids);
	while (!atomic_load(&p->stop)) {
		bool ok = ids && pgc_connect(p, &lc) == HG_OK && pgx_exec(p, &lc, "LISTEN " PG_NOTIFY_CHANNEL) == HG_OK;
		PGconn *listening = lc.c; /* a reconnect by the wrapper would not listen: checked below */
		if (ok)
			ok = rm_load(p, &lc) == HG_OK && lc.c == listening;
		rm_first_done(p, ok);
		atomic_fetch_add(&p->version, 1);
		time_t advanced = time(NULL), loaded = advanced;
		while (ok && !atomic_load(&p->stop)) {
			struct pollfd pfd = {.fd = PQsocket(lc.c), .events = POLLIN};
			int ready = poll(&pfd, 1, 250);
			if (ready < 0 || (ready > 0 && !PQconsumeInput(lc.c))) {
				ok = false;
				break;
			}
			size_t n = 0;
			bool whole = true;
			PGnotify *note;
			while ((note = PQnotifies(lc.c)) != NULL) {
				/* this server's own commits are in the model already, unless they came while it
				 * was being loaded (their puts went to the model it replaced): read again then */
				if (!own_commit(p, note->be_pid) || time(NULL) - loaded < PG_RM_OWN_GRACE_S)
					whole = whole && batch_add(ids, &n, strtoll(note->extra, NULL, 10));
				PQfreemem(note);
			}
			if (!whole || atomic_load(&p->rm_reload)) {
				ok = rm_load(p, &lc) == HG_OK;
				loaded = time(NULL);
			}
			else if (n)
				ok = rm_refresh(p, &lc, ids, n) == HG_OK;
			ok = ok && lc.c == listening && PQstatus(lc.c) == CONNECTION_OK;
			if (n || !whole)
				atomic_fetch_add(&p->version, 1); /* after the rows: no cache keeps the ones before */
			if (ok && time(NULL) - advanced >= PG_RM_ADVANCE_S) {
				pthread_rwlock_rdlock(&p->rm_lock);
				readmodel_advance_window(p->rm, rm_window_start());
				pthread_rwlock_unlock(&p->rm_lock);
				advanced = time(NULL);
			}
		}
		atomic_store(&p->rm_current, false);
		atomic_fetch_add(&p->version, 1);
		if (!atomic_load(&p->stop))
			listener_nap(p, 1000);
	}
	pgc_forget_statements(&lc);
	if (lc.c)
		PQfinish(lc.c);
	hg_free(ids);
	rm_first_done(p, false);
	return NULL;
}

hg_status pgs_read_model_load(pg_store *p)
{
	if (p->listening)
		return HG_OK;
	if (pthread_create(&p->listener, NULL, listener_main, p) != 0)
		return HG_ENOMEM;
	p->listening = true;
	pthread_mutex_lock(&p->rm_wait_lock);
	while (p->rm_first == 0)
		pthread_cond_wait(&p->rm_wait_cond, &p->rm_wait_lock);
	int first = p->rm_first;
	pthread_mutex_unlock(&p->rm_wait_lock);
	return first > 0 ? HG_OK : pg_fail_io(p);
}

bool pgs_read_model_info(pg_store *p, store_read_model_info *out)
{
	readmodel_stats st;
	memset(out, 0, sizeof *out);
	pthread_rwlock_rdlock(&p->rm_lock);
	bool held = p->rm != NULL;
	if (held)
		readmodel_get_stats(p->rm, &st);
	pthread_rwlock_unlock(&p->rm_lock);
	if (held)
		*out = (store_read_model_info){st.episodes, st.listed, st.notices, st.bytes, st.answered};
	return held;
}

/* ---- audit ---- */

/* One record, committed before the call returns (PostgreSQL groups concurrent commits itself). */
static void read_audit(PGresult *r, int row, void *out);

hg_status pgs_audit_add(pg_store *p, const store_audit *a)
{
	return pgs_audit_add_patients(p, a, NULL, 0);
}

hg_status pgs_audit_add_patients(pg_store *p, const store_audit *a, const int64_t *episodes, size_t n)
{
	/* the episodes shown as an array literal "{1,2,3}", inserted with the record in one statement */
	size_t cap = 3 + n * 21, len = 0;
	char *arr = hg_malloc(cap);
	if (!arr)
		return HG_ENOMEM;
	arr[len++] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(arr + len, cap - len, "%s%lld", i ? "," : "", (long long)episodes[i]);
	arr[len++] = '}';
	arr[len] = '\0';
	hg_status rc = pg_write1(p, NULL,
				 "WITH a AS (INSERT INTO audit_log(at, username, unit_id, action, episode_id, reason, client) "
				 "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id) "
				 "INSERT INTO audit_patients(audit_id, episode_id) "
				 "SELECT DISTINCT a.id, e FROM a, unnest($8::bigint[]) AS e",
				 "itttIttt", (int64_t)a->at, a->username, a->unit[0] ? a->unit : NULL, a->action,
				 a->episode_id, a->reason[0] ? a->reason : NULL, a->client[0] ? a->client : NULL, arr);
	hg_free(arr);
	return rc;
}

hg_status pgs_audit_patient(pg_store *p, const char *pnr, store_audit **rows, size_t *n)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = pgx_query(
		p, c, &r,
		"WITH eps AS (SELECT episode_id FROM episode_projection WHERE pnr = $1) "
		"SELECT id, at, username, unit_id, action, episode_id, reason, client FROM audit_log "
		"WHERE episode_id IN (SELECT episode_id FROM eps) "
		"UNION SELECT a.id, a.at, a.username, a.unit_id, a.action, p.episode_id, a.reason, a.client "
		"FROM audit_patients p JOIN audit_log a ON a.id = p.audit_id WHERE p.episode_id IN (SELECT episode_id FROM eps) "
		"ORDER BY 1, 6",
		"t", pnr);
	pgc_put(p, c);
	if (rc == HG_OK)
		rc = pgr_collect(r, sizeof **rows, read_audit, (void **)rows, n);
	PQclear(r);
	return rc;
}

static void read_audit(PGresult *r, int row, void *out)
{
	store_audit *a = out;
	memset(a, 0, sizeof *a);
	a->id = pgr_int(r, row, 0);
	a->at = pgr_int(r, row, 1);
	pgr_str(r, row, 2, a->username, sizeof a->username);
	pgr_str(r, row, 3, a->unit, sizeof a->unit);
	pgr_str(r, row, 4, a->action, sizeof a->action);
	a->episode_id = pgr_int(r, row, 5);
	pgr_str(r, row, 6, a->reason, sizeof a->reason);
	pgr_str(r, row, 7, a->client, sizeof a->client);
}

hg_status pgs_audit_list(pg_store *p, const store_audit_filter *f, store_audit **rows, size_t *n)
{
#define AUDIT_SELECT                                                                                                   \
	"SELECT id, at, username, unit_id, action, episode_id, reason, client FROM audit_log "                         \
	"WHERE ($1::bigint = 0 OR episode_id = $1) AND ($2::text IS NULL OR username = $2) "                          \
	"AND ($3::bigint IS NULL OR at >= $3) "                                                                        \
	"AND ($5::text IS NULL OR username IN (SELECT username FROM users WHERE org = $5)) "
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r,
				 f->newest_first ? AUDIT_SELECT "ORDER BY id DESC LIMIT $4" : AUDIT_SELECT "ORDER BY id LIMIT $4",
				 "itTIt", f->episode_id, f->username, f->since,
				 (int64_t)(f->limit > 0 ? f->limit : 0), f->org);
#undef AUDIT_SELECT
	pgc_put(p, c);
	if (rc == HG_OK)
		rc = pgr_collect(r, sizeof **rows, read_audit, (void **)rows, n);
	PQclear(r);
	return rc;
}

/* ---- maintenance ---- */

hg_status pgs_rebuild(pg_store *p, size_t *episodes)
{
	pg_conn *c = pgc_get(p);
	PGresult *ids = NULL;
	episode_state *st = hg_malloc(sizeof *st);
	hg_status rc = st ? pgx_exec(p, c, "BEGIN") : HG_ENOMEM;
	*episodes = 0;
	/* no append on any server while the projections are recomputed */
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "LOCK TABLE episodes, events IN EXCLUSIVE MODE");
	if (rc == HG_OK)
		rc = pgx_exec(p, c,
			      "DELETE FROM pending_acks; DELETE FROM episode_parties; DELETE FROM episode_projection; "
			      "DELETE FROM episode_facts;");
	if (rc == HG_OK)
		rc = pgx_query(p, c, &ids, "SELECT id FROM episodes ORDER BY id", "");
	for (int i = 0; rc == HG_OK && i < PQntuples(ids); i++) {
		int64_t id = pgr_int(ids, i, 0);
		event *evs = NULL;
		size_t n = 0;
		event_error err;
		rc = pg_read_events(p, c, id, &evs, &n);
		if (rc == HG_OK && n == 0) {
			hg_free(evs);
			continue;
		}
		if (rc == HG_OK && episode_fold(evs, n, st, &err) != HG_OK)
			rc = HG_EINTERNAL;
		if (rc == HG_OK) {
			st->id = id;
			/* "now" for a rebuilt row is the time of its last event, so a rebuild is deterministic. */
			rc = project(p, c, st, evs[n - 1].recorded_at, NULL);
		}
		if (rc == HG_OK)
			rc = pgf_facts_put(p, c, st, evs, n, NULL);
		hg_free(evs);
		(*episodes)++;
	}
	PQclear(ids);
	if (rc == HG_OK)
		rc = pgf_facts_mark_current(p, c);
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	atomic_fetch_add(&p->version, 1);
	pgx_rollback(c);
	pgc_put(p, c);
	hg_free(st);
	return rc;
}

hg_status pgs_projection_dump(pg_store *p, char **text)
{
	static const char *const queries[] = {
		"SELECT * FROM episode_projection ORDER BY episode_id",
		"SELECT * FROM episode_parties ORDER BY episode_id, unit_id",
		"SELECT * FROM pending_acks ORDER BY episode_id, seq, unit_id",
	};
	pg_conn *c = pgc_get(p);
	size_t cap = 4096, len = 0;
	char *buf = hg_malloc(cap);
	hg_status rc = buf ? pgx_exec(p, c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") : HG_ENOMEM;
	for (size_t qi = 0; rc == HG_OK && qi < sizeof queries / sizeof queries[0]; qi++) {
		PGresult *r = NULL;
		rc = pgx_query(p, c, &r, queries[qi], "");
		int cols = rc == HG_OK ? PQnfields(r) : 0;
		for (int row = 0; rc == HG_OK && row < PQntuples(r); row++) {
			for (int col = 0; col < cols && rc == HG_OK; col++) {
				const char *v = PQgetisnull(r, row, col) ? "NULL" : PQgetvalue(r, row, col);
				/* updated_at is bookkeeping, not state: leave it out of the comparison. */
				if (strcmp(PQfname(r, col), "updated_at") == 0)
					v = "-";
				size_t need = strlen(v) + 2;
				if (len + need + 1 > cap) {
					char *bigger = hg_realloc(buf, (cap + need) * 2);
					if (!bigger) {
						rc = HG_ENOMEM;
						break;
					}
					buf = bigger;
					cap = (cap + need) * 2;
				}
				len += (size_t)snprintf(buf + len, cap - len, "%s%c", v, col + 1 < cols ? '|' : '\n');
			}
		}
		PQclear(r);
	}
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	pgx_rollback(c);
	pgc_put(p, c);
	if (rc != HG_OK) {
		hg_free(buf);
		return rc;
	}
	buf[len] = '\0';
	*text = buf;
	return HG_OK;
}

static void read_setting(PGresult *r, int row, void *out) { pgr_str(r, row, 0, out, STORE_REASON_MAX); }

hg_status pgs_setting_get(pg_store *p, const char *key, char *value, size_t cap)
{
	char v[STORE_REASON_MAX];
	hg_status rc = pg_select1(p, sizeof v, read_setting, v, "SELECT value FROM settings WHERE key = $1", key);
	if (rc == HG_OK && cap) {
		size_t n = strlen(v);
		if (n >= cap)
			n = cap - 1;
		memcpy(value, v, n);
		value[n] = '\0';
	}
	return rc;
}

hg_status pgs_setting_put(pg_store *p, const char *key, const char *value)
{
	return pg_write1(p, NULL, "INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value = $2",
			 "tt", key, value);
}

void pgs_get_stats(pg_store *p, store_stats *out)
{
	out->events_appended = atomic_load(&p->appended);
	out->appends_replayed = atomic_load(&p->replayed);
	out->appends_rejected = atomic_load(&p->rejected);
	out->errors = atomic_load(&p->errors);
}

uint64_t pgs_units_version(pg_store *p)
{
	/* without a listener, or while it is not listening (its model not current), another server's commit
	 * could go unseen: then never the same twice */
	return p->listening && atomic_load(&p->rm_current) ? atomic_load(&p->version)
							   : atomic_fetch_add(&p->version, 1) + 1;
}

hg_status pgs_set_durability(pg_store *p, bool full)
{
	pg_conn *held[PG_POOL_SIZE];
	hg_status rc = HG_OK;
	/* Take every connection so that none is in use while its mode changes; one not connected yet gets
	 * the mode when it connects. */
	for (int i = 0; i < PG_POOL_SIZE; i++)
		held[i] = pgc_take(p);
	p->async_commit = !full;
	for (int i = 0; i < PG_POOL_SIZE && rc == HG_OK; i++)
		if (held[i]->c && PQstatus(held[i]->c) == CONNECTION_OK)
			rc = pgx_exec(p, held[i], full ? "SET synchronous_commit = on" : "SET synchronous_commit = off");
	for (int i = 0; i < PG_POOL_SIZE; i++)
		pgc_put(p, held[i]);
	return rc;
}

/* ---- the store handle on PostgreSQL ---- */

/* An empty read-only SQLite database with the SQLite schema, for the feature stores (see store_pg.h). */
static hg_status open_feature_placeholder(sqlite3 **out, char *err, size_t errlen)
{
	size_t n;
	const store_migration *m = store_migrations(&n);
	hg_status rc = sq_open_conn(":memory:", out, err, errlen);
	for (size_t i = 0; rc == HG_OK && i < n; i++)
		rc = sq_exec(*out, m[i].sql);
	if (rc == HG_OK)
		rc = sq_exec(*out, "PRAGMA query_only = 1");
	if (rc != HG_OK)
		snprintf(err, errlen, "cannot prepare the feature stores' placeholder");
	return rc;
}

hg_status pgs_store_open(const char *uri, store **out, char *err, size_t errlen)
{
	store *s = hg_calloc(1, sizeof *s);
	hg_status rc;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return HG_ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->write_lock, NULL);
	pthread_mutex_init(&s->sessions_lock, NULL);
	pthread_cond_init(&s->free_cond, NULL);
	rc = pgs_open(uri, &s->pg, err, errlen);
	for (int i = 0; rc == HG_OK && i < POOL_SIZE; i++)
		rc = open_feature_placeholder(&s->conns[i], err, errlen);
	if (rc != HG_OK) {
		pgs_store_close(s);
		return rc;
	}
	*out = s;
	return HG_OK;
}

void pgs_store_close(store *s)
{
	if (!s)
		return;
	pgs_close(s->pg);
	for (int i = 0; i < POOL_SIZE; i++)
		sqlite3_close(s->conns[i]);
	pthread_cond_destroy(&s->free_cond);
	pthread_mutex_destroy(&s->write_lock);
	pthread_mutex_destroy(&s->sessions_lock);
	pthread_mutex_destroy(&s->lock);
	hg_free(s);
}

bool store_is_postgres(const store *s) { return s && s->pg; }
