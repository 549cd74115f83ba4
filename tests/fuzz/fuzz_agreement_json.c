/*
 * fuzz_agreement_json.c - libFuzzer target for the agreement file parser
 * (agreement_json_parse): arbitrary bytes must never crash it, every refusal
 * must say why, and whatever it accepts must pass the core's agreement_validate,
 * as agreement_json.h promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "wire/agreement_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	agreement_issue why;
	if (size > AGREEMENT_JSON_MAX + 16)
		return 0;
	agreement *a = hg_malloc(sizeof *a);
	if (!a)
		return 0;
	err[0] = '\0';
	hg_status rc = agreement_json_parse((const char *)data, size, a, err, sizeof err);
	if (rc == HG_OK && agreement_validate(a, &why) != HG_OK)
		abort(); /* accepted but invalid */
	if (rc != HG_OK && err[0] == '\0')
		abort(); /* refused without a reason */
	hg_free(a);
	return 0;
}
