// SPDX-License-Identifier: GPL-2.0
/*
 * A multipart body; the first byte is the boundary length, the boundary
 * follows, the body is the rest. Each is copied to its own exact buffer.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t blen;
	char *boundary, *body;

	if (size < 1)
		return 0;
	blen = data[0];
	if (blen > size - 1)
		return 0;
	boundary = fuzz_copy(data + 1, blen);
	body = fuzz_copy(data + 1 + blen, size - 1 - blen);
	fuzz_multipart(body, size - 1 - blen, boundary, blen);
	free(body);
	free(boundary);
	return 0;
}
