// SPDX-License-Identifier: GPL-2.0
/* Strict parsing and formatting of the values on the command line. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "uapi/edgepin.h"
#include "edgepin.h"

int parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		n = n * 10 + (*s - '0');
		if (n > max)
			return -ERANGE;
	}
	*v = n;
	return 0;
}

int parse_addr(const char *s, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *format_addr(const void *addr, size_t len, char *buf)
{
	int family = len == 4 ? AF_INET : AF_INET6;

	if ((len != 4 && len != 16) ||
	    !inet_ntop(family, addr, buf, INET6_ADDRSTRLEN))
		return "?";
	return buf;
}

const char *family_name(uint8_t family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "?";
}

const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_TCP ? "tcp" : "?";
}

const char *origin_name(uint8_t origin)
{
	return origin == EDGEPIN_ORIGIN_WIRE ? "wire" :
	       origin == EDGEPIN_ORIGIN_FEED ? "feed" :
	       origin == EDGEPIN_ORIGIN_TURN ? "turn" : "?";
}
