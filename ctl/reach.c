// SPDX-License-Identifier: GPL-2.0
/*
 * Which packets the ruleset lets through (see reach.h). The ruleset is
 * read once through libnftables as JSON (libnftables-json(5)); iptables-nft
 * rules carry xt matches whose options only the kernel blob holds, so
 * those are read from the libnftnl snapshot the caller already has.
 *
 * A walk keeps at most one live path per certainty (YES, SOME, MAYBE):
 * what a later rule does never depends on how a path got there, so paths
 * of equal certainty merge and the walk stays linear in the rules. A
 * chain's result for a probe is computed once (for a YES entry) and
 * shifted by the caller's certainty at each jump.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/rtnetlink.h>
#include <jansson.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <nftables/libnftables.h>

#include "reach.h"

#define DEPTH_MAX 16
/* before conntrack (NF_IP_PRI_CONNTRACK): no ct yet */
#define PRIO_CONNTRACK (-200)

enum hook { H_PRE, H_IN, H_FWD, H_OTHER };

struct lab {
	enum reach l;			/* YES, SOME or MAYBE */
	struct reach_point why;		/* MAYBE: where */
	const char *what;
};

struct csum {
	unsigned int gen;
	bool busy;
	bool acc[4];
	struct reach_point acc_at[4];
	struct lab acc_lab[4];
	bool drop;
	struct reach_point drop_at;
	bool ret[4];
	struct lab ret_lab[4];
	bool altered;			/* a rewrite on some path */
	struct lab alter;
};

struct reach_rule {
	uint64_t handle;
	json_t *expr;
	const struct nftnl_rule *nl;	/* for xt blobs; NULL if none */
};

struct reach_chain {
	const char *family, *table, *name, *type;
	bool base, policy_drop, dormant;
	enum hook hook;
	int prio;
	size_t n, cap;
	struct reach_rule *rules;
	struct csum sum;
};

struct reach_set {
	const char *family, *table, *name;
	json_t *elem;
	bool dynamic;
};

struct reach_rs {
	json_t *root;
	const struct nft_ruleset *nl;
	size_t n_chains, n_sets;
	struct reach_chain *chains;
	struct reach_set *sets;
	size_t n_xtports;
	uint16_t xtports[4096];
	bool xt_all;
	/* the probe in flight */
	const struct reach_probe *p;
	unsigned int gen;
	char oifname[IFNAMSIZ];
	bool oif_known, oif_inet;
	bool routed, routed_local;
	/* the base chain being walked: its hook, and no conntrack yet */
	enum hook ctx_hook;
	bool ctx_noct, ctx_ctamb;
	struct if_nameindex *ifs;	/* the interfaces there are now */
	uint8_t routed_to[32];
};

/* ---- reading ---------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static enum hook hook_of(const char *h)
{
	if (!strcmp(h, "prerouting"))
		return H_PRE;
	if (!strcmp(h, "input"))
		return H_IN;
	if (!strcmp(h, "forward"))
		return H_FWD;
	return H_OTHER;
}

static struct reach_chain *find_chain(struct reach_rs *rs, const char *family,
				      const char *table, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_chains; i++)
		if (!strcmp(rs->chains[i].name, name) &&
		    !strcmp(rs->chains[i].table, table) &&
		    !strcmp(rs->chains[i].family, family))
			return &rs->chains[i];
	return NULL;
}

static const struct reach_set *find_set(const struct reach_rs *rs,
					const struct reach_chain *c,
					const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_sets; i++)
		if (!strcmp(rs->sets[i].name, name) &&
		    !strcmp(rs->sets[i].table, c->table) &&
		    !strcmp(rs->sets[i].family, c->family))
			return &rs->sets[i];
	return NULL;
}

static uint32_t family_num(const char *f)
{
	return !strcmp(f, "ip") ? NFPROTO_IPV4 : !strcmp(f, "ip6") ?
	       NFPROTO_IPV6 : !strcmp(f, "inet") ? NFPROTO_INET : 0;
}

/* The libnftnl rule behind a JSON rule (for its xt blobs). */
static const struct nftnl_rule *nl_rule(const struct nft_ruleset *nl,
					const char *family, const char *table,
					const char *chain, uint64_t handle)
{
	struct nftnl_rule_list_iter *it;
	const struct nftnl_rule *r, *found = NULL;

	it = nftnl_rule_list_iter_create(nl->rules);
	for (r = it ? nftnl_rule_list_iter_next(it) : NULL; r && !found;
	     r = nftnl_rule_list_iter_next(it))
		if (nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE) == handle &&
		    nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) ==
		    family_num(family) &&
		    !strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), table) &&
		    !strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chain))
			found = r;
	if (it)
		nftnl_rule_list_iter_destroy(it);
	return found;
}

static void xt_port(struct reach_rs *rs, uint32_t p)
{
	if (rs->n_xtports < sizeof(rs->xtports) / sizeof(rs->xtports[0]))
		rs->xtports[rs->n_xtports++] = p;
	else
		rs->xt_all = true;	/* every port a class of its own */
}

/* The ports an xt match of @r names (they bound port classes too). */
static void xt_ports(struct reach_rs *rs, const struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	const struct xt_multiport_v1 *mp;
	const struct xt_tcp *tcp;
	struct nftnl_expr *e;
	const char *name;
	uint32_t len;
	unsigned int i;

	for (e = it ? nftnl_expr_iter_next(it) : NULL; e;
	     e = nftnl_expr_iter_next(it)) {
		if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "match"))
			continue;
		name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
		tcp = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
		if (!tcp || !name)
			continue;
		if ((!strcmp(name, "tcp") && len >= sizeof(struct xt_tcp)) ||
		    (!strcmp(name, "udp") && len >= sizeof(struct xt_udp))) {
			xt_port(rs, tcp->dpts[0]);
			xt_port(rs, tcp->dpts[1]);
		} else if (!strcmp(name, "multiport") &&
			   len >= sizeof(struct xt_multiport)) {
			mp = (const void *)tcp;
			for (i = 0; i < mp->count && i < XT_MULTI_PORTS; i++)
				xt_port(rs, mp->ports[i]);
		}
	}
	if (it)
		nftnl_expr_iter_destroy(it);
}

static bool has_xt(const json_t *expr)
{
	size_t i;
	json_t *e;

	json_array_foreach(expr, i, e)
		if (json_object_get(e, "xt"))
			return true;
	return false;
}

static int add_rule(struct reach_rs *rs, json_t *r)
{
	struct reach_chain *c = find_chain(rs, jstr(r, "family"),
					   jstr(r, "table"), jstr(r, "chain"));
	struct reach_rule *x;

	if (!c)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		x = realloc(c->rules, c->cap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		c->rules = x;
	}
	x = &c->rules[c->n++];
	x->handle = json_integer_value(json_object_get(r, "handle"));
	x->expr = json_object_get(r, "expr");
	x->nl = NULL;
	if (rs->nl && has_xt(x->expr)) {
		x->nl = nl_rule(rs->nl, c->family, c->table, c->name,
				x->handle);
		if (x->nl)
			xt_ports(rs, x->nl);
	}
	return 0;
}

/* A dormant table's chains are not hooked (libnftnl has its flags). */
static bool table_dormant(const struct nft_ruleset *nl, const char *family,
			  const char *name)
{
	struct nftnl_table_list_iter *it;
	struct nftnl_table *t;
	bool dormant = false;

	if (!nl)
		return false;
	it = nftnl_table_list_iter_create(nl->tables);
	for (t = it ? nftnl_table_list_iter_next(it) : NULL; t;
	     t = nftnl_table_list_iter_next(it))
		if (nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) ==
		    family_num(family) &&
		    !strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), name))
			dormant = nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) &
				  NFT_TABLE_F_DORMANT;
	if (it)
		nftnl_table_list_iter_destroy(it);
	return dormant;
}

/* Sets the packet path writes (add/update @set, meters): not static. */
static void written_sets(struct reach_rs *rs)
{
	const json_t *e, *x;
	const char *name;
	size_t i, j, k, m;

	for (i = 0; i < rs->n_chains; i++)
		for (j = 0; j < rs->chains[i].n; j++)
			json_array_foreach(rs->chains[i].rules[j].expr, k, e) {
				if ((x = json_object_get(e, "set")))
					name = jstr(x, "set");
				else if ((x = json_object_get(e, "map")))
					name = jstr(x, "map");
				else if ((x = json_object_get(e, "meter")))
					name = jstr(x, "name");
				else
					continue;
				if (name[0] == '@')
					name++;
				for (m = 0; m < rs->n_sets; m++)
					if (!strcmp(rs->sets[m].name, name) &&
					    !strcmp(rs->sets[m].table,
						    rs->chains[i].table) &&
					    !strcmp(rs->sets[m].family,
						    rs->chains[i].family))
						rs->sets[m].dynamic = true;
			}
}

static bool has_flag(const json_t *o, const char *flag)
{
	json_t *f = json_object_get(o, "flags"), *v;
	size_t i;

	if (json_is_string(f))
		return !strcmp(json_string_value(f), flag);
	json_array_foreach(f, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), flag))
			return true;
	return false;
}

static int parse(struct reach_rs *rs)
{
	json_t *list = json_object_get(rs->root, "nftables"), *o, *v;
	size_t i, nc = 0, ns = 0;
	struct reach_chain *c;
	struct reach_set *s;
	int ret;

	if (!json_is_array(list))
		return -EPROTO;
	json_array_foreach(list, i, o) {
		nc += !!json_object_get(o, "chain");
		ns += json_object_get(o, "set") || json_object_get(o, "map");
	}
	rs->chains = calloc(nc + 1, sizeof(*rs->chains));
	rs->sets = calloc(ns + 1, sizeof(*rs->sets));
	if (!rs->chains || !rs->sets)
		return -ENOMEM;
	json_array_foreach(list, i, o) {
		if ((v = json_object_get(o, "chain"))) {
			c = &rs->chains[rs->n_chains++];
			c->family = jstr(v, "family");
			c->table = jstr(v, "table");
			c->name = jstr(v, "name");
			c->type = jstr(v, "type");
			c->base = json_object_get(v, "hook") != NULL;
			c->hook = hook_of(jstr(v, "hook"));
			c->prio = json_integer_value(json_object_get(v, "prio"));
			c->policy_drop = !strcmp(jstr(v, "policy"), "drop");
			c->dormant = table_dormant(rs->nl, c->family, c->table);
		} else if ((v = json_object_get(o, "set")) ||
			   (v = json_object_get(o, "map"))) {
			s = &rs->sets[rs->n_sets++];
			s->family = jstr(v, "family");
			s->table = jstr(v, "table");
			s->name = jstr(v, "name");
			s->elem = json_object_get(v, "elem");
			s->dynamic = has_flag(v, "dynamic") ||
				     has_flag(v, "timeout");
		}
	}
	json_array_foreach(list, i, o)
		if ((v = json_object_get(o, "rule"))) {
			ret = add_rule(rs, v);
			if (ret)
				return ret;
		}
	written_sets(rs);
	return 0;
}

int reach_load(struct reach_rs **out, const struct nft_ruleset *nl)
{
	struct reach_rs *rs = calloc(1, sizeof(*rs));
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	json_error_t jerr;
	int ret = -ENOMEM;

	if (!rs || !ctx)
		goto err;
	rs->nl = nl;
	rs->ifs = if_nameindex();
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON |
				 NFT_CTX_OUTPUT_HANDLE);
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx))
		goto err;
	if (nft_run_cmd_from_buffer(ctx, "list ruleset")) {
		ret = errno ? -errno : -EIO;
		goto err;
	}
	rs->root = json_loads(nft_ctx_get_output_buffer(ctx), 0, &jerr);
	ret = -EPROTO;
	if (!rs->root)
		goto err;
	ret = parse(rs);
	if (ret)
		goto err;
	nft_ctx_free(ctx);
	*out = rs;
	return 0;
err:
	if (ctx)
		nft_ctx_free(ctx);
	reach_free(rs);
	return ret;
}

void reach_free(struct reach_rs *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n_chains; i++)
		free(rs->chains[i].rules);
	free(rs->chains);
	free(rs->sets);
	if (rs->ifs)
		if_freenameindex(rs->ifs);
	if (rs->root)
		json_decref(rs->root);
	free(rs);
}

/* ---- values ----------------------------------------------------------- */

enum vk {
	VK_INT,		/* a number the probe fixes */
	VK_ADDR,	/* the destination (an interval) */
	VK_STR,		/* a name the probe fixes (oifname, ct helper) */
	VK_BITS,	/* ct state / ct status */
	VK_ATK,		/* what the sender chooses */
	VK_IIF,		/* the input interface: any but lo */
	VK_UNK,		/* not known from the ruleset */
	VK_BREAK,	/* the expression cannot match (no such header) */
};

enum names { NK_NONE, NK_L4, NK_NFPROTO, NK_ETHER, NK_CTSTATE, NK_CTSTATUS,
	     NK_CTDIR };

struct val {
	enum vk k;
	enum names names;
	uint64_t v;
	uint8_t alen;
	const uint8_t *lo, *hi;
	const char *s;
	const char *what;	/* VK_UNK: what it is */
	const struct reach_rs *rs;	/* VK_IIF: its interfaces */
};

static const struct {
	enum names nk;
	const char *name;
	uint64_t v;
} names[] = {
	{ NK_L4, "tcp", IPPROTO_TCP }, { NK_L4, "udp", IPPROTO_UDP },
	{ NK_L4, "icmp", IPPROTO_ICMP }, { NK_L4, "ipv6-icmp", IPPROTO_ICMPV6 },
	{ NK_L4, "icmpv6", IPPROTO_ICMPV6 }, { NK_L4, "sctp", IPPROTO_SCTP },
	{ NK_L4, "udplite", IPPROTO_UDPLITE }, { NK_L4, "dccp", IPPROTO_DCCP },
	{ NK_L4, "gre", IPPROTO_GRE }, { NK_L4, "esp", IPPROTO_ESP },
	{ NK_L4, "ah", IPPROTO_AH }, { NK_L4, "igmp", IPPROTO_IGMP },
	{ NK_NFPROTO, "ipv4", NFPROTO_IPV4 }, { NK_NFPROTO, "ipv6", NFPROTO_IPV6 },
	{ NK_ETHER, "ip", 0x0800 }, { NK_ETHER, "ip6", 0x86dd },
	{ NK_ETHER, "arp", 0x0806 }, { NK_ETHER, "vlan", 0x8100 },
	{ NK_CTSTATE, "invalid", RS_CT_INVALID },
	{ NK_CTSTATE, "established", RS_CT_EST },
	{ NK_CTSTATE, "related", RS_CT_REL }, { NK_CTSTATE, "new", RS_CT_NEW },
	{ NK_CTSTATE, "untracked", RS_CT_UNTRACKED },
	{ NK_CTSTATUS, "expected", RS_ST_EXPECTED },
	{ NK_CTSTATUS, "seen-reply", RS_ST_SEEN_REPLY },
	{ NK_CTSTATUS, "assured", 0x04 },
	{ NK_CTSTATUS, "confirmed", RS_ST_CONFIRMED },
	{ NK_CTSTATUS, "snat", 0x10 }, { NK_CTSTATUS, "dnat", 0x20 },
	{ NK_CTSTATUS, "dying", 0x200 },
	{ NK_CTDIR, "original", 0 }, { NK_CTDIR, "reply", 1 },
};

/* The number @j stands for under @nk; false if it names nothing known. */
static bool number(const json_t *j, enum names nk, uint64_t *v)
{
	size_t i;

	if (json_is_integer(j)) {
		*v = json_integer_value(j);
		return true;
	}
	if (!json_is_string(j))
		return false;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].nk == nk && !strcmp(names[i].name,
						 json_string_value(j))) {
			*v = names[i].v;
			return true;
		}
	return false;
}

static void val_int(struct val *v, uint64_t n, enum names nk)
{
	v->k = VK_INT;
	v->v = n;
	v->names = nk;
}

static void val_unk(struct val *v, const char *what)
{
	v->k = VK_UNK;
	v->what = what;
}

static void val_addr(const struct reach_rs *rs, struct val *v)
{
	v->k = VK_ADDR;
	v->alen = rs->p->nfproto == NFPROTO_IPV4 ? 4 : 16;
	v->lo = rs->p->daddr_lo;
	v->hi = rs->p->daddr_hi;
}

static bool l4_has_ports(uint8_t p)
{
	return p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_SCTP ||
	       p == IPPROTO_UDPLITE || p == IPPROTO_DCCP;
}

static void payload(const struct reach_rs *rs, const json_t *j, struct val *v)
{
	const struct reach_probe *p = rs->p;
	const char *proto = jstr(j, "protocol"), *field = jstr(j, "field");
	uint64_t n;

	v->k = VK_ATK;
	if (!*proto) {
		/* raw: @th,16,16 is the destination port */
		if (!strcmp(jstr(j, "base"), "th") &&
		    json_integer_value(json_object_get(j, "offset")) == 16 &&
		    json_integer_value(json_object_get(j, "len")) == 16)
			val_int(v, p->dport, NK_NONE);
		return;
	}
	if (!strcmp(proto, "ip") || !strcmp(proto, "ip6")) {
		if (p->nfproto != (proto[2] ? NFPROTO_IPV6 : NFPROTO_IPV4)) {
			v->k = VK_BREAK;
			return;
		}
		if (!strcmp(field, "daddr"))
			val_addr(rs, v);
		else if (!strcmp(field, "protocol"))
			val_int(v, p->l4proto, NK_L4);
		/* nexthdr: an extension header may come first (sender's) */
		return;
	}
	if (!strcmp(proto, "th")) {
		if (!l4_has_ports(p->l4proto))
			v->k = VK_BREAK;
		else if (!strcmp(field, "dport"))
			val_int(v, p->dport, NK_NONE);
		return;
	}
	if (number(json_object_get(j, "protocol"), NK_L4, &n)) {
		if (n != p->l4proto)
			v->k = VK_BREAK;
		else if (!strcmp(field, "dport"))
			val_int(v, p->dport, NK_NONE);
		return;
	}
	/* link layer and the rest: the sender's bytes */
	if (!strcmp(proto, "arp") || !strcmp(proto, "icmp") ||
	    !strcmp(proto, "icmpv6") || !strcmp(proto, "ah") ||
	    !strcmp(proto, "esp") || !strcmp(proto, "comp") ||
	    !strcmp(proto, "igmp") || !strcmp(proto, "gre"))
		v->k = VK_BREAK;
}

static void meta(const struct reach_rs *rs, const char *key, struct val *v)
{
	const struct reach_probe *p = rs->p;

	if (!strcmp(key, "l4proto"))
		val_int(v, p->l4proto, NK_L4);
	else if (!strcmp(key, "nfproto"))
		val_int(v, p->nfproto, NK_NFPROTO);
	else if (!strcmp(key, "protocol"))
		val_int(v, p->nfproto == NFPROTO_IPV4 ? 0x0800 : 0x86dd,
			NK_ETHER);
	else if (!strcmp(key, "oifname") && rs->ctx_hook == H_PRE) {
		v->k = VK_STR;		/* no output device yet */
		v->s = "";
	} else if (!strcmp(key, "oifname") && rs->oif_known) {
		v->k = VK_STR;
		v->s = rs->oifname;
	} else if (!strcmp(key, "iifname") || !strcmp(key, "iif")) {
		v->k = VK_IIF;
		v->rs = rs;
	} else if (!strncmp(key, "iif", 3) || !strcmp(key, "pkttype") ||
		   !strcmp(key, "length") || !strcmp(key, "ibrname") ||
		   !strcmp(key, "ibriport") || !strcmp(key, "sdif") ||
		   !strcmp(key, "sdifname"))
		v->k = VK_ATK;
	else
		val_unk(v, key);
}

static void ct(const struct reach_rs *rs, const json_t *j, struct val *v)
{
	const struct reach_probe *p = rs->p;
	const char *key = jstr(j, "key"), *dir = jstr(j, "dir");
	bool noct = rs->ctx_noct;

	if (rs->ctx_ctamb) {
		/* at conntrack's own priority, either may run first */
		val_unk(v, "ct at priority -200");
		return;
	}

	if (!strcmp(key, "state")) {
		v->k = VK_BITS;
		v->names = NK_CTSTATE;
		v->v = noct ? RS_CT_INVALID : p->ct_state;
		return;
	}
	if (noct) {
		v->k = VK_BREAK;
		return;
	}
	if (!strcmp(key, "status")) {
		v->k = VK_BITS;
		v->names = NK_CTSTATUS;
		v->v = p->ct_status;
	} else if (!strcmp(key, "direction")) {
		val_int(v, 0, NK_CTDIR);
	} else if (!strcmp(key, "l3proto")) {
		val_int(v, p->nfproto, NK_NFPROTO);
	} else if (!strcmp(key, "protocol")) {
		val_int(v, p->l4proto, NK_L4);
	} else if (!strcmp(key, "helper")) {
		/* the master's helper: a connection nothing expected has
		 * no master, and the expression breaks (nft_ct.c) */
		if (p->ct_status & RS_ST_EXPECTED)
			val_unk(v, "ct helper of the master");
		else
			v->k = VK_BREAK;
	} else if (*dir && strcmp(dir, "original")) {
		val_unk(v, "ct reply tuple");
	} else if (!strcmp(key, "proto-dst")) {
		val_int(v, p->dport, NK_NONE);
	} else if (!strcmp(key, "daddr") || !strcmp(key, "ip daddr") ||
		   !strcmp(key, "ip6 daddr")) {
		val_addr(rs, v);
	} else if (!strcmp(key, "proto-src") || !strcmp(key, "saddr") ||
		   !strcmp(key, "ip saddr") || !strcmp(key, "ip6 saddr")) {
		v->k = VK_ATK;
	} else {
		val_unk(v, "ct");
	}
}

/* The value of expression @j for the probe; @n vals for a concatenation. */
static size_t key(const struct reach_rs *rs, const struct reach_chain *c,
		  const json_t *j, struct val *v, size_t cap)
{
	const json_t *x;
	size_t i, n = 0;

	memset(v, 0, sizeof(*v));
	if ((x = json_object_get(j, "concat"))) {
		json_array_foreach(x, i, j) {
			if (n == cap) {
				val_unk(v, "concatenation");
				return 1;
			}
			n += key(rs, c, j, v + n, 1);
		}
		return n;
	}
	if ((x = json_object_get(j, "payload")))
		payload(rs, x, v);
	else if ((x = json_object_get(j, "meta")))
		meta(rs, jstr(x, "key"), v);
	else if ((x = json_object_get(j, "ct")))
		ct(rs, x, v);
	else if ((x = json_object_get(j, "fib")))
		has_flag(x, "saddr") ? (void)(v->k = VK_ATK) :
				       val_unk(v, "fib");
	else if (json_object_get(j, "exthdr") || json_object_get(j, "tcp option") ||
		 json_object_get(j, "ip option") ||
		 json_object_get(j, "sctp chunk") || json_object_get(j, "osf"))
		v->k = VK_ATK;
	else if ((x = json_object_get(j, "&")) || (x = json_object_get(j, "|")) ||
		 (x = json_object_get(j, "^")) || (x = json_object_get(j, "<<")) ||
		 (x = json_object_get(j, ">>"))) {
		key(rs, c, json_array_get(x, 0), v, 1);
		if (v->k == VK_IIF)
			v->k = VK_ATK;
		if (v->k != VK_ATK && v->k != VK_BREAK)
			val_unk(v, "bitwise");
	} else
		val_unk(v, "expression");
	return 1;
}

/* ---- comparisons -------------------------------------------------------- */

static enum reach tri_and(enum reach a, enum reach b)
{
	if (a == REACH_NO || b == REACH_NO)
		return REACH_NO;
	return a > b ? a : b;
}

/* or: YES wins, then SOME (the sender picks the element), then MAYBE */
static enum reach tri_or(enum reach a, enum reach b)
{
	if (a == REACH_YES || b == REACH_YES)
		return REACH_YES;
	if (a == REACH_SOME || b == REACH_SOME)
		return REACH_SOME;
	if (a == REACH_MAYBE || b == REACH_MAYBE)
		return REACH_MAYBE;
	return REACH_NO;
}

static enum reach tri_not(enum reach a)
{
	return a == REACH_YES ? REACH_NO : a == REACH_NO ? REACH_YES : a;
}

/* An address element as an interval; false if it is not one. */
static bool addr_iv(const json_t *e, uint8_t alen, uint8_t *lo, uint8_t *hi)
{
	int af = alen == 4 ? AF_INET : AF_INET6;
	const json_t *x;
	int64_t plen;
	int i;

	if (json_is_string(e)) {
		if (inet_pton(af, json_string_value(e), lo) != 1)
			return false;
		memcpy(hi, lo, alen);
		return true;
	}
	if ((x = json_object_get(e, "prefix"))) {
		if (inet_pton(af, jstr(x, "addr"), lo) != 1)
			return false;
		plen = json_integer_value(json_object_get(x, "len"));
		if (plen < 0 || plen > alen * 8)
			return false;
		memcpy(hi, lo, alen);
		for (i = plen; i < alen * 8; i++) {
			lo[i / 8] &= ~(0x80 >> (i % 8));
			hi[i / 8] |= 0x80 >> (i % 8);
		}
		return true;
	}
	return false;
}

/*
 * The attacker's packet comes in on an interface that exists now, never
 * on lo, and not on the one the edge is routed out of unless the
 * internet is routed there too (otherwise a sender there reaches the edge
 * without the firewall): a name (or wildcard "eth*") of
 * no other interface does not match; one that does is the sender's
 * choice.
 */
static enum reach iif_is(const struct reach_rs *rs, const json_t *e)
{
	const char *n;
	size_t len, i;

	if (json_is_integer(e))
		return json_integer_value(e) == 1 ? REACH_NO : REACH_SOME;
	if (!json_is_string(e) || !rs->ifs)
		return REACH_SOME;
	n = json_string_value(e);
	len = strlen(n);
	if (len && n[len - 1] == '*')
		len--;
	else
		len++;			/* the NUL too: the whole name */
	for (i = 0; rs->ifs[i].if_index; i++)
		if (strcmp(rs->ifs[i].if_name, "lo") &&
		    (!rs->oif_known || rs->oif_inet ||
		     strcmp(rs->ifs[i].if_name, rs->oifname)) &&
		    !strncmp(rs->ifs[i].if_name, n, len))
			return REACH_SOME;
	return REACH_NO;
}

/* Does value @v equal (lie in) element @e? */
static enum reach elem_is(const struct val *v, const json_t *e)
{
	uint8_t lo[32], hi[32];
	const json_t *x;
	uint64_t a, b;
	size_t n;

	if ((x = json_object_get(e, "elem")))
		e = json_object_get(x, "val");
	switch (v->k) {
	case VK_ATK:
		return REACH_SOME;
	case VK_IIF:
		return iif_is(v->rs, e);
	case VK_UNK:
		return REACH_MAYBE;
	case VK_BREAK:
		return REACH_NO;
	case VK_INT:
	case VK_BITS:
		if ((x = json_object_get(e, "range"))) {
			if (!number(json_array_get(x, 0), v->names, &a) ||
			    !number(json_array_get(x, 1), v->names, &b))
				return REACH_MAYBE;
			return a <= v->v && v->v <= b ? REACH_YES : REACH_NO;
		}
		if (json_is_array(e)) {		/* flags: a, b */
			b = 0;
			json_array_foreach(e, n, x) {
				if (!number(x, v->names, &a))
					return REACH_MAYBE;
				b |= a;
			}
			return v->v == b ? REACH_YES : REACH_NO;
		}
		if (json_is_string(e) && !number(e, v->names, &a))
			/* a name of something else than tcp/udp/... */
			return v->names != NK_NONE ? REACH_NO : REACH_MAYBE;
		if (!number(e, v->names, &a))
			return REACH_MAYBE;
		return a == v->v ? REACH_YES : REACH_NO;
	case VK_STR:
		if (!json_is_string(e))
			return REACH_MAYBE;
		n = strlen(json_string_value(e));
		if (n && json_string_value(e)[n - 1] == '*')
			return !strncmp(json_string_value(e), v->s, n - 1) ?
			       REACH_YES : REACH_NO;
		return !strcmp(json_string_value(e), v->s) ? REACH_YES :
		       REACH_NO;
	case VK_ADDR:
		if ((x = json_object_get(e, "range"))) {
			if (!addr_iv(json_array_get(x, 0), v->alen, lo,
				     hi + 16) ||
			    !addr_iv(json_array_get(x, 1), v->alen, lo + 16,
				     hi))
				return REACH_MAYBE;
		} else if (!addr_iv(e, v->alen, lo, hi)) {
			return REACH_MAYBE;
		}
		if (memcmp(v->hi, lo, v->alen) < 0 ||
		    memcmp(hi, v->lo, v->alen) < 0)
			return REACH_NO;
		if (memcmp(lo, v->lo, v->alen) <= 0 &&
		    memcmp(v->hi, hi, v->alen) <= 0)
			return REACH_YES;
		/* the sender picks the address in the edge prefix */
		return REACH_SOME;
	}
	return REACH_MAYBE;
}

/* A (possibly concatenated) key against one element of a set. */
static enum reach elem_match(const struct val *v, size_t n, const json_t *e)
{
	const json_t *x, *parts;
	enum reach r = REACH_YES;
	size_t i;

	if ((x = json_object_get(e, "elem")))
		e = json_object_get(x, "val");
	if (json_is_string(e) && !strcmp(json_string_value(e), "*"))
		return REACH_YES;	/* the catch-all element */
	if (n == 1)
		return elem_is(v, e);
	parts = json_object_get(e, "concat");
	if (json_array_size(parts) != n)
		return REACH_MAYBE;
	for (i = 0; i < n && r != REACH_NO; i++)
		r = tri_and(r, elem_is(&v[i], json_array_get(parts, i)));
	return r;
}

static enum reach in_elems(const struct val *v, size_t n, const json_t *elems)
{
	enum reach r = REACH_NO;
	const json_t *e;
	size_t i;

	json_array_foreach(elems, i, e) {
		r = tri_or(r, elem_match(v, n, e));
		if (r == REACH_YES)
			break;
	}
	return r;
}

/* The bits a flag list or name stands for (ct state established,related). */
static bool bits(const json_t *r, enum names nk, uint64_t *m)
{
	const json_t *x;
	uint64_t b;
	size_t i;

	*m = 0;
	if (!json_is_array(r))
		return number(r, nk, m);
	json_array_foreach(r, i, x) {
		if (!number(x, nk, &b))
			return false;
		*m |= b;
	}
	return true;
}

/* The right-hand side "@name": that set's elements, or NULL. */
static const json_t *named(const struct reach_rs *rs,
			   const struct reach_chain *c, const json_t *r,
			   bool *dynamic)
{
	const struct reach_set *s;
	const char *n = json_string_value(r);
	static json_t *empty;

	*dynamic = false;
	if (!n || n[0] != '@')
		return NULL;
	s = find_set(rs, c, n + 1);
	if (!s) {
		*dynamic = true;
		return NULL;
	}
	*dynamic = s->dynamic;
	if (!s->elem && !empty)
		empty = json_array();
	return s->elem ? s->elem : empty;
}

static enum reach match(const struct reach_rs *rs, const struct reach_chain *c,
			const json_t *m, const char **what)
{
	const char *op = jstr(m, "op");
	const json_t *r = json_object_get(m, "right"), *el;
	struct val v[8];
	enum reach t = REACH_MAYBE;
	bool dyn;
	uint64_t b;
	size_t n, i;

	n = key(rs, c, json_object_get(m, "left"), v, 8);
	for (i = 0; i < n; i++) {
		if (v[i].k == VK_BREAK)
			return REACH_NO;
		if (v[i].k == VK_UNK)
			*what = v[i].what;
	}
	if ((el = named(rs, c, r, &dyn)) || dyn) {
		t = dyn ? REACH_MAYBE : in_elems(v, n, el);
		if (dyn)
			*what = "set filled at run time";
	} else if (json_object_get(r, "set")) {
		t = in_elems(v, n, json_object_get(r, "set"));
	} else if (n == 1 && v[0].k == VK_BITS &&
		   (!strcmp(op, "in") || json_is_array(r))) {
		if (!bits(r, v[0].names, &b))
			return REACH_MAYBE;
		t = v[0].v & b ? REACH_YES : REACH_NO;
	} else if (n == 1 && (!strcmp(op, "<") || !strcmp(op, ">") ||
			      !strcmp(op, "<=") || !strcmp(op, ">="))) {
		if (v[0].k == VK_ATK || v[0].k == VK_IIF)
			return REACH_SOME;
		if (v[0].k != VK_INT || !number(r, v[0].names, &b))
			return REACH_MAYBE;
		t = (op[0] == '<' ? (op[1] ? v[0].v <= b : v[0].v < b) :
			(op[1] ? v[0].v >= b : v[0].v > b)) ?
		    REACH_YES : REACH_NO;
		return t;
	} else {
		t = elem_match(v, n, r);
	}
	if (t == REACH_MAYBE && !*what)
		*what = "comparison";
	return !strcmp(op, "!=") ? tri_not(t) : t;
}

/* ---- xt matches and targets of iptables-nft --------------------------- */

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool named_in(const char *name, const char *const *list, size_t n)
{
	while (name && n--)
		if (!strcmp(name, list[n]))
			return true;
	return false;
}

/* the k-th xt expression of @r */
static const struct nftnl_expr *xt_expr(const struct nftnl_rule *r, size_t k)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	const struct nftnl_expr *e, *found = NULL;
	const char *n;

	for (e = it ? nftnl_expr_iter_next(it) : NULL; e && !found;
	     e = nftnl_expr_iter_next(it)) {
		n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		if ((!strcmp(n, "match") || !strcmp(n, "target")) && !k--)
			found = e;
	}
	if (it)
		nftnl_expr_iter_destroy(it);
	return found;
}

static enum reach in_ports(uint16_t lo, uint16_t hi, uint16_t p)
{
	return lo <= p && p <= hi ? REACH_YES : REACH_NO;
}

static enum reach xt_state(uint32_t mask, uint8_t state)
{
	return mask & state ? REACH_YES : REACH_NO;
}

static enum reach xt_conntrack(const struct reach_rs *rs, const void *info,
			       uint32_t len, uint8_t rev, const char **what)
{
	const struct reach_probe *p = rs->p;
	const struct xt_conntrack_mtinfo3 *m = info;
	uint16_t flags, inv, state, status;
	enum reach t = REACH_YES, x;
	size_t need = rev == 1 ? sizeof(struct xt_conntrack_mtinfo1) :
		      rev == 2 ? sizeof(struct xt_conntrack_mtinfo2) :
		      sizeof(struct xt_conntrack_mtinfo3);

	if ((rev < 1 || rev > 3) || len < need) {
		*what = "xt conntrack revision";
		return REACH_MAYBE;
	}
	flags = m->match_flags;
	inv = m->invert_flags;
	if (rev == 1) {
		const struct xt_conntrack_mtinfo1 *m1 = info;

		state = m1->state_mask;
		status = m1->status_mask;
	} else {
		state = m->state_mask;
		status = m->status_mask;
	}
	if (flags & XT_CONNTRACK_STATE) {
		x = xt_state(state, rs->ctx_noct ? RS_CT_INVALID : p->ct_state);
		t = tri_and(t, inv & XT_CONNTRACK_STATE ? tri_not(x) : x);
	}
	/* no conntrack yet: the state alone decides (xt_conntrack.c) */
	if (rs->ctx_noct)
		return flags & XT_CONNTRACK_STATE ? t : REACH_NO;
	if (flags & XT_CONNTRACK_STATUS) {
		x = status & p->ct_status ? REACH_YES : REACH_NO;
		t = tri_and(t, inv & XT_CONNTRACK_STATUS ? tri_not(x) : x);
	}
	if (flags & XT_CONNTRACK_PROTO) {
		x = m->l4proto == p->l4proto ? REACH_YES : REACH_NO;
		t = tri_and(t, inv & XT_CONNTRACK_PROTO ? tri_not(x) : x);
	}
	if (flags & XT_CONNTRACK_DIRECTION) {
		/* the first packet goes in the original direction */
		x = inv & XT_CONNTRACK_DIRECTION ? REACH_NO : REACH_YES;
		t = tri_and(t, x);
	}
	if (flags & (XT_CONNTRACK_ORIGSRC | XT_CONNTRACK_ORIGSRC_PORT))
		t = tri_and(t, REACH_SOME);
	if (flags & ~(XT_CONNTRACK_STATE | XT_CONNTRACK_STATUS |
		      XT_CONNTRACK_PROTO | XT_CONNTRACK_DIRECTION |
		      XT_CONNTRACK_STATE_ALIAS | XT_CONNTRACK_ORIGSRC |
		      XT_CONNTRACK_ORIGSRC_PORT)) {
		*what = "xt conntrack (addresses, ports or expiry)";
		t = tri_and(t, REACH_MAYBE);
	}
	return t;
}

static enum reach xt_match(const struct reach_rs *rs,
			   const struct nftnl_expr *e, const char **what)
{
	const struct reach_probe *p = rs->p;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
	uint8_t rev = nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV);
	static const char *const sender[] = {
		"limit", "hashlimit", "recent", "connlimit", "string", "length",
		"ttl", "hl", "tcpmss", "pkttype", "mac", "dscp", "tos", "ecn",
		"u32", "icmp", "icmp6", "physdev", "iprange", "comment",
	};
	const struct xt_multiport_v1 *mp;
	const struct xt_tcp *tcp;
	const struct xt_udp *udp;
	const void *info;
	enum reach t, d;
	uint32_t len = 0;
	unsigned int i;

	info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
	if (!name || !info) {
		*what = "xt match";
		return REACH_MAYBE;
	}
	if (!strcmp(name, "comment"))
		return REACH_YES;
	if (!strcmp(name, "tcp") && len >= sizeof(*tcp)) {
		tcp = info;
		if (p->l4proto != IPPROTO_TCP)
			return REACH_NO;
		d = in_ports(tcp->dpts[0], tcp->dpts[1], p->dport);
		t = tcp->invflags & XT_TCP_INV_DSTPT ? tri_not(d) : d;
		if (tcp->spts[0] || tcp->spts[1] != 0xffff || tcp->flg_mask ||
		    tcp->option)
			t = tri_and(t, REACH_SOME);
		return t;
	}
	if (!strcmp(name, "udp") && len >= sizeof(*udp)) {
		udp = info;
		if (p->l4proto != IPPROTO_UDP)
			return REACH_NO;
		d = in_ports(udp->dpts[0], udp->dpts[1], p->dport);
		t = udp->invflags & XT_UDP_INV_DSTPT ? tri_not(d) : d;
		if (udp->spts[0] || udp->spts[1] != 0xffff)
			t = tri_and(t, REACH_SOME);
		return t;
	}
	if (!strcmp(name, "multiport") &&
	    len >= (rev ? sizeof(*mp) : sizeof(struct xt_multiport))) {
		mp = info;
		if (!l4_has_ports(p->l4proto))
			return REACH_NO;
		d = REACH_NO;
		for (i = 0; i < mp->count && i < XT_MULTI_PORTS; i++) {
			if (rev && mp->pflags[i] && i + 1 < mp->count) {
				d = tri_or(d, in_ports(mp->ports[i],
						       mp->ports[i + 1],
						       p->dport));
				i++;
			} else {
				d = tri_or(d, in_ports(mp->ports[i],
						       mp->ports[i], p->dport));
			}
		}
		if (mp->flags == XT_MULTIPORT_SOURCE)
			d = REACH_SOME;
		else if (mp->flags == XT_MULTIPORT_EITHER && d == REACH_NO)
			d = REACH_SOME;	/* the source port may be in the list */
		return rev && mp->invert ? tri_not(d) : d;
	}
	if ((!strcmp(name, "conntrack") || !strcmp(name, "state")) &&
	    rs->ctx_ctamb) {
		*what = "conntrack match at priority -200";
		return REACH_MAYBE;
	}
	if (!strcmp(name, "conntrack"))
		return xt_conntrack(rs, info, len, rev, what);
	if (!strcmp(name, "state") && len >= sizeof(struct xt_state_info))
		return xt_state(((const struct xt_state_info *)info)->statemask,
				rs->ctx_noct ? RS_CT_INVALID : p->ct_state);
	if (named_in(name, sender, ARRAY_LEN(sender)))
		return REACH_SOME;
	*what = name;
	return REACH_MAYBE;
}

/* ---- the walk ------------------------------------------------------------ */

static struct lab lab_max(struct lab a, struct lab b)
{
	return b.l > a.l ? b : a;
}

static struct lab lab_of(enum reach l, const struct reach_chain *c,
			 uint64_t handle, const char *what)
{
	struct lab x = { .l = l, .what = what };

	if (l == REACH_MAYBE) {
		x.why.chain = c;
		x.why.handle = handle;
	}
	return x;
}

static void on_accept(struct csum *s, struct lab l, const struct reach_chain *c,
		      uint64_t handle)
{
	if (s->acc[l.l])
		return;
	s->acc[l.l] = true;
	s->acc_at[l.l].chain = c;
	s->acc_at[l.l].handle = handle;
	s->acc_lab[l.l] = l;
}

static void on_drop(struct csum *s, const struct reach_chain *c,
		    uint64_t handle)
{
	if (s->drop)
		return;
	s->drop = true;
	s->drop_at.chain = c;
	s->drop_at.handle = handle;
}

static void live_add(bool *live, struct lab *ll, struct lab l)
{
	if (!live[l.l]) {
		live[l.l] = true;
		ll[l.l] = l;
	}
}

static const struct csum *walk(struct reach_rs *rs, struct reach_chain *c,
			       int depth);

/* A jump (goto: @is_goto) to @target on a path of certainty @l. */
static void call(struct reach_rs *rs, const struct reach_chain *c,
		 uint64_t handle, const char *target, bool is_goto,
		 struct lab l, struct csum *s, bool *next, struct lab *nl,
		 int depth)
{
	struct reach_chain *t = find_chain(rs, c->family, c->table, target);
	const struct csum *sub;
	struct lab u;
	int i;

	if (!t || depth >= DEPTH_MAX || t->sum.busy) {
		u = lab_max(l, lab_of(REACH_MAYBE, c, handle, "jump"));
		on_accept(s, u, c, handle);
		on_drop(s, c, handle);
		return;
	}
	sub = walk(rs, t, depth + 1);
	for (i = REACH_YES; i <= REACH_MAYBE; i++) {
		if (sub->acc[i])
			on_accept(s, lab_max(l, sub->acc_lab[i]),
				  sub->acc_at[i].chain, sub->acc_at[i].handle);
		if (!sub->ret[i])
			continue;
		u = lab_max(l, sub->ret_lab[i]);
		if (is_goto) {
			if (!s->ret[u.l]) {
				s->ret[u.l] = true;
				s->ret_lab[u.l] = u;
			}
		} else {
			live_add(next, nl, u);
		}
	}
	if (sub->drop)
		on_drop(s, sub->drop_at.chain, sub->drop_at.handle);
	if (sub->altered && !s->altered) {
		s->altered = true;
		s->alter = sub->alter;
	}
}

/* A verdict on a path of certainty @l. */
static void verdict(struct reach_rs *rs, const struct reach_chain *c,
		    uint64_t handle, const json_t *v, struct lab l,
		    struct csum *s, bool *next, struct lab *nl, int depth)
{
	const json_t *x;

	if (json_object_get(v, "accept")) {
		on_accept(s, l, c, handle);
	} else if (json_object_get(v, "drop") || json_object_get(v, "reject")) {
		on_drop(s, c, handle);
	} else if (json_object_get(v, "return")) {
		if (!s->ret[l.l]) {
			s->ret[l.l] = true;
			s->ret_lab[l.l] = l;
		}
	} else if (json_object_get(v, "continue")) {
		live_add(next, nl, l);
	} else if ((x = json_object_get(v, "jump")) ||
		   (x = json_object_get(v, "goto"))) {
		call(rs, c, handle, jstr(x, "target"),
		     json_object_get(v, "goto") != NULL, l, s, next, nl, depth);
	} else {
		/* queue and whatever else: userspace or unknown decides */
		on_accept(s, lab_max(l, lab_of(REACH_MAYBE, c, handle,
					       "verdict")), c, handle);
		on_drop(s, c, handle);
	}
}

static bool is_verdict(const json_t *e)
{
	return json_object_get(e, "accept") || json_object_get(e, "drop") ||
	       json_object_get(e, "reject") || json_object_get(e, "return") ||
	       json_object_get(e, "continue") || json_object_get(e, "jump") ||
	       json_object_get(e, "goto") || json_object_get(e, "queue");
}

/* Statements that change nothing the walk looks at. */
static bool is_inert(const json_t *e)
{
	static const char *const inert[] = {
		"counter", "log", "ct helper", "ct expectation",
		"flow", "snat", "masquerade", "secmark",
	};
	const json_t *m;
	unsigned int i;

	for (i = 0; i < sizeof(inert) / sizeof(inert[0]); i++)
		if (json_object_get(e, inert[i]))
			return true;
	/* marks are never trusted by the walk; ct zone and timeout attach
	 * a template before conntrack, which changes ct state */
	if ((m = json_object_get(e, "mangle"))) {
		m = json_object_get(m, "key");
		return json_object_get(m, "meta") ||
		       (json_object_get(m, "ct") &&
			(!strcmp(jstr(json_object_get(m, "ct"), "key"), "mark") ||
			 !strcmp(jstr(json_object_get(m, "ct"), "key"), "label")));
	}
	return false;
}

/* Does @j look a value up in a map (a miss ends the rule)? */
static bool has_lookup(const json_t *j)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(j)) {
		if (json_object_get(j, "map"))
			return true;
		json_object_foreach((json_t *)j, k, x)
			if (has_lookup(x))
				return true;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, x)
			if (has_lookup(x))
				return true;
	}
	return false;
}

/* A vmap: each element that may match, then the miss (next rule). */
static bool vmap(struct reach_rs *rs, const struct reach_chain *c,
		 uint64_t handle, const json_t *vm, struct lab l, struct csum *s,
		 bool *next, struct lab *nl, int depth)
{
	const json_t *data = json_object_get(vm, "data"), *elems, *e;
	const json_t *catchall = NULL;
	const char *what = NULL;
	struct val v[8];
	enum reach t;
	size_t n, i;
	bool dyn;

	n = key(rs, c, json_object_get(vm, "key"), v, 8);
	for (i = 0; i < n; i++) {
		if (v[i].k == VK_BREAK)
			return false;
		if (v[i].k == VK_UNK)
			what = v[i].what;
	}
	elems = named(rs, c, data, &dyn);
	if (!elems && !dyn)
		elems = json_object_get(data, "set");
	if (dyn && elems) {
		/* elements come and go: each verdict may, and a miss */
		l = lab_max(l, lab_of(REACH_MAYBE, c, handle,
				      "verdict map changed at run time"));
		json_array_foreach(elems, i, e) {
			if (json_object_get(e, "elem"))
				e = json_object_get(json_object_get(e, "elem"),
						    "val");
			verdict(rs, c, handle, json_array_get(e, 1), l, s,
				next, nl, depth);
		}
		return false;
	}
	if (!elems) {
		on_accept(s, lab_max(l, lab_of(REACH_MAYBE, c, handle,
					       "verdict map")), c, handle);
		on_drop(s, c, handle);
		return false;
	}
	json_array_foreach(elems, i, e) {
		if (json_object_get(e, "elem"))
			e = json_object_get(json_object_get(e, "elem"), "val");
		if (json_is_string(json_array_get(e, 0)) &&
		    !strcmp(json_string_value(json_array_get(e, 0)), "*")) {
			catchall = json_array_get(e, 1);
			continue;
		}
		t = elem_match(v, n, json_array_get(e, 0));
		if (t == REACH_NO)
			continue;
		verdict(rs, c, handle, json_array_get(e, 1),
			lab_max(l, lab_of(t, c, handle, what ? what :
					  "verdict map key")),
			s, next, nl, depth);
		if (t == REACH_YES)
			return true;
	}
	if (catchall) {		/* a miss takes it */
		verdict(rs, c, handle, catchall, l, s, next, nl, depth);
		return true;
	}
	return false;
}

/*
 * A rewrite (notrack, dnat, an xt target, ...): what the rest of the
 * ruleset sees is another packet or connection, so this chain may accept
 * it from here on, and later chains are unsure too (reach_eval()).
 */
static void rewrite(struct csum *s, const struct reach_chain *c,
		    uint64_t handle, struct lab l)
{
	on_accept(s, l, c, handle);
	if (!s->altered) {
		s->altered = true;
		s->alter = l;
	}
}

/* One rule on a path of certainty @l0. */
static void rule(struct reach_rs *rs, const struct reach_chain *c,
		 const struct reach_rule *r, struct lab l0, struct csum *s,
		 bool *next, struct lab *nl, int depth)
{
	/* xt targets that change nothing the walk looks at */
	static const char *const harmless[] = {
		"LOG", "NFLOG", "MARK", "CONNMARK", "TCPMSS", "CLASSIFY", "DSCP",
		"TOS", "AUDIT", "CHECKSUM", "TRACE", "MASQUERADE", "SNAT",
	};
	struct lab l = l0;
	const char *what;
	const json_t *e, *x;
	enum reach t;
	size_t i, xt = 0;
	bool altered = false;

	json_array_foreach(r->expr, i, e) {
		what = NULL;
		if ((x = json_object_get(e, "match"))) {
			t = match(rs, c, x, &what);
		} else if (json_object_get(e, "limit") ||
			   json_object_get(e, "quota") ||
			   json_object_get(e, "meter") ||
			   json_object_get(e, "ct count") ||
			   json_object_get(e, "set") ||
			   json_object_get(e, "map")) {
			/* the sender keeps under it, or fills the set: a
			 * full set or a limit inside ends the rule */
			t = REACH_SOME;
		} else if ((x = json_object_get(e, "xt"))) {
			const struct nftnl_expr *ne =
				r->nl ? xt_expr(r->nl, xt) : NULL;

			xt++;
			if (!ne) {
				t = REACH_MAYBE;
				what = "xt expression";
			} else if (!strcmp(jstr(x, "type"), "target")) {
				const char *tg = nftnl_expr_get_str(
					ne, NFTNL_EXPR_TG_NAME);

				if (tg && !strcmp(tg, "REJECT")) {
					on_drop(s, c, r->handle);
					return;
				}
				if (named_in(tg, harmless, ARRAY_LEN(harmless)))
					continue;
				/* DNAT, CT, NOTRACK, ...: a verdict, or a
				 * rewrite of what later rules see */
				l = lab_max(l, lab_of(REACH_MAYBE, c, r->handle,
						      tg ? tg : "xt target"));
				rewrite(s, c, r->handle, l);
				verdict(rs, c, r->handle, json_null(), l, s,
					next, nl, depth);
				live_add(next, nl, l);
				return;
			} else {
				t = xt_match(rs, ne, &what);
			}
		} else if (is_verdict(e)) {
			verdict(rs, c, r->handle, e, l, s, next, nl, depth);
			return;
		} else if ((x = json_object_get(e, "vmap"))) {
			if (!vmap(rs, c, r->handle, x, l, s, next, nl, depth))
				live_add(next, nl, altered ? l : l0);
			return;
		} else if (is_inert(e) && has_lookup(e)) {
			t = REACH_MAYBE;	/* a miss ends the rule */
			what = "statement with a map lookup";
		} else if (is_inert(e)) {
			continue;
		} else {
			/* notrack, dnat, redirect, a payload rewrite, ...:
			 * later rules see another packet */
			altered = true;
			l = lab_max(l, lab_of(REACH_MAYBE, c, r->handle,
					      "packet or conntrack rewritten"));
			rewrite(s, c, r->handle, l);
			continue;
		}
		if (t == REACH_NO) {
			live_add(next, nl, altered ? l : l0);
			return;
		}
		if (t != REACH_YES) {
			live_add(next, nl, altered ? l : l0);
			l = lab_max(l, lab_of(t, c, r->handle, what));
		}
	}
	/* no verdict: on to the next rule */
	live_add(next, nl, altered ? l : l0);
}

static const struct csum *walk(struct reach_rs *rs, struct reach_chain *c,
			       int depth)
{
	struct csum *s = &c->sum;
	bool live[4] = { false }, next[4];
	struct lab ll[4], nl[4];
	size_t i;
	int k;

	if (s->gen == rs->gen)
		return s;
	memset(s, 0, sizeof(*s));
	s->busy = true;
	live[REACH_YES] = true;
	ll[REACH_YES] = lab_of(REACH_YES, NULL, 0, NULL);
	for (i = 0; i < c->n; i++) {
		memset(next, 0, sizeof(next));
		for (k = REACH_YES; k <= REACH_MAYBE; k++)
			if (live[k])
				rule(rs, c, &c->rules[i], ll[k], s, next, nl,
				     depth);
		memcpy(live, next, sizeof(live));
		memcpy(ll, nl, sizeof(ll));
	}
	for (k = REACH_YES; k <= REACH_MAYBE; k++) {
		if (!live[k])
			continue;
		if (!c->base) {
			if (!s->ret[k]) {
				s->ret[k] = true;
				s->ret_lab[k] = ll[k];
			}
		} else if (c->policy_drop) {
			on_drop(s, c, 0);
		} else {
			on_accept(s, ll[k], c, 0);
		}
	}
	/* a base chain's return ends it: its policy */
	for (k = REACH_YES; c->base && k <= REACH_MAYBE; k++) {
		if (!s->ret[k])
			continue;
		if (c->policy_drop)
			on_drop(s, c, 0);
		else
			on_accept(s, s->ret_lab[k], c, 0);
	}
	s->busy = false;
	s->gen = rs->gen;
	return s;
}

/*
 * Send one rtnetlink request of @type for @family (with RTA_DST @dst of
 * the family's length, if given) on a new socket; NULL if that failed.
 */
static struct mnl_socket *rt_request(char *buf, uint16_t type, uint16_t flags,
				     uint8_t family, const uint8_t *dst)
{
	unsigned int alen = family == AF_INET ? 4 : 16;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (!nl)
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	if (dst) {
		rtm->rtm_dst_len = alen * 8;
		mnl_attr_put(nlh, RTA_DST, alen, dst);
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/*
 * More routing rules than the kernel's own (local, main, default): the
 * route may depend on the source, mark or input interface, which the
 * probe does not fix, so one lookup cannot name the output interface.
 */
static bool policy_routing(uint8_t family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int rules = 0;
	bool done = false;
	int n;

	nl = rt_request(buf, RTM_GETRULE, NLM_F_DUMP, family, NULL);
	if (!nl)
		return true;
	while (!done && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_type == NLMSG_DONE ||
			    nlh->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			rules++;
		}
	mnl_socket_close(nl);
	return !done || rules > (family == AF_INET ? 3 : 2);
}

/* The interface a route to @addr leaves by, into @name; false if none. */
static bool route_get(uint8_t family, const uint8_t *addr, char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nlattr *a;
	bool found = false;
	int n;

	nl = rt_request(buf, RTM_GETROUTE, 0, family, addr);
	if (!nl)
		return false;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	nlh = (struct nlmsghdr *)buf;
	if (n > 0 && mnl_nlmsg_ok(nlh, n) && nlh->nlmsg_type == RTM_NEWROUTE)
		mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
			if (mnl_attr_get_type(a) == RTA_OIF &&
			    if_indextoname(mnl_attr_get_u32(a), name))
				found = true;
	mnl_socket_close(nl);
	return found;
}

/*
 * The interface the kernel routes @p's destination out of, and whether
 * the internet is routed out of it too (a one-armed firewall: then the
 * attacker may come in on it).
 */
static void route_oif(struct reach_rs *rs, const struct reach_probe *p)
{
	/* any global address will do: the default route's interface */
	static const uint8_t inet4[4] = { 8, 8, 8, 8 };
	static const uint8_t inet6[16] = { 0x20, 0x01, 0x48, 0x60, 0x48, 0x60,
					   [15] = 0x88 };
	uint8_t family = p->nfproto == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	char inet[IFNAMSIZ];

	rs->oif_known = false;
	rs->oif_inet = false;
	if (p->local) {
		rs->oif_known = true;
		rs->oifname[0] = 0;
		return;
	}
	if (memcmp(p->daddr_lo, p->daddr_hi, 16))
		return;			/* a prefix: routes may differ */
	if (policy_routing(family))
		return;
	rs->oif_known = route_get(family, p->daddr_lo, rs->oifname);
	rs->oif_inet = rs->oif_known &&
		       route_get(family, family == AF_INET ? inet4 : inet6,
				 inet) && !strcmp(inet, rs->oifname);
}

static bool sees(const struct reach_chain *c, const struct reach_probe *p,
		 enum hook h)
{
	return c->base && !c->dormant && c->hook == h &&
	       (!strcmp(c->family, "inet") ||
		!strcmp(c->family, p->nfproto == NFPROTO_IPV4 ? "ip" : "ip6"));
}

/* nat chains run inside the nat core's hook (nf_nat_register_fn) */
static int eff_prio(const struct reach_chain *c)
{
	if (strcmp(c->type, "nat"))
		return c->prio;
	return c->hook == H_PRE ? -100 : 100;
}

/* Base chains of a hook in the order the kernel runs them. */
static int by_prio(const void *x, const void *y)
{
	const struct reach_chain *a = *(struct reach_chain *const *)x;
	const struct reach_chain *b = *(struct reach_chain *const *)y;

	if (eff_prio(a) != eff_prio(b))
		return eff_prio(a) < eff_prio(b) ? -1 : 1;
	return a < b ? -1 : a > b;
}

void reach_eval(struct reach_rs *rs, const struct reach_probe *p,
		struct reach_out *out)
{
	const enum hook hooks[2] = { H_PRE, p->local ? H_IN : H_FWD };
	struct reach_chain *c, *order[REACH_HOPS];
	const struct csum *s;
	struct reach_hop *h;
	size_t i, j, n;
	bool altered = false, overflow = false;
	struct lab alter = { 0 };
	int k;

	memset(out, 0, sizeof(*out));
	if (!rs->routed || memcmp(rs->routed_to, p->daddr_lo, 16) ||
	    memcmp(rs->routed_to + 16, p->daddr_hi, 16) ||
	    rs->routed_local != p->local) {
		route_oif(rs, p);
		rs->routed = true;
		memcpy(rs->routed_to, p->daddr_lo, 16);
		memcpy(rs->routed_to + 16, p->daddr_hi, 16);
		rs->routed_local = p->local;
	}
	rs->p = p;
	rs->gen++;
	out->verdict = REACH_YES;
	for (j = 0; j < 2; j++) {
		for (i = 0, n = 0; i < rs->n_chains; i++)
			if (sees(&rs->chains[i], p, hooks[j])) {
				if (n == REACH_HOPS) {
					/* more than the walk keeps */
					overflow = true;
					break;
				}
				order[n++] = &rs->chains[i];
			}
		qsort(order, n, sizeof(order[0]), by_prio);
		for (i = 0; i < n && out->n < REACH_HOPS; i++) {
			c = order[i];
			/* regular chains see the base chain's context */
			if (rs->ctx_hook != c->hook ||
			    rs->ctx_noct != (c->hook == H_PRE &&
					     eff_prio(c) < PRIO_CONNTRACK) ||
			    rs->ctx_ctamb != (c->hook == H_PRE &&
					      eff_prio(c) == PRIO_CONNTRACK)) {
				rs->ctx_hook = c->hook;
				rs->ctx_noct = c->hook == H_PRE &&
					       eff_prio(c) < PRIO_CONNTRACK;
				rs->ctx_ctamb = c->hook == H_PRE &&
						eff_prio(c) == PRIO_CONNTRACK;
				rs->gen++;
			}
			s = walk(rs, c, 0);
			h = &out->hop[out->n++];
			h->chain = c;
			h->accept = REACH_NO;
			for (k = REACH_YES; k <= REACH_MAYBE; k++)
				if (s->acc[k]) {
					h->accept = k;
					h->at = s->acc_at[k];
					h->why = s->acc_lab[k].why;
					snprintf(h->what, sizeof(h->what), "%s",
						 s->acc_lab[k].what ?
						 s->acc_lab[k].what : "");
					break;
				}
			h->drop = s->drop;
			h->drop_at = s->drop_at;
			/*
			 * After a rewrite (notrack, dnat, ...) on some path,
			 * later chains saw another packet than the probe:
			 * their drops are not final, their accepts unsure.
			 */
			if (altered && h->accept != REACH_MAYBE) {
				if (h->accept == REACH_NO)
					h->at = alter.why;
				h->accept = REACH_MAYBE;
				h->why = alter.why;
				snprintf(h->what, sizeof(h->what), "%s",
					 alter.what);
			}
			if (s->altered && !altered) {
				altered = true;
				alter = s->alter;
			}
			/* the rest is walked too: its openings are shadowed */
			if (h->accept == REACH_NO)
				out->verdict = REACH_NO;
			else if (out->verdict != REACH_NO &&
				 h->accept > out->verdict)
				out->verdict = h->accept;
		}
	}
	if (overflow)
		out->verdict = REACH_MAYBE;
}

/* Takes packets elsewhere than their destination: an xt DNAT, ... */
static bool redirects(const json_t *e)
{
	static const char *const xt[] = { "DNAT", "REDIRECT", "NETMAP",
					   "TPROXY", "TEE" };
	const json_t *x;

	if (json_object_get(e, "redirect") || json_object_get(e, "tproxy") ||
	    json_object_get(e, "dup") || json_object_get(e, "fwd"))
		return true;
	if ((x = json_object_get(e, "mangle")))
		return json_object_get(json_object_get(x, "key"), "payload");
	if ((x = json_object_get(e, "xt")))
		return named_in(jstr(x, "name"), xt, ARRAY_LEN(xt));
	return false;
}

/*
 * A dnat whose target may be in [@lo, @hi] (family @nfproto): packets to
 * another address end up at the edge, and chains before the dnat saw
 * that other address, which the probes do not follow.
 */
bool reach_dnat_to(const struct reach_rs *rs, uint8_t nfproto,
		   const uint8_t *lo, const uint8_t *hi, struct reach_point *at)
{
	uint8_t alen = nfproto == NFPROTO_IPV4 ? 4 : 16;
	uint8_t tlo[16], thi[16];
	const json_t *e, *d, *addr;
	const struct reach_chain *c;
	size_t i, j, k;

	for (i = 0; i < rs->n_chains; i++) {
		c = &rs->chains[i];
		if (strcmp(c->family, "inet") &&
		    strcmp(c->family, alen == 4 ? "ip" : "ip6"))
			continue;
		for (j = 0; j < c->n; j++)
			json_array_foreach(c->rules[j].expr, k, e) {
				d = json_object_get(e, "dnat");
				if (!d && !redirects(e))
					continue;
				addr = json_object_get(d, "addr");
				if (json_is_string(addr) &&
				    (!addr_iv(addr, alen, tlo, thi) ||
				     memcmp(thi, lo, alen) < 0 ||
				     memcmp(hi, tlo, alen) < 0))
					continue;	/* elsewhere */
				at->chain = c;
				at->handle = c->rules[j].handle;
				return true;
			}
	}
	return false;
}

/* ---- port classes ------------------------------------------------------ */

/* Mark @v and @v + 1: where a comparison with @v may change its answer. */
static void mark(uint8_t *bits, json_int_t v)
{
	if (v >= 0 && v <= 65535)
		bits[v / 8] |= 1 << (v % 8);
	if (v + 1 >= 0 && v + 1 <= 65535)
		bits[(v + 1) / 8] |= 1 << ((v + 1) % 8);
}

static void collect(const json_t *j, uint8_t *bits)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_integer(j)) {
		mark(bits, json_integer_value(j));
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, x)
			collect(x, bits);
	} else if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, x)
			collect(x, bits);
	}
}

size_t reach_ports(const struct reach_rs *rs, uint16_t lo, uint16_t hi,
		   uint16_t *pts, size_t cap)
{
	uint8_t *bits = calloc(65536 / 8, 1);
	uint32_t p;
	size_t n = 0, i;

	if (!bits || !cap) {
		free(bits);
		return 0;
	}
	collect(rs->root, bits);
	for (i = 0; i < rs->n_xtports; i++)
		mark(bits, rs->xtports[i]);
	if (rs->xt_all)
		memset(bits, 0xff, 65536 / 8);
	pts[n++] = lo;
	for (p = (uint32_t)lo + 1; p <= hi && n < cap; p++)
		if (bits[p / 8] & (1 << (p % 8)))
			pts[n++] = p;
	free(bits);
	return n;
}

const char *reach_family(const struct reach_chain *c)
{
	return c->family;
}

const char *reach_table(const struct reach_chain *c)
{
	return c->table;
}

const char *reach_name(const struct reach_chain *c)
{
	return c->name;
}

bool reach_legacy(char *names, size_t len)
{
	static const char *const files[] = { "/proc/net/ip_tables_names",
					     "/proc/net/ip6_tables_names" };
	char line[64];
	size_t o = 0, i;
	FILE *f;

	names[0] = 0;
	for (i = 0; i < 2; i++) {
		f = fopen(files[i], "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			if (line[0] && o + strlen(line) + 8 < len)
				o += snprintf(names + o, len - o, "%s%s%s",
					      o ? ", " : "", i ? "ip6 " : "ip ",
					      line);
		}
		fclose(f);
	}
	return o > 0;
}
