/*
 * invoice.h - the life of an invoice basis (fakturaunderlag) between a region
 * and a municipality: its states, who may move it, and the arithmetic of a
 * decision on a dispute.
 *
 *   draft --send (region)--> sent --dispute (municipality)--> disputed
 *         --decide (region: upheld | adjusted | withdrawn)--> decided
 *   draft --supersede (region, by building it again)--> superseded
 *
 * A dispute (bestridande) names the whole invoice or some of its lines (by
 * episode) and always gives a reason; a decision always gives a reason and
 * an outcome: upheld (the total stands), adjusted (new amounts for disputed
 * lines; the total drops by the difference) or withdrawn (nothing is owed).
 * Each step is kept by the store with who and when; this module only judges
 * whether a step is allowed and what total follows. The rules are one table
 * (invoice_transitions). Amounts are integers in öre. Pure.
 */
#ifndef HG_INVOICE_H
#define HG_INVOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/domain.h"
#include "core/status.h"

#define INVOICE_REASON_MAX 2048     /* bytes of a reason, incl. NUL */
#define INVOICE_LINES_MAX 100000    /* lines of one invoice basis */

typedef enum invoice_state {
	INVOICE_DRAFT = 0,
	INVOICE_SENT,
	INVOICE_DISPUTED,
	INVOICE_DECIDED,
	INVOICE_SUPERSEDED, /* a draft replaced by a new build of the same month */
	INVOICE_STATE_COUNT
} invoice_state;

typedef enum invoice_action {
	INVOICE_SEND = 0,
	INVOICE_DISPUTE,
	INVOICE_DECIDE,
	INVOICE_SUPERSEDE,
	INVOICE_ACTION_COUNT
} invoice_action;

/* Which side acts: the region (which bills) or the municipality (which pays). */
typedef enum invoice_party { INVOICE_REGION = 0, INVOICE_MUNICIPALITY, INVOICE_PARTY_COUNT } invoice_party;

typedef enum invoice_outcome {
	INVOICE_OUTCOME_NONE = 0,
	INVOICE_UPHELD,   /* the invoice stands as sent */
	INVOICE_ADJUSTED, /* disputed lines get new amounts */
	INVOICE_WITHDRAWN, /* the region withdraws the invoice: nothing is owed */
	INVOICE_OUTCOME_COUNT
} invoice_outcome;

/* Why a step was refused. */
typedef enum invoice_refusal {
	INVOICE_OK = 0,
	INVOICE_WRONG_STATE,       /* the action is not allowed in the current state */
	INVOICE_WRONG_PARTY,       /* the other side takes this step */
	INVOICE_REASON_REQUIRED,
	INVOICE_REASON_TOO_LONG,
	INVOICE_OUTCOME_REQUIRED,  /* a decision needs upheld, adjusted or withdrawn */
	INVOICE_OUTCOME_NOT_ALLOWED, /* only a decision has an outcome */
	INVOICE_LINES_NOT_ALLOWED, /* only a dispute names lines */
	INVOICE_UNKNOWN_LINE,      /* a named episode has no line on the invoice */
	INVOICE_DUPLICATE_LINE,
	INVOICE_ADJUSTMENTS_REQUIRED,
	INVOICE_ADJUSTMENTS_NOT_ALLOWED, /* adjustments belong to an "adjusted" decision */
	INVOICE_LINE_NOT_DISPUTED, /* an adjustment of a line the municipality did not dispute */
	INVOICE_BAD_AMOUNT,        /* an adjusted amount outside 0..the line's amount */
	INVOICE_NO_CHANGE,         /* "adjusted" that changes nothing: that is "upheld" */
	INVOICE_KEY_REUSED,        /* an idempotency key already used for another invoice or step */
	INVOICE_UNPRICED_NIGHTS,   /* a send of an invoice with nights that lack a daily amount (issue 15.2) */
	INVOICE_REFUSAL_COUNT
} invoice_refusal;

const hg_code_label *invoice_state_label(invoice_state s);
bool invoice_state_from_code(const char *code, invoice_state *out);
const hg_code_label *invoice_action_label(invoice_action a);
bool invoice_action_from_code(const char *code, invoice_action *out);
const hg_code_label *invoice_outcome_label(invoice_outcome o);
bool invoice_outcome_from_code(const char *code, invoice_outcome *out);
const hg_code_label *invoice_party_label(invoice_party p);
/* Code ("reason_required") and English text of a refusal; NULL outside the table. */
const hg_code_label *invoice_refusal_label(invoice_refusal r);
/* HG_ECONFLICT for a wrong state or a reused key, HG_EDENIED for the wrong party, HG_EINVAL otherwise
 * (HG_OK for INVOICE_OK). */
hg_status invoice_refusal_status(invoice_refusal r);

/* One row of the rule table. */
typedef struct invoice_transition {
	invoice_action action;
	invoice_state from, to;
	invoice_party party;
	bool reason_required;
} invoice_transition;

/* The rule table (static storage); *n rows. */
const invoice_transition *invoice_transitions(size_t *n);

/* A line of the invoice as the workflow sees it. */
typedef struct invoice_line_amount {
	int64_t episode;
	int64_t amount_ore;
	bool disputed; /* named by the dispute (every line when the whole invoice was disputed) */
} invoice_line_amount;

/* A decision's new amount for one disputed line. */
typedef struct invoice_adjustment {
	int64_t episode;
	int64_t amount_ore;
} invoice_adjustment;

/* One requested step. */
typedef struct invoice_step_input {
	invoice_action action;
	invoice_party party;
	const char *reason;      /* may be NULL or "" where not required */
	invoice_outcome outcome; /* INVOICE_DECIDE only */
	const int64_t *lines;    /* INVOICE_DISPUTE: disputed episodes; none = the whole invoice */
	size_t n_lines;
	const invoice_adjustment *adjustments; /* INVOICE_DECIDE with INVOICE_ADJUSTED */
	size_t n_adjustments;
	int unpriced_nights; /* liable nights on the invoice without a daily amount: it may not be sent */
} invoice_step_input;

typedef struct invoice_step_result {
	invoice_state to;
	int64_t total_ore; /* the amount owed after the step */
} invoice_step_result;

/*
 * Judges step `in` on an invoice in state `from` whose lines are
 * lines[0..n) (with the disputed flags of its dispute, if any) and whose
 * amount owed is total_ore. On success fills *out; otherwise returns the
 * refusal's status and *why (both may be read; *why may be NULL).
 */
hg_status invoice_step(invoice_state from, const invoice_line_amount *lines, size_t n, int64_t total_ore,
		       const invoice_step_input *in, invoice_step_result *out, invoice_refusal *why) HG_MUST_CHECK;

/* ---- who may see an invoice, and through it an episode ---- */

/* An invoice officer's organisation, as far as the invoices it may see go. */
typedef struct invoice_reader {
	bool region;        /* an officer of a region (else of a municipality) */
	const char *code;   /* the municipality's code (kommunkod): a municipality's officer */
	const char *county; /* the region's county (2-digit län code): a region's officer */
} invoice_reader;

/*
 * Whether reader r may see an invoice of municipality m in state s: a region's
 * officer every invoice of the municipalities in its county, a municipality's
 * officer its own once they are sent (never a draft, nor a superseded draft).
 */
bool invoice_in_reach(const invoice_reader *r, const char *m, invoice_state s);

/* An invoice that lists an episode (a line, an exclusion or the average model's list), as the store reads it. */
typedef struct invoice_ref {
	int64_t id;
	char municipality[8];
	invoice_state state;
} invoice_ref;

/*
 * The invoice through which reader r may follow a line to its episode: of
 * refs[0..n), the invoices that list the episode newest month first, the first
 * that is not superseded and is within reach. Its index, or -1 when r may not
 * see the episode through any invoice.
 */
long invoice_reaching_episode(const invoice_reader *r, const invoice_ref *refs, size_t n);

#endif
