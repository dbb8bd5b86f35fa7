/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helper edgepin-turn: pinholes learned from TURN (RFC 8656, RFC 6062,
 * MS-TURN). A TURN server's relay addresses lie in the media range; a
 * permission the server confirmed opens "permitted peer -> relay
 * address:port" for as long as the server keeps it.
 */
#ifndef _EDGEPIN_TURN_H
#define _EDGEPIN_TURN_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "call.h"

struct edgepin_net;
struct edgepin_policy;

#define EDGEPIN_TURN_HELPER_NAME	"edgepin-turn"
#define EDGEPIN_TURN_PORT		3478

/* Per network namespace: every client-to-server transport TURN spoke on. */
struct edgepin_turn {
	spinlock_t lock;		/* protects everything below */
	struct list_head conns;		/* edgepin_turn_conn, oldest first */
	struct list_head perms;		/* every permission, by seq */
	struct list_head reap;		/* ended permissions: flows to cut */
	unsigned int n_conns;
	unsigned int n_allocs;
	unsigned int n_perms;
	u64 seq;			/* last given to a permission */
	struct delayed_work gc;		/* expiry */
	struct work_struct reaper;	/* cuts the flows of ended ones */
	bool dying;
};

void edgepin_turn_init(struct edgepin_net *en);
void edgepin_turn_exit(struct edgepin_net *en);

int edgepin_turn_helper_init(void);
void edgepin_turn_helper_exit(void);
bool edgepin_turn_helper_ours(const struct nf_conntrack_helper *h);

/*
 * Walk the TURN pinholes after @cur->turn (a permission's seq), as
 * edgepin_pin_walk() walks the calls' (an optional @peer filters them).
 */
int edgepin_turn_walk(struct edgepin_net *en, struct edgepin_cursor *cur,
		      u8 peer_family, const union nf_inet_addr *peer,
		      int (*fn)(const struct edgepin_pin_info *pi, void *arg),
		      void *arg);

/* Close every TURN pinhole (their flows cut); returns how many. */
int edgepin_turn_flush(struct edgepin_net *en);

/*
 * A new policy @p is in place: close the TURN pinholes it would not open
 * (relay no longer an edge address, out of range or excluded, transport
 * not pinned, peer now an edge address, mode monitor). Returns how many.
 */
unsigned int edgepin_turn_policy_changed(struct edgepin_net *en,
					 const struct edgepin_policy *p);

#endif /* _EDGEPIN_TURN_H */
