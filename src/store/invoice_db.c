/*
 * invoice_db.c - the invoice rows (invoice_db.h) on SQLite, and the handle
 * that hands each call to pg_invoice.c when the store is PostgreSQL. Every
 * function runs its statements on the one connection the handle took from the
 * pool, inside the caller's transaction when one is open.
 */
#include "store/invoice_db.h"

#include <string.h>

#include "core/alloc.h"
#include "store/pg_int.h"
#include "store/sq_db.h"
#include "store/store_int.h"

struct invoice_db {
	store *s;
	sqlite3 *db;  /* SQLite */
	pg_conn *pc;  /* PostgreSQL */
	bool writing; /* SQLite: the write lock is held */
};

void invoice_row_clear(invoice_row *r)
{
	hg_free(r->agreements);
	hg_free(r->document);
	r->agreements = r->document = NULL;
}

void invoice_rows_free(invoice_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		invoice_row_clear(&rows[i]);
	hg_free(rows);
}

void invoice_step_rows_free(invoice_step_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		hg_free(rows[i].reason);
		hg_free(rows[i].detail);
	}
	hg_free(rows);
}

invoice_db *idb_open(store *s)
{
	invoice_db *d = hg_calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->s = s;
	if (s->pg)
		d->pc = pgc_get(s->pg);
	else
		d->db = sq_conn_get(s);
	return d;
}

void idb_close(invoice_db *d)
{
	if (!d)
		return;
	if (d->pc)
		pgc_put(d->s->pg, d->pc);
	else
		sq_conn_put(d->s, d->db);
	hg_free(d);
}

/* The status of a failed storage call, counted as the store's error. */
static hg_status io(invoice_db *d, hg_status rc)
{
	if (rc == HG_EIO && !d->pc)
		return sq_fail_io(d->s);
	return rc;
}

hg_status idb_begin(invoice_db *d)
{
	if (d->pc)
		return pgv_begin(d->s->pg, d->pc);
	hg_status rc = sq_write_begin(d->s, d->db);
	d->writing = rc == HG_OK;
	return io(d, rc);
}

hg_status idb_commit(invoice_db *d)
{
	if (d->pc)
		return pgx_exec(d->s->pg, d->pc, "COMMIT");
	d->writing = false;
	return io(d, sq_write_commit(d->s, d->db));
}

void idb_rollback(invoice_db *d)
{
	if (d->pc) {
		pgx_rollback(d->pc);
	} else if (d->writing) {
		sq_write_rollback(d->s, d->db);
		d->writing = false;
	}
}

/* ---- SQLite ---- */

static hg_status read_id(sq_q *q, void *p)
{
	*(int64_t *)p = sq_q_col_int64(q, 0);
	return HG_OK;
}

hg_status idb_candidates(invoice_db *d, hg_instant from, hg_instant to, const char *municipality, const char *county,
                         int64_t **ids, size_t *n)
{
	if (d->pc)
		return pgv_candidates(d->s->pg, d->pc, from, to, municipality, county, ids, n);
	sq_q q;
	sq_q_prepare(&q, d->db,
	             "SELECT episode_id FROM episode_projection WHERE admitted_at < ?2 AND "
	             "(discharged_at IS NULL OR discharged_at >= ?1) AND (?3 IS NULL OR municipality = ?3) "
	             "AND (?4 IS NULL OR substr(municipality, 1, 2) = ?4) ORDER BY episode_id");
	sq_q_bind_int64(&q, 1, from);
	sq_q_bind_int64(&q, 2, to);
	sq_q_bind_text(&q, 3, municipality);
	sq_q_bind_text(&q, 4, county);
	return io(d, sq_q_collect(&q, sizeof **ids, read_id, (void **)ids, n));
}

static hg_status read_total(sq_q *q, void *p)
{
	invoice_total *t = p;
	memset(t, 0, sizeof *t);
	sq_q_col_str(q, 0, t->municipality, sizeof t->municipality);
	sq_q_col_str(q, 1, t->month, sizeof t->month);
	if (!invoice_state_from_code(sq_q_col_text(q, 2), &t->state))
		t->state = INVOICE_DRAFT; /* NEVER: the table's CHECK allows the codes only */
	t->revision = sq_q_col_int(q, 3);
	t->total_ore = sq_q_col_int64(q, 4);
	return HG_OK;
}

hg_status idb_totals(invoice_db *d, const invoice_filter *f, const char *first, const char *last, invoice_total **rows,
                     size_t *n)
{
	if (d->pc)
		return pgv_totals(d->s->pg, d->pc, f, first, last, rows, n);
	sq_q q;
	sq_q_prepare(&q, d->db,
	             "SELECT municipality, month, state, revision, total_ore FROM invoices i WHERE "
	             "state != 'superseded' AND month >= ?1 AND month <= ?2 AND (?3 IS NULL OR municipality = ?3) "
	             "AND (?4 IS NULL OR substr(municipality, 1, 2) = ?4) AND NOT EXISTS (SELECT 1 FROM invoices "
	             "j WHERE j.municipality = i.municipality AND j.month = i.month AND j.state != 'superseded' "
	             "AND j.revision > i.revision) ORDER BY municipality, month");
	sq_q_bind_text(&q, 1, first);
	sq_q_bind_text(&q, 2, last);
	sq_q_bind_text(&q, 3, f->municipality);
	sq_q_bind_text(&q, 4, f->county);
	return io(d, sq_q_collect(&q, sizeof **rows, read_total, (void **)rows, n));
}

#define INVOICE_COLUMNS                                                                                                \
	"id, municipality, month, revision, state, outcome, cutoff, built_at, built_by, agreement, "                   \
	"agreement_version, agreements, total_ore, owed_ore, document, "                                               \
	"(SELECT name FROM organisations WHERE code = invoices.municipality)"

/* A row of INVOICE_COLUMNS into p (an invoice_row); HG_ENOMEM, holding nothing, when a text cannot be copied. */
static hg_status read_invoice(sq_q *q, void *p)
{
	invoice_row *r = p;
	memset(r, 0, sizeof *r);
	r->id = sq_q_col_int64(q, 0);
	sq_q_col_str(q, 1, r->municipality, sizeof r->municipality);
	sq_q_col_str(q, 2, r->month, sizeof r->month);
	r->revision = sq_q_col_int(q, 3);
	sq_q_col_str(q, 4, r->state, sizeof r->state);
	sq_q_col_str(q, 5, r->outcome, sizeof r->outcome);
	r->cutoff = sq_q_col_int64(q, 6);
	r->built_at = sq_q_col_int64(q, 7);
	sq_q_col_str(q, 8, r->built_by, sizeof r->built_by);
	sq_q_col_str(q, 9, r->agreement, sizeof r->agreement);
	r->agreement_version = sq_q_col_int(q, 10);
	r->agreements = hg_strdup(sq_q_col_text(q, 11));
	r->total_ore = sq_q_col_int64(q, 12);
	r->owed_ore = sq_q_col_int64(q, 13);
	r->document = hg_strdup(sq_q_col_text(q, 14));
	r->has_name = !sq_q_col_null(q, 15);
	sq_q_col_str(q, 15, r->municipality_name, sizeof r->municipality_name);
	if (!r->agreements || !r->document) {
		invoice_row_clear(r);
		return HG_ENOMEM;
	}
	return HG_OK;
}

static void clear_invoice(void *p)
{
	invoice_row_clear(p);
}

/* The one row of q, if any, into *out (untouched unless it is read whole); *found says whether there was one. */
static hg_status one_invoice(invoice_db *d, sq_q *q, invoice_row *out, bool *found)
{
	invoice_row r = {0};
	*found = sq_q_step(q);
	if (*found)
		sq_q_fail(q, read_invoice(q, &r));
	hg_status rc = sq_q_finish(q);
	if (rc == HG_OK && *found)
		*out = r;
	return io(d, rc);
}

hg_status idb_get(invoice_db *d, int64_t id, invoice_row *out)
{
	if (d->pc)
		return pgv_get(d->s->pg, d->pc, id, out);
	sq_q q;
	bool found;
	sq_q_prepare(&q, d->db, "SELECT " INVOICE_COLUMNS " FROM invoices WHERE id = ?1");
	sq_q_bind_int64(&q, 1, id);
	hg_status rc = one_invoice(d, &q, out, &found);
	return rc == HG_OK && !found ? HG_ENOTFOUND : rc;
}

hg_status idb_list(invoice_db *d, const invoice_filter *f, invoice_row **rows, size_t *n)
{
	if (d->pc)
		return pgv_list(d->s->pg, d->pc, f, rows, n);
	sq_q q;
	sq_q_prepare(&q, d->db,
	             "SELECT " INVOICE_COLUMNS " FROM invoices WHERE (?1 IS NULL OR month = ?1) AND "
	             "(?2 IS NULL OR municipality = ?2) AND (?3 IS NULL OR substr(municipality, 1, 2) = ?3) "
	             "AND (?4 = -2 OR (?4 = -1 AND state != 'superseded') OR state = ?5) "
	             "ORDER BY month DESC, municipality, revision DESC");
	sq_q_bind_text(&q, 1, f->month);
	sq_q_bind_text(&q, 2, f->municipality);
	sq_q_bind_text(&q, 3, f->county);
	sq_q_bind_int64(&q, 4, f->state < 0 ? f->state : 0);
	sq_q_bind_text(&q, 5, f->state >= 0 ? invoice_state_label((invoice_state)f->state)->code : "");
	return io(d, sq_q_collect_owning(&q, sizeof **rows, read_invoice, clear_invoice, (void **)rows, n));
}

hg_status idb_latest(invoice_db *d, const char *municipality, const char *month, invoice_row *out)
{
	if (d->pc)
		return pgv_latest(d->s->pg, d->pc, municipality, month, out);
	sq_q q;
	bool found;
	memset(out, 0, sizeof *out);
	sq_q_prepare(&q, d->db,
	             "SELECT " INVOICE_COLUMNS " FROM invoices WHERE municipality = ?1 AND month = ?2 "
	             "ORDER BY revision DESC LIMIT 1");
	sq_q_bind_text(&q, 1, municipality);
	sq_q_bind_text(&q, 2, month);
	return one_invoice(d, &q, out, &found);
}

hg_status idb_insert(invoice_db *d, const invoice_row *r, int64_t *id)
{
	if (d->pc)
		return pgv_insert(d->s->pg, d->pc, r, id);
	sq_q q;
	sq_q_prepare(&q, d->db,
	             "INSERT INTO invoices(municipality, month, revision, state, cutoff, built_at, built_by, "
	             "agreement, agreement_version, agreements, total_ore, owed_ore, document) VALUES "
	             "(?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)");
	sq_q_bind_text(&q, 1, r->municipality);
	sq_q_bind_text(&q, 2, r->month);
	sq_q_bind_int64(&q, 3, r->revision);
	sq_q_bind_int64(&q, 4, r->cutoff);
	sq_q_bind_int64(&q, 5, r->built_at);
	sq_q_bind_text(&q, 6, r->built_by);
	sq_q_bind_text(&q, 7, r->agreement);
	sq_q_bind_int64(&q, 8, r->agreement_version);
	sq_q_bind_text(&q, 9, r->agreements);
	sq_q_bind_int64(&q, 10, r->total_ore);
	sq_q_bind_text(&q, 11, r->document);
	hg_status rc = sq_q_exec(&q);
	if (rc == HG_OK)
		*id = sq_q_last_id(&q);
	return io(d, rc);
}

hg_status idb_set_state(invoice_db *d, int64_t id, const char *state, bool outcome_and_owed, const char *outcome,
                        int64_t owed_ore)
{
	if (d->pc)
		return pgv_set_state(d->s->pg, d->pc, id, state, outcome_and_owed, outcome, owed_ore);
	sq_q q;
	sq_q_prepare(&q, d->db,
	             outcome_and_owed ? "UPDATE invoices SET state = ?2, outcome = ?3, owed_ore = ?4 WHERE id = ?1"
	                              : "UPDATE invoices SET state = ?2 WHERE id = ?1");
	sq_q_bind_int64(&q, 1, id);
	sq_q_bind_text(&q, 2, state);
	if (outcome_and_owed) {
		sq_q_bind_text(&q, 3, outcome);
		sq_q_bind_int64(&q, 4, owed_ore);
	}
	return io(d, sq_q_exec(&q));
}

/* A row of invoice_steps into p (an invoice_step_row); HG_ENOMEM, holding nothing, when a text cannot be copied. */
static hg_status read_step(sq_q *q, void *p)
{
	invoice_step_row *s = p;
	memset(s, 0, sizeof *s);
	s->seq = sq_q_col_int(q, 0);
	s->at = sq_q_col_int64(q, 1);
	sq_q_col_str(q, 2, s->username, sizeof s->username);
	sq_q_col_str(q, 3, s->org, sizeof s->org);
	sq_q_col_str(q, 4, s->action, sizeof s->action);
	sq_q_col_str(q, 5, s->state, sizeof s->state);
	sq_q_col_str(q, 6, s->outcome, sizeof s->outcome);
	s->reason = hg_strdup(sq_q_col_text(q, 7));
	s->detail = hg_strdup(sq_q_col_text(q, 8));
	s->owed_ore = sq_q_col_int64(q, 9);
	if (!s->reason || !s->detail) {
		hg_free(s->reason);
		hg_free(s->detail);
		s->reason = s->detail = NULL;
		return HG_ENOMEM;
	}
	return HG_OK;
}

static void clear_step(void *p)
{
	invoice_step_row *s = p;
	hg_free(s->reason);
	hg_free(s->detail);
}

hg_status idb_steps(invoice_db *d, int64_t id, invoice_step_row **rows, size_t *n)
{
	if (d->pc)
		return pgv_steps(d->s->pg, d->pc, id, rows, n);
	sq_q q;
	sq_q_prepare(&q, d->db,
	             "SELECT seq, at, username, org, action, state, outcome, reason, detail, owed_ore "
	             "FROM invoice_steps WHERE invoice_id = ?1 ORDER BY seq");
	sq_q_bind_int64(&q, 1, id);
	return io(d, sq_q_collect_owning(&q, sizeof **rows, read_step, clear_step, (void **)rows, n));
}

hg_status idb_step_add(invoice_db *d, int64_t id, const invoice_step_row *s)
{
	if (d->pc)
		return pgv_step_add(d->s->pg, d->pc, id, s);
	sq_q q;
	sq_q_prepare(&q, d->db,
	             "INSERT INTO invoice_steps(invoice_id, seq, at, username, org, action, state, "
	             "outcome, reason, detail, owed_ore) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 "
	             "FROM invoice_steps WHERE invoice_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	sq_q_bind_int64(&q, 1, id);
	sq_q_bind_int64(&q, 2, s->at);
	sq_q_bind_text(&q, 3, s->username);
	sq_q_bind_text(&q, 4, s->org);
	sq_q_bind_text(&q, 5, s->action);
	sq_q_bind_text(&q, 6, s->state);
	sq_q_bind_text_or_null(&q, 7, s->outcome);
	sq_q_bind_text(&q, 8, s->reason ? s->reason : "");
	sq_q_bind_text(&q, 9, s->detail);
	sq_q_bind_int64(&q, 10, s->owed_ore);
	return io(d, sq_q_exec(&q));
}

hg_status idb_last_dispute(invoice_db *d, int64_t id, char **detail)
{
	if (d->pc)
		return pgv_last_dispute(d->s->pg, d->pc, id, detail);
	sq_q q;
	*detail = NULL;
	sq_q_prepare(&q, d->db,
	             "SELECT detail FROM invoice_steps WHERE invoice_id = ?1 AND action = 'dispute' "
	             "ORDER BY seq DESC LIMIT 1");
	sq_q_bind_int64(&q, 1, id);
	hg_status rc = sq_q_text_copy(&q, detail);
	return io(d, rc == HG_ENOTFOUND ? HG_OK : rc); /* none: *detail stays NULL */
}

hg_status idb_key_get(invoice_db *d, const char *username, const char *key, bool *found, int64_t *invoice_id,
                      char action[INVOICE_CODE_MAX])
{
	if (d->pc)
		return pgv_key_get(d->s->pg, d->pc, username, key, found, invoice_id, action);
	sq_q q;
	sq_q_prepare(&q, d->db, "SELECT invoice_id, action FROM invoice_step_keys WHERE username = ?1 AND key = ?2");
	sq_q_bind_text(&q, 1, username);
	sq_q_bind_text(&q, 2, key);
	*found = sq_q_step(&q);
	if (*found) {
		*invoice_id = sq_q_col_int64(&q, 0);
		sq_q_col_str(&q, 1, action, INVOICE_CODE_MAX);
	}
	return io(d, sq_q_finish(&q));
}

hg_status idb_key_put(invoice_db *d, const char *username, const char *key, int64_t id, const char *action)
{
	if (d->pc)
		return pgv_key_put(d->s->pg, d->pc, username, key, id, action);
	sq_q q;
	sq_q_prepare(&q, d->db,
	             "INSERT INTO invoice_step_keys(username, key, invoice_id, action, seq) "
	             "VALUES (?1, ?2, ?3, ?4, (SELECT MAX(seq) FROM invoice_steps WHERE invoice_id = ?3))");
	sq_q_bind_text(&q, 1, username);
	sq_q_bind_text(&q, 2, key);
	sq_q_bind_int64(&q, 3, id);
	sq_q_bind_text(&q, 4, action);
	return io(d, sq_q_exec(&q));
}

/* ---- the invoices that list an episode (an invoice officer's way to it), on sq_db ---- */

static hg_status read_ref(sq_q *q, void *p)
{
	invoice_ref *r = p;
	char state[INVOICE_CODE_MAX];
	memset(r, 0, sizeof *r);
	r->id = sq_q_col_int64(q, 0);
	sq_q_col_str(q, 1, r->municipality, sizeof r->municipality);
	sq_q_col_str(q, 2, state, sizeof state);
	if (!invoice_state_from_code(state, &r->state))
		r->state = INVOICE_SUPERSEDED; /* NEVER: the table's CHECK allows the codes only; reaches no one */
	return HG_OK;
}

hg_status idb_episode_invoices(invoice_db *d, int64_t episode, const char *municipality, const char *county,
                               invoice_ref **refs, size_t *n)
{
	if (d->pc)
		return pgv_episode_invoices(d->s->pg, d->pc, episode, municipality, county, refs, n);
	sq_q q;
	sq_q_prepare(
	    &q, d->db,
	    "SELECT id, municipality, state FROM invoices i WHERE (?2 IS NULL OR municipality = ?2) AND "
	    "(?3 IS NULL OR substr(municipality, 1, 2) = ?3) AND ("
	    "EXISTS (SELECT 1 FROM json_each(i.document, '$.lines') WHERE json_extract(value, '$.episode') = ?1) "
	    "OR EXISTS (SELECT 1 FROM json_each(i.document, '$.exclusions') "
	    "WHERE json_extract(value, '$.episode') = ?1) "
	    "OR EXISTS (SELECT 1 FROM json_each(i.document, '$.average.episodes') "
	    "WHERE json_extract(value, '$.episode') = ?1)) "
	    "ORDER BY month DESC, municipality, revision DESC");
	sq_q_bind_int64(&q, 1, episode);
	sq_q_bind_text(&q, 2, municipality);
	sq_q_bind_text(&q, 3, county);
	return io(d, sq_q_collect(&q, sizeof **refs, read_ref, (void **)refs, n));
}
