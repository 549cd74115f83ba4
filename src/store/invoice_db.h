/*
 * invoice_db.h - the rows of invoices (migrations/0002_invoices.sql,
 * 0005_invoice_step_keys.sql; migrations/pg/0001_init.sql) as typed values,
 * on either backend: invoice_db.c on SQLite, pg_invoice.c on PostgreSQL.
 * invoice_store.c builds, reviews and steps invoices with these and never
 * speaks SQL; nothing here decides anything about an invoice. A basis's
 * document and its step details are canonical JSON texts kept as they were
 * written (the store moves them, the builder reads them).
 *
 * Private to src/store. Texts in rows are hg_malloc'ed where the comment says
 * so; invoice_row_clear and invoice_step_rows_free let go of them.
 */
#ifndef HG_STORE_INVOICE_DB_H
#define HG_STORE_INVOICE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/domain.h"
#include "core/status.h"
#include "store/invoice_store.h"
#include "store/store.h"

#define INVOICE_CODE_MAX 16

typedef struct invoice_row {
	int64_t id; /* 0: no such row */
	char municipality[8];
	char municipality_name[HG_NAME_MAX];
	bool has_name; /* the municipality is in the directory */
	char month[8];
	int revision;
	char state[INVOICE_CODE_MAX];
	char outcome[INVOICE_CODE_MAX]; /* "" = none */
	hg_instant cutoff, built_at;
	char built_by[HG_ID_MAX];
	char agreement[HG_ID_MAX];
	int agreement_version;
	char *agreements; /* JSON [{"id", "version"}], hg_malloc'ed */
	int64_t total_ore, owed_ore;
	char *document; /* canonical JSON, hg_malloc'ed */
} invoice_row;

typedef struct invoice_step_row {
	int seq; /* assigned on insert */
	hg_instant at;
	char username[HG_ID_MAX];
	char org[HG_ID_MAX];
	char action[INVOICE_CODE_MAX];
	char state[INVOICE_CODE_MAX];
	char outcome[INVOICE_CODE_MAX]; /* "" = none */
	char *reason;                   /* hg_malloc'ed (borrowed on insert) */
	char *detail;                   /* canonical JSON, hg_malloc'ed (borrowed on insert) */
	int64_t owed_ore;
} invoice_step_row;

void invoice_row_clear(invoice_row *r);
void invoice_rows_free(invoice_row *rows, size_t n);
void invoice_step_rows_free(invoice_step_row *rows, size_t n);

/* One connection of the store's pool, SQLite or PostgreSQL; hg_malloc'ed by idb_open, freed by idb_close. */
typedef struct invoice_db invoice_db;
invoice_db *idb_open(store *s);
void idb_close(invoice_db *d);
/* A write transaction: on SQLite the store's write lock, on PostgreSQL a transaction that holds the invoices'
 * advisory lock (one writer of invoices at a time across servers). */
hg_status idb_begin(invoice_db *d) HG_MUST_CHECK;
hg_status idb_commit(invoice_db *d) HG_MUST_CHECK;
void idb_rollback(invoice_db *d);

/* Episodes of the projection admitted before `to` and not discharged before `from` (instants), of
 * municipality and county (NULL: any), by id: *ids hg_malloc'ed (caller frees). */
hg_status idb_candidates(invoice_db *d, hg_instant from, hg_instant to, const char *municipality, const char *county,
                         int64_t **ids, size_t *n) HG_MUST_CHECK;
/* invoice_store_totals (invoice_store.h): *rows hg_malloc'ed (caller frees). */
hg_status idb_totals(invoice_db *d, const invoice_filter *f, const char *first, const char *last, invoice_total **rows,
                     size_t *n) HG_MUST_CHECK;
/* Invoice id: HG_ENOTFOUND when there is none. */
hg_status idb_get(invoice_db *d, int64_t id, invoice_row *out) HG_MUST_CHECK;
/* Rows of the filter, newest month first; *rows hg_malloc'ed (invoice_rows_free). */
hg_status idb_list(invoice_db *d, const invoice_filter *f, invoice_row **rows, size_t *n) HG_MUST_CHECK;
/* The latest revision of (municipality, month); out->id 0 when none. */
hg_status idb_latest(invoice_db *d, const char *municipality, const char *month, invoice_row *out) HG_MUST_CHECK;
/* Inserts r as a draft (r->id, state, outcome and owed are ignored: owed = total); *id gets its id. */
hg_status idb_insert(invoice_db *d, const invoice_row *r, int64_t *id) HG_MUST_CHECK;
/* Moves invoice id to state (and, with outcome_and_owed, outcome (NULL: none) and owed_ore). */
hg_status idb_set_state(invoice_db *d, int64_t id, const char *state, bool outcome_and_owed, const char *outcome,
                        int64_t owed_ore) HG_MUST_CHECK;
/* The trail of invoice id in order; *rows hg_malloc'ed (invoice_step_rows_free). */
hg_status idb_steps(invoice_db *d, int64_t id, invoice_step_row **rows, size_t *n) HG_MUST_CHECK;
/* Appends step s (seq = the next one) to the trail of invoice id. */
hg_status idb_step_add(invoice_db *d, int64_t id, const invoice_step_row *s) HG_MUST_CHECK;
/* The detail of the latest dispute step of invoice id (hg_malloc'ed), or NULL when none. */
hg_status idb_last_dispute(invoice_db *d, int64_t id, char **detail) HG_MUST_CHECK;
/* The step an idempotency key of username took: *found, with its invoice and action. */
hg_status idb_key_get(invoice_db *d, const char *username, const char *key, bool *found, int64_t *invoice_id,
                      char action[INVOICE_CODE_MAX]) HG_MUST_CHECK;
/* Records that key took the latest step of invoice id (action). */
hg_status idb_key_put(invoice_db *d, const char *username, const char *key, int64_t id,
                      const char *action) HG_MUST_CHECK;

/* The invoices of municipality and county (NULL: any) that list episode (a line, an exclusion or the average
 * model's list), every state, newest month first as idb_list orders them, in one query: *refs hg_malloc'ed
 * (caller frees). */
hg_status idb_episode_invoices(invoice_db *d, int64_t episode, const char *municipality, const char *county,
                               invoice_ref **refs, size_t *n) HG_MUST_CHECK;

#endif
