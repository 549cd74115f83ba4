/*
 * alloc.h - the project's thin allocation wrapper.
 *
 * All heap memory in hemgang is taken through these functions so that a test
 * build can count allocations and find leaks in one place. Each function that
 * returns memory documents that the caller owns it and frees it with hg_free().
 * They return NULL on failure; nothing here aborts.
 */
#ifndef HG_ALLOC_H
#define HG_ALLOC_H

#include <stddef.h>

void *hg_malloc(size_t n);
void *hg_calloc(size_t count, size_t size);
void *hg_realloc(void *p, size_t n);
void hg_free(void *p);
/* Returns a malloced copy of s (caller frees), or NULL when out of memory or s is NULL. */
char *hg_strdup(const char *s);
/* Returns a malloced copy of the first n bytes of s, NUL-terminated (caller frees). */
char *hg_strndup(const char *s, size_t n);

#endif
