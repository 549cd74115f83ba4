/*
 * outbox.c - the delivery thread of messages out (outbox.h).
 *
 * Each pass: interop_outbox_fill turns the notices stored since each
 * subscription's cursor into pending deliveries; then every delivery that is
 * due gets one attempt. An attempt loads the episode, builds the message
 * (fhir_out.h for FHIR; the ADT message below for HL7), sends it (libcurl for
 * HTTP, a plain MLLP frame on a socket for HL7), judges the answer and writes
 * the result: delivered (after the unit's acknowledgement is appended, when
 * the answer was positive), or failed with the next attempt after a doubling
 * wait, or given up. Sending a patient's data out is audited
 * (`delivery.send`, the subscription as the user).
 */
#include "hl7/outbox.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/date.h"
#include "fhir/fhir_out.h"
#include "hl7/hl7.h"
#include "store/interop_store.h"

#define OUTBOX_BATCH 50            /* deliveries attempted per pass */
#define OUTBOX_ANSWER_MAX (1 << 20) /* bytes of a receiver's answer kept */
#define OUTBOX_HL7_MAX 8192         /* bytes of one ADT message we write */

struct outbox {
	outbox_config cfg;
	store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_bool stop;
};

/* What became of one attempt. */
typedef enum attempt_result { ATTEMPT_ACKNOWLEDGED, ATTEMPT_RECEIVED, ATTEMPT_RETRY, ATTEMPT_REFUSED } attempt_result;

/* ---- configuration ---- */

void outbox_config_defaults(outbox_config *c)
{
	c->backoff = 30;
	c->backoff_max = 3600;
	c->attempts = 20;
	c->interval_ms = 1000;
	c->timeout = 30;
}

static const struct outbox_option {
	const char *name;
	size_t offset;
	int min, max;
} options[] = {
	{"backoff", offsetof(outbox_config, backoff), 1, 86400},
	{"backoff-max", offsetof(outbox_config, backoff_max), 1, 7 * 86400},
	{"attempts", offsetof(outbox_config, attempts), 1, 1000},
	{"interval-ms", offsetof(outbox_config, interval_ms), 10, 600000},
	{"timeout", offsetof(outbox_config, timeout), 1, 600},
};

hg_status outbox_config_parse(outbox_config *c, const char *text, char *why, size_t why_cap)
{
	char buf[256];
	if (strlen(text) >= sizeof buf) {
		snprintf(why, why_cap, "too long");
		return HG_EINVAL;
	}
	snprintf(buf, sizeof buf, "%s", text);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const struct outbox_option *o = NULL;
		if (eq) {
			*eq = '\0';
			for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
				if (strcmp(options[i].name, tok) == 0)
					o = &options[i];
		}
		if (!o) {
			snprintf(why, why_cap, "'%s' is not one of backoff, backoff-max, attempts, interval-ms, timeout", tok);
			return HG_EINVAL;
		}
		char *end;
		long v = strtol(eq + 1, &end, 10);
		if (!eq[1] || *end || v < o->min || v > o->max) {
			snprintf(why, why_cap, "%s must be %d-%d, not '%s'", o->name, o->min, o->max, eq + 1);
			return HG_EINVAL;
		}
		*(int *)((char *)c + o->offset) = (int)v;
	}
	return HG_OK;
}

int outbox_backoff(const outbox_config *c, int n)
{
	long wait = c->backoff;
	for (int i = 1; i < n && wait < c->backoff_max; i++)
		wait *= 2;
	return (int)(wait < c->backoff_max ? wait : c->backoff_max);
}

/* ---- HTTP (FHIR) ---- */

/* The receiver's answer, kept up to OUTBOX_ANSWER_MAX bytes; past that the transfer reads on and keeps
 * nothing more (the buffer is failed with too_big), and the answer is judged as empty. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	hg_buf *a = arg;
	size_t len = size * nmemb;
	if (!hg_buf_add(a, data, len) && !a->too_big)
		return 0; /* out of memory: aborts the transfer */
	return len;
}

/* Aborts a transfer when the server stops. */
static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load(&((outbox *)arg)->stop) ? 1 : 0;
}

static attempt_result send_fhir(outbox *o, const char *endpoint, const char *body, const char *header_id, char *why,
				size_t why_cap)
{
	attempt_result r = ATTEMPT_RETRY;
	hg_buf a;
	struct curl_slist *headers = NULL;
	CURL *curl = curl_easy_init();
	hg_buf_init(&a, OUTBOX_ANSWER_MAX + 1);
	if (!curl) {
		snprintf(why, why_cap, "out of memory");
		return ATTEMPT_RETRY;
	}
	headers = curl_slist_append(headers, "Content-Type: application/fhir+json; charset=utf-8");
	struct curl_slist *h2 = headers ? curl_slist_append(headers, "Accept: application/fhir+json") : NULL;
	if (!h2) {
		snprintf(why, why_cap, "out of memory");
		goto out;
	}
	headers = h2;
	curl_easy_setopt(curl, CURLOPT_URL, endpoint);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)o->cfg.timeout);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, o);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "hemgang");
	CURLcode cc = curl_easy_perform(curl);
	if (cc != CURLE_OK) {
		snprintf(why, why_cap, "%s", curl_easy_strerror(cc));
		goto out;
	}
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(why, why_cap, "HTTP %ld", status);
		goto out;
	}
	char reason[128];
	switch (fhir_out_judge(a.data, a.too_big ? 0 : a.len, header_id, reason, sizeof reason)) {
	case FHIR_OUT_ACKNOWLEDGED: r = ATTEMPT_ACKNOWLEDGED; break;
	case FHIR_OUT_RECEIVED: r = ATTEMPT_RECEIVED; break;
	case FHIR_OUT_TRANSIENT: r = ATTEMPT_RETRY; snprintf(why, why_cap, "HTTP %ld %s", status, reason); break;
	case FHIR_OUT_REFUSED: r = ATTEMPT_REFUSED; snprintf(why, why_cap, "HTTP %ld refused: %s", status, reason); break;
	}
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	hg_buf_free(&a);
	return r;
}

/* ---- HL7 v2 over MLLP ---- */

/* An instant as an HL7 DTM in UTC: YYYYMMDDHHMMSS+0000. */
static void hl7_time(hg_instant t, char out[24])
{
	char iso[21];
	instant_format_utc(t, iso); /* 2024-05-03T08:00:00Z */
	snprintf(out, 24, "%.4s%.2s%.2s%.2s%.2s%.2s+0000", iso, iso + 5, iso + 8, iso + 11, iso + 14, iso + 17);
}

/* The ADT trigger and message structure that carry a notice to a receiving system. */
static const struct notice_adt {
	event_type type;
	const char *trigger, *structure;
} notice_adts[] = {
	{EVENT_ADMISSION_NOTICE, "A01", "ADT_A01"},
	{EVENT_EXPECTED_DATE_CHANGED, "A08", "ADT_A01"},
	{EVENT_READY_FOR_DISCHARGE, "A16", "ADT_A16"},
	{EVENT_READY_WITHDRAWN, "A25", "ADT_A21"},
};

static const struct notice_adt *notice_adt_of(event_type t)
{
	for (size_t i = 0; i < sizeof notice_adts / sizeof notice_adts[0]; i++)
		if (notice_adts[i].type == t)
			return &notice_adts[i];
	return &notice_adts[1]; /* NEVER: every notice type has a row */
}

/* Appends the escaped value of s (or nothing) to the message. */
static void put_escaped(char *buf, size_t cap, const char *s)
{
	char esc[HG_NAME_MAX * 4];
	hl7_delims d = hl7_delims_standard();
	size_t used = strlen(buf);
	if (hl7_escape(s, &d, esc, sizeof esc) == HG_OK)
		snprintf(buf + used, cap - used, "%s", esc);
}

static void put(char *buf, size_t cap, const char *s)
{
	size_t used = strlen(buf);
	snprintf(buf + used, cap - used, "%s", s);
}

/* The ADT message of a notice (\r-separated segments) into buf; MSH-10 is HG<delivery id>, the same on every attempt. */
static void hl7_message_of(const episode_state *st, const event *notice, const interop_delivery *d, hg_instant now,
			   char *buf, size_t cap)
{
	const struct notice_adt *adt = notice_adt_of(notice->type);
	char ts[24], occ[24], line[256];
	hl7_time(now, ts);
	hl7_time(notice->occurred_at, occ);
	buf[0] = '\0';
	put(buf, cap, "MSH|^~\\&|HEMGANG|");
	put_escaped(buf, cap, notice->author_unit);
	put(buf, cap, "|");
	put_escaped(buf, cap, d->subscription);
	put(buf, cap, "|");
	put_escaped(buf, cap, d->unit);
	snprintf(line, sizeof line, "|%s||ADT^%s^%s|HG%" PRId64 "|P|2.5.1|||AL|NE||UNICODE UTF-8\rEVN|%s|%s||||%s\r", ts,
		 adt->trigger, adt->structure, d->id, adt->trigger, ts, occ);
	put(buf, cap, line);
	/* PID-3: the number (digits) with the national OID; PID-5: family^given from "given family" */
	char digits[EVENT_PNR_SIZE] = "";
	size_t k = 0;
	for (const char *p = st->patient.personnummer; *p && k + 1 < sizeof digits; p++)
		if (*p >= '0' && *p <= '9')
			digits[k++] = *p;
	digits[k] = '\0';
	bool snr = st->patient.personnummer[6] >= '6';
	snprintf(line, sizeof line, "PID|1||%s^^^&%s&ISO^%s||", digits, snr ? "1.2.752.129.2.1.3.3" : "1.2.752.129.2.1.3.1",
		 "NNSWE");
	put(buf, cap, line);
	char given[HG_NAME_MAX];
	snprintf(given, sizeof given, "%s", st->patient.name);
	char *space = strrchr(given, ' ');
	if (space) {
		*space = '\0';
		put_escaped(buf, cap, space + 1);
		put(buf, cap, "^");
		put_escaped(buf, cap, given);
	} else {
		put_escaped(buf, cap, given);
	}
	put(buf, cap, "||||||");
	if (!st->patient.protected_identity && (st->patient.address[0] || st->patient.registered_municipality[0])) {
		put_escaped(buf, cap, st->patient.address);
		put(buf, cap, "^^^^^^H^^");
		put_escaped(buf, cap, st->patient.registered_municipality);
	}
	put(buf, cap, "\rPD1|||");
	if (st->patient.primary_care_unit[0]) {
		put(buf, cap, "^^^^^^^^^");
		put_escaped(buf, cap, st->patient.primary_care_unit);
	}
	put(buf, cap, st->patient.protected_identity ? "|||||||||Y" : "|||||||||N");
	put(buf, cap, "\rPV1|1|I|");
	put_escaped(buf, cap, st->ward);
	snprintf(line, sizeof line, "||||||||||||||||%" PRId64, st->id);
	put(buf, cap, line);
	if (st->admitted_at != HG_INSTANT_NONE) {
		char adm[24];
		hl7_time(st->admitted_at, adm);
		snprintf(line, sizeof line, "|||||||||||||||||||||||||%s", adm); /* PV1-44 */
		put(buf, cap, line);
	}
	hg_date expected = notice->type == EVENT_ADMISSION_NOTICE ? notice->u.admission_notice.expected_discharge_date
			   : notice->type == EVENT_EXPECTED_DATE_CHANGED ? notice->u.expected_date_changed.date
									   : st->expected_date;
	if (expected != HG_DATE_NONE) {
		char dd[11];
		date_format(expected, dd);
		snprintf(line, sizeof line, "\rPV2|||||||||%.4s%.2s%.2s", dd, dd + 5, dd + 8); /* PV2-9 */
		put(buf, cap, line);
	}
	put(buf, cap, "\r");
}

/* Splits "host:port" (or "[v6]:port", with an optional mllp:// in front). */
static bool split_endpoint(const char *endpoint, char *host, size_t host_cap, char port[8])
{
	if (strncmp(endpoint, "mllp://", 7) == 0)
		endpoint += 7;
	const char *colon = strrchr(endpoint, ':');
	if (!colon || colon == endpoint || strlen(colon + 1) == 0 || strlen(colon + 1) > 5)
		return false;
	const char *h = endpoint;
	size_t hn = (size_t)(colon - endpoint);
	if (h[0] == '[' && hn >= 2 && h[hn - 1] == ']') {
		h++;
		hn -= 2;
	}
	if (hn == 0 || hn >= host_cap)
		return false;
	memcpy(host, h, hn);
	host[hn] = '\0';
	snprintf(port, 8, "%s", colon + 1);
	return true;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC ms), at least 0. */
static int ms_left(int64_t deadline)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return now >= deadline ? 0 : (int)(deadline - now);
}

/* Connects to host:port within the deadline; -1 on failure. */
static int mllp_connect(const char *host, const char *port, int64_t deadline)
{
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			int err = 0;
			socklen_t len = sizeof err;
			if (errno != EINPROGRESS || poll(&p, 1, ms_left(deadline)) != 1 ||
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
				close(fd);
				fd = -1;
			}
		}
	}
	freeaddrinfo(res);
	return fd;
}

/* Sends msg in one MLLP frame and reads the framed answer into ack (NUL-terminated); false with why. */
static bool mllp_exchange(outbox *o, const char *endpoint, const char *msg, char *ack, size_t ack_cap, char *why,
			  size_t why_cap)
{
	char host[256], port[8];
	if (!split_endpoint(endpoint, host, sizeof host, port)) {
		snprintf(why, why_cap, "endpoint is not host:port");
		return false;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t deadline = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + (int64_t)o->cfg.timeout * 1000;
	int fd = mllp_connect(host, port, deadline);
	if (fd < 0) {
		snprintf(why, why_cap, "cannot connect to %.200s", endpoint);
		return false;
	}
	bool ok = false;
	size_t mlen = strlen(msg), total = mlen + 3, sent = 0;
	char *frame = hg_malloc(total);
	if (!frame) {
		snprintf(why, why_cap, "out of memory");
		goto out;
	}
	frame[0] = 0x0b;
	memcpy(frame + 1, msg, mlen);
	frame[mlen + 1] = 0x1c;
	frame[mlen + 2] = 0x0d;
	while (sent < total) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		if (atomic_load(&o->stop) || poll(&p, 1, ms_left(deadline)) != 1) {
			snprintf(why, why_cap, "timeout while sending");
			goto out;
		}
		ssize_t w = send(fd, frame + sent, total - sent, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			snprintf(why, why_cap, "send: %s", strerror(errno));
			goto out;
		}
		if (w > 0)
			sent += (size_t)w;
	}
	size_t got = 0;
	bool started = false;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (atomic_load(&o->stop) || poll(&p, 1, ms_left(deadline)) != 1) {
			snprintf(why, why_cap, "no ACK in time");
			goto out;
		}
		char c[512];
		ssize_t r = recv(fd, c, sizeof c, 0);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			snprintf(why, why_cap, "connection closed without an ACK");
			goto out;
		}
		for (ssize_t i = 0; i < r; i++) {
			if (!started) {
				started = c[i] == 0x0b;
				continue;
			}
			if (c[i] == 0x1c) {
				ack[got] = '\0';
				ok = true;
				goto out;
			}
			if (got + 1 >= ack_cap) {
				snprintf(why, why_cap, "ACK too long");
				goto out;
			}
			ack[got++] = c[i];
		}
	}
out:
	hg_free(frame);
	close(fd);
	return ok;
}

static attempt_result send_hl7(outbox *o, const char *endpoint, const char *msg, char *why, size_t why_cap)
{
	char *ack = hg_malloc(65536);
	attempt_result r = ATTEMPT_RETRY;
	if (!ack) {
		snprintf(why, why_cap, "out of memory");
		return r;
	}
	if (mllp_exchange(o, endpoint, msg, ack, 65536, why, why_cap)) {
		hl7_message *m = hg_malloc(sizeof *m);
		char code[8] = "", text[128] = "";
		int msa = -1;
		if (m && hl7_parse(ack, strlen(ack), m, NULL) == HG_OK && (msa = hl7_find(m, "MSA", 0)) >= 0 &&
		    hl7_get(m, msa, 1, 1, 1, 0, code, sizeof code) == HG_OK) {
			if (hl7_get(m, msa, 3, 1, 1, 0, text, sizeof text) != HG_OK)
				text[0] = '\0';
			if (strcmp(code, "AA") == 0 || strcmp(code, "CA") == 0) {
				r = ATTEMPT_ACKNOWLEDGED;
			} else if (strcmp(code, "AE") == 0 || strcmp(code, "CE") == 0) {
				r = ATTEMPT_REFUSED;
				snprintf(why, why_cap, "ACK %s %s", code, text);
			} else {
				snprintf(why, why_cap, "ACK %s %s", code[0] ? code : "?", text);
			}
		} else {
			snprintf(why, why_cap, "the answer is not an HL7 ACK");
		}
		hg_free(m);
	}
	hg_free(ack);
	return r;
}

/* ---- one delivery ---- */

/* Audits what the subscription did with the patient's data: action delivery.send or event.append. */
static void audit(outbox *o, const interop_delivery *d, const char *action)
{
	store_audit a;
	uint64_t ticket;
	memset(&a, 0, sizeof a);
	a.at = (hg_instant)time(NULL);
	snprintf(a.username, sizeof a.username, "subscription:%.32s", d->subscription);
	snprintf(a.unit, sizeof a.unit, "%s", d->unit);
	snprintf(a.action, sizeof a.action, "%s", action);
	a.episode_id = d->episode_id;
	snprintf(a.reason, sizeof a.reason, "%.40s %.200s", d->type, d->endpoint);
	snprintf(a.client, sizeof a.client, "outbox");
	if (store_audit_enqueue(o->store, &a, &ticket) != HG_OK)
		fprintf(stderr, "hemgang: outbox: the audit record of delivery %" PRId64 " could not be queued\n", d->id);
}

/* Appends the unit's acknowledgement of the notice; ack gets what became of it. */
static hg_status acknowledge(outbox *o, const interop_delivery *d, const event *notice, hg_instant now, char *ack,
			     size_t ack_cap)
{
	store_unit u;
	hg_status rc = store_unit_get(o->store, d->unit, &u);
	if (rc != HG_OK) {
		snprintf(ack, ack_cap, "unknown_unit");
		return rc == HG_ENOTFOUND ? HG_OK : rc;
	}
	event *ev = hg_malloc(sizeof *ev);
	if (!ev)
		return HG_ENOMEM;
	memset(ev, 0, sizeof *ev);
	ev->type = EVENT_ACKNOWLEDGED;
	ev->occurred_at = now;
	snprintf(ev->author_unit, sizeof ev->author_unit, "%s", u.id);
	ev->author_kind = u.kind;
	snprintf(ev->author_org, sizeof ev->author_org, "%s", u.org);
	snprintf(ev->author_user, sizeof ev->author_user, "subscription:%.32s", d->subscription);
	ev->u.acknowledged.ack_seq = notice->seq;
	char key[48];
	snprintf(key, sizeof key, "delivery-%" PRId64, d->id);
	store_append_result res;
	event_error err;
	event_error_clear(&err);
	rc = store_append(o->store, d->episode_id, ev, key, now, &res, &err);
	hg_free(ev);
	if (rc == HG_OK) {
		snprintf(ack, ack_cap, "acknowledged");
		if (!res.replayed)
			audit(o, d, "event.append");
		return HG_OK;
	}
	if (rc == HG_EINVAL || rc == HG_ECONFLICT) { /* a rule says no: e.g. ack_duplicate (the unit acknowledged already) */
		snprintf(ack, ack_cap, "%s", err.code ? err.code : hg_status_name(rc));
		return HG_OK;
	}
	return rc;
}

static hg_status attempt(outbox *o, interop_delivery *d)
{
	episode_state *st = hg_malloc(sizeof *st);
	event *evs = NULL;
	size_t n = 0;
	char why[INTEROP_ERROR_MAX] = "", ack[INTEROP_REASON_MAX] = "";
	hg_instant now = (hg_instant)time(NULL);
	hg_status rc = st ? store_episode_load(o->store, d->episode_id, st, &evs, &n) : HG_ENOMEM;
	const event *notice = NULL;
	for (size_t i = 0; rc == HG_OK && i < n; i++)
		if (evs[i].seq == d->seq)
			notice = &evs[i];
	if (rc == HG_OK && !notice)
		rc = HG_ENOTFOUND;
	if (rc == HG_ENOTFOUND) {
		rc = interop_delivery_failed(o->store, d->id, "the notice is not stored", HG_INSTANT_NONE, now);
		goto out;
	}
	if (rc != HG_OK)
		goto out;
	attempt_result r;
	audit(o, d, "delivery.send");
	if (strcmp(d->protocol, "hl7") == 0) {
		char *msg = hg_malloc(OUTBOX_HL7_MAX);
		if (!msg) {
			rc = HG_ENOMEM;
			goto out;
		}
		hl7_message_of(st, notice, d, now, msg, OUTBOX_HL7_MAX);
		r = send_hl7(o, d->endpoint, msg, why, sizeof why);
		hg_free(msg);
	} else {
		char bid[40], hid[40];
		fhir_out_ids(d->id, bid, hid);
		json_t *m = fhir_out_message(st, notice, d->unit, d->endpoint, d->id, now);
		char *body = m ? json_dumps(m, JSON_COMPACT) : NULL; /* jansson's allocation: free() */
		json_decref(m);
		if (!body) {
			rc = HG_ENOMEM;
			goto out;
		}
		r = send_fhir(o, d->endpoint, body, hid, why, sizeof why);
		free(body);
	}
	if (atomic_load(&o->stop) && r == ATTEMPT_RETRY) {
		/* interrupted by the shutdown: not an attempt; the claim is let go, so a restart tries at once */
		rc = interop_delivery_claim(o->store, d, now);
		goto out;
	}
	if (r == ATTEMPT_ACKNOWLEDGED)
		rc = acknowledge(o, d, notice, now, ack, sizeof ack);
	else if (r == ATTEMPT_RECEIVED)
		snprintf(ack, sizeof ack, "not_acknowledged");
	if (rc != HG_OK) {
		snprintf(why, sizeof why, "the acknowledgement could not be stored: %s", hg_status_name(rc));
		r = ATTEMPT_RETRY;
	}
	if (r == ATTEMPT_ACKNOWLEDGED || r == ATTEMPT_RECEIVED) {
		rc = interop_delivery_done(o->store, d->id, ack, now);
	} else {
		bool give_up = r == ATTEMPT_REFUSED || d->attempts + 1 >= o->cfg.attempts;
		hg_instant next = give_up ? HG_INSTANT_NONE : now + outbox_backoff(&o->cfg, d->attempts + 1);
		fprintf(stderr, "hemgang: outbox: delivery %" PRId64 " to %s failed (attempt %d): %s%s\n", d->id,
			d->subscription, d->attempts + 1, why, give_up ? "; given up" : "");
		rc = interop_delivery_failed(o->store, d->id, why, next, now);
	}
out:
	hg_free(evs);
	hg_free(st);
	return rc;
}

/* ---- the thread ---- */

static void run_once(outbox *o)
{
	interop_delivery *due = NULL;
	size_t n = 0;
	hg_instant now = (hg_instant)time(NULL);
	if (interop_outbox_fill(o->store, now, NULL) != HG_OK)
		fprintf(stderr, "hemgang: outbox: cannot read new notices\n");
	if (interop_deliveries_due(o->store, now, OUTBOX_BATCH, &due, &n) != HG_OK) {
		fprintf(stderr, "hemgang: outbox: cannot read the deliveries due\n");
		return;
	}
	for (size_t i = 0; i < n && !atomic_load(&o->stop); i++) {
		/* Another server on the same database may have taken it: claim it for the length of an attempt. */
		hg_status rc = interop_delivery_claim(o->store, &due[i], now + o->cfg.timeout + 60);
		if (rc == HG_OK)
			rc = attempt(o, &due[i]);
		if (rc != HG_OK && rc != HG_ECONFLICT)
			fprintf(stderr, "hemgang: outbox: delivery %" PRId64 ": storage error\n", due[i].id);
	}
	hg_free(due);
}

static void *outbox_main(void *arg)
{
	outbox *o = arg;
	while (!atomic_load(&o->stop)) {
		run_once(o);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		long ns = until.tv_nsec + (long)(o->cfg.interval_ms % 1000) * 1000000L;
		until.tv_sec += o->cfg.interval_ms / 1000 + ns / 1000000000L;
		until.tv_nsec = ns % 1000000000L;
		pthread_mutex_lock(&o->lock);
		if (!atomic_load(&o->stop))
			pthread_cond_timedwait(&o->wake, &o->lock, &until);
		pthread_mutex_unlock(&o->lock);
	}
	return NULL;
}

hg_status outbox_start(const outbox_config *c, store *s, outbox **out)
{
	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return HG_EIO;
	outbox *o = hg_malloc(sizeof *o);
	if (!o) {
		curl_global_cleanup();
		return HG_ENOMEM;
	}
	memset(o, 0, sizeof *o);
	o->cfg = *c;
	o->store = s;
	atomic_init(&o->stop, false);
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->wake, NULL);
	if (pthread_create(&o->thread, NULL, outbox_main, o) != 0) {
		pthread_cond_destroy(&o->wake);
		pthread_mutex_destroy(&o->lock);
		hg_free(o);
		curl_global_cleanup();
		return HG_EIO;
	}
	*out = o;
	return HG_OK;
}

void outbox_stop(outbox *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	atomic_store(&o->stop, true);
	pthread_cond_signal(&o->wake);
	pthread_mutex_unlock(&o->lock);
	pthread_join(o->thread, NULL);
	pthread_cond_destroy(&o->wake);
	pthread_mutex_destroy(&o->lock);
	hg_free(o);
	curl_global_cleanup();
}
