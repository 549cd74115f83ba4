/*
 * buf.c - the growable buffer with a ceiling (see buf.h). It doubles from
 * 256 bytes, never past the ceiling, so a buffer near its limit wastes
 * nothing beyond it.
 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

void hg_buf_init(hg_buf *b, size_t max)
{
	*b = (hg_buf){.max = max};
}

/* Room for extra more bytes and the NUL; false (and b failed) when there is none. */
static bool reserve(hg_buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (extra > b->max || b->len + 1 > b->max - extra) {
		b->failed = b->too_big = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (cap > b->max)
		cap = b->max;
	char *p = hg_realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool hg_buf_add(hg_buf *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return false;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

bool hg_buf_add_str(hg_buf *b, const char *s)
{
	return hg_buf_add(b, s, strlen(s));
}

bool hg_buf_printf(hg_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	if (b->failed)
		return false;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return false;
	}
	if ((size_t)n < sizeof small)
		return hg_buf_add(b, small, (size_t)n);
	if (!reserve(b, (size_t)n))
		return false;
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

hg_status hg_buf_status(const hg_buf *b)
{
	if (!b->failed)
		return HG_OK;
	return b->too_big ? HG_ERANGE : HG_ENOMEM;
}

char *hg_buf_take(hg_buf *b, size_t *len)
{
	if (!b->failed && !b->data)
		(void)reserve(b, 0);
	char *data = b->failed ? NULL : b->data;
	if (data)
		data[b->len] = '\0';
	if (len)
		*len = data ? b->len : 0;
	if (!data)
		hg_free(b->data);
	*b = (hg_buf){.max = b->max};
	return data;
}

void hg_buf_reset(hg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void hg_buf_free(hg_buf *b)
{
	hg_free(b->data);
	*b = (hg_buf){.max = b->max};
}
