/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer harnesses: every input is copied into a buffer of
 * its exact size, so ASan reports a read of even one byte past the end; a
 * broken invariant aborts, which libFuzzer reports as a crash.
 */
#ifndef EDGEPIN_FUZZ_H
#define EDGEPIN_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parser.h"

/*
 * fuzz_pinning's input: this many bytes of policy and layout, then the
 * offer's SDP and the answer's. Head bytes: 0 flags (bit 0 peer-match
 * address-port, 1-2 transports, 3/4 offer/answer from the Edge, 5-6 the
 * number of edges), 1-3 the endpoints edges are cut from, 4-7 the port
 * range, 8-11 an exclude and the edges' prefix lengths, 12 a stop after
 * so many keys (0: none), 13 the signalling addresses, 14-15 the length
 * of the offer (big endian).
 */
#define FUZZ_PINNING_HEAD	16

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "invariant failed: %s (%s:%d)\n",	\
			#cond, __FILE__, __LINE__);			\
		abort();						\
	}								\
} while (0)

static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	FUZZ_CHECK(p);
	if (size)
		memcpy(p, data, size);
	return p;
}

static inline void fuzz_span(struct sip_span s, size_t len)
{
	FUZZ_CHECK((size_t)s.off + s.len <= len);
}

static inline void fuzz_sdp_check(const struct sdp_session *s)
{
	unsigned int i, sum = 0;

	FUZZ_CHECK(s->media_count <= SDP_MAX_MEDIA);
	FUZZ_CHECK(s->cand_count <= SDP_MAX_CANDIDATES);
	for (i = 0; i < s->media_count; i++) {
		sum += s->media[i].candidates;
		FUZZ_CHECK(s->media[i].port_count >= 1);
	}
	FUZZ_CHECK(sum == s->cand_count);
	for (i = 0; i < s->cand_count; i++) {
		FUZZ_CHECK(s->cand[i].media < s->media_count);
		FUZZ_CHECK(s->cand[i].component >= 1);
		FUZZ_CHECK(s->cand[i].component <= SDP_MAX_COMPONENT);
		FUZZ_CHECK(s->cand[i].family != SDP_ADDR_NONE);
	}
}

/* The SDP of a body, in an exact-size copy of its own. */
static inline void fuzz_sdp(const char *body, size_t len)
{
	static struct sdp_session s;
	char *copy = fuzz_copy((const uint8_t *)body, len);

	if (!sdp_parse(copy, len, &s))
		fuzz_sdp_check(&s);
	free(copy);
}

static inline void fuzz_multipart(const char *body, size_t len,
				  const char *boundary, size_t blen)
{
	struct sip_multipart mp;
	struct sip_part part;
	int r, n = 0;

	if (sip_multipart_init(&mp, body, len, boundary, blen))
		return;
	while ((r = sip_multipart_next(&mp, &part)) > 0) {
		FUZZ_CHECK(++n <= SIP_MAX_MSG_LEN);
		fuzz_span(part.content_type, len);
		fuzz_span(part.body, len);
		if (part.body_type == SIP_BODY_SDP)
			fuzz_sdp(body + part.body.off, part.body.len);
	}
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EINVAL);
	/* Once ended, the iterator stays ended: 0 after 0, else -EBADMSG. */
	FUZZ_CHECK(sip_multipart_next(&mp, &part) == (r ? -EBADMSG : 0));
}

/* A whole message, then its SDP bodies. */
static inline void fuzz_message(const char *buf, size_t len)
{
	struct sip_msg m;
	const struct sip_span *s;

	if (sip_parse_message(buf, len, &m))
		return;
	for (s = &m.method_name; s <= &m.body; s++)
		fuzz_span(*s, len);
	FUZZ_CHECK(!m.status || (m.status >= 100 && m.status <= 699));
	FUZZ_CHECK(m.cseq <= SIP_MAX_CSEQ);
	if (m.body_type == SIP_BODY_SDP)
		fuzz_sdp(buf + m.body.off, m.body.len);
	if (m.body_type == SIP_BODY_MULTIPART)
		fuzz_multipart(buf + m.body.off, m.body.len,
			       buf + m.boundary.off, m.boundary.len);
}

#endif
