// SPDX-License-Identifier: GPL-2.0
/* One SIP message (a UDP datagram): headers, then every body part. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);

	fuzz_message(buf, size);
	free(buf);
	return 0;
}
