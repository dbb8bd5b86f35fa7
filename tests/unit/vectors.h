/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the parser unit tests: vector files are read into
 * buffers of their exact size, so ASan sees a read one byte past the end.
 */
#ifndef EDGEPIN_TEST_VECTORS_H
#define EDGEPIN_TEST_VECTORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parser.h"

#ifndef VECTOR_DIR
#define VECTOR_DIR "../vectors"
#endif

struct blob {
	char *p;
	size_t len;
};

/* An exact-size copy of @len bytes (a 1-byte allocation for 0). */
static inline struct blob blob_copy(const void *src, size_t len)
{
	struct blob b = { malloc(len ? len : 1), len };

	if (b.p && len)
		memcpy(b.p, src, len);
	return b;
}

static inline struct blob blob_str(const char *s)
{
	return blob_copy(s, strlen(s));
}

static inline struct blob vector_read(const char *name)
{
	struct blob b = { NULL, 0 };
	char path[512], *tmp;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", VECTOR_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		return b;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	tmp = malloc(n ? n : 1);
	if (tmp && fread(tmp, 1, n, f) == (size_t)n)
		b = blob_copy(tmp, n);
	free(tmp);
	fclose(f);
	return b;
}

/* Calls @fn for every SDP body of a SIP message (multipart or not). */
typedef int (*sdp_body_fn)(const char *sdp, size_t len, int part, void *arg);

static inline int sip_for_each_sdp(const char *msg_buf, size_t len,
				   sdp_body_fn fn, void *arg)
{
	struct sip_multipart mp;
	struct sip_part part;
	struct sip_msg msg;
	const char *body;
	int err, n = 0;

	err = sip_parse_message(msg_buf, len, &msg);
	if (err)
		return err;
	body = msg_buf + msg.body.off;
	if (msg.body_type == SIP_BODY_SDP)
		return fn(body, msg.body.len, 0, arg) ? -1 : 1;
	if (msg.body_type != SIP_BODY_MULTIPART)
		return 0;
	err = sip_multipart_init(&mp, body, msg.body.len,
				 msg_buf + msg.boundary.off, msg.boundary.len);
	if (err)
		return err;
	while ((err = sip_multipart_next(&mp, &part)) > 0) {
		if (part.body_type != SIP_BODY_SDP)
			continue;
		if (fn(body + part.body.off, part.body.len, n++, arg))
			return -1;
	}
	return err < 0 ? err : n;
}

static inline bool span_is(const char *base, struct sip_span s,
			   const char *want)
{
	return s.len == strlen(want) && !memcmp(base + s.off, want, s.len);
}

#endif
