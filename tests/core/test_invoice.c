/*
 * test_invoice.c - the invoice workflow: every state x action x party, the
 * reasons, disputes of whole invoices and of lines, and the arithmetic of
 * decisions (upheld, adjusted, withdrawn). The invoice in every row has three
 * lines: episode 11 (400 000 öre), 12 (600 000) and 13 (200 000), total
 * 1 200 000; in the rows after a dispute, lines 11 and 12 are disputed.
 * Then who may see an invoice, and through its lines an episode.
 */
#include "core/invoice.h"
#include "test.h"

#define R INVOICE_REGION
#define M INVOICE_MUNICIPALITY

static void test_matrix(struct test *t)
{
	/* Which (state, action, party) are allowed: exactly the transition table. */
	static const struct {
		invoice_state from;
		invoice_action action;
		invoice_party party;
		invoice_state to;
	} allowed[] = {
		{INVOICE_DRAFT, INVOICE_SEND, R, INVOICE_SENT},
		{INVOICE_SENT, INVOICE_DISPUTE, M, INVOICE_DISPUTED},
		{INVOICE_DISPUTED, INVOICE_DECIDE, R, INVOICE_DECIDED},
		{INVOICE_DRAFT, INVOICE_SUPERSEDE, R, INVOICE_SUPERSEDED},
	};
	invoice_line_amount lines[] = {{11, 400000, true}, {12, 600000, true}, {13, 200000, true}};
	for (int s = 0; s < INVOICE_STATE_COUNT; s++)
		for (int a = 0; a < INVOICE_ACTION_COUNT; a++)
			for (int p = 0; p < INVOICE_PARTY_COUNT; p++) {
				invoice_step_input in = {.action = (invoice_action)a, .party = (invoice_party)p,
							 .reason = "skäl"};
				if (a == INVOICE_DECIDE)
					in.outcome = INVOICE_UPHELD;
				invoice_step_result out = {0};
				invoice_refusal why = INVOICE_REFUSAL_COUNT;
				hg_status rc = invoice_step((invoice_state)s, lines, 3, 1200000, &in, &out, &why);
				int want = -1, state_ok = 0;
				for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++) {
					if (allowed[k].from == (invoice_state)s && allowed[k].action == (invoice_action)a) {
						state_ok = 1;
						if (allowed[k].party == (invoice_party)p)
							want = (int)allowed[k].to;
					}
				}
				const char *label = invoice_state_label((invoice_state)s)->code;
				const char *act = invoice_action_label((invoice_action)a)->code;
				const char *party = invoice_party_label((invoice_party)p)->code;
				if (want >= 0) {
					T_EQ_INT(t, rc, HG_OK, "%s %s by %s allowed", label, act, party);
					T_EQ_INT(t, out.to, want, "%s %s by %s: new state", label, act, party);
					T_EQ_INT(t, out.total_ore, 1200000, "%s %s by %s: total", label, act, party);
					T_EQ_INT(t, why, INVOICE_OK, "%s %s by %s: no refusal", label, act, party);
				} else {
					invoice_refusal w = state_ok ? INVOICE_WRONG_PARTY : INVOICE_WRONG_STATE;
					T_EQ_INT(t, why, w, "%s %s by %s: refusal", label, act, party);
					T_EQ_INT(t, rc, state_ok ? HG_EDENIED : HG_ECONFLICT, "%s %s by %s: status", label, act,
						 party);
				}
			}
}

static void test_steps(struct test *t)
{
	static const int64_t l11[] = {11}, l11_12[] = {11, 12}, l99[] = {99}, l11_11[] = {11, 11};
	static const invoice_adjustment adj_ok[] = {{11, 100000}}, adj_both[] = {{11, 0}, {12, 300000}},
					adj_undisputed[] = {{13, 0}}, adj_neg[] = {{11, -1}}, adj_more[] = {{11, 400001}},
					adj_same[] = {{11, 400000}}, adj_unknown[] = {{99, 0}}, adj_dup[] = {{11, 0}, {11, 0}};
	char long_reason[INVOICE_REASON_MAX + 1];
	memset(long_reason, 'x', INVOICE_REASON_MAX);
	long_reason[INVOICE_REASON_MAX] = '\0';
	const struct {
		const char *label;
		invoice_state from;
		invoice_action action;
		invoice_party party;
		const char *reason;
		invoice_outcome outcome;
		const int64_t *lines;
		size_t n_lines;
		const invoice_adjustment *adj;
		size_t n_adj;
		invoice_refusal why;
		int64_t total;
	} rows[] = {
		{"send without reason", INVOICE_DRAFT, INVOICE_SEND, R, NULL, 0, NULL, 0, NULL, 0, INVOICE_OK, 1200000},
		{"send with outcome", INVOICE_DRAFT, INVOICE_SEND, R, "", INVOICE_UPHELD, NULL, 0, NULL, 0,
		 INVOICE_OUTCOME_NOT_ALLOWED, 0},
		{"send with lines", INVOICE_DRAFT, INVOICE_SEND, R, "", 0, l11, 1, NULL, 0, INVOICE_LINES_NOT_ALLOWED, 0},
		{"send with adjustments", INVOICE_DRAFT, INVOICE_SEND, R, "", 0, NULL, 0, adj_ok, 1,
		 INVOICE_ADJUSTMENTS_NOT_ALLOWED, 0},
		{"dispute whole", INVOICE_SENT, INVOICE_DISPUTE, M, "SIP kallades", 0, NULL, 0, NULL, 0, INVOICE_OK,
		 1200000},
		{"dispute one line", INVOICE_SENT, INVOICE_DISPUTE, M, "fel datum", 0, l11, 1, NULL, 0, INVOICE_OK,
		 1200000},
		{"dispute two lines", INVOICE_SENT, INVOICE_DISPUTE, M, "fel datum", 0, l11_12, 2, NULL, 0, INVOICE_OK,
		 1200000},
		{"dispute without reason", INVOICE_SENT, INVOICE_DISPUTE, M, NULL, 0, l11, 1, NULL, 0,
		 INVOICE_REASON_REQUIRED, 0},
		{"dispute empty reason", INVOICE_SENT, INVOICE_DISPUTE, M, "", 0, NULL, 0, NULL, 0, INVOICE_REASON_REQUIRED,
		 0},
		{"dispute long reason", INVOICE_SENT, INVOICE_DISPUTE, M, long_reason, 0, NULL, 0, NULL, 0,
		 INVOICE_REASON_TOO_LONG, 0},
		{"dispute unknown line", INVOICE_SENT, INVOICE_DISPUTE, M, "x", 0, l99, 1, NULL, 0, INVOICE_UNKNOWN_LINE, 0},
		{"dispute line twice", INVOICE_SENT, INVOICE_DISPUTE, M, "x", 0, l11_11, 2, NULL, 0, INVOICE_DUPLICATE_LINE,
		 0},
		{"dispute by region", INVOICE_SENT, INVOICE_DISPUTE, R, "x", 0, NULL, 0, NULL, 0, INVOICE_WRONG_PARTY, 0},
		{"dispute a draft", INVOICE_DRAFT, INVOICE_DISPUTE, M, "x", 0, NULL, 0, NULL, 0, INVOICE_WRONG_STATE, 0},
		{"dispute twice", INVOICE_DISPUTED, INVOICE_DISPUTE, M, "x", 0, NULL, 0, NULL, 0, INVOICE_WRONG_STATE, 0},
		{"upheld", INVOICE_DISPUTED, INVOICE_DECIDE, R, "villkoren uppfyllda", INVOICE_UPHELD, NULL, 0, NULL, 0,
		 INVOICE_OK, 1200000},
		{"withdrawn", INVOICE_DISPUTED, INVOICE_DECIDE, R, "fel kommun", INVOICE_WITHDRAWN, NULL, 0, NULL, 0,
		 INVOICE_OK, 0},
		{"adjusted one", INVOICE_DISPUTED, INVOICE_DECIDE, R, "ett dygn", INVOICE_ADJUSTED, NULL, 0, adj_ok, 1,
		 INVOICE_OK, 900000},
		{"adjusted two", INVOICE_DISPUTED, INVOICE_DECIDE, R, "två rader", INVOICE_ADJUSTED, NULL, 0, adj_both, 2,
		 INVOICE_OK, 500000},
		{"adjusted undisputed line", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_ADJUSTED, NULL, 0,
		 adj_undisputed, 1, INVOICE_LINE_NOT_DISPUTED, 0},
		{"adjusted negative", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_ADJUSTED, NULL, 0, adj_neg, 1,
		 INVOICE_BAD_AMOUNT, 0},
		{"adjusted above line", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_ADJUSTED, NULL, 0, adj_more, 1,
		 INVOICE_BAD_AMOUNT, 0},
		{"adjusted no change", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_ADJUSTED, NULL, 0, adj_same, 1,
		 INVOICE_NO_CHANGE, 0},
		{"adjusted unknown line", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_ADJUSTED, NULL, 0, adj_unknown,
		 1, INVOICE_UNKNOWN_LINE, 0},
		{"adjusted line twice", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_ADJUSTED, NULL, 0, adj_dup, 2,
		 INVOICE_DUPLICATE_LINE, 0},
		{"adjusted without amounts", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_ADJUSTED, NULL, 0, NULL, 0,
		 INVOICE_ADJUSTMENTS_REQUIRED, 0},
		{"upheld with amounts", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_UPHELD, NULL, 0, adj_ok, 1,
		 INVOICE_ADJUSTMENTS_NOT_ALLOWED, 0},
		{"decide without outcome", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_OUTCOME_NONE, NULL, 0, NULL, 0,
		 INVOICE_OUTCOME_REQUIRED, 0},
		{"decide without reason", INVOICE_DISPUTED, INVOICE_DECIDE, R, "", INVOICE_UPHELD, NULL, 0, NULL, 0,
		 INVOICE_REASON_REQUIRED, 0},
		{"decide with lines", INVOICE_DISPUTED, INVOICE_DECIDE, R, "x", INVOICE_UPHELD, l11, 1, NULL, 0,
		 INVOICE_LINES_NOT_ALLOWED, 0},
		{"decide by municipality", INVOICE_DISPUTED, INVOICE_DECIDE, M, "x", INVOICE_UPHELD, NULL, 0, NULL, 0,
		 INVOICE_WRONG_PARTY, 0},
		{"decide a sent invoice", INVOICE_SENT, INVOICE_DECIDE, R, "x", INVOICE_UPHELD, NULL, 0, NULL, 0,
		 INVOICE_WRONG_STATE, 0},
		{"decide twice", INVOICE_DECIDED, INVOICE_DECIDE, R, "x", INVOICE_UPHELD, NULL, 0, NULL, 0,
		 INVOICE_WRONG_STATE, 0},
		{"send twice", INVOICE_SENT, INVOICE_SEND, R, NULL, 0, NULL, 0, NULL, 0, INVOICE_WRONG_STATE, 0},
		{"supersede a sent invoice", INVOICE_SENT, INVOICE_SUPERSEDE, R, NULL, 0, NULL, 0, NULL, 0,
		 INVOICE_WRONG_STATE, 0},
	};
	/* lines 11 and 12 are disputed, 13 is not */
	invoice_line_amount lines[] = {{11, 400000, true}, {12, 600000, true}, {13, 200000, false}};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		invoice_step_input in = {rows[i].action, rows[i].party,  rows[i].reason, rows[i].outcome,
					 rows[i].lines,  rows[i].n_lines, rows[i].adj,   rows[i].n_adj, 0};
		invoice_step_result out = {INVOICE_STATE_COUNT, -1};
		invoice_refusal why = INVOICE_REFUSAL_COUNT;
		hg_status rc = invoice_step(rows[i].from, lines, 3, 1200000, &in, &out, &why);
		T_EQ_STR(t, invoice_refusal_label(why)->code, invoice_refusal_label(rows[i].why)->code, "%s: refusal",
			 rows[i].label);
		T_EQ_INT(t, rc, invoice_refusal_status(rows[i].why), "%s: status", rows[i].label);
		if (rows[i].why == INVOICE_OK)
			T_EQ_INT(t, out.total_ore, rows[i].total, "%s: total", rows[i].label);
		else
			T_EQ_INT(t, out.total_ore, -1, "%s: result untouched", rows[i].label);
	}
	/* why may be NULL */
	invoice_step_input bad = {.action = INVOICE_DISPUTE, .party = M};
	invoice_step_result out;
	T_EQ_INT(t, invoice_step(INVOICE_SENT, lines, 3, 0, &bad, &out, NULL), HG_EINVAL, "NULL why");
	/* issue 15.2: nights without a daily amount keep the invoice from being sent, nothing else */
	invoice_refusal why = INVOICE_OK;
	invoice_step_input send = {.action = INVOICE_SEND, .party = INVOICE_REGION, .unpriced_nights = 2};
	T_EQ_INT(t, invoice_step(INVOICE_DRAFT, lines, 3, 0, &send, &out, &why), HG_ECONFLICT, "unpriced: not sent");
	T_EQ_STR(t, invoice_refusal_label(why)->code, "unpriced_nights", "unpriced: the refusal says why");
	send.unpriced_nights = 0;
	T_EQ_INT(t, invoice_step(INVOICE_DRAFT, lines, 3, 0, &send, &out, &why), HG_OK, "all priced: sent");
	invoice_step_input super = {.action = INVOICE_SUPERSEDE, .party = INVOICE_REGION, .unpriced_nights = 2};
	T_EQ_INT(t, invoice_step(INVOICE_DRAFT, lines, 3, 0, &super, &out, &why), HG_OK, "unpriced: may be superseded");
}

static void test_codes(struct test *t)
{
	static const struct {
		const char *code;
		bool state, action, outcome;
	} rows[] = {
		{"draft", true, false, false},     {"sent", true, false, false},      {"disputed", true, false, false},
		{"decided", true, false, false},   {"superseded", true, false, false}, {"send", false, true, false},
		{"dispute", false, true, false},   {"decide", false, true, false},     {"upheld", false, false, true},
		{"adjusted", false, false, true},  {"withdrawn", false, false, true},  {"none", false, false, false},
		{"Draft", false, false, false},    {"", false, false, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		invoice_state s;
		invoice_action a;
		invoice_outcome o;
		T_TRUE(t, invoice_state_from_code(rows[i].code, &s) == rows[i].state, "state code '%s'", rows[i].code);
		T_TRUE(t, invoice_action_from_code(rows[i].code, &a) == rows[i].action, "action code '%s'",
		       rows[i].code);
		T_TRUE(t, invoice_outcome_from_code(rows[i].code, &o) == rows[i].outcome, "outcome code '%s'",
		       rows[i].code);
	}
	for (int r = 0; r < INVOICE_REFUSAL_COUNT; r++)
		T_TRUE(t, invoice_refusal_label((invoice_refusal)r) != NULL, "refusal %d labelled", r);
	T_TRUE(t, invoice_state_label(INVOICE_STATE_COUNT) == NULL, "state out of range");
	size_t n;
	T_TRUE(t, invoice_transitions(&n) != NULL && n == 4, "four transitions");
}

/* A region's officer sees its county's invoices in every state; a municipality's its own once sent. */
static void test_reach(struct test *t)
{
	static const invoice_reader region = {.region = true, .county = "20"}, falun = {.region = false, .code = "2080"};
	static const struct {
		const invoice_reader *r;
		const char *m;
		invoice_state s;
		bool want;
	} rows[] = {
	    /* 0 */ {&region, "2080", INVOICE_DRAFT, true},
	    /* 1 */ {&region, "2080", INVOICE_SUPERSEDED, true},
	    /* 2 */ {&region, "2081", INVOICE_SENT, true},
	    /* 3 */ {&region, "2180", INVOICE_SENT, false},
	    /* 4 */ {&falun, "2080", INVOICE_DRAFT, false},
	    /* 5 */ {&falun, "2080", INVOICE_SUPERSEDED, false},
	    /* 6 */ {&falun, "2080", INVOICE_SENT, true},
	    /* 7 */ {&falun, "2080", INVOICE_DISPUTED, true},
	    /* 8 */ {&falun, "2080", INVOICE_DECIDED, true},
	    /* 9 */ {&falun, "2081", INVOICE_SENT, false},
	    /* 10 */ {&falun, "208", INVOICE_SENT, false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		T_EQ_INT(t, invoice_in_reach(rows[i].r, rows[i].m, rows[i].s), rows[i].want, "reach row %zu", i);

	/* the invoices that list an episode, newest month first: the first not superseded within reach */
	static const invoice_ref refs[] = {
	    {5, "2080", INVOICE_SUPERSEDED}, {4, "2080", INVOICE_DRAFT}, {3, "2080", INVOICE_SENT}, {2, "2080", INVOICE_DECIDED}};
	static const struct {
		const invoice_reader *r;
		size_t from, n;
		long want;
	} picks[] = {
	    /* 0 */ {&region, 0, 4, 1}, /* the region: the draft, never the superseded one */
	    /* 1 */ {&falun, 0, 4, 2},  /* the municipality: the sent one */
	    /* 2 */ {&falun, 0, 2, -1}, /* only a superseded draft and a draft */
	    /* 3 */ {&region, 0, 1, -1},
	    /* 4 */ {&falun, 3, 1, 0},
	    /* 5 */ {&falun, 0, 0, -1},
	};
	for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
		T_EQ_INT(t, invoice_reaching_episode(picks[i].r, refs + picks[i].from, picks[i].n), picks[i].want,
			 "pick row %zu", i);
}

int main(void)
{
	struct test t = {.name = "test_invoice"};
	test_matrix(&t);
	test_steps(&t);
	test_codes(&t);
	test_reach(&t);
	return test_report(&t);
}
