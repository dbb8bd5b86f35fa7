// SPDX-License-Identifier: GPL-2.0
/* TCP framing: consume a stream frame by frame, as the helper will. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size), *msg;
	struct sip_frame f;
	size_t pos = 0;

	while (pos < size) {
		sip_frame(buf + pos, size - pos, &f);
		if (f.kind == SIP_FRAME_NEED_MORE) {
			FUZZ_CHECK(!f.len || f.len > size - pos);
			break;
		}
		FUZZ_CHECK(f.len > 0 && f.len <= size - pos);
		if (f.kind == SIP_FRAME_MESSAGE) {
			FUZZ_CHECK(f.len <= SIP_MAX_MSG_LEN);
			msg = fuzz_copy(data + pos, f.len);
			fuzz_message(msg, f.len);
			free(msg);
		}
		pos += f.len;
	}
	free(buf);
	return 0;
}
