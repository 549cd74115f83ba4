/*
 * followup_sqlite.c - the follow-up store on SQLite (see followup_store.h).
 *
 * The facts: every append writes its episode's row of episode_facts in its own
 * transaction (sq_facts_put, called from store_sqlite.c; core/facts.h derives
 * and encodes it), and followup_load streams the rows of the matching episodes
 * in episode order through one statement inside one read transaction, decodes
 * each and hands it to the core (indicator_set_add_facts): no figure is
 * computed here, and no event is parsed. With filter->refold it streams the
 * events instead, parses each with the store's canonical JSON reader and
 * hands every episode's events to the core to fold (the check of the facts).
 * Before the episodes it hands the set the liability agreements (the latest
 * version of each stored agreement, and the built-in statutory defaults whose
 * id is not stored), the same list an invoice is built with.
 *
 * On PostgreSQL every storage call goes to its pgf_ twin in pg_followup.c
 * (there the append path of store_pg.c writes the facts rows); the agreements
 * handed to the set and the small-cell setting are shared.
 */
#include "store/followup_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/facts.h"
#include "store/agreement_store.h"
#include "wire/event_json.h"
#include "store/followup_int.h"
#include "store/sq_db.h"
#include "store/store_int.h"
#include "store/store_pg.h"

#define PROGRESS_EVERY 2000
#define FACTS_SETTING "followup.facts" /* the facts version the whole table is in */

/* Rows of the projection that the filter keeps; ?1 from, ?2 to, ?3 municipality (NULL = no bound). */
#define FILTER_WHERE                                                                                         \
	"(?1 IS NULL OR p.discharged_at IS NULL OR p.discharged_at >= ?1) AND (?2 IS NULL OR p.admitted_at < ?2) " \
	"AND (?3 IS NULL OR p.municipality = ?3)"

static void bind_filter(sq_q *q, const followup_filter *f)
{
	sq_q_bind_instant(q, 1, f->from);
	sq_q_bind_instant(q, 2, f->to);
	sq_q_bind_text(q, 3, f->municipality);
}

static hg_status count_matching(sqlite3 *db, const followup_filter *f, size_t *total)
{
	sq_q q;
	int64_t count = 0;
	sq_q_prepare(&q, db,
	             f->refold ? "SELECT count(*) FROM episode_projection p WHERE " FILTER_WHERE
	                       : "SELECT count(*) FROM episode_facts p WHERE " FILTER_WHERE);
	bind_filter(&q, f);
	hg_status rc = sq_q_int64(&q, &count);
	*total = rc == HG_OK ? (size_t)count : 0;
	return rc == HG_ENOTFOUND ? HG_EIO : rc; /* NEVER: a count has its row */
}

/* Hands one episode's events to the set. */
static hg_status flush(indicator_set *set, int64_t id, const event *evs, size_t n)
{
	if (n == 0)
		return HG_OK;
	hg_status rc = indicator_set_add_events(set, id, evs, n);
	return rc == HG_EINVAL ? HG_EINTERNAL : rc; /* a stored episode that no longer folds is a bug */
}

/* Called with each episode's events, parsed, in episode order (each_episode). */
typedef hg_status (*episode_events_fn)(void *ctx, int64_t id, const event *evs, size_t n);

/*
 * Runs q, whose rows are (episode_id, body) in episode and seq order, parses
 * every event with the store's canonical reader and hands each episode's events
 * to fn; finishes q. A stored event that no longer parses is a bug.
 */
static hg_status each_episode(sq_q *q, episode_events_fn fn, void *ctx)
{
	size_t cap = 64, n = 0;
	int64_t current = 0;
	event *evs = hg_malloc(cap * sizeof *evs);
	if (!evs)
		sq_q_fail(q, HG_ENOMEM);
	while (sq_q_step(q)) {
		int64_t id = sq_q_col_int64(q, 0);
		event_error err;
		if (id != current) {
			if (n)
				sq_q_fail(q, fn(ctx, current, evs, n));
			current = id;
			n = 0;
			if (q->rc != HG_OK)
				break;
		}
		if (n == cap) {
			event *bigger = cap < EPISODE_EVENTS_MAX ? hg_realloc(evs, cap * 2 * sizeof *evs) : NULL;
			if (!bigger) {
				sq_q_fail(q, cap < EPISODE_EVENTS_MAX ? HG_ENOMEM : HG_EINTERNAL);
				break;
			}
			evs = bigger;
			cap *= 2;
		}
		if (event_from_text(sq_q_col_text(q, 1), &evs[n], &err) != HG_OK)
			sq_q_fail(q, HG_EINTERNAL); /* a stored event that no longer parses: a bug, never user input */
		n++;
	}
	if (q->rc == HG_OK && n)
		sq_q_fail(q, fn(ctx, current, evs, n));
	hg_free(evs);
	return sq_q_finish(q);
}

/* load_events: the set, and the progress so far. */
typedef struct events_load {
	indicator_set *set;
	followup_progress progress;
	void *ctx;
	size_t total, loaded;
} events_load;

/* Hands one episode's events to the set; an episode done before it counts in the progress. */
static hg_status load_one(void *p, int64_t id, const event *evs, size_t n)
{
	events_load *l = p;
	if (l->loaded && l->loaded % PROGRESS_EVERY == 0 && l->progress)
		l->progress(l->ctx, l->loaded, l->total);
	l->loaded++;
	return flush(l->set, id, evs, n);
}

static hg_status load_events(sqlite3 *db, const followup_filter *f, indicator_set *set, followup_progress progress,
                             void *ctx, size_t total, size_t *loaded)
{
	events_load l = {set, progress, ctx, total, 0};
	sq_q q;
	sq_q_prepare(&q, db,
	             "SELECT e.episode_id, e.body FROM events e JOIN episode_projection p "
	             "ON p.episode_id = e.episode_id WHERE " FILTER_WHERE " ORDER BY e.episode_id, e.seq");
	bind_filter(&q, f);
	hg_status rc = each_episode(&q, load_one, &l);
	*loaded = l.loaded;
	if (progress && rc == HG_OK)
		progress(ctx, *loaded, total);
	return rc;
}

/* ---- the facts ---- */

static const char facts_delete_sql[] = "DELETE FROM episode_facts WHERE episode_id = ?1";
static const char facts_put_sql[] =
	"INSERT OR REPLACE INTO episode_facts(episode_id, municipality, admitted_at, discharged_at, facts) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";

static const char facts_get_sql[] = "SELECT facts FROM episode_facts WHERE episode_id = ?1";

/*
 * The deviations in force after the ordinary event `last` when the events were
 * not read: those of the episode's stored row, and `last` if it is a new one.
 * Without a deviation in force (the fold counts them) there is nothing to read.
 */
static hg_status remembered_deviations(sq_stmt_cache *sc, sqlite3 *db, const episode_state *st, const event *last,
				       facts_row *r)
{
	facts_row *old = NULL;
	hg_status rc = HG_OK;
	size_t n_prev = 0;
	if (st->deviations > 0) {
		sq_q q;
		old = hg_malloc(sizeof *old);
		if (!old)
			return HG_ENOMEM;
		sq_q_cached(&q, sc, db, facts_get_sql);
		sq_q_bind_int64(&q, 1, st->id);
		if (sq_q_step(&q)) {
			const uint8_t *blob = sq_q_col_blob(&q, 0);
			/* a row of another version: the table is refreshed before the next report anyway */
			if (blob && facts_decode(blob, sq_q_col_bytes(&q, 0), old) == HG_OK)
				n_prev = old->n_deviations;
		}
		rc = sq_q_finish(&q);
	}
	if (rc == HG_OK)
		facts_deviations_after(r, old ? old->deviations : NULL, n_prev, last);
	hg_free(old);
	return rc;
}

hg_status sq_facts_blob_write(sq_stmt_cache *sc, sqlite3 *db, const sq_facts_blob *b)
{
	sq_q q;
	sq_q_cached(&q, sc, db, b->present ? facts_put_sql : facts_delete_sql);
	sq_q_bind_int64(&q, 1, b->id);
	if (b->present) {
		sq_q_bind_text(&q, 2, b->municipality);
		sq_q_bind_int64(&q, 3, b->admitted_at == HG_INSTANT_NONE ? 0 : b->admitted_at);
		sq_q_bind_instant(&q, 4, b->discharged_at); /* as the projection has it: the filter is the same */
		sq_q_bind_blob(&q, 5, b->bytes, b->len);
	}
	return sq_q_exec(&q); /* the statement lets go of the bytes here */
}

/* Fills b from a derived row r (present) or from none (r NULL). */
static hg_status blob_of(const facts_row *r, int64_t id, sq_facts_blob *b)
{
	b->present = r != NULL;
	b->id = id;
	b->len = 0;
	if (!r)
		return HG_OK;
	sq_copy_str(b->municipality, sizeof b->municipality, r->municipality);
	b->admitted_at = r->admitted_at;
	b->discharged_at = r->deadlines.discharged_at;
	b->len = facts_encode(r, b->bytes, sizeof b->bytes);
	return b->len ? HG_OK : HG_EINTERNAL; /* NEVER: the ceilings of a row fit in FACTS_ENCODED_MAX */
}

hg_status sq_facts_blob_make(const episode_state *st, const event *evs, size_t n, sq_facts_blob *out)
{
	facts_row *r = hg_malloc(sizeof *r);
	if (!r)
		return HG_ENOMEM;
	hg_status rc = blob_of(facts_derive(st, evs, n, NULL, r) ? r : NULL, st->id, out);
	hg_free(r);
	return rc;
}

hg_status sq_facts_put(sq_stmt_cache *sc, sqlite3 *db, const episode_state *st, const event *evs, size_t n,
		       const event *last)
{
	facts_row *r = hg_malloc(sizeof *r);
	sq_facts_blob *b = hg_malloc(sizeof *b);
	hg_status rc = r && b ? HG_OK : HG_ENOMEM;
	/* Events not read (evs NULL, n > 0): the writer judged an ordinary append from a remembered fold. */
	bool remembered = !evs && n > 0;
	if (rc == HG_OK) {
		bool has = facts_derive(st, remembered ? NULL : evs, remembered ? 0 : n, remembered ? NULL : last, r);
		if (has && remembered)
			rc = remembered_deviations(sc, db, st, last, r);
		if (rc == HG_OK)
			rc = blob_of(has ? r : NULL, st->id, b);
	}
	if (rc == HG_OK)
		rc = sq_facts_blob_write(sc, db, b);
	hg_free(b);
	hg_free(r);
	return rc;
}

hg_status sq_facts_rebuild_begin(sqlite3 *db)
{
	return sq_db_exec(db, "DELETE FROM episode_facts; DELETE FROM settings WHERE key = '" FACTS_SETTING "';");
}

hg_status sq_facts_rebuild_end(sqlite3 *db)
{
	char sql[160];
	snprintf(sql, sizeof sql,
		 "INSERT INTO settings(key, value) VALUES ('" FACTS_SETTING "', '%d') "
		 "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		 FACTS_VERSION);
	return sq_db_exec(db, sql);
}

/* Whether the table is current: every row written, in FACTS_VERSION. */
static hg_status facts_current(sqlite3 *db, bool *current)
{
	sq_q q;
	int64_t version = 0;
	sq_q_prepare(&q, db, "SELECT value FROM settings WHERE key = '" FACTS_SETTING "'");
	hg_status rc = sq_q_int64(&q, &version);
	*current = rc == HG_OK && version == FACTS_VERSION;
	return rc == HG_ENOTFOUND ? HG_OK : rc;
}

/* Folds one episode's events and writes its row. */
/* refresh_all: the connection, a fold's room, and the episodes written. */
typedef struct facts_refresh {
	sqlite3 *db;
	episode_state *st;
	size_t episodes;
} facts_refresh;

/* Folds one episode's events and writes its row. */
static hg_status refresh_one(void *p, int64_t id, const event *evs, size_t n)
{
	facts_refresh *r = p;
	event_error err;
	r->episodes++;
	if (episode_fold(evs, n, r->st, &err) != HG_OK)
		return HG_EINTERNAL; /* a stored episode that no longer folds is a bug */
	r->st->id = id;
	return sq_facts_put(NULL, r->db, r->st, evs, n, NULL);
}

/* Derives every row from the events on db, inside the caller's write transaction. */
static hg_status refresh_all(sqlite3 *db, size_t *episodes)
{
	facts_refresh r = {db, hg_malloc(sizeof *r.st), 0};
	hg_status rc = r.st ? sq_facts_rebuild_begin(db) : HG_ENOMEM;
	*episodes = 0;
	if (rc == HG_OK) {
		sq_q q;
		sq_q_prepare(&q, db, "SELECT episode_id, body FROM events ORDER BY episode_id, seq");
		rc = each_episode(&q, refresh_one, &r);
		*episodes = r.episodes;
	}
	if (rc == HG_OK)
		rc = sq_facts_rebuild_end(db);
	hg_free(r.st);
	return rc;
}

hg_status followup_facts_refresh(store *s, size_t *episodes)
{
	if (s->pg)
		return pgf_facts_refresh(s->pg, false, episodes);
	sqlite3 *db = sq_conn_get(s);
	hg_status rc = sq_write_begin(s, db);
	*episodes = 0;
	if (rc == HG_OK) {
		rc = refresh_all(db, episodes);
		if (rc == HG_OK)
			rc = sq_write_commit(s, db);
		else
			sq_write_rollback(s, db);
	}
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

/* Refreshes the table when it is not current (checked again under the write lock). */
static hg_status ensure_facts(store *s)
{
	size_t refreshed = 0;
	if (s->pg)
		return pgf_facts_refresh(s->pg, true, &refreshed);
	sqlite3 *db = sq_conn_get(s);
	bool current = false;
	size_t n = 0;
	hg_status rc = facts_current(db, &current);
	if (rc == HG_OK && !current) {
		rc = sq_write_begin(s, db);
		if (rc == HG_OK)
			rc = facts_current(db, &current);
		if (rc == HG_OK && !current)
			rc = refresh_all(db, &n);
		if (rc == HG_OK)
			rc = sq_write_commit(s, db);
		else
			sq_write_rollback(s, db);
	}
	sq_conn_put(s, db);
	return rc;
}

/* Hands the facts rows of the filter's episodes to fn, in episode order. */
static hg_status scan_facts(sqlite3 *db, const followup_filter *f, followup_facts_fn fn, void *fn_ctx,
			    followup_progress progress, void *ctx, size_t total, size_t *loaded)
{
	sq_q q;
	facts_row *row = hg_malloc(sizeof *row);
	*loaded = 0;
	sq_q_prepare(&q, db, "SELECT facts FROM episode_facts p WHERE " FILTER_WHERE " ORDER BY episode_id");
	if (!row)
		sq_q_fail(&q, HG_ENOMEM);
	bind_filter(&q, f);
	while (sq_q_step(&q)) {
		const uint8_t *blob = sq_q_col_blob(&q, 0);
		size_t len = sq_q_col_bytes(&q, 0);
		if (!blob || facts_decode(blob, len, row) != HG_OK) {
			sq_q_fail(
			    &q,
			    HG_EINTERNAL); /* a row this version did not write: the table is marked current wrongly */
			break;
		}
		sq_q_fail(&q, fn(fn_ctx, row));
		if (++*loaded % PROGRESS_EVERY == 0 && progress)
			progress(ctx, *loaded, total);
	}
	hg_status rc = sq_q_finish(&q);
	if (progress && rc == HG_OK)
		progress(ctx, *loaded, total);
	hg_free(row);
	return rc;
}

static hg_status add_to_set(void *set, const facts_row *row)
{
	hg_status rc = indicator_set_add_facts(set, row);
	return rc == HG_EINVAL ? HG_EINTERNAL : rc; /* rows come in episode order; a refused row is a bug */
}

/* Hands the facts rows of the filter's episodes to the set, in episode order. */
static hg_status load_facts(sqlite3 *db, const followup_filter *f, indicator_set *set, followup_progress progress,
			    void *ctx, size_t total, size_t *loaded)
{
	return scan_facts(db, f, add_to_set, set, progress, ctx, total, loaded);
}

hg_status followup_facts_each(store *s, const followup_filter *f, followup_facts_fn fn, void *fn_ctx,
			      size_t *episodes)
{
	size_t loaded = 0;
	hg_status rc = ensure_facts(s);
	if (rc == HG_OK && s->pg) {
		rc = pgf_facts_each(s->pg, f, fn, fn_ctx, &loaded);
	} else if (rc == HG_OK) {
		sqlite3 *db = sq_conn_get(s);
		rc = sq_db_exec(db, "BEGIN");
		if (rc == HG_OK) {
			rc = scan_facts(db, f, fn, fn_ctx, NULL, NULL, 0, &loaded);
			sq_exec_quiet(db, "COMMIT");
		}
		sq_conn_put(s, db);
	}
	if (episodes)
		*episodes = loaded;
	return rc == HG_EIO && !s->pg ? sq_fail_io(s) : rc;
}

static survey_reply reply_col(sq_q *q, int col)
{
	if (sq_q_col_null(q, col))
		return SURVEY_UNANSWERED;
	return sq_q_col_int(q, col) ? SURVEY_YES : SURVEY_NO;
}

static hg_status load_surveys(sqlite3 *db, indicator_set *set)
{
	sq_q q;
	sq_q_prepare(&q, db,
	             "SELECT episode_id, felt_safe, took_part, knew_care_contact, sip_where_wanted, answered_at "
	             "FROM survey_answers ORDER BY episode_id");
	while (sq_q_step(&q)) {
		survey_answer a;
		survey_answer_init(&a);
		for (int i = 0; i < SURVEY_QUESTION_COUNT; i++)
			a.replies[i] = reply_col(&q, 1 + i);
		a.answered_at = sq_q_col_instant(&q, 5);
		hg_status rc = indicator_set_add_survey(set, sq_q_col_int64(&q, 0), &a);
		if (rc != HG_ENOTFOUND) /* HG_ENOTFOUND: an episode outside the filter */
			sq_q_fail(&q, rc);
	}
	return sq_q_finish(&q);
}

hg_status followup_agreements(store *s, agreement **list, size_t *n_out)
{
	agreement *stored = NULL, *all = NULL;
	size_t n = 0, n_builtin = 0, k = 0;
	const agreement *builtin = agreement_statutory(&n_builtin);
	hg_status rc = agreement_store_current(s, &stored, &n);
	if (rc != HG_OK)
		return rc;
	all = hg_malloc((n + n_builtin) * sizeof *all);
	if (!all) {
		hg_free(stored);
		return HG_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		all[k++] = stored[i];
	for (size_t b = 0; b < n_builtin; b++) {
		bool present = false;
		for (size_t i = 0; i < n && !present; i++)
			present = strcmp(stored[i].id, builtin[b].id) == 0;
		if (!present)
			all[k++] = builtin[b];
	}
	hg_free(stored);
	*list = all;
	*n_out = k;
	return HG_OK;
}

/* The agreements an invoice would be built with (followup_agreements), handed to the set. */
static hg_status give_agreements(store *s, indicator_set *set)
{
	agreement *all = NULL;
	size_t k = 0;
	hg_status rc = followup_agreements(s, &all, &k);
	if (rc != HG_OK)
		return rc;
	rc = indicator_set_agreements(set, all, k);
	hg_free(all);
	return rc;
}

hg_status followup_load(store *s, const followup_filter *f, indicator_set *set, followup_progress progress, void *ctx,
			size_t *episodes)
{
	size_t total = 0, loaded = 0;
	hg_status rc = give_agreements(s, set);
	if (rc == HG_OK && !f->refold)
		rc = ensure_facts(s);
	if (rc != HG_OK) {
		if (episodes)
			*episodes = 0;
		return rc == HG_EIO && !s->pg ? sq_fail_io(s) : rc;
	}
	if (s->pg) {
		rc = pgf_load(s->pg, f, set, progress, ctx, &loaded);
		if (rc == HG_OK)
			rc = indicator_set_finish(set);
		if (episodes)
			*episodes = loaded;
		return rc;
	}
	sqlite3 *db = sq_conn_get(s);
	rc = sq_db_exec(db, "BEGIN");
	if (rc == HG_OK) {
		if (progress) /* a count costs a second pass: only for a progress bar */
			rc = count_matching(db, f, &total);
		if (rc == HG_OK)
			rc = f->refold ? load_events(db, f, set, progress, ctx, total, &loaded)
				       : load_facts(db, f, set, progress, ctx, total, &loaded);
		if (rc == HG_OK)
			rc = load_surveys(db, set);
		sq_exec_quiet(db, "COMMIT");
	}
	sq_conn_put(s, db);
	if (rc == HG_OK)
		rc = indicator_set_finish(set);
	if (episodes)
		*episodes = loaded;
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

int followup_min_cell(store *s)
{
	char value[32];
	char *end;
	if (store_setting_get(s, FOLLOWUP_MIN_CELL_KEY, value, sizeof value) != HG_OK)
		return FOLLOWUP_MIN_CELL_DEFAULT;
	long v = strtol(value, &end, 10);
	return (*value && !*end && v >= 1 && v <= 1000) ? (int)v : FOLLOWUP_MIN_CELL_DEFAULT;
}

/* ---- point measurements ---- */

static hg_status save_counts(sqlite3 *db, int64_t id, const char *kind, const point_count *c, size_t n)
{
	sq_q q;
	sq_q_prepare(&q, db,
	             "INSERT INTO point_measurement_counts(measurement_id, kind, key, patients, ready_days) "
	             "VALUES (?1, ?2, ?3, ?4, ?5)");
	for (size_t i = 0; q.rc == HG_OK && i < n; i++) {
		sq_q_bind_int64(&q, 1, id);
		sq_q_bind_text(&q, 2, kind);
		sq_q_bind_text(&q, 3, c[i].key);
		sq_q_bind_int64(&q, 4, c[i].patients);
		sq_q_bind_int64(&q, 5, c[i].ready_days);
		(void)sq_q_step(&q); /* an insert has no row; an error stays in q */
		sq_q_reset(&q);
	}
	return sq_q_finish(&q);
}

static hg_status save_patients(sqlite3 *db, int64_t id, const point_measurement *m)
{
	sq_q q;
	sq_q_prepare(&q, db,
	             "INSERT INTO point_measurement_patients(measurement_id, episode_id, municipality, hospital, "
	             "ward, care_type, ready_since, ready_days, next_step, step_at, expected_date) "
	             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	for (size_t i = 0; q.rc == HG_OK && i < m->n_patients; i++) {
		const point_patient *p = &m->patients[i];
		sq_q_bind_int64(&q, 1, id);
		sq_q_bind_int64(&q, 2, p->episode_id);
		sq_q_bind_text(&q, 3, p->municipality);
		sq_q_bind_text(&q, 4, p->hospital);
		sq_q_bind_text(&q, 5, p->ward);
		sq_q_bind_text(&q, 6, care_type_label(p->care)->code);
		sq_q_bind_instant(&q, 7, p->ready_since);
		sq_q_bind_int64(&q, 8, p->ready_days);
		sq_q_bind_text(&q, 9, point_step_label(p->next_step)->code);
		sq_q_bind_instant(&q, 10, p->step_at);
		sq_q_bind_date(&q, 11, p->expected_date);
		(void)sq_q_step(&q); /* an insert has no row; an error stays in q */
		sq_q_reset(&q);
	}
	return sq_q_finish(&q);
}

hg_status followup_point_save(store *s, const point_measurement *m, const char *scope, const char *label,
			      const char *by, hg_instant now, int64_t *id)
{
	if (s->pg)
		return pgf_point_save(s->pg, m, scope, label, by, now, id);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	hg_status rc = sq_db_exec(db, "BEGIN IMMEDIATE");
	if (rc != HG_OK)
		goto out;
	sq_q_prepare(&q, db,
	             "INSERT INTO point_measurements(at, taken_at, taken_by, scope, label, patients, ready_days) "
	             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	sq_q_bind_instant(&q, 1, m->at);
	sq_q_bind_instant(&q, 2, now);
	sq_q_bind_text(&q, 3, by);
	sq_q_bind_text(&q, 4, scope ? scope : "");
	sq_q_bind_text(&q, 5, label ? label : "");
	sq_q_bind_int64(&q, 6, m->total_patients);
	sq_q_bind_int64(&q, 7, m->total_ready_days);
	rc = sq_q_exec(&q);
	if (rc == HG_OK)
		*id = sq_q_last_id(&q);
	if (rc == HG_OK)
		rc = save_counts(db, *id, "municipality", m->municipalities, m->n_municipalities);
	if (rc == HG_OK)
		rc = save_counts(db, *id, "ward", m->wards, m->n_wards);
	if (rc == HG_OK)
		rc = save_patients(db, *id, m);
	if (rc == HG_OK)
		rc = sq_db_exec(db, "COMMIT");
	if (rc != HG_OK)
		sq_exec_quiet(db, "ROLLBACK");
out:
	return sq_conn_done(s, db, rc);
}

#define POINT_COLS "id, at, taken_at, taken_by, scope, label, patients, ready_days"

static hg_status read_point_row(sq_q *q, void *p)
{
	followup_point_row *r = p;
	memset(r, 0, sizeof *r);
	r->id = sq_q_col_int64(q, 0);
	r->at = sq_q_col_instant(q, 1);
	r->taken_at = sq_q_col_instant(q, 2);
	sq_q_col_str(q, 3, r->taken_by, sizeof r->taken_by);
	sq_q_col_str(q, 4, r->scope, sizeof r->scope);
	sq_q_col_str(q, 5, r->label, sizeof r->label);
	r->patients = sq_q_col_int(q, 6);
	r->ready_days = sq_q_col_int(q, 7);
	return HG_OK;
}

hg_status followup_point_list(store *s, const char *scope, followup_point_row **rows, size_t *n)
{
	if (s->pg)
		return pgf_point_list(s->pg, scope, rows, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "SELECT " POINT_COLS " FROM point_measurements WHERE ?1 IS NULL OR scope = ?1 "
	             "ORDER BY at DESC, id DESC LIMIT 1000");
	sq_q_bind_text(&q, 1, scope);
	return sq_conn_done(s, db, sq_q_collect(&q, sizeof **rows, read_point_row, (void **)rows, n));
}

static hg_status read_count(sq_q *q, void *p)
{
	point_count *c = p;
	memset(c, 0, sizeof *c);
	sq_q_col_str(q, 0, c->key, sizeof c->key);
	c->patients = sq_q_col_int(q, 1);
	c->ready_days = sq_q_col_int(q, 2);
	return HG_OK;
}

static hg_status read_patient(sq_q *q, void *p)
{
	point_patient *r = p;
	char code[HG_ID_MAX];
	memset(r, 0, sizeof *r);
	r->episode_id = sq_q_col_int64(q, 0);
	sq_q_col_str(q, 1, r->municipality, sizeof r->municipality);
	sq_q_col_str(q, 2, r->hospital, sizeof r->hospital);
	sq_q_col_str(q, 3, r->ward, sizeof r->ward);
	sq_q_col_str(q, 4, code, sizeof code);
	if (!care_type_from_code(code, &r->care))
		r->care = CARE_SOMATIC;
	r->ready_since = sq_q_col_instant(q, 5);
	r->ready_days = sq_q_col_int(q, 6);
	sq_q_col_str(q, 7, code, sizeof code);
	if (!point_step_from_code(code, &r->next_step))
		r->next_step = POINT_STEP_MUNICIPALITY;
	r->step_at = sq_q_col_instant(q, 8);
	r->expected_date = sq_q_col_date(q, 9);
	return HG_OK;
}

static hg_status collect_by_id(sqlite3 *db, const char *sql, int64_t id, const char *kind, size_t elem, sq_row_fn read,
                               void **out, size_t *n)
{
	sq_q q;
	sq_q_prepare(&q, db, sql);
	sq_q_bind_int64(&q, 1, id);
	if (kind)
		sq_q_bind_text(&q, 2, kind);
	return sq_q_collect(&q, elem, read, out, n);
}

hg_status followup_point_get(store *s, int64_t id, followup_point_row *row, point_measurement *m)
{
	if (s->pg)
		return pgf_point_get(s->pg, id, row, m);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	static const char counts_sql[] =
		"SELECT key, patients, ready_days FROM point_measurement_counts WHERE measurement_id = ?1 AND kind = ?2 "
		"ORDER BY key";
	sq_q_prepare(&q, db, "SELECT " POINT_COLS " FROM point_measurements WHERE id = ?1");
	if (m)
		memset(m, 0, sizeof *m);
	sq_q_bind_int64(&q, 1, id);
	if (sq_q_step(&q))
		IGNORE(read_point_row(&q, row)); /* reading a row cannot fail */
	else
		sq_q_fail(&q, HG_ENOTFOUND);
	hg_status rc = sq_q_finish(&q);
	if (rc == HG_OK && m) {
		m->at = row->at;
		m->total_patients = row->patients;
		m->total_ready_days = row->ready_days;
		rc = collect_by_id(db, counts_sql, id, "municipality", sizeof *m->municipalities, read_count,
				   (void **)&m->municipalities, &m->n_municipalities);
		if (rc == HG_OK)
			rc = collect_by_id(db, counts_sql, id, "ward", sizeof *m->wards, read_count, (void **)&m->wards,
					   &m->n_wards);
		if (rc == HG_OK)
			rc = collect_by_id(db,
					   "SELECT episode_id, municipality, hospital, ward, care_type, ready_since, "
					   "ready_days, next_step, step_at, expected_date FROM point_measurement_patients "
					   "WHERE measurement_id = ?1 ORDER BY municipality, ward, ready_days DESC, episode_id",
					   id, NULL, sizeof *m->patients, read_patient, (void **)&m->patients, &m->n_patients);
		if (rc != HG_OK)
			point_free(m);
	}
	return sq_conn_done(s, db, rc);
}

/* ---- the survey ---- */

hg_status followup_invite_put(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t episode_id, const char *by,
			      hg_instant now, hg_instant expires)
{
	if (s->pg)
		return pgf_invite_put(s->pg, hash, episode_id, by, now, expires);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
	             "INSERT INTO survey_invitations(token_hash, episode_id, created_at, created_by, expires_at) "
	             "VALUES (?1, ?2, ?3, ?4, ?5)");
	sq_q_bind_blob(&q, 1, hash, STORE_TOKEN_HASH_SIZE);
	sq_q_bind_int64(&q, 2, episode_id);
	sq_q_bind_instant(&q, 3, now);
	sq_q_bind_text(&q, 4, by);
	sq_q_bind_instant(&q, 5, expires);
	return sq_conn_done(s, db, sq_q_exec(&q)); /* no such episode: HG_ENOTFOUND */
}

/* Looks a link up on db: HG_OK with the episode when it may be answered at now. */
static hg_status invite_state(sqlite3 *db, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now, int64_t *episode)
{
	sq_q q;
	sq_q_prepare(&q, db, "SELECT episode_id, expires_at, used_at FROM survey_invitations WHERE token_hash = ?1");
	sq_q_bind_blob(&q, 1, hash, STORE_TOKEN_HASH_SIZE);
	if (sq_q_step(&q)) {
		*episode = sq_q_col_int64(&q, 0);
		bool used = !sq_q_col_null(&q, 2);
		if (used || sq_q_col_instant(&q, 1) <= now)
			sq_q_fail(&q, HG_ECONFLICT);
	} else {
		sq_q_fail(&q, HG_ENOTFOUND);
	}
	return sq_q_finish(&q);
}

hg_status followup_invite_check(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now)
{
	if (s->pg)
		return pgf_invite_check(s->pg, hash, now);
	sqlite3 *db = sq_conn_get(s);
	int64_t episode = 0;
	hg_status rc = invite_state(db, hash, now, &episode);
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

static void bind_reply(sq_q *q, int idx, survey_reply r)
{
	if (r == SURVEY_UNANSWERED)
		sq_q_bind_null(q, idx);
	else
		sq_q_bind_int64(q, idx, r == SURVEY_YES);
}

/* Inserts an answer on db. */
static hg_status insert_answer(sqlite3 *db, int64_t episode_id, const survey_answer *a, const char *by)
{
	sq_q q;
	sq_q_prepare(&q, db,
	             "INSERT INTO survey_answers(episode_id, answered_at, channel, respondent, felt_safe, "
	             "took_part, knew_care_contact, sip_where_wanted, comment, recorded_by) "
	             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	sq_q_bind_int64(&q, 1, episode_id);
	sq_q_bind_instant(&q, 2, a->answered_at);
	sq_q_bind_text(&q, 3, survey_channel_label(a->channel)->code);
	sq_q_bind_text(&q, 4, survey_respondent_label(a->respondent)->code);
	for (int i = 0; i < SURVEY_QUESTION_COUNT; i++)
		bind_reply(&q, 5 + i, a->replies[i]);
	sq_q_bind_text(&q, 9, a->comment);
	sq_q_bind_text(&q, 10, by);
	return sq_q_exec(&q); /* answered already: HG_ECONFLICT; no such episode: HG_ENOTFOUND */
}

hg_status followup_answer_by_link(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], const survey_answer *a,
				  hg_instant now, int64_t *episode_id)
{
	if (s->pg)
		return pgf_answer_by_link(s->pg, hash, a, now, episode_id);
	sqlite3 *db = sq_conn_get(s);
	int64_t episode = 0;
	survey_answer copy = *a;
	copy.channel = SURVEY_LINK;
	*episode_id = 0;
	hg_status rc = sq_db_exec(db, "BEGIN IMMEDIATE");
	if (rc != HG_OK)
		goto out;
	rc = invite_state(db, hash, now, &episode);
	if (rc == HG_OK)
		rc = insert_answer(db, episode, &copy, "link");
	if (rc == HG_OK) {
		sq_q q;
		sq_q_prepare(&q, db,
		             "UPDATE survey_invitations SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL");
		sq_q_bind_blob(&q, 1, hash, STORE_TOKEN_HASH_SIZE);
		sq_q_bind_instant(&q, 2, now);
		/* the link used meanwhile, or the update failing: either way it is not this answer's */
		rc = sq_q_exec(&q) == HG_OK && sq_q_changes(&q) == 1 ? HG_OK : HG_ECONFLICT;
	}
	if (rc == HG_OK)
		rc = sq_db_exec(db, "COMMIT");
	if (rc != HG_OK)
		sq_exec_quiet(db, "ROLLBACK");
	*episode_id = rc == HG_OK ? episode : 0;
out:
	return sq_conn_done(s, db, rc);
}

hg_status followup_answer_put(store *s, int64_t episode_id, const survey_answer *a, const char *by)
{
	if (s->pg)
		return pgf_answer_put(s->pg, episode_id, a, by);
	sqlite3 *db = sq_conn_get(s);
	return sq_conn_done(s, db, insert_answer(db, episode_id, a, by));
}

hg_status followup_survey_status_get(store *s, int64_t episode_id, hg_instant now, followup_survey_status *out)
{
	if (s->pg)
		return pgf_survey_status_get(s->pg, episode_id, now, out);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	memset(out, 0, sizeof *out);
	out->answered_at = out->last_invited_at = out->last_expires_at = HG_INSTANT_NONE;
	sq_q_prepare(&q, db, "SELECT answered_at, channel, respondent FROM survey_answers WHERE episode_id = ?1");
	sq_q_bind_int64(&q, 1, episode_id);
	if (sq_q_step(&q)) {
		out->answered_at = sq_q_col_int64(&q, 0);
		sq_q_col_str(&q, 1, out->channel, sizeof out->channel);
		sq_q_col_str(&q, 2, out->respondent, sizeof out->respondent);
	}
	hg_status rc = sq_q_finish(&q);
	if (rc != HG_OK)
		return sq_conn_done(s, db, rc);
	sq_q_prepare(
	    &q, db,
	    "SELECT COUNT(*), COALESCE(SUM(used_at IS NULL AND expires_at > ?2), 0), MAX(created_at), "
	    "(SELECT expires_at FROM survey_invitations WHERE episode_id = ?1 ORDER BY created_at DESC LIMIT 1) "
	    "FROM survey_invitations WHERE episode_id = ?1");
	sq_q_bind_int64(&q, 1, episode_id);
	sq_q_bind_int64(&q, 2, now);
	if (sq_q_step(&q)) {
		out->invitations = sq_q_col_int(&q, 0);
		out->open_invitations = sq_q_col_int(&q, 1);
		out->last_invited_at = sq_q_col_instant(&q, 2);
		out->last_expires_at = sq_q_col_instant(&q, 3);
	} else {
		sq_q_fail(&q, HG_EIO); /* NEVER: an aggregate has its row */
	}
	return sq_conn_done(s, db, sq_q_finish(&q));
}
