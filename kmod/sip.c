// SPDX-License-Identifier: GPL-2.0
/*
 * From one SIP message to a struct edgepin_msg: the shared parser reads
 * the bytes; this file decides which SDP matters, and pinning.c boils
 * every SDP part down to the endpoints pinholing needs (struct
 * edgepin_sdp).
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
#include "pinning.h"
#include "sip.h"
#include "trust.h"

struct sip_scratch {
	struct sdp_session sdp;
	struct edgepin_sdp_builder b;	/* the summary being built */
};

static struct sip_scratch * __percpu *scratch;

static u32 span_hash(const char *buf, struct sip_span s)
{
	return s.len ? jhash(buf + s.off, s.len, 0x5eed) : 0;
}

/* Parse @len bytes of SDP into the summary; false if it is not SDP. */
static bool sdp_add(struct edgepin_net *en, struct sip_scratch *s,
		    const char *buf, size_t len)
{
	if (sdp_parse(buf, len, &s->sdp) < 0) {
		edgepin_stat_inc(en, EDGEPIN_STAT_PARSE_ERRORS);
		return false;
	}
	edgepin_sdp_add(&s->b, &s->sdp);
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
			enum ip_conntrack_dir dir, const char *buf, size_t len,
			u8 origin)
{
	struct edgepin_msg m = { .ct = ct, .origin = origin };
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
		edgepin_sdp_begin(&s->b);
		if (body_sdp(en, s, buf, &msg)) {
			if (s->b.capped)
				net_info_ratelimited("edgepin: SDP with more than %u endpoints (%u per media): the rest ignored\n",
						     EDGEPIN_SDP_MAX_EPS,
						     EDGEPIN_SDP_MAX_EPS_MEDIA);
			edgepin_sdp_end(&s->b);
			s->b.sum.from_edge = from_edge(en, ct, dir);
			s->b.sum.sig = ct->tuplehash[dir].tuple.src.u3;
			s->b.sum.sig_family = nf_ct_l3num(ct);
			m.sdp = sum_dup(&s->b.sum);
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
