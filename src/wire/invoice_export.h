/*
 * invoice_export.h - invoice bases as files people open: CSV for Swedish
 * Excel, an Excel workbook (libxlsxwriter) and a printable PDF invoice
 * specification per municipality (libharu).
 *
 * The input is what invoice_store.h hands out: a JSON array of invoice
 * objects with their lines and exclusions. Every export shows, per invoice,
 * the lines (personnummer, ward, ready date, discharge date or "inneliggande",
 * liability from, nights, amount), the total, and the exclusions with their
 * reasons, so the figures explain themselves on paper too. The Excel and PDF
 * writers are compiled in when the build defines HG_HAVE_XLSXWRITER and
 * HG_HAVE_LIBHARU (the Makefile does when it links the libraries); without them
 * those formats answer HG_EINVAL with a message saying so.
 */
#ifndef HG_WIRE_INVOICE_EXPORT_H
#define HG_WIRE_INVOICE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/status.h"

#define WIRE_INVOICE_MAX (64u * 1024 * 1024) /* ceiling on one export, bytes */

typedef enum wire_invoice_format {
	WIRE_INVOICE_FORMAT_JSON = 0,
	WIRE_INVOICE_FORMAT_CSV,
	WIRE_INVOICE_FORMAT_XLSX,
	WIRE_INVOICE_FORMAT_PDF,
	WIRE_INVOICE_FORMAT_COUNT
} wire_invoice_format;

/* Code ("csv"), media type and file extension of a format; NULL outside the table. */
const char *wire_invoice_format_code(wire_invoice_format f);
const char *wire_invoice_format_media_type(wire_invoice_format f);
bool wire_invoice_format_from_code(const char *code, wire_invoice_format *out);

typedef struct wire_invoice_options {
	bool comma; /* CSV: comma-separated with a decimal point (default: semicolon and decimal comma) */
} wire_invoice_options;

/*
 * Renders invoices (a JSON array of invoice objects) in format f (CSV, XLSX or
 * PDF; JSON is the caller's). *data is hg_malloc'ed (caller frees), *len its
 * size in bytes. On failure err gets one line.
 */
hg_status wire_invoice_export(const json_t *invoices, wire_invoice_format f, const wire_invoice_options *o, char **data,
			 size_t *len, char *err, size_t errlen) HG_MUST_CHECK;

#endif
