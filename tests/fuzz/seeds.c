// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpora for the fuzzers from tests/vectors, written under build/:
 * messages as they are, their SDP bodies, their multipart bodies in the
 * multipart harness' format, and one TCP stream of all messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parser.h"

static const char *out;
static int seq;

static void put(const char *dir, const void *a, size_t alen,
		const void *b, size_t blen)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/seed-%04d", out, dir, seq++);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(a, 1, alen, f);
	fwrite(b, 1, blen, f);
	fclose(f);
}

static void multipart(const char *msg, const struct sip_msg *m)
{
	const char *body = msg + m->body.off;
	struct sip_multipart mp;
	struct sip_part part;
	unsigned char blen = m->boundary.len;
	char head[1 + SIP_MAX_BOUNDARY_LEN];

	head[0] = blen;
	memcpy(head + 1, msg + m->boundary.off, blen);
	put("multipart", head, 1 + blen, body, m->body.len);
	if (sip_multipart_init(&mp, body, m->body.len, head + 1, blen))
		return;
	while (sip_multipart_next(&mp, &part) > 0)
		if (part.body_type == SIP_BODY_SDP)
			put("sdp", body + part.body.off, part.body.len, "", 0);
}

static void vector(const char *buf, size_t len, FILE *stream)
{
	struct sip_msg m;

	put("sip", buf, len, "", 0);
	put("frame", buf, len, "", 0);
	fwrite(buf, 1, len, stream);
	fwrite("\r\n\r\n", 1, 4, stream);
	if (sip_parse_message(buf, len, &m))
		return;
	if (m.body_type == SIP_BODY_SDP)
		put("sdp", buf + m.body.off, m.body.len, "", 0);
	if (m.body_type == SIP_BODY_MULTIPART)
		multipart(buf, &m);
}

int main(int argc, char **argv)
{
	static const char * const addrs[] = {
		"192.0.2.1", "0.0.0.0", "255.255.255.255", "::", "::1",
		"2001:db8::1", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8",
		"fe80::6676:baff:fe9c:ee4a", "1:2:3:4:5:6:1.2.3.4", "1::",
		"host.local", "relay.example.com",
	};
	char path[1024], *buf;
	FILE *stream, *f;
	size_t i;
	long n;
	int a;

	if (argc < 3)
		return 2;
	out = argv[1];
	snprintf(path, sizeof(path), "%s/frame/stream", out);
	stream = fopen(path, "wb");
	if (!stream)
		return 1;
	for (a = 2; a < argc; a++) {
		f = fopen(argv[a], "rb");
		if (!f)
			return 1;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		buf = malloc(n + 1);
		if (!buf || fread(buf, 1, n, f) != (size_t)n)
			return 1;
		fclose(f);
		vector(buf, n, stream);
		free(buf);
	}
	fclose(stream);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		put("addr", addrs[i], strlen(addrs[i]), "", 0);
	return 0;
}
