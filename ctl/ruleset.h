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

#define RS_TABLE	"edgepin"
#define RS_FAMILY	1		/* NFPROTO_INET */
#define RS_HELPER_UDP	"edgepin-udp"
#define RS_HELPER_TCP	"edgepin-tcp"
#define RS_CHAIN_SIP	"sip"
#define RS_CHAIN_GUARD	"guard"
#define RS_CHAIN_ANTISPOOF "antispoof"
/* raw: before conntrack (-200), so a forged packet makes no state */
#define RS_PRIORITY_ANTISPOOF -300
/* After conntrack (-200), before DNAT (-100): addresses as on the wire. */
#define RS_PRIORITY	-150

/* The table of rule @r, chain @c: "inet edgepin" and the like. */
const char *family_word(uint32_t family);
/* Is rule/chain/object @table of @family edgepin's own table? */
bool rs_is_ours(uint32_t family, const char *table);
/* The chain @name of @family/@table in @rs, or NULL. */
struct nftnl_chain *rs_chain(const struct nft_ruleset *rs, uint32_t family,
			     const char *table, const char *name);
const char *hook_name(uint32_t hook);

#endif /* _EDGEPIN_RULESET_H */
