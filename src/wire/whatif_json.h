/*
 * whatif_json.h - the what-if of agreement models (core/whatif.h) run over a
 * database and given as JSON, shared by `hemgang whatif` and
 * POST /api/v1/whatif so that a figure looks the same in both.
 *
 * whatif_report() reads the agreements an invoice is built with
 * (followup_agreements), streams the follow-up facts of the period through the
 * core (followup_facts_each, whatif_add), reads the invoices of the months
 * (invoice_store_list: the latest revision of each municipality and month that is
 * not superseded) and renders
 *
 *   {"from", "to", "asof", "episodes",
 *    "scenarios": [{"agreement", "version", "name"}],
 *    "rows": [{"municipality": "2080", "month": "2026-05",
 *              "invoiced_ore": N | null, "invoice_state": "sent" | null,
 *              "recomputed_ore": N,
 *              "scenarios": [{"agreement": ID, "version": V, "total_ore": N, "nights": N,
 *                             "unpriced_nights": N, "average_ore": N | null}]}],
 *    "table": {"columns": [...], "rows": [[...]]}}
 *
 * "invoiced_ore" is null when no invoice was built for the municipality and
 * month (never 0 for "none"); "recomputed_ore" is the month under the
 * agreements in force from the facts as they are now (a late correction makes
 * it differ from the invoice). docs/invoices.md describes each member.
 */
#ifndef HG_WIRE_WHATIF_JSON_H
#define HG_WIRE_WHATIF_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/agreement.h"
#include "core/date.h"
#include "core/status.h"
#include "store/store.h"

typedef struct whatif_request {
	hg_date from, to;           /* the months that touch [from, to] */
	hg_instant asof;            /* stays in progress count the nights before its local date */
	const agreement *scenarios; /* 1..WHATIF_SCENARIOS_MAX */
	size_t n_scenarios;
	const char *county;       /* only its municipalities, or NULL */
	const char *municipality; /* only it, or NULL */
	bool sent_only;           /* a draft invoice counts as none (a municipality sees sent invoices only) */
} whatif_request;

/*
 * Runs rq over s into *out (a new reference). HG_EINVAL (err names the
 * problem: a scenario that does not validate, too many, the period), HG_EIO,
 * HG_ENOMEM, HG_EINTERNAL.
 */
hg_status whatif_report(store *s, const whatif_request *rq, json_t **out, char *err, size_t errlen) HG_MUST_CHECK;

#endif
