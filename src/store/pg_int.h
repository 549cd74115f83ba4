/*
 * pg_int.h - internals of the PostgreSQL store, shared by the files that
 * implement parts of the storage port on PostgreSQL: store_pg.c (the core
 * port: events, users, audit) and the feature stores beside it (pg_agreement.c,
 * pg_interop.c, pg_followup.c, pg_invoice.c). The SQLite twin of this header
 * is store_int.h. Nothing outside src/store includes this file.
 *
 * One statement wrapper in the manner of Fossil's db.c: take a pooled
 * connection (pgc_get), run statements with typed parameters (pgx_query), read
 * columns with pgr_*, give the connection back (pgc_put). Every failure maps to
 * one hg_status (23505 HG_ECONFLICT, 23503 HG_ENOTFOUND, the rest HG_EIO).
 */
#ifndef HG_STORE_PG_INT_H
#define HG_STORE_PG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store/store_int.h"
#include "store/store_pg.h"

#define PG_STMT_CACHE 128
#define PG_PARAMS_MAX 40

typedef struct pg_stmt {
	char *sql; /* hg_malloc'ed copy of the statement text */
	char name[16];
} pg_stmt;

typedef struct pg_conn {
	PGconn *c;
	pg_stmt stmts[PG_STMT_CACHE];
	int n_stmts;
} pg_conn;

/* Typed parameters of one statement, as libpq wants them: text, or binary for bytea. */
typedef struct pg_params {
	int n;
	const char *values[PG_PARAMS_MAX];
	int lengths[PG_PARAMS_MAX];
	int formats[PG_PARAMS_MAX];
	char num[PG_PARAMS_MAX][24];
	bool overflow;
} pg_params;

void pgp_text(pg_params *p, const char *s);
void pgp_int(pg_params *p, int64_t v);
void pgp_bytes(pg_params *p, const uint8_t *b, int len);

/* Takes a connection from the pool (blocks while all are busy; reconnects a broken one). */
pg_conn *pgc_get(pg_store *p);
/* Gives it back (rolling back a transaction left open: NEVER on a correct path). */
void pgc_put(pg_store *p, pg_conn *c);

/* Runs sql with prepared parameters; *res (may be NULL) gets the result to PQclear(), NULL on failure. */
hg_status pgx_run(pg_store *p, pg_conn *c, PGresult **res, const char *sql, const pg_params *prm) HG_MUST_CHECK;
/*
 * Runs sql with parameters $1, $2, ... from `types`, one letter each: 't' text
 * (const char *; NULL binds NULL), 'i' int64_t, 'I' int64_t where 0 binds NULL,
 * 'T' hg_instant (HG_INSTANT_NONE binds NULL), 'h' a token hash, 'H' a request
 * hash (NULL binds NULL), 'b' bytes (const uint8_t *, then int length).
 */
hg_status pgx_query(pg_store *p, pg_conn *c, PGresult **res, const char *sql, const char *types, ...) HG_MUST_CHECK;
/* The hg_status of a result (as every statement's: 23505 HG_ECONFLICT, 23503 HG_ENOTFOUND, else HG_EIO). */
hg_status pgx_result_status(pg_store *p, pg_conn *c, PGresult *r) HG_MUST_CHECK;
/* Runs SQL without parameters or results (BEGIN, COMMIT, ...). */
hg_status pgx_exec(pg_store *p, pg_conn *c, const char *sql) HG_MUST_CHECK;
/* ROLLBACK where a failure needs no handling. */
void pgx_rollback(pg_conn *c);

/* One statement on a pooled connection, no result kept; *changes (may be NULL) gets the rows changed. */
hg_status pg_write1(pg_store *p, int *changes, const char *sql, const char *types, ...) HG_MUST_CHECK;
/* One SELECT (up to two text parameters t1, t2; NULL: not bound) whose rows become an array
 * (hg_malloc'ed, caller frees) via read_row. */
hg_status pg_select(pg_store *p, size_t elem_size, void (*read_row)(PGresult *, int, void *), void **out, size_t *n,
                    const char *sql, const char *t1, const char *t2) HG_MUST_CHECK;
/* One SELECT on a pooled connection with parameters bound as pgx_query's, its rows an array (hg_malloc'ed,
 * caller frees) via read_row. */
hg_status pg_collect(pg_store *p, size_t elem_size, void (*read_row)(PGresult *, int, void *), void **out, size_t *n,
                     const char *sql, const char *types, ...) HG_MUST_CHECK;
/* The one row of a SELECT by a text key: HG_ENOTFOUND when there is none. */
hg_status pg_select1(pg_store *p, size_t elem_size, void (*read_row)(PGresult *, int, void *), void *out,
                     const char *sql, const char *key) HG_MUST_CHECK;

/* Column readers: NULL reads as "", 0, HG_INSTANT_NONE, NULL respectively. */
void pgr_str(PGresult *r, int row, int col, char *dst, size_t cap);
int64_t pgr_int(PGresult *r, int row, int col);
hg_instant pgr_instant(PGresult *r, int row, int col);
const char *pgr_text(PGresult *r, int row, int col);
/* A bytea column (text format) decoded into a new buffer, hg_malloc'ed (caller frees), *len bytes;
 * NULL when out of memory or the column is NULL. */
uint8_t *pgr_bytes(PGresult *r, int row, int col, size_t *len);
/* Copies every row of r into a new array of elem_size-byte elements via read_row. *out hg_malloc'ed. */
hg_status pgr_collect(PGresult *r, size_t elem_size, void (*read_row)(PGresult *, int, void *), void **out,
                      size_t *n) HG_MUST_CHECK;

/*
 * Rows for one COPY ... FROM STDIN (pg_copyin.c): pgci_init with the COPY statement (text format), then per
 * row one call per column in the statement's column order and pgci_end_row; pgci_flush sends what is gathered
 * on c (inside the caller's transaction) and empties the buffer; pgci_free. Out of memory is reported by the
 * next pgci_flush (HG_ENOMEM).
 */
typedef struct pg_copyin {
	const char *sql;
	char *buf;
	size_t len, cap;
	int col;
	size_t rows; /* rows ended so far, flushed or not */
	bool failed;
} pg_copyin;
void pgci_init(pg_copyin *ci, const char *copy_sql);
void pgci_free(pg_copyin *ci);
void pgci_text(pg_copyin *ci, const char *s, size_t n); /* s NULL: NULL */
void pgci_str(pg_copyin *ci, const char *s);            /* s NULL: NULL */
void pgci_null(pg_copyin *ci);
void pgci_int(pg_copyin *ci, int64_t v);
void pgci_bytes(pg_copyin *ci, const uint8_t *b, size_t n); /* bytea; b NULL: NULL */
void pgci_end_row(pg_copyin *ci);
hg_status pgci_flush(pg_store *p, pg_conn *c, pg_copyin *ci) HG_MUST_CHECK;

/* Counts a storage error (for store_stats) and returns HG_EIO. */
hg_status pg_fail_io(pg_store *p);
/* Moves the version every cache of this server keys on (a feature write that the caches show). */
void pg_touch(pg_store *p);

/* The stored events of an episode in seq order, parsed; *out hg_malloc'ed (caller frees). HG_EINTERNAL when
 * one no longer parses. */
hg_status pg_read_events(pg_store *p, pg_conn *c, int64_t episode_id, event **out, size_t *n) HG_MUST_CHECK;
/*
 * The projection of a fold, as the rows project() writes for it (episode_projection, episode_parties,
 * pending_acks), handed to a sink: the projection row's values as parameters in the order of
 * PG_PROJECTION_COLUMNS, each party once, each notice to each recipient once. For the appends
 * (statements) and the bulk loader (COPY, pg_bulk.c). Stops at the first failure of a sink.
 */
#define PG_PROJECTION_COLUMNS                                                                                          \
	"episode_id, status, pnr, patient_name, municipality, primary_care_unit, hospital, ward, care_type, "          \
	"admitted_at, notice_at, expected_date, ready_at, discharged_at, track, notice_due, notice_met, "              \
	"care_contact_due, care_contact_met, sip_due, sip_met, last_seq, updated_at"
typedef struct pg_projection_sink {
	hg_status (*row)(void *ctx, const pg_params *prm);
	hg_status (*party)(void *ctx, int64_t episode_id, const char *unit, const char *party_role);
	hg_status (*ack)(void *ctx, int64_t episode_id, int32_t seq, const char *unit, const char *type,
	                 hg_instant sent_at, hg_instant acked_at);
} pg_projection_sink;
hg_status pg_projection_rows(const episode_state *st, hg_instant now, const pg_projection_sink *sink,
                             void *ctx) HG_MUST_CHECK;

/* Writes (or removes, for an episode without facts) the follow-up facts row of the fold st, derived by the core
 * from its events evs[0..n) and `last` (may be NULL), on c inside the caller's transaction (pg_followup.c). */
hg_status pgf_facts_put(pg_store *p, pg_conn *c, const episode_state *st, const event *evs, size_t n,
                        const event *last) HG_MUST_CHECK;
/* The facts row of the fold st (as pgf_facts_put derives it) into *r and its encoding into bytes
 * (FACTS_ENCODED_MAX); the encoding's length, 0 when the episode has no facts row. */
struct facts_row;
size_t pgf_facts_encode(const episode_state *st, const event *evs, size_t n, const event *last, struct facts_row *r,
                        uint8_t *bytes);
/* The row of *r (encoded as bytes[0..len)) for PGF_FACTS_COPY, and a survey answer's for PGF_ANSWER_COPY. */
#define PGF_FACTS_COPY "COPY episode_facts(episode_id, municipality, admitted_at, discharged_at, facts) FROM STDIN"
void pgf_facts_copy(pg_copyin *ci, int64_t episode_id, const struct facts_row *r, const uint8_t *bytes, size_t len);
#define PGF_ANSWER_COPY                                                                                                \
	"COPY survey_answers(episode_id, answered_at, channel, respondent, felt_safe, took_part, knew_care_contact, "  \
	"sip_where_wanted, comment, recorded_by) FROM STDIN"
void pgf_answer_copy(pg_copyin *ci, int64_t episode_id, const survey_answer *a, const char *by);
/* Marks the facts table current (setting followup.facts), inside the caller's transaction. */
hg_status pgf_facts_mark_current(pg_store *p, pg_conn *c) HG_MUST_CHECK;

/* pg_invoice.c, for invoice_db.c: each pgv_X has the contract of idb_X (invoice_db.h) on connection c. */
struct invoice_row;
struct invoice_step_row;
struct invoice_filter;
struct invoice_total;
hg_status pgv_totals(pg_store *p, pg_conn *c, const struct invoice_filter *f, const char *first, const char *last,
                     struct invoice_total **rows, size_t *n) HG_MUST_CHECK;
hg_status pgv_begin(pg_store *p, pg_conn *c) HG_MUST_CHECK;
hg_status pgv_candidates(pg_store *p, pg_conn *c, hg_instant from, hg_instant to, const char *municipality,
                         const char *county, int64_t **ids, size_t *n) HG_MUST_CHECK;
hg_status pgv_get(pg_store *p, pg_conn *c, int64_t id, struct invoice_row *out) HG_MUST_CHECK;
hg_status pgv_list(pg_store *p, pg_conn *c, const struct invoice_filter *f, struct invoice_row **rows,
                   size_t *n) HG_MUST_CHECK;
hg_status pgv_latest(pg_store *p, pg_conn *c, const char *municipality, const char *month,
                     struct invoice_row *out) HG_MUST_CHECK;
hg_status pgv_insert(pg_store *p, pg_conn *c, const struct invoice_row *r, int64_t *id) HG_MUST_CHECK;
hg_status pgv_set_state(pg_store *p, pg_conn *c, int64_t id, const char *state, bool outcome_and_owed,
                        const char *outcome, int64_t owed_ore) HG_MUST_CHECK;
hg_status pgv_steps(pg_store *p, pg_conn *c, int64_t id, struct invoice_step_row **rows, size_t *n) HG_MUST_CHECK;
hg_status pgv_step_add(pg_store *p, pg_conn *c, int64_t id, const struct invoice_step_row *s) HG_MUST_CHECK;
hg_status pgv_last_dispute(pg_store *p, pg_conn *c, int64_t id, char **detail) HG_MUST_CHECK;
hg_status pgv_key_get(pg_store *p, pg_conn *c, const char *username, const char *key, bool *found, int64_t *invoice_id,
                      char action[16]) HG_MUST_CHECK;
hg_status pgv_key_put(pg_store *p, pg_conn *c, const char *username, const char *key, int64_t id,
                      const char *action) HG_MUST_CHECK;
struct invoice_ref;
hg_status pgv_episode_invoices(pg_store *p, pg_conn *c, int64_t episode, const char *municipality, const char *county,
                               struct invoice_ref **refs, size_t *n) HG_MUST_CHECK;

#endif
