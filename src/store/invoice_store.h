/*
 * invoice_store.h - monthly invoice bases (fakturaunderlag) for payment
 * liability: building them from the events, keeping them, checking that they
 * can be built again, and their steps (send, dispute, decide).
 *
 * Building: for one month, every episode that was in hospital in it is
 * replayed from the events recorded at or before the cut-off instant (a
 * prefix of its events), and billing_episode_month() (core/billing.h) gives
 * its line or its exclusion under the agreement versions current in the
 * database. One invoice basis per municipality (the patient's registered
 * municipality) holds the lines, the exclusions with their reasons, the total
 * in öre, the cut-off and the agreement versions. A saved basis never
 * changes: building a month again replaces a draft by a new revision (the old
 * one becomes "superseded") only when the figures changed, and leaves an
 * invoice that was sent alone.
 *
 * Reproducing: invoice_store_review() builds the basis again from the events as they
 * were at its cut-off, with the same agreement versions, and compares it with
 * the stored one (they must be equal); then builds it as of now and lists
 * every episode whose line changed (a late correction) as a difference to
 * review. Nothing is changed by a review.
 *
 * Everything is handed out as Jansson objects in the shape the API and
 * `hemgang invoice --format json` print (docs/invoices.md); the caller
 * json_decref()s them.
 */
#ifndef HG_STORE_INVOICE_STORE_H
#define HG_STORE_INVOICE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/billing.h"
#include "core/invoice.h"
#include "store/store.h"

#define INVOICE_ADJUSTMENTS_MAX 1000 /* adjusted lines in one decision */

typedef struct invoice_build_request {
	billing_month month;
	const char *municipality; /* 4-digit code; NULL: every municipality with a line or an exclusion */
	const char *county;       /* 2-digit county code the municipalities must be in; NULL: any */
	hg_instant cutoff;        /* events recorded at or before it count */
	hg_instant now;           /* stamps the build */
	const char *username;     /* who builds */
	const char *org;          /* for whom (the region's code) */
	bool save;                /* false: a preview, nothing is written */
} invoice_build_request;

/*
 * Builds the invoice bases of rq->month: *out = {"invoices": [...]}, each with
 * "status": "created" (a new draft or revision), "unchanged" (the stored draft
 * already has these figures) or "kept" (the stored invoice was sent: it stays
 * as it is, and its "review" lists the differences), or "preview". On failure
 * err gets one line.
 */
hg_status invoice_store_build(store *s, const invoice_build_request *rq, json_t **out, char *err,
			size_t errlen) HG_MUST_CHECK;

typedef struct invoice_filter {
	const char *month;        /* "YYYY-MM" or NULL */
	const char *municipality; /* code or NULL */
	const char *county;       /* 2-digit county code or NULL */
	int state;                /* invoice_state, or -1 for every state but superseded, -2 for all */
} invoice_filter;

/* Summaries (no lines, no patient data), newest month first: *out is a JSON array. */
hg_status invoice_store_list(store *s, const invoice_filter *f, json_t **out) HG_MUST_CHECK;

/* What a municipality was invoiced for a month (the what-if's column, store/whatif_json.h). */
typedef struct invoice_total {
	char municipality[8];
	char month[8]; /* "YYYY-MM" */
	invoice_state state;
	int revision;
	int64_t total_ore;
} invoice_total;

/*
 * The latest revision that is not superseded of every invoice with month in
 * [first, last] ("YYYY-MM"), of f's municipality and county (f->month and
 * f->state are ignored), by municipality and month; no document is read.
 * *rows hg_malloc'ed (caller frees). HG_EIO, HG_ENOMEM.
 */
hg_status invoice_store_totals(store *s, const invoice_filter *f, const char *first, const char *last, invoice_total **rows,
			 size_t *n) HG_MUST_CHECK;

/*
 * One invoice with its lines, exclusions and every step (who, when, what,
 * why). HG_ENOTFOUND when there is no such invoice.
 */
hg_status invoice_store_get(store *s, int64_t id, json_t **out) HG_MUST_CHECK;

/*
 * Builds invoice id again as of its cut-off (must equal the stored basis) and
 * as of `now` (the differences to review): *out = {"reproducible": bool,
 * "mismatches": [...], "as_of": ..., "differences": [...], "total_now_ore": N}.
 */
hg_status invoice_store_review(store *s, int64_t id, hg_instant now, json_t **out) HG_MUST_CHECK;

/* A step on an invoice, as the workflow (core/invoice.h) judges it. */
typedef struct invoice_act_request {
	invoice_action action;
	invoice_party party;
	const char *username, *org;
	const char *reason;
	invoice_outcome outcome;
	const int64_t *lines; /* dispute: episodes; none = the whole invoice */
	size_t n_lines;
	const invoice_adjustment *adjustments;
	size_t n_adjustments;
	hg_instant now;
	const char *key; /* the client's idempotency key (per user), or NULL */
} invoice_act_request;

/*
 * Takes step rq on invoice id in one transaction and records it in the
 * trail. A refused step writes nothing and returns the refusal's status
 * (HG_ECONFLICT, HG_EDENIED, HG_EINVAL) with *why set; HG_ENOTFOUND when
 * there is no such invoice. A key the user already used for this same step of
 * this invoice writes nothing and answers HG_OK (the step was taken); used for
 * another invoice or step it is refused (INVOICE_KEY_REUSED).
 */
hg_status invoice_store_act(store *s, int64_t id, const invoice_act_request *rq, invoice_refusal *why) HG_MUST_CHECK;

/* The municipality and the episode ids (lines and exclusions) of invoice id, for authorisation and audit.
 * *episodes is hg_malloc'ed (caller frees). */
hg_status invoice_store_parties(store *s, int64_t id, char municipality[static 8], int64_t **episodes,
			  size_t *n) HG_MUST_CHECK;

/* Renders json compactly with sorted keys into a hg_malloc'ed string (caller frees); NULL when out of memory. */
char *invoice_store_json_text(const json_t *json, size_t flags);

/*
 * The invoices of municipality and county (NULL: any) that list episode (a line, an exclusion or the average
 * model's list), every state, newest month first as invoice_store_list orders them; answered by one query. The core
 * decides which of them lets an officer through (invoice_reaching_episode). *refs hg_malloc'ed (caller frees).
 */
hg_status invoice_store_refs_of_episode(store *s, int64_t episode, const char *municipality, const char *county,
				  invoice_ref **refs, size_t *n) HG_MUST_CHECK;

#endif
