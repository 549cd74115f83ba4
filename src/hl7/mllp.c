/*
 * mllp.c - the MLLP listener of mllp.h: an accept thread and one thread per
 * connection, all owned by the mllp_server and joined when it stops.
 *
 * A connection thread never closes its socket: it shuts it down and marks
 * itself done, and whoever joins it (the accept thread when it reuses the
 * slot, or mllp_server_stop) closes the descriptor, so a stop can never shut
 * down a number that was meanwhile given to another socket.
 *
 * Admission (admit()) is decided by the accept thread alone, under the lock,
 * from the live connections and the registered facilities: a peer below its
 * own limit is admitted while the free slots exceed the reserve still owed to
 * the other facilities that have no connection.
 */
#include "hl7/mllp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "hl7/hl7.h"
#include "hl7/hl7_service.h"
#include "store/interop_store.h"

#define PEER_MAX 64

typedef struct mllp_conn {
	struct mllp_server *srv;
	int fd;
	pthread_t th;
	bool used;
	bool done; /* guarded by srv->lock */
	char peer[PEER_MAX];
	bool loopback;
} mllp_conn;

struct mllp_server {
	int lfd;
	int wake[2];
	pthread_t accept_th;
	store *store;
	mllp_config cfg;
	unsigned port;
	pthread_mutex_t lock;
	mllp_conn *conns;
};

mllp_frame_state mllp_deframe(const char *buf, size_t len, size_t max, size_t *msg_off, size_t *msg_len,
			      size_t *consumed)
{
	const char *start = memchr(buf, MLLP_START, len);
	*msg_off = *msg_len = 0;
	if (!start) {
		*consumed = len;
		return MLLP_NEED_MORE;
	}
	size_t i = (size_t)(start - buf) + 1;
	for (size_t j = i; j + 1 < len; j++) {
		if (buf[j] == MLLP_END && buf[j + 1] == MLLP_CR) {
			if (j - i > max) {
				*consumed = j + 2;
				return MLLP_TOO_BIG;
			}
			*msg_off = i;
			*msg_len = j - i;
			*consumed = j + 2;
			return MLLP_FRAME;
		}
	}
	*consumed = i - 1;
	return len - i > max ? MLLP_TOO_BIG : MLLP_NEED_MORE;
}

/* Writes all of buf; false on any error. */
static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		len -= (size_t)w;
	}
	return true;
}

static bool send_framed(int fd, const char *ack, size_t len)
{
	char frame[ADT_ACK_MAX + 3];
	if (len > ADT_ACK_MAX)
		return false;
	frame[0] = MLLP_START;
	memcpy(frame + 1, ack, len);
	frame[len + 1] = MLLP_END;
	frame[len + 2] = MLLP_CR;
	return write_all(fd, frame, len + 3);
}

/* Answers an oversized frame with AR: it cannot be read, so the header is unknown. */
static void reject_too_big(int fd, const mllp_server *srv)
{
	adt_header empty;
	adt_error err;
	char ack[ADT_ACK_MAX];
	size_t len = 0;
	memset(&empty, 0, sizeof empty);
	hg_status ignored = adt_error_set(&err, true, 102, "", 0, 0, "too_long", "The message is longer than %zu bytes.",
					  srv->cfg.max_message);
	(void)ignored;
	if (adt_ack(&empty, ADT_ACK_REJECT, &err, (hg_instant)time(NULL), ack, sizeof ack, &len) == HG_OK)
		(void)send_framed(fd, ack, len);
}

/* Milliseconds of the monotonic clock (never the wall clock: a clock step must not close or keep a connection). */
static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *conn_main(void *p)
{
	mllp_conn *c = p;
	mllp_server *srv = c->srv;
	size_t cap = srv->cfg.max_message + 16, have = 0;
	char *buf = hg_malloc(cap);
	hl7_outcome *out = hg_malloc(sizeof *out);
	hl7_service_opts o = {.demo = srv->cfg.demo, .peer = c->peer, .peer_loopback = c->loopback, .replay_of = 0};
	bool open = buf && out;
	/* the two clocks: since the last complete message (or the connection), and since a frame began */
	int64_t idle_since = mono_ms(), frame_since = -1;
	while (open) {
		int64_t now = mono_ms();
		int64_t deadline = frame_since >= 0 ? frame_since + (int64_t)srv->cfg.message_timeout_s * 1000
						    : idle_since + (int64_t)srv->cfg.idle_timeout_s * 1000;
		if (now >= deadline) {
			fprintf(stderr, "hemgang: mllp: closed %s: %s\n", c->peer,
				frame_since >= 0 ? "a message did not complete in time" : "idle");
			break;
		}
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		int pr = poll(&pfd, 1, (int)(deadline - now));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			break;
		if (pr == 0)
			continue; /* the deadline is checked above */
		ssize_t r = recv(c->fd, buf + have, cap - have, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
		for (;;) {
			size_t off, mlen, used;
			mllp_frame_state fs = mllp_deframe(buf, have, srv->cfg.max_message, &off, &mlen, &used);
			if (fs == MLLP_TOO_BIG) {
				reject_too_big(c->fd, srv);
				open = false;
				break;
			}
			if (fs == MLLP_FRAME && hl7_is_batch(buf + off, mlen)) { /* FHS/BHS: a batch, answered by one */
				char *acks = NULL;
				size_t alen = 0;
				static const char start = MLLP_START, tail[2] = {MLLP_END, MLLP_CR};
				if (hl7_batch_handle(srv->store, &o, buf + off, mlen, (hg_instant)time(NULL), &acks, &alen,
						     NULL) != HG_OK ||
				    !write_all(c->fd, &start, 1) || !write_all(c->fd, acks, alen) || !write_all(c->fd, tail, 2))
					open = false;
				hg_free(acks);
				idle_since = mono_ms();
				frame_since = -1;
			} else if (fs == MLLP_FRAME) {
				hl7_service_handle(srv->store, &o, buf + off, mlen, (hg_instant)time(NULL), out);
				if (out->send && !send_framed(c->fd, out->ack, out->len))
					open = false;
				idle_since = mono_ms();
				frame_since = -1;
			}
			memmove(buf, buf + used, have - used);
			have -= used;
			if (fs != MLLP_FRAME || !open)
				break;
		}
		/* bytes left are the start of a frame (the deframer drops noise): its clock runs from now on */
		if (have == 0)
			frame_since = -1;
		else if (frame_since < 0)
			frame_since = mono_ms();
		if (have == cap) { /* cannot happen: a full buffer is a frame too big */
			open = false;
		}
	}
	hg_free(buf);
	hg_free(out);
	shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_lock(&srv->lock);
	c->done = true;
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/* Text of a peer address; IPv4-mapped IPv6 addresses as plain IPv4. */
static void peer_text(const struct sockaddr_storage *ss, char out[PEER_MAX], bool *loopback)
{
	*loopback = false;
	out[0] = '\0';
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &a->sin_addr, out, PEER_MAX);
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
			struct in_addr v4;
			memcpy(&v4, a->sin6_addr.s6_addr + 12, 4);
			inet_ntop(AF_INET, &v4, out, PEER_MAX);
			*loopback = (ntohl(v4.s_addr) >> 24) == 127;
		} else {
			inet_ntop(AF_INET6, &a->sin6_addr, out, PEER_MAX);
			*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		}
	}
}

/* A free connection slot (joining finished ones), or NULL. Called with the lock held. */
static mllp_conn *free_slot(mllp_server *srv)
{
	mllp_conn *found = NULL;
	for (unsigned i = 0; i < srv->cfg.max_connections; i++) {
		mllp_conn *c = &srv->conns[i];
		if (c->used && c->done) {
			pthread_join(c->th, NULL);
			close(c->fd);
			c->used = false;
		}
		if (!c->used && !found)
			found = c;
	}
	return found;
}

/* True when addr is one of the space-separated addresses. */
static bool listed(const char *list, const char *addr)
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

/*
 * Whether a connection from peer may have a slot (lock held): the peer is
 * below max_per_peer, and the free slots exceed the reserve owed to every
 * other registered facility (one with addresses, none of them the peer's)
 * that has no live connection. *why gets the reason of a refusal.
 */
static bool admit(mllp_server *srv, const char *peer, const interop_facility *fac, size_t nfac, const char **why)
{
	unsigned live = 0, mine = 0, owed = 0;
	for (unsigned i = 0; i < srv->cfg.max_connections; i++) {
		const mllp_conn *c = &srv->conns[i];
		if (c->used && !c->done) {
			live++;
			mine += strcmp(c->peer, peer) == 0;
		}
	}
	for (size_t f = 0; f < nfac; f++) {
		if (!fac[f].addresses[0] || listed(fac[f].addresses, peer))
			continue;
		bool connected = false;
		for (unsigned i = 0; !connected && i < srv->cfg.max_connections; i++) {
			const mllp_conn *c = &srv->conns[i];
			connected = c->used && !c->done && listed(fac[f].addresses, c->peer);
		}
		owed += !connected;
	}
	if (mine >= srv->cfg.max_per_peer) {
		*why = "too many connections from this address";
		return false;
	}
	if (srv->cfg.max_connections - live <= owed) {
		*why = live >= srv->cfg.max_connections ? "every slot is taken"
							: "the free slots are kept for facilities without a connection";
		return false;
	}
	return true;
}

static void *accept_main(void *p)
{
	mllp_server *srv = p;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = srv->lfd, .events = POLLIN}, {.fd = srv->wake[0], .events = POLLIN}};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept(srv->lfd, (struct sockaddr *)&ss, &sl);
		if (fd < 0)
			continue;
		char peer[PEER_MAX];
		bool loopback, allowed = false;
		peer_text(&ss, peer, &loopback);
		if (srv->cfg.demo && loopback)
			allowed = true;
		else if (interop_address_allowed(srv->store, peer, &allowed) != HG_OK)
			allowed = false;
		if (!allowed) {
			fprintf(stderr, "hemgang: mllp: refused a connection from %s (no sending facility lists it)\n", peer);
			close(fd);
			continue;
		}
		interop_facility *fac = NULL;
		size_t nfac = 0;
		if (interop_facilities_list(srv->store, &fac, &nfac) != HG_OK) {
			fprintf(stderr, "hemgang: mllp: refused %s: the database is unavailable\n", peer);
			close(fd);
			continue;
		}
		/* a peer that never reads its ACKs cannot hold the thread for long */
		struct timeval tv = {.tv_sec = (time_t)srv->cfg.message_timeout_s, .tv_usec = 0};
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		const char *why = "cannot start a thread";
		pthread_mutex_lock(&srv->lock);
		mllp_conn *c = admit(srv, peer, fac, nfac, &why) ? free_slot(srv) : NULL;
		if (c) {
			memset(c, 0, sizeof *c);
			c->srv = srv;
			c->fd = fd;
			c->loopback = loopback;
			memcpy(c->peer, peer, sizeof c->peer);
			c->used = pthread_create(&c->th, NULL, conn_main, c) == 0;
		}
		pthread_mutex_unlock(&srv->lock);
		hg_free(fac);
		if (!c || !c->used) {
			fprintf(stderr, "hemgang: mllp: refused %s: %s\n", peer, why);
			close(fd);
			continue;
		}
	}
	return NULL;
}

hg_status mllp_config_limits(mllp_config *cfg, const char *spec, char *why, size_t why_cap)
{
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
		{"connections", offsetof(mllp_config, max_connections)},
		{"per-peer", offsetof(mllp_config, max_per_peer)},
		{"message-timeout", offsetof(mllp_config, message_timeout_s)},
		{"idle-timeout", offsetof(mllp_config, idle_timeout_s)},
	};
	for (const char *p = spec ? spec : ""; *p;) {
		size_t k = strcspn(p, ",");
		const char *eq = memchr(p, '=', k);
		bool done = false;
		for (size_t i = 0; eq && !done && i < sizeof keys / sizeof keys[0]; i++) {
			if ((size_t)(eq - p) != strlen(keys[i].key) || memcmp(p, keys[i].key, (size_t)(eq - p)) != 0)
				continue;
			char num[16], *end;
			size_t nl = k - (size_t)(eq - p) - 1;
			if (nl == 0 || nl >= sizeof num)
				break;
			memcpy(num, eq + 1, nl);
			num[nl] = '\0';
			long v = strtol(num, &end, 10);
			if (*end || v < 1 || v > 100000)
				break;
			*(unsigned *)(void *)((char *)cfg + keys[i].offset) = (unsigned)v;
			done = true;
		}
		if (!done) {
			snprintf(why, why_cap, "'%.*s' is not KEY=N (connections, per-peer, message-timeout, idle-timeout; 1-100000)",
				 (int)(k > 60 ? 60 : k), p);
			return HG_EINVAL;
		}
		p += k + (p[k] == ',');
	}
	return HG_OK;
}

/* Splits "ADDR:PORT" / "[ADDR]:PORT" into host and port text. */
static bool split_listen(const char *spec, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *colon;
	size_t hl;
	if (!spec || !*spec)
		return false;
	if (spec[0] == '[') {
		const char *close_br = strchr(spec, ']');
		if (!close_br || close_br[1] != ':')
			return false;
		hl = (size_t)(close_br - spec - 1);
		colon = close_br + 1;
		spec++;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return false;
		hl = (size_t)(colon - spec);
	}
	if (hl == 0 || hl >= hcap || strlen(colon + 1) == 0 || strlen(colon + 1) >= pcap)
		return false;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	snprintf(port, pcap, "%s", colon + 1);
	for (const char *q = port; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	return true;
}

static int bind_socket(const char *addr, unsigned *port_out, hg_status *why)
{
	char host[128], port[16];
	struct addrinfo hints, *res = NULL;
	*why = HG_EINVAL;
	if (!split_listen(addr, host, sizeof host, port, sizeof port))
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host, port, &hints, &res) != 0 || !res)
		return -1;
	*why = HG_EIO;
	int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	int one = 1;
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
			bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return -1;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		*port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							    : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

hg_status mllp_server_start(const mllp_config *cfg, store *s, mllp_server **out)
{
	hg_status why;
	mllp_server *srv = hg_calloc(1, sizeof *srv);
	if (!srv)
		return HG_ENOMEM;
	srv->cfg = *cfg;
	srv->cfg.listen = NULL;
	if (!srv->cfg.max_connections)
		srv->cfg.max_connections = 64;
	if (!srv->cfg.max_per_peer)
		srv->cfg.max_per_peer = 4;
	if (!srv->cfg.idle_timeout_s)
		srv->cfg.idle_timeout_s = 300;
	if (!srv->cfg.message_timeout_s)
		srv->cfg.message_timeout_s = 60;
	if (!srv->cfg.max_message || srv->cfg.max_message > HL7_MESSAGE_MAX)
		srv->cfg.max_message = HL7_MESSAGE_MAX;
	srv->store = s;
	srv->wake[0] = srv->wake[1] = -1;
	srv->conns = hg_calloc(srv->cfg.max_connections, sizeof *srv->conns);
	if (!srv->conns) {
		hg_free(srv);
		return HG_ENOMEM;
	}
	srv->lfd = bind_socket(cfg->listen, &srv->port, &why);
	if (srv->lfd < 0 || pipe(srv->wake) != 0) {
		if (srv->lfd >= 0) {
			close(srv->lfd);
			why = HG_EIO;
		}
		hg_free(srv->conns);
		hg_free(srv);
		return why;
	}
	pthread_mutex_init(&srv->lock, NULL);
	if (pthread_create(&srv->accept_th, NULL, accept_main, srv) != 0) {
		close(srv->lfd);
		close(srv->wake[0]);
		close(srv->wake[1]);
		pthread_mutex_destroy(&srv->lock);
		hg_free(srv->conns);
		hg_free(srv);
		return HG_EIO;
	}
	*out = srv;
	return HG_OK;
}

unsigned mllp_server_port(const mllp_server *srv) { return srv->port; }

void mllp_server_stop(mllp_server *srv)
{
	if (!srv)
		return;
	char b = 1;
	if (write(srv->wake[1], &b, 1) != 1)
		fprintf(stderr, "hemgang: mllp: cannot wake the accept thread\n");
	pthread_join(srv->accept_th, NULL);
	pthread_mutex_lock(&srv->lock);
	for (unsigned i = 0; i < srv->cfg.max_connections; i++)
		if (srv->conns[i].used && !srv->conns[i].done)
			shutdown(srv->conns[i].fd, SHUT_RDWR);
	pthread_mutex_unlock(&srv->lock);
	for (unsigned i = 0; i < srv->cfg.max_connections; i++)
		if (srv->conns[i].used) {
			pthread_join(srv->conns[i].th, NULL);
			close(srv->conns[i].fd);
		}
	close(srv->lfd);
	close(srv->wake[0]);
	close(srv->wake[1]);
	pthread_mutex_destroy(&srv->lock);
	hg_free(srv->conns);
	hg_free(srv);
}
