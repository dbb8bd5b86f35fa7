/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which packets the nftables ruleset lets through, asked one packet at a
 * time: the ruleset is read as libnftables prints it in JSON (the library
 * nft itself uses), every base chain at a hook is walked rule by rule for
 * a probe packet (family, protocol, destination port and address,
 * conntrack state), with jumps, gotos, returns, verdict maps, anonymous
 * and named sets and maps, concatenations, negations and the xt matches of
 * iptables-nft, and the answer is whether every base chain can accept it
 * and how sure that is:
 *
 *   REACH_YES   accepted for every value of what the sender chooses;
 *   REACH_SOME  accepted for some sources, source ports, input interfaces,
 *               TCP flags or rates (what an attacker chooses);
 *   REACH_MAYBE accepted only if something not decoded (or not knowable
 *               from the ruleset: marks, time, sockets, a rewrite) says so.
 *
 * Whatever is not understood forks both ways and marks its branch MAYBE,
 * so a "no" is only ever given when every path was decoded and ends in a
 * drop.
 */
#ifndef _EDGEPIN_REACH_H
#define _EDGEPIN_REACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft.h"

enum reach { REACH_NO, REACH_YES, REACH_SOME, REACH_MAYBE };

/* conntrack as nft's ct state and ct status see it */
#define RS_CT_INVALID	0x01
#define RS_CT_EST	0x02
#define RS_CT_REL	0x04
#define RS_CT_NEW	0x08
#define RS_CT_UNTRACKED	0x40
#define RS_ST_EXPECTED	0x01
#define RS_ST_SEEN_REPLY 0x02
#define RS_ST_CONFIRMED	0x08

struct reach_probe {
	uint8_t nfproto;		/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t l4proto;		/* IPPROTO_UDP / IPPROTO_TCP */
	uint16_t dport;
	uint8_t daddr_lo[16], daddr_hi[16];	/* the destination: one of these */
	uint8_t ct_state;		/* RS_CT_* */
	uint16_t ct_status;		/* RS_ST_* */
	bool local;			/* input hook (else forward) */
};

struct reach_chain;
struct reach_rs;

/* Where a chain's packet is accepted or dropped. */
struct reach_point {
	const struct reach_chain *chain;	/* NULL: none */
	uint64_t handle;		/* 0: the base chain's policy */
};

/* The answer for one base chain. */
struct reach_hop {
	const struct reach_chain *chain;
	enum reach accept;		/* how surely it can accept */
	struct reach_point at;		/* the accept */
	struct reach_point why;		/* MAYBE: what was not decoded */
	char what[48];
	bool drop;			/* some path drops */
	struct reach_point drop_at;	/* the first drop */
};

#define REACH_HOPS 64

struct reach_out {
	enum reach verdict;		/* NO if any hop cannot accept */
	size_t n;
	struct reach_hop hop[REACH_HOPS];
};

/* Read the ruleset (JSON through libnftables; xt matches from @nl). */
int reach_load(struct reach_rs **rs, const struct nft_ruleset *nl);
void reach_free(struct reach_rs *rs);

/* Walk every base chain @p meets (prerouting, then forward or input). */
void reach_eval(struct reach_rs *rs, const struct reach_probe *p,
		struct reach_out *out);

/*
 * The ports in [@lo, @hi] where some rule's answer may change, sorted:
 * every port between two of them is treated alike by every rule. Returns
 * how many were stored in @pts (at most @cap; lo is always first).
 */
size_t reach_ports(const struct reach_rs *rs, uint16_t lo, uint16_t hi,
		   uint16_t *pts, size_t cap);

const char *reach_family(const struct reach_chain *c);
const char *reach_table(const struct reach_chain *c);
const char *reach_name(const struct reach_chain *c);
/* A dnat that may take packets to [@lo, @hi]: where it is. */
bool reach_dnat_to(const struct reach_rs *rs, uint8_t nfproto,
		   const uint8_t *lo, const uint8_t *hi, struct reach_point *at);
/* iptables-legacy tables the kernel has (nft cannot see their rules). */
bool reach_legacy(char *names, size_t len);

#endif /* _EDGEPIN_REACH_H */
