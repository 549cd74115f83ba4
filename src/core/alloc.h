/*
 * alloc.h - the project's thin allocation wrapper.
 *
 * All heap memory in hemgang is taken through these functions so that a test
 * build can count allocations and find leaks in one place. Each function that
 * returns memory documents that the caller owns it and frees it with hg_free().
 * They return NULL on failure; nothing here aborts.
 *
 * Fault injection (as SQLite's test_malloc.c and curl's torture mode): after
 * hg_alloc_fault_set(n, sticky) the n-th allocation from then on (1-based)
 * returns NULL, and with sticky every later one too, until hg_alloc_fault_clear.
 * Tests use it to prove that every path handles a failed allocation without a
 * leak, a crash or half-written state. The counters are the one piece of
 * process-wide mutable state outside main, as malloc itself is: atomics, so
 * threads may allocate while a test sweeps. Off (n = 0) it costs two relaxed atomics.
 */
#ifndef HG_ALLOC_H
#define HG_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *hg_malloc(size_t n);
void *hg_calloc(size_t count, size_t size);
void *hg_realloc(void *p, size_t n);
void hg_free(void *p);
/* Returns a malloced copy of s (caller frees), or NULL when out of memory or s is NULL. */
char *hg_strdup(const char *s);
/* Returns a malloced copy of the first n bytes of s, NUL-terminated (caller frees). */
char *hg_strndup(const char *s, size_t n);

/* Makes the nth allocation from now fail (and with sticky every later one); n = 0 turns faults off. */
void hg_alloc_fault_set(unsigned long n, bool sticky);
void hg_alloc_fault_clear(void);
/* Allocations attempted since the last hg_alloc_fault_set / _clear (failed ones included). */
unsigned long hg_alloc_count(void);
/* Allocations made to fail since the last hg_alloc_fault_set / _clear. */
unsigned long hg_alloc_failed(void);
/* Blocks taken through hg_* and not yet given back (a leak check: equal before and after). */
long hg_alloc_live(void);

#endif
