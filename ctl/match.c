// SPDX-License-Identifier: GPL-2.0
/*
 * Decode an nftables rule into what it matches: a small interpreter over
 * its expressions that tracks what each register holds (a port, an
 * address, ct state...) and narrows the match at each cmp, range, bitwise
 * mask or set lookup. Shapes it does not know are counted, never guessed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>

#include "edgepin.h"
#include "match.h"
#include "print.h"

#define NREGS 24
#define IPS_EXPECTED 1

enum reg_kind {
	R_NONE, R_L4PROTO, R_NFPROTO, R_IIFNAME, R_DPORT, R_DADDR, R_SADDR,
	R_CTSTATE, R_CTSTATUS, R_FIB_RPF, R_OTHER,
};

struct reg {
	enum reg_kind kind;
	const char *what;	/* what loaded it, for R_OTHER */
	uint8_t family;
	uint32_t len;
	bool masked;
	uint8_t mask[16];
};

struct dec {
	const struct nft_ruleset *rs;
	const struct nftnl_rule *r;
	struct match *m;
	uint8_t nfproto;	/* known from the table or a match */
	struct reg regs[NREGS];
};

void ivs_all(struct ivs *s, uint32_t max)
{
	ivs_one(s, 0, max);
}

void ivs_one(struct ivs *s, uint32_t lo, uint32_t hi)
{
	s->n = 1;
	s->iv[0].lo = lo;
	s->iv[0].hi = hi;
}

void ivs_push(struct ivs *s, uint32_t lo, uint32_t hi)
{
	if (s->n == IVS_MAX)
		return;
	s->iv[s->n].lo = lo;
	s->iv[s->n++].hi = hi;
}

bool ivs_has(const struct ivs *s, uint32_t v)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (v >= s->iv[i].lo && v <= s->iv[i].hi)
			return true;
	return false;
}

bool ivs_covers(const struct ivs *s, uint32_t lo, uint32_t hi)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (lo >= s->iv[i].lo && hi <= s->iv[i].hi)
			return true;
	return false;
}

void ivs_and(struct ivs *a, const struct ivs *b)
{
	struct ivs out = { 0 };
	size_t i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n && out.n < IVS_MAX; j++) {
			uint32_t lo = a->iv[i].lo > b->iv[j].lo ?
				      a->iv[i].lo : b->iv[j].lo;
			uint32_t hi = a->iv[i].hi < b->iv[j].hi ?
				      a->iv[i].hi : b->iv[j].hi;

			if (lo <= hi) {
				out.iv[out.n].lo = lo;
				out.iv[out.n++].hi = hi;
			}
		}
	*a = out;
}

/* Everything in [0, @max] that is not in @s (sorted, disjoint). */
static void ivs_not(struct ivs *s, uint32_t max)
{
	struct ivs out = { 0 };
	uint64_t next = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->iv[i].lo > next && out.n < IVS_MAX) {
			out.iv[out.n].lo = next;
			out.iv[out.n++].hi = s->iv[i].lo - 1;
		}
		next = (uint64_t)s->iv[i].hi + 1;
	}
	if (next <= max && out.n < IVS_MAX) {
		out.iv[out.n].lo = next;
		out.iv[out.n++].hi = max;
	}
	*s = out;
}

static int iv_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Sort and merge (values from a set come in any order). */
void ivs_norm(struct ivs *s)
{
	size_t i, n = 0;

	qsort(s->iv, s->n, sizeof(s->iv[0]), iv_cmp);
	for (i = 0; i < s->n; i++) {
		if (n && s->iv[i].lo <= s->iv[n - 1].hi + 1) {
			if (s->iv[i].hi > s->iv[n - 1].hi)
				s->iv[n - 1].hi = s->iv[i].hi;
			continue;
		}
		s->iv[n++] = s->iv[i];
	}
	s->n = n;
}

void ivs_print(const struct ivs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		open_json_object(NULL);
		print_uint(PRINT_JSON, "lo", NULL, s->iv[i].lo);
		print_uint(PRINT_JSON, "hi", NULL, s->iv[i].hi);
		close_json_object();
	}
}

const char *ivs_format(const struct ivs *s, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < s->n && o < len; i++) {
		if (s->iv[i].lo == s->iv[i].hi)
			o += snprintf(buf + o, len - o, "%s%u", i ? "," : "",
				      s->iv[i].lo);
		else
			o += snprintf(buf + o, len - o, "%s%u-%u",
				      i ? "," : "", s->iv[i].lo, s->iv[i].hi);
	}
	return buf;
}

/* Values matched by "reg OP v" over [0, @max], as intervals. */
static bool op_ivs(uint32_t op, uint32_t v, uint32_t max, struct ivs *s)
{
	switch (op) {
	case NFT_CMP_EQ:
		ivs_one(s, v, v);
		return true;
	case NFT_CMP_NEQ:
		ivs_one(s, v, v);
		ivs_not(s, max);
		return true;
	case NFT_CMP_LT:
		s->n = 0;
		if (v)
			ivs_one(s, 0, v - 1);
		return true;
	case NFT_CMP_LTE:
		ivs_one(s, 0, v);
		return true;
	case NFT_CMP_GT:
		s->n = 0;
		if (v < max)
			ivs_one(s, v + 1, max);
		return true;
	case NFT_CMP_GTE:
		ivs_one(s, v, max);
		return true;
	}
	return false;
}

static void unknown(struct dec *d, const char *what)
{
	if (!d->m->unknown++)
		snprintf(d->m->unknown_what, sizeof(d->m->unknown_what), "%s",
			 what);
}

static struct reg *reg_at(struct dec *d, uint32_t n)
{
	static struct reg none;

	if (n >= NREGS) {
		memset(&none, 0, sizeof(none));
		return &none;
	}
	return &d->regs[n];
}

static struct reg *dreg(struct dec *d, const struct nftnl_expr *e,
			uint16_t attr, enum reg_kind kind)
{
	struct reg *r = reg_at(d, nftnl_expr_get_u32(e, attr));

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->what = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	return r;
}

static void do_meta(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	enum reg_kind k = R_OTHER;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG))
		return;			/* meta ... set: a statement */
	if (key == NFT_META_L4PROTO)
		k = R_L4PROTO;
	else if (key == NFT_META_NFPROTO)
		k = R_NFPROTO;
	else if (key == NFT_META_IIFNAME)
		k = R_IIFNAME;
	dreg(d, e, NFTNL_EXPR_META_DREG, k)->len =
		k == R_IIFNAME ? 16 : 1;
}

static void do_payload(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	enum reg_kind k = R_OTHER;
	uint8_t fam = 0;
	struct reg *r;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG))
		return;			/* payload mangling */
	if (base == NFT_PAYLOAD_TRANSPORT_HEADER && off == 2 && len == 2) {
		k = R_DPORT;
	} else if (base == NFT_PAYLOAD_NETWORK_HEADER &&
		   d->nfproto == NFPROTO_IPV4) {
		fam = AF_INET;
		if (off == 16 && len <= 4)
			k = R_DADDR;
		else if (off == 12 && len <= 4)
			k = R_SADDR;
		else if (off == 9 && len == 1)
			k = R_L4PROTO;
	} else if (base == NFT_PAYLOAD_NETWORK_HEADER &&
		   d->nfproto == NFPROTO_IPV6) {
		fam = AF_INET6;
		if (off == 24 && len <= 16)
			k = R_DADDR;
		else if (off == 8 && len <= 16)
			k = R_SADDR;
		else if (off == 6 && len == 1)
			k = R_L4PROTO;
	}
	r = dreg(d, e, NFTNL_EXPR_PAYLOAD_DREG, k);
	r->family = fam;
	r->len = len;
}

static void do_ct(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG))
		return;			/* ct ... set: a statement */
	dreg(d, e, NFTNL_EXPR_CT_DREG,
	     key == NFT_CT_STATE ? R_CTSTATE :
	     key == NFT_CT_STATUS ? R_CTSTATUS : R_OTHER)->len = 4;
}

/* Only the reverse-path check is understood: fib saddr . iif oif. */
static void do_fib(struct dec *d, const struct nftnl_expr *e)
{
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS);
	uint32_t res = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT);
	bool rpf = (flags & ~NFTA_FIB_F_PRESENT) ==
		   (NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF) && res == NFT_FIB_RESULT_OIF;

	dreg(d, e, NFTNL_EXPR_FIB_DREG, rpf ? R_FIB_RPF : R_OTHER)->len = 4;
}

static void do_bitwise(struct dec *d, const struct nftnl_expr *e)
{
	struct reg src = *reg_at(d, nftnl_expr_get_u32(e,
				 NFTNL_EXPR_BITWISE_SREG));
	const uint8_t *mask, *xor;
	uint32_t mlen = 0, xlen = 0, i;
	struct reg *r;

	mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &mlen);
	xor = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &xlen);
	r = reg_at(d, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG));
	*r = src;
	if ((nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) &&
	     nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL) ||
	    !mask || mlen > sizeof(r->mask)) {
		r->kind = R_OTHER;
		return;
	}
	for (i = 0; xor && i < xlen; i++)
		if (xor[i])
			r->kind = R_OTHER;
	r->masked = true;
	memcpy(r->mask, mask, mlen);
}

static uint32_t be_val(const uint8_t *p, uint32_t len)
{
	uint32_t v = 0, i;

	for (i = 0; i < len && i < 4; i++)
		v = v << 8 | p[i];
	return v;
}

static uint32_t host_u32(const uint8_t *p, uint32_t len)
{
	uint32_t v = 0;

	memcpy(&v, p, len < 4 ? len : 4);
	return v;
}

/* An address interval from @len bytes of @p under the register's mask. */
static void addr_iv(const struct reg *r, const uint8_t *p, uint32_t len,
		    uint8_t *lo, uint8_t *hi)
{
	uint32_t alen = r->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < alen; i++) {
		uint8_t m = i < len ? (r->masked ? r->mask[i] : 0xff) : 0;
		uint8_t v = i < len ? p[i] : 0;

		lo[i] = v & m;
		hi[i] = (v & m) | (uint8_t)~m;
	}
	memset(lo + alen, 0, 16 - alen);
	memset(hi + alen, 0, 16 - alen);
}

static void daddr_set(struct dec *d, const struct reg *r, bool negated)
{
	struct addrs *a = &d->m->daddr;

	if (!a->any) {
		unknown(d, "second daddr match");
		return;
	}
	a->any = false;
	a->negated = negated;
	a->family = r->family;
	a->n = 0;
}

static void daddr_add(struct dec *d, const struct reg *r, const uint8_t *lo,
		      uint32_t lolen, const uint8_t *hi, uint32_t hilen)
{
	struct addrs *a = &d->m->daddr;
	uint8_t tmp[16];

	if (a->n == IVS_MAX)
		return;
	addr_iv(r, lo, lolen, a->iv[a->n].lo, tmp);
	if (hi)
		addr_iv(r, hi, hilen, tmp, a->iv[a->n].hi);
	else
		memcpy(a->iv[a->n].hi, tmp, 16);
	a->n++;
}

static void ct_state(struct dec *d, const struct reg *r, uint32_t op,
		     uint32_t v)
{
	uint32_t mask = r->masked ? host_u32(r->mask, 4) : 0;

	if (r->masked && !v && op == NFT_CMP_NEQ)
		d->m->ct_state &= mask;
	else if (r->masked && !v && op == NFT_CMP_EQ)
		d->m->ct_state &= ~mask;
	else if (!r->masked && op == NFT_CMP_EQ)
		d->m->ct_state &= v;
	else if (!r->masked && op == NFT_CMP_NEQ)
		d->m->ct_state &= ~v;
	else
		unknown(d, "ct state");
}

static void ct_status(struct dec *d, const struct reg *r, uint32_t op,
		      uint32_t v)
{
	uint32_t mask = r->masked ? host_u32(r->mask, 4) : 0;

	if (mask == IPS_EXPECTED && !v && op == NFT_CMP_NEQ)
		d->m->need_expected = true;
	else if (mask == IPS_EXPECTED && !v && op == NFT_CMP_EQ)
		d->m->need_not_expected = true;
	else
		unknown(d, "ct status");
}

static void do_cmp(struct dec *d, const struct nftnl_expr *e)
{
	const struct reg *r = reg_at(d, nftnl_expr_get_u32(e,
				     NFTNL_EXPR_CMP_SREG));
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len = 0;
	const uint8_t *p = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	struct ivs s;

	if (!p)
		return unknown(d, "cmp");
	switch (r->kind) {
	case R_L4PROTO:
		if (!op_ivs(op, p[0], 255, &s))
			return unknown(d, "l4proto");
		ivs_and(&d->m->l4proto, &s);
		return;
	case R_DPORT:
		if (len != 2 || !op_ivs(op, be_val(p, 2), 65535, &s))
			return unknown(d, "dport");
		ivs_and(&d->m->dport, &s);
		return;
	case R_NFPROTO:
		if (op == NFT_CMP_EQ)
			d->nfproto = d->m->nfproto = p[0];
		else if (op == NFT_CMP_NEQ)
			d->nfproto = d->m->nfproto = p[0] == NFPROTO_IPV4 ?
				NFPROTO_IPV6 : NFPROTO_IPV4;
		return;
	case R_DADDR:
		if (op != NFT_CMP_EQ && op != NFT_CMP_NEQ)
			return unknown(d, "daddr");
		daddr_set(d, r, op == NFT_CMP_NEQ);
		daddr_add(d, r, p, len, NULL, 0);
		return;
	case R_SADDR:
		d->m->saddr = true;
		/* one prefix, as "ip saddr 203.0.113.2/32" writes it */
		if (op == NFT_CMP_EQ && d->m->src.any) {
			d->m->src.any = false;
			d->m->src.family = r->family;
			d->m->src.n = 1;
			addr_iv(r, p, len, d->m->src.iv[0].lo,
				d->m->src.iv[0].hi);
		} else {
			d->m->src_other = true;
		}
		return;
	case R_FIB_RPF:
		/* "fib saddr . iif oif missing": no route back out of iif */
		if (op == NFT_CMP_EQ && host_u32(p, len) == 0)
			d->m->rpf_missing = true;
		else
			unknown(d, "fib");
		return;
	case R_IIFNAME:
		if (op == NFT_CMP_EQ)
			snprintf(d->m->iifname, sizeof(d->m->iifname), "%.*s",
				 (int)len, (const char *)p);
		return;
	case R_CTSTATE:
		return ct_state(d, r, op, host_u32(p, len));
	case R_CTSTATUS:
		return ct_status(d, r, op, host_u32(p, len));
	default:
		return unknown(d, r->what ? r->what : "cmp");
	}
}

static void do_range(struct dec *d, const struct nftnl_expr *e)
{
	const struct reg *r = reg_at(d, nftnl_expr_get_u32(e,
				     NFTNL_EXPR_RANGE_SREG));
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP);
	uint32_t flen = 0, tlen = 0, max = 65535;
	const uint8_t *from, *to;
	struct ivs s;

	from = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &flen);
	to = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &tlen);
	if (!from || !to)
		return unknown(d, "range");
	if (r->kind == R_DADDR) {
		daddr_set(d, r, op == NFT_RANGE_NEQ);
		return daddr_add(d, r, from, flen, to, tlen);
	}
	if (r->kind == R_L4PROTO)
		max = 255;
	else if (r->kind != R_DPORT)
		return unknown(d, "range");
	ivs_one(&s, be_val(from, flen), be_val(to, tlen));
	if (op == NFT_RANGE_NEQ)
		ivs_not(&s, max);
	ivs_and(r->kind == R_DPORT ? &d->m->dport : &d->m->l4proto, &s);
}

/* The elements of a set as intervals (an interval set, or values). */
static int set_ivs(struct nftnl_set *set, uint32_t len, struct ivs *s)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(set);
	bool interval = nftnl_set_get_u32(set, NFTNL_SET_FLAGS) &
			NFT_SET_INTERVAL;
	struct nftnl_set_elem *el;
	struct {
		uint32_t v;
		bool end;
	} *pts;
	size_t n = 0, i, cap = 4096;
	uint32_t klen;
	const uint8_t *k;

	pts = calloc(cap, sizeof(*pts));
	if (!it || !pts) {
		free(pts);
		if (it)
			nftnl_set_elems_iter_destroy(it);
		return -1;
	}
	s->n = 0;
	for (el = nftnl_set_elems_iter_next(it); el && n < cap;
	     el = nftnl_set_elems_iter_next(it)) {
		k = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &klen);
		if (!k || klen < len)
			continue;
		pts[n].v = be_val(k, len);
		pts[n++].end = nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS) &&
			(nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS) &
			 NFT_SET_ELEM_INTERVAL_END);
	}
	nftnl_set_elems_iter_destroy(it);
	qsort(pts, n, sizeof(*pts), iv_cmp);
	for (i = 0; i < n && s->n < IVS_MAX; i++) {
		if (pts[i].end)
			continue;
		s->iv[s->n].lo = pts[i].v;
		s->iv[s->n].hi = pts[i].v;
		if (interval)
			s->iv[s->n].hi = i + 1 < n && pts[i + 1].end ?
					 pts[i + 1].v - 1 :
					 (len == 1 ? 255 : 65535);
		s->n++;
	}
	free(pts);
	ivs_norm(s);
	return 0;
}

struct point {
	uint8_t key[16];
	bool end;
};

static int point_cmp(const void *a, const void *b)
{
	return memcmp(((const struct point *)a)->key,
		      ((const struct point *)b)->key, 16);
}

/* @p - 1, big-endian (the end of an interval is stored as end + 1). */
static void be_dec(uint8_t *p, size_t len)
{
	while (len-- && !p[len]--)
		;
}

/* Address elements: values, KEY..KEY_END, or start/end-flag pairs. */
static void lookup_daddr(struct dec *d, const struct reg *r,
			 struct nftnl_set *set, bool inv)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(set);
	bool interval = nftnl_set_get_u32(set, NFTNL_SET_FLAGS) &
			NFT_SET_INTERVAL;
	size_t n = 0, i, cap = 4096, alen = r->len;
	struct nftnl_set_elem *el;
	const uint8_t *k, *kend;
	uint32_t klen, elen;
	struct point *pts = calloc(cap, sizeof(*pts));
	uint8_t hi[16];

	if (!it || !pts || alen > 16) {
		free(pts);
		if (it)
			nftnl_set_elems_iter_destroy(it);
		return unknown(d, "daddr set");
	}
	daddr_set(d, r, inv);
	for (el = nftnl_set_elems_iter_next(it); el && n < cap;
	     el = nftnl_set_elems_iter_next(it)) {
		k = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &klen);
		kend = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY_END, &elen);
		if (!k || klen < alen)
			continue;
		if (kend && elen >= alen) {
			daddr_add(d, r, k, alen, kend, alen);
			continue;
		}
		memcpy(pts[n].key, k, alen);
		pts[n++].end = nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS) &&
			(nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS) &
			 NFT_SET_ELEM_INTERVAL_END);
	}
	nftnl_set_elems_iter_destroy(it);
	qsort(pts, n, sizeof(*pts), point_cmp);
	for (i = 0; i < n; i++) {
		if (pts[i].end)
			continue;
		memcpy(hi, pts[i].key, 16);
		if (interval && i + 1 < n && pts[i + 1].end) {
			memcpy(hi, pts[i + 1].key, 16);
			be_dec(hi, alen);
		} else if (interval) {
			memset(hi, 0xff, alen);
		}
		daddr_add(d, r, pts[i].key, alen, hi, alen);
	}
	free(pts);
}

static void do_lookup(struct dec *d, const struct nftnl_expr *e)
{
	const struct reg *r = reg_at(d, nftnl_expr_get_u32(e,
				     NFTNL_EXPR_LOOKUP_SREG));
	bool inv = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
		   nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) &
		   NFT_LOOKUP_F_INV;
	struct nftnl_set *set;
	struct ivs s;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG)) {
		if (!nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG)) {
			/* A verdict map: it may accept. */
			d->m->verdict = V_ACCEPT;
			return unknown(d, "verdict map");
		}
		return unknown(d, "map");
	}
	set = nft_ruleset_set(d->rs,
			      nftnl_rule_get_u32(d->r, NFTNL_RULE_FAMILY),
			      nftnl_rule_get_str(d->r, NFTNL_RULE_TABLE),
			      nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET));
	if (!set || nftnl_set_get_u32(set, NFTNL_SET_KEY_LEN) != r->len)
		return unknown(d, "set lookup");
	if (r->kind == R_DADDR)
		return lookup_daddr(d, r, set, inv);
	if ((r->kind != R_DPORT && r->kind != R_L4PROTO) ||
	    set_ivs(set, r->len, &s))
		return unknown(d, "set lookup");
	if (inv)
		ivs_not(&s, r->kind == R_DPORT ? 65535 : 255);
	ivs_and(r->kind == R_DPORT ? &d->m->dport : &d->m->l4proto, &s);
}

static void do_immediate(struct dec *d, const struct nftnl_expr *e)
{
	const char *chain;

	if (nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG)) {
		dreg(d, e, NFTNL_EXPR_IMM_DREG, R_OTHER);
		return;
	}
	switch ((int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT)) {
	case NF_ACCEPT:
		d->m->verdict = V_ACCEPT;
		break;
	case NF_DROP:
		d->m->verdict = V_DROP;
		break;
	case NFT_JUMP:
	case NFT_GOTO:
		d->m->verdict = (int)nftnl_expr_get_u32(e,
				NFTNL_EXPR_IMM_VERDICT) == NFT_JUMP ?
				V_JUMP : V_GOTO;
		chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);
		snprintf(d->m->target, sizeof(d->m->target), "%s",
			 chain ? chain : "?");
		break;
	case NFT_RETURN:
		d->m->verdict = V_RETURN;
		break;
	default:
		unknown(d, "verdict");
	}
}

static void do_objref(struct dec *d, const struct nftnl_expr *e)
{
	const char *name;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_IMM_NAME))
		return unknown(d, "objref map");
	if (nftnl_expr_get_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE) !=
	    NFT_OBJECT_CT_HELPER)
		return;
	name = nftnl_expr_get_str(e, NFTNL_EXPR_OBJREF_IMM_NAME);
	snprintf(d->m->helper, sizeof(d->m->helper), "%s", name);
}

static void do_reject(struct dec *d, const struct nftnl_expr *e)
{
	(void)e;
	d->m->verdict = V_DROP;
	d->m->reject = true;
}

/* Statements that neither widen a match nor decide a verdict. */
static void do_nothing(struct dec *d, const struct nftnl_expr *e)
{
	(void)d;
	(void)e;
}

static const struct {
	const char *name;
	void (*fn)(struct dec *d, const struct nftnl_expr *e);
} exprs[] = {
	{ "meta", do_meta }, { "payload", do_payload }, { "ct", do_ct },
	{ "bitwise", do_bitwise }, { "cmp", do_cmp }, { "range", do_range },
	{ "lookup", do_lookup }, { "immediate", do_immediate },
	{ "objref", do_objref }, { "reject", do_reject }, { "fib", do_fib },
	{ "counter", do_nothing }, { "log", do_nothing },
	{ "limit", do_nothing }, { "quota", do_nothing },
	{ "connlimit", do_nothing }, { "notrack", do_nothing },
	{ "dynset", do_nothing }, { "last", do_nothing },
};

static void do_expr(struct dec *d, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(exprs); i++)
		if (!strcmp(exprs[i].name, name))
			return exprs[i].fn(d, e);
	unknown(d, name ? name : "?");
}

void match_rule(const struct nft_ruleset *rs, const struct nftnl_rule *r,
		struct match *m)
{
	uint32_t family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct dec d = { .rs = rs, .r = r, .m = m };

	memset(m, 0, sizeof(*m));
	ivs_all(&m->l4proto, 255);
	ivs_all(&m->dport, 65535);
	m->daddr.any = true;
	m->src.any = true;
	m->ct_state = CT_ALL;
	if (family == NFPROTO_IPV4 || family == NFPROTO_IPV6)
		d.nfproto = m->nfproto = family;
	it = nftnl_expr_iter_create(r);
	if (!it)
		return unknown(&d, "no memory");
	for (e = nftnl_expr_iter_next(it); e; e = nftnl_expr_iter_next(it))
		do_expr(&d, e);
	nftnl_expr_iter_destroy(it);
}

static void prefix_iv(uint8_t family, const uint8_t *addr, uint8_t plen,
		      uint8_t *lo, uint8_t *hi)
{
	unsigned int alen = family == AF_INET ? 4 : 16, i, bits;
	uint8_t m;

	memset(lo, 0, 16);
	memset(hi, 0, 16);
	for (i = 0; i < alen; i++) {
		bits = plen > i * 8 ? plen - i * 8 : 0;
		m = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		lo[i] = addr[i] & m;
		hi[i] = addr[i] | (uint8_t)~m;
	}
}

/* 0: disjoint, 1: overlap, 2: [lo, hi] covers [plo, phi]. */
static int iv_rel(const uint8_t *lo, const uint8_t *hi, const uint8_t *plo,
		  const uint8_t *phi, size_t alen)
{
	if (memcmp(hi, plo, alen) < 0 || memcmp(lo, phi, alen) > 0)
		return 0;
	if (memcmp(lo, plo, alen) <= 0 && memcmp(hi, phi, alen) >= 0)
		return 2;
	return 1;
}

/* The strongest relation of @a's intervals to the prefix. */
static int addrs_rel(const struct addrs *a, uint8_t family,
		     const uint8_t *addr, uint8_t plen)
{
	size_t alen = family == AF_INET ? 4 : 16, i;
	uint8_t plo[16], phi[16];
	int rel = 0, x;

	prefix_iv(family, addr, plen, plo, phi);
	for (i = 0; i < a->n; i++) {
		x = iv_rel(a->iv[i].lo, a->iv[i].hi, plo, phi, alen);
		if (x > rel)
			rel = x;
	}
	return rel;
}

bool addrs_overlap(const struct addrs *a, uint8_t family,
		   const uint8_t *addr, uint8_t plen)
{
	if (a->any)
		return true;
	if (a->family != family)
		return false;
	if (a->negated)
		return addrs_rel(a, family, addr, plen) != 2;
	return addrs_rel(a, family, addr, plen) > 0;
}

bool addrs_cover(const struct addrs *a, uint8_t family, const uint8_t *addr,
		 uint8_t plen)
{
	if (a->any)
		return true;
	if (a->family != family)
		return false;
	if (a->negated)
		return addrs_rel(a, family, addr, plen) == 0;
	return addrs_rel(a, family, addr, plen) == 2;
}

/* An interval as ADDR, ADDR/LEN or ADDR-ADDR. */
static int addr_iv_format(uint8_t family, const uint8_t *lo,
			  const uint8_t *hi, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned int alen = family == AF_INET ? 4 : 16, plen;
	uint8_t plo[16], phi[16];

	inet_ntop(family, lo, a, sizeof(a));
	for (plen = 0; plen <= alen * 8; plen++) {
		prefix_iv(family, lo, plen, plo, phi);
		if (!memcmp(plo, lo, alen) && !memcmp(phi, hi, alen))
			return plen == alen * 8 ?
				snprintf(buf, len, "%s", a) :
				snprintf(buf, len, "%s/%u", a, plen);
	}
	inet_ntop(family, hi, b, sizeof(b));
	return snprintf(buf, len, "%s-%s", a, b);
}

const char *addrs_format(const struct addrs *a, char *buf, size_t len)
{
	size_t i, o = 0;

	if (a->any) {
		snprintf(buf, len, "any");
		return buf;
	}
	o = snprintf(buf, len, "%s", a->negated ? "!= " : "");
	if (a->n > 1 && o < len)
		o += snprintf(buf + o, len - o, "{ ");
	for (i = 0; i < a->n && o < len; i++) {
		if (i && o < len)
			o += snprintf(buf + o, len - o, ", ");
		if (o < len)
			o += addr_iv_format(a->family, a->iv[i].lo,
					    a->iv[i].hi, buf + o, len - o);
	}
	if (a->n > 1 && o < len)
		snprintf(buf + o, len - o, " }");
	return buf;
}

static const char *const state_names[] = {
	"invalid", "established", "related", "new", "", "", "untracked",
};

static size_t fmt_state(uint32_t st, char *buf, size_t len)
{
	size_t o = snprintf(buf, len, "ct state ");
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(state_names); i++)
		if (st & 1U << i && state_names[i][0] && o < len) {
			o += snprintf(buf + o, len - o, "%s%s", sep,
				      state_names[i]);
			sep = ",";
		}
	return o;
}

static const char *const verdicts[] = {
	[V_NONE] = "", [V_ACCEPT] = "accept", [V_DROP] = "drop",
	[V_JUMP] = "jump", [V_GOTO] = "goto", [V_RETURN] = "return",
};

#define ADD(...) do { \
	if (o < len) \
		o += snprintf(buf + o, len - o, __VA_ARGS__); \
} while (0)

const char *match_format(const struct match *m, char *buf, size_t len)
{
	char tmp[512];
	const char *l4 = "th";
	size_t o = 0;

	buf[0] = '\0';
	if (m->iifname[0])
		ADD("iifname \"%s\" ", m->iifname);
	if (m->ct_state != CT_ALL) {
		fmt_state(m->ct_state, tmp, sizeof(tmp));
		ADD("%s ", tmp);
	}
	if (m->need_expected)
		ADD("ct status expected ");
	if (m->need_not_expected)
		ADD("ct status != expected ");
	if (m->saddr && !m->src.any && !m->src_other)
		ADD("%s saddr %s ", m->src.family == AF_INET ? "ip" : "ip6",
		    addrs_format(&m->src, tmp, sizeof(tmp)));
	else if (m->saddr)
		ADD("saddr (restricted) ");
	if (m->rpf_missing)
		ADD("fib saddr . iif oif missing ");
	if (!m->daddr.any)
		ADD("%s daddr %s ", m->daddr.family == AF_INET ? "ip" : "ip6",
		    addrs_format(&m->daddr, tmp, sizeof(tmp)));
	if (m->l4proto.n == 1 && m->l4proto.iv[0].lo == m->l4proto.iv[0].hi &&
	    (m->l4proto.iv[0].lo == IPPROTO_UDP ||
	     m->l4proto.iv[0].lo == IPPROTO_TCP))
		l4 = m->l4proto.iv[0].lo == IPPROTO_UDP ? "udp" : "tcp";
	else if (!ivs_covers(&m->l4proto, 0, 255))
		ADD("meta l4proto %s ",
		    ivs_format(&m->l4proto, tmp, sizeof(tmp)));
	if (!ivs_covers(&m->dport, 0, 65535))
		ADD("%s dport %s ", l4, ivs_format(&m->dport, tmp, sizeof(tmp)));
	else if (strcmp(l4, "th"))
		ADD("meta l4proto %s ", l4);
	if (m->unknown)
		ADD("(%u more, not decoded: %s) ", m->unknown, m->unknown_what);
	if (m->helper[0])
		ADD("ct helper set \"%s\" ", m->helper);
	if (m->reject)
		ADD("reject");
	else if (m->verdict == V_JUMP || m->verdict == V_GOTO)
		ADD("%s %s", verdicts[m->verdict], m->target);
	else
		ADD("%s", verdicts[m->verdict]);
	if (o && o < len && buf[o - 1] == ' ')
		buf[o - 1] = '\0';
	return buf;
}
