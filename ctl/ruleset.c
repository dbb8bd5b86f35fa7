// SPDX-License-Identifier: GPL-2.0
/*
 * edgepin ruleset install [--edge ADDR...] [--sip-port PORT...|none]
 *                         [--turn-port PORT...] [--range LO-HI...]
 *                 | remove [--keep-guard]
 *                 | show [--nft [--guard] [--policy FILE] ...]
 *
 * Two tables, written as one transaction that first creates each table
 * (so that deleting it cannot fail), deletes it, and writes it anew:
 * installing twice gives the same tables, and nothing outside them is
 * touched. Base chains on prerouting at priority -150 (after conntrack,
 * before DNAT): "guard", in inet edgepin_guard, drops new connections
 * into the media range of the edge addresses unless they entered through
 * a pinhole; "sip", in inet edgepin, attaches the helper (and "turn"
 * the TURN helper, with --turn-port). A drop in any
 * base chain is final, so no accept in the operator's own tables can
 * reopen the range. The guard table needs no module, so it can live in
 * nftables.conf ("show --nft --guard"): with edgepin down, or its module
 * missing after a kernel update, the range stays closed (fails closed)
 * and the operator's ruleset still loads.
 *
 * --edge and --range are written to the module's policy as well, and the
 * guard is built from the policy, so the two agree when installed;
 * "edgepin audit" reports it when they drift apart.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <libnftnl/expr.h>

#include "edgepin.h"
#include "match.h"
#include "policy.h"
#include "print.h"
#include "ruleset.h"

#define PORTS_MAX 16
#define ARGS_MAX 64

const char *family_word(uint32_t family)
{
	switch (family) {
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	case NFPROTO_ARP:
		return "arp";
	}
	return "?";
}

bool rs_is_ours(uint32_t family, const char *table)
{
	return family == NFPROTO_INET &&
	       (!strcmp(table, RS_TABLE) || !strcmp(table, RS_TABLE_GUARD));
}

const char *hook_name(uint32_t hook)
{
	static const char *const names[] = {
		"prerouting", "input", "forward", "output", "postrouting",
		"ingress",
	};

	return hook < ARRAY_SIZE(names) ? names[hook] : "?";
}

struct nftnl_chain *rs_chain(const struct nft_ruleset *rs, uint32_t family,
			     const char *table, const char *name)
{
	struct nftnl_chain_list_iter *it;
	struct nftnl_chain *c;

	it = nftnl_chain_list_iter_create(rs->chains);
	if (!it)
		return NULL;
	for (c = nftnl_chain_list_iter_next(it); c;
	     c = nftnl_chain_list_iter_next(it))
		if (nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY) == family &&
		    !strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), table) &&
		    !strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), name))
			break;
	nftnl_chain_list_iter_destroy(it);
	return c;
}

/* Expressions, each loading into or comparing register 1. */
static void add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(r, e);
}

static void e_meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	add(r, e);
}

static void e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off,
		      uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	add(r, e);
}

static void e_ct(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	add(r, e);
}

static void e_bitwise(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	static const uint8_t zero[16];

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	add(r, e);
}

static void e_cmp(struct nftnl_rule *r, uint32_t op, const void *data,
		  uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add(r, e);
}

static void e_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, verdict);
	add(r, e);
}

/* ct KEY & @bits != 0: "ct state established", "ct status expected". */
static void e_ct_bits(struct nftnl_rule *r, uint32_t key, uint32_t bits)
{
	uint32_t zero = 0;

	e_ct(r, key);
	e_bitwise(r, &bits, sizeof(bits));
	e_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
}

/* "udp dport LO-HI" (one port when @lo == @hi) as nft writes it. */
static void e_dport(struct nftnl_rule *r, uint8_t proto, uint16_t lo,
		    uint16_t hi)
{
	uint16_t blo = htons(lo), bhi = htons(hi);

	e_meta(r, NFT_META_L4PROTO);
	e_cmp(r, NFT_CMP_EQ, &proto, 1);
	e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	if (lo == hi) {
		e_cmp(r, NFT_CMP_EQ, &blo, 2);
		return;
	}
	e_cmp(r, NFT_CMP_GTE, &blo, 2);
	e_cmp(r, NFT_CMP_LTE, &bhi, 2);
}

/* "ip daddr ADDR/PLEN" or "ip6 daddr ..." (saddr with @src). */
static void e_addr(struct nftnl_rule *r, uint8_t family, const uint8_t *a,
		   uint8_t plen, bool src)
{
	uint8_t nfproto = family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
	uint32_t alen = family == AF_INET ? 4 : 16, i;
	uint8_t mask[16] = { 0 }, v[16];

	for (i = 0; i < alen; i++) {
		unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;

		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		v[i] = a[i] & mask[i];
	}
	e_meta(r, NFT_META_NFPROTO);
	e_cmp(r, NFT_CMP_EQ, &nfproto, 1);
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, family == AF_INET ?
		  (src ? 12 : 16) : (src ? 8 : 24), alen);
	if (plen < alen * 8)
		e_bitwise(r, mask, alen);
	e_cmp(r, NFT_CMP_EQ, v, alen);
}

static struct nftnl_rule *rule_new(const char *table, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, RS_FAMILY);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

/*
 * A kernel helper the table attaches: its ct helper objects (one per
 * protocol of helper_protos) and the chain of its port rules.
 */
struct attach {
	const char *type, *chain;
	const char *objs[2];
};

static const uint8_t helper_protos[] = { IPPROTO_UDP, IPPROTO_TCP };

static const struct attach attach_sip = {
	RS_TYPE_SIP, RS_CHAIN_SIP, { RS_HELPER_UDP, RS_HELPER_TCP },
};
static const struct attach attach_turn = {
	RS_TYPE_TURN, RS_CHAIN_TURN,
	{ RS_HELPER_TURN_UDP, RS_HELPER_TURN_TCP },
};

static struct nftnl_obj *helper_new(const char *name, const char *type,
				    uint8_t proto)
{
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o)
		return NULL;
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, RS_FAMILY);
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, RS_TABLE);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_HELPER);
	nftnl_obj_set_str(o, NFTNL_OBJ_CT_HELPER_NAME, type);
	nftnl_obj_set_u16(o, NFTNL_OBJ_CT_HELPER_L3PROTO, NFPROTO_INET);
	nftnl_obj_set_u8(o, NFTNL_OBJ_CT_HELPER_L4PROTO, proto);
	return o;
}

static struct nftnl_chain *chain_new(const char *table, const char *name)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return NULL;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, RS_FAMILY);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_PRE_ROUTING);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, RS_PRIORITY);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	return c;
}

static struct nftnl_chain *chain_prio(struct nftnl_chain *c, int32_t prio)
{
	if (c)
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	return c;
}

struct ports {
	size_t n;
	uint16_t p[PORTS_MAX];
};

struct install {
	struct ports sip, turn;
	bool no_sip;			/* --sip-port none */
	int n_edge, n_range;
	char *edge[ARGS_MAX + 1];	/* "edge" ADDR... for policy set */
	char *range[ARGS_MAX + 1];	/* "range" LO-HI... */
};

/* @h's objects, its chain and "udp dport PORT ct helper set OBJ" each. */
static void add_helper(struct nft_tx *tx, const struct attach *h,
		       const struct ports *p)
{
	struct nftnl_expr *e;
	struct nftnl_rule *r;
	size_t i, j;

	if (!p->n)
		return;
	for (j = 0; j < ARRAY_SIZE(helper_protos); j++)
		nft_tx_obj(tx, helper_new(h->objs[j], h->type,
					  helper_protos[j]));
	nft_tx_chain(tx, chain_new(RS_TABLE, h->chain));
	for (i = 0; i < p->n; i++)
		for (j = 0; j < ARRAY_SIZE(helper_protos); j++) {
			r = rule_new(RS_TABLE, h->chain);
			e_dport(r, helper_protos[j], p->p[i], p->p[i]);
			e = nftnl_expr_alloc("objref");
			nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE,
					   NFT_OBJECT_CT_HELPER);
			nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME,
					   h->objs[j]);
			add(r, e);
			nft_tx_rule(tx, r);
		}
}

/* One drop per range, protocol and edge prefix (or any address). */
static void add_guard_rules(struct nft_tx *tx, const struct policy_view *p)
{
	static const uint8_t protos[] = { IPPROTO_UDP, IPPROTO_TCP };
	struct nftnl_rule *r;
	size_t i, j, k, n_edges = p->n_edges ? p->n_edges : 1;

	r = rule_new(RS_TABLE_GUARD, RS_CHAIN_GUARD);
	e_ct_bits(r, NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED));
	e_verdict(r, NF_ACCEPT);
	nft_tx_rule(tx, r);
	r = rule_new(RS_TABLE_GUARD, RS_CHAIN_GUARD);
	e_ct_bits(r, NFT_CT_STATUS, IPS_EXPECTED);
	e_verdict(r, NF_ACCEPT);
	nft_tx_rule(tx, r);
	for (i = 0; i < p->n_ranges; i++)
		for (k = 0; k < n_edges; k++)
			for (j = 0; j < ARRAY_SIZE(protos); j++) {
				r = rule_new(RS_TABLE_GUARD, RS_CHAIN_GUARD);
				if (p->n_edges)
					e_addr(r, p->edges[k].family,
					       p->edges[k].addr,
					       p->edges[k].plen, false);
				e_dport(r, protos[j], p->ranges[i].lo,
					p->ranges[i].hi);
				add(r, nftnl_expr_alloc("counter"));
				e_verdict(r, NF_DROP);
				nft_tx_rule(tx, r);
			}
}

/*
 * "ip saddr EDGE fib saddr . iif oif missing counter drop": a packet that
 * claims an edge source but came in where that source does not route
 * back (the internet side) is dropped before conntrack sees it. The
 * helper refuses such SIP messages itself (refused_spoofed); this keeps
 * them from the rest of the firewall and from the peers too.
 */
static void add_antispoof_rules(struct nft_tx *tx, const struct policy_view *p)
{
	struct nftnl_expr *e;
	struct nftnl_rule *r;
	uint32_t missing = 0;	/* as nft writes "oif missing" */
	size_t k;

	for (k = 0; k < p->n_edges; k++) {
		r = rule_new(RS_TABLE_GUARD, RS_CHAIN_ANTISPOOF);
		e_addr(r, p->edges[k].family, p->edges[k].addr,
		       p->edges[k].plen, true);
		e = nftnl_expr_alloc("fib");
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_SADDR |
				   NFTA_FIB_F_IIF | NFTA_FIB_F_PRESENT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT,
				   NFT_FIB_RESULT_OIF);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
		add(r, e);
		e_cmp(r, NFT_CMP_EQ, &missing, sizeof(missing));
		add(r, nftnl_expr_alloc("counter"));
		e_verdict(r, NF_DROP);
		nft_tx_rule(tx, r);
	}
}

static int install_tx(const struct install *in, const struct policy_view *p)
{
	struct nft_tx *tx = nft_tx_new();
	char what[96];
	int ret;

	if (!tx)
		return ctl_error(NULL, "ruleset install", -ENOMEM);
	/* Each table created (so that deleting it cannot fail), deleted
	 * and written anew; the guard first, as "show --nft" prints them.
	 */
	nft_tx_table(tx, NFT_MSG_NEWTABLE, RS_FAMILY, RS_TABLE_GUARD);
	nft_tx_table(tx, NFT_MSG_DELTABLE, RS_FAMILY, RS_TABLE_GUARD);
	nft_tx_table(tx, NFT_MSG_NEWTABLE, RS_FAMILY, RS_TABLE_GUARD);
	nft_tx_chain(tx, chain_new(RS_TABLE_GUARD, RS_CHAIN_GUARD));
	if (p->n_edges)
		nft_tx_chain(tx, chain_prio(chain_new(RS_TABLE_GUARD,
						      RS_CHAIN_ANTISPOOF),
					    RS_PRIORITY_ANTISPOOF));
	add_guard_rules(tx, p);
	add_antispoof_rules(tx, p);
	nft_tx_table(tx, NFT_MSG_NEWTABLE, RS_FAMILY, RS_TABLE);
	nft_tx_table(tx, NFT_MSG_DELTABLE, RS_FAMILY, RS_TABLE);
	nft_tx_table(tx, NFT_MSG_NEWTABLE, RS_FAMILY, RS_TABLE);
	add_helper(tx, &attach_sip, &in->sip);
	add_helper(tx, &attach_turn, &in->turn);
	ret = nft_tx_commit(tx, what, sizeof(what));
	nft_tx_free(tx);
	if (ret) {
		char where[160];

		snprintf(where, sizeof(where), "ruleset install: %s", what);
		return ctl_error(NULL, where, ret);
	}
	return 0;
}

/* Values of an option: the words up to the next "--option". */
static int take_words(int argc, char **argv, int i, char **out, int *n)
{
	int start = i;

	while (i < argc && strncmp(argv[i], "--", 2) && *n < ARGS_MAX)
		out[++*n] = argv[i++];
	return i == start ? -1 : i;
}

/*
 * Ports of @opt: the words up to the next "--option", each 1-65535; with
 * @none (--sip-port), "none" instead sets it. Returns the next word's
 * index, -1 for no words, or -EXIT_USAGE (said why).
 */
static int take_ports(int argc, char **argv, int i, const char *opt,
		      struct ports *p, bool *none)
{
	int next = i;
	uint64_t v;

	if (none && i < argc && !strcmp(argv[i], "none") && !p->n && !*none) {
		*none = true;
		next++;
	}
	for (; next < argc && strncmp(argv[next], "--", 2); next++) {
		if (p->n == PORTS_MAX || (none && *none) ||
		    parse_uint(argv[next], 65535, &v) || !v)
			return -ctl_usage(&ruleset_object,
					  "ruleset install: bad %s '%s'", opt,
					  argv[next]);
		p->p[p->n++] = v;
	}
	return next == i ? -1 : next;
}

/* SIP and TURN ports: disjoint (a connection has one helper), some. */
static int check_ports(struct install *in)
{
	size_t i, j;

	if (in->no_sip && !in->turn.n)
		return ctl_usage(&ruleset_object,
				 "ruleset install: --sip-port none wants --turn-port: nothing to attach");
	if (!in->no_sip && !in->sip.n)
		in->sip.p[in->sip.n++] = 5060;
	for (i = 0; i < in->sip.n; i++)
		for (j = 0; j < in->turn.n; j++)
			if (in->sip.p[i] == in->turn.p[j])
				return ctl_usage(&ruleset_object,
						 "ruleset install: port %u is both a SIP and a TURN port",
						 in->sip.p[i]);
	return 0;
}

static int parse_install(int argc, char **argv, struct install *in)
{
	int i = 0, next;

	in->edge[0] = "edge";
	in->range[0] = "range";
	while (i < argc) {
		const char *opt = argv[i++];

		if (!strcmp(opt, "--edge")) {
			next = take_words(argc, argv, i, in->edge, &in->n_edge);
		} else if (!strcmp(opt, "--range")) {
			next = take_words(argc, argv, i, in->range,
					  &in->n_range);
		} else if (!strcmp(opt, "--sip-port")) {
			next = take_ports(argc, argv, i, "SIP port", &in->sip,
					  &in->no_sip);
		} else if (!strcmp(opt, "--turn-port")) {
			next = take_ports(argc, argv, i, "TURN port",
					  &in->turn, NULL);
		} else {
			return ctl_usage(&ruleset_object,
					 "ruleset install: unknown option '%s'",
					 opt);
		}
		if (next == -EXIT_USAGE)
			return EXIT_USAGE;
		if (next < 0)
			return ctl_usage(&ruleset_object,
					 "ruleset install: %s wants a value",
					 opt);
		i = next;
	}
	return check_ports(in);
}

static int show_nft(const char *what, int argc, char **argv);

/*
 * install --print: what show --nft prints for the same options, and
 * nothing set or written (no policy change, no nftables transaction).
 */
static int ruleset_install_print(int argc, char **argv)
{
	char *rest[ARGS_MAX * 2];
	struct install in = { 0 };
	int i, n = 0, ret;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--print")) {
			if (n == (int)ARRAY_SIZE(rest))
				return ctl_usage(&ruleset_object,
						 "ruleset install: too many arguments");
			rest[n++] = argv[i];
		}
	/* install's options only: no --guard, no --policy */
	ret = parse_install(n, rest, &in);
	return ret ? ret : show_nft("ruleset install --print", n, rest);
}

static int ruleset_install_main(int argc, char **argv)
{
	struct install in = { 0 };
	char **argvs[2];
	int argcs[2], n = 0;
	struct policy_view *p;
	struct nl *nl;
	int ret, i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--print"))
			return ruleset_install_print(argc, argv);
	ret = parse_install(argc, argv, &in);
	if (ret)
		return ret;
	/* Set in one request: a bad value changes neither. */
	if (in.n_edge) {
		argcs[n] = in.n_edge + 1;
		argvs[n++] = in.edge;
	}
	if (in.n_range) {
		argcs[n] = in.n_range + 1;
		argvs[n++] = in.range;
	}
	if (n) {
		ret = policy_set_words("ruleset install", n, argcs, argvs);
		if (ret)
			return ret;
	}
	nl = ctl_open("ruleset install");
	p = calloc(1, sizeof(*p));
	if (!nl || !p) {
		free(p);
		nl_close(nl);
		return 1;
	}
	ret = policy_fetch(nl, p);
	if (ret)
		ret = ctl_error(nl, "ruleset install: policy", ret);
	else
		ret = install_tx(&in, p);
	if (!ret && !p->n_edges)
		fputs("edgepin: ruleset install: no edge in the policy: the guard covers every address\n",
		      stderr);
	free(p);
	nl_close(nl);
	return ret;
}

static int ruleset_remove_main(int argc, char **argv)
{
	bool keep_guard = argc == 1 && !strcmp(argv[0], "--keep-guard");
	struct nft_tx *tx;
	char what[96];
	int ret;

	if (argc > 1 || (argc && !keep_guard))
		return ctl_usage(&ruleset_object,
				 "ruleset remove: takes only --keep-guard, not '%s'",
				 argv[argc - 1]);
	tx = nft_tx_new();
	if (!tx)
		return ctl_error(NULL, "ruleset remove", -ENOMEM);
	/* Created first, so removing what is not there is no error. */
	nft_tx_table(tx, NFT_MSG_NEWTABLE, RS_FAMILY, RS_TABLE);
	nft_tx_table(tx, NFT_MSG_DELTABLE, RS_FAMILY, RS_TABLE);
	if (!keep_guard) {
		nft_tx_table(tx, NFT_MSG_NEWTABLE, RS_FAMILY, RS_TABLE_GUARD);
		nft_tx_table(tx, NFT_MSG_DELTABLE, RS_FAMILY, RS_TABLE_GUARD);
	}
	ret = nft_tx_commit(tx, what, sizeof(what));
	nft_tx_free(tx);
	return ret ? ctl_error(NULL, "ruleset remove", ret) : 0;
}

static void show_helpers(const struct nft_ruleset *rs)
{
	struct nftnl_obj_list_iter *it = nftnl_obj_list_iter_create(rs->objs);
	struct nftnl_obj *o;
	uint8_t proto;

	open_json_array("helpers");
	for (o = it ? nftnl_obj_list_iter_next(it) : NULL; o;
	     o = nftnl_obj_list_iter_next(it)) {
		if (!rs_is_ours(nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY),
				nftnl_obj_get_str(o, NFTNL_OBJ_TABLE)) ||
		    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) !=
		    NFT_OBJECT_CT_HELPER)
			continue;
		proto = nftnl_obj_get_u8(o, NFTNL_OBJ_CT_HELPER_L4PROTO);
		open_json_object(NULL);
		print_string(PRINT_ANY, "name", "\tct helper %s",
			     nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
		print_string(PRINT_ANY, "type", " type \"%s\"",
			     nftnl_obj_get_str(o, NFTNL_OBJ_CT_HELPER_NAME));
		print_string(PRINT_ANY, "protocol", " protocol %s",
			     proto_name(proto));
		close_json_object();
		print_nl();
	}
	close_json_array();
	if (it)
		nftnl_obj_list_iter_destroy(it);
}

static bool is_turn_obj(const char *name)
{
	return !strcmp(name, RS_HELPER_TURN_UDP) ||
	       !strcmp(name, RS_HELPER_TURN_TCP);
}

/* What the table does, gathered from its rules. */
struct summary {
	struct ivs sip_ports, turn_ports, range;
	char edges[1024];
};

static void summarise(const struct match *m, struct summary *s)
{
	char buf[512];
	size_t i, o = strlen(s->edges);

	if (m->helper[0]) {
		for (i = 0; i < m->dport.n; i++)
			ivs_push(is_turn_obj(m->helper) ? &s->turn_ports :
				 &s->sip_ports, m->dport.iv[i].lo,
				 m->dport.iv[i].hi);
		return;
	}
	if (m->verdict != V_DROP || m->rpf_missing)
		return;
	for (i = 0; i < m->dport.n && s->range.n < IVS_MAX; i++)
		if (!ivs_covers(&s->range, m->dport.iv[i].lo,
				m->dport.iv[i].hi))
			s->range.iv[s->range.n++] = m->dport.iv[i];
	addrs_format(&m->daddr, buf, sizeof(buf));
	if (!m->daddr.any && !strstr(s->edges, buf) &&
	    o + strlen(buf) + 2 < sizeof(s->edges))
		snprintf(s->edges + o, sizeof(s->edges) - o, "%s%s",
			 o ? " " : "", buf);
}

static void show_rules(const struct nft_ruleset *rs, const char *table,
		       const char *chain, struct summary *s)
{
	struct nftnl_rule_list_iter *it;
	struct nftnl_rule *r;
	struct match m;
	char buf[1024];

	it = nftnl_rule_list_iter_create(rs->rules);
	open_json_array("rules");
	for (r = it ? nftnl_rule_list_iter_next(it) : NULL; r;
	     r = nftnl_rule_list_iter_next(it)) {
		if (nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) != RS_FAMILY ||
		    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), table) ||
		    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chain))
			continue;
		match_rule(rs, r, &m);
		summarise(&m, s);
		open_json_object(NULL);
		print_string(PRINT_ANY, "rule", "\t\t%s",
			     match_format(&m, buf, sizeof(buf)));
		print_uint(PRINT_ANY, "handle", " # handle %llu",
			   nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
		close_json_object();
		print_nl();
	}
	close_json_array();
	if (it)
		nftnl_rule_list_iter_destroy(it);
}

/* The chains of table inet @table, each with its rules. */
static void show_chains(const struct nft_ruleset *rs, const char *table,
			struct summary *s)
{
	struct nftnl_chain_list_iter *it;
	struct nftnl_chain *c;
	const char *name;

	it = nftnl_chain_list_iter_create(rs->chains);
	for (c = it ? nftnl_chain_list_iter_next(it) : NULL; c;
	     c = nftnl_chain_list_iter_next(it)) {
		if (nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY) != RS_FAMILY ||
		    strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), table))
			continue;
		name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
		open_json_object(NULL);
		print_string(PRINT_JSON, "table", NULL, table);
		print_string(PRINT_ANY, "name", "\tchain %s", name);
		if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
			print_string(PRINT_ANY, "hook", " hook %s", hook_name(
				nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM)));
			print_string(PRINT_FP, NULL, " priority %s", "");
			print_int(PRINT_ANY, "priority", "%lld",
				  nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO));
			print_string(PRINT_ANY, "policy", " policy %s",
				     nftnl_chain_get_u32(c,
				     NFTNL_CHAIN_POLICY) == NF_DROP ?
				     "drop" : "accept");
		}
		print_nl();
		show_rules(rs, table, name, s);
		close_json_object();
	}
	if (it)
		nftnl_chain_list_iter_destroy(it);
}

bool rs_table_exists(const struct nft_ruleset *rs, uint32_t family,
		     const char *name)
{
	struct nftnl_table_list_iter *it;
	struct nftnl_table *t;

	it = nftnl_table_list_iter_create(rs->tables);
	if (!it)
		return false;
	for (t = nftnl_table_list_iter_next(it); t;
	     t = nftnl_table_list_iter_next(it))
		if (nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) == family &&
		    !strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), name))
			break;
	nftnl_table_list_iter_destroy(it);
	return t;
}

/* "sip-ports 5060,5080" (or none); JSON "sip_ports": [{lo, hi}...]. */
static void show_ports(const char *text, const char *key,
		       const struct ivs *ports)
{
	char buf[1024];

	print_string(PRINT_FP, NULL, text, ports->n ?
		     ivs_format(ports, buf, sizeof(buf)) : "none");
	print_nl();
	open_json_array(key);
	ivs_print(ports);
	close_json_array();
}

static void show_summary(struct summary *s)
{
	show_ports("sip-ports %s", "sip_ports", &s->sip_ports);
	show_ports("turn-ports %s", "turn_ports", &s->turn_ports);
	print_string(PRINT_ANY, "edge", "edge %s",
		     s->edges[0] ? s->edges : "any");
	print_nl();
	show_ports("range %s", "range", &s->range);
}

/* "ip daddr ADDR[/LEN] " as nft writes it (saddr with @src). */
static void nft_addr(uint8_t family, uint8_t plen, const uint8_t *a,
		     bool src)
{
	unsigned int alen = family == AF_INET ? 4 : 16, i;
	char buf[INET6_ADDRSTRLEN];
	uint8_t v[16] = { 0 };

	for (i = 0; i < alen; i++) {
		unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;

		v[i] = bits >= 8 ? a[i] : a[i] & (uint8_t)(0xff << (8 - bits));
	}
	inet_ntop(family, v, buf, sizeof(buf));
	printf("%s %s %s", family == AF_INET ? "ip" : "ip6",
	       src ? "saddr" : "daddr", buf);
	if (plen < alen * 8)
		printf("/%u", plen);
	putchar(' ');
}

/* "table inet T" and "delete table inet T" first: loads twice alike. */
static void nft_table_open(const char *t)
{
	printf("table inet %s\ndelete table inet %s\ntable inet %s {\n", t, t,
	       t);
}

static void nft_chain_open(const char *name, int prio)
{
	printf("\tchain %s {\n"
	       "\t\ttype filter hook prerouting priority %d; policy accept;\n",
	       name, prio);
}

/* add_helper() as nft text. */
static void print_nft_helper(const struct attach *h, const struct ports *p)
{
	const char *proto;
	size_t i, j;

	if (!p->n)
		return;
	for (j = 0; j < ARRAY_SIZE(helper_protos); j++)
		printf("\tct helper %s {\n\t\ttype \"%s\" protocol %s\n"
		       "\t\tl3proto inet\n\t}\n", h->objs[j], h->type,
		       proto_name(helper_protos[j]));
	nft_chain_open(h->chain, RS_PRIORITY);
	for (i = 0; i < p->n; i++)
		for (j = 0; j < ARRAY_SIZE(helper_protos); j++) {
			proto = proto_name(helper_protos[j]);
			printf("\t\t%s dport %u ct helper set \"%s\"\n",
			       proto, p->p[i], h->objs[j]);
		}
	printf("\t}\n");
}

/*
 * What install writes, as nft text that "nft -f" loads: the same rules
 * in the same order (add_guard_rules, add_antispoof_rules, add_helper),
 * so that "nft list" shows the same either way.
 */
static void print_nft(const struct install *in, const struct policy_view *p,
		      bool guard_only)
{
	static const char *const protos[] = { "udp", "tcp" };
	size_t i, j, k, n_edges = p->n_edges ? p->n_edges : 1;

	nft_table_open(RS_TABLE_GUARD);
	nft_chain_open(RS_CHAIN_GUARD, RS_PRIORITY);
	printf("\t\tct state established accept\n"
	       "\t\tct status expected accept\n");
	for (i = 0; i < p->n_ranges; i++)
		for (k = 0; k < n_edges; k++)
			for (j = 0; j < ARRAY_SIZE(protos); j++) {
				printf("\t\t");
				if (p->n_edges)
					nft_addr(p->edges[k].family,
						 p->edges[k].plen,
						 p->edges[k].addr, false);
				printf("%s dport %u", protos[j],
				       p->ranges[i].lo);
				if (p->ranges[i].hi != p->ranges[i].lo)
					printf("-%u", p->ranges[i].hi);
				printf(" counter drop\n");
			}
	printf("\t}\n");
	if (p->n_edges) {
		nft_chain_open(RS_CHAIN_ANTISPOOF, RS_PRIORITY_ANTISPOOF);
		for (k = 0; k < p->n_edges; k++) {
			printf("\t\t");
			nft_addr(p->edges[k].family, p->edges[k].plen,
				 p->edges[k].addr, true);
			printf("fib saddr . iif oif missing counter drop\n");
		}
		printf("\t}\n");
	}
	printf("}\n");
	if (guard_only)
		return;
	nft_table_open(RS_TABLE);
	print_nft_helper(&attach_sip, &in->sip);
	print_nft_helper(&attach_turn, &in->turn);
	printf("}\n");
}

/*
 * show --nft [--guard] [--policy FILE] [install's options]: the policy
 * is FILE's (the defaults, then its keys, as "policy load" sets them)
 * or else the module's; --edge and --range replace its keys.
 */
static int show_nft(const char *what, int argc, char **argv)
{
	const char *file = NULL;
	struct install in = { 0 };
	bool guard_only = false;
	char *rest[ARGS_MAX * 2];
	int n = 0, i, ret, nw = 0, wc[2];
	char **wv[2];
	struct policy_view *p;
	struct nl *nl;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--guard")) {
			guard_only = true;
		} else if (!strcmp(argv[i], "--policy")) {
			if (i + 1 == argc || !strncmp(argv[i + 1], "--", 2))
				return ctl_usage(&ruleset_object,
						 "%s: --policy wants a FILE",
						 what);
			file = argv[++i];
		} else if (n < (int)ARRAY_SIZE(rest)) {
			rest[n++] = argv[i];
		} else {
			return ctl_usage(&ruleset_object,
					 "%s: too many arguments", what);
		}
	}
	ret = parse_install(n, rest, &in);
	if (ret)
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ctl_error(NULL, what, -ENOMEM);
	if (file) {
		/* the module's defaults (DESIGN "Policy") */
		p->n_ranges = 1;
		p->ranges[0].lo = 50000;
		p->ranges[0].hi = 59999;
	} else {
		nl = ctl_open(what);
		ret = nl ? policy_fetch(nl, p) : 1;
		if (nl && ret)
			ret = ctl_error(nl, what, ret);
		nl_close(nl);
		if (ret) {
			fprintf(stderr, "edgepin: %s: without the module, give the policy: ruleset show --nft --policy FILE\n",
				what);
			goto out;
		}
	}
	if (in.n_edge) {
		wc[nw] = in.n_edge + 1;
		wv[nw++] = in.edge;
	}
	if (in.n_range) {
		wc[nw] = in.n_range + 1;
		wv[nw++] = in.range;
	}
	ret = policy_view_apply(what, file, nw, wc, wv, p);
	if (!ret) {
		printf("# edgepin ruleset (edgepin ruleset show --nft%s), from %s%s\n",
		       guard_only ? " --guard" : "",
		       file ? "the policy file " : "the module's policy",
		       file ? file : "");
		if (!p->n_edges)
			printf("# no edge in the policy: the guard covers every address\n");
		print_nft(&in, p, guard_only);
	}
out:
	free(p);
	return ret;
}

static int ruleset_show_main(int argc, char **argv)
{
	struct summary *s;
	struct nft_ruleset rs;
	bool helper, guard;
	int ret;

	if (argc && !strcmp(argv[0], "--nft"))
		return show_nft("ruleset show --nft", argc - 1, argv + 1);
	if (argc)
		return ctl_usage(&ruleset_object,
				 "ruleset show: unknown option '%s'", argv[0]);
	s = calloc(1, sizeof(*s));
	ret = s ? nft_ruleset_get(&rs) : -ENOMEM;
	if (ret) {
		free(s);
		return ctl_error(NULL, "ruleset show", ret);
	}
	helper = rs_table_exists(&rs, RS_FAMILY, RS_TABLE);
	guard = rs_table_exists(&rs, RS_FAMILY, RS_TABLE_GUARD);
	open_json_object(NULL);
	print_string(PRINT_ANY, "table", "table inet %s", RS_TABLE);
	print_bool(PRINT_JSON, "installed", NULL, helper);
	print_string(PRINT_FP, NULL, "%s", helper ? "" : ": not installed");
	print_string(PRINT_JSON, "guard_table", NULL, RS_TABLE_GUARD);
	print_bool(PRINT_JSON, "guard_installed", NULL, guard);
	print_nl();
	show_helpers(&rs);
	open_json_array("chains");
	show_chains(&rs, RS_TABLE, s);
	print_string(PRINT_FP, NULL, "table inet %s", RS_TABLE_GUARD);
	print_string(PRINT_FP, NULL, "%s", guard ? "" : ": not installed");
	print_nl();
	show_chains(&rs, RS_TABLE_GUARD, s);
	close_json_array();
	if (helper || guard) {
		ivs_norm(&s->sip_ports);
		ivs_norm(&s->turn_ports);
		show_summary(s);
	}
	close_json_object();
	print_end();
	nft_ruleset_free(&rs);
	free(s);
	return 0;
}

static void ruleset_help(FILE *f)
{
	fprintf(f, "  install writes two tables in one transaction. Table inet %s\n"
		"  needs no module: chain %s drops new connections into the\n"
		"  policy's range on its edge addresses unless expected (with\n"
		"  counters); with edge addresses, chain %s (prerouting,\n"
		"  priority %d) drops packets claiming an edge source that came\n"
		"  in where that source does not route back out (fib saddr . iif).\n"
		"  Table inet %s needs the module: helpers %s and %s on\n"
		"  the SIP ports (default 5060; --sip-port none: no SIP helper)\n"
		"  in chain %s, and with --turn-port, helpers %s and\n"
		"  %s (type \"%s\") on the TURN ports in chain %s\n"
		"  (none by default; a port is SIP or TURN, not both). --edge and\n"
		"  --range set the policy too. remove deletes both tables and\n"
		"  nothing else; --keep-guard deletes only inet %s, so the range\n"
		"  stays closed.\n"
		"  show --nft prints them as nft text that \"nft -f\" loads (for\n"
		"  nftables.conf: --guard, the guard alone), from the module's\n"
		"  policy or, with --policy FILE, from FILE's; install --print\n"
		"  prints the same and changes nothing.\n",
		RS_TABLE_GUARD, RS_CHAIN_GUARD, RS_CHAIN_ANTISPOOF,
		RS_PRIORITY_ANTISPOOF, RS_TABLE, RS_HELPER_UDP, RS_HELPER_TCP,
		RS_CHAIN_SIP, RS_HELPER_TURN_UDP, RS_HELPER_TURN_TCP,
		attach_turn.type, RS_CHAIN_TURN, RS_TABLE);
}

static const struct cmd ruleset_cmds[] = {
	{ "install", ruleset_install_main,
	  "[--print] [--edge ADDR...] [--sip-port PORT...] [--turn-port PORT...] [--range LO-HI...]",
	  "write tables inet edgepin_guard and inet edgepin (idempotent)" },
	{ "remove", ruleset_remove_main, "[--keep-guard]",
	  "delete them (or inet edgepin only)" },
	{ "show", ruleset_show_main,
	  "[--nft [--guard] [--policy FILE] [install's options]]",
	  "what they do, or their nft text" },
	{ NULL, NULL, NULL, NULL },
};

const struct object ruleset_object = {
	.name = "ruleset",
	.cmds = ruleset_cmds,
	.help = "the nftables table that attaches the helper and guards the media range",
	.more_help = ruleset_help,
};
