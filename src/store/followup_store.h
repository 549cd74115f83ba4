/*
 * followup_store.h - what follow-up (indicators, point measurements, the
 * patient survey) asks of the database (migrations/0003_followup.sql).
 *
 * The store only loads: followup_load() reads the follow-up facts (core/facts.h;
 * table episode_facts, kept by every append) of every episode that was in
 * hospital in a period and hands each row to an indicator_set (the core
 * computes every figure); on request it folds the stored events instead, the
 * check that the facts equal a full refold. Beside that it keeps saved
 * point measurements, the survey's single-use links (their token hashes) and
 * answers, and the small-cell threshold setting. Implemented on SQLite in
 * followup_sqlite.c with the pool of store_int.h. Arrays are hg_malloc'ed and
 * the caller frees them with hg_free, as each function says.
 */
#ifndef HG_STORE_FOLLOWUP_STORE_H
#define HG_STORE_FOLLOWUP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/agreement.h"
#include "core/domain.h"
#include "core/facts.h"
#include "core/indicator.h"
#include "core/point.h"
#include "core/status.h"
#include "core/survey.h"
#include "store/store.h"

#define FOLLOWUP_MIN_CELL_DEFAULT 5
#define FOLLOWUP_MIN_CELL_KEY "followup.min_cell"
#define FOLLOWUP_LABEL_MAX HG_NAME_MAX

/* Which episodes to load: those in hospital at some time in [from, to). */
typedef struct followup_filter {
	hg_instant from;          /* not discharged before this (NONE: no lower bound) */
	hg_instant to;            /* admitted before this (NONE: no upper bound) */
	const char *municipality; /* registered municipality, or NULL */
	bool refold;              /* fold every episode's events instead of reading the facts (a check; slow) */
} followup_filter;

/* Called now and then while loading: done of total episodes. */
typedef void (*followup_progress)(void *ctx, size_t done, size_t total);

/*
 * Gives the new, empty set the liability agreements (indicator_set_agreements:
 * the latest version of every stored agreement, plus each built-in statutory
 * default whose id is not stored, as an invoice is built), then adds the facts
 * of every matching episode to set (indicator_set_add_facts; with f->refold,
 * folds its events instead), its survey answer, and finishes the set. When the
 * facts table is not current (a database migrated from before it, or facts of
 * another version) it is first derived from the events (followup_facts_refresh).
 * progress may be NULL. *episodes (may be NULL) gets how many were loaded. The
 * episodes are read in one snapshot (the agreements just before it).
 * HG_EINVAL when set is not empty, HG_EINTERNAL when a stored episode no
 * longer folds or a stored row does not decode (a bug), HG_EIO, HG_ENOMEM.
 */
hg_status followup_load(store *s, const followup_filter *f, indicator_set *set, followup_progress progress,
			void *ctx, size_t *episodes) HG_MUST_CHECK;

/*
 * The agreements an invoice is built with: the latest version of every stored
 * agreement, plus each built-in statutory default whose id is not stored.
 * *list is hg_malloc'ed (caller frees with hg_free). HG_EIO, HG_ENOMEM.
 */
hg_status followup_agreements(store *s, agreement **list, size_t *n) HG_MUST_CHECK;

/* Receives one facts row (valid during the call); a status other than HG_OK stops the scan with it. */
typedef hg_status (*followup_facts_fn)(void *ctx, const facts_row *row);

/*
 * Hands the facts row of every episode of filter f (f->refold is ignored) to
 * fn, in episode order, in one snapshot: what the what-if (core/whatif.h)
 * folds. Refreshes the table first when it is not current (as followup_load).
 * *episodes (may be NULL) gets how many rows were read. HG_EINTERNAL when a
 * stored row does not decode, HG_EIO, HG_ENOMEM, or fn's status.
 */
hg_status followup_facts_each(store *s, const followup_filter *f, followup_facts_fn fn, void *ctx,
			      size_t *episodes) HG_MUST_CHECK;

/*
 * Derives the facts row of every episode from its events again, in one write
 * transaction, and marks the table current. *episodes gets how many rows were
 * written. HG_EINTERNAL when a stored episode no longer folds, HG_EIO, HG_ENOMEM.
 */
hg_status followup_facts_refresh(store *s, size_t *episodes) HG_MUST_CHECK;

/* The small-cell threshold (setting followup.min_cell; FOLLOWUP_MIN_CELL_DEFAULT when unset or bad). */
int followup_min_cell(store *s);

/* ---- saved point measurements ---- */

typedef struct followup_point_row {
	int64_t id;
	hg_instant at, taken_at;
	char taken_by[HG_ID_MAX];
	char scope[HG_ID_MAX]; /* "" = every municipality */
	char label[FOLLOWUP_LABEL_MAX];
	int patients, ready_days;
} followup_point_row;

/* Saves m (one transaction); *id gets the new measurement's id. */
hg_status followup_point_save(store *s, const point_measurement *m, const char *scope, const char *label,
			      const char *by, hg_instant now, int64_t *id) HG_MUST_CHECK;
/* Saved measurements of scope (NULL: all), newest first; *rows hg_malloc'ed (caller frees). */
hg_status followup_point_list(store *s, const char *scope, followup_point_row **rows, size_t *n) HG_MUST_CHECK;
/* One saved measurement: its row and (m may be NULL) its patients and counts; free m with point_free.
 * HG_ENOTFOUND when there is none. */
hg_status followup_point_get(store *s, int64_t id, followup_point_row *row, point_measurement *m) HG_MUST_CHECK;

/* ---- the patient survey ---- */

/* Stores a link's token hash for episode_id, valid until expires. */
hg_status followup_invite_put(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], int64_t episode_id,
			      const char *by, hg_instant now, hg_instant expires) HG_MUST_CHECK;
/* Whether a link may be answered now: HG_OK, HG_ENOTFOUND (unknown), HG_ECONFLICT (used or expired). */
hg_status followup_invite_check(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], hg_instant now) HG_MUST_CHECK;
/*
 * Answers through a link, atomically: marks the link used and stores the
 * answer (channel link, recorded by "link"); *episode_id gets its episode. HG_ENOTFOUND (unknown link),
 * HG_ECONFLICT (used, expired, or the episode already has an answer).
 */
hg_status followup_answer_by_link(store *s, const uint8_t hash[STORE_TOKEN_HASH_SIZE], const survey_answer *a,
				  hg_instant now, int64_t *episode_id) HG_MUST_CHECK;
/* Stores an answer recorded by staff. HG_ECONFLICT when the episode already has one. */
hg_status followup_answer_put(store *s, int64_t episode_id, const survey_answer *a, const char *by) HG_MUST_CHECK;

/*
 * Where an episode's survey stands, for the staff's episode page: whether and
 * how it was answered (never the replies: individual answers are shown to
 * nobody) and the links made. Codes are survey.h's ("phone", "next_of_kin").
 */
typedef struct followup_survey_status {
	hg_instant answered_at; /* HG_INSTANT_NONE: no answer yet */
	char channel[16];       /* "" when not answered */
	char respondent[16];
	int invitations;        /* links made */
	int open_invitations;   /* neither used nor expired at `now` */
	hg_instant last_invited_at, last_expires_at; /* of the newest link, or NONE */
} followup_survey_status;

hg_status followup_survey_status_get(store *s, int64_t episode_id, hg_instant now,
				     followup_survey_status *out) HG_MUST_CHECK;

#endif
