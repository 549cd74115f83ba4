/*
 * fuzz_event_json.c - libFuzzer target for the store's event text parser
 * (event_from_text): arbitrary bytes must never crash it, and any text it
 * accepts must survive a round trip through event_to_text unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "wire/event_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	event *a, *b;
	event_error err;
	if (size > EVENT_JSON_TEXT_MAX + 16)
		return 0;
	text = hg_strndup((const char *)data, size);
	a = hg_malloc(sizeof *a);
	b = hg_malloc(sizeof *b);
	if (text && a && b && event_from_text(text, a, &err) == HG_OK) {
		char *again = event_to_text(a);
		if (again) {
			if (event_from_text(again, b, &err) != HG_OK || memcmp(a, b, sizeof *a) != 0)
				abort(); /* accepted text must round-trip */
			hg_free(again);
		}
	}
	hg_free(text);
	hg_free(a);
	hg_free(b);
	return 0;
}
