// SPDX-License-Identifier: GPL-2.0
/*
 * The libre side of the STUN benchmark, in a file of its own: libre's
 * re_stun.h and edgepin's stun.h both define struct stun_msg.
 */
#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "bench.h"

/*
 * stun_msg_decode(), then the FINGERPRINT check where there is one, as
 * edgepin's parser always does. Returns the message type, or -1. The
 * decoded message holds a reference to its mbuf, so the bytes go into one
 * mbuf of libre's own, kept across calls (the copy is counted: a memcpy
 * of at most a few hundred bytes).
 */
int libre_stun_parse(const uint8_t *buf, size_t len)
{
	static struct mbuf *mb;
	struct stun_msg *msg = NULL;
	int r;

	if (!mb)
		mb = mbuf_alloc(4096);
	if (!mb)
		return -1;
	mbuf_rewind(mb);
	if (mbuf_write_mem(mb, buf, len))
		return -1;
	mb->pos = 0;
	if (stun_msg_decode(&msg, mb, NULL))
		return -1;
	r = stun_msg_type(msg);
	if (stun_msg_attr(msg, STUN_ATTR_FINGERPRINT) &&
	    stun_msg_chk_fingerprint(msg))
		r = -1;
	mem_deref(msg);
	return r;
}
