/*
 * buf.h - the one growable byte buffer, with a ceiling (in the manner of
 * curl's dynbuf: every buffer says at init how large it may grow).
 *
 * Used wherever text is built piece by piece: CSV and XLSX exports, the
 * canonical JSON text of events, follow-up tables, HL7 acknowledgements,
 * Prometheus metrics. Errors are sticky: once an append fails (past the
 * ceiling, or out of memory) the buffer is failed, every later append does
 * nothing, and the builder checks once at the end (hg_buf_status). The data is
 * always NUL-terminated once anything was added, so it reads as a C string.
 * Pure: no I/O; memory through core/alloc.h.
 */
#ifndef HG_BUF_H
#define HG_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

typedef struct hg_buf {
	char *data; /* hg_malloc'ed, NUL-terminated when len > 0; owned by the buffer (hg_buf_free, hg_buf_take) */
	size_t len, cap;
	size_t max;   /* the ceiling on len + 1 (the NUL counts) */
	bool failed;  /* sticky: an append failed (a builder may set it to abandon malformed text) */
	bool too_big; /* ... because the text would pass max (HG_ERANGE), else memory (HG_ENOMEM) */
} hg_buf;

/* An empty buffer that may hold up to max - 1 bytes of text. Allocates nothing yet. */
void hg_buf_init(hg_buf *b, size_t max);
/* Appends n bytes of p; false (and the buffer failed) when it cannot. */
bool hg_buf_add(hg_buf *b, const void *p, size_t n);
/* Appends the C string s. */
bool hg_buf_add_str(hg_buf *b, const char *s);
/* Appends what printf would write. */
bool hg_buf_printf(hg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HG_OK, or why an append failed: HG_ERANGE past the ceiling, HG_ENOMEM. */
hg_status hg_buf_status(const hg_buf *b);
/*
 * Hands the text over: returns the data (hg_malloc'ed, the caller frees it with hg_free; "" allocated when
 * nothing was added) and its length in *len (may be NULL), and leaves b empty. A failed buffer gives NULL
 * and is freed.
 */
char *hg_buf_take(hg_buf *b, size_t *len);
/* Empties b for the next piece, keeping its memory (and its failure, which stays sticky). */
void hg_buf_reset(hg_buf *b);
/* Frees the data and leaves b empty with the same ceiling. */
void hg_buf_free(hg_buf *b);

#endif
