/*
 * wire_pdf.c - what the PDF writers (invoice_export.c's invoice, sip_pdf.c's
 * printable SIP) share: their text in the encoding of the PDF's standard
 * fonts. Pure: no libharu here, so that it is tested without it.
 */
#include "wire/wire.h"

void wire_winansi(const char *utf8, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)utf8;
	size_t k = 0;
	if (cap == 0)
		return;
	while (*p && k + 1 < cap) {
		unsigned cp;
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
			cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
			p += 2;
		} else {
			cp = '?';
			for (p++; (*p & 0xC0) == 0x80; p++)
				;
		}
		out[k++] = (char)(cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF) ? cp : '?');
	}
	out[k] = '\0';
}
