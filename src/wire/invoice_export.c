/*
 * invoice_export.c - CSV, XLSX and PDF renderings of invoice bases (see
 * invoice_export.h).
 *
 * The three writers share one column table (export_columns), so a column is
 * added in one place. Text is UTF-8 everywhere except in the PDF, whose
 * standard Helvetica font speaks WinAnsi (CP1252): the Swedish letters are in
 * its Latin-1 half, anything else prints as '?'.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/calendar.h"
#include "core/date.h"
#include "core/invoice.h"
#include "wire/invoice_export.h"
#include "wire/wire.h"

#ifdef HG_HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif
#ifdef HG_HAVE_LIBHARU
#include <hpdf.h>
#endif

static const struct {
	const char *code, *media_type;
} formats[WIRE_INVOICE_FORMAT_COUNT] = {
	[WIRE_INVOICE_FORMAT_JSON] = {"json", "application/json"},
	[WIRE_INVOICE_FORMAT_CSV] = {"csv", "text/csv; charset=utf-8"},
	[WIRE_INVOICE_FORMAT_XLSX] = {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	[WIRE_INVOICE_FORMAT_PDF] = {"pdf", "application/pdf"},
};

const char *wire_invoice_format_code(wire_invoice_format f)
{
	return (unsigned)f < WIRE_INVOICE_FORMAT_COUNT ? formats[f].code : NULL;
}

const char *wire_invoice_format_media_type(wire_invoice_format f)
{
	return (unsigned)f < WIRE_INVOICE_FORMAT_COUNT ? formats[f].media_type : NULL;
}

bool wire_invoice_format_from_code(const char *code, wire_invoice_format *out)
{
	for (int i = 0; i < WIRE_INVOICE_FORMAT_COUNT; i++)
		if (code && strcmp(code, formats[i].code) == 0) {
			*out = (wire_invoice_format)i;
			return true;
		}
	return false;
}

/* ---- the rows every format shows ---- */

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static long long jint(const json_t *o, const char *key) { return (long long)json_integer_value(json_object_get(o, key)); }

/* What a cell holds. */
typedef enum cell_kind { CELL_TEXT, CELL_INT, CELL_KRONOR } cell_kind;

typedef struct cell {
	cell_kind kind;
	const char *text; /* CELL_TEXT */
	long long value;  /* CELL_INT; öre for CELL_KRONOR */
} cell;

/* The columns: header and how a line, an exclusion or a total fills it. */
enum {
	COL_MUNICIPALITY, COL_MONTH, COL_INVOICE, COL_TYPE, COL_EPISODE, COL_PNR, COL_NAME, COL_WARD, COL_CARE,
	COL_READY, COL_DISCHARGED, COL_LIABLE_FROM, COL_NIGHTS, COL_AMOUNT_KR, COL_AMOUNT_ORE, COL_REASON,
	COL_UNBILLED_NIGHTS, COL_UNBILLED_ORE, COL_AGREEMENT, COL_COUNT
};

static const struct {
	const char *header;  /* Swedish, as the municipality's and region's staff read it */
	double width;        /* XLSX column width */
} export_columns[COL_COUNT] = {
	[COL_MUNICIPALITY] = {"kommun", 8},        [COL_MONTH] = {"månad", 9},
	[COL_INVOICE] = {"faktura", 8},            [COL_TYPE] = {"typ", 10},
	[COL_EPISODE] = {"vårdtillfälle", 12},     [COL_PNR] = {"personnummer", 15},
	[COL_NAME] = {"namn", 24},                 [COL_WARD] = {"avdelning", 20},
	[COL_CARE] = {"vårdform", 11},             [COL_READY] = {"utskrivningsklar", 15},
	[COL_DISCHARGED] = {"utskriven", 12},      [COL_LIABLE_FROM] = {"betalningsansvar från", 18},
	[COL_NIGHTS] = {"vårddygn", 9},            [COL_AMOUNT_KR] = {"belopp kr", 13},
	[COL_AMOUNT_ORE] = {"belopp öre", 12},     [COL_REASON] = {"orsak", 40},
	[COL_UNBILLED_NIGHTS] = {"ej fakturerade dygn", 12}, [COL_UNBILLED_ORE] = {"ej fakturerat öre", 14},
	[COL_AGREEMENT] = {"överenskommelse", 18},
};

static const char *care_sv(const char *code)
{
	static const struct {
		const char *code, *sv;
	} t[] = {{"somatic", "somatik"}, {"geriatric", "geriatrik"}, {"psychiatric", "psykiatri"}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(code, t[i].code) == 0)
			return t[i].sv;
	return code;
}

/* ---- the decision and the trail, in Swedish with local times (issue 18.6) ---- */

/* "2024-06-03 10:15" (Europe/Stockholm) from an API instant "2024-06-03T08:15:00Z"; "" when there is none. */
static const char *local_time(const char *iso, char buf[static 20])
{
	hg_instant t;
	buf[0] = '\0';
	if (iso && *iso && instant_parse_iso(iso, &t) == HG_OK) {
		cal_local l = cal_local_from_instant(t);
		char d[11];
		if (l.date != HG_DATE_NONE)
			(void)snprintf(buf, 20, "%s %02d:%02d", date_format(l.date, d), l.hour, l.minute);
	}
	return buf;
}

/* The Swedish word of an invoice state, step or outcome code (the core's labels); the code itself if unknown. */
static const char *state_sv(const char *code)
{
	invoice_state x;
	return invoice_state_from_code(code, &x) ? invoice_state_label(x)->sv : code;
}

static const char *action_sv(const char *code)
{
	invoice_action x;
	if (strcmp(code, "build") == 0)
		return "byggt"; /* the first step: not a transition of the workflow */
	return invoice_action_from_code(code, &x) ? invoice_action_label(x)->sv : code;
}

static const char *outcome_sv(const char *code)
{
	invoice_outcome x;
	return invoice_outcome_from_code(code, &x) ? invoice_outcome_label(x)->sv : code;
}

/* True when a decision stands on the invoice: an outcome, or an amount owed other than the basis's total. */
static bool has_decision(const json_t *inv)
{
	const json_t *owed = json_object_get(inv, "owed_ore");
	return json_is_string(json_object_get(inv, "outcome")) ||
	       (json_is_integer(owed) && json_integer_value(owed) != json_integer_value(json_object_get(inv, "total_ore")));
}

/* The reason of the invoice's latest decide step, or "". */
static const char *decision_reason(const json_t *inv)
{
	const char *reason = "";
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(inv, "steps"), i, st) {
		if (strcmp(jstr(st, "action"), "decide") == 0)
			reason = jstr(st, "reason");
	}
	return reason;
}

/* "avgjord: justerad. Ett dygn avräknas" - the decision in words (buf of cap bytes). */
static const char *decision_words(const json_t *inv, char *buf, size_t cap)
{
	const char *outcome = jstr(inv, "outcome"), *reason = decision_reason(inv);
	(void)snprintf(buf, cap, "%s%s%s%s%s", state_sv(jstr(inv, "state")), *outcome ? ": " : "",
		       *outcome ? outcome_sv(outcome) : "", *reason ? ". " : "", reason);
	return buf;
}

/* "2024-06-03 10:15 skicka av faktura-region (R20): reason" - one step of the trail in words. */
static const char *step_words(const json_t *st, char *buf, size_t cap)
{
	char at[20];
	const char *outcome = jstr(st, "outcome"), *reason = jstr(st, "reason");
	(void)snprintf(buf, cap, "%s %s%s%s av %s (%s) -> %s%s%s", local_time(jstr(st, "at"), at),
		       action_sv(jstr(st, "action")), *outcome ? ": " : "", *outcome ? outcome_sv(outcome) : "",
		       jstr(st, "username"), jstr(st, "org"), state_sv(jstr(st, "state")), *reason ? ". " : "", reason);
	return buf;
}

typedef enum row_kind { ROW_LINE, ROW_EXCLUSION, ROW_TOTAL, ROW_DECISION, ROW_STEP } row_kind;

/* Fills row[] for an invoice inv and, unless a total, its line or exclusion l. */
static void fill_row(const json_t *inv, const json_t *l, row_kind kind, cell row[COL_COUNT], char *words, size_t cap)
{
	static const char *const types[] = {[ROW_LINE] = "rad", [ROW_EXCLUSION] = "undantag", [ROW_TOTAL] = "summa",
					    [ROW_DECISION] = "beslut", [ROW_STEP] = "händelse"};
	for (int c = 0; c < COL_COUNT; c++)
		row[c] = (cell){CELL_TEXT, "", 0};
	row[COL_MUNICIPALITY].text = jstr(inv, "municipality");
	row[COL_MONTH].text = jstr(inv, "month");
	row[COL_INVOICE] = json_is_integer(json_object_get(inv, "id")) ? (cell){CELL_INT, NULL, jint(inv, "id")}
								       : (cell){CELL_TEXT, "", 0};
	row[COL_TYPE].text = types[kind];
	if (kind == ROW_TOTAL) {
		row[COL_AMOUNT_KR] = (cell){CELL_KRONOR, NULL, jint(inv, "total_ore")};
		row[COL_AMOUNT_ORE] = (cell){CELL_INT, NULL, jint(inv, "total_ore")};
		row[COL_AGREEMENT].text = jstr(inv, "agreement");
		return;
	}
	if (kind == ROW_DECISION) { /* what is owed after the decision, and why */
		row[COL_AMOUNT_KR] = (cell){CELL_KRONOR, NULL, jint(inv, "owed_ore")};
		row[COL_AMOUNT_ORE] = (cell){CELL_INT, NULL, jint(inv, "owed_ore")};
		row[COL_REASON].text = decision_words(inv, words, cap);
		row[COL_AGREEMENT].text = jstr(inv, "agreement");
		return;
	}
	if (kind == ROW_STEP) {
		row[COL_REASON].text = step_words(l, words, cap);
		return;
	}
	row[COL_EPISODE] = (cell){CELL_INT, NULL, jint(l, "episode")};
	row[COL_PNR].text = jstr(l, "personnummer");
	row[COL_NAME].text = jstr(l, "patient_name");
	row[COL_WARD].text = *jstr(l, "ward_name") ? jstr(l, "ward_name") : jstr(l, "ward");
	row[COL_CARE].text = care_sv(jstr(l, "care"));
	row[COL_READY].text = jstr(l, "ready_date");
	row[COL_DISCHARGED].text = json_is_string(json_object_get(l, "discharge_date")) ? jstr(l, "discharge_date")
											: "inneliggande";
	row[COL_LIABLE_FROM].text = jstr(l, "grace_end");
	row[COL_AGREEMENT].text = jstr(l, "agreement");
	if (kind == ROW_LINE) {
		row[COL_NIGHTS] = (cell){CELL_INT, NULL, jint(l, "nights")};
		row[COL_AMOUNT_KR] = (cell){CELL_KRONOR, NULL, jint(l, "amount_ore")};
		row[COL_AMOUNT_ORE] = (cell){CELL_INT, NULL, jint(l, "amount_ore")};
	} else {
		row[COL_REASON].text = jstr(l, "reason_sv");
		row[COL_UNBILLED_NIGHTS] = (cell){CELL_INT, NULL, jint(l, "unbilled_nights")};
		row[COL_UNBILLED_ORE] = (cell){CELL_INT, NULL, jint(l, "unbilled_ore")};
	}
}

/* Calls emit for every row of every invoice: lines, exclusions, the total, then the decision (when one
 * stands: the amount owed) and the trail of steps, oldest first. */
static bool each_row(const json_t *invoices, bool (*emit)(void *ctx, const json_t *inv, const cell *row, row_kind k),
		     void *ctx)
{
	size_t i, j;
	json_t *inv, *l;
	cell row[COL_COUNT];
	char words[INVOICE_REASON_MAX + 256];
	json_array_foreach(invoices, i, inv) {
		json_array_foreach(json_object_get(inv, "lines"), j, l) {
			fill_row(inv, l, ROW_LINE, row, words, sizeof words);
			if (!emit(ctx, inv, row, ROW_LINE))
				return false;
		}
		json_array_foreach(json_object_get(inv, "exclusions"), j, l) {
			fill_row(inv, l, ROW_EXCLUSION, row, words, sizeof words);
			if (!emit(ctx, inv, row, ROW_EXCLUSION))
				return false;
		}
		fill_row(inv, NULL, ROW_TOTAL, row, words, sizeof words);
		if (!emit(ctx, inv, row, ROW_TOTAL))
			return false;
		if (has_decision(inv)) {
			fill_row(inv, NULL, ROW_DECISION, row, words, sizeof words);
			if (!emit(ctx, inv, row, ROW_DECISION))
				return false;
		}
		json_array_foreach(json_object_get(inv, "steps"), j, l) {
			fill_row(inv, l, ROW_STEP, row, words, sizeof words);
			if (!emit(ctx, inv, row, ROW_STEP))
				return false;
		}
	}
	return true;
}

/* Kronor with two decimals from öre: "4000,00" (decimal comma) or "4000.00". */
static void format_kronor(long long ore, char decimal, char *buf, size_t cap)
{
	const char *sign = ore < 0 ? "-" : "";
	unsigned long long a = ore < 0 ? 0ULL - (unsigned long long)ore : (unsigned long long)ore;
	(void)snprintf(buf, cap, "%s%llu%c%02llu", sign, a / 100, decimal, a % 100);
}

/* ---- CSV ---- */

/* One row through the CSV writer (wire.h): texts quoted as its rule says, with the formula guard. */
static bool csv_row(void *ctx, const json_t *inv, const cell *row, row_kind k)
{
	wire_csv *w = ctx;
	char num[32];
	(void)inv;
	(void)k;
	for (int i = 0; i < COL_COUNT; i++) {
		switch (row[i].kind) {
		case CELL_TEXT: wire_csv_field(w, row[i].text); break;
		case CELL_INT:
			(void)snprintf(num, sizeof num, "%lld", row[i].value);
			wire_csv_raw(w, num, strlen(num));
			break;
		case CELL_KRONOR:
			format_kronor(row[i].value, w->sep == ';' ? ',' : '.', num, sizeof num);
			wire_csv_raw(w, num, strlen(num));
			break;
		}
	}
	wire_csv_end_row(w);
	return !w->out->failed;
}

static hg_status export_csv(const json_t *invoices, const wire_invoice_options *o, hg_buf *b)
{
	wire_csv w;
	wire_csv_init(&w, b, o && o->comma ? ',' : ';', WIRE_CSV_FORMULA_GUARD);
	(void)hg_buf_add_str(b, "\xEF\xBB\xBF"); /* the BOM tells Excel the file is UTF-8 */
	for (int i = 0; i < COL_COUNT; i++)
		wire_csv_field(&w, export_columns[i].header);
	wire_csv_end_row(&w);
	if (!each_row(invoices, csv_row, &w) || b->failed)
		return b->failed ? hg_buf_status(b) : HG_ENOMEM;
	return HG_OK;
}

/* ---- XLSX ---- */

#ifdef HG_HAVE_XLSXWRITER
typedef struct xlsx_ctx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *money;
	lxw_row_t row;
	lxw_error err;
} xlsx_ctx;

/* A new sheet for invoice inv: its heading and the column headers. */
static bool xlsx_sheet(xlsx_ctx *c, const json_t *inv, size_t index)
{
	char name[64], title[256];
	(void)snprintf(name, sizeof name, "%zu %.4s %.7s", index + 1, jstr(inv, "municipality"), jstr(inv, "month"));
	name[31] = '\0'; /* Excel's limit on a sheet name */
	c->ws = workbook_add_worksheet(c->wb, name);
	if (!c->ws)
		return false;
	(void)snprintf(title, sizeof title, "Fakturaunderlag betalningsansvar %s, %s %s", jstr(inv, "month"),
		       jstr(inv, "municipality_name"), jstr(inv, "municipality"));
	worksheet_write_string(c->ws, 0, 0, title, c->bold);
	char at[20];
	(void)snprintf(title, sizeof title, "Överenskommelse %s version %lld; brytpunkt %s; status %s",
		       jstr(inv, "agreement"), jint(inv, "agreement_version"), local_time(jstr(inv, "cutoff"), at),
		       state_sv(jstr(inv, "state")));
	worksheet_write_string(c->ws, 1, 0, title, NULL);
	if (has_decision(inv)) {
		char kr[32], words[INVOICE_REASON_MAX + 64];
		format_kronor(jint(inv, "owed_ore"), ',', kr, sizeof kr);
		(void)snprintf(title, sizeof title, "Att betala efter beslut: %s kr (%s)", kr,
			       decision_words(inv, words, sizeof words));
		worksheet_write_string(c->ws, 2, 0, title, c->bold);
	}
	for (int i = 0; i < COL_COUNT; i++) {
		worksheet_write_string(c->ws, 3, (lxw_col_t)i, export_columns[i].header, c->bold);
		worksheet_set_column(c->ws, (lxw_col_t)i, (lxw_col_t)i, export_columns[i].width, NULL);
	}
	c->row = 4;
	return true;
}

static bool xlsx_row(void *ctx, const json_t *inv, const cell *row, row_kind k)
{
	xlsx_ctx *c = ctx;
	(void)inv;
	for (int i = 0; i < COL_COUNT; i++) {
		lxw_format *f = k == ROW_TOTAL || k == ROW_DECISION ? c->bold : NULL;
		switch (row[i].kind) {
		case CELL_TEXT:
			if (row[i].text[0])
				worksheet_write_string(c->ws, c->row, (lxw_col_t)i, row[i].text, f);
			break;
		case CELL_INT: worksheet_write_number(c->ws, c->row, (lxw_col_t)i, (double)row[i].value, f); break;
		case CELL_KRONOR:
			/* öre are exact integers; a double holds them exactly far beyond any invoice */
			worksheet_write_number(c->ws, c->row, (lxw_col_t)i, (double)row[i].value / 100.0, c->money);
			break;
		}
	}
	c->row++;
	return true;
}

static hg_status export_xlsx(const json_t *invoices, hg_buf *b, char *err, size_t errlen)
{
	char path[] = "/tmp/hemgang-xlsx-XXXXXX";
	int fd = mkstemp(path);
	hg_status rc = HG_OK;
	if (fd < 0) {
		(void)snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
		return HG_EIO;
	}
	close(fd);
	xlsx_ctx c = {.wb = workbook_new(path)};
	if (!c.wb) {
		unlink(path);
		(void)snprintf(err, errlen, "cannot create the workbook");
		return HG_ENOMEM;
	}
	c.bold = workbook_add_format(c.wb);
	format_set_bold(c.bold);
	c.money = workbook_add_format(c.wb);
	format_set_num_format(c.money, "# ##0.00");
	size_t i;
	json_t *inv;
	/* One sheet per invoice, even one without lines: its total (0) and exclusions show. */
	json_array_foreach(invoices, i, inv) {
		json_t *one = json_array();
		bool ok = one && json_array_append(one, inv) == 0 && xlsx_sheet(&c, inv, i);
		if (ok)
			ok = each_row(one, xlsx_row, &c);
		json_decref(one);
		if (!ok) {
			rc = HG_ENOMEM;
			break;
		}
	}
	if (workbook_close(c.wb) != LXW_NO_ERROR && rc == HG_OK)
		rc = HG_EIO;
	if (rc == HG_OK) {
		FILE *f = fopen(path, "rb");
		char chunk[8192];
		size_t n;
		if (!f)
			rc = HG_EIO;
		while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
			hg_buf_add(b, chunk, n);
		if (f)
			fclose(f);
		if (b->failed)
			rc = HG_ENOMEM;
	}
	unlink(path);
	if (rc)
		(void)snprintf(err, errlen, "cannot write the workbook: %s", hg_status_name(rc));
	return rc;
}
#endif

/* ---- PDF ---- */

#ifdef HG_HAVE_LIBHARU

typedef struct pdf_ctx {
	HPDF_Doc pdf;
	HPDF_Page page;
	HPDF_Font font, bold;
	float y;
	bool error;
} pdf_ctx;

static void pdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	(void)error_no;
	(void)detail_no;
	((pdf_ctx *)user_data)->error = true;
}

#define PDF_MARGIN 40.0f
#define PDF_LINE 12.0f

static void pdf_text(pdf_ctx *c, float x, float size, bool bold, const char *utf8)
{
	char text[512];
	wire_winansi(utf8, text, sizeof text);
	HPDF_Page_BeginText(c->page);
	HPDF_Page_SetFontAndSize(c->page, bold ? c->bold : c->font, size);
	HPDF_Page_TextOut(c->page, x, c->y, text);
	HPDF_Page_EndText(c->page);
}

static void pdf_new_page(pdf_ctx *c)
{
	c->page = HPDF_AddPage(c->pdf);
	HPDF_Page_SetSize(c->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
	c->y = HPDF_Page_GetHeight(c->page) - PDF_MARGIN;
}

/* Moves down one line, starting a new page at the bottom. */
static void pdf_next(pdf_ctx *c, float lines)
{
	c->y -= PDF_LINE * lines;
	if (c->y < PDF_MARGIN)
		pdf_new_page(c);
}

/* The table columns of the PDF: a subset of export_columns, with x positions. */
static const struct {
	int col;
	const char *header; /* shorter than the spreadsheet's */
	float x;
	size_t max; /* characters shown */
} pdf_columns[] = {
	{COL_EPISODE, "vtf", 40, 8},           {COL_PNR, "personnummer", 80, 14}, {COL_NAME, "namn", 158, 28},
	{COL_WARD, "avdelning", 300, 30},      {COL_READY, "klar", 455, 10},      {COL_DISCHARGED, "utskriven", 510, 12},
	{COL_LIABLE_FROM, "ansvar från", 572, 10}, {COL_NIGHTS, "dygn", 632, 5}, {COL_AMOUNT_KR, "belopp kr", 665, 14},
};

static void pdf_cells(pdf_ctx *c, const cell *row, bool bold)
{
	char text[64], num[32];
	for (size_t i = 0; i < sizeof pdf_columns / sizeof pdf_columns[0]; i++) {
		const cell *ce = &row[pdf_columns[i].col];
		const char *s = ce->text;
		if (ce->kind == CELL_INT) {
			(void)snprintf(num, sizeof num, "%lld", ce->value);
			s = num;
		} else if (ce->kind == CELL_KRONOR) {
			format_kronor(ce->value, ',', num, sizeof num);
			s = num;
		}
		(void)snprintf(text, sizeof text, "%.*s", (int)pdf_columns[i].max, s);
		pdf_text(c, pdf_columns[i].x, 8, bold, text);
	}
}

static void pdf_invoice(pdf_ctx *c, const json_t *inv)
{
	char line[512], words[INVOICE_REASON_MAX + 256];
	cell row[COL_COUNT];
	size_t j;
	json_t *l;
	pdf_new_page(c);
	(void)snprintf(line, sizeof line, "Fakturaunderlag betalningsansvar %s", jstr(inv, "month"));
	pdf_text(c, PDF_MARGIN, 14, true, line);
	pdf_next(c, 1.6f);
	(void)snprintf(line, sizeof line, "Kommun: %s (%s)", jstr(inv, "municipality_name"), jstr(inv, "municipality"));
	pdf_text(c, PDF_MARGIN, 10, false, line);
	pdf_next(c, 1);
	char at[20];
	(void)snprintf(line, sizeof line, "Överenskommelse: %s version %lld. Brytpunkt: %s. Status: %s. Faktura: %lld",
		       jstr(inv, "agreement"), jint(inv, "agreement_version"), local_time(jstr(inv, "cutoff"), at),
		       state_sv(jstr(inv, "state")), jint(inv, "id"));
	pdf_text(c, PDF_MARGIN, 10, false, line);
	pdf_next(c, 2);
	for (size_t i = 0; i < sizeof pdf_columns / sizeof pdf_columns[0]; i++)
		pdf_text(c, pdf_columns[i].x, 8, true, pdf_columns[i].header);
	pdf_next(c, 1.2f);
	json_array_foreach(json_object_get(inv, "lines"), j, l) {
		fill_row(inv, l, ROW_LINE, row, words, sizeof words);
		pdf_cells(c, row, false);
		pdf_next(c, 1);
	}
	fill_row(inv, NULL, ROW_TOTAL, row, words, sizeof words);
	row[COL_NAME].text = "Summa";
	pdf_cells(c, row, true);
	pdf_next(c, 2);
	if (has_decision(inv)) { /* what is owed now, before anything else on paper */
		char kr[32];
		format_kronor(jint(inv, "owed_ore"), ',', kr, sizeof kr);
		(void)snprintf(line, sizeof line, "Att betala efter beslut: %s kr (%s)", kr,
			       decision_words(inv, words, sizeof words));
		pdf_text(c, PDF_MARGIN, 10, true, line);
		pdf_next(c, 2);
	}
	if (json_array_size(json_object_get(inv, "exclusions")) > 0) {
		pdf_text(c, PDF_MARGIN, 10, true, "Faktureras inte (villkor för betalningsansvar ej uppfyllda):");
		pdf_next(c, 1.4f);
		json_array_foreach(json_object_get(inv, "exclusions"), j, l) {
			(void)snprintf(line, sizeof line, "%lld  %s  %s  %s: %s (%lld dygn, %lld öre)", jint(l, "episode"),
				       jstr(l, "personnummer"), jstr(l, "patient_name"),
				       *jstr(l, "ward_name") ? jstr(l, "ward_name") : jstr(l, "ward"),
				       jstr(l, "reason_sv"), jint(l, "unbilled_nights"), jint(l, "unbilled_ore"));
			pdf_text(c, PDF_MARGIN, 8, false, line);
			pdf_next(c, 1);
		}
	}
	if (json_array_size(json_object_get(inv, "steps")) > 0) {
		pdf_next(c, 1);
		pdf_text(c, PDF_MARGIN, 10, true, "Historik:");
		pdf_next(c, 1.4f);
		json_array_foreach(json_object_get(inv, "steps"), j, l) {
			pdf_text(c, PDF_MARGIN, 8, false, step_words(l, words, sizeof words));
			pdf_next(c, 1);
		}
	}
}

static hg_status export_pdf(const json_t *invoices, hg_buf *b, char *err, size_t errlen)
{
	pdf_ctx c = {0};
	size_t i;
	json_t *inv;
	c.pdf = HPDF_New(pdf_error, &c);
	if (!c.pdf) {
		(void)snprintf(err, errlen, "cannot create the PDF document");
		return HG_ENOMEM;
	}
	HPDF_SetCompressionMode(c.pdf, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(c.pdf, HPDF_INFO_CREATOR, "hemgang");
	c.font = HPDF_GetFont(c.pdf, "Helvetica", "WinAnsiEncoding");
	c.bold = HPDF_GetFont(c.pdf, "Helvetica-Bold", "WinAnsiEncoding");
	json_array_foreach(invoices, i, inv) {
		if (c.error)
			break;
		pdf_invoice(&c, inv);
	}
	if (json_array_size(invoices) == 0) {
		pdf_new_page(&c);
		pdf_text(&c, PDF_MARGIN, 12, false, "Inga fakturaunderlag.");
	}
	if (!c.error && HPDF_SaveToStream(c.pdf) == HPDF_OK) {
		HPDF_UINT32 size = HPDF_GetStreamSize(c.pdf);
		char *data = size <= WIRE_INVOICE_MAX ? hg_malloc(size + 1) : NULL;
		HPDF_UINT32 got = size;
		HPDF_STATUS st = data ? HPDF_ReadFromStream(c.pdf, (HPDF_BYTE *)data, &got) : HPDF_OK;
		/* reading the whole stream may end in HPDF_STREAM_EOF, which is no failure */
		if (data && (st == HPDF_OK || st == HPDF_STREAM_EOF) && got == size)
			c.error = false;
		else
			c.error = true;
		if (data && !c.error)
			hg_buf_add(b, data, got);
		else
			c.error = true;
		hg_free(data);
	} else {
		c.error = true;
	}
	HPDF_Free(c.pdf);
	if (c.error || b->failed) {
		(void)snprintf(err, errlen, "cannot write the PDF document");
		return HG_ENOMEM;
	}
	return HG_OK;
}
#endif

hg_status wire_invoice_export(const json_t *invoices, wire_invoice_format f, const wire_invoice_options *o, char **data,
			 size_t *len, char *err, size_t errlen)
{
	hg_buf b;
	hg_status rc;
	hg_buf_init(&b, WIRE_INVOICE_MAX);
	switch (f) {
	case WIRE_INVOICE_FORMAT_CSV:
		rc = export_csv(invoices, o, &b);
		if (rc)
			(void)snprintf(err, errlen, "cannot write the CSV: %s", hg_status_name(rc));
		break;
	case WIRE_INVOICE_FORMAT_XLSX:
#ifdef HG_HAVE_XLSXWRITER
		rc = export_xlsx(invoices, &b, err, errlen);
#else
		(void)snprintf(err, errlen, "this hemgang was built without Excel support (libxlsxwriter)");
		rc = HG_EINVAL;
#endif
		break;
	case WIRE_INVOICE_FORMAT_PDF:
#ifdef HG_HAVE_LIBHARU
		rc = export_pdf(invoices, &b, err, errlen);
#else
		(void)snprintf(err, errlen, "this hemgang was built without PDF support (libharu)");
		rc = HG_EINVAL;
#endif
		break;
	default:
		(void)snprintf(err, errlen, "no export for format %d", (int)f);
		rc = HG_EINVAL;
	}
	if (rc) {
		hg_buf_free(&b);
		return rc;
	}
	*data = hg_buf_take(&b, len);
	return *data ? HG_OK : HG_ENOMEM;
}
