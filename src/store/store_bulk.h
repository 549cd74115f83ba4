/*
 * store_bulk.h - the bulk loader: whole episodes written in large
 * transactions, for the demo generator (and later an import of real history).
 *
 * store_append() re-reads and re-folds an episode, prepares its statements and
 * syncs to disk for every event: right for one client's event, some hundred
 * times too slow for a million generated episodes. The bulk loader takes
 * episodes whose events the caller has already judged with the core
 * (episode_append on each, in order, so that st is their fold) and writes them
 * the way store_append would have: the same event rows and canonical bodies,
 * the same episode row, the same projection rows (through the store's own
 * projection writer). What it skips is only what a trusted, single writer
 * does not need: the idempotency lookup, the re-read of the history, the
 * per-event commit and its sync.
 *
 * Durability: the loader's connection runs with synchronous=OFF and commits
 * every store_bulk_commit(); a crash loses the database's last batches, so it
 * is for data that can be generated again. Nothing else may write to the store
 * while a loader is open (it holds the store's write lock between commits).
 *
 * The loader has a writer thread of its own: store_bulk_episode renders the
 * events' text and queues the episode, and the writer does the SQLite work
 * meanwhile. So a write that fails is reported by a later call (the next one,
 * or store_bulk_close), and after a failure every call returns it. The
 * database's secondary indexes on the loaded tables are dropped while the
 * loader is open and created again when it closes.
 */
#ifndef HG_STORE_BULK_H
#define HG_STORE_BULK_H

#include <stddef.h>
#include <stdint.h>

#include "core/episode.h"
#include "core/event.h"
#include "core/status.h"
#include "core/survey.h"
#include "store/store.h"

typedef struct store_bulk store_bulk;

/* Opens a loader on s: takes a connection, switches it to synchronous=OFF and begins a transaction.
 * *out is freed by store_bulk_close. On failure err gets a one-line reason. */
hg_status store_bulk_open(store *s, store_bulk **out, char *err, size_t errlen) HG_MUST_CHECK;

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

/* Commits what is written so far and begins the next transaction (bounds the WAL); queued like an episode. */
hg_status store_bulk_commit(store_bulk *b) HG_MUST_CHECK;

/*
 * Ends the loader: waits for the writer, then with commit creates the indexes
 * again and commits the last transaction; without, rolls it back (what earlier
 * commits wrote stays, with its indexes). Returns HG_OK or the first failure of
 * the load. The connection goes back to the store with synchronous=FULL. b
 * may be NULL.
 */
hg_status store_bulk_close(store_bulk *b, bool commit) HG_MUST_CHECK;

#endif
