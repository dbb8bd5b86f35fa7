// SPDX-License-Identifier: GPL-2.0
/*
 * The pinning decision (pinning.h): SDP to endpoint summaries, the
 * policy's two predicates, and offer x answer x policy to pinhole keys
 * and refusals. Pure: no skb, no nf_conn, no allocation, no printing.
 */
#include "pinning.h"

/* Streams of an m= "port/count" (RFC 4566) that are pinned. */
#define EDGEPIN_MAX_PORT_COUNT	8

/* --- SDP to endpoints --- */

static int sdp_af(u8 family)
{
	switch (family) {
	case SDP_ADDR_IP4:
		return AF_INET;
	case SDP_ADDR_IP6:
		return AF_INET6;
	}
	return 0;
}

static u8 sdp_proto(u8 transport)
{
	switch (transport) {
	case SDP_TRANSPORT_UDP:
		return IPPROTO_UDP;
	case SDP_TRANSPORT_TCP:
		return IPPROTO_TCP;
	}
	return 0;
}

static const u8 cand_kinds[] = {
	[SDP_CAND_NONE]		= EDGEPIN_CAND_OTHER,
	[SDP_CAND_HOST]		= EDGEPIN_CAND_HOST,
	[SDP_CAND_SRFLX]	= EDGEPIN_CAND_SRFLX,
	[SDP_CAND_PRFLX]	= EDGEPIN_CAND_PRFLX,
	[SDP_CAND_RELAY]	= EDGEPIN_CAND_RELAY,
	[SDP_CAND_OTHER]	= EDGEPIN_CAND_OTHER,
};

/*
 * Keep one endpoint, within the caps of pinning.h (per message, per m=):
 * beyond them an SDP is not ICE but an attempt at making the negotiation
 * cost |endpoints|^2, and the rest of it is ignored.
 */
static void ep_add(struct edgepin_sdp_builder *b, u8 family, const u8 *addr,
		   u16 port, u8 proto, u8 media, u8 kind, bool listens)
{
	struct edgepin_sdp *sum = &b->sum;
	struct edgepin_ep *ep;
	int af = sdp_af(family);

	if (!af || !proto || !port || media >= SDP_MAX_MEDIA)
		return;
	if (sum->n_ep >= EDGEPIN_SDP_MAX_EPS ||
	    b->media_eps[media] >= EDGEPIN_SDP_MAX_EPS_MEDIA) {
		b->capped = true;
		return;
	}
	b->media_eps[media]++;
	ep = &sum->ep[sum->n_ep++];
	memset(ep, 0, sizeof(*ep));
	memcpy(&ep->addr, addr, af == AF_INET ? 4 : 16);
	ep->family = af;
	ep->port = port;
	ep->proto = proto;
	ep->media = media;
	ep->kind = kind;
	ep->listens = listens;
}

/*
 * Does a TCP candidate accept connections? RFC 6544 passive and
 * simultaneous-open, MS-ICE2 TCP-PASS; Microsoft's draft-6 and
 * x-candidate TCP lines carry no tcptype and are the relay's listeners.
 */
static bool cand_listens(const struct sdp_candidate *c)
{
	if (c->transport != SDP_TRANSPORT_TCP)
		return true;
	if (c->tcptype == SDP_TCP_PASSIVE || c->tcptype == SDP_TCP_SO)
		return true;
	return c->tcptype == SDP_TCP_NONE && c->dialect != SDP_DIALECT_RFC;
}

/* The m= default address, its RTCP and the port/count streams. */
static void media_defaults(struct edgepin_sdp_builder *b,
			   const struct sdp_media *m, u8 idx, bool has_cands)
{
	u8 proto = sdp_proto(m->transport);
	bool udp = proto == IPPROTO_UDP;
	unsigned int i, n = min_t(unsigned int, m->port_count,
				  EDGEPIN_MAX_PORT_COUNT);
	const u8 *raddr;
	u8 rfam;

	for (i = 0; i < n && m->port && m->port + 2 * i <= 65535; i++) {
		u16 port = m->port + 2 * i;

		ep_add(b, m->family, m->addr, port, proto, idx,
		       EDGEPIN_CAND_DEFAULT, udp);
		/* RTCP on port + 1 (RFC 3550) unless said otherwise */
		if (!(m->flags & (SDP_MEDIA_RTCP_MUX | SDP_MEDIA_HAS_RTCP)) &&
		    !has_cands && port < 65535)
			ep_add(b, m->family, m->addr, port + 1, proto, idx,
			       EDGEPIN_CAND_RTCP, udp);
	}
	if (m->flags & SDP_MEDIA_HAS_RTCP && m->port) {
		raddr = m->rtcp_family ? m->rtcp_addr : m->addr;
		rfam = m->rtcp_family ? m->rtcp_family : m->family;
		ep_add(b, rfam, raddr, m->rtcp_port, proto, idx,
		       EDGEPIN_CAND_RTCP, udp);
	}
}

void edgepin_sdp_begin(struct edgepin_sdp_builder *b)
{
	memset(&b->sum, 0, sizeof(b->sum));
	memset(b->media_eps, 0, sizeof(b->media_eps));
	b->capped = false;
}

void edgepin_sdp_add(struct edgepin_sdp_builder *b,
		     const struct sdp_session *sdp)
{
	struct edgepin_sdp *sum = &b->sum;
	const struct sdp_candidate *c;
	const struct sdp_media *m;
	unsigned int i;

	for (i = 0; i < sdp->media_count; i++) {
		m = &sdp->media[i];
		if (i >= sum->n_media) {
			sum->n_media = i + 1;
			sum->media_type[i] = m->type;
		}
		if (!(m->flags & SDP_MEDIA_BAD_M) && m->port)
			sum->media_port[i] = m->port;
		media_defaults(b, m, i, m->candidates);
	}
	for (i = 0; i < sdp->cand_count; i++) {
		c = &sdp->cand[i];
		/* remote-candidates list the other side's addresses */
		if (c->dialect == SDP_DIALECT_REMOTE ||
		    c->media >= sdp->media_count)
			continue;
		ep_add(b, c->family, c->addr, c->port,
		       sdp_proto(c->transport), c->media,
		       c->type < ARRAY_SIZE(cand_kinds) ?
		       cand_kinds[c->type] : EDGEPIN_CAND_OTHER,
		       cand_listens(c));
	}
}

/*
 * A pinhole takes the kinds of the first endpoints that make it, so one
 * both a candidate and a default explain is shown as the candidate from
 * the moment it opens (its kinds never change after).
 */
void edgepin_sdp_end(struct edgepin_sdp_builder *b)
{
	struct edgepin_sdp *sum = &b->sum;
	unsigned int i, n = 0, d = 0;

	for (i = 0; i < sum->n_ep; i++) {
		if (sum->ep[i].kind == EDGEPIN_CAND_DEFAULT ||
		    sum->ep[i].kind == EDGEPIN_CAND_RTCP)
			b->defaults[d++] = sum->ep[i];
		else
			sum->ep[n++] = sum->ep[i];
	}
	memcpy(&sum->ep[n], b->defaults, d * sizeof(b->defaults[0]));
}

/* --- The policy's predicates --- */

static const u32 refusal_stats[__EDGEPIN_REFUSED_MAX] = {
	[EDGEPIN_REFUSED_NONE]		= EDGEPIN_STAT_REFUSED_OTHER,
	[EDGEPIN_REFUSED_RANGE]		= EDGEPIN_STAT_REFUSED_RANGE,
	[EDGEPIN_REFUSED_EXCLUDED]	= EDGEPIN_STAT_REFUSED_EXCLUDED,
	[EDGEPIN_REFUSED_NOT_EDGE]	= EDGEPIN_STAT_REFUSED_NOT_EDGE,
	[EDGEPIN_REFUSED_TRANSPORT]	= EDGEPIN_STAT_REFUSED_TRANSPORT,
	[EDGEPIN_REFUSED_TCP_ACTIVE]	= EDGEPIN_STAT_REFUSED_TCP_ACTIVE,
	[EDGEPIN_REFUSED_SOURCE]	= EDGEPIN_STAT_REFUSED_SOURCE,
	[EDGEPIN_REFUSED_MAX_PINHOLES]	= EDGEPIN_STAT_REFUSED_MAX_PINHOLES,
	[EDGEPIN_REFUSED_MAX_PER_CALL]	= EDGEPIN_STAT_REFUSED_MAX_PER_CALL,
	[EDGEPIN_REFUSED_EXPECT_FULL]	= EDGEPIN_STAT_REFUSED_EXPECT_FULL,
	[EDGEPIN_REFUSED_OTHER]		= EDGEPIN_STAT_REFUSED_OTHER,
};

/* NONE is no refusal; asked anyway, it is counted as refused_other. */
u32 edgepin_refusal_stat(enum edgepin_refusal why)
{
	if ((unsigned int)why >= ARRAY_SIZE(refusal_stats))
		return EDGEPIN_STAT_REFUSED_OTHER;
	return refusal_stats[why];
}

bool edgepin_policy_is_edge(const struct edgepin_policy *p, u8 family,
			    const union nf_inet_addr *addr)
{
	unsigned int i;

	for (i = 0; i < p->n_edges; i++) {
		const struct edgepin_prefix *e = &p->edges[i];

		if (e->family != family)
			continue;
		if (family == AF_INET &&
		    !((addr->ip ^ e->addr.ip) & inet_make_mask(e->plen)))
			return true;
		if (family == AF_INET6 &&
		    ipv6_prefix_equal(&addr->in6, &e->addr.in6, e->plen))
			return true;
	}
	return false;
}

static u8 edgepin_proto_bit(u8 proto)
{
	switch (proto) {
	case IPPROTO_UDP:
		return EDGEPIN_PROTO_UDP;
	case IPPROTO_TCP:
		return EDGEPIN_PROTO_TCP;
	}
	return 0;
}

enum edgepin_refusal
edgepin_policy_check_port(const struct edgepin_policy *p, u8 proto, u16 port)
{
	u8 bit = edgepin_proto_bit(proto);
	bool in_range = false;
	unsigned int i;

	if (!(p->transports & bit))
		return EDGEPIN_REFUSED_TRANSPORT;
	for (i = 0; i < p->n_ranges && !in_range; i++)
		in_range = port >= p->ranges[i].lo && port <= p->ranges[i].hi;
	if (!in_range)
		return EDGEPIN_REFUSED_RANGE;
	for (i = 0; i < p->n_excludes; i++) {
		const struct edgepin_exclude *e = &p->excludes[i];

		if ((e->protos & bit) && port >= e->lo && port <= e->hi)
			return EDGEPIN_REFUSED_EXCLUDED;
	}
	return EDGEPIN_REFUSED_NONE;
}

/* --- Offer x answer x policy to keys --- */

/* Is @a usable as a media source address at all? */
static bool peer_addr_ok(u8 family, const union nf_inet_addr *a)
{
	if (family == AF_INET) {
		__be32 ip = a->ip;

		return !ipv4_is_zeronet(ip) && !ipv4_is_loopback(ip) &&
		       !ipv4_is_multicast(ip) && !ipv4_is_lbcast(ip) &&
		       !ipv4_is_linklocal_169(ip);
	}
	if (ipv6_addr_any(&a->in6) || ipv6_addr_loopback(&a->in6) ||
	    ipv6_addr_is_multicast(&a->in6) || ipv6_addr_v4mapped(&a->in6))
		return false;
	return !(ipv6_addr_type(&a->in6) & IPV6_ADDR_LINKLOCAL);
}

/*
 * Why can @d, an endpoint @sdp declared, not be a pinhole destination?
 * NONE if it can. Counted once per endpoint. Without edge addresses
 * nothing says which side is trusted: a side may then only open its own
 * signalling address, or one party playing both sides of a call could
 * point pinholes at any host behind the firewall.
 */
static enum edgepin_refusal dest_refusal(const struct edgepin_policy *p,
					 const struct edgepin_sdp *sdp,
					 const struct edgepin_ep *d)
{
	if (!d->listens)
		return EDGEPIN_REFUSED_TCP_ACTIVE;
	if (p->n_edges && !edgepin_policy_is_edge(p, d->family, &d->addr))
		return EDGEPIN_REFUSED_NOT_EDGE;
	if (!p->n_edges && (d->family != sdp->sig_family ||
			    !nf_inet_addr_cmp(&d->addr, &sdp->sig)))
		return EDGEPIN_REFUSED_NOT_EDGE;
	return edgepin_policy_check_port(p, d->proto, d->port);
}

bool edgepin_policy_peer_ok(const struct edgepin_policy *p, u8 family,
			    const union nf_inet_addr *addr)
{
	return peer_addr_ok(family, addr) &&
	       !edgepin_policy_is_edge(p, family, addr);
}

static bool source_ok(const struct edgepin_policy *p,
		      const struct edgepin_ep *s)
{
	return edgepin_policy_peer_ok(p, s->family, &s->addr);
}

/* One run of edgepin_pinning(). */
struct pinning {
	const struct edgepin_policy *p;
	const struct edgepin_pinning_ops *ops;
	void *arg;
	bool done;	/* ops->want() said nothing more can change */
};

/*
 * Mark in @ok the endpoints of @src that may be media sources, each
 * refusal reported once per endpoint. An endpoint with the address (and
 * port, when pinholes match it) of an earlier one of the same media and
 * transport would only want the same pinholes again: skipped.
 */
static void sources_usable(struct pinning *pg, const struct edgepin_sdp *src,
			   unsigned int n, unsigned long *ok)
{
	bool by_port = pg->p->peer_match == EDGEPIN_PEER_MATCH_ADDRESS_PORT;
	const struct edgepin_ep *s, *t;
	unsigned int i, j;

	bitmap_zero(ok, EDGEPIN_SDP_MAX_EPS);
	for (i = 0; i < n; i++) {
		s = &src->ep[i];
		if (!source_ok(pg->p, s)) {
			pg->ops->refused(pg->arg, EDGEPIN_REFUSED_SOURCE);
			continue;
		}
		for_each_set_bit(j, ok, i) {
			t = &src->ep[j];
			if (t->media == s->media && t->family == s->family &&
			    t->proto == s->proto &&
			    (!by_port || t->port == s->port) &&
			    nf_inet_addr_cmp(&t->addr, &s->addr))
				break;
		}
		if (j >= i)
			__set_bit(i, ok);
	}
}

/*
 * Pinholes into the endpoints of @dst from the addresses of @src. The
 * summaries hold at most EDGEPIN_SDP_MAX_EPS endpoints, 64 per media, so
 * this is at most 64 x 64 keys per media, and it stops as soon as the
 * caller says nothing more can change.
 */
static void pins_one_way(struct pinning *pg, const struct edgepin_sdp *dst,
			 const struct edgepin_sdp *src)
{
	unsigned int n_dst = min_t(unsigned int, dst->n_ep, EDGEPIN_SDP_MAX_EPS);
	unsigned int n_src = min_t(unsigned int, src->n_ep, EDGEPIN_SDP_MAX_EPS);
	DECLARE_BITMAP(ok, EDGEPIN_SDP_MAX_EPS);
	const struct edgepin_ep *d, *s;
	struct edgepin_pin_key k;
	enum edgepin_refusal why;
	unsigned int i;

	if (pg->done)
		return;
	sources_usable(pg, src, n_src, ok);
	for (d = dst->ep; d < dst->ep + n_dst; d++) {
		if (d->media >= src->n_media || !src->media_port[d->media] ||
		    !dst->media_port[d->media])
			continue;	/* a stream not accepted by both */
		why = dest_refusal(pg->p, dst, d);
		if (why) {
			pg->ops->refused(pg->arg, why);
			continue;
		}
		for_each_set_bit(i, ok, n_src) {
			s = &src->ep[i];
			if (s->media != d->media || s->family != d->family ||
			    s->proto != d->proto)
				continue;
			memset(&k, 0, sizeof(k));
			k.family = d->family;
			k.proto = d->proto;
			k.media = d->media;
			k.media_type = dst->media_type[d->media];
			k.edge_addr = d->addr;
			k.edge_port = d->port;
			k.edge_kind = d->kind;
			k.peer_addr = s->addr;
			k.peer_kind = s->kind;
			if (pg->p->peer_match == EDGEPIN_PEER_MATCH_ADDRESS_PORT)
				k.peer_port = s->port;
			if (pg->ops->want(pg->arg, &k)) {
				pg->done = true;
				return;
			}
		}
	}
}

void edgepin_pinning(const struct edgepin_sdp *offer,
		     const struct edgepin_sdp *answer,
		     const struct edgepin_policy *p,
		     const struct edgepin_pinning_ops *ops, void *arg)
{
	struct pinning pg = { .p = p, .ops = ops, .arg = arg };

	/* Without edge addresses both sides are treated alike. */
	if (offer->from_edge || !p->n_edges)
		pins_one_way(&pg, offer, answer);
	if (answer->from_edge || !p->n_edges)
		pins_one_way(&pg, answer, offer);
}
