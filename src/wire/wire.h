/*
 * wire.h - the wire-format layer (src/wire): how hemgang's values look outside
 * the process, as JSON for the API and the CLI, as CSV for Swedish Excel, as
 * XLSX and as PDF.
 *
 * What lives here: the JSON codecs (event_json, episode_json, agreement_json,
 * followup_json, whatif_json) and the writers of files people open
 * (invoice_export: CSV, XLSX, PDF; sip_pdf: the printable SIP). One codec per
 * thing, shared by `hemgang ...` and /api/v1/..., so that a figure looks the
 * same in both; the store keeps events and agreements as the canonical JSON
 * text of these codecs.
 *
 * The rule of the layer: a file here may include src/core and the store's
 * port and row types (store/store.h and the feature stores' *_store.h: what it
 * renders is what the store returns; whatif_json reads through that port), and
 * the format libraries (Jansson, libxlsxwriter, libharu). It never includes
 * src/http, src/cli, src/hl7 or src/fhir, and it decides no rule: a deadline,
 * a liability figure or who may see what is the core's answer, written here.
 *
 * Names: the codecs keep the names they had (episode_state_to_json,
 * event_from_json, ...), which dozens of call sites use; a helper shared by
 * several codecs or writers is named wire_ and declared in this header, and a
 * writer for a concept that spans layers carries the layer in its name
 * (wire_invoice_*).
 */
#ifndef HG_WIRE_WIRE_H
#define HG_WIRE_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/*
 * The one CSV writer (RFC 4180, rows ended by CRLF), used by the invoice
 * export, the follow-up tables (hemgang report, point, whatif and their API
 * downloads) and the patient's access extract. The quoting rule lives here
 * alone: a field is quoted when it holds the separator, a quote, CR or LF (or
 * always, with WIRE_CSV_ALWAYS_QUOTE), and a quote inside is doubled. With
 * WIRE_CSV_FORMULA_GUARD a text that begins with = + - @ gets a leading ' so
 * that a spreadsheet never runs a name as a formula. Writes into an hg_buf,
 * whose ceiling and sticky failure the caller checks once at the end.
 */
enum { WIRE_CSV_ALWAYS_QUOTE = 1, WIRE_CSV_FORMULA_GUARD = 2 };

typedef struct wire_csv {
	hg_buf *out;    /* borrowed */
	char sep;       /* ',' or ';' (Swedish Excel) */
	unsigned flags; /* WIRE_CSV_* */
	bool in_row;    /* a field was written on this row: the next is preceded by sep */
} wire_csv;

void wire_csv_init(wire_csv *w, hg_buf *out, char sep, unsigned flags);
/* A text field, quoted as the rule says. */
void wire_csv_field(wire_csv *w, const char *text);
/* A field written as it is (a number the caller formatted; "" for an empty field). */
void wire_csv_raw(wire_csv *w, const char *s, size_t n);
/* Ends the row with CRLF. */
void wire_csv_end_row(wire_csv *w);

/*
 * UTF-8 into WinAnsi (CP1252's Latin-1 half), which the PDF's standard fonts
 * speak: ASCII and U+00A0..U+00FF (the Swedish letters among them) as one byte
 * each, anything else as '?'. At most cap-1 bytes and a NUL into out (wire_pdf.c;
 * the invoice PDF and the printable SIP share it).
 */
void wire_winansi(const char *utf8, char *out, size_t cap);

#endif
