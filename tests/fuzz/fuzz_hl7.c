/*
 * fuzz_hl7.c - libFuzzer target for the HL7 v2 parser and the ADT reader
 * (hl7/hl7.h, hl7/adt.h). Arbitrary bytes (at most 64 KiB here) must never
 * crash them, and what they accept must hold together: every segment lies
 * inside the text, every value read fits its buffer and is NUL-terminated, a
 * value escaped with the message's own delimiters unescapes to itself, an
 * ADT message that reads has a trigger and a control id, and the ACK of any
 * header (even a rejected one) parses back with MSA-2 equal to MSH-10.
 * Seeds: tests/fuzz/corpus/hl7 (the ADT corpus of tests/hl7/corpus).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/date.h"
#include "hl7/adt.h"
#include "hl7/hl7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX (64 * 1024)

#define check(ok) check_at((ok), __LINE__)

static void check_at(bool ok, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_hl7: invariant at line %d broken\n", line);
		abort();
	}
}

static void walk(const hl7_message *m)
{
	char buf[512], esc[1024], back[512];
	for (int s = 0; s < m->count && s < 16; s++) {
		check(m->seg[s].start + m->seg[s].len <= m->len);
		int nf = hl7_field_count(m, s);
		for (int f = 1; f <= nf && f <= 40; f++) {
			int reps = hl7_repetitions(m, s, f);
			for (int r = 0; r <= reps && r <= 3; r++)
				for (int c = 0; c <= 4; c++) {
					hg_status rc = hl7_get(m, s, f, r, c, c ? 1 : 0, buf, sizeof buf);
					check(rc == HG_OK || rc == HG_ERANGE || rc == HG_EINVAL);
					check(strlen(buf) < sizeof buf);
					if (rc != HG_OK || (strcmp(m->seg[s].id, "MSH") == 0 && f <= 2))
						continue;
					if (m->d.escape && hl7_escape(buf, &m->d, esc, sizeof esc) == HG_OK) {
						hl7_slice sl = {esc, strlen(esc)};
						check(hl7_unescape(sl, &m->d, back, sizeof back) == HG_OK);
						check(strcmp(back, buf) == 0);
					}
				}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX)
		return 0;
	hl7_message *m = hg_malloc(sizeof *m);
	adt_message *am = hg_malloc(sizeof *am);
	char *ack = hg_malloc(ADT_ACK_MAX);
	hl7_message *back = hg_malloc(sizeof *back);
	hl7_parse_reason why;
	adt_error err;
	if (!m || !am || !ack || !back)
		goto out;
	hg_status rc = hl7_parse((const char *)data, size, m, &why);
	check((rc == HG_OK) == (why == HL7_PARSE_OK));
	if (rc != HG_OK) {
		check(m->count == 0);
		goto out;
	}
	walk(m);
	rc = adt_read(m, true, date_from_ymd(2024, 6, 30), am, &err);
	if (rc == HG_OK)
		check(am->h.control_id[0] && am->h.trigger_code[0]);
	else
		check(err.code != NULL && strlen(err.text) < sizeof err.text);
	size_t len = 0;
	adt_ack_code code = rc == HG_OK ? ADT_ACK_ACCEPT : err.reject ? ADT_ACK_REJECT : ADT_ACK_ERROR;
	check(adt_ack(&am->h, code, rc == HG_OK ? NULL : &err, 1714723200, ack, ADT_ACK_MAX, &len) == HG_OK);
	check(hl7_parse(ack, len, back, &why) == HG_OK);
	char msa2[ADT_CONTROL_ID_MAX];
	check(hl7_get(back, hl7_find(back, "MSA", 0), 2, 1, 0, 0, msa2, sizeof msa2) == HG_OK);
	check(strcmp(msa2, am->h.control_id) == 0);
out:
	hg_free(m);
	hg_free(am);
	hg_free(ack);
	hg_free(back);
	return 0;
}
