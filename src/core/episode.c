/* episode.c - the episode fold (see episode.h). Stub: being implemented. */
#include "core/episode.h"

#include <string.h>

void episode_init(episode_state *st)
{
	memset(st, 0, sizeof *st);
}

hg_status episode_check_append(const episode_state *st, const event *ev, event_error *err)
{
	(void)st;
	return event_validate_fields(ev, err);
}

hg_status episode_apply(episode_state *st, const event *ev, event_error *err)
{
	return episode_check_append(st, ev, err);
}

hg_status episode_append(episode_state *st, const event *history, size_t n, const event *ev, event_error *err)
{
	(void)history;
	(void)n;
	return episode_apply(st, ev, err);
}

hg_status episode_fold(const event *evs, size_t n, episode_state *out, event_error *err)
{
	episode_init(out);
	for (size_t i = 0; i < n; i++) {
		hg_status rc = episode_apply(out, &evs[i], err);
		if (rc)
			return rc;
	}
	return HG_OK;
}

const hg_code_label *episode_status_label(episode_status s)
{
	static const hg_code_label tab[EPISODE_STATUS_COUNT] = {
		{"empty", "tomt", "empty"}, {"admitted", "inskriven", "admitted"}, {"ready", "utskrivningsklar", "ready"},
		{"discharged", "utskriven", "discharged"}, {"cancelled", "makulerat", "cancelled"}};
	return (unsigned)s < EPISODE_STATUS_COUNT ? &tab[s] : &tab[0];
}
bool episode_status_from_code(const char *code, episode_status *out) { (void)code; (void)out; return false; }
int episode_recipient_index(const episode_state *st, const char *unit) { (void)st; (void)unit; return -1; }
bool episode_is_party(const episode_state *st, const char *unit) { (void)st; (void)unit; return false; }
hg_date episode_ready_date(const episode_state *st) { (void)st; return HG_DATE_NONE; }
int episode_ready_days_at(const episode_state *st, hg_date at) { (void)st; (void)at; return 0; }
bool episode_notice_sent_to_org(const episode_state *st, const char *org, hg_instant *at) { (void)st; (void)org; (void)at; return false; }
bool episode_ready_notice_sent_to_org(const episode_state *st, int period, const char *org, hg_instant *at) { (void)st; (void)period; (void)org; (void)at; return false; }
const episode_consent *episode_consent_of(const episode_state *st, const char *org) { (void)st; (void)org; return NULL; }
