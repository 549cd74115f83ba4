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
#ifndef HG_STORE_EVENT_JSON_H
#define HG_STORE_EVENT_JSON_H

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
 * NULL only when out of memory. Every member of ev's type is present; empty
 * text is "" and a NONE date or instant is null.
 */
json_t *event_to_json(const event *ev);

/*
 * Parses obj into *ev (event_init'ed first). "type" is required. Unknown
 * members and wrong JSON types are EVR_BAD_CODE; malformed values get their
 * reason (EVR_BAD_DATE, EVR_BAD_INSTANT, EVR_BAD_PERSONNUMMER, ...); text
 * longer than its buffer is EVR_NOT_TERMINATED (code-like text EVR_BAD_CODE_TEXT).
 * err->field is the JSON path of the member ("recipients[1].unit"). Returns
 * HG_EINVAL with *err filled, HG_OK otherwise. In INPUT mode id, seq,
 * recorded_at and author are unknown members and a recipient may give only
 * "unit". Does not call event_validate_fields (the caller does).
 */
hg_status event_from_json(const json_t *obj, event_json_mode mode, event *ev, event_error *err) HG_MUST_CHECK;

/*
 * The store's canonical text: compact JSON with sorted keys, so equal events
 * give equal text. Returns a string allocated with hg_malloc (caller frees
 * with hg_free), or NULL when out of memory.
 */
char *event_to_text(const event *ev);
/* Parses canonical text (STORED mode); at most EVENT_JSON_TEXT_MAX bytes. */
hg_status event_from_text(const char *text, event *ev, event_error *err) HG_MUST_CHECK;

#endif
