/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-netns policy: what may be pinned. Readers use it under RCU;
 * a new policy is built whole, validated, then swapped in. Its two
 * predicates, edgepin_policy_is_edge() and edgepin_policy_check_port(),
 * are part of the pinning decision (pinning.h).
 */
#ifndef _EDGEPIN_POLICY_H
#define _EDGEPIN_POLICY_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/rcupdate.h>
#include <net/netlink.h>
#include <linux/netfilter.h>
#else
#include "kshim.h"	/* the host tests: tests/shim */
#endif

#include "uapi/edgepin.h"

#define EDGEPIN_MAX_RANGES	16
#define EDGEPIN_MAX_EDGES	32
#define EDGEPIN_MAX_EXCLUDES	32

struct edgepin_range {
	u16 lo;
	u16 hi;
};

struct edgepin_prefix {
	union nf_inet_addr addr;	/* host bits zero */
	u8 family;			/* AF_INET or AF_INET6 */
	u8 plen;
};

struct edgepin_exclude {
	u16 lo;
	u16 hi;
	u8 protos;			/* EDGEPIN_PROTO_* */
};

struct edgepin_policy {
	struct rcu_head rcu;
	u32 max_calls;
	u32 max_calls_per_source;	/* above max_calls acts as max_calls */
	u32 max_pinholes;
	u32 max_per_call;
	u32 pinhole_timeout;		/* seconds */
	u32 call_timeout;		/* seconds */
	u8 transports;			/* EDGEPIN_PROTO_* */
	u8 peer_match;			/* enum edgepin_peer_match */
	u8 mode;			/* enum edgepin_mode */
	u8 sip_feed;			/* enum edgepin_sip_feed */
	u8 n_ranges;
	u8 n_edges;
	u8 n_excludes;
	struct edgepin_range ranges[EDGEPIN_MAX_RANGES];
	struct edgepin_prefix edges[EDGEPIN_MAX_EDGES];
	struct edgepin_exclude excludes[EDGEPIN_MAX_EXCLUDES];
};

/* Fill @p with the defaults of DESIGN.md (the one table of them). */
void edgepin_policy_default(struct edgepin_policy *p);

/*
 * Parse a nested EDGEPIN_A_POLICY into @p, which holds the base (the
 * current policy, or the defaults for a replace). Validates everything;
 * on error @p is garbage and the caller discards it.
 */
int edgepin_policy_parse(struct edgepin_policy *p, const struct nlattr *nest,
			 struct netlink_ext_ack *extack);

/*
 * The limits that size kernel memory (max-calls, max-pinholes,
 * max-pinholes-per-call; the offer budget follows max-calls) may be
 * lowered by any admin of the netns but raised above their defaults only
 * if @may_raise. -EPERM, with an extack message, if @new raises one above
 * both its default and its value in @old.
 */
int edgepin_policy_check_limits(const struct edgepin_policy *old,
				const struct edgepin_policy *new,
				bool may_raise,
				struct netlink_ext_ack *extack);

/* Put @p as a nested EDGEPIN_A_POLICY. */
int edgepin_policy_fill(const struct edgepin_policy *p, struct sk_buff *skb);

#endif /* _EDGEPIN_POLICY_H */
