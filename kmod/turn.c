// SPDX-License-Identifier: GPL-2.0
/*
 * Helper edgepin-turn (DESIGN.md, "TURN"): pinholes learned from the
 * clear-text TURN exchange between a client and a TURN server whose relay
 * addresses lie in the media range (an A/V Edge, coturn).
 *
 * A client's request (Allocate, Refresh, CreatePermission, ChannelBind,
 * MS-TURN Set Active Destination) is remembered by transaction ID; only
 * the server's success response with the same ID and method, arriving
 * from the server's side of the firewall (the reverse-path rule of
 * trust.c, always applied), acts on it:
 *
 *  - Allocate: the relayed transport address(es), each an edge address
 *    (or, with no edge configured, the server's own), its port in range
 *    and not excluded, become the allocation, for its LIFETIME;
 *  - Refresh (MS-TURN: Allocate) with LIFETIME 0 deletes it;
 *  - CreatePermission, ChannelBind, Set Active Destination: each peer
 *    of the request, a unicast host that is not an edge address, gets a
 *    pinhole "peer (any port) -> relay address:port" on the allocation's
 *    transport (RFC 6062: TCP), a permanent conntrack expectation that
 *    lives as long as the permission (300 s, refreshed by a new success)
 *    and never past the allocation.
 *
 * A permission that lapses, an allocation deleted or expired, a control
 * connection gone: the pinholes close, and the flows between that peer
 * and that relay are cut, those they let in and those the relay opened
 * to the peer (whose answers would pass as "established").
 * Everything is bounded by the SIP limits: an allocation counts against
 * max-calls, a permission against max-pinholes and max-pinholes-per-call;
 * requests outstanding per client are a small ring.
 *
 * Locking: turn.lock (per netns) before nf_conntrack_expect_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "compat.h"
#include "helper.h"
#include "netns.h"
#include "objects.h"
#include "pinning.h"
#include "stun.h"
#include "trust.h"
#include "turn.h"

/* RFC 8656 section 9: a permission lives 300 s unless refreshed. */
#define TURN_PERMISSION_SECS	300
/* RFC 8656 section 7.2: default and largest allocation lifetimes. */
#define TURN_ALLOC_DEFAULT_SECS	600
#define TURN_ALLOC_MAX_SECS	3600
/* Requests remembered per client until answered (a ring), and how long. */
#define TURN_TXNS		8
#define TURN_TXN_SECS		40
/* A client transport without an allocation is forgotten after this. */
#define TURN_IDLE_SECS		60
/* Unallocated transports kept beyond max-calls, oldest evicted first. */
#define TURN_SPARE_CONNS	256

enum turn_txn_state {
	TXN_FREE,
	TXN_PENDING,			/* sent, not answered */
	TXN_ANSWERED,			/* a later copy of it opens nothing */
	TXN_POISONED,			/* resent with other contents */
};

struct turn_txn {
	unsigned long sent;		/* jiffies of the first copy */
	u8 state;			/* enum turn_txn_state */
	u8 txid[16];
	u8 txid_len;
	u8 dialect;
	u8 method;			/* enum stun_method */
	u8 transport;			/* requested: IPPROTO_UDP/TCP */
	u8 n_peers;
	struct stun_addr peers[STUN_MAX_PEERS];
};

/* One direction of a TCP control connection: where frames begin. */
struct turn_tcp_dir {
	u32 next_seq;			/* after the last segment read */
	u32 skip;			/* bytes of a frame still to come */
	bool synced;			/* next_seq and skip are known */
	bool ms;			/* MS-TURN TCP framing */
};

struct turn_relay {
	union nf_inet_addr addr;
	u16 port;
	u8 family;			/* AF_INET / AF_INET6; 0: none */
};

/* A client's transport to the server: the master conntrack's. */
struct edgepin_turn_conn {
	struct list_head node;		/* turn.conns */
	struct nf_conn *ct;		/* the master: we hold a reference */
	bool allocated;
	/* an allocation ended (or was refused) on it: none again, so that
	 * relayed bytes posing as answers cannot make another
	 */
	bool spent;
	/* TCP after RFC 6062's ConnectionBind (the stream then carries a
	 * peer's bytes): never read again
	 */
	bool raw;
	u8 family;			/* of the control connection */
	u8 proto;
	u8 relay_proto;			/* IPPROTO_UDP, or TCP (RFC 6062) */
	u8 txn_next;
	u16 client_port;
	u16 server_port;
	union nf_inet_addr client;	/* as the server sees it */
	union nf_inet_addr server;
	unsigned long created;
	unsigned long last;		/* last request or success */
	unsigned long alloc_expires;	/* jiffies */
	struct turn_relay relay[2];	/* RFC 8656: one per family */
	struct list_head perms;		/* edgepin_turn_perm.cnode */
	unsigned int n_perms;
	struct turn_tcp_dir tcp[IP_CT_DIR_MAX];
	struct turn_txn txn[TURN_TXNS];
};

struct edgepin_turn_perm {
	struct list_head node;		/* turn.perms, then turn.reap */
	struct list_head cnode;		/* its conn's perms */
	struct edgepin_turn_conn *conn;	/* NULL once closed */
	struct nf_conntrack_expect *exp;	/* our reference; NULL in monitor */
	struct nf_conn *master;		/* compared, never dereferenced */
	union nf_inet_addr peer;
	union nf_inet_addr relay;
	u16 relay_port;
	u8 family;
	u8 proto;
	u8 state;			/* enum edgepin_pin_state */
	bool active_dest;		/* MS-TURN Set Active Destination */
	unsigned long expires;		/* jiffies */
	u64 seq;
	u32 flows;
};

/* The helper's private data in each master conntrack. */
struct edgepin_turn_ct {
	struct edgepin_turn_conn *conn;	/* under turn.lock */
	/* a conn's spent and raw, kept past the conn (evicted, idle) */
	bool spent;
	bool raw;
};

static inline struct edgepin_turn_ct *turn_ct(const struct nf_conn *ct)
{
	return (struct edgepin_turn_ct *)nfct_help(ct)->data;
}

/*
 * Mark @c spent or raw, for good: the mark stays with its conntrack. An
 * unconfirmed one loses its helper data when a helper goes (the
 * extension generation changes): nfct_help() is then NULL.
 */
static void conn_spend(struct edgepin_turn_conn *c)
{
	c->spent = true;
	if (nfct_help(c->ct))
		turn_ct(c->ct)->spent = true;
}

static void conn_make_raw(struct edgepin_turn_conn *c)
{
	c->raw = true;
	if (nfct_help(c->ct))
		turn_ct(c->ct)->raw = true;
}

static struct edgepin_net *turn_net(struct edgepin_turn *t)
{
	return container_of(t, struct edgepin_net, turn);
}

static u32 secs_left(unsigned long deadline)
{
	long left = (long)(deadline - jiffies);

	return left > 0 ? DIV_ROUND_UP(left, HZ) : 0;
}

static void perm_info(const struct edgepin_turn_perm *pm,
		      struct edgepin_pin_info *pi)
{
	const struct edgepin_turn_conn *c = pm->conn;

	memset(pi, 0, sizeof(*pi));
	strscpy(pi->media, "relay", sizeof(pi->media));
	pi->proto = pm->proto;
	pi->family = pm->family;
	pi->state = pm->state;
	pi->edge_cand = EDGEPIN_CAND_RELAY;
	pi->peer_cand = EDGEPIN_CAND_OTHER;
	pi->origin = EDGEPIN_ORIGIN_TURN;
	pi->edge_addr = pm->relay;
	pi->edge_port = pm->relay_port;
	pi->peer_addr = pm->peer;
	pi->flows = pm->flows;
	pi->timeout = secs_left(pm->expires);
	if (!c)
		return;
	pi->turn_family = c->family;
	pi->turn_proto = c->proto;
	pi->turn_client = c->client;
	pi->turn_client_port = c->client_port;
	pi->turn_server = c->server;
	pi->turn_server_port = c->server_port;
	pi->turn_lifetime = secs_left(c->alloc_expires);
}

static void stun_to_inet(const struct stun_addr *a, union nf_inet_addr *out,
			 u8 *family)
{
	memset(out, 0, sizeof(*out));
	if (a->family == STUN_FAMILY_IPV4) {
		memcpy(&out->ip, a->addr, 4);
		*family = AF_INET;
	} else {
		memcpy(&out->in6, a->addr, 16);
		*family = AF_INET6;
	}
}

/* --- Closing pinholes and cutting their flows --- */

/*
 * Close one pinhole: its expectation goes, and it waits on turn.reap for
 * the reaper to cut the flows it let in. Caller holds turn.lock.
 */
static void perm_close(struct edgepin_turn *t, struct edgepin_turn_perm *pm,
		       enum edgepin_event ev)
{
	struct edgepin_net *en = turn_net(t);
	struct edgepin_pin_info pi;

	perm_info(pm, &pi);
	if (pm->exp) {
		spin_lock_bh(&nf_conntrack_expect_lock);
		if (edgepin_exp_linked(pm->exp))
			nf_ct_unlink_expect(pm->exp);
		spin_unlock_bh(&nf_conntrack_expect_lock);
		nf_ct_expect_put(pm->exp);
		pm->exp = NULL;
		edgepin_stat_inc(en, ev == EDGEPIN_EVENT_PINHOLE_EXPIRE ?
				 EDGEPIN_STAT_PINHOLES_EXPIRED :
				 EDGEPIN_STAT_PINHOLES_CLOSED);
	}
	list_del(&pm->cnode);
	pm->conn->n_perms--;
	pm->conn = NULL;
	t->n_perms--;
	edgepin_calls_gen_bump(en);
	if (!t->dying)
		edgepin_notify_pin(en, ev, &pi, 0);
	list_move_tail(&pm->node, &t->reap);
}

static void reap_kick(struct edgepin_turn *t)
{
	if (!list_empty(&t->reap) && !t->dying)
		queue_work(system_unbound_wq, &t->reaper);
}

/* The allocation is gone: every pinhole of it closes. */
static void alloc_end(struct edgepin_turn *t, struct edgepin_turn_conn *c,
		      enum edgepin_event ev)
{
	struct edgepin_turn_perm *pm, *tmp;

	list_for_each_entry_safe(pm, tmp, &c->perms, cnode)
		perm_close(t, pm, ev);
	if (c->allocated) {
		c->allocated = false;
		t->n_allocs--;
		edgepin_stat_inc(turn_net(t),
				 EDGEPIN_STAT_TURN_ALLOCATIONS_ENDED);
	}
	memset(c->relay, 0, sizeof(c->relay));
}

/*
 * Forget @c (its pinholes closed) and return its master, whose reference
 * the caller puts once it has let go of turn.lock. A conntrack that was
 * never confirmed loses its helper data when any helper goes (the
 * extension generation changes): nfct_help() is then NULL.
 */
static struct nf_conn *conn_free(struct edgepin_turn *t,
				 struct edgepin_turn_conn *c)
{
	struct nf_conn_help *help = nfct_help(c->ct);
	struct nf_conn *ct = c->ct;

	alloc_end(t, c, EDGEPIN_EVENT_PINHOLE_CLOSE);
	if (help && turn_ct(c->ct)->conn == c)
		turn_ct(c->ct)->conn = NULL;
	list_del(&c->node);
	t->n_conns--;
	edgepin_obj_free(c);
	return ct;
}

struct turn_reap {
	struct list_head *perms;
	unsigned int removed;
};

/*
 * Is @ct a flow between a closed pinhole's peer and relay: one that
 * entered through it, or one the relay opened to that peer (the peer's
 * answers to it would pass as "established")?
 */
static int turn_reap_match(struct nf_conn *ct, void *data)
{
	const struct nf_conntrack_tuple *tp;
	const struct edgepin_turn_perm *pm;
	struct turn_reap *r = data;
	bool expected;

	tp = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	expected = ct->master && test_bit(IPS_EXPECTED_BIT, &ct->status);
	list_for_each_entry(pm, r->perms, node) {
		if (tp->src.l3num != pm->family || tp->dst.protonum != pm->proto)
			continue;
		if (expected ? ct->master == pm->master &&
			       ntohs(tp->dst.u.all) == pm->relay_port &&
			       nf_inet_addr_cmp(&tp->dst.u3, &pm->relay) &&
			       nf_inet_addr_cmp(&tp->src.u3, &pm->peer) :
			       ntohs(tp->src.u.all) == pm->relay_port &&
			       nf_inet_addr_cmp(&tp->src.u3, &pm->relay) &&
			       nf_inet_addr_cmp(&tp->dst.u3, &pm->peer)) {
			r->removed++;
			return 1;
		}
	}
	return 0;
}

/* Cut the flows of closed pinholes: the peer may not keep sending. */
static void turn_reap(struct work_struct *work)
{
	struct edgepin_turn *t = container_of(work, struct edgepin_turn,
					      reaper);
	struct edgepin_net *en = turn_net(t);
	struct nf_ct_iter_data iter = { .net = en->net };
	struct edgepin_turn_perm *pm, *tmp;
	struct turn_reap r = {};
	LIST_HEAD(done);

	spin_lock_bh(&t->lock);
	list_splice_init(&t->reap, &done);
	spin_unlock_bh(&t->lock);

	/* one walk of the table for every pinhole closed meanwhile */
	if (!list_empty(&done)) {
		r.perms = &done;
		iter.data = &r;
		nf_ct_iterate_cleanup_net(turn_reap_match, &iter);
	}
	list_for_each_entry_safe(pm, tmp, &done, node)
		edgepin_obj_free(pm);
	edgepin_stat_add(en, EDGEPIN_STAT_FLOWS_REMOVED, r.removed);
}

/* --- Learning --- */

static struct turn_txn *txn_find(struct edgepin_turn_conn *c,
				 const struct stun_msg *m)
{
	unsigned int i;

	for (i = 0; i < TURN_TXNS; i++) {
		struct turn_txn *x = &c->txn[i];

		if (x->state != TXN_FREE && x->txid_len == m->txid_len &&
		    x->dialect == m->dialect &&
		    !memcmp(x->txid, m->txid, m->txid_len))
			return x;
	}
	return NULL;
}

static u8 txn_transport(const struct edgepin_turn_conn *c,
			const struct stun_msg *m)
{
	/* RFC 6062 asks for a TCP relay; MS-TURN relays its own transport */
	if (m->dialect == STUN_DIALECT_MSTURN)
		return c->proto;
	return m->has_transport && m->transport == IPPROTO_TCP ?
	       IPPROTO_TCP : IPPROTO_UDP;
}

/*
 * Remember a request. A copy of one pending is a retransmission: with
 * other contents (what a forger who saw its ID would send) it is
 * poisoned, and its answer opens nothing; a copy of one answered opens
 * nothing either (a server's cached answer would confirm it again).
 */
static void txn_add(struct edgepin_turn *t, struct edgepin_turn_conn *c,
		    const struct stun_msg *m)
{
	struct turn_txn *x = txn_find(c, m);

	c->last = jiffies;
	if (x) {
		if (x->state == TXN_PENDING &&
		    (x->method != m->method || x->n_peers != m->n_peers ||
		     x->transport != txn_transport(c, m) ||
		     memcmp(x->peers, m->peers,
			    m->n_peers * sizeof(m->peers[0]))))
			x->state = TXN_POISONED;
		return;
	}
	x = &c->txn[c->txn_next];
	c->txn_next = (c->txn_next + 1) % TURN_TXNS;
	if (x->state == TXN_PENDING)
		edgepin_stat_inc(turn_net(t),
				 EDGEPIN_STAT_TURN_REQUESTS_DROPPED);
	memset(x, 0, sizeof(*x));
	x->state = TXN_PENDING;
	x->sent = jiffies;
	memcpy(x->txid, m->txid, m->txid_len);
	x->txid_len = m->txid_len;
	x->dialect = m->dialect;
	x->method = m->method;
	x->transport = txn_transport(c, m);
	x->n_peers = m->n_peers;
	memcpy(x->peers, m->peers, m->n_peers * sizeof(m->peers[0]));
}

static void refused(struct edgepin_net *en, enum edgepin_refusal why)
{
	edgepin_stat_inc(en, edgepin_refusal_stat(why));
}

/*
 * Why may @a not be a relay of this allocation? An edge address (with
 * no edge configured: the server's own), a port in range, not excluded.
 */
static enum edgepin_refusal relay_refusal(const struct edgepin_policy *p,
					  const struct edgepin_turn_conn *c,
					  u8 proto, const struct turn_relay *r)
{
	if (p->n_edges) {
		if (!edgepin_policy_is_edge(p, r->family, &r->addr))
			return EDGEPIN_REFUSED_NOT_EDGE;
	} else if (r->family != c->family ||
		   !nf_inet_addr_cmp(&r->addr, &c->server)) {
		return EDGEPIN_REFUSED_NOT_EDGE;
	}
	return edgepin_policy_check_port(p, proto, r->port);
}

static void hold_master(struct edgepin_turn_conn *c, const struct sk_buff *skb,
			u32 secs)
{
	/* a TCP connection lives by its own state */
	if (c->proto == IPPROTO_UDP && c->ct &&
	    nf_ct_expires(c->ct) < secs * HZ)
		edgepin_ct_refresh(c->ct, skb, secs * HZ);
}

static void perm_set_timeout(struct edgepin_turn_perm *pm)
{
	if (!pm->exp)
		return;
	spin_lock_bh(&nf_conntrack_expect_lock);
	edgepin_exp_set_timeout(pm->exp, secs_left(pm->expires));
	spin_unlock_bh(&nf_conntrack_expect_lock);
}

/*
 * The allocation lives @life seconds more (Allocate or Refresh success;
 * 0: it ends, and none other is learned on this transport). Its
 * permissions never outlive it; MS-TURN's active destination lives as
 * long as it does.
 */
static void alloc_lifetime(struct edgepin_turn *t, struct edgepin_turn_conn *c,
			   u32 life, const struct sk_buff *skb)
{
	struct edgepin_turn_perm *pm;

	if (!life) {
		alloc_end(t, c, EDGEPIN_EVENT_PINHOLE_CLOSE);
		conn_spend(c);
		return;
	}
	life = min_t(u32, life, TURN_ALLOC_MAX_SECS);
	c->alloc_expires = jiffies + life * HZ;
	hold_master(c, skb, life);
	list_for_each_entry(pm, &c->perms, cnode) {
		if (pm->active_dest || time_after(pm->expires, c->alloc_expires))
			pm->expires = c->alloc_expires;
		perm_set_timeout(pm);
	}
}

static u32 msg_lifetime(const struct stun_msg *m)
{
	return m->has_lifetime ? m->lifetime : TURN_ALLOC_DEFAULT_SECS;
}

static void alloc_learn(struct edgepin_turn *t, struct edgepin_turn_conn *c,
			const struct edgepin_policy *p,
			const struct turn_txn *x, const struct stun_msg *m,
			const struct sk_buff *skb)
{
	struct edgepin_net *en = turn_net(t);
	struct turn_relay relay[2] = {};
	unsigned int i, n = 0;
	enum edgepin_refusal why;
	u32 life = msg_lifetime(m);

	/* MS-TURN refreshes (and, lifetime 0, deletes) with Allocate */
	if (c->allocated) {
		alloc_lifetime(t, c, life, skb);
		return;
	}
	if (!life || c->spent)
		return;
	for (i = 0; i < m->n_relayed && i < ARRAY_SIZE(m->relayed); i++) {
		struct turn_relay *r = &relay[n];

		stun_to_inet(&m->relayed[i], &r->addr, &r->family);
		r->port = m->relayed[i].port;
		why = relay_refusal(p, c, x->transport, r);
		if (why != EDGEPIN_REFUSED_NONE) {
			refused(en, why);
			continue;
		}
		n++;
	}
	if (!n)
		return;
	/* allocations are calls, as far as max-calls goes */
	if (t->n_allocs + READ_ONCE(en->calls.n_calls) >= p->max_calls) {
		edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_MAX_CALLS);
		return;
	}
	memcpy(c->relay, relay, sizeof(relay));
	c->relay_proto = x->transport;
	c->allocated = true;
	t->n_allocs++;
	edgepin_stat_inc(en, EDGEPIN_STAT_TURN_ALLOCATIONS);
	alloc_lifetime(t, c, life, skb);
}

static struct edgepin_turn_perm *
perm_find(struct edgepin_turn_conn *c, const struct turn_relay *r,
	  const union nf_inet_addr *peer)
{
	struct edgepin_turn_perm *pm;

	list_for_each_entry(pm, &c->perms, cnode)
		if (pm->family == r->family && pm->relay_port == r->port &&
		    nf_inet_addr_cmp(&pm->relay, &r->addr) &&
		    nf_inet_addr_cmp(&pm->peer, peer))
			return pm;
	return NULL;
}

static void turn_expectfn(struct nf_conn *ct, struct nf_conntrack_expect *exp);

/* Open (or refresh) the pinhole "@peer -> relay @r" until @expires. */
static void perm_pin(struct edgepin_turn *t, struct edgepin_turn_conn *c,
		     const struct edgepin_policy *p,
		     const struct turn_relay *r,
		     const union nf_inet_addr *peer, unsigned long expires,
		     bool active_dest)
{
	struct edgepin_net *en = turn_net(t);
	struct nf_conntrack_expect *exp = NULL;
	struct edgepin_turn_perm *pm;
	struct edgepin_pin_info pi;
	enum edgepin_refusal why;
	__be16 dport;
	bool linked;
	int ret;

	/* the policy of today, not of the Allocate's day */
	why = relay_refusal(p, c, c->relay_proto, r);
	if (why != EDGEPIN_REFUSED_NONE) {
		refused(en, why);
		return;
	}
	if (!edgepin_policy_peer_ok(p, r->family, peer)) {
		refused(en, EDGEPIN_REFUSED_SOURCE);
		return;
	}
	pm = perm_find(c, r, peer);
	if (pm) {
		spin_lock_bh(&nf_conntrack_expect_lock);
		linked = pm->exp && edgepin_exp_linked(pm->exp);
		spin_unlock_bh(&nf_conntrack_expect_lock);
		if (linked || !pm->exp) {
			pm->expires = expires;
			pm->active_dest |= active_dest;
			perm_set_timeout(pm);
			return;
		}
		/*
		 * Removed behind our back (conntrack -D expect): anew. Not
		 * reaped: the flows it let in are the new pinhole's.
		 */
		perm_close(t, pm, EDGEPIN_EVENT_PINHOLE_CLOSE);
		list_del(&pm->node);
		edgepin_obj_free(pm);
	}
	if (c->n_perms >= p->max_per_call) {
		refused(en, EDGEPIN_REFUSED_MAX_PER_CALL);
		return;
	}
	if (t->n_perms + READ_ONCE(en->calls.n_pins) >= p->max_pinholes) {
		refused(en, EDGEPIN_REFUSED_MAX_PINHOLES);
		return;
	}
	if (p->mode == EDGEPIN_MODE_MONITOR) {
		edgepin_stat_inc(en, EDGEPIN_STAT_MONITOR_WOULD_PIN);
		return;
	}
	pm = edgepin_obj_alloc(sizeof(*pm));
	if (!pm) {
		refused(en, EDGEPIN_REFUSED_OTHER);
		return;
	}
	exp = nf_ct_expect_alloc(c->ct);
	if (!exp)
		goto err;
	dport = htons(r->port);
	nf_ct_expect_init(exp, 0, r->family, peer, &r->addr, c->relay_proto,
			  NULL, &dport);
	exp->flags = NF_CT_EXPECT_PERMANENT;
	exp->expectfn = turn_expectfn;
	ret = nf_ct_expect_related(exp, 0);
	if (ret < 0) {
		nf_ct_expect_put(exp);
		if (ret == -EMFILE) {
			net_warn_ratelimited("edgepin: conntrack expectation table full (nf_conntrack_expect_max): TURN pinhole refused\n");
			edgepin_obj_free(pm);
			refused(en, EDGEPIN_REFUSED_EXPECT_FULL);
			return;
		}
		goto err;
	}
	spin_lock_bh(&nf_conntrack_expect_lock);
	edgepin_exp_set_timeout(exp, secs_left(expires));
	spin_unlock_bh(&nf_conntrack_expect_lock);

	pm->exp = exp;
	pm->conn = c;
	pm->master = c->ct;
	pm->peer = *peer;
	pm->relay = r->addr;
	pm->relay_port = r->port;
	pm->family = r->family;
	pm->proto = c->relay_proto;
	pm->state = EDGEPIN_PIN_PINNED;
	pm->active_dest = active_dest;
	pm->expires = expires;
	pm->seq = ++t->seq;
	list_add_tail(&pm->node, &t->perms);
	list_add_tail(&pm->cnode, &c->perms);
	c->n_perms++;
	t->n_perms++;
	edgepin_calls_gen_bump(en);
	edgepin_stat_inc(en, EDGEPIN_STAT_PINHOLES_OPENED);
	perm_info(pm, &pi);
	edgepin_notify_pin(en, EDGEPIN_EVENT_PINHOLE_OPEN, &pi, 0);
	return;
err:
	edgepin_obj_free(pm);
	refused(en, EDGEPIN_REFUSED_OTHER);
}

/* Does request @x name the peer of @pm? */
static bool txn_has_peer(const struct turn_txn *x,
			 const struct edgepin_turn_perm *pm)
{
	union nf_inet_addr peer;
	unsigned int i;
	u8 family;

	for (i = 0; i < x->n_peers; i++) {
		stun_to_inet(&x->peers[i], &peer, &family);
		if (family == pm->family && nf_inet_addr_cmp(&peer, &pm->peer))
			return true;
	}
	return false;
}

static void perms_learn(struct edgepin_turn *t, struct edgepin_turn_conn *c,
			const struct edgepin_policy *p,
			const struct turn_txn *x)
{
	unsigned long expires = jiffies + TURN_PERMISSION_SECS * HZ;
	bool active_dest = x->method == STUN_METHOD_SET_ACTIVE_DEST;
	struct edgepin_turn_perm *pm, *tmp;
	union nf_inet_addr peer;
	unsigned int i, j;
	u8 family;

	if (!c->allocated)
		return;
	/*
	 * MS-TURN: the active destination lasts as long as the allocation,
	 * and a new one replaces it.
	 */
	if (active_dest) {
		expires = c->alloc_expires;
		list_for_each_entry_safe(pm, tmp, &c->perms, cnode)
			if (pm->active_dest && !txn_has_peer(x, pm))
				perm_close(t, pm, EDGEPIN_EVENT_PINHOLE_CLOSE);
	}
	if (time_after(expires, c->alloc_expires))
		expires = c->alloc_expires;
	for (i = 0; i < x->n_peers; i++) {
		stun_to_inet(&x->peers[i], &peer, &family);
		for (j = 0; j < ARRAY_SIZE(c->relay); j++)
			if (c->relay[j].family == family)
				perm_pin(t, c, p, &c->relay[j], &peer, expires,
					 active_dest);
	}
	reap_kick(t);
}

/*
 * The client transport @ct's state, made on its first request. Caller
 * holds turn.lock. Unallocated transports beyond max-calls (plus a
 * spare) evict the oldest unallocated one: a flood of requests cannot
 * keep a real client's Allocate from being remembered.
 */
static struct edgepin_turn_conn *conn_get(struct edgepin_turn *t,
					  struct nf_conn *ct,
					  const struct edgepin_policy *p,
					  struct nf_conn **put)
{
	const struct nf_conntrack_tuple *rt = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	struct edgepin_turn_conn *c, *old;

	if (!nfct_help(ct))
		return NULL;
	c = turn_ct(ct)->conn;
	/* ->destroy() has run, or is about to: nothing may stay */
	if (c || t->dying || nf_ct_is_dying(ct))
		return c;
	if (t->n_conns - t->n_allocs >= p->max_calls + TURN_SPARE_CONNS) {
		list_for_each_entry(old, &t->conns, node) {
			if (!old->allocated) {
				edgepin_stat_inc(turn_net(t),
						 EDGEPIN_STAT_TURN_REQUESTS_DROPPED);
				*put = conn_free(t, old);
				break;
			}
		}
		if (t->n_conns - t->n_allocs >= p->max_calls + TURN_SPARE_CONNS)
			return NULL;
	}
	c = edgepin_obj_alloc(sizeof(*c));
	if (!c)
		return NULL;
	/*
	 * Held as long as @c lives: an unconfirmed conntrack may be freed
	 * without ->destroy(), and one whose helper is taken away (module
	 * unload, ctnetlink) is deleted without it.
	 */
	nf_conntrack_get(&ct->ct_general);
	c->ct = ct;
	c->family = nf_ct_l3num(ct) == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	c->proto = nf_ct_protonum(ct);
	c->client = rt->dst.u3;
	c->client_port = ntohs(rt->dst.u.all);
	c->server = rt->src.u3;
	c->server_port = ntohs(rt->src.u.all);
	c->created = jiffies;
	c->last = jiffies;
	c->spent = turn_ct(ct)->spent;
	c->raw = turn_ct(ct)->raw;
	INIT_LIST_HEAD(&c->perms);
	list_add_tail(&c->node, &t->conns);
	t->n_conns++;
	turn_ct(ct)->conn = c;
	if (!delayed_work_pending(&t->gc))
		mod_delayed_work(system_unbound_wq, &t->gc, HZ);
	return c;
}

/*
 * Might the message at @buf (@len >= STUN_HDR_LEN) teach anything? A look
 * at its type only, before the whole message is parsed: media (Send and
 * Data indications, MS-TURN's Send requests and Data Indications) and
 * Binding go past at that cost.
 */
static bool turn_type_learns(const u8 *buf)
{
	u16 type = buf[0] << 8 | buf[1];
	u16 method;

	if (buf[4] == 0x21 && buf[5] == 0x12 && buf[6] == 0xa4 &&
	    buf[7] == 0x42) {
		/* RFC 8489 section 5: C1 is bit 8, C0 bit 4; indications */
		if ((type & 0x0110) == 0x0010)
			return false;
		method = (type & 0x000f) | ((type & 0x00e0) >> 1) |
			 ((type & 0x3e00) >> 2);
		return method == 0x003 || method == 0x004 || method == 0x008 ||
		       method == 0x009 || method == 0x00b;
	}
	/* [MS-TURN] 2.2.1: Allocate and Set Active Destination */
	return type == 0x0003 || type == 0x0103 || type == 0x0113 ||
	       type == 0x0006 || type == 0x0106 || type == 0x0116;
}

/*
 * May @ct speak TURN with us at all? Its responder must be an edge
 * address and its originator not (no edge configured: any).
 */
static bool turn_ct_trusted(const struct edgepin_policy *p,
			    const struct nf_conn *ct)
{
	return !p->n_edges ||
	       (!edgepin_ct_from_edge(p, ct, IP_CT_DIR_ORIGINAL) &&
		edgepin_ct_from_edge(p, ct, IP_CT_DIR_REPLY));
}

/*
 * One STUN/TURN message of @ct's direction @dir. Requests go from the
 * client (the connection's originator), answers from the server, which
 * must be an edge address (DESIGN.md, "Trust": with no edge configured,
 * any) and pass the reverse-path check. The client must not be one: the
 * Edge's relay sending to some host's 3478 is not a TURN client.
 */
static void turn_message(struct edgepin_net *en, struct nf_conn *ct,
			 enum ip_conntrack_dir dir, const struct sk_buff *skb,
			 const u8 *buf, size_t len)
{
	struct edgepin_turn *t = &en->turn;
	const struct edgepin_policy *p;
	struct edgepin_turn_conn *c;
	struct nf_conn *put = NULL;
	struct turn_txn *x, done;
	struct stun_msg m;

	if (len < STUN_HDR_LEN || !turn_type_learns(buf))
		return;
	if (stun_parse(buf, len, &m)) {
		edgepin_stat_inc(en, EDGEPIN_STAT_TURN_PARSE_ERRORS);
		return;
	}
	edgepin_stat_inc(en, EDGEPIN_STAT_TURN_MESSAGES);
	if (m.cls == STUN_CLASS_REQUEST ? dir != IP_CT_DIR_ORIGINAL :
	    m.cls == STUN_CLASS_INDICATION || dir != IP_CT_DIR_REPLY)
		return;

	rcu_read_lock();
	spin_lock_bh(&t->lock);
	/* the policy of the moment, as edgepin_turn_policy_changed() saw */
	p = rcu_dereference(en->policy);
	if (!turn_ct_trusted(p, ct)) {
		if (m.cls == STUN_CLASS_SUCCESS)
			refused(en, EDGEPIN_REFUSED_NOT_EDGE);
		goto out;
	}
	if (m.cls == STUN_CLASS_REQUEST) {
		c = conn_get(t, ct, p, &put);
		/* RFC 6062: the connection now carries a peer's bytes */
		if (c && m.method == STUN_METHOD_CONNECTION_BIND)
			conn_make_raw(c);
		else if (c)
			txn_add(t, c, &m);
		goto out;
	}
	/* only the server's side may confirm anything */
	if (!nfct_help(ct) || edgepin_turn_spoofed(en, skb, ct, dir))
		goto out;
	c = turn_ct(ct)->conn;
	/* the server's word that the connection is now a peer's */
	if (c && m.method == STUN_METHOD_CONNECTION_BIND) {
		conn_make_raw(c);
		goto out;
	}
	x = c ? txn_find(c, &m) : NULL;
	if (!x || x->method != m.method || x->state != TXN_PENDING) {
		if (m.cls == STUN_CLASS_SUCCESS)
			edgepin_stat_inc(en, EDGEPIN_STAT_TURN_UNMATCHED);
		goto out;
	}
	done = *x;
	x->state = TXN_ANSWERED;
	c->last = jiffies;
	if (m.cls == STUN_CLASS_ERROR) {
		/*
		 * 437 Allocation Mismatch to a request that needs one: the
		 * server has none (any more). To an RFC Allocate it means
		 * one exists (RFC 8656 section 7.2).
		 */
		if (m.error_code == 437 && c->allocated &&
		    (m.method != STUN_METHOD_ALLOCATE ||
		     m.dialect == STUN_DIALECT_MSTURN))
			alloc_lifetime(t, c, 0, skb);
		goto reap;
	}
	switch (m.method) {
	case STUN_METHOD_ALLOCATE:
		alloc_learn(t, c, p, &done, &m, skb);
		break;
	case STUN_METHOD_REFRESH:
		if (c->allocated)
			alloc_lifetime(t, c, msg_lifetime(&m), skb);
		break;
	default:
		perms_learn(t, c, p, &done);
		break;
	}
reap:
	reap_kick(t);
out:
	spin_unlock_bh(&t->lock);
	rcu_read_unlock();
	if (put)
		nf_ct_put(put);
}

/* --- The helper --- */

static int turn_help_udp(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct edgepin_net *en = edgepin_pernet(nf_ct_net(ct));
	unsigned int off = protoff + sizeof(struct udphdr);
	unsigned int len;
	const u8 *buf;
	u8 first;

	if (!edgepin_udp_payload(skb, protoff, ct, ctinfo, &len) ||
	    len < STUN_HDR_LEN)
		return NF_ACCEPT;
	/* ChannelData (media) starts 0b01: the common case, left at once */
	if (skb_copy_bits(skb, off, &first, 1) < 0 || (first & 0xc0))
		return NF_ACCEPT;

	local_bh_disable();
	buf = edgepin_skb_bytes(skb, off, len);
	if (buf)
		turn_message(en, ct, CTINFO2DIR(ctinfo), skb, buf, len);
	local_bh_enable();
	return NF_ACCEPT;
}

/*
 * TURN over TCP: STUN messages and ChannelData back to back (RFC 8656),
 * or MS-TURN's framing. The frames are followed from the stream's first
 * byte on, segment after segment; control messages are small, and one
 * split across segments is not read (a parse error). What loses the
 * framing (a gap, reordering, an overlap, a frame header split, bytes
 * that are not TURN, a segment too large to read) leaves the direction
 * unread until a segment begins with a whole message (tcp_resyncs). Such
 * a segment may begin inside a peer's relayed bytes, posing as an answer
 * (with a transaction ID only the client knows): what an answer can do
 * is bounded for that reason (one allocation per transport, its relay
 * fixed, permissions only for peers the client asked for). After RFC
 * 6062's ConnectionBind the stream is the peer's: never read again.
 */
static int turn_tcp_segment(struct edgepin_net *en, struct nf_conn *ct,
			    enum ip_conntrack_dir dir, const u8 *buf,
			    u32 len, u32 seq, bool *ms)
{
	struct edgepin_turn *t = &en->turn;
	const struct edgepin_policy *p;
	struct edgepin_turn_conn *c;
	struct nf_conn *put = NULL;
	struct turn_tcp_dir *d;
	struct stun_frame f;
	u32 off = 0, skip = 0;
	bool lost = false;
	int r, start = -1;

	rcu_read_lock();
	spin_lock_bh(&t->lock);
	p = rcu_dereference(en->policy);
	if (!nfct_help(ct) || turn_ct(ct)->raw || !turn_ct_trusted(p, ct))
		goto unlock;
	c = turn_ct(ct)->conn;
	if (!c) {
		/* the client speaks first, and TURN from its first byte */
		if (dir != IP_CT_DIR_ORIGINAL || !buf ||
		    stun_tcp_frame(buf, len, buf[0] == 2 || buf[0] == 3,
				   &f) != 1)
			goto unlock;
		c = conn_get(t, ct, p, &put);
		if (!c)
			goto unlock;
	}
	if (c->raw)
		goto unlock;
	d = &c->tcp[dir];
	if (buf && d->synced && seq == d->next_seq) {
		off = min(d->skip, len);
	} else {
		/* the first segment, or one after a gap, an overlap, lost
		 * framing: only one that begins with a whole message
		 */
		if (d->synced) {
			d->synced = false;
			edgepin_stat_inc(en, EDGEPIN_STAT_TCP_RESYNCS);
		}
		if (!buf || stun_tcp_frame(buf, len, buf[0] == 2 || buf[0] == 3,
					   &f) != 1 || !f.msg_len || f.len > len)
			goto unlock;
		d->ms = buf[0] == 2 || buf[0] == 3;
		d->skip = 0;
		d->synced = true;
	}
	start = off;
	*ms = d->ms;
	while (off < len) {
		r = stun_tcp_frame(buf + off, len - off, *ms, &f);
		if (r != 1) {
			lost = true;
			break;
		}
		if (f.len > len - off) {
			skip = f.len - (len - off);
			if (f.msg_len)	/* a control message: not read */
				edgepin_stat_inc(en,
						 EDGEPIN_STAT_TURN_PARSE_ERRORS);
			break;
		}
		off += f.len;
	}
	d->skip = d->skip > len ? d->skip - len : skip;
	d->next_seq = seq + len;
	/* the whole frames before it are read; then a resync */
	if (lost) {
		d->synced = false;
		edgepin_stat_inc(en, EDGEPIN_STAT_TCP_RESYNCS);
	}
unlock:
	spin_unlock_bh(&t->lock);
	rcu_read_unlock();
	if (put)
		nf_ct_put(put);
	return start;
}

/* The whole frames of a segment that turn_tcp_segment() accepted. */
static void turn_tcp_messages(struct edgepin_net *en, struct nf_conn *ct,
			      enum ip_conntrack_dir dir,
			      const struct sk_buff *skb, const u8 *buf,
			      u32 len, u32 off, bool ms)
{
	struct stun_frame f;

	while (off < len && stun_tcp_frame(buf + off, len - off, ms, &f) == 1 &&
	       f.len <= len - off) {
		if (f.msg_len)
			turn_message(en, ct, dir, skb, buf + off + f.msg_off,
				     f.msg_len);
		off += f.len;
	}
}

static int turn_help_tcp(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct edgepin_net *en = edgepin_pernet(nf_ct_net(ct));
	enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
	const u8 *buf = NULL;
	unsigned int off;
	bool ms = false;
	int start;
	u32 seq;

	if (!edgepin_tcp_payload(skb, protoff, ctinfo, &off, &seq))
		return NF_ACCEPT;
	/* forged server bytes must not even move the framing */
	if (dir == IP_CT_DIR_REPLY && edgepin_turn_spoofed(en, skb, ct, dir))
		return NF_ACCEPT;
	local_bh_disable();
	if (skb->len - off <= SIP_MAX_MSG_LEN)
		buf = edgepin_skb_bytes(skb, off, skb->len - off);
	start = turn_tcp_segment(en, ct, dir, buf, skb->len - off, seq, &ms);
	if (start >= 0)
		turn_tcp_messages(en, ct, dir, skb, buf, skb->len - off, start,
				  ms);
	local_bh_enable();
	return NF_ACCEPT;
}

/* Is @ct a connection helper edgepin-turn reads? */
static bool turn_ct_ours(const struct nf_conn *ct)
{
	const struct nf_conn_help *help = nfct_help(ct);
	const struct nf_conntrack_helper *h;

	if (!help)
		return false;
	h = rcu_dereference(help->helper);
	return h && edgepin_turn_helper_ours(h);
}

/*
 * A flow entered through a TURN pinhole. ctnetlink may name this
 * function for an expectation of another helper's master: only ours have
 * our data.
 */
static void turn_expectfn(struct nf_conn *ct, struct nf_conntrack_expect *exp)
{
	struct edgepin_net *en = edgepin_pernet(nf_ct_net(ct));
	struct edgepin_turn *t = &en->turn;
	struct edgepin_turn_conn *c;
	struct edgepin_turn_perm *pm;

	if (!turn_ct_ours(exp->master))
		return;
	spin_lock_bh(&t->lock);
	c = turn_ct(exp->master)->conn;
	if (c) {
		list_for_each_entry(pm, &c->perms, cnode) {
			if (pm->exp != exp)
				continue;
			pm->flows++;
			pm->state = EDGEPIN_PIN_ACTIVE;
			edgepin_stat_inc(en, EDGEPIN_STAT_FLOWS_ADMITTED);
			break;
		}
	}
	spin_unlock_bh(&t->lock);
}

static struct nf_ct_helper_expectfn turn_expectfn_reg = {
	.name = "edgepin-turn-relay",
	.expectfn = turn_expectfn,
};

/*
 * The control connection is being deleted, and its expectations with it.
 * nf_ct_delete() still holds it: our reference is not the last.
 */
static void turn_destroy(struct nf_conn *ct)
{
	struct edgepin_turn *t = &edgepin_pernet(nf_ct_net(ct))->turn;
	struct edgepin_turn_conn *c;
	struct nf_conn *put = NULL;

	spin_lock_bh(&t->lock);
	c = turn_ct(ct)->conn;
	if (c) {
		put = conn_free(t, c);
		reap_kick(t);
	}
	spin_unlock_bh(&t->lock);
	if (put)
		nf_ct_put(put);
}

/* --- Expiry --- */

/*
 * Should @c go? Its master is dying (its ->destroy() may never come:
 * its helper was taken away), was never confirmed (the packet was
 * dropped), or no longer has this helper; it carries a peer's bytes
 * (RFC 6062: nothing to keep but the mark, in the conntrack); or it
 * allocated nothing for a while (a TCP one resyncs if it speaks again).
 */
static bool conn_gone(const struct edgepin_turn_conn *c)
{
	const struct nf_conn *ct = c->ct;

	if (nf_ct_is_dying(ct) || !turn_ct_ours(ct) || c->raw)
		return true;
	if (!nf_ct_is_confirmed(ct))
		return time_after(jiffies, c->created + 5 * HZ);
	return !c->allocated &&
	       time_after(jiffies, c->last + TURN_IDLE_SECS * HZ);
}

static void turn_gc(struct work_struct *work)
{
	struct edgepin_turn *t = container_of(to_delayed_work(work),
					      struct edgepin_turn, gc);
	struct edgepin_turn_conn *c, *ctmp;
	struct edgepin_turn_perm *pm, *ptmp;
	struct nf_conn *puts[32];
	unsigned int i, n = 0;
	unsigned long delay = HZ;
	bool more;

	rcu_read_lock();
	spin_lock_bh(&t->lock);
	list_for_each_entry_safe(c, ctmp, &t->conns, node) {
		if (conn_gone(c)) {
			puts[n++] = conn_free(t, c);
			if (n == ARRAY_SIZE(puts)) {
				delay = 0;	/* the rest right after */
				break;
			}
			continue;
		}
		if (c->allocated && time_after_eq(jiffies, c->alloc_expires)) {
			alloc_end(t, c, EDGEPIN_EVENT_PINHOLE_EXPIRE);
			conn_spend(c);
		} else {
			list_for_each_entry_safe(pm, ptmp, &c->perms, cnode)
				if (time_after_eq(jiffies, pm->expires))
					perm_close(t, pm,
						   EDGEPIN_EVENT_PINHOLE_EXPIRE);
		}
		for (i = 0; i < TURN_TXNS; i++)
			if (c->txn[i].state != TXN_FREE &&
			    time_after(jiffies,
				       c->txn[i].sent + TURN_TXN_SECS * HZ))
				c->txn[i].state = TXN_FREE;
	}
	reap_kick(t);
	more = !list_empty(&t->conns) && !t->dying;
	spin_unlock_bh(&t->lock);
	rcu_read_unlock();
	/* outside the lock: one may be the last reference */
	for (i = 0; i < n; i++)
		nf_ct_put(puts[i]);
	if (more)
		queue_delayed_work(system_unbound_wq, &t->gc, delay);
}

/* --- Control plane --- */

int edgepin_turn_walk(struct edgepin_net *en, struct edgepin_cursor *cur,
		      u8 peer_family, const union nf_inet_addr *peer,
		      int (*fn)(const struct edgepin_pin_info *pi, void *arg),
		      void *arg)
{
	struct edgepin_turn *t = &en->turn;
	struct edgepin_turn_perm *pm;
	struct edgepin_pin_info pi;
	int ret = 0;

	spin_lock_bh(&t->lock);
	cur->gen = edgepin_calls_gen(en);
	if (!cur->turn_phase) {
		cur->turn_phase = true;
		cur->turn_last = t->seq;
	}
	list_for_each_entry(pm, &t->perms, node) {
		if (pm->seq <= cur->turn || pm->seq > cur->turn_last)
			continue;
		if (peer && (pm->family != peer_family ||
			     !nf_inet_addr_cmp(&pm->peer, peer)))
			continue;
		perm_info(pm, &pi);
		ret = fn(&pi, arg);
		if (ret)
			break;
		cur->turn = pm->seq;
	}
	spin_unlock_bh(&t->lock);
	return ret;
}

int edgepin_turn_flush(struct edgepin_net *en)
{
	struct edgepin_turn *t = &en->turn;
	struct edgepin_turn_perm *pm, *tmp;
	int n = 0;

	spin_lock_bh(&t->lock);
	list_for_each_entry_safe(pm, tmp, &t->perms, node) {
		perm_close(t, pm, EDGEPIN_EVENT_PINHOLE_CLOSE);
		n++;
	}
	reap_kick(t);
	spin_unlock_bh(&t->lock);
	return n;
}

unsigned int edgepin_turn_policy_changed(struct edgepin_net *en,
					 const struct edgepin_policy *p)
{
	struct edgepin_turn *t = &en->turn;
	struct edgepin_turn_perm *pm, *tmp;
	struct turn_relay r;
	unsigned int n = 0;

	spin_lock_bh(&t->lock);
	list_for_each_entry_safe(pm, tmp, &t->perms, node) {
		r.addr = pm->relay;
		r.port = pm->relay_port;
		r.family = pm->family;
		if (p->mode != EDGEPIN_MODE_MONITOR &&
		    relay_refusal(p, pm->conn, pm->proto, &r) ==
		    EDGEPIN_REFUSED_NONE &&
		    edgepin_policy_peer_ok(p, pm->family, &pm->peer))
			continue;
		perm_close(t, pm, EDGEPIN_EVENT_PINHOLE_CLOSE);
		n++;
	}
	reap_kick(t);
	spin_unlock_bh(&t->lock);
	return n;
}

void edgepin_turn_init(struct edgepin_net *en)
{
	struct edgepin_turn *t = &en->turn;

	spin_lock_init(&t->lock);
	INIT_LIST_HEAD(&t->conns);
	INIT_LIST_HEAD(&t->perms);
	INIT_LIST_HEAD(&t->reap);
	INIT_DELAYED_WORK(&t->gc, turn_gc);
	INIT_WORK(&t->reaper, turn_reap);
}

/*
 * The netns is going (or the module, after its helpers): the conntracks
 * that outlive this state must not find it, so each is unlinked from its
 * master's helper data.
 */
void edgepin_turn_exit(struct edgepin_net *en)
{
	struct edgepin_turn *t = &en->turn;
	struct edgepin_turn_conn *c;
	struct nf_conn *put;

	spin_lock_bh(&t->lock);
	t->dying = true;
	spin_unlock_bh(&t->lock);
	cancel_delayed_work_sync(&t->gc);
	cancel_work_sync(&t->reaper);
	for (;;) {
		put = NULL;
		spin_lock_bh(&t->lock);
		c = list_first_entry_or_null(&t->conns,
					     struct edgepin_turn_conn, node);
		if (c)
			put = conn_free(t, c);
		spin_unlock_bh(&t->lock);
		if (!c)
			break;
		nf_ct_put(put);
	}
	/* the netns is dying: its flows go with it */
	turn_reap(&t->reaper);
}

/* --- Registration --- */

static const struct nf_conntrack_expect_policy turn_exp_policy[] = {
	{
		.name		= "relay",
		.max_expected	= 0,	/* bounded by max-pinholes-per-call */
		.timeout	= TURN_PERMISSION_SECS,
	},
};

static struct nf_conntrack_helper turn_helpers[EDGEPIN_FLAVOURS];

bool edgepin_turn_helper_ours(const struct nf_conntrack_helper *h)
{
	return h >= turn_helpers && h < turn_helpers + ARRAY_SIZE(turn_helpers);
}

int edgepin_turn_helper_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct edgepin_turn_ct) >
		     sizeof_field(struct nf_conn_help, data));
	edgepin_helper_flavours(turn_helpers, EDGEPIN_TURN_HELPER_NAME,
				EDGEPIN_TURN_PORT, EDGEPIN_TURN_PORT,
				turn_exp_policy,
				ARRAY_SIZE(turn_exp_policy) - 1,
				turn_help_udp, turn_help_tcp, turn_destroy);
	ret = nf_conntrack_helpers_register(turn_helpers,
					    ARRAY_SIZE(turn_helpers));
	if (ret < 0)
		return ret;
	nf_ct_helper_expectfn_register(&turn_expectfn_reg);
	return 0;
}

void edgepin_turn_helper_exit(void)
{
	nf_ct_helper_expectfn_unregister(&turn_expectfn_reg);
	nf_conntrack_helpers_unregister(turn_helpers, ARRAY_SIZE(turn_helpers));
}
