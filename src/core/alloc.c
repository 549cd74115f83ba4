/*
 * alloc.c - the allocation wrapper (see alloc.h). Kept trivial on purpose: the
 * value is in having one door, so sanitizers and future counters see every call.
 */
#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

void *hg_malloc(size_t n) { return malloc(n ? n : 1); }

void *hg_calloc(size_t count, size_t size) { return calloc(count ? count : 1, size ? size : 1); }

void *hg_realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }

void hg_free(void *p) { free(p); }

char *hg_strdup(const char *s)
{
	if (!s)
		return NULL;
	return hg_strndup(s, strlen(s));
}

char *hg_strndup(const char *s, size_t n)
{
	char *p;
	if (!s)
		return NULL;
	p = hg_malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
