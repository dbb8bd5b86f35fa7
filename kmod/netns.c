// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state. The module works with no configuration:
 * each netns starts with the default policy.
 */
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "netns.h"

static unsigned int edgepin_net_id __read_mostly;

struct edgepin_net *edgepin_pernet(const struct net *net)
{
	return net_generic(net, edgepin_net_id);
}

u64 edgepin_stat_read(struct edgepin_net *en, enum edgepin_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(en->stats, cpu)->c[s]);
	return sum;
}

void edgepin_stats_reset(struct edgepin_net *en)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(en->stats, cpu), 0,
		       sizeof(struct edgepin_stats));
}

static int __net_init edgepin_net_init(struct net *net)
{
	struct edgepin_net *en = edgepin_pernet(net);
	struct edgepin_policy *p;

	en->net = net;
	mutex_init(&en->policy_lock);
	en->stats = alloc_percpu(struct edgepin_stats);
	if (!en->stats)
		return -ENOMEM;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		free_percpu(en->stats);
		return -ENOMEM;
	}
	edgepin_policy_default(p);
	RCU_INIT_POINTER(en->policy, p);
	edgepin_calls_init(en);
	edgepin_turn_init(en);
	/* a flood of forged packets gives a few events a second, no more */
	ratelimit_state_init(&en->spoof_events, HZ, 10);
	ratelimit_set_flags(&en->spoof_events, RATELIMIT_MSG_ON_RELEASE);
	edgepin_reasm_init(&en->reasm);
	return 0;
}

static void __net_exit edgepin_net_exit(struct net *net)
{
	struct edgepin_net *en = edgepin_pernet(net);

	edgepin_turn_exit(en);
	edgepin_calls_exit(en);
	kfree(rcu_dereference_protected(en->policy, true));
	free_percpu(en->stats);
}

static struct pernet_operations edgepin_net_ops = {
	.init	= edgepin_net_init,
	.exit	= edgepin_net_exit,
	.id	= &edgepin_net_id,
	.size	= sizeof(struct edgepin_net),
};

int edgepin_netns_init(void)
{
	return register_pernet_subsys(&edgepin_net_ops);
}

void edgepin_netns_exit(void)
{
	unregister_pernet_subsys(&edgepin_net_ops);
}
