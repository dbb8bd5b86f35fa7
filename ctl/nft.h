/* SPDX-License-Identifier: GPL-2.0 */
/*
 * All nftables netlink I/O of the tool, over libnftnl and libmnl: dumps of
 * the ruleset and transactions sent as one batch whose every ACK is read.
 * Functions return 0 or -errno. Building and reading the libnftnl objects
 * themselves is up to the callers (ruleset.c, audit.c).
 */
#ifndef _EDGEPIN_NFT_H
#define _EDGEPIN_NFT_H

#include <stddef.h>
#include <stdint.h>
#include <libnftnl/chain.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

/* A snapshot of the ruleset: each list in kernel (handle) order. */
struct nft_ruleset {
	struct nftnl_table_list *tables;
	struct nftnl_chain_list *chains;
	struct nftnl_rule_list *rules;
	struct nftnl_set_list *sets;	/* each with its elements */
	struct nftnl_obj_list *objs;
};

/* Read every table, chain, rule, set (with elements) and object. */
int nft_ruleset_get(struct nft_ruleset *rs);
void nft_ruleset_free(struct nft_ruleset *rs);

/* The set @name of table @family/@table in @rs, or NULL. */
struct nftnl_set *nft_ruleset_set(const struct nft_ruleset *rs,
				  uint32_t family, const char *table,
				  const char *name);

/* A transaction: messages added in order, committed as one batch. */
struct nft_tx;

struct nft_tx *nft_tx_new(void);
void nft_tx_free(struct nft_tx *tx);
/* NFT_MSG_NEWTABLE or NFT_MSG_DELTABLE of @family @name. */
void nft_tx_table(struct nft_tx *tx, uint16_t type, uint16_t family,
		  const char *name);
/* NFT_MSG_NEW* of each kind; @tx takes @o/@c/@r over (frees them). */
void nft_tx_obj(struct nft_tx *tx, struct nftnl_obj *o);
void nft_tx_chain(struct nft_tx *tx, struct nftnl_chain *c);
void nft_tx_rule(struct nft_tx *tx, struct nftnl_rule *r);
/*
 * Send the batch and read one ACK per message. On failure, @what (of
 * @len bytes) names the first message the kernel refused.
 */
int nft_tx_commit(struct nft_tx *tx, char *what, size_t len);

#endif /* _EDGEPIN_NFT_H */
