/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an nftables rule matches and does, decoded from its expressions
 * as far as the common shapes go (meta l4proto/nfproto/iifname, payload
 * ports and addresses with cmp/range/bitwise/lookup in a set, ct state
 * and status, verdicts, ct helper objrefs). Whatever is not understood is
 * counted, so callers can say "unanalysed" instead of guessing.
 */
#ifndef _EDGEPIN_MATCH_H
#define _EDGEPIN_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft.h"

#define IVS_MAX 64

/* A set of values as sorted, disjoint closed intervals. */
struct ivs {
	size_t n;
	struct {
		uint32_t lo, hi;
	} iv[IVS_MAX];
};

/* Addresses of one family as intervals of big-endian bytes. */
struct addrs {
	bool any;		/* no constraint */
	bool negated;		/* all but these */
	uint8_t family;		/* AF_INET / AF_INET6 */
	size_t n;
	struct {
		uint8_t lo[16], hi[16];
	} iv[IVS_MAX];
};

enum verdict { V_NONE, V_ACCEPT, V_DROP, V_JUMP, V_GOTO, V_RETURN };

/* Connection tracking state bits (nft's ct state). */
#define CT_NEW		0x08
#define CT_EST		0x02
#define CT_REL		0x04
#define CT_INVALID	0x01
#define CT_UNTRACKED	0x40
#define CT_ALL		(CT_NEW | CT_EST | CT_REL | CT_INVALID | CT_UNTRACKED)

struct match {
	uint8_t nfproto;	/* 0: both, else NFPROTO_IPV4/6 */
	struct ivs l4proto;	/* IP protocol numbers */
	struct ivs dport;
	struct addrs daddr;
	bool saddr;		/* restricted by source address */
	struct addrs src;	/* that source, when one prefix says it */
	bool src_other;		/* ... or some other way */
	bool rpf_missing;	/* fib saddr . iif oif missing */
	char iifname[16];	/* "" unless matched */
	uint32_t ct_state;	/* states that match */
	bool need_expected;	/* ct status expected */
	bool need_not_expected;
	unsigned int unknown;	/* conditions not understood */
	char unknown_what[32];	/* the first of them */
	enum verdict verdict;
	char target[64];	/* of jump/goto */
	char helper[64];	/* ct helper set (object name) */
	bool reject;		/* V_DROP by reject */
};

/* Decode rule @r of @rs; family is the rule's table family. */
void match_rule(const struct nft_ruleset *rs, const struct nftnl_rule *r,
		struct match *m);

/* Interval set helpers. */
void ivs_all(struct ivs *s, uint32_t max);
void ivs_one(struct ivs *s, uint32_t lo, uint32_t hi);
void ivs_and(struct ivs *a, const struct ivs *b);
/* Add [@lo, @hi] at the end (if there is room); ivs_norm() sorts. */
void ivs_push(struct ivs *s, uint32_t lo, uint32_t hi);
/* Sort and merge. */
void ivs_norm(struct ivs *s);
/* JSON only: the intervals as objects {"lo", "hi"} (inside an array). */
void ivs_print(const struct ivs *s);
bool ivs_has(const struct ivs *s, uint32_t v);
bool ivs_covers(const struct ivs *s, uint32_t lo, uint32_t hi);
/* @s as "a-b,c" into @buf. */
const char *ivs_format(const struct ivs *s, char *buf, size_t len);

/* Does @m's daddr take in any address of prefix @addr/@plen? */
bool addrs_overlap(const struct addrs *a, uint8_t family,
		   const uint8_t *addr, uint8_t plen);
/* Does it take in all of them (the rule covers the prefix)? */
bool addrs_cover(const struct addrs *a, uint8_t family, const uint8_t *addr,
		 uint8_t plen);
const char *addrs_format(const struct addrs *a, char *buf, size_t len);

/* nft-like text of what @m matches and does. */
const char *match_format(const struct match *m, char *buf, size_t len);

#endif /* _EDGEPIN_MATCH_H */
