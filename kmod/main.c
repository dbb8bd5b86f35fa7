// SPDX-License-Identifier: GPL-2.0
/*
 * nf_conntrack_edgepin: conntrack helper that opens media pinholes only
 * for what a call's SIP/SDP offer/answer negotiated.
 *
 * Module init is a goto-unwind ladder; edgepin_exit() mirrors it exactly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "helper.h"
#include "version.h"

static int __init edgepin_init(void)
{
	int ret;

	ret = edgepin_helper_init();
	if (ret < 0)
		goto err_helper;

	pr_info("edgepin %s loaded\n", EDGEPIN_VERSION);
	return 0;

err_helper:
	return ret;
}

static void __exit edgepin_exit(void)
{
	edgepin_helper_exit();
}

module_init(edgepin_init);
module_exit(edgepin_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SIP/SDP/ICE negotiated media pinholes for media relays");
MODULE_VERSION(EDGEPIN_VERSION);
MODULE_AUTHOR("edgepin developers");
