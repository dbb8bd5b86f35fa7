// SPDX-License-Identifier: GPL-2.0
/*
 * From one SIP message to a struct edgepin_msg: the shared parser reads
 * the bytes; this file decides which SDP matters and boils every SDP
 * part down to the endpoints pinholing needs (struct edgepin_sdp).
 *
 * The parser's output and the summary being built are large, so each CPU
 * has a scratch area; users run with BHs disabled.
 */
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>

#include "netns.h"
#include "objects.h"
#include "parser.h"
#include "sip.h"
#include "trust.h"

/* Streams of an m= "port/count" (RFC 4566) that are pinned. */
#define EDGEPIN_MAX_PORT_COUNT	8

struct sip_scratch {
	struct sdp_session sdp;
	struct edgepin_sdp sum;
	struct edgepin_ep ep[EDGEPIN_SDP_MAX_EPS];	/* sum.ep[] */
	struct edgepin_ep defaults[EDGEPIN_SDP_MAX_EPS];
	u8 media_eps[SDP_MAX_MEDIA];	/* endpoints kept per m= index */
	bool capped;			/* some were not */
};

static struct sip_scratch * __percpu *scratch;

static u32 span_hash(const char *buf, struct sip_span s)
{
	return s.len ? jhash(buf + s.off, s.len, 0x5eed) : 0;
}

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
 * Keep one endpoint, within the caps of call.h (per message, per m=):
 * beyond them an SDP is not ICE but an attempt at making the negotiation
 * cost |endpoints|^2, and the rest of it is ignored.
 */
static void ep_add(struct sip_scratch *s, u8 family, const u8 *addr,
		   u16 port, u8 proto, u8 media, u8 kind, bool listens)
{
	struct edgepin_sdp *sum = &s->sum;
	struct edgepin_ep *ep;
	int af = sdp_af(family);

	if (!af || !proto || !port || media >= SDP_MAX_MEDIA)
		return;
	if (sum->n_ep >= EDGEPIN_SDP_MAX_EPS ||
	    s->media_eps[media] >= EDGEPIN_SDP_MAX_EPS_MEDIA) {
		s->capped = true;
		return;
	}
	s->media_eps[media]++;
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
static void media_defaults(struct sip_scratch *s, const struct sdp_media *m,
			   u8 idx, bool has_cands)
{
	u8 proto = sdp_proto(m->transport);
	bool udp = proto == IPPROTO_UDP;
	unsigned int i, n = min_t(unsigned int, m->port_count,
				  EDGEPIN_MAX_PORT_COUNT);
	const u8 *raddr;
	u8 rfam;

	for (i = 0; i < n && m->port && m->port + 2 * i <= 65535; i++) {
		u16 port = m->port + 2 * i;

		ep_add(s, m->family, m->addr, port, proto, idx,
		       EDGEPIN_CAND_DEFAULT, udp);
		/* RTCP on port + 1 (RFC 3550) unless said otherwise */
		if (!(m->flags & (SDP_MEDIA_RTCP_MUX | SDP_MEDIA_HAS_RTCP)) &&
		    !has_cands && port < 65535)
			ep_add(s, m->family, m->addr, port + 1, proto, idx,
			       EDGEPIN_CAND_RTCP, udp);
	}
	if (m->flags & SDP_MEDIA_HAS_RTCP && m->port) {
		raddr = m->rtcp_family ? m->rtcp_addr : m->addr;
		rfam = m->rtcp_family ? m->rtcp_family : m->family;
		ep_add(s, rfam, raddr, m->rtcp_port, proto, idx,
		       EDGEPIN_CAND_RTCP, udp);
	}
}

/* Merge one parsed SDP into the summary (parts of a multipart merge). */
static void sdp_summarise(struct sip_scratch *s,
			  const struct sdp_session *sdp)
{
	struct edgepin_sdp *sum = &s->sum;
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
		media_defaults(s, m, i, m->candidates);
	}
	for (i = 0; i < sdp->cand_count; i++) {
		c = &sdp->cand[i];
		/* remote-candidates list the other side's addresses */
		if (c->dialect == SDP_DIALECT_REMOTE ||
		    c->media >= sdp->media_count)
			continue;
		ep_add(s, c->family, c->addr, c->port,
		       sdp_proto(c->transport), c->media,
		       c->type < ARRAY_SIZE(cand_kinds) ?
		       cand_kinds[c->type] : EDGEPIN_CAND_OTHER,
		       cand_listens(c));
	}
}

/*
 * Candidates first, then the c=/m= defaults and a=rtcp, each in SDP
 * order: a pinhole takes the kinds of the first endpoints that make it,
 * so one both a candidate and a default explain is shown as the
 * candidate from the moment it opens (its kinds never change after).
 */
static void sum_candidates_first(struct sip_scratch *s)
{
	struct edgepin_sdp *sum = &s->sum;
	unsigned int i, n = 0, d = 0;

	for (i = 0; i < sum->n_ep; i++) {
		if (sum->ep[i].kind == EDGEPIN_CAND_DEFAULT ||
		    sum->ep[i].kind == EDGEPIN_CAND_RTCP)
			s->defaults[d++] = sum->ep[i];
		else
			sum->ep[n++] = sum->ep[i];
	}
	memcpy(&sum->ep[n], s->defaults, d * sizeof(s->defaults[0]));
}

/* Parse @len bytes of SDP into the summary; false if it is not SDP. */
static bool sdp_add(struct edgepin_net *en, struct sip_scratch *s,
		    const char *buf, size_t len)
{
	if (sdp_parse(buf, len, &s->sdp) < 0) {
		edgepin_stat_inc(en, EDGEPIN_STAT_PARSE_ERRORS);
		return false;
	}
	sdp_summarise(s, &s->sdp);
	return true;
}

/* Every SDP of the body: the body itself, or each SDP part. */
static bool body_sdp(struct edgepin_net *en, struct sip_scratch *s,
		     const char *buf, const struct sip_msg *msg)
{
	const char *body = buf + msg->body.off;
	struct sip_multipart mp;
	struct sip_part part;
	bool found = false;
	int ret;

	if (msg->body_type == SIP_BODY_SDP)
		return sdp_add(en, s, body, msg->body.len);
	if (msg->body_type != SIP_BODY_MULTIPART)
		return false;
	if (sip_multipart_init(&mp, body, msg->body.len,
			       buf + msg->boundary.off, msg->boundary.len) < 0)
		return false;
	for (;;) {
		ret = sip_multipart_next(&mp, &part);
		/* an unclosed last part is still returned once, flagged */
		if (!ret || (ret < 0 && !(ret == -EBADMSG &&
					  part.flags & SIP_PART_UNCLOSED)))
			break;
		if (part.body_type == SIP_BODY_SDP)
			found |= sdp_add(en, s, body + part.body.off,
					 part.body.len);
		if (ret < 0)
			break;
	}
	return found;
}

/* Messages whose SDP is an offer or an answer of an INVITE session. */
static bool msg_may_negotiate(const struct sip_msg *msg)
{
	u8 method = msg->status ? msg->cseq_method : msg->method;

	if (msg->status >= 300)
		return false;
	switch (method) {
	case SIP_METHOD_INVITE:
	case SIP_METHOD_ACK:
	case SIP_METHOD_PRACK:
	case SIP_METHOD_UPDATE:
		return true;
	}
	return false;
}

/* Was this sent by the edge, as seen before or after NAT? */
static bool from_edge(struct edgepin_net *en, const struct nf_conn *ct,
		      enum ip_conntrack_dir dir)
{
	bool edge;

	rcu_read_lock();
	edge = edgepin_ct_from_edge(rcu_dereference(en->policy), ct, dir);
	rcu_read_unlock();
	return edge;
}

static struct edgepin_sdp *sum_dup(const struct edgepin_sdp *sum)
{
	return edgepin_obj_dup(sum, struct_size(sum, ep, sum->n_ep));
}

u32 edgepin_sip_message(struct edgepin_net *en, struct nf_conn *ct,
			enum ip_conntrack_dir dir, const char *buf, size_t len)
{
	struct edgepin_msg m = { .ct = ct };
	struct sip_scratch *s;
	struct sip_msg msg;

	if (sip_parse_message(buf, len, &msg) < 0) {
		edgepin_stat_inc(en, EDGEPIN_STAT_PARSE_ERRORS);
		return false;
	}
	edgepin_stat_inc(en, EDGEPIN_STAT_MESSAGES);
	if (!msg.call_id.len || msg.call_id.len > EDGEPIN_CALL_ID_MAX)
		return false;

	m.call_id = buf + msg.call_id.off;
	m.call_id_len = msg.call_id.len;
	m.from_tag = span_hash(buf, msg.from_tag);
	m.to_tag = span_hash(buf, msg.to_tag);
	m.cseq = msg.cseq;
	m.status = msg.status;
	m.method = msg.method;
	m.cseq_method = msg.cseq_method;
	m.family = nf_ct_l3num(ct);
	m.proto = nf_ct_protonum(ct);
	m.src = ct->tuplehash[dir].tuple.src.u3;
	m.src_nat = ct->tuplehash[!dir].tuple.dst.u3;
	m.dst = ct->tuplehash[dir].tuple.dst.u3;
	m.dst_nat = ct->tuplehash[!dir].tuple.src.u3;

	if (msg_may_negotiate(&msg) && msg.body.len) {
		local_bh_disable();
		s = *this_cpu_ptr(scratch);
		memset(&s->sum, 0, sizeof(s->sum));
		memset(s->media_eps, 0, sizeof(s->media_eps));
		s->capped = false;
		if (body_sdp(en, s, buf, &msg)) {
			if (s->capped)
				net_info_ratelimited("edgepin: SDP with more than %u endpoints (%u per media): the rest ignored\n",
						     EDGEPIN_SDP_MAX_EPS,
						     EDGEPIN_SDP_MAX_EPS_MEDIA);
			sum_candidates_first(s);
			s->sum.from_edge = from_edge(en, ct, dir);
			s->sum.sig = ct->tuplehash[dir].tuple.src.u3;
			s->sum.sig_family = nf_ct_l3num(ct);
			m.sdp = sum_dup(&s->sum);
			m.body_hash = span_hash(buf, msg.body);
		}
		local_bh_enable();
	}
	edgepin_call_message(en, &m);
	edgepin_obj_free(m.sdp);
	return m.hold;
}

int edgepin_sip_init(void)
{
	int cpu;

	scratch = alloc_percpu(struct sip_scratch *);
	if (!scratch)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		*per_cpu_ptr(scratch, cpu) = kvmalloc(sizeof(struct sip_scratch),
						      GFP_KERNEL);
		if (!*per_cpu_ptr(scratch, cpu)) {
			edgepin_sip_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

void edgepin_sip_exit(void)
{
	int cpu;

	if (!scratch)
		return;
	for_each_possible_cpu(cpu)
		kvfree(*per_cpu_ptr(scratch, cpu));
	free_percpu(scratch);
	scratch = NULL;
}
