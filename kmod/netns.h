/* SPDX-License-Identifier: GPL-2.0 */
/* Per network namespace state: policy, counters and the call table. */
#ifndef _EDGEPIN_NETNS_H
#define _EDGEPIN_NETNS_H

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <net/net_namespace.h>

#include "uapi/edgepin.h"
#include "policy.h"
#include "call.h"
#include "helper.h"
#include "turn.h"

struct edgepin_stats {
	u64 c[__EDGEPIN_STAT_MAX];
};

struct edgepin_net {
	struct net *net;
	struct edgepin_policy __rcu *policy;
	struct mutex policy_lock;	/* serialises policy writers */
	struct edgepin_stats __percpu *stats;
	struct edgepin_calls calls;
	struct edgepin_turn turn;	/* helper edgepin-turn */
	struct ratelimit_state spoof_events;	/* monitor events of spoofing */
	struct edgepin_reasm reasm;	/* TCP reassembly budget */
};

struct edgepin_net *edgepin_pernet(const struct net *net);

static inline void edgepin_stat_inc(struct edgepin_net *en,
				    enum edgepin_stat s)
{
	this_cpu_inc(en->stats->c[s]);
}

static inline void edgepin_stat_add(struct edgepin_net *en,
				    enum edgepin_stat s, u32 n)
{
	this_cpu_add(en->stats->c[s], n);
}

/* Sum of one counter over all CPUs (approximate while it changes). */
u64 edgepin_stat_read(struct edgepin_net *en, enum edgepin_stat s);
void edgepin_stats_reset(struct edgepin_net *en);

int edgepin_netns_init(void);
void edgepin_netns_exit(void);

#endif /* _EDGEPIN_NETNS_H */
