/*
 * loggutdrag.c - a patient's access extract (loggutdrag, patientdatalagen 4 kap. 3 §): who read or
 * wrote the patient's data in hemgang, when, from which unit, what and why. `hemgang audit
 * --patient PNR` prints it as a tab-separated table, CSV (RFC 4180, a Swedish header line) or a
 * PDF to hand to the patient. The rows come from the audit log: records about one of the patient's
 * episodes, and list reads (worklists, searches, episode lists) that showed one of them.
 */
#include "cli/loggutdrag.h"

#include <stdio.h>
#include <string.h>

#include <hpdf.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/calendar.h"
#include "wire/wire.h"

/* The action codes of the audit log in the patient's words. */
static const struct {
	const char *code, *sv;
} actions[] = {
	{"episode.read", "läste vårdtillfället"},
	{"episode.read.invoice", "läste vårdtillfället via ett fakturaunderlag"},
	{"episode.read.refused", "försökte läsa vårdtillfället (nekades)"},
	{"episode.list", "såg patienten i en lista"},
	{"worklist.read", "såg patienten på sin arbetslista"},
	{"search.pnr", "sökte fram patienten"},
	{"event.append", "skrev en händelse"},
	{"event.append.replayed", "skickade en händelse på nytt"},
	{"delivery.send", "skickade meddelandet till enhetens journalsystem"},
};

static const char *action_sv(const char *code)
{
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(actions[i].code, code) == 0)
			return actions[i].sv;
	return code;
}

/* One row as text cells: time, user, unit, action, episode, reason, client. */
#define EXTRACT_COLS 7
/* One CSV row: every byte of a record a doubled quote, with the quotes and separators around. */
#define LOGGUTDRAG_LINE_MAX (sizeof(store_audit) * 2 + 256)
static const char *const headers[EXTRACT_COLS] = {"tid", "användare", "enhet", "åtgärd", "vårdtillfälle", "skäl",
						  "klient"};

static void cells(const store_audit *a, char time[17], char episode[24], const char *out[EXTRACT_COLS])
{
	(void)cal_format_local(a->at, time);
	if (a->episode_id)
		(void)snprintf(episode, 24, "%lld", (long long)a->episode_id);
	else
		(void)snprintf(episode, 24, "-");
	out[0] = time;
	out[1] = a->username;
	out[2] = a->unit[0] ? a->unit : "-";
	out[3] = action_sv(a->action);
	out[4] = episode;
	out[5] = a->reason[0] ? a->reason : "-";
	out[6] = a->client[0] ? a->client : "-";
}

/* libharu reports errors through a callback; the document is abandoned when one came. */
static void on_pdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	(void)error_no;
	(void)detail_no;
	*(bool *)user_data = true;
}

/* UTF-8 to the PDF's WinAnsi (Latin-1 range; other characters become '?'). */
static void latin1(const char *in, char *out, size_t cap)
{
	size_t k = 0;
	const unsigned char *p = (const unsigned char *)in;
	while (*p && k + 1 < cap) {
		unsigned cp = '?';
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
			cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
			p += 2;
		} else {
			for (p++; (*p & 0xC0) == 0x80; p++)
				;
		}
		out[k++] = (char)(cp <= 0xFF ? cp : '?');
	}
	out[k] = '\0';
}

typedef struct pdf_page_state {
	HPDF_Doc doc;
	HPDF_Page page;
	HPDF_Font regular, heading;
	float y;
} pdf_page_state;

static void put_text(pdf_page_state *p, float x, float size, bool heading, const char *utf8)
{
	char text[300];
	latin1(utf8, text, sizeof text);
	HPDF_Page_BeginText(p->page);
	HPDF_Page_SetFontAndSize(p->page, heading ? p->heading : p->regular, size);
	HPDF_Page_TextOut(p->page, x, p->y, text);
	HPDF_Page_EndText(p->page);
}

static const float col_x[EXTRACT_COLS] = {36, 122, 210, 330, 520, 580, 730};
static const int col_chars[EXTRACT_COLS] = {16, 16, 22, 40, 10, 30, 20};

static void table_head(pdf_page_state *p)
{
	for (int c = 0; c < EXTRACT_COLS; c++)
		put_text(p, col_x[c], 8, true, headers[c]);
	p->y -= 14;
}

static void add_page(pdf_page_state *p)
{
	p->page = HPDF_AddPage(p->doc);
	HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
	p->y = HPDF_Page_GetHeight(p->page) - 40;
}

static hg_status write_pdf(const char *pnr, const store_audit *rows, size_t n, hg_instant now, FILE *f)
{
	bool failed = false;
	pdf_page_state p = {0};
	char line[200], stamp[17];
	p.doc = HPDF_New(on_pdf_error, &failed);
	if (!p.doc)
		return HG_ENOMEM;
	HPDF_SetCompressionMode(p.doc, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(p.doc, HPDF_INFO_CREATOR, "hemgang");
	p.regular = HPDF_GetFont(p.doc, "Helvetica", "WinAnsiEncoding");
	p.heading = HPDF_GetFont(p.doc, "Helvetica-Bold", "WinAnsiEncoding");
	add_page(&p);
	(void)snprintf(line, sizeof line, "Loggutdrag för %s", pnr);
	put_text(&p, 36, 16, true, line);
	p.y -= 20;
	(void)snprintf(line, sizeof line, "Vem som har tagit del av patientens uppgifter i hemgang. Utskrivet %s. %zu rader.",
		       cal_format_local(now, stamp), n);
	put_text(&p, 36, 9, false, line);
	p.y -= 22;
	table_head(&p);
	for (size_t i = 0; i < n && !failed; i++) {
		char time[17], episode[24], cell[64];
		const char *c[EXTRACT_COLS];
		cells(&rows[i], time, episode, c);
		if (p.y < 40) {
			add_page(&p);
			table_head(&p);
		}
		for (int k = 0; k < EXTRACT_COLS; k++) {
			(void)snprintf(cell, sizeof cell, "%.*s", col_chars[k], c[k]);
			put_text(&p, col_x[k], 8, false, cell);
		}
		p.y -= 11;
	}
	if (n == 0)
		put_text(&p, 36, 9, false, "Inga uppgifter om patienten har lästs eller skrivits.");
	hg_status rc = HG_EIO;
	if (!failed && HPDF_SaveToStream(p.doc) == HPDF_OK) {
		HPDF_BYTE buf[4096];
		for (;;) {
			HPDF_UINT32 got = sizeof buf;
			HPDF_STATUS st = HPDF_ReadFromStream(p.doc, buf, &got);
			if (got && fwrite(buf, 1, got, f) != got)
				break;
			if (st == HPDF_STREAM_EOF) {
				rc = HG_OK;
				break;
			}
			if (st != HPDF_OK)
				break;
		}
	}
	HPDF_Free(p.doc);
	return rc;
}

/* CSV with every field quoted, a row at a time through the CSV writer (wire.h). */
static hg_status write_csv(const store_audit *rows, size_t n, FILE *f)
{
	char time[17], episode[24];
	const char *c[EXTRACT_COLS];
	hg_buf line;
	wire_csv w;
	hg_buf_init(&line, LOGGUTDRAG_LINE_MAX);
	wire_csv_init(&w, &line, ',', WIRE_CSV_ALWAYS_QUOTE);
	for (size_t i = 0; i <= n && !line.failed; i++) {
		const char *const *row = headers;
		if (i > 0) {
			cells(&rows[i - 1], time, episode, c);
			row = c;
		}
		for (int k = 0; k < EXTRACT_COLS; k++)
			wire_csv_field(&w, row[k]);
		wire_csv_end_row(&w);
		if (!line.failed && fwrite(line.data, 1, line.len, f) != line.len)
			break;
		hg_buf_reset(&line);
	}
	hg_status rc = hg_buf_status(&line);
	hg_buf_free(&line);
	return rc ? rc : ferror(f) ? HG_EIO : HG_OK;
}

hg_status loggutdrag_write(const char *pnr, const store_audit *rows, size_t n, loggutdrag_format fmt, hg_instant now,
			   FILE *f)
{
	char time[17], episode[24];
	const char *c[EXTRACT_COLS];
	switch (fmt) {
	case LOGGUTDRAG_PDF:
		return write_pdf(pnr, rows, n, now, f);
	case LOGGUTDRAG_CSV:
		return write_csv(rows, n, f);
	case LOGGUTDRAG_TSV:
		for (size_t i = 0; i < n; i++) {
			cells(&rows[i], time, episode, c);
			for (int k = 0; k < EXTRACT_COLS; k++)
				fprintf(f, "%s%c", c[k], k + 1 == EXTRACT_COLS ? '\n' : '\t');
		}
		break;
	}
	return ferror(f) ? HG_EIO : HG_OK;
}

bool loggutdrag_format_from_code(const char *code, loggutdrag_format *out)
{
	static const struct {
		const char *code;
		loggutdrag_format fmt;
	} formats[] = {{"tsv", LOGGUTDRAG_TSV}, {"csv", LOGGUTDRAG_CSV}, {"pdf", LOGGUTDRAG_PDF}};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (strcmp(formats[i].code, code) == 0) {
			*out = formats[i].fmt;
			return true;
		}
	}
	return false;
}
