/*
 * episode_json.h - the JSON form of an episode state for the API.
 *
 * The state is the fold of an episode's events (core/episode.h); this renders
 * it for the HTTP layer, either with the patient's identity (for the parties
 * of the episode) or without it (for analysts). Instants are ISO 8601 UTC
 * "YYYY-MM-DDTHH:MM:SSZ", dates "YYYY-MM-DD", NONE values null. Rendering
 * only reads the state: it makes no access decision itself.
 */
#ifndef HG_WIRE_EPISODE_JSON_H
#define HG_WIRE_EPISODE_JSON_H

#include <stdbool.h>

#include <jansson.h>

#include "core/date.h"
#include "core/episode.h"

/*
 * Renders an episode state (new reference: caller json_decref's it; NULL when
 * out of memory). show_address=false hides the patient's address: "address"
 * is null and "address_hidden" true. Whether a viewer may see it (protected
 * identity: the authoring ward only) is the caller's question to
 * access_may_see_address(); the renderer only obeys. today is the date for
 * the patient's "age".
 */
json_t *episode_state_to_json(const episode_state *st, bool show_address, hg_date today);

/* The same without any identity (no personnummer, name, address, birth date): for analysts. */
json_t *episode_state_to_json_anonymous(const episode_state *st);

#endif
