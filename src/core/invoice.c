/*
 * invoice.c - states, steps and decision arithmetic of an invoice basis (see
 * invoice.h). The transition table is the whole workflow; invoice_step checks
 * a request against it and against the lines, in a fixed order, so the first
 * problem is always the one reported.
 */
#include <string.h>

#include "core/invoice.h"

static const hg_code_label state_labels[INVOICE_STATE_COUNT] = {
	[INVOICE_DRAFT] = {"draft", "utkast", "draft"},
	[INVOICE_SENT] = {"sent", "skickad", "sent"},
	[INVOICE_DISPUTED] = {"disputed", "bestridd", "disputed"},
	[INVOICE_DECIDED] = {"decided", "avgjord", "decided"},
	[INVOICE_SUPERSEDED] = {"superseded", "ersatt", "superseded"},
};

static const hg_code_label action_labels[INVOICE_ACTION_COUNT] = {
	[INVOICE_SEND] = {"send", "skicka", "send"},
	[INVOICE_DISPUTE] = {"dispute", "bestrid", "dispute"},
	[INVOICE_DECIDE] = {"decide", "avgör", "decide"},
	[INVOICE_SUPERSEDE] = {"supersede", "ersätt", "supersede"},
};

static const hg_code_label outcome_labels[INVOICE_OUTCOME_COUNT] = {
	[INVOICE_OUTCOME_NONE] = {"none", "inget", "none"},
	[INVOICE_UPHELD] = {"upheld", "står fast", "upheld"},
	[INVOICE_ADJUSTED] = {"adjusted", "justerad", "adjusted"},
	[INVOICE_WITHDRAWN] = {"withdrawn", "återkallad", "withdrawn"},
};

static const hg_code_label party_labels[INVOICE_PARTY_COUNT] = {
	[INVOICE_REGION] = {"region", "regionen", "the region"},
	[INVOICE_MUNICIPALITY] = {"municipality", "kommunen", "the municipality"},
};

static const hg_code_label refusal_labels[INVOICE_REFUSAL_COUNT] = {
	[INVOICE_OK] = {"ok", "ok", "ok"},
	[INVOICE_WRONG_STATE] = {"wrong_state", "steget är inte tillåtet i fakturans läge",
				 "the step is not allowed in the invoice's state"},
	[INVOICE_WRONG_PARTY] = {"wrong_party", "den andra parten tar detta steg", "the other party takes this step"},
	[INVOICE_REASON_REQUIRED] = {"reason_required", "skäl krävs", "a reason is required"},
	[INVOICE_REASON_TOO_LONG] = {"reason_too_long", "skälet är för långt", "the reason is too long"},
	[INVOICE_OUTCOME_REQUIRED] = {"outcome_required", "beslutet måste vara upheld, adjusted eller withdrawn",
				      "a decision needs an outcome: upheld, adjusted or withdrawn"},
	[INVOICE_OUTCOME_NOT_ALLOWED] = {"outcome_not_allowed", "bara ett beslut har utfall",
					 "only a decision has an outcome"},
	[INVOICE_LINES_NOT_ALLOWED] = {"lines_not_allowed", "bara ett bestridande anger rader",
				       "only a dispute names lines"},
	[INVOICE_UNKNOWN_LINE] = {"unknown_line", "vårdtillfället har ingen rad på fakturan",
				  "the episode has no line on the invoice"},
	[INVOICE_DUPLICATE_LINE] = {"duplicate_line", "raden anges två gånger", "the line is named twice"},
	[INVOICE_ADJUSTMENTS_REQUIRED] = {"adjustments_required", "en justering anger nya belopp",
					  "an adjusted decision gives new amounts"},
	[INVOICE_ADJUSTMENTS_NOT_ALLOWED] = {"adjustments_not_allowed", "bara en justering anger nya belopp",
					     "only an adjusted decision gives new amounts"},
	[INVOICE_LINE_NOT_DISPUTED] = {"line_not_disputed", "raden är inte bestridd",
				       "the line was not disputed"},
	[INVOICE_BAD_AMOUNT] = {"bad_amount", "beloppet måste vara 0 till radens belopp",
				"the amount must be 0 up to the line's amount"},
	[INVOICE_NO_CHANGE] = {"no_change", "justeringen ändrar inget", "the adjustment changes nothing"},
	[INVOICE_KEY_REUSED] = {"idempotency_key_reused", "idempotensnyckeln har redan använts för ett annat steg",
				"the idempotency key was already used for another step"},
	[INVOICE_UNPRICED_NIGHTS] = {"unpriced_nights",
				     "fakturan har dygn utan dygnskostnad; importera beloppet och bygg om underlaget",
				     "the invoice has nights without a daily amount; import the amount and build it again"},
};

/* The workflow. */
static const invoice_transition transitions[] = {
	{INVOICE_SEND, INVOICE_DRAFT, INVOICE_SENT, INVOICE_REGION, false},
	{INVOICE_DISPUTE, INVOICE_SENT, INVOICE_DISPUTED, INVOICE_MUNICIPALITY, true},
	{INVOICE_DECIDE, INVOICE_DISPUTED, INVOICE_DECIDED, INVOICE_REGION, true},
	{INVOICE_SUPERSEDE, INVOICE_DRAFT, INVOICE_SUPERSEDED, INVOICE_REGION, false},
};

static bool from_code(const hg_code_label *t, int n, const char *code, int *out)
{
	for (int i = 0; i < n; i++)
		if (code && strcmp(code, t[i].code) == 0) {
			*out = i;
			return true;
		}
	return false;
}

#define LABEL(table, count, v) ((unsigned)(v) < (count) ? &(table)[v] : NULL)

const hg_code_label *invoice_state_label(invoice_state s) { return LABEL(state_labels, INVOICE_STATE_COUNT, s); }
const hg_code_label *invoice_action_label(invoice_action a) { return LABEL(action_labels, INVOICE_ACTION_COUNT, a); }
const hg_code_label *invoice_outcome_label(invoice_outcome o)
{
	return LABEL(outcome_labels, INVOICE_OUTCOME_COUNT, o);
}
const hg_code_label *invoice_party_label(invoice_party p) { return LABEL(party_labels, INVOICE_PARTY_COUNT, p); }
const hg_code_label *invoice_refusal_label(invoice_refusal r)
{
	return LABEL(refusal_labels, INVOICE_REFUSAL_COUNT, r);
}

bool invoice_state_from_code(const char *code, invoice_state *out)
{
	int i;
	if (!from_code(state_labels, INVOICE_STATE_COUNT, code, &i))
		return false;
	*out = (invoice_state)i;
	return true;
}

bool invoice_action_from_code(const char *code, invoice_action *out)
{
	int i;
	if (!from_code(action_labels, INVOICE_ACTION_COUNT, code, &i))
		return false;
	*out = (invoice_action)i;
	return true;
}

bool invoice_outcome_from_code(const char *code, invoice_outcome *out)
{
	int i;
	/* "none" is not an outcome anyone can ask for */
	if (!from_code(outcome_labels, INVOICE_OUTCOME_COUNT, code, &i) || i == INVOICE_OUTCOME_NONE)
		return false;
	*out = (invoice_outcome)i;
	return true;
}

hg_status invoice_refusal_status(invoice_refusal r)
{
	switch (r) {
	case INVOICE_OK: return HG_OK;
	case INVOICE_WRONG_STATE: return HG_ECONFLICT;
	case INVOICE_KEY_REUSED: return HG_ECONFLICT;
	case INVOICE_UNPRICED_NIGHTS: return HG_ECONFLICT;
	case INVOICE_WRONG_PARTY: return HG_EDENIED;
	default: return HG_EINVAL;
	}
}

const invoice_transition *invoice_transitions(size_t *n)
{
	*n = sizeof transitions / sizeof transitions[0];
	return transitions;
}

static hg_status refuse(invoice_refusal r, invoice_refusal *why)
{
	if (why)
		*why = r;
	return invoice_refusal_status(r);
}

/* Index of episode in lines[0..n), or -1. */
static long find_line(const invoice_line_amount *lines, size_t n, int64_t episode)
{
	for (size_t i = 0; i < n; i++)
		if (lines[i].episode == episode)
			return (long)i;
	return -1;
}

/* The disputed lines must exist and be named once. */
static invoice_refusal check_dispute(const invoice_line_amount *lines, size_t n, const invoice_step_input *in)
{
	for (size_t i = 0; i < in->n_lines; i++) {
		if (find_line(lines, n, in->lines[i]) < 0)
			return INVOICE_UNKNOWN_LINE;
		for (size_t j = 0; j < i; j++)
			if (in->lines[j] == in->lines[i])
				return INVOICE_DUPLICATE_LINE;
	}
	return INVOICE_OK;
}

/* The new total of a decision, or the refusal. */
static invoice_refusal decide(const invoice_line_amount *lines, size_t n, int64_t total,
			      const invoice_step_input *in, int64_t *out)
{
	switch (in->outcome) {
	case INVOICE_UPHELD:
	case INVOICE_WITHDRAWN:
		if (in->n_adjustments > 0)
			return INVOICE_ADJUSTMENTS_NOT_ALLOWED;
		*out = in->outcome == INVOICE_UPHELD ? total : 0;
		return INVOICE_OK;
	case INVOICE_ADJUSTED: break;
	default: return INVOICE_OUTCOME_REQUIRED;
	}
	if (in->n_adjustments == 0)
		return INVOICE_ADJUSTMENTS_REQUIRED;
	int64_t reduction = 0;
	for (size_t i = 0; i < in->n_adjustments; i++) {
		const invoice_adjustment *a = &in->adjustments[i];
		long k = find_line(lines, n, a->episode);
		if (k < 0)
			return INVOICE_UNKNOWN_LINE;
		for (size_t j = 0; j < i; j++)
			if (in->adjustments[j].episode == a->episode)
				return INVOICE_DUPLICATE_LINE;
		if (!lines[k].disputed)
			return INVOICE_LINE_NOT_DISPUTED;
		if (a->amount_ore < 0 || a->amount_ore > lines[k].amount_ore)
			return INVOICE_BAD_AMOUNT;
		reduction += lines[k].amount_ore - a->amount_ore;
	}
	if (reduction == 0)
		return INVOICE_NO_CHANGE;
	*out = total - reduction;
	return INVOICE_OK;
}

hg_status invoice_step(invoice_state from, const invoice_line_amount *lines, size_t n, int64_t total_ore,
		       const invoice_step_input *in, invoice_step_result *out, invoice_refusal *why)
{
	const invoice_transition *t = NULL;
	bool action_known = false;
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
		if (transitions[i].action != in->action)
			continue;
		action_known = true;
		if (transitions[i].from == from)
			t = &transitions[i];
	}
	if (!action_known || !t)
		return refuse(INVOICE_WRONG_STATE, why);
	if (t->party != in->party)
		return refuse(INVOICE_WRONG_PARTY, why);
	size_t reason_len = in->reason ? strnlen(in->reason, INVOICE_REASON_MAX) : 0;
	if (reason_len >= INVOICE_REASON_MAX)
		return refuse(INVOICE_REASON_TOO_LONG, why);
	if (t->reason_required && reason_len == 0)
		return refuse(INVOICE_REASON_REQUIRED, why);
	if (in->action != INVOICE_DECIDE && in->outcome != INVOICE_OUTCOME_NONE)
		return refuse(INVOICE_OUTCOME_NOT_ALLOWED, why);
	if (in->action != INVOICE_DISPUTE && in->n_lines > 0)
		return refuse(INVOICE_LINES_NOT_ALLOWED, why);
	if (in->action != INVOICE_DECIDE && in->n_adjustments > 0)
		return refuse(INVOICE_ADJUSTMENTS_NOT_ALLOWED, why);
	/* A figure with a night nobody priced is not a claim: never guess an amount, never send it. */
	if (in->action == INVOICE_SEND && in->unpriced_nights > 0)
		return refuse(INVOICE_UNPRICED_NIGHTS, why);

	invoice_refusal r = INVOICE_OK;
	int64_t total = total_ore;
	if (in->action == INVOICE_DISPUTE)
		r = check_dispute(lines, n, in);
	else if (in->action == INVOICE_DECIDE)
		r = decide(lines, n, total_ore, in, &total);
	if (r != INVOICE_OK)
		return refuse(r, why);
	out->to = t->to;
	out->total_ore = total;
	if (why)
		*why = INVOICE_OK;
	return HG_OK;
}

/* ---- who may see an invoice, and through it an episode ---- */

bool invoice_in_reach(const invoice_reader *r, const char *m, invoice_state s)
{
	if (r->region)
		return r->county && strncmp(m, r->county, 2) == 0;
	return r->code && strcmp(m, r->code) == 0 && s != INVOICE_DRAFT && s != INVOICE_SUPERSEDED;
}

long invoice_reaching_episode(const invoice_reader *r, const invoice_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].state != INVOICE_SUPERSEDED && invoice_in_reach(r, refs[i].municipality, refs[i].state))
			return (long)i;
	return -1;
}
