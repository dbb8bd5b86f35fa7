/* SPDX-License-Identifier: GPL-2.0 */
/* Who may speak for the Edge: the reverse-path rule (trust.c). */
#ifndef _EDGEPIN_TRUST_H
#define _EDGEPIN_TRUST_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

struct edgepin_net;

/*
 * Did the packet @skb of @ct's direction @dir claim a source that does
 * not route back out of its ingress interface, while that source may
 * speak for the Edge (an edge address, or any sender with no edge
 * configured)? Then it is counted (refused_spoofed), logged and
 * notified rate-limited, and its bytes must not be read as SIP.
 */
bool edgepin_spoofed(struct edgepin_net *en, const struct sk_buff *skb,
		     const struct nf_conn *ct, enum ip_conntrack_dir dir);

#endif /* _EDGEPIN_TRUST_H */
