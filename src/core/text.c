/*
 * text.c - the bounded string copy and the id parser (see text.h).
 */
#include "core/text.h"

#include <string.h>

bool hg_copy(char *dst, size_t cap, const char *src)
{
	if (!src)
		src = "";
	size_t n = strnlen(src, cap);
	bool fit = n < cap;
	if (!fit) {
		n = cap - 1;
		/* never cut a UTF-8 sequence in two: back up over its continuation bytes to its lead */
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
	return fit;
}

bool hg_parse_id(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t digits = 0;
	if (!s)
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > HG_ID_DIGITS_MAX)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (digits == 0 || *s != '\0' || v < 1)
		return false;
	*out = v;
	return true;
}
