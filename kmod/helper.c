// SPDX-License-Identifier: GPL-2.0
/*
 * The "edgepin" conntrack helper: IPv4/IPv6 x UDP/TCP, one set per SIP
 * port in ports= (named like nf_conntrack_sip: "edgepin" for the default
 * port, "edgepin-<port>" for others). Since Linux 6.0 helpers are
 * attached explicitly (nftables ct helper objects), so ports= names the
 * helpers rather than selecting traffic.
 *
 * It never modifies or drops a packet: UDP datagrams are parsed as one
 * message each; TCP streams are reassembled per direction, so that a
 * message split over segments is parsed once whole and several messages
 * in one segment are all parsed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "helper.h"
#include "netns.h"
#include "objects.h"
#include "parser.h"
#include "sip.h"

#define EDGEPIN_SIP_PORT	5060
#define EDGEPIN_MAX_PORTS	8

static unsigned short ports[EDGEPIN_MAX_PORTS];
static unsigned int ports_c;
module_param_array(ports, ushort, &ports_c, 0400);
MODULE_PARM_DESC(ports, "SIP ports the helpers are named for (default 5060)");

static unsigned int reasm_max_kb = 16384;
module_param(reasm_max_kb, uint, 0644);
MODULE_PARM_DESC(reasm_max_kb,
		 "memory for partial SIP messages over TCP, all connections (KiB)");

MODULE_ALIAS_NFCT_HELPER(EDGEPIN_HELPER_NAME);

atomic_t edgepin_objects = ATOMIC_INIT(0);

static const struct nf_conntrack_expect_policy
edgepin_exp_policy[__EDGEPIN_EXPECT_MAX] = {
	[EDGEPIN_EXPECT_MEDIA] = {
		.name		= "media",
		/* No per-connection cap: one SIP trunk carries thousands of
		 * calls. edgepin's own policy bounds pinholes.
		 */
		.max_expected	= 0,
		.timeout	= 60,	/* replaced by pinhole-timeout */
	},
};

static struct nf_conntrack_helper edgepin_helpers[EDGEPIN_MAX_PORTS * 4];

/* One direction of a TCP signalling connection. */
struct edgepin_dir {
	char *buf;			/* bytes of an incomplete message */
	u32 len;
	u32 next_seq;			/* sequence number of buf[len] */
	struct sip_frame_state fs;	/* what the framer waits for */
	bool synced;
};

struct edgepin_stream {
	struct list_head node;		/* streams, for module unload */
	struct rcu_head rcu;
	spinlock_t lock;
	struct edgepin_dir dir[IP_CT_DIR_MAX];
};

static LIST_HEAD(streams);
static DEFINE_SPINLOCK(streams_lock);
static atomic_long_t reasm_bytes;

/* A datagram is copied here when it is not linear; used with BHs off. */
static char * __percpu *dgram_buf;

static void dir_drop(struct edgepin_dir *d)
{
	if (d->buf)
		atomic_long_sub(d->len, &reasm_bytes);
	kfree(d->buf);
	d->buf = NULL;
	d->len = 0;
	memset(&d->fs, 0, sizeof(d->fs));
}

/* What a destroyed connection's stream pointer says: never again. */
#define EDGEPIN_STREAM_DEAD	((struct edgepin_stream *)1)

static void streams_add(struct edgepin_stream *s)
{
	spin_lock_bh(&streams_lock);
	list_add(&s->node, &streams);
	spin_unlock_bh(&streams_lock);
}

static void streams_del(struct edgepin_stream *s)
{
	spin_lock_bh(&streams_lock);
	list_del(&s->node);
	spin_unlock_bh(&streams_lock);
}

/*
 * The connection's stream, made on first use. It is listed before it is
 * published, so that destroy always finds it listed.
 */
static struct edgepin_stream *stream_get(struct nf_conn *ct)
{
	struct edgepin_ct *ect = edgepin_ct(ct);
	struct edgepin_stream *s = READ_ONCE(ect->stream), *old;

	if (s)
		return s == EDGEPIN_STREAM_DEAD ? NULL : s;
	s = edgepin_obj_alloc(sizeof(*s));
	if (!s)
		return NULL;
	spin_lock_init(&s->lock);
	streams_add(s);
	old = cmpxchg(&ect->stream, NULL, s);
	if (!old)
		return s;
	streams_del(s);
	edgepin_obj_free(s);
	return old == EDGEPIN_STREAM_DEAD ? NULL : old;
}

static void stream_free(struct edgepin_stream *s)
{
	int i;

	for (i = 0; i < IP_CT_DIR_MAX; i++)
		dir_drop(&s->dir[i]);
	edgepin_obj_free(s);
}

static void stream_free_rcu(struct rcu_head *head)
{
	stream_free(container_of(head, struct edgepin_stream, rcu));
}

/*
 * Append @len bytes at @seq to the direction's buffer. Retransmitted
 * bytes are skipped; a gap drops the partial message (parsing resyncs at
 * the next start line). Returns false if the bytes could not be kept.
 */
static bool dir_append(struct edgepin_net *en, struct edgepin_dir *d,
		       const struct sk_buff *skb, unsigned int off, u32 len,
		       u32 seq)
{
	u32 skip;
	char *nbuf;

	if (!d->synced) {
		d->synced = true;
		d->next_seq = seq;
	}
	if (before(seq, d->next_seq)) {
		skip = d->next_seq - seq;
		if (skip >= len)
			return true;	/* all seen before */
		off += skip;
		len -= skip;
		seq = d->next_seq;
	} else if (after(seq, d->next_seq)) {
		edgepin_stat_inc(en, EDGEPIN_STAT_TCP_RESYNCS);
		dir_drop(d);
	}
	d->next_seq = seq + len;

	if (d->len + len > SIP_MAX_MSG_LEN ||
	    atomic_long_read(&reasm_bytes) + len >
	    (long)reasm_max_kb * 1024) {
		edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_TCP_MEMORY);
		net_info_ratelimited("edgepin: TCP reassembly bound hit: partial SIP message dropped\n");
		dir_drop(d);
		return false;
	}
	nbuf = krealloc(d->buf, d->len + len, GFP_ATOMIC);
	if (!nbuf) {
		dir_drop(d);
		return false;
	}
	d->buf = nbuf;
	if (skb_copy_bits(skb, off, d->buf + d->len, len) < 0) {
		dir_drop(d);
		return false;
	}
	d->len += len;
	atomic_long_add(len, &reasm_bytes);
	return true;
}

/* Parse every whole message at the start of the buffer; keep the rest. */
static void dir_parse(struct edgepin_net *en, struct nf_conn *ct,
		      enum ip_conntrack_dir dir, struct edgepin_dir *d)
{
	struct sip_frame fr = { .kind = SIP_FRAME_NEED_MORE };
	u32 off = 0;

	/* nothing new for the framer: not scanned again (see parser.h) */
	if (!sip_frame_ready(&d->fs, d->buf, d->len))
		return;
	while (off < d->len) {
		sip_frame(d->buf + off, d->len - off, &fr);
		if (fr.kind == SIP_FRAME_NEED_MORE || !fr.len)
			break;
		if (fr.kind == SIP_FRAME_MESSAGE)
			edgepin_sip_message(en, ct, dir, d->buf + off, fr.len);
		else if (fr.kind == SIP_FRAME_RESYNC)
			edgepin_stat_inc(en, EDGEPIN_STAT_TCP_RESYNCS);
		off += fr.len;
	}
	if (off == d->len) {
		dir_drop(d);
		return;
	}
	if (off) {
		/* keep only the tail, in a buffer of its size: what is
		 * accounted is what is allocated
		 */
		char *tail = kmemdup(d->buf + off, d->len - off, GFP_ATOMIC);

		if (!tail) {
			dir_drop(d);
			return;
		}
		kfree(d->buf);
		d->buf = tail;
		d->len -= off;
		atomic_long_sub(off, &reasm_bytes);
	}
	/* the buffer starts at the message the framer stopped at */
	memset(&d->fs, 0, sizeof(d->fs));
	if (fr.kind == SIP_FRAME_NEED_MORE)
		sip_frame_wait(&d->fs, &fr, d->len);
}

static int edgepin_help_tcp(struct sk_buff *skb, unsigned int protoff,
			    struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
	struct edgepin_net *en = edgepin_pernet(nf_ct_net(ct));
	struct edgepin_stream *s;
	const struct tcphdr *th;
	struct tcphdr _th;
	unsigned int off;

	if (ctinfo != IP_CT_ESTABLISHED && ctinfo != IP_CT_ESTABLISHED_REPLY)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	off = protoff + th->doff * 4;
	if (off >= skb->len)
		return NF_ACCEPT;
	s = stream_get(ct);
	if (!s)
		return NF_ACCEPT;

	spin_lock_bh(&s->lock);
	if (dir_append(en, &s->dir[dir], skb, off, skb->len - off,
		       ntohl(th->seq)))
		dir_parse(en, ct, dir, &s->dir[dir]);
	spin_unlock_bh(&s->lock);
	return NF_ACCEPT;
}

static int edgepin_help_udp(struct sk_buff *skb, unsigned int protoff,
			    struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
	struct edgepin_net *en = edgepin_pernet(nf_ct_net(ct));
	unsigned int off = protoff + sizeof(struct udphdr);
	unsigned int len;
	const char *buf;
	u32 hold;

	/*
	 * An ICMP error about a SIP datagram (port unreachable when the
	 * other side has no listener) reaches the helper of the flow it
	 * quotes, with IP_CT_RELATED and protoff at the ICMP header: not
	 * SIP. The first datagram of an expected flow is RELATED too, but
	 * its conntrack is not confirmed yet.
	 */
	if (ctinfo == IP_CT_RELATED && nf_ct_is_confirmed(ct))
		return NF_ACCEPT;
	if (off >= skb->len)
		return NF_ACCEPT;
	len = skb->len - off;
	if (len > SIP_MAX_MSG_LEN) {
		edgepin_stat_inc(en, EDGEPIN_STAT_PARSE_ERRORS);
		return NF_ACCEPT;
	}

	local_bh_disable();
	if (skb_headlen(skb) >= off + len) {
		buf = skb->data + off;
	} else {
		buf = *this_cpu_ptr(dgram_buf);
		if (skb_copy_bits(skb, off, (char *)buf, len) < 0)
			goto out;
	}
	/* The signalling flow is the pinholes' master: keep it as long as
	 * a call on it may live, whatever else it carries; never shorten
	 * it (other calls may be on it).
	 */
	hold = edgepin_sip_message(en, ct, dir, buf, len);
	if (atomic_read(&edgepin_ct(ct)->pins)) {
		rcu_read_lock();
		hold = rcu_dereference(en->policy)->call_timeout;
		rcu_read_unlock();
	}
	if (hold && nf_ct_expires(ct) < hold * HZ)
		nf_ct_refresh(ct, skb, hold * HZ);
out:
	local_bh_enable();
	return NF_ACCEPT;
}

/*
 * The SIP connection is being deleted, and its expectations with it.
 * Another CPU may still be in the helper for it (under RCU), so the
 * stream is freed after a grace period and never made again.
 */
static void edgepin_destroy(struct nf_conn *ct)
{
	struct edgepin_ct *ect = edgepin_ct(ct);
	struct edgepin_stream *s;

	if (atomic_read(&ect->pins))
		edgepin_calls_master_gone(edgepin_pernet(nf_ct_net(ct)), ct);
	s = xchg(&ect->stream, EDGEPIN_STREAM_DEAD);
	if (s && s != EDGEPIN_STREAM_DEAD) {
		streams_del(s);
		call_rcu(&s->rcu, stream_free_rcu);
	}
}

static const struct {
	u16 l3num;
	u8 protonum;
	int (*help)(struct sk_buff *skb, unsigned int protoff,
		    struct nf_conn *ct, enum ip_conntrack_info ctinfo);
} edgepin_flavours[] = {
	{ NFPROTO_IPV4, IPPROTO_UDP, edgepin_help_udp },
	{ NFPROTO_IPV4, IPPROTO_TCP, edgepin_help_tcp },
	{ NFPROTO_IPV6, IPPROTO_UDP, edgepin_help_udp },
	{ NFPROTO_IPV6, IPPROTO_TCP, edgepin_help_tcp },
};

static int dgram_bufs_alloc(void)
{
	int cpu;

	dgram_buf = alloc_percpu(char *);
	if (!dgram_buf)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		*per_cpu_ptr(dgram_buf, cpu) = kvmalloc(SIP_MAX_MSG_LEN,
							GFP_KERNEL);
		if (!*per_cpu_ptr(dgram_buf, cpu))
			return -ENOMEM;
	}
	return 0;
}

static void dgram_bufs_free(void)
{
	int cpu;

	if (!dgram_buf)
		return;
	for_each_possible_cpu(cpu)
		kvfree(*per_cpu_ptr(dgram_buf, cpu));
	free_percpu(dgram_buf);
	dgram_buf = NULL;
}

static unsigned int helpers_count(void)
{
	return ports_c * ARRAY_SIZE(edgepin_flavours);
}

int edgepin_helper_init(void)
{
	struct nf_conntrack_helper *h;
	unsigned int i, j, n = 0;
	int ret;

	BUILD_BUG_ON(sizeof(struct edgepin_ct) >
		     sizeof_field(struct nf_conn_help, data));
	ret = dgram_bufs_alloc();
	if (ret < 0)
		goto err_bufs;
	ret = edgepin_sip_init();
	if (ret < 0)
		goto err_bufs;

	if (ports_c == 0)
		ports[ports_c++] = EDGEPIN_SIP_PORT;
	for (i = 0; i < ports_c; i++) {
		for (j = 0; j < ARRAY_SIZE(edgepin_flavours); j++) {
			h = &edgepin_helpers[n++];
			nf_ct_helper_init(h, edgepin_flavours[j].l3num,
					  edgepin_flavours[j].protonum,
					  EDGEPIN_HELPER_NAME, EDGEPIN_SIP_PORT,
					  ports[i], ports[i], edgepin_exp_policy,
					  __EDGEPIN_EXPECT_MAX - 1,
					  edgepin_flavours[j].help, NULL,
					  THIS_MODULE);
			h->destroy = edgepin_destroy;
		}
	}
	ret = nf_conntrack_helpers_register(edgepin_helpers, n);
	if (ret < 0)
		goto err_register;
	return 0;

err_register:
	edgepin_sip_exit();
err_bufs:
	dgram_bufs_free();
	return ret;
}

void edgepin_helper_exit(void)
{
	struct edgepin_stream *s, *tmp;

	nf_conntrack_helpers_unregister(edgepin_helpers, helpers_count());
	/* No destroy callback can run now: wait for the streams it freed,
	 * then free what live conntracks still hold.
	 */
	rcu_barrier();
	list_for_each_entry_safe(s, tmp, &streams, node) {
		list_del(&s->node);
		stream_free(s);
	}
	edgepin_sip_exit();
	dgram_bufs_free();
}

/* After every netns is gone: nothing of ours may be left. */
void edgepin_helper_check_leaks(void)
{
	WARN(atomic_read(&edgepin_objects) ||
	     atomic_long_read(&reasm_bytes),
	     "edgepin: leaked %d objects, %ld bytes of TCP reassembly\n",
	     atomic_read(&edgepin_objects), atomic_long_read(&reasm_bytes));
}
