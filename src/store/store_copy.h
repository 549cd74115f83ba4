/*
 * store_copy.h - `hemgang copy`: a whole database from SQLite into an empty
 * PostgreSQL database (issue 12 item 3), row for row: events, audit records,
 * users, sessions and tokens, agreements, invoices and their trail, follow-up,
 * HL7/FHIR state, settings, and the projections as they are. The caller proves
 * the copy by comparing store_projection_dump() of both stores.
 */
#ifndef HG_STORE_COPY_H
#define HG_STORE_COPY_H

#include <stddef.h>

#include "store/store.h"

/* A table copied: its name and how many rows. */
typedef struct store_copy_table {
	const char *name;
	size_t rows;
} store_copy_table;

#define STORE_COPY_TABLES_MAX 40

typedef struct store_copy_report {
	store_copy_table tables[STORE_COPY_TABLES_MAX];
	size_t n_tables;
} store_copy_report;

/*
 * Copies every table of the SQLite store `from` into the PostgreSQL store `to`
 * (both opened and migrated with store_open) in one transaction on `to`, and
 * moves its id sequences past the copied ids. HG_ECONFLICT when `to` already
 * holds users or events, HG_EINVAL when `from` is not SQLite or `to` not
 * PostgreSQL; on failure nothing is written and err gets one line.
 */
hg_status store_copy(store *from, store *to, store_copy_report *out, char *err, size_t errlen) HG_MUST_CHECK;

#endif
