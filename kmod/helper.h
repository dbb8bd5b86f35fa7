/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EDGEPIN_HELPER_H
#define _EDGEPIN_HELPER_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>

#define EDGEPIN_HELPER_NAME "edgepin"

enum edgepin_expect_class {
	EDGEPIN_EXPECT_MEDIA,
	__EDGEPIN_EXPECT_MAX
};

struct edgepin_stream;

/* A netns's TCP reassembly memory, and its holders, oldest first. */
struct edgepin_reasm {
	spinlock_t lock;		/* taken inside a stream's lock */
	struct list_head lru;		/* edgepin_stream.lru */
	long bytes;
};

void edgepin_reasm_init(struct edgepin_reasm *r);

/* Our part of a SIP connection's conntrack (nf_conn_help.data). */
struct edgepin_ct {
	/* TCP reassembly, NULL for UDP; or the mark of a TLS connection,
	 * never read (helper.c: stream_is_tls())
	 */
	struct edgepin_stream *stream;
	/* the pins it is master of (edgepin_pin.mnode), under the netns's
	 * calls.lock: its destroy closes them without walking every call
	 */
	struct hlist_head pins_list;
	atomic_t pins;			/* expectations it is master of */
	/* a pin of ours has had it as master (set under calls.lock, never
	 * cleared); zero on conntrackd's copy of it on a standby
	 */
	bool pinned;
	/* trust.c, per direction: a packet passed the reverse-path check
	 * (the Edge's side may speak for it through the feed), and, sticky,
	 * a packet failed it; each byte written alone (no lost update)
	 */
	bool rp_passed[IP_CT_DIR_MAX];
	bool rp_failed[IP_CT_DIR_MAX];
};

static inline struct edgepin_ct *edgepin_ct(const struct nf_conn *ct)
{
	return (struct edgepin_ct *)nfct_help(ct)->data;
}

static inline void edgepin_ct_pins_inc(struct nf_conn *ct)
{
	atomic_inc(&edgepin_ct(ct)->pins);
	/* Pairs with setting IPS_DYING before ->destroy() reads pins:
	 * pin_open() then sees the master dying, or destroy sees the pin.
	 */
	smp_mb__after_atomic();
}

static inline void edgepin_ct_pins_dec(struct nf_conn *ct)
{
	atomic_dec(&edgepin_ct(ct)->pins);
}

struct edgepin_net;

/* Keep @ct, a UDP SIP flow, for @hold seconds (helper.c). */
void edgepin_ct_hold(struct edgepin_net *en, struct nf_conn *ct,
		     const struct sk_buff *skb, u32 hold);
bool edgepin_helper_ours(const struct nf_conntrack_helper *h);

/*
 * @len bytes at @off of @skb in one piece: in place, or copied to a per
 * CPU buffer (@len at most SIP_MAX_MSG_LEN; bottom halves disabled until
 * the caller is done with it). NULL if the skb is shorter.
 */
const char *edgepin_skb_bytes(const struct sk_buff *skb, unsigned int off,
			      unsigned int len);

/* A helper comes in UDP and TCP, IPv4 and IPv6 flavours. */
#define EDGEPIN_FLAVOURS	4
typedef int (*edgepin_help_fn)(struct sk_buff *skb, unsigned int protoff,
			       struct nf_conn *ct,
			       enum ip_conntrack_info ctinfo);

/* Fill @h[EDGEPIN_FLAVOURS]: helper @name on @port, all flavours. */
void edgepin_helper_flavours(struct nf_conntrack_helper *h, const char *name,
			     u16 default_port, u16 port,
			     const struct nf_conntrack_expect_policy *pol,
			     u32 class_max, edgepin_help_fn udp,
			     edgepin_help_fn tcp,
			     void (*destroy)(struct nf_conn *ct));

/*
 * Of a TCP segment a helper sees: false unless it is of an established
 * connection and carries data; else where its payload begins (@off) and
 * its sequence number.
 */
bool edgepin_tcp_payload(const struct sk_buff *skb, unsigned int protoff,
			 enum ip_conntrack_info ctinfo, unsigned int *off,
			 u32 *seq);

/*
 * Of a UDP packet a helper sees: false if it is an ICMP error quoting
 * one, or its header is broken; else the payload's length in @len (at
 * protoff + 8), as its header says.
 */
bool edgepin_udp_payload(const struct sk_buff *skb, unsigned int protoff,
			 const struct nf_conn *ct,
			 enum ip_conntrack_info ctinfo, unsigned int *len);

int edgepin_helper_init(void);
void edgepin_helper_exit(void);
void edgepin_helper_check_leaks(void);

#endif /* _EDGEPIN_HELPER_H */
