/*
 * followup_int.h - what the SQLite store's event path calls to keep the
 * follow-up facts (migrations/0007_episode_facts.sql) in step with the events:
 * one call where an append writes its projections, and three in a rebuild.
 * Any other path that writes events (a bulk generator, an import) must do the
 * same in its transaction, or end with store_rebuild(), or delete the setting
 * followup.facts (the next report then derives every row): reports read only
 * the rows. Implemented in followup_sqlite.c. Nothing outside src/store
 * includes it.
 */
#ifndef HG_STORE_FOLLOWUP_INT_H
#define HG_STORE_FOLLOWUP_INT_H

#include <stddef.h>

#include <sqlite3.h>

#include "core/episode.h"
#include "core/event.h"
#include "core/facts.h"
#include "core/status.h"
#include "store/store_int.h"

/*
 * Writes the facts row of the fold st (id st->id) on db, inside the caller's
 * write transaction; an episode without facts (cancelled) loses its row.
 * sc: the connection's statement cache (the writer's), or NULL to prepare.
 * evs[0..n) are its stored events and `last` (may be NULL) the one being
 * appended after them; evs NULL with n > 0 says the events were not read (the
 * writer judged an ordinary append from a remembered fold): the deviations in
 * force are then the stored row's and `last`'s. HG_EIO, HG_ENOMEM, HG_EINTERNAL (a row too large).
 */
hg_status sq_facts_put(sq_stmt_cache *sc, sqlite3 *db, const episode_state *st, const event *evs, size_t n,
		       const event *last) HG_MUST_CHECK;
/*
 * A facts row ready to write, for a writer that derives it where the events
 * are and writes it elsewhere (the bulk loader: store_bulk.c).
 */
typedef struct sq_facts_blob {
	bool present; /* false: the episode has no facts (cancelled) and no row */
	int64_t id;
	char municipality[EVENT_MUNICIPALITY_SIZE];
	hg_instant admitted_at, discharged_at;
	size_t len;
	uint8_t bytes[FACTS_ENCODED_MAX];
} sq_facts_blob;

/* Derives and encodes the row of the fold st (id st->id) and its events evs[0..n). HG_ENOMEM, HG_EINTERNAL. */
hg_status sq_facts_blob_make(const episode_state *st, const event *evs, size_t n, sq_facts_blob *out) HG_MUST_CHECK;
/* Writes (or removes) the row of b on db, in the caller's write transaction; sc may be NULL. HG_EIO. */
hg_status sq_facts_blob_write(sq_stmt_cache *sc, sqlite3 *db, const sq_facts_blob *b) HG_MUST_CHECK;

/* A rebuild begins: every row goes and the table is no longer current. */
hg_status sq_facts_rebuild_begin(sqlite3 *db) HG_MUST_CHECK;
/* A rebuild wrote every row: the table is current (setting followup.facts). */
hg_status sq_facts_rebuild_end(sqlite3 *db) HG_MUST_CHECK;

#endif
