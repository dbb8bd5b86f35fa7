/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls and their pinholes. A call is found by Call-ID; its pinholes are
 * conntrack expectations of helper "edgepin". The control plane
 * (netlink.c) sees them only through the info structures and walkers
 * below, which copy what it needs under the table lock.
 */
#ifndef _EDGEPIN_CALL_H
#define _EDGEPIN_CALL_H

#include <linux/hashtable.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/netfilter.h>

#include "uapi/edgepin.h"
#include "parser.h"
#include "pinning.h"

struct edgepin_net;

#define EDGEPIN_CALL_HASH_BITS	10

struct edgepin_calls {
	spinlock_t lock;		/* protects everything below */
	DECLARE_HASHTABLE(by_id, EDGEPIN_CALL_HASH_BITS);
	DECLARE_HASHTABLE(pins, EDGEPIN_CALL_HASH_BITS);
	struct list_head all;		/* every call, oldest first */
	struct rb_root by_seq;		/* the same, to resume dumps */
	/*
	 * Expiry without a sweep: each list is in deadline order (the
	 * timeouts it adds are the same for all), so that calls_gc() looks
	 * only at its heads and at what expired.
	 */
	struct list_head idle;		/* calls, least recently active first */
	struct list_head spent;		/* calls whose offer is spent, by then */
	struct list_head pinned;	/* pins not used yet, by their deadline */
	struct list_head young;		/* pins whose master may still be lost */
	/* calls not confirmed, least recently active first: evicted from
	 * the head at max-calls, ended from the head when unanswered
	 */
	struct list_head unconfirmed;
	/* calls held per internet host (struct edgepin_source) */
	DECLARE_HASHTABLE(sources, EDGEPIN_CALL_HASH_BITS);
	struct list_head reap;		/* closed pins whose flows to cut */
	/* flows that entered through a pinhole, not yet seen confirmed
	 * (struct edgepin_flow): calls_gc() activates their pinhole once
	 * they are, or cuts them if their pinhole is gone meanwhile
	 */
	struct list_head flows;
	unsigned int n_flows;
	unsigned int n_calls;
	unsigned int n_pins;
	size_t offer_bytes;		/* held by calls' offers */
	u64 seq;			/* last given to a call or pin */
	u32 gen;			/* see edgepin_cursor; never 0 */
	u32 seed;			/* of the Call-ID hash */
	struct delayed_work gc;		/* expiry of pinholes and calls */
	struct work_struct reaper;	/* cuts media flows of ended calls */
	bool dying;
};

/* What the control plane shows of a pinhole. */
struct edgepin_pin_info {
	char call_id[EDGEPIN_CALL_ID_MAX];
	u8 call_id_len;
	char media[16];			/* "audio", "video", ..., NUL ended */
	u8 media_index;
	u8 proto;			/* IPPROTO_UDP / IPPROTO_TCP */
	u8 family;			/* AF_INET / AF_INET6 */
	u8 state;			/* enum edgepin_pin_state */
	u8 edge_cand;			/* enum edgepin_cand_kind */
	u8 peer_cand;
	u8 origin;			/* enum edgepin_origin, of its call */
	union nf_inet_addr edge_addr;
	union nf_inet_addr peer_addr;
	u16 edge_port;
	u16 peer_port;			/* 0 = any */
	s32 timeout;			/* seconds left, -1 while held open */
	u32 flows;
	/* origin TURN: the allocation, the client as the server sees it */
	u8 turn_family;
	u8 turn_proto;
	u16 turn_client_port;
	u16 turn_server_port;
	union nf_inet_addr turn_client;
	union nf_inet_addr turn_server;
	u32 turn_lifetime;		/* the allocation's seconds left */
};

/* What the control plane shows of a call. */
struct edgepin_call_info {
	char call_id[EDGEPIN_CALL_ID_MAX];
	u8 call_id_len;
	u8 state;			/* enum edgepin_call_state */
	u8 family;			/* of the signalling */
	u8 proto;			/* of the signalling */
	bool edge_offered;
	u8 origin;			/* enum edgepin_origin */
	union nf_inet_addr edge_sig;
	union nf_inet_addr peer_sig;
	u32 pinholes;
	u32 age;			/* seconds */
	u32 idle;			/* seconds */
};

/*
 * Where a dump resumes. Each call and each pinhole gets a sequence
 * number (a u64, never reused) when it is added to its list, calls.all
 * or its call's pins, and only ever at the tail; nothing reorders those
 * lists (a pinhole moved to another master is closed and opened anew).
 * So a walk resumes after the last entry it gave, whatever came or went
 * between two walks, and leaves out what came after the first walk (or a
 * dump would not end while calls come faster than it is read): an entry
 * present for the whole dump is given exactly once. Zeroed, it starts at
 * the beginning.
 */
struct edgepin_cursor {
	u64 call;		/* the last call given, or whose pin was */
	u64 pin;		/* the last pin given of that call */
	u64 last;		/* the newest entry when the first walk began */
	/*
	 * Out: the table's generation during the walk, bumped whenever a call
	 * or pinhole comes or goes and never 0 (for cb->seq, so that userspace
	 * sees NLM_F_DUMP_INTR when the set changed during a dump).
	 */
	u32 gen;
	/* The pinhole dump walks the TURN pinholes after the calls' (turn.c):
	 * set once it does, with the newest TURN pinhole then, and the last
	 * one given.
	 */
	bool turn_phase;
	u64 turn_last;
	u64 turn;
};

/*
 * Walk pinholes (or calls) after @cur, calling @fn for each under the
 * table lock (it must not sleep); @cur->gen is set before the first call.
 * @cur moves past each entry @fn returns 0 for. When @fn returns non-zero
 * the walk stops there, and returns that value, so that a later walk gives
 * that entry again (netlink dumps: the skb was full). An optional @call_id
 * and @peer (family AF_INET/AF_INET6, 0 for any) filter pinholes.
 */
int edgepin_pin_walk(struct edgepin_net *en, struct edgepin_cursor *cur,
		     const char *call_id, size_t call_id_len,
		     u8 peer_family, const union nf_inet_addr *peer,
		     int (*fn)(const struct edgepin_pin_info *pi, void *arg),
		     void *arg);
int edgepin_call_walk(struct edgepin_net *en, struct edgepin_cursor *cur,
		      int (*fn)(const struct edgepin_call_info *ci, void *arg),
		      void *arg);

/*
 * The table's generation (see edgepin_cursor), and its bump by another
 * table whose entries the same dumps show (turn.c). Takes calls.lock:
 * never call with it held.
 */
u32 edgepin_calls_gen(struct edgepin_net *en);
void edgepin_calls_gen_bump(struct edgepin_net *en);

/* Close the pinholes of one call (@call_id) or all; returns how many. */
int edgepin_pin_flush(struct edgepin_net *en, const char *call_id,
		      size_t call_id_len);

/*
 * A new policy @p is in place: close the pinholes it would not open (a
 * port now excluded or out of range, a transport no longer pinned, an
 * address no longer an edge or now one, a port-less pinhole under
 * peer-match address-port, every one in mode monitor) and cut the flows
 * they let in. Limits only bound new pinholes. With sip-feed off, every
 * call learned from the feed ends (calls_ended), its pinholes with it.
 * Returns how many pinholes closed.
 */
struct edgepin_policy;
unsigned int edgepin_calls_policy_changed(struct edgepin_net *en,
					  const struct edgepin_policy *p);

/* End one call as BYE would; -ENOENT if it is not tracked. */
int edgepin_call_drop(struct edgepin_net *en, const char *call_id,
		      size_t call_id_len);

int edgepin_calls_cache_init(void);
void edgepin_calls_cache_exit(void);
void edgepin_calls_init(struct edgepin_net *en);
/* Tear down every call and pinhole of a dying netns (or module unload). */
void edgepin_calls_exit(struct edgepin_net *en);

/*
 * Implemented by netlink.c: multicast an event to EDGEPIN_MCGRP_EVENTS.
 * Callable from any context; cheap when nobody listens.
 */
void edgepin_notify_pin(struct edgepin_net *en, enum edgepin_event ev,
			const struct edgepin_pin_info *pi, int reason);
void edgepin_notify_call(struct edgepin_net *en, enum edgepin_event ev,
			 const struct edgepin_call_info *ci);
/* A message refused as spoofed: its claimed source, the interface it came in on. */
void edgepin_notify_spoofed(struct edgepin_net *en, u8 family,
			    const union nf_inet_addr *src, const char *iif);

/* --- Below: the engine's own interface (helper.c, sip.c, call.c). --- */

/* One SIP message as the call layer sees it. */
struct edgepin_msg {
	const char *call_id;
	size_t call_id_len;
	struct edgepin_sdp *sdp;	/* kmalloc'd; taken by the call layer */
	struct nf_conn *ct;		/* the signalling connection */
	/* Sender and receiver as the sender addressed them (on the wire on
	 * the sender's side) and after NAT (on the receiver's side): src
	 * and dst_nat are each party's own address.
	 */
	union nf_inet_addr src;
	union nf_inet_addr src_nat;
	union nf_inet_addr dst;
	union nf_inet_addr dst_nat;
	u32 from_tag;			/* hashes of the tags, 0 if absent */
	u32 to_tag;
	u32 cseq;
	u32 body_hash;			/* of the body, when sdp is set */
	u16 status;			/* 0 for a request */
	u8 method;			/* enum sip_method */
	u8 cseq_method;
	u8 family;
	u8 proto;
	u8 origin;			/* enum edgepin_origin: wire or feed */
	/* Out: how long (seconds) its call wants the signalling flow kept,
	 * 0 if @m is not of a tracked call: call-timeout once confirmed,
	 * the unanswered timeout before (a flood of INVITEs must not hold
	 * conntracks for hours).
	 */
	u32 hold;
};

/* Returns true if @m belongs to a tracked call. */
bool edgepin_call_message(struct edgepin_net *en, struct edgepin_msg *m);
void edgepin_calls_master_gone(struct edgepin_net *en, struct nf_conn *ct);

/* The pinholes' expectation function, registered by name for ctnetlink. */
extern struct nf_ct_helper_expectfn edgepin_media_expectfn;

#endif /* _EDGEPIN_CALL_H */
