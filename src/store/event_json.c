/*
 * event_json.c - stub; the table-driven codec follows.
 */
#include "store/event_json.h"

json_t *event_to_json(const event *ev)
{
	(void)ev;
	return json_object();
}

hg_status event_from_json(const json_t *obj, event_json_mode mode, event *ev, event_error *err)
{
	(void)obj;
	(void)mode;
	event_init(ev, EVENT_ADMITTED);
	return event_error_set(err, EVR_UNKNOWN_TYPE, "type");
}

char *event_to_text(const event *ev)
{
	(void)ev;
	return NULL;
}

hg_status event_from_text(const char *text, event *ev, event_error *err)
{
	(void)text;
	event_init(ev, EVENT_ADMITTED);
	return event_error_set(err, EVR_UNKNOWN_TYPE, "type");
}
