/*
 * pg_invoice.c - the invoice rows (invoice_db.h) on PostgreSQL, statement for
 * statement the twin of invoice_db.c. A write transaction takes the invoices'
 * transaction advisory lock first, so two servers building or stepping
 * invoices at once do so one after the other, as SQLite's single writer does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "store/invoice_db.h"
#include "store/pg_int.h"

#define PG_LOCK_INVOICES 0x68670006

hg_status pgv_begin(pg_store *p, pg_conn *c)
{
	hg_status rc = pgx_exec(p, c, "BEGIN");
	if (rc == HG_OK)
		rc = pgx_query(p, c, NULL, "SELECT pg_advisory_xact_lock($1)", "i", (int64_t)PG_LOCK_INVOICES);
	if (rc != HG_OK)
		pgx_rollback(c);
	return rc;
}

static void read_id(PGresult *r, int row, void *out)
{
	*(int64_t *)out = pgr_int(r, row, 0);
}

hg_status pgv_candidates(pg_store *p, pg_conn *c, hg_instant from, hg_instant to, const char *municipality,
                         const char *county, int64_t **ids, size_t *n)
{
	PGresult *r = NULL;
	hg_status rc =
	    pgx_query(p, c, &r,
	              "SELECT episode_id FROM episode_projection WHERE admitted_at < $2 AND "
	              "(discharged_at IS NULL OR discharged_at >= $1) AND ($3::text IS NULL OR municipality = $3) "
	              "AND ($4::text IS NULL OR substr(municipality, 1, 2) = $4) ORDER BY episode_id",
	              "iitt", (int64_t)from, (int64_t)to, municipality, county);
	if (rc == HG_OK) /* on the caller's connection: inside its snapshot */
		rc = pgr_collect(r, sizeof **ids, read_id, (void **)ids, n);
	PQclear(r);
	return rc;
}

static void read_total(PGresult *r, int row, void *out)
{
	invoice_total *t = out;
	memset(t, 0, sizeof *t);
	pgr_str(r, row, 0, t->municipality, sizeof t->municipality);
	pgr_str(r, row, 1, t->month, sizeof t->month);
	if (!invoice_state_from_code(pgr_text(r, row, 2), &t->state))
		t->state = INVOICE_DRAFT; /* NEVER: the table's CHECK allows the codes only */
	t->revision = (int)pgr_int(r, row, 3);
	t->total_ore = pgr_int(r, row, 4);
}

hg_status pgv_totals(pg_store *p, pg_conn *c, const invoice_filter *f, const char *first, const char *last,
                     invoice_total **rows, size_t *n)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(
	    p, c, &r,
	    "SELECT municipality, month, state, revision, total_ore FROM invoices i WHERE "
	    "state != 'superseded' AND month >= $1 AND month <= $2 AND ($3::text IS NULL OR municipality = $3) "
	    "AND ($4::text IS NULL OR substr(municipality, 1, 2) = $4) AND NOT EXISTS (SELECT 1 FROM invoices "
	    "j WHERE j.municipality = i.municipality AND j.month = i.month AND j.state != 'superseded' "
	    "AND j.revision > i.revision) ORDER BY municipality COLLATE \"C\", month COLLATE \"C\"",
	    "tttt", first, last, f->municipality, f->county);
	if (rc == HG_OK)
		rc = pgr_collect(r, sizeof **rows, read_total, (void **)rows, n);
	PQclear(r);
	return rc;
}

#define INVOICE_COLUMNS                                                                                                \
	"id, municipality, month, revision, state, outcome, cutoff, built_at, built_by, agreement, "                   \
	"agreement_version, agreements, total_ore, owed_ore, document, "                                               \
	"(SELECT name FROM organisations WHERE code = invoices.municipality)"

/* Every row of r (INVOICE_COLUMNS) into a new array; *rows hg_malloc'ed (invoice_rows_free). */
static hg_status read_invoices(PGresult *r, invoice_row **rows, size_t *n)
{
	int k = PQntuples(r);
	invoice_row *arr = hg_calloc(k ? (size_t)k : 1, sizeof *arr);
	hg_status rc = arr ? HG_OK : HG_ENOMEM;
	for (int i = 0; rc == HG_OK && i < k; i++) {
		invoice_row *v = &arr[i];
		v->id = pgr_int(r, i, 0);
		pgr_str(r, i, 1, v->municipality, sizeof v->municipality);
		pgr_str(r, i, 2, v->month, sizeof v->month);
		v->revision = (int)pgr_int(r, i, 3);
		pgr_str(r, i, 4, v->state, sizeof v->state);
		pgr_str(r, i, 5, v->outcome, sizeof v->outcome);
		v->cutoff = pgr_int(r, i, 6);
		v->built_at = pgr_int(r, i, 7);
		pgr_str(r, i, 8, v->built_by, sizeof v->built_by);
		pgr_str(r, i, 9, v->agreement, sizeof v->agreement);
		v->agreement_version = (int)pgr_int(r, i, 10);
		v->agreements = hg_strdup(PQgetvalue(r, i, 11));
		v->total_ore = pgr_int(r, i, 12);
		v->owed_ore = pgr_int(r, i, 13);
		v->document = hg_strdup(PQgetvalue(r, i, 14));
		v->has_name = !PQgetisnull(r, i, 15);
		pgr_str(r, i, 15, v->municipality_name, sizeof v->municipality_name);
		if (!v->agreements || !v->document)
			rc = HG_ENOMEM;
	}
	if (rc) {
		invoice_rows_free(arr, arr ? (size_t)k : 0);
		return rc;
	}
	*rows = arr;
	*n = (size_t)k;
	return HG_OK;
}

/* The first row of a query into *out (out->id 0 when none). */
static hg_status first_invoice(PGresult *r, invoice_row *out)
{
	invoice_row *rows = NULL;
	size_t n = 0;
	memset(out, 0, sizeof *out);
	hg_status rc = read_invoices(r, &rows, &n);
	if (rc == HG_OK && n) {
		*out = rows[0];
		memset(&rows[0], 0, sizeof rows[0]);
	}
	invoice_rows_free(rows, n);
	return rc;
}

hg_status pgv_get(pg_store *p, pg_conn *c, int64_t id, invoice_row *out)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r, "SELECT " INVOICE_COLUMNS " FROM invoices WHERE id = $1", "i", id);
	if (rc == HG_OK && PQntuples(r) == 0)
		rc = HG_ENOTFOUND;
	if (rc == HG_OK)
		rc = first_invoice(r, out);
	PQclear(r);
	return rc;
}

hg_status pgv_list(pg_store *p, pg_conn *c, const invoice_filter *f, invoice_row **rows, size_t *n)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(
	    p, c, &r,
	    "SELECT " INVOICE_COLUMNS " FROM invoices WHERE ($1::text IS NULL OR month = $1) AND "
	    "($2::text IS NULL OR municipality = $2) AND ($3::text IS NULL OR substr(municipality, 1, 2) = $3) "
	    "AND ($4::int = -2 OR ($4::int = -1 AND state != 'superseded') OR state = $5) "
	    "ORDER BY month COLLATE \"C\" DESC, municipality COLLATE \"C\", revision DESC",
	    "tttit", f->month, f->municipality, f->county, (int64_t)(f->state < 0 ? f->state : 0),
	    f->state >= 0 ? invoice_state_label((invoice_state)f->state)->code : "");
	if (rc == HG_OK)
		rc = read_invoices(r, rows, n);
	PQclear(r);
	return rc;
}

hg_status pgv_latest(pg_store *p, pg_conn *c, const char *municipality, const char *month, invoice_row *out)
{
	PGresult *r = NULL;
	memset(out, 0, sizeof *out);
	hg_status rc = pgx_query(p, c, &r,
	                         "SELECT " INVOICE_COLUMNS " FROM invoices WHERE municipality = $1 AND month = $2 "
	                         "ORDER BY revision DESC LIMIT 1",
	                         "tt", municipality, month);
	if (rc == HG_OK)
		rc = first_invoice(r, out);
	PQclear(r);
	return rc;
}

hg_status pgv_insert(pg_store *p, pg_conn *c, const invoice_row *v, int64_t *id)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(
	    p, c, &r,
	    "INSERT INTO invoices(municipality, month, revision, state, cutoff, built_at, built_by, "
	    "agreement, agreement_version, agreements, total_ore, owed_ore, document) VALUES "
	    "($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING id",
	    "ttiiittitit", v->municipality, v->month, (int64_t)v->revision, (int64_t)v->cutoff, (int64_t)v->built_at,
	    v->built_by, v->agreement, (int64_t)v->agreement_version, v->agreements, v->total_ore, v->document);
	if (rc == HG_OK)
		*id = pgr_int(r, 0, 0);
	PQclear(r);
	return rc;
}

hg_status pgv_set_state(pg_store *p, pg_conn *c, int64_t id, const char *state, bool outcome_and_owed,
                        const char *outcome, int64_t owed_ore)
{
	if (outcome_and_owed)
		return pgx_query(p, c, NULL,
		                 "UPDATE invoices SET state = $2, outcome = $3, owed_ore = $4 WHERE id = $1", "itti",
		                 id, state, outcome, owed_ore);
	return pgx_query(p, c, NULL, "UPDATE invoices SET state = $2 WHERE id = $1", "it", id, state);
}

hg_status pgv_steps(pg_store *p, pg_conn *c, int64_t id, invoice_step_row **rows, size_t *n)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r,
	                         "SELECT seq, at, username, org, action, state, outcome, reason, detail, owed_ore "
	                         "FROM invoice_steps WHERE invoice_id = $1 ORDER BY seq",
	                         "i", id);
	int k = rc == HG_OK ? PQntuples(r) : 0;
	invoice_step_row *arr = rc == HG_OK ? hg_calloc(k ? (size_t)k : 1, sizeof *arr) : NULL;
	if (rc == HG_OK && !arr)
		rc = HG_ENOMEM;
	for (int i = 0; rc == HG_OK && i < k; i++) {
		invoice_step_row *s = &arr[i];
		s->seq = (int)pgr_int(r, i, 0);
		s->at = pgr_int(r, i, 1);
		pgr_str(r, i, 2, s->username, sizeof s->username);
		pgr_str(r, i, 3, s->org, sizeof s->org);
		pgr_str(r, i, 4, s->action, sizeof s->action);
		pgr_str(r, i, 5, s->state, sizeof s->state);
		pgr_str(r, i, 6, s->outcome, sizeof s->outcome);
		s->reason = hg_strdup(PQgetvalue(r, i, 7));
		s->detail = hg_strdup(PQgetvalue(r, i, 8));
		s->owed_ore = pgr_int(r, i, 9);
		if (!s->reason || !s->detail)
			rc = HG_ENOMEM;
	}
	PQclear(r);
	if (rc) {
		invoice_step_rows_free(arr, arr ? (size_t)k : 0);
		return rc;
	}
	*rows = arr;
	*n = (size_t)k;
	return HG_OK;
}

hg_status pgv_step_add(pg_store *p, pg_conn *c, int64_t id, const invoice_step_row *s)
{
	return pgx_query(
	    p, c, NULL,
	    "INSERT INTO invoice_steps(invoice_id, seq, at, username, org, action, state, outcome, reason, "
	    "detail, owed_ore) VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invoice_steps "
	    "WHERE invoice_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	    "iittttttti", id, (int64_t)s->at, s->username, s->org, s->action, s->state,
	    s->outcome[0] ? s->outcome : NULL, s->reason ? s->reason : "", s->detail, s->owed_ore);
}

hg_status pgv_last_dispute(pg_store *p, pg_conn *c, int64_t id, char **detail)
{
	PGresult *r = NULL;
	*detail = NULL;
	hg_status rc = pgx_query(p, c, &r,
	                         "SELECT detail FROM invoice_steps WHERE invoice_id = $1 AND action = 'dispute' "
	                         "ORDER BY seq DESC LIMIT 1",
	                         "i", id);
	if (rc == HG_OK && PQntuples(r) > 0 && !(*detail = hg_strdup(PQgetvalue(r, 0, 0))))
		rc = HG_ENOMEM;
	PQclear(r);
	return rc;
}

hg_status pgv_key_get(pg_store *p, pg_conn *c, const char *username, const char *key, bool *found, int64_t *invoice_id,
                      char action[16])
{
	PGresult *r = NULL;
	*found = false;
	hg_status rc =
	    pgx_query(p, c, &r, "SELECT invoice_id, action FROM invoice_step_keys WHERE username = $1 AND key = $2",
	              "tt", username, key);
	if (rc == HG_OK && PQntuples(r) > 0) {
		*found = true;
		*invoice_id = pgr_int(r, 0, 0);
		pgr_str(r, 0, 1, action, 16);
	}
	PQclear(r);
	return rc;
}

hg_status pgv_key_put(pg_store *p, pg_conn *c, const char *username, const char *key, int64_t id, const char *action)
{
	return pgx_query(p, c, NULL,
	                 "INSERT INTO invoice_step_keys(username, key, invoice_id, action, seq) "
	                 "VALUES ($1, $2, $3, $4, (SELECT MAX(seq) FROM invoice_steps WHERE invoice_id = $3))",
	                 "ttit", username, key, id, action);
}

/* ---- the invoices that list an episode (an invoice officer's way to it) ---- */

static void read_ref(PGresult *r, int row, void *out)
{
	invoice_ref *v = out;
	memset(v, 0, sizeof *v);
	v->id = pgr_int(r, row, 0);
	pgr_str(r, row, 1, v->municipality, sizeof v->municipality);
	if (!invoice_state_from_code(pgr_text(r, row, 2), &v->state))
		v->state = INVOICE_SUPERSEDED; /* NEVER: the table's CHECK allows the codes only; reaches no one */
}

hg_status pgv_episode_invoices(pg_store *p, pg_conn *c, int64_t episode, const char *municipality, const char *county,
                               invoice_ref **refs, size_t *n)
{
	PGresult *r = NULL;
	/* [{"episode": N}] is contained in a list that has an element with that episode */
	char probe[48];
	(void)snprintf(probe, sizeof probe, "[{\"episode\": %lld}]", (long long)episode);
	hg_status rc = pgx_query(
	    p, c, &r,
	    "SELECT id, municipality, state FROM (SELECT id, municipality, state, month, revision, document::jsonb AS "
	    "d "
	    "FROM invoices WHERE ($2::text IS NULL OR municipality = $2) AND "
	    "($3::text IS NULL OR substr(municipality, 1, 2) = $3)) i "
	    "WHERE d->'lines' @> $1::jsonb OR d->'exclusions' @> $1::jsonb OR d->'average'->'episodes' @> $1::jsonb "
	    "ORDER BY month COLLATE \"C\" DESC, municipality COLLATE \"C\", revision DESC",
	    "ttt", probe, municipality, county);
	if (rc == HG_OK)
		rc = pgr_collect(r, sizeof **refs, read_ref, (void **)refs, n);
	PQclear(r);
	return rc;
}
