// SPDX-License-Identifier: GPL-2.0
/*
 * edgepin audit: what is reachable in the media range right now. Reads
 * the whole nftables ruleset and the module's policy and pinholes, and
 * reports findings, each with a severity and a one-line fix:
 *
 *   critical  the media range of an edge address is reachable without a
 *             pinhole (a static accept, or nothing drops it at all);
 *   high      calls will fail or pinholes will not open (a drop that
 *             takes pinholed media, no helper attached, Linux's "sip"
 *             helper on the same traffic, mode monitor behind a guard);
 *   warning   a rule that may open the range but could not be decoded
 *             (the verdict is then unknown), a dnat to the edge,
 *             iptables-legacy tables, no edge configured, table and
 *             policy disagreeing, a small nf_conntrack_expect_max or
 *             expectation hash;
 *   info      what is fine but worth knowing (an opening the guard
 *             shadows).
 *
 * What is reachable comes from reach.c: for each edge, protocol and class
 * of ports, a new connection no pinhole expects is walked through every
 * base chain it meets (prerouting, then forward, or input for an edge of
 * this host), and so is a pinholed one. Exit status: 0 not exposed, 3
 * exposed, 4 unknown (only something not decoded may accept), 1 the
 * audit could not run, 2 bad command line.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "uapi/edgepin.h"
#include "edgepin.h"
#include "match.h"
#include "policy.h"
#include "reach.h"
#include "print.h"
#include "ruleset.h"

#define EXIT_EXPOSED 3
#define EXIT_UNKNOWN 4
#define EDGES_MAX 256
#define PEERS_MAX 64

enum sev { SEV_INFO, SEV_WARNING, SEV_HIGH, SEV_CRITICAL, SEV_N };

static const char *const sev_names[] = {
	[SEV_INFO] = "info", [SEV_WARNING] = "warning", [SEV_HIGH] = "high",
	[SEV_CRITICAL] = "critical",
};

/* An edge prefix, or (n_edges == 0) every address of both families. */
struct edge {
	uint8_t family, plen;
	uint8_t addr[16];
};

/* A decoded rule and where it sits. */
struct arule {
	const struct nftnl_rule *r;
	const struct nftnl_chain *c;
	bool base, counts, ours;
	struct match m;
};

struct reach_audit;

struct audit {
	struct nft_ruleset rs;
	struct nl *nl;			/* NULL: module not reachable */
	struct policy_view *pol;	/* NULL: policy not read */
	int nl_err;
	size_t n_edges;
	struct edge edges[POLICY_VIEW_MAX + 2];
	struct ivs media;
	size_t n_rules;
	struct arule *rules;
	unsigned int count[SEV_N];
	struct reach_rs *reach;
	struct reach_audit *ra;
	bool exposed, unknown;		/* the verdict */
	bool ours;			/* a rule of edgepin's tables exists */
};

/* What a static opening lets in, for the JSON keys of its finding. */
struct exposure {
	uint8_t protos;			/* EDGEPIN_PROTO_* */
	struct ivs ports;
	char daddr[512];
	bool restricted;		/* only from some sources */
};

static const uint8_t l4protos[] = { IPPROTO_UDP, IPPROTO_TCP };

static void print_exposure(const struct exposure *x)
{
	open_json_array("protos");
	if (x->protos & EDGEPIN_PROTO_UDP)
		print_string(PRINT_JSON, NULL, NULL, "udp");
	if (x->protos & EDGEPIN_PROTO_TCP)
		print_string(PRINT_JSON, NULL, NULL, "tcp");
	close_json_array();
	open_json_array("ports");
	ivs_print(&x->ports);
	close_json_array();
	print_string(PRINT_JSON, "daddr", NULL, x->daddr);
	print_string(PRINT_JSON, "from", NULL,
		     x->restricted ? "restricted" : "any");
}

/* Where a finding points: a rule (handle), or a chain's policy (0). */
struct loc {
	const char *family, *table, *chain;
	uint64_t handle;
};

static void vfinding(struct audit *a, enum sev level, const char *code,
		     const struct loc *at, const struct exposure *x,
		     const char *fix, const char *fmt, va_list ap)
{
	char what[1024];

	vsnprintf(what, sizeof(what), fmt, ap);
	a->count[level]++;
	open_json_object(NULL);
	print_string(PRINT_ANY, "severity", "%-8s", sev_names[level]);
	print_string(PRINT_ANY, "code", " %s", code);
	if (at) {
		print_string(PRINT_ANY, "family", " %s", at->family);
		print_string(PRINT_ANY, "table", " %s", at->table);
		print_string(PRINT_ANY, "chain", " %s", at->chain);
		if (at->handle)
			print_uint(PRINT_ANY, "handle", " handle %llu",
				   at->handle);
		else
			print_string(PRINT_FP, NULL, "%s", " policy");
	}
	if (x)
		print_exposure(x);
	print_string(PRINT_ANY, "what", ": %s", what);
	print_string(PRINT_ANY, "fix", "\n\tfix: %s", fix);
	close_json_object();
	print_nl();
}

/* One finding; @r (may be NULL) is the rule it is about. */
static void finding(struct audit *a, enum sev level, const char *code,
		    const struct nftnl_rule *r, const struct exposure *x,
		    const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void finding_at(struct audit *a, enum sev level, const char *code,
		       const struct loc *at, const struct exposure *x,
		       const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void finding(struct audit *a, enum sev level, const char *code,
		    const struct nftnl_rule *r, const struct exposure *x,
		    const char *fix, const char *fmt, ...)
{
	struct loc at;
	va_list ap;

	if (r) {
		at.family = family_word(nftnl_rule_get_u32(r,
							   NFTNL_RULE_FAMILY));
		at.table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
		at.chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
		at.handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	}
	va_start(ap, fmt);
	vfinding(a, level, code, r ? &at : NULL, x, fix, fmt, ap);
	va_end(ap);
}

static void finding_at(struct audit *a, enum sev level, const char *code,
		       const struct loc *at, const struct exposure *x,
		       const char *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(a, level, code, at, x, fix, fmt, ap);
	va_end(ap);
}

/* A chain the audit looks at: filter chains on prerouting and forward,
 * and regular chains (as if reachable).
 */
static bool chain_counts(const struct nftnl_chain *c, bool *base)
{
	const char *type;
	uint32_t hook;

	*base = c && nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
	if (!*base)
		return true;
	hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
	type = nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE);
	return (hook == NF_INET_PRE_ROUTING || hook == NF_INET_FORWARD) &&
	       (!type || !strcmp(type, "filter"));
}

static bool family_counts(uint32_t family)
{
	return family == NFPROTO_INET || family == NFPROTO_IPV4 ||
	       family == NFPROTO_IPV6;
}

static uint8_t nfproto_of(const struct edge *e)
{
	return e->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
}

/* Takes in new connections that did not come through a pinhole. */
static bool takes_unexpected(const struct match *m)
{
	return m->ct_state & CT_NEW && !m->need_expected &&
	       strcmp(m->iifname, "lo");
}

static bool same_chain(const struct nftnl_rule *x, const struct nftnl_rule *y)
{
	return nftnl_rule_get_u32(x, NFTNL_RULE_FAMILY) ==
	       nftnl_rule_get_u32(y, NFTNL_RULE_FAMILY) &&
	       !strcmp(nftnl_rule_get_str(x, NFTNL_RULE_TABLE),
		       nftnl_rule_get_str(y, NFTNL_RULE_TABLE)) &&
	       !strcmp(nftnl_rule_get_str(x, NFTNL_RULE_CHAIN),
		       nftnl_rule_get_str(y, NFTNL_RULE_CHAIN));
}

/*
 * Is every new, unexpected @proto connection to @e on ports @lo-@hi
 * dropped by a rule of a base chain other than @not_in's (NULL: any)?
 * With @ours, only edgepin's own table counts.
 */
static bool dropped(const struct audit *a, const struct edge *e,
		    uint8_t proto, uint32_t lo, uint32_t hi,
		    const struct nftnl_rule *not_in, bool ours)
{
	const struct arule *x;
	size_t i;

	for (i = 0; i < a->n_rules; i++) {
		x = &a->rules[i];
		if (!x->base || !x->counts || (ours && !x->ours) ||
		    x->m.verdict != V_DROP || x->m.unknown ||
		    !takes_unexpected(&x->m) || x->m.saddr ||
		    x->m.rpf_missing || x->m.iifname[0] ||
		    (not_in && same_chain(x->r, not_in)))
			continue;
		if (ivs_has(&x->m.l4proto, proto) &&
		    (!x->m.nfproto || x->m.nfproto == nfproto_of(e)) &&
		    addrs_cover(&x->m.daddr, e->family, e->addr, e->plen) &&
		    ivs_covers(&x->m.dport, lo, hi))
			return true;
	}
	return false;
}

static bool ports_dropped(const struct audit *a, const struct edge *e,
			  uint8_t proto, const struct ivs *ports,
			  const struct nftnl_rule *not_in, bool ours)
{
	size_t i;

	for (i = 0; i < ports->n; i++)
		if (!dropped(a, e, proto, ports->iv[i].lo, ports->iv[i].hi,
			     not_in, ours))
			return false;
	return true;
}

static const char *edge_text(const struct edge *e, char *buf)
{
	char a[INET6_ADDRSTRLEN];

	if (!e->plen)
		return e->family == AF_INET ? "any IPv4 address" :
		       "any IPv6 address";
	inet_ntop(e->family, e->addr, a, sizeof(a));
	if (e->plen == (e->family == AF_INET ? 32 : 128))
		sprintf(buf, "%s", a);
	else
		sprintf(buf, "%s/%u", a, e->plen);
	return buf;
}

/*
 * What the ruleset lets into the media range, from the attacker's side:
 * for each edge, protocol and class of ports (ports every rule treats
 * alike), a new connection that no pinhole expects is walked through
 * every base chain it meets (reach.c). Accepted by all of them: exposed,
 * blamed on the rules that accepted it. Accepted only through something
 * not decoded: unknown. A pinholed connection (ct state related, status
 * expected; then established) that every path drops: calls fail.
 */
enum agg_kind { AG_OPEN, AG_RANGE_OPEN, AG_UNKNOWN, AG_SHADOWED, AG_PIN_DROP };

struct agg {
	enum agg_kind kind;
	struct reach_point at, why;
	char what[48];
	struct exposure x;
};

#define AGG_MAX 256
#define PORT_CLASSES 65536

struct reach_audit {
	size_t n, more;
	struct agg g[AGG_MAX];
	uint16_t pts[PORT_CLASSES];
};

static void agg_add(struct reach_audit *ra, enum agg_kind kind,
		    const struct reach_point *at, const struct reach_hop *h,
		    bool some, const struct edge *e, uint8_t proto,
		    uint16_t lo, uint16_t hi)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *et = edge_text(e, tmp);
	struct agg *g = NULL;
	size_t i, o;

	for (i = 0; i < ra->n && !g; i++)
		if (ra->g[i].kind == kind &&
		    ra->g[i].at.chain == (at ? at->chain : NULL) &&
		    ra->g[i].at.handle == (at ? at->handle : 0) &&
		    (kind != AG_UNKNOWN ||
		     (ra->g[i].why.chain == h->why.chain &&
		      ra->g[i].why.handle == h->why.handle)))
			g = &ra->g[i];
	if (!g) {
		if (ra->n == AGG_MAX) {
			ra->more++;
			return;
		}
		g = &ra->g[ra->n++];
		memset(g, 0, sizeof(*g));
		g->kind = kind;
		if (at)
			g->at = *at;
		if (h) {
			g->why = h->why;
			snprintf(g->what, sizeof(g->what), "%s", h->what);
		}
	}
	g->x.protos |= proto == IPPROTO_UDP ? EDGEPIN_PROTO_UDP :
		       EDGEPIN_PROTO_TCP;
	g->x.restricted |= some;
	ivs_push(&g->x.ports, lo, hi);
	ivs_norm(&g->x.ports);
	o = strlen(g->x.daddr);
	if (!strstr(g->x.daddr, et) && o + strlen(et) + 3 < sizeof(g->x.daddr))
		snprintf(g->x.daddr + o, sizeof(g->x.daddr) - o, "%s%s",
			 o ? ", " : "", et);
}

static struct loc loc_of(const struct reach_point *p)
{
	struct loc l = {
		.family = reach_family(p->chain), .table = reach_table(p->chain),
		.chain = reach_name(p->chain), .handle = p->handle,
	};

	return l;
}

static void probe_fill(struct reach_probe *p, const struct edge *e,
		       uint8_t proto, uint16_t port, bool local)
{
	unsigned int i, alen = e->family == AF_INET ? 4 : 16;

	memset(p, 0, sizeof(*p));
	p->nfproto = nfproto_of(e);
	p->l4proto = proto;
	p->dport = port;
	p->local = local;
	/* the prefix's bits in both, then all zeros (lo) and ones (hi) */
	for (i = 0; i < alen * 8; i++) {
		uint8_t b = 0x80 >> (i % 8);

		if (i >= e->plen) {
			p->daddr_hi[i / 8] |= b;
		} else if (e->addr[i / 8] & b) {
			p->daddr_lo[i / 8] |= b;
			p->daddr_hi[i / 8] |= b;
		}
	}
}

/* One class of ports [@lo, @hi] to edge @e. */
static void probe_class(struct audit *a, struct reach_audit *ra,
			const struct edge *e, uint8_t proto, uint16_t lo,
			uint16_t hi, bool local)
{
	static const struct {
		uint8_t state;
		uint16_t status;
	} pinholed[] = {
		{ RS_CT_REL, RS_ST_EXPECTED },
		{ RS_CT_EST, RS_ST_EXPECTED | RS_ST_SEEN_REPLY |
			     RS_ST_CONFIRMED },
	};
	struct reach_out out;
	struct reach_probe p;
	bool blamed = false;
	size_t i, k;

	probe_fill(&p, e, proto, lo, local);
	p.ct_state = RS_CT_NEW;
	reach_eval(a->reach, &p, &out);
	/* the verdict, whatever the findings can hold */
	if (out.verdict == REACH_YES || out.verdict == REACH_SOME)
		a->exposed = true;
	else if (out.verdict == REACH_MAYBE)
		a->unknown = true;
	for (i = 0; i < out.n; i++) {
		const struct reach_hop *h = &out.hop[i];

		switch (out.verdict) {
		case REACH_YES:
		case REACH_SOME:
			if (h->at.handle) {
				agg_add(ra, AG_OPEN, &h->at, h,
					out.verdict == REACH_SOME, e, proto,
					lo, hi);
				blamed = true;
			}
			break;
		case REACH_MAYBE:
			if (h->accept == REACH_MAYBE)
				agg_add(ra, AG_UNKNOWN, &h->at, h, false, e,
					proto, lo, hi);
			break;
		case REACH_NO:
			if ((h->accept == REACH_YES ||
			     h->accept == REACH_SOME) && h->at.handle)
				agg_add(ra, AG_SHADOWED, &h->at, h, false, e,
					proto, lo, hi);
			break;
		}
	}
	if ((out.verdict == REACH_YES || out.verdict == REACH_SOME) && !blamed)
		agg_add(ra, AG_RANGE_OPEN, NULL, NULL,
			out.verdict == REACH_SOME, e, proto, lo, hi);
	for (k = 0; k < ARRAY_SIZE(pinholed); k++) {
		p.ct_state = pinholed[k].state;
		p.ct_status = pinholed[k].status;
		reach_eval(a->reach, &p, &out);
		if (out.verdict != REACH_NO)
			continue;
		for (i = 0; i < out.n; i++)
			if (out.hop[i].accept == REACH_NO)
				agg_add(ra, AG_PIN_DROP, &out.hop[i].drop_at,
					&out.hop[i], false, e, proto, lo, hi);
		break;
	}
}

/* Does prefix @e hold @addr? */
static bool edge_holds(const struct edge *e, const uint8_t *addr)
{
	unsigned int i;

	for (i = 0; i < e->plen; i++)
		if ((e->addr[i / 8] ^ addr[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

/*
 * The hooks a packet to @e meets: forward (the edge behind the firewall),
 * input if @e holds an address of this host. With no edge configured
 * (prefix length 0), forward only: the audit is about what the firewall
 * lets through to the edge, not its own sockets.
 */
static void edge_hooks(const struct edge *e, bool *fwd, bool *in)
{
	struct ifaddrs *ifa, *i;
	const uint8_t *addr;
	bool local = false;

	*fwd = true;
	*in = false;
	if (!e->plen || getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != e->family)
			continue;
		addr = e->family == AF_INET ?
		       (const uint8_t *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr :
		       (const uint8_t *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		local |= edge_holds(e, addr);
	}
	freeifaddrs(ifa);
	*in = local;
	/* one address, and it is ours: nothing is forwarded to it */
	*fwd = !local || e->plen < (e->family == AF_INET ? 32 : 128);
}

/*
 * A dnat to the edge: packets sent to another address reach it, and the
 * chains before the dnat saw that address. The probes do not follow
 * them, so the verdict cannot be "not exposed".
 */
static void check_dnat(struct audit *a, const struct edge *e)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	struct reach_point at;
	struct reach_probe p;
	struct loc l;

	probe_fill(&p, e, IPPROTO_UDP, 0, false);
	if (!reach_dnat_to(a->reach, p.nfproto, p.daddr_lo, p.daddr_hi, &at))
		return;
	a->unknown = true;
	l = loc_of(&at);
	finding_at(a, SEV_WARNING, "dnat-to-edge", &l, NULL,
		   "name the address peers send to (the public one) as the edge: edgepin policy set edge ADDR",
		   "this rule may DNAT packets sent to another address to edge %s: the audit does not follow them, so it cannot tell whether the range is closed",
		   edge_text(e, tmp));
}

static void probe_edges(struct audit *a, struct reach_audit *ra)
{
	const struct edge *e;
	size_t i, j, m, n, k;
	bool hooks[2];
	int h;

	for (i = 0; i < a->n_edges; i++) {
		e = &a->edges[i];
		check_dnat(a, e);
		edge_hooks(e, &hooks[0], &hooks[1]);
		for (h = 0; h < 2; h++) {
			if (!hooks[h])
				continue;
			for (j = 0; j < ARRAY_SIZE(l4protos); j++)
				for (m = 0; m < a->media.n; m++) {
					uint16_t lo = a->media.iv[m].lo;
					uint16_t hi = a->media.iv[m].hi;

					n = reach_ports(a->reach, lo, hi,
							ra->pts,
							ARRAY_SIZE(ra->pts));
					for (k = 0; k < n; k++)
						probe_class(a, ra, e,
							    l4protos[j],
							    ra->pts[k],
							    k + 1 < n ?
							    ra->pts[k + 1] - 1 :
							    hi, h);
				}
		}
	}
}

static const char *protos_text(uint8_t protos)
{
	return protos == (EDGEPIN_PROTO_UDP | EDGEPIN_PROTO_TCP) ? "udp/tcp" :
	       protos & EDGEPIN_PROTO_UDP ? "udp" : "tcp";
}

static void report(struct audit *a, const struct agg *g)
{
	char ports[256], where[256] = "";
	struct loc at, why;

	ivs_format(&g->x.ports, ports, sizeof(ports));
	if (g->at.chain)
		at = loc_of(&g->at);
	switch (g->kind) {
	case AG_OPEN:
		finding_at(a, SEV_CRITICAL, "static-opening", &at, &g->x,
			   "delete the rule and install the guard: edgepin ruleset install --edge ADDR",
			   "%s accepts new %s %s to %s %s, no pinhole needed, and every other chain lets them through",
			   at.handle ? "this rule" : "the chain's policy",
			   protos_text(g->x.protos), ports, g->x.daddr,
			   g->x.restricted ?
			   "for some sources, interfaces, rates or addresses" :
			   "from everywhere");
		break;
	case AG_RANGE_OPEN:
		finding_at(a, SEV_CRITICAL, "range-open", NULL, &g->x,
			   "edgepin ruleset install --edge ADDR",
			   "new %s connections to %s %s are dropped by no chain: open %s",
			   protos_text(g->x.protos), g->x.daddr, ports,
			   g->x.restricted ?
			   "for some sources, interfaces, rates or addresses" :
			   "to everyone");
		break;
	case AG_UNKNOWN:
		if (g->why.chain) {
			why = loc_of(&g->why);
			snprintf(where, sizeof(where), " (%s %s %s handle %llu)",
				 why.family, why.table, why.chain,
				 (unsigned long long)why.handle);
		}
		finding_at(a, SEV_WARNING, "unanalysed", g->at.chain ? &at : NULL,
			   &g->x,
			   "read the rule; if it may open the range, delete it and let pinholes open it",
			   "new %s %s to %s may be accepted here: %s%s was not decoded, so the audit cannot tell",
			   protos_text(g->x.protos), ports, g->x.daddr,
			   g->what[0] ? g->what : "a condition", where);
		break;
	case AG_SHADOWED:
		finding_at(a, SEV_INFO, "opening-shadowed", &at, &g->x,
			   "delete it: a drop in another base chain is final",
			   "this rule would accept new %s %s to %s, but another base chain drops them unless expected",
			   protos_text(g->x.protos), ports, g->x.daddr);
		break;
	case AG_PIN_DROP:
		finding_at(a, SEV_HIGH, at.handle ? "drops-pinholed-media" :
			   "policy-drops-pinholed-media", &at, NULL,
			   "accept \"ct status expected\" (or ct state established,related) before it",
			   "%s drops %s media to %s %s that entered through pinholes: calls will have no audio",
			   at.handle ? "this rule" : "the chain's policy",
			   protos_text(g->x.protos), g->x.daddr, ports);
		break;
	}
}

/*
 * iptables-legacy: the kernel runs its rules, nft cannot list them. Its
 * filter tables can only drop more; its nat, raw and mangle tables
 * rewrite what nftables sees (DNAT, NOTRACK, marks), so with those the
 * verdict cannot be "not exposed".
 */
static void check_legacy(struct audit *a)
{
	bool rewrites;
	char names[256];

	if (!reach_legacy(names, sizeof(names)))
		return;
	rewrites = strstr(names, " nat") || strstr(names, " raw") ||
		   strstr(names, " mangle");
	if (rewrites)
		a->unknown = true;
	finding(a, SEV_WARNING, "iptables-legacy", NULL, NULL,
		"move the rules to nftables (iptables-legacy-save | iptables-nft-restore), then unload ip_tables",
		rewrites ?
		"iptables-legacy tables exist (%s): nft cannot read their rules, and nat, raw or mangle rules may rewrite what nftables sees, so the audit cannot tell" :
		"iptables-legacy tables exist (%s): nft cannot read their rules. They can drop more, never accept what nftables drops, so \"not exposed\" stands; \"EXPOSED\" may be a false alarm",
		names);
}

static void check_reach(struct audit *a)
{
	size_t i;

	probe_edges(a, a->ra);
	for (i = 0; i < a->ra->n; i++)
		report(a, &a->ra->g[i]);
	if (a->ra->more)
		finding(a, SEV_INFO, "more-findings", NULL, NULL,
			"fix the findings above and audit again",
			"%zu more findings about rules and classes of ports are not listed (at most %d are)",
			a->ra->more, AGG_MAX);
	check_legacy(a);
}
/* The ct helper object @name of the table of @r: its helper type. */
static const char *helper_type(const struct audit *a,
			       const struct nftnl_rule *r, const char *name)
{
	struct nftnl_obj_list_iter *it;
	const char *type = NULL;
	struct nftnl_obj *o;

	it = nftnl_obj_list_iter_create(a->rs.objs);
	for (o = it ? nftnl_obj_list_iter_next(it) : NULL; o && !type;
	     o = nftnl_obj_list_iter_next(it))
		if (nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) ==
		    NFT_OBJECT_CT_HELPER &&
		    nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY) ==
		    nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) &&
		    !strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE),
			    nftnl_rule_get_str(r, NFTNL_RULE_TABLE)) &&
		    !strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_NAME), name))
			type = nftnl_obj_get_str(o, NFTNL_OBJ_CT_HELPER_NAME);
	if (it)
		nftnl_obj_list_iter_destroy(it);
	return type ? type : "?";
}

static bool same_traffic(const struct match *x, const struct match *y)
{
	struct ivs p = x->l4proto, d = x->dport;

	ivs_and(&p, &y->l4proto);
	ivs_and(&d, &y->dport);
	return p.n && d.n;
}

/*
 * Helper types by name: "edgepin", or "edgepin-5080" for ports= 5080
 * (and "sip", "sip-5080" alike); "edgepin-turn" is another helper.
 */
static bool helper_is(const char *type, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(type, name, n) || (type[n] && type[n] != '-'))
		return false;
	if (!type[n])
		return true;
	return type[n + 1] && strspn(type + n + 1, "0123456789") ==
			      strlen(type + n + 1);
}

/* Does a rule attach helper @name? */
static bool helper_attached(const struct audit *a, const char *name)
{
	const struct arule *x;
	size_t i;

	for (i = 0; i < a->n_rules; i++) {
		x = &a->rules[i];
		if (x->m.helper[0] &&
		    helper_is(helper_type(a, x->r, x->m.helper), name))
			return true;
	}
	return false;
}

static void check_helpers(struct audit *a)
{
	bool sip = helper_attached(a, RS_TYPE_SIP);
	const struct arule *x, *y;
	char rule[1024];
	size_t i, j;

	/* TURN alone (ruleset install --sip-port none) is a choice */
	if (!sip && helper_attached(a, RS_TYPE_TURN))
		finding(a, SEV_INFO, "helper-not-attached", NULL, NULL,
			"edgepin ruleset install --sip-port PORT... --turn-port PORT..., if SIP should open pinholes too",
			"no rule attaches the edgepin helper to SIP traffic: pinholes open only from TURN permissions (helper edgepin-turn)");
	else if (!sip)
		finding(a, SEV_HIGH, "helper-not-attached", NULL, NULL,
			"edgepin ruleset install",
			"no rule attaches the edgepin helper to SIP traffic: no pinhole will ever open");
	for (i = 0; i < a->n_rules; i++) {
		x = &a->rules[i];
		if (!x->m.helper[0] ||
		    !helper_is(helper_type(a, x->r, x->m.helper), "sip"))
			continue;
		for (j = 0; j < a->n_rules; j++) {
			y = &a->rules[j];
			if (!y->m.helper[0] ||
			    !helper_is(helper_type(a, y->r, y->m.helper), RS_TYPE_SIP) ||
			    !same_traffic(&x->m, &y->m))
				continue;
			finding(a, SEV_HIGH, "sip-helper-conflict", x->r, NULL,
				"delete this rule: a connection has one helper, and the last one set wins",
				"\"%s\" attaches Linux's sip helper to the SIP traffic edgepin is attached to",
				match_format(&x->m, rule, sizeof(rule)));
			break;
		}
	}
}

static long read_number(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static void check_config(struct audit *a)
{
	char tmp[INET6_ADDRSTRLEN + 8], ports[256];
	size_t i, j;

	if (!a->pol) {
		finding(a, SEV_HIGH, "module-unreachable", NULL, NULL,
			"modprobe nf_conntrack_edgepin",
			"cannot read the module's policy (%s): range and edge unknown, assumed 50000-59999 on any address",
			strerror(-a->nl_err));
		return;
	}
	if (!a->pol->n_edges)
		finding(a, SEV_WARNING, "edge-unset", NULL, NULL,
			"edgepin ruleset install --edge ADDR... (sets the policy's edge too)",
			"no edge address in the policy: both sides of every call are pinned, on any address");
	if (a->pol->monitor)
		finding(a, a->ours ? SEV_HIGH : SEV_WARNING, "mode-monitor",
			NULL, NULL, "edgepin policy set mode enforce",
			"the policy is in mode monitor: nothing is pinned%s",
			a->ours ? ", so the guard drops all media" : "");
	if (a->pol->logging_pinnable)
		finding(a, SEV_WARNING, "logging-ports-pinnable", NULL, NULL,
			"add \"exclude tcp 50001-50003\" to the policy (an exclude line replaces the default)",
			"the policy's exclude does not cover TCP 50001-50003, where the Edge's Centralized Logging Service listens: a call can pin them");
	if (rs_table_exists(&a->rs, RS_FAMILY, RS_TABLE) &&
	    !rs_table_exists(&a->rs, RS_FAMILY, RS_TABLE_GUARD))
		finding(a, SEV_WARNING, "guard-missing", NULL, NULL,
			"edgepin ruleset install; for boot and nftables reloads, edgepin ruleset show --nft --guard in nftables.conf",
			"table inet %s attaches the helper but table inet %s is missing: nothing of edgepin's keeps the range closed, only the rest of the ruleset",
			RS_TABLE, RS_TABLE_GUARD);
	if (!a->ours)
		return;
	ivs_format(&a->media, ports, sizeof(ports));
	for (i = 0; i < a->n_edges; i++)
		for (j = 0; j < ARRAY_SIZE(l4protos); j++)
			if (!ports_dropped(a, &a->edges[i], l4protos[j],
					   &a->media, NULL, true))
				finding(a, SEV_WARNING, "guard-mismatch", NULL,
					NULL, "edgepin ruleset install",
					"table inet %s does not guard %s %s %s, which the policy pins",
					RS_TABLE_GUARD, proto_name(l4protos[j]),
					edge_text(&a->edges[i], tmp), ports);
}

/*
 * The kernel's expectation hash (one for all netns, sized only when
 * nf_conntrack loads): every new connection of a netns that has
 * expectations, and every pinhole opened, walks one chain of it, a
 * dependent load per entry, under the global nf_conntrack_expect_lock.
 * The kernel's defaults make 4 a chain (expect_max = 4 x buckets); the
 * bound is twice that, so expect_max raised 2x alone passes, and the
 * 64-128 of expect_max 65536 on the default 512-1024 buckets do not.
 */
#define EXPECT_CHAIN_GOAL 4
#define EXPECT_CHAIN_MAX (2 * EXPECT_CHAIN_GOAL)

/* Buckets for @n expectations at EXPECT_CHAIN_GOAL a chain. */
static unsigned long long expect_buckets(unsigned long long n)
{
	unsigned long long b = 1;

	while (b * EXPECT_CHAIN_GOAL < n)
		b <<= 1;
	return b;
}

/*
 * Room for the expectations the policy can ask for (max-pinholes, and
 * max-calls x max-pinholes-per-call), and short hash chains for as many
 * as the netns can hold.
 */
static void check_expect(struct audit *a)
{
	const struct policy_view *p = a->pol;
	long max = read_number("/proc/sys/net/netfilter/nf_conntrack_expect_max");
	long hsize = read_number("/sys/module/nf_conntrack/parameters/expect_hashsize");
	unsigned long long need = ULLONG_MAX, load, n;
	char fix[256];

	if (p) {
		need = (unsigned long long)p->max_calls * p->max_per_call;
		if (need > p->max_pinholes)
			need = p->max_pinholes;
	}
	if (max >= 0 && p && need > (unsigned long long)max) {
		snprintf(fix, sizeof(fix),
			 "sysctl -w net.netfilter.nf_conntrack_expect_max=%llu, or lower max-pinholes",
			 need);
		finding(a, SEV_WARNING, "expect-max-low", NULL, NULL, fix,
			"nf_conntrack_expect_max %ld is below the %llu pinholes the policy allows (max-pinholes %u, max-calls %u x max-pinholes-per-call %u): pinholes beyond it are refused",
			max, need, p->max_pinholes, p->max_calls,
			p->max_per_call);
	}
	load = need;
	if (max >= 0 && (unsigned long long)max < need)
		load = max;
	if (hsize <= 0 || load == ULLONG_MAX ||
	    load <= EXPECT_CHAIN_MAX * (unsigned long long)hsize)
		return;
	n = expect_buckets(load);
	snprintf(fix, sizeof(fix),
		 "options nf_conntrack expect_hashsize=%llu in /etc/modprobe.d/edgepin.conf, or nf_conntrack.expect_hashsize=%llu on the kernel command line; read only when nf_conntrack loads (reboot)",
		 n, n);
	finding(a, SEV_WARNING, "expect-hash-small", NULL, NULL, fix,
		"the expectation hash has %ld buckets (nf_conntrack.expect_hashsize) for up to %llu expectations: chains of %.1f on average, more than %d, walked under the global nf_conntrack_expect_lock by every new connection and every pinhole opened",
		hsize, load, (double)load / hsize, EXPECT_CHAIN_MAX);
}

/*
 * Is IPv4 rp_filter strict (1) on every interface? The kernel uses the
 * larger of conf/all and conf/IFACE, so 2 anywhere is loose there.
 */
static bool rp_filter_strict(void)
{
	long all = read_number("/proc/sys/net/ipv4/conf/all/rp_filter"), v;
	char path[PATH_MAX];
	struct dirent *de;
	bool strict = true;
	DIR *d;

	if (all < 0 || all > 1)
		return false;
	d = opendir("/proc/sys/net/ipv4/conf");
	if (!d)
		return false;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "all") ||
		    !strcmp(de->d_name, "default") || !strcmp(de->d_name, "lo"))
			continue;
		snprintf(path, sizeof(path),
			 "/proc/sys/net/ipv4/conf/%s/rp_filter", de->d_name);
		v = read_number(path);
		if ((all > v ? all : v) != 1)
			strict = false;
	}
	closedir(d);
	return strict;
}

/* A base prerouting drop of packets from @e that do not route back. */
static bool antispoofed(const struct audit *a, const struct edge *e)
{
	const struct arule *x;
	uint32_t hook;
	size_t i;

	for (i = 0; i < a->n_rules; i++) {
		x = &a->rules[i];
		if (!x->base || x->m.verdict != V_DROP || !x->m.rpf_missing ||
		    x->m.unknown || x->m.src_other || x->m.iifname[0] ||
		    x->m.ct_state != CT_ALL || !x->m.daddr.any ||
		    !ivs_covers(&x->m.l4proto, 0, 255) ||
		    !ivs_covers(&x->m.dport, 0, 65535) ||
		    (x->m.nfproto && x->m.nfproto != nfproto_of(e)))
			continue;
		hook = nftnl_chain_get_u32(x->c, NFTNL_CHAIN_HOOKNUM);
		if (hook != NF_INET_PRE_ROUTING)
			continue;
		if (x->m.src.any ||
		    addrs_cover(&x->m.src, e->family, e->addr, e->plen))
			return true;
	}
	return false;
}

/*
 * Can a packet claiming an edge source come in from the internet side?
 * edgepin itself refuses such SIP messages (refused_spoofed); the rest
 * of the firewall, and the peers behind it, do not.
 */
static void check_spoofable(struct audit *a)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	bool strict4 = rp_filter_strict();
	size_t i;

	if (!a->pol || !a->pol->n_edges)
		return;
	for (i = 0; i < a->n_edges; i++) {
		if (antispoofed(a, &a->edges[i]) ||
		    (a->edges[i].family == AF_INET && strict4))
			continue;
		finding(a, SEV_WARNING, "edge-spoofable", NULL, NULL,
			"edgepin ruleset install (chain antispoof), or a prerouting rule \"ip saddr EDGE fib saddr . iif oif missing drop\"",
			"packets claiming edge source %s are accepted on any interface (no reverse-path drop for it%s): edgepin ignores such SIP messages (refused_spoofed), the rest of the firewall does not",
			edge_text(&a->edges[i], tmp),
			a->edges[i].family == AF_INET ?
			", rp_filter not strict" : "; IPv6 has no rp_filter");
	}
}

/* Live pinholes, summarised per edge address. */
struct pin_edge {
	uint8_t len;
	uint8_t addr[16];
	unsigned int pins, udp, tcp, active, n_peers;
	uint8_t peers[PEERS_MAX][17];	/* len, addr */
};

struct pin_sum {
	size_t n;
	struct pin_edge e[EDGES_MAX];
};

static void pin_add_peer(struct pin_edge *e, const struct nlattr *a)
{
	uint8_t len = mnl_attr_get_payload_len(a);
	unsigned int i;

	for (i = 0; i < e->n_peers; i++)
		if (e->peers[i][0] == len &&
		    !memcmp(e->peers[i] + 1, mnl_attr_get_payload(a), len))
			return;
	if (e->n_peers == PEERS_MAX)
		return;
	e->peers[e->n_peers][0] = len;
	memcpy(e->peers[e->n_peers++] + 1, mnl_attr_get_payload(a), len);
}

static int pin_cb(const struct nlmsghdr *nlh, void *data)
{
	static const struct nl_spec top[EDGEPIN_A_MAX + 1] = {
		[EDGEPIN_A_PINHOLE] = { MNL_TYPE_NESTED },
	};
	static const struct nl_spec spec[EDGEPIN_A_PIN_MAX + 1] = {
		[EDGEPIN_A_PIN_PROTO] = { MNL_TYPE_U8 },
		[EDGEPIN_A_PIN_EDGE_ADDR] = { MNL_TYPE_BINARY, 4, 16 },
		[EDGEPIN_A_PIN_PEER_ADDR] = { MNL_TYPE_BINARY, 4, 16 },
		[EDGEPIN_A_PIN_STATE] = { MNL_TYPE_U8 },
	};
	const struct nlattr *tb[EDGEPIN_A_MAX + 1], *pt[EDGEPIN_A_PIN_MAX + 1];
	struct pin_sum *s = data;
	const struct nlattr *ea;
	size_t i;

	if (nl_parse_msg(nlh, top, EDGEPIN_A_MAX, tb) || !tb[EDGEPIN_A_PINHOLE] ||
	    nl_parse_nest(tb[EDGEPIN_A_PINHOLE], spec, EDGEPIN_A_PIN_MAX, pt) ||
	    !pt[EDGEPIN_A_PIN_EDGE_ADDR] || !pt[EDGEPIN_A_PIN_PROTO]) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	ea = pt[EDGEPIN_A_PIN_EDGE_ADDR];
	for (i = 0; i < s->n; i++)
		if (s->e[i].len == mnl_attr_get_payload_len(ea) &&
		    !memcmp(s->e[i].addr, mnl_attr_get_payload(ea), s->e[i].len))
			break;
	if (i == EDGES_MAX)
		return MNL_CB_OK;
	if (i == s->n) {
		s->e[i].len = mnl_attr_get_payload_len(ea);
		memcpy(s->e[i].addr, mnl_attr_get_payload(ea), s->e[i].len);
		s->n++;
	}
	s->e[i].pins++;
	if (mnl_attr_get_u8(pt[EDGEPIN_A_PIN_PROTO]) == IPPROTO_UDP)
		s->e[i].udp++;
	else
		s->e[i].tcp++;
	if (pt[EDGEPIN_A_PIN_STATE] &&
	    mnl_attr_get_u8(pt[EDGEPIN_A_PIN_STATE]) == EDGEPIN_PIN_ACTIVE)
		s->e[i].active++;
	if (pt[EDGEPIN_A_PIN_PEER_ADDR])
		pin_add_peer(&s->e[i], pt[EDGEPIN_A_PIN_PEER_ADDR]);
	return MNL_CB_OK;
}

static int show_pinholes(struct audit *a)
{
	struct pin_sum *s = calloc(1, sizeof(*s));
	char buf[INET6_ADDRSTRLEN];
	size_t i;
	int ret;

	if (!s)
		return -ENOMEM;
	ret = nl_dump(a->nl, nl_request(a->nl, EDGEPIN_CMD_PINHOLE_GET,
					NLM_F_DUMP), pin_cb, s);
	if (!ret)
		ctl_dump_warn(a->nl, "audit: pinholes");
	open_json_array("pinholes");
	for (i = 0; !ret && i < s->n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "edge_addr", "pinholes to %s:",
			     format_addr(s->e[i].addr, s->e[i].len, buf));
		print_uint(PRINT_ANY, "pinholes", " %llu", s->e[i].pins);
		print_uint(PRINT_ANY, "udp", " (udp %llu", s->e[i].udp);
		print_uint(PRINT_ANY, "tcp", ", tcp %llu)", s->e[i].tcp);
		print_uint(PRINT_ANY, "active", ", %llu active", s->e[i].active);
		print_uint(PRINT_ANY, "peers", ", from %llu peer addresses",
			   s->e[i].n_peers);
		close_json_object();
		print_nl();
	}
	close_json_array();
	if (!ret && !s->n) {
		print_string(PRINT_FP, NULL, "%s", "pinholes: none");
		print_nl();
	}
	free(s);
	return ret;
}

/* Each rule, decoded once, with its chain. */
static int load_rules(struct audit *a)
{
	struct nftnl_rule_list_iter *it;
	struct nftnl_rule *r;
	struct arule *x;
	uint32_t family;
	size_t cap = 64;

	a->rules = malloc(cap * sizeof(*a->rules));
	it = nftnl_rule_list_iter_create(a->rs.rules);
	if (!a->rules || !it) {
		if (it)
			nftnl_rule_list_iter_destroy(it);
		return -ENOMEM;
	}
	for (r = nftnl_rule_list_iter_next(it); r;
	     r = nftnl_rule_list_iter_next(it)) {
		family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
		if (!family_counts(family))
			continue;
		if (a->n_rules == cap) {
			x = realloc(a->rules, 2 * cap * sizeof(*x));
			if (!x) {
				nftnl_rule_list_iter_destroy(it);
				return -ENOMEM;
			}
			a->rules = x;
			cap *= 2;
		}
		x = &a->rules[a->n_rules++];
		x->r = r;
		x->c = rs_chain(&a->rs, family,
				nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
				nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		x->counts = chain_counts(x->c, &x->base);
		x->ours = rs_is_ours(family,
				     nftnl_rule_get_str(r, NFTNL_RULE_TABLE));
		a->ours |= x->ours;
		match_rule(&a->rs, r, &x->m);
	}
	nftnl_rule_list_iter_destroy(it);
	return 0;
}

/* The edges and media range from the policy, or every address. */
static void load_policy(struct audit *a)
{
	static const struct edge any[] = {
		{ .family = AF_INET }, { .family = AF_INET6 },
	};
	size_t i;

	a->nl_err = nl_open(&a->nl);
	a->pol = calloc(1, sizeof(*a->pol));
	if (!a->nl_err && a->pol)
		a->nl_err = policy_fetch(a->nl, a->pol);
	if (a->nl_err || !a->pol) {
		free(a->pol);
		a->pol = NULL;
		ivs_one(&a->media, 50000, 59999);
	} else {
		a->media.n = 0;
		for (i = 0; i < a->pol->n_ranges; i++)
			ivs_push(&a->media, a->pol->ranges[i].lo,
				 a->pol->ranges[i].hi);
		ivs_norm(&a->media);
		for (i = 0; i < a->pol->n_edges; i++) {
			a->edges[i].family = a->pol->edges[i].family;
			a->edges[i].plen = a->pol->edges[i].plen;
			memcpy(a->edges[i].addr, a->pol->edges[i].addr, 16);
		}
		a->n_edges = a->pol->n_edges;
	}
	if (!a->n_edges) {
		memcpy(a->edges, any, sizeof(any));
		a->n_edges = ARRAY_SIZE(any);
	}
}

static void show_summary(const struct audit *a)
{
	int s;

	open_json_object("summary");
	if (a->exposed || !a->unknown)
		print_bool(PRINT_JSON, "exposed", NULL, a->exposed);
	else
		print_null(PRINT_JSON, "exposed", NULL, NULL);
	print_string(PRINT_FP, NULL, "%s", a->exposed ?
		     "EXPOSED: the media range is reachable without a pinhole" :
		     a->unknown ?
		     "unknown: a rule that may open the media range was not decoded" :
		     "not exposed: the media range is reachable only through pinholes");
	for (s = SEV_CRITICAL; s >= SEV_INFO; s--)
		print_uint(PRINT_ANY, sev_names[s], s == SEV_CRITICAL ?
			   "\n%llu critical" : s == SEV_HIGH ? ", %llu high" :
			   s == SEV_WARNING ? ", %llu warning" : ", %llu info",
			   a->count[s]);
	close_json_object();
	print_nl();
}

static int audit_main(int argc, char **argv)
{
	struct audit *a;
	int ret;

	(void)argv;
	if (argc)
		return ctl_usage(&audit_object, "audit: takes no arguments");
	a = calloc(1, sizeof(*a));
	if (!a)
		return ctl_error(NULL, "audit", -ENOMEM);
	ret = nft_ruleset_get(&a->rs);
	if (ret) {
		free(a);
		return ctl_error(NULL, "audit: nftables ruleset", ret);
	}
	load_policy(a);
	ret = load_rules(a);
	if (ret) {
		ret = ctl_error(NULL, "audit", ret);
		goto out;
	}
	a->ra = calloc(1, sizeof(*a->ra));
	if (!a->ra) {
		ret = ctl_error(NULL, "audit", -ENOMEM);
		goto out;
	}
	ret = reach_load(&a->reach, &a->rs);
	if (ret) {
		ret = ctl_error(NULL, "audit: nftables ruleset through libnftables",
				ret);
		goto out;
	}
	open_json_object(NULL);
	open_json_array("findings");
	check_reach(a);
	check_helpers(a);
	check_config(a);
	check_expect(a);
	check_spoofable(a);
	close_json_array();
	if (a->nl && show_pinholes(a)) {
		print_string(PRINT_ANY, "pinholes", "%s", "pinholes: unknown");
		print_nl();
	}
	show_summary(a);
	close_json_object();
	print_end();
	ret = a->exposed ? EXIT_EXPOSED : a->unknown ? EXIT_UNKNOWN : 0;
out:
	reach_free(a->reach);
	free(a->ra);
	free(a->rules);
	free(a->pol);
	nl_close(a->nl);
	nft_ruleset_free(&a->rs);
	free(a);
	return ret;
}

static void audit_help(FILE *f)
{
	fputs("  every base chain is walked for new connections into the media range\n"
	      "  (per edge, protocol and class of ports) and for pinholed ones.\n"
	      "  severities: critical (reachable without a pinhole), high (calls fail or\n"
	      "  no pinhole opens), warning (not decoded, configuration), info.\n"
	      "  exit status: 0 not exposed, 3 exposed, 4 unknown (something that may\n"
	      "  accept was not decoded), 1 error, 2 usage.\n", f);
}

static const struct cmd audit_cmds[] = {
	{ NULL, audit_main, "",
	  "what is reachable in the media range, and what is wrong" },
	{ NULL, NULL, NULL, NULL },
};

const struct object audit_object = {
	.name = "audit",
	.cmds = audit_cmds,
	.help = "static openings, drops of pinholed media, helper and policy checks",
	.more_help = audit_help,
};
