// SPDX-License-Identifier: GPL-2.0
/* One SDP description with its candidates. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sdp((const char *)data, size);
	return 0;
}
