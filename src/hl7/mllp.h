/*
 * mllp.h - the MLLP listener: HL7 v2 messages over TCP, each framed as
 * 0x0B message 0x1C 0x0D (the Minimal Lower Layer Protocol of HL7 v2.5
 * appendix C), answered one by one on the same connection.
 *
 * `hemgang serve --mllp ADDR:PORT` starts one beside the HTTP server. An
 * accept thread admits only source addresses that some sending facility lists
 * (interop_store.h), or any loopback address when the database holds demo
 * data, and gives each connection a thread of its own. No one peer can hold
 * the feed (issue 13.6): at most max_per_peer connections come from one
 * source address, and every registered facility that has no connection keeps
 * one slot of max_connections in reserve, which only its own addresses may
 * take. A connection reads frames up to max_message bytes, hands each message
 * to hl7_service_handle() and writes the ACK back only after the events are
 * durable; an oversized frame gets an AR and the connection is closed. Two
 * clocks close a connection, neither reset by stray bytes: a frame that has
 * not ended message_timeout_s after its first byte arrived, and no complete
 * message for idle_timeout_s. No global state: everything hangs off the
 * mllp_server.
 */
#ifndef HG_HL7_MLLP_H
#define HG_HL7_MLLP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"
#include "store/store.h"

#define MLLP_START 0x0B
#define MLLP_END 0x1C
#define MLLP_CR 0x0D

typedef enum mllp_frame_state {
	MLLP_NEED_MORE = 0, /* no complete frame yet */
	MLLP_FRAME,         /* a frame: buf[*msg_off .. *msg_off + *msg_len) */
	MLLP_TOO_BIG        /* a frame longer than max has started */
} mllp_frame_state;

/*
 * Finds the first frame in buf[0..len). Bytes before the start byte are noise
 * and are consumed; *consumed says how many bytes the caller may drop (through
 * the end of the frame when one was found). Pure.
 */
mllp_frame_state mllp_deframe(const char *buf, size_t len, size_t max, size_t *msg_off, size_t *msg_len,
			      size_t *consumed);

typedef struct mllp_config {
	const char *listen;         /* "ADDR:PORT" or "[IPv6]:PORT"; port 0 = ephemeral */
	unsigned max_connections;   /* [64] all connections at once, the facilities' reserve included */
	unsigned max_per_peer;      /* [4] connections from one source address */
	unsigned idle_timeout_s;    /* [300] without a complete message */
	unsigned message_timeout_s; /* [60] from a frame's first byte to its end */
	size_t max_message;         /* [HL7_MESSAGE_MAX] */
	bool demo;                  /* any loopback sender; processing ids T and D */
} mllp_config;

/*
 * Reads `--mllp-limits`: comma-separated KEY=N of connections, per-peer,
 * message-timeout and idle-timeout (seconds), each 1-100000, into *cfg.
 * HG_EINVAL (why names the part) for anything else.
 */
hg_status mllp_config_limits(mllp_config *cfg, const char *spec, char *why, size_t why_cap) HG_MUST_CHECK;

typedef struct mllp_server mllp_server;

/*
 * Binds and starts the accept thread. The store is borrowed and must outlive
 * the server. HG_EINVAL for a bad address, HG_EIO when it cannot bind.
 */
hg_status mllp_server_start(const mllp_config *cfg, store *s, mllp_server **out) HG_MUST_CHECK;
/* The TCP port actually bound. */
unsigned mllp_server_port(const mllp_server *srv);
/* Stops accepting, closes every connection (a message in progress is finished first), frees. NULL is a no-op. */
void mllp_server_stop(mllp_server *srv);

#endif
