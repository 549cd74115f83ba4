/*
 * loggutdrag.h - a patient's access extract (loggutdrag) as text, CSV or PDF (loggutdrag.c).
 */
#ifndef HG_CLI_LOGGUTDRAG_H
#define HG_CLI_LOGGUTDRAG_H

#include <stdbool.h>
#include <stdio.h>

#include "core/status.h"
#include "store/store.h"

typedef enum loggutdrag_format { LOGGUTDRAG_TSV = 0, LOGGUTDRAG_CSV, LOGGUTDRAG_PDF } loggutdrag_format;

/* "tsv", "csv", "pdf". */
bool loggutdrag_format_from_code(const char *code, loggutdrag_format *out);
/* Writes the extract of patient pnr (rows from store_audit_patient, oldest first) to f. */
hg_status loggutdrag_write(const char *pnr, const store_audit *rows, size_t n, loggutdrag_format fmt, hg_instant now,
			   FILE *f) HG_MUST_CHECK;

#endif
