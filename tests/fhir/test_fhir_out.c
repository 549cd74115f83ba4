/*
 * test_fhir_out.c - the pure parts of messages out (issue 16.4): how a receiver's answer is judged
 * (fhir_out_judge), the delivery thread's backoff and its --delivery option (outbox.h). The whole
 * path, with real receivers, is tests/fhir/test_outbox.py.
 */
#include <string.h>

#include "fhir/fhir_out.h"
#include "hl7/outbox.h"
#include "test.h"

#define RESP(code, id)                                                                                          \
	"{\"resourceType\":\"Bundle\",\"type\":\"message\",\"entry\":[{\"resource\":{\"resourceType\":"           \
	"\"MessageHeader\",\"response\":{\"identifier\":\"" id "\",\"code\":\"" code "\"}}}]}"

static void test_judge(struct test *t)
{
	static const struct {
		const char *body;
		fhir_out_verdict want;
		const char *why;
	} rows[] = {
		/* 1 */ {RESP("ok", "h1"), FHIR_OUT_ACKNOWLEDGED, ""},
		/* 2 */ {RESP("ok", "other"), FHIR_OUT_RECEIVED, ""}, /* an answer to another message */
		/* 3 */ {RESP("transient-error", "h1"), FHIR_OUT_TRANSIENT, "transient-error"},
		/* 4 */ {RESP("fatal-error", "h1"), FHIR_OUT_REFUSED, "fatal-error"},
		/* 5 */ {"{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"information\",\"code\":"
			 "\"informational\"}]}",
			 FHIR_OUT_ACKNOWLEDGED, ""},
		/* 6 */ {"{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":"
			 "\"invalid\",\"diagnostics\":\"no such unit\"}]}",
			 FHIR_OUT_REFUSED, "no such unit"},
		/* 7 */ {"", FHIR_OUT_RECEIVED, ""},
		/* 8 */ {"not json", FHIR_OUT_RECEIVED, ""},
		/* 9 */ {"{\"resourceType\":\"Bundle\",\"type\":\"message\",\"entry\":[]}", FHIR_OUT_RECEIVED, ""},
		/* 10 */ {"{\"resourceType\":\"Bundle\",\"type\":\"message\",\"entry\":[{\"resource\":{\"resourceType\":"
			  "\"MessageHeader\",\"response\":{\"code\":\"ok\"}}}]}",
			  FHIR_OUT_ACKNOWLEDGED, ""}, /* identifier missing: still the answer of this exchange */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char why[64];
		fhir_out_verdict v = fhir_out_judge(rows[i].body, strlen(rows[i].body), "h1", why, sizeof why);
		T_EQ_INT(t, v, rows[i].want, "judge %zu", i + 1);
		T_EQ_STR(t, why, rows[i].why, "judge %zu why", i + 1);
	}
}

static void test_backoff(struct test *t)
{
	outbox_config c;
	outbox_config_defaults(&c);
	static const struct {
		int n, want;
	} rows[] = {{1, 30}, {2, 60}, {3, 120}, {7, 1920}, {8, 3600}, {30, 3600}, {1000, 3600}};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		T_EQ_INT(t, outbox_backoff(&c, rows[i].n), rows[i].want, "backoff after failure %d", rows[i].n);
}

static void test_config(struct test *t)
{
	static const struct {
		const char *text;
		hg_status rc;
		int backoff, backoff_max, attempts, interval_ms, timeout;
	} rows[] = {
		/* 1 */ {"", HG_OK, 30, 3600, 20, 1000, 30},
		/* 2 */ {"backoff=1,backoff-max=2,interval-ms=100,timeout=5", HG_OK, 1, 2, 20, 100, 5},
		/* 3 */ {"attempts=3", HG_OK, 30, 3600, 3, 1000, 30},
		/* 4 */ {"backoff=0", HG_EINVAL, 0, 0, 0, 0, 0},
		/* 5 */ {"backoff=", HG_EINVAL, 0, 0, 0, 0, 0},
		/* 6 */ {"retries=3", HG_EINVAL, 0, 0, 0, 0, 0},
		/* 7 */ {"timeout=5x", HG_EINVAL, 0, 0, 0, 0, 0},
		/* 8 */ {"attempts", HG_EINVAL, 0, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		outbox_config c;
		char why[160] = "";
		outbox_config_defaults(&c);
		hg_status rc = outbox_config_parse(&c, rows[i].text, why, sizeof why);
		T_EQ_INT(t, rc, rows[i].rc, "config %zu", i + 1);
		if (rc != HG_OK) {
			T_TRUE(t, why[0] != '\0', "config %zu says why", i + 1);
			continue;
		}
		T_EQ_INT(t, c.backoff, rows[i].backoff, "config %zu backoff", i + 1);
		T_EQ_INT(t, c.backoff_max, rows[i].backoff_max, "config %zu backoff-max", i + 1);
		T_EQ_INT(t, c.attempts, rows[i].attempts, "config %zu attempts", i + 1);
		T_EQ_INT(t, c.interval_ms, rows[i].interval_ms, "config %zu interval", i + 1);
		T_EQ_INT(t, c.timeout, rows[i].timeout, "config %zu timeout", i + 1);
	}
}

int main(void)
{
	struct test t = {.name = "test_fhir_out"};
	test_judge(&t);
	test_backoff(&t);
	test_config(&t);
	return test_report(&t);
}
