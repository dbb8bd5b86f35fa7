// SPDX-License-Identifier: GPL-2.0
/* Addresses: must agree with inet_pton() on every input without a NUL. */
#include <arpa/inet.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mine[16], libc[16];
	char *buf, z[64];
	int a, b;

	if (size >= sizeof(z) || memchr(data, 0, size))
		return 0;
	buf = fuzz_copy(data, size);
	memcpy(z, data, size);
	z[size] = 0;
	a = inet_text_ip4(buf, size, mine) == 0;
	b = inet_pton(AF_INET, z, libc) == 1;
	FUZZ_CHECK(a == b && (!a || !memcmp(mine, libc, 4)));
	a = inet_text_ip6(buf, size, mine) == 0;
	b = inet_pton(AF_INET6, z, libc) == 1;
	FUZZ_CHECK(a == b && (!a || !memcmp(mine, libc, 16)));
	a = sdp_parse_address(buf, size, mine);
	FUZZ_CHECK(a == -EINVAL || (a >= SDP_ADDR_IP4 && a <= SDP_ADDR_MDNS));
	free(buf);
	return 0;
}
