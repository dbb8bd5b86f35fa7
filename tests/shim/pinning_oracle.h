/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An oracle for kmod/pinning.c, shared by tests/unit/pinning_test.c and
 * tests/fuzz/fuzz_pinning.c, written from DESIGN.md's rules rather than
 * from pinning.c: byte-wise address predicates, and the decision as a
 * plain double loop without its bitmaps, de-duplication or early stop.
 *
 * pin_oracle_violation() names the security invariant a yielded key
 * breaks, or NULL; pin_oracle_keys() lists the distinct keys an offer and
 * an answer should yield (each as first met, its kinds included) and the
 * refusals they should count.
 */
#ifndef EDGEPIN_PINNING_ORACLE_H
#define EDGEPIN_PINNING_ORACLE_H

#include "pinning.h"

/* The first @plen bits of @a and @b are equal. */
static inline bool oracle_prefix(const uint8_t *a, const uint8_t *b,
				 unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < plen; i++) {
		uint8_t m = 0x80 >> (i % 8);

		if ((a[i / 8] & m) != (b[i / 8] & m))
			return false;
	}
	return true;
}

static inline bool oracle_is_edge(const struct edgepin_policy *p, int family,
				  const union nf_inet_addr *a)
{
	unsigned int i;

	for (i = 0; i < p->n_edges; i++)
		if (p->edges[i].family == family &&
		    oracle_prefix((const uint8_t *)a,
				  (const uint8_t *)&p->edges[i].addr,
				  p->edges[i].plen))
			return true;
	return false;
}

/* Unspecified, loopback, multicast, broadcast, link-local, v4-mapped. */
static inline bool oracle_bad_source(int family, const union nf_inet_addr *a)
{
	static const uint8_t zero[16], mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *b = (const uint8_t *)a;

	if (family == AF_INET)
		return !memcmp(b, zero, 4) || b[0] == 127 ||
		       (b[0] >= 224 && b[0] <= 239) ||
		       (b[0] == 255 && b[1] == 255 && b[2] == 255 &&
			b[3] == 255) ||
		       (b[0] == 169 && b[1] == 254);
	if (!memcmp(b, zero, 16))
		return true;
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return true;
	return b[0] == 0xff || !memcmp(b, mapped, 12) ||
	       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

static inline bool oracle_source_ok(const struct edgepin_policy *p,
				    const struct edgepin_ep *s)
{
	return !oracle_bad_source(s->family, &s->addr) &&
	       !oracle_is_edge(p, s->family, &s->addr);
}

/* Why the policy refuses edge port @port of @proto; NONE if it may. */
static inline enum edgepin_refusal
oracle_port(const struct edgepin_policy *p, int proto, unsigned int port)
{
	int bit = proto == IPPROTO_UDP ? EDGEPIN_PROTO_UDP :
		  proto == IPPROTO_TCP ? EDGEPIN_PROTO_TCP : 0;
	bool in = false;
	unsigned int i;

	if (!(p->transports & bit))
		return EDGEPIN_REFUSED_TRANSPORT;
	for (i = 0; i < p->n_ranges; i++)
		in |= port >= p->ranges[i].lo && port <= p->ranges[i].hi;
	if (!in)
		return EDGEPIN_REFUSED_RANGE;
	for (i = 0; i < p->n_excludes; i++)
		if ((p->excludes[i].protos & bit) &&
		    port >= p->excludes[i].lo && port <= p->excludes[i].hi)
			return EDGEPIN_REFUSED_EXCLUDED;
	return EDGEPIN_REFUSED_NONE;
}

static inline enum edgepin_refusal
oracle_dest(const struct edgepin_policy *p, const struct edgepin_sdp *side,
	    const struct edgepin_ep *d)
{
	if (!d->listens)
		return EDGEPIN_REFUSED_TCP_ACTIVE;
	if (p->n_edges ? !oracle_is_edge(p, d->family, &d->addr) :
	    d->family != side->sig_family ||
	    memcmp(&d->addr, &side->sig, sizeof(d->addr)))
		return EDGEPIN_REFUSED_NOT_EDGE;
	return oracle_port(p, d->proto, d->port);
}

/* May @side's endpoints be pinned (the Edge's side, or any without edges)? */
static inline bool oracle_dest_side(const struct edgepin_policy *p,
				    const struct edgepin_sdp *side)
{
	return side->from_edge || !p->n_edges;
}

static inline bool oracle_streams(const struct edgepin_sdp *dst,
				  const struct edgepin_sdp *src, unsigned int m)
{
	return m < src->n_media && m < dst->n_media && src->media_port[m] &&
	       dst->media_port[m];
}

static inline bool oracle_same_ep(const struct edgepin_ep *e,
				  const struct edgepin_pin_key *k, bool edge)
{
	return e->family == k->family && e->proto == k->proto &&
	       e->media == k->media &&
	       !memcmp(&e->addr, edge ? &k->edge_addr : &k->peer_addr,
		       sizeof(e->addr)) &&
	       (!edge || e->port == k->edge_port);
}

/* The invariant @k breaks when @dst is the side it pins into, or NULL. */
static inline const char *
oracle_one_way(const struct edgepin_sdp *dst, const struct edgepin_sdp *src,
	       const struct edgepin_policy *p, const struct edgepin_pin_key *k)
{
	bool by_port = p->peer_match == EDGEPIN_PEER_MATCH_ADDRESS_PORT;
	const struct edgepin_ep *e;
	bool src_ok = false;
	unsigned int i;

	if (!oracle_dest_side(p, dst))
		return "destination on a side not from the Edge";
	for (i = 0; i < dst->n_ep; i++) {
		e = &dst->ep[i];
		if (oracle_same_ep(e, k, true) && e->listens)
			break;
	}
	if (i == dst->n_ep)
		return "destination not a listening endpoint of its side";
	if (oracle_dest(p, dst, e))
		return "destination refused by the policy";
	if (!oracle_streams(dst, src, k->media))
		return "stream not accepted by both sides";
	if (k->media_type != dst->media_type[k->media])
		return "media type not the destination's";
	for (i = 0; i < src->n_ep && !src_ok; i++) {
		e = &src->ep[i];
		src_ok = oracle_same_ep(e, k, false) &&
			 (by_port ? e->port && e->port == k->peer_port :
			  !k->peer_port);
	}
	if (!src_ok)
		return "source not declared by the other side";
	if (oracle_bad_source(k->family, &k->peer_addr))
		return "source unspecified/loopback/multicast/mapped/link-local";
	if (oracle_is_edge(p, k->family, &k->peer_addr))
		return "source is an edge address";
	return NULL;
}

static inline const char *
pin_oracle_violation(const struct edgepin_sdp *offer,
		     const struct edgepin_sdp *answer,
		     const struct edgepin_policy *p,
		     const struct edgepin_pin_key *k)
{
	const char *a, *b;

	if (k->family != AF_INET && k->family != AF_INET6)
		return "family";
	if (k->proto != IPPROTO_UDP && k->proto != IPPROTO_TCP)
		return "protocol";
	if (!k->edge_port)
		return "edge port 0";
	a = oracle_one_way(offer, answer, p, k);
	b = oracle_one_way(answer, offer, p, k);
	return a && b ? a : NULL;
}

/* What an offer and an answer should yield. */
#define ORACLE_MAX_KEYS		(2 * EDGEPIN_SDP_MAX_EPS * EDGEPIN_SDP_MAX_EPS)
#define ORACLE_HASH_SLOTS	(2 * ORACLE_MAX_KEYS)
struct pin_oracle {
	struct edgepin_pin_key key[ORACLE_MAX_KEYS];
	unsigned int n;
	unsigned int refused[__EDGEPIN_REFUSED_MAX];
	uint32_t slot[ORACLE_HASH_SLOTS];	/* index + 1 into key[] */
	uint32_t used[ORACLE_MAX_KEYS];		/* slot of key[i] */
};

/* FNV-1a over a key's identity (what edgepin_pin_key_eq() compares). */
static inline uint32_t oracle_hash(const struct edgepin_pin_key *k)
{
	uint8_t id[36];
	uint32_t h = 2166136261u;
	unsigned int i;

	memcpy(id, &k->edge_addr, 16);
	memcpy(id + 16, &k->peer_addr, 16);
	memcpy(id + 32, &k->edge_port, 2);
	memcpy(id + 34, &k->peer_port, 2);
	for (i = 0; i < sizeof(id); i++)
		h = (h ^ id[i]) * 16777619u;
	return (h ^ k->family ^ (uint32_t)k->proto << 8) * 16777619u;
}

/* Index of @k's identity in o->key[], or -1 (then *@slot is free). */
static inline int oracle_find(const struct pin_oracle *o,
			      const struct edgepin_pin_key *k,
			      unsigned int *slot)
{
	unsigned int i = oracle_hash(k) % ORACLE_HASH_SLOTS;

	for (; o->slot[i]; i = (i + 1) % ORACLE_HASH_SLOTS)
		if (edgepin_pin_key_eq(&o->key[o->slot[i] - 1], k))
			return o->slot[i] - 1;
	*slot = i;
	return -1;
}

/* Add @k unless its identity is there; false if it was (or no room). */
static inline bool oracle_add(struct pin_oracle *o,
			      const struct edgepin_pin_key *k)
{
	unsigned int slot;

	if (oracle_find(o, k, &slot) >= 0 || o->n >= ORACLE_MAX_KEYS)
		return false;
	o->used[o->n] = slot;
	o->key[o->n++] = *k;
	o->slot[slot] = o->n;
	return true;
}

/* Empty (the slots in use only: a fuzzer resets it on every input). */
static inline void pin_oracle_reset(struct pin_oracle *o)
{
	unsigned int i;

	for (i = 0; i < o->n; i++)
		o->slot[o->used[i]] = 0;
	memset(o->refused, 0, sizeof(o->refused));
	o->n = 0;
}

static inline void oracle_keys_one_way(struct pin_oracle *o,
				       const struct edgepin_sdp *dst,
				       const struct edgepin_sdp *src,
				       const struct edgepin_policy *p)
{
	const struct edgepin_ep *d, *s;
	struct edgepin_pin_key k;
	enum edgepin_refusal why;
	unsigned int i, j;

	for (j = 0; j < src->n_ep; j++)
		if (!oracle_source_ok(p, &src->ep[j]))
			o->refused[EDGEPIN_REFUSED_SOURCE]++;
	for (i = 0; i < dst->n_ep; i++) {
		d = &dst->ep[i];
		if (!oracle_streams(dst, src, d->media))
			continue;
		why = oracle_dest(p, dst, d);
		if (why) {
			o->refused[why]++;
			continue;
		}
		for (j = 0; j < src->n_ep; j++) {
			s = &src->ep[j];
			if (s->media != d->media || s->family != d->family ||
			    s->proto != d->proto || !oracle_source_ok(p, s))
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
			if (p->peer_match == EDGEPIN_PEER_MATCH_ADDRESS_PORT)
				k.peer_port = s->port;
			oracle_add(o, &k);
		}
	}
}

static inline void pin_oracle_keys(struct pin_oracle *o,
				   const struct edgepin_sdp *offer,
				   const struct edgepin_sdp *answer,
				   const struct edgepin_policy *p)
{
	pin_oracle_reset(o);
	if (oracle_dest_side(p, offer))
		oracle_keys_one_way(o, offer, answer, p);
	if (oracle_dest_side(p, answer))
		oracle_keys_one_way(o, answer, offer, p);
}

#endif
