/*
 * sip_pdf.h - the printable SIP (samordnad individuell plan) of an episode, as
 * a PDF for the patient and the parties (issue 14): who took part, who does
 * what by when, and the follow-up date. Rendered with libharu from the folded
 * episode state; the rules that made the plan live in the core.
 */
#ifndef HG_WIRE_SIP_PDF_H
#define HG_WIRE_SIP_PDF_H

#include <stddef.h>

#include "core/episode.h"
#include "core/status.h"

/* Ceiling on one SIP PDF. */
#define SIP_PDF_MAX (1024 * 1024)

/*
 * Renders the SIP of *st (its latest SIP held) into *out (hg_malloc'ed, the
 * caller frees with hg_free), *len bytes. `names` gives the display name of a
 * unit id (may return the id itself). HG_ENOTFOUND when no SIP was held,
 * HG_ENOMEM or HG_EIO when libharu fails.
 */
hg_status sip_pdf_render(const episode_state *st, const char *(*names)(void *ctx, const char *unit), void *ctx,
			 char **out, size_t *len) HG_MUST_CHECK;

#endif
