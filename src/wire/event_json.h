/*
 * event_json.h - the JSON form of events (Jansson), both for the store's
 * canonical text and for what API clients send.
 *
 * An event is a flat JSON object: the header members (id, seq, type,
 * occurred_at, recorded_at, author, corrects_seq, note) and the payload
 * members of its type side by side. One table of field descriptors per event
 * type drives both directions, so adding a field to an event means adding a
 * row there. docs/api-events.md lists every member of every type with an
 * example.
 */
#ifndef HG_WIRE_EVENT_JSON_H
#define HG_WIRE_EVENT_JSON_H

#include <jansson.h>

#include "core/episode.h"
#include "core/event.h"
#include "core/status.h"

/* Ceiling on the canonical text of one event (event_from_text rejects longer input). */
#define EVENT_JSON_TEXT_MAX (64 * 1024)

typedef enum event_json_mode {
	EVENT_JSON_STORED, /* every member: id, seq, recorded_at, author{unit,kind,org,user} ... (the store's canonical form) */
	EVENT_JSON_INPUT   /* what an API client may send: no id, seq, recorded_at, author (the server sets them) */
} event_json_mode;

/*
 * Renders ev as a new JSON object (caller owns the reference, json_decref).
 * NULL only when out of memory (or when a text field is not UTF-8, which no
 * adapter stores). Every member of ev's type is present, in STORED form;
 * empty text is "", a NONE date or instant is null, corrects_seq 0 is none.
 */
json_t *event_to_json(const event *ev);

/*
 * Parses obj into *ev (event_init'ed first; on failure *ev holds what was read
 * so far and must not be used). "type" is required. A member that is absent
 * and one that is null are the same: a required member is EVR_REQUIRED, an
 * optional one keeps event_init's value ("", 0, false, NONE). Unknown members
 * and wrong JSON types are EVR_BAD_CODE; malformed values get their reason
 * (EVR_BAD_DATE, EVR_BAD_INSTANT, EVR_BAD_PERSONNUMMER, EVR_BAD_SEQ for an
 * integer out of range, ...); text longer than its buffer is EVR_NOT_TERMINATED
 * (code "too_long"; the consent scope EVR_BAD_CODE_TEXT, a municipality code
 * EVR_BAD_MUNICIPALITY): nothing is truncated. err->field is the JSON path of
 * the member ("recipients[1].unit", "patient.personnummer"). Instants are ISO
 * 8601 with Z or an offset, or "YYYY-MM-DDTHH:MM[:SS]" local Europe/Stockholm
 * time; a personnummer in any written form is normalised (reference date: the
 * local date of occurred_at). In INPUT mode id, seq, recorded_at and author
 * are unknown members and a party (recipients[i], to) gives only "unit".
 * Returns HG_OK, or HG_EINVAL with *err filled. Does not call
 * event_validate_fields (the caller does).
 */
hg_status event_from_json(const json_t *obj, event_json_mode mode, event *ev, event_error *err) HG_MUST_CHECK;

/*
 * The store's canonical text: compact JSON with sorted keys, so equal events
 * give equal text. Returns a string allocated with hg_malloc (caller frees
 * with hg_free), or NULL when out of memory.
 */
char *event_to_text(const event *ev);
/*
 * Parses canonical text (STORED mode) of at most EVENT_JSON_TEXT_MAX bytes.
 * Malformed JSON or a duplicate member is EVR_BAD_CODE with field "", longer
 * text EVR_NOT_TERMINATED; HG_ENOMEM (err not filled) when Jansson runs out of memory.
 */
hg_status event_from_text(const char *text, event *ev, event_error *err) HG_MUST_CHECK;

#endif
