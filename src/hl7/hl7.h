/*
 * hl7.h - a pure parser for HL7 version 2 messages (2.3 - 2.5.1, ER7 "pipe and
 * hat" encoding) and the escaping that goes with it.
 *
 * Hospitals' records systems send ADT messages in this form; the MLLP listener
 * (mllp.h) hands each framed message here. The parser reads the delimiters a
 * message declares in MSH-1 and MSH-2 (so "|^~\&" is only the usual choice),
 * splits the message into segments and indexes them; nothing is copied and
 * nothing is allocated: an hl7_message borrows the caller's text, which must
 * outlive it. Values are read on demand with hl7_get(), which walks field ->
 * repetition -> component -> subcomponent and resolves the escape sequences
 * into a caller's buffer. Every size has a ceiling (HL7_MESSAGE_MAX bytes,
 * HL7_SEGMENTS_MAX segments, the caller's buffer), and malformed input gets a
 * stable reason, never a crash. No I/O, no clock, no globals.
 *
 * Numbering follows the standard: fields, repetitions, components and
 * subcomponents are 1-based; MSH-1 is the field separator itself and MSH-2 the
 * encoding characters, so MSH-3 is the first value after them.
 */
#ifndef HG_HL7_H
#define HG_HL7_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define HL7_MESSAGE_MAX (1024 * 1024) /* bytes of one message */
#define HL7_SEGMENTS_MAX 512          /* segments of one message */

/* The delimiters of a message (MSH-1, MSH-2). escape and subcomponent are '\0' when MSH-2 omits them. */
typedef struct hl7_delims {
	char field;        /* '|' */
	char component;    /* '^' */
	char repetition;   /* '~' */
	char escape;       /* '\\' */
	char subcomponent; /* '&' */
} hl7_delims;

/* The standard delimiters "|^~\&", used for what hemgang writes. */
hl7_delims hl7_delims_standard(void);

typedef struct hl7_segment {
	char id[4];     /* "MSH", "PID", "ZXY"; NUL-terminated */
	uint32_t start; /* offset of the segment in the text */
	uint32_t len;   /* bytes, without the segment terminator */
} hl7_segment;

typedef struct hl7_message {
	const char *text; /* borrowed; must outlive the message */
	size_t len;
	hl7_delims d;
	int count; /* segments */
	hl7_segment seg[HL7_SEGMENTS_MAX];
} hl7_message;

/* Why a message could not be parsed. Codes (hl7_parse_reason_code) are stable. */
typedef enum hl7_parse_reason {
	HL7_PARSE_OK = 0,
	HL7_PARSE_EMPTY,             /* nothing but segment terminators */
	HL7_PARSE_TOO_LONG,          /* beyond HL7_MESSAGE_MAX */
	HL7_PARSE_NO_MSH,            /* the first segment is not MSH */
	HL7_PARSE_BAD_DELIMITERS,    /* MSH-1/MSH-2 missing, repeated, alphanumeric or CR/LF */
	HL7_PARSE_TOO_MANY_SEGMENTS, /* beyond HL7_SEGMENTS_MAX */
	HL7_PARSE_BAD_SEGMENT_ID,    /* a segment that does not start with 3 upper-case letters/digits and a field separator */
	HL7_PARSE_NUL,               /* a NUL byte in the message */
	HL7_PARSE_REASON_COUNT
} hl7_parse_reason;

/* "empty", "too_long", "no_msh", ...; "unknown" for a value outside the table. */
const char *hl7_parse_reason_code(hl7_parse_reason r);

/*
 * Parses text[0..len) into *out (which borrows text). Segments end at CR, LF or
 * CR LF; empty lines are skipped. HG_OK, or HG_EINVAL (HG_ERANGE for the size
 * ceilings) with the reason in *why (may be NULL). On failure *out holds no segments.
 */
hg_status hl7_parse(const char *text, size_t len, hl7_message *out, hl7_parse_reason *why) HG_MUST_CHECK;

/* Index of the n-th (0-based) segment named id, or -1. */
int hl7_find(const hl7_message *m, const char *id, int n);

/* A borrowed piece of the message text. */
typedef struct hl7_slice {
	const char *p;
	size_t n;
} hl7_slice;

/* The raw text of field `field` of segment `seg` (n == 0 when absent or empty). MSH-1 and MSH-2 are the delimiters. */
hl7_slice hl7_field_raw(const hl7_message *m, int seg, int field);
/* Number of repetitions of a field: 0 when it is empty or absent. */
int hl7_repetitions(const hl7_message *m, int seg, int field);
/* Number of fields of a segment (the highest field number present). */
int hl7_field_count(const hl7_message *m, int seg);

/*
 * Reads one value, escape sequences resolved, into buf (NUL-terminated).
 * rep, comp and sub are 1-based; 0 means "all of it" (comp 0: the whole
 * repetition, sub 0: the whole component). An absent value and the HL7 null
 * `""` are both "". HG_ERANGE when the value does not fit in cap bytes (buf
 * then holds ""), HG_EINVAL when an escape would put a NUL or a control
 * character other than CR/LF/TAB into it. MSH-1 and MSH-2 are returned as sent.
 */
hg_status hl7_get(const hl7_message *m, int seg, int field, int rep, int comp, int sub, char *buf,
		  size_t cap) HG_MUST_CHECK;

/*
 * Resolves the escape sequences of raw (\F\ \S\ \T\ \R\ \E\, \Xhh..\, \.br\ as
 * a line break, \H\ \N\ and character set escapes dropped; an unknown or
 * unterminated sequence is kept as written) into buf. Errors as hl7_get.
 */
hg_status hl7_unescape(hl7_slice raw, const hl7_delims *d, char *buf, size_t cap) HG_MUST_CHECK;

/*
 * Writes s with every delimiter escaped (and CR/LF as \X0D\ \X0A\) into buf.
 * HG_ERANGE when it does not fit (buf then holds "").
 */
hg_status hl7_escape(const char *s, const hl7_delims *d, char *buf, size_t cap) HG_MUST_CHECK;

/*
 * Parses an HL7 date/time (DTM/TS: YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]).
 * The parts present are returned (absent ones are 1 for month/day, 0 for the
 * time), `precision` says how many were given, and offset_minutes is
 * INT32_MIN when no offset was given. HG_EINVAL for
 * anything else or an impossible date/time. Only digits are accepted, at most
 * 24 bytes.
 */
typedef struct hl7_ts {
	int year, month, day, hour, minute, second;
	int precision;      /* digits given before any fraction: 4, 6, 8, 10, 12 or 14 */
	int32_t offset_minutes; /* east of UTC, or INT32_MIN */
} hl7_ts;
hg_status hl7_parse_ts(const char *s, hl7_ts *out) HG_MUST_CHECK;

#endif
