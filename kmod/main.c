// SPDX-License-Identifier: GPL-2.0
/*
 * nf_conntrack_edgepin: conntrack helper that opens media pinholes only
 * for what a call's SIP/SDP offer/answer negotiated.
 *
 * Module init is a goto-unwind ladder; edgepin_exit() mirrors it exactly.
 * Per-netns state exists before the helper can see a packet, and the
 * control plane comes last so that it never sees a half-built module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "call.h"
#include "helper.h"
#include "netlink.h"
#include "netns.h"
#include "turn.h"
#include "version.h"

static int __init edgepin_init(void)
{
	int ret;

	ret = edgepin_calls_cache_init();
	if (ret < 0)
		goto err_cache;
	ret = edgepin_netns_init();
	if (ret < 0)
		goto err_netns;
	ret = edgepin_helper_init();
	if (ret < 0)
		goto err_helper;
	ret = edgepin_turn_helper_init();
	if (ret < 0)
		goto err_turn;
	ret = edgepin_genl_init();
	if (ret < 0)
		goto err_genl;

	pr_info("edgepin %s loaded\n", EDGEPIN_VERSION);
	return 0;

err_genl:
	edgepin_turn_helper_exit();
err_turn:
	edgepin_helper_exit();
err_helper:
	edgepin_netns_exit();
err_netns:
	edgepin_calls_cache_exit();
err_cache:
	return ret;
}

/*
 * The control plane goes first, so that no command runs into a half-torn
 * module; events, which the helpers and gc raise until they are gone,
 * stop before the family's multicast group is released (L3: see
 * edgepin_genl_exit()).
 */
static void __exit edgepin_exit(void)
{
	edgepin_genl_exit();
	edgepin_turn_helper_exit();
	edgepin_helper_exit();
	edgepin_netns_exit();
	edgepin_helper_check_leaks();
	edgepin_calls_cache_exit();
}

module_init(edgepin_init);
module_exit(edgepin_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SIP/SDP/ICE negotiated media pinholes for media relays");
MODULE_VERSION(EDGEPIN_VERSION);
MODULE_AUTHOR("edgepin developers");
MODULE_ALIAS_GENL_FAMILY(EDGEPIN_GENL_NAME);
