/*
 * fuzz_facts.c - libFuzzer target for the stored form of the follow-up facts
 * (core/facts.h), which a report decodes for every episode it reads.
 *
 * Feeds arbitrary bytes to facts_decode and checks the invariants: a refused
 * input leaves no array entries behind; an accepted one has every count and
 * code within its ceiling, NUL-terminated texts, and encodes back to exactly
 * the bytes it came from (the form has one spelling per row). Any violation
 * aborts. A row of an older version (1) that still reads encodes as the current
 * version, which reads back and encodes to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	facts_row *r = hg_malloc(sizeof *r);
	uint8_t *again = hg_malloc(FACTS_ENCODED_MAX);
	if (!r || !again) {
		hg_free(r);
		hg_free(again);
		return 0;
	}
	if (facts_decode(data, size, r) != HG_OK) {
		check(r->n_periods == 0 && r->n_deviations == 0 && r->n_recipients == 0);
	} else {
		check(r->n_periods <= FACTS_PERIODS_MAX && r->n_deviations <= FACTS_DEVIATIONS_MAX &&
		      r->n_recipients <= FACTS_RECIPIENTS_MAX);
		check((unsigned)r->care < CARE_TYPE_COUNT && r->track >= -1 && r->track < TRACK_COLOUR_COUNT);
		check(memchr(r->municipality, '\0', sizeof r->municipality) && memchr(r->ward, '\0', sizeof r->ward) &&
		      memchr(r->hospital, '\0', sizeof r->hospital) && memchr(r->patient, '\0', sizeof r->patient));
		size_t len = facts_encode(r, again, FACTS_ENCODED_MAX);
		if (data[0] == FACTS_VERSION) {
			check(len == size && memcmp(again, data, size) == 0);
		} else {
			/* an older version reads as the current one: written again, it is a row of this version that
			 * reads back to the same bytes */
			facts_row *back = hg_malloc(sizeof *back);
			uint8_t *third = hg_malloc(FACTS_ENCODED_MAX);
			if (back && third) {
				check(len > 0 && again[0] == FACTS_VERSION && facts_decode(again, len, back) == HG_OK);
				check(facts_encode(back, third, FACTS_ENCODED_MAX) == len &&
				      memcmp(third, again, len) == 0);
			}
			hg_free(third);
			hg_free(back);
		}
	}
	hg_free(again);
	hg_free(r);
	return 0;
}
