// SPDX-License-Identifier: GPL-2.0
/*
 * edgepin pinhole list [call ID] [peer ADDR] | flush [call ID]: the
 * pinholes of SIP calls and of TURN permissions (origin turn).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "uapi/edgepin.h"
#include "edgepin.h"
#include "print.h"

static const char *const pin_states[] = {
	[EDGEPIN_PIN_PINNED] = "pinned",
	[EDGEPIN_PIN_ACTIVE] = "active",
	[EDGEPIN_PIN_MONITOR] = "monitor",
};

static const char *const cand_kinds[] = {
	[EDGEPIN_CAND_DEFAULT] = "default",
	[EDGEPIN_CAND_HOST] = "host",
	[EDGEPIN_CAND_SRFLX] = "srflx",
	[EDGEPIN_CAND_PRFLX] = "prflx",
	[EDGEPIN_CAND_RELAY] = "relay",
	[EDGEPIN_CAND_OTHER] = "other",
	[EDGEPIN_CAND_RTCP] = "rtcp",
};

#define NAME(table, v) ((v) < ARRAY_SIZE(table) && (table)[v] ? \
			(table)[v] : "unknown")

static const struct nl_spec pin_spec[EDGEPIN_A_PIN_MAX + 1] = {
	[EDGEPIN_A_PIN_CALL_ID] = { MNL_TYPE_BINARY, 0, EDGEPIN_CALL_ID_MAX },
	[EDGEPIN_A_PIN_MEDIA] = { MNL_TYPE_BINARY, 0, 64 },
	[EDGEPIN_A_PIN_MEDIA_INDEX] = { MNL_TYPE_U8 },
	[EDGEPIN_A_PIN_PROTO] = { MNL_TYPE_U8 },
	[EDGEPIN_A_PIN_FAMILY] = { MNL_TYPE_U8 },
	[EDGEPIN_A_PIN_EDGE_ADDR] = { MNL_TYPE_BINARY, 4, 16 },
	[EDGEPIN_A_PIN_EDGE_PORT] = { MNL_TYPE_U16 },
	[EDGEPIN_A_PIN_PEER_ADDR] = { MNL_TYPE_BINARY, 4, 16 },
	[EDGEPIN_A_PIN_PEER_PORT] = { MNL_TYPE_U16 },
	[EDGEPIN_A_PIN_STATE] = { MNL_TYPE_U8 },
	[EDGEPIN_A_PIN_TIMEOUT] = { MNL_TYPE_U32 },
	[EDGEPIN_A_PIN_FLOWS] = { MNL_TYPE_U32 },
	[EDGEPIN_A_PIN_EDGE_CAND] = { MNL_TYPE_U8 },
	[EDGEPIN_A_PIN_PEER_CAND] = { MNL_TYPE_U8 },
	[EDGEPIN_A_PIN_ORIGIN] = { MNL_TYPE_U8 },
	[EDGEPIN_A_PIN_TURN_FAMILY] = { MNL_TYPE_U8 },
	[EDGEPIN_A_PIN_TURN_PROTO] = { MNL_TYPE_U8 },
	[EDGEPIN_A_PIN_TURN_CLIENT_ADDR] = { MNL_TYPE_BINARY, 4, 16 },
	[EDGEPIN_A_PIN_TURN_CLIENT_PORT] = { MNL_TYPE_U16 },
	[EDGEPIN_A_PIN_TURN_SERVER_ADDR] = { MNL_TYPE_BINARY, 4, 16 },
	[EDGEPIN_A_PIN_TURN_SERVER_PORT] = { MNL_TYPE_U16 },
	[EDGEPIN_A_PIN_TURN_LIFETIME] = { MNL_TYPE_U32 },
};

/* What every pinhole carries; a SIP one its Call-ID, a TURN one its
 * allocation.
 */
static const uint16_t pin_needs[] = {
	EDGEPIN_A_PIN_PROTO, EDGEPIN_A_PIN_EDGE_ADDR, EDGEPIN_A_PIN_EDGE_PORT,
	EDGEPIN_A_PIN_PEER_ADDR, EDGEPIN_A_PIN_STATE,
};
static const uint16_t sip_needs[] = { EDGEPIN_A_PIN_CALL_ID };
static const uint16_t turn_needs[] = {
	EDGEPIN_A_PIN_TURN_PROTO, EDGEPIN_A_PIN_TURN_CLIENT_ADDR,
	EDGEPIN_A_PIN_TURN_CLIENT_PORT, EDGEPIN_A_PIN_TURN_SERVER_ADDR,
	EDGEPIN_A_PIN_TURN_SERVER_PORT, EDGEPIN_A_PIN_TURN_LIFETIME,
};

static bool has_all(const struct nlattr *const *tb, const uint16_t *want,
		    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!tb[want[i]])
			return false;
	return true;
}

/* An address attribute, bracketed in text when it is IPv6. */
static void print_addr(const char *key, const char *fmt4, const char *fmt6,
		       const struct nlattr *a)
{
	char buf[INET6_ADDRSTRLEN];
	uint16_t len = mnl_attr_get_payload_len(a);

	print_string(PRINT_ANY, key, len == 16 ? fmt6 : fmt4,
		     format_addr(mnl_attr_get_payload(a), len, buf));
}

static uint64_t u8_or(const struct nlattr *a, uint8_t dflt)
{
	return a ? mnl_attr_get_u8(a) : dflt;
}

/*
 * A TURN pinhole has no call but an allocation, shown where the Call-ID
 * would be: "turn udp CLIENT:PORT -> SERVER:PORT lifetime Ns"; in JSON
 * call_id is null and object "turn" holds the allocation.
 */
static void print_turn(const struct nlattr *const *tb)
{
	print_null(PRINT_JSON, "call_id", NULL, NULL);
	open_json_object("turn");
	print_string(PRINT_ANY, "proto", "turn %s",
		     proto_name(mnl_attr_get_u8(tb[EDGEPIN_A_PIN_TURN_PROTO])));
	print_addr("client_addr", " %s", " [%s]",
		   tb[EDGEPIN_A_PIN_TURN_CLIENT_ADDR]);
	print_uint(PRINT_ANY, "client_port", ":%llu",
		   mnl_attr_get_u16(tb[EDGEPIN_A_PIN_TURN_CLIENT_PORT]));
	print_addr("server_addr", " -> %s", " -> [%s]",
		   tb[EDGEPIN_A_PIN_TURN_SERVER_ADDR]);
	print_uint(PRINT_ANY, "server_port", ":%llu",
		   mnl_attr_get_u16(tb[EDGEPIN_A_PIN_TURN_SERVER_PORT]));
	print_uint(PRINT_ANY, "lifetime", " lifetime %llus",
		   mnl_attr_get_u32(tb[EDGEPIN_A_PIN_TURN_LIFETIME]));
	close_json_object();
}

int print_pinhole(const char *key, const struct nlattr *nest)
{
	const struct nlattr *tb[EDGEPIN_A_PIN_MAX + 1];
	const struct nlattr *a;
	uint16_t port;
	bool turn;

	if (nl_parse_nest(nest, pin_spec, EDGEPIN_A_PIN_MAX, tb))
		return -EPROTO;
	turn = u8_or(tb[EDGEPIN_A_PIN_ORIGIN], EDGEPIN_ORIGIN_WIRE) ==
	       EDGEPIN_ORIGIN_TURN;
	if (!has_all(tb, pin_needs, ARRAY_SIZE(pin_needs)) ||
	    (turn ? !has_all(tb, turn_needs, ARRAY_SIZE(turn_needs)) :
		    !has_all(tb, sip_needs, ARRAY_SIZE(sip_needs))))
		return -EPROTO;

	open_json_object(key);
	a = tb[EDGEPIN_A_PIN_CALL_ID];
	if (turn)
		print_turn(tb);
	else
		print_bytes(PRINT_ANY, "call_id", "%s",
			    mnl_attr_get_payload(a),
			    mnl_attr_get_payload_len(a));
	a = tb[EDGEPIN_A_PIN_MEDIA];
	print_bytes(PRINT_ANY, "media", " %s", a ? mnl_attr_get_payload(a) : "",
		    a ? mnl_attr_get_payload_len(a) : 0);
	print_uint(PRINT_ANY, "media_index", "/%llu",
		   u8_or(tb[EDGEPIN_A_PIN_MEDIA_INDEX], 0));
	print_string(PRINT_ANY, "proto", " %s",
		     proto_name(mnl_attr_get_u8(tb[EDGEPIN_A_PIN_PROTO])));
	print_string(PRINT_JSON, "family", NULL,
		     family_name(u8_or(tb[EDGEPIN_A_PIN_FAMILY], 0)));
	print_addr("edge_addr", " %s", " [%s]", tb[EDGEPIN_A_PIN_EDGE_ADDR]);
	print_uint(PRINT_ANY, "edge_port", ":%llu",
		   mnl_attr_get_u16(tb[EDGEPIN_A_PIN_EDGE_PORT]));
	print_addr("peer_addr", " from %s", " from [%s]",
		   tb[EDGEPIN_A_PIN_PEER_ADDR]);
	a = tb[EDGEPIN_A_PIN_PEER_PORT];
	port = a ? mnl_attr_get_u16(a) : 0;
	print_uint(port ? PRINT_ANY : PRINT_JSON, "peer_port", ":%llu", port);
	if (!port)
		print_string(PRINT_FP, NULL, ":%s", "any");
	print_string(PRINT_ANY, "state", " %s",
		     NAME(pin_states, mnl_attr_get_u8(tb[EDGEPIN_A_PIN_STATE])));
	a = tb[EDGEPIN_A_PIN_TIMEOUT];
	if (a)
		print_uint(PRINT_ANY, "timeout", " timeout %llus",
			   mnl_attr_get_u32(a));
	else
		print_null(PRINT_ANY, "timeout", " %s", "held");
	a = tb[EDGEPIN_A_PIN_FLOWS];
	print_uint(PRINT_ANY, "flows", " flows %llu",
		   a ? mnl_attr_get_u32(a) : 0);
	print_string(PRINT_ANY, "edge_cand", " edge-cand %s",
		     NAME(cand_kinds, u8_or(tb[EDGEPIN_A_PIN_EDGE_CAND], 0)));
	print_string(PRINT_ANY, "peer_cand", " peer-cand %s",
		     NAME(cand_kinds, u8_or(tb[EDGEPIN_A_PIN_PEER_CAND], 0)));
	print_string(PRINT_ANY, "origin", " origin %s",
		     origin_name(u8_or(tb[EDGEPIN_A_PIN_ORIGIN],
				       EDGEPIN_ORIGIN_WIRE)));
	close_json_object();
	return 0;
}

static int pinhole_list_main(int argc, char **argv)
{
	const char *call = NULL, *peer = NULL;
	struct nlmsghdr *nlh;
	uint8_t family, addr[16];
	struct nl *nl;
	int i;

	for (i = 0; i < argc; i += 2) {
		const char **slot = !strcmp(argv[i], "call") ? &call :
				    !strcmp(argv[i], "peer") ? &peer : NULL;

		if (!slot || *slot || i + 1 == argc)
			return ctl_usage(&pinhole_object,
					 "pinhole list: bad argument '%s'",
					 argv[i]);
		*slot = argv[i + 1];
	}
	if (peer && parse_addr(peer, &family, addr))
		return ctl_usage(&pinhole_object,
				 "pinhole list: bad address '%s'", peer);
	if (call && (!*call || strlen(call) > EDGEPIN_CALL_ID_MAX))
		return ctl_usage(&pinhole_object,
				 "pinhole list: bad Call-ID length");
	nl = ctl_open("pinhole list");
	if (!nl)
		return 1;
	nlh = nl_request(nl, EDGEPIN_CMD_PINHOLE_GET, NLM_F_DUMP);
	if (call)
		mnl_attr_put(nlh, EDGEPIN_A_CALL_ID, strlen(call), call);
	if (peer)
		mnl_attr_put(nlh, EDGEPIN_A_PEER_ADDR,
			     family == AF_INET ? 4 : 16, addr);
	return ctl_list(nl, "pinhole list", nlh, EDGEPIN_A_PINHOLE,
			print_pinhole);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	static const struct nl_spec spec[EDGEPIN_A_MAX + 1] = {
		[EDGEPIN_A_COUNT] = { MNL_TYPE_U32 },
	};
	const struct nlattr *tb[EDGEPIN_A_MAX + 1];

	if (nl_parse_msg(nlh, spec, EDGEPIN_A_MAX, tb) ||
	    !tb[EDGEPIN_A_COUNT]) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	*(uint32_t *)data = mnl_attr_get_u32(tb[EDGEPIN_A_COUNT]);
	return MNL_CB_OK;
}

static int pinhole_flush_main(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	uint32_t n = 0;
	struct nl *nl;
	int ret;

	if (argc && (argc != 2 || strcmp(argv[0], "call")))
		return ctl_usage(&pinhole_object, "pinhole flush: bad arguments");
	if (argc && (!*argv[1] || strlen(argv[1]) > EDGEPIN_CALL_ID_MAX))
		return ctl_usage(&pinhole_object,
				 "pinhole flush: bad Call-ID length");
	nl = ctl_open("pinhole flush");
	if (!nl)
		return 1;
	nlh = nl_request(nl, EDGEPIN_CMD_PINHOLE_FLUSH, NLM_F_ACK);
	if (argc)
		mnl_attr_put(nlh, EDGEPIN_A_CALL_ID, strlen(argv[1]), argv[1]);
	ret = nl_talk(nl, nlh, count_cb, &n);
	if (ret) {
		ret = ctl_error(nl, "pinhole flush", ret);
	} else {
		open_json_object(NULL);
		print_uint(PRINT_ANY, "closed", "closed %llu pinholes", n);
		close_json_object();
		print_nl();
		print_end();
	}
	nl_close(nl);
	return ret;
}

static const struct cmd pinhole_cmds[] = {
	{ "list", pinhole_list_main, "[call ID] [peer ADDR]",
	  "the open pinholes" },
	{ "flush", pinhole_flush_main, "[call ID]",
	  "close every pinhole, TURN ones too (or one call's)" },
	{ NULL, NULL, NULL, NULL },
};

const struct object pinhole_object = {
	.name = "pinhole",
	.cmds = pinhole_cmds,
	.help = "pinholes (conntrack expectations)",
};
