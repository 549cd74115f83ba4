/*
 * store_bulk.h - the bulk loader: whole episodes written into a new database
 * in one go, for the demo generator (and later an import of real history).
 *
 * store_append() re-reads and re-folds an episode, prepares its statements and
 * syncs to disk for every event: right for one client's event, some hundred
 * times too slow for a million generated episodes. The bulk loader takes
 * episodes whose events the caller has already judged with the core
 * (episode_append on each, in order, so that st is their fold) and writes them
 * the way store_append would have: the same event rows and canonical bodies,
 * the same episode row, the same projection and facts rows (through the
 * store's own writers). What it skips is only what a trusted, single writer
 * of a new database does not need: the idempotency lookup, the re-read of the
 * history, the per-event commit and its sync, a journal.
 *
 * The loader holds the database alone: it opens the file itself (made by
 * store_open, which must be closed again: no other connection may be open on
 * it), takes an exclusive lock and writes without a journal or syncs; at the
 * end it builds the secondary indexes, syncs once and leaves the database in
 * the store's WAL mode. A load that fails or is interrupted leaves a file to
 * be thrown away (the demo removes it): it is for data that can be made again.
 *
 * The loader has a writer thread of its own: store_bulk_episode renders the
 * events' text and queues the episode, and the writer does the SQLite work
 * meanwhile. So a write that fails is reported by a later call (the next one,
 * or store_bulk_close), and after a failure every call returns it.
 */
#ifndef HG_STORE_BULK_H
#define HG_STORE_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/episode.h"
#include "core/event.h"
#include "core/status.h"
#include "core/survey.h"

typedef struct store_bulk store_bulk;

/* Opens a loader on the SQLite database at path (see above: no other connection on it) and begins writing.
 * *out is freed by store_bulk_close. On failure err gets a one-line reason. A postgresql:// URI gets the
 * PostgreSQL loader (pg_bulk.c: COPY in one transaction; other connections may stay open). */
hg_status store_bulk_open(const char *path, store_bulk **out, char *err, size_t errlen) HG_MUST_CHECK;

/*
 * Writes one new episode: evs[0..n) are its events in order, each already
 * accepted by episode_append against the fold of the ones before it, with seq
 * 1..n and recorded_at set (evs[0] an admission); st is their fold. Assigns
 * the episode id (into *episode_id and st->id) and the event ids (into
 * evs[i].id), writes the episode (created_at = evs[0].recorded_at), the events
 * with their canonical text, and the projection rows as of evs[n-1].recorded_at.
 */
hg_status store_bulk_episode(store_bulk *b, event *evs, size_t n, episode_state *st,
			     int64_t *episode_id) HG_MUST_CHECK;

/* A survey answer to an episode written by this loader (as followup_answer_put would store it). */
hg_status store_bulk_survey_answer(store_bulk *b, int64_t episode_id, const survey_answer *a,
				   const char *by) HG_MUST_CHECK;

/* What a load cost in CPU seconds (user and system): the writer thread, and the caller's thread from open to
 * close (its planning and the rendering of the events' text), for the demo's summary. */
typedef struct store_bulk_stats {
	double writer_cpu, caller_cpu;
} store_bulk_stats;

/*
 * Ends the loader: waits for the writer, then with commit creates the indexes,
 * commits, syncs the file and switches it back to WAL; without commit it
 * stops writing (the file is to be thrown away). Returns HG_OK or the first
 * failure of the load; stats (may be NULL) gets what the writer cost. b may be
 * NULL.
 */
hg_status store_bulk_close(store_bulk *b, bool commit, store_bulk_stats *stats) HG_MUST_CHECK;

#endif
