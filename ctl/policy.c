// SPDX-License-Identifier: GPL-2.0
/*
 * edgepin policy show | load FILE | set KEY VALUE... | check FILE | reset
 *
 * The keys are one table; each kind of key (port ranges, prefixes,
 * excludes, transports, words, numbers) is one row of operations that
 * parse it from text, put it into a request, read it from a reply and
 * print it. The tool checks only syntax; the module checks meaning, and
 * its complaint is traced back through the offending attribute's offset
 * to the key and file line that produced it. "policy show" prints the
 * file format, so its output loads back unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "uapi/edgepin.h"
#include "edgepin.h"
#include "policy.h"
#include "print.h"

/* The tool's bound; the module's (smaller) limits are the ones enforced. */
#define LIST_MAX	256
#define TOKENS_MAX	(LIST_MAX + 8)

struct range {
	uint16_t lo, hi;
	unsigned int line;
};

struct prefix {
	uint8_t family, plen;
	uint8_t addr[16];
	unsigned int line;
};

struct exclude {
	uint16_t lo, hi;
	uint8_t protos;
	unsigned int line;
};

enum key_kind { K_RANGE, K_EDGE, K_EXCLUDE, K_PROTOS, K_WORD, K_U32 };

struct key {
	const char *name;
	uint16_t attr;		/* EDGEPIN_A_POL_* */
	enum key_kind kind;
	const char *const *words;	/* K_WORD: names by value */
	const char *args;
};

static const char *const peer_match_words[] = {
	[EDGEPIN_PEER_MATCH_ADDRESS] = "address",
	[EDGEPIN_PEER_MATCH_ADDRESS_PORT] = "address-port",
	NULL,
};

static const char *const mode_words[] = {
	[EDGEPIN_MODE_ENFORCE] = "enforce",
	[EDGEPIN_MODE_MONITOR] = "monitor",
	NULL,
};

static const char *const sip_feed_words[] = {
	[EDGEPIN_SIP_FEED_ON] = "on",
	[EDGEPIN_SIP_FEED_OFF] = "off",
	[EDGEPIN_SIP_FEED_SHARED] = "shared",
	NULL,
};

/* DESIGN.md "Policy", in its order. */
static const struct key keys[] = {
	{ "range", EDGEPIN_A_POL_RANGES, K_RANGE, NULL, "LO-HI..." },
	{ "edge", EDGEPIN_A_POL_EDGES, K_EDGE, NULL, "ADDR[/LEN]...|none" },
	{ "exclude", EDGEPIN_A_POL_EXCLUDES, K_EXCLUDE, NULL,
	  "udp|tcp... LO-HI...|none" },
	{ "transports", EDGEPIN_A_POL_TRANSPORTS, K_PROTOS, NULL,
	  "udp|tcp..." },
	{ "peer-match", EDGEPIN_A_POL_PEER_MATCH, K_WORD, peer_match_words,
	  "address|address-port" },
	{ "max-calls", EDGEPIN_A_POL_MAX_CALLS, K_U32, NULL, "N" },
	{ "max-calls-per-source", EDGEPIN_A_POL_MAX_CALLS_PER_SOURCE, K_U32,
	  NULL, "N" },
	{ "max-pinholes", EDGEPIN_A_POL_MAX_PINHOLES, K_U32, NULL, "N" },
	{ "max-pinholes-per-call", EDGEPIN_A_POL_MAX_PER_CALL, K_U32, NULL,
	  "N" },
	{ "pinhole-timeout", EDGEPIN_A_POL_PINHOLE_TIMEOUT, K_U32, NULL,
	  "SECONDS" },
	{ "call-timeout", EDGEPIN_A_POL_CALL_TIMEOUT, K_U32, NULL,
	  "SECONDS" },
	{ "mode", EDGEPIN_A_POL_MODE, K_WORD, mode_words, "enforce|monitor" },
	{ "sip-feed", EDGEPIN_A_POL_SIP_FEED, K_WORD, sip_feed_words,
	  "on|off|shared" },
};
#define N_KEYS ARRAY_SIZE(keys)

struct policy {
	unsigned int set;		/* bit per key given */
	unsigned int line[N_KEYS];	/* where each key was first given */
	uint32_t val[N_KEYS];		/* the scalar keys */
	size_t n_ranges, n_edges, n_excludes;
	struct range ranges[LIST_MAX];
	struct prefix edges[LIST_MAX];
	struct exclude excludes[LIST_MAX];
};

/* Where each attribute of a request came from, by offset. */
struct mark {
	uint32_t off;
	unsigned int key;
	unsigned int line;
};

struct request {
	struct nlmsghdr *nlh;
	size_t n_marks;
	struct mark marks[3 * LIST_MAX + N_KEYS * 2];
};

/* A syntax error: the key and why, in words. */
struct perr {
	char key[48];
	char msg[160];
};

static int perr(struct perr *e, const char *fmt, const char *arg)
{
	snprintf(e->msg, sizeof(e->msg), fmt, arg);
	return -EINVAL;
}

static void mark(struct request *r, unsigned int key, unsigned int line)
{
	struct mark *m = &r->marks[r->n_marks++];

	m->off = r->nlh->nlmsg_len;
	m->key = key;
	m->line = line;
}

static const struct key *key_find(const char *name, unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < N_KEYS; i++)
		if (!strcmp(keys[i].name, name)) {
			*idx = i;
			return &keys[i];
		}
	return NULL;
}

static int word_find(const char *const *words, const char *s)
{
	int i;

	for (i = 0; words[i]; i++)
		if (!strcmp(words[i], s))
			return i;
	return -1;
}

static int parse_proto(const char *s)
{
	if (!strcmp(s, "udp"))
		return EDGEPIN_PROTO_UDP;
	if (!strcmp(s, "tcp"))
		return EDGEPIN_PROTO_TCP;
	return 0;
}

/* LO-HI or a single PORT; meaning (lo <= hi, no port 0) is checked later. */
static int parse_ports(const char *s, uint16_t *lo, uint16_t *hi,
		       struct perr *e)
{
	const char *dash = strchr(s, '-');
	char buf[16];
	uint64_t a, b;

	if (strlen(s) >= sizeof(buf))
		return perr(e, "bad port range '%s'", s);
	strcpy(buf, s);
	if (dash)
		buf[dash - s] = '\0';
	if (parse_uint(buf, 65535, &a) ||
	    parse_uint(dash ? buf + (dash - s) + 1 : buf, 65535, &b))
		return perr(e, "bad port range '%s' (want LO-HI)", s);
	*lo = a;
	*hi = b;
	return 0;
}

static bool is_none(int argc, char **argv)
{
	return argc == 1 && !strcmp(argv[0], "none");
}

static int parse_range(struct policy *p, unsigned int k, unsigned int line,
		       int argc, char **argv, struct perr *e)
{
	int i;

	(void)k;
	for (i = 0; i < argc; i++) {
		struct range *r = &p->ranges[p->n_ranges];

		if (p->n_ranges == LIST_MAX)
			return perr(e, "too many entries%s", "");
		if (parse_ports(argv[i], &r->lo, &r->hi, e))
			return -EINVAL;
		r->line = line;
		p->n_ranges++;
	}
	return 0;
}

static int parse_prefix(const char *s, struct prefix *x, struct perr *e)
{
	const char *slash = strchr(s, '/');
	char buf[INET6_ADDRSTRLEN + 8];
	uint64_t plen;

	if (strlen(s) >= sizeof(buf))
		return perr(e, "bad address '%s'", s);
	strcpy(buf, s);
	if (slash)
		buf[slash - s] = '\0';
	if (parse_addr(buf, &x->family, x->addr))
		return perr(e, "bad address '%s'", s);
	plen = x->family == AF_INET ? 32 : 128;
	if (slash && parse_uint(slash + 1, 255, &plen))
		return perr(e, "bad prefix length in '%s'", s);
	x->plen = plen;
	return 0;
}

static int parse_edge(struct policy *p, unsigned int k, unsigned int line,
		      int argc, char **argv, struct perr *e)
{
	int i;

	(void)k;
	if (is_none(argc, argv))
		return 0;
	for (i = 0; i < argc; i++) {
		struct prefix *x = &p->edges[p->n_edges];

		if (p->n_edges == LIST_MAX)
			return perr(e, "too many entries%s", "");
		if (parse_prefix(argv[i], x, e))
			return -EINVAL;
		x->line = line;
		p->n_edges++;
	}
	return 0;
}

static int parse_exclude(struct policy *p, unsigned int k, unsigned int line,
			 int argc, char **argv, struct perr *e)
{
	uint8_t protos = 0;
	int i, bit;

	(void)k;
	if (is_none(argc, argv))
		return 0;
	for (i = 0; i < argc && (bit = parse_proto(argv[i])); i++)
		protos |= bit;
	if (!protos)
		return perr(e, "want udp and/or tcp first, not '%s'", argv[0]);
	if (i == argc)
		return perr(e, "no port range after '%s'", argv[i - 1]);
	for (; i < argc; i++) {
		struct exclude *x = &p->excludes[p->n_excludes];

		if (p->n_excludes == LIST_MAX)
			return perr(e, "too many entries%s", "");
		if (parse_ports(argv[i], &x->lo, &x->hi, e))
			return -EINVAL;
		x->protos = protos;
		x->line = line;
		p->n_excludes++;
	}
	return 0;
}

static int parse_protos(struct policy *p, unsigned int k, unsigned int line,
			int argc, char **argv, struct perr *e)
{
	int i, bit;

	(void)line;
	p->val[k] = 0;
	for (i = 0; i < argc; i++) {
		bit = parse_proto(argv[i]);
		if (!bit)
			return perr(e, "'%s' is not udp or tcp", argv[i]);
		p->val[k] |= bit;
	}
	return 0;
}

static int parse_word(struct policy *p, unsigned int k, unsigned int line,
		      int argc, char **argv, struct perr *e)
{
	int w;

	(void)line;
	(void)argc;
	w = word_find(keys[k].words, argv[0]);
	if (w < 0)
		return perr(e, "want %s", keys[k].args);
	p->val[k] = w;
	return 0;
}

static int parse_u32(struct policy *p, unsigned int k, unsigned int line,
		     int argc, char **argv, struct perr *e)
{
	uint64_t v;

	(void)line;
	(void)argc;
	switch (parse_uint(argv[0], UINT32_MAX, &v)) {
	case 0:
		break;
	case -ERANGE:
		return perr(e, "'%s' is out of range (0-4294967295)", argv[0]);
	default:
		return perr(e, "'%s' is not a number", argv[0]);
	}
	p->val[k] = v;
	return 0;
}

static void put_ranges(struct request *r, const struct policy *p,
		       unsigned int k)
{
	size_t i;

	for (i = 0; i < p->n_ranges; i++) {
		mark(r, k, p->ranges[i].line);
		mnl_attr_put_u32(r->nlh, EDGEPIN_A_POL_RANGE,
				 (uint32_t)p->ranges[i].lo << 16 |
				 p->ranges[i].hi);
	}
}

static void put_edges(struct request *r, const struct policy *p,
		      unsigned int k)
{
	uint8_t buf[2 + 16];
	size_t i, alen;

	for (i = 0; i < p->n_edges; i++) {
		alen = p->edges[i].family == AF_INET ? 4 : 16;
		buf[0] = p->edges[i].family;
		buf[1] = p->edges[i].plen;
		memcpy(buf + 2, p->edges[i].addr, alen);
		mark(r, k, p->edges[i].line);
		mnl_attr_put(r->nlh, EDGEPIN_A_POL_PREFIX, 2 + alen, buf);
	}
}

static void put_excludes(struct request *r, const struct policy *p,
			 unsigned int k)
{
	const struct exclude *x;
	size_t i;

	for (i = 0; i < p->n_excludes; i++) {
		x = &p->excludes[i];
		mark(r, k, x->line);
		mnl_attr_put_u64(r->nlh, EDGEPIN_A_POL_EXCLUDE,
				 (uint64_t)x->protos <<
				 EDGEPIN_EXCL_PROTO_SHIFT |
				 (uint32_t)x->lo << 16 | x->hi);
	}
}

static void put_u8(struct request *r, const struct policy *p, unsigned int k)
{
	mnl_attr_put_u8(r->nlh, keys[k].attr, p->val[k]);
}

static void put_u32(struct request *r, const struct policy *p,
		    unsigned int k)
{
	mnl_attr_put_u32(r->nlh, keys[k].attr, p->val[k]);
}

/* One entry of a list in a reply: checked, then stored. */
static int get_range(struct policy *p, const struct nlattr *a)
{
	uint32_t v;

	if (mnl_attr_get_type(a) != EDGEPIN_A_POL_RANGE ||
	    mnl_attr_get_payload_len(a) != 4 || p->n_ranges == LIST_MAX)
		return -EPROTO;
	v = mnl_attr_get_u32(a);
	p->ranges[p->n_ranges].lo = v >> 16;
	p->ranges[p->n_ranges++].hi = v & 0xffff;
	return 0;
}

static int get_edge(struct policy *p, const struct nlattr *a)
{
	const uint8_t *d = mnl_attr_get_payload(a);
	uint16_t len = mnl_attr_get_payload_len(a);
	struct prefix *x = &p->edges[p->n_edges];

	if (mnl_attr_get_type(a) != EDGEPIN_A_POL_PREFIX ||
	    p->n_edges == LIST_MAX || len < 2 ||
	    len != 2 + (d[0] == AF_INET ? 4 : 16))
		return -EPROTO;
	x->family = d[0];
	x->plen = d[1];
	memcpy(x->addr, d + 2, len - 2);
	p->n_edges++;
	return 0;
}

static int get_exclude(struct policy *p, const struct nlattr *a)
{
	struct exclude *x = &p->excludes[p->n_excludes];
	uint64_t v;

	if (mnl_attr_get_type(a) != EDGEPIN_A_POL_EXCLUDE ||
	    mnl_attr_get_payload_len(a) != 8 || p->n_excludes == LIST_MAX)
		return -EPROTO;
	v = mnl_attr_get_u64(a);
	x->protos = v >> EDGEPIN_EXCL_PROTO_SHIFT;
	x->lo = v >> 16;
	x->hi = v;
	p->n_excludes++;
	return 0;
}

static int get_list(struct policy *p, unsigned int k, const struct nlattr *l,
		    int (*one)(struct policy *p, const struct nlattr *a))
{
	const struct nlattr *a;
	int ret;

	(void)k;
	mnl_attr_for_each_nested(a, l) {
		if (!mnl_attr_get_type(a))
			continue;		/* padding */
		ret = one(p, a);
		if (ret)
			return ret;
	}
	return 0;
}

static int get_ranges(struct policy *p, unsigned int k, const struct nlattr *a)
{
	return get_list(p, k, a, get_range);
}

static int get_edges(struct policy *p, unsigned int k, const struct nlattr *a)
{
	return get_list(p, k, a, get_edge);
}

static int get_excludes(struct policy *p, unsigned int k,
			const struct nlattr *a)
{
	return get_list(p, k, a, get_exclude);
}

static int get_u8(struct policy *p, unsigned int k, const struct nlattr *a)
{
	p->val[k] = mnl_attr_get_u8(a);
	return 0;
}

static int get_u32(struct policy *p, unsigned int k, const struct nlattr *a)
{
	p->val[k] = mnl_attr_get_u32(a);
	return 0;
}

/* Key @k's JSON name: snake_case, as every other JSON key. */
static const char *json_key(unsigned int k)
{
	static char buf[32];
	char *c;

	snprintf(buf, sizeof(buf), "%s", keys[k].name);
	for (c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
	return buf;
}

static void show_ranges(const struct policy *p, unsigned int k)
{
	size_t i;

	print_string(PRINT_FP, NULL, "%s", keys[k].name);
	open_json_array(json_key(k));
	for (i = 0; i < p->n_ranges; i++) {
		open_json_object(NULL);
		print_uint(PRINT_ANY, "lo", " %llu", p->ranges[i].lo);
		print_uint(PRINT_ANY, "hi", "-%llu", p->ranges[i].hi);
		close_json_object();
	}
	close_json_array();
	print_nl();
}

static void show_edges(const struct policy *p, unsigned int k)
{
	char addr[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];
	const struct prefix *x;
	size_t i;

	print_string(PRINT_FP, NULL, "%s", keys[k].name);
	open_json_array(json_key(k));
	for (i = 0; i < p->n_edges; i++) {
		x = &p->edges[i];
		snprintf(buf, sizeof(buf), "%s/%u",
			 format_addr(x->addr, x->family == AF_INET ? 4 : 16,
				     addr), x->plen);
		print_string(PRINT_ANY, NULL, " %s", buf);
	}
	if (!p->n_edges)
		print_string(PRINT_FP, NULL, " %s", "none");
	close_json_array();
	print_nl();
}

static void show_protos(const char *key, uint32_t protos)
{
	open_json_array(key);
	if (protos & EDGEPIN_PROTO_UDP)
		print_string(PRINT_ANY, NULL, " %s", "udp");
	if (protos & EDGEPIN_PROTO_TCP)
		print_string(PRINT_ANY, NULL, " %s", "tcp");
	close_json_array();
}

static void show_excludes(const struct policy *p, unsigned int k)
{
	const struct exclude *x;
	size_t i;

	open_json_array(json_key(k));
	for (i = 0; i < p->n_excludes; i++) {
		x = &p->excludes[i];
		print_string(PRINT_FP, NULL, "%s", keys[k].name);
		open_json_object(NULL);
		show_protos("transports", x->protos);
		print_uint(PRINT_ANY, "lo", " %llu", x->lo);
		print_uint(PRINT_ANY, "hi", "-%llu", x->hi);
		close_json_object();
		print_nl();
	}
	close_json_array();
	if (!p->n_excludes) {
		print_string(PRINT_FP, NULL, "%s none", keys[k].name);
		print_nl();
	}
}

static void show_transports(const struct policy *p, unsigned int k)
{
	print_string(PRINT_FP, NULL, "%s", keys[k].name);
	show_protos(json_key(k), p->val[k]);
	print_nl();
}

static void show_word(const struct policy *p, unsigned int k)
{
	const char *const *w = keys[k].words;
	uint32_t v = p->val[k], n = 0;

	while (w[n])
		n++;
	print_string(PRINT_FP, NULL, "%s ", keys[k].name);
	if (v < n)
		print_string(PRINT_ANY, json_key(k), "%s", w[v]);
	else
		print_uint(PRINT_ANY, json_key(k), "%llu", v);
	print_nl();
}

static void show_u32(const struct policy *p, unsigned int k)
{
	print_string(PRINT_FP, NULL, "%s ", keys[k].name);
	print_uint(PRINT_ANY, json_key(k), "%llu", p->val[k]);
	print_nl();
}

/* The operations of each kind of key. */
static const struct kind_ops {
	int (*parse)(struct policy *p, unsigned int k, unsigned int line,
		     int argc, char **argv, struct perr *e);
	void (*put)(struct request *r, const struct policy *p,
		    unsigned int k);
	int (*get)(struct policy *p, unsigned int k, const struct nlattr *a);
	void (*show)(const struct policy *p, unsigned int k);
	enum mnl_attr_data_type type;	/* in a reply */
	bool list;			/* lines add entries */
	bool one;			/* takes exactly one value */
} kinds[] = {
	[K_RANGE] = { parse_range, put_ranges, get_ranges, show_ranges,
		      MNL_TYPE_NESTED, true },
	[K_EDGE] = { parse_edge, put_edges, get_edges, show_edges,
		     MNL_TYPE_NESTED, true },
	[K_EXCLUDE] = { parse_exclude, put_excludes, get_excludes,
			show_excludes, MNL_TYPE_NESTED, true },
	[K_PROTOS] = { parse_protos, put_u8, get_u8, show_transports,
		       MNL_TYPE_U8, false },
	[K_WORD] = { parse_word, put_u8, get_u8, show_word, MNL_TYPE_U8,
		     false, true },
	[K_U32] = { parse_u32, put_u32, get_u32, show_u32, MNL_TYPE_U32,
		    false, true },
};

/* Key @argv[0] with its values, from @line of a file (0: command line). */
static int parse_line(struct policy *p, unsigned int line, int argc,
		      char **argv, unsigned int *kp, struct perr *e)
{
	unsigned int k = 0;
	const struct key *key = key_find(argv[0], &k);

	snprintf(e->key, sizeof(e->key), "%s", argv[0]);
	if (!key)
		return perr(e, "unknown key%s", "");
	if (argc < 2 || (kinds[key->kind].one && argc > 2))
		return perr(e, "want %s", key->args);
	if (p->set & 1U << k) {
		if (!kinds[key->kind].list) {
			snprintf(e->msg, sizeof(e->msg),
				 "given twice (first on line %u)", p->line[k]);
			return -EINVAL;
		}
	} else {
		p->set |= 1U << k;
		p->line[k] = line;
	}
	*kp = k;
	return kinds[key->kind].parse(p, k, line, argc - 1, argv + 1, e);
}

/* The keys of @p that were given, as one EDGEPIN_A_POLICY. */
static void put_policy(struct request *r, const struct policy *p)
{
	struct nlattr *nest, *list;
	unsigned int k;

	nest = mnl_attr_nest_start(r->nlh, EDGEPIN_A_POLICY);
	nest->nla_type |= NLA_F_NESTED;
	for (k = 0; k < N_KEYS; k++) {
		const struct kind_ops *ops = &kinds[keys[k].kind];

		if (!(p->set & 1U << k))
			continue;
		mark(r, k, p->line[k]);
		if (!ops->list) {
			ops->put(r, p, k);
			continue;
		}
		list = mnl_attr_nest_start(r->nlh, keys[k].attr);
		list->nla_type |= NLA_F_NESTED;
		ops->put(r, p, k);
		mnl_attr_nest_end(r->nlh, list);
	}
	mnl_attr_nest_end(r->nlh, nest);
}

/* The key (and line) behind the attribute the module complained about. */
static const struct mark *mark_find(const struct request *r, uint32_t off)
{
	const struct mark *m = NULL;
	size_t i;

	if (!off)
		return NULL;
	for (i = 0; i < r->n_marks && r->marks[i].off <= off; i++)
		m = &r->marks[i];
	return m;
}

static int policy_get_cb(const struct nlmsghdr *nlh, void *data)
{
	static const struct nl_spec top[EDGEPIN_A_MAX + 1] = {
		[EDGEPIN_A_POLICY] = { MNL_TYPE_NESTED },
	};
	struct nl_spec spec[EDGEPIN_A_POL_MAX + 1] = {};
	const struct nlattr *tb[EDGEPIN_A_MAX + 1];
	const struct nlattr *pt[EDGEPIN_A_POL_MAX + 1];
	struct policy *p = data;
	unsigned int k;

	for (k = 0; k < N_KEYS; k++)
		spec[keys[k].attr].type = kinds[keys[k].kind].type;
	if (nl_parse_msg(nlh, top, EDGEPIN_A_MAX, tb) ||
	    !tb[EDGEPIN_A_POLICY] ||
	    nl_parse_nest(tb[EDGEPIN_A_POLICY], spec, EDGEPIN_A_POL_MAX, pt))
		goto bad;
	for (k = 0; k < N_KEYS; k++) {
		if (!pt[keys[k].attr])
			continue;
		if (kinds[keys[k].kind].get(p, k, pt[keys[k].attr]))
			goto bad;
		p->set |= 1U << k;
	}
	return MNL_CB_OK;
bad:
	errno = EPROTO;
	return MNL_CB_ERROR;
}

static int policy_show_main(int argc, char **argv)
{
	struct policy *p;
	struct nl *nl;
	unsigned int k;
	int ret;

	(void)argv;
	if (argc)
		return ctl_usage(&policy_object, "policy show: takes no arguments");
	nl = ctl_open("policy show");
	p = calloc(1, sizeof(*p));
	if (!nl || !p) {
		free(p);
		nl_close(nl);
		return 1;
	}
	ret = nl_talk(nl, nl_request(nl, EDGEPIN_CMD_POLICY_GET, NLM_F_ACK),
		      policy_get_cb, p);
	if (ret) {
		ret = ctl_error(nl, "policy show", ret);
	} else {
		open_json_object(NULL);
		for (k = 0; k < N_KEYS; k++)
			if (p->set & 1U << k)
				kinds[keys[k].kind].show(p, k);
		close_json_object();
		print_end();
	}
	free(p);
	nl_close(nl);
	return ret;
}

/* Flags of policy_send(). */
#define SEND_REPLACE	1	/* from the defaults, not the current policy */
#define SEND_CHECK	2	/* a dry run: checked, not applied */

/*
 * Send @p (NULL: nothing) as a policy on @nl; @file names the source.
 * Returns -errno; the error, traced back to its key and line, goes into
 * @where.
 */
static int policy_talk(struct nl *nl, const char *what, const char *file,
		       const struct policy *p, unsigned int flags,
		       char *where, size_t len)
{
	struct request *r = calloc(1, sizeof(*r));
	const struct mark *m;
	int ret;

	snprintf(where, len, "%s", what);
	if (!r)
		return -ENOMEM;
	r->nlh = nl_request(nl, EDGEPIN_CMD_POLICY_SET, NLM_F_ACK);
	if (flags & SEND_REPLACE)
		mnl_attr_put(r->nlh, EDGEPIN_A_POLICY_REPLACE, 0, NULL);
	if (flags & SEND_CHECK)
		mnl_attr_put(r->nlh, EDGEPIN_A_POLICY_CHECK, 0, NULL);
	if (p)
		put_policy(r, p);
	ret = nl_talk(nl, r->nlh, NULL, NULL);
	m = ret ? mark_find(r, nl->ext.off) : NULL;
	if (m && file)
		snprintf(where, len, "%s:%u: %s", file, m->line,
			 keys[m->key].name);
	else if (m)
		snprintf(where, len, "%s: %s", what, keys[m->key].name);
	free(r);
	return ret;
}

/* Send @p (NULL: nothing) as a policy; @file names the source. */
static int policy_send(const char *what, const char *file,
		       const struct policy *p, unsigned int flags)
{
	char where[512];
	struct nl *nl;
	int ret;

	nl = ctl_open(what);
	if (!nl)
		return 1;
	ret = policy_talk(nl, what, file, p, flags, where, sizeof(where));
	if (ret)
		ret = ctl_error(nl, where, ret);
	nl_close(nl);
	return ret;
}

/* See policy.h. */
int policy_set_words(const char *what, int n, const int *argc,
		     char **const *argv)
{
	struct policy *p;
	unsigned int k;
	struct perr e;
	int i, ret = 0;

	p = calloc(1, sizeof(*p));
	if (!p)
		return ctl_error(NULL, what, -ENOMEM);
	for (i = 0; i < n; i++) {
		if (parse_line(p, 0, argc[i], argv[i], &k, &e)) {
			fprintf(stderr, "edgepin: %s: %s: %s\n", what, e.key,
				e.msg);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	ret = policy_send(what, NULL, p, 0);
out:
	free(p);
	return ret;
}

static int policy_set_main(int argc, char **argv)
{
	if (argc < 1)
		return ctl_usage(&policy_object, "policy set: missing KEY");
	return policy_set_words("policy set", 1, &argc, &argv);
}

/* Split @s into at most TOKENS_MAX words, dropping a "#" comment. */
static int tokenize(char *s, char **tok)
{
	char *save, *t;
	int n = 0;

	s[strcspn(s, "#")] = '\0';
	for (t = strtok_r(s, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == TOKENS_MAX)
			return -E2BIG;
		tok[n++] = t;
	}
	return n;
}

static int policy_read(FILE *f, struct policy *p, unsigned int *line,
		       struct perr *e)
{
	char *tok[TOKENS_MAX], *buf = NULL;
	size_t cap = 0;
	unsigned int k;
	int n, ret = 0;

	*line = 0;
	while (getline(&buf, &cap, f) >= 0) {
		++*line;
		n = tokenize(buf, tok);
		if (n < 0) {
			snprintf(e->key, sizeof(e->key), "%s", "line");
			ret = perr(e, "too many values%s", "");
			break;
		}
		if (n && parse_line(p, *line, n, tok, &k, e)) {
			ret = -EINVAL;
			break;
		}
	}
	if (!ret && ferror(f))
		ret = -errno;
	free(buf);
	return ret;
}

/* FILE (or "-", stdin) into a new policy; NULL (said why) on error. */
static struct policy *policy_file(const char *file)
{
	struct policy *p;
	unsigned int line;
	struct perr e;
	FILE *f;
	int ret;

	f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f) {
		fprintf(stderr, "edgepin: %s: %s\n", file, strerror(errno));
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	ret = p ? policy_read(f, p, &line, &e) : -ENOMEM;
	if (f != stdin)
		fclose(f);
	if (ret == -EINVAL)
		fprintf(stderr, "edgepin: %s:%u: %s: %s\n", file, line,
			e.key, e.msg);
	else if (ret)
		fprintf(stderr, "edgepin: %s: %s\n", file, strerror(-ret));
	if (!ret)
		return p;
	free(p);
	return NULL;
}

static int policy_load_main(int argc, char **argv)
{
	struct policy *p;
	int ret;

	if (argc != 1)
		return ctl_usage(&policy_object, "policy load: want one FILE");
	p = policy_file(argv[0]);
	if (!p)
		return 1;
	ret = policy_send("policy load", argv[0], p, SEND_REPLACE);
	free(p);
	return ret ? 1 : 0;
}

/*
 * What "policy load FILE" would check, and change nothing: the syntax
 * here, then the module's checks as a dry run (EDGEPIN_A_POLICY_CHECK)
 * when it can be asked. Without the module, or without the privilege to
 * ask it, the syntax alone is checked, and the output says so.
 */
static int policy_check_main(int argc, char **argv)
{
	const char *what = "policy check", *why = NULL;
	char where[512];
	struct policy *p;
	struct nl *nl;
	int ret;

	if (argc != 1)
		return ctl_usage(&policy_object, "policy check: want one FILE");
	p = policy_file(argv[0]);
	if (!p)
		return 1;
	ret = nl_open(&nl);
	if (ret == -ENOENT) {
		why = "the module is not loaded";
	} else if (ret) {
		ret = ctl_error(NULL, what, ret);
		goto out;
	} else {
		ret = policy_talk(nl, what, argv[0], p,
				  SEND_REPLACE | SEND_CHECK, where,
				  sizeof(where));
		/* genetlink's own refusal, before the module saw it */
		if (ret == -EPERM && !nl->ext.msg[0])
			why = "no CAP_NET_ADMIN to ask the module";
		else if (ret)
			ret = ctl_error(nl, where, ret);
		nl_close(nl);
		if (ret && !why)
			goto out;
	}
	open_json_object(NULL);
	print_string(PRINT_JSON, "file", NULL, argv[0]);
	print_bool(PRINT_JSON, "valid", NULL, true);
	print_bool(PRINT_JSON, "module_checked", NULL, !why);
	print_string(PRINT_FP, NULL, "%s: valid", argv[0]);
	if (why)
		print_string(PRINT_FP, NULL, " (syntax only: %s)", why);
	else
		print_string(PRINT_FP, NULL, "%s", " (checked by the module)");
	print_nl();
	close_json_object();
	print_end();
	ret = 0;
out:
	free(p);
	return ret;
}

static int policy_reset_main(int argc, char **argv)
{
	(void)argv;
	if (argc)
		return ctl_usage(&policy_object, "policy reset: takes no arguments");
	return policy_send("policy reset", NULL, NULL, SEND_REPLACE);
}

static const struct cmd policy_cmds[] = {
	{ "show", policy_show_main, "", "show this netns's policy" },
	{ "load", policy_load_main, "FILE|-",
	  "replace the policy: defaults, then FILE's keys" },
	{ "set", policy_set_main, "KEY VALUE...", "change one key" },
	{ "check", policy_check_main, "FILE|-",
	  "what load would refuse; changes nothing" },
	{ "reset", policy_reset_main, "", "back to the defaults" },
	{ NULL, NULL, NULL, NULL },
};

/* The keys and their values, from the same table the parser uses. */
static void policy_keys_help(FILE *f)
{
	unsigned int k;

	fputs("  policy keys (a file: one KEY VALUE... a line, # comments):\n",
	      f);
	for (k = 0; k < N_KEYS; k++)
		fprintf(f, "    %-22s %s\n", keys[k].name, keys[k].args);
}

const struct object policy_object = {
	.name = "policy",
	.cmds = policy_cmds,
	.help = "the netns policy: what may be pinned",
	.more_help = policy_keys_help,
};

/* Is one of TCP 50001-50003 in a range and in no TCP exclude of @p? */
static bool logging_pinnable(const struct policy *p)
{
	unsigned int port;
	bool in, out;
	size_t i;

	for (port = 50001; port <= 50003; port++) {
		in = out = false;
		for (i = 0; i < p->n_ranges; i++)
			in |= p->ranges[i].lo <= port && port <= p->ranges[i].hi;
		for (i = 0; i < p->n_excludes; i++)
			out |= (p->excludes[i].protos & EDGEPIN_PROTO_TCP) &&
			       p->excludes[i].lo <= port &&
			       port <= p->excludes[i].hi;
		if (in && !out)
			return true;
	}
	return false;
}

/* The ranges and edges of @p into @v (those keys @only_set gave, or all). */
static void view_lists(const struct policy *p, struct policy_view *v,
		       bool only_set)
{
	unsigned int k;
	size_t i;

	for (k = 0; k < N_KEYS; k++) {
		if (only_set && !(p->set & 1U << k))
			continue;
		if (keys[k].kind == K_RANGE) {
			v->n_ranges = 0;
			for (i = 0; i < p->n_ranges && i < POLICY_VIEW_MAX;
			     i++) {
				v->ranges[i].lo = p->ranges[i].lo;
				v->ranges[v->n_ranges++].hi = p->ranges[i].hi;
			}
		} else if (keys[k].kind == K_EDGE) {
			v->n_edges = 0;
			for (i = 0; i < p->n_edges && i < POLICY_VIEW_MAX;
			     i++) {
				v->edges[i].family = p->edges[i].family;
				v->edges[i].plen = p->edges[i].plen;
				memcpy(v->edges[v->n_edges++].addr,
				       p->edges[i].addr, 16);
			}
		}
	}
}

int policy_fetch(struct nl *nl, struct policy_view *v)
{
	struct policy *p = calloc(1, sizeof(*p));
	unsigned int k;
	int ret;

	if (!p)
		return -ENOMEM;
	ret = nl_talk(nl, nl_request(nl, EDGEPIN_CMD_POLICY_GET, NLM_F_ACK),
		      policy_get_cb, p);
	memset(v, 0, sizeof(*v));
	if (!ret)
		view_lists(p, v, false);
	for (k = 0; k < N_KEYS; k++) {
		if (keys[k].attr == EDGEPIN_A_POL_MAX_CALLS)
			v->max_calls = p->val[k];
		if (keys[k].attr == EDGEPIN_A_POL_MAX_PINHOLES)
			v->max_pinholes = p->val[k];
		if (keys[k].attr == EDGEPIN_A_POL_MAX_PER_CALL)
			v->max_per_call = p->val[k];
		if (keys[k].attr == EDGEPIN_A_POL_MODE)
			v->monitor = p->val[k] == EDGEPIN_MODE_MONITOR;
		if (keys[k].attr == EDGEPIN_A_POL_TRANSPORTS && !ret &&
		    p->val[k] & EDGEPIN_PROTO_TCP)
			v->logging_pinnable = logging_pinnable(p);
	}
	free(p);
	return ret;
}

int policy_view_apply(const char *what, const char *file, int n,
		      const int *argc, char **const *argv,
		      struct policy_view *v)
{
	struct policy *p = calloc(1, sizeof(*p));
	unsigned int k, line = 0;
	struct perr e;
	FILE *f = NULL;
	int i, ret = 0;

	if (!p)
		return ctl_error(NULL, what, -ENOMEM);
	if (file) {
		f = fopen(file, "r");
		ret = f ? policy_read(f, p, &line, &e) : -errno;
		if (f)
			fclose(f);
		if (ret == -EINVAL)
			fprintf(stderr, "edgepin: %s:%u: %s: %s\n", file, line,
				e.key, e.msg);
		else if (ret)
			fprintf(stderr, "edgepin: %s: %s\n", file,
				strerror(-ret));
	}
	for (i = 0; !ret && i < n; i++) {
		if (parse_line(p, 0, argc[i], argv[i], &k, &e)) {
			fprintf(stderr, "edgepin: %s: %s: %s\n", what, e.key,
				e.msg);
			ret = -EINVAL;
		}
	}
	if (!ret)
		view_lists(p, v, true);
	free(p);
	return ret ? EXIT_USAGE : 0;
}
