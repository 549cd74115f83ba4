/*
 * fuzz_pnr.c - libFuzzer target for the identity-number parser (core/pnr.h).
 *
 * Feeds arbitrary bytes (a NUL-terminated copy, at most twice the parser's
 * ceiling) under each combination of the reserve options and checks the
 * invariants: the reason agrees with the status, a valid result is well formed
 * and re-parses from its normalised form to exactly itself, a rejected one is
 * cleared, and the masked form never parses. Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pnr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_INPUT_MAX (2 * PNR_INPUT_MAX)

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_one(const char *s, const pnr_options *o)
{
	pnr p, again;
	pnr_reason why, why_again;
	char masked[PNR_TEXT_SIZE];
	int age;
	hg_status rc = pnr_parse(s, o, &p, &why);

	check((unsigned)why < PNR_REASON_COUNT);
	check(pnr_reason_label(why)->code != NULL);
	check((rc == HG_OK) == (why == PNR_OK));
	if (rc != HG_OK) {
		check(rc == HG_EINVAL && p.birth == HG_DATE_NONE && p.normal[0] == '\0');
		return;
	}
	check((unsigned)p.kind < PNR_KIND_COUNT);
	check(strlen(p.normal) == 12 || strlen(p.normal) == 13);
	check(p.birth == HG_DATE_NONE || p.birth <= o->reference);
	check((p.kind == PNR_RESERVE) == (p.sex == PNR_SEX_NONE));
	check(p.kind == PNR_RESERVE || p.birth != HG_DATE_NONE);
	check((p.birth != HG_DATE_NONE) == (pnr_age_at(&p, o->reference, &age) == HG_OK));

	check(pnr_parse(p.normal, o, &again, &why_again) == HG_OK);
	check(again.kind == p.kind && again.birth == p.birth && again.sex == p.sex);
	check(strcmp(again.normal, p.normal) == 0);

	pnr_mask(&p, masked);
	check(strlen(masked) == strlen(p.normal) && strchr(masked, '*') != NULL);
	check(pnr_parse(masked, o, &again, &why_again) != HG_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[FUZZ_INPUT_MAX + 1];
	pnr_options o;

	if (size > FUZZ_INPUT_MAX)
		size = FUZZ_INPUT_MAX;
	memcpy(buf, data, size);
	buf[size] = '\0';

	o = pnr_options_default(date_from_ymd(2024, 6, 30));
	check_one(buf, &o);
	o.accept_reserve = true;
	check_one(buf, &o);
	o.reserve_birth = true;
	check_one(buf, &o);
	o.reference = date_from_ymd(1900, 2, 28);
	check_one(buf, &o);
	return 0;
}
