// SPDX-License-Identifier: GPL-2.0
/*
 * Who may speak for the Edge (DESIGN.md, "Trust"): a message counts as
 * the Edge side's only if it comes from an edge address *and* arrived
 * from the Edge's side of the firewall, i.e. its source routes back out
 * of the interface it came in on (a strict reverse-path check, as nft's
 * "fib saddr . iif oif" does). The helper runs at confirm, after the
 * filter chains accepted a forged reply as "established", and neither
 * rp_filter=2 (loose, systemd's default) nor IPv6 (no rp_filter at all)
 * stops a packet that claims the Edge's source on the internet side.
 *
 * With no edge configured every side may open its own signalling
 * address, so every sender is checked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/ratelimit.h>
#include <net/ip_fib.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>

#include "helper.h"
#include "netns.h"
#include "trust.h"

/* Does @saddr route back out of @dev? Multipath routes: any nexthop. */
static bool rp_ok4(struct net *net, __be32 saddr, const struct net_device *dev)
{
	struct flowi4 fl4 = {
		.daddr = saddr,
		.flowi4_scope = RT_SCOPE_UNIVERSE,
		.flowi4_iif = LOOPBACK_IFINDEX,
	};
	struct fib_result res;

	if (fib_lookup(net, &fl4, &res, FIB_LOOKUP_IGNORE_LINKSTATE))
		return false;
	/* a packet from outside claiming one of our own addresses */
	if (res.type != RTN_UNICAST)
		return false;
	return fib_info_nh_uses_dev(res.fi, dev);
}

static bool rp_ok6(struct net *net, const struct in6_addr *saddr,
		   const struct net_device *dev)
{
	struct flowi6 fl6 = {
		.daddr = *saddr,
		.flowi6_iif = LOOPBACK_IFINDEX,
	};
	int flags = 0;
	struct rt6_info *rt;
	bool ok;

	if (ipv6_addr_type(saddr) & IPV6_ADDR_LINKLOCAL) {
		fl6.flowi6_oif = dev->ifindex;
		flags |= RT6_LOOKUP_F_IFACE;
	}
	rt = (struct rt6_info *)ip6_route_lookup(net, &fl6, NULL, flags);
	ok = !rt->dst.error &&
	     !(rt->rt6i_flags & (RTF_REJECT | RTF_ANYCAST | RTF_LOCAL)) &&
	     rt->rt6i_idev && rt->rt6i_idev->dev == dev;
	ip6_rt_put(rt);
	return ok;
}

/* Does the source of @ct's direction @dir come in where it routes back? */
static bool rp_ok(struct net *net, const struct sk_buff *skb,
		  const struct nf_conn *ct, enum ip_conntrack_dir dir)
{
	const union nf_inet_addr *src = &ct->tuplehash[dir].tuple.src.u3;
	const struct net_device *dev;

	/* sent by this host: its own stack chose the source address */
	if (!skb->skb_iif)
		return true;
	dev = dev_get_by_index_rcu(net, skb->skb_iif);
	if (!dev)
		return false;
	if (nf_ct_l3num(ct) == NFPROTO_IPV4)
		return rp_ok4(net, src->ip, dev);
	return rp_ok6(net, &src->in6, dev);
}

/* Does the sender of @ct's direction @dir claim to be the Edge? */
static bool claims_edge(const struct edgepin_policy *p,
			const struct nf_conn *ct, enum ip_conntrack_dir dir)
{
	/* without edge addresses any sender may pin its own address */
	return !p->n_edges || edgepin_ct_from_edge(p, ct, dir);
}

/*
 * Count, log and (rate limited) report a refusal: of a packet from the
 * sender of @ct's direction @dir that came in on @iif ("" if gone), or,
 * @iif NULL, of a fed message from it (DESIGN.md, "Trust": the same
 * rule, no packet).
 * RCU read lock held.
 */
static void spoof_refused(struct edgepin_net *en, const struct nf_conn *ct,
			  enum ip_conntrack_dir dir, const char *iif)
{
	const union nf_inet_addr *src = &ct->tuplehash[dir].tuple.src.u3;
	const char *why = iif ? "does not route back out of " :
		"(fed): no packet from its side passed the reverse-path check, or one failed it";
	const char *name = !iif ? "" : *iif ? iif : "?";
	int af = nf_ct_l3num(ct) == NFPROTO_IPV4 ? AF_INET : AF_INET6;

	edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_SPOOFED);
	if (af == AF_INET)
		net_info_ratelimited("edgepin: %pI4 %s%s: message ignored (spoofed source?)\n",
				     &src->ip, why, name);
	else
		net_info_ratelimited("edgepin: %pI6c %s%s: message ignored (spoofed source?)\n",
				     &src->in6, why, name);
	if (__ratelimit(&en->spoof_events))
		edgepin_notify_spoofed(en, af, src, iif ?: "");
}

/* Count and report a packet of @ct's direction @dir refused as spoofed. */
static void packet_refused(struct edgepin_net *en, const struct sk_buff *skb,
			   const struct nf_conn *ct, enum ip_conntrack_dir dir)
{
	const struct net_device *dev;

	dev = dev_get_by_index_rcu(nf_ct_net(ct), skb->skb_iif);
	spoof_refused(en, ct, dir, dev ? dev->name : "");
}

bool edgepin_spoofed(struct edgepin_net *en, const struct sk_buff *skb,
		     const struct nf_conn *ct, enum ip_conntrack_dir dir)
{
	struct edgepin_ct *ect = edgepin_ct(ct);
	struct net *net = nf_ct_net(ct);
	bool spoofed = false;

	rcu_read_lock();
	if (claims_edge(rcu_dereference(en->policy), ct, dir)) {
		spoofed = !rp_ok(net, skb, ct, dir);
		/* what edgepin_feed_spoofed() asks of this direction */
		if (spoofed)
			WRITE_ONCE(ect->rp_failed[dir], true);
		else if (!READ_ONCE(ect->rp_passed[dir]))
			WRITE_ONCE(ect->rp_passed[dir], true);
	}
	if (spoofed)
		packet_refused(en, skb, ct, dir);
	rcu_read_unlock();
	return spoofed;
}

/*
 * What a TURN server confirms opens the relay to a peer: its responses
 * are always checked, whatever its address (an Edge's TURN service may
 * listen on an internal address that is not an edge address, with its
 * relays on the external one).
 */
bool edgepin_turn_spoofed(struct edgepin_net *en, const struct sk_buff *skb,
			  const struct nf_conn *ct, enum ip_conntrack_dir dir)
{
	bool spoofed;

	rcu_read_lock();
	spoofed = !rp_ok(nf_ct_net(ct), skb, ct, dir);
	if (spoofed)
		packet_refused(en, skb, ct, dir);
	rcu_read_unlock();
	return spoofed;
}

/*
 * A fed message has no packet to check: it may speak for the sender of
 * @ct's direction @dir only if the wire rule would let that sender's own
 * packets speak, i.e. if a packet of that direction passed the check and
 * none ever failed it. Else a single forged datagram that claims an edge
 * source (its conntrack made, its SIP refused, but the packet delivered
 * and mirrored to the feed by the proxy) would open what the wire refused.
 */
bool edgepin_feed_spoofed(struct edgepin_net *en, const struct nf_conn *ct,
			  enum ip_conntrack_dir dir)
{
	const struct edgepin_ct *ect = edgepin_ct(ct);
	bool spoofed;

	rcu_read_lock();
	spoofed = claims_edge(rcu_dereference(en->policy), ct, dir) &&
		  (!READ_ONCE(ect->rp_passed[dir]) ||
		   READ_ONCE(ect->rp_failed[dir]));
	if (spoofed)
		spoof_refused(en, ct, dir, NULL);
	rcu_read_unlock();
	return spoofed;
}
