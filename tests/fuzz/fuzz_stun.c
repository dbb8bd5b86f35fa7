// SPDX-License-Identifier: GPL-2.0
/*
 * The STUN/TURN parser: the first input byte picks the TCP framing (bit
 * 0: MS-TURN's, else RFC 8656's); the rest is parsed as one message and
 * walked as a TCP stream, each frame's message parsed on its own. An
 * accepted message has sane counts, families and lengths.
 */
#include "fuzz.h"
#include "stun.h"

static void check_addr(const struct stun_addr *a)
{
	FUZZ_CHECK(a->family == STUN_FAMILY_IPV4 ||
		   a->family == STUN_FAMILY_IPV6);
}

static void parse_check(const uint8_t *data, size_t size)
{
	uint8_t *buf = (uint8_t *)fuzz_copy(data, size);
	struct stun_msg m;
	unsigned int i;

	if (stun_parse(buf, size, &m) == 0) {
		FUZZ_CHECK(size == (size_t)STUN_HDR_LEN + m.len);
		FUZZ_CHECK(!(m.type & 0xC000));
		FUZZ_CHECK(m.dialect == STUN_DIALECT_RFC ||
			   m.dialect == STUN_DIALECT_MSTURN);
		FUZZ_CHECK(m.txid_len ==
			   (m.dialect == STUN_DIALECT_RFC ? 12 : 16));
		FUZZ_CHECK(m.cls <= STUN_CLASS_ERROR);
		FUZZ_CHECK(m.method <= STUN_METHOD_SET_ACTIVE_DEST);
		FUZZ_CHECK(m.n_peers <= STUN_MAX_PEERS);
		FUZZ_CHECK(!m.peers_capped || m.n_peers == STUN_MAX_PEERS);
		FUZZ_CHECK(m.n_relayed <= 2);
		for (i = 0; i < m.n_peers; i++)
			check_addr(&m.peers[i]);
		for (i = 0; i < m.n_relayed; i++)
			check_addr(&m.relayed[i]);
		if (m.has_mapped)
			check_addr(&m.mapped);
		FUZZ_CHECK(!m.error_code ||
			   (m.error_code >= 100 && m.error_code <= 699));
		FUZZ_CHECK(!m.has_fingerprint ||
			   m.dialect == STUN_DIALECT_RFC);
		FUZZ_CHECK(m.dialect == STUN_DIALECT_MSTURN ||
			   !m.ms_version);
		FUZZ_CHECK(m.dialect == STUN_DIALECT_RFC || m.len >= 8);
	}
	free(buf);
}

/* stun_tcp_frame() on an exact-size copy of [p, p + len). */
static int frame_at(const uint8_t *p, size_t len, bool ms,
		    struct stun_frame *f)
{
	uint8_t *buf = (uint8_t *)fuzz_copy(p, len);
	int r = stun_tcp_frame(buf, len, ms, f);

	free(buf);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_frame f, g;
	size_t pos = 0, cut;
	bool ms;
	int r, n = 0;

	if (size < 1)
		return 0;
	ms = data[0] & 1;
	data++;
	size--;
	parse_check(data, size);

	while (pos < size && n++ < 256) {
		r = frame_at(data + pos, size - pos, ms, &f);
		FUZZ_CHECK(r == 1 || r == 0 || r == -EINVAL);
		if (r != 1)
			break;
		FUZZ_CHECK(f.len >= 4 && f.len <= 4 + 65535 + 3 + 16);
		FUZZ_CHECK(f.msg_off + f.msg_len <= f.len);
		FUZZ_CHECK(f.kind >= STUN_FRAME_STUN &&
			   f.kind <= STUN_FRAME_MS_DATA);
		FUZZ_CHECK(ms == (f.kind >= STUN_FRAME_MS_CONTROL));
		FUZZ_CHECK(!f.msg_len || f.msg_len >= STUN_HDR_LEN);
		/* fewer bytes: not yet known, or the same frame */
		cut = (size - pos) / 2;
		r = frame_at(data + pos, cut, ms, &g);
		FUZZ_CHECK(r == 0 || (r == 1 && g.len == f.len &&
				      g.kind == f.kind));
		if (f.len > size - pos)
			break;
		if (f.msg_len)
			parse_check(data + pos + f.msg_off, f.msg_len);
		pos += f.len;
	}
	return 0;
}
