/*
 * alloc.c - the allocation wrapper (see alloc.h). Kept thin on purpose: the
 * value is in having one door, so sanitizers, the live-block counter and the
 * fault injection of the tests see every call.
 */
#include "core/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Process-wide, like malloc's own state (see alloc.h): the fault plan and two counters. */
static atomic_ulong fault_at;     /* 0: off; else the count at which allocations start failing */
static atomic_bool fault_sticky;  /* fail every allocation from fault_at on, not only that one */
static atomic_ulong count;        /* allocations attempted since the plan was set */
static atomic_ulong failed;       /* allocations made to fail */
static atomic_long live;          /* blocks handed out and not freed */

/* True when this allocation is to fail under the fault plan. */
static bool injected_failure(void)
{
	unsigned long n = atomic_fetch_add_explicit(&count, 1, memory_order_relaxed) + 1;
	unsigned long at = atomic_load_explicit(&fault_at, memory_order_relaxed);
	if (at == 0)
		return false;
	if (n == at || (n > at && atomic_load_explicit(&fault_sticky, memory_order_relaxed))) {
		atomic_fetch_add_explicit(&failed, 1, memory_order_relaxed);
		return true;
	}
	return false;
}

static void *counted(void *p)
{
	if (p)
		atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
	return p;
}

void *hg_malloc(size_t n)
{
	if (injected_failure())
		return NULL;
	return counted(malloc(n ? n : 1));
}

void *hg_calloc(size_t count_, size_t size)
{
	if (injected_failure())
		return NULL;
	return counted(calloc(count_ ? count_ : 1, size ? size : 1));
}

void *hg_realloc(void *p, size_t n)
{
	if (!p)
		return hg_malloc(n);
	if (injected_failure())
		return NULL; /* as realloc: p stays valid and owned by the caller */
	return realloc(p, n ? n : 1);
}

void hg_free(void *p)
{
	if (!p)
		return;
	atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
	free(p);
}

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

void hg_alloc_fault_set(unsigned long n, bool sticky)
{
	atomic_store(&fault_at, 0);
	atomic_store(&count, 0);
	atomic_store(&failed, 0);
	atomic_store(&fault_sticky, sticky);
	atomic_store(&fault_at, n);
}

void hg_alloc_fault_clear(void) { hg_alloc_fault_set(0, false); }

unsigned long hg_alloc_count(void) { return atomic_load(&count); }
unsigned long hg_alloc_failed(void) { return atomic_load(&failed); }
long hg_alloc_live(void) { return atomic_load(&live); }
