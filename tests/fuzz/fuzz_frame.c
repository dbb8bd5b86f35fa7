// SPDX-License-Identifier: GPL-2.0
/*
 * TCP framing: consume a stream frame by frame, as the helper will. A
 * stream that frames without resync must frame the same way when it
 * arrives in two segments, wherever the first one ends, and the same
 * again when, as in the helper, sip_frame() is only asked once
 * sip_frame_ready() says it could say more.
 */
#include "fuzz.h"

#define MAX_FRAMES 64

struct frames {
	size_t off[MAX_FRAMES];
	size_t len[MAX_FRAMES];
	int count;
	bool resync;
};

/* The stream arrives as data[0, split) and then the rest. */
static void frame_stream(const uint8_t *data, size_t size, size_t split,
			 struct frames *out, bool parse, bool gated)
{
	struct sip_frame_state st = { 0 };
	size_t pos = 0, fed = split;
	struct sip_frame f;
	char *buf;

	memset(out, 0, sizeof(*out));
	while (pos < size) {
		buf = fuzz_copy(data + pos, fed - pos);
		if (gated && !sip_frame_ready(&st, buf, fed - pos)) {
			free(buf);
			if (fed == size)
				break;
			fed = size;
			continue;
		}
		if (sip_frame(buf, fed - pos, &f))
			out->resync = true;
		if (f.kind == SIP_FRAME_NEED_MORE) {
			FUZZ_CHECK(!f.len || f.len > fed - pos);
			sip_frame_wait(&st, &f);
			free(buf);
			if (fed == size)
				break;
			fed = size;
			continue;
		}
		FUZZ_CHECK(f.len > 0 && f.len <= fed - pos);
		if (f.kind == SIP_FRAME_RESYNC)
			out->resync = true;
		if (f.kind == SIP_FRAME_MESSAGE) {
			FUZZ_CHECK(f.len <= SIP_MAX_MSG_LEN);
			if (parse)
				fuzz_message(buf, f.len);
			if (out->count < MAX_FRAMES) {
				out->off[out->count] = pos;
				out->len[out->count] = f.len;
			}
			out->count++;
		}
		free(buf);
		pos += f.len;
		memset(&st, 0, sizeof(st));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frames whole, split;
	size_t cuts[3], i;

	frame_stream(data, size, size, &whole, true, false);
	if (whole.resync || size < 2)
		return 0;
	cuts[0] = size / 2;
	cuts[1] = (data[0] * 256 + data[1]) % size;
	cuts[2] = size - 1 - data[size - 1] % size;
	for (i = 0; i < 6; i++) {
		frame_stream(data, size, cuts[i % 3], &split, false, i >= 3);
		FUZZ_CHECK(!split.resync);
		FUZZ_CHECK(split.count == whole.count);
		FUZZ_CHECK(!memcmp(split.off, whole.off, sizeof(split.off)));
		FUZZ_CHECK(!memcmp(split.len, whole.len, sizeof(split.len)));
	}
	return 0;
}
