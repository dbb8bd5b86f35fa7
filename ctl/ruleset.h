/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nftables table edgepin installs, named once: "ruleset" writes and
 * shows it, "audit" recognises it.
 */
#ifndef _EDGEPIN_RULESET_H
#define _EDGEPIN_RULESET_H

#include <stdbool.h>
#include <stdint.h>

#include "nft.h"

/*
 * Two tables: the guard needs no module (it can live in nftables.conf
 * and keeps the range closed while edgepin is down); the helper table
 * needs it.
 */
#define RS_TABLE	"edgepin"
#define RS_TABLE_GUARD	"edgepin_guard"
#define RS_FAMILY	1		/* NFPROTO_INET */
/* kernel helpers (ct helper types): SIP, and TURN */
#define RS_TYPE_SIP	"edgepin"
#define RS_TYPE_TURN	"edgepin-turn"
#define RS_HELPER_UDP	"edgepin-udp"
#define RS_HELPER_TCP	"edgepin-tcp"
#define RS_CHAIN_SIP	"sip"
/* TURN: its own objects and chain */
#define RS_HELPER_TURN_UDP "edgepin-turn-udp"
#define RS_HELPER_TURN_TCP "edgepin-turn-tcp"
#define RS_CHAIN_TURN	"turn"
#define RS_CHAIN_GUARD	"guard"
#define RS_CHAIN_ANTISPOOF "antispoof"
/* raw: before conntrack (-200), so a forged packet makes no state */
#define RS_PRIORITY_ANTISPOOF -300
/* After conntrack (-200), before DNAT (-100): addresses as on the wire. */
#define RS_PRIORITY	-150

/* The table of rule @r, chain @c: "inet edgepin" and the like. */
const char *family_word(uint32_t family);
/* Is rule/chain/object @table of @family one of edgepin's own tables? */
bool rs_is_ours(uint32_t family, const char *table);
/* Is there table @family @name in @rs? */
bool rs_table_exists(const struct nft_ruleset *rs, uint32_t family,
		     const char *name);
/* The chain @name of @family/@table in @rs, or NULL. */
struct nftnl_chain *rs_chain(const struct nft_ruleset *rs, uint32_t family,
			     const char *table, const char *name);
const char *hook_name(uint32_t hook);

#endif /* _EDGEPIN_RULESET_H */
