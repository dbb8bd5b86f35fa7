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

#include "compat.h"
#include "helper.h"
#include "netns.h"
#include "objects.h"
#include "parser.h"
#include "sip.h"
#include "trust.h"

#define EDGEPIN_SIP_PORT	5060
#define EDGEPIN_MAX_PORTS	8

static unsigned short ports[EDGEPIN_MAX_PORTS];
static unsigned int ports_c;
module_param_array(ports, ushort, &ports_c, 0400);
MODULE_PARM_DESC(ports, "SIP ports the helpers are named for (default 5060)");

static unsigned int reasm_max_kb = 16384;
module_param(reasm_max_kb, uint, 0644);
MODULE_PARM_DESC(reasm_max_kb,
		 "TCP reassembly memory of the initial netns, and of all others together (KiB)");

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

static struct nf_conntrack_helper
	edgepin_helpers[EDGEPIN_MAX_PORTS * EDGEPIN_FLAVOURS];

/*
 * TCP reassembly. A direction keeps what it could not parse yet in
 * chunks sorted by sequence number: from start to next_seq the head of
 * an incomplete message, in order; past next_seq, segments that came
 * before one still missing, held until the sender retransmits it (the
 * firewall saw a loss upstream, or reordering). A chunk is one
 * kmalloc-2k object: the memory accounted is the memory allocated, and
 * no message needs more than order-0 allocations in softirq.
 */
#define EDGEPIN_CHUNK		2048
/* Bytes held before the headers end: a Lync INVITE's are ~2 KB. */
#define EDGEPIN_HEAD_MAX	16384
/* How far past a gap a direction holds segments, and for how long:
 * three retransmissions at the initial RTO (1 + 2 + 4 s).
 */
#define EDGEPIN_OOO_SPAN	65536
#define EDGEPIN_GAP_TIMEOUT	(10 * HZ)
/* Chunks a direction may hold: a whole message in segments that each
 * came out of order, plus as much again past a gap.
 */
#define EDGEPIN_DIR_CHUNKS	96
/* Holders evicted to make room for one chunk, at most. */
#define EDGEPIN_EVICT_TRIES	4

struct reasm_chunk {
	struct list_head node;
	u32 seq;			/* of data[0] */
	u32 len;
	char data[];
};

#define CHUNK_ROOM	(EDGEPIN_CHUNK - sizeof(struct reasm_chunk))

/* One direction of a TCP signalling connection. */
struct edgepin_dir {
	struct list_head chunks;	/* by sequence number */
	u32 start;			/* first byte of the partial message */
	u32 next_seq;			/* first byte not held in order */
	u32 nchunks;
	unsigned long gap_since;	/* jiffies | 1 a gap opened, or 0 */
	struct sip_frame_state fs;	/* what the framer waits for */
	bool synced;
};

struct edgepin_stream {
	struct list_head node;		/* streams, for module unload */
	struct list_head lru;		/* in its netns's holders */
	struct rcu_head rcu;
	spinlock_t lock;		/* the directions; then reasm.lock */
	struct edgepin_net *en;
	u32 mem;			/* bytes of chunks held */
	bool dead;			/* its conntrack is gone */
	struct edgepin_dir dir[IP_CT_DIR_MAX];
};

static LIST_HEAD(streams);
static DEFINE_SPINLOCK(streams_lock);	/* the streams list */
/* Chunk memory: in all, and in the pool netns other than init_net share. */
static atomic_long_t reasm_bytes;
static atomic_long_t reasm_shared;

/* A datagram (or a TCP message) is linearised here; used with BHs off. */
static char * __percpu *dgram_buf;

void edgepin_reasm_init(struct edgepin_reasm *r)
{
	spin_lock_init(&r->lock);
	INIT_LIST_HEAD(&r->lru);
	r->bytes = 0;
}

/*
 * Budgets. init_net may hold reasm_max_kb, which only its root can set
 * (module parameters are init-namespace files). Every other netns may
 * hold a quarter of that, and all of them together reasm_max_kb more,
 * in a pool of their own: nothing outside init_net can take init_net's
 * memory, and no netns can raise its own share.
 */
static bool reasm_shared_pool(const struct edgepin_net *en)
{
	return !net_eq(en->net, &init_net);
}

static long reasm_limit(const struct edgepin_net *en)
{
	long max = (long)READ_ONCE(reasm_max_kb) * 1024;

	return reasm_shared_pool(en) ? max / 4 : max;
}

/* Give back @bytes of @s's chunks; reasm.lock held. */
static void __reasm_uncharge(struct edgepin_stream *s, u32 bytes)
{
	struct edgepin_net *en = s->en;

	if (!bytes)
		return;
	s->mem -= bytes;
	en->reasm.bytes -= bytes;
	atomic_long_sub(bytes, &reasm_bytes);
	if (reasm_shared_pool(en))
		atomic_long_sub(bytes, &reasm_shared);
	if (!s->mem)
		list_del_init(&s->lru);
}

static void reasm_uncharge(struct edgepin_stream *s, u32 bytes)
{
	if (!bytes)
		return;
	spin_lock(&s->en->reasm.lock);
	__reasm_uncharge(s, bytes);
	spin_unlock(&s->en->reasm.lock);
}

/* Free the chunks of @d, which starts again at @seq; returns the bytes
 * to uncharge.
 */
static u32 dir_free_chunks(struct edgepin_dir *d, u32 seq)
{
	struct reasm_chunk *c, *tmp;
	u32 n = d->nchunks;

	list_for_each_entry_safe(c, tmp, &d->chunks, node) {
		list_del(&c->node);
		kfree(c);
	}
	d->nchunks = 0;
	d->start = seq;
	d->next_seq = seq;
	d->gap_since = 0;
	memset(&d->fs, 0, sizeof(d->fs));
	return n * EDGEPIN_CHUNK;
}

/* Everything @s holds, freed; s->lock and reasm.lock held. */
static void __stream_release(struct edgepin_stream *s)
{
	u32 bytes = 0;
	int i;

	for (i = 0; i < IP_CT_DIR_MAX; i++) {
		bytes += dir_free_chunks(&s->dir[i], s->dir[i].next_seq);
		/* where the next segment starts is found again */
		s->dir[i].synced = false;
	}
	__reasm_uncharge(s, bytes);
}

/*
 * Make room by dropping everything the oldest holder of en's budget
 * holds: the partial message that has waited longest, most likely one
 * that will never end. reasm.lock held; @self's lock too, so another
 * stream's is only tried.
 */
static bool reasm_evict(struct edgepin_net *en, struct edgepin_stream *self)
{
	struct edgepin_stream *v;

	v = list_first_entry_or_null(&en->reasm.lru, struct edgepin_stream,
				     lru);
	if (!v || v == self || !spin_trylock(&v->lock))
		return false;
	__stream_release(v);
	spin_unlock(&v->lock);
	edgepin_stat_inc(en, EDGEPIN_STAT_REFUSED_TCP_MEMORY);
	net_info_ratelimited("edgepin: TCP reassembly budget full: oldest partial SIP message dropped\n");
	return true;
}

/* Charge one chunk to @s, evicting older holders if the netns is full. */
static bool reasm_charge(struct edgepin_stream *s)
{
	struct edgepin_net *en = s->en;
	long limit = reasm_limit(en);
	bool ok = true;
	int tries = 0;

	spin_lock(&en->reasm.lock);
	while (en->reasm.bytes + EDGEPIN_CHUNK > limit) {
		if (tries++ == EDGEPIN_EVICT_TRIES || !reasm_evict(en, s)) {
			ok = false;
			goto out;
		}
	}
	/* the shared pool: no netns may evict another's messages */
	if (reasm_shared_pool(en) &&
	    atomic_long_add_return(EDGEPIN_CHUNK, &reasm_shared) >
	    (long)READ_ONCE(reasm_max_kb) * 1024) {
		atomic_long_sub(EDGEPIN_CHUNK, &reasm_shared);
		ok = false;
		goto out;
	}
	if (!s->mem)
		list_add_tail(&s->lru, &en->reasm.lru);
	s->mem += EDGEPIN_CHUNK;
	en->reasm.bytes += EDGEPIN_CHUNK;
	atomic_long_add(EDGEPIN_CHUNK, &reasm_bytes);
out:
	spin_unlock(&en->reasm.lock);
	return ok;
}

/* A new partial message: @s is now the youngest holder. */
static void reasm_touch(struct edgepin_stream *s)
{
	spin_lock(&s->en->reasm.lock);
	if (s->mem)
		list_move_tail(&s->lru, &s->en->reasm.lru);
	spin_unlock(&s->en->reasm.lock);
}

/* What a destroyed connection's stream pointer says: never again. */
#define EDGEPIN_STREAM_DEAD	((struct edgepin_stream *)1)
/* What a TLS connection's says: not SIP we can read, never framed. */
#define EDGEPIN_STREAM_TLS	((struct edgepin_stream *)2)

static bool stream_real(const struct edgepin_stream *s)
{
	return s && s != EDGEPIN_STREAM_DEAD && s != EDGEPIN_STREAM_TLS;
}

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
	int i;

	if (s)
		return stream_real(s) ? s : NULL;
	s = edgepin_obj_alloc(sizeof(*s));
	if (!s)
		return NULL;
	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->lru);
	s->en = edgepin_pernet(nf_ct_net(ct));
	for (i = 0; i < IP_CT_DIR_MAX; i++)
		INIT_LIST_HEAD(&s->dir[i].chunks);
	streams_add(s);
	old = cmpxchg(&ect->stream, NULL, s);
	if (!old)
		return s;
	streams_del(s);
	edgepin_obj_free(s);
	return stream_real(old) ? old : NULL;
}

/*
 * Does the payload at @off begin with a TLS ClientHello: a handshake
 * record (22) of SSL 3.0 to TLS 1.3 (whose records say 3.0 to 3.4 or
 * less), a length a record may have (1 to 2^14 + 256), and the handshake
 * type client_hello (1)? A SIP message begins with a method or
 * "SIP/2.0", or CRLF keep-alives: none of these bytes.
 */
static bool starts_client_hello(const struct sk_buff *skb, unsigned int off)
{
	u8 _rec[6];
	const u8 *rec = skb_header_pointer(skb, off, sizeof(_rec), _rec);
	unsigned int len;

	if (!rec || rec[0] != 0x16 || rec[1] != 0x03 || rec[2] > 0x04)
		return false;
	len = rec[3] << 8 | rec[4];
	return len >= 1 && len <= 16384 + 256 && rec[5] == 0x01;
}

/*
 * The helper is attached to the TLS port too, so that the TLS connection
 * can be master of the pinholes the SIP feed opens; its bytes are not
 * SIP. A connection whose first payload is a ClientHello from its
 * originator is marked, and none of it is ever framed or held: the
 * framer would resynchronise over every record and the stream would
 * hold memory for nothing. Only that: a SIP connection picked up in the
 * middle (after a conntrack flush or a failover) whose first bytes seen
 * merely look like some TLS record, either way, is still read as SIP.
 * SIP made to look like a ClientHello is only not read (fails closed).
 * Returns true if @ct is (now) such a connection.
 */
static bool stream_is_tls(struct edgepin_net *en, struct nf_conn *ct,
			  enum ip_conntrack_dir dir,
			  const struct sk_buff *skb, unsigned int off)
{
	struct edgepin_ct *ect = edgepin_ct(ct);
	struct edgepin_stream *s = READ_ONCE(ect->stream);

	if (s)
		return s == EDGEPIN_STREAM_TLS;
	if (dir != IP_CT_DIR_ORIGINAL || !starts_client_hello(skb, off))
		return false;
	/* nothing seen before: the first payload decides, once */
	s = cmpxchg(&ect->stream, NULL, EDGEPIN_STREAM_TLS);
	if (s)
		return s == EDGEPIN_STREAM_TLS;
	edgepin_stat_inc(en, EDGEPIN_STAT_TLS_STREAMS);
	return true;
}

/* Free what @s holds, for good; its conntrack is gone. */
static void stream_kill(struct edgepin_stream *s)
{
	spin_lock_bh(&s->lock);
	s->dead = true;
	spin_lock(&s->en->reasm.lock);
	__stream_release(s);
	spin_unlock(&s->en->reasm.lock);
	spin_unlock_bh(&s->lock);
}

static void stream_free_rcu(struct rcu_head *head)
{
	edgepin_obj_free(container_of(head, struct edgepin_stream, rcu));
}

static bool dir_has_gap(const struct edgepin_dir *d)
{
	return !list_empty(&d->chunks) &&
	       after(list_last_entry(&d->chunks, struct reasm_chunk,
				     node)->seq, d->next_seq);
}

/*
 * Copy [seq, seq + n) of @skb at @off into chunks after *@prev, adding
 * to *@prev while it ends at seq and has room; *@prev is then the last
 * chunk written. False when a bound or the budget refused a chunk.
 */
static bool dir_fill(struct edgepin_stream *s, struct edgepin_dir *d,
		     struct list_head **prev, const struct sk_buff *skb,
		     unsigned int off, u32 seq, u32 n)
{
	struct reasm_chunk *c;
	u32 k;

	while (n) {
		c = *prev == &d->chunks ? NULL :
		    list_entry(*prev, struct reasm_chunk, node);
		if (!c || c->seq + c->len != seq || c->len == CHUNK_ROOM) {
			if (d->nchunks >= EDGEPIN_DIR_CHUNKS || !reasm_charge(s))
				return false;
			c = kmalloc(EDGEPIN_CHUNK, GFP_ATOMIC);
			if (!c) {
				reasm_uncharge(s, EDGEPIN_CHUNK);
				return false;
			}
			d->nchunks++;
			c->seq = seq;
			c->len = 0;
			list_add(&c->node, *prev);
			*prev = &c->node;
		}
		k = min_t(u32, n, CHUNK_ROOM - c->len);
		if (skb_copy_bits(skb, off, c->data + c->len, k) < 0)
			return false;
		c->len += k;
		seq += k;
		off += k;
		n -= k;
	}
	return true;
}

/*
 * Keep the bytes [seq, seq + len) of @skb at @off that no chunk holds
 * yet: a retransmission, however it is split, or a duplicate adds only
 * what is missing, and bytes already held are kept as they are.
 */
static bool dir_store(struct edgepin_stream *s, struct edgepin_dir *d,
		      const struct sk_buff *skb, unsigned int off, u32 seq,
		      u32 len)
{
	struct list_head *prev = &d->chunks;
	struct reasm_chunk *c;
	u32 end = seq + len, k;

	list_for_each_entry(c, &d->chunks, node) {
		if (!before(seq, end))
			return true;
		if (before(seq, c->seq)) {
			k = (before(c->seq, end) ? c->seq : end) - seq;
			if (!dir_fill(s, d, &prev, skb, off, seq, k))
				return false;
			seq += k;
			off += k;
		}
		if (before(seq, c->seq + c->len)) {
			k = min_t(u32, end - seq, c->seq + c->len - seq);
			seq += k;
			off += k;
		}
		prev = &c->node;
	}
	return !before(seq, end) ||
	       dir_fill(s, d, &prev, skb, off, seq, end - seq);
}

/* Drop the first @k held bytes of the partial message. */
static void dir_consume(struct edgepin_stream *s, struct edgepin_dir *d,
			u32 k)
{
	struct reasm_chunk *c, *tmp;
	u32 freed = 0, skip;

	d->start += k;
	list_for_each_entry_safe(c, tmp, &d->chunks, node) {
		if (!before(c->seq, d->start))
			break;
		if (!after(c->seq + c->len, d->start)) {
			list_del(&c->node);
			kfree(c);
			d->nchunks--;
			freed += EDGEPIN_CHUNK;
			continue;
		}
		skip = d->start - c->seq;
		memmove(c->data, c->data + skip, c->len - skip);
		c->seq = d->start;
		c->len -= skip;
		break;
	}
	reasm_uncharge(s, freed);
}

/*
 * Move next_seq over the chunks that now follow it, feeding their bytes
 * to the framer's state; true if sip_frame() could now say more.
 */
static bool dir_advance(struct edgepin_dir *d)
{
	struct reasm_chunk *c;
	bool ready = false;
	u32 skip;

	list_for_each_entry(c, &d->chunks, node) {
		if (after(c->seq, d->next_seq))
			break;
		if (!after(c->seq + c->len, d->next_seq))
			continue;
		skip = d->next_seq - c->seq;
		if (sip_frame_feed(&d->fs, c->data + skip, c->len - skip))
			ready = true;
		d->next_seq = c->seq + c->len;
	}
	return ready;
}

/* The in-order bytes held, at most one message's worth, in @buf. */
static u32 dir_linear(const struct edgepin_dir *d, char *buf)
{
	u32 held = d->next_seq - d->start, n = 0, k;
	const struct reasm_chunk *c;

	list_for_each_entry(c, &d->chunks, node) {
		if (n == held || n == SIP_MAX_MSG_LEN)
			break;
		k = min3(c->len, held - n, (u32)SIP_MAX_MSG_LEN - n);
		memcpy(buf + n, c->data, k);
		n += k;
	}
	return n;
}

/*
 * Frame and parse the messages @buf starts with. Returns the bytes
 * consumed: whole messages, keep-alives and bytes resynchronised over;
 * @fr then says what the rest needs.
 */
static u32 frame_run(struct edgepin_net *en, struct nf_conn *ct,
		     enum ip_conntrack_dir dir, const char *buf, u32 len,
		     struct sip_frame *fr)
{
	u32 off = 0;

	while (off < len) {
		sip_frame(buf + off, len - off, fr);
		if (fr->kind == SIP_FRAME_NEED_MORE || !fr->len)
			return off;
		if (fr->kind == SIP_FRAME_MESSAGE)
			edgepin_sip_message(en, ct, dir, buf + off, fr->len,
					    EDGEPIN_ORIGIN_WIRE);
		else if (fr->kind == SIP_FRAME_RESYNC)
			edgepin_stat_inc(en, EDGEPIN_STAT_TCP_RESYNCS);
		off += fr->len;
	}
	fr->kind = SIP_FRAME_NEED_MORE;
	fr->len = 0;
	return off;
}

/* Parse the messages the held bytes complete, and keep the rest. */
static void dir_frame(struct edgepin_stream *s, struct edgepin_dir *d,
		      struct nf_conn *ct, enum ip_conntrack_dir dir)
{
	char *buf = *this_cpu_ptr(dgram_buf);
	struct reasm_chunk *c;
	struct sip_frame fr;
	u32 n, used, total = 0;

	do {
		n = dir_linear(d, buf);
		used = frame_run(s->en, ct, dir, buf, n, &fr);
		dir_consume(s, d, used);
		total += used;
	} while (used && used == n && d->start != d->next_seq);
	if (total) {
		/* what is held now starts at the message the framer
		 * stopped at: the new state is fed it once
		 */
		memset(&d->fs, 0, sizeof(d->fs));
		list_for_each_entry(c, &d->chunks, node) {
			if (!before(c->seq, d->next_seq))
				break;
			sip_frame_feed(&d->fs, c->data, c->len);
		}
		reasm_touch(s);
	}
	sip_frame_wait(&d->fs, &fr);
}

/* Headers that have not ended after EDGEPIN_HEAD_MAX bytes are not SIP. */
static void dir_check_head(struct edgepin_stream *s, struct edgepin_dir *d)
{
	if (d->fs.want || d->next_seq - d->start <= EDGEPIN_HEAD_MAX)
		return;
	dir_consume(s, d, d->next_seq - d->start);
	memset(&d->fs, 0, sizeof(d->fs));
	edgepin_stat_inc(s->en, EDGEPIN_STAT_REFUSED_TCP_MEMORY);
	net_info_ratelimited("edgepin: SIP headers over TCP longer than %u bytes: dropped\n",
			     EDGEPIN_HEAD_MAX);
}

/*
 * In-order bytes were added: parse what they complete. While the start
 * line is incomplete (at most SIP_MAX_START_LINE bytes) every segment is
 * framed, so that bytes that cannot begin a SIP message are dropped at
 * once instead of held until an empty line comes.
 */
static void dir_progress(struct edgepin_stream *s, struct edgepin_dir *d,
			 struct nf_conn *ct, enum ip_conntrack_dir dir)
{
	if (dir_advance(d) ||
	    (!d->fs.lines && d->start != d->next_seq))
		dir_frame(s, d, ct, dir);
	dir_check_head(s, d);
}

/* A bound refused bytes: drop what the direction holds and go on at
 * @seq (the framer resynchronises at the next start line).
 */
static void dir_refuse(struct edgepin_stream *s, struct edgepin_dir *d,
		       u32 seq)
{
	edgepin_stat_inc(s->en, EDGEPIN_STAT_REFUSED_TCP_MEMORY);
	net_info_ratelimited("edgepin: TCP reassembly bound hit: partial SIP message dropped\n");
	reasm_uncharge(s, dir_free_chunks(d, seq));
}

/*
 * A gap that stayed open too long, or with too much behind it: the
 * partial message before it is lost; go on with the bytes after it.
 */
static void dir_skip_gap(struct edgepin_stream *s, struct edgepin_dir *d)
{
	struct reasm_chunk *c;

	dir_consume(s, d, d->next_seq - d->start);
	c = list_first_entry_or_null(&d->chunks, struct reasm_chunk, node);
	if (c)
		d->next_seq = c->seq;
	d->start = d->next_seq;
	d->gap_since = 0;
	memset(&d->fs, 0, sizeof(d->fs));
	edgepin_stat_inc(s->en, EDGEPIN_STAT_TCP_RESYNCS);
	net_info_ratelimited("edgepin: TCP gap not filled: partial SIP message dropped\n");
}

/*
 * Where a direction starts: at the receiver's highest ACK when conntrack
 * saw one (the first byte it still waits for), so that a first segment
 * that came out of order is held until the ones before it come; else at
 * the segment.
 */
static void dir_sync(struct edgepin_dir *d, const struct nf_conn *ct,
		     enum ip_conntrack_dir dir, u32 seq)
{
	const struct ip_ct_tcp_state *rcv = &ct->proto.tcp.seen[!dir];
	u32 ack = READ_ONCE(rcv->td_maxack);

	d->next_seq = seq;
	if ((READ_ONCE(rcv->flags) & IP_CT_TCP_FLAG_MAXACK_SET) &&
	    !after(ack, seq) && seq - ack <= EDGEPIN_OOO_SPAN)
		d->next_seq = ack;
	d->start = d->next_seq;
	d->synced = true;
}

/* In-order bytes: seq is next_seq. */
static void dir_in_order(struct edgepin_stream *s, struct edgepin_dir *d,
			 struct nf_conn *ct, enum ip_conntrack_dir dir,
			 const struct sk_buff *skb, unsigned int off,
			 u32 len, u32 seq)
{
	struct sip_frame fr;
	bool framed = false;
	const char *p;
	u32 n, used, take;

	/*
	 * Nothing held: the segment starts a message. Whole messages are
	 * parsed straight from it (through the per-CPU buffer if it is not
	 * linear), and only the message it ends inside of is held.
	 */
	while (list_empty(&d->chunks) && len) {
		n = min_t(u32, len, SIP_MAX_MSG_LEN);
		p = skb_header_pointer(skb, off, n, *this_cpu_ptr(dgram_buf));
		if (!p)
			return;
		used = frame_run(s->en, ct, dir, p, n, &fr);
		off += used;
		seq += used;
		len -= used;
		d->start = seq;
		d->next_seq = seq;
		if (used < n) {
			framed = len == n - used;
			break;
		}
	}
	while (len) {
		take = min_t(u32, len,
			     SIP_MAX_MSG_LEN - (d->next_seq - d->start));
		if (!take || !dir_store(s, d, skb, off, seq, take)) {
			dir_refuse(s, d, seq + len);
			return;
		}
		if (framed) {
			/* the framer has just said what these bytes need */
			dir_advance(d);
			sip_frame_wait(&d->fs, &fr);
			dir_check_head(s, d);
			framed = false;
		} else {
			dir_progress(s, d, ct, dir);
		}
		off += take;
		seq += take;
		len -= take;
	}
}

/* One TCP segment's payload, @len bytes at @off, sequence number @seq. */
static void dir_segment(struct edgepin_stream *s, struct nf_conn *ct,
			enum ip_conntrack_dir dir, const struct sk_buff *skb,
			unsigned int off, u32 len, u32 seq)
{
	struct edgepin_dir *d = &s->dir[dir];
	u32 skip;

	if (!d->synced)
		dir_sync(d, ct, dir, seq);
	if (d->gap_since &&
	    time_after(jiffies, d->gap_since + EDGEPIN_GAP_TIMEOUT)) {
		dir_skip_gap(s, d);
		dir_progress(s, d, ct, dir);
	}
	if (before(seq, d->next_seq)) {
		skip = d->next_seq - seq;
		if (skip >= len)
			return;		/* all seen before */
		off += skip;
		len -= skip;
		seq = d->next_seq;
	}
	if (after(seq, d->next_seq)) {
		if (seq + len - d->next_seq > EDGEPIN_OOO_SPAN) {
			/* too far past the gap to wait for it */
			if (d->start != d->next_seq || d->nchunks) {
				edgepin_stat_inc(s->en,
						 EDGEPIN_STAT_TCP_RESYNCS);
				net_info_ratelimited("edgepin: TCP segment far past a gap: partial SIP message dropped\n");
			}
			reasm_uncharge(s, dir_free_chunks(d, seq));
		} else {
			edgepin_stat_inc(s->en, EDGEPIN_STAT_TCP_OUT_OF_ORDER);
			if (!d->gap_since)
				d->gap_since = jiffies | 1;
			if (!dir_store(s, d, skb, off, seq, len)) {
				edgepin_stat_inc(s->en,
						 EDGEPIN_STAT_REFUSED_TCP_MEMORY);
				net_info_ratelimited("edgepin: TCP reassembly bound hit: out-of-order segment not held\n");
			}
			return;
		}
	}
	dir_in_order(s, d, ct, dir, skb, off, len, seq);
	if (!dir_has_gap(d))
		d->gap_since = 0;
}

static int edgepin_help_tcp(struct sk_buff *skb, unsigned int protoff,
			    struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
	struct edgepin_net *en = edgepin_pernet(nf_ct_net(ct));
	struct edgepin_stream *s;
	unsigned int off;
	u32 seq;

	if (!edgepin_tcp_payload(skb, protoff, ctinfo, &off, &seq))
		return NF_ACCEPT;
	/* forged bytes of an established stream are not the Edge's */
	if (edgepin_spoofed(en, skb, ct, dir))
		return NF_ACCEPT;
	if (stream_is_tls(en, ct, dir, skb, off))
		return NF_ACCEPT;
	s = stream_get(ct);
	if (!s)
		return NF_ACCEPT;

	spin_lock_bh(&s->lock);
	if (!s->dead)
		dir_segment(s, ct, dir, skb, off, skb->len - off, seq);
	spin_unlock_bh(&s->lock);
	return NF_ACCEPT;
}

const char *edgepin_skb_bytes(const struct sk_buff *skb, unsigned int off,
			      unsigned int len)
{
	char *buf;

	if (skb_headlen(skb) >= off + len)
		return skb->data + off;
	buf = *this_cpu_ptr(dgram_buf);
	if (skb_copy_bits(skb, off, buf, len) < 0)
		return NULL;
	return buf;
}

bool edgepin_tcp_payload(const struct sk_buff *skb, unsigned int protoff,
			 enum ip_conntrack_info ctinfo, unsigned int *off,
			 u32 *seq)
{
	const struct tcphdr *th;
	struct tcphdr _th;

	if (ctinfo != IP_CT_ESTABLISHED && ctinfo != IP_CT_ESTABLISHED_REPLY)
		return false;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return false;
	*off = protoff + th->doff * 4;
	*seq = ntohl(th->seq);
	return *off < skb->len;
}

bool edgepin_udp_payload(const struct sk_buff *skb, unsigned int protoff,
			 const struct nf_conn *ct,
			 enum ip_conntrack_info ctinfo, unsigned int *len)
{
	const struct udphdr *uh;
	struct udphdr _uh;

	/*
	 * An ICMP error about a datagram (port unreachable when the other
	 * side has no listener) reaches the helper of the flow it quotes,
	 * with IP_CT_RELATED and protoff at the ICMP header. The first
	 * datagram of an expected flow is RELATED too, but its conntrack is
	 * not confirmed yet.
	 */
	if (ctinfo == IP_CT_RELATED && nf_ct_is_confirmed(ct))
		return false;
	/* The datagram is what its header says, not what follows it in
	 * the packet: bytes past it never reach the other side.
	 */
	uh = skb_header_pointer(skb, protoff, sizeof(_uh), &_uh);
	if (!uh || ntohs(uh->len) <= sizeof(*uh) ||
	    protoff + ntohs(uh->len) > skb->len)
		return false;
	*len = ntohs(uh->len) - sizeof(*uh);
	return true;
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

	if (!edgepin_udp_payload(skb, protoff, ct, ctinfo, &len))
		return NF_ACCEPT;
	if (len > SIP_MAX_MSG_LEN) {
		edgepin_stat_inc(en, EDGEPIN_STAT_PARSE_ERRORS);
		return NF_ACCEPT;
	}
	if (edgepin_spoofed(en, skb, ct, dir))
		return NF_ACCEPT;

	local_bh_disable();
	buf = edgepin_skb_bytes(skb, off, len);
	if (buf) {
		hold = edgepin_sip_message(en, ct, dir, buf, len,
					   EDGEPIN_ORIGIN_WIRE);
		edgepin_ct_hold(en, ct, skb, hold);
	}
	local_bh_enable();
	return NF_ACCEPT;
}

/*
 * The signalling flow is the pinholes' master: keep it as long as a call
 * on it may live, whatever else it carries; never shorten it (other
 * calls may be on it). UDP only: a TCP connection lives by its own
 * state. @skb may be NULL (a fed message): nf_ct_refresh() does no
 * accounting, so it never reads it.
 */
void edgepin_ct_hold(struct edgepin_net *en, struct nf_conn *ct,
		     const struct sk_buff *skb, u32 hold)
{
	if (atomic_read(&edgepin_ct(ct)->pins)) {
		rcu_read_lock();
		hold = rcu_dereference(en->policy)->call_timeout;
		rcu_read_unlock();
	}
	if (hold && nf_ct_expires(ct) < hold * HZ)
		edgepin_ct_refresh(ct, skb, hold * HZ);
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
	if (stream_real(s)) {
		/* its memory goes back now, while its netns surely lives */
		stream_kill(s);
		streams_del(s);
		call_rcu(&s->rcu, stream_free_rcu);
	}
}

void edgepin_helper_flavours(struct nf_conntrack_helper *h, const char *name,
			     u16 default_port, u16 port,
			     const struct nf_conntrack_expect_policy *pol,
			     u32 class_max, edgepin_help_fn udp,
			     edgepin_help_fn tcp,
			     void (*destroy)(struct nf_conn *ct))
{
	static const struct {
		u16 l3num;
		u8 protonum;
	} flavours[EDGEPIN_FLAVOURS] = {
		{ NFPROTO_IPV4, IPPROTO_UDP },
		{ NFPROTO_IPV4, IPPROTO_TCP },
		{ NFPROTO_IPV6, IPPROTO_UDP },
		{ NFPROTO_IPV6, IPPROTO_TCP },
	};
	unsigned int i;

	for (i = 0; i < EDGEPIN_FLAVOURS; i++) {
		nf_ct_helper_init(&h[i], flavours[i].l3num,
				  flavours[i].protonum, name, default_port,
				  port, port, pol, class_max,
				  flavours[i].protonum == IPPROTO_UDP ?
				  udp : tcp, NULL, THIS_MODULE);
		h[i].destroy = destroy;
	}
}

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
	return ports_c * EDGEPIN_FLAVOURS;
}

/* Is @h one of the helpers this module registered? */
bool edgepin_helper_ours(const struct nf_conntrack_helper *h)
{
	unsigned int i;

	for (i = 0; i < helpers_count(); i++)
		if (h == &edgepin_helpers[i])
			return true;
	return false;
}

int edgepin_helper_init(void)
{
	unsigned int i;
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
	for (i = 0; i < ports_c; i++)
		edgepin_helper_flavours(&edgepin_helpers[i * EDGEPIN_FLAVOURS],
					EDGEPIN_HELPER_NAME, EDGEPIN_SIP_PORT,
					ports[i], edgepin_exp_policy,
					__EDGEPIN_EXPECT_MAX - 1,
					edgepin_help_udp, edgepin_help_tcp,
					edgepin_destroy);
	ret = nf_conntrack_helpers_register(edgepin_helpers, helpers_count());
	if (ret < 0)
		goto err_register;
	nf_ct_helper_expectfn_register(&edgepin_media_expectfn);
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

	/* named by no new expectation; the helpers' going removes ours */
	nf_ct_helper_expectfn_unregister(&edgepin_media_expectfn);
	nf_conntrack_helpers_unregister(edgepin_helpers, helpers_count());
	/* No destroy callback can run now: wait for the streams it freed,
	 * then free what live conntracks still hold.
	 */
	rcu_barrier();
	list_for_each_entry_safe(s, tmp, &streams, node) {
		list_del(&s->node);
		stream_kill(s);
		edgepin_obj_free(s);
	}
	edgepin_sip_exit();
	dgram_bufs_free();
}

/* After every netns is gone: nothing of ours may be left. */
void edgepin_helper_check_leaks(void)
{
	WARN(atomic_read(&edgepin_objects) ||
	     atomic_long_read(&reasm_bytes) || atomic_long_read(&reasm_shared),
	     "edgepin: leaked %d objects, %ld (%ld shared) bytes of TCP reassembly\n",
	     atomic_read(&edgepin_objects), atomic_long_read(&reasm_bytes),
	     atomic_long_read(&reasm_shared));
}
