/*
 * pg_copy.c - store_copy() (store_copy.h): a SQLite database into an empty
 * PostgreSQL one, every table through COPY ... FROM STDIN (pg_copyin.c), in one
 * transaction on the target.
 *
 * The two schemas have the same tables with the same columns (migrations/pg
 * mirrors migrations/, times as integers on both sides), so the copy needs no
 * knowledge of a table beyond its name: the columns are the target's (in
 * information_schema order), each value travels as text, a bytea column in
 * bytea's hex form. Tables are copied parents first, so the foreign keys hold at every
 * row. The settings the target's migrations wrote are replaced by the source's.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "store/pg_int.h"
#include "store/sq_db.h"
#include "store/store_copy.h"

/* Every table, parents before children. */
static const char *const copy_tables[] = {
    "organisations",
    "units",
    "users",
    "user_units",
    "sessions",
    "api_tokens",
    "episodes",
    "events",
    "episode_projection",
    "episode_parties",
    "pending_acks",
    "episode_facts",
    "audit_log",
    "audit_patients",
    "settings",
    "agreements",
    "invoices",
    "invoice_steps",
    "invoice_step_keys",
    "point_measurements",
    "point_measurement_counts",
    "point_measurement_patients",
    "survey_invitations",
    "survey_answers",
    "hl7_facilities",
    "hl7_wards",
    "hl7_visits",
    "hl7_messages",
    "hl7_quarantine",
    "fhir_messages",
    "subscriptions",
    "deliveries",
};

/* Tables whose id is a sequence on PostgreSQL (BIGSERIAL). */
static const char *const serial_tables[] = {
    "users",          "episodes",       "events",        "audit_log",  "invoices", "point_measurements",
    "survey_answers", "hl7_quarantine", "subscriptions", "deliveries",
};

#define COPY_COLUMNS_MAX PG_PARAMS_MAX
#define COPY_SQL_MAX     4096

typedef struct copy_columns {
	int n;
	char names[COPY_COLUMNS_MAX][64];
	bool bytea[COPY_COLUMNS_MAX];
} copy_columns;

static hg_status target_columns(pg_store *p, pg_conn *c, const char *table, copy_columns *cols)
{
	PGresult *r = NULL;
	hg_status rc = pgx_query(p, c, &r,
	                         "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
	                         "current_schema() AND table_name = $1 ORDER BY ordinal_position",
	                         "t", table);
	cols->n = 0;
	if (rc == HG_OK && (PQntuples(r) == 0 || PQntuples(r) > COPY_COLUMNS_MAX))
		rc = HG_EINTERNAL; /* NEVER: every table of the list exists with few columns */
	for (int i = 0; rc == HG_OK && i < PQntuples(r); i++) {
		pgr_str(r, i, 0, cols->names[i], sizeof cols->names[i]);
		cols->bytea[i] = strcmp(PQgetvalue(r, i, 1), "bytea") == 0;
		cols->n++;
	}
	PQclear(r);
	return rc;
}

/* Appends text to buf (of COPY_SQL_MAX bytes); false when it does not fit. */
static bool sql_add(char *buf, size_t *len, const char *text)
{
	size_t n = strlen(text);
	if (*len + n + 1 > COPY_SQL_MAX)
		return false;
	memcpy(buf + *len, text, n + 1);
	*len += n;
	return true;
}

/* Rows gathered before they go to the server in one COPY (the buffer grows to about this). */
#define COPY_FLUSH_BYTES (8u << 20)

/* Copies one table: SELECT its columns on the SQLite connection db, COPY the rows into it on c. */
static hg_status copy_table(pg_store *p, pg_conn *c, sqlite3 *db, const char *table, size_t *rows)
{
	copy_columns cols;
	char select[COPY_SQL_MAX], copy[COPY_SQL_MAX];
	size_t ls = 0, lc = 0;
	sq_q q;
	pg_copyin ci;
	hg_status rc = target_columns(p, c, table, &cols);
	*rows = 0;
	if (rc)
		return rc;
	bool ok = sql_add(select, &ls, "SELECT ") && sql_add(copy, &lc, "COPY ") && sql_add(copy, &lc, table) &&
	          sql_add(copy, &lc, " (");
	for (int i = 0; ok && i < cols.n; i++) {
		ok = sql_add(select, &ls, i ? ", \"" : "\"") && sql_add(select, &ls, cols.names[i]) &&
		     sql_add(select, &ls, "\"") && sql_add(copy, &lc, i ? ", \"" : "\"") &&
		     sql_add(copy, &lc, cols.names[i]) && sql_add(copy, &lc, "\"");
	}
	ok = ok && sql_add(select, &ls, " FROM ") && sql_add(select, &ls, table) && sql_add(copy, &lc, ") FROM STDIN");
	if (!ok)
		return HG_EINTERNAL; /* NEVER: the statements of every table fit */
	sq_q_prepare(&q, db, select);
	pgci_init(&ci, copy);
	while (sq_q_step(&q)) {
		for (int i = 0; i < cols.n; i++) {
			if (sq_q_col_null(&q, i)) {
				pgci_null(&ci);
			} else if (cols.bytea[i]) {
				const void *blob = sq_q_col_blob(&q, i);
				pgci_bytes(&ci, blob, (size_t)sq_q_col_bytes(&q, i));
			} else {
				const char *text = sq_q_col_text(&q, i); /* then its length */
				pgci_text(&ci, text, (size_t)sq_q_col_bytes(&q, i));
			}
		}
		pgci_end_row(&ci);
		++*rows;
		if (ci.len >= COPY_FLUSH_BYTES)
			sq_q_fail(&q, pgci_flush(p, c, &ci));
	}
	rc = sq_q_finish(&q);
	if (rc == HG_OK)
		rc = pgci_flush(p, c, &ci);
	pgci_free(&ci);
	return rc;
}

hg_status store_copy(store *from, store *to, store_copy_report *out, char *err, size_t errlen)
{
	if (from->pg || !to->pg) {
		snprintf(err, errlen, "copy goes from a SQLite database to a PostgreSQL database");
		return HG_EINVAL;
	}
	memset(out, 0, sizeof *out);
	if (errlen)
		*err = '\0';
	pg_store *p = to->pg;
	pg_conn *c = pgc_get(p);
	PGresult *r = NULL;
	sqlite3 *db = sq_conn_get(from);
	hg_status rc = pgx_exec(p, c, "BEGIN");
	/* nobody writes to the target while it fills */
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "LOCK TABLE users, episodes, events IN EXCLUSIVE MODE");
	if (rc == HG_OK)
		rc = pgx_query(p, c, &r, "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM events)", "");
	if (rc == HG_OK && pgr_int(r, 0, 0) > 0) {
		snprintf(err, errlen, "the target database is not empty (it has users or events)");
		rc = HG_ECONFLICT;
	}
	PQclear(r);
	/* a read transaction on the source: one consistent state */
	bool reading = rc == HG_OK && sq_db_exec(db, "BEGIN") == HG_OK;
	if (rc == HG_OK && !reading)
		rc = HG_EIO;
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "DELETE FROM settings");
	for (size_t i = 0; rc == HG_OK && i < sizeof copy_tables / sizeof copy_tables[0]; i++) {
		size_t rows = 0;
		rc = copy_table(p, c, db, copy_tables[i], &rows);
		if (rc != HG_OK)
			snprintf(err, errlen, "cannot copy table %s: %s", copy_tables[i], hg_status_name(rc));
		out->tables[out->n_tables].name = copy_tables[i];
		out->tables[out->n_tables++].rows = rows;
	}
	for (size_t i = 0; rc == HG_OK && i < sizeof serial_tables / sizeof serial_tables[0]; i++) {
		char sql[256];
		snprintf(sql, sizeof sql,
		         "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT max(id) FROM %s), 0) + 1, "
		         "false)",
		         serial_tables[i], serial_tables[i]);
		rc = pgx_exec(p, c, sql);
	}
	if (reading)
		sq_exec_quiet(db, "COMMIT");
	if (rc == HG_OK)
		rc = pgx_exec(p, c, "COMMIT");
	if (rc != HG_OK && !*err)
		snprintf(err, errlen, "cannot copy: %s", hg_status_name(rc));
	pgx_rollback(c);
	pgc_put(p, c);
	sq_conn_put(from, db);
	if (rc == HG_OK)
		pg_touch(p);
	return rc;
}
