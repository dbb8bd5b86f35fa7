// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpora for the fuzzers from tests/vectors, written under build/:
 * messages as they are, their SDP bodies, their multipart bodies in the
 * multipart harness' format, one TCP stream of all messages, and pairs of
 * SDP bodies as offer and answer under a few policies (fuzz.h); STUN and
 * MS-TURN messages of stun_build.h, alone and as TCP streams.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "hep_build.h"
#include "stun_build.h"

static const char *out;
static int seq;

/* The SDP bodies seen (copies), for the pinning seeds. */
static struct {
	char *p;
	size_t len;
} sdps[256];
static size_t n_sdps;

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

static void sdp_seed(const char *p, size_t len)
{
	put("sdp", p, len, "", 0);
	if (n_sdps < sizeof(sdps) / sizeof(sdps[0])) {
		sdps[n_sdps].p = malloc(len ? len : 1);
		if (!sdps[n_sdps].p)
			exit(1);
		memcpy(sdps[n_sdps].p, p, len);
		sdps[n_sdps++].len = len;
	}
}

/*
 * Each SDP as the offer, the next as the answer: the answer from the
 * Edge, one edge cut from its first endpoint (/32 or /128); the same with
 * peer-match address-port, a stop after 4 keys, and no edges.
 */
static void pinning_seeds(void)
{
	static const uint8_t heads[][FUZZ_PINNING_HEAD] = {
		{ 0x30, 0xff, 0, 0, 0x04, 0x00, 0xff, 0xff, 0xc3, 0x51, 2, 2 },
		{ 0x31, 0xff, 0, 0, 0x04, 0x00, 0xff, 0xff, 0, 0, 0, 0, 4 },
		{ 0x18, 0, 0, 0, 0x00, 0x01, 0xff, 0xff, 0, 0, 0, 0, 0, 0 },
	};
	uint8_t head[FUZZ_PINNING_HEAD];
	size_t i, j, k;
	char *pair;

	for (i = 0; i < n_sdps; i++) {
		j = (i + 1) % n_sdps;
		pair = malloc(sdps[i].len + sdps[j].len + 1);
		if (!pair)
			exit(1);
		memcpy(pair, sdps[i].p, sdps[i].len);
		memcpy(pair + sdps[i].len, sdps[j].p, sdps[j].len);
		for (k = 0; k < sizeof(heads) / sizeof(heads[0]); k++) {
			memcpy(head, heads[k], sizeof(head));
			head[14] = sdps[i].len >> 8;
			head[15] = sdps[i].len & 0xff;
			put("pinning", head, sizeof(head), pair,
			    sdps[i].len + sdps[j].len);
		}
		free(pair);
	}
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
			sdp_seed(body + part.body.off, part.body.len);
}

/*
 * The message in HEPv3: IPv4 UDP without a key, IPv6 TCP with one, IPv4
 * as Kamailio sends TLS (IP protocol 22).
 */
static void hep_seeds(const char *buf, size_t len)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static struct hep_build h;

	if (len > 60000)
		return;
	hb_head(&h, 2, 17, "\xc0\x00\x02\x0a", 5060, "\xc0\x00\x02\x14",
		5060, NULL);
	hb_chunk(&h, 15, buf, len);
	hb_end(&h);
	put("hep", h.b, h.len, "", 0);
	hb_head(&h, 10, 6, a6, 5061, b6, 443, "capture-password");
	hb_chunk(&h, 17, "corr", 4);
	hb_chunk(&h, 15, buf, len);
	hb_end(&h);
	put("hep", h.b, h.len, "", 0);
	hb_head(&h, 2, 22, "\xc6\x33\x64\x02", 40000, "\xcb\x00\x71\x02",
		5061, "k");
	hb_chunk(&h, 15, buf, len);
	hb_end(&h);
	put("hep", h.b, h.len, "", 0);
}

/*
 * fuzz_stun: a mode byte (bit 0: MS-TURN TCP framing), then each sample
 * message alone, then one RFC 8656 stream (messages and padded
 * ChannelData) and one MS-TURN framed stream of them all.
 */
static void stun_seeds(void)
{
	static uint8_t rfc[65536], ms[65536];
	static struct stun_build s;
	size_t nr = 1, nm = 1;
	unsigned int i;
	uint8_t mode;

	rfc[0] = 0;
	ms[0] = 1;
	for (i = 0; sb_sample(i, &s); i++) {
		mode = s.ms;
		put("stun", &mode, 1, s.b, s.len);
		if (s.ms) {
			nm += sb_ms_frame(ms + nm, 2, s.b, (uint16_t)s.len);
			nm += sb_ms_frame(ms + nm, 3, "rtp!", 4);
			continue;
		}
		memcpy(rfc + nr, s.b, s.len);
		nr += s.len;
		nr += sb_channel_data(rfc + nr, 0x4000 + i, "rtp", 3);
		rfc[nr++] = 0;
	}
	put("stun", rfc, nr, "", 0);
	put("stun", ms, nm, "", 0);
}

static void vector(const char *buf, size_t len, FILE *stream)
{
	struct sip_msg m;

	hep_seeds(buf, len);

	put("sip", buf, len, "", 0);
	put("frame", buf, len, "", 0);
	fwrite(buf, 1, len, stream);
	fwrite("\r\n\r\n", 1, 4, stream);
	if (sip_parse_message(buf, len, &m))
		return;
	if (m.body_type == SIP_BODY_SDP)
		sdp_seed(buf + m.body.off, m.body.len);
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
	pinning_seeds();
	stun_seeds();
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		put("addr", addrs[i], strlen(addrs[i]), "", 0);
	return 0;
}
