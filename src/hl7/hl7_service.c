/*
 * hl7_service.c - one HL7 message in, one ACK out (hl7_service.h).
 *
 * The order of the checks is the conformance statement's (docs/interop.md §2):
 * parse, header, redelivery, content, facility, quarantine, ward, episode,
 * plan, append, answer. Every failure of the store answers AR 207 so that the
 * sender delivers the message again; nothing is logged as answered unless the
 * events it means are durable.
 */
#include "hl7/hl7_service.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/calendar.h"
#include "core/pnr.h"
#include "core/text.h"
#include "store/interop_store.h"

/* Builds the ACK into out; a failure to render leaves a bare reject, which adt_ack always fits. */
static void answer(hl7_outcome *out, const adt_header *h, adt_ack_code code, const adt_error *err, hg_instant now,
		   const char *outcome)
{
	out->code = code;
	out->outcome = outcome;
	out->reason = err && code != ADT_ACK_ACCEPT ? err->code : "ok";
	out->send = adt_ack_wanted(h, code);
	if (adt_ack(h, code, code == ADT_ACK_ACCEPT ? NULL : err, now, out->ack, sizeof out->ack, &out->len) != HG_OK) {
		adt_header empty;
		memset(&empty, 0, sizeof empty);
		if (adt_ack(&empty, ADT_ACK_REJECT, NULL, now, out->ack, sizeof out->ack, &out->len) != HG_OK)
			out->len = 0;
	}
}

static void answer_error(hl7_outcome *out, const adt_header *h, const adt_error *err, hg_instant now)
{
	answer(out, h, err->reject ? ADT_ACK_REJECT : ADT_ACK_ERROR, err, now, err->reject ? "rejected" : "error");
}

static void answer_store_failure(hl7_outcome *out, const adt_header *h, hg_instant now)
{
	adt_error err;
	hg_status ignored = adt_error_set(&err, true, 207, "", 0, 0, "store_unavailable",
					  "The database is unavailable; send the message again.");
	(void)ignored;
	answer(out, h, ADT_ACK_REJECT, &err, now, "rejected");
}

/* True when addr is one of the space-separated addresses. */
static bool address_listed(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	for (const char *p = list; n && *p;) {
		while (*p == ' ')
			p++;
		size_t k = strcspn(p, " ");
		if (k == n && memcmp(p, addr, n) == 0)
			return true;
		p += k;
	}
	return false;
}

/* The author_user of the facility's events: "hl7:" and the facility, cut to fit. */
static void author_user(char out[HG_ID_MAX], const char *facility)
{
	memcpy(out, "hl7:", 4);
	hg_copy(out + 4, HG_ID_MAX - 4, facility);
}

/* Resolves PV1-3 to a ward: the facility's ward map, else a unit id of a ward (of the facility's region). */
static hg_status resolve_ward(store *s, const char *facility, const interop_facility *f, const char *code,
			      adt_unit *out)
{
	char id[HG_ID_MAX];
	store_unit u;
	memset(out, 0, sizeof *out);
	hg_status rc = interop_ward_get(s, facility, code, id);
	if (rc == HG_ENOTFOUND)
		hg_copy(id, sizeof id, code);
	else if (rc != HG_OK)
		return rc;
	rc = store_unit_get(s, id, &u);
	if (rc != HG_OK)
		return rc;
	if (u.kind != UNIT_WARD || (f && strcmp(u.org, f->org) != 0))
		return HG_ENOTFOUND;
	hg_copy(out->id, sizeof out->id, u.id);
	out->kind = u.kind;
	hg_copy(out->org, sizeof out->org, u.org);
	out->care = u.care;
	hg_copy(out->hospital, sizeof out->hospital, u.hospital);
	return HG_OK;
}

/*
 * The episode of the message, never one another sender opened (issue 13.5):
 * with PV1-19, only the episode this facility's visit opened (*unknown_visit
 * when the facility never sent that visit); without PV1-19, the patient's
 * latest episode that is not cancelled, which the caller accepts only when
 * this facility admitted it (*by_patient says so). A01 looks up its visit only.
 */
static hg_status find_episode(store *s, const char *facility, const adt_message *am, int64_t *id, bool *unknown_visit,
			      bool *by_patient)
{
	*id = 0;
	*unknown_visit = *by_patient = false;
	if (am->visit[0]) {
		hg_status rc = interop_visit_get(s, facility, am->visit, id);
		if (rc == HG_ENOTFOUND) {
			*unknown_visit = am->trigger != ADT_A01;
			return HG_OK;
		}
		return rc;
	}
	if (am->trigger == ADT_A01 || !am->patient.personnummer[0])
		return HG_OK;
	store_query q;
	store_episode_row *rows = NULL;
	size_t n = 0, total = 0;
	store_query_init(&q);
	q.all = true;
	q.pnr = am->patient.personnummer;
	q.limit = 100;
	hg_status rc = store_episodes_query(s, &q, &rows, &n, &total);
	if (rc != HG_OK)
		return rc;
	hg_instant best = HG_INSTANT_NONE;
	for (size_t i = 0; i < n; i++)
		if (rows[i].status != EPISODE_CANCELLED && (best == HG_INSTANT_NONE || rows[i].admitted_at > best)) {
			best = rows[i].admitted_at;
			*id = rows[i].id;
		}
	hg_free(rows);
	*by_patient = *id != 0;
	return HG_OK;
}

/* Puts the message in quarantine (or, when replaying, leaves it there) and answers AA. */
static void quarantine(store *s, const hl7_service_opts *o, const adt_message *am, const char *reason,
		       const char *msg, size_t len, hg_instant now, hl7_outcome *out)
{
	adt_error why;
	hg_status ignored = adt_error_set(&why, false, 0, "", 0, 0, reason, "quarantined");
	(void)ignored;
	if (o->replay_of) {
		answer(out, &am->h, ADT_ACK_ACCEPT, NULL, now, "quarantined");
		out->reason = reason;
		return;
	}
	interop_quarantined q;
	memset(&q, 0, sizeof q);
	q.received_at = now;
	hg_copy(q.facility, sizeof q.facility, am->h.sending_facility);
	hg_copy(q.control_id, sizeof q.control_id, am->h.control_id);
	hg_copy(q.trigger, sizeof q.trigger, am->h.trigger_code);
	hg_copy(q.visit, sizeof q.visit, am->visit);
	hg_copy(q.ward_code, sizeof q.ward_code, am->ward_code);
	hg_copy(q.reason, sizeof q.reason, reason);
	hg_copy(q.peer, sizeof q.peer, o->peer);
	pnr p;
	pnr_reason pr;
	pnr_options po = pnr_options_default(cal_local_date(now));
	po.accept_reserve = true;
	if (pnr_parse(am->patient.personnummer, &po, &p, &pr) == HG_OK)
		pnr_mask(&p, q.pnr_masked);
	int64_t id = 0;
	answer(out, &am->h, ADT_ACK_ACCEPT, NULL, now, "quarantined");
	out->reason = reason;
	if (interop_quarantine_add(s, &q, msg, len, &id) != HG_OK ||
	    interop_message_put(s, am->h.sending_facility, am->h.control_id, am->h.trigger_code, "quarantined", 0,
				out->ack, now) != HG_OK)
		answer_store_failure(out, &am->h, now);
}

/*
 * Appends the planned events; fills *out on a rejection. Each event goes to the writer with its
 * audit record, and the last one with `note` (NULL: none: what the message records with it),
 * so one group commit makes them durable together; the thread waits once per event.
 */
static bool append_all(store *s, const hl7_service_opts *o, const adt_message *am, const event *evs, size_t n,
		       int64_t *episode_id, hg_instant now, const interop_note *note, hl7_outcome *out)
{
	for (size_t i = 0; i < n; i++) {
		char key[STORE_KEY_MAX];
		store_append_result r;
		event_error everr;
		store_audit a;
		store_append_job *job = NULL;
		uint64_t ticket = 0;
		snprintf(key, sizeof key, "msh10:%s#%zu", am->h.control_id, i + 1);
		memset(&a, 0, sizeof a);
		a.at = now;
		hg_copy(a.username, sizeof a.username, evs[i].author_user);
		hg_copy(a.unit, sizeof a.unit, evs[i].author_unit);
		hg_copy(a.action, sizeof a.action, "event.append"); /* ".replayed" added by the writer for a replay */
		snprintf(a.reason, sizeof a.reason, "HL7 %s %s", am->h.trigger_code, am->h.control_id);
		hg_copy(a.client, sizeof a.client, o->replay_of ? "quarantine" : o->peer);
		hg_status rc = interop_append_submit(s, *episode_id, &evs[i], key, now, &a, i + 1 == n ? note : NULL, &job,
						     &ticket);
		if (rc == HG_OK)
			rc = store_append_job_wait(s, job) == HG_OK ? store_append_job_result(job, &r, &everr) : HG_EIO;
		store_append_job_release(job);
		if (rc == HG_EINVAL || rc == HG_ECONFLICT || rc == HG_ERANGE) {
			adt_error err;
			adt_error_from_event(am, &everr, rc, &err);
			answer_error(out, &am->h, &err, now);
			return false;
		}
		if (rc != HG_OK) {
			answer_store_failure(out, &am->h, now);
			return false;
		}
		*episode_id = r.episode_id;
		out->events++;
	}
	return true;
}

/*
 * A18/A40 (issue 16.3): every episode of the merged-away number (MRG-1) that
 * this facility admitted moves to the surviving number (PID-3) by a
 * correction of its admission, appended and audited like any event; another
 * sender's episodes are left alone. Fills *out; false when it answered an
 * error. *episode_id gets the last episode moved.
 */
static bool merge_all(store *s, const hl7_service_opts *o, const adt_message *am, const adt_context *base,
		      int64_t *episode_id, hg_instant now, hl7_outcome *out)
{
	store_query q;
	store_episode_row *rows = NULL;
	size_t n = 0, total = 0;
	episode_state *st = hg_malloc(sizeof *st);
	event *evs = hg_calloc(ADT_EVENTS_MAX, sizeof *evs);
	bool ok = st && evs;
	store_query_init(&q);
	q.all = true;
	q.pnr = am->prior;
	q.limit = 100;
	if (!ok || store_episodes_query(s, &q, &rows, &n, &total) != HG_OK) {
		answer_store_failure(out, &am->h, now);
		ok = false;
	}
	for (size_t i = 0; ok && i < n; i++) {
		event *hist = NULL;
		size_t nh = 0, nevs = 0;
		adt_error err;
		if (rows[i].status == EPISODE_CANCELLED)
			continue;
		if (store_episode_load(s, rows[i].id, st, &hist, &nh) != HG_OK) {
			answer_store_failure(out, &am->h, now);
			ok = false;
		} else if (nh > 0 && strcmp(hist[0].author_user, base->author_user) == 0) {
			adt_context cx = *base;
			cx.st = st;
			cx.history = hist;
			cx.n = nh;
			int64_t id = rows[i].id;
			if (adt_plan(am, &cx, evs, &nevs, &err) != HG_OK) {
				answer_error(out, &am->h, &err, now);
				ok = false;
			} else if (nevs > 0) {
				char tag[ADT_CONTROL_ID_MAX + 32];
				adt_message each = *am;
				/* one idempotency key per episode: msh10:CONTROLID@EPISODE#N */
				snprintf(tag, sizeof tag, "%s@%" PRId64, am->h.control_id, id);
				hg_copy(each.h.control_id, sizeof each.h.control_id, tag);
				ok = append_all(s, o, &each, evs, nevs, &id, now, NULL, out);
				*episode_id = id;
			}
		}
		hg_free(hist);
	}
	hg_free(rows);
	hg_free(st);
	hg_free(evs);
	return ok;
}

void hl7_service_handle(store *s, const hl7_service_opts *o, const char *msg, size_t len, hg_instant now,
			hl7_outcome *out)
{
	hl7_message *m = hg_malloc(sizeof *m);
	adt_message *am = hg_calloc(1, sizeof *am);
	episode_state *st = NULL;
	event *hist = NULL, *evs = NULL;
	size_t n = 0, nevs = 0;
	adt_error err;
	hl7_parse_reason why;
	interop_facility f;
	bool known = false, open_door = o->demo && o->peer_loopback;
	int64_t episode_id = 0;
	hg_status rc;

	memset(out, 0, sizeof *out);
	adt_error_clear(&err);
	if (!m || !am) {
		adt_header empty;
		memset(&empty, 0, sizeof empty);
		answer_store_failure(out, &empty, now);
		goto done;
	}
	if (hl7_parse(msg, len, m, &why) != HG_OK) {
		rc = adt_error_set(&err, true, why == HL7_PARSE_TOO_LONG ? 102 : 100, why == HL7_PARSE_BAD_DELIMITERS ? "MSH" : "",
				   why == HL7_PARSE_BAD_DELIMITERS ? 2 : 0, 0, hl7_parse_reason_code(why),
				   "The message cannot be parsed: %s.", hl7_parse_reason_code(why));
		answer_error(out, &am->h, &err, now);
		goto done;
	}
	if (adt_read_header(m, o->demo, &am->h, &err) != HG_OK) {
		answer_error(out, &am->h, &err, now);
		goto done;
	}
	const adt_header *h = &am->h;
	if (!o->replay_of) {
		interop_message seen;
		rc = interop_message_get(s, h->sending_facility, h->control_id, &seen);
		if (rc == HG_OK) {
			hg_copy(out->ack, sizeof out->ack, seen.ack);
			out->len = strlen(out->ack);
			out->code = ADT_ACK_ACCEPT;
			out->outcome = "redelivered";
			out->reason = "ok";
			out->episode_id = seen.episode_id;
			out->send = adt_ack_wanted(h, ADT_ACK_ACCEPT);
			hg_free(seen.ack);
			goto done;
		}
		if (rc != HG_ENOTFOUND) {
			answer_store_failure(out, h, now);
			goto done;
		}
	}
	rc = interop_facility_get(s, h->sending_facility, &f);
	if (rc != HG_OK && rc != HG_ENOTFOUND) {
		answer_store_failure(out, h, now);
		goto done;
	}
	known = rc == HG_OK;
	if (known && !o->replay_of && !open_door && !address_listed(f.addresses, o->peer)) {
		rc = adt_error_set(&err, true, 207, "MSH", 4, 0, "sender_not_allowed",
				   "Facility '%s' may not send from this address.", h->sending_facility);
		answer_error(out, h, &err, now);
		goto done;
	}
	adt_pid_rules rules;
	if (!known || adt_pid_rules_parse(f.pid_rules, &rules) != HG_OK)
		memset(&rules, 0, sizeof rules); /* stored rules were checked when they were set */
	if (adt_read_rules(m, o->demo, cal_local_date(now), &rules, am, &err) != HG_OK) {
		answer_error(out, h, &err, now);
		goto done;
	}
	if (am->trigger == ADT_OTHER || !am->inpatient) {
		answer(out, h, ADT_ACK_ACCEPT, NULL, now, "ignored");
		if (interop_message_put(s, h->sending_facility, h->control_id, h->trigger_code, "ignored", 0, out->ack,
					now) != HG_OK)
			answer_store_failure(out, h, now);
		goto done;
	}
	if (!known && !open_door) {
		quarantine(s, o, am, "unknown_facility", msg, len, now, out);
		goto done;
	}
	if (am->visit[0]) {
		bool pending = false;
		if (interop_quarantine_pending(s, h->sending_facility, am->visit, o->replay_of, &pending) != HG_OK) {
			answer_store_failure(out, h, now);
			goto done;
		}
		if (pending) {
			quarantine(s, o, am, "earlier_message_quarantined", msg, len, now, out);
			goto done;
		}
	}
	adt_context cx;
	char user[HG_ID_MAX];
	memset(&cx, 0, sizeof cx);
	author_user(user, h->sending_facility);
	cx.author_user = user;
	cx.a16_ready = known ? f.a16_ready : true;
	if (am->trigger == ADT_A18 || am->trigger == ADT_A40) {
		if (!merge_all(s, o, am, &cx, &episode_id, now, out))
			goto done;
		nevs = (size_t)out->events;
		goto answered;
	}
	if (am->trigger == ADT_A01 || am->trigger == ADT_A02) {
		rc = resolve_ward(s, h->sending_facility, known ? &f : NULL, am->ward_code, &cx.ward);
		if (rc == HG_ENOTFOUND) {
			quarantine(s, o, am, "unknown_ward", msg, len, now, out);
			goto done;
		}
		if (rc != HG_OK) {
			answer_store_failure(out, h, now);
			goto done;
		}
	}
	bool unknown_visit = false, by_patient = false;
	if (find_episode(s, h->sending_facility, am, &episode_id, &unknown_visit, &by_patient) != HG_OK) {
		answer_store_failure(out, h, now);
		goto done;
	}
	if (unknown_visit) {
		rc = adt_error_set(&err, false, 204, "PV1", 19, 1, "unknown_visit",
				   "Facility '%s' has sent no admission (A01) for visit '%s'.", h->sending_facility, am->visit);
		answer_error(out, h, &err, now);
		goto done;
	}
	st = hg_malloc(sizeof *st);
	evs = hg_calloc(ADT_EVENTS_MAX, sizeof *evs);
	if (!st || !evs) {
		answer_store_failure(out, h, now);
		goto done;
	}
	if (episode_id) {
		rc = store_episode_load(s, episode_id, st, &hist, &n);
		if (rc != HG_OK) {
			answer_store_failure(out, h, now);
			goto done;
		}
		/* without a visit number, only an episode this facility admitted is its own */
		if (by_patient && (n == 0 || strcmp(hist[0].author_user, user) != 0)) {
			episode_id = 0;
		} else {
			cx.st = st;
			cx.history = hist;
			cx.n = n;
		}
		if (episode_id && am->trigger == ADT_A01 && st->cancelled) { /* a new admission after a cancelled one */
			cx.st = NULL;
			episode_id = 0;
		}
	}
	if (adt_plan(am, &cx, evs, &nevs, &err) != HG_OK) {
		answer_error(out, h, &err, now);
		goto done;
	}
	if (nevs) {
		/* the answer does not depend on what the writer decides: the accepting ACK goes to the
		 * writer with the last event and is recorded (for a redelivery) in its transaction */
		interop_note note;
		memset(&note, 0, sizeof note);
		answer(out, h, ADT_ACK_ACCEPT, NULL, now, "accepted");
		hg_copy(note.facility, sizeof note.facility, h->sending_facility);
		hg_copy(note.control_id, sizeof note.control_id, h->control_id);
		hg_copy(note.trigger, sizeof note.trigger, h->trigger_code);
		if (am->trigger == ADT_A01)
			hg_copy(note.visit, sizeof note.visit, am->visit);
		hg_copy(note.outcome, sizeof note.outcome, "accepted");
		note.ack = out->ack;
		note.at = now;
		if (!append_all(s, o, am, evs, nevs, &episode_id, now, &note, out))
			goto done;
		out->episode_id = episode_id;
		goto done;
	}
answered:;
	int events = out->events;
	answer(out, h, ADT_ACK_ACCEPT, NULL, now, nevs ? "accepted" : "ignored");
	out->events = events;
	out->episode_id = episode_id;
	if (interop_message_put(s, h->sending_facility, h->control_id, h->trigger_code, out->outcome, episode_id, out->ack,
				now) != HG_OK)
		answer_store_failure(out, h, now);
done:
	hg_free(m);
	hg_free(am);
	hg_free(st);
	hg_free(hist);
	hg_free(evs);
}

hg_status hl7_quarantine_replay(store *s, int64_t id, const char *by, bool demo, hg_instant now, hl7_outcome *out,
				int *replayed)
{
	interop_quarantined q;
	char *msg = NULL;
	size_t len = 0;
	int64_t *followers = NULL;
	size_t nf = 0;
	bool pending = false;
	*replayed = 0;
	hg_status rc = interop_quarantine_get(s, id, &q, &msg, &len);
	if (rc != HG_OK)
		return rc;
	if (strcmp(q.state, "pending") != 0)
		rc = HG_ECONFLICT;
	if (rc == HG_OK && q.visit[0])
		rc = interop_quarantine_pending(s, q.facility, q.visit, id, &pending);
	if (rc == HG_OK && pending)
		rc = HG_ECONFLICT;
	if (rc == HG_OK && q.visit[0])
		rc = interop_quarantine_followers(s, q.facility, q.visit, id, &followers, &nf);
	for (size_t i = 0; rc == HG_OK && i <= nf; i++) {
		int64_t row = i == 0 ? id : followers[i - 1];
		hl7_outcome one_buf = {0}, *one = i == 0 ? out : &one_buf;
		hl7_service_opts o = {.demo = demo, .peer = "quarantine", .peer_loopback = false, .replay_of = row};
		if (i > 0) {
			hg_free(msg);
			msg = NULL;
			rc = interop_quarantine_get(s, row, &q, &msg, &len);
			if (rc != HG_OK)
				break;
		}
		hl7_service_handle(s, &o, msg, len, now, one);
		if (strcmp(one->outcome, "quarantined") == 0)
			break; /* still cannot be placed: it stays pending, and so do the rows after it */
		(*replayed)++;
		rc = interop_quarantine_resolve(s, row, one->code == ADT_ACK_ACCEPT ? "replayed" : "failed", by,
						one->code == ADT_ACK_ACCEPT ? "accepted" : one->reason, now);
	}
	hg_free(msg);
	hg_free(followers);
	return rc;
}

/* ---- batches ---- */

/* The start of the next line (after CR, LF or CR LF) at or after p, or end. */
static const char *next_line(const char *p, const char *end)
{
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	return p;
}

static bool line_is(const char *p, const char *end, const char *id)
{
	return end - p >= 4 && memcmp(p, id, 3) == 0 && (p[3] == '|' || p[3] == '\r' || p[3] == '\n');
}

bool hl7_is_batch(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	return end - p >= 4 && (memcmp(p, "FHS", 3) == 0 || memcmp(p, "BHS", 3) == 0) && p[3] != '\r' && p[3] != '\n' &&
	       !((p[3] >= 'A' && p[3] <= 'Z') || (p[3] >= '0' && p[3] <= '9'));
}

/* The batch's answer: each message's ACK (at most ADT_ACK_MAX) and the envelope's few short lines. */
#define HL7_BATCH_ACKS_MAX ((size_t)(HL7_BATCH_MAX + 1) * ADT_ACK_MAX + 1024)

hg_status hl7_batch_handle(store *s, const hl7_service_opts *o, const char *text, size_t len, hg_instant now,
			   char **acks, size_t *ack_len, int stats[3])
{
	const char *end = text + len, *msgs[HL7_BATCH_MAX + 1];
	size_t lens[HL7_BATCH_MAX + 1], n = 0;
	hg_buf b;
	bool file = false, too_many = false;
	hl7_outcome *out = hg_malloc(sizeof *out);
	hg_status rc = HG_OK;
	*acks = NULL;
	*ack_len = 0;
	hg_buf_init(&b, HL7_BATCH_ACKS_MAX);
	if (stats)
		stats[0] = stats[1] = stats[2] = 0;
	if (!out)
		return HG_ENOMEM;
	/* the messages: each from its MSH line to the next MSH or envelope line */
	for (const char *p = text; p < end;) {
		const char *q = next_line(p, end);
		if (line_is(p, end, "FHS"))
			file = true;
		if (line_is(p, end, "MSH")) {
			if (n == HL7_BATCH_MAX) {
				too_many = true;
				break;
			}
			msgs[n] = p;
			while (q < end && !line_is(q, end, "MSH") && !line_is(q, end, "BTS") && !line_is(q, end, "FTS") &&
			       !line_is(q, end, "BHS") && !line_is(q, end, "FHS"))
				q = next_line(q, end);
			lens[n] = (size_t)(q - p);
			n++;
		}
		p = q;
	}
	char line[128];
	cal_local lt = cal_local_from_instant(now);
	int y = 1970, mo = 1, d = 1;
	if (lt.date != HG_DATE_NONE)
		date_to_ymd(lt.date, &y, &mo, &d);
	snprintf(line, sizeof line, "|^~\\&|HEMGANG||||%04d%02d%02d%02d%02d%02d\r", y, mo, d, lt.hour, lt.minute,
		 lt.second);
	bool ok = (!file || (hg_buf_add(&b, "FHS", 3) && hg_buf_add(&b, line, strlen(line)))) &&
		  hg_buf_add(&b, "BHS", 3) && hg_buf_add(&b, line, strlen(line));
	int sent = 0;
	if (too_many) {
		adt_header empty;
		adt_error err;
		memset(&empty, 0, sizeof empty);
		hg_status ignored = adt_error_set(&err, true, 207, "", 0, 0, "too_many_messages",
						  "A batch holds at most %d messages; send it in parts.", HL7_BATCH_MAX);
		(void)ignored;
		answer(out, &empty, ADT_ACK_REJECT, &err, now, "rejected");
		ok = ok && hg_buf_add(&b, out->ack, out->len);
		sent = 1;
		if (stats)
			stats[ADT_ACK_REJECT]++;
		n = 0;
	}
	for (size_t i = 0; ok && i < n; i++) {
		hl7_service_handle(s, o, msgs[i], lens[i], now, out);
		if (stats)
			stats[out->code]++;
		if (out->send && out->len) {
			ok = hg_buf_add(&b, out->ack, out->len);
			sent++;
		}
	}
	snprintf(line, sizeof line, "BTS|%d\r", sent);
	ok = ok && hg_buf_add(&b, line, strlen(line)) && (!file || hg_buf_add(&b, "FTS|1\r", 6));
	if (ok)
		*acks = hg_buf_take(&b, ack_len); /* NULL when out of memory; the ceiling holds every ACK */
	else
		hg_buf_free(&b);
	if (!*acks)
		rc = HG_ENOMEM;
	hg_free(out);
	return rc;
}
