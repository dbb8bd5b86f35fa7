/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinning decision: which firewall holes an offer and an answer may
 * open under one policy snapshot, and why the rest are refused.
 *
 * It has parser.c's contract: no skb, no nf_conn, no allocation, no
 * printing, no state between calls. It is built into the module and, with
 * tests/shim/kshim.h, into the host unit tests and fuzzers. The call layer
 * (call.c) applies the keys it yields: what a dialog already has, limits,
 * expectations, events.
 */
#ifndef _EDGEPIN_PINNING_H
#define _EDGEPIN_PINNING_H

#ifdef __KERNEL__
#include <linux/bitmap.h>
#include <linux/inetdevice.h>
#include <linux/minmax.h>
#include <net/ipv6.h>
#endif
#include "policy.h"
#include "parser.h"

/* One media endpoint an SDP declared (a candidate or a default). */
struct edgepin_ep {
	union nf_inet_addr addr;
	u16 port;
	u8 family;			/* AF_INET / AF_INET6 */
	u8 proto;			/* IPPROTO_UDP / IPPROTO_TCP */
	u8 media;			/* m= index */
	u8 kind;			/* enum edgepin_cand_kind */
	u8 listens;			/* accepts connections/datagrams */
};

/*
 * Endpoints kept of one SIP message (all its SDP parts) and of one m=
 * index. Real ICE stays far below: the largest offers in tests/vectors
 * and ../shared/sdp-corpus (Lync, Skype for Business) declare 28
 * candidates in all, about 14 per m= line. The caps bound a summary to
 * a 4 KB slab object and a negotiation to 64 x 64 pairs per media.
 */
#define EDGEPIN_SDP_MAX_EPS		128
#define EDGEPIN_SDP_MAX_EPS_MEDIA	64

/* What pinholing needs of one SDP (all its multipart parts merged). */
struct edgepin_sdp {
	union nf_inet_addr sig;		/* its sender, as on the wire */
	u8 sig_family;
	bool from_edge;			/* sent from an edge address */
	u8 n_media;
	u8 media_type[SDP_MAX_MEDIA];	/* enum sdp_media_type */
	u16 media_port[SDP_MAX_MEDIA];	/* 0: stream rejected */
	u16 n_ep;
	struct edgepin_ep ep[];
};

/*
 * Building a summary from the parsed SDP parts of one message: begin,
 * add each part, end. The caller provides the (large) work area.
 */
struct edgepin_sdp_builder {
	struct edgepin_sdp sum;
	struct edgepin_ep ep[EDGEPIN_SDP_MAX_EPS];	/* sum.ep[] */
	struct edgepin_ep defaults[EDGEPIN_SDP_MAX_EPS];
	u8 media_eps[SDP_MAX_MEDIA];	/* endpoints kept per m= index */
	bool capped;			/* some were not: the rest ignored */
};

void edgepin_sdp_begin(struct edgepin_sdp_builder *b);
/* Merge one parsed SDP (parts of a multipart merge). */
void edgepin_sdp_add(struct edgepin_sdp_builder *b,
		     const struct sdp_session *sdp);
/*
 * Candidates first, then the c=/m= defaults and a=rtcp, each in SDP
 * order. The caller sets sum.sig, sum.sig_family and sum.from_edge.
 */
void edgepin_sdp_end(struct edgepin_sdp_builder *b);

/* A pinhole's identity: (peer source, edge destination, protocol). */
struct edgepin_pin_key {
	union nf_inet_addr edge_addr;
	union nf_inet_addr peer_addr;
	u16 edge_port;
	u16 peer_port;			/* 0 = any */
	u8 family;
	u8 proto;
	u8 media;
	u8 media_type;
	u8 edge_kind;
	u8 peer_kind;
};

/* Same pinhole (the kinds and media are not part of its identity). */
static inline bool edgepin_pin_key_eq(const struct edgepin_pin_key *a,
				      const struct edgepin_pin_key *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->edge_port == b->edge_port && a->peer_port == b->peer_port &&
	       nf_inet_addr_cmp(&a->edge_addr, &b->edge_addr) &&
	       nf_inet_addr_cmp(&a->peer_addr, &b->peer_addr);
}

/*
 * Why a pinhole, or an endpoint that would make some, is refused. Each
 * has one counter (and, for EDGEPIN_EVENT_REFUSED, that counter is the
 * UAPI reason EDGEPIN_A_REASON carries): edgepin_refusal_stat().
 */
enum edgepin_refusal {
	EDGEPIN_REFUSED_NONE = 0,
	EDGEPIN_REFUSED_RANGE,		/* edge port outside range */
	EDGEPIN_REFUSED_EXCLUDED,	/* edge port in exclude */
	EDGEPIN_REFUSED_NOT_EDGE,	/* destination not an edge address */
	EDGEPIN_REFUSED_TRANSPORT,	/* transport not allowed */
	EDGEPIN_REFUSED_TCP_ACTIVE,	/* edge TCP candidate not listening */
	EDGEPIN_REFUSED_SOURCE,		/* peer address not a unicast peer */
	EDGEPIN_REFUSED_MAX_PINHOLES,
	EDGEPIN_REFUSED_MAX_PER_CALL,
	EDGEPIN_REFUSED_EXPECT_FULL,	/* nf_conntrack_expect_max hit */
	EDGEPIN_REFUSED_OTHER,		/* expectation could not be created */
	__EDGEPIN_REFUSED_MAX
};

/* The counter (enum edgepin_stat) of a refusal, and its UAPI reason. */
u32 edgepin_refusal_stat(enum edgepin_refusal why);

/* Is @addr (of @family, AF_INET/AF_INET6) inside one of the edge prefixes? */
bool edgepin_policy_is_edge(const struct edgepin_policy *p, u8 family,
			    const union nf_inet_addr *addr);

/*
 * May @addr (of @family) be a pinhole's source? A unicast host that is
 * not an edge address: not unspecified, loopback, multicast, broadcast,
 * link-local or v4-mapped.
 */
bool edgepin_policy_peer_ok(const struct edgepin_policy *p, u8 family,
			    const union nf_inet_addr *addr);

/*
 * May @port of @proto (IPPROTO_UDP/TCP) be pinned? EDGEPIN_REFUSED_NONE,
 * or why not (TRANSPORT, RANGE, EXCLUDED).
 */
enum edgepin_refusal
edgepin_policy_check_port(const struct edgepin_policy *p, u8 proto, u16 port);

/* What the decision tells its caller, with the caller's @arg. */
struct edgepin_pinning_ops {
	/*
	 * The negotiation allows pinhole @k (the same key may come more than
	 * once). Returning true stops the decision: nothing more can change.
	 */
	bool (*want)(void *arg, const struct edgepin_pin_key *k);
	/* An endpoint refused: once per endpoint and direction pinned. */
	void (*refused)(void *arg, enum edgepin_refusal why);
};

/*
 * The pinholes @offer and @answer allow under @p: into the endpoints of
 * the side sent from an edge address (both sides when @p has no edges)
 * from the addresses the other side declared, for the streams both
 * accepted. At most 64 x 64 keys per media and direction.
 */
void edgepin_pinning(const struct edgepin_sdp *offer,
		     const struct edgepin_sdp *answer,
		     const struct edgepin_policy *p,
		     const struct edgepin_pinning_ops *ops, void *arg);

#endif /* _EDGEPIN_PINNING_H */
