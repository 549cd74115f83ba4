/*
 * text.h - the small text helpers every layer needs once: a bounded string
 * copy and the one parser of record ids.
 *
 * They exist so that each rule is written once: before, nine files carried
 * their own copy (some cut a UTF-8 character in two, some did not) and six
 * parsers of ids each had a rule of its own (18 digits, 15 digits, a sign and
 * spaces accepted by strtoll). Pure: no I/O, no allocation.
 */
#ifndef HG_TEXT_H
#define HG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copies src into dst (cap bytes, cap >= 1), always NUL-terminated; NULL src
 * copies "". A text that does not fit is cut at the last whole UTF-8
 * character that fits, never inside one. Returns true when all of src fit.
 */
bool hg_copy(char *dst, size_t cap, const char *src);

/* The most digits a record id may have: every such number fits in int64_t. */
#define HG_ID_DIGITS_MAX 18

/*
 * The one rule for a record id written by a person or a client (URL path,
 * query, CLI argument): a positive decimal number of 1 to HG_ID_DIGITS_MAX
 * digits, nothing else: no sign, no spaces, no other character. Leading zeros
 * are digits like any other ("007" is 7). True and *out set when s is one.
 */
bool hg_parse_id(const char *s, int64_t *out);

#endif
