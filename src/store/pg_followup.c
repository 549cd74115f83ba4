/*
 * pg_followup.c - the follow-up store (followup_store.h) on PostgreSQL: the
 * facts rows of every episode (written in the transaction of each append and
 * by a rebuild, as on SQLite), the loading of a period's rows or events into an
 * indicator set, saved point measurements, and the survey's links and answers.
 * followup_sqlite.c keeps what both backends share (the agreements handed to
 * the set, the small-cell setting) and hands each storage call here. No figure
 * is computed in this file: the core derives, encodes and decodes the rows
 * (core/facts.h) and computes every indicator (core/indicator.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/facts.h"
#include "store/followup_store.h"
#include "store/pg_int.h"

#define PROGRESS_EVERY 2000
#define FACTS_SETTING  "followup.facts"
#define PG_LOCK_FACTS  0x68670005

/* ---- the facts ---- */

size_t pgf_facts_encode(const episode_state *st, const event *evs, size_t n, const event *last, facts_row *r,
                        uint8_t *bytes)
{
	return facts_derive(st, evs, n, last, r) ? facts_encode(r, bytes, FACTS_ENCODED_MAX) : 0;
}

hg_status pgf_facts_put(pg_store *p, pg_conn *c, const episode_state *st, const event *evs, size_t n, const event *last)
{
	facts_row *r = hg_malloc(sizeof *r);
	uint8_t *bytes = hg_malloc(FACTS_ENCODED_MAX);
	hg_status rc = r && bytes ? HG_OK : HG_ENOMEM;
	size_t len = rc == HG_OK ? pgf_facts_encode(st, evs, n, last, r, bytes) : 0;
	if (len) {
		rc = pgx_query(p, c, NULL,
		               "INSERT INTO episode_facts(episode_id, municipality, admitted_at, discharged_at, facts) "
		               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT(episode_id) DO UPDATE SET municipality = $2, "
		               "admitted_at = $3, discharged_at = $4, facts = $5",
		               "itiTb", st->id, r->municipality,
		               (int64_t)(r->admitted_at == HG_INSTANT_NONE ? 0 : r->admitted_at),
		               r->deadlines.discharged_at, bytes, (int)len);
	} else if (rc == HG_OK) {
		rc = pgx_query(p, c, NULL, "DELETE FROM episode_facts WHERE episode_id = $1", "i", st->id);
	}
	hg_free(bytes);
	hg_free(r);
	return rc;
}

void pgf_facts_copy(pg_copyin *ci, int64_t episode_id, const facts_row *r, const uint8_t *bytes, size_t len)
{
	pgci_int(ci, episode_id);
	pgci_str(ci, r->municipality);
	pgci_int(ci, r->admitted_at == HG_INSTANT_NONE ? 0 : r->admitted_at);
	if (r->deadlines.discharged_at == HG_INSTANT_NONE)
		pgci_null(ci);
	else
		pgci_int(ci, r->deadlines.discharged_at);
	pgci_bytes(ci, bytes, len);
	pgci_end_row(ci);
}

hg_status pgf_facts_mark_current(pg_store *p, pg_conn *c)
{
	return pgx_query(p, c, NULL,
	                 "INSERT INTO settings(key, value) VALUES ('" FACTS_SETTING "', $1) "
	                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	                 "i", (int64_t)FACTS_VERSION);
}

/* Derives every row from the events, in one transaction that no append on any server runs beside. */
hg_status pgf_facts_refresh(pg_store *p, bool only_if_stale, size_t *episodes)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	episode_state *st = hg_malloc(sizeof *st);
	hg_status rc = st ? pgx_exec(p, c, "BEGIN") : HG_ENOMEM;
	bool current = false;
	*episodes = 0;
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "LOCK TABLE episodes, events IN EXCLUSIVE MODE");
	if (rc == HG_OK && only_if_stale) {
		rc = pgx_query(p, c, &r, "SELECT value FROM settings WHERE key = '" FACTS_SETTING "'", "");
		current = rc == HG_OK && PQntuples(r) == 1 && atoi(PQgetvalue(r, 0, 0)) == FACTS_VERSION;
		PQclear(r);
		r = NULL;
	}
	if (rc == HG_OK && !current) {
		rc = pgx_exec(p, c, "DELETE FROM episode_facts");
		if (rc == HG_OK)
			rc = pgx_query(p, c, &r, "SELECT id FROM episodes ORDER BY id", "");
		for (int i = 0; rc == HG_OK && i < PQntuples(r); i++) {
			event *evs = NULL;
			size_t n = 0;
			event_error err;
			rc = pg_read_events(p, c, pgr_int(r, i, 0), &evs, &n);
			if (rc == HG_OK && n > 0) {
				if (episode_fold(evs, n, st, &err) != HG_OK)
					rc = HG_EINTERNAL; /* a stored episode that no longer folds is a bug */
				st->id = pgr_int(r, i, 0);
				if (rc == HG_OK)
					rc = pgf_facts_put(p, c, st, evs, n, NULL);
				++*episodes;
			}
			hg_free(evs);
		}
		PQclear(r);
		if (rc == HG_OK)
			rc = pgf_facts_mark_current(p, c);
	}
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	pgx_rollback(c);
	pgc_put(p, c);
	hg_free(st);
	return rc;
}

/* Rows of the projection that the filter keeps; $1 from, $2 to, $3 municipality (NULL = no bound). */
#define FILTER_WHERE                                                                                                   \
	"($1::bigint IS NULL OR p.discharged_at IS NULL OR p.discharged_at >= $1::bigint) AND "                        \
	"($2::bigint IS NULL OR p.admitted_at < $2::bigint) AND ($3::text IS NULL OR p.municipality = $3::text)"

/* Hands every facts row of the filter's episodes to fn, in episode order, on c (inside the caller's snapshot). */
static hg_status scan_facts(pg_store *p, pg_conn *c, const followup_filter *f, followup_facts_fn fn, void *fn_ctx,
                            followup_progress progress, void *ctx, size_t *loaded)
{
	PGresult *r = NULL;
	facts_row *row = hg_malloc(sizeof *row);
	hg_status rc =
	    row ? pgx_query(p, c, &r, "SELECT facts FROM episode_facts p WHERE " FILTER_WHERE " ORDER BY episode_id",
	                    "TTt", f->from, f->to, f->municipality)
	        : HG_ENOMEM;
	size_t total = rc == HG_OK ? (size_t)PQntuples(r) : 0;
	for (size_t i = 0; rc == HG_OK && i < total; i++) {
		size_t len = 0;
		uint8_t *blob = pgr_bytes(r, (int)i, 0, &len);
		if (!blob || facts_decode(blob, len, row) != HG_OK)
			rc = HG_EINTERNAL; /* a row this version did not write */
		hg_free(blob);
		if (rc == HG_OK)
			rc = fn(fn_ctx, row);
		if (++*loaded % PROGRESS_EVERY == 0 && progress)
			progress(ctx, *loaded, total);
	}
	if (progress && rc == HG_OK)
		progress(ctx, *loaded, total);
	PQclear(r);
	hg_free(row);
	return rc;
}

static hg_status add_to_set(void *set, const facts_row *row)
{
	hg_status rc = indicator_set_add_facts(set, row);
	return rc == HG_EINVAL ? HG_EINTERNAL : rc; /* rows come in episode order; a refused row is a bug */
}

hg_status pgf_facts_each(pg_store *p, const followup_filter *f, followup_facts_fn fn, void *ctx, size_t *loaded)
{
	pg_conn *c = pgc_get(p);
	*loaded = 0;
	hg_status rc = pgx_exec(p, c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	if (rc == HG_OK)
		rc = scan_facts(p, c, f, fn, ctx, NULL, NULL, loaded);
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	pgx_rollback(c);
	pgc_put(p, c);
	return rc;
}

static hg_status load_events(pg_store *p, pg_conn *c, const followup_filter *f, indicator_set *set,
                             followup_progress progress, void *ctx, size_t *loaded)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(
	    p, c, &r, "SELECT episode_id FROM episode_projection p WHERE " FILTER_WHERE " ORDER BY episode_id", "TTt",
	    f->from, f->to, f->municipality);
	size_t total = rc == HG_OK ? (size_t)PQntuples(r) : 0;
	for (size_t i = 0; rc == HG_OK && i < total; i++) {
		event *evs = NULL;
		size_t n = 0;
		int64_t id = pgr_int(r, (int)i, 0);
		rc = pg_read_events(p, c, id, &evs, &n);
		if (rc == HG_OK && n > 0) {
			rc = indicator_set_add_events(set, id, evs, n);
			if (rc == HG_EINVAL)
				rc = HG_EINTERNAL; /* a stored episode that no longer folds is a bug */
			++*loaded;
		}
		hg_free(evs);
		if (rc == HG_OK && *loaded % PROGRESS_EVERY == 0 && progress)
			progress(ctx, *loaded, total);
	}
	if (progress && rc == HG_OK)
		progress(ctx, *loaded, total);
	PQclear(r);
	return rc;
}

static survey_reply reply_col(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return SURVEY_UNANSWERED;
	return pgr_int(r, row, col) ? SURVEY_YES : SURVEY_NO;
}

static hg_status load_surveys(pg_store *p, pg_conn *c, indicator_set *set)
{
	PGresult *r = NULL;
	hg_status rc =
	    pgx_query(p, c, &r,
	              "SELECT episode_id, felt_safe, took_part, knew_care_contact, sip_where_wanted, answered_at "
	              "FROM survey_answers ORDER BY episode_id",
	              "");
	for (int i = 0; rc == HG_OK && i < PQntuples(r); i++) {
		survey_answer a;
		survey_answer_init(&a);
		for (int q = 0; q < SURVEY_QUESTION_COUNT; q++)
			a.replies[q] = reply_col(r, i, 1 + q);
		a.answered_at = pgr_instant(r, i, 5);
		rc = indicator_set_add_survey(set, pgr_int(r, i, 0), &a);
		if (rc == HG_ENOTFOUND)
			rc = HG_OK; /* an episode outside the filter */
	}
	PQclear(r);
	return rc;
}

hg_status pgf_load(pg_store *p, const followup_filter *f, indicator_set *set, followup_progress progress, void *ctx,
                   size_t *loaded)
{
	pg_conn *c = pgc_get(p);
	*loaded = 0;
	/* one snapshot for the episodes and the answers */
	hg_status rc = pgx_exec(p, c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	if (rc == HG_OK)
		rc = f->refold ? load_events(p, c, f, set, progress, ctx, loaded)
		               : scan_facts(p, c, f, add_to_set, set, progress, ctx, loaded);
	if (rc == HG_OK)
		rc = load_surveys(p, c, set);
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	pgx_rollback(c);
	pgc_put(p, c);
	return rc;
}

/* ---- point measurements ---- */

static hg_status save_counts(pg_store *p, pg_conn *c, int64_t id, const char *kind, const point_count *pc, size_t n)
{
	hg_status rc = HG_OK;
	for (size_t i = 0; rc == HG_OK && i < n; i++)
		rc = pgx_query(p, c, NULL,
		               "INSERT INTO point_measurement_counts(measurement_id, kind, key, patients, ready_days) "
		               "VALUES ($1, $2, $3, $4, $5)",
		               "ittii", id, kind, pc[i].key, (int64_t)pc[i].patients, (int64_t)pc[i].ready_days);
	return rc;
}

static hg_status save_patients(pg_store *p, pg_conn *c, int64_t id, const point_measurement *m)
{
	hg_status rc = HG_OK;
	for (size_t i = 0; rc == HG_OK && i < m->n_patients; i++) {
		const point_patient *pp = &m->patients[i];
		char expected[24];
		snprintf(expected, sizeof expected, "%d", (int)pp->expected_date);
		rc = pgx_query(
		    p, c, NULL,
		    "INSERT INTO point_measurement_patients(measurement_id, episode_id, municipality, hospital, "
		    "ward, care_type, ready_since, ready_days, next_step, step_at, expected_date) "
		    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		    "iittttTitTt", id, pp->episode_id, pp->municipality, pp->hospital, pp->ward,
		    care_type_label(pp->care)->code, pp->ready_since, (int64_t)pp->ready_days,
		    point_step_label(pp->next_step)->code, pp->step_at,
		    pp->expected_date == HG_DATE_NONE ? NULL : expected);
	}
	return rc;
}

hg_status pgf_point_save(pg_store *p, const point_measurement *m, const char *scope, const char *label, const char *by,
                         hg_instant now, int64_t *id)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = pgx_exec(p, c, "BEGIN");
	if (rc == HG_OK)
		rc = pgx_query(
		    p, c, &r,
		    "INSERT INTO point_measurements(at, taken_at, taken_by, scope, label, patients, ready_days) "
		    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
		    "TTtttii", m->at, now, by, scope ? scope : "", label ? label : "", (int64_t)m->total_patients,
		    (int64_t)m->total_ready_days);
	if (rc == HG_OK)
		*id = pgr_int(r, 0, 0);
	PQclear(r);
	if (rc == HG_OK)
		rc = save_counts(p, c, *id, "municipality", m->municipalities, m->n_municipalities);
	if (rc == HG_OK)
		rc = save_counts(p, c, *id, "ward", m->wards, m->n_wards);
	if (rc == HG_OK)
		rc = save_patients(p, c, *id, m);
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	pgx_rollback(c);
	pgc_put(p, c);
	return rc;
}

#define POINT_COLS "id, at, taken_at, taken_by, scope, label, patients, ready_days"

static void read_point_row(PGresult *r, int row, void *out)
{
	followup_point_row *pr = out;
	memset(pr, 0, sizeof *pr);
	pr->id = pgr_int(r, row, 0);
	pr->at = pgr_instant(r, row, 1);
	pr->taken_at = pgr_instant(r, row, 2);
	pgr_str(r, row, 3, pr->taken_by, sizeof pr->taken_by);
	pgr_str(r, row, 4, pr->scope, sizeof pr->scope);
	pgr_str(r, row, 5, pr->label, sizeof pr->label);
	pr->patients = (int)pgr_int(r, row, 6);
	pr->ready_days = (int)pgr_int(r, row, 7);
}

hg_status pgf_point_list(pg_store *p, const char *scope, followup_point_row **rows, size_t *n)
{
	if (!scope)
		return pg_select(p, sizeof **rows, read_point_row, (void **)rows, n,
		                 "SELECT " POINT_COLS " FROM point_measurements ORDER BY at DESC, id DESC LIMIT 1000",
		                 NULL, NULL);
	return pg_select(p, sizeof **rows, read_point_row, (void **)rows, n,
	                 "SELECT " POINT_COLS
	                 " FROM point_measurements WHERE scope = $1 ORDER BY at DESC, id DESC LIMIT 1000",
	                 scope, NULL);
}

static void read_count(PGresult *r, int row, void *out)
{
	point_count *pc = out;
	memset(pc, 0, sizeof *pc);
	pgr_str(r, row, 0, pc->key, sizeof pc->key);
	pc->patients = (int)pgr_int(r, row, 1);
	pc->ready_days = (int)pgr_int(r, row, 2);
}

static void read_patient(PGresult *r, int row, void *out)
{
	point_patient *pp = out;
	memset(pp, 0, sizeof *pp);
	pp->episode_id = pgr_int(r, row, 0);
	pgr_str(r, row, 1, pp->municipality, sizeof pp->municipality);
	pgr_str(r, row, 2, pp->hospital, sizeof pp->hospital);
	pgr_str(r, row, 3, pp->ward, sizeof pp->ward);
	if (!care_type_from_code(pgr_text(r, row, 4), &pp->care))
		pp->care = CARE_SOMATIC;
	pp->ready_since = pgr_instant(r, row, 5);
	pp->ready_days = (int)pgr_int(r, row, 6);
	if (!point_step_from_code(pgr_text(r, row, 7), &pp->next_step))
		pp->next_step = POINT_STEP_MUNICIPALITY;
	pp->step_at = pgr_instant(r, row, 8);
	pp->expected_date = PQgetisnull(r, row, 9) ? HG_DATE_NONE : (hg_date)pgr_int(r, row, 9);
}

static hg_status collect_by_id(pg_store *p, pg_conn *c, const char *sql, int64_t id, const char *kind, size_t elem,
                               void (*read)(PGresult *, int, void *), void **out, size_t *n)
{
	PGresult *r = NULL;
	hg_status rc = kind ? pgx_query(p, c, &r, sql, "it", id, kind) : pgx_query(p, c, &r, sql, "i", id);
	if (rc == HG_OK)
		rc = pgr_collect(r, elem, read, out, n);
	PQclear(r);
	return rc;
}

hg_status pgf_point_get(pg_store *p, int64_t id, followup_point_row *row, point_measurement *m)
{
	static const char counts_sql[] =
	    "SELECT key, patients, ready_days FROM point_measurement_counts WHERE measurement_id = $1 AND kind = $2 "
	    "ORDER BY key COLLATE \"C\"";
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	if (m)
		memset(m, 0, sizeof *m);
	hg_status rc = pgx_query(p, c, &r, "SELECT " POINT_COLS " FROM point_measurements WHERE id = $1", "i", id);
	if (rc == HG_OK && PQntuples(r) == 0)
		rc = HG_ENOTFOUND;
	if (rc == HG_OK)
		read_point_row(r, 0, row);
	PQclear(r);
	if (rc == HG_OK && m) {
		m->at = row->at;
		m->total_patients = row->patients;
		m->total_ready_days = row->ready_days;
		rc = collect_by_id(p, c, counts_sql, id, "municipality", sizeof *m->municipalities, read_count,
		                   (void **)&m->municipalities, &m->n_municipalities);
		if (rc == HG_OK)
			rc = collect_by_id(p, c, counts_sql, id, "ward", sizeof *m->wards, read_count,
			                   (void **)&m->wards, &m->n_wards);
		if (rc == HG_OK)
			rc = collect_by_id(
			    p, c,
			    "SELECT episode_id, municipality, hospital, ward, care_type, ready_since, "
			    "ready_days, next_step, step_at, expected_date FROM point_measurement_patients "
			    "WHERE measurement_id = $1 ORDER BY municipality COLLATE \"C\", ward COLLATE \"C\", "
			    "ready_days DESC, episode_id",
			    id, NULL, sizeof *m->patients, read_patient, (void **)&m->patients, &m->n_patients);
		if (rc != HG_OK)
			point_free(m);
	}
	pgc_put(p, c);
	return rc;
}

/* ---- the survey ---- */

hg_status pgf_invite_put(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t episode_id, const char *by,
                         hg_instant now, hg_instant expires)
{
	return pg_write1(p, NULL,
	                 "INSERT INTO survey_invitations(token_hash, episode_id, created_at, created_by, expires_at) "
	                 "VALUES ($1, $2, $3, $4, $5)",
	                 "hiTtT", hash, episode_id, now, by, expires);
}

/* Looks a link up on c (FOR UPDATE inside a transaction): HG_OK with the episode when it may be answered at now. */
static hg_status invite_state(pg_store *p, pg_conn *c, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now,
                              bool lock, int64_t *episode)
{
	PGresult *r = NULL;
	hg_status rc =
	    pgx_query(p, c, &r,
	              lock ? "SELECT episode_id, expires_at, used_at FROM survey_invitations WHERE token_hash = $1 "
	                     "FOR UPDATE"
	                   : "SELECT episode_id, expires_at, used_at FROM survey_invitations WHERE token_hash = $1",
	              "h", hash);
	if (rc == HG_OK && PQntuples(r) == 0)
		rc = HG_ENOTFOUND;
	if (rc == HG_OK) {
		*episode = pgr_int(r, 0, 0);
		bool used = !PQgetisnull(r, 0, 2);
		rc = used || pgr_instant(r, 0, 1) <= now ? HG_ECONFLICT : HG_OK;
	}
	PQclear(r);
	return rc;
}

hg_status pgf_invite_check(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now)
{
	pg_conn *c = pgc_get(p);
	int64_t episode = 0;
	hg_status rc = invite_state(p, c, hash, now, false, &episode);
	pgc_put(p, c);
	return rc;
}

static const char *reply_text(survey_reply r)
{
	return r == SURVEY_UNANSWERED ? NULL : r == SURVEY_YES ? "1" : "0";
}

void pgf_answer_copy(pg_copyin *ci, int64_t episode_id, const survey_answer *a, const char *by)
{
	pgci_int(ci, episode_id);
	if (a->answered_at == HG_INSTANT_NONE)
		pgci_null(ci);
	else
		pgci_int(ci, a->answered_at);
	pgci_str(ci, survey_channel_label(a->channel)->code);
	pgci_str(ci, survey_respondent_label(a->respondent)->code);
	for (int q = 0; q < SURVEY_QUESTION_COUNT; q++)
		pgci_str(ci, reply_text(a->replies[q]));
	pgci_str(ci, a->comment);
	pgci_str(ci, by);
	pgci_end_row(ci);
}

static hg_status insert_answer(pg_store *p, pg_conn *c, int64_t episode_id, const survey_answer *a, const char *by)
{
	return pgx_query(
	    p, c, NULL,
	    "INSERT INTO survey_answers(episode_id, answered_at, channel, respondent, felt_safe, took_part, "
	    "knew_care_contact, sip_where_wanted, comment, recorded_by) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	    "iTtttttttt", episode_id, a->answered_at, survey_channel_label(a->channel)->code,
	    survey_respondent_label(a->respondent)->code, reply_text(a->replies[0]), reply_text(a->replies[1]),
	    reply_text(a->replies[2]), reply_text(a->replies[3]), a->comment, by);
}

hg_status pgf_answer_by_link(pg_store *p, const uint8_t hash[STORE_TOKEN_HASH_SIZE], const survey_answer *a,
                             hg_instant now, int64_t *episode_id)
{
	pg_conn *c = pgc_get(p);
	int64_t episode = 0;
	int changes = 0;
	PGresult *r = NULL;
	survey_answer copy = *a;
	copy.channel = SURVEY_LINK;
	*episode_id = 0;
	hg_status rc = pgx_exec(p, c, "BEGIN");
	if (rc == HG_OK)
		rc = invite_state(p, c, hash, now, true, &episode);
	if (rc == HG_OK)
		rc = insert_answer(p, c, episode, &copy, "link");
	if (rc == HG_OK)
		rc = pgx_query(p, c, &r,
		               "UPDATE survey_invitations SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
		               "hT", hash, now);
	if (rc == HG_OK)
		changes = atoi(PQcmdTuples(r));
	PQclear(r);
	if (rc == HG_OK && changes != 1)
		rc = HG_ECONFLICT;
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	pgx_rollback(c);
	pgc_put(p, c);
	*episode_id = rc == HG_OK ? episode : 0;
	return rc;
}

hg_status pgf_answer_put(pg_store *p, int64_t episode_id, const survey_answer *a, const char *by)
{
	pg_conn *c = pgc_get(p);
	hg_status rc = insert_answer(p, c, episode_id, a, by);
	pgc_put(p, c);
	return rc;
}

hg_status pgf_survey_status_get(pg_store *p, int64_t episode_id, hg_instant now, followup_survey_status *out)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	memset(out, 0, sizeof *out);
	out->answered_at = out->last_invited_at = out->last_expires_at = HG_INSTANT_NONE;
	hg_status rc =
	    pgx_query(p, c, &r, "SELECT answered_at, channel, respondent FROM survey_answers WHERE episode_id = $1",
	              "i", episode_id);
	if (rc == HG_OK && PQntuples(r) > 0) {
		out->answered_at = pgr_int(r, 0, 0);
		pgr_str(r, 0, 1, out->channel, sizeof out->channel);
		pgr_str(r, 0, 2, out->respondent, sizeof out->respondent);
	}
	PQclear(r);
	r = NULL;
	if (rc == HG_OK)
		rc = pgx_query(p, c, &r,
		               "SELECT COUNT(*), COALESCE(SUM(CASE WHEN used_at IS NULL AND expires_at > $2 THEN 1 "
		               "ELSE 0 END), 0), "
		               "MAX(created_at), (SELECT expires_at FROM survey_invitations WHERE episode_id = $1 "
		               "ORDER BY created_at DESC LIMIT 1) FROM survey_invitations WHERE episode_id = $1",
		               "iT", episode_id, now);
	if (rc == HG_OK) {
		out->invitations = (int)pgr_int(r, 0, 0);
		out->open_invitations = (int)pgr_int(r, 0, 1);
		out->last_invited_at = pgr_instant(r, 0, 2);
		out->last_expires_at = pgr_instant(r, 0, 3);
	}
	PQclear(r);
	pgc_put(p, c);
	return rc;
}
