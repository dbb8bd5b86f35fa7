// SPDX-License-Identifier: GPL-2.0
/*
 * Registration of the "edgepin" conntrack helper for IPv4/IPv6 x UDP/TCP
 * on each SIP port given in ports= (like nf_conntrack_sip: the helper for
 * the default port is named "edgepin", others "edgepin-<port>").
 *
 * Since Linux 6.0 helpers are attached explicitly (nftables ct helper
 * objects), so ports= names the helpers rather than selecting traffic.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfilter.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "helper.h"

#define EDGEPIN_SIP_PORT	5060
#define EDGEPIN_MAX_PORTS	8

static unsigned short ports[EDGEPIN_MAX_PORTS];
static unsigned int ports_c;
module_param_array(ports, ushort, &ports_c, 0400);
MODULE_PARM_DESC(ports, "SIP ports the helpers are named for (default 5060)");

MODULE_ALIAS_NFCT_HELPER(EDGEPIN_HELPER_NAME);

enum edgepin_expect_class {
	EDGEPIN_EXPECT_MEDIA,
	__EDGEPIN_EXPECT_MAX
};

static const struct nf_conntrack_expect_policy
edgepin_exp_policy[__EDGEPIN_EXPECT_MAX] = {
	[EDGEPIN_EXPECT_MEDIA] = {
		.name		= "media",
		.max_expected	= 0,	/* bounded by edgepin's own policy */
		.timeout	= 60,
	},
};

static struct nf_conntrack_helper edgepin_helpers[EDGEPIN_MAX_PORTS * 4];

/* The SIP parsing and pinhole logic arrive with the call tracker; until
 * then the helper only marks SIP flows and never touches a packet.
 */
static int edgepin_help(struct sk_buff *skb, unsigned int protoff,
			struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	return NF_ACCEPT;
}

static const struct {
	u16 l3num;
	u8 protonum;
} edgepin_flavours[] = {
	{ NFPROTO_IPV4, IPPROTO_UDP },
	{ NFPROTO_IPV4, IPPROTO_TCP },
	{ NFPROTO_IPV6, IPPROTO_UDP },
	{ NFPROTO_IPV6, IPPROTO_TCP },
};

int edgepin_helper_init(void)
{
	unsigned int i, j, n = 0;

	if (ports_c == 0)
		ports[ports_c++] = EDGEPIN_SIP_PORT;

	for (i = 0; i < ports_c; i++) {
		for (j = 0; j < ARRAY_SIZE(edgepin_flavours); j++)
			nf_ct_helper_init(&edgepin_helpers[n++],
					  edgepin_flavours[j].l3num,
					  edgepin_flavours[j].protonum,
					  EDGEPIN_HELPER_NAME, EDGEPIN_SIP_PORT,
					  ports[i], ports[i], edgepin_exp_policy,
					  __EDGEPIN_EXPECT_MAX - 1,
					  edgepin_help, NULL, THIS_MODULE);
	}

	return nf_conntrack_helpers_register(edgepin_helpers, n);
}

void edgepin_helper_exit(void)
{
	nf_conntrack_helpers_unregister(edgepin_helpers, ports_c *
					ARRAY_SIZE(edgepin_flavours));
}
