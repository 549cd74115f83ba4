/*
 * fuzz_json_guard.c - libFuzzer target for the HTTP JSON guard
 * (http_json_limits), the scan that refuses a request body before Jansson
 * parses it. Arbitrary bytes must never crash it, and it must keep its
 * promise: whatever it lets through and Jansson then parses has no value
 * nested deeper than the limit and no string or key longer than the limit
 * (the guard counts raw bytes, escapes included, so a decoded string is never
 * longer). A refusal must point at a line and column inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DEPTH 8
#define MAX_STRING 64

/* The nesting depth of v (a scalar is 0) and its longest string or key, bounded by the guard's limits. */
static size_t depth_of(const json_t *v, size_t *longest)
{
	size_t deepest = 0;
	if (json_is_string(v)) {
		if (json_string_length(v) > *longest)
			*longest = json_string_length(v);
		return 0;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item)
		{
			size_t d = depth_of(item, longest);
			if (d > deepest)
				deepest = d;
		}
		return deepest + 1;
	}
	if (json_is_object(v)) {
		const char *key;
		json_t *item;
		json_object_foreach((json_t *)v, key, item)
		{
			if (strlen(key) > *longest)
				*longest = strlen(key);
			size_t d = depth_of(item, longest);
			if (d > deepest)
				deepest = d;
		}
		return deepest + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *what = NULL;
	size_t line = 0, column = 0;
	const char *text = (const char *)data;
	if (http_json_limits(text, size, MAX_DEPTH, MAX_STRING, &what, &line, &column) != HG_OK) {
		size_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		if (!what || (strcmp(what, "depth") != 0 && strcmp(what, "string") != 0) || line < 1 || line > lines)
			abort(); /* a refusal names its reason and a line of the input */
		return 0;
	}
	json_error_t err;
	json_t *v = json_loadb(text, size, JSON_REJECT_DUPLICATES, &err);
	if (v) {
		size_t longest = 0;
		if (depth_of(v, &longest) > MAX_DEPTH || longest > MAX_STRING)
			abort(); /* the guard let through what it promised to stop */
		json_decref(v);
	}
	return 0;
}
