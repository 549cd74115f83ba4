/*
 * whatif.h - the what-if of agreement models (issue 15.5): what the recorded
 * history would have cost each municipality, month by month, under other
 * agreements, beside what was invoiced.
 *
 * Regions and municipalities negotiating the next agreement ask what a change
 * of grace days, of counting (calendar days or weekdays, eves), of amounts or
 * a move to the average model would have meant. The answer is a pure fold
 * over the follow-up facts (facts.h: each episode's liability input is kept in
 * its row), so a national year is judged without reading an event:
 *
 *   whatif_new()  the agreements in force (as an invoice is built with) and
 *                 the scenario agreements, the months, the "as of" date;
 *   whatif_add()  one facts row, judged under every scenario as the invoice
 *                 judges it (billing_stay_judge_input for the nights,
 *                 billing_episode_days_input for the average model);
 *   whatif_finish() settles the average model's periods and gives the rows:
 *                 one per municipality and month, sorted.
 *
 * What a scenario means. A scenario agreement A is judged as written: for a
 * municipality A covers, A takes precedence on every date it is in force (the
 * agreements in force keep the dates outside it: each is clipped to the days
 * before A's valid_from and after its valid_to); every other municipality
 * keeps the agreements in force. So the agreement actually in force, as a
 * scenario, gives exactly the invoices (the figures an invoice of that month
 * shows when built from the same events, tests/cli/whatif.sh), and a draft
 * for the next period is tried on past history by giving it those dates.
 *
 * The figures of a month are those of its invoice (invoices.md): the priced
 * liable nights of the billable per-night stays that start in the month, plus
 * the average model's settlement in the last month of each period. A stay
 * still in progress counts the nights before the "as of" date. Nights without
 * an amount are counted apart (unpriced_nights), never priced.
 */
#ifndef HG_WHATIF_H
#define HG_WHATIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agreement.h"
#include "core/date.h"
#include "core/facts.h"
#include "core/status.h"

#define WHATIF_SCENARIOS_MAX 8   /* scenario agreements compared at once */
#define WHATIF_MONTHS_MAX    120 /* months in one what-if: ten years */

/* One municipality's figure for one month under one agreement set. */
typedef struct whatif_figure {
	int64_t total_ore;       /* what the invoice of the month would total: nights plus the average settlement */
	int64_t nights;          /* billable liable nights starting in the month (per-night model) */
	int64_t unpriced_nights; /* of those, nights no agreement in force prices: not in total_ore */
	int64_t average_ore;     /* the average model's settlement of a period ending this month (in total_ore) */
	bool average;            /* the month settles an average-model period */
} whatif_figure;

typedef struct whatif_row {
	char municipality[AGREEMENT_CODE_MAX];
	int year, month;
	whatif_figure in_force;                        /* under the agreements in force (the invoices' recomputation) */
	whatif_figure scenarios[WHATIF_SCENARIOS_MAX]; /* [i]: under scenario i */
} whatif_row;

typedef struct whatif_config {
	const agreement *in_force; /* the agreements an invoice is built with (borrowed until whatif_free) */
	size_t n_in_force;
	const agreement *scenarios; /* the agreements to try (copied) */
	size_t n_scenarios;         /* 1..WHATIF_SCENARIOS_MAX */
	hg_date from, to;           /* the months that touch [from, to], whole */
	hg_date asof;               /* nights of stays in progress before this local date count */
	const char *county;         /* 2 digits: only its municipalities; NULL: all */
	const char *municipality;   /* 4 digits: only it; NULL: all */
} whatif_config;

typedef struct whatif whatif;

/*
 * A new what-if into *out (free with whatif_free). HG_EINVAL when a scenario
 * does not validate (agreement_validate), none or too many are given, to is
 * before from, the months exceed WHATIF_MONTHS_MAX or a code is malformed.
 */
hg_status whatif_new(const whatif_config *cfg, whatif **out) HG_MUST_CHECK;
void whatif_free(whatif *w);

/*
 * The first local date an episode must have been in hospital on to count:
 * the first day of the first month, or earlier when an average-model period
 * settled in the months began before it (its episodes ended from its start).
 */
hg_date whatif_load_from(const whatif *w);

/*
 * Makes municipality (4 digits) a row of every month even without episodes
 * (e.g. it has an invoice). HG_EINVAL for a malformed code; a municipality
 * outside the configured scope is ignored.
 */
hg_status whatif_touch(whatif *w, const char *municipality) HG_MUST_CHECK;

/* Judges one facts row under the agreements in force and every scenario. HG_ENOMEM only. */
hg_status whatif_add(whatif *w, const facts_row *r) HG_MUST_CHECK;

/*
 * Settles the average model and gives the rows: one per municipality touched
 * or seen and month, by municipality and month. *rows belongs to w (valid
 * until whatif_free). HG_ENOMEM, or HG_EINVAL when called twice.
 */
hg_status whatif_finish(whatif *w, const whatif_row **rows, size_t *n) HG_MUST_CHECK;

#endif
