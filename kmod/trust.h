/* SPDX-License-Identifier: GPL-2.0 */
/* Who may speak for the Edge: the reverse-path rule (trust.c). */
#ifndef _EDGEPIN_TRUST_H
#define _EDGEPIN_TRUST_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "pinning.h"

struct edgepin_net;

/* Is the sender of @ct's direction @dir an edge address, before or after NAT? */
static inline bool edgepin_ct_from_edge(const struct edgepin_policy *p,
					const struct nf_conn *ct,
					enum ip_conntrack_dir dir)
{
	u8 af = nf_ct_l3num(ct);

	return edgepin_policy_is_edge(p, af, &ct->tuplehash[dir].tuple.src.u3) ||
	       edgepin_policy_is_edge(p, af, &ct->tuplehash[!dir].tuple.dst.u3);
}

/*
 * Did the packet @skb of @ct's direction @dir claim a source that does
 * not route back out of its ingress interface, while that source may
 * speak for the Edge (an edge address, or any sender with no edge
 * configured)? Then it is counted (refused_spoofed), logged and
 * notified rate-limited, and its bytes must not be read as SIP.
 */
bool edgepin_spoofed(struct edgepin_net *en, const struct sk_buff *skb,
		     const struct nf_conn *ct, enum ip_conntrack_dir dir);

/*
 * May a fed message speak for the sender of @ct's direction @dir? Not
 * when the wire would check that sender (it claims the Edge) unless a
 * packet of that direction passed the check and none failed it: then
 * it is counted (refused_spoofed), logged and notified rate-limited,
 * and true is returned.
 */
bool edgepin_feed_spoofed(struct edgepin_net *en, const struct nf_conn *ct,
			  enum ip_conntrack_dir dir);

/*
 * Did the TURN server's packet @skb (the sender of @ct's direction @dir)
 * come in where its source does not route back out? Then it is counted
 * (refused_spoofed), logged and notified rate-limited, and nothing it
 * confirms may open the relay.
 */
bool edgepin_turn_spoofed(struct edgepin_net *en, const struct sk_buff *skb,
			  const struct nf_conn *ct, enum ip_conntrack_dir dir);

#endif /* _EDGEPIN_TRUST_H */
