// SPDX-License-Identifier: GPL-2.0
/*
 * The per-netns policy: its defaults and its netlink form; the two
 * predicates the packet path asks are part of pinning.c. Parsing
 * validates everything before anything is used, so a rejected policy
 * never reaches the packet path.
 *
 * An edge prefix with host bits set (203.0.113.5/24) is rejected rather
 * than masked: the operator meant either the host or the network, and
 * guessing which would silently widen or narrow what may be pinned.
 */
#include <linux/inetdevice.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <net/ipv6.h>

#include "policy.h"

/* DESIGN.md "Policy": the defaults, in one place. */
static const struct edgepin_policy edgepin_policy_defaults = {
	.max_calls		= 16384,
	.max_calls_per_source	= 1024,
	.max_pinholes		= 65536,
	.max_per_call		= 64,
	.pinhole_timeout	= 60,
	.call_timeout		= 14400,
	.transports		= EDGEPIN_PROTO_UDP | EDGEPIN_PROTO_TCP,
	.peer_match		= EDGEPIN_PEER_MATCH_ADDRESS,
	.mode			= EDGEPIN_MODE_ENFORCE,
	.sip_feed		= EDGEPIN_SIP_FEED_ON,
	.n_ranges		= 1,
	.ranges			= { { .lo = 50000, .hi = 59999 } },
	.n_edges		= 0,
	.n_excludes		= 1,
	.excludes		= { { .lo = 50001, .hi = 50003,
				      .protos = EDGEPIN_PROTO_TCP } },
};

/* Explicit bounds of the numeric keys (u32: beyond NLA_POLICY_RANGE). */
static struct netlink_range_validation edgepin_max_calls_range = {
	.min = 1, .max = 1U << 20,
};

static struct netlink_range_validation edgepin_max_per_source_range = {
	.min = 1, .max = 1U << 20,
};

static struct netlink_range_validation edgepin_max_pinholes_range = {
	.min = 1, .max = 1U << 22,
};

static struct netlink_range_validation edgepin_max_per_call_range = {
	.min = 1, .max = 4096,
};

static struct netlink_range_validation edgepin_pin_timeout_range = {
	.min = 1, .max = 86400,			/* a day */
};

static struct netlink_range_validation edgepin_call_timeout_range = {
	.min = 1, .max = 7 * 86400,		/* a week */
};

#define EDGEPIN_PROTO_ALL	(EDGEPIN_PROTO_UDP | EDGEPIN_PROTO_TCP)

/* A list key's entries: only the one entry type, nothing else. */
static const struct nla_policy edgepin_range_list_policy[] = {
	[EDGEPIN_A_POL_RANGE]	= { .type = NLA_U32 },
};

static const struct nla_policy edgepin_edge_list_policy[] = {
	[EDGEPIN_A_POL_PREFIX]	= NLA_POLICY_RANGE(NLA_BINARY, 2 + 4, 2 + 16),
};

static const struct nla_policy edgepin_exclude_list_policy[] = {
	[EDGEPIN_A_POL_EXCLUDE]	= { .type = NLA_U64 },
};

static const struct nla_policy edgepin_policy_nl_policy[EDGEPIN_A_POL_MAX + 1] = {
	[EDGEPIN_A_POL_RANGES]	= NLA_POLICY_NESTED(edgepin_range_list_policy),
	[EDGEPIN_A_POL_EDGES]	= NLA_POLICY_NESTED(edgepin_edge_list_policy),
	[EDGEPIN_A_POL_EXCLUDES] =
		NLA_POLICY_NESTED(edgepin_exclude_list_policy),
	[EDGEPIN_A_POL_TRANSPORTS] =
		NLA_POLICY_RANGE(NLA_U8, 1, EDGEPIN_PROTO_ALL),
	[EDGEPIN_A_POL_PEER_MATCH] =
		NLA_POLICY_MAX(NLA_U8, EDGEPIN_PEER_MATCH_ADDRESS_PORT),
	[EDGEPIN_A_POL_MAX_CALLS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &edgepin_max_calls_range),
	[EDGEPIN_A_POL_MAX_PINHOLES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &edgepin_max_pinholes_range),
	[EDGEPIN_A_POL_MAX_PER_CALL] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &edgepin_max_per_call_range),
	[EDGEPIN_A_POL_PINHOLE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &edgepin_pin_timeout_range),
	[EDGEPIN_A_POL_CALL_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &edgepin_call_timeout_range),
	[EDGEPIN_A_POL_MODE]	= NLA_POLICY_MAX(NLA_U8, EDGEPIN_MODE_MONITOR),
	[EDGEPIN_A_POL_SIP_FEED] = NLA_POLICY_MAX(NLA_U8,
						  EDGEPIN_SIP_FEED_SHARED),
	[EDGEPIN_A_POL_MAX_CALLS_PER_SOURCE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &edgepin_max_per_source_range),
};

void edgepin_policy_default(struct edgepin_policy *p)
{
	*p = edgepin_policy_defaults;
}

/* Port range lo..hi, 1 <= lo <= hi, in bits 0..31 of @v. */
static int edgepin_parse_ports(u64 v, u16 *lo, u16 *hi,
			       const struct nlattr *a,
			       struct netlink_ext_ack *extack)
{
	*lo = (v >> 16) & 0xffff;
	*hi = v & 0xffff;
	if (!*lo) {
		NL_SET_ERR_MSG_ATTR(extack, a, "port 0 is not a media port");
		return -EINVAL;
	}
	if (*lo > *hi) {
		NL_SET_ERR_MSG_ATTR(extack, a, "low port above high port");
		return -EINVAL;
	}
	return 0;
}

/*
 * Walk the entries of a validated list attribute, bounding their number;
 * @one parses entry @i into @p.
 */
static int edgepin_parse_list(struct edgepin_policy *p, const struct nlattr *l,
			      unsigned int max, u8 *n,
			      int (*one)(struct edgepin_policy *p,
					 unsigned int i, const struct nlattr *a,
					 struct netlink_ext_ack *extack),
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	unsigned int i = 0;
	int rem, ret;

	nla_for_each_nested(a, l, rem) {
		if (i == max) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many entries");
			return -E2BIG;
		}
		ret = one(p, i, a, extack);
		if (ret)
			return ret;
		i++;
	}
	*n = i;
	return 0;
}

static int edgepin_parse_range(struct edgepin_policy *p, unsigned int i,
			       const struct nlattr *a,
			       struct netlink_ext_ack *extack)
{
	struct edgepin_range *r = &p->ranges[i];

	return edgepin_parse_ports(nla_get_u32(a), &r->lo, &r->hi, a, extack);
}

static int edgepin_parse_exclude(struct edgepin_policy *p, unsigned int i,
				 const struct nlattr *a,
				 struct netlink_ext_ack *extack)
{
	struct edgepin_exclude *e = &p->excludes[i];
	u64 v = nla_get_u64(a);
	u64 protos = v >> EDGEPIN_EXCL_PROTO_SHIFT;

	if (!protos || protos & ~(u64)EDGEPIN_PROTO_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "exclude needs transports udp and/or tcp");
		return -EINVAL;
	}
	e->protos = protos;
	return edgepin_parse_ports(v, &e->lo, &e->hi, a, extack);
}

static bool edgepin_prefix_host_bits(const struct edgepin_prefix *e)
{
	struct in6_addr net;

	if (e->family == AF_INET)
		return e->addr.ip & ~inet_make_mask(e->plen);
	ipv6_addr_prefix(&net, &e->addr.in6, e->plen);
	return !ipv6_addr_equal(&net, &e->addr.in6);
}

static int edgepin_parse_edge(struct edgepin_policy *p, unsigned int i,
			      const struct nlattr *a,
			      struct netlink_ext_ack *extack)
{
	struct edgepin_prefix *e = &p->edges[i];
	const u8 *d = nla_data(a);
	unsigned int alen;

	memset(e, 0, sizeof(*e));
	e->family = d[0];
	e->plen = d[1];
	alen = e->family == AF_INET ? 4 : e->family == AF_INET6 ? 16 : 0;
	if (!alen) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "edge prefix is neither IPv4 nor IPv6");
		return -EINVAL;
	}
	if (nla_len(a) != 2 + alen) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "edge address size does not match its family");
		return -EINVAL;
	}
	if (!e->plen || e->plen > alen * 8) {
		NL_SET_ERR_MSG_ATTR(extack, a, "edge prefix length out of range");
		return -EINVAL;
	}
	memcpy(&e->addr, d + 2, alen);
	if (edgepin_prefix_host_bits(e)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "edge prefix has host bits set");
		return -EINVAL;
	}
	return 0;
}

int edgepin_policy_parse(struct edgepin_policy *p, const struct nlattr *nest,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[EDGEPIN_A_POL_MAX + 1];
	struct nlattr *a;
	int ret;

	ret = nla_parse_nested(tb, EDGEPIN_A_POL_MAX, nest,
			       edgepin_policy_nl_policy, extack);
	if (ret)
		return ret;

	a = tb[EDGEPIN_A_POL_RANGES];
	if (a) {
		ret = edgepin_parse_list(p, a, EDGEPIN_MAX_RANGES, &p->n_ranges,
					 edgepin_parse_range, extack);
		if (ret)
			return ret;
		if (!p->n_ranges) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "range needs at least one entry");
			return -EINVAL;
		}
	}
	a = tb[EDGEPIN_A_POL_EDGES];
	if (a) {
		ret = edgepin_parse_list(p, a, EDGEPIN_MAX_EDGES, &p->n_edges,
					 edgepin_parse_edge, extack);
		if (ret)
			return ret;
	}
	a = tb[EDGEPIN_A_POL_EXCLUDES];
	if (a) {
		ret = edgepin_parse_list(p, a, EDGEPIN_MAX_EXCLUDES,
					 &p->n_excludes, edgepin_parse_exclude,
					 extack);
		if (ret)
			return ret;
	}

	if (tb[EDGEPIN_A_POL_TRANSPORTS])
		p->transports = nla_get_u8(tb[EDGEPIN_A_POL_TRANSPORTS]);
	if (tb[EDGEPIN_A_POL_PEER_MATCH])
		p->peer_match = nla_get_u8(tb[EDGEPIN_A_POL_PEER_MATCH]);
	if (tb[EDGEPIN_A_POL_MODE])
		p->mode = nla_get_u8(tb[EDGEPIN_A_POL_MODE]);
	if (tb[EDGEPIN_A_POL_SIP_FEED])
		p->sip_feed = nla_get_u8(tb[EDGEPIN_A_POL_SIP_FEED]);
	if (tb[EDGEPIN_A_POL_MAX_CALLS])
		p->max_calls = nla_get_u32(tb[EDGEPIN_A_POL_MAX_CALLS]);
	if (tb[EDGEPIN_A_POL_MAX_CALLS_PER_SOURCE])
		p->max_calls_per_source =
			nla_get_u32(tb[EDGEPIN_A_POL_MAX_CALLS_PER_SOURCE]);
	if (tb[EDGEPIN_A_POL_MAX_PINHOLES])
		p->max_pinholes = nla_get_u32(tb[EDGEPIN_A_POL_MAX_PINHOLES]);
	if (tb[EDGEPIN_A_POL_MAX_PER_CALL])
		p->max_per_call = nla_get_u32(tb[EDGEPIN_A_POL_MAX_PER_CALL]);
	if (tb[EDGEPIN_A_POL_PINHOLE_TIMEOUT])
		p->pinhole_timeout =
			nla_get_u32(tb[EDGEPIN_A_POL_PINHOLE_TIMEOUT]);
	if (tb[EDGEPIN_A_POL_CALL_TIMEOUT])
		p->call_timeout = nla_get_u32(tb[EDGEPIN_A_POL_CALL_TIMEOUT]);
	return 0;
}

/* Does @new raise a limit above both its default and @old's value? */
static bool edgepin_raises(u32 old, u32 new, u32 dflt)
{
	return new > dflt && new > old;
}

int edgepin_policy_check_limits(const struct edgepin_policy *old,
				const struct edgepin_policy *new,
				bool may_raise,
				struct netlink_ext_ack *extack)
{
	const struct edgepin_policy *d = &edgepin_policy_defaults;

	if (may_raise)
		return 0;
	if (edgepin_raises(old->max_calls, new->max_calls, d->max_calls)) {
		NL_SET_ERR_MSG(extack,
			       "raising max-calls above its default needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	if (edgepin_raises(old->max_pinholes, new->max_pinholes,
			   d->max_pinholes)) {
		NL_SET_ERR_MSG(extack,
			       "raising max-pinholes above its default needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	if (edgepin_raises(old->max_per_call, new->max_per_call,
			   d->max_per_call)) {
		NL_SET_ERR_MSG(extack,
			       "raising max-pinholes-per-call above its default needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	return 0;
}

static int edgepin_fill_edges(const struct edgepin_policy *p,
			      struct sk_buff *skb)
{
	struct nlattr *list;
	unsigned int i;
	u8 buf[2 + 16];

	list = nla_nest_start(skb, EDGEPIN_A_POL_EDGES);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < p->n_edges; i++) {
		const struct edgepin_prefix *e = &p->edges[i];
		unsigned int alen = e->family == AF_INET ? 4 : 16;

		buf[0] = e->family;
		buf[1] = e->plen;
		memcpy(buf + 2, &e->addr, alen);
		if (nla_put(skb, EDGEPIN_A_POL_PREFIX, 2 + alen, buf))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, list);
	return 0;
}

static int edgepin_fill_ports(const struct edgepin_policy *p,
			      struct sk_buff *skb)
{
	struct nlattr *list;
	unsigned int i;

	list = nla_nest_start(skb, EDGEPIN_A_POL_RANGES);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < p->n_ranges; i++)
		if (nla_put_u32(skb, EDGEPIN_A_POL_RANGE,
				(u32)p->ranges[i].lo << 16 |
				p->ranges[i].hi))
			return -EMSGSIZE;
	nla_nest_end(skb, list);

	list = nla_nest_start(skb, EDGEPIN_A_POL_EXCLUDES);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < p->n_excludes; i++) {
		const struct edgepin_exclude *e = &p->excludes[i];
		u64 v = (u64)e->protos << EDGEPIN_EXCL_PROTO_SHIFT |
			(u32)e->lo << 16 | e->hi;

		if (nla_put_u64_64bit(skb, EDGEPIN_A_POL_EXCLUDE, v,
				      EDGEPIN_A_POL_UNSPEC))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, list);
	return 0;
}

int edgepin_policy_fill(const struct edgepin_policy *p, struct sk_buff *skb)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, EDGEPIN_A_POLICY);
	if (!nest)
		return -EMSGSIZE;
	if (edgepin_fill_ports(p, skb) || edgepin_fill_edges(p, skb) ||
	    nla_put_u8(skb, EDGEPIN_A_POL_TRANSPORTS, p->transports) ||
	    nla_put_u8(skb, EDGEPIN_A_POL_PEER_MATCH, p->peer_match) ||
	    nla_put_u32(skb, EDGEPIN_A_POL_MAX_CALLS, p->max_calls) ||
	    nla_put_u32(skb, EDGEPIN_A_POL_MAX_CALLS_PER_SOURCE,
			p->max_calls_per_source) ||
	    nla_put_u32(skb, EDGEPIN_A_POL_MAX_PINHOLES, p->max_pinholes) ||
	    nla_put_u32(skb, EDGEPIN_A_POL_MAX_PER_CALL, p->max_per_call) ||
	    nla_put_u32(skb, EDGEPIN_A_POL_PINHOLE_TIMEOUT,
			p->pinhole_timeout) ||
	    nla_put_u32(skb, EDGEPIN_A_POL_CALL_TIMEOUT, p->call_timeout) ||
	    nla_put_u8(skb, EDGEPIN_A_POL_MODE, p->mode) ||
	    nla_put_u8(skb, EDGEPIN_A_POL_SIP_FEED, p->sip_feed)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
