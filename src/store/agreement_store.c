/*
 * agreement_store.c - agreements as versioned documents in SQLite (see
 * agreement_store.h), and the rendering of a record back into its file
 * format, used for the built-in statutory defaults and for exports.
 *
 * The document is the truth: every read parses it again with
 * agreement_json_parse(), so what an invoice computes with is exactly what a
 * person can read in the export. On PostgreSQL the rows are read and written by
 * pg_agreement.c (typed rows and document texts); parsing, comparing and
 * rendering stay here, so both backends share them.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "wire/agreement_json.h"
#include "store/agreement_store.h"
#include "store/sq_db.h"
#include "store/store_int.h"
#include "store/store_pg.h"

/* ---- rendering ---- */

static json_t *per_care(const int64_t v[CARE_TYPE_COUNT])
{
	json_t *o = json_object();
	for (int c = 0; o && c < CARE_TYPE_COUNT; c++)
		if (json_object_set_new(o, care_type_label((care_type)c)->code, json_integer((json_int_t)v[c]))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static json_t *date_or_null(hg_date d)
{
	char b[11];
	return d == HG_DATE_NONE ? json_null() : json_string(date_format(d, b));
}

json_t *agreement_json_render(const agreement *a)
{
	int64_t grace[CARE_TYPE_COUNT];
	json_t *munis = json_array(), *rates = json_array(), *o = NULL;
	if (!munis || !rates)
		goto fail;
	for (size_t i = 0; i < a->n_municipalities; i++)
		if (json_array_append_new(munis, json_string(a->municipalities[i])))
			goto fail;
	for (size_t i = 0; i < a->n_rates; i++)
		if (json_array_append_new(rates, json_pack("{s:i, s:s, s:I}", "year", a->rates[i].year, "care",
							   care_type_label(a->rates[i].care)->code, "amount_ore",
							   (json_int_t)a->rates[i].amount_ore)))
			goto fail;
	for (int c = 0; c < CARE_TYPE_COUNT; c++)
		grace[c] = a->grace_days[c];
	o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:o, s:o, s:o, s:s, s:o, s:s, s:b, s:s, s:{s:b, s:b, s:b}, s:o}",
		      "format", AGREEMENT_JSON_FORMAT, "id", a->id, "name", a->name, "version", a->version, "region",
		      a->region, "municipalities", munis, "valid_from", date_or_null(a->valid_from), "valid_to",
		      date_or_null(a->valid_to), "model", agreement_model_code(a->model), "grace_days", per_care(grace),
		      "count", agreement_count_code(a->count), "eves", a->eves_are_holidays, "withdrawal",
		      agreement_withdrawal_code(a->withdrawal), "conditions", "admission_notice",
		      a->conditions.admission_notice, "ready_notice", a->conditions.ready_notice, "sip_called",
		      a->conditions.sip_called, "rates", rates);
	munis = rates = NULL; /* json_pack "o" steals them, even on failure */
	if (!o)
		return NULL;
	if (a->leave_nights_free && json_object_set_new(o, "leave_nights", json_string("free")))
		goto fail;
	if (a->model == AGREEMENT_AVERAGE &&
	    json_object_set_new(o, "average",
				json_pack("{s:i, s:o, s:o}", "period_months", a->average.period_months,
					  "threshold_centidays", per_care(a->average.threshold_centidays),
					  "amount_ore", per_care(a->average.amount_ore))))
		goto fail;
	return o;
fail:
	json_decref(munis);
	json_decref(rates);
	json_decref(o);
	return NULL;
}

json_t *agreement_row_json(const agreement_row *r)
{
	char at[21];
	return json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:b}", "id", r->id, "version", r->version,
			 "name", r->name, "region", r->region, "model", agreement_model_code(r->model), "valid_from",
			 date_or_null(r->valid_from), "valid_to", date_or_null(r->valid_to), "imported_at",
			 instant_format_utc(r->imported_at, at), "imported_by", r->imported_by, "latest", r->latest);
}

/* ---- storage ---- */

/* The text of a document, indented as the shipped files are; hg_malloc'ed (caller frees), NULL when out of memory. */
static char *dump(const json_t *doc, size_t *len)
{
	const size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;
	size_t need = json_dumpb(doc, NULL, 0, flags);
	char *text = need ? hg_malloc(need + 1) : NULL;
	if (!text || json_dumpb(doc, text, need, flags) != need) {
		hg_free(text);
		return NULL;
	}
	text[need] = '\0';
	*len = need;
	return text;
}

#define ROW_COLUMNS "id, version, name, region, model, valid_from, valid_to, imported_at, imported_by"

static hg_status read_row(sq_q *q, void *p)
{
	agreement_row *r = p;
	memset(r, 0, sizeof *r);
	sq_q_col_str(q, 0, r->id, sizeof r->id);
	r->version = sq_q_col_int(q, 1);
	sq_q_col_str(q, 2, r->name, sizeof r->name);
	sq_q_col_str(q, 3, r->region, sizeof r->region);
	if (!agreement_model_from_code(sq_q_col_text(q, 4), &r->model))
		r->model = AGREEMENT_PER_NIGHT; /* NEVER: written from a parsed record */
	r->valid_from = sq_q_col_int(q, 5);
	r->valid_to = sq_q_col_date(q, 6);
	r->imported_at = sq_q_col_int64(q, 7);
	sq_q_col_str(q, 8, r->imported_by, sizeof r->imported_by);
	return HG_OK;
}

hg_status agreement_document_same(const char *stored, size_t stored_len, const char *doc, size_t len)
{
	/* The same document is the same JSON value: layout and key order do not count. */
	json_error_t jerr;
	json_t *old = json_loadb(stored, stored_len, 0, &jerr);
	json_t *new_doc = json_loadb(doc, len, 0, &jerr);
	hg_status rc = !old || !new_doc ? HG_ENOMEM : json_equal(old, new_doc) ? HG_OK : HG_ECONFLICT;
	json_decref(old);
	json_decref(new_doc);
	return rc;
}

/* Inserts a parsed record with its document on db (inside the caller's transaction or alone). */
static hg_status insert(sqlite3 *db, const agreement *a, const char *doc, size_t len, const char *by, hg_instant now,
			bool *existed)
{
	sq_q q;
	sq_q_prepare(&q, db, "SELECT document FROM agreements WHERE id = ?1 AND version = ?2");
	sq_q_bind_text(&q, 1, a->id);
	sq_q_bind_int64(&q, 2, a->version);
	*existed = sq_q_step(&q);
	if (*existed) {
		const char *stored = sq_q_col_text(&q, 0);
		sq_q_fail(&q, agreement_document_same(stored, sq_q_col_bytes(&q, 0), doc, len));
	}
	hg_status rc = sq_q_finish(&q);
	if (rc || *existed)
		return rc;
	sq_q_prepare(&q, db,
		     "INSERT INTO agreements(id, version, name, region, model, valid_from, valid_to, document, "
		     "imported_at, imported_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	sq_q_bind_text(&q, 1, a->id);
	sq_q_bind_int64(&q, 2, a->version);
	sq_q_bind_text(&q, 3, a->name);
	sq_q_bind_text(&q, 4, a->region);
	sq_q_bind_text(&q, 5, agreement_model_code(a->model));
	sq_q_bind_int64(&q, 6, a->valid_from);
	sq_q_bind_date(&q, 7, a->valid_to);
	sq_q_bind_textn(&q, 8, doc, len);
	sq_q_bind_int64(&q, 9, now);
	sq_q_bind_text(&q, 10, by);
	return sq_q_exec(&q);
}

hg_status agreement_store_import(store *s, const char *text, size_t len, const char *by, hg_instant now,
				 agreement *out, bool *existed, char *err, size_t errlen)
{
	agreement a;
	bool dummy;
	hg_status rc = agreement_json_parse(text, len, &a, err, errlen);
	if (rc)
		return rc;
	if (!existed)
		existed = &dummy;
	if (s->pg) {
		rc = pg_agreement_insert(s->pg, &a, text, len, by, now, existed);
		goto done;
	}
	sqlite3 *db = sq_conn_get(s);
	rc = sq_write_begin(s, db);
	if (rc == HG_OK) {
		rc = insert(db, &a, text, len, by, now, existed);
		if (rc == HG_OK)
			rc = sq_write_commit(s, db);
		else
			sq_write_rollback(s, db);
	}
	sq_conn_put(s, db);
done:
	if (rc == HG_ECONFLICT)
		(void)snprintf(err, errlen,
			       "agreement %s version %d is already stored with other content; raise \"version\"", a.id,
			       a.version);
	else if (rc == HG_EIO)
		(void)snprintf(err, errlen, "storage error");
	if (rc == HG_OK && out)
		*out = a;
	return rc == HG_EIO && !s->pg ? sq_fail_io(s) : rc;
}

/* True when some version of id is stored. */
static hg_status id_stored(sqlite3 *db, const char *id, bool *found)
{
	sq_q q;
	sq_q_prepare(&q, db, "SELECT 1 FROM agreements WHERE id = ?1 LIMIT 1");
	sq_q_bind_text(&q, 1, id);
	return sq_q_exists(&q, found);
}

/* The file of a built-in agreement, with its sources; hg_malloc'ed (caller frees), NULL when out of memory. */
static char *builtin_document(const agreement *a, size_t *len)
{
	json_t *doc = agreement_json_render(a);
	json_t *sources = json_pack("[s]", "Built into hemgang: agreement_statutory() in src/core/agreement.c "
					   "(docs/liability.md gives the sources of every figure).");
	char *text = NULL;
	if (doc && sources && json_object_set_new(doc, "sources", sources) == 0) {
		sources = NULL;
		text = dump(doc, len);
	}
	json_decref(sources);
	json_decref(doc);
	return text;
}

/* On PostgreSQL: each missing built-in is inserted unless another server did it first (an equal document). */
static hg_status ensure_builtin_pg(store *s, hg_instant now)
{
	size_t n;
	const agreement *list = agreement_statutory(&n);
	hg_status rc = HG_OK;
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		bool found = false, existed;
		rc = pg_agreement_id_stored(s->pg, list[i].id, &found);
		if (rc || found)
			continue;
		size_t len = 0;
		char *text = builtin_document(&list[i], &len);
		rc = text ? pg_agreement_insert(s->pg, &list[i], text, len, "builtin", now, &existed) : HG_ENOMEM;
		hg_free(text);
	}
	return rc;
}

hg_status agreement_store_ensure_builtin(store *s, hg_instant now)
{
	if (s->pg)
		return ensure_builtin_pg(s, now);
	size_t n;
	const agreement *list = agreement_statutory(&n);
	sqlite3 *db = sq_conn_get(s);
	hg_status rc = sq_write_begin(s, db);
	bool began = rc == HG_OK;
	for (size_t i = 0; rc == HG_OK && i < n; i++) {
		bool found = false, existed;
		rc = id_stored(db, list[i].id, &found);
		if (rc || found)
			continue;
		size_t len = 0;
		char *text = builtin_document(&list[i], &len);
		rc = text ? insert(db, &list[i], text, len, "builtin", now, &existed) : HG_ENOMEM;
		hg_free(text);
	}
	if (began && rc == HG_OK)
		rc = sq_write_commit(s, db);
	else if (began)
		sq_write_rollback(s, db);
	sq_conn_put(s, db);
	return rc == HG_EIO ? sq_fail_io(s) : rc;
}

hg_status agreement_store_list(store *s, agreement_row **rows, size_t *n)
{
	hg_status rc;
	if (s->pg) {
		rc = pg_agreement_list(s->pg, rows, n);
	} else {
		sqlite3 *db = sq_conn_get(s);
		sq_q q;
		sq_q_prepare(&q, db, "SELECT " ROW_COLUMNS " FROM agreements ORDER BY id, version");
		rc = sq_conn_done(s, db, sq_q_collect(&q, sizeof **rows, read_row, (void **)rows, n));
	}
	for (size_t i = 0; rc == HG_OK && i < *n; i++)
		(*rows)[i].latest = i + 1 == *n || strcmp((*rows)[i].id, (*rows)[i + 1].id) != 0;
	return rc;
}

/* Parses a stored document text[0..len); one that no longer parses is a broken invariant. */
static hg_status parse_text(const char *text, size_t len, agreement *out)
{
	char err[256];
	agreement a;
	if (!text || agreement_json_parse(text, len, &a, err, sizeof err) != HG_OK)
		return HG_EINTERNAL;
	if (out)
		*out = a;
	return HG_OK;
}

static hg_status parse_stored(sq_q *q, int col, agreement *out)
{
	const char *text = sq_q_col_text(q, col);
	return parse_text(text, sq_q_col_bytes(q, col), out);
}

/* agreement_store_get on PostgreSQL: the row and its document, parsed here as on SQLite. */
static hg_status get_pg(store *s, const char *id, int version, agreement *out, char **document, agreement_row *row)
{
	char *doc = NULL;
	agreement_row r;
	hg_status rc = pg_agreement_get(s->pg, id, version, &r, &doc);
	if (rc == HG_OK)
		rc = parse_text(doc, strlen(doc), out);
	if (rc == HG_OK && row)
		*row = r;
	if (rc == HG_OK && document) {
		*document = doc;
		doc = NULL;
	}
	hg_free(doc);
	return rc;
}

hg_status agreement_store_get(store *s, const char *id, int version, agreement *out, char **document,
			      agreement_row *row)
{
	if (s->pg)
		return get_pg(s, id, version, out, document, row);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
		     "SELECT " ROW_COLUMNS ", document, version = (SELECT MAX(version) FROM agreements "
		     "WHERE id = ?1) FROM agreements WHERE id = ?1 AND (?2 = 0 OR version = ?2) "
		     "ORDER BY version DESC LIMIT 1");
	sq_q_bind_text(&q, 1, id);
	sq_q_bind_int64(&q, 2, version);
	if (sq_q_step(&q)) {
		sq_q_fail(&q, parse_stored(&q, 9, out));
		if (q.rc == HG_OK && row) {
			IGNORE(read_row(&q, row));
			row->latest = sq_q_col_int(&q, 10) != 0;
		}
		if (q.rc == HG_OK && document)
			*document = sq_q_col_dup(&q, 9); /* never NULL: the column is NOT NULL */
	} else {
		sq_q_fail(&q, HG_ENOTFOUND);
	}
	return sq_conn_done(s, db, sq_q_finish(&q));
}

/* A row whose column 0 is a document, parsed into an agreement (sq_q_collect). */
static hg_status read_document(sq_q *q, void *p) { return parse_stored(q, 0, p); }

/* agreement_store_current on PostgreSQL: the latest documents, each parsed. */
static hg_status current_pg(store *s, agreement **list, size_t *n)
{
	char **docs = NULL;
	size_t k = 0;
	hg_status rc = pg_agreement_current(s->pg, &docs, &k);
	agreement *arr = rc == HG_OK ? hg_calloc(k ? k : 1, sizeof *arr) : NULL;
	if (rc == HG_OK && !arr)
		rc = HG_ENOMEM;
	for (size_t i = 0; i < k; i++) {
		if (rc == HG_OK)
			rc = parse_text(docs[i], strlen(docs[i]), &arr[i]);
		hg_free(docs[i]);
	}
	hg_free(docs);
	if (rc) {
		hg_free(arr);
		return rc;
	}
	*list = arr;
	*n = k;
	return HG_OK;
}

hg_status agreement_store_current(store *s, agreement **list, size_t *n)
{
	if (s->pg)
		return current_pg(s, list, n);
	sqlite3 *db = sq_conn_get(s);
	sq_q q;
	sq_q_prepare(&q, db,
		     "SELECT document FROM agreements a WHERE version = "
		     "(SELECT MAX(version) FROM agreements b WHERE b.id = a.id) ORDER BY id");
	return sq_conn_done(s, db, sq_q_collect(&q, sizeof **list, read_document, (void **)list, n));
}

hg_status agreement_store_versions(store *s, const agreement_ref *refs, size_t n, agreement **list)
{
	agreement *arr = hg_calloc(n ? n : 1, sizeof *arr);
	if (!arr)
		return HG_ENOMEM;
	hg_status rc = HG_OK;
	for (size_t i = 0; rc == HG_OK && i < n; i++)
		rc = agreement_store_get(s, refs[i].id, refs[i].version, &arr[i], NULL, NULL);
	if (rc) {
		hg_free(arr);
		return rc;
	}
	*list = arr;
	return HG_OK;
}
