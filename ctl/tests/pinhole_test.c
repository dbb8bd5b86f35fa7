// SPDX-License-Identifier: GPL-2.0
/*
 * print_pinhole() on pinholes as the module sends them (fake nests, no
 * module): a SIP one prints as it always did, a TURN one shows its
 * allocation where the Call-ID would be (JSON: call_id null, object
 * "turn"), and a nest missing what its origin needs is refused. Each
 * case in text and in JSON against the expected line. Run by
 * "make -C ctl" (check-pinhole).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "uapi/edgepin.h"
#include "../edgepin.h"
#include "../print.h"

/* pinhole.c's commands are not run here */
int ctl_usage(const struct object *o, const char *fmt, ...)
{
	(void)o;
	(void)fmt;
	return EXIT_USAGE;
}

int ctl_error(const struct nl *nl, const char *what, int err)
{
	(void)nl;
	(void)what;
	(void)err;
	return 1;
}

struct nl *ctl_open(const char *what)
{
	(void)what;
	return NULL;
}

int ctl_list(struct nl *nl, const char *what, struct nlmsghdr *nlh,
	     uint16_t attr,
	     int (*print)(const char *key, const struct nlattr *nest))
{
	(void)nl;
	(void)what;
	(void)nlh;
	(void)attr;
	(void)print;
	return 1;
}

enum kind { SIP, TURN4, TURN6, TURN_NO_ALLOC, SIP_NO_CALL_ID };

static void put_addr(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	uint8_t a[16];
	int v6 = !!strchr(s, ':');

	inet_pton(v6 ? AF_INET6 : AF_INET, s, a);
	mnl_attr_put(nlh, type, v6 ? 16 : 4, a);
}

/* One EDGEPIN_A_PINHOLE nest, as kmod/netlink.c fills it. */
static struct nlattr *pinhole(char *buf, enum kind k)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int turn = k == TURN4 || k == TURN6 || k == TURN_NO_ALLOC;
	int v6 = k == TURN6;
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, EDGEPIN_A_PINHOLE);
	if (turn)
		mnl_attr_put(nlh, EDGEPIN_A_PIN_CALL_ID, 0, "");
	else if (k != SIP_NO_CALL_ID)
		mnl_attr_put_str(nlh, EDGEPIN_A_PIN_CALL_ID,
				 "a84b4c76e66710@pc33");
	mnl_attr_put_str(nlh, EDGEPIN_A_PIN_MEDIA, turn ? "relay" : "audio");
	mnl_attr_put_u8(nlh, EDGEPIN_A_PIN_MEDIA_INDEX, 0);
	mnl_attr_put_u8(nlh, EDGEPIN_A_PIN_PROTO, IPPROTO_UDP);
	mnl_attr_put_u8(nlh, EDGEPIN_A_PIN_FAMILY, v6 ? AF_INET6 : AF_INET);
	put_addr(nlh, EDGEPIN_A_PIN_EDGE_ADDR,
		 v6 ? "2001:db8:2::10" : "203.0.113.10");
	mnl_attr_put_u16(nlh, EDGEPIN_A_PIN_EDGE_PORT, 50012);
	put_addr(nlh, EDGEPIN_A_PIN_PEER_ADDR,
		 v6 ? "2001:db8:3::2" : "198.51.100.2");
	mnl_attr_put_u16(nlh, EDGEPIN_A_PIN_PEER_PORT, 0);
	mnl_attr_put_u8(nlh, EDGEPIN_A_PIN_STATE, EDGEPIN_PIN_PINNED);
	mnl_attr_put_u32(nlh, EDGEPIN_A_PIN_TIMEOUT, turn ? 300 : 60);
	mnl_attr_put_u32(nlh, EDGEPIN_A_PIN_FLOWS, 0);
	mnl_attr_put_u8(nlh, EDGEPIN_A_PIN_EDGE_CAND, EDGEPIN_CAND_RELAY);
	mnl_attr_put_u8(nlh, EDGEPIN_A_PIN_PEER_CAND,
			turn ? EDGEPIN_CAND_RELAY : EDGEPIN_CAND_HOST);
	mnl_attr_put_u8(nlh, EDGEPIN_A_PIN_ORIGIN,
			turn ? EDGEPIN_ORIGIN_TURN : EDGEPIN_ORIGIN_WIRE);
	if (turn && k != TURN_NO_ALLOC) {
		mnl_attr_put_u8(nlh, EDGEPIN_A_PIN_TURN_FAMILY,
				v6 ? AF_INET6 : AF_INET);
		mnl_attr_put_u8(nlh, EDGEPIN_A_PIN_TURN_PROTO,
				v6 ? IPPROTO_TCP : IPPROTO_UDP);
		put_addr(nlh, EDGEPIN_A_PIN_TURN_CLIENT_ADDR,
			 v6 ? "2001:db8:1::7" : "192.0.2.7");
		mnl_attr_put_u16(nlh, EDGEPIN_A_PIN_TURN_CLIENT_PORT, 40000);
		put_addr(nlh, EDGEPIN_A_PIN_TURN_SERVER_ADDR,
			 v6 ? "2001:db8:2::10" : "203.0.113.10");
		mnl_attr_put_u16(nlh, EDGEPIN_A_PIN_TURN_SERVER_PORT, 3478);
		mnl_attr_put_u32(nlh, EDGEPIN_A_PIN_TURN_LIFETIME, 600);
	}
	mnl_attr_nest_end(nlh, nest);
	return nest;
}

static const struct {
	enum kind k;
	const char *text, *json;
} cases[] = {
	{ SIP,
	  "a84b4c76e66710@pc33 audio/0 udp 203.0.113.10:50012 from 198.51.100.2:any pinned timeout 60s flows 0 edge-cand relay peer-cand host origin wire",
	  "{\"call_id\":\"a84b4c76e66710@pc33\",\"media\":\"audio\",\"media_index\":0,\"proto\":\"udp\",\"family\":\"ipv4\",\"edge_addr\":\"203.0.113.10\",\"edge_port\":50012,\"peer_addr\":\"198.51.100.2\",\"peer_port\":0,\"state\":\"pinned\",\"timeout\":60,\"flows\":0,\"edge_cand\":\"relay\",\"peer_cand\":\"host\",\"origin\":\"wire\"}" },
	{ TURN4,
	  "turn udp 192.0.2.7:40000 -> 203.0.113.10:3478 lifetime 600s relay/0 udp 203.0.113.10:50012 from 198.51.100.2:any pinned timeout 300s flows 0 edge-cand relay peer-cand relay origin turn",
	  "{\"call_id\":null,\"turn\":{\"proto\":\"udp\",\"client_addr\":\"192.0.2.7\",\"client_port\":40000,\"server_addr\":\"203.0.113.10\",\"server_port\":3478,\"lifetime\":600},\"media\":\"relay\",\"media_index\":0,\"proto\":\"udp\",\"family\":\"ipv4\",\"edge_addr\":\"203.0.113.10\",\"edge_port\":50012,\"peer_addr\":\"198.51.100.2\",\"peer_port\":0,\"state\":\"pinned\",\"timeout\":300,\"flows\":0,\"edge_cand\":\"relay\",\"peer_cand\":\"relay\",\"origin\":\"turn\"}" },
	{ TURN6,
	  "turn tcp [2001:db8:1::7]:40000 -> [2001:db8:2::10]:3478 lifetime 600s relay/0 udp [2001:db8:2::10]:50012 from [2001:db8:3::2]:any pinned timeout 300s flows 0 edge-cand relay peer-cand relay origin turn",
	  "{\"call_id\":null,\"turn\":{\"proto\":\"tcp\",\"client_addr\":\"2001:db8:1::7\",\"client_port\":40000,\"server_addr\":\"2001:db8:2::10\",\"server_port\":3478,\"lifetime\":600},\"media\":\"relay\",\"media_index\":0,\"proto\":\"udp\",\"family\":\"ipv6\",\"edge_addr\":\"2001:db8:2::10\",\"edge_port\":50012,\"peer_addr\":\"2001:db8:3::2\",\"peer_port\":0,\"state\":\"pinned\",\"timeout\":300,\"flows\":0,\"edge_cand\":\"relay\",\"peer_cand\":\"relay\",\"origin\":\"turn\"}" },
	{ TURN_NO_ALLOC, NULL, NULL },
	{ SIP_NO_CALL_ID, NULL, NULL },
};

/* What print_pinhole() writes to stdout for @nest, into @out. */
static int capture(const struct nlattr *nest, char *out, size_t len)
{
	FILE *t = tmpfile();
	int saved, ret;
	size_t n;

	if (!t)
		return -errno;
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(t), 1);
	ret = print_pinhole(NULL, nest);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(t);
	n = fread(out, 1, len - 1, t);
	out[n] = '\0';
	fclose(t);
	return ret;
}

static int check(size_t i, int json)
{
	static char buf[8192];
	const char *want = json ? cases[i].json : cases[i].text;
	char got[2048];
	int ret;

	print_set_json(json);
	ret = capture(pinhole(buf, cases[i].k), got, sizeof(got));
	if ((want && !ret && !strcmp(got, want)) ||
	    (!want && ret == -EPROTO)) {
		printf("# %s\n", want ? got : "refused");
		return 0;
	}
	printf("# case %zu (%s): got %d '%s'\n#   want '%s'\n", i,
	       json ? "json" : "text", ret, got, want ? want : "-EPROTO");
	return 1;
}

int main(void)
{
	int fail = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		fail += check(i, 0) + check(i, 1);
	printf("pinhole_test: %d of %zu failed\n", fail, 2 * ARRAY_SIZE(cases));
	return !!fail;
}
