// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "edgepin": policy, pinholes, calls, counters
 * and the "events" multicast group, per network namespace.
 *
 * Every command needs CAP_NET_ADMIN over the netns, reads included: the
 * pinhole list tells who may reach which port. Operations run in
 * parallel: the policy has its own mutex, the call table its own lock,
 * and counters are per CPU. Each command has its own attribute policy, so
 * an attribute a command does not take is an error, not ignored.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "compat.h"
#include "netlink.h"
#include "netns.h"
#include "parser.h"
#include "sip.h"
#include "trust.h"

enum edgepin_mcgrp {
	EDGEPIN_MCGRP_EVENTS_ID,
};

static struct genl_family edgepin_genl_family;

static int edgepin_validate_addr(const struct nlattr *a,
				 struct netlink_ext_ack *extack)
{
	if (nla_len(a) == 4 || nla_len(a) == 16)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, a, "address must be 4 or 16 bytes");
	return -EINVAL;
}

#define EDGEPIN_CALL_ID_POLICY \
	NLA_POLICY_RANGE(NLA_BINARY, 1, EDGEPIN_CALL_ID_MAX)

static const struct nla_policy edgepin_set_policy[EDGEPIN_A_MAX + 1] = {
	[EDGEPIN_A_POLICY]		= { .type = NLA_NESTED },
	[EDGEPIN_A_POLICY_REPLACE]	= { .type = NLA_FLAG },
	[EDGEPIN_A_POLICY_CHECK]	= { .type = NLA_FLAG },
};

static const struct nla_policy edgepin_pin_get_policy[EDGEPIN_A_MAX + 1] = {
	[EDGEPIN_A_CALL_ID]	= EDGEPIN_CALL_ID_POLICY,
	[EDGEPIN_A_PEER_ADDR]	= NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							 edgepin_validate_addr,
							 16),
};

static const struct nla_policy edgepin_call_id_policy[EDGEPIN_A_MAX + 1] = {
	[EDGEPIN_A_CALL_ID]	= EDGEPIN_CALL_ID_POLICY,
};

static struct netlink_range_validation edgepin_feed_msg_range = {
	.min = 1, .max = SIP_MAX_MSG_LEN,
};

static const struct nla_policy
edgepin_feed_msg_policy[EDGEPIN_A_FEED_MAX + 1] = {
	[EDGEPIN_A_FEED_PROTO]		= { .type = NLA_U8 },
	[EDGEPIN_A_FEED_FAMILY]		= { .type = NLA_U8 },
	[EDGEPIN_A_FEED_SRC_ADDR]	= NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							 edgepin_validate_addr,
							 16),
	[EDGEPIN_A_FEED_SRC_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[EDGEPIN_A_FEED_DST_ADDR]	= NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							 edgepin_validate_addr,
							 16),
	[EDGEPIN_A_FEED_DST_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[EDGEPIN_A_FEED_MSG]		=
		NLA_POLICY_FULL_RANGE(NLA_BINARY, &edgepin_feed_msg_range),
	[EDGEPIN_A_FEED_ZONE]		= { .type = NLA_U16 },
	[EDGEPIN_A_FEED_TLS]		= { .type = NLA_FLAG },
};

static const struct nla_policy
edgepin_feed_drop_policy[EDGEPIN_A_FEED_DROP_MAX + 1] = {
	[EDGEPIN_A_FEED_DROP_REASON]	=
		NLA_POLICY_RANGE(NLA_U32, EDGEPIN_STAT_FEED_REFUSED_SENDER,
				 EDGEPIN_STAT_FEED_REFUSED_MALFORMED),
	[EDGEPIN_A_FEED_DROP_COUNT]	= NLA_POLICY_MIN(NLA_U32, 1),
	[EDGEPIN_A_FEED_DROP_SENDER]	= NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							 edgepin_validate_addr,
							 16),
};

static const struct nla_policy edgepin_feed_policy[EDGEPIN_A_MAX + 1] = {
	[EDGEPIN_A_FEED]	= NLA_POLICY_NESTED(edgepin_feed_msg_policy),
	[EDGEPIN_A_FEED_DROP]	= NLA_POLICY_NESTED(edgepin_feed_drop_policy),
};

static struct edgepin_net *edgepin_info_pernet(struct genl_info *info)
{
	return edgepin_pernet(genl_info_net(info));
}

/* Reply to @info with one message of @cmd whose attributes @fill puts. */
static int edgepin_reply(struct genl_info *info, u8 cmd,
			 int (*fill)(struct sk_buff *skb, void *arg),
			 void *arg)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &edgepin_genl_family, 0, cmd);
	if (!hdr || fill(msg, arg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int edgepin_fill_policy(struct sk_buff *skb, void *arg)
{
	struct edgepin_net *en = arg;
	int ret;

	rcu_read_lock();
	ret = edgepin_policy_fill(rcu_dereference(en->policy), skb);
	rcu_read_unlock();
	return ret;
}

static int edgepin_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return edgepin_reply(info, EDGEPIN_CMD_POLICY_GET, edgepin_fill_policy,
			     edgepin_info_pernet(info));
}

/*
 * Build the new policy whole in a copy, then swap it in: readers in the
 * packet path see the old one or the new one, never a mix, and a
 * rejected policy changes nothing.
 */
static int edgepin_policy_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct edgepin_net *en = edgepin_info_pernet(info);
	const struct nlattr *nest = info->attrs[EDGEPIN_A_POLICY];
	bool replace = nla_get_flag(info->attrs[EDGEPIN_A_POLICY_REPLACE]);
	/* a dry run: every check below, then the old policy stays */
	bool check = nla_get_flag(info->attrs[EDGEPIN_A_POLICY_CHECK]);
	/*
	 * The limits size kernel memory that every namespace shares, so
	 * raising them past the defaults takes the privilege over all of
	 * it: CAP_NET_ADMIN in the initial user namespace, of the socket's
	 * opener and of the caller (netlink_ns_capable()). In a netns the
	 * initial user namespace owns, GENL_UNS_ADMIN_PERM already means
	 * that; root of a user namespace can only lower them.
	 */
	bool may_raise = netlink_ns_capable(skb, &init_user_ns, CAP_NET_ADMIN);
	struct edgepin_policy *new, *old;
	unsigned int closed = 0;
	int ret = 0;

	if (!nest && !replace) {
		GENL_SET_ERR_MSG(info, "no policy and no replace flag");
		return -EINVAL;
	}
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	mutex_lock(&en->policy_lock);
	old = rcu_dereference_protected(en->policy,
					lockdep_is_held(&en->policy_lock));
	if (replace)
		edgepin_policy_default(new);
	else
		*new = *old;
	if (nest)
		ret = edgepin_policy_parse(new, nest, info->extack);
	if (!ret)
		ret = edgepin_policy_check_limits(old, new, may_raise,
						  info->extack);
	if (!ret && !check) {
		old = rcu_replace_pointer(en->policy, new,
					  lockdep_is_held(&en->policy_lock));
		kfree_rcu(old, rcu);
		/* a stricter policy reaches the live pinholes at once */
		closed = edgepin_calls_policy_changed(en, new);
		closed += edgepin_turn_policy_changed(en, new);
		new = NULL;
	}
	mutex_unlock(&en->policy_lock);
	if (closed)
		pr_info("edgepin: policy change closed %u pinholes (netns %u)\n",
			closed, en->net->ns.inum);

	kfree(new);
	return ret;
}

static int edgepin_put_addr(struct sk_buff *skb, int type, u8 family,
			    const union nf_inet_addr *addr)
{
	return nla_put(skb, type, family == AF_INET ? 4 : 16, addr);
}

/* A TURN pinhole's allocation. */
static int edgepin_fill_turn(struct sk_buff *skb,
			     const struct edgepin_pin_info *pi)
{
	return nla_put_u8(skb, EDGEPIN_A_PIN_TURN_FAMILY, pi->turn_family) ||
	       nla_put_u8(skb, EDGEPIN_A_PIN_TURN_PROTO, pi->turn_proto) ||
	       edgepin_put_addr(skb, EDGEPIN_A_PIN_TURN_CLIENT_ADDR,
				pi->turn_family, &pi->turn_client) ||
	       nla_put_u16(skb, EDGEPIN_A_PIN_TURN_CLIENT_PORT,
			   pi->turn_client_port) ||
	       edgepin_put_addr(skb, EDGEPIN_A_PIN_TURN_SERVER_ADDR,
				pi->turn_family, &pi->turn_server) ||
	       nla_put_u16(skb, EDGEPIN_A_PIN_TURN_SERVER_PORT,
			   pi->turn_server_port) ||
	       nla_put_u32(skb, EDGEPIN_A_PIN_TURN_LIFETIME, pi->turn_lifetime);
}

static int edgepin_fill_pin(struct sk_buff *skb,
			    const struct edgepin_pin_info *pi)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, EDGEPIN_A_PINHOLE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, EDGEPIN_A_PIN_CALL_ID, pi->call_id_len, pi->call_id) ||
	    nla_put(skb, EDGEPIN_A_PIN_MEDIA,
		    strnlen(pi->media, sizeof(pi->media)), pi->media) ||
	    nla_put_u8(skb, EDGEPIN_A_PIN_MEDIA_INDEX, pi->media_index) ||
	    nla_put_u8(skb, EDGEPIN_A_PIN_PROTO, pi->proto) ||
	    nla_put_u8(skb, EDGEPIN_A_PIN_FAMILY, pi->family) ||
	    edgepin_put_addr(skb, EDGEPIN_A_PIN_EDGE_ADDR, pi->family,
			     &pi->edge_addr) ||
	    nla_put_u16(skb, EDGEPIN_A_PIN_EDGE_PORT, pi->edge_port) ||
	    edgepin_put_addr(skb, EDGEPIN_A_PIN_PEER_ADDR, pi->family,
			     &pi->peer_addr) ||
	    nla_put_u16(skb, EDGEPIN_A_PIN_PEER_PORT, pi->peer_port) ||
	    nla_put_u8(skb, EDGEPIN_A_PIN_STATE, pi->state) ||
	    (pi->timeout >= 0 &&
	     nla_put_u32(skb, EDGEPIN_A_PIN_TIMEOUT, pi->timeout)) ||
	    nla_put_u32(skb, EDGEPIN_A_PIN_FLOWS, pi->flows) ||
	    nla_put_u8(skb, EDGEPIN_A_PIN_EDGE_CAND, pi->edge_cand) ||
	    nla_put_u8(skb, EDGEPIN_A_PIN_PEER_CAND, pi->peer_cand) ||
	    nla_put_u8(skb, EDGEPIN_A_PIN_ORIGIN, pi->origin) ||
	    (pi->origin == EDGEPIN_ORIGIN_TURN && edgepin_fill_turn(skb, pi))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A signalling address not seen yet (all zero) is left out. */
static int edgepin_put_sig(struct sk_buff *skb, int type, u8 family,
			   const union nf_inet_addr *addr)
{
	static const union nf_inet_addr any;

	if (nf_inet_addr_cmp(addr, &any))
		return 0;
	return edgepin_put_addr(skb, type, family, addr);
}

static int edgepin_fill_call(struct sk_buff *skb,
			     const struct edgepin_call_info *ci)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, EDGEPIN_A_CALL);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, EDGEPIN_A_CALL_ID_STR, ci->call_id_len, ci->call_id) ||
	    nla_put_u8(skb, EDGEPIN_A_CALL_STATE, ci->state) ||
	    nla_put_u8(skb, EDGEPIN_A_CALL_FAMILY, ci->family) ||
	    edgepin_put_sig(skb, EDGEPIN_A_CALL_EDGE_SIG, ci->family,
			    &ci->edge_sig) ||
	    edgepin_put_sig(skb, EDGEPIN_A_CALL_PEER_SIG, ci->family,
			    &ci->peer_sig) ||
	    nla_put_u8(skb, EDGEPIN_A_CALL_PROTO, ci->proto) ||
	    nla_put_u32(skb, EDGEPIN_A_CALL_PINHOLES, ci->pinholes) ||
	    nla_put_u32(skb, EDGEPIN_A_CALL_AGE, ci->age) ||
	    nla_put_u32(skb, EDGEPIN_A_CALL_IDLE, ci->idle) ||
	    nla_put_u8(skb, EDGEPIN_A_CALL_ORIGIN, ci->origin) ||
	    (ci->edge_offered &&
	     nla_put_flag(skb, EDGEPIN_A_CALL_EDGE_OFFERED))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One dump in progress: where its messages go, where it resumes. */
struct edgepin_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct edgepin_cursor *cur;	/* in cb->ctx, zeroed at the start */
	u8 cmd;
};

static void edgepin_dump_init(struct edgepin_dump *d, struct sk_buff *skb,
			      struct netlink_callback *cb, u8 cmd)
{
	BUILD_BUG_ON(sizeof(*d->cur) > sizeof(cb->ctx));
	d->skb = skb;
	d->cb = cb;
	d->cur = (struct edgepin_cursor *)cb->ctx;
	d->cmd = cmd;
}

/*
 * Each message says whether the table changed since the previous round
 * of the dump (NLM_F_DUMP_INTR), and so does NLMSG_DONE, which the
 * netlink core checks against the last round's cb->seq.
 */
static void *edgepin_dump_hdr(struct edgepin_dump *d)
{
	void *hdr;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &edgepin_genl_family,
			  NLM_F_MULTI, d->cmd);
	if (hdr) {
		d->cb->seq = d->cur->gen;
		genl_dump_check_consistent(d->cb, hdr);
	}
	return hdr;
}

static int edgepin_dump_pin(const struct edgepin_pin_info *pi, void *arg)
{
	struct edgepin_dump *d = arg;
	void *hdr = edgepin_dump_hdr(d);

	if (!hdr)
		return -EMSGSIZE;
	if (edgepin_fill_pin(d->skb, pi)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int edgepin_dump_call(const struct edgepin_call_info *ci, void *arg)
{
	struct edgepin_dump *d = arg;
	void *hdr = edgepin_dump_hdr(d);

	if (!hdr)
		return -EMSGSIZE;
	if (edgepin_fill_call(d->skb, ci)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

/* A full skb ends this round of the dump; the walk resumes there. */
static int edgepin_dump_ret(struct edgepin_dump *d, int ret)
{
	/* a round that put no message still counts for NLMSG_DONE */
	d->cb->seq = d->cur->gen;
	if (ret == -EMSGSIZE && d->skb->len)
		return d->skb->len;
	return ret < 0 ? ret : d->skb->len;
}

static int edgepin_pin_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct nlattr **attrs = edgepin_dump_attrs(cb);
	struct edgepin_net *en = edgepin_pernet(sock_net(skb->sk));
	const struct nlattr *id = attrs[EDGEPIN_A_CALL_ID];
	const struct nlattr *peer = attrs[EDGEPIN_A_PEER_ADDR];
	union nf_inet_addr addr = {};
	struct edgepin_dump d;
	u8 family = 0;
	int ret;

	edgepin_dump_init(&d, skb, cb, EDGEPIN_CMD_PINHOLE_GET);
	if (peer) {
		family = nla_len(peer) == 4 ? AF_INET : AF_INET6;
		nla_memcpy(&addr, peer, sizeof(addr));
	}
	if (!d.cur->turn_phase) {
		ret = edgepin_pin_walk(en, d.cur,
				       id ? nla_data(id) : NULL,
				       id ? nla_len(id) : 0,
				       family, peer ? &addr : NULL,
				       edgepin_dump_pin, &d);
		/* TURN pinholes have no Call-ID */
		if (ret || id)
			return edgepin_dump_ret(&d, ret);
	}
	ret = edgepin_turn_walk(en, d.cur, family, peer ? &addr : NULL,
				edgepin_dump_pin, &d);
	return edgepin_dump_ret(&d, ret);
}

static int edgepin_call_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct edgepin_net *en = edgepin_pernet(sock_net(skb->sk));
	struct edgepin_dump d;
	int ret;

	edgepin_dump_init(&d, skb, cb, EDGEPIN_CMD_CALL_GET);
	ret = edgepin_call_walk(en, d.cur, edgepin_dump_call, &d);
	return edgepin_dump_ret(&d, ret);
}

static int edgepin_fill_count(struct sk_buff *skb, void *arg)
{
	return nla_put_u32(skb, EDGEPIN_A_COUNT, *(u32 *)arg);
}

static int edgepin_pin_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *id = info->attrs[EDGEPIN_A_CALL_ID];
	int ret;
	u32 n;

	ret = edgepin_pin_flush(edgepin_info_pernet(info),
				id ? nla_data(id) : NULL, id ? nla_len(id) : 0);
	if (ret < 0)
		return ret;
	n = ret;
	if (!id)
		n += edgepin_turn_flush(edgepin_info_pernet(info));
	return edgepin_reply(info, EDGEPIN_CMD_PINHOLE_FLUSH,
			     edgepin_fill_count, &n);
}

static int edgepin_call_drop_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *id = info->attrs[EDGEPIN_A_CALL_ID];
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, EDGEPIN_A_CALL_ID)) {
		NL_SET_ERR_MSG(info->extack, "Call-ID missing");
		return -EINVAL;
	}
	ret = edgepin_call_drop(edgepin_info_pernet(info), nla_data(id),
				nla_len(id));
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no such call");
	return ret;
}

static int edgepin_fill_stats(struct sk_buff *skb, void *arg)
{
	struct edgepin_net *en = arg;
	struct nlattr *nest;
	int s;

	nest = nla_nest_start(skb, EDGEPIN_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (s = 0; s < __EDGEPIN_STAT_MAX; s++)
		if (nla_put_u64_64bit(skb, s + 1, edgepin_stat_read(en, s), 0))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int edgepin_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return edgepin_reply(info, EDGEPIN_CMD_STATS_GET, edgepin_fill_stats,
			     edgepin_info_pernet(info));
}

static int edgepin_stats_reset_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	edgepin_stats_reset(edgepin_info_pernet(info));
	return 0;
}

/*
 * The conntrack of the signalling connection a fed message names, with a
 * reference, and the direction the message went in it; NULL if none.
 * The proxy reports addresses as it saw them: one end of a connection
 * behind DNAT (or SNAT) sees its private address, which only the reply
 * tuple holds, so the message's own direction is looked up, then the
 * opposite one (a match there is the other direction).
 */
static struct nf_conn *edgepin_feed_master(struct net *net, u16 zone_id,
					   struct nf_conntrack_tuple *t,
					   enum ip_conntrack_dir *dir)
{
	const struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_zone zone;
	union nf_inet_addr a;
	__be16 port;

	nf_ct_zone_init(&zone, zone_id, NF_CT_DEFAULT_ZONE_DIR, 0);
	h = nf_conntrack_find_get(net, &zone, t);
	if (h) {
		*dir = NF_CT_DIRECTION(h);
		return nf_ct_tuplehash_to_ctrack(h);
	}
	a = t->src.u3;
	t->src.u3 = t->dst.u3;
	t->dst.u3 = a;
	port = t->src.u.all;
	t->src.u.all = t->dst.u.all;
	t->dst.u.all = port;
	h = nf_conntrack_find_get(net, &zone, t);
	if (!h)
		return NULL;
	*dir = !NF_CT_DIRECTION(h);
	return nf_ct_tuplehash_to_ctrack(h);
}

/* Does @ct carry one of our helpers, so that it may master pinholes? */
static bool edgepin_feed_helper_ours(const struct nf_conn *ct)
{
	const struct nf_conn_help *help = nfct_help(ct);
	bool ours;

	if (!help)
		return false;
	rcu_read_lock();
	ours = edgepin_helper_ours(rcu_dereference(help->helper));
	rcu_read_unlock();
	return ours;
}

/*
 * A fed message goes where a message the helper read would: the same
 * parser, call layer and policy, with the signalling connection it names
 * as the pinholes' master. There is no packet, so no reverse-path check
 * of its own: what stands for it is edgepin feed's checks of its senders
 * (and key), CAP_NET_ADMIN here, that the addresses name a live
 * connection that this firewall tracks with our helper, and that the
 * wire's packets of the sender's side passed the check
 * (edgepin_feed_spoofed()).
 */
static int edgepin_feed_msg(struct edgepin_net *en, const struct nlattr *nest,
			    struct netlink_ext_ack *extack)
{
	static const int required[] = {
		EDGEPIN_A_FEED_PROTO, EDGEPIN_A_FEED_FAMILY,
		EDGEPIN_A_FEED_SRC_ADDR, EDGEPIN_A_FEED_SRC_PORT,
		EDGEPIN_A_FEED_DST_ADDR, EDGEPIN_A_FEED_DST_PORT,
		EDGEPIN_A_FEED_MSG,
	};
	static const int addrs[] = {
		EDGEPIN_A_FEED_SRC_ADDR, EDGEPIN_A_FEED_DST_ADDR,
	};
	struct nlattr *tb[EDGEPIN_A_FEED_MAX + 1];
	struct nf_conntrack_tuple t = {};
	enum ip_conntrack_dir dir;
	unsigned int alen, i;
	struct nf_conn *ct;
	u8 family, proto;
	u16 zone = 0;
	u8 sip_feed;
	u32 hold;
	int ret;

	ret = nla_parse_nested(tb, EDGEPIN_A_FEED_MAX, nest,
			       edgepin_feed_msg_policy, extack);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (NL_REQ_ATTR_CHECK(extack, nest, tb, required[i])) {
			NL_SET_ERR_MSG(extack, "fed message incomplete");
			return -EINVAL;
		}
	}
	family = nla_get_u8(tb[EDGEPIN_A_FEED_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[EDGEPIN_A_FEED_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EINVAL;
	}
	alen = family == AF_INET ? 4 : 16;
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		if (nla_len(tb[addrs[i]]) != alen) {
			NL_SET_ERR_MSG_ATTR(extack, tb[addrs[i]],
					    "address length does not match the family");
			return -EINVAL;
		}
	}
	proto = nla_get_u8(tb[EDGEPIN_A_FEED_PROTO]);
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[EDGEPIN_A_FEED_PROTO],
				    "transport must be UDP or TCP");
		return -EINVAL;
	}
	if (tb[EDGEPIN_A_FEED_ZONE])
		zone = nla_get_u16(tb[EDGEPIN_A_FEED_ZONE]);

	edgepin_stat_inc(en, EDGEPIN_STAT_FEED_MESSAGES);
	rcu_read_lock();
	sip_feed = rcu_dereference(en->policy)->sip_feed;
	rcu_read_unlock();
	if (sip_feed == EDGEPIN_SIP_FEED_OFF) {
		edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_OTHER_SOURCE);
		NL_SET_ERR_MSG(extack, "policy sip-feed is off");
		return -EOPNOTSUPP;
	}

	t.src.l3num = family;
	nla_memcpy(&t.src.u3, tb[EDGEPIN_A_FEED_SRC_ADDR], alen);
	t.src.u.all = htons(nla_get_u16(tb[EDGEPIN_A_FEED_SRC_PORT]));
	nla_memcpy(&t.dst.u3, tb[EDGEPIN_A_FEED_DST_ADDR], alen);
	t.dst.u.all = htons(nla_get_u16(tb[EDGEPIN_A_FEED_DST_PORT]));
	t.dst.protonum = proto;
	ct = edgepin_feed_master(en->net, zone, &t, &dir);
	if (ct && !edgepin_feed_helper_ours(ct)) {
		nf_ct_put(ct);
		ct = NULL;
	}
	if (!ct) {
		edgepin_stat_inc(en, EDGEPIN_STAT_FEED_NO_MASTER);
		NL_SET_ERR_MSG(extack,
			       "no tracked signalling connection with the edgepin helper has these addresses");
		return -ENOENT;
	}

	/* the reverse-path rule, as the wire's packets had it */
	if (edgepin_feed_spoofed(en, ct, dir)) {
		nf_ct_put(ct);
		NL_SET_ERR_MSG(extack,
			       "no packet from this sender's side of the connection passed the reverse-path check (spoofed edge source?)");
		return -EACCES;
	}

	/* as in the helper: the call layer expects BHs off */
	local_bh_disable();
	hold = edgepin_sip_message(en, ct, dir,
				   nla_data(tb[EDGEPIN_A_FEED_MSG]),
				   nla_len(tb[EDGEPIN_A_FEED_MSG]),
				   EDGEPIN_ORIGIN_FEED);
	if (proto == IPPROTO_UDP)
		edgepin_ct_hold(en, ct, NULL, hold);
	local_bh_enable();
	nf_ct_put(ct);
	return 0;
}

static void edgepin_notify_feed_refused(struct edgepin_net *en, u32 reason,
					u32 count, const struct nlattr *sender);

/* What edgepin feed refused itself: counted here, where stats are read. */
static int edgepin_feed_drop(struct edgepin_net *en, const struct nlattr *nest,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[EDGEPIN_A_FEED_DROP_MAX + 1];
	u32 reason, count;
	int ret;

	ret = nla_parse_nested(tb, EDGEPIN_A_FEED_DROP_MAX, nest,
			       edgepin_feed_drop_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, EDGEPIN_A_FEED_DROP_REASON) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, EDGEPIN_A_FEED_DROP_COUNT)) {
		NL_SET_ERR_MSG(extack, "feed refusals need a reason and a count");
		return -EINVAL;
	}
	reason = nla_get_u32(tb[EDGEPIN_A_FEED_DROP_REASON]);
	count = nla_get_u32(tb[EDGEPIN_A_FEED_DROP_COUNT]);
	edgepin_stat_add(en, reason, count);
	edgepin_notify_feed_refused(en, reason, count,
				    tb[EDGEPIN_A_FEED_DROP_SENDER]);
	return 0;
}

static int edgepin_feed_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct edgepin_net *en = edgepin_info_pernet(info);
	struct nlattr *msg = info->attrs[EDGEPIN_A_FEED];
	struct nlattr *drop = info->attrs[EDGEPIN_A_FEED_DROP];

	if (!msg == !drop) {
		GENL_SET_ERR_MSG(info, "one of a fed message or feed refusals");
		return -EINVAL;
	}
	if (drop)
		return edgepin_feed_drop(en, drop, info->extack);
	return edgepin_feed_msg(en, msg, info->extack);
}

/* Commands that take no attribute: any one given is refused. */
static const struct nla_policy edgepin_no_attrs[EDGEPIN_A_MAX + 1] = {};

static const struct genl_ops edgepin_genl_ops[] = {
	{
		.cmd	= EDGEPIN_CMD_POLICY_GET,
		.doit	= edgepin_policy_get_doit,
		.policy	= edgepin_no_attrs,
		.maxattr = EDGEPIN_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= EDGEPIN_CMD_POLICY_SET,
		.doit	= edgepin_policy_set_doit,
		.policy	= edgepin_set_policy,
		.maxattr = EDGEPIN_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= EDGEPIN_CMD_PINHOLE_GET,
		.dumpit	= edgepin_pin_get_dumpit,
		.policy	= edgepin_pin_get_policy,
		.maxattr = EDGEPIN_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= EDGEPIN_CMD_PINHOLE_FLUSH,
		.doit	= edgepin_pin_flush_doit,
		.policy	= edgepin_call_id_policy,
		.maxattr = EDGEPIN_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= EDGEPIN_CMD_CALL_GET,
		.dumpit	= edgepin_call_get_dumpit,
		.policy	= edgepin_no_attrs,
		.maxattr = EDGEPIN_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= EDGEPIN_CMD_CALL_DROP,
		.doit	= edgepin_call_drop_doit,
		.policy	= edgepin_call_id_policy,
		.maxattr = EDGEPIN_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= EDGEPIN_CMD_STATS_GET,
		.doit	= edgepin_stats_get_doit,
		.policy	= edgepin_no_attrs,
		.maxattr = EDGEPIN_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= EDGEPIN_CMD_STATS_RESET,
		.doit	= edgepin_stats_reset_doit,
		.policy	= edgepin_no_attrs,
		.maxattr = EDGEPIN_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= EDGEPIN_CMD_FEED,
		.doit	= edgepin_feed_doit,
		.policy	= edgepin_feed_policy,
		.maxattr = EDGEPIN_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group edgepin_mcgrps[] = {
	[EDGEPIN_MCGRP_EVENTS_ID] = {
		.name	= EDGEPIN_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family edgepin_genl_family __ro_after_init = {
	.name		= EDGEPIN_GENL_NAME,
	.version	= EDGEPIN_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= edgepin_genl_ops,
	.n_ops		= ARRAY_SIZE(edgepin_genl_ops),
	.mcgrps		= edgepin_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(edgepin_mcgrps),
};

/* An event message with its type, or NULL when nobody listens. */
/*
 * Events may be raised from any context (packet path, gc, conntrack
 * destroy) until the helpers are gone, which is after the family is:
 * the unload clears this, waits for every sender's RCU section, and only
 * then unregisters, so that no event goes to a multicast group id that
 * another family may have been given meanwhile.
 */
static bool edgepin_events_live __read_mostly;

/* Caller holds rcu_read_lock() until edgepin_event_send(). */
static struct sk_buff *edgepin_event_new(struct edgepin_net *en, u8 ev,
					 void **hdr)
{
	struct sk_buff *skb;

	if (!READ_ONCE(edgepin_events_live) ||
	    genl_has_listeners(&edgepin_genl_family, en->net,
			       EDGEPIN_MCGRP_EVENTS_ID) <= 0)
		return NULL;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &edgepin_genl_family, 0,
			   EDGEPIN_CMD_EVENT);
	if (!*hdr || nla_put_u8(skb, EDGEPIN_A_EVENT, ev)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void edgepin_event_send(struct edgepin_net *en, struct sk_buff *skb,
			       void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&edgepin_genl_family, en->net, skb, 0,
				EDGEPIN_MCGRP_EVENTS_ID, GFP_ATOMIC);
}

void edgepin_notify_pin(struct edgepin_net *en, enum edgepin_event ev,
			const struct edgepin_pin_info *pi, int reason)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	skb = edgepin_event_new(en, ev, &hdr);
	if (!skb)
		goto out;
	if (edgepin_fill_pin(skb, pi) ||
	    (ev == EDGEPIN_EVENT_REFUSED &&
	     nla_put_u32(skb, EDGEPIN_A_REASON, reason))) {
		nlmsg_free(skb);
		goto out;
	}
	edgepin_event_send(en, skb, hdr);
out:
	rcu_read_unlock();
}

void edgepin_notify_spoofed(struct edgepin_net *en, u8 family,
			    const union nf_inet_addr *src, const char *iif)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	skb = edgepin_event_new(en, EDGEPIN_EVENT_REFUSED, &hdr);
	if (!skb)
		goto out;
	if (nla_put_u32(skb, EDGEPIN_A_REASON, EDGEPIN_STAT_REFUSED_SPOOFED) ||
	    nla_put(skb, EDGEPIN_A_PEER_ADDR, family == AF_INET ? 4 : 16,
		    src) ||
	    nla_put_string(skb, EDGEPIN_A_IIF, iif)) {
		nlmsg_free(skb);
		goto out;
	}
	edgepin_event_send(en, skb, hdr);
out:
	rcu_read_unlock();
}

/* What edgepin feed refused: how many, why, from whom (when known). */
static void edgepin_notify_feed_refused(struct edgepin_net *en, u32 reason,
					u32 count, const struct nlattr *sender)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	skb = edgepin_event_new(en, EDGEPIN_EVENT_FEED_REFUSED, &hdr);
	if (!skb)
		goto out;
	if (nla_put_u32(skb, EDGEPIN_A_REASON, reason) ||
	    nla_put_u32(skb, EDGEPIN_A_COUNT, count) ||
	    (sender && nla_put(skb, EDGEPIN_A_PEER_ADDR, nla_len(sender),
			       nla_data(sender)))) {
		nlmsg_free(skb);
		goto out;
	}
	edgepin_event_send(en, skb, hdr);
out:
	rcu_read_unlock();
}

void edgepin_notify_call(struct edgepin_net *en, enum edgepin_event ev,
			 const struct edgepin_call_info *ci)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	skb = edgepin_event_new(en, ev, &hdr);
	if (!skb)
		goto out;
	if (edgepin_fill_call(skb, ci)) {
		nlmsg_free(skb);
		goto out;
	}
	edgepin_event_send(en, skb, hdr);
out:
	rcu_read_unlock();
}

int __init edgepin_genl_init(void)
{
	int ret = genl_register_family(&edgepin_genl_family);

	if (!ret)
		WRITE_ONCE(edgepin_events_live, true);
	return ret;
}

void edgepin_genl_exit(void)
{
	WRITE_ONCE(edgepin_events_live, false);
	synchronize_rcu();
	genl_unregister_family(&edgepin_genl_family);
}
