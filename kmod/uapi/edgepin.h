/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edgepin generic netlink interface: the one definition shared by the
 * module and the edgepin tool. Extend only by appending.
 */
#ifndef _UAPI_LINUX_EDGEPIN_H
#define _UAPI_LINUX_EDGEPIN_H

#define EDGEPIN_GENL_NAME	"edgepin"
#define EDGEPIN_GENL_VERSION	1
#define EDGEPIN_MCGRP_EVENTS	"events"

/* Longest Call-ID tracked; a call with a longer one is not tracked. */
#define EDGEPIN_CALL_ID_MAX	128

enum edgepin_cmd {
	EDGEPIN_CMD_UNSPEC,
	EDGEPIN_CMD_POLICY_GET,		/* reply: EDGEPIN_A_POLICY */
	EDGEPIN_CMD_POLICY_SET,		/* EDGEPIN_A_POLICY (+ flags) */
	EDGEPIN_CMD_PINHOLE_GET,	/* dump; filter CALL_ID, PEER_ADDR */
	EDGEPIN_CMD_PINHOLE_FLUSH,	/* optional CALL_ID */
	EDGEPIN_CMD_CALL_GET,		/* dump */
	EDGEPIN_CMD_CALL_DROP,		/* CALL_ID */
	EDGEPIN_CMD_STATS_GET,		/* reply: EDGEPIN_A_STATS */
	EDGEPIN_CMD_STATS_RESET,
	EDGEPIN_CMD_EVENT,		/* multicast only */
	/*
	 * A SIP message mirrored by a TLS-terminating proxy (edgepin feed):
	 * EDGEPIN_A_FEED. Or, with EDGEPIN_A_FEED_DROP instead, what the
	 * feed refused before the module (counted, and an event).
	 */
	EDGEPIN_CMD_FEED,
	__EDGEPIN_CMD_MAX
};
#define EDGEPIN_CMD_MAX (__EDGEPIN_CMD_MAX - 1)

/* Top-level attributes. */
enum edgepin_attr {
	EDGEPIN_A_UNSPEC,
	EDGEPIN_A_POLICY,		/* nested: EDGEPIN_A_POL_* */
	EDGEPIN_A_POLICY_REPLACE,	/* flag: start from the defaults */
	EDGEPIN_A_PINHOLE,		/* nested: EDGEPIN_A_PIN_* */
	EDGEPIN_A_CALL,			/* nested: EDGEPIN_A_CALL_* */
	EDGEPIN_A_STATS,		/* nested: u64 per enum edgepin_stat */
	EDGEPIN_A_CALL_ID,		/* string (binary-safe, no NUL) */
	EDGEPIN_A_PEER_ADDR,		/* binary, 4 or 16 bytes */
	EDGEPIN_A_EVENT,		/* u8: enum edgepin_event */
	EDGEPIN_A_COUNT,		/* u32: how many were closed/dropped */
	EDGEPIN_A_REASON,		/* u32: enum edgepin_stat of a refusal */
	EDGEPIN_A_IIF,			/* string: ingress interface name */
	EDGEPIN_A_POLICY_CHECK,		/* flag: a dry run of POLICY_SET */
	EDGEPIN_A_FEED,			/* nested: EDGEPIN_A_FEED_* */
	EDGEPIN_A_FEED_DROP,		/* nested: EDGEPIN_A_FEED_DROP_* */
	__EDGEPIN_A_MAX
};
#define EDGEPIN_A_MAX (__EDGEPIN_A_MAX - 1)

/*
 * Policy. In POLICY_SET, each attribute present replaces that key (a list
 * key such as RANGE is replaced as a whole by all its entries); absent
 * keys keep their value, or the default with EDGEPIN_A_POLICY_REPLACE.
 * A rejected policy changes nothing.
 */
enum edgepin_policy_attr {
	EDGEPIN_A_POL_UNSPEC,
	EDGEPIN_A_POL_RANGES,		/* nested: EDGEPIN_A_POL_RANGE... */
	EDGEPIN_A_POL_RANGE,		/* u32: lo << 16 | hi */
	EDGEPIN_A_POL_EDGES,		/* nested: EDGEPIN_A_POL_PREFIX... */
	EDGEPIN_A_POL_PREFIX,		/* binary: family(1) plen(1) addr(4|16) */
	EDGEPIN_A_POL_EXCLUDES,		/* nested: EDGEPIN_A_POL_EXCLUDE... */
	EDGEPIN_A_POL_EXCLUDE,		/* u64: see EDGEPIN_EXCL_PROTO_SHIFT */
	EDGEPIN_A_POL_TRANSPORTS,	/* u8: EDGEPIN_PROTO_* bits */
	EDGEPIN_A_POL_PEER_MATCH,	/* u8: enum edgepin_peer_match */
	EDGEPIN_A_POL_MAX_CALLS,	/* u32 */
	EDGEPIN_A_POL_MAX_PINHOLES,	/* u32 */
	EDGEPIN_A_POL_MAX_PER_CALL,	/* u32 */
	EDGEPIN_A_POL_PINHOLE_TIMEOUT,	/* u32 seconds */
	EDGEPIN_A_POL_CALL_TIMEOUT,	/* u32 seconds */
	EDGEPIN_A_POL_MODE,		/* u8: enum edgepin_mode */
	EDGEPIN_A_POL_MAX_CALLS_PER_SOURCE, /* u32 */
	EDGEPIN_A_POL_SIP_FEED,		/* u8: enum edgepin_sip_feed */
	__EDGEPIN_A_POL_MAX
};
#define EDGEPIN_A_POL_MAX (__EDGEPIN_A_POL_MAX - 1)

/*
 * An exclude entry is a u64: the port range lo << 16 | hi in bits 0..31
 * and its EDGEPIN_PROTO_* bits in bits 32..39.
 */
#define EDGEPIN_EXCL_PROTO_SHIFT 32

#define EDGEPIN_PROTO_UDP	0x01
#define EDGEPIN_PROTO_TCP	0x02

enum edgepin_peer_match {
	EDGEPIN_PEER_MATCH_ADDRESS,
	EDGEPIN_PEER_MATCH_ADDRESS_PORT,
};

enum edgepin_mode {
	EDGEPIN_MODE_ENFORCE,
	EDGEPIN_MODE_MONITOR,
};

/* Policy key sip-feed: may fed SIP (EDGEPIN_CMD_FEED) speak for calls? */
enum edgepin_sip_feed {
	/* yes; a call hears only the source (wire or feed) it was learned from */
	EDGEPIN_SIP_FEED_ON,
	EDGEPIN_SIP_FEED_OFF,		/* no: fed messages are refused */
	/* yes, and wire and feed both speak for the same call (a message
	 * seen by both counts once)
	 */
	EDGEPIN_SIP_FEED_SHARED,
};

/* Where a call, and so its pinholes, was learned from. */
enum edgepin_origin {
	EDGEPIN_ORIGIN_WIRE,		/* SIP read on the wire by the helper */
	EDGEPIN_ORIGIN_FEED,		/* SIP fed by EDGEPIN_CMD_FEED */
	/* a TURN permission the server confirmed (helper edgepin-turn);
	 * its pinhole has no call but an allocation (EDGEPIN_A_PIN_TURN_*)
	 */
	EDGEPIN_ORIGIN_TURN,
};

/*
 * A fed message: the SIP message and its transport and addresses as the
 * proxy saw them (TLS is reported as IPPROTO_TCP). The module looks up
 * the signalling connection these name (either way round, before or
 * after NAT) in conntrack zone EDGEPIN_A_FEED_ZONE (default 0); it must
 * carry an edgepin helper, and becomes the pinholes' master.
 */
enum edgepin_feed_attr {
	EDGEPIN_A_FEED_UNSPEC,
	EDGEPIN_A_FEED_PROTO,		/* u8: IPPROTO_UDP / IPPROTO_TCP */
	EDGEPIN_A_FEED_FAMILY,		/* u8: AF_INET / AF_INET6 */
	EDGEPIN_A_FEED_SRC_ADDR,	/* binary 4|16 */
	EDGEPIN_A_FEED_SRC_PORT,	/* u16 */
	EDGEPIN_A_FEED_DST_ADDR,	/* binary 4|16 */
	EDGEPIN_A_FEED_DST_PORT,	/* u16 */
	EDGEPIN_A_FEED_MSG,		/* binary: one SIP message */
	EDGEPIN_A_FEED_ZONE,		/* u16: conntrack zone, default 0 */
	EDGEPIN_A_FEED_TLS,		/* flag: it came over TLS */
	__EDGEPIN_A_FEED_MAX
};
#define EDGEPIN_A_FEED_MAX (__EDGEPIN_A_FEED_MAX - 1)

/*
 * What edgepin feed refused itself: EDGEPIN_A_FEED_DROP_COUNT more
 * refusals of enum edgepin_stat EDGEPIN_A_FEED_DROP_REASON (one of the
 * EDGEPIN_STAT_FEED_REFUSED_* counters), the last from
 * EDGEPIN_A_FEED_DROP_SENDER. The module adds them to its counters and
 * multicasts EDGEPIN_EVENT_FEED_REFUSED.
 */
enum edgepin_feed_drop_attr {
	EDGEPIN_A_FEED_DROP_UNSPEC,
	EDGEPIN_A_FEED_DROP_REASON,	/* u32: enum edgepin_stat */
	EDGEPIN_A_FEED_DROP_COUNT,	/* u32 */
	EDGEPIN_A_FEED_DROP_SENDER,	/* binary 4|16; absent: local socket */
	__EDGEPIN_A_FEED_DROP_MAX
};
#define EDGEPIN_A_FEED_DROP_MAX (__EDGEPIN_A_FEED_DROP_MAX - 1)

/* A pinhole (one conntrack expectation). */
enum edgepin_pinhole_attr {
	EDGEPIN_A_PIN_UNSPEC,
	EDGEPIN_A_PIN_CALL_ID,		/* string */
	EDGEPIN_A_PIN_MEDIA,		/* string: "audio", "video", ... */
	EDGEPIN_A_PIN_MEDIA_INDEX,	/* u8: m= section index */
	EDGEPIN_A_PIN_PROTO,		/* u8: IPPROTO_UDP / IPPROTO_TCP */
	EDGEPIN_A_PIN_FAMILY,		/* u8: AF_INET / AF_INET6 */
	EDGEPIN_A_PIN_EDGE_ADDR,	/* binary 4|16 */
	EDGEPIN_A_PIN_EDGE_PORT,	/* u16 */
	EDGEPIN_A_PIN_PEER_ADDR,	/* binary 4|16 */
	EDGEPIN_A_PIN_PEER_PORT,	/* u16, 0 = any */
	EDGEPIN_A_PIN_STATE,		/* u8: enum edgepin_pin_state */
	EDGEPIN_A_PIN_TIMEOUT,		/* u32 s left; absent while held */
	EDGEPIN_A_PIN_FLOWS,		/* u32: flows that entered */
	EDGEPIN_A_PIN_EDGE_CAND,	/* u8: enum edgepin_cand_kind */
	EDGEPIN_A_PIN_PEER_CAND,	/* u8: enum edgepin_cand_kind */
	EDGEPIN_A_PIN_ORIGIN,		/* u8: enum edgepin_origin */
	/*
	 * Origin TURN: the allocation whose permission it is (the relay is
	 * EDGEPIN_A_PIN_EDGE_*, the permitted peer EDGEPIN_A_PIN_PEER_ADDR,
	 * EDGEPIN_A_PIN_TIMEOUT the permission's seconds left): the client's
	 * transport to the server, as the server sees it.
	 */
	EDGEPIN_A_PIN_TURN_FAMILY,	/* u8: AF_INET / AF_INET6 */
	EDGEPIN_A_PIN_TURN_PROTO,	/* u8: IPPROTO_UDP / IPPROTO_TCP */
	EDGEPIN_A_PIN_TURN_CLIENT_ADDR,	/* binary 4|16 */
	EDGEPIN_A_PIN_TURN_CLIENT_PORT,	/* u16 */
	EDGEPIN_A_PIN_TURN_SERVER_ADDR,	/* binary 4|16 */
	EDGEPIN_A_PIN_TURN_SERVER_PORT,	/* u16 */
	EDGEPIN_A_PIN_TURN_LIFETIME,	/* u32: the allocation's seconds left */
	__EDGEPIN_A_PIN_MAX
};
#define EDGEPIN_A_PIN_MAX (__EDGEPIN_A_PIN_MAX - 1)

enum edgepin_pin_state {
	EDGEPIN_PIN_PINNED,		/* not used yet */
	EDGEPIN_PIN_ACTIVE,		/* a flow entered through it */
	EDGEPIN_PIN_MONITOR,		/* mode monitor: would be pinned */
};

/* Why an address is part of a pinhole: which SDP line declared it. */
enum edgepin_cand_kind {
	EDGEPIN_CAND_DEFAULT,		/* c=/m= default address */
	EDGEPIN_CAND_HOST,
	EDGEPIN_CAND_SRFLX,
	EDGEPIN_CAND_PRFLX,
	EDGEPIN_CAND_RELAY,
	EDGEPIN_CAND_OTHER,		/* draft-6, x-candidate, unknown typ */
	EDGEPIN_CAND_RTCP,		/* a=rtcp */
};

/* A tracked call. */
enum edgepin_call_attr {
	EDGEPIN_A_CALL_UNSPEC,
	EDGEPIN_A_CALL_ID_STR,		/* string */
	EDGEPIN_A_CALL_STATE,		/* u8: enum edgepin_call_state */
	EDGEPIN_A_CALL_FAMILY,		/* u8: AF_INET / AF_INET6 */
	EDGEPIN_A_CALL_EDGE_SIG,	/* binary: edge side signalling addr */
	EDGEPIN_A_CALL_PEER_SIG,	/* binary: other side signalling addr */
	EDGEPIN_A_CALL_PROTO,		/* u8: signalling IPPROTO_UDP/TCP */
	EDGEPIN_A_CALL_PINHOLES,	/* u32 */
	EDGEPIN_A_CALL_AGE,		/* u32 seconds since the first INVITE */
	EDGEPIN_A_CALL_IDLE,		/* u32 seconds since in-dialog traffic */
	EDGEPIN_A_CALL_EDGE_OFFERED,	/* flag: the edge side made the offer */
	EDGEPIN_A_CALL_ORIGIN,		/* u8: enum edgepin_origin */
	__EDGEPIN_A_CALL_MAX
};
#define EDGEPIN_A_CALL_MAX (__EDGEPIN_A_CALL_MAX - 1)

enum edgepin_call_state {
	EDGEPIN_CALL_OFFERED,		/* offer seen, no answer yet */
	EDGEPIN_CALL_EARLY,		/* provisional answer with SDP */
	EDGEPIN_CALL_CONFIRMED,		/* 2xx answer */
	EDGEPIN_CALL_ENDED,		/* only in events */
};

/*
 * Counters. In EDGEPIN_A_STATS each counter is a u64 attribute whose type
 * is its enum value + 1. Attributes of type 0 in a nest holding u64s are
 * alignment padding; skip them.
 */
enum edgepin_stat {
	EDGEPIN_STAT_MESSAGES,		/* SIP messages parsed */
	EDGEPIN_STAT_PARSE_ERRORS,	/* messages or bodies that did not */
	EDGEPIN_STAT_TCP_RESYNCS,	/* TCP stream gaps/garbage skipped */
	EDGEPIN_STAT_CALLS_STARTED,
	EDGEPIN_STAT_CALLS_ENDED,
	EDGEPIN_STAT_CALLS_TIMED_OUT,
	EDGEPIN_STAT_PINHOLES_OPENED,
	EDGEPIN_STAT_PINHOLES_CLOSED,	/* by call end, re-INVITE, flush */
	EDGEPIN_STAT_PINHOLES_EXPIRED,	/* unused for pinhole-timeout */
	EDGEPIN_STAT_FLOWS_ADMITTED,	/* connections through a pinhole */
	EDGEPIN_STAT_FLOWS_REMOVED,	/* media flows cut at call end */
	/* Refusals, by reason. */
	EDGEPIN_STAT_REFUSED_RANGE,	/* edge port outside range */
	EDGEPIN_STAT_REFUSED_EXCLUDED,	/* edge port in exclude */
	EDGEPIN_STAT_REFUSED_NOT_EDGE,	/* destination not an edge address */
	EDGEPIN_STAT_REFUSED_TRANSPORT,	/* transport not allowed */
	EDGEPIN_STAT_REFUSED_TCP_ACTIVE, /* edge TCP candidate not listening */
	EDGEPIN_STAT_REFUSED_SOURCE,	/* peer address not a unicast peer */
	EDGEPIN_STAT_REFUSED_MAX_CALLS,
	EDGEPIN_STAT_REFUSED_MAX_PINHOLES,
	EDGEPIN_STAT_REFUSED_MAX_PER_CALL,
	EDGEPIN_STAT_REFUSED_EXPECT_FULL, /* nf_conntrack_expect_max hit */
	EDGEPIN_STAT_REFUSED_TCP_MEMORY, /* TCP reassembly bound hit */
	EDGEPIN_STAT_REFUSED_OTHER,	/* expectation could not be created */
	EDGEPIN_STAT_MONITOR_WOULD_PIN,	/* mode monitor */
	/* Hostile traffic. */
	EDGEPIN_STAT_REFUSED_SPOOFED,	/* edge source, not from the edge's side */
	EDGEPIN_STAT_TCP_OUT_OF_ORDER,	/* TCP segments held until a gap filled */
	EDGEPIN_STAT_REFUSED_CALLS_PER_SOURCE, /* a source's share of max-calls */
	EDGEPIN_STAT_CALLS_EVICTED,	/* unconfirmed calls evicted at max-calls */
	EDGEPIN_STAT_REFUSED_NOT_IN_CALL, /* message from outside the call */
	EDGEPIN_STAT_REFUSED_OFFER_MEMORY, /* offer memory budget hit */
	/* The SIP feed (EDGEPIN_CMD_FEED) and TLS. */
	EDGEPIN_STAT_FEED_MESSAGES,	/* fed messages received */
	/* no helper-attached connection has the fed addresses */
	EDGEPIN_STAT_FEED_NO_MASTER,
	/* fed with sip-feed off, or a call's message from the source (wire
	 * or feed) it does not hear
	 */
	EDGEPIN_STAT_REFUSED_OTHER_SOURCE,
	EDGEPIN_STAT_FEED_REFUSED_SENDER, /* by edgepin feed: unlisted sender */
	EDGEPIN_STAT_FEED_REFUSED_KEY,	/* by edgepin feed: wrong or no key */
	/* by edgepin feed: bad HEP, not SIP, addresses unusable */
	EDGEPIN_STAT_FEED_REFUSED_MALFORMED,
	/* helper-attached TCP streams that began with TLS: not read */
	EDGEPIN_STAT_TLS_STREAMS,
	/* TURN (helper edgepin-turn). Its refusals (relay not an edge
	 * address, out of range, excluded; peer not a unicast peer; limits;
	 * spoofed responses) count with the SIP helper's; an allocation
	 * counts against max-calls, a permission against max-pinholes and
	 * max-pinholes-per-call.
	 */
	EDGEPIN_STAT_TURN_MESSAGES,	/* STUN/TURN messages parsed */
	EDGEPIN_STAT_TURN_PARSE_ERRORS,	/* not STUN/TURN, or malformed */
	EDGEPIN_STAT_TURN_ALLOCATIONS,	/* allocations learned */
	EDGEPIN_STAT_TURN_ALLOCATIONS_ENDED, /* deleted, expired or lost */
	/* success responses matching no request seen (or not its method) */
	EDGEPIN_STAT_TURN_UNMATCHED,
	/* requests forgotten unanswered (too many outstanding per client) */
	EDGEPIN_STAT_TURN_REQUESTS_DROPPED,
	__EDGEPIN_STAT_MAX
};
#define EDGEPIN_STAT_MAX (__EDGEPIN_STAT_MAX - 1)

enum edgepin_event {
	EDGEPIN_EVENT_PINHOLE_OPEN,	/* + EDGEPIN_A_PINHOLE */
	EDGEPIN_EVENT_PINHOLE_CLOSE,	/* + EDGEPIN_A_PINHOLE */
	EDGEPIN_EVENT_PINHOLE_EXPIRE,	/* + EDGEPIN_A_PINHOLE */
	EDGEPIN_EVENT_CALL_START,	/* + EDGEPIN_A_CALL */
	EDGEPIN_EVENT_CALL_END,		/* + EDGEPIN_A_CALL */
	EDGEPIN_EVENT_REFUSED,		/* + EDGEPIN_A_PINHOLE, EDGEPIN_A_REASON;
					 * for REFUSED_SPOOFED instead the
					 * claimed source EDGEPIN_A_PEER_ADDR
					 * and EDGEPIN_A_IIF it came in on
					 */
	/* + EDGEPIN_A_REASON, EDGEPIN_A_COUNT, EDGEPIN_A_PEER_ADDR (the
	 * sender, when not the local socket)
	 */
	EDGEPIN_EVENT_FEED_REFUSED,
};

#endif /* _UAPI_LINUX_EDGEPIN_H */
