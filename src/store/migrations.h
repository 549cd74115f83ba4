/*
 * migrations.h - the schema migrations compiled into the binary (generated from
 * migrations/NNNN_name.sql by scripts/embed-migrations). Applied in number order
 * by store_open() and `hemgang migrate`; each runs once, recorded in
 * PRAGMA user_version.
 */
#ifndef HG_STORE_MIGRATIONS_H
#define HG_STORE_MIGRATIONS_H

#include <stddef.h>

typedef struct store_migration {
	int number;
	const char *name;
	const char *sql;
} store_migration;

const store_migration *store_migrations(size_t *n);
/* The PostgreSQL store's migrations (migrations/pg/NNNN_name.sql), recorded in its schema_migrations. */
const store_migration *store_pg_migrations(size_t *n);

#endif
