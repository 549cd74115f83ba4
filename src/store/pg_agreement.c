/*
 * pg_agreement.c - the rows of agreements (agreement_store.h) on PostgreSQL:
 * versioned documents, inserted once and never changed (a trigger refuses it,
 * migrations/pg/0001_init.sql). Parsing, comparing and rendering documents stay
 * in agreement_store.c, shared with SQLite; this file only moves rows.
 */
#include <string.h>

#include "core/alloc.h"
#include "store/agreement_store.h"
#include "store/pg_int.h"

#define ROW_COLUMNS "id, version, name, region, model, valid_from, valid_to, imported_at, imported_by"

hg_status pg_agreement_insert(pg_store *p, const agreement *a, const char *doc, size_t len, const char *by,
                              hg_instant now, bool *existed)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	char *text = hg_strndup(doc, len);
	int changes = 0;
	*existed = false;
	/* Two servers importing the same version at once: one inserts, the other compares. */
	hg_status rc =
	    text ? pgx_query(p, c, &r,
	                     "INSERT INTO agreements(id, version, name, region, model, valid_from, valid_to, "
	                     "document, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
	                     "ON CONFLICT (id, version) DO NOTHING",
	                     "titttiItTt", a->id, (int64_t)a->version, a->name, a->region,
	                     agreement_model_code(a->model), (int64_t)a->valid_from,
	                     (int64_t)(a->valid_to == HG_DATE_NONE ? 0 : a->valid_to), text, now, by)
	         : HG_ENOMEM;
	if (rc == HG_OK)
		changes = atoi(PQcmdTuples(r));
	PQclear(r);
	r = NULL;
	if (rc == HG_OK && changes == 0) {
		*existed = true;
		rc = pgx_query(p, c, &r, "SELECT document FROM agreements WHERE id = $1 AND version = $2", "ti", a->id,
		               (int64_t)a->version);
		if (rc == HG_OK && PQntuples(r) == 1)
			rc = agreement_document_same(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), doc, len);
		else if (rc == HG_OK)
			rc = HG_EIO; /* NEVER: the conflicting row is there */
		PQclear(r);
	}
	hg_free(text);
	pgc_put(p, c);
	return rc;
}

hg_status pg_agreement_id_stored(pg_store *p, const char *id, bool *found)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r, "SELECT 1 FROM agreements WHERE id = $1 LIMIT 1", "t", id);
	*found = rc == HG_OK && PQntuples(r) > 0;
	PQclear(r);
	pgc_put(p, c);
	return rc;
}

static void read_row(PGresult *r, int row, void *out)
{
	agreement_row *a = out;
	memset(a, 0, sizeof *a);
	pgr_str(r, row, 0, a->id, sizeof a->id);
	a->version = (int)pgr_int(r, row, 1);
	pgr_str(r, row, 2, a->name, sizeof a->name);
	pgr_str(r, row, 3, a->region, sizeof a->region);
	if (!agreement_model_from_code(pgr_text(r, row, 4), &a->model))
		a->model = AGREEMENT_PER_NIGHT; /* NEVER: written from a parsed record */
	a->valid_from = (hg_date)pgr_int(r, row, 5);
	a->valid_to = PQgetisnull(r, row, 6) ? HG_DATE_NONE : (hg_date)pgr_int(r, row, 6);
	a->imported_at = pgr_int(r, row, 7);
	pgr_str(r, row, 8, a->imported_by, sizeof a->imported_by);
}

hg_status pg_agreement_list(pg_store *p, agreement_row **rows, size_t *n)
{
	hg_status rc =
	    pg_select(p, sizeof **rows, read_row, (void **)rows, n,
	              "SELECT " ROW_COLUMNS " FROM agreements ORDER BY id COLLATE \"C\", version", NULL, NULL);
	for (size_t i = 0; rc == HG_OK && i < *n; i++)
		(*rows)[i].latest = i + 1 == *n || strcmp((*rows)[i].id, (*rows)[i + 1].id) != 0;
	return rc;
}

hg_status pg_agreement_get(pg_store *p, const char *id, int version, agreement_row *row, char **document)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r,
	                         "SELECT " ROW_COLUMNS ", document, version = (SELECT MAX(version) FROM agreements "
	                         "WHERE id = $1) FROM agreements WHERE id = $1 AND ($2 = 0 OR version = $2) "
	                         "ORDER BY version DESC LIMIT 1",
	                         "ti", id, (int64_t)version);
	pgc_put(p, c);
	if (rc == HG_OK && PQntuples(r) == 0)
		rc = HG_ENOTFOUND;
	if (rc == HG_OK) {
		read_row(r, 0, row);
		row->latest = strcmp(PQgetvalue(r, 0, 10), "t") == 0;
		*document = hg_strndup(PQgetvalue(r, 0, 9), (size_t)PQgetlength(r, 0, 9));
		if (!*document)
			rc = HG_ENOMEM;
	}
	PQclear(r);
	return rc;
}

hg_status pg_agreement_current(pg_store *p, char ***docs, size_t *n)
{
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r,
	                         "SELECT document FROM agreements a WHERE version = "
	                         "(SELECT MAX(version) FROM agreements b WHERE b.id = a.id) ORDER BY id COLLATE \"C\"",
	                         "");
	pgc_put(p, c);
	int rows = rc == HG_OK ? PQntuples(r) : 0;
	char **arr = rc == HG_OK ? hg_calloc(rows ? (size_t)rows : 1, sizeof *arr) : NULL;
	if (rc == HG_OK && !arr)
		rc = HG_ENOMEM;
	for (int i = 0; rc == HG_OK && i < rows; i++)
		if (!(arr[i] = hg_strndup(PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0))))
			rc = HG_ENOMEM;
	PQclear(r);
	if (rc) {
		for (int i = 0; arr && i < rows; i++)
			hg_free(arr[i]);
		hg_free(arr);
		return rc;
	}
	*docs = arr;
	*n = (size_t)rows;
	return HG_OK;
}
