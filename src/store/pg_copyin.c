/*
 * pg_copyin.c - rows into PostgreSQL through COPY ... FROM STDIN (text
 * format), for the writers that move many rows at once: hemgang copy
 * (pg_copy.c) and the bulk loader (pg_bulk.c).
 *
 * A buffer gathers the rows of one table in COPY's text format (columns
 * separated by tabs, rows by newlines, NULL as \N, a backslash, tab, newline
 * or carriage return escaped with a backslash; bytea as \x and hex digits).
 * pgci_flush sends the buffer to the server in one COPY statement on the
 * caller's connection, inside the caller's transaction; the rows are checked
 * (types, constraints, foreign keys) by the server as an INSERT's would be.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "store/pg_int.h"

/* Grows the buffer to hold `more` bytes beyond what it has; false when out of memory. */
static bool reserve(pg_copyin *ci, size_t more)
{
	if (ci->len + more <= ci->cap)
		return true;
	size_t cap = ci->cap ? ci->cap : 65536;
	while (cap < ci->len + more)
		cap *= 2;
	char *bigger = hg_realloc(ci->buf, cap);
	if (!bigger) {
		ci->failed = true;
		return false;
	}
	ci->buf = bigger;
	ci->cap = cap;
	return true;
}

/* The separator before a column: none before the first of a row. */
static void separate(pg_copyin *ci)
{
	if (ci->col++ > 0)
		ci->buf[ci->len++] = '\t';
}

void pgci_init(pg_copyin *ci, const char *copy_sql)
{
	memset(ci, 0, sizeof *ci);
	ci->sql = copy_sql;
}

void pgci_free(pg_copyin *ci)
{
	hg_free(ci->buf);
	ci->buf = NULL;
	ci->len = ci->cap = 0;
}

void pgci_text(pg_copyin *ci, const char *s, size_t n)
{
	if (!s) {
		pgci_null(ci);
		return;
	}
	/* the worst case: every byte escaped, and the separator */
	if (!reserve(ci, 2 * n + 1))
		return;
	separate(ci);
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		char esc = ch == '\\' ? '\\' : ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : 0;
		if (esc) {
			ci->buf[ci->len++] = '\\';
			ci->buf[ci->len++] = esc;
		} else {
			ci->buf[ci->len++] = ch;
		}
	}
}

void pgci_str(pg_copyin *ci, const char *s)
{
	pgci_text(ci, s, s ? strlen(s) : 0);
}

void pgci_null(pg_copyin *ci)
{
	if (!reserve(ci, 3))
		return;
	separate(ci);
	ci->buf[ci->len++] = '\\';
	ci->buf[ci->len++] = 'N';
}

void pgci_int(pg_copyin *ci, int64_t v)
{
	if (!reserve(ci, 24))
		return;
	separate(ci);
	ci->len += (size_t)snprintf(ci->buf + ci->len, 23, "%" PRId64, v);
}

void pgci_bytes(pg_copyin *ci, const uint8_t *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (!b) {
		pgci_null(ci);
		return;
	}
	/* \\x then two hex digits a byte: the backslash of bytea's hex form escaped for COPY */
	if (!reserve(ci, 2 * n + 4))
		return;
	separate(ci);
	memcpy(ci->buf + ci->len, "\\\\x", 3);
	ci->len += 3;
	for (size_t i = 0; i < n; i++) {
		ci->buf[ci->len++] = hex[b[i] >> 4];
		ci->buf[ci->len++] = hex[b[i] & 15];
	}
}

void pgci_end_row(pg_copyin *ci)
{
	if (!reserve(ci, 1))
		return;
	ci->buf[ci->len++] = '\n';
	ci->col = 0;
	ci->rows++;
}

hg_status pgci_flush(pg_store *p, pg_conn *c, pg_copyin *ci)
{
	if (ci->failed)
		return HG_ENOMEM;
	if (ci->len == 0)
		return HG_OK;
	PGresult *r = PQexec(c->c, ci->sql);
	bool copying = r && PQresultStatus(r) == PGRES_COPY_IN;
	hg_status rc = copying ? HG_OK : pgx_result_status(p, c, r);
	PQclear(r);
	if (!copying)
		return rc == HG_OK ? pg_fail_io(p) : rc;
	/* in pieces of at most 1 MB: libpq takes an int length */
	for (size_t off = 0; off < ci->len && rc == HG_OK;) {
		size_t n = ci->len - off < (1u << 20) ? ci->len - off : (1u << 20);
		if (PQputCopyData(c->c, ci->buf + off, (int)n) != 1)
			rc = pg_fail_io(p);
		off += n;
	}
	if (PQputCopyEnd(c->c, rc == HG_OK ? NULL : "the client stopped") != 1 && rc == HG_OK)
		rc = pg_fail_io(p);
	/* the COPY's own result, then NULL */
	while ((r = PQgetResult(c->c)) != NULL) {
		hg_status got = pgx_result_status(p, c, r);
		if (rc == HG_OK)
			rc = got;
		PQclear(r);
	}
	ci->len = 0;
	ci->col = 0;
	return rc;
}
