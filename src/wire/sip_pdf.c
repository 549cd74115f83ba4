/*
 * sip_pdf.c - the printable SIP (see sip_pdf.h). One A4 portrait page (more
 * when the actions do not fit): the patient, the meeting, the participants,
 * the actions in a table and the follow-up date. Text is UTF-8 in the state
 * and WinAnsi in the PDF's standard fonts; characters outside Latin-1 print
 * as '?'.
 */
#include "wire/sip_pdf.h"
#include "wire/wire.h"

#include <hpdf.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"

struct page {
	HPDF_Doc pdf;
	HPDF_Page page;
	HPDF_Font font, bold;
	float y;
	bool error;
};

#define MARGIN 50.0f
#define LINE   15.0f

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	(void)error_no;
	(void)detail_no;
	((struct page *)user_data)->error = true;
}

static void new_page(struct page *c)
{
	c->page = HPDF_AddPage(c->pdf);
	HPDF_Page_SetSize(c->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	c->y = HPDF_Page_GetHeight(c->page) - MARGIN;
}

static void text_at(struct page *c, float x, float size, bool bold, const char *utf8)
{
	char buf[600];
	wire_winansi(utf8, buf, sizeof buf);
	HPDF_Page_BeginText(c->page);
	HPDF_Page_SetFontAndSize(c->page, bold ? c->bold : c->font, size);
	HPDF_Page_TextOut(c->page, x, c->y, buf);
	HPDF_Page_EndText(c->page);
}

static void next_line(struct page *c, float lines)
{
	c->y -= LINE * lines;
	if (c->y < MARGIN)
		new_page(c);
}

/* A label and its value on one line. */
static void row(struct page *c, const char *label, const char *value)
{
	text_at(c, MARGIN, 10, true, label);
	text_at(c, MARGIN + 150, 10, false, value);
	next_line(c, 1);
}

static void instant_text(hg_instant t, char *out, size_t size)
{
	char d[11];
	if (t == HG_INSTANT_NONE) {
		(void)snprintf(out, size, "-");
		return;
	}
	hg_date day = cal_local_date(t);
	int minutes = (int)((t - cal_local_midnight(day)) / 60);
	(void)snprintf(out, size, "%s %02d:%02d", date_format(day, d), minutes / 60, minutes % 60);
}

static void render(struct page *c, const episode_state *st, const char *(*names)(void *, const char *), void *ctx)
{
	char buf[512], d[11];
	new_page(c);
	text_at(c, MARGIN, 18, true, "Samordnad individuell plan (SIP)");
	next_line(c, 1.6f);
	text_at(c, MARGIN, 9, false,
	        "Samverkan vid utskrivning (SFS 2017:612). Plan för patienten och de berörda parterna.");
	next_line(c, 2);
	row(c, "Patient", st->patient.name);
	row(c, "Personnummer", st->patient.personnummer);
	row(c, "Sjukhus, avdelning", names(ctx, st->ward));
	instant_text(st->sip_held_at, buf, sizeof buf);
	row(c, "SIP-möte", buf);
	row(c, "Plats", sip_place_label(st->sip_held_place)->sv);
	if (st->sip_called_by[0])
		row(c, "Kallad av", names(ctx, st->sip_called_by));
	if (st->care_contact_at != HG_INSTANT_NONE) {
		(void)snprintf(buf, sizeof buf, "%s%s%s %s", st->care_contact_name,
		               st->care_contact_title[0] ? ", " : "", st->care_contact_title, st->care_contact_phone);
		row(c, "Fast vårdkontakt", buf);
	}
	row(c, "Uppföljning", st->sip_follow_up_date == HG_DATE_NONE ? "-" : date_format(st->sip_follow_up_date, d));
	next_line(c, 1);
	text_at(c, MARGIN, 12, true, "Deltagare");
	next_line(c, 1.3f);
	for (int p = 0; p < SIP_PARTY_COUNT; p++) {
		if (!(st->sip_participants & EVENT_SIP_PARTY_BIT(p)))
			continue;
		(void)snprintf(buf, sizeof buf, "- %s", sip_party_label((sip_party)p)->sv);
		text_at(c, MARGIN + 10, 10, false, buf);
		next_line(c, 1);
	}
	next_line(c, 1);
	text_at(c, MARGIN, 12, true, "Vem gör vad");
	next_line(c, 1.3f);
	if (st->sip_actions.count == 0) {
		text_at(c, MARGIN + 10, 10, false, "Inga insatser registrerade.");
		next_line(c, 1);
	} else {
		text_at(c, MARGIN + 10, 10, true, "Insats");
		text_at(c, MARGIN + 300, 10, true, "Ansvarig");
		text_at(c, MARGIN + 430, 10, true, "Klart senast");
		next_line(c, 1.2f);
	}
	for (int i = 0; i < st->sip_actions.count && i < EVENT_SIP_ACTIONS_MAX; i++) {
		const event_sip_action *a = &st->sip_actions.items[i];
		char what[61];
		(void)snprintf(what, sizeof what, "%s", a->what); /* the table column holds about 60 characters */
		text_at(c, MARGIN + 10, 10, false, what);
		text_at(c, MARGIN + 300, 10, false, sip_party_label(a->responsible)->sv);
		text_at(c, MARGIN + 430, 10, false, date_format(a->due, d));
		next_line(c, 1);
	}
	next_line(c, 2);
	text_at(c, MARGIN, 9, false, "Utskriven från hemgang. Planen följs upp på uppföljningsdagen ovan.");
}

hg_status sip_pdf_render(const episode_state *st, const char *(*names)(void *ctx, const char *unit), void *ctx,
                         char **out, size_t *len)
{
	struct page c = {0};
	hg_status rc = HG_OK;
	*out = NULL;
	*len = 0;
	if (st->sip_held_at == HG_INSTANT_NONE)
		return HG_ENOTFOUND;
	c.pdf = HPDF_New(on_error, &c);
	if (!c.pdf)
		return HG_ENOMEM;
	HPDF_SetCompressionMode(c.pdf, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(c.pdf, HPDF_INFO_CREATOR, "hemgang");
	HPDF_SetInfoAttr(c.pdf, HPDF_INFO_TITLE, "SIP");
	c.font = HPDF_GetFont(c.pdf, "Helvetica", "WinAnsiEncoding");
	c.bold = HPDF_GetFont(c.pdf, "Helvetica-Bold", "WinAnsiEncoding");
	render(&c, st, names, ctx);
	if (c.error || HPDF_SaveToStream(c.pdf) != HPDF_OK) {
		rc = HG_EIO;
		goto out;
	}
	HPDF_UINT32 size = HPDF_GetStreamSize(c.pdf), got = size;
	if (size == 0 || size > SIP_PDF_MAX) {
		rc = HG_EIO;
		goto out;
	}
	*out = hg_malloc(size);
	if (!*out) {
		rc = HG_ENOMEM;
		goto out;
	}
	HPDF_STATUS s = HPDF_ReadFromStream(c.pdf, (HPDF_BYTE *)*out, &got);
	/* reading the whole stream may end in HPDF_STREAM_EOF, which is no failure */
	if ((s != HPDF_OK && s != HPDF_STREAM_EOF) || got != size) {
		hg_free(*out);
		*out = NULL;
		rc = HG_EIO;
		goto out;
	}
	*len = size;
out:
	HPDF_Free(c.pdf);
	return rc;
}
