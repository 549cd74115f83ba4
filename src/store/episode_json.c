/*
 * episode_json.c - stub; the renderer follows.
 */
#include "store/episode_json.h"

json_t *episode_state_to_json(const episode_state *st, bool show_address, hg_date today)
{
	(void)st;
	(void)show_address;
	(void)today;
	return json_object();
}

json_t *episode_state_to_json_anonymous(const episode_state *st)
{
	(void)st;
	return json_object();
}
