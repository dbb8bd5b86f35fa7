/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version differences, in one place. Kbuild probes the headers
 * (kmod/Kbuild) rather than trusting version numbers, because Debian's
 * 6.1 carries backports.
 *
 * Expectation lifetime: since the backport of the lazy expectation GC,
 * an expectation has a jiffies32 deadline (exp->timeout) and a DEAD flag
 * instead of a timer. Only that API is supported: Debian's 6.1 since
 * 6.1.192 and 6.12 since 6.12.115 carry it; older kernels stop at the
 * #error below, which names the packages that work.
 */
#ifndef _EDGEPIN_COMPAT_H
#define _EDGEPIN_COMPAT_H

#include <linux/poison.h>
#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>

#ifndef EDGEPIN_HAVE_EXP_DEADLINE
#error "edgepin needs the lazy expectation GC (exp->timeout is a deadline, not a timer). Debian kernels with it: linux-image-amd64 >= 6.1.192 (bookworm-security); linux-image-6.12-amd64 >= 6.12.115, e.g. linux-image-6.12.118+deb12-amd64 (bookworm-security's linux-6.12); trixie's linux-image-amd64 >= 6.12.115. Not bookworm-backports (6.12.95)."
#endif

/*
 * Extend @ct's lifetime to @extra_jiffies from now. nf_ct_refresh() lost
 * its skb argument, unused without accounting, in 6.14 (Debian 6.12.113).
 */
static inline void edgepin_ct_refresh(struct nf_conn *ct,
				      const struct sk_buff *skb,
				      u32 extra_jiffies)
{
#ifdef EDGEPIN_HAVE_CT_REFRESH_NO_SKB
	nf_ct_refresh(ct, extra_jiffies);
#else
	nf_ct_refresh(ct, skb, extra_jiffies);
#endif
}

/* Caller holds nf_conntrack_expect_lock. */
static inline void edgepin_exp_set_timeout(struct nf_conntrack_expect *exp,
					   unsigned int secs)
{
	WRITE_ONCE(exp->timeout, nfct_time_stamp + secs * HZ);
}

/* Caller holds nf_conntrack_expect_lock. */
static inline void edgepin_exp_clamp_timeout(struct nf_conntrack_expect *exp,
					     unsigned int secs)
{
	u32 deadline = nfct_time_stamp + secs * HZ;

	if ((s32)(READ_ONCE(exp->timeout) - deadline) > 0)
		WRITE_ONCE(exp->timeout, deadline);
}

/* Seconds until @exp expires (0 if it has). */
static inline unsigned int
edgepin_exp_secs_left(const struct nf_conntrack_expect *exp)
{
	s32 left = (s32)(READ_ONCE(exp->timeout) - nfct_time_stamp);

	return left > 0 ? left / HZ : 0;
}

static inline bool edgepin_exp_expired(const struct nf_conntrack_expect *exp)
{
	return nf_ct_exp_is_expired(exp);
}

/*
 * Still in the expectation hash? nf_ct_unlink_expect() poisons hnode, so
 * this tells an expectation that someone else (ctnetlink, the lazy GC)
 * already unlinked. Caller holds nf_conntrack_expect_lock.
 */
static inline bool edgepin_exp_linked(const struct nf_conntrack_expect *exp)
{
	return exp->hnode.pprev != LIST_POISON2;
}

/* The parsed attributes of a dump request (moved into genl_info in 6.2). */
static inline struct nlattr **edgepin_dump_attrs(struct netlink_callback *cb)
{
#ifdef EDGEPIN_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _EDGEPIN_COMPAT_H */
