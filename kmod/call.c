// SPDX-License-Identifier: GPL-2.0
/*
 * Calls, offer/answer and pinholes.
 *
 * A call is keyed by Call-ID. Each SDP seen is kept as a compact summary
 * (struct edgepin_sdp); when an answer meets its offer, the pinholes of
 * that dialog are recomputed from the two and the difference applied, so
 * a re-INVITE moves pinholes and an unchanged retransmission changes
 * nothing. A pinhole is one conntrack expectation of helper "edgepin".
 *
 * Cost: no path a packet or an event takes walks all calls or pinholes.
 * Calls are found by Call-ID hash and pinholes by expectation (tables of
 * 1024 buckets: chains of max-pinholes / 1024 at the limit) and by
 * master; expiry looks only at the heads of lists kept in deadline order;
 * a dump resumes by an rbtree lookup (O(log n)); the media flows of an
 * ended call are found by the tuples its pinholes kept. A message costs
 * its call's own pinholes at most. What walks everything is rare and
 * asked for: a policy change, a flush, unload.
 *
 * Locking: calls.lock (BH) protects calls and pinholes, and is taken
 * before nf_conntrack_expect_lock, never after. Media flows are cut in
 * process context by the reaper.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/hash.h>
#include <linux/inet.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_tuple.h>

#include "compat.h"
#include "helper.h"
#include "netns.h"
#include "objects.h"
#include "parser.h"

#define EDGEPIN_GC_INTERVAL	HZ
/* A call not confirmed (no 2xx from the callee) after this long without
 * a message ends: about SIP's Timer C, which provisional responses restart.
 */
#define EDGEPIN_UNANSWERED	(180 * HZ)
/* Buckets of a call's pins by key: a negotiation looks each pair up. */
#define EDGEPIN_PIN_KEY_BUCKETS	16
/*
 * A pin whose master is still unconfirmed this long after it opened lost
 * its master (a clash, a failed confirm): calls_gc() closes it.
 */
#define EDGEPIN_UNCONFIRMED	HZ
/*
 * Offers held in a namespace: max-calls times this (16 MB at the
 * default), so that the budget follows max-calls and, like it, only the
 * initial user namespace may raise it above its default.
 */
#define EDGEPIN_OFFER_BYTES_PER_CALL	1024
/*
 * How long an answered offer of a confirmed call is kept: the 2xx of
 * other forks may come for 64*T1 after the first (RFC 3261 13.2.2.4).
 */
#define EDGEPIN_FORK_2XX	(32 * HZ)
/*
 * Flows entered through pinholes that calls_gc() waits to see confirmed,
 * per netns. Past it a pinhole is activated by its flow at once (as if
 * confirmed): a flood must not make a genuine flow go unnoticed, which
 * would cut it when the pinhole expires.
 */
#define EDGEPIN_FLOWS_PENDING	4096
/* Events one negotiation in mode monitor sends at most. */
#define EDGEPIN_MONITOR_EVENTS	16

struct edgepin_pin {
	struct hlist_node hnode;	/* calls.pins, hashed by expectation */
	struct hlist_node knode;	/* call->pin_keys, hashed by key */
	struct hlist_node mnode;	/* its master's edgepin_ct.pins_list */
	struct list_head node;		/* call->pins, or the reaper's list */
	/* calls.pinned while pinned and not used: oldest deadline first */
	struct list_head tnode;
	/* calls.young until its master is known confirmed (or lost) */
	struct list_head ynode;
	struct edgepin_call *call;
	struct nf_conntrack_expect *exp; /* our reference */
	struct nf_conn *master;		/* our reference */
	/*
	 * The master's helper data, taken at open: nfct_help() of a master
	 * that never got confirmed returns NULL after an extension genid
	 * bump (nf_ct_iterate_destroy()).
	 */
	struct edgepin_ct *help;
	unsigned long opened;		/* jiffies */
	u64 seq;			/* order in call->pins (edgepin_cursor) */
	struct edgepin_pin_key key;
	u32 dialog;
	u32 flows;
	/* the first flows it let in, to be cut without a table walk */
	struct list_head flow_list;
	u8 n_flows_kept;
	bool flows_lost;		/* some not kept: the reaper walks */
	u8 state;			/* enum edgepin_pin_state */
	bool stale;			/* not (yet) in the new negotiation */
};

/*
 * A flow that entered through a pinhole, as the reaper finds it again when
 * the call ends: by its tuple, then by the id ctnetlink knows it by
 * (nf_ct_get_id(): a hash of its address, master and tuple). A later
 * connection on the same tuple is cut only if it also has the same
 * master and landed in the same slab object, as the table walk before
 * would have cut it (same master, same key).
 */
struct edgepin_pin_flow {
	struct list_head node;		/* pin->flow_list */
	struct nf_conntrack_tuple tuple; /* original direction */
	struct nf_conntrack_zone zone;
	u32 id;
};

/* Flows kept per pin: RTP and RTCP, a few candidate pairs. */
#define EDGEPIN_PIN_FLOWS_KEPT	4

/*
 * A flow that entered through a pinhole, held (with its expectation)
 * until calls_gc() sees it confirmed, i.e. accepted by the whole
 * ruleset: only then does it make the pinhole active. A flow dropped
 * after conntrack (by the filter, a rate limit) never is, and lets go
 * after EDGEPIN_UNCONFIRMED. One whose pinhole closed before it was
 * confirmed (the kernel took the expectation just before we unlinked
 * it) is cut as the pinhole's other flows were.
 */
struct edgepin_flow {
	struct list_head node;		/* calls.flows */
	struct nf_conn *ct;		/* our reference */
	struct nf_conntrack_expect *exp; /* our reference */
	unsigned long seen;		/* jiffies */
};

/* One message that carried SDP, to know its retransmissions by. */
struct sdp_msg_id {
	u32 cseq;
	u32 dialog;
	u32 body;			/* hash of the body */
	u16 status;			/* 0 for a request */
	u8 method;			/* of the CSeq */
	u8 side;
	bool set;
};

/*
 * One internet host (an IPv4 address, an IPv6 /64) and the calls counted
 * against its share of max-calls; exists while it holds one.
 */
struct edgepin_source {
	struct hlist_node hnode;	/* calls.sources */
	u64 prefix;			/* the address, or the /64 */
	u32 calls;
	u8 family;
};

struct edgepin_call {
	struct hlist_node hnode;	/* calls.by_id */
	struct list_head node;		/* calls.all */
	struct rb_node seq_node;	/* calls.by_seq */
	struct list_head idle_node;	/* calls.idle */
	struct list_head uc_node;	/* calls.unconfirmed until confirmed */
	struct list_head spent_node;	/* calls.spent while offer_spent */
	struct edgepin_source *source;	/* whose share it takes, or NULL */
	struct list_head pins;
	struct hlist_head pin_keys[EDGEPIN_PIN_KEY_BUCKETS];
	struct list_head orphans;	/* pins whose master went, with flows */
	/* The last offer, kept for re-answers until the call is confirmed,
	 * its dialog answered and other forks' 2xx had their time
	 * (call_offer_spent(), calls_gc()).
	 */
	struct edgepin_sdp *offer;
	unsigned long offer_spent_at;	/* jiffies, when offer_spent */
	struct sdp_msg_id offer_id;	/* the message that made it */
	struct sdp_msg_id answer_id;	/* the last one that answered */
	unsigned long start;
	unsigned long last;		/* last in-dialog message */
	u64 seq;			/* order in calls.all (edgepin_cursor) */
	/* Each side's own signalling address, fixed by the INVITE: the
	 * caller its source, the callee its destination after NAT.
	 */
	union nf_inet_addr sig[2];
	u32 hash;
	u32 caller_tag;			/* hash of the initial From tag */
	u32 offer_cseq;
	u32 dialog;			/* confirmed dialog (To tag hash) */
	u32 n_pins;
	u32 n_stale;			/* pins marked stale */
	u8 offer_side;			/* 0 caller, 1 callee */
	u8 offer_method;
	u8 state;			/* enum edgepin_call_state */
	u8 family;
	u8 proto;
	/* enum edgepin_origin of the INVITE that made it: unless sip-feed
	 * is shared, only that source (wire or feed) speaks for it
	 */
	u8 origin;
	bool answered;
	bool offer_spent;		/* answered and confirmed */
	bool offer_released;		/* spent, then freed */
	bool edge_offered;
	u8 id_len;
	char id[EDGEPIN_CALL_ID_MAX];
};

static struct kmem_cache *call_cache __read_mostly;
static struct kmem_cache *pin_cache __read_mostly;

int __init edgepin_calls_cache_init(void)
{
	call_cache = KMEM_CACHE(edgepin_call, 0);
	pin_cache = KMEM_CACHE(edgepin_pin, 0);
	if (call_cache && pin_cache)
		return 0;
	kmem_cache_destroy(call_cache);
	kmem_cache_destroy(pin_cache);
	return -ENOMEM;
}

void edgepin_calls_cache_exit(void)
{
	kmem_cache_destroy(pin_cache);
	kmem_cache_destroy(call_cache);
}

static struct edgepin_net *call_net(struct edgepin_calls *calls)
{
	return container_of(calls, struct edgepin_net, calls);
}

/* A call or pinhole came or went: dumps in progress are inconsistent. */
static void calls_changed(struct edgepin_calls *calls)
{
	lockdep_assert_held(&calls->lock);
	/* nl_dump_check_consistent() takes a cb->seq of 0 for "none yet" */
	if (!++calls->gen)
		calls->gen = 1;
}

u32 edgepin_calls_gen(struct edgepin_net *en)
{
	u32 gen;

	spin_lock_bh(&en->calls.lock);
	gen = en->calls.gen;
	spin_unlock_bh(&en->calls.lock);
	return gen;
}

void edgepin_calls_gen_bump(struct edgepin_net *en)
{
	spin_lock_bh(&en->calls.lock);
	calls_changed(&en->calls);
	spin_unlock_bh(&en->calls.lock);
}

/*
 * Call-IDs are chosen by whoever sends an INVITE: they are hashed with
 * siphash under a random key, so that nobody can aim a flood of them at
 * one bucket (jhash is not built to resist that, even seeded).
 */
static siphash_key_t call_id_key __read_mostly;

static u32 call_id_hash(const char *id, size_t len)
{
	return (u32)siphash(id, len, &call_id_key);
}

static struct edgepin_call *call_find(struct edgepin_calls *calls,
				      const char *id, size_t len)
{
	struct edgepin_call *call;
	u32 h = call_id_hash(id, len);

	hash_for_each_possible(calls->by_id, call, hnode, h)
		if (call->hash == h && call->id_len == len &&
		    !memcmp(call->id, id, len))
			return call;
	return NULL;
}

static bool call_seq_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct edgepin_call, seq_node)->seq <
	       rb_entry(b, struct edgepin_call, seq_node)->seq;
}

/* The oldest call of sequence number @seq or later, for a dump's resume. */
static struct edgepin_call *call_from_seq(struct edgepin_calls *calls, u64 seq)
{
	struct rb_node *n = calls->by_seq.rb_node;
	struct edgepin_call *call, *found = NULL;

	while (n) {
		call = rb_entry(n, struct edgepin_call, seq_node);
		if (call->seq >= seq) {
			found = call;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return found;
}

/* A pin other than @pin that uses its expectation (a fork's twin), or NULL. */
static struct edgepin_pin *pin_exp_shared(struct edgepin_calls *calls,
					  const struct edgepin_pin *pin)
{
	struct edgepin_pin *other;

	hash_for_each_possible(calls->pins, other, hnode,
			       hash_ptr(pin->exp, 32))
		if (other != pin && other->exp == pin->exp)
			return other;
	return NULL;
}

/* Has @pin kept the flow @f? */
static bool pin_flow_kept(const struct edgepin_pin *pin,
			  const struct edgepin_pin_flow *f)
{
	const struct edgepin_pin_flow *k;

	list_for_each_entry(k, &pin->flow_list, node)
		if (k->id == f->id && nf_ct_tuple_equal(&k->tuple, &f->tuple))
			return true;
	return false;
}

/*
 * @pin closes while @other keeps their expectation open: the flows @pin
 * kept are @other's to cut when it closes. A flow may have entered before
 * @other shared the expectation, so only @pin knows it.
 */
static void pin_flows_hand_over(struct edgepin_pin *pin,
				struct edgepin_pin *other)
{
	struct edgepin_pin_flow *f, *tmp;

	other->flows = max(other->flows, pin->flows);
	other->flows_lost |= pin->flows_lost;
	list_for_each_entry_safe(f, tmp, &pin->flow_list, node) {
		pin->n_flows_kept--;
		if (pin_flow_kept(other, f)) {
			list_del(&f->node);
			edgepin_obj_free(f);
		} else if (other->n_flows_kept < EDGEPIN_PIN_FLOWS_KEPT) {
			list_move_tail(&f->node, &other->flow_list);
			other->n_flows_kept++;
		} else {
			other->flows_lost = true;
			list_del(&f->node);
			edgepin_obj_free(f);
		}
	}
}

static const char *const media_names[] = {
	[SDP_MEDIA_OTHER]	= "other",
	[SDP_MEDIA_AUDIO]	= "audio",
	[SDP_MEDIA_VIDEO]	= "video",
	[SDP_MEDIA_APPLICATION]	= "application",
	[SDP_MEDIA_TEXT]	= "text",
	[SDP_MEDIA_MESSAGE]	= "message",
	[SDP_MEDIA_IMAGE]	= "image",
};

static void pin_info(const struct edgepin_pin *pin,
		     struct edgepin_pin_info *pi)
{
	const struct edgepin_call *call = pin->call;
	const struct edgepin_pin_key *k = &pin->key;

	memset(pi, 0, sizeof(*pi));
	memcpy(pi->call_id, call->id, call->id_len);
	pi->call_id_len = call->id_len;
	strscpy(pi->media, k->media_type < ARRAY_SIZE(media_names) ?
		media_names[k->media_type] : "other", sizeof(pi->media));
	pi->media_index = k->media;
	pi->proto = k->proto;
	pi->family = k->family;
	pi->state = pin->state;
	pi->edge_cand = k->edge_kind;
	pi->peer_cand = k->peer_kind;
	pi->origin = call->origin;
	pi->edge_addr = k->edge_addr;
	pi->peer_addr = k->peer_addr;
	pi->edge_port = k->edge_port;
	pi->peer_port = k->peer_port;
	pi->flows = pin->flows;
	pi->timeout = -1;
	if (pin->exp && pin->state == EDGEPIN_PIN_PINNED)
		pi->timeout = edgepin_exp_secs_left(pin->exp);
}

static void call_info(const struct edgepin_call *call,
		      struct edgepin_call_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	memcpy(ci->call_id, call->id, call->id_len);
	ci->call_id_len = call->id_len;
	ci->state = call->state;
	ci->family = call->family;
	ci->proto = call->proto;
	ci->edge_offered = call->edge_offered;
	ci->origin = call->origin;
	ci->edge_sig = call->sig[call->edge_offered ? call->offer_side :
				 !call->offer_side];
	ci->peer_sig = call->sig[call->edge_offered ? !call->offer_side :
				 call->offer_side];
	ci->pinholes = call->n_pins;
	ci->age = (jiffies - call->start) / HZ;
	ci->idle = (jiffies - call->last) / HZ;
}

static size_t offer_size(const struct edgepin_sdp *sdp)
{
	return kmalloc_size_roundup(struct_size(sdp, ep, sdp->n_ep));
}

static void call_offer_free(struct edgepin_calls *calls,
			    struct edgepin_call *call)
{
	if (!call->offer)
		return;
	calls->offer_bytes -= offer_size(call->offer);
	edgepin_obj_free(call->offer);
	call->offer = NULL;
	call->offer_spent = false;
	list_del_init(&call->spent_node);
}

/*
 * Take @sdp as the call's offer, within the namespace's offer budget;
 * false if it does not fit (the call then has no offer).
 */
static bool call_offer_take(struct edgepin_net *en, struct edgepin_call *call,
			    struct edgepin_sdp *sdp)
{
	struct edgepin_calls *calls = &en->calls;
	size_t size = offer_size(sdp), budget;

	rcu_read_lock();
	budget = (size_t)rcu_dereference(en->policy)->max_calls *
		 EDGEPIN_OFFER_BYTES_PER_CALL;
	rcu_read_unlock();
	if (calls->offer_bytes + size > budget) {
		edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_OFFER_MEMORY);
		net_info_ratelimited("edgepin: offer memory budget (%zu KB, max-calls x 1 KB) reached: offer not kept\n",
				     budget >> 10);
		return false;
	}
	calls->offer_bytes += size;
	call->offer = sdp;
	return true;
}

/*
 * Once the call is confirmed and its dialog has the answer, the offer
 * serves only the 2xx of other forks, for EDGEPIN_FORK_2XX; a re-INVITE
 * or an UPDATE brings its own. Until then a 200 may repeat a 183's
 * answer, or an ACK answer an offer made in a 200.
 */
static void call_offer_spent(struct edgepin_calls *calls,
			     struct edgepin_call *call)
{
	if (call->offer && !call->offer_spent &&
	    call->state == EDGEPIN_CALL_CONFIRMED && call->answered &&
	    call->answer_id.dialog == call->dialog) {
		call->offer_spent = true;
		call->offer_spent_at = jiffies;
		list_add_tail(&call->spent_node, &calls->spent);
	}
}

static void pin_free(struct edgepin_pin *pin)
{
	struct edgepin_pin_flow *f, *tmp;

	list_for_each_entry_safe(f, tmp, &pin->flow_list, node)
		edgepin_obj_free(f);
	edgepin_cache_free(pin_cache, pin);
}

/*
 * Take the pinhole out of the tables and close its expectation, unless
 * another pin shares it. Pins that let flows in go to @reap, so that
 * those flows are cut; the rest are freed. Caller holds calls.lock.
 */
static void pin_close(struct edgepin_calls *calls, struct edgepin_pin *pin,
		      enum edgepin_event ev, struct list_head *reap)
{
	struct edgepin_net *en = call_net(calls);
	struct edgepin_pin *shared;
	struct edgepin_pin_info pi;

	pin_info(pin, &pi);
	if (pin->exp) {
		/* Another dialog's pin with the same key still uses it:
		 * the expectation stays, and so do the flows it let in.
		 */
		shared = pin_exp_shared(calls, pin);
		if (shared) {
			pin_flows_hand_over(pin, shared);
			reap = NULL;
		} else {
			spin_lock_bh(&nf_conntrack_expect_lock);
			if (edgepin_exp_linked(pin->exp))
				nf_ct_unlink_expect(pin->exp);
			spin_unlock_bh(&nf_conntrack_expect_lock);
		}
		nf_ct_expect_put(pin->exp);
		list_del_init(&pin->tnode);
		list_del_init(&pin->ynode);
		hash_del(&pin->hnode);
		hlist_del_init(&pin->knode);
		pin->exp = NULL;
		hlist_del_init(&pin->mnode);
		atomic_dec(&pin->help->pins);
		/* may be the last reference: it only takes the expect lock */
		nf_ct_put(pin->master);
		calls->n_pins--;
		edgepin_stat_inc(en, ev == EDGEPIN_EVENT_PINHOLE_EXPIRE ?
				 EDGEPIN_STAT_PINHOLES_EXPIRED :
				 EDGEPIN_STAT_PINHOLES_CLOSED);
	}
	pin->call->n_pins--;
	if (pin->stale)
		pin->call->n_stale--;
	list_del(&pin->node);
	calls_changed(calls);
	if (!calls->dying)
		edgepin_notify_pin(en, ev, &pi, 0);
	if (pin->flows && reap)
		list_add_tail(&pin->node, reap);
	else
		pin_free(pin);
}

static void reap_queue(struct edgepin_calls *calls, struct list_head *reap)
{
	if (list_empty(reap))
		return;
	list_splice_tail_init(reap, &calls->reap);
	if (!calls->dying)
		queue_work(system_unbound_wq, &calls->reaper);
}

/* The key of siphash over the source prefixes an attacker chooses. */
static siphash_key_t source_key __read_mostly;

/* What a share is counted by: the IPv4 address, or the IPv6 /64 (one
 * host may own a whole /64).
 */
static u64 source_prefix(u8 family, const union nf_inet_addr *addr)
{
	u64 v;

	if (family == AF_INET)
		return (__force u32)addr->ip;
	memcpy(&v, &addr->in6, sizeof(v));
	return v;
}

static struct edgepin_source *source_find(struct edgepin_calls *calls,
					  u8 family, u64 prefix, u32 *hash)
{
	struct edgepin_source *src;

	lockdep_assert_held(&calls->lock);
	*hash = (u32)siphash_2u64(family, prefix, &source_key);
	hash_for_each_possible(calls->sources, src, hnode, *hash)
		if (src->family == family && src->prefix == prefix)
			return src;
	return NULL;
}

static void source_put(struct edgepin_calls *calls, struct edgepin_source *src)
{
	if (src && !--src->calls) {
		hash_del(&src->hnode);
		edgepin_obj_free(src);
	}
}

static void call_free(struct edgepin_calls *calls, struct edgepin_call *call,
		      struct list_head *reap)
{
	struct edgepin_net *en = call_net(calls);
	struct edgepin_pin *pin, *tmp;
	struct edgepin_call_info ci;

	list_for_each_entry_safe(pin, tmp, &call->pins, node)
		pin_close(calls, pin, EDGEPIN_EVENT_PINHOLE_CLOSE, reap);
	/* flows that outlived their signalling connection end with the call */
	list_splice_tail_init(&call->orphans, reap);
	call_offer_free(calls, call);
	call_info(call, &ci);
	ci.state = EDGEPIN_CALL_ENDED;
	if (!calls->dying)
		edgepin_notify_call(en, EDGEPIN_EVENT_CALL_END, &ci);
	hash_del(&call->hnode);
	list_del(&call->node);
	rb_erase(&call->seq_node, &calls->by_seq);
	list_del(&call->idle_node);
	list_del(&call->uc_node);
	calls_changed(calls);
	source_put(calls, call->source);
	calls->n_calls--;
	edgepin_cache_free(call_cache, call);
}

/* End a call: its pinholes close now, its media flows are cut. */
static void call_end(struct edgepin_calls *calls, struct edgepin_call *call,
		     enum edgepin_stat why)
{
	LIST_HEAD(reap);

	edgepin_stat_inc(call_net(calls), why);
	call_free(calls, call, &reap);
	reap_queue(calls, &reap);
}

/* The call's bucket of pins with key @k (what edgepin_pin_key_eq() reads). */
static struct hlist_head *pin_key_bucket(const struct edgepin_calls *calls,
					 struct edgepin_call *call,
					 const struct edgepin_pin_key *k)
{
	u32 h;

	h = jhash2(k->edge_addr.all, ARRAY_SIZE(k->edge_addr.all),
		   calls->seed);
	h = jhash2(k->peer_addr.all, ARRAY_SIZE(k->peer_addr.all), h);
	h = jhash_3words(k->edge_port, k->peer_port,
			 (u32)k->family << 8 | k->proto, h);
	return &call->pin_keys[h & (EDGEPIN_PIN_KEY_BUCKETS - 1)];
}

static void edgepin_expectfn(struct nf_conn *ct,
			     struct nf_conntrack_expect *exp);

/*
 * @exp, still unused, got a new deadline, the newest: its pins move to
 * the tail of calls.pinned, which stays in deadline order.
 */
static void pins_renewed(struct edgepin_calls *calls,
			 struct nf_conntrack_expect *exp)
{
	struct edgepin_pin *pin;

	hash_for_each_possible(calls->pins, pin, hnode, hash_ptr(exp, 32))
		if (pin->exp == exp && pin->state == EDGEPIN_PIN_PINNED)
			list_move_tail(&pin->tnode, &calls->pinned);
}

/*
 * Another dialog of the call (a fork) already has this pinhole on the
 * same master: nf_ct_expect_related() would replace that expectation
 * with a new one and leave the fork's pin with an unlinked one, so the
 * two share it instead. Returns it with a reference for @pin, which
 * takes the state and flows the expectation already has; NULL if there
 * is none to share.
 */
static struct nf_conntrack_expect *
pin_twin_exp(struct edgepin_calls *calls, struct edgepin_call *call,
	     struct nf_conn *ct, const struct edgepin_pin_key *k,
	     const struct edgepin_policy *p, struct edgepin_pin *pin)
{
	struct edgepin_pin *twin;
	bool linked;

	hlist_for_each_entry(twin, pin_key_bucket(calls, call, k), knode) {
		if (!twin->exp || twin->master != ct ||
		    !edgepin_pin_key_eq(&twin->key, k))
			continue;
		spin_lock_bh(&nf_conntrack_expect_lock);
		linked = edgepin_exp_linked(twin->exp);
		if (linked && twin->state == EDGEPIN_PIN_PINNED) {
			edgepin_exp_set_timeout(twin->exp, p->pinhole_timeout);
			pins_renewed(calls, twin->exp);
		}
		spin_unlock_bh(&nf_conntrack_expect_lock);
		if (!linked)
			continue;
		pin->state = twin->state;
		pin->flows = twin->flows;
		refcount_inc(&twin->exp->use);
		return twin->exp;
	}
	return NULL;
}

/* The pinhole and its expectation (see pin_open()). */
static enum edgepin_refusal
pin_open_exp(struct edgepin_net *en, const struct edgepin_policy *p,
	     struct edgepin_call *call, struct nf_conn *ct,
	     const struct edgepin_pin_key *k, u32 dialog)
{
	struct edgepin_calls *calls = &en->calls;
	struct nf_conntrack_expect *exp;
	struct edgepin_pin_info pi;
	struct edgepin_pin *pin;
	__be16 sport, dport;
	int ret;

	pin = edgepin_cache_alloc(pin_cache);
	if (!pin)
		return EDGEPIN_REFUSED_OTHER;
	pin->call = call;
	INIT_LIST_HEAD(&pin->flow_list);
	pin->key = *k;
	pin->dialog = dialog;
	pin->master = ct;
	pin->help = edgepin_ct(ct);
	pin->opened = jiffies;

	exp = pin_twin_exp(calls, call, ct, k, p, pin);
	if (exp)
		goto pinned;
	exp = nf_ct_expect_alloc(ct);
	if (!exp) {
		edgepin_cache_free(pin_cache, pin);
		return EDGEPIN_REFUSED_OTHER;
	}
	sport = htons(k->peer_port);
	dport = htons(k->edge_port);
	nf_ct_expect_init(exp, EDGEPIN_EXPECT_MEDIA, k->family, &k->peer_addr,
			  &k->edge_addr, k->proto, k->peer_port ? &sport : NULL,
			  &dport);
	exp->flags = NF_CT_EXPECT_PERMANENT;
	exp->expectfn = edgepin_expectfn;

	ret = nf_ct_expect_related(exp, 0);
	if (ret < 0) {
		nf_ct_expect_put(exp);
		edgepin_cache_free(pin_cache, pin);
		if (ret == -EMFILE) {
			net_warn_ratelimited("edgepin: conntrack expectation table full (nf_conntrack_expect_max): pinhole refused\n");
			return EDGEPIN_REFUSED_EXPECT_FULL;
		}
		return EDGEPIN_REFUSED_OTHER;
	}
	spin_lock_bh(&nf_conntrack_expect_lock);
	edgepin_exp_set_timeout(exp, p->pinhole_timeout);
	spin_unlock_bh(&nf_conntrack_expect_lock);
	pin->state = EDGEPIN_PIN_PINNED;

pinned:
	pin->exp = exp;		/* our reference, from alloc or the twin */
	WRITE_ONCE(pin->help->pinned, true);
	/* An unconfirmed master can be freed without ->destroy(): hold it. */
	nf_conntrack_get(&ct->ct_general);
	hash_add(calls->pins, &pin->hnode, hash_ptr(exp, 32));
	hlist_add_head(&pin->knode, pin_key_bucket(calls, call, k));
	hlist_add_head(&pin->mnode, &pin->help->pins_list);
	if (pin->state == EDGEPIN_PIN_PINNED)
		list_add_tail(&pin->tnode, &calls->pinned);
	else
		INIT_LIST_HEAD(&pin->tnode);
	list_add_tail(&pin->ynode, &calls->young);
	pin->seq = ++calls->seq;
	list_add_tail(&pin->node, &call->pins);
	calls_changed(calls);
	call->n_pins++;
	calls->n_pins++;
	edgepin_stat_inc(en, EDGEPIN_STAT_PINHOLES_OPENED);
	pin_info(pin, &pi);
	edgepin_notify_pin(en, EDGEPIN_EVENT_PINHOLE_OPEN, &pi, 0);
	return EDGEPIN_REFUSED_NONE;
}

/* Open one pinhole as an expectation whose master is @ct. */
static enum edgepin_refusal
pin_open(struct edgepin_net *en, const struct edgepin_policy *p,
	 struct edgepin_call *call, struct nf_conn *ct,
	 const struct edgepin_pin_key *k, u32 dialog)
{
	enum edgepin_refusal ret;

	if (call->n_pins - call->n_stale >= p->max_per_call) {
		net_info_ratelimited("edgepin: max-pinholes-per-call (%u) reached: pinhole refused\n",
				     p->max_per_call);
		return EDGEPIN_REFUSED_MAX_PER_CALL;
	}
	if (en->calls.n_pins >= p->max_pinholes) {
		net_info_ratelimited("edgepin: max-pinholes (%u) reached: pinhole refused\n",
				     p->max_pinholes);
		return EDGEPIN_REFUSED_MAX_PINHOLES;
	}
	/*
	 * A master being deleted on another CPU must not get pinholes its
	 * destroy callback would miss: count first, then look (both sides
	 * are full barriers), and back off if it is dying.
	 */
	edgepin_ct_pins_inc(ct);
	if (nf_ct_is_dying(ct)) {
		edgepin_ct_pins_dec(ct);
		return EDGEPIN_REFUSED_OTHER;
	}
	ret = pin_open_exp(en, p, call, ct, k, dialog);
	if (ret)
		edgepin_ct_pins_dec(ct);
	return ret;
}

/* A refusal that stops a negotiation: counted and notified once. */
static void refused(struct edgepin_net *en, struct edgepin_call *call,
		    const struct edgepin_pin_key *k, enum edgepin_refusal why)
{
	struct edgepin_pin pin = { .call = call, .key = *k };
	u32 stat = edgepin_refusal_stat(why);
	struct edgepin_pin_info pi;

	edgepin_stat_inc(en, stat);
	pin_info(&pin, &pi);
	edgepin_notify_pin(en, EDGEPIN_EVENT_REFUSED, &pi, stat);
}

/* One negotiation being applied to a call's pinholes. */
struct negotiation {
	struct edgepin_net *en;
	const struct edgepin_policy *p;
	struct edgepin_call *call;
	struct nf_conn *ct;
	u32 dialog;
	u32 would;	/* pinholes mode monitor counted */
	/* the refusal that stopped new pinholes, counted once */
	enum edgepin_refusal full;
};

/*
 * Nothing left to do: no new pinhole may open, and every pinhole the
 * dialog had is wanted again (none is left to keep from closing).
 */
static bool ng_done(const struct negotiation *ng)
{
	return ng->full && !ng->call->n_stale;
}

/*
 * Mode monitor: count what enforce would pin, as enforce would, up to
 * max-pinholes-per-call; the operator watching gets a few events, not
 * one per endpoint pair.
 */
static void monitor_would_pin(struct negotiation *ng,
			      const struct edgepin_pin_key *k)
{
	struct edgepin_pin pin = { .call = ng->call, .key = *k };
	struct edgepin_pin_info pi;

	if (ng->would >= ng->p->max_per_call) {
		net_info_ratelimited("edgepin: max-pinholes-per-call (%u) reached: pinhole refused\n",
				     ng->p->max_per_call);
		ng->full = EDGEPIN_REFUSED_MAX_PER_CALL;
		refused(ng->en, ng->call, k, ng->full);
		return;
	}
	ng->would++;
	edgepin_stat_inc(ng->en, EDGEPIN_STAT_MONITOR_WOULD_PIN);
	if (ng->would > EDGEPIN_MONITOR_EVENTS)
		return;
	pin_info(&pin, &pi);
	pi.state = EDGEPIN_PIN_MONITOR;
	edgepin_notify_pin(ng->en, EDGEPIN_EVENT_PINHOLE_OPEN, &pi, 0);
}

/*
 * The negotiation wants pinhole @k: keep it if the dialog has it, else
 * open it. A pinhole's kinds are those it opened with: the summary lists
 * candidates before defaults, so they are the best ones then.
 */
static void pin_want(struct negotiation *ng, const struct edgepin_pin_key *k)
{
	struct edgepin_call *call = ng->call;
	enum edgepin_refusal why;
	struct edgepin_pin *pin;

	hlist_for_each_entry(pin, pin_key_bucket(&ng->en->calls, call, k),
			     knode) {
		if (pin->dialog != ng->dialog ||
		    !edgepin_pin_key_eq(&pin->key, k))
			continue;
		if (pin->stale) {
			pin->stale = false;
			call->n_stale--;
		}
		return;
	}
	if (ng->full)
		return;
	if (ng->p->mode == EDGEPIN_MODE_MONITOR) {
		monitor_would_pin(ng, k);
		return;
	}
	/*
	 * Any refusal stops the rest of this negotiation: a limit, a full
	 * expectation table, an allocation or a clash would only fail again
	 * for each of up to 64 x 64 pairs per media, each counted and
	 * notified, under the expectation lock.
	 */
	why = pin_open(ng->en, ng->p, call, ng->ct, k, ng->dialog);
	if (why) {
		ng->full = why;
		refused(ng->en, call, k, why);
	}
}

/* The decision's callbacks (edgepin_pinning()): apply, and count. */
static bool ng_want(void *arg, const struct edgepin_pin_key *k)
{
	struct negotiation *ng = arg;

	pin_want(ng, k);
	return ng_done(ng);
}

static void ng_refused(void *arg, enum edgepin_refusal why)
{
	struct negotiation *ng = arg;

	edgepin_stat_inc(ng->en, edgepin_refusal_stat(why));
}

static const struct edgepin_pinning_ops ng_ops = {
	.want = ng_want,
	.refused = ng_refused,
};

/*
 * Apply a negotiation of @dialog: the pinholes @offer and @answer allow,
 * replacing that dialog's previous ones. Unchanged pinholes stay as they
 * are, so media flowing through them is not disturbed.
 */
static void call_negotiate(struct edgepin_net *en, struct edgepin_call *call,
			   struct nf_conn *ct, const struct edgepin_sdp *answer,
			   u32 dialog, struct list_head *reap)
{
	const struct edgepin_sdp *offer = call->offer;
	struct negotiation ng = {
		.en = en, .call = call, .ct = ct, .dialog = dialog,
	};
	struct edgepin_pin *pin, *tmp;

	list_for_each_entry(pin, &call->pins, node) {
		if (pin->dialog == dialog && !pin->stale) {
			pin->stale = true;
			call->n_stale++;
		}
	}
	rcu_read_lock();
	ng.p = rcu_dereference(en->policy);
	edgepin_pinning(offer, answer, ng.p, &ng_ops, &ng);
	rcu_read_unlock();

	list_for_each_entry_safe(pin, tmp, &call->pins, node)
		if (pin->stale)
			pin_close(&en->calls, pin, EDGEPIN_EVENT_PINHOLE_CLOSE,
				  reap);
}

static void call_close_dialog(struct edgepin_calls *calls,
			      struct edgepin_call *call, u32 dialog,
			      struct list_head *reap)
{
	struct edgepin_pin *pin, *tmp;

	list_for_each_entry_safe(pin, tmp, &call->pins, node)
		if (pin->dialog == dialog)
			pin_close(calls, pin, EDGEPIN_EVENT_PINHOLE_CLOSE, reap);
}

/* The early dialogs that lost a forking race lose their pinholes. */
static void call_confirm_dialog(struct edgepin_calls *calls,
				struct edgepin_call *call, u32 dialog,
				struct list_head *reap)
{
	struct edgepin_pin *pin, *tmp;

	call->state = EDGEPIN_CALL_CONFIRMED;
	call->dialog = dialog;
	list_del_init(&call->uc_node);	/* no longer evictable */
	list_for_each_entry_safe(pin, tmp, &call->pins, node)
		if (pin->dialog != dialog)
			pin_close(calls, pin, EDGEPIN_EVENT_PINHOLE_CLOSE, reap);
	call_offer_spent(calls, call);
}

/*
 * Keep active pinholes open while the call shows signs of life; returns
 * how long the call wants its signalling flow kept (struct edgepin_msg).
 */
static u32 call_touch(struct edgepin_net *en, struct edgepin_call *call)
{
	const struct edgepin_policy *p;
	struct edgepin_pin *pin;
	unsigned int hold;

	call->last = jiffies;
	list_move_tail(&call->idle_node, &en->calls.idle);
	rcu_read_lock();
	p = rcu_dereference(en->policy);
	hold = p->call_timeout;
	rcu_read_unlock();
	spin_lock_bh(&nf_conntrack_expect_lock);
	/* an expectation already expired stays so: nobody else looks */
	list_for_each_entry(pin, &call->pins, node)
		if (pin->exp && pin->state == EDGEPIN_PIN_ACTIVE &&
		    edgepin_exp_linked(pin->exp) &&
		    !edgepin_exp_expired(pin->exp))
			edgepin_exp_set_timeout(pin->exp, hold);
	spin_unlock_bh(&nf_conntrack_expect_lock);
	return call->state == EDGEPIN_CALL_CONFIRMED ? hold :
	       min_t(u32, hold, EDGEPIN_UNANSWERED / HZ);
}

/*
 * The table is full: make room by ending the unconfirmed call quiet for
 * longest, in O(1), so that a flood of INVITEs, answered by their own
 * callers or not at all, cannot lock real calls out.
 */
static bool call_evict_unconfirmed(struct edgepin_calls *calls, u32 max)
{
	struct edgepin_call *call;

	call = list_first_entry_or_null(&calls->unconfirmed,
					struct edgepin_call, uc_node);
	if (!call)
		return false;
	net_info_ratelimited("edgepin: max-calls (%u) reached: least recently active unconfirmed call dropped\n",
			     max);
	call_end(calls, call, EDGEPIN_STAT_CALLS_EVICTED);
	return true;
}

/*
 * May the INVITE @m start a call, and whose share of max-calls does it
 * take (*@who, NULL for none)? With edge addresses, only calls to or from
 * the Edge are tracked and the other party pays: an edge source is proven
 * by path before it gets here, and the Edge itself is never limited.
 * Without, the caller pays.
 */
static bool call_party(const struct edgepin_policy *p,
		       const struct edgepin_msg *m,
		       const union nf_inet_addr **who)
{
	bool from_edge, to_edge;

	*who = &m->src;
	if (!p->n_edges)
		return true;
	from_edge = edgepin_policy_is_edge(p, m->family, &m->src) ||
		    edgepin_policy_is_edge(p, m->family, &m->src_nat);
	to_edge = edgepin_policy_is_edge(p, m->family, &m->dst) ||
		  edgepin_policy_is_edge(p, m->family, &m->dst_nat);
	if (from_edge)
		*who = to_edge ? NULL : &m->dst_nat;
	return from_edge || to_edge;
}

/* Count a new call against @who's share; false if it has no room. */
static bool source_take(struct edgepin_net *en, struct edgepin_call *call,
			const union nf_inet_addr *who, u32 share)
{
	struct edgepin_calls *calls = &en->calls;
	u64 prefix = source_prefix(call->family, who);
	struct edgepin_source *src;
	u32 hash;

	src = source_find(calls, call->family, prefix, &hash);
	if (src && src->calls >= share) {
		edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_CALLS_PER_SOURCE);
		net_info_ratelimited("edgepin: max-calls-per-source (%u) reached: call not tracked\n",
				     share);
		return false;
	}
	if (!src) {
		src = edgepin_obj_alloc(sizeof(*src));
		if (!src)
			return false;
		src->family = call->family;
		src->prefix = prefix;
		hash_add(calls->sources, &src->hnode, hash);
	}
	src->calls++;
	call->source = src;
	return true;
}

static struct edgepin_call *call_new(struct edgepin_net *en,
				     const struct edgepin_msg *m)
{
	struct edgepin_calls *calls = &en->calls;
	const union nf_inet_addr *who;
	const struct edgepin_policy *p;
	struct edgepin_call *call;
	struct edgepin_call_info ci;
	u32 max, share;
	bool ours;

	rcu_read_lock();
	p = rcu_dereference(en->policy);
	max = p->max_calls;
	/* a share of all of max-calls is no share: eviction decides */
	share = p->max_calls_per_source < max ? p->max_calls_per_source :
		U32_MAX;
	ours = call_party(p, m, &who);
	rcu_read_unlock();
	if (!ours)
		return NULL;
	call = edgepin_cache_alloc(call_cache);
	if (!call)
		return NULL;
	INIT_LIST_HEAD(&call->pins);
	INIT_LIST_HEAD(&call->orphans);
	INIT_LIST_HEAD(&call->spent_node);
	call->family = m->family;
	/* the share first: a refused call must not evict another */
	if (who && !source_take(en, call, who, share))
		goto refused;
	if (calls->n_calls >= max && !call_evict_unconfirmed(calls, max)) {
		edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_MAX_CALLS);
		net_info_ratelimited("edgepin: max-calls (%u) reached: call not tracked\n",
				     max);
		goto refused;
	}
	memcpy(call->id, m->call_id, m->call_id_len);
	call->id_len = m->call_id_len;
	call->hash = call_id_hash(m->call_id, m->call_id_len);
	call->caller_tag = m->from_tag;
	call->start = jiffies;
	call->last = jiffies;
	call->proto = m->proto;
	call->origin = m->origin;
	call->sig[0] = m->src;
	call->sig[1] = m->dst_nat;
	hash_add(calls->by_id, &call->hnode, call->hash);
	call->seq = ++calls->seq;
	list_add_tail(&call->node, &calls->all);
	rb_add(&call->seq_node, &calls->by_seq, call_seq_less);
	list_add_tail(&call->idle_node, &calls->idle);
	calls_changed(calls);
	list_add_tail(&call->uc_node, &calls->unconfirmed);
	calls->n_calls++;
	edgepin_stat_inc(en, EDGEPIN_STAT_CALLS_STARTED);
	call_info(call, &ci);
	edgepin_notify_call(en, EDGEPIN_EVENT_CALL_START, &ci);
	return call;

refused:
	source_put(calls, call->source);
	edgepin_cache_free(call_cache, call);
	return NULL;
}

/* Which side sent @m: 0 the caller, 1 the callee (by From tag). */
static u8 msg_side(const struct edgepin_call *call,
		   const struct edgepin_msg *m)
{
	bool from_caller = m->from_tag == call->caller_tag;

	return m->status ? from_caller : !from_caller;
}

/* A dialog is named by the callee's tag, whichever side sent @m. */
static u32 msg_dialog(const struct edgepin_call *call,
		      const struct edgepin_msg *m)
{
	return m->from_tag == call->caller_tag ? m->to_tag : m->from_tag;
}

/*
 * May @m, sent by @side (by its tags), act on @call? Only the call's two
 * parties, each from its own signalling address: a response from the
 * side that was asked (the callee answers the caller's INVITE, neither
 * the caller itself nor a third host; UDP responses may come on another
 * flow, so addresses are compared, not conntracks), a request from
 * either. Its tags must be the call's too: a message that knows only the
 * Call-ID can neither end the call nor replace its offer.
 */
static bool msg_in_call(const struct edgepin_call *call,
			const struct edgepin_msg *m, u8 side)
{
	if (m->family != call->family ||
	    (m->from_tag != call->caller_tag && m->to_tag != call->caller_tag))
		return false;
	if (m->status)
		return nf_inet_addr_cmp(&m->src, &call->sig[side]);
	return nf_inet_addr_cmp(&m->src, &call->sig[0]) ||
	       nf_inet_addr_cmp(&m->src, &call->sig[1]);
}

/*
 * An SDP in @m is an answer when the other side's offer of the same
 * transaction is pending or already answered (a 200 repeating an
 * answer given in a 183); otherwise it is a new offer.
 */
static bool msg_is_answer(const struct edgepin_call *call,
			  const struct edgepin_msg *m, u8 side)
{
	if (!call->offer || call->offer_side == side)
		return false;
	if (m->status)
		return m->cseq == call->offer_cseq;
	/* PRACK or ACK answering an offer made in a response */
	return !call->answered;
}

static void sdp_msg_id(struct sdp_msg_id *id, const struct edgepin_msg *m,
		       u8 side, u32 dialog)
{
	id->cseq = m->cseq;
	id->dialog = dialog;
	id->body = m->body_hash;
	id->status = m->status;
	id->method = m->cseq_method;
	id->side = side;
	id->set = true;
}

static bool sdp_msg_id_eq(const struct sdp_msg_id *a,
			  const struct sdp_msg_id *b)
{
	return a->set && b->set && a->cseq == b->cseq &&
	       a->dialog == b->dialog && a->body == b->body &&
	       a->status == b->status && a->method == b->method &&
	       a->side == b->side;
}

/*
 * A response in the transaction of the offer released once answered (a
 * 183 or a 200 arriving late, or resent with another body): the call has
 * its negotiation, and it must not pass for a new offer. A response's
 * side is the responder's; the transaction is the one whose request the
 * other side sent with that CSeq.
 */
static bool msg_answers_released(const struct edgepin_call *call,
				 const struct edgepin_msg *m, u8 side)
{
	const struct sdp_msg_id *o = &call->offer_id;
	u8 requester = o->status ? !o->side : o->side;

	return call->offer_released && m->status && m->cseq == o->cseq &&
	       side != requester;
}

static void call_sdp(struct edgepin_net *en, struct edgepin_call *call,
		     struct edgepin_msg *m, u8 side, struct list_head *reap)
{
	struct edgepin_sdp *sdp = m->sdp;
	u32 dialog = msg_dialog(call, m);
	struct sdp_msg_id id;

	/*
	 * The same message again (same side, dialog, CSeq, status and
	 * body) as the one that made the current offer or gave the last
	 * answer is a retransmission: a 200 or an INVITE resent, the ACK
	 * resent for a resent 200. It must neither move pinholes nor leave
	 * an offer pending, which would turn the next offer into an answer.
	 */
	sdp_msg_id(&id, m, side, dialog);
	if (sdp_msg_id_eq(&id, &call->offer_id) ||
	    sdp_msg_id_eq(&id, &call->answer_id))
		return;
	if (msg_answers_released(call, m, side))
		return;

	if (msg_is_answer(call, m, side)) {
		call->answer_id = id;
		call->answered = true;
		call_negotiate(en, call, m->ct, sdp, dialog, reap);
		if (call->state == EDGEPIN_CALL_OFFERED)
			call->state = EDGEPIN_CALL_EARLY;
		/* kept for re-answers until the call is confirmed */
		call_offer_spent(&en->calls, call);
		return;
	}
	call_offer_free(&en->calls, call);
	call->offer_released = false;
	if (call_offer_take(en, call, sdp))
		m->sdp = NULL;	/* now the call's */
	call->offer_id = id;
	call->offer_side = side;
	call->offer_cseq = m->cseq;
	call->offer_method = m->status ? m->cseq_method : m->method;
	call->answered = false;
	call->edge_offered = sdp->from_edge;
}

/*
 * A call that keeps reconnecting keeps the flows of at most max-pinholes-
 * per-call closed pinholes: the oldest flows are cut.
 */
static void call_trim_orphans(struct edgepin_call *call, unsigned int max,
			      struct list_head *reap)
{
	struct edgepin_pin *pin, *tmp;
	unsigned int n = 0;

	list_for_each_entry(pin, &call->orphans, node)
		n++;
	list_for_each_entry_safe(pin, tmp, &call->orphans, node) {
		if (n-- <= max)
			break;
		list_move_tail(&pin->node, reap);
	}
}

/*
 * @dialog was negotiated again on @ct: its pinholes still on another
 * signalling connection move to @ct, or they would close when that one
 * goes while the call goes on. The flows that entered them go on until
 * the call ends, as when their connection goes (master_gone).
 */
static void call_move_pins(struct edgepin_net *en, struct edgepin_call *call,
			   struct nf_conn *ct, u32 dialog,
			   struct list_head *reap)
{
	const struct edgepin_policy *p;
	struct edgepin_pin *pin, *tmp;
	struct edgepin_pin_key k;
	enum edgepin_refusal why;
	bool moved = false;

	rcu_read_lock();
	p = rcu_dereference(en->policy);
	list_for_each_entry_safe(pin, tmp, &call->pins, node) {
		if (pin->dialog != dialog || pin->master == ct || !pin->exp)
			continue;
		k = pin->key;
		pin_close(&en->calls, pin, EDGEPIN_EVENT_PINHOLE_CLOSE,
			  &call->orphans);
		moved = true;
		why = pin_open(en, p, call, ct, &k, dialog);
		if (why)
			refused(en, call, &k, why);
	}
	if (moved)
		call_trim_orphans(call, p->max_per_call, reap);
	rcu_read_unlock();
}

/*
 * A call hears the source (wire or feed) it was learned from, unless
 * sip-feed is shared: the wire cannot end or renegotiate a call learned
 * from the TLS proxy, nor the feed one read on the wire. Shared, the
 * same message seen by both is a retransmission to call_sdp(), and a
 * second BYE finds no call.
 */
static bool msg_origin_heard(struct edgepin_net *en,
			     const struct edgepin_call *call,
			     const struct edgepin_msg *m)
{
	bool shared;

	if (m->origin == call->origin)
		return true;
	rcu_read_lock();
	shared = rcu_dereference(en->policy)->sip_feed ==
		 EDGEPIN_SIP_FEED_SHARED;
	rcu_read_unlock();
	return shared;
}

bool edgepin_call_message(struct edgepin_net *en, struct edgepin_msg *m)
{
	struct edgepin_calls *calls = &en->calls;
	struct sdp_msg_id answered;
	struct edgepin_call *call;
	bool tracked = false;
	bool in_dialog;
	LIST_HEAD(reap);
	u32 dialog;
	u8 side;

	spin_lock_bh(&calls->lock);
	call = call_find(calls, m->call_id, m->call_id_len);
	if (!call) {
		if (m->status || m->method != SIP_METHOD_INVITE || calls->dying)
			goto out;
		call = call_new(en, m);
		if (!call)
			goto out;
	}
	if (!msg_origin_heard(en, call, m)) {
		edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_OTHER_SOURCE);
		net_info_ratelimited("edgepin: SIP message from a source (%s) its call does not hear ignored\n",
				     m->origin == EDGEPIN_ORIGIN_FEED ?
				     "feed" : "wire");
		goto out;
	}
	side = msg_side(call, m);
	if (!msg_in_call(call, m, side)) {
		edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_NOT_IN_CALL);
		net_info_ratelimited("edgepin: SIP message from outside its call ignored\n");
		goto out;
	}
	tracked = true;
	m->hold = call_touch(en, call);
	if (call->state != EDGEPIN_CALL_CONFIRMED)
		list_move_tail(&call->uc_node, &calls->unconfirmed);
	/* once confirmed, the other dialogs are forks that lost */
	dialog = msg_dialog(call, m);
	in_dialog = call->state != EDGEPIN_CALL_CONFIRMED ||
		    dialog == call->dialog;

	if (!m->status) {
		switch (m->method) {
		case SIP_METHOD_BYE:
			/* a forking race's extra dialog ends alone */
			if (!in_dialog) {
				call_close_dialog(calls, call, dialog, &reap);
				goto out;
			}
			call_end(calls, call, EDGEPIN_STAT_CALLS_ENDED);
			goto out;
		case SIP_METHOD_CANCEL:
			if (call->state != EDGEPIN_CALL_CONFIRMED) {
				call_end(calls, call, EDGEPIN_STAT_CALLS_ENDED);
				goto out;
			}
			break;
		}
	} else if (m->cseq_method == SIP_METHOD_INVITE && m->status >= 300) {
		/* A failed initial INVITE ends the call; a failed re-INVITE
		 * leaves the previous negotiation in place.
		 */
		if (call->state != EDGEPIN_CALL_CONFIRMED) {
			call_end(calls, call, EDGEPIN_STAT_CALLS_ENDED);
			goto out;
		}
		/* a losing fork's final answer closes its early pinholes */
		if (!in_dialog) {
			call_close_dialog(calls, call, dialog, &reap);
			goto out;
		}
		if (call->offer_cseq == m->cseq && !call->answered)
			call_offer_free(calls, call);
	}

	/* A late fork's answer after confirmation opens nothing. */
	if (m->sdp && !in_dialog) {
		edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_NOT_IN_CALL);
	} else if (m->sdp) {
		answered = call->answer_id;
		call_sdp(en, call, m, side, &reap);
		if (!sdp_msg_id_eq(&answered, &call->answer_id))
			call_move_pins(en, call, m->ct, dialog, &reap);
	}

	/* only the callee's 2xx to the caller's INVITE confirms */
	if (m->status >= 200 && m->status < 300 &&
	    m->cseq_method == SIP_METHOD_INVITE && side == 1 &&
	    call->state != EDGEPIN_CALL_CONFIRMED)
		call_confirm_dialog(calls, call, dialog, &reap);
out:
	reap_queue(calls, &reap);
	spin_unlock_bh(&calls->lock);
	return tracked;
}

/*
 * Make the pinholes using @exp (forks may share one: pin_twin_exp())
 * active: held open, with the flows they let in, while the call lives.
 * Returns whether any pin uses @exp. Caller holds calls.lock.
 */
static bool pins_activate(struct edgepin_net *en,
			  struct nf_conntrack_expect *exp)
{
	struct edgepin_calls *calls = &en->calls;
	const struct edgepin_policy *p;
	struct edgepin_pin_info pi;
	struct edgepin_pin *pin;
	bool found = false;

	hash_for_each_possible(calls->pins, pin, hnode, hash_ptr(exp, 32)) {
		if (pin->exp != exp)
			continue;
		found = true;
		if (pin->state != EDGEPIN_PIN_PINNED)
			continue;
		pin->state = EDGEPIN_PIN_ACTIVE;
		/* held open with the call from now on (call_touch()) */
		list_del_init(&pin->tnode);
		rcu_read_lock();
		p = rcu_dereference(en->policy);
		spin_lock_bh(&nf_conntrack_expect_lock);
		if (edgepin_exp_linked(exp))
			edgepin_exp_set_timeout(exp, p->call_timeout);
		spin_unlock_bh(&nf_conntrack_expect_lock);
		rcu_read_unlock();
		pin_info(pin, &pi);
		edgepin_notify_pin(en, EDGEPIN_EVENT_PINHOLE_OPEN, &pi, 0);
	}
	return found;
}

/*
 * Did a pin of ours ever have @master as its master? Its expectations
 * without a pin were then closed by us (the flow is cut); those of a
 * master we never pinned on were made through ctnetlink, as conntrackd's
 * ExpectationSync recreates a primary's pinholes on its standby (by the
 * name of edgepin_media_expectfn) with no call behind them: they are
 * the kernel's to judge, as any expectation is.
 */
static bool master_pinned(const struct nf_conn *master)
{
	const struct nf_conn_help *help = master ? nfct_help(master) : NULL;
	const struct nf_conntrack_helper *h;

	if (!help)
		return false;
	h = rcu_dereference(help->helper);
	/* ctnetlink may name this function for another helper's master */
	return h && edgepin_helper_ours(h) &&
	       READ_ONCE(edgepin_ct(master)->pinned);
}

/*
 * Remember @ct, which entered through @pin, for the reaper. At entry, not
 * once confirmed: the signalling connection may go before that, and its
 * pins with it (edgepin_calls_master_gone()), which must still cut the
 * flow when the call ends. Flows the ruleset then drops take records
 * too: past four, the reaper walks the table, as it always did.
 */
static void pin_flow_keep(struct edgepin_pin *pin, const struct nf_conn *ct)
{
	struct edgepin_pin_flow *f = NULL;

	if (pin->n_flows_kept < EDGEPIN_PIN_FLOWS_KEPT)
		f = edgepin_obj_alloc(sizeof(*f));
	if (!f) {
		pin->flows_lost = true;
		return;
	}
	f->tuple = ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	f->zone = *nf_ct_zone(ct);
	f->id = nf_ct_get_id(ct);
	list_add_tail(&f->node, &pin->flow_list);
	pin->n_flows_kept++;
}

/*
 * A flow entered through a pinhole. It runs from init_conntrack(), before
 * the ruleset has judged the flow's first packet and after the kernel let
 * go of the expectation lock: the flow is kept to be looked at again by
 * calls_gc() (struct edgepin_flow), which activates its pinhole once it
 * is confirmed, or cuts it if its pinhole closed in between.
 */
static void edgepin_expectfn(struct nf_conn *ct,
			     struct nf_conntrack_expect *exp)
{
	struct edgepin_net *en = edgepin_pernet(nf_ct_net(ct));
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_flow *f = NULL;
	struct edgepin_pin *pin;
	bool admitted = false;

	spin_lock_bh(&calls->lock);
	hash_for_each_possible(calls->pins, pin, hnode, hash_ptr(exp, 32)) {
		if (pin->exp != exp)
			continue;
		admitted = true;
		pin->flows++;
		pin_flow_keep(pin, ct);
	}
	if (admitted)
		edgepin_stat_inc(en, EDGEPIN_STAT_FLOWS_ADMITTED);
	if (calls->dying || (!admitted && !master_pinned(ct->master)))
		goto out;
	if (calls->n_flows < EDGEPIN_FLOWS_PENDING)
		f = edgepin_obj_alloc(sizeof(*f));
	if (!f) {
		/* cannot wait and see: trust the flow, as before */
		if (admitted)
			pins_activate(en, exp);
		goto out;
	}
	nf_conntrack_get(&ct->ct_general);
	refcount_inc(&exp->use);
	f->ct = ct;
	f->exp = exp;
	f->seen = jiffies;
	list_add_tail(&f->node, &calls->flows);
	calls->n_flows++;
out:
	spin_unlock_bh(&calls->lock);
}

/*
 * The signalling connection @ct is going away: so are its expectations,
 * and the pinholes close. The call goes on (its BYE may come on another
 * connection), and so do the media flows that entered through them: they
 * are kept on the call and cut when it ends, as if the pinholes were.
 */
void edgepin_calls_master_gone(struct edgepin_net *en, struct nf_conn *ct)
{
	struct edgepin_ct *ect = edgepin_ct(ct);
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_call *call;
	struct edgepin_pin *pin;
	struct hlist_node *tmp;
	unsigned int max;
	LIST_HEAD(reap);

	rcu_read_lock();
	max = rcu_dereference(en->policy)->max_per_call;
	rcu_read_unlock();

	/* its own pins only: an attacker closing many connections that
	 * carried pins must not make each close walk every call (F7)
	 */
	spin_lock_bh(&calls->lock);
	hlist_for_each_entry_safe(pin, tmp, &ect->pins_list, mnode) {
		call = pin->call;
		pin_close(calls, pin, EDGEPIN_EVENT_PINHOLE_CLOSE,
			  &call->orphans);
		call_trim_orphans(call, max, &reap);
	}
	reap_queue(calls, &reap);
	spin_unlock_bh(&calls->lock);
}

/*
 * Look again at the flows that entered through pinholes (edgepin_flow):
 * a confirmed one activates its pinhole, or, if no pin uses its
 * expectation any more, goes to @cut; one unconfirmed after
 * EDGEPIN_UNCONFIRMED was dropped by the ruleset and is let go. Those
 * done move to @done. Caller holds calls.lock.
 */
static void calls_flows_check(struct edgepin_net *en, struct list_head *cut,
			      struct list_head *done)
{
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_flow *f, *tmp;

	list_for_each_entry_safe(f, tmp, &calls->flows, node) {
		if (nf_ct_is_confirmed(f->ct) && !nf_ct_is_dying(f->ct)) {
			/* no pin uses its expectation: the call ended, or a
			 * policy or expiry closed it, and the flow is cut as
			 * its pinhole's were; or the signalling connection
			 * went, and the flow stays with the call's orphans
			 * (edgepin_calls_master_gone())
			 */
			if (pins_activate(en, f->exp) ||
			    nf_ct_is_dying(f->ct->master))
				list_move_tail(&f->node, done);
			else
				list_move_tail(&f->node, cut);
		} else if (nf_ct_is_dying(f->ct) ||
			   time_after(jiffies, f->seen + EDGEPIN_UNCONFIRMED)) {
			list_move_tail(&f->node, done);
		} else {
			continue;
		}
		calls->n_flows--;
	}
}

/* Cut the flows on @cut (pinhole gone; only confirmed flows are in the
 * table to be cut), then let go of all.
 */
static void calls_flows_put(struct edgepin_net *en, struct list_head *cut,
			    struct list_head *done)
{
	struct edgepin_flow *f, *tmp;

	list_for_each_entry(f, cut, node)
		if (nf_ct_is_confirmed(f->ct) && nf_ct_kill(f->ct))
			edgepin_stat_inc(en, EDGEPIN_STAT_FLOWS_REMOVED);
	list_splice_tail_init(cut, done);
	list_for_each_entry_safe(f, tmp, done, node) {
		nf_ct_put(f->ct);
		nf_ct_expect_put(f->exp);
		edgepin_obj_free(f);
	}
}

/*
 * What one run of calls_gc() may end or close under calls.lock, per list
 * (so that none starves another), a call counting 1 and its pinholes:
 * past it, the rest waits a jiffy, and softirqs on other CPUs get the
 * lock between.
 */
#define EDGEPIN_GC_BUDGET	256

/*
 * The heads of the expiry lists, each in deadline order: calls_gc() stops
 * at the first entry still in time, so a run costs what expired, not what
 * exists. Pins held open by a flow (active) are not on them: they live as
 * long as their call, whose idle expiry closes them. Returns whether a
 * budget ran out first. Caller holds calls.lock.
 */
static bool calls_expire(struct edgepin_net *en, unsigned long idle_max,
			 struct list_head *reap)
{
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_call *call, *ctmp;
	struct edgepin_pin *pin, *ptmp;
	bool more = false;
	long budget;

	lockdep_assert_held(&calls->lock);
	budget = EDGEPIN_GC_BUDGET;
	list_for_each_entry_safe(call, ctmp, &calls->unconfirmed, uc_node) {
		if (!time_after(jiffies, call->last + EDGEPIN_UNANSWERED))
			break;
		if (budget <= 0) {
			more = true;
			break;
		}
		budget -= 1 + call->n_pins;
		call_free(calls, call, reap);
		edgepin_stat_inc(en, EDGEPIN_STAT_CALLS_TIMED_OUT);
	}
	budget = EDGEPIN_GC_BUDGET;
	list_for_each_entry_safe(call, ctmp, &calls->idle, idle_node) {
		if (!time_after(jiffies, call->last + idle_max))
			break;
		if (budget <= 0) {
			more = true;
			break;
		}
		budget -= 1 + call->n_pins;
		call_free(calls, call, reap);
		edgepin_stat_inc(en, EDGEPIN_STAT_CALLS_TIMED_OUT);
	}
	/*
	 * A pin whose master is still unconfirmed a second after the pin
	 * opened lost its master (a clash, a failed confirm): its
	 * expectations can never match (nf_ct_find_expectation() skips
	 * unconfirmed masters), and only our reference keeps it. While it
	 * does, an extension genid bump (a helper unregistering, the last
	 * NAT hook going) makes nfct_help() of it NULL, which the kernel's
	 * own expectation unlink dereferences. Such pins close early; a
	 * master once confirmed stays so, and its pins leave the list.
	 */
	budget = EDGEPIN_GC_BUDGET;
	list_for_each_entry_safe(pin, ptmp, &calls->young, ynode) {
		if (!time_after(jiffies, pin->opened + EDGEPIN_UNCONFIRMED))
			break;
		if (budget-- <= 0) {
			more = true;
			break;
		}
		list_del_init(&pin->ynode);
		if (!nf_ct_is_confirmed(pin->master))
			pin_close(calls, pin, pin->state == EDGEPIN_PIN_PINNED ?
				  EDGEPIN_EVENT_PINHOLE_EXPIRE :
				  EDGEPIN_EVENT_PINHOLE_CLOSE, reap);
	}
	budget = EDGEPIN_GC_BUDGET;
	list_for_each_entry_safe(pin, ptmp, &calls->pinned, tnode) {
		if (!edgepin_exp_expired(pin->exp))
			break;
		if (budget-- <= 0) {
			more = true;
			break;
		}
		pin_close(calls, pin, EDGEPIN_EVENT_PINHOLE_EXPIRE, reap);
	}
	/* offers kept for the 2xx of other forks (call_offer_spent()) */
	budget = EDGEPIN_GC_BUDGET;
	list_for_each_entry_safe(call, ctmp, &calls->spent, spent_node) {
		if (!time_after(jiffies, call->offer_spent_at +
				EDGEPIN_FORK_2XX))
			break;
		if (budget-- <= 0) {
			more = true;
			break;
		}
		call_offer_free(calls, call);
		call->offer_released = true;
	}
	return more;
}

/* Expired pinholes and calls idle for longer than call-timeout. */
static void calls_gc(struct work_struct *work)
{
	struct edgepin_calls *calls = container_of(to_delayed_work(work),
						   struct edgepin_calls, gc);
	struct edgepin_net *en = call_net(calls);
	unsigned long idle_max;
	LIST_HEAD(reap);
	LIST_HEAD(cut);
	LIST_HEAD(done);
	bool more;

	rcu_read_lock();
	idle_max = rcu_dereference(en->policy)->call_timeout * HZ;
	rcu_read_unlock();

	spin_lock_bh(&calls->lock);
	/* before expiry: a pinhole whose flow is confirmed is not unused */
	calls_flows_check(en, &cut, &done);
	more = calls_expire(en, idle_max, &reap);
	reap_queue(calls, &reap);
	if (!calls->dying)
		queue_delayed_work(system_power_efficient_wq, &calls->gc,
				   more ? 1 : EDGEPIN_GC_INTERVAL);
	spin_unlock_bh(&calls->lock);
	calls_flows_put(en, &cut, &done);
}

struct reap {
	struct list_head pins;
	u32 removed;
};

/* Is @ct a flow that entered through one of the closed pinholes? */
static int reap_match(struct nf_conn *ct, void *data)
{
	const struct nf_conntrack_tuple *t;
	const struct edgepin_pin_key *k;
	struct reap *r = data;
	struct edgepin_pin *pin;

	if (!test_bit(IPS_EXPECTED_BIT, &ct->status))
		return 0;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	list_for_each_entry(pin, &r->pins, node) {
		k = &pin->key;
		if (ct->master == pin->master &&
		    t->src.l3num == k->family && t->dst.protonum == k->proto &&
		    ntohs(t->dst.u.all) == k->edge_port &&
		    (!k->peer_port || ntohs(t->src.u.all) == k->peer_port) &&
		    nf_inet_addr_cmp(&t->dst.u3, &k->edge_addr) &&
		    nf_inet_addr_cmp(&t->src.u3, &k->peer_addr)) {
			r->removed++;
			return 1;
		}
	}
	return 0;
}

/* Cut the kept flow @f if it is still the connection that was kept. */
static bool pin_flow_cut(struct net *net, const struct edgepin_pin_flow *f)
{
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *ct;
	bool cut;

	h = nf_conntrack_find_get(net, &f->zone, &f->tuple);
	if (!h)
		return false;
	ct = nf_ct_tuplehash_to_ctrack(h);
	cut = NF_CT_DIRECTION(h) == IP_CT_DIR_ORIGINAL &&
	      nf_ct_get_id(ct) == f->id && nf_ct_kill(ct);
	nf_ct_put(ct);
	return cut;
}

/*
 * Cut the media flows of ended calls: the peer may not keep sending. The
 * flows each pin kept are looked up; only pins that let in more than they
 * could keep make the reaper walk the whole conntrack table.
 */
static void calls_reap(struct work_struct *work)
{
	struct edgepin_calls *calls = container_of(work, struct edgepin_calls,
						   reaper);
	struct edgepin_net *en = call_net(calls);
	struct nf_ct_iter_data iter = { .net = en->net };
	struct reap r = { .pins = LIST_HEAD_INIT(r.pins) };
	struct edgepin_pin *pin, *tmp;
	struct edgepin_pin_flow *f;
	LIST_HEAD(done);

	spin_lock_bh(&calls->lock);
	list_splice_init(&calls->reap, &done);
	spin_unlock_bh(&calls->lock);

	list_for_each_entry_safe(pin, tmp, &done, node) {
		if (pin->flows_lost) {
			list_move_tail(&pin->node, &r.pins);
			continue;
		}
		list_for_each_entry(f, &pin->flow_list, node)
			r.removed += pin_flow_cut(en->net, f);
		cond_resched();
	}
	if (!list_empty(&r.pins)) {
		iter.data = &r;
		nf_ct_iterate_cleanup_net(reap_match, &iter);
		list_splice_tail_init(&r.pins, &done);
	}
	list_for_each_entry_safe(pin, tmp, &done, node)
		pin_free(pin);
	this_cpu_add(en->stats->c[EDGEPIN_STAT_FLOWS_REMOVED], r.removed);
}

/* Would @p open the pinhole @k today? (Limits only bound new ones.) */
static bool pin_still_allowed(const struct edgepin_policy *p,
			      const struct edgepin_pin_key *k)
{
	if (p->mode == EDGEPIN_MODE_MONITOR)
		return false;
	if (p->n_edges && !edgepin_policy_is_edge(p, k->family, &k->edge_addr))
		return false;
	if (edgepin_policy_is_edge(p, k->family, &k->peer_addr))
		return false;
	if (p->peer_match == EDGEPIN_PEER_MATCH_ADDRESS_PORT && !k->peer_port)
		return false;
	return !edgepin_policy_check_port(p, k->proto, k->edge_port);
}

/*
 * An active pin's expectation lives as long as its call (call_touch()),
 * and nothing else looks at its deadline: a longer call-timeout must
 * reach it now.
 */
static void pin_keep_active(struct edgepin_pin *pin,
			    const struct edgepin_policy *p)
{
	if (pin->state != EDGEPIN_PIN_ACTIVE)
		return;
	spin_lock_bh(&nf_conntrack_expect_lock);
	if (edgepin_exp_linked(pin->exp) && !edgepin_exp_expired(pin->exp))
		edgepin_exp_set_timeout(pin->exp, p->call_timeout);
	spin_unlock_bh(&nf_conntrack_expect_lock);
}

unsigned int edgepin_calls_policy_changed(struct edgepin_net *en,
					  const struct edgepin_policy *p)
{
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_call *call, *next;
	struct edgepin_pin *pin, *tmp;
	unsigned int n = 0;
	LIST_HEAD(reap);

	spin_lock_bh(&calls->lock);
	list_for_each_entry_safe(call, next, &calls->all, node) {
		/*
		 * sip-feed off: nothing could end a call learned from the
		 * feed (fed messages are refused, the wire's are not its
		 * origin), so each ends now, as edgepin call drop would.
		 */
		if (p->sip_feed == EDGEPIN_SIP_FEED_OFF &&
		    call->origin == EDGEPIN_ORIGIN_FEED) {
			list_for_each_entry(pin, &call->pins, node)
				n++;
			call_end(calls, call, EDGEPIN_STAT_CALLS_ENDED);
			continue;
		}
		list_for_each_entry_safe(pin, tmp, &call->pins, node) {
			if (pin_still_allowed(p, &pin->key)) {
				pin_keep_active(pin, p);
				continue;
			}
			pin_close(calls, pin, EDGEPIN_EVENT_PINHOLE_CLOSE,
				  &reap);
			n++;
		}
		/* flows kept after their signalling connection went */
		list_for_each_entry_safe(pin, tmp, &call->orphans, node)
			if (!pin_still_allowed(p, &pin->key))
				list_move_tail(&pin->node, &reap);
	}
	/*
	 * A shorter pinhole-timeout applies to unused pinholes at once: it
	 * also keeps calls.pinned in deadline order (a clamp keeps order).
	 */
	spin_lock_bh(&nf_conntrack_expect_lock);
	list_for_each_entry(pin, &calls->pinned, tnode)
		edgepin_exp_clamp_timeout(pin->exp, p->pinhole_timeout);
	spin_unlock_bh(&nf_conntrack_expect_lock);
	reap_queue(calls, &reap);
	spin_unlock_bh(&calls->lock);
	return n;
}

/* A walk of a dump begins: under calls.lock. */
static void cursor_begin(struct edgepin_calls *calls, struct edgepin_cursor *cur)
{
	lockdep_assert_held(&calls->lock);
	if (!cur->gen)		/* the first walk */
		cur->last = calls->seq;
	cur->gen = calls->gen;
}

/* The pins of @call a dump has still to give; returns fn()'s first nonzero. */
static int call_pins_walk(struct edgepin_call *call,
			  struct edgepin_cursor *cur, u8 peer_family,
			  const union nf_inet_addr *peer,
			  int (*fn)(const struct edgepin_pin_info *pi,
				    void *arg),
			  void *arg, struct edgepin_pin_info *pi)
{
	struct edgepin_pin *pin;
	int ret;

	list_for_each_entry(pin, &call->pins, node) {
		if (pin->seq > cur->last)
			break;
		if (call->seq == cur->call && pin->seq <= cur->pin)
			continue;
		if (peer_family && (pin->key.family != peer_family ||
		    !nf_inet_addr_cmp(&pin->key.peer_addr, peer)))
			continue;
		pin_info(pin, pi);
		ret = fn(pi, arg);
		if (ret)
			return ret;
		cur->call = call->seq;
		cur->pin = pin->seq;
	}
	return 0;
}

/*
 * Each round of a dump resumes at its cursor: a lookup by sequence
 * number, then only what it gives (a Call-ID's pins: that call only).
 */
int edgepin_pin_walk(struct edgepin_net *en, struct edgepin_cursor *cur,
		     const char *call_id, size_t call_id_len,
		     u8 peer_family, const union nf_inet_addr *peer,
		     int (*fn)(const struct edgepin_pin_info *pi, void *arg),
		     void *arg)
{
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_pin_info *pi;
	struct edgepin_call *call;
	int ret = 0;

	pi = kmalloc(sizeof(*pi), GFP_KERNEL);
	if (!pi)
		return -ENOMEM;
	spin_lock_bh(&calls->lock);
	cursor_begin(calls, cur);
	if (call_id) {
		call = call_find(calls, call_id, call_id_len);
		if (call && call->seq <= cur->last && call->seq >= cur->call)
			ret = call_pins_walk(call, cur, peer_family, peer, fn,
					     arg, pi);
		goto out;
	}
	call = call_from_seq(calls, cur->call);
	if (!call)
		goto out;
	list_for_each_entry_from(call, &calls->all, node) {
		if (call->seq > cur->last)
			break;
		ret = call_pins_walk(call, cur, peer_family, peer, fn, arg, pi);
		if (ret)
			break;
	}
out:
	spin_unlock_bh(&calls->lock);
	kfree(pi);
	return ret;
}

int edgepin_call_walk(struct edgepin_net *en, struct edgepin_cursor *cur,
		      int (*fn)(const struct edgepin_call_info *ci, void *arg),
		      void *arg)
{
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_call_info *ci;
	struct edgepin_call *call;
	int ret = 0;

	ci = kmalloc(sizeof(*ci), GFP_KERNEL);
	if (!ci)
		return -ENOMEM;
	spin_lock_bh(&calls->lock);
	cursor_begin(calls, cur);
	call = call_from_seq(calls, cur->call + 1);
	if (!call)
		goto out;
	list_for_each_entry_from(call, &calls->all, node) {
		if (call->seq > cur->last)
			break;
		call_info(call, ci);
		ret = fn(ci, arg);
		if (ret)
			break;
		cur->call = call->seq;
	}
out:
	spin_unlock_bh(&calls->lock);
	kfree(ci);
	return ret;
}

/* Close every pinhole of @call; returns how many. */
static int call_pins_close(struct edgepin_calls *calls,
			   struct edgepin_call *call, struct list_head *reap)
{
	struct edgepin_pin *pin, *tmp;
	int n = 0;

	list_for_each_entry_safe(pin, tmp, &call->pins, node) {
		pin_close(calls, pin, EDGEPIN_EVENT_PINHOLE_CLOSE, reap);
		n++;
	}
	return n;
}

int edgepin_pin_flush(struct edgepin_net *en, const char *call_id,
		      size_t call_id_len)
{
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_call *call;
	LIST_HEAD(reap);
	int n = 0;

	spin_lock_bh(&calls->lock);
	if (call_id) {
		call = call_find(calls, call_id, call_id_len);
		if (call)
			n = call_pins_close(calls, call, &reap);
	} else {
		list_for_each_entry(call, &calls->all, node)
			n += call_pins_close(calls, call, &reap);
	}
	reap_queue(calls, &reap);
	spin_unlock_bh(&calls->lock);
	return n;
}

int edgepin_call_drop(struct edgepin_net *en, const char *call_id,
		      size_t call_id_len)
{
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_call *call;
	int ret = -ENOENT;

	spin_lock_bh(&calls->lock);
	call = call_find(calls, call_id, call_id_len);
	if (call) {
		call_end(calls, call, EDGEPIN_STAT_CALLS_ENDED);
		ret = 0;
	}
	spin_unlock_bh(&calls->lock);
	return ret;
}

/* For ctnetlink (conntrackd's ExpectationSync): CTA_EXPECT_FN names it. */
struct nf_ct_helper_expectfn edgepin_media_expectfn = {
	.name = "edgepin-media",
	.expectfn = edgepin_expectfn,
};

void edgepin_calls_init(struct edgepin_net *en)
{
	struct edgepin_calls *calls = &en->calls;

	spin_lock_init(&calls->lock);
	calls->gen = 1;
	get_random_bytes(&calls->seed, sizeof(calls->seed));
	hash_init(calls->by_id);
	hash_init(calls->pins);
	INIT_LIST_HEAD(&calls->all);
	calls->by_seq = RB_ROOT;
	INIT_LIST_HEAD(&calls->idle);
	INIT_LIST_HEAD(&calls->spent);
	INIT_LIST_HEAD(&calls->pinned);
	INIT_LIST_HEAD(&calls->young);
	INIT_LIST_HEAD(&calls->unconfirmed);
	hash_init(calls->sources);
	net_get_random_once(&source_key, sizeof(source_key));
	net_get_random_once(&call_id_key, sizeof(call_id_key));
	INIT_LIST_HEAD(&calls->reap);
	INIT_LIST_HEAD(&calls->flows);
	INIT_DELAYED_WORK(&calls->gc, calls_gc);
	INIT_WORK(&calls->reaper, calls_reap);
	queue_delayed_work(system_power_efficient_wq, &calls->gc,
			   EDGEPIN_GC_INTERVAL);
}

/*
 * The netns is going away or the module is unloading: no packet reaches
 * the helper any more. End every call; wait until no destroy callback
 * can still be looking at this table.
 */
void edgepin_calls_exit(struct edgepin_net *en)
{
	struct edgepin_calls *calls = &en->calls;
	struct edgepin_call *call, *tmp;
	LIST_HEAD(cut);
	LIST_HEAD(done);

	spin_lock_bh(&calls->lock);
	calls->dying = true;
	spin_unlock_bh(&calls->lock);
	cancel_delayed_work_sync(&calls->gc);

	spin_lock_bh(&calls->lock);
	list_for_each_entry_safe(call, tmp, &calls->all, node)
		call_free(calls, call, &calls->reap);
	/* no pin is left: the flows still watched go with the rest */
	list_splice_init(&calls->flows, &cut);
	calls->n_flows = 0;
	spin_unlock_bh(&calls->lock);
	calls_flows_put(en, &cut, &done);

	/* Cut what flowed through (the reaper is not queued while dying). */
	cancel_work_sync(&calls->reaper);
	calls_reap(&calls->reaper);
	synchronize_rcu();
}
