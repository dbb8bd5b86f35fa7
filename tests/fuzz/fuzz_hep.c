// SPDX-License-Identifier: GPL-2.0
/*
 * HEPv3 frames (edgepin feed): an accepted frame names a SIP payload
 * inside the input and values within their bounds; the stream framer
 * agrees with the parser on the length.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include "fuzz.h"
#include "hep.h"

static void check_span(uint16_t off, uint16_t len, size_t size)
{
	FUZZ_CHECK(!len || off >= HEP_HDR_LEN + HEP_CHUNK_HDR_LEN);
	FUZZ_CHECK((size_t)off + len <= size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = (uint8_t *)fuzz_copy(data, size);
	struct hep_msg m;
	enum hep_reason r;
	size_t fl;

	r = hep_parse(buf, size, &m);
	FUZZ_CHECK(r < HEP_REASON_COUNT);
	if (r == HEP_OK) {
		FUZZ_CHECK(size >= HEP_HDR_LEN && size <= HEP_MAX_LEN);
		FUZZ_CHECK(m.family == AF_INET || m.family == AF_INET6);
		FUZZ_CHECK(m.proto == IPPROTO_TCP || m.proto == IPPROTO_UDP);
		FUZZ_CHECK(!m.tls || m.proto == IPPROTO_TCP);
		FUZZ_CHECK(m.sport && m.dport);
		FUZZ_CHECK(m.payload_len >= 1);
		check_span(m.payload_off, m.payload_len, size);
		check_span(m.corr_off, m.corr_len, size);
		FUZZ_CHECK(m.has_key || (!m.key_off && !m.key_len));
		if (m.has_key)
			check_span(m.key_off, m.key_len, size);
		/* a whole frame frames itself */
		FUZZ_CHECK(hep_frame(buf, size, &fl) == HEP_OK && fl == size);
	}
	r = hep_frame(buf, size, &fl);
	FUZZ_CHECK(r == HEP_OK || r == HEP_BAD_MAGIC || r == HEP_BAD_LENGTH);
	FUZZ_CHECK(r != HEP_OK || fl == 0 || fl >= HEP_HDR_LEN);
	FUZZ_CHECK(r != HEP_OK || size >= HEP_HDR_LEN || fl == 0);
	/* a frame inside a longer stream, parsed on its own */
	if (r == HEP_OK && fl && fl <= size)
		hep_parse(buf, fl, &m);
	free(buf);
	return 0;
}
