// SPDX-License-Identifier: GPL-2.0
/* edgepin call list | drop ID */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/genetlink.h>

#include "uapi/edgepin.h"
#include "edgepin.h"
#include "print.h"

static const char *const call_states[] = {
	[EDGEPIN_CALL_OFFERED] = "offered",
	[EDGEPIN_CALL_EARLY] = "early",
	[EDGEPIN_CALL_CONFIRMED] = "confirmed",
	[EDGEPIN_CALL_ENDED] = "ended",
};

static const struct nl_spec call_spec[EDGEPIN_A_CALL_MAX + 1] = {
	[EDGEPIN_A_CALL_ID_STR] = { MNL_TYPE_BINARY, 0, EDGEPIN_CALL_ID_MAX },
	[EDGEPIN_A_CALL_STATE] = { MNL_TYPE_U8 },
	[EDGEPIN_A_CALL_FAMILY] = { MNL_TYPE_U8 },
	[EDGEPIN_A_CALL_EDGE_SIG] = { MNL_TYPE_BINARY, 4, 16 },
	[EDGEPIN_A_CALL_PEER_SIG] = { MNL_TYPE_BINARY, 4, 16 },
	[EDGEPIN_A_CALL_PROTO] = { MNL_TYPE_U8 },
	[EDGEPIN_A_CALL_PINHOLES] = { MNL_TYPE_U32 },
	[EDGEPIN_A_CALL_AGE] = { MNL_TYPE_U32 },
	[EDGEPIN_A_CALL_IDLE] = { MNL_TYPE_U32 },
	[EDGEPIN_A_CALL_EDGE_OFFERED] = { MNL_TYPE_FLAG },
	[EDGEPIN_A_CALL_ORIGIN] = { MNL_TYPE_U8 },
};

static void print_sig(const char *key, const char *fmt,
		      const struct nlattr *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (a)
		print_string(PRINT_ANY, key, fmt,
			     format_addr(mnl_attr_get_payload(a),
					 mnl_attr_get_payload_len(a), buf));
	else
		print_null(PRINT_ANY, key, fmt, "-");
}

static uint64_t u32_or0(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

int print_call(const char *key, const struct nlattr *nest)
{
	const struct nlattr *tb[EDGEPIN_A_CALL_MAX + 1];
	const struct nlattr *a;
	uint8_t v;

	if (nl_parse_nest(nest, call_spec, EDGEPIN_A_CALL_MAX, tb) ||
	    !tb[EDGEPIN_A_CALL_ID_STR] || !tb[EDGEPIN_A_CALL_STATE])
		return -EPROTO;

	open_json_object(key);
	a = tb[EDGEPIN_A_CALL_ID_STR];
	print_bytes(PRINT_ANY, "call_id", "%s", mnl_attr_get_payload(a),
		    mnl_attr_get_payload_len(a));
	v = mnl_attr_get_u8(tb[EDGEPIN_A_CALL_STATE]);
	print_string(PRINT_ANY, "state", " %s",
		     v < ARRAY_SIZE(call_states) ? call_states[v] : "unknown");
	a = tb[EDGEPIN_A_CALL_PROTO];
	print_string(PRINT_ANY, "proto", " %s",
		     proto_name(a ? mnl_attr_get_u8(a) : 0));
	a = tb[EDGEPIN_A_CALL_FAMILY];
	print_string(PRINT_JSON, "family", NULL,
		     family_name(a ? mnl_attr_get_u8(a) : 0));
	print_sig("edge_sig", " edge %s", tb[EDGEPIN_A_CALL_EDGE_SIG]);
	print_sig("peer_sig", " peer %s", tb[EDGEPIN_A_CALL_PEER_SIG]);
	print_string(PRINT_ANY, "offerer", " offerer %s",
		     tb[EDGEPIN_A_CALL_EDGE_OFFERED] ? "edge" : "peer");
	print_uint(PRINT_ANY, "pinholes", " pinholes %llu",
		   u32_or0(tb[EDGEPIN_A_CALL_PINHOLES]));
	print_uint(PRINT_ANY, "age", " age %llus",
		   u32_or0(tb[EDGEPIN_A_CALL_AGE]));
	print_uint(PRINT_ANY, "idle", " idle %llus",
		   u32_or0(tb[EDGEPIN_A_CALL_IDLE]));
	a = tb[EDGEPIN_A_CALL_ORIGIN];
	print_string(PRINT_ANY, "origin", " origin %s",
		     origin_name(a ? mnl_attr_get_u8(a) : EDGEPIN_ORIGIN_WIRE));
	close_json_object();
	return 0;
}

static int call_list_main(int argc, char **argv)
{
	struct nl *nl;

	(void)argv;
	if (argc)
		return ctl_usage(&call_object, "call list: takes no arguments");
	nl = ctl_open("call list");
	if (!nl)
		return 1;
	return ctl_list(nl, "call list",
			nl_request(nl, EDGEPIN_CMD_CALL_GET, NLM_F_DUMP),
			EDGEPIN_A_CALL, print_call);
}

static int call_drop_main(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nl *nl;
	int ret;

	if (argc != 1 || !*argv[0] || strlen(argv[0]) > EDGEPIN_CALL_ID_MAX)
		return ctl_usage(&call_object, "call drop: want one Call-ID");
	nl = ctl_open("call drop");
	if (!nl)
		return 1;
	nlh = nl_request(nl, EDGEPIN_CMD_CALL_DROP, NLM_F_ACK);
	mnl_attr_put(nlh, EDGEPIN_A_CALL_ID, strlen(argv[0]), argv[0]);
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret)
		ret = ctl_error(nl, "call drop", ret);
	nl_close(nl);
	return ret;
}

static const struct cmd call_cmds[] = {
	{ "list", call_list_main, "", "the tracked calls" },
	{ "drop", call_drop_main, "ID", "end a call as BYE would" },
	{ NULL, NULL, NULL, NULL },
};

const struct object call_object = {
	.name = "call",
	.cmds = call_cmds,
	.help = "tracked calls",
};
